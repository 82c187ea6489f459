"""``ccsim scenarios [NAME]``: the presets with their one-line stories; with a name, the
preset in full (Info texts, debrief questions, parameters, events, counterpart)."""

from __future__ import annotations

import sys
import textwrap

from ccsim.scenarios import DEFAULT_SCENARIO, list_scenarios, load_scenario

WIDTH = 88
HEADINGS = {"what_is_it": "WHAT IS IT", "things_to_notice": "THINGS TO NOTICE",
            "things_to_try": "THINGS TO TRY"}


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "scenarios", help="list the presets and their stories",
        description="List the presets with their one-line stories, or show one in full.")
    parser.add_argument("name", nargs="?", default=None,
                        help="a preset name or a .toml path: show it in full")
    parser.set_defaults(handler=main)
    return parser


def main(args) -> int:
    if args.name:
        print(describe(load_scenario(args.name)))
        return 0
    scenarios = list_scenarios(on_error=lambda message: print(
        f"ccsim scenarios: warning: skipped {message}", file=sys.stderr))
    width = max((len(s.name) for s in scenarios), default=0) + 2
    for s in scenarios:
        default = "  (default)" if s.name == DEFAULT_SCENARIO else ""
        print(f"{s.name:<{width}}{s.title}{default}")
        print(textwrap.fill(s.story, WIDTH, initial_indent=" " * width,
                            subsequent_indent=" " * width))
    print("\nccsim scenarios NAME shows one in full; ccsim run NAME runs it; "
          "ccsim compare NAME sets it beside its counterpart.")
    return 0


def describe(s) -> str:
    """A preset as a trainer reads it."""
    lines = [f"{s.title} ({s.name}, {s.steps} weeks)", textwrap.fill(s.story, WIDTH), ""]
    for key, heading in HEADINGS.items():
        if key in s.info:
            lines += [heading, textwrap.fill(" ".join(s.info[key].split()), WIDTH), ""]
    if s.debrief:
        lines += ["DEBRIEF"] + [textwrap.fill(q, WIDTH, initial_indent=f"{i}. ",
                                              subsequent_indent="   ")
                                for i, q in enumerate(s.debrief, start=1)] + [""]
    lines.append(textwrap.fill("PARAMETERS (the rest at their defaults): " + (
        ", ".join(f"{k}={v:g}" for k, v in s.params.items()) or "none changed"), WIDTH,
        subsequent_indent="  "))
    for e in s.events:
        args = ", ".join(f"{k}={v:g}" for k, v in e.args.items())
        lines.append(f"EVENT week {e.week}: {e.title} ({e.kind}: {args})")
    if s.pair is not None:
        changed = ", ".join(f"{k}={v:g}" for k, v in s.pair_params.items())
        lines.append(f"COMPARE WITH {s.pair}" + (f" with {changed}" if changed else "")
                     + (f": {s.pair_label}" if s.pair_label else ""))
    return "\n".join(lines)
