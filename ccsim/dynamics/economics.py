"""Revenue, costs and cash.

Anchors: profit per customer rises with tenure, so a small cut in defection raises profit
a lot (Reichheld & Sasser 1990: 5 points less defection, 25-85% more profit; Gupta et al.
2004); a firm whose cash runs out has perished.
"""

from __future__ import annotations

import numpy as np

WEEKS_PER_YEAR = 52
MAX_TENURE_YEARS = 5


def value_per_week(tenure_weeks: np.ndarray, price: float, growth: float) -> np.ndarray:
    """Revenue a customer brings in a week: more the longer they have stayed."""
    years = np.minimum(tenure_weeks / WEEKS_PER_YEAR, MAX_TENURE_YEARS)
    return price * (1.0 + growth * years)


def weekly_revenue(tenure_weeks: np.ndarray, price: float, growth: float) -> float:
    """value_per_week summed over customers, in one pass over whole weeks."""
    capped_weeks = np.minimum(tenure_weeks, MAX_TENURE_YEARS * WEEKS_PER_YEAR).sum()
    return revenue_of(len(tenure_weeks), capped_weeks, price, growth)


def revenue_of(customers: int, capped_weeks: int, price: float, growth: float) -> float:
    """weekly_revenue from the number of customers and their summed tenure in weeks, each
    at most MAX_TENURE_YEARS years."""
    return float(price * (customers + growth * capped_weeks / WEEKS_PER_YEAR))


def weekly_profit(revenue: float, margin: float, staff_cost: float, recovery_cost: float,
                  new_customers: int, acquisition_cost: float) -> float:
    """Gross margin less staff, putting problems right and winning new customers."""
    return revenue * margin - staff_cost - recovery_cost - new_customers * acquisition_cost


def steady_state_profit(defection: float, price: float, growth: float, margin: float,
                        acquisition_cost: float, customers: float = 1000.0) -> float:
    """Yearly profit of a firm that keeps ``customers`` by replacing those who defect.

    Tenures are geometric with the yearly ``defection`` rate; each year of tenure brings
    the revenue of value_per_week; every defector is replaced at ``acquisition_cost``.
    """
    years = np.arange(200)
    share = defection * (1.0 - defection) ** years      # customers with this tenure
    share /= share.sum()
    revenue = WEEKS_PER_YEAR * value_per_week(years * WEEKS_PER_YEAR + WEEKS_PER_YEAR / 2, price, growth)
    return float(customers * (np.sum(share * revenue) * margin - defection * acquisition_cost))
