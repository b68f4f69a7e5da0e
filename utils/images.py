"""画像ファイルの読み込み: どんな JPEG / PNG でも float32 の RGB (0〜255) にそろえる。"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


class ImageLoadError(ValueError):
    """画像として読めないファイルを渡されたときの例外。"""


MAX_PIXELS = 20_000 * 20_000  # これを超える画像は拒否 (解凍爆弾対策)


def load_image(path: str | os.PathLike, size: int | tuple[int, int] | None = None) -> np.ndarray:
    """画像を読み、``(H, W, 3)`` の float32 RGB (値 0〜255) で返す。

    - RGBA / LA / パレット (P) は白背景に合成、グレースケール・CMYK・16 bit は RGB に変換
    - EXIF の回転情報 (スマートフォンの縦撮り写真など) を反映
    - ``size`` に int を渡すと正方形、``(高さ, 幅)`` を渡すとその大きさにリサイズ (バイキュービック)
    - 開けない・画像でないファイルは日本語のメッセージで ``ImageLoadError`` / ``FileNotFoundError``
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"画像ファイルが見つかりません: {path}")
    if path.is_dir():
        raise ImageLoadError(f"{path} はディレクトリです。画像ファイルのパスを指定してください。")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(path) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            img = _to_rgb(img)
    except UnidentifiedImageError as e:
        raise ImageLoadError(f"{path.name} は画像として読めません (JPEG / PNG などを指定してください)。") from e
    except Image.DecompressionBombError as e:
        raise ImageLoadError(
            f"{path.name} は大きすぎます ({MAX_PIXELS:,} 画素まで)。縮小してから使ってください。"
        ) from e
    except OSError as e:  # 途中で切れたファイルなど
        raise ImageLoadError(f"{path.name} を読み込めません: 壊れているか途中で切れています ({e})。") from e
    if size is not None:
        h, w = (size, size) if isinstance(size, int) else size
        img = img.resize((w, h), Image.Resampling.BICUBIC)
    return np.clip(np.asarray(img, dtype=np.float32), 0, 255)


def _to_rgb(img):
    from PIL import Image

    if img.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16/32 bit グレースケール → 8 bit
        arr = np.asarray(img, dtype=np.float64)
        peak = 65535.0 if arr.max() > 255 else 255.0
        img = Image.fromarray(np.uint8(np.clip(arr / peak * 255, 0, 255)), "L")
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA"):  # 透明部分は白背景に合成する
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img)
    return img.convert("RGB")
