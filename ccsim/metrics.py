"""The model reporters (DataCollector columns); names are a contract (DESIGN.md section 3)."""

from __future__ import annotations

import numpy as np

from ccsim.dynamics import learning, loyalty


def _active(model) -> np.ndarray:
    """Satisfaction of active customers at the end of the week (one copy for all reporters)."""
    return model.customer_satisfaction


def customers(model) -> int:
    return len(model._active)


def mean_loyalty(model) -> float:
    return loyalty.mean_yearly_stay(_active(model), model.switching_cost)


def nps(model) -> float:
    return loyalty.satisfaction_nps(_active(model))


def satisfaction(model) -> float:
    s = _active(model)
    return float(s.mean()) if len(s) else 0.0


def churn_rate(model) -> float:
    base = model.week_stats["active_before"]
    return model.week_stats["churned"] / base if base else 0.0


def leader_knowledge(model) -> float:
    return float(learning.knowledge(model.code, model.reality)[0])


def offering_fit(model) -> float:
    """Share-weighted fit of the offering with the market's typical needs, -1..1."""
    return float(np.mean(model.offering * model.reality[0]))


def employee_voice(model) -> float:
    return float(model.speaking.mean())


def morale(model) -> float:
    return float(model.morale.mean())


def _stat(name):
    return lambda model: model.week_stats[name]


REPORTERS = {
    "customers": customers,
    "loyalty": mean_loyalty,
    "nps": nps,
    "satisfaction": satisfaction,
    "revenue": _stat("revenue"),
    "profit": _stat("profit"),
    "cash": lambda model: model.cash,
    "churn_rate": churn_rate,
    "new_customers": _stat("new"),
    "prospects": lambda model: int(np.count_nonzero(model.status == 0)),
    "lost": lambda model: int(np.count_nonzero(model.status == 2)),
    "leader_knowledge": leader_knowledge,
    "offering_fit": offering_fit,
    "quality": lambda model: model.quality,
    "employee_voice": employee_voice,
    "morale": morale,
    "problems": _stat("problems"),
    "resolved_share": _stat("resolved_share"),
    "recommendations": _stat("positive_talk"),
    "warnings": _stat("negative_talk"),
    "defect": lambda model: model.defect,
    "perished": lambda model: int(model.perished),
}
