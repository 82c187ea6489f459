"""March (1991) on ccsim's learning kernel: the kernel rule by rule (March 1991),
then March's qualitative claims with enough replications to be stable."""

from __future__ import annotations

import numpy as np
import pytest

from ccsim.anchors import march1991
from ccsim.dynamics import learning


def test_act_flips_a_fair_coin_only_for_zero_beliefs():
    rng = np.random.default_rng(1)
    beliefs = np.zeros((200, 50, 30), np.int8)
    beliefs[:, :10] = 1
    beliefs[:, 10:20] = -1
    actions = learning.act(beliefs, rng)
    assert np.all(actions[:, :10] == 1) and np.all(actions[:, 10:20] == -1)
    coins = actions[:, 20:]
    assert set(np.unique(coins)) == {-1, 1}
    assert abs(coins.mean()) < 0.01


def test_socialisation_moves_one_step_toward_a_nonzero_code_with_chance_p1():
    rng = np.random.default_rng(2)
    reps, n, m = 400, 50, 3
    code = np.tile(np.array([1, 0, -1], np.int8), (reps, 1))
    beliefs = np.zeros((reps, n, m), np.int8)
    beliefs[:, :, 0] = -1          # opposite the code: one step goes to 0, never to +1
    beliefs[:, :, 1] = 1           # code is 0 here: never moves
    beliefs[:, :, 2] = 0           # moves to the code's -1
    learning.socialise(beliefs, code, 0.3, rng)
    assert set(np.unique(beliefs[:, :, 0])) == {-1, 0}
    assert np.all(beliefs[:, :, 1] == 1)
    assert set(np.unique(beliefs[:, :, 2])) == {-1, 0}
    for dim in (0, 2):
        moved = np.mean(beliefs[:, :, dim] == 0 if dim == 0 else beliefs[:, :, dim] == -1)
        assert moved == pytest.approx(0.3, abs=0.01)


def test_socialisation_takes_one_rate_per_individual():
    rng = np.random.default_rng(3)
    beliefs = np.zeros((2000, 4, 1), np.int8)
    code = np.ones((2000, 1), np.int8)
    learning.socialise(beliefs, code, np.array([0.0, 0.1, 0.9, 1.0]), rng)
    moved = beliefs[:, :, 0].mean(axis=0)
    assert moved[0] == 0 and moved[3] == 1
    assert moved[1] == pytest.approx(0.1, abs=0.02) and moved[2] == pytest.approx(0.9, abs=0.02)


@pytest.mark.parametrize("p2, k", [(0.5, 1), (0.3, 2), (0.1, 3)])
def test_code_takes_the_superior_majority_with_chance_one_minus_1_minus_p2_to_the_k(p2, k):
    rng = np.random.default_rng(4)
    reps, m = 20000, 1
    code = np.full((reps, m), -1, np.int8)
    # superior group: k + 1 act +1 and 1 acts -1, so the net majority is k
    actions = np.array([1] * (k + 1) + [-1] + [-1] * 3, np.int8)[None, :, None].repeat(reps, 0)
    superior = np.array([True] * (k + 2) + [False] * 3)[None, :].repeat(reps, 0)
    learning.learn_code(code, actions, superior, p2, rng)
    assert np.mean(code == 1) == pytest.approx(1 - (1 - p2) ** k, abs=0.015)
    assert set(np.unique(code)) <= {-1, 1}


def test_code_ignores_a_tie_and_the_non_superior():
    rng = np.random.default_rng(5)
    code = np.zeros((1, 2), np.int8)
    actions = np.array([[[1, 1], [-1, 1], [-1, -1]]], np.int8)
    superior = np.array([[True, True, False]])
    learning.learn_code(code, actions, superior, 1.0, rng)
    assert code.tolist() == [[0, 1]]


def test_equilibrium_rule():
    reality = np.array([[1, 1, -1]], np.int8)
    code = np.array([[1, 0, -1]], np.int8)
    assert learning.at_equilibrium(reality, code, np.array([[[1, -1, -1]]], np.int8))[0]
    # a 0 belief could be right: best possible score 3 beats the code's 2
    assert not learning.at_equilibrium(reality, code, np.array([[[1, 0, -1]]], np.int8))[0]
    # differs from a non-zero code dimension
    assert not learning.at_equilibrium(reality, code, np.array([[[0, -1, -1]]], np.int8))[0]


def test_run_shapes_bounds_and_seed():
    a = march1991.run(0.5, 0.5, reps=50, seed=7)
    b = march1991.run(0.5, 0.5, reps=50, seed=7)
    assert a.knowledge.shape == (50,) and a.individual.shape == (50, 50)
    assert np.all(np.abs(a.knowledge) <= 1) and a.converged.all()
    np.testing.assert_array_equal(a.knowledge, b.knowledge)
    fixed = march1991.run(0.5, 0.5, p3=0.1, p4=0.02, reps=20, periods=15, seed=1)
    assert fixed.history.shape == (16, 20) and np.all(fixed.periods == 15)
    np.testing.assert_allclose(fixed.history[-1], fixed.knowledge)


def test_run_rejects_bad_input():
    with pytest.raises(ValueError, match="periods"):
        march1991.run(0.5, 0.5, p3=0.1)
    with pytest.raises(ValueError, match="one rate per individual"):
        march1991.run(np.full(10, 0.5), 0.5, n=50, reps=2)
    with pytest.raises(ValueError, match="p2"):
        march1991.run(0.5, 1.5, reps=2)


@pytest.fixture(scope="module")
def march():
    """All four figures at 300 replications per cell (about 15 s)."""
    return march1991.check(reps=300, seed=11)


def test_march_claims_hold(march):
    failing = [(claim, gives) for claim, gives, ok in march.claims if not ok]
    assert not failing
    assert len(march.claims) == 9 and march.passed


def test_figure1_knowledge_falls_with_socialisation_rate(march):
    f1 = march.tables["figure1"][1]
    for p2 in (0.5, 0.9):
        curve = f1[f1.p2 == p2].sort_values("p1")["mean"].to_numpy()
        assert np.all(np.diff(curve) < 0.01)          # falling, within noise
        assert curve[0] - curve[-1] > 0.15
    assert np.all(f1["lo"] <= f1["mean"]) and np.all(f1["mean"] <= f1["hi"])


def test_mix_of_learners_code_knowledge_rises_with_slow_learners(march):
    f23 = march.tables["figure23"][1]
    assert f23.code_mean.iloc[-1] - f23.code_mean.iloc[0] > 0.15
    assert np.isnan(f23.slow20_mean.iloc[0]) and np.isnan(f23.fast20_mean.iloc[-1])
