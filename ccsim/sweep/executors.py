"""Where runs execute: behind the ``concurrent.futures.Executor`` interface.

``local``: a ProcessPoolExecutor on this machine.  ``dask``: a Dask distributed cluster,
through ``Client(address).get_executor()`` (a scheduler started with ``dask scheduler`` and
workers with ``dask worker ADDR --nthreads 1``, on one machine, several, or an HPC system
via dask-jobqueue), or a LocalCluster of ``workers`` processes when no address is given.
The sweep code is the same for both (docs/DEVELOPING.md, "Sweeps").

No worker outlives the sweep: a local worker ends as soon as the sweep's process does,
however that ends (kill -9 included; ccsim.sweep.worker.exit_with), and when the sweep
stops early (an error, Ctrl-C, SIGTERM) its workers are terminated rather than waited for.
Then the forkserver and multiprocessing's resource tracker, which live as long as any
worker holds their pipes, end too.  A LocalCluster's workers watch their parent likewise
(Dask's own parent-alive pipe).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from ccsim.params import ParamError
from ccsim.sweep.worker import exit_with

ENGINES = ("local", "dask")
WORKERS_PER_CORE = 4    # the most --workers allowed: runs are CPU-bound, more only costs memory
SCHEMES = ("tcp", "tls", "ws", "wss")
ADDRESS_FORM = (f"SCHEME://HOST:PORT with SCHEME one of {', '.join(SCHEMES)} and PORT in "
                f"[1, 65535], e.g. tcp://10.0.0.5:8786")


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def check_engine(engine: str = "local", workers: int | None = None,
                 address: str | None = None) -> None:
    """Raise ParamError (one line) unless the options name an engine ccsim can use."""
    if engine not in ENGINES:
        raise ParamError(f"--engine={engine!r}; allowed: {', '.join(ENGINES)}")
    most = WORKERS_PER_CORE * default_workers()
    if workers is not None and not 1 <= workers <= most:
        raise ParamError(f"--workers={workers}; allowed: a whole number in [1, {most}] "
                         f"({WORKERS_PER_CORE} per core)")
    if address is None:
        return
    if engine != "dask":
        raise ParamError("--address needs --engine dask")
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location)
        well_formed = scheme in SCHEMES and host and 1 <= port <= 65535
    except (TypeError, ValueError):
        well_formed = False
    if not well_formed:
        raise ParamError(f"--address {address!r} is not a Dask scheduler's address; "
                         f"allowed: {ADDRESS_FORM}")


@contextlib.contextmanager
def open_executor(engine: str = "local", workers: int | None = None, address: str | None = None):
    """Yield ``(executor, slots)``: an Executor and a function that says how many runs it
    executes at once now (the options checked by ``check_engine``).  On Dask that is the
    cluster's threads at the time asked, so a sweep's window grows as workers join (a batch
    cluster's, dask-jobqueue's, join late) and shrinks as they leave."""
    if engine == "local":
        workers = workers or default_workers()
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_forkserver(),
                                   initializer=exit_with, initargs=(os.getpid(),))
        try:
            yield pool, lambda: workers
        except BaseException:
            for process in list(pool._processes.values()):   # 3.14: pool.terminate_workers()
                process.terminate()     # their runs are lost: a resume runs them again
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    with _dask_client(workers, address) as client:
        executor = client.get_executor(pure=False)
        try:
            yield executor, lambda: sum(client.nthreads().values()) or 1
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
        except (OSError, TimeoutError, TypeError, ValueError) as error:   # TypeError: TLS
            raise ParamError(f"--address {address}: cannot reach a Dask scheduler "
                             f"({' '.join(str(error).split())})") from None
        with client:
            yield client
        return
    cluster = LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1,
                           processes=True, dashboard_address=None)
    with cluster, Client(cluster) as client:
        yield client
