"""Chart options for echarts (ccsim.ui.widgets.EChart): the layout once per size and
compare mode, the data each week.

The layout (grids, axes, series) is made for the chart's width and the window's height
in pixels, which the browser reports: one to three columns, rows that fill the screen,
titles cut to their panel, axis labels inside it.  Each week the page sends the
reporters as dataset columns (shares as %), the y ranges (a bounded measure's whole scale,
anything else from 0, and only ever wider during a run, so a small gap never looks large:
``axis_range``) and the marks: a line in every panel and, in a
strip kept free above the top row's plots, a label in plain horizontal text (marks too
close to label each fold into the label before them: "humility 0.8 +1"), so no label is
ever drawn over the data.  The lines of the run that did not happen and of other
seeds are sent only while there are any: every series costs the browser's redraw each week,
and they are two thirds of them.  Colours are the Okabe-Ito palette (colour-blind safe).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ccsim.colours import BLACK, BLUE, GREEN, GREY, ORANGE, PINK, SKY, VERMILLION
from ccsim.dynamics import loyalty
from ccsim.metrics import METRICS, Metric, shown
from ccsim.scenarios import KEY_CHARTS
from ccsim.ui import words

CULTURE_COLOURS = {"A": BLUE, "B": ORANGE}
SENT_DIGITS = 2          # digits the browser gets beyond those a summary prints (smooth lines)
ORGANISATION_COLOURS = [GREEN, PINK, SKY]
GHOST = "without the last move"        # the legend's name for the run that did not happen
BAND = "other seeds: mean and 95% band"
MIN_COLUMN = 280         # px: narrower panels cut their titles and ticks at the usual font
NARROW_COLUMN = 220      # px: the narrowest panel, with a smaller font, when nothing wider fits on screen
ROW_HEIGHT = (170, 300)  # px: the least and the most a row gets
MARK_SMALLER = 2         # px the marks' labels are smaller than the titles
EM = 0.62                # a letter's width in em, on the wide side (DejaVu Sans, Arial, Helvetica)
MARK_MIN = 7             # letters: room for fewer than this, and a mark folds into the label before it
MARK_KEPT = 5            # letters: a folded label cut to fewer than this (after "A: ") says how many it stands for
MARGIN = 8               # px under the charts (the marks' key and the exports follow, below the fold)


def scaled(metric: Metric) -> int:
    """100 for a share or a -1..1 score (shown as %, or out of 100), else 1."""
    return 100 if metric.hi == 1 else 1


@dataclass(frozen=True)
class Panel:
    id: str
    title: str
    metrics: tuple[Metric, ...]
    gap: bool = False     # B - A of its metric

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """The values its y axis may show (None: no bound)."""
        if self.gap:
            return None, None
        los = [m.lo * scaled(m) if m.lo is not None else None for m in self.metrics]
        his = [m.hi * scaled(m) if m.hi is not None else None for m in self.metrics]
        return (None if None in los else min(los)), (None if None in his else max(his))

    @property
    def scale(self) -> tuple[float, float | None]:
        """The range its y axis always shows: from 0 (a gap B - A: from 0 too), or from the
        lowest value all its measures can take below 0 (NPS: -100), up to its upper bound if
        it has one."""
        if self.gap:
            return 0.0, None
        return min(0.0, max((m.lo or 0) * scaled(m) for m in self.metrics)), self.bounds[1]

    @property
    def money(self) -> bool:
        return self.metrics[0].money


def _title(metric: Metric) -> str:
    if metric.money:
        return f"{metric.title} ({words.MONEY})"
    if scaled(metric) == 1:
        return metric.title
    return f"{metric.title}, %" if metric.lo == 0 else f"{metric.title} (-100 to 100)"


ORGANISATION = "Organisation"
SCALE = " (0-100)"       # the organisation's scale, left out of its title where the title would be cut
# shorter wordings of a title, tried in turn where the one before would be cut
SHORTER = ((SCALE, ""), (" per week (", "/week ("), ("Gap B - A: ", "B - A: "))


def _panels() -> list[Panel]:
    """One panel per chart group of ccsim.metrics, in table order."""
    groups: dict[str, list[Metric]] = {}
    for metric in METRICS.values():
        if metric.panel:
            groups.setdefault(metric.panel, []).append(metric)
    return [Panel(pid, _title(ms[0]) if len(ms) == 1 else ORGANISATION + SCALE, tuple(ms))
            for pid, ms in groups.items()]


def titles(panel: Panel, compare: bool) -> list[str]:
    """A panel's title, longest first, then shorter ones the browser falls back to when the
    longer would be cut (the browser measures them in its own font: widgets.js)."""
    out = [panel.title if not compare or len(panel.metrics) == 1 else f"{panel.title}, B dashed"]
    for long, short in SHORTER:
        if long in out[-1]:
            out.append(out[-1].replace(long, short))
    return out


PANELS = _panels()
GAPS = [Panel(f"gap_{m.name}", f"Gap B - A: {_title(m)[0].lower()}{_title(m)[1:]}", (m,), gap=True)
        for m in shown("gap")]
COLUMNS_SENT = [m.name for panel in PANELS for m in panel.metrics]


def panels(compare: bool, present: bool = False, key: tuple[str, ...] = KEY_CHARTS) -> list[Panel]:
    """The panels shown: every chart group (presenter mode: the story's ``key`` ones, large,
    in the order of PANELS), and in compare mode the gaps."""
    chosen = [p for p in PANELS if p.id in key] if present else PANELS
    return chosen + (GAPS if compare and not present else [])


ASPECT = 1.7            # a panel's width over its height that reads best


def grid(width: float, height: float, count: int) -> tuple[int, int]:
    """(columns, row height) for ``count`` panels in ``width`` x ``height`` px of screen:
    of the column counts that fit the width, one that puts every row on screen at
    least ROW_HEIGHT[0] high if any does (columns narrower than MIN_COLUMN only if no
    other does: compare mode at 1024x768), then one that leaves the fewest cells empty,
    then panels shaped closest to ASPECT; all in one row (more than three columns) only when
    that is the one way to show every panel on screen."""
    def fit(columns: int) -> tuple[bool, bool, int, float, int]:
        rows = math.ceil(count / columns)
        row = min(ROW_HEIGHT[1], height // rows)
        on_screen = row >= ROW_HEIGHT[0]
        row = max(row, ROW_HEIGHT[0]) if on_screen else ROW_HEIGHT[0] + 30
        return (not on_screen, width / columns < MIN_COLUMN, rows * columns - count,
                abs(math.log(width / columns / row / ASPECT)), int(row))

    most = max(1, min(3, int(width // NARROW_COLUMN)))
    one_row = [count] if most < count <= width // NARROW_COLUMN else []   # presenter mode at 1024x768
    columns = min([*range(1, most + 1), *one_row], key=lambda c: (fit(c)[0], c > 3, *fit(c)[1:4]))
    return columns, fit(columns)[4]


def legend_height(entries: list[str], width: float, font: int) -> int:
    """Px the legend takes when its ``entries`` wrap at ``width`` (echarts' own spacing: a
    30 px line, 5 px before the text, 10 px between entries; text about 0.55 em a letter)."""
    rows, used = 1, 0.0
    for entry in entries:
        item = 45 + len(entry) * font * 0.55
        if used and used + item > width:
            rows, used = rows + 1, 0.0
        used += item
    return rows * (font + 10) + 6


@dataclass
class Layout:
    """The chart's option and what each week's update needs to know about it."""

    option: dict
    height: int
    panels: list[Panel]
    grid_width: float                       # px of one panel's plot with its y axis' labels
    font: int                               # px of the axes' labels
    mark_font: int                          # px of the marks' labels
    size: tuple[float, float]               # the screen it was made for (width, height below its top)
    marked: list[str] = field(default_factory=list)     # a series per panel carries its marks
    labelled: set[str] = field(default_factory=set)     # those of the top row label them, in its strip
    extra: dict[str, list] = field(default_factory=dict)   # "ghost", "band": series sent only while drawn


def layout(names: dict[str, str], weeks: int, width: float = 900, height: float = 700,
           present: bool = False, key: tuple[str, ...] = KEY_CHARTS) -> Layout:
    """The charts of cultures ``names`` ({"A": label, "B": label}) over ``weeks`` weeks, in a
    chart ``width`` px wide with ``height`` px of screen below its top."""
    compare = "B" in names
    shown_panels = panels(compare, present, key)
    font = 22 if present else 17
    entries = [*(f"{side}: {label}" if compare else label for side, label in names.items()), GHOST, BAND,
               *(m.title for p in shown_panels if len(p.metrics) > 1 for m in p.metrics)]
    legend = legend_height(entries, width, font - 1)
    strip = font - MARK_SMALLER + 10       # above the top row's plots: the marks' labels
    columns, row = grid(width, height - legend - MARGIN - strip, len(shown_panels))
    column = width / columns
    if column < MIN_COLUMN:
        font -= 2
    mark_font = font - MARK_SMALLER
    option = {"animation": False, "textStyle": {"fontSize": font},
              "legend": {"top": 0, "textStyle": {"fontSize": font - 1}, "itemWidth": 30, "data": entries},
              "tooltip": {"trigger": "axis", "textStyle": {"fontSize": font - 1}},
              "dataset": [{"id": d, "source": {"week": []}} for d in _datasets(names)],
              "title": [], "grid": [], "xAxis": [], "yAxis": [], "series": []}
    rows = math.ceil(len(shown_panels) / columns)
    out = Layout(option, legend + strip + rows * row, shown_panels, column - 24, font - 2, mark_font,
                 (width, height))
    for i, panel in enumerate(shown_panels):
        r, c = divmod(i, columns)
        top, left = out.height - (rows - r) * row - (strip if r == 0 else 0), c * column
        above = strip if r == 0 else 0
        # the browser shows the first of ``fit`` that fits the width whole (widgets.js)
        fit = titles(panel, compare)
        option["title"].append({"text": fit[0], "fit": fit, "top": top, "left": left + 8,
                                "textStyle": {"fontSize": font, "fontWeight": "bold", "width": column - 16,
                                              "overflow": "truncate"}})
        option["grid"].append({"top": top + font + 14 + above, "height": row - font - 50, "left": left + 8,
                               "width": column - 24, "containLabel": True})
        option["xAxis"].append({"type": "value", "gridIndex": i, "min": 0, "max": weeks, "minInterval": 1,
                                "axisLabel": {"fontSize": font - 2, "showMaxLabel": False,
                                              "hideOverlap": True}})
        # money's ticks in k and M (widgets.js gives the axis marked "money" its formatter)
        option["yAxis"].append({"type": "value", "gridIndex": i, "splitNumber": 4,
                                "axisLabel": {"fontSize": font - 2, **({"money": True} if panel.money else {})}})
        first = len(option["series"])
        lines, extra = _series(panel, i, names)
        option["series"] += lines
        for kind, series in extra.items():
            out.extra.setdefault(kind, []).extend(series)
        out.marked.append(option["series"][first]["id"])
        if r == 0:
            out.labelled.add(option["series"][first]["id"])
    return out


def _datasets(names) -> list[str]:
    sides = list(names)
    return [*sides, *(f"{s}-ghost" for s in sides), *(f"{s}-band" for s in sides),
            *(["gap"] if "B" in names else [])]


def _line(sid, name, i, dataset, column, colour, width=3, **style) -> dict:
    return {"id": sid, "name": name, "type": "line", "showSymbol": False, "symbolSize": 9,
            "datasetId": dataset, "encode": {"x": "week", "y": column}, "xAxisIndex": i, "yAxisIndex": i,
            "color": colour, "lineStyle": {"width": width, **style}}


def _tooltip(metric: Metric) -> dict:
    """A line's tooltip unit, which widgets.js turns into its value formatter: money as the
    axis writes it (262k), a share with %; none for a score."""
    unit = "money" if metric.money else "%" if scaled(metric) > 1 and metric.lo == 0 else None
    return {"tooltip": {"unit": unit}} if unit else {}


def _series(panel: Panel, i: int, names: dict[str, str]) -> tuple[list[dict], dict[str, list[dict]]]:
    """A panel's lines: the gap; each culture's voice, morale and knowledge (B dashed); or
    each culture's run, and apart from them ("ghost", "band") its ghost and its band of
    other seeds."""
    compare = "B" in names
    if panel.gap:
        column = panel.metrics[0].name
        return [{**_line(f"{panel.id}-{column}-gap", "gap", i, "gap", column, BLACK), **_tooltip(panel.metrics[0])}], {}
    out, extra = [], {"ghost": [], "band": []}
    for side, label in names.items():
        name = f"{side}: {label}" if compare else label
        if len(panel.metrics) > 1:
            for metric, colour in zip(panel.metrics, ORGANISATION_COLOURS):
                out.append(_line(f"{panel.id}-{metric.name}-{side}", metric.title, i, side, metric.name, colour,
                                 type="dashed" if side == "B" else "solid"))
            continue
        colour, m, tip = CULTURE_COLOURS[side], panel.metrics[0].name, _tooltip(panel.metrics[0])
        out.append({**_line(f"{panel.id}-{m}-{side}", name, i, side, m, colour), **tip})
        extra["ghost"].append({**_line(f"{panel.id}-{m}-{side}-ghost", GHOST, i, f"{side}-ghost", m, colour,
                                       width=2, type="dashed", opacity=0.55), "z": 1, **tip})
        band, stacked = f"{side}-band", {"stack": f"{panel.id}-{side}", "stackStrategy": "all", "z": 0,
                                         "tooltip": {"show": False}}   # "all": a low edge below 0 too
        extra["band"].append({**_line(f"{panel.id}-{m}-{side}-mean", BAND, i, band, f"{m}_mean", colour,
                                      width=1.5, type="dotted"), "z": 1, **tip})
        extra["band"].append({**_line(f"{panel.id}-{m}-{side}-low", BAND, i, band, f"{m}_low", colour, width=0,
                                      opacity=0), **stacked})
        extra["band"].append({**_line(f"{panel.id}-{m}-{side}-band", BAND, i, band, f"{m}_width", colour,
                                      width=0, opacity=0), **stacked,
                              "areaStyle": {"opacity": 0.18, "color": colour}})
    return out, extra


def columns(history: dict) -> dict[str, list]:
    """The reporters the charts show as dataset columns: rounded, shares in %."""
    out = {"week": list(range(len(history["loyalty"])))}
    for name in COLUMNS_SENT:
        metric = METRICS[name]
        values = np.asarray(history[name], dtype=float) * scaled(metric)
        out[name] = np.round(values, max(0, metric.decimals + SENT_DIGITS - (2 if scaled(metric) > 1 else 0))).tolist()
    return out


def band(bands: dict) -> dict[str, list]:
    """Replications' means and 95% bands ({metric: (mean, low, high) by week}) as a
    band dataset: the mean, the low edge and the band's width (stacked on the low edge).
    The week comes last: on a value x-axis echarts stacks a series on the first of its two
    columns in the dataset's order (apache/echarts#20506), which must be the value; update()
    names the columns in this order."""
    out, weeks = {}, 0
    for name, (mean, low, high) in bands.items():
        k = scaled(METRICS[name])
        out[f"{name}_mean"] = np.round(np.asarray(mean) * k, 3).tolist()
        out[f"{name}_low"] = np.round(np.asarray(low) * k, 3).tolist()
        out[f"{name}_width"] = np.round((np.asarray(high) - np.asarray(low)) * k, 3).tolist()
        weeks = len(mean)
    return {**out, "week": list(range(weeks))}


def gap(a: dict, b: dict) -> dict[str, list]:
    """B - A of the gap panels' metrics, week by week while both run."""
    n = min(len(a["week"]), len(b["week"]))
    out = {"week": a["week"][:n]}
    for panel in GAPS:
        col = panel.metrics[0].name
        out[col] = np.round(np.subtract(b[col][:n], a[col][:n]), METRICS[col].decimals + SENT_DIGITS).tolist()
    return out


class Ranges:
    """Each panel's y range during a run (``axis_range``), never narrower than before, so
    that the axes do not jump while playing."""

    def __init__(self):
        self.shown: dict[int, dict] = {}

    def update(self, panels: list[Panel], data: dict[str, dict]) -> list[dict]:
        out = []
        for i, panel in enumerate(panels):
            sources = [data["gap"]] if panel.gap else [s for key, s in data.items() if key != "gap"]
            values = np.concatenate([[np.nan]] + [_values(source, m) for source in sources for m in panel.metrics])
            axis, old = axis_range(panel, values), self.shown.get(i)
            if old is not None:   # a coarser step can round an edge inwards: keep the old edge
                axis = {**axis, "min": min(axis["min"], old["min"]), "max": max(axis["max"], old["max"])}
            self.shown[i] = axis
            out.append(axis)
        return out


def axis_range(panel: Panel, values) -> dict:
    """A panel's y axis for ``values`` (NaN: none yet), in round steps: a bounded measure's
    whole scale (NPS -100 to 100, a share 0 to 100%), anything else from 0 (money, a
    count, a gap) up to a little above its values, and below 0 only when a value is."""
    start, end = panel.scale
    values = np.asarray(values, dtype=float)
    lo, hi = (float(np.nanmin(values)), float(np.nanmax(values))) if np.isfinite(values).any() else (start, start)
    floor = start if lo >= start else panel.bounds[0]
    return nice_range(min(lo, start), max(hi, start if end is None else end), floor, panel.bounds[1])


def _values(source: dict, metric: Metric) -> np.ndarray:
    """A metric's values in a dataset (a band's: its low and high edges), as floats."""
    if f"{metric.name}_low" in source:
        low = np.asarray(source[f"{metric.name}_low"], dtype=float)
        return np.concatenate([low, low + np.asarray(source[f"{metric.name}_width"], dtype=float)])
    return np.asarray(source.get(metric.name, []), dtype=float)


def nice_range(lo: float, hi: float, floor: float | None = None, ceiling: float | None = None) -> dict:
    """An axis from ``lo`` to ``hi`` in round steps with a little room, inside the bounds."""
    span = hi - lo or abs(hi) or 1.0
    step = 10 ** math.floor(math.log10(span / 4))
    step *= next(f for f in (1, 2, 5, 10) if span / (step * f) <= 5)
    low, high = math.floor((lo - span * 0.05) / step) * step, math.ceil((hi + span * 0.05) / step) * step
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    return {"min": low, "max": high, "interval": step}


def update(chart: Layout, week: int, weeks: int, data: dict[str, dict], marks: list[tuple[int, str]],
           ranges: Ranges, ghost: bool = False, band: bool = False, headlines: set = frozenset(),
           tips: list[str] | None = None) -> dict:
    """This week's data, y ranges and marks, to merge into the layout in the browser: the
    ``headlines`` among the marks (moves, a story's events) labelled, the others a faint
    line (the key lists all); the series of the ghost and the band, and their names in the
    legend, only while drawn (the browser replaces the series with those sent).  ``tips``
    are the marks' tooltips, in the same order (hovering or tapping a mark shows its tip:
    its week, its whole text and a move's note); by default the week and the text."""
    # a band's columns are named in order: echarts merges a dataset's source into the one
    # it had (whose first column was the week), and stacks on the first column (band())
    datasets = [{"id": key, "source": source, **({"dimensions": list(source)} if key.endswith("-band") else {})}
                for key, source in data.items()]
    if "A" in data and "B" in data:
        datasets.append({"id": "gap", "source": gap(data["A"], data["B"])})
        data = {**data, "gap": datasets[-1]["source"]}
    axis_max = max(weeks, week)
    y_axes = ranges.update(chart.panels, data)
    told = [m for m in marks if m in headlines]
    faint = {"width": 1, "opacity": 0.45}
    # at week 0 each line is a single point, shown as a dot (a lone point draws no line)
    series = [{"id": s["id"], "showSymbol": week == 0} for s in chart.option["series"]]
    for entry in series:
        if entry["id"] not in chart.marked:
            continue
        lines = [{"xAxis": m[0], "name": ""} if m in headlines else {"xAxis": m[0], "name": "", "lineStyle": faint}
                 for m in marks]
        if entry["id"] in chart.labelled:
            # the plot's width when its y axis' labels are as wide as they may be: never wider than drawn
            index = chart.marked.index(entry["id"])
            plot = chart.grid_width - axis_label_width(y_axes[index], chart.font, chart.panels[index].money)
            placed = strip_labels([(m[0] / max(axis_max, 1) * plot, m[1]) for m in told], plot, chart.mark_font)
            for line, label in zip((line for line, m in zip(lines, marks) if m in headlines), placed):
                if label:
                    line["name"] = label["text"]
                    line["label"] = {"align": label["align"]}
        entry["markLine"] = {
            "symbol": "none", "silent": False, "animation": False,
            "emphasis": {"lineStyle": {"width": 3}, "label": {"show": False}},
            "lineStyle": {"color": VERMILLION, "type": "solid", "width": 2},
            "label": {"show": entry["id"] in chart.labelled, "formatter": "{b}", "position": "end",
                      "distance": 4, "verticalAlign": "bottom", "fontSize": chart.mark_font,
                      "color": VERMILLION},
            "data": lines}
    series += [{**s, "showSymbol": week == 0} for kind, drawn in (("ghost", ghost), ("band", band)) if drawn
               for s in chart.extra.get(kind, [])]
    hidden = {GHOST} if not ghost else set()
    hidden |= {BAND} if not band else set()
    tips = tips if tips is not None else [f"Week {w}: {text}" for w, text in marks]
    return {"week": week, "marks": len(marks), "size": list(chart.size), "tips": tips, "option": {
        "dataset": datasets, "series": series,
        "legend": {"data": [e for e in chart.option["legend"]["data"] if e not in hidden]},
        "xAxis": [{"max": axis_max} for _ in chart.panels],
        "yAxis": y_axes}}


def changed_only(update: dict, sent: dict) -> dict:
    """``update`` without the parts of its option that are as last sent (``sent`` keeps
    them): most weeks only the data, so echarts redraws the lines and not every series'
    options (the series' marks, the legend and the axes change now and then)."""
    option = dict(update["option"])
    for part in ("series", "legend", "xAxis", "yAxis"):
        if sent.get(part) == option[part]:
            del option[part]
        else:
            sent[part] = option[part]
    return {**update, "option": option}


def short(label: str, most: int = 22) -> str:
    return label if len(label) <= most else label[:most - 1].rstrip() + "…"


def mark_labels(marks: list[tuple[int, str]], spacing: float, most: int = 22) -> list[str]:
    """Each mark's label on the chart: its text cut to fit the plot's height (``most``
    letters), or nothing where it would overprint the label before it (``spacing`` weeks
    apart at least); that one then says how many more it stands for.  The key under the
    charts lists them all."""
    labels, head = [""] * len(marks), None
    for i, (week, label) in enumerate(marks):
        if head is None or week - marks[head][0] >= spacing:
            head, labels[i] = i, short(label, most)
        else:
            more = f" +{sum(1 for j in range(head + 1, i + 1) if not labels[j])}"
            labels[head] = short(marks[head][1], most - len(more)) + more
    return labels


def text_width(text: str, font: float) -> float:
    """Px ``text`` takes at ``font`` px, on the wide side."""
    return len(text) * font * EM


def axis_label_width(axis: dict, font: float, money: bool = False) -> float:
    """Px the labels of a y axis ({"min", "max", "interval"}) take beside it, on the wide side
    (echarts writes 1,000 with a comma, a money axis 1k, and leaves 8 px to the axis)."""
    step = axis["interval"]
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    ticks = (words.money(v) for v in np.arange(axis["min"], axis["max"] + step / 2, step)) if money else \
        (f"{v:,.{decimals}f}" for v in (axis["min"], axis["max"]))   # the widest are at the ends
    return max(text_width(t, font) for t in ticks) + 10


def strip_labels(marks: list[tuple[float, str]], width: float, font: float) -> list[dict | None]:
    """Labels of marks at ``x`` px along a plot ``width`` px wide, in one row of horizontal
    text above it: each starts at its line (or, with no room left before the plot's end,
    ends there), is cut to the room before the next label, and stays inside the plot.  A mark
    with room for fewer than MARK_MIN letters folds into the label before it, which then says
    how many more it stands for ("humility 0.8 +1"), or, cut to fewer than MARK_KEPT letters
    or folding both cultures' marks, how many marks it is ("3 marks"); the key under the
    charts lists them all.  Returns
    {"text", "align"} per mark, None for a folded one."""
    gap, letter = font * 0.8, font * EM
    heads: list[list] = []        # [index, x, room in px, folded, align]

    def text(head) -> str:
        i, _, room, folded, _ = head
        more, letters, label = f" +{folded}" if folded else "", int(room / letter), marks[i][1]
        kept = letters - len(more) - 1 - (3 if label[:3] in ("A: ", "B: ") else 0)   # letters left after the cut
        # a fold is marks i..i+folded; one of both cultures' marks must not wear one's name
        mixed = {"A: ", "B: "} <= {marks[j][1][:3] for j in range(i, i + folded + 1)}
        cut = len(label) + len(more) > letters and kept < MARK_KEPT      # once "A:… +1", which says nothing
        if folded and (mixed or cut) and len(f"{folded + 1} marks") <= letters:
            return f"{folded + 1} marks"
        return short(label, max(1, letters - len(more))) + more

    for i, (x, _) in enumerate(marks):
        if heads and x - heads[-1][1] < MARK_MIN * letter + gap:
            heads[-1][3] += 1
            continue
        if heads:
            heads[-1][2] = x - heads[-1][1] - gap
        heads.append([i, x, width - x, 0, "left"])
    if heads and heads[-1][2] < MARK_MIN * letter:     # too near the plot's end: written before its line
        before = heads[-2][1] + text_width(text(heads[-2]), font) + gap if len(heads) > 1 else 0.0
        heads[-1][2:] = [heads[-1][1] - before, heads[-1][3], "right"]
        if heads[-1][2] < MARK_MIN * letter and len(heads) > 1:
            heads[-2][3] += 1 + heads.pop()[3]
            heads[-1][2] = width - heads[-1][1]
    out: list[dict | None] = [None] * len(marks)
    for head in heads:
        out[head[0]] = {"text": text(head), "align": head[4]}
    return out


def mark_list(marks: list[tuple[int, str]]) -> str:
    """The numbered marks as text, to read beside the charts."""
    return "; ".join(f"{i + 1}: week {w}, {label}" for i, (w, label) in enumerate(marks))


# ----- the customer network and the organisation -----
NETWORK_SAMPLE = 300
EMPLOYEE_SAMPLE = 200
LOYALTY_BINS = [(0.25, "#FDE725"), (0.5, "#5EC962"), (0.75, "#21918C"), (1.01, "#3B528B")]
LOYALTY_BIN_LABELS = ["under 25%", "25-50%", "50-75%", "over 75%"]


def network_positions(model) -> dict:
    """Positions of a neighbourhood of the network, computed once per model: the first
    people on the ring of close contacts (sampled when the market is large), with the
    acquaintances among them as chords."""
    k = min(model.n_customers, NETWORK_SAMPLE)
    angle = 2 * np.pi * np.arange(k) / k
    x, y = np.round(np.cos(angle) * 100, 1), np.round(np.sin(angle) * 100, 1)
    ties = model.contacts[:k, :k].tocoo()
    keep = ties.row < ties.col
    return {"x": x.tolist(), "y": y.tolist(),
            "links": [{"source": int(s), "target": int(t)} for s, t in zip(ties.row[keep], ties.col[keep])]}


def _customer_colours(model, k: int) -> list[str]:
    status = model.status[:k]
    stay = loyalty.yearly_stay(model.satisfaction[:k], model.switching_cost)
    bins = np.searchsorted([b for b, _ in LOYALTY_BINS], stay, side="right")
    palette = np.array([c for _, c in LOYALTY_BINS] + [LOYALTY_BINS[-1][1]])
    colours = palette[np.minimum(bins, len(LOYALTY_BINS) - 1)]
    colours = np.where(status == 0, GREY, np.where(status == 2, VERMILLION, colours))
    return colours.tolist()


def network_layout(positions: dict, culture: str = "") -> dict:
    """The network and organisation chart of one culture (``culture``, "A" or "B", in
    compare mode); the ties are drawn once, colours every week."""
    who = f"{culture}: " if culture else ""
    return {"animation": False, "textStyle": {"fontSize": 17},
            "title": [{"text": f"{who}Customers (a neighbourhood of the network)", "left": "1%",
                       "top": 0, "textStyle": {"fontSize": 18}},
                      {"text": f"{who}Organisation: leaders and employees", "left": "51%", "top": 0,
                       "textStyle": {"fontSize": 18}}],
            "xAxis": [{"show": False, "min": -1, "max": 20, "gridIndex": 0}],
            "yAxis": [{"show": False, "min": -1, "max": 14, "inverse": True, "gridIndex": 0}],
            "grid": [{"left": "53%", "right": "2%", "top": 50, "bottom": 10}],
            "series": [{"id": "network", "type": "graph", "layout": "none", "left": "3%", "width": "42%",
                        "top": 50, "bottom": 10, "silent": True, "symbolSize": 9,
                        "lineStyle": {"color": "#999999", "opacity": 0.35, "width": 1}, "data": [],
                        "links": positions["links"]},
                       {"id": "org", "type": "scatter", "silent": True, "data": [],
                        "xAxisIndex": 0, "yAxisIndex": 0}]}


def network_update(model, positions: dict) -> dict:
    """Customers coloured by loyalty (status), employees by voice and morale, this week."""
    k = len(positions["x"])
    colours = _customer_colours(model, k)
    nodes = [{"x": x, "y": y, "itemStyle": {"color": c}}
             for x, y, c in zip(positions["x"], positions["y"], colours)]
    org = [{"value": [2 + i * 16 / max(model.n_leaders - 1, 1) if model.n_leaders > 1 else 10, 0],
            "symbol": "rect", "symbolSize": 26, "itemStyle": {"color": BLACK}}
           for i in range(min(model.n_leaders, 12))]
    e = min(model.n_employees, EMPLOYEE_SAMPLE)
    speaking, morale = model.speaking[:e], model.morale[:e]
    for i in range(e):
        row, col = divmod(i, 20)
        org.append({"value": [col, 2 + row * 1.2],
                    "symbolSize": round(6 + 12 * float(morale[i]), 1),
                    "itemStyle": {"color": BLUE if speaking[i] else GREY}})
    return {"week": model.steps, "option": {"series": [
        {"id": "network", "data": nodes},
        {"id": "org", "data": org}]}}
