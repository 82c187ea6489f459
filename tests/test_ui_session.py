"""The app's per-session run (ccsim.ui.session) and its address (ccsim.ui.query)."""

import re

import numpy as np
import pytest

from ccsim.params import PARAMS, ParamError
from ccsim.scenarios import DEFAULT_SCENARIO, list_scenarios, load_scenario
from ccsim.ui import query, session
from ccsim.ui.session import Move, Session
from ccsim.ui.words import MONEY

PRESETS = [s.name for s in list_scenarios()]


def loyalty(session, side="A"):
    return np.array(session.history(side)["loyalty"])


def test_same_seed_replays_the_same_run_and_a_new_seed_does_not():
    a, b = Session(DEFAULT_SCENARIO, seed=11), Session(DEFAULT_SCENARIO, seed=11)
    a.step(30), b.step(30)
    assert np.array_equal(loyalty(a), loyalty(b))
    a.reset(seed=12)
    a.step(30)
    assert not np.array_equal(loyalty(a), loyalty(b))


def test_a_change_mid_run_takes_effect_next_week_is_marked_and_replays():
    plain, changed = Session(DEFAULT_SCENARIO, seed=3), Session(DEFAULT_SCENARIO, seed=3)
    plain.step(40), changed.step(20)
    changed.set_params({"empowerment": 1.0, "humility": 1.0}, "A")
    changed.set_params({"empowerment": 0.0, "humility": 1.0}, "A")  # same sliders, same week: one change
    assert (20, "empowerment 0, humility 1") in changed.marks()
    assert len(changed.changes) == 1
    changed.step(20)
    cash_plain, cash_changed = plain.history()["cash"], changed.history()["cash"]
    assert cash_plain[:21] == cash_changed[:21]
    assert cash_plain[21:] != cash_changed[21:]
    first = list(cash_changed)
    changed.reset(keep_changes=True)
    changed.step(40)
    assert changed.history()["cash"] == first
    assert (20, "empowerment 0, humility 1") in changed.marks()


def test_reset_keeps_the_sliders_as_start_values():
    s = Session(DEFAULT_SCENARIO, seed=5)
    s.step(5)
    s.set_params({"humility": 0.9}, "A")
    s.reset()
    assert s.week == 0 and s.changes == [] and s.current()["humility"] == 0.9


def test_size_parameters_change_only_before_the_run():
    s = Session(DEFAULT_SCENARIO, seed=5)
    s.set_params({"n_customers": 500}, "AB")
    assert s.model.n_customers == 500 and s.week == 0
    s.step()
    with pytest.raises(ValueError, match="n_customers"):
        s.set_params({"n_customers": 600}, "AB")


def test_compare_mode_shares_seed_and_market_and_differs_by_culture():
    s = Session(DEFAULT_SCENARIO, seed=8, compare=DEFAULT_SCENARIO)
    s.step(30)
    assert np.array_equal(loyalty(s, "A"), loyalty(s, "B"))   # same culture: same run
    s.set_params({"humility": 1.0, "empowerment": 1.0, "accountability": 1.0}, "B")
    s.step(60)
    assert np.array_equal(loyalty(s, "A")[:31], loyalty(s, "B")[:31])
    assert not np.array_equal(loyalty(s, "A"), loyalty(s, "B"))
    df = s.dataframe()
    assert set(df["culture"]) == {"A", "B"} and len(df) == 2 * 91


def test_compare_switched_on_mid_run_catches_up_with_the_market_changes():
    s = Session(DEFAULT_SCENARIO, seed=9)
    s.step(10)
    s.set_params({"price": 12.0}, "AB")
    s.step(10)
    s.set_compare(DEFAULT_SCENARIO)
    assert s.model_b.steps == 20 and s.model_b.price == 12.0
    assert np.array_equal(loyalty(s, "A"), loyalty(s, "B"))


def test_sessions_are_independent():
    a, b = Session(DEFAULT_SCENARIO, seed=1), Session(DEFAULT_SCENARIO, seed=1)
    a.set_params({"humility": 0.0}, "A")
    a.step(3)
    assert b.week == 0 and b.current()["humility"] == PARAMS["humility"].default


def test_the_address_round_trips():
    s = Session(DEFAULT_SCENARIO, seed=77, start={"humility": 0.8}, compare=DEFAULT_SCENARIO)
    s.step(4)
    s.set_params({"empowerment": 0.25}, "A")
    s.set_params({"integrity": 0.9}, "B")
    text = query.encode(s.preset, s.seed, s.start, s.compare, s.culture_b, s.changes,
                        s.scenario.params, s.culture_b)
    state = query.parse(text, PRESETS, DEFAULT_SCENARIO)
    assert state.notes == []
    assert (state.preset, state.seed, state.start, state.compare) == (DEFAULT_SCENARIO, 77, {"humility": 0.8},
                                                                      DEFAULT_SCENARIO)
    assert state.changes == [(4, {"empowerment": 0.25}, "A"), (4, {"integrity": 0.9}, "B")]


def test_a_note_on_a_move_goes_into_the_key_the_csv_header_and_the_link():
    """The trainer's words on the last move travel with it: the key, the CSV's header, the
    address (its odd characters escaped), and a session rebuilt from that address; another
    move of the same slider in the same week keeps the note, Undo takes it away."""
    from ccsim.ui import handout

    s = Session("hippo", seed=8)
    s.step(10)
    s.set_params({"humility": 0.8}, "A")
    note = query.clean_note('  the boss <b>listens</b>\n & "learns": 50%, a=b  ', "note")
    assert note == 'the boss <b>listens</b> & "learns": 50%, a=b'
    s.annotate(note)
    s.set_params({"humility": 0.9}, "A")        # the same move, a second thought
    assert s.changes == [Move(10, {"humility": 0.9}, "A", note)]
    assert (10, f'humility 0.9 - "{note}"') in s.key() and (10, "humility 0.9") in s.marks()
    assert (10, f"humility 0.9 {session.NOTED}") in s.key(notes=False)   # the key under the charts
    assert any(line.endswith(', note "the boss <b>listens</b> & \\"learns\\": 50%, a=b"')
               for line in handout.header(s))
    text = query.encode(s.preset, s.seed, s.start, s.compare, s.culture_b, s.changes, s.scenario.params, {})
    assert "&" not in text.split("change=")[1] and "<" not in text
    state = query.parse(text, PRESETS, DEFAULT_SCENARIO)
    assert state.notes == [] and state.changes == [(10, {"humility": 0.9}, "A", note)]
    linked = Session(state.preset, seed=state.seed, changes=state.changes)
    linked.step(12)
    assert linked.key() == s.key()
    s.undo()
    assert not s.changes and not any("boss" in label for _, label in s.key())


@pytest.mark.parametrize("compare, moves", [(False, 1), (True, 60)])
def test_the_pdf_handout_is_one_a4_page_with_nothing_cut(compare, moves):
    """One A4 page, portrait, at any length of the run's texts: every text (title, story,
    seed, the marks' key, the debrief, the charts' titles, ticks and legend) inside the page's
    margins; a key too long for the page is cut with a pointer to the CSV, the debrief kept;
    the charts as the app draws them."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from ccsim.ui import handout

    s = Session("turnaround", seed=9, compare="hippo" if compare else None)
    for i in range(moves):
        s.step(3)
        s.set_params({"humility": 0.1 + 0.8 * (i % 2)}, "A")
        s.annotate("the boss listens to the floor, then acts on what she hears!"[:query.MAX_NOTE])
    s.step(30)
    data = handout.pdf(s)
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(b"/Type /Page>") == 1
    width, height = (float(v) for v in re.search(rb"/MediaBox \[ 0 0 ([0-9.]+) ([0-9.]+) \]", data).groups())
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    fig, _ = handout.figure(s)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()                                    # places the legend's texts
    renderer = canvas.get_renderer()
    dpi = fig.dpi
    drawn = [*fig.texts, *fig.legends, *fig.axes]   # an axes' box: its title, ticks and labels
    assert len(fig.texts) > 5 and len(fig.axes) == 4
    for artist in drawn:
        box = artist.get_tightbbox(renderer) if artist in fig.axes else artist.get_window_extent(renderer)
        what = artist.get_text() if hasattr(artist, "get_text") else artist
        assert box.x0 >= 0.3 * dpi and box.x1 <= fig.bbox.width - 0.3 * dpi, what
        assert box.y0 >= 0.3 * dpi and box.y1 <= fig.bbox.height - 0.3 * dpi, what
    lines = [t.get_text() for t in fig.texts]
    assert sum(line.startswith("Debrief: ") for line in lines) == len(s.scenario.debrief)
    # the app's titles (money in its unit) and y ranges (a measure's scale, else from 0)
    limits = {ax.get_title(loc="left"): ax.get_ylim() for ax in fig.axes}
    assert limits["NPS"] == (-100, 100) and limits["Active customers"][0] == 0
    assert limits[f"Cash ({MONEY})"][0] == 0
    assert limits["Organisation (0-100)" + (", B dashed" if compare else "")] == (0, 100)
    assert (handout.MORE in lines) == (moves > 30)


@pytest.mark.parametrize("note, fragment", [
    ("x" * (query.MAX_NOTE + 1), f"at most {query.MAX_NOTE} characters"),
    ("bell%07", "punctuation only"),
    ("%E2%80%AEreversed", "punctuation only"),      # a right-to-left override
    ("nul%00", "punctuation only"),
])
def test_a_bad_note_in_a_link_is_left_out_and_the_move_kept(note, fragment):
    state = query.parse(f"preset=hippo&change=5:A:humility=0.8:{note}", PRESETS, DEFAULT_SCENARIO)
    assert state.changes == [(5, {"humility": 0.8}, "A")]
    assert len(state.notes) == 1 and fragment in state.notes[0] and "the move is kept" in state.notes[0]
    assert "\n" not in state.notes[0] and len(state.notes[0]) < 200


@pytest.mark.parametrize("search, fragment", [
    ("preset=../../etc/passwd", "unknown preset"),
    ("preset=/tmp/x.toml", "unknown preset"),
    ("seed=abc", "seed"),
    ("seed=0", "seed"),
    ("humility=2", "out of range"),
    ("n_customers=1000000", "slider's range"),
    ("__import__=1", "unknown parameter"),
    ("b.n_customers=3000", "same market"),
    ("change=3:A:n_customers=100", "cannot change during a run"),
    ("change=0:A:humility=0.5", "week"),
    ("change=3:C:humility=0.5", "side"),
    ("change=garbage", "expected"),
])
def test_bad_addresses_are_left_out_with_a_note(search, fragment):
    state = query.parse(search, PRESETS, DEFAULT_SCENARIO)
    assert len(state.notes) == 1 and fragment in state.notes[0]
    assert state.preset == DEFAULT_SCENARIO and state.start == {} and state.changes == []


def test_slider_ranges_hold_the_defaults_on_a_step():
    for name, p in PARAMS.items():
        lo, hi, step = query.slider_range(name)
        assert lo <= p.default <= hi <= p.hi
        assert abs(round((p.default - lo) / step) * step + lo - p.default) < 1e-9
        assert query.check(name, p.default, "test") == p.default
    with pytest.raises(ParamError):
        query.check("humility", "x", "test")


def test_compare_runs_culture_b_with_the_events_of_its_own_story():
    def own_event(s):
        pair = load_scenario(s.pair)
        return s.events and s.events[0].title not in {e.title for e in pair.events}

    story = next((s for s in list_scenarios() if s.pair and s.pair != s.name and own_event(s)), None)
    if story is None:
        pytest.skip("no preset with an event its counterpart does not have")
    s = Session(story.name, seed=4, compare=story.pair)
    s.step(story.events[0].week + 5)
    own = {label for _, label in s.model.marks}
    assert story.events[0].title in own
    assert story.events[0].title not in {label for _, label in s.model_b.marks}


def test_only_listed_presets_are_read(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('title = "x"\nstory = "y"\n')
    with pytest.raises(ParamError, match="not a listed preset"):
        Session(str(path))
    s = Session(DEFAULT_SCENARIO, seed=1)
    for bad in (str(path), "../scenarios/baseline", "/etc/passwd"):
        with pytest.raises(ParamError):
            s.choose(bad)
        with pytest.raises(ParamError):
            s.set_compare(bad)
    assert s.preset == DEFAULT_SCENARIO and s.compare is None


@pytest.mark.parametrize("story", [s for s in list_scenarios() if s.pair_params], ids=lambda s: s.name)
def test_compare_sets_what_the_story_changes_on_its_counterpart(story):
    """The Compare switch sets B to the preset's counterpart, including a practice its
    [compare] table changes that is not a culture trait (survey-fatigue: the survey rate),
    names B by the story's label, and a link keeps it."""
    s = Session(story.name, seed=3)
    s.set_compare(story.pair, story.pair_params)
    for name, value in story.pair_params.items():
        assert s.current("B")[name] == value
    assert s.label_b() == story.pair_label and not s.twins()
    text = query.encode(s.preset, s.seed, s.start, s.compare, s.culture_b, s.changes,
                        s.scenario.params, session.culture_of(s.compare))
    state = query.parse(text, PRESETS, DEFAULT_SCENARIO)
    again = Session(state.preset, seed=state.seed, compare=state.compare,
                    culture_b={**session.culture_of(state.compare), **state.culture_b})
    assert again.current("B") == s.current("B") and again.label_b() == s.label_b()
    s.step(story.steps), again.step(story.steps)
    assert np.array_equal(loyalty(s, "B"), loyalty(again, "B"))
    assert not np.array_equal(loyalty(s, "A"), loyalty(s, "B"))


def test_twins_until_culture_b_moves():
    s = Session(DEFAULT_SCENARIO, seed=5, compare=DEFAULT_SCENARIO)
    assert s.twins() and s.label_b() == DEFAULT_SCENARIO
    s.step(2)
    s.set_params({"humility": 0.9}, "B")
    assert not s.twins()


def test_moves_are_set_events_and_a_model_rebuilt_from_them_runs_the_same():
    """The session keeps no replay list: a move is the core's own ``set`` event, and a
    plain model built from the preset's events plus those events runs the same weeks."""
    from ccsim.events import make_event
    from ccsim.model import CultureModel

    s = Session("hippo", seed=21)
    s.step(15)
    s.set_params({"humility": 0.8}, "A")
    s.step(10)
    s.set_params({"price": 11.0, "empowerment": 0.6}, "AB")
    s.step(20)
    moves = [make_event(16, "set", {"humility": 0.8}), make_event(26, "set", {"price": 11.0, "empowerment": 0.6})]
    assert [(e.week, e.args) for e in s.model.events if e.kind == "set"] == [(e.week, e.args) for e in moves]
    scenario = load_scenario("hippo")
    plain = CultureModel(rng=21, events=scenario.events + moves, customer_agents=False, **scenario.params)
    plain.advance(45)
    assert plain.dataframe().equals(s.model.dataframe())
    moved = [w for w, label in s.marks() if "defect" not in label]   # the model marks its own defects
    assert moved == [15, 25]    # marked at the week each was made


def test_presets_are_read_once_per_process(monkeypatch):
    import ccsim.scenarios

    session.presets()
    reads = []
    original = ccsim.scenarios.read_toml
    monkeypatch.setattr(ccsim.scenarios, "read_toml", lambda *a: reads.append(a) or original(*a))
    s = Session("hippo", seed=2)
    s.set_compare("customer-centric")
    s.step(3)
    s.set_params({"humility": 0.7}, "B")
    s.choose("turnaround")
    s.label_b(), s.twins(), session.culture_of("hippo")
    assert reads == []


def test_marks_name_the_side_they_belong_to():
    s = Session("hippo", seed=6, compare="customer-centric")
    s.step(5)
    s.set_params({"humility": 0.9}, "A")
    s.set_params({"integrity": 0.1}, "B")
    s.set_params({"price": 12.0}, "AB")
    s.step(60)
    marks = dict((label, week) for week, label in s.marks())
    assert {"A: humility 0.9", "B: integrity 0.1", "price 12"} <= set(marks)   # the market: both
    own_a = {label for _, label in s.model.marks} - {label for _, label in s.model_b.marks}
    assert all(f"A: {label}" in marks for label in own_a if "0.9" not in label and "12" not in label)


def test_the_ghost_is_the_run_without_the_last_move_and_undo_returns_to_it():
    s = Session("hippo", seed=12)
    s.step(20)
    s.set_params({"humility": 0.9}, "A")
    s.step(30)
    never = Session("hippo", seed=12)
    never.step(50)
    ghost = s.ghosts["A"].datacollector.model_vars["loyalty"]
    assert ghost == never.history()["loyalty"] != s.history()["loyalty"]
    moved = list(s.history()["loyalty"])
    assert s.undo() == Move(20, {"humility": 0.9}, "A")
    assert s.week == 50 and s.changes == [] and s.ghosts == {}
    assert s.history()["loyalty"] == never.history()["loyalty"]
    s.step(10)
    never.step(10)
    assert s.history()["loyalty"] == never.history()["loyalty"] and moved[:21] == never.history()["loyalty"][:21]


def test_a_ghost_rebuilt_from_a_link_is_the_ghost_made_live():
    live = Session("turnaround", seed=4, compare="hippo")
    live.step(10)
    live.set_params({"empowerment": 0.9}, "A")
    live.step(10)
    live.set_params({"price": 13.0}, "AB")
    live.step(25)
    linked = Session("turnaround", seed=4, compare="hippo", changes=live.changes)
    linked.step(45)
    assert set(linked.ghosts) == set(live.ghosts) == {"A", "B"}
    for side in "AB":
        assert linked.ghosts[side].dataframe().equals(live.ghosts[side].dataframe())
    live.undo()
    assert set(live.ghosts) == {"A"}          # the move before the last touched A only
    plain = Session("turnaround", seed=4)
    plain.step(45)
    assert live.ghosts["A"].dataframe().equals(plain.model.dataframe())


def test_switching_preset_in_compare_mode_compares_with_the_new_storys_counterpart():
    s = Session("hippo", seed=3)
    s.set_compare(*s.counterpart())
    assert s.compare == "customer-centric"
    s.choose("heater-denied")
    story = load_scenario("heater-denied")
    assert s.compare == story.pair and s.label_b() == (story.pair_label or story.pair)
    s.step(2)
    s.set_params({"integrity": 0.5}, "B")
    assert s.label_b() == (story.pair_label or story.pair)   # B keeps its story's name when moved
