"""Satisfaction to loyalty is convex (Jones & Sasser 1995; Xerox in Heskett et al. 1994).

Customers held at each satisfaction level 1..5 face the model's weekly churn
(loyalty.weekly_churn, competition 1) for 52 weeks; the share still there is their yearly
retention.  "Completely satisfied" (5) against "satisfied" (4): odds of staying 3 to 10
times higher.  With high switching costs (hostages) the curve is flatter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.dynamics import loyalty

NAME = "loyalty_curve"
CITATION = "Jones & Sasser (1995); Heskett et al. (1994)"
PUBLISHED = "odds of staying, completely satisfied vs satisfied: 3 to 10; flatter with switching costs"
DEFAULT_REPS = 20
CUSTOMERS = 1000          # per level and replication
HOSTAGE_COST = 0.6
LEVELS = np.arange(1, 6)


def retention(switching_cost: float, reps: int, rng) -> np.ndarray:
    """Share of customers at each level 1..5 still there after a year of weekly churn."""
    satisfaction = np.repeat((LEVELS - 1) / 2.0 - 1.0, CUSTOMERS * reps)
    staying = np.ones(len(satisfaction), bool)
    churn = loyalty.weekly_churn(satisfaction, switching_cost, 1.0)
    for _ in range(loyalty.WEEKS_PER_YEAR):
        staying &= rng.random(len(satisfaction)) >= churn
    return staying.reshape(len(LEVELS), -1).mean(axis=1)


def _odds(p: float) -> float:
    return p / (1.0 - p) if p < 1 else float("inf")


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict

    rng = np.random.default_rng([seed, 1995])
    free, hostage = retention(0.0, reps, rng), retention(HOSTAGE_COST, reps, rng)
    table = pd.DataFrame({"level": LEVELS, "stay": free, f"stay_switching_{HOSTAGE_COST:g}": hostage})
    ratio = _odds(free[4]) / _odds(free[3])
    ratio_hostage = _odds(hostage[4]) / _odds(hostage[3])
    convex = bool(free[4] - free[3] > free[3] - free[2] > 0)
    claims = [
        ("odds of staying, level 5 vs 4, between 3 and 10", f"{ratio:.1f}", bool(3 <= ratio <= 10)),
        ("the curve rises most at the top (convex)",
         f"4->5: +{free[4] - free[3]:.2f}, 3->4: +{free[3] - free[2]:.2f}", convex),
        (f"hostages (switching cost {HOSTAGE_COST:g}): level 2 already above 0.6, flatter top",
         f"level 2 stays {hostage[1]:.2f}; odds ratio {ratio_hostage:.1f}",
         bool(hostage[1] > 0.6 and ratio_hostage < ratio)),
    ]
    gives = (f"yearly stay by level {', '.join(f'{s:.2f}' for s in free)}; odds 5 vs 4 = "
             f"{ratio:.1f}; hostages: level 2 {hostage[1]:.2f}")
    return Verdict(NAME, CITATION, PUBLISHED, gives, all(ok for _, _, ok in claims),
                   {"loyalty_curve": ("Yearly retention by satisfaction level", table)}, claims)
