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
from ccsim.ui.charts import CULTURE_COLOURS, KEY_PANELS, PANELS, mark_labels, mark_list, scaled
from ccsim.ui.words import plain

PAGE_WIDTH = 8.27           # inches: A4's width; the page is as long as its text needs
LINE = 0.2                  # inches a line of text takes


def _sides(session) -> list[tuple[str, str, dict]]:
    """(side, name, parameters now) of each culture running."""
    sides = [("A", session.preset, session.current("A"))]
    if session.model_b is not None:
        sides.append(("B", session.label_b(), session.current("B")))
    return sides


def header(session) -> list[str]:
    """The lines that say what ran: version, preset, seed, parameters at week 0, moves."""
    s = session
    lines = [f"ccsim {ccsim.__version__}; preset {s.preset} ({s.scenario.title}); seed {s.seed}; "
             f"week {s.week}"]
    for side, name, _ in _sides(s):
        values = {**defaults(), **s.params(side)}
        lines.append(f"{side} ({name}) at week 0: " + ", ".join(f"{k}={v:g}" for k, v in sorted(values.items())))
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


def pdf(session) -> bytes:
    """The PNG handout's content as a PDF (matplotlib's own PDF backend): its texts around
    the key charts of each culture; moves and the stories' events as lines numbered as in
    the key (folded where they would overprint), what the model marks by itself faint."""
    from matplotlib.figure import Figure

    from ccsim.plots import money_axis

    s = session
    panels = [p for p in PANELS if p.id in KEY_PANELS]
    with s.lock:
        text, marks, told, weeks = png_text(s), s.key(), s.headlines(), max(s.scenario.steps, s.week)
        headlines = [m in told for m in s.marks()]
        sides = [(side, f"{side}: {name}" if s.model_b is not None else name,
                  {m.name: list(s.history(side)[m.name]) for p in panels for m in p.metrics})
                 for side, name, _ in _sides(s)]
    title, *head = text["head"]
    head = [line for entry in head for line in textwrap.wrap(entry, 95)]
    foot = [line for entry in text["foot"] for line in textwrap.wrap(entry, 95)]
    top, charts, rows = 0.9 + (len(textwrap.wrap(title, 60)) + len(head) + 1) * LINE, 2.4, 2
    fig = Figure(figsize=(PAGE_WIDTH, top + rows * charts + 0.4 + (len(foot) + 1) * LINE))
    height = fig.get_figheight()

    def write(lines, y, size=10, weight="normal"):
        for line in lines:
            fig.text(0.6 / PAGE_WIDTH, 1 - y / height, line, va="top", fontsize=size, fontweight=weight)
            y += LINE * size / 10
        return y

    write(head, write(textwrap.wrap(title, 60), 0.5, 15, "bold") + 0.1)
    numbered = [(week, str(i + 1)) for i, ((week, _), told) in enumerate(zip(marks, headlines)) if told]
    labels = dict(zip(numbered, mark_labels(numbered, weeks / 25)))
    for i, panel in enumerate(panels):
        row, column = divmod(i, 2)
        ax = fig.add_axes([(0.7 + column * 3.75) / PAGE_WIDTH, 1 - (top + (row + 1) * charts - 0.3) / height,
                           3.2 / PAGE_WIDTH, (charts - 0.75) / height])
        for side, name, history in sides:
            values = history[panel.metrics[0].name]
            ax.plot(range(len(values)), [v * scaled(panel.metrics[0]) for v in values],
                    color=CULTURE_COLOURS[side], linewidth=1.6, label=name)
        for (week, _), told in zip(marks, headlines):
            ax.axvline(week, color=VERMILLION, linewidth=1.2 if told else 0.6, alpha=0.9 if told else 0.35)
        for (week, _), label in labels.items():
            ax.annotate(label, xy=(week, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -2),
                        textcoords="offset points", va="top", fontsize=8, color=VERMILLION)
        ax.set_xlim(0, weeks)
        ax.set_title(panel.title, fontsize=11, loc="left")
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        money_axis(ax, panel.metrics[0])
    fig.legend(*ax.get_legend_handles_labels(), loc="upper left", ncol=2, frameon=False, fontsize=9,
               bbox_to_anchor=(0.6 / PAGE_WIDTH, 1 - (top - 0.45) / height))
    write(foot, top + rows * charts + 0.3)
    out = io.BytesIO()
    fig.savefig(out, format="pdf", metadata={"Title": title, "Creator": f"ccsim {ccsim.__version__}"})
    return out.getvalue()
