"""The class pages (ccsim.classroom): the facilitator's projector view, each team's view, and
the page to start or join a room.  Reached by the address (ccsim.ui.site): ``?class`` the
start page, ``?room=CODE`` the join page, ``?room=CODE&key=KEY`` the facilitator,
``?room=CODE&team=N&token=T`` a team.

Every session of the server shares one ccsim.classroom.room.Classroom, kept in the SQLite
file ``$CCSIM_CLASSROOM_DB`` (default ~/.ccsim/classroom.sqlite3).  Each page looks at its
room as soon as a page of this server has changed a room (``changed``) and at least every
second (``POLL``), and redraws when a quarter has passed, a team has joined or the reveal
has opened.  Team names are shown as text, never as HTML.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import reacton.ipyvuetify as rv
import solara

from ccsim.params import CULTURE_TRAITS
from ccsim.ui import words

POLL = 1.0        # seconds between a page's looks at its room
DOUBLE_CLICK = 1.0   # seconds after an advance in which another click on Advance is ignored
DB = "CCSIM_CLASSROOM_DB"
DEBRIEF = (
    "Which firm's staff held back most concerns, and what did its leaders miss because of it?",
    "Which ideas shipped and hurt customers? Who tested them first, or tracked them after?",
    "Where did each firm's lost customers go, and why there?",
    "Culture moved a little each quarter: when did your early choices start to show in customers?",
)
_classroom = None
_lock = threading.Lock()
_changed = threading.Condition()


def changed():
    """Wake every page's look at its room (after a join, an advance, the reveal)."""
    with _changed:
        _changed.notify_all()


def classroom():
    """The server's Classroom (made at the first class page, so the app starts without Mesa)."""
    global _classroom
    with _lock:
        if _classroom is None:
            from ccsim.classroom.room import Classroom

            _classroom = Classroom(os.environ.get(DB) or Path.home() / ".ccsim" / "classroom.sqlite3")
        return _classroom


def link(**query) -> str:
    return "?" + urlencode(query)


def use_room(code: str) -> tuple:
    """The room's (quarter, teams, revealed), looked at in a thread when ``changed`` wakes
    it and at least every POLL seconds."""
    from ccsim.classroom import RoomError

    def look():
        try:
            status = classroom().status(code)
            return status["quarter"], tuple(status["teams"]), status["revealed"]
        except RoomError:
            return ()

    seen = solara.use_reactive(solara.use_memo(look, [code]))

    def poll(cancel: threading.Event):
        while not cancel.is_set():
            now = look()
            if now != seen.value:
                seen.value = now
            with _changed:
                _changed.wait(POLL)

    solara.use_thread(poll, dependencies=[code], intrusive_cancel=False)
    return seen.value


@solara.component
def ClassPage(query: dict):
    """The class page the address asks for."""
    code = query.get("room", "")
    if code and "key" in query:
        Facilitator(code, query["key"])
    elif code and "team" in query and "token" in query:
        Team(code, query["team"], query["token"])
    else:
        Lobby(code)


@solara.component
def Lobby(code: str):
    """Start a room (the facilitator) or join one (a team)."""
    router = solara.use_router()
    error = solara.use_reactive("")
    joining = solara.use_reactive(code)
    name = solara.use_reactive("")
    quarters = solara.use_reactive(8)

    def act(action):
        from ccsim.classroom import RoomError

        try:
            router.push(action())
        except RoomError as refused:
            error.value = str(refused)

    def start():
        made, key = classroom().create(quarters=quarters.value)
        return link(room=made, key=key)

    def join():
        room = joining.value.strip().upper()
        team, token = classroom().join(room, name.value)
        changed()
        return link(room=room, team=team, token=token)

    with solara.Column(classes=["ccsim", "ccsim-class"], style={"padding": "16px", "max-width": "640px"}):
        solara.Markdown("## Class mode: one market, every team leads a firm")
        with solara.Card("Join a room"):
            solara.InputText("Room code", value=joining, continuous_update=True, classes=["ccsim-join-code"])
            solara.InputText("Team name", value=name, continuous_update=True, classes=["ccsim-join-name"])
            solara.Button("Join", on_click=lambda: act(join), color="primary", classes=["ccsim-join"])
        with solara.Card("Start a room (facilitator)"):
            solara.InputInt("Quarters to play", value=quarters, classes=["ccsim-quarters"])
            solara.Button("Start a room", on_click=lambda: act(start), classes=["ccsim-start"])
        if error.value:
            solara.Error(error.value, classes=["ccsim-error"])


@solara.component
def Facilitator(code: str, key: str):
    """The projector: the join code, the clock, the race, the leaderboard and events."""
    from ccsim.classroom import RoomError

    room = classroom()
    seen = use_room(code)
    error = solara.use_reactive("")
    busy = solara.use_reactive(False)
    show_link = solara.use_reactive(False)
    advanced = solara.use_ref(0.0)        # when the last advance ended
    try:
        quarters = room.facilitator(code, key).settings["quarters"]
    except RoomError as refused:
        solara.Error(str(refused), classes=["ccsim-error"])
        return
    quarter, teams, revealed = seen

    def advance():
        """Advance, but not on the second click of a double click (it would arrive once the
        first is done, on a button that already offers the next quarter)."""
        if time.monotonic() - advanced.current > DOUBLE_CLICK:
            room.advance(code, key)
            advanced.current = time.monotonic()

    def guarded(action):
        def run():
            busy.value = True
            try:
                action()
                changed()
                error.value = ""
            except RoomError as refused:
                error.value = str(refused)
            finally:
                busy.value = False
        return run

    big = 96 if quarter == 0 else 40      # the code matters less once the game is under way
    with solara.Column(classes=["ccsim", "ccsim-class", "ccsim-facilitator"], style={"padding": "12px 20px"}):
        with solara.Row(style={"align-items": "center", "gap": "32px"}):
            rv.Html(tag="div", children=[code], class_="ccsim-joincode",
                    style_=f"font-size: {big}px; font-weight: 700; letter-spacing: 0.1em; font-family: monospace")
            with solara.Column(gap="4px"):
                rv.Html(tag="div", children=[f"Quarter {quarter} of {quarters}"], class_="ccsim-quarter",
                        style_="font-size: 32px")
                rv.Html(tag="div", children=["Teams join on this app's page with ?class, the code and a name."])
                rv.Html(tag="div", children=[f"Teams: {len(teams)}"], class_="ccsim-teams")
        Names(teams)
        with solara.Row(style={"align-items": "center"}):
            solara.Button(f"Advance to quarter {quarter + 1}", classes=["ccsim-advance"], color="primary",
                          disabled=busy.value or quarter >= quarters or not teams,
                          on_click=guarded(advance))
            solara.Button("Open the reveal", classes=["ccsim-open-reveal"], disabled=revealed,
                          on_click=guarded(lambda: room.open_reveal(code, key)))
            if quarter:
                solara.FileDownload(lambda: room.export_csv(code, key), f"class-{code}.csv", label="CSV")
                solara.FileDownload(lambda: room.race_png(code), f"class-{code}-race.png", label="PNG")
            solara.Button("Hide my link" if show_link.value else "My link", text=True,
                          on_click=lambda: show_link.set(not show_link.value))
        if show_link.value:   # not on the projector by default: it holds the key
            rv.Html(tag="div", children=[f"Your link, to come back to this room (keep it private): "
                                         f"{link(room=code, key=key)}"], style_="font-size: 12px; color: #555")
        if error.value:
            solara.Error(error.value, classes=["ccsim-error"])
        if revealed:
            Reveal(code)
        if quarter:
            with solara.Row(style={"align-items": "flex-start"}):
                with solara.Column(style={"flex": "3", "min-width": "0"}):
                    Race(code, quarter)
                with solara.Column(style={"flex": "2", "min-width": "0"}):
                    Table(room.leaderboard(code), "ccsim-leaderboard")
                    Events(room.events(code))


@solara.component
def Names(teams: tuple):
    with solara.Row(classes=["ccsim-team-names"], style={"flex-wrap": "wrap"}):
        for name in teams:
            rv.Chip(children=[name])


@solara.component
def Race(code: str, quarter: int):
    """The market-share race as the PNG export draws it (redrawn once a quarter)."""
    png = solara.use_memo(lambda: classroom().race_png(code), [code, quarter])
    solara.Image(png, width="100%", classes=["ccsim-race"])


def _cell(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
    return str(value)


@solara.component
def Table(df, css: str):
    """A DataFrame as a plain table; every cell is text, not HTML."""
    with rv.SimpleTable(class_=css):
        with rv.Html(tag="thead"):
            with rv.Html(tag="tr"):
                for column in df.columns:
                    rv.Html(tag="th", children=[column.replace("_", " ")])
        with rv.Html(tag="tbody"):
            for row in df.itertuples(index=False):
                with rv.Html(tag="tr"):
                    for value in row:
                        rv.Html(tag="td", children=[_cell(value)])


@solara.component
def Events(events: list):
    with solara.Column(gap="0px", classes=["ccsim-events"]):
        for week, text in events[-12:]:
            rv.Html(tag="div", children=[f"week {week}: {text}"])


@solara.component
def Reveal(code: str):
    """The debrief: per firm its levers and what its culture did; the questions."""
    solara.Markdown("### The reveal")
    Table(classroom().reveal(code), "ccsim-reveal")
    with rv.Html(tag="ol"):
        for question in DEBRIEF:
            rv.Html(tag="li", children=[question])


@solara.component
def Team(code: str, team: str, token: str):
    """A team's view: its own firm, its culture, the levers for the coming quarter."""
    from ccsim.classroom import RoomError

    room = classroom()
    seen = use_room(code)
    error = solara.use_reactive("")
    saved = solara.use_reactive(0)        # the quarter the team's levers were last set for
    moved = solara.use_reactive({})       # the sliders moved since the page was drawn
    if not seen:
        solara.Error(f"No room with the code {code[:12]}.", classes=["ccsim-error"])
        return
    quarter, _, revealed = seen
    try:
        mine = room.dashboard(code, int(team) if str(team).isdigit() else -1, token)
    except RoomError as refused:
        solara.Error(str(refused), classes=["ccsim-error"])
        return
    aims = {**mine["aim"], **moved.value}

    def submit():
        try:
            to = room.set_levers(code, int(team), token, aims)
            saved.value, error.value = to, ""
        except RoomError as refused:
            saved.value, error.value = 0, str(refused)

    with solara.Column(classes=["ccsim", "ccsim-class", "ccsim-team"], style={"padding": "12px 20px"}):
        rv.Html(tag="h2", children=[mine["name"]], class_="ccsim-team-name")
        rv.Html(tag="div", children=[f"Room {code} · quarter {quarter} of {mine['quarters']}"],
                class_="ccsim-quarter")
        weeks = mine["weeks"]
        if len(weeks):
            ends = weeks[weeks.week % 13 == 0].assign(quarter=lambda d: d.week // 13)
            Table(ends[["quarter", "customers", "share", "nps", "cash", "morale", "employee_voice"]],
                  "ccsim-dashboard")
        if quarter < mine["quarters"]:
            rv.Html(tag="div", children=[f"Your culture for quarter {quarter + 1}. It moves at most 0.1 a "
                                         "quarter toward what you set: culture takes time to change."])
            for name in CULTURE_TRAITS:
                with solara.Row(style={"align-items": "center"}, classes=[f"ccsim-lever-{name}"]):
                    solara.SliderFloat(words.label(name), value=aims[name], min=0, max=1, step=0.05,
                                       on_value=lambda v, name=name: moved.set({**moved.value, name: v}))
                    rv.Html(tag="span", children=[f"now {mine['culture'][name]:.2f}"])
            solara.Button(f"Set for quarter {quarter + 1}", on_click=submit, color="primary",
                          classes=["ccsim-set-levers"])
        if saved.value == quarter + 1:
            rv.Html(tag="div", children=[f"Set for quarter {saved.value}."], class_="ccsim-saved")
        if error.value:
            solara.Error(error.value, classes=["ccsim-error"])
        if revealed:
            Reveal(code)
