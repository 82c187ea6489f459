"""The compiled customer week (ccsim/dynamics/compiled.py) against the numpy path.

Targets (issue 18): a default run (2,000 customers, 260 weeks) at least 10x faster than the
numpy path, measured in this process, the two paths taking turns; at 100,000 customers,
customer-steps/s at least 50x Mesa's Boltzmann agent-steps/s (bench_core's model, side by
side), and the share of a physical limit of 50-100 M customer-steps/s per core; the
estimated time of a 25,600-run Sobol study (8 levers, N = 512, 5 replications) from real
sweeps with 2 workers (40 runs, start-up included, and the rate once started: 160 runs
less 40); how far those two ratios could go if all but drawing the people's luck (the
common random numbers every customer gets every week) were free; 1,000,000 customers at
least 10 weeks/s; peak memory at 1,000,000 customers, and at
10,000,000 customers x 52 weeks with ``--10m`` (minutes of both cores: not part of
``make bench``).  Compile cost: the first week in a fresh process
with an empty numba cache, then with that cache.  Before and after: a default run of the
compiled path as it was at bench_rebuild.BASE (the customers' week compiled, the staff,
reporters and draws in numpy) and as it is now, in fresh processes taking turns.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

from bench_core import side_by_side
from bench_rebuild import BASE, archived
from bench_rebuild import _time as fresh_run_seconds
from bench_sweep import experiment, sweep

from ccsim.model import CultureModel

REPEATS = 5
SOBOL_RUNS = 25_600

FRESH = """
import resource, sys, time
start = time.perf_counter()
from ccsim.model import CultureModel
imported = time.perf_counter()
model = CultureModel(rng=1, n_customers={n}, n_employees=200, customer_agents=False, compiled={compiled})
built = time.perf_counter()
model.advance(1)
first = time.perf_counter()
model.advance({weeks})
end = time.perf_counter()
print(imported - start, built - imported, first - built, {weeks} / (end - first),
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def fresh(n: int, weeks: int, compiled: bool, env=None) -> dict:
    """A model of ``n`` customers in a new process: import, build and first-week seconds,
    weeks/s after the first week, peak memory (MB)."""
    code = FRESH.format(n=n, weeks=weeks, compiled=compiled)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    values = [float(x) for x in out.stdout.split()]
    return dict(zip(("import", "build", "first", "weeks_per_s", "peak_mb"), values))


def default_runs() -> tuple[float, float, float]:
    """Runs/s of the default run, compiled and numpy, taking turns; the median paired ratio."""
    CultureModel(rng=0, customer_agents=False, compiled=True).advance(1)     # load the kernels
    times = {True: [], False: []}
    for seed in range(REPEATS):
        for compiled in (True, False):
            start = time.perf_counter()
            CultureModel(rng=seed, customer_agents=False, compiled=compiled).advance(260)
            times[compiled].append(time.perf_counter() - start)
    ratio = statistics.median(b / a for a, b in zip(times[True], times[False]))
    return 1 / statistics.median(times[True]), 1 / statistics.median(times[False]), ratio


def luck_floor(n: int, weeks: int = 26) -> dict:
    """Median ms a week at ``n`` customers: the compiled week, the numpy path's week and
    drawing the people's luck alone (model.Luck.draw: the numbers every customer gets every
    week, used or not, so that paired runs stay paired), taking turns in one process."""
    models = {flag: CultureModel(rng=1, n_customers=n, customer_agents=False, compiled=flag).advance(2)
              for flag in (True, False)}
    luck = models[True].population.luck
    spare = CultureModel(rng=2, n_customers=10, customer_agents=False).streams   # its draws spend no model's
    times = {"compiled": [], "numpy": [], "luck": []}
    for _ in range(5):
        for name, work in (("compiled", lambda: models[True].advance(weeks)),
                           ("numpy", lambda: models[False].advance(weeks)),
                           ("luck", lambda: [luck.draw(spare, 5) for _ in range(weeks)])):
            start = time.perf_counter()
            work()
            times[name].append((time.perf_counter() - start) / weeks * 1e3)
    return {name: statistics.median(t) for name, t in times.items()}


def before_and_after(rounds: int = 3) -> tuple[float, float] | None:
    """Median seconds of a default compiled run at BASE and now (fresh processes, taking turns)."""
    with archived(BASE) as before:
        if before is None:
            return None
        times = [(fresh_run_seconds(before), fresh_run_seconds(None)) for _ in range(rounds)]
    return statistics.median(b for b, _ in times), statistics.median(a for _, a in times)


def compile_cost() -> tuple[float, float]:
    """Seconds of the first compiled week in a fresh process: empty cache, then cached."""
    import os

    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        cold = fresh(2000, 1, True, env)
        warm = fresh(2000, 1, True, env)
    return cold["first"], warm["first"]


def row(label: str, value: str, target: str = ""):
    print(f"{label:66s} {value:>16s}  {target}")


def main(ten_million: bool = False):
    compiled_rate, numpy_rate, ratio = default_runs()
    cold, warm = compile_cost()
    then = before_and_after()
    floors = {n: luck_floor(n) for n in (2000, 100_000)}
    big = {flag: [side_by_side(weeks=260, compiled=flag) for _ in range(3)] for flag in (True, False)}
    boltzmann = statistics.median(b for runs in big.values() for b, _, _ in runs)
    steps = {flag: statistics.median(c for _, c, _ in runs) for flag, runs in big.items()}
    against = {flag: statistics.median(c / b for b, c, _ in runs) for flag, runs in big.items()}
    runs, more = 40, 160
    seconds, _ = sweep(experiment(runs, 2000, 260), workers=2)
    longer, _ = sweep(experiment(more, 2000, 260), workers=2)
    steady = (more - runs) / (longer - seconds)    # runs/s once the workers are up
    million = {flag: fresh(1_000_000, 10, flag) for flag in (True, False)}
    row("measure", "value", "target")
    row("default run (2,000 x 260 weeks), compiled: runs/s", f"{compiled_rate:.2f}")
    row("default run, numpy path: runs/s", f"{numpy_rate:.2f}")
    row("default run: compiled / numpy (median of paired runs)", f"{ratio:.1f}", ">= 10")
    if then:
        row(f"default run, compiled, before ({BASE}) / now: s per run", f"{then[0]:.3f} / {then[1]:.3f}")
        row("default run, compiled: before / now", f"{then[0] / then[1]:.2f}")
    row("first compiled week in a fresh process, empty numba cache (s)", f"{cold:.2f}")
    row("first compiled week in a fresh process, cached (s)", f"{warm:.2f}")
    row("Boltzmann wealth, 10,000 agents: agent-steps/s", f"{boltzmann:,.0f}")
    for flag, name in ((True, "compiled"), (False, "numpy path")):
        row(f"100k customers, {name}: customer-steps/s", f"{steps[flag]:,.0f}")
        row(f"100k customers, {name}: / Boltzmann (median, side by side)", f"{against[flag]:.1f}",
            ">= 50" if flag else "")
    for n, floor in floors.items():
        row(f"{n:,} customers: a week compiled / numpy / the people's luck alone (ms)",
            f"{floor['compiled']:.3f} / {floor['numpy']:.3f} / {floor['luck']:.3f}")
    small = floors[2000]
    row("  2,000: share of a compiled week spent drawing the people's luck", f"{small['luck'] / small['compiled']:.0%}")
    row("  2,000: compiled / numpy at best, with all but that drawing free", f"{small['numpy'] / small['luck']:.1f}",
        "(target 10)")
    large = floors[100_000]     # the ratio to Boltzmann (side by side) times compiled week / luck (in turns)
    row("  100k: customer-steps/s / Boltzmann at best, with all but that drawing free",
        f"{against[True] * large['compiled'] / large['luck']:.1f}", "(target 50)")
    row("100k customers, compiled: share of 50-100 M customer-steps/s", f"{steps[True] / 1e8:.0%}-"
        f"{steps[True] / 5e7:.0%}")
    row(f"sweep of {runs} default runs, 2 workers: runs/s (start-up included)", f"{runs / seconds:.2f}")
    row(f"sweep, 2 workers, once started: runs/s ({more} runs less {runs})", f"{steady:.2f}")
    row(f"Sobol study, {SOBOL_RUNS:,} runs, 2 workers (hours)",
        f"{(SOBOL_RUNS - runs) / steady / 3600 + seconds / 3600:.2f}")
    row("  the same from the numpy path's runs/s x 2 workers (hours)", f"{SOBOL_RUNS / (2 * numpy_rate) / 3600:.2f}")
    for flag, name in ((True, "compiled"), (False, "numpy path")):
        m = million[flag]
        row(f"1M customers, {name}: weeks/s", f"{m['weeks_per_s']:.1f}", ">= 10" if flag else "")
        row(f"1M customers, {name}: build (s), peak memory (MB)", f"{m['build']:.1f}, {m['peak_mb']:,.0f}")
    if ten_million:
        m = fresh(10_000_000, 51, True)
        row("10M customers x 52 weeks, compiled: build (s), weeks/s", f"{m['build']:.0f}, {m['weeks_per_s']:.2f}")
        row("10M customers x 52 weeks, compiled: peak memory (MB)", f"{m['peak_mb']:,.0f}", "< 24 GB")


if __name__ == "__main__":
    main(ten_million="--10m" in sys.argv)
