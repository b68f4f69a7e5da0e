"""ノートブックのパラメータの検証: EPOCHS = 0 / -1 は setup セルで ParameterError になること。

各ノートブックを setup セル (``utils.setup(`` を含むセル) までに切り詰めた写しを papermill で実行する
(1 ケース 1 カーネル、学習のセルは実行しない)。``-m params`` で選べる。
"""

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def _code(cell) -> str:
    return "".join(cell["source"])


def _has_epochs(path: Path) -> bool:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return any(line.split("=")[0].strip() == "EPOCHS" for line in _code(cell).splitlines() if "=" in line)
    return False


CASES = [p.name for p in sorted(NOTEBOOKS.glob("[0-9]*.ipynb")) if _has_epochs(p)]


@pytest.mark.params
@pytest.mark.parametrize("epochs", [0, -1])
@pytest.mark.parametrize("name", CASES)
def test_bad_epochs_stop_in_the_setup_cell(name, epochs, tmp_path, monkeypatch):
    papermill = pytest.importorskip("papermill")
    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    setup = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and "utils.setup(" in _code(c))
    nb["cells"] = nb["cells"][: setup + 1]  # 学習のセルは実行しない (検証が無ければすぐ失敗させる)
    src, out = tmp_path / name, tmp_path / f"out_{name}"
    src.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("COURSE_MODE", "quick")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    try:
        papermill.execute_notebook(
            str(src),
            str(out),
            parameters={"EPOCHS": epochs},
            kernel_name="python3",
            cwd=str(NOTEBOOKS),
            progress_bar=False,
            log_output=False,
            execution_timeout=600,
        )
    except papermill.PapermillExecutionError as err:
        error = err
    else:
        pytest.fail(f"{name}: EPOCHS = {epochs} でも setup セルまでエラーになりません (checks.positive_int で検証してください)")
    assert error.ename == "ParameterError" and "EPOCHS" in error.evalue, (error.ename, error.evalue)
    executed = json.loads(out.read_text(encoding="utf-8"))
    failed = [
        c
        for c in executed["cells"]
        if c["cell_type"] == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", []))
    ]
    assert len(failed) == 1 and "utils.setup(" in _code(failed[0]), "setup セル以外で止まっています"
