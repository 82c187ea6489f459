"""The class pages rendered with Solara's test helpers (no browser): the address picks the
page (the class pages, or the app as before), and each page checks its key or token."""

import ipyvuetify as v
import solara
from solara.routing import Router, router_context

from ccsim.classroom.room import Classroom
from ccsim.ui import classroom, site
from ccsim.ui.widgets import EChart


@solara.component
def Linked(search: str):
    router_context.provide(Router(f"/?{search}", []))
    return site.Page()


def render(search: str):
    return solara.render(Linked(search), handle_error=False)


def texts(rc, css: str) -> list[str]:
    return [w.children[0] for w in rc.find(v.Html, class_=css).widgets]


def test_the_address_picks_the_page(tmp_path, monkeypatch):
    monkeypatch.setattr(classroom, "_classroom", Classroom(tmp_path / "r.db"))
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
