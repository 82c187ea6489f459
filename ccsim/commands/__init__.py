"""Subcommands of the ``ccsim`` command, one module each (see ccsim/cli.py)."""
