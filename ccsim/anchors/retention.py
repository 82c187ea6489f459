"""Retention economics (Reichheld & Sasser 1990; Gupta, Lehmann & Stuart 2004): profit
per customer rises with tenure, so 5 points less defection raises profit by tens of
per cent (25-85% in Reichheld & Sasser's industries).

Reichheld & Sasser measure the net present value of the average customer's profit stream.
It is computed here from the model's economics (economics.value_per_week: revenue grows
with tenure; margin; acquisition cost; PARAMS defaults), with yearly defection 20% -> 15%
and a 10% discount rate.  The firm's steady-state yearly profit
(economics.steady_state_profit, defectors replaced) is reported beside it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.dynamics import economics
from ccsim.params import PARAMS

NAME = "retention"
CITATION = "Reichheld & Sasser (1990); Gupta, Lehmann & Stuart (2004)"
PUBLISHED = "5 points less defection: customer value +25% to +85%"
DEFAULT_REPS = 1
DEFECTION = 0.20
CUT = 0.05
DISCOUNT = 0.10
HORIZON_YEARS = 100


def customer_value(defection: float, price: float, tenure_growth: float, margin: float,
                   acquisition_cost: float, discount: float = DISCOUNT) -> float:
    """Net present value of a new customer: margin on each year's revenue while they stay
    (geometric tenure), discounted, less the cost of winning them."""
    years = np.arange(HORIZON_YEARS)
    still = (1.0 - defection) ** years
    weeks_in = years * economics.WEEKS_PER_YEAR + economics.WEEKS_PER_YEAR / 2
    yearly = economics.WEEKS_PER_YEAR * economics.value_per_week(weeks_in, price, tenure_growth) * margin
    return float(np.sum(still * yearly / (1.0 + discount) ** years) - acquisition_cost)


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict

    econ = {k: PARAMS[k].default for k in ("price", "tenure_growth", "margin", "acquisition_cost")}
    rows = []
    for defection in (DEFECTION, DEFECTION - CUT):
        rows.append({"defection": defection,
                     "customer_value": customer_value(defection, **econ),
                     "firm_profit": economics.steady_state_profit(
                         defection, econ["price"], econ["tenure_growth"], econ["margin"],
                         econ["acquisition_cost"])})
    table = pd.DataFrame(rows)
    table.insert(1, "value_index", 100 * table.customer_value / table.customer_value.iloc[0])
    table.insert(2, "profit_index", 100 * table.firm_profit / table.firm_profit.iloc[0])
    value_rise = table.customer_value.iloc[1] / table.customer_value.iloc[0] - 1
    profit_rise = table.firm_profit.iloc[1] / table.firm_profit.iloc[0] - 1
    gives = (f"defection {DEFECTION:.0%} -> {DEFECTION - CUT:.0%}: customer value "
             f"{value_rise:+.0%}; firm's steady-state yearly profit {profit_rise:+.0%}")
    return Verdict(NAME, CITATION, PUBLISHED, gives, bool(0.2 <= value_rise <= 1.0),
                   {"retention": ("Retention economics: value and profit by defection", table)})
