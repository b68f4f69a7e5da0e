"""quick モード用の「事前学習済み」小型日本語 BERT を作る (data/weights/tiny_bert_ja/ と data/SHA256SUMS を更新)。

東北大 BERT の代わりに、同梱コーパス (utils.text.quick_corpus) の **学習用の文だけ** (utils.text.split_labeled の前 7 割。
評価用の文は使わない) で、穴埋め (Masked Language Modeling) の事前学習をする。ラベル (文体) は使わない。
書き出しは Hugging Face の形式 (config.json, model.safetensors, vocab.txt, tokenizer_config.json) で、
ノートブックは full モードの東北大 BERT と同じ ``keras_hub.models.BertBackbone.from_preset(フォルダ)`` で読み込む。
CPU 2 コアで数分。

    python scripts/make_tiny_bert.py            # 作り直して SHA256SUMS を更新
    python scripts/make_tiny_bert.py --check    # 作り直した結果が登録済みの sha256 と一致するか
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import utils  # noqa: E402  (TF より先に import して環境変数を設定する)
from utils import bert, data, text  # noqa: E402

OUT = "weights/tiny_bert_ja"
FILES = ["config.json", "model.safetensors", "tokenizer_config.json", "vocab.txt"]
SIZE = dict(num_layers=2, num_heads=4, hidden_dim=64, intermediate_dim=256, max_sequence_length=64)
MAX_LEN = 64
MAX_PREDICTIONS = 12  # 1 文で穴にする位置の上限 (15 % ≒ 64 × 0.15 ≒ 10)
COPIES = 40  # 同じ文に別の穴を開けた写しの数 (動的マスキングの代わり)
EPOCHS = 15
SEED = 0


def mask_tokens(token_ids, tokenizer, rng, rate=0.15):
    """BERT の穴の開け方: 特殊トークン以外の 15 % を選び、80 % を [MASK]、10 % をランダムな語、10 % をそのままにする。"""
    import numpy as np

    n = len(token_ids)
    inputs = token_ids.copy()
    positions = np.zeros((n, MAX_PREDICTIONS), "int32")
    labels = np.zeros((n, MAX_PREDICTIONS), "int32")
    weights = np.zeros((n, MAX_PREDICTIONS), "float32")
    first_normal = len(bert.SPECIAL_TOKENS)
    for i in range(n):
        candidates = np.flatnonzero(token_ids[i] >= first_normal)
        k = min(MAX_PREDICTIONS, max(1, round(len(candidates) * rate)))
        chosen = np.sort(rng.choice(candidates, size=k, replace=False))
        positions[i, :k], labels[i, :k], weights[i, :k] = chosen, token_ids[i, chosen], 1.0
        for p in chosen:
            r = rng.random()
            if r < 0.8:
                inputs[i, p] = tokenizer.mask_id
            elif r < 0.9:
                inputs[i, p] = rng.integers(first_normal, len(tokenizer.vocab))
    return inputs, positions, labels, weights


def build_mlm(vocab_size):
    import keras
    import keras_hub

    backbone = keras_hub.models.BertBackbone(vocabulary_size=vocab_size, dropout=0.1, **SIZE)
    head = keras_hub.layers.MaskedLMHead(
        vocabulary_size=vocab_size,
        token_embedding=backbone.token_embedding,
        intermediate_activation=keras.activations.gelu,
        layer_norm_epsilon=1e-12,
        name="mlm_head",
    )
    inputs = {
        "token_ids": keras.Input((MAX_LEN,), dtype="int32", name="token_ids"),
        "segment_ids": keras.Input((MAX_LEN,), dtype="int32", name="segment_ids"),
        "padding_mask": keras.Input((MAX_LEN,), dtype="int32", name="padding_mask"),
        "mask_positions": keras.Input((MAX_PREDICTIONS,), dtype="int32", name="mask_positions"),
    }
    sequence = backbone({k: inputs[k] for k in ("token_ids", "segment_ids", "padding_mask")})["sequence_output"]
    logits = head(sequence, mask_positions=inputs["mask_positions"])
    return backbone, head, keras.Model(inputs, logits)


def pretrain(out_dir: Path):
    import warnings

    import keras
    import numpy as np

    # MLM だけの事前学習なので pooled output の全結合層には勾配が来ない (分類のファインチューニングで学習する)
    warnings.filterwarnings("ignore", message="Gradients do not exist for variables")

    train, _ = text.split_labeled(text.quick_corpus())
    sentences = [s for s, _ in train]
    vocab = bert.build_vocab(sentences)
    tokenizer = bert.JapaneseBertTokenizer(vocab)
    encoded = tokenizer(sentences, MAX_LEN)
    rng = np.random.default_rng(SEED)
    token_ids = np.tile(encoded["token_ids"], (COPIES, 1))
    inputs, positions, labels, weights = mask_tokens(token_ids, tokenizer, rng)
    x = {
        "token_ids": inputs,
        "segment_ids": np.zeros_like(inputs),
        "padding_mask": (token_ids != tokenizer.pad_id).astype("int32"),
        "mask_positions": positions,
    }
    backbone, head, model = build_mlm(len(vocab))
    steps = EPOCHS * int(np.ceil(len(inputs) / 32))
    schedule = keras.optimizers.schedules.CosineDecay(0.0, steps, warmup_target=2e-3, warmup_steps=steps // 10)
    model.compile(
        keras.optimizers.AdamW(schedule, weight_decay=0.01),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        weighted_metrics=["accuracy"],
    )
    model.fit(x, labels, sample_weight=weights, batch_size=32, epochs=EPOCHS, verbose=2)
    print(f"語彙 {len(vocab)}, 学習文 {len(sentences)}, パラメータ {backbone.count_params():,}")
    return bert.save_hf_checkpoint(backbone, vocab, out_dir, mlm_head=head)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="作り直して登録済みの sha256 と比べるだけ")
    args = parser.parse_args()
    utils.setup("quick", seed=SEED)
    sums = data.read_sums() if data.SUMS_FILE.exists() else {}
    ok, digests = True, {}
    with tempfile.TemporaryDirectory() as tmp:
        built = pretrain(Path(tmp) / "tiny_bert_ja")
        for name in FILES:
            rel, digest = f"{OUT}/{name}", data.sha256sum(built / name)
            print(f"{rel}: {(built / name).stat().st_size / 1024:.0f} KiB sha256={digest}")
            if args.check:
                ok &= sums.get(rel) == digest
                print("  一致" if sums.get(rel) == digest else f"  不一致 (登録済み {sums.get(rel)})")
            else:
                dest = data.DATA_DIR / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes((built / name).read_bytes())
                digests[rel] = digest
    if not args.check:
        # 他のファイルの行はそのまま残し (書き込む直前に読み直す)、この 4 ファイルの行だけ書き換える
        sums = {**data.read_sums(), **digests}
        lines = [f"{d}  {r}" for r, d in sorted(sums.items())]
        data.SUMS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
