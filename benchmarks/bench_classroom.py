"""Speed of a class room (ccsim.classroom): what a facilitator and teams wait for.

The game: for 3 and 30 teams, at 2,000 and 100,000 customers, the first quarter
(building the market), the median of the next three, a team setting its levers (one
SQLite transaction), the leaderboard, the race PNG, one look of the server's clock (no
room due), and rebuilding the room after four quarters as a restarted server does
(replaying every quarter from the store).

The class (issue "Class mode"): a real ``ccsim ui`` and 30 teams joined from their own
browser contexts in one chromium, the facilitator advancing four quarters: seconds from
the click on Advance until every team's page shows the new quarter (median and p95 over
teams and quarters; the pages look at the room every second), the server's memory per
team (once the server is warm: ``warm``), errors in the pages and the server's log.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_ui import p95, rss_mb  # noqa: E402
from ccsim.classroom.room import Classroom  # noqa: E402
from ccsim.commands.ui import WARM  # noqa: E402
from tests.browser.driver import free_port, launch, new_context, start_server, stop_server  # noqa: E402

TEAMS = 30
RACE = "() => { const i = document.querySelector('img.ccsim-race, .ccsim-race img'); return i ? i.src : ''; }"
QUARTERS = 4
# the time (ms since the epoch) each quarter first showed in a team's page
WATCH = """() => {
  window.__shown = {};
  const note = () => {
    const el = document.querySelector(".ccsim-quarter");
    const m = el && el.textContent.match(/quarter (\\d+) of/);
    if (m && !(m[1] in window.__shown)) window.__shown[m[1]] = Date.now();
  };
  new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true});
  note();
}"""


def measure(teams: int, n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        room = Classroom(Path(tmp) / "room.sqlite3")
        code, key = room.create(seed=1, quarters=8, firms=teams, n_customers=n)
        joined = [room.join(code, f"team {k}") for k in range(teams)]
        began = time.perf_counter()
        for team, token in joined:
            room.set_levers(code, team, token, {"humility": 0.9})
        levers = (time.perf_counter() - began) / teams
        quarters = []
        for _ in range(4):
            began = time.perf_counter()
            room.advance(code, key)
            quarters.append(time.perf_counter() - began)
        began = time.perf_counter()
        room.leaderboard(code)
        board = time.perf_counter() - began
        began = time.perf_counter()
        room.race_png(code)
        png = time.perf_counter() - began
        began = time.perf_counter()
        for _ in range(20):
            room.tick()                 # the server's clock looks 4 times a second
        look = (time.perf_counter() - began) / 20
        began = time.perf_counter()
        Classroom(Path(tmp) / "room.sqlite3").play(code)
        rebuild = time.perf_counter() - began
    return {"first quarter s": quarters[0], "quarter s": statistics.median(quarters[1:]),
            "set levers ms": 1000 * levers, "leaderboard ms": 1000 * board, "race PNG s": png,
            "clock look ms": 1000 * look, "rebuild (4 quarters) s": rebuild}


def warm(proc, timeout: float = 60.0) -> None:
    """Wait until the server has loaded the compiled week (WARM in its log): it does so once,
    20 s after its first page when no page draws a chart (a class page draws none), which
    would otherwise add about 47 MB to the teams' memory."""
    until = time.monotonic() + timeout
    while WARM not in Path(proc.log).read_text() and time.monotonic() < until:
        time.sleep(0.2)


def class_load() -> list[tuple[str, str, str]]:
    """A facilitator and TEAMS teams in real browser contexts, QUARTERS quarters."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CCSIM_CLASSROOM_DB"] = str(Path(tmp) / "class.sqlite3")
        proc, _ = start_server(free_port())
        url = f"http://127.0.0.1:{proc.args[proc.args.index('--port') + 1]}/"
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                fac = new_context(browser).new_page()
                fac.set_default_timeout(120_000)
                fac.goto(f"{url}?class")
                fac.fill(".ccsim-quarters input", str(QUARTERS))
                fac.press(".ccsim-quarters input", "Enter")
                fac.fill(".ccsim-firms input", str(TEAMS))
                fac.press(".ccsim-firms input", "Enter")
                fac.click(".ccsim-start")
                code = fac.locator(".ccsim-joincode").inner_text().strip()
                warm(proc)
                before = rss_mb(proc.pid)
                pages = []
                for _ in range(TEAMS):
                    context = new_context(browser)
                    context.on("weberror", lambda e: errors.append(str(e.error)))
                    page = context.new_page()
                    page.set_default_timeout(120_000)
                    page.goto(f"{url}?room={code}")
                    pages.append(page)
                began = time.perf_counter()
                for k, page in enumerate(pages):
                    page.fill(".ccsim-join-name input", f"team {k + 1}")
                    page.click(".ccsim-join")
                for page in pages:
                    page.wait_for_selector(".ccsim-team-name")
                    page.evaluate(WATCH)
                joined = time.perf_counter() - began
                per_team = (rss_mb(proc.pid) - before) / TEAMS
                waits, by_quarter, projector, race = [], [], [], []
                for quarter in range(1, QUARTERS + 1):
                    fac.evaluate(f"() => {{ window.__race = ({RACE})(); }}")
                    clicked = time.time() * 1000
                    fac.click(".ccsim-advance")
                    fac.wait_for_function(f"() => document.body.innerText.includes('Quarter {quarter} of')",
                                          timeout=120_000)
                    projector.append((time.time() * 1000 - clicked) / 1000)
                    fac.wait_for_function(f"() => ![window.__race, ''].includes(({RACE})())", timeout=120_000)
                    race.append((time.time() * 1000 - clicked) / 1000)
                    for page in pages:
                        page.wait_for_function(f"() => window.__shown['{quarter}'] !== undefined",
                                               timeout=120_000)
                    shown = [(page.evaluate(f"window.__shown['{quarter}']") - clicked) / 1000 for page in pages]
                    waits += shown
                    by_quarter.append(statistics.median(shown))
                browser.close()
        finally:
            log = Path(proc.log).read_text()
            stop_server(proc)
    return [
        (f"{TEAMS} teams joined from their own browser contexts", f"{joined:.1f} s", ""),
        ("Advance until every team's page shows the quarter",
         f"median {statistics.median(waits):.2f} s, p95 {p95(waits):.2f} s", ""),
        ("... median by quarter (the last opens the reveal)", ", ".join(f"{w:.1f}" for w in by_quarter) + " s", ""),
        ("Advance until the projector shows the quarter, by quarter", ", ".join(f"{w:.1f}" for w in projector) + " s",
         ""),
        ("... and its race chart, by quarter", ", ".join(f"{w:.1f}" for w in race) + " s", ""),
        ("server memory per team", f"{per_team:.1f} MB", ""),
        ("page errors, server tracebacks", f"{len(errors)}, {log.count('Traceback')}", "0, 0"),
    ]


def main(game: bool = True):
    """Both tables (``--class-only``: the browsers' only)."""
    if game:
        sizes = [(3, 2000), (30, 2000), (30, 100_000)]
        rows = {f"{teams} teams, {n:,} customers": measure(teams, n) for teams, n in sizes}
        columns = list(next(iter(rows.values())))
        print(f"{'class room':28s}" + "".join(f"{c:>24s}" for c in columns))
        for label, values in rows.items():
            print(f"{label:28s}" + "".join(f"{values[c]:24.2f}" for c in columns))
    rows = class_load()
    width = max(len(r[0]) for r in rows)
    print(f"\n{'class (real chromium, real ccsim ui)':<{width}}  {'measured':<40}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<40}  {target}")


if __name__ == "__main__":
    main(game="--class-only" not in sys.argv)
