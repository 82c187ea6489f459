"""Honest indices: sensitivity per kept week, the share of seed noise, cautions in the
report (few replications, noise, total indices far above 1, wide intervals, a factor with
exactly zero effect), a methods paragraph that says how every interval was computed, and
a response curve for every factor."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest

from ccsim.sweep.store import ResultStore

SOBOL = """
title = "indices"
description = "Four replications per point."
weeks = 30
replications = 4
seed = 4
common_seeds = true
[design]
kind = "sobol"
samples = 8
[factors]
wage = { lo = 1.0, hi = 20.0 }
humility = { lo = 0.0, hi = 1.0 }
conformity = { lo = 0.0, hi = 1.0 }
[fixed]
initial_cash = 1000000.0
n_customers = 400
n_employees = 20
[output]
reporters = ["customers", "cash"]
every = 5
"""


@pytest.fixture(scope="module")
def sobol(swept):
    """A Sobol sweep run with --replications 2 (the file says four), analysed."""
    return swept("indices", SOBOL, "--replications", "2")


def test_sensitivity_over_time(sobol):
    a = sobol / "analysis"
    table = pd.read_csv(a / "sensitivity_over_time.csv")
    assert list(table.columns) == ["week", "output", "factor", "index", "value", "lo", "hi"]
    assert set(table["index"]) == {"S1", "ST"}
    # a week where an output is the same at every point (week 0; customers before the
    # leaders' first learning period) has no indices; every other kept week has 3 x 2
    runs = ResultStore(sobol).load_runs()
    for week in range(0, 31, 5):
        for output in ("customers", "cash"):
            means = runs[runs.week == week].groupby("point")[output].mean()
            rows = table[(table.week == week) & (table.output == output)]
            assert len(rows) == (0 if means.max() == means.min() else 6), (week, output)
    assert table.week.nunique() >= 4 and 0 not in set(table.week)
    # wage never changes a customer's decision (common seeds): exactly zero, every week
    wage = table[(table.output == "customers") & (table.factor == "wage")]
    assert (wage.value == 0).all()
    assert (table[(table.output == "cash") & (table.factor == "wage") & (table["index"] == "ST")]
            .value > 0).all()
    # the last week's indices are the end's
    end = pd.read_csv(a / "sensitivity.csv").set_index(["metric", "factor"])
    last = table[table.week == 30].set_index(["output", "factor", "index"])
    for (metric, factor), row in end.iterrows():
        assert last.loc[(metric, factor, "ST"), "value"] == pytest.approx(row.ST)
        assert last.loc[(metric, factor, "ST"), "hi"] - row.ST == pytest.approx(row.ST_conf)
    assert (a / "sensitivity_over_time.png").read_bytes()[:4] == b"\x89PNG"


def test_convergence_is_salib_on_the_first_samples(sobol):
    """sensitivity_convergence: at N the end's indices; at N/2 SALib's own sobol.analyze on
    the first N/2 of Saltelli's blocks, which are the design SALib samples for N/2."""
    from SALib.analyze import sobol as salib

    from ccsim.sweep.designs import design_from_dict, make_design
    from ccsim.sweep.experiment import parse_experiment

    manifest = ResultStore(sobol).manifest()
    design = design_from_dict(manifest["design"])
    table = pd.read_csv(sobol / "analysis" / "sensitivity_convergence.csv")
    assert sorted(table.samples.unique()) == [4, 8]
    end = pd.read_csv(sobol / "analysis" / "sensitivity.csv").set_index(["metric", "factor"])
    full = table[table.samples == 8].set_index(["output", "factor", "index"])
    for (metric, factor), row in end.iterrows():
        assert full.loc[(metric, factor, "ST"), "value"] == pytest.approx(row.ST)
    half = make_design(parse_experiment({**tomllib.loads(SOBOL), "design": {"kind": "sobol", "samples": 4}},
                                        "half", "half"))
    assert np.array_equal(half.X, design.X[:len(half.X)])
    ends = ResultStore(sobol).load_runs().groupby("run").tail(1)
    Y = ends.groupby("point")["cash"].mean().to_numpy()[:len(half.X)]
    S = salib.analyze(half.problem, Y, calc_second_order=False, num_resamples=200, seed=4)
    mine = table[(table.samples == 4) & (table.output == "cash")].set_index(["factor", "index"])
    for j, factor in enumerate(half.names):
        assert mine.loc[(factor, "S1"), "value"] == pytest.approx(S["S1"][j])
        assert mine.loc[(factor, "ST"), "value"] == pytest.approx(S["ST"][j])
    assert (sobol / "analysis" / "sensitivity_convergence.png").is_file()


def test_zero_effect_is_flagged_and_noise_measured(sobol):
    a = sobol / "analysis"
    s = pd.read_csv(a / "sensitivity.csv").set_index(["metric", "factor"])
    assert s.loc[("customers", "wage"), "zero_effect"]
    assert not s.loc[("customers", "humility"), "zero_effect"]
    assert not s.loc[("cash", "wage"), "zero_effect"]
    report = (a / "report.md").read_text()
    assert "wage has exactly zero effect on customers" in report
    assert "humility has exactly zero effect" not in report
    # the noise share, computed here from the run files
    runs = ResultStore(sobol).load_runs()
    ends = runs[runs.week == 30]
    noise = pd.read_csv(a / "noise_share.csv").set_index("metric")
    for metric in ("customers", "cash"):
        grid = ends.pivot(index="point", columns="replication", values=metric).to_numpy()
        # common seeds: the noise is the point x replication interaction; with 2
        # replications its mean square is half the variance of the paired differences
        within = np.var(grid[:, 0] - grid[:, 1], ddof=1) / 2
        between = max(grid.mean(axis=1).var(ddof=1) - within / 2, 0)
        assert noise.loc[metric, "share"] == pytest.approx(within / (within + between))
        assert 0 <= noise.loc[metric, "share"] <= 1
        assert noise.loc[metric, "replications"] == 2


def test_report_says_what_ran_and_how_intervals_were_computed(sobol):
    report = (sobol / "analysis" / "report.md").read_text()
    assert "*The experiment file's description:* Four replications per point." in report
    assert "Replications run: 2 per design point" in report
    assert "Only 2 replications at some design point" in report and "t = 12.7" in report
    methods = report.split("## Methods", 1)[1].split("##", 1)[0]
    for words in ("with 2 replications per point", "80 runs finished of 80",
                  "Student-t intervals (n - 1 degrees of freedom)", "Wilson's 95% score interval",
                  "Kaplan-Meier", "Greenwood", "SALib's bootstrap (200 resamples",
                  "base seed 4", "common random numbers", "code hash", "SALib "):
        assert words in methods, words


def test_cautions_follow_the_numbers():
    """Total indices far above 1 and wide intervals are said; sensible ones are not."""
    from ccsim.sweep.report import _cautions

    manifest = {"experiment": {"weeks": 52, "common_seeds": False}}
    ends = pd.DataFrame({"point": np.repeat(np.arange(4), 8), "run": np.arange(32)})
    points = pd.DataFrame({"metric": "nps", "mean": [0.0, 10, 20, 30], "ci_hi": [1.0, 11, 21, 31]})
    noise = pd.DataFrame({"metric": ["nps"], "share": [0.1]})

    def indices(st, conf):
        return pd.DataFrame({"metric": "nps", "factor": ["a", "b"], "ST": st, "ST_conf": conf,
                             "zero_effect": [False, False]})

    assert _cautions(manifest, ends, points, indices([0.5, 0.4], [0.05, 0.05]), noise) == []
    said = " ".join(_cautions(manifest, ends, points, indices([2.0, 1.3], [0.4, 0.3]), noise))
    assert "sum to 3.30, well above 1" in said and "median half-width of ST 0.35" in said
    noisy = pd.DataFrame({"metric": ["nps"], "share": [0.7]})
    assert "seed noise" in " ".join(_cautions(manifest, ends, points, None, noisy))
    wide = points.assign(ci_hi=points["mean"] + 40)
    assert "wider than the spread between points" in " ".join(
        _cautions(manifest, ends, wide, None, noise))


def test_morris_draws_a_response_for_every_factor(swept):
    names = ["humility", "empowerment", "courage_to_change", "customer_intimacy",
             "experimentation", "integrity", "accountability", "conformity", "problem_rate"]
    factors = "\n".join(f"{n} = {{ lo = 0.0, hi = 0.5 }}" for n in names)
    out = swept("screen",
                f'title = "screen"\nweeks = 3\nreplications = 1\nseed = 1\n[design]\nkind = "morris"\n'
                f"trajectories = 2\n[factors]\n{factors}\n[fixed]\nn_customers = 100\nn_employees = 10\n"
                f'[output]\nreporters = ["customers"]\n')
    indices = pd.read_csv(out / "analysis" / "sensitivity.csv")
    assert (indices.sigma_conf >= 0).all() and indices.sigma_conf.notna().all()
    drawn = sorted(p.name for p in (out / "analysis").glob("response_*.png"))
    assert drawn == sorted(f"response_{n}.png" for n in names)
    assert "One replication at some design point" in (out / "analysis" / "report.md").read_text()


def test_morris_elementary_effects_are_salibs_and_sigma_has_an_interval():
    """mu, mu* and sigma from ccsim's elementary effects equal SALib's; sigma's bootstrap
    interval narrows as trajectories grow (about 1 / sqrt(r))."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    from ccsim.sweep.analysis import elementary_effects, sigma_conf
    from ccsim.sweep.designs import Design

    bounds = ((0.0, 1.0), (5.0, 15.0), (0.0, 2.0))
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [list(b) for b in bounds]}
    widths = []
    for r in (16, 256):
        X = sample.sample(problem, r, num_levels=4, seed=3)
        Y = X[:, 0] ** 2 + 3 * X[:, 1] * X[:, 2] + np.sin(X[:, 2])
        effects = elementary_effects(Design("morris", ("a", "b", "c"), X, (), {"levels": 4}, bounds), Y)
        S = analyze.analyze(problem, X, Y, num_levels=4, seed=1)
        assert effects.mean(axis=1) == pytest.approx(S["mu"])
        assert np.abs(effects).mean(axis=1) == pytest.approx(S["mu_star"])
        assert effects.std(axis=1, ddof=1) == pytest.approx(S["sigma"])
        widths.append(sigma_conf(effects, seed=1))
    assert (widths[0] > 0).all() and (widths[1] < widths[0] / 2).all()
