"""04 MobileNet / DenseNet の代役: keras.applications の ImageNet 重み (全結合層つき) 2 つ。

- mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5 (MobileNetV2 1.0-224)
- densenet121_weights_tf_dim_ordering_tf_kernels.h5 (DenseNet121)

本物は Keras 2 形式の HDF5 (``layer_names`` つき)。代役は同じ形式・同じファイル名で、中身は
``MobileNetV2(weights=None)`` / ``DenseNet121(weights=None)`` のランダムな重み (構造・名前・形は本物と同じ)。
ノートブックは本物と同じく ``keras.applications.<名前>(weights=path)`` で読む。
(04_wavenet の full は 13 と同じ Free Spoken Digit Dataset を使うので、代役は scripts/standins/lab13.py。)
"""

from __future__ import annotations

from pathlib import Path

from standins import common

BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"
MOBILENET_V2_URL = BASE + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"
DENSENET121_URL = BASE + "densenet/densenet121_weights_tf_dim_ordering_tf_kernels.h5"


def make(out: Path) -> dict[str, Path]:
    return {
        MOBILENET_V2_URL: common.keras_application_weights("MobileNetV2", out / Path(MOBILENET_V2_URL).name),
        DENSENET121_URL: common.keras_application_weights("DenseNet121", out / Path(DENSENET121_URL).name),
    }
