"""Write the Sensitivity section of docs/ODD.md from the analysed Morris and Sobol sweeps.

    python experiments/sensitivity_tables.py out/sensitivity [--odd docs/ODD.md]

Reads DIR/morris/analysis and DIR/sobol/analysis (``ccsim analyze``) and DIR/morris.commit
and DIR/sobol.commit (the commit each sweep ran on, written by ``make morris`` and ``make
sobol``); replaces the text between the
two SENSITIVITY markers of the ODD with the tables (Morris mu* with its 95% interval and
sigma, ranked; Sobol S1 and ST with their intervals; the seed-noise share of each
output's variance), draws the Morris ranking and copies the Sobol figure to docs/figures/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from ccsim.output import odd_section_command, replace_block
from ccsim.params import PARAMS

START, END = "<!-- SENSITIVITY:START -->", "<!-- SENSITIVITY:END -->"
TOP = 8              # parameters named as the most influential
NEGLIGIBLE = 0.05    # mu* below this share of the largest, on every output


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _table(header, rows) -> list[str]:
    return [_row(header), "|" + "---|" * len(header), *(_row(r) for r in rows)]


def _runs(directory: Path) -> tuple[int, int, int, str]:
    """(points, replications, weeks, model hash) of a sweep, from its manifest."""
    manifest = json.loads((directory / "manifest.json").read_text())
    experiment = manifest["experiment"]
    return (len(manifest["design"]["points"]), experiment["replications"], experiment["weeks"],
            manifest["provenance"]["model_hash"])


def morris_scores(analysis: Path) -> tuple[pd.DataFrame, pd.Series]:
    """SALib's Morris table with ``scaled`` (each output's mu* over its largest), and the
    parameters' mean scaled mu*, largest first."""
    s = pd.read_csv(analysis / "sensitivity.csv")
    s["scaled"] = s.mu_star / s.groupby("metric").mu_star.transform("max")
    return s, s.groupby("factor").scaled.mean().sort_values(ascending=False)


def morris_figure(analysis: Path, path: Path) -> None:
    """The ranking as one bar per parameter, each output's scaled mu* as a dot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s, order = morris_scores(analysis)
    fig, ax = plt.subplots(figsize=(9, 0.28 * len(order) + 1.5))
    rows = range(len(order))[::-1]
    ax.barh(rows, order.values, color="#bbbbbb", label="mean over the outputs")
    for metric, part in s.groupby("metric", sort=False):
        ax.plot(part.set_index("factor").scaled[order.index], rows, "o", ms=4, label=metric)
    ax.set_yticks(rows, order.index)
    ax.set_xlabel("Morris mu*, divided by the largest for each output")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def morris_table(analysis: Path) -> list[str]:
    """Parameters ranked by mu* (each output's mu* divided by its largest, averaged)."""
    s, order = morris_scores(analysis)
    metrics = list(dict.fromkeys(s.metric))
    cell = {(r.factor, r.metric): f"{r.mu_star:.3g} ± {_small(r.mu_star_conf, r.mu_star):.2g} "
                                   f"({r.sigma:.3g})" for r in s.itertuples()}
    rows = [(rank, f"`{factor}`", PARAMS[factor].group, f"{score:.2f}",
             *(cell[factor, m] for m in metrics))
            for rank, (factor, score) in enumerate(order.items(), 1)]
    weak = s.groupby("factor").scaled.max()
    weak = [f"`{f}`" for f in order.index if weak[f] < NEGLIGIBLE]
    words = (f"Most influential: {', '.join(f'`{f}`' for f in order.index[:TOP])}. Negligible "
             f"(mu* under {NEGLIGIBLE:.0%} of the largest on every output): "
             f"{', '.join(weak) if weak else 'none'}.")
    return [words, "", *_table(["rank", "parameter", "group", "mean scaled mu*", *metrics], rows)]


def _small(value: float, scale: float) -> float:
    """``value``, or 0 where it is rounding noise against ``scale``."""
    return value if abs(value) > 1e-9 * max(abs(scale), 1.0) else 0.0


def sobol_table(analysis: Path) -> list[str]:
    s = pd.read_csv(analysis / "sensitivity.csv")
    metrics = list(dict.fromkeys(s.metric))
    cell = {(r.factor, r.metric): f"{r.S1:.2f} ± {r.S1_conf:.2f} / {r.ST:.2f} ± {r.ST_conf:.2f}"
            for r in s.itertuples()}
    factors = s[s.metric == metrics[0]].sort_values("ST", ascending=False).factor
    return _table(["lever", *metrics], [(f"`{f}`", *(cell[f, m] for m in metrics)) for f in factors])


def noise_table(analysis: Path) -> list[str]:
    n = pd.read_csv(analysis / "noise_share.csv")
    return _table(["output", "seed noise (within)", "levers (between)", "noise share"],
                  [(r.metric, f"{r.within:.3g}", f"{r.between:.3g}", f"{r.share:.0%}")
                   for r in n.itertuples()])


def section(directory: Path) -> str:
    morris, sobol = directory / "morris", directory / "sobol"
    mp, mr, mw, mhash = _runs(morris)
    sp, sr, sw, shash = _runs(sobol)
    mcommit, scommit = ((directory / f"{n}.commit").read_text().strip() for n in ("morris", "sobol"))
    lines = [
        f"Produced by `make sensitivity`: Morris on commit {mcommit} (model hash {mhash}), "
        f"{mp} points x {mr} replications of {mw} weeks; Sobol on commit {scommit} (model "
        f"hash {shash}), {sp} points x {sr} replications of {sw} weeks; common seeds.",
        "",
        "**Morris screening, every parameter** (mu* ± the half-width of its bootstrap 95% "
        "interval, sigma in brackets, at the end of the run; ranked by each output's mu* "
        "divided by the largest for that output, averaged over the outputs).",
        "",
        *morris_table(morris / "analysis"),
        "",
        "![Morris ranking: scaled mu* per parameter](figures/morris.png)",
        "",
        "**Sobol indices of the culture levers** (first-order S1 / total ST, each ± the "
        "half-width of its bootstrap 95% interval; levers in order of ST on the first output).",
        "",
        *sobol_table(sobol / "analysis"),
        "",
        "![Sobol S1 and ST](figures/sobol.png)",
        "",
        "**Seed noise in the Sobol runs**: the variance between replications of one point "
        "(the point x replication interaction, as seeds are common) against the variance the "
        "levers add between points; the indices above are computed on point means and cannot "
        "tell noise from a lever's effect, so a large noise share widens their intervals.",
        "",
        *noise_table(sobol / "analysis"),
    ]
    return "\n".join(lines)


def write(directory: Path, odd: Path) -> None:
    replace_block(odd, START, END, section(directory))
    figures = odd.parent / "figures"
    figures.mkdir(exist_ok=True)
    morris_figure(directory / "morris" / "analysis", figures / "morris.png")
    shutil.copy(directory / "sobol" / "analysis" / "sensitivity.png", figures / "sobol.png")
    print(f"wrote the Sensitivity section of {odd} and {figures}/")


if __name__ == "__main__":
    odd_section_command(__doc__, write)
