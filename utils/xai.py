"""説明手法 (ラボ 21) の配管: Keras 3 の API の回り道と、SHAP・LIME の出力の抑制だけを置く。

Grad-CAM・Integrated Gradients・シャープレイ値の計算そのものはノートブックに書く。

- ``feature_model(model, layer_name)``: 入力 → (途中の層の出力, モデルの出力) を返す Functional モデル。
  Keras 3 の ``Sequential`` は ``model.inputs`` / ``model.output`` を持たないことがあり
  (``Input`` を付けて作っても、読み込んだ直後でも)、keras-io の Grad-CAM の例の
  ``keras.Model(model.inputs, [layer.output, model.output])`` は「has never been called」で失敗する
  (keras-team/keras-io#1903)。Sequential のときは同じ層 (同じ重み) を新しい ``keras.Input`` に
  つなぎ直して途中の出力を拾う。入力をリスト ``[model.inputs]`` で包むと、Keras 3 は入力の構造が
  合わないという警告を出すので、Functional のときは ``model.input`` をそのまま使う。
- ``vgg16_imagenet(**kwargs)`` / ``imagenet_class_names()``: full モードの VGG16 の ImageNet 重みとクラス名を、
  keras が公開しているハッシュ (md5) を確かめて ``utils.data.download`` で取得する (リハーサルでは代役に差し替わる)。
  重みは ``load_keras2_h5_weights`` で層ごとに少しずつ写す (keras の読み込みより使うメモリが約 0.8 GB 少ない)。
- ``quiet()``: SHAP 0.51 が TF 2 で毎回出す注意書き (動作には影響しない) と、LIME 0.2 が 1 枚ごとに出す
  進捗バー (消す引数が無い) を止める。
"""

from __future__ import annotations

import json
import warnings

# keras.applications.vgg16 / imagenet_utils と同じ URL と file_hash (md5)
VGG16_WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5"
)
VGG16_WEIGHTS_MD5 = "64373286793e3c8b2b4e3219cbf3544b"
IMAGENET_CLASS_INDEX_URL = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
IMAGENET_CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"


def feature_model(model, layer_name: str, input_shape=None):
    """入力 → (``layer_name`` の出力, モデルの出力) を返すモデル。Functional と Sequential の両方に使える。"""
    import keras

    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(f"層 {layer_name!r} はモデル {model.name} にありません。使える層: {', '.join(names)}")
    if isinstance(model, keras.Sequential):
        shape = input_shape or model.layers[0].input.shape[1:]
        inputs = keras.Input(tuple(shape))
        h, feature = inputs, None
        for layer in model.layers:  # 同じ層を順につなぎ直す (重みは共有)
            h = layer(h)
            if layer.name == layer_name:
                feature = h
        return keras.Model(inputs, [feature, h])
    return keras.Model(model.input, [model.get_layer(layer_name).output, model.output])


def quiet() -> None:
    """SHAP の TF2 向けの注意書きと LIME の進捗バーを止める (結果は変わらない)。"""
    warnings.filterwarnings("ignore", message=r"Your TensorFlow version is newer than 2\.4")
    warnings.filterwarnings("ignore", message=r"The structure of `inputs` doesn't match")
    from lime import lime_image

    lime_image.tqdm = lambda rows, **kwargs: rows


def vgg16_imagenet(**kwargs):
    """ImageNet で学習した VGG16 (全結合の頭つき)。重みはハッシュを確かめてキャッシュする。"""
    import keras

    from . import data

    path = data.download(VGG16_WEIGHTS_URL, md5=VGG16_WEIGHTS_MD5)
    # keras.applications.VGG16(weights=path) と同じ重みになるが、keras の読み込みは全結合層 (4 億バイト) を
    # 丸ごと何度も写すので CPU ではメモリが約 0.8 GB 余分に要る。構造だけ作って、重みを少しずつ写す。
    model = keras.applications.VGG16(weights=None, **kwargs)
    load_keras2_h5_weights(model, path)
    return model


def load_keras2_h5_weights(model, path, chunk_bytes: int = 32 * 2**20) -> None:
    """Keras 2 形式の HDF5 の重み (``layer_names`` / ``weight_names`` の属性つき) を、層の名前で対応させて
    ``model`` の変数に写す。大きな重みは先頭の軸で ``chunk_bytes`` ずつ読むので、余分なメモリはその程度で済む。
    ``model.load_weights(path)`` と同じ値になる (tests/test_xai.py)。名前・個数・形が合わなければ止める。
    分散学習の scope の中 (MirroredStrategy) では区切らずに写す (メモリは keras の読み込みと同じ程度)。"""
    import math

    import h5py
    import tensorflow as tf

    def text(name):
        return name.decode("utf-8") if isinstance(name, bytes) else str(name)

    with h5py.File(path, "r") as f:
        stored = {text(name) for name in f.attrs["layer_names"]}
        for layer in (layer for layer in model.layers if layer.weights):
            if layer.name not in stored:
                raise ValueError(f"重みファイル {path} に層 {layer.name!r} がありません (モデル {model.name} と構造が違います)")
            group = f[layer.name]
            names = [text(name) for name in group.attrs["weight_names"]]
            if len(names) != len(layer.weights):
                raise ValueError(f"層 {layer.name!r}: 重みの数がモデル {len(layer.weights)} 個とファイル {len(names)} 個で違います")
            for variable, name in zip(layer.weights, names):
                dataset = group[name]
                if tuple(dataset.shape) != tuple(variable.shape):
                    raise ValueError(f"層 {layer.name!r} の {name}: 形がモデル {tuple(variable.shape)} とファイル {dataset.shape} で違います")
                if dataset.ndim == 0 or dataset.nbytes <= chunk_bytes or tf.distribute.has_strategy():
                    variable.assign(dataset[()])  # 小さい重みと、分散の変数 (MirroredVariable: 一部分には書けない) は丸ごと
                    continue
                rows = max(1, chunk_bytes // (dataset.dtype.itemsize * math.prod(dataset.shape[1:])))
                for start in range(0, dataset.shape[0], rows):  # 先頭の軸を区切って、変数の一部分にだけ書く
                    variable.value[start : start + rows].assign(dataset[start : start + rows])


def imagenet_class_names() -> list[str]:
    """ImageNet の 1,000 クラスの名前 (``decode_predictions`` と同じ表、番号順)。"""
    from . import data

    path = data.download(IMAGENET_CLASS_INDEX_URL, md5=IMAGENET_CLASS_INDEX_MD5)
    index = json.loads(path.read_text(encoding="utf-8"))
    return [index[str(i)][1] for i in range(len(index))]
