"""GAN の評価と表示の配管 (14 DCGAN・15 Conditional GAN で共通)。モデルと損失関数はノートブックに書く。

- ``frechet_distance``: 2 つの特徴量の集合をそれぞれ多変量ガウス分布で近似したときの Fréchet 距離
  (FID と同じ式。特徴抽出器はノートブックで学習した小さな分類器)
- ``class_shares``: 分類器が生成画像に付けたクラスの割合と、モードの被覆率 (一定の割合以上に出るクラスの割合)
- ``tile``: 画像の束を 1 枚の格子画像にする (サンプルの格子を小さな図で描くため)
"""

from __future__ import annotations

import numpy as np


def _sqrt_psd(cov: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(cov)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(features_a, features_b) -> float:
    """``‖μ_a − μ_b‖² + tr(Σ_a + Σ_b − 2 (Σ_a^{1/2} Σ_b Σ_a^{1/2})^{1/2})`` (float64)。

    ``tr((Σ_a Σ_b)^{1/2})`` は対称な ``Σ_a^{1/2} Σ_b Σ_a^{1/2}`` の固有値の平方根の和として求める
    (scipy.linalg.sqrtm と同じ値で、特異な共分散でも複素数にならない)。特徴量は ``(枚数, 次元)``。
    """
    a, b = (np.asarray(f, dtype=np.float64) for f in (features_a, features_b))
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"特徴量は同じ次元の (枚数, 次元) にしてください: {a.shape} と {b.shape}")
    if min(len(a), len(b)) < 2:
        raise ValueError("共分散を求めるには 2 枚以上の特徴量が必要です。")
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    root_a = _sqrt_psd(cov_a)
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(root_a @ cov_b @ root_a), 0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * cross)


def class_shares(labels, n_classes: int, min_share: float | None = None) -> tuple[np.ndarray, float]:
    """クラスごとの割合 (長さ ``n_classes``) と被覆率 (割合が ``min_share`` 以上のクラスの割合) を返す。

    ``min_share`` の既定は均等な割合 1/C の半分 (そのクラスが均等の半分も出ていなければ「覆えていない」とみなす)。
    """
    labels = np.asarray(labels).astype(int).ravel()
    if len(labels) == 0:
        raise ValueError("ラベルが空です。")
    shares = np.bincount(labels, minlength=n_classes)[:n_classes] / len(labels)
    threshold = 0.5 / n_classes if min_share is None else min_share
    return shares, float(np.mean(shares >= threshold))


def tile(images, ncols: int, pad: int = 1, value_range: tuple[float, float] = (-1.0, 1.0)) -> np.ndarray:
    """``(枚数, 高さ, 幅, チャネル)`` の画像を ``ncols`` 列の格子 1 枚 (0〜1, 灰色なら 2 次元) にする。"""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., None]
    lo, hi = value_range
    images = np.clip((images - lo) / (hi - lo), 0, 1)
    n, h, w, c = images.shape
    nrows = int(np.ceil(n / ncols))
    grid = np.ones((nrows * (h + pad) + pad, ncols * (w + pad) + pad, c), np.float32)
    for i, image in enumerate(images):
        r, q = divmod(i, ncols)
        grid[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + q * (w + pad) : pad + q * (w + pad) + w] = image
    return grid[..., 0] if c == 1 else grid
