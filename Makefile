# make run: venv + pinned install + demo city if the database has no measures + Streamlit on 127.0.0.1:8501
#   (serve.py = app.py plus the two sign-in endpoints that set the HttpOnly session cookie, ui/http.py)
# make test: dev requirements + Debian chromium and nginx if missing + ruff + the whole pytest suite
# make serve-pg: PROCESSES (default 2) app processes on PostgreSQL (METRICS_DB_URL) behind nginx on 127.0.0.1:PROXY_PORT
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export METRICS_DB_URL ?= duckdb:///data/city.duckdb

.PHONY: run test lint bench bench-load demo clean chromium nginx serve-pg

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
	$(PY) -m streamlit run serve.py --server.address $(ADDRESS) --server.port 8501

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@test -x /usr/bin/chromium

# nginx for make serve-pg and its e2e test; the Debian package's own service is not used (serve-pg
# runs nginx in the foreground with a config generated under artifacts/serve-pg).
nginx:
	@test -x /usr/sbin/nginx || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx >/dev/null; }
	@test -x /usr/sbin/nginx

PROCESSES ?= 2
PROXY_PORT ?= 8080

serve-pg: $(VENV)/.installed nginx
	$(PY) -m scripts.serve_pg --init --processes $(PROCESSES) --port $(PROXY_PORT)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .

test: $(VENV)/.dev-installed chromium nginx lint
	$(PY) -m pytest -q -n 2 --dist loadfile  # two workers (the machine's two cores), one file per worker at a time

bench: $(VENV)/.dev-installed
	$(PY) -m bench.fetch --pg
	$(PY) -m bench.ingest --pg
	$(PY) -m bench.ingest_cli
	$(PY) -m bench.overview

# 1-20 Streamlit sessions against 1 and 2 app processes behind nginx (a temporary PostgreSQL schema
# at 127.0.0.1:5432/test); about 10 minutes.
bench-load: $(VENV)/.dev-installed nginx
	$(PY) -m bench.load

clean:
	rm -rf $(VENV) artifacts .pytest_cache .ruff_cache
