"""Fixtures: a real ``ccsim ui`` server on a free port, Debian's chromium via Playwright."""

from __future__ import annotations

import pytest

from ccsim.commands.ui import ASSETS

from .driver import TIMEOUT, free_port, launch, new_context, open_app, start_server, stop_server


@pytest.fixture(scope="session")
def server():
    if not ASSETS.is_dir():
        pytest.fail(f"no offline Solara assets in {ASSETS}: run `make assets`")
    proc, _ = start_server(free_port())
    port = proc.args[proc.args.index("--port") + 1]
    yield f"http://127.0.0.1:{port}/"
    stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    context = new_context(browser, accept_downloads=True)
    yield context
    context.close()


@pytest.fixture
def page(context, server):
    return open_app(context, server)
