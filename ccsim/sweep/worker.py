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


# A firm that perished is closed: in the weeks after, what it trades is 0 and ``perished``
# is 1; every other reporter (cash, loyalty, NPS, morale, knowledge...) keeps the value of
# the week it perished, the state it closed in.  So every run has a row at every kept week
# to the end, and a mean over runs never silently drops the firms that perished.
CLOSED = {"customers": 0.0, "revenue": 0.0, "profit": 0.0, "churn_rate": 0.0,
          "new_customers": 0.0, "employee_voice": 0.0, "staff_turnover": 0.0, "problems": 0.0,
          "recommendations": 0.0, "warnings": 0.0, "perished": 1.0}


def simulate(task: RunTask) -> pd.DataFrame:
    """Step the model for the task's weeks (stopping if its cash runs out) and return the
    kept reporters, one row per kept week (every ``every``-th and the last), with the run's
    identity, design point and ``perished_week`` (null if it did not perish); the weeks
    after a firm perished are filled as CLOSED says."""
    model = run_model(task.weeks, task.seed, customer_agents=False, events=task.events, **task.params)
    frame = model.dataframe()[list(task.reporters)].astype(np.float64)
    if model.perished and frame.index[-1] < task.weeks:
        after = pd.RangeIndex(frame.index[-1] + 1, task.weeks + 1, name=frame.index.name)
        closed = pd.DataFrame([frame.iloc[-1]] * len(after), index=after)
        for name in closed.columns.intersection(list(CLOSED)):
            closed[name] = CLOSED[name]
        frame = pd.concat([frame, closed])
    weeks = frame.index.to_numpy()
    keep = (weeks % task.every == 0) | (weeks == task.weeks)
    table = frame.loc[keep].reset_index()
    table["week"] = table["week"].astype(np.int64)
    identity = {"run": task.run, "point": task.point, "replication": task.replication,
                "seed": task.seed, **task.factors}
    for i, (name, value) in enumerate(identity.items()):
        table.insert(i, name, value)
    table["perished_week"] = pd.array([model.perished_week] * len(table), dtype="Int64")
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
