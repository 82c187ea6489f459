"""Property tests over random valid parameters: conservation, ranges, no NaN."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccsim import PARAMS
from ccsim.model import run

SIZES = {"n_customers": (50, 600), "n_employees": (1, 40), "n_leaders": (1, 5),
         "n_needs": (2, 40), "n_identities": (1, 4), "strong_ties": (0, 8),
         "weak_ties": (0, 8), "ideas_per_quarter": (0, 8)}


def _strategy(name, p):
    if name in SIZES:
        return st.integers(*SIZES[name])
    if p.kind is int:
        return st.integers(int(p.lo), int(p.hi))
    return st.floats(p.lo, min(p.hi, 1e6), allow_nan=False)


PARAMETERS = st.fixed_dictionaries({name: _strategy(name, p) for name, p in PARAMS.items()})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=PARAMETERS, seed=st.integers(0, 2**32 - 1))
def test_any_valid_parameters_give_a_sane_run(params, seed):
    model = run(40, rng=seed, **params)
    df = model.dataframe()
    assert not df.isna().any().any()
    assert np.all(df["customers"] + df["prospects"] + df["lost"] == params["n_customers"])
    for column, (lo, hi) in {"loyalty": (0, 1), "nps": (-100, 100), "churn_rate": (0, 1),
                             "employee_voice": (0, 1), "morale": (0, 1),
                             "leader_knowledge": (-1, 1), "offering_fit": (-1, 1),
                             "resolved_share": (0, 1), "satisfaction": (-1, 1),
                             "defect": (0, 1)}.items():
        assert df[column].between(lo, hi).all(), column
    assert np.all(model.satisfaction >= -1) and np.all(model.satisfaction <= 1)
    assert model.perished == (df["cash"].iloc[-1] < 0)
