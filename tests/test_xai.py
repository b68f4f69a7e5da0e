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


def _functional(seed):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 3))
    h = inputs
    for layer in _layers():
        h = layer(h)
    return keras.Model(inputs, h)


def _keras2_h5(model, path):
    """keras.applications の重みファイルと同じ Keras 2 形式 (layer_names / weight_names の属性) で保存する。"""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    return path


def test_chunked_keras2_h5_loader_matches_load_weights(tmp_path):
    path = _keras2_h5(_functional(0), tmp_path / "weights.h5")
    ours, theirs = _functional(1), _functional(2)
    xai.load_keras2_h5_weights(ours, path, chunk_bytes=64)  # 小さく区切って、区切りの境目も確かめる
    theirs.load_weights(path)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_keras2_h5_loader_works_inside_a_distribution_strategy(tmp_path):
    import tensorflow as tf

    path = _keras2_h5(_functional(0), tmp_path / "weights.h5")
    with tf.distribute.MirroredStrategy(["/cpu:0"]).scope():  # full で GPU が 2 基以上のとき (MirroredVariable)
        ours = _functional(1)
        xai.load_keras2_h5_weights(ours, path, chunk_bytes=64)
    theirs = _functional(2)
    theirs.load_weights(path)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_keras2_h5_loader_rejects_a_different_architecture(tmp_path):
    path = _keras2_h5(_functional(0), tmp_path / "weights.h5")
    inputs = keras.Input((8, 8, 3))
    other = keras.Model(inputs, keras.layers.Dense(5, name="head")(keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3, name="conv")(inputs))))
    with pytest.raises(ValueError, match="形がモデル"):
        xai.load_keras2_h5_weights(other, path)
