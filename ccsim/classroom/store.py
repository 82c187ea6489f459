"""A class room's state in SQLite (the standard library's sqlite3): what is needed to rebuild
its market exactly, and nothing the market itself computes.

A room: its join code, the facilitator key's hash, the market's seed and settings (JSON,
the number of firms among them), the quarter reached, whether the reveal is open and its
clock (the period chosen, and the time of the next quarter while it runs); its teams
(name, the token's hash, the quarter reached when it joined; team k leads firm k); each
team's levers per quarter (the culture it aims at for that quarter, JSON); the times of
recent joins (per room) and of wrong codes, keys and tokens (per client address), for the
rate limits.  Keys and tokens are stored only as SHA-256 hashes.
Every write is one transaction (BEGIN IMMEDIATE ... COMMIT), so a crash leaves the room as
it was before the write or after it, never between; the rules that must hold at the moment
of a write (the quarter reached, a name not taken, the limits) are checked inside it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ccsim.classroom import RoomError

SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY, key_hash TEXT NOT NULL, seed INTEGER NOT NULL, settings TEXT NOT NULL,
    quarter INTEGER NOT NULL DEFAULT 0, revealed INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL,
    clock_period INTEGER NOT NULL DEFAULT 0, clock_next REAL);
CREATE TABLE IF NOT EXISTS teams (
    code TEXT NOT NULL REFERENCES rooms(code), team INTEGER NOT NULL, name TEXT NOT NULL,
    folded TEXT NOT NULL, token_hash TEXT NOT NULL, joined INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (code, team), UNIQUE (code, folded));
CREATE TABLE IF NOT EXISTS levers (
    code TEXT NOT NULL, team INTEGER NOT NULL, quarter INTEGER NOT NULL, levers TEXT NOT NULL,
    PRIMARY KEY (code, team, quarter), FOREIGN KEY (code, team) REFERENCES teams(code, team));
CREATE TABLE IF NOT EXISTS joins (code TEXT NOT NULL REFERENCES rooms(code), at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS guesses (address TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS guesses_by_address ON guesses (address, at);
"""
# columns added since the first class rooms: a file made before gets them when opened
ADDED = (("rooms", "clock_period", "INTEGER NOT NULL DEFAULT 0"), ("rooms", "clock_next", "REAL"),
         ("teams", "joined", "INTEGER NOT NULL DEFAULT 0"))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def matches(secret: str, hashed: str) -> bool:
    """Whether ``secret`` is the one hashed (compared in constant time)."""
    return hmac.compare_digest(digest(str(secret)), hashed)


@dataclass(frozen=True)
class RoomRow:
    code: str
    key_hash: str
    seed: int
    settings: dict
    quarter: int
    revealed: bool
    clock_period: int = 0            # seconds a quarter, as last chosen (0: never chosen)
    clock_next: float | None = None  # when the next quarter runs (time.time()), None when paused


@dataclass(frozen=True)
class TeamRow:
    team: int
    name: str
    token_hash: str
    joined: int = 0                  # the quarter reached when the team joined


class Store:
    """The rooms of one server, in one SQLite file (a new connection per call: the app's
    sessions run in threads)."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)
            for table, column, declared in ADDED:
                if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declared}")
            # a room from before the number of firms was a setting: as many firms as teams
            db.execute("UPDATE rooms SET settings = json_set(settings, '$.firms', MAX(1, (SELECT COUNT(*) "
                       "FROM teams WHERE teams.code = rooms.code))) WHERE json_extract(settings, '$.firms') IS NULL")

    @contextmanager
    def _connect(self):
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            yield db

    @contextmanager
    def transaction(self):
        """One write: BEGIN IMMEDIATE (no other writer until it ends), COMMIT or ROLLBACK."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def add_room(self, code: str, key: str, seed: int, settings: dict) -> bool:
        """Record a new room; False if the code is taken."""
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM rooms WHERE code = ?", (code,)).fetchone():
                return False
            db.execute("INSERT INTO rooms (code, key_hash, seed, settings, created) VALUES (?, ?, ?, ?, ?)",
                       (code, digest(key), seed, json.dumps(settings, sort_keys=True), time.time()))
        return True

    def room(self, code: str) -> RoomRow | None:
        with self._connect() as db:
            row = db.execute("SELECT code, key_hash, seed, settings, quarter, revealed, clock_period, clock_next "
                             "FROM rooms WHERE code = ?", (code,)).fetchone()
        if row is None:
            return None
        return RoomRow(row[0], row[1], row[2], json.loads(row[3]), row[4], bool(row[5]), row[6], row[7])

    def teams(self, code: str) -> list[TeamRow]:
        with self._connect() as db:
            rows = db.execute("SELECT team, name, token_hash, joined FROM teams WHERE code = ? ORDER BY team",
                              (code,)).fetchall()
        return [TeamRow(*row) for row in rows]

    def levers(self, code: str) -> dict[tuple[int, int], dict]:
        """{(team, quarter): levers} of a room."""
        with self._connect() as db:
            rows = db.execute("SELECT team, quarter, levers FROM levers WHERE code = ?", (code,)).fetchall()
        return {(team, quarter): json.loads(text) for team, quarter, text in rows}

    def count_join(self, code: str, now: float, limit: int) -> bool:
        """Count a join attempt at ``now``; False (and not counted) if the room has had
        ``limit`` in the last minute."""
        with self.transaction() as db:
            db.execute("DELETE FROM joins WHERE code = ? AND at < ?", (code, now - 60))
            if db.execute("SELECT COUNT(*) FROM joins WHERE code = ?", (code,)).fetchone()[0] >= limit:
                return False
            db.execute("INSERT INTO joins (code, at) VALUES (?, ?)", (code, now))
        return True

    def wrong_guesses(self, address: str, now: float) -> int:
        """Wrong codes, keys and tokens sent from ``address`` in the minute before ``now``."""
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM guesses WHERE address = ? AND at >= ?",
                              (address, now - 60)).fetchone()[0]

    def count_wrong_guess(self, address: str, now: float) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM guesses WHERE at < ?", (now - 60,))
            db.execute("INSERT INTO guesses (address, at) VALUES (?, ?)", (address, now))

    def add_team(self, code: str, name: str, folded: str, token: str) -> int:
        """Add a team, the leader of the first free firm, while the game is not over and a
        firm is free and no team is called ``folded``; its number (its firm's), or RoomError."""
        with self.transaction() as db:
            reached, settings = db.execute("SELECT quarter, settings FROM rooms WHERE code = ?", (code,)).fetchone()
            settings = json.loads(settings)
            if reached >= settings["quarters"]:
                raise RoomError("the game is over; allowed: joining while quarters remain")
            teams = db.execute("SELECT COUNT(*) FROM teams WHERE code = ?", (code,)).fetchone()[0]
            if teams >= settings["firms"]:
                raise RoomError(f"every firm has a team; allowed: {settings['firms']} teams in this room")
            if db.execute("SELECT 1 FROM teams WHERE code = ? AND folded = ?", (code, folded)).fetchone():
                raise RoomError(f"a team is already called {name!r}; allowed: another name")
            db.execute("INSERT INTO teams (code, team, name, folded, token_hash, joined) VALUES (?, ?, ?, ?, ?, ?)",
                       (code, teams, name, folded, digest(token), reached))
        return teams

    def set_levers(self, code: str, team: int, levers: dict) -> int:
        """Record what ``team`` aims at for the coming quarter (the one after the quarter
        reached, read in the same transaction); that quarter, or RoomError after the last."""
        with self.transaction() as db:
            reached, settings = db.execute("SELECT quarter, settings FROM rooms WHERE code = ?", (code,)).fetchone()
            if reached >= json.loads(settings)["quarters"]:
                raise RoomError("the game is over; allowed: nothing more to set")
            db.execute("INSERT OR REPLACE INTO levers (code, team, quarter, levers) VALUES (?, ?, ?, ?)",
                       (code, team, reached + 1, json.dumps(levers, sort_keys=True)))
        return reached + 1

    def set_quarter(self, code: str, quarter: int, last: bool, now: float) -> bool:
        """Record that the room's market has run ``quarter`` quarters, only if the quarter
        recorded is the one before (False if not: it was recorded already).  A running clock
        counts a full period from ``now``; after the ``last`` quarter it stops and the reveal
        opens."""
        with self.transaction() as db:
            return db.execute(
                "UPDATE rooms SET quarter = ?, revealed = MAX(revealed, ?), clock_next = CASE WHEN ? "
                "OR clock_next IS NULL THEN NULL ELSE ? + clock_period END WHERE code = ? AND quarter = ?",
                (quarter, int(last), int(last), now, code, quarter - 1)).rowcount == 1

    def reveal(self, code: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE rooms SET revealed = 1 WHERE code = ?", (code,))

    # ----- the clock -----
    def set_clock(self, code: str, period: int, running: bool, now: float) -> None:
        """Run the clock, the next quarter ``period`` seconds from ``now``, or pause it."""
        with self.transaction() as db:
            db.execute("UPDATE rooms SET clock_period = ?, clock_next = ? WHERE code = ?",
                       (period, now + period if running else None, code))

    def claim_ticks(self, now: float) -> list[tuple[str, int]]:
        """The rooms whose clock is due at ``now``, each with its quarter; each is claimed
        (its next quarter put a period later) in the same transaction, so that a due quarter
        is handed out once however many clocks look (a look that finds none writes nothing)."""
        with self._connect() as db:
            if db.execute("SELECT 1 FROM rooms WHERE clock_next <= ? LIMIT 1", (now,)).fetchone() is None:
                return []
        with self.transaction() as db:
            due = db.execute("SELECT code, quarter FROM rooms WHERE clock_next <= ?", (now,)).fetchall()
            db.execute("UPDATE rooms SET clock_next = ? + clock_period WHERE clock_next <= ?", (now, now))
        return due

    def resume_clocks(self, now: float) -> None:
        """After a restart: a clock whose quarter fell due while no server ran counts a full
        period from ``now`` (rather than running the quarter at once)."""
        with self.transaction() as db:
            db.execute("UPDATE rooms SET clock_next = ? + clock_period WHERE clock_next < ?", (now, now))

    # ----- reset, delete -----
    def reset(self, code: str) -> None:
        """Back to quarter 0: the teams stay (from the start), their levers go, reveal and
        clock stop."""
        with self.transaction() as db:
            db.execute("DELETE FROM levers WHERE code = ?", (code,))
            db.execute("UPDATE teams SET joined = 0 WHERE code = ?", (code,))
            db.execute("UPDATE rooms SET quarter = 0, revealed = 0, clock_next = NULL WHERE code = ?", (code,))

    def delete(self, code: str) -> None:
        """The room and everything of it, gone from the file."""
        with self.transaction() as db:
            for table in ("levers", "teams", "joins", "rooms"):
                db.execute(f"DELETE FROM {table} WHERE code = ?", (code,))
