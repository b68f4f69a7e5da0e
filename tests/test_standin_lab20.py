"""20 の代役 (scripts/standins/lab20.py): Planetoid の ind.cora.* と同じ名前・pickle の形式・分割の形。"""

import pickle
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from standins import lab20  # noqa: E402


def test_planetoid_standin_has_the_real_files_and_types(tmp_path):
    made = lab20.make(tmp_path)
    base = "https://github.com/kimiyoung/planetoid/raw/master/data/ind.cora."
    assert sorted(made) == sorted(base + k for k in ("x", "y", "tx", "ty", "allx", "ally", "graph", "test.index"))
    objs = {}
    for key in ("x", "y", "tx", "ty", "allx", "ally", "graph"):
        path = made[base + key]
        assert path.name == f"ind.cora.{key}"
        with open(path, "rb") as f:
            objs[key] = pickle.load(f, encoding="latin1")
    for key in ("x", "tx", "allx"):
        assert sp.issparse(objs[key]) and objs[key].shape[1] == 1433
    for key in ("y", "ty", "ally"):
        assert isinstance(objs[key], np.ndarray) and objs[key].shape[1] == 7 and (objs[key].sum(1) == 1).all()
    assert objs["x"].shape[0] == 140 and objs["allx"].shape[0] >= 140 + 500  # Kipf の分割: 学習 140, 検証 500
    test_index = np.loadtxt(made[base + "test.index"], dtype=int)
    n_all = objs["allx"].shape[0]
    assert len(test_index) == objs["tx"].shape[0] and sorted(test_index) == list(range(n_all, n_all + len(test_index)))
    graph = objs["graph"]
    assert set(graph) == set(range(n_all + len(test_index)))
    assert all(a in graph[b] for a in graph for b in graph[a])  # 無向
