# ccsim: every target sets up what it needs on a fresh machine, then runs.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast bench validate sweep clean

$(STAMP): pyproject.toml
	@PY=$$(scripts/find-python.sh) && echo "using $$PY" && $$PY -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/ccsim ui

test: $(STAMP)
	$(BIN)/python -m pytest -q -ra

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

validate: $(STAMP)
	$(BIN)/ccsim validate --out out/validate

sweep: $(STAMP)
	$(BIN)/ccsim sweep experiments/humility_x_empowerment.toml --out out/sweep --resume

clean:
	rm -rf $(VENV) out .pytest_cache
