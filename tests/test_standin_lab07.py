"""scripts/standins/lab07.py: ViT-B/16 プリセットの代役が本物と同じ URL・ファイル名で、KerasHub で読めること。"""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module():
    spec = importlib.util.spec_from_file_location("_standin_lab07", ROOT / "scripts" / "standins" / "lab07.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vit_preset_standin_has_the_real_layout_and_loads(tmp_path):
    import keras_hub
    import numpy as np

    lab07 = _module()
    files = lab07.make(tmp_path)
    base = "https://huggingface.co/keras/vit_base_patch16_224_imagenet/resolve/main/"
    assert sorted(files) == sorted(base + rel for rel in lab07.FILES)
    for url, path in files.items():
        assert path.is_file() and path.as_posix().endswith(url.removeprefix(base))
    backbone = keras_hub.models.ViTBackbone.from_preset(str(tmp_path / "vit_base_patch16_224_imagenet"))
    assert (list(backbone.patch_size), backbone.hidden_dim, backbone.num_heads, backbone.num_layers) == ([16, 16], 768, 12, 1)
    size = backbone.image_shape[0]
    tokens = backbone(np.zeros((2, size, size, 3), "float32"))
    assert tokens.shape == (2, 1 + (size // 16) ** 2, 768)  # [CLS] + パッチ
