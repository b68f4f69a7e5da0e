"""13 CTC の代役: Free Spoken Digit Dataset v1.0.9 (GitHub のタグのアーカイブ v1.0.9.tar.gz)。

本物: free-spoken-digit-dataset-1.0.9/ の下に README.md, LICENSE, __init__.py, metadata.py, pip_requirements.txt,
acquire_data/, utils/ と recordings/{数字}_{話者}_{番号}.wav (数字 0〜9 × 6 話者 george, jackson, lucas, nicolas,
theo, yweweler × 番号 0〜49, 8 kHz・16 bit・モノラル, 0.2〜0.8 秒)。GitHub のアーカイブは最上位に
<リポジトリ名>-<タグ (v を除く)>/ のフォルダを 1 つ持つ。代役は同じ配置で、番号 0〜6 (0〜4 がテストデータ) の 420 ファイル。
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import soundfile as sf

from standins import common
from utils import audio

SPEAKERS = ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"]
TAKES = 7
SR = 8000


def digit_clip(rng: np.random.Generator, digit: int) -> np.ndarray:
    """数字ごとに違う 2 つの高さの音をつないだ 0.25〜0.5 秒の音。"""
    n = int(SR * rng.uniform(0.25, 0.5))
    t = np.arange(n) / SR
    f1, f2 = 300 + 60 * digit, 900 + 90 * digit
    wave = np.where(t < t[-1] / 2, np.sin(2 * np.pi * f1 * t), np.sin(2 * np.pi * f2 * t)) * np.hanning(n)
    return (0.4 * wave + rng.normal(0, 0.003, n)).astype(np.float32)


def make(out: Path) -> dict[str, Path]:
    top = out / "tree" / "free-spoken-digit-dataset-1.0.9"
    if top.exists():
        shutil.rmtree(top)
    rng = np.random.default_rng(13)
    for speaker in SPEAKERS:
        for digit in range(10):
            for take in range(TAKES):
                path = top / "recordings" / f"{digit}_{speaker}_{take}.wav"
                path.parent.mkdir(parents=True, exist_ok=True)
                sf.write(path, digit_clip(rng, digit), SR, subtype="PCM_16")
    (top / "README.md").write_text("# Free Spoken Digit Dataset (FSDD)\n\nリハーサル用の代役 (scripts/standins/lab13.py)\n", encoding="utf-8")
    (top / "LICENSE").write_text("Creative Commons Attribution-ShareAlike 4.0 International (stand-in)\n", encoding="utf-8")
    (top / "__init__.py").write_text("", encoding="utf-8")
    (top / "metadata.py").write_text("metadata = {}\n", encoding="utf-8")
    (top / "pip_requirements.txt").write_text("numpy\n", encoding="utf-8")
    for folder in ("acquire_data", "utils"):
        (top / folder).mkdir()
        (top / folder / "__init__.py").write_text("", encoding="utf-8")
    return {audio.FSDD_URL: common.tgz(top, out / "v1.0.9.tar.gz")}
