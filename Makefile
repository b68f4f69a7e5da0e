# 深層学習 Day4 実装演習: make run (全ノートブックを quick で実行) / make test (ruff + pytest + nbval)
# / make rehearse (full モードのリハーサル: 代役で full の分岐を CPU・オフラインで実行)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
COURSE_MODE ?= quick
export COURSE_MODE

.PHONY: venv run bench rehearse test lab weights audio colab-check clean

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

venv: $(VENV)/.installed

run: venv  ## すべてのノートブックを quick モードで実行して結果表を出す (build/ に保存)
	$(PY) scripts/run_notebooks.py

bench: venv  ## make run と make rehearse と同じ実行に加え、時間 (≤ 90 s) とメモリ (≤ 3 GB) の予算を確かめる
	$(PY) scripts/run_notebooks.py --budget
	$(PY) scripts/run_notebooks.py --rehearse --budget

rehearse: venv  ## full モードのリハーサル: 代役データ (scripts/standins/) で全ノートブックを full の分岐ごと CPU・オフラインで実行
	$(PY) scripts/run_notebooks.py --rehearse

test: venv  ## ruff + utils の単体テスト + nbval (全ノートブックを quick で実行)
	$(PY) -m ruff check .
	$(PY) -m pytest -n 2 --dist loadfile --nbval-lax

lab: venv  ## JupyterLab をリポジトリ直下で開く
	$(VENV)/bin/jupyter lab --notebook-dir=.

weights: venv  ## quick モードの「事前学習済み」重みを作り直す (data/SHA256SUMS も更新)
	$(PY) scripts/make_quick_weights.py

audio: venv  ## quick モード用の音声データ (data/audio/) を作り直す (Debian の espeak-ng が必要)
	$(PY) scripts/make_quick_audio.py

# Colab と同じ版の TensorFlow (2.20.0) で全ノートブックを quick で実行する。Python は Colab と同じ 3.13
# (PATH か pyenv にあれば)、無ければ 3.11 で作る。Colab に入っている Keras 3.13.2 を入れてから、Colab のセルと同じ
# pip install -e .[colab] "tensorflow==<入っている版>" で extras の固定版 (keras など) に上げる。
COLAB_PYTHON ?= $(firstword $(foreach p,python3.13 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) python3.11 python3,\
	$(shell $(p) -c 'import sys; print(sys.executable)' 2>/dev/null)))
COLAB_VENV ?= .venv-colab
COLAB_TF ?= 2.20.0
COLAB_KERAS ?= 3.13.2

$(COLAB_VENV)/.installed: requirements.txt pyproject.toml
	test -x $(COLAB_VENV)/bin/python || $(COLAB_PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install -q --upgrade pip
	sed -E '/^(tensorflow|keras|keras-hub)==/d' requirements.txt > $(COLAB_VENV)/preinstalled.txt
	$(COLAB_VENV)/bin/python -m pip install -q tensorflow==$(COLAB_TF) keras==$(COLAB_KERAS) -r $(COLAB_VENV)/preinstalled.txt
	$(COLAB_VENV)/bin/python -m pip install -q -e ".[colab]" tensorflow==$(COLAB_TF)
	touch $@

colab-check: $(COLAB_VENV)/.installed  ## Colab と同じ TensorFlow 2.20 の環境 (.venv-colab) で全ノートブックを quick で実行
	$(COLAB_VENV)/bin/python -m pip list 2>/dev/null | grep -i -E '^(tensorflow|keras|keras-hub|tensorflow-text) '
	$(COLAB_VENV)/bin/python scripts/run_notebooks.py --mode quick --out build/colab-check

clean:
	rm -rf build .pytest_cache .ruff_cache
