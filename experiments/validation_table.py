"""Write the validation table of docs/ODD.md from a ``ccsim validate --out DIR`` run.

    python experiments/validation_table.py out/validate [--odd docs/ODD.md]

Reads DIR/validation.csv and DIR/validation.md (written by ``ccsim validate``) and
DIR.commit (the commit it ran on, written by ``make validate``); replaces the text between
the two VALIDATION markers of the ODD with a line saying where the table comes from, how
many rows hold, and the table itself.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ccsim.output import odd_section_command, replace_block
from ccsim.sweep.provenance import code_hash

START, END = "<!-- VALIDATION:START -->", "<!-- VALIDATION:END -->"


def _held(rows: pd.DataFrame) -> int:
    return int((rows.verdict == "pass").sum())


def section(directory: Path) -> str:
    rows = pd.read_csv(directory / "validation.csv")
    commit_file = directory.with_name(directory.name + ".commit")
    commit = commit_file.read_text().strip() if commit_file.is_file() else "not recorded"
    emergent = rows[rows.kind == "emergent"]
    return "\n".join([
        f"Produced by `make validate` on commit {commit} (model hash {code_hash(model_only=True)}), "
        f"seed 0, each anchor's default replications: {_held(rows)}/{len(rows)} anchors hold, "
        f"{_held(emergent)}/{len(emergent)} emergent rows.",
        "",
        (directory / "validation.md").read_text().strip(),
    ])


def write(directory: Path, odd: Path) -> None:
    replace_block(odd, START, END, section(directory))
    print(f"wrote the validation table of {odd}")


if __name__ == "__main__":
    odd_section_command(__doc__, write)
