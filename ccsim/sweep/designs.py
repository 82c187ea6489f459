"""Designs: the points (parameter values) a sweep runs, from an Experiment.

full_factorial: every combination of the factors' levels.  latin_hypercube: scipy's
stratified sample of the factors' ranges (McKay, Beckman & Conover 1979); grown to more
samples, it keeps its points and adds a Latin hypercube of the rest drawn with its own
seed, so the design becomes one in batches (their union is not a Latin hypercube itself:
each batch's strata are its own).  sobol: Saltelli's scheme (SALib's scrambled
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


def make_design(experiment: Experiment, grown_from: dict | None = None) -> Design:
    """The design points of ``experiment``; a Latin hypercube grows ``grown_from`` (a
    manifest's design, ``Design.as_dict``) where that is a smaller one over the same ranges."""
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
            options = {**options, "batches": _batches(options["samples"], names, bounds, grown_from)}
            X = qmc.scale(np.vstack([
                qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(
                    design_seed(experiment.seed, batch))).random(size)
                for batch, size in enumerate(options["batches"])]), lo, hi)
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


def _batches(samples: int, names, bounds, grown_from: dict | None) -> list[int]:
    """A Latin hypercube's batch sizes: ``[samples]``, or ``grown_from``'s batches and one of
    the samples they lack, where it is a Latin hypercube over the same ranges with fewer."""
    if (grown_from is None or grown_from["kind"] != "latin_hypercube" or grown_from["names"] != list(names)
            or grown_from["bounds"] != [list(b) for b in bounds]):
        return [samples]
    had = list(grown_from["options"].get("batches", [len(grown_from["points"])]))
    more = samples - sum(had)
    if more < 0:
        return [samples]
    return [*had, more] if more else had


def _convert(name: str, value: float):
    param = PARAMS[name]
    if param.kind is int:
        return int(round(value))
    return float(min(max(value, param.lo), param.hi))
