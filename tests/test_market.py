"""ccsim.Market: several firms (CultureModels) competing for one population of customers.

Customers are conserved across firms, a one-firm market is the CultureModel, runs are
determined by the seed, leavers go to rivals or outside as the attraction says, a perished
firm's customers go back to the market, and a better culture wins share on paired seeds."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ccsim import CultureModel, Market, load_scenario
from ccsim.dynamics import compiled
from ccsim.events import make_event
from ccsim.market import choose
from ccsim.metrics import REPORTERS
from ccsim.model import ACTIVE, RIVAL
from ccsim.params import ParamError

SMALL = dict(n_customers=1500)


def check_conserved(market: Market) -> None:
    """Every customer is with at most one firm, and each firm's view agrees with the market's."""
    n = market.n_customers
    owners = np.zeros(n, int)
    for k, firm in enumerate(market.firms):
        owners[firm.active] += 1
        np.testing.assert_array_equal(firm.active, np.flatnonzero(market.firm_of == k))
        np.testing.assert_array_equal(firm.active, np.flatnonzero(firm.status == ACTIVE))
        if not firm.perished:
            rival = (market.firm_of >= 0) & (market.firm_of != k)
            np.testing.assert_array_equal(firm.status >= RIVAL, rival)
    assert owners.max() <= 1
    assert np.count_nonzero(market.firm_of >= 0) + np.count_nonzero(market.firm_of < 0) == n
    assert sum(len(firm.active) for firm in market.firms) == np.count_nonzero(market.firm_of >= 0)


def test_customers_are_conserved_every_week_and_one_firm_perishes():
    firms = [dict(name="rich", humility=0.9), dict(name="poor", initial_cash=3000.0, wage=30.0),
             dict(name="third", initial_share=0.2)]
    market = Market(firms, rng=4, **SMALL)
    check_conserved(market)
    moved = 0
    for _ in range(60):
        before = market.firm_of.copy()
        market.step()
        check_conserved(market)
        moved += np.count_nonzero((before >= 0) & (market.firm_of >= 0) & (before != market.firm_of))
        for k, firm in enumerate(market.firms):      # each new customer is counted (and paid for) once
            if not firm.perished:
                came = np.count_nonzero((market.firm_of == k) & (before != k))
                assert firm.week_stats["new"] == came == firm.datacollector.model_vars["new_customers"][-1]
    assert market.firms[1].perished
    assert moved > 0        # customers went from one firm straight to a rival
    df = market.dataframe()
    assert len(df) == 3 * 61 and list(df.columns[:3]) == ["week", "firm", "share"]
    assert set(REPORTERS) <= set(df.columns)
    by_week = df.groupby("week")
    np.testing.assert_allclose(by_week.share.sum(), 1.0)
    assert (by_week.customers.sum() <= market.n_customers).all()
    poor = df[df.firm == "poor"].set_index("week")
    week = market.firms[1].perished_week
    assert poor.perished.loc[week:].eq(1).all() and poor.perished.loc[:week - 1].eq(0).all()
    assert poor.customers.loc[week + 1:].eq(0).all()


@pytest.mark.parametrize("flag", [False, True] if compiled.AVAILABLE else [False])
@pytest.mark.parametrize("seed, scenario, params", [
    (0, None, {}),
    (1, "heater-denied", {}),
    (2, None, dict(initial_cash=2000.0, wage=25.0)),     # runs out of cash
])
def test_one_firm_market_is_the_culture_model(flag, seed, scenario, params):
    preset = load_scenario(scenario) if scenario else None
    firm = {**(preset.params if preset else {}), **params}
    events = preset.events if preset else ()
    alone = CultureModel(rng=seed, events=events, customer_agents=False, compiled=flag, **firm).advance(80)
    market = Market([dict(firm, events=events)], rng=seed, compiled=flag)
    for _ in range(alone.steps):
        market.step()
    df = market.dataframe().set_index("week")
    pd.testing.assert_frame_equal(df[list(REPORTERS)], alone.dataframe(), check_exact=True)
    assert (df.share == np.where(df.customers > 0, 1.0, 0.0)).all()
    assert market.firms[0].marks == alone.marks
    if not alone.perished:
        np.testing.assert_array_equal(market.firms[0].satisfaction, alone.satisfaction)
        np.testing.assert_array_equal(market.firms[0].offering, alone.offering)


@pytest.mark.skipif(not compiled.AVAILABLE, reason="numba is not installed")
def _same_markets(firms, rng, weeks=120, **options):
    """A market of ``firms`` after ``weeks``."""
    m = Market(firms, rng=rng, **options, **SMALL)
    for _ in range(weeks):
        m.step()
    return m


def _assert_same(a, b):
    pd.testing.assert_frame_equal(a.dataframe(), b.dataframe(), check_exact=True)
    np.testing.assert_array_equal(a.firm_of, b.firm_of)


def test_a_market_runs_the_same_compiled():
    firms = [dict(load_scenario("customer-centric").params, name="cc"), dict(load_scenario("hippo").params, name="h"),
             dict(name="broke", initial_cash=3000.0, wage=40.0)]
    a, b = (_same_markets(firms, rng=11, compiled=flag) for flag in (False, True))
    assert a.firms[2].perished
    _assert_same(a, b)
    for x, y in zip(a.firms, b.firms):
        np.testing.assert_array_equal(x.status, y.status)
        np.testing.assert_array_equal(x.satisfaction, y.satisfaction)


def test_firms_side_by_side_give_what_firms_one_at_a_time_give(monkeypatch):
    """The pool runs the firms' weeks at once; a firm that read or wrote another's state
    there (or the people's, out of turn) would differ from the firms run in order."""
    firms = [dict(load_scenario(name).params, name=name, initial_share=0.2)
             for name in ("customer-centric", "hippo", "lip-service")]
    firms.append(dict(name="broke", initial_share=0.2, initial_cash=3000.0, wage=40.0))
    a = _same_markets(firms, rng=12)
    monkeypatch.setattr(Market, "_each", staticmethod(lambda work, firms: [work(f) for f in firms]))
    b = _same_markets(firms, rng=12)
    assert a.firms[3].perished
    _assert_same(a, b)


def _steps_a_market(done):
    done.put(_same_markets([dict(name="a"), dict(name="b")], rng=3, weeks=3).steps)


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_process_steps_a_market_after_its_parent_did():
    """The pool's threads are not copied into a forked child (mesa.batch_run forks on
    Linux): without a pool of its own the child would wait for them for ever."""
    _same_markets([dict(name="a"), dict(name="b")], rng=3, weeks=1)
    fork = multiprocessing.get_context("fork")
    done = fork.Queue()
    child = fork.Process(target=_steps_a_market, args=(done,))
    child.start()
    child.join(60)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0 and done.get(timeout=5) == 3


def _run(seed, weeks=30, **market):
    return _same_markets([dict(name="a", humility=0.8), dict(name="b", integrity=0.1)], seed, weeks, **market)


def test_same_seed_same_market_other_seed_another():
    a, b, c = _run(5), _run(5), _run(6)
    _assert_same(a, b)
    assert not a.dataframe().equals(c.dataframe())


def test_leavers_go_to_rivals_or_outside_as_the_outside_option_says():
    def destinations(outside):
        m = Market([{}, {}], rng=8, outside_option=outside, **SMALL)
        counts = np.zeros(2, int)    # to a rival, to no firm
        for _ in range(40):
            before = m.firm_of.copy()
            m.step()
            left = (before >= 0) & (m.firm_of != before)
            counts += np.count_nonzero(left & (m.firm_of >= 0)), np.count_nonzero(left & (m.firm_of < 0))
        return counts

    none_outside, much_outside = destinations(0.0), destinations(1.0)
    assert none_outside[0] > 50 and none_outside[1] == 0
    assert much_outside[1] > 4 * much_outside[0] > 0


def test_a_cheaper_rival_draws_more_of_the_switchers():
    """Leavers of a third firm choose between a cheap and a dear rival; the same market
    with price_sensitivity 0 is the pair (Bijmolt et al. 2005: customers choose by price)."""
    def to_cheap(sensitivity):
        m = Market([dict(name="cheap", price=8.0), dict(name="dear", price=12.0), dict(name="third")], rng=2,
                   price_sensitivity=sensitivity, outside_option=0.0, **SMALL)
        counts = np.zeros(2, int)
        for _ in range(40):
            before = m.firm_of.copy()
            m.step()
            from_third = before == 2
            counts += np.count_nonzero(from_third & (m.firm_of == 0)), np.count_nonzero(from_third & (m.firm_of == 1))
        return counts[0] / counts.sum()

    assert to_cheap(2.62) > to_cheap(0.0) + 0.15


def test_a_perished_firms_customers_go_back_to_the_market():
    m = Market([dict(name="broke", initial_cash=0.0, wage=50.0, initial_share=0.5),
                dict(name="rival", initial_share=0.1)], rng=3, **SMALL)
    had = m.firms[0].active.copy()
    m.step()
    assert m.firms[0].perished and m.firms[0].perished_week == 1
    free = had[m.firm_of[had] == -1]      # (the few who left it that week went to the rival or outside)
    assert len(m.firms[0].active) == 0 and (m.firm_of[had] != 0).all() and len(free) > 0.9 * len(had)
    assert (m.firms[1].status[free] < RIVAL).all()          # within the rival's reach
    for _ in range(40):
        m.step()
    assert np.count_nonzero(m.firm_of[free] == 1) > 0      # and some it has won
    assert m.running


def test_weeks_pass_once_every_firm_has_perished():
    m = Market([dict(name="a", initial_cash=0.0, wage=50.0), dict(name="b", initial_cash=0.0, wage=50.0)],
               rng=1, **SMALL)
    for _ in range(5):
        m.step()
    assert not m.running and m.steps == 5 and (m.firm_of == -1).all()
    df = m.dataframe()
    assert len(df) == 2 * 6 and df[df.week > 1].perished.eq(1).all() and df[df.week > 1].customers.eq(0).all()
    assert (df[df.week > 1].share == 0).all()


def test_choose_takes_each_option_in_proportion_to_its_weight():
    rng = np.random.default_rng(0)
    weights = np.tile([0.0, 1.0, 3.0, 0.0], (40_000, 1))
    picked = np.bincount(choose(weights, rng.random(len(weights))), minlength=4) / len(weights)
    np.testing.assert_allclose(picked, [0, 0.25, 0.75, 0], atol=0.01)
    assert (choose(np.zeros((3, 2)), np.array([0.0, 0.5, 0.99])) == 0).all()


@pytest.mark.parametrize("firms, market, words", [
    ([], {}, ["no firms"]),
    ([{"n_customers": 500}], {}, ["firm 1", "n_customers", "the market's"]),
    ([{"humility": 2}], {}, ["firm 1", "humility=2", "[0, 1]"]),
    ([{}], {"humility": 0.5}, ["unknown market parameter 'humility'", "allowed: n_customers"]),
    ([{}], {"outside_option": -1}, ["outside_option=-1", "[0, 1]"]),
    (["hippo"], {}, ["firm 1", "'hippo' is not a dict"]),
    ([{"events": [make_event(5, "set", dict(turbulence=0.1))]}], {},
     ["firm 1", "week 5 sets turbulence", "the market's"]),
    ([{"initial_share": 0.7}, {"initial_share": 0.6}], {}, ["initial_share add up to 1.3", "at most 1"]),
    ([{"name": "x"}, {"name": "x"}], {}, ["one name"]),
])
def test_bad_market_input_is_one_clear_error(firms, market, words):
    with pytest.raises(ParamError) as error:
        Market(firms, rng=0, **market)
    for word in words:
        assert word in str(error.value)


def test_a_better_culture_wins_share_from_a_worse_one_on_paired_seeds():
    """customer-centric against hippo, and hippo against hippo, on the same seeds: the first
    firm's share at the end differs only by its culture."""
    good, bad = load_scenario("customer-centric").params, load_scenario("hippo").params
    gain = []
    for seed in range(6):
        shares = []
        for first in (good, bad):
            m = Market([dict(first, name="A"), dict(bad, name="B")], rng=seed, n_customers=1000)
            for _ in range(104):
                m.step()
            df = m.dataframe()
            shares.append(df[(df.week == 104) & (df.firm == "A")].share.item())
        gain.append(shares[0] - shares[1])
    low, _ = stats.t.interval(0.95, len(gain) - 1, np.mean(gain), stats.sem(gain))
    assert low > 0, gain
