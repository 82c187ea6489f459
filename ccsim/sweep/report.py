"""``analyze(DIR)``: tables (CSV and Parquet), figures (PNG) and a short Markdown report of a
sweep directory, put in place at the end through ccsim.output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ccsim.intervals import half_width
from ccsim.output import output_dir
from ccsim.params import ParamError
from ccsim.sweep import plots
from ccsim.sweep.analysis import (
    CONF_LEVEL,
    MAX_INDEX_WEEKS,
    RESAMPLES,
    convergence,
    end_values,
    markdown_table,
    noise_share,
    sensitivity,
    sensitivity_over_time,
    summarise,
)
from ccsim.sweep.designs import design_from_dict
from ccsim.sweep.store import ResultStore
from ccsim.sweep.survival import failure_times, survival_table, time_to_failure

MAX_TRAJECTORIES = 9   # design points drawn as weekly curves
RUN_ROWS = 1_000_000   # rows per row group of runs.parquet
NOISE_SHARE = 0.3      # warn when seed noise is this share of the runs' variance or more
ST_SUM = 1.5           # warn when Sobol total indices sum to more
WIDE_INDEX = 0.1       # warn when the median half-width of ST is wider


def analyze(sweep_dir, out=None) -> Path:
    """Analyse the sweep in ``sweep_dir``; return the directory written (default DIR/analysis)."""
    store = ResultStore(sweep_dir)
    manifest = store.manifest()
    if manifest is None:
        raise ParamError(f"{sweep_dir}: no sweep here (no manifest.json); run ccsim sweep first")
    runs = store.load_runs()
    if runs.empty:
        raise ParamError(f"{sweep_dir}: no finished runs yet; run ccsim sweep --resume")
    out = Path(out) if out else Path(sweep_dir) / "analysis"
    with output_dir(out, "analyze", inputs=[sweep_dir]) as tmp:
        _write(manifest, runs, store.load_failures(), tmp)
    return out


def _tables(out: Path, **tables: pd.DataFrame) -> None:
    for name, table in tables.items():
        table.to_csv(out / f"{name}.csv", index=False)
        table.to_parquet(out / f"{name}.parquet", index=False)


def _write(manifest: dict, runs: pd.DataFrame, failures: list[dict], out: Path) -> None:
    experiment = manifest["experiment"]
    design = design_from_dict(manifest["design"])
    names = list(design.names)
    metrics = list(experiment["reporters"])
    ends = end_values(runs)
    points = summarise(ends, ["point", *names], metrics)
    timeseries = summarise(runs, ["point", *names, "week"], metrics)
    indices, pairs, why_not = sensitivity(design, ends, metrics, experiment["seed"])
    times = failure_times(ends, experiment["weeks"])
    survival = survival_table(times)
    factors = ends.groupby("point")[names].first().reset_index()
    failing = factors.merge(time_to_failure(times, survival), on="point")
    _tables(out, end_values=ends, points=points, timeseries=timeseries, survival=survival,
            time_to_failure=failing)
    # every run's rows in one file: a run file is mostly its footer (schema and statistics)
    runs.to_parquet(out / "runs.parquet", index=False, compression="zstd", row_group_size=RUN_ROWS)
    noise = noise_share(ends, metrics, experiment["common_seeds"])
    _tables(out, noise_share=noise)
    over_time = converging = None
    if indices is not None:
        over_time = sensitivity_over_time(design, runs, metrics, experiment["seed"])
        converging = convergence(design, ends, metrics, experiment["seed"])
        _tables(out, sensitivity=indices, sensitivity_over_time=over_time,
                sensitivity_convergence=converging)
    if pairs is not None:
        _tables(out, sensitivity_pairs=pairs)
    if failures:
        _tables(out, failures=pd.DataFrame(failures).drop(columns=["traceback"]))

    figures = []
    if design.kind == "full_factorial" and len(names) == 2:
        plots.heatmap(points, names[0], names[1], metrics, out / "heatmap.png")
        figures.append(("Two-factor grid: mean end values", "heatmap.png"))
    for factor in names:     # every factor (a Morris screening has many)
        others = [n for n in names if n != factor]
        by = None
        if design.kind == "full_factorial" and len(others) == 1:
            if ends[others[0]].nunique() <= plots.MAX_LINES:
                by = others[0]
        plots.response(ends, factor, metrics, out / f"response_{factor}.png", by=by,
                       binned=design.kind != "full_factorial")
        figures.append((f"Response to {factor}", f"response_{factor}.png"))
    shown = _trajectory_points(design, ends)
    if shown is not None:
        plots.trajectories(timeseries[timeseries.point.isin(shown)], names, metrics,
                           out / "trajectories.png")
        figures.append(("Weekly trajectories (mean and 95% CI)", "trajectories.png"))
    if survival.events.sum() > 0:
        drawn = shown if shown is not None else sorted(survival.point.unique())[:MAX_TRAJECTORIES]
        labels = {p: ", ".join(f"{k}={v:g}" for k, v in zip(names, design.X[p])) for p in drawn}
        plots.survival_curves(survival[survival.point.isin(drawn)], labels, experiment["weeks"],
                              out / "survival.png")
        some = "" if len(drawn) == survival.point.nunique() else \
            f", {len(drawn)} of {survival.point.nunique()} design points (all in survival.csv)"
        figures.append((f"Survival: Kaplan-Meier per design point{some}", "survival.png"))
    if over_time is not None and not over_time.empty:
        plots.sensitivity_over_time(over_time, design.kind, out / "sensitivity_over_time.png")
        figures.append(("Which lever matters when: sensitivity per week", "sensitivity_over_time.png"))
    if indices is not None and converging["samples"].nunique() > 1:
        plots.convergence(converging, design.kind, out / "sensitivity_convergence.png")
        figures.append(("Convergence: the indices from the first n samples",
                        "sensitivity_convergence.png"))
    if indices is not None:
        plots.sensitivity_bars(indices, design.kind, out / "sensitivity.png")
        figures.append((f"{design.kind.capitalize()} sensitivity indices (95% CI)",
                        "sensitivity.png"))
    report = _report(manifest, ends, points, indices, pairs, why_not, failures, figures,
                     times, failing, noise, converging)
    (out / "report.md").write_text(report)


def _trajectory_points(design, ends) -> list[int] | None:
    """Points to draw week by week: all if few, else a factorial's corners if few."""
    present = sorted(ends.point.unique())
    if len(present) <= MAX_TRAJECTORIES:
        return present
    if design.kind != "full_factorial":
        return None
    lo, hi = design.X.min(axis=0), design.X.max(axis=0)
    corners = [p for p in present if ((design.X[p] == lo) | (design.X[p] == hi)).all()]
    return corners if len(corners) <= MAX_TRAJECTORIES else None


def _replications(ends) -> str:
    per_point = ends.groupby("point").run.nunique()
    low, high = int(per_point.min()), int(per_point.max())
    return f"{low}" if low == high else f"{low} to {high}"


def _survival_lines(times: pd.DataFrame, failing: pd.DataFrame, weeks: int) -> list[str]:
    """Share perished and median time to failure per design point (if any firm perished)."""
    if not times.event.any():
        return ["## Survival", "", f"No firm ran out of cash within {weeks} weeks.", ""]
    table = failing.sort_values(["share", "median"], ascending=[False, True])
    lines = ["## Survival", "",
             f"{int(times.event.sum())} of {len(times)} runs ran out of cash. Per design point: "
             f"the share perished by week {weeks} with Wilson's 95% interval (share_lo, share_hi), "
             "and the median time to failure, the first week the Kaplan-Meier survival is at or "
             "below 0.5, with its 95% interval (median_lo, median_hi: where the band's limits "
             "are; empty: not reached within the runs). Survival curves and their 95% band "
             "(Greenwood, log-log; scipy.stats.ecdf) per point in survival.csv, this table in "
             "time_to_failure.csv; a run that did not perish is censored at its last week.", ""]
    if len(table) > 20:
        lines += [f"The 20 of {len(table)} points with most firms perished:", ""]
    return lines + [markdown_table(table.head(20)), ""]


def _provenance(manifest) -> str:
    """ccsim's version, code hash and the libraries' versions (manifest format 2), or a note
    that an older manifest did not record them."""
    p = manifest.get("provenance")
    if p is None:
        return (f"Provenance: ccsim {manifest['ccsim_version']}; this sweep's manifest (format "
                f"{manifest['format']}) records neither the code's hash nor the libraries' versions")
    libraries = ", ".join(f"{k} {v}" for k, v in p["libraries"].items())
    return (f"Provenance: ccsim {p['ccsim_version']} (code hash {p['code_hash']}, model code "
            f"{p.get('model_hash', p['code_hash'])}), Python "
            f"{p['python']}, {libraries}; every parameter's value in manifest.json (params)")


def _cautions(manifest, ends, points, indices, noise) -> list[str]:
    """What a reader must know before trusting the numbers: too few replications, seed
    noise, total indices far above 1, wide intervals, factors with exactly zero effect."""
    e = manifest["experiment"]
    said = []
    replications = int(ends.groupby("point").run.nunique().min())
    if replications < 2:
        said.append("One replication at some design point: its mean has no interval, and seed "
                    "noise cannot be told from the factors' effects.")
    elif replications < 5:
        t = float(half_width(1.0, replications) * np.sqrt(replications))
        said.append(f"Only {replications} replications at some design point: the t intervals "
                    f"have {replications - 1} degree{'s' * (replications > 2)} of freedom (t = {t:.1f}), so "
                    f"they are wide.")
    for row in noise.itertuples():
        if row.share >= NOISE_SHARE:
            said.append(f"{row.metric}: seed noise (the variance between replications of one "
                        f"point) is {row.share:.0%} of the variance; what the "
                        f"indices and the point means attribute to the factors is partly noise: "
                        f"add replications or weeks.")
    for metric, part in points.groupby("metric", sort=False):
        half = float((part.ci_hi - part["mean"]).median())
        spread = float(part["mean"].std(ddof=1)) if len(part) > 1 else np.nan
        if half > spread:
            said.append(f"{metric}: the 95% intervals of the point means (median half-width "
                        f"{half:.3g}) are wider than the spread between points (SD {spread:.3g}).")
    if indices is None:
        return said
    for metric, part in indices.groupby("metric", sort=False):
        if "ST" in part:
            total = float(part.ST.sum())
            if total > ST_SUM:
                said.append(f"{metric}: the total indices sum to {total:.2f}, well above 1: with "
                            f"these samples and replications the estimates are mostly noise "
                            f"(or the factors interact strongly).")
            wide = float(part.ST_conf.median())
            if wide > WIDE_INDEX:
                said.append(f"{metric}: the indices' 95% intervals are wide (median half-width "
                            f"of ST {wide:.2f}): more samples (N) would narrow them.")
        else:
            top = part.mu_star.max()
            if top > 0 and float((part.mu_star_conf / top).median()) > 0.5:
                said.append(f"{metric}: the intervals of mu* are wide against the largest mu* "
                            f"({top:.3g}): more trajectories would narrow them.")
        for factor in part.factor[part.zero_effect]:
            said.append(f"{factor} has exactly zero effect on {metric}: no change of it alone "
                        f"changed {metric} at any sampled point (it does not act on it, or not "
                        f"within {e['weeks']} weeks).")
    return said


def _unsettled(converging) -> list[str]:
    """A caution per output whose ranking of factors (by ST, or mu*) from the first half of
    the samples differs from the ranking from all of them."""
    if converging is None or converging["samples"].nunique() < 2:
        return []
    said = []
    index = "ST" if "ST" in set(converging["index"]) else "mu_star"
    ranked = converging[converging["index"] == index]
    last, half = sorted(ranked.samples.unique())[-1], sorted(ranked.samples.unique())[-2]
    for output, part in ranked.groupby("output", sort=False):
        order = {n: list(part[part.samples == n].sort_values("value", ascending=False).factor)
                 for n in (half, last)}
        if order[half] != order[last]:
            said.append(f"{output}: the factors rank differently by {index} from the first {half} "
                        f"samples than from all {last} (sensitivity_convergence.csv): the ranking "
                        f"has not settled; more samples would tell.")
    return said


def _hypercube(d) -> str:
    """A Latin hypercube design in words: one, or grown in batches."""
    batches = d["options"].get("batches", [len(d["points"])])
    if len(batches) == 1:
        return f"a Latin hypercube sample of {len(d['points'])} points (scipy)"
    return (f"a Latin hypercube sample of {len(d['points'])} points drawn in {len(batches)} batches "
            f"({' + '.join(map(str, batches))}; scipy), each batch a Latin hypercube of its own drawn "
            f"with its own seed from the base seed as the sweep grew; their union is not a Latin "
            f"hypercube")


def _methods(manifest, ends, times) -> str:
    """A paragraph a researcher can paste: design, sizes, seeds, intervals, versions."""
    e, d = manifest["experiment"], manifest["design"]
    reps = _replications(ends)
    k = len(d["names"])
    design = {"full_factorial": f"a full factorial design of {len(d['points'])} points",
              "latin_hypercube": _hypercube(d),
              "sobol": f"Saltelli's scheme for Sobol indices (SALib; N = {d['options'].get('samples')}"
                       f", {len(d['points'])} points)",
              "morris": f"Morris's elementary effects (SALib; {d['options'].get('trajectories')} "
                        f"trajectories, {d['options'].get('levels')} levels, {len(d['points'])} "
                        f"points)"}[d["kind"]]
    p = manifest.get("provenance")
    versions = (f"ccsim {p['ccsim_version']} (code hash {p['code_hash']}), Python {p['python']}, "
                + ", ".join(f"{n} {v}" for n, v in p["libraries"].items()) if p else
                f"ccsim {manifest['ccsim_version']} (library versions not recorded)")
    level = f"{CONF_LEVEL:.0%}"
    text = (
        f"We varied {k} parameters ({', '.join(d['names'])}) of ccsim's preset "
        f"`{manifest['scenario']['name']}` in {design}, with {reps} replications per point "
        f"({ends.run.nunique()} runs finished of {len(manifest['runs'])}), each run {e['weeks']} "
        f"weeks long; every other parameter held at the values in manifest.json. Each run's "
        f"seed was derived from the base seed {e['seed']} by numpy's SeedSequence with the run's "
        f"(point, replication) as spawn key"
        + (" (common random numbers: replication r shares its seed across points)"
           if e["common_seeds"] else "") + f"; outputs were kept every {e['every']} weeks. "
        f"Means over replications carry {level} Student-t intervals (n - 1 degrees of freedom); "
        f"the share of runs perished carries Wilson's {level} score interval; survival is the "
        f"Kaplan-Meier estimate per design point ({int(times.event.sum())} of {len(times)} runs "
        f"ran out of cash; the others censored at their last week) with {level} intervals from "
        f"Greenwood's variance on the log-log scale, both computed by scipy.stats.ecdf; the "
        f"median time to failure is the first week the estimate is at or below 0.5, its "
        f"interval read off the band (Brookmeyer and Crowley 1982).")
    if d["kind"] == "sobol":
        text += (f" First-order and total Sobol indices (Saltelli et al. 2010 estimators) were "
                 f"computed by SALib on each point's mean over replications, at the end and at up "
                 f"to {MAX_INDEX_WEEKS} kept weeks, with {level} intervals from SALib's bootstrap "
                 f"({RESAMPLES} resamples, normal approximation).")
    elif d["kind"] == "morris":
        text += (f" Morris's mu* and sigma (Campolongo et al. 2007) were computed by SALib on "
                 f"each point's mean over replications, at the end and at up to "
                 f"{MAX_INDEX_WEEKS} kept weeks; mu*'s {level} interval is SALib's bootstrap "
                 f"over elementary effects, sigma's the same bootstrap over trajectories "
                 f"({RESAMPLES} resamples, normal approximation).")
    grown = manifest.get("extended", [])
    if grown:
        text += (f" The sweep was extended {len(grown)} time{'s' * (len(grown) > 1)} (from "
                 f"{', '.join(str(g['runs']) for g in grown)} runs); a run's seed depends only on "
                 f"its point and replication, so its runs are those one sweep of this design makes.")
    return text + f" Software: {versions}."


def _report(manifest, ends, points, indices, pairs, why_not, failures, figures, times,
            failing, noise, converging) -> str:
    e, d = manifest["experiment"], manifest["design"]
    n_runs = len(manifest["runs"])
    first = e["reporters"][0]
    lines = [
        f"# {e['title']}", "",
        f"*The experiment file's description:* {e['description']}" if e.get("description")
        else "", "",
        f"- Experiment: `{e['name']}` ({e.get('path') or 'no file'}), preset "
        f"`{manifest['scenario']['name']}`, ccsim {manifest['ccsim_version']}",
        f"- {_provenance(manifest)}",
        f"- Design: {d['kind']} over {', '.join(d['names'])}: {len(d['points'])} points x "
        f"{e['replications']} replications = {n_runs} runs of {e['weeks']} weeks; base seed "
        f"{e['seed']}{' (common seeds)' if e['common_seeds'] else ''}",
        f"- Finished: {ends.run.nunique()} runs; failed: {len(failures)}; missing: "
        f"{n_runs - ends.run.nunique() - len(failures)}",
        f"- Perished (cash ran out): {int(times.event.sum())} runs; "
        + ("each is in every later week, closed: what it trades 0, perished 1, the rest as in "
           "the week it perished" if manifest["format"] >= 2 else
           "(an older sweep: their rows stop the week they perished, and their end values are "
           "those of that week)"),
        f"- Replications run: {_replications(ends)} per design point",
        "", "Intervals: means over replications, 95% Student t; the share perished, Wilson; "
        "survival, Kaplan-Meier with Greenwood (log-log; scipy); sensitivity indices, SALib's bootstrap "
        "(Methods, at the end).",
        "", f"## {first} at the end, by design point", "",
    ]
    table = points[points.metric == first].drop(columns="metric")
    ranked = table.sort_values("mean", ascending=False)
    if len(ranked) > 20:
        lines.append(f"Top and bottom 10 of {len(ranked)} points:")
        lines.append("")
        ranked = pd.concat([ranked.head(10), ranked.tail(10)])
    lines += [markdown_table(ranked), ""]
    cautions = _cautions(manifest, ends, points, indices, noise) + _unsettled(converging)
    if cautions:
        lines += ["## Cautions", "", *(f"- {c}" for c in cautions), ""]
    lines += ["Seed noise: each output's variance at the end split into what lies between "
              "replications of one point (within) and what the factors add (between: the point "
              "means' variance less within / replications); share = within / (within + "
              "between)" + (", with common seeds the noise they do not cancel (the point x "
                            "replication interaction)" if manifest["experiment"]["common_seeds"]
                            else "") + " (noise_share.csv):", "",
              markdown_table(noise), ""]
    lines += _survival_lines(times, failing, e["weeks"])
    lines += ["## Sensitivity", ""]
    if indices is None:
        lines += [why_not.capitalize() + ".", ""]
    else:
        key = "ST" if d["kind"] == "sobol" else "mu_star"
        for metric, part in indices.groupby("metric", sort=False):
            lines += [f"**{metric}** (ranked by {key})", "",
                      markdown_table(part.drop(columns="metric").sort_values(key, ascending=False)),
                      ""]
    if pairs is not None:
        lines += ["Second-order Sobol indices (interactions of two factors):", ""]
        for metric, part in pairs.groupby("metric", sort=False):
            lines += [f"**{metric}**", "",
                      markdown_table(part.drop(columns="metric").sort_values("S2", ascending=False)), ""]
    if failures:
        lines += ["## Failed runs", ""]
        lines += [f"- run {f['run']} (seed {f['seed']}): {f['error']}" for f in failures[:20]]
        lines.append("")
    lines += ["## Methods", "", _methods(manifest, ends, times), ""]
    lines += ["## Figures", ""]
    lines += [f"### {title}\n\n![{title}]({name})\n" for title, name in figures]
    lines += ["Every run's rows: runs.parquet (one file). "
              "Tables: end_values, points, timeseries, survival, time_to_failure"
              + (", sensitivity, sensitivity_over_time, sensitivity_convergence" if indices is not None
                 else "")
              + (", sensitivity_pairs" if pairs is not None else "") + " (CSV and Parquet).", ""]
    return "\n".join(lines)
