# Linxia farmland-patrol QGIS plugin. `make demo` and `make test` work on a fresh Debian 12 as root: they run in
# QGIS 3.40 LTR from Debian 13 (natively on Debian 13, in a Debian 13 root built once on Debian 12: tools/setup_env.sh).
SHELL := /bin/bash
RUN   := tools/in_env
PY    := $(RUN) python
SIZE  ?= 20000
SEED  ?= 20241028
SAMPLE_DIR := data/sample_$(SIZE)_$(SEED)
SAMPLE_SRC := $(shell find tools/samplegen -name '*.py' 2>/dev/null) resources/sample/recipe.json
export QT_QPA_PLATFORM ?= offscreen
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup demo test test-fast clock-check smoke bench sample i18n package install lint clean help screenshots

help:
	@echo "make demo | test | clock-check | bench | sample [SIZE= SEED=] | package | install [PROFILE=] | screenshots | lint | clean"

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
	$(RUN) tools/clock_check.sh

# the date-sensitive tests with the machine's clock moved a year forward and back (libfaketime)
clock-check: setup i18n
	$(RUN) tools/clock_check.sh

test-fast: setup i18n
	$(PY) -m pytest -q -m "not smoke and not slow"

# every bench appends one line per job to data/bench_results.jsonl (TIANGUAN_BENCH_RESULTS); the summary writes
# bench/results.md and the README's performance table, with the machine's load at the start and the end
bench: setup i18n
	$(PY) bench/summary.py --start
	$(PY) bench/bench_space_code.py
	$(PY) bench/bench_grid.py
	$(PY) bench/bench_tracks.py
	$(PY) bench/bench_changes.py
	$(PY) bench/bench_export.py
	$(PY) bench/bench_dashboard.py
	$(PY) bench/bench_publish.py
	$(PY) bench/bench_prefecture_dashboard.py
	$(PY) bench/summary.py

# the published links: make package HOMEPAGE=https://… TRACKER=https://… REPOSITORY=https://… EMAIL=…@…
# (or TIANGUAN_HOMEPAGE… in the environment); the build warns about every example.org placeholder left
package: setup
	$(PY) tools/build_plugin.py package $(if $(HOMEPAGE),--homepage '$(HOMEPAGE)') \
		$(if $(TRACKER),--tracker '$(TRACKER)') $(if $(REPOSITORY),--repository '$(REPOSITORY)') \
		$(if $(EMAIL),--email '$(EMAIL)')

PROFILE ?= default
install: setup
	$(PY) tools/build_plugin.py install --profile $(PROFILE)

lint: setup
	$(PY) -m ruff check .
	$(PY) tools/qt6_check.py
	$(PY) tools/i18n.py check
	$(PY) tools/troubleshooting.py --check

# the user guide's screenshots, from the real QGIS desktop (xvfb) running the plugin on the sample county
screenshots: setup i18n $(SAMPLE_DIR)/manifest.json
	$(PY) tools/screenshots.py --sample $(SAMPLE_DIR)

clean:
	rm -rf build dist out .pytest_cache .ruff_cache
