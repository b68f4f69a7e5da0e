"""データの取得と検証: sha256 つきダウンロード、安全な展開、リポジトリ同梱ファイルの検証。

- ``download(url, sha256)``: キャッシュにあれば再利用。無ければ一時ファイルへ落として
  sha256 (または md5) を確かめてから ``os.replace`` で置く (途中で止まっても壊れたファイルが残らない)。
  quick モードでは通信せず、通信の失敗は日本語の ``DownloadError`` にする。
- ``extract(archive, dest)``: 書き込む前にアーカイブ全体を確かめ (絶対パス・``..``・リンク・デバイスファイル・
  暗号化・破損・大きさの上限)、一時ディレクトリに展開してから名前を変える。自分が作っていないものは消さない。
- ``repo_file(relpath)``: ``data/`` の同梱ファイルを ``data/SHA256SUMS`` と照合して返す。
"""

from __future__ import annotations

import errno
import glob
import hashlib
import http.client
import json
import lzma
import os
import shutil
import socket
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np

from . import rehearsal
from .checks import ParameterError
from .config import REPO_ROOT, current_mode, default_cache_dir

DATA_DIR = REPO_ROOT / "data"

# tf_flowers (5 クラス 3,670 枚)。sha256 は TensorFlow Datasets の url_checksums と同じ値
TF_FLOWERS_URL = "https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz"
TF_FLOWERS_SHA256 = "4c54ace7911aaffe13a365c34f650e71dd5bf1be0a58b464e5a7183e3e595d9c"
SUMS_FILE = DATA_DIR / "SHA256SUMS"


class OfflineModeError(RuntimeError):
    """quick モードでダウンロードしようとしたときの例外。"""


class ChecksumError(RuntimeError):
    """sha256 (または md5) が一致しないときの例外。"""


class DownloadError(RuntimeError):
    """ネットワークの失敗 (HTTP 4xx/5xx、接続できない、タイムアウト、切断) でダウンロードできないときの例外。"""


class ExtractError(ValueError):
    """アーカイブを展開できない (壊れている・危険・大きすぎる・展開先に他のファイルがある) ときの例外。"""


class _Unpublished:
    """公開元がハッシュを出していないファイルの印 (``download(url, data.UNPUBLISHED)``)。"""

    def __repr__(self) -> str:
        return "data.UNPUBLISHED"


# 公開元がハッシュを公開していないファイル用: 初回に計算した sha256 を横に記録し、以後はそれで確かめる
UNPUBLISHED = _Unpublished()
TIMEOUT_S = 60  # 応答が止まってからエラーにするまでの秒数
_HASH_LEN = {"sha256": 64, "md5": 32}


def sha256sum(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    return _digest(path, "sha256", chunk)


def _digest(path: str | os.PathLike, algorithm: str, chunk: int = 1 << 20) -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def cache_dir(*parts: str) -> Path:
    path = default_cache_dir().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _normalise_hash(algorithm: str, value) -> str:
    """前後・途中の空白を除き小文字にして、長さと 16 進数であることを確かめる。"""
    n = _HASH_LEN[algorithm]
    if not isinstance(value, str):
        raise ParameterError(
            f"{algorithm} = {value!r} は使えません。{n} 桁の 16 進数の文字列を指定してください。"
        )
    digest = "".join(value.split()).lower()
    if len(digest) != n or any(c not in "0123456789abcdef" for c in digest):
        raise ParameterError(
            f"{algorithm} = {value!r} は {algorithm} の値ではありません ({len(digest)} 文字)。"
            f"{n} 桁の 16 進数 (0-9, a-f) を指定してください (公開元の値をそのまま貼ってください)。"
        )
    return digest


def _expected_hash(sha256, md5) -> tuple[str, str | None]:
    """(アルゴリズム, 期待値) を返す。期待値 None は ``UNPUBLISHED`` (初回に記録する)。"""
    if sha256 is UNPUBLISHED and md5 is None:
        return "sha256", None
    if (sha256 is None) == (md5 is None):
        given = "両方が指定されています" if sha256 is not None else "どちらも指定されていません"
        raise ParameterError(
            f"download には sha256= か md5= のどちらか 1 つを指定してください ({given})。"
            "公開元がハッシュを出していないファイルは sha256=data.UNPUBLISHED を指定してください "
            "(初回に計算した値を記録し、以後はその値で確かめます)。"
        )
    return ("sha256", _normalise_hash("sha256", sha256)) if sha256 is not None else ("md5", _normalise_hash("md5", md5))


def _network_error(url: str, err: BaseException, dest: Path) -> DownloadError:
    status = ""
    if isinstance(err, urllib.error.HTTPError):
        status = f"HTTP {err.code} {err.reason}"
        if err.code == 404 or err.code == 410:
            why = "ファイルがありません (公開元が移動・削除した可能性があります)"
        elif err.code in (401, 403):
            why = "アクセスが拒否されました"
        elif err.code == 429:
            why = "アクセスが多すぎると断られました。時間をおいて再実行してください"
        elif err.code >= 500:
            why = "サーバ側の一時的な障害です。時間をおいて再実行してください"
        else:
            why = "サーバがエラーを返しました"
    elif isinstance(err, (TimeoutError, socket.timeout)) or "timed out" in str(err):
        status, why = "タイムアウト", f"{TIMEOUT_S} 秒以上応答がありません。接続を確かめて再実行してください"
    elif isinstance(err, urllib.error.URLError):
        status, why = f"接続できません: {err.reason}", "インターネット接続 (と URL) を確かめて再実行してください"
    else:
        status, why = f"通信が途中で切れました: {type(err).__name__}", "再実行してください"
    return DownloadError(
        f"{url} をダウンロードできませんでした ({status})。{why}。"
        f"インターネットに出られない環境では、別の環境で取得したファイルを {dest} に置く (ハッシュを確かめて使います) か、"
        "展開済みのデータをノートブックの parameters セルの *_PATH / DATA_DIR パラメータで指定してください。"
    )


def _clean_parts(directory: Path, name: str) -> None:
    """前回中断したダウンロードの一時ファイル (``.<name>.*.part``、このモジュールが作る名前) を消す。"""
    for leftover in directory.glob(f".{glob.escape(name)}.*.part"):
        if leftover.is_file():
            leftover.unlink(missing_ok=True)


def _trust_on_first_use(url: str, dest: Path, record: Path, digest: str) -> None:
    record.write_text(f"{digest}  {dest.name}\n# {url}\n", encoding="utf-8")
    print(
        f"注意: {dest.name} は公開元がハッシュ (sha256) を公開していないため、確かめずに受け入れました。\n"
        f"  計算した sha256 = {digest}\n"
        f"  この値を {record} に記録し、以後はこの値と一致するかを確かめます。"
        "公開元や別の環境の値と比べたいときはこの sha256 を使ってください。"
    )


def download(
    url: str,
    sha256=None,
    *,
    md5: str | None = None,
    filename: str | None = None,
    directory: str | os.PathLike | None = None,
    progress: bool = True,
) -> Path:
    """``url`` を (キャッシュに無ければ) ダウンロードし、ハッシュを確かめたパスを返す。

    - ``sha256`` か ``md5`` のどちらか 1 つ (16 進数。空白・大文字は無視)。公開元がハッシュを出していない
      ファイルは ``sha256=data.UNPUBLISHED``: 初回に計算した sha256 を表示してファイルの横 (``<名前>.sha256``)
      に記録し、以後はその値で確かめる。
    - 一時ファイル ``.<名前>.*.part`` に落として確かめてから ``os.replace`` で置く (途中で止まっても壊れた
      ファイルは残らず、残った一時ファイルは次の呼び出しで消す)。``file://`` の URL も同じ道を通る。
    - quick モードでは通信しない (キャッシュに正しいファイルがあればそれを返す)。
    - 通信の失敗は ``DownloadError``、ハッシュの不一致は ``ChecksumError`` (どちらも日本語)。
    """
    real_url = url  # 保存名は本物の URL から決める (リハーサルでも同じ名前になる)
    url, sha256, md5 = rehearsal.redirect(url, sha256, md5)  # リハーサル中だけ: 代役の file:// URL とその sha256
    algorithm, expected = _expected_hash(sha256, md5)
    directory = Path(directory).expanduser() if directory else cache_dir("downloads")
    directory.mkdir(parents=True, exist_ok=True)
    name = filename or PurePosixPath(real_url.split("?")[0].split("#")[0]).name
    if not name or name in (".", ".."):
        raise ParameterError(f"URL {url} からファイル名が決まりません。filename= で保存する名前を指定してください。")
    dest = directory / name
    record = dest.with_name(dest.name + ".sha256")
    trusted = False  # UNPUBLISHED で、記録済みの値と比べるとき True
    if expected is None and record.is_file():
        expected, trusted = _normalise_hash("sha256", record.read_text(encoding="utf-8").split()[0]), True
    _clean_parts(directory, dest.name)

    stale = False
    if dest.is_file():
        actual = _digest(dest, algorithm)
        if expected is None:  # UNPUBLISHED で記録が無い: 置いてあるファイルをそのまま受け入れる
            _trust_on_first_use(url, dest, record, actual)
            return dest
        if actual == expected:
            return dest
        stale = True
    if current_mode() == "quick":
        if stale:
            raise OfflineModeError(
                f"キャッシュの {dest} は {algorithm} が一致しません (壊れているか別のファイルです)。"
                "quick モードではダウンロードしないため取り直せません。このファイルを削除して full モード "
                "(MODE='full' または COURSE_MODE=full) で実行するか、正しいファイルを置き直してください。"
            )
        raise OfflineModeError(
            f"quick モードではダウンロードしません ({url})。full モード (MODE='full' または "
            "COURSE_MODE=full) で、インターネットに接続した環境で実行してください。"
        )
    if stale:
        print(f"キャッシュの {dest.name} は {algorithm} が一致しないため取り直します。")

    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=directory)
    tmp = Path(tmp_name)
    h = hashlib.new(algorithm)
    try:
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp:
                total = int(resp.headers.get("Content-Length") or 0) or None
                bar = _progress(total, dest.name, progress)
                while block := resp.read(1 << 20):
                    out.write(block)
                    h.update(block)
                    bar.update(len(block))
                bar.close()
        except (urllib.error.URLError, http.client.HTTPException, OSError) as e:
            if isinstance(e, OSError) and e.errno == errno.ENOSPC:
                raise  # ディスクが一杯 (通信の問題ではない)
            raise _network_error(url, e, dest) from e
        digest = h.hexdigest()
        if expected is not None and digest != expected:
            fix = (
                f"記録した値 ({record}) と違います。公開元がファイルを差し替えたなら、記録を削除して取り直してください。"
                if trusted
                else "ファイルが更新されたか、通信が壊れています。再実行しても同じなら公開元の値を確かめてください。"
            )
            raise ChecksumError(
                f"{url} の {algorithm} が一致しません (期待 {expected[:12]}…, 実際 {digest[:12]}…)。{fix}"
            )
        os.replace(tmp, dest)  # 同じディレクトリ内の rename は原子的
        if expected is None:
            _trust_on_first_use(url, dest, record, digest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _progress(total, desc, enabled):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, disable=not enabled)


# --- 展開 -----------------------------------------------------------------------------

# 展開の上限 (解凍爆弾対策)。tf_flowers (約 230 MB, 3,670 枚)、mini_speech_commands (約 8,000 ファイル)、
# 青空文庫の zip が十分に収まる大きさ。
MAX_EXTRACT_BYTES = 4 * 1024**3
MAX_EXTRACT_FILES = 100_000
MARKER = ".extracted"  # 展開が完了したフォルダの印 (JSON: アーカイブ名と sha256)
_PARTIAL = ".extracting"  # 展開中の一時フォルダの印 (中断して残ったものを見分けるため)


def _member_path(name: str) -> PurePosixPath | None:
    """アーカイブ内の名前を安全な相対パスにする。``.`` や ``./`` だけなら None (展開先そのもの)。"""
    if not name or name.startswith(("/", "\\")) or "\x00" in name or (len(name) > 1 and name[1] == ":"):
        raise ExtractError(f"アーカイブに危険なパスが含まれています: {name!r}")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ExtractError(f"アーカイブに危険なパスが含まれています: {name!r}")
    if parts and parts[0] in (MARKER, _PARTIAL) and len(parts) == 1:
        raise ExtractError(f"アーカイブに展開用の予約名 {parts[0]} が含まれています。")
    return PurePosixPath(*parts) if parts else None


def _plan(archive: Path) -> tuple[str, list[tuple[PurePosixPath, object]], int]:
    """書き込む前にアーカイブ全体を確かめ、(種類, [(パス, メンバ 情報 or None=フォルダ)], 合計バイト) を返す。"""
    with open(archive, "rb") as f:
        head = f.read(8)
    if not head:
        raise ExtractError(f"{archive.name} は空のファイル (0 バイト) です。ダウンロードし直してください。")
    if head.startswith(b"7z\xbc\xaf\x27\x1c") or head.startswith(b"Rar!"):
        kind = "7z" if head.startswith(b"7z") else "rar"
        raise ExtractError(f"{archive.name} は {kind} 形式です。zip か tar.gz に作り直すか、展開してからそのフォルダを指定してください。")
    entries: list[tuple[PurePosixPath, object]] = []
    total = 0
    if zipfile.is_zipfile(archive):
        kind = "zip"
        try:
            with zipfile.ZipFile(archive) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            raise ExtractError(f"{archive.name} は壊れた zip です ({e})。ダウンロードし直してください。") from e
        for info in infos:
            name = info.filename.replace("\\", "/")
            path = _member_path(name)
            if info.flag_bits & 0x1:
                raise ExtractError(f"{archive.name} は暗号化 (パスワードつき) の zip です: {info.filename!r}。"
                                   "パスワードなしの zip を用意してください。")  # fmt: skip
            ftype = (info.external_attr >> 16) & 0o170000
            if ftype == 0o120000:
                raise ExtractError(f"アーカイブにシンボリックリンクが含まれています: {info.filename!r}")
            if ftype not in (0, 0o100000, 0o040000):
                raise ExtractError(f"アーカイブに通常ファイル以外が含まれています: {info.filename!r}")
            if path is None:
                continue
            is_dir = info.is_dir() or name.endswith("/") or ftype == 0o040000
            entries.append((path, None if is_dir else info))
            total += 0 if is_dir else info.file_size
    elif _is_tar(archive):
        kind = "tar"
        try:
            with tarfile.open(archive) as tf:
                members = tf.getmembers()  # 最後まで読む: 途中で切れた tar はここで分かる
        except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError, ValueError) as e:
            raise ExtractError(f"{archive.name} は途中で切れているか壊れています ({e})。ダウンロードし直してください。") from e
        for m in members:
            path = _member_path(m.name)
            if m.issym():
                raise ExtractError(f"アーカイブにシンボリックリンクが含まれています: {m.name!r}")
            if not (m.isfile() or m.isdir() or m.islnk()):
                raise ExtractError(f"アーカイブに通常ファイル以外が含まれています: {m.name!r}")
            if m.islnk():
                _member_path(m.linkname)
            if path is None:
                continue
            entries.append((path, None if m.isdir() else m))
            total += 0 if m.isdir() else m.size
    else:
        raise ExtractError(
            f"{archive.name} は tar でも zip でもありません (対応: .zip, .tar, .tar.gz/.tgz, .tar.bz2, .tar.xz)。"
            "ダウンロードが途中で切れたか、HTML のエラーページを保存した可能性があります。"
        )
    files = {p for p, info in entries if info is not None}
    if len(files) > MAX_EXTRACT_FILES or total > MAX_EXTRACT_BYTES:
        raise ExtractError(
            f"{archive.name} は大きすぎます ({len(files):,} ファイル, 展開後 {total / 1024**3:.1f} GiB。"
            f"上限は {MAX_EXTRACT_FILES:,} ファイル, {MAX_EXTRACT_BYTES / 1024**3:.0f} GiB: "
            "utils.data.MAX_EXTRACT_FILES / MAX_EXTRACT_BYTES)。解凍爆弾か、別のファイルの可能性があります。"
        )
    dirs = {p for p, info in entries if info is None}
    for p in files:
        if p in dirs or any(parent in files for parent in p.parents):
            raise ExtractError(f"アーカイブの {p} がファイルとフォルダの両方として入っています。壊れたアーカイブです。")
    return kind, entries, total


def _is_tar(archive: Path) -> bool:
    try:
        return tarfile.is_tarfile(archive)
    except (OSError, EOFError, zlib.error, lzma.LZMAError, ValueError):
        return True  # 圧縮は読めるが壊れている: _plan の tarfile.open が理由つきで失敗する


def _write(archive: Path, kind: str, entries, root: Path) -> None:
    written = 0
    opener = zipfile.ZipFile(archive) if kind == "zip" else tarfile.open(archive)
    with opener as ar:
        for path, info in entries:
            target = root.joinpath(*path.parts)
            if info is None:
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            src = ar.open(info) if kind == "zip" else ar.extractfile(info)
            with src, open(target, "wb") as out:
                while block := src.read(1 << 20):
                    written += len(block)
                    if written > MAX_EXTRACT_BYTES:
                        raise ExtractError(f"{archive.name} は展開後の大きさが上限 {MAX_EXTRACT_BYTES:,} バイトを超えます。")
                    out.write(block)


def _ours(folder: Path) -> bool:
    return (folder / _PARTIAL).is_file() or (folder / MARKER).is_file()


def _clean_leftovers(dest: Path) -> None:
    """前回中断した展開の一時フォルダ (``.<名前>.*``、中に印があるものだけ) を消す。"""
    if not dest.parent.is_dir():
        return
    for leftover in dest.parent.glob(f".{glob.escape(dest.name)}.*"):
        if leftover.is_dir() and not leftover.is_symlink() and _ours(leftover):
            shutil.rmtree(leftover, ignore_errors=True)


def _read_marker(marker: Path) -> dict:
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
        return record if isinstance(record, dict) else {}
    except (OSError, ValueError):
        return {}


def extract(archive: str | os.PathLike, dest: str | os.PathLike) -> Path:
    """tar(.gz/.bz2/.xz) または zip を ``dest`` に安全に展開し、``dest`` を返す。

    - 自分が作っていないものは消さない: ``dest`` が印 (``.extracted``) の無い空でないフォルダなら展開を断る。
    - 書き込む前にアーカイブ全体を確かめる (危険なパス・リンク・デバイスファイル・暗号化・壊れた/途中で切れた
      アーカイブ・上限 ``MAX_EXTRACT_FILES`` / ``MAX_EXTRACT_BYTES`` を超える大きさ)。
    - 同じディレクトリの一時フォルダ ``.<名前>.*`` に展開してから名前を変える。印にはアーカイブの sha256 を
      記録し、同じアーカイブなら展開し直さない。別のアーカイブの印なら展開し直して、前回の展開 (印のあるフォルダ)
      と入れ替える。中断して残った一時フォルダは次の呼び出しで消す。
    """
    archive, dest = Path(archive).expanduser(), Path(dest).expanduser()
    if not archive.exists():
        raise FileNotFoundError(f"アーカイブが見つかりません: {archive}")
    if not archive.is_file():
        raise ExtractError(f"{archive} はファイルではありません。.zip / .tar.gz などのアーカイブを指定してください。")
    _clean_leftovers(dest)
    digest = sha256sum(archive)
    marker = dest / MARKER
    replace_ours = False
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        raise ExtractError(f"展開先 {dest} はフォルダではありません。別の展開先を指定してください。")
    if marker.is_file():
        if _read_marker(marker).get("sha256") == digest:
            return dest
        replace_ours = True  # 別のアーカイブ (または古い形式の印) の展開: 作り直して入れ替える
    elif dest.exists() and any(dest.iterdir()):
        raise ExtractError(
            f"展開先 {dest} には既にファイルがあり、この関数が展開したフォルダではありません。"
            "中身を消さないよう展開を中止しました。空のフォルダか、まだ無いフォルダを展開先に指定してください。"
        )
    kind, entries, total = _plan(archive)

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    old = None
    try:
        (tmp / _PARTIAL).write_text(archive.name, encoding="utf-8")
        try:
            _write(archive, kind, entries, tmp)
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, KeyError) as e:
            raise ExtractError(f"{archive.name} は壊れています ({e})。ダウンロードし直してください。") from e
        except RuntimeError as e:  # zipfile: 暗号化されたメンバ
            raise ExtractError(f"{archive.name} を展開できません ({e})。") from e
        files = sum(info is not None for _, info in entries)
        record = {"archive": archive.name, "sha256": digest, "files": files, "bytes": total}
        (tmp / MARKER).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        (tmp / _PARTIAL).unlink()
        if dest.exists():
            if replace_ours:  # 前回の展開 (印つき) を脇へどけてから入れ替える
                old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".old", dir=dest.parent))
                old.rmdir()
                os.replace(dest, old)
            else:
                dest.rmdir()  # 空のフォルダ (中身があれば OSError で止まる)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
        if old is not None and old.exists():
            shutil.rmtree(old)
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


def hf_url(repo: str, revision: str, filename: str) -> str:
    """Hugging Face のリポジトリ ``repo`` の ``revision`` (コミットか main) にある 1 ファイルの URL。"""
    return f"https://huggingface.co/{repo}/resolve/{revision}/{filename}"


def hf_files(repo: str, files, *, revision: str = "main", sha256: dict | None = None, progress: bool = True) -> Path:
    """Hugging Face のリポジトリのファイルを ``download`` で取得し、同じ配置のフォルダ (キャッシュの中) を返す。

    ``from_preset("hf://…")`` や ``from_pretrained`` の代わりに使う: 1 ファイルずつ sha256 を確かめ (値が
    ``sha256`` に無いファイルは ``UNPUBLISHED``: 初回の値を記録して以後はそれで確かめる)、リハーサルでは代役が届く。
    """
    folder = cache_dir("huggingface", repo.replace("/", "--"), revision[:12])
    for rel in files:
        expected = (sha256 or {}).get(rel) or UNPUBLISHED
        download(hf_url(repo, revision, rel), expected, directory=folder / PurePosixPath(rel).parent, progress=progress)
    return folder


# MNIST: keras.datasets.mnist.load_data と同じ URL と sha256 (keras/src/datasets/mnist.py の origin と file_hash)
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def mnist(cfg, path=None, seed: int = 0):
    """手書き数字 ``(x_pool, y_pool, x_test, y_test)`` を返す。x は ``(枚数, 高さ, 幅, 1)`` の float32 (0〜1)、y は int32。

    - quick: scikit-learn 同梱の 8×8 digits (1,797 枚) を 3:1 に分ける (ダウンロードしない)
    - full : MNIST 28×28 (60,000 + 10,000 枚)。``path`` (parameters セルの ``MNIST_PATH``) があればそれを読み、
      無ければ sha256 を確かめてダウンロードする
    """
    if cfg.quick:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        digits = load_digits()
        split = train_test_split(digits.images / 16.0, digits.target, test_size=0.25, stratify=digits.target, random_state=seed)
        x_pool, x_test, y_pool, y_test = split
    else:
        with np.load(path or download(MNIST_URL, MNIST_SHA256)) as npz:
            if missing := {"x_train", "y_train", "x_test", "y_test"} - set(npz.files):
                raise ParameterError(
                    f"MNIST_PATH = {str(path)!r} の npz に {sorted(missing)} がありません。"
                    "keras の mnist.npz (x_train, y_train, x_test, y_test) を指定してください (None ならダウンロードします)。"
                )
            x_pool, y_pool = npz["x_train"] / 255.0, npz["y_train"]
            x_test, y_test = npz["x_test"] / 255.0, npz["y_test"]
    x_pool, x_test = (a[..., None].astype("float32") for a in (x_pool, x_test))
    return x_pool, y_pool.astype("int32"), x_test, y_test.astype("int32")


def tf_flowers() -> Path:
    """tf_flowers をダウンロード・展開し、クラスごとのフォルダが並ぶディレクトリを返す (full モード用)。"""
    archive = download(TF_FLOWERS_URL, TF_FLOWERS_SHA256)
    return extract(archive, cache_dir("datasets") / "tf_flowers") / "flower_photos"
