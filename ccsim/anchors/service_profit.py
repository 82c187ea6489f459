"""Service-profit chain (Heskett et al. 1994; Harter et al. 2002): across firms or units,
employee engagement and customer satisfaction correlate positively but modestly
(r about 0.3, range 0.2-0.45), not 0.9.

Simulated firms with varied culture (every culture trait drawn uniformly from [0, 1]) run
two years in CultureModel; engagement is the staff's mean morale and satisfaction the
customers' mean satisfaction, both averaged over the last half year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.model import run
from ccsim.params import CULTURE_TRAITS

NAME = "service_profit"
CITATION = "Heskett et al. (1994); Harter, Schmidt & Hayes (2002)"
PUBLISHED = "engagement vs customer satisfaction across units: r about 0.3 (0.2-0.45)"
DEFAULT_REPS = 100
WEEKS = 104
LAST = 26
LOW, HIGH = 0.2, 0.45


def firms(reps: int, seed: int) -> pd.DataFrame:
    """One row per simulated firm: its culture, morale and satisfaction."""
    rng = np.random.default_rng([seed, 1994])
    rows = []
    for rep in range(reps):
        culture = {trait: float(rng.random()) for trait in CULTURE_TRAITS}
        model = run(WEEKS, [seed, 1994, rep], customer_agents=False, **culture)
        last = model.dataframe().iloc[-LAST:]
        rows.append({**culture, "morale": float(last.morale.mean()),
                     "satisfaction": float(last.satisfaction.mean()),
                     "perished": bool(model.perished)})
    return pd.DataFrame(rows)


def correlation(x, y) -> tuple[float, float, float]:
    """Pearson r with a 95% interval (Fisher z)."""
    r = float(np.corrcoef(x, y)[0, 1])
    half = 1.96 / np.sqrt(max(len(x) - 3, 1))
    z = np.arctanh(np.clip(r, -0.999999, 0.999999))
    return r, float(np.tanh(z - half)), float(np.tanh(z + half))


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict

    table = firms(reps, seed)
    r, lo, hi = correlation(table.morale, table.satisfaction)
    gives = f"r = {r:.2f} (95% CI {lo:.2f} to {hi:.2f}) over {reps} firms"
    return Verdict(NAME, CITATION, PUBLISHED, gives, bool(LOW <= r <= HIGH),
                   {"service_profit": ("Service-profit chain: morale vs satisfaction by firm", table)})
