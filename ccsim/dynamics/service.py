"""Touchpoints and front-line service recovery.

Anchors: service recovery (TARP studies, practitioner figures): after a problem,
repurchase is highest when it is resolved quickly, lower when resolved slowly, lowest
when not resolved, and on average not above never having failed.  Empowerment (Bowen &
Lawler 1992): an employee who may right a wrong on the spot does so there and then, if
able, at a higher cost; the rest wait for the usual channel.
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


def recover(empowerment: float, skill: np.ndarray, channel: float, admitted: np.ndarray,
            u_resolve: np.ndarray, u_fast: np.ndarray) -> np.ndarray:
    """Outcome of each problem: FAST, SLOW or UNRESOLVED, from two uniform draws per problem.

    The employee who meets the problem puts it right on the spot when they may (chance
    ``empowerment``: empowered staff answer a dissatisfied customer there and then, Bowen &
    Lawler 1992) and can (chance ``skill``, their experience); otherwise it goes through the
    usual channel, which puts it right later with chance ``channel``.  ``u_resolve`` decides
    both: for a handler who may act but could not, its excess over ``skill`` is again a
    uniform number.  A problem caused by a defect the firm denies (``admitted`` False) cannot
    be put right: the front line is told there is no known defect (the smoking-heater story).
    """
    may = u_fast < empowerment
    fast = may & (u_resolve < skill)
    rest = np.where(may, (u_resolve - skill) / (1.0 - skill), u_resolve)
    slow = ~fast & (rest < channel)
    outcome = np.where(fast, FAST, np.where(slow, SLOW, UNRESOLVED)).astype(np.int8)
    outcome[~np.asarray(admitted, bool)] = UNRESOLVED
    return outcome


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
