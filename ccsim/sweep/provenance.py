"""Provenance: what made a sweep's results, recorded in its manifest.

``record()`` gives ccsim's version, a hash of its code (every .py file of the ccsim
package, by path and content), a hash of the code that decides a run's results (the same
without the front ends and the analysis, MODEL_EXCLUDES: an edit of the browser app or of
``ccsim analyze`` changes no run, and must not stop a resume), Python's version and the
versions of the libraries the results depend on.  ``changes(old, new)`` says, in words, what differs between two
manifests' inputs, so that a resume into a directory made by another model is refused
naming what changed (a default, the code, the preset, the design...).  A sweep that
only adds design points after the old ones (a larger Sobol N, more Morris trajectories:
SALib's samples of a larger size begin with those of a smaller one; a Latin hypercube grown
by a batch, ccsim.sweep.designs) or replications
changes nothing the old runs were made with: ``changes`` says nothing, and the store
extends the sweep (ccsim.sweep.store.extend).
"""

from __future__ import annotations

import hashlib
import platform
from functools import cache
from importlib import metadata
from pathlib import Path

from ccsim import __version__

LIBRARIES = ("numpy", "scipy", "pandas", "pyarrow", "mesa", "SALib", "dask")
# parts of the package that no run executes (paths under ccsim/, a folder ends with /)
MODEL_EXCLUDES = ("ui/", "commands/", "anchors/", "__main__.py", "cli.py", "plots.py", "colours.py",
                  "output.py", "calibration.py", "sweep/analysis.py", "sweep/report.py", "sweep/plots.py",
                  "sweep/survival.py", "sweep/discovery.py", "sweep/provenance.py", "sweep/store.py", "sweep/runner.py",
                  "sweep/executors.py")


@cache
def code_hash(model_only: bool = False) -> str:
    """SHA-256 (first 16 hex digits) of the ccsim package's .py files, path and content;
    with ``model_only``, of those a run executes (all but MODEL_EXCLUDES)."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py"), key=lambda p: p.relative_to(root).as_posix()):
        name = path.relative_to(root).as_posix()
        if "__pycache__" in path.parts or (model_only and (
                name in MODEL_EXCLUDES or name.startswith(tuple(e for e in MODEL_EXCLUDES
                                                               if e.endswith("/"))))):
            continue
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def library_versions() -> dict[str, str]:
    """Installed versions of LIBRARIES ("not installed" for a missing one)."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def record() -> dict:
    """The provenance block of a manifest."""
    return {"ccsim_version": __version__, "code_hash": code_hash(), "model_hash": code_hash(True),
            "python": platform.python_version(), "libraries": library_versions()}


def model_hash(manifest: dict) -> str | None:
    """The hash of the code that decides results, as a manifest records it."""
    p = manifest.get("provenance") or {}
    return p.get("model_hash", p.get("code_hash"))


def _value(value) -> str:
    return f"{value:g}" if isinstance(value, float) else repr(value)


def changes(old: dict, new: dict) -> str:
    """What differs between manifests ``old`` and ``new`` in what decides results, as one
    phrase ('' if nothing): parameters first (a default, the preset or [fixed]), then the
    code, then the rest."""
    said = []
    if old.get("format", 1) < 2:
        return (f"it was written by ccsim {old.get('ccsim_version', '?')} before the manifest "
                f"recorded every parameter and the code (manifest format {old.get('format')})")
    before, after = old.get("params", {}), new.get("params", {})
    moved = [f"{k} {_value(before.get(k, 'unset'))} -> {_value(after.get(k, 'unset'))}"
             for k in sorted(before.keys() | after.keys()) if before.get(k) != after.get(k)]
    if moved:
        more = f" and {len(moved) - 4} more" if len(moved) > 4 else ""
        said.append(f"parameter {', '.join(moved[:4])}{more}")
    old_code, new_code = model_hash(old), model_hash(new)
    if old_code != new_code:
        said.append(f"ccsim's model code (hash {old_code}, now {new_code})")
    e, f = old["experiment"], new["experiment"]
    for key in ("weeks", "reporters", "every"):
        if e.get(key) != f.get(key):
            said.append(f"{key} {e.get(key)} -> {f.get(key)}")
    if old["scenario"]["events"] != new["scenario"]["events"]:
        said.append("the preset's events")
    before, after = old["design"]["points"], new["design"]["points"]
    if before[:len(after)] != after[:len(before)]:     # one design begins with the other
        shrinks = old["design"]["kind"] == "latin_hypercube" and len(before) > len(after)
        said.append("the design's points" + (f" (a Latin hypercube keeps its points only as it grows: "
                                             f"ask for at least its {len(before)} samples)" if shrinks else ""))
    seeds = {(r["point"], r["replication"]): r["seed"] for r in new["runs"]}
    if any(seeds.get((r["point"], r["replication"]), r["seed"]) != r["seed"] for r in old["runs"]):
        said.append("the seeds")
    return "; ".join(said)
