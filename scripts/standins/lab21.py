"""21 XAI の代役: VGG16 の ImageNet 重み (全結合の頭つき) と ImageNet のクラス名の表。

本物: keras.applications.vgg16 が取得する vgg16_weights_tf_dim_ordering_tf_kernels.h5 (Keras 2 の HDF5, 約 528 MB)
と、decode_predictions が取得する imagenet_class_index.json ({"0": ["n01440764", "tench"], ...} の 1,000 クラス)。
代役の重みは同じ構造の VGG16 を weights=None で作った乱数の重みを、本物と同じ形式・同じファイル名で保存したもの
(大きさも本物と同じ)。クラス名の表は本物と同じ形で、ノートブックが使う 3 クラス (281, 665, 967) だけ本物の名前にする。
scikit-image の同梱写真はパッケージに入っているので代役は要らない。
"""

from __future__ import annotations

import json
from pathlib import Path

from standins import common
from utils import xai

REAL_NAMES = {281: ("n02123045", "tabby"), 665: ("n03785016", "moped"), 967: ("n07920052", "espresso")}


def make(out: Path) -> dict[str, Path]:
    weights = common.keras_application_weights("VGG16", out / "vgg16_weights_tf_dim_ordering_tf_kernels.h5")
    index = {str(i): list(REAL_NAMES.get(i, (f"n{i:08d}", f"standin_class_{i}"))) for i in range(1000)}
    table = out / "imagenet_class_index.json"
    table.write_text(json.dumps(index), encoding="utf-8")
    return {xai.VGG16_WEIGHTS_URL: weights, xai.IMAGENET_CLASS_INDEX_URL: table}
