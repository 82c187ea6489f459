"""A class room's state in SQLite (the standard library's sqlite3): what is needed to rebuild
its market exactly, and nothing the market itself computes.

A room: its join code, the facilitator key's hash, the market's seed and settings (JSON),
the quarter reached and whether the reveal is open; its teams (name, the token's hash);
each team's levers per quarter (the culture it aims at for that quarter, JSON); the times
of recent joins (for the rate limit).  Keys and tokens are stored only as SHA-256 hashes.
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
    quarter INTEGER NOT NULL DEFAULT 0, revealed INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS teams (
    code TEXT NOT NULL REFERENCES rooms(code), team INTEGER NOT NULL, name TEXT NOT NULL,
    folded TEXT NOT NULL, token_hash TEXT NOT NULL,
    PRIMARY KEY (code, team), UNIQUE (code, folded));
CREATE TABLE IF NOT EXISTS levers (
    code TEXT NOT NULL, team INTEGER NOT NULL, quarter INTEGER NOT NULL, levers TEXT NOT NULL,
    PRIMARY KEY (code, team, quarter), FOREIGN KEY (code, team) REFERENCES teams(code, team));
CREATE TABLE IF NOT EXISTS joins (code TEXT NOT NULL REFERENCES rooms(code), at REAL NOT NULL);
"""


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


@dataclass(frozen=True)
class TeamRow:
    team: int
    name: str
    token_hash: str


class Store:
    """The rooms of one server, in one SQLite file (a new connection per call: the app's
    sessions run in threads)."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)

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
            row = db.execute("SELECT code, key_hash, seed, settings, quarter, revealed FROM rooms WHERE code = ?",
                             (code,)).fetchone()
        return None if row is None else RoomRow(row[0], row[1], row[2], json.loads(row[3]), row[4], bool(row[5]))

    def teams(self, code: str) -> list[TeamRow]:
        with self._connect() as db:
            rows = db.execute("SELECT team, name, token_hash FROM teams WHERE code = ? ORDER BY team",
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

    def add_team(self, code: str, name: str, folded: str, token: str, most: int) -> int:
        """Add a team before the first quarter, if the room has fewer than ``most`` and none
        is called ``folded``; its number, or RoomError."""
        with self.transaction() as db:
            if db.execute("SELECT quarter FROM rooms WHERE code = ?", (code,)).fetchone()[0] > 0:
                raise RoomError("this game has started; allowed: joining before the first quarter")
            teams = db.execute("SELECT COUNT(*) FROM teams WHERE code = ?", (code,)).fetchone()[0]
            if teams >= most:
                raise RoomError(f"the room is full; allowed: {most} teams")
            if db.execute("SELECT 1 FROM teams WHERE code = ? AND folded = ?", (code, folded)).fetchone():
                raise RoomError(f"a team is already called {name!r}; allowed: another name")
            db.execute("INSERT INTO teams (code, team, name, folded, token_hash) VALUES (?, ?, ?, ?, ?)",
                       (code, teams, name, folded, digest(token)))
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

    def set_quarter(self, code: str, quarter: int) -> None:
        """Record that the room's market has run ``quarter`` quarters (only one forward)."""
        with self.transaction() as db:
            done = db.execute("UPDATE rooms SET quarter = ? WHERE code = ? AND quarter = ?",
                              (quarter, code, quarter - 1)).rowcount
            if done != 1:
                raise RuntimeError(f"room {code}: quarter {quarter} was already recorded")

    def reveal(self, code: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE rooms SET revealed = 1 WHERE code = ?", (code,))
