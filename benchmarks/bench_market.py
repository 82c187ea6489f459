"""Speed and memory of ccsim.Market: 30 firms competing for 100,000 customers.

Target (issue "Class mode"): a 30-firm market of 100,000 customers steps a quarter (13
weeks) in under 1 s.  Each size runs in a fresh process (build seconds, the median of
three quarters after a first week that loads the compiled kernels, peak memory); a
one-firm market of the same people runs beside it, so the ratio says what a firm costs,
and the 30 firms once more one at a time (``Market._each`` in order, not on the pool), so
the last ratio says what running the firms side by side on the cores gains.  Measured in
docs/DEVELOPING.md, Speed notes (market).
"""

from __future__ import annotations

import subprocess
import sys

CODE = """
import resource, statistics, time
from ccsim import Market
if {in_order}:
    Market._each = staticmethod(lambda work, firms: [work(firm) for firm in firms])
start = time.perf_counter()
market = Market([dict(name=f"firm {{k}}", initial_share={share}) for k in range({firms})], rng=1,
                n_customers={n})
build = time.perf_counter() - start
market.step()
quarters = []
for _ in range(3):
    start = time.perf_counter()
    for _ in range(13):
        market.step()
    quarters.append(time.perf_counter() - start)
print(build, statistics.median(quarters), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def fresh(firms: int, n: int, in_order: bool = False) -> dict:
    """A market of ``firms`` firms (together 60% of the people at the start) in a new
    process; ``in_order``: the firms' weeks one after another."""
    code = CODE.format(firms=firms, n=n, share=0.6 / firms, in_order=in_order)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(zip(("build", "quarter", "peak_mb"), (float(x) for x in out.stdout.split())))


def row(label: str, value: str, target: str = ""):
    print(f"{label:58s} {value:>12s}  {target}")


def main():
    one, thirty, in_order = fresh(1, 100_000), fresh(30, 100_000), fresh(30, 100_000, in_order=True)
    row("measure", "value", "target")
    row("30 firms, 100,000 customers: a quarter (s)", f"{thirty['quarter']:.2f}", "< 1")
    row("30 firms, 100,000 customers: build (s)", f"{thirty['build']:.1f}")
    row("30 firms, 100,000 customers: peak memory (MB)", f"{thirty['peak_mb']:,.0f}")
    row("1 firm, 100,000 customers: a quarter (s)", f"{one['quarter']:.2f}")
    row("30 firms / 1 firm, a quarter", f"{thirty['quarter'] / one['quarter']:.1f}")
    row("30 firms one at a time: a quarter (s)", f"{in_order['quarter']:.2f}")
    row("30 firms one at a time / side by side", f"{in_order['quarter'] / thirty['quarter']:.2f}")


if __name__ == "__main__":
    main()
