# BMIS: the two promised commands are `make run` and `make test`.
# Everything installs into .venv from requirements*.txt; the one dependency that cannot be
# expressed in a requirements file (face_recognition without its source-dlib dependency) is
# installed here, in `deps`, and nowhere else (the Dockerfile and .ci/run call these targets).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FACE_RECOGNITION := face_recognition==1.3.0

.PHONY: run test deps deps-dev deps-bench lint bench messages serve clean-venv simulate

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade "pip>=25"

# Runtime dependencies (stamp refreshed when requirements.txt changes).
$(VENV)/.deps: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	# face_recognition declares a dependency on the source `dlib` (10+ minutes to compile);
	# `dlib-bin` from requirements.txt provides the same module prebuilt, so skip its deps.
	$(PIP) install --quiet --no-deps $(FACE_RECOGNITION)
	touch $@

$(VENV)/.deps-dev: requirements-dev.txt $(VENV)/.deps
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

$(VENV)/.deps-bench: requirements-bench.txt $(VENV)/.deps-dev
	$(PIP) install --quiet -r requirements-bench.txt
	touch $@

deps: $(VENV)/.deps
deps-dev: $(VENV)/.deps-dev
deps-bench: $(VENV)/.deps-bench

# Bring the system up on the embedded default: SQLite file, in-process tasks, demo data.
# `make run REGISTRY=1` also starts the reference civil registry (registry_service) on
# 127.0.0.1:$(REGISTRY_PORT) with a token kept in var/registry-token, and points BMIS at it.
REGISTRY ?=
REGISTRY_PORT ?= 8010
run: deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Devices: play the booth agent's simulator against this server with 'make simulate' in another terminal."
ifeq ($(REGISTRY),1)
	@mkdir -p var && [ -s var/registry-token ] || $(PY) -c "import secrets; print(secrets.token_urlsafe(32))" > var/registry-token
	REGISTRY_SERVICE_TOKEN_FILE=var/registry-token $(PY) -m registry_service --port $(REGISTRY_PORT) & pid=$$!; \
	trap 'kill $$pid' EXIT INT TERM; \
	BMIS_CIVIL_REGISTRY_URL=http://127.0.0.1:$(REGISTRY_PORT) BMIS_CIVIL_REGISTRY_TOKEN_FILE=var/registry-token \
	$(PY) manage.py runserver 127.0.0.1:8000
else
	$(PY) manage.py runserver 127.0.0.1:8000
endif

# The booth agent's simulator against `make run`'s demo server (run it in a second terminal; Ctrl-C stops).
simulate: deps
	$(PY) -m booth_agent simulate --server http://127.0.0.1:8000 \
		--credentials $${BMIS_VAR_DIR:-var}/demo-devices.json --loop

# The whole test suite. pytest's exit code 5 ("no tests collected") is a failure here.
test: deps-dev
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected NO tests: failing loudly" >&2; exit 1; fi; \
	exit $$rc

lint: deps-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: deps-bench
	@echo "Benchmarks: see bench/README.md (one script per question)."

# Extract every translatable string, fill the Arabic and Kurdish Sorani catalogues from the ar.json
# and ckb.json dictionaries kept beside them (scripts/fill_po.py lists what has no translation yet;
# Arabic must be complete, Sorani may fall back to English), and compile them.
MESSAGE_LANGUAGES := ar ckb
messages: deps-dev
	$(PY) manage.py makemessages $(addprefix -l ,$(MESSAGE_LANGUAGES)) --ignore ".venv/*" --ignore "bench/*" --ignore "var/*"
	$(PY) scripts/fill_po.py $(addprefix --language ,$(MESSAGE_LANGUAGES)) $$(for d in locale */locale; do [ -d $$d ] && echo $$d; done)
	$(PY) manage.py compilemessages $(addprefix -l ,$(MESSAGE_LANGUAGES)) --ignore ".venv/*"

clean-venv:
	rm -rf $(VENV)
