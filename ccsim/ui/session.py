"""One browser session's run: the preset, the seed, the model (and in compare mode a
second model with another culture on the same seed and market), and what changed when.

Plain Python, no Solara: the page (ccsim.ui.app) holds one Session per browser session,
so what one student does never shows in another's.  Everything that reaches a Session
from the page has been checked against PARAMS and the list of presets (ccsim.ui.query).

A slider moved mid-run is a Move, kept as the core's own ``set`` event on the model's
timeline (ccsim.events): a model rebuilt from the preset's events and the moves runs the
same weeks, which is how Replay and a link repeat a run.  Beside each side the last move
touched runs its ghost: the same seed without that move, the run that did not happen.
Once the model draws each kind of chance from its own stream (common random numbers), the
two runs differ by the move's own effect only.
"""

from __future__ import annotations

import copy
import functools
import logging
import secrets
import threading
from typing import NamedTuple

from ccsim.events import Event, make_event
from ccsim.params import CULTURE_TRAITS, FIXED_SIZES, MAX_SEED, PARAMS, ParamError
from ccsim.scenarios import Scenario, list_scenarios
from ccsim.ui.words import label

# A new session's seed.  Any seed up to ccsim.params.MAX_SEED is accepted (from a link);
# fresh ones are drawn below 2**31 so that links stay short to read out and type.
NEW_SEED_BELOW = 2**31 - 1
NOTED = "\u270e"   # a pencil: in the key under the charts, this move has a note (its mark's tooltip)
log = logging.getLogger(__name__)


def new_seed() -> int:
    return secrets.randbelow(NEW_SEED_BELOW) + 1


@functools.cache
def catalogue() -> tuple[dict[str, Scenario], tuple[str, ...]]:
    """Every preset that loads, by name, and a note for each file left out (logged too);
    read once per process."""
    skipped = []

    def skip(message: str):
        log.warning("ccsim ui: preset skipped: %s", message)
        skipped.append(f"a preset was left out: {message}")

    return {s.name: s for s in list_scenarios(on_error=skip)}, tuple(skipped)


def presets() -> dict[str, str]:
    """Preset name -> title of every listed preset."""
    return {name: s.title for name, s in catalogue()[0].items()}


def scenario(preset: str) -> Scenario:
    """A listed preset; anything else (a path, say) is refused, so nothing sent from a
    browser picks a file to read."""
    found = catalogue()[0].get(preset) if isinstance(preset, str) else None
    if found is None:
        raise ParamError(f"preset: {str(preset)[:40]!r} is not a listed preset")
    return found


def culture_of(preset: str) -> dict:
    """The culture traits a preset sets (defaults for the traits it leaves out)."""
    params = scenario(preset).params
    return {name: params.get(name, PARAMS[name].default) for name in CULTURE_TRAITS}


class Move(NamedTuple):
    """A change made mid-run while week ``week`` was on screen, on side "A", "B" or "AB"
    (both): in force from the next week, as a ``set`` event of that week; ``note`` is the
    trainer's words on it (checked by query.clean_note)."""

    week: int
    values: dict
    side: str
    note: str = ""

    @property
    def text(self) -> str:
        return ", ".join(f"{label(name)} {value:g}" for name, value in self.values.items())

    def event(self) -> Event:
        return make_event(self.week + 1, "set", self.values, self.text, where="move")


class Session:
    """A run that can be stepped, changed mid-run, reset, replayed and compared.

    ``start`` holds the parameters the user set before week 0 (on top of the preset);
    ``changes`` the Moves made since, so a link or Replay can repeat them at the same
    weeks; ``ghosts`` the run without the last move, for each side it touched.
    ``culture_b`` holds what culture B sets on top of A's market: its preset's culture
    traits and any practice the story's [compare] table changes (survey-fatigue: the
    survey rate).  ``built`` counts the models each side has had, so that views know
    when one is new.
    """

    def __init__(self, preset: str, seed: int | None = None, start: dict | None = None,
                 changes: list | None = None, compare: str | None = None,
                 culture_b: dict | None = None):
        self.lock = threading.RLock()
        self.preset = preset
        self.scenario = scenario(preset)
        self.seed = int(seed) if seed is not None else new_seed()
        self.start = dict(start or {})
        self.changes: list[Move] = [Move(*change) for change in changes or []]
        self.compare = compare
        self.culture_b = dict(culture_b or (culture_of(compare) if compare else {}))
        self.model = self.model_b = None
        self.ghosts: dict[str, object] = {}
        self.bands: dict[str, dict] = {}     # side -> reporter -> (mean, low, high) by week, over seeds
        self.built = {"A": 0, "B": 0}
        self._build("AB")

    # ----- building -----
    def params(self, side: str = "A") -> dict:
        """Parameters at week 0 of culture A (the preset's, then the user's), or of culture
        B (A's market with B's culture)."""
        a = {**self.scenario.params, **self.start}
        return a if side == "A" else {**a, **self.culture_b}

    def events(self, side: str, moves: list | None = None) -> list[Event]:
        """One side's timeline: the moves made on it, then the events of its own story
        (B: e.g. the HiPPO firm beside the turnaround, without the new leader), so that in
        a week with both the story's event has the last word, as when the move was made."""
        story = self.scenario if side == "A" else scenario(self.compare)
        moves = self.changes if moves is None else moves
        return sorted([*(m.event() for m in moves if side in m.side), *story.events], key=lambda e: e.week)

    def _build(self, sides: str, weeks: int = 0):
        """New models for ``sides`` ("A", "B" or "AB"; B only in compare mode), stepped
        ``weeks`` weeks, with their ghosts."""
        for side in sides:
            if side == "B" and not self.compare:
                self.model_b = None
                self.ghosts.pop("B", None)
                continue
            self._set_model(side, self._new_model(side, self.changes, weeks))
            self._build_ghost(side)

    def _new_model(self, side: str, moves: list, weeks: int):
        from ccsim.runs import build  # Mesa: imported once the server is up (ccsim ui)

        return build(self.params(side), self.events(side, moves), self.seed).advance(weeks)

    def _set_model(self, side: str, model):
        setattr(self, "model" if side == "A" else "model_b", model)
        self.built[side] += 1
        self.bands = {}

    def _build_ghost(self, side: str):
        """The run of ``side`` without the last move, caught up with the side's model; none
        if that move did not touch the side."""
        model = self.model if side == "A" else self.model_b
        if self.changes and side in self.changes[-1].side:
            self.ghosts[side] = self._new_model(side, self.changes[:-1], model.steps)
        else:
            self.ghosts.pop(side, None)

    def _sides(self):
        return [(side, m) for side, m in (("A", self.model), ("B", self.model_b)) if m is not None]

    def _models(self):
        return [m for _, m in self._sides()]

    # ----- the run -----
    @property
    def week(self) -> int:
        return max(m.steps for m in self._models())

    @property
    def running(self) -> bool:
        return any(m.running for m in self._models())

    def step(self, weeks: int = 1) -> int:
        """Step the models ``weeks`` weeks (a perished firm stays where it stopped)."""
        with self.lock:
            for _ in range(weeks):
                if not self.running:
                    break
                for model in [*self._models(), *self.ghosts.values()]:
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
                before = {s: self.params(s) for s in "AB"}
                self._set_start(values, side)
                self._build("".join(s for s in "AB" if self.params(s) != before[s]))
                return
            fixed = [name for name in values if PARAMS[name].fixed]
            if fixed:
                raise ValueError(f"{fixed[0]} sets the size of the model: change it before week 1")
            self._record(Move(self.week, dict(values), side))

    def _set_start(self, values: dict, side: str):
        """Make ``values`` week-0 values of culture A, of culture B, or of both ("AB"; a
        value B holds of its own, such as its story's survey rate, follows too)."""
        if "A" in side:
            self.start.update(values)
        if "B" in side:
            self.culture_b.update({k: v for k, v in values.items()
                                   if k in CULTURE_TRAITS or k in self.culture_b})

    def _record(self, move: Move):
        """Record a move made now.  Moves still waiting for a later week are dropped (the
        run has taken another turn), and moving the same sliders again in the same week
        replaces the move instead of adding one.  The ghost of each side it touches is the
        run as it stood: a copy of the model before the move's event is on its timeline."""
        kept = [m for m in self.changes if m.week <= move.week]
        last = kept[-1] if kept else None
        if last and last.week == move.week and last.side == move.side and set(last.values) == set(move.values):
            kept[-1] = move._replace(note=last.note)
        else:
            kept.append(move)
            self.ghosts = {side: copy.deepcopy(model) for side, model in self._sides() if side in move.side}
            for side, ghost in self.ghosts.items():
                ghost.events = self.events(side, kept[:-1])
        self.changes = kept
        self.bands = {}
        for side, model in self._sides():
            model.events = self.events(side)

    def annotate(self, note: str):
        """Put ``note`` on the last move ("" takes it off)."""
        with self.lock:
            if self.changes:
                self.changes[-1] = self.changes[-1]._replace(note=note)

    def undo(self) -> Move | None:
        """Take back the last move: each side it touched goes on as its ghost, the run
        without it, at the same week; the move before it gets its ghost."""
        with self.lock:
            if not self.changes:
                return None
            move = self.changes.pop()
            for side, _ in self._sides():
                if side in move.side:
                    self._set_model(side, self.ghosts.pop(side))
            for side, _ in self._sides():
                self._build_ghost(side)
            return move

    def reset(self, seed: int | None = None, keep_changes: bool = False):
        """Back to week 0 (same seed unless given).  Without ``keep_changes`` the values now
        on the sliders become the start values; with it, the run replays exactly."""
        with self.lock:
            if not keep_changes:
                for move in self.changes:
                    self._set_start(move.values, move.side)
                self.changes = []
            if seed is not None:
                self.seed = int(seed)
            self._build("AB")

    def choose(self, preset: str):
        """Switch to another preset: its parameters, week 0, same seed; in compare mode B
        becomes the new story's counterpart."""
        with self.lock:
            self.preset, self.scenario = preset, scenario(preset)
            self.start, self.changes = {}, []
            if self.compare:
                try:
                    self.compare, self.culture_b = self.counterpart()
                except ParamError:   # left out of the list: B starts as a copy of A
                    self.compare, self.culture_b = preset, culture_of(preset)
            self._build("AB")

    def counterpart(self) -> tuple[str, dict]:
        """The story's culture B: its [compare] preset (the story's own when it names none)
        and that preset's culture with what the story changes on it (not the market's
        size); ParamError if the counterpart is not listed (its file did not load)."""
        s = self.scenario
        pair = s.pair or self.preset
        culture = {**culture_of(pair), **{k: v for k, v in s.pair_params.items() if k not in FIXED_SIZES}}
        return pair, culture

    def set_compare(self, preset: str | None, culture: dict | None = None):
        """Switch compare mode on (culture B from ``preset``, then the values in ``culture``:
        culture traits, or a practice its story's [compare] sets, never the market's size)
        or off, keeping the week: B is built and caught up, A runs on."""
        with self.lock:
            week = self.week
            self.culture_b = culture_of(preset) if preset else {}
            self.compare = preset
            self.culture_b.update({k: v for k, v in (culture or {}).items() if k not in FIXED_SIZES})
            self._build("B", week)

    def current(self, side: str = "A") -> dict:
        """Parameter values now in force on one side, with a move made this week (what the
        sliders show)."""
        side = "A" if self.model_b is None else side
        model = self.model if side == "A" else self.model_b
        values = model.params()
        for move in self.changes:
            if side in move.side and move.week >= model.steps:
                values.update(move.values)
        return values

    def twins(self) -> bool:
        """Whether culture B is, for now, the same firm as A (same values, same story
        events): its curves would lie on A's."""
        return (self.model_b is not None and self.current("B") == self.current("A")
                and scenario(self.compare).events == self.scenario.events)

    def label_b(self) -> str:
        """Culture B's name: the label the story's [compare] table gives its counterpart
        while B is that counterpart (moved or not: its moves are marked), else B's
        preset."""
        s = self.scenario
        return s.pair_label if self.compare == (s.pair or None) and s.pair_label else self.compare

    def marks(self) -> list[tuple[int, str]]:
        """Events and moves of both runs, once each, for the charts.  In compare mode a
        mark of one side names it ("A: ", "B: "); one of both (a shared event, a move of
        the market) names none.  A move shows at the week it was made (its ``set`` event,
        a week later, is not marked again)."""
        return [(week, label) for week, label, _, _ in self._marks()]

    def key(self, notes: bool = True) -> list[tuple[int, str]]:
        """The marks as the handouts and the charts' tooltips list them: a move's note after
        its text (without ``notes``, as the key under the charts lists them: a move with a
        note is followed by NOTED, and the note is in the mark's tooltip)."""
        return [(week, (f'{label} - "{note}"' if notes else f"{label} {NOTED}") if note else label)
                for week, label, _, note in self._marks()]

    def headlines(self) -> set[tuple[int, str]]:
        """The marks the room should read on the charts: the moves and the stories' own
        events (not what the model marks by itself, such as a defect a change brought)."""
        return {(week, label) for week, label, headline, _ in self._marks() if headline}

    def _marks(self) -> list[tuple[int, str, bool, str]]:
        live = "".join(side for side, _ in self._sides())
        found: dict[tuple[int, str], str] = {}
        for side, model in self._sides():
            again = {(m.week + 1, m.text) for m in self.changes if side in m.side}
            for mark in model.marks:
                if mark not in again and side not in found.get(mark, ""):
                    found[mark] = found.get(mark, "") + side
        for move in self.changes:
            sides = "".join(side for side in move.side if side in live)
            if sides and move.week <= self.week:
                found[(move.week, move.text)] = found.get((move.week, move.text), "") + sides
        stories = [self.scenario, *([scenario(self.compare)] if self.compare else [])]
        told = {m.text for m in self.changes} | {e.title for story in stories for e in story.events}
        notes = {(m.week, m.text): m.note for m in self.changes if m.note}
        return sorted(((week, _side_label(sides, live) + text, text in told, notes.get((week, text), ""))
                       for (week, text), sides in found.items()), key=lambda m: m[0])

    def replicate(self, runs: int, names: list[str], each_run=None) -> bool:
        """Run each side on ``runs`` seeds from this one on (as ``ccsim compare --reps``),
        with the moves, over the run's length, outside the lock; keep the mean and 95%
        band of the reporters ``names`` in ``bands`` unless the run changed meanwhile
        (then False).  ``each_run(done)`` counts the runs made on both sides."""
        from ccsim.intervals import mean_interval
        from ccsim.runs import replicate

        def stamp():
            return self.seed, dict(self.built), list(self.changes)

        with self.lock:
            plans = {side: (self.params(side), self.events(side)) for side, _ in self._sides()}
            weeks, began = max(self.scenario.steps, self.week), stamp()
        seeds = [(self.seed + r - 1) % MAX_SEED + 1 for r in range(runs)]
        bands = {}
        for done, (side, (params, events)) in enumerate(plans.items()):
            values = replicate(params, events, weeks, seeds, names,
                               each_run and (lambda k, before=done * runs: each_run(before + k)))
            bands[side] = {name: mean_interval(v) for name, v in values.items()}
        with self.lock:
            if stamp() != began:
                return False
            self.bands = bands
            return True

    # ----- results -----
    def history(self, side: str = "A") -> dict[str, list]:
        model = self.model if side == "A" else self.model_b
        return model.datacollector.model_vars

    def dataframe(self):
        """The run's reporters by week (a pandas DataFrame); in compare mode both cultures,
        in a column."""
        import pandas as pd

        frames = []
        for side, model in self._sides():
            df = model.dataframe().reset_index()
            df.insert(0, "culture", side)
            frames.append(df)
        return pd.concat(frames, ignore_index=True)

    def file_stem(self) -> str:
        vs = f"-vs-{self.compare}" if self.compare else ""
        return f"ccsim-{self.preset}{vs}-seed{self.seed}"


def _side_label(sides: str, live: str) -> str:
    """"A: " or "B: " for a mark of one side while both run; nothing otherwise."""
    return f"{sides}: " if len(live) > 1 and len(set(sides)) == 1 else ""
