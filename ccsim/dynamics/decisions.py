"""What leaders change each quarter, and what they do about defects.

Anchors: experiments versus HiPPO (Kohavi et al. 2009): only about a third of ideas
improve the metric they target, and an idea's effect is fat-tailed (Student t with 2
degrees of freedom, Azevedo et al. 2020); courage to change: insights are
worthless if nobody acts; integrity (the smoking-heater story): a known defect is
admitted and fixed, or denied; accountability: tracking catches changes that did harm,
and defects (these three are practitioner claims, docs/ODD.md section 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccsim.dynamics.service import FIT_WEIGHT

NEUTRAL_SHARE = 1 / 3   # ideas customers do not notice at all (Kohavi: a third are flat)
IDEA_SPREAD = 0.03   # scale of an idea's side effect on the experience (t, 2 df)
IDEA_BIAS = -0.02    # a mature offering: tweaks lean harmful (with IDEA_SPREAD and
                     # NEUTRAL_SHARE, calibrated so about 1/3 of ideas help: ccsim validate ideas)
IDEA_CAP = 0.2       # no single change moves the experience by more than this
TEST_NOISE = 0.005   # error of an experiment with real customers
DEFECT_PROBLEMS = 0.15   # extra problems per touch from a defect of severity 1
FIX_RATE = 0.2       # share of an admitted defect fixed per week


@dataclass
class Ideas:
    """A quarter's ideas: the offering dimension each changes, to what, and its true effect."""

    dims: np.ndarray
    values: np.ndarray
    side_effect: np.ndarray
    effect: np.ndarray


def propose(code, offering, reality, count: int, spread: float, rng) -> Ideas:
    """Ideas come from the leaders' view: change the offering where the view says it is
    wrong; with no such place left, a guess.  The true effect is the change in fit for
    the average customer plus a fat-tailed side effect; a share NEUTRAL_SHARE of ideas
    change nothing customers notice."""
    m = len(offering)
    believed = rng.permutation(np.flatnonzero((code != 0) & (code != offering)))[:count]
    guesses = rng.choice(np.setdiff1d(np.arange(m), believed), count - len(believed), replace=False)
    dims = np.concatenate([believed, guesses]).astype(int)
    values = np.where(code[dims] != 0, code[dims], -offering[dims]).astype(np.int8)
    neutral = rng.random(len(dims)) < NEUTRAL_SHARE
    values[neutral] = offering[dims[neutral]]
    side_effect = np.where(neutral, 0.0, np.clip(
        IDEA_BIAS + IDEA_SPREAD * rng.standard_t(2, size=len(dims)), -IDEA_CAP, IDEA_CAP))
    fit_gain = FIT_WEIGHT * (1 - 2 * spread) * (values - offering[dims]) * reality[dims] / m
    return Ideas(dims, values, side_effect, fit_gain + side_effect)


def choose(ideas: Ideas, experimentation: float, courage: float, rng) -> np.ndarray:
    """Which ideas ship: tested ones only if the test says they help, untested ones on the
    leaders' opinion (HiPPO); either way only with courage to change."""
    n = len(ideas.dims)
    tested = rng.random(n) < experimentation
    measured = ideas.effect + rng.normal(0.0, TEST_NOISE, n)
    brave = rng.random(n) < courage
    return brave & (~tested | (measured > 0))


def rollback(effects: np.ndarray, accountability: float, rng) -> np.ndarray:
    """Shipped changes that did harm and that tracking catches (chance = accountability)."""
    return (effects < 0) & (rng.random(len(effects)) < accountability)


def defect_noticed(voice: float, accountability: float, rng) -> bool:
    """Leaders learn of a defect from staff who speak up or from tracking, this week."""
    return bool(rng.random() < 1.0 - (1.0 - 0.15 * voice) * (1.0 - 0.15 * accountability))


def admit(integrity: float, rng) -> bool:
    """A quarter's decision on a known defect: admit and fix it, or deny it."""
    return bool(rng.random() < integrity)
