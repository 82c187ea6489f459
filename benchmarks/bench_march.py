"""Speed of March (1991) on ccsim's learning kernel.

Target: the 27 cells of March's Figure 1 (p1 = 0.1..0.9, p2 = 0.1, 0.5, 0.9), 1,000
replications each, run to equilibrium, in under 60 s on one core.  Prints the time per p2
row, the periods to equilibrium and replication-periods per second; then the other figures.
Numbers vary with the load on the machine (``uptime`` is printed first).
"""

from __future__ import annotations

import os
import time

from ccsim.anchors import march1991

REPS = 1000
TARGET_S = 60.0


def main() -> None:
    print(f"load average: {os.getloadavg()[0]:.1f}; {REPS} replications per cell")
    print(f"{'cells':<22}{'seconds':>9}{'mean periods':>14}{'rep-periods/s':>15}")
    total = 0.0
    for p2 in march1991.FIG1_P2:
        started = time.perf_counter()
        periods = 0
        for p1 in march1991.FIG1_P1:
            periods += int(march1991.run(p1, p2, reps=REPS, seed=[0, 1, int(p1 * 10)]).periods.sum())
        took = time.perf_counter() - started
        total += took
        print(f"{f'Figure 1, p2={p2:g} (9)':<22}{took:>9.1f}{periods / REPS / 9:>14.1f}"
              f"{periods / took:>15,.0f}")
    verdict = "under" if total < TARGET_S else "OVER"
    print(f"{'Figure 1, 27 cells':<22}{total:>9.1f}   ({verdict} the {TARGET_S:.0f} s target)")
    for name in ("figure23", "figure4", "figure5"):
        title, make = march1991.FIGURES[name]
        started = time.perf_counter()
        make(reps=REPS)
        print(f"{name:<22}{time.perf_counter() - started:>9.1f}")


if __name__ == "__main__":
    main()
