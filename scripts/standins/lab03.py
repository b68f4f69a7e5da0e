"""03 軽量化・高速化 (03_model_compression, 03_distributed_training) の代役: MNIST (mnist.npz)。

本物: https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz (keras.datasets.mnist.load_data と同じ
ファイル)。キーは x_train (60000, 28, 28) uint8 / y_train (60000,) uint8 / x_test (10000, 28, 28) uint8 /
y_test (10000,) uint8、画素は 0〜255 (背景 0)。
代役は同じキー・dtype・形 (枚数だけ小さく): scikit-learn 同梱の手書き数字 (8×8, 0〜16) を 3 倍に拡大して
24×24 にし、周りに 2 画素の余白をつけて 28×28・0〜255 にしたもの (本物の MNIST と同じく数字が中央にある)。
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from standins import common

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
TRAIN, TEST = 600, 200  # 本物は 60,000 / 10,000


def mnist_like(n_train: int = TRAIN, n_test: int = TEST, seed: int = 3) -> dict[str, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = np.random.default_rng(seed).permutation(len(digits.target))[: n_train + n_test]
    images = np.kron(digits.images[order], np.ones((3, 3)))  # 8×8 → 24×24
    images = np.pad(images, ((0, 0), (2, 2), (2, 2)))  # → 28×28
    x = np.clip(np.round(images * 255 / 16), 0, 255).astype(np.uint8)
    y = digits.target[order].astype(np.uint8)
    return {"x_train": x[:n_train], "y_train": y[:n_train], "x_test": x[n_train:], "y_test": y[n_train:]}


def make(out: Path) -> dict[str, Path]:
    return {MNIST_URL: common.npz(out / "mnist.npz", **mnist_like())}
