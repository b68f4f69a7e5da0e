"""05 ResNet 転移学習の代役: tf_flowers (flower_photos.tgz)。

本物: flower_photos/{daisy,dandelion,roses,sunflowers,tulips}/<Flickr の名前>.jpg (計 3,670 枚, 大きさはまちまち)
と flower_photos/LICENSE.txt。代役は同じ配置で各クラス 4 枚 (大きさは 3 通り)。
"""

from __future__ import annotations

import shutil
from pathlib import Path

from standins import common
from utils import data

CLASSES = ["daisy", "dandelion", "roses", "sunflowers", "tulips"]
PER_CLASS = 4


def make(out: Path) -> dict[str, Path]:
    tree = out / "tree" / "flower_photos"
    if tree.exists():
        shutil.rmtree(tree)
    common.jpeg_class_folders(tree, CLASSES, PER_CLASS, seed=5)
    credits = "\n".join(f"{p.relative_to(tree).as_posix()} CC-BY by stand-in" for p in sorted(tree.glob("*/*.jpg")))
    (tree / "LICENSE.txt").write_text(
        "All images in this archive are licensed under the Creative Commons By-Attribution License, available at:\n"
        "https://creativecommons.org/licenses/by/2.0/\n\n"
        "(リハーサル用の代役: scripts/standins/lab05.py が作った画像です)\n\n" + credits + "\n",
        encoding="utf-8",
    )
    return {data.TF_FLOWERS_URL: common.tgz(tree, out / "flower_photos.tgz")}
