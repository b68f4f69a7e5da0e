"""データの取得と検証: sha256 つきダウンロード、安全な展開、リポジトリ同梱ファイルの検証。

- ``download(url, sha256)``: キャッシュにあれば再利用。無ければ一時ファイルへ落として
  sha256 を確かめてから ``os.replace`` で置く (途中で止まっても壊れたファイルが残らない)。
  quick モードでは通信せず、日本語のエラーを出す。
- ``extract(archive, dest)``: 絶対パス・``..``・リンク・デバイスファイルを拒否して、
  一時ディレクトリに展開してから名前を変える。
- ``repo_file(relpath)``: ``data/`` の同梱ファイルを ``data/SHA256SUMS`` と照合して返す。
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

from . import rehearsal
from .config import REPO_ROOT, current_mode, default_cache_dir

DATA_DIR = REPO_ROOT / "data"

# tf_flowers (5 クラス 3,670 枚)。sha256 は TensorFlow Datasets の url_checksums と同じ値
TF_FLOWERS_URL = "https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz"
TF_FLOWERS_SHA256 = "4c54ace7911aaffe13a365c34f650e71dd5bf1be0a58b464e5a7183e3e595d9c"
SUMS_FILE = DATA_DIR / "SHA256SUMS"


class OfflineModeError(RuntimeError):
    """quick モードでダウンロードしようとしたときの例外。"""


class ChecksumError(RuntimeError):
    """sha256 が一致しないときの例外。"""


def sha256sum(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def cache_dir(*parts: str) -> Path:
    path = default_cache_dir().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def download(
    url: str,
    sha256: str,
    filename: str | None = None,
    directory: str | os.PathLike | None = None,
    progress: bool = True,
) -> Path:
    """``url`` を (キャッシュに無ければ) ダウンロードし、sha256 を確かめたパスを返す。"""
    url, sha256, _ = rehearsal.redirect(url, sha256)  # リハーサル中だけ: 代役の file:// URL とその sha256
    directory = Path(directory) if directory else cache_dir("downloads")
    directory.mkdir(parents=True, exist_ok=True)
    dest = directory / (filename or PurePosixPath(url.split("?")[0]).name)
    sha256 = sha256.lower()
    if dest.exists():
        if sha256sum(dest) == sha256:
            return dest
        print(f"キャッシュの {dest.name} は sha256 が一致しないため取り直します。")
    if current_mode() == "quick":
        raise OfflineModeError(
            f"quick モードではダウンロードしません ({url})。full モード (MODE='full' または "
            "COURSE_MODE=full) で、インターネットに接続した環境で実行してください。"
        )

    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=directory)
    tmp = Path(tmp_name)
    h = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as resp:
            total = int(resp.headers.get("Content-Length") or 0) or None
            bar = _progress(total, dest.name, progress)
            while block := resp.read(1 << 20):
                out.write(block)
                h.update(block)
                bar.update(len(block))
            bar.close()
        if h.hexdigest() != sha256:
            raise ChecksumError(
                f"{url} の sha256 が一致しません (期待 {sha256[:12]}…, 実際 {h.hexdigest()[:12]}…)。"
                "ファイルが更新されたか、通信が壊れています。"
            )
        os.replace(tmp, dest)  # 同じディレクトリ内の rename は原子的
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _progress(total, desc, enabled):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, disable=not enabled)


def _check_member(name: str) -> None:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or name.startswith(("/", "\\")) or ":" in p.parts[0]:
        raise ValueError(f"アーカイブに危険なパスが含まれています: {name!r}")


def extract(archive: str | os.PathLike, dest: str | os.PathLike) -> Path:
    """tar(.gz/.bz2/.xz) または zip を ``dest`` に安全に展開する。展開済みならそのまま返す。"""
    archive, dest = Path(archive), Path(dest)
    marker = dest / ".extracted"
    if marker.exists():
        return dest
    if dest.exists():
        shutil.rmtree(dest)  # 前回の途中状態は捨てる
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                for info in zf.infolist():
                    _check_member(info.filename)
                    if (info.external_attr >> 16) & 0o170000 == 0o120000:
                        raise ValueError(f"アーカイブにシンボリックリンクが含まれています: {info.filename!r}")
                zf.extractall(tmp)
        elif tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tf:
                for member in tf.getmembers():
                    _check_member(member.name)
                    if not (member.isfile() or member.isdir()):
                        raise ValueError(f"アーカイブに通常ファイル以外が含まれています: {member.name!r}")
                tf.extractall(tmp, filter="data")
        else:
            raise ValueError(f"{archive.name} は tar でも zip でもありません。")
        (tmp / ".extracted").write_text(archive.name, encoding="utf-8")
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return dest


def read_sums(path: Path | None = None) -> dict[str, str]:
    """``sha256sum`` 形式のファイル (既定: data/SHA256SUMS) を {相対パス: sha256} にする。"""
    sums = {}
    for line in (path or SUMS_FILE).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split(maxsplit=1)
            sums[name.lstrip("*")] = digest
    return sums


def repo_file(relpath: str) -> Path:
    """``data/`` 以下の同梱ファイルを sha256 を確かめて返す。"""
    path = DATA_DIR / relpath
    expected = read_sums().get(relpath)
    if expected is None:
        raise ChecksumError(f"data/{relpath} は data/SHA256SUMS に登録されていません。")
    if not path.exists():
        raise FileNotFoundError(f"data/{relpath} がありません。scripts/ の生成スクリプトで作り直してください。")
    if sha256sum(path) != expected:
        raise ChecksumError(
            f"data/{relpath} の sha256 が data/SHA256SUMS と一致しません。"
            "scripts/ の生成スクリプトで作り直すか、git で元に戻してください。"
        )
    return path


def tf_flowers() -> Path:
    """tf_flowers をダウンロード・展開し、クラスごとのフォルダが並ぶディレクトリを返す (full モード用)。"""
    archive = download(TF_FLOWERS_URL, TF_FLOWERS_SHA256)
    return extract(archive, cache_dir("datasets") / "tf_flowers") / "flower_photos"
