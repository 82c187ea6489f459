"""The presets: every file is complete and valid, and each shows the effect its story claims.

A claim compares a preset (A) with its counterpart from its [compare] table (B) on the same
seeds, averaged over seeds and over the last two years of the run: a direction, never a
number.  Runs are small (1,500 people, no Customer agents) so the file stays fast.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from ccsim import runs
from ccsim.metrics import REPORTERS
from ccsim.params import CULTURE_TRAITS, PARAMS, ParamError
from ccsim.scenarios import (
    DEFAULT_SCENARIO,
    INFO_KEYS,
    Scenario,
    list_scenarios,
    load_scenario,
    scenario_dirs,
)

SEEDS = range(6)
N_CUSTOMERS = 1500
LATE = 104   # the last two years of a run

STORIES = ["hippo", "customer-centric", "four-hour-refund", "no-receipt-refund",
           "heater-denied", "heater-fixed", "lip-service", "survey-fatigue", "turnaround",
           "pandemic-hippo", "pandemic-customer-centric"]

# what a preset's counterpart may change (default: culture traits only)
STORY_VARIABLES = {"four-hour-refund": {"empowerment"}, "no-receipt-refund": {"empowerment"},
                   "lip-service": {"courage_to_change"}, "survey-fatigue": {"survey_rate"}}

# preset -> (metric, A is "<" or ">" than B over the last two years)
CLAIMS = {
    "hippo": [("customers", "<"), ("nps", "<"), ("leader_knowledge", "<"),
              ("employee_voice", "<"), ("cash", "<")],
    "customer-centric": [("loyalty", ">"), ("nps", ">"), ("offering_fit", ">"),
                         ("revenue", ">")],
    "four-hour-refund": [("resolved_share", ">"), ("warnings", "<"), ("satisfaction", ">"),
                         ("customers", ">")],
    "no-receipt-refund": [("resolved_share", ">"), ("warnings", "<"), ("satisfaction", ">"),
                          ("customers", ">")],
    "heater-denied": [("defect", ">"), ("warnings", ">"), ("resolved_share", "<"),
                      ("nps", "<"), ("customers", "<")],
    "heater-fixed": [("defect", "<"), ("satisfaction", ">"), ("cash", ">")],
    "lip-service": [("offering_fit", "<"), ("nps", "<"), ("customers", "<")],
    "survey-fatigue": [("satisfaction", "<"), ("nps", "<"), ("customers", "<"),
                       ("churn_rate", ">")],
    "turnaround": [("employee_voice", ">"), ("nps", ">"), ("customers", ">")],
    "pandemic-hippo": [("customers", "<"), ("nps", "<")],
    "pandemic-customer-centric": [("customers", ">"), ("loyalty", ">")],
}


@functools.cache
def _runs(name: str, overrides: tuple, steps: int) -> tuple:
    scenario = load_scenario(name)
    frames = []
    for seed in SEEDS:
        model = runs.simulate(scenario, steps, seed, {"n_customers": N_CUSTOMERS, **dict(overrides)})
        frames.append(model.dataframe().reindex(range(steps + 1)).ffill())
    return tuple(frames)


def arms(name: str):
    """Runs of a preset (A) and of its counterpart (B) on the same seeds."""
    a = load_scenario(name)
    b, overrides, _ = a.partner()
    steps = max(a.steps, b.steps)
    return _runs(a.name, (), steps), _runs(b.name, tuple(sorted(overrides.items())), steps)


def late(frames, metric: str) -> np.ndarray:
    """Per seed, the metric's mean over the last two years."""
    return np.array([df[metric].iloc[-LATE:].mean() for df in frames])


# ----- the files -----
def test_every_story_of_issue_4_has_a_preset():
    names = [s.name for s in list_scenarios()]
    assert names[0] == DEFAULT_SCENARIO
    assert set(STORIES) <= set(names)
    assert set(CLAIMS) == set(names) - {DEFAULT_SCENARIO}


@pytest.mark.parametrize("scenario", list_scenarios(), ids=lambda s: s.name)
def test_preset_is_complete(scenario: Scenario):
    assert scenario.title and scenario.story and "\n" not in scenario.story
    assert set(scenario.info) == set(INFO_KEYS)
    assert all(len(text) > 80 for text in scenario.info.values())
    assert 2 <= len(scenario.debrief) <= 3
    assert set(scenario.params) <= set(PARAMS)
    assert all(1 <= e.week <= scenario.steps for e in scenario.events)


@pytest.mark.parametrize("preset", list(CLAIMS))
def test_counterpart_differs_only_in_the_story_variable(preset):
    """A pair shares its market; it differs in culture, or in the one practice the story is about."""
    scenario = load_scenario(preset)
    other, overrides, label = scenario.partner()
    assert label
    mine, theirs = scenario.params, {**other.params, **overrides}
    differ = {k for k, p in PARAMS.items() if mine.get(k, p.default) != theirs.get(k, p.default)}
    assert differ or scenario.events, "the counterpart is the same run"
    assert differ <= STORY_VARIABLES.get(preset, set(CULTURE_TRAITS)), differ


def test_default_preset_and_missing_counterpart():
    baseline = load_scenario(DEFAULT_SCENARIO)
    assert baseline.params == {} and baseline.events == []
    with pytest.raises(ParamError, match="names no counterpart"):
        baseline.partner()


def test_extends_takes_the_base_params_and_keeps_its_own():
    hippo, turnaround = load_scenario("hippo"), load_scenario("turnaround")
    assert turnaround.params == hippo.params
    refund, no_receipt = load_scenario("four-hour-refund"), load_scenario("no-receipt-refund")
    assert no_receipt.params == {**refund.params, "empowerment": 0.1}


def test_presets_are_found_in_the_repository():
    assert any(d.name == "scenarios" and (d / f"{DEFAULT_SCENARIO}.toml").is_file()
               for d in scenario_dirs())


def test_a_preset_by_path(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('title = "Mine"\nstory = "A test."\n[params]\nhumility = 0.7\n'
                    '[compare]\nwith = "hippo"\n')
    s = load_scenario(str(path))
    assert (s.name, s.params, s.pair) == ("mine", {"humility": 0.7}, "hippo")
    assert s.partner()[0].name == "hippo"


# ----- the claims -----
@pytest.mark.slow
@pytest.mark.parametrize("preset,metric,direction",
                         [(p, m, d) for p, claims in CLAIMS.items() for m, d in claims])
def test_preset_shows_its_claimed_effect(preset, metric, direction):
    a_runs, b_runs = arms(preset)
    a, b = late(a_runs, metric), late(b_runs, metric)
    holds = a.mean() < b.mean() if direction == "<" else a.mean() > b.mean()
    assert holds, (f"{preset}: {metric} should be {direction} its counterpart over the last "
                   f"two years; A {a.mean():.4g} vs B {b.mean():.4g} (per seed A {a.round(3)}, "
                   f"B {b.round(3)})")


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["turnaround", "no-receipt-refund"])
def test_same_seed_same_run_until_the_event(preset):
    """The story's firm and its counterpart are the same firm until the event."""
    week = load_scenario(preset).events[0].week
    a_runs, b_runs = arms(preset)
    for a, b in zip(a_runs, b_runs):
        assert a.loc[: week - 1, list(REPORTERS)].equals(b.loc[: week - 1, list(REPORTERS)])
        assert not a.loc[week:].equals(b.loc[week:])


@pytest.mark.slow
def test_pandemic_culture_decides_who_keeps_its_customers():
    """Customers kept through the shock (end of shock / the week before it), per seed."""
    event = load_scenario("pandemic-hippo").events[0]
    start, end = event.week - 1, event.week + event.args["weeks"]
    hippo, centric = arms("pandemic-hippo")
    kept = {name: np.mean([df.customers.loc[end] / df.customers.loc[start] for df in runs])
            for name, runs in (("hippo", hippo), ("centric", centric))}
    assert kept["hippo"] < kept["centric"], kept


@pytest.mark.slow
def test_lip_service_lacks_action_not_knowledge():
    """The gap to the firm that acts is in the offering, much less in what leaders know."""
    lip, acting = arms("lip-service")
    knowledge_gap = late(acting, "leader_knowledge").mean() - late(lip, "leader_knowledge").mean()
    fit_gap = late(acting, "offering_fit").mean() - late(lip, "offering_fit").mean()
    assert fit_gap > 2 * abs(knowledge_gap), (fit_gap, knowledge_gap)


@pytest.mark.slow
def test_heater_admitted_is_fixed_denied_is_not():
    """Changes bring defects in every world; the firm that admits them lives with one in
    fewer weeks than the firm that denies them, which never gets rid of the heater's."""
    denied, fixed = arms("heater-denied")
    weeks_with = [[float((df.defect.iloc[-104:] > 0).mean()) for df in side] for side in (denied, fixed)]
    assert min(weeks_with[0]) == 1.0
    assert max(weeks_with[1]) < 1.0 and np.mean(weeks_with[1]) < 0.75


@pytest.mark.slow
def test_baseline_lies_between_the_two_cultures():
    hippo, centric = arms("hippo")
    base = _runs(DEFAULT_SCENARIO, (), load_scenario(DEFAULT_SCENARIO).steps)
    for metric in ("nps", "customers", "employee_voice"):
        assert late(hippo, metric).mean() < late(base, metric).mean() < late(centric, metric).mean()

