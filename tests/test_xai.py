import keras
import numpy as np
import pytest

from utils import xai


def _layers():
    return [
        keras.layers.Conv2D(4, 3, padding="same", name="conv"),
        keras.layers.ReLU(name="relu"),
        keras.layers.GlobalAveragePooling2D(name="gap"),
        keras.layers.Dense(3, name="head"),
    ]


def test_sequential_and_functional_give_the_same_outputs():
    layers = _layers()
    inputs = keras.Input((8, 8, 3))
    h = inputs
    for layer in layers:
        h = layer(h)
    func = keras.Model(inputs, h)  # 同じ層 (同じ重み) で Sequential も作る (Functional が先)
    seq = keras.Sequential([keras.Input((8, 8, 3)), *layers])
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 3)).astype("float32")
    a_feat, a_out = xai.feature_model(seq, "relu")(x)
    b_feat, b_out = xai.feature_model(func, "relu")(x)
    np.testing.assert_allclose(np.asarray(a_feat), np.asarray(b_feat), atol=1e-6)
    np.testing.assert_allclose(np.asarray(a_out), np.asarray(b_out), atol=1e-6)
    assert np.asarray(a_feat).shape == (2, 8, 8, 4)


def test_unknown_layer_is_a_clear_error():
    seq = keras.Sequential([keras.Input((8, 8, 3)), *_layers()])
    with pytest.raises(ValueError, match="使える層"):
        xai.feature_model(seq, "block5_conv3")


def test_the_keras_io_recipe_still_fails_on_sequential():
    """feature_model が回り道をする理由 (keras-io#1903): 直ったらこのテストが知らせる。"""
    seq = keras.Sequential([keras.Input((8, 8, 3)), *_layers()])
    with pytest.raises((AttributeError, ValueError)):
        keras.Model(seq.inputs, [seq.get_layer("relu").output, seq.output])
