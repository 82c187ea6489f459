"""The class pages (ccsim.classroom): the facilitator's projector view, each team's view, and
the page to start or join a room.  Reached by the address (ccsim.ui.site): ``?class`` the
start page, ``?room=CODE`` the join page, ``?room=CODE&key=KEY`` the facilitator,
``?room=CODE&team=N&token=T`` a team.

Every session of the server shares one ccsim.classroom.room.Classroom, kept in the SQLite
file ``$CCSIM_CLASSROOM_DB`` (default ~/.ccsim/classroom.sqlite3), and one thread that runs
the rooms' clocks (Classroom.run_clock).  Each page looks at its room as soon as a page of
this server or the clock has changed a room (``changed``) and at least every second
(``POLL``), and redraws when a quarter has passed, a team has joined, the reveal has opened
or the clock has started or stopped; a countdown redraws itself every second.  A page
checks its code and key or token once, against the client's address (the guessing limit).
Team names are shown as text, never as HTML.
"""

from __future__ import annotations

import math
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
PERIODS = ("30 s", "1 min", "2 min", "3 min")    # the clock's choices (room.CLOCK_PERIODS), as shown
CONFIRM = {
    "reset": "Reset room {code} to quarter 0? The teams stay and keep their links; every quarter played "
             "and every lever set is lost; the clock stops.",
    "delete": "Delete room {code}? The room, its teams and everything they set are erased; every link to "
              "it stops working.",
}
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
            threading.Thread(target=_classroom.run_clock, args=(threading.Event(), changed), daemon=True,
                             name="ccsim-class-clock").start()
        return _classroom


def address() -> str | None:
    """The client's address (the websocket's peer), None outside a server (a test)."""
    from solara.server import kernel_context

    try:
        sockets = kernel_context.get_current_context().kernel.session.websockets
    except Exception:          # no server, no kernel
        return None
    for socket in list(sockets):
        client = getattr(getattr(socket, "ws", None), "client", None)
        if client is not None:
            return str(client.host)
    return None


def link(**query) -> str:
    return "?" + urlencode(query)


def use_room(code: str) -> tuple:
    """The room's (quarter, quarters, teams, revealed, firms, next quarter's time) or ()
    if there is no such room, looked at in a thread when ``changed`` wakes it and at least
    every POLL seconds; and a function that looks at once (after the page changed it)."""
    from ccsim.classroom import RoomError

    def look():
        try:
            status = classroom().status(code)
            return (status["quarter"], status["quarters"], tuple(status["teams"]), status["revealed"],
                    status["firms"], status["next"])
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
    return seen.value, lambda: seen.set(look())


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
    firms = solara.use_reactive(6)

    def act(action):
        from ccsim.classroom import RoomError

        try:
            router.push(action())
        except RoomError as refused:
            error.value = str(refused)

    def start():
        made, key = classroom().create(quarters=quarters.value, firms=firms.value)
        return link(room=made, key=key)

    def join():
        room = joining.value.strip().upper()
        team, token = classroom().join(room, name.value, address())
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
            solara.InputInt("Firms in the market (the most teams that can play)", value=firms,
                            classes=["ccsim-firms"])
            rv.Html(tag="div", children=["A firm no team leads keeps the starting culture; a team that comes "
                                         "late takes over a free firm."], style_="font-size: 13px")
            solara.Button("Start a room", on_click=lambda: act(start), classes=["ccsim-start"])
        if error.value:
            solara.Error(error.value, classes=["ccsim-error"])


def use_checked(check, code: str, secret: str) -> str:
    """Check a page's code and key or token once (``check(address)`` raises RoomError), not
    at every redraw: a wrong one counts once against the client's address.  The refusal, or
    ""."""
    from ccsim.classroom import RoomError

    def run():
        try:
            check(address())
            return ""
        except RoomError as refused:
            return str(refused)

    return solara.use_memo(run, [code, secret])


@solara.component
def Facilitator(code: str, key: str):
    """The projector: the join code, the clock, the race, the leaderboard and events."""
    from ccsim.classroom import RoomError
    from ccsim.classroom.room import CLOCK_PERIODS

    room = classroom()
    refused = use_checked(lambda at: room.facilitator(code, key, at), code, key)
    seen, look = use_room(code)
    error = solara.use_reactive("")
    busy = solara.use_reactive(False)
    show_link = solara.use_reactive(False)
    period = solara.use_reactive(PERIODS[1])
    confirming = solara.use_reactive("")  # "reset" or "delete" while the page asks
    advanced = solara.use_ref(0.0)        # when the last advance ended
    if refused:
        solara.Error(refused, classes=["ccsim-error"])
        return
    if not seen:
        rv.Html(tag="h2", children=[f"Room {code} is gone (deleted)."], class_="ccsim-gone")
        rv.Html(tag="a", children=["Start a new room"], attributes={"href": "?class"})
        return
    quarter, quarters, teams, revealed, firms, next_at = seen

    def advance():
        """Advance to the quarter the button offers, and not on the second click of a double
        click (it would arrive once the first is done, on a button that offers the next)."""
        if time.monotonic() - advanced.current > DOUBLE_CLICK:
            room.advance(code, key, quarter + 1)
            advanced.current = time.monotonic()

    def guarded(action):
        def run():
            busy.value = True
            try:
                action()
                look()            # this page redraws with the room as the action left it
                changed()
                error.value = ""
            except RoomError as refused:
                error.value = str(refused)
            finally:
                busy.value = False
        return run

    def confirmed():
        (room.reset if confirming.value == "reset" else room.delete)(code, key)
        confirming.value = ""

    over = quarter >= quarters
    big = 96 if quarter == 0 else 40      # the code matters less once the game is under way
    with solara.Column(classes=["ccsim", "ccsim-class", "ccsim-facilitator"], style={"padding": "12px 20px"}):
        with solara.Row(style={"align-items": "center", "gap": "32px"}):
            rv.Html(tag="div", children=[code], class_="ccsim-joincode",
                    style_=f"font-size: {big}px; font-weight: 700; letter-spacing: 0.1em; font-family: monospace")
            with solara.Column(gap="4px"):
                rv.Html(tag="div", children=[f"Quarter {quarter} of {quarters}"], class_="ccsim-quarter",
                        style_="font-size: 32px")
                rv.Html(tag="div", children=["Teams join on this app's page with ?class, the code and a name."])
                rv.Html(tag="div", children=[f"Teams: {len(teams)} of {firms} firms"], class_="ccsim-teams")
            if next_at is not None and not over:
                Countdown(next_at, 72)
        Names(teams)
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(f"Advance to quarter {quarter + 1}", classes=["ccsim-advance"], color="primary",
                          disabled=busy.value or over or not teams, on_click=guarded(advance))
            if next_at is None:
                solara.ToggleButtonsSingle(value=period, values=list(PERIODS), classes=["ccsim-period"])
                solara.Button(f"Start the clock: a quarter every {period.value}", classes=["ccsim-clock"],
                              disabled=busy.value or over or not teams,
                              on_click=guarded(lambda: room.start_clock(code, key,
                                                                        CLOCK_PERIODS[PERIODS.index(period.value)])))
            else:
                solara.Button("Pause the clock", classes=["ccsim-clock"],
                              on_click=guarded(lambda: room.pause_clock(code, key)))
            solara.Button("Open the reveal", classes=["ccsim-open-reveal"], disabled=revealed,
                          on_click=guarded(lambda: room.open_reveal(code, key)))
            if quarter:
                solara.FileDownload(lambda: room.export_csv(code, key), f"class-{code}.csv", label="CSV")
                solara.FileDownload(lambda: room.race_png(code), f"class-{code}-race.png", label="PNG")
            solara.Button("Hide my link" if show_link.value else "My link", text=True,
                          on_click=lambda: show_link.set(not show_link.value))
            solara.Button("Reset the room", text=True, classes=["ccsim-reset"],
                          on_click=lambda: confirming.set("reset"))
            solara.Button("Delete the room", text=True, classes=["ccsim-delete"],
                          on_click=lambda: confirming.set("delete"))
        if confirming.value:
            Confirm(CONFIRM[confirming.value].format(code=code), guarded(confirmed),
                    lambda: confirming.set(""))
        if show_link.value:   # not on the projector by default: it holds the key
            rv.Html(tag="div", children=[f"Your link, to come back to this room (keep it private): "
                                         f"{link(room=code, key=key)}"], style_="font-size: 12px; color: #555")
        if error.value:
            solara.Error(error.value, classes=["ccsim-error"])
        if revealed:
            Reveal(code, quarter)
        if quarter:
            # the race and the leaderboard side by side, shared as custom.css says for the width
            with solara.Row(classes=["ccsim-board"], style={"align-items": "flex-start"}):
                with solara.Column(classes=["ccsim-board-race"], style={"min-width": "0"}):
                    Race(code, quarter, teams)
                with solara.Column(classes=["ccsim-board-table"], style={"min-width": "0"}):
                    Table(room.leaderboard(code), "ccsim-leaderboard")
                    Events(room.events(code))


@solara.component
def Confirm(question: str, yes, no):
    """A question and two buttons: do it, or not."""
    with solara.Card(classes=["ccsim-confirm-card"]):
        rv.Html(tag="div", children=[question], class_="ccsim-confirm-question", style_="font-size: 18px")
        with solara.Row():
            solara.Button("Yes, do it", color="error", classes=["ccsim-confirm"], on_click=yes)
            solara.Button("No, keep the room", classes=["ccsim-cancel"], on_click=no)


@solara.component
def Countdown(next_at: float, size: int):
    """The time to the next quarter, m:ss in large type, redrawn every second by a thread of
    its own (the rest of the page is not redrawn)."""
    left = solara.use_reactive(max(0, math.ceil(next_at - time.time())))

    def count(cancel: threading.Event):
        while not cancel.is_set():
            left.value = max(0, math.ceil(next_at - time.time()))
            cancel.wait(max(0.05, (next_at - time.time()) % 1.0 or 1.0))

    solara.use_thread(count, dependencies=[next_at], intrusive_cancel=False)
    text = f"Next quarter in {left.value // 60}:{left.value % 60:02d}" if left.value else "Next quarter: now"
    rv.Html(tag="div", children=[text], class_="ccsim-countdown",
            style_=f"font-size: {size}px; font-weight: 700; font-variant-numeric: tabular-nums")


@solara.component
def Names(teams: tuple):
    with solara.Row(classes=["ccsim-team-names"], style={"flex-wrap": "wrap"}):
        for name in teams:
            rv.Chip(children=[name])


@solara.component
def Race(code: str, quarter: int, teams: tuple):
    """The market-share race as the PNG export draws it (redrawn once a quarter, and when a
    team joins: its firm takes its name)."""
    from ccsim.classroom import RoomError

    def draw():
        try:
            return classroom().race_png(code)
        except RoomError:     # reset or deleted since the page last looked: it redraws at once
            return None

    png = solara.use_memo(draw, [code, quarter, teams])
    if png:
        solara.Image(png, width="100%", classes=["ccsim-race"])


def _cell(value) -> str:
    """A value as a table shows it: millions (a large room's cash) as 1.81M, so that a
    phone's column holds them."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, float):
        if abs(value) >= 1e6:
            return f"{value / 1e6:,.2f}M"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
    return str(value)


@solara.component
def Table(df, css: str):
    """A DataFrame as a plain table; every cell is text, not HTML, and carries its column's
    name (``data-label``: a phone shows the reveal's and the leaderboard's rows as cards, a
    name beside each value)."""
    labels = [column.replace("_", " ") for column in df.columns]
    with rv.SimpleTable(class_=css):
        with rv.Html(tag="thead"):
            with rv.Html(tag="tr"):
                for label in labels:
                    rv.Html(tag="th", children=[label])
        with rv.Html(tag="tbody"):
            for row in df.itertuples(index=False):
                with rv.Html(tag="tr"):
                    for label, value in zip(labels, row):
                        rv.Html(tag="td", children=[_cell(value)], attributes={"data-label": label})


@solara.component
def Events(events: list):
    with solara.Column(gap="0px", classes=["ccsim-events"]):
        for week, text in events[-12:]:
            rv.Html(tag="div", children=[f"week {week}: {text}"])


@solara.component
def Reveal(code: str, quarter: int):
    """The debrief: per firm its levers and what its culture did, where its lost customers
    went (a chart, redrawn once a quarter); the questions.  The page gets the chart twice,
    for a projector and for a phone, and its style (custom.css) shows the one that fits."""
    solara.Markdown("### The reveal")
    Table(classroom().reveal(code), "ccsim-reveal")
    pngs = solara.use_memo(lambda: [classroom().lost_png(code, narrow) for narrow in (False, True)]
                           if quarter else [], [code, quarter])
    for png, fits in zip(pngs, ("ccsim-lost-wide", "ccsim-lost-narrow")):
        solara.Image(png, classes=["ccsim-lost", fits])
    rv.Html(tag="h3", children=["Questions for the debrief"], class_="ccsim-debrief-title")
    with rv.Html(tag="ol", class_="ccsim-debrief"):
        for question in DEBRIEF:
            rv.Html(tag="li", children=[question])


@solara.component
def Team(code: str, team: str, token: str):
    """A team's view: its own firm, its culture, the levers for the coming quarter."""
    from ccsim.classroom import RoomError

    room = classroom()
    number = int(team) if str(team).isdigit() else -1
    refused = use_checked(lambda at: room.team(code, number, token, at), code, f"{team}/{token}")
    seen, _ = use_room(code)
    error = solara.use_reactive("")
    saved = solara.use_reactive(0)        # the quarter the team's levers were last set for
    moved = solara.use_reactive({})       # the sliders moved since the page was drawn
    if refused:
        solara.Error(refused, classes=["ccsim-error"])
        return
    if not seen:
        solara.Error(f"No room with the code {code[:12]} (the facilitator may have deleted it).",
                     classes=["ccsim-error"])
        return
    quarter, _, _, revealed, _, next_at = seen
    try:
        mine = room.dashboard(code, number, token)
    except RoomError as refused:
        solara.Error(str(refused), classes=["ccsim-error"])
        return
    aims = {**mine["aim"], **moved.value}

    def submit():
        try:
            to = room.set_levers(code, number, token, aims)
            saved.value, error.value = to, ""
        except RoomError as refused:
            saved.value, error.value = 0, str(refused)

    with solara.Column(classes=["ccsim", "ccsim-class", "ccsim-team"], style={"padding": "12px 20px"}):
        rv.Html(tag="h2", children=[mine["name"]], class_="ccsim-team-name")
        rv.Html(tag="div", children=[f"Room {code} · quarter {quarter} of {mine['quarters']}"],
                class_="ccsim-quarter")
        if mine["joined"]:
            rv.Html(tag="div", children=[f"Your team took over this firm after quarter {mine['joined']}; until "
                                         "then it ran on the starting culture."], class_="ccsim-late")
        if next_at is not None and quarter < mine["quarters"]:
            Countdown(next_at, 44)
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
            Reveal(code, quarter)
