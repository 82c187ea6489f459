"""Sweeps: experiment files, designs, seeds, bad input, local parallel runs, analysis."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ccsim import runs
from ccsim.cli import main as cli
from ccsim.events import Event
from ccsim.params import ParamError
from ccsim.scenarios import load_scenario
from ccsim.sweep.designs import make_design
from ccsim.sweep.experiment import load_experiment, parse_experiment
from ccsim.sweep.runner import plan, run_plan, run_sweep
from ccsim.sweep.seeds import run_seed, run_seeds
from ccsim.sweep.store import ResultStore

ROOT = Path(__file__).resolve().parent.parent
SMALL = {"n_customers": 200, "n_employees": 20}

FACTORIAL = """
title = "small grid"
weeks = 8
replications = 2
seed = 11
[design]
kind = "full_factorial"
[factors]
humility = [0.1, 0.9]
empowerment = { lo = 0.0, hi = 1.0, levels = 3 }
[fixed]
n_customers = 200
n_employees = 20
[output]
reporters = ["customers", "nps", "cash"]
every = 3
"""


def write(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def tables(out: Path) -> pd.DataFrame:
    return ResultStore(out).load_runs().sort_values(["run", "week"]).reset_index(drop=True)


# ----- experiment files and designs -----
@pytest.mark.parametrize("name,runs", [("humility_x_empowerment", 250),
                                       ("sobol_culture", 320 * 2),
                                       ("morris_screening", 10 * 68 * 2),
                                       ("march_conformity_x_humility", 15 * 20),
                                       ("wages_and_culture", 16 * (4 + 2) * 4)])
def test_shipped_experiments_load(name, runs):
    experiment = load_experiment(ROOT / "experiments" / f"{name}.toml")
    assert plan(experiment).n_runs == runs


def test_sobol_experiment_covers_every_culture_trait():
    from ccsim.params import CULTURE_TRAITS

    experiment = load_experiment(ROOT / "experiments" / "sobol_culture.toml")
    assert sorted(f.name for f in experiment.factors) == sorted(CULTURE_TRAITS)


def test_morris_experiment_covers_every_parameter_but_the_sizes():
    from ccsim.params import PARAMS

    experiment = load_experiment(ROOT / "experiments" / "morris_screening.toml")
    factors = {f.name: f for f in experiment.factors}
    assert sorted(factors) == sorted(n for n, p in PARAMS.items() if not p.fixed)
    # every range holds the default, so the screening is around the model as shipped
    assert all(f.lo <= PARAMS[n].default <= f.hi for n, f in factors.items())


def test_full_factorial_is_every_combination(tmp_path):
    design = make_design(load_experiment(write(tmp_path, FACTORIAL)))
    combos = {(p["humility"], p["empowerment"]) for p in design.points}
    assert combos == {(h, e) for h in (0.1, 0.9) for e in (0.0, 0.5, 1.0)}
    assert len(design.points) == 6


def _sampled(kind: str, extra: str, seed: int = 5) -> str:
    return f"""
title = "t"
seed = {seed}
[design]
kind = "{kind}"
{extra}
[factors]
humility = {{ lo = 0.2, hi = 0.8 }}
conformity = {{ lo = 0.0, hi = 1.0 }}
n_employees = {{ lo = 10, hi = 50 }}
"""


def test_latin_hypercube_is_stratified_and_seeded(tmp_path):
    design = make_design(load_experiment(write(tmp_path, _sampled("latin_hypercube", "samples = 10"))))
    strata = np.floor((design.X[:, 0] - 0.2) / 0.6 * 10).astype(int)
    assert sorted(strata) == list(range(10))          # one point per tenth of the range
    assert all(isinstance(p["n_employees"], int) and 10 <= p["n_employees"] <= 50
               for p in design.points)
    again = make_design(load_experiment(write(tmp_path, _sampled("latin_hypercube", "samples = 10"))))
    other = make_design(load_experiment(write(tmp_path, _sampled("latin_hypercube", "samples = 10", 6))))
    assert np.array_equal(design.X, again.X) and not np.array_equal(design.X, other.X)


def test_sobol_and_morris_sizes(tmp_path):
    sobol = make_design(load_experiment(write(tmp_path, _sampled("sobol", "samples = 16"))))
    assert sobol.X.shape == (16 * (3 + 2), 3)
    second = make_design(load_experiment(write(tmp_path, _sampled(
        "sobol", "samples = 16\nsecond_order = true"))))
    assert second.X.shape == (16 * (2 * 3 + 2), 3)
    morris = make_design(load_experiment(write(tmp_path, _sampled("morris", "trajectories = 5"))))
    assert morris.X.shape == (5 * 4, 3)
    for design in (sobol, morris):
        assert (design.X[:, 0] >= 0.2).all() and (design.X[:, 0] <= 0.8).all()


def test_seeds_depend_only_on_base_and_place():
    seeds = run_seeds(42, 4, 3)
    assert len(set(seeds)) == 12
    assert seeds[2 * 3 + 1] == run_seed(42, 2, 1)
    assert run_seeds(43, 4, 3) != seeds
    common = run_seeds(42, 4, 3, common=True)
    assert common[0:3] == common[3:6] == common[9:12]
    assert all(0 <= s < 2**63 for s in seeds)


# ----- bad input: one line, exit 2, nothing written -----
BAD = {
    "unknown factor": ("[factors]\nhumilty = [0.1]", "unknown parameter 'humilty'"),
    "empty levels": ("[factors]\nhumility = []", "empty list of levels"),
    "empty range": ("[factors]\nhumility = { lo = 0.5, hi = 0.5, levels = 3 }", "empty or inverted"),
    "inverted range": ("[factors]\nhumility = { lo = 0.9, hi = 0.1, levels = 3 }", "empty or inverted"),
    "out of range": ("[factors]\nhumility = [0.5, 1.5]", "out of range"),
    "range in a factorial": ("[factors]\nhumility = { lo = 0.1, hi = 0.9 }", "needs levels"),
    "zero replications": ("replications = 0\n[factors]\nhumility = [0.1]", "replications=0"),
    "unknown reporter": ("[factors]\nhumility = [0.1]\n[output]\nreporters = ['nope']",
                         "unknown reporter 'nope'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_experiment_exits_2_with_one_line(case, tmp_path, capsys):
    body, expected = BAD[case]
    top, _, rest = body.rpartition("[factors]")
    text = f'title = "bad"\n{top}[design]\nkind = "full_factorial"\n[factors]{rest}\n'
    path = write(tmp_path, text)
    out = tmp_path / "out"
    assert cli(["sweep", str(path), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1 and str(path) in err
    assert not out.exists()


@pytest.mark.parametrize("design,factors,expected", [
    ('kind = "sobol"\nsamples = 8', "humility = [0.1, 0.5]\nconformity = [0.1, 0.5]", "samples a range"),
    ('kind = "sobol"\nsamples = 8', "humility = { lo = 0.0, hi = 1.0 }", "at least 2 factors"),
    ('kind = "sobol"\nsamples = 12', "humility = { lo = 0.0, hi = 1.0 }\nconformity = { lo = 0.0, hi = 1.0 }",
     "not a power of 2"),
    ('kind = "morris"', "humility = { lo = 0.0, hi = 1.0 }\nconformity = { lo = 0.0, hi = 1.0 }",
     "needs design.trajectories"),
    ('kind = "latin_hypercube"\nsamples = 8\nlevels = 4', "humility = { lo = 0.0, hi = 1.0 }",
     "does not apply"),
    ('kind = "grid"', "humility = [0.1]", "allowed: full_factorial"),
])
def test_design_that_does_not_fit_exits_2(design, factors, expected, tmp_path, capsys):
    path = write(tmp_path, f'title = "bad"\n[design]\n{design}\n[factors]\n{factors}\n')
    assert cli(["sweep", str(path), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_malformed_or_missing_file_exits_2(tmp_path, capsys):
    assert cli(["sweep", str(write(tmp_path, "title = [")), "--no-progress"]) == 2
    assert "malformed TOML" in capsys.readouterr().err
    assert cli(["sweep", str(tmp_path / "none.toml"), "--no-progress"]) == 2
    assert "no such experiment file" in capsys.readouterr().err


def test_zero_replications_on_the_command_line(tmp_path, capsys):
    path = write(tmp_path, FACTORIAL)
    assert cli(["sweep", str(path), "--replications", "0", "--out", str(tmp_path / "o"),
                "--no-progress"]) == 2
    assert "--replications=0" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_directory_of_another_experiment_is_not_touched(tmp_path, capsys):
    out = tmp_path / "out"
    path = write(tmp_path, FACTORIAL)
    assert cli(["sweep", str(path), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    other = write(tmp_path, FACTORIAL.replace("seed = 11", "seed = 12"), "other.toml")
    for extra in ([], ["--resume"]):
        assert cli(["sweep", str(other), "--out", str(out), "--no-progress", *extra]) == 2
        assert "holds another experiment" in capsys.readouterr().err
    # the same experiment without --resume is refused too; --weeks makes it another one
    assert cli(["sweep", str(path), "--out", str(out), "--no-progress"]) == 2
    assert cli(["sweep", str(path), "--out", str(out), "--weeks", "4", "--resume",
                "--no-progress"]) == 2
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    assert cli(["sweep", str(path), "--out", str(tmp_path / "full"), "--no-progress"]) == 2
    assert "holds no sweep" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


# ----- running -----
def test_runs_are_the_model_and_identical_serial_or_parallel(tmp_path):
    path = write(tmp_path, FACTORIAL)
    experiment = load_experiment(path)
    run_sweep(experiment, tmp_path / "one", workers=1, progress=False)
    run_sweep(experiment, tmp_path / "two", workers=2, progress=False)
    one, two = tables(tmp_path / "one"), tables(tmp_path / "two")
    pd.testing.assert_frame_equal(one, two)
    assert one.run.nunique() == 12 and list(one.week.unique()) == [0, 3, 6, 8]
    # one run against the model called directly with the recorded seed
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text())
    record = manifest["runs"][7]
    point = manifest["design"]["points"][record["point"]]
    scenario = load_scenario("baseline")
    model = runs.simulate(scenario, 8, record["seed"], {**SMALL, **point})
    direct = model.dataframe().loc[[0, 3, 6, 8], ["customers", "nps", "cash"]]
    mine = one[one.run == 7].set_index("week")[["customers", "nps", "cash"]]
    np.testing.assert_array_equal(mine.to_numpy(), direct.to_numpy(dtype=float))
    assert (one[one.run == 7][["humility", "empowerment"]] == pd.Series(point)).all().all()


def test_overrides_change_weeks_and_replications_with_a_progress_bar(tmp_path, capsys):
    path = write(tmp_path, FACTORIAL)
    assert cli(["sweep", str(path), "--out", str(tmp_path / "o"), "--weeks", "4",
                "--replications", "1", "--workers", "2"]) == 0
    runs = tables(tmp_path / "o")
    assert runs.run.nunique() == 6 and runs.groupby("run").week.max().eq(4).all()
    assert set(runs.replication) == {0}
    bar = capsys.readouterr().err.split("\r")[-1]
    assert "6/6" in bar and "failed=0" in bar
    assert re.search(r"\d\d:\d\d<\d\d:\d\d", bar)        # elapsed < time left


def test_a_run_that_raises_is_recorded_and_the_sweep_goes_on(tmp_path):
    """Presets cannot ask for it (bad input at load), but the model itself raises when an
    event changes the market's size mid-run: runs that reach week 3 raise; with no cash a
    firm perishes in its first week and never gets there."""
    text = FACTORIAL.replace("humility = [0.1, 0.9]", "initial_cash = [0.0, 1000000.0]").replace(
        "n_employees = 20", "n_employees = 20\nwage = 1000.0")   # staff cost 20,000 a week
    the_plan = plan(load_experiment(write(tmp_path, text)))
    the_plan = dataclasses.replace(the_plan, events=(Event(3, "set", {"n_customers": 500}),))
    out = tmp_path / "o"
    summary = run_plan(the_plan, out, workers=2, progress=False)
    assert (summary.done, summary.failed) == (12, 6)
    store = ResultStore(out)
    failures = store.load_failures()
    assert len(failures) == 6 and len(store.done()) == 6
    assert all(f["factors"]["initial_cash"] == 1e6 for f in failures)
    assert all("ParamError" in f["error"] and "n_customers" in f["error"] for f in failures)
    assert tables(out).initial_cash.eq(0).all()
    assert cli(["analyze", str(out)]) == 0
    report = (out / "analysis" / "report.md").read_text()
    assert "failed: 6" in report and "## Failed runs" in report
    # a resume runs the failed runs again (they fail again: the same seeds, the same error)
    again = run_plan(the_plan, out, workers=2, resume=True, progress=False)
    assert (again.skipped, again.done, again.failed) == (6, 6, 6)


# ----- analysis -----
def test_analysis_tables_figures_and_report(tmp_path):
    path = write(tmp_path, FACTORIAL.replace("replications = 2", "replications = 3"))
    out = tmp_path / "o"
    assert cli(["sweep", str(path), "--out", str(out), "--workers", "2", "--no-progress"]) == 0
    assert cli(["analyze", str(out)]) == 0
    a = out / "analysis"
    for name in ("end_values", "points", "timeseries"):
        pd.testing.assert_frame_equal(pd.read_csv(a / f"{name}.csv"), pd.read_parquet(a / f"{name}.parquet"),
                                      check_dtype=False)
    for png in ("heatmap.png", "response_humility.png", "response_empowerment.png", "trajectories.png"):
        assert (a / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the point table against the raw run files, computed here independently
    raw = pd.concat(pd.read_parquet(f) for f in (out / "runs").glob("*.parquet"))
    last = raw[raw.week == 8]
    points = pd.read_parquet(a / "points.parquet")
    for (p, metric), row in points.set_index(["point", "metric"]).iterrows():
        values = last[last.point == p][metric].to_numpy()
        assert row["n"] == 3
        assert row["mean"] == pytest.approx(values.mean())
        assert row["sd"] == pytest.approx(values.std(ddof=1))
        half = 4.302652729911275 * values.std(ddof=1) / np.sqrt(3)   # t(0.975, 2)
        assert row["ci_hi"] - row["mean"] == pytest.approx(half)
    report = (a / "report.md").read_text()
    assert "# small grid" in report and "6 points x 3 replications = 18 runs" in report
    assert "![" in report and "heatmap.png" in report


@pytest.mark.parametrize("kind,extra", [("sobol", "samples = 8"), ("sobol", "samples = 8\nsecond_order = true"),
                                        ("morris", "trajectories = 6")])
def test_sensitivity_finds_a_factor_without_effect(kind, extra, tmp_path):
    """With common seeds, ``wage`` changes cash but not a single customer decision, so its
    indices for ``customers`` are exactly zero, while those of competition (the pull of
    rivals on every customer's churn) are not; so are its second-order indices with any
    other factor."""
    text = f"""
title = "{kind}"
weeks = 30
replications = 1
seed = 4
common_seeds = true
[design]
kind = "{kind}"
{extra}
[factors]
competition = {{ lo = 0.1, hi = 3.0 }}
conformity = {{ lo = 0.0, hi = 1.0 }}
wage = {{ lo = 1.0, hi = 20.0 }}
[fixed]
n_customers = 200
n_employees = 20
initial_cash = 1000000.0
[output]
reporters = ["customers", "cash"]
every = 5
"""
    out = tmp_path / "o"
    assert cli(["sweep", str(write(tmp_path, text)), "--out", str(out), "--workers", "2",
                "--no-progress"]) == 0
    assert cli(["analyze", str(out)]) == 0
    s = pd.read_csv(out / "analysis" / "sensitivity.csv").set_index(["metric", "factor"])
    key = "ST" if kind == "sobol" else "mu_star"
    assert s.loc[("customers", "wage"), key] == pytest.approx(0, abs=1e-12)
    assert s.loc[("customers", "competition"), key] > 0
    assert s.loc[("cash", "wage"), key] > 0
    assert (out / "analysis" / "sensitivity.png").read_bytes()[:4] == b"\x89PNG"
    assert "## Sensitivity" in (out / "analysis" / "report.md").read_text()
    pairs_csv = out / "analysis" / "sensitivity_pairs.csv"
    assert pairs_csv.exists() == ("second_order" in extra)
    if pairs_csv.exists():
        pairs = pd.read_csv(pairs_csv)
        assert len(pairs) == 2 * 3                       # 2 metrics x 3 pairs of 3 factors
        assert "Second-order Sobol indices" in (out / "analysis" / "report.md").read_text()


def test_second_order_indices_name_the_right_pair():
    """The Ishigami function's only interaction is x1 with x3 (S13 = 0.244, Saltelli et al.
    2008); the pairs table must put it on that pair and nowhere else."""
    from SALib.sample import sobol as sobol_sample

    from ccsim.sweep.analysis import sensitivity
    from ccsim.sweep.designs import Design

    names, bounds = ("x1", "x2", "x3"), ((-np.pi, np.pi),) * 3
    problem = {"num_vars": 3, "names": list(names), "bounds": [list(b) for b in bounds]}
    X = sobol_sample.sample(problem, 1024, calc_second_order=True, seed=1)
    y = np.sin(X[:, 0]) + 7 * np.sin(X[:, 1]) ** 2 + 0.1 * X[:, 2] ** 4 * np.sin(X[:, 0])
    design = Design("sobol", names, X, tuple({} for _ in X), {"second_order": True}, bounds)
    ends = pd.DataFrame({"point": np.arange(len(X)), "y": y})
    indices, pairs, why_not = sensitivity(design, ends, ["y"], seed=2)
    s2 = pairs.set_index(["factor_a", "factor_b"])["S2"]
    assert why_not == "" and len(s2) == 3
    assert s2[("x1", "x3")] == pytest.approx(0.244, abs=0.08)
    assert abs(s2[("x1", "x2")]) < 0.08 and abs(s2[("x2", "x3")]) < 0.08


def test_analyze_without_a_sweep_exits_2(tmp_path, capsys):
    assert cli(["analyze", str(tmp_path)]) == 2
    assert "no sweep here" in capsys.readouterr().err


def test_parse_errors_name_the_file():
    with pytest.raises(ParamError, match=r"^x\.toml: unknown key 'titel'"):
        parse_experiment({"titel": "t"}, "x", "x.toml")
