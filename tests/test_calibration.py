"""ccsim calibrate: a small ABC-SMC run end to end (the full one is `make calibrate`)."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from ccsim import calibration

SMALL = ["--population", "8", "--generations", "3", "--workers", "1", "--customers", "400",
         "--weeks", "78", "--checks", "2"]


def calibrate(out, *extra):
    return subprocess.run([sys.executable, "-m", "ccsim", "calibrate", "--out", str(out), *SMALL, *extra],
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def small_fit(tmp_path_factory):
    out = tmp_path_factory.mktemp("calibrate") / "fit"
    done = calibrate(out)
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.slow
def test_writes_the_posterior_its_summary_and_every_pattern(small_fit):
    posterior = pd.read_parquet(small_fit / "posterior.parquet")
    assert len(posterior) == 8
    assert posterior.weight.sum() == pytest.approx(1.0)
    for name, (lo, hi) in calibration.PRIORS.items():
        assert posterior[name].between(lo, hi).all()
    summary = pd.read_csv(small_fit / "summary.csv")
    assert (summary.lo90 <= summary["median"]).all() and (summary["median"] <= summary.hi90).all()
    patterns = pd.read_csv(small_fit / "patterns.csv")
    assert set(patterns.pattern) == set(calibration.FITTED) | set(calibration.HELD_OUT)
    assert set(patterns.role) == {"fitted", "held out"}
    assert patterns.ccsim.notna().all()
    for name in ("history.db", "posterior.png", "calibration.md"):
        assert (small_fit / name).stat().st_size > 0


@pytest.mark.slow
def test_the_tolerance_shrinks_over_generations(small_fit):
    import pyabc

    history = pyabc.History(f"sqlite:///{small_fit / 'history.db'}")
    epsilon = history.get_all_populations().query("t >= 0").epsilon.to_numpy()
    assert len(epsilon) == 3
    assert epsilon[-1] < epsilon[0]


@pytest.mark.slow
def test_one_worker_is_reproducible_from_the_seed(small_fit, tmp_path):
    again = calibrate(tmp_path / "again")
    assert again.returncode == 0, again.stderr
    first = pd.read_parquet(small_fit / "posterior.parquet")
    second = pd.read_parquet(tmp_path / "again" / "posterior.parquet")
    pd.testing.assert_frame_equal(first, second)


def test_patterns_are_measured_from_a_run():
    setup = calibration.Setup(n_customers=400, weeks=78)
    low = calibration.patterns(calibration.simulate({"base_quality": 0.0}, setup, seed=1))
    high = calibration.patterns(calibration.simulate({"base_quality": 0.9}, setup, seed=1))
    assert set(low) == set(calibration.FITTED)
    assert high["churn"] < low["churn"] and high["nps"] > low["nps"]
    assert 0 < high["churn"] < 1


def test_weighted_quantile_matches_the_unweighted_one_at_equal_weights():
    values = np.random.default_rng(0).normal(size=201)
    assert calibration.weighted_quantile(values, np.ones(201), 0.5) == pytest.approx(np.median(values), abs=0.02)


@pytest.mark.parametrize("option, value", [("--population", "many"), ("--generations", "0"),
                                           ("--workers", "-1"), ("--weeks", "10")])
def test_bad_options_are_one_line_and_write_nothing(tmp_path, option, value):
    out = tmp_path / "fit"
    done = subprocess.run([sys.executable, "-m", "ccsim", "calibrate", "--out", str(out), option, value],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and option in done.stderr
    assert not out.exists()
