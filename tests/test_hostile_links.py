"""Hostile input never breaks the app or ``ccsim scenarios``: an odd link value becomes a
one-line note and a safe default; a malformed preset file is left out of every list with
one warning naming it."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import ipyvuetify as v
import pytest
import solara
from solara.routing import Router, router_context

import ccsim.scenarios
from ccsim import cli
from ccsim.scenarios import DEFAULT_SCENARIO, scenario_dirs
from ccsim.ui import app, query, session
from ccsim.ui.widgets import Readout, UrlSync

PRESETS = list(session.presets())
BIG = "9" * 5000   # int() refuses more than 4300 digits

# (link, a word its note must hold): every entry is left out, the run is the default one
HOSTILE = [
    ("n_customers=inf", "n_customers"),
    ("n_customers=-inf", "n_customers"),
    ("n_customers=nan", "n_customers"),
    ("n_customers=1e309", "n_customers"),
    ("n_leaders=-1e309", "n_leaders"),
    ("n_customers=" + "9" * 400, "n_customers"),
    ("humility=nan", "humility"),
    ("humility=0x10", "humility"),
    ("humility=%C2%BD", "humility"),                          # ½
    ("n_customers=%EF%BC%91%EF%BC%90%EF%BC%90%EF%BC%90", "n_customers"),   # fullwidth 1000
    ("n_employees=1_0", "n_employees"),
    ("humility=", "humility"),
    ("humility=+0.5+", "humility"),                          # spaces around it
    ("seed=%C2%B2", "seed"),                                 # superscript two
    ("seed=1%C2%B2", "seed"),
    ("seed=%D9%A1%D9%A2", "seed"),                           # Arabic-Indic 12
    ("seed=-0", "seed"),
    ("seed=0x10", "seed"),
    ("seed=" + "9" * 400, "seed"),
    ("seed=" + BIG, "seed"),
    ("seed=", "seed"),
    ("change=3:A:ideas_per_quarter=inf", "ideas_per_quarter"),
    ("change=3:A:ideas_per_quarter=1e309", "ideas_per_quarter"),
    ("change=3:A:humility=nan", "humility"),
    ("change=%C2%B2:A:humility=0.5", "week"),
    ("change=1%C2%B2:A:humility=0.5", "week"),
    ("change=0x10:A:humility=0.5", "week"),
    (f"change={BIG}:A:humility=0.5", "week"),
    ("change=3:A:humility=0.5,humility=0.6", "twice"),
    ("change=3:A:%C2%B2=0.5", "cannot change"),
    ("change=3:AB:", "expected"),
    ("b.humility=-inf", "b.humility"),
    ("b.humility=0.9", "vs="),
    ("vs=../../etc/passwd", "unknown preset"),
    ("preset=%00", "unknown preset"),
    ("x" * 5000 + "=1", "unknown parameter"),
    ("humility=" + "1" * 7000, "humility"),
    ("humility=0.5&" * 700, "longer than"),
    ("week=0", "week"),
    ("week=1e3", "week"),
    ("week=99999", "week"),
    ("present=yes", "present"),
]


def default_run(state) -> bool:
    return (state.preset, state.seed, state.start, state.compare, state.culture_b, state.changes) == (
        DEFAULT_SCENARIO, None, {}, None, {}, [])


def plain(note: str) -> bool:
    return "\n" not in note and "Traceback" not in note and len(note) < 400


@pytest.mark.parametrize("link, word", HOSTILE, ids=lambda x: x[:40])
def test_a_hostile_link_gives_a_note_and_the_default_run(link, word):
    state = query.parse(link, PRESETS, DEFAULT_SCENARIO)
    assert default_run(state)
    assert state.notes and all(plain(n) for n in state.notes) and word in " ".join(state.notes)


def test_a_repeated_key_counts_once_with_a_note():
    state = query.parse("seed=1&seed=2&humility=0.2&humility=0.3", PRESETS, DEFAULT_SCENARIO)
    assert (state.seed, state.start) == (2, {"humility": 0.3})
    assert len(state.notes) == 2 and all("the last one counts" in n for n in state.notes)


def test_many_bad_entries_give_a_few_notes():
    state = query.parse("&".join(f"bad{i}=1" for i in range(50)), PRESETS, DEFAULT_SCENARIO)
    assert len(state.notes) == query.MAX_NOTES + 1 and "45 more" in state.notes[-1]


def test_plain_numbers_still_count():
    state = query.parse("humility=.25&n_customers=1e3&seed=0042&change=7:B:integrity=-0",
                        PRESETS, DEFAULT_SCENARIO)
    assert state.notes == []
    assert (state.start, state.seed) == ({"humility": 0.25, "n_customers": 1000}, 42)
    assert state.changes == [(7, {"integrity": 0.0}, "B")]


def test_a_slider_value_the_browser_should_never_send_is_refused():
    for value in (float("inf"), float("nan"), 10**400, None, True):
        with pytest.raises(ValueError):
            query.check("n_leaders", value, "n_leaders")


# ----- the page, as a browser session renders it -----
@solara.component
def Linked(search: str):
    router_context.provide(Router(f"/?{search}", []))
    return app.Page()


def render(search: str = ""):
    return solara.render(Linked(search), handle_error=False)[1]


def shown_note(rc) -> str:
    return " ".join(w.children[0] for w in rc.find(v.Alert).widgets)


@pytest.mark.parametrize("link, word", [
    ("n_customers=inf&seed=%C2%B2", "n_customers"),
    ("seed=1%C2%B2&change=3:A:ideas_per_quarter=inf", "ideas_per_quarter"),
    (f"n_customers={'9' * 400}&change={BIG}:A:humility=0.5", "week"),
    ("vs=hippo&b.n_leaders=inf&b.humility=nan", "b.humility"),
    ("seed=%D9%A1%D9%A2&humility=0x10", "seed"),
])
def test_the_page_shows_a_hostile_links_note_and_runs_the_default(link, word):
    rc = render(link)
    note = shown_note(rc)
    assert word in note and plain(note)
    rc.find(v.Btn, class_="ccsim-step").widget.click()
    assert rc.find(Readout, kind="ccsim-week").widget.text == "Week 1"
    # the address the page writes back: the default run (vs=hippo is a good entry)
    assert re.fullmatch(rf"preset={DEFAULT_SCENARIO}&seed=\d+(&vs=hippo)?", rc.find(UrlSync).widget.query)


# ----- malformed presets -----
BAD_PRESETS = {
    "malformed TOML": b'title = "unfinished\n',
    "unknown key": b'title = "x"\nstory = "y"\ncolour = "red"\n',
    "out of range": b'title = "x"\nstory = "y"\n[params]\nhumility = 2\n',
    "not UTF-8": b'\xff\xfe title = "x"\n',
    "infinite size": b'title = "x"\nstory = "y"\n[params]\nn_customers = inf\n',
    "nested too deep": b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "huge integer": b'title = "x"\nstory = "y"\nsteps = ' + BIG.encode() + b"\n",
}


@pytest.fixture
def presets_dir(tmp_path, monkeypatch):
    """A copy of the presets, the only place presets are looked up; the app's list is
    read again from it."""
    copy = tmp_path / "scenarios"
    shutil.copytree(scenario_dirs()[0], copy)
    monkeypatch.setattr(ccsim.scenarios, "scenario_dirs", lambda: [copy])
    session.catalogue.cache_clear()
    yield copy
    session.catalogue.cache_clear()


@pytest.mark.parametrize("kind", BAD_PRESETS)
def test_ccsim_scenarios_skips_a_malformed_preset_with_one_warning(presets_dir, capsys, kind):
    (presets_dir / "bad.toml").write_bytes(BAD_PRESETS[kind])
    assert cli.main(["scenarios"]) == 0
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "bad.toml" in err and "warning" in err
    listed = {line.split()[0] for line in out.splitlines() if line[:1].strip()}
    assert {p.stem for p in presets_dir.glob("*.toml")} - listed == {"bad"}


@pytest.mark.parametrize("kind", ["malformed TOML", "unknown key", "out of range", "not UTF-8",
                                  "infinite size", "nested too deep"])
def test_ccsim_scenarios_name_of_a_malformed_preset_is_one_line(presets_dir, capsys, kind):
    (presets_dir / "bad.toml").write_bytes(BAD_PRESETS[kind])
    assert cli.main(["scenarios", "bad"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.toml" in err


def test_the_page_leaves_a_malformed_preset_out_with_a_note_and_a_log_line(presets_dir, caplog):
    (presets_dir / "bad.toml").write_bytes(BAD_PRESETS["unknown key"])
    with caplog.at_level(logging.WARNING):
        rc = render("preset=bad")
    assert "bad.toml" in shown_note(rc) and "unknown preset 'bad'" in shown_note(rc)
    assert "bad" not in rc.find(v.Select, class_="ccsim-preset").widget.items
    assert [r for r in caplog.records if "bad.toml" in r.getMessage()]


def test_the_page_starts_on_another_preset_when_the_default_is_malformed(presets_dir):
    (presets_dir / f"{DEFAULT_SCENARIO}.toml").write_bytes(BAD_PRESETS["malformed TOML"])
    rc = render()
    assert f"{DEFAULT_SCENARIO}.toml" in shown_note(rc)
    assert rc.find(v.Select, class_="ccsim-preset").widget.v_model == PRESETS[1]


def test_compare_with_a_malformed_counterpart_starts_b_as_a(presets_dir):
    pair = ccsim.scenarios.load_scenario("hippo").pair
    (presets_dir / f"{pair}.toml").write_bytes(BAD_PRESETS["out of range"])
    rc = render("preset=hippo")
    rc.find(v.Switch, class_="ccsim-compare").widget.v_model = True
    assert rc.find(v.Select, class_="ccsim-compare-preset").widget.v_model == "hippo"
    assert "counterpart" in shown_note(rc)


def test_the_page_says_so_when_no_preset_loads(presets_dir):
    for path in presets_dir.glob("*.toml"):
        path.write_bytes(BAD_PRESETS["unknown key"])
    rc = render()
    assert "No preset could be read" in shown_note(rc) and "colour" in shown_note(rc)


def test_a_preset_that_extends_a_malformed_one_is_left_out_too(presets_dir):
    (presets_dir / "four-hour-refund.toml").write_bytes(BAD_PRESETS["unknown key"])
    problems = []
    names = [s.name for s in ccsim.scenarios.list_scenarios(on_error=problems.append)]
    assert "four-hour-refund" not in names and "no-receipt-refund" not in names and "hippo" in names
    # each line names the file left out first (no-receipt-refund extends four-hour-refund)
    assert sorted(Path(p.split(": ")[0]).name for p in problems) == ["four-hour-refund.toml",
                                                                     "no-receipt-refund.toml"]
    with pytest.raises(ValueError):   # without on_error, as before: the error itself
        ccsim.scenarios.list_scenarios()


def test_a_link_opens_at_its_week_in_presenter_mode():
    rc = render("preset=hippo&seed=5&change=10:A:humility=0.9&week=30&present=1")
    assert rc.find(Readout, kind="ccsim-week").widget.text == "Week 30"
    assert not rc.find(v.Slider).widgets                  # no side panel when presenting
    assert rc.find(UrlSync).widget.query.endswith("change=10:A:humility=0.9&present=1")


def test_a_run_with_more_moves_than_a_link_holds_says_so():
    """No silent limit: a link with as many moves as fit opens them all; one move more and
    the page says the link no longer reproduces the run."""
    moves = []
    while len("&".join(moves)) < query.MAX_QUERY - 140:
        moves.append(f"change={len(moves) + 1}:A:humility={0.1 + len(moves) % 9 / 10:g},conformity=0.5")
    rc = render(f"preset=baseline&seed=3&{'&'.join(moves)}&week={len(moves) + 1}")
    assert shown_note(rc) == "" and rc.find(UrlSync).widget.query.count("change=") == len(moves)
    sliders = {w.class_.split()[-1]: w for w in rc.find(v.Slider).widgets}
    for name in ("empowerment", "courage_to_change", "customer_intimacy", "integrity"):
        sliders[f"ccsim-param-A-{name}"].v_model = 0.95
        rc.find(v.Btn, class_="ccsim-step").widget.click()
    assert "more than an address can hold" in shown_note(rc)
