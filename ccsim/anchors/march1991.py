"""March (1991), exploration and exploitation in organisational learning: the calibration case.

Runs the model's own learning kernel (ccsim.dynamics.learning, the code CultureModel uses
for its leaders and employees) in March's setting: conformity = p1, humility = p2,
turnover = p3, turbulence = p4, everyone heard, no misread evidence, no direct customer
channel.  All replications run at once on the kernel's leading replication axis; in runs to
equilibrium, finished replications are dropped from the arrays as they stop.

The figures (March 1991, Figures 1 to 5; docs/ODD.md, Validation) are tables of means with 95%
intervals, and ``claims`` checks March's qualitative findings on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccsim.dynamics import learning
from ccsim.intervals import mean_interval

CITATION = "March (1991), Organization Science 2(1): 71-87"
MAX_PERIODS = 10_000
FAST, SLOW = 0.9, 0.1            # socialisation rates of March's Figures 2 and 3
FIG1_P1 = tuple(np.round(np.arange(0.1, 1.0, 0.1), 1))
FIG1_P2 = (0.1, 0.5, 0.9)
FIG23_SLOW = tuple(range(0, 51, 5))
FIG4_P1 = (0.1, 0.5, 0.9)
FIG4_P3 = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2)
FIG5_P3 = (0.0, 0.1)
FIG5_PERIODS = 200
FIG5_EVERY = 10


@dataclass
class MarchResult:
    """One cell of replications.

    knowledge: final code score / m, one per replication (reps,).
    individual: final individual knowledge (belief score / m), (reps, n).
    periods: periods each replication ran (reps,).
    converged: whether each replication reached equilibrium (runs to equilibrium only).
    history: code knowledge after each period, (periods + 1, reps), fixed-length runs only.
    """

    knowledge: np.ndarray
    individual: np.ndarray
    periods: np.ndarray
    converged: np.ndarray
    history: np.ndarray | None = None


def _rates(p1, n: int):
    rate = np.asarray(p1, dtype=float)
    if rate.ndim not in (0, 1) or (rate.ndim == 1 and rate.shape != (n,)):
        raise ValueError(f"p1 must be a number or one rate per individual (length {n})")
    if np.any((rate < 0) | (rate > 1)):
        raise ValueError("p1 must lie in [0, 1]")
    return rate if rate.ndim else float(rate)


def run(p1, p2, p3=0.0, p4=0.0, m=30, n=50, reps=1000, periods=None, seed=0) -> MarchResult:
    """Replications of March's model on ccsim's learning kernel.

    ``p1`` is a rate or an array of n rates (one per individual, March's Figures 2/3).
    ``periods=None`` runs each replication to March's equilibrium (only without turnover
    and turbulence); otherwise every replication runs exactly ``periods`` periods.
    ``seed`` is anything numpy.random.default_rng accepts.
    """
    rate = _rates(p1, n)
    for name, value in (("p2", p2), ("p3", p3), ("p4", p4)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must lie in [0, 1]")
    if periods is None and (p3 > 0 or p4 > 0):
        raise ValueError("with turnover or turbulence there is no equilibrium: give periods")
    rng = np.random.default_rng(seed)
    reality = learning.random_reality((reps, m), rng)
    code = np.zeros((reps, m), np.int8)
    beliefs = learning.random_beliefs((reps, n, m), rng)
    if periods is not None:
        history = np.empty((periods + 1, reps), np.float32)
        history[0] = learning.knowledge(code, reality)
        for t in range(periods):
            learning.turbulence(reality, p4, rng)
            learning.turnover(beliefs, p3, rng)
            learning.period(reality, code, beliefs, rate, p2, rng)
            history[t + 1] = learning.knowledge(code, reality)
        return MarchResult(history[-1].astype(float), _individual(beliefs, reality),
                           np.full(reps, periods), np.zeros(reps, bool), history)
    knowledge = np.empty(reps)
    individual = np.empty((reps, n))
    ran = np.full(reps, MAX_PERIODS)
    converged = np.zeros(reps, bool)
    live = np.arange(reps)
    for t in range(1, MAX_PERIODS + 1):
        learning.period(reality, code, beliefs, rate, p2, rng)
        done = learning.at_equilibrium(reality, code, beliefs)
        if t == MAX_PERIODS:
            done[:] = True
        if done.any():
            ids = live[done]
            knowledge[ids] = learning.knowledge(code[done], reality[done])
            individual[ids] = _individual(beliefs[done], reality[done])
            ran[ids] = t
            converged[ids] = t < MAX_PERIODS or learning.at_equilibrium(
                reality[done], code[done], beliefs[done])
            keep = ~done
            live, reality, code, beliefs = live[keep], reality[keep], code[keep], beliefs[keep]
            if not len(live):
                break
    return MarchResult(knowledge, individual, ran, converged)


def _individual(beliefs: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Each individual's knowledge: belief score (0 counts 0) divided by m."""
    return np.einsum("rnm,rm->rn", beliefs, reality, dtype=np.int32) / beliefs.shape[-1]


def summary(values: np.ndarray) -> dict:
    """Mean and its 95% interval over replications (ccsim.intervals)."""
    mean, lo, hi = mean_interval(values)
    return {"mean": float(mean), "lo": float(lo), "hi": float(hi)}


def _seed(seed: int, *cell) -> list[int]:
    """A distinct, reproducible stream per figure cell."""
    return [seed, *(int(round(c * 1000)) for c in cell)]


def figure1(reps: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Figure 1: equilibrium knowledge by socialisation rate p1 and code learning rate p2."""
    rows = []
    for p2 in FIG1_P2:
        for p1 in FIG1_P1:
            result = run(p1, p2, reps=reps, seed=_seed(seed, 1, p1, p2))
            rows.append({"p1": p1, "p2": p2, **summary(result.knowledge),
                         "periods": float(result.periods.mean())})
    return pd.DataFrame(rows)


def figure23(reps: int = 1000, seed: int = 0, n: int = 50) -> pd.DataFrame:
    """Figures 2 and 3: a mix of slow (p1 = 0.1) and fast (p1 = 0.9) learners, p2 = 0.5.

    Figure 2: the code's equilibrium knowledge by the number of slow learners.
    Figure 3: the individual knowledge of fast and of slow learners at period 20.
    """
    rows = []
    for slow in FIG23_SLOW:
        rates = np.where(np.arange(n) < slow, SLOW, FAST)
        eq = run(rates, 0.5, n=n, reps=reps, seed=_seed(seed, 2, slow))
        early = run(rates, 0.5, n=n, reps=reps, periods=20, seed=_seed(seed, 3, slow))
        row = {"n_slow": slow}
        row.update({f"code_{k}": v for k, v in summary(eq.knowledge).items()})
        for label, members in (("fast", rates == FAST), ("slow", rates == SLOW)):
            stats = (summary(early.individual[:, members].mean(axis=1)) if members.any()
                     else dict.fromkeys(("mean", "lo", "hi"), np.nan))
            row.update({f"{label}20_{k}": v for k, v in stats.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def figure4(reps: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Figure 4: code knowledge at period 20 by turnover p3, for p1 = 0.1, 0.5, 0.9 (p2 = 0.5)."""
    rows = []
    for p1 in FIG4_P1:
        for p3 in FIG4_P3:
            result = run(p1, 0.5, p3=p3, periods=20, reps=reps, seed=_seed(seed, 4, p1, p3))
            rows.append({"p1": p1, "p3": p3, **summary(result.knowledge)})
    return pd.DataFrame(rows)


def figure5(reps: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Figure 5: code knowledge over 200 periods under turbulence p4 = 0.02, with p3 = 0 and
    0.1 (p1 = 0.5, p2 = 0.5), every 10th period."""
    rows = []
    for p3 in FIG5_P3:
        result = run(0.5, 0.5, p3=p3, p4=0.02, periods=FIG5_PERIODS, reps=reps,
                     seed=_seed(seed, 5, p3))
        for t in range(0, FIG5_PERIODS + 1, FIG5_EVERY):
            rows.append({"p3": p3, "period": t, **summary(result.history[t])})
    return pd.DataFrame(rows)


FIGURES = {
    "figure1": ("Figure 1: equilibrium knowledge by p1 and p2", figure1),
    "figure23": ("Figures 2/3: a mix of slow (p1=0.1) and fast (p1=0.9) learners, p2=0.5", figure23),
    "figure4": ("Figure 4: knowledge at period 20 by turnover p3 (p2=0.5)", figure4),
    "figure5": ("Figure 5: knowledge under turbulence p4=0.02 (p1=p2=0.5)", figure5),
}


def _mean(table: pd.DataFrame, column: str = "mean", **where) -> float:
    mask = np.ones(len(table), bool)
    for key, value in where.items():
        mask &= np.isclose(table[key], value)
    return float(table.loc[mask, column].iloc[0])


def claims(tables: dict[str, pd.DataFrame]) -> list[tuple[str, str, bool]]:
    """March's qualitative claims (docs/ODD.md, Validation) checked on the figures' tables:
    (claim, what ccsim gives, holds)."""
    out = []
    f1 = tables.get("figure1")
    if f1 is not None:
        low, high = _mean(f1, p1=0.1, p2=0.9), _mean(f1, p1=0.9, p2=0.9)
        gain_fast = low - high
        gain_slow = _mean(f1, p1=0.1, p2=0.1) - _mean(f1, p1=0.9, p2=0.1)
        out.append(("slow socialisation (p1=0.1) beats fast (0.9) at equilibrium, p2=0.9",
                    f"{low:.3f} vs {high:.3f}", low > high))
        out.append(("the gain from slow socialisation is largest with fast code learning",
                    f"gain {gain_fast:.3f} at p2=0.9 vs {gain_slow:.3f} at p2=0.1",
                    gain_fast > gain_slow))
        slow_code, fast_code = _mean(f1, p1=0.9, p2=0.1), _mean(f1, p1=0.9, p2=0.9)
        out.append(("with conformist staff (p1=0.9) a slow code (p2=0.1) does at least as well",
                    f"{slow_code:.3f} vs {fast_code:.3f}", slow_code >= fast_code))
    f23 = tables.get("figure23")
    if f23 is not None:
        all_fast = float(f23.loc[f23.n_slow == 0, "code_mean"].iloc[0])
        best_mix = f23.loc[(f23.n_slow > 0) & (f23.n_slow < f23.n_slow.max())]
        mix = float(best_mix["code_mean"].max())
        out.append(("a mix of slow and fast learners helps the code (vs all fast)",
                    f"best mix {mix:.3f} vs all fast {all_fast:.3f}", mix > all_fast))
        mixed = f23.dropna(subset=["fast20_mean", "slow20_mean"])
        ahead = float((mixed["fast20_mean"] > mixed["slow20_mean"]).mean())
        out.append(("fast learners know more than slow ones individually (period 20)",
                    f"fast ahead in {ahead:.0%} of mixes", ahead == 1.0))
    f4 = tables.get("figure4")
    if f4 is not None:
        fast_gain = _mean(f4, p1=0.9, p3=0.05) - _mean(f4, p1=0.9, p3=0.0)
        slow_gain = _mean(f4, p1=0.1, p3=0.05) - _mean(f4, p1=0.1, p3=0.0)
        out.append(("moderate turnover (p3=0.05) helps with fast socialisation (p1=0.9)",
                    f"{fast_gain:+.3f}", fast_gain > 0))
        out.append(("... and hurts with slow socialisation (p1=0.1)",
                    f"{slow_gain:+.3f}", slow_gain < 0))
    f5 = tables.get("figure5")
    if f5 is not None:
        still = f5[f5.p3 == 0.0].set_index("period")["mean"]
        moving = f5[f5.p3 == 0.1].set_index("period")["mean"]
        peak, end = float(still.max()), float(still.iloc[-1])
        out.append(("with turbulence and no turnover knowledge decays",
                    f"peak {peak:.3f} -> {end:.3f} at period {FIG5_PERIODS}", end < peak - 0.1))
        out.append(("turnover keeps knowledge up under turbulence",
                    f"{float(moving.iloc[-1]):.3f} vs {end:.3f} at period {FIG5_PERIODS}",
                    float(moving.iloc[-1]) > end))
    return out


NAME = "march1991"
PUBLISHED = ("slow socialisation and fast code learning give the most knowledge; a mix of "
             "learners helps the code; turnover helps fast socialisers; turbulence erodes knowledge")
DEFAULT_REPS = 1000


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    """All four figures and March's claims on them."""
    from ccsim.anchors import Verdict

    tables = {name: make(reps, seed) for name, (_, make) in FIGURES.items()}
    found = claims(tables)
    held = sum(ok for _, _, ok in found)
    f1 = tables["figure1"]
    gives = (f"{held}/{len(found)} claims hold; Fig.1 p2=0.9: p1=0.1 -> "
             f"{_mean(f1, p1=0.1, p2=0.9):.3f}, p1=0.9 -> {_mean(f1, p1=0.9, p2=0.9):.3f}")
    return Verdict(NAME, CITATION, PUBLISHED, gives, held == len(found),
                   {name: (FIGURES[name][0], table) for name, table in tables.items()}, found)
