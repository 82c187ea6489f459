"""``analyze(DIR)``: tables (CSV and Parquet), figures (PNG) and a short Markdown report of a
sweep directory, put in place at the end through ccsim.output."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ccsim.output import output_dir
from ccsim.params import ParamError
from ccsim.sweep import plots
from ccsim.sweep.analysis import end_values, markdown_table, sensitivity, summarise
from ccsim.sweep.designs import design_from_dict
from ccsim.sweep.store import ResultStore
from ccsim.sweep.survival import failure_times, survival_table, wilson

MAX_TRAJECTORIES = 9   # design points drawn as weekly curves
MAX_RESPONSES = 8      # factors drawn as response curves


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
    survival = survival_table(ends, experiment["weeks"])
    _tables(out, end_values=ends, points=points, timeseries=timeseries, survival=survival)
    if indices is not None:
        _tables(out, sensitivity=indices)
    if pairs is not None:
        _tables(out, sensitivity_pairs=pairs)
    if failures:
        _tables(out, failures=pd.DataFrame(failures).drop(columns=["traceback"]))

    figures = []
    if design.kind == "full_factorial" and len(names) == 2:
        plots.heatmap(points, names[0], names[1], metrics, out / "heatmap.png")
        figures.append(("Two-factor grid: mean end values", "heatmap.png"))
    for factor in names[:MAX_RESPONSES]:
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
    if indices is not None:
        plots.sensitivity_bars(indices, design.kind, out / "sensitivity.png")
        figures.append((f"{design.kind.capitalize()} sensitivity indices (95% CI)",
                        "sensitivity.png"))
    report = _report(manifest, ends, points, indices, pairs, why_not, failures, figures,
                     failure_times(ends, experiment["weeks"]))
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


def _survival_lines(times: pd.DataFrame, weeks: int) -> list[str]:
    """Share perished per design point with Wilson's interval (if any firm perished)."""
    if not times.event.any():
        return ["## Survival", "", f"No firm ran out of cash within {weeks} weeks.", ""]
    grouped = times.groupby("point").event
    table = pd.DataFrame({"runs": grouped.size(), "perished": grouped.sum()})
    table["share"] = table.perished / table.runs
    table["lo"], table["hi"] = wilson(table.perished, table.runs)
    table = table.reset_index().sort_values("share", ascending=False)
    lines = ["## Survival", "",
             f"{int(times.event.sum())} of {len(times)} runs ran out of cash. Share perished by "
             f"week {weeks} per design point, with Wilson's 95% interval; Kaplan-Meier survival "
             "curves with Greenwood's 95% interval (log-log) per point in survival.csv "
             "(a run that did not perish is censored at its last week).", ""]
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
    return (f"Provenance: ccsim {p['ccsim_version']} (code hash {p['code_hash']}), Python "
            f"{p['python']}, {libraries}; every parameter's value in manifest.json (params)")


def _report(manifest, ends, points, indices, pairs, why_not, failures, figures, times) -> str:
    e, d = manifest["experiment"], manifest["design"]
    n_runs = len(manifest["runs"])
    first = e["reporters"][0]
    lines = [
        f"# {e['title']}", "",
        e.get("description") or "", "",
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
        "", "Intervals are 95% confidence intervals of the mean over replications (Student t).",
        "", f"## {first} at the end, by design point", "",
    ]
    table = points[points.metric == first].drop(columns="metric")
    ranked = table.sort_values("mean", ascending=False)
    if len(ranked) > 20:
        lines.append(f"Top and bottom 10 of {len(ranked)} points:")
        lines.append("")
        ranked = pd.concat([ranked.head(10), ranked.tail(10)])
    lines += [markdown_table(ranked), ""]
    lines += _survival_lines(times, e["weeks"])
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
    lines += ["## Figures", ""]
    lines += [f"### {title}\n\n![{title}]({name})\n" for title, name in figures]
    lines += ["Tables: end_values, points, timeseries, survival"
              + (", sensitivity" if indices is not None else "")
              + (", sensitivity_pairs" if pairs is not None else "") + " (CSV and Parquet).", ""]
    return "\n".join(lines)
