import hashlib
import http.server
import io
import json
import os
import tarfile
import threading
import urllib.error
import zipfile
from pathlib import Path

import numpy as np
import pytest

from utils import data, synthetic
from utils.checks import ParameterError


@pytest.fixture
def server(tmp_path):
    """ループバックの HTTP サーバ。/good は完全なファイル、/cut は途中で切れる応答。"""
    payload = np.random.default_rng(0).bytes(300_000)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/status/"):
                self.send_error(int(self.path.split("/")[2]))
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            body = payload if self.path.startswith("/good") else payload[:1000]
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}", payload
    httpd.shutdown()


def test_download_verifies_and_caches(server, tmp_path, mode):
    mode("full")
    url, payload = server
    digest = hashlib.sha256(payload).hexdigest()
    path = data.download(f"{url}/good/file.bin", digest, directory=tmp_path, progress=False)
    assert path.read_bytes() == payload
    mode("quick")  # キャッシュにあれば quick でも通信せずに返す
    assert data.download(f"{url}/good/file.bin", digest, directory=tmp_path) == path


def test_download_wrong_hash_leaves_nothing(server, tmp_path, mode):
    mode("full")
    url, _ = server
    with pytest.raises(data.ChecksumError, match="sha256 が一致しません"):
        data.download(f"{url}/good/x.bin", "0" * 64, directory=tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_download_interrupted_leaves_nothing(server, tmp_path, mode):
    mode("full")
    url, payload = server
    with pytest.raises((data.DownloadError, data.ChecksumError)):
        data.download(f"{url}/cut/x.bin", hashlib.sha256(payload).hexdigest(), directory=tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_download_refused_in_quick_mode(tmp_path, mode):
    mode("quick")
    with pytest.raises(data.OfflineModeError, match="quick モードではダウンロードしません"):
        data.download("https://example.com/big.tgz", "0" * 64, directory=tmp_path)


def _tar(path: Path, members: dict[str, bytes], symlink: str | None = None):
    with tarfile.open(path, "w:gz") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        if symlink:
            info = tarfile.TarInfo("link")
            info.type, info.linkname = tarfile.SYMTYPE, symlink
            tar.addfile(info)
    return path


def test_extract_tar_and_is_idempotent(tmp_path):
    archive = _tar(tmp_path / "ok.tgz", {"top/a.txt": b"a", "top/sub/b.txt": b"b"})
    dest = data.extract(archive, tmp_path / "out")
    assert (dest / "top/sub/b.txt").read_bytes() == b"b"
    (dest / "top/a.txt").write_bytes(b"changed")
    assert data.extract(archive, tmp_path / "out") == dest  # 展開済みなら触らない
    assert (dest / "top/a.txt").read_bytes() == b"changed"


@pytest.mark.parametrize(
    "members,symlink",
    [({"../evil.txt": b"x"}, None), ({"/abs.txt": b"x"}, None), ({"ok.txt": b"x"}, "/etc/passwd")],
)
def test_extract_rejects_unsafe_tar(tmp_path, members, symlink):
    archive = _tar(tmp_path / "bad.tgz", members, symlink)
    with pytest.raises(ValueError):
        data.extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.tgz"]  # 一時ディレクトリも残さない


def test_extract_rejects_zip_slip(tmp_path):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../evil.txt", "x")
    with pytest.raises(ValueError, match="危険なパス"):
        data.extract(archive, tmp_path / "out")


def test_repo_files_match_sha256sums():
    sums = data.read_sums()
    assert sums, "data/SHA256SUMS が空です"
    for rel in sums:
        data.repo_file(rel)
    shipped = {
        p.relative_to(data.DATA_DIR).as_posix()
        for p in data.DATA_DIR.rglob("*")
        if p.is_file() and p.name not in {"SHA256SUMS", "README.md"}
    }
    assert shipped == set(sums), "data/ のファイルと SHA256SUMS の登録が食い違っています"


def test_repo_file_detects_tampering(tmp_path, monkeypatch):
    (tmp_path / "w.bin").write_bytes(b"original")
    (tmp_path / "SHA256SUMS").write_text(f"{hashlib.sha256(b'original').hexdigest()}  w.bin\n")
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    monkeypatch.setattr(data, "SUMS_FILE", tmp_path / "SHA256SUMS")
    assert data.repo_file("w.bin").read_bytes() == b"original"
    (tmp_path / "w.bin").write_bytes(b"tampered")
    with pytest.raises(data.ChecksumError, match="一致しません"):
        data.repo_file("w.bin")
    with pytest.raises(data.ChecksumError, match="登録されていません"):
        data.repo_file("other.bin")


def test_shapes_dataset_ground_truth():
    x, y, boxes = synthetic.shapes_dataset(50, 32, seed=5)
    x2, y2, boxes2 = synthetic.shapes_dataset(50, 32, seed=5)
    assert x.dtype == np.float32 and x.shape == (50, 32, 32, 3) and 0 <= x.min() and x.max() <= 255
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(boxes, boxes2)
    assert np.bincount(y).tolist() == [10] * 5  # クラスは均等
    assert ((boxes[:, :2] >= 0) & (boxes[:, 2:] <= 32) & (boxes[:, 2:] > boxes[:, :2])).all()


def test_tf_flowers_is_not_downloaded_in_quick_mode(mode, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    mode("quick")
    with pytest.raises(data.OfflineModeError, match="full モード"):
        data.tf_flowers()
    assert not any(tmp_path.rglob("*.tgz*"))


# --- download: 引数・通信の失敗・キャッシュ ------------------------------------------------


def test_download_file_url_in_full_mode(tmp_path, mode):
    mode("full")
    src = tmp_path / "src" / "w.bin"
    src.parent.mkdir()
    src.write_bytes(b"weights" * 1000)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "cache"
    path = data.download(src.as_uri(), digest, directory=out, progress=False)
    assert path == out / "w.bin" and path.read_bytes() == src.read_bytes()
    md5 = hashlib.md5(src.read_bytes()).hexdigest()
    assert data.download(src.as_uri(), md5=md5.upper(), filename="m.bin", directory=out, progress=False).is_file()


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"sha256": None}, "どちらも指定されていません.*data.UNPUBLISHED"),
        ({}, "data.UNPUBLISHED"),
        ({"sha256": "0" * 64, "md5": "0" * 32}, "両方"),
        ({"sha256": "abc"}, r"sha256 の値ではありません \(3 文字\)"),
        ({"sha256": "g" * 64}, "16 進数"),
        ({"sha256": "0" * 32}, "64 桁"),
        ({"md5": "0" * 64}, "32 桁"),
        ({"sha256": 123}, "文字列"),
    ],
)
def test_download_hash_arguments_are_validated(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.download("https://example.com/x.bin", directory=tmp_path, **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_cached_file_with_hash_given_with_whitespace_and_uppercase(tmp_path, mode):
    mode("quick")
    (tmp_path / "x.bin").write_bytes(b"cached")
    digest = hashlib.sha256(b"cached").hexdigest()
    messy = "  " + digest[:30].upper() + "\n" + digest[30:] + " \n"
    assert data.download("https://example.com/x.bin", messy, directory=tmp_path) == tmp_path / "x.bin"


def test_corrupt_cache_in_quick_mode_gives_one_message(tmp_path, mode, capsys):
    mode("quick")
    (tmp_path / "x.bin").write_bytes(b"corrupt")
    with pytest.raises(data.OfflineModeError, match="一致しません.*quick モードではダウンロードしないため取り直せません"):
        data.download("https://example.com/x.bin", "0" * 64, directory=tmp_path)
    assert "取り直します" not in capsys.readouterr().out
    assert (tmp_path / "x.bin").read_bytes() == b"corrupt"  # 消さない


def test_corrupt_cache_in_full_mode_is_fetched_again(server, tmp_path, mode, capsys):
    mode("full")
    url, payload = server
    (tmp_path / "x.bin").write_bytes(b"corrupt")
    data.download(f"{url}/good/x.bin", hashlib.sha256(payload).hexdigest(), directory=tmp_path, progress=False)
    assert "取り直します" in capsys.readouterr().out
    assert (tmp_path / "x.bin").read_bytes() == payload


@pytest.mark.parametrize(
    "status,message", [(404, "ファイルがありません"), (403, "拒否"), (503, "サーバ側の一時的な障害"), (500, "時間をおいて")]
)
def test_http_errors_become_download_error(server, tmp_path, mode, status, message):
    mode("full")
    url, _ = server
    with pytest.raises(data.DownloadError, match=rf"{url}/status/{status}/x.bin .*HTTP {status}.*{message}") as e:
        data.download(f"{url}/status/{status}/x.bin", "0" * 64, directory=tmp_path, progress=False)
    assert "DATA_DIR" in str(e.value) and "_PATH" in str(e.value)
    assert isinstance(e.value, RuntimeError) and isinstance(e.value.__cause__, urllib.error.HTTPError)
    assert list(tmp_path.iterdir()) == []


def test_connection_refused_and_timeout(tmp_path, mode, monkeypatch):
    mode("full")
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # 誰も待っていないポート
    with pytest.raises(data.DownloadError, match="接続できません"):
        data.download(f"http://127.0.0.1:{port}/x.bin", "0" * 64, directory=tmp_path, progress=False)

    def timeout(*args, **kwargs):
        raise urllib.error.URLError(TimeoutError("timed out"))

    monkeypatch.setattr(data.urllib.request, "urlopen", timeout)
    with pytest.raises(data.DownloadError, match="タイムアウト"):
        data.download("https://example.com/x.bin", "0" * 64, directory=tmp_path, progress=False)

    def reset(*args, **kwargs):
        raise ConnectionResetError(104, "Connection reset by peer")

    monkeypatch.setattr(data.urllib.request, "urlopen", reset)
    with pytest.raises(data.DownloadError, match="途中で切れました"):
        data.download("https://example.com/x.bin", "0" * 64, directory=tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_unpublished_trusts_on_first_use_and_verifies_later(tmp_path, mode, capsys):
    mode("full")
    src = tmp_path / "w.h5"
    src.write_bytes(b"v1")
    out = tmp_path / "cache"
    path = data.download(src.as_uri(), data.UNPUBLISHED, directory=out, progress=False)
    printed = capsys.readouterr().out
    digest = hashlib.sha256(b"v1").hexdigest()
    assert "公開していない" in printed and digest in printed and "w.h5.sha256" in printed
    assert (out / "w.h5.sha256").read_text().split()[0] == digest
    assert data.download(src.as_uri(), data.UNPUBLISHED, directory=out, progress=False) == path  # 記録と一致
    path.write_bytes(b"tampered")  # キャッシュが壊れた: 取り直すが、公開元も変わっていれば受け入れない
    src.write_bytes(b"v2")
    with pytest.raises(data.ChecksumError, match="記録した値"):
        data.download(src.as_uri(), data.UNPUBLISHED, directory=out, progress=False)


def test_leftover_part_files_are_cleaned(tmp_path, mode):
    mode("quick")
    (tmp_path / "x.bin").write_bytes(b"ok")
    leftover = tmp_path / ".x.bin.abc123.part"
    leftover.write_bytes(b"half")
    other = tmp_path / ".other.part"  # 自分の名前の形でないものは触らない
    other.write_bytes(b"keep")
    data.download("https://example.com/x.bin", hashlib.sha256(b"ok").hexdigest(), directory=tmp_path)
    assert not leftover.exists() and other.exists()


# --- extract: 消さない・確かめてから書く・よくあるアーカイブ ---------------------------------


def test_extract_never_deletes_a_folder_it_did_not_create(tmp_path):
    mydata = tmp_path / "mydata"
    mydata.mkdir()
    (mydata / "notes.txt").write_text("keep")
    (tmp_path / "not_an_archive.txt").write_text("hello")
    with pytest.raises(ValueError):
        data.extract(tmp_path / "not_an_archive.txt", mydata)
    assert (mydata / "notes.txt").read_text() == "keep"
    archive = _tar(tmp_path / "ok.tgz", {"a.txt": b"a"})
    with pytest.raises(data.ExtractError, match="中身を消さないよう展開を中止しました"):
        data.extract(archive, mydata)  # 正しいアーカイブでも、他人のフォルダには展開しない
    assert sorted(p.name for p in mydata.iterdir()) == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (data.extract(archive, empty) / "a.txt").read_bytes() == b"a"  # 空のフォルダは使ってよい


def test_extract_not_an_archive_writes_nothing(tmp_path):
    (tmp_path / "page.html").write_text("<html>404</html>")
    with pytest.raises(data.ExtractError, match="tar でも zip でもありません"):
        data.extract(tmp_path / "page.html", tmp_path / "out")
    (tmp_path / "empty.tgz").write_bytes(b"")
    with pytest.raises(data.ExtractError, match="空のファイル"):
        data.extract(tmp_path / "empty.tgz", tmp_path / "out")
    (tmp_path / "x.7z").write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\0" * 30)
    with pytest.raises(data.ExtractError, match="7z 形式"):
        data.extract(tmp_path / "x.7z", tmp_path / "out")
    with pytest.raises(FileNotFoundError, match="見つかりません"):
        data.extract(tmp_path / "none.zip", tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.tgz", "page.html", "x.7z"]


def test_extract_member_names_from_common_tools(tmp_path):
    # tar -C dir . が作る "." と "./x"、ディレクトリの項目が無いファイル
    archive = tmp_path / "dot.tar"
    with tarfile.open(archive, "w") as tar:
        for name, kind in [(".", tarfile.DIRTYPE), ("./top/", tarfile.DIRTYPE)]:
            info = tarfile.TarInfo(name)
            info.type = kind
            tar.addfile(info)
        for name in ("./top/a.txt", "./noentry/deep/b.txt", "top//c.txt"):
            info = tarfile.TarInfo(name)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
    dest = data.extract(archive, tmp_path / "out")
    files = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert files == [".extracted", "noentry/deep/b.txt", "top/a.txt", "top/c.txt"]


def test_extract_zip_with_dirs_backslashes_and_no_dir_entries(tmp_path):
    archive = tmp_path / "w.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("photos/", "")
        zf.writestr("photos/cat.jpg", b"c")
        zf.writestr("deep/er/dog.jpg", b"d")
        zf.writestr("win\\style.txt", b"w")  # Windows の古いツール
        zf.writestr("./dot.txt", b".")
    dest = data.extract(archive, tmp_path / "out")
    for rel, body in [("photos/cat.jpg", b"c"), ("deep/er/dog.jpg", b"d"), ("win/style.txt", b"w"), ("dot.txt", b".")]:
        assert (dest / rel).read_bytes() == body


def test_extract_rejects_encrypted_corrupt_and_truncated(tmp_path):
    enc = tmp_path / "enc.zip"
    with zipfile.ZipFile(enc, "w") as zf:
        zf.writestr("a.txt", "secret")
    raw = bytearray(enc.read_bytes())
    # 暗号化フラグ (bit 0) をローカルヘッダと中央ディレクトリの両方で立てる
    raw[6] |= 1
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 8] |= 1
    enc.write_bytes(bytes(raw))
    with pytest.raises(data.ExtractError, match="暗号化"):
        data.extract(enc, tmp_path / "out")

    bad = tmp_path / "crc.zip"
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.txt", b"A" * 1000)
    raw = bytearray(bad.read_bytes())
    raw[raw.find(b"AAAA")] = ord("B")  # 中身だけ壊す (CRC が合わない)
    bad.write_bytes(bytes(raw))
    with pytest.raises(data.ExtractError, match="壊れています"):
        data.extract(bad, tmp_path / "out")

    whole = _tar(tmp_path / "whole.tgz", {f"f{i}.bin": np.random.default_rng(i).bytes(50_000) for i in range(4)})
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(data.ExtractError, match="途中で切れているか壊れています"):
        data.extract(cut, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # 一時フォルダも残さない


def test_extract_limits(tmp_path, monkeypatch):
    assert data.MAX_EXTRACT_FILES >= 3670 * 2 and data.MAX_EXTRACT_BYTES >= 2 * 1024**3  # tf_flowers が十分に入る
    archive = _tar(tmp_path / "many.tgz", {f"{i}.txt": b"x" * 10 for i in range(5)})
    monkeypatch.setattr(data, "MAX_EXTRACT_FILES", 4)
    with pytest.raises(data.ExtractError, match="大きすぎます.*5 ファイル.*MAX_EXTRACT_FILES"):
        data.extract(archive, tmp_path / "out")
    monkeypatch.setattr(data, "MAX_EXTRACT_FILES", 100)
    monkeypatch.setattr(data, "MAX_EXTRACT_BYTES", 49)
    with pytest.raises(data.ExtractError, match="大きすぎます"):
        data.extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_extract_marker_records_archive_and_reextracts_a_different_one(tmp_path):
    first = _tar(tmp_path / "v1.tgz", {"data/a.txt": b"one"})
    dest = data.extract(first, tmp_path / "out")
    record = json.loads((dest / ".extracted").read_text())
    assert record["sha256"] == hashlib.sha256(first.read_bytes()).hexdigest() and record["files"] == 1
    second = _tar(tmp_path / "v2.tgz", {"data/b.txt": b"two"})
    assert data.extract(second, tmp_path / "out") == dest
    assert not (dest / "data/a.txt").exists() and (dest / "data/b.txt").read_bytes() == b"two"
    (dest / ".extracted").write_text("v1.tgz")  # 古い形式の印 (sha256 なし) は信じない
    data.extract(second, dest)
    assert json.loads((dest / ".extracted").read_text())["archive"] == "v2.tgz"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "v1.tgz", "v2.tgz"]


def test_extract_cleans_leftovers_of_an_interrupted_run(tmp_path):
    archive = _tar(tmp_path / "ok.tgz", {"a.txt": b"a"})
    partial = tmp_path / ".out.k1l2m3"
    partial.mkdir()
    (partial / ".extracting").write_text("ok.tgz")
    (partial / "half.txt").write_text("half")
    old = tmp_path / ".out.x9y8.old"
    old.mkdir()
    (old / ".extracted").write_text("{}")
    foreign = tmp_path / ".out.mine"  # 印の無い隠しフォルダは自分のものではない: 触らない
    foreign.mkdir()
    (foreign / "keep.txt").write_text("keep")
    data.extract(archive, tmp_path / "out")
    assert not partial.exists() and not old.exists()
    assert (foreign / "keep.txt").read_text() == "keep"


def test_extract_interrupted_midway_leaves_no_dest(tmp_path, monkeypatch):
    archive = _tar(tmp_path / "ok.tgz", {"a.txt": b"a", "b.txt": b"b"})

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(data, "_write", boom)
    with pytest.raises(KeyboardInterrupt):
        data.extract(archive, tmp_path / "out")
    assert sorted(os.listdir(tmp_path)) == ["ok.tgz"]


def test_mnist_quick_uses_digits_and_full_reads_a_given_npz(tmp_path):
    from types import SimpleNamespace

    x_pool, y_pool, x_test, y_test = data.mnist(SimpleNamespace(quick=True), seed=0)
    assert x_pool.shape[1:] == (8, 8, 1) and x_pool.dtype == np.float32 and y_pool.dtype == np.int32
    assert len(x_pool) + len(x_test) == 1797 and 0 <= x_pool.min() and x_pool.max() <= 1

    good = tmp_path / "mnist.npz"
    rng = np.random.default_rng(0)
    np.savez(good, x_train=rng.integers(0, 256, (6, 28, 28), dtype=np.uint8), y_train=np.arange(6, dtype=np.uint8),
             x_test=rng.integers(0, 256, (2, 28, 28), dtype=np.uint8), y_test=np.arange(2, dtype=np.uint8))
    x_pool, y_pool, x_test, y_test = data.mnist(SimpleNamespace(quick=False), good)
    assert x_pool.shape == (6, 28, 28, 1) and x_test.shape == (2, 28, 28, 1) and x_pool.max() <= 1

    bad = tmp_path / "bad.npz"
    np.savez(bad, x_train=np.zeros((1, 28, 28)))
    with pytest.raises(ParameterError, match="MNIST_PATH"):
        data.mnist(SimpleNamespace(quick=False), bad)


def test_hf_files_downloads_each_file_into_the_repo_layout(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    calls = []
    monkeypatch.setattr(data, "download", lambda url, sha256, **kw: calls.append((url, sha256, kw["directory"])))
    folder = data.hf_files("org/model", ["config.json", "assets/tok/merges.txt"], revision="abc", sha256={"config.json": "ab" * 32})
    assert folder == tmp_path / "huggingface" / "org--model" / "abc"
    assert calls == [
        ("https://huggingface.co/org/model/resolve/abc/config.json", "ab" * 32, folder),
        ("https://huggingface.co/org/model/resolve/abc/assets/tok/merges.txt", data.UNPUBLISHED, folder / "assets" / "tok"),
    ]
