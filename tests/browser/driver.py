"""Driving a real ``ccsim ui`` server with Debian's chromium (tests and benchmarks share it)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
# flags that keep chromium from reaching the internet or needing a GPU
# (docs/DEVELOPING.md, Browser tests)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT = 20_000   # ms, for anything the page does
CHART = ".ccsim-echart[data-name='charts']"
# Click a button and resolve with the milliseconds until the charts show ``week``.
STEP_TO_CHART = """([selector, week]) => new Promise((resolve, reject) => {
  const chart = document.querySelector(CHART);
  const button = document.querySelector(selector);
  if (button.disabled) { reject(new Error(selector + " is disabled")); return; }
  const began = performance.now();
  const observer = new MutationObserver(() => {
    if (chart.dataset.week === String(week)) { observer.disconnect(); resolve(performance.now() - began); }
  });
  observer.observe(chart, {attributes: true});
  setTimeout(() => { observer.disconnect(); reject(new Error("no week " + week + " in 30 s")); }, 30000);
  button.click();
})""".replace("CHART", repr(CHART))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# A CDN that cannot answer: anything missing from the offline asset cache fails loudly.
NO_CDN = {"SOLARA_ASSETS_CDN": "http://127.0.0.1:9/no-cdn"}


def start_server(port: int, timeout: float = 90.0, cwd=None) -> tuple[subprocess.Popen, float]:
    """Start ``ccsim ui`` (the ccsim of checkout ``cwd``, default this directory's) and wait
    for HTTP 200; return the process and seconds it took."""
    began = time.perf_counter()
    log = tempfile.NamedTemporaryFile(prefix="ccsim-ui-", suffix=".log", delete=False)
    proc = subprocess.Popen([sys.executable, "-m", "ccsim", "ui", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, **NO_CDN}, cwd=cwd)
    proc.log = log.name   # the server's output, for a failing test to show
    url = f"http://127.0.0.1:{port}/"
    while time.perf_counter() - began < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"ccsim ui exited: {Path(log.name).read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return proc, time.perf_counter() - began
        except OSError:
            time.sleep(0.02)
    stop_server(proc)
    raise RuntimeError(f"ccsim ui did not answer on {url} within {timeout:.0f} s")


def stop_server(proc: subprocess.Popen):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    Path(proc.log).unlink(missing_ok=True)


def new_context(browser, **options):
    """A fresh browser context (empty cache, own cookies), at 1280x720 (a projector) unless
    ``viewport`` says otherwise."""
    return browser.new_context(**{"viewport": {"width": 1280, "height": 720}, **options})


def launch(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run `make chromium` (apt-get install -y chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def open_app(context, url: str):
    """A new page on the app, once its charts show week 0."""
    return load_app(context.new_page(), url)


def load_app(page, url: str):
    """Go to the app in ``page`` and return it once its charts show week 0."""
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    page.wait_for_selector(f"{CHART}[data-week]", timeout=60_000)
    return page


def week_shown(page) -> int:
    return int(page.get_attribute(CHART, "data-week"))


