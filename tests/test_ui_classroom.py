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
