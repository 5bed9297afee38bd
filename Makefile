# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.installed-runtime
TEST_STAMP    := $(VENV)/.installed-test
CONFIG ?= config.yaml

.PHONY: run test bench demo clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(RUNTIME_STAMP)

## run: one-off crawl of the real sources in config.yaml
run: $(RUNTIME_STAMP)
	$(VENV)/bin/newsmon crawl --config $(CONFIG)

## test: the whole suite, against local servers on 127.0.0.1
test: $(TEST_STAMP)
	$(PY) -m pytest -n 2 -q

## bench: throughput figures (crawl vs trafilatura, dates, classifier, watchlists)
bench: $(TEST_STAMP)
	$(PY) -m bench

## demo: crawl the built-in demo site served on 127.0.0.1
demo: $(RUNTIME_STAMP)
	$(VENV)/bin/newsmon demo

clean:
	rm -rf $(VENV) data/demo *.egg-info .pytest_cache
