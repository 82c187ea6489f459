"""Peak-end rule and duration neglect (Kahneman et al. 1993; Redelmeier & Kahneman 1996).

The cold-hand experiment in the model's memory (ccsim.dynamics.memory.remember, default
weights from PARAMS): a short painful episode against the same episode followed by a
milder, still unpleasant stretch.  Moments are 10-second slices on the model's -1..1 scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.dynamics import memory
from ccsim.params import PARAMS

NAME = "peak_end"
CITATION = "Kahneman et al. (1993); Redelmeier & Kahneman (1996)"
PUBLISHED = ("a longer episode with a milder end is remembered as less bad (69% chose to "
             "repeat the long trial); length barely counts")
DEFAULT_REPS = 1
PAIN, MILDER = -0.8, -0.5
SHORT = [PAIN] * 6                 # 60 s of cold water
LONG = SHORT + [MILDER] * 3        # the same, then 30 s slightly warmer


def _remember(episodes: list[list[float]], duration: float) -> np.ndarray:
    width = max(len(e) for e in episodes)
    moments = np.full((len(episodes), width), np.nan)
    for row, episode in enumerate(episodes):
        moments[row, :len(episode)] = episode
    weights = {k: PARAMS[k].default for k in ("negativity_weight", "peak_weight", "end_weight")}
    return memory.remember(moments, weights["negativity_weight"], weights["peak_weight"],
                           weights["end_weight"], duration)


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict

    rows = []
    for duration in (PARAMS["duration_weight"].default, PARAMS["duration_weight"].hi):
        short, long_, brief, drawn_out = _remember(
            [SHORT, LONG, [MILDER] * 3, [MILDER] * 12], duration)
        rows.append({"duration_weight": duration, "short_60s": short, "long_90s": long_,
                     "mild_30s": brief, "mild_120s": drawn_out})
    table = pd.DataFrame(rows)
    default, highest = rows
    claims = [
        ("the long trial with a milder end is remembered as less bad",
         f"{default['long_90s']:.2f} vs {default['short_60s']:.2f}",
         bool(default["long_90s"] > default["short_60s"])),
        ("... also at the largest allowed duration weight",
         f"{highest['long_90s']:.2f} vs {highest['short_60s']:.2f}",
         bool(highest["long_90s"] > highest["short_60s"])),
        ("duration neglect: 4x as long a mild episode is remembered the same (default)",
         f"{default['mild_120s']:.2f} vs {default['mild_30s']:.2f}",
         bool(np.isclose(default["mild_120s"], default["mild_30s"]))),
    ]
    gives = (f"memory of 60 s pain {default['short_60s']:.2f}, with 30 s milder end "
             f"{default['long_90s']:.2f}; 30 s vs 120 s mild: {default['mild_30s']:.2f} vs "
             f"{default['mild_120s']:.2f}")
    return Verdict(NAME, CITATION, PUBLISHED, gives, all(ok for _, _, ok in claims),
                   {"peak_end": ("Peak-end: remembered value of episodes", table)}, claims)
