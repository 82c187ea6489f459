"""``ccsim sweep EXPERIMENT.toml``: run a batch sweep (ccsim.sweep), resumable, in parallel."""

from __future__ import annotations

import sys
from pathlib import Path

from ccsim.sweep.executors import ENGINES


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "sweep", help="run a batch sweep from an experiment file",
        description="Run every run of an experiment file (experiments/*.toml): the design's "
                    "points times the replications, each with its recorded seed. Each finished "
                    "run is written to DIR at once; --resume runs only what is missing. "
                    "--resume with more replications (or more Sobol samples or Morris trajectories, "
                    "or more Latin hypercube samples, drawn as a batch of their own) than DIR holds "
                    "extends it, running only the new runs. "
                    "Exit code 1 if any run raised (recorded in DIR/failures).")
    parser.add_argument("experiment", help="experiment file (TOML)")
    parser.add_argument("--out", metavar="DIR",
                        help="output directory (default: out/sweep-<experiment name>)")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="processes to run at once (default: all cores; at most 4 per core)")
    parser.add_argument("--resume", action="store_true",
                        help="finish or extend a sweep in DIR, running only the missing runs")
    parser.add_argument("--engine", choices=ENGINES, default="local",
                        help="local processes, or a Dask distributed cluster (default: local)")
    parser.add_argument("--address", metavar="ADDR",
                        help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default with --engine "
                             "dask: start a local cluster of --workers processes)")
    parser.add_argument("--replications", type=int, metavar="R",
                        help="override the file's replications (a quick trial of a big sweep)")
    parser.add_argument("--samples", type=int, metavar="N",
                        help="override the file's samples (latin_hypercube, sobol) or trajectories "
                             "(morris); with --resume, more than a finished sweep's grow it")
    parser.add_argument("--weeks", type=int, metavar="W", help="override the file's weeks")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(handler=main)


def main(args) -> int:
    from ccsim.sweep.experiment import load_experiment
    from ccsim.sweep.runner import SweepAborted, run_sweep

    experiment = load_experiment(args.experiment).override(args.replications, args.weeks, args.samples)
    out = Path(args.out or Path("out") / f"sweep-{experiment.name}")
    try:
        summary = run_sweep(experiment, out, workers=args.workers, resume=args.resume,
                            engine=args.engine, address=args.address,
                            progress=not args.no_progress)
    except SweepAborted as error:
        print(f"ccsim sweep: {error}", file=sys.stderr)
        return 1
    print(f"{experiment.name}: {summary.total} runs in {out} ({summary.skipped} already there, "
          f"{summary.done} run now in {summary.seconds:.1f} s, {summary.failed} failed)")
    if summary.failed:
        print(f"ccsim sweep: {summary.failed} runs raised; errors in {out / 'failures'}",
              file=sys.stderr)
        return 1
    print(f"next: ccsim analyze {out}")
    return 0
