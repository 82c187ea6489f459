"""Sweep speed and memory: runs per second with 1 and 2 workers, the overhead of
the sweep machinery against calling the model directly, and peak memory (parent and
workers) of 200 versus 2,000 runs.

Targets: speed-up >= 1.7 with 2 workers, overhead < 5%, memory flat in the number of runs.
Overhead is measured two ways: a sweep's wall time against the time its worker spent in
the model (same moment, so robust to other load on the machine), and against a plain loop
of model calls in this process (interleaved in chunks; the median of the chunks' paired
ratios beside the ratio of the totals).  Also: the bytes of a sweep's run files against
analyze's runs.parquet, and the time of ``ccsim discover`` (a fresh process, EMA
Workbench's import included).  ``--quick``: 40 runs, not 200.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

FULL = dict(n_customers=2000, weeks=260)
TINY = dict(n_customers=50, weeks=5)


def experiment(runs: int, n_customers: int, weeks: int, seed: int = 1):
    """A Latin hypercube over two culture traits, one replication per point."""
    from ccsim.sweep.experiment import parse_experiment

    data = {"title": "bench", "weeks": weeks, "replications": 1, "seed": seed,
            "design": {"kind": "latin_hypercube", "samples": runs},
            "factors": {"humility": {"lo": 0.0, "hi": 1.0}, "empowerment": {"lo": 0.0, "hi": 1.0}},
            "fixed": {"n_customers": n_customers},
            "output": {"reporters": ["customers", "nps", "cash", "leader_knowledge"], "every": 4}}
    return parse_experiment(data, "bench", "bench")


def sweep(exp, workers: int):
    """Wall seconds and the Summary of a sweep of ``exp`` into a temporary directory."""
    from ccsim.sweep.runner import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = run_sweep(exp, Path(tmp) / "out", workers=workers, progress=False)
        seconds = time.perf_counter() - start
    assert summary.failed == 0
    return seconds, summary


def direct(exp) -> float:
    """Wall seconds of the same runs, the model called in a plain loop in this process."""
    from ccsim.model import run as run_model
    from ccsim.sweep.runner import plan

    the_plan = plan(exp)
    start = time.perf_counter()
    for run in range(the_plan.n_runs):
        task = the_plan.task(run)
        run_model(task.weeks, task.seed, customer_agents=False, events=task.events,
                  **task.params).dataframe()
    return time.perf_counter() - start


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_speedup(tasks: int = 8, n: int = 3_000_000) -> float:
    """Control: what 2 processes gain over 1 on plain CPU work on this machine right now."""
    from concurrent.futures import ProcessPoolExecutor

    wall = {}
    for workers in (1, 2):
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_burn, [1] * workers))          # start the processes first
            start = time.perf_counter()
            list(pool.map(_burn, [n] * tasks))
            wall[workers] = time.perf_counter() - start
    return wall[1] / wall[2]


def memory_probe(runs: int) -> dict:
    """Peak RSS (MiB) of this process, its largest child and all together during a sweep of
    ``runs`` tiny runs with 2 workers, sampled every 20 ms (run in a fresh interpreter)."""
    import psutil

    me = psutil.Process()
    peak = {"parent": 0.0, "worker": 0.0, "total": 0.0}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            try:
                parent = me.memory_info().rss
                kids = [c.memory_info().rss for c in me.children(recursive=True)]
            except psutil.Error:
                continue
            peak["parent"] = max(peak["parent"], parent / 2**20)
            peak["worker"] = max(peak["worker"], max(kids, default=0) / 2**20)
            peak["total"] = max(peak["total"], (parent + sum(kids)) / 2**20)
            time.sleep(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    seconds, _ = sweep(experiment(runs, **TINY), workers=2)
    stop.set()
    thread.join()
    return {**peak, "seconds": seconds}


def gather_and_discover(runs: int = 200) -> dict:
    """Bytes of ``runs`` small runs' files and of analyze's runs.parquet, and the seconds of
    ``ccsim discover`` on them (cash below its median) and of importing PRIM alone, each in
    a fresh interpreter."""
    from ccsim.sweep.report import analyze
    from ccsim.sweep.runner import run_sweep
    from ccsim.sweep.store import ResultStore

    def seconds(*argv) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, *argv], check=True, capture_output=True)
        return time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        run_sweep(experiment(runs, n_customers=100, weeks=26), out, workers=2, progress=False)
        analyze(out)
        ends = ResultStore(out).load_runs().groupby("run").tail(1)
        return {"files": sum(p.stat().st_size for p in (out / "runs").iterdir()),
                "merged": (out / "analysis" / "runs.parquet").stat().st_size,
                "discover": seconds("-m", "ccsim", "discover", str(out), "--where",
                                    f"cash < {ends.cash.median():.6g}"),
                "import": seconds("-W", "ignore", "-c", "import ema_workbench.analysis.prim")}


def main(argv=()) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 full-size runs instead of 200")
    parser.add_argument("--memory-probe", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_probe:
        print(json.dumps(memory_probe(args.memory_probe)))
        return
    runs = 40 if args.quick else 200
    chunks = 4 if args.quick else 10
    startup, _ = sweep(experiment(2, **TINY), workers=2)   # also starts the forkserver
    control = [machine_speedup()]
    wall = {"direct": 0.0, 1: 0.0, 2: 0.0}
    inside = 0.0
    paired = {"speed-up": [], "overhead": [], "direct": []}   # per chunk
    for chunk in range(chunks):   # interleaved, so that a change in machine load hits all three
        exp = experiment(runs // chunks, **FULL, seed=chunk)
        here = {"direct": direct(exp)}
        for workers in (1, 2):
            here[workers], summary = sweep(exp, workers)
            if workers == 1:
                inside += summary.model_seconds
                paired["overhead"].append(here[1] / summary.model_seconds - 1)
        paired["speed-up"].append(here[1] / here[2])
        paired["direct"].append(here[1] / here["direct"] - 1)
        for key in wall:
            wall[key] += here[key]
    control.append(machine_speedup())
    memory = {n: json.loads(subprocess.run(
        [sys.executable, __file__, "--memory-probe", str(n)], check=True, capture_output=True,
        text=True).stdout) for n in (200, 2000)}

    size = f"{runs} runs x {FULL['n_customers']} customers x {FULL['weeks']} weeks"
    rows = [
        ("direct model calls, 1 process", f"{runs / wall['direct']:.2f} runs/s", size),
        ("sweep, 1 worker", f"{runs / wall[1]:.2f} runs/s", size),
        ("sweep, 2 workers", f"{runs / wall[2]:.2f} runs/s", size),
        ("speed-up 2 vs 1 worker", f"{wall[1] / wall[2]:.2f}x",
         f"target >= 1.7; median of {chunks} paired chunks {statistics.median(paired['speed-up']):.2f}x"),
        ("control: plain CPU work, 2 vs 1 process", f"{min(control):.2f}x to {max(control):.2f}x",
         "what this machine allowed (before, after)"),
        ("overhead, 1 worker: sweep vs its model time", f"{(wall[1] / inside - 1) * 100:+.1f}%",
         f"target < 5%; median of chunks {statistics.median(paired['overhead']) * 100:+.1f}%"),
        ("overhead, 1 worker: sweep vs direct calls", f"{(wall[1] / wall['direct'] - 1) * 100:+.1f}%",
         f"noisy when busy; median of chunks {statistics.median(paired['direct']) * 100:+.1f}%"),
        ("start-up of the first sweep (forkserver)", f"{startup:.1f} s", "once per process"),
    ]
    for n, m in memory.items():
        rows.append((f"{n} tiny runs, 2 workers: peak RSS",
                     f"parent {m['parent']:.0f} MiB, worker {m['worker']:.0f} MiB",
                     f"all {m['total']:.0f} MiB; {m['seconds'] / n * 1000:.1f} ms/run"))
    gathered = gather_and_discover()
    rows.append(("200 run files against runs.parquet",
                 f"{gathered['files'] / 1024:.0f} KiB against {gathered['merged'] / 1024:.0f} KiB",
                 f"{gathered['files'] / gathered['merged']:.0f}x smaller in one file"))
    rows.append(("ccsim discover on 200 runs (a new process)", f"{gathered['discover']:.1f} s",
                 f"of which importing EMA Workbench's PRIM {gathered['import']:.1f} s"))
    growth = memory[2000]["total"] - memory[200]["total"]
    rows.append(("memory growth 200 -> 2,000 runs", f"{growth:+.0f} MiB", "target: flat"))
    rows.append(("load average (1 min) at the end", f"{os.getloadavg()[0]:.1f}",
                 f"{os.cpu_count()} cores; other work on the machine slows every number"))
    width = max(len(r[0]) for r in rows)
    print(f"{'sweep benchmark':<{width}}  {'value':<34}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:<34}  {note}")


if __name__ == "__main__":
    main(sys.argv[1:])
