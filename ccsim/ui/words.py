"""The app's words, for a room: plain names and help for the sliders, the model in a
paragraph, the controls in a list, and the presets' texts as a student reads them (no
parameter's code name, no command line).  The developer's name, unit and source of each
parameter stay one click away, in the model's description (``levers_html``).  Money is
counted in MONEY wherever it is shown (charts, monitors, sliders, handouts): the model's
money is illustrative, so no real currency is named.
"""

from __future__ import annotations

import re
from html import escape

from ccsim.metrics import METRICS, Metric
from ccsim.params import PARAMS

MONEY = "money units"    # the unit of every amount of money shown (ccsim.params: illustrative)

# where a parameter's code name with its underscores turned to spaces is not plain English
LABELS = {
    "n_employees": "employees", "n_leaders": "leaders", "n_customers": "people in the market",
    "n_needs": "kinds of need", "n_identities": "identities per customer",
    "initial_share": "customers at the start", "initial_cash": "cash at the start",
    "touch_rate": "purchases", "talk_rate": "recommending", "negative_talk": "warning others",
}
# help in plain words where the table of parameters speaks to researchers
HELP = {
    "accountability": "Someone owns the customer outcome: results are checked, bad changes are rolled back, "
                      "good work is rewarded.",
    "n_leaders": "Leaders who decide what the firm offers, sharing one view of what customers need.",
    "n_needs": "How many different things customers care about.",
    "turbulence": "How fast customers' needs change: the chance each need changes in a quarter.",
    "advertising": "Yearly chance that someone who has never bought tries the firm because of its advertising.",
    "word_of_mouth": "How strongly recommendations from friends pull in new customers.",
    "identity_spread": "How different a customer's needs are at home, at work or at play.",
    "talk_rate": "Weekly chance that a happy customer recommends the firm.",
    "duration_weight": "How much the length of an episode counts in its memory (people mostly ignore it).",
    "test_noise": "How far a test with customers can mislead about what an idea does.",
    "defect_severity": "How bad a defect a change brings is (1: a problem in 15% more purchases).",
}


def label(name: str) -> str:
    """A parameter's name on its slider."""
    return LABELS.get(name, name.replace("_", " "))


def help_text(name: str) -> str:
    """A parameter's help under its slider."""
    return HELP.get(name, PARAMS[name].help)


def unit(name: str) -> str:
    """A parameter's unit in plain words (money in MONEY: "money units/week")."""
    return re.sub(r"\bmoney\b", MONEY, PARAMS[name].unit)


def value_text(name: str, value) -> str:
    """A slider's value with its unit (shares and factors go without)."""
    return f"{value:g}" + ("" if PARAMS[name].unit in ("share", "factor", "weight") else f" {unit(name)}")


def money(value: float) -> str:
    """An amount to three significant digits, thousands as k and millions as M ("262k",
    "-2.5k", "1.23M"), as the charts' money axes write them (widgets.js: ``money``)."""
    rounded = float(f"{value:.3g}")
    size, suffix = next(((s, x) for s, x in ((1e6, "M"), (1e3, "k")) if abs(rounded) >= s), (1, ""))
    return f"{rounded / size:g}{suffix}"


def amount(metric: Metric, value: float) -> str:
    """A measure's value as a monitor shows it: money with its unit ("Cash 262k money units")."""
    return f"{money(value)} {MONEY}" if metric.money else metric.text(value)


def money_note() -> str:
    """Which columns and parameters of a run's data are money, and in what."""
    columns = [m.name for m in METRICS.values() if m.money]
    params = [p.name for p in PARAMS.values() if re.match(r"money\b", p.unit)]
    return (f"money: {', '.join(columns)} and the parameters {', '.join(params)} are in {MONEY} "
            "(illustrative, not a real currency)")


_NAMES = re.compile(r"\b(" + "|".join(sorted(PARAMS, key=len, reverse=True)) + r")\b")
_COMMAND = re.compile(r":?\s*\bccsim \w+[^.;]*")


def plain(text: str) -> str:
    """A preset's text for the page: parameters by their slider names, and the command
    line's compare as the page's Compare switch."""
    text = _COMMAND.sub(" (the Compare switch)", " ".join(text.split()))
    return _NAMES.sub(lambda m: label(m.group(1)), text)


# The model's own Info texts (NetLogo's HOW IT WORKS and HOW TO USE IT); each preset
# brings its WHAT IS IT, THINGS TO NOTICE and THINGS TO TRY (story_html).
HOW_IT_WORKS = (
    "Each step is one week. Customers buy, sometimes have a problem, and remember their best, "
    "worst and last moments, bad ones about twice as strongly. Satisfied customers recommend "
    "the firm, wronged ones warn their friends, and unhappy ones leave for a competitor. "
    "Front-line employees learn what customers need and speak up when it feels safe (humility); "
    "they may put a problem right on the spot (empowerment). Every quarter the leaders change the "
    "offering from their own view of needs: tested with customers first (experimentation) or on "
    "the highest paid person's opinion. Loyalty, NPS, revenue and cash are not set by any rule: "
    "they come out of these meetings, week after week.")
HOW_TO_USE_IT = (
    ("Play, Step, Pause", "run the weeks; the speed sets weeks per second."),
    ("Sliders", "before week 1 they set the starting firm; later, a move takes effect next week "
                "and is marked on every chart when you let go of the slider. The faint dashed line "
                "is the same run without your last move: the difference is what your move did. The "
                "box under the charts puts a note on your last move (in the key, the handouts and "
                "the link)."),
    ("Undo", "takes back the last move; the run goes on as if you had not made it."),
    ("Reset and Replay", "Reset starts again from week 0 with the sliders as they are; Replay "
                         "repeats the run, with your moves at the same weeks."),
    ("Seed", "the same seed gives the same run, week for week; the dice beside it lets chance play "
             "out another way. Other seeds runs more seeds (10, or the number picked beside it) in the "
             "background and shades where their mean is, 95 times in 100."),
    ("Compare", "runs a second culture, B, on the same market and seed: its curves in orange "
                "(dashed in the organisation chart), the gaps B - A below."),
    ("Present", "the key charts large with big numbers, for a room; Space plays and pauses, the "
                "right arrow steps, Escape leaves."),
    ("Share and export", "the address in the browser reproduces this run; CSV saves the data with "
                         "every setting and move, PNG a handout of the charts with the story and "
                         "the debrief questions, PDF the same handout to print."),
)


def help_html() -> str:
    """The app's HOW IT WORKS, HOW TO USE IT and the levers as one block of HTML."""
    items = "".join(f"<li><b>{escape(what)}</b>: {escape(how)}</li>" for what, how in HOW_TO_USE_IT)
    return (f"<h4>How it works</h4><p>{escape(HOW_IT_WORKS)}</p><h4>How to use it</h4><ul>{items}</ul>"
            + levers_html())


def levers_html() -> str:
    """Every slider with the model's own name for it, its unit and range, and its source
    (docs/ODD.md describes each)."""
    rows = "".join(
        f"<tr><td>{escape(label(p.name))}</td><td><code>{p.name}</code></td>"
        f"<td>{escape(unit(p.name))}, {p.lo:g} to {p.hi:g}</td><td>{escape(p.help)}"
        f"{' Source: ' + escape(p.anchor) + '.' if p.anchor else ''}</td></tr>" for p in PARAMS.values())
    return ("<h4>The levers, as the model names them</h4><table class='ccsim-levers'>"
            "<tr><th>slider</th><th>name</th><th>unit and range</th><th>what it does</th></tr>"
            f"{rows}</table>")


INFO_SECTIONS = (("what_is_it", "What is it"), ("things_to_notice", "Things to notice"),
                 ("things_to_try", "Things to try"))


def story_html(scenario) -> str:
    """The preset's story, Info texts and debrief as one block of HTML, every text escaped
    (one widget for the whole panel: each widget costs the first page load a few ms)."""
    parts = [f"<p><i>{escape(plain(scenario.story))}</i></p>"]
    for key, title in INFO_SECTIONS:
        if scenario.info.get(key):
            parts.append(f"<h4>{title}</h4><p>{escape(plain(scenario.info[key]))}</p>")
    if scenario.debrief:
        parts.append("<h4>Debrief</h4><ul>" + "".join(f"<li>{escape(plain(q))}</li>" for q in scenario.debrief)
                     + "</ul>")
    return "".join(parts)
