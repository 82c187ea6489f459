"""Reproductions of published results (docs/ODD.md, Validation), one module per anchor.

Each module runs the model's own mechanism (the functions in ccsim.dynamics, or
CultureModel itself) and has ``NAME``, ``CITATION``, ``PUBLISHED``, ``DEFAULT_REPS`` and
``check(reps, seed) -> Verdict``.  ``ccsim validate`` prints one row per anchor, with what
kind of evidence the row is (``KINDS``): only an emergent row tests the model.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import pandas as pd

KINDS = {
    "emergent": "comes out of mechanisms not set or tuned to it",
    "docking": "the mechanism is set to the published number or formula; the row checks "
               "that the code does what the docs say, not that the model is right",
    "calibration target": "a constant was tuned to it; a fit check, not evidence",
}
# anchor -> (title, kind of evidence)
ANCHORS = {
    "march1991": ("March 1991: exploration and exploitation", "emergent"),
    "bass": ("Bass diffusion docking", "docking"),
    "weak_ties": ("Weak vs strong ties", "emergent"),
    "tie_strength": ("Weak ties as Goldenberg et al. define them", "emergent"),
    "peak_end": ("Peak-end rule, duration neglect", "docking"),
    "negativity": ("Negativity weight", "docking"),
    "loyalty_curve": ("Convex satisfaction to loyalty", "docking"),
    "recovery": ("Service recovery ordering", "docking"),
    "retention": ("Retention economics", "docking"),
    "ideas": ("Share of ideas that help (HiPPO)", "emergent"),
    "service_profit": ("Service-profit chain", "calibration target"),
    "negative_wom": ("Negative word of mouth", "emergent"),
    "recovery_paradox": ("Service recovery paradox", "emergent"),
    "voice_climate": ("Voice and silence", "emergent"),
    "safety_learning": ("Psychological safety, learning and performance", "emergent"),
    "strong_cultures": ("Strong cultures and turbulence", "emergent"),
}


@dataclass
class Verdict:
    """One row of ``ccsim validate``; ``tables`` maps a file stem to (title, table) for CSV
    and plots, ``claims`` lists sub-claims as (claim, ccsim gives, holds)."""

    anchor: str
    citation: str
    published: str
    ccsim: str
    passed: bool
    tables: dict[str, tuple[str, pd.DataFrame]] = field(default_factory=dict)
    claims: list[tuple[str, str, bool]] = field(default_factory=list)


def module(name: str):
    """The module of anchor ``name`` (KeyError if there is none)."""
    if name not in ANCHORS:
        raise KeyError(name)
    return importlib.import_module(f"ccsim.anchors.{name}")


def check(name: str, reps: int | None = None, seed: int = 0) -> Verdict:
    """Run anchor ``name`` with ``reps`` replications (its default if None)."""
    mod = module(name)
    return mod.check(mod.DEFAULT_REPS if reps is None else reps, seed)
