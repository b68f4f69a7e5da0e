"""リポジトリの約束 (notebooks/README.md) のうち、機械的に確かめられるもの。"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _pins():
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.lower()] = version
    return pins


def test_requirements_are_exact_pins_without_legacy_keras():
    pins = _pins()
    assert all(pins.values()), "requirements.txt はすべて == で固定する"
    assert pins["tensorflow"] == "2.21.0" and pins["keras"].startswith("3.")
    for banned in ("tf-keras", "tf_keras", "tensorflow-cpu", "tensorflow-model-optimization"):
        assert banned not in pins


def test_dockerfile_uses_the_pinned_tensorflow():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    image = re.search(r"^FROM\s+tensorflow/tensorflow:(\S+)-gpu-jupyter\s*$", dockerfile, re.M)
    assert image, "Dockerfile は公式の TensorFlow GPU Jupyter イメージから作る"
    assert image.group(1) == _pins()["tensorflow"]


def test_dockerfile_lint():
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if hadolint is None:
        pytest.skip("hadolint がありません")
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert commands[-1].strip() == "make test" and "make test" in README


def test_no_legacy_keras_anywhere():
    legacy = re.compile(r"\b(import|from)\s+tf_keras\b|TF_USE_LEGACY_KERAS|tf\.compat\.v1|tensorflow_model_optimization")
    sources = list((ROOT / "utils").rglob("*.py")) + list((ROOT / "scripts").rglob("*.py")) + NOTEBOOKS
    for path in sources:
        assert not legacy.search(path.read_text(encoding="utf-8")), f"{path.name}: Keras 2 / TF1 の API を使わない"


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ にノートブックがありません"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_conventions(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    text = lambda c: "".join(c["source"])  # noqa: E731
    markdown = "\n".join(text(c) for c in cells if c["cell_type"] == "markdown")
    sources = "\n".join(text(c) for c in code)

    assert path.name in README, "README.md のノートブック一覧に載せる"
    assert text(cells[0]).startswith(f"# {path.name[:2]} "), "最初のセルは '# NN 題名'"
    assert f"colab.research.google.com/github/dl-day4/dl-day4-labs/blob/main/notebooks/{path.name}" in text(cells[0])
    for heading in ("学習目標", "レポートの対応", "実行時間", "主張の確認", "確認テスト", "<details>", "試してみよう"):
        assert heading in markdown, f"{heading} がありません"
    params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1 and "MODE = " in text(params[0])
    assert sources.count("utils.setup(") == 1
    assert re.search(r"^assert report\.claim\(", sources, re.M), "主張は assert report.claim(...) で確かめる"
    assert not re.search(r"/work/|/tmp/|/root/|/home/", sources), "絶対パスを書かない"

    counts = [c["execution_count"] for c in code]
    assert all(counts) and counts == list(range(1, len(code) + 1)), "quick で上から 1 回実行して保存する"
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors
    streams = "".join("".join(o.get("text", "")) for c in code for o in c["outputs"])
    assert "[quick モード]" in streams, "保存するのは quick モードの実行結果"
    assert "Traceback" not in streams and "WARNING" not in streams
    assert path.stat().st_size <= 3_000_000


def test_readme_lists_only_existing_notebooks():
    listed = set(re.findall(r"\(notebooks/(\d\d_[\w-]+\.ipynb)\)", README))
    assert listed == {p.name for p in NOTEBOOKS}


def test_colab_cell_is_the_same_everywhere():
    """Colab でリポジトリを取得するセルは全ノートブックで同じ (最初のコードセル)。"""
    first = set()
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        src = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
        assert 'find_spec("utils") is None' in src and "google.colab" in src, path.name
        first.add(src)
    assert len(first) <= 1, "最初のコードセル (Colab 用) がノートブックごとに違います"
