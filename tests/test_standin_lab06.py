"""06 の代役 (scripts/standins/lab06.py): 本物と同じ URL・ファイル名・呼び出し方。"""

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from standins import lab06  # noqa: E402


def test_efficientnet_standins_load_like_the_real_files(tmp_path):
    import keras
    from keras.src.applications import efficientnet

    from utils import data, models

    made = lab06.make(tmp_path)
    # 本物と同じ URL (keras.applications が取得するもの・TF-Hub の圧縮形式)
    assert lab06.EFFNET_B0_NOTOP_URL == efficientnet.BASE_WEIGHTS_PATH + "efficientnetb0_notop.h5"
    assert set(made) == {lab06.EFFNET_B0_NOTOP_URL, lab06.EFFNET_HUB_URL}
    weights = made[lab06.EFFNET_B0_NOTOP_URL]
    assert weights.name == "efficientnetb0_notop.h5"
    net = keras.applications.EfficientNetB0(include_top=False, weights=str(weights), input_shape=(64, 64, 3), pooling="avg")
    assert net.output_shape == (None, 1280)
    hub_dir = data.extract(made[lab06.EFFNET_HUB_URL], tmp_path / "hub")
    assert (hub_dir / "saved_model.pb").exists()  # tfhub.dev の圧縮形式: 最上位に saved_model.pb
    layer = models.HubLayer(str(hub_dir))
    features = layer(np.random.default_rng(0).uniform(size=(2, 224, 224, 3)).astype("float32"))
    assert tuple(features.shape) == (2, lab06.FEATURES) and layer.trainable_weights == []
