"""04 の代役 (scripts/standins/lab04.py): 本物と同じ URL・ファイル名で、keras.applications がそのまま読める重み。"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from standins import lab04  # noqa: E402


def test_urls_are_the_ones_in_keras_and_in_the_notebook():
    """代役の URL は keras の applications のソースが使う URL で、ノートブックの URL と同じ。"""
    import keras.src.applications.densenet as densenet
    import keras.src.applications.mobilenet_v2 as mobilenet_v2

    assert lab04.DENSENET121_URL == densenet.DENSENET121_WEIGHT_PATH
    assert lab04.MOBILENET_V2_URL.startswith(mobilenet_v2.BASE_WEIGHT_PATH)
    assert lab04.MOBILENET_V2_URL.endswith("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5")
    cells = json.loads((ROOT / "notebooks" / "04_mobilenet_densenet.ipynb").read_text(encoding="utf-8"))["cells"]
    source = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    joined = re.sub(r'"\s*\n\s*"', "", source)  # ("..." "...") の折り返しをつなぐ
    assert lab04.MOBILENET_V2_URL in joined and lab04.DENSENET121_URL in joined


def test_weights_load_into_the_real_architectures(tmp_path):
    import keras

    made = lab04.make(tmp_path)
    assert set(made) == {lab04.MOBILENET_V2_URL, lab04.DENSENET121_URL}
    for url, path in made.items():
        assert path.name == Path(url).name
    keras.applications.MobileNetV2(weights=str(made[lab04.MOBILENET_V2_URL]))
    keras.applications.DenseNet121(weights=str(made[lab04.DENSENET121_URL]))
