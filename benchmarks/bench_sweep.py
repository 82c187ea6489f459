"""Sweep speed and memory (issue 5): runs per second with 1 and 2 workers, the overhead of
the sweep machinery against calling the model directly, and peak memory (parent and
workers) of 200 versus 2,000 runs.

Targets: speed-up >= 1.7 with 2 workers, overhead < 5%, memory flat in the number of runs.
``--quick`` runs 40 instead of 200 full-size runs (the memory part is the same).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

FULL = dict(n_customers=2000, weeks=260)
CHUNKS = 4
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


def timed_sweep(exp, workers: int) -> float:
    from ccsim.sweep.runner import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = run_sweep(exp, Path(tmp) / "out", workers=workers, progress=False)
        seconds = time.perf_counter() - start
    assert summary.failed == 0
    return seconds


def direct(exp) -> float:
    """The same runs, the model called in a plain loop in this process."""
    from ccsim.model import CultureModel
    from ccsim.sweep.runner import plan

    the_plan = plan(exp)
    start = time.perf_counter()
    for run in range(the_plan.n_runs):
        task = the_plan.task(run)
        model = CultureModel(rng=task.seed, customer_agents=False, events=task.events, **task.params)
        for _ in range(task.weeks):
            if not model.running:
                break
            model.step()
        model.dataframe()
    return time.perf_counter() - start


def memory_probe(runs: int) -> dict:
    """Peak RSS (MiB) of the parent and of its largest worker during a sweep of ``runs``
    tiny runs with 2 workers, sampled every 10 ms (run in a fresh interpreter)."""
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
            time.sleep(0.01)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    seconds = timed_sweep(experiment(runs, **TINY), workers=2)
    stop.set()
    thread.join()
    return {**peak, "seconds": seconds}


def main(argv=()) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 full-size runs instead of 200")
    parser.add_argument("--memory-probe", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_probe:
        print(json.dumps(memory_probe(args.memory_probe)))
        return
    runs = 40 if args.quick else 200
    plain = one = two = 0.0
    for chunk in range(CHUNKS):   # interleaved, so that a change in machine load hits all three
        exp = experiment(runs // CHUNKS, **FULL, seed=chunk)
        plain += direct(exp)
        one += timed_sweep(exp, workers=1)
        two += timed_sweep(exp, workers=2)
    memory = {n: json.loads(subprocess.run(
        [sys.executable, __file__, "--memory-probe", str(n)], check=True, capture_output=True,
        text=True).stdout) for n in (200, 2000)}

    size = f"{runs} runs x {FULL['n_customers']} customers x {FULL['weeks']} weeks"
    rows = [
        ("direct model calls, 1 process", f"{runs / plain:.2f} runs/s", size),
        ("sweep, 1 worker", f"{runs / one:.2f} runs/s", size),
        ("sweep, 2 workers", f"{runs / two:.2f} runs/s", size),
        ("speed-up 2 vs 1 worker", f"{one / two:.2f}x", "target >= 1.7"),
        ("overhead of the sweep, 1 worker", f"{(one / plain - 1) * 100:+.1f}%", "target < 5%"),
    ]
    for n, m in memory.items():
        rows.append((f"{n} tiny runs, 2 workers: peak RSS",
                     f"parent {m['parent']:.0f} MiB, worker {m['worker']:.0f} MiB",
                     f"all {m['total']:.0f} MiB; {m['seconds'] / n * 1000:.1f} ms/run"))
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
