"""Class mode (ccsim/classroom): a room kept in SQLite, rebuilt exactly; who may do what;
the clock, late teams, reset and delete, the guessing limit, the race PNG."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from ccsim.classroom import RoomError
from ccsim.classroom.room import (
    GUESSES_PER_MINUTE,
    JOINS_PER_MINUTE,
    LEVERS,
    OTHERS,
    OUTSIDE,
    PACE,
    Classroom,
    defaults,
    lost_figure,
)
from ccsim.classroom.store import Store

HUMBLE = {"humility": 1.0, "integrity": 1.0, "experimentation": 0.9}
HIPPO = {"humility": 0.0, "integrity": 0.1, "courage_to_change": 1.0}


def game(path, seed=7, quarters=3, levers=(HUMBLE, HIPPO), n_customers=1000):
    """A room of three firms with three teams (the first two set ``levers`` before every
    quarter), played."""
    room = Classroom(path)
    code, key = room.create(seed=seed, quarters=4, firms=3, n_customers=n_customers)
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
    assert (row.seed, row.quarter, row.settings) == (7, 1, {"quarters": 4, "firms": 3, "n_customers": 1000})
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
    code, key = room.create(seed=11, quarters=4, firms=3, n_customers=40000)
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
    ref_code, ref_key = ref.create(seed=11, quarters=4, firms=3, n_customers=40000)
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
    code, key = room.create(seed=1, quarters=1, firms=3, n_customers=200)
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
    with pytest.raises(RoomError, match="game is over"):
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
    assert (int.from_bytes(png[16:20]), int.from_bytes(png[20:24])) == (1500, 1000)   # for a projector


def test_lost_chart(tmp_path):
    """Where each firm's lost customers went: the table is the room's flows and the reveal's
    counts, and each bar of the chart is the table's row, part by part."""
    room, code, key, teams = game(tmp_path / "r.db", quarters=4)
    lost, reveal, flows = room.lost(code), room.reveal(code).set_index("firm"), room.play(code).flows
    assert list(lost.index) == list(reveal.index) == ["Red", "Blue", "Green"]
    assert list(lost.columns) == ["Red", "Blue", "Green", OUTSIDE]
    assert (lost.sum(axis=1) == reveal.customers_lost).all() and (lost[OUTSIDE] == reveal.lost_to_no_firm).all()
    assert (lost.to_numpy()[:, :3] == flows[1:, 1:]).all() and lost.to_numpy().sum() > 0
    assert (np.diag(lost.to_numpy()) == 0).all()
    fig = lost_figure(lost, "t")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Red", "Blue", "Green"]
    parts = [[round(bar.get_width()) for bar in bars] for bars in ax.containers]
    assert np.array(parts).T.tolist() == lost.to_numpy().tolist()
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [f"to {c}" for c in lost.columns]
    plt.close(fig)
    png = room.lost_png(code)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20]) == 1500


@pytest.mark.parametrize("narrow", [False, True])
def test_lost_chart_key_fits_long_names(narrow):
    """Team names of 24 letters: the key under the chart stays inside the image, in fewer
    columns if it must."""
    names = ["Red", "Latecomersfromthebackrow", "Bluewhalesofthenorthsea1", "Green"]
    counts = np.arange(20.0).reshape(4, 5) * (1 - np.eye(4, 5))
    fig = lost_figure(pd.DataFrame(counts, index=names, columns=[*names, OUTSIDE]), "t", narrow)
    key = fig.legends[0].get_window_extent(fig.canvas.get_renderer())
    assert 0 <= key.x0 and key.x1 <= fig.bbox.width and 0 <= key.y0
    assert key.y1 < fig.axes[0].get_tightbbox(fig.canvas.get_renderer()).y0     # under the chart
    plt.close(fig)


def test_lost_chart_of_many_firms_names_the_rivals_that_won_most():
    """30 firms: the five rivals that won most of all the lost customers, each in a colour
    of its own, the rest as one part; every firm's bar still adds up to all it lost."""
    names = [f"team {k}" for k in range(30)]
    counts = np.random.default_rng(1).integers(0, 30, (30, 31)) * (1 - np.eye(30, 31))
    counts[:, 7] += 40                                  # team 7 wins most
    table = pd.DataFrame(counts, index=names, columns=[*names, OUTSIDE])
    fig = lost_figure(table, "t")
    ax = fig.axes[0]
    keys = [t.get_text() for t in fig.legends[0].get_texts()]
    won = table[names].sum().nlargest(5).index
    assert keys == [f"to {f}" for f in names if f in won] + [f"to {OTHERS}", f"to {OUTSIDE}"] and "to team 7" in keys
    parts = np.array([[bar.get_width() for bar in bars] for bars in ax.containers]).T
    assert np.allclose(parts.sum(axis=1), table.sum(axis=1))
    assert len({bars.patches[0].get_facecolor() for bars in ax.containers}) == 7
    plt.close(fig)


def test_lost_chart_for_a_phone(tmp_path):
    """The chart drawn for a phone: the same bars and legend, each firm's name written above
    its bar (no names on the left to squeeze the bars), 900 px wide; every count written
    fits inside its part of the bar."""
    room, code, key, teams = game(tmp_path / "r.db", quarters=4)
    lost = room.lost(code)
    fig = lost_figure(lost, "t", narrow=True)
    ax = fig.axes[0]
    assert not any(t.get_text() for t in ax.get_yticklabels())
    names, counts = ax.texts[:3], [t for t in ax.texts[3:] if t.get_text()]
    assert [t.get_text() for t in names] == ["Red", "Blue", "Green"]
    parts = [[round(bar.get_width()) for bar in bars] for bars in ax.containers]
    assert np.array(parts).T.tolist() == lost.to_numpy().tolist()
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [f"to {c}" for c in lost.columns]
    renderer = fig.canvas.get_renderer()
    bars = [bar.get_window_extent(renderer) for container in ax.containers for bar in container]
    assert counts                              # some counts are written, each inside its part of a bar
    for text in counts:
        drawn = text.get_window_extent(renderer)
        assert any(bar.x0 <= drawn.x0 and drawn.x1 <= bar.x1 and bar.y0 <= drawn.y0 and drawn.y1 <= bar.y1
                   for bar in bars), text.get_text()
    plt.close(fig)
    png = room.lost_png(code, narrow=True)
    assert int.from_bytes(png[16:20]) == 900 and png != room.lost_png(code)


def test_every_page_gets_one_lost_chart(tmp_path):
    """Every team's page asks for the reveal's chart at once (one thread each): pyplot is one
    state per process, so the chart is drawn once, by one thread, and shared; no figure is
    left open."""
    room, code, key, teams = game(tmp_path / "r.db", quarters=4)
    open_before = plt.get_fignums()
    with ThreadPoolExecutor(8) as pool:
        pngs = list(pool.map(lambda _: room.lost_png(code), range(16)))
    assert all(png is pngs[0] for png in pngs) and plt.get_fignums() == open_before


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


def test_the_clock_runs_each_quarter_once(tmp_path):
    """A tick runs one quarter; the same tick seen again, by a second Classroom on the same
    file (another server) at the same moment, or a click on Advance for a quarter already
    run, runs nothing; the market is the one played by hand."""
    room = Classroom(tmp_path / "r.db")
    code, key = room.create(seed=5, quarters=3, firms=2, n_customers=500)
    with pytest.raises(RoomError, match="once a team has joined"):
        room.start_clock(code, key, 30)
    red = room.join(code, "Red")
    with pytest.raises(RoomError, match="facilitator key is wrong"):
        room.start_clock(code, red[1], 30)
    with pytest.raises(RoomError, match="45 seconds is not allowed"):
        room.start_clock(code, key, 45)
    room.set_levers(code, *red, HUMBLE)
    began = time.time()
    room.start_clock(code, key, 30)
    due = room.status(code)["next"]
    assert began + 30 <= due <= time.time() + 30
    assert room.tick(due - 1) == [] and room.status(code)["quarter"] == 0
    assert room.tick(due) == [code] and room.status(code)["quarter"] == 1
    assert room.tick(due) == [] and room.status(code)["quarter"] == 1          # the same tick again
    due = room.status(code)["next"]
    assert due >= began + 60                       # a full period after the quarter ran
    other = Classroom(tmp_path / "r.db")           # a second server on the same file
    ticks = []
    both = [threading.Thread(target=lambda c=c: ticks.append(c.tick(due))) for c in (room, other)]
    for thread in both:
        thread.start()
    for thread in both:
        thread.join()
    assert sorted(ticks) == [[], [code]] and room.status(code)["quarter"] == 2
    assert room.advance(code, key, 2) == 2 and room.status(code)["quarter"] == 2   # a late click
    room.pause_clock(code, key)
    assert room.status(code)["next"] is None and room.tick(due + 10_000) == []
    room.start_clock(code, key, 60)
    room.advance(code, key)                        # the last quarter: the clock stops, the reveal opens
    status = room.status(code)
    assert (status["quarter"], status["next"], status["clock"], status["revealed"]) == (3, None, 60, True)
    ref = Classroom(tmp_path / "ref.db")
    ref_code, ref_key = ref.create(seed=5, quarters=3, firms=2, n_customers=500)
    ref.set_levers(ref_code, *ref.join(ref_code, "Red"), HUMBLE)
    for _ in range(3):
        ref.advance(ref_code, ref_key)
    pdt.assert_frame_equal(room.race(code), ref.race(ref_code))


def test_a_restarted_server_keeps_the_clock_running(tmp_path):
    """A clock left running goes on after a restart; a quarter that fell due while no
    server ran runs a full period after the restart, not at once."""
    room = Classroom(tmp_path / "r.db")
    code, key = room.create(seed=5, quarters=3, firms=2, n_customers=300)
    room.join(code, "Red")
    room.start_clock(code, key, 120)
    with closing(sqlite3.connect(tmp_path / "r.db")) as db, db:
        db.execute("UPDATE rooms SET clock_next = ?", (time.time() - 300,))   # down for five minutes
    again = Classroom(tmp_path / "r.db")
    stop = threading.Event()
    stop.set()                                     # resume, then stop before the first look
    began = time.time()
    again.run_clock(stop)
    status = again.status(code)
    assert status["quarter"] == 0 and began + 120 <= status["next"] <= time.time() + 120


def test_a_late_team_takes_over_a_free_firm(tmp_path):
    """Firms no team leads keep the starting culture; a team that joins after quarter 2
    leads the first free firm from quarter 3 on, named after it throughout; the market is
    the same whether the server kept it or rebuilt it."""
    room = Classroom(tmp_path / "r.db")
    code, key = room.create(seed=3, quarters=4, firms=3, n_customers=1000)
    red = room.join(code, "Red")
    for _ in range(2):
        room.set_levers(code, *red, HUMBLE)
        room.advance(code, key)
    assert set(room.leaderboard(code).firm) == {"Red", "(free firm 2)", "(free firm 3)"}
    late = room.join(code, "Late Owls")
    assert late[0] == 1
    mine = room.dashboard(code, *late)
    assert mine["joined"] == 2 and mine["culture"] == defaults()
    assert list(mine["weeks"].week) == list(range(27)) and set(mine["weeks"].firm) == {"Late Owls"}
    room.set_levers(code, *late, HIPPO)
    room.advance(code, key)
    play = room.play(code)
    assert play.market.firms[1].humility == pytest.approx(0.5 - PACE)
    assert play.market.firms[2].humility == 0.5 and play.market.firms[0].humility == pytest.approx(0.5 + 3 * PACE)
    pdt.assert_frame_equal(room.race(code), Classroom(tmp_path / "r.db").race(code))
    room.join(code, "Third")
    with pytest.raises(RoomError, match="every firm has a team"):
        room.join(code, "Fourth")
    room.open_reveal(code, key)
    assert list(room.reveal(code).team) == ["from the start", "from quarter 3", "from quarter 4"]


def test_reset_and_delete(tmp_path):
    room, code, key, teams = game(tmp_path / "r.db", quarters=2)
    first = room.race(code)
    for wrong in (teams[0][1], key[:-1] + "x"):
        with pytest.raises(RoomError, match="facilitator key is wrong"):
            room.reset(code, wrong)
        with pytest.raises(RoomError, match="facilitator key is wrong"):
            room.delete(code, wrong)
    room.start_clock(code, key, 30)
    room.reset(code, key)
    status = room.status(code)
    assert (status["quarter"], status["revealed"], status["next"]) == (0, False, None)
    assert status["teams"] == ["Red", "Blue", "Green"] and room.store.levers(code) == {}
    assert room.race(code).empty
    for (team, token), aim in zip(teams, (HUMBLE, HIPPO)):   # the teams' links still work
        room.set_levers(code, team, token, aim)
    room.advance(code, key)
    for (team, token), aim in zip(teams, (HUMBLE, HIPPO)):
        room.set_levers(code, team, token, aim)
    room.advance(code, key)
    pdt.assert_frame_equal(room.race(code), first)          # same seed, same choices, same market
    other, other_key = room.create(seed=1, quarters=2, firms=2, n_customers=200)
    room.join(other, "Kept")
    room.delete(code, key)
    with pytest.raises(RoomError, match="no room"):
        room.status(code)
    with closing(sqlite3.connect(tmp_path / "r.db")) as db:
        for table in ("rooms", "teams", "levers", "joins"):
            assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE code = ?", (code,)).fetchone()[0] == 0
    assert room.status(other)["teams"] == ["Kept"]           # other rooms untouched


def test_guessing_is_slow_per_address(tmp_path):
    """Wrong codes, keys and tokens from one address: after GUESSES_PER_MINUTE in a minute
    that address is refused, right ones included, for the rest of the minute; other
    addresses and right answers are not counted."""
    room = Classroom(tmp_path / "r.db")
    code, key = room.create(seed=1, quarters=2, firms=3, n_customers=200)
    team, token = room.join(code, "Red", "10.0.0.2")
    for _ in range(3 * GUESSES_PER_MINUTE):                 # right answers do not count
        room.facilitator(code, key, "10.0.0.2")
        room.team(code, team, token, "10.0.0.2")
    wrong = [lambda: room.join("ZZZZZZ", "Blue", "10.0.0.1"),
             lambda: room.facilitator(code, key[:-1] + "x", "10.0.0.1"),
             lambda: room.team(code, team, token[:-1] + "x", "10.0.0.1"),
             lambda: room.team(code, team + 1, token, "10.0.0.1")]
    for k in range(GUESSES_PER_MINUTE):
        with pytest.raises(RoomError, match="no room|is wrong"):
            wrong[k % len(wrong)]()
    for right in (lambda: room.facilitator(code, key, "10.0.0.1"), lambda: room.join(code, "Blue", "10.0.0.1"),
                  lambda: room.team(code, team, token, "10.0.0.1")):
        with pytest.raises(RoomError, match="too many wrong codes"):
            right()
    assert room.facilitator(code, key, "10.0.0.2").code == code      # another address
    assert room.facilitator(code, key).code == code                  # no address: a script
    with closing(sqlite3.connect(tmp_path / "r.db")) as db, db:
        db.execute("UPDATE guesses SET at = at - 61")                # a minute later
    assert room.join(code, "Blue", "10.0.0.1")[0] == 1


OLD_SCHEMA = """
CREATE TABLE rooms (code TEXT PRIMARY KEY, key_hash TEXT NOT NULL, seed INTEGER NOT NULL, settings TEXT NOT NULL,
    quarter INTEGER NOT NULL DEFAULT 0, revealed INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL);
CREATE TABLE teams (code TEXT NOT NULL REFERENCES rooms(code), team INTEGER NOT NULL, name TEXT NOT NULL,
    folded TEXT NOT NULL, token_hash TEXT NOT NULL, PRIMARY KEY (code, team), UNIQUE (code, folded));
INSERT INTO rooms VALUES ('OLD234', 'x', 9, '{"n_customers": 300, "quarters": 4}', 1, 0, 0);
INSERT INTO teams VALUES ('OLD234', 0, 'Red', 'red', 'x'), ('OLD234', 1, 'Blue', 'blue', 'x');
"""


def test_a_room_file_from_before_the_clock_opens(tmp_path):
    """A file written before the clock, late teams and the guessing limit: its rooms get a
    paused clock and as many firms as teams."""
    with closing(sqlite3.connect(tmp_path / "old.db")) as db:
        db.executescript(OLD_SCHEMA)
    room = Classroom(tmp_path / "old.db")
    status = room.status("OLD234")
    assert (status["quarter"], status["firms"], status["clock"], status["next"]) == (1, 2, 0, None)
    assert set(room.leaderboard("OLD234").firm) == {"Red", "Blue"}
