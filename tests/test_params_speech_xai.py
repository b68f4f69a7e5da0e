"""12・13・21 のパラメータの検証 (issue 11): 間違った値は、それを最初に使うセルで ParameterError になる。

ノートブックを「そのパラメータを確かめるセル」までに切り詰めた写しを papermill で実行する (1 ケース 1 カーネル)。
``-m params`` で選べる (EPOCHS = 0 / -1 は tests/test_notebook_params.py が全ノートブックで確かめる)。
"""

import json
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def _code(cell) -> str:
    return "".join(cell["source"])


def _run_until(name, marker, parameters, tmp_path, monkeypatch, mode="quick"):
    """``marker`` を含むコードセルまでを実行し、(エラーの名前, メッセージ, 止まったセルのソース) を返す。"""
    papermill = pytest.importorskip("papermill")
    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    last = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and marker in _code(c))
    nb["cells"] = nb["cells"][: last + 1]
    src, out = tmp_path / name, tmp_path / f"out_{name}"
    src.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("COURSE_MODE", mode)
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    try:
        papermill.execute_notebook(
            str(src), str(out), parameters=parameters, kernel_name="python3", cwd=str(NOTEBOOKS),
            progress_bar=False, log_output=False, execution_timeout=600,
        )  # fmt: skip
    except papermill.PapermillExecutionError as err:
        executed = json.loads(out.read_text(encoding="utf-8"))
        failed = [c for c in executed["cells"] if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
        return err.ename, err.evalue, _code(failed[0])
    pytest.fail(f"{name}: {parameters} でもエラーになりません")


@pytest.mark.params
def test_lab12_silent_audio_stops_where_it_is_loaded(tmp_path, monkeypatch):
    path = tmp_path / "silent.wav"
    sf.write(path, np.zeros(16000, np.float32), 16000)
    ename, evalue, cell = _run_until(
        "12_speech_basics.ipynb", "audio.load_audio(audio_path", {"AUDIO_PATH": str(path)}, tmp_path, monkeypatch
    )
    assert ename == "ParameterError" and "AUDIO_PATH" in evalue and "audio.load_audio(audio_path" in cell


@pytest.mark.params
def test_lab12_missing_audio_stops_in_the_setup_cell(tmp_path, monkeypatch):
    ename, evalue, cell = _run_until(
        "12_speech_basics.ipynb", "utils.setup(", {"AUDIO_PATH": str(tmp_path / "nai.wav")}, tmp_path, monkeypatch
    )
    assert ename == "ParameterError" and "AUDIO_PATH" in evalue and "utils.setup(" in cell


@pytest.mark.params
def test_lab12_full_data_dir_one_folder_too_high_names_the_subfolder(tmp_path, monkeypatch):
    top = tmp_path / "downloads"
    for word in ("down", "go", "left", "no", "right", "stop", "up", "yes"):
        (top / "mini_speech_commands" / word).mkdir(parents=True)
        sf.write(top / "mini_speech_commands" / word / "0a1b2c3d_nohash_0.wav", np.zeros(160, np.float32), 16000)
    ename, evalue, _ = _run_until(
        "12_speech_basics.ipynb", "utils.setup(", {"MODE": "full", "DATA_DIR": str(top)}, tmp_path, monkeypatch, mode="full"
    )
    assert ename == "ParameterError" and "mini_speech_commands" in evalue and "1 つ上" in evalue


@pytest.mark.params
def test_lab13_full_missing_data_dir(tmp_path, monkeypatch):
    ename, evalue, _ = _run_until(
        "13_ctc.ipynb", "utils.setup(", {"MODE": "full", "DATA_DIR": str(tmp_path / "nai")}, tmp_path, monkeypatch, mode="full"
    )
    assert ename == "ParameterError" and "DATA_DIR" in evalue


@pytest.mark.params
@pytest.mark.parametrize("name,value", [("MAX_DIGITS", 2), ("SPEED_PERTURB", 1.5), ("N_TEST", 0)])
def test_lab13_bad_sequence_parameters(name, value, tmp_path, monkeypatch):
    ename, evalue, _ = _run_until("13_ctc.ipynb", "utils.setup(", {name: value}, tmp_path, monkeypatch)
    assert ename == "ParameterError" and name in evalue


@pytest.mark.params
@pytest.mark.parametrize("name,value", [("IMAGE_PATH", "nai.png"), ("N_EXPLAIN", 61), ("IG_STEPS", 0)])
def test_lab21_bad_parameters_stop_in_the_setup_cell(name, value, tmp_path, monkeypatch):
    ename, evalue, cell = _run_until("21_gradcam_lime_shap.ipynb", "utils.setup(", {name: value}, tmp_path, monkeypatch)
    assert ename == "ParameterError" and name in evalue and "utils.setup(" in cell


@pytest.mark.params
@pytest.mark.parametrize("name,value", [("SPEC_SR", 1000), ("N_MELS", 200), ("N_SEEDS", 0)])
def test_lab12_bad_spectrogram_parameters_stop_in_the_setup_cell(name, value, tmp_path, monkeypatch):
    ename, evalue, cell = _run_until("12_speech_basics.ipynb", "utils.setup(", {name: value}, tmp_path, monkeypatch)
    assert ename == "ParameterError" and name in evalue and "utils.setup(" in cell
