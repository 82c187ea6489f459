"""SIGTERM and Ctrl-C as exceptions (``Terminated``, ``KeyboardInterrupt``), raised in the
main thread where cleanups run.

Python runs a signal handler between two bytecodes of whatever the main thread is doing.
An exception raised there is lost if that is a finaliser (a ``__del__``: Python prints
"Exception ignored" and goes on), and numba's compiler turns it into a RuntimeError.  So
the handler raises at once only outside those; inside them it records the signal, and
``check()`` raises it at the next safe point: the end of each week of a run
(CultureModel.advance) and before an output is put in place (ccsim.output).
"""

from __future__ import annotations

import signal

_UNSAFE = ("numba", "llvmlite")
_pending: type[BaseException] | None = None


class Terminated(BaseException):
    """SIGTERM arrived; a BaseException, so that no ``except Exception`` swallows it."""


_RAISES = {signal.SIGTERM: Terminated, signal.SIGINT: KeyboardInterrupt}


def install() -> None:
    """Turn SIGTERM, and Ctrl-C unless it is ignored (a job started in the background),
    into their exceptions from now on (the main thread only)."""
    global _pending
    _pending = None
    signal.signal(signal.SIGTERM, _handle)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _handle)


def check() -> None:
    """Raise (once) a signal's exception that could not be raised where it landed."""
    global _pending
    if _pending is not None:
        error, _pending = _pending, None
        raise error()


def _handle(signum, frame) -> None:
    global _pending
    while frame is not None:
        module = frame.f_globals.get("__name__") or ""
        if frame.f_code.co_name == "__del__" or module.split(".")[0] in _UNSAFE:
            _pending = _RAISES[signum]
            return
        frame = frame.f_back
    raise _RAISES[signum]()
