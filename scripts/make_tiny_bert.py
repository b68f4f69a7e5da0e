"""quick モード用の「事前学習済み」小型日本語 BERT を作る (data/weights/tiny_bert_ja/ と data/SHA256SUMS を更新)。

東北大 BERT v3 の代わりに、同梱コーパス (utils.text.quick_corpus) の **学習用の文だけ** (utils.text.split_labeled の前 7 割。
テストデータの文は使わない) で、BERT と同じ 2 つの課題で事前学習する。ラベル (文体) は使わない。
学習用の文のうち各文書の最後の 1 割は検証データにして、エポック数 (最大 EPOCHS) は検証データの穴埋めの正解率で選ぶ。
- 穴埋め (Masked Language Modeling): 特殊トークン以外の 15 % を選び、80 % を [MASK]、10 % をランダムな語、10 % をそのまま。
- 次文予測 (Next Sentence Prediction): 文 A の次に、半分は本当の次の文 (ラベル 0)、半分は別の文書 (文体) から選んだ文 (ラベル 1)。
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
MAX_PREDICTIONS = 12  # 1 例で穴にする位置の上限 (15 % ≒ 64 × 0.15 ≒ 10)
COPIES = 40  # 同じ文に別の穴・別の相手の文をつけた写しの数 (動的マスキングの代わり)
EPOCHS = 20  # 上限 (検証データの穴埋めの正解率が PATIENCE エポック上がらなければ止め、最もよいエポックの重みに戻す)
PATIENCE = 2
VALIDATION = 0.1
SEED = 0


def nsp_pairs(documents, rng):
    """文書 (文のリスト) ごとに (文 A, 文 B, ラベル) を作る。0: B は A の次の文、1: B は別の文書のランダムな文。

    BERT はランダムな文をコーパス全体から選ぶが、大きなコーパスではそれはほぼ必ず別の文書の文になる。
    3 文書しかないこのコーパスで同じ状況にするため、別の文書から選ぶ。
    """
    a, b, labels = [], [], []
    for d, doc in enumerate(documents):
        others = [s for e, other in enumerate(documents) if e != d for s in other]
        for i in range(len(doc) - 1):
            is_next = rng.random() < 0.5
            a.append(doc[i]), b.append(doc[i + 1] if is_next else others[rng.integers(len(others))])
            labels.append(0 if is_next else 1)
    return a, b, labels


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
    mlm_head, nsp_head = bert.new_heads(backbone)
    inputs = {
        name: keras.Input((MAX_LEN,), dtype="int32", name=name) for name in ("token_ids", "segment_ids", "padding_mask")
    }
    inputs["mask_positions"] = keras.Input((MAX_PREDICTIONS,), dtype="int32", name="mask_positions")
    outputs = backbone({k: inputs[k] for k in ("token_ids", "segment_ids", "padding_mask")})
    mlm = mlm_head(outputs["sequence_output"], mask_positions=inputs["mask_positions"])
    nsp = nsp_head(outputs["pooled_output"])
    model = keras.Model(inputs, {"mlm": keras.layers.Identity(name="mlm")(mlm), "nsp": keras.layers.Identity(name="nsp")(nsp)})
    return backbone, mlm_head, nsp_head, model


def pretrain(out_dir: Path):
    import keras
    import numpy as np

    train, _ = text.split_labeled(text.quick_corpus())
    labels_of = [label for _, label in train]
    documents = [[s for s, label in train if label == c] for c in sorted(set(labels_of))]  # 文体ごとに元の順番
    cuts = [round(len(doc) * (1 - VALIDATION)) for doc in documents]
    pretrain_docs = [doc[:cut] for doc, cut in zip(documents, cuts)]
    validation_docs = [doc[cut:] for doc, cut in zip(documents, cuts)]  # 検証データ (エポック数を選ぶだけ)
    sentences = [s for doc in pretrain_docs for s in doc]
    vocab = bert.build_vocab(sentences)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = bert.load_tokenizer(out_dir)  # 東北大 BERT v3 と同じ設定 (MeCab + unidic-lite → WordPiece)
    rng = np.random.default_rng(SEED)

    def examples(docs, copies):
        a, b, nsp_labels = [], [], []
        for _ in range(copies):
            pa, pb, pl = nsp_pairs(docs, rng)
            a, b, nsp_labels = a + pa, b + pb, nsp_labels + pl
        x = bert.encode(tokenizer, a, MAX_LEN, pairs=b)
        inputs, positions, mlm_labels, weights = mask_tokens(x["token_ids"], tokenizer.mask_token_id, len(vocab), rng)
        x["token_ids"], x["mask_positions"] = inputs, positions
        y = {"mlm": mlm_labels, "nsp": np.array(nsp_labels, "int32")}
        return x, y, {"mlm": weights, "nsp": np.ones(len(nsp_labels), "float32")}

    x, y, sample_weight = examples(pretrain_docs, COPIES)
    validation = examples(validation_docs, 4)
    nsp_labels = y["nsp"]
    backbone, mlm_head, nsp_head, model = build_pretraining_model(len(vocab))
    steps = EPOCHS * int(np.ceil(len(nsp_labels) / 32))
    schedule = keras.optimizers.schedules.CosineDecay(0.0, steps, warmup_target=2e-3, warmup_steps=steps // 10)
    model.compile(
        keras.optimizers.AdamW(schedule, weight_decay=0.01),
        {"mlm": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
         "nsp": keras.losses.SparseCategoricalCrossentropy(from_logits=True)},
        weighted_metrics={"mlm": ["accuracy"], "nsp": ["accuracy"]},
    )
    stop = keras.callbacks.EarlyStopping("val_mlm_accuracy", mode="max", patience=PATIENCE, restore_best_weights=True)
    history = model.fit(
        x, y, sample_weight=sample_weight, validation_data=validation, batch_size=32, epochs=EPOCHS, callbacks=[stop], verbose=2
    )
    best = int(np.argmax(history.history["val_mlm_accuracy"]))
    print(
        f"語彙 {len(vocab)}, 事前学習の文 {len(sentences)} (検証 {sum(map(len, validation_docs))}), 文の組 {len(nsp_labels)}, "
        f"パラメータ {backbone.count_params():,}, 選んだエポック {best + 1} (検証データの穴埋め正解率 "
        f"{history.history['val_mlm_accuracy'][best]:.3f}, 次文予測 {history.history['val_nsp_accuracy'][best]:.3f})"
    )
    return bert.save_pretrained(out_dir, backbone, mlm_head, nsp_head, vocab)


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
