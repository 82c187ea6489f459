"""Chart options for echarts (ccsim.ui.widgets.EChart): the layout once, the data each week.

The layout (grids, axes, series) changes only when compare mode or the run length
changes; each week the page sends the reporters as dataset columns and the marks, and
echarts merges them in the browser.  Colours are the Okabe-Ito palette (colour-blind safe).
"""

from __future__ import annotations

import math

import numpy as np

from ccsim.colours import BLACK, BLUE, GREEN, GREY, ORANGE, PINK, SKY, VERMILLION
from ccsim.dynamics import loyalty
from ccsim.metrics import METRICS, shown

CULTURE_COLOURS = {"A": BLUE, "B": ORANGE}
FONT = 16
ROW_HEIGHT = 225
COLUMNS = 3

SENT_DIGITS = 2   # digits the browser gets beyond those a summary prints (smooth lines)
GROUP_TITLES = {"organisation": "Voice, morale, knowledge"}
GROUP_COLOURS = [GREEN, PINK, SKY]


def _panels() -> list[tuple[str, str, list]]:
    """(panel id, title, [(column, series name, colour)]) from ccsim.metrics; a panel of one
    metric takes its culture's colour."""
    groups: dict[str, list] = {}
    for metric in METRICS.values():
        if metric.panel:
            groups.setdefault(metric.panel, []).append(metric)
    return [(pid, ms[0].title, [(ms[0].name, "", None)]) if len(ms) == 1 else
            (pid, GROUP_TITLES[pid], [(m.name, m.title, c) for m, c in zip(ms, GROUP_COLOURS)])
            for pid, ms in groups.items()]


PANELS = _panels()
GAPS = [(f"gap_{m.name}", f"Gap B - A: {m.name}", m.name) for m in shown("gap")]
COLUMNS_SENT = [column for _, _, series in PANELS for column, _, _ in series]


def layout(names: dict[str, str], weeks: int) -> tuple[dict, str]:
    """The charts' option and height for cultures ``names`` ({"A": label, "B": label})."""
    panels = [(pid, title, series) for pid, title, series in PANELS]
    if "B" in names:
        panels += [(pid, title, [(col, "gap", BLACK)]) for pid, title, col in GAPS]
    rows = math.ceil(len(panels) / COLUMNS)
    option = {"animation": False, "textStyle": {"fontSize": FONT},
              "color": [BLUE, ORANGE, GREEN, PINK, SKY, VERMILLION],
              "legend": {"top": 0, "textStyle": {"fontSize": FONT}},
              "tooltip": {"trigger": "axis", "textStyle": {"fontSize": FONT}},
              "dataset": [{"id": side, "source": {"week": []}} for side in [*names, *(["gap"] if "B" in names else [])]],
              "title": [], "grid": [], "xAxis": [], "yAxis": [], "series": []}
    for i, (pid, title, series) in enumerate(panels):
        row, col = divmod(i, COLUMNS)
        top = 34 + row * ROW_HEIGHT
        if "B" in names and len(series) > 1:
            title = "Organisation (B dashed)"
        option["title"].append({"text": title, "top": top, "left": f"{col * 100 / COLUMNS + 1:.1f}%",
                                "textStyle": {"fontSize": FONT + 1, "fontWeight": "bold"}})
        option["grid"].append({"top": top + 34, "height": ROW_HEIGHT - 76,
                               "left": f"{col * 100 / COLUMNS + 6:.1f}%", "width": f"{100 / COLUMNS - 9:.1f}%"})
        option["xAxis"].append({"type": "value", "gridIndex": i, "min": 0, "max": weeks,
                                "name": "week" if row == rows - 1 else "", "nameGap": 24,
                                "nameLocation": "middle", "axisLabel": {"fontSize": FONT - 2}})
        option["yAxis"].append({"type": "value", "gridIndex": i, "scale": True,
                                "axisLabel": {"fontSize": FONT - 2}})
        sides = ["gap"] if pid.startswith("gap_") else list(names)
        for side in sides:
            for column, label, colour in series:
                compare = "B" in names
                if side == "gap":
                    name = label
                elif label:
                    name = label           # B is dashed; one legend entry for both
                else:
                    name = f"{side}: {names[side]}" if compare else names[side]
                option["series"].append({
                    "id": f"{pid}-{column}-{side}", "name": name, "type": "line",
                    "showSymbol": False, "symbolSize": 9,
                    "datasetId": side, "encode": {"x": "week", "y": column},
                    "xAxisIndex": i, "yAxisIndex": i, "lineStyle": {"width": 3,
                                                                    "type": "dashed" if side == "B" and label else "solid"},
                    "color": colour or CULTURE_COLOURS.get(side, BLACK)})
    option["legend"]["data"] = list(dict.fromkeys(s["name"] for s in option["series"] if s["name"] != "gap"))
    return option, f"{34 + rows * ROW_HEIGHT}px"


def columns(history: dict) -> dict[str, list]:
    """The reporters the charts show, rounded, as dataset columns."""
    out = {"week": list(range(len(history["loyalty"])))}
    for name in COLUMNS_SENT:
        out[name] = np.round(np.asarray(history[name], dtype=float),
                             METRICS[name].decimals + SENT_DIGITS).tolist()
    return out


def update(option: dict, week: int, weeks: int, data: dict[str, dict], marks: list[tuple[int, str]]) -> dict:
    """This week's data and marks, to merge into ``option`` in the browser."""
    datasets = [{"id": side, "source": source} for side, source in data.items()]
    if "A" in data and "B" in data:
        a, b = data["A"], data["B"]
        n = min(len(a["week"]), len(b["week"]))
        gap = {"week": a["week"][:n]}
        for _, _, col in GAPS:
            gap[col] = np.round(np.subtract(b[col][:n], a[col][:n]),
                                METRICS[col].decimals + SENT_DIGITS).tolist()
        datasets.append({"id": "gap", "source": gap})
    first = {}
    for s in option["series"]:
        first.setdefault(s["xAxisIndex"], s["id"])
    marked = set(first.values())   # one series a panel carries its marks
    lines = [{"xAxis": w, "name": str(i + 1)} for i, (w, _) in enumerate(marks)]   # numbered: see mark_list
    # at week 0 each line is a single point, shown as a dot (a lone point draws no line)
    series = [{"id": s["id"], "showSymbol": week == 0} for s in option["series"]]
    for entry in series:
        if entry["id"] in marked:
            entry["markLine"] = {
                "symbol": "none", "silent": True, "animation": False,
                "lineStyle": {"color": VERMILLION, "type": "solid", "width": 2},
                "label": {"show": True, "formatter": "{b}", "position": "end",
                          "fontSize": FONT - 3, "color": VERMILLION},
                "data": lines}
    axis_max = max(weeks, week)
    return {"week": week, "marks": len(marks), "option": {"dataset": datasets, "series": series,
                                     "xAxis": [{"max": axis_max} for _ in option["xAxis"]]}}


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
    return {"animation": False, "textStyle": {"fontSize": FONT},
            "title": [{"text": f"{who}Customers (a neighbourhood of the network)", "left": "1%",
                       "top": 0, "textStyle": {"fontSize": FONT + 1}},
                      {"text": f"{who}Organisation: leaders and employees", "left": "51%", "top": 0,
                       "textStyle": {"fontSize": FONT + 1}}],
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
