"""The agents: Leader, Employee and Customer (mesa.Agent).

State lives in numpy arrays owned by the model (one array per attribute, index = agent),
so a week updates whole populations at once (docs/DESIGN.md, Principles); these agents are
views onto those arrays, so Mesa's AgentSet, DataCollector and batch_run still work.
"""

from __future__ import annotations

import mesa

from ccsim.dynamics import loyalty

STATUS_NAMES = ("prospect", "customer", "lost")


class Customer(mesa.Agent):
    """A person in the market: a prospect, a customer, or lost to a competitor."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def status(self) -> str:
        return STATUS_NAMES[self.model.status[self.index] & 3]   # & 3: a rival firm's customer is out of reach

    @property
    def satisfaction(self) -> float:
        return float(self.model.satisfaction[self.index])

    @property
    def loyalty(self) -> float:
        """Chance to stay a year at the current satisfaction."""
        return float(loyalty.yearly_stay(self.satisfaction, self.model.switching_cost))

    @property
    def tenure(self) -> int:
        """Weeks since joining, while a customer (0 otherwise)."""
        if self.status != "customer":
            return 0
        return int(self.model.steps - self.model.joined[self.index])


class Employee(mesa.Agent):
    """A front-line employee; their beliefs, morale, tenure and voice are rows of the
    model's arrays (``beliefs[0, index]``, ``morale[index]``, ...)."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index


class Leader(mesa.Agent):
    """A leader; leaders share one view of customers' needs (March's code, ``model.code``)."""
