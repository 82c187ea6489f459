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


def _module_constants():
    """(module file, name, literal value or None) of every upper-case module-level name
    bound in ccsim/model.py and ccsim/dynamics/*.py."""
    import ast

    files = [ROOT / "ccsim" / "model.py", *sorted((ROOT / "ccsim" / "dynamics").glob("*.py"))]
    for path in files:
        for node in ast.parse(path.read_text()).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                values = (node.value.elts if isinstance(node.value, ast.Tuple) and len(node.value.elts) == len(names)
                          else [node.value] * len(names))
                for name, value in zip(names, values):
                    if isinstance(name, ast.Name) and name.id.lstrip("_").isupper():
                        literal = value.value if isinstance(value, ast.Constant) else None
                        yield path.name, name.id, literal


def test_odd_lists_every_module_constant_with_its_value():
    odd = (ROOT / "docs" / "ODD.md").read_text()
    table = odd.split("### Every constant", 1)[1].split("\n## ", 1)[0]
    rows = {line for line in table.splitlines() if line.startswith("| `")}
    checked = 0
    for module, name, value in _module_constants():
        row = next((r for r in rows if f"`{name}`" in r.split("|")[1]), None)
        assert row is not None, f"{name} ({module}) is not in docs/ODD.md, Every constant"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            cells = row.split("|")[3]
            shown = {f"{value:g}", f"{value:,}"} if isinstance(value, int) else {f"{value:g}"}
            assert any(s in cells for s in shown), f"{name} = {value!r}, docs/ODD.md says {cells.strip()}"
            checked += 1
    assert checked >= 8      # the literal ones are compared, not only named
