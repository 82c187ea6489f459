"""The browser app (Solara): a live demo a trainer can run and a class can share.

Every browser session builds its own Session (ccsim.ui.session) on its first render, so
what one student does never shows in another's.  The page is plain Solara with its own
components (no SolaraViz); charts are drawn in the browser by echarts and get only the
new data each week.  Its style is ccsim/assets/custom.css, which Solara puts in the page's
head.  Start it with ``ccsim ui``.
"""

from __future__ import annotations

import threading
import time
from html import escape

import reacton.ipyvuetify as rv
import solara

from ccsim.params import CULTURE_TRAITS, GROUPS, PARAMS
from ccsim.ui import charts, query, session
from ccsim.ui.session import Session, catalogue, culture_of, new_seed, presets
from ccsim.ui.widgets import Download, EChart, Readout, UrlSync

title = "ccsim: culture versus customers"   # the browser tab's (Solara reads a page module's title)
SPEEDS = {"1/s": 1, "2/s": 2, "5/s": 5, "10/s": 10, "20/s": 20, "50/s": 50}   # weeks per second
DEFAULT_SPEED = "5/s"


class Live:
    """Per-session state.  Each week the ``sinks`` (registered by the charts and the week
    readout) write straight into their widgets, so a step re-renders no component.  What
    the controls show is split into reactive parts (the run, the story, each side's values,
    compare mode, the marks, the models, the link); ``changed`` sets each, and a part that
    did not change re-renders nothing (Solara compares old and new values)."""

    def __init__(self, session: Session):
        self.session = session
        self.sinks: dict[str, object] = {}
        self.run = solara.reactive(())
        self.story = solara.reactive("")
        self.values = {"A": solara.reactive(()), "B": solara.reactive(())}
        self.pair = solara.reactive(())
        self.marks = solara.reactive(())
        self.models = solara.reactive(())
        self.link = solara.reactive("")
        self.playing = solara.reactive(False)
        self.speed = solara.reactive(DEFAULT_SPEED)
        self.png = solara.reactive(0)
        self.error = solara.reactive("")
        self.chart = None        # the charts' widget, whose ``drawn`` paces Play
        self.changed()

    def changed(self):
        """Tell the page that the run moved on (called after every step and change)."""
        s = self.session
        for push in list(self.sinks.values()):
            push()
        with s.lock:
            b = s.model_b is not None
            parts = [
                (self.run, (s.seed, s.running, s.week > 0, tuple(
                    f"{side + ': ' if b else ''}cash ran out in week {m.perished_week}"
                    for side, m in s._sides() if m.perished))),
                (self.story, s.preset),
                (self.values["A"], tuple(s.current("A").items())),
                (self.values["B"], tuple(s.current("B").items()) if b else ()),
                (self.pair, (s.compare, s.label_b(), s.twins()) if b else (None, None, False)),
                (self.marks, tuple(s.marks())),
                (self.models, (s.preset, s.compare, s.built["A"], s.built["B"])),
                (self.link, query.encode(s.preset, s.seed, s.start, s.compare, s.culture_b, s.changes,
                                         s.scenario.params, culture_of(s.compare) if s.compare else {})),
            ]
        for reactive, value in parts:
            reactive.value = value

    def step(self):
        self.session.step()
        self.changed()

    def play(self, cancel: threading.Event):
        """Step while playing, at the chosen speed; stop at the preset's run length once."""
        s = self.session
        stop_at = s.scenario.steps if s.week < s.scenario.steps else None
        while not cancel.is_set() and s.running:
            began = time.perf_counter()
            self.step()
            if stop_at is not None and s.week >= stop_at:
                break
            rate = SPEEDS.get(self.speed.value, SPEEDS[DEFAULT_SPEED])
            cancel.wait(max(0.0, 1 / rate - (time.perf_counter() - began)))
            self._wait_for_browser(cancel)
        self.playing.value = False

    def _wait_for_browser(self, cancel: threading.Event, patience: float = 2.0):
        """Let a slow browser catch up (at most one week behind), so that updates do not
        queue up and a click on Pause is not stuck behind them."""
        until = time.perf_counter() + patience
        while (self.chart is not None and self.chart.drawn < self.session.week - 1
               and not cancel.is_set() and time.perf_counter() < until):
            cancel.wait(0.005)


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
        live = Live(Session(state.preset, seed=state.seed, start=state.start, changes=state.changes,
                            compare=state.compare, culture_b=culture_b))
        live.error.value = "; ".join(skipped + tuple(state.notes))
        return live

    live = solara.use_memo(start, [])   # one per browser session, from its first render
    if live is None:
        solara.Error("No preset could be read, so there is nothing to run: " + "; ".join(skipped),
                     classes=["ccsim-error"])
        return
    with solara.Column(classes=["ccsim"], style={"padding": "8px 16px"}):
        ControlBar(live)
        Player(live)
        if live.error.value:
            solara.Warning(live.error.value, classes=["ccsim-error"])
        with solara.Row(style={"align-items": "flex-start", "gap": "18px"}):
            with solara.Column(classes=["ccsim-side"]):
                StoryPanel(live)
                HelpPanel()
                ComparePanel(live)
                ParamPanel(live)
                Link(live)
            with solara.Column(classes=["ccsim-main"]):
                Charts(live)
                NetworkView(live)


@solara.component
def Player(live: Live):
    """Runs the play loop in a thread while ``playing`` is on."""
    solara.use_thread(live.play if live.playing.value else (lambda: None),
                      dependencies=[live.playing.value], intrusive_cancel=False)


@solara.component
def ControlBar(live: Live):
    s = live.session
    _, running, _, _ = live.run.value
    playing = live.playing.value

    def choose(name):
        live.playing.value = False
        with s.lock:
            s.choose(name)
        live.changed()

    def reset(keep: bool):
        live.playing.value = False
        s.reset(keep_changes=keep)
        live.changed()

    def reseed():
        live.playing.value = False
        s.reset(seed=new_seed())
        live.changed()

    csv, set_csv = solara.use_state({})

    def save_csv():
        with s.lock:
            text, name = s.csv(), f"{s.file_stem()}.csv"
        set_csv(lambda old: {"name": name, "type": "text/csv", "text": text, "n": old.get("n", 0) + 1})

    names = presets()
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "10px"}):
        solara.Text("ccsim", style={"font-size": "28px", "font-weight": "700"})
        solara.Select("Preset", values=list(names), value=live.story.value, on_value=choose,
                      classes=["ccsim-preset"], style={"max-width": "260px"})
        solara.Button("Pause" if playing else "Play", icon_name="mdi-pause" if playing else "mdi-play",
                      color="primary", on_click=lambda: live.playing.set(not playing),
                      classes=["ccsim-play"], disabled=not running)
        solara.Button("Step", icon_name="mdi-step-forward", on_click=live.step,
                      disabled=playing or not running, classes=["ccsim-step"])
        solara.Button("Reset", icon_name="mdi-restart", on_click=lambda: reset(False), classes=["ccsim-reset"])
        solara.Button("Replay", icon_name="mdi-replay", on_click=lambda: reset(True), classes=["ccsim-replay"])
        solara.Button("New seed", icon_name="mdi-dice-5", on_click=reseed, classes=["ccsim-new-seed"])
        solara.ToggleButtonsSingle(value=live.speed, values=list(SPEEDS), classes=["ccsim-speed"])
        Status(live)
        Download.element(file=csv)
        solara.Button("CSV", icon_name="mdi-download", on_click=save_csv, classes=["ccsim-csv"])
        solara.Button("PNG", icon_name="mdi-image", on_click=lambda: live.png.set(live.png.value + 1),
                      classes=["ccsim-png"])


@solara.component
def Status(live: Live):
    """The week and the seed, always visible."""
    s = live.session
    seed, _, _, perished = live.run.value
    with solara.Row(style={"align-items": "baseline", "gap": "10px"}):
        week = Readout.element(kind="ccsim-week")
        use_sink(live, "week", week, lambda widget: setattr(widget, "text", f"Week {s.week}"), [])
        solara.Text(f"seed {seed}", classes=["ccsim-seed"])
        for text in perished:
            solara.Text(text, style={"color": charts.VERMILLION, "font-weight": "700"})


# The model's own Info texts (NetLogo's HOW IT WORKS and HOW TO USE IT); each preset
# brings its WHAT IS IT, THINGS TO NOTICE and THINGS TO TRY (story_html).
HOW_IT_WORKS = (
    "Each step is one week. Customers buy, sometimes have a problem, and remember their best, "
    "worst and last moments, bad ones about twice as strongly. Satisfied customers recommend "
    "the firm, wronged ones warn their friends, and unhappy ones leave for a competitor. "
    "Front-line employees learn what customers need and speak up when it feels safe (humility); "
    "they may put a problem right on the spot (empowerment). Every quarter the leaders change the "
    "offering from their own view of needs: tested with customers first (experimentation) or on "
    "the highest paid person's opinion. Loyalty, NPS, revenue and cash are not set by any rule: "
    "they come out of these meetings, week after week (docs/ODD.md).")
HOW_TO_USE_IT = (
    ("Play, Step, Pause", "run the weeks; the speed buttons set weeks per second."),
    ("Sliders", "before week 1 they set the starting firm; later, a move takes effect next week "
                "and is marked on every chart with a numbered line."),
    ("Reset and Replay", "Reset starts again from week 0 with the sliders as they are; Replay "
                         "repeats the run, with your moves at the same weeks."),
    ("Seed", "the same seed gives the same run, week for week; New seed lets chance play out "
             "another way."),
    ("Compare", "runs a second culture, B, on the same market and seed: its curves in orange "
                "(dashed in the organisation chart), the gaps B - A below."),
    ("Share and export", "the address in the browser reproduces this run; CSV saves the data, "
                         "PNG the charts."),
)


def help_html() -> str:
    """The app's HOW IT WORKS and HOW TO USE IT as one block of HTML."""
    items = "".join(f"<li><b>{escape(what)}</b>: {escape(how)}</li>" for what, how in HOW_TO_USE_IT)
    return f"<h4>How it works</h4><p>{escape(HOW_IT_WORKS)}</p><h4>How to use it</h4><ul>{items}</ul>"


INFO_SECTIONS = (("what_is_it", "What is it"), ("things_to_notice", "Things to notice"),
                 ("things_to_try", "Things to try"))


def story_html(scenario) -> str:
    """The preset's story, Info texts and debrief as one block of HTML, every text escaped
    (one widget for the whole panel: each widget costs the first page load a few ms)."""
    parts = [f"<p><i>{escape(scenario.story)}</i></p>"]
    for key, title in INFO_SECTIONS:
        if scenario.info.get(key):
            parts.append(f"<h4>{title}</h4><p>{escape(' '.join(scenario.info[key].split()))}</p>")
    if scenario.debrief:
        parts.append("<h4>Debrief</h4><ul>" + "".join(f"<li>{escape(q)}</li>" for q in scenario.debrief)
                     + "</ul>")
    return "".join(parts)


@solara.component
def StoryPanel(live: Live):
    scenario = session.scenario(live.story.value)
    with Panel(f"Story: {scenario.title}", expand=True, classes=["ccsim-story"]):
        solara.HTML(tag="div", unsafe_innerHTML=story_html(scenario), classes=["ccsim-info"])


@solara.component
def HelpPanel():
    with Panel("How it works, how to use it", classes=["ccsim-how"]):
        solara.HTML(tag="div", unsafe_innerHTML=help_html(), classes=["ccsim-info"])


@solara.component
def ComparePanel(live: Live):
    s = live.session
    compare, label_b, twins = live.pair.value
    names = presets()

    def toggle(on: bool):
        # the preset's counterpart ([compare] in its file): its culture, on this market
        pair = s.scenario.pair or s.preset
        if not on:
            s.set_compare(None)
        elif pair in names:
            s.set_compare(pair, s.scenario.pair_params)
        else:   # left out of the list (its file did not load), or given as a path
            live.error.value = ("Compare: this preset's counterpart is not in the preset list; "
                                "culture B starts as a copy of A")
            s.set_compare(s.preset)
        live.changed()

    def choose(name):
        s.set_compare(name)
        live.changed()

    solara.Switch(label="Compare two cultures (same seed, same market)", value=bool(compare),
                  on_value=toggle, classes=["ccsim-compare"])
    if compare:
        with Panel(f"Culture B: {label_b}", expand=True, classes=["ccsim-culture-b"]):
            solara.Select("Culture B from preset", values=list(names), value=compare,
                          on_value=choose, classes=["ccsim-compare-preset"])
            current = dict(live.values["B"].value)
            if twins:
                solara.Text("B is the same firm as A for now: move B's sliders, or pick B from "
                            "another preset, and watch the curves part.", classes=["ccsim-help"])
            for name in CULTURE_TRAITS:
                ParamSlider(live, name, current[name], side="B")


@solara.component
def ParamPanel(live: Live):
    """The parameters in one collapsible panel per group; a group's sliders are built only
    while it is open (a page with every slider built at once loads noticeably slower)."""
    opened, set_opened = solara.use_state([0])
    current = dict(live.values["A"].value)
    started = live.run.value[2]
    a = "A: " if live.pair.value[0] else ""
    with rv.ExpansionPanels(v_model=opened, on_v_model=set_opened, multiple=True, class_="ccsim-params"):
        for index, group in enumerate(GROUPS):
            with rv.ExpansionPanel(class_=f"ccsim-group-{group.split()[0].lower()}"):
                rv.ExpansionPanelHeader(children=[f"{a}{group}" if index == 0 else group])
                if index in opened:
                    with rv.ExpansionPanelContent():
                        for name, param in PARAMS.items():
                            if param.group == group:
                                ParamSlider(live, name, current[name],
                                            side="A" if name in CULTURE_TRAITS else "AB",
                                            disabled=started and PARAMS[name].fixed)


@solara.component
def Link(live: Live):
    """Keeps the page's address in step with the run."""
    UrlSync.element(query=live.link.value)


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
    """One parameter as one widget: a slider labelled with its name and value, its help
    text under it."""
    param = PARAMS[name]
    lo, hi, step = query.slider_range(name)

    def change(new):
        try:
            live.session.set_params({name: query.check(name, new, name)}, side)
            live.error.value = ""
        except ValueError as error:
            live.error.value = str(error)
        live.changed()

    shown = f"{value:g}" + ("" if param.unit in ("share", "factor", "weight") else f" {param.unit}")
    prefix = "B: " if side == "B" else ""
    note = " Set before the run (Reset to change)." if disabled else ""
    rv.Slider(v_model=value, on_v_model=change, min=lo, max=hi, step=step, thumb_label=True,
              disabled=disabled, label=f"{prefix}{name.replace('_', ' ')}: {shown}",
              hint=param.help + note, persistent_hint=True,
              class_=f"ccsim-param ccsim-param-{side}-{name}")


@solara.component
def Charts(live: Live):
    s = live.session
    preset, compare, _, _ = live.models.value
    names = {"A": preset}
    if compare:
        names["B"] = compare
    weeks = s.scenario.steps
    key = (tuple(names.items()), weeks)
    option, height = solara.use_memo(lambda: charts.layout(names, weeks), [key])
    with solara.Column(gap="4px") as main:   # one root always, so the chart widget lives on
        chart = EChart.element(name="charts", height=height, png=live.png.value,
                               png_name=f"{s.file_stem()}.png")
        marks = live.marks.value
        if marks:
            solara.Text(f"Marked: {charts.mark_list(marks)}", classes=["ccsim-marks"])

    def push(widget):
        with s.lock:
            if ("B" in names) != (s.model_b is not None):
                return   # compare mode just changed: the next render brings the new layout
            data = {side: charts.columns(s.history(side)) for side in names}
            widget.update = charts.update(option, s.week, weeks, data, s.marks())

    use_chart(live, "charts", chart, option, push, key)
    solara.use_effect(lambda: setattr(live, "chart", solara.get_widget(chart)), [])
    return main


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
