"""Scenario discovery on a sweep: where in factor space does a condition hold, as a story.

Scenario discovery (Bryant & Lempert 2010) marks each run by a condition on its end
values (``perished``, ``cash < 0``, ``nps < 0 and customers > 100``) and looks for boxes of
the factors' space that hold most of the runs where it holds.  The boxes are found by
PRIM (Friedman & Fisher 1999) as EMA Workbench implements it (Kwakkel 2017): peel a thin
slice off the box's side that raises the density most, paste back what helps, and report
the peeling trajectory.  Every run is a data point (its replications too): density is the
chance that a run in the box meets the condition, coverage the share of all such runs the
box holds; quasi-p is Bryant & Lempert's one-sided binomial test of each restriction (of
its weaker side, for a factor bounded on both).

From the trajectory the box kept is the one with the most coverage among those with a
density of at least ``min_density`` (the densest if none reaches it); further boxes are
found among the runs outside the earlier ones (PRIM's covering), while they beat the
remaining runs' base rate.  The best box's centre becomes a preset a trainer can load
(``ccsim run story.toml --seed S``) and a link to the app, with a seed for which the
condition held at that centre (run again here, as a sweep runs it), and a counterpart for
``ccsim compare story.toml``: the same firm with each restricted factor outside the box.
"""

from __future__ import annotations

import json
import operator
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ccsim.output import output_dir
from ccsim.params import PARAMS, ParamError
from ccsim.sweep.analysis import end_values, markdown_table
from ccsim.sweep.store import ResultStore
from ccsim.sweep.survival import failure_times

OPS = {"<=": operator.le, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
       "<": operator.lt, ">": operator.gt}
TERM = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:(<=|>=|==|!=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))?\s*$")
FORM = (f"NAME (true when not 0) or NAME OP NUMBER, with OP one of {', '.join(OPS)}, joined by "
        f"'and' / 'or'")
PEEL_ALPHA = 0.05      # share of the box's runs peeled off at each step (Friedman & Fisher: 0.05-0.1)
MASS_MIN = 0.05        # the smallest box: 5% of the runs
APP = "http://127.0.0.1:8765/"


@dataclass(frozen=True)
class Condition:
    """A checked ``--where`` expression: ``test(frame)`` marks the rows where it holds."""

    text: str
    terms: tuple[tuple[tuple[str, str | None, float | None], ...], ...]   # or of ands

    def test(self, frame: pd.DataFrame) -> np.ndarray:
        held = np.zeros(len(frame), dtype=bool)
        for conjunction in self.terms:
            part = np.ones(len(frame), dtype=bool)
            for name, op, number in conjunction:
                values = frame[name].to_numpy(dtype=float)
                part &= OPS[op](values, number) if op else values != 0
            held |= part
        return held


def parse_where(text: str, names: list[str]) -> Condition:
    """The condition in ``text`` over the columns ``names``; ParamError naming what is wrong."""
    where = f"--where {text!r}"
    if not text.strip():
        raise ParamError(f"{where}: empty; allowed: {FORM}")
    terms = []
    for alternative in re.split(r"\s+or\s+", text.strip()):
        conjunction = []
        for term in re.split(r"\s+and\s+", alternative):
            match = TERM.match(term)
            if not match:
                raise ParamError(f"{where}: cannot read {term.strip()!r}; allowed: {FORM}")
            name, op, number = match.groups()
            if name not in names:
                raise ParamError(f"{where}: unknown output {name!r}; allowed: {', '.join(names)}")
            value = float(number) if number is not None else None
            if value is not None and not np.isfinite(value):
                raise ParamError(f"{where}: {number!r} is not a finite number; allowed: {FORM}")
            conjunction.append((name, op, value))
        terms.append(tuple(conjunction))
    return Condition(text.strip(), tuple(terms))


def discover(sweep_dir, where: str, out=None, boxes: int = 2, min_density: float = 0.8,
             tries: int = 3) -> Path:
    """Find the boxes where ``where`` holds among the sweep's runs and write them, with the
    best box as a story (see the module docstring); return the directory written
    (default DIR/discovery)."""
    _check_option("--boxes", boxes, 1, 10)
    _check_option("--tries", tries, 1, 20)
    if not 0 < min_density <= 1:
        raise ParamError(f"--min-density={min_density!r}; allowed: a number in (0, 1]")
    store = ResultStore(sweep_dir)
    manifest = store.manifest()
    if manifest is None:
        raise ParamError(f"{sweep_dir}: no sweep here (no manifest.json); run ccsim sweep first")
    names = list(manifest["design"]["names"])
    outputs = list(dict.fromkeys([*manifest["experiment"]["reporters"], "perished"]))
    condition = parse_where(where, outputs)
    runs = store.load_runs()
    if runs.empty:
        raise ParamError(f"{sweep_dir}: no finished runs yet; run ccsim sweep --resume")
    ends = end_values(runs)
    ends["perished"] = failure_times(ends, manifest["experiment"]["weeks"]).event.to_numpy(float)
    held = condition.test(ends)
    if held.all() or not held.any():
        raise ParamError(f"--where {condition.text!r}: holds in {int(held.sum())} of {len(held)} "
                         f"runs; allowed: a condition that holds in some runs but not all")
    found = find_boxes(ends[names], held, boxes, min_density)
    out = Path(out) if out else Path(sweep_dir) / "discovery"
    with output_dir(out, "discover", inputs=[sweep_dir]) as tmp:
        _write(manifest, ends, held, condition, found, tries, tmp)
    return out


def _check_option(option: str, value, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ParamError(f"{option}={value!r}; allowed: a whole number in [{lo}, {hi}]")


@dataclass
class Box:
    """One box kept from PRIM's trajectory: its limits per factor (lo, hi, restricted,
    quasi_p), its statistics and the whole peeling trajectory it came from."""

    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    runs: int
    of_interest: int
    trajectory: pd.DataFrame
    chosen: int


def find_boxes(x: pd.DataFrame, y: np.ndarray, most: int, min_density: float) -> list[Box]:
    """Up to ``most`` boxes of ``x`` (factor values per run) where ``y`` holds, by EMA
    Workbench's PRIM with covering (see the module docstring)."""
    y = np.asarray(y, dtype=bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # its optional back-ends missing, pandas deprecations
        from ema_workbench.analysis.prim import Prim

        prim = Prim(x.reset_index(drop=True), y, peel_alpha=PEEL_ALPHA, paste_alpha=PEEL_ALPHA,
                    mass_min=MASS_MIN)
    found = []
    for _ in range(most):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = prim.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory.reset_index(drop=True)
        dense = trajectory[trajectory.density >= min_density]
        chosen = int(dense.coverage.idxmax() if len(dense) else trajectory.density.idxmax())
        if found and trajectory.density[chosen] <= trajectory.density[0]:   # no better than
            break                                                            # the runs left
        box.select(chosen)
        found.append(_box(box, prim, chosen, trajectory))
    return found


def _box(box, prim, chosen: int, trajectory: pd.DataFrame) -> Box:
    limits = box.box_lims[chosen]
    initial = prim.box_init
    quasi_p = box.p_values[chosen]
    rows = []
    for factor in limits.columns:
        lo, hi = float(limits[factor].iloc[0]), float(limits[factor].iloc[1])
        restricted = (lo, hi) != (float(initial[factor].iloc[0]), float(initial[factor].iloc[1]))
        # one test per restricted side (-1: that side is free); the weaker one is reported
        sides = [p for p in quasi_p.get(factor, []) if p >= 0] if restricted else []
        rows.append({"factor": factor, "lo": lo, "hi": hi, "restricted": restricted,
                     "quasi_p": float(max(sides)) if sides else np.nan})
    row = trajectory.loc[chosen]
    return Box(pd.DataFrame(rows), float(row.coverage), float(row.density), float(row.mass),
               int(row.n), int(row.k), trajectory, chosen)


def _write(manifest, ends, held, condition, found, tries, out: Path) -> None:
    from ccsim.sweep import plots

    limits, steps = [], []
    for i, box in enumerate(found, start=1):
        stats = {"box": i, "coverage": box.coverage, "density": box.density, "mass": box.mass,
                 "runs": box.runs, "of_interest": box.of_interest}
        limits.append(box.limits.assign(**stats)[[*stats, *box.limits.columns]])
        steps.append(box.trajectory[["coverage", "density", "mass", "res_dim", "n", "k"]]
                     .rename(columns={"n": "runs", "k": "of_interest"})
                     .assign(box=i, step=range(len(box.trajectory)),
                             chosen=lambda t, b=box: t.step == b.chosen))
    boxes = pd.concat(limits, ignore_index=True)
    peeling = pd.concat(steps, ignore_index=True)[["box", "step", "coverage", "density", "mass",
                                                   "res_dim", "runs", "of_interest", "chosen"]]
    boxes.to_csv(out / "boxes.csv", index=False)
    peeling.to_csv(out / "peeling.csv", index=False)
    plots.peeling(peeling, out / "peeling.png")
    story = _story(manifest, ends, held, condition, found[0])
    (out / "story.toml").write_text(story["toml"])
    trial = _try_seeds(out / "story.toml", manifest, condition, story["seeds"][:tries])
    (out / "discovery.md").write_text(_report(manifest, held, condition, found, boxes,
                                              story, trial))


def _story(manifest, ends, held, condition, box: Box) -> dict:
    """The best box's centre as a preset (TOML text), with the seeds of the runs in the box
    where the condition held, nearest the centre first."""
    design, e = manifest["design"], manifest["experiment"]
    params = dict(manifest["base_params"])
    bounds = dict(zip(design["names"], design["bounds"]))
    centre = {row.factor: _as_param(row.factor, (row.lo + row.hi) / 2 if row.restricted else
                                    sum(bounds[row.factor]) / 2)     # free: the sweep's range
              for row in box.limits.itertuples()}
    params.update(centre)
    inside = np.ones(len(ends), dtype=bool)
    for row in box.limits.itertuples():
        inside &= (ends[row.factor] >= row.lo).to_numpy() & (ends[row.factor] <= row.hi).to_numpy()
    near = ends[inside & held].copy()
    span = {f: (hi - lo) or 1.0 for f, (lo, hi) in bounds.items()}
    near["distance"] = sum(((near[f] - centre[f]) / span[f]) ** 2 for f in centre)
    seeds = [int(s) for s in near.sort_values(["distance", "run"]).seed]
    restricted = box.limits[box.limits.restricted]
    outside = {}     # the counterpart: each restriction's larger side outside the box, its middle
    for r in restricted.itertuples():
        low, high = bounds[r.factor]
        outside[r.factor] = _as_param(r.factor, (low + r.lo) / 2 if r.lo - low > high - r.hi
                                      else (r.hi + high) / 2)
    where = " and ".join(f"{r.factor} {_range(r.lo, r.hi, *bounds[r.factor])}"
                         for r in restricted.itertuples()) or "anywhere in the sweep's range"
    title = f"Where {condition.text}: {e['title']}"
    text = (f"Of the sweep's runs with {where}, {box.density:.0%} met '{condition.text}' at week "
            f"{e['weeks']} (against {held.mean():.0%} of all runs); they are {box.coverage:.0%} of "
            f"all the runs where it held.")
    lines = [f"# Found by ccsim discover in the sweep {e['name']!r} (PRIM; Bryant & Lempert 2010)",
             f"title = {json.dumps(title)}", f"story = {json.dumps(text)}", f"steps = {e['weeks']}",
             "debrief = [", f"  {json.dumps(f'What in this culture ({where}) leads to {condition.text}?')},",
             "  \"Which lever would you move first to get out of this box, and what would it cost?\",",
             "]", "", "[params]", "# the box's centre (the sweep's factors)"]
    lines += [f"{name} = {_toml(value)}" for name, value in centre.items()]
    rest = {k: v for k, v in params.items() if k not in centre}
    if rest:
        lines += ["# held in the sweep (its preset and [fixed])"]
        lines += [f"{name} = {_toml(value)}" for name, value in sorted(rest.items())]
    if outside:
        moved = ", ".join(f"{k} = {_toml(v)}" for k, v in outside.items())
        lines += ["", "# ccsim compare story.toml: the same firm outside the box", "[compare]",
                  f"set = {{ {moved} }}",
                  f"label = {json.dumps('outside the box: ' + moved.replace(' = ', ' '))}"]
    for event in manifest["scenario"]["events"]:
        lines += ["", "[[events]]", f"week = {event['week']}", f"kind = {json.dumps(event['kind'])}"]
        if event.get("label"):
            lines.append(f"label = {json.dumps(event['label'])}")
        if event.get("args"):
            args = ", ".join(f"{k} = {_toml(v)}" for k, v in event["args"].items())
            lines.append(f"args = {{ {args} }}")
    return {"toml": "\n".join(lines) + "\n", "params": params, "centre": centre, "seeds": seeds,
            "where": where, "title": title}


def _as_param(name: str, value: float):
    """``value`` as parameter ``name`` takes it: a whole number, or a float to 4 decimals."""
    return int(round(value)) if PARAMS[name].kind is int else round(float(value), 4)


def _range(lo: float, hi: float, low: float, high: float) -> str:
    if lo <= low:
        return f"<= {hi:.3g}"
    if hi >= high:
        return f">= {lo:.3g}"
    return f"in [{lo:.3g}, {hi:.3g}]"


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value)


def _try_seeds(path: Path, manifest, condition: Condition, seeds: list[int]) -> dict:
    """Run the story (as a sweep runs it) with ``seeds`` until the condition holds at its
    end: the seed to tell it with, and how many of those tried it held for."""
    from ccsim.scenarios import load_scenario
    from ccsim.sweep.worker import RunTask, simulate

    scenario = load_scenario(path)
    e = manifest["experiment"]
    reporters = tuple(dict.fromkeys([*e["reporters"], "perished"]))
    results = []
    for seed in seeds:
        task = RunTask(0, 0, 0, seed, {}, scenario.params, tuple(scenario.events), e["weeks"],
                       reporters, e["weeks"])
        last = simulate(task).tail(1)
        results.append((seed, bool(condition.test(last)[0])))
        if results[-1][1]:
            break
    held = [seed for seed, ok in results if ok]
    return {"seed": held[0] if held else seeds[0], "held": len(held), "tried": len(results)}


def _link(manifest, params: dict, seed: int) -> tuple[str, list[str]]:
    """The app's address for the story (a listed preset with its parameters changed), and
    the parameters the app cannot take from a link (outside its sliders' ranges)."""
    from ccsim.scenarios import list_scenarios
    from ccsim.ui.query import check, encode

    listed = {s.name: s for s in list_scenarios()}
    preset = listed.get(manifest["scenario"]["name"]) or listed["baseline"]
    start, left_out = {}, []
    for name, value in params.items():
        try:
            start[name] = check(name, value, "link")
        except ParamError:
            left_out.append(f"{name}={value:g}")
    query = encode(preset.name, seed, start, None, {}, [], preset.params, {})
    return f"{APP}?{query}", left_out


def _report(manifest, held, condition, found, boxes, story, trial) -> str:
    e = manifest["experiment"]
    link, left_out = _link(manifest, story["params"], trial["seed"])
    best = found[0]
    tried = ("run again at the centre with the seeds of the box's runs where it held (nearest "
             "the centre first), it held for ")
    seen = (tried + f"seed {trial['seed']} ({trial['tried']} tried)" if trial["held"] else
            tried + f"none of {trial['tried']} seeds: the box is a tendency, not a rule")
    lines = [f"# Scenario discovery: {condition.text}", "",
             f"Sweep `{e['name']}` ({e['title']}): {len(held)} runs, the condition "
             f"`{condition.text}` held at the end ({e['weeks']} weeks) in {int(held.sum())} "
             f"({held.mean():.0%}).", "",
             "Boxes found by PRIM (Friedman & Fisher 1999; EMA Workbench) with covering: "
             "coverage is the share of all runs where the condition held that the box holds, "
             "density the share of the box's runs where it held, mass the box's share of all "
             "runs; quasi-p is Bryant & Lempert's (2010) binomial test of each restriction "
             "(boxes.csv, peeling.csv, peeling.png).", ""]
    table = boxes[boxes.restricted].drop(columns=["restricted"])
    lines += [markdown_table(table), ""]
    lines += ["## The story", "",
              f"The best box ({story['where']}: coverage {best.coverage:.0%}, density "
              f"{best.density:.0%}) has its centre in story.toml; {seen}.", "",
              "```", f"ccsim run story.toml --seed {trial['seed']}",
              "ccsim compare story.toml --reps 10      # the same firm outside the box", "```", "",
              f"In the app: <{link}>", ""]
    if left_out:
        lines += [f"The link leaves out what the app's sliders cannot show: {', '.join(left_out)}; "
                  f"story.toml has them.", ""]
    return "\n".join(lines)

