"""日本語 BERT の配管: 東北大 BERT v3 の取得、Hugging Face の ``tf_model.h5`` から KerasHub への読み込み、トークナイザ。

- ``download_pretrained()`` (full): ``tohoku-nlp/bert-base-japanese-v3`` の 4 ファイルを **コミットを固定した URL** から
  ``utils.data.download`` で取得する。このリポジトリの main には ``model.safetensors`` が無く (``pytorch_model.bin``・
  ``tf_model.h5``・``flax_model.msgpack`` だけ)、KerasHub 0.32 の ``from_preset("hf://…")`` は safetensors しか読まないので、
  ``tf_model.h5`` (transformers の ``TFBertForPreTraining.save_pretrained`` が書く Keras 2 形式の HDF5) を読む。
- ``load_pretrained(folder)``: config.json と tf_model.h5 から KerasHub の ``BertBackbone``・``MaskedLMHead`` (穴埋め)・
  NSP の出力層 (``Dense(2)``) を作る。quick の小型 BERT (``data/weights/tiny_bert_ja``) も同じ形式・同じ関数で読む。
- ``write_tf_model_h5`` / ``tf_arrays``: 同じ形式のファイルを書く (小型 BERT、テスト、full のリハーサル用の代替ファイル)。
  名前と形は transformers の TF 版 BERT (``modeling_tf_bert.py``) と、公開されている tf_model.h5 の読み込みコードで確かめた。
- ``load_tokenizer(folder)``: transformers の ``BertJapaneseTokenizer`` (MeCab + WordPiece) をオフラインで作り、
  ``encode`` で KerasHub の入力 (token_ids, segment_ids, padding_mask) にする。
"""

from __future__ import annotations

import collections
import json
import os
from pathlib import Path

import numpy as np

from . import data, text

HF_REPO = "tohoku-nlp/bert-base-japanese-v3"
# 固定するコミット: 公開リポジトリ 4 つ以上が同じ値でこのモデルを固定している (HF の snapshots のフォルダ名と同じもの)。
HF_COMMIT = "65243d6e5629b969c77309f217bd7b1a79d43c7e"
FILES = ("config.json", "tf_model.h5", "tokenizer_config.json", "vocab.txt")
# sha256: config.json と vocab.txt は、このコミットを固定した公開リポジトリに記録された値 (vocab.txt は 2 つで一致)。
# tf_model.h5 (LFS) と tokenizer_config.json の sha256 を記録した公開情報は見つからなかった → None = data.UNPUBLISHED
# (初回のダウンロードで計算した値を表示して保存し、以後はその値で確かめる)。
HF_SHA256 = {
    "config.json": "2a86800f7f45c980d14cbb0f22a71e4f42642fad8c4b2b658fb98b65dfa9e527",
    "tf_model.h5": None,
    "tokenizer_config.json": None,
    "vocab.txt": "5e9a696b0191b833cfdf8eefada01f41f23ccbd7e7746946864260b1cdd0a784",
}
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
TOKENIZER_CONFIG = {
    "tokenizer_class": "BertJapaneseTokenizer",
    "do_lower_case": False,
    "word_tokenizer_type": "mecab",
    "subword_tokenizer_type": "wordpiece",
    "mecab_kwargs": {"mecab_dic": "unidic_lite"},
    "model_max_length": 512,
}
MODEL_NAME = "tf_bert_for_pre_training"  # TFBertForPreTraining の重みの名前の先頭 (読み込みでは無視する)


def hf_url(filename: str) -> str:
    return data.hf_url(HF_REPO, HF_COMMIT, filename)


def download_pretrained() -> Path:
    """東北大 BERT v3 の 4 ファイルを (キャッシュに無ければ) 取得し、そのフォルダを返す (full モード)。"""
    return data.hf_files(HF_REPO, FILES, revision=HF_COMMIT, sha256=HF_SHA256)


# --- トークナイザ ------------------------------------------------------------------------


def load_tokenizer(folder: str | os.PathLike):
    """フォルダの vocab.txt と tokenizer_config.json から transformers の BertJapaneseTokenizer を作る (オフライン)。"""
    from transformers import BertJapaneseTokenizer
    from transformers.utils import logging

    logging.set_verbosity_error()  # 2 文の組を切り詰めるたびに出る案内を出さない
    config_file = Path(folder) / "tokenizer_config.json"
    # ファイルに無い設定は東北大 BERT v3 の設定 (MeCab + unidic-lite)。transformers の既定 (空白で分ける basic) にはしない
    config = {**TOKENIZER_CONFIG, **(json.loads(config_file.read_text(encoding="utf-8")) if config_file.exists() else {})}
    return BertJapaneseTokenizer(
        str(Path(folder) / "vocab.txt"),
        do_lower_case=config["do_lower_case"],
        word_tokenizer_type=config["word_tokenizer_type"],
        subword_tokenizer_type=config["subword_tokenizer_type"],
        mecab_kwargs=config["mecab_kwargs"],
        model_max_length=config["model_max_length"],
    )


def encode(tokenizer, sentences, max_length: int, pairs=None) -> dict[str, np.ndarray]:
    """文 (と 2 文目) を ``[CLS] A [SEP] (B [SEP])`` にし、後ろを [PAD] で埋めた KerasHub の入力にする。"""
    batch = tokenizer(
        list(sentences),
        None if pairs is None else list(pairs),
        max_length=max_length,
        padding="max_length",
        truncation=True,
        return_token_type_ids=True,
        return_tensors="np",
    )
    return {
        "token_ids": batch["input_ids"].astype("int32"),
        "segment_ids": batch["token_type_ids"].astype("int32"),
        "padding_mask": batch["attention_mask"].astype("int32"),
    }


def build_vocab(sentences: list[str], min_count: int = 2) -> list[str]:
    """小さな WordPiece 語彙: 特殊トークン + min_count 回以上の単語 + 全文字 (単語の先頭用と ## の続き用)。

    どの単語も 1 文字ずつまでは切れるので、学習データに出た文字だけでできた単語は [UNK] にならない。
    """
    counts = collections.Counter(w for s in sentences for w in text.words(s))
    chars = sorted({c for w in counts for c in w})
    words = sorted(w for w, c in counts.items() if c >= min_count and len(w) > 1)
    return SPECIAL_TOKENS + chars + ["##" + c for c in chars] + words


# --- モデル (KerasHub) と tf_model.h5 の対応 ----------------------------------------------


def new_heads(backbone):
    """BERT の事前学習の 2 つの出力層: MLM ヘッド (出力の行列は単語埋め込みと共有) と NSP の Dense(2)。"""
    import keras
    import keras_hub

    mlm_head = keras_hub.layers.MaskedLMHead(
        vocabulary_size=backbone.vocabulary_size,
        token_embedding=backbone.token_embedding,
        intermediate_activation=keras.activations.gelu,
        layer_norm_epsilon=1e-12,
        name="mlm_head",
    )
    mlm_head.build((None, None, backbone.hidden_dim))
    nsp_head = keras.layers.Dense(2, name="nsp_head")  # pooled output (全結合 + tanh) → 「続き / 続きでない」
    nsp_head.build((None, backbone.hidden_dim))
    return mlm_head, nsp_head


def _pairs(backbone, mlm_head, nsp_head):
    """(tf_model.h5 の名前 (先頭のモデル名を除く), KerasHub の変数) の対応表。TF の Dense の kernel は (入力, 出力)。"""
    e = "bert/embeddings/"
    pairs = [
        (e + "word_embeddings/weight:0", backbone.token_embedding.embeddings),
        (e + "token_type_embeddings/embeddings:0", backbone.segment_embedding.embeddings),
        (e + "position_embeddings/embeddings:0", backbone.position_embedding.position_embeddings),
        (e + "LayerNorm/gamma:0", backbone.embeddings_layer_norm.gamma),
        (e + "LayerNorm/beta:0", backbone.embeddings_layer_norm.beta),
    ]
    for i, block in enumerate(backbone.transformer_layers):
        p, attn = f"bert/encoder/layer_._{i}/", block._self_attention_layer
        for name, dense in [("query", attn.query_dense), ("key", attn.key_dense), ("value", attn.value_dense)]:
            pairs += [(p + f"attention/self/{name}/kernel:0", dense.kernel), (p + f"attention/self/{name}/bias:0", dense.bias)]
        pairs += [
            (p + "attention/output/dense/kernel:0", attn.output_dense.kernel),
            (p + "attention/output/dense/bias:0", attn.output_dense.bias),
            (p + "attention/output/LayerNorm/gamma:0", block._self_attention_layer_norm.gamma),
            (p + "attention/output/LayerNorm/beta:0", block._self_attention_layer_norm.beta),
            (p + "intermediate/dense/kernel:0", block._feedforward_intermediate_dense.kernel),
            (p + "intermediate/dense/bias:0", block._feedforward_intermediate_dense.bias),
            (p + "output/dense/kernel:0", block._feedforward_output_dense.kernel),
            (p + "output/dense/bias:0", block._feedforward_output_dense.bias),
            (p + "output/LayerNorm/gamma:0", block._feedforward_layer_norm.gamma),
            (p + "output/LayerNorm/beta:0", block._feedforward_layer_norm.beta),
        ]
    m = "mlm___cls/predictions/"
    pairs += [("bert/pooler/dense/kernel:0", backbone.pooled_dense.kernel), ("bert/pooler/dense/bias:0", backbone.pooled_dense.bias)]
    if nsp_head is not None:  # NSP の出力層の無いチェックポイント (MLM だけで事前学習したもの) もある
        pairs += [("nsp___cls/seq_relationship/kernel:0", nsp_head.kernel), ("nsp___cls/seq_relationship/bias:0", nsp_head.bias)]
    return pairs + [
        (m + "transform/dense/kernel:0", mlm_head._intermediate_dense.kernel),
        (m + "transform/dense/bias:0", mlm_head._intermediate_dense.bias),
        (m + "transform/LayerNorm/gamma:0", mlm_head._intermediate_layer_norm.gamma),
        (m + "transform/LayerNorm/beta:0", mlm_head._intermediate_layer_norm.beta),
        (m + "bias:0", mlm_head._bias),
    ]


def tf_arrays(backbone, mlm_head, nsp_head) -> dict[str, np.ndarray]:
    """KerasHub の重み → {tf_model.h5 の名前: TF の形の配列} (注意機構の (H, ヘッド, d) は (H, ヘッド·d) に戻す)。

    ``nsp_head`` が None なら NSP の出力層の重みは含めない。
    """
    return {name: np.asarray(v.numpy(), "float32").reshape(_tf_shape(name, v.shape)) for name, v in _pairs(backbone, mlm_head, nsp_head)}


def _tf_shape(name: str, shape) -> tuple:
    if "/attention/self/" in name:  # kernel (H, h, d) → (H, h·d)、bias (h, d) → (h·d,)
        return (shape[0], shape[1] * shape[2]) if name.endswith("kernel:0") else (shape[0] * shape[1],)
    if "/attention/output/dense/kernel" in name:  # (h, d, H) → (h·d, H)
        return (shape[0] * shape[1], shape[2])
    return tuple(shape)


def write_tf_model_h5(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> Path:
    """transformers の ``TFBertForPreTraining.save_pretrained`` と同じ配置の tf_model.h5 を書く (Keras 2 の save_weights 形式)。

    最上位のグループは ``bert``・``nsp___cls``・``mlm___cls`` (ファイルの属性 ``layer_names``)、各グループの属性
    ``weight_names`` に ``tf_bert_for_pre_training/…/kernel:0`` のような重みの名前が並び、データセットは
    ``グループ/重みの名前`` にある。単語埋め込みは MLM ヘッドの出力と共有なので ``mlm___cls`` の下にも同じ値が入る。
    時刻を記録しないので、同じ重みなら同じバイト列になる。
    """
    import h5py

    groups = {"bert": [], "nsp___cls": [], "mlm___cls": []}
    for name in arrays:
        groups[name.split("/")[0]].append(name)
    groups["mlm___cls"].append("bert/embeddings/word_embeddings/weight:0")  # 共有された単語埋め込み
    groups = {g: names for g, names in groups.items() if names}  # NSP の出力層が無ければ nsp___cls も無い
    gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    gcpl.set_obj_track_times(False)

    def group(parent, name):  # 途中のグループも時刻なしで作る
        if name not in parent:
            h5py.h5g.create(parent.id, name.encode(), gcpl=gcpl)
        return parent[name]

    path = Path(path)
    with h5py.File(path, "w") as f:
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.12.0"
        f.attrs["layer_names"] = np.array([g.encode() for g in groups], dtype="S")
        for top, names in groups.items():
            g = group(f, top)
            full = [f"{MODEL_NAME}/{n}" for n in names]
            g.attrs["weight_names"] = np.array([n.encode() for n in full], dtype="S")
            for name, full_name in zip(names, full):
                parent = g
                for part in full_name.split("/")[:-1]:
                    parent = group(parent, part)
                value = np.asarray(arrays[name], "float32")
                parent.create_dataset(full_name.split("/")[-1], data=value, track_times=False)
    return path


def read_tf_model_h5(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """tf_model.h5 を {名前 (先頭のモデル名を除く): 配列} にする (``layer_names``・``weight_names`` の属性をたどる)。"""
    import h5py

    def attr_list(obj, key):  # 長い属性は Keras 2 が key0, key1, … に分けて保存する
        chunks = [obj.attrs[key]] if key in obj.attrs else [obj.attrs[f"{key}{i}"] for i in range(len(obj.attrs)) if f"{key}{i}" in obj.attrs]
        return [n.decode() if isinstance(n, bytes) else str(n) for chunk in chunks for n in chunk]

    out = {}
    with h5py.File(path, "r") as f:
        for group in attr_list(f, "layer_names"):
            for full_name in attr_list(f[group], "weight_names"):
                parts = full_name.split("/")
                name = "/".join(parts[1:]) if parts[0] not in ("bert", "nsp___cls", "mlm___cls") else full_name
                out.setdefault(name, f[group][full_name][()])
    return out


def load_pretrained(folder: str | os.PathLike, dtype=None):
    """HF 形式のフォルダ (config.json, tf_model.h5) → (BertBackbone, MaskedLMHead, NSP の Dense)。形が合わなければ止める。

    tf_model.h5 に NSP の出力層 (``nsp___cls``) が無ければ、3 つ目は None。
    """
    import keras_hub

    folder = Path(folder)
    c = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=c["vocab_size"],
        num_layers=c["num_hidden_layers"],
        num_heads=c["num_attention_heads"],
        hidden_dim=c["hidden_size"],
        intermediate_dim=c["intermediate_size"],
        max_sequence_length=c["max_position_embeddings"],
        num_segments=c["type_vocab_size"],
        dropout=c.get("hidden_dropout_prob", 0.1),
        dtype=dtype,
    )
    mlm_head, nsp_head = new_heads(backbone)
    arrays = read_tf_model_h5(folder / "tf_model.h5")
    if not any(name.startswith("nsp___cls/") for name in arrays):
        nsp_head = None
    pairs = _pairs(backbone, mlm_head, nsp_head)
    missing = [name for name, _ in pairs if name not in arrays]
    if missing:
        raise KeyError(f"tf_model.h5 に無い重み {len(missing)} 個 (例: {missing[:3]})。BertForPreTraining の重みではありません。")
    for name, variable in pairs:
        value = arrays[name]
        if value.shape != _tf_shape(name, variable.shape):
            raise ValueError(f"{name} の形 {value.shape} が config.json から作ったモデル {tuple(variable.shape)} と合いません。")
        variable.assign(value.reshape(variable.shape))
    return backbone, mlm_head, nsp_head


def save_pretrained(folder: str | os.PathLike, backbone, mlm_head, nsp_head, vocab: list[str]) -> Path:
    """HF 形式のフォルダ (config.json, tf_model.h5, tokenizer_config.json, vocab.txt) に書き出す。"""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    assert len(vocab) == backbone.vocabulary_size and vocab[: len(SPECIAL_TOKENS)] == SPECIAL_TOKENS
    config = {
        "architectures": ["BertForPreTraining"],
        "model_type": "bert",
        "vocab_size": backbone.vocabulary_size,
        "hidden_size": backbone.hidden_dim,
        "num_hidden_layers": backbone.num_layers,
        "num_attention_heads": backbone.num_heads,
        "intermediate_size": backbone.intermediate_dim,
        "max_position_embeddings": backbone.max_sequence_length,
        "type_vocab_size": backbone.num_segments,
        "hidden_act": "gelu",
        "hidden_dropout_prob": backbone.dropout,
        "attention_probs_dropout_prob": backbone.dropout,
        "layer_norm_eps": 1e-12,
        "pad_token_id": 0,
        "tokenizer_class": "BertJapaneseTokenizer",
    }
    (out / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (out / "tokenizer_config.json").write_text(json.dumps(TOKENIZER_CONFIG, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (out / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    write_tf_model_h5(out / "tf_model.h5", tf_arrays(backbone, mlm_head, nsp_head))
    return out
