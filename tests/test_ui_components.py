"""The page's components, rendered with Solara's own test helpers (no browser)."""

import csv
import dataclasses
import functools
import io
import re
from pathlib import Path

import ipyvuetify as v
import pytest
import solara
from solara.routing import Router, router_context

from ccsim.scenarios import list_scenarios
from ccsim.ui import app
from ccsim.ui.widgets import ECHARTS_JS, MODULE, Download, EChart, Readout, Widget


@solara.component
def Linked(search: str):
    router_context.provide(Router(f"/?{search}", []))
    return app.Page()


def render(search: str = ""):
    """The page as a new browser session at the address ``?search`` renders it."""
    return solara.render(Linked(search), handle_error=False)


def button(rc, label):
    return rc.find(v.Btn, class_=f"ccsim-{label.lower()}").widget


def chart(rc) -> EChart:
    return rc.find(EChart, name="charts").widget


def test_step_updates_the_week_and_sends_only_data_to_the_chart():
    box, rc = render()
    option_before = chart(rc).option
    assert chart(rc).update["week"] == 0
    dots = {s["showSymbol"] for s in chart(rc).update["option"]["series"]}
    assert dots == {True}                   # week 0: one point a line, drawn as a dot
    button(rc, "Step").click()
    assert {s["showSymbol"] for s in chart(rc).update["option"]["series"]} == {False}
    button(rc, "Step").click()
    assert rc.find(Readout, kind="ccsim-week").widget.text == "Week 2"
    assert chart(rc).update["week"] == 2
    assert chart(rc).option is option_before or chart(rc).option == option_before
    columns = chart(rc).update["option"]["dataset"][0]["source"]
    assert columns["week"] == [0, 1, 2] and len(columns["loyalty"]) == 3


def test_a_slider_moved_mid_run_is_marked_on_the_chart():
    box, rc = render()
    button(rc, "Step").click()
    slider = rc.find(v.Slider).widgets[0]   # the first slider: humility
    slider.v_model = 0.95
    update = chart(rc).update
    assert update["marks"] == 1
    lines = update["option"]["series"][0]["markLine"]["data"]
    # labelled in words, not a number, starting at its line
    assert lines == [{"xAxis": 1, "name": "humility 0.95", "label": {"align": "left"}}]
    assert "1: week 1, humility 0.95" in rc.find(v.Html, class_="ccsim-marks").widget.children[0]


def test_each_render_is_its_own_session():
    _, rc1 = render()
    _, rc2 = render()
    button(rc1, "Step").click()
    assert chart(rc1).update["week"] == 1
    assert chart(rc2).update["week"] == 0


def test_compare_mode_adds_culture_b_and_the_gaps():
    box, rc = render()
    rc.find(v.Switch, class_="ccsim-compare").widget.v_model = True
    option = chart(rc).option
    ids = [s["id"] for s in option["series"]]
    assert "loyalty-loyalty-B" in ids and "gap_cash-cash-gap" in ids
    button(rc, "Step").click()
    datasets = {d["id"] for d in chart(rc).update["option"]["dataset"]}
    assert datasets == {"A", "B", "gap"}


def test_compare_mode_shows_each_cultures_network_and_organisation():
    box, rc = render()
    rc.find(v.Switch, class_="ccsim-network-switch").widget.v_model = True
    assert len(rc.find(EChart, name="network").widgets) == 1
    rc.find(v.Switch, class_="ccsim-compare").widget.v_model = True
    a, b = rc.find(EChart, name="network").widget, rc.find(EChart, name="network-B").widget
    assert a.option["title"][1]["text"].startswith("A: ") and b.option["title"][1]["text"].startswith("B: ")
    b_humility, = [w for w in rc.find(v.Slider).widgets if "ccsim-param-B-humility" in w.class_]
    b_humility.v_model = 1.0                  # B's leaders listen
    for _ in range(20):
        button(rc, "Step").click()
    assert a.update["week"] == b.update["week"] == 20

    def voices(chart):
        return [p["itemStyle"]["color"] for p in chart.update["option"]["series"][1]["data"]
                if p.get("symbol") != "rect"]
    assert voices(a) != voices(b)             # each shows its own firm's staff
    rc.find(v.Switch, class_="ccsim-compare").widget.v_model = False   # and off again
    assert len(rc.find(EChart, name="network-B").widgets) == 0
    assert {d["id"] for d in chart(rc).update["option"]["dataset"]} == {"A"}
    assert chart(rc).update["week"] == 20


ACTIONS = ("step", "step", "reset", "replay", "new-seed", "undo", "compare", "network", "preset",
           "preset-b", "slider-A", "slider-B", "tab")


def act(rc, action: str, rng):
    """Do ``action`` on the rendered page as a user could (a disabled control is skipped)."""
    if action in ("step", "reset", "replay", "new-seed", "undo"):
        if not button(rc, action).disabled:
            button(rc, action).click()
    elif action == "tab":
        for tabs in rc.find(v.Tabs, class_="ccsim-tabs").widgets:
            tabs.v_model = 1 - tabs.v_model
    elif action in ("compare", "network"):
        switch = rc.find(v.Switch, class_=f"ccsim-{action}" + ("-switch" if action == "network" else "")).widget
        switch.v_model = not switch.v_model
    elif action.startswith("preset"):
        found = rc.find(v.Select, class_="ccsim-compare-preset" if action == "preset-b" else "ccsim-preset")
        if found.widgets:
            found.widget.v_model = rng.choice(found.widget.items)
    else:
        side = action[-1]
        sliders = [w for w in rc.find(v.Slider).widgets if f"ccsim-param-{side}-" in w.class_ and not w.disabled]
        if sliders:
            w = rng.choice(sliders)
            w.v_model = w.min + round(rng.uniform(0, (w.max - w.min) / w.step)) * w.step


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_sequence_of_clicks_keeps_the_page_working(seed):
    """Random clicks, switches, presets and slider moves, in any order, raise nothing and
    leave the charts showing the session's week (switching Compare off once raised)."""
    import random

    rng = random.Random(seed)
    _, rc = render()
    for _ in range(60):
        act(rc, rng.choice(ACTIONS), rng)
        week = rc.find(Readout, kind="ccsim-week").widget.text
        assert week == f"Week {chart(rc).update['week']}"


def test_the_page_widgets_are_views_of_the_widgets_module():
    """Each of the app's own widgets is drawn by a view of ccsim/assets/widgets.js (plain
    Jupyter widget views: no Vue template for the browser to compile), which custom.js
    tells requirejs where to find."""
    _, rc = render()
    assets = Path(app.__file__).parents[1] / "assets"
    module = (assets / "widgets.js").read_text()
    exported = re.search(r"return \{(.*?)\};\s*\}\);\s*$", module, re.S).group(1)
    ours = rc.find(Widget).widgets
    assert {type(w).__name__ for w in ours} == {"EChart", "Readout", "UrlSync", "Download"}
    for widget in ours:
        assert widget._view_module == MODULE and widget._view_name in exported.split(", ")
        assert f"class {widget._view_name} extends base.DOMWidgetView" in module
    assert f'"{MODULE}": `${{solara.rootPath}}/static/assets/widgets`' in (assets / "custom.js").read_text()


def test_the_page_loads_the_echarts_the_charts_use():
    custom_js = Path(app.__file__).parents[1] / "assets" / "custom.js"
    assert f"${{solara.cdn}}/{ECHARTS_JS}`" in custom_js.read_text()


def test_the_csv_button_sends_the_run_to_the_browser_as_a_file():
    """With a header block that says what ran: version, preset, seed, every parameter at
    week 0, every move (lines that start with '#')."""
    import ccsim

    _, rc = render()
    button(rc, "Step").click()
    slider("A", "humility", rc).v_model = 0.9
    button(rc, "Step").click()
    button(rc, "CSV").click()
    file = rc.find(Download).widget.file
    header = [line for line in file["text"].splitlines() if line.startswith("#")]
    rows = list(csv.DictReader(line for line in io.StringIO(file["text"]) if not line.startswith("#")))
    assert file["name"].endswith(".csv") and file["type"] == "text/csv"
    assert [r["week"] for r in rows] == ["0", "1", "2"]
    assert header[0].startswith(f"# ccsim {ccsim.__version__}; preset baseline") and "seed" in header[0]
    assert "humility=0.5" in header[1] and "price=" in header[1] and "turnover=" in header[1]
    assert header[-1] == "# change: week 1, A, humility=0.9"


def test_the_pdf_button_sends_the_handout_as_a_pdf(pdf_text):
    """A real PDF (matplotlib's) whose drawn text holds what the PNG handout says: title,
    seed, story, the marks' key with a move's note, and the debrief questions."""
    import base64

    from ccsim.ui import session

    _, rc = render("preset=turnaround&seed=9&vs=hippo")
    button(rc, "Step").click()
    slider("B", "humility", rc).v_model = 0.2
    note = rc.find(v.TextField, class_="ccsim-note").widget
    note.v_model = "a second (thought)"
    note.fire_event("keyup.enter")
    button(rc, "Step").click()
    button(rc, "PDF").click()
    file = rc.find(Download).widget.file
    kind, data = file["url"].split(",", 1)
    data = base64.b64decode(data)
    assert file["name"] == "ccsim-turnaround-vs-hippo-seed9.pdf" and kind == "data:application/pdf;base64"
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    lines = pdf_text(data)
    story = session.scenario("turnaround")
    assert f"{story.title} vs B: {story.pair_label}" in lines
    assert "Seed 9, week 2. The same seed in ccsim gives the same run." in lines
    text = " ".join(lines)
    assert "1: week 1, B: humility 0.2 - \"a second (thought)\"" in text
    assert all(" ".join(f"Debrief: {q}".split()) in text for q in story.debrief)
    from ccsim.ui.charts import PANELS

    shown = [p.title for p in PANELS if p.id in story.key_charts]   # the story's own key charts
    assert "Organisation (0-100)" in shown and "Organisation (0-100), B dashed" in lines
    assert all(title in lines for title in shown if not title.startswith("Organisation")) and "A: turnaround" in lines


def _as_is(function):
    return function


@_as_is   # Solara's check reads a component's source from its decorator line on
def _hook_in_a_condition():
    if solara.use_state(0)[0]:
        solara.use_state(1)


def test_the_components_follow_the_rules_of_hooks(monkeypatch):
    """``ccsim ui`` skips Solara's check of the rules of hooks at start-up (it parses every
    component's source); this test keeps the check, on every component of the page."""
    from reacton.core import Component
    from solara.validate_hooks import HookValidationError, HookValidator

    # "error" is the value HookValidator.run raises on (solara 1.64 documents it as "raise")
    monkeypatch.setattr(solara.settings.main, "check_hooks", "error")
    components = [c for c in vars(app).values() if isinstance(c, Component)]
    assert len(components) >= 10
    for component in components:
        HookValidator(component.f).run()
    with pytest.raises(HookValidationError):   # the check does catch a hook in a condition
        HookValidator(_hook_in_a_condition).run()


def test_the_story_panel_escapes_the_preset_texts():
    from ccsim.scenarios import load_scenario

    scenario = load_scenario("baseline")
    scenario = dataclasses.replace(scenario, story="<b>bold</b> & <script>x()</script>",
                                   debrief=["Why <i>now</i>?"])
    html = app.story_html(scenario)
    assert "<script>" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "<li>Why &lt;i&gt;now&lt;/i&gt;?</li>" in html
    assert "<h4>What is it</h4>" in html


def slider(side: str, name: str, rc):
    found, = [w for w in rc.find(v.Slider).widgets if f"ccsim-param-{side}-{name}" in w.class_]
    return found


def counted(monkeypatch, names: list[str]) -> dict[str, int]:
    """Count the renders of the page's components ``names`` (each runs its own function)."""
    counts = dict.fromkeys(names, 0)
    for name in names:
        original = getattr(app, name).f

        def f(*args, _name=name, _original=original, **kwargs):
            counts[_name] += 1
            return _original(*args, **kwargs)
        monkeypatch.setattr(app, name, solara.component(functools.wraps(original)(f)))
    return counts


COMPONENTS = ["ControlBar", "Status", "StoryPanel", "ComparePanel", "ParamPanel", "ParamSlider",
              "Charts", "ChartTools", "NetworkView", "Link"]


def test_a_step_or_a_move_re_renders_only_what_changed(monkeypatch):
    counts = counted(monkeypatch, COMPONENTS)
    _, rc = render()
    button(rc, "Step").click()
    for name in counts:
        counts[name] = 0
    button(rc, "Step").click()
    button(rc, "Step").click()
    assert sum(counts.values()) == 0, counts          # a week sends data, renders nothing
    slider("A", "humility", rc).v_model = 0.9
    assert counts == {**dict.fromkeys(COMPONENTS, 0), "ParamPanel": 1, "ParamSlider": 1,
                      "ChartTools": 1, "Link": 1, "ControlBar": 1}, counts
    # its slider, the marks, the address, and Undo (now possible) with the bar it sits in
    counts.update(dict.fromkeys(counts, 0))
    slider("A", "empowerment", rc).v_model = 0.9
    assert counts == {**dict.fromkeys(COMPONENTS, 0), "ParamPanel": 1, "ParamSlider": 1,
                      "ChartTools": 1, "Link": 1}, counts


def test_a_model_is_built_only_when_one_must_be(monkeypatch):
    import ccsim.runs

    _, rc = render()
    builds = []
    original = ccsim.runs.build
    monkeypatch.setattr(ccsim.runs, "build", lambda *a, **k: builds.append(1) or original(*a, **k))

    rc.find(v.Switch, class_="ccsim-compare").widget.v_model = True
    assert len(builds) == 1                      # B only
    tabs = rc.find(v.Tabs, class_="ccsim-tabs").widget
    tabs.v_model = 0                             # A's controls
    slider("A", "humility", rc).v_model = 0.9
    assert len(builds) == 2                      # week 0: A's start changes, B's does not
    button(rc, "Step").click()
    slider("A", "humility", rc).v_model = 0.3
    tabs.v_model = 1
    slider("B", "humility", rc).v_model = 0.7
    rc.find(v.Switch, class_="ccsim-compare").widget.v_model = False
    button(rc, "Step").click()
    assert len(builds) == 2                      # moves and compare off build nothing


def test_a_drag_is_one_move_made_when_the_slider_is_let_go():
    """Dragging during Play once made a mark a week (11 for one realistic drag)."""
    _, rc = render()
    button(rc, "Step").click()
    humility = slider("A", "humility", rc)
    humility.fire_event("start", 0.5)
    for value in (0.55, 0.6, 0.7):
        humility.v_model = value
        button(rc, "Step").click()
    assert chart(rc).update["marks"] == 0            # held down: no move yet
    humility.fire_event("end", 0.8)
    update = chart(rc).update
    assert update["marks"] == 1 and update["option"]["series"][0]["markLine"]["data"][0]["xAxis"] == 4
    humility.v_model = 0.8                            # the drag's last value, arriving late: no second move
    assert chart(rc).update["marks"] == 1


def test_undo_takes_back_the_last_move_and_the_ghost_shows_the_run_without_it():
    _, rc = render()
    button(rc, "Step").click()
    assert button(rc, "Undo").disabled
    slider("A", "humility", rc).v_model = 1.0
    for _ in range(5):
        button(rc, "Step").click()
    datasets = {d["id"]: d["source"] for d in chart(rc).update["option"]["dataset"]}
    assert datasets["A-ghost"]["week"] == datasets["A"]["week"] == list(range(7))
    assert datasets["A-ghost"]["loyalty"][:2] == datasets["A"]["loyalty"][:2]
    button(rc, "Undo").click()
    datasets = {d["id"]: d["source"] for d in chart(rc).update["option"]["dataset"]}
    assert datasets["A-ghost"] == {"week": []} and chart(rc).update["marks"] == 0
    assert slider("A", "humility", rc).v_model == 0.5 and button(rc, "Undo").disabled


def test_compare_follows_the_story():
    """B is named by its story's label in the tab and the legend, and switching preset
    switches B to the new story's counterpart (hippo -> heater-denied once kept
    customer-centric)."""
    from ccsim.scenarios import load_scenario

    _, rc = render("preset=four-hour-refund")
    rc.find(v.Switch, class_="ccsim-compare").widget.v_model = True
    label = load_scenario("four-hour-refund").pair_label
    assert f"B: {label}" in chart(rc).option["legend"]["data"]
    assert rc.find(v.Tab, class_="ccsim-tab-B").widget.children == [f"B: {label}"]
    heater = load_scenario("heater-denied")
    rc.find(v.Select, class_="ccsim-preset").widget.v_model = "heater-denied"
    assert rc.find(v.Select, class_="ccsim-compare-preset").widget.v_model == heater.pair
    assert f"B: {heater.pair_label or heater.pair}" in chart(rc).option["legend"]["data"]


def test_other_seeds_give_a_band_in_the_background():
    """As ccsim compare --reps: ten seeds from this one on, the mean and its 95% band."""
    import time

    _, rc = render("preset=baseline&seed=7&n_customers=300")
    def band():
        return {d["id"]: d["source"] for d in chart(rc).update["option"]["dataset"]}.get("A-band", {"week": []})

    button(rc, "Seeds").click()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not band()["week"]:
        time.sleep(0.2)
    band = band()
    assert len(band["week"]) == 261 and all(w >= 0 for w in band["loyalty_width"][1:])
    assert "other seeds: mean and 95% band" in chart(rc).update["option"]["legend"]["data"]
    assert "loyalty-loyalty-A-band" in {s["id"] for s in chart(rc).update["option"]["series"]}
    low, mean = band["customers_low"][-1], band["customers_mean"][-1]
    assert low < mean < low + band["customers_width"][-1]


@pytest.mark.parametrize("preset", [s.name for s in list_scenarios()])
def test_the_page_speaks_plain_words(preset):
    """No parameter's code name, no command line and no file to edit in a preset's texts
    on the page (three stories once said "edit the event week"); the model's names stay in
    its description (the levers table)."""
    from ccsim.params import PARAMS
    from ccsim.ui import session, words

    html = app.story_html(session.scenario(preset))
    assert "ccsim " not in html and not [name for name in PARAMS if "_" in name and name in html]
    assert not re.search(r"\bedit", html, re.IGNORECASE)
    assert all(f"<code>{name}</code>" in words.levers_html() for name in PARAMS)
    assert "docs/ODD.md" not in words.help_html().split("<h4>The levers")[0]


def test_the_y_axes_only_widen_while_playing():
    """So a small gap never looks large because an axis shrank to it (the axes once
    rescaled every week)."""
    _, rc = render("preset=hippo&seed=2")
    ranges = [[(y["min"], y["max"]) for y in chart(rc).update["option"]["yAxis"]]]
    for _ in range(40):
        button(rc, "Step").click()
        axes = chart(rc).update["option"].get("yAxis")   # sent only when it changes
        ranges.append([(y["min"], y["max"]) for y in axes] if axes else ranges[-1])
    assert ranges[0] != ranges[-1]
    for before, after in zip(ranges, ranges[1:]):
        assert all(lo2 <= lo1 and hi2 >= hi1 for (lo1, hi1), (lo2, hi2) in zip(before, after))
    loyalty = chart(rc).update["option"]["dataset"][0]["source"]["loyalty"]
    assert 1 < max(loyalty) <= 100                      # shown in %


@pytest.mark.parametrize("present", ["0", "1"])
def test_the_y_axes_show_a_measures_scale_and_start_from_zero(present):
    """NPS on -100..100 and shares on 0..100% from week 0, counts, money and the gaps from 0
    (once 580..680 customers and 45..70% loyalty: a small gap looked large, and the axes
    jumped while playing), below 0 only once a value is; in presenter mode too."""
    from ccsim.ui.charts import PANELS, axis_range

    _, rc = render(f"preset=hippo&seed=2&vs=customer-centric&present={present}")
    panels = [t["text"] for t in chart(rc).option["title"]]
    axes = dict(zip(panels, chart(rc).update["option"]["yAxis"]))
    assert len(axes) == (4 if present == "1" else 9)
    for title, axis in axes.items():
        if title.startswith("NPS"):
            assert (axis["min"], axis["max"]) == (-100, 100), title
        elif title.startswith(("Loyalty", "Organisation")):
            assert (axis["min"], axis["max"]) == (0, 100), title
        else:
            assert axis["min"] == 0 < axis["max"], title
    cash, organisation = (next(p for p in PANELS if p.id == name) for name in ("cash", "organisation"))
    assert axis_range(cash, [20_000, 30_000])["min"] == 0
    assert -20_000 < axis_range(cash, [-3_000, 30_000])["min"] < -3_000      # cash ran out
    assert -100 <= axis_range(organisation, [-4, 80])["min"] < -4             # leaders' knowledge below 0


def test_money_is_in_money_units_wherever_it_is_shown():
    """Cash and revenue once had no unit: on the charts (their titles, ticks in k and M), the
    monitors, the sliders and the levers, the CSV's header: one unit, words.MONEY."""
    from ccsim.ui import words

    assert [words.money(v) for v in (0, 950, 2_500, -2_500, 262_081, 999_999, 1_234_567)] == \
        ["0", "950", "2.5k", "-2.5k", "262k", "1M", "1.23M"]
    _, rc = render("preset=baseline&seed=3&vs=hippo&present=1")
    texts = [t["text"] for t in chart(rc).option["title"]]
    money = [t for t in texts if "Cash" in t]
    assert money == [f"Cash ({words.MONEY})"]
    y_axes = chart(rc).option["yAxis"]
    assert [a["axisLabel"].get("money", False) for a in y_axes] == ["Cash" in t for t in texts]
    monitors = [w.text for w in rc.find(Readout, kind="ccsim-monitor ccsim-monitor-A").widgets]
    assert re.search(rf"Cash [0-9.]+k {words.MONEY}$", monitors[0]), monitors
    _, rc = render("preset=four-hour-refund&seed=3&vs=hippo")
    titles = {t["text"]: t["fit"] for t in chart(rc).option["title"]}
    assert titles["Revenue per week (money units)"][-1] == "Revenue/week (money units)"   # where the first is cut
    assert titles["Gap B - A: cash (money units)"][-1] == "B - A: cash (money units)"
    tips = {s["id"]: s.get("tooltip", {}).get("unit") for s in chart(rc).option["series"]}
    assert {tips[f"{m}-{m}-A"] for m in ("cash", "revenue")} == {"money"}   # the tooltip's unit (widgets.js)
    assert (tips["loyalty-loyalty-A"], tips["nps-nps-A"]) == ("%", None)
    assert words.value_text("price", 10) == f"10 {words.MONEY}/week"        # the slider's label
    assert f"<td>{words.MONEY}, 0 to" in words.levers_html()
    button(rc, "CSV").click()
    header = [line for line in rc.find(Download).widget.file["text"].splitlines() if line.startswith("#")]
    assert "# money: revenue, profit, cash and the parameters price, " in "\n".join(header)
    assert any(line.endswith(f"are in {words.MONEY} (illustrative, not a real currency)") for line in header)


def test_other_seeds_runs_as_many_seeds_as_picked(monkeypatch):
    """The band's seed count was fixed at ten: 5, 10, 20 or 40 now (10 unless picked), with
    the progress bar counting the runs of both cultures."""
    import threading

    from ccsim.ui.session import Session

    asked, release = [], threading.Event()

    def replicate(self, runs, names, each_run=None):
        asked.append(runs)
        each_run(1)
        release.wait(10)
        return False

    monkeypatch.setattr(Session, "replicate", replicate)
    _, rc = render("preset=baseline&seed=7&vs=hippo")
    assert rc.find(v.Btn, class_="ccsim-seeds").widget.children[-1] == "Other seeds (10)"
    select = rc.find(v.Select, class_="ccsim-seed-count").widget
    assert select.items == [5, 10, 20, 40] and select.v_model == 10
    select.v_model = 20
    assert rc.find(v.Btn, class_="ccsim-seeds").widget.children[-1] == "Other seeds (20)"
    button(rc, "Seeds").click()
    rc.find(v.Html, children=["Other seeds: 1 of 40 runs"]).wait_for(timeout=10)
    assert rc.find(v.Select, class_="ccsim-seed-count").widget.disabled
    release.set()
    assert asked == [20]


@pytest.mark.parametrize("browser_keeps_up", [True, False])
def test_play_keeps_its_speed_and_sends_at_most_about_five_weeks_a_second(browser_keeps_up, monkeypatch):
    """Play steps at the chosen speed whatever the browser does; the page is sent a week at
    most about five times a second, and only once the browser has drawn the week before (a
    silent one: every PATIENCE seconds), so twenty browsers on one machine skip weeks instead
    of slowing their runs.  Pause sends the last week stepped."""
    import threading
    import time

    from ccsim.ui.session import Session

    monkeypatch.setattr(app, "PATIENCE", 0.5)
    live = app.Live(Session("baseline", seed=3))
    live.step()                                          # the compiled week loaded
    live.speed.value = "50/s"
    sent = []

    class Browser:   # draws what it is sent at once, or never says so
        @property
        def drawn(self):
            return live.sent[0] if browser_keeps_up else -1

    live.chart = Browser()
    live.sinks["probe"] = lambda: sent.append(live.session.week)
    live.playing.value = True
    player = threading.Thread(target=live.play, args=(threading.Event(),))
    began = time.perf_counter()
    player.start()
    time.sleep(2.0)
    live.toggle()
    player.join(10)
    seconds = time.perf_counter() - began
    weeks = live.session.week
    assert not player.is_alive() and not live.playing.value
    assert weeks - 1 >= 20 * seconds                         # 50/s asked; a busy machine is slower
    most = seconds / app.REDRAW_GAP if browser_keeps_up else seconds / app.PATIENCE
    assert 3 <= len(sent) <= most + 2, sent
    assert sent[-1] == weeks                             # the week the run paused at is shown


def test_play_keeps_a_fixed_timetable_whatever_a_week_costs():
    """Week k is due k / rate seconds after Play began: a slow week (a render) is made up
    by the next waits, so the clock does not slow down (sleeping 1/rate after each week
    would take 100 weeks x (0.05 + their cost)); a stall longer than LATE starts a new
    timetable instead of a rush of weeks; a new speed starts a new timetable."""
    from ccsim.ui.app import LATE, Timetable

    now, rate = 0.0, 20
    clock = Timetable(rate, now)
    ends = []
    for week in range(100):
        now += 0.08 if week % 5 == 0 else 0.01          # a slow render every fifth week
        now += clock.wait(rate, now)
        ends.append(now)
    assert ends[-1] == pytest.approx(100 / rate)
    assert [round(b - a, 9) for a, b in zip(ends[4::5], ends[9::5])] == [5 / rate] * 19   # a steady cadence
    now += LATE + 2.0                                    # a stall: the model was busy
    assert clock.wait(rate, now) == pytest.approx(1 / rate)   # no rush to catch up
    assert clock.wait(rate, now + 1 / rate) == pytest.approx(1 / rate)
    assert clock.wait(50, now + 2 / rate) == pytest.approx(1 / 50)   # a new speed: from now on


def test_mark_labels_keep_to_their_strip_and_fold_when_crowded():
    """Each label lies inside the plot's width and clear of the others (by the width the
    layout allows a letter); a mark too close to the label before it folds into it, which
    says how many it stands for, so every mark is counted once; near the plot's end a label
    ends at its line."""
    import random

    from ccsim.ui.charts import strip_labels, text_width

    def spans(marks, placed, font):
        out = []
        for (x, _), label in zip(marks, placed):
            if label:
                w = text_width(label["text"], font)
                out.append((x, x + w) if label["align"] == "left" else (x - w, x))
        return out

    marks = [(0.0, "A: humility 0.8"), (3.0, "A: empowerment 0.7"), (120.0, "a new boss"), (296.0, "B: defect fixed")]
    placed = strip_labels(marks, 300, 13)
    assert placed[1] is None and placed[0]["text"].endswith(" +1") and placed[0]["text"].startswith("A: hum")
    assert placed[2] == {"text": "a new boss", "align": "left"} and placed[3]["align"] == "right"
    rng = random.Random(5)
    for _ in range(300):
        width, font = rng.uniform(150, 900), rng.choice([13, 18])
        xs = sorted(rng.uniform(0, width) for _ in range(rng.randint(1, 12)))
        marks = [(x, "word " * rng.randint(1, 5)) for x in xs]
        placed = strip_labels(marks, width, font)
        drawn = sorted(spans(marks, placed, font))
        assert all(0 <= a and b <= width + 1e-9 for a, b in drawn), (marks, placed)
        assert all(b1 <= a2 for (_, b1), (a2, _) in zip(drawn, drawn[1:])), (marks, placed)
        more = sum(int(label["text"].rsplit("+", 1)[1]) if " +" in label["text"] else int(label["text"].split()[0]) - 1
                   for label in placed if label and (" +" in label["text"] or label["text"].endswith(" marks")))
        assert len(drawn) + more == len(marks)
    # a fold with room for only its side ("A:… +1" once), or of both cultures' marks, says how
    # many marks it is; one of one culture's marks keeps its name
    crowded = strip_labels([(100.0, "A: humility 0.8"), (103.0, "A: empowerment 0.7"), (108.0, "x")], 160, 13)
    assert crowded[0]["text"] == "3 marks", crowded
    both = strip_labels([(10.0, "A: humility 0.8"), (13.0, "B: empowerment 0.7")], 600, 13)
    assert both[0]["text"] == "2 marks", both
    one = strip_labels([(10.0, "A: humility 0.8"), (13.0, "A: empowerment 0.7")], 600, 13)
    assert one[0]["text"] == "A: humility 0.8 +1", one
