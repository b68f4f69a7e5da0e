"""06 EfficientNet の代役: ImageNet の EfficientNetB0 (include_top=False) の重みと、TF-Hub の EfficientNet-B0 特徴ベクトル。

- efficientnetb0_notop.h5: 本物 (``keras.applications`` の URL, md5 は keras のソースの ``WEIGHTS_HASHES["b0"][1]``) と同じ
  Keras 2 形式の HDF5。中身は ``EfficientNetB0(weights=None, include_top=False)`` のランダムな重み (構造・名前・形は本物と同じ)。
- TF-Hub の ``tensorflow/efficientnet/b0/feature-vector/1`` (``?tf-hub-format=compressed``: tar.gz の最上位に
  ``./saved_model.pb`` と ``./variables/``): 本物と同じ呼び出し方 — 再利用可能 SavedModel (``variables``,
  ``trainable_variables``, ``__call__``)、入力 images ``[None, None, None, 3]`` float32 (0〜1)、出力 1,280 次元。
  中身は小さなランダムな畳み込み + GAP + 1,280 次元への射影 (EfficientNet の重みではない)。

tf_flowers は ``lab05.py``、MNIST は ``lab03.py`` の代役を使う (同じ URL の代役はモジュール 1 つだけ)。
"""

from __future__ import annotations

import shutil
from pathlib import Path

from standins import common, lab05

EFFNET_B0_NOTOP_URL = "https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5"
EFFNET_HUB_URL = "https://tfhub.dev/tensorflow/efficientnet/b0/feature-vector/1?tf-hub-format=compressed"
FEATURES = 1280  # EfficientNet-B0 の特徴ベクトルの次元


def hub_savedmodel(out: Path) -> Path:
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    net = keras.Sequential(
        [
            keras.Input((None, None, 3)),
            keras.layers.Conv2D(8, 3, strides=4, activation="swish", name="conv"),
            keras.layers.GlobalAveragePooling2D(name="pool"),
            keras.layers.Dense(FEATURES, name="proj"),
        ],
        name="efficientnet_b0_standin",
    )

    class Module(tf.Module):  # TF-Hub の再利用可能 SavedModel の形
        variables = trainable_variables = None

        def __init__(self, model):
            super().__init__()
            self.model = model
            self.variables = list(model.weights)
            self.trainable_variables = list(model.trainable_weights)

        @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])
        def __call__(self, images):
            return self.model(images, training=False)

    folder = out / "efficientnet_b0_feature-vector_1"
    if folder.exists():
        shutil.rmtree(folder)
    tf.saved_model.save(Module(net), str(folder))
    return lab05._tgz_contents(folder, out / "efficientnet_b0_feature-vector_1.tar.gz")


def make(out: Path) -> dict[str, Path]:
    return {
        EFFNET_B0_NOTOP_URL: common.keras_application_weights("EfficientNetB0", out / "efficientnetb0_notop.h5", include_top=False),
        EFFNET_HUB_URL: hub_savedmodel(out),
    }
