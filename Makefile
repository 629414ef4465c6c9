# Bastion: `make run` to try it, `make test` to check it. Both set themselves up on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install lint fmt typecheck migrate demo clean security library-check bench bench-smoke api-fuzz

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Bastion needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input

demo: migrate
	DEBUG=1 $(BIN)/python manage.py load_library
	DEBUG=1 $(BIN)/python manage.py seed_demo

# Web server, Celery worker and beat together on SQLite and the file-system broker; Ctrl-C stops all.
run: demo
	@echo "Bastion on http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web server, worker and beat)"
	PATH="$(abspath $(BIN)):$$PATH" DEBUG=1 WEB_PORT=$(PORT) honcho -f Procfile.dev start

# Bytecode caching stays on for the suite even where the shell sets PYTHONDONTWRITEBYTECODE: each
# test process would otherwise compile (and assertion-rewrite) every module again on every run.
test: install
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n auto --dist loadgroup

# Schemathesis against the API schema as a lead and a viewer, with more examples than `make test`
# runs (4, valid data only) and invalid data too: no 5xx, every answer as the schema says.
api-fuzz: install
	FUZZ_MODE=all FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-20} $(BIN)/pytest -p no:xdist -q tests/api/test_schemathesis.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# mypy with the Django plugin over the application packages (settings and files in pyproject.toml).
typecheck: install
	$(BIN)/mypy

# Security checks: bandit (fails on a medium or high finding) and pip-audit (fails on a known
# vulnerability; says so, without failing, when the advisory database is out of reach).
security: install
	$(BIN)/bandit -c pyproject.toml -r . --severity-level medium -q
	$(BIN)/python scripts/audit_dependencies.py

# The built-in library data: the import's own check, then the content rules the library promises.
library-check: install
	DEBUG=1 $(BIN)/python scripts/check_library_data.py

# Speed at scale (docs/performance.md). `make bench`: scale 1 in PostgreSQL (seeded once, reused),
# served by gunicorn with the production config on loopback, measured with wrk (Debian: apt-get
# install wrk; macOS: brew install wrk). Exits non-zero naming every page over bench/budgets.toml.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bastion_bench
BENCH_SCALE ?= 1
# The cache is shared by the gunicorn workers as in production (CACHE_URL; the local Redis).
BENCH_CACHE_URL ?= redis://127.0.0.1:6379/3
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) SECRET_KEY=bench-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
	ALLOWED_HOSTS=127.0.0.1,localhost,testserver CACHE_URL=$(BENCH_CACHE_URL)

bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk; } || \
		{ echo "make bench needs wrk: apt-get install wrk (Debian/Ubuntu) or brew install wrk (macOS)"; exit 1; }
	$(BIN)/python -m bench.createdb "$(BENCH_DATABASE_URL)"
	$(BENCH_ENV) $(BIN)/python manage.py migrate --no-input -v0
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --no-input -v0
	$(BENCH_ENV) $(BIN)/python manage.py seed_bench --scale $(BENCH_SCALE)
	$(BENCH_ENV) $(BIN)/python -m bench.run

SMOKE_ENV := DEBUG=1 DATABASE_URL=sqlite:///$(abspath var)/bench-smoke.sqlite3

# CI-sized: scale 0.1 on a fresh SQLite file, in process, query budgets only (under 2 minutes).
bench-smoke: install
	mkdir -p var && rm -f var/bench-smoke.sqlite3
	$(SMOKE_ENV) $(BIN)/python manage.py migrate --no-input -v0
	$(SMOKE_ENV) $(BIN)/python manage.py seed_bench --scale 0.1
	$(SMOKE_ENV) $(BIN)/python -m bench.run --smoke

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
