"""The published anchors (docs/ODD.md, Validation) on the model's own mechanisms, with fewer
replications than ``ccsim validate`` and tolerances that stay stable; and the command."""

from __future__ import annotations

import pytest

from ccsim import cli
from ccsim.anchors import ANCHORS, KINDS, check, module, negative_wom


@pytest.mark.parametrize("name, reps", [
    ("bass", 4), ("weak_ties", 2), ("peak_end", 1), ("negativity", 1),
    ("loyalty_curve", 4), ("recovery", 2), ("retention", 1), ("tie_strength", 3), ("ideas", 6)])
def test_anchor_holds(name, reps):
    verdict = check(name, reps, seed=3)
    failing = [(claim, gives) for claim, gives, ok in verdict.claims if not ok]
    assert verdict.passed, (verdict.ccsim, failing)
    assert verdict.anchor == name and verdict.citation and verdict.published
    for title, table in verdict.tables.values():
        assert title and len(table)


def test_bass_docking_is_close_to_the_recursion():
    table = check("bass", 4, seed=5).tables["bass"][1]
    assert (table["mean"] - table["bass"]).abs().max() < 0.015


def test_service_profit_chain_is_positive_and_modest():
    from ccsim.anchors import service_profit

    firms = service_profit.firms(30, seed=2)
    r, lo, hi = service_profit.correlation(firms.morale, firms.satisfaction)
    assert 0.0 < r < 0.7          # positive, far from 0.9 (30 firms: the 95% CI is about +-0.35)
    assert 0.45 < hi - lo < 0.9   # Fisher's z interval for 30 firms, not a degenerate one


# negative_wom does not hold (the cost claim, below); its talk ratio is a calibration
# target, shown first as a fit check that the row does not count.  These check its parts
# with few runs.
def test_negative_wom_counts_the_wronged_and_can_silence_them():
    verdict = check("negative_wom", 10, seed=3)
    assert "calibration target" in verdict.claims[0][0]
    claim, gives, ok = verdict.claims[1]
    assert ok, (claim, gives)                     # the wronged are a few per cent
    table = verdict.tables["negative_wom"][1].set_index("world")
    assert table.loc["still, wronged silent", "warnings_per_week"] == 0
    assert table.loc["still, warnings on", "warnings_per_week"] > 0
    assert table.loc["default, warnings on", "warnings_per_week"] > 0
    assert table.recommendations_per_week.min() > 0


@pytest.mark.xfail(strict=True, reason="at the calibrated defaults warnings cost about 2.7% of "
                   "profit, below the wronged's share (about 6.7%)")
def test_negative_wom_warnings_cost_more_than_the_wronged_share():
    # with the organisation held still, as the anchor measures it; 6 pairs do not narrow
    # the interval enough for its claim (lo above the share), so the mean must clear it
    seeds = [[3, 2007, rep] for rep in range(6)]
    loud = negative_wom.runs(seeds, **negative_wom.STILL)
    silent = negative_wom.runs(seeds, negative_talk=0.0, **negative_wom.STILL)
    cost = negative_wom.paired_cost(loud, silent)
    share = negative_wom.world("still", loud)["wronged_share"]
    assert cost["lo"] > 0 and cost["mean"] > share, (cost, share)


# The new emergent rows (docs/ODD.md, Validation): what each shows with few runs; the
# claims that do not hold are strict expected failures.
def test_recovery_paradox_staying_and_word_of_mouth_not_above_never_failing():
    verdict = check("recovery_paradox", 3, seed=3)
    for claim, gives, ok in verdict.claims[1:]:
        assert ok, (claim, gives)
    table = verdict.tables["recovery_paradox"][1].set_index("measure")
    assert (table.lo <= table.difference).all() and (table.difference <= table.hi).all()


def _claim_holds(name: str, reps: int, index: int) -> None:
    claim, gives, ok = check(name, reps, seed=3).claims[index]
    assert ok, (claim, gives)


@pytest.mark.parametrize("index", [0, 1])
def test_voice_climate(index):
    """Most staff under a leader with little humility withhold a concern at least once in a
    year (Milliken's 71-93%), and voice rises with humility."""
    _claim_holds("voice_climate", 2, index)


# a failure fixed on the spot is remembered at about -0.5, far below a routine touch, so
# satisfaction falls (no paradox)
@pytest.mark.xfail(strict=True, reason="does not hold (docs/ODD.md, Anchors that do not hold)")
def test_recovery_paradox_satisfaction():
    _claim_holds("recovery_paradox", 3, 0)


def test_safety_predicts_learning_and_learning_takes_part_of_the_effect():
    from ccsim.anchors import safety_learning

    # 60 firms (the anchor runs 240): with 30, c' came out above c at seed 3 (learning held,
    # humility's effect grew), the mediated share's 95% interval spanning about -20% to 80%
    paths = safety_learning.mediation(safety_learning.firms(60, seed=3))
    assert paths["t_a"] > 2, paths                        # humility -> leaders' knowledge
    assert 0 < paths["c_direct"] < paths["c"], paths      # the effect shrinks with learning held


def test_strong_cultures_sd_ratio_reads_the_firms_own_variability():
    import numpy as np
    import pandas as pd

    from ccsim.anchors import strong_cultures

    low = np.random.default_rng(0).uniform(1, 2, 200)
    runs = pd.DataFrame({"market": "stable", "rep": np.tile(range(200), 2),
                         "culture": np.repeat(["low", "high"], 200), "sd": np.r_[low, 3 * low]})
    ratio, lo, hi = strong_cultures.sd_ratio(runs, "stable", np.random.default_rng(1))
    assert ratio == pytest.approx(3) and lo == pytest.approx(3) and hi == pytest.approx(3)
    runs.loc[runs.culture == "high", "sd"] = np.random.default_rng(2).uniform(1, 2, 200)
    ratio, lo, hi = strong_cultures.sd_ratio(runs, "stable", np.random.default_rng(1))
    assert lo < ratio < hi and lo < 1 < hi


def test_every_anchor_has_its_fields():
    for name in ANCHORS:
        mod = module(name)
        assert mod.NAME == name and mod.CITATION and mod.PUBLISHED and mod.DEFAULT_REPS >= 1


def test_validate_command_writes_table_csv_and_png(tmp_path, capsys):
    out = tmp_path / "val"
    code = cli.main(["validate", "peak_end", "bass", "--reps", "3", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "| anchor | kind | citation | published | ccsim | verdict |" in printed
    assert "| bass | docking |" in printed and "0/0 emergent rows hold" in printed
    assert "2/2 anchors hold" in printed
    names = {p.name for p in out.iterdir()}
    assert {"validation.csv", "validation.md", "bass.csv", "bass.png", "peak_end.csv",
            "peak_end.png"} <= names
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temp left


def test_every_anchor_says_what_kind_of_evidence_it_is():
    assert all(kind in KINDS for _, kind in ANCHORS.values())
    assert sum(kind == "emergent" for _, kind in ANCHORS.values()) >= 8


@pytest.mark.parametrize("argv, text", [
    (["validate", "nonsense"], "unknown anchor 'nonsense'"),
    (["validate", "bass", "--reps", "1"], "--reps=1"),
])
def test_validate_bad_input_is_one_line_and_exit_2(argv, text, tmp_path, capsys):
    assert cli.main(argv + ["--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert text in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()
