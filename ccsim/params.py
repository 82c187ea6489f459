"""Every parameter of ccsim, once: default, range, unit, group and one line of help.

The UI sliders, the CLI's ``--set``, scenario validation and sweep designs all read
``PARAMS``.  Where a default comes from a published anchor, ``anchor`` names it
(docs/ODD.md lists them all, with their references).  ``neutral`` is the
value that switches the mechanism off, so a user can ask "what does this one do".
"""

from __future__ import annotations

import math
from dataclasses import dataclass


class ParamError(ValueError):
    """A parameter name or value that is not allowed; the message is one line."""


@dataclass(frozen=True)
class Param:
    name: str
    default: float
    lo: float
    hi: float
    unit: str
    group: str
    help: str
    kind: type = float
    anchor: str = ""
    neutral: float | None = None
    fixed: bool = False      # sizes the model when it is built; cannot change mid-run

    def check(self, value, where: str = "") -> float | int:
        """Return ``value`` converted to this parameter's type, or raise ParamError."""
        prefix = f"{where}: " if where else ""
        allowed = f"a {self.kind.__name__} in [{self.lo:g}, {self.hi:g}]"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            try:
                if not str(value).isascii():   # int() and float() read other scripts' digits
                    raise ValueError(value)
                value = float(value) if self.kind is float else _to_int(value)
            except (TypeError, ValueError, OverflowError):
                raise ParamError(
                    f"{prefix}{self.name}={_short(value)} is not a number; allowed: {allowed}"
                ) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise ParamError(f"{prefix}{self.name}={value!r} is not a finite number; "
                             f"allowed: {allowed}")
        if self.kind is int and isinstance(value, float) and value != int(value):
            raise ParamError(f"{prefix}{self.name}={value!r} must be whole; allowed: {allowed}")
        if not (self.lo <= value <= self.hi):
            raise ParamError(f"{prefix}{self.name}={_short(value)} is out of range; "
                             f"allowed: {allowed}")
        return self.kind(value) + 0   # + 0: -0.0 becomes 0.0


def _short(value) -> str:
    """A value as it appears in an error line: its repr, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _to_int(value) -> int:
    try:
        return int(value, 10)
    except ValueError:
        as_float = float(value)
    if as_float != int(as_float):
        raise ValueError(value)
    return int(as_float)


CULTURE = "Culture"
ORGANISATION = "Organisation"
MARKET = "Market"
CUSTOMERS = "Customer psychology"
ECONOMICS = "Economics"
CALIBRATION = "Calibration"
NO_SIZE = "hand-set (no published size)"
SIZE = "model choice (the size of the simulated firm or market)"
MONEY = "illustrative (money units: results in money scale with it)"

_ALL = [
    # --- culture: the traits the model is about (docs/ODD.md, section 1) ---
    Param("humility", 0.5, 0, 1, "share", CULTURE,
          "Leaders listen: how fast the leaders' view learns from staff who know better, "
          "and how safe it is to speak up.",
          anchor="March 1991 (p2); Milliken et al. 2003"),
    Param("empowerment", 0.5, 0, 1, "share", CULTURE,
          "Front-line staff may right a wrong on the spot (refund, fix, alternative) - at a cost.",
          anchor="Bowen & Lawler 1992; TARP studies (service recovery)"),
    Param("courage_to_change", 0.5, 0, 1, "share", CULTURE,
          "Chance that leaders actually ship a change they believe in or that a test supports.",
          anchor="practitioner claim: insight is worthless unless acted on"),
    Param("customer_intimacy", 0.5, 0, 1, "share", CULTURE,
          "How much staff learn about real needs from one-to-one contact with customers.",
          anchor="practitioner claim: one-to-one research, not surveys"),
    Param("experimentation", 0.3, 0, 1, "share", CULTURE,
          "Share of ideas tested with real customers before shipping (the rest ship on opinion).",
          anchor="Kohavi et al. 2009"),
    Param("integrity", 0.5, 0, 1, "share", CULTURE,
          "Chance that leaders admit a known defect and fix it instead of denying it; "
          "without it, staff also push products customers do not need.",
          anchor="practitioner claim; smoking-heater story; Reichheld 2006 (bad profits)"),
    Param("accountability", 0.4, 0, 1, "share", CULTURE,
          "Someone owns the customer outcome: results are tracked (checks confirmation bias), "
          "bad changes rolled back, good work rewarded.",
          anchor="Rabin & Schrag 1999; practitioner claim"),
    Param("conformity", 0.3, 0, 1, "per quarter", CULTURE,
          "How fast staff adopt the leaders' view and stop thinking for themselves.",
          anchor="March 1991 (p1)"),
    # --- organisation ---
    Param("n_employees", 100, 1, 5000, "people", ORGANISATION,
          "Front-line employees.", kind=int, fixed=True, anchor=SIZE),
    Param("n_leaders", 3, 1, 50, "people", ORGANISATION,
          "Leaders who share one view of customers' needs (the organisational code).", kind=int, fixed=True,
          anchor=SIZE),
    Param("turnover", 0.007, 0, 0.2, "per week", ORGANISATION,
          "Chance an employee leaves in a week (at average morale); 0.007 is about 3% a month.",
          anchor="labour statistics; March 1991 (p3)", neutral=0.0),
    Param("morale_sensitivity", 1.0, 0, 2, "factor", ORGANISATION,
          "How much low morale raises quitting (0: morale does not affect turnover).", neutral=0.0, anchor=NO_SIZE),
    Param("voice_floor", 0.2, 0, 1, "share", ORGANISATION,
          "Chance an employee speaks up under a leader with no humility at all.",
          anchor="Milliken et al. 2003 (85% stayed silent)"),
    Param("ideas_per_quarter", 4, 0, 50, "ideas", ORGANISATION,
          "Changes to the offering that leaders consider each quarter.", kind=int, neutral=0, anchor=NO_SIZE),
    # --- market ---
    Param("n_customers", 2000, 10, 10_000_000, "people", MARKET,
          "People in the market (prospects, customers and those lost to competitors).", kind=int, fixed=True,
          anchor=SIZE),
    Param("initial_share", 0.3, 0, 1, "share", MARKET,
          "Share of the market that are customers at the start.", anchor=SIZE),
    Param("n_needs", 30, 2, 200, "dimensions", MARKET,
          "Dimensions of customers' needs (March's m).", kind=int, fixed=True, anchor="March 1991 (m = 30)"),
    Param("n_identities", 3, 1, 6, "identities", MARKET,
          "Identities per customer (family, career, hobby...); the salient one varies by context.",
          kind=int, fixed=True, neutral=1, anchor=SIZE),
    Param("identity_spread", 0.15, 0, 0.5, "share", MARKET,
          "Share of need dimensions on which an identity departs from the market's typical need.",
          neutral=0.0, anchor=NO_SIZE),
    Param("turbulence", 0.02, 0, 0.2, "per quarter", MARKET,
          "Chance each dimension of customers' needs flips in a quarter (a week: 1 - (1 - p)^(1/13)).",
          anchor="March 1991 (p4 = 0.02 a period; a period is a quarter here)", neutral=0.0),
    Param("advertising", 0.03, 0, 0.2, "per year", MARKET,
          "Bass innovation p: yearly chance a prospect tries the firm from advertising alone "
          "(a week: 1 - (1 - p)^(1/52)).",
          anchor="Bass 1969; Sultan, Farley & Lehmann 1990 (yearly sales)", neutral=0.0),
    Param("word_of_mouth", 0.38, 0, 1, "per year", MARKET,
          "Bass imitation q: yearly pull of recommendations on prospects, times the share of "
          "their contacts who recommend the firm (a week's recommenders over talk_rate; turned "
          "into a weekly chance as p is).",
          anchor="Bass 1969; Sultan, Farley & Lehmann 1990 (yearly sales); as agents: Rand & Rust 2011", neutral=0.0),
    Param("strong_ties", 4, 0, 20, "ties", MARKET,
          "Close contacts per person (family, friends: clustered).", kind=int, fixed=True, anchor=SIZE),
    Param("weak_ties", 4, 0, 20, "ties", MARKET,
          "Acquaintances per person (random, reaching across the network).",
          kind=int, fixed=True, anchor="Goldenberg, Libai & Muller 2001"),
    Param("competition", 0.36, 0, 3, "factor", MARKET,
          "Pull of competitors: multiplies the chance that a customer who would leave does leave "
          "(1: the highly competitive markets of Jones & Sasser's curve).",
          anchor="fitted (ccsim calibrate: 90% credible 0.27-0.55; yearly churn about 20%)", neutral=0.0),
    Param("switching_cost", 0.0, 0, 0.9, "share", MARKET,
          "Costs of leaving that hold customers hostage; flattens the satisfaction-loyalty curve.",
          anchor="Jones & Sasser 1995"),
    Param("touch_rate", 0.5, 0.01, 1, "per week", MARKET,
          "Chance a customer buys or uses the offering in a week (a touchpoint).", anchor=NO_SIZE),
    Param("problem_rate", 0.05, 0, 1, "per touch", MARKET,
          "Chance a touchpoint goes wrong even without a known defect.", anchor=NO_SIZE),
    Param("survey_rate", 0.1, 0, 1, "per touch", MARKET,
          "Chance a touchpoint is followed by a satisfaction survey (too many annoy).",
          neutral=0.0, anchor="a policy the story sets (how often the firm surveys)"),
    # --- customer psychology ---
    Param("negativity_weight", 2.0, 1.0, 3.0, "factor", CUSTOMERS,
          "How much more a bad moment weighs than a good one of the same size.",
          anchor="Tversky & Kahneman 1992; meta-analysis 1.96", neutral=1.0),
    Param("peak_weight", 0.35, 0, 1, "weight", CUSTOMERS,
          "Weight of the most intense moment in the memory of an episode.",
          anchor="Kahneman et al. 1993"),
    Param("end_weight", 0.35, 0, 1, "weight", CUSTOMERS,
          "Weight of the last moment in the memory of an episode.",
          anchor="Kahneman et al. 1993"),
    Param("duration_weight", 0.0, 0, 0.05, "weight", CUSTOMERS,
          "Weight of an episode's length (duration neglect: about 0).",
          anchor="Redelmeier & Kahneman 1996"),
    Param("memory_rate", 0.47, 0.01, 1, "share", CUSTOMERS,
          "How much one remembered episode moves a customer's overall satisfaction.",
          anchor="fitted (ccsim calibrate: 90% credible 0.20-0.58)"),
    Param("talk_rate", 0.15, 0, 1, "per week", CUSTOMERS,
          "Weekly chance a promoter recommends the firm; wronged customers warn negative_talk times as readily.",
          anchor="Anderson 1998; East, Hammond & Wright 2007", neutral=0.0),
    Param("negative_talk", 1.5, 0, 3, "factor", CUSTOMERS,
          "How much more readily a wronged customer warns others than a promoter recommends "
          "(0: the wronged stay silent).",
          anchor="Anderson 1998 (1.2-2x)", neutral=0.0),
    # --- economics ---
    Param("price", 10.0, 0, 1000, "money/week", ECONOMICS,
          "Revenue per active customer per week, in a customer's first year.", anchor=MONEY),
    Param("tenure_growth", 0.25, 0, 1, "per year", ECONOMICS,
          "Extra revenue per customer per year of tenure (up to 5 years).",
          anchor="Reichheld & Sasser 1990", neutral=0.0),
    Param("margin", 0.35, 0, 1, "share", ECONOMICS,
          "Gross margin on revenue before staff and recovery costs.", anchor=MONEY),
    Param("acquisition_cost", 40.0, 0, 10000, "money", ECONOMICS,
          "Cost of winning one new customer.", anchor="Reichheld & Sasser 1990"),
    Param("refund_cost", 15.0, 0, 10000, "money", ECONOMICS,
          "Cost of putting one problem right (1.5x when fixed on the spot by an empowered employee).", anchor=MONEY),
    Param("wage", 8.0, 0, 10000, "money/week", ECONOMICS,
          "Weekly cost of one employee.", anchor=MONEY),
    Param("initial_cash", 20000.0, 0, 1e9, "money", ECONOMICS,
          "Cash at the start; a firm whose cash runs out has perished.", anchor=MONEY),
    # --- calibration: sizes no study gives directly; fitted or varied in sweeps ---
    Param("base_quality", 0.60, -0.5, 1, "experience", CALIBRATION,
          "How good a routine purchase or use is before fit with the customer's needs "
          "(-1 awful .. 1 delightful); no published size.",
          anchor="fitted (ccsim calibrate: 90% credible 0.40-0.83)"),
    Param("engagement_weight", 0.22, 0, 1, "experience", CALIBRATION,
          "How much the front line's mean morale above 0.5 lifts a routine touch (the "
          "service-profit chain, Heskett et al. 1994).",
          anchor="hand-set to give engagement-satisfaction r about 0.3 across firms (Harter et al. 2002; "
                 "the service_profit row is therefore a fit check)", neutral=0.0),
    Param("survey_annoyance", 0.37, 0, 1, "experience", CALIBRATION,
          "How unpleasant one unwanted contact after an interaction is (a survey: survey "
          "fatigue; a push to buy what one does not need); no published size.",
          anchor="fitted (ccsim calibrate: 90% credible 0.08-0.49, weakly identified)", neutral=0.0),
    Param("push_rate", 0.2, 0, 1, "per touch", CALIBRATION,
          "Chance a routine touch is followed by a push to buy something the customer does "
          "not need, at integrity 0 (none at integrity 1); no published size.",
          anchor=NO_SIZE + "; Reichheld 2006 (bad profits)", neutral=0.0),
    Param("push_take", 0.1, 0, 1, "per push", CALIBRATION,
          "Share of pushes that sell (one more week's price, once); no published size.",
          anchor=NO_SIZE),
    Param("test_noise", 0.0056, 0, 0.2, "experience", CALIBRATION,
          "How far a test with customers, or tracking after shipping, misreads an idea's "
          "effect (SD). A test sized as Kohavi et al. advise, for 80% power at 95% "
          "confidence on the median idea's effect (0.0156): 0.0156 / 2.8.",
          anchor="Kohavi et al. 2009 (DMKD), section 3.2: test sized for the median idea", neutral=0.0),
    Param("defect_rate", 0.15, 0, 1, "per change", CALIBRATION,
          "Chance a shipped change brings a defect (the change failure rate).",
          anchor="Forsgren, Humble & Kim 2018 (0-15% for the best teams, up to 60%)", neutral=0.0),
    Param("wear_rate", 0.5, 0, 10, "per year", CALIBRATION,
          "Defects that arise without any change, from wear (equipment, suppliers, routines "
          "that age): how many a year while none is present; no published size.",
          anchor=NO_SIZE, neutral=0.0),
    Param("defect_severity", 0.3, 0, 1, "severity", CALIBRATION,
          "Severity of a defect from a change or wear (1: a problem in 15% more touches).",
          anchor=NO_SIZE),
    Param("defect_problems", 0.15, 0, 1, "per touch", CALIBRATION,
          "Extra chance of a problem on each purchase from a defect of severity 1.",
          anchor=NO_SIZE, neutral=0.0),
    Param("fix_rate", 0.2, 0, 1, "per week", CALIBRATION,
          "Share of an admitted defect put right each week.", anchor=NO_SIZE),
    Param("initial_match", 0.65, 0, 1, "share", CALIBRATION,
          "Chance that the firm's offering at the start gets a need right.", anchor=NO_SIZE),
    Param("insight_rate", 0.1, 0, 1, "per week", CALIBRATION,
          "Weekly chance that an employee learns one need from a customer they served, at "
          "full customer intimacy.", anchor=NO_SIZE),
    Param("newcomer_satisfaction", 0.4, -1, 1, "satisfaction", CALIBRATION,
          "How satisfied a customer is when they join (and everyone's average at the start).",
          anchor=NO_SIZE),
    Param("grievance_weeks", 8, 1, 52, "weeks", CALIBRATION,
          "How long a customer left with an unresolved problem warns others; a warning "
          "heard fades over as long.", kind=int, anchor=NO_SIZE),
    Param("hearsay", 0.05, 0, 1, "satisfaction", CALIBRATION,
          "How much a customer's satisfaction drops when all their contacts warn them.",
          anchor=NO_SIZE, neutral=0.0),
    Param("warning_weight", 3.0, 0, 10, "factor", CALIBRATION,
          "How strongly warnings heard put off someone who might join (their chance falls "
          "by exp(-weight x warnings)).", anchor=NO_SIZE, neutral=0.0),
    Param("winback", 0.3, 0, 1, "share", CALIBRATION,
          "A lost customer's chance to come back, relative to a newcomer's chance to join.",
          anchor=NO_SIZE),
    Param("misread", 0.2, 0, 1, "share", CALIBRATION,
          "Chance that leaders ignore evidence against what they believe, when nothing is "
          "tracked (times 1 - accountability).",
          anchor="Rabin & Schrag 1999 (the mechanism); " + NO_SIZE, neutral=0.0),
    Param("routine_noise", 0.25, 0, 1, "experience", CALIBRATION,
          "How much an ordinary purchase varies with the luck of the day (SD).",
          anchor=NO_SIZE, neutral=0.0),
    Param("fit_weight", 0.6, 0, 1, "experience", CALIBRATION,
          "How much an offering that meets (or misses) a customer's needs adds to (or takes "
          "from) each purchase; it also sizes what an idea changes.", anchor=NO_SIZE),
    Param("problem_moment", -0.8, -1, 0, "experience", CALIBRATION,
          "How bad the moment of a problem is.", anchor=NO_SIZE),
    Param("wait_moment", -0.4, -1, 0, "experience", CALIBRATION,
          "How bad each further contact is while a problem drags on.", anchor=NO_SIZE),
    Param("fast_end", 0.6, -1, 1, "experience", CALIBRATION,
          "How a problem put right on the spot ends (apology, refund, an alternative).",
          anchor=NO_SIZE + "; TARP gives the ordering fast > slow > unresolved, not the sizes"),
    Param("slow_end", 0.2, -1, 1, "experience", CALIBRATION,
          "How a problem put right eventually ends.", anchor=NO_SIZE),
    Param("unresolved_end", -0.6, -1, 1, "experience", CALIBRATION,
          "How a problem never put right ends (\"no known defect\").", anchor=NO_SIZE),
    Param("channel_resolve", 0.4, 0, 1, "share", CALIBRATION,
          "Chance that a problem the front line did not put right on the spot is put right "
          "later, through the usual channel (a form, a callback, head office).",
          anchor=NO_SIZE + "; about 60% of problems are put right at the defaults, as before this rule"),
    Param("on_the_spot", 1.5, 1, 5, "factor", CALIBRATION,
          "How much more a fix on the spot costs than one through the usual channels.",
          anchor=NO_SIZE),
    Param("morale_rate", 0.05, 0, 1, "per week", CALIBRATION,
          "How fast staff morale settles back toward the middle each week.", anchor=NO_SIZE),
    Param("experience_step", 0.02, 0, 0.2, "morale", CALIBRATION,
          "How far one good or bad moment at work moves an employee's morale.",
          anchor=NO_SIZE, neutral=0.0),
    Param("experience_cap", 3, 1, 10, "moments", CALIBRATION,
          "Most good or bad moments at work that count in one week.", kind=int, anchor=NO_SIZE),
]

PARAMS: dict[str, Param] = {p.name: p for p in _ALL}

# A market of several firms (ccsim.Market): the parameters of the people every firm
# competes for, set once for the market (a firm may not set them), and the market's own.
SHARED = ["n_customers", "n_needs", "n_identities", "identity_spread", "turbulence", "strong_ties",
          "weak_ties"]
MARKET_PARAMS: dict[str, Param] = {p.name: p for p in [
    Param("outside_option", 0.03, 0, 1, "per year", MARKET,
          "Attraction of the options outside a market's firms (firms not modelled, doing "
          "without) for a customer who leaves a firm, on the scale of a firm's advertising "
          "plus recommendations (0: every leaver goes to a rival).",
          anchor="model choice", neutral=0.0),
    Param("price_sensitivity", 2.62, 0, 10, "exponent", MARKET,
          "How much a price above the market's mean puts off a customer choosing among firms: "
          "attraction times (price / mean price) to the power -price_sensitivity.",
          anchor="Bijmolt, van Heerde & Pieters 2005 (mean price elasticity -2.62)", neutral=0.0),
]}

CULTURE_TRAITS = [p.name for p in _ALL if p.group == CULTURE]
FIXED_SIZES = [p.name for p in _ALL if p.fixed]
MAX_WEEKS = 5200         # a run's length: a hundred years; anything longer is a typo
MAX_SEED = 2**63 - 1     # the largest seed (a Parquet int64 holds it)
GROUPS = list(dict.fromkeys(p.group for p in _ALL))


def defaults() -> dict[str, float | int]:
    """All parameters at their defaults."""
    return {p.name: p.default for p in _ALL}


def validate(values: dict, where: str = "") -> dict[str, float | int]:
    """Check names and values against PARAMS; return them converted (ParamError if not)."""
    out = {}
    for name, value in values.items():
        if name not in PARAMS:
            prefix = f"{where}: " if where else ""
            raise ParamError(
                f"{prefix}unknown parameter {name!r}; allowed: {', '.join(PARAMS)}"
            )
        out[name] = PARAMS[name].check(value, where)
    return out
