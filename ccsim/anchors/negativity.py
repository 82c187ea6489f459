"""Negativity bias (Tversky & Kahneman 1992; meta-analysis about 1.96): a bad experience
moves a customer about twice as much as a good one of the same size.

Measured through the model's memory and satisfaction (memory.remember and
memory.update_satisfaction with the PARAMS defaults): the change in satisfaction after a
good and after a bad episode of equal size, each against a neutral episode.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.dynamics import memory
from ccsim.params import PARAMS

NAME = "negativity"
CITATION = "Tversky & Kahneman (1992); negativity meta-analysis (1.96)"
PUBLISHED = "a bad experience weighs about twice a good one (1.5-2.5)"
DEFAULT_REPS = 1
LOW, HIGH = 1.5, 2.5
SIZES = (0.1, 0.2, 0.3)
START = 0.2   # a mildly satisfied customer


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict

    d = {k: PARAMS[k].default for k in ("negativity_weight", "peak_weight", "end_weight",
                                        "duration_weight", "memory_rate")}
    rows = []
    for size in SIZES:
        episodes = np.array([[size], [0.0], [-size]])
        remembered = memory.remember(episodes, d["negativity_weight"], d["peak_weight"],
                                     d["end_weight"], d["duration_weight"])
        good, neutral, bad = memory.update_satisfaction(np.full(3, START), remembered,
                                                        d["memory_rate"])
        rows.append({"size": size, "good": good - neutral, "bad": bad - neutral,
                     "ratio": (neutral - bad) / (good - neutral)})
    table = pd.DataFrame(rows)
    ratio = float(table["ratio"].mean())
    gives = f"bad/good change in satisfaction = {ratio:.2f} (weight {d['negativity_weight']:g})"
    return Verdict(NAME, CITATION, PUBLISHED, gives, LOW <= ratio <= HIGH,
                   {"negativity": ("Negativity: change in satisfaction after one episode", table)})
