"""One run of a sweep, as it executes in a worker (a local process or a Dask worker).

A task carries everything the run needs (parameters, events, seed), so a worker needs
only an importable ccsim: no files, no presets, no shared disk.  The result goes back to
the parent, which writes it; a run that raises comes back as its error.
"""

from __future__ import annotations

import os
import select
import threading
import time
import traceback
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccsim.model import run as run_model


@dataclass(frozen=True)
class RunTask:
    run: int
    point: int
    replication: int
    seed: int
    factors: dict          # the design point (the values that vary)
    params: dict           # preset + fixed + factors: what the model gets
    events: tuple
    weeks: int
    reporters: tuple
    every: int


@dataclass
class RunResult:
    task: RunTask
    table: pd.DataFrame | None
    error: str | None
    traceback: str | None
    seconds: float


def simulate(task: RunTask) -> pd.DataFrame:
    """Step the model for the task's weeks (stopping if its cash runs out) and return the
    kept reporters, one row per kept week, with the run's identity and design point."""
    model = run_model(task.weeks, task.seed, customer_agents=False, events=task.events, **task.params)
    frame = model.dataframe()
    weeks = frame.index.to_numpy()
    keep = (weeks % task.every == 0) | (weeks == weeks[-1])
    table = frame.loc[keep, list(task.reporters)].astype(np.float64).reset_index()
    table["week"] = table["week"].astype(np.int64)
    identity = {"run": task.run, "point": task.point, "replication": task.replication,
                "seed": task.seed, **task.factors}
    for i, (name, value) in enumerate(identity.items()):
        table.insert(i, name, value)
    return table


def run_task(task: RunTask) -> RunResult:
    """Run one task; never raises for an error inside the model."""
    start = time.perf_counter()
    try:
        table = simulate(task)
    except Exception as error:  # recorded with the run; the sweep goes on
        message = f"{type(error).__name__}: {' '.join(str(error).split())}"
        return RunResult(task, None, message, traceback.format_exc(), time.perf_counter() - start)
    return RunResult(task, table, None, None, time.perf_counter() - start)


def exit_with(pid: int) -> None:
    """End this process as soon as process ``pid`` (the sweep) ends, however it ends:
    the initializer of local workers (ccsim.sweep.executors)."""
    threading.Thread(target=_exit_after, args=(pid,), daemon=True).start()


def _exit_after(pid: int) -> None:
    try:
        poller = select.poll()
        poller.register(os.pidfd_open(pid), select.POLLIN)   # readable once pid has ended
    except (AttributeError, OSError):   # no pidfd (not Linux >= 5.3), or pid has ended
        while _alive(pid):
            time.sleep(1)
    else:
        poller.poll()
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
