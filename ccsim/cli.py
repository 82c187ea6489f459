"""The ``ccsim`` command.  Each subcommand lives in ccsim/commands/<name>.py with
``add_parser(subparsers)`` and ``main(args) -> int``.

Bad input raises ccsim.params.ParamError (or UsageError), and argparse's own errors are
cut to the same shape: one clear line on stderr, exit code 2, no traceback.  SIGTERM and
Ctrl-C are turned into exceptions (ccsim.stopping), so that what a command was writing is
cleaned up on the way out (ccsim.output).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ccsim import __version__, stopping
from ccsim.params import ParamError

COMMANDS = ["run", "compare", "compete", "scenarios", "sweep", "analyze", "discover", "validate", "calibrate", "ui"]


class UsageError(ParamError):
    """Bad input on the command line or in a file; the message is one line."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, with its usage errors as one line (the usage is in ``--help``)."""

    def error(self, message):
        command = self.prog if self.prog.startswith("ccsim") else "ccsim"
        self.exit(2, f"{command}: error: {' '.join(message.split())} (see {self.prog} --help)\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser for every command, or for ``only`` one (importing only its module keeps
    start-up quick, e.g. for ``ccsim ui``)."""
    parser = OneLineParser(
        prog="ccsim",
        description="Agent-based simulation of organisational culture versus customer outcomes.")
    parser.add_argument("--version", action="version", version=f"ccsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in [only] if only else COMMANDS:
        importlib.import_module(f"ccsim.commands.{name}").add_parser(sub)
    return parser


def main(argv=None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(words[0] if words and words[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    stopping.install()
    try:
        return int(args.handler(args) or 0)
    except ParamError as error:
        print(f"ccsim {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"ccsim {args.command}: interrupted", file=sys.stderr)
        return 130
    except stopping.Terminated:
        print(f"ccsim {args.command}: terminated", file=sys.stderr)
        return 143


if __name__ == "__main__":
    sys.exit(main())
