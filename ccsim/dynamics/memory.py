"""Emotion and memory: how an episode is remembered and how memories make satisfaction.

Anchors: peak-end rule and duration neglect (Kahneman et al. 1993; Redelmeier & Kahneman
1996); negativity bias / loss aversion, a bad moment weighs about twice a good one
(Tversky & Kahneman 1992; meta-analysis 1.96).
"""

from __future__ import annotations

import numpy as np


def weigh(moments: np.ndarray, negativity: float) -> np.ndarray:
    """Moments in [-1, 1] as felt: negative ones multiplied by ``negativity`` (neutral 1)."""
    return np.where(moments < 0, moments * negativity, moments)


def remember(
    moments: np.ndarray,
    negativity: float = 2.0,
    peak: float = 0.35,
    end: float = 0.35,
    duration: float = 0.0,
) -> np.ndarray:
    """Remembered value of episodes, one per row of ``moments`` (NaN pads short episodes).

    memory = peak * most intense moment + end * last moment + (1 - peak - end) * mean
             + duration * sum of moments.
    With duration = 0 (duration neglect) a longer episode counts only through its mean;
    adding a milder ending to a bad episode improves the memory (Kahneman et al. 1993).
    """
    felt = weigh(np.atleast_2d(np.asarray(moments, dtype=float)), negativity)
    peak_value, end_value, total = (np.zeros(len(felt)) for _ in range(3))
    length = np.zeros(len(felt), np.int64)
    for column in felt.T:     # a few moments per episode, many episodes: walk the moments
        present = ~np.isnan(column)
        value = np.where(present, column, 0.0)
        peak_value = np.where(np.abs(value) > np.abs(peak_value), value, peak_value)  # first peak
        end_value = np.where(present, value, end_value)
        total += value
        length += present
    mean_value = total / np.maximum(length, 1)
    mean_weight = max(0.0, 1.0 - peak - end)
    return peak * peak_value + end * end_value + mean_weight * mean_value + duration * total


def remember_moment(values: np.ndarray, negativity: float = 2.0, peak: float = 0.35,
                    end: float = 0.35, duration: float = 0.0) -> np.ndarray:
    """remember() for one-moment episodes (peak = end = mean = the moment), without padding."""
    return weigh(values, negativity) * (peak + end + max(0.0, 1.0 - peak - end) + duration)


def update_satisfaction(satisfaction: np.ndarray, remembered: np.ndarray, rate: float) -> np.ndarray:
    """Move satisfaction (in [-1, 1]) toward the remembered episode by ``rate``."""
    return np.clip((1.0 - rate) * satisfaction + rate * remembered, -1.0, 1.0)
