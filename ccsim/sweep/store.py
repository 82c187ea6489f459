"""The result store: one directory per sweep, written so that a crash loses nothing.

Layout::

    DIR/manifest.json            experiment, design, seeds, package version, fingerprint
    DIR/runs/run-0000042.parquet one file per finished run (tidy: one row per kept week)
    DIR/failures/run-0000042.json a run that raised: its error and traceback

Every file is written to a temporary name beside its target, flushed to disk and renamed,
so a reader (or a resume after kill -9) sees a whole file or none.  A run is done when its
Parquet file exists; a resume runs every other run again (failed ones included).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from ccsim.params import ParamError
from ccsim.sweep.worker import RunResult

MANIFEST = "manifest.json"
RUNS, FAILURES = "runs", "failures"
RUN_FILE = re.compile(r"^run-(\d+)\.parquet$")
TMP_SUFFIX = ".part"


def fingerprint(content: dict) -> str:
    """A stable hash of what decides a sweep's results (points, seeds, model inputs)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once: temporary file, fsync, rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class ResultStore:
    """A sweep's output directory (see the module docstring)."""

    def __init__(self, root):
        self.root = Path(root)
        self.runs = self.root / RUNS
        self.failures = self.root / FAILURES

    # ----- opening -----
    def manifest(self) -> dict | None:
        path = self.root / MANIFEST
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise ParamError(f"{path}: unreadable manifest ({error})") from None

    def check(self, manifest: dict, resume: bool) -> None:
        """Raise ParamError (nothing written) unless the directory is new, empty, or holds
        this sweep and ``resume`` is set."""
        existing = self.manifest()
        if existing is None:
            if self.root.exists() and (not self.root.is_dir() or any(
                    not p.name.endswith(TMP_SUFFIX) for p in self.root.iterdir())):
                raise ParamError(f"{self.root}: exists and holds no sweep; choose an empty or "
                                 f"new --out directory")
        elif existing.get("fingerprint") != manifest["fingerprint"]:
            raise ParamError(
                f"{self.root}: holds another experiment (experiment "
                f"{existing.get('experiment', {}).get('name', '?')!r} with other points, seeds, "
                f"weeks, outputs or preset: fingerprint {existing.get('fingerprint')}, not "
                f"{manifest['fingerprint']}); choose another --out directory")
        elif not resume:
            raise ParamError(f"{self.root}: already holds this experiment's results; add "
                             f"--resume to finish it, or choose another --out directory")

    def open(self, manifest: dict) -> None:
        """Create the directory and its manifest (after ``check``); clear partial writes."""
        if self.manifest() is None:
            self.root.mkdir(parents=True, exist_ok=True)
            write_atomic(self.root / MANIFEST, json.dumps(manifest, indent=1).encode())
        self.runs.mkdir(exist_ok=True)
        self.failures.mkdir(exist_ok=True)
        for stale in [*self.runs.glob(f".*{TMP_SUFFIX}"), *self.failures.glob(f".*{TMP_SUFFIX}")]:
            stale.unlink()

    # ----- writing -----
    def done(self) -> set[int]:
        """Runs whose results are on disk."""
        if not self.runs.is_dir():
            return set()
        return {int(m.group(1)) for p in os.scandir(self.runs) if (m := RUN_FILE.match(p.name))}

    def write(self, result: RunResult) -> None:
        """Record one finished run (its table, or its error)."""
        run = result.task.run
        failure = self.failures / f"run-{run:07d}.json"
        if result.error is None:
            buffer = io.BytesIO()
            result.table.to_parquet(buffer, index=False)
            write_atomic(self.runs / f"run-{run:07d}.parquet", buffer.getvalue())
            failure.unlink(missing_ok=True)
        else:
            task = result.task
            record = {"run": run, "point": task.point, "replication": task.replication,
                      "seed": task.seed, "factors": task.factors, "error": result.error,
                      "traceback": result.traceback}
            write_atomic(failure, json.dumps(record, indent=1).encode())

    # ----- reading -----
    def load_runs(self) -> pd.DataFrame:
        """Every finished run's rows, in run order (empty if none)."""
        if not self.done():
            return pd.DataFrame()
        table = pq.read_table(self.runs)   # a dataset: hidden partial files are skipped
        return table.to_pandas().sort_values(["run", "week"], ignore_index=True)

    def load_failures(self) -> list[dict]:
        return [json.loads(p.read_text()) for p in sorted(self.failures.glob("run-*.json"))]
