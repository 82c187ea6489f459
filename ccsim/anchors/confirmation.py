"""Confirmation bias (Rabin & Schrag 1999): above a threshold of misread evidence, some
believers lock into a wrong belief despite unlimited data; tracking removes it.

Runs the model's learning kernel (learning.turnover and learning.period with ``misread``,
as CultureModel runs it with misread = MISREAD x (1 - accountability)) at the defaults of
conformity (p1), humility (p2) and n_needs (m), everyone heard, March's n = 50.  The
leaders' view starts as CultureModel's does, from the offering: INITIAL_MATCH of the
needs right, the rest wrong (believers).  Two settings: unlimited data (turnover at its
default brings newcomers with fresh views every period, for PERIODS periods) and data that
dry up (no turnover: staff conform until no one beats the code, March's equilibrium, after
which nothing changes; the run stops there).  A need is locked wrong when the code holds the
opposite of reality on it at the end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.dynamics import learning
from ccsim.model import INITIAL_MATCH, MISREAD
from ccsim.params import PARAMS

NAME = "confirmation"
CITATION = "Rabin & Schrag (1999)"
PUBLISHED = ("above a threshold of misread evidence some believers lock into a wrong "
             "belief despite unlimited data; tracking removes it")
DEFAULT_REPS = 150
PERIODS = 2000
EARLY = 200                     # a period at which learning is well under way
INDIVIDUALS = 50                # March (1991)
ACCOUNTABILITY = (1.0, PARAMS["accountability"].default, 0.0)
MISREADS = tuple(MISREAD * (1 - a) for a in ACCOUNTABILITY) + (0.4, 0.6)   # 0-0.6: Rabin & Schrag
SOME = 0.05                     # "some believers": at least this share of replications


def run(misread: float, turnover: float, reps: int, rng) -> dict:
    """``reps`` replications: the mean number of needs the code holds wrong at the end and
    at period EARLY, and the shares of replications with any need wrong at the end and at
    March's equilibrium (where nothing can change any more)."""
    m = PARAMS["n_needs"].default
    p1, p2 = PARAMS["conformity"].default, PARAMS["humility"].default
    reality = learning.random_reality((reps, m), rng)
    code = np.where(rng.random((reps, m)) < INITIAL_MATCH, reality, -reality).astype(np.int8)
    beliefs = learning.random_beliefs((reps, INDIVIDUALS, m), rng)
    for t in range(1, PERIODS + 1):
        learning.turnover(beliefs, turnover, rng)
        learning.period(reality, code, beliefs, p1, p2, rng, misread=misread)
        if t == EARLY:
            early = float(np.count_nonzero(code == -reality) / reps)
        settled = not turnover and t % EARLY == 0
        if settled and learning.at_equilibrium(reality, code, beliefs).all():
            break                       # without turnover nothing changes after equilibrium
    wrong = code == -reality
    return {"wrong_needs_end": float(wrong.sum(axis=1).mean()), "wrong_needs_early": early,
            "locked_reps": float(wrong.any(axis=1).mean()),
            "at_equilibrium": float(learning.at_equilibrium(reality, code, beliefs).mean())}


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict

    rows = []
    accountability = ACCOUNTABILITY + (np.nan,) * (len(MISREADS) - len(ACCOUNTABILITY))
    for data, turnover in (("unlimited", PARAMS["turnover"].default), ("dry up", 0.0)):
        for i, misread in enumerate(MISREADS):
            rng = np.random.default_rng([seed, 1999, i, int(turnover > 0)])
            rows.append({"setting": f"{data}, misread {misread:.2g}",
                         **run(misread, turnover, reps, rng), "data": data,
                         "misread": round(misread, 3), "accountability": accountability[i]})
    table = pd.DataFrame(rows)
    unlimited = table[table.data == "unlimited"].set_index("misread")
    dry = table[table.data == "dry up"].set_index("misread")
    tracked = MISREADS[0]
    biased = unlimited.drop(index=tracked)
    worst = float(biased.locked_reps.max())
    claims = [
        (f"with unlimited data, some misread in {MISREADS[1]:.2g}-{MISREADS[-1]:g} leaves at "
         f"least {SOME:.0%} of replications locked wrong after {PERIODS} periods",
         f"at most {worst:.1%} (misread 0.6: {unlimited.locked_reps.iloc[-1]:.1%})",
         bool(worst >= SOME)),
        ("with unlimited data, tracking (misread 0) leaves no replication locked wrong",
         f"{unlimited.locked_reps[tracked]:.1%}", bool(unlimited.locked_reps[tracked] == 0)),
    ]
    m = PARAMS["n_needs"].default
    gives = (f"unlimited data: locked wrong {unlimited.locked_reps[tracked]:.0%} of replications "
             f"at misread 0, {unlimited.locked_reps.iloc[-1]:.0%} at 0.6 (needs wrong of {m} at "
             f"period {EARLY}: {unlimited.wrong_needs_early[tracked]:.2f} -> "
             f"{unlimited.wrong_needs_early.iloc[-1]:.2f}); data dry up: "
             f"{dry.locked_reps[tracked]:.0%} locked at misread 0, needs wrong "
             f"{dry.wrong_needs_end[tracked]:.1f} -> {dry.wrong_needs_end.iloc[-1]:.1f} at 0.6")
    title = "Confirmation bias: needs the code holds wrong, by misread evidence"
    return Verdict(NAME, CITATION, PUBLISHED, gives, all(ok for _, _, ok in claims),
                   {"confirmation": (title, table)}, claims)
