"""``ccsim compete`` through the real CLI: the files it writes are the Market's runs on the
seeds it names, and bad input leaves nothing behind (more cases in test_bad_input.py)."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd

from ccsim import Market, load_scenario
from ccsim.cli import main
from ccsim.metrics import REPORTERS

PNG = b"\x89PNG\r\n\x1a\n"
SMALL = ["--set", "n_customers=800", "--quiet"]


def test_compete_writes_the_markets_runs(tmp_path, capsys):
    out = tmp_path / "race"
    assert main(["compete", "customer-centric", "hippo", "hippo", "--steps", "30", "--reps", "2", "--seed", "4",
                 "--set", "outside_option=0.1", "--out", str(out), *SMALL]) == 0
    names = ["customer-centric", "hippo", "hippo #2"]
    runs = pd.read_csv(out / "timeseries.csv")
    assert list(runs.columns) == ["rep", "seed", "week", "firm", "share", *REPORTERS]
    assert len(runs) == 2 * 3 * 31 and list(runs.firm.unique()) == names
    np.testing.assert_allclose(runs.groupby(["rep", "week"]).share.sum(), 1.0)
    # the second replication is the Market on seed 5, with the presets as its firms
    hippo = load_scenario("hippo")
    firms = [dict(load_scenario("customer-centric").params, name=names[0]), dict(hippo.params, name=names[1]),
             dict(hippo.params, name=names[2])]
    market = Market(firms, rng=5, n_customers=800, outside_option=0.1)
    for _ in range(30):
        market.step()
    mine = runs[runs.rep == 1].drop(columns=["rep", "seed"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, market.dataframe(), check_dtype=False)
    ends = pd.read_csv(out / "end_values.csv")
    assert len(ends) == 3 * (1 + len(REPORTERS))
    share = ends[(ends.firm == "hippo") & (ends.metric == "share")].iloc[0]
    assert share["low"] <= runs[(runs.week == 30) & (runs.firm == "hippo")].share.mean() <= share["high"]
    assert (out / "compete.png").read_bytes()[:8] == PNG
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["seeds"] == [4, 5] and manifest["firms"] == names
    assert manifest["market"] == {"outside_option": 0.1, "n_customers": 800}
    printed = capsys.readouterr().out
    assert all(name in printed for name in names) and "share" in printed and "95% interval" in printed


def test_a_preset_that_sets_the_markets_people_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    preset = tmp_path / "big.toml"
    preset.write_text('title = "A firm with its own market"\nstory = "It brings its customers."\n'
                      '[params]\nn_customers = 500\n')
    assert main(["compete", str(preset), "hippo", "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ccsim compete: error: ")
    assert "(big)" in err[0] and "n_customers" in err[0] and "the market's" in err[0]
    assert sorted(os.listdir(tmp_path)) == ["big.toml"]
