"""Bad input gets one clear line (file, field, what is allowed), exit code 2, no traceback,
and no output directory, not even a half-written one.

The corpus is tests/bad_inputs/*.toml plus bad command lines.  Most cases call
ccsim.cli.main in this process (the CLI's real code path); a few run the installed
``ccsim`` executable to check the real exit code and stderr.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ccsim.cli import main

CORPUS = Path(__file__).parent / "bad_inputs"
CCSIM = Path(sys.executable).with_name("ccsim")

# corpus file -> words the error line must contain (the field, and what is allowed)
FILE_CASES = {
    "unknown_param.toml": ["[params]", "'humilty'", "allowed: humility"],
    "out_of_range.toml": ["[params]", "humility=1.5", "out of range", "[0, 1]"],
    "wrong_type.toml": ["[params]", "humility='high'", "not a number", "[0, 1]"],
    "malformed.toml": ["malformed TOML", "line 1"],
    "unknown_event.toml": ["events[1]", "'meteor'", "allowed: set, new_leader, defect, shock"],
    "event_past_end.toml": ["events[1]", "week=100", "past the end", "week 52"],
    "negative_size.toml": ["[params]", "n_customers=-5", "out of range", "[10, 1e+07]"],
    "absurd_size.toml": ["[params]", "n_customers=8000000000", "out of range"],
    "absurd_steps.toml": ["steps=1000000", "[1, 5200]"],
    "unknown_key.toml": ["'titel'", "allowed: title"],
    "code_injection.toml": ["[params]", "humility=", "not a number"],
    "bad_event_args.toml": ["events[1]", "shock demand=2.0", "[0.0, 1.0]"],
    "fractional_week.toml": ["events[1]", "week=10.5", "whole number"],
    "size_mid_run.toml": ["events[1]", "n_customers", "cannot change mid-run"],
    "missing_title.toml": ["missing title"],
    "unknown_counterpart.toml": ["compare.with", "'no-such-preset'", "allowed: baseline"],
    "extends_cycle.toml": ["extends", "circle"],
    "bad_info.toml": ["'info.credits'", "allowed: what_is_it"],
    "bad_key_charts.toml": ["key_charts=", "'happiness'", "allowed: 4 different charts of customers"],
}

# command line (after "ccsim") -> words the error line must contain
ARG_CASES = {
    "missing file": (["run", "no/such/preset.toml"], ["no/such/preset.toml", "no such scenario file"]),
    "unknown preset": (["run", "hipo"], ["unknown preset 'hipo'", "allowed: baseline", "hippo"]),
    "unknown --set": (["run", "--set", "humilty=1"], ["--set", "'humilty'", "allowed:"]),
    "--set out of range": (["run", "--set", "humility=2"], ["--set", "humility=2.0", "[0, 1]"]),
    "--set wrong type": (["run", "--set", "n_customers=lots"], ["--set", "n_customers='lots'", "not a number"]),
    "--set without =": (["run", "--set", "humility"], ["--set", "'humility'", "NAME=VALUE"]),
    "--set negative size": (["run", "--set", "n_employees=-3"], ["--set", "n_employees=-3", "out of range"]),
    "--set absurd size": (["run", "--set", "n_customers=1e12"], ["--set", "n_customers", "out of range"]),
    "--steps negative": (["run", "--steps", "-5"], ["--steps=-5", "1-5200"]),
    "--steps absurd": (["run", "--steps", "99999999"], ["--steps=99999999", "1-5200"]),
    "--steps not a number": (["run", "--steps", "ten"], ["--steps='ten'", "whole number"]),
    "--seed negative": (["run", "--seed", "-1"], ["--seed=-1", "out of range"]),
    "--reps zero": (["compare", "hippo", "--reps", "0"], ["--reps=0", "1-1000"]),
    "--reps absurd": (["compare", "hippo", "--reps", "100000"], ["--reps=100000", "1-1000"]),
    "--set-b unknown": (["compare", "hippo", "--set-b", "courage=1"], ["--set-b", "'courage'"]),
    "compare without counterpart": (["compare", "baseline"], ["baseline", "no counterpart"]),
    "compare unknown B": (["compare", "hippo", "hipo"], ["unknown preset 'hipo'"]),
    "show unknown preset": (["scenarios", "hipo"], ["unknown preset 'hipo'"]),
    "compete one preset": (["compete", "hippo"], ["two or more presets", "got 1"]),
    "compete unknown preset": (["compete", "hippo", "hipo"], ["unknown preset 'hipo'"]),
    "compete --reps zero": (["compete", "hippo", "baseline", "--reps", "0"], ["--reps=0", "1-1000"]),
    "compete --set unknown": (["compete", "hippo", "baseline", "--set", "outside=1"],
                              ["--set", "'outside'", "outside_option"]),
    "compete --set market out of range": (["compete", "hippo", "baseline", "--set", "outside_option=2"],
                                          ["--set", "outside_option=2.0", "[0, 1]"]),
    "compete --set size out of range": (["compete", "hippo", "baseline", "--set", "n_customers=5"],
                                        ["--set", "n_customers=5", "[10, 1e+07]"]),
    "compete shares over 1": (["compete", "hippo", "baseline", "--set", "initial_share=0.6"],
                              ["initial_share add up to 1.2", "at most 1"]),
}


def _check_one_line(err: str, words, command: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"ccsim {command}: error: "), lines[0]
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"


def _nothing_written(tmp_path: Path) -> None:
    assert sorted(os.listdir(tmp_path)) == [], os.listdir(tmp_path)


@pytest.mark.parametrize("name", sorted(FILE_CASES))
@pytest.mark.parametrize("command", ["run", "compare", "compete"])
def test_bad_preset_file(name, command, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = CORPUS / name
    argv = [command, str(path), *(["hippo"] if command in ("compare", "compete") else []),
            "--out", str(tmp_path / "out"), "--quiet"]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    _check_one_line(captured.err, [str(path), *FILE_CASES[name]], command)
    _nothing_written(tmp_path)


def test_corpus_is_covered():
    assert sorted(p.name for p in CORPUS.glob("*.toml")) == sorted(FILE_CASES)


@pytest.mark.parametrize("case", sorted(ARG_CASES))
def test_bad_command_line(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv, words = ARG_CASES[case]
    out = [] if argv[0] == "scenarios" else ["--out", str(tmp_path / "out"), "--quiet"]
    assert main([*argv, *out]) == 2
    _check_one_line(capsys.readouterr().err, words, argv[0])
    _nothing_written(tmp_path)


def test_out_that_is_not_an_earlier_output_is_left_alone(tmp_path, capsys):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("years of work")
    assert main(["run", "--steps", "3", "--out", str(precious), "--quiet"]) == 2
    _check_one_line(capsys.readouterr().err, ["--out", "not an earlier ccsim output"], "run")
    assert os.listdir(precious) == ["chapter1.tex"]
    assert sorted(os.listdir(tmp_path)) == ["thesis"]


@pytest.mark.parametrize("argv,words", [
    (["run", str(CORPUS / "malformed.toml")], ["malformed TOML"]),
    (["compare", "hippo", "--set", "humility=7"], ["--set", "humility=7.0", "[0, 1]"]),
    (["run", "hipo"], ["unknown preset 'hipo'"]),
])
def test_real_executable_exits_2_with_one_line(argv, words, tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([str(CCSIM), *argv, "--out", str(out)], capture_output=True,
                            text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 2
    assert result.stdout == ""
    _check_one_line(result.stderr, words, argv[0])
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == []


@pytest.mark.slow
def test_interrupted_run_leaves_no_output(tmp_path):
    """Ctrl-C in the middle of a long compare: exit 130, the temporary directory is gone."""
    out = tmp_path / "new" / "dirs" / "out"
    # Ctrl-C as in a terminal: a suite started in the background (no job control) passes
    # SIGINT on ignored, and Python then keeps ignoring it
    proc = subprocess.Popen([str(CCSIM), "compare", "hippo", "--reps", "200", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while not (out.parent.is_dir() and any(p.name.endswith(".tmp") for p in out.parent.iterdir())):
        assert proc.poll() is None and time.time() < deadline, "the run never started"
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == []
