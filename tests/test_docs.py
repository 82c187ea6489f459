"""The documentation keeps up with the code: ODD lists every parameter and its default."""

from pathlib import Path

from ccsim import PARAMS

ROOT = Path(__file__).resolve().parents[1]


def test_odd_lists_every_parameter_with_its_default_and_range():
    odd = (ROOT / "docs" / "ODD.md").read_text()
    for p in PARAMS.values():
        assert f"| `{p.name}` | {p.group} | {p.default:g} | {p.lo:g}-{p.hi:g} |" in odd, p.name


def test_odd_follows_the_2020_order():
    odd = (ROOT / "docs" / "ODD.md").read_text()
    headings = ["Purpose and patterns", "Entities, state variables and scales",
                "Process overview and scheduling", "Design concepts", "Initialisation",
                "Input data", "Submodels"]
    positions = [odd.index(h) for h in headings]
    assert positions == sorted(positions)


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
