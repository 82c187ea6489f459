"""The model now against earlier versions of it, side by side: before the rebuild (commit
BEFORE) and before the staff's week and the reporters were compiled (commit BASE).

Each version's package is taken from git (``git archive``) into a temporary folder; each
timing is a fresh process that imports one version or the other, the versions taking
turns, and runs a default firm (2,000 customers, 260 weeks, no customer agents).
Reported: the median time per run of each (the model now on its numpy path and with its
compiled week) and the ratios to the earlier versions.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tarfile
import tempfile
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

BEFORE = "73dabdf"        # main before "A model whose culture effects are causes, not noise"
BASE = "94a76a0"          # the compiled customers' week, with the staff, reporters and draws in numpy
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


@contextmanager
def archived(commit: str):
    """The package as it was at ``commit``, in a temporary folder (None if not in this clone)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "ccsim"], capture_output=True)
    if archive.returncode:
        yield None
        return
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
            tar.extractall(folder, filter="data")
        yield Path(folder)


def main() -> None:
    with archived(BEFORE) as before_path, archived(BASE) as base_path:
        if before_path is None or base_path is None:
            print(f"commit {BEFORE} or {BASE} is not in this clone's history; nothing to compare")
            return
        times = {label: [] for label in ("before", "base", "numpy", "compiled")}
        for _ in range(ROUNDS):
            times["before"].append(_time(before_path))
            times["base"].append(_time(base_path))
            times["numpy"].append(_time(None, "numpy"))
            times["compiled"].append(_time(None))
    b, c = statistics.median(times["before"]), statistics.median(times["base"])
    print(f"| model | median s per default run (260 weeks) | runs/s | ratio to {BEFORE} | ratio to {BASE} |")
    print("|---|---|---|---|---|")
    for label, key in ((f"before the rebuild ({BEFORE})", "before"),
                       (f"compiled customers' week only ({BASE})", "base"),
                       ("now, numpy path", "numpy"), ("now, compiled week (the default)", "compiled")):
        a = statistics.median(times[key])
        print(f"| {label} | {a:.3f} | {1 / a:.2f} | {a / b:.2f} | {a / c:.2f} |")
    print("(a ratio below 1 is faster)")


if __name__ == "__main__":
    main()
