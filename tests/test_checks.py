"""utils.checks: ノートブックのパラメータの検証。おかしな値は名前・値・期待・直し方つきの ParameterError。"""

import types

import numpy as np
import pytest

from utils import checks

QUICK = types.SimpleNamespace(quick=True, full=False)
FULL = types.SimpleNamespace(quick=False, full=True)


def test_positive_int_accepts_ints_and_default():
    assert checks.positive_int("EPOCHS", None, default=10) == 10
    assert checks.positive_int("EPOCHS", 3) == 3
    value = checks.positive_int("EPOCHS", np.int64(7))
    assert value == 7 and type(value) is int


@pytest.mark.parametrize("bad", [0, -1, 2.5, "3", True, False, np.float32(2.0), [3], float("nan")])
def test_positive_int_rejects(bad):
    with pytest.raises(checks.ParameterError, match=r"パラメータ EPOCHS = .* は使えません。1 以上の整数") as e:
        checks.positive_int("EPOCHS", bad, default=10)
    assert "既定値 10" in str(e.value)


def test_positive_int_messages():
    with pytest.raises(checks.ParameterError, match=r"EPOCHS = '3' .*引用符なし"):
        checks.positive_int("EPOCHS", "3")
    with pytest.raises(checks.ParameterError, match="EPOCHS が None"):
        checks.positive_int("EPOCHS", None)
    with pytest.raises(checks.ParameterError, match="100 以下"):
        checks.positive_int("N", 101, maximum=100)
    assert checks.nonneg_int("PATIENCE", 0) == 0
    with pytest.raises(checks.ParameterError, match="0 以上"):
        checks.nonneg_int("PATIENCE", -1)


def test_positive_float():
    assert checks.positive_float("LR", None, default=1e-3) == 1e-3
    assert checks.positive_float("LR", 1) == 1.0 and checks.positive_float("LR", np.float32(0.5)) == 0.5
    for bad in (0, -1e-3, float("nan"), float("inf"), True, "0.1", None):
        with pytest.raises(checks.ParameterError, match="LR"):
            checks.positive_float("LR", bad)
    with pytest.raises(checks.ParameterError, match="以下"):
        checks.positive_float("T", 11.0, maximum=10)


def test_fraction():
    assert checks.fraction("ALPHA", 0.1) == 0.1
    assert checks.fraction("ALPHA", 0, inclusive=True) == 0.0
    for bad in (0, 1, 1.5, -0.1, float("nan"), True, "0.5"):
        with pytest.raises(checks.ParameterError, match="ALPHA"):
            checks.fraction("ALPHA", bad)


def test_choice():
    options = ["bit/s-r50x1", "bit/m-r50x1"]
    assert checks.choice("BIT_MODEL", " bit/m-r50x1 ", options) == "bit/m-r50x1"
    assert checks.choice("BIT_MODEL", None, options, default="bit/s-r50x1") == "bit/s-r50x1"
    with pytest.raises(checks.ParameterError, match=r"'bit/s-r50x1' のことですか"):
        checks.choice("BIT_MODEL", "bit/s-r50", options)
    with pytest.raises(checks.ParameterError, match="どれか"):
        checks.choice("N", True, [1, 2])  # True == 1 だが受け付けない


def _flowers(root, classes=("daisy", "roses"), n=2, ext=".jpg"):
    for c in classes:
        (root / c).mkdir(parents=True)
        for i in range(n):
            (root / c / f"{i}{ext}").write_bytes(b"x")
    return root


def test_data_dir_ok_and_quick_mode_ignores(tmp_path, capsys):
    root = _flowers(tmp_path / "flower_photos", ext=".JPG")  # 拡張子の大文字・小文字は区別しない
    assert checks.data_dir("DATA_DIR", str(root), FULL, pattern="*/*.jpg", min_files=2) == root
    assert checks.data_dir("DATA_DIR", None, FULL, pattern="*/*.jpg") is None
    assert checks.data_dir("DATA_DIR", str(root), QUICK, pattern="*/*.jpg") is None
    assert "quick モードでは使いません" in capsys.readouterr().out


def test_data_dir_one_folder_too_high_or_low(tmp_path):
    root = _flowers(tmp_path / "download" / "flower_photos")
    with pytest.raises(checks.ParameterError, match=r"1 つ上のフォルダ.*flower_photos"):
        checks.data_dir("DATA_DIR", tmp_path / "download", FULL, pattern="*/*.jpg", min_files=2)
    with pytest.raises(checks.ParameterError, match=r"1 つ下のフォルダ"):
        checks.data_dir("DATA_DIR", root / "daisy", FULL, pattern="*/*.jpg", min_files=2)


def test_data_dir_errors(tmp_path):
    with pytest.raises(checks.ParameterError, match=r"DATA_DIR = .*のフォルダがありません.*flower_photos/<クラス名>"):
        checks.data_dir("DATA_DIR", tmp_path / "nope", FULL, pattern="*/*.jpg", layout="flower_photos/<クラス名>/<画像>.jpg")
    (tmp_path / "a.tgz").write_bytes(b"x")
    with pytest.raises(checks.ParameterError, match="ファイルです"):
        checks.data_dir("DATA_DIR", tmp_path / "a.tgz", FULL, pattern="*/*.jpg")
    (tmp_path / "empty").mkdir()
    with pytest.raises(checks.ParameterError, match=r"0 個しかありません \(2 個以上必要\)"):
        checks.data_dir("DATA_DIR", tmp_path / "empty", FULL, pattern="*/*.jpg", min_files=2)
    for bad in (3, True, "  "):
        with pytest.raises(checks.ParameterError, match="DATA_DIR"):
            checks.data_dir("DATA_DIR", bad, FULL)


def test_file(tmp_path):
    assert checks.file("AUDIO_PATH", None) is None
    (tmp_path / "a.WAV").write_bytes(b"RIFF")
    assert checks.file("AUDIO_PATH", str(tmp_path / "a.WAV"), suffixes=(".wav",)) == tmp_path / "a.WAV"
    (tmp_path / "e.wav").write_bytes(b"")
    (tmp_path / "m.mp4").write_bytes(b"x")
    cases = [
        (tmp_path / "none.wav", "ファイルがありません"),
        (tmp_path, "フォルダです"),
        (tmp_path / "e.wav", "空のファイル"),
        (tmp_path / "m.mp4", r"拡張子 \.mp4 は使えません"),
    ]
    for value, message in cases:
        with pytest.raises(checks.ParameterError, match=message):
            checks.file("AUDIO_PATH", value, suffixes=(".wav", ".flac"))


def test_file_quick_mode_ignores(tmp_path, capsys):
    (tmp_path / "mnist.npz").write_bytes(b"x")
    assert checks.file("MNIST_PATH", str(tmp_path / "mnist.npz"), QUICK, suffixes=(".npz",)) is None
    assert "MNIST_PATH" in capsys.readouterr().out
    assert checks.file("MNIST_PATH", str(tmp_path / "mnist.npz"), FULL, suffixes=(".npz",)) == tmp_path / "mnist.npz"
    with pytest.raises(checks.ParameterError, match="ファイルがありません"):
        checks.file("MNIST_PATH", tmp_path / "none.npz", FULL, suffixes=(".npz",))
    assert checks.file("MNIST_PATH", tmp_path / "none.npz", QUICK) is None  # quick では確かめずに使わない


def test_audio_signal():
    sr = 16000
    tone = np.sin(np.arange(sr) / sr * 2 * np.pi * 440).astype(np.float32) * 0.5
    assert checks.audio_signal("AUDIO_PATH", tone, sr) is not None
    with pytest.raises(checks.ParameterError, match=r"0\.100 秒しかありません。0\.5 秒以上"):
        checks.audio_signal("AUDIO_PATH", tone[: sr // 10], sr)
    with pytest.raises(checks.ParameterError, match="ほぼ無音"):
        checks.audio_signal("AUDIO_PATH", np.zeros(sr, np.float32), sr)
    bad = tone.copy()
    bad[5] = np.nan
    with pytest.raises(checks.ParameterError, match="NaN"):
        checks.audio_signal("AUDIO_PATH", bad, sr)
    with pytest.raises(checks.ParameterError, match="空です"):
        checks.audio_signal("AUDIO_PATH", np.zeros(0), sr)


def test_parameter_error_is_a_value_error():
    assert issubclass(checks.ParameterError, ValueError)
