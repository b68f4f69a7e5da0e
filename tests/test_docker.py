"""Docker まわりの静的な検査: Dockerfile と requirements.txt の版、docker-compose.yml、入口、GPU の CI。

Docker デーモンも GPU も無い CI で確かめられることだけ (イメージを作って GPU で動かす確認は
.github/workflows/gpu.yml)。Dockerfile の lint (hadolint) は tests/test_repo.py。
"""

import os
import re
import shutil
import subprocess

import pytest

from utils import doctor

ROOT = doctor.REPO_ROOT


def test_dockerfile_tensorflow_matches_the_pin_and_installs_cuda_from_tensorflow():
    args = doctor.dockerfile_args()
    assert args["TF_VERSION"] == doctor.read_pins()["tensorflow"]
    runs = " ".join(a for _, i, a in doctor.dockerfile_instructions() if i == "RUN")
    assert '"tensorflow[and-cuda]==${TF_VERSION}"' in runs and "-r requirements.txt" in runs
    assert 'grep -qx "tensorflow==${TF_VERSION}" requirements.txt' in runs  # 食い違えばビルドが止まる


def test_dockerfile_does_not_use_the_official_gpu_image_with_cudnn8():
    """公式の tensorflow/tensorflow:*-gpu は cuDNN 8.9 で、TF 2.18 以降 (cuDNN 9) の GPU が見えない。根拠をコメントに書く。"""
    base = next(a for _, i, a in doctor.dockerfile_instructions() if i == "FROM")
    assert not base.startswith("tensorflow/tensorflow:")
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for evidence in ("tensorflow/build#221", "tensorflow/tensorflow#62412", "gpu.packages.txt"):
        assert evidence in text


def test_image_sets_the_cache_dir_and_driver_capabilities_but_not_visible_devices():
    args = doctor.dockerfile_args()
    assert args["COURSE_CACHE_DIR"].startswith("/")
    assert set(args["NVIDIA_DRIVER_CAPABILITIES"].split(",")) >= {"compute", "utility"}
    assert "NVIDIA_VISIBLE_DEVICES" not in args  # --gpus を付けたときだけ Docker が入れる (doctor の印)


def test_entrypoint_runs_the_gpu_gate_then_the_command():
    instructions = doctor.dockerfile_instructions()
    assert ("ENTRYPOINT", '["course-entrypoint"]') in [(i, a) for _, i, a in instructions]
    script = ROOT / "scripts" / "docker-entrypoint.sh"
    assert os.access(script, os.X_OK)
    lines = [line for line in script.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    assert lines == ["set -e", "python -m utils.doctor --gate", 'exec "$@"']


def test_every_imported_package_is_pinned():
    unpinned = {m: d for m, (d, v) in doctor.import_pins().items() if v is None}
    assert not unpinned, f"requirements.txt に固定版がありません: {unpinned}"


@pytest.fixture(scope="module")
def compose():
    return doctor.load_compose()


def test_compose_file_is_valid(compose):
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        result = subprocess.run([docker, "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    assert doctor.compose_problems(compose) == []


def test_compose_mounts_the_repo_and_the_cache_volume_and_reserves_a_gpu(compose):
    mounts = doctor.compose_mounts(compose)
    assert {"source": ".", "target": "/workspace"}.items() <= mounts["bind"][0].items()
    cache_dir = doctor.dockerfile_args()["COURSE_CACHE_DIR"]
    assert [v["target"] for v in mounts["volume"]] == [cache_dir]
    assert compose["volumes"][mounts["volume"][0]["source"]]["name"] == "dl-day4-cache"  # docker run と同じボリューム
    assert doctor.compose_gpu_reserved(compose)
    assert compose["services"]["lab"]["ports"] == ["127.0.0.1:8888:8888"]


def test_readme_shows_docker_run_and_compose_with_the_same_paths():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    cache_dir = doctor.dockerfile_args()["COURSE_CACHE_DIR"]
    assert "docker compose up" in readme and "docker run --gpus all" in readme
    assert f"dl-day4-cache:{cache_dir}" in readme and "make doctor" in readme


def test_dockerignore_keeps_the_build_context_small():
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".venv", ".git", "build"} <= ignored


def test_gpu_workflow_asserts_that_the_container_saw_a_gpu():
    workflow = (ROOT / ".github" / "workflows" / "gpu.yml").read_text(encoding="utf-8")
    assert "mode: [quick, full]" in workflow and "--gpus all" in workflow
    assert re.search(r"python -m utils\.doctor --require-gpu && make doctor && make test", workflow)
    assert "docker compose -f docker-compose.yml config --quiet" in workflow
