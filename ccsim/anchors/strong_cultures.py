"""Strong cultures and turbulence (Sørensen 2002): firms with strong, conformist cultures
have less variable performance in stable markets; the advantage fades (or reverses) when
markets are volatile.

Firms at low and high conformity (staff adopting the leaders' view: learning.socialise),
in a stable market (no turbulence) and one whose needs drift fast, run two years in
CultureModel on the same seeds in every cell (common random numbers); the rest at
defaults.  Performance is the mean weekly profit of the second year (Sørensen: return on
assets); its variability is the SD across firms, compared as the ratio high / low
conformity with a bootstrap 95% interval over firms.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.model import run

NAME = "strong_cultures"
CITATION = "Sørensen (2002), Administrative Science Quarterly 47(1): 70-91"
PUBLISHED = ("strong (conformist) cultures: less variable performance in stable markets; "
             "the advantage fades when markets are volatile")
DEFAULT_REPS = 20
WEEKS = 104
CONFORMITY = {"low": 0.1, "high": 0.9}
TURBULENCE = {"stable": 0.0, "volatile": 0.1}   # per quarter: five times March's 0.02
RESAMPLES = 1000


def firms(reps: int, seed: int) -> pd.DataFrame:
    rows = []
    for market, turbulence in TURBULENCE.items():
        for culture, conformity in CONFORMITY.items():
            for rep in range(reps):
                df = run(WEEKS, [seed, 2002, rep], customer_agents=False, conformity=conformity,
                         turbulence=turbulence).dataframe()
                rows.append({"market": market, "culture": culture, "rep": rep,
                             "profit": float(df.profit.iloc[-52:].mean())})
    return pd.DataFrame(rows)


def sd_ratio(runs: pd.DataFrame, market: str, rng) -> tuple[float, float, float]:
    """SD of profit across firms, high / low conformity, with a bootstrap 95% interval."""
    cell = runs[runs.market == market].pivot(index="rep", columns="culture", values="profit")
    high, low = cell["high"].to_numpy(), cell["low"].to_numpy()
    n = len(high)
    boot = [np.std(high[i], ddof=1) / np.std(low[i], ddof=1)
            for i in (rng.integers(0, n, n) for _ in range(RESAMPLES))]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return float(np.std(high, ddof=1) / np.std(low, ddof=1)), float(lo), float(hi)


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict

    runs = firms(reps, seed)
    rng = np.random.default_rng([seed, 2002, 1])
    ratio = {market: sd_ratio(runs, market, rng) for market in TURBULENCE}
    table = runs.groupby(["market", "culture"], sort=False).profit.agg(
        ["mean", "std"]).reset_index()
    table.insert(0, "cell", table.market + ", " + table.culture + " conformity")
    table["sd_ratio_high_low"] = table.market.map({m: r[0] for m, r in ratio.items()})
    stable, volatile = ratio["stable"], ratio["volatile"]
    claims = [
        ("in a stable market high conformity makes profit less variable across firms "
         "(SD ratio high / low < 1)",
         f"{stable[0]:.2f} (95% {stable[1]:.2f} to {stable[2]:.2f})", bool(stable[0] < 1)),
        ("the advantage fades when needs drift fast (the ratio rises)",
         f"{stable[0]:.2f} -> {volatile[0]:.2f} (95% {volatile[1]:.2f} to {volatile[2]:.2f})",
         bool(volatile[0] > stable[0])),
    ]
    gives = (f"SD of weekly profit, high / low conformity: {stable[0]:.2f} stable, "
             f"{volatile[0]:.2f} volatile ({reps} firms per cell)")
    return Verdict(NAME, CITATION, PUBLISHED, gives, all(ok for _, _, ok in claims),
                   {"strong_cultures": ("Strong cultures: profit by conformity and market", table)},
                   claims)
