"""The rebuilt model against the model before the rebuild (commit BEFORE), side by side.

The package as it was at BEFORE is taken from git (``git archive``) into a temporary
folder; each timing is a fresh process that imports one version or the other, the two
taking turns, and runs a default firm (2,000 customers, 260 weeks, no customer agents).
Reported: the median time per run of each (the rebuilt model on its numpy path and with
its compiled customers' week) and the ratios to the model before.
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
import sys, time
from ccsim.model import CultureModel
options = dict(customer_agents=False, **(dict(compiled=False) if sys.argv[1] == "numpy" else {}))


def run(weeks, seed):
    model = CultureModel(rng=seed, **options)
    for _ in range(weeks):
        model.step()


run(13, 0)                                          # imports and first-use costs out of the timing
times = []
for seed in range(3):
    started = time.perf_counter()
    run(260, seed)
    times.append(time.perf_counter() - started)
print(min(times))
"""


def _time(path: Path | None, path_kind: str = "default") -> float:
    env = {"PYTHONPATH": str(path)} if path else {}
    done = subprocess.run([sys.executable, "-c", TIMING, path_kind], capture_output=True, text=True,
                          check=True, cwd=path or ROOT, env={**_env(), **env})
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
        before, numpy, compiled = [], [], []
        for _ in range(ROUNDS):
            before.append(_time(Path(folder)))
            numpy.append(_time(None, "numpy"))
            compiled.append(_time(None))
    b = statistics.median(before)
    print("| model | median s per default run (260 weeks) | runs/s | ratio to before |")
    print("|---|---|---|---|")
    print(f"| before the rebuild ({BEFORE}) | {b:.3f} | {1 / b:.2f} | 1 |")
    for label, times in (("now, numpy path", numpy), ("now, compiled week (the default)", compiled)):
        a = statistics.median(times)
        print(f"| {label} | {a:.3f} | {1 / a:.2f} | {a / b:.2f} |")
    print("(a ratio below 1 is faster)")


if __name__ == "__main__":
    main()
