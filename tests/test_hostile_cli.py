"""A careless, unlucky or hostile user at the command line: outputs never delete what ccsim
did not write, every bad input is one line and exit code 2, signals leave nothing behind.

Each case asserts the exit code, the one error line (naming the field and what is
allowed), and that nothing outside ccsim's own outputs changed (a snapshot of the whole
temporary directory before and after).  Most cases call ccsim.cli.main in this process;
signals, disk limits and the real exit codes use the installed ``ccsim`` executable.
"""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ccsim import stopping
from ccsim.cli import main
from ccsim.output import MARKER

CCSIM = Path(sys.executable).with_name("ccsim")
QUICK = ["--steps", "3", "--quiet", "--set", "n_customers=60"]


def snapshot(root: Path) -> dict[str, str]:
    """Every file and directory under ``root`` with a hash of its content."""
    found = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        found[key] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def one_line(err: str, command: str, *words: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"ccsim {command}: error: "), lines[0]
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"
    return lines[0]


def refused(argv, command, capsys, root: Path, *words) -> None:
    """``argv`` exits 2 with one line holding ``words`` and changes nothing under ``root``."""
    before = snapshot(root)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    one_line(captured.err, command, *words)
    assert snapshot(root) == before


def precious(root: Path, name: str = "thesis") -> Path:
    directory = root / name
    directory.mkdir(parents=True)
    (directory / "chapter1.tex").write_text("years of work")
    return directory


# ----- outputs: replace only what ccsim wrote -----
def test_user_directory_is_left_alone(tmp_path, capsys):
    refused(["run", *QUICK, "--out", str(precious(tmp_path))], "run", capsys, tmp_path,
            "not an earlier ccsim output")


def test_a_file_named_run_json_is_no_licence_to_delete(tmp_path, capsys):
    mine = precious(tmp_path)
    (mine / "run.json").write_text("{}")
    refused(["compare", "hippo", *QUICK, "--out", str(mine)], "compare", capsys, tmp_path,
            "not an earlier ccsim output")


def test_an_earlier_output_is_replaced(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["run", *QUICK, "--out", str(out)]) == 0
    assert main(["run", *QUICK, "--seed", "2", "--out", str(out)]) == 0
    assert (out / MARKER).is_file() and (out / "timeseries.csv").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]   # no temporary leftovers


def test_an_earlier_output_with_a_users_file_in_it_is_kept(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["run", *QUICK, "--out", str(out)]) == 0
    (out / "my-notes.txt").write_text("what I saw")
    capsys.readouterr()
    refused(["run", *QUICK, "--out", str(out)], "run", capsys, tmp_path, "'my-notes.txt'",
            "ccsim did not write")


def test_a_forged_marker_does_not_cover_other_files(tmp_path, capsys):
    mine = precious(tmp_path)
    (mine / MARKER).write_text('{"written_by": "ccsim run", "files": []}')
    refused(["run", *QUICK, "--out", str(mine)], "run", capsys, tmp_path, "'chapter1.tex'")


@pytest.mark.parametrize("where", [".", ".."])
def test_the_current_directory_and_its_parents_are_refused(where, tmp_path, capsys, monkeypatch):
    inside = tmp_path / "a"
    inside.mkdir()
    monkeypatch.chdir(inside)
    refused(["run", *QUICK, "--out", where], "run", capsys, tmp_path, "current directory")


def test_the_directory_holding_the_preset_is_refused(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "p.toml").write_text('title = "t"\nstory = "s"\n')
    refused(["run", str(mine / "p.toml"), *QUICK, "--out", str(mine)], "run", capsys,
            tmp_path, "holds")
    refused(["run", str(mine / "p.toml"), *QUICK, "--out", str(mine / "p.toml")], "run",
            capsys, tmp_path, "holds")


def test_a_file_or_a_link_is_refused(tmp_path, capsys):
    (tmp_path / "f.txt").write_text("keep")
    refused(["run", *QUICK, "--out", str(tmp_path / "f.txt")], "run", capsys, tmp_path,
            "not a directory")
    os.symlink(precious(tmp_path), tmp_path / "link")
    refused(["run", *QUICK, "--out", str(tmp_path / "link")], "run", capsys, tmp_path,
            "symbolic link")


@pytest.mark.parametrize("target", ["/dev/null/out", "/proc/self/ccsim-out", "x" * 300])
def test_an_impossible_out_is_one_line(target, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    refused(["run", *QUICK, "--out", target], "run", capsys, tmp_path, "cannot write there")


def test_a_full_disk_leaves_nothing_half_written(tmp_path):
    """A file-size limit makes every write past 2 kB fail, as a full disk would."""
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))

    result = subprocess.run([str(CCSIM), "run", *QUICK, "--out", str(tmp_path / "o")],
                            capture_output=True, text=True, preexec_fn=limit, timeout=120)
    assert result.returncode == 2, result.stderr
    one_line(result.stderr, "run", "cannot write there", "File too large")
    assert list(tmp_path.iterdir()) == []


def test_validate_out_is_guarded_too(tmp_path, capsys):
    refused(["validate", "peak_end", "--out", str(precious(tmp_path))], "validate", capsys,
            tmp_path, "not an earlier ccsim output")


# ----- analyze: never the sweep, its parent, or a user's files -----
@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sweep")
    experiment = root / "exp.toml"
    experiment.write_text('title = "t"\nscenario = "baseline"\nweeks = 4\nreplications = 2\n'
                          'seed = 1\n[fixed]\nn_customers = 60\n[design]\nkind = "full_factorial"\n'
                          '[factors]\nhumility = { lo = 0.1, hi = 0.9, levels = 2 }\n'
                          '[output]\nreporters = ["nps"]\n')
    out = root / "s"
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "1",
                 "--no-progress"]) == 0
    return out


def test_analyze_twice_replaces_its_own_analysis(sweep_dir, capsys):
    assert main(["analyze", str(sweep_dir)]) == 0
    assert main(["analyze", str(sweep_dir)]) == 0
    assert (sweep_dir / "analysis" / "report.md").is_file()
    assert not [p for p in sweep_dir.iterdir() if p.name.startswith(".analysis")]


@pytest.mark.parametrize("out", ["{s}", "{s}/..", "{s}/runs"])
def test_analyze_never_replaces_its_input(out, sweep_dir, capsys):
    target = out.format(s=sweep_dir)
    refused(["analyze", str(sweep_dir), "--out", target], "analyze", capsys, sweep_dir.parent)


def test_analyze_keeps_a_users_files_in_analysis(sweep_dir, capsys):
    assert main(["analyze", str(sweep_dir)]) == 0
    (sweep_dir / "analysis" / "my-figure.svg").write_text("<svg/>")
    capsys.readouterr()
    refused(["analyze", str(sweep_dir)], "analyze", capsys, sweep_dir.parent, "'my-figure.svg'")
    (sweep_dir / "analysis" / "my-figure.svg").unlink()


def test_analyze_into_a_users_directory_is_refused(sweep_dir, tmp_path, capsys):
    refused(["analyze", str(sweep_dir), "--out", str(precious(tmp_path))], "analyze", capsys,
            tmp_path, "not an earlier ccsim output")


# ----- signals: nothing half-written, nothing left behind -----
def _start_long_run(cwd: Path, out: str) -> subprocess.Popen:
    # minutes of work even on a fast machine, so it is still running when it is signalled
    long_run = ["run", "--steps", "5200", "--set", "n_customers=50000", "--out", out]
    process = subprocess.Popen([str(CCSIM), *long_run], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(cwd.glob(f".*.ccsim.tmp/{MARKER}")):   # the run has started writing
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    return process


def test_sigterm_cleans_up(tmp_path):
    process = _start_long_run(tmp_path, "o")
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143
    assert err.strip().splitlines()[-1] == "ccsim run: terminated"
    assert list(tmp_path.iterdir()) == []


def test_sigterm_in_a_finaliser_is_not_lost():
    """A handler's exception raised inside a __del__ would be printed and dropped (CI saw a
    terminated run finish and write its output); it is kept for the next safe point."""
    class Finalised:
        def __del__(self):
            signal.raise_signal(signal.SIGTERM)

    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    stopping.install()
    try:
        Finalised()   # dropped at once: its __del__ receives the signal
        with pytest.raises(stopping.Terminated):
            stopping.check()
        stopping.check()   # raised once
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def test_after_kill_9_the_next_run_removes_the_leftover(tmp_path, capsys):
    precious(tmp_path)
    before = snapshot(tmp_path / "thesis")
    process = _start_long_run(tmp_path, "o")
    process.kill()
    process.communicate(timeout=60)
    assert len(list(tmp_path.glob(".o.*.ccsim.tmp"))) == 1
    assert main(["run", *QUICK, "--out", str(tmp_path / "p")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p", "thesis"]
    assert snapshot(tmp_path / "thesis") == before


def test_a_live_runs_temporary_directory_is_not_touched(tmp_path, capsys):
    process = _start_long_run(tmp_path, "o")
    try:
        assert main(["run", *QUICK, "--out", str(tmp_path / "p")]) == 0
        assert len(list(tmp_path.glob(".o.*.ccsim.tmp"))) == 1
    finally:
        process.kill()
        process.communicate(timeout=60)


# ----- numbers: finite and in range wherever they come from -----
SETS = {
    "n_customers=inf": "not a number",
    "n_customers=nan": "not a number",
    "n_customers=1e309": "not a number",
    "humility=inf": "not a finite number",
    "humility=-inf": "not a finite number",
    "humility=nan": "not a finite number",
    "humility=1e309": "not a finite number",
    "n_employees=" + "9" * 400: "out of range",
    "humility=0x1": "not a number",
    "humility=²": "not a number",
}


@pytest.mark.parametrize("item", sorted(SETS))
def test_set_values_must_be_finite(item, tmp_path, capsys):
    refused(["run", "--set", item, "--out", str(tmp_path / "o"), "--quiet"], "run", capsys,
            tmp_path, "--set", item.split("=")[0], SETS[item], "allowed:")


PRESETS = {
    "size inf": ("[params]\nn_customers = inf", "n_customers=inf"),
    "size nan": ("[params]\nn_customers = nan", "n_customers=nan"),
    "trait nan": ("[params]\nhumility = nan", "humility=nan"),
    "steps inf": ("steps = inf", "steps=inf"),
    "shock inf": ('[[events]]\nweek = 2\nkind = "shock"\nargs = { demand = 0.5, churn = inf, '
                  'weeks = 2 }', "shock churn=inf"),
    "shock nan": ('[[events]]\nweek = 2\nkind = "shock"\nargs = { demand = nan, churn = 2.0, '
                  'weeks = 2 }', "shock demand=nan"),
    "leader nan": ('[[events]]\nweek = 2\nkind = "new_leader"\nargs = { humility = nan }',
                   "humility=nan"),
    "week inf": ('[[events]]\nweek = inf\nkind = "defect"\nargs = { severity = 0.5 }',
                 "week=inf"),
    "compare inf": ('[compare]\nset = { n_customers = -inf }', "compare.set"),
    "deep nesting": ("[info]\nwhat_is_it = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
    "huge file": ("debrief = [\n" + '"a question?",\n' * 80_000 + "]", "larger than"),
}


@pytest.mark.parametrize("case", sorted(PRESETS))
def test_preset_numbers_must_be_finite(case, tmp_path, capsys):
    body, word = PRESETS[case]
    path = tmp_path / "p.toml"
    path.write_text(f'title = "t"\nstory = "s"\n{body}\n')
    refused(["run", str(path), "--out", str(tmp_path / "o"), "--quiet"], "run", capsys,
            tmp_path, str(path), word)


def test_a_long_chain_of_extends_is_refused(tmp_path, capsys):
    for i in range(1, 40):
        (tmp_path / f"c{i}.toml").write_text(f'title = "c{i}"\nstory = "s"\nextends = "c{i + 1}.toml"\n')
    (tmp_path / "c40.toml").write_text('title = "end"\nstory = "s"\n')
    refused(["run", str(tmp_path / "c1.toml"), "--out", str(tmp_path / "o"), "--quiet"], "run",
            capsys, tmp_path, "chain of more than", "allowed: at most")


# ----- the command line itself -----
ARGS = {
    "unknown option": (["run", "--frobnicate"], "ccsim", "unrecognized arguments"),
    "unknown command": (["frobnicate"], "ccsim", "invalid choice"),
    "missing experiment": (["sweep"], "ccsim sweep", "required"),
    "bad engine": (["sweep", "x.toml", "--engine", "ray"], "ccsim sweep", "invalid choice"),
    "validate reps inf": (["validate", "--reps", "inf"], "ccsim validate", "--reps='inf'"),
    "validate reps huge": (["validate", "--reps", "10000000000"], "ccsim validate", "2-100000"),
    "validate seed negative": (["validate", "--seed", "-1"], "ccsim validate", "--seed=-1"),
    "compare reps inf": (["compare", "hippo", "--reps", "inf"], "ccsim compare", "--reps='inf'"),
    "steps unicode": (["run", "--steps", "١٠"], "ccsim run", "--steps"),
}


def exit_code(argv) -> int:
    """``main(argv)``'s exit code, whether returned or raised by argparse."""
    try:
        return main(argv)
    except SystemExit as error:
        return error.code


@pytest.mark.parametrize("case", sorted(ARGS))
def test_every_usage_error_is_one_line(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv, prefix, word = ARGS[case]
    assert exit_code(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{prefix}: error: "), lines
    assert word in lines[0], lines
    assert list(tmp_path.iterdir()) == []
