import socket
import threading

import numpy as np
import pytest

import utils
from utils import config


def test_resolve_mode_order(monkeypatch):
    monkeypatch.delenv("COURSE_MODE", raising=False)
    assert config.resolve_mode(None, gpus=0)[0] == "quick"
    assert config.resolve_mode(None, gpus=1)[0] == "full"
    monkeypatch.setenv("COURSE_MODE", "quick")
    assert config.resolve_mode(None, gpus=2) == ("quick", "環境変数 COURSE_MODE で指定")
    assert config.resolve_mode(" FULL ", gpus=0)[0] == "full"  # 引数 (parameters セル) が最優先


def test_resolve_mode_rejects_unknown():
    with pytest.raises(ValueError, match="'quick' か 'full'"):
        config.resolve_mode("fast")


def test_setup_quick_banner_and_pick(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "quick")
    try:
        cfg = utils.setup(seed=3)
    finally:
        config.block_network(False)
    out = capsys.readouterr().out
    assert cfg.quick and cfg.deterministic and not cfg.mixed_precision
    assert "[quick モード]" in out and "COURSE_MODE=full" in out and "seed=3" in out
    assert cfg.pick(quick=1, full=2) == 1
    assert utils.current_config() is cfg


def test_setup_is_reproducible(monkeypatch):
    import keras

    def train_once():
        utils.setup("quick", seed=0, verbose=False)
        x = np.random.rand(64, 8).astype("float32")
        y = (x.sum(1) > 4).astype("int32")
        model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)])
        model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model.fit(x, y, epochs=2, verbose=0).history["loss"]

    try:
        assert train_once() == train_once()
    finally:
        config.block_network(False)


def test_network_blocked_in_quick_but_loopback_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    threading.Thread(target=lambda: server.accept()[0].close(), daemon=True).start()
    config.block_network(True)
    try:
        with pytest.raises(config.NetworkBlockedError, match="quick モード"):
            socket.create_connection(("example.com", 80), timeout=1)
        with pytest.raises(config.NetworkBlockedError):
            socket.socket().connect(("203.0.113.5", 80))
        socket.create_connection(server.getsockname(), timeout=5).close()  # ループバックは通す
    finally:
        config.block_network(False)
        server.close()


@pytest.mark.parametrize("bad", [-1, 2**32, 1.0, "0", True, None, np.float64(3)])
def test_setup_rejects_bad_seed_before_doing_anything(bad, monkeypatch):
    from utils.checks import ParameterError

    monkeypatch.setattr(config, "_current", None)
    with pytest.raises(ParameterError, match=r"SEED \(setup の seed\) = .* は使えません。0 以上 4294967295 以下の整数"):
        utils.setup("quick", seed=bad, verbose=False)
    assert config.current_config() is None


def test_setup_accepts_numpy_seed(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "quick")
    try:
        cfg = utils.setup(seed=np.int64(2**32 - 1), verbose=False)
    finally:
        config.block_network(False)
    assert cfg.seed == 2**32 - 1 and type(cfg.seed) is int
