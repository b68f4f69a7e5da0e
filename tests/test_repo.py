"""リポジトリの約束 (notebooks/README.md) のうち、機械的に確かめられるもの。"""

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
REPO_URL = PROJECT["urls"]["Repository"]  # 公開先の URL はここだけ (scripts/sync_notebooks.py が各所に書く)
GITHUB_PATH = REPO_URL.removeprefix("https://github.com/")


def _sync():
    spec = importlib.util.spec_from_file_location("sync_notebooks", ROOT / "scripts" / "sync_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def test_ci_runs_the_readme_commands():
    """CI は make rehearse (full モードのリハーサル) と make test を実行し、make test が最後。README も同じことを書く。"""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert commands[-1] == "make test" and "make rehearse" in commands
    assert "make test" in README and "make rehearse" in README


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
    assert f"colab.research.google.com/github/{GITHUB_PATH}/blob/main/notebooks/{path.name}" in text(cells[0])
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
    """Colab でリポジトリを取得するセル (最初のコードセル) は全ノートブックで同じで、pyproject の URL を使う。"""
    expected = _sync().colab_cell().rstrip("\n")
    assert f'REPO_URL = "{REPO_URL}"' in expected and 'COURSE_REPO = "dl-day4-labs"' in expected
    assert len(expected.splitlines()) <= 15
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        src = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
        assert src == expected, f"{path.name}: python scripts/sync_notebooks.py で書き直してください"


def test_repository_url_comes_from_pyproject():
    """バッジ・Colab セル・README の URL は pyproject.toml の [project.urls] Repository と一致する。"""
    import utils

    assert utils.COURSE_REPO == PROJECT["name"]
    assert _sync().main(["--check"]) == 0, "python scripts/sync_notebooks.py を実行してください"
    links = re.findall(r"colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/", README)
    assert links and set(links) == {GITHUB_PATH}
    assert "pyproject.toml" in README and "sync_notebooks.py" in README, "README に URL の変え方を書く"


COLAB_RUN = r"""
import sys, types
from IPython.core import interactiveshell

calls = []
interactiveshell.system = lambda cmd: calls.append(("!", cmd)) or 0  # ! の行 ({変数} を展開した後のコマンド)
shell = interactiveshell.InteractiveShell.instance()
shell.register_magic_function(lambda line: calls.append(("%pip", line)), "line", "pip")
if sys.argv[2] == "colab":
    sys.modules["google.colab"] = types.ModuleType("google.colab")
sys.path.insert(0, sys.argv[3])
import utils  # このリポジトリのもの、または別のパッケージの utils
result = shell.run_cell(open(sys.argv[1], encoding="utf-8").read())
print("ERROR:", repr(result.error_in_exec))
print("CALLS:", calls)
print("UTILS_LOADED:", "utils" in sys.modules, "PATH0:", sys.path[0])
"""


@pytest.mark.parametrize("case", ["ours", "other-local", "other-colab"])
def test_colab_cell_detects_this_repository(tmp_path, case):
    """別のパッケージの utils があっても、このリポジトリの utils (COURSE_REPO の印) でなければ取得する。"""
    other = tmp_path / "site"
    (other / "utils").mkdir(parents=True)
    (other / "utils" / "__init__.py").write_text("HELPER = 1\n", encoding="utf-8")
    cell = tmp_path / "cell.py"
    cell.write_text(_sync().colab_cell(), encoding="utf-8")
    script = tmp_path / "run.py"
    script.write_text(COLAB_RUN, encoding="utf-8")
    where = str(ROOT) if case == "ours" else str(other)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TF_CPP_MIN_LOG_LEVEL": "3"}
    argv = [sys.executable, str(script), str(cell), "colab" if case == "other-colab" else "local", where]
    out = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300).stdout
    if case == "ours":  # 何もしない
        assert "ERROR: None" in out and "CALLS: []" in out, out
    elif case == "other-local":  # Colab 以外: 日本語のエラーで止まる
        assert "ModuleNotFoundError" in out and "このリポジトリの utils が見つかりません" in out, out
        assert "CALLS: []" in out
    else:  # Colab: pyproject の URL を取得し、Colab の TensorFlow の版のまま extras を入れ、別の utils を捨てる
        assert "ERROR: None" in out, out
        assert f"git clone -q --depth 1 {REPO_URL} /content/dl-day4-labs" in out, out
        assert """install -q -e "/content/dl-day4-labs[colab]" "tensorflow==2.""" in out, out
        assert "UTILS_LOADED: False PATH0: /content/dl-day4-labs" in out, out
