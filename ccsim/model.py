"""CultureModel: organisational culture versus customer outcomes (one step = one week).

The model builds the firm and its market, orders the week and collects the reporters.
Every mechanism is a function in ccsim.dynamics that cites its anchor; customer state
lives in arrays updated as a whole (docs/DESIGN.md, Principles).

Order of a week: events; turbulence of needs; touchpoints, problems and recovery,
memories; word of mouth, adoption and churn; employees leave and join, learn from
customers, speak up or stay silent, are socialised, and the leaders' view learns from
them (March 1991); every 13th week the leaders decide what to change and what to do
about a known defect; money; reporters.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from ccsim import cores, metrics, stopping
from ccsim.agents import Customer, Employee, Leader
from ccsim.dynamics import compiled as kernels
from ccsim.dynamics import decisions, economics, learning, loyalty, memory, needs, service, wom, workforce
from ccsim.events import Event
from ccsim.params import FIXED_SIZES, PARAMS, ParamError, defaults, validate
from ccsim.scenarios import Scenario, load_scenario

PROSPECT, ACTIVE, LOST = 0, 1, 2
RIVAL = 4                 # added to PROSPECT or LOST: with a rival firm of a Market, out of reach
QUARTER = 13


# Common random numbers: each mechanism draws from its own stream, spawned from the run's
# seed (numpy SeedSequence), and draws a number per customer or employee every week
# whether or not it is used, so two runs on one seed that differ in one lever differ only
# where that lever acts.  Draws whose count depends on the state (March's learning
# period, the quarter's ideas, newcomers' beliefs) come from a generator keyed by the
# mechanism and the week.
STREAMS = ("market", "touch", "service", "talk", "adopt", "churn", "staff", "defects")
KEYED = {"learning": 0, "ideas": 1, "newcomers": 2}
SIDE_BY_SIDE = 20_000   # people from whom a week's draws use two cores (below, handing over costs more)


class Luck:
    """A week's numbers that are a person's own, one (or more) per person, drawn every week
    whether used or not (common random numbers): the touch stream's (touched, problem,
    survey; the salient identity; the luck of a routine touch; pushed, buys), the service
    stream's (from the defect, can or the channel, may, recognised), the talk stream's (recommend,
    warn) and the churn stream's.  The firms of a Market read the first firm's: a
    customer's luck is theirs, whichever firm serves them, and one who warns this week
    warns about every firm they have cause to."""

    def __init__(self, n: int):
        self.touch, self.normal = np.empty((3, n), np.float32), np.empty(n, np.float32)
        self.push, self.service = np.empty((2, n), np.float32), np.empty((4, n))
        self.talk, self.churn = np.empty((2, n), np.float32), np.empty(n, np.float32)
        self.identity_of = np.empty(0, np.int64)      # drawn each week

    def draw(self, streams: dict, identities: int) -> None:
        """This week's numbers.  For SIDE_BY_SIDE people or more, the service, talk and churn
        streams are drawn on another core (ccsim.cores) while this thread draws the touch
        stream: numpy releases the GIL while it fills an array, and each stream gives the
        same numbers in either case."""
        others = cores.POOL.submit(self._draw_others, streams) if len(self.normal) >= SIDE_BY_SIDE else None
        touch = streams["touch"]
        touch.random(dtype=np.float32, out=self.touch)
        self.identity_of = touch.integers(0, identities, len(self.normal))
        touch.standard_normal(dtype=np.float32, out=self.normal)
        touch.random(dtype=np.float32, out=self.push)
        if others is None:
            self._draw_others(streams)
        else:
            others.result()

    def _draw_others(self, streams: dict) -> None:
        streams["service"].random(out=self.service)
        streams["talk"].random(dtype=np.float32, out=self.talk)
        streams["churn"].random(dtype=np.float32, out=self.churn)


@dataclass
class Population:
    """The people of a market, drawn once and shared by every firm of a ccsim.Market: the
    market's typical needs (``reality``, turned by turbulence), their importance, each
    customer's departures from them (``deviation``), who talks to whom (``contacts``), and
    at the start one uniform number per customer (``start``: which firm they are with),
    their satisfaction and, for those who start as customers, their tenure in weeks; and
    each week their ``luck``, drawn from the streams of the firm that drew the people."""

    reality: np.ndarray
    importance: np.ndarray
    deviation: np.ndarray
    contacts: object
    start: np.ndarray
    satisfaction: np.ndarray
    tenure: np.ndarray
    luck: Luck


def _which(mask: np.ndarray) -> np.ndarray:
    """Indices where ``mask`` holds (much faster than boolean indexing for big arrays)."""
    return np.flatnonzero(mask)


class CultureModel(mesa.Model):
    """A firm, its leaders and employees, and the market of customers it serves."""

    def __init__(self, rng=None, events: list[Event] | tuple = (), customer_agents: bool = True,
                 compiled: bool = kernels.AVAILABLE, population: Population | None = None,
                 first: float = 0.0, **params):
        """``compiled``: the customers' week in compiled passes (dynamics/compiled.py, the
        same results) rather than numpy's array calls; the default wherever numba is installed.
        ``population``: another firm's people, for a firm of a ccsim.Market (drawn here
        when None); the customers whose ``start`` number lies in [first, first +
        initial_share) start with this firm."""
        super().__init__(rng=rng)
        if compiled and not kernels.AVAILABLE:
            raise ValueError("compiled=True needs numba, which is not installed")
        self.compiled = bool(compiled)
        self._entropy = int(self.rng.integers(2**63))
        self.streams = dict(zip(STREAMS, (np.random.default_rng(s) for s in
                                          np.random.SeedSequence(self._entropy).spawn(len(STREAMS)))))
        values = defaults()
        values.update(validate(params))
        for name, value in values.items():
            setattr(self, name, value)
        self.events = sorted(events, key=lambda e: e.week)
        self.marks: list[tuple[int, str]] = []   # (week, label) of events and changes, for charts
        self.market = None      # a ccsim.Market that settles the customers' week across firms
        self._build_market(population, first)
        self._build_organisation()
        self._build_agents(customer_agents)
        self.cash = float(self.initial_cash)
        self.perished = False
        self.perished_week: int | None = None
        self.demand, self.shock_churn, self.shock_until = 1.0, 1.0, 0
        self.defect, self.defect_known, self.defect_admitted = 0.0, False, False
        self.ideas_total = self.ideas_helpful = self.ideas_shipped = self.ideas_shipped_helpful = 0
        self.ideas_shipped_harmful = self.ideas_shipped_untested = 0
        self._last_shipped: list[tuple[int, int, float, float]] = []
        self._touched = np.empty(0, np.int64)
        self._touched_identity = np.empty(0, np.int64)
        if self.compiled:
            self._draws = kernels.Scratch(self.n_customers, self.n_employees)
            self._no_newcomers = np.empty((0, self.n_needs), np.int8), np.empty(0)
            self._revealed = np.cumsum(self.importance, dtype=np.float64), float(self.importance.sum())
        self.week_stats = dict(revenue=0.0, profit=0.0, churned=0, active_before=0, new=0,
                               problems=0, resolved_share=1.0, unresolved=0, positive_talk=0,
                               negative_talk=0, staff_left=0.0, pushed=0, push_sales=0)
        self.datacollector = mesa.DataCollector(model_reporters=dict(metrics.REPORTERS))
        self._collect()

    # ----- construction -----
    @classmethod
    def from_scenario(cls, scenario, rng=None, customer_agents: bool = True, **overrides):
        """A model set up by a preset (a Scenario, its name or its file) with ``overrides``
        on top of its parameters."""
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        return cls(rng=rng, events=scenario.events, customer_agents=customer_agents,
                   **{**scenario.params, **overrides})

    def _keyed(self, mechanism: str) -> np.random.Generator:
        """This week's generator for a mechanism whose draws depend on the state."""
        return np.random.default_rng([self._entropy, KEYED[mechanism], self.steps])

    def _build_market(self, population: Population | None, first: float):
        rng, n, m = self.streams["market"], self.n_customers, self.n_needs
        reality = learning.random_reality((1, m), rng) if population is None else population.reality
        match = rng.random(m) < self.initial_match     # this firm's own offering
        if population is None:
            importance = needs.importance(m, rng)
            deviation = needs.deviations(n, self.n_identities, m, self.identity_spread, rng)
            start = rng.random(n)
            satisfaction = np.clip(rng.normal(self.newcomer_satisfaction, 0.2, n), -1, 1).astype(np.float32)
            tenure = rng.exponential(100, n)
            contacts = wom.contact_weights(
                wom.ring_ties(n, self.strong_ties), wom.random_ties(n, self.weak_ties, rng))
            population = Population(reality, importance, deviation, contacts, start, satisfaction, tenure,
                                    Luck(n))
        self.population = population
        self.reality, self.importance = population.reality, population.importance
        self.deviation, self.contacts = population.deviation, population.contacts
        self.offering = np.where(match, self.reality[0], -self.reality[0]).astype(np.int8)
        self.fits = needs.fit(self.deviation, self.offering * self.reality[0], self.importance)
        self.status = np.where((population.start >= first) & (population.start < first + self.initial_share),
                               ACTIVE, PROSPECT).astype(np.int8)
        self.satisfaction = population.satisfaction.copy()
        # the week each customer joined (tenure = weeks since); the first customers joined before week 0
        self.joined = np.where(self.status == ACTIVE, -population.tenure, 0).astype(np.int32)
        self.wronged_until = np.zeros(n, np.int32)   # a wronged customer warns others until then
        self.warnings_heard = np.zeros(n, np.float32)   # fading (wom.remember_warnings)
        self.active = _which(self.status == ACTIVE)   # indices of active customers (reporters read it)

    def _build_organisation(self):
        rng, e, m = self.streams["staff"], self.n_employees, self.n_needs
        self.code = self.offering[None, :].copy()   # leaders believe in what they built
        self.beliefs = learning.random_beliefs((1, e, m), rng)
        self.morale = np.clip(rng.normal(0.5, 0.1, e), 0, 1)
        self.reticence = rng.random(e)    # each person's lasting disposition to stay silent
        self.employee_tenure = rng.integers(0, 200, e).astype(np.float64)
        self.speaking = np.zeros(e, bool)
        self.spoke_this_quarter = np.zeros(e, bool)
        self.experience = np.zeros(e)    # good minus bad moments at work this week

    def _build_agents(self, customer_agents: bool):
        for _ in range(self.n_leaders):
            Leader(self)
        for i in range(self.n_employees):
            Employee(self, i)
        if customer_agents:
            for i in range(self.n_customers):
                Customer(self, i)

    # ----- changes during a run -----
    def set_params(self, label: str = "", **params):
        """Change parameters from the next week on, and mark the change for charts."""
        values = validate(params)
        for name, value in values.items():
            if name in FIXED_SIZES:
                raise ParamError(f"{name} sets the size of the model and cannot change mid-run")
            setattr(self, name, value)
        text = label or ", ".join(f"{k}={v:g}" for k, v in values.items())
        self.marks.append((self.steps, text))

    def _apply(self, event: Event):
        week = self.steps
        if event.kind == "set":
            self.set_params(event.title if event.label else "", **event.args)
            return
        if event.kind == "new_leader":
            for name, value in event.args.items():
                setattr(self, name, value)
            self.code[:] = 0          # a new leader arrives with an open mind
        elif event.kind == "defect":
            self.defect = float(event.args["severity"])
            self.defect_known = self.defect_admitted = False
        elif event.kind == "shock":
            self.demand = float(event.args["demand"])
            self.shock_churn = float(event.args["churn"])
            self.shock_until = week + int(event.args["weeks"])
        self.marks.append((week, event.title))

    # ----- the week -----
    def advance(self, weeks: int, each_week=None) -> CultureModel:
        """Step ``weeks`` weeks, or until the cash runs out (Mesa's ``run_for`` would go on);
        ``each_week(model)`` after every week.  The one loop every run goes through; a run
        asked to stop (SIGTERM, ccsim.stopping) stops at the end of a week."""
        for _ in range(weeks):
            if not self.running:
                break
            self.step()
            stopping.check()
            if each_week is not None:
                each_week(self)
        return self

    def step(self):
        """One week.  In a ccsim.Market the market turns the needs before and ends the week
        after it has settled who went where (Market.step)."""
        week = self.steps
        for event in self.events:
            if event.week == week:
                self._apply(event)
        if self.shock_until and week >= self.shock_until:
            self.demand, self.shock_churn, self.shock_until = 1.0, 1.0, 0
            self.marks.append((week, "shock ends"))
        if self.market is None:
            self._refit(self._drift())
            self.population.luck.draw(self.streams, self.n_identities)
        self.experience[:] = 0.0
        if self.compiled:
            self._serve_and_spread_compiled()
        else:
            self._serve_customers()
            self._spread_word()
        if self.market is None:
            self.end_week()

    def _drift(self) -> np.ndarray:
        """Turbulence: the needs that flip this week (March 1991, p4 a quarter)."""
        weekly = -np.expm1(np.log1p(-self.turbulence) / QUARTER)
        return np.flatnonzero(learning.turbulence(self.reality, weekly, self.streams["market"])[0])

    def _refit(self, flipped: np.ndarray):
        if len(flipped):
            needs.refit(self.fits, self.deviation, flipped, self.offering * self.reality[0], self.importance)

    def end_week(self):
        """The organisation's week, every 13th week the leaders' decisions, money, reporters."""
        if self.compiled:
            self._staff_compiled()
        else:
            self._organisation_learns()
        self._defect_week()
        if self.steps % QUARTER == 0:
            self._leaders_learn()
            self._leaders_decide()
        self._account()
        self._collect()

    def _serve_customers(self):
        active, luck = self.active, self.population.luck
        u_touch, u_problem, u_survey = luck.touch
        identity_of, normal = luck.identity_of, luck.normal
        u_push, u_take = luck.push
        self.week_stats["active_before"] = len(active)
        touched = active[_which(u_touch[active] < self.touch_rate * self.demand)]
        identity = identity_of[touched]
        self._touched, self._touched_identity = touched, identity
        problem_p = self.problem_rate + self.defect_problems * self.defect
        problem, surveyed = u_problem[touched] < problem_p, u_survey[touched] < self.survey_rate
        # integrity's second face: a firm without it uses what it knows of its customers to
        # push products they do not need after a routine touch; some buy (short-term
        # revenue), all are annoyed (Reichheld 2006, "bad profits")
        pushed = ~problem & (u_push[touched] < self.push_rate * (1.0 - self.integrity))
        self.week_stats["pushed"] = int(np.count_nonzero(pushed))
        self.week_stats["push_sales"] = int(np.count_nonzero(pushed & (u_take[touched] < self.push_take)))
        longer = problem | surveyed | pushed
        # most episodes are one moment: a routine touch with nothing after it
        single = _which(~longer)
        remembered = np.empty(len(touched), np.float32)
        engagement = float(self.morale.mean())
        fit = self.fits.reshape(-1)[touched * self.n_identities + identity]   # with the salient identity
        recall = (self.negativity_weight, self.peak_weight, self.end_weight, self.duration_weight)
        remembered[single] = memory.remember_moment(
            service.routine_moment(self.base_quality, fit[single], normal[touched[single]], engagement,
                                   self.engagement_weight, self.routine_noise, self.fit_weight),
            *recall)
        rest = _which(longer)
        # a routine touch, then a push, a survey or both: unwanted contacts, each a moment
        # of -survey_annoyance
        asked = rest[_which(~problem[rest])]
        value = service.routine_moment(self.base_quality, fit[asked], normal[touched[asked]], engagement,
                                       self.engagement_weight, self.routine_noise, self.fit_weight)
        unwanted = np.where(np.column_stack([pushed[asked], surveyed[asked]]), -self.survey_annoyance, np.nan)
        remembered[asked] = memory.remember(np.column_stack([value, unwanted]), *recall)
        failed = rest[_which(problem[rest])]
        self._serve_problems(touched, failed, surveyed, problem_p, remembered, recall)
        self.satisfaction[touched] = memory.update_satisfaction(
            self.satisfaction[touched], remembered, self.memory_rate)

    def _serve_problems(self, touched, failed, surveyed, problem_p, remembered, recall):
        """Who handles each problem and how it ends (service recovery)."""
        u_defect, u_resolve, u_fast, u_recognise = self.population.luck.service
        handler_of = self.streams["service"].integers(0, self.n_employees, self.n_customers)
        who = touched[failed]
        k = len(who)
        self.week_stats["problems"] = k
        if not k:
            self.recovery_cost = 0.0
            self.week_stats["resolved_share"], self.week_stats["unresolved"] = 1.0, 0
            return
        from_defect = u_defect[who] < self.defect_problems * self.defect / max(problem_p, 1e-12)
        handler = handler_of[who]
        outcome = service.recover(self.empowerment, workforce.skill(self.employee_tenure[handler]),
                                  self.channel_resolve, ~from_defect | self.defect_admitted,
                                  u_resolve[who], u_fast[who])
        memories = service.problem_memories(*recall, self.survey_annoyance, self.episode_moments)
        remembered[failed] = memories[service.episode_kind(outcome, surveyed[failed])]
        resolved = outcome != service.UNRESOLVED
        self.wronged_until[who[~resolved]] = self.steps + self.grievance_weeks
        self.recovery_cost = service.recovery_cost(outcome, self.refund_cost, self.on_the_spot)
        self.week_stats["resolved_share"] = float(np.mean(resolved))
        self.week_stats["unresolved"] = int(k - np.count_nonzero(resolved))
        # the handlers' week: a problem put right (recognised where outcomes are tracked),
        # or one they could not put right
        e = self.n_employees
        recognised = resolved & (u_recognise[who] < self.accountability)
        self.experience += (np.bincount(handler[resolved], minlength=e)
                            - np.bincount(handler[~resolved], minlength=e)
                            + np.bincount(handler[recognised], minlength=e))

    def _spread_word(self):
        n, status = self.n_customers, self.status
        active = self.active
        promoters = active[_which(loyalty.is_promoter(self.satisfaction[active]))]
        # the wronged warn for grievance_weeks after a problem left unresolved; the very
        # dissatisfied warn while they are customers (once gone, they move on)
        wronged = _which((self.wronged_until > self.steps)
                         | ((self.satisfaction <= -0.6) & (status == ACTIVE)))
        u_recommend, u_warn = self.population.luck.talk
        recommend, warn = wom.talkers(promoters, wronged, self.talk_rate, self.negative_talk,
                                      u_recommend, u_warn)
        self.week_stats["positive_talk"], self.week_stats["negative_talk"] = len(recommend), len(warn)
        # the share of each person's contacts recommending the firm this week (a Market reads it too)
        positive = self.recommended = wom.heard(self.contacts, recommend, n)
        listeners, share = wom.reach(self.contacts, warn)
        negative = np.bincount(listeners, weights=share, minlength=n)
        wom.remember_warnings(self.warnings_heard, listeners, negative, self.grievance_weeks)
        # adoption by prospects and lost customers (Bass, with word of mouth on the network);
        # a draw above the highest chance anyone has this week is no join, so only the
        # draws below it need the person's own chance (the same result, less work)
        p, q = self.advertising * self.demand, self.imitation
        others = _which((status != ACTIVE) & (status < RIVAL))   # with a rival firm: out of reach
        draw = self.streams["adopt"].random(n, np.float32)[others]
        close = _which(draw < wom.weekly(p + q * positive.max(initial=0.0)))
        near = others[close]
        chance = wom.weekly(wom.adoption_chance(positive[near], self.warnings_heard[near], p, q,
                                                 self.warning_weight))
        chance *= np.where(status[near] == LOST, self.winback, 1.0)
        joins = near[_which(draw[close] < chance)]
        # warnings reach customers too, then some customers leave for competitors
        warned = listeners[_which(status[listeners] == ACTIVE)]   # repeats write the same value
        self.satisfaction[warned] = np.maximum(self.satisfaction[warned] - self.hearsay * negative[warned], -1.0)
        sc, pull = self.switching_cost, self.competition * self.shock_churn
        draw = self.population.luck.churn[active]
        close = _which(draw < loyalty.weekly_churn(np.float32([-1.0]), sc, pull)[0])   # the most anyone churns
        hazard = loyalty.weekly_churn(self.satisfaction[active[close]], sc, pull)
        leave = active[close[_which(draw[close] < hazard)]]
        status[leave] = LOST
        status[joins] = ACTIVE
        self.joined[joins] = self.steps - 1      # a week's tenure by the accounts
        self.satisfaction[joins] = self.newcomer_satisfaction
        self.active = _which(status == ACTIVE)
        self.week_stats["churned"] = len(leave)
        self.week_stats["new"] = len(joins)

    def _serve_and_spread_compiled(self):
        """_serve_customers, _serve_problems and _spread_word as compiled passes over the
        customers (dynamics/compiled.py), on the numbers those draw, drawn the same way."""
        n, stats, draws, luck = self.n_customers, self.week_stats, self._draws, self.population.luck
        recall = (self.negativity_weight, self.peak_weight, self.end_weight, self.duration_weight)
        handler_of = self.streams["service"].integers(0, self.n_employees, n)
        stats["active_before"] = len(self.active)
        problem_p = self.problem_rate + self.defect_problems * self.defect
        skill = workforce.skill(self.employee_tenure)
        touched, stats["problems"], fast, slow, unresolved, stats["pushed"], stats["push_sales"] = kernels.serve(
            self.active, luck.touch, luck.identity_of, luck.normal, luck.push, luck.service, handler_of, self.fits,
            self.satisfaction, self.wronged_until, self.experience, skill, draws.touched, draws.identity,
            self.touch_rate * self.demand, problem_p, self.survey_rate, self.push_rate * (1.0 - self.integrity),
            self.push_take,
            self.base_quality + self.engagement_weight * (float(self.morale.mean()) - 0.5),
            self.routine_noise, self.fit_weight, *recall, self.survey_annoyance, self.memory_rate,
            self.defect_problems * self.defect / max(problem_p, 1e-12), self.defect_admitted,
            self.empowerment, self.channel_resolve, self.accountability,
            service.problem_memories(*recall, self.survey_annoyance, self.episode_moments),
            self.steps + self.grievance_weeks)
        self._touched, self._touched_identity = draws.touched[:touched], draws.identity[:touched]
        self.recovery_cost = service.recovery_cost_of(fast, slow, self.refund_cost, self.on_the_spot)
        stats["resolved_share"] = (fast + slow) / stats["problems"] if stats["problems"] else 1.0
        stats["unresolved"] = unresolved
        self.streams["adopt"].random(dtype=np.float32, out=draws.adopt)
        contacts = self.contacts
        stats["positive_talk"], stats["negative_talk"], stats["churned"], stats["new"], count = kernels.spread(
            luck.talk, draws.adopt, luck.churn, self.status, self.satisfaction, self.wronged_until,
            self.warnings_heard, self.joined, contacts.indptr, contacts.indices, contacts.data, draws.positive,
            draws.negative, draws.active, draws.recommend, draws.warn, self.steps, ACTIVE, LOST, RIVAL, self.talk_rate,
            min(1.0, self.talk_rate * self.negative_talk), float(loyalty.PROMOTER), -0.6,
            1.0 - 1.0 / self.grievance_weeks, self.advertising * self.demand, self.imitation,
            self.warning_weight, self.winback, self.hearsay, *loyalty._churn_table(float(self.switching_cost)),
            self.competition * self.shock_churn, self.newcomer_satisfaction)
        self.active = draws.active[:count].copy()
        self.recommended = draws.positive

    def _organisation_learns(self):
        e, m = self.n_employees, self.n_needs
        draw = self.streams["staff"]
        u_quit, u_learn, u_serve, u_heard = draw.random((4, e))
        dims_of = needs.revealed(self.importance, draw.random(e))
        normal = draw.standard_normal(e)
        quit_p = workforce.quit_chance(self.turnover, self.morale, self.morale_sensitivity)
        left = u_quit < quit_p
        self.week_stats["staff_left"] = float(left.mean())
        if left.any():
            # a newcomer is drawn for every post, so each post keeps its own draws
            newcomers = self._keyed("newcomers")
            self.beliefs[0, left] = learning.random_beliefs((e, m), newcomers)[left]
            self.reticence[left] = newcomers.random(e)[left]
        self.morale[left] = 0.5
        self.employee_tenure[left] = 0
        self.employee_tenure += 1
        if len(self._touched):
            learners = np.flatnonzero(u_learn < self.insight_rate * self.customer_intimacy)
            served = (u_serve[learners] * len(self._touched)).astype(np.int64)
            dims = dims_of[learners]
            seen = needs.salient_need(self.deviation, self.reality[0], self._touched[served],
                                      self._touched_identity[served], dims)
            learning.learn_from_customers(self.beliefs, learners, dims, seen)
        self.speaking = workforce.speak_up(self.humility, self.voice_floor, self.morale, self.reticence)
        self.spoke_this_quarter |= self.speaking
        listened = workforce.heard(self.speaking, self.humility, u_heard)
        self.experience += listened.astype(float) - (self.speaking & ~listened)
        self.morale = workforce.update_morale(self.morale, self.experience, normal, self.morale_rate,
                                             self.experience_step, self.experience_cap)

    def _staff_compiled(self):
        """_organisation_learns in two compiled passes over the staff (kernels.quits, kernels.staff),
        on the same draws."""
        draws, e = self._draws, self.n_employees
        self.streams["staff"].random(out=draws.staff)     # as random((4, e)), then random(e)
        self.streams["staff"].standard_normal(out=draws.normal)
        left = kernels.quits(draws.staff[0], self.morale, self.turnover, self.morale_sensitivity, draws.left)
        self.week_stats["staff_left"] = left / e
        fresh = self._no_newcomers
        if left:
            newcomers = self._keyed("newcomers")
            fresh = learning.random_beliefs((e, self.n_needs), newcomers), newcomers.random(e)
        kernels.staff(draws.staff, draws.normal, draws.left, *fresh, self.beliefs, self.reticence, self.morale,
                      self.employee_tenure, self.speaking, self.spoke_this_quarter, self.experience,
                      self._touched, self._touched_identity, self.deviation, self.reality[0], *self._revealed,
                      self.insight_rate * self.customer_intimacy, self.humility,
                      self.voice_floor + (1.0 - self.voice_floor) * self.humility, self.morale_rate,
                      self.experience_step, self.experience_cap)

    def _defect_week(self):
        """A defect: arising from wear when none is present (``wear_rate`` a year), noticed
        (or not), and fixed once admitted."""
        u_notice, u_wear = self.streams["defects"].random(2)
        if self.defect == 0 and u_wear < -np.expm1(-self.wear_rate / economics.WEEKS_PER_YEAR):
            self.defect, self.defect_known, self.defect_admitted = self.defect_severity, False, False
            self.marks.append((self.steps, "wear brought a defect"))
        elif self.defect > 0:
            if not self.defect_known:
                self.defect_known = decisions.defect_noticed(self.speaking.mean(), self.accountability,
                                                             u_notice)
            if self.defect_admitted:
                self.defect *= 1 - self.fix_rate
                if self.defect < 0.01:
                    self.defect, self.defect_known, self.defect_admitted = 0.0, False, False
                    self.marks.append((self.steps, "defect fixed"))

    def _leaders_learn(self):
        """One period of March's (1991) mutual learning a quarter (a period is not a week:
        a weekly period made the leaders' view form within weeks): the staff who spoke up
        this quarter are the ones the leaders can learn from (Milliken et al. 2003).  Compiled:
        kernels.march on the same draws."""
        misread, rng = self.misread * (1 - self.accountability), self._keyed("learning")
        if self.compiled:
            e, m = self.n_employees, self.n_needs
            kernels.march(self.reality[0], self.code[0], self.beliefs[0],
                          np.frombuffer(rng.bytes((e * m + 7) // 8), np.uint8), rng.random(e * m), rng.random(m),
                          rng.random(m) if misread > 0 else np.empty(0), self.conformity,
                          (1.0 - self.humility) ** np.arange(e + 1, dtype=np.int32), self.spoke_this_quarter, misread)
        else:
            learning.period(self.reality, self.code, self.beliefs, self.conformity, self.humility, rng,
                            heard=self.spoke_this_quarter[None, :], misread=misread)
        self.spoke_this_quarter[:] = False

    def _leaders_decide(self):
        draws = decisions.quarter_draws(self.n_needs, self._keyed("ideas"))
        shipped = np.array([s[0] for s in self._last_shipped], int)
        undo = decisions.rollback(shipped, np.array([s[2] for s in self._last_shipped]), self.accountability,
                                  self.test_noise, draws)
        for (dim, old, _), back in zip(self._last_shipped, undo):
            if back:
                self._change_offering(dim, old)
                self.code[0, dim] = old       # what tracking showed corrects the leaders' view
        count = min(self.ideas_per_quarter, self.n_needs)
        ideas = decisions.propose(self.code[0], self.offering, self.reality[0], self.importance, count,
                                  self.identity_spread, self.fit_weight, draws)
        ship, refuted, tested = decisions.choose(ideas, self.experimentation, self.courage_to_change,
                                                 self.test_noise, draws)
        # a test that shows a real change does no good replaces the HiPPO's opinion with data
        # (Kohavi et al. 2009): the leaders' view takes the offering as it is on that need
        # (an idea customers do not notice teaches nothing)
        refuted &= ideas.values != self.offering[ideas.dims]
        self.code[0, ideas.dims[refuted]] = self.offering[ideas.dims[refuted]]
        self._last_shipped = []
        for d, v, effect in zip(ideas.dims[ship], ideas.values[ship], ideas.effect[ship]):
            self._last_shipped.append((int(d), int(self.offering[d]), float(effect)))
            self._change_offering(d, v)
        if decisions.brings_defect(ideas.dims[ship], self.defect_rate, draws) and self.defect == 0:
            self.defect, self.defect_known, self.defect_admitted = self.defect_severity, False, False
            self.marks.append((self.steps, "a change brought a defect"))
        self.ideas_total += len(ideas.dims)
        self.ideas_helpful += int(np.sum(ideas.effect > 0))
        self.ideas_shipped += int(ship.sum())
        self.ideas_shipped_helpful += int(np.sum(ideas.effect[ship] > 0))
        self.ideas_shipped_harmful += int(np.sum(ideas.effect[ship] < 0))
        self.ideas_shipped_untested += int(np.sum(ship & ~tested))
        if self.defect > 0 and self.defect_known and not self.defect_admitted:
            self.defect_admitted = decisions.admit(self.integrity, draws)
            if self.defect_admitted:
                self.marks.append((self.steps, "defect admitted"))

    def _change_offering(self, dim: int, value: int):
        if self.offering[dim] != value:
            self.offering[dim] = value
            needs.refit(self.fits, self.deviation, [dim], self.offering * self.reality[0], self.importance)

    def _account(self):
        if self.compiled:
            weeks = kernels.tenure_weeks(self.joined, self.active, self.steps,
                                         economics.MAX_TENURE_YEARS * economics.WEEKS_PER_YEAR)
            revenue = economics.revenue_of(len(self.active), weeks, self.price, self.tenure_growth) * self.demand
        else:
            revenue = economics.weekly_revenue(self.steps - self.joined[self.active], self.price,
                                               self.tenure_growth) * self.demand
        revenue -= self.price * self.week_stats["unresolved"]   # what went wrong is not paid for
        revenue += self.price * self.week_stats["push_sales"]
        profit = economics.weekly_profit(revenue, self.margin, self.wage * self.n_employees,
                                         self.recovery_cost, self.week_stats["new"], self.acquisition_cost)
        self.cash += profit
        self.week_stats["revenue"], self.week_stats["profit"] = revenue, profit
        if self.cash < 0 and not self.perished:
            self.perished, self.perished_week, self.running = True, self.steps, False
            self.marks.append((self.steps, "cash ran out"))

    # ----- results -----
    def _collect(self):
        """Run the reporters; those about customers read one copy of their satisfaction
        (compiled: made in the pass that computes what they report, kernels.report).  Week 0
        is reported by numpy's reporters (the same numbers), so that building a model loads
        no compiled code: loading it from numba's cache takes about 0.3 s in a new process,
        which the browser app's first page would wait for."""
        if not self.compiled or self.steps == 0:
            self.customer_satisfaction = self.satisfaction[self.active]
            self.datacollector.collect(self)
            return
        n = len(self.active)
        climbed, mean, promoters, detractors, prospects, lost, staff = kernels.report(
            self.satisfaction, self.active, self.status, float(loyalty.PROMOTER), float(loyalty.DETRACTOR),
            self._draws.report, self.code[0], self.offering, self.reality[0], self.speaking, self.morale)
        self.customer_satisfaction = self._draws.report[0, :n].copy()   # the buffer is reused next week
        metrics.collect(self, dict(
            customers=n, satisfaction=mean, prospects=prospects, lost=lost,
            loyalty=loyalty.stay_of_shares(climbed, self.switching_cost) if n else 0.0,
            nps=loyalty.nps_of_counts(promoters, detractors, n) if n else 0.0,
            **dict(zip(("leader_knowledge", "offering_fit", "employee_voice", "morale"), staff))))

    def dataframe(self):
        """The reporters as a DataFrame indexed by week (0 = the start)."""
        df = self.datacollector.get_model_vars_dataframe()
        df.index = df.index.astype(int)
        df.index.name = "week"
        return df

    @property
    def episode_moments(self) -> tuple[float, float, float, float, float]:
        """The moments of a problem episode: the failure, each wait, the end fast, slowly,
        unresolved (service.problem_episodes)."""
        return (self.problem_moment, self.wait_moment, self.fast_end, self.slow_end, self.unresolved_end)

    @property
    def imitation(self) -> float:
        """Bass's q for this week's share of a person's contacts recommending the firm.  q is
        yearly and multiplies the share of a prospect's contacts who recommend it (Bass 1969;
        as agents, Rand & Rust 2011: p + q x the share of neighbours); a promoter recommends
        in a given week with chance ``talk_rate``, so this week's share over ``talk_rate``
        estimates theirs."""
        return self.word_of_mouth * self.demand / self.talk_rate if self.talk_rate > 0 else 0.0

    def params(self) -> dict:
        return {name: getattr(self, name) for name in PARAMS}


def run(steps: int = 260, rng=None, **params) -> CultureModel:
    """Build a model and step it ``steps`` weeks (or until its cash runs out)."""
    return CultureModel(rng=rng, **params).advance(steps)
