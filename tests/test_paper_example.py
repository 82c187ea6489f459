"""The paper-ready example (experiments/paper_example.py, make example): a small one made
afresh has a methods paragraph that states the design, the sample size, the replications,
the seeds, how each interval was computed and the versions, and ccsim discover's files;
the committed one in docs/examples/ is the shipped experiment's, whole and small."""

from __future__ import annotations

import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from ccsim.sweep.experiment import load_experiment
from ccsim.sweep.provenance import code_hash

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "experiments" / "paper_example.py"
EXPERIMENT = ROOT / "experiments" / "wages_and_culture.toml"
COMMITTED = ROOT / "docs" / "examples" / "wages_and_culture"
SMALL = {"samples": 4, "replications": 2, "weeks": 60}
MAX_BYTES = 200_000


def methods(report: Path) -> str:
    return report.read_text().split("## Methods", 1)[1].split("\n## ", 1)[0]


def design_words(samples: int, points: int) -> str:
    return f"Saltelli's scheme for Sobol indices (SALib; N = {samples}, {points} points)"


@pytest.mark.slow
def test_a_small_example_made_afresh_states_its_methods(tmp_path):
    out = tmp_path / "example"
    options = [item for key, value in SMALL.items() for item in (f"--{key}", str(value))]
    done = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), *options], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    experiment = load_experiment(EXPERIMENT).override(SMALL["replications"], SMALL["weeks"], SMALL["samples"])
    runs = experiment.n_points * experiment.replications
    text = methods(out / "report.md")
    for words in (design_words(SMALL["samples"], experiment.n_points),                  # the design
                  f"with {SMALL['replications']} replications per point ({runs} runs finished of {runs})",
                  f"each run {SMALL['weeks']} weeks long",
                  f"base seed {experiment.seed} by numpy's SeedSequence", "common random numbers",   # seeds
                  "95% Student-t intervals", "Wilson's 95% score interval",                 # intervals
                  "Greenwood's variance on the log-log scale, both computed by scipy.stats.ecdf",
                  "SALib's bootstrap (200 resamples",
                  f"ccsim {metadata.version('ccsim')} (code hash {code_hash()})",           # versions
                  f"Python {platform.python_version()}",
                  *(f"{name} {metadata.version(name)}" for name in ("numpy", "scipy", "pandas", "mesa", "SALib"))):
        assert words in text, words
    perished = int(re.search(r"(\d+) of \d+ runs ran out of cash", text).group(1))
    assert 0 < perished < runs
    discovery = (out / "discovery" / "discovery.md").read_text()
    assert discovery.startswith("# Scenario discovery: perished") and "ccsim run story.toml" in discovery
    assert {p.name for p in (out / "discovery").iterdir()} == {"discovery.md", "boxes.csv", "peeling.csv",
                                                                "peeling.png", "story.toml"}
    assert all(p.stat().st_size < MAX_BYTES for p in out.rglob("*"))


def test_the_committed_example_is_the_shipped_experiments():
    """Made from experiments/wages_and_culture.toml as it is now (make example after editing
    it), with every figure the report shows, and no file over 200 KB."""
    experiment = load_experiment(EXPERIMENT)
    report = COMMITTED / "report.md"
    text = methods(report)
    runs = experiment.n_points * experiment.replications
    assert design_words(experiment.options["samples"], experiment.n_points) in text
    assert f"with {experiment.replications} replications per point ({runs} runs finished of {runs})" in text
    assert f"each run {experiment.weeks} weeks long" in text and f"base seed {experiment.seed} " in text
    shown = re.findall(r"!\[[^]]*\]\(([^)]+)\)", report.read_text())
    assert shown and all((COMMITTED / name).is_file() for name in shown)
    assert (COMMITTED / "discovery" / "story.toml").is_file()
    assert all(p.stat().st_size < MAX_BYTES for p in COMMITTED.rglob("*"))
