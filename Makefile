# The one entry point. `make run` starts everything with a demo town; `make test` runs every test.
# Both install what they need first (uv from PyPI into .tools/, then the locked workspace).

SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.8
UV := .tools/uv/bin/uv
VENV := .venv
VOTERS ?= 500
BENCH_ARGS ?=
PYTEST_ARGS ?=
export UV_PYTHON_DOWNLOADS := never

FRONTEND := services/meeting/frontend
WEB_BUILD := services/meeting/src/ratsraum_meeting/web/static/build
PORTAL_FRONTEND := services/citizen-portal/frontend
PORTAL_VENDOR := services/citizen-portal/src/ratsraum_portal/static/vendor
# Written by the web app's build beside WEB_BUILD: identity's and the portal's KERN stylesheets.
STYLE_BUILDS := services/identity/src/ratsraum_identity/static/build services/citizen-portal/src/ratsraum_portal/static/build

.PHONY: install proto web-assets run test test-unit fuzz chaos backup-test lint bench bench-fanout helm-check clean

$(UV):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv .tools/uv
	.tools/uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --locked --python $(PYTHON) --quiet
	@$(VENV)/bin/python tools/patch_electionguard.py
	$(MAKE) --no-print-directory proto
	$(MAKE) --no-print-directory web-assets

# The web app's CSS/JS (and identity's and the portal's stylesheets): locked npm packages
# (npm ci), bundled by esbuild; redone only when the lock, the build script or a source changed.
web-assets: $(WEB_BUILD)/.stamp $(PORTAL_VENDOR)/.stamp

$(FRONTEND)/node_modules/.package-lock.json: $(FRONTEND)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the web app's assets"; exit 1; }
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error

$(WEB_BUILD)/.stamp: $(FRONTEND)/node_modules/.package-lock.json $(FRONTEND)/build.mjs $(shell find $(FRONTEND)/src -type f 2>/dev/null)
	cd $(FRONTEND) && node build.mjs
	@touch $@

# The portal's livestream player library (hls.js), locked the same way, served by the portal.
$(PORTAL_FRONTEND)/node_modules/.package-lock.json: $(PORTAL_FRONTEND)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the portal's assets"; exit 1; }
	cd $(PORTAL_FRONTEND) && npm ci --no-audit --no-fund --loglevel=error

$(PORTAL_VENDOR)/.stamp: $(PORTAL_FRONTEND)/node_modules/.package-lock.json $(PORTAL_FRONTEND)/build.mjs
	cd $(PORTAL_FRONTEND) && node build.mjs
	@touch $@

proto:
	@$(VENV)/bin/python tools/gen_proto.py

run: install
	$(VENV)/bin/ratsraum-dev run

# PostgreSQL and chromium come from Debian's packages; the test setup installs them if
# missing (as root).
test: install
	$(VENV)/bin/python -c "from ratsraum_devstack.postgres import ensure_installed; ensure_installed()"
	$(VENV)/bin/python -c "from ratsraum_devstack.chromium import ensure_installed; ensure_installed()"
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-unit: install
	$(VENV)/bin/pytest -m "not postgres and not e2e" $(PYTEST_ARGS)

# The OpenAPI fuzzing's long form (`make test` runs it with a few requests per operation).
FUZZ_EXAMPLES ?= 60
FUZZ_TESTS := services/meeting/tests/fuzz services/identity/tests/integration/test_identity_openapi_fuzz.py services/citizen-portal/tests/integration/test_portal_openapi_fuzz.py
fuzz: install
	RATSRAUM_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/pytest -s -m "not postgres" $(FUZZ_TESTS) $(PYTEST_ARGS)

# Chaos, long form: kill -9 of each service, a guardian and nats-server during 200-voter open
# and secret polls; the seed is printed (CHAOS_ARGS="--seed N" replays). `make test` runs two
# rounds (tests/chaos).
CHAOS_ARGS ?=
chaos: install
	$(VENV)/bin/python -m ratsraum_devstack.chaos --rounds 20 --voters 200 $(CHAOS_ARGS)

# Backup mid-session, restore into a fresh stack, verify every poll (docs/reliability.md).
BACKUP_ARGS ?=
backup-test: install
	$(VENV)/bin/python -m ratsraum_devstack.backup_check $(BACKUP_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy libs/common/src libs/ballot-client/src tools/devstack/src services/*/src

# BENCH_ARGS: e.g. "--rate 500" (paced arrivals), "--replicas 2", "--postgres".
bench: install
	$(VENV)/bin/python bench/open_vote.py --voters $(VOTERS) $(BENCH_ARGS)

# One portal process, VIEWERS live streams, one vote result pushed to all (docs/benchmarks.md).
VIEWERS ?= 10000
FANOUT_ARGS ?=
bench-fanout: install
	$(VENV)/bin/python bench/portal_fanout.py --viewers $(VIEWERS) $(FANOUT_ARGS)

helm-check: install
	$(VENV)/bin/pytest tests/helm $(PYTEST_ARGS)

clean:
	rm -rf .data .pytest_cache .mypy_cache .ruff_cache libs/proto/src/ratsraum $(WEB_BUILD) $(STYLE_BUILDS) $(FRONTEND)/node_modules $(PORTAL_VENDOR) $(PORTAL_FRONTEND)/node_modules
