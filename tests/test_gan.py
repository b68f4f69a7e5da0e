"""utils.gan (14・15 の GAN の評価の配管) の単体テスト。"""

import numpy as np
import pytest
from scipy import linalg

from utils import gan


def test_frechet_distance_matches_the_closed_form_for_diagonal_gaussians():
    rng = np.random.default_rng(0)
    mu_a, mu_b = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.0])
    sd_a, sd_b = np.array([1.0, 2.0, 0.5]), np.array([2.0, 1.0, 0.5])
    a = rng.normal(mu_a, sd_a, (200_000, 3))
    b = rng.normal(mu_b, sd_b, (200_000, 3))
    expected = ((mu_a - mu_b) ** 2).sum() + ((sd_a - sd_b) ** 2).sum()  # 対角の共分散なら各次元の W2²
    assert gan.frechet_distance(a, b) == pytest.approx(expected, rel=0.02)


def test_frechet_distance_matches_scipy_sqrtm_and_is_zero_for_the_same_set():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(500, 6)) @ rng.normal(size=(6, 6))
    b = rng.normal(size=(400, 6)) @ rng.normal(size=(6, 6)) + 0.5
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    ref = ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca + cb - 2 * linalg.sqrtm(ca @ cb).real)
    assert gan.frechet_distance(a, b) == pytest.approx(ref, rel=1e-6)
    assert abs(gan.frechet_distance(a, a)) < 1e-8
    singular = np.repeat(a[:, :1], 6, axis=1)  # 特異な共分散でも実数・有限
    assert np.isfinite(gan.frechet_distance(singular, b))
    with pytest.raises(ValueError):
        gan.frechet_distance(a, b[:, :5])


def test_class_shares_and_coverage():
    shares, coverage = gan.class_shares([0, 0, 1, 1, 1, 2, 2, 2, 2, 9], 10)
    np.testing.assert_allclose(shares[[0, 1, 2, 9]], [0.2, 0.3, 0.4, 0.1])
    assert shares.sum() == pytest.approx(1.0)
    assert coverage == pytest.approx(0.4)  # 割合 ≥ 0.05 のクラスは 4 つ
    assert gan.class_shares([3] * 10, 10, min_share=0.5)[1] == pytest.approx(0.1)


def test_digit_classifier_pools_down_to_at_most_7x7():
    for size, n_pool, side in ((16, 2, 4), (28, 2, 7), (64, 4, 4)):
        model = gan.digit_classifier(size, n_classes=3)
        pools = [layer for layer in model.layers if type(layer).__name__ == "MaxPooling2D"]
        assert len(pools) == n_pool and tuple(pools[-1].output.shape[1:3]) == (side, side)
        assert model.get_layer("features").output.shape[-1] == 64 and model.output.shape[-1] == 3


def test_feature_classifier_learns_and_uses_the_given_build():
    import keras

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 240)
    x = rng.normal(0, 0.3, (240, 16, 16, 1)).astype("float32")
    x[y == 0, :, :8] += 1.0  # クラス 0 は左半分、クラス 1 は右半分が明るい
    x[y == 1, :, 8:] += 1.0
    keras.utils.set_random_seed(0)
    built = []

    def build():
        built.append(gan.digit_classifier(16, n_classes=2, width=8))
        return built[-1]

    clf = gan.feature_classifier(x[:200], y[:200], x[200:], y[200:], build=build, epochs=3)
    assert clf.model is built[0] and clf.test_accuracy >= 0.9 and 0 <= clf.val_accuracy <= 1
    assert clf.features(x[:5]).shape == (5, 8)
    probs = clf.probabilities(x[200:])
    np.testing.assert_allclose(probs.sum(1), 1, atol=1e-6)
    assert np.mean(probs.argmax(1) == y[200:]) == pytest.approx(clf.test_accuracy)
    default = gan.feature_classifier(x[:64], y[:64], x[200:], y[200:], epochs=1, batch_size=32)
    assert default.model.output.shape[-1] == 2 and default.features(x[:3]).shape == (3, 64)


def test_to_tanh_range_resizes_in_batches():
    x = np.random.default_rng(0).random((10, 8, 8, 1)).astype("float32")
    y = gan.to_tanh_range(x, 16, batch=3)
    assert y.shape == (10, 16, 16, 1) and y.min() >= -1 - 1e-6 and y.max() <= 1 + 1e-6
    np.testing.assert_allclose(gan.to_tanh_range(x, 8), x * 2 - 1, atol=1e-6)  # 同じ大きさなら値の変換だけ
    np.testing.assert_allclose(y, gan.to_tanh_range(x, 16), atol=1e-6)  # バッチの切り方で結果は変わらない
