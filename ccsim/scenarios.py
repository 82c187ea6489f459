"""Presets that tell a story: scenarios/*.toml, read with the standard library's tomllib.

A preset is data only (nothing in it is executed).  Its fields::

    title = "A HiPPO-led firm"            # required
    story = "one line"                     # required
    steps = 260                            # default run length in weeks
    extends = "hippo"                      # optional: start from that preset's params
    debrief = ["question", "question"]
    key_charts = ["organisation", "nps", "customers", "cash"]   # presenter mode's four charts

    [params]                               # anything in ccsim.params.PARAMS
    humility = 0.1

    [[events]]                             # ccsim.events kinds: set, new_leader, defect, shock
    week = 104
    kind = "new_leader"
    label = "a humble leader with a P&L arrives"
    args = { humility = 0.9, accountability = 0.9 }

    [info]                                 # the NetLogo Info-tab texts
    what_is_it = "..."
    things_to_notice = "..."
    things_to_try = "..."

    [compare]                              # optional: what `ccsim compare A` sets beside it
    with = "customer-centric"              # a preset in the same market (default: this one)
    set = { humility = 0.9 }               # parameters changed on that side
    label = "the same firm, listening"

Every field is checked; a bad one raises ParamError with one line naming the file, the
field and what is allowed.  Presets are found by name in the repository's ``scenarios/``
directory (or, for an installed wheel, in ``<prefix>/share/ccsim/scenarios``), or given as
a path to a .toml file.
"""

from __future__ import annotations

import os
import sysconfig
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ccsim.events import Event, make_event
from ccsim.params import MAX_WEEKS, ParamError, validate

DEFAULT_SCENARIO = "baseline"
DEFAULT_STEPS = 260            # five years of weeks
MAX_EXTENDS = 10               # presets in one chain of ``extends``
MAX_FILE_BYTES = 1_000_000     # a preset or experiment file; the largest shipped is 2 kB
INFO_KEYS = ("what_is_it", "things_to_notice", "things_to_try")
TOP_KEYS = ("title", "story", "steps", "extends", "params", "events", "info", "debrief", "compare",
            "key_charts")
KEY_CHARTS = ("loyalty", "nps", "customers", "cash")   # presenter mode's charts unless a preset names its own
COMPARE_KEYS = ("with", "set", "label")
EVENT_KEYS = ("week", "kind", "args", "label")


@dataclass(frozen=True)
class Scenario:
    """A checked preset (see the module docstring for the file format)."""

    name: str
    title: str
    story: str
    params: dict = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    info: dict = field(default_factory=dict)
    debrief: list[str] = field(default_factory=list)
    steps: int = DEFAULT_STEPS
    path: Path | None = None
    pair: str | None = None          # the counterpart preset ([compare] with; this one if unset)
    pair_params: dict = field(default_factory=dict)   # what the counterpart changes on top
    pair_label: str = ""
    key_charts: tuple[str, ...] = KEY_CHARTS    # the charts presenter mode and the PDF show

    def partner(self) -> tuple[Scenario, dict, str]:
        """The counterpart of compare mode: its preset, the parameters it changes, a label."""
        if self.pair is None:
            raise ParamError(f"{self.name}: this preset names no counterpart ([compare]); "
                             f"give two scenarios")
        other = self if self.pair == self.name else load_scenario(self.pair)
        return other, dict(self.pair_params), self.pair_label or other.title


def scenario_dirs() -> list[Path]:
    """Where presets are looked up by name, first match wins."""
    installed = [sysconfig.get_path("data"), sysconfig.get_path("data", f"{os.name}_user")]
    dirs = [Path(__file__).resolve().parent.parent / "scenarios",
            *(Path(d) / "share" / "ccsim" / "scenarios" for d in installed)]
    return [d for d in dirs if d.is_dir()]


def _preset_paths() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for directory in scenario_dirs():
        for path in sorted(directory.glob("*.toml")):
            found.setdefault(path.stem, path)
    return found


def _looks_like_path(text: str) -> bool:
    return text.endswith(".toml") or os.sep in text or "/" in text


def find_scenario(name_or_path) -> tuple[str, Path]:
    """The preset's name and file, or ParamError naming what is allowed."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or _looks_like_path(text):
        path = Path(text)
        if not path.is_file():
            raise ParamError(f"{text}: no such scenario file; allowed: a .toml file that "
                             f"exists, or a preset name (see `ccsim scenarios`)")
        return path.stem, path
    presets = _preset_paths()
    if text not in presets:
        raise ParamError(f"unknown preset {text!r}; allowed: {', '.join(presets) or '(none)'}, "
                         f"or a path to a .toml file")
    return text, presets[text]


def load_scenario(name_or_path, _chain: tuple[Path, ...] = ()) -> Scenario:
    """Read and check a preset by name (scenarios/NAME.toml) or by path."""
    name, path = find_scenario(name_or_path)
    where = _display(path)
    return _check(read_toml(path, where), name, path, where, _chain + (path.resolve(),))


def read_toml(path, where: str) -> dict:
    """A TOML file as data (tomllib: nothing in it runs), or ParamError in one line."""
    try:
        with open(path, "rb") as handle:
            text = handle.read(MAX_FILE_BYTES + 1)
        if len(text) > MAX_FILE_BYTES:
            raise ParamError(f"{where}: larger than {MAX_FILE_BYTES // 1000} kB; allowed: "
                             f"a preset or experiment file up to that size")
        return tomllib.loads(text.decode())
    except ParamError:
        raise
    except (tomllib.TOMLDecodeError, ValueError) as error:   # ValueError: a 5000-digit number
        raise ParamError(f"{where}: malformed TOML: {_one_line(error)}") from None
    except RecursionError:
        raise ParamError(f"{where}: nested too deeply; allowed: tables and arrays a few "
                         f"levels deep") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ParamError(f"{where}: cannot read: {_one_line(error)}") from None


def list_scenarios(on_error=None) -> list[Scenario]:
    """Every preset in the scenarios directory, the default first, then by name.

    A preset that does not load raises its error; with ``on_error`` it is left out instead
    and ``on_error(message)`` gets one line naming its file."""
    found, paths = [], _preset_paths()
    for name in sorted(paths, key=lambda n: (n != DEFAULT_SCENARIO, n)):
        try:
            found.append(load_scenario(name))
        # ParamError, or what a hostile file gets past the checks (huge numbers, deep nesting)
        except (ValueError, ArithmeticError, RecursionError) as error:
            if on_error is None:
                raise
            where, message = _display(paths[name]), _one_line(error)
            on_error(message if message.startswith(where) else f"{where}: {message}")
    return found


# ----- checking -----
def _check(data: dict, name: str, path: Path, where: str, chain: tuple[Path, ...]) -> Scenario:
    unknown = [k for k in data if k not in TOP_KEYS]
    if unknown:
        raise ParamError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(TOP_KEYS)}")
    title = _text(data, "title", where, required=True)
    story = _text(data, "story", where, required=True)
    steps = data.get("steps", DEFAULT_STEPS)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_WEEKS:
        raise ParamError(f"{where}: steps={steps!r}; allowed: a whole number of weeks in "
                         f"[1, {MAX_WEEKS}]")
    params = validate(_table(data, "params", where), f"{where}: [params]")
    if "extends" in data:
        params = {**_base_params(data, path, where, chain), **params}
    events = _events(data.get("events", []), where, steps)
    info = _table(data, "info", where)
    bad = [k for k in info if k not in INFO_KEYS]
    if bad:
        raise ParamError(f"{where}: unknown key 'info.{bad[0]}'; allowed: {', '.join(INFO_KEYS)}")
    info = {k: _text(info, k, f"{where}: info") for k in INFO_KEYS if k in info}
    debrief = data.get("debrief", [])
    if not isinstance(debrief, list) or not all(isinstance(q, str) and q.strip() for q in debrief):
        raise ParamError(f"{where}: debrief must be a list of questions (strings)")
    pair = _pair(data, name, path, where) if "compare" in data else {}
    return Scenario(name=name, title=title, story=story, params=params, events=events,
                    info=info, debrief=list(debrief), steps=steps, path=path,
                    key_charts=_key_charts(data.get("key_charts", KEY_CHARTS), where), **pair)


def _key_charts(names, where: str) -> tuple[str, ...]:
    """Four distinct charts of the app (the panels the reporters are drawn in)."""
    from ccsim.metrics import METRICS

    charts = list(dict.fromkeys(m.panel for m in METRICS.values() if m.panel))
    if (not isinstance(names, list | tuple) or len(names) != len(KEY_CHARTS) or len(set(map(str, names))) != len(names)
            or not all(n in charts for n in names)):
        raise ParamError(f"{where}: key_charts={names!r}; allowed: {len(KEY_CHARTS)} different charts of "
                         f"{', '.join(charts)}")
    return tuple(names)


def _resolve(name: str, path: Path, where: str, field_name: str) -> str:
    """A preset named inside a file: a name, or a path relative to that file."""
    if _looks_like_path(name):
        name = str(path.parent / name)
    try:
        find_scenario(name)
    except ParamError as error:
        raise ParamError(f"{where}: {field_name}: {error}") from None
    return name


def _base_params(data: dict, path: Path, where: str, chain: tuple[Path, ...]) -> dict:
    name = _resolve(_text(data, "extends", where, required=True), path, where, "extends")
    if find_scenario(name)[1].resolve() in chain:
        raise ParamError(f"{where}: extends {name!r} goes round in a circle; "
                         f"allowed: a preset that does not extend this one")
    if len(chain) > MAX_EXTENDS:
        raise ParamError(f"{where}: extends {name!r} makes a chain of more than {MAX_EXTENDS} "
                         f"presets; allowed: at most {MAX_EXTENDS}")
    return load_scenario(name, chain).params


def _pair(data: dict, own_name: str, path: Path, where: str) -> dict:
    table = _table(data, "compare", where)
    unknown = [k for k in table if k not in COMPARE_KEYS]
    if unknown:
        raise ParamError(f"{where}: unknown key 'compare.{unknown[0]}'; "
                         f"allowed: {', '.join(COMPARE_KEYS)}")
    name = _text(table, "with", f"{where}: compare")
    name = _resolve(name, path, where, "compare.with") if name else own_name
    params = validate(_table(table, "set", f"{where}: compare"), f"{where}: compare.set")
    return dict(pair=name, pair_params=params, pair_label=_text(table, "label", f"{where}: compare"))


def _events(raw, where: str, steps: int) -> list[Event]:
    if not isinstance(raw, list):
        raise ParamError(f"{where}: events must be an array of tables ([[events]])")
    events = []
    for i, item in enumerate(raw, start=1):
        at = f"{where}: events[{i}]"
        if not isinstance(item, dict):
            raise ParamError(f"{at} must be a table with {', '.join(EVENT_KEYS)}")
        unknown = [k for k in item if k not in EVENT_KEYS]
        if unknown:
            raise ParamError(f"{at}: unknown key {unknown[0]!r}; allowed: {', '.join(EVENT_KEYS)}")
        if "week" not in item or "kind" not in item:
            raise ParamError(f"{at} needs week and kind")
        if not isinstance(item["kind"], str):
            raise ParamError(f"{at}: kind must be a string")
        args = _table(item, "args", at)
        label = _text(item, "label", at)
        events.append(make_event(item["week"], item["kind"], args, label, where=at, max_week=steps))
    return events


def _table(data: dict, key: str, where: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ParamError(f"{where}: {key} must be a table of NAME = value")
    return value


def _text(data: dict, key: str, where: str, required: bool = False) -> str:
    if key not in data:
        if required:
            raise ParamError(f"{where}: missing {key} (a string)")
        return ""
    value = data[key]
    if not isinstance(value, str) or (required and not value.strip()):
        raise ParamError(f"{where}: {key} must be a non-empty string")
    return value.strip()


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
