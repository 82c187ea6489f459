"""CultureModel as a whole: contracts, determinism, events, neutralised mechanisms."""

import mesa
import numpy as np
import pandas as pd
import pytest

from ccsim import PARAMS, CultureModel
from ccsim.events import make_event
from ccsim.model import run
from ccsim.params import ParamError

SMALL = dict(n_customers=400, n_employees=20)
CONTRACT = ["customers", "loyalty", "nps", "revenue", "profit", "cash", "churn_rate",
            "leader_knowledge", "employee_voice", "morale"]


def test_reporters_named_in_the_design_are_collected():
    df = run(10, rng=1, **SMALL).dataframe()
    assert set(CONTRACT) <= set(df.columns)
    assert list(df.index) == list(range(11))


def test_same_seed_same_output_and_other_seeds_differ():
    a = run(60, rng=7, **SMALL).dataframe()
    b = run(60, rng=7, **SMALL).dataframe()
    pd.testing.assert_frame_equal(a, b)
    c = run(60, rng=8, **SMALL).dataframe()
    assert not a.equals(c)


@pytest.mark.parametrize("compiled", [True, False])
def test_a_large_market_draws_the_same_numbers_on_two_cores(monkeypatch, compiled):
    """From model.SIDE_BY_SIDE people on, three streams are drawn on another core meanwhile;
    a stream drawn out of its order, or two threads sharing one, would change the run."""
    import ccsim.model

    def frame():
        return CultureModel(rng=4, n_customers=600, customer_agents=False, compiled=compiled).advance(30).dataframe()

    monkeypatch.setattr(ccsim.model, "SIDE_BY_SIDE", 10**9)
    alone = frame()
    monkeypatch.setattr(ccsim.model, "SIDE_BY_SIDE", 500)
    pd.testing.assert_frame_equal(frame(), alone, check_exact=True)


def test_every_parameter_has_a_default_and_a_valid_range():
    model = CultureModel(rng=0, **SMALL)
    for name, p in PARAMS.items():
        assert p.lo <= p.default <= p.hi, name
        assert p.help and p.group and p.unit, name
        assert hasattr(model, name)


def test_bad_parameters_raise_one_line_errors():
    with pytest.raises(ParamError, match="unknown parameter 'humbleness'"):
        CultureModel(humbleness=0.5)
    with pytest.raises(ParamError, match=r"humility=1.5 is out of range; allowed: a float in \[0, 1\]"):
        CultureModel(humility=1.5)
    with pytest.raises(ParamError, match="n_customers"):
        CultureModel(n_customers=-5)


def test_customer_agents_are_views_onto_the_arrays():
    model = run(5, rng=3, **SMALL)
    customers = model.agents_by_type[model.agent_types[-1]]
    assert len(customers) == SMALL["n_customers"]
    agent = next(iter(customers))
    assert agent.satisfaction == pytest.approx(float(model.satisfaction[agent.index]))
    assert agent.status in ("prospect", "customer", "lost")
    assert 0 <= agent.loyalty <= 1


def test_a_firm_whose_cash_runs_out_has_perished():
    model = run(100, rng=1, initial_cash=0, wage=500, **SMALL)
    assert model.perished and not model.running
    assert model.perished_week == len(model.dataframe()) - 1
    assert model.dataframe()["perished"].iloc[-1] == 1
    assert model.dataframe()["cash"].iloc[-1] < 0


def test_a_defect_causes_problems_and_denial_leaves_them_unresolved():
    defect = [make_event(5, "defect", {"severity": 1.0})]
    denied = run(40, rng=2, events=defect, integrity=0.0, **SMALL).dataframe()
    clean = run(40, rng=2, **SMALL).dataframe()
    admitted = run(40, rng=2, events=defect, integrity=1.0, accountability=1.0,
                   humility=1.0, **SMALL)
    assert denied["problems"].iloc[6:].sum() > 2 * clean["problems"].iloc[6:].sum()
    assert denied["resolved_share"].iloc[10:].mean() < clean["resolved_share"].iloc[10:].mean()
    assert "defect admitted" in [label for _, label in admitted.marks]
    assert admitted.dataframe()["defect"].iloc[-1] < denied["defect"].iloc[-1]


def test_a_shock_cuts_revenue_for_its_duration():
    shock = [make_event(20, "shock", {"demand": 0.5, "churn": 1.0, "weeks": 10})]
    hit = run(40, rng=4, events=shock, **SMALL)
    calm = run(40, rng=4, **SMALL).dataframe()
    df = hit.dataframe()
    ratio = df["revenue"].iloc[20:30].sum() / calm["revenue"].iloc[20:30].sum()
    assert ratio < 0.7
    assert (20, "shock") in hit.marks and (30, "shock ends") in hit.marks


def test_a_new_leader_changes_culture_and_starts_with_an_open_mind():
    leader = [make_event(10, "new_leader", {"humility": 0.95}, label="new CEO")]
    model = CultureModel(rng=1, events=leader, humility=0.1, **SMALL)
    model.advance(10)
    assert model.humility == 0.95
    assert (10, "new CEO") in model.marks
    assert not model.code.any()                  # an open mind: no view of needs yet
    assert model.advance(3).code.any()           # the quarter's learning (week 13) forms one
    deaf = CultureModel(rng=1, humility=0.1, experimentation=0.0, **SMALL,
                        events=[make_event(10, "new_leader", {"humility": 0.0})])
    assert not deaf.advance(13).code.any()       # a leader who neither listens nor tests learns nothing


def test_parameters_changed_mid_run_take_effect_and_are_marked():
    model = CultureModel(rng=1, **SMALL)
    model.advance(5)
    model.set_params(humility=0.9)
    assert model.humility == 0.9 and model.marks[-1] == (5, "humility=0.9")
    with pytest.raises(ValueError, match="n_customers"):
        model.set_params(n_customers=10)


def test_neutralised_mechanisms_do_nothing():
    quiet = run(30, rng=1, talk_rate=0.0, **SMALL).dataframe()
    assert quiet["recommendations"].sum() == 0 and quiet["warnings"].sum() == 0
    still = CultureModel(rng=1, turbulence=0.0, ideas_per_quarter=0, **SMALL)
    reality, offering = still.reality.copy(), still.offering.copy()
    still.advance(30)
    assert np.array_equal(reality, still.reality) and np.array_equal(offering, still.offering)


def test_silent_wronged_leave_no_warnings_in_memory():
    assert not run(30, rng=1, negative_talk=0.0, **SMALL).warnings_heard.any()
    assert run(30, rng=1, **SMALL).warnings_heard.max() > 0


def test_mesa_batch_run_runs_the_model_with_two_seeds():
    results = mesa.batch_run(CultureModel, {"humility": [0.2, 0.8], "n_customers": 300,
                                           "n_employees": 10},
                             rng=[1, 2], max_steps=15, number_processes=1, display_progress=False)
    end = pd.DataFrame(results)
    assert len(end) == 2 * 2 and set(end["Step"]) == {15}
    assert set(end["rng"]) == {1, 2}
    direct = run(15, rng=1, humility=0.2, n_customers=300, n_employees=10).dataframe()
    row = end[(end["rng"] == 1) & (end["humility"] == 0.2)].iloc[0]
    assert row["cash"] == pytest.approx(direct["cash"].iloc[-1])


def test_shipped_ideas_are_counted_by_test_and_by_harm():
    """Untested ideas are those shipped on opinion; harmful ones have a true effect below 0
    (ideas that change nothing are neither helpful nor harmful).  Over three seeds: a firm
    ships 0-5 harmful ideas untested in five years, so one seed can show none."""
    harmful = {0.0: 0, 1.0: 0}
    for seed in (1, 2, 3):
        never = run(260, rng=seed, experimentation=0.0, customer_agents=False)
        always = run(260, rng=seed, experimentation=1.0, customer_agents=False)
        assert never.ideas_shipped > 0 and never.ideas_shipped_untested == never.ideas_shipped
        assert always.ideas_shipped_untested == 0
        for model in (never, always):
            assert model.ideas_shipped_helpful + model.ideas_shipped_harmful <= model.ideas_shipped
            harmful[model.experimentation] += model.ideas_shipped_harmful
    assert harmful[0.0] > harmful[1.0], harmful
