"""Where runs execute: behind the ``concurrent.futures.Executor`` interface.

``local``: a ProcessPoolExecutor on this machine.  ``dask``: a Dask distributed cluster,
through ``Client(address).get_executor()`` (a scheduler started with ``dask scheduler`` and
workers with ``dask worker ADDR --nthreads 1``, on one machine, several, or an HPC system
via dask-jobqueue), or a LocalCluster of ``workers`` processes when no address is given.
The sweep code is the same for both (docs/DEVELOPING.md, "Sweeps").
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from ccsim.params import ParamError

ENGINES = ("local", "dask")


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@contextlib.contextmanager
def open_executor(engine: str = "local", workers: int | None = None, address: str | None = None):
    """Yield ``(executor, slots)``: an Executor and how many runs it executes at once."""
    if engine not in ENGINES:
        raise ParamError(f"--engine={engine!r}; allowed: {', '.join(ENGINES)}")
    if workers is not None and workers < 1:
        raise ParamError(f"--workers={workers}; allowed: a whole number >= 1")
    if address and engine != "dask":
        raise ParamError("--address needs --engine dask")
    if engine == "local":
        workers = workers or default_workers()
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_forkserver())
        try:
            yield pool, workers
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    with _dask_client(workers, address) as client:
        executor = client.get_executor(pure=False)
        slots = sum(client.nthreads().values()) or 1
        try:
            yield executor, slots
        finally:
            executor.shutdown(wait=False)


def _forkserver():
    """Workers forked from a clean server process that has imported the model once: no
    fork of a threaded parent (the progress bar, Parquet writers), no import per worker."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ccsim.sweep.worker"])
    return context


@contextlib.contextmanager
def _dask_client(workers: int | None, address: str | None):
    from dask.distributed import Client, LocalCluster

    if address:
        try:
            client = Client(address)   # waits distributed.comm.timeouts.connect (30 s)
        except (OSError, TimeoutError) as error:
            raise ParamError(f"--address {address}: cannot reach a Dask scheduler ({error})") from None
        with client:
            yield client
        return
    cluster = LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1,
                           processes=True, dashboard_address=None)
    with cluster, Client(cluster) as client:
        yield client
