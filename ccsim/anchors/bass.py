"""Bass (1969) diffusion docking: word of mouth alone, in a fully mixed population.

Runs the model's word-of-mouth functions (ccsim.dynamics.wom: talkers, heard with no
network, adoption_chance) with every adopter talking each period, and compares the share
adopted with the discrete Bass recursion (wom.bass_recursion).  p = 0.03, q = 0.38: the
typical values of Sultan, Farley & Lehmann (1990).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.dynamics import wom
from ccsim.intervals import mean_interval

NAME = "bass"
CITATION = "Bass (1969); Sultan, Farley & Lehmann (1990)"
PUBLISHED = "adoption follows F(t+1) = F + (p + qF)(1 - F), p = 0.03, q = 0.38"
DEFAULT_REPS = 20
P, Q = 0.03, 0.38
POPULATION = 10_000
PERIODS = 30
TOLERANCE = 0.015   # largest allowed gap between mean simulated share and the recursion


def diffuse(weights, n: int, p: float, q: float, periods: int,
            rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word of mouth alone: every adopter talks each period; a non-adopter adopts with the
    model's adoption chance.  ``weights``: None (fully mixed), a contact_weights matrix, or
    a tuple of parts that add up to one.  Returns the share adopted after each period
    (periods + 1,); per period, the adoptions that advertising alone would have brought
    (draw < p); and per period and part, the adoptions credited to word of mouth over that
    part (each adopter's q x heard over the part / adoption hazard), (periods, parts)."""
    parts = weights if isinstance(weights, tuple) else (weights,)
    adopted = np.zeros(n, bool)
    share = np.zeros(periods + 1)
    by_ads = np.zeros(periods, int)
    credit = np.zeros((periods, len(parts)))
    nobody = np.empty(0, np.int64)
    for t in range(periods):
        recommend, _ = wom.talkers(np.flatnonzero(adopted), nobody, 1.0, 0.0,
                                   rng.random(n), np.empty(0))
        waiting = np.flatnonzero(~adopted)
        heard = np.array([wom.heard(part, recommend, n)[waiting] for part in parts])
        positive = heard.sum(axis=0)
        chance = wom.adoption_chance(positive, np.zeros(len(waiting)), p, q, 0.0)   # no warnings
        draw = rng.random(len(waiting))
        new = draw < chance
        adopted[waiting[new]] = True
        by_ads[t] = int(np.count_nonzero(draw < min(p, 1.0)))
        credit[t] = (q * heard[:, new] / (p + q * positive[new])).sum(axis=1)
        share[t + 1] = adopted.mean()
    return share, by_ads, credit


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict

    rng = np.random.default_rng([seed, 1969])
    runs = np.array([diffuse(None, POPULATION, P, Q, PERIODS, rng)[0] for _ in range(reps)])
    target = wom.bass_recursion(P, Q, PERIODS)
    mean, lo, hi = mean_interval(runs)
    gap = float(np.max(np.abs(mean - target)))
    peak_sim = int(np.argmax(np.diff(mean))) + 1
    peak_bass = int(np.argmax(np.diff(target))) + 1
    table = pd.DataFrame({"period": np.arange(PERIODS + 1), "bass": target, "mean": mean,
                          "lo": lo, "hi": hi})
    gives = (f"largest gap to the Bass curve {gap:.4f} over {PERIODS} periods; sales peak at "
             f"period {peak_sim} (Bass {peak_bass})")
    return Verdict(NAME, CITATION, PUBLISHED, gives, gap < TOLERANCE and abs(peak_sim - peak_bass) <= 1,
                   {"bass": ("Bass docking: share adopted (p=0.03, q=0.38)", table)})
