"""The two browser-side widgets of the app: an echarts chart and the address-bar sync.

Charts are drawn in the browser by echarts (loaded through Solara's asset proxy, so it
works offline once the asset cache is filled): a new week sends only data, never an image.
"""

from __future__ import annotations

import ipyvuetify
import traitlets


# the echarts build that solara's own echarts component loads (and the asset cache holds)
ECHARTS_JS = "echarts@5.4.0/dist/echarts.min.js"


class EChart(ipyvuetify.VuetifyTemplate):
    """A chart: ``option`` is the layout (set in full), ``update`` is merged every week."""

    template_file = (__file__, "echart.vue")
    lib = traitlets.Unicode(ECHARTS_JS).tag(sync=True)
    drawn = traitlets.Int(-1).tag(sync=True)   # the week the browser has drawn (set by the page)
    name = traitlets.Unicode("").tag(sync=True)
    option = traitlets.Dict({}).tag(sync=True)
    update = traitlets.Dict({}).tag(sync=True)
    height = traitlets.Unicode("400px").tag(sync=True)
    png = traitlets.Int(0).tag(sync=True)
    png_name = traitlets.Unicode("ccsim.png").tag(sync=True)


class UrlSync(ipyvuetify.VuetifyTemplate):
    """Writes ``query`` into the page's address without reloading it."""

    template_file = (__file__, "url_sync.vue")
    query = traitlets.Unicode("").tag(sync=True)


class Readout(ipyvuetify.VuetifyTemplate):
    """A line of text that the page rewrites every week without re-rendering anything."""

    template = traitlets.Unicode('<template><span :class="kind">{{ text }}</span></template>').tag(sync=True)
    text = traitlets.Unicode("").tag(sync=True)
    kind = traitlets.Unicode("").tag(sync=True)   # its CSS class
