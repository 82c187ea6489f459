"""Negative word of mouth (Goldenberg, Libai, Moldovan & Muller 2007; East, Hammond &
Wright 2007): positive talk is more frequent than negative, about 3:1 (2-4),
yet a few per cent of wronged customers cost a lot of value.

The incidence of recommendations and warnings (the reporters) and the wronged customers
as a share of everyone who has been a customer (a week's warnings over the chance a
wronged customer warns, talk_rate x negative_talk, against the reporters customers +
lost) are measured in default CultureModel runs of five years.  The value the warnings
cost is measured with the organisation held still (STILL: no ideas, no turbulence), the
word-of-mouth mechanism in isolation: five-year profit against the same seeds with the
wronged silent (negative_talk = 0, which keeps a week's draws in step).  In default runs
the firm's learning turns the first adoption that differs into another history, and the
pairs hardly pair (docs/ODD.md, Validation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.model import run

NAME = "negative_wom"
CITATION = "Goldenberg, Libai, Moldovan & Muller (2007); East, Hammond & Wright (2007)"
PUBLISHED = ("positive : negative talk about 3:1 (2-4), yet a few per cent of wronged "
             "customers cost a lot of value")
DEFAULT_REPS = 30
WEEKS = 260
LOW, HIGH = 2.0, 4.0           # positive : negative incidence (East, Hammond & Wright 2007)
FEW = (0.01, 0.10)             # "a few per cent" of those who have been customers
STILL = {"ideas_per_quarter": 0, "turbulence": 0.0}   # the organisation held still


def _run(seed, **params) -> dict:
    model = run(WEEKS, seed, customer_agents=False, **params)
    weeks = model.dataframe().iloc[1:]
    warnings = float(weeks.warnings.sum())
    warn_chance = min(1.0, model.talk_rate * model.negative_talk)
    return {"recommendations": float(weeks.recommendations.sum()), "warnings": warnings,
            "wronged": warnings / warn_chance if warn_chance else 0.0,   # silent: not counted
            "ever_customers": float((weeks.customers + weeks.lost).sum()),
            "weeks": len(weeks), "customers": int(weeks.customers.iloc[-1]),
            "profit": float(weeks.profit.sum())}


def runs(seeds, **params) -> pd.DataFrame:
    """One row of _run per seed."""
    return pd.DataFrame([_run(s, **params) for s in seeds])


def world(label: str, results: pd.DataFrame) -> dict:
    """The talk of a set of runs: per week, positive : negative, and the wronged's share of
    those who have been customers (NaN when nobody warned: the wronged are counted by
    their warnings)."""
    total = results.sum()
    heard = total.warnings > 0
    return {"world": label, "recommendations_per_week": total.recommendations / total.weeks,
            "warnings_per_week": total.warnings / total.weeks,
            "talk_ratio": total.recommendations / total.warnings if heard else np.nan,
            "wronged_share": total.wronged / total.ever_customers if heard else np.nan,
            f"customers_week_{WEEKS}": results.customers.mean(), "profit_5y": results.profit.mean()}


def paired_cost(loud: pd.DataFrame, silent: pd.DataFrame) -> dict:
    """Five-year profit the warnings cost, paired by seed, as a share of the silent runs'
    mean profit: mean, lo, hi (95%)."""
    from ccsim.anchors.march1991 import summary

    base = float(silent.profit.mean())
    return {k: v / base for k, v in summary(silent.profit - loud.profit).items()}


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict

    seeds = [[seed, 2007, rep] for rep in range(reps)]
    loud, silent = runs(seeds, **STILL), runs(seeds, negative_talk=0.0, **STILL)
    table = pd.DataFrame([world("default, warnings on", runs(seeds)),
                          world("still, warnings on", loud), world("still, wronged silent", silent)])
    ratio = float(table.talk_ratio.iloc[0])
    wronged = float(table.wronged_share.iloc[0])
    wronged_still = float(table.wronged_share.iloc[1])
    share = max(wronged, wronged_still)          # the cost must clear both worlds' share
    cost = paired_cost(loud, silent)
    lost = 1.0 - loud.customers.mean() / silent.customers.mean()
    fit_check = (f"positive : negative talk incidence in {LOW:g}-{HIGH:g} (a calibration target: "
                 f"`ccsim calibrate` fits it, so it is a fit check and the row does not count it)",
                 f"{ratio:.2f} : 1", bool(LOW <= ratio <= HIGH))
    claims = [
        (f"the wronged are a few per cent ({FEW[0]:.0%}-{FEW[1]:.0%}) of those who have "
         "been customers", f"{wronged:.1%}", bool(FEW[0] <= wronged <= FEW[1])),
        ("their warnings cost more five-year profit than their share (95% interval above it; "
         "organisation held still)",
         f"{cost['mean']:+.1%} of profit (95% {cost['lo']:+.1%} to {cost['hi']:+.1%}) against "
         f"{share:.1%}, {lost:+.1%} of customers", bool(cost["lo"] > share)),
    ]
    gives = (f"talk {ratio:.1f}:1; wronged {wronged:.1%} of customers; their warnings cost "
             f"{cost['mean']:+.1%} of five-year profit (95% {cost['lo']:+.1%} to "
             f"{cost['hi']:+.1%}) over {reps} paired runs, organisation held still")
    return Verdict(NAME, CITATION, PUBLISHED, gives, all(ok for _, _, ok in claims),
                   {"negative_wom": ("Negative word of mouth: talk per week, default and with the "
                                     "organisation held still", table)}, [fit_check, *claims])
