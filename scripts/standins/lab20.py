"""20 GCN の代役: Planetoid の Cora (github.com/kimiyoung/planetoid の data/ind.cora.*, Kipf & Welling と同じファイル)。

本物: 8 つのファイル ind.cora.{x, y, tx, ty, allx, ally, graph, test.index}。x / tx / allx は scipy.sparse の
csr_matrix (float32, 1,433 列: 語の有無)、y / ty / ally は one-hot の numpy 配列 (7 列)、graph は
{頂点: 隣接頂点のリスト} の defaultdict、いずれも Python 2 の pickle。test.index はテストデータの頂点番号
(allx の行数以降, 並びはばらばら) を 1 行に 1 つ書いたテキスト。本物は x 140 行・allx 1,708 行・tx 1,000 行。
代役は同じ形式・列数で x 140 行 (各クラス 20)・allx 700 行・tx 300 行 (Kipf の分割: 検証データ = allx の 140〜639 行)。
"""

from __future__ import annotations

import pickle
from collections import defaultdict
from pathlib import Path

import numpy as np
import scipy.sparse as sp

URL = "https://github.com/kimiyoung/planetoid/raw/master/data/ind.cora.{}"
KEYS = ("x", "y", "tx", "ty", "allx", "ally", "graph", "test.index")
N_ALL, N_TEST, N_FEATURES, N_CLASSES = 700, 300, 1433, 7


def make(out: Path) -> dict[str, Path]:
    rng = np.random.default_rng(20)
    n = N_ALL + N_TEST
    labels = np.concatenate([np.repeat(np.arange(N_CLASSES), 20), rng.integers(N_CLASSES, size=n - 140)])
    topics = rng.permutation(N_FEATURES)[: N_CLASSES * 20].reshape(N_CLASSES, 20)
    feats = np.zeros((n, N_FEATURES), np.float32)
    for i in range(n):
        feats[i, rng.choice(topics[labels[i]], size=4)] = 1
        feats[i, rng.integers(N_FEATURES, size=14)] = 1
    graph = defaultdict(list)
    for _ in range(2 * n):
        a = rng.integers(n)
        same = np.nonzero(labels == labels[a])[0]
        b = rng.choice(same) if rng.random() < 0.8 else rng.integers(n)
        if a != b and b not in graph[a]:
            graph[a].append(int(b))
            graph[b].append(int(a))
    for i in range(n):
        graph[i]  # 孤立した頂点も鍵として持つ (本物と同じ)
    onehot = np.eye(N_CLASSES, dtype=np.int64)[labels]
    # テストデータの頂点: ファイル上は allx の後ろに並び、test.index が本当の番号 (並べ替え) を与える
    test_index = rng.permutation(np.arange(N_ALL, n))  # ファイルの行 N_ALL + k は頂点 test_index[k]
    objs = {
        "x": sp.csr_matrix(feats[:140]),
        "y": onehot[:140],
        "allx": sp.csr_matrix(feats[:N_ALL]),
        "ally": onehot[:N_ALL],
        "tx": sp.csr_matrix(feats[test_index]),
        "ty": onehot[test_index],
        "graph": graph,
    }
    folder = out / "planetoid"
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    for key in KEYS:
        path = folder / f"ind.cora.{key}"
        if key == "test.index":
            path.write_text("".join(f"{i}\n" for i in test_index), encoding="utf-8")
        else:
            with open(path, "wb") as f:
                pickle.dump(objs[key], f, protocol=2)  # 本物も protocol 2 (Python 2)
        made[URL.format(key)] = path
    return made
