"""Rewrite the parameter table of docs/ODD.md from ccsim/params.py (run after changing a
parameter; tests/test_docs.py checks the table)."""

from pathlib import Path

from ccsim.params import PARAMS

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
HEADER = "| Parameter | Group | Default | Range | Unit | Neutral | Anchor / source |"


def row(p) -> str:
    neutral = "" if p.neutral is None else f"{p.neutral:g}"
    return f"| `{p.name}` | {p.group} | {p.default:g} | {p.lo:g}-{p.hi:g} | {p.unit} | {neutral} | {p.anchor} |"


def main() -> None:
    lines = ODD.read_text().split("\n")
    start = lines.index(HEADER) + 2
    end = start
    while end < len(lines) and lines[end].startswith("| `"):
        end += 1
    lines[start:end] = [row(p) for p in PARAMS.values()]
    ODD.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
