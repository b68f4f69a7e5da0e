"""事前学習済みの重みとモデルの取得 (配管だけ。モデルの定義はノートブックに書く)。

- ``quick_resnet_weights()``: quick モードの「事前学習済み」小型 ResNet の重み (repo 同梱, sha256 確認)。
  構造は 05 のノートブックのセル (タグ ``resnet-blocks``) の ``build_resnet()``。重みは
  ``scripts/make_quick_weights.py`` が同じセルを実行して作る (``lesson_code`` で読み込む)。
- ``resnet50_imagenet_weights()``: full モードの ResNet50 ImageNet 重み (include_top=False)。
  Keras が公開している URL と md5 で ``data.download`` する (リハーサルでは代役が同じ経路を通る)。
- ``hub_handle("bit/s-r50x1")``: TF-Hub の SavedModel を ``data.download`` → ``data.extract`` して
  ``hub.load`` に渡せるフォルダを返す。tfhub.dev が失敗したら Kaggle Models から取る。
- ``HubLayer(handle)``: TF-Hub の SavedModel を Keras 3 のレイヤとして包む (ファインチューニング可)。
"""

from __future__ import annotations

import json
import os

import keras

from . import data
from .config import REPO_ROOT, current_mode
from .data import cache_dir, extract, repo_file

QUICK_RESNET_WEIGHTS = "weights/mini_resnet_source.weights.h5"
QUICK_HUB_ARCHIVES = {"bit/s-r50x1": "weights/mini_bit_savedmodel.tar.gz"}
QUICK_IMAGE_SIZE = 32
LESSON_NOTEBOOK = REPO_ROOT / "notebooks" / "05_resnet_transfer_learning.ipynb"

# keras.applications.ResNet50(include_top=False) が使う重み。md5 は Keras が公開している値
# (keras/src/applications/resnet.py の WEIGHTS_HASHES["resnet50"][1])
RESNET50_NOTOP_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
    "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
)
RESNET50_NOTOP_MD5 = "4d473c1dd8becc155b73f8504c6f6626"

# TF-Hub のモデル: tfhub.dev (Kaggle へ転送される) と Kaggle Models の 2 経路。どちらも
# ?tf-hub-format=compressed で SavedModel の tar.gz が返る。配布元は sha256 を公開していない。
_HUB_MODELS = {"bit/s-r50x1": "s-r50x1", "bit/s-r50x3": "s-r50x3", "bit/m-r50x1": "m-r50x1"}
TFHUB_URLS = {
    name: [
        f"https://tfhub.dev/google/bit/{variant}/1?tf-hub-format=compressed",
        f"https://www.kaggle.com/models/google/bit/TensorFlow2/{variant}/1?tf-hub-format=compressed",
    ]
    for name, variant in _HUB_MODELS.items()
}


def lesson_code(tag: str = "resnet-blocks", notebook=LESSON_NOTEBOOK) -> dict:
    """ノートブックのタグ付きセルを実行し、その名前空間 (定義した関数) を返す。

    quick の重みを作るスクリプトとテストが、ノートブックと同じモデル定義を使うため
    (定義を 2 か所に書かない)。
    """
    cells = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"] if tag in c["metadata"].get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{notebook.name} にタグ {tag!r} のセルがちょうど 1 つ必要です ({len(cells)} 個)。")
    namespace: dict = {"keras": keras, "layers": keras.layers}  # ノートブックの setup セルで import 済みの名前
    exec(compile("".join(cells[0]["source"]), f"{notebook.name}[{tag}]", "exec"), namespace)  # noqa: S102
    return namespace


def quick_resnet_weights():
    """quick モードの事前学習済み重み (合成ソースタスク, ``scripts/make_quick_weights.py``) のパス。"""
    return repo_file(QUICK_RESNET_WEIGHTS)


def resnet50_imagenet_weights():
    """full モード: ResNet50 の ImageNet 重み (include_top=False) をダウンロードしてパスを返す。"""
    return data.download(RESNET50_NOTOP_URL, md5=RESNET50_NOTOP_MD5)


def hub_handle(name: str) -> str:
    """TF-Hub モデル名 → ``hub.load`` に渡せるフォルダ。quick では同梱の小型モデルを展開して返す。"""
    if current_mode() == "quick":
        if name not in QUICK_HUB_ARCHIVES:
            raise ValueError(f"quick モードで使える TF-Hub モデルは {sorted(QUICK_HUB_ARCHIVES)} です (指定: {name})。")
        archive = repo_file(QUICK_HUB_ARCHIVES[name])
        return str(extract(archive, cache_dir("hub") / archive.name.split(".")[0]) / "savedmodel")
    if name not in TFHUB_URLS:
        raise ValueError(f"未登録の TF-Hub モデルです: {name} (登録済み: {sorted(TFHUB_URLS)})")
    errors = []
    for source, url in zip(("tfhub", "kaggle"), TFHUB_URLS[name]):
        filename = f"{name.replace('/', '_')}-{source}.tar.gz"
        try:
            archive = data.download(url, sha256=data.UNPUBLISHED, filename=filename)
        except data.DownloadError as e:  # tfhub.dev → Kaggle の転送で HTTP 403 になることがある
            errors.append(f"  {url}\n    → {e}")
            continue
        return str(extract(archive, cache_dir("hub") / filename.removesuffix(".tar.gz")))
    raise data.DownloadError(
        f"TF-Hub のモデル {name} を取得できませんでした。次の 2 か所を順に試しました:\n"
        + "\n".join(errors)
        + "\nネットワークを確認して再実行するか、別の環境で上の URL から tar.gz を取得し、展開したフォルダを"
        " models.HubLayer に直接渡してください。"
    )


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
