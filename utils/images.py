"""画像ファイルの読み込み: どんな JPEG / PNG / TIFF でも float32 の RGB (0〜255) にそろえる。"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from .checks import ParameterError


class ImageLoadError(ValueError):
    """画像として読めないファイルを渡されたときの例外。"""


# デコードする画素数の上限 (解凍爆弾と Colab のメモリ切れの対策)。最大のメモリ使用量は約 19 バイト/画素
# (デコード 3〜4 + 結果の float32 12 + 変換の中間)、上限の 4,000 万画素 (例: 8000×5000) で 0.76 GB (測定値は
# load_image の説明)。JPEG は size を渡せばデコード時に縮小するので、この上限は縮小後の画素数に掛かる。
# PIL の Image.MAX_IMAGE_PIXELS (プロセス全体の設定) は変えない。
MAX_PIXELS = 40_000_000


def _target_size(size) -> tuple[int, int] | None:
    """``size`` を (高さ, 幅) にする。正の整数 (numpy の整数も可) か、その 2 つ組だけを受け付ける。"""
    if size is None:
        return None

    def ok(v):
        return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) and v > 0

    if ok(size):
        hw = (int(size), int(size))
    elif isinstance(size, (tuple, list)) and len(size) == 2 and all(ok(v) for v in size):
        hw = (int(size[0]), int(size[1]))
    else:
        raise ParameterError(
            f"パラメータ size = {size!r} は使えません。正の整数 (例: 224 で 224×224) か、"
            "(高さ, 幅) の正の整数の組 (例: (224, 320)) を指定してください。元の大きさのままなら None。"
        )
    if hw[0] * hw[1] > MAX_PIXELS:
        raise ParameterError(f"パラメータ size = {size!r} は大きすぎます (高さ×幅 {MAX_PIXELS:,} 画素まで)。")
    return hw


def load_image(path: str | os.PathLike, size: int | tuple[int, int] | None = None) -> np.ndarray:
    """画像を読み、``(H, W, 3)`` の float32 RGB (値 0〜255) で返す。

    - どのモードも明るさを保って 8 bit の RGB にそろえる: 1 bit・グレースケール・パレット・CMYK・YCbCr・LAB・HSV は
      RGB に変換、16 bit (``I;16*``、16 bit PNG) は 65535 → 255、32 bit 整数 (``I``) は 0〜65535 に収まれば
      16 bit として、浮動小数点 (``F``) は 0〜1 を 0〜255 として扱う。RGBA / LA / PA / 透明色つきパレットは白背景に合成。
    - EXIF の回転情報 (スマートフォンの縦撮り写真など) を反映
    - ``size`` に正の整数を渡すと正方形、``(高さ, 幅)`` を渡すとその大きさにリサイズ (バイキュービック)。
      JPEG は ``size`` があるとデコードの段階で縮小する (``draft``: 大きな写真でもメモリを使わない)。
    - メモリの上限: デコードする画素数は ``MAX_PIXELS`` (4,000 万) まで (ヘッダで確かめ、デコードしない)。
      測定 (Pillow 13, 8000×5000 = 4,000 万画素): ``size=None`` で最大 RSS の増分 RGBA PNG 約 0.76 GB・
      JPEG / 16 bit PNG 約 0.57 GB (numpy の確保の最大 (tracemalloc) 600 MB、うち結果 480 MB)。
      ``size=224`` なら JPEG 約 0.01 GB (draft)、PNG は全体をデコードするので約 0.42〜0.76 GB。上限は 1 GB 未満。
    - 開けない・画像でないファイルは日本語のメッセージで ``ImageLoadError`` / ``FileNotFoundError``、
      おかしな ``size`` は ``ParameterError``。
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    target = _target_size(size)
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"画像ファイルが見つかりません: {path}")
    if path.is_dir():
        raise ImageLoadError(f"{path} はディレクトリです。画像ファイルのパスを指定してください。")
    if path.stat().st_size == 0:
        raise ImageLoadError(f"{path.name} は空のファイル (0 バイト) です。")
    too_big = f"{path.name} は大きすぎます (上限 {MAX_PIXELS:,} 画素{{}})。縮小してから使ってください。"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(path)
        with img:
            if target is not None and img.format == "JPEG":
                side = 2 * max(target)  # EXIF の回転前なので縦横どちらにも足りる大きさ。2 倍は縮小の画質のため
                img.draft(img.mode, (side, side))
            if img.size[0] * img.size[1] > MAX_PIXELS:
                raise ImageLoadError(too_big.format(f"、この画像は {img.size[0]}×{img.size[1]}"))
            img.load()
            img = ImageOps.exif_transpose(img)
            img = _to_rgb(img)
    except UnidentifiedImageError as e:
        raise ImageLoadError(f"{path.name} は画像として読めません (JPEG / PNG などを指定してください)。") from e
    except Image.DecompressionBombError as e:
        raise ImageLoadError(too_big.format("")) from e
    except ValueError as e:  # 変換できないモードなど
        if isinstance(e, ImageLoadError):
            raise
        raise ImageLoadError(f"{path.name} はこの関数が扱えない形式の画像です ({e})。PNG か JPEG に変換してください。") from e
    except OSError as e:  # 途中で切れたファイルなど
        raise ImageLoadError(f"{path.name} を読み込めません: 壊れているか途中で切れています ({e})。") from e
    if target is not None:
        h, w = target
        img = img.resize((w, h), Image.Resampling.BICUBIC)  # 8 bit の RGB なので結果も 0〜255 に収まる
    arr = np.asarray(img)
    img.close()
    del img
    return arr.astype(np.float32)


def _high_bit_to_l(img):
    """16/32 bit 整数・浮動小数点のグレースケールを、明るさを保って 8 bit (L) にする。"""
    from PIL import Image

    arr = np.asarray(img)
    if img.mode.startswith("I;16") or (img.mode == "I" and arr.size and arr.min() >= 0 and arr.max() <= 65535):
        out = arr.astype(np.uint32)  # 16 bit のデータ (16 bit PNG など): 0〜65535 → 0〜255 (四捨五入)
        out += 128
        out //= 257
    elif img.mode == "I":  # 32 bit 符号つき整数の全範囲
            out = np.clip(arr.astype(np.float64) / (2**31 - 1), 0, 1) * 255 + 0.5
    else:  # "F": 0〜1 の浮動小数点 (NaN は 0)
        out = np.clip(np.nan_to_num(arr, nan=0.0, posinf=1.0, neginf=0.0), 0, 1) * 255 + 0.5
    return Image.fromarray(out.astype(np.uint8), "L")


def _to_rgb(img):
    from PIL import Image

    if img.mode.startswith("I") or img.mode == "F":
        img = _high_bit_to_l(img)
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA", "La", "RGBa"):  # 透明部分は白背景に合成する
        if img.mode == "La":
            img = img.convert("LA")
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img)
    return img.convert("RGB")
