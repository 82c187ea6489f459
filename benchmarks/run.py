"""Run every benchmark (benchmarks/bench_*.py), or those named: ``python benchmarks/run.py core``.

Each module has a ``main()`` that prints its own table.  Numbers vary with the load on the
machine: compare ratios measured side by side in one run, not absolute times across runs.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    files = sorted(HERE.glob("bench_*.py"))
    if names:
        files = [f for f in files if f.stem.removeprefix("bench_") in names]
    for path in files:
        print(f"\n=== {path.stem} ===", flush=True)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module   # so that worker processes can pickle its functions
        spec.loader.exec_module(module)
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
