"""utils.audio: どんな音声ファイルでも float32・モノラル・[-1, 1]・指定の周波数にそろうこと。"""

import io
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from utils import audio, data


def tone(freq=440.0, sr=16000, seconds=0.5, amp=0.5):
    t = np.arange(int(sr * seconds)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float64)


def peak_freq(x, sr):
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.argmax(spec) * sr / len(x)


# (拡張子, format, subtype, 許される量子化誤差)
FORMATS = [
    ("wav", "WAV", "PCM_U8", 1 / 64),
    ("wav", "WAV", "PCM_16", 1e-4),
    ("wav", "WAV", "PCM_24", 1e-6),
    ("wav", "WAV", "PCM_32", 1e-8),
    ("wav", "WAV", "FLOAT", 1e-7),
    ("wav", "WAV", "DOUBLE", 1e-7),
    ("flac", "FLAC", "PCM_16", 1e-4),
    ("flac", "FLAC", "PCM_24", 1e-6),
    ("ogg", "OGG", "VORBIS", None),  # 非可逆圧縮: 値ではなく周波数と振幅で確かめる
]


@pytest.mark.parametrize("ext,fmt,subtype,tol", FORMATS, ids=[f"{f[1]}-{f[2]}" for f in FORMATS])
@pytest.mark.parametrize("channels", [1, 2])
def test_formats_bit_depths_and_channels(tmp_path, ext, fmt, subtype, tol, channels):
    x = tone(440, 16000)
    stereo = np.stack([x, x], axis=1) if channels == 2 else x
    path = tmp_path / f"t.{ext}"
    sf.write(path, stereo, 16000, format=fmt, subtype=subtype)
    y = audio.load_audio(path, sr=16000)
    assert y.dtype == np.float32 and y.ndim == 1 and np.abs(y).max() <= 1.0
    if tol is None:
        assert abs(len(y) - len(x)) <= 1024
        assert abs(peak_freq(y, 16000) - 440) < 5 and 0.4 < np.abs(y).max() < 0.6
    else:
        assert len(y) == len(x)
        np.testing.assert_allclose(y, x, atol=tol)


def test_stereo_is_averaged(tmp_path):
    left, right = tone(440), tone(1000, amp=0.25)
    sf.write(tmp_path / "s.wav", np.stack([left, right], axis=1), 16000, subtype="FLOAT")
    np.testing.assert_allclose(audio.load_audio(tmp_path / "s.wav"), (left + right) / 2, atol=1e-7)


@pytest.mark.parametrize("native,target", [(8000, 16000), (44100, 16000), (48000, 8000), (22050, 16000)])
def test_resampling_keeps_frequency_and_duration(tmp_path, native, target):
    sf.write(tmp_path / "r.wav", tone(440, native, seconds=1.0), native, subtype="PCM_16")
    y = audio.load_audio(tmp_path / "r.wav", sr=target)
    assert len(y) == target  # 1 秒
    assert abs(peak_freq(y, target) - 440) <= 2
    assert 0.45 < np.abs(y[target // 10 : -target // 10]).max() < 0.55  # 振幅も保つ


def test_resampling_removes_tones_above_the_new_nyquist(tmp_path):
    # 44.1 kHz の 12 kHz の音は 16 kHz (ナイキスト 8 kHz) では表せない: 折り返して 4 kHz に現れてはいけない
    sf.write(tmp_path / "hi.wav", tone(12000, 44100, seconds=1.0), 44100, subtype="PCM_16")
    y = audio.load_audio(tmp_path / "hi.wav", sr=16000)
    assert np.sqrt(np.mean(y[1000:-1000] ** 2)) < 1e-3


def test_float_file_louder_than_full_scale_is_scaled_not_clipped(tmp_path):
    x = tone(440, amp=3.0)
    sf.write(tmp_path / "loud.wav", x, 16000, subtype="FLOAT")
    y = audio.load_audio(tmp_path / "loud.wav")
    np.testing.assert_allclose(y, x / 3.0, atol=1e-6)


def test_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="見つかりません"):
        audio.load_audio(tmp_path / "missing.wav")
    with pytest.raises(audio.AudioLoadError, match="ディレクトリ"):
        audio.load_audio(tmp_path)
    (tmp_path / "text.wav").write_text("これは音声ではありません")
    with pytest.raises(audio.AudioLoadError, match="音声として読めません"):
        audio.load_audio(tmp_path / "text.wav")
    sf.write(tmp_path / "empty.wav", np.zeros(0), 16000)
    with pytest.raises(audio.AudioLoadError, match="空です"):
        audio.load_audio(tmp_path / "empty.wav")
    good = tmp_path / "good.wav"
    sf.write(good, tone(), 16000, subtype="PCM_16")
    (tmp_path / "cut.wav").write_bytes(good.read_bytes()[:30])  # ヘッダの途中で切れたファイル
    with pytest.raises(audio.AudioLoadError):
        audio.load_audio(tmp_path / "cut.wav")
    sf.write(tmp_path / "nan.wav", np.array([0.0, np.nan, 0.1]), 16000, subtype="FLOAT")
    with pytest.raises(audio.AudioLoadError, match="NaN"):
        audio.load_audio(tmp_path / "nan.wav")
    for bad in (0, -16000, 16000.5, "16000", True):
        with pytest.raises(ValueError, match="正の整数"):
            audio.load_audio(good, sr=bad)


@pytest.mark.realdata
def test_real_8khz_spoken_digits(realdata):
    files = sorted((realdata / "audio").glob("*.wav"))
    if not files:
        pytest.skip("../shared/realdata/audio に WAV がありません")
    for path in files:
        info = sf.info(path)
        assert info.samplerate == 8000 and info.channels == 1 and info.subtype == "PCM_16"
        native = audio.load_audio(path, sr=8000)
        raw, _ = sf.read(path, dtype="int16")
        np.testing.assert_array_equal(native, raw.astype(np.float32) / 32768)  # 変換なしなら値そのまま
        up = audio.load_audio(path, sr=16000)
        assert up.dtype == np.float32 and len(up) == 2 * len(native) and np.abs(up).max() <= 1.0
        assert 0.15 <= len(up) / 16000 <= 1.0  # 約 0.2〜0.65 秒の発話
        # 8 kHz → 16 kHz は元の帯域 (〜4 kHz) の上に何も足さない (4.5 kHz 以上は折り返し防止フィルタで消える)
        spec = np.abs(np.fft.rfft(up)) ** 2
        freqs = np.fft.rfftfreq(len(up), 1 / 16000)
        assert spec[freqs > 4500].sum() < 1e-3 * spec.sum()
        # 16 kHz にしてから 8 kHz に戻すと、ほぼ元の波形に戻る
        back = up[::2]
        assert np.corrcoef(back, native)[0, 1] > 0.99


def test_bundled_speech_words_and_sample():
    table = audio.speech_words()
    assert len(table) == 18 * 48
    assert set(table["word"]) == set(audio.COMMANDS) | set(audio.DIGITS)
    train, test = table[table["split"] == "train"], table[table["split"] == "test"]
    assert set(train["speaker"]).isdisjoint(test["speaker"])  # 評価は学習に出てこない話者
    assert (table.groupby("word").size() == 48).all() and test["speaker"].nunique() == 8
    for clip in table["audio"]:
        assert clip.dtype == np.float32 and 0.15 < len(clip) / 8000 < 1.2 and np.abs(clip).max() <= 1.0
    assert len(audio.speech_words(sr=16000)["audio"][0]) == 2 * len(table["audio"][0])
    sample = audio.load_audio(audio.sample_path(), sr=16000)
    assert 1.0 < len(sample) / 16000 < 5.0 and np.abs(sample).max() > 0.5


def _fake_archives(tmp_path):
    """mini_speech_commands.zip と FSDD の tar.gz と同じ構成の小さなアーカイブ。"""
    wav = io.BytesIO()
    sf.write(wav, tone(440, 16000, 0.1), 16000, format="WAV", subtype="PCM_16")
    msc = tmp_path / "mini_speech_commands.zip"
    with zipfile.ZipFile(msc, "w") as zf:
        zf.writestr("mini_speech_commands/README.md", "excerpt")
        for word in audio.COMMANDS:
            zf.writestr(f"mini_speech_commands/{word}/0a_nohash_0.wav", wav.getvalue())
    fsdd = tmp_path / "fsdd.tar.gz"
    with tarfile.open(fsdd, "w:gz") as tf:
        for name in ("0_jackson_0.wav", "9_theo_49.wav"):
            info = tarfile.TarInfo(f"free-spoken-digit-dataset-1.0.9/recordings/{name}")
            info.size = len(wav.getvalue())
            tf.addfile(info, io.BytesIO(wav.getvalue()))
    return msc, fsdd


def test_full_mode_datasets_use_checksummed_download(tmp_path, monkeypatch):
    msc, fsdd = _fake_archives(tmp_path)
    calls = []

    def fake_download(url, sha256, filename=None, **kwargs):
        calls.append((url, sha256))
        return msc if url == audio.MINI_SPEECH_COMMANDS_URL else fsdd

    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(audio, "download", fake_download)
    words = audio.mini_speech_commands()
    assert sorted(p.name for p in words.iterdir() if p.is_dir()) == sorted(audio.COMMANDS)
    assert audio.load_audio(next(words.glob("yes/*.wav"))).shape == (1600,)
    digits = audio.free_spoken_digits()
    assert sorted(p.name for p in digits.glob("*.wav")) == ["0_jackson_0.wav", "9_theo_49.wav"]
    assert [len(sha) for _, sha in calls] == [64, 64]
    assert calls[0][1] == audio.MINI_SPEECH_COMMANDS_SHA256 and calls[1][1] == audio.FSDD_SHA256


def test_quick_mode_never_downloads(tmp_path, monkeypatch, mode):
    mode("quick")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    with pytest.raises(data.OfflineModeError):
        audio.free_spoken_digits()
    assert not list(Path(tmp_path).rglob("*.tar.gz"))


def test_bad_audio_inputs_get_japanese_messages(tmp_path):
    from utils import checks

    (tmp_path / "zero.wav").write_bytes(b"")
    with pytest.raises(audio.AudioLoadError, match="空のファイル"):
        audio.load_audio(tmp_path / "zero.wav")
    with pytest.raises(checks.ParameterError, match="sr には正の整数"):
        audio.load_audio(tmp_path / "zero.wav", sr=True)
    # 読めるが授業には使えない音声: 短すぎる・無音・NaN は checks.audio_signal が名前つきで止める
    sf.write(tmp_path / "short.wav", tone(seconds=0.1), 16000, subtype="PCM_16")
    sf.write(tmp_path / "silent.wav", np.zeros(16000), 16000, subtype="PCM_16")
    for name, message in [("short.wav", "秒しかありません"), ("silent.wav", "ほぼ無音")]:
        wave = audio.load_audio(tmp_path / name)
        with pytest.raises(checks.ParameterError, match=rf"AUDIO_PATH の音声.*{message}"):
            checks.audio_signal("AUDIO_PATH", wave, 16000, min_seconds=0.5)
