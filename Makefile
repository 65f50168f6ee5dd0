# The two commands a newcomer needs:  make run   and   make test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
# The test suite runs on real PostgreSQL and Redis; these are the local servers on their standard ports.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test lint format venv venv-test check clean bench bench-scale bench-scale-out

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.tests: requirements.txt requirements-test.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

# axe-core for the accessibility browser tests, the version package-lock.json pins (npm, never a CDN).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

venv: $(VENV)/.runtime
venv-test: $(VENV)/.tests node_modules/axe-core/axe.min.js

# The portal on its embedded default (SQLite, Celery on the filesystem transport, emails in var/mail),
# with demo data, a worker and the periodic scheduler. Ctrl-C stops everything.
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_data
	$(PY) manage.py runportal

# The whole suite against PostgreSQL and Redis (DATABASE_URL / REDIS_URL override the defaults).
test: venv-test
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
		CELERY_QUEUE="$${CELERY_QUEUE:-portal-test-$$$$}" $(PY) -m pytest $(PYTEST_ARGS)

# Lint and format check (ruff, configured in pyproject.toml); `make format` rewrites the files.
lint: venv-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: venv
	$(PY) manage.py check

bench: venv-test
	export DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}"; \
		for script in bench/*_latency.py; do $(PY) $$script || exit 1; done

# At real size (bench/README.md): a dataset of 7.3 million rows loaded by COPY into its own database
# (bench_scale, made again each time), then every customer and staff page and every periodic job against it,
# and what drawing a form costs against the anchor page (bench/forms.py).
bench-scale: venv-test
	export DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}"; \
		$(PY) bench/dataset.py && $(PY) bench/pages.py && $(PY) bench/forms.py

# Two checkouts, two web servers and two workers on one database, Redis and object store (bench/scale_out.py).
bench-scale-out: venv-test
	$(PY) -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	export DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}"; \
		$(PY) bench/scale_out.py

clean:
	rm -rf var .pytest_cache
