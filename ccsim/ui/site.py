"""The page ``ccsim ui`` serves: the class pages (ccsim.ui.classroom) when the address asks
for them (``?class`` or ``?room=...``), otherwise the app (ccsim.ui.app)."""

from __future__ import annotations

from urllib.parse import parse_qsl

import solara

from ccsim.ui import app, classroom

title = app.title


@solara.component
def Page():
    query = dict(parse_qsl(solara.use_router().search or "", keep_blank_values=True))
    if "class" in query or "room" in query:
        classroom.ClassPage(query)
    else:
        app.Page()
