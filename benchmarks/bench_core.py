"""Speed and memory of CultureModel against Mesa's own Boltzmann-wealth model.

Targets (issue 2): customer-steps per second at least 25x the Boltzmann model's
agent-steps per second; 100,000 customers x 520 weeks in 10 s or less on one core; peak
memory under 1 GB; 1,000,000 customers within 4 GB.  Each timing is repeated and the
median is reported; the two models alternate so that both see the same machine load.
Peak memory is measured in a fresh process per size (ru_maxrss).
"""

from __future__ import annotations

import gc
import statistics
import subprocess
import sys
import time

import mesa

from ccsim.model import CultureModel

REPEATS = 5


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


def boltzmann_rate(n=10_000, steps=100) -> float:
    gc.collect()     # the previous CultureModel's agents must not be left for the collector
    model = BoltzmannWealth(n, rng=1)
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    return n * steps / (time.perf_counter() - start)


def culture_run(n=100_000, employees=200, weeks=520) -> tuple[float, float]:
    """(customer-steps per second over the weeks, wall time including set-up)."""
    gc.collect()
    start = time.perf_counter()
    model = CultureModel(rng=1, n_customers=n, n_employees=employees)
    built = time.perf_counter()
    for _ in range(weeks):
        model.step()
    end = time.perf_counter()
    return n * weeks / (end - built), end - start


PEAK = """
import resource, sys
from ccsim.model import CultureModel
m = CultureModel(rng=1, n_customers={n}, n_employees=200, customer_agents={agents})
for _ in range({weeks}):
    m.step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def peak_mb(n: int, weeks: int, agents: bool) -> float:
    code = PEAK.format(n=n, weeks=weeks, agents=agents)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    boltz, rates, walls = [], [], []
    for _ in range(REPEATS):
        boltz.append(boltzmann_rate())
        rate, wall = culture_run()
        rates.append(rate)
        walls.append(wall)
    b, c, w = statistics.median(boltz), statistics.median(rates), statistics.median(walls)
    print(f"{'measure':58s} {'median':>14s}  target")
    print(f"{'Boltzmann wealth, 10,000 agents: agent-steps/s':58s} {b:14,.0f}")
    print(f"{'CultureModel 100k customers, 200 staff: customer-steps/s':58s} {c:14,.0f}")
    print(f"{'ratio':58s} {c / b:14.1f}  >= 25")
    print(f"{'100k customers x 520 weeks, wall time incl. set-up (s)':58s} {w:14.2f}  <= 10")
    print(f"{'peak memory, 100k customers x 520 weeks (MB)':58s} {peak_mb(100_000, 520, True):14.0f}  < 1024")
    print(f"{'peak memory, 1M customers x 52 weeks, Mesa agents (MB)':58s} {peak_mb(1_000_000, 52, True):14.0f}  < 4096")
    print(f"{'peak memory, 1M customers x 52 weeks, arrays only (MB)':58s} {peak_mb(1_000_000, 52, False):14.0f}")
    print(f"(repeats: {REPEATS}; all runs: Boltzmann {[round(x) for x in boltz]}, "
          f"ccsim {[round(x) for x in rates]})")


if __name__ == "__main__":
    main()
