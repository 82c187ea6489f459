"""Firms that perish in a sweep: rows at every kept week to the end (closed: customers 0,
perished 1, cash as when it perished), means over every run, the share perished with
Wilson's interval, Kaplan-Meier survival per design point with Greenwood's interval (scipy)
and the median time to failure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from ccsim.cli import main as cli
from ccsim.model import run as run_model
from ccsim.sweep.store import ResultStore
from ccsim.sweep.survival import kaplan_meier, median_time, wilson

# wage 15: some firms perish, at different weeks; wage 20: most perish early (week 3-8)
PERISHING = """
title = "perishing"
weeks = 20
replications = 4
seed = 2
[design]
kind = "full_factorial"
[factors]
wage = [15.0, 20.0]
[fixed]
n_customers = 100
n_employees = 10
initial_cash = 300.0
[output]
reporters = ["customers", "cash", "perished"]
every = 3
"""
GRID = [0, 3, 6, 9, 12, 15, 18, 20]


def test_kaplan_meier_matches_the_textbook():
    """Freireich et al. (1963), 6-MP arm: the estimates, and R's survfit(conf.type =
    "log-log") intervals, to 3 decimals."""
    times = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    events = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    table = kaplan_meier(times, np.array(events, dtype=bool)).set_index("week")
    expected = {6: (21, 3, 0.857, 0.620, 0.952), 7: (17, 1, 0.807, 0.563, 0.923),
                10: (15, 1, 0.753, 0.503, 0.889), 13: (12, 1, 0.690, 0.432, 0.849),
                16: (11, 1, 0.627, 0.368, 0.805), 22: (7, 1, 0.538, 0.268, 0.747),
                23: (6, 1, 0.448, 0.188, 0.680)}
    assert list(table.index) == [0, *expected]
    for week, (at_risk, failed, s, lo, hi) in expected.items():
        row = table.loc[week]
        assert (row.at_risk, row.events) == (at_risk, failed)
        assert (row.survival, row.lo, row.hi) == pytest.approx((s, lo, hi), abs=6e-4)
    everyone = kaplan_meier([2, 2, 5], np.ones(3, bool))
    assert everyone.survival.iloc[-1] == 0 and everyone.lo.iloc[-1] == 0
    # median 23 (S 0.538 -> 0.448); lower limit 13, where the band's lower limit first falls
    # to 0.5 or below (0.503 at week 10, 0.432 at 13); the upper limit never does (R: NA)
    median, lo, hi = median_time(table.reset_index())
    assert (median, lo) == (23, 13) and np.isnan(hi)


def test_kaplan_meier_by_hand():
    """Five firms, two censored (weeks 3 and 8): the product-limit steps, Greenwood's sums and
    the log-log interval S^exp(-+z sqrt(V) / log S) worked out by hand."""
    table = kaplan_meier([2, 3, 3, 5, 8], np.array([1, 0, 1, 1, 0], dtype=bool))
    assert list(table.week) == [0, 2, 3, 5]
    assert list(table.at_risk) == [5, 5, 4, 2] and list(table.events) == [0, 1, 1, 1]
    survival = [1, 4 / 5, 4 / 5 * 3 / 4, 4 / 5 * 3 / 4 * 1 / 2]
    greenwood = np.cumsum([0, 1 / (5 * 4), 1 / (4 * 3), 1 / (2 * 1)])
    z = 1.959963984540054
    for row, s, v in list(zip(table.itertuples(), survival, greenwood))[1:]:
        spread = z * np.sqrt(v) / np.log(s)
        assert (row.survival, row.lo, row.hi) == pytest.approx((s, s ** np.exp(-spread), s ** np.exp(spread)))
    assert median_time(table)[0] == 5            # 0.6 at week 3, 0.3 at week 5
    assert median_time(kaplan_meier([3, 3, 20, 20], np.array([1, 1, 0, 0], dtype=bool)))[0] == 3  # at 0.5
    censored = kaplan_meier([4, 9], np.zeros(2, bool))   # nobody failed: no step, no median
    assert list(censored.survival) == [1.0] and np.isnan(median_time(censored)).all()


def test_wilson_is_scipys():
    for k, n in [(0, 4), (1, 4), (4, 4), (3, 10), (37, 120)]:
        lo, hi = wilson(k, n)
        ci = binomtest(k, n).proportion_ci(method="wilson")
        assert (float(lo), float(hi)) == pytest.approx((ci.low, ci.high), abs=1e-12)
    assert np.isnan(wilson(0, 0)[0])


@pytest.fixture(scope="module")
def perished(swept):
    out = swept("perish", PERISHING)
    return out, ResultStore(out).load_runs()


def test_a_perished_run_is_closed_on_the_grid_to_the_end(perished):
    out, runs = perished
    assert runs.groupby("run").week.apply(list).map(lambda w: w == GRID).all()
    firms = runs.groupby("run").perished_week.first()
    assert firms.notna().sum() >= 4 and firms.isna().sum() >= 1
    manifest = ResultStore(out).manifest()
    for run, week in firms.dropna().items():
        record = manifest["runs"][run]
        wage = manifest["design"]["points"][record["point"]]["wage"]
        model = run_model(20, record["seed"], customer_agents=False, n_customers=100,
                          n_employees=10, initial_cash=300.0, wage=wage)
        assert model.perished_week == week
        last = model.dataframe().loc[week]
        rows = runs[runs.run == run].set_index("week")
        after = rows.loc[rows.index > week]
        assert (after.customers == 0).all() and (after.perished == 1).all()
        assert (after.cash == last.cash).all()
        before = rows.loc[rows.index <= week]
        direct = model.dataframe().loc[before.index, ["customers", "cash", "perished"]]
        np.testing.assert_array_equal(before[["customers", "cash", "perished"]].to_numpy(),
                                      direct.to_numpy(dtype=float))


def test_means_count_every_run_and_the_share_perished_is_wilson(perished):
    out, runs = perished
    series = pd.read_csv(out / "analysis" / "timeseries.csv")
    assert (series.n == 4).all() and set(series.week) == set(GRID)
    share = series[series.metric == "perished"]
    for row in share.itertuples():
        k = runs[(runs.point == row.point) & (runs.week == row.week)].perished.sum()
        ci = binomtest(int(k), 4).proportion_ci(method="wilson")
        assert (row.mean, row.ci_lo, row.ci_hi) == pytest.approx((k / 4, ci.low, ci.high))
        assert 0 <= row.ci_lo <= row.mean <= row.ci_hi <= 1
    # the curve never falls: a firm that perished stays perished
    assert (share.groupby("point")["mean"].diff().dropna() >= 0).all()


def test_survival_per_point_from_the_runs(perished):
    out, runs = perished
    table = pd.read_csv(out / "analysis" / "survival.csv")
    assert list(table.columns) == ["week", "point", "at_risk", "events", "survival", "lo", "hi"]
    firms = runs.groupby("run").agg(point=("point", "first"), week=("perished_week", "first"))
    for point, group in table.groupby("point"):
        times = firms[firms.point == point].week.astype(float).fillna(np.inf)
        for row in group.itertuples():     # no censoring before the end: the empirical share
            assert row.survival == pytest.approx((~(times <= row.week)).mean())
            assert row.events == (times == row.week).sum()
            assert row.lo <= row.survival <= row.hi
    assert (out / "analysis" / "survival.png").read_bytes()[:4] == b"\x89PNG"
    report = (out / "analysis" / "report.md").read_text()
    perished_runs = int(firms.week.notna().sum())   # (Int64: pd.NA where none)
    assert f"{perished_runs} of 8 runs ran out of cash" in report and "survival.png" in report
    assert "scipy.stats.ecdf" in report.split("## Methods", 1)[1]


def test_time_to_failure_per_point(perished):
    """No run is censored before the last week: the median time to failure is the first week
    by which half the point's firms or more have perished."""
    out, runs = perished
    table = pd.read_csv(out / "analysis" / "time_to_failure.csv").set_index("point")
    assert list(table.columns[:1]) == ["wage"]
    firms = runs.groupby("run").agg(point=("point", "first"), week=("perished_week", "first"))
    for point, group in firms.groupby("point"):
        weeks = np.sort(group.week.astype(float).fillna(np.inf).to_numpy())
        row = table.loc[point]
        assert (row.runs, row.perished) == (4, np.isfinite(weeks).sum())
        assert row.share_lo <= row.share == row.perished / 4 <= row.share_hi
        half = weeks[1]     # the 2nd of 4 firms to perish brings the survival to 0.5
        if np.isfinite(half):
            assert row["median"] == half and row.median_lo <= half
            assert np.isnan(row.median_hi) or row.median_hi >= half
        else:
            assert np.isnan(row["median"])
    assert table.perished.sum() >= 4 and table["median"].notna().any()


def test_a_run_file_without_every_kept_week_is_damaged(perished, tmp_path):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(perished[0], out)
    path = out / "runs" / "run-0000005.parquet"
    table = pd.read_parquet(path)
    table.iloc[:-1].to_parquet(path, index=False)
    assert cli(["analyze", str(out), "--out", str(tmp_path / "a")]) == 2
