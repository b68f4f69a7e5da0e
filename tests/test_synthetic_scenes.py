"""utils.synthetic.detection_scenes: 複数物体の合成シーン (08 物体検知・セグメンテーション)。"""

import numpy as np

from utils import synthetic


def test_detection_scenes_boxes_masks_and_labels_agree():
    d = synthetic.detection_scenes(40, image_size=64, seed=3)
    d2 = synthetic.detection_scenes(40, image_size=64, seed=3)
    assert np.array_equal(d["images"], d2["images"]) and np.array_equal(d["instances"], d2["instances"])
    assert d["images"].shape == (40, 64, 64, 3) and d["images"].dtype == np.float32
    assert 0 <= d["images"].min() and d["images"].max() <= 255
    counts = []
    for i in range(40):
        boxes, labels = d["boxes"][i], d["labels"][i]
        assert boxes.shape == (len(labels), 4) and 1 <= len(labels) <= 3
        counts.append(len(labels))
        for k, (box, label) in enumerate(zip(boxes.astype(int), labels)):
            ys, xs = np.nonzero(d["instances"][i] == k + 1)
            assert (ys.min(), xs.min(), ys.max() + 1, xs.max() + 1) == tuple(box)  # 外接矩形 = マスクの範囲
            assert (d["semantic"][i][ys, xs] == label + 1).all()
        for a in range(len(boxes)):  # 物体どうしは重ならない
            for b in range(a + 1, len(boxes)):
                ya, xa, ya1, xa1 = boxes[a]
                yb, xb, yb1, xb1 = boxes[b]
                assert ya >= yb1 or yb >= ya1 or xa >= xb1 or xb >= xa1
        assert ((d["semantic"][i] > 0) == (d["instances"][i] > 0)).all()
    assert len(set(counts)) > 1 and {c for ls in d["labels"] for c in ls} == {0, 1, 2}
