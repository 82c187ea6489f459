"""The compiled customer week (ccsim/dynamics/compiled.py) against the numpy path: the same
draws, the same runs; and the numpy path on a machine without numba."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from ccsim import PARAMS, CultureModel
from ccsim.dynamics import compiled
from ccsim.scenarios import list_scenarios

pytestmark = pytest.mark.skipif(not compiled.AVAILABLE, reason="numba is not installed")

STATE = ("satisfaction", "status", "joined", "wronged_until", "warnings_heard", "morale", "beliefs",
         "code", "offering", "experience", "employee_tenure")


def both(weeks, seed, scenario=None, **params):
    """The same run on the numpy path and on the compiled one."""
    def build(flag):
        if scenario is None:
            return CultureModel(rng=seed, customer_agents=False, compiled=flag, **params)
        return CultureModel.from_scenario(scenario, rng=seed, customer_agents=False, compiled=flag, **params)
    return build(False).advance(weeks), build(True).advance(weeks)


def assert_same(a, b):
    """Every reporter of every week, the state arrays, the cash and each stream's position."""
    assert not a.compiled and b.compiled
    pd.testing.assert_frame_equal(a.dataframe(), b.dataframe(), check_exact=True)
    for name in STATE:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(a.active, b.active)
    assert a.cash == b.cash and a.steps == b.steps
    for name, stream in a.streams.items():
        assert stream.bit_generator.state == b.streams[name].bit_generator.state, name


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_default_run_is_the_same_compiled(seed):
    assert_same(*both(260, seed))


@pytest.mark.slow
@pytest.mark.parametrize("seed, scenario", list(enumerate(list_scenarios(), start=3)))
def test_every_preset_runs_the_same_compiled(seed, scenario):
    assert_same(*both(260, seed, scenario))


def _random_levers(rng) -> dict:
    """A point anywhere in the parameters' ranges, with a small market (sizes drawn too)."""
    values = {}
    for name, p in PARAMS.items():
        if p.fixed and name != "n_identities":
            continue
        hi = min(p.hi, 3 * p.default + 1) if p.hi > 100 else p.hi   # money and sizes: near their defaults
        value = p.lo + (hi - p.lo) * rng.random()
        values[name] = round(value) if p.kind is int else value
    values.update(n_customers=int(rng.integers(10, 700)), n_employees=int(rng.integers(1, 40)),
                  initial_cash=1e6)
    return values


@pytest.mark.parametrize("point", range(8))
def test_anywhere_in_the_parameter_space_the_runs_are_the_same(point):
    levers = _random_levers(np.random.default_rng(1000 + point))
    assert_same(*both(120, point, **levers))


@pytest.mark.parametrize("levers", [
    dict(strong_ties=0, weak_ties=0),                                       # nobody to talk to
    dict(touch_rate=1.0, problem_rate=1.0, survey_rate=1.0, empowerment=1.0),  # every touch a problem
    dict(peak_weight=1.0, end_weight=1.0, duration_weight=0.05, survey_annoyance=0.0, negativity_weight=3.0),
    dict(switching_cost=0.9, competition=3.0, negative_talk=0.0, talk_rate=1.0),
    dict(n_customers=11, n_employees=1, n_identities=1, initial_share=1.0),
    dict(warning_weight=0.0, winback=1.0, advertising=0.2, grievance_weeks=1),     # warnings that do not deter
])
def test_the_edges_of_the_mechanisms_run_the_same(levers):
    assert_same(*both(80, 5, **levers))


def test_a_change_mid_run_is_the_same_compiled():
    a, b = both(30, 6)
    for model in (a, b):
        model.set_params(touch_rate=0.9, switching_cost=0.5, memory_rate=0.8)
        model.advance(30)
    assert_same(a, b)


def test_without_numba_the_numpy_path_runs():
    code = """
import sys
sys.modules["numba"] = None      # as if numba were not installed
from ccsim.dynamics import compiled
from ccsim.model import CultureModel
assert not compiled.AVAILABLE
model = CultureModel(rng=1, n_customers=300, customer_agents=False).advance(20)
assert not model.compiled and model.steps == 20
try:
    CultureModel(rng=1, compiled=True)
except ValueError as error:
    print(error)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "compiled=True needs numba, which is not installed"


def test_building_a_model_loads_no_compiled_code():
    """The browser app's first page shows a model at week 0: building it must not wait for
    numba (about 0.3 s in a new process); the first week loads the kernels."""
    code = """
from ccsim.dynamics import compiled
from ccsim.model import CultureModel
kernels = [k for k in vars(compiled).values() if hasattr(k, "signatures")]
model = CultureModel(rng=1, n_customers=300, customer_agents=False, compiled=True)
print(sum(len(k.signatures) for k in kernels), end=" ")
model.advance(1)
print(sum(len(k.signatures) for k in kernels), len(kernels))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    at_build, after_a_week, kernels = map(int, out.stdout.split())
    assert kernels >= 5 and at_build == 0 and after_a_week >= 5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_kernels_sum_as_numpy_does(dtype):
    """The reporters' means (kernels.report) need numpy's pairwise sums, bit for bit, at any size."""
    rng = np.random.default_rng(7)
    for n in (1, 7, 8, 127, 128, 129, 1000, 8191, 8193, 100_003):
        values = (rng.random(n) * 2 - 1).astype(dtype)
        assert compiled._pairwise(values, n) == np.add.reduce(values), n
