"""08 の代役 (scripts/standins/lab08.py): 本物と同じ URL・ファイル名・配置で、ノートブックの読み方で読める。"""

import json
import re
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from standins import lab08  # noqa: E402


def _code(name):
    cells = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))["cells"]
    source = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return re.sub(r'"\s*\n\s*"', "", source)  # ("..." "...") の折り返しをつなぐ


def test_mobilenet_url_is_the_keras_one_and_the_notebooks():
    import keras.src.applications.mobilenet_v2 as mobilenet_v2

    assert lab08.MOBILENET_V2_NOTOP_URL == mobilenet_v2.BASE_WEIGHT_PATH + "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_128_no_top.h5"
    assert lab08.MOBILENET_V2_NOTOP_URL in _code("08_segmentation.ipynb")
    assert f"{lab08.PETS_URL}" in _code("08_segmentation.ipynb")


def test_mobilenet_weights_load_like_the_notebook(tmp_path):
    import keras

    made = lab08.mobilenet_v2_notop(tmp_path)
    (url, path), = made.items()
    assert path.name == Path(url).name
    for size in (128, 64):  # full の 128 px とリハーサルの 64 px
        net = keras.applications.MobileNetV2(input_shape=(size, size, 3), include_top=False, weights=str(path))
        assert net.get_layer("block_16_project").output.shape[1:] == (size // 32, size // 32, 320)


def test_pets_archives_have_the_real_layout(tmp_path):
    made = lab08.pets(tmp_path)
    assert set(made) == {f"{lab08.PETS_URL}/images.tar.gz", f"{lab08.PETS_URL}/annotations.tar.gz"}
    with tarfile.open(made[f"{lab08.PETS_URL}/annotations.tar.gz"]) as tar:
        names = tar.getnames()
        split = {s: tar.extractfile(f"annotations/{s}.txt").read().decode().split("\n") for s in ("trainval", "test")}
    with tarfile.open(made[f"{lab08.PETS_URL}/images.tar.gz"]) as tar:
        images = set(tar.getnames())
    for s, lines in split.items():
        stems = [line.split()[0] for line in lines if line.strip()]
        assert stems, s
        for stem in stems:
            assert f"annotations/trimaps/{stem}.png" in names and f"images/{stem}.jpg" in images
