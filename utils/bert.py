"""日本語 BERT の配管: トークナイザ (MeCab + WordPiece)、Hugging Face 形式のチェックポイントの書き出しと MLM ヘッドの読み込み。

- ``JapaneseBertTokenizer``: 東北大 BERT (bert-base-japanese-v3) と同じ手順 — NFKC で正規化 → fugashi + unidic-lite で
  単語に分ける → 単語ごとに WordPiece (最長一致、続きは ``##``)。transformers の ``BertJapaneseTokenizer`` と同じ id を出す
  (tests/test_bert.py で確かめる)。
- ``save_hf_checkpoint``: KerasHub の ``BertBackbone`` (+ ``MaskedLMHead``) を Hugging Face の形式 (config.json,
  model.safetensors, vocab.txt, tokenizer_config.json) で書き出す。読み込みは KerasHub の
  ``BertBackbone.from_preset(フォルダ または "hf://…")`` (HF の重みの変換は KerasHub が行う)。
- ``load_mlm_head``: KerasHub は HF のチェックポイントから BERT 本体しか読まないので、穴埋め用の MLM ヘッド
  (``cls.predictions.*``) は safetensors から直接読み込む。
"""

from __future__ import annotations

import collections
import json
import os
from pathlib import Path

import numpy as np

from . import text

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
TOKENIZER_CONFIG = {
    "tokenizer_class": "BertJapaneseTokenizer",
    "do_lower_case": False,
    "word_tokenizer_type": "mecab",
    "subword_tokenizer_type": "wordpiece",
    "mecab_kwargs": {"mecab_dic": "unidic_lite"},
    "model_max_length": 512,
}


class JapaneseBertTokenizer:
    """MeCab (unidic-lite) で単語に分け、WordPiece でサブワードにする BERT のトークナイザ。"""

    def __init__(self, vocab: list[str], max_chars_per_word: int = 100):
        self.vocab = list(vocab)
        self.token_to_id = {t: i for i, t in enumerate(self.vocab)}
        self.max_chars_per_word = max_chars_per_word
        self.pad_id, self.unk_id, self.cls_id, self.sep_id, self.mask_id = (self.token_to_id[t] for t in SPECIAL_TOKENS)

    @classmethod
    def from_file(cls, vocab_file: str | os.PathLike) -> JapaneseBertTokenizer:
        return cls(Path(vocab_file).read_text(encoding="utf-8").splitlines())

    def wordpiece(self, word: str) -> list[str]:
        """1 単語を語彙にある最長の部分から順に切る (2 つ目以降は ##)。切れなければ [UNK] 1 つ。"""
        if len(word) > self.max_chars_per_word:
            return ["[UNK]"]
        pieces, start = [], 0
        while start < len(word):
            for end in range(len(word), start, -1):
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.token_to_id:
                    pieces.append(piece)
                    start = end
                    break
            else:
                return ["[UNK]"]
        return pieces

    def tokenize(self, sentence: str) -> list[str]:
        return [piece for word in text.words(sentence, normalize=True) for piece in self.wordpiece(word)]

    def encode(self, sentence: str, max_length: int | None = None) -> list[int]:
        """[CLS] 文 [SEP] の id 列 (max_length を超える分は文の後ろを切る)。"""
        ids = [self.token_to_id.get(t, self.unk_id) for t in self.tokenize(sentence)]
        if max_length is not None:
            ids = ids[: max_length - 2]
        return [self.cls_id, *ids, self.sep_id]

    def __call__(self, sentences: list[str], max_length: int) -> dict[str, np.ndarray]:
        """KerasHub の BertBackbone にそのまま渡せる入力 (後ろを [PAD] で埋め、長い文は切る)。"""
        token_ids = np.full((len(sentences), max_length), self.pad_id, dtype="int32")
        for i, sentence in enumerate(sentences):
            ids = self.encode(sentence, max_length)
            token_ids[i, : len(ids)] = ids
        return {
            "token_ids": token_ids,
            "segment_ids": np.zeros_like(token_ids),
            "padding_mask": (token_ids != self.pad_id).astype("int32"),
        }

    def decode(self, ids) -> str:
        """id 列を文字列に戻す ([PAD], [CLS], [SEP] は除き、## の続きはつなげる)。"""
        out = ""
        for i in ids:
            token = self.vocab[int(i)]
            if token in ("[PAD]", "[CLS]", "[SEP]"):
                continue
            out += token[2:] if token.startswith("##") else token
        return out


def build_vocab(sentences: list[str], min_count: int = 2) -> list[str]:
    """小さな WordPiece 語彙: 特殊トークン + min_count 回以上の単語 + 全文字 (単語の先頭用と ## の続き用)。

    どの単語も 1 文字ずつまでは切れるので、学習データに出た文字だけでできた単語は [UNK] にならない。
    """
    counts = collections.Counter(w for s in sentences for w in text.words(s))
    chars = sorted({c for w in counts for c in w})
    words = sorted(w for w, c in counts.items() if c >= min_count and len(w) > 1)
    return SPECIAL_TOKENS + chars + ["##" + c for c in chars] + words


# --- Hugging Face 形式 (safetensors) との変換 -------------------------------------------------


def _hf_tensors(backbone, mlm_head=None) -> dict[str, np.ndarray]:
    """KerasHub の変数 → HF の重みの名前と形 (KerasHub の convert_bert.py の逆変換)。"""

    def w(variable):
        return np.asarray(variable.numpy(), dtype="float32")

    t = {
        "bert.embeddings.word_embeddings.weight": w(backbone.token_embedding.embeddings),
        "bert.embeddings.position_embeddings.weight": w(backbone.position_embedding.position_embeddings),
        "bert.embeddings.token_type_embeddings.weight": w(backbone.segment_embedding.embeddings),
        "bert.embeddings.LayerNorm.weight": w(backbone.embeddings_layer_norm.gamma),
        "bert.embeddings.LayerNorm.bias": w(backbone.embeddings_layer_norm.beta),
        "bert.pooler.dense.weight": w(backbone.pooled_dense.kernel).T,
        "bert.pooler.dense.bias": w(backbone.pooled_dense.bias),
    }
    hidden = backbone.hidden_dim
    for i, block in enumerate(backbone.transformer_layers):
        p = f"bert.encoder.layer.{i}."
        attn = block._self_attention_layer
        for name, dense in [("query", attn.query_dense), ("key", attn.key_dense), ("value", attn.value_dense)]:
            t[p + f"attention.self.{name}.weight"] = w(dense.kernel).reshape(hidden, -1).T  # (H, h, d) → (h·d, H)
            t[p + f"attention.self.{name}.bias"] = w(dense.bias).reshape(-1)
        t[p + "attention.output.dense.weight"] = w(attn.output_dense.kernel).reshape(-1, hidden).T
        t[p + "attention.output.dense.bias"] = w(attn.output_dense.bias)
        t[p + "attention.output.LayerNorm.weight"] = w(block._self_attention_layer_norm.gamma)
        t[p + "attention.output.LayerNorm.bias"] = w(block._self_attention_layer_norm.beta)
        t[p + "intermediate.dense.weight"] = w(block._feedforward_intermediate_dense.kernel).T
        t[p + "intermediate.dense.bias"] = w(block._feedforward_intermediate_dense.bias)
        t[p + "output.dense.weight"] = w(block._feedforward_output_dense.kernel).T
        t[p + "output.dense.bias"] = w(block._feedforward_output_dense.bias)
        t[p + "output.LayerNorm.weight"] = w(block._feedforward_layer_norm.gamma)
        t[p + "output.LayerNorm.bias"] = w(block._feedforward_layer_norm.beta)
    if mlm_head is not None:  # 出力の行列は単語埋め込みと共有 (HF も decoder.weight を保存しない)
        t["cls.predictions.transform.dense.weight"] = w(mlm_head._intermediate_dense.kernel).T
        t["cls.predictions.transform.dense.bias"] = w(mlm_head._intermediate_dense.bias)
        t["cls.predictions.transform.LayerNorm.weight"] = w(mlm_head._intermediate_layer_norm.gamma)
        t["cls.predictions.transform.LayerNorm.bias"] = w(mlm_head._intermediate_layer_norm.beta)
        t["cls.predictions.bias"] = w(mlm_head._bias)
    return {k: np.ascontiguousarray(v) for k, v in sorted(t.items())}


def save_hf_checkpoint(backbone, vocab: list[str], out_dir: str | os.PathLike, mlm_head=None) -> Path:
    """BertBackbone (+ MaskedLMHead) を HF 形式のフォルダに書き出す。同じ重みなら同じバイト列になる。"""
    from safetensors.numpy import save_file

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    config = {
        "architectures": ["BertForPreTraining" if mlm_head is not None else "BertModel"],
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
    }
    assert len(vocab) == backbone.vocabulary_size and vocab[: len(SPECIAL_TOKENS)] == SPECIAL_TOKENS
    (out / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (out / "tokenizer_config.json").write_text(
        json.dumps(TOKENIZER_CONFIG, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    (out / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    save_file(_hf_tensors(backbone, mlm_head), str(out / "model.safetensors"), metadata={"format": "pt"})
    return out


def resolve_file(preset: str, filename: str) -> Path:
    """``hf://組織/モデル`` ならダウンロード (キャッシュ) し、フォルダならその中のファイルを返す。"""
    if preset.startswith("hf://"):
        from huggingface_hub import hf_hub_download

        return Path(hf_hub_download(preset.removeprefix("hf://"), filename))
    return Path(preset) / filename


def load_mlm_head(preset: str, backbone):
    """HF の ``cls.predictions.*`` (MLM ヘッド) を KerasHub の ``MaskedLMHead`` に読み込む (出力は単語埋め込みと共有)。"""
    import keras
    import keras_hub
    from safetensors import safe_open

    head = keras_hub.layers.MaskedLMHead(
        vocabulary_size=backbone.vocabulary_size,
        token_embedding=backbone.token_embedding,
        intermediate_activation=keras.activations.gelu,
        layer_norm_epsilon=1e-12,
        name="mlm_head",
    )
    head.build((None, None, backbone.hidden_dim))
    with safe_open(str(resolve_file(preset, "model.safetensors")), framework="np") as f:
        keys = set(f.keys())

        def get(name, *alternatives):
            for key in (name, *alternatives):
                if key in keys:
                    return f.get_tensor(key)
            raise KeyError(f"{name} が model.safetensors にありません (MLM ヘッドを含まないチェックポイント)。")

        ln = "cls.predictions.transform.LayerNorm."
        head._intermediate_dense.kernel.assign(get("cls.predictions.transform.dense.weight").T)
        head._intermediate_dense.bias.assign(get("cls.predictions.transform.dense.bias"))
        head._intermediate_layer_norm.gamma.assign(get(ln + "weight", ln + "gamma"))
        head._intermediate_layer_norm.beta.assign(get(ln + "bias", ln + "beta"))
        head._bias.assign(get("cls.predictions.bias", "cls.predictions.decoder.bias"))
    return head
