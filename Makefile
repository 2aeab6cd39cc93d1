# Two commands set up a fresh machine: `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report reproduce test notebooks bench docs clean venv kernels

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,docs]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	-$(BIN)/python -m analysis.changepoints._build --quiet
	touch $(STAMP)

# the changepoint search kernels compiled ahead of time (no numba import at run time;
# rebuild after changing analysis/changepoints/_kernels.py or _fpop.py: a stale build is ignored)
kernels: $(STAMP)
	$(BIN)/python -m analysis.changepoints._build

venv: $(STAMP)

# the bundled reports: the case study, then the same sections on the synthetic sample
report: $(STAMP)
	$(BIN)/incident-trends report specs/coalition-attacks.toml
	$(BIN)/incident-trends report specs/synthetic-acled.toml

# check both committed reports against their manifests and a fresh rebuild
reproduce: $(STAMP)
	$(BIN)/incident-trends reproduce specs/coalition-attacks.toml
	$(BIN)/incident-trends reproduce specs/synthetic-acled.toml

test: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest tests notebooks --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg
	MPLBACKEND=Agg $(BIN)/python -m pytest --doctest-modules analysis -p no:cacheprovider

notebooks: $(STAMP)
	MPLBACKEND=Agg $(BIN)/jupyter nbconvert --to notebook --execute --inplace notebooks/*.ipynb

bench: $(STAMP)
	$(BIN)/python benchmarks/normalize.py
	$(BIN)/python benchmarks/changepoints.py
	$(BIN)/python benchmarks/panel.py

# the documentation site, offline, warnings as errors (docs/_build/html/index.html)
docs: $(STAMP)
	$(BIN)/python -m sphinx -b html -W --keep-going -q docs docs/_build/html

clean:
	rm -rf $(VENV) .pytest_cache docs/_build docs/_api docs/_gallery docs/notebooks docs/gallery.md
