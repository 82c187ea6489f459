"""``ccsim validate [ANCHOR ...] [--reps R] [--seed S] [--out DIR]``: reproduce the
published anchors (ccsim.anchors) and print anchor, citation, published, ccsim, verdict.

With ``--out``, DIR gets validation.csv and validation.md (the table), and per anchor a
CSV and a PNG per table (March: one per figure), put in place at the end (ccsim.output).
Exit code 1 when an anchor fails.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from ccsim.anchors import ANCHORS, KINDS, Verdict, check
from ccsim.cli import UsageError
from ccsim.commands.run import whole_number
from ccsim.output import check_target, output_dir
from ccsim.params import MAX_SEED

MAX_REPS = 100_000   # the largest default is 1,000 (March); more is a typo
HELP = "reproduce published results (March 1991, Bass, peak-end, ...) and print a verdict table"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "validate", help=HELP, description=HELP + ". Anchors: " + ", ".join(ANCHORS) + ".")
    parser.add_argument("anchors", nargs="*", metavar="ANCHOR",
                        help="anchors to run (default: all): " + ", ".join(ANCHORS))
    parser.add_argument("--reps", default=None,
                        help="replications per anchor (default: each anchor's own)")
    parser.add_argument("--seed", default="0", help="random seed (default 0)")
    parser.add_argument("--out", metavar="DIR", help="write CSV, PNG and the table to DIR")
    parser.set_defaults(handler=main)


def main(args) -> int:
    names = list(dict.fromkeys(args.anchors)) or list(ANCHORS)
    unknown = [name for name in names if name not in ANCHORS]
    if unknown:
        raise UsageError(f"unknown anchor {unknown[0]!r}; allowed: {', '.join(ANCHORS)}")
    reps = None if args.reps is None else whole_number(args.reps, "--reps", 2, MAX_REPS)
    seed = whole_number(args.seed, "--seed", 0, MAX_SEED)
    out = Path(args.out) if args.out else None
    if out is not None:   # refuse a bad --out before the anchors run, not after
        check_target(out)
    verdicts = []
    for name in names:
        started = time.perf_counter()
        verdict = check(name, reps, seed)
        verdicts.append(verdict)
        took = time.perf_counter() - started
        print(f"{'PASS' if verdict.passed else 'FAIL'}  {name} ({took:.1f} s)", flush=True)
        if name == "march1991":
            for title, table in verdict.tables.values():
                print(f"\n{title} (mean [95% interval])")
                print(_march_display(title, table).to_string())
        for claim, gives, ok in verdict.claims:
            print(f"   {'ok ' if ok else 'NO '} {claim}: {gives}")
    summary = summary_table(verdicts)
    print()
    print(markdown(summary))
    failed = [v.anchor for v in verdicts if not v.passed]
    print(f"\n{len(verdicts) - len(failed)}/{len(verdicts)} anchors hold"
          + (f"; failing: {', '.join(failed)}" if failed else ""))
    emergent = [v for v in verdicts if ANCHORS[v.anchor][1] == "emergent"]
    print(f"{sum(v.passed for v in emergent)}/{len(emergent)} emergent rows hold; the kinds:")
    for kind, text in KINDS.items():
        print(f"  {kind}: {text}")
    if out is not None:
        write(out, verdicts, summary)
        print(f"wrote {out}/")
    return 1 if failed else 0


def summary_table(verdicts: list[Verdict]) -> pd.DataFrame:
    return pd.DataFrame([{"anchor": v.anchor, "kind": ANCHORS[v.anchor][1], "citation": v.citation,
                          "published": v.published, "ccsim": v.ccsim,
                          "verdict": "pass" if v.passed else "FAIL"}
                         for v in verdicts])


def markdown(summary: pd.DataFrame) -> str:
    """The table as Markdown (also what docs/ODD.md shows)."""
    lines = ["| " + " | ".join(summary.columns) + " |",
             "|" + "---|" * len(summary.columns)]
    for row in summary.itertuples(index=False):
        lines.append("| " + " | ".join(str(v).replace("|", "/") for v in row) + " |")
    return "\n".join(lines)


def _cell(mean, lo, hi) -> str:
    return f"{mean:.3f} [{lo:.3f}, {hi:.3f}]" if pd.notna(mean) else ""


def _march_display(title: str, table: pd.DataFrame) -> pd.DataFrame:
    """A March figure's table, wide, each cell 'mean [lo, hi]'."""
    if "n_slow" in table:
        shown = pd.DataFrame({"slow learners": table.n_slow})
        for prefix, label in (("code", "code, equilibrium"), ("fast20", "fast, period 20"),
                              ("slow20", "slow, period 20")):
            shown[label] = [_cell(*values) for values in
                            table[[f"{prefix}_mean", f"{prefix}_lo", f"{prefix}_hi"]].values]
        return shown.set_index("slow learners")
    row, column = {"p2": ("p1", "p2"), "p3": ("p3", "p1"), "period": ("period", "p3")}[
        "p2" if "p2" in table else "period" if "period" in table else "p3"]
    cells = table.assign(cell=[_cell(m, lo, hi) for m, lo, hi in table[["mean", "lo", "hi"]].values])
    wide = cells.pivot(index=row, columns=column, values="cell")
    wide.columns = [f"{column}={c:g}" for c in wide.columns]
    return wide


def write(out: Path, verdicts: list[Verdict], summary: pd.DataFrame) -> None:
    """CSV + PNG per table and the summary table, put in place at the end (ccsim.output)."""
    with output_dir(out, "validate") as temp:
        summary.to_csv(temp / "validation.csv", index=False)
        (temp / "validation.md").write_text(markdown(summary) + "\n")
        for verdict in verdicts:
            for stem, (title, frame) in verdict.tables.items():
                frame.to_csv(temp / f"{stem}.csv", index=False)
                plot(stem, title, frame, temp / f"{stem}.png")


def plot(stem: str, title: str, frame: pd.DataFrame, path: Path) -> None:
    """One projector-ready PNG per table (ccsim.plots style)."""
    import matplotlib.pyplot as plt

    from ccsim.colours import BLACK, LINES
    from ccsim.plots import projector_style

    colours = LINES
    with projector_style():
        fig, ax = plt.subplots(figsize=(12, 7.5))
        if {"mean", "lo", "hi"} <= set(frame):
            x, group = {"figure1": ("p1", "p2"), "figure4": ("p3", "p1"),
                        "figure5": ("period", "p3"), "bass": ("period", None)}[stem]
            groups = frame.groupby(group) if group else [(None, frame)]
            for colour, (key, part) in zip(colours, groups):
                label = f"{group} = {key:g}" if group else "ccsim (mean, 95% band)"
                ax.plot(part[x], part["mean"], color=colour, label=label, marker="o")
                ax.fill_between(part[x], part["lo"], part["hi"], color=colour, alpha=0.25)
            if stem == "bass":
                ax.plot(frame.period, frame.bass, color=BLACK, linestyle="--",
                        label="Bass recursion")
            ax.set_xlabel(x)
            ax.set_ylabel("share adopted" if stem == "bass" else "knowledge (code score / m)")
        elif stem == "figure23":
            for colour, (prefix, label) in zip(colours, (
                    ("code", "code at equilibrium"), ("fast20", "fast learners, period 20"),
                    ("slow20", "slow learners, period 20"))):
                ax.plot(frame.n_slow, frame[f"{prefix}_mean"], color=colour, marker="o", label=label)
                ax.fill_between(frame.n_slow, frame[f"{prefix}_lo"], frame[f"{prefix}_hi"],
                                color=colour, alpha=0.25)
            ax.set_xlabel("slow learners (p1 = 0.1) among 50")
            ax.set_ylabel("knowledge")
        elif {"morale", "satisfaction"} <= set(frame):
            ax.scatter(frame.morale, frame.satisfaction, s=60, color=colours[0], alpha=0.8,
                       label="one simulated firm")
            ax.set_xlabel("employee morale (firm mean)")
            ax.set_ylabel("customer satisfaction (firm mean)")
        elif {"humility", "learning", "performance"} <= set(frame):
            for colour, column in zip(colours, ("learning", "performance")):
                ax.scatter(frame.humility, frame[column], s=60, color=colour, alpha=0.8,
                           label=f"{column} (one simulated firm)")
            ax.set_xlabel("humility (psychological safety)")
            ax.set_ylabel("leaders' knowledge / customer satisfaction")
        else:
            numeric = [c for c in frame.columns[1:] if pd.api.types.is_numeric_dtype(frame[c])
                       and not c.endswith(("lo", "hi"))]
            scale = frame[numeric[0]].abs().max()
            numeric = [c for c in numeric if scale / 5 <= frame[c].abs().max() <= scale * 5][:4]
            labels = frame.iloc[:, 0].astype(str)
            width = 0.8 / max(len(numeric), 1)
            for i, column in enumerate(numeric):
                positions = [j + (i - (len(numeric) - 1) / 2) * width for j in range(len(frame))]
                ax.bar(positions, frame[column], width=width, color=colours[i], label=column)
            ax.set_xticks(range(len(frame)), labels, rotation=20 if len(frame) > 4 else 0)
            ax.axhline(0, color=BLACK, linewidth=1)
        ax.set_title(title)
        ax.legend(loc="best")
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
