# Följsam – the two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run serve test lint migrate demo clean messages

# The venv and its packages ($(STAMP) below), then bytecode for the project's own modules (only what
# changed since), as pip writes it for installed packages: an editable install otherwise compiles them
# at every command's start where PYTHONDONTWRITEBYTECODE is set.
install: $(STAMP)
	@$(BIN)/python -m compileall -q foljsam >/dev/null

# Idempotent: re-installs only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 behövs ($(PYTHON) saknas)."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	@touch $(STAMP)

migrate: install
	$(BIN)/foljsam migrate --noinput

demo: migrate
	$(BIN)/foljsam demo

# The dev server and, beside it, the task worker (imports, figures, mail, the schedule); Ctrl-C stops both.
run: demo
	@echo ""
	@echo "Följsam körs på http://127.0.0.1:$(PORT)/  (avsluta med Ctrl-C)"
	@echo "Inloggningar: uppfoljare, admin, ledning, aros, eveo – lösenord: foljsam-demo"
	$(BIN)/python -m foljsam.ops.withworker -- $(BIN)/foljsam runserver 127.0.0.1:$(PORT)

# The app as in production on this machine: gunicorn, DEBUG off, secrets from the environment (when
# unset, strong local ones are generated once into $FOLJSAM_DATA_DIR/local-secrets.env and reused),
# persistent database connections, collectstatic, and `check --deploy` must pass with no warning.
# Plain HTTP on loopback: SECURE_SSL_REDIRECT=False unless set (TLS belongs to the proxy, docs/deploy.md).
# The task worker runs beside gunicorn and is restarted if it dies (foljsam/ops/withworker.py).
serve: install
	@set -e; eval "$$($(BIN)/python -m foljsam.ops.localsecrets)"; \
	export DEBUG=False SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-False}; \
	$(BIN)/foljsam migrate --noinput; \
	$(BIN)/foljsam collectstatic --noinput --verbosity 0; \
	$(BIN)/foljsam check --deploy --fail-level WARNING; \
	echo "Följsam (produktionsläge) körs på http://127.0.0.1:$(PORT)/  (avsluta med Ctrl-C)"; \
	exec $(BIN)/python -m foljsam.ops.withworker -- $(BIN)/gunicorn foljsam.wsgi --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-3} \
		--worker-class gthread --threads 4 --timeout 120 --access-logfile - --error-logfile -

lint: install
	$(BIN)/ruff check foljsam tests bench

test: lint
	$(BIN)/foljsam makemigrations --check --dry-run >/dev/null || { echo "Migreringar saknas: kör foljsam makemigrations"; exit 1; }
	$(BIN)/python -m pytest

messages: install
	cd foljsam && ../$(BIN)/foljsam makemessages -l en --ignore 'static/*' && ../$(BIN)/foljsam compilemessages
	@$(BIN)/python -m foljsam.ops.translations check | tail -n 1

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
