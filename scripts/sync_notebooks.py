"""全ノートブックの Colab バッジと最初のコードセル (Colab 用) を、pyproject.toml の URL から書き直す。

リポジトリの URL は pyproject.toml の ``[project.urls] Repository`` の 1 か所だけに書く。公開先を変えたら
そこを直して ``python scripts/sync_notebooks.py`` を実行する (README.md の Colab バッジも書き直す)。
書き換えるのはバッジと最初のコードセルのソースだけで、実行回数や出力はそのまま (再実行は不要)。

    python scripts/sync_notebooks.py           # 書き直す
    python scripts/sync_notebooks.py --check   # 食い違いがあれば一覧を出して終了コード 1 (tests/test_repo.py)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
README = ROOT / "README.md"
CLONE_DIR = "/content/dl-day4-labs"
# Colab バッジのリンク (github.com/<owner>/<name>/blob/<branch>/notebooks/...) の <owner>/<name> 部分
BADGE = re.compile(r"(https://colab\.research\.google\.com/github/)[\w.-]+/[\w.-]+(/blob/)")

# 最初のコードセル (全ノートブックで同じ)。{repo_url} と {marker} だけを埋める。
CELL = """\
# Colab 用: このリポジトリの utils (COURSE_REPO の印つき) が見つからなければ取得し、Colab に無いパッケージを入れる
import importlib.metadata
import importlib.util
import sys

REPO_URL = "{repo_url}"  # pyproject.toml の [project.urls] から scripts/sync_notebooks.py が書く
spec = importlib.util.find_spec("utils")
if not (spec and spec.origin and '{marker}' in open(spec.origin, encoding="utf-8").read()):
    if "google.colab" not in sys.modules:
        raise ModuleNotFoundError(f"このリポジトリの utils が見つかりません (見つかったもの: {{spec and spec.origin}})。リポジトリ直下で make lab から開くか、pip install -e <リポジトリ> を実行してください。")
    !test -d {clone_dir} || git clone -q --depth 1 {{REPO_URL}} {clone_dir}
    %pip install -q -e "{clone_dir}[colab]" "tensorflow=={{importlib.metadata.version('tensorflow')}}"
    sys.path.insert(0, "{clone_dir}")
    for name in [m for m in sys.modules if m.split(".")[0] == "utils"]:
        del sys.modules[name]  # 別のパッケージの utils を読み込み済みなら捨てる
"""


def project() -> tuple[str, str]:
    """(リポジトリの URL, パッケージの印 = pyproject の name)。"""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return meta["urls"]["Repository"].rstrip("/"), meta["name"]


def github_path(repo_url: str) -> str:
    m = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+?)(\.git)?", repo_url)
    if not m:
        raise SystemExit(f"pyproject.toml の Repository は https://github.com/<owner>/<name> にしてください: {repo_url}")
    return m.group(1)


def colab_cell() -> str:
    repo_url, name = project()
    return CELL.format(repo_url=repo_url, marker=f'COURSE_REPO = "{name}"', clone_dir=CLONE_DIR)


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def sync_notebook(path: Path, write: bool = True) -> bool:
    """バッジと最初のコードセルを直す。変わった (または変わるはずの) とき True。"""
    nb = json.loads(path.read_text(encoding="utf-8"))
    gh = github_path(project()[0])
    changed = False
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and BADGE.search(src):
            new = BADGE.sub(rf"\g<1>{gh}\g<2>", src)
            changed |= new != src
            cell["source"] = _lines(new)
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    cell_src = colab_cell().rstrip("\n")
    if "".join(first["source"]) != cell_src:
        first["source"] = _lines(cell_src)
        changed = True
    if changed and write:
        path.write_text(json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return changed


def sync_readme(write: bool = True) -> bool:
    text = README.read_text(encoding="utf-8")
    new = BADGE.sub(rf"\g<1>{github_path(project()[0])}\g<2>", text)
    if new != text and write:
        README.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="書き換えずに、食い違うファイルを表示する")
    args = parser.parse_args(argv)
    stale = [p.name for p in NOTEBOOKS if sync_notebook(p, write=not args.check)]
    if sync_readme(write=not args.check):
        stale.append(README.name)
    print(("食い違い: " if args.check else "書き直した: ") + (", ".join(stale) or "なし") + f" (URL: {project()[0]})")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
