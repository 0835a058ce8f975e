# The commands the README gives. `make run` and `make test` set everything up on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: run serve test lint migrations-check messages venv runtime debian-packages typecheck

# The runtime packages (requirements.txt), as a server has them; `venv` adds the test and lint tools
# (requirements-dev.txt) for development and CI.
# The Debian packages the project needs (bin/install-debian-packages holds the list): installs the missing ones
# as root, else prints the apt-get line to run and stops.
debian-packages:
	bin/install-debian-packages

runtime: $(VENV)/.runtime
venv: $(VENV)/.dev

$(VENV)/.runtime: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: debian-packages runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runserver 127.0.0.1:8000

# The production stack on PostgreSQL with the task worker (deploy/serve.sh; deploy/README.md for the settings).
serve: runtime
	PY=$(PY) deploy/serve.sh

# The shared-cache tests need a Redis on 127.0.0.1:6379: one is started (in memory only) if none answers.
test: debian-packages venv
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy with django-stubs over the product's packages (pyproject.toml [tool.mypy] says what is checked).
typecheck: venv
	$(VENV)/bin/mypy

migrations-check: venv
	$(PY) manage.py makemigrations --check --dry-run

# English only: the source strings are Vietnamese. NEVER run makemessages for vi (-l vi or --all): it would
# fill locale/vi with the project's own Vietnamese strings and, with --no-obsolete, drop the hand-written
# corrections to Django's and the dependencies' Vietnamese catalogs that locale/vi holds. compilemessages
# compiles both.
messages: venv
	$(PY) manage.py makemessages --locale en --no-obsolete --no-location --ignore=$(VENV) --ignore=tests
	$(PY) manage.py compilemessages --ignore=$(VENV)
