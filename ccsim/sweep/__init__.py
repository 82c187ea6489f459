"""Batch sweeps for researchers (docs/DESIGN.md: who uses it, contracts).

experiment: experiment files.  designs: full factorial, Latin hypercube, Sobol, Morris.
seeds: per-run seeds from a base seed.  worker: one run.  executors: local processes or
Dask.  store: the resumable result directory.  runner: the sweep.  analysis, plots and
report: ``ccsim analyze`` (imported on first use: workers never need matplotlib).
"""

from ccsim.sweep.experiment import Experiment, load_experiment
from ccsim.sweep.runner import run_sweep

__all__ = ["Experiment", "analyze", "load_experiment", "run_sweep"]


def __getattr__(name):
    if name == "analyze":
        from ccsim.sweep.report import analyze

        return analyze
    raise AttributeError(f"module 'ccsim.sweep' has no attribute {name!r}")
