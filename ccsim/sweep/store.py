"""The result store: one directory per sweep, written so that a crash loses nothing.

Layout::

    DIR/manifest.json             experiment, every parameter, design, seeds, provenance
                                  (ccsim's version and code hash, library versions), fingerprint
    DIR/runs/run-0000042.parquet  one file per finished run (tidy: one row per kept week)
    DIR/failures/run-0000042.json a run that raised: its error and traceback
    DIR/damaged/run-0000042.parquet a run file that did not read back whole, set aside
    DIR/.ccsim.lock               locked by the sweep writing DIR, with its pid

Every file is written to a temporary name beside its target, flushed to disk and renamed,
so a reader (or a resume after kill -9) sees a whole file or none.  One sweep at a time
writes DIR: it holds an OS lock (flock) on DIR/.ccsim.lock for its whole life, and another
sweep into DIR is refused meanwhile (``ccsim analyze`` only reads and needs no lock).

Nothing is trusted because it is there: the manifest must have every field of the right
type and match its fingerprint, and a run file must read back with the sweep's columns,
its own run and seed and no more rows than kept weeks.  A resume sets aside every run file
that does not and runs it again; analysis refuses it in one line.  A run is done when its
file reads back; a resume runs every other run again (failed ones included).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ccsim.output import write_atomic
from ccsim.params import PARAMS, ParamError
from ccsim.sweep.designs import design_from_dict
from ccsim.sweep.provenance import changes, model_hash
from ccsim.sweep.worker import RunResult

MANIFEST = "manifest.json"
RUNS, FAILURES, DAMAGED = "runs", "failures", "damaged"
LOCK = ".ccsim.lock"
RUN_FILE = re.compile(r"^run-(\d+)\.parquet$")
TMP_SUFFIX = ".part"
IDENTITY = ("run", "point", "replication", "seed")

# what a manifest must hold: {key: shape} a table, [shape] a list of it, a type a value
MANIFEST_SHAPE = {
    "format": int, "ccsim_version": str, "fingerprint": str,
    "experiment": {"name": str, "title": str, "replications": int, "weeks": int, "seed": int,
                   "common_seeds": bool, "reporters": [str], "every": int},
    "scenario": {"name": str, "params": dict, "events": [dict]},
    "base_params": dict,
    "design": {"kind": str, "names": [str], "options": dict, "bounds": [list], "X": [list],
               "points": [dict]},
    "runs": [{"run": int, "point": int, "replication": int, "seed": int}],
}
# format 2 adds these (format 1: no provenance, parameters of the preset and [fixed] only)
MANIFEST_FORMAT = 2
PROVENANCE_SHAPE = {
    "provenance": {"ccsim_version": str, "code_hash": str, "python": str, "libraries": dict},
    "params": dict,
}
FAILURE_SHAPE = {"run": int, "seed": int, "error": str, "traceback": object}


def fingerprint(manifest: dict) -> str:
    """A stable hash of what decides a sweep's results: points, seeds, model inputs and,
    from format 2 on, every parameter's value (defaults included) and the hash of the code
    a run executes (provenance.model_hash)."""
    e = manifest["experiment"]
    decides = {"params": manifest["base_params"], "events": manifest["scenario"]["events"],
               "points": manifest["design"]["points"],
               "seeds": [run["seed"] for run in manifest["runs"]], "weeks": e["weeks"],
               "reporters": e["reporters"], "every": e["every"]}
    if manifest["format"] >= 2:
        decides.update(params=manifest["params"], code=model_hash(manifest))
    text = json.dumps(decides, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _keys(manifest: dict) -> set[tuple[int, int]]:
    return {(run["point"], run["replication"]) for run in manifest["runs"]}


def extend(old: dict, new: dict) -> dict:
    """``new``, which holds every run of ``old`` (provenance.changes found nothing between
    them), with ``old``'s runs under their numbers and the others after them in design
    order; ``extended`` records the size of each sweep it grew from."""
    known = _keys(old)
    added = [run for run in new["runs"] if (run["point"], run["replication"]) not in known]
    start = len(old["runs"])
    grown = {**new, "runs": [*old["runs"], *({**run, "run": start + i} for i, run in enumerate(added))],
             "extended": old.get("extended", [])}
    if added:
        grown["extended"] = [*grown["extended"], {"runs": start, "points": len(old["design"]["points"]),
                                                  "replications": old["experiment"]["replications"]}]
    grown["fingerprint"] = fingerprint(grown)
    return grown


class ResultStore:
    """A sweep's output directory (see the module docstring)."""

    def __init__(self, root):
        self.root = Path(root)
        self.runs = self.root / RUNS
        self.failures = self.root / FAILURES

    # ----- opening -----
    def manifest(self) -> dict | None:
        """The sweep's manifest, None if there is none; ParamError if it is not whole."""
        path = self.root / MANIFEST
        if not path.is_file():
            return None
        try:
            manifest = json.loads(path.read_text())
            _check_shape(manifest, MANIFEST_SHAPE)
            if manifest["format"] >= 2:
                _check_shape(manifest, PROVENANCE_SHAPE)
            _check_consistent(manifest)
        except (OSError, ValueError, TypeError, RecursionError) as error:
            raise ParamError(f"{path}: not a whole sweep manifest ({_line(error)}); run the "
                             f"sweep again into a new --out directory") from None
        return manifest

    def check(self, manifest: dict, resume: bool) -> dict:
        """Raise ParamError (nothing written) unless the directory is new, empty, or holds
        this sweep, or part of it, and ``resume`` is set.  Return the manifest to go on with:
        ``manifest``, numbered as the directory's runs are (``extend``)."""
        existing = self.manifest()
        if existing is None:
            self._refuse_foreign()
            return manifest
        if existing["fingerprint"] != manifest["fingerprint"]:
            what = changes(existing, manifest)
            if not what and _keys(existing) - _keys(manifest):
                d = existing["design"]
                raise ParamError(
                    f"{self.root}: holds {len(existing['runs'])} runs ({len(d['points'])} points x "
                    f"{existing['experiment']['replications']} replications), more than this "
                    f"experiment's {len(manifest['runs'])}; a resume would leave runs out: ask for "
                    f"at least as many, or choose another --out directory")
            grown = extend(existing, manifest) if not what else None
            if grown is None or (grown["fingerprint"] != existing["fingerprint"] and
                                 len(grown["runs"]) == len(existing["runs"])):
                what = what or "other points, seeds, weeks, outputs or preset"
                raise ParamError(
                    f"{self.root}: holds another experiment or model ({what}: fingerprint "
                    f"{existing['fingerprint']}, not {manifest['fingerprint']}); a resume would mix "
                    f"them: choose another --out directory")
            manifest = grown
        if not resume:
            had, wants = len(existing["runs"]), len(manifest["runs"])
            held = (f"holds {had} of this experiment's {wants} runs; add --resume to extend it"
                    if wants > had else "already holds this experiment's results; add --resume "
                                        "to finish it")
            raise ParamError(f"{self.root}: {held}, or choose another --out directory")
        return manifest

    def _refuse_foreign(self) -> None:
        """Raise ParamError if the directory holds something, but no sweep."""
        if (self.root / MANIFEST).is_file() or not self.root.exists():
            return
        if not self.root.is_dir() or any(p.name != LOCK and not p.name.endswith(TMP_SUFFIX)
                                         for p in self.root.iterdir()):
            raise ParamError(f"{self.root}: exists and holds no sweep; choose an empty or "
                             f"new --out directory")

    @contextlib.contextmanager
    def claim(self, manifest: dict, resume: bool):
        """Hold the directory for one sweep: lock it for the block's whole life, then
        ``check`` it, and yield the manifest to go on with.  A directory that holds
        something else is not touched, and a start that is refused or ends before the
        manifest is written leaves it as it was."""
        self._refuse_foreign()
        handle, created = self._lock()
        try:
            manifest = self.check(manifest, resume)
            os.ftruncate(handle, 0)
            os.write(handle, f"{os.getpid()}\n".encode())
            yield manifest
        except BaseException:
            if not (self.root / MANIFEST).exists():
                (self.root / LOCK).unlink(missing_ok=True)
                for directory in created:
                    with contextlib.suppress(OSError):
                        directory.rmdir()
            raise
        finally:
            os.close(handle)

    def _lock(self) -> tuple[int, list[Path]]:
        """Lock DIR/.ccsim.lock (creating DIR); return its descriptor and the directories
        created.  ParamError if another sweep holds it."""
        path = self.root / LOCK
        while True:
            created = [p for p in (self.root, *self.root.parents) if not p.exists()]
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as error:
                raise ParamError(f"{self.root}: cannot write there ({error.strerror})") from None
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(handle, 32).decode(errors="replace").strip() or "?"
                os.close(handle)
                raise ParamError(f"{self.root} is in use by another ccsim sweep (pid {holder}); "
                                 f"wait for it to end, or choose another --out directory") from None
            with contextlib.suppress(FileNotFoundError):
                if os.path.samestat(os.fstat(handle), os.stat(path)):
                    break
            os.close(handle)   # removed meanwhile by a start that failed: take the new one
        return handle, created

    def open(self, manifest: dict) -> None:
        """Write a new or extended sweep's manifest (under ``claim``); clear partial writes."""
        existing = self.manifest()
        if existing is None or existing["fingerprint"] != manifest["fingerprint"]:
            write_atomic(self.root / MANIFEST, json.dumps(manifest, indent=1).encode())
        self.runs.mkdir(exist_ok=True)
        self.failures.mkdir(exist_ok=True)
        for stale in [*self.runs.glob(f".*{TMP_SUFFIX}"), *self.failures.glob(f".*{TMP_SUFFIX}")]:
            stale.unlink()

    # ----- writing -----
    def done(self) -> set[int]:
        """Runs whose result files are on disk (not read back: see ``verify``)."""
        return set(self._run_files())

    def verify(self, manifest: dict) -> tuple[set[int], list[str]]:
        """Read every run file back: the runs that are whole, and a note for each file that
        is not, moved to DIR/damaged so that the run runs again (under ``claim``).  A whole
        run's failure record (a crash came between the two) is removed."""
        whole, notes = set(), []
        for run, path in sorted(self._run_files().items()):
            try:
                _read_run(path, run, manifest)
            except ValueError as error:
                aside = self.root / DAMAGED / path.name
                aside.parent.mkdir(exist_ok=True)
                os.replace(path, aside)
                notes.append(f"{path}: damaged ({error}); moved to {aside}, to be run again")
            else:
                whole.add(run)
                self._failure(run).unlink(missing_ok=True)
        return whole, notes

    def write(self, result: RunResult) -> None:
        """Record one finished run (its table, or its error)."""
        run = result.task.run
        failure = self._failure(run)
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
        """Every finished run's rows, in run order (empty if none); ParamError naming a run
        file that does not read back whole."""
        manifest = self.manifest()
        if manifest is None:
            raise ParamError(f"{self.root}: no sweep here (no {MANIFEST})")
        tables = [self._read_or_refuse(_read_run, path, run, manifest)
                  for run, path in sorted(self._run_files().items())]
        if not tables:
            return pd.DataFrame()
        return pa.concat_tables(tables).to_pandas().sort_values(["run", "week"], ignore_index=True)

    def load_failures(self) -> list[dict]:
        """The records of the runs that raised; ParamError naming one that is damaged."""
        return [self._read_or_refuse(_read_failure, path)
                for path in sorted(self.failures.glob("run-*.json"))]

    def _read_or_refuse(self, read, path: Path, *args):
        try:
            return read(path, *args)
        except ValueError as error:
            manifest = self.manifest() or {}
            experiment = manifest.get("experiment", {}).get("path") or "EXPERIMENT.toml"
            raise ParamError(f"{path}: damaged ({error}); run it again with ccsim sweep "
                             f"{experiment} --out {self.root} --resume") from None

    def _failure(self, run: int) -> Path:
        return self.failures / f"run-{run:07d}.json"

    def _run_files(self) -> dict[int, Path]:
        if not self.runs.is_dir():
            return {}
        return {int(m.group(1)): Path(p.path) for p in os.scandir(self.runs)
                if (m := RUN_FILE.match(p.name)) and p.is_file(follow_symlinks=False)}


def _read_run(path: Path, run: int, manifest: dict) -> pa.Table:
    """The run file's table; ValueError unless it holds ``run`` of this sweep, whole."""
    runs, e = manifest["runs"], manifest["experiment"]
    if run >= len(runs):
        raise ValueError(f"the sweep has runs 0 to {len(runs) - 1} only")
    try:
        with pq.ParquetFile(path) as handle:
            table = handle.read(use_threads=False)   # ten times quicker than read_table
    except (OSError, pa.ArrowException) as error:
        raise ValueError(f"unreadable: {_line(error)}") from None
    whole = pa.int64()
    schema = pa.schema([*((name, whole) for name in IDENTITY),
                        *((name, whole if PARAMS[name].kind is int else pa.float64())
                          for name in manifest["design"]["names"]),
                        ("week", whole), *((name, pa.float64()) for name in e["reporters"])])
    grid = manifest["format"] >= 2     # every kept week to the end, and when it perished
    if grid:
        schema = schema.append(pa.field("perished_week", whole))
    if not table.schema.equals(schema):
        raise ValueError(f"columns {table.schema.names} of types other than the sweep's")
    kept = e["weeks"] // e["every"] + 1 + (e["weeks"] % e["every"] > 0)
    if table.num_rows not in (range(kept, kept + 1) if grid else range(1, kept + 1)):
        raise ValueError(f"{table.num_rows} rows; a run keeps {kept if grid else f'1 to {kept}'}")
    if {*table["run"].to_pylist()} != {run} or {*table["seed"].to_pylist()} != {runs[run]["seed"]}:
        raise ValueError(f"rows of another run or sweep, not of run {run}")
    return table


def _read_failure(path: Path) -> dict:
    try:
        record = json.loads(path.read_text())
        _check_shape(record, FAILURE_SHAPE)
    except (OSError, ValueError, TypeError, RecursionError) as error:
        raise ValueError(_line(error)) from None
    return record


def _check_shape(value, shape, field: str = "") -> None:
    """Raise ValueError naming the first ``field`` of ``value`` not of the ``shape``."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise ValueError(f"{field or 'its top level'} is not a table")
        for key, inner in shape.items():
            inner_field = f"{field}.{key}".lstrip(".")
            if key not in value:
                raise ValueError(f"{inner_field} is missing")
            _check_shape(value[key], inner, inner_field)
    elif isinstance(shape, list):
        if not isinstance(value, list):
            raise ValueError(f"{field} is not a list")
        for i, item in enumerate(value):
            _check_shape(item, shape[0], f"{field}[{i}]")
    elif not isinstance(value, shape) or (shape is int and isinstance(value, bool)):
        raise ValueError(f"{field}={value!r:.40} is not a {shape.__name__}")


def _check_consistent(manifest: dict) -> None:
    """Raise ValueError unless the manifest's parts fit together and match its fingerprint."""
    e, design = manifest["experiment"], manifest["design"]
    unknown = sorted(set(design["names"]) - set(PARAMS))
    if unknown:
        raise ValueError(f"design.names: unknown parameter {unknown[0]!r}")
    X = design_from_dict(design).X
    if X.shape != (len(design["points"]), len(design["names"])) or \
            len(manifest["runs"]) != len(design["points"]) * e["replications"] or e["every"] < 1:
        raise ValueError("its design, points, replications and runs do not fit together")
    if fingerprint(manifest) != manifest["fingerprint"]:
        raise ValueError("its content does not match its fingerprint")


def _line(error: BaseException) -> str:
    """An error's message on one line."""
    return " ".join(str(error).split()) or type(error).__name__
