"""The one path for a run, for every front end (the CLI, the app, sweeps, anchors, tests
and benchmarks): a model from a preset, overrides and a seed, stepped week by week until
the run's end or until the firm runs out of cash.

The limits a front end checks live with the inputs, in ccsim.params (MAX_WEEKS,
MAX_SEED, and ``Param.fixed`` for the sizes that cannot change mid-run); outputs are
written through ccsim.output.
"""

from __future__ import annotations

import numpy as np

from ccsim.model import CultureModel


def simulate(scenario, weeks: int, seed=None, overrides: dict | None = None,
             each_week=None, customer_agents: bool = False) -> CultureModel:
    """A model of ``scenario`` (a Scenario, a preset name or a file) with ``overrides``,
    stepped ``weeks`` weeks or until its cash runs out; ``each_week(model)`` after each."""
    model = CultureModel.from_scenario(scenario, rng=seed, customer_agents=customer_agents,
                                       **(overrides or {}))
    return model.advance(weeks, each_week)


def build(params: dict, events=(), seed=None, customer_agents: bool = False) -> CultureModel:
    """A model at week 0 with ``params`` (on top of the defaults) and ``events`` on its
    timeline: a preset's own, and changes made mid-run as ``set`` events, so that a run
    rebuilt from them is the run that was made."""
    return CultureModel(rng=seed, events=events, customer_agents=customer_agents, **params)


def replicate(params: dict, events, weeks: int, seeds, names, each_run=None) -> dict:
    """The reporters ``names`` of one model per seed, stepped ``weeks`` weeks: for each
    name an array (seeds, weeks + 1); a firm that runs out of cash keeps its last values,
    as ``ccsim compare`` does.  ``each_run(done)`` after each run."""
    out = {name: np.empty((len(seeds), weeks + 1)) for name in names}
    for r, seed in enumerate(seeds):
        history = build(params, events, seed).advance(weeks).datacollector.model_vars
        for name in names:
            values = np.asarray(history[name], dtype=float)
            out[name][r, :len(values)] = values
            out[name][r, len(values):] = values[-1]
        if each_run is not None:
            each_run(r + 1)
    return out
