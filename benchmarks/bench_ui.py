"""The browser app, measured in a real chromium against a real ``ccsim ui`` server.

Reports: time from ``ccsim ui`` to a usable page (charts drawn; the median of five cold
starts, each with the browser already open on an empty tab and an empty cache);
step-to-chart time (pressing Step until the chart shows the new week, measured in the
page) at the default size and at 10,000 customers, with a move made (so the run that did
not happen steps too); weeks per second while playing at full speed; 20 sessions playing
at 5 weeks a second at once (the weeks a second each page showed; the time a week took to
show, its median and p95: while playing the page is redrawn at most about 5 times a second
and a slow browser skips weeks, so a redraw's gap is shared by the weeks it brought; the
redraws; the CPU the server spent on a week and the browsers on a redraw; errors in the
pages and the server's log); the server's memory before and
after 20 sessions open and close, twice (a class all day).  Targets (issue "The app in
front of a room"): usable page < 2.5 s, step-to-chart median < 100 ms, 20 sessions at
5/s with no errors, memory back within 10%.

``python benchmarks/bench_ui.py`` measures the ccsim found from the current directory;
``--against DIR`` measures the usable page (quiet, and with every core held by a busy
loop), the server's time for a Step in-process, step-to-chart, the 20 sessions playing and
the memory over a class day of this checkout and of the checkout DIR (its
``.cache/solara-assets`` filled) side by side, taking turns.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import string
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser.driver import (  # noqa: E402
    CHART,
    STEP_TO_CHART,
    free_port,
    launch,
    load_app,
    new_context,
    open_app,
    start_server,
    stop_server,
    week_shown,
)

STEPS = 40
COLD_STARTS = 5
PLAYERS = 20
PLAY_SECONDS = 20
ROUNDS = 2            # rounds of PLAYERS sessions opened and closed (a class day)
PLAY_ROUNDS = 2       # side by side: rounds of playing each
# Step ``n`` times as fast as the page allows, recording each step-to-chart time.
STEP_LOOP = string.Template("""async (n) => {
  const stepToChart = $step;
  const chart = document.querySelector($chart);
  const times = [];
  for (let i = 0; i < n; i++) {
    times.push(await stepToChart([".ccsim-step", Number(chart.dataset.week) + 1]));
  }
  return times;
}""").substitute(step=STEP_TO_CHART, chart=repr(CHART))
# From now on, note each redraw: [milliseconds, the week drawn] (window.__drawn).
WATCH_WEEKS = string.Template("""() => {
  const chart = document.querySelector($chart);
  window.__drawn = [];
  new MutationObserver(() => window.__drawn.push([performance.now(), Number(chart.dataset.week)]))
    .observe(chart, {attributes: true, attributeFilter: ["data-week"]});
}""").substitute(chart=repr(CHART))


# The server's own time for a Step, in-process: the page rendered by Solara's test helper,
# its Step button clicked (the model's week, the charts' update, the controls' reactive
# parts), each widget message serialised as the server's kernel does (json.dumps).
SERVER_STEPS = """
import json, statistics, sys, time
import ipyvuetify as v
import solara
import solara.comm
from solara.routing import Router, router_context

solara.comm.DummyComm.publish_msg = lambda self, msg_type, data=None, metadata=None, buffers=None, **k: \\
    json.dumps({"data": data, "metadata": metadata or {}})
from ccsim.ui import app

@solara.component
def Linked(search: str):
    router_context.provide(Router(f"/?{search}", []))
    return app.Page()

out = {}
for name, search in json.loads(sys.argv[1]).items():
    _, rc = solara.render(Linked(search), handle_error=False)
    step = rc.find(v.Btn, class_="ccsim-step").widget
    for _ in range(5):
        step.click()
    times = []
    for _ in range(int(sys.argv[2])):
        began = time.perf_counter()
        step.click()
        times.append((time.perf_counter() - began) * 1000)
    out[name] = statistics.median(times)
print(json.dumps(out))
"""
SERVER_CASES = {"default": "", "compare, a move": "preset=hippo&vs=customer-centric&change=1:A:humility=0.8"}


def server_step_ms(checkout=None, steps: int = 250) -> dict[str, float]:
    """Median ms of the server's work for a Step in-process, per SERVER_CASES, in a fresh
    process that imports the ccsim of ``checkout`` (default this one)."""
    root = Path(checkout or Path(__file__).resolve().parent.parent)
    done = subprocess.run([sys.executable, "-c", SERVER_STEPS, json.dumps(SERVER_CASES), str(steps)],
                          cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def busy():
    """Every core held by a busy loop (a machine under load) while inside."""
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User and system time the process has had (/proc/PID/stat, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def browser_cpu_seconds() -> float:
    """CPU time of the running chromium processes (the browser, its renderers, its GPU
    process)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().startswith("chromium"):
                total += cpu_seconds(int(entry.name))
        except OSError:   # gone meanwhile
            pass
    return total


def p95(values):
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def step_times(page, n=STEPS):
    return [page.evaluate(STEP_TO_CHART, [".ccsim-step", week_shown(page) + 1]) for _ in range(n)]


def cold_start(browser, errors: list, checkout=None):
    """Start ``ccsim ui`` (of ``checkout``, default this one) with the browser already open
    on an empty tab (as in a workshop) and an empty cache; return the server, its address,
    the context, the page once usable, and the seconds to HTTP 200 and to the usable page."""
    context = new_context(browser)
    context.on("weberror", lambda e: errors.append(str(e.error)))
    page = context.new_page()
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    began = time.perf_counter()
    proc, http_ok = start_server(port, cwd=checkout)
    try:
        load_app(page, url)
    except Exception:
        stop_server(proc)
        raise
    return proc, url, context, page, http_ok, time.perf_counter() - began


def opened(browser, url: str, count: int, errors: list) -> list:
    """``count`` sessions, each in its own browser context, at week 0."""
    contexts = [new_context(browser) for _ in range(count)]
    for c in contexts:
        c.on("weberror", lambda e: errors.append(str(e.error)))
    return [open_app(c, url) for c in contexts]


def closed(pages):
    """Close sessions as a person closes a tab: the page unloads (Solara's close beacon)."""
    for page in pages:
        page.goto("about:blank")
        page.context.close()


class Play(NamedTuple):
    """What PLAYERS sessions playing at 5 weeks a second did."""

    rates: list[float]      # weeks per second of each session (the weeks its charts showed)
    redraws: list[float]    # redraws per second of each session
    gaps: list[float]       # ms between two redraws
    per_week: list[float]   # ms a week took to show, once per week (a redraw's gap over its weeks)
    server: float           # share of one core the server used
    server_ms: float        # server CPU ms a week stepped
    browser_ms: float       # browsers' CPU ms a redraw
    errors: int             # page errors meanwhile


def playing(browser, url: str, pid: int, errors: list) -> Play:
    """PLAYERS sessions playing at 5 weeks a second at once for PLAY_SECONDS (the browsers
    share this machine's cores; in a class they run on the students' machines)."""
    before = len(errors)
    pages = opened(browser, url, PLAYERS, errors)
    for page in pages:
        page.click(".ccsim-speed >> text=5/s")
        page.evaluate(WATCH_WEEKS)
    for page in pages:
        page.click(".ccsim-play")
    cpu, browsers, began = cpu_seconds(pid), browser_cpu_seconds(), time.perf_counter()
    time.sleep(PLAY_SECONDS)
    cpu, browsers = cpu_seconds(pid) - cpu, browser_cpu_seconds() - browsers
    seconds = time.perf_counter() - began
    out = Play([], [], [], [], cpu / seconds, 0.0, 0.0, 0)
    for page in pages:   # pause (a click in the page: Playwright's checks that the button is
        # stable timed out at a load average of 25)
        page.evaluate("document.querySelector('.ccsim-play').click()")
        drawn = page.evaluate("window.__drawn")
        span = max(drawn[-1][0] - drawn[0][0], 1)
        out.rates.append((drawn[-1][1] - drawn[0][1]) / span * 1000)
        out.redraws.append((len(drawn) - 1) / span * 1000)
        for (t0, w0), (t1, w1) in zip(drawn, drawn[1:]):
            out.gaps.append(t1 - t0)
            out.per_week.extend([(t1 - t0) / (w1 - w0)] * max(w1 - w0, 0))
    closed(pages)
    weeks = max(sum(out.rates) * seconds, 1)
    redraws = max(sum(out.redraws) * seconds, 1)
    return out._replace(server_ms=cpu / weeks * 1000, browser_ms=browsers / redraws * 1000,
                        errors=len(errors) - before)


def play_rows(runs: list[Play]) -> list[tuple[str, str, str]]:
    """The table's rows for one or more runs of ``playing``."""
    def every(field):
        return [v for run in runs for v in getattr(run, field)]

    rates, redraws, gaps, per_week = every("rates"), every("redraws"), every("gaps"), every("per_week")
    return [
        (f"{PLAYERS} sessions playing at 5/s for {PLAY_SECONDS} s: weeks/s a session",
         f"median {statistics.median(rates):.2f}, least {min(rates):.2f}", "5"),
        ("  ms a week takes to show (a redraw's gap over its weeks)",
         f"median {statistics.median(per_week):.0f}, p95 {p95(per_week):.0f}", "200"),
        ("  redraws/s a session; ms between redraws",
         f"{statistics.median(redraws):.2f}; median {statistics.median(gaps):.0f}, p95 {p95(gaps):.0f}", ""),
        ("  server CPU (share of one core); CPU ms: server a week, browsers a redraw",
         f"{statistics.median(r.server for r in runs):.0%}; {statistics.median(r.server_ms for r in runs):.1f}, "
         f"{statistics.median(r.browser_ms for r in runs):.1f}", ""),
        ("  page errors while playing", f"{sum(r.errors for r in runs)}", "0"),
    ]


def side_by_side(other: Path):
    """This checkout and ``other``, taking turns so that both see the same load: the usable
    page (COLD_STARTS cold starts each); then PLAY_ROUNDS times each, on a fresh server:
    step-to-chart, PLAYERS sessions playing, and (first round) the server's memory over a
    class day."""
    from playwright.sync_api import sync_playwright

    checkouts = {"this checkout": None, "other": str(other)}
    usable = {name: [] for name in checkouts}
    loaded = {name: [] for name in checkouts}
    server = {name: [] for name in checkouts}
    steps = {name: [] for name in checkouts}
    play = {name: [] for name in checkouts}
    memory = {}
    errors = []
    load = os.getloadavg()[0]
    for _ in range(PLAY_ROUNDS):
        for name, checkout in checkouts.items():
            server[name].append(server_step_ms(checkout))
            print(f"{name}: server ms a Step {server[name][-1]}", flush=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for times, load_it in ((usable, contextlib.nullcontext), (loaded, busy)):
            for _ in range(COLD_STARTS):
                for name, checkout in checkouts.items():
                    with load_it():
                        try:
                            proc, _, context, _, _, seconds = cold_start(browser, errors, checkout)
                        except Exception as error:   # charts not shown within 60 s: counted, not fatal
                            times[name].append(float("inf"))
                            errors.append(f"{name}: cold start: {str(error).splitlines()[0]}")
                            continue
                    times[name].append(seconds)
                    print(f"{name}: usable page {seconds:.2f} s{' (cores busy)' if times is loaded else ''}",
                          flush=True)
                    context.close()
                    stop_server(proc)
        for round_ in range(PLAY_ROUNDS):
            for name, checkout in checkouts.items():
                port = free_port()
                proc, _ = start_server(port, cwd=checkout)
                url = f"http://127.0.0.1:{port}/"
                try:
                    context = new_context(browser)
                    page = open_app(context, url)
                    steps[name] += step_times(page)
                    context.close()
                    play[name].append(playing(browser, url, proc.pid, errors))
                    print(f"{name}: steps {statistics.median(steps[name]):.0f} ms;",
                          "; ".join(f"{row[0].strip()}: {row[1]}" for row in play_rows(play[name][-1:])), flush=True)
                    if not round_:
                        memory[name] = class_day(browser, url, proc.pid, errors)
                        print(f"{name}: memory {memory[name]}", flush=True)
                    play[name][-1] = play[name][-1]._replace(
                        errors=play[name][-1].errors + Path(proc.log).read_text().count("Traceback"))
                finally:
                    stop_server(proc)
        browser.close()
    tables = {}
    for name in checkouts:
        u, lu, st, m = usable[name], loaded[name], steps[name], memory[name]
        tables[name] = [
            (f"ccsim ui to usable page ({COLD_STARTS} cold starts)",
             f"median {statistics.median(u):.2f} s, p95 {p95(u):.2f} s", "< 2.5 s"),
            ("  the same, every core held by a busy loop",
             f"median {statistics.median(lu):.2f} s, p95 {p95(lu):.2f} s", ""),
            *((f"server ms a Step in-process, {case} ({PLAY_ROUNDS} runs)",
               f"median {statistics.median(r[case] for r in server[name]):.2f} ms", "")
              for case in SERVER_CASES),
            (f"step-to-chart, 2,000 customers ({PLAY_ROUNDS} x {STEPS})",
             f"median {statistics.median(st):.0f} ms, p95 {p95(st):.0f} ms", "median < 100 ms"),
            *play_rows(play[name]),
            (f"server memory, {ROUNDS} x {PLAYERS} sessions opened and closed",
             " -> ".join(f"{x:.0f}" for x in m) + f" MB ({m[-1] / m[0] - 1:+.0%})", "within 10%"),
        ]
    print(f"ui side by side (machine load {load:.1f} -> {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores); "
          f"other = {other}")
    width = max(len(r[0]) for r in tables["this checkout"])
    print(f"{'':<{width}}  {'this checkout':<44}  {'other':<44}  target")
    for mine, theirs in zip(tables["this checkout"], tables["other"]):
        print(f"{mine[0]:<{width}}  {mine[1]:<44}  {theirs[1]:<44}  {mine[2]}")
    print(f"page errors (all): {len(errors)}")
    for error in errors[:5]:
        print(f"page error: {error[:200]}")


def class_day(browser, url: str, pid: int, errors: list) -> list[float]:
    """Server memory before and after each round of PLAYERS sessions opened, stepped and
    closed."""
    memory = [rss_mb(pid)]
    for _ in range(ROUNDS):
        pages = opened(browser, url, PLAYERS, errors)
        for page in pages:
            page.evaluate(f"(n) => {{ window.__bench = ({STEP_LOOP})(n); }}", 10)
        for page in pages:
            page.evaluate("window.__bench")
        closed(pages)
        time.sleep(5)
        memory.append(rss_mb(pid))
    return memory


def main():
    from playwright.sync_api import sync_playwright

    rows = [("machine load (1-min average, cores)", f"{os.getloadavg()[0]:.1f}, {os.cpu_count()}", "")]
    errors = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        starts = []
        for _ in range(COLD_STARTS):   # the last server stays up for the rest
            proc, url, context, page, http_ok, usable = cold_start(browser, errors)
            starts.append((http_ok, usable))
            if len(starts) < COLD_STARTS:
                context.close()
                stop_server(proc)
        try:
            http_ok, usable = (sorted(s) for s in zip(*starts))
            rows.append((f"ccsim ui to HTTP 200 ({COLD_STARTS} cold starts)",
                         f"median {statistics.median(http_ok):.1f} s", ""))
            rows.append((f"ccsim ui to usable page ({COLD_STARTS} cold starts)",
                         f"median {statistics.median(usable):.1f} s, range {usable[0]:.1f}-{usable[-1]:.1f} s",
                         "< 2.5 s"))
            second = time.perf_counter()
            open_app(context, url).close()
            rows.append(("page load, server running", f"{time.perf_counter() - second:.1f} s", ""))

            times = step_times(page)
            rows.append(("step-to-chart, 2,000 customers",
                         f"median {statistics.median(times):.0f} ms, p95 {p95(times):.0f} ms", "median < 100 ms"))
            before = rss_mb(proc.pid)
            big = open_app(context, url + "?n_customers=10000&change=1:A:humility=0.9")
            times = step_times(big)
            rows.append(("step-to-chart, 10,000 customers, after a move",
                         f"median {statistics.median(times):.0f} ms, p95 {p95(times):.0f} ms", ""))
            rows.append((f"  server memory of that session after {STEPS} weeks",
                         f"{rss_mb(proc.pid) - before:.1f} MB", "< 150 MB"))
            big.close()

            page.click(".ccsim-speed >> text=50/s")
            start_week, t0 = week_shown(page), time.perf_counter()
            page.click(".ccsim-play")
            time.sleep(5)
            rate = (week_shown(page) - start_week) / (time.perf_counter() - t0)
            page.click(".ccsim-play")
            rows.append(("weeks per second, playing at 50/s", f"{rate:.1f}", ">= 5"))
            closed([page])

            rows += play_rows([playing(browser, url, proc.pid, errors)])
            memory = class_day(browser, url, proc.pid, errors)
            rows.append((f"server memory, {ROUNDS} x {PLAYERS} sessions opened and closed",
                         " -> ".join(f"{m:.0f}" for m in memory) + f" MB ({memory[-1] / memory[0] - 1:+.0%})",
                         "within 10%"))
            log = Path(proc.log).read_text()
            rows.append(("page errors, server tracebacks", f"{len(errors)}, {log.count('Traceback')}", "0, 0"))
            browser.close()
        finally:
            stop_server(proc)
    width = max(len(r[0]) for r in rows)
    print(f"{'ui (real chromium, real ccsim ui)':<{width}}  {'measured':<52}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<52}  {target}")
    for error in errors[:5]:
        print(f"page error: {error[:200]}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, metavar="DIR", help="another checkout, measured side by side")
    parser.add_argument("--cold", type=int, default=COLD_STARTS, help="cold starts (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=PLAY_ROUNDS,
                        help="side by side: rounds of playing each (default %(default)s)")
    options = parser.parse_args()
    COLD_STARTS, PLAY_ROUNDS = options.cold, options.rounds
    if options.against:
        side_by_side(options.against)
    else:
        main()
