# Följsam – the two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run test lint migrate demo clean messages

install: $(STAMP)

# Idempotent: re-installs only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 behövs ($(PYTHON) saknas)."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

migrate: install
	$(BIN)/foljsam migrate --noinput

demo: migrate
	$(BIN)/foljsam demo

run: demo
	@echo ""
	@echo "Följsam körs på http://127.0.0.1:$(PORT)/  (avsluta med Ctrl-C)"
	@echo "Inloggningar: uppfoljare, admin, ledning, aros, eveo – lösenord: foljsam-demo"
	$(BIN)/foljsam runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check foljsam tests bench

test: lint
	$(BIN)/foljsam makemigrations --check --dry-run >/dev/null || { echo "Migreringar saknas: kör foljsam makemigrations"; exit 1; }
	$(BIN)/python -m pytest

messages: install
	cd foljsam && ../$(BIN)/foljsam makemessages -l en --ignore 'static/*' && ../$(BIN)/foljsam compilemessages

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
