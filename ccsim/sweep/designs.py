"""Designs: the points (parameter values) a sweep runs, from an Experiment.

full_factorial: every combination of the factors' levels.  latin_hypercube: scipy's
stratified sample of the factors' ranges.  sobol: Saltelli's scheme (SALib's scrambled
Sobol' sequence, N*(k+2) points, or N*(2k+2) with second-order indices).  morris: SALib's
elementary-effect trajectories, r*(k+1) points.  The random designs draw from the
experiment's base seed, so the same file gives the same points.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from ccsim.params import PARAMS
from ccsim.sweep.experiment import Experiment
from ccsim.sweep.seeds import design_seed


@dataclass(frozen=True)
class Design:
    """``X`` holds the sampled values (rows = points, columns = ``names``); ``points`` the same
    values converted to each parameter's type (whole numbers rounded), as the model gets them."""

    kind: str
    names: tuple[str, ...]
    X: np.ndarray
    points: tuple[dict, ...]
    options: dict
    bounds: tuple[tuple[float, float], ...]

    @property
    def problem(self) -> dict:
        """SALib's problem definition."""
        return {"num_vars": len(self.names), "names": list(self.names),
                "bounds": [list(b) for b in self.bounds]}

    def as_dict(self) -> dict:
        return {"kind": self.kind, "names": list(self.names), "options": dict(self.options),
                "bounds": [list(b) for b in self.bounds], "X": self.X.tolist(),
                "points": list(self.points)}


def design_from_dict(data: dict) -> Design:
    """The Design recorded in a manifest (inverse of ``Design.as_dict``)."""
    return Design(data["kind"], tuple(data["names"]), np.array(data["X"], dtype=float),
                  tuple(data["points"]), dict(data["options"]),
                  tuple(tuple(b) for b in data["bounds"]))


def make_design(experiment: Experiment) -> Design:
    """The design points of ``experiment``."""
    factors = experiment.factors
    names = tuple(f.name for f in factors)
    kind, options = experiment.design, experiment.options
    if kind == "full_factorial":
        X = np.array(list(itertools.product(*(f.levels for f in factors))), dtype=float)
        bounds = tuple((float(min(f.levels)), float(max(f.levels))) for f in factors)
    else:
        lo = np.array([f.lo for f in factors])
        hi = np.array([f.hi for f in factors])
        bounds = tuple(zip(lo.tolist(), hi.tolist()))
        seed = design_seed(experiment.seed)
        problem = {"num_vars": len(names), "names": list(names),
                   "bounds": [list(b) for b in bounds]}
        if kind == "latin_hypercube":
            unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed))
            X = qmc.scale(unit.random(options["samples"]), lo, hi)
        elif kind == "sobol":
            from SALib.sample import sobol

            X = sobol.sample(problem, options["samples"],
                             calc_second_order=options["second_order"], seed=seed)
        else:
            from SALib.sample import morris

            X = morris.sample(problem, options["trajectories"], num_levels=options["levels"],
                              seed=seed)
    points = tuple({name: _convert(name, value) for name, value in zip(names, row)} for row in X)
    return Design(kind, names, X, points, dict(options), bounds)


def _convert(name: str, value: float):
    param = PARAMS[name]
    if param.kind is int:
        return int(round(value))
    return float(min(max(value, param.lo), param.hi))
