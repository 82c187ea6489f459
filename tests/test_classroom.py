"""Class mode (ccsim/classroom): a room kept in SQLite, rebuilt exactly; who may do what."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from contextlib import closing

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from ccsim.classroom import RoomError
from ccsim.classroom.room import JOINS_PER_MINUTE, LEVERS, PACE, Classroom
from ccsim.classroom.store import Store

HUMBLE = {"humility": 1.0, "integrity": 1.0, "experimentation": 0.9}
HIPPO = {"humility": 0.0, "integrity": 0.1, "courage_to_change": 1.0}


def game(path, seed=7, quarters=3, levers=(HUMBLE, HIPPO), n_customers=1000):
    """A room with three teams (the first two set ``levers`` before every quarter), played."""
    room = Classroom(path)
    code, key = room.create(seed=seed, quarters=4, n_customers=n_customers)
    teams = [room.join(code, name) for name in ("Red", "Blue", "Green")]
    for _ in range(quarters):
        for (team, token), aim in zip(teams, levers):
            room.set_levers(code, team, token, aim)
        room.advance(code, key)
    return room, code, key, teams


def test_store_round_trip(tmp_path):
    room, code, key, teams = game(tmp_path / "r.db", quarters=1)
    room.set_levers(code, *teams[2], {"empowerment": 0.9})
    again = Store(tmp_path / "r.db")       # a new connection to the same file
    row = again.room(code)
    assert (row.seed, row.quarter, row.settings) == (7, 1, {"quarters": 4, "n_customers": 1000})
    assert [t.name for t in again.teams(code)] == ["Red", "Blue", "Green"]
    levers = again.levers(code)
    assert set(levers) == {(0, 1), (1, 1), (2, 2)}
    assert levers[0, 1]["humility"] == 1.0 and levers[2, 2]["empowerment"] == 0.9
    assert key not in (tmp_path / "r.db").read_bytes().decode("latin-1")   # only hashes are kept


def test_determinism(tmp_path):
    one = game(tmp_path / "a.db")
    two = game(tmp_path / "b.db")
    pdt.assert_frame_equal(one[0].race(one[1]), two[0].race(two[1]))
    other = game(tmp_path / "c.db", levers=(HIPPO, HIPPO))
    assert not one[0].race(one[1]).equals(other[0].race(other[1]))


def test_culture_moves_at_the_documented_pace(tmp_path):
    room, code, key, teams = game(tmp_path / "r.db", quarters=3)
    play = room.play(code)
    red, blue = play.market.firms[:2]
    assert red.humility == pytest.approx(0.5 + 3 * PACE)       # aims at 1, moves PACE a quarter
    assert blue.humility == pytest.approx(0.5 - 3 * PACE)
    assert red.experimentation == pytest.approx(0.3 + 3 * PACE)
    assert play.culture[2] == {k: pytest.approx(getattr(play.market.firms[2], k)) for k in LEVERS}


RESTART = textwrap.dedent("""
    import sys
    from ccsim.classroom.room import Classroom
    room = Classroom(sys.argv[1])
    code, key = room.create(seed=11, quarters=4, n_customers=40000)
    teams = [room.join(code, name) for name in ("Red", "Blue", "Green")]
    for quarter in range(3):
        room.set_levers(code, *teams[quarter % 3], {"humility": 0.1 * quarter, "integrity": 0.9})
        if quarter < 2:
            room.advance(code, key)
    print(code, key, *[token for _, token in teams], flush=True)
    print("advancing", flush=True)
    room.advance(code, key)
    print("done", flush=True)
""")


def test_a_killed_server_resumes_the_room(tmp_path):
    """A process plays two quarters, is killed with SIGKILL while it runs the third; a new
    process finds the room after the second quarter, the third's levers kept, and its
    market is the one an uninterrupted room plays."""
    db = tmp_path / "r.db"
    proc = subprocess.Popen([sys.executable, "-c", RESTART, str(db)], stdout=subprocess.PIPE, text=True)
    code, key, *tokens = proc.stdout.readline().split()
    assert proc.stdout.readline().strip() == "advancing"
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL
    room = Classroom(db)
    assert room.status(code)["quarter"] == 2
    assert room.store.levers(code)[2, 3]["humility"] == pytest.approx(0.2)
    room.advance(code, key)
    # the same game, never interrupted
    ref = Classroom(tmp_path / "ref.db")
    ref_code, ref_key = ref.create(seed=11, quarters=4, n_customers=40000)
    teams = [ref.join(ref_code, name) for name in ("Red", "Blue", "Green")]
    for quarter in range(3):
        ref.set_levers(ref_code, *teams[quarter % 3], {"humility": 0.1 * quarter, "integrity": 0.9})
        ref.advance(ref_code, ref_key)
    pdt.assert_frame_equal(room.race(code), ref.race(ref_code))
    room.open_reveal(code, key)
    ref.open_reveal(ref_code, ref_key)
    pdt.assert_frame_equal(room.reveal(code), ref.reveal(ref_code))
    assert room.set_levers(code, 0, tokens[0], {"humility": 0.3}) == 4   # the teams' links still work


def test_a_team_cannot_act_for_another(tmp_path):
    room, code, key, teams = game(tmp_path / "r.db", quarters=1)
    (red, red_token), (blue, blue_token) = teams[:2]
    with pytest.raises(RoomError, match="team token is wrong"):
        room.set_levers(code, blue, red_token, {"humility": 0.0})     # Red forging Blue's request
    with pytest.raises(RoomError, match="team token is wrong"):
        room.dashboard(code, blue, red_token)
    assert (blue, 2) not in room.store.levers(code)
    mine = room.dashboard(code, red, red_token)
    assert mine["name"] == "Red" and set(mine["weeks"].firm) == {"Red"}
    with pytest.raises(RoomError, match="reveal is not open"):
        room.reveal(code)                      # rivals' levers stay hidden until the reveal
    assert "levers" not in " ".join(text for _, text in room.events(code))


def test_the_facilitator_key_is_required(tmp_path):
    room, code, key, teams = game(tmp_path / "r.db", quarters=1)
    for wrong in ("", key[:-1] + "x", teams[0][1]):
        with pytest.raises(RoomError, match="facilitator key is wrong"):
            room.advance(code, wrong)
        with pytest.raises(RoomError, match="facilitator key is wrong"):
            room.export_csv(code, wrong)
        with pytest.raises(RoomError, match="facilitator key is wrong"):
            room.open_reveal(code, wrong)
    assert room.status(code)["quarter"] == 1
    assert room.advance(code, key) == 2


def test_names_and_joins_are_checked(tmp_path):
    room = Classroom(tmp_path / "r.db")
    code, key = room.create(seed=1, quarters=1, n_customers=200)
    for bad in ("", "   ", "x" * 25, "=HYPERLINK(1)", "<b>", "\x1b[31mred", "tab\there"):
        with pytest.raises(RoomError, match="team name"):
            room.join(code, bad)
    team, token = room.join(code, "  Les Bleus <3 ")
    assert room.status(code)["teams"] == ["Les Bleus <3"]
    with pytest.raises(RoomError, match="already called"):
        room.join(code, "les  BLEUS <3")
    with pytest.raises(RoomError, match="no room"):
        room.join("NOPE", "Red")
    for _ in range(JOINS_PER_MINUTE - 9):
        with pytest.raises(RoomError, match="team name"):
            room.join(code, "")
    with pytest.raises(RoomError, match="too many joins"):
        room.join(code, "Red")                 # the 61st attempt in a minute
    with closing(sqlite3.connect(tmp_path / "r.db")) as db, db:
        db.execute("UPDATE joins SET at = at - 61")        # a minute later
    with pytest.raises(RoomError, match="humility=2 "):
        room.set_levers(code, team, token, {"humility": 2})
    with pytest.raises(RoomError, match="unknown lever 'price'"):
        room.set_levers(code, team, token, {"price": 1})
    room.advance(code, key)
    with pytest.raises(RoomError, match="has started"):
        room.join(code, "Late")
    with pytest.raises(RoomError, match="game is over"):
        room.advance(code, key)


def test_reveal_and_exports(tmp_path):
    room, code, key, teams = game(tmp_path / "r.db", quarters=4)
    assert room.status(code)["revealed"]           # open after the last quarter
    reveal = room.reveal(code).set_index("firm")
    play = room.play(code)
    df = room.race(code)
    start = df[df.week == 0].set_index("firm").customers
    end = df[df.week == df.week.max()].set_index("firm").customers
    flows = play.flows
    for k, name in enumerate(play.names):      # who went where accounts for every customer
        assert start[name] + flows[:, k + 1].sum() - flows[k + 1].sum() == end[name]
        assert reveal.customers_lost[name] == flows[k + 1].sum()
    assert reveal.staff_weeks_silent.min() > 0
    assert (reveal.ideas_shipped_untested <= reveal.ideas_shipped).all()
    assert (reveal.ideas_shipped_that_hurt <= reveal.ideas_shipped).all()
    assert reveal.loc["Red", "culture"].startswith("humility 0.50→0.90")
    assert reveal.loc["Green", "culture"] == "unchanged"
    csv = pd.read_csv(io.BytesIO(room.export_csv(code, key)), comment="#")
    assert len(csv) == 3 * (4 * 13 + 1) and set(LEVERS) <= set(csv.columns)
    assert np.allclose(csv[(csv.firm == "Blue") & (csv.week == 52)].humility, 0.1)
    png = room.race_png(code)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_server_still_starts_without_mesa():
    """The class pages import the game (and Mesa) only when a class page is first shown."""
    code = "import sys, ccsim.ui.site; print('mesa' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_screens_read_whole_quarters_while_one_runs(tmp_path):
    """Pages read the room while the facilitator advances: each sees the market and the
    culture of one and the same quarter, never a mix."""
    room, code, key, teams = game(tmp_path / "r.db", quarters=1, n_customers=30000)
    red, token = teams[0]
    room.set_levers(code, red, token, HUMBLE)
    seen = set()
    advancing = threading.Thread(target=room.advance, args=(code, key))
    advancing.start()
    while advancing.is_alive():
        mine = room.dashboard(code, red, token)
        seen.add((int(mine["weeks"].week.max()), round(mine["culture"]["humility"], 2)))
    advancing.join()
    assert seen <= {(13, 0.6), (26, 0.7)}
