"""``ccsim run``, ``ccsim compare`` and ``ccsim scenarios`` through the real CLI: the files
they write, the same seeds on both sides of a comparison, and the intervals they report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ccsim.cli import main
from ccsim.metrics import REPORTERS
from ccsim.scenarios import DEFAULT_SCENARIO, list_scenarios, load_scenario

CCSIM = Path(sys.executable).with_name("ccsim")
PNG = b"\x89PNG\r\n\x1a\n"
SMALL = ["--set", "n_customers=1000", "--quiet"]


def _run(*argv) -> None:
    assert main(list(argv)) == 0


def test_run_default_preset_with_the_real_executable(tmp_path):
    out = tmp_path / "run"
    result = subprocess.run([str(CCSIM), "run", "--steps", "30", "--seed", "7", "--out", str(out)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr
    df = pd.read_csv(out / "timeseries.csv", index_col="week")
    assert list(df.columns) == list(REPORTERS)
    assert list(df.index) == list(range(31))
    assert (out / "summary.png").read_bytes()[:8] == PNG
    manifest = json.loads((out / "run.json").read_text())
    assert (manifest["scenario"], manifest["seed"], manifest["steps"]) == (DEFAULT_SCENARIO, 7, 30)
    title = load_scenario(DEFAULT_SCENARIO).title
    assert title in result.stdout and "customers" in result.stdout and "nps" in result.stdout
    assert "week" in result.stderr            # the progress bar
    assert sorted(os.listdir(tmp_path)) == ["run"]


def test_run_same_seed_same_series_and_set_changes_it(tmp_path):
    _run("run", "hippo", "--steps", "40", "--seed", "3", "--out", str(tmp_path / "a"), *SMALL)
    _run("run", "hippo", "--steps", "40", "--seed", "3", "--out", str(tmp_path / "b"), *SMALL)
    _run("run", "hippo", "--steps", "40", "--seed", "4", "--out", str(tmp_path / "c"), *SMALL)
    _run("run", "hippo", "--steps", "40", "--seed", "3", "--out", str(tmp_path / "d"), *SMALL,
         "--set", "humility=0.9")
    a, b, c, d = (pd.read_csv(tmp_path / x / "timeseries.csv") for x in "abcd")
    assert a.equals(b)
    assert not a.equals(c)
    assert not a.equals(d)
    assert json.loads((tmp_path / "d" / "run.json").read_text())["params"]["humility"] == 0.9
    assert json.loads((tmp_path / "a" / "run.json").read_text())["params"]["humility"] == \
        load_scenario("hippo").params["humility"]


def test_run_marks_events_and_rerun_replaces_the_output(tmp_path, capsys):
    out = tmp_path / "turn"
    week = load_scenario("turnaround").events[0].week
    _run("run", "turnaround", "--steps", str(week + 5), "--out", str(out), *SMALL)
    _run("run", "turnaround", "--steps", str(week + 5), "--out", str(out), *SMALL)
    manifest = json.loads((out / "run.json").read_text())
    assert [week, "a humble leader with a P&L arrives"] in manifest["marks"]
    assert f"week   {week}: a humble leader" in capsys.readouterr().out
    assert sorted(os.listdir(tmp_path)) == ["turn"]     # no temporary or old directories left


def test_run_shorter_than_an_event_says_the_event_will_not_happen(tmp_path, capsys):
    event = load_scenario("turnaround").events[0]
    _run("run", "turnaround", "--steps", str(event.week - 1), "--out", str(tmp_path / "short"), *SMALL)
    err = capsys.readouterr().err
    assert f"'{event.title}' at week {event.week} is after the last week ({event.week - 1})" in err
    _run("run", "turnaround", "--steps", str(event.week), "--out", str(tmp_path / "long"), *SMALL)
    assert "will not happen" not in capsys.readouterr().err


def test_run_a_preset_file_by_path(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('title = "Mine"\nstory = "Mine."\nsteps = 12\n[params]\nhumility = 0.9\n'
                    '[[events]]\nweek = 6\nkind = "shock"\n'
                    'args = { demand = 0.5, churn = 2.0, weeks = 3 }\n')
    _run("run", str(path), "--out", str(tmp_path / "o"), *SMALL)
    df = pd.read_csv(tmp_path / "o" / "timeseries.csv")
    assert len(df) == 13
    assert json.loads((tmp_path / "o" / "run.json").read_text())["marks"] == \
        [[6, "shock"], [9, "shock ends"]]


def _compare(tmp_path, *argv):
    out = tmp_path / "cmp"
    _run("compare", *argv, "--out", str(out), *SMALL)
    return (out, pd.read_csv(out / "timeseries.csv"), pd.read_csv(out / "end_values.csv"))


def test_compare_counterpart_same_seeds_and_intervals(tmp_path, capsys):
    out, runs, ends = _compare(tmp_path, "hippo", "--steps", "40", "--reps", "4", "--seed", "11")
    assert (out / "compare.png").read_bytes()[:8] == PNG
    manifest = json.loads((out / "run.json").read_text())
    assert (manifest["a"], manifest["b"], manifest["seeds"]) == ("hippo", "customer-centric",
                                                                [11, 12, 13, 14])
    for side in "AB":
        assert sorted(runs[runs.side == side].seed.unique()) == [11, 12, 13, 14]
    assert list(ends.metric) == list(REPORTERS)
    # the difference and its 95% interval, recomputed from the runs (paired by seed)
    end = runs[runs.week == 40].pivot(index="seed", columns="side", values="customers")
    diff = end["A"] - end["B"]
    half = stats.t.ppf(0.975, 3) * diff.std(ddof=1) / 2
    row = ends.set_index("metric").loc["customers"]
    assert row.a_mean == pytest.approx(end["A"].mean())
    assert row.difference == pytest.approx(diff.mean())
    assert (row.difference_low, row.difference_high) == pytest.approx((diff.mean() - half,
                                                                       diff.mean() + half))
    text = capsys.readouterr().out
    assert "A: The HiPPO-led firm" in text and "B: The customer-centric firm" in text
    assert "95% interval" in text


def test_compare_a_preset_with_itself_has_no_gap(tmp_path):
    _, runs, ends = _compare(tmp_path, "baseline", "baseline", "--steps", "25", "--reps", "3")
    assert np.allclose(ends.difference, 0) and np.allclose(ends.difference_low, 0)
    a = runs[runs.side == "A"].drop(columns="side").reset_index(drop=True)
    b = runs[runs.side == "B"].drop(columns="side").reset_index(drop=True)
    assert a.equals(b)


def test_compare_set_variants_of_one_preset(tmp_path, capsys):
    out, runs, ends = _compare(tmp_path, "baseline", "baseline", "--steps", "30", "--reps", "2",
                               "--set-b", "humility=0.95", "--set", "turnover=0.01")
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["overrides_a"] == {"n_customers": 1000, "turnover": 0.01}
    assert manifest["overrides_b"] == {"n_customers": 1000, "turnover": 0.01, "humility": 0.95}
    assert "humility=0.95" in capsys.readouterr().out
    voice = ends.set_index("metric").loc["employee_voice"]
    assert voice.b_mean > voice.a_mean


def test_compare_story_is_the_same_firm_until_the_event(tmp_path):
    week = load_scenario("no-receipt-refund").events[0].week
    _, runs, _ = _compare(tmp_path, "no-receipt-refund", "--steps", str(week + 10), "--reps", "2")
    a = runs[runs.side == "A"].set_index(["rep", "week"])[list(REPORTERS)]
    b = runs[runs.side == "B"].set_index(["rep", "week"])[list(REPORTERS)]
    before = a.index.get_level_values("week") < week
    assert a[before].equals(b[before])
    assert not a[~before].equals(b[~before])


def test_scenarios_lists_every_preset_and_shows_one(capsys):
    _run("scenarios")
    text = capsys.readouterr().out
    for s in list_scenarios():
        assert s.name in text and s.title in text
    _run("scenarios", "heater-denied")
    text = capsys.readouterr().out
    for heading in ("WHAT IS IT", "THINGS TO NOTICE", "THINGS TO TRY", "DEBRIEF",
                    "EVENT week 26", "COMPARE WITH heater-fixed"):
        assert heading in text
