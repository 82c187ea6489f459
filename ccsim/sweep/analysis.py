"""Analysis of a finished (or partly finished) sweep: tidy tables and sensitivity indices.

Tables are tidy (one observation per row): ``end_values`` (one row per run: its last kept
week), ``points`` (per design point and metric: n, mean, sd, 95% confidence interval of
the mean over replications, Student t; for ``perished``, a proportion of runs, Wilson's
interval), ``timeseries`` (the same per kept week; a firm that perished is in every week,
closed: ccsim.sweep.worker.CLOSED).
Sensitivity: Sobol first-order and total indices (Saltelli's estimators) or Morris mu* and
sigma, from SALib, on each point's mean over replications, with bootstrap 95% confidence
intervals (200 resamples: SALib's, and sigma's here), at the end and per kept week; a factor whose every
change left an output exactly unchanged is flagged; ``noise_share`` says how much of the
runs' variance is seed noise, which the indices cannot tell from a factor's effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.intervals import half_width
from ccsim.sweep.designs import Design
from ccsim.sweep.survival import wilson

CONF_LEVEL = 0.95
RESAMPLES = 200
MAX_INDEX_WEEKS = 27   # weeks of sensitivity_over_time (SALib per week and metric)
MIN_SAMPLES = 4        # the smallest prefix of a design in ``convergence``


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


def _analyse(design: Design, Y: np.ndarray, seed: int) -> dict:
    """SALib's indices of the point means ``Y`` (warnings of a near-constant output off)."""
    import warnings

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if design.kind == "sobol":
            from SALib.analyze import sobol

            return sobol.analyze(design.problem, Y, calc_second_order=design.options["second_order"],
                                 num_resamples=RESAMPLES, conf_level=CONF_LEVEL, seed=seed)
        from SALib.analyze import morris

        S = morris.analyze(design.problem, design.X, Y, num_resamples=RESAMPLES,
                           conf_level=CONF_LEVEL, num_levels=design.options["levels"], seed=seed)
        S["sigma_conf"] = sigma_conf(elementary_effects(design, Y), seed)
        return S


def elementary_effects(design: Design, Y: np.ndarray) -> np.ndarray:
    """Morris's (1991) elementary effects, (factors, trajectories): along each trajectory
    of k + 1 points, consecutive points differ in one factor j, and its effect is the change
    of ``Y`` over that step in the unit cube (the range of j scaled to 1), as SALib has it."""
    k = len(design.names)
    X = design.X.reshape(-1, k + 1, k)
    Y = np.asarray(Y, dtype=float).reshape(-1, k + 1)
    span = np.array([hi - lo for lo, hi in design.bounds])
    step = np.diff(X, axis=1) / span                      # (r, k steps, k factors)
    moved = np.abs(step).argmax(axis=2)                   # the factor each step moves
    effect = np.diff(Y, axis=1) / np.take_along_axis(step, moved[..., None], axis=2)[..., 0]
    out = np.empty((k, len(X)))
    out[moved.T, np.arange(len(X))[None, :]] = effect.T
    return out


def sigma_conf(effects: np.ndarray, seed: int) -> np.ndarray:
    """Half-width of the 95% interval of Morris's sigma per factor: the bootstrap over
    trajectories (RESAMPLES resamples, normal approximation), as SALib computes mu*'s."""
    from scipy import stats

    rng = np.random.default_rng(seed)
    r = effects.shape[1]
    resampled = effects[:, rng.integers(r, size=(RESAMPLES, r))].std(axis=2, ddof=1)
    return stats.norm.ppf(0.5 + CONF_LEVEL / 2) * resampled.std(axis=1, ddof=1)


def zero_effects(design: Design, Y: np.ndarray, S: dict) -> list[bool]:
    """Per factor: True if changing it alone never changed ``Y`` at all (exactly).  Sobol:
    Saltelli's blocks hold A, AB_1..AB_k[, BA_1..BA_k], B, and AB_j differs from A in
    factor j only; Morris (``S``, SALib's result): every elementary effect of it is 0."""
    k = len(design.names)
    if design.kind == "sobol":
        second = design.options["second_order"]
        blocks = Y.reshape(-1, 2 * k + 2 if second else k + 2)
        return [bool(np.array_equal(blocks[:, 0], blocks[:, 1 + j]) and
                     (not second or np.array_equal(blocks[:, -1], blocks[:, 1 + k + j])))
                for j in range(k)]
    return [bool(v == 0) for v in np.asarray(S["mu_star"])]


def sensitivity(design: Design, ends: pd.DataFrame, metrics: list[str],
                seed: int) -> tuple[pd.DataFrame | None, pd.DataFrame | None, str]:
    """Sobol or Morris indices per metric and factor, with ``zero_effect`` (the factor
    never changed the metric: zero_effects); Sobol second-order indices per metric and
    pair of factors when the design has them (else None); or (None, None, reason)."""
    if design.kind not in ("sobol", "morris"):
        return None, None, f"a {design.kind} design gives no sensitivity indices (use sobol or morris)"
    rows, pairs = [], []
    for metric in metrics:
        Y = point_means(ends, metric, len(design.points))
        if np.isnan(Y).any():
            missing = int(np.isnan(Y).sum())
            return None, None, f"{missing} design points have no finished run; finish the sweep first"
        S = _analyse(design, Y, seed)
        if design.kind == "sobol":
            columns = ("S1", "S1_conf", "ST", "ST_conf")
            if "S2" in S:
                k = len(design.names)
                pairs += [{"metric": metric, "factor_a": design.names[a], "factor_b": design.names[b],
                           "S2": float(S["S2"][a, b]), "S2_conf": float(S["S2_conf"][a, b])}
                          for a in range(k) for b in range(a + 1, k)]
        else:
            columns = ("mu", "mu_star", "mu_star_conf", "sigma", "sigma_conf")
        zero = zero_effects(design, Y, S)
        for j, factor in enumerate(design.names):
            rows.append({"metric": metric, "factor": factor,
                         **{c: float(np.asarray(S[c])[j]) for c in columns}, "zero_effect": zero[j]})
    return pd.DataFrame(rows), (pd.DataFrame(pairs) if pairs else None), ""


def sensitivity_over_time(design: Design, runs: pd.DataFrame, metrics: list[str], seed: int,
                          most: int = MAX_INDEX_WEEKS) -> pd.DataFrame:
    """Indices per kept week (at most ``most`` weeks, evenly spread, the last always): week,
    output, factor, index (S1, ST or mu_star, sigma), value, lo, hi (the bootstrap 95%
    interval: SALib's, and for sigma ``sigma_conf``).  A week where the output is the same at every point (week 0)
    has no indices and no rows; nor has a week some design point has not reached."""
    weeks = np.sort(runs.week.unique())
    if len(weeks) > most:
        weeks = np.unique(np.r_[weeks[np.linspace(0, len(weeks) - 1, most).round().astype(int)],
                                weeks[-1]])
    names = {"sobol": (("S1", "S1_conf"), ("ST", "ST_conf")),
             "morris": (("mu_star", "mu_star_conf"), ("sigma", "sigma_conf"))}[design.kind]
    rows = []
    for week in weeks:
        at = runs[runs.week == week]
        for metric in metrics:
            Y = point_means(at, metric, len(design.points))
            if np.isnan(Y).any() or np.ptp(Y) == 0:
                continue
            S = _analyse(design, Y, seed)
            for index, conf in names:
                values = np.asarray(S[index], dtype=float)
                half = np.asarray(S[conf], dtype=float)
                rows += [{"week": int(week), "output": metric, "factor": factor, "index": index,
                          "value": values[j], "lo": values[j] - half[j], "hi": values[j] + half[j]}
                         for j, factor in enumerate(design.names)]
    return pd.DataFrame(rows, columns=["week", "output", "factor", "index", "value", "lo", "hi"])


def convergence(design: Design, ends: pd.DataFrame, metrics: list[str], seed: int) -> pd.DataFrame:
    """The indices at the end from the design's first n samples, n = N, N/2, N/4, ... (at
    least MIN_SAMPLES): output, factor, index, samples, value, lo, hi.  SALib's samples of
    size n begin a larger one (Saltelli's blocks of its Sobol' sequence, Morris's
    trajectories), so each prefix is the design a sweep of size n would have run; estimates
    that still move as n doubles have not converged (Sarrazin et al. 2016)."""
    k = len(design.names)
    total = design.options["samples" if design.kind == "sobol" else "trajectories"]
    block = len(design.points) // total
    sizes = sorted({total >> h for h in range(total.bit_length()) if total >> h >= MIN_SAMPLES})
    names = {"sobol": (("S1", "S1_conf"), ("ST", "ST_conf")),
             "morris": (("mu_star", "mu_star_conf"), ("sigma", "sigma_conf"))}[design.kind]
    rows = []
    for n in sizes:
        part = Design(design.kind, design.names, design.X[:n * block], design.points[:n * block],
                      {**design.options, "samples" if design.kind == "sobol" else "trajectories": n},
                      design.bounds)
        for metric in metrics:
            Y = point_means(ends, metric, len(design.points))[:n * block]
            if np.isnan(Y).any() or np.ptp(Y) == 0:
                continue
            S = _analyse(part, Y, seed)
            for index, conf in names:
                values, half = np.asarray(S[index], float), np.asarray(S[conf], float)
                rows += [{"output": metric, "factor": design.names[j], "index": index, "samples": n,
                          "value": values[j], "lo": values[j] - half[j], "hi": values[j] + half[j]}
                         for j in range(k)]
    return pd.DataFrame(rows, columns=["output", "factor", "index", "samples", "value", "lo", "hi"])


def noise_share(ends: pd.DataFrame, metrics: list[str], common: bool = False) -> pd.DataFrame:
    """Per metric: how much of the end values' variance is seed noise, by variance
    components: ``within`` (mean variance between replications of one point), ``between``
    (variance of the point means less within / replications, at least 0: what the factors
    add) and share = within / (within + between), in [0, 1] (NaN with one replication).
    With ``common`` seeds replication r is a block shared by every point: ``within`` is the
    point x replication interaction (two-way ANOVA), the noise common seeds do not cancel."""
    rows = []
    for metric in metrics:
        per_point = ends.groupby("point")[metric]
        counts = per_point.count()
        within = float(per_point.var(ddof=1).mean()) if counts.min() > 1 else np.nan
        if common and counts.min() > 1:
            grid = ends.pivot_table(index="point", columns="replication", values=metric).dropna()
            rest = grid - grid.mean(axis=1).to_numpy()[:, None] - grid.mean(axis=0) + grid.stack().mean()
            p, r = grid.shape
            within = float((rest.to_numpy() ** 2).sum() / max((p - 1) * (r - 1), 1))
        spread = float(per_point.mean().var(ddof=1)) if len(counts) > 1 else np.nan
        between = max(spread - within / counts.mean(), 0.0)
        total = within + between
        share = within / total if total > 0 else (0.0 if within == 0 else np.nan)
        rows.append({"metric": metric, "replications": int(counts.min()), "within": within,
                     "between": between, "share": share})
    return pd.DataFrame(rows)


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
