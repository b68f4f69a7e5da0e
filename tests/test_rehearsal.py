"""full モードのリハーサル (utils.rehearsal, scripts/make_standins.py, run_notebooks.py --rehearse)。"""

import importlib.util
import json
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import utils
from utils import config, data, rehearsal, report

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
FIXTURE_NB = FIXTURES / "rehearsal_fixture.ipynb"
SHAPE_ERROR = "expected axis -1 of input shape to have value 64, but received input with shape (2, 2048)"


def _script(name):
    spec = importlib.util.spec_from_file_location(f"_script_{name}", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_standins = _script("make_standins")  # scripts/ を sys.path に入れる (standins.common を import できる)
run_notebooks = _script("run_notebooks")
common = sys.modules.get("standins.common") or importlib.import_module("standins.common")


@pytest.fixture
def rehearse(monkeypatch, tmp_path):
    """リハーサルの環境変数 (キャッシュは tmp_path)。終わったら遮断・dtype ポリシーを元に戻す。"""
    monkeypatch.setenv("COURSE_REHEARSAL", "1")
    monkeypatch.setenv("COURSE_MODE", "full")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setattr(config, "_current", None)
    yield tmp_path
    config.block_network(False)
    keras.mixed_precision.set_global_policy("float32")


def test_active_reads_the_environment(monkeypatch):
    monkeypatch.delenv("COURSE_REHEARSAL", raising=False)
    assert not rehearsal.active()
    for value, expected in (("1", True), ("true", True), ("0", False), ("", False)):
        monkeypatch.setenv("COURSE_REHEARSAL", value)
        assert rehearsal.active() is expected


def test_redirect_is_identity_outside_rehearsal(monkeypatch):
    monkeypatch.delenv("COURSE_REHEARSAL", raising=False)
    assert rehearsal.redirect("https://example.com/a.tgz", "ab" * 32) == ("https://example.com/a.tgz", "ab" * 32, None)
    assert rehearsal.redirect("https://example.com/a.zip", None, "cd" * 16)[2] == "cd" * 16


def test_redirect_without_standin_names_url_and_where_to_add(rehearse):
    with pytest.raises(rehearsal.RehearsalError, match=r"https://example\.com/missing\.zip[\s\S]*scripts/standins/labNN\.py"):
        rehearsal.redirect("https://example.com/missing.zip", "0" * 64)


def test_standins_go_through_download_and_extract(rehearse, capsys):
    """lab05 の代役 (flower_photos.tgz) を作り、本物の URL・本物の sha256 で download → extract する。"""
    modules = make_standins.discover(only="05")
    assert [m.name for m in modules] == ["lab05.py"]
    manifest = make_standins.build(modules)
    entry = manifest["files"][data.TF_FLOWERS_URL]
    assert entry["path"].endswith("/flower_photos.tgz") and len(entry["sha256"]) == 64

    url, sha, md5 = rehearsal.redirect(data.TF_FLOWERS_URL, data.TF_FLOWERS_SHA256)
    assert url.startswith("file://") and url.endswith("/flower_photos.tgz") and sha == entry["sha256"] and md5 is None

    flowers = data.tf_flowers()  # 本物と同じ呼び出し (URL と本物の sha256)
    classes = sorted(p.name for p in flowers.iterdir() if p.is_dir())
    assert classes == ["daisy", "dandelion", "roses", "sunflowers", "tulips"]
    assert all(len(list((flowers / c).glob("*.jpg"))) == 4 for c in classes)
    assert (flowers / "LICENSE.txt").is_file()
    assert str(flowers).startswith(str(rehearse / "cache"))

    make_standins.build(modules)  # ソースが変わっていなければ作り直さない
    assert "lab05: 最新" in capsys.readouterr().out


def test_pick_uses_the_rehearsal_value_only_in_rehearsal(tmp_path):
    quick = config.Config("quick", "", 0, 0, True, False, tmp_path)
    full = config.Config("full", "", 0, 1, False, True, tmp_path)
    dress = config.Config("full", "", 0, 0, True, True, tmp_path, rehearsal=True)
    assert [c.pick(quick=8, full=20, rehearsal=1) for c in (quick, full, dress)] == [8, 20, 1]
    assert dress.pick(quick=8, full=20) == 20  # rehearsal= を省略すると full の値
    assert dress.pick(quick=8, full=20, rehearsal=None) is None


def test_setup_in_rehearsal(rehearse, capsys):
    import socket

    cfg = utils.setup(seed=1)
    out = capsys.readouterr().out
    assert cfg.full and cfg.rehearsal and cfg.deterministic and cfg.mixed_precision and cfg.gpus == 0
    assert keras.mixed_precision.global_policy().name == "mixed_float16"
    assert "[full モード (リハーサル)]" in out and "オフライン" in out and "mixed_float16" in out
    with pytest.raises(config.NetworkBlockedError, match="リハーサルではネットワークに接続しません"):
        socket.create_connection(("example.com", 80), timeout=1)


def test_setup_precision_float32_overrides_mixed(rehearse, capsys):
    cfg = utils.setup(seed=1, precision="float32")
    out = capsys.readouterr().out
    assert cfg.full and cfg.rehearsal and not cfg.mixed_precision
    assert keras.mixed_precision.global_policy().name == "float32" and "mixed_float16" not in out
    with pytest.raises(ValueError, match="precision"):
        utils.setup(seed=1, precision="float16")
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("where", ["MODE", "COURSE_MODE"])
def test_setup_in_rehearsal_refuses_quick(rehearse, monkeypatch, where):
    if where == "COURSE_MODE":
        monkeypatch.setenv("COURSE_MODE", "quick")
    with pytest.raises(ValueError, match=f"リハーサル.*{where}"):
        utils.setup("quick" if where == "MODE" else None, verbose=False)


def test_claim_in_rehearsal_is_computed_but_not_judged(rehearse, capsys):
    utils.setup(verbose=False)
    rep = report.Report("99_rehearsal")
    assert rep.claim("成り立たない主張", 1 > 2) is True
    assert rep.claim("成り立つ主張", 2 > 1) is True
    out = capsys.readouterr().out
    assert "– (リハーサル: 未確認) 成り立たない主張 [計算結果 ✗]" in out
    assert "– (リハーサル: 未確認) 成り立つ主張 [計算結果 ✓]" in out
    saved = json.loads((rehearse / "results" / "99_rehearsal.json").read_text(encoding="utf-8"))
    assert saved["rehearsal"] is True and saved["mode"] == "full"
    assert [(c["ok"], c["computed"], c["rehearsal"]) for c in saved["claims"]] == [(None, False, True), (None, True, True)]


def _rehearse_fixture(out: Path, *params: str) -> tuple[int, dict]:
    argv = ["--rehearse", "--out", str(out), "--standins-dir", str(FIXTURES / "standins"), str(FIXTURE_NB)]
    rc = run_notebooks.main(argv + [f"--param={p}" for p in params])
    return rc, json.loads((out / "results" / "summary.json").read_text(encoding="utf-8"))[0]


def test_rehearsal_catches_a_shape_error_that_quick_misses(tmp_path, monkeypatch):
    """full の分岐だけにある形の誤り: quick は通り、リハーサルは見つける。誤りが無ければリハーサルも通る。"""
    rc, row = _rehearse_fixture(tmp_path / "planted", "PLANT_BUG=True")
    assert rc == 1 and row["status"] == "FAILED" and SHAPE_ERROR in row["log_tail"], row["log_tail"]

    rc, row = _rehearse_fixture(tmp_path / "clean")
    assert rc == 0 and row["status"] == "ok" and row["claims_unchecked"] == row["claims"] == 1, row
    executed = (tmp_path / "clean" / "executed" / FIXTURE_NB.name).read_text(encoding="utf-8")
    assert "float16" in executed and "[full モード (リハーサル)]" in executed

    # quick (誤りを植えたまま): 同じノートブックがカーネル無しで最後まで通る (full の分岐を通らないので)
    monkeypatch.setenv("COURSE_MODE", "quick")
    monkeypatch.delenv("COURSE_REHEARSAL", raising=False)
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path / "quick"))
    monkeypatch.setattr(config, "_current", None)
    cells = [c for c in json.loads(FIXTURE_NB.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    namespace = {}
    try:
        for cell in cells:
            exec("".join(cell["source"]), namespace)
            if "parameters" in cell["metadata"].get("tags", []):
                namespace.update(MODE="quick", PLANT_BUG=True)
    finally:
        config.block_network(False)
    assert namespace["cfg"].quick and tuple(namespace["logits"].shape) == (4, 3)



def test_common_keras_application_weights_load_like_the_real_file(tmp_path):
    """代役の重みファイル (Keras 2 の HDF5, 本物の名前) を本物と同じ keras.applications.X(weights=path) で読める。"""
    kwargs = dict(include_top=False, alpha=0.25, input_shape=(96, 96, 3))
    path = common.keras_application_weights("MobileNet", tmp_path / "mobilenet_2_5_128_tf_no_top.h5", **kwargs)
    loaded = keras.applications.MobileNet(weights=str(path), **kwargs).get_weights()
    keras.utils.set_random_seed(0)  # 代役を作ったときと同じ初期値
    same = keras.applications.MobileNet(weights=None, **kwargs).get_weights()
    keras.utils.set_random_seed(1)
    other = keras.applications.MobileNet(weights=None, **kwargs).get_weights()
    assert all((a == b).all() for a, b in zip(loaded, same, strict=True))
    assert not all((a == b).all() for a, b in zip(loaded, other, strict=True))


def test_common_archives_keep_the_top_folder_and_are_deterministic(tmp_path):
    tree = tmp_path / "src" / "spoken_digits"
    common.jpeg_class_folders(tree, ["a", "b"], 2, seed=1)
    for archive in (common.tgz(tree, tmp_path / "x.tgz"), common.zip_dir(tree, tmp_path / "x.zip")):
        out = data.extract(archive, tmp_path / archive.suffix.strip("."))
        assert len(list(out.glob("spoken_digits/*/*.jpg"))) == 4
    assert common.tgz(tree, tmp_path / "y.tgz").read_bytes() == (tmp_path / "x.tgz").read_bytes()
    arrays = np.load(common.npz(tmp_path / "m.npz", x_train=np.zeros((2, 28, 28), "uint8"), y_train=np.arange(2)))
    assert arrays["x_train"].dtype == np.uint8 and list(arrays) == ["x_train", "y_train"]
