"""``ccsim run [SCENARIO] [--steps N] [--seed S] [--set NAME=VALUE ...] [--out DIR]``:
one run of a preset; DIR/timeseries.csv (every reporter, every week), DIR/summary.png,
DIR/run.json (what was run), and a short summary on stdout.

Everything is checked before anything is written; output goes through ccsim.output, so a
failed run leaves nothing behind and only an earlier ccsim output is ever replaced.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tqdm import tqdm

from ccsim import __version__, runs
from ccsim.metrics import shown
from ccsim.output import output_dir
from ccsim.params import MAX_SEED, MAX_WEEKS, ParamError, validate
from ccsim.scenarios import DEFAULT_SCENARIO, load_scenario

MANIFEST = "run.json"   # what was run


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "run", help="run a preset and write its time series and summary chart",
        description=f"Run a preset (default: {DEFAULT_SCENARIO}) and write DIR/timeseries.csv, "
                    f"DIR/summary.png and DIR/run.json.")
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                        help="a preset name (see `ccsim scenarios`) or a path to a .toml file")
    add_common_arguments(parser)
    parser.set_defaults(handler=main)
    return parser


def add_common_arguments(parser) -> None:
    """--steps, --seed, --set, --out, --quiet: shared by run and compare."""
    parser.add_argument("--steps", type=str, default=None,
                        help=f"weeks to run (1-{MAX_WEEKS}; default: the preset's length)")
    parser.add_argument("--seed", type=str, default="1", help="random seed (default 1)")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                        help="change a parameter (repeatable); see ccsim/params.py")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="output directory (default: a directory under out/ named "
                             "after the preset)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def whole_number(text, option: str, lo: int, hi: int) -> int:
    """``text`` as an int in [lo, hi], or ParamError naming the option."""
    try:
        if not str(text).isascii():
            raise ValueError(text)
        value = int(str(text), 10)
    except ValueError:
        raise ParamError(f"{option}={text!r} is not a whole number; allowed: {lo}-{hi}") from None
    if not lo <= value <= hi:
        raise ParamError(f"{option}={value} is out of range; allowed: {lo}-{hi}")
    return value


def parse_sets(items, option: str = "--set") -> dict:
    """``["NAME=VALUE", ...]`` checked against PARAMS."""
    values = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ParamError(f"{option} {item!r}: expected NAME=VALUE, e.g. humility=0.8")
        values[name.strip()] = value.strip()
    return validate(values, option)


def steps_and_seed(args, scenario) -> tuple[int, int]:
    steps = scenario.steps if args.steps is None else whole_number(args.steps, "--steps", 1, MAX_WEEKS)
    return steps, whole_number(args.seed, "--seed", 0, MAX_SEED)


def note_unreached(scenario, steps: int) -> None:
    """Say on stderr which of the preset's events fall after the last week, so do not happen."""
    for event in scenario.events:
        if event.week > steps:
            print(f"note: {scenario.name}: '{event.title}' at week {event.week} is after the "
                  f"last week ({steps}) and will not happen", file=sys.stderr)


def write_manifest(directory: Path, **fields) -> None:
    (directory / MANIFEST).write_text(json.dumps({"ccsim": __version__, **fields}, indent=2,
                                               default=str) + "\n")


def progress(total: int, desc: str, quiet: bool):
    return tqdm(total=total, desc=desc, unit="week", file=sys.stderr, disable=quiet,
                leave=False, dynamic_ncols=True, mininterval=0.5)


def simulate(scenario, steps: int, seed: int, overrides: dict, bar=None):
    """ccsim.runs.simulate, with a progress bar that ends full even if the firm perished."""
    model = runs.simulate(scenario, steps, seed, overrides,
                          each_week=None if bar is None else lambda _: bar.update())
    if bar is not None:
        bar.update(steps - model.steps)
    return model


def main(args) -> int:
    scenario = load_scenario(args.scenario)
    steps, seed = steps_and_seed(args, scenario)
    overrides = parse_sets(args.sets)
    note_unreached(scenario, steps)
    target = Path(args.out) if args.out else Path("out") / scenario.name
    from ccsim.plots import summary_figure

    with output_dir(target, "run", inputs=[scenario.path]) as tmp:
        with progress(steps, scenario.name, args.quiet) as bar:
            model = simulate(scenario, steps, seed, overrides, bar)
        df = model.dataframe()
        df.to_csv(tmp / "timeseries.csv")
        changed = ", ".join(f"{k}={v:g}" for k, v in overrides.items())
        summary_figure(df, model.marks, title=f"{scenario.title}: what happened week by week",
                       subtitle=f"{scenario.story}  (seed {seed}{'; ' + changed if changed else ''})",
                       path=tmp / "summary.png")
        write_manifest(tmp, command="run", scenario=scenario.name, path=scenario.path, seed=seed,
                       steps=steps, overrides=overrides, params=model.params(),
                       events=[e.__dict__ for e in scenario.events], marks=model.marks,
                       perished_week=model.perished_week)
    print(summary_text(scenario, df, model, seed, target))
    return 0


def summary_text(scenario, df, model, seed: int, target: Path) -> str:
    start, end = df.iloc[0], df.iloc[-1]
    lines = [f"{scenario.title} ({scenario.name}), seed {seed}, {int(df.index[-1])} weeks",
             f"  {scenario.story}"]
    for metric in shown("compare"):
        lines.append(f"  {metric.name:<17}{metric.text(start[metric.name]):>12} -> "
                     f"{metric.text(end[metric.name]):>12}")
    for week, text in model.marks:
        lines.append(f"  week {week:>4}: {text}")
    if model.perished:
        lines.append(f"  the firm ran out of cash in week {model.perished_week}")
    lines.append(f"  wrote {target}/timeseries.csv, {target}/summary.png")
    return "\n".join(lines)
