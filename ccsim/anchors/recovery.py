"""Service recovery (TARP studies, practitioner figures): after a problem, repurchase is
highest when it is resolved quickly, lower when resolved slowly, lowest when not resolved;
on average not above never having failed.

Customers of a default firm after a year (CultureModel) each live one more episode built
by the model's service functions (service.routine_moment, service.problem_episodes),
remembered by memory.remember, folded into satisfaction by memory.update_satisfaction;
repurchase is their chance to stay a year at the model's weekly churn (loyalty.weekly_churn,
rivals' pull included), advocacy the share of
promoters (loyalty.recommend_score 9-10).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.dynamics import loyalty, memory, service
from ccsim.model import ACTIVE, CultureModel, run

NAME = "recovery"
CITATION = "TARP studies (practitioner figures); de Matos, Henrique & Rossi (2007)"
PUBLISHED = "repurchase: fixed fast 0.82 > fixed 0.54 > not fixed 0.19; none above never failing"
DEFAULT_REPS = 5
WEEKS = 52
OUTCOMES = {"fixed fast": service.FAST, "fixed slowly": service.SLOW,
            "not fixed": service.UNRESOLVED}


def satisfaction_after(model: CultureModel, who: np.ndarray, rng) -> dict[str, np.ndarray]:
    """Satisfaction of customers ``who`` after one more episode of each kind."""
    identity = rng.integers(0, model.n_identities, len(who))
    routine = service.routine_moment(model.base_quality, model.fits[who, identity],
                                     rng.standard_normal(len(who)), float(model.morale.mean()),
                                     model.engagement_weight, model.routine_noise, model.fit_weight)
    episodes = {"never failed": np.asarray(routine, float)[:, None]}
    for label, outcome in OUTCOMES.items():
        episodes[label] = service.problem_episodes(np.full(len(who), outcome, np.int8),
                                                    model.episode_moments)
    out = {}
    for label, moments in episodes.items():
        remembered = memory.remember(moments, model.negativity_weight, model.peak_weight,
                                     model.end_weight, model.duration_weight)
        out[label] = memory.update_satisfaction(model.satisfaction[who], remembered,
                                                model.memory_rate)
    return out


def episode_outcomes(model: CultureModel, rng) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(repurchase, promoter) per active customer after one more episode of each kind."""
    after = satisfaction_after(model, np.flatnonzero(model.status == ACTIVE), rng)
    return {label: ((1.0 - loyalty.weekly_churn(s, model.switching_cost, model.competition)) ** 52,
                    loyalty.recommend_score(s) >= 9) for label, s in after.items()}


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict
    from ccsim.anchors.march1991 import summary

    rng = np.random.default_rng([seed, 1986])
    collected: dict[str, list] = {}
    for rep in range(reps):
        model = run(WEEKS, rng=[seed, rep], customer_agents=False)
        for label, (stay, promoter) in episode_outcomes(model, rng).items():
            collected.setdefault(label, []).append((stay.mean(), promoter.mean()))
    rows = []
    for label, values in collected.items():
        values = np.array(values)
        stay = summary(values[:, 0])
        rows.append({"episode": label, "yearly_stay": stay["mean"], "stay_lo": stay["lo"],
                     "stay_hi": stay["hi"], "promoters": float(values[:, 1].mean())})
    table = pd.DataFrame(rows)
    stay = table.set_index("episode")["yearly_stay"]
    promoters = table.set_index("episode")["promoters"]
    claims = [
        ("repurchase: fixed fast > fixed slowly > not fixed",
         f"{stay['fixed fast']:.2f} > {stay['fixed slowly']:.2f} > {stay['not fixed']:.2f}",
         bool(stay["fixed fast"] > stay["fixed slowly"] > stay["not fixed"])),
        ("no recovery beats never failing (repurchase and advocacy)",
         f"never failed {stay['never failed']:.2f}, promoters {promoters['never failed']:.0%} "
         f"vs {promoters['fixed fast']:.0%} fixed fast",
         bool(stay["never failed"] >= stay["fixed fast"]
              and promoters["never failed"] >= promoters["fixed fast"])),
    ]
    gives = (f"yearly stay: never failed {stay['never failed']:.2f}, fixed fast "
             f"{stay['fixed fast']:.2f}, slowly {stay['fixed slowly']:.2f}, not fixed "
             f"{stay['not fixed']:.2f}")
    return Verdict(NAME, CITATION, PUBLISHED, gives, all(ok for _, _, ok in claims),
                   {"recovery": ("Recovery: yearly chance to stay after one episode", table)}, claims)
