"""Grow and gather: a finished sweep extended with more replications and more Sobol samples
holds exactly the runs one sweep of the larger size makes (old run files untouched); what
would shrink it, or grow a Latin hypercube, is refused in one line; analyze gathers every
run into one Parquet file."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from ccsim.cli import main as cli
from ccsim.sweep.store import ResultStore

GROW = """
title = "grow"
weeks = 6
replications = 2
seed = 7
[design]
kind = "sobol"
samples = 4
[factors]
humility = { lo = 0.0, hi = 1.0 }
wage = { lo = 5.0, hi = 15.0 }
[fixed]
n_customers = 100
n_employees = 10
[output]
reporters = ["customers", "cash"]
every = 3
"""


def sweep(path, out, *options) -> int:
    return cli(["sweep", str(path), "--out", str(out), "--workers", "2", "--no-progress", *options])


def rows(out) -> pd.DataFrame:
    """Every run's rows, keyed by design point and replication (not by run number)."""
    return (ResultStore(out).load_runs().drop(columns="run")
            .sort_values(["point", "replication", "week"], ignore_index=True))


@pytest.mark.slow
def test_an_extended_sweep_is_the_sweep_of_its_final_size(tmp_path, capsys):
    path = tmp_path / "grow.toml"
    path.write_text(GROW)
    grown, whole = tmp_path / "grown", tmp_path / "whole"
    assert sweep(path, grown, "--samples", "2", "--replications", "1") == 0
    first = {p.name: p.read_bytes() for p in (grown / "runs").iterdir()}
    assert len(first) == 8       # N = 2: 2 x (2 + 2) points, one replication
    capsys.readouterr()
    assert sweep(path, grown, "--samples", "2") == 2    # more replications need --resume
    assert "holds 8 of this experiment's 16 runs; add --resume to extend it" in capsys.readouterr().err
    assert sweep(path, grown, "--samples", "2", "--resume") == 0     # replications 1 -> 2
    assert sweep(path, grown, "--resume") == 0                        # samples 2 -> 4
    assert {p.name: p.read_bytes() for p in (grown / "runs").iterdir() if p.name in first} == first
    assert sweep(path, whole) == 0
    pd.testing.assert_frame_equal(rows(grown), rows(whole))
    manifest = json.loads((grown / "manifest.json").read_text())
    assert [g["runs"] for g in manifest["extended"]] == [8, 16]
    assert sweep(path, grown, "--resume") == 0          # finished: nothing to run, numbering kept
    assert "32 already there, 0 run now" in capsys.readouterr().out
    # fewer runs than the directory holds would leave runs out
    assert sweep(path, grown, "--resume", "--replications", "1") == 2
    err = capsys.readouterr().err
    assert "holds 32 runs (16 points x 2 replications), more than this experiment's 16" in err
    assert err.count("\n") == 1
    # analyze gathers every run into one file: the rows of every run file
    assert cli(["analyze", str(grown)]) == 0
    merged = pq.read_table(grown / "analysis" / "runs.parquet").to_pandas()
    pd.testing.assert_frame_equal(merged, ResultStore(grown).load_runs())
    assert "extended 2 times (from 8, 16 runs)" in (grown / "analysis" / "report.md").read_text()


def test_what_cannot_grow_is_refused(tmp_path, capsys):
    lhs = GROW.replace('kind = "sobol"', 'kind = "latin_hypercube"')
    path = tmp_path / "lhs.toml"
    path.write_text(lhs)
    out = tmp_path / "out"
    assert sweep(path, out, "--weeks", "1", "--replications", "1") == 0
    before = sorted(p.name for p in (out / "runs").iterdir())
    capsys.readouterr()
    assert sweep(path, out, "--weeks", "1", "--replications", "1", "--samples", "6", "--resume") == 2
    err = capsys.readouterr().err
    assert "a Latin hypercube's strata depend on its size" in err and err.count("\n") == 1
    assert sorted(p.name for p in (out / "runs").iterdir()) == before
    factorial = tmp_path / "grid.toml"
    factorial.write_text(GROW.replace('kind = "sobol"\nsamples = 4', 'kind = "full_factorial"')
                         .replace("{ lo = 0.0, hi = 1.0 }", "[0.1, 0.9]").replace("{ lo = 5.0, hi = 15.0 }", "[5.0]"))
    assert sweep(factorial, tmp_path / "grid", "--samples", "8") == 2
    assert "--samples does not apply to a full_factorial design" in capsys.readouterr().err
    sobol = tmp_path / "sobol.toml"
    sobol.write_text(GROW)
    assert sweep(sobol, tmp_path / "s", "--samples", "6") == 2
    assert "design.samples=6 is not a power of 2" in capsys.readouterr().err
    assert not (tmp_path / "grid").exists() and not (tmp_path / "s").exists()
