"""事前学習済みバックボーンの読み込み (quick / full で同じ呼び出し)。

- ``resnet_backbone(weights="imagenet")``
    full : ``keras.applications.ResNet50`` (ImageNet 重み, 2048 次元特徴)
    quick: 小型 ResNet ``mini_resnet`` (合成ソースタスクで事前学習した repo 同梱の重み, 64 次元特徴)
    どちらも入力は 0〜255 の RGB を ``keras.applications.resnet.preprocess_input`` したもの。
- ``HubLayer(handle)``: TF-Hub の SavedModel を Keras 3 のレイヤとして包む (ファインチューニング可)。
- ``hub_handle("bit/s-r50x1")``: full では TF-Hub の URL、quick では repo 同梱の小型 SavedModel を
  キャッシュに展開したパス。
"""

from __future__ import annotations

import os

import keras

from .config import current_mode
from .data import cache_dir, extract, repo_file

QUICK_RESNET_WEIGHTS = "weights/mini_resnet_source.weights.h5"
QUICK_HUB_ARCHIVES = {"bit/s-r50x1": "weights/mini_bit_savedmodel.tar.gz"}
TFHUB_URLS = {
    "bit/s-r50x1": "https://tfhub.dev/google/bit/s-r50x1/1",
    "bit/s-r50x3": "https://tfhub.dev/google/bit/s-r50x3/1",
    "bit/m-r50x1": "https://tfhub.dev/google/bit/m-r50x1/1",
}
QUICK_IMAGE_SIZE = 32


def mini_resnet(widths=(16, 32, 64), input_shape=(QUICK_IMAGE_SIZE, QUICK_IMAGE_SIZE, 3), name="mini_resnet"):
    """quick モード用の小型 ResNet (残差ブロック × 段数, 最後に GAP)。出力は ``widths[-1]`` 次元。"""
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(widths[0], 3, padding="same", use_bias=False, name="stem_conv")(inputs)
    x = keras.layers.BatchNormalization(name="stem_bn")(x)
    x = keras.layers.ReLU()(x)
    for stage, width in enumerate(widths):
        stride = 1 if stage == 0 else 2
        shortcut = x
        y = keras.layers.Conv2D(width, 3, strides=stride, padding="same", use_bias=False, name=f"s{stage}_conv1")(x)
        y = keras.layers.BatchNormalization(name=f"s{stage}_bn1")(y)
        y = keras.layers.ReLU()(y)
        y = keras.layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"s{stage}_conv2")(y)
        y = keras.layers.BatchNormalization(name=f"s{stage}_bn2")(y)
        if stride != 1 or shortcut.shape[-1] != width:  # 形が変わるときは 1x1 畳み込みで揃える
            shortcut = keras.layers.Conv2D(width, 1, strides=stride, use_bias=False, name=f"s{stage}_proj")(shortcut)
            shortcut = keras.layers.BatchNormalization(name=f"s{stage}_proj_bn")(shortcut)
        x = keras.layers.ReLU()(keras.layers.Add()([shortcut, y]))
    outputs = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.Model(inputs, outputs, name=name)


def resnet_backbone(weights: str | None = "imagenet", input_shape=None) -> keras.Model:
    """ResNet バックボーン (``include_top=False, pooling="avg"``) を返す。

    ``weights="imagenet"`` で事前学習済み、``None`` でランダム初期化 (スクラッチ)。
    """
    if weights not in ("imagenet", None):
        raise ValueError("weights は 'imagenet' か None を指定してください。")
    if current_mode() == "quick":
        model = mini_resnet(input_shape=input_shape or (QUICK_IMAGE_SIZE, QUICK_IMAGE_SIZE, 3), name="resnet_backbone")
        if weights:
            model.load_weights(repo_file(QUICK_RESNET_WEIGHTS))
        return model
    return keras.applications.ResNet50(
        include_top=False, weights=weights, input_shape=input_shape or (224, 224, 3), pooling="avg"
    )


def hub_handle(name: str) -> str:
    """TF-Hub モデル名 → ``hub.load`` に渡せるハンドル。quick では同梱の小型モデルを展開して返す。"""
    if current_mode() == "quick":
        if name not in QUICK_HUB_ARCHIVES:
            raise ValueError(f"quick モードで使える TF-Hub モデルは {sorted(QUICK_HUB_ARCHIVES)} です (指定: {name})。")
        archive = repo_file(QUICK_HUB_ARCHIVES[name])
        return str(extract(archive, cache_dir("hub") / archive.name.split(".")[0]) / "savedmodel")
    if name not in TFHUB_URLS:
        raise ValueError(f"未登録の TF-Hub モデルです: {name} (登録済み: {sorted(TFHUB_URLS)})")
    return TFHUB_URLS[name]


class HubLayer(keras.layers.Layer):
    """TF-Hub / SavedModel を包む Keras 3 レイヤ。

    ``hub.KerasLayer`` は Keras 3 のモデルに組み込めない (Keras 2 = tf_keras 専用) ため、
    ``hub.load`` で読んだ変数を Keras の変数として登録し直す。変数の実体は SavedModel の
    ``tf.Variable`` そのものなので、オプティマイザの更新がそのまま SavedModel の計算に反映される。
    ``trainable=False`` で凍結、``True`` でファインチューニング。
    """

    def __init__(self, handle: str, trainable: bool = False, **kwargs):
        # SavedModel は float32 で保存されているので、mixed precision 中も float32 で呼ぶ
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        import tensorflow as tf

        self.handle = handle
        if os.path.isdir(handle):
            # ローカルの SavedModel は hub.load と同じく tf.saved_model.load で読む。tensorflow_hub 0.16.1 は import 時に
            # pkg_resources (setuptools 82 で削除) を使うので、setuptools の無い/新しい環境 (Python 3.13 の venv) では import できない
            self._module = tf.saved_model.load(handle)
        else:
            import tensorflow_hub as hub

            self._module = hub.load(handle)
        trainable_ids = {id(v) for v in self._module.trainable_variables}
        for v in self._module.variables:
            variable = keras.Variable(
                initializer=v,  # tf.Variable を渡すと新しく作らずそのまま包む
                trainable=id(v) in trainable_ids,
                dtype=v.dtype,
                shape=v.shape,
                # ":0" や "/" を含む名前はオプティマイザのスロット変数名に使えない
                name=v.name.split(":")[0].replace("/", "_"),
            )
            self._track_variable(variable)
        self.trainable = trainable
        self.built = True

    def call(self, inputs):
        return self._module(inputs)

    def get_config(self):
        return {**super().get_config(), "handle": self.handle}
