"""utils.bert: HF の tf_model.h5 (TFBertForPreTraining) の配置・KerasHub への読み込み・トークナイザ・同梱の小型 BERT。

読み込みの正しさは、名前から直接計算する numpy の BERT (Hugging Face の BertForPreTraining と同じ計算) と比べて確かめる。
書き出しと読み込みが同じ対応表を使っても、対応の取り違え (query と key など) はここで見つかる。
"""

import json
import math
import os

import numpy as np
import pytest

from utils import bert, data

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

TINY = "weights/tiny_bert_ja"
SENTENCES = [
    "私は私の過去を善悪ともに他ひとの参考に供するつもりです",
    "みどり市は１０日、ＡＩを使った窓口を始めると発表した。",
    "むかしむかし、山のふもとに正直なおじいさんが住んでいました。",
    "「ほう、おら一等だぞ。」と叫んだ。",
    "寿" * 120,  # 語彙に無い文字の列
]


def reference_layout(vocab, hidden, layers, inter, positions, types=2):
    """transformers の TF 版 BERT (TFBertForPreTraining) の重みの名前と形。utils.bert とは別に書き下したもの。"""
    e, names = "bert/embeddings/", {}
    names[e + "word_embeddings/weight:0"] = (vocab, hidden)
    names[e + "token_type_embeddings/embeddings:0"] = (types, hidden)
    names[e + "position_embeddings/embeddings:0"] = (positions, hidden)
    names[e + "LayerNorm/gamma:0"] = names[e + "LayerNorm/beta:0"] = (hidden,)
    for i in range(layers):
        p = f"bert/encoder/layer_._{i}/"
        for n in ("query", "key", "value"):
            names[p + f"attention/self/{n}/kernel:0"], names[p + f"attention/self/{n}/bias:0"] = (hidden, hidden), (hidden,)
        names[p + "attention/output/dense/kernel:0"], names[p + "attention/output/dense/bias:0"] = (hidden, hidden), (hidden,)
        names[p + "attention/output/LayerNorm/gamma:0"] = names[p + "attention/output/LayerNorm/beta:0"] = (hidden,)
        names[p + "intermediate/dense/kernel:0"], names[p + "intermediate/dense/bias:0"] = (hidden, inter), (inter,)
        names[p + "output/dense/kernel:0"], names[p + "output/dense/bias:0"] = (inter, hidden), (hidden,)
        names[p + "output/LayerNorm/gamma:0"] = names[p + "output/LayerNorm/beta:0"] = (hidden,)
    names["bert/pooler/dense/kernel:0"], names["bert/pooler/dense/bias:0"] = (hidden, hidden), (hidden,)
    names["nsp___cls/seq_relationship/kernel:0"], names["nsp___cls/seq_relationship/bias:0"] = (hidden, 2), (2,)
    m = "mlm___cls/predictions/"
    names[m + "transform/dense/kernel:0"], names[m + "transform/dense/bias:0"] = (hidden, hidden), (hidden,)
    names[m + "transform/LayerNorm/gamma:0"] = names[m + "transform/LayerNorm/beta:0"] = (hidden,)
    names[m + "bias:0"] = (vocab,)
    return names


def random_arrays(layout, seed=0):
    rng = np.random.default_rng(seed)
    return {k: rng.normal(scale=0.3, size=s).astype("float32") for k, s in layout.items()}


def write_folder(path, arrays, vocab, hidden, layers, heads, inter, positions):
    path.mkdir(parents=True, exist_ok=True)
    config = dict(
        vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
        intermediate_size=inter, max_position_embeddings=positions, type_vocab_size=2, model_type="bert",
    )
    (path / "config.json").write_text(json.dumps(config))
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    bert.write_tf_model_h5(path / "tf_model.h5", arrays)
    return path


def numpy_bert(a, ids, segments, mask, layers, heads):
    """Hugging Face の BertForPreTraining と同じ計算 (重みは名前で引く)。

    中間層の活性化だけは KerasHub の BertBackbone に合わせて GELU の tanh 近似にする (HF の "gelu" は erf。
    差は 1 つの活性化あたり 1e-3 以下で、重みの対応とは関係しない)。
    """

    def ln(x, p):
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * a[p + "gamma:0"] + a[p + "beta:0"]

    def dense(x, p):
        return x @ a[p + "kernel:0"] + a[p + "bias:0"]

    def gelu_tanh(x):
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))

    def gelu_erf(x):
        return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))

    e = "bert/embeddings/"
    t = ids.shape[1]
    x = a[e + "word_embeddings/weight:0"][ids] + a[e + "position_embeddings/embeddings:0"][:t]
    x = ln(x + a[e + "token_type_embeddings/embeddings:0"][segments], e + "LayerNorm/")
    b, h = x.shape[0], x.shape[2]
    d = h // heads
    for i in range(layers):
        p = f"bert/encoder/layer_._{i}/attention/"
        q, k, v = (dense(x, p + f"self/{n}/").reshape(b, t, heads, d).transpose(0, 2, 1, 3) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + (1 - mask[:, None, None, :]) * -1e9
        weights = np.exp(scores - scores.max(-1, keepdims=True))
        weights /= weights.sum(-1, keepdims=True)
        context = (weights @ v).transpose(0, 2, 1, 3).reshape(b, t, h)
        x = ln(x + dense(context, p + "output/dense/"), p + "output/LayerNorm/")
        p = f"bert/encoder/layer_._{i}/"
        x = ln(x + dense(gelu_tanh(dense(x, p + "intermediate/dense/")), p + "output/dense/"), p + "output/LayerNorm/")
    pooled = np.tanh(dense(x[:, 0], "bert/pooler/dense/"))
    nsp = dense(pooled, "nsp___cls/seq_relationship/")
    m = "mlm___cls/predictions/"
    transformed = ln(gelu_erf(dense(x, m + "transform/dense/")), m + "transform/LayerNorm/")
    mlm = transformed @ a[e + "word_embeddings/weight:0"].T + a[m + "bias:0"]
    return x, pooled, nsp, mlm


SIZE = dict(hidden=16, layers=2, heads=4, inter=24, positions=12)
VOCAB = bert.SPECIAL_TOKENS + list("私はのを猫犬が好き") + ["##" + c for c in "私はのを猫犬"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    layout = reference_layout(len(VOCAB), SIZE["hidden"], SIZE["layers"], SIZE["inter"], SIZE["positions"])
    arrays = random_arrays(layout)
    return write_folder(tmp_path_factory.mktemp("h5") / "model", arrays, VOCAB, **SIZE), arrays


def test_h5_has_the_layout_of_transformers_tf_model_h5(folder):
    import h5py

    path, arrays = folder
    with h5py.File(path / "tf_model.h5", "r") as f:
        assert [n.decode() for n in f.attrs["layer_names"]] == ["bert", "nsp___cls", "mlm___cls"]
        names = {g: [n.decode() for n in f[g].attrs["weight_names"]] for g in ("bert", "nsp___cls", "mlm___cls")}
        assert all(n.startswith("tf_bert_for_pre_training/") for ns in names.values() for n in ns)
        # 単語埋め込みは MLM ヘッドの出力と共有: mlm___cls の下にも同じ値が入る (transformers の実ファイルと同じ)
        shared = "mlm___cls/tf_bert_for_pre_training/bert/embeddings/word_embeddings/weight:0"
        np.testing.assert_array_equal(f[shared][()], arrays["bert/embeddings/word_embeddings/weight:0"])
        q = "bert/tf_bert_for_pre_training/bert/encoder/layer_._1/attention/self/query/kernel:0"
        assert f[q].shape == (16, 16) and f[q].dtype == np.float32
    assert sum(len(v) for v in names.values()) == len(arrays) + 1


def test_loading_h5_gives_the_outputs_of_the_reference_bert(folder):
    path, arrays = folder
    backbone, mlm_head, nsp_head = bert.load_pretrained(path)
    rng = np.random.default_rng(1)
    ids = rng.integers(5, len(VOCAB), size=(3, 10)).astype("int32")
    segments = (np.arange(10) >= 5).astype("int32")[None].repeat(3, 0)
    mask = np.ones_like(ids)
    mask[1, 7:] = 0  # 後ろが [PAD] の文
    out = backbone({"token_ids": ids, "segment_ids": segments, "padding_mask": mask})
    sequence, pooled, nsp, mlm = numpy_bert(arrays, ids, segments, mask, SIZE["layers"], SIZE["heads"])
    keep = mask.astype(bool)
    np.testing.assert_allclose(np.asarray(out["sequence_output"])[keep], sequence[keep], atol=2e-4)
    np.testing.assert_allclose(out["pooled_output"], pooled, atol=2e-4)
    np.testing.assert_allclose(nsp_head(out["pooled_output"]), nsp, atol=2e-4)
    positions = np.array([[1, 4], [2, 3], [0, 9]])
    logits = mlm_head(out["sequence_output"], mask_positions=positions)
    np.testing.assert_allclose(logits, np.take_along_axis(mlm, positions[..., None], 1), atol=5e-4)


def test_loader_stops_on_missing_or_misshaped_weights(folder, tmp_path):
    path, arrays = folder
    missing = dict(arrays)
    del missing["nsp___cls/seq_relationship/kernel:0"]
    bad = write_folder(tmp_path / "missing", missing, VOCAB, **SIZE)
    with pytest.raises(KeyError, match="seq_relationship"):
        bert.load_pretrained(bad)
    wrong = dict(arrays, **{"bert/pooler/dense/kernel:0": np.zeros((16, 8), "float32")})
    with pytest.raises(ValueError, match="pooler"):
        bert.load_pretrained(write_folder(tmp_path / "wrong", wrong, VOCAB, **SIZE))


def test_checkpoint_without_nsp_head_loads_with_none(folder, tmp_path):
    """MLM だけで事前学習したチェックポイント (nsp___cls が無い) も読め、NSP の出力層は None になる。"""
    import h5py

    path, arrays = folder
    mlm_only = {k: v for k, v in arrays.items() if not k.startswith("nsp___cls/")}
    out = write_folder(tmp_path / "mlm_only", mlm_only, VOCAB, **SIZE)
    with h5py.File(out / "tf_model.h5", "r") as f:
        assert [n.decode() for n in f.attrs["layer_names"]] == ["bert", "mlm___cls"]
    backbone, mlm_head, nsp_head = bert.load_pretrained(out)
    assert nsp_head is None
    again = bert.save_pretrained(tmp_path / "again", backbone, mlm_head, None, VOCAB)
    assert bert.read_tf_model_h5(again / "tf_model.h5").keys() == bert.read_tf_model_h5(out / "tf_model.h5").keys()


def test_reads_weight_names_split_into_chunks(folder, tmp_path):
    """Keras 2 は長い属性を weight_names0, weight_names1, … に分けて保存する (BERT-base の bert グループで起こりうる)。"""
    import shutil

    import h5py

    path, arrays = folder
    copy = tmp_path / "tf_model.h5"
    shutil.copy(path / "tf_model.h5", copy)
    with h5py.File(copy, "a") as f:
        names = f["bert"].attrs["weight_names"]
        del f["bert"].attrs["weight_names"]
        f["bert"].attrs["weight_names0"], f["bert"].attrs["weight_names1"] = names[:10], names[10:]
    assert bert.read_tf_model_h5(copy).keys() == bert.read_tf_model_h5(path / "tf_model.h5").keys()


def test_save_pretrained_round_trip_and_same_bytes(folder, tmp_path):
    path, _ = folder
    backbone, mlm_head, nsp_head = bert.load_pretrained(path)
    out = bert.save_pretrained(tmp_path / "a", backbone, mlm_head, nsp_head, VOCAB)
    again = bert.save_pretrained(tmp_path / "b", *bert.load_pretrained(out), VOCAB)
    assert sorted(p.name for p in out.iterdir()) == sorted(bert.FILES)
    for name in bert.FILES:  # 同じ重みなら同じバイト列 (sha256 で管理できる)
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
    for k, v in bert.read_tf_model_h5(path / "tf_model.h5").items():
        np.testing.assert_array_equal(bert.read_tf_model_h5(out / "tf_model.h5")[k], v)


def test_tokenizer_is_transformers_bert_japanese_tokenizer_with_the_v3_settings():
    from transformers import BertJapaneseTokenizer

    folder = data.repo_file(f"{TINY}/vocab.txt").parent
    data.repo_file(f"{TINY}/tokenizer_config.json")
    tok = bert.load_tokenizer(folder)
    reference = BertJapaneseTokenizer(
        str(folder / "vocab.txt"), word_tokenizer_type="mecab", subword_tokenizer_type="wordpiece",
        mecab_kwargs={"mecab_dic": "unidic_lite"}, do_lower_case=False,
    )
    for sentence in SENTENCES:
        assert tok(sentence)["input_ids"] == reference(sentence)["input_ids"], sentence
    assert set(tok.tokenize(SENTENCES[-1])) == {"[UNK]"}  # 語彙に無い文字
    x = bert.encode(tok, ["私は猫", "私"], max_length=8, pairs=["犬", "猫が好き"])
    assert x["token_ids"].dtype == np.int32 and x["token_ids"].shape == (2, 8)
    first = x["token_ids"][0].tolist()
    assert first[0] == tok.cls_token_id and first.count(tok.sep_token_id) == 2
    sep = first.index(tok.sep_token_id)
    assert x["segment_ids"][0, : sep + 1].sum() == 0 and x["segment_ids"][0, sep + 1] == 1
    assert x["padding_mask"].sum(1).tolist() == [(np.array(first) != 0).sum(), (x["token_ids"][1] != 0).sum()]


def test_build_vocab_covers_every_character_of_the_training_text(tmp_path):
    sentences = ["私は猫が好きだ。", "猫は私が好きだ。", "犬は走る。"]
    vocab = bert.build_vocab(sentences, min_count=2)
    assert vocab[:5] == bert.SPECIAL_TOKENS and len(vocab) == len(set(vocab))
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tok = bert.load_tokenizer(tmp_path)  # tokenizer_config.json が無くても v3 の設定 (transformers の既定の basic ではない)
    assert type(tok.word_tokenizer).__name__ == "MecabTokenizer"
    for s in sentences:
        assert "[UNK]" not in tok.tokenize(s)
    assert "好き" in vocab and "走る" not in vocab and "##る" in vocab  # 1 回だけの単語は文字に分ける


def test_pretrained_files_are_pinned_to_one_commit():
    assert len(bert.HF_COMMIT) == 40 and set(bert.HF_SHA256) == set(bert.FILES)
    for name in bert.FILES:
        url = bert.hf_url(name)
        assert url == f"https://huggingface.co/tohoku-nlp/bert-base-japanese-v3/resolve/{bert.HF_COMMIT}/{name}"
    assert bert.HF_SHA256["vocab.txt"] == "5e9a696b0191b833cfdf8eefada01f41f23ccbd7e7746946864260b1cdd0a784"


def test_shipped_tiny_bert_is_registered_and_loads():
    paths = [data.repo_file(f"{TINY}/{name}") for name in bert.FILES]  # sha256 を確かめる
    backbone, mlm_head, nsp_head = bert.load_pretrained(paths[0].parent)
    tok = bert.load_tokenizer(paths[0].parent)
    assert backbone.vocabulary_size == len(tok.vocab) and tok.convert_ids_to_tokens(list(range(5))) == bert.SPECIAL_TOKENS
    assert tok.tokenize("私は猫")[:2] == ["私", "は"]  # MeCab の単語に分けてから WordPiece (単語の先頭に ## は付かない)
    x = bert.encode(tok, [SENTENCES[2]], 32, pairs=[SENTENCES[1]])
    out = backbone(x)
    logits = mlm_head(out["sequence_output"], mask_positions=np.array([[1]]))
    assert logits.shape == (1, 1, len(tok.vocab)) and np.isfinite(np.asarray(logits)).all()
    assert nsp_head is None  # MLM だけで事前学習した (NSP の出力層はノートブックでファインチューニングする)


def test_lab10_standins_have_the_real_layout(tmp_path):
    """リハーサルの代役: 青空文庫の zip は load_aozora で本文だけになり、HF の 4 ファイルは load_pretrained で読める。"""
    import importlib.util
    import sys
    import zipfile
    from pathlib import Path

    from utils import text

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "scripts"))
    spec = importlib.util.spec_from_file_location("lab10_standin", root / "scripts" / "standins" / "lab10.py")
    lab10 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lab10)
    zips = lab10.make_aozora(tmp_path)
    assert set(zips) == {w.url for w in text.AOZORA_WORKS.values()}
    for path in zips.values():
        raw = zipfile.ZipFile(path).read(zipfile.ZipFile(path).namelist()[0])
        assert b"\r\n" in raw and raw.decode("shift_jis").startswith(("こころ", "それから", "夢十夜"))
        body = text.load_aozora(path)
        assert len(body) > 1000 and not any(m in body for m in ("《", "［＃", "｜", "底本", "【テキスト"))
    monkey = dict(lab10.BERT_BASE, vocab=2048, hidden=24, heads=2, intermediate=32, positions=16)
    lab10.BERT_BASE = monkey  # 形の小さい版で同じ関数を通す (本物の幅はリハーサルで通る)
    files = lab10.make_bert(tmp_path)
    assert set(files) == {bert.hf_url(name) for name in bert.FILES}
    folder = files[bert.hf_url("tf_model.h5")].parent
    backbone, _, nsp_head = bert.load_pretrained(folder)
    assert backbone.hidden_dim == 24 and backbone.vocabulary_size == 2048 and nsp_head.kernel.shape == (24, 2)
    assert bert.load_tokenizer(folder).convert_ids_to_tokens(4) == "[MASK]"
