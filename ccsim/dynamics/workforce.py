"""Employees: voice, morale, skill and turnover.

Anchors: under a leader with no humility about 20% speak up (Milliken et al. 2003: 85%
had stayed silent on a concern); psychological safety grows with humility; employee
engagement and customer satisfaction correlate modestly across units (Harter et al.
2002, r about 0.3); service work loses about 3% of staff a month.
"""

from __future__ import annotations

import numpy as np

MORALE_RATE = 0.05   # weekly pull of morale toward its target


def speak_up(humility: float, floor: float, morale: np.ndarray, rng) -> np.ndarray:
    """Who voices what they know this week: safe under a humble leader, likelier when
    morale is high."""
    safe = floor + (1.0 - floor) * humility
    return rng.random(morale.shape) < safe * np.clip(0.5 + morale, 0.0, 1.0)


def morale_target(humility: float, empowerment: float, accountability: float,
                  resolved_share: float) -> float:
    """Morale a workplace pulls toward: heard, trusted, recognised, able to help."""
    return 0.2 + 0.25 * humility + 0.2 * empowerment + 0.15 * accountability + 0.2 * resolved_share


def update_morale(morale: np.ndarray, target: float, rng) -> np.ndarray:
    """Each employee's morale drifts toward the target, with individual ups and downs."""
    noise = rng.normal(0.0, 0.02, morale.shape)
    return np.clip(morale + MORALE_RATE * (target - morale) + noise, 0.0, 1.0)


def quit_chance(turnover: float, morale: np.ndarray, sensitivity: float) -> np.ndarray:
    """Weekly chance to leave: ``turnover`` at average morale (0.5), more when morale is low."""
    return np.clip(turnover * (1.0 + sensitivity * 2.0 * (0.5 - morale)), 0.0, 1.0)


def skill(tenure_weeks: np.ndarray) -> np.ndarray:
    """Skill grows with experience, from 0.3 for a newcomer toward 1."""
    return 1.0 - 0.7 * np.exp(-tenure_weeks / 26.0)
