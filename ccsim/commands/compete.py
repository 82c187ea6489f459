"""``ccsim compete A B [C ...] [--reps R] [--steps N] [--seed S] [--set ...] [--out DIR]``:
presets as rival firms in one market (ccsim.Market), on the seeds S..S+R-1.

Writes DIR/compete.png (each firm's market share, customers, NPS and cash: the mean over
replications and its 95% band), DIR/end_values.csv (each firm's end value of its share
and of every reporter, with its 95% interval), DIR/timeseries.csv (every run, firm and
week) and DIR/run.json; prints the table.  Bad input as for ``compare``: one line naming
the field and what is allowed, exit code 2, nothing written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ccsim.commands.compare import add_reps_argument, replication_seeds
from ccsim.commands.run import add_common_arguments, note_unreached, parse_sets, progress, whole_number, write_manifest
from ccsim.intervals import mean_interval
from ccsim.metrics import METRICS, REPORTERS
from ccsim.output import output_dir
from ccsim.params import MARKET_PARAMS, MAX_WEEKS, PARAMS, SHARED, ParamError
from ccsim.plots import end_value_text, race_figure
from ccsim.scenarios import load_scenario

RACE = ["share", "customers", "nps", "cash"]             # drawn in compete.png
TABLE = ["share", "customers", "nps", "loyalty", "cash", "perished"]


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "compete", help="presets as rival firms competing for one market's customers",
        description="Run the presets A, B, C... as rival firms in one market, on the same seeds. "
                    "--set changes every firm, or the market: its people (" + ", ".join(SHARED) + ") and "
                    "its own (" + ", ".join(MARKET_PARAMS) + "). Writes DIR/compete.png, DIR/end_values.csv, "
                    "DIR/timeseries.csv and DIR/run.json (DIR: out/compete-A-B-... by default).")
    parser.add_argument("presets", metavar="PRESET", nargs="+",
                        help="two or more preset names or paths to .toml files, one per firm")
    add_common_arguments(parser)
    add_reps_argument(parser, "replications of the market")
    parser.set_defaults(handler=main)
    return parser


def split_sets(items) -> tuple[dict, dict]:
    """--set NAME=VALUE: the market's parameters (its people's and its own), and every firm's."""
    market, rest = {}, []
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if sep and name not in PARAMS and name not in MARKET_PARAMS:
            raise ParamError(f"--set: unknown parameter {name!r}; allowed: {', '.join([*PARAMS, *MARKET_PARAMS])}")
        if sep and name in MARKET_PARAMS:
            market[name] = MARKET_PARAMS[name].check(value.strip(), "--set")
        else:
            rest.append(item)
    firms = parse_sets(rest)
    market.update({name: firms.pop(name) for name in SHARED if name in firms})
    return market, firms


def main(args) -> int:
    if len(args.presets) < 2:
        raise ParamError(f"compete needs two or more presets, got {len(args.presets)}; allowed: PRESET PRESET ...")
    scenarios = [load_scenario(name) for name in args.presets]
    names = []
    for scenario in scenarios:       # a preset given twice: "hippo", "hippo #2"
        seen = sum(name.split(" #")[0] == scenario.name for name in names)
        names.append(f"{scenario.name} #{seen + 1}" if seen else scenario.name)
    market_params, every_firm = split_sets(args.sets)
    steps = (max(s.steps for s in scenarios) if args.steps is None
             else whole_number(args.steps, "--steps", 1, MAX_WEEKS))
    seeds = replication_seeds(args)
    for scenario in scenarios:
        note_unreached(scenario, steps)
    firms = [dict(scenario.params, **every_firm, name=name, events=scenario.events)
             for name, scenario in zip(names, scenarios)]
    from ccsim.market import SHARE, Market

    market = Market(firms, rng=seeds[0], **market_params)     # bad input fails here, before anything is written
    target = Path(args.out) if args.out else Path("out") / f"compete-{'-'.join(s.name for s in scenarios)}"
    with output_dir(target, "compete", inputs=[s.path for s in scenarios]) as tmp:
        frames = []
        with progress(len(seeds) * steps, " vs ".join(names), args.quiet) as bar:
            for rep, seed in enumerate(seeds):
                if rep:
                    market = Market(firms, rng=seed, **market_params)
                for _ in range(steps):
                    market.step()
                    bar.update()
                frames.append(market.dataframe().assign(rep=rep, seed=seed))
        runs = pd.concat(frames, ignore_index=True)[["rep", "seed", "week", "firm", "share", *REPORTERS]]
        runs.to_csv(tmp / "timeseries.csv", index=False)
        ends = end_values(runs, steps)
        ends.to_csv(tmp / "end_values.csv", index=False)
        race_figure([curves(runs, name) for name in names], names, [SHARE, *(METRICS[m] for m in RACE[1:])],
                    title=f"{' vs '.join(s.title for s in scenarios)}: one market",
                    subtitle=f"Mean of {len(seeds)} run{'s' * (len(seeds) > 1)} (seeds {seeds[0]}-{seeds[-1]}) "
                             f"and 95% band; share is of all the firms' customers.",
                    path=tmp / "compete.png")
        write_manifest(tmp, command="compete", presets=[s.name for s in scenarios], firms=names,
                       overrides=every_firm, market=market_params, seeds=seeds, steps=steps)
    print(table_text(ends, names, seeds, steps))
    print(f"wrote {target}/compete.png, {target}/end_values.csv, {target}/timeseries.csv")
    return 0


def curves(runs: pd.DataFrame, firm: str) -> dict:
    """Per metric of RACE, (weeks, mean, low, high) of ``firm`` over the replications."""
    mine = runs[runs.firm == firm]
    out = {}
    for metric in RACE:
        values = mine.pivot(index="rep", columns="week", values=metric)
        out[metric] = (values.columns.to_numpy(), *mean_interval(values.to_numpy()))
    return out


def end_values(runs: pd.DataFrame, steps: int) -> pd.DataFrame:
    """Each firm's end value of its share and every reporter: mean and 95% interval."""
    end = runs[runs.week == steps]
    rows = []
    for firm, values in end.groupby("firm", sort=False):
        for metric in ["share", *REPORTERS]:
            (mean,), (low,), (high,) = mean_interval(values[metric].to_numpy()[:, None])
            rows.append(dict(firm=firm, metric=metric, mean=mean, low=low, high=high))
    return pd.DataFrame(rows)


def table_text(ends: pd.DataFrame, names, seeds, steps: int) -> str:
    reps = len(seeds)
    table = ends.set_index(["firm", "metric"])
    rows = []
    for name in names:
        cells = []
        for metric in TABLE:
            row = table.loc[(name, metric)]
            text = end_value_text(row["mean"])
            if reps > 1:
                text += f" [{end_value_text(row['low'])}, {end_value_text(row['high'])}]"
            cells.append(text)
        rows.append((name, cells))
    widths = [max(len(metric), *(len(cells[k]) for _, cells in rows)) + 2 for k, metric in enumerate(TABLE)]
    first = max(len("firm"), *(len(name) for name in names)) + 2
    lines = [f"{reps} replication{'s' * (reps > 1)} of one market, seeds {seeds[0]}-{seeds[-1]}; mean at week "
             f"{steps}" + (" with its 95% interval" if reps > 1 else ""),
             f"{'firm':<{first}}" + "".join(f"{metric:>{w}}" for metric, w in zip(TABLE, widths))]
    lines += [f"{name:<{first}}" + "".join(f"{cell:>{w}}" for cell, w in zip(cells, widths)) for name, cells in rows]
    return "\n".join(lines)
