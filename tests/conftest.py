import os
from pathlib import Path

import pytest

os.environ.setdefault("COURSE_MODE", "quick")

import utils  # noqa: E402,F401  (TF のログ抑制を先に効かせる)
from utils import config  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"


@pytest.fixture
def realdata():
    """../shared/realdata (本物のファイル)。無い環境ではスキップする。"""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata がありません")
    return REALDATA


@pytest.fixture
def mode(monkeypatch):
    """テスト中だけモードを切り替える: mode("full") / mode("quick")。"""

    def set_mode(name):
        monkeypatch.setenv("COURSE_MODE", name)
        monkeypatch.setattr(config, "_current", None)
        config.block_network(name == "quick")

    yield set_mode
    config.block_network(False)
