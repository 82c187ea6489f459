"""Experiments versus HiPPO (Kohavi et al. 2009): only about a third of ideas improve the
metric they target (0.1-0.4; fewer in mature products), and a leader who ships untested
ideas ships mostly neutral or harmful changes.

Measured over default CultureModel runs of five years: the share of the leaders' ideas
whose true effect is positive (model.ideas_helpful / model.ideas_total), and the share of
shipped ideas that help without any testing (experimentation = 0) and with every idea
tested (experimentation = 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.model import run

NAME = "ideas"
CITATION = "Kohavi et al. (2009)"
PUBLISHED = "about 1/3 of ideas improve their target metric (0.1-0.4)"
DEFAULT_REPS = 12
WEEKS = 260
LOW, HIGH = 0.1, 0.4


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict

    rows = []
    for label, params in (("default", {}), ("untested (HiPPO)", {"experimentation": 0.0}),
                          ("all tested", {"experimentation": 1.0})):
        models = [run(WEEKS, [seed, 2009, rep], customer_agents=False, **params) for rep in range(reps)]
        total = sum(m.ideas_total for m in models)
        helpful = sum(m.ideas_helpful for m in models)
        shipped = sum(m.ideas_shipped for m in models)
        shipped_helpful = sum(m.ideas_shipped_helpful for m in models)
        share = helpful / total if total else np.nan
        half = 1.96 * np.sqrt(share * (1 - share) / total) if total else np.nan
        rows.append({"culture": label, "helpful_share": share,
                     "shipped_helpful_share": shipped_helpful / shipped if shipped else np.nan,
                     "lo": share - half, "hi": share + half, "ideas": total, "shipped": shipped})
    table = pd.DataFrame(rows).set_index("culture")
    share = float(table.loc["default", "helpful_share"])
    hippo = float(table.loc["untested (HiPPO)", "shipped_helpful_share"])
    tested = float(table.loc["all tested", "shipped_helpful_share"])
    claims = [
        ("share of ideas that help, default culture, in 0.1-0.4", f"{share:.2f}",
         bool(LOW <= share <= HIGH)),
        ("untested ideas shipped are mostly neutral or harmful", f"{hippo:.0%} help",
         bool(hippo < 0.5)),
        ("testing with customers ships mostly helpful changes", f"{tested:.0%} help",
         bool(tested > 0.5)),
    ]
    gives = (f"{share:.2f} of ideas help ({int(table.loc['default', 'ideas'])} ideas); shipped "
             f"untested: {hippo:.0%} help, all tested: {tested:.0%}")
    return Verdict(NAME, CITATION, PUBLISHED, gives, all(ok for _, _, ok in claims),
                   {"ideas": ("Ideas that help: share by culture", table.reset_index())}, claims)
