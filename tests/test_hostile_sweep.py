"""``ccsim sweep`` and ``ccsim analyze`` against careless, unlucky or hostile users: two
sweeps into one directory, damaged run files and manifests, kill -9 and SIGTERM, bad
addresses and absurd sizes.

Every case runs ccsim in a directory of its own and asserts its exit code, that an error
is one line naming the file or field (and the bound), and that nothing changed but the
command's own output.  Where processes, signals and locks matter the installed ``ccsim``
executable runs (a few at a time, ``run_all``, to keep the file quick on two cores); a
case that only reads its input calls ``ccsim.cli.main`` in a fork of this process.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from ccsim.cli import main
from ccsim.sweep.store import LOCK, ResultStore

CCSIM = Path(sys.executable).with_name("ccsim")
MARK = "CCSIM_TEST_MARK"     # in the environment of a sweep and of every process it starts
AT_ONCE = 3


def experiment(weeks=4, replications=2, seed=5, design='kind = "full_factorial"',
               factors="humility = [0.2, 0.8]", fixed="n_customers = 100\nn_employees = 10",
               output='reporters = ["customers", "cash"]') -> str:
    return (f'title = "hostile"\nweeks = {weeks}\nreplications = {replications}\nseed = {seed}\n'
            f"[design]\n{design}\n[factors]\n{factors}\n[fixed]\n{fixed}\n[output]\n{output}\n")


TINY = experiment()
SLOW = experiment(weeks=5200, fixed="n_customers = 100000")     # half a minute a run


def snapshot(root: Path, owned=()) -> dict[str, str]:
    """Every file under ``root`` but those under ``owned`` (relative names), hashed."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file() and not any(p.relative_to(root).is_relative_to(o) for o in owned)}


def _watched(where: Path, owned, run) -> subprocess.CompletedProcess:
    """``run()``, with ``.changed``: the files under ``where`` it changed outside ``owned``."""
    before = snapshot(where, owned)
    done = run()
    after = snapshot(where, owned)
    done.changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    done.where = where
    return done


def ccsim(where: Path, *argv, owned=(), **options) -> subprocess.CompletedProcess:
    """The installed ccsim, run in ``where`` (``options`` for subprocess.run)."""
    return _watched(where, owned, lambda: subprocess.run(
        [CCSIM, *argv], cwd=where, capture_output=True, text=True, timeout=120, **options))


def cli(where: Path, *argv, owned=(), timeout: float = 60) -> subprocess.CompletedProcess:
    """``ccsim.cli.main`` run in ``where`` in a fork of this process: quick (nothing left to
    import), yet a case that hangs or fills the memory is killed and fails."""
    def run():
        with tempfile.TemporaryDirectory() as tmp:
            out, err = Path(tmp, "out"), Path(tmp, "err")
            child = multiprocessing.get_context("fork").Process(
                target=_main_in, args=(where, argv, out, err))
            with warnings.catch_warnings(action="ignore", category=DeprecationWarning):
                child.start()     # (pyarrow's threads: the child does not need them)
            child.join(timeout)
            if child.is_alive():
                child.kill()
                child.join()
                raise AssertionError(f"ccsim {' '.join(argv)}: still running after {timeout} s")
            return subprocess.CompletedProcess(argv, child.exitcode, out.read_text(),
                                               err.read_text())
    return _watched(where, owned, run)


def _main_in(where: Path, argv, out: Path, err: Path) -> None:
    os.chdir(where)
    with open(out, "w") as sys.stdout, open(err, "w") as sys.stderr:
        try:
            code = main(list(argv))
        except BaseException:   # as the real command would show it: a traceback
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def run_all(calls: dict) -> dict:
    """``{case: (where, *argv)}`` run a few at a time: ``{case: ccsim(where, *argv)}``."""
    with ThreadPoolExecutor(AT_ONCE) as pool:
        futures = {case: pool.submit(ccsim, *call) for case, call in calls.items()}
        return {case: future.result() for case, future in futures.items()}


def refused(done, *words: str) -> str:
    """Assert exit code 2, one error line holding ``words``, and nothing changed."""
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ccsim "), done.stderr
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"
    assert done.changed == []
    return lines[0]


def case_dir(root: Path, name: str, text: str = TINY) -> Path:
    where = root / name.replace(" ", "_").replace("/", "_")
    where.mkdir()
    (where / "exp.toml").write_text(text)
    return where


def marked(mark: str) -> list[int]:
    """Processes alive with ``mark`` in their environment (the sweep and its children)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if f"{MARK}={mark}".encode() in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def wait_for(condition, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"no {what} after {seconds} s")
        time.sleep(0.02)


def tables(out: Path) -> pd.DataFrame:
    return ResultStore(out).load_runs()


# ----- two sweeps, one directory -----
def test_second_sweep_is_refused_while_the_first_holds_the_directory(tmp_path):
    where = case_dir(tmp_path, "lock", experiment(weeks=600, fixed="n_customers = 15000"))
    (where / "other.toml").write_text(TINY)
    first = subprocess.Popen([CCSIM, "sweep", "exp.toml", "--out", "out", "--workers", "1",
                              "--no-progress"], cwd=where, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: ResultStore(where / "out").done(), 60, "finished run")
        os.kill(first.pid, signal.SIGSTOP)      # keep it running (and holding) while we try
        assert (where / "out" / LOCK).read_text() == f"{first.pid}\n"
        for other in (["other.toml"], ["exp.toml", "--resume"]):
            refused(cli(where, "sweep", *other, "--out", "out", "--no-progress"),
                    "out is in use by another ccsim sweep", f"(pid {first.pid})")
        read = cli(where, "analyze", "out", "--out", "report", owned=["report"])
        assert read.returncode == 0 and read.changed == [], read.stderr
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert first.wait(timeout=60) == 0
    again = cli(where, "sweep", "exp.toml", "--out", "out", "--resume", owned=["out"])
    assert again.returncode == 0 and "4 already there" in again.stdout


def test_two_new_sweeps_racing_for_one_directory(tmp_path):
    """Two different experiments started at once into one new directory: one wins, the
    other is refused, and the directory holds one experiment's manifest and runs."""
    where = case_dir(tmp_path, "race")
    (where / "other.toml").write_text(experiment(seed=6))
    starts = [subprocess.Popen([CCSIM, "sweep", name, "--out", "out", "--no-progress"],
                               cwd=where, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True) for name in ("exp.toml", "other.toml")]
    errors = [start.communicate(timeout=120)[1] for start in starts]
    ends = [(start.returncode, err) for start, err in zip(starts, errors)]
    assert sorted(code for code, _ in ends) == [0, 2]
    err = next(err for code, err in ends if code == 2)
    assert err.count("\n") == 1 and "out is in use by another ccsim sweep" in err
    store = ResultStore(where / "out")
    seeds = {run["run"]: run["seed"] for run in store.manifest()["runs"]}
    runs = tables(where / "out")
    assert runs.run.nunique() == 4 and (runs.seed == runs.run.map(seeds)).all()


# ----- damaged run files and manifests -----
@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """A finished 4-run sweep (in ``DIR/out``) and its results."""
    where = case_dir(tmp_path_factory.mktemp("baseline"), "whole")
    assert ccsim(where, "sweep", "exp.toml", "--out", "out").returncode == 0
    return where, tables(where / "out")


def damaged_copies(root: Path, baseline, damages: dict) -> dict:
    """A copy of the baseline per damage, damaged (``{name: damage(DIR/out)}``)."""
    copies = {}
    for name, damage in damages.items():
        where = root / name.replace(" ", "_").replace("'", "")
        shutil.copytree(baseline[0], where)
        damage(where / "out")
        copies[name] = where
    return copies


def _run_file(out: Path) -> Path:
    return out / "runs" / "run-0000001.parquet"


def _overwrite(data: bytes):
    return lambda out: _run_file(out).write_bytes(data)


RUN_DAMAGE = {
    "truncated": lambda out: os.truncate(_run_file(out), _run_file(out).stat().st_size // 2),
    "empty": _overwrite(b""),
    "garbage": _overwrite(os.urandom(3000)),
    "garbage between parquet magic": _overwrite(b"PAR1" + os.urandom(3000) + b"PAR1"),
    "another run's file": lambda out: shutil.copy(out / "runs" / "run-0000002.parquet",
                                                  _run_file(out)),
}


def _edit_manifest(change):
    def damage(out: Path) -> None:
        manifest = json.loads((out / "manifest.json").read_text())
        change(manifest)
        (out / "manifest.json").write_text(json.dumps(manifest))
    return damage


def _write_manifest(data: bytes):
    return lambda out: (out / "manifest.json").write_bytes(data)


MANIFEST_DAMAGE = {   # name: (damage, words in the error line)
    "[]": (_write_manifest(b"[]"), "its top level is not a table"),
    "{}": (_write_manifest(b"{}"), "format is missing"),
    "garbage": (_write_manifest(os.urandom(500)), "not a whole sweep manifest"),
    "missing key": (_edit_manifest(lambda m: m["experiment"].pop("weeks")),
                    "experiment.weeks is missing"),
    "wrong type": (_edit_manifest(lambda m: m.update(runs={"0": 1})), "runs is not a list"),
    "edited seed": (_edit_manifest(lambda m: m["runs"][0].update(seed=1)),
                    "does not match its fingerprint"),
}


@pytest.fixture(scope="module")
def resumed(baseline, tmp_path_factory):
    """Every damaged copy resumed with ccsim sweep."""
    copies = damaged_copies(tmp_path_factory.mktemp("resumed"), baseline, RUN_DAMAGE)
    return run_all({name: (where, "sweep", "exp.toml", "--out", "out", "--resume")
                    for name, where in copies.items()})


@pytest.mark.parametrize("damage", sorted(RUN_DAMAGE))
def test_damaged_run_file_is_run_again_on_resume(damage, baseline, resumed):
    done = resumed[damage]
    assert done.returncode == 0, done.stderr
    assert "run-0000001.parquet: damaged" in done.stderr and "3 already there" in done.stdout
    assert done.changed == ["out/.ccsim.lock", "out/damaged/run-0000001.parquet",
                            "out/runs/run-0000001.parquet"]
    pd.testing.assert_frame_equal(tables(done.where / "out"), baseline[1])


@pytest.mark.parametrize("damage", sorted(RUN_DAMAGE))
def test_analyze_of_a_damaged_run_file_is_one_line(damage, baseline, tmp_path):
    where = damaged_copies(tmp_path, baseline, {damage: RUN_DAMAGE[damage]})[damage]
    refused(cli(where, "analyze", "out"), "out/runs/run-0000001.parquet: damaged",
            "ccsim sweep exp.toml --out out --resume")


def test_a_full_disk_stops_the_sweep_in_one_line_and_a_resume_finishes_it(baseline, tmp_path):
    def small_disk():     # files of at most 3000 bytes: the manifest fits, no run file does
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (3000, 3000))

    where = case_dir(tmp_path, "full")
    full = ccsim(where, "sweep", "exp.toml", "--out", "out", "--no-progress", owned=["out"],
                 preexec_fn=small_disk)
    assert full.returncode == 1 and full.stderr == (
        "ccsim sweep: out: cannot write (File too large); finished runs are kept: make room and "
        "rerun with --resume\n")
    assert ccsim(where, "sweep", "exp.toml", "--out", "out", "--resume").returncode == 0
    pd.testing.assert_frame_equal(tables(where / "out"), baseline[1])


def test_damaged_failure_record_is_one_line_and_a_resume_clears_it(baseline, tmp_path):
    """A finished run's failure record (kill -9 between writing the run and removing its
    record; here garbage) stops analyze in one line; a resume removes it."""
    where = damaged_copies(tmp_path, baseline, {"record": lambda out: (
        out / "failures" / "run-0000003.json").write_bytes(os.urandom(100))})["record"]
    refused(cli(where, "analyze", "out"), "out/failures/run-0000003.json: damaged",
            "ccsim sweep exp.toml --out out --resume")
    done = cli(where, "sweep", "exp.toml", "--out", "out", "--resume", owned=["out"])
    assert done.returncode == 0 and not (where / "out" / "failures" / "run-0000003.json").exists()


@pytest.mark.parametrize("command", [("sweep", "exp.toml", "--out", "out", "--resume"),
                                     ("analyze", "out")], ids=["sweep", "analyze"])
@pytest.mark.parametrize("damage", sorted(MANIFEST_DAMAGE))
def test_damaged_manifest_is_one_line(damage, command, baseline, tmp_path):
    damage_it, words = MANIFEST_DAMAGE[damage]
    where = damaged_copies(tmp_path, baseline, {damage: damage_it})[damage]
    refused(cli(where, *command), "out/manifest.json: ", words)


# ----- signals -----
@pytest.mark.parametrize("engine,how", [("local", signal.SIGKILL), ("local", signal.SIGTERM),
                                        ("dask", signal.SIGKILL)])
def test_no_process_outlives_a_killed_sweep(engine, how, tmp_path):
    """The sweep's forkserver, resource tracker and workers (a LocalCluster's with dask)
    end within seconds of the sweep; SIGTERM ends it at once, its runs cut short."""
    where = case_dir(tmp_path, "killed", SLOW)
    mark = uuid.uuid4().hex
    sweep = subprocess.Popen(
        [CCSIM, "sweep", "exp.toml", "--out", "out", "--workers", "2", "--no-progress",
         "--engine", engine], cwd=where, env={**os.environ, MARK: mark},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        started = 5 if engine == "local" else 4   # the sweep, (forkserver,) tracker, workers
        wait_for(lambda: len(marked(mark)) >= started, 60, "workers")
        time.sleep(0.5)
        sweep.send_signal(how)
        code = sweep.wait(timeout=10)
        wait_for(lambda: not marked(mark), 10, "end of every process the sweep started")
    finally:
        for pid in marked(mark):
            os.kill(pid, signal.SIGKILL)
    if how == signal.SIGTERM:
        assert code == 143 and sweep.stderr.read() == "ccsim sweep: terminated\n"
    else:
        assert code == -how


# ----- bad input: one line, exit 2, nothing written -----
_RANGES = "humility = { lo = 0.0, hi = 1.0 }\nconformity = { lo = 0.0, hi = 1.0 }"
BAD_FILES = {   # name: (experiment file, words in the error line)
    "replications inf": (experiment(replications="inf"), "exp.toml: replications=inf; allowed: "
                                                         "a whole number in [1, 1000000]"),
    "replications in the billions": (experiment(replications=4 * 10**9),
                                     "exp.toml: replications=4000000000; allowed: "),
    "weeks nan": (experiment(weeks="nan"), "exp.toml: weeks=nan; allowed: a whole number in "
                                           "[1, 5200]"),
    "seed -inf": (experiment(seed="-inf"), "exp.toml: seed=-inf; allowed: a whole number in "
                                           "[0, 9223372036854775807]"),
    "levels in the billions": (
        experiment(factors="humility = { lo = 0.0, hi = 1.0, levels = 3000000000 }"),
        "exp.toml: factors.humility.levels=3000000000; allowed: a whole number in [2, 1000000]"),
    "levels inf": (experiment(factors="humility = { lo = 0.0, hi = 1.0, levels = inf }"),
                   "exp.toml: factors.humility.levels=inf; allowed: "),
    "whole-number bound inf": (
        experiment(factors="n_employees = { lo = 10, hi = inf, levels = 3 }"),
        "exp.toml: factors.n_employees.hi: n_employees=inf is not a finite number"),
    "every inf": (experiment(output='reporters = ["cash"]\nevery = inf'),
                  "exp.toml: output.every=inf; allowed: a whole number in [1, 5200]"),
    "samples in the billions": (
        experiment(design='kind = "sobol"\nsamples = 1073741824', factors=_RANGES),
        "exp.toml: design.samples=1073741824; allowed: a whole number in [2, 1000000]"),
    "trajectories inf": (experiment(design='kind = "morris"\ntrajectories = inf', factors=_RANGES),
                         "exp.toml: design.trajectories=inf; allowed: "),
    "a billion runs": (
        experiment(factors="\n".join(f"{name} = {{ lo = 0.0, hi = 1.0, levels = 1000 }}"
                                     for name in ("humility", "conformity", "empowerment"))),
        "exp.toml: 1000000000 design points x 2 replications = 2000000000 runs; allowed: at "
        "most 1000000 runs"),
}
BAD_OPTIONS = {   # name: (options, words in the error line)
    "replications 10**12": (["--replications", "1000000000000"],
                            "--replications=1000000000000; allowed: a whole number in [1, 1000000]"),
    "replications over the run limit": (["--replications", "600000"],
                                        "2 design points x 600000 replications = 1200000 runs"),
    "weeks 0": (["--weeks", "0"], "--weeks=0; allowed: a whole number in [1, 5200]"),
    "weeks -5": (["--weeks", "-5"], "--weeks=-5; allowed: "),
    "workers 0": (["--workers", "0"], "--workers=0; allowed: a whole number in [1, "),
    "workers 10**12": (["--workers", "1000000000000"], "--workers=1000000000000; allowed: "),
    "address ::::": (["--engine", "dask", "--address", "::::"],
                     "--address '::::' is not a Dask scheduler's address; allowed: SCHEME://"),
    "address tcp://": (["--engine", "dask", "--address", "tcp://"], "--address 'tcp://' is not"),
    "address http://x": (["--engine", "dask", "--address", "http://x"],
                         "--address 'http://x' is not"),
    "address port 99999": (["--engine", "dask", "--address", "tcp://127.0.0.1:99999"],
                           "PORT in [1, 65535]"),
}


@pytest.mark.parametrize("case", [*BAD_FILES, *BAD_OPTIONS])
def test_bad_input_is_one_line_before_anything_is_written(case, tmp_path):
    text, words = BAD_FILES.get(case, (TINY, None))
    options, words = BAD_OPTIONS.get(case, ([], words))
    where = case_dir(tmp_path, "bad", text)
    refused(cli(where, "sweep", "exp.toml", "--out", "out", *options), words)


def test_run_counts_match_the_designs(tmp_path):
    """The size check counts a design's points without building it: the same number."""
    import tomllib

    from ccsim.sweep.designs import make_design
    from ccsim.sweep.experiment import parse_experiment

    for design in ['kind = "latin_hypercube"\nsamples = 5', 'kind = "sobol"\nsamples = 4',
                   'kind = "sobol"\nsamples = 4\nsecond_order = true',
                   'kind = "morris"\ntrajectories = 3']:
        parsed = parse_experiment(tomllib.loads(experiment(design=design, factors=_RANGES)), "x", "x")
        assert parsed.n_points == len(make_design(parsed).points)
    parsed = parse_experiment(tomllib.loads(experiment(
        factors="humility = [0.1, 0.2, 0.3]\nconformity = [0.5, 0.6]")), "x", "x")
    assert parsed.n_points == len(make_design(parsed).points) == 6
