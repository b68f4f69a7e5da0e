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


def test_tile_layout_and_range():
    images = np.stack([np.full((4, 5, 1), v) for v in (-1.0, 0.0, 1.0)])
    grid = gan.tile(images, ncols=2, pad=1)
    assert grid.shape == (2 * 5 + 1, 2 * 6 + 1)
    assert grid[1, 1] == 0.0 and grid[1, 7] == 0.5 and grid[6, 1] == 1.0
    assert grid[0, 0] == 1.0  # 余白は白
    rgb = gan.tile(np.zeros((2, 3, 3, 3)), ncols=3, value_range=(0, 1))
    assert rgb.shape == (5, 13, 3)
