"""Sweeps that survive kill -9 and run on a real Dask cluster, with identical results."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from ccsim.cli import main as cli
from ccsim.sweep.store import ResultStore

BIN = Path(sys.executable).parent

EXPERIMENT = """
title = "resumable"
weeks = {weeks}
replications = 3
seed = 99
[design]
kind = "full_factorial"
[factors]
humility = [0.0, 0.3, 0.6, 1.0]
conformity = [0.1, 0.5, 0.9]
[fixed]
n_customers = {customers}
n_employees = 30
[output]
reporters = ["customers", "loyalty", "cash", "leader_knowledge"]
every = 10
"""


def tables(out: Path) -> pd.DataFrame:
    return ResultStore(out).load_runs().sort_values(["run", "week"]).reset_index(drop=True)


def sweep(path: Path, out: Path, *extra: str) -> int:
    return cli(["sweep", str(path), "--out", str(out), "--no-progress", *extra])


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A 36-run experiment of small models and its uninterrupted local result."""
    root = tmp_path_factory.mktemp("cluster")
    path = root / "small.toml"
    path.write_text(EXPERIMENT.format(weeks=30, customers=300))
    assert sweep(path, root / "local", "--workers", "2") == 0
    return path, tables(root / "local")


def _wait_for(condition, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_resume_after_kill_9_gives_the_uninterrupted_result(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT.format(weeks=120, customers=1500))
    out = tmp_path / "killed"
    process = subprocess.Popen(
        [sys.executable, "-m", "ccsim", "sweep", str(path), "--out", str(out), "--workers", "2",
         "--no-progress"], start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    store = ResultStore(out)
    try:
        _wait_for(lambda: len(store.done()) >= 5, 120, "five finished runs")
    finally:
        os.killpg(process.pid, signal.SIGKILL)   # the sweep, its forkserver and its workers
        process.wait()
    done_at_kill = len(store.done())
    assert 5 <= done_at_kill < 36, "the sweep must be cut off in the middle"
    manifest = (out / "manifest.json").read_bytes()

    assert sweep(path, out, "--workers", "2") == 2          # refuses without --resume
    assert sweep(path, out, "--resume", "--workers", "2") == 0
    assert (out / "manifest.json").read_bytes() == manifest
    assert len(list((out / "runs").iterdir())) == 36      # no duplicates, no leftovers
    resumed = tables(out)
    assert not resumed.duplicated(["run", "week"]).any()

    assert sweep(path, tmp_path / "whole", "--workers", "2") == 0
    pd.testing.assert_frame_equal(resumed, tables(tmp_path / "whole"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster(tmp_path):
    """A real ``dask scheduler`` and ``dask worker`` (2 processes) on 127.0.0.1."""
    from dask.distributed import Client

    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    scheduler = subprocess.Popen(
        [BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen(
        [BIN / "dask", "worker", address, "--nworkers", "2", "--nthreads", "1", "--host",
         "127.0.0.1", "--no-dashboard", "--local-directory", str(tmp_path / "dask-space")],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in (worker, scheduler):
            stop(process)


def stop(process: subprocess.Popen) -> None:
    """End a process started in a session of its own, and everything in that session."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.slow
def test_dask_cluster_gives_identical_results(small, dask_cluster, tmp_path):
    path, local = small
    out = tmp_path / "dask"
    assert sweep(path, out, "--engine", "dask", "--address", dask_cluster) == 0
    pd.testing.assert_frame_equal(tables(out), local)


@pytest.mark.slow
def test_dask_local_cluster_without_address(small, tmp_path):
    path, local = small
    out = tmp_path / "dask-local"
    assert sweep(path, out, "--engine", "dask", "--workers", "2") == 0
    pd.testing.assert_frame_equal(tables(out), local)


def test_unreachable_scheduler_and_address_without_dask(small, tmp_path, capsys):
    path, _ = small
    address = f"tcp://127.0.0.1:{_free_port()}"
    assert sweep(path, tmp_path / "a", "--address", address) == 2
    assert "--address needs --engine dask" in capsys.readouterr().err
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        assert sweep(path, tmp_path / "b", "--engine", "dask", "--address", address) == 2
    assert "cannot reach a Dask scheduler" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


# ----- workers that join late (a batch cluster) -----
LATE = """
title = "late workers"
weeks = 30
replications = 10
seed = 8
[design]
kind = "full_factorial"
[factors]
humility = [0.1, 0.5, 0.9]
[fixed]
n_customers = 300
n_employees = 20
[output]
reporters = ["customers", "cash"]
every = 10
"""


@pytest.mark.slow
def test_window_grows_when_workers_join(tmp_path):
    """A real ``dask scheduler`` with no worker, a sweep started against it, then a ``dask
    worker`` of 4 threads: the scheduler is asked how many of the sweep's runs it holds."""
    from dask.distributed import Client

    def _in_flight(dask_scheduler) -> int:    # (local: sent to the scheduler by value)
        """The runs the scheduler holds that have not finished."""
        return sum(ts.state in ("processing", "queued", "no-worker")
                   for ts in dask_scheduler.tasks.values())

    port = str(_free_port())
    address = f"tcp://127.0.0.1:{port}"
    (tmp_path / "exp.toml").write_text(LATE)
    started = []

    def start(*argv, **options) -> subprocess.Popen:
        process = subprocess.Popen(argv, start_new_session=True, stdout=subprocess.DEVNULL,
                                   **options)
        started.append(process)
        return process

    try:
        start(BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard",
              stderr=subprocess.DEVNULL)
        with Client(address, timeout="30s") as client:
            sweep = start(BIN / "ccsim", "sweep", "exp.toml", "--out", "out", "--engine", "dask",
                          "--address", address, "--no-progress", cwd=tmp_path,
                          stderr=subprocess.PIPE, text=True)
            end = time.monotonic() + 120
            while client.run_on_scheduler(_in_flight) < 2:     # the sweep waits, no worker yet
                assert time.monotonic() < end and sweep.poll() is None, "the sweep never submitted"
                time.sleep(0.05)
            time.sleep(1.5)
            alone = client.run_on_scheduler(_in_flight)
            start(BIN / "dask", "worker", address, "--nworkers", "1", "--nthreads", "4", "--host",
                  "127.0.0.1", "--no-dashboard", "--local-directory", str(tmp_path / "space"),
                  stderr=subprocess.DEVNULL)
            most = 0
            while sweep.poll() is None:
                assert time.monotonic() < end + 120, "the sweep did not finish"
                most = max(most, client.run_on_scheduler(_in_flight))
                time.sleep(0.02)
        assert sweep.wait() == 0, sweep.stderr.read()
    finally:
        for process in reversed(started):
            stop(process)
    assert alone == 2           # no worker: IN_FLIGHT_PER_SLOT x 1
    assert most >= 6, most      # 4 threads joined: up to 8 in flight
    runs = ResultStore(tmp_path / "out").load_runs()
    assert runs.run.nunique() == 30
