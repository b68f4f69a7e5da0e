import hashlib
import http.client
import http.server
import io
import tarfile
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from utils import data, synthetic


@pytest.fixture
def server(tmp_path):
    """ループバックの HTTP サーバ。/good は完全なファイル、/cut は途中で切れる応答。"""
    payload = np.random.default_rng(0).bytes(300_000)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
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
    with pytest.raises((http.client.IncompleteRead, data.ChecksumError)):
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
