"""GAN の評価と表示の配管 (14 DCGAN・15 Conditional GAN で共通)。モデルと損失関数はノートブックに書く。

- ``frechet_distance``: 2 つの特徴量の集合をそれぞれ多変量ガウス分布で近似したときの Fréchet 距離
  (FID と同じ式。特徴抽出器はノートブックで学習した小さな分類器)
- ``class_shares``: 分類器が生成画像に付けたクラスの割合と、モードの被覆率 (一定の割合以上に出るクラスの割合)
- ``digit_classifier`` / ``feature_classifier``: 評価用の小さな CNN 分類器 (14 で説明したもの) を本物の学習データで
  学習し、生成画像のクラスの判定と Fréchet 距離の特徴量 (最後の隠れ層 ``features``) に使う
- ``to_tanh_range``: 0〜1 の画像を生成器の大きさに変え、tanh の出力と同じ −1〜1 にする (14・15 の前処理)
(サンプルの格子は ``utils.plot.show_images(..., ax=ax)`` で描く)
"""

from __future__ import annotations

from dataclasses import dataclass

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


def digit_classifier(image_size: int, n_classes: int = 10, width: int = 64):
    """14 のノートブックで定義して説明した評価用の CNN 分類器と同じもの (15 はこれを使う)。

    3×3 の畳み込み (ReLU, フィルタ 32 → 64 → 64 …) + 最大プーリングを、特徴マップが 7×7 以下になるまで重ね
    (16 → 4 の 2 段, 28 → 7 の 2 段, 64 → 4 の 4 段)、``width`` 次元の隠れ層 ``features`` (Fréchet 距離の特徴量) と
    ``n_classes`` 個のロジット (float32) を出す。
    """
    import keras
    from keras import layers

    inputs = keras.Input((image_size, image_size, 1))
    x, size, i = inputs, image_size, 0
    while size > 7:
        x = layers.Conv2D(min(32 * 2**i, width), 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
        size, i = size // 2, i + 1
    features = layers.Dense(width, activation="relu", name="features")(layers.Flatten()(x))
    return keras.Model(inputs, layers.Dense(n_classes, dtype="float32")(features), name="classifier")


@dataclass
class FeatureClassifier:
    """学習済みの評価用分類器: ``model`` (ロジット)・``feature_net`` (隠れ層 ``features``)・検証/テストデータの正解率。"""

    model: object
    feature_net: object
    val_accuracy: float
    test_accuracy: float
    batch_size: int = 1024

    def _run(self, net, images) -> np.ndarray:
        # predict は呼ぶたびに関数を作り直すことがあるので、小さな画像は直接呼ぶ (メモリのためバッチに分ける)
        images = np.asarray(images, dtype=np.float32)
        parts = [net(images[i : i + self.batch_size], training=False) for i in range(0, len(images), self.batch_size)]
        return np.concatenate([np.asarray(p) for p in parts])

    def features(self, images) -> np.ndarray:
        """最後の隠れ層の特徴量 ``(枚数, 次元)`` (Fréchet 距離に使う)。"""
        return self._run(self.feature_net, images)

    def probabilities(self, images) -> np.ndarray:
        """クラスの確率 ``(枚数, クラス数)`` (ロジットの softmax)。"""
        logits = self._run(self.model, images).astype(np.float64)
        e = np.exp(logits - logits.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)


def feature_classifier(x, y, x_test, y_test, build=None, epochs: int = 15, batch_size: int = 64, learning_rate: float = 1e-3):
    """``build()`` (既定: ``digit_classifier(画像の大きさ, クラス数)``) の分類器を本物の学習データ ``x, y`` で学習する。

    学習データの 1 割を検証データにし (``validation_split=0.1``)、テストデータの正解率を 1 回だけ測る。
    ``build`` の返すモデルはロジットを出し、``features`` という名前の隠れ層を持つこと。
    """
    import keras

    x, y = np.asarray(x, dtype=np.float32), np.asarray(y)
    model = build() if build is not None else digit_classifier(x.shape[1], int(max(y.max(), np.max(y_test))) + 1)
    model.compile(keras.optimizers.Adam(learning_rate), keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, validation_split=0.1, verbose=0)
    test_accuracy = model.evaluate(np.asarray(x_test, dtype=np.float32), np.asarray(y_test), verbose=0)[1]
    feature_net = keras.Model(model.input, model.get_layer("features").output)
    return FeatureClassifier(model, feature_net, float(history.history["val_accuracy"][-1]), float(test_accuracy))


def to_tanh_range(x, size: int, batch: int = 4096) -> np.ndarray:
    """0〜1 の画像 ``(枚数, 高さ, 幅, チャネル)`` を ``size``×``size`` に拡大・縮小し、生成器の tanh の出力と同じ −1〜1 にする。

    大きな集合 (MNIST 60,000 枚) でもメモリが膨らまないよう ``batch`` 枚ずつ変換する。
    """
    import tensorflow as tf

    x = np.asarray(x, dtype=np.float32)
    parts = [tf.image.resize(x[i : i + batch], (size, size)).numpy() for i in range(0, len(x), batch)]
    return np.concatenate(parts) * 2 - 1
