"""Voice and silence (Milliken, Morrison & Hewlin 2003; Detert & Burris 2007): about 85% of
employees had held back a concern at least once (34 of 40 interviewed); a manager's
openness predicts voice.

Firms at five levels of humility run in CultureModel (the rest at defaults).  An employee
has a concern in a week when they know a need the leaders' view gets wrong (their belief
equals reality where the leaders' view does not) and withholds it when they do not speak
up that week (workforce.speak_up).  Counted over the second year, among employees who were
in the firm all that year and had a concern at least once.  Voice is the weekly share of
staff speaking up.  The speak-up rule itself rises with humility (from ``voice_floor``), so
the second claim checks the whole loop (being heard lifts morale, morale lifts voice); the
share who withheld comes out of the weekly voice, morale and what staff know.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.model import CultureModel
from ccsim.sweep.survival import wilson

NAME = "voice_climate"
CITATION = "Milliken, Morrison & Hewlin (2003); Detert & Burris (2007)"
PUBLISHED = "about 85% (34 of 40) had withheld a concern at least once; openness predicts voice"
DEFAULT_REPS = 4
HUMILITY = (0.1, 0.3, 0.5, 0.7, 0.9)
LOW = HUMILITY[0]          # a leader with little humility
WEEKS = 104                # counted in the second year
WITHHELD, ASKED = 34, 40   # Milliken et al. (2003)


def firm(humility: float, seed) -> dict:
    """One firm's second year: the share of staff who withheld a concern at least once,
    and the mean weekly share speaking up."""
    model = CultureModel(rng=seed, customer_agents=False, humility=humility)
    model.advance(WEEKS - 52)
    e = model.n_employees
    had, withheld, voice = np.zeros(e, bool), np.zeros(e, bool), []

    def week(m: CultureModel) -> None:
        knows = (m.beliefs[0] == m.reality[0]) & (m.code[0] != m.reality[0])
        concern = knows.any(axis=1)
        had[:] |= concern
        withheld[:] |= concern & ~m.speaking
        voice.append(float(m.speaking.mean()))

    model.advance(52, each_week=week)
    stayed = model.employee_tenure >= 52     # in the firm the whole year
    counted = stayed & had
    return {"humility": humility, "withheld": float(withheld[counted].mean()),
            "employees": int(counted.sum()), "voice": float(np.mean(voice))}


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict

    runs = pd.DataFrame([firm(h, [seed, 2003, i, rep]) for i, h in enumerate(HUMILITY)
                         for rep in range(reps)])
    table = runs.groupby("humility").agg(withheld=("withheld", "mean"), voice=("voice", "mean"),
                                         voice_sd=("voice", "std"),
                                         employees=("employees", "sum")).reset_index()
    lo, hi = (float(v) for v in wilson(WITHHELD, ASKED, 0.95))
    low = float(table.withheld.iloc[0])
    voice = table.voice.to_numpy()
    claims = [
        (f"under low humility ({LOW:g}) the share who withheld a concern at least once in a "
         f"year is within Milliken's {WITHHELD}/{ASKED} interval ({lo:.2f}-{hi:.2f})",
         f"{low:.2f} of {int(table.employees.iloc[0])} employees", bool(lo <= low <= hi)),
        ("voice rises with humility at every step",
         " < ".join(f"{v:.2f}" for v in voice), bool(np.all(np.diff(voice) > 0))),
    ]
    gives = (f"withheld at least once: {low:.0%} at humility {LOW:g}, "
             f"{table.withheld.iloc[-1]:.0%} at {HUMILITY[-1]:g}; weekly voice "
             f"{voice[0]:.2f} -> {voice[-1]:.2f}")
    return Verdict(NAME, CITATION, PUBLISHED, gives, all(ok for _, _, ok in claims),
                   {"voice_climate": ("Voice climate: withheld concerns and voice by humility",
                                      table)}, claims)
