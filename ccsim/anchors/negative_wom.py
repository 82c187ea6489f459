"""Negative word of mouth (Goldenberg, Libai, Moldovan & Muller 2007; East, Hammond &
Wright 2007): positive talk is more frequent than negative, about 3:1 (2-4, DOMAIN.md
section 5), yet a few per cent of wronged customers cost a lot of value.

Measured in default CultureModel runs of five years: the incidence of recommendations and
warnings (the reporters), the wronged customers as a share of everyone who has been a
customer (a week's warnings over the chance a wronged customer warns, talk_rate x
negative_talk, against the reporters customers + lost), and the value their warnings
cost: five-year profit against the same seeds with the wronged silent (negative_talk = 0,
which keeps a week's draws in step; the runs drift apart from the first adoption that
differs, so the pairs are hardly closer than unpaired runs: docs/ODD.md, Validation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.model import CultureModel

NAME = "negative_wom"
CITATION = "Goldenberg, Libai, Moldovan & Muller (2007); East, Hammond & Wright (2007)"
PUBLISHED = ("positive : negative talk about 3:1 (2-4), yet a few per cent of wronged "
             "customers cost a lot of value")
DEFAULT_REPS = 30
WEEKS = 260
LOW, HIGH = 2.0, 4.0           # positive : negative incidence (East, Hammond & Wright 2007)
FEW = (0.01, 0.10)             # "a few per cent" of those who have been customers


def _run(seed, **params) -> dict:
    model = CultureModel(rng=seed, customer_agents=False, **params)
    for _ in range(WEEKS):
        if not model.running:
            break
        model.step()
    weeks = model.dataframe().iloc[1:]
    warnings = float(weeks.warnings.sum())
    warn_chance = min(1.0, model.talk_rate * model.negative_talk)
    return {"recommendations": float(weeks.recommendations.sum()), "warnings": warnings,
            "wronged": warnings / warn_chance if warn_chance else 0.0,   # silent: not counted
            "ever_customers": float((weeks.customers + weeks.lost).sum()),
            "weeks": len(weeks), "customers": int(weeks.customers.iloc[-1]),
            "profit": float(weeks.profit.sum())}


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict
    from ccsim.anchors.march1991 import summary

    seeds = [[seed, 2007, rep] for rep in range(reps)]
    loud = pd.DataFrame([_run(s) for s in seeds])
    silent = pd.DataFrame([_run(s, negative_talk=0.0) for s in seeds])
    rows = []
    for label, runs in (("warnings on", loud), ("wronged silent", silent)):
        weeks, warnings = runs.weeks.sum(), runs.warnings.sum()
        heard = warnings > 0            # the wronged are counted by their warnings
        rows.append({"world": label, "recommendations_per_week": runs.recommendations.sum() / weeks,
                     "warnings_per_week": warnings / weeks,
                     "talk_ratio": runs.recommendations.sum() / warnings if heard else np.nan,
                     "wronged_share": (runs.wronged.sum() / runs.ever_customers.sum()
                                       if heard else np.nan),
                     f"customers_week_{WEEKS}": runs.customers.mean(), "profit_5y": runs.profit.mean()})
    table = pd.DataFrame(rows)
    ratio = float(table.talk_ratio.iloc[0])
    wronged = float(table.wronged_share.iloc[0])
    base = float(silent.profit.mean())
    cost = summary(silent.profit - loud.profit)                 # paired by seed
    cost = {k: v / base for k, v in cost.items()}
    lost = 1.0 - loud.customers.mean() / silent.customers.mean()
    claims = [
        (f"positive : negative talk incidence in {LOW:g}-{HIGH:g}", f"{ratio:.2f} : 1",
         bool(LOW <= ratio <= HIGH)),
        (f"the wronged are a few per cent ({FEW[0]:.0%}-{FEW[1]:.0%}) of those who have "
         "been customers", f"{wronged:.1%}", bool(FEW[0] <= wronged <= FEW[1])),
        ("their warnings cost more five-year profit than their share (95% interval above it)",
         f"{cost['mean']:+.1%} of profit (95% {cost['lo']:+.1%} to {cost['hi']:+.1%}), "
         f"{lost:+.1%} of customers", bool(cost["lo"] > wronged)),
    ]
    gives = (f"talk {ratio:.1f}:1; wronged {wronged:.1%} of customers; their warnings cost "
             f"{cost['mean']:+.1%} of five-year profit (95% {cost['lo']:+.1%} to "
             f"{cost['hi']:+.1%}) over {reps} paired runs")
    return Verdict(NAME, CITATION, PUBLISHED, gives, all(ok for _, _, ok in claims),
                   {"negative_wom": ("Negative word of mouth: talk per week, warnings on vs silent",
                                     table)}, claims)
