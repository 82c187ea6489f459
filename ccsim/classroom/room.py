"""A class room's game: teams lead rival firms in one ccsim.Market, a quarter at a time.

The facilitator chooses the number of firms when opening the room; the market has that
many from the start.  Teams join (a name; they get a token) and each leads the first free
firm, before the first quarter or later (a late team takes over a firm that has run on the
starting culture until then); a firm no team leads keeps the starting culture.  Each
quarter a team sets the culture it aims at (the culture levers of params.py); culture then
moves toward that aim by at most ``PACE`` per lever per quarter, so a swing from 0 to 1
takes ten quarters (a model choice: culture is slow to change, Schein 2010; no study gives
a pace).  The facilitator advances a quarter (13 weeks) at a time, or lets a clock do it
every ``CLOCK_PERIODS`` seconds; at the end (or when the facilitator opens it) the reveal
shows every firm's levers and what its culture did.

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
import traceback
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ccsim.classroom import RoomError, WrongGuess
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
JOINS_PER_MINUTE = 60           # attempts per room
GUESSES_PER_MINUTE = 20         # wrong codes, keys and tokens per client address
CLOCK_PERIODS = (30, 60, 120, 180)   # the clock's choices, seconds a quarter
# default, lo, hi; firms: teams that can play (team k leads firm k)
SETTINGS = {"quarters": (8, 1, 40), "firms": (6, 1, 30), "n_customers": (2000, 100, 100_000)}
BOARD = ["customers", "share", "nps", "cash"]
NAME_END = 11                   # characters of a name at a line's end in the race PNG (all in the table)
OUTSIDE = "no firm (left the market)"   # where a lost customer went who chose no firm
OTHERS = "the other firms"              # the lost chart's rivals beyond the NAMED that won most
NAMED = 5
# the PNGs for a projector: large type, thick lines
# pyplot and its style are one state per process: one thread draws at a time (every team's
# page asks for the reveal's chart at once)
DRAWING = threading.Lock()
PROJECTOR = {"font.size": 20, "axes.titlesize": 24, "xtick.labelsize": 18, "ytick.labelsize": 18,
             "axes.labelsize": 20, "figure.titlesize": 28, "legend.fontsize": 20, "lines.linewidth": 4.5}
# the reveal's chart on a phone (lost_figure, narrow): 5 inches (360 points) at 180 dpi, 900 px, shown
# about 380 px wide: a point of type is about a pixel on the phone's page
PHONE = {"font.size": 14, "xtick.labelsize": 14, "ytick.labelsize": 15, "axes.labelsize": 14,
         "figure.titlesize": 16, "legend.fontsize": 14}
LOST_DPI = {False: 100, True: 180}      # the reveal's chart for a projector (1500 px wide), a phone (900 px)


def move(now: dict, aim: dict, pace: float = PACE) -> dict:
    """Each lever ``pace`` at most from ``now`` toward ``aim``."""
    return {k: float(np.clip(aim[k], now[k] - pace, now[k] + pace)) for k in LEVERS}


def defaults() -> dict:
    return {k: float(PARAMS[k].default) for k in LEVERS}


def free_name(firm: int) -> str:
    """A firm no team leads (yet); never a team's name, which starts with a letter or digit."""
    return f"(free firm {firm + 1})"


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

    def rename(self, firm: int, name: str) -> None:
        """A team takes over ``firm``: its name everywhere, its weeks so far included."""
        self.names[firm] = self.market.names[firm] = name
        self._frame = None

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
        self._lost_png: dict[tuple[str, bool], tuple[bytes, bytes]] = {}   # by room, narrow: (the counts, their PNG)

    # ----- who may do what -----
    def _room(self, code):
        row = self.store.room(str(code).strip().upper()) if isinstance(code, str) else None
        if row is None:
            raise WrongGuess(f"no room with the code {str(code)[:12]!r}; allowed: the code the facilitator shows")
        return row

    @contextmanager
    def _guessing(self, address: str | None):
        """Refuse ``address`` once it has sent GUESSES_PER_MINUTE wrong codes, keys or
        tokens in a minute (right ones too, until the minute has passed); count a wrong one
        raised in the block.  ``None``: a caller with no address (a script, a test)."""
        if address is not None and self.store.wrong_guesses(address, time.time()) >= GUESSES_PER_MINUTE:
            raise RoomError(f"too many wrong codes, keys or team links from your address; allowed: "
                            f"{GUESSES_PER_MINUTE} a minute, try again in a minute")
        try:
            yield
        except WrongGuess:
            if address is not None:
                self.store.count_wrong_guess(address, time.time())
            raise

    def facilitator(self, code, key, address: str | None = None):
        """The room, if ``key`` is its facilitator's; else RoomError (a wrong code or key
        counts against ``address``)."""
        with self._guessing(address):
            row = self._room(code)
            if not matches(key, row.key_hash):
                raise WrongGuess("the facilitator key is wrong; allowed: the key in the facilitator's link")
        return row

    def team(self, code, team, token, address: str | None = None):
        """The room and the team, if ``token`` is team ``team``'s; else RoomError (a wrong
        code or token counts against ``address``)."""
        with self._guessing(address):
            row = self._room(code)
            for t in self.store.teams(row.code):
                if t.team == team and matches(token, t.token_hash):
                    return row, t
            raise WrongGuess("the team token is wrong for this team; allowed: your own team's link")

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

    def join(self, code, name, address: str | None = None) -> tuple[int, str]:
        """A new team in the room, the leader of the first free firm: its number and token.
        Every attempt counts toward the room's limit of JOINS_PER_MINUTE, refused ones too;
        a wrong code counts against ``address``."""
        with self._guessing(address):
            row = self._room(code)
        if not self.store.count_join(row.code, time.time(), JOINS_PER_MINUTE):
            raise RoomError(f"too many joins; allowed: {JOINS_PER_MINUTE} a minute per room, try again shortly")
        name, folded = check_name(name)
        token = secrets.token_urlsafe(16)
        entry = self._entry(row.code)
        with entry.lock:
            team = self.store.add_team(row.code, name, folded, token)
            if entry.play is not None:
                entry.play.rename(team, name)
        return team, token

    def set_levers(self, code, team: int, token, levers) -> int:
        """The culture team ``team`` aims at from the coming quarter on; returns that quarter."""
        row, t = self.team(code, team, token)
        aim = check_levers(levers)
        with self._entry(row.code).lock:
            return self.store.set_levers(row.code, t.team, aim)

    def advance(self, code, key, to: int | None = None) -> int:
        """Run the coming quarter (facilitator only); returns the quarter reached.  With
        ``to`` (the quarter the page offered), nothing runs if the room has reached it."""
        row = self.facilitator(code, key)
        return self._advance(row.code, row.quarter + 1 if to is None else to)

    def _advance(self, code: str, to: int, tick: float = 0.0) -> int:
        """Run quarter ``to`` if the quarter recorded is the one before it (so that a click
        and a tick, two pages or two servers never run one quarter twice); the quarter
        reached.  A running clock counts its next period from when the quarter has run (not
        before ``tick``, the clock's time that ran it)."""
        entry = self._entry(code)
        with entry.lock:
            row = self._room(code)          # RoomError if deleted meanwhile
            if row.quarter != to - 1:
                return row.quarter
            if row.quarter >= row.settings["quarters"]:
                raise RoomError(f"the game is over after {row.quarter} quarters; allowed: the reveal, exports")
            if not self.store.teams(code):
                raise RoomError("no team has joined; allowed: advancing once a team has joined")
            play = self._play(row, entry)
            play.play_quarter(self._aims(code, row.settings["firms"], to))
            recorded = False
            try:
                recorded = self.store.set_quarter(code, to, to == row.settings["quarters"], max(tick, time.time()))
            finally:
                if not recorded:
                    entry.play = None        # rebuilt from the store next time
        return to

    # ----- the clock -----
    def start_clock(self, code, key, period: int) -> None:
        """A quarter every ``period`` seconds (one of CLOCK_PERIODS), the first ``period``
        from now (facilitator only)."""
        row = self.facilitator(code, key)
        if period not in CLOCK_PERIODS:
            raise RoomError(f"clock: {str(period)[:12]} seconds is not allowed; allowed: "
                            f"{', '.join(map(str, CLOCK_PERIODS))}")
        if row.quarter >= row.settings["quarters"]:
            raise RoomError("the game is over; allowed: the reveal, exports")
        if not self.store.teams(row.code):
            raise RoomError("no team has joined; allowed: starting the clock once a team has joined")
        self.store.set_clock(row.code, period, True, time.time())

    def pause_clock(self, code, key) -> None:
        row = self.facilitator(code, key)
        self.store.set_clock(row.code, row.clock_period, False, time.time())

    def tick(self, now: float | None = None) -> list[str]:
        """Run the quarter of every room whose clock is due at ``now``; the rooms advanced.
        A room the clock cannot advance has its clock paused."""
        advanced = []
        now = time.time() if now is None else now
        for code, quarter in self.store.claim_ticks(now):
            try:
                self._advance(code, quarter + 1, now)
            except RoomError:
                self.store.set_clock(code, 0, False, 0.0)
            advanced.append(code)
        return advanced

    def run_clock(self, stop: threading.Event, on_tick=lambda: None, every: float = 0.25) -> None:
        """The server's clock (a thread): resume the clocks left running, then tick every
        ``every`` seconds until ``stop``, calling ``on_tick`` after rooms advanced."""
        self.store.resume_clocks(time.time())
        while not stop.wait(every):
            try:
                if self.tick():
                    on_tick()
            except Exception:          # a failed look (a locked file): the next one tries again
                traceback.print_exc()

    # ----- reset, delete (facilitator only) -----
    def reset(self, code, key) -> None:
        """Back to quarter 0, same seed, same teams (all from the start); every lever set,
        every quarter played and the reveal are gone; the clock is paused."""
        code = self.facilitator(code, key).code
        entry = self._entry(code)
        with entry.lock:
            self.store.reset(code)
            entry.play = None

    def delete(self, code, key) -> None:
        """The room, gone from the file: its code, teams and levers."""
        code = self.facilitator(code, key).code
        with self._entry(code).lock:
            self.store.delete(code)
        with self._lock:
            self._open.pop(code, None)

    def open_reveal(self, code, key) -> None:
        """Show every firm's levers now (facilitator only)."""
        self.store.reveal(self.facilitator(code, key).code)

    # ----- the market, rebuilt when needed -----
    def _aims(self, code: str, firms, quarter: int) -> list[dict]:
        """What each of ``firms`` (a number: all of them, or a list of firms) aims at in
        ``quarter``: its team's levers for the latest quarter up to it, else the start."""
        recorded = self.store.levers(code)
        aims = []
        for firm in range(firms) if isinstance(firms, int) else firms:
            set_for = [q for (team, q) in recorded if team == firm and q <= quarter]
            aims.append(recorded[firm, max(set_for)] if set_for else defaults())
        return aims

    def _names(self, row) -> list[str]:
        """The firms' names: their teams', or free_name."""
        names = [t.name for t in self.store.teams(row.code)]
        return names + [free_name(k) for k in range(len(names), row.settings["firms"])]

    def _play(self, row, entry: Open) -> Play:
        """The room's market at the quarter recorded (call with entry.lock held)."""
        if entry.play is None or entry.play.quarter != row.quarter:
            play = Play(row.seed, row.settings, self._names(row))
            for quarter in range(1, row.quarter + 1):
                play.play_quarter(self._aims(row.code, row.settings["firms"], quarter))
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
        """What anyone with the code may see: quarter, length, firms, teams' names, reveal
        open, the clock (seconds a quarter, and when the next quarter runs or None)."""
        row = self._room(code)
        return {"code": row.code, "quarter": row.quarter, "quarters": row.settings["quarters"],
                "firms": row.settings["firms"], "teams": [t.name for t in self.store.teams(row.code)],
                "revealed": row.revealed, "clock": row.clock_period, "next": row.clock_next}

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
        row, t = self.team(code, team, token)
        with self.reading(row.code) as play:
            row = self._room(row.code)
            df = pd.DataFrame() if play is None else play.frame()
            culture = defaults() if play is None else dict(play.culture[t.team])
            aim = self._aims(row.code, [t.team], row.quarter + 1)[0]
        return {"name": t.name, "quarter": row.quarter, "quarters": row.settings["quarters"], "joined": t.joined,
                "weeks": df[df.firm == t.name].reset_index(drop=True) if not df.empty else df,
                "culture": culture, "aim": aim}

    def reveal(self, code) -> pd.DataFrame:
        """For the debrief, once the reveal is open: per firm how its culture changed (each
        quarter's is in the CSV) and what it did: staff-weeks of concerns held back (an
        employee not speaking up that week), ideas shipped, those shipped untested and those
        that hurt customers, weeks a known defect was denied, customers lost and where they
        went."""
        row = self._revealed(code)
        joined = {t.team: t.joined for t in self.store.teams(row.code)}
        with self.reading(row.code) as play:
            return pd.DataFrame() if play is None else _reveal(play, joined)

    def lost(self, code) -> pd.DataFrame:
        """Once the reveal is open: where each firm's lost customers went, over the game so
        far; a row per firm, a column per destination (each firm, then OUTSIDE)."""
        with self.reading(self._revealed(code).code) as play:
            if play is None:
                return pd.DataFrame(columns=[OUTSIDE])
            table = pd.DataFrame(play.flows[1:, 1:], index=list(play.names), columns=list(play.names))
            table[OUTSIDE] = play.flows[1:, 0]
            return table

    def lost_png(self, code, narrow: bool = False) -> bytes:
        """Classroom.lost as a PNG (lost_figure): for a projector, or ``narrow`` for a phone;
        drawn once for every page that shows the same counts."""
        row = self._room(code)
        table = self.lost(code)
        counts = repr((list(table.index), list(table.columns))).encode() + table.to_numpy().tobytes()
        with DRAWING:
            drawn = self._lost_png.get((row.code, narrow))
            if drawn is None or drawn[0] != counts:
                title = f"Room {row.code}: where each firm's lost customers went"
                figure = lost_figure(table, title, narrow)
                drawn = self._lost_png[row.code, narrow] = (counts, png(figure, LOST_DPI[narrow]))
        return drawn[1]

    def _revealed(self, code):
        row = self._room(code)
        if not row.revealed:
            raise RoomError("the reveal is not open yet; allowed: after the last quarter, or when the "
                            "facilitator opens it")
        return row

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
        """The market-share race (with customers, NPS and cash) as a PNG for a projector
        (race_figure)."""
        row = self._room(code)
        df = self.race(row.code)
        if df.empty:
            raise RoomError("no quarter has been played yet; allowed: a PNG after the first quarter")
        with DRAWING:
            return race_figure(df, f"Room {row.code}, quarter {row.quarter} of {row.settings['quarters']}")


def race_figure(df: pd.DataFrame, title: str) -> bytes:
    """Share, customers, NPS and cash of every firm against weeks, as a PNG that reads from
    the back of a room: 1500x1000 pixels, large type, thick lines, each firm's name at the
    end of its line (names moved apart where lines end close together), no legend."""
    import matplotlib.pyplot as plt

    from ccsim.market import SHARE
    from ccsim.metrics import METRICS
    from ccsim.plots import LINE_COLOURS, money_axis, projector_style

    names = list(dict.fromkeys(df.firm))
    with projector_style(), plt.rc_context(PROJECTOR):
        fig, axes = plt.subplots(2, 2, figsize=(15, 10), sharex=True)
        end = int(df.week.max())
        for ax, metric in zip(axes.flat, [SHARE, *(METRICS[m] for m in BOARD if m != "share")]):
            ends = []
            for k, name in enumerate(names):
                own = df[df.firm == name]
                colour = LINE_COLOURS[k % len(LINE_COLOURS)]
                ax.plot(own.week, own[metric.name], color=colour, linestyle="-" if k < len(LINE_COLOURS) else "--")
                last = own[own[metric.name].notna()].tail(1)      # a firm out of cash has no NPS
                ends += [(int(last.week.iloc[0]), float(last[metric.name].iloc[0]), name, colour)] if len(last) else []
            ax.set_title(metric.label.split(":")[0])
            money_axis(ax, metric)
            ax.set_xlim(0, end * 1.5)         # room on the right for the names
            ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= end])
            ax.ends = ends
        for ax in axes[-1]:
            ax.set_xlabel("week")
        fig.suptitle(title.replace("$", r"\$"), fontweight="bold")
        fig.tight_layout()
        for ax in axes.flat:          # once the axes have their size
            _name_ends(ax, ax.ends, end)
        return png(fig)


def png(fig, dpi: int = 100) -> bytes:
    """``fig`` as PNG bytes (100 dpi unless ``dpi``), then closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()


def lost_figure(table: pd.DataFrame, title: str, narrow: bool = False):
    """Classroom.lost as a figure that reads from the back of a room: a thick horizontal bar
    per firm (first firm on top), split by where its lost customers went, each part in the
    colour of that firm's line in the race (grey: no firm) and labelled with its count where
    it fits; a legend of the destinations underneath.  With more firms than line colours, the
    NAMED rivals that won most of all the lost customers each have a colour, the rest one
    part.  ``narrow``: for a phone, 5 inches wide (a phone shows it about 380 px wide:
    14-point type is about 14 px), each firm's name above its bar, the title on two lines,
    the legend in one column."""
    import textwrap

    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from ccsim.colours import GREY, ORANGE, OTHER_FIRMS, SKY
    from ccsim.plots import LINE_COLOURS, projector_style

    firms = list(table.index)
    if len(firms) <= len(LINE_COLOURS):      # each destination in its firm's colour in the race
        colours = [LINE_COLOURS[k] for k in range(len(firms))] + [GREY]
    else:           # the NAMED rivals that won most, each in a colour of its own; the rest together
        rivals = table.columns[:-1]
        won_most = table[rivals].sum().nlargest(NAMED).index
        named = [f for f in rivals if f in won_most]
        table = pd.concat([table[named], table[rivals.difference(named)].sum(axis=1).rename(OTHERS),
                           table[[OUTSIDE]]], axis=1)
        colours = [*LINE_COLOURS[:NAMED], OTHER_FIRMS, GREY]
    size = (5.0, 1.9 + 0.75 * len(firms)) if narrow else (15, max(8.0, 4.0 + 0.8 * len(firms)))
    style = PHONE if narrow else PROJECTOR
    with projector_style(), plt.rc_context({**style, "axes.grid.axis": "x"}):
        fig, ax = plt.subplots(figsize=size)
        rows = np.arange(len(firms))
        left = np.zeros(len(firms))
        parts = []
        for to, colour in zip(table.columns, colours):
            counts = table[to].to_numpy(dtype=float)
            bars = ax.barh(rows, counts, left=left, height=0.5 if narrow else 0.7, color=colour,
                           edgecolor="white", linewidth=2, label=f"to {to}".replace("$", r"\$"))
            parts.append((bars, counts, colour))
            left += counts
        ax.invert_yaxis()
        ax.set_xlabel("customers lost, all quarters so far")
        if narrow:
            ax.set_yticks(rows, [""] * len(firms))
            ax.tick_params(axis="y", length=0)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))    # numbers far apart, whole
            for row, name in zip(rows, firms):
                ax.text(0, row - 0.3, name.replace("$", r"\$"), transform=ax.get_yaxis_transform(),
                        ha="left", va="bottom", fontweight="bold", fontsize=style["ytick.labelsize"])
            ax.set_ylim(len(firms) - 0.6, -0.9)          # room above the first bar for its name
            fig.suptitle(textwrap.fill(title, 32).replace("$", r"\$"), fontweight="bold")
        else:
            ax.set_yticks(rows, [name.replace("$", r"\$") for name in firms])
            fig.suptitle(title.replace("$", r"\$"), fontweight="bold")
        # the legend under the chart, in as many columns as fit the width (a phone: one)
        for ncol in range(1 if narrow else min(len(colours), 3), 0, -1):
            legend = fig.legend(loc="lower left" if narrow else "lower center", ncol=ncol, frameon=False,
                                bbox_to_anchor=(0.02, 0.01) if narrow else (0.5, 0.01))
            extent = legend.get_window_extent(fig.canvas.get_renderer())
            if ncol == 1 or extent.width <= 0.98 * fig.bbox.width:
                break
            legend.remove()
        below = extent.height / fig.dpi + 0.15      # inches: the legend's own room under the chart
        fig.set_size_inches(size[0], size[1] + below)
        fig.tight_layout(rect=(0, below / (size[1] + below), 1, 1))
        renderer = fig.canvas.get_renderer()     # the counts once the bars have their size
        for bars, counts, colour in parts:
            labels = ax.bar_label(bars, labels=[f"{n:,.0f}" if n else "" for n in counts], label_type="center",
                                  fontweight="bold", fontsize=style["ytick.labelsize"],
                                  color="black" if colour in (ORANGE, SKY, GREY) else "white")
            for label, bar in zip(labels, bars):
                if label.get_window_extent(renderer).width + 6 > bar.get_window_extent(renderer).width:
                    label.set_text("")       # does not fit in its part of the bar
    return fig


def _name_ends(ax, ends: list[tuple[int, float, str, str]], week: int) -> None:
    """Each line's (last week, value, name, colour): the name (its first NAME_END
    characters) written right of ``week`` at the value, names at least a line of type apart
    (moved up as little as it takes, all down if the top one leaves the axes), in 20-point
    type or as large as fits, as plain text."""
    lo, hi = ax.get_ylim()
    height = ax.get_position().height * ax.figure.get_figheight() * 72    # in points
    size = min(20.0, height / 1.15 / max(len(ends), 1))
    gap = 1.15 * size / height                         # a line of type, in axes fractions
    order = sorted(range(len(ends)), key=lambda k: ends[k][1])
    want = [(ends[k][1] - lo) / (hi - lo or 1.0) for k in order]
    placed = []
    for y in want:                                     # up from the lowest, a gap apart
        placed.append(max(y, placed[-1] + gap) if placed else y)
    shift = max(0.0, placed[-1] - 1.0 + gap / 2) if placed else 0.0
    placed = [y - shift for y in placed]               # all down if the top one left the axes
    ax.set_ylim(lo, hi)                                # kept as they were before the names
    for k, y in zip(order, placed):
        last, value, name, colour = ends[k]
        at = lo + y * (hi - lo)
        ax.plot([last, week * 1.03], [value, at], color=colour, linewidth=1.2, clip_on=False)
        short = name if len(name) <= NAME_END else name[:NAME_END - 1].rstrip() + "…"
        ax.text(week * 1.035, at, short.replace("$", r"\$"), va="center", ha="left", fontsize=size,
                fontweight="bold", color=colour, clip_on=False)


def _changes(start: dict, end: dict) -> str:
    """The levers that moved, as 'humility 0.50→0.90'."""
    moved = [f"{k} {start[k]:.2f}→{end[k]:.2f}" for k in LEVERS if abs(end[k] - start[k]) > 1e-9]
    return ", ".join(moved) or "unchanged"


def _reveal(play: Play, joined: dict[int, int]) -> pd.DataFrame:
    """Classroom.reveal's table (``joined``: each team's quarter when it joined)."""
    rows = []
    for k, (name, firm) in enumerate(zip(play.names, play.market.firms)):
        to = play.flows[k + 1]
        rivals = {other: int(to[j + 1]) for j, other in enumerate(play.names) if j != k}
        rows.append({
            "firm": name,
            "team": "none" if k not in joined else "from the start" if not joined[k] else
                    f"from quarter {joined[k] + 1}",
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
