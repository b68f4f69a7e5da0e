"""03 の代役 (scripts/standins/lab03.py): 本物の mnist.npz と同じキー・dtype・形・値の範囲。"""

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from standins import lab03  # noqa: E402


def test_mnist_standin_has_the_real_keys_dtypes_and_shapes(tmp_path):
    made = lab03.make(tmp_path)
    assert list(made) == [lab03.MNIST_URL]
    # 本物と同じ URL (keras.datasets.mnist.load_data が取得するもの)
    assert lab03.MNIST_URL == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    path = made[lab03.MNIST_URL]
    assert path.name == "mnist.npz"
    with np.load(path, allow_pickle=False) as f:
        assert sorted(f.files) == ["x_test", "x_train", "y_test", "y_train"]
        for split, n in (("train", lab03.TRAIN), ("test", lab03.TEST)):
            x, y = f[f"x_{split}"], f[f"y_{split}"]
            assert x.dtype == np.uint8 and y.dtype == np.uint8
            assert x.shape == (n, 28, 28) and y.shape == (n,)
            assert x.max() == 255 and x.min() == 0 and (x[:, :2, :] == 0).all()  # 背景 0・余白あり
            assert set(np.unique(y)) == set(range(10))
