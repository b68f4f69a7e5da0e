"""quick モード用の「事前学習済み」小型日本語 BERT を作る (data/weights/tiny_bert_ja/ と data/SHA256SUMS を更新)。

東北大 BERT v3 の代わりに、同梱コーパス (utils.text.quick_corpus) の **学習用の文だけ** (utils.text.split_labeled の前 7 割。
テストデータの文は使わない) で、穴埋め (Masked Language Modeling: 特殊トークン以外の 15 % を選び、80 % を [MASK]、
10 % をランダムな語、10 % をそのまま) の事前学習をする。ラベル (文体) は使わない。
次文予測 (NSP) の事前学習はしない。文の組で MLM + NSP を同時に学習してみたところ、この小さなコーパスでは、
負例をコーパス全体から選ぶと NSP は学習した組の丸暗記になり (使っていない文の組で 0.54)、負例を別の文書から選ぶと
NSP は 0.82〜0.87 になったが、使っていない文の穴埋めの正解率が MLM だけのとき (0.17) より下がった (0.12〜0.13, 3 回)。
そこで NSP の出力層はノートブックでファインチューニングする (東北大 BERT v3 は事前学習済みの NSP の出力層を持つ)。
書き出しは東北大 BERT v3 と同じ Hugging Face の形式 (config.json, tf_model.h5, tokenizer_config.json, vocab.txt) で、
ノートブックは full と同じ ``utils.bert.load_pretrained(フォルダ)`` で読み込む。CPU 2 コアで数分。

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
FILES = list(bert.FILES)
SIZE = dict(num_layers=2, num_heads=4, hidden_dim=64, intermediate_dim=256, max_sequence_length=64)
MAX_LEN = 64
MAX_PREDICTIONS = 12  # 1 文で穴にする位置の上限 (15 % ≒ 64 × 0.15 ≒ 10)
COPIES = 40  # 同じ文に別の穴を開けた写しの数 (動的マスキングの代わり)
EPOCHS = 15
SEED = 0


def mask_tokens(token_ids, mask_id, vocab_size, rng, rate=0.15):
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
                inputs[i, p] = mask_id
            elif r < 0.9:
                inputs[i, p] = rng.integers(first_normal, vocab_size)
    return inputs, positions, labels, weights


def build_pretraining_model(vocab_size):
    import keras
    import keras_hub

    backbone = keras_hub.models.BertBackbone(vocabulary_size=vocab_size, dropout=0.1, **SIZE)
    mlm_head, _ = bert.new_heads(backbone)
    inputs = {
        name: keras.Input((MAX_LEN,), dtype="int32", name=name) for name in ("token_ids", "segment_ids", "padding_mask")
    }
    inputs["mask_positions"] = keras.Input((MAX_PREDICTIONS,), dtype="int32", name="mask_positions")
    sequence = backbone({k: inputs[k] for k in ("token_ids", "segment_ids", "padding_mask")})["sequence_output"]
    return backbone, mlm_head, keras.Model(inputs, mlm_head(sequence, mask_positions=inputs["mask_positions"]))


def pretrain(out_dir: Path):
    import warnings

    import keras
    import numpy as np

    # MLM だけの事前学習なので pooled output の全結合層には勾配が来ない (分類のファインチューニングで学習する)
    warnings.filterwarnings("ignore", message="Gradients do not exist for variables")
    train, _ = text.split_labeled(text.quick_corpus())
    sentences = [s for s, _ in train]
    vocab = bert.build_vocab(sentences)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = bert.load_tokenizer(out_dir)  # 東北大 BERT v3 と同じ設定 (MeCab + unidic-lite → WordPiece)
    rng = np.random.default_rng(SEED)
    token_ids = np.tile(bert.encode(tokenizer, sentences, MAX_LEN)["token_ids"], (COPIES, 1))
    inputs, positions, labels, weights = mask_tokens(token_ids, tokenizer.mask_token_id, len(vocab), rng)
    x = {
        "token_ids": inputs,
        "segment_ids": np.zeros_like(inputs),
        "padding_mask": (token_ids != tokenizer.pad_token_id).astype("int32"),
        "mask_positions": positions,
    }
    backbone, mlm_head, model = build_pretraining_model(len(vocab))
    steps = EPOCHS * int(np.ceil(len(inputs) / 32))
    schedule = keras.optimizers.schedules.CosineDecay(0.0, steps, warmup_target=2e-3, warmup_steps=steps // 10)
    model.compile(
        keras.optimizers.AdamW(schedule, weight_decay=0.01),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        weighted_metrics=["accuracy"],
    )
    model.fit(x, labels, sample_weight=weights, batch_size=32, epochs=EPOCHS, verbose=2)
    print(f"語彙 {len(vocab)}, 学習文 {len(sentences)}, パラメータ {backbone.count_params():,}")
    return bert.save_pretrained(out_dir, backbone, mlm_head, None, vocab)


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
        stale = {f"{OUT}/model.safetensors"}  # 以前の形式 (safetensors) の行は消す
        sums = {r: d for r, d in {**data.read_sums(), **digests}.items() if r not in stale}
        lines = [f"{d}  {r}" for r, d in sorted(sums.items())]
        data.SUMS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
