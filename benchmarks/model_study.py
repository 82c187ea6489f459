"""A measuring instrument for one question: are the model's culture effects causes, not
noise?  Everything is measured at the model's defaults through
the public API only (ccsim.model.run, ccsim.runs.simulate, PARAMS, CULTURE_TRAITS, the
reporters of ccsim.metrics).

1. Noise: seed-to-seed SD of NPS, loyalty and cash at weeks 13, 52 and 260.
2. Nudge: mean |change in five-year NPS| when one culture lever moves by 1e-4, same seed
   (over 20 seeds, the target's; ``--nudge-seeds`` for a closer estimate of the mean).
3. Levers: each culture lever at 0.1 against 0.9, paired by seed, with 95% intervals and t;
   and what each moves inside the firm (the same pairs, the last year's mean of the
   reporters on its causal paths, docs/ODD.md "One causal path per lever"); with more
   than 8 pairs (``--seeds``), how often a random 8 of them (the target's number) detect
   each lever.
4. Presets: hippo against customer-centric on the same seeds.
5. Annual figures beside their published sources, and survival in a harsh world: a
   firm that mistreats customers (low empowerment and integrity) against a good
   culture, both under four times the calibrated pull of rivals (competition 1.5; not a
   high price: in the model a higher price only adds revenue).

    make study                                               # 260 weeks, 20 seeds
    .venv/bin/python benchmarks/model_study.py --quick       # 104 weeks, 5 seeds
    .venv/bin/python benchmarks/model_study.py --json out/study.json   # also a summary
    .venv/bin/python benchmarks/model_study.py --seeds 48 --nudge-seeds 200   # closer estimates
    PYTHONPATH=OTHER_CHECKOUT .venv/bin/python benchmarks/model_study.py   # another model

Prints Markdown tables and writes them as CSV, with study.md and summary.json, to --out.
What the model does not report (a missing reporter, attribute or parameter, a run that
raises) is "not reported", never a crash.  A firm that perishes keeps its last values to
the end, as ``ccsim compare`` does.  Seeds are 1..N, so two runs of the study agree.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import ccsim.model
from ccsim.intervals import mean_interval
from ccsim.metrics import METRICS
from ccsim.output import output_dir, write_atomic
from ccsim.params import CULTURE_TRAITS, PARAMS, ParamError
from ccsim.runs import simulate

NOT_REPORTED = "not reported"
CHECK_WEEKS = (13, 52, 260)
NOISE = ("nps", "loyalty", "cash")
OUTCOMES = ("nps", "loyalty", "cash", "customers")   # "detectable" counts on these
# the states on the levers' causal paths, read as the mean over the last year
INSIDE = ("leader_knowledge", "offering_fit", "employee_voice", "morale", "resolved_share",
          "problems", "pushed")
NUDGE = 1e-4
LOW, HIGH = 0.1, 0.9
DETECTABLE_T = 2.4
TARGET_SEEDS = 8        # the target's paired seeds: with more run, how often 8 of them detect a lever
PRESETS = ("hippo", "customer-centric")
# a firm that mistreats customers against a good culture, both under strong competition
HARSH = {"competition": 1.5} if "competition" in PARAMS else None   # four times the calibrated pull
MISTREATS = {"empowerment": LOW, "integrity": LOW}
GOOD = {"empowerment": HIGH, "integrity": HIGH}
# what the model may say about itself; staff turnover: a weekly reporter `staff_turnover`
# (share of staff who left) or an attribute `staff_left` (leavers over the run)
ATTRIBUTES = ("perished", "ideas_helpful", "ideas_total", "staff_left", "n_employees")
SOURCES = {
    "churn": "about 20% a year, 15% with better retention (Reichheld & Sasser 1990, as "
             "ccsim's retention anchor uses them)",
    "staff": "about 3% a month, 31% a year (labour statistics, as params.py cites them)",
    "learning": "none published: weeks per period of March's (1991) learning are a model "
                "choice (docs/ODD.md); knowledge formed within a quarter would be too fast",
    "ideas": "about 1/3 of ideas improve their target metric, 0.1-0.4 (Kohavi et al. 2009)",
    "talk": "positive : negative word of mouth about 3:1, 2-4 (East, Hammond & Wright 2007)",
    "perished": "no published rate; expected: a firm that mistreats customers under strong "
                "competition can run out of cash, and good cultures survive more often",
}


@dataclass(frozen=True)
class Job:
    """One run: a preset (None: the model's defaults), its length, seed and parameters."""

    preset: str | None
    weeks: int
    seed: int
    params: tuple = ()


def job(weeks: int, seed: int, preset: str | None = None, **params) -> Job:
    return Job(preset, weeks, seed, tuple(sorted(params.items())))


def run_job(one: Job) -> dict:
    """Run ``one``: its reporters by week and the model's numeric ATTRIBUTES, or its error."""
    try:
        if one.preset is None:
            model = ccsim.model.run(one.weeks, rng=one.seed, **dict(one.params))
        else:
            model = simulate(one.preset, one.weeks, one.seed, dict(one.params))
        result = {"frame": model.dataframe()}
    except Exception as error:   # a model being rebuilt may refuse a run: that is a finding
        return {"error": f"{type(error).__name__}: {error}"}
    for name in ATTRIBUTES:
        value = getattr(model, name, None)
        if isinstance(value, (bool, int, float, np.number)):
            result[name] = float(value)
    return result


def run_all(jobs: list[Job], workers: int) -> dict[Job, dict]:
    """Each distinct job once, on ``workers`` forkserver processes."""
    unique = list(dict.fromkeys(jobs))
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return dict(zip(unique, pool.map(run_job, unique, chunksize=4)))


# ----- reading runs -----

def series(result: dict, name: str) -> pd.Series | None:
    frame = result.get("frame")
    return frame[name] if frame is not None and name in frame.columns else None


def reading(name: str, week: int):
    """A reader of reporter ``name`` at ``week``, for ``values`` and ``differences``."""
    return lambda result: at(result, name, week)


def last_year(name: str, week: int):
    """A reader of reporter ``name``'s mean over the 52 weeks up to ``week``."""
    def read(result):
        weekly = series(result, name)
        return None if weekly is None or weekly.empty else float(weekly.loc[week - 51:week].mean())
    return read


def at(result: dict, name: str, week: int) -> float | None:
    """Reporter ``name`` at ``week`` (a perished firm's last value), None if not reported."""
    weekly = series(result, name)
    if weekly is None or weekly.empty:
        return None
    return float(weekly.loc[:week].iloc[-1])


def values(results: dict, jobs: list[Job], read) -> list[float]:
    """``read(result)`` for each job's run, leaving out what is not reported."""
    out = (read(results[j]) for j in jobs)
    return [v for v in out if v is not None and math.isfinite(v)]


def differences(results: dict, pairs: list[tuple[Job, Job]], read) -> list[float]:
    """``read(b) - read(a)`` for each pair whose two runs both report it."""
    out = (values(results, [a, b], read) for a, b in pairs)
    return [vb - va for va, vb in (pair for pair in out if len(pair) == 2)]


def paired(diffs: list[float]) -> dict:
    """Mean difference, its 95% interval and the paired t (empty if under two pairs)."""
    if len(diffs) < 2:
        return {}
    d = np.asarray(diffs, dtype=float)
    mean, low, high = (float(x) for x in mean_interval(d))
    sd = float(d.std(ddof=1))
    t = mean / (sd / math.sqrt(len(d))) if sd > 0 else (0.0 if mean == 0 else math.copysign(math.inf, mean))
    return {"mean": mean, "low": low, "high": high, "t": t, "n": len(d)}


def decimals(name: str) -> int:
    """Digits for a difference or SD of reporter ``name``: one more than it shows."""
    return METRICS[name].decimals + 1 if name in METRICS else 2


def fmt(value, digits: int = 1, sign: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_REPORTED
    if math.isinf(value):
        return "+inf" if value > 0 else "-inf"
    return f"{value:{'+' if sign else ''},.{digits}f}"


def fmt_interval(stats: dict, digits: int) -> str:
    if "mean" not in stats:
        return NOT_REPORTED
    return (f"{fmt(stats['mean'], digits, True)} [{fmt(stats['low'], digits, True)}, "
            f"{fmt(stats['high'], digits, True)}]")


# ----- the five parts -----

def noise_rows(results, base: list[Job], weeks: int) -> list[dict]:
    """Seed-to-seed SD of each NOISE reporter at the CHECK_WEEKS within the run."""
    checks = [w for w in CHECK_WEEKS if w < weeks] + [weeks]
    rows = []
    for name in NOISE:
        row = {"metric": name}
        for week in checks:
            got = values(results, base, reading(name, week))
            row[f"sd_week_{week}"] = float(np.std(got, ddof=1)) if len(got) > 1 else None
        end = values(results, base, reading(name, weeks))
        row.update(runs=len(end), mean_end=mean_of(end), min_end=min(end, default=None),
                   max_end=max(end, default=None))
        rows.append(row)
    return rows


def nudged(lever: str) -> float:
    """The lever's default moved by NUDGE, inside its range."""
    p = PARAMS[lever]
    return p.default + NUDGE if p.default + NUDGE <= p.hi else p.default - NUDGE


def nudge_rows(results, base: list[Job], nudges: dict[str, list[Job]], weeks: int) -> list[dict]:
    rows = []
    for lever, moved in nudges.items():
        d = np.abs(differences(results, list(zip(base, moved)), reading("nps", weeks)))
        rng = np.random.default_rng(0)
        boot = [d[rng.integers(0, len(d), len(d))].mean() for _ in range(2000)] if len(d) > 1 else [np.nan]
        rows.append({"lever": lever, "runs": len(d),
                     "mean_abs_change": float(d.mean()) if len(d) else None,
                     "low": float(np.percentile(boot, 2.5)), "high": float(np.percentile(boot, 97.5)),
                     "max_abs_change": float(d.max()) if len(d) else None,
                     "unchanged": int(np.sum(d == 0))})
    return rows


def lever_rows(results, levers: dict[str, list[tuple[Job, Job]]], weeks: int,
               names=(*OUTCOMES, "perished"), read=reading) -> list[dict]:
    """One row per lever and reporter in ``names``: the paired difference 0.9 - 0.1 of
    ``read(name, weeks)`` (the share perished for "perished")."""
    rows = []
    for lever, pairs in levers.items():
        for name in names:
            if name == "perished":
                stats = paired(differences(results, pairs, lambda r: r.get("perished")))
            else:
                stats = paired(differences(results, pairs, read(name, weeks)))
            rows.append({"lever": lever, "metric": name, **stats,
                         "detectable": bool(stats) and abs(stats["t"]) > DETECTABLE_T})
    return rows


def power_rows(results, levers: dict[str, list[tuple[Job, Job]]], weeks: int, draws: int = 4000) -> list[dict]:
    """With more than TARGET_SEEDS pairs run: for each lever, the share of random sets of
    TARGET_SEEDS of them (the same sets for every outcome) on which the paired t passes
    DETECTABLE_T, per OUTCOME and on any; none with fewer pairs."""
    rows = []
    for lever, pairs in levers.items():
        d = np.array([differences(results, pairs, reading(name, weeks)) for name in OUTCOMES], float)
        if d.ndim != 2 or d.shape[1] <= TARGET_SEEDS:
            continue
        rng = np.random.default_rng(0)
        sets = np.array([rng.choice(d.shape[1], TARGET_SEEDS, replace=False) for _ in range(draws)])
        s = d[:, sets]                                              # (outcomes, draws, seeds)
        sd = s.std(axis=2, ddof=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(sd > 0, s.mean(axis=2) / (sd / np.sqrt(TARGET_SEEDS)), 0.0)
        hits = np.abs(t) > DETECTABLE_T
        rows.append({"lever": lever, "pairs": d.shape[1], **dict(zip(OUTCOMES, hits.mean(axis=1).tolist())),
                     "any": float(hits.any(axis=0).mean())})
    return rows


def preset_rows(results, runs: dict[str, list[Job]], weeks: int) -> tuple[list[dict], dict]:
    """Each preset's mean and SD of end NPS, and the gap (second - first) paired by seed."""
    read = reading("nps", weeks)  # noqa: E731
    rows = []
    for name, jobs in runs.items():
        got = values(results, jobs, read)
        rows.append({"preset": name, "runs": len(got), "mean_nps": float(np.mean(got)) if got else None,
                     "sd_nps": float(np.std(got, ddof=1)) if len(got) > 1 else None})
    first, second = runs.values()
    gap = paired(differences(results, list(zip(first, second)), read))
    return rows, gap


def compounded(weekly: pd.Series | None) -> float | None:
    """A weekly share compounded over each full year, mean over years 2 on (year 1 if only)."""
    if weekly is None:
        return None
    stay = 1 - weekly.loc[1:].to_numpy(dtype=float)
    years = len(stay) // 52
    if years == 0:
        return None
    yearly = 1 - stay[: years * 52].reshape(years, 52).prod(axis=1)
    return float(yearly[1:].mean() if years > 1 else yearly[0])


def staff_turnover(result: dict) -> float | None:
    if (weekly := series(result, "staff_turnover")) is not None:
        return compounded(weekly)
    frame, left, staff = result.get("frame"), result.get("staff_left"), result.get("n_employees")
    if frame is None or left is None or not staff or len(frame) < 2:
        return None
    return 1 - (1 - left / (staff * (len(frame) - 1))) ** 52


def learning_weeks(result: dict) -> float | None:
    """Weeks until leader knowledge covers 90% of its way from week 0 to its fifth-year
    level (the mean of its last 52 weeks)."""
    k = series(result, "leader_knowledge")
    if k is None or len(k) < 2:
        return None
    start, level = float(k.iloc[0]), float(k.iloc[-52:].mean())
    if abs(level - start) < 1e-9:
        return None
    reached = np.flatnonzero((k.to_numpy(dtype=float) - start) / (level - start) >= 0.9)
    return float(k.index[reached[0]])


def pooled_ratio(results, jobs: list[Job], top, bottom) -> float | None:
    """sum(top) / sum(bottom) over the runs that report both."""
    pairs = [(top(results[j]), bottom(results[j])) for j in jobs]
    pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
    total = sum(b for _, b in pairs)
    return sum(a for a, _ in pairs) / total if pairs and total else None


def total(name: str):
    return lambda r: float(s.loc[1:].sum()) if (s := series(r, name)) is not None else None


def mean_of(got: list[float]) -> float | None:
    return float(np.mean(got)) if got else None


def annual_rows(results, base: list[Job]) -> list[dict]:
    """Yearly and whole-run figures at defaults beside their published sources (SOURCES
    names them); per-run figures are a mean, with the runs' range."""
    per_run = {
        "churn": ("customer churn per year (weekly churn_rate compounded, mean over years 2 on)",
                  lambda r: compounded(series(r, "churn_rate")), "share"),
        "staff": ("staff turnover per year", staff_turnover, "share"),
        "learning": ("weeks until leader knowledge covers 90% of its rise to its fifth-year level",
                     learning_weeks, "weeks"),
    }
    rows = []
    for key, (figure, read, unit) in per_run.items():
        got = values(results, base, read)
        rows.append({"key": key, "figure": figure, "value": mean_of(got), "unit": unit,
                     "low": min(got, default=None), "high": max(got, default=None)})
    rows += [
        {"key": "ideas", "figure": "share of ideas that helped (ideas_helpful / ideas_total, pooled)",
         "value": pooled_ratio(results, base, lambda r: r.get("ideas_helpful"), lambda r: r.get("ideas_total")),
         "unit": "share"},
        {"key": "talk", "figure": "positive : negative word of mouth (recommendations / warnings, pooled)",
         "value": pooled_ratio(results, base, total("recommendations"), total("warnings")), "unit": ": 1"},
    ]
    return [{**row, "published": SOURCES[row["key"]], "runs": len(base)} for row in rows]


def survival_rows(results, worlds: list[tuple[str, str, list[Job]]]) -> list[dict]:
    rows = []
    for world, firm, jobs in worlds:
        got = values(results, jobs, lambda r: r.get("perished"))
        rows.append({"world": world, "firm": firm, "runs": len(got),
                     "perished": int(sum(got)) if got else None,
                     "share_perished": mean_of(got), "published": SOURCES["perished"]})
    return rows


# ----- the study -----

def plan(weeks: int, seeds: int, lever_seeds: int, nudge_seeds: int | None = None) -> dict:
    """The jobs of every part, by part (runs shared between parts are run once); the nudge
    over ``nudge_seeds`` seeds (default ``seeds``)."""
    reps = range(1, seeds + 1)
    base = [job(weeks, s) for s in reps]
    nudge_base = [job(weeks, s) for s in range(1, (nudge_seeds or seeds) + 1)]
    nudges = {lever: [job(weeks, s.seed, **{lever: nudged(lever)}) for s in nudge_base] for lever in CULTURE_TRAITS}
    levers = {lever: [(job(weeks, s, **{lever: LOW}), job(weeks, s, **{lever: HIGH}))
                      for s in range(1, lever_seeds + 1)] for lever in CULTURE_TRAITS}
    presets = {name: [job(weeks, s, name) for s in reps] for name in PRESETS}
    worlds = [("defaults", "defaults", base),
              *(("defaults", f"preset {name}", jobs) for name, jobs in presets.items())]
    if HARSH is not None:
        harsh = ", ".join(f"{k} {v:g}" for k, v in HARSH.items())
        worlds += [(harsh, f"mistreats customers ({_text(MISTREATS)})",
                    [job(weeks, s, **HARSH, **MISTREATS) for s in reps]),
                   (harsh, f"good culture ({_text(GOOD)})", [job(weeks, s, **HARSH, **GOOD) for s in reps]),
                   *((harsh, f"preset {name}", [job(weeks, s, name, **HARSH) for s in reps])
                     for name in PRESETS)]
    return {"base": base, "nudge_base": nudge_base, "nudges": nudges, "levers": levers, "presets": presets,
            "worlds": worlds}


def _text(params: dict) -> str:
    return ", ".join(f"{k} {v:g}" for k, v in params.items())


def markdown(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def lever_table(rows: list[dict], names=(*OUTCOMES, "perished")) -> tuple[str, list[str]]:
    """The lever table, one row per lever and a column per reporter in ``names``, and the
    levers detectable on an OUTCOME."""
    by = {(r["lever"], r["metric"]): r for r in rows}
    table, detectable = [], []
    for lever in dict.fromkeys(r["lever"] for r in rows):
        cells, hits = [], []
        for name in names:
            r = by[(lever, name)]
            digits = 2 if name == "perished" else decimals(name)
            cells.append(fmt_interval(r, digits) + (f" t {fmt(r['t'], 1, True)}" if "t" in r else "")
                         + (" *" if r["detectable"] else ""))
            if r["detectable"] and (name in OUTCOMES or name in INSIDE):
                hits.append(name)
        table.append([lever, *cells, ", ".join(hits) or "none"])
        if any(h in OUTCOMES for h in hits):
            detectable.append(lever)
    headers = ["lever", *("share perished" if n == "perished" else n for n in names),
               "detectable on" if set(names) & set(OUTCOMES) else "moved"]
    return markdown(headers, table), detectable


def report(parts: dict, weeks: int, seeds: int, lever_seeds: int) -> tuple[str, dict, dict]:
    """(the Markdown, the CSV tables by name, the summary)."""
    results = parts["results"]
    base = parts["base"]
    noise = noise_rows(results, base, weeks)
    nudge = nudge_rows(results, parts["nudge_base"], parts["nudges"], weeks)
    levers = lever_rows(results, parts["levers"], weeks)
    inside = lever_rows(results, parts["levers"], weeks, INSIDE, last_year)
    power = power_rows(results, parts["levers"], weeks)
    presets, gap = preset_rows(results, parts["presets"], weeks)
    annual = annual_rows(results, base)
    survival = survival_rows(results, parts["worlds"])
    sd_columns = [k for k in noise[0] if k.startswith("sd_week_")]
    out = [f"# Model study: {weeks} weeks, {seeds} seeds ({lever_seeds} paired for the lever table)"]

    out += [f"\n## 1. Noise: seed-to-seed SD over {seeds} seeds at defaults (target: five-year "
            f"NPS SD <= 15)\n",
            markdown(["metric", *(c.replace("sd_week_", "SD week ") for c in sd_columns),
                      f"mean week {weeks}", f"range week {weeks}"],
                     [[r["metric"], *(fmt(r[c], decimals(r["metric"])) for c in sd_columns),
                       fmt(r["mean_end"], decimals(r["metric"]), True),
                       f"{fmt(r['min_end'], decimals(r['metric']) - 1, True)} .. "
                       f"{fmt(r['max_end'], decimals(r['metric']) - 1, True)}"] for r in noise])]

    out += [f"\n## 2. Nudge: |change in week-{weeks} NPS| when a lever moves by {NUDGE:g}, same seed, "
            f"{len(parts['nudge_base'])} seeds (target: mean < 0.5 over 20)\n",
            markdown(["lever", "mean |change| [95% bootstrap]", "largest |change|", "seeds unchanged"],
                     [[r["lever"], f"{fmt(r['mean_abs_change'], 2)} [{fmt(r['low'], 2)}, {fmt(r['high'], 2)}]",
                       fmt(r["max_abs_change"], 2),
                       f"{r['unchanged']} of {r['runs']}"] for r in nudge])]

    text, detectable = lever_table(levers)
    out += [f"\n## 3. Levers at {HIGH} minus at {LOW} (others at defaults), week {weeks}, paired over "
            f"{lever_seeds} seeds: mean [95% interval] and paired t (* |t| > {DETECTABLE_T})\n",
            text, f"\nDetectable on NPS, loyalty, cash or customers: {len(detectable)} of "
                  f"{len(parts['levers'])} levers ({', '.join(detectable) or 'none'}).",
            f"\n### What each lever moves inside the firm: the same pairs, mean over the last "
            f"year (* |t| > {DETECTABLE_T})\n", lever_table(inside, INSIDE)[0]]
    if power:
        out += [f"\n### How often {TARGET_SEEDS} of these {lever_seeds} pairs detect each lever (|t| > "
                f"{DETECTABLE_T}; share of random sets of {TARGET_SEEDS}, the same sets for each outcome)\n",
                markdown(["lever", *OUTCOMES, "any of them"],
                         [[r["lever"], *(fmt(r[o], 2) for o in OUTCOMES), fmt(r["any"], 2)] for r in power])]

    first, second = PRESETS
    out += [f"\n## 4. Presets: week-{weeks} NPS over {seeds} seeds (target: gap >= 60)\n",
            markdown(["preset", "runs", "mean NPS", "SD"],
                     [[r["preset"], str(r["runs"]), fmt(r["mean_nps"], 1, True), fmt(r["sd_nps"], 1)]
                      for r in presets]),
            f"\nGap {second} - {first}, paired by seed: {fmt_interval(gap, 1)}"
            + (f", t {fmt(gap['t'], 1, True)}" if gap else "")]

    out += ["\n## 5. Annual figures at defaults beside their sources\n",
            markdown(["figure", "ccsim", "published"],
                     [[r["figure"], _annual_text(r), r["published"]] for r in annual]),
            "\n### Firms that perished\n",
            markdown(["world", "firm", "perished", "share"],
                     [[r["world"], r["firm"],
                       f"{r['perished']} of {r['runs']}" if r["perished"] is not None else NOT_REPORTED,
                       fmt(r["share_perished"], 2)] for r in survival]),
            f"\n{SOURCES['perished']}."]

    tables = {"noise": noise, "nudge": nudge, "levers": levers, "inside": inside, "power": power,
              "presets": presets + [{"preset": f"gap {second} - {first}", **gap}],
              "annual": annual, "survival": survival}
    nudges = [r for r in nudge if r["mean_abs_change"] is not None]
    largest = max(nudges, key=lambda r: r["mean_abs_change"], default=None)
    summary = {
        "weeks": weeks, "seeds": seeds, "lever_seeds": lever_seeds,
        "noise_sd": {r["metric"]: {c.removeprefix("sd_week_"): r[c] for c in sd_columns} for r in noise},
        "max_nudge": largest and largest["mean_abs_change"], "max_nudge_lever": largest and largest["lever"],
        "detectable_levers": len(detectable), "levers": len(parts["levers"]), "detectable": detectable,
        "nudge_seeds": len(parts["nudge_base"]),
        f"detected_by_{TARGET_SEEDS}_seeds": {r["lever"]: r["any"] for r in power},
        "preset_gap": gap or None,
        "perished": {f"{r['world']} / {r['firm']}": r["share_perished"] for r in survival},
        "annual": {r["key"]: r["value"] for r in annual},
    }
    return "\n".join(out), tables, summary


def _annual_text(row: dict) -> str:
    value = row["value"]
    if value is None:
        return NOT_REPORTED
    if row["unit"] == ": 1":
        return f"{value:.1f} : 1"
    show = (lambda v: f"{100 * v:.1f}%") if row["unit"] == "share" else (lambda v: f"{v:.0f}")
    text = show(value) + ("" if row["unit"] == "share" else f" {row['unit']}")
    return text + (f" (runs {show(row['low'])} to {show(row['high'])})" if row.get("low") is not None else "")


def finite(value):
    """``value`` with NaN and infinities as None, for JSON."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="out/study", help="directory for the CSV tables (default out/study)")
    parser.add_argument("--seeds", type=int, help="paired seeds of the lever table (default 8; --quick 4)")
    parser.add_argument("--nudge-seeds", type=int, help="seeds of the nudge (default 20, as the target; --quick 5)")
    parser.add_argument("--quick", action="store_true", help="a fast look: 104 weeks, 5 seeds")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--json", metavar="PATH", help="also write the summary there ('-': print it)")
    args = parser.parse_args(argv)
    weeks, seeds = (104, 5) if args.quick else (260, 20)
    lever_seeds = args.seeds or (4 if args.quick else 8)
    if lever_seeds < 2 or args.workers < 1 or (args.nudge_seeds or 1) < 1:
        parser.error("--seeds must be at least 2, --nudge-seeds and --workers at least 1")

    start = time.perf_counter()
    parts = plan(weeks, seeds, lever_seeds, args.nudge_seeds)
    jobs = [*parts["base"], *parts["nudge_base"], *(j for js in parts["nudges"].values() for j in js),
            *(j for pairs in parts["levers"].values() for pair in pairs for j in pair),
            *(j for js in parts["presets"].values() for j in js), *(j for _, _, js in parts["worlds"] for j in js)]
    parts["results"] = run_all(jobs, args.workers)
    text, tables, summary = report(parts, weeks, seeds, lever_seeds)
    seconds = time.perf_counter() - start
    errors = sorted({r["error"] for r in parts["results"].values() if "error" in r})
    failed = sum("error" in r for r in parts["results"].values())
    summary.update(runs=len(parts["results"]), failed=failed, seconds=round(seconds, 1))
    text += (f"\n\n{len(parts['results'])} runs on {args.workers} processes in {seconds:.0f} s"
             + (f"; {failed} failed, e.g. {errors[0]}" if failed else "") + "\n")
    print(text)
    summary_text = json.dumps(finite(summary), indent=1) + "\n"
    try:
        with output_dir(args.out, "study") as tmp:
            for name, rows in tables.items():
                pd.DataFrame(rows).to_csv(tmp / f"{name}.csv", index=False)
            (tmp / "study.md").write_text(text)
            (tmp / "summary.json").write_text(summary_text)
        if args.json == "-":
            print(summary_text, end="")
        elif args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            write_atomic(Path(args.json), summary_text.encode())
    except (ParamError, OSError) as error:
        print(f"model_study: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
