"""Seeds: every run's seed derived from the experiment's base seed, and recorded.

numpy's SeedSequence with a spawn key makes independent streams: run (point p,
replication r) gets ``SeedSequence(base, spawn_key=(p, r))``, or ``(0, r)`` with common
seeds (common random numbers: replication r meets the same chance events at every point,
so differences between points are not seed noise).  A seed depends only on the base seed
and the run's place in the design, never on the order runs finish in, the number of
workers or a resume.
"""

from __future__ import annotations

import numpy as np

DESIGN_KEY = (0xD5,)   # one-element key: cannot collide with the two-element run keys


def _draw(sequence: np.random.SeedSequence) -> int:
    """A 63-bit integer seed (fits Parquet's int64 and numpy's default_rng)."""
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))


def run_seed(base: int, point: int, replication: int, common: bool = False) -> int:
    """The seed of one run."""
    return _draw(np.random.SeedSequence(base, spawn_key=(0 if common else point, replication)))


def run_seeds(base: int, n_points: int, replications: int, common: bool = False) -> list[int]:
    """Seeds of every run in run order (run = point * replications + replication)."""
    return [run_seed(base, p, r, common) for p in range(n_points) for r in range(replications)]


def design_seed(base: int, batch: int = 0) -> int:
    """The seed of a random design (Latin hypercube, Sobol scrambling, Morris), or of a Latin
    hypercube's later ``batch`` (a three-element key: no run's or the design's)."""
    key = DESIGN_KEY if batch == 0 else (*DESIGN_KEY, batch, 0)
    return _draw(np.random.SeedSequence(base, spawn_key=key))
