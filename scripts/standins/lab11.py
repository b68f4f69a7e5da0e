"""11 GPT の full モードのリハーサル用の代役: KerasHub の学習済み GPT-2 (`keras/gpt2_base_en`, Hugging Face)。

本物: ``https://huggingface.co/keras/gpt2_base_en/resolve/main/`` の config.json・metadata.json・tokenizer.json・
model.weights.h5 (498 MB)・assets/tokenizer/vocabulary.json・assets/tokenizer/merges.txt (KerasHub の
``save_to_preset`` が書く形式)。代役は同じファイル名・同じ形式を KerasHub 自身の ``save_to_preset`` で書く:

- ``GPT2Backbone``: 隠れ次元 768・12 ヘッド・中間層 3,072・位置 1,024 は本物と同じで、**層の数だけ 12 → 1**
  (CPU のリハーサルを 1 本 90 秒に収めるため)。重みはランダム。
- ``GPT2Tokenizer``: 本物と同じバイト単位の BPE (256 バイトの文字 + ``<|endoftext|>``) で、結合規則 (merges) は
  英語の頻出の組をいくつかだけ (本物は 50,000 個。語彙は代役のほうがずっと小さい)。

青空文庫の 3 作品 (full の学習データ) の代役は ``lab10.py`` が作る (同じ URL の代役はモジュール 1 つだけ)。
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PRESET = "gpt2_base_en"
BASE_URL = f"https://huggingface.co/keras/{PRESET}/resolve/main"
FILES = [
    "config.json",
    "metadata.json",
    "tokenizer.json",
    "model.weights.h5",
    "assets/tokenizer/vocabulary.json",
    "assets/tokenizer/merges.txt",
]
GPT2_BASE = dict(num_layers=12, num_heads=12, hidden_dim=768, intermediate_dim=3072, max_sequence_length=1024)
LAYERS = 1  # 本物は 12 (リハーサルの時間のために減らす)
MERGES = ["Ġ t", "h e", "Ġt he", "Ġ a", "i n", "o n", "e r", "Ġ s", "r e", "a t", "e n", "Ġ o", "Ġ c", "e s",
          "Ġ =", "Ġ= >", "o u", "Ġ m", "Ġ p", "a n"]  # fmt: skip


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2 のバイト → 文字の対応 (表示できるバイトはそのまま、残りは U+0100 以降へ)。"""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return chars


def tokenizer_files() -> tuple[dict[str, int], list[str]]:
    vocabulary = {ch: i for i, ch in enumerate(bytes_to_unicode().values())}
    for merge in MERGES:
        vocabulary.setdefault(merge.replace(" ", ""), len(vocabulary))
    vocabulary["<|endoftext|>"] = len(vocabulary)
    return vocabulary, MERGES


def make(out: Path) -> dict[str, Path]:
    import keras
    import keras_hub

    folder = out / PRESET
    shutil.rmtree(folder, ignore_errors=True)
    vocabulary, merges = tokenizer_files()
    keras.utils.set_random_seed(0)
    config = {**GPT2_BASE, "num_layers": LAYERS}
    backbone = keras_hub.models.GPT2Backbone(vocabulary_size=len(vocabulary), dropout=0.1, **config)
    backbone.save_to_preset(str(folder))
    keras_hub.models.GPT2Tokenizer(vocabulary=vocabulary, merges=merges).save_to_preset(str(folder))
    return {f"{BASE_URL}/{rel}": folder / rel for rel in FILES}
