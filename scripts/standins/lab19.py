"""19 MAML の代役: Omniglot の images_background.zip / images_evaluation.zip (github.com/brendenlake/omniglot)。

本物: images_background/<文字体系>/character01/<番号4桁>_01.png ... (30 文字体系・964 文字) と
images_evaluation/<文字体系>/characterNN/... (20 文字体系・659 文字)。各文字は 20 人が書いた 20 枚、
105×105 の 1 ビット PNG (白地 = 1 に黒い線 = 0)。代役は同じ配置・同じ形式で、2 文字体系 × 6 文字 × 20 枚。
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from standins import common

BASE = "https://github.com/brendenlake/omniglot/raw/master/python"
URLS = {split: f"{BASE}/images_{split}.zip" for split in ("background", "evaluation")}
ALPHABETS = {"background": ["Alphabet_of_the_Magi", "Anglo-Saxon_Futhorc"], "evaluation": ["Angelic", "Atemayar_Qelisayer"]}
CHARACTERS, DRAWERS, SIZE = 6, 20, 105


def character(path: Path, strokes: np.ndarray, rng: np.random.Generator) -> None:
    """文字ごとに決まった線 (strokes) を、書き手ごとに少しずらして描いた 1 ビット PNG。"""
    img = Image.new("1", (SIZE, SIZE), 1)
    draw = ImageDraw.Draw(img)
    for line in strokes:
        draw.line([tuple(p) for p in (line + rng.normal(0, 2, line.shape)).tolist()], fill=0, width=3)
    img.save(path)


def make(out: Path) -> dict[str, Path]:
    made = {}
    rng = np.random.default_rng(19)
    for split, alphabets in ALPHABETS.items():
        tree = out / "tree" / f"images_{split}"
        if tree.exists():
            shutil.rmtree(tree)
        for a, alphabet in enumerate(alphabets):
            for c in range(1, CHARACTERS + 1):
                folder = tree / alphabet / f"character{c:02d}"
                folder.mkdir(parents=True)
                strokes = rng.uniform(15, 90, (3, 2, 2))
                first = 100 * (a + 1) + 10 * c
                for d in range(1, DRAWERS + 1):
                    character(folder / f"{first:04d}_{d:02d}.png", strokes, rng)
        made[URLS[split]] = common.zip_dir(tree, out / f"images_{split}.zip")
    return made
