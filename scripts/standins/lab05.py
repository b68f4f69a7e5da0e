"""05 ResNet 転移学習の代役: tf_flowers・ResNet50 の ImageNet 重み・TF-Hub の BiT。

- tf_flowers (flower_photos.tgz): 本物は flower_photos/{daisy,dandelion,roses,sunflowers,tulips}/<Flickr の名前>.jpg
  (計 3,670 枚, 大きさはまちまち) と flower_photos/LICENSE.txt。代役は同じ配置で各クラス 4 枚 (大きさは 3 通り)。
- resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5: 本物と同じ Keras 2 形式の HDF5。中身は
  ``ResNet50(weights=None, include_top=False)`` のランダムな重み (構造・名前・形は本物と同じ)。
- BiT (bit/s-r50x1) の SavedModel (tfhub.dev の ``?tf-hub-format=compressed`` と同じく、tar.gz の最上位に
  ``./saved_model.pb`` と ``./variables/``): 本物と同じ呼び出し方 — 再利用可能 SavedModel (``variables``,
  ``trainable_variables``, ``__call__``)、入力 images ``[None, None, None, 3]`` float32 (0〜1)、出力 2048 次元。
  中身は小さなランダムな畳み込み + GAP + 2048 次元への射影 (BiT の重みではない)。
"""

from __future__ import annotations

import gzip
import shutil
import tarfile
from pathlib import Path

from standins import common
from utils import data, models

CLASSES = ["daisy", "dandelion", "roses", "sunflowers", "tulips"]
PER_CLASS = 4
BIT_FEATURES = 2048  # BiT-S/M-R50x1 の特徴の次元 (R50x3 は 6144)


def flowers(out: Path) -> Path:
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
    return common.tgz(tree, out / "flower_photos.tgz")


def bit_savedmodel(out: Path) -> Path:
    """TF-Hub の BiT (特徴ベクトル版) と同じ呼び出し方の小さな SavedModel を tar.gz にする。"""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    net = keras.Sequential(
        [
            keras.Input((None, None, 3)),
            keras.layers.Conv2D(8, 3, strides=4, activation="relu", name="conv"),
            keras.layers.GroupNormalization(groups=4, name="gn"),  # BiT と同じく GN (バッチに依存しない)
            keras.layers.GlobalAveragePooling2D(name="pool"),
            keras.layers.Dense(BIT_FEATURES, name="proj"),
        ],
        name="bit_standin",
    )

    class Module(tf.Module):  # TF-Hub の再利用可能 SavedModel の形
        variables = trainable_variables = None  # tf.Module の同名プロパティを属性 (保存対象) に置き換える

        def __init__(self, model):
            super().__init__()
            self.model = model
            self.variables = list(model.weights)
            self.trainable_variables = list(model.trainable_weights)

        @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])
        def __call__(self, images):
            return self.model(images, training=False)

    folder = out / "bit_s-r50x1"
    if folder.exists():
        shutil.rmtree(folder)
    tf.saved_model.save(Module(net), str(folder))
    # tfhub.dev の圧縮形式: フォルダ名なしで ./saved_model.pb, ./variables/... が最上位に並ぶ
    return _tgz_contents(folder, out / "bit_s-r50x1.tar.gz")


def _tgz_contents(src: Path, out: Path) -> Path:
    """``src`` の中身を ``./名前`` で tar.gz にする (tfhub.dev の圧縮形式と同じ。時刻 0 で決定的)。"""
    with open(out, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for path in [src, *sorted(src.rglob("*"))]:
                info = tar.gettarinfo(str(path), arcname="./" + path.relative_to(src).as_posix() if path != src else ".")
                info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
                if path.is_file():
                    with open(path, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)
    return out


def make(out: Path) -> dict[str, Path]:
    bit = bit_savedmodel(out)
    return {
        data.TF_FLOWERS_URL: flowers(out),
        models.RESNET50_NOTOP_URL: common.keras_application_weights(
            "ResNet50", out / "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", include_top=False
        ),
        models.TFHUB_URLS["bit/s-r50x1"][0]: bit,
    }
