"""notebooks/SYLLABUS.md (E資格シラバス対応表) が正直であること: 最新で、リンク先の見出しがあり、その節がキーワードを含む。

キーワードの CSV は ../shared/syllabus/ にあり、無い環境ではスキップする (表の形とリンクの検査は CSV なしでも行う)。
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
SYLLABUS = ROOT / "notebooks" / "SYLLABUS.md"

_spec = importlib.util.spec_from_file_location("make_syllabus", ROOT / "scripts" / "make_syllabus.py")
ms = importlib.util.module_from_spec(_spec)
sys.modules["make_syllabus"] = ms  # dataclass が自分のモジュールを探すため
_spec.loader.exec_module(ms)

LINK = re.compile(r"^\| (?P<item>[^|]*) \| (?P<kw>[^|]+) \| \[[^\]]+\]\((?P<nb>[^)#]+)#(?P<anchor>[^)]+)\) \|$")


def _csv_rows():
    try:
        return ms.load_keywords()
    except FileNotFoundError:
        pytest.skip("../shared/syllabus/eshikaku-day4-keywords.csv が無い環境")


def _linked_rows():
    return [m.groupdict() for line in SYLLABUS.read_text(encoding="utf-8").splitlines() if (m := LINK.match(line))]


def test_readme_links_syllabus():
    assert SYLLABUS.is_file()
    assert "notebooks/SYLLABUS.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_link_resolves_to_a_heading_whose_section_teaches_the_keyword():
    rows = _linked_rows()
    assert len(rows) > 100
    variants = {}
    try:
        variants = {r["keyword"]: ms.variants(r) for r in ms.load_keywords()}
    except FileNotFoundError:
        pass
    for row in rows:
        nb = ROOT / "notebooks" / row["nb"]
        assert nb.is_file(), row
        target = unquote(row["anchor"])
        matches = [s for s in ms.sections(nb) if s.anchor == target]
        assert matches, f"{row['nb']} に見出し #{row['anchor']} がありません"
        kw = row["kw"].strip()
        words = variants.get(kw, [kw])
        assert any(ms.contains(s.heading + "\n" + s.text, v) for s in matches for v in words), (
            f"{row['nb']}#{row['anchor']} の節に「{kw}」(別表記 {words}) がありません"
        )


def test_syllabus_is_up_to_date_and_every_keyword_is_covered_or_explained():
    rows = _csv_rows()
    text, missing = ms.build(rows, sorted(ms.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")))
    assert not missing, f"教えている見出しが無いキーワード: {missing}"
    assert SYLLABUS.read_text(encoding="utf-8") == text, "python scripts/make_syllabus.py で作り直してください"
    listed = [line.split(" | ")[1].strip() for line in text.splitlines() if line.startswith("| ") and " | " in line]
    for row in rows:
        assert listed.count(row["keyword"]) == 1, row["keyword"]


@pytest.mark.parametrize(
    ("text", "variant", "expected"),
    [
        ("End-to-End モデルでは", "End-to-Endモデル", True),  # 日本語の別表記は空白を無視
        ("from utils import xai", "XAI", False),  # 大文字の略語はコードの識別子に当たらない
        ("XAI (説明可能 AI)", "XAI", True),
        ("in the window", "IN", False),
        ("Group Normalization (GN)", "GN", True),
        ("self-attention", "Self-Attention", True),  # 略語でない英語は大文字小文字を区別しない
        ("RPNs", "RPN", False),
    ],
)
def test_contains(text, variant, expected):
    assert ms.contains(text, variant) is expected


def test_sections_split_on_headings_and_skip_code_fences(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# タイトル\n\n**学習目標** Triplet loss"),
        nbformat.v4.new_markdown_cell("## 1. 距離学習\n本文\n```\n# コメントは見出しではない\n```"),
        nbformat.v4.new_code_cell("loss = triplet_loss(a, p, n)"),
        nbformat.v4.new_markdown_cell("## 確認テスト\nTriplet loss とは"),
    ]
    path = tmp_path / "18_x.ipynb"
    nbformat.write(nb, path)
    secs = ms.sections(path)
    assert [s.heading for s in secs] == ["タイトル", "1. 距離学習", "確認テスト"]
    assert "triplet_loss" in secs[1].text and secs[1].anchor == "1.-距離学習"
    row = {"keyword": "Triplet loss", "variants": "triplet_loss", "day4_section": "18"}
    assert ms.locate(row, [path]).heading == "1. 距離学習"  # タイトルと確認テストは数えない
    nb.cells.append(nbformat.v4.new_markdown_cell("## 2. Triplet loss を書く\n本文"))
    nbformat.write(nb, path)
    assert ms.locate(row, [path]).heading == "2. Triplet loss を書く"  # 見出しに名前がある節を優先
