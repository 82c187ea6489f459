"""Figures of a sweep (matplotlib, PNG): heatmaps of two-factor grids, response curves and
trajectories with 95% bands, sensitivity bars with confidence intervals."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ccsim.sweep.analysis import summarise  # noqa: E402

BINS = 8           # response curves of sampled designs: quantile bins of the factor
MAX_LINES = 6      # lines per panel in a two-factor response curve


def _grid(n: int, size=(4.2, 3.2)):
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(size[0] * cols, size[1] * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def _save(fig, path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _short(value: float) -> str:
    """A cell label of at most about five characters."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:.3g}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.0f}k"
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def heatmap(points: pd.DataFrame, x: str, y: str, metrics: list[str], path) -> None:
    """Mean end value over a two-factor grid, one panel per metric."""
    fig, axes = _grid(len(metrics), (4.4, 3.6))
    for ax, metric in zip(axes, metrics):
        grid = points[points.metric == metric].pivot_table(index=y, columns=x, values="mean")
        image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.set_title(f"{metric} (mean at end)")
        if grid.size <= 64:
            for (i, j), value in np.ndenumerate(grid.to_numpy()):
                light = image.norm(value) > 0.6
                ax.text(j, i, _short(value), ha="center", va="center", fontsize=7,
                        color="black" if light else "white")
        fig.colorbar(image, ax=ax)
    _save(fig, path)


def response(ends: pd.DataFrame, factor: str, metrics: list[str], path, by: str | None = None,
             binned: bool = False) -> None:
    """End value against ``factor``: mean over runs with a 95% band, one line per level of
    ``by`` (a second factor) if given; sampled designs are grouped in quantile bins."""
    frame = ends.copy()
    if binned:
        bins = pd.qcut(frame[factor], BINS, duplicates="drop")
        frame[factor] = bins.map(lambda b: b.mid).astype(float)
    keys = [factor] if by is None else [by, factor]
    table = summarise(frame, keys, metrics)
    fig, axes = _grid(len(metrics))
    for ax, metric in zip(axes, metrics):
        part = table[table.metric == metric]
        groups = [(None, part)] if by is None else list(part.groupby(by))
        for level, group in groups:
            group = group.sort_values(factor)
            label = None if level is None else f"{by}={level:g}"
            line, = ax.plot(group[factor], group["mean"], marker="o", ms=3, label=label)
            ax.fill_between(group[factor], group["ci_lo"], group["ci_hi"], alpha=0.2,
                            color=line.get_color(), linewidth=0)
        ax.set_xlabel(factor)
        ax.set_title(f"{metric} (end, mean and 95% CI)")
        if by is not None:
            ax.legend(fontsize=7)
    _save(fig, path)


def trajectories(timeseries: pd.DataFrame, keys: list[str], metrics: list[str], path) -> None:
    """Weekly mean with a 95% band, one line per design point."""
    fig, axes = _grid(len(metrics))
    for ax, metric in zip(axes, metrics):
        part = timeseries[timeseries.metric == metric]
        for values, group in part.groupby(keys):
            values = values if isinstance(values, tuple) else (values,)
            label = ", ".join(f"{k}={v:g}" for k, v in zip(keys, values))
            line, = ax.plot(group["week"], group["mean"], label=label, linewidth=1.2)
            ax.fill_between(group["week"], group["ci_lo"], group["ci_hi"], alpha=0.15,
                            color=line.get_color(), linewidth=0)
        ax.set_xlabel("week")
        ax.set_title(metric)
    axes[0].legend(fontsize=6)
    _save(fig, path)


def sensitivity_bars(indices: pd.DataFrame, kind: str, path) -> None:
    """Sobol S1 and ST, or Morris mu* and sigma, per factor; error bars: 95% CI."""
    metrics = list(dict.fromkeys(indices.metric))
    fig, axes = _grid(len(metrics), (4.6, 3.4))
    if kind == "sobol":
        bars = [("S1", "S1_conf", "first order"), ("ST", "ST_conf", "total")]
    else:
        bars = [("mu_star", "mu_star_conf", "mu*"), ("sigma", "sigma_conf", "sigma")]
    for ax, metric in zip(axes, metrics):
        part = indices[indices.metric == metric]
        y = np.arange(len(part))
        height = 0.38
        for k, (value, conf, label) in enumerate(bars):
            ax.barh(y + (k - 0.5) * height, part[value], height, xerr=part[conf], label=label,
                    capsize=2)
        ax.set_yticks(y, part["factor"])
        ax.invert_yaxis()
        ax.set_title(metric)
        ax.legend(fontsize=7)
    _save(fig, path)


def survival_curves(table: pd.DataFrame, labels: dict, weeks: int, path) -> None:
    """Kaplan-Meier survival per design point, a step curve with its 95% band (Greenwood,
    log-log), to the runs' last week."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for point, group in table.groupby("point", sort=True):
        x = [*group["week"], weeks]
        line, = ax.step(x, [*group["survival"], group["survival"].iloc[-1]], where="post",
                        label=labels.get(point, f"point {point}"), linewidth=1.3)
        ax.fill_between(x, [*group["lo"], group["lo"].iloc[-1]], [*group["hi"], group["hi"].iloc[-1]],
                        step="post", alpha=0.15, color=line.get_color(), linewidth=0)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("week")
    ax.set_ylabel("share of firms still trading")
    ax.set_title("Survival (Kaplan-Meier, 95% band)")
    if table["point"].nunique() <= 12:
        ax.legend(fontsize=6)
    _save(fig, path)


def sensitivity_over_time(table: pd.DataFrame, kind: str, path) -> None:
    """Which lever matters when: per output, each factor's share of the summed first-order
    Sobol indices (negative estimates as 0), or of the summed Morris mu*, week by week,
    stacked to 1."""
    index = "S1" if kind == "sobol" else "mu_star"
    part = table[table["index"] == index]
    outputs = list(dict.fromkeys(part.output))
    fig, axes = _grid(len(outputs), (4.6, 3.2))
    for ax, output in zip(axes, outputs):
        wide = part[part.output == output].pivot_table(index="week", columns="factor",
                                                       values="value", sort=False)
        wide = wide.clip(lower=0)
        shares = wide.div(wide.sum(axis=1).replace(0, np.nan), axis=0).fillna(0)
        ax.stackplot(shares.index, shares.to_numpy().T, labels=shares.columns, alpha=0.85)
        ax.set_ylim(0, 1)
        ax.set_xlabel("week")
        ax.set_title(f"{output}: share of {'S1' if kind == 'sobol' else 'mu*'}")
    axes[0].legend(fontsize=6, loc="upper left")
    _save(fig, path)


def peeling(table: pd.DataFrame, path) -> None:
    """PRIM's peeling trajectories (Friedman & Fisher 1999): density against coverage at each
    step, one line per box, the box kept marked and its restricted dimensions written."""
    fig, ax = plt.subplots(figsize=(5.6, 4.4))
    for box, part in table.groupby("box", sort=True):
        line, = ax.plot(part.coverage, part.density, marker=".", lw=1, label=f"box {box}")
        kept = part[part.chosen]
        ax.scatter(kept.coverage, kept.density, s=90, facecolors="none",
                   edgecolors=line.get_color(), zorder=3)
        for row in kept.itertuples():
            ax.annotate(f"kept: {row.res_dim} restricted", (row.coverage, row.density),
                        textcoords="offset points", xytext=(6, 6), fontsize=8)
    ax.set(xlabel="coverage (share of the runs where it held)",
           ylabel="density (share of the box's runs)", xlim=(0, 1.05), ylim=(0, 1.05))
    ax.legend(fontsize=8, loc="lower left")
    _save(fig, path)


def convergence(table: pd.DataFrame, kind: str, path) -> None:
    """Total Sobol indices (or Morris mu*) from the design's first n samples against n,
    one line per factor with its 95% band: flat lines have converged."""
    index = "ST" if kind == "sobol" else "mu_star"
    part = table[table["index"] == index]
    outputs = list(dict.fromkeys(part.output))
    fig, axes = _grid(len(outputs), (4.6, 3.2))
    for ax, output in zip(axes, outputs):
        for factor, line in part[part.output == output].groupby("factor", sort=False):
            drawn, = ax.plot(line.samples, line.value, marker=".", label=factor)
            ax.fill_between(line.samples, line.lo, line.hi, alpha=0.12, color=drawn.get_color(),
                            linewidth=0)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("samples (N)" if kind == "sobol" else "trajectories")
        ax.set_title(f"{output}: {'ST' if kind == 'sobol' else 'mu*'}")
    axes[0].legend(fontsize=6)
    _save(fig, path)
