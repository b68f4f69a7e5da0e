"""ノートブックの parameters セルの値と、utils の公開関数の引数の検証。

どの関数も、おかしな値には ``ParameterError`` (``ValueError`` の一種) を、パラメータ名・渡された値・
期待する値・直し方を書いた日本語のメッセージで出す。setup セル (``cfg = utils.setup(...)`` の直後) で呼び、
学習が始まってから TensorFlow / librosa / seaborn の奥で意味の分からない例外になるのを防ぐ::

    EPOCHS = checks.positive_int("EPOCHS", EPOCHS, default=cfg.pick(quick=10, full=20))
    LR = checks.positive_float("LR", LR, default=1e-3)
    BIT_MODEL = checks.choice("BIT_MODEL", BIT_MODEL, ["bit/s-r50x1", "bit/m-r50x1"])
    DATA_DIR = checks.data_dir("DATA_DIR", DATA_DIR, cfg, pattern="*/*.jpg", min_files=2,
                               layout="flower_photos/<クラス名>/<画像>.jpg")
    AUDIO_PATH = checks.file("AUDIO_PATH", AUDIO_PATH, suffixes=(".wav", ".flac", ".ogg"))
    checks.audio_signal("AUDIO_PATH", wave, sr, min_seconds=0.5)
"""

from __future__ import annotations

import difflib
import fnmatch
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np


class ParameterError(ValueError):
    """パラメータ (ノートブックの parameters セルの値や関数の引数) が使えない値のときの例外。"""


def _show(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _fail(name: str, value: Any, expected: str, default: Any = None) -> ParameterError:
    hint = f" (None ならモードの既定値 {_show(default)})" if default is not None else ""
    return ParameterError(f"パラメータ {name} = {_show(value)} は使えません。{expected}{hint}。")


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_real(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _int(name: str, value: Any, default: Any, minimum: int, maximum: int | None, what: str) -> int:
    if value is None:
        if default is None:
            raise ParameterError(f"パラメータ {name} が None です。{what}を指定してください。")
        value = default
    bound = f"{minimum} 以上" + (f" {maximum} 以下" if maximum is not None else "")
    expected = f"{bound}の整数を指定してください"
    if isinstance(value, str):
        raise _fail(name, value, f"{bound}の整数を、文字列ではなく引用符なしで指定してください", default)
    if not _is_int(value):
        raise _fail(name, value, expected, default)
    if value < minimum or (maximum is not None and value > maximum):
        raise _fail(name, value, expected, default)
    return int(value)


def positive_int(name: str, value: Any, *, default: int | None = None, maximum: int | None = None) -> int:
    """1 以上の整数 (numpy の整数も可)。None なら ``default``。0・負・小数・文字列・True は ``ParameterError``。"""
    return _int(name, value, default, 1, maximum, "1 以上の整数")


def nonneg_int(name: str, value: Any, *, default: int | None = None, maximum: int | None = None) -> int:
    """0 以上の整数。None なら ``default``。"""
    return _int(name, value, default, 0, maximum, "0 以上の整数")


def positive_float(name: str, value: Any, *, default: float | None = None, maximum: float | None = None) -> float:
    """0 より大きい有限の数 (整数も可)。None なら ``default``。0・負・NaN・無限大・文字列・True は ``ParameterError``。"""
    if value is None:
        if default is None:
            raise ParameterError(f"パラメータ {name} が None です。0 より大きい数 (例: 0.001) を指定してください。")
        value = default
    expected = "0 より大きい有限の数 (例: 0.001" + (f"、{maximum} 以下" if maximum is not None else "") + ") を指定してください"
    if isinstance(value, str):
        raise _fail(name, value, "文字列ではなく数を引用符なしで指定してください (例: 0.001)", default)
    if not _is_real(value) or not math.isfinite(value) or value <= 0 or (maximum is not None and value > maximum):
        raise _fail(name, value, expected, default)
    return float(value)


def fraction(name: str, value: Any, *, default: float | None = None, inclusive: bool = False) -> float:
    """割合。``inclusive=False`` なら 0 < x < 1、``True`` なら 0 ≤ x ≤ 1。None なら ``default``。"""
    if value is None:
        if default is None:
            raise ParameterError(f"パラメータ {name} が None です。0〜1 の数を指定してください。")
        value = default
    lo, hi = ("0 以上 1 以下", "0.0〜1.0") if inclusive else ("0 より大きく 1 より小さい", "0.1〜0.9")
    ok = _is_real(value) and math.isfinite(value) and ((0 <= value <= 1) if inclusive else (0 < value < 1))
    if not ok:
        raise _fail(name, value, f"{lo}数 (例: {hi} の範囲) を指定してください", default)
    return float(value)


def choice(name: str, value: Any, options: Sequence[Any], *, default: Any = None) -> Any:
    """``options`` のどれか (文字列は前後の空白を無視)。None なら ``default``。"""
    if value is None:
        if default is None:
            raise ParameterError(f"パラメータ {name} が None です。{_list(options)} のどれかを指定してください。")
        value = default
    key = value.strip() if isinstance(value, str) else value
    for option in options:
        if not isinstance(option, bool) and not isinstance(key, bool) and key == option:
            return option
    close = difflib.get_close_matches(str(key), [str(o) for o in options], n=1)
    hint = f" ({close[0]!r} のことですか?)" if close else ""
    raise _fail(name, value, f"{_list(options)} のどれかを指定してください{hint}", default)


def _list(options: Iterable[Any]) -> str:
    return "、".join(_show(o) for o in options)


def _path(name: str, value: Any) -> Path:
    if isinstance(value, (bool, int, float)) or not isinstance(value, (str, os.PathLike)):
        raise _fail(name, value, "フォルダやファイルのパスを文字列 (例: '/content/data') で指定してください")
    if isinstance(value, str) and not value.strip():
        raise _fail(name, value, "空の文字列は使えません。パスを指定するか None にしてください")
    return Path(str(value).strip() if isinstance(value, str) else value).expanduser()


def _matches(root: Path, parts: Sequence[str], limit: int) -> int:
    """``root`` の下で ``parts`` (パターンを / で分けたもの) に当たるファイルの数 (大文字・小文字を区別しない)。"""
    count = 0
    level = [root]
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        nxt = []
        for folder in level:
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if not fnmatch.fnmatchcase(entry.name.lower(), part.lower()):
                    continue
                if last and entry.is_file():
                    count += 1
                    if count >= limit:
                        return count
                elif not last and entry.is_dir():
                    nxt.append(Path(entry.path))
        level = nxt
    return count


def _unused_in_quick(name: str, value: Any, cfg: Any) -> bool:
    """quick モード (``cfg.quick``) なら、渡されたパスを使わないことを 1 行表示して True。"""
    if cfg is None or not getattr(cfg, "quick", False):
        return False
    print(f"{name} = {str(value)!r} は quick モードでは使いません (quick は同梱データで動きます)。"
          "使うには MODE='full' にしてください。")  # fmt: skip
    return True


def data_dir(
    name: str,
    value: Any,
    cfg: Any = None,
    *,
    pattern: str = "*",
    min_files: int = 1,
    layout: str | None = None,
) -> Path | None:
    """データのフォルダ。None なら None (ノートブックがダウンロードする)。

    - quick モード (``cfg.quick``) で値があれば、使わないことを 1 行表示して None を返す。
    - full モードでは、存在するフォルダで、``pattern`` (例: ``"*/*.jpg"``。拡張子などの大文字・小文字は区別しない)
      に当たるファイルが ``min_files`` 個以上あること。1 つ上のフォルダを指定したときは、使うべきサブフォルダを示す。
    """
    if value is None:
        return None
    path = _path(name, value)
    if _unused_in_quick(name, value, cfg):
        return None
    want = f"{layout} の形のフォルダ" if layout else f"{pattern} に当たるファイルが {min_files} 個以上あるフォルダ"
    if not path.exists():
        raise ParameterError(
            f"パラメータ {name} = {str(value)!r} のフォルダがありません。{want}のパスを指定してください"
            f" (None ならダウンロードします)。相対パスは {Path.cwd()} からの位置です。"
        )
    if not path.is_dir():
        raise ParameterError(
            f"パラメータ {name} = {str(value)!r} はフォルダではなくファイルです。"
            f"アーカイブなら展開してから、{want}のパスを指定してください。"
        )
    parts = [p for p in pattern.split("/") if p]
    found = _matches(path, parts, min_files)
    if found >= min_files:
        return path
    hint = ""
    try:
        subdirs = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        subdirs = []
    deeper = [p for p in subdirs if _matches(p, parts, min_files) >= min_files]
    if deeper:
        hint = f"1 つ上のフォルダを指定しているようです: {name} = {str(deeper[0])!r} にしてください。"
    elif len(parts) > 1 and _matches(path.parent, parts, min_files) >= min_files:
        hint = f"1 つ下のフォルダを指定しているようです: {name} = {str(path.parent)!r} にしてください。"
    raise ParameterError(
        f"パラメータ {name} = {str(value)!r} のフォルダに {pattern} に当たるファイルが {found} 個しかありません"
        f" ({min_files} 個以上必要)。{want}を指定してください。{hint}"
    )


def file(name: str, value: Any, cfg: Any = None, *, suffixes: Sequence[str] | None = None) -> Path | None:
    """存在する空でないファイル (``suffixes`` があればその拡張子、大文字・小文字は区別しない)。None なら None。

    ``cfg`` を渡すと、quick モード (``cfg.quick``) では ``data_dir`` と同じく、使わないことを 1 行表示して None を返す
    (full だけで読むファイル。例: ``MNIST_PATH``)。
    """
    if value is None:
        return None
    path = _path(name, value)
    if _unused_in_quick(name, value, cfg):
        return None
    kinds = "・".join(suffixes) if suffixes else ""
    want = f"{kinds} のファイル" if kinds else "ファイル"
    if not path.exists():
        raise ParameterError(
            f"パラメータ {name} = {str(value)!r} のファイルがありません。{want}のパスを指定してください"
            f" (None なら同梱の見本を使います)。相対パスは {Path.cwd()} からの位置です。"
        )
    if path.is_dir():
        raise ParameterError(f"パラメータ {name} = {str(value)!r} はフォルダです。中の{want}のパスを指定してください。")
    if suffixes and path.suffix.lower() not in {s.lower() for s in suffixes}:
        raise ParameterError(
            f"パラメータ {name} = {str(value)!r} の拡張子 {path.suffix or '(なし)'} は使えません。{want}を指定してください。"
        )
    if path.stat().st_size == 0:
        raise ParameterError(f"パラメータ {name} = {str(value)!r} は空のファイル (0 バイト) です。中身のある{want}を指定してください。")
    return path


def audio_signal(name: str, wave: Any, sr: int, *, min_seconds: float = 0.5, silence: float = 1e-3) -> np.ndarray:
    """読み込んだ波形が使えること: NaN・無限大を含まない、``min_seconds`` 秒以上、無音でない (最大振幅 > ``silence``)。"""
    x = np.asarray(wave)
    if x.size == 0:
        raise ParameterError(f"パラメータ {name} の音声は空です (サンプル 0 個)。{min_seconds} 秒以上の音声を指定してください。")
    if not np.issubdtype(x.dtype, np.number) or not np.isfinite(x).all():
        raise ParameterError(
            f"パラメータ {name} の音声に NaN / 無限大の値が含まれています (ファイルが壊れている可能性)。別の音声を指定してください。"
        )
    seconds = x.shape[0] / sr
    if seconds < min_seconds:
        raise ParameterError(
            f"パラメータ {name} の音声は {seconds:.3f} 秒しかありません。{min_seconds} 秒以上の音声を指定してください。"
        )
    peak = float(np.abs(x).max())
    if peak <= silence:
        raise ParameterError(
            f"パラメータ {name} の音声はほぼ無音です (最大振幅 {peak:.2g}、{silence:g} 以下)。"
            "声や音の入った音声を指定してください (録音レベルも確かめてください)。"
        )
    return x


__all__ = [
    "ParameterError",
    "audio_signal",
    "choice",
    "data_dir",
    "file",
    "fraction",
    "nonneg_int",
    "positive_float",
    "positive_int",
]
