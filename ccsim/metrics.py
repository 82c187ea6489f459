"""What the model reports, once: each reporter's function (a DataCollector column; the
names are a contract users' scripts rely on) with what every chart, table and sweep needs
to show it: label, unit, range, decimals and where it is drawn.  A new reporter is one
entry in ``METRICS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ccsim.dynamics import learning, loyalty


def _active(model) -> np.ndarray:
    """Satisfaction of active customers at the end of the week (one copy for all reporters)."""
    return model.customer_satisfaction


def customers(model) -> int:
    return len(model.active)


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
    """Fit of the offering with the market's typical needs, -1..1 (each need counted once,
    not by its importance)."""
    return float(np.mean(model.offering * model.reality[0]))


def employee_voice(model) -> float:
    return float(model.speaking.mean())


def morale(model) -> float:
    return float(model.morale.mean())


def _stat(name):
    return lambda model: model.week_stats[name]


@dataclass(frozen=True)
class Metric:
    name: str
    report: Callable            # model -> value, once a week
    label: str                  # a chart's title, a table's row
    unit: str = ""              # a chart's y axis
    lo: float | None = None     # the values it can take (None: no bound)
    hi: float | None = None
    decimals: int = 2           # digits worth showing
    short: str = ""             # where space is tight (the app's panels and legends)
    panel: str = ""             # the app's chart panel it is drawn in ("": none)
    shown: tuple[str, ...] = ()   # also drawn in: "run" (summary PNG), "compare" (PNG),
                                  # "table" (compare's table), "gap" (the app's B - A panels)

    @property
    def title(self) -> str:
        return self.short or self.label

    @property
    def money(self) -> bool:
        return self.unit == "money"

    def text(self, value: float) -> str:
        """``value`` as a summary prints it (with its sign where it can be negative)."""
        sign = "+" if self.lo is not None and self.lo < 0 else ""
        return f"{value:{sign},.{self.decimals}f}"


_RUN, _CMP, _TAB, _GAP = "run", "compare", "table", "gap"
_ALL = [
    Metric("customers", customers, "Active customers", "customers", 0, None, 0,
           panel="customers", shown=(_RUN, _CMP, _TAB, _GAP)),
    Metric("loyalty", mean_loyalty, "Loyalty: chance to stay a year", "share", 0, 1, 2,
           short="Loyalty", panel="loyalty", shown=(_RUN, _CMP, _TAB, _GAP)),
    Metric("nps", nps, "Net Promoter Score", "NPS (-100..100)", -100, 100, 0, short="NPS",
           panel="nps", shown=(_RUN, _CMP, _TAB)),
    Metric("satisfaction", satisfaction, "Satisfaction of active customers", "-1..1", -1, 1,
           shown=(_TAB,)),
    Metric("revenue", _stat("revenue"), "Revenue per week", "money", 0, None, 0,
           panel="revenue", shown=(_RUN, _TAB)),
    Metric("profit", _stat("profit"), "Profit per week", "money", None, None, 0),
    Metric("cash", lambda model: model.cash, "Cash", "money", None, None, 0,
           panel="cash", shown=(_RUN, _CMP, _TAB, _GAP)),
    Metric("churn_rate", churn_rate, "Customers leaving this week", "share", 0, 1, 4),
    Metric("new_customers", _stat("new"), "New customers this week", "customers", 0, None, 0),
    # (status & 3: the same whether or not a rival firm of a ccsim.Market has them)
    Metric("prospects", lambda model: int(np.count_nonzero((model.status & 3) == 0)),
           "Prospects (never customers)", "people", 0, None, 0),
    Metric("lost", lambda model: int(np.count_nonzero((model.status & 3) == 2)),
           "Lost to competitors", "people", 0, None, 0),
    Metric("leader_knowledge", leader_knowledge, "Leaders' knowledge of needs",
           "March score (-1..1)", -1, 1, short="knowledge", panel="organisation",
           shown=(_RUN, _CMP, _TAB)),
    Metric("offering_fit", offering_fit, "Fit of the offering with typical needs", "-1..1",
           -1, 1),
    Metric("quality", lambda model: model.base_quality, "Quality of a routine touch", "-0.5..1",
           -0.5, 1),
    Metric("employee_voice", employee_voice, "Employees speaking up", "share this week", 0, 1,
           short="voice", panel="organisation", shown=(_RUN, _CMP, _TAB)),
    Metric("staff_turnover", _stat("staff_left"), "Staff leaving this week", "share", 0, 1, 4),
    Metric("morale", morale, "Employee morale", "0..1", 0, 1, short="morale",
           panel="organisation", shown=(_RUN, _TAB)),
    Metric("problems", _stat("problems"), "Problems this week", "episodes", 0, None, 0),
    Metric("resolved_share", _stat("resolved_share"), "Problems put right", "share", 0, 1,
           shown=(_TAB,)),
    Metric("recommendations", _stat("positive_talk"), "Customers recommending this week",
           "people", 0, None, 0),
    Metric("warnings", _stat("negative_talk"), "Customers warning others this week",
           "people", 0, None, 0, shown=(_TAB,)),
    Metric("pushed", _stat("pushed"), "Customers pushed to buy what they do not need",
           "people", 0, None, 0),
    Metric("defect", lambda model: model.defect, "Severity of a defect", "0..1", 0, 1),
    Metric("perished", lambda model: int(model.perished), "Ran out of cash", "0 or 1", 0, 1,
           0, shown=(_TAB,)),
]
METRICS: dict[str, Metric] = {m.name: m for m in _ALL}
REPORTERS = {m.name: m.report for m in _ALL}


def collect(model, known: dict) -> None:
    """Mesa's DataCollector.collect for these reporters, faster: ``known`` holds values
    already computed (by name), and as every reporter returns a number, none is copied."""
    collector = model.datacollector
    collector._collection_steps.append(model.time)
    for name, report in REPORTERS.items():
        collector.model_vars[name].append(known[name] if name in known else report(model))


def shown(where: str) -> list[Metric]:
    """The metrics drawn in ``where`` ("run", "compare", "table", "gap"), in table order."""
    return [m for m in _ALL if where in m.shown]
