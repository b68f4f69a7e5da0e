"""``make doctor``: 学習環境の診断 (版と固定版、GPU・cuDNN、モード、キャッシュ、日本語フォント、ネットワーク)。

1 行ずつ ✓ (問題なし) / ✗ (直すべきこと、直し方つき) / – (参考) を出す。終了コードは「このままでは
動かない」✗ (``hard``) があるときだけ 1。わざと CPU で動かすときは ``COURSE_ALLOW_CPU=1``。

    python scripts/doctor.py          # make doctor と同じ
    python -m utils.doctor --gate     # Docker の入口: GPU を渡されたのに TF が見ないときだけ止める
    python -m utils.doctor --require-gpu   # GPU が無ければ止める (GPU の CI)

``gather()`` が事実を集め (TensorFlow を import する)、``evaluate()`` が事実の辞書から判定する (副作用の無い
関数なので、tests/test_doctor.py が偽の事実でオフラインに確かめる)。ネットワークは full モードのときだけ調べる。
Dockerfile・requirements.txt・docker-compose.yml を読む関数は、ノートブック 22 とテストも使う。
"""

from __future__ import annotations

import ast
import dataclasses
import glob
import importlib.metadata
import json
import os
import platform
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON = "3.11"  # requirements.txt を一括インストールで確かめた Python (Colab は 3.13: README の Colab 節)
MIN_PYTHON = (3, 10)  # pyproject.toml の requires-python
FULL_CACHE_GB = 5.0  # full モードのダウンロード (tf_flowers・ImageNet/BiT/BERT の重みなど) に要る空き容量の目安
NETWORK_URLS = (  # full モードのダウンロード元 (utils.data の URL のホスト)
    "https://storage.googleapis.com/",
    "https://huggingface.co/",
    "https://www.kaggle.com/",
)
# import 名 → 配布物 (pip の名前)。入っていれば importlib.metadata.packages_distributions() を使い、
# 入っていない環境 (Colab など) でも判定できるように、名前の違うものだけここに書く
IMPORT_TO_DIST = {
    "PIL": "pillow",
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "cv2": "opencv-python-headless",
    "yaml": "pyyaml",
    "keras_hub": "keras-hub",
    "tensorflow_hub": "tensorflow-hub",
    "ai_edge_litert": "ai-edge-litert",
    "matplotlib_fontja": "matplotlib-fontja",
    "unidic_lite": "unidic-lite",
    "huggingface_hub": "huggingface-hub",
}
LOCAL_MODULES = {"utils", "scripts", "google"}  # google.colab は Colab にだけある


def normalize(name: str) -> str:
    """配布物の名前を PEP 503 の形にする (PyYAML → pyyaml, keras_hub → keras-hub)。"""
    return re.sub(r"[-_.]+", "-", name).lower()


# --- requirements.txt・Dockerfile・docker-compose.yml ----------------------------------


def read_pins(path: Path | None = None) -> dict[str, str]:
    """requirements.txt の ``名前==版`` を {正規化した名前: 版} で返す。"""
    pins = {}
    for line in (path or REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[normalize(name.split("[")[0])] = version.strip()
    return pins


def dockerfile_instructions(path: Path | None = None) -> list[tuple[int, str, str]]:
    """Dockerfile を (行番号, 命令, 引数) の列にする。行末の ``\\`` で続く行はつなぎ、コメントは飛ばす。"""
    result, buffer, start = [], [], 0
    for number, raw in enumerate((path or REPO_ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if buffer and line.startswith("#"):
            continue  # 続き行の間のコメント
        start = start if buffer else number
        buffer.append(line.removesuffix("\\").strip())
        if not line.endswith("\\"):
            instruction, _, args = " ".join(part for part in buffer if part).partition(" ")
            result.append((start, instruction.upper(), args.strip()))
            buffer = []
    return result


def dockerfile_args(path: Path | None = None) -> dict[str, str]:
    """``ARG 名前=既定値`` と ``ENV 名前=値`` を {名前: 値} で返す (後の定義が勝つ)。"""
    values = {}
    for _, instruction, args in dockerfile_instructions(path):
        if instruction in ("ARG", "ENV"):
            for name, value in re.findall(r"""(\w+)=("[^"]*"|\S+)""", args):
                values[name] = value.strip('"')
    return values


def _strip_magics(source: str) -> str:
    """ノートブックの ``!cmd`` / ``%magic`` の行を ``pass`` にして、Python として読めるようにする。"""
    lines = []
    for line in source.splitlines():
        body = line.lstrip()
        lines.append(line[: len(line) - len(body)] + "pass" if body.startswith(("!", "%")) else line)
    return "\n".join(lines)


def imported_modules(paths: Iterable[Path]) -> dict[str, set[str]]:
    """.py と .ipynb (コードセル) が import する最上位のモジュール名 → 使っているファイル名。"""
    found: dict[str, set[str]] = {}
    for path in paths:
        if path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        else:
            sources = [path.read_text(encoding="utf-8")]
        for source in sources:
            for node in ast.walk(ast.parse(_strip_magics(source))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    found.setdefault(name.split(".")[0], set()).add(path.name)
    return found


def course_sources(root: Path | None = None) -> list[Path]:
    """import を調べる対象: 全ノートブックと utils/ の .py。"""
    root = root or REPO_ROOT
    return sorted(root.glob("notebooks/[0-9][0-9]_*.ipynb")) + sorted((root / "utils").rglob("*.py"))


def distribution_of(module: str, installed: dict[str, list[str]] | None = None) -> str:
    """import 名の配布物 (正規化した名前)。入っていれば実際の対応、無ければ IMPORT_TO_DIST、最後は同じ名前。"""
    installed = importlib.metadata.packages_distributions() if installed is None else installed
    if module in IMPORT_TO_DIST:
        return IMPORT_TO_DIST[module]
    dists = installed.get(module)
    return normalize(dists[0]) if dists else normalize(module)


def import_pins(root: Path | None = None, pins: dict[str, str] | None = None) -> dict[str, tuple[str, str | None]]:
    """{import 名: (配布物, 固定版 or None)}。標準ライブラリとこのリポジトリ自身は除く。"""
    root = root or REPO_ROOT
    pins = read_pins(root / "requirements.txt") if pins is None else pins
    installed = importlib.metadata.packages_distributions()
    result = {}
    for module in sorted(imported_modules(course_sources(root))):
        if module in sys.stdlib_module_names or module in LOCAL_MODULES:
            continue
        dist = distribution_of(module, installed)
        result[module] = (dist, pins.get(dist))
    return result


def load_compose(path: Path | None = None) -> dict:
    """docker-compose.yml を読む (PyYAML)。"""
    import yaml

    return yaml.safe_load((path or REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


# Compose Specification (compose-spec.io) のうち、このリポジトリが使うキーの範囲で確かめる
_TOP_KEYS = {"name", "services", "volumes", "networks", "configs", "secrets", "include"}
_SERVICE_KEYS = {
    "build", "image", "command", "entrypoint", "ports", "volumes", "environment", "env_file", "deploy",
    "working_dir", "user", "restart", "shm_size", "ipc", "ulimits", "healthcheck", "container_name", "init",
}  # fmt: skip
_DEVICE_KEYS = {"driver", "count", "device_ids", "capabilities", "options"}


def compose_problems(data, service: str = "lab") -> list[str]:
    """compose ファイルの内容の問題 (日本語) を返す。空なら問題なし。"""
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        return ["最上位に services: の辞書がありません"]
    problems = [f"最上位のキー {k!r} は Compose の仕様にありません" for k in data if k not in _TOP_KEYS]
    named = set((data.get("volumes") or {}).keys())
    for name, svc in data["services"].items():
        if not isinstance(svc, dict):
            problems.append(f"サービス {name} が辞書ではありません")
            continue
        problems += [f"{name}: キー {k!r} は Compose の仕様にありません" for k in svc if k not in _SERVICE_KEYS]
        if "build" not in svc and "image" not in svc:
            problems.append(f"{name}: build か image が要ります")
        for port in svc.get("ports", []):
            if not re.fullmatch(r"(\d{1,3}(\.\d{1,3}){3}:)?\d+:\d+(/(tcp|udp))?", str(port)):
                problems.append(f"{name}: ports の {port!r} は 'ホスト:コンテナ' の形ではありません")
        for volume in svc.get("volumes", []):
            if not isinstance(volume, dict) or volume.get("type") not in ("bind", "volume", "tmpfs"):
                problems.append(f"{name}: volumes は type/source/target の長い書き方にします ({volume!r})")
            elif volume["type"] == "volume" and volume.get("source") not in named:
                problems.append(f"{name}: 名前付きボリューム {volume.get('source')!r} が最上位の volumes にありません")
            elif not str(volume.get("target", "")).startswith("/"):
                problems.append(f"{name}: volumes の target は絶対パスにします ({volume!r})")
        devices = (((svc.get("deploy") or {}).get("resources") or {}).get("reservations") or {}).get("devices", [])
        for device in devices:
            problems += [f"{name}: devices のキー {k!r} は仕様にありません" for k in device if k not in _DEVICE_KEYS]
            if "capabilities" not in device:
                problems.append(f"{name}: devices には capabilities (例: [gpu]) が要ります")
    if service not in data["services"]:
        problems.append(f"サービス {service!r} がありません")
    return problems


def compose_mounts(data, service: str = "lab") -> dict[str, list[dict]]:
    """サービスのマウントを {'bind': [...], 'volume': [...]} に分ける。"""
    mounts: dict[str, list[dict]] = {"bind": [], "volume": [], "tmpfs": []}
    for volume in data["services"][service].get("volumes", []):
        if isinstance(volume, dict) and volume.get("type") in mounts:
            mounts[volume["type"]].append(volume)
    return mounts


def compose_gpu_reserved(data, service: str = "lab") -> bool:
    """deploy.resources.reservations.devices で GPU (capabilities に gpu) を予約しているか。"""
    reservations = ((data["services"][service].get("deploy") or {}).get("resources") or {}).get("reservations") or {}
    return any("gpu" in (d.get("capabilities") or []) for d in reservations.get("devices", []))


# --- 実行環境の事実 ---------------------------------------------------------------------


def in_container(root: str = "/") -> tuple[bool, str]:
    """コンテナの中か (Docker は /.dockerenv、Podman は /run/.containerenv、ほかは cgroup で判断)。"""
    base = Path(root)
    if (base / ".dockerenv").exists():
        return True, "/.dockerenv がある (Docker)"
    if (base / "run/.containerenv").exists():
        return True, "/run/.containerenv がある (Podman)"
    try:
        cgroup = (base / "proc/1/cgroup").read_text(encoding="utf-8")
    except OSError:
        cgroup = ""
    for word in ("docker", "kubepods", "containerd", "lxc"):
        if word in cgroup:
            return True, f"/proc/1/cgroup に {word}"
    return False, "コンテナの印 (/.dockerenv など) が無い"


def gpu_requested(env=None, devices: Callable[[str], list[str]] = glob.glob) -> tuple[bool, str]:
    """GPU を渡されたか: ``--gpus`` / compose の GPU 予約 (NVIDIA_VISIBLE_DEVICES が入る) か、GPU のデバイスがある。

    NVIDIA Container Toolkit は NVIDIA_VISIBLE_DEVICES が空・void・未設定なら何もしない (普通のコンテナと同じ)。
    このリポジトリのイメージは NVIDIA_VISIBLE_DEVICES を設定しないので、値があれば「GPU を頼まれた」印になる。
    """
    env = os.environ if env is None else env
    value = env.get("NVIDIA_VISIBLE_DEVICES", "").strip()
    if value and value not in ("void", "none"):
        return True, f"NVIDIA_VISIBLE_DEVICES={value}"
    nodes = sorted(devices("/dev/nvidia[0-9]*")) + sorted(devices("/dev/dxg"))  # dxg: WSL2 の GPU
    if nodes:
        return True, f"GPU のデバイス {', '.join(nodes[:2])}"
    return False, "GPU のデバイスも NVIDIA_VISIBLE_DEVICES も無い"


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cache_facts(path: Path) -> dict:
    facts = {"path": str(path), "writable": False, "free_gb": None, "error": None}
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
        facts["writable"] = True
        facts["free_gb"] = shutil.disk_usage(path).free / 1e9
    except OSError as err:
        facts["error"] = f"{type(err).__name__}: {err}"
    return facts


def _font_facts() -> dict:
    try:
        import matplotlib_fontja  # noqa: F401
        from matplotlib import font_manager, rcParams

        family = rcParams["font.family"]
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        return {"ok": True, "name": f"{family[0] if isinstance(family, list) else family} ({Path(path).name})"}
    except Exception as err:  # ImportError、フォントが見つからない (ValueError) など
        return {"ok": False, "name": f"{type(err).__name__}: {err}"}


def check_network(urls: Iterable[str] = NETWORK_URLS, opener=None, timeout: float = 5.0) -> list[dict]:
    """各 URL に HEAD で接続できるか。``opener`` はテストで差し替える (既定: urllib.request.urlopen)。"""
    import urllib.error
    import urllib.request

    opener = opener or urllib.request.urlopen
    results = []
    for url in urls:
        try:
            opener(urllib.request.Request(url, method="HEAD"), timeout=timeout)
            results.append({"url": url, "ok": True, "error": None})
        except urllib.error.HTTPError:  # 応答があった (403 など) = 接続はできる
            results.append({"url": url, "ok": True, "error": None})
        except Exception as err:  # 名前解決・接続・タイムアウト
            results.append({"url": url, "ok": False, "error": f"{type(err).__name__}: {err}"})
    return results


def cudnn_smoke() -> str | None:
    """GPU で小さな畳み込みを 1 回計算する (cuDNN を実際に使う)。失敗したらエラーの文字列、成功なら None。

    GPU が一覧に出ても、cuDNN の版が合わないと最初の畳み込みで CUDNN_STATUS_INTERNAL_ERROR などになる。
    """
    import tensorflow as tf

    try:
        with tf.device("/GPU:0"):
            out = tf.nn.conv2d(tf.ones([1, 8, 8, 3]), tf.ones([3, 3, 3, 4]), strides=1, padding="SAME")
        return None if float(tf.reduce_sum(out)) > 0 else "畳み込みの結果が 0"
    except Exception as err:
        return f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"


def gather(mode: str | None = None, *, network: bool | None = None, opener=None) -> dict:
    """いまの環境の事実を集める。ネットワークは full モード (リハーサルでない) のときだけ調べる。"""
    import ctypes.util

    from . import config, rehearsal

    facts = {
        "python": platform.python_version(),
        "versions": {d: _version(d) for d in ("tensorflow", "keras", "keras-hub", "nvidia-cudnn-cu12")},
        "pins": read_pins(),
        "colab": "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ,
        "container": in_container(),
        "requested": gpu_requested(),
        "allow_cpu": os.environ.get("COURSE_ALLOW_CPU", "") not in ("", "0"),
        "gpus": [],
        "tf_error": None,
        "build": {},
        "system_cudnn": ctypes.util.find_library("cudnn"),
        "cudnn_error": None,
        "rehearsal": rehearsal.active(),
    }
    try:
        import tensorflow as tf

        facts["gpus"] = [d.name for d in tf.config.list_physical_devices("GPU")]
        build = tf.sysconfig.get_build_info()
        facts["build"] = {k: str(build[k]) for k in ("cuda_version", "cudnn_version") if k in build}
        facts["cudnn_error"] = cudnn_smoke() if facts["gpus"] else None
    except Exception as err:
        facts["tf_error"] = f"{type(err).__name__}: {err}"
    try:
        facts["mode"] = config.resolve_mode(mode, len(facts["gpus"]))  # setup() と同じ決め方、副作用なし
    except ValueError as err:
        facts["mode"] = (None, str(err))
    facts["cache"] = _cache_facts(config.default_cache_dir())
    facts["font"] = _font_facts()
    facts["unpinned"] = {m: d for m, (d, v) in import_pins().items() if v is None}
    if network is None:
        network = facts["mode"][0] == "full" and not facts["rehearsal"]
    facts["network"] = check_network(opener=opener) if network else None
    return facts


# --- 判定 -------------------------------------------------------------------------------


@dataclasses.dataclass
class Check:
    name: str
    status: str  # "ok" (✓) / "fail" (✗) / "info" (–)
    detail: str
    fix: str = ""
    hard: bool = False  # このままでは動かない (終了コード 1)

    def line(self) -> str:
        mark = {"ok": "✓", "fail": "✗", "info": "–"}[self.status]
        text = f"{mark} {self.name}: {self.detail}"
        return text + (f"\n    → {self.fix}" if self.fix else "")


def _package(name: str, dist: str, facts: dict, *, required: bool, major: str | None = None) -> Check:
    have, pin = facts["versions"].get(dist), facts["pins"].get(dist)
    install = f'pip install "{dist}=={pin}" (.venv なら make venv)'
    if have is None:
        return Check(name, "fail", "入っていません", install, hard=required)
    if major and not have.startswith(major):
        return Check(name, "fail", f"{have} (このコースは {major}x)", install, hard=True)
    if have == pin:
        return Check(name, "ok", f"{have} (固定版と同じ)")
    if facts["colab"]:
        return Check(name, "info", f"{have} (固定版 {pin}、Colab の版をそのまま使う: README の Colab 節)")
    return Check(name, "fail", f"{have} (固定版 {pin})", install)


def _gpu_checks(facts: dict) -> list[Check]:
    gpus, (requested, why) = facts["gpus"], facts["requested"]
    build = facts.get("build") or {}
    built = f"TF のビルド: CUDA {build.get('cuda_version', '?')} / cuDNN {build.get('cudnn_version', '?')}"
    cudnn = (facts.get("versions") or {}).get("nvidia-cudnn-cu12") or facts.get("system_cudnn")
    checks = []
    if gpus:
        checks.append(Check("GPU", "ok", f"TensorFlow が {len(gpus)} 基を認識 ({', '.join(gpus)}; {why})"))
    elif requested:
        fix = (
            "GPU は渡されているのに TensorFlow が使えません。公式の tensorflow/tensorflow:*-gpu イメージは cuDNN 8.9 で、"
            "TF 2.18 以降 (cuDNN 9 が必要) では GPU が見えません: このリポジトリの Dockerfile で作り直してください。"
            f'コンテナの外なら pip install "tensorflow[and-cuda]=={(facts.get("pins") or {}).get("tensorflow")}"、'
            "nvidia-smi でドライバ (525.60.13 以上) を確かめる。わざと CPU で動かすなら COURSE_ALLOW_CPU=1。"
        )
        checks.append(Check("GPU", "fail", f"{why} なのに TensorFlow が GPU を認識しない", fix, hard=not facts.get("allow_cpu")))
    else:
        checks.append(Check("GPU", "info", f"GPU なし ({why}): CPU で実行し、既定は quick モード"))
    if gpus and facts.get("cudnn_error"):
        fix = "TF が要る cuDNN 9 を入れる: pip install \"tensorflow[and-cuda]\" (公式の *-gpu イメージなら、このリポジトリの Dockerfile で作り直す)"
        checks.append(Check("cuDNN", "fail", f"GPU で畳み込みができない ({facts['cudnn_error']}; {built})", fix, hard=True))
        return checks
    if gpus or requested:
        major = str(build.get("cudnn_version", "")).split(".")[0]
        if gpus:  # GPU での畳み込みが動いた (cudnn_error が無い) = TF が使える cuDNN がある
            checks.append(Check("cuDNN", "ok", f"GPU で畳み込みが動く ({cudnn or '版は不明'}; {built})"))
        elif cudnn is None:
            checks.append(Check("cuDNN", "fail", f"見つかりません ({built})", 'pip install "tensorflow[and-cuda]"'))
        elif major and not re.search(rf"(^|\.so\.){major}(\.|$)", str(cudnn)):
            fix = f"TF が要る cuDNN {major} を入れる: pip install \"tensorflow[and-cuda]\" (nvidia-cudnn-cu12 {major}.x)"
            checks.append(Check("cuDNN", "fail", f"{cudnn} (要: {major}.x; {built})", fix, hard=not facts.get("allow_cpu")))
        else:
            checks.append(Check("cuDNN", "ok", f"{cudnn} ({built})"))
    else:
        checks.append(Check("cuDNN", "info", f"GPU なしのため不要 ({built or 'CPU 版'})"))
    return checks


def evaluate(facts: dict) -> list[Check]:
    """事実の辞書から判定の一覧を作る (副作用なし)。"""
    checks = []
    py = facts["python"]
    py_tuple = tuple(int(x) for x in py.split(".")[:2])
    if py.startswith(PYTHON + "."):
        checks.append(Check("Python", "ok", f"{py} (requirements.txt を確かめた版 {PYTHON})"))
    elif py_tuple < MIN_PYTHON:
        checks.append(Check("Python", "fail", f"{py} (3.10 以上が必要)", f"Python {PYTHON} で .venv を作る", hard=True))
    elif facts["colab"]:
        checks.append(Check("Python", "info", f"{py} (Colab。固定版は Python {PYTHON} で確認)"))
    else:
        fix = f"Python {PYTHON} で .venv を作り直す (rm -rf .venv && make venv PYTHON=python{PYTHON})"
        checks.append(Check("Python", "fail", f"{py} (固定版は Python {PYTHON} で確認)", fix))
    checks.append(_package("TensorFlow", "tensorflow", facts, required=True))
    if facts["tf_error"]:
        checks.append(Check("TensorFlow の読み込み", "fail", facts["tf_error"], "make venv で入れ直す", hard=True))
    checks.append(_package("Keras", "keras", facts, required=True, major="3."))
    checks.append(_package("KerasHub", "keras-hub", facts, required=False))
    checks += _gpu_checks(facts)

    mode, reason = facts["mode"]
    if mode is None:
        checks.append(Check("モード", "fail", reason, "COURSE_MODE を quick か full にする (または外す)", hard=True))
    else:
        checks.append(Check("モード", "info", f"utils.setup() は {mode} を選ぶ ({reason})"))

    cache = facts["cache"]
    if not cache["writable"]:
        fix = "書き込めるフォルダを COURSE_CACHE_DIR に指定する (Docker では名前付きボリュームをマウント)"
        checks.append(Check("キャッシュ", "fail", f"{cache['path']} に書き込めない ({cache['error']})", fix, hard=True))
    elif mode == "full" and cache["free_gb"] < FULL_CACHE_GB:
        fix = f"{FULL_CACHE_GB:.0f} GB 以上空いている場所を COURSE_CACHE_DIR に指定する"
        checks.append(Check("キャッシュ", "fail", f"{cache['path']} (空き {cache['free_gb']:.1f} GB)", fix))
    else:
        checks.append(Check("キャッシュ", "ok", f"{cache['path']} (書き込み可、空き {cache['free_gb']:.1f} GB)"))

    font = facts["font"]
    if font["ok"]:
        checks.append(Check("日本語フォント", "ok", font["name"]))
    else:
        pin = facts["pins"].get("matplotlib-fontja")
        checks.append(Check("日本語フォント", "fail", font["name"], f'pip install "matplotlib-fontja=={pin}" (図の日本語が□になる)'))

    if facts["unpinned"]:
        names = ", ".join(f"{m} ({d})" for m, d in sorted(facts["unpinned"].items()))
        fix = "requirements.txt に 名前==版 を書き足す (pip show <名前> で版を確かめる)"
        checks.append(Check("固定版", "fail", f"requirements.txt に無い import: {names}", fix))
    else:
        checks.append(Check("固定版", "ok", "ノートブックと utils が import するパッケージはすべて requirements.txt で固定"))

    if facts["network"] is None:
        why = "リハーサル" if facts["rehearsal"] else f"{mode} モード"
        checks.append(Check("ネットワーク", "info", f"{why}では確かめません (接続しない)"))
    else:
        bad = [r for r in facts["network"] if not r["ok"]]
        if bad:
            fix = "full モードのダウンロードが失敗します。接続・プロキシ (HTTPS_PROXY) を確かめるか、別の環境で取ったファイルを DATA_DIR / *_PATH で指定"
            checks.append(Check("ネットワーク", "fail", "; ".join(f"{r['url']} ({r['error']})" for r in bad), fix))
        else:
            checks.append(Check("ネットワーク", "ok", ", ".join(r["url"] for r in facts["network"]) + " に接続できる"))
    return checks


def render(checks: list[Check], facts: dict | None = None) -> str:
    lines = [c.line() for c in checks]
    if facts is not None:
        where, why = facts["container"]
        lines.insert(0, f"環境: {'コンテナの中' if where else 'コンテナの外'} ({why})")
    hard = [c.name for c in checks if c.status == "fail" and c.hard]
    soft = [c.name for c in checks if c.status == "fail" and not c.hard]
    if hard:
        lines.append(f"結果: ✗ このままでは動きません ({', '.join(hard)})")
    elif soft:
        lines.append(f"結果: 動きますが、直すとよい点があります ({', '.join(soft)})")
    else:
        lines.append("結果: ✓ 問題なし")
    return "\n".join(lines)


def exit_code(checks: list[Check]) -> int:
    return 1 if any(c.status == "fail" and c.hard for c in checks) else 0


def gate(facts: dict, *, require_gpu: bool = False) -> tuple[int, str]:
    """Docker の入口の判定: GPU を渡された (または require_gpu) のに TF が GPU を見ないなら 1。"""
    requested, why = facts["requested"]
    if facts["gpus"] and facts.get("cudnn_error"):
        return 1, "[doctor] " + _gpu_checks(facts)[1].line()
    if facts["gpus"]:
        return 0, f"[doctor] GPU ×{len(facts['gpus'])} を TensorFlow が認識し、畳み込み (cuDNN) も動く ({why})"
    if not (requested or require_gpu):
        return 0, "[doctor] GPU なしで起動 (GPU を使うには docker run --gpus all / docker compose の GPU 予約)"
    if not requested:  # --require-gpu なのに GPU を渡されていない
        fix = "docker run に --gpus all を付ける (compose なら deploy.resources.reservations.devices)。ホストの nvidia-smi と NVIDIA Container Toolkit を確かめる"
        return 1, "[doctor] " + Check("GPU", "fail", f"GPU が必須 (--require-gpu) なのに GPU を渡されていない ({why})", fix, hard=True).line()
    check = _gpu_checks({**facts, "requested": (True, why)})[0]
    if facts.get("allow_cpu") and not require_gpu:
        return 0, "[doctor] " + check.line() + "\n[doctor] COURSE_ALLOW_CPU=1 のため CPU のまま続けます"
    return 1, "[doctor] " + check.line()


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="学習環境の診断 (make doctor)")
    parser.add_argument("--gate", action="store_true", help="GPU を渡されたのに TF が見ないときだけ止める (Docker の入口)")
    parser.add_argument("--require-gpu", action="store_true", help="GPU が無ければ止める (GPU の CI)")
    parser.add_argument("--mode", default=None, help="parameters セルの MODE と同じ (既定: COURSE_MODE か GPU の有無)")
    args = parser.parse_args(argv)
    if args.gate or args.require_gpu:
        requested = gpu_requested()
        if not (requested[0] or args.require_gpu):
            print(gate({"requested": requested, "gpus": []})[1])
            return 0
        import tensorflow as tf

        gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
        facts = {"requested": requested, "gpus": gpus, "cudnn_error": cudnn_smoke() if gpus else None,
                 "allow_cpu": os.environ.get("COURSE_ALLOW_CPU", "") not in ("", "0"), "pins": read_pins(),
                 "build": dict(tf.sysconfig.get_build_info()), "versions": {"nvidia-cudnn-cu12": _version("nvidia-cudnn-cu12")},
                 "system_cudnn": None}  # fmt: skip
        code, message = gate(facts, require_gpu=args.require_gpu)
        print(message, file=sys.stderr if code else sys.stdout)
        return code
    facts = gather(args.mode)
    checks = evaluate(facts)
    print(render(checks, facts))
    return exit_code(checks)


if __name__ == "__main__":
    sys.exit(main())
