"""utils.bert: 日本語 BERT のトークナイザ (参照実装との一致)、HF 形式の書き出しと KerasHub での読み込み、同梱の小型 BERT。"""

import json
import os

import numpy as np

from utils import bert, data

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

TINY = "weights/tiny_bert_ja"
TINY_FILES = ["config.json", "model.safetensors", "tokenizer_config.json", "vocab.txt"]
SENTENCES = [
    "私は私の過去を善悪ともに他ひとの参考に供するつもりです",
    "みどり市は１０日、ＡＩを使った窓口を始めると発表した。",
    "むかしむかし、山のふもとに正直なおじいさんが住んでいました。",
    "「ほう、おら一等だぞ。」と叫んだ。",
    "寿" * 120,  # 100 文字を超える単語は [UNK]
    "",
]


def _reference(vocab_file):
    from transformers import BertJapaneseTokenizer

    return BertJapaneseTokenizer(
        str(vocab_file),
        word_tokenizer_type="mecab",
        subword_tokenizer_type="wordpiece",
        mecab_kwargs={"mecab_dic": "unidic_lite"},
        do_lower_case=False,
    )


def test_tokenizer_matches_bert_japanese_tokenizer_on_shipped_vocab():
    vocab_file = data.repo_file(f"{TINY}/vocab.txt")
    ours, reference = bert.JapaneseBertTokenizer.from_file(vocab_file), _reference(vocab_file)
    for sentence in SENTENCES:
        assert ours.encode(sentence) == reference(sentence)["input_ids"], sentence
        assert ours.tokenize(sentence) == reference.tokenize(sentence), sentence


def test_tokenizer_wordpiece_and_padding():
    tok = bert.JapaneseBertTokenizer(bert.SPECIAL_TOKENS + ["私", "は", "猫", "##猫", "過", "##去", "過去"])
    assert tok.wordpiece("過去") == ["過去"]  # 最長一致
    assert tok.wordpiece("過去去") == ["過去", "##去"]
    assert tok.wordpiece("犬") == ["[UNK]"]
    batch = tok(["私は猫", "私は猫猫猫猫猫"], max_length=5)
    assert batch["token_ids"].tolist() == [[2, 5, 6, 7, 3], [2, 5, 6, 7, 3]]  # 長い文は後ろを切って [SEP] を残す
    assert tok(["私"], max_length=5)["padding_mask"].tolist() == [[1, 1, 1, 0, 0]]
    assert tok.decode([2, 9, 10, 3, 0]) == "過去"


def test_build_vocab_covers_every_character_of_the_training_text():
    sentences = ["私は猫が好きだ。", "猫は私が好きだ。", "犬は走る。"]
    vocab = bert.build_vocab(sentences, min_count=2)
    assert vocab[:5] == bert.SPECIAL_TOKENS and len(vocab) == len(set(vocab))
    tok = bert.JapaneseBertTokenizer(vocab)
    for s in sentences:
        assert "[UNK]" not in tok.tokenize(s)
    assert "好き" in vocab and "走る" not in vocab and "##る" in vocab  # 1 回だけの単語は文字に分ける


def _tiny_random_model(vocab_size, seed=0):
    import keras
    import keras_hub

    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=vocab_size, num_layers=2, num_heads=2, hidden_dim=8, intermediate_dim=16, max_sequence_length=16
    )
    head = keras_hub.layers.MaskedLMHead(
        vocabulary_size=vocab_size,
        token_embedding=backbone.token_embedding,
        intermediate_activation=keras.activations.gelu,
        layer_norm_epsilon=1e-12,
    )
    head.build((None, None, 8))
    rng = np.random.default_rng(seed)
    for v in backbone.weights + head.weights:  # 既定の初期値 (0 や 1) のままだと対応の取り違えを見逃す
        v.assign(rng.normal(scale=0.2, size=v.shape).astype("float32"))
    return backbone, head


def test_hf_checkpoint_round_trip_through_keras_hub(tmp_path):
    import keras_hub

    vocab = bert.SPECIAL_TOKENS + list("私はのを猫犬") + ["##" + c for c in "私はのを猫犬"]
    backbone, head = _tiny_random_model(len(vocab))
    out = bert.save_hf_checkpoint(backbone, vocab, tmp_path / "ckpt", mlm_head=head)
    assert sorted(p.name for p in out.iterdir()) == sorted(TINY_FILES)
    config = json.loads((out / "config.json").read_text())
    assert config["model_type"] == "bert" and config["vocab_size"] == len(vocab) and config["hidden_size"] == 8

    loaded = keras_hub.models.BertBackbone.from_preset(str(out))  # full の "hf://…" と同じ読み込み
    loaded_head = bert.load_mlm_head(str(out), loaded)
    tok = bert.JapaneseBertTokenizer.from_file(out / "vocab.txt")
    x = tok(["私は猫を", "犬の私"], max_length=8)
    a, b = backbone(x), loaded(x)
    for key in ("sequence_output", "pooled_output"):
        np.testing.assert_allclose(a[key], b[key], atol=1e-6)
    positions = np.array([[1, 2], [3, 1]])
    np.testing.assert_allclose(
        head(a["sequence_output"], mask_positions=positions),
        loaded_head(b["sequence_output"], mask_positions=positions),
        atol=1e-5,
    )
    # 同じ重みなら同じバイト列 (sha256 で管理できる)
    again = bert.save_hf_checkpoint(backbone, vocab, tmp_path / "again", mlm_head=head)
    for name in TINY_FILES:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_mlm_head_accepts_old_gamma_beta_names(tmp_path):
    from safetensors.numpy import load_file, save_file

    vocab = bert.SPECIAL_TOKENS + list("私は")
    backbone, head = _tiny_random_model(len(vocab))
    out = bert.save_hf_checkpoint(backbone, vocab, tmp_path / "ckpt", mlm_head=head)
    tensors = load_file(str(out / "model.safetensors"))
    old = {
        k.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta"): v
        for k, v in tensors.items()
    }
    save_file(old, str(out / "model.safetensors"))  # 古い TF 版 BERT の名前
    loaded = bert.load_mlm_head(str(out), backbone)
    np.testing.assert_allclose(
        loaded._intermediate_layer_norm.gamma.numpy(), head._intermediate_layer_norm.gamma.numpy()
    )


def test_shipped_tiny_bert_is_registered_and_loads():
    import keras_hub

    paths = [data.repo_file(f"{TINY}/{name}") for name in TINY_FILES]  # sha256 を確かめる
    preset = str(paths[0].parent)
    backbone = keras_hub.models.BertBackbone.from_preset(preset)
    head = bert.load_mlm_head(preset, backbone)
    tok = bert.JapaneseBertTokenizer.from_file(paths[-1])
    assert backbone.vocabulary_size == len(tok.vocab) and tok.vocab[:5] == bert.SPECIAL_TOKENS
    ids = tok([SENTENCES[2]], max_length=32)
    logits = head(backbone(ids)["sequence_output"], mask_positions=np.array([[1]]))
    assert logits.shape == (1, 1, len(tok.vocab)) and np.isfinite(np.asarray(logits)).all()
