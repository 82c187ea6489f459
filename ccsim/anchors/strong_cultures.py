"""Strong cultures and turbulence (Sørensen 2002): firms with strong, conformist cultures
have less variable performance in stable markets; the advantage fades (or reverses) when
markets are volatile.

Firms at low and high conformity (staff adopting the leaders' view: learning.socialise),
in a stable market (no turbulence) and one whose needs drift fast, run three years in
CultureModel on the same seeds in every cell (common random numbers); the rest at
defaults.  As in Sørensen, reliability is the variability of each firm's own performance
over time: the SD of its quarterly profit over years 2 and 3 (8 quarters; Sørensen: the
variability of yearly return on assets), averaged over firms and compared as the ratio
high / low conformity, with a bootstrap 95% interval over firms.  The same ratio of the
SD of the offering's quarterly fit shows whether the culture steadies what the firm does,
whatever its profit shows (a reading, not a claim).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.model import run

NAME = "strong_cultures"
CITATION = "Sørensen (2002), Administrative Science Quarterly 47(1): 70-91"
PUBLISHED = ("strong (conformist) cultures: less variable performance in stable markets; "
             "the advantage fades when markets are volatile")
DEFAULT_REPS = 240   # firms per cell; at 20 the stable-market ratio's 95% interval (0.98-1.35)
                     # spanned 1, so the row could not tell steadier from less steady
WEEKS = 156
QUARTERS = 8           # the last two years
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
                quarters = df.profit.iloc[-13 * QUARTERS:].to_numpy().reshape(QUARTERS, 13).sum(axis=1)
                fit = df.offering_fit.iloc[-13 * QUARTERS:].to_numpy().reshape(QUARTERS, 13).mean(axis=1)
                rows.append({"market": market, "culture": culture, "rep": rep,
                             "profit": float(quarters.mean()), "sd": float(quarters.std(ddof=1)),
                             "fit_sd": float(fit.std(ddof=1))})
    return pd.DataFrame(rows)


def sd_ratio(runs: pd.DataFrame, market: str, rng) -> tuple[float, float, float]:
    """Mean SD of a firm's quarterly profit, high / low conformity, with a bootstrap 95%
    interval over firms (resampled in pairs: the same seeds in both cells)."""
    cell = runs[runs.market == market].pivot(index="rep", columns="culture", values="sd")
    high, low = cell["high"].to_numpy(), cell["low"].to_numpy()
    n = len(high)
    boot = [high[i].mean() / low[i].mean() for i in (rng.integers(0, n, n) for _ in range(RESAMPLES))]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return float(high.mean() / low.mean()), float(lo), float(hi)


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict

    runs = firms(reps, seed)
    rng = np.random.default_rng([seed, 2002, 1])
    ratio = {market: sd_ratio(runs, market, rng) for market in TURBULENCE}
    table = runs.groupby(["market", "culture"], sort=False).agg(
        profit=("profit", "mean"), sd_over_time=("sd", "mean"),
        fit_sd_over_time=("fit_sd", "mean")).reset_index()
    table.insert(0, "cell", table.market + ", " + table.culture + " conformity")
    table["sd_ratio_high_low"] = table.market.map({m: r[0] for m, r in ratio.items()})
    cells = table.set_index(["market", "culture"]).fit_sd_over_time
    fit_ratio = {m: cells[m, "high"] / cells[m, "low"] for m in TURBULENCE}
    table["fit_sd_ratio_high_low"] = table.market.map(fit_ratio)
    stable, volatile = ratio["stable"], ratio["volatile"]
    claims = [
        ("in a stable market high conformity makes a firm's profit less variable over time "
         "(SD ratio high / low < 1)",
         f"{stable[0]:.2f} (95% {stable[1]:.2f} to {stable[2]:.2f})", bool(stable[0] < 1)),
        ("the advantage fades when needs drift fast (the ratio rises)",
         f"{stable[0]:.2f} -> {volatile[0]:.2f} (95% {volatile[1]:.2f} to {volatile[2]:.2f})",
         bool(volatile[0] > stable[0])),
    ]
    gives = (f"SD of a firm's quarterly profit over two years, high / low conformity: "
             f"{stable[0]:.2f} stable, {volatile[0]:.2f} volatile ({reps} firms per cell); of "
             f"the offering's fit: {fit_ratio['stable']:.2f}, {fit_ratio['volatile']:.2f}")
    return Verdict(NAME, CITATION, PUBLISHED, gives, all(ok for _, _, ok in claims),
                   {"strong_cultures": ("Strong cultures: profit by conformity and market", table)},
                   claims)
