"""Analysis of a finished (or partly finished) sweep: tidy tables and sensitivity indices.

Tables are tidy (one observation per row): ``end_values`` (one row per run: its last kept
week), ``points`` (per design point and metric: n, mean, sd, 95% confidence interval of
the mean over replications, Student t; for ``perished``, a proportion of runs, Wilson's
interval), ``timeseries`` (the same per kept week; a firm that perished is in every week,
closed: ccsim.sweep.worker.CLOSED).
Sensitivity: Sobol first-order and total indices (Saltelli's estimators) or Morris mu* and
sigma, from SALib, on each point's mean over replications, with SALib's bootstrap 95%
confidence intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.intervals import half_width
from ccsim.sweep.designs import Design
from ccsim.sweep.survival import wilson

CONF_LEVEL = 0.95
RESAMPLES = 200


def end_values(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run: the values at its last kept week (``week`` = weeks it ran)."""
    return runs.groupby("run", sort=True).tail(1).reset_index(drop=True)


def summarise(frame: pd.DataFrame, keys: list[str], metrics: list[str]) -> pd.DataFrame:
    """Per group of ``keys`` and metric: n, mean, sd, ci_lo, ci_hi (95% CI of the mean)."""
    long = frame.melt(id_vars=keys, value_vars=metrics, var_name="metric")
    grouped = long.groupby([*keys, "metric"], sort=False)["value"]
    table = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    half = half_width(table["sd"], table["n"], CONF_LEVEL)
    table["ci_lo"] = table["mean"] - half
    table["ci_hi"] = table["mean"] + half
    share = table["metric"] == "perished"      # a proportion of runs: Wilson, not t
    if share.any():
        lo, hi = wilson(table.loc[share, "mean"] * table.loc[share, "n"], table.loc[share, "n"],
                        CONF_LEVEL)
        table.loc[share, "ci_lo"], table.loc[share, "ci_hi"] = lo, hi
    return table


def point_means(ends: pd.DataFrame, metric: str, n_points: int) -> np.ndarray:
    """Mean end value per design point in design order (NaN where no run finished)."""
    means = ends.groupby("point")[metric].mean()
    return means.reindex(range(n_points)).to_numpy()


def sensitivity(design: Design, ends: pd.DataFrame, metrics: list[str],
                seed: int) -> tuple[pd.DataFrame | None, pd.DataFrame | None, str]:
    """Sobol or Morris indices per metric and factor; Sobol second-order indices per metric
    and pair of factors when the design has them (else None); or (None, None, reason)."""
    if design.kind not in ("sobol", "morris"):
        return None, None, f"a {design.kind} design gives no sensitivity indices (use sobol or morris)"
    rows, pairs = [], []
    for metric in metrics:
        Y = point_means(ends, metric, len(design.points))
        if np.isnan(Y).any():
            missing = int(np.isnan(Y).sum())
            return None, None, f"{missing} design points have no finished run; finish the sweep first"
        if design.kind == "sobol":
            from SALib.analyze import sobol

            S = sobol.analyze(design.problem, Y, calc_second_order=design.options["second_order"],
                              num_resamples=RESAMPLES, conf_level=CONF_LEVEL, seed=seed)
            columns = ("S1", "S1_conf", "ST", "ST_conf")
            if "S2" in S:
                k = len(design.names)
                pairs += [{"metric": metric, "factor_a": design.names[a], "factor_b": design.names[b],
                           "S2": float(S["S2"][a, b]), "S2_conf": float(S["S2_conf"][a, b])}
                          for a in range(k) for b in range(a + 1, k)]
        else:
            from SALib.analyze import morris

            S = morris.analyze(design.problem, design.X, Y, num_resamples=RESAMPLES,
                               conf_level=CONF_LEVEL, num_levels=design.options["levels"], seed=seed)
            columns = ("mu", "mu_star", "mu_star_conf", "sigma")
        for j, factor in enumerate(design.names):
            rows.append({"metric": metric, "factor": factor,
                         **{c: float(np.asarray(S[c])[j]) for c in columns}})
    return pd.DataFrame(rows), (pd.DataFrame(pairs) if pairs else None), ""


def markdown_table(frame: pd.DataFrame, digits: int = 3) -> str:
    """A small DataFrame as a GitHub Markdown table."""
    def cell(value):
        if isinstance(value, (float, np.floating)):
            return "" if np.isnan(value) else f"{value:.{digits}g}"
        return str(value)

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |",
             "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)
