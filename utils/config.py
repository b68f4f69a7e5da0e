"""実行モード (quick / full)、乱数シード、決定性、デバイス情報。

モードの決まり方 (先に当てはまったもの):
1. ``setup(mode=...)`` に渡した値 (ノートブックの parameters セルの ``MODE``)
2. 環境変数 ``COURSE_MODE``
3. GPU が見えれば ``full``、見えなければ ``quick``

リハーサル (環境変数 ``COURSE_REHEARSAL=1``, ``utils.rehearsal``) では常に ``full`` (quick の指定はエラー)。
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import platform
import socket
import warnings
from pathlib import Path
from typing import Any

MODES = ("quick", "full")
REPO_ROOT = Path(__file__).resolve().parents[1]
_UNSET = object()

_current: Config | None = None


class NetworkBlockedError(RuntimeError):
    """quick モードでネットワークに出ようとしたときの例外。"""


@dataclasses.dataclass(frozen=True)
class Config:
    """``setup()`` が返す実行設定。"""

    mode: str
    reason: str
    seed: int
    gpus: int
    deterministic: bool
    mixed_precision: bool
    cache_dir: Path
    strategy: Any = dataclasses.field(repr=False, default=None)
    rehearsal: bool = False  # full モードのリハーサル (COURSE_REHEARSAL=1, utils.rehearsal)

    @property
    def quick(self) -> bool:
        return self.mode == "quick"

    @property
    def full(self) -> bool:
        return self.mode == "full"

    def pick(self, *, quick, full, rehearsal=_UNSET):
        """モードに応じた値を返す (例: ``cfg.pick(quick=8, full=20, rehearsal=1)``)。

        ``rehearsal=`` はリハーサル (CPU で full の分岐を通す) で使う値。省略すると ``full`` の値。
        """
        if self.quick:
            return quick
        if self.rehearsal and rehearsal is not _UNSET:
            return rehearsal
        return full


def resolve_mode(mode: str | None = None, gpus: int = 0) -> tuple[str, str]:
    """(モード, 理由) を返す。不正な値は日本語のエラーにする。"""
    from . import rehearsal

    if rehearsal.active():
        return _rehearsal_mode(mode)
    if mode is not None:
        source = "parameters セルの MODE"
    elif os.environ.get("COURSE_MODE"):
        mode, source = os.environ["COURSE_MODE"], "環境変数 COURSE_MODE"
    elif gpus:
        return "full", f"GPU を {gpus} 基検出したため自動選択"
    else:
        return "quick", "GPU が無いため自動選択"
    mode = str(mode).strip().lower()
    if mode not in MODES:
        raise ValueError(f"{source} の値 {mode!r} は使えません。'quick' か 'full' を指定してください。")
    return mode, f"{source} で指定"


def _rehearsal_mode(mode: str | None) -> tuple[str, str]:
    """リハーサルでは full に固定する。MODE か COURSE_MODE が quick ならエラー (黙って変えない)。"""
    for value, source in ((mode, "parameters セルの MODE"), (os.environ.get("COURSE_MODE"), "環境変数 COURSE_MODE")):
        if value is not None and str(value).strip().lower() not in ("full", ""):
            raise ValueError(
                f"リハーサル (COURSE_REHEARSAL=1) は full モードの分岐を通すためのものです。{source} = {value!r} "
                "とは両立しません: MODE='full' (または None) にするか、COURSE_REHEARSAL を外してください。"
            )
    return "full", "リハーサル (COURSE_REHEARSAL=1): CPU・オフラインで代役のデータを使う"


def default_cache_dir() -> Path:
    """ダウンロードと展開の置き場所 (``COURSE_CACHE_DIR`` で変更可)。"""
    return Path(os.environ.get("COURSE_CACHE_DIR", Path.home() / ".cache" / "dl-day4")).expanduser()


def current_config() -> Config | None:
    """直近の ``setup()`` の結果 (未実行なら None)。"""
    return _current


def current_mode() -> str:
    """現在のモード。``setup()`` 前は環境変数だけで判断する (GPU は調べない)。"""
    if _current is not None:
        return _current.mode
    return resolve_mode(None, gpus=0)[0]


# --- quick モードのネットワーク遮断 -------------------------------------------------

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}
_original = {}


def _is_local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host)
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _blocked(host) -> NetworkBlockedError:
    from . import rehearsal

    if rehearsal.active():
        return NetworkBlockedError(
            f"リハーサルではネットワークに接続しません (接続先: {host})。ダウンロードは utils.data.download を通し、"
            "その URL の代役を scripts/standins/labNN.py に追加してください。"
        )
    return NetworkBlockedError(
        f"quick モードではネットワークに接続しません (接続先: {host})。"
        "実データや学習済み重みを使うには MODE='full' (または環境変数 COURSE_MODE=full) にして、"
        "インターネットに接続した環境で実行してください。"
    )


def block_network(enabled: bool = True) -> None:
    """ループバック以外への接続と名前解決を禁止する (``enabled=False`` で解除)。

    Python の socket を経由する通信 (urllib, requests, huggingface_hub, keras の get_file など)
    が対象。Jupyter カーネルの通信 (ZeroMQ, ループバック) には影響しない。
    """
    if not _original:
        _original.update(
            connect=socket.socket.connect,
            connect_ex=socket.socket.connect_ex,
            getaddrinfo=socket.getaddrinfo,
        )
    if not enabled:
        socket.socket.connect = _original["connect"]
        socket.socket.connect_ex = _original["connect_ex"]
        socket.getaddrinfo = _original["getaddrinfo"]
        return

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            raise _blocked(address[0])
        return _original["connect"](self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            raise _blocked(address[0])
        return _original["connect_ex"](self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_local(host):
            raise _blocked(host)
        return _original["getaddrinfo"](host, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.getaddrinfo = getaddrinfo


# --- setup -------------------------------------------------------------------------


def _check_seed(seed) -> int:
    """乱数シードは 0 以上 2**32 未満の整数 (numpy の整数も可)。"""
    import numpy as np

    from .checks import ParameterError

    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ParameterError(
            f"パラメータ SEED (setup の seed) = {seed!r} は使えません。0 以上 {2**32 - 1} 以下の整数 (例: 0) を指定してください。"
        )
    return int(seed)


def setup(mode: str | None = None, seed: int = 0, *, precision: str = "auto", verbose: bool = True) -> Config:
    """モードを決め、乱数・決定性・デバイスを設定して 1 行のバナーを表示する。

    precision: "auto" (下の規則) / "float32" (どのモードでも float32。小さなネットワーク、勾配・数値の比較をする演習用)

    - quick: ネットワーク遮断、演算の決定性 ON (同じ数値が再現する)
    - full : GPU があれば mixed precision、GPU が 2 基以上なら MirroredStrategy
    - リハーサル (COURSE_REHEARSAL=1): full の分岐を CPU で通す。ネットワーク遮断・決定性 ON、
      GPU が無くても mixed_float16 (GPU の full と同じ dtype で、dtype と形の誤りを見つける)
    """
    global _current
    seed = _check_seed(seed)
    if precision not in ("auto", "float32"):
        from .checks import ParameterError

        raise ParameterError(f"setup の precision = {precision!r} は使えません。\"auto\" か \"float32\" を指定してください。")
    import keras
    import tensorflow as tf

    from . import rehearsal as _rehearsal

    gpus = len(tf.config.list_physical_devices("GPU"))
    mode, reason = resolve_mode(mode, gpus)
    cache_dir = default_cache_dir()
    os.environ.setdefault("TFHUB_CACHE_DIR", str(cache_dir / "tfhub"))

    # tf.data を fit に渡すたびに出る注意書き (シャッフルは tf.data 側で行うので無害) を消す
    warnings.filterwarnings("ignore", message=r"`shuffle=True` was passed", category=UserWarning)
    keras.utils.set_random_seed(seed)  # Python, NumPy, TF/Keras の乱数をまとめて固定
    rehearsing = _rehearsal.active()
    deterministic = mode == "quick" or rehearsing
    if deterministic:
        tf.config.experimental.enable_op_determinism()
        os.environ["HF_HUB_OFFLINE"] = "1"  # transformers のハブ問い合わせ (約 47 秒の再試行) を防ぐ
        os.environ["TFHUB_OFFLINE"] = "1"
    block_network(mode == "quick" or rehearsing)

    mixed = precision == "auto" and mode == "full" and (gpus > 0 or rehearsing)
    keras.mixed_precision.set_global_policy("mixed_float16" if mixed else "float32")
    strategy = tf.distribute.MirroredStrategy() if (mode == "full" and gpus > 1) else tf.distribute.get_strategy()

    _current = Config(mode, reason, seed, gpus, deterministic, mixed, cache_dir, strategy, rehearsal=rehearsing)
    if verbose:
        print(banner(_current, tf.__version__, keras.__version__))
    return _current


def banner(cfg: Config, tf_version: str, keras_version: str) -> str:
    other = "full" if cfg.quick else "quick"
    switch = f"切り替え: MODE='{other}' または COURSE_MODE={other}"
    if cfg.rehearsal:
        switch = "本番の full: COURSE_REHEARSAL を外して GPU・インターネットのある環境で実行"
    device = f"GPU×{cfg.gpus}" if cfg.gpus else f"CPU×{os.cpu_count()}"
    extras = [f"seed={cfg.seed}"]
    extras.append("決定的演算 ON" if cfg.deterministic else "決定的演算 OFF")
    if cfg.quick or cfg.rehearsal:
        extras.append("オフライン")
    if cfg.mixed_precision:
        extras.append("mixed_float16")
    if cfg.gpus > 1:
        extras.append("MirroredStrategy")
    return (
        f"[{cfg.mode} モード{' (リハーサル)' if cfg.rehearsal else ''}] {cfg.reason} | {switch} | "
        f"{', '.join(extras)} | TF {tf_version} / Keras {keras_version} / Python {platform.python_version()} / {device}"
    )
