"""Market: several firms competing for one population of customers (docs/ODD.md, Market).

Each firm is a CultureModel, with its own leaders, employees, offering, cash, culture and
random streams, over the same people (model.Population: their needs, their network, who
starts with whom); the first firm draws them, as a CultureModel on the market's seed
does.  The market holds which firm each customer is with (``firm_of``, -1 for none) and
each week:

1. turns the market's needs (turbulence, once for all firms) and draws the people's luck
   (model.Luck: a person's own numbers, talk included), from the first firm's streams, so
   that a customer's luck follows them from firm to firm;
2. runs each firm's customers' week on its own customers (the firms side by side on the
   machine's cores, ccsim.cores): it serves, hears about and loses only them, and can win only
   customers who are with no firm (prospects by Bass adoption: its advertising and word
   of mouth, deterred by warnings);
3. settles who went where: a customer won by several firms in one week joins one of
   them, and a customer who left a firm (churn; ``competition`` is still the pull that
   makes a dissatisfied customer leave) goes to a rival or to the options outside the
   market, each chosen with chance in proportion to its attraction (share = us / (us +
   them): Bell, Keeney & Little 1975; Cooper & Nakanishi 1988): what they have heard of
   it (advertising plus this week's recommendations, deterred by the warnings they
   remember, as in adoption), the importance-weighted share of their needs its offering
   meets, and its price against the mean price of the firms, to the power
   -price_sensitivity; the outside options have attraction ``outside_option``;
4. ends each firm's week (organisation, the leaders' quarter, money, reporters); a firm
   whose cash runs out perishes and its customers go back to the market, with no firm.

With one firm nobody moves between firms and every leaver goes outside, as in the
one-firm model, where ``competition`` stands for all the rivals at once: a one-firm
Market is the CultureModel on the same seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim import cores
from ccsim.dynamics import compiled as kernels
from ccsim.dynamics import wom
from ccsim.metrics import REPORTERS, Metric
from ccsim.model import ACTIVE, LOST, RIVAL, CultureModel
from ccsim.params import MARKET_PARAMS, PARAMS, SHARED, ParamError, validate

SHARE = Metric("share", None, "Market share: of all the firms' customers", "share", 0, 1, 3)
FIRM_KEYS = ("name", "events")   # a firm's entries besides its parameters
TINY = 1e-12                     # the least attraction an eligible firm has (ties split evenly)


def _firm(k: int, spec: dict) -> tuple[str, list, dict]:
    """A firm's name, events and checked parameters."""
    if not isinstance(spec, dict):
        raise ParamError(f"firm {k + 1}: {spec!r:.40} is not a dict; allowed: a dict of a firm's parameters, "
                         f"with an optional name and events")
    name = str(spec.get("name", f"firm {k + 1}"))
    params = {key: value for key, value in spec.items() if key not in FIRM_KEYS}
    where = f"firm {k + 1} ({name})"
    for key in params:
        if key in SHARED or key in MARKET_PARAMS:
            raise ParamError(f"{where}: {key} is the market's, shared by every firm; set it on the Market; "
                             f"allowed for a firm: the parameters other than {', '.join(SHARED)}")
    events = list(spec.get("events", ()))
    for event in events:
        for key in event.args if event.kind == "set" else ():
            if key in SHARED:
                raise ParamError(f"{where}: event at week {event.week} sets {key}, the market's; "
                                 f"allowed: events that set a firm's own parameters")
    return name, events, validate(params, where)


def _market(values: dict) -> tuple[dict, dict]:
    """The shared parameters and the market's own, checked."""
    shared, own = {}, {}
    for name, value in values.items():
        if name in MARKET_PARAMS:
            own[name] = MARKET_PARAMS[name].check(value, "Market")
        elif name in SHARED:
            shared.update(validate({name: value}, "Market"))
        else:
            raise ParamError(f"Market: unknown market parameter {name!r}; allowed: "
                             f"{', '.join([*SHARED, *MARKET_PARAMS])} (a firm's own go in its dict)")
    return shared, {**{p.name: p.default for p in MARKET_PARAMS.values()}, **own}


def choose(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Each row's option: option j with chance weights[row, j] / the row's sum, by one
    uniform draw per row; an option of weight 0 is never taken (a row of zeros takes 0)."""
    cum = np.cumsum(weights, axis=1)
    total = cum[:, -1]
    return np.where(total > 0, np.count_nonzero(cum <= (u * total)[:, None], axis=1), 0)


def _recount(firm: CultureModel):
    """The firm's active customers, from their statuses."""
    firm.active = np.flatnonzero(firm.status == ACTIVE)


class Market:
    """Firms (CultureModels) competing for one population of customers; one step is one week."""

    def __init__(self, firms: list[dict], rng=None, compiled: bool = kernels.AVAILABLE, **market_params):
        """``firms``: one dict per firm of its parameters (the rest at their defaults), with
        an optional ``name`` and ``events``; ``market_params``: the people's parameters
        (params.SHARED) and the market's own (params.MARKET_PARAMS)."""
        if not firms:
            raise ParamError("Market: no firms; allowed: a list of one or more firms")
        shared, own = _market(market_params)
        self.outside_option, self.price_sensitivity = own["outside_option"], own["price_sensitivity"]
        specs = [_firm(k, spec) for k, spec in enumerate(firms)]
        shares = [params.get("initial_share", PARAMS["initial_share"].default) for _, _, params in specs]
        if sum(shares) > 1:
            raise ParamError(f"Market: the firms' initial_share add up to {sum(shares):g}; allowed: at most 1")
        first = np.concatenate([[0.0], np.cumsum(shares)[:-1]])
        self.names = [name for name, _, _ in specs]
        if len(set(self.names)) < len(self.names):
            raise ParamError(f"Market: two firms have one name ({', '.join(self.names)}); allowed: different names")
        # the first firm, on the market's seed, draws the people; the others share them and
        # draw their own offering and streams from seeds of the first firm's entropy
        lead = CultureModel(rng=rng, events=specs[0][1], customer_agents=False, compiled=compiled,
                            **shared, **specs[0][2])
        self.firms = [lead] + [
            CultureModel(rng=int(np.random.SeedSequence([lead._entropy, k]).generate_state(1, np.uint64)[0]),
                         events=events, customer_agents=False, compiled=compiled, population=lead.population,
                         first=float(first[k]), **shared, **params)
            for k, (_, events, params) in enumerate(specs) if k > 0]
        for firm in self.firms:
            firm.market = self
        self.choice = np.random.default_rng([lead._entropy, 0])   # the market's own draws
        self.n_customers = lead.n_customers
        self.firm_of = np.full(self.n_customers, -1, np.int32)
        for k, firm in enumerate(self.firms):
            self.firm_of[firm.active] = k
        for k, firm in enumerate(self.firms):
            firm.status[(self.firm_of >= 0) & (self.firm_of != k)] |= RIVAL
        self.steps = 0      # weeks done
        self.running = True     # False once every firm has perished

    def step(self):
        """One week of every firm that has not perished, settled across firms (once every
        firm has perished, the weeks pass with nobody to serve)."""
        live = [k for k, firm in enumerate(self.firms) if not firm.perished]
        self.steps += 1
        if live:
            self._week(live)
        self.running = not all(firm.perished for firm in self.firms)

    def _week(self, live: list[int]):
        firms = [self.firms[k] for k in live]
        lead = self.firms[0]     # its streams turn the needs and draw the people's luck, as in one firm
        flipped = lead._drift()
        lead.population.luck.draw(lead.streams, lead.n_identities)

        def serve(firm):
            before = firm.status.copy(), firm.active
            firm._refit(flipped)
            firm.step()
            return before
        self._settle(live, self._each(serve, firms), self.choice.random(self.n_customers))
        self._each(CultureModel.end_week, firms)
        for firm in firms:
            if firm.perished:       # its customers go back to the market, with no firm
                gone = firm.active
                self.firm_of[gone] = -1
                firm.status[gone] = LOST
                firm.active = firm.active[:0]
                for other in firms:
                    other.status[gone] &= ~RIVAL

    @staticmethod
    def _each(work, firms: list[CultureModel]) -> list:
        """``work(firm)`` for every firm, side by side on the pool (one firm: here); their results."""
        if len(firms) == 1:
            return [work(firms[0])]
        return [done.result() for done in [cores.POOL.submit(work, firm) for firm in firms]]

    def _settle(self, live: list[int], before: list, u: np.ndarray):
        """Who went where this week (the module's docstring, 3)."""
        firms = [self.firms[k] for k in live]
        joins = [firm.active[was[firm.active] != ACTIVE] for firm, (was, _) in zip(firms, before)]
        leaves = [act[firm.status[act] != ACTIVE] for firm, (_, act) in zip(firms, before)]
        changed = set()
        # a customer won by several firms joins one of them
        won = np.concatenate(joins)
        by = np.repeat(np.arange(len(firms)), [len(j) for j in joins])
        order = np.argsort(won, kind="stable")
        won, by = won[order], by[order]
        twice = np.flatnonzero(won[1:] == won[:-1])
        contested = np.unique(won[twice])
        if len(contested):
            winners = np.zeros((len(contested), len(firms)), bool)
            among = np.isin(won, contested)
            winners[np.searchsorted(contested, won[among]), by[among]] = True
            weights = np.where(winners, np.maximum(self.attraction(firms, contested), TINY), 0.0)
            pick = choose(weights, u[contested])
            for j, firm in enumerate(firms):
                lost = contested[winners[:, j] & (pick != j)]
                if len(lost):
                    firm.status[lost] = before[j][0][lost]
                    firm.week_stats["new"] -= len(lost)
                    changed.add(j)
        for j, join in enumerate(joins):
            self.firm_of[join[firms[j].status[join] == ACTIVE]] = live[j]
        # a customer who left goes to a rival or outside (option 0)
        gone = np.concatenate(leaves)
        left = np.repeat(np.arange(len(firms)), [len(g) for g in leaves])
        if len(gone):
            weights = np.maximum(self.attraction(firms, gone), TINY)
            weights[np.arange(len(gone)), left] = 0.0
            pick = choose(np.column_stack([np.full(len(gone), self.outside_option), weights]), u[gone]) - 1
            self.firm_of[gone] = np.where(pick >= 0, np.take(live, np.maximum(pick, 0)), -1)
            for j, firm in enumerate(firms):
                came = gone[pick == j]
                if len(came):
                    firm.status[came] = ACTIVE
                    firm.joined[came] = firm.steps - 1
                    firm.satisfaction[came] = firm.newcomer_satisfaction
                    firm.week_stats["new"] += len(came)
                    changed.add(j)
        moved = np.concatenate([won, gone])
        if len(firms) > 1 and len(moved):
            owner = self.firm_of[moved]
            for k, firm in zip(live, firms):
                own = firm.status[moved] & 3
                firm.status[moved] = np.where((owner >= 0) & (owner != k), own | RIVAL, own)
        self._each(_recount, [firms[j] for j in changed])

    def attraction(self, firms: list[CultureModel], who: np.ndarray) -> np.ndarray:
        """(customers, firms): what ``who`` have heard of each firm (its advertising plus the
        share of their contacts recommending it this week, deterred by the warnings they
        remember; wom.adoption_chance), times the importance-weighted share of their needs
        it meets, times its price against the firms' mean to the power -price_sensitivity."""
        prices = np.array([firm.price for firm in firms])
        mean = prices.mean()
        relative = np.maximum(prices / mean, TINY) if mean > 0 else np.ones(len(firms))
        out = np.empty((len(who), len(firms)))
        for j, firm in enumerate(firms):
            heard = wom.adoption_chance(firm.recommended[who].astype(float), firm.warnings_heard[who],
                                        firm.advertising * firm.demand, firm.imitation,
                                        firm.warning_weight)
            met = (1.0 + firm.fits[who].mean(axis=1)) / 2
            out[:, j] = heard * met * relative[j] ** -self.price_sensitivity
        return out

    def dataframe(self) -> pd.DataFrame:
        """One row per week and firm: ``week``, ``firm`` (its name), ``share`` (of all the
        firms' customers) and every reporter of metrics.py.  After a firm perished: no
        customers, its last cash, ``perished`` 1, the rest empty."""
        weeks = pd.RangeIndex(self.steps + 1, name="week")
        frames = []
        for name, firm in zip(self.names, self.firms):
            df = firm.dataframe().reindex(weeks)
            if firm.perished:
                after = df.index > firm.perished_week
                df.loc[after, "customers"] = 0
                df.loc[after, "cash"] = firm.cash
                df.loc[after, "perished"] = 1
            frames.append(df.reset_index().assign(firm=name))
        out = pd.concat(frames, ignore_index=True)
        total = out.groupby("week").customers.transform("sum")
        out["share"] = (out.customers / total.where(total > 0)).fillna(0.0)
        return out[["week", "firm", "share", *REPORTERS]]
