"""Touchpoints and front-line service recovery.

Anchors: service recovery (TARP studies, practitioner figures): after a problem,
repurchase is highest when it is resolved quickly, lower when resolved slowly, lowest
when not resolved, and on average not above never having failed.  Empowerment (a
practitioner claim, docs/ODD.md section 1): an employee who may right a wrong on the
spot resolves more problems, faster, at a higher cost.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ccsim.dynamics import memory

FAST, SLOW, UNRESOLVED = 0, 1, 2


def routine_moment(quality: float, fit: np.ndarray, normal: np.ndarray, engagement: float,
                   engagement_weight: float, noise: float, fit_weight: float) -> np.ndarray:
    """A purchase or use that goes as planned: quality plus ``fit_weight`` x fit with the
    salient need, plus the care of an engaged front line (``engagement``: staff morale, 0.5
    neutral, times ``engagement_weight``; service-profit chain, Heskett et al. 1994);
    ``normal`` holds a standard normal draw per moment (the luck of the day, SD ``noise``)."""
    luck = np.asarray(normal, np.float32) * np.float32(noise)
    served = quality + engagement_weight * (engagement - 0.5)
    return np.clip(luck + np.float32(served) + np.float32(fit_weight) * fit, -1.0, 1.0)


def resolve_chance(empowerment: float, skill: np.ndarray, morale: np.ndarray) -> np.ndarray:
    """Chance the employee who handles a problem resolves it."""
    return 0.2 + 0.75 * (0.45 * empowerment + 0.3 * skill + 0.25 * morale)


def recover(empowerment: float, skill, morale, admitted: np.ndarray, u_resolve: np.ndarray,
            u_fast: np.ndarray) -> np.ndarray:
    """Outcome of each problem: FAST, SLOW or UNRESOLVED, from two uniform draws per problem.

    A problem caused by a defect the firm denies (``admitted`` False) cannot be resolved:
    the front line is told there is no known defect (the smoking-heater story).
    """
    resolved = (u_resolve < resolve_chance(empowerment, skill, morale)) & admitted
    fast = u_fast < empowerment
    return np.where(resolved, np.where(fast, FAST, SLOW), UNRESOLVED).astype(np.int8)


def problem_episodes(outcome: np.ndarray, sizes: tuple, surveyed: np.ndarray | None = None,
                     survey: float = 0.0) -> np.ndarray:
    """Moments of problem episodes, (k, 4) with NaN padding: the problem, waiting, the
    end, and a survey (a moment of ``-survey``) where ``surveyed`` says one followed.
    ``sizes``: the moments (problem, each wait, the end fast, slowly, unresolved), in
    [-1, 1] (the model's ``episode_moments``)."""
    problem, wait, end_fast, end_slow, end_unresolved = sizes
    moments = np.full((len(outcome), 4), np.nan)
    moments[:, 0] = problem
    fast = outcome == FAST
    moments[fast, 1] = end_fast
    slow = outcome == SLOW
    moments[slow, 1] = wait
    moments[slow, 2] = end_slow
    lost = outcome == UNRESOLVED
    moments[lost, 1] = wait
    moments[lost, 2] = end_unresolved
    if surveyed is not None:
        rows = np.flatnonzero(surveyed)
        moments[rows, np.where(outcome[rows] == FAST, 2, 3)] = -survey
    return moments


def episode_kind(outcome: np.ndarray, surveyed: np.ndarray) -> np.ndarray:
    """Which of EVERY_PROBLEM_EPISODE each problem episode is."""
    return 2 * outcome.astype(np.intp) + surveyed


# Every problem episode there is: each outcome, without and with a survey after it.
EVERY_PROBLEM_EPISODE = (np.repeat([FAST, SLOW, UNRESOLVED], 2), np.tile([False, True], 3))


@lru_cache(maxsize=32)
def problem_memories(negativity: float, peak: float, end: float, duration: float,
                     survey: float, sizes: tuple) -> np.ndarray:
    """How every problem episode is remembered, indexed by episode_kind: a problem's memory
    depends only on its outcome and whether a survey (annoyance ``survey``) followed."""
    outcome, surveyed = EVERY_PROBLEM_EPISODE
    return memory.remember(problem_episodes(outcome, sizes, surveyed, survey), negativity, peak,
                           end, duration)


def recovery_cost(outcome: np.ndarray, refund_cost: float, on_the_spot: float) -> float:
    """Money spent putting problems right; a fix on the spot costs ``on_the_spot`` times more."""
    return recovery_cost_of(np.sum(outcome == FAST), np.sum(outcome == SLOW), refund_cost, on_the_spot)


def recovery_cost_of(fast: int, slow: int, refund_cost: float, on_the_spot: float) -> float:
    """recovery_cost from the counts of problems resolved fast and slowly."""
    return float(refund_cost * (on_the_spot * fast + slow))
