"""Uncertainty, one way: the mean over replications with its Student-t confidence interval
(95% unless asked otherwise).  With fewer than two values there is no interval (NaN)."""

from __future__ import annotations

import numpy as np
from scipy import stats

LEVEL = 0.95


def half_width(sd, n, level: float = LEVEL):
    """Half the width of the t interval of a mean, from the sample SD and the count."""
    n = np.asarray(n, dtype=float)
    t = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
    return np.where(n > 1, t * np.asarray(sd, dtype=float) / np.sqrt(np.maximum(n, 1)), np.nan)


def mean_interval(values, axis: int = 0, level: float = LEVEL):
    """(mean, low, high) of ``values`` over ``axis``."""
    values = np.asarray(values, dtype=float)
    n = values.shape[axis]
    mean = values.mean(axis=axis)
    sd = values.std(axis=axis, ddof=1) if n > 1 else np.zeros_like(mean)
    half = half_width(sd, n, level)
    return mean, mean - half, mean + half
