"""The one path for a run, for every front end (the CLI, the app, sweeps, anchors, tests
and benchmarks): a model from a preset, overrides and a seed, stepped week by week until
the run's end or until the firm runs out of cash.

The limits a front end checks live with the inputs, in ccsim.params (MAX_WEEKS,
MAX_SEED, and ``Param.fixed`` for the sizes that cannot change mid-run); outputs are
written through ccsim.output.
"""

from __future__ import annotations

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
