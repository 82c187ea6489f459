"""From satisfaction to loyalty, churn and NPS.

Anchors: the satisfaction-to-loyalty curve is convex (Jones & Sasser 1995; the Xerox
finding in Heskett et al. 1994); high switching costs flatten it (hostages); NPS is
%promoters (9-10) minus %detractors (0-6) on a 0-10 scale (Reichheld 2003), an output.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

# Yearly chance to stay at satisfaction 1..5 in a competitive market (Jones & Sasser 1995).
STAY_BY_LEVEL = np.array([0.05, 0.15, 0.30, 0.50, 0.90], np.float32)
WEEKS_PER_YEAR = 52
_STAY_STEP = np.append(np.diff(STAY_BY_LEVEL), np.float32(0))
TABLE_STEPS = 4096        # weekly churn is tabulated on this grid of satisfaction (error < 1e-7)
# Satisfaction is float32; as float32, a score of 9-10 is exactly s > 0.7 and a score of
# 0-6 exactly s < 0.3 (float32(0.3) lies above 0.3, whose score 6.5 rounds to 6).
PROMOTER = np.float32(0.7)
DETRACTOR = np.float32(0.3)


def level(satisfaction: np.ndarray) -> np.ndarray:
    """Satisfaction in [-1, 1] on the survey scale 1 (very dissatisfied) .. 5 (completely satisfied)."""
    return 1.0 + 2.0 * (np.asarray(satisfaction) + 1.0)


def yearly_stay(satisfaction: np.ndarray, switching_cost: float = 0.0) -> np.ndarray:
    """Chance to stay a year, the convex curve (linear between the five levels); switching
    costs lift the bottom (hostages)."""
    position = np.clip(level(satisfaction) - 1.0, 0.0, 4.0)
    return 1.0 - (1.0 - _interpolate(STAY_BY_LEVEL, _STAY_STEP, position)) * (1.0 - switching_cost)


def mean_yearly_stay(satisfaction: np.ndarray, switching_cost: float = 0.0) -> float:
    """yearly_stay(satisfaction, switching_cost).mean() without a value per customer: the
    curve is the stay at level 1 plus, for each step between levels, the step times the
    share of it a customer has climbed, so its mean is made of the mean shares."""
    if len(satisfaction) == 0:
        return 0.0
    position = (np.asarray(satisfaction, np.float32) + np.float32(1)) * np.float32(2)   # level - 1
    return stay_of_shares([float(np.clip(position - np.float32(k), 0, 1).mean()) for k in range(4)],
                          switching_cost)


def stay_of_shares(climbed, switching_cost: float) -> float:
    """mean_yearly_stay from the mean share climbed of each of the four steps between levels."""
    stay = float(STAY_BY_LEVEL[0]) + sum(float(step) * share for step, share in zip(_STAY_STEP, climbed))
    return 1.0 - (1.0 - stay) * (1.0 - switching_cost)


def weekly_churn(satisfaction: np.ndarray, switching_cost: float, competition: float) -> np.ndarray:
    """Chance to leave this week, 1 - yearly_stay ** (1/52); ``competition`` scales the pull
    of rivals (neutral 0).  Read off a table made once per switching cost, because a
    logarithm per customer per week was the model's largest single cost."""
    hazard, step = _churn_table(float(switching_cost))
    position = (np.asarray(satisfaction, np.float32) + np.float32(1)) * np.float32(TABLE_STEPS / 2)
    np.clip(position, 0, TABLE_STEPS, out=position)
    return np.clip(_interpolate(hazard, step, position) * np.float32(competition), 0.0, 1.0)


@lru_cache(maxsize=16)
def _churn_table(switching_cost: float) -> tuple[np.ndarray, np.ndarray]:
    """Weekly churn at TABLE_STEPS + 1 points of satisfaction from -1 to 1, and the steps between."""
    grid = np.linspace(-1.0, 1.0, TABLE_STEPS + 1)
    hazard = -np.expm1(np.log(yearly_stay(grid, switching_cost)) / WEEKS_PER_YEAR)
    return hazard.astype(np.float32), np.append(np.diff(hazard), 0.0).astype(np.float32)


def _interpolate(values: np.ndarray, steps: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Linear interpolation in a table at ``position`` in [0, len(values) - 1]: the value at
    the whole part plus the fraction of the step to the next point (the last step is 0)."""
    floor = np.floor(position)
    whole = floor.astype(np.intp)
    return values[whole] + (position - floor) * steps[whole]


def recommend_score(satisfaction: np.ndarray) -> np.ndarray:
    """Answer to "how likely are you to recommend us?", 0..10."""
    exact = np.asarray(satisfaction, np.float32).astype(np.float64)   # 5 + 5 s is exact in float64
    return np.clip(np.rint(5.0 + 5.0 * exact), 0, 10)


def is_promoter(satisfaction: np.ndarray) -> np.ndarray:
    """recommend_score >= 9, without computing every score."""
    return np.asarray(satisfaction, np.float32) > PROMOTER


def satisfaction_nps(satisfaction: np.ndarray) -> float:
    """nps(recommend_score(satisfaction)), counted by thresholds instead of scores."""
    if len(satisfaction) == 0:
        return 0.0
    satisfaction = np.asarray(satisfaction, np.float32)
    return nps_of_counts(np.count_nonzero(satisfaction > PROMOTER), np.count_nonzero(satisfaction < DETRACTOR),
                         len(satisfaction))


def nps_of_counts(promoters: int, detractors: int, customers: int) -> float:
    """satisfaction_nps from the counts of promoters and detractors among ``customers``."""
    return 100.0 * (promoters - detractors) / customers


def nps(scores: np.ndarray) -> float:
    """Net Promoter Score: %promoters (9-10) minus %detractors (0-6), -100..100."""
    if len(scores) == 0:
        return 0.0
    return float(100.0 * (np.mean(scores >= 9) - np.mean(scores <= 6)))
