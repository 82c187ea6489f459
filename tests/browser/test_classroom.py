"""Class mode in a real chromium against a real ``ccsim ui``: a facilitator and three teams
play four quarters in a room of four firms; a fourth team joins after the first quarter;
the clock (30 s) runs the second; the server is killed (SIGKILL) after the second and
restarted on the same room file, and the game goes on where it was."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest

from ccsim.classroom.room import LOST_DPI, PHONE, PROJECTOR, Classroom

from .driver import TIMEOUT, free_port, new_context, start_server, stop_server

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
TEAMS = ("Red", "Blue", "Green <b>&amp;</b>")      # a name with markup is shown as text
LATE = "Latecomersfromthebackrow"                  # joins after the first quarter; one long word


def join(browser, url: str, code: str, name: str):
    context = new_context(browser)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{url}?room={code}")
    page.fill(".ccsim-join-name input", name)
    page.press(".ccsim-join-name input", "Enter")
    page.click(".ccsim-join")
    page.wait_for_selector(".ccsim-team-name")
    return page


def set_levers(page, quarter: int, humble: bool):
    """Drag nothing: one click on the humility slider's track (its right or left end)."""
    from playwright.sync_api import expect

    track = page.locator(".ccsim-lever-humility .v-slider").first
    box = track.bounding_box()
    page.mouse.click(box["x"] + (box["width"] - 2 if humble else 2), box["y"] + box["height"] / 2)
    page.click(".ccsim-set-levers")
    expect(page.locator(".ccsim-saved")).to_have_text(f"Set for quarter {quarter}.")


SIZES = ((390, 844), (1024, 768), (1280, 720), (1920, 1080))   # a phone, small projectors, a large one
BOX = """const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top,
                                                               bottom: r.bottom, width: r.width}; };"""
# A table (its class ``css``) as the page lays it out, measured in the page: the box it
# scrolls in (Vuetify's wrapper), the page's width and that of every box around the table
# (Solara's page scrolls inside a box of its own, not the document), the smallest type of
# the cells shown and the cells whose text does not fit them.
TABLE_BOXES = """(css) => { BOX
  const wrapper = document.querySelector(css + ' .v-data-table__wrapper');
  const around = [];
  for (let e = wrapper.parentElement; e; e = e.parentElement) {
    if (e.scrollWidth > e.clientWidth + 1) around.push(e.tagName + '.' + e.className + ' ' + e.scrollWidth);
  }
  const cells = [...wrapper.querySelectorAll('th, td')].filter(c => c.offsetParent !== null);
  return {window: innerWidth, page: document.documentElement.scrollWidth, around,
          table: {...box(wrapper), scroll: wrapper.scrollWidth, client: wrapper.clientWidth},
          type: Math.min(...cells.map(c => parseFloat(getComputedStyle(c).fontSize))),
          cut: cells.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent)};
}""".replace("BOX", BOX)
# The rest of the reveal: the chart of lost customers that the page's style shows (one
# drawn for a projector, one for a phone) and the questions.
REVEAL_BOXES = """() => { BOX
  return {charts: [...document.querySelectorAll('img.ccsim-lost')].filter(i => i.offsetParent !== null)
                    .map(i => ({...box(i), natural: i.naturalWidth})),
          questions: box(document.querySelector('.ccsim-debrief'))};
}""".replace("BOX", BOX)
# the smallest type in each chart, in its own pixels (by the PNG's width): points x dpi / 72
CHART_TYPE = {1500: min(v for k, v in PROJECTOR.items() if k.endswith("size")) * LOST_DPI[False] / 72,
              900: min(PHONE.values()) * LOST_DPI[True] / 72}
READABLE = 12      # px on screen, the least for a table's type and the chart's smallest type
BACK_OF_ROOM = 20  # px, the least for the leaderboard's type on a large projector


def check_table(page, css: str, width: int, height: int, least: float = READABLE) -> dict:
    """At ``width`` x ``height``: the table of class ``css`` shows every column and every
    cell's whole text without scrolling sideways, inside the window, its type at least
    ``least`` px; no box around it is wider than the window, nor is the page.  What the
    page measured."""
    page.set_viewport_size({"width": width, "height": height})
    seen = page.evaluate(TABLE_BOXES, css)
    where = f"{css} at {width}x{height}: {seen}"
    table = seen["table"]
    assert seen["page"] <= width and not seen["around"], where
    assert table["scroll"] <= table["client"] + 1 and not seen["cut"], where   # no sideways scroll
    assert 0 <= table["left"] and table["right"] <= width, where
    assert seen["type"] >= least, where
    return seen


def screenshot(page, width: int, height: int, name: str):
    """The whole page at ``width`` in one image, ``name``.png: a full-page screenshot stops at
    the window's height (the page scrolls inside a box as tall as the window), so the window
    is made as tall as the page, then set back to ``width`` x ``height``."""
    page.set_viewport_size({"width": width, "height": height})
    tall = page.evaluate("() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": width, "height": tall})
    page.wait_for_timeout(1000)      # without it, what the taller window uncovers is still pale
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    page.set_viewport_size({"width": width, "height": height})


def check_reveal(page, width: int, height: int, name: str):
    """At ``width`` x ``height``: the reveal's table fits (check_table); one chart is shown,
    drawn, inside the window and its type READABLE; table, chart and questions one under the
    other, none over another.  Then a screenshot of the whole page, class-reveal-``name``."""
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_function("() => [...document.querySelectorAll('img.ccsim-lost')].filter("
                           "i => i.offsetParent !== null).every(i => i.complete && i.naturalWidth > 0)")
    table = check_table(page, ".ccsim-reveal", width, height)["table"]
    seen = page.evaluate(REVEAL_BOXES)
    where = f"{name}: {seen}"
    questions = seen["questions"]
    assert len(seen["charts"]) == 1, where
    chart = seen["charts"][0]
    assert chart["natural"] in CHART_TYPE and chart["width"] > 0, where
    assert CHART_TYPE[chart["natural"]] * chart["width"] / chart["natural"] >= READABLE, where
    for part in (chart, questions):
        assert 0 <= part["left"] and part["right"] <= width, where
    assert table["bottom"] <= chart["top"] and chart["bottom"] <= questions["top"], where
    screenshot(page, width, height, f"class-reveal-{name}")


def test_a_class_plays_four_quarters_through_a_server_restart(browser, tmp_path, monkeypatch):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    db = tmp_path / "class.sqlite3"
    monkeypatch.setenv("CCSIM_CLASSROOM_DB", str(db))
    proc, _ = start_server(free_port())
    url = f"http://127.0.0.1:{proc.args[proc.args.index('--port') + 1]}/"
    contexts = []
    try:
        contexts.append(new_context(browser, accept_downloads=True))
        fac = contexts[0].new_page()
        fac.set_default_timeout(TIMEOUT)
        fac.goto(f"{url}?class")
        fac.fill(".ccsim-quarters input", "4")
        fac.press(".ccsim-quarters input", "Enter")
        fac.fill(".ccsim-firms input", "4")
        fac.press(".ccsim-firms input", "Enter")
        fac.click(".ccsim-start")
        code = fac.locator(".ccsim-joincode").inner_text(timeout=60_000).strip()
        assert re.fullmatch(r"[A-Z2-9]{6}", code)
        facilitator = fac.url
        key = re.search(r"key=([^&]+)", facilitator)[1]
        teams = [join(browser, url, code, name) for name in TEAMS]
        contexts += [page.context for page in teams]
        expect(fac.locator(".ccsim-teams")).to_have_text("Teams: 3 of 4 firms")
        expect(teams[2].locator(".ccsim-team-name")).to_have_text("Green <b>&amp;</b>")
        # a team that forges another team's number with its own token is refused
        forged = teams[0].context.new_page()
        forged.goto(teams[0].url.replace("team=0", "team=1"))
        expect(forged.locator(".ccsim-error")).to_contain_text("team token is wrong")
        forged.close()
        # a team's link is not the facilitator's: no key, no clock
        assert teams[0].locator(".ccsim-advance").count() == 0
        forged = teams[0].context.new_page()
        forged.goto(f"{url}?room={code}&key={re.search(r'token=([^&]+)', teams[0].url)[1]}")
        expect(forged.locator(".ccsim-error")).to_contain_text("facilitator key is wrong")
        assert forged.locator(".ccsim-advance").count() == 0
        forged.close()
        with closing(sqlite3.connect(db)) as con:    # both wrong ones counted against the browser's address
            assert con.execute("SELECT address, COUNT(*) FROM guesses GROUP BY address").fetchall() == [
                ("127.0.0.1", 2)]
        for quarter in (1, 2, 3, 4):
            if quarter == 3:       # kill the server mid-game, restart it on the same room file
                board = fac.locator(".ccsim-leaderboard").inner_text()
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
                proc, _ = start_server(free_port())
                new = f"http://127.0.0.1:{proc.args[proc.args.index('--port') + 1]}/"
                fac.goto(facilitator.replace(url, new), timeout=90_000)   # a loaded machine
                expect(fac.locator(".ccsim-quarter")).to_have_text("Quarter 2 of 4", timeout=60_000)
                assert fac.locator(".ccsim-leaderboard").inner_text() == board
                for page in teams:
                    page.goto(page.url.replace(url, new), timeout=90_000)
                    page.wait_for_selector(".ccsim-team-name")
                url = new
            if quarter == 2:     # a team that comes late takes over the free firm
                teams.append(join(browser, url, code, LATE))
                contexts.append(teams[-1].context)
                expect(teams[-1].locator(".ccsim-late")).to_contain_text("took over this firm after quarter 1")
                expect(fac.locator(".ccsim-teams")).to_have_text("Teams: 4 of 4 firms")
            for k, page in enumerate(teams):
                set_levers(page, quarter, humble=k == 0)
            if quarter == 2:     # the clock runs this quarter, 30 s after it starts
                fac.get_by_role("button", name="30 s", exact=True).click()
                fac.click(".ccsim-clock")
                for page in (fac, *teams):
                    expect(page.locator(".ccsim-countdown")).to_have_text(re.compile(r"Next quarter in 0:[23]\d"))
                started = time.monotonic()
                expect(fac.locator(".ccsim-quarter")).to_have_text("Quarter 2 of 4", timeout=60_000)
                assert time.monotonic() - started > 20           # by the clock, not at once
                for page in teams:               # and it counts the next period
                    expect(page.locator(".ccsim-countdown")).to_have_text(re.compile(r"Next quarter in 0:[123]\d"))
                fac.click(".ccsim-clock")        # pause: the facilitator advances the rest
                expect(fac.locator(".ccsim-countdown")).to_have_count(0)
                expect(fac.locator(".ccsim-advance")).to_be_enabled()
            else:
                fac.click(".ccsim-advance")
            expect(fac.locator(".ccsim-quarter")).to_have_text(f"Quarter {quarter} of 4", timeout=60_000)
            for page in teams:
                expect(page.locator(".ccsim-quarter")).to_contain_text(f"quarter {quarter} of 4")
            expect(fac.locator(".ccsim-leaderboard tbody tr")).to_have_count(4)
            if quarter == 2:     # the leaderboard and a team's own table fit every screen
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                for width, height in SIZES:
                    check_table(fac, ".ccsim-leaderboard", width, height,
                                BACK_OF_ROOM if width >= 1920 else READABLE)
                    check_table(teams[0], ".ccsim-dashboard", width, height)
                # for a look as a trainer and a student would
                fac.set_viewport_size({"width": 1920, "height": 1080})
                fac.screenshot(path=str(SCREENSHOTS / "class-projector-1920x1080.png"))
                screenshot(fac, 1024, 768, "class-projector-1024x768")
                screenshot(teams[0], 390, 844, "class-team-390x844")
        # the end: the reveal on the projector and on every team's screen
        for page in (fac, *teams):   # the chart of where lost customers went, for a projector and a phone
            expect(page.locator(".ccsim-reveal tbody tr")).to_have_count(4)
            page.wait_for_function("() => [...document.querySelectorAll('img.ccsim-lost')].map("
                                   "i => i.naturalWidth).join() === '1500,900'")
        fac.locator(".ccsim-lost-wide").screenshot(path=str(SCREENSHOTS / "class-reveal-lost.png"))
        # on a phone, a small projector and a large one, every part of the reveal fits and reads
        for page, width, height, name in ((teams[0], 390, 844, "team-390x844"), (fac, 1024, 768, "1024x768"),
                                          (teams[1], 1024, 768, "team-1024x768"), (fac, 1920, 1080, "1920x1080")):
            check_reveal(page, width, height, name)
            check_table(page, ".ccsim-dashboard" if page in teams else ".ccsim-leaderboard", width, height,
                        BACK_OF_ROOM if page is fac and width >= 1920 else READABLE)
        # what the browsers did is what the room holds, and the market is its replay
        room = Classroom(db)
        levers = room.store.levers(code)
        assert all(levers[0, q]["humility"] == 1.0 and levers[1, q]["humility"] == 0.0 for q in (1, 2, 3, 4))
        assert {q for team, q in levers if team == 3} == {2, 3, 4}
        play = room.play(code)
        assert play.names == [*TEAMS, LATE]
        assert play.market.firms[0].humility == pytest.approx(0.5 + 4 * 0.1)
        assert play.market.firms[1].humility == pytest.approx(0.5 - 4 * 0.1)
        assert play.market.firms[3].humility == pytest.approx(0.5 - 3 * 0.1)      # a team from quarter 2
        (SCREENSHOTS / "class-race-1500x1000.png").write_bytes(room.race_png(code))   # to look at
        with fac.expect_download() as download:
            fac.get_by_text("CSV", exact=True).click()
        assert download.value.path().read_bytes() == room.export_csv(code, key)
    finally:
        for context in contexts:
            context.close()
        stop_server(proc)
