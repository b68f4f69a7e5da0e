"""E資格シラバスのキーワード → それを教えるノートブックの見出し、の対応表 notebooks/SYLLABUS.md を作る。

キーワードの一覧は ``../shared/syllabus/eshikaku-day4-keywords.csv`` (列: keyword, variants, syllabus_item,
day4_section, source)。day4_section が NN のキーワードは ``notebooks/NN_*.ipynb`` の中で、見出し (## か ###) そのものにキーワードか
別表記 (variants) がある節、無ければ見出しから次の見出しまでの本文 (Markdown とコード) に現れる最初の節へリンクする。
タイトルのセル (# の節: 学習目標と表) と、確認テスト・試してみよう・参考文献の節は「教えている場所」に数えない。

見つからないキーワードは NOT_COVERED に理由があれば「扱わない」として載せ、理由がなければエラーにする
(tests/test_syllabus.py が、表が最新であること・リンク先の見出しと本文を確かめる)。

    python scripts/make_syllabus.py            # notebooks/SYLLABUS.md を書く
    python scripts/make_syllabus.py --check    # 最新でなければ終了コード 1
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
OUT = NOTEBOOKS / "SYLLABUS.md"
CSV_NAME = "eshikaku-day4-keywords.csv"

# 教えている場所に数えない見出し (先頭一致)
SKIP_HEADINGS = ("学習目標", "パラメータ", "確認テスト", "試してみよう", "参考文献")

# Day 4 のどの節も扱わないキーワード (day4_section = none) と、ノートブックが扱わないと決めたもの。理由を書く。
DAY = {
    "WordEmbedding": "Day 3 (word2vec・自然言語処理) で扱う",
    "LSI": "Day 3 (自然言語処理の前処理と単語の表現) の範囲。Day 4 のラボには無い",
    "Word2vec": "Day 3 (word2vec) で扱う",
    "n-gram": "Day 3 (自然言語処理) の範囲。Day 4 のラボには無い",
    "skip gram": "Day 3 (word2vec の skip-gram) で扱う",
    "CBOW": "Day 3 (word2vec の CBOW) で扱う",
    "ネガティブサンプリング": "Day 3 (word2vec の高速化) で扱う",
    "拡散モデル": "講座の Day 1〜4 に節が無い (2024/2026 シラバスの生成モデル)。このリポジトリでも未作成",
    "フローベース生成モデル": "講座の Day 1〜4 に節が無い。このリポジトリでも未作成",
    "オートエンコーダ": "Day 3 (VAE・オートエンコーダ) で扱う",
    "Denoising autoencoder": "Day 3 (オートエンコーダ) の範囲。Day 4 のラボには無い",
    "VAE": "Day 3 (VAE) で扱う",
    "Reparameterization Trick": "Day 3 (VAE の再パラメータ化) で扱う",
    "変分下限": "Day 3 (VAE の変分下限) で扱う",
    "能動学習": "シラバスでオプション (出題対象外)。講座の Day 1〜4 に節が無い",
    "Uncertainty Sampling": "能動学習の手法 (出題対象外)。講座に節が無い",
    "Least Confident": "能動学習の手法 (出題対象外)。講座に節が無い",
    "Representative Sampling": "能動学習の手法 (出題対象外)。講座に節が無い",
}
NOT_COVERED: dict[str, str] = {}


@dataclass
class Section:
    notebook: str
    heading: str
    level: int
    text: str

    @property
    def anchor(self) -> str:
        return anchor(self.heading)


def anchor(heading: str) -> str:
    """Jupyter (JupyterLab / nbviewer) と同じ見出しのアンカー: 空白を - に、Markdown の記号は落とす。"""
    text = re.sub(r"[`*_]", "", heading).strip()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"\s+", "-", text)


def find_csv() -> Path:
    env = os.environ.get("COURSE_SYLLABUS_CSV")
    for path in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "syllabus" / CSV_NAME]:
        if path.is_file():
            return path
    raise FileNotFoundError(f"{CSV_NAME} がありません (../shared/syllabus/ か COURSE_SYLLABUS_CSV)。")


def load_keywords(path: Path | None = None) -> list[dict]:
    with open(path or find_csv(), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def sections(nb_path: Path) -> list[Section]:
    """ノートブックを見出しごとの節に分ける (コードセルの本文も、その前の見出しの節に入れる)。"""
    cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
    out: list[Section] = []
    in_fence = False
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] != "markdown":
            if out:
                out[-1].text += "\n" + source
            continue
        for line in source.splitlines():
            if line.lstrip().startswith("```"):
                in_fence = not in_fence
            m = None if in_fence else re.match(r"^(#{1,6})\s+(.+?)\s*#*\s*$", line)
            if m:
                out.append(Section(nb_path.name, m.group(2), len(m.group(1)), ""))
            elif out:
                out[-1].text += "\n" + line
    return out


def variants(row: dict) -> list[str]:
    return [v.strip() for v in [row["keyword"], *row["variants"].split("|")] if v.strip()]


def contains(text: str, variant: str) -> bool:
    """ASCII だけの別表記は単語の境界で (GN が "gn" の一部に当たらないよう)。大文字の略語 (XAI, GAN) は大文字のまま
    (コードの ``xai.`` は数えない)。日本語を含むものは空白を無視した部分一致で (「End-to-End モデル」も当たる)。"""
    if variant.isascii():
        flags = 0 if variant.isupper() else re.IGNORECASE
        pattern = r"(?<![A-Za-z0-9])" + re.escape(variant) + r"(?![A-Za-z0-9])"
        return re.search(pattern, text, flags=flags) is not None
    return re.sub(r"\s+", "", variant).lower() in re.sub(r"\s+", "", text).lower()


def teaching(section: Section) -> bool:
    return section.level >= 2 and not section.heading.strip("* ").startswith(SKIP_HEADINGS)


def locate(row: dict, notebooks: list[Path]) -> Section | None:
    """見出しにキーワード (か別表記) がある節を優先し、無ければ本文に現れる最初の節。"""
    nn = row["day4_section"].strip()
    found = [
        s for nb in sorted(p for p in notebooks if p.name.startswith(f"{nn}_")) for s in sections(nb) if teaching(s)
    ]
    for where in (lambda s: s.heading, lambda s: s.heading + "\n" + s.text):
        for section in found:
            if any(contains(where(section), v) for v in variants(row)):
                return section
    return None


def build(rows: list[dict], notebooks: list[Path]) -> tuple[str, list[str]]:
    """(SYLLABUS.md の本文, 理由の無い未対応キーワード)。"""
    covered, skipped, missing = [], [], []
    for row in rows:
        kw = row["keyword"]
        section = None if row["day4_section"] == "none" else locate(row, notebooks)
        if section:
            covered.append((row, section))
        elif kw in DAY or kw in NOT_COVERED:
            skipped.append((row, DAY.get(kw) or NOT_COVERED[kw]))
        else:
            missing.append(f"{row['day4_section']} {kw}")
    lines = [
        "# E資格シラバス対応表 (深層学習 Day4)",
        "",
        "JDLA E資格のシラバスのキーワードごとに、それを教えているノートブックの見出しへのリンクです。"
        "キーワードの一覧は 2026 年版 (第1.0版) のキーワードを公開の学習ノートから写したもので"
        "(見出しは 2024 年版と同じ。Vision Transformer と RAG は 2026 年版のみ)、公式 PDF の文言とは少し違うことがあります。",
        "項目名の [オプション/出題対象外] はシラバスで出題対象外、[オプション? …] は資料によって扱いが分かれる項目です。",
        "",
        "この表は `python scripts/make_syllabus.py` が作ります (手で編集しない)。"
        "`tests/test_syllabus.py` が、表が最新であること、リンク先の見出しがあり、その節の本文にキーワード"
        "(か別表記) があることを確かめます。",
        "",
        f"**Day 4 の節に対応するキーワード {sum(r['day4_section'] != 'none' for r in rows)} 個のうち、"
        f"ノートブックで教えているもの {len(covered)} 個。** 全 {len(rows)} 個のうち Day 4 の節が扱わないもの "
        f"{len(skipped)} 個は末尾の表に理由とともに載せます。",
        "",
        "| シラバスの項目 | キーワード | 教えている場所 |",
        "|---|---|---|",
    ]
    last_item = None
    for row, sec in sorted(covered, key=lambda t: (t[0]["day4_section"], t[1].notebook)):
        item = row["syllabus_item"].split(" ; ")[0]
        shown = "〃" if item == last_item else item.replace("|", "／")
        last_item = item
        target = sec.anchor.replace("(", "%28").replace(")", "%29")  # Markdown のリンクの括弧と区別する
        link = f"[{sec.notebook.removesuffix('.ipynb')} › {sec.heading.strip('* ')}]({sec.notebook}#{target})"
        lines.append(f"| {shown} | {row['keyword']} | {link} |")
    lines += ["", "## Day 4 のラボで扱わないキーワード", "", "| シラバスの項目 | キーワード | 理由 |", "|---|---|---|"]
    for row, reason in skipped:
        item = row["syllabus_item"].split(" ; ")[0].replace("|", "／")
        lines.append(f"| {item} | {row['keyword']} | {reason} |")
    return "\n".join(lines) + "\n", missing


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="notebooks/SYLLABUS.md が最新か確かめるだけ")
    ap.add_argument("--missing", action="store_true", help="未対応のキーワードを一覧にするだけ")
    args = ap.parse_args(argv)
    text, missing = build(load_keywords(), sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")))
    if args.missing:
        print("\n".join(missing) or "未対応なし")
        return 0
    if missing:
        print("教えている見出しが見つからないキーワード (ノートブックで教えるか、NOT_COVERED に理由を書く):")
        print("\n".join(f"  {m}" for m in missing))
        return 1
    if args.check:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} が最新ではありません → python scripts/make_syllabus.py")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)} を書きました")
    return 0


if __name__ == "__main__":
    sys.exit(main())
