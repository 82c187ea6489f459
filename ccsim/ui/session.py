"""One browser session's run: the preset, the seed, the model (and in compare mode a
second model with another culture on the same seed and market), and what changed when.

Plain Python, no Solara: the page (ccsim.ui.app) holds one Session per browser session,
so what one student does never shows in another's.  Everything that reaches a Session
from the page has been checked against PARAMS and the list of presets (ccsim.ui.query).
"""

from __future__ import annotations

import functools
import io
import logging
import secrets
import threading

from ccsim.params import CULTURE_TRAITS, PARAMS, ParamError
from ccsim.scenarios import list_scenarios, load_scenario

# Parameters that set the size of the model: chosen before a run, not during it.
SIZE_PARAMS = ("n_customers", "n_needs", "n_identities", "strong_ties", "weak_ties",
               "n_employees", "n_leaders")
MAX_SEED = 2**31 - 1
log = logging.getLogger(__name__)


def new_seed() -> int:
    return secrets.randbelow(MAX_SEED) + 1


@functools.cache
def catalogue() -> tuple[dict[str, str], tuple[str, ...]]:
    """Preset name -> title of every preset that loads, and a note for each file left out
    (logged too); read once per process."""
    skipped = []

    def skip(message: str):
        log.warning("ccsim ui: preset skipped: %s", message)
        skipped.append(f"a preset was left out: {message}")

    return {s.name: s.title for s in list_scenarios(on_error=skip)}, tuple(skipped)


def presets() -> dict[str, str]:
    """Preset name -> title of every listed preset."""
    return catalogue()[0]


def listed(preset: str) -> str:
    """``preset`` if it names a listed preset; anything else (a path, say) is refused, so
    nothing sent from a browser picks a file to read."""
    if preset not in presets():
        raise ParamError(f"preset: {str(preset)[:40]!r} is not a listed preset")
    return preset


def culture_of(preset: str) -> dict:
    """The culture traits a preset sets (defaults for the traits it leaves out)."""
    params = load_scenario(listed(preset)).params
    return {name: params.get(name, PARAMS[name].default) for name in CULTURE_TRAITS}


class Session:
    """A run that can be stepped, changed mid-run, reset, replayed and compared.

    ``start`` holds the parameters the user set before week 0 (on top of the preset);
    ``changes`` the mid-run changes as (week, {name: value}, side) with side "A", "B" or
    "AB", so a link or Replay can repeat them at the same weeks.  ``culture_b`` holds what
    culture B sets on top of A's market: its preset's culture traits and any practice the
    story's [compare] table changes (survey-fatigue: the survey rate).
    """

    def __init__(self, preset: str, seed: int | None = None, start: dict | None = None,
                 changes: list | None = None, compare: str | None = None,
                 culture_b: dict | None = None):
        self.lock = threading.RLock()
        self.preset = preset
        self.scenario = load_scenario(listed(preset))
        self.seed = int(seed) if seed is not None else new_seed()
        self.start = dict(start or {})
        self.changes: list[tuple[int, dict, str]] = list(changes or [])
        self.compare = compare
        self.culture_b = dict(culture_b or (culture_of(compare) if compare else {}))
        self._build()

    # ----- building -----
    def params(self) -> dict:
        """Parameters at week 0 of culture A: the preset's, then the user's."""
        return {**self.scenario.params, **self.start}

    def _build(self):
        from ccsim.model import CultureModel   # Mesa: imported once the server is up (ccsim ui)

        self.model = CultureModel(rng=self.seed, events=self.scenario.events,
                                  customer_agents=False, **self.params())
        self.model_b = None
        if self.compare:
            # the same market (A's parameters and seed) with culture B, and the events of
            # B's own story: e.g. the HiPPO firm beside the turnaround, without the new leader
            self.model_b = CultureModel(rng=self.seed, events=load_scenario(listed(self.compare)).events,
                                        customer_agents=False, **{**self.params(), **self.culture_b})
        self._applied = 0   # recorded changes are replayed from the start
        self.generation = getattr(self, "generation", 0) + 1   # tells views the models are new

    def _models(self):
        return [m for m in (self.model, self.model_b) if m is not None]

    # ----- the run -----
    @property
    def week(self) -> int:
        return max(m.steps for m in self._models())

    @property
    def running(self) -> bool:
        return any(m.running for m in self._models())

    def step(self, weeks: int = 1) -> int:
        """Step the models ``weeks`` weeks (a perished firm stays where it stopped),
        first replaying any recorded change due this week."""
        with self.lock:
            for _ in range(weeks):
                if not self.running:
                    break
                while self._applied < len(self.changes) and self.changes[self._applied][0] <= self.week:
                    _, values, side = self.changes[self._applied]
                    self._apply(values, side)
                    self._applied += 1
                for model in self._models():
                    if model.running:
                        model.step()
            return self.week

    def set_params(self, values: dict, side: str = "AB"):
        """Change parameters from next week on: before week 0 they become start values.

        Culture traits from the main sliders change culture A only in compare mode
        (``side`` "A"); the compare panel's sliders change culture B ("B"); anything else
        is the market and changes both ("AB").
        """
        with self.lock:
            if self.week == 0:
                self._set_start(values, side)
                self._build()
                return
            sized = [name for name in values if name in SIZE_PARAMS]
            if sized:
                raise ValueError(f"{sized[0]} sets the size of the model: change it before week 1")
            self._record(self.week, values, side)
            self._apply(values, side)

    def _set_start(self, values: dict, side: str):
        """Make ``values`` week-0 values of culture A, of culture B, or of both ("AB"; a
        value B holds of its own, such as its story's survey rate, follows too)."""
        if "A" in side:
            self.start.update(values)
        if "B" in side:
            self.culture_b.update({k: v for k, v in values.items()
                                   if k in CULTURE_TRAITS or k in self.culture_b})

    def _apply(self, values: dict, side: str):
        if "A" in side:
            self.model.set_params(label=_label(values, "A" if self.compare else ""), **values)
        if "B" in side and self.model_b is not None:
            self.model_b.set_params(label=_label(values, "B"), **values)

    def _record(self, week: int, values: dict, side: str):
        """Record a change made now.  Changes waiting to be replayed later are dropped (the
        run has taken another turn), and moving the same slider again in the same week
        replaces the change and its mark instead of adding one per drag."""
        del self.changes[self._applied:]
        last = self.changes[-1] if self.changes else None
        if last and last[0] == week and last[2] == side and set(last[1]) == set(values):
            self.changes[-1] = (week, dict(values), side)
            for model, who in ((self.model, "A" if self.compare else ""), (self.model_b, "B")):
                if model is not None and model.marks and model.marks[-1] == (week, _label(last[1], who)):
                    model.marks.pop()
        else:
            self.changes.append((week, dict(values), side))
        self._applied = len(self.changes)

    def reset(self, seed: int | None = None, keep_changes: bool = False):
        """Back to week 0 (same seed unless given).  Without ``keep_changes`` the values now
        on the sliders become the start values; with it, the run replays exactly."""
        with self.lock:
            if not keep_changes:
                for _, values, side in self.changes:
                    self._set_start(values, side)
                self.changes = []
            if seed is not None:
                self.seed = int(seed)
            self._build()

    def choose(self, preset: str):
        """Switch to another preset: its parameters, week 0, same seed and compare mode."""
        with self.lock:
            self.preset, self.scenario = preset, load_scenario(listed(preset))
            self.start, self.changes = {}, []
            self._build()

    def set_compare(self, preset: str | None, culture: dict | None = None):
        """Switch compare mode on (culture B from ``preset``, then the values in ``culture``:
        culture traits, or a practice its story's [compare] sets, never the market's size)
        or off, keeping the week."""
        with self.lock:
            week = self.week
            self.culture_b = culture_of(preset) if preset else {}
            self.compare = preset
            self.culture_b.update({k: v for k, v in (culture or {}).items() if k not in SIZE_PARAMS})
            self._build()
            self.step(week)

    def current(self, side: str = "A") -> dict:
        """Parameter values now in force on one side (what the sliders show)."""
        model = self.model if side == "A" or self.model_b is None else self.model_b
        return model.params()

    def twins(self) -> bool:
        """Whether culture B is, for now, the same firm as A (same values, same story
        events): its curves would lie on A's."""
        return (self.model_b is not None and self.model_b.params() == self.model.params()
                and self.model_b.events == self.model.events)

    def label_b(self) -> str:
        """Culture B's name: the label the story's [compare] table gives its counterpart
        while B is that counterpart unchanged, else B's preset."""
        s = self.scenario
        pair = {**culture_of(self.compare),
                **{k: v for k, v in s.pair_params.items() if k not in SIZE_PARAMS}}
        own = self.compare == (s.pair or None) and s.pair_label and self.culture_b == pair
        return s.pair_label if own else self.compare

    def marks(self) -> list[tuple[int, str]]:
        """Events and changes of both runs, once each, for the charts."""
        seen, out = set(), []
        for model in (self.model, self.model_b):
            for week, label in (model.marks if model is not None else []):
                if (week, label) not in seen:
                    seen.add((week, label))
                    out.append((week, label))
        return sorted(out, key=lambda m: m[0])

    # ----- results -----
    def history(self, side: str = "A") -> dict[str, list]:
        model = self.model if side == "A" else self.model_b
        return model.datacollector.model_vars

    def dataframe(self):
        """The run's reporters by week (a pandas DataFrame); in compare mode both cultures,
        in a column."""
        import pandas as pd

        frames = []
        for side, model in (("A", self.model), ("B", self.model_b)):
            if model is not None:
                df = model.dataframe().reset_index()
                df.insert(0, "culture", side)
                frames.append(df)
        return pd.concat(frames, ignore_index=True)

    def csv(self) -> str:
        buffer = io.StringIO()
        self.dataframe().to_csv(buffer, index=False)
        return buffer.getvalue()

    def file_stem(self) -> str:
        vs = f"-vs-{self.compare}" if self.compare else ""
        return f"ccsim-{self.preset}{vs}-seed{self.seed}"


def _label(values: dict, side: str) -> str:
    text = ", ".join(f"{name.replace('_', ' ')} {value:g}" for name, value in values.items())
    return f"{side}: {text}" if side else text
