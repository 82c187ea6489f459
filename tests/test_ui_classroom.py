"""The class pages rendered with Solara's test helpers (no browser): the address picks the
page (the class pages, or the app as before), and each page checks its key or token."""

import ipyvuetify as v
import pytest
import solara
from solara.routing import Router, router_context

from ccsim.classroom.room import Classroom
from ccsim.ui import classroom, site
from ccsim.ui.widgets import EChart


@solara.component
def Linked(search: str):
    router_context.provide(Router(f"/?{search}", []))
    return site.Page()


@pytest.fixture
def render(tmp_path, monkeypatch):
    """Render the page at ``?search``, with rooms in a file of the test's own; every page
    is closed at the end (its look at the room stops)."""
    monkeypatch.setattr(classroom, "_classroom", Classroom(tmp_path / "r.db"))
    opened = []

    def render(search: str):
        box, rc = solara.render(Linked(search), handle_error=False)
        opened.append(rc)
        return box, rc

    yield render
    for rc in opened:
        rc.close()


def texts(rc, css: str) -> list[str]:
    return [w.children[0] for w in rc.find(v.Html, class_=css).widgets]


def test_the_address_picks_the_page(render):
    box, rc = render("class")
    assert rc.find(v.Btn, class_="ccsim-start").widgets and rc.find(v.Btn, class_="ccsim-join").widgets
    code, key = classroom.classroom().create(quarters=4)
    team, token = classroom.classroom().join(code, "Red")
    box, rc = render(f"room={code}&key={key}")
    assert texts(rc, "ccsim-joincode") == [code] and texts(rc, "ccsim-quarter") == ["Quarter 0 of 4"]
    box, rc = render(f"room={code}&team={team}&token={token}")
    assert texts(rc, "ccsim-team-name") == ["Red"]
    assert len(rc.find(v.Btn, class_="ccsim-set-levers").widgets) == 1
    box, rc = render(f"room={code}&key=wrong")
    assert "facilitator key is wrong" in rc.find(v.Alert).widget.children[0]
    assert not rc.find(v.Btn, class_="ccsim-advance").widgets
    box, rc = render("preset=hippo")
    assert rc.find(EChart, name="charts").widgets          # the app, as before


def test_reset_and_delete_ask_first(render):
    room = classroom.classroom()
    code, key = room.create(quarters=2, firms=2, n_customers=200)
    room.join(code, "Red")
    room.advance(code, key)
    box, rc = render(f"room={code}&key={key}")
    rc.find(v.Btn, class_="ccsim-reset").widget.click()
    assert "Reset room" in texts(rc, "ccsim-confirm-question")[0]
    rc.find(v.Btn, class_="ccsim-cancel").widget.click()
    assert not rc.find(v.Html, class_="ccsim-confirm-question").widgets and room.status(code)["quarter"] == 1
    rc.find(v.Btn, class_="ccsim-reset").widget.click()
    rc.find(v.Btn, class_="ccsim-confirm").widget.click()
    assert room.status(code)["quarter"] == 0
    rc.find(v.Html, class_="ccsim-quarter").assert_single()
    rc.find(v.Html, class_="ccsim-quarter", children=["Quarter 0 of 2"]).wait_for(timeout=5)
    rc.find(v.Btn, class_="ccsim-delete").widget.click()
    assert "Delete room" in texts(rc, "ccsim-confirm-question")[0]
    rc.find(v.Btn, class_="ccsim-confirm").widget.click()
    assert room.store.room(code) is None
    rc.find(v.Html, class_="ccsim-gone").wait_for(timeout=5)


def test_the_clock_shows_a_countdown(render):
    room = classroom.classroom()
    code, key = room.create(quarters=2, firms=2, n_customers=200)
    team, token = room.join(code, "Red")
    box, rc = render(f"room={code}&key={key}")
    assert not rc.find(v.Html, class_="ccsim-countdown").widgets
    rc.find(v.BtnToggle).widget.v_model = 0              # "30 s", as a click in a browser sets it
    rc.find(v.Btn, class_="ccsim-clock").widget.click()
    assert room.status(code)["next"] is not None
    rc.find(v.Html, class_="ccsim-countdown").wait_for(timeout=5)
    assert texts(rc, "ccsim-countdown")[0] in ("Next quarter in 0:30", "Next quarter in 0:29")
    box, team_rc = render(f"room={code}&team={team}&token={token}")
    assert texts(team_rc, "ccsim-countdown")[0] in ("Next quarter in 0:30", "Next quarter in 0:29")
    rc.find(v.Btn, class_="ccsim-clock").widget.click()       # pause
    assert room.status(code)["next"] is None
    assert not rc.find(v.Btn, class_="ccsim-advance").widget.disabled
    assert not rc.find(v.Btn, class_="ccsim-clock").widget.disabled


def test_pages_count_wrong_keys_per_address(render, monkeypatch):
    """A page checks its key once against the client's address: GUESSES_PER_MINUTE wrong
    keys from one address, and that address is refused even with the right key."""
    from ccsim.classroom.room import GUESSES_PER_MINUTE

    room = classroom.classroom()
    code, key = room.create(quarters=2, firms=2, n_customers=200)
    monkeypatch.setattr(classroom, "address", lambda: "10.0.0.7")
    for k in range(GUESSES_PER_MINUTE):
        box, rc = render(f"room={code}&key=wrong{k}")
        assert "facilitator key is wrong" in rc.find(v.Alert).widget.children[0]
    box, rc = render(f"room={code}&key={key}")
    assert "too many wrong codes" in rc.find(v.Alert).widget.children[0]
    monkeypatch.setattr(classroom, "address", lambda: "10.0.0.8")
    box, rc = render(f"room={code}&key={key}")
    assert texts(rc, "ccsim-joincode") == [code]
