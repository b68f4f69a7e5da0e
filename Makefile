# 深層学習 Day4 実装演習: make run (全ノートブックを quick で実行) / make test (ruff + pytest + nbval)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
COURSE_MODE ?= quick
export COURSE_MODE

.PHONY: venv run bench test lab weights audio clean

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

venv: $(VENV)/.installed

run: venv  ## すべてのノートブックを quick モードで実行して結果表を出す (build/ に保存)
	$(PY) scripts/run_notebooks.py

bench: venv  ## make run と同じ実行に加え、時間 (≤ 90 s) とメモリ (≤ 3 GB) の予算を確かめる
	$(PY) scripts/run_notebooks.py --budget

test: venv  ## ruff + utils の単体テスト + nbval (全ノートブックを quick で実行)
	$(PY) -m ruff check .
	$(PY) -m pytest -n 2 --dist loadfile --nbval-lax

lab: venv  ## JupyterLab をリポジトリ直下で開く
	$(VENV)/bin/jupyter lab --notebook-dir=.

weights: venv  ## quick モードの「事前学習済み」重みを作り直す (data/SHA256SUMS も更新)
	$(PY) scripts/make_quick_weights.py

audio: venv  ## quick モード用の音声データ (data/audio/) を作り直す (Debian の espeak-ng が必要)
	$(PY) scripts/make_quick_audio.py

clean:
	rm -rf build .pytest_cache .ruff_cache
