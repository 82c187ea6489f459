"""experiments/sensitivity_tables.py and experiments/validation_table.py: the ODD's generated sections."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ccsim.cli import main as cli

ROOT = Path(__file__).resolve().parents[1]
DESIGNS = {"morris": 'kind = "morris"\ntrajectories = 2\nlevels = 4',
           "sobol": 'kind = "sobol"\nsamples = 2'}


def _tables():
    spec = importlib.util.spec_from_file_location(
        "sensitivity_tables", ROOT / "experiments" / "sensitivity_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_section_replaces_only_the_marked_text(tmp_path):
    for name, design in DESIGNS.items():
        (tmp_path / f"{name}.toml").write_text(
            f'title = "t"\nweeks = 4\nreplications = 2\nseed = 1\ncommon_seeds = true\n'
            f'[design]\n{design}\n[factors]\nhumility = {{ lo = 0.0, hi = 1.0 }}\n'
            f'price = {{ lo = 5.0, hi = 15.0 }}\n'
            f'[output]\nreporters = ["customers", "nps"]\n')
        out = tmp_path / "sens" / name
        assert cli(["sweep", str(tmp_path / f"{name}.toml"), "--out", str(out), "--workers", "1",
                    "--no-progress"]) == 0
        assert cli(["analyze", str(out)]) == 0
    (tmp_path / "sens" / "morris.commit").write_text("abc1234\n")
    (tmp_path / "sens" / "sobol.commit").write_text("def5678\n")
    tables = _tables()
    odd = tmp_path / "docs" / "ODD.md"
    odd.parent.mkdir()
    odd.write_text(f"before\n{tables.START}\nstale\n{tables.END}\nafter\n")
    tables.write(tmp_path / "sens", odd)
    text = odd.read_text()
    assert text.startswith("before\n") and text.endswith("after\n") and "stale" not in text
    assert "Morris on commit abc1234" in text and "Sobol on commit def5678" in text
    assert "6 points x 2 replications" in text
    assert "| 1 | `" in text and "| `humility` |" in text and "noise share" in text
    assert {p.name for p in (odd.parent / "figures").iterdir()} == {"morris.png", "sobol.png"}


def test_the_validation_table_is_written_from_a_run(tmp_path):
    """experiments/validation_table.py puts a `ccsim validate --out` run's table, and how many
    rows hold, between the VALIDATION markers, and leaves the rest of the file as it was."""
    spec = importlib.util.spec_from_file_location("validation_table", ROOT / "experiments" / "validation_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "validate"
    assert cli(["validate", "peak_end", "negativity", "--out", str(out)]) == 0
    (tmp_path / "validate.commit").write_text("abc1234\n")
    odd = tmp_path / "ODD.md"
    odd.write_text(f"before\n{module.START}\nold table\n{module.END}\nafter\n")
    module.write(out, odd)
    text = odd.read_text()
    assert text.startswith("before\n") and text.endswith("\nafter\n") and "old table" not in text
    assert "on commit abc1234" in text and "2/2 anchors hold, 0/0 emergent rows" in text
    assert "| peak_end | docking |" in text and "| negativity | docking |" in text
