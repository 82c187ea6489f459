"""What leaders change each quarter, and what they do about defects.

An idea changes one thing customers need (a dimension of the offering); its effect is the
change in fit for the average customer, so its size follows the need's fat-tailed
importance (Azevedo et al. 2020) and whether it helps follows whether the leaders' view
is right there: a share of ideas that help (about a third, Kohavi et al. 2009) is an
outcome, fewer in a mature offering where most needs are already met.  A test with real
customers measures the effect with noise (``test_noise``), so some harmful ideas pass
and some good ones fail; tracking after shipping measures the same way, and
accountability decides whether a change that looks harmful is rolled back.  A shipped
change brings a defect with the change failure rate of software delivery (``defect_rate``;
Forsgren, Humble & Kim 2018); integrity decides whether a known defect is admitted and
fixed or denied (the smoking-heater story); courage to change: insights are worthless if
nobody acts (practitioner claims, docs/ODD.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEUTRAL_SHARE = 1 / 3   # ideas customers do not notice at all (Kohavi: a third are flat)
# a test or tracking acts only on a result significant at 95% confidence (two-sided), the
# decision rule of online controlled experiments (Kohavi et al. 2009, section 3.2)
SIGNIFICANT = 1.96


@dataclass
class Ideas:
    """A quarter's ideas: the offering dimension each changes, to what, and its true effect."""

    dims: np.ndarray
    values: np.ndarray
    effect: np.ndarray


@dataclass
class Draws:
    """A quarter's luck, one draw per need and purpose, so that an idea about a need meets
    the same luck whatever other ideas there are (common random numbers): the order in
    which needs come to mind, whether an idea is one customers do not notice, is tested,
    how its test and its tracking read (standard normal), whether leaders dare, whether it
    is tracked, whether it brings a defect; and the quarter's decision on a known defect."""

    order: np.ndarray
    neutral: np.ndarray
    tested: np.ndarray
    test: np.ndarray
    brave: np.ndarray
    tracked: np.ndarray
    track: np.ndarray
    defect: np.ndarray
    admit: float


def quarter_draws(m: int, rng) -> Draws:
    """Every draw of a quarter's decisions, for ``m`` needs, in one fixed order."""
    u = rng.random((6, m))
    z = rng.standard_normal((2, m))
    return Draws(u[0], u[1], u[2], z[0], u[3], u[4], z[1], u[5], float(rng.random()))


def propose(code, offering, reality, weight, count: int, spread: float, fit_weight: float,
            draws: Draws) -> Ideas:
    """Ideas come from the leaders' view: change the offering where the view says it is
    wrong; with no such place left, a guess.  The true effect is the change in fit for
    the average customer (``weight``: the needs' importance; ``fit_weight``: how much fit
    counts in a touch); a share NEUTRAL_SHARE of
    ideas change nothing customers notice."""
    m = len(offering)
    wrong = np.flatnonzero((code != 0) & (code != offering))
    believed = wrong[np.argsort(draws.order[wrong], kind="stable")][:count]
    rest = np.ones(m, bool)
    rest[believed] = False
    rest = np.flatnonzero(rest)      # np.setdiff1d(np.arange(m), believed), without its sort
    guesses = rest[np.argsort(draws.order[rest], kind="stable")][:count - len(believed)]
    dims = np.concatenate([believed, guesses]).astype(int)
    values = np.where(code[dims] != 0, code[dims], -offering[dims]).astype(np.int8)
    neutral = draws.neutral[dims] < NEUTRAL_SHARE
    values[neutral] = offering[dims[neutral]]
    effect = fit_weight * (1 - 2 * spread) * (values - offering[dims]) * reality[dims] * weight[dims]
    return Ideas(dims, values, effect.astype(float))


def measure(effects: np.ndarray, noise: float, normal: np.ndarray) -> np.ndarray:
    """What a test with real customers, or tracking after shipping, sees of ``effects``
    (``normal``: a standard normal draw per effect), in units of its noise: above
    SIGNIFICANT is a significant gain, below -SIGNIFICANT a significant loss."""
    return effects / max(noise, 1e-12) + normal


def choose(ideas: Ideas, experimentation: float, courage: float, noise: float,
           draws: Draws) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which ideas ship, which were tested and found wanting, and which were tested at all
    (masks over ``ideas``): tested ones ship only if
    the test shows a significant gain, untested ones on the leaders' opinion (HiPPO);
    either way only with courage to change.  A test whose estimate is no gain at all
    refutes the opinion; one that is positive but not significant leaves it standing
    (no evidence either way), so the idea may come back."""
    dims = ideas.dims
    tested = draws.tested[dims] < experimentation
    measured = measure(ideas.effect, noise, draws.test[dims])
    brave = draws.brave[dims] < courage
    return brave & (~tested | (measured > SIGNIFICANT)), tested & (measured <= 0), tested


def rollback(dims: np.ndarray, effects: np.ndarray, accountability: float, noise: float,
             draws: Draws) -> np.ndarray:
    """Shipped changes (on needs ``dims``) that tracking shows as significantly harmful
    (tracked with chance accountability, measured with noise), to roll back."""
    tracked = draws.tracked[dims] < accountability
    return tracked & (measure(effects, noise, draws.track[dims]) < -SIGNIFICANT)


def brings_defect(dims: np.ndarray, rate: float, draws: Draws) -> bool:
    """Whether any change shipped on needs ``dims`` brings a defect (change failure rate ``rate``)."""
    return bool(np.any(draws.defect[dims] < rate))


def defect_noticed(voice: float, accountability: float, u: float) -> bool:
    """Leaders learn of a defect from staff who speak up or from tracking, this week
    (``u``: a uniform draw)."""
    return bool(u < 1.0 - (1.0 - 0.15 * voice) * (1.0 - 0.15 * accountability))


def admit(integrity: float, draws: Draws) -> bool:
    """A quarter's decision on a known defect: admit and fix it, or deny it."""
    return draws.admit < integrity
