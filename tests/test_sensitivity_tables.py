"""experiments/sensitivity_tables.py: the ODD's Sensitivity section from two tiny sweeps."""

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


def test_section_replaces_only_the_marked_text(tmp_path, monkeypatch):
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
    monkeypatch.setattr("sys.argv", ["x", str(tmp_path / "sens"), "--odd", str(odd)])
    tables.main()
    text = odd.read_text()
    assert text.startswith("before\n") and text.endswith("after\n") and "stale" not in text
    assert "Morris on commit abc1234" in text and "Sobol on commit def5678" in text
    assert "6 points x 2 replications" in text
    assert "| 1 | `" in text and "| `humility` |" in text and "noise share" in text
    assert {p.name for p in (odd.parent / "figures").iterdir()} == {"morris.png", "sobol.png"}
