"""The browser app (Solara): a live demo a trainer can run and a class can share.

Every browser session builds its own Session (ccsim.ui.session) on its first render, so
what one student does never shows in another's.  The page is plain Solara with its own
components (no SolaraViz); charts are drawn in the browser by echarts and get only the
new data each week.  Its style is ccsim/assets/custom.css, which Solara puts in the page's
head.  Start it with ``ccsim ui``.
"""

from __future__ import annotations

import base64
import threading
import time

import reacton.ipyvuetify as rv
import solara

from ccsim.metrics import METRICS
from ccsim.params import CULTURE_TRAITS, GROUPS, PARAMS
from ccsim.ui import charts, handout, query, session, words
from ccsim.ui.session import Session, catalogue, culture_of, new_seed, presets
from ccsim.ui.widgets import Download, EChart, Keys, Readout, UrlSync
from ccsim.ui.words import story_html

title = "ccsim: culture versus customers"   # the browser tab's (Solara reads a page module's title)
SPEEDS = {"1/s": 1, "5/s": 5, "20/s": 20, "50/s": 50}   # weeks per second
DEFAULT_SPEED = "5/s"
SEEDS = (5, 10, 20, 40)   # seeds a side may run for the band of "Other seeds"
DEFAULT_SEEDS = 10
MONITORS = ("nps", "customers", "cash")   # presenter mode's big numbers
REDRAW_GAP = 0.18     # s: while playing, the page is redrawn at most about 5 times a second
PATIENCE = 2.0        # s: while playing, a week is sent even if the browser has not said it drew the last
BAND_COLUMNS = [p.metrics[0].name for p in charts.PANELS if len(p.metrics) == 1]
LATE = 1.0            # s: Play further behind its timetable than this starts a new one (no rush of weeks)


class Timetable:
    """Play's clock: week k of a run of play is due at ``start + k / rate``, whatever the
    weeks before cost, so a slow render or a late wake-up does not slow the clock and the
    weeks keep a steady cadence (sleeping 1/rate after each week drifts by each week's
    cost).  A machine too slow for the rate falls behind; more than LATE seconds behind, the
    timetable starts again from now instead of rushing to catch up.  A new speed starts a
    new timetable."""

    def __init__(self, rate: float, now: float):
        self.restart(rate, now)

    def restart(self, rate: float, now: float):
        self.rate, self.start, self.weeks = rate, now, 0

    def wait(self, rate: float, now: float) -> float:
        """Seconds from ``now`` until the next week is due, once a week has been stepped."""
        if rate != self.rate:
            self.restart(rate, now)
        self.weeks += 1
        due = self.start + self.weeks / self.rate
        if now - due > LATE:
            self.start, self.weeks, due = now, 1, now + 1 / rate
        return max(0.0, due - now)


class Live:
    """Per-session state.  Each week the ``sinks`` (registered by the charts, the week
    readout, the monitors and the address) write straight into their widgets, so a step
    re-renders no component.  What the controls show is split into reactive parts (the run,
    the story, each side's values, compare mode, the marks, the models, the link);
    ``changed`` sets each part whose value changed, so a part that did not change costs a
    comparison and re-renders nothing."""

    def __init__(self, session: Session, present: bool = False):
        self.session = session
        self.sinks: dict[str, object] = {}
        self.run = solara.reactive(())
        self.started = solara.reactive(False)
        self.moved = solara.reactive(False)
        self.note = solara.reactive(None)      # the note on the last move (None: no move yet)
        self.story = solara.reactive("")
        self.values = {"A": solara.reactive(()), "B": solara.reactive(())}
        self.pair = solara.reactive(())
        self.marks = solara.reactive(())
        self.models = solara.reactive(())
        self.link = solara.reactive("")
        self.playing = solara.reactive(False)
        self.speed = solara.reactive(DEFAULT_SPEED)
        self.present = solara.reactive(present)
        self.png = solara.reactive(0)
        self.error = solara.reactive("")
        self.seeds = solara.reactive(0)        # asks for the band of other seeds (a count of asks)
        self.seed_count = solara.reactive(DEFAULT_SEEDS)   # seeds a side runs for it
        self.progress = solara.reactive(())    # how far the other seeds are: (runs done, runs), or ()
        self.pinned = solara.reactive(-1)      # the week a link should open at (-1: week 0)
        self.dragging: set[tuple[str, str]] = set()   # sliders held down: a drag is one move
        self.stepping = threading.Lock()   # held while Play steps a week and sends it
        self.chart = None        # the charts' widget, whose ``drawn`` paces Play's redraws
        self.sent = (-1, 0.0)    # the week last sent to the page, and when
        self.unsent = False      # Play stepped weeks the page has not been sent yet
        self.changed()

    def changed(self):
        """Tell the page that the run moved on (called after every step and change; while
        playing, only for the weeks ``due``)."""
        s = self.session
        self.sent, self.unsent = (s.week, time.perf_counter()), False
        for push in list(self.sinks.values()):
            push()
        with s.lock:
            b = s.model_b is not None
            parts = [
                (self.run, (s.seed, s.running, tuple(
                    f"{side + ': ' if b else ''}cash ran out in week {m.perished_week}"
                    for side, m in s._sides() if m.perished))),
                (self.started, s.week > 0),
                (self.moved, bool(s.changes)),
                (self.note, s.changes[-1].note if s.changes else None),
                (self.story, s.preset),
                (self.values["A"], tuple(s.current("A").items())),
                (self.values["B"], tuple(s.current("B").items()) if b else ()),
                (self.pair, (s.compare, s.label_b(), s.twins()) if b else (None, None, False)),
                (self.marks, tuple(s.key(notes=False))),
                (self.models, (s.preset, s.compare, s.built["A"], s.built["B"], s.scenario.steps)),
                (self.link, query.encode(s.preset, s.seed, s.start, s.compare, s.culture_b, s.changes,
                                         s.scenario.params, culture_of(s.compare) if s.compare else {},
                                         present=self.present.value)),
            ]
        for reactive, value in parts:
            # most weeks nothing here changes: a plain comparison (in C) skips Solara's own,
            # which walks the values in Python (about 1.3 ms a week with two cultures)
            if reactive.peek() != value:
                reactive.value = value

    def step(self):
        self.session.step()
        self.changed()

    def play(self, cancel: threading.Event):
        """Step while playing, at the chosen speed on a fixed timetable (Timetable); stop at the
        preset's run length once.  The model keeps the speed; the page is sent the latest
        week only when it is ``due``, so a slow browser (or twenty on one machine) skips weeks
        instead of slowing the run, and no updates queue up behind a click on Pause."""
        s = self.session
        stop_at = s.scenario.steps if s.week < s.scenario.steps else None
        clock = Timetable(self.rate(), time.perf_counter())
        while s.running:
            with self.stepping:
                if cancel.is_set() or not self.playing.value:
                    break
                s.step()
                self.unsent = True
                if self.due():
                    self.changed()
            if stop_at is not None and s.week >= stop_at:
                break
            cancel.wait(clock.wait(self.rate(), time.perf_counter()))
        with self.stepping:
            self.flush()
            self.playing.value = False

    def rate(self) -> float:
        """The chosen speed, in weeks a second."""
        return SPEEDS.get(self.speed.value, SPEEDS[DEFAULT_SPEED])

    def due(self) -> bool:
        """Whether Play should send the week now: the browser has drawn the week sent
        last (or has been silent for PATIENCE seconds) and the last redraw is REDRAW_GAP
        seconds old."""
        week, at = self.sent
        ago = time.perf_counter() - at
        drawn = self.chart is None or self.chart.drawn >= week
        return ago >= REDRAW_GAP and (drawn or ago >= PATIENCE)

    def flush(self):
        """Send the week Play stepped last, if it has not been sent."""
        if self.unsent:
            self.changed()

    def toggle(self):
        """Play, or pause once the week being stepped has been sent, so that no week is drawn
        after the button says Play again."""
        if self.playing.value:
            with self.stepping:
                self.flush()
                self.playing.value = False
        else:
            self.playing.value = True

    def move(self, name: str, value, side: str):
        """A slider let go at ``value``: a move (or, before week 1, a start value) unless
        the value is the one in force."""
        s = self.session
        try:
            value = query.check(name, value, name)
            with s.lock:
                if s.current("B" if side == "B" else "A")[name] == value:
                    return
                s.set_params({name: value}, side)
            self.error.value = ""
        except ValueError as error:
            self.error.value = str(error)
        self.changed()

    def annotate(self, text: str):
        """The trainer's note on the last move, checked like a link's."""
        try:
            note = query.clean_note(text, "note")
        except ValueError as error:
            self.error.value = str(error)
            return
        self.error.value = ""
        self.act(lambda s: s.annotate(note), stop=False)

    def act(self, action, stop: bool = True):
        """Run ``action(session)`` (pausing first unless told not to), then show the result."""
        if stop:
            self.playing.value = False
        with self.session.lock:
            action(self.session)
        self.changed()

    def press(self, key: str):
        """Presenter mode's keyboard: Space plays and pauses, the right arrow steps, Escape
        leaves presenter mode."""
        if key == "space" and self.session.running:
            self.toggle()
        elif key == "right" and not self.playing.value and self.session.running:
            self.step()
        elif key == "escape":
            self.presenting(False)

    def presenting(self, on: bool):
        """Presenter mode on or off (the address says which)."""
        self.present.value = on
        self.changed()

    def replicate(self, cancel: threading.Event):
        """The band of ``seed_count`` other seeds, in the background; ``progress`` says how
        far it is."""
        s, runs = self.session, self.seed_count.value
        total = runs * (2 if s.model_b is not None else 1)
        self.progress.value = (0, total)
        try:
            if s.replicate(runs, BAND_COLUMNS, lambda done: self.progress.set((done, total))):
                self.changed()
        finally:
            self.progress.value = ()


def use_sink(live: Live, name: str, element, push, dependencies):
    """Call ``push(widget)`` on the element's widget now and after every week, until the
    component goes away."""

    def register():
        widget = solara.get_widget(element)
        live.sinks[name] = lambda: push(widget)
        push(widget)
        return lambda: live.sinks.pop(name, None)

    solara.use_effect(register, dependencies)


def use_chart(live: Live, name: str, element, option: dict, push, key):
    """An EChart fed directly, not through its element's props (reacton would walk and
    compare the data on every render): the layout when ``key`` changes, data every week."""
    solara.use_effect(lambda: setattr(solara.get_widget(element), "option", option), [key])
    use_sink(live, name, element, push, [key])


@solara.component
def Page():
    router = solara.use_router()
    names, skipped = catalogue()

    def start():
        if not names:
            return None
        # the default preset is listed first (if its file loads)
        state = query.parse(router.search, list(names), next(iter(names)))
        culture_b = {**culture_of(state.compare), **state.culture_b} if state.compare else None
        s = Session(state.preset, seed=state.seed, start=state.start, changes=state.changes,
                    compare=state.compare, culture_b=culture_b)
        s.step(state.week)
        live = Live(s, present=state.present)
        live.error.value = "; ".join(skipped + tuple(state.notes))
        return live

    live = solara.use_memo(start, [])   # one per browser session, from its first render
    if live is None:
        solara.Error("No preset could be read, so there is nothing to run: " + "; ".join(skipped),
                     classes=["ccsim-error"])
        return
    present = live.present.value
    with solara.Column(classes=["ccsim", *(["ccsim-present"] if present else [])], gap="6px",
                       style={"padding": "8px 16px"}):
        ControlBar(live)
        Player(live)
        Notes(live)
        Link(live)
        if present:
            Keys.element(on_pressed=lambda pressed: live.press(pressed.get("key", "")))
            Monitors(live)
            Charts(live, present=True)
            ChartTools(live)
            return
        with solara.Div(classes=["ccsim-body"]):
            with solara.Div(classes=["ccsim-side"]):
                SidePanel(live)
            with solara.Div(classes=["ccsim-main"]):
                Charts(live)
                ChartTools(live)
                NetworkView(live)


@solara.component
def Player(live: Live):
    """Runs the play loop in a thread while ``playing`` is on, and the other seeds' band
    in another when asked."""
    solara.use_thread(live.play if live.playing.value else (lambda: None),
                      dependencies=[live.playing.value], intrusive_cancel=False)
    solara.use_thread(live.replicate if live.seeds.value else (lambda: None),
                      dependencies=[live.seeds.value], intrusive_cancel=False)


@solara.component
def Notes(live: Live):
    if live.error.value:
        solara.Warning(live.error.value, classes=["ccsim-error"])


@solara.component
def ControlBar(live: Live):
    running, moved = live.run.value[1], live.moved.value
    playing, present = live.playing.value, live.present.value

    names = presets()
    with solara.Row(classes=["ccsim-bar"], style={"align-items": "center", "gap": "8px"}):
        solara.Select("Preset", values=list(names), value=live.story.value,
                      on_value=lambda name: live.act(lambda s: s.choose(name)),
                      classes=["ccsim-preset"], style={"max-width": "200px"})
        solara.Button("Pause" if playing else "Play", icon_name="mdi-pause" if playing else "mdi-play",
                      color="primary", on_click=live.toggle,
                      classes=["ccsim-play"], disabled=not running,
                      attributes={"title": "Run the weeks (Space in presenter mode)"})
        solara.Button("Step", icon_name="mdi-step-forward", on_click=live.step,
                      disabled=playing or not running, classes=["ccsim-step"],
                      attributes={"title": "One week (the right arrow in presenter mode)"})
        solara.Button("Undo", icon_name="mdi-undo", on_click=lambda: live.act(Session.undo, stop=False),
                      disabled=not moved, classes=["ccsim-undo"],
                      attributes={"title": "Take back the last move: the run goes on as if it had not been made"})
        solara.Button("Reset", icon_name="mdi-restart", on_click=lambda: live.act(Session.reset),
                      classes=["ccsim-reset"],
                      attributes={"title": "Week 0, with the sliders as they are"})
        solara.Button("Replay", icon_name="mdi-replay",
                      on_click=lambda: live.act(lambda s: s.reset(keep_changes=True)),
                      classes=["ccsim-replay"],
                      attributes={"title": "Week 0, with your moves at the same weeks"})
        solara.ToggleButtonsSingle(value=live.speed, values=list(SPEEDS), classes=["ccsim-speed"], dense=True)
        Status(live)
        solara.Button("Leave" if present else "Present", icon_name="mdi-presentation",
                      on_click=lambda: live.presenting(not present), classes=["ccsim-present-button"],
                      attributes={"title": "Large charts and numbers for a room (Escape leaves)"})


@solara.component
def Status(live: Live):
    """The week and the seed, always visible."""
    s = live.session
    seed, _, perished = live.run.value
    with solara.Row(classes=["ccsim-status"], style={"align-items": "center", "gap": "6px"}):
        week = Readout.element(kind="ccsim-week")
        use_sink(live, "week", week, lambda widget: setattr(widget, "text", f"Week {s.week}"), [])
        solara.Text(f"seed {seed}", classes=["ccsim-seed"])
        solara.Button(icon_name="mdi-dice-5", on_click=lambda: live.act(lambda s: s.reset(seed=new_seed())),
                      classes=["ccsim-new-seed"], icon=True,
                      attributes={"title": "New seed: let chance play out another way"})
        for text in perished:
            solara.Text(text, classes=["ccsim-perished"])


@solara.component
def Monitors(live: Live):
    """Presenter mode: the story's one line and big live numbers (NetLogo's monitors)."""
    preset, compare = live.models.value[:2]
    solara.Text(words.plain(session.scenario(preset).story), classes=["ccsim-cue"])
    with solara.Row(classes=["ccsim-monitors"], style={"gap": "0 28px", "flex-wrap": "wrap"}):
        for side in ("A", "B") if compare else ("A",):
            Monitor(live, side, compare).key(side)


@solara.component
def Monitor(live: Live, side: str, named: bool):
    """One culture's big numbers, rewritten every week."""
    s = live.session
    readout = Readout.element(kind=f"ccsim-monitor ccsim-monitor-{side}")

    def push(widget):
        with s.lock:
            if side == "B" and s.model_b is None:
                return
            history = s.history(side)
            numbers = "   ".join(f"{METRICS[m].title} {words.amount(METRICS[m], history[m][-1])}" for m in MONITORS)
        widget.text = f"{side + ': ' if named else ''}{numbers}"

    use_sink(live, f"monitor-{side}", readout, push, [named])


@solara.component
def SidePanel(live: Live):
    """The story and the controls; in compare mode A's and B's controls first, each a tab."""
    if live.pair.value[0]:
        ComparePanel(live)
        StoryPanel(live)
        HelpPanel()
    else:
        StoryPanel(live)
        HelpPanel()
        ComparePanel(live)
        ParamPanel(live)


@solara.component
def StoryPanel(live: Live):
    scenario = session.scenario(live.story.value)
    with Panel(f"Story: {scenario.title}", expand=True, classes=("ccsim-story",)):
        solara.HTML(tag="div", unsafe_innerHTML=story_html(scenario), classes=["ccsim-info"])


@solara.component
def HelpPanel():
    with Panel("How it works, how to use it", classes=("ccsim-how",)):
        solara.HTML(tag="div", unsafe_innerHTML=words.help_html(), classes=["ccsim-info"])


@solara.component
def ComparePanel(live: Live):
    s = live.session
    compare, label_b, twins = live.pair.value
    tab, set_tab = solara.use_state(1)   # B first: its sliders are new

    def toggle(on: bool):
        def switch(s):
            if not on:
                s.set_compare(None)
                return
            try:
                s.set_compare(*s.counterpart())
            except ValueError:   # left out of the list (its file did not load)
                live.error.value = ("Compare: this preset's counterpart is not in the preset list; "
                                    "culture B starts as a copy of A")
                s.set_compare(s.preset)
        live.act(switch, stop=False)

    solara.Switch(label="Compare two cultures (same seed, same market)", value=bool(compare),
                  on_value=toggle, classes=["ccsim-compare"])
    if not compare:
        return
    with rv.Tabs(v_model=tab, on_v_model=set_tab, grow=True, class_="ccsim-tabs"):
        rv.Tab(children=[f"A: {s.preset}"], class_="ccsim-tab-A")
        rv.Tab(children=[f"B: {label_b}"], class_="ccsim-tab-B")
    if tab == 0:
        ParamPanel(live)
        return
    with solara.Div(classes=["ccsim-culture-b"]):
        solara.Select("Culture B from preset", values=list(presets()), value=compare,
                      on_value=lambda name: live.act(lambda s: s.set_compare(name), stop=False),
                      classes=["ccsim-compare-preset"])
        if twins:
            solara.Text("B is the same firm as A for now: move B's sliders, or pick B from "
                        "another preset, and watch the curves part.", classes=["ccsim-help"])
        current = dict(live.values["B"].value)
        for name in CULTURE_TRAITS:
            ParamSlider(live, name, current[name], side="B")


@solara.component
def ParamPanel(live: Live):
    """The parameters in one collapsible panel per group; a group's sliders are built only
    while it is open (a page with every slider built at once loads noticeably slower)."""
    opened, set_opened = solara.use_state([0])
    current = dict(live.values["A"].value)
    started = live.started.value
    with rv.ExpansionPanels(v_model=opened, on_v_model=set_opened, multiple=True, class_="ccsim-params"):
        for index, group in enumerate(GROUPS):
            with rv.ExpansionPanel(class_=f"ccsim-group-{group.split()[0].lower()}"):
                rv.ExpansionPanelHeader(children=[group])
                if index in opened:
                    with rv.ExpansionPanelContent():
                        for name, param in PARAMS.items():
                            if param.group == group:
                                ParamSlider(live, name, current[name],
                                            side="A" if name in CULTURE_TRAITS else "AB",
                                            disabled=started and PARAMS[name].fixed)


@solara.component
def Link(live: Live):
    """Keeps the page's address in step with the run (and at a week, when asked)."""
    s = live.session
    link = live.link.value
    sync = UrlSync.element(query=link)
    if len(link) > query.MAX_QUERY:
        solara.Warning(f"This run has {len(s.changes)} moves, more than an address can hold: the link no "
                       f"longer reproduces it. The CSV lists every move.", classes=["ccsim-error"])

    def push(widget):
        week = live.pinned.value
        widget.query = f"{link}&week={week}" if week == s.week > 0 else link

    use_sink(live, "link", sync, push, [link, live.pinned.value])


@solara.component
def Panel(title: str, expand: bool = False, classes: tuple = (), children: tuple = ()):
    """A collapsible panel whose content is built only while it is open."""
    open_, set_open = solara.use_state(expand)
    with rv.ExpansionPanels(v_model=0 if open_ else None, on_v_model=lambda v: set_open(v == 0),
                            class_=" ".join(classes)) as main:
        with rv.ExpansionPanel():
            rv.ExpansionPanelHeader(children=[title])
            if open_:
                rv.ExpansionPanelContent(children=list(children))
    return main


@solara.component
def ParamSlider(live: Live, name: str, value, side: str, disabled: bool = False):
    """One parameter as one widget: a slider labelled with its plain name and value, its
    help text under it.  A drag is one move, made when the slider is let go (Vuetify's
    ``start`` and ``end`` events); a click or a key press is one move at once."""
    lo, hi, step = query.slider_range(name)
    key = (side, name)

    def change(new):
        if key not in live.dragging:
            live.move(name, new, side)

    def let_go(_widget, _event, new):
        live.dragging.discard(key)
        live.move(name, new, side)

    prefix = "B: " if side == "B" else ""
    note = " Set before the run (Reset to change)." if disabled else ""
    slider = rv.Slider(v_model=value, on_v_model=change, min=lo, max=hi, step=step, thumb_label=True,
                       disabled=disabled, label=f"{prefix}{words.label(name)}: {words.value_text(name, value)}",
                       hint=words.help_text(name) + note, persistent_hint=True,
                       class_=f"ccsim-param ccsim-param-{side}-{name}")
    rv.use_event(slider, "start", lambda *_: live.dragging.add(key))
    rv.use_event(slider, "end", let_go)


@solara.component
def Charts(live: Live, present: bool = False):
    s = live.session
    preset, compare, built_a, built_b, weeks = live.models.value
    label_b = live.pair.value[1]
    names = {"A": preset, **({"B": label_b} if compare else {})}
    size, set_size = solara.use_state([])
    width, height = size or (900, 800)
    key = (tuple(names.items()), weeks, width, height, present)   # the preset's name gives its key charts
    chart = solara.use_memo(
        lambda: charts.layout(names, weeks, width, height, present, s.scenario.key_charts), [key])
    state = solara.use_memo(lambda: {"ranges": charts.Ranges(), "ghosts": set(), "bands": None, "sent": {}},
                            [key, built_a, built_b])
    png = live.png.value
    with s.lock:
        text = handout.png_text(s) if png else {}
    element = EChart.element(name="charts", height=f"{chart.height}px", png=png, handout=text,
                             png_name=f"{s.file_stem()}.png", on_size=set_size)

    def push(widget):
        with s.lock:
            if ("B" in names) != (s.model_b is not None):
                return   # compare mode just changed: the next render brings the new layout
            data = {side: charts.columns(s.history(side)) for side in names}
            ghosts = {f"{side}-ghost": charts.columns(g.datacollector.model_vars)
                      for side, g in s.ghosts.items() if side in names}
            data.update(ghosts)
            data.update({gone: {"week": []} for gone in state["ghosts"] - set(ghosts)})   # an undone move's
            state["ghosts"] = set(ghosts)
            if s.bands is not state["bands"] and (s.bands or state["bands"]):
                # a band is sent when it is new, and emptied when its run has changed
                data.update({f"{side}-band": charts.band(s.bands[side]) if side in s.bands else {"week": []}
                             for side in names})
            state["bands"] = s.bands
            update = charts.update(chart, s.week, weeks, data, s.marks(), state["ranges"],
                                   ghost=bool(ghosts), band=bool(s.bands), headlines=s.headlines(),
                                   tips=[f"Week {w}: {text}" for w, text in s.key()])
            widget.update = charts.changed_only(update, state["sent"])

    use_chart(live, "charts", element, chart.option, push, key)
    solara.use_effect(lambda: setattr(live, "chart", solara.get_widget(element)), [])
    return element


@solara.component
def ChartTools(live: Live):
    """Under the charts: the marks' key (a move's note is in its mark's tooltip), a note on
    the last move, the exports and the band of other seeds."""
    s = live.session
    marks = live.marks.value
    file, set_file = solara.use_state({})
    progress = live.progress.value

    def offer(**content):
        set_file(lambda old: {**content, "n": old.get("n", 0) + 1})

    def save_csv():
        with s.lock:
            text, name = handout.csv(s), f"{s.file_stem()}.csv"
        offer(name=name, type="text/csv", text=text)

    def save_pdf():
        data = base64.b64encode(handout.pdf(s)).decode()
        offer(name=f"{s.file_stem()}.pdf", url=f"data:application/pdf;base64,{data}")

    with solara.Column(gap="4px", classes=["ccsim-tools"]):
        if marks:
            solara.Text(f"Marked: {charts.mark_list(list(marks))}", classes=["ccsim-marks"])
        MoveNote(live)
        with solara.Row(style={"align-items": "center", "gap": "8px", "flex-wrap": "wrap"}):
            Download.element(file=file)
            solara.Button("CSV", icon_name="mdi-download", on_click=save_csv, classes=["ccsim-csv"],
                          attributes={"title": "The data, with every setting and move"})
            solara.Button("PNG", icon_name="mdi-image", on_click=lambda: live.png.set(live.png.value + 1),
                          classes=["ccsim-png"], attributes={"title": "A handout: the charts, story and debrief"})
            solara.Button("PDF", icon_name="mdi-file-pdf-box", on_click=save_pdf, classes=["ccsim-pdf"],
                          attributes={"title": "The handout as a PDF: the key charts, story, marks and debrief"})
            solara.Button("Link at this week", icon_name="mdi-link", classes=["ccsim-pin"],
                          on_click=lambda: live.pinned.set(s.week),
                          attributes={"title": "The address opens the run at this week"})
            seeds = live.seed_count.value
            with solara.Row(style={"align-items": "center", "gap": "8px", "flex-wrap": "nowrap"}):   # one piece
                solara.Button(f"Other seeds ({seeds})", icon_name="mdi-chart-bell-curve", classes=["ccsim-seeds"],
                              disabled=bool(progress), on_click=lambda: live.seeds.set(live.seeds.value + 1),
                              attributes={"title": f"Run {seeds} seeds in the background and shade their 95% band"})
                solara.Select("Seeds", values=list(SEEDS), value=live.seed_count, disabled=bool(progress),
                              dense=True, classes=["ccsim-seed-count"], style={"max-width": "80px"})
            if progress:
                with solara.Column(gap="0px", classes=["ccsim-progress"], style={"min-width": "180px"}):
                    solara.Text(f"Other seeds: {progress[0]} of {progress[1]} runs")
                    solara.ProgressLinear(value=100 * progress[0] / progress[1])


@solara.component
def MoveNote(live: Live):
    """The trainer's note on the last move, once there is one (shown in its mark's tooltip,
    the handouts and the link; the key under the charts shows a pencil)."""
    if live.note.value is not None:
        solara.InputText(f"A note on your last move (up to {query.MAX_NOTE} characters, Enter to keep it)",
                         value=live.note.value, on_value=live.annotate, continuous_update=False,
                         classes=["ccsim-note"])


@solara.component
def NetworkView(live: Live):
    """The customer network and the organisation of each culture (B's below A's)."""
    compare = live.models.value[1]
    show = solara.use_reactive(False)
    solara.Switch(label="Show the customer network and the organisation", value=show,
                  classes=["ccsim-network-switch"])
    if show.value:
        sides = ["A", "B"] if compare else ["A"]
        for side in sides:
            NetworkChart(live, side, side if len(sides) > 1 else "").key(side)
        legend = ", ".join(charts.LOYALTY_BIN_LABELS)
        solara.Text(f"Customers: grey = prospect, red = lost to a competitor, yellow to dark blue = "
                    f"loyalty ({legend}). Employees: blue = speaking up, grey = silent; size = morale. "
                    f"Black squares: leaders.", classes=["ccsim-help"])


@solara.component
def NetworkChart(live: Live, side: str, label: str):
    s = live.session
    built = live.models.value[2 if side == "A" else 3]
    model, key = (s.model if side == "A" else s.model_b), (built, label)
    positions = solara.use_memo(lambda: charts.network_positions(model), [key])
    option = solara.use_memo(lambda: charts.network_layout(positions, label), [key])

    def push(widget):
        with s.lock:
            widget.update = charts.network_update(model, positions)

    name = "network" if side == "A" else f"network-{side}"
    chart = EChart.element(name=name, height="420px")
    use_chart(live, name, chart, option, push, key)
    return chart
