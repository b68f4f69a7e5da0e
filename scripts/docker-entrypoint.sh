#!/bin/sh
# コンテナの入口 (Dockerfile の ENTRYPOINT)。--gpus や compose の GPU 予約で GPU を渡されたのに TensorFlow が
# GPU を見ないときは、理由と直し方を出してここで止める (黙って CPU で full モードを走らせない)。判定は
# utils/doctor.py (make doctor と同じ)。わざと CPU のまま続けるときは -e COURSE_ALLOW_CPU=1。
set -e
python -m utils.doctor --gate
exec "$@"
