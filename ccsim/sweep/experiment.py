"""Experiment files (experiments/*.toml): what a sweep varies, how, and what it keeps.

A file is data only, read with the standard library's tomllib::

    title = "Humility x empowerment"      # required
    description = "one paragraph"          # optional
    scenario = "baseline"                  # preset to start from (a name or a .toml path)
    weeks = 260                            # run length
    replications = 10                      # runs per design point, each with its own seed
    seed = 20261123                        # base seed: every run's seed derives from it
    common_seeds = false                   # true: replication r has the same seed at every point

    [design]
    kind = "full_factorial"                # full_factorial | latin_hypercube | sobol | morris
    # latin_hypercube: samples = 64
    # sobol: samples = 64 (a power of 2), second_order = false
    # morris: trajectories = 10, levels = 4 (even)

    [factors]                              # parameters of ccsim.params.PARAMS
    humility = [0.0, 0.5, 1.0]             # levels (full_factorial)
    empowerment = { lo = 0.0, hi = 1.0, levels = 5 }   # evenly spaced levels
    conformity = { lo = 0.0, hi = 1.0 }    # a range (latin_hypercube, sobol, morris)

    [fixed]                                # parameters held at one value on top of the preset
    n_customers = 1000

    [output]
    reporters = ["customers", "nps", "cash"]   # ccsim.metrics.REPORTERS to keep
    every = 4                              # keep every 4th week (and always the last)

Every field is checked; a bad one raises ParamError with one line naming the file, the
field and what is allowed (docs/DESIGN.md, Bad input).  Sizes are bounded before anything
is built: at most MAX_RUNS runs (design points x replications; a million runs of a second
each are eleven core-days, and the manifest records every run's seed), so a slip (inf, a
billion levels) is refused at once instead of filling the memory.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from ccsim.metrics import REPORTERS
from ccsim.params import PARAMS, ParamError, validate

DESIGNS = {
    # kind -> {option: (default, help)}
    "full_factorial": {},
    "latin_hypercube": {"samples": (None, "a whole number of points >= 2")},
    "sobol": {"samples": (None, "N, a power of 2 >= 2 (runs N*(k+2) points)"),
              "second_order": (False, "true or false")},
    "morris": {"trajectories": (None, "a whole number >= 2"),
               "levels": (4, "an even whole number >= 2")},
}
SAMPLES = {"latin_hypercube": "samples", "sobol": "samples", "morris": "trajectories"}   # --samples
TOP_KEYS = ("title", "description", "scenario", "weeks", "replications", "seed", "common_seeds",
            "design", "factors", "fixed", "output")
MAX_WEEKS = 5200
MAX_RUNS = 1_000_000
DEFAULT_REPORTERS = ("customers", "loyalty", "nps", "profit", "cash", "leader_knowledge")


@dataclass(frozen=True)
class Factor:
    """A parameter the design varies: explicit ``levels``, or a range ``lo``..``hi``."""

    name: str
    levels: tuple | None = None
    lo: float | None = None
    hi: float | None = None

    def as_dict(self) -> dict:
        if self.levels is not None:
            return {"levels": list(self.levels)}
        return {"lo": self.lo, "hi": self.hi}


@dataclass(frozen=True)
class Experiment:
    """A checked experiment file (see the module docstring for the format)."""

    name: str
    title: str
    scenario: str
    factors: tuple[Factor, ...]
    design: str
    options: dict = field(default_factory=dict)
    replications: int = 10
    weeks: int = 260
    seed: int = 0
    common_seeds: bool = False
    fixed: dict = field(default_factory=dict)
    reporters: tuple[str, ...] = DEFAULT_REPORTERS
    every: int = 1
    description: str = ""
    path: Path | None = None

    def override(self, replications=None, weeks=None, samples=None) -> Experiment:
        """The same experiment with ``--replications`` / ``--weeks`` / ``--samples`` (a Latin
        hypercube's or Sobol design's samples, a Morris design's trajectories) from the
        command line."""
        where = "command line"
        changes = {}
        if replications is not None:
            changes["replications"] = _count(replications, f"{where}: --replications", 1, MAX_RUNS)
        if weeks is not None:
            changes["weeks"] = _count(weeks, f"{where}: --weeks", 1, MAX_WEEKS)
        if samples is not None:
            key = SAMPLES.get(self.design)
            if key is None:
                raise ParamError(f"{where}: --samples does not apply to a {self.design} design; "
                                 f"allowed: a {', '.join(SAMPLES)} design")
            changes["options"] = _design({**self.options, "kind": self.design, key: samples},
                                         f"{where}: --samples ({self.design})")[1]
        return _sized(replace(self, **changes), where)

    @property
    def n_points(self) -> int:
        """How many points the design has (counted, not built)."""
        k, options = len(self.factors), self.options
        if self.design == "full_factorial":
            return math.prod(len(f.levels) for f in self.factors)
        if self.design == "latin_hypercube":
            return options["samples"]
        if self.design == "sobol":
            return options["samples"] * (2 * k + 2 if options["second_order"] else k + 2)
        return options["trajectories"] * (k + 1)

    def as_dict(self) -> dict:
        """JSON-ready description (for the manifest)."""
        out = asdict(self)
        out["factors"] = {f.name: f.as_dict() for f in self.factors}
        out["reporters"] = list(self.reporters)
        out["path"] = str(self.path) if self.path else None
        return out


def load_experiment(path) -> Experiment:
    """Read and check an experiment file."""
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise ParamError(f"{where}: no such experiment file")
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, UnicodeDecodeError) as error:
        raise ParamError(f"{where}: cannot read: {' '.join(str(error).split())}") from None
    except (ValueError, RecursionError) as error:   # TOMLDecodeError; a 5000-digit number
        raise ParamError(f"{where}: malformed TOML: {' '.join(str(error).split())}") from None
    return parse_experiment(data, path.stem, where, path)


def parse_experiment(data: dict, name: str, where: str, path: Path | None = None) -> Experiment:
    """Check the parsed TOML ``data``; ``where`` prefixes every error message."""
    unknown = [k for k in data if k not in TOP_KEYS]
    if unknown:
        raise ParamError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(TOP_KEYS)}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ParamError(f"{where}: title must be a non-empty string")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ParamError(f"{where}: description must be a string")
    scenario = _scenario(data.get("scenario"), where, path)
    design, options = _design(_table(data, "design", where), where)
    factors = _factors(_table(data, "factors", where), design, where)
    fixed = validate(_table(data, "fixed", where), f"{where}: [fixed]")
    both = [f.name for f in factors if f.name in fixed]
    if both:
        raise ParamError(f"{where}: {both[0]!r} is both a factor and fixed; keep it in one place")
    common = data.get("common_seeds", False)
    if not isinstance(common, bool):
        raise ParamError(f"{where}: common_seeds={common!r}; allowed: true or false")
    reporters, every = _output(_table(data, "output", where), where)
    return _sized(Experiment(
        name=name, title=title.strip(), scenario=scenario, factors=factors, design=design,
        options=options,
        replications=_count(data.get("replications", 10), f"{where}: replications", 1, MAX_RUNS),
        weeks=_count(data.get("weeks", 260), f"{where}: weeks", 1, MAX_WEEKS),
        seed=_count(data.get("seed", 0), f"{where}: seed", 0, 2**63 - 1),
        common_seeds=common, fixed=fixed, reporters=reporters, every=every,
        description=description.strip(), path=path), where)


def _sized(experiment: Experiment, where: str) -> Experiment:
    """``experiment``, unless it has more than MAX_RUNS runs (ParamError)."""
    points, replications = experiment.n_points, experiment.replications
    if points * replications > MAX_RUNS:
        raise ParamError(f"{where}: {points} design points x {replications} replications = "
                         f"{points * replications} runs; allowed: at most {MAX_RUNS} runs")
    return experiment


def _scenario(value, where: str, path: Path | None) -> str:
    from ccsim.scenarios import DEFAULT_SCENARIO

    if value is None:
        return DEFAULT_SCENARIO
    if not isinstance(value, str) or not value.strip():
        raise ParamError(f"{where}: scenario must be a preset name or a path to a .toml file")
    if value.endswith(".toml") and path is not None and not Path(value).is_absolute():
        beside = path.parent / value
        if beside.is_file():
            return str(beside)
    return value


def _design(table: dict, where: str) -> tuple[str, dict]:
    kind = table.get("kind")
    if kind not in DESIGNS:
        raise ParamError(f"{where}: design.kind={kind!r}; allowed: {', '.join(DESIGNS)}")
    spec = DESIGNS[kind]
    unknown = [k for k in table if k != "kind" and k not in spec]
    if unknown:
        allowed = ", ".join(spec) or "no options"
        raise ParamError(f"{where}: design.{unknown[0]} does not apply to a {kind} design; "
                         f"allowed: {allowed}")
    options = {}
    for option, (default, allowed) in spec.items():
        value = table.get(option, default)
        at = f"{where}: design.{option}={value!r}"
        if value is None:
            raise ParamError(f"{where}: a {kind} design needs design.{option} ({allowed})")
        if option == "second_order":
            if not isinstance(value, bool):
                raise ParamError(f"{at}; allowed: {allowed}")
        else:
            value = _count(value, f"{where}: design.{option}", 2, MAX_RUNS)
            if option == "samples" and kind == "sobol" and value & (value - 1):
                raise ParamError(f"{at} is not a power of 2; allowed: {allowed}")
            if option == "levels" and value % 2:
                raise ParamError(f"{at} is odd; allowed: {allowed}")
        options[option] = value
    return kind, options


def _factors(table: dict, design: str, where: str) -> tuple[Factor, ...]:
    if not table:
        raise ParamError(f"{where}: [factors] is empty; name at least one parameter to vary")
    factors = []
    for name, spec in table.items():
        at = f"{where}: factors.{name}"
        if name not in PARAMS:
            raise ParamError(f"{at}: unknown parameter {name!r}; allowed: {', '.join(PARAMS)}")
        param = PARAMS[name]
        if isinstance(spec, list):
            if not spec:
                raise ParamError(f"{at}: empty list of levels; give at least one value")
            levels = tuple(param.check(v, at) for v in spec)
            if len(set(levels)) != len(levels):
                raise ParamError(f"{at}: repeated level in {list(spec)}; each level once")
            factor = Factor(name, levels=levels)
        elif isinstance(spec, dict):
            factor = _range(name, spec, at)
        else:
            raise ParamError(f"{at}: give a list of levels or a table {{ lo = ..., hi = ... }}")
        _fits(factor, design, at)
        factors.append(factor)
    if design in ("sobol", "morris") and len(factors) < 2:
        raise ParamError(f"{where}: a {design} design needs at least 2 factors, got {len(factors)}")
    return tuple(factors)


def _range(name: str, spec: dict, at: str) -> Factor:
    unknown = [k for k in spec if k not in ("lo", "hi", "levels")]
    if unknown:
        raise ParamError(f"{at}: unknown key {unknown[0]!r}; allowed: lo, hi, levels")
    if "lo" not in spec or "hi" not in spec:
        raise ParamError(f"{at}: a range needs both lo and hi")
    param = PARAMS[name]
    lo, hi = param.check(spec["lo"], f"{at}.lo"), param.check(spec["hi"], f"{at}.hi")
    if not lo < hi:
        raise ParamError(f"{at}: empty or inverted range lo={lo:g}, hi={hi:g}; lo must be below hi")
    if "levels" not in spec:
        return Factor(name, lo=float(lo), hi=float(hi))
    n = _count(spec["levels"], f"{at}.levels", 2, MAX_RUNS)
    levels = np.linspace(lo, hi, n)
    levels = tuple(dict.fromkeys(param.check(round(float(v), 12) if param.kind is float
                                             else int(round(v)), at) for v in levels))
    if len(levels) != n:
        raise ParamError(f"{at}: {n} levels do not fit between {lo:g} and {hi:g} "
                         f"for a whole-number parameter")
    return Factor(name, levels=levels)


def _fits(factor: Factor, design: str, at: str) -> None:
    if design == "full_factorial" and factor.levels is None:
        raise ParamError(f"{at}: a full_factorial design needs levels: a list, or "
                         f"{{ lo = ..., hi = ..., levels = N }}")
    if design != "full_factorial" and factor.levels is not None:
        raise ParamError(f"{at}: a {design} design samples a range: give "
                         f"{{ lo = ..., hi = ... }} without levels")


def _output(table: dict, where: str) -> tuple[tuple[str, ...], int]:
    unknown = [k for k in table if k not in ("reporters", "every")]
    if unknown:
        raise ParamError(f"{where}: unknown key 'output.{unknown[0]}'; allowed: reporters, every")
    reporters = table.get("reporters", list(DEFAULT_REPORTERS))
    if not isinstance(reporters, list) or not reporters:
        raise ParamError(f"{where}: output.reporters must be a non-empty list; "
                         f"allowed: {', '.join(REPORTERS)}")
    for name in reporters:
        if name not in REPORTERS:
            raise ParamError(f"{where}: output.reporters: unknown reporter {name!r}; "
                             f"allowed: {', '.join(REPORTERS)}")
    every = _count(table.get("every", 1), f"{where}: output.every", 1, MAX_WEEKS)
    return tuple(dict.fromkeys(reporters)), every


def _table(data: dict, key: str, where: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ParamError(f"{where}: {key} must be a table ([{key}])")
    return value


def _count(value, where: str, lo: int, hi: int | None = None) -> int:
    allowed = f"a whole number >= {lo}" if hi is None else f"a whole number in [{lo}, {hi}]"
    if isinstance(value, bool) or not isinstance(value, int) or value < lo or (hi and value > hi):
        raise ParamError(f"{where}={value!r}; allowed: {allowed}")
    return value
