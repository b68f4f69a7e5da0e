"""utils.distributed: ワーカーの起動・結果の回収・制限時間・後始末、論理 CPU の分割。"""

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from utils import distributed

ROOT = Path(__file__).resolve().parents[1]


def echo_worker(arrays, scale):
    import json
    import os

    task = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    return {"task": task, "total": float(arrays["x"].sum()) * scale, "pid": os.getpid()}


def sleepy_worker(arrays):
    import time

    time.sleep(600)


def failing_worker(arrays):
    raise ValueError("わざと失敗")


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_workers_run_with_cluster_config_and_return_results():
    group = distributed.launch_workers(
        echo_worker, n_workers=2, timeout=60, arrays={"x": np.arange(4.0)}, kwargs={"scale": 2}
    )
    work_dir = group.work_dir
    assert len(group.cluster["worker"]) == 2 and all(a.startswith("127.0.0.1:") for a in group.cluster["worker"])
    results = group.join()
    assert [r["task"] for r in results] == [0, 1]
    assert all(r["total"] == 12.0 for r in results)
    assert not work_dir.exists(), "作業フォルダを消す"


def test_timeout_kills_the_workers():
    group = distributed.launch_workers(sleepy_worker, n_workers=2, timeout=3)
    pids = [p.pid for p in group.processes]
    start = time.monotonic()
    with pytest.raises(distributed.WorkerError, match="制限時間|終了コード"):
        group.join()
    assert time.monotonic() - start < 30
    assert group.running() == 0 and not any(_alive(pid) for pid in pids)
    assert not group.work_dir.exists()


def test_failure_reports_the_worker_log():
    group = distributed.launch_workers(failing_worker, n_workers=2, timeout=60)
    with pytest.raises(distributed.WorkerError, match="わざと失敗"):
        group.join()
    assert group.running() == 0


def test_close_before_join_stops_everything():
    group = distributed.launch_workers(sleepy_worker, n_workers=2, timeout=60)
    group.close()
    group.close()  # 2 回目も安全
    assert group.running() == 0 and not group.work_dir.exists()


@pytest.mark.parametrize("bad", [dict(n_workers=0), dict(n_workers=True), dict(timeout=0), dict(timeout="5")])
def test_rejects_bad_arguments(bad):
    with pytest.raises(ValueError):
        distributed.launch_workers(echo_worker, **bad)


def test_rejects_local_functions():
    def inner(arrays):
        return {}

    with pytest.raises(ValueError, match="最上位"):
        distributed.launch_workers(inner)


def test_free_port_is_bindable():
    import socket

    port = distributed.free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_logical_cpus_in_a_fresh_process():
    """新しいプロセス (TF 未初期化) で 2 台に分かれ、初期化後に 3 台を求めると日本語のエラーになる。"""
    code = (
        "import utils\n"
        "from utils import distributed\n"
        "names = distributed.logical_cpus(2)\n"
        "assert len(names) == 2, names\n"
        "assert distributed.logical_cpus(2) == names\n"  # 2 回目 (初期化済み) もそのまま
        "try:\n"
        "    distributed.logical_cpus(3)\n"
        "except RuntimeError as e:\n"
        "    assert 'カーネルを再起動' in str(e)\n"
        "else:\n"
        "    raise SystemExit('no error')\n"
        "print('ok')\n"
    )
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "ok" in out.stdout, out.stderr[-2000:]


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, "2"])
def test_logical_cpus_rejects_bad_counts(bad):
    with pytest.raises(ValueError, match="1 以上の整数"):
        distributed.logical_cpus(bad)
