import json

import keras
import numpy as np
import pytest

from utils import data, models


@pytest.fixture(autouse=True)
def quick(mode):
    mode("quick")


@pytest.fixture(scope="module")
def lesson():
    """ノートブック 05 のモデル定義のセル (タグ resnet-blocks)。重みを作るスクリプトも同じものを使う。"""
    return models.lesson_code()


def test_notebook_architecture_matches_committed_weights(lesson):
    """ノートブックの build_resnet() に、scripts/make_quick_weights.py が作った同梱の重みがそのまま読める。"""
    pretrained = lesson["build_resnet"](name="backbone")
    scratch = lesson["build_resnet"](name="backbone")
    pretrained.load_weights(models.quick_resnet_weights())  # 層の名前・形が違えばここで失敗する
    assert pretrained.output_shape == (None, 64)
    assert pretrained.input_shape == (None, models.QUICK_IMAGE_SIZE, models.QUICK_IMAGE_SIZE, 3)
    assert [w.shape for w in pretrained.weights] == [w.shape for w in scratch.weights]
    assert not np.allclose(pretrained.get_layer("stem_conv").kernel.numpy(), scratch.get_layer("stem_conv").kernel.numpy())


def test_weights_script_builds_the_notebook_models():
    """スクリプトはモデルを自分で定義せず、ノートブックのセルから作る (定義は 1 か所)。"""
    source = (data.REPO_ROOT / "scripts" / "make_quick_weights.py").read_text(encoding="utf-8")
    assert "lesson_code()" in source and "models.mini_resnet" not in source
    assert "def build_resnet" not in source and "Conv2D" not in source


def test_blocks_residual_and_plain_differ_only_by_the_shortcut(lesson):
    inputs = keras.Input((8, 8, 16))
    residual = keras.Model(inputs, lesson["basic_block"](inputs, 16, name="r"))
    plain = keras.Model(inputs, lesson["plain_block"](inputs, 16, name="p"))
    assert residual.count_params() == plain.count_params()  # 恒等ショートカットはパラメータを持たない
    assert any(isinstance(layer, keras.layers.Add) for layer in residual.layers)
    assert not any(isinstance(layer, keras.layers.Add) for layer in plain.layers)
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 16)).astype("float32")
    assert residual(x).shape == plain(x).shape == (2, 8, 8, 16)


def test_preact_resnet_builds_like_bit(lesson):
    net = lesson["build_resnet"](widths=(24, 48, 96), block=lesson["preact_block"], name="v2")
    names = [layer.name for layer in net.layers]
    assert "post_bn" in names and "stem_bn" not in names  # v2: stem は畳み込みだけ、最後に BN → ReLU
    assert net.output_shape == (None, 96)


def test_lesson_code_needs_exactly_one_tagged_cell(tmp_path):
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": ["x = 1\n"]}]}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ValueError, match="ちょうど 1 つ"):
        models.lesson_code("resnet-blocks", path)


def test_resnet50_weights_use_keras_url_and_md5(monkeypatch):
    calls = []
    monkeypatch.setattr(data, "download", lambda url, **kw: calls.append((url, kw)) or "w.h5")
    assert models.resnet50_imagenet_weights() == "w.h5"
    url, kw = calls[0]
    assert url.endswith("/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5")
    assert kw == {"md5": "4d473c1dd8becc155b73f8504c6f6626"}


def test_hub_handle_unknown_names():
    with pytest.raises(ValueError, match="quick モードで使える"):
        models.hub_handle("bit/s-r101x3")


def _savedmodel_tgz(tmp_path):
    """tfhub.dev の圧縮形式 (./saved_model.pb が最上位) の tar.gz を、同梱の小型 SavedModel から作る。"""
    import tarfile

    src = models.hub_handle("bit/s-r50x1")  # quick: 同梱 SavedModel の展開先
    out = tmp_path / "hub.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        tar.add(src, arcname=".")
    return out


def test_hub_handle_full_falls_back_to_kaggle(mode, tmp_path, monkeypatch):
    archive = _savedmodel_tgz(tmp_path)
    mode("full")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    tried = []

    def fake_download(url, sha256=None, **kw):
        tried.append(url)
        assert sha256 is data.UNPUBLISHED  # 配布元は sha256 を公開していない: 初回の値を記録して以後確かめる
        if "tfhub.dev" in url:
            raise data.DownloadError("HTTP 403 Forbidden")
        return archive

    monkeypatch.setattr(data, "download", fake_download)
    handle = models.hub_handle("bit/s-r50x1")
    assert tried == models.TFHUB_URLS["bit/s-r50x1"]
    assert "kaggle.com/models/google/bit/TensorFlow2/s-r50x1/1" in tried[1]
    assert (tmp_path / "cache").exists() and handle.startswith(str(tmp_path / "cache"))
    layer = models.HubLayer(handle)
    assert layer(np.zeros((1, 32, 32, 3), "float32")).shape == (1, 96)


def test_hub_handle_full_names_both_sources_when_both_fail(mode, monkeypatch):
    mode("full")

    def fail(url, **kw):
        raise data.DownloadError(f"通信できません: {url}")

    monkeypatch.setattr(data, "download", fail)
    with pytest.raises(data.DownloadError) as err:
        models.hub_handle("bit/s-r50x3")
    message = str(err.value)
    assert "bit/s-r50x3" in message and "2 か所" in message
    assert all(url in message for url in models.TFHUB_URLS["bit/s-r50x3"])


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
