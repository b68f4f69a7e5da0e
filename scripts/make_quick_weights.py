"""quick モード用の「事前学習済み」重みを作り直す (data/weights/ と data/SHA256SUMS を更新)。

ImageNet の代わりに、目標タスクとは別の合成ソースタスク (SOURCE_SHAPES, 7 クラス) で
小型 ResNet を事前学習する。CPU 2 コアで数分。

モデルの定義はノートブック 05 のセル (タグ ``resnet-blocks``) をそのまま実行して使う
(``models.lesson_code``)。ノートブックと重みの構造は必ず一致し、定義は 1 か所だけにある。
- ``mini_resnet_source.weights.h5``: ``build_resnet()`` (基本ブロック, 幅 16/32/64) の重み
- ``mini_bit_savedmodel.tar.gz``: ``build_resnet(widths=(24, 48, 96), block=preact_block)``
  (ResNet-v2 = BiT と同じ pre-activation, 入力は 0〜1) を TF-Hub と同じ SavedModel にしたもの

    python scripts/make_quick_weights.py            # 作り直して SHA256SUMS を更新
    python scripts/make_quick_weights.py --check    # 作り直した結果が登録済みの sha256 と一致するか
"""

from __future__ import annotations

import argparse
import gzip
import io
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import utils  # noqa: E402  (TF より先に import して環境変数を設定する)
from utils import data, models, synthetic  # noqa: E402

N_SOURCE = 6000
EPOCHS = 12


def source_data(seed):
    x, y, _ = synthetic.shapes_dataset(N_SOURCE, models.QUICK_IMAGE_SIZE, synthetic.SOURCE_SHAPES, seed=seed)
    return x, y


def pretrain(backbone, preprocess, seed):
    import keras

    x, y = source_data(seed)
    model = keras.Sequential([backbone, keras.layers.Dense(len(synthetic.SOURCE_SHAPES), activation="softmax")])
    model.compile(keras.optimizers.Adam(2e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(preprocess(x), y, epochs=EPOCHS, batch_size=64, validation_split=0.1, verbose=2)
    return backbone


def make_resnet(out: Path):
    import keras

    backbone = models.lesson_code()["build_resnet"](name="backbone")
    pretrain(backbone, keras.applications.resnet.preprocess_input, seed=100)
    backbone.save_weights(out)


def make_bit(out: Path):
    """BiT の代役: 少し幅の広い小型 ResNet-v2 を [0, 1] 入力で事前学習し、SavedModel にする。"""
    import tensorflow as tf

    lesson = models.lesson_code()
    backbone = lesson["build_resnet"](widths=(24, 48, 96), block=lesson["preact_block"], name="mini_bit")
    pretrain(backbone, lambda x: x / 255.0, seed=200)

    class Module(tf.Module):  # TF-Hub の再利用可能 SavedModel の形 (variables, trainable_variables, __call__)
        variables = trainable_variables = None  # tf.Module の同名プロパティを属性 (保存対象) に置き換える

        def __init__(self, model):
            super().__init__()
            self.model = model
            self.variables = list(model.weights)
            self.trainable_variables = list(model.trainable_weights)

        @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])
        def __call__(self, images):
            return self.model(images, training=False)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "savedmodel"
        tf.saved_model.save(Module(backbone), str(path))
        _deterministic_tar(path, out)


def _deterministic_tar(src: Path, out: Path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for p in sorted([src, *src.rglob("*")]):
            info = tar.gettarinfo(str(p), arcname=str(p.relative_to(src.parent)))
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            if p.is_file():
                with open(p, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    with open(out, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
        gz.write(buf.getvalue())


TARGETS = {models.QUICK_RESNET_WEIGHTS: make_resnet, models.QUICK_HUB_ARCHIVES["bit/s-r50x1"]: make_bit}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="作り直して登録済みの sha256 と比べるだけ")
    args = parser.parse_args()
    utils.setup("quick", seed=0)
    sums = data.read_sums() if data.SUMS_FILE.exists() else {}
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for rel, make in TARGETS.items():
            built = Path(tmp) / Path(rel).name
            make(built)
            digest = data.sha256sum(built)
            print(f"{rel}: {built.stat().st_size / 1024:.0f} KiB sha256={digest}")
            if args.check:
                ok &= sums.get(rel) == digest
                print("  一致" if sums.get(rel) == digest else f"  不一致 (登録済み {sums.get(rel)})")
            else:
                dest = data.DATA_DIR / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(built, dest)
                sums[rel] = digest
    if not args.check:
        lines = [f"{d}  {r}" for r, d in sorted(sums.items())]
        data.SUMS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
