# The two commands a newcomer needs: `make run` and `make test`.
# Both create the virtual environment and install the pinned dependencies first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install browser lint format clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_catalog
	$(PY) manage.py seed_sample_dataset
	$(PY) manage.py seed_sample_scenes
	$(PY) manage.py ensure_local_account
	./scripts/serve.sh

# The whole suite on SQLite and the ORM broker; then the data layer and the
# queue again on real PostgreSQL and Redis servers, which
# scripts/test-services.sh starts on loopback for the run and stops after it.
SERVICES_TESTS := tests tunes/tests datasets/tests lab/tests \
	--ignore=tests/browser -m "not slow or services"

test: install browser
	$(PY) -m pytest
	./scripts/test-services.sh run $(PY) -m pytest $(SERVICES_TESTS)

# The browser tests drive Debian's Chromium: no browser download works here.
browser:
	@test -x /usr/bin/chromium || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	}

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
