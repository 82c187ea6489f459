"""``ccsim analyze DIR``: tables, figures, sensitivity indices and a report of a sweep."""

from __future__ import annotations


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "analyze", help="analyse a sweep directory (tables, plots, sensitivity, report)",
        description="Read the runs in DIR (written by ccsim sweep) and write tidy tables "
                    "(CSV and Parquet), PNG figures and report.md to DIR/analysis.")
    parser.add_argument("directory", metavar="DIR", help="a sweep's output directory")
    parser.add_argument("--out", metavar="OUT", help="where to write (default: DIR/analysis)")
    parser.set_defaults(handler=main)


def main(args) -> int:
    from ccsim.sweep.report import analyze

    out = analyze(args.directory, args.out)
    print(f"analysis written to {out} (report: {out / 'report.md'})")
    return 0
