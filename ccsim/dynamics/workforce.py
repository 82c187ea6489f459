"""Employees: voice, morale, skill and turnover.

Anchors: under a leader with no humility about 20% speak up (Milliken et al. 2003: 85%
had stayed silent on a concern); psychological safety grows with humility; employee
engagement and customer satisfaction correlate modestly across units (Harter et al.
2002, r about 0.3); service work loses about 3% of staff a month.
"""

from __future__ import annotations

import numpy as np


def speak_up(humility: float, floor: float, morale: np.ndarray, reticence: np.ndarray) -> np.ndarray:
    """Who voices what they know this week: safe under a humble leader (Detert & Burris
    2007), likelier when morale is high, and a lasting disposition of each person
    (``reticence``: a uniform draw when they join; voice follows stable personality in
    good part, LePine & Van Dyne 2001), so the same people tend to stay silent week after
    week, as the 85% who had withheld a concern describe (Milliken et al. 2003)."""
    safe = floor + (1.0 - floor) * humility
    return reticence < safe * np.clip(0.5 + morale, 0.0, 1.0)


def update_morale(morale: np.ndarray, experience: np.ndarray, normal: np.ndarray, rate: float,
                  step: float, cap: int) -> np.ndarray:
    """Each employee's morale moves with what they lived through this week (``experience``:
    good moments minus bad ones: being listened to or brushed off after speaking up,
    putting a customer's problem right or not being able to, recognition where outcomes
    are tracked; ``step`` per moment, at most ``cap`` moments either way) and otherwise
    settles back toward 0.5 at ``rate`` a week, with individual ups and downs (``normal``:
    a standard normal draw per employee).  Morale is never set from the
    culture traits themselves: they act only through these experiences."""
    felt = step * np.clip(experience, -cap, cap)
    return np.clip(morale + rate * (0.5 - morale) + felt + 0.02 * normal, 0.0, 1.0)


def heard(speaking: np.ndarray, humility: float, u: np.ndarray) -> np.ndarray:
    """Of those who spoke up, who the leaders listened to (chance = humility; the rest were
    brushed off: Detert & Burris 2007, a manager's openness)."""
    return speaking & (u < humility)


def quit_chance(turnover: float, morale: np.ndarray, sensitivity: float) -> np.ndarray:
    """Weekly chance to leave: ``turnover`` at average morale (0.5), more when morale is low."""
    return np.clip(turnover * (1.0 + sensitivity * 2.0 * (0.5 - morale)), 0.0, 1.0)


def skill(tenure_weeks: np.ndarray) -> np.ndarray:
    """Skill grows with experience, from 0.3 for a newcomer toward 1."""
    return 1.0 - 0.7 * np.exp(-tenure_weeks / 26.0)
