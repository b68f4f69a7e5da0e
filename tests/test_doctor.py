"""utils.doctor (make doctor) の判定を、偽の事実でオフラインに確かめる (ネットワークは差し替える)。"""

import json
import subprocess
import sys
import urllib.error

import pytest

from utils import doctor

PINS = {"tensorflow": "2.21.0", "keras": "3.15.1", "keras-hub": "0.32.0", "matplotlib-fontja": "1.1.0"}


def facts(**changes):
    """問題の無い CPU のマシン (quick) の事実。テストごとに一部だけ変える。"""
    base = {
        "python": "3.11.7",
        "versions": {"tensorflow": "2.21.0", "keras": "3.15.1", "keras-hub": "0.32.0", "nvidia-cudnn-cu12": None},
        "pins": dict(PINS),
        "colab": False,
        "container": (False, "印が無い"),
        "requested": (False, "GPU のデバイスも NVIDIA_VISIBLE_DEVICES も無い"),
        "allow_cpu": False,
        "gpus": [],
        "tf_error": None,
        "build": {"cuda_version": "12.5.1", "cudnn_version": "9"},
        "system_cudnn": None,
        "rehearsal": False,
        "mode": ("quick", "GPU が無いため自動選択"),
        "cache": {"path": "/cache", "writable": True, "free_gb": 50.0, "error": None},
        "font": {"ok": True, "name": "IPAexGothic (ipaexg.ttf)"},
        "unpinned": {},
        "network": None,
    }
    base.update(changes)
    return base


def by_name(checks):
    return {c.name: c for c in checks}


def test_healthy_cpu_machine_passes_with_info_lines():
    checks = doctor.evaluate(facts())
    assert doctor.exit_code(checks) == 0
    assert all(c.status in ("ok", "info") for c in checks), [c.line() for c in checks]
    named = by_name(checks)
    assert named["GPU"].status == "info" and "quick" in named["GPU"].detail
    assert "quick" in named["モード"].detail and "quick モードでは確かめません" in named["ネットワーク"].detail
    assert doctor.render(checks).endswith("結果: ✓ 問題なし")


def test_gpu_requested_but_invisible_is_a_hard_failure_with_the_fix():
    """--gpus を渡したのに TF が GPU を見ない (公式イメージの cuDNN 8.9 など) ときは止まる。"""
    f = facts(requested=(True, "NVIDIA_VISIBLE_DEVICES=all"), system_cudnn="libcudnn.so.8")
    checks = doctor.evaluate(f)
    gpu = by_name(checks)["GPU"]
    assert gpu.status == "fail" and gpu.hard and "cuDNN 8.9" in gpu.fix and "tensorflow[and-cuda]==2.21.0" in gpu.fix
    assert doctor.exit_code(checks) == 1
    code, message = doctor.gate(f)
    assert code == 1 and "COURSE_ALLOW_CPU=1" in message


def test_allow_cpu_downgrades_the_gpu_failure():
    f = facts(requested=(True, "NVIDIA_VISIBLE_DEVICES=all"), allow_cpu=True)
    assert doctor.exit_code(doctor.evaluate(f)) == 0
    code, message = doctor.gate(f)
    assert code == 0 and "CPU のまま" in message
    assert doctor.gate(f, require_gpu=True)[0] == 1  # GPU の CI では許さない


def test_visible_gpu_with_matching_cudnn_is_ok():
    f = facts(gpus=["/physical_device:GPU:0"], requested=(True, "NVIDIA_VISIBLE_DEVICES=all"))
    f["versions"]["nvidia-cudnn-cu12"] = "9.10.2.21"
    named = by_name(doctor.evaluate(f))
    assert named["GPU"].status == "ok" and named["cuDNN"].status == "ok"
    assert doctor.gate(f)[0] == 0 and "畳み込み (cuDNN) も動く" in doctor.gate(f)[1]


def test_gpu_listed_but_cudnn_broken_is_a_hard_failure():
    """GPU が一覧に出ても、cuDNN が合わず最初の畳み込みで落ちる (CUDNN_STATUS_INTERNAL_ERROR) なら止まる。"""
    f = facts(gpus=["/physical_device:GPU:0"], requested=(True, "NVIDIA_VISIBLE_DEVICES=all"))
    f["cudnn_error"] = "UnknownError: CUDNN_STATUS_INTERNAL_ERROR"
    cudnn = by_name(doctor.evaluate(f))["cuDNN"]
    assert cudnn.status == "fail" and cudnn.hard and "CUDNN_STATUS_INTERNAL_ERROR" in cudnn.detail
    code, message = doctor.gate(f)
    assert code == 1 and "CUDNN_STATUS_INTERNAL_ERROR" in message


def test_cudnn_major_mismatch_is_hard():
    """GPU を渡されたのに見えず、見つかる cuDNN が 8 (公式イメージ) なら、それが原因だと示す。"""
    f = facts(requested=(True, "NVIDIA_VISIBLE_DEVICES=all"), system_cudnn="libcudnn.so.8")
    cudnn = by_name(doctor.evaluate(f))["cuDNN"]
    assert cudnn.status == "fail" and cudnn.hard and "要: 9.x" in cudnn.detail


def test_no_gpu_without_request_passes_gate_without_tensorflow():
    assert doctor.gate({"requested": (False, "無い"), "gpus": []})[0] == 0
    code, message = doctor.gate({"requested": (False, "無い"), "gpus": []}, require_gpu=True)
    assert code == 1 and "--gpus all" in message


@pytest.mark.parametrize(
    ("env", "nodes", "expected"),
    [
        ({}, [], False),
        ({"NVIDIA_VISIBLE_DEVICES": "void"}, [], False),
        ({"NVIDIA_VISIBLE_DEVICES": "none"}, [], False),
        ({"NVIDIA_VISIBLE_DEVICES": "all"}, [], True),
        ({"NVIDIA_VISIBLE_DEVICES": "0,1"}, [], True),
        ({}, ["/dev/nvidia0"], True),
    ],
)
def test_gpu_requested(env, nodes, expected):
    fake_glob = lambda pattern: [n for n in nodes if pattern.startswith("/dev/nvidia")]  # noqa: E731
    assert doctor.gpu_requested(env, fake_glob)[0] is expected


def test_versions_against_pins():
    named = by_name(doctor.evaluate(facts(versions={"tensorflow": "2.20.0", "keras": "2.15.0", "keras-hub": None})))
    assert named["TensorFlow"].status == "fail" and not named["TensorFlow"].hard and "2.21.0" in named["TensorFlow"].detail
    assert named["Keras"].hard  # Keras 2 (tf_keras) ではこのコースは動かない
    assert named["KerasHub"].status == "fail" and not named["KerasHub"].hard
    missing = by_name(doctor.evaluate(facts(versions={"tensorflow": None, "keras": "3.15.1", "keras-hub": "0.32.0"})))
    assert missing["TensorFlow"].hard and "make venv" in missing["TensorFlow"].fix


def test_colab_versions_are_information_not_failures():
    f = facts(colab=True, python="3.13.9", versions={"tensorflow": "2.20.0", "keras": "3.15.1", "keras-hub": "0.32.0"})
    named = by_name(doctor.evaluate(f))
    assert named["TensorFlow"].status == "info" and "Colab" in named["TensorFlow"].detail
    assert named["Python"].status == "info"


def test_python_versions():
    assert by_name(doctor.evaluate(facts(python="3.12.3")))["Python"].status == "fail"
    old = by_name(doctor.evaluate(facts(python="3.9.18")))["Python"]
    assert old.hard


def test_bad_mode_cache_and_font():
    checks = doctor.evaluate(
        facts(
            mode=(None, "環境変数 COURSE_MODE の値 'fast' は使えません。"),
            cache={"path": "/ro", "writable": False, "free_gb": None, "error": "PermissionError: denied"},
            font={"ok": False, "name": "ModuleNotFoundError: matplotlib_fontja"},
        )
    )
    named = by_name(checks)
    assert named["モード"].hard and named["キャッシュ"].hard and "COURSE_CACHE_DIR" in named["キャッシュ"].fix
    assert named["日本語フォント"].status == "fail" and "matplotlib-fontja==1.1.0" in named["日本語フォント"].fix
    assert doctor.exit_code(checks) == 1


def test_little_free_space_matters_only_in_full_mode():
    cache = {"path": "/c", "writable": True, "free_gb": 1.0, "error": None}
    assert by_name(doctor.evaluate(facts(cache=cache)))["キャッシュ"].status == "ok"
    full = by_name(doctor.evaluate(facts(cache=cache, mode=("full", "x"), network=[])))["キャッシュ"]
    assert full.status == "fail" and not full.hard


def test_unpinned_imports_are_reported():
    check = by_name(doctor.evaluate(facts(unpinned={"scipy": "scipy"})))["固定版"]
    assert check.status == "fail" and "scipy" in check.detail and not check.hard


def test_network_is_checked_with_a_fake_opener_and_reported():
    def opener(request, timeout):
        if "huggingface" in request.full_url:
            raise urllib.error.URLError("名前解決できない")
        if "kaggle" in request.full_url:
            raise urllib.error.HTTPError(request.full_url, 403, "Forbidden", {}, None)  # 応答あり = 接続できる
        return object()

    results = doctor.check_network(opener=opener)
    assert [r["ok"] for r in results] == [True, False, True]
    check = by_name(doctor.evaluate(facts(mode=("full", "x"), network=results)))["ネットワーク"]
    assert check.status == "fail" and "huggingface" in check.detail and "DATA_DIR" in check.fix


def test_gather_does_not_touch_the_network_in_quick(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "quick")
    monkeypatch.delenv("COURSE_REHEARSAL", raising=False)

    def forbidden(*args, **kwargs):
        raise AssertionError("quick モードでネットワークに接続した")

    f = doctor.gather(opener=forbidden)
    assert f["mode"][0] == "quick" and f["network"] is None
    assert f["versions"]["tensorflow"] and f["cache"]["path"]


def test_gather_checks_the_network_in_full_with_the_given_opener(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "full")
    monkeypatch.delenv("COURSE_REHEARSAL", raising=False)
    calls = []
    f = doctor.gather(opener=lambda request, timeout: calls.append(request.full_url))
    assert f["mode"] == ("full", "環境変数 COURSE_MODE で指定") and len(calls) == len(doctor.NETWORK_URLS)


def test_in_container(tmp_path):
    assert doctor.in_container(str(tmp_path))[0] is False
    (tmp_path / "proc" / "1").mkdir(parents=True)
    (tmp_path / "proc" / "1" / "cgroup").write_text("0::/kubepods/pod1\n")
    assert doctor.in_container(str(tmp_path)) == (True, "/proc/1/cgroup に kubepods")
    (tmp_path / ".dockerenv").touch()
    assert doctor.in_container(str(tmp_path))[1].startswith("/.dockerenv")


def test_imports_are_found_in_notebook_cells_with_magics(tmp_path):
    nb = {
        "cells": [
            {"cell_type": "code", "source": ["if True:\n", "    !pip install x\n", "import numpy as np\n"]},
            {"cell_type": "code", "source": ["%matplotlib inline\n", "from sklearn.metrics import f1_score\n"]},
            {"cell_type": "markdown", "source": ["import fake_in_markdown"]},
        ]
    }
    path = tmp_path / "01_x.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    found = doctor.imported_modules([path])
    assert set(found) == {"numpy", "sklearn"}
    assert doctor.distribution_of("sklearn", {}) == "scikit-learn" and doctor.distribution_of("PIL", {}) == "pillow"
    assert doctor.distribution_of("yaml", {}) == "pyyaml" and doctor.distribution_of("cv2", {}) == "opencv-python-headless"


def test_dockerfile_parser_joins_continuations(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("# c\nFROM a:1\nARG V=2.0\nRUN x \\\n    # note\n    && y\nENV A=1 \\\n    B=\"two\"\n", encoding="utf-8")
    assert doctor.dockerfile_instructions(path) == [(2, "FROM", "a:1"), (3, "ARG", "V=2.0"), (4, "RUN", "x && y"), (7, "ENV", 'A=1 B="two"')]
    assert doctor.dockerfile_args(path) == {"V": "2.0", "A": "1", "B": "two"}


def test_compose_problems_catch_typos_and_missing_volumes():
    good = {
        "services": {"lab": {"build": ".", "ports": ["8888:8888"], "volumes": [{"type": "volume", "source": "c", "target": "/c"}]}},
        "volumes": {"c": None},
    }
    assert doctor.compose_problems(good) == []
    bad = {
        "servics": {},
        "services": {
            "lab": {
                "prots": ["8888"],
                "ports": ["localhost-8888"],
                "volumes": ["./:/workspace", {"type": "volume", "source": "nope", "target": "/c"}],
                "deploy": {"resources": {"reservations": {"devices": [{"driver": "nvidia", "count": "all", "capability": ["gpu"]}]}}},
            }
        },
    }
    problems = "\n".join(doctor.compose_problems(bad))
    for word in ("'servics'", "'prots'", "build か image", "localhost-8888", "長い書き方", "'nope'", "'capability'", "capabilities"):
        assert word in problems, word


def test_cli_runs_here_and_reports(tmp_path):
    """python scripts/doctor.py がこの環境で動き、各行に ✓/✗/– が付く (quick なのでネットワークは使わない)。"""
    env = {"PATH": "/usr/bin:/bin", "COURSE_MODE": "quick", "COURSE_CACHE_DIR": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "scripts/doctor.py"], capture_output=True, text=True, env=env, cwd=doctor.REPO_ROOT, timeout=300)
    lines = out.stdout.splitlines()
    assert out.returncode == 0, out.stdout + out.stderr
    assert lines[0].startswith("環境: ") and lines[-1].startswith("結果: ")
    assert all(line[0] in "✓✗–" for line in lines[1:-1] if not line.startswith("    → ")), out.stdout
    assert "ネットワーク: quick モードでは確かめません" in out.stdout


def test_working_gpu_with_unknown_cudnn_location_is_ok():
    named = by_name(doctor.evaluate(facts(gpus=["/physical_device:GPU:0"])))
    assert named["cuDNN"].status == "ok" and "版は不明" in named["cuDNN"].detail
