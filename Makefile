# make run: venv + pinned install + demo city if the database has no measures + Streamlit on 127.0.0.1:8501
# make test: dev requirements + Debian chromium if missing + ruff + the whole pytest suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export METRICS_DB_URL ?= duckdb:///data/city.duckdb

.PHONY: run test lint bench demo clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

# ADDRESS: loopback by default (single-user mode until the first account exists); any other
# address (make run ADDRESS=0.0.0.0) needs a staff account first: the app shows a setup page.
ADDRESS ?= 127.0.0.1

run: $(VENV)/.installed
	$(PY) -m metrics init
	$(PY) -m metrics demo
	$(PY) -m streamlit run app.py --server.address $(ADDRESS) --server.port 8501

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@test -x /usr/bin/chromium

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .

test: $(VENV)/.dev-installed chromium lint
	$(PY) -m pytest -q

bench: $(VENV)/.dev-installed
	$(PY) -m bench.fetch --pg
	$(PY) -m bench.ingest --pg
	$(PY) -m bench.overview

clean:
	rm -rf $(VENV) artifacts .pytest_cache .ruff_cache
