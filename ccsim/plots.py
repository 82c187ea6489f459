"""Projector-ready charts (matplotlib, PNG): large fonts, the colour-blind-safe Okabe-Ito
palette, titles that say what a chart shows, and events marked on the time axis.

``summary_figure`` draws one run; ``compare_figure`` draws two sides (mean and 95% band
over replications) on the same axes, with the gap between them underneath;
``race_figure`` the rival firms of a market, each a mean and a 95% band.  Others may
reuse ``projector_style`` and ``mark_events``; colours come from ccsim.colours, what each
metric is called and the values it can take from ccsim.metrics.
"""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ccsim import colours  # noqa: E402
from ccsim.metrics import METRICS, shown  # noqa: E402

LINE_COLOURS = colours.LINES
SIDE_COLOURS = (colours.BLUE, colours.VERMILLION)
GAP_COLOUR = colours.BLACK
EVENT_COLOUR = "#555555"

SUMMARY_METRICS = [m.name for m in shown("run")]
COMPARE_METRICS = [m.name for m in shown("compare")]

STYLE = {
    "font.size": 15, "axes.titlesize": 17, "axes.labelsize": 14, "xtick.labelsize": 13,
    "ytick.labelsize": 13, "legend.fontsize": 14, "figure.titlesize": 22,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "grid.alpha": 0.3, "lines.linewidth": 2.6,
    "axes.prop_cycle": matplotlib.cycler(color=LINE_COLOURS),
}


@contextmanager
def projector_style():
    """Large fonts, Okabe-Ito colours, light grid."""
    with plt.rc_context(STYLE):
        yield


def mark_events(ax, marks, label: bool = True, colour: str = EVENT_COLOUR) -> None:
    """Dashed vertical lines at event weeks; with ``label``, the event's name beside the line."""
    seen: set[tuple[int, str]] = set()
    for week, text in marks:
        if (week, text) in seen:
            continue
        seen.add((week, text))
        ax.axvline(week, color=colour, linestyle="--", linewidth=1.4, alpha=0.8, zorder=1)
        if label:
            ax.annotate(text, xy=(week, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(4, -4), textcoords="offset points", rotation=90,
                        va="top", ha="left", fontsize=13, color=colour)


def money_axis(ax, metric) -> None:
    """Money in thousands (k) and millions (M) on the y axis, where ``metric`` (a
    ccsim.metrics.Metric) is money."""
    if metric.money:
        ax.yaxis.set_major_formatter(matplotlib.ticker.EngFormatter(sep=""))


def summary_figure(df, marks=(), title: str = "", subtitle: str = "", path=None):
    """One run: a panel per metric in SUMMARY_METRICS against weeks, events marked."""
    cols = 4
    rows = -(-len(SUMMARY_METRICS) // cols)
    with projector_style():
        fig, axes = plt.subplots(rows, cols, figsize=(6 * cols, 5.5 * rows), sharex=True,
                                 squeeze=False)
        for i, (ax, metric) in enumerate(zip(axes.flat, SUMMARY_METRICS)):
            ax.plot(df.index, df[metric], color=LINE_COLOURS[i % len(LINE_COLOURS)])
            ax.set_title(METRICS[metric].label)
            ax.set_ylabel(METRICS[metric].unit)
            money_axis(ax, METRICS[metric])
            mark_events(ax, marks, label=i % cols == 0)
        for ax in axes[-1]:
            ax.set_xlabel("week")
        for ax in axes.flat[len(SUMMARY_METRICS):]:
            ax.set_visible(False)
        _titles(fig, title, subtitle, top=0.93)
        return _finish(fig, path)


def compare_figure(bands, labels, marks=(), title: str = "", subtitle: str = "",
                   metrics=COMPARE_METRICS, path=None):
    """Two sides on the same axes (mean line, 95% band), and their gap (A - B) beneath.

    ``bands`` is ``(band_a, band_b, band_gap)``; each maps a metric to a tuple of arrays
    ``(weeks, mean, low, high)`` (ccsim.intervals.mean_interval)."""
    band_a, band_b, gap = bands
    cols = 3
    rows = -(-len(metrics) // cols)
    with projector_style():
        fig, axes = plt.subplots(2 * rows, cols, figsize=(8 * cols, 7.2 * rows), sharex=True,
                                 gridspec_kw={"height_ratios": [3, 1.3] * rows})
        for i, metric in enumerate(metrics):
            top, bottom = axes[2 * (i // cols), i % cols], axes[2 * (i // cols) + 1, i % cols]
            meta = METRICS[metric]
            bounds = (meta.lo, meta.hi)
            for side, colour, label in zip((band_a, band_b), SIDE_COLOURS, labels):
                _band(top, side[metric], bounds, colour, label)
            weeks, mean, lo, hi = gap[metric]
            bottom.axhline(0, color="#888888", linewidth=1)
            bottom.fill_between(weeks, lo, hi, color=GAP_COLOUR, alpha=0.18, linewidth=0)
            bottom.plot(weeks, mean, color=GAP_COLOUR, linewidth=2)
            top.set_title(meta.label)
            top.set_ylabel(meta.unit)
            bottom.set_ylabel("gap A - B")
            money_axis(top, METRICS[metric])
            money_axis(bottom, METRICS[metric])
            mark_events(top, marks, label=i % cols == 0)
            mark_events(bottom, marks, label=False)
        for ax in axes[-1]:
            ax.set_xlabel("week")
        for ax in axes.flat[2 * len(metrics):]:
            ax.set_visible(False)
        handles, names = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, [f"{k}: {n}" for k, n in zip("AB", names)], loc="upper center",
                   ncol=2, bbox_to_anchor=(0.5, 0.95), frameon=False)
        _titles(fig, title, subtitle, top=0.91)
        return _finish(fig, path)


def race_figure(bands, labels, metrics, title: str = "", subtitle: str = "", path=None):
    """Rival firms on the same axes, a panel per metric (ccsim.metrics.Metric): each firm's
    mean line and 95% band.  ``bands`` has one mapping per firm, as compare_figure's sides."""
    cols = 2
    rows = -(-len(metrics) // cols)
    with projector_style():
        fig, axes = plt.subplots(rows, cols, figsize=(9 * cols, 6 * rows), sharex=True, squeeze=False)
        for ax, meta in zip(axes.flat, metrics):
            for k, (firm, label) in enumerate(zip(bands, labels)):
                _band(ax, firm[meta.name], (meta.lo, meta.hi), LINE_COLOURS[k % len(LINE_COLOURS)], label)
            ax.set_title(meta.label)
            ax.set_ylabel(meta.unit)
            money_axis(ax, meta)
        for ax in axes[-1]:
            ax.set_xlabel("week")
        for ax in axes.flat[len(metrics):]:
            ax.set_visible(False)
        handles, names = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, names, loc="upper center", ncol=min(len(names), 4),
                   bbox_to_anchor=(0.5, 0.95), frameon=False)
        _titles(fig, title, subtitle, top=0.91)
        return _finish(fig, path)


def _band(ax, band, bounds, colour: str, label: str) -> None:
    """A mean line and its 95% band, ``band`` = (weeks, mean, low, high), the band kept within ``bounds``."""
    weeks, mean, lo, hi = band
    ax.fill_between(weeks, np.clip(lo, *bounds), np.clip(hi, *bounds), color=colour, alpha=0.22, linewidth=0)
    ax.plot(weeks, mean, color=colour, label=label)


def _titles(fig, title: str, subtitle: str, top: float) -> None:
    fig.suptitle(title, fontweight="bold", y=0.995)
    if subtitle:
        fig.text(0.5, 0.96, subtitle, ha="center", va="top", fontsize=15, color="#333333",
                 wrap=True)
    fig.tight_layout(rect=(0, 0, 1, top))


def _finish(fig, path):
    if path is None:
        return fig
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return None


def end_value_text(value: float) -> str:
    """A number as a table shows it: money and counts whole, shares with 3 digits."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if np.isfinite(value) else "-"
