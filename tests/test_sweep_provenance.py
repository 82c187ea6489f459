"""A sweep's manifest records what made its results (every parameter, the code, the
libraries), and a resume refuses to mix runs of two models: a copy of the ccsim package
with a changed default or changed code, run as a real process, is refused in one line.
Old sweep directories (manifest format 1, written by ccsim as of commit b1df0c6) stay
readable by analyze."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from ccsim.params import defaults
from ccsim.scenarios import load_scenario

ROOT = Path(__file__).resolve().parent.parent
OLD_COMMIT = "b1df0c6"   # the last ccsim whose manifests were format 1

TINY = """
title = "provenance"
weeks = 4
replications = 2
seed = 3
[design]
kind = "full_factorial"
[factors]
humility = [0.2, 0.8]
[fixed]
n_customers = 100
n_employees = 10
[output]
reporters = ["customers", "cash"]
"""


def ccsim(where: Path, *argv, package: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m ccsim`` in ``where``; with ``package``, the ccsim found under that
    directory instead of the installed one."""
    env = dict(os.environ)
    if package is not None:
        env["PYTHONPATH"] = str(package)
    return subprocess.run([sys.executable, "-m", "ccsim", *argv], cwd=where, env=env,
                          capture_output=True, text=True, timeout=180)


def copy_package(root: Path) -> Path:
    """A copy of the ccsim package and its presets under ``root`` (importable from there)."""
    shutil.copytree(ROOT / "ccsim", root / "ccsim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "scenarios", root / "scenarios")
    return root


@pytest.fixture
def finished(tmp_path):
    """A finished 4-run sweep made by a copy of ccsim (identical to the installed one)."""
    package = copy_package(tmp_path / "pkg")
    (tmp_path / "exp.toml").write_text(TINY)
    done = ccsim(tmp_path, "sweep", "exp.toml", "--out", "out", "--no-progress", package=package)
    assert done.returncode == 0, done.stderr
    return tmp_path, package


def test_manifest_records_every_parameter_the_code_and_the_libraries(finished):
    where, package = finished
    manifest = json.loads((where / "out" / "manifest.json").read_text())
    assert manifest["format"] == 2
    p = manifest["provenance"]
    assert re.fullmatch(r"[0-9a-f]{16}", p["code_hash"]) and re.fullmatch(r"[0-9a-f]{16}", p["model_hash"])
    assert p["model_hash"] != p["code_hash"]
    for name in ("numpy", "scipy", "pandas", "pyarrow", "mesa", "SALib", "dask"):
        assert p["libraries"][name] == metadata.version(name)
    assert p["python"] == ".".join(map(str, sys.version_info[:3]))
    expected = {**defaults(), **load_scenario("baseline").params, "n_customers": 100,
                "n_employees": 10}
    assert manifest["params"] == expected
    # the hashes of the code that ran (the copy: others may edit the installed tree meanwhile)
    hashes = subprocess.run([sys.executable, "-c", "from ccsim.sweep.provenance import code_hash; "
                             "print(code_hash(), code_hash(True))"], env={**os.environ,
                            "PYTHONPATH": str(package)}, capture_output=True, text=True)
    assert hashes.stdout.split() == [p["code_hash"], p["model_hash"]]
    assert ccsim(where, "analyze", "out").returncode == 0
    report = (where / "out" / "analysis" / "report.md").read_text()
    assert f"code hash {p['code_hash']}" in report and f"mesa {metadata.version('mesa')}" in report


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_resume_after_a_changed_default_is_refused_naming_it(finished):
    """The issue's case: a default changed in the code, half the runs removed, --resume."""
    where, package = finished
    _edit(package / "ccsim" / "params.py", 'Param("problem_rate", 0.05,', 'Param("problem_rate", 0.1,')
    for run in (1, 3):
        (where / "out" / "runs" / f"run-{run:07d}.parquet").unlink()
    before = sorted(p.name for p in (where / "out" / "runs").iterdir())
    done = ccsim(where, "sweep", "exp.toml", "--out", "out", "--resume", "--no-progress",
                 package=package)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "problem_rate 0.05 -> 0.1" in done.stderr
    assert "ccsim's model code (hash" in done.stderr and "holds another experiment" in done.stderr
    assert sorted(p.name for p in (where / "out" / "runs").iterdir()) == before
    # the original code resumes it
    assert ccsim(where, "sweep", "exp.toml", "--out", "out", "--resume", "--no-progress").returncode == 0


def test_resume_after_a_code_change_is_refused_naming_the_code(finished):
    where, package = finished
    _edit(package / "ccsim" / "dynamics" / "loyalty.py", '"""', '"""A changed line.\n', )
    done = ccsim(where, "sweep", "exp.toml", "--out", "out", "--resume", "--no-progress",
                 package=package)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "ccsim's model code (hash" in done.stderr and "parameter" not in done.stderr


def test_an_edit_of_the_app_or_the_analysis_does_not_stop_a_resume(finished):
    """They change the package's hash (recorded) but no run: the resume goes on."""
    where, package = finished
    (where / "out" / "runs" / "run-0000002.parquet").unlink()
    for name in ("ui/app.py", "sweep/report.py"):
        _edit(package / "ccsim" / name, '"""', '"""A changed line.\n')
    done = ccsim(where, "sweep", "exp.toml", "--out", "out", "--resume", "--no-progress",
                 package=package)
    assert done.returncode == 0, done.stderr
    assert "3 already there" in done.stdout


def test_an_old_sweep_directory_stays_readable(tmp_path):
    """A sweep written by ccsim as of OLD_COMMIT (manifest format 1) is analysed; a resume
    with this ccsim is refused in one line (it cannot tell which model made those runs)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    old = tmp_path / "old"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", OLD_COMMIT, "ccsim", "scenarios"],
                             capture_output=True)
    if archive.returncode != 0:
        pytest.skip(f"commit {OLD_COMMIT} is not in this repository")
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    (tmp_path / "exp.toml").write_text(TINY)
    assert ccsim(tmp_path, "sweep", "exp.toml", "--out", "out", "--no-progress",
                 package=old).returncode == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["format"] == 1 and "provenance" not in manifest
    done = ccsim(tmp_path, "analyze", "out")
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "out" / "analysis" / "report.md").read_text()
    assert "records neither the code's hash nor the libraries' versions" in report
    resumed = ccsim(tmp_path, "sweep", "exp.toml", "--out", "out", "--resume", "--no-progress")
    assert resumed.returncode == 2 and resumed.stderr.count("\n") == 1
    assert "before the manifest recorded every parameter" in resumed.stderr
