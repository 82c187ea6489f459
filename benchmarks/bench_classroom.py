"""Speed of a class room (ccsim.classroom): what a facilitator and teams wait for.

For 3 and 30 teams, at 2,000 and 100,000 customers: the first quarter (building the
market), the median of the next three, a team setting its levers (one SQLite
transaction), the leaderboard, and rebuilding the room after four quarters as a
restarted server does (replaying every quarter from the store).  The load of 30 teams'
browsers is not measured here (not built yet).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from ccsim.classroom.room import Classroom


def measure(teams: int, n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        room = Classroom(Path(tmp) / "room.sqlite3")
        code, key = room.create(seed=1, quarters=8, n_customers=n)
        joined = [room.join(code, f"team {k}") for k in range(teams)]
        began = time.perf_counter()
        for team, token in joined:
            room.set_levers(code, team, token, {"humility": 0.9})
        levers = (time.perf_counter() - began) / teams
        quarters = []
        for _ in range(4):
            began = time.perf_counter()
            room.advance(code, key)
            quarters.append(time.perf_counter() - began)
        began = time.perf_counter()
        room.leaderboard(code)
        board = time.perf_counter() - began
        began = time.perf_counter()
        Classroom(Path(tmp) / "room.sqlite3").play(code)
        rebuild = time.perf_counter() - began
    return {"first quarter s": quarters[0], "quarter s": statistics.median(quarters[1:]),
            "set levers ms": 1000 * levers, "leaderboard ms": 1000 * board, "rebuild (4 quarters) s": rebuild}


def main():
    sizes = [(3, 2000), (30, 2000), (30, 100_000)]
    rows = {f"{teams} teams, {n:,} customers": measure(teams, n) for teams, n in sizes}
    columns = list(next(iter(rows.values())))
    print(f"{'class room':28s}" + "".join(f"{c:>24s}" for c in columns))
    for label, values in rows.items():
        print(f"{label:28s}" + "".join(f"{values[c]:24.2f}" for c in columns))


if __name__ == "__main__":
    main()
