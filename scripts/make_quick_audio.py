"""quick モード用の小さな音声データ (英単語 8 語 + 数字 10 語) を espeak-ng で合成して data/audio/ に置く。

    apt-get install espeak-ng          # Debian / Ubuntu (合成エンジン。ノートブックの実行には不要)
    python scripts/make_quick_audio.py          # 作り直して data/SHA256SUMS も更新
    python scripts/make_quick_audio.py --check  # 作り直した結果が登録済みの sha256 と一致するかだけ確かめる

作るもの (モノラル):
- ``audio/speech_words_8k.ogg`` + ``audio/speech_words_8k.csv``: 18 語 × 48 話者 = 864 クリップを 1 本の
  Ogg Vorbis (8 kHz, 最高品質) につなげたものと、その索引 (開始サンプル・長さ・単語・話者・分割・合成条件・拡張の値)。
  「話者」は espeak-ng の声 (訛り) × 声色 (variant) × 速さ × 高さの組。乱数で選んだ 8 話者が評価用
  (評価は学習に出てこない声で行う)。16 bit FLAC では 3 MB に 24 話者しか入らず、学習に使える声が 18 種類では
  13 のラボの CTC が評価用の声に汎化しなかった (文字誤り率 約 20 %) ため、非可逆圧縮で声の数を増やしている。
- ``audio/sample_digits_16k.wav``: 「three one four one five nine」の 16 kHz・16 bit の見本 (ノートブックの AUDIO_PATH の既定値)。

データ拡張 (augmentation): 無音を切り詰めた各クリップに、前後の無音 (0〜60 ms ずつ = 時間シフト)、
音量 (ピーク 0.3〜0.9)、雑音 (白色 / ピンク, SNR 15〜40 dB) を乱数で与える。乱数はシードで固定。
espeak-ng の版が変わるとバイト列が変わることがあるので、作り直したら SHA256SUMS と一緒にコミットする。
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from utils import data  # noqa: E402

COMMANDS = ("down", "go", "left", "no", "right", "stop", "up", "yes")  # mini_speech_commands と同じ 8 語
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
WORDS = COMMANDS + DIGITS
ACCENTS = ("en-us", "en-gb", "en-gb-scotland", "en-029", "en-gb-x-rp", "en-us-nyc", "en-gb-x-gbclan", "en-gb-x-gbcwmd")
VARIANTS = (  # espeak-ng の声色 (espeak-ng-data/voices/!v/)。男声・女声・Klatt 合成を混ぜる
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5", "klatt", "klatt3", "klatt4",
    "klatt5", "adam", "Alex", "Alicia", "Andrea", "Andy", "Annie", "aunty", "belinda", "benjamin", "boris", "caleb",
    "ed", "edward", "gustave", "Gene2", "Hugo", "iven", "Jacky", "john", "Lee", "linda", "marcelo", "max", "michel",
    "Mike", "norbert", "pablo", "paul", "steph", "travis", "zac",
)  # fmt: skip
N_SPEAKERS = len(VARIANTS)
N_TEST_SPEAKERS = 8
SR = 8000
SAMPLE_SR = 16000
SAMPLE_TEXT = "three one four one five nine"
SEED = 20260101

SET_AUDIO = "audio/speech_words_8k.ogg"
SET_INDEX = "audio/speech_words_8k.csv"
SAMPLE_WAV = "audio/sample_digits_16k.wav"


def espeak(text: str, voice: str, speed: int, pitch: int) -> tuple[np.ndarray, int]:
    """espeak-ng で合成した波形 (float64, 22,050 Hz) を返す。"""
    cmd = ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", text]
    wav = subprocess.run(cmd, capture_output=True, check=True).stdout
    x, sr = sf.read(io.BytesIO(wav), dtype="float64")
    return x, sr


def resample(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    g = np.gcd(sr_in, sr_out)
    return resample_poly(x, sr_out // g, sr_in // g)


def trim(x: np.ndarray, rel: float = 0.02) -> np.ndarray:
    """ピークの 2 % を超える最初と最後のサンプルの間だけ残す (前後の無音を切る)。"""
    loud = np.flatnonzero(np.abs(x) > rel * np.abs(x).max())
    return x[loud[0] : loud[-1] + 1]


def noise(rng: np.random.Generator, n: int, kind: str) -> np.ndarray:
    white = rng.standard_normal(n)
    if kind == "white":
        return white
    spec = np.fft.rfft(white)  # ピンク雑音: パワーが 1/f になるよう振幅を 1/sqrt(f) 倍
    spec[1:] /= np.sqrt(np.arange(1, len(spec)))
    spec[0] = 0
    return np.fft.irfft(spec, n)


def _ogg_crc_table() -> list[int]:
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else (r << 1)
        table.append(r & 0xFFFFFFFF)
    return table


def fix_ogg_serial(blob: bytes, serial: int = 0x0C0FFEE) -> bytes:
    """Ogg のストリーム番号 (libsndfile が毎回乱数で選ぶ) を固定し、各ページの CRC を計算し直す。

    これで同じ音声からいつも同じバイト列になり、sha256 で作り直しを確かめられる。
    """
    table, out, pos = _ogg_crc_table(), bytearray(blob), 0
    while pos < len(out):
        if out[pos : pos + 4] != b"OggS":
            raise ValueError(f"Ogg ページの先頭ではありません (位置 {pos})")
        n_segments = out[pos + 26]
        size = 27 + n_segments + sum(out[pos + 27 : pos + 27 + n_segments])
        out[pos + 14 : pos + 18] = serial.to_bytes(4, "little")
        out[pos + 22 : pos + 26] = b"\0\0\0\0"
        crc = 0
        for byte in out[pos : pos + size]:
            crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ byte]
        out[pos + 22 : pos + 26] = crc.to_bytes(4, "little")
        pos += size
    return bytes(out)


def speakers(rng: np.random.Generator) -> list[dict]:
    test = set(rng.permutation(N_SPEAKERS)[:N_TEST_SPEAKERS].tolist())  # 評価用の話者は乱数で選ぶ
    rows = []
    for s, variant in enumerate(VARIANTS):
        rows.append(
            {
                "speaker": s,
                "voice": f"{ACCENTS[s % len(ACCENTS)]}+{variant}",
                "speed": int(rng.integers(120, 211)),  # 1 分あたりの語数
                "pitch": int(rng.integers(25, 76)),  # 0〜99
                "split": "test" if s in test else "train",
            }
        )
    return rows


def build(out_dir: Path) -> None:
    rng = np.random.default_rng(SEED)
    clips, rows, start = [], [], 0
    for spk in speakers(rng):
        for word in WORDS:
            x, sr = espeak(word, spk["voice"], spk["speed"], spk["pitch"])
            x = trim(resample(x, sr, SR))
            pad = rng.integers(0, int(0.06 * SR) + 1, size=2)  # 時間シフト: 前後の無音
            x = np.pad(x, pad)
            x *= rng.uniform(0.3, 0.9) / np.abs(x).max()  # 音量
            kind = ("white", "pink")[int(rng.integers(2))]
            snr_db = rng.uniform(15, 40)
            n = noise(rng, len(x), kind)
            n *= np.sqrt(np.mean(x**2) / 10 ** (snr_db / 10)) / n.std()
            clip = np.clip(x + n, -1.0, 1.0).astype(np.float32)
            clips.append(clip)
            rows.append(
                {
                    "start": start,
                    "length": len(clip),
                    "word": word,
                    **spk,
                    "shift_ms": round(1000 * pad[0] / SR),
                    "noise": kind,
                    "snr_db": round(snr_db, 1),
                }
            )
            start += len(clip)

    (out_dir / "audio").mkdir(parents=True, exist_ok=True)
    # Ogg Vorbis (非可逆, 最高品質 = 約 30 dB の SNR): 16 bit FLAC の約 2.5 分の 1 で、話者を 2 倍に増やせる。
    # libsndfile 1.2 は長い Vorbis を 1 回で書くと落ちることがあるので、1 秒ずつ書く
    signal, buffer = np.concatenate(clips), io.BytesIO()
    with sf.SoundFile(buffer, "w", SR, 1, format="OGG", subtype="VORBIS", compression_level=0.0) as f:
        for i in range(0, len(signal), SR):
            f.write(signal[i : i + SR])
    (out_dir / SET_AUDIO).write_bytes(fix_ogg_serial(buffer.getvalue()))
    with open(out_dir / SET_INDEX, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    x, sr = espeak(SAMPLE_TEXT, "en-us+f3", 150, 50)
    x = resample(x, sr, SAMPLE_SR)
    x = 0.8 * x / np.abs(x).max()
    sf.write(out_dir / SAMPLE_WAV, np.round(x * 32767).astype(np.int16), SAMPLE_SR, subtype="PCM_16")
    print(f"{len(clips)} クリップ, {len(signal) / SR:.1f} 秒 ({SR} Hz), 話者 {N_SPEAKERS} (評価用 {N_TEST_SPEAKERS})")


FILES = (SET_AUDIO, SET_INDEX, SAMPLE_WAV)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="作り直した sha256 が登録済みと一致するか確かめるだけ")
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        print("espeak-ng がありません (apt-get install espeak-ng)。", file=sys.stderr)
        return 1

    tmp = ROOT / "build" / "quick_audio"
    shutil.rmtree(tmp, ignore_errors=True)
    build(tmp)
    new = {rel: data.sha256sum(tmp / rel) for rel in FILES}
    sums = data.read_sums()
    if args.check:
        ok = all(sums.get(rel) == digest for rel, digest in new.items())
        for rel, digest in new.items():
            print(("一致   " if sums.get(rel) == digest else "不一致 ") + rel)
        return 0 if ok else 1

    for rel in FILES:
        (data.DATA_DIR / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp / rel, data.DATA_DIR / rel)
        sums[rel] = new[rel]
        print(f"{(data.DATA_DIR / rel).stat().st_size / 1e6:6.2f} MB  data/{rel}")
    lines = [f"{digest}  {rel}\n" for rel, digest in sorted(sums.items())]
    data.SUMS_FILE.write_text("".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
