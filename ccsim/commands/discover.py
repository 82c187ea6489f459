"""``ccsim discover DIR --where EXPR``: scenario discovery on a sweep (ccsim.sweep.discovery)."""

from __future__ import annotations


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "discover", help="find where in a sweep a condition holds (PRIM), and tell it as a story",
        description="Mark each run of the sweep in DIR by a condition on its end values and find "
                    "the boxes of factor space where it holds (PRIM, Bryant & Lempert's scenario "
                    "discovery); write boxes.csv, peeling.csv, peeling.png, discovery.md and the "
                    "best box's centre as a preset, story.toml, with a link to the app.")
    parser.add_argument("directory", metavar="DIR", help="a sweep's output directory")
    parser.add_argument("--where", required=True, metavar="EXPR",
                        help='the condition, e.g. "perished", "cash < 0", "nps < 0 and '
                             'customers > 100": an output the sweep kept, or perished')
    parser.add_argument("--out", metavar="OUT", help="where to write (default: DIR/discovery)")
    parser.add_argument("--boxes", type=int, default=2, metavar="N",
                        help="boxes to find at most, each among the runs outside the others (default 2)")
    parser.add_argument("--min-density", type=float, default=0.8, metavar="D",
                        help="keep the box of most coverage whose density is at least D "
                             "(default 0.8; the densest if none)")
    parser.add_argument("--tries", type=int, default=3, metavar="T",
                        help="seeds to run at the best box's centre to find one the story "
                             "shows (default 3)")
    parser.set_defaults(handler=main)


def main(args) -> int:
    from ccsim.sweep.discovery import discover

    out = discover(args.directory, args.where, args.out, args.boxes, args.min_density, args.tries)
    print(f"discovery written to {out} (report: {out / 'discovery.md'}, preset: "
          f"{out / 'story.toml'})")
    return 0
