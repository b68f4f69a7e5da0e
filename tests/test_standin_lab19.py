"""19 の代役 (scripts/standins/lab19.py): 本物の Omniglot の zip と同じ配置・同じ画像の形式。"""

import sys
import zipfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from standins import lab19  # noqa: E402


def test_omniglot_standin_has_the_real_layout(tmp_path):
    made = lab19.make(tmp_path)
    assert set(made) == {
        "https://github.com/brendenlake/omniglot/raw/master/python/images_background.zip",
        "https://github.com/brendenlake/omniglot/raw/master/python/images_evaluation.zip",
    }
    for url, path in made.items():
        split = url.rsplit("/", 1)[1].removesuffix(".zip")
        assert path.name == f"{split}.zip"
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.endswith(".png")]
            assert names and all(len(n.split("/")) == 4 and n.startswith(f"{split}/") for n in names)
            assert all(n.split("/")[2].startswith("character") for n in names)
            with zf.open(names[0]) as f:
                img = Image.open(f)
                assert img.size == (105, 105) and img.mode == "1"
