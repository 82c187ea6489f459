"""Batch sweeps for researchers (DESIGN.md sections 1 and 3; issue 5).

experiment: experiment files.  designs: full factorial, Latin hypercube, Sobol, Morris.
seeds: per-run seeds from a base seed.  worker: one run.  executors: local processes or
Dask.  store: the resumable result directory.  runner: the sweep.  analysis, plots and
report: ``ccsim analyze``.
"""

from ccsim.sweep.experiment import Experiment, load_experiment
from ccsim.sweep.report import analyze
from ccsim.sweep.runner import run_sweep

__all__ = ["Experiment", "analyze", "load_experiment", "run_sweep"]
