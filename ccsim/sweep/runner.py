"""Run a sweep: design, seeds, manifest, then every missing run on an executor.

The parent keeps only a bounded window of runs in flight (twice the executor's threads,
asked again as results come back, so it grows as Dask workers join) and writes each
result as it arrives, so memory stays flat however many runs there are; results depend only on the
seeds, never on the engine, the number of workers, the order of completion or a resume.
The output directory is held for the sweep's whole life (ResultStore.claim); a run file
that does not read back is noted on stderr and run again.
"""

from __future__ import annotations

import contextlib
import sys
import time
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

from ccsim import __version__
from ccsim.sweep.designs import Design, make_design
from ccsim.sweep.executors import check_engine, open_executor
from ccsim.sweep.experiment import Experiment
from ccsim.sweep.provenance import record
from ccsim.sweep.seeds import run_seeds
from ccsim.sweep.store import MANIFEST_FORMAT, ResultStore, fingerprint
from ccsim.sweep.worker import RunResult, RunTask, run_task

IN_FLIGHT_PER_SLOT = 2
SLOTS_EVERY = 0.5      # seconds between two questions to the cluster: how many threads now?


class SweepAborted(RuntimeError):
    """The executor itself broke (a worker process died), or the disk refused a write;
    finished runs are kept."""


@dataclass
class Plan:
    """Everything that decides a sweep's results, and its manifest."""

    experiment: Experiment
    design: Design
    base_params: dict
    events: tuple
    manifest: dict      # its runs say each run's point, replication and seed

    @property
    def n_runs(self) -> int:
        return len(self.manifest["runs"])

    def task(self, run: int) -> RunTask:
        entry = self.manifest["runs"][run]
        factors = self.design.points[entry["point"]]
        e = self.experiment
        return RunTask(run, entry["point"], entry["replication"], entry["seed"], factors,
                       {**self.base_params, **factors}, self.events, e.weeks, e.reporters, e.every)


@dataclass
class Summary:
    total: int
    skipped: int     # already on disk before this call
    done: int        # finished by this call
    failed: int      # failed in this call
    seconds: float
    model_seconds: float = 0.0   # time the workers spent inside runs (the rest is overhead)


def plan(experiment: Experiment, grown_from: dict | None = None) -> Plan:
    """Resolve the preset, build the design and seeds, and the manifest that records them;
    ``grown_from``, a directory's manifest, is the design a Latin hypercube grows from."""
    from ccsim.params import defaults
    from ccsim.scenarios import load_scenario

    scenario = load_scenario(experiment.scenario)
    design = make_design(experiment, grown_from and grown_from["design"])
    seeds = run_seeds(experiment.seed, len(design.points), experiment.replications,
                      experiment.common_seeds)
    base = {**scenario.params, **experiment.fixed}
    events = tuple(scenario.events)
    event_data = [{"week": e.week, "kind": e.kind, "args": e.args, "label": e.label}
                  for e in events]
    manifest = {
        "format": MANIFEST_FORMAT, "ccsim_version": __version__, "fingerprint": "",
        "provenance": record(),
        "params": {**defaults(), **base},   # every value a run gets, but the design's factors
        "experiment": experiment.as_dict(),
        "scenario": {"name": scenario.name, "path": str(scenario.path), "params": scenario.params,
                     "events": event_data},
        "base_params": base, "design": design.as_dict(),
        "runs": [{"run": i, "point": i // experiment.replications,
                  "replication": i % experiment.replications, "seed": s}
                 for i, s in enumerate(seeds)],
    }
    manifest["fingerprint"] = fingerprint(manifest)
    return Plan(experiment, design, base, events, manifest)


def run_sweep(experiment: Experiment, out, workers: int | None = None, resume: bool = False,
              engine: str = "local", address: str | None = None,
              progress: bool = True) -> Summary:
    """Run every run of ``experiment`` that ``out`` does not hold yet.

    From a script, call it under ``if __name__ == "__main__":``: local workers start from
    a forkserver, which imports the main module again (as with mesa.batch_run)."""
    return run_plan(plan(experiment, ResultStore(Path(out)).manifest()), out, workers, resume, engine,
                    address, progress)


def run_plan(the_plan: Plan, out, workers: int | None = None, resume: bool = False,
             engine: str = "local", address: str | None = None, progress: bool = True) -> Summary:
    """Run every run of ``the_plan`` that ``out`` does not hold yet."""
    experiment = the_plan.experiment
    check_engine(engine, workers, address)
    store = ResultStore(Path(out))
    failed, model_seconds = 0, 0.0
    with contextlib.ExitStack() as stack:
        # a directory that holds part of this sweep (fewer replications or points) is extended:
        # its runs keep their numbers, the new ones follow
        the_plan = replace(the_plan, manifest=stack.enter_context(store.claim(the_plan.manifest, resume)))
        done, notes = store.verify(the_plan.manifest)
        for note in notes:
            print(note, file=sys.stderr)
        todo = [run for run in range(the_plan.n_runs) if run not in done]
        start = time.perf_counter()
        if todo:   # connect before the manifest: an unreachable scheduler leaves no sweep
            executor, slots = stack.enter_context(open_executor(engine, workers, address))
        with _writing(store):
            store.open(the_plan.manifest)
        bar = stack.enter_context(tqdm(
            total=the_plan.n_runs, initial=len(done), unit="run", desc=experiment.name,
            disable=not progress, smoothing=0.05, dynamic_ncols=True))
        bar.set_postfix(failed=0)
        if todo:
            for result in _execute(executor, (the_plan.task(r) for r in todo), slots):
                with _writing(store):
                    store.write(result)
                model_seconds += result.seconds
                if result.error is not None:
                    failed += 1
                    bar.set_postfix(failed=failed)
                bar.update(1)
    return Summary(the_plan.n_runs, len(done), len(todo), failed, time.perf_counter() - start,
                   model_seconds)


@contextlib.contextmanager
def _writing(store: ResultStore):
    """Turn a write the disk refuses (full, read-only, a quota) into SweepAborted."""
    try:
        yield
    except OSError as error:
        raise SweepAborted(f"{store.root}: cannot write ({error.strerror or error}); finished "
                           f"runs are kept: make room and rerun with --resume") from None


def _execute(executor, tasks, slots):
    """Yield results as they finish, with at most IN_FLIGHT_PER_SLOT x ``slots()`` runs
    submitted at a time; ``slots()`` is asked again as results come back (at most every
    SLOTS_EVERY seconds), so the window follows a cluster whose workers come and go."""
    tasks = iter(tasks)
    pending = {}
    asked, window = float("-inf"), IN_FLIGHT_PER_SLOT

    def top_up():
        nonlocal asked, window
        if time.monotonic() - asked >= SLOTS_EVERY:
            asked = time.monotonic()
            with contextlib.suppress(OSError, TimeoutError):   # no answer: the window stays
                window = IN_FLIGHT_PER_SLOT * max(1, slots())
        while len(pending) < window:
            task = next(tasks, None)
            if task is None:
                return
            pending[executor.submit(run_task, task)] = task

    top_up()
    while pending:
        finished, _ = wait(pending, return_when=FIRST_COMPLETED, timeout=SLOTS_EVERY)
        for future in finished:
            task = pending.pop(future)
            try:
                yield future.result()
            except BrokenExecutor as error:
                raise SweepAborted(f"a worker process died ({error}); finished runs are saved, "
                                   f"rerun with --resume") from None
            except Exception as error:  # the engine lost the run (e.g. a Dask worker died)
                yield RunResult(task, None, f"{type(error).__name__}: {error}", None, 0.0)
        top_up()
