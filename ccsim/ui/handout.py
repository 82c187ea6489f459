"""What a run's exports carry besides the numbers, so that a file on its own says what ran:
the CSV's header block (version, preset, seed, every parameter, every move) and the texts
around the PNG handout (title, seed, story, the marks' key, the debrief questions)."""

from __future__ import annotations

import io
import json

import ccsim
from ccsim.params import defaults
from ccsim.ui.charts import mark_list
from ccsim.ui.words import plain


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
