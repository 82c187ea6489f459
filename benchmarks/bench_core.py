"""Speed and memory of CultureModel against Mesa's own Boltzmann-wealth model.

Targets: customer-steps per second at least 25x the Boltzmann model's
agent-steps per second; 100,000 customers x 520 weeks in 10 s or less on one core; peak
memory under 1 GB; 1,000,000 customers within 4 GB.  Each timing is repeated and the
median is reported; the two models take turns in 20 slices of each run, so that both
see the same machine load.
Peak memory is measured in a fresh process per size (ru_maxrss).
"""

from __future__ import annotations

import gc
import statistics
import subprocess
import sys
import time

import mesa

from ccsim.dynamics.compiled import AVAILABLE
from ccsim.model import CultureModel

REPEATS = 3


class MoneyAgent(mesa.Agent):
    """The Boltzmann-wealth agent in the usual Mesa style: give a coin to a random agent."""

    def __init__(self, model):
        super().__init__(model)
        self.wealth = 1

    def step(self):
        if self.wealth > 0:
            other = self.random.choice(self.model.agent_list)
            other.wealth += 1
            self.wealth -= 1


class BoltzmannWealth(mesa.Model):
    def __init__(self, n=10_000, rng=None):
        super().__init__(rng=rng)
        MoneyAgent.create_agents(self, n)
        self.agent_list = list(self.agents)

    def step(self):
        self.agents.shuffle_do("step")


def side_by_side(n=100_000, employees=200, weeks=520, agents=10_000, boltzmann_steps=100,
                 chunks=20, compiled=AVAILABLE) -> tuple[float, float, float]:
    """(Boltzmann agent-steps/s, CultureModel customer-steps/s, CultureModel wall time
    including set-up).  The two models take turns in ``chunks`` slices of their runs, so
    that a machine whose speed drifts (a shared VM) slows both alike."""
    gc.collect()
    start = time.perf_counter()
    culture = CultureModel(rng=1, n_customers=n, n_employees=employees, compiled=compiled)
    set_up = time.perf_counter() - start
    boltzmann = BoltzmannWealth(agents, rng=1)
    spent = {"culture": 0.0, "boltzmann": 0.0}
    for _ in range(chunks):
        for name, model, steps in (("culture", culture, weeks // chunks),
                                   ("boltzmann", boltzmann, boltzmann_steps // chunks)):
            tick = time.perf_counter()
            if model is culture:
                culture.advance(steps)
            else:
                for _ in range(steps):
                    model.step()
            spent[name] += time.perf_counter() - tick
    return (agents * boltzmann_steps / spent["boltzmann"], n * weeks / spent["culture"],
            set_up + spent["culture"])


PEAK = """
import resource, sys
from ccsim.model import CultureModel
CultureModel(rng=1, n_customers={n}, n_employees=200, customer_agents={agents}).advance({weeks})
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def peak_mb(n: int, weeks: int, agents: bool) -> float:
    code = PEAK.format(n=n, weeks=weeks, agents=agents)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    boltz, rates, walls = [], [], []
    for _ in range(REPEATS):
        b, rate, wall = side_by_side()
        boltz.append(b)
        rates.append(rate)
        walls.append(wall)
    b, c, w = statistics.median(boltz), statistics.median(rates), statistics.median(walls)
    ratios = [r / x for r, x in zip(rates, boltz)]     # each repeat's two models ran side by side
    print(f"{'measure':58s} {'median':>14s}  target")
    print(f"{'Boltzmann wealth, 10,000 agents: agent-steps/s':58s} {b:14,.0f}")
    print(f"{'CultureModel 100k customers, 200 staff: customer-steps/s':58s} {c:14,.0f}")
    print(f"{'ratio (median of the repeats, each side by side)':58s} {statistics.median(ratios):14.1f}  >= 25")
    print(f"{'100k customers x 520 weeks, wall time incl. set-up (s)':58s} {w:14.2f}  <= 10")
    print(f"{'peak memory, 100k customers x 520 weeks (MB)':58s} {peak_mb(100_000, 520, True):14.0f}  < 1024")
    label = "peak memory, 1M customers x 52 weeks, Mesa agents (MB)"
    print(f"{label:58s} {peak_mb(1_000_000, 52, True):14.0f}  < 4096")
    print(f"{'peak memory, 1M customers x 52 weeks, arrays only (MB)':58s} {peak_mb(1_000_000, 52, False):14.0f}")
    print(f"(repeats: {REPEATS}; all runs: Boltzmann {[round(x) for x in boltz]}, "
          f"ccsim {[round(x) for x in rates]}, ratios {[round(x, 1) for x in ratios]})")


if __name__ == "__main__":
    main()
