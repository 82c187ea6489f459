"""Pattern-oriented calibration (Grimm et al. 2005) by approximate Bayesian computation.

The calibration parameters whose size no study gives (``PRIORS``) are fitted to several
published patterns at once (``FITTED``) with ABC-SMC (Toni et al. 2009) as pyabc
implements it (Schälte et al. 2022): a population of parameter sets is simulated, those
whose patterns lie nearest the published ones are kept, perturbed and simulated again,
generation by generation, with a shrinking tolerance.  Distances are in units of each
pattern's published uncertainty.  Patterns in ``HELD_OUT`` are never fitted: they are
measured on the posterior as out-of-sample checks.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ccsim.anchors.recovery import OUTCOMES, episode_outcomes
from ccsim.model import CultureModel
from ccsim.params import PARAMS


@dataclass(frozen=True)
class Pattern:
    target: float
    tolerance: float      # the published uncertainty: the distance counts in these units
    text: str
    source: str


# The parameters fitted, each with a uniform prior over the range worth exploring.
# competition scales the hazard of Jones & Sasser's curve (1: their competitive markets);
# the others have no published size.
PRIORS = {"base_quality": (0.0, 1.0), "memory_rate": (0.05, 0.6), "survey_annoyance": (0.0, 0.5),
          "competition": (0.1, 1.5)}

FITTED = {
    "churn": Pattern(0.20, 0.07, "customers lost per year (years 2-3)",
                     "Reichheld 1996 (US firms lose half their customers in five years, about 13% a "
                     "year); Reichheld & Sasser 1990; 15-30% a year in retail, banking and telecom"),
    "talk_ratio": Pattern(3.0, 1.0, "recommendations : warnings (years 2-3)",
                          "East, Hammond & Wright 2007 (positive : negative word of mouth about 3:1, "
                          "2-4 across 15 categories)"),
    "nps": Pattern(7.5, 15.0, "NPS of an average firm (mean of the last quarter)",
                   "Reichheld 2003 (the average firm 5-10%, the best 50-80%)"),
}
HELD_OUT = {
    "repurchase_fast": Pattern(0.82, 0.10, "repurchase after a problem fixed fast", "TARP studies"),
    "repurchase_slow": Pattern(0.54, 0.10, "repurchase after a problem fixed slowly", "TARP studies"),
    "repurchase_unresolved": Pattern(0.19, 0.10, "repurchase after a problem not fixed", "TARP studies"),
}
HELD_OUT_KEYS = dict(zip(HELD_OUT, OUTCOMES))


@dataclass(frozen=True)
class Setup:
    """How big each simulation is and how big the ABC-SMC run."""
    n_customers: int = 2000
    weeks: int = 156
    population: int = 120
    generations: int = 8
    workers: int = 2
    seed: int = 0


def patterns(model: CultureModel) -> dict[str, float]:
    """The fitted patterns of a firm that has run (simulate); NaN where undefined (a firm
    that perished before the end still gives them from what it lived)."""
    frame = model.dataframe()
    later = frame.loc[53:]
    if later.empty:
        return {name: np.nan for name in FITTED}
    churn = 1.0 - float(np.prod(1.0 - later.churn_rate.to_numpy())) ** (52.0 / len(later))
    warnings = later.warnings.sum()
    return {"churn": churn,
            "talk_ratio": float(later.recommendations.sum() / warnings) if warnings else np.nan,
            "nps": float(frame.nps.iloc[-13:].mean())}


def simulate(values: dict, setup: Setup, seed: int) -> CultureModel:
    """A default firm with ``values``, its staff and cash scaled with its market."""
    scale = setup.n_customers / PARAMS["n_customers"].default
    return CultureModel(rng=seed, customer_agents=False, n_customers=setup.n_customers,
                        n_employees=max(5, round(PARAMS["n_employees"].default * scale)),
                        initial_cash=PARAMS["initial_cash"].default * scale,
                        **values).advance(setup.weeks)


def held_out(model: CultureModel, seed: int) -> dict[str, float]:
    """Repurchase after one more problem, by how it ended (TARP), for the customers of a
    firm that has run (simulate)."""
    outcomes = episode_outcomes(model, np.random.default_rng([seed, 1986]))
    return {name: float(outcomes[label][0].mean()) for name, label in HELD_OUT_KEYS.items()}


def _quiet_pyabc() -> None:
    """pyabc's own lines: one per generation (its tolerance), none about its internals."""
    for name in ("ABC.Sampler", "ABC.Epsilon", "ABC.History", "ABC.Distance", "ABC.Population",
                 "ABC.Adaptation", "ABC.Predictor", "ABC.Transition"):
        logging.getLogger(name).setLevel(logging.WARNING)


def fit(setup: Setup, database: Path, progress: bool = False):
    """Run ABC-SMC; the history goes to ``database`` (SQLite); ``progress`` shows pyabc's
    bar of accepted particles in each generation.  With one worker the run is
    reproducible from ``setup.seed``; with more, which particles are accepted first
    varies from run to run."""
    import pyabc

    _quiet_pyabc()
    np.random.seed(setup.seed)
    prior = pyabc.Distribution(**{name: pyabc.RV("uniform", lo, hi - lo)
                                  for name, (lo, hi) in PRIORS.items()})

    def model(parameters):
        values = {name: float(parameters[name]) for name in PRIORS}
        return patterns(simulate(values, setup, int(np.random.randint(2**31))))

    def distance(simulated, observed):
        gaps = [(simulated[k] - observed[k]) / FITTED[k].tolerance for k in FITTED]
        return float(np.sqrt(np.sum(np.square(gaps)))) if np.all(np.isfinite(gaps)) else np.inf

    sampler = (pyabc.sampler.SingleCoreSampler() if setup.workers == 1
               else pyabc.sampler.MulticoreEvalParallelSampler(n_procs=setup.workers))
    sampler.show_progress = progress
    abc = pyabc.ABCSMC(model, prior, distance, population_size=setup.population, sampler=sampler)
    abc.new(f"sqlite:///{os.path.abspath(database)}", {k: p.target for k, p in FITTED.items()})
    return abc.run(max_nr_populations=setup.generations)


def posterior(history) -> pd.DataFrame:
    """The last generation: one row per particle, its parameters and weight."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    frame = frame[list(PRIORS)].reset_index(drop=True)
    frame["weight"] = np.asarray(weights, float)
    return frame


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(np.interp(q * cumulative[-1], cumulative, values[order]))


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: the posterior median (the centre the defaults are set to), its 90%
    credible interval, and the prior's range."""
    weights = frame.weight.to_numpy()
    rows = []
    for name, (lo, hi) in PRIORS.items():
        values = frame[name].to_numpy()
        rows.append({"parameter": name, "median": weighted_quantile(values, weights, 0.5),
                     "lo90": weighted_quantile(values, weights, 0.05),
                     "hi90": weighted_quantile(values, weights, 0.95),
                     "prior": f"uniform [{lo:g}, {hi:g}]", "default": PARAMS[name].default})
    return pd.DataFrame(rows)


def checks(centre: dict, setup: Setup, seeds: int) -> pd.DataFrame:
    """Every pattern, fitted and held out, over ``seeds`` runs at the posterior centre."""
    models = [(simulate(centre, setup, 10_000 + s), 10_000 + s) for s in range(seeds)]
    fitted = pd.DataFrame([patterns(model) for model, _ in models])
    out = pd.DataFrame([held_out(model, seed) for model, seed in models])
    rows = []
    for role, table, measured in (("fitted", FITTED, fitted), ("held out", HELD_OUT, out)):
        for name, pattern in table.items():
            value = float(measured[name].mean())
            rows.append({"pattern": name, "role": role, "text": pattern.text, "target": pattern.target,
                         "tolerance": pattern.tolerance, "ccsim": value,
                         "ccsim_sd": float(measured[name].std(ddof=1)) if seeds > 1 else np.nan,
                         "within": abs(value - pattern.target) <= pattern.tolerance,
                         "source": pattern.source})
    return pd.DataFrame(rows)


def plot(frame: pd.DataFrame, path: Path) -> None:
    """The posterior of each parameter (weighted histogram) over its prior's range."""
    import matplotlib.pyplot as plt

    from ccsim.colours import LINES
    from ccsim.plots import projector_style

    with projector_style():
        fig, axes = plt.subplots(1, len(PRIORS), figsize=(6 * len(PRIORS), 5))
        for ax, (name, (lo, hi)) in zip(np.atleast_1d(axes), PRIORS.items()):
            ax.hist(frame[name], bins=15, range=(lo, hi), weights=frame.weight, color=LINES[0])
            ax.axvline(weighted_quantile(frame[name].to_numpy(), frame.weight.to_numpy(), 0.5),
                       color="black", linestyle="--", label="median")
            ax.set_xlim(lo, hi)
            ax.set_title(name)
            ax.set_xlabel("value (prior: uniform over this axis)")
            ax.legend(loc="best")
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
