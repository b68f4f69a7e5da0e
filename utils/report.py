"""ノートブックの指標と「主張」を JSON に記録する (``make run`` の結果表の材料)。

使い方 (主張はノートブックの中で見える ``assert`` にする)::

    report = Report("05_resnet_transfer_learning")
    report.metric("val_acc_finetune", 0.93, key=True)
    assert report.claim("ファインチューニングがスクラッチを 10 ポイント以上上回る", gap >= 0.10), f"差 {gap:.3f}"

記録先は ``COURSE_RESULTS_DIR`` (既定: リポジトリの ``build/results/``)。
主張は判定のたびに書き出すので、assert で止まっても ✗ が残る。

リハーサル (``utils.rehearsal``, 代役の小さなデータで full の分岐を通す) では主張を計算して表示するが
判定しない: 「– (リハーサル: 未確認) 主張 [計算結果 ✓/✗]」と表示し、``ok: null`` で記録して True を返す。
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from . import rehearsal
from .config import REPO_ROOT, current_config


def results_dir() -> Path:
    return Path(os.environ.get("COURSE_RESULTS_DIR", REPO_ROOT / "build" / "results"))


def _plain(value):
    if isinstance(value, (np.generic,)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


class Report:
    def __init__(self, notebook: str):
        cfg = current_config()
        self.path = results_dir() / f"{notebook}.json"
        self.data = {
            "notebook": notebook,
            "mode": cfg.mode if cfg else None,
            "rehearsal": cfg.rehearsal if cfg else rehearsal.active(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "key_metric": None,
            "metrics": {},
            "claims": [],
        }
        self._save()

    def metric(self, name: str, value, key: bool = False):
        """指標を記録して値を返す。``key=True`` のものが結果表の「主要指標」になる。"""
        self.data["metrics"][name] = _plain(value)
        if key:
            self.data["key_metric"] = name
        self._save()
        return value

    def claim(self, text: str, ok) -> bool:
        """主張の判定結果を記録して返す (``assert report.claim(...)`` の形で使う)。

        リハーサル中は判定しない (代役のデータでは数値に意味が無い): 計算結果を表示・記録して True を返す。
        """
        ok = bool(ok)
        self.data["claims"] = [c for c in self.data["claims"] if c["claim"] != text]
        if self.data["rehearsal"]:
            self.data["claims"].append({"claim": text, "ok": None, "computed": ok, "rehearsal": True})
            self._save()
            print(f"– (リハーサル: 未確認) {text} [計算結果 {'✓' if ok else '✗'}]")
            return True
        self.data["claims"].append({"claim": text, "ok": ok})
        self._save()
        print(("✓ " if ok else "✗ ") + text)
        return ok

    def _save(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.data, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.path)
