"""The paper-ready example: a shipped experiment run end to end, its files in docs/examples/.

    python experiments/paper_example.py [--out docs/examples/wages_and_culture]
                                        [--samples N] [--replications R] [--weeks W]

Sweeps experiments/wages_and_culture.toml (``ccsim sweep``, in a temporary directory),
analyses it (``ccsim analyze``) and finds where firms perish (``ccsim discover --where
perished``), then puts the small files a reader needs in OUT (``make example``): the sweep's
manifest, the report with its methods paragraph and figures, the small tables, every run in
one file (runs.parquet) and discovery/ (boxes, peeling, the story as a preset).  The tables
left out (end_values, timeseries) come back from runs.parquet or by running this again.
``--samples``, ``--replications`` and ``--weeks`` make a smaller one (tests/test_paper_example.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ccsim.cli import main as cli
from ccsim.output import output_dir

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENT = ROOT / "experiments" / "wages_and_culture.toml"
OUT = ROOT / "docs" / "examples" / "wages_and_culture"
WHERE = "perished"
ANALYSIS = ("report.md", "*.png", "points.csv", "noise_share.csv", "survival.csv", "time_to_failure.csv",
            "sensitivity.csv", "sensitivity_over_time.csv", "sensitivity_convergence.csv", "runs.parquet")
DISCOVERY = ("discovery.md", "boxes.csv", "peeling.csv", "peeling.png", "story.toml")


def build(out: Path, options: list[str]) -> None:
    """Sweep, analyse and discover in a temporary directory; put the example in ``out``."""
    with tempfile.TemporaryDirectory(prefix="ccsim-example-") as work:
        sweep = Path(work) / "sweep"
        for argv in (["sweep", os.path.relpath(EXPERIMENT), "--out", str(sweep), "--no-progress", *options],
                     ["analyze", str(sweep)], ["discover", str(sweep), "--where", WHERE]):
            code = cli(argv)
            if code:
                raise SystemExit(f"paper_example: ccsim {argv[0]} failed (exit code {code})")
        with output_dir(out, "paper example") as tmp:
            shutil.copy2(sweep / "manifest.json", tmp)
            for pattern in ANALYSIS:
                for path in sorted((sweep / "analysis").glob(pattern)):
                    shutil.copy2(path, tmp)
            (tmp / "discovery").mkdir()
            for name in DISCOVERY:
                shutil.copy2(sweep / "discovery" / name, tmp / "discovery")
    print(f"paper example written to {out}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to put it (default {OUT.relative_to(ROOT)})")
    for option in ("samples", "replications", "weeks"):
        parser.add_argument(f"--{option}", metavar="N", help=f"override the experiment's {option}")
    args = parser.parse_args(argv)
    options = [item for option in ("samples", "replications", "weeks") if getattr(args, option)
               for item in (f"--{option}", getattr(args, option))]
    build(args.out, options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
