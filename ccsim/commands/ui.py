"""``ccsim ui``: start the browser app (Solara's server on ccsim.ui.site: the app, and the class pages).

Listens on 127.0.0.1 unless told otherwise.  Solara's front-end is served from the asset
cache that ``make run`` / ``make test`` fill from the npm registry
(scripts/solara_assets.py), so the app works with no internet.
"""

from __future__ import annotations

import gc
import os
import re
import socket
import sys
import threading
import time
import urllib.request
import warnings
from pathlib import Path

from ccsim.cli import UsageError

ASSETS = Path(__file__).resolve().parents[2] / ".cache" / "solara-assets"


def add_parser(subparsers):
    parser = subparsers.add_parser("ui", help="the browser app (Solara)",
                                   description="Start the browser app: one model per browser session.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    parser.set_defaults(handler=main)
    return parser


# addresses that only this machine can reach
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def server_env(environ=None, host: str = "127.0.0.1") -> dict:
    """The environment for Solara's server: offline assets, no telemetry, sessions that
    are closed free their memory after 15 minutes, no check of the rules of hooks when the
    app is loaded (a development aid that parses every component's source at start-up; the
    tests render the app with it on), no "runs on Solara" banner over the charts.  For
    this machine only (``host`` a loopback address) responses go uncompressed: compressing
    Solara's 7 MB of scripts and styles took longer than sending them (about 0.4 s of
    server time at the first page load)."""
    env = dict(os.environ if environ is None else environ)
    env.setdefault("SOLARA_ASSETS_PROXY_CACHE_DIR", str(ASSETS))
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "15m")
    env.setdefault("SOLARA_CHECK_HOOKS", "off")
    env.setdefault("SOLARA_GC_FREEZE", "False")   # done later by freeze_startup_state
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "False")   # it covered the charts' corner at 1280x720
    if host in LOOPBACK:
        env.setdefault("SOLARA_SERVER_HTTP_GZIP", "False")
    return env


def solara_args(host: str, port: int) -> list[str]:
    return ["run", "ccsim.ui.site:Page", "--host", host, "--port", str(port), "--production",
            "--no-open", "--no-check-version", "--log-level", "warning"]


ASSET_REF = re.compile(r'(?:href|src)="(/(?:_solara|static)/[^"]+)"')


def fetch(url: str, gzip: bool = False) -> bytes:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def freeze_startup_state():
    """gc.freeze() what the process has loaded (Solara, Mesa, pandas...), so that garbage
    collections skip it.  Solara would do this at start-up, before Mesa is imported (it is
    off in server_env: its full collection delays the first page); here it runs once the
    model is imported, and only while no session exists, since a session must stay free to
    be collected."""
    from solara.server import kernel_context

    if not kernel_context.contexts:
        gc.collect()
        gc.freeze()


WARM = "ccsim ui: warmed up (the compiled week is loaded)"   # the log's line once warm_up has stepped


def warm_up(url: str, compressed: bool, timeout: float = 120.0, first_page: float = 20.0):
    """Once the server has answered its first page, get ready for the first visitor: import
    the model and read the presets (importing Mesa takes seconds, so the server starts
    without it and imports it while the browser loads the page), then freeze what the
    process keeps for good and, once a page has drawn its charts (or after ``first_page``
    seconds), step a tiny model (loading the compiled week from its cache) and say so (WARM);
    if the server compresses, also fetch the page's static files
    once, so that nobody waits for Solara to compress them (it keeps them compressed)."""
    began = time.monotonic()
    while True:
        try:
            page = fetch(url).decode("utf-8", "replace")
            break
        except OSError:
            if time.monotonic() - began > timeout:
                return
            time.sleep(0.05)
    import ccsim.model
    from ccsim.ui.session import presets
    from ccsim.ui.widgets import DRAWN

    presets()
    freeze_startup_state()
    # load the compiled week from numba's cache before the first visitor's first week, but
    # after their first page is drawn: loading it (1-1.5 s, mostly holding the GIL) while
    # the server renders that page delayed it
    DRAWN.wait(first_page)
    ccsim.model.CultureModel(rng=0, n_customers=10, customer_agents=False).advance(1)
    print(WARM, flush=True)
    if not compressed:
        return
    from ccsim.ui.widgets import ECHARTS_JS

    for path in dict.fromkeys(ASSET_REF.findall(page) + [f"/_solara/cdn/{ECHARTS_JS}"]):
        try:
            fetch(url.rstrip("/") + path, gzip=True)
        except OSError:
            pass


def tolerate_partial_imports():
    """Make reacton's lazy type check safe while another thread imports the module it asks
    about.  The first page renders while the warm-up thread imports Mesa, and with it
    pandas; reacton's ``use_state`` asks whether a value is a ``pandas.DataFrame`` whenever
    pandas is in ``sys.modules``, and a pandas still being imported has no ``DataFrame``
    yet: the render raised AttributeError and the page never showed its charts (seen in
    about one cold start in five under load).  Here such a check waits for that import to
    finish (Python's import lock), and a name a module lacks is no type."""
    import importlib

    import reacton.utils

    def import_item(name: str):
        module_name, _, attribute = name.rpartition(".")
        if not module_name:
            return sys.modules.get(name)
        module = sys.modules.get(module_name)
        if module is None:
            return None
        if getattr(getattr(module, "__spec__", None), "_initializing", False):
            module = importlib.import_module(module_name)   # waits for the other thread
        return getattr(module, attribute, None)

    reacton.utils.import_item = import_item


def main(args) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port={args.port} must be in [1, 65535]")
    try:
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as error:
        raise UsageError(f"--host={args.host} --port={args.port}: cannot listen there "
                         f"({error.strerror}); choose another port") from None
    env = server_env(host=args.host)
    if not Path(env["SOLARA_ASSETS_PROXY_CACHE_DIR"]).is_dir():
        print(f"ccsim ui: no offline asset cache at {env['SOLARA_ASSETS_PROXY_CACHE_DIR']}; the page "
              "needs the internet (fill the cache: python scripts/solara_assets.py)", file=sys.stderr)
    print(f"ccsim ui: http://{args.host}:{args.port}/", flush=True)
    # Solara's server runs in this process; its settings read the environment when first
    # imported, so set it before.
    os.environ.update(env)
    # plain http on 127.0.0.1 is the intended set-up; Solara warns about cookies at every page load
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    from solara.__main__ import cli
    from solara.server import settings

    tolerate_partial_imports()

    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    threading.Thread(target=warm_up, args=(f"http://{host}:{args.port}/", settings.server.http_gzip),
                     daemon=True).start()

    cli.main(args=solara_args(args.host, args.port), prog_name="ccsim ui", standalone_mode=False)
    return 0
