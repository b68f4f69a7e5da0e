"""16 Pix2Pix の代役: pix2pix 版 CMP Facades (facades.tar.gz, TF の pix2pix チュートリアルと同じファイル)。

本物: 最上位の facades/ の下に train/ (1.jpg〜400.jpg)・val/ (100 枚)・test/ (106 枚)。各 JPEG は 256×512 (高さ×幅) の
横並びで、左半分が建物の正面の写真、右半分が同じ場面のラベル地図 (窓・扉・壁などを色で塗り分けたもの)。
代役は同じ配置・大きさで train 8 枚・val 2 枚・test 8 枚 (ノートブックが 8 組を並べて描くため) (長方形の「窓」を並べたラベル地図と、それをぼかして
ノイズを足した「写真」)。
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from PIL import Image

from standins import common

URL = "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz"
COUNTS = {"train": 8, "val": 2, "test": 8}


def pair(rng: np.random.Generator) -> np.ndarray:
    labels = np.zeros((256, 256, 3), np.float32) + np.array([20, 40, 200], np.float32)  # 壁
    for _ in range(rng.integers(6, 14)):  # 窓
        y, x = rng.integers(0, 220, size=2)
        h, w = rng.integers(15, 36, size=2)
        labels[y : y + h, x : x + w] = rng.choice([[0, 120, 255], [255, 80, 0], [200, 200, 0]])
    photo = 0.6 * labels.mean(axis=-1, keepdims=True) + rng.normal(0, 15, labels.shape)
    return np.clip(np.concatenate([photo, labels], axis=1), 0, 255).astype(np.uint8)  # 左 = 写真, 右 = ラベル地図


def make(out: Path) -> dict[str, Path]:
    top = out / "tree" / "facades"
    if top.exists():
        shutil.rmtree(top)
    rng = np.random.default_rng(16)
    for split, n in COUNTS.items():
        (top / split).mkdir(parents=True)
        for i in range(1, n + 1):
            Image.fromarray(pair(rng), "RGB").save(top / split / f"{i}.jpg", "JPEG", quality=90)
    return {URL: common.tgz(top, out / "facades.tar.gz")}
