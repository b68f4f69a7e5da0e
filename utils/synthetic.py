"""quick モード用の合成画像データ (正解の位置が分かる物体画像)。

雑多な背景 (色のグラデーション・ノイズ・線分) の上に、図形を 1 つだけランダムな位置・大きさ・色で
描く。ラベルは図形の種類、``boxes`` は図形の外接矩形 ``(y0, x0, y1, x1)`` (ピクセル, 終端は含まない)。

図形は 2 グループに分かれる:
- ``TARGET_SHAPES`` (5 クラス): 各ラボの目標タスク (例: 05 の転移学習先)
- ``SOURCE_SHAPES`` (7 クラス): 事前学習用の別タスク (ImageNet の代わり)
"""

from __future__ import annotations

import numpy as np


def _shape_mask(kind: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """[-1, 1]² の座標 (u: 横, v: 縦・下向き) で図形の内側を True にする。"""
    r = np.hypot(u, v)
    au, av = np.abs(u), np.abs(v)
    box = np.maximum(au, av)
    masks = {
        "circle": r <= 1.0,
        "square": box <= 0.85,
        "triangle": (v <= 0.85) & (au <= (v + 0.95) * 0.52),
        "cross": ((au <= 0.28) & (av <= 0.95)) | ((av <= 0.28) & (au <= 0.95)),
        "ring": (r <= 1.0) & (r >= 0.55),
        "diamond": au + av <= 1.0,
        "x_mark": ((np.abs(u - v) <= 0.38) | (np.abs(u + v) <= 0.38)) & (box <= 0.9),
        "t_shape": ((v >= -0.95) & (v <= -0.45) & (au <= 0.95)) | ((au <= 0.25) & (av <= 0.95)),
        "frame": (box <= 0.92) & (box >= 0.55),
        "half_disk": (r <= 1.0) & (v >= 0.0),
        "l_shape": ((u >= -0.9) & (u <= -0.35) & (av <= 0.95)) | ((v >= 0.4) & (v <= 0.95) & (u >= -0.9) & (u <= 0.9)),
        "bars": (av <= 0.95) & (au <= 0.95) & (np.mod(u + 0.95, 0.64) < 0.32),
    }
    return masks[kind]


TARGET_SHAPES = ("circle", "square", "triangle", "cross", "ring")
SOURCE_SHAPES = ("diamond", "x_mark", "t_shape", "frame", "half_disk", "l_shape", "bars")


def _background(rng: np.random.Generator, size: int, clutter: int) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    c0, c1 = rng.uniform(30, 200, size=(2, 3))
    angle = rng.uniform(0, 2 * np.pi)
    t = (np.cos(angle) * xx + np.sin(angle) * yy)[..., None]
    t = (t - t.min()) / (np.ptp(t) + 1e-6)
    img = c0 * (1 - t) + c1 * t + rng.normal(0, 12, size=(size, size, 3))
    for _ in range(clutter):  # 線分: 物体と紛らわしい雑音
        p, q = rng.uniform(0, size, size=(2, 2))
        n = int(np.hypot(*(q - p))) * 2 + 2
        ts = np.linspace(0, 1, n)[:, None]
        pts = np.round(p * (1 - ts) + q * ts).astype(int).clip(0, size - 1)
        img[pts[:, 0], pts[:, 1]] = rng.uniform(0, 255, size=3)
    return img


def shapes_dataset(
    n: int,
    image_size: int = 32,
    shapes: tuple[str, ...] = TARGET_SHAPES,
    seed: int = 0,
    scale: tuple[float, float] = (0.35, 0.6),
    clutter: int = 4,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(images, labels, boxes)`` を返す。

    images: float32 ``(n, H, W, 3)``、値は 0〜255 (RGB, 実写の読み込みと同じ範囲)。
    labels: int32 ``(n,)``、``shapes`` の添字 (クラスは均等)。
    boxes : int32 ``(n, 4)``、``(y0, x0, y1, x1)``。
    """
    rng = np.random.default_rng(seed)
    images = np.empty((n, image_size, image_size, 3), np.float32)
    labels = rng.permutation(np.arange(n) % len(shapes)).astype(np.int32)
    boxes = np.empty((n, 4), np.int32)
    for i, label in enumerate(labels):
        img = _background(rng, image_size, clutter)
        side = int(round(rng.uniform(*scale) * image_size))
        y0, x0 = rng.integers(0, image_size - side + 1, size=2)
        g = (np.arange(side, dtype=np.float32) + 0.5) / side * 2 - 1
        v, u = np.meshgrid(g, g, indexing="ij")
        angle = rng.uniform(-0.3, 0.3)  # 少し回転させて丸暗記を防ぐ
        ur, vr = np.cos(angle) * u - np.sin(angle) * v, np.sin(angle) * u + np.cos(angle) * v
        mask = _shape_mask(shapes[label], ur, vr)
        color = rng.uniform(0, 255, size=3)
        color[rng.integers(3)] = rng.choice([rng.uniform(0, 40), rng.uniform(215, 255)])  # 背景と区別しやすく
        patch = img[y0 : y0 + side, x0 : x0 + side]
        patch[mask] = color
        ys, xs = np.nonzero(mask)
        boxes[i] = (y0 + ys.min(), x0 + xs.min(), y0 + ys.max() + 1, x0 + xs.max() + 1)
        images[i] = np.clip(img, 0, 255)
    return images, labels, boxes


def detection_scenes(
    n: int,
    image_size: int = 64,
    objects: tuple[int, int] = (1, 3),
    shapes: tuple[str, ...] = TARGET_SHAPES[:3],
    seed: int = 0,
    size: tuple[int, int] = (14, 28),
    clutter: int = 3,
    max_tries: int = 50,
) -> dict:
    """物体検出・セグメンテーション用の合成シーン (1 枚に複数の物体、外接矩形とマスクの正解つき)。

    雑多な背景 (``shapes_dataset`` と同じ) の上に、``objects`` の範囲の個数の図形を重ならないように置く
    (外接矩形どうしが 2 ピクセル以上離れる位置を ``max_tries`` 回まで探し、見つからなければその物体は置かない)。

    返す dict:
    - ``images``: float32 ``(n, H, W, 3)``、値は 0〜255
    - ``boxes`` : 長さ n のリスト、各要素は float32 ``(k, 4)`` の ``(y0, x0, y1, x1)`` (ピクセル, 終端は含まない)
    - ``labels``: 長さ n のリスト、各要素は int32 ``(k,)`` (``shapes`` の添字)
    - ``instances``: int32 ``(n, H, W)``、0 が背景、i + 1 が i 番目の物体 (インスタンスマスク)
    - ``semantic``: int32 ``(n, H, W)``、0 が背景、c + 1 がクラス c (セマンティックマスク)
    """
    rng = np.random.default_rng(seed)
    images = np.empty((n, image_size, image_size, 3), np.float32)
    instances = np.zeros((n, image_size, image_size), np.int32)
    semantic = np.zeros((n, image_size, image_size), np.int32)
    all_boxes, all_labels = [], []
    for i in range(n):
        img = _background(rng, image_size, clutter)
        boxes, labels = [], []
        for _ in range(rng.integers(objects[0], objects[1] + 1)):
            label = int(rng.integers(len(shapes)))
            for _ in range(max_tries):
                side = int(rng.integers(size[0], size[1] + 1))
                y0, x0 = (int(v) for v in rng.integers(0, image_size - side + 1, size=2))
                if all(y0 >= b[2] + 2 or b[0] >= y0 + side + 2 or x0 >= b[3] + 2 or b[1] >= x0 + side + 2 for b in boxes):
                    break
            else:
                continue
            g = (np.arange(side, dtype=np.float32) + 0.5) / side * 2 - 1
            v, u = np.meshgrid(g, g, indexing="ij")
            angle = rng.uniform(-0.3, 0.3)
            ur, vr = np.cos(angle) * u - np.sin(angle) * v, np.sin(angle) * u + np.cos(angle) * v
            mask = _shape_mask(shapes[label], ur, vr)
            color = rng.uniform(0, 255, size=3)
            color[rng.integers(3)] = rng.choice([rng.uniform(0, 40), rng.uniform(215, 255)])
            img[y0 : y0 + side, x0 : x0 + side][mask] = color
            instances[i, y0 : y0 + side, x0 : x0 + side][mask] = len(boxes) + 1
            semantic[i, y0 : y0 + side, x0 : x0 + side][mask] = label + 1
            ys, xs = np.nonzero(mask)
            boxes.append((y0 + ys.min(), x0 + xs.min(), y0 + ys.max() + 1, x0 + xs.max() + 1))
            labels.append(label)
        images[i] = np.clip(img, 0, 255)
        all_boxes.append(np.array(boxes, np.float32).reshape(-1, 4))
        all_labels.append(np.array(labels, np.int32))
    return {"images": images, "boxes": all_boxes, "labels": all_labels, "instances": instances, "semantic": semantic}
