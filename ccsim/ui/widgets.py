"""The browser-side widgets of the app: an echarts chart, a text readout, the address-bar
sync, a file download and presenter mode's keyboard.

They are plain Jupyter widgets whose views live in ccsim/assets/widgets.js, an AMD module
that Solara's page loads with requirejs; they use no Vue, so the browser loads no template
compiler before it can draw them.  Charts are drawn in the browser by echarts (loaded
through Solara's asset proxy, so it works offline once the asset cache is filled): a new
week sends only data, never an image.
"""

from __future__ import annotations

import json
import threading

import ipywidgets
import traitlets

# the echarts build that solara's own echarts component loads (and the asset cache holds)
ECHARTS_JS = "echarts@5.4.0/dist/echarts.min.js"
# the requirejs name of ccsim/assets/widgets.js (custom.js gives its path)
MODULE = "ccsim-widgets"
# set once a chart in any session has drawn a week: ``ccsim ui`` waits for it before it
# loads the compiled week, which would slow down the first page
DRAWN = threading.Event()


class Widget(ipywidgets.DOMWidget):
    """A widget drawn by the view of widgets.js named like its class."""

    _view_module = traitlets.Unicode(MODULE).tag(sync=True)
    _view_module_version = traitlets.Unicode("*").tag(sync=True)

    @traitlets.default("_view_name")
    def _default_view_name(self):
        return type(self).__name__


class EChart(Widget):
    """A chart: ``option`` is the layout (set in full), ``update`` is merged every week.

    ``update`` travels as one JSON text (``update_json``), written once on the server and
    read once in the page: a Dict trait is compared part by part on both sides every week
    (in the page by Backbone's deep ``isEqual``) and sent with spaces (docs/DEVELOPING.md,
    Speed notes (browser app))."""

    lib = traitlets.Unicode(ECHARTS_JS).tag(sync=True)
    drawn = traitlets.Int(-1).tag(sync=True)   # the week the browser has drawn (set by the page)
    name = traitlets.Unicode("").tag(sync=True)
    option = traitlets.Dict({}).tag(sync=True)
    update_json = traitlets.Unicode("{}").tag(sync=True)
    height = traitlets.Unicode("400px").tag(sync=True)
    size = traitlets.List([]).tag(sync=True)   # [width, window height below it] in px (set by the page)
    png = traitlets.Int(0).tag(sync=True)
    png_name = traitlets.Unicode("ccsim.png").tag(sync=True)
    handout = traitlets.Dict({}).tag(sync=True)   # {"head": [title, lines], "foot": [lines]} around the PNG

    @property
    def update(self) -> dict:
        """The update last sent, as the browser reads it."""
        return json.loads(self.update_json)

    @update.setter
    def update(self, value: dict):
        try:
            text = json.dumps(value, separators=(",", ":"), allow_nan=False)
        except ValueError:   # NaN or infinity, which JSON lacks: sent as null (a gap in a line)
            text = json.dumps(_finite(value), separators=(",", ":"))
        self.update_json = text

    @traitlets.observe("drawn")
    def _drawn(self, change):
        if change["new"] >= 0:
            DRAWN.set()


class UrlSync(Widget):
    """Writes ``query`` into the page's address without reloading it."""

    query = traitlets.Unicode("").tag(sync=True)


class Readout(Widget):
    """A line of text that the page rewrites every week without re-rendering anything."""

    text = traitlets.Unicode("").tag(sync=True)
    kind = traitlets.Unicode("").tag(sync=True)   # its CSS class


class Download(Widget):
    """Saves ``file`` ({"name", "type", "text", "n"}, or {"name", "url", "n"} with a data URL
    for a binary file) in the browser whenever it changes; ``n`` counts the downloads, so
    that the same file can be saved twice."""

    file = traitlets.Dict({}).tag(sync=True)


class Keys(Widget):
    """Presenter mode's keyboard: ``pressed`` is {"key": "space", "right" or "escape", "n":
    how many presses so far} (set by the page)."""

    pressed = traitlets.Dict({}).tag(sync=True)


def _finite(value):
    """``value`` with every NaN and infinity replaced by None."""
    if isinstance(value, float):
        return value if value - value == 0 else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
