"""scripts/standins/lab11.py: GPT-2 プリセットの代役が本物と同じ URL・ファイル名で、KerasHub で読めること。"""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module():
    spec = importlib.util.spec_from_file_location("_standin_lab11", ROOT / "scripts" / "standins" / "lab11.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gpt2_preset_standin_has_the_real_layout_and_loads(tmp_path):
    import keras_hub

    lab11 = _module()
    files = lab11.make(tmp_path)
    base = "https://huggingface.co/keras/gpt2_base_en/resolve/main/"
    assert sorted(files) == sorted(base + rel for rel in lab11.FILES)
    for url, path in files.items():
        assert path.is_file() and path.as_posix().endswith(url.removeprefix(base))
    folder = tmp_path / "gpt2_base_en"
    backbone = keras_hub.models.GPT2Backbone.from_preset(str(folder))
    assert (backbone.hidden_dim, backbone.num_heads, backbone.num_layers) == (768, 12, 1)
    lm = keras_hub.models.GPT2CausalLM.from_preset(str(folder))
    prompt = "sea otter => loutre de mer\ncheese =>"
    assert lm.generate(prompt, max_length=64).startswith(prompt)
