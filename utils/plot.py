"""描画の共通設定と、何度も使うグラフ。

import するだけで日本語フォント (matplotlib-fontja) と小さめの図 (ノートブックを軽く保つ) を設定する。
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

try:  # 日本語フォント (IPAex ゴシック)。無ければ英字だけで描く
    import matplotlib_fontja  # noqa: F401
except ImportError:  # pragma: no cover
    pass

sns.set_theme(style="whitegrid", font=matplotlib.rcParams["font.family"], rc={"figure.dpi": 72})


def history_frame(histories: dict, metric: str = "accuracy") -> pd.DataFrame:
    """{手法名: History または history 辞書} を、描画しやすい縦長の表にする。"""
    rows = []
    for method, hist in histories.items():
        hist = getattr(hist, "history", hist)
        for split, key in (("train", metric), ("val", f"val_{metric}")):
            for epoch, value in enumerate(hist.get(key, []), start=1):
                rows.append({"method": method, "epoch": epoch, "split": split, metric: float(value)})
    return pd.DataFrame(rows)


def plot_histories(histories: dict, metric: str = "accuracy", title: str | None = None, ax=None):
    """講座と同じ形の学習曲線: 色 = 手法、実線 = 学習データ、破線 = 検証データ。"""
    df = history_frame(histories, metric)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    sns.lineplot(
        data=df,
        x="epoch",
        y=metric,
        hue="method",
        style="split",
        style_order=["train", "val"],
        dashes={"train": "", "val": (4, 2)},
        marker="o",
        markersize=4,
        ax=ax,
    )
    ax.set_title(title or f"{metric} (実線: 学習, 破線: 検証)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(bbox_to_anchor=(1.02, 1), loc="upper left", fontsize=8)
    return ax


def _grid(images, ncols: int, pad: int = 1) -> np.ndarray:
    """``(枚数, 高さ, 幅[, チャネル])`` (0〜1) を、白い余白 ``pad`` 画素で区切った ``ncols`` 列の 1 枚にする。"""
    if images.ndim == 3:
        images = images[..., None]
    n, h, w, c = images.shape
    nrows = int(np.ceil(n / ncols))
    grid = np.ones((nrows * (h + pad) + pad, ncols * (w + pad) + pad, c), np.float32)
    for i, image in enumerate(images):
        r, q = divmod(i, ncols)
        grid[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + q * (w + pad) : pad + q * (w + pad) + w] = image
    return grid[..., 0] if c == 1 else grid


def show_images(images, labels=None, class_names=None, ncols: int = 8, size: float = 1.3, boxes=None, ax=None):
    """画像を格子状に並べる (値 0〜255 または 0〜1)。``boxes`` は ``(y0, x0, y1, x1)``。

    ``ax`` を渡すと、画像ごとの小さな軸を作らず、格子 1 枚 (白い余白で区切る, 1 チャネルは灰色) をその軸に描く
    (サンプルの格子を 1 つの図に並べるとき。``labels``・``boxes`` はこの形では使えない)。
    """
    images = np.asarray(images)
    if ax is not None:
        if labels is not None or boxes is not None:
            raise ValueError("ax= を渡すときは labels・boxes を使えません (格子 1 枚として描きます)。")
        scale = 255.0 if images.max() > 1.5 else 1.0
        ax.imshow(_grid(np.clip(images / scale, 0, 1), ncols), cmap="gray", vmin=0, vmax=1)
        ax.axis("off")
        return ax.figure
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size), squeeze=False)
    scale = 255.0 if images.max() > 1.5 else 1.0
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(np.clip(images[i] / scale, 0, 1))
        if labels is not None:
            ax.set_title(class_names[labels[i]] if class_names is not None else str(labels[i]), fontsize=8)
        if boxes is not None:
            y0, x0, y1, x1 = boxes[i]
            ax.add_patch(plt.Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, ec="red", lw=1))
    fig.tight_layout()
    return fig
