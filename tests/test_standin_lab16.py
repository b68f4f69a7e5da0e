"""16 の代役 (scripts/standins/lab16.py): 本物の facades.tar.gz と同じ配置 (facades/{train,val,test}/N.jpg, 256×512)。"""

import sys
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from standins import lab16  # noqa: E402


def test_facades_standin_has_the_real_layout(tmp_path):
    made = lab16.make(tmp_path)
    assert list(made) == ["http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz"]
    archive = made[lab16.URL]
    assert archive.name == "facades.tar.gz"
    with tarfile.open(archive) as tar:
        names = [m.name for m in tar.getmembers() if m.isfile()]
    for split, n in lab16.COUNTS.items():
        assert sorted(x for x in names if x.startswith(f"facades/{split}/")) == sorted(
            f"facades/{split}/{i}.jpg" for i in range(1, n + 1)
        )
    img = np.asarray(Image.open(tmp_path / "tree" / "facades" / "train" / "1.jpg"))
    assert img.shape == (256, 512, 3) and img.dtype == np.uint8
