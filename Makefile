# Bastion: `make run` to try it, `make test` to check it. Both set themselves up on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install lint fmt typecheck migrate demo clean security library-check

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

test: install
	$(BIN)/pytest -n auto

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

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
