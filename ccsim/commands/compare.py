"""``ccsim compare A [B] [--reps R] [--steps N] [--seed S] [--set ...] [--set-a ...]
[--set-b ...] [--out DIR]``: two presets, or one preset and its counterpart (its
``[compare]`` table), on the same seeds.

With R replications every curve is a mean with a 95% band (t interval over replications);
the gap A - B is taken run by run on the same seed, so its band is the paired interval.
Writes DIR/compare.png (A and B on the same axes, the gap beneath), DIR/end_values.csv
(end value of every reporter on each side, the difference and its 95% interval),
DIR/timeseries.csv (every run, every week) and DIR/run.json; prints the table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ccsim.commands.run import (
    add_common_arguments,
    note_unreached,
    parse_sets,
    progress,
    simulate,
    whole_number,
    write_manifest,
)
from ccsim.intervals import mean_interval
from ccsim.metrics import REPORTERS, shown
from ccsim.output import output_dir
from ccsim.params import MAX_SEED, MAX_WEEKS, ParamError
from ccsim.plots import COMPARE_METRICS, compare_figure, end_value_text
from ccsim.scenarios import load_scenario

MAX_REPS = 1000
TABLE_METRICS = [m.name for m in shown("table")]


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "compare", help="two presets (or a preset and its counterpart) side by side",
        description="Run A and B on the same seeds; without B, A's counterpart from its "
                    "[compare] table. Writes DIR/compare.png, DIR/end_values.csv, "
                    "DIR/timeseries.csv and DIR/run.json.")
    parser.add_argument("a", metavar="A", help="a preset name or a path to a .toml file")
    parser.add_argument("b", metavar="B", nargs="?", default=None,
                        help="the other preset (default: A's counterpart)")
    add_common_arguments(parser)
    add_reps_argument(parser, "replications per side")
    parser.add_argument("--set-a", dest="sets_a", action="append", default=[],
                        metavar="NAME=VALUE", help="change a parameter on side A only")
    parser.add_argument("--set-b", dest="sets_b", action="append", default=[],
                        metavar="NAME=VALUE", help="change a parameter on side B only")
    parser.set_defaults(handler=main)
    return parser


def add_reps_argument(parser, what: str) -> None:
    """--reps: shared by compare and compete."""
    parser.add_argument("--reps", default="5", help=f"{what}, seeds S..S+R-1 (1-{MAX_REPS}; default 5)")


def replication_seeds(args) -> list[int]:
    """The seeds S..S+R-1 of --seed and --reps, checked."""
    seed = whole_number(args.seed, "--seed", 0, MAX_SEED)
    reps = whole_number(args.reps, "--reps", 1, MAX_REPS)
    if seed + reps - 1 > MAX_SEED:
        raise ParamError(f"--seed={seed} with --reps={reps} passes the largest seed; "
                         f"allowed: --seed at most {MAX_SEED - reps + 1}")
    return [seed + r for r in range(reps)]


def _label(title: str, overrides: dict) -> str:
    changed = ", ".join(f"{k}={v:g}" for k, v in overrides.items())
    return f"{title} ({changed})" if changed else title


def _sides(args):
    a = load_scenario(args.a)
    common = parse_sets(args.sets)
    over_a = {**common, **parse_sets(args.sets_a, "--set-a")}
    if args.b is None:
        b, pair_over, b_title = a.partner()
    else:
        b = load_scenario(args.b)
        pair_over, b_title = {}, b.title
    over_b = {**pair_over, **common, **parse_sets(args.sets_b, "--set-b")}
    # the label names only what the user changed; the counterpart's own changes are its title
    shown_b = {k: v for k, v in over_b.items() if k not in pair_over or pair_over[k] != v}
    return (a, over_a, _label(a.title, over_a)), (b, over_b, _label(b_title, shown_b))


def _marks(a, b) -> list[tuple[int, str]]:
    """The events of both sides; one both share is marked once."""
    ea = {(e.week, e.title) for e in a.events}
    eb = {(e.week, e.title) for e in b.events}
    return sorted([*(ea & eb), *((w, f"A: {t}") for w, t in ea - eb),
                   *((w, f"B: {t}") for w, t in eb - ea)])


def main(args) -> int:
    (a, over_a, label_a), (b, over_b, label_b) = _sides(args)
    steps = (max(a.steps, b.steps) if args.steps is None
             else whole_number(args.steps, "--steps", 1, MAX_WEEKS))
    seeds = replication_seeds(args)
    reps = len(seeds)
    for scenario in {a.name: a, b.name: b}.values():
        note_unreached(scenario, steps)
    target = Path(args.out) if args.out else Path("out") / f"compare-{a.name}-vs-{b.name}"
    with output_dir(target, "compare", inputs=[a.path, b.path]) as tmp:
        frames = []
        with progress(2 * reps * steps, f"{a.name} vs {b.name}", args.quiet) as bar:
            for rep, run_seed in enumerate(seeds):
                for side, scenario, over in (("A", a, over_a), ("B", b, over_b)):
                    df = simulate(scenario, steps, run_seed, over, bar).dataframe()
                    df = df.reindex(range(steps + 1)).ffill()   # a perished firm stays as it ended
                    frames.append(df.assign(side=side, rep=rep, seed=run_seed))
        runs = pd.concat(frames).reset_index()
        runs = runs[["side", "rep", "seed", "week", *REPORTERS]]
        runs.to_csv(tmp / "timeseries.csv", index=False)
        ends = end_values(runs, steps)
        ends.to_csv(tmp / "end_values.csv", index=False)
        compare_figure(curves(runs), (label_a, label_b), _marks(a, b),
                       title=f"{a.title} vs {b.title if args.b else label_b}: "
                             f"mean of {reps} run{'s' * (reps > 1)} and 95% band",
                       subtitle=f"Same seeds on both sides ({seeds[0]}-{seeds[-1]}); the lower "
                                f"panels show the gap A - B with its 95% band.",
                       path=tmp / "compare.png")
        write_manifest(tmp, command="compare", a=a.name, b=b.name, label_a=label_a,
                       label_b=label_b, overrides_a=over_a, overrides_b=over_b, seeds=seeds,
                       steps=steps)
    print(table_text(ends, label_a, label_b, reps, seeds, steps))
    print(f"wrote {target}/compare.png, {target}/end_values.csv, {target}/timeseries.csv")
    return 0


def _matrix(runs: pd.DataFrame, side: str, metric: str) -> np.ndarray:
    return runs[runs.side == side].pivot(index="rep", columns="week", values=metric).to_numpy()


def curves(runs: pd.DataFrame, metrics=None):
    """Per metric, (weeks, mean, low, high) for A, for B and for the gap A - B."""
    weeks = np.sort(runs.week.unique())
    out = ({}, {}, {})
    for metric in metrics or COMPARE_METRICS:
        xa, xb = _matrix(runs, "A", metric), _matrix(runs, "B", metric)
        for target, values in zip(out, (xa, xb, xa - xb)):
            target[metric] = (weeks, *mean_interval(values))
    return out


def end_values(runs: pd.DataFrame, steps: int) -> pd.DataFrame:
    """End value of every reporter: mean and 95% interval per side, the paired difference."""
    rows = []
    for metric in REPORTERS:
        xa = _matrix(runs, "A", metric)[:, steps]
        xb = _matrix(runs, "B", metric)[:, steps]
        (ma, la, ha), (mb, lb, hb), (md, ld, hd) = (mean_interval(x[:, None]) for x in (xa, xb, xa - xb))
        rows.append(dict(metric=metric, a_mean=ma[0], a_low=la[0], a_high=ha[0], b_mean=mb[0],
                         b_low=lb[0], b_high=hb[0], difference=md[0], difference_low=ld[0],
                         difference_high=hd[0]))
    return pd.DataFrame(rows)


def table_text(ends: pd.DataFrame, label_a: str, label_b: str, reps: int, seeds, steps: int) -> str:
    lines = [f"A: {label_a}", f"B: {label_b}",
             f"{reps} replication{'s' * (reps > 1)} per side, seeds {seeds[0]}-{seeds[-1]}; "
             f"mean at week {steps}" + ("; A - B with its 95% interval" if reps > 1 else ""),
             f"{'metric':<18}{'A':>12}{'B':>12}{'A - B':>12}  95% interval"]
    for row in ends.set_index("metric").loc[TABLE_METRICS].itertuples():
        interval = (f"[{end_value_text(row.difference_low)}, {end_value_text(row.difference_high)}]"
                    if reps > 1 else "")
        lines.append(f"{row.Index:<18}{end_value_text(row.a_mean):>12}"
                     f"{end_value_text(row.b_mean):>12}{end_value_text(row.difference):>12}  {interval}")
    return "\n".join(lines)
