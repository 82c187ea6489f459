"""The run in the page's address: preset, seed, parameters, compare mode, mid-run changes.

A link reproduces what the trainer showed.  The address is user input: every entry is
checked against the presets and PARAMS (and the sliders' ranges), numbers written with the
digits 0-9 only; anything else is left out with a one-line note for the page.  Nothing in it
reaches the file system: a preset is accepted only by the name of a listed preset, never as
a path.

Format: ``preset=NAME&seed=N&humility=0.9&vs=NAME&b.humility=0.2&change=WEEK:SIDE:name=v,...``
(a move with the trainer's note: ``...:NOTE`` after its values) and optionally ``week=N``
(open the run at week N) and ``present=1`` (presenter mode).  An address holds at most
MAX_QUERY characters (a server refuses much longer ones), so as many moves as fit in it;
the page says so when a run has more.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

from ccsim.params import FIXED_SIZES, MAX_SEED, MAX_WEEKS, PARAMS, ParamError

MAX_QUERY = 8000      # characters; a longer address is not a link anyone made here
MAX_NOTES = 5         # notes shown; the rest are counted
MAX_NOTE = 60         # characters of the trainer's note on a move
# a number as ``encode`` writes it: digits 0-9, a point, an exponent (no nan, inf, 0x10 or ²)
NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", re.ASCII)
SIDES = ("A", "B", "AB")
# Ranges wider than a slider can show usefully (and sizes that would swamp a shared
# server) are cut to ten times the default.
WIDE = 20


def slider_range(name: str) -> tuple[float, float, float]:
    """(low, high, step) of a parameter's slider."""
    p = PARAMS[name]
    hi = p.hi
    if p.default > 0 and p.hi / p.default >= WIDE:
        hi = min(p.hi, p.default * 10)
    if p.kind is int:
        return p.lo, hi, 1
    step = 10 ** math.floor(math.log10((hi - p.lo) / 100))   # 0.01 on a 0-1 range: "0.95", not "0.949"
    return p.lo, hi, step


def check(name: str, value, where: str) -> float | int:
    """A parameter value (a number, or text written as NUMBER) checked against PARAMS and
    its slider's range; nan, inf and numbers too big for a float are refused too."""
    lo, hi, _ = slider_range(name)
    number = _number(value)
    if not math.isfinite(number):
        shown = f"={value[:40]!r}" if isinstance(value, str) else ""
        raise ParamError(f"{where}: {name}{shown} is not a number in [{lo:g}, {hi:g}]")
    value = PARAMS[name].check(number, where)
    if not lo <= value <= hi:
        raise ParamError(f"{where}: {name}={value:g} is outside the slider's range [{lo:g}, {hi:g}]")
    return value


def clean_note(text, where: str) -> str:
    """The trainer's note on a move: printable text with its spaces collapsed, at most
    MAX_NOTE characters; ParamError otherwise."""
    if not isinstance(text, str):
        raise ParamError(f"{where}: a note must be text")
    text = " ".join(text.split())
    if len(text) > MAX_NOTE:
        raise ParamError(f"{where}: a note holds at most {MAX_NOTE} characters, this one {len(text)}")
    if not text.isprintable():
        raise ParamError(f"{where}: a note holds letters, digits, spaces and punctuation only")
    return text


def _number(value) -> float:
    """``value`` as a float: nan unless it is a number or NUMBER text, inf if too big."""
    if isinstance(value, str):
        return float(value) if NUMBER.fullmatch(value) else math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    try:
        return float(value)
    except OverflowError:   # an int too big for a float
        return math.inf


def _whole(text: str, hi: int) -> int | None:
    """``text`` as a whole number in [1, hi] written with the digits 0-9, else None."""
    if text.isascii() and text.isdigit() and len(text) <= len(str(hi)) and 1 <= int(text) <= hi:
        return int(text)
    return None


@dataclass
class RunState:
    preset: str
    seed: int | None = None
    start: dict = field(default_factory=dict)
    compare: str | None = None
    culture_b: dict = field(default_factory=dict)
    changes: list = field(default_factory=list)
    week: int = 0                               # the week to open the run at
    present: bool = False                       # presenter mode
    notes: list = field(default_factory=list)   # what was left out of the address, and why


def parse(search: str | None, presets: list[str], default: str) -> RunState:
    """The run an address asks for; bad entries are left out and named in ``notes``."""
    state = RunState(preset=default)
    if not search:
        return state
    if len(search) > MAX_QUERY:
        state.notes.append(f"the address is longer than {MAX_QUERY} characters; it was ignored")
        return state
    query = parse_qs(search, keep_blank_values=True)

    def note(error):
        state.notes.append(str(error))

    for key, values in query.items():
        if key != "change" and len(values) > 1:
            note(f"{key[:40]}: given {len(values)} times; the last one counts")

    def preset(key):
        name = _one(query.pop(key, []))
        if name is not None and name not in presets:
            note(f"{key}: unknown preset {name[:40]!r}; allowed: {', '.join(presets)}")
            return None
        return name

    state.preset = preset("preset") or default
    state.compare = preset("vs")
    seed = _one(query.pop("seed", []))
    if seed is not None:
        state.seed = _whole(seed, MAX_SEED)
        if state.seed is None:
            note(f"seed: {seed[:40]!r} must be a whole number in [1, {MAX_SEED}]")
    week = _one(query.pop("week", []))
    if week is not None:
        state.week = _whole(week, MAX_WEEKS) or 0
        if not state.week:
            note(f"week: {week[:40]!r} must be a whole number in [1, {MAX_WEEKS}]")
    present = _one(query.pop("present", []))
    state.present = present == "1"
    if present not in (None, "0", "1"):
        note(f"present: {present[:40]!r} must be 1 (presenter mode) or 0")
    for raw in query.pop("change", []):
        try:
            state.changes.append(_change(raw, note))
        except ParamError as error:
            note(error)
    state.changes.sort(key=lambda c: c[0])
    for key, values in query.items():
        name = key[2:] if key.startswith("b.") else key
        try:
            if name not in PARAMS:
                raise ParamError(f"unknown parameter {key[:40]!r}")
            if key.startswith("b.") and name in FIXED_SIZES:
                raise ParamError(f"{key}: both cultures serve the same market; its size is set without b.")
            value = check(name, values[-1], key)
        except ParamError as error:
            note(error)
            continue
        (state.culture_b if key.startswith("b.") else state.start)[name] = value
    if state.culture_b and not state.compare:
        note(f"b.{', b.'.join(state.culture_b)}: culture B is set only with vs=PRESET")
        state.culture_b = {}
    if len(state.notes) > MAX_NOTES:
        state.notes[MAX_NOTES:] = [f"and {len(state.notes) - MAX_NOTES} more entries were left out"]
    return state


def _one(values: list[str]) -> str | None:
    return values[-1] if values else None


def _change(raw: str, warn) -> tuple:
    """``WEEK:SIDE:name=v,name=v`` -> (week, {name: v}, side), and ``...:NOTE`` -> (week,
    {name: v}, side, note); a bad note is left out (``warn`` says so) and the move kept."""
    where = f"change {raw[:60]!r}"
    try:
        week, side, body = raw.split(":", 2)
        body, _, note = body.partition(":")
        pairs = [item.split("=", 1) for item in body.split(",")]
        values = {name: value for name, value in pairs}
    except ValueError:
        raise ParamError(f"{where}: expected WEEK:SIDE:name=value,...") from None
    if len(values) < len(pairs):
        raise ParamError(f"{where}: a parameter is named twice")
    week = _whole(week, MAX_WEEKS)
    if week is None:
        raise ParamError(f"{where}: week must be a whole number in [1, {MAX_WEEKS}]")
    if side not in SIDES:
        raise ParamError(f"{where}: side must be one of {', '.join(SIDES)}")
    checked = {}
    for name, value in values.items():
        if name not in PARAMS or name in FIXED_SIZES:
            raise ParamError(f"{where}: {name[:40]!r} cannot change during a run")
        checked[name] = check(name, value, where)
    if note:
        try:
            return week, checked, side, clean_note(note, where)
        except ParamError as error:
            warn(f"{error}; the move is kept without it")
    return week, checked, side


def encode(preset: str, seed: int, start: dict, compare: str | None, culture_b: dict,
           changes: list, preset_params: dict, compare_culture: dict, present: bool = False) -> str:
    """The address query for a run; values equal to the preset's are left out."""
    items = [("preset", preset), ("seed", str(seed))]
    items += [(k, f"{v:g}") for k, v in start.items() if preset_params.get(k, PARAMS[k].default) != v]
    if compare:
        items.append(("vs", compare))
        items += [(f"b.{k}", f"{v:g}") for k, v in culture_b.items() if compare_culture.get(k) != v]
    for move in changes:
        body = ",".join(f"{k}={v:g}" for k, v in move.values.items())
        items.append(("change", f"{move.week}:{move.side}:{body}" + (f":{move.note}" if move.note else "")))
    if present:
        items.append(("present", "1"))
    return urlencode(items, safe=":,=")
