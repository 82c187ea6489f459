"""Unit tests of the mechanisms in ccsim.dynamics, each against its anchor
(docs/ODD.md, References)."""

import numpy as np
import pytest

from ccsim.dynamics import economics, learning, loyalty, memory, service, wom
from ccsim.params import PARAMS

NAN = np.nan


def test_peak_end_a_milder_ending_improves_a_bad_memory():
    # Kahneman et al. 1993: the longer trial with a milder end is remembered as less bad
    short = memory.remember([[-0.2, -0.8, -0.8, NAN]])
    longer = memory.remember([[-0.2, -0.8, -0.8, -0.3]])
    assert longer[0] > short[0]


def test_duration_neglect():
    once = memory.remember([[-0.6, NAN, NAN, NAN]])
    thrice = memory.remember([[-0.6, -0.6, -0.6, -0.6]])
    assert once[0] == pytest.approx(thrice[0])
    counted = memory.remember([[-0.6, -0.6, -0.6, -0.6]], duration=0.05)
    assert counted[0] < thrice[0]


@pytest.mark.parametrize("weight", [1.0, 1.5, 2.0, 2.5])
def test_negativity_weight(weight):
    good = memory.remember([[0.5]], negativity=weight)[0]
    bad = memory.remember([[-0.5]], negativity=weight)[0]
    assert -bad / good == pytest.approx(weight)


def test_single_moment_shortcut_matches_remember():
    values = np.random.default_rng(0).uniform(-1, 1, 200)
    for args in [(2.0, 0.35, 0.35, 0.0), (1.5, 0.6, 0.3, 0.05), (2.5, 0.0, 0.0, 0.0)]:
        np.testing.assert_allclose(memory.remember_moment(values, *args),
                                   memory.remember(values[:, None], *args))


def test_satisfaction_to_loyalty_is_convex():
    levels = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])     # survey levels 1..5
    stay = loyalty.yearly_stay(levels)
    assert np.all(np.diff(stay) > 0)
    assert np.all(np.diff(stay, 2) >= -1e-6)
    odds = stay / (1 - stay)
    assert 3 <= odds[4] / odds[3] <= 10          # completely satisfied vs satisfied


def test_switching_costs_flatten_the_curve():
    hostage = loyalty.yearly_stay(np.array([-0.5, 1.0]), switching_cost=0.6)
    assert hostage[0] > 0.6                     # "2" already above 0.6 (Jones & Sasser)
    free = loyalty.yearly_stay(np.array([-0.5, 1.0]))
    assert hostage[1] - hostage[0] < free[1] - free[0]


def test_weekly_churn_compounds_to_yearly_stay():
    s = np.linspace(-1, 1, 9)
    weekly = loyalty.weekly_churn(s, 0.0, 1.0)
    np.testing.assert_allclose((1 - weekly) ** 52, loyalty.yearly_stay(s), rtol=1e-5)
    assert np.all(loyalty.weekly_churn(s, 0.0, 0.0) == 0)     # competition neutralised


def test_tabulated_weekly_churn_matches_the_formula():
    s = np.random.default_rng(1).uniform(-1, 1, 100_000).astype(np.float32)
    for cost in (0.0, 0.35, 0.9):
        exact = -np.expm1(np.log(loyalty.yearly_stay(s.astype(np.float64), cost)) / 52)
        assert np.abs(loyalty.weekly_churn(s, cost, 1.0) - exact).max() < 1e-7


def test_mean_yearly_stay_is_the_mean_of_the_curve():
    s = np.random.default_rng(2).uniform(-1, 1, 10_000).astype(np.float32)
    for cost in (0.0, 0.5):
        assert loyalty.mean_yearly_stay(s, cost) == pytest.approx(
            loyalty.yearly_stay(s, cost).mean(dtype=np.float64), abs=1e-6)
    assert loyalty.mean_yearly_stay(np.array([], np.float32)) == 0.0


def test_nps_by_thresholds_equals_nps_of_scores():
    s = np.linspace(-1, 1, 200_001).astype(np.float32)
    near = [np.nextafter(np.float32(t), np.float32(d)) for t in (0.3, 0.7) for d in (-1, 2)]
    s = np.concatenate([s, np.float32([0.3, 0.7]), near])
    assert loyalty.satisfaction_nps(s) == pytest.approx(loyalty.nps(loyalty.recommend_score(s)), abs=1e-9)
    for value in np.concatenate([np.float32([0.3, 0.7]), near]):
        one = np.array([value], np.float32)
        assert loyalty.satisfaction_nps(one) == loyalty.nps(loyalty.recommend_score(one))


def test_promoters_are_those_who_score_9_or_10():
    s = np.concatenate([np.linspace(-1, 1, 20001), [0.7, 0.69999, 0.70001]]).astype(np.float32)
    assert np.array_equal(loyalty.is_promoter(s), loyalty.recommend_score(s) >= 9)


def test_nps_counts_promoters_minus_detractors():
    scores = np.array([10, 9, 8, 7, 6, 0])
    assert loyalty.nps(scores) == pytest.approx(100 * (2 / 6 - 2 / 6))
    assert loyalty.nps(np.array([10, 10, 3])) == pytest.approx(100 * (2 / 3 - 1 / 3))
    assert loyalty.recommend_score(np.array([-1.0, 0.0, 1.0])).tolist() == [0, 5, 10]


def test_recovery_ordering_fast_slow_unresolved_and_never_above_no_failure():
    # TARP: repurchase after a problem, fixed fast > fixed > not fixed; no recovery paradox
    outcomes = np.array([service.FAST, service.SLOW, service.UNRESOLVED])
    sizes = tuple(PARAMS[name].default for name in ("problem_moment", "wait_moment", "fast_end", "slow_end",
                                                     "unresolved_end"))
    remembered = memory.remember(service.problem_episodes(outcomes, sizes))
    start = np.full(3, 0.5)
    stay = loyalty.yearly_stay(memory.update_satisfaction(start, remembered, 0.3))
    assert stay[0] > stay[1] > stay[2]
    typical = PARAMS["base_quality"].default + PARAMS["fit_weight"].default * 0.2   # a routine touch, no noise
    routine = memory.remember([[typical]])
    never = loyalty.yearly_stay(memory.update_satisfaction(np.array([0.5]), routine, 0.3))
    assert never[0] >= stay[0]


def test_empowerment_resolves_more_and_faster_at_a_cost():
    rng = np.random.default_rng(1)
    skill, admitted = np.full(5000, 0.7), np.ones(5000, bool)
    low = service.recover(0.1, skill, 0.4, admitted, *rng.random((2, 5000)))
    high = service.recover(0.9, skill, 0.4, admitted, *rng.random((2, 5000)))
    assert np.mean(high != service.UNRESOLVED) > np.mean(low != service.UNRESOLVED)
    assert np.mean(high == service.FAST) > np.mean(low == service.FAST)
    assert service.recovery_cost(high, 30, 1.5) > service.recovery_cost(low, 30, 1.5)
    denied = service.recover(0.9, skill, 0.4, np.zeros(5000, bool), *rng.random((2, 5000)))
    assert np.all(denied == service.UNRESOLVED)


def test_a_problem_is_put_right_on_the_spot_by_one_who_may_and_can_else_maybe_later():
    """Bowen & Lawler's empowered employee: fast with chance empowerment x skill; the rest
    through the usual channel, put right with chance channel (one uniform decides both)."""
    rng = np.random.default_rng(2)
    n, e, s, c = 400_000, 0.6, 0.8, 0.3
    outcome = service.recover(e, np.full(n, s), c, np.ones(n, bool), *rng.random((2, n)))
    assert np.mean(outcome == service.FAST) == pytest.approx(e * s, abs=0.003)
    assert np.mean(outcome == service.SLOW) == pytest.approx((1 - e * s) * c, abs=0.003)


def test_socialise_moves_one_step_toward_the_code():
    rng = np.random.default_rng(0)
    code = np.array([[1, 1, -1, 0]], np.int8)
    beliefs = np.array([[[-1, 0, -1, 1]]], np.int8)
    learning.socialise(beliefs, code, 1.0, rng)
    assert beliefs.tolist() == [[[0, 1, -1, 1]]]
    learning.socialise(beliefs, code, 0.0, rng)
    assert beliefs.tolist() == [[[0, 1, -1, 1]]]


def test_code_learns_the_superior_majority():
    rng = np.random.default_rng(0)
    code = np.array([[1, 0, -1]], np.int8)
    actions = np.array([[[-1, 1, -1], [-1, 1, 1], [1, -1, 1]]], np.int8)
    superior = np.array([[True, True, False]])
    learning.learn_code(code, actions, superior, 1.0, rng)
    assert code.tolist() == [[-1, 1, -1]]      # dim 2: a tie (k = 0) leaves the code alone
    unchanged = code.copy()
    learning.learn_code(code, -actions, superior, 0.0, rng)
    assert code.tolist() == unchanged.tolist()  # p2 = 0: the code never learns


def test_misread_evidence_blocks_learning():
    rng = np.random.default_rng(0)
    code = np.ones((1, 200), np.int8)
    actions = -np.ones((1, 5, 200), np.int8)
    learning.learn_code(code, actions, np.ones((1, 5), bool), 1.0, rng, misread=1.0)
    assert np.all(code == 1)


def test_word_of_mouth_fully_mixed_and_on_a_network():
    rng = np.random.default_rng(0)
    assert np.allclose(wom.heard(None, np.arange(30), 100), 0.3)
    ring = wom.contact_weights(wom.ring_ties(10, 2))
    heard = wom.heard(ring, np.array([0]), 10)
    assert heard[1] == pytest.approx(0.5) and heard[9] == pytest.approx(0.5)
    assert heard[5] == 0
    both = wom.contact_weights(wom.ring_ties(1000, 4), wom.random_ties(1000, 4, rng))
    assert np.allclose(wom.heard(both, np.arange(1000), 1000), 1.0)


def test_heard_warnings_add_up_and_fade():
    heard = np.zeros(4, np.float32)
    wom.remember_warnings(heard, np.array([1, 1, 2]), np.array([0.0, 0.5, 0.25, 0.0]), 8)
    assert heard.tolist() == [0.0, 0.5, 0.25, 0.0]          # a listener heard twice counts once
    wom.remember_warnings(heard, np.array([2]), np.array([0.0, 0.0, 0.25, 0.0]), 8)
    assert heard == pytest.approx([0.0, 0.5 * 7 / 8, 0.25 * 7 / 8 + 0.25, 0.0])


def test_bass_hazard_and_warnings():
    chance = wom.adoption_chance(np.array([0.0, 0.5, 0.5]), np.array([0.0, 0.0, 0.5]), 0.03, 0.38, 3.0)
    assert chance[0] == pytest.approx(0.03)
    assert chance[1] == pytest.approx(0.03 + 0.19)
    assert chance[2] < chance[1]


def test_revenue_rises_with_tenure_and_less_defection_pays():
    v = economics.value_per_week(np.array([0, 52, 520]), 10.0, 0.25)
    weeks = np.random.default_rng(0).integers(0, 600, 1000).astype(np.int32)
    assert economics.weekly_revenue(weeks, 10.0, 0.25) == pytest.approx(
        economics.value_per_week(weeks, 10.0, 0.25).sum())
    assert v[0] < v[1] < v[2]
    base = economics.steady_state_profit(0.20, 10, 0.25, 0.35, 40)
    better = economics.steady_state_profit(0.15, 10, 0.25, 0.35, 40)
    assert better > base
