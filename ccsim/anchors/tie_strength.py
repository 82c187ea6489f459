"""Weak ties as Goldenberg, Libai & Muller (2001) define them: ties outside a person's
close circle, more numerous than strong ties and each less influential, yet at least as
important for the spread of word of mouth.

The model's network (wom.ring_ties: clustered strong ties; wom.random_ties: weak ties
reaching across the market; wom.contact_weights) with three times as many weak ties as
strong ones, as in Goldenberg et al.'s setting, and its word-of-mouth and adoption
functions (bass.diffuse, every adopter talking each period).  Each adoption is credited to
the strong and the weak ties by the share of its hazard their recommendations make up;
a tie's influence is the adoptions credited to its kind per tie.  The model gives every
tie the same weight: whether a weak tie ends up less influential comes from where it
leads, not from a set strength.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.anchors.bass import diffuse
from ccsim.dynamics import wom

NAME = "tie_strength"
CITATION = "Goldenberg, Libai & Muller (2001), Marketing Letters 12(3): 211-223"
PUBLISHED = "weak ties: more numerous, each less influential, yet at least as important for spread"
DEFAULT_REPS = 10
POPULATION = 5_000
STRONG, WEAK = 4, 12
P, Q = 0.005, 0.38
PERIODS = 60


def network(rng):
    """(strong part, weak part) of one contact_weights matrix; a pair linked both ways is strong."""
    strong = wom.ring_ties(POPULATION, STRONG)
    weights = wom.contact_weights(strong, wom.random_ties(POPULATION, WEAK, rng))
    strong_part = weights.multiply(strong > 0).tocsr()
    weak_part = (weights - strong_part).tocsr()
    weak_part.eliminate_zeros()
    return strong_part, weak_part


def check(reps: int = DEFAULT_REPS, seed: int = 0):
    from ccsim.anchors import Verdict

    rng = np.random.default_rng([seed, 2001, 1])
    rows = []
    for rep in range(reps):
        parts = network(rng)
        share, _, credit = diffuse(parts, POPULATION, P, Q, PERIODS, rng)
        for kind, part, adoptions in zip(("strong", "weak"), parts, credit.sum(axis=0)):
            rows.append({"rep": rep, "ties": kind, "ties_per_person": part.nnz / POPULATION,
                         "adoptions": adoptions, "per_tie": adoptions / part.nnz,
                         "final_share": share[-1]})
    runs = pd.DataFrame(rows)
    table = runs.groupby("ties", sort=False)[["ties_per_person", "adoptions", "per_tie"]].mean()
    strong, weak = table.loc["strong"], table.loc["weak"]
    claims = [
        ("weak ties are more numerous", f"{weak.ties_per_person:.1f} vs "
         f"{strong.ties_per_person:.1f} per person", bool(weak.ties_per_person > strong.ties_per_person)),
        ("each weak tie is less influential (adoptions credited per tie)",
         f"{weak.per_tie:.4f} vs {strong.per_tie:.4f}", bool(weak.per_tie < strong.per_tie)),
        ("weak ties bring at least as many adoptions as strong ties",
         f"{weak.adoptions:.0f} vs {strong.adoptions:.0f}", bool(weak.adoptions >= strong.adoptions)),
    ]
    gives = (f"per person {weak.ties_per_person:.1f} weak vs {strong.ties_per_person:.1f} strong "
             f"ties; adoptions per tie {weak.per_tie:.4f} vs {strong.per_tie:.4f}; in all "
             f"{weak.adoptions:.0f} vs {strong.adoptions:.0f} of {POPULATION}")
    return Verdict(NAME, CITATION, PUBLISHED, gives, all(ok for _, _, ok in claims),
                   {"tie_strength": ("Tie strength: adoptions credited to strong and weak ties",
                                     table.reset_index())}, claims)
