"""The rebuilt model against the model before the rebuild (commit BEFORE), side by side.

The package as it was at BEFORE is taken from git (``git archive``) into a temporary
folder; each timing is a fresh process that imports one version or the other, the two
taking turns, and runs a default firm (2,000 customers, 260 weeks, no customer agents).
Reported: the median time per run of each and their ratio.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

BEFORE = "73dabdf"        # main before "A model whose culture effects are causes, not noise"
ROUNDS = 5
ROOT = Path(__file__).resolve().parents[1]
TIMING = """
import time
from ccsim.model import run
run(13, rng=0, customer_agents=False)            # imports and first-use costs out of the timing
times = []
for seed in range(3):
    started = time.perf_counter()
    run(260, rng=seed, customer_agents=False)
    times.append(time.perf_counter() - started)
print(min(times))
"""


def _time(path: Path | None) -> float:
    env = {"PYTHONPATH": str(path)} if path else {}
    done = subprocess.run([sys.executable, "-c", TIMING], capture_output=True, text=True, check=True,
                          cwd=path or ROOT, env={**_env(), **env})
    return float(done.stdout.strip().splitlines()[-1])


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def main() -> None:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", BEFORE, "ccsim"], capture_output=True)
    if archive.returncode:
        print(f"commit {BEFORE} is not in this clone's history; nothing to compare")
        return
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
            tar.extractall(folder, filter="data")
        before, after = [], []
        for _ in range(ROUNDS):
            before.append(_time(Path(folder)))
            after.append(_time(None))
    b, a = statistics.median(before), statistics.median(after)
    print("| model | median s per default run (260 weeks) | runs/s |")
    print("|---|---|---|")
    print(f"| before the rebuild ({BEFORE}) | {b:.3f} | {1 / b:.2f} |")
    print(f"| now | {a:.3f} | {1 / a:.2f} |")
    print(f"ratio now / before: {a / b:.2f} (below 1: faster)")


if __name__ == "__main__":
    main()
