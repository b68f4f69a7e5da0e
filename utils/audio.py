"""音声ファイルの読み込みと、音声ラボ (12・13) のデータ。

- ``load_audio(path, sr=16000)``: WAV / FLAC / OGG (8/16/24/32 bit 整数・浮動小数点, モノラル・ステレオ,
  どのサンプリング周波数でも) を、float32・モノラル・値域 [-1, 1]・サンプリング周波数 ``sr`` にそろえて返す。
  読めないファイルは日本語のメッセージで ``AudioLoadError`` / ``FileNotFoundError``。
- ``speech_words()``: quick モード用の同梱データ (espeak-ng で合成した 18 語 × 48 話者,
  ``scripts/make_quick_audio.py``)。sha256 を確かめて読み、1 行 1 クリップの表で返す。
- ``sample_path()``: 同梱の見本音声 (16 kHz, "three one four one five nine")。
- ``mini_speech_commands()`` / ``free_spoken_digits()``: full モード用の実データ (sha256 つきダウンロード・キャッシュ)。
"""

from __future__ import annotations

import csv
import os
from math import gcd
from pathlib import Path

import numpy as np

from .checks import ParameterError
from .data import cache_dir, download, extract, repo_file

# TensorFlow のチュートリアル "Simple audio recognition" の 8 語 (各 1,000 クリップ, 16 kHz)。
# TensorFlow は sha256 を公開していない。この値は複数の公開プロジェクト (別々の作者) が同じ URL に対して
# 記録している値 (182,082,353 バイト) で、ここでは検証できていない (full モードの初回に確かめられる)。
MINI_SPEECH_COMMANDS_URL = "https://storage.googleapis.com/download.tensorflow.org/data/mini_speech_commands.zip"
MINI_SPEECH_COMMANDS_SHA256 = "49650f2341b26d886b46b3f4fb8fed59e30300b17550f1ee4a768b3106cf93a0"
# Free Spoken Digit Dataset v1.0.9 (8 kHz の数字 0〜9, CC BY-SA 4.0)。
# sha256 は TensorFlow Datasets の spoken_digit の checksums.tsv と同じ値 (11,975,353 バイト)。
FSDD_URL = "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/v1.0.9.tar.gz"
FSDD_SHA256 = "8bc44cde129d505cbbb6b365c09f80c663f2aa77578afc634e6141a2f87100c0"

SPEECH_WORDS_AUDIO = "audio/speech_words_8k.ogg"
SPEECH_WORDS_INDEX = "audio/speech_words_8k.csv"
SAMPLE_AUDIO = "audio/sample_digits_16k.wav"
COMMANDS = ("down", "go", "left", "no", "right", "stop", "up", "yes")
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


class AudioLoadError(ValueError):
    """音声として読めないファイルを渡されたときの例外。"""


def load_audio(path: str | os.PathLike, sr: int = 16000) -> np.ndarray:
    """音声ファイルを読み、float32・モノラル・値域 [-1, 1]・サンプリング周波数 ``sr`` の 1 次元配列で返す。

    - 整数 PCM (8/16/24/32 bit) は満振幅が ±1 になるよう割る (soundfile の規約)。
    - 浮動小数点のファイルで ±1 を超える値があれば、波形の形を保つためピークで割って ±1 に収める。
    - ステレオ以上はチャネルの平均でモノラルにする。
    - ``sr`` と違う周波数のファイルは多相フィルタ (``scipy.signal.resample_poly``, 折り返し防止の
      低域通過フィルタつき) で変換する。
    """
    import soundfile as sf

    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise ParameterError(f"sr には正の整数 (例: 16000) を指定してください (指定: {sr!r})。")
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"音声ファイルが見つかりません: {path} (相対パスは {Path.cwd()} からの位置です)")
    if path.is_dir():
        raise AudioLoadError(f"{path} はディレクトリです。音声ファイル (WAV / FLAC / OGG) のパスを指定してください。")
    if path.stat().st_size == 0:
        raise AudioLoadError(f"{path.name} は空のファイル (0 バイト) です。音声ファイル (WAV / FLAC / OGG) を指定してください。")
    try:
        x, native_sr = sf.read(path, dtype="float64", always_2d=True)
    except sf.LibsndfileError as e:
        raise AudioLoadError(
            f"{path.name} は音声として読めません (WAV / FLAC / OGG を指定してください。壊れている可能性もあります): {e}"
        ) from e
    except (RuntimeError, ValueError, TypeError) as e:  # 途中で切れたファイルなど
        raise AudioLoadError(f"{path.name} を読み込めません: 壊れているか途中で切れています ({e})。") from e
    if x.shape[0] == 0:
        raise AudioLoadError(f"{path.name} は空です (サンプルが 0 個)。")
    if not np.isfinite(x).all():
        raise AudioLoadError(f"{path.name} に NaN / 無限大の値が含まれています。")

    x = x.mean(axis=1)  # モノラルへ
    peak = np.abs(x).max()
    if peak > 1.0:  # 浮動小数点の WAV は ±1 を超えることがある
        x = x / peak
    if native_sr != sr:
        g = gcd(int(native_sr), int(sr))
        from scipy.signal import resample_poly

        x = resample_poly(x, int(sr) // g, int(native_sr) // g)
    return np.clip(x, -1.0, 1.0).astype(np.float32)  # 変換フィルタのわずかな行き過ぎも切る


def sample_path() -> Path:
    """同梱の見本音声 (16 kHz, "three one four one five nine") のパス (sha256 確認済み)。"""
    return repo_file(SAMPLE_AUDIO)


def speech_words(sr: int = 8000):
    """quick モードの音声データ (18 語 × 48 話者 = 864 クリップ) を pandas の表で返す。

    列: ``word`` (単語), ``speaker`` (話者番号), ``split`` (train: 40 話者 / test: 学習に出てこない 8 話者),
    ``voice`` / ``speed`` / ``pitch`` (espeak-ng の合成条件), ``shift_ms`` / ``noise`` / ``snr_db`` (データ拡張),
    ``audio`` (float32 の波形, ``sr`` Hz)。
    """
    import pandas as pd

    signal = load_audio(repo_file(SPEECH_WORDS_AUDIO), sr=8000)
    with open(repo_file(SPEECH_WORDS_INDEX), newline="", encoding="utf-8") as f:
        table = pd.DataFrame(list(csv.DictReader(f)))
    for col in ("start", "length", "speaker", "speed", "pitch", "shift_ms"):
        table[col] = table[col].astype(int)
    table["snr_db"] = table["snr_db"].astype(float)
    clips = [signal[s : s + n] for s, n in zip(table["start"], table["length"])]
    if sr != 8000:
        from scipy.signal import resample_poly

        g = gcd(8000, sr)
        clips = [resample_poly(c, sr // g, 8000 // g).astype(np.float32) for c in clips]
    table["audio"] = clips
    return table.drop(columns=["start", "length"])


def mini_speech_commands() -> Path:
    """mini_speech_commands (8 語 × 1,000 クリップ, 16 kHz) を取得・展開し、単語ごとのフォルダがある場所を返す。"""
    archive = download(MINI_SPEECH_COMMANDS_URL, MINI_SPEECH_COMMANDS_SHA256)
    return extract(archive, cache_dir("datasets") / "mini_speech_commands") / "mini_speech_commands"


def free_spoken_digits() -> Path:
    """Free Spoken Digit Dataset v1.0.9 を取得・展開し、``{数字}_{話者}_{番号}.wav`` が並ぶフォルダを返す。"""
    archive = download(FSDD_URL, FSDD_SHA256, filename="free-spoken-digit-dataset-1.0.9.tar.gz")
    return extract(archive, cache_dir("datasets") / "fsdd") / "free-spoken-digit-dataset-1.0.9" / "recordings"
