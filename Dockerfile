# GPU 用の実行環境 (JupyterLab)。使い方は README の「Docker (GPU)」、中身の説明は notebooks/22_docker.ipynb。
#   docker build -t dl-day4 .
#   docker run --gpus all -p 127.0.0.1:8888:8888 -v "$PWD":/workspace -v dl-day4-cache:/var/cache/dl-day4 dl-day4
#
# ベースの選び方 (2026-12 に調べた根拠):
# - 公式の tensorflow/tensorflow:<版>-gpu(-jupyter) は使わない。その Dockerfile (tensorflow/build の
#   tensorflow_runtime_dockerfiles/gpu.packages.txt) は CUDA 12.3 と libcudnn8=8.9.6 を入れ続けているが、
#   TF 2.18 以降の pip 版は cuDNN 9 でビルドされている (TF 2.21.0 の tf.sysconfig.get_build_info() は
#   CUDA 12.5.1 / cuDNN 9、wheel の and-cuda extra は nvidia-cudnn-cu12>=9.3,<10)。この食い違いで GPU が
#   見えない・CUDNN_STATUS_INTERNAL_ERROR になる報告: tensorflow/build#221 (未解決。latest-gpu-jupyter = TF 2.19
#   に libcudnn8 8.9.6)、tensorflow/tensorflow#62412 (2.18.0-gpu から GPU が見えず、pip install tensorflow[and-cuda]
#   で直る)、tensorflow/tensorflow#94593 (latest-gpu が CUDA/cuDNN の不一致で GPU を検出しない)。
# - 代わりに TensorFlow 自身が宣言する CUDA 12 / cuDNN 9 を pip の tensorflow[and-cuda] で入れる (TF の pip の
#   インストール手順と同じ。ホストに要るのは NVIDIA ドライバと NVIDIA Container Toolkit だけ)。CUDA のライブラリは
#   wheel に入るので、ベースは CUDA 無しの python:3.11-slim (requirements.txt を確かめた Python 3.11) で足りる。
#   nvidia/cuda:12.x-cudnn-runtime を使うと cuDNN が 2 つ入り、イメージも数 GB 大きくなる。
# - 起動時に utils.doctor --gate が動き、--gpus を渡したのに TensorFlow が GPU を見ない (または GPU での畳み込みが
#   cuDNN のエラーになる) ときは理由と直し方を出して止まる (黙って CPU で full モードを走らせない)。わざと CPU で続けるなら -e COURSE_ALLOW_CPU=1。
FROM python:3.11-slim-trixie

# requirements.txt の tensorflow==... と同じ版 (違えば下の RUN が止まる。tests/test_docker.py も確かめる)
ARG TF_VERSION=2.21.0

# NVIDIA_DRIVER_CAPABILITIES: Container Toolkit にドライバの compute (CUDA) と utility (nvidia-smi) を入れてもらう
# (未設定のときの既定は utility だけの版がある)。NVIDIA_VISIBLE_DEVICES はここでは設定しない: --gpus を付けた
# ときだけ Docker が設定するので、utils.doctor が「GPU を頼まれたか」の印に使う。
# COURSE_CACHE_DIR: full モードのダウンロードの置き場所 (名前付きボリュームをマウントして、コンテナを消しても残す)。
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1 \
    TF_CPP_MIN_LOG_LEVEL=3 \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    COURSE_CACHE_DIR=/var/cache/dl-day4 \
    VENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# make だけ OS から入れる (make test / make doctor)。Debian の版はベースイメージの版で決まる
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /workspace
# 依存だけを先に入れる: ソースを変えてもこの層 (数 GB) はビルドキャッシュから再利用される
COPY requirements.txt ./
RUN grep -qx "tensorflow==${TF_VERSION}" requirements.txt \
    || { echo "Dockerfile の TF_VERSION=${TF_VERSION} と requirements.txt の tensorflow が違います" >&2; exit 1; } \
    && python -m venv /opt/venv \
    && pip install -r requirements.txt "tensorflow[and-cuda]==${TF_VERSION}"

COPY . .
RUN pip install --no-deps -e . \
    && touch /opt/venv/.installed \
    && install -m 755 scripts/docker-entrypoint.sh /usr/local/bin/course-entrypoint

EXPOSE 8888
ENTRYPOINT ["course-entrypoint"]
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser", "--allow-root", "--ServerApp.root_dir=/workspace"]
