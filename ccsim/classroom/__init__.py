"""Class mode: one market (ccsim.Market), every team leads a firm, the facilitator runs the
clock (store.py keeps a room, room.py plays it; the pages are ccsim/ui/classroom.py)."""

from ccsim.params import ParamError


class RoomError(ParamError):
    """A request a room refuses; the message is one line, fit to show to whoever sent it."""


class WrongGuess(RoomError):
    """A room code, facilitator key or team token that is wrong (counted per client address)."""
