"""Firms that perish: Kaplan-Meier survival with Greenwood intervals and the median time to
failure, by scipy; the Wilson interval of a proportion.

Time to failure is the week a run's cash ran out (``perished_week``); a run that did not
perish is censored at its last week.  The Kaplan-Meier (1958) estimate and its 95% interval
(Greenwood's 1926 variance on the log-log scale, Kalbfleisch & Prentice 1980, which stays
inside [0, 1]; the default of R's survival and of lifelines) are scipy's
(``scipy.stats.ecdf`` on right-censored data, ``confidence_interval(method="log-log")``).
lifelines 0.30 gives the same numbers but requires pandas < 3, so it is not used.  Where
every firm at risk has perished (S = 0) the log-log interval is undefined; it is shown as
[0, 0], as lifelines does.

The median time to failure is the first week at which the estimate is at or below 0.5, and
its interval the first weeks at which the band's lower and upper limits are (Brookmeyer &
Crowley 1982, read off the pointwise band as R's survfit and lifelines'
``median_survival_times`` do); NaN where the curve never gets there within the runs.

The share of runs perished by a week is a proportion of independent runs: its interval is
Wilson's (1927) score interval, which stays inside [0, 1] and is not empty at 0 or n
(a t interval on 0/1 values is, and reaches below 0).
"""

from __future__ import annotations

import warnings

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
    """scipy's Kaplan-Meier estimate from ``times`` (week of failure, or of censoring) and
    ``events`` (True: failed then; False: censored).  One row at time 0 and one per week with
    a failure: week, at_risk, events, survival, lo, hi (Greenwood, log-log)."""
    times = np.asarray(times, dtype=float)
    events = np.asarray(events, dtype=bool)
    weeks = np.unique(times[events])
    table = pd.DataFrame({"week": np.r_[0, weeks].astype(int),
                          "at_risk": [int((times >= week).sum()) for week in [0, *weeks]],
                          "events": [0, *(int(((times == week) & events).sum()) for week in weeks)],
                          "survival": 1.0, "lo": 1.0, "hi": 1.0})
    if len(weeks):
        fitted = stats.ecdf(stats.CensoredData(uncensored=times[events], right=times[~events])).sf
        with warnings.catch_warnings():    # undefined where S = 0 (NaN; set to 0 below)
            warnings.filterwarnings("ignore", "The confidence interval is undefined", RuntimeWarning)
            band = fitted.confidence_interval(level, method="log-log")
        survival = fitted.evaluate(weeks)
        table.loc[1:, "survival"] = survival
        table.loc[1:, "lo"] = np.where(survival > 0, band.low.evaluate(weeks), 0.0)
        table.loc[1:, "hi"] = np.where(survival > 0, band.high.evaluate(weeks), 0.0)
    return table


def median_time(table: pd.DataFrame) -> tuple[float, float, float]:
    """(median, lo, hi) time to failure from a ``kaplan_meier`` table: the first week at which
    the survival, its band's lower limit (lo) and its upper limit (hi) are at or below 0.5;
    NaN where the curve never gets there."""
    def first(column):
        weeks = table.week[table[column] <= 0.5]
        return float(weeks.iloc[0]) if len(weeks) else np.nan

    return first("survival"), first("lo"), first("hi")


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


def survival_table(times: pd.DataFrame) -> pd.DataFrame:
    """Kaplan-Meier survival per design point from ``failure_times``: week, point, at_risk,
    events, survival, lo, hi."""
    tables = [kaplan_meier(group.time, group.event).assign(point=point)
              for point, group in times.groupby("point", sort=True)]
    table = pd.concat(tables, ignore_index=True)
    return table[["week", "point", "at_risk", "events", "survival", "lo", "hi"]]


def time_to_failure(times: pd.DataFrame, survival: pd.DataFrame) -> pd.DataFrame:
    """Per design point: runs, perished, the share perished with Wilson's interval (share_lo,
    share_hi) and the median time to failure with its interval (median, median_lo,
    median_hi), from ``failure_times`` and their ``survival_table``."""
    grouped = times.groupby("point").event
    table = pd.DataFrame({"runs": grouped.size(), "perished": grouped.sum()})
    table["share"] = table.perished / table.runs
    table["share_lo"], table["share_hi"] = wilson(table.perished, table.runs)
    medians = {point: median_time(part) for point, part in survival.groupby("point")}
    table[["median", "median_lo", "median_hi"]] = [medians[point] for point in table.index]
    return table.reset_index()
