"""08 物体検知・セグメンテーションの代役。

- KerasHub の学習済み RetinaNet (`keras/retinanet_resnet50_fpn_coco`, Hugging Face): 本物は
  ``https://huggingface.co/keras/retinanet_resnet50_fpn_coco/resolve/main/`` の config.json・metadata.json・
  model.weights.h5・task.json・task.weights.h5・preprocessor.json (KerasHub の ``save_to_preset`` が書く形式,
  ResNet50 + FPN, COCO 80 クラス, 入力 800×800)。代役は同じファイル名・同じ形式を KerasHub 自身の
  ``save_to_preset`` で書く: ``RetinaNetObjectDetector`` (80 クラス, bounding_box_format "yxyx") で、
  **バックボーンの幅と深さ・入力の大きさだけ小さく** (ResNet の各段 1 ブロック・幅 8, 入力 256×256;
  CPU のリハーサルを 90 秒に収めるため)。重みはランダム。
- Oxford-IIIT Pet (08_segmentation): 本物は images.tar.gz (``images/<品種>_<番号>.jpg`` 7,390 枚) と
  annotations.tar.gz (``annotations/trimaps/<同じ名前>.png`` = 画素値 1 ペット / 2 背景 / 3 輪郭の 8 ビット PNG、
  macOS の ``annotations/trimaps/._<名前>.png``、``annotations/xmls/``、``annotations/list.txt``・``trainval.txt``・
  ``test.txt``)。代役は同じ配置で 2 品種 × 12 枚 (大きさはまちまち)、楕円のペットと輪郭の trimap。
- MobileNetV2 の ImageNet 重み (08_segmentation の 8 節, ``include_top=False``): 本物は keras の公開ファイル
  ``mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_128_no_top.h5`` (Keras 2 形式の HDF5, ``layer_names`` つき,
  keras はハッシュを公開していない)。代役は同じファイル名・同じ形式で、中身は ``MobileNetV2(weights=None,
  include_top=False)`` のランダムな重み (構造・名前・形は本物と同じ)。ノートブックは本物と同じく
  ``keras.applications.MobileNetV2(include_top=False, weights=path)`` で読む。
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

RETINANET = "retinanet_resnet50_fpn_coco"
RETINANET_URL = f"https://huggingface.co/keras/{RETINANET}/resolve/main"
RETINANET_FILES = ["config.json", "metadata.json", "model.weights.h5", "task.json", "task.weights.h5", "preprocessor.json"]
IMAGE_SIZE = 256  # 本物は 800


def retinanet(out: Path) -> dict[str, Path]:
    import keras
    import keras_hub

    folder = out / RETINANET
    shutil.rmtree(folder, ignore_errors=True)
    keras.utils.set_random_seed(0)
    encoder = keras_hub.models.ResNetBackbone(
        input_conv_filters=[64], input_conv_kernel_sizes=[7], stackwise_num_filters=[64, 8, 8, 8],
        stackwise_num_blocks=[1, 1, 1, 1], stackwise_num_strides=[1, 2, 2, 2], block_type="bottleneck_block",
        use_pre_activation=False,
    )  # fmt: skip
    backbone = keras_hub.models.RetinaNetBackbone(image_encoder=encoder, min_level=3, max_level=7, use_p5=False)
    converter = keras_hub.layers.RetinaNetImageConverter(
        image_size=(IMAGE_SIZE, IMAGE_SIZE), pad_to_aspect_ratio=True, crop_to_aspect_ratio=False, scale=1 / 255.0, bounding_box_format="yxyx"
    )
    preprocessor = keras_hub.models.RetinaNetObjectDetectorPreprocessor(image_converter=converter)
    detector = keras_hub.models.RetinaNetObjectDetector(
        backbone=backbone, num_classes=80, bounding_box_format="yxyx", preprocessor=preprocessor
    )
    detector.save_to_preset(str(folder))
    return {f"{RETINANET_URL}/{rel}": folder / rel for rel in RETINANET_FILES}


PETS_URL = "https://www.robots.ox.ac.uk/~vgg/data/pets/data"
BREEDS = ["Abyssinian", "beagle"]  # 本物は 37 品種 (猫は大文字、犬は小文字で始まる)
PER_BREED = 12


def pets(out: Path) -> dict[str, Path]:
    import numpy as np
    from PIL import Image

    from standins import common

    root = out / "pets"
    shutil.rmtree(root, ignore_errors=True)
    images, ann = root / "images", root / "annotations"
    for d in (images, ann / "trimaps", ann / "xmls"):
        d.mkdir(parents=True)
    rng = np.random.default_rng(8)
    names = []
    for b, breed in enumerate(BREEDS):
        for i in range(1, PER_BREED + 1):
            name = f"{breed}_{i}"
            w, h = int(rng.integers(180, 400)), int(rng.integers(160, 360))
            yy, xx = np.mgrid[0:h, 0:w]
            cy, cx, ry, rx = h * rng.uniform(0.4, 0.6), w * rng.uniform(0.4, 0.6), h * rng.uniform(0.2, 0.35), w * rng.uniform(0.2, 0.35)
            r = np.sqrt(((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2)
            trimap = np.where(r < 0.93, 1, np.where(r < 1.07, 3, 2)).astype(np.uint8)  # 1 ペット / 2 背景 / 3 輪郭
            img = np.where((r < 1)[..., None], rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)) + rng.normal(0, 20, (h, w, 3))
            Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB").save(images / f"{name}.jpg", "JPEG", quality=90)
            Image.fromarray(trimap, "L").save(ann / "trimaps" / f"{name}.png")
            (ann / "trimaps" / f"._{name}.png").write_bytes(b"\x00\x05\x16\x07")  # 本物にある macOS のメタデータ
            names.append(f"{name} {b + 1} {1 if breed[0].isupper() else 2} {b + 1}")
    (ann / "list.txt").write_text("#Image CLASS-ID SPECIES BREED ID\n" + "\n".join(names) + "\n", encoding="utf-8")
    (ann / "trainval.txt").write_text("\n".join(names[::2]) + "\n", encoding="utf-8")
    (ann / "test.txt").write_text("\n".join(names[1::2]) + "\n", encoding="utf-8")
    return {
        f"{PETS_URL}/images.tar.gz": common.tgz(images, out / "images.tar.gz"),
        f"{PETS_URL}/annotations.tar.gz": common.tgz(ann, out / "annotations.tar.gz"),
    }


MOBILENET_V2_NOTOP_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
    "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_128_no_top.h5"
)


def mobilenet_v2_notop(out: Path) -> dict[str, Path]:
    from standins import common

    path = out / Path(MOBILENET_V2_NOTOP_URL).name
    return {MOBILENET_V2_NOTOP_URL: common.keras_application_weights("MobileNetV2", path, include_top=False, input_shape=(128, 128, 3))}


def make(out: Path) -> dict[str, Path]:
    return {**retinanet(out), **pets(out), **mobilenet_v2_notop(out)}
