import keras
import numpy as np
import pytest

from utils import data, models


@pytest.fixture(autouse=True)
def quick(mode):
    mode("quick")


def test_resnet_backbone_quick_loads_checked_weights():
    pretrained = models.resnet_backbone("imagenet")
    scratch = models.resnet_backbone(None)
    assert pretrained.output_shape == (None, 64)
    assert pretrained.count_params() == scratch.count_params()
    w_pre, w_scr = pretrained.get_layer("stem_conv").kernel.numpy(), scratch.get_layer("stem_conv").kernel.numpy()
    assert not np.allclose(w_pre, w_scr)
    with pytest.raises(ValueError, match="'imagenet' か None"):
        models.resnet_backbone("random")


def test_hub_handle_unknown_names():
    with pytest.raises(ValueError, match="quick モードで使える"):
        models.hub_handle("bit/s-r101x3")


def test_hub_handle_full_mode_is_tfhub_url(mode):
    mode("full")
    assert models.hub_handle("bit/s-r50x1") == "https://tfhub.dev/google/bit/s-r50x1/1"


@pytest.fixture(scope="module")
def handle():
    return models.hub_handle("bit/s-r50x1")


def test_hub_layer_frozen_has_no_trainable_weights(handle):
    layer = models.HubLayer(handle)
    assert layer.weights and not layer.trainable_weights
    out = layer(np.random.rand(2, 32, 32, 3).astype("float32"))
    assert out.shape == (2, 96)


def test_hub_layer_fine_tunes_with_adam(handle):
    """Adam で 1 ステップ学習すると、SavedModel 側の変数と出力が実際に変わる。"""
    layer = models.HubLayer(handle, trainable=True)
    inputs = keras.Input((32, 32, 3))
    model = keras.Model(inputs, keras.layers.Dense(3)(layer(inputs)))
    model.compile(keras.optimizers.Adam(1e-2), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.random.default_rng(0).random((8, 32, 32, 3), dtype=np.float32)
    before_out = layer(x).numpy()
    before_var = layer._module.trainable_variables[0].numpy().copy()
    model.fit(x, np.arange(8) % 3, epochs=1, verbose=0)
    assert not np.allclose(before_var, layer._module.trainable_variables[0].numpy())
    assert not np.allclose(before_out, layer(x).numpy())
    assert all(":" not in v.name for v in layer.weights)


def test_hub_archive_extracted_once(handle):
    archive = data.repo_file(models.QUICK_HUB_ARCHIVES["bit/s-r50x1"])
    assert models.hub_handle("bit/s-r50x1") == handle
    assert archive.exists()
