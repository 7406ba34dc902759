# Linxia farmland-patrol QGIS plugin. `make demo` and `make test` work on a fresh Debian 12 as root.
SHELL := /bin/bash
PY    := .venv/bin/python
SIZE  ?= 20000
SEED  ?= 20241028
SAMPLE_DIR := data/sample_$(SIZE)_$(SEED)
SAMPLE_SRC := $(shell find tools/samplegen -name '*.py' 2>/dev/null) resources/sample/recipe.json
export QT_QPA_PLATFORM ?= offscreen
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup demo test test-fast smoke bench sample i18n package install lint clean help screenshots

help:
	@echo "make demo | test | bench | sample [SIZE= SEED=] | package | install [PROFILE=] | screenshots | lint | clean"

setup:
	@./tools/setup_env.sh

$(SAMPLE_DIR)/manifest.json: $(SAMPLE_SRC) | setup
	$(PY) -m tools.samplegen --out $(SAMPLE_DIR) --size $(SIZE) --seed $(SEED)

sample: setup $(SAMPLE_DIR)/manifest.json

i18n: setup
	@$(PY) tools/i18n.py compile

demo: setup i18n $(SAMPLE_DIR)/manifest.json
	$(PY) tools/demo.py --sample $(SAMPLE_DIR) --out out

test: setup i18n
	$(PY) -m pytest -q

test-fast: setup i18n
	$(PY) -m pytest -q -m "not smoke and not slow"

bench: setup i18n
	$(PY) bench/bench_space_code.py
	$(PY) bench/bench_grid.py
	$(PY) bench/bench_tracks.py
	$(PY) bench/bench_changes.py
	$(PY) bench/bench_export.py
	$(PY) bench/bench_dashboard.py

package: setup
	$(PY) tools/build_plugin.py package

PROFILE ?= default
install: setup
	$(PY) tools/build_plugin.py install --profile $(PROFILE)

lint: setup
	.venv/bin/ruff check .
	$(PY) tools/i18n.py check
	$(PY) tools/troubleshooting.py --check

# the user guide's screenshots, from the real QGIS desktop (xvfb) running the plugin on the sample county
screenshots: setup i18n $(SAMPLE_DIR)/manifest.json
	$(PY) tools/screenshots.py --sample $(SAMPLE_DIR)

clean:
	rm -rf build dist out .pytest_cache .ruff_cache
