"""深層学習 Day4 実装演習の共通ユーティリティ。

ノートブックの配管 (モード切り替え・データ取得・画像読み込み・描画・結果記録) だけを置き、
学習内容そのもの (モデル定義・アルゴリズム) は各ノートブックに書く。

TensorFlow より先に ``import utils`` すること: ログ抑制の環境変数を設定してから TF を読み込む。
"""

import os
import sys

# このリポジトリの utils である印。Colab 用の最初のセルが、別のパッケージの utils と区別するために読む。
COURSE_REPO = "dl-day4-labs"

# TensorFlow / Keras の import 前に設定する必要がある。
# oneDNN 最適化 (TF_ENABLE_ONEDNN_OPTS) は切らない: CPU 2 コアで学習が約 2 倍速く、同じ機械では結果も再現する。
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _import_tensorflow_quietly():
    """TF が import 時に C++ から標準エラーへ直接書く数行 (oneDNN・CUDA の案内) を捨てる。"""
    if "tensorflow" in sys.modules:
        return
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_import_tensorflow_quietly()

from .config import Config, current_config, setup  # noqa: E402

__all__ = ["COURSE_REPO", "Config", "current_config", "setup"]
