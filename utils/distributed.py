"""分散学習の演習 (03_distributed_training) の配管: 論理 CPU の分割と、ワーカープロセスの起動・後始末。

- ``logical_cpus(n)``: 1 台の CPU を ``n`` 台の論理デバイス (``/device:CPU:0`` …) に分ける。TensorFlow が
  デバイスを初期化する前 (``utils.setup`` や最初の演算より前) に呼ぶ。
- ``launch_workers(fn, ...)``: ``fn`` を ``n`` 個の別プロセスで実行し、``TF_CONFIG`` でループバック
  (127.0.0.1) 上のクラスタとして知らせる (``MultiWorkerMirroredStrategy`` 用)。返す ``WorkerGroup`` の
  ``join()`` が結果を集める。制限時間を過ぎたワーカーは自分で終了し、``join()``・``close()``・
  インタプリタの終了のどれでも残ったプロセスは必ず止め、作業フォルダを消す。

``fn`` の中身 (学習ループ) は学習内容なのでノートブックに書く。``fn`` は別プロセスでソースごと
実行されるので、必要な import は関数の中に書き、ノートブックの変数を参照しない。
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import weakref
from pathlib import Path

import numpy as np

# ワーカーのスクリプトの前置き: 制限時間で自分を終了する見張り (相手のワーカーが来ないまま待ち続けないため)
_PREAMBLE = """\
import json, os, sys, threading
_watchdog = threading.Timer({timeout!r}, os._exit, args=(124,))
_watchdog.daemon = True
_watchdog.start()
_TASK = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
"""

_EPILOGUE = """
import numpy as _np
with _np.load({arrays!r}) as _arrays:
    _result = {name}(dict(_arrays), **json.loads({kwargs!r}))
with open(os.path.join({work_dir!r}, f"worker{{_TASK}}.json.tmp"), "w") as _f:
    json.dump(_result, _f)
os.replace(os.path.join({work_dir!r}, f"worker{{_TASK}}.json.tmp"), os.path.join({work_dir!r}, f"worker{{_TASK}}.json"))
"""


def logical_cpus(n: int = 2) -> list[str]:
    """最初の物理 CPU を ``n`` 台の論理デバイスに分け、その名前の一覧を返す。

    TensorFlow がデバイスを初期化した後は分け方を変えられない。すでに ``n`` 台以上あればそのまま返し、
    足りなければカーネルの再起動を求める日本語のエラーにする。
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"論理 CPU の台数 n = {n!r} は使えません。1 以上の整数を指定してください。")
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * n)
    except RuntimeError:  # 初期化済み (セルの 2 回目の実行など)。台数が足りていれば問題ない
        pass
    names = [d.name for d in tf.config.list_logical_devices("CPU")]
    if len(names) < n:
        raise RuntimeError(
            f"論理 CPU が {len(names)} 台しかありません ({n} 台必要)。TensorFlow がデバイスを初期化した後は"
            "分けられないので、カーネルを再起動して、このセルを utils.setup より先に実行してください。"
        )
    return names


def free_port() -> int:
    """ループバックで空いている TCP ポート番号 (0 番を bind すると OS が選ぶ)。"""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WorkerError(RuntimeError):
    """ワーカーが失敗した・制限時間を超えたときの例外 (ログの末尾を含む)。"""


class WorkerGroup:
    """``launch_workers`` が起動したワーカーの集まり。``join()`` で結果を集め、必ず後始末する。"""

    def __init__(self, processes, logs, work_dir: Path, deadline: float, timeout: float):
        self.processes, self._logs, self.work_dir = processes, logs, work_dir
        self.deadline, self.timeout = deadline, timeout
        self.cluster: dict = {}
        # join() を呼ばずにカーネルを止めても、プロセスと作業フォルダを残さない (finalize は終了時にも呼ばれる)
        self._finalizer = weakref.finalize(self, _cleanup, processes, logs, work_dir)

    def join(self) -> list[dict]:
        """全ワーカーの終了を (残り時間だけ) 待ち、各ワーカーの ``fn`` の戻り値をワーカー番号順に返す。"""
        try:
            for process in self.processes:
                try:
                    process.wait(timeout=max(0.1, self.deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    raise WorkerError(
                        f"ワーカーが制限時間 {self.timeout:g} 秒以内に終わりませんでした (止めました)。"
                        f"機械が混んでいるときは制限時間を長くしてください。\n{self._log_tail()}"
                    ) from None
            failed = [i for i, p in enumerate(self.processes) if p.returncode != 0]
            if failed:
                codes = {i: self.processes[i].returncode for i in failed}
                hint = " (124: 制限時間で自分を終了)" if 124 in codes.values() else ""
                raise WorkerError(f"ワーカー {failed} が失敗しました (終了コード {codes}{hint})。\n{self._log_tail(failed[0])}")
            return [json.loads((self.work_dir / f"worker{i}.json").read_text()) for i in range(len(self.processes))]
        finally:
            self.close()

    def close(self) -> None:
        """まだ動いているワーカーを止め、ログを閉じて作業フォルダを消す (何度呼んでもよい)。"""
        self._finalizer()

    def running(self) -> int:
        return sum(p.poll() is None for p in self.processes)

    def _log_tail(self, index: int = 0, chars: int = 2000) -> str:
        for process in self.processes:  # ログを読む前に止める
            if process.poll() is None:
                process.kill()
                process.wait()
        path = self.work_dir / f"worker{index}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""


def _cleanup(processes, logs, work_dir: Path) -> None:
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()
    for log in logs:
        log.close()
    shutil.rmtree(work_dir, ignore_errors=True)


def launch_workers(
    fn,
    *,
    n_workers: int = 2,
    timeout: float = 120,
    arrays: dict[str, np.ndarray] | None = None,
    kwargs: dict | None = None,
    env: dict[str, str] | None = None,
) -> WorkerGroup:
    """``fn(arrays, **kwargs)`` を ``n_workers`` 個のプロセスで同時に動かし、すぐに戻る。

    - ``fn``: モジュールの最上位で定義した関数 (ソースを書き出して実行する)。JSON にできる値を返す。
      自分のワーカー番号は ``TF_CONFIG`` の ``task.index`` で分かる。
    - ``arrays``: NumPy 配列 (データ・初期重み)。npz で渡し、ワーカーでは ``dict`` として受け取る。
    - ``kwargs``: JSON にできる引数。
    - ``timeout``: 秒。ワーカーはこの時間で自分を終了し、``join()`` もこの時刻を過ぎたら止める。
    """
    if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
        raise ValueError(f"n_workers = {n_workers!r} は使えません。1 以上の整数を指定してください。")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout = {timeout!r} は使えません。正の秒数を指定してください。")
    if fn.__name__ == "<lambda>" or "<locals>" in fn.__qualname__:
        raise ValueError("fn はモジュール (ノートブック) の最上位で def した関数にしてください。")
    source = textwrap.dedent(inspect.getsource(fn))
    work_dir = Path(tempfile.mkdtemp(prefix="dl_day4_workers_"))
    np.savez(work_dir / "arrays.npz", **(arrays or {}))
    script = _PREAMBLE.format(timeout=float(timeout)) + "\n" + source + _EPILOGUE.format(
        arrays=str(work_dir / "arrays.npz"), name=fn.__name__, kwargs=json.dumps(kwargs or {}), work_dir=str(work_dir)
    )
    (work_dir / "worker.py").write_text(script, encoding="utf-8")

    cluster = {"worker": [f"127.0.0.1:{free_port()}" for _ in range(n_workers)]}
    processes, logs = [], []
    deadline = time.monotonic() + timeout
    try:
        for index in range(n_workers):
            worker_env = os.environ | {
                "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}),
                "TF_CPP_MIN_LOG_LEVEL": "3",
                "CUDA_VISIBLE_DEVICES": "-1",  # 演習のワーカーは CPU で動かす (GPU の取り合いを防ぐ)
            } | (env or {})
            logs.append(open(work_dir / f"worker{index}.log", "w"))
            processes.append(
                subprocess.Popen(
                    [sys.executable, str(work_dir / "worker.py")],
                    env=worker_env,
                    cwd=work_dir,
                    stdin=subprocess.DEVNULL,
                    stdout=logs[-1],
                    stderr=subprocess.STDOUT,
                )
            )
    except BaseException:
        _cleanup(processes, logs, work_dir)
        raise
    group = WorkerGroup(processes, logs, work_dir, deadline, timeout)
    group.cluster = cluster
    return group
