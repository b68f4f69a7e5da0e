"""代役 (stand-in) 作りの共通部品: 本物と同じ形式・配置の小さなファイルを作る。

各ラボの ``scripts/standins/labNN.py`` から ``from standins import common`` で使う。
作るファイルはできるだけ決定的にする: 乱数は seed 固定、アーカイブの時刻は 0。
(manifest.json には作るたびに sha256 を記録するので、バイト列が変わっても動く。)
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import numpy as np


def tgz(src: Path, out: Path) -> Path:
    """フォルダ ``src`` を、最上位のフォルダ名ごと tar.gz にする (例: flower_photos.tgz → flower_photos/...)。"""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for path in [src, *sorted(src.rglob("*"))]:
                info = tar.gettarinfo(str(path), arcname=str(path.relative_to(src.parent)))
                info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
                if path.is_file():
                    with open(path, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)
    return out


def zip_dir(src: Path, out: Path, *, include_top: bool = True) -> Path:
    """フォルダ ``src`` を zip にする (``include_top=False`` なら中身だけを最上位に置く)。"""
    out.parent.mkdir(parents=True, exist_ok=True)
    base = src.parent if include_top else src
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(src.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(str(path.relative_to(base)), date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    return out


def jpeg(path: Path, size: tuple[int, int], color, rng: np.random.Generator, quality: int = 90) -> Path:
    """色 ``color`` (RGB) を基調に模様とノイズを重ねた JPEG を書く。``size`` は (幅, 高さ)。"""
    from PIL import Image

    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    cx, cy, r = rng.uniform(0.3, 0.7) * w, rng.uniform(0.3, 0.7) * h, rng.uniform(0.15, 0.35) * min(w, h)
    blob = ((xx - cx) ** 2 + (yy - cy) ** 2 < r**2)[..., None]
    background = rng.uniform(40, 200, size=3)
    img = np.where(blob, np.asarray(color, dtype=float), background) + rng.normal(0, 12, size=(h, w, 3))
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB").save(path, "JPEG", quality=quality)
    return path


def flickr_name(rng: np.random.Generator) -> str:
    """Flickr 由来のデータセット (tf_flowers など) のような名前: 5547758_eea9edfd54_n.jpg"""
    return f"{rng.integers(10**6, 10**10)}_{rng.bytes(5).hex()}_n.jpg"


def jpeg_class_folders(
    root: Path,
    class_names: list[str],
    per_class: int = 3,
    *,
    sizes=((320, 240), (500, 333), (240, 320)),
    seed: int = 0,
) -> Path:
    """``root/<クラス名>/<Flickr 風の名前>.jpg`` を各クラス ``per_class`` 枚作る (大きさは ``sizes`` を順に使う)。"""
    rng = np.random.default_rng(seed)
    for k, name in enumerate(class_names):
        color = np.array([(67 * (k + 1)) % 256, (139 * (k + 2)) % 256, (29 * (k + 3)) % 256])
        for i in range(per_class):
            jpeg(root / name / flickr_name(rng), sizes[i % len(sizes)], color, rng)
    return root


def npz(out: Path, *, compressed: bool = False, **arrays) -> Path:
    """``np.savez`` (本物と同じキー・dtype の配列を渡す)。"""
    out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    out.write_bytes(buf.getvalue())
    return out


def keras_application_weights(builder: str, out: Path, **kwargs) -> Path:
    """``keras.applications.<builder>(weights=None, **kwargs)`` のランダムな重みを、本物の重みファイルと
    同じ形式 (Keras 2 の HDF5, ``layer_names`` つき) で ``out`` に書く。

    ``out`` には本物のファイル名を使う (例: resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5)。
    ノートブック側は本物と同じく ``keras.applications.ResNet50(weights=path, include_top=False)`` で読む。
    """
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format

    keras.utils.set_random_seed(0)
    model = getattr(keras.applications, builder)(weights=None, **kwargs)
    out.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(out, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    return out
