"""full モードのリハーサル: full の分岐を CPU・オフラインで、代役 (stand-in) のデータで通す。

``make rehearse`` が環境変数 ``COURSE_REHEARSAL=1`` (と ``COURSE_MODE=full``) でノートブックを実行する。
このとき:

- ``utils.setup()`` は full モード (GPU と同じ mixed_float16、ネットワーク遮断、決定的演算) を返し、
  ``cfg.rehearsal`` が True、``cfg.pick(..., rehearsal=...)`` の値が使われる。
- ``utils.data.download(本物の URL, 本物のハッシュ)`` は、代役の一覧 (manifest.json) から URL を引き、
  ローカルの代役ファイル (``file://``) を同じコード (ダウンロード → sha256 → 展開 → 読み込み) で取得する。
  一覧に無い URL は ``RehearsalError``。
- ``report.claim()`` は主張を計算して表示するが判定せず (「リハーサル: 未確認」)、True を返す。

代役は ``scripts/standins/labNN.py`` の ``make(out) -> {本物の URL: 作ったファイル}`` が作り、
``scripts/make_standins.py`` が ``$COURSE_CACHE_DIR/standins/manifest.json`` に sha256 つきで登録する。
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .config import default_cache_dir

ENV = "COURSE_REHEARSAL"
MANIFEST = "manifest.json"


class RehearsalError(RuntimeError):
    """リハーサル中に代役の無い URL を取得しようとしたときの例外。"""


def active() -> bool:
    """リハーサル中か (環境変数 ``COURSE_REHEARSAL`` が 1 / true / yes / on)。"""
    return os.environ.get(ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def standins_dir() -> Path:
    """代役と manifest.json の置き場所 (``$COURSE_CACHE_DIR/standins``)。"""
    return default_cache_dir() / "standins"


def manifest_path() -> Path:
    return standins_dir() / MANIFEST


def load_manifest() -> dict[str, dict]:
    """{本物の URL: {"path": 代役ファイルの絶対パス, "sha256": ...}} を返す (manifest が無ければ空)。"""
    path = manifest_path()
    if not path.exists():
        return {}
    files = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    return {url: {**entry, "path": str(path.parent / entry["path"])} for url, entry in files.items()}


def redirect(url: str, sha256=None, md5=None):
    """``download`` の最初に呼ぶ: ``(url, sha256, md5)`` を、リハーサル中は代役のものに差し替えて返す。

    リハーサル以外では何も変えずに返す。リハーサル中は ``(代役の file:// URL, 代役の sha256, None)``:
    本物のハッシュ (sha256 でも md5 でも) は代役には合わないので、代役の sha256 で確かめる。
    """
    if not active():
        return url, sha256, md5
    entry = load_manifest().get(url)
    if entry is None:
        raise RehearsalError(
            f"リハーサルで使う代役がありません: {url}\n"
            f"この URL の代役を作る関数を scripts/standins/labNN.py の make(out) に追加し "
            f"({{本物の URL: 作ったファイル}} を返す)、python scripts/make_standins.py で "
            f"{manifest_path()} を作り直してください。"
        )
    path = Path(entry["path"])
    if not path.is_file():
        raise RehearsalError(
            f"代役ファイル {path} がありません ({url})。python scripts/make_standins.py で作り直してください。"
        )
    return path.resolve().as_uri(), entry["sha256"], None
