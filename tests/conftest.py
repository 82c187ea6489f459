"""Fixtures shared by the sweep tests."""

from __future__ import annotations

import pytest

from ccsim.cli import main as cli


@pytest.fixture(scope="session")
def swept(tmp_path_factory):
    """``swept(name, experiment_text, *options)``: the experiment swept with 2 workers and
    ``options`` into a fresh directory, then analysed; returns the sweep directory."""
    def sweep(name: str, text: str, *options: str):
        root = tmp_path_factory.mktemp(name)
        (root / "exp.toml").write_text(text)
        out = root / "out"
        assert cli(["sweep", str(root / "exp.toml"), "--out", str(out), "--workers", "2",
                    "--no-progress", *options]) == 0
        assert cli(["analyze", str(out)]) == 0
        return out

    return sweep
