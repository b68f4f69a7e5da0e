"""12・13 の代役 (mini_speech_commands.zip, FSDD v1.0.9.tar.gz) が、本物と同じ道 (download → extract →
utils.audio の読み込み関数) で、ノートブックが期待する配置・形式になること。"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from utils import audio, config

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))  # standins.common を import できるように


def _standin(name):
    spec = importlib.util.spec_from_file_location(f"_standin_{name}", ROOT / "scripts" / "standins" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def rehearse(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_REHEARSAL", "1")
    monkeypatch.setenv("COURSE_MODE", "full")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(config, "_current", None)
    yield tmp_path
    config.block_network(False)


def _build(only):
    spec = importlib.util.spec_from_file_location("_make_standins", ROOT / "scripts" / "make_standins.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build(module.discover(only=only))


def test_lab12_mini_speech_commands_layout(rehearse):
    _build("12")
    root = audio.mini_speech_commands()
    words = sorted(p.name for p in root.iterdir() if p.is_dir())
    assert words == sorted(audio.COMMANDS)
    files = sorted(root.glob("*/*_nohash_*.wav"))
    assert len({f.name.split("_nohash_")[0] for f in files}) >= 10  # テストデータ (1 割) と検証データ (1/8) が空にならない
    wave = audio.load_audio(files[0], sr=16000)
    assert wave.dtype == np.float32 and 0.4 * 16000 <= len(wave) <= 16000


def test_lab13_fsdd_layout(rehearse):
    _build("13")
    recordings = audio.free_spoken_digits()
    files = sorted(recordings.glob("*.wav"))
    digits, speakers, takes = zip(*(f.stem.split("_") for f in files))
    assert set(digits) == {str(d) for d in range(10)} and len(set(speakers)) == 6
    assert {int(t) for t in takes} >= set(range(6))  # 0〜4 がテストデータ、5 以降が学習データ
    assert audio.load_audio(files[0], sr=8000).dtype == np.float32
