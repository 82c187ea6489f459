"""Grow and gather: a finished sweep extended with more replications and more Sobol samples
holds exactly the runs one sweep of the larger size makes (old run files untouched); a Latin
hypercube grows by a batch of its own, and a growth killed with kill -9 resumes to the
uninterrupted one; what would shrink a sweep is refused in one line; analyze gathers every
run into one Parquet file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
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


def strata(unit: np.ndarray) -> bool:
    """Whether ``unit`` (n points in [0, 1)^k) has one point in each of n strata per factor."""
    n = len(unit)
    return all(sorted(np.floor(column * n).astype(int)) == list(range(n)) for column in unit.T)


def unit_points(manifest: dict) -> np.ndarray:
    d = manifest["design"]
    lo, hi = np.array(d["bounds"]).T
    return (np.array(d["X"]) - lo) / (hi - lo)


def test_a_latin_hypercube_grows_in_batches(tmp_path, capsys):
    path = tmp_path / "lhs.toml"
    path.write_text(GROW.replace('kind = "sobol"', 'kind = "latin_hypercube"'))
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert sweep(path, out, "--replications", "1") == 0                  # 4 samples
    first = {p.name: p.read_bytes() for p in (out / "runs").iterdir()}
    before = json.loads((out / "manifest.json").read_text())
    capsys.readouterr()
    assert sweep(path, out, "--replications", "1", "--samples", "6") == 2
    assert "holds 4 of this experiment's 6 runs; add --resume to extend it" in capsys.readouterr().err
    assert sweep(path, out, "--replications", "1", "--samples", "6", "--resume") == 0
    assert {p.name: p.read_bytes() for p in (out / "runs").iterdir() if p.name in first} == first
    grown = json.loads((out / "manifest.json").read_text())
    assert grown["design"]["options"]["batches"] == [4, 2] and len(grown["runs"]) == 6
    assert grown["design"]["X"][:4] == before["design"]["X"]
    unit = unit_points(grown)
    assert strata(unit[:4]) and strata(unit[4:]) and not strata(unit)   # two hypercubes, not one
    # a fresh sweep of 6 samples is one Latin hypercube, not this design
    assert sweep(path, fresh, "--replications", "1", "--samples", "6") == 0
    assert json.loads((fresh / "manifest.json").read_text())["design"]["options"]["batches"] == [6]
    capsys.readouterr()
    # fewer samples than the directory holds: refused in one line, nothing touched
    manifest = (out / "manifest.json").read_bytes()
    assert sweep(path, out, "--replications", "1", "--samples", "5", "--resume") == 2
    err = capsys.readouterr().err
    assert "a Latin hypercube keeps its points only as it grows: ask for at least its 6 samples" in err
    assert err.count("\n") == 1
    assert sweep(path, out, "--replications", "1", "--resume") == 2
    assert "holds 6 runs (6 points x 1 replications), more than this experiment's 4" in capsys.readouterr().err
    assert (out / "manifest.json").read_bytes() == manifest
    assert sweep(path, out, "--replications", "1", "--samples", "6", "--resume") == 0
    assert "6 already there, 0 run now" in capsys.readouterr().out
    assert (out / "manifest.json").read_bytes() == manifest
    assert sweep(path, out, "--replications", "1", "--samples", "9", "--resume") == 0
    grown = json.loads((out / "manifest.json").read_text())
    assert grown["design"]["options"]["batches"] == [4, 2, 3] and strata(unit_points(grown)[6:])
    assert cli(["analyze", str(out)]) == 0
    methods = (out / "analysis" / "report.md").read_text().split("## Methods", 1)[1]
    assert "a Latin hypercube sample of 9 points drawn in 3 batches (4 + 2 + 3; scipy)" in methods
    assert "extended 2 times (from 4, 6 runs)" in methods


@pytest.mark.slow
def test_a_killed_growth_resumes_to_the_uninterrupted_one(tmp_path):
    """kill -9 (the sweep, its forkserver and workers) in the middle of growing a Latin
    hypercube, then --resume: the same manifest and rows as a growth that ran through."""
    path = tmp_path / "lhs.toml"
    path.write_text(GROW.replace('kind = "sobol"', 'kind = "latin_hypercube"')
                    .replace("weeks = 6", "weeks = 120").replace("n_customers = 100", "n_customers = 1500"))
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    assert sweep(path, killed, "--replications", "1") == 0
    shutil.copytree(killed, whole)
    assert sweep(path, whole, "--replications", "1", "--samples", "16", "--resume") == 0
    grow = [sys.executable, "-m", "ccsim", "sweep", str(path), "--out", str(killed), "--workers", "2",
            "--no-progress", "--replications", "1", "--samples", "16", "--resume"]
    process = subprocess.Popen(grow, start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    store = ResultStore(killed)
    try:
        deadline = time.monotonic() + 120
        while len(store.done()) < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert 6 <= len(store.done()) < 16, "the growth must be cut off in the middle"
    assert (killed / "manifest.json").read_bytes() == (whole / "manifest.json").read_bytes()
    assert sweep(path, killed, "--replications", "1", "--samples", "16", "--resume") == 0
    assert (killed / "manifest.json").read_bytes() == (whole / "manifest.json").read_bytes()
    pd.testing.assert_frame_equal(rows(killed), rows(whole))
