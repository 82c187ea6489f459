"""A class room's game: teams lead rival firms in one ccsim.Market, a quarter at a time.

Before the first quarter teams join (a name; they get a token).  Each quarter a team sets
the culture it aims at (the culture levers of params.py); culture then moves toward that
aim by at most ``PACE`` per lever per quarter, so a swing from 0 to 1 takes ten quarters
(a model choice: culture is slow to change, Schein 2010; no study gives a pace).  The
facilitator advances the clock a quarter (13 weeks) at a time; at the end (or when the
facilitator opens it) the reveal shows every firm's levers and what its culture did.

The market is never stored: a room is rebuilt from its seed, settings, teams and the
levers recorded per quarter, replaying the quarters played, so a server that restarts
finds every room as it was after its last full quarter (docs/classroom.md).
"""

from __future__ import annotations

import io
import json
import secrets
import threading
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ccsim.classroom import RoomError
from ccsim.classroom.store import Store, matches
from ccsim.market import Market
from ccsim.model import QUARTER
from ccsim.params import CULTURE_TRAITS, PARAMS, ParamError

LEVERS = CULTURE_TRAITS
PACE = 0.1                      # the most a lever moves in a quarter (model choice)
LEVER_MARK = "levers"           # the model's mark for a quarter's culture (never shown: it is private)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I
CODE_LENGTH = 6
NAME_LENGTH = 24
MAX_TEAMS = 30
JOINS_PER_MINUTE = 60           # attempts per room
SETTINGS = {"quarters": (8, 1, 40), "n_customers": (2000, 100, 100_000)}   # default, lo, hi
BOARD = ["customers", "share", "nps", "cash"]


def move(now: dict, aim: dict, pace: float = PACE) -> dict:
    """Each lever ``pace`` at most from ``now`` toward ``aim``."""
    return {k: float(np.clip(aim[k], now[k] - pace, now[k] + pace)) for k in LEVERS}


def defaults() -> dict:
    return {k: float(PARAMS[k].default) for k in LEVERS}


def check_name(name) -> tuple[str, str]:
    """A team name and its folded form (for uniqueness), or RoomError."""
    name = unicodedata.normalize("NFC", str(name)).strip()
    allowed = (f"1 to {NAME_LENGTH} printable characters starting with a letter or digit")
    if not name or len(name) > NAME_LENGTH or not name.isprintable() or not name[0].isalnum():
        raise RoomError(f"team name {name[:NAME_LENGTH]!r} is not allowed; allowed: {allowed}")
    return name, " ".join(name.casefold().split())


def check_levers(levers) -> dict:
    """The culture a team aims at: every lever of LEVERS, each in its range."""
    if not isinstance(levers, dict):
        raise RoomError("levers: not a mapping; allowed: a value for each of " + ", ".join(LEVERS))
    unknown = sorted(set(levers) - set(LEVERS))
    if unknown:
        raise RoomError(f"levers: unknown lever {unknown[0]!r:.40}; allowed: {', '.join(LEVERS)}")
    try:
        return {**defaults(), **{k: float(PARAMS[k].check(v, "levers")) for k, v in levers.items()}}
    except ParamError as error:
        raise RoomError(str(error)) from None


class Play:
    """A room's market and what the reveal needs that the model does not record: staff-weeks
    of silence (concerns held back), weeks a known defect was denied, and who went where."""

    def __init__(self, seed: int, settings: dict, names: list[str]):
        n = len(names)
        share = min(PARAMS["initial_share"].default, 0.9 / n)   # every firm starts alike
        self.market = Market([{"name": name, "initial_share": share} for name in names], rng=seed,
                             n_customers=settings["n_customers"])
        self.names = names
        self.culture = [defaults() for _ in names]    # each firm's culture this quarter
        self.history: list[list[dict]] = []            # per quarter, each firm's culture
        self.quarter = 0
        self.silent = np.zeros(n, np.int64)
        self.denied = np.zeros(n, np.int64)
        self.flows = np.zeros((n + 1, n + 1), np.int64)   # [from + 1, to + 1]; 0 is no firm
        self._frame: pd.DataFrame | None = None

    def frame(self) -> pd.DataFrame:
        """Market.dataframe() as of the last quarter (made once a quarter: every screen reads it)."""
        if self._frame is None:
            self._frame = self.market.dataframe()
        return self._frame

    def play_quarter(self, aims: list[dict]) -> None:
        """Move each firm's culture toward its aim (``PACE``), then run 13 weeks."""
        firms = self.market.firms
        self.culture = [move(now, aim) for now, aim in zip(self.culture, aims)]
        for firm, culture in zip(firms, self.culture):
            if not firm.perished:
                firm.set_params(label=LEVER_MARK, **culture)
        self.history.append(self.culture)
        for _ in range(QUARTER):
            before = self.market.firm_of.copy()
            self.market.step()
            after = self.market.firm_of
            changed = before != after
            np.add.at(self.flows, (before[changed] + 1, after[changed] + 1), 1)
            for k, firm in enumerate(firms):
                if firm.perished_week is None or firm.perished_week == firm.steps:
                    self.silent[k] += int(np.count_nonzero(~firm.speaking))
                    self.denied[k] += int(firm.defect > 0 and firm.defect_known and not firm.defect_admitted)
        self.quarter += 1
        self._frame = None


@dataclass
class Open:
    """A room in this process: its lock, its market once the game has started."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    play: Play | None = None


class Classroom:
    """Every room of one server, kept in ``store`` (a path or a Store)."""

    def __init__(self, store):
        self.store = store if isinstance(store, Store) else Store(store)
        self._open: dict[str, Open] = {}
        self._lock = threading.Lock()

    # ----- who may do what -----
    def _room(self, code):
        row = self.store.room(str(code).strip().upper()) if isinstance(code, str) else None
        if row is None:
            raise RoomError(f"no room with the code {str(code)[:12]!r}; allowed: the code the facilitator shows")
        return row

    def facilitator(self, code, key):
        """The room, if ``key`` is its facilitator's; else RoomError."""
        row = self._room(code)
        if not matches(key, row.key_hash):
            raise RoomError("the facilitator key is wrong; allowed: the key in the facilitator's link")
        return row

    def _team(self, code, team, token):
        row = self._room(code)
        for t in self.store.teams(row.code):
            if t.team == team and matches(token, t.token_hash):
                return row, t
        raise RoomError("the team token is wrong for this team; allowed: your own team's link")

    def _entry(self, code: str) -> Open:
        with self._lock:
            return self._open.setdefault(code, Open())

    # ----- actions -----
    def create(self, seed: int | None = None, **settings) -> tuple[str, str]:
        """A new room: its join code and the facilitator's key."""
        unknown = sorted(set(settings) - set(SETTINGS))
        if unknown:
            raise RoomError(f"room: unknown setting {unknown[0]!r}; allowed: {', '.join(SETTINGS)}")
        values = {}
        for name, (default, lo, hi) in SETTINGS.items():
            value = settings.get(name, default)
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise RoomError(f"room: {name}={str(value)[:20]} is not allowed; allowed: a whole number "
                                f"in [{lo}, {hi}]")
            values[name] = value
        seed = secrets.randbelow(2**31) if seed is None else seed
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise RoomError(f"room: seed={str(seed)[:20]} is not allowed; allowed: a whole number in [0, 2**63)")
        key = secrets.token_urlsafe(16)
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if self.store.add_room(code, key, seed, values):
                return code, key

    def join(self, code, name) -> tuple[int, str]:
        """A new team in the room: its number and token.  Every attempt counts toward the
        room's limit of JOINS_PER_MINUTE, refused ones too."""
        row = self._room(code)
        if not self.store.count_join(row.code, time.time(), JOINS_PER_MINUTE):
            raise RoomError(f"too many joins; allowed: {JOINS_PER_MINUTE} a minute per room, try again shortly")
        name, folded = check_name(name)
        token = secrets.token_urlsafe(16)
        with self._entry(row.code).lock:
            return self.store.add_team(row.code, name, folded, token, MAX_TEAMS), token

    def set_levers(self, code, team: int, token, levers) -> int:
        """The culture team ``team`` aims at from the coming quarter on; returns that quarter."""
        row, t = self._team(code, team, token)
        aim = check_levers(levers)
        with self._entry(row.code).lock:
            return self.store.set_levers(row.code, t.team, aim)

    def advance(self, code, key) -> int:
        """Run the coming quarter (facilitator only); returns the quarter reached."""
        row = self.facilitator(code, key)
        entry = self._entry(row.code)
        with entry.lock:
            row = self.store.room(row.code)
            if row.quarter >= row.settings["quarters"]:
                raise RoomError(f"the game is over after {row.quarter} quarters; allowed: the reveal, exports")
            teams = self.store.teams(row.code)
            if not teams:
                raise RoomError("no team has joined; allowed: advancing once a team has joined")
            play = self._play(row, entry)
            aims = self._aims(row.code, teams, row.quarter + 1)
            play.play_quarter(aims)
            try:
                self.store.set_quarter(row.code, play.quarter)
            except BaseException:
                entry.play = None        # rebuilt from the store next time
                raise
            if play.quarter == row.settings["quarters"]:
                self.store.reveal(row.code)
        return play.quarter

    def open_reveal(self, code, key) -> None:
        """Show every firm's levers now (facilitator only)."""
        self.store.reveal(self.facilitator(code, key).code)

    # ----- the market, rebuilt when needed -----
    def _aims(self, code: str, teams, quarter: int) -> list[dict]:
        """What each team aims at in ``quarter``: its levers for the latest quarter up to it."""
        recorded = self.store.levers(code)
        aims = []
        for t in teams:
            set_for = [q for (team, q) in recorded if team == t.team and q <= quarter]
            aims.append(recorded[t.team, max(set_for)] if set_for else defaults())
        return aims

    def _play(self, row, entry: Open) -> Play:
        """The room's market at the quarter recorded (call with entry.lock held)."""
        if entry.play is None or entry.play.quarter != row.quarter:
            teams = self.store.teams(row.code)
            play = Play(row.seed, row.settings, [t.name for t in teams])
            for quarter in range(1, row.quarter + 1):
                play.play_quarter(self._aims(row.code, teams, quarter))
            entry.play = play
        return entry.play

    @contextmanager
    def reading(self, code):
        """The room's Play as recorded (None before the first quarter), for reading only:
        no quarter runs until the block ends."""
        entry = self._entry(self._room(code).code)
        with entry.lock:
            row = self._room(code)
            yield None if row.quarter == 0 else self._play(row, entry)

    def play(self, code) -> Play | None:
        """The room's market as recorded, or None before the first quarter (to read while no
        quarter runs, use ``reading``)."""
        with self.reading(code) as play:
            return play

    # ----- what each screen shows -----
    def status(self, code) -> dict:
        """What anyone with the code may see: quarter, length, teams' names, reveal open."""
        row = self._room(code)
        return {"code": row.code, "quarter": row.quarter, "quarters": row.settings["quarters"],
                "teams": [t.name for t in self.store.teams(row.code)], "revealed": row.revealed}

    def race(self, code) -> pd.DataFrame:
        """One row per week and firm (Market.dataframe; do not change it), empty before the
        first quarter."""
        with self.reading(code) as play:
            return pd.DataFrame() if play is None else play.frame()

    def leaderboard(self, code) -> pd.DataFrame:
        """Each firm now: customers, share, NPS, cash, still trading; best share first."""
        df = self.race(code)
        if df.empty:
            return pd.DataFrame(columns=["firm", *BOARD, "trading"])
        now = df[df.week == df.week.max()].copy()
        now["trading"] = now.perished.fillna(1).eq(0)
        return now[["firm", *BOARD, "trading"]].sort_values("share", ascending=False, kind="stable")

    def events(self, code) -> list[tuple[int, str]]:
        """What happened, by week: the model's marks (defects, fixes, shocks) and firms that
        ran out of cash; never a firm's levers."""
        out = []
        with self.reading(code) as play:
            for name, firm in zip(play.names if play else (), play.market.firms if play else ()):
                out += [(week, f"{name}: {text}") for week, text in firm.marks if text != LEVER_MARK]
                if firm.perished:
                    out.append((firm.perished_week, f"{name} ran out of cash"))
        return sorted(out)

    def dashboard(self, code, team: int, token) -> dict:
        """A team's own view: its firm's weeks, its culture now, what it aims at next."""
        row, t = self._team(code, team, token)
        with self.reading(row.code) as play:
            row = self._room(row.code)
            df = pd.DataFrame() if play is None else play.frame()
            culture = defaults() if play is None else dict(play.culture[t.team])
            aim = self._aims(row.code, [t], row.quarter + 1)[0]
        return {"name": t.name, "quarter": row.quarter, "quarters": row.settings["quarters"],
                "weeks": df[df.firm == t.name].reset_index(drop=True) if not df.empty else df,
                "culture": culture, "aim": aim}

    def reveal(self, code) -> pd.DataFrame:
        """For the debrief, once the reveal is open: per firm how its culture changed (each
        quarter's is in the CSV) and what it did: staff-weeks of concerns held back (an
        employee not speaking up that week), ideas shipped, those shipped untested and those
        that hurt customers, weeks a known defect was denied, customers lost and where they
        went."""
        row = self._room(code)
        if not row.revealed:
            raise RoomError("the reveal is not open yet; allowed: after the last quarter, or when the "
                            "facilitator opens it")
        with self.reading(row.code) as play:
            return pd.DataFrame() if play is None else _reveal(play)

    # ----- exports (facilitator only) -----
    def export_csv(self, code, key) -> bytes:
        """Every week and firm, with each firm's culture that quarter, under a '#' header."""
        row = self.facilitator(code, key)
        with self.reading(row.code) as play:
            row = self._room(row.code)
            df = pd.DataFrame() if play is None else play.frame().copy()
            history, names = ([], []) if play is None else (list(play.history), play.names)
        if history:
            quarter = ((df.week - 1).clip(lower=0) // QUARTER).clip(upper=len(history) - 1)
            for lever in LEVERS:
                table = {(q, name): h[k][lever] for q, h in enumerate(history) for k, name in enumerate(names)}
                df[lever] = [table[q, name] for q, name in zip(quarter, df.firm)]
        buffer = io.StringIO()
        buffer.write(f"# ccsim class room {row.code}, seed {row.seed}, settings {json.dumps(row.settings)}, "
                     f"quarter {row.quarter}, culture moves at most {PACE} a quarter\n")
        df.to_csv(buffer, index=False)
        return buffer.getvalue().encode()

    def race_png(self, code) -> bytes:
        """The market-share race (with customers, NPS and cash) as a PNG (ccsim.plots.race_figure)."""
        import matplotlib.pyplot as plt

        from ccsim.market import SHARE
        from ccsim.metrics import METRICS
        from ccsim.plots import race_figure

        row = self._room(code)
        df = self.race(row.code)
        if df.empty:
            raise RoomError("no quarter has been played yet; allowed: a PNG after the first quarter")
        names = list(dict.fromkeys(df.firm))
        metrics = [SHARE, *(METRICS[m] for m in BOARD if m != "share")]
        bands = []
        for name in names:
            own = df[df.firm == name]
            bands.append({m.name: (own.week.to_numpy(), own[m.name].to_numpy(float), own[m.name].to_numpy(float),
                                   own[m.name].to_numpy(float)) for m in metrics})
        labels = [name.replace("$", r"\$") for name in names]    # no mathtext from a team's name
        fig = race_figure(bands, labels, metrics, title=f"Class room {row.code}: the market-share race",
                          subtitle=f"quarter {row.quarter} of {row.settings['quarters']}, seed {row.seed}")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)
        plt.close(fig)
        return buffer.getvalue()


def _changes(start: dict, end: dict) -> str:
    """The levers that moved, as 'humility 0.50→0.90'."""
    moved = [f"{k} {start[k]:.2f}→{end[k]:.2f}" for k in LEVERS if abs(end[k] - start[k]) > 1e-9]
    return ", ".join(moved) or "unchanged"


def _reveal(play: Play) -> pd.DataFrame:
    """Classroom.reveal's table."""
    rows = []
    for k, (name, firm) in enumerate(zip(play.names, play.market.firms)):
        to = play.flows[k + 1]
        rivals = {other: int(to[j + 1]) for j, other in enumerate(play.names) if j != k}
        rows.append({
            "firm": name,
            "culture": _changes(defaults(), play.history[-1][k]),
            "staff_weeks_silent": int(play.silent[k]),
            "ideas_shipped": firm.ideas_shipped,
            "ideas_shipped_untested": firm.ideas_shipped_untested,
            "ideas_shipped_that_hurt": firm.ideas_shipped_harmful,
            "weeks_defect_denied": int(play.denied[k]),
            "customers_lost": int(to.sum() - to[k + 1]),
            "lost_to_no_firm": int(to[0]),
            "lost_to_rivals": ", ".join(f"{other} {n}" for other, n in rivals.items() if n) or "none",
        })
    return pd.DataFrame(rows)
