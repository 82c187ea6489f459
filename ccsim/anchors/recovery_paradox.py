"""Service recovery paradox (de Matos, Henrique & Rossi 2007, meta-analysis): a failure that
is well recovered can leave satisfaction slightly above never having failed, but
repurchase (staying) and word of mouth do not rise above it.

A default firm runs a year in CultureModel; its customers are then split at random in two
arms, one living a routine touch (never failed), the other a problem fixed on the spot
(recovery.satisfaction_after: the model's episode, memory and satisfaction functions),
and the firm runs one more year.  Satisfaction is measured right after the episode,
staying as the share of each arm still a customer a year later, word of mouth as the
weeks each arm spent as promoters (who recommend at ``talk_rate``), per customer.
Differences fixed fast - never failed are paired by firm, with 95% intervals over firms.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.anchors.recovery import satisfaction_after
from ccsim.dynamics import loyalty
from ccsim.intervals import mean_interval
from ccsim.model import ACTIVE, CultureModel

NAME = "recovery_paradox"
CITATION = "de Matos, Henrique & Rossi (2007), Journal of Service Research 10(1): 60-77"
PUBLISHED = ("a well-recovered failure: satisfaction can end slightly above never failing; "
             "repurchase and word of mouth do not")
DEFAULT_REPS = 6
WEEKS = 52
ARMS = ("never failed", "fixed fast")


def firm(seed) -> dict:
    """One firm: per arm, satisfaction after the episode, share staying a year, promoter
    weeks per customer in that year."""
    model = CultureModel(rng=seed, customer_agents=False).advance(WEEKS)
    rng = np.random.default_rng(seed)
    who = rng.permutation(np.flatnonzero(model.status == ACTIVE))
    arms = dict(zip(ARMS, np.array_split(who, 2)))
    after = satisfaction_after(model, who, rng)
    out = {}
    for label, members in arms.items():
        model.satisfaction[members] = after[label][np.isin(who, members)]
        out[f"satisfaction: {label}"] = float(model.satisfaction[members].mean())
    promoter_weeks = {label: 0 for label in ARMS}

    def week(m: CultureModel) -> None:
        for label, members in arms.items():
            promoter_weeks[label] += int(np.count_nonzero(
                (m.status[members] == ACTIVE) & loyalty.is_promoter(m.satisfaction[members])))

    model.advance(WEEKS, each_week=week)
    for label, members in arms.items():
        out[f"stayed: {label}"] = float(np.mean(model.status[members] == ACTIVE))
        out[f"promoter weeks: {label}"] = promoter_weeks[label] / len(members)
    return out


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict

    runs = pd.DataFrame([firm([seed, 2007, rep]) for rep in range(reps)])
    rows = []
    for measure in ("satisfaction", "stayed", "promoter weeks"):
        never, fixed = (runs[f"{measure}: {arm}"].to_numpy() for arm in ARMS)
        diff, lo, hi = mean_interval(fixed - never)
        rows.append({"measure": measure, "never_failed": never.mean(), "fixed_fast": fixed.mean(),
                     "difference": float(diff), "lo": float(lo), "hi": float(hi)})
    table = pd.DataFrame(rows)
    d = table.set_index("measure")

    def shown(measure):
        row = d.loc[measure]
        return (f"{row.fixed_fast:.3f} vs {row.never_failed:.3f} (difference {row.difference:+.3f}, "
                f"95% {row.lo:+.3f} to {row.hi:+.3f})")

    claims = [
        ("satisfaction right after a failure fixed on the spot is at least that of never failing",
         shown("satisfaction"), bool(d.loc["satisfaction", "difference"] >= 0)),
        ("staying a year is not above never failing", shown("stayed"),
         bool(d.loc["stayed", "lo"] <= 0)),
        ("word of mouth (weeks as a promoter) is not above never failing", shown("promoter weeks"),
         bool(d.loc["promoter weeks", "lo"] <= 0)),
    ]
    gives = (f"fixed fast vs never failed: satisfaction {d.loc['satisfaction', 'fixed_fast']:+.2f} "
             f"vs {d.loc['satisfaction', 'never_failed']:+.2f}; stayed a year "
             f"{d.loc['stayed', 'fixed_fast']:.2f} vs {d.loc['stayed', 'never_failed']:.2f}; "
             f"promoter weeks {d.loc['promoter weeks', 'fixed_fast']:.1f} vs "
             f"{d.loc['promoter weeks', 'never_failed']:.1f}")
    return Verdict(NAME, CITATION, PUBLISHED, gives, all(ok for _, _, ok in claims),
                   {"recovery_paradox": ("Recovery paradox: fixed fast vs never failed", table)},
                   claims)
