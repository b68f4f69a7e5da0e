"""07 Vision Transformer の full モードのリハーサル用の代役: KerasHub の学習済み ViT-B/16 (`keras/vit_base_patch16_224_imagenet`)。

本物: ``https://huggingface.co/keras/vit_base_patch16_224_imagenet/resolve/main/`` の config.json・metadata.json・
model.weights.h5 (ViTBackbone の重み, 約 86 M パラメータ。KerasHub の ``save_to_preset`` が書く形式)。
代役は同じファイル名・同じ形式を KerasHub 自身の ``ViTBackbone.save_to_preset`` で書く:
- パッチ 16・隠れ次元 768・12 ヘッド・MLP 3,072・[CLS] トークンあり は本物と同じで、**層の数 (12 → 1) と入力の大きさ
  (224 → 32 px, パッチ 196 → 4 個)** だけ減らした (CPU のリハーサルを 1 本 90 秒に収めるため)。重みはランダム。
- ノートブックは入力の大きさを読み込んだバックボーンの ``image_shape`` から取るので、本物では 224 px で動く。
tf_flowers (full の学習データ) の代役は ``lab05.py`` が作る (同じ URL の代役はモジュール 1 つだけ)。
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PRESET = "vit_base_patch16_224_imagenet"
BASE_URL = f"https://huggingface.co/keras/{PRESET}/resolve/main"
FILES = ["config.json", "metadata.json", "model.weights.h5"]
VIT_B16 = dict(image_shape=(224, 224, 3), patch_size=16, num_layers=12, num_heads=12, hidden_dim=768, mlp_dim=3072)
STANDIN = dict(image_shape=(32, 32, 3), num_layers=1)  # 本物は 224 px・12 層 (リハーサルの時間のために減らす)


def make(out: Path) -> dict[str, Path]:
    import keras
    import keras_hub

    folder = out / PRESET
    shutil.rmtree(folder, ignore_errors=True)
    keras.utils.set_random_seed(0)
    backbone = keras_hub.models.ViTBackbone(**{**VIT_B16, **STANDIN})
    backbone.save_to_preset(str(folder))
    return {f"{BASE_URL}/{rel}": folder / rel for rel in FILES}
