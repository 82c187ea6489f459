"""SIGTERM as an exception, ``Terminated``, raised in the main thread where cleanups run.

Python runs a signal handler between two bytecodes of whatever the main thread is doing.
An exception raised there is lost if that is a finaliser (a ``__del__``: Python prints
"Exception ignored" and goes on), and numba's compiler turns it into a RuntimeError.  So
the handler raises at once only outside those; inside them it records the request, and
``check()`` raises it at the next safe point: the end of each week of a run
(CultureModel.advance) and before an output is put in place (ccsim.output).
"""

from __future__ import annotations

import signal

_UNSAFE = ("numba", "llvmlite")
_requested = False


class Terminated(BaseException):
    """SIGTERM arrived; a BaseException, so that no ``except Exception`` swallows it."""


def install() -> None:
    """Turn SIGTERM into Terminated from now on (the main thread only)."""
    global _requested
    _requested = False
    signal.signal(signal.SIGTERM, _handle)


def check() -> None:
    """Raise Terminated (once) if SIGTERM arrived and could not be raised where it landed."""
    global _requested
    if _requested:
        _requested = False
        raise Terminated()


def _handle(signum, frame) -> None:
    global _requested
    while frame is not None:
        module = frame.f_globals.get("__name__") or ""
        if frame.f_code.co_name == "__del__" or module.split(".")[0] in _UNSAFE:
            _requested = True
            return
        frame = frame.f_back
    raise Terminated()
