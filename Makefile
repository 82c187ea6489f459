# ccsim: every target sets up what it needs on a fresh machine, then runs.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint bench validate calibrate sweep clean assets chromium bytecode study morris sobol sensitivity example

$(STAMP): pyproject.toml
	@PY=$$(scripts/find-python.sh) && echo "using $$PY" && $$PY -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# Solara's front-end from the npm registry into .cache/solara-assets (offline use; quick when done)
assets: $(STAMP)
	$(BIN)/python scripts/solara_assets.py

# ccsim's compiled bytecode, so that `ccsim ui` does not compile its modules at every start
# (an editable install is not byte-compiled, and a PYTHONDONTWRITEBYTECODE shell never
# caches it), and numba's cache of the compiled week (13 weeks: a quarterly review too), so
# that the first run on a fresh machine does not spend its first seconds compiling; quick when done
bytecode: $(STAMP) $(VENV)/.numba-warm
	$(BIN)/python -m compileall -q ccsim

$(VENV)/.numba-warm: $(STAMP) ccsim/dynamics/compiled.py
	$(BIN)/python -c "from ccsim.model import run; run(13, rng=0, n_customers=50, n_employees=5, customer_agents=False)"
	touch $@

# Debian's chromium for the browser tests, only if /usr/bin/chromium is missing
chromium:
	scripts/install-chromium.sh

run: $(STAMP) assets bytecode
	$(BIN)/ccsim ui

test: $(STAMP) assets chromium bytecode
	$(BIN)/python -m pytest -q -ra

# the quick loop while editing: unit tests without the browser and the slow ones (about 3 minutes)
check: $(STAMP)
	$(BIN)/python -m pytest -q -m "not browser and not slow"

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP) assets chromium bytecode
	$(BIN)/python benchmarks/run.py

validate: $(STAMP)
	mkdir -p out && git rev-parse --short HEAD > out/validate.commit
	$(BIN)/ccsim validate --out out/validate; status=$$?; \
	$(BIN)/python experiments/validation_table.py out/validate && exit $$status

# the full pattern-oriented calibration (ABC-SMC, about 12 minutes on 2 cores)
calibrate: $(STAMP)
	$(BIN)/ccsim calibrate --out out/calibrate

sweep: $(STAMP)
	$(BIN)/ccsim sweep experiments/humility_x_empowerment.toml --out out/sweep --resume

# global sensitivity (docs/ODD.md, Sensitivity): a Morris screening of every parameter
# (about 15 core-minutes) and a Sobol study of the culture levers (about 11), each one
# command; `make sensitivity` runs both and writes their tables and figures into the ODD
SENS := out/sensitivity
morris: $(STAMP)
	mkdir -p $(SENS) && git rev-parse --short HEAD > $(SENS)/morris.commit
	$(BIN)/ccsim sweep experiments/morris_screening.toml --out $(SENS)/morris --resume
	$(BIN)/ccsim analyze $(SENS)/morris

sobol: $(STAMP)
	mkdir -p $(SENS) && git rev-parse --short HEAD > $(SENS)/sobol.commit
	$(BIN)/ccsim sweep experiments/sobol_culture.toml --out $(SENS)/sobol --resume
	$(BIN)/ccsim analyze $(SENS)/sobol

sensitivity: morris sobol
	$(BIN)/python experiments/sensitivity_tables.py $(SENS)

# the paper-ready example in docs/examples/wages_and_culture: experiments/wages_and_culture.toml
# swept, analysed and discovered (ccsim discover --where perished), about a minute
example: $(STAMP)
	$(BIN)/python experiments/paper_example.py

# the model study: noise, nudge, lever table, preset gap, annual figures; CSV to out/study
study: $(STAMP)
	$(BIN)/python benchmarks/model_study.py --out out/study

clean:
	rm -rf $(VENV) out .pytest_cache
