# GPU 用の実行環境: 公式 TensorFlow GPU + Jupyter イメージ (requirements.txt と同じ TF の版) に残りを入れる。
#   docker build -t dl-day4 .
#   docker run --gpus all -p 8888:8888 -v "$PWD":/workspace dl-day4
FROM tensorflow/tensorflow:2.21.0-gpu-jupyter

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=3 \
    VENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

WORKDIR /workspace
# イメージの TensorFlow (CUDA 込み) をそのまま使うため --system-site-packages の venv に入れる
COPY requirements.txt pyproject.toml README.md ./
RUN python3 -m venv --system-site-packages /opt/venv \
    && /opt/venv/bin/pip install -r requirements.txt

COPY . .
RUN /opt/venv/bin/pip install --no-deps -e . && touch /opt/venv/.installed

EXPOSE 8888
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser", "--allow-root", "--ServerApp.root_dir=/workspace"]
