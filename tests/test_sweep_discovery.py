"""Scenario discovery (``ccsim discover``): the condition, PRIM's boxes against a planted
one, coverage and density recounted from the runs, and the story: a preset that loads and
a seed for which the condition holds at the box's centre."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ccsim.cli import main as cli
from ccsim.params import ParamError
from ccsim.runs import simulate
from ccsim.scenarios import load_scenario
from ccsim.sweep.analysis import end_values
from ccsim.sweep.discovery import find_boxes, parse_where
from ccsim.sweep.store import ResultStore

# wage decides whether a firm perishes within 20 weeks, humility hardly
PERISHING = """
title = "perishing"
weeks = 20
replications = 2
seed = 3
[design]
kind = "latin_hypercube"
samples = 20
[factors]
wage = { lo = 5.0, hi = 20.0 }
humility = { lo = 0.0, hi = 1.0 }
[fixed]
n_customers = 100
n_employees = 10
initial_cash = 300.0
[output]
reporters = ["customers", "cash"]
every = 5
"""


def test_where_reads_names_comparisons_and_joins():
    frame = pd.DataFrame({"nps": [-10.0, 5.0, -3.0, 0.0], "perished": [0.0, 1.0, 1.0, 0.0]})
    names = ["nps", "perished"]
    assert parse_where("perished", names).test(frame).tolist() == [False, True, True, False]
    assert parse_where("nps < 0", names).test(frame).tolist() == [True, False, True, False]
    assert parse_where("nps<0 and perished", names).test(frame).tolist() == [False, False, True, False]
    assert parse_where("nps >= 5 or nps == -10", names).test(frame).tolist() == [True, True, False, False]
    for bad, says in [("nps <", "cannot read"), ("cash < 0", "unknown output 'cash'"),
                      ("nps < 1e999", "not a finite number"), ("__import__('os')", "cannot read"),
                      ("", "empty")]:
        with pytest.raises(ParamError, match=says):
            parse_where(bad, names)


@pytest.mark.slow   # EMA Workbench's import: about 10 s on a busy 2-core machine
def test_prim_finds_a_planted_box():
    """y holds exactly where a > 0.7 and b < 0.5: the box kept restricts a and b near those
    limits, leaves c free, and its coverage and density are what a recount gives."""
    rng = np.random.default_rng(5)
    x = pd.DataFrame(rng.uniform(size=(600, 3)), columns=["a", "b", "c"])
    y = ((x.a > 0.7) & (x.b < 0.5)).to_numpy()
    box = find_boxes(x, y, most=1, min_density=0.95)[0]
    limits = box.limits.set_index("factor")
    assert limits.restricted.tolist() == [True, True, False]
    assert (limits.quasi_p[["a", "b"]] < 1e-6).all() and np.isnan(limits.quasi_p["c"])
    assert limits.lo["a"] == pytest.approx(0.7, abs=0.05) and limits.hi["b"] == pytest.approx(0.5, abs=0.05)
    inside = np.ones(len(x), bool)
    for factor, row in limits.iterrows():
        inside &= (x[factor] >= row.lo).to_numpy() & (x[factor] <= row.hi).to_numpy()
    assert box.runs == inside.sum() and box.of_interest == (inside & y).sum()
    assert box.density == pytest.approx((inside & y).sum() / inside.sum()) and box.density >= 0.95
    assert box.coverage == pytest.approx((inside & y).sum() / y.sum()) and box.coverage > 0.8
    assert box.trajectory.density[box.chosen] >= 0.95


@pytest.mark.slow
def test_covering_looks_for_each_box_among_the_runs_outside_the_ones_before():
    """Box 2 starts from the runs outside box 1 and is kept only while denser than them."""
    rng = np.random.default_rng(6)
    x = pd.DataFrame(rng.uniform(size=(1200, 3)), columns=["a", "b", "c"])
    y = ((x.a > 0.8) | (x.b > 0.85)).to_numpy()
    first, second = find_boxes(x, y, most=2, min_density=0.95)
    assert first.limits.lo[0] == pytest.approx(0.8, abs=0.03) and first.density >= 0.95
    start = second.trajectory.iloc[0]
    assert start.n == len(x) - first.runs and start.k == y.sum() - first.of_interest
    assert second.density > start.density
    noise = rng.uniform(size=len(x)) < 0.3          # nothing to find: later boxes are dropped
    for box in find_boxes(x, noise, most=4, min_density=0.95)[1:]:
        assert box.density > box.trajectory.density[0]


@pytest.fixture(scope="module")
def discovered(swept):
    out = swept("discover", PERISHING)
    assert cli(["discover", str(out), "--where", "perished"]) == 0
    return out


@pytest.mark.slow
def test_boxes_and_story_from_a_sweep(discovered):
    d = discovered / "discovery"
    boxes = pd.read_csv(d / "boxes.csv")
    peeling = pd.read_csv(d / "peeling.csv")
    assert {"boxes.csv", "peeling.csv", "peeling.png", "story.toml", "discovery.md"} <= \
        {p.name for p in d.iterdir()}
    # the first box, recounted from the runs
    ends = end_values(ResultStore(discovered).load_runs())
    held = ends.perished_week.notna().to_numpy()
    first = boxes[boxes.box == 1]
    inside = np.ones(len(ends), bool)
    for row in first.itertuples():
        inside &= (ends[row.factor] >= row.lo).to_numpy() & (ends[row.factor] <= row.hi).to_numpy()
    assert first.runs.iloc[0] == inside.sum()
    assert first.density.iloc[0] == pytest.approx((inside & held).sum() / inside.sum())
    assert first.coverage.iloc[0] == pytest.approx((inside & held).sum() / held.sum())
    kept = peeling[peeling.chosen]
    assert len(kept) == boxes.box.nunique()
    assert kept.density.iloc[0] == pytest.approx(first.density.iloc[0])
    # the story: a preset at the box's centre, and a seed for which the firm perishes there
    story = load_scenario(d / "story.toml")
    for row in first.itertuples():
        assert row.lo <= story.params[row.factor] <= row.hi
    assert story.params["initial_cash"] == 300.0 and story.steps == 20
    other, moved, _ = story.partner()      # ccsim compare story.toml: outside the box
    restricted = first[first.restricted].set_index("factor")
    assert other is story and set(moved) == set(restricted.index)
    assert all(not row.lo <= moved[f] <= row.hi for f, row in restricted.iterrows())
    report = (d / "discovery.md").read_text()
    seed = int(report.split("--seed ")[1].split()[0])
    if "it held for seed" in report:
        assert simulate(story, story.steps, seed).perished
    assert f"seed={seed}" in report and "http://127.0.0.1:8765/?preset=baseline" in report


@pytest.mark.slow
@pytest.mark.parametrize("options, says", [
    (["--where", "nps < 0"], "--where 'nps < 0': unknown output 'nps'; allowed: customers, cash, perished"),
    (["--where", "cash < -1e12"], "holds in 0 of 40 runs"),
    (["--where", "perished", "--boxes", "0"], "--boxes=0; allowed"),
    (["--where", "perished", "--min-density", "1.5"], "--min-density=1.5; allowed"),
])
def test_bad_discovery_is_one_line_and_writes_nothing(discovered, tmp_path, capsys, options, says):
    target = tmp_path / "d"
    assert cli(["discover", str(discovered), "--out", str(target), *options]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and err.startswith("ccsim discover: error:")
    assert not target.exists()
