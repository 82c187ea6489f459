"""What a run's exports carry besides the numbers, so that a file on its own says what ran:
the CSV's header block (version, preset, seed, every parameter, every move), the texts
around the PNG handout (title, seed, story, the marks' key, the debrief questions) and the
same handout as a PDF."""

from __future__ import annotations

import io
import json
import textwrap

import ccsim
from ccsim.colours import VERMILLION
from ccsim.params import defaults
from ccsim.ui import charts
from ccsim.ui.charts import CULTURE_COLOURS, ORGANISATION_COLOURS, PANELS, mark_labels, mark_list, scaled
from ccsim.ui.words import money_note, plain

A4 = (210 / 25.4, 297 / 25.4)   # inches: the PDF handout is one A4 page, portrait
MARGIN = (0.6, 0.5)             # inches: left and right, top and bottom
LINE = 0.2                      # inches a line of 10-point text takes
SIZES = (10, 9.5, 9, 8.5, 8, 7.5, 7)   # points: the text shrinks until it fits the page
CHART_ROW = 2.4                 # inches: a row of charts (title, plot, ticks)
MORE = "... (the CSV lists every move)"


def _sides(session) -> list[tuple[str, str, dict]]:
    """(side, name, parameters now) of each culture running."""
    sides = [("A", session.preset, session.current("A"))]
    if session.model_b is not None:
        sides.append(("B", session.label_b(), session.current("B")))
    return sides


def header(session) -> list[str]:
    """The lines that say what ran: version, preset, seed, parameters at week 0, what money
    is counted in, moves."""
    s = session
    lines = [f"ccsim {ccsim.__version__}; preset {s.preset} ({s.scenario.title}); seed {s.seed}; "
             f"week {s.week}"]
    for side, name, _ in _sides(s):
        values = {**defaults(), **s.params(side)}
        lines.append(f"{side} ({name}) at week 0: " + ", ".join(f"{k}={v:g}" for k, v in sorted(values.items())))
    lines.append(money_note())
    lines += [f"change: week {m.week}, {m.side}, " + ", ".join(f"{k}={v:g}" for k, v in m.values.items())
              + (f", note {json.dumps(m.note, ensure_ascii=False)}" if m.note else "") for m in s.changes]
    return lines


def csv(session) -> str:
    """The run's data (both cultures in compare mode) under a header block of lines that
    start with '#' (pandas: ``read_csv(path, comment="#")``)."""
    buffer = io.StringIO()
    buffer.writelines(f"# {line}\n" for line in header(session))
    session.dataframe().to_csv(buffer, index=False)
    return buffer.getvalue()


def png_text(session) -> dict:
    """The lines above and below the charts of the PNG handout."""
    s = session
    vs = f" vs B: {s.label_b()}" if s.model_b is not None else ""
    head = [f"{s.scenario.title}{vs}", plain(s.scenario.story),
            f"Seed {s.seed}, week {s.week}. The same seed in ccsim gives the same run."]
    marks = s.key()
    foot = ([f"Marked: {mark_list(marks)}"] if marks else [])
    foot += [f"Debrief: {plain(q)}" for q in s.scenario.debrief]
    return {"head": head, "foot": foot}


def _wrapped(entries: list[str], size: float) -> list[str]:
    """``entries`` wrapped to the page's width at ``size`` points."""
    width = int(92 * 10 / size)
    return [line for entry in entries for line in textwrap.wrap(entry, width)]


def fit_text(title: str, head: list[str], marks: list[str], debrief: list[str], charts: float):
    """(text size, title lines, head lines, foot lines) that fit one A4 page around
    ``charts`` inches of charts: the largest of SIZES at which everything fits; at the
    smallest, the marks' key is cut (ending in MORE), since the CSV lists every move."""
    titles = textwrap.wrap(title, 60)
    room = A4[1] - 2 * MARGIN[1] - 0.3 * len(titles) - 0.25 - charts
    for size in SIZES:
        lines = [_wrapped(part, size) for part in (head, marks, debrief)]
        if sum(map(len, lines)) * LINE * size / 10 <= room:
            return size, titles, lines[0], lines[1] + lines[2]
    room_lines = int(room / (LINE * size / 10))
    keep = max(0, room_lines - len(lines[0]) - len(lines[2]) - 1)
    return size, titles, lines[0], lines[1][:keep] + [MORE] + lines[2]


def figure(session):
    """The handout as a matplotlib Figure of one A4 page (portrait): the PNG handout's
    texts around the key charts of each culture, on the app's titles and y ranges; moves
    and the stories' events as lines numbered as in the key (folded where they would
    overprint), what the model marks by itself faint."""
    from matplotlib.figure import Figure

    from ccsim.plots import money_axis

    s = session
    panels = [p for p in PANELS if p.id in session.scenario.key_charts]
    with s.lock:
        text, marks, told, weeks = png_text(s), s.key(), s.headlines(), max(s.scenario.steps, s.week)
        headlines = [m in told for m in s.marks()]
        sides = [(side, f"{side}: {name}" if s.model_b is not None else name,
                  {m.name: list(s.history(side)[m.name]) for p in panels for m in p.metrics})
                 for side, name, _ in _sides(s)]
    title, *head = text["head"]
    key = [entry for entry in text["foot"] if entry.startswith("Marked: ")]
    rows = 2
    size, titles, head, foot = fit_text(title, head, key, [e for e in text["foot"] if e not in key],
                                        0.45 + rows * CHART_ROW)
    width, height = A4
    fig = Figure(figsize=A4)

    def write(lines, y, points=size, weight="normal"):
        for line in lines:
            fig.text(MARGIN[0] / width, 1 - y / height, line, va="top", fontsize=points, fontweight=weight)
            y += LINE * points / 10
        return y

    y = write(titles, MARGIN[1], 15, "bold") + 0.1
    y = write(head, y) + 0.15
    legend_at, top = y, y + 0.3
    numbered = [(week, str(i + 1)) for i, ((week, _), told) in enumerate(zip(marks, headlines)) if told]
    labels = dict(zip(numbered, mark_labels(numbered, weeks * 0.4 / 3.05)))   # 0.4 in of 3.05 apart
    for i, panel in enumerate(panels):
        row, column = divmod(i, 2)
        ax = fig.add_axes([(MARGIN[0] + 0.4 + column * 3.65) / width,
                           1 - (top + (row + 1) * CHART_ROW - 0.35) / height,
                           3.05 / width, (CHART_ROW - 0.75) / height])
        several = len(panel.metrics) > 1    # the organisation: a colour per measure, B dashed
        drawn = []
        for side, name, history in sides:
            for metric, colour in zip(panel.metrics, ORGANISATION_COLOURS if several else [CULTURE_COLOURS[side]]):
                values = [v * scaled(metric) for v in history[metric.name]]
                drawn += values
                ax.plot(range(len(values)), values, color=colour, linewidth=1.6,
                        linestyle="--" if several and side == "B" else "-",
                        label=(metric.title if side == "A" else None) if several else name)
        if several:
            ax.legend(fontsize=7, frameon=False, loc="lower right")
        for (week, _), told in zip(marks, headlines):
            ax.axvline(week, color=VERMILLION, linewidth=1.2 if told else 0.6, alpha=0.9 if told else 0.35)
        for (week, _), label in labels.items():
            ax.annotate(label, xy=(week, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -2),
                        textcoords="offset points", va="top", fontsize=8, color=VERMILLION)
        ax.set_xlim(0, weeks)
        axis = charts.axis_range(panel, drawn)
        ax.set_ylim(axis["min"], axis["max"])
        ax.set_title(charts.titles(panel, len(sides) > 1)[0], fontsize=11, loc="left")
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        money_axis(ax, panel.metrics[0])
    cultures = next(a for a, p in zip(fig.axes, panels) if len(p.metrics) == 1)
    fig.legend(*cultures.get_legend_handles_labels(), loc="upper left", ncol=2, frameon=False, fontsize=9,
               bbox_to_anchor=(MARGIN[0] / width, 1 - legend_at / height), borderaxespad=0)
    write(foot, top + rows * CHART_ROW + 0.1)
    return fig, title


def pdf(session) -> bytes:
    """The handout (``figure``) as a one-page A4 PDF (matplotlib's own PDF backend)."""
    fig, title = figure(session)
    out = io.BytesIO()
    fig.savefig(out, format="pdf", metadata={"Title": title, "Creator": f"ccsim {ccsim.__version__}"})
    return out.getvalue()
