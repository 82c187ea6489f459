"""From satisfaction to loyalty, churn and NPS.

Anchors: the satisfaction-to-loyalty curve is convex (Jones & Sasser 1995; the Xerox
finding in Heskett et al. 1994); high switching costs flatten it (hostages); NPS is
%promoters (9-10) minus %detractors (0-6) on a 0-10 scale (Reichheld 2003), an output.
"""

from __future__ import annotations

import numpy as np

# Yearly chance to stay at satisfaction 1..5 in a competitive market (DOMAIN.md section 5).
STAY_BY_LEVEL = np.array([0.05, 0.15, 0.30, 0.50, 0.90], np.float32)
WEEKS_PER_YEAR = 52
_STAY_STEP = np.diff(STAY_BY_LEVEL)


def level(satisfaction: np.ndarray) -> np.ndarray:
    """Satisfaction in [-1, 1] on the survey scale 1 (very dissatisfied) .. 5 (completely satisfied)."""
    return 1.0 + 2.0 * (np.asarray(satisfaction) + 1.0)


def yearly_stay(satisfaction: np.ndarray, switching_cost: float = 0.0) -> np.ndarray:
    """Chance to stay a year, the convex curve (linear between the five levels); switching
    costs lift the bottom (hostages)."""
    position = np.clip(level(satisfaction) - 1.0, 0.0, 4.0)
    floor = np.minimum(np.floor(position), 3)
    lower = floor.astype(np.intp)
    stay = STAY_BY_LEVEL[lower] + (position - floor) * _STAY_STEP[lower]
    return 1.0 - (1.0 - stay) * (1.0 - switching_cost)


def weekly_churn(satisfaction: np.ndarray, switching_cost: float, competition: float) -> np.ndarray:
    """Chance to leave this week; ``competition`` scales the pull of rivals (neutral 0)."""
    hazard = -np.expm1(np.log(yearly_stay(satisfaction, switching_cost)) / WEEKS_PER_YEAR)
    return np.clip(hazard * competition, 0.0, 1.0)


def recommend_score(satisfaction: np.ndarray) -> np.ndarray:
    """Answer to "how likely are you to recommend us?", 0..10."""
    return np.clip(np.rint(5.0 + 5.0 * np.asarray(satisfaction)), 0, 10)


def is_promoter(satisfaction: np.ndarray) -> np.ndarray:
    """recommend_score >= 9, without rounding every score (rint(x) >= 9 exactly when x > 8.5)."""
    return 5.0 + 5.0 * satisfaction > 8.5


def nps(scores: np.ndarray) -> float:
    """Net Promoter Score: %promoters (9-10) minus %detractors (0-6), -100..100."""
    if len(scores) == 0:
        return 0.0
    return float(100.0 * (np.mean(scores >= 9) - np.mean(scores <= 6)))
