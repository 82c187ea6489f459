"""``ccsim calibrate --out DIR``: fit the calibration parameters to published patterns
(ccsim.calibration, ABC-SMC) and check the fit and the held-out patterns.

DIR gets posterior.parquet (the last generation's particles and weights), summary.csv
(median and 90% credible interval per parameter), patterns.csv (every pattern at the
posterior median: fitted and held out), posterior.png, history.db (pyabc's SQLite record
of every generation) and calibration.md, put in place at the end (ccsim.output).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ccsim.commands.run import whole_number
from ccsim.output import check_target, output_dir

HELP = "fit the calibration parameters to published patterns (ABC-SMC) and check the held-out ones"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("calibrate", help=HELP, description=HELP + ".")
    parser.add_argument("--out", metavar="DIR", required=True, help="write the posterior and checks to DIR")
    parser.add_argument("--population", default="120", help="particles per generation (default 120)")
    parser.add_argument("--generations", default="8", help="ABC-SMC generations (default 8)")
    parser.add_argument("--workers", default="2", help="processes (default 2; 1 is reproducible)")
    parser.add_argument("--customers", default="2000", help="customers per simulated firm (default 2000)")
    parser.add_argument("--weeks", default="156", help="weeks per simulated firm (default 156)")
    parser.add_argument("--checks", default="10", help="runs at the posterior median for the checks (default 10)")
    parser.add_argument("--seed", default="0", help="random seed (default 0)")
    parser.set_defaults(handler=main)


def main(args) -> int:
    from ccsim import calibration
    from ccsim.params import MAX_SEED

    setup = calibration.Setup(
        n_customers=whole_number(args.customers, "--customers", 100, 100_000),
        weeks=whole_number(args.weeks, "--weeks", 60, 1040),
        population=whole_number(args.population, "--population", 5, 10_000),
        generations=whole_number(args.generations, "--generations", 1, 50),
        workers=whole_number(args.workers, "--workers", 1, 256),
        seed=whole_number(args.seed, "--seed", 0, min(MAX_SEED, 2**32 - 1)))
    seeds = whole_number(args.checks, "--checks", 2, 1000)
    out = Path(args.out)
    check_target(out)
    with output_dir(out, "calibrate") as temp:
        history = calibration.fit(setup, temp / "history.db", progress=sys.stderr.isatty())
        frame = calibration.posterior(history)
        frame.to_parquet(temp / "posterior.parquet", index=False)
        summary = calibration.summary(frame)
        summary.to_csv(temp / "summary.csv", index=False)
        centre = dict(zip(summary.parameter, summary["median"]))
        checks = calibration.checks(centre, setup, seeds)
        checks.to_csv(temp / "patterns.csv", index=False)
        calibration.plot(frame, temp / "posterior.png")
        text = report(summary, checks, setup, history.total_nr_simulations)
        (temp / "calibration.md").write_text(text)
    print(text)
    print(f"wrote {out}/")
    return 0


def report(summary, checks, setup, simulations: int) -> str:
    lines = [f"# Calibration (ABC-SMC, {setup.generations} generations of {setup.population} particles, "
             f"{simulations} simulations of {setup.n_customers} customers over {setup.weeks} weeks, "
             f"seed {setup.seed})", "",
             "| parameter | posterior median | 90% credible interval | prior | default now |", "|---|---|---|---|---|"]
    for row in summary.itertuples():
        lines.append(f"| {row.parameter} | {row.median:.3f} | [{row.lo90:.3f}, {row.hi90:.3f}] | {row.prior} "
                     f"| {row.default:g} |")
    lines += ["", "| pattern | role | published | ccsim at the median (SD over runs) | within |",
              "|---|---|---|---|---|"]
    for row in checks.itertuples():
        lines.append(f"| {row.text} | {row.role} | {row.target:g} +- {row.tolerance:g} ({row.source}) "
                     f"| {row.ccsim:.3f} ({row.ccsim_sd:.3f}) | {'yes' if row.within else 'NO'} |")
    return "\n".join(lines) + "\n"
