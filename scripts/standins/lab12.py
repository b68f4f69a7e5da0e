"""12 音声認識の基礎の代役: mini_speech_commands.zip (TensorFlow のチュートリアル Simple audio recognition)。

本物: mini_speech_commands/{down,go,left,no,right,stop,up,yes}/<話者 ID 8 桁の 16 進>_nohash_<番号>.wav
(各語 1,000 クリップ, 16 kHz・16 bit・モノラル, 1 秒以下) と mini_speech_commands/README.md。
チュートリアルのコードが README.md と .DS_Store を除いているので、代役にも両方を入れる。
代役は同じ配置・同じ形式で、12 話者 × 8 語 × 1 クリップ (話者の 1 割がテストデータ、残りの 1/8 が検証データになる数)。
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import soundfile as sf

from standins import common
from utils import audio

WORDS = ["down", "go", "left", "no", "right", "stop", "up", "yes"]
SPEAKERS = 12
SR = 16000


def clip(rng: np.random.Generator, word_index: int) -> np.ndarray:
    """語ごとに違う高さの、母音らしい倍音の音 (0.5〜1 秒)。"""
    n = int(SR * rng.uniform(0.5, 1.0))
    t = np.arange(n) / SR
    f0 = 100 + 15 * word_index + rng.normal(0, 5)
    wave = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 6)) * np.hanning(n)
    return (0.3 * wave / np.abs(wave).max() + rng.normal(0, 0.003, n)).astype(np.float32)


def make(out: Path) -> dict[str, Path]:
    tree = out / "tree" / "mini_speech_commands"
    if tree.exists():
        shutil.rmtree(tree)
    rng = np.random.default_rng(12)
    speakers = [rng.bytes(4).hex() for _ in range(SPEAKERS)]
    for k, word in enumerate(WORDS):
        for speaker in speakers:
            path = tree / word / f"{speaker}_nohash_0.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            sf.write(path, clip(rng, k), SR, subtype="PCM_16")
    (tree / "README.md").write_text(
        "Speech Commands の 8 語だけを取り出した小さなデータ (リハーサル用の代役: scripts/standins/lab12.py)\n", encoding="utf-8"
    )
    (tree / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(64))
    return {audio.MINI_SPEECH_COMMANDS_URL: common.zip_dir(tree, out / "mini_speech_commands.zip")}
