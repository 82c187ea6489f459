"""Firms that perish: Kaplan-Meier survival with Greenwood intervals, and the Wilson
interval of a proportion.

Time to failure is the week a run's cash ran out (``perished_week``); a run that did not
perish is censored at its last week.  The Kaplan-Meier (1958) estimate is
S(t) = prod over event weeks t_i <= t of (1 - d_i / n_i), with n_i runs at risk and d_i
failures in week t_i.  Its 95% interval is Greenwood's (1926) variance on the log-log
scale (Kalbfleisch & Prentice 1980; the default of R's survival and of lifelines), which
stays inside [0, 1]: S^exp(+-z * sqrt(V) / log S), V = sum d_i / (n_i (n_i - d_i)).

The share of runs perished by a week is a proportion of independent runs: its interval is
Wilson's (1927) score interval, which stays inside [0, 1] and is not empty at 0 or n
(a t interval on 0/1 values is, and reaches below 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95


def wilson(successes, n, level: float = LEVEL):
    """(low, high) of Wilson's score interval for ``successes`` of ``n`` (NaN where n = 0)."""
    k, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        low, high = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def kaplan_meier(times, events, level: float = LEVEL) -> pd.DataFrame:
    """Kaplan-Meier estimate from ``times`` (week of failure, or of censoring) and ``events``
    (True: failed then; False: censored).  One row at time 0 and one per week with a
    failure: week, at_risk, events, survival, lo, hi (Greenwood, log-log)."""
    times = np.asarray(times, dtype=float)
    events = np.asarray(events, dtype=bool)
    z = stats.norm.ppf(0.5 + level / 2)
    rows = [{"week": 0, "at_risk": len(times), "events": 0, "survival": 1.0, "lo": 1.0, "hi": 1.0}]
    survival, greenwood = 1.0, 0.0
    for week in np.unique(times[events]):
        at_risk = int((times >= week).sum())
        failed = int(((times == week) & events).sum())
        survival *= 1 - failed / at_risk
        greenwood += failed / (at_risk * (at_risk - failed)) if at_risk > failed else np.inf
        if 0 < survival < 1:
            spread = z * np.sqrt(greenwood) / np.log(survival)
            lo, hi = survival ** np.exp(-spread), survival ** np.exp(spread)
        else:
            lo = hi = survival
        rows.append({"week": int(week), "at_risk": at_risk, "events": failed,
                     "survival": survival, "lo": float(lo), "hi": float(hi)})
    return pd.DataFrame(rows)


def failure_times(ends: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """One row per run: point, time (week perished, or last week run) and event (perished).
    From the ``perished_week`` column where the runs have it (manifest format 2), else from
    the last kept week (format 1 kept the week a firm perished as its last row)."""
    if "perished_week" in ends:
        event = ends["perished_week"].notna() & (ends["perished_week"] >= 0)
        time = ends["perished_week"].where(event, ends["week"])
    else:
        event = ends["week"] < weeks
        if "perished" in ends:
            event = event | (ends["perished"] > 0)
        time = ends["week"]
    return pd.DataFrame({"point": ends["point"].to_numpy(), "time": time.to_numpy(dtype=float),
                         "event": event.to_numpy(dtype=bool)})


def survival_table(ends: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """Kaplan-Meier survival per design point: week, point, at_risk, events, survival, lo, hi."""
    times = failure_times(ends, weeks)
    tables = [kaplan_meier(group.time, group.event).assign(point=point)
              for point, group in times.groupby("point", sort=True)]
    table = pd.concat(tables, ignore_index=True)
    return table[["week", "point", "at_risk", "events", "survival", "lo", "hi"]]
