"""Customers' needs: vectors with several identities, drifting with the market.

Anchors: customers have several identities (family, career, hobby...) and the salient one
depends on context (a practitioner claim, docs/ODD.md section 1), and March 1991
(reality of m dimensions, each +-1; turbulence p4 flips dimensions).
A customer's need on identity k is ``reality * deviation[i, k]``: the market's typical
need, departed from on a share ``identity_spread`` of the dimensions.  Because needs are
stored relative to reality, turbulence moves every customer's needs at once.
"""

from __future__ import annotations

import numpy as np


def deviations(n: int, identities: int, m: int, spread: float, rng) -> np.ndarray:
    """(n, identities, m) int8 of +-1: -1 where an identity departs from the typical need.
    Drawn in blocks of customers, in order: the numbers of one draw, without a float64 copy
    of the whole array (7 GB at 10 million customers)."""
    out = np.empty((n, identities, m), np.int8)
    for start in range(0, n, 100_000):
        block = rng.random((min(n - start, 100_000), identities, m))
        out[start:start + len(block)] = np.where(block < spread, -1, 1)
    return out


def importance(m: int, rng) -> np.ndarray:
    """How much each need dimension matters to customers, summing to 1: fat-tailed (the
    absolute value of a Student t with 2 degrees of freedom), as the effects of changes
    are (Azevedo et al. 2020), so a few needs matter a lot and most a little."""
    weight = np.abs(rng.standard_t(2, m))
    return (weight / weight.sum()).astype(np.float32)


def fit(deviation: np.ndarray, alignment: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """How well the offering fits each customer's identities, (n, identities) in [-1, 1]:
    the importance-weighted share of needs met minus the share missed.

    ``alignment`` = offering * reality per dimension (+1 where the offering meets the
    typical need); ``weight`` from importance."""
    return deviation.astype(np.float32) @ (alignment * weight).astype(np.float32)


def refit(fits: np.ndarray, deviation: np.ndarray, dims, new_alignment: np.ndarray,
          weight: np.ndarray) -> None:
    """Update ``fits`` in place after ``alignment`` flipped sign on ``dims``."""
    for d in np.atleast_1d(dims):
        fits += np.float32(2.0 * new_alignment[d] * weight[d]) * deviation[:, :, d]


def revealed(weight: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The need a customer's experience reveals, one per uniform draw in ``u``: a need in
    proportion to how much it matters (``weight``, summing to 1), as it weighs in their fit."""
    return np.minimum(np.searchsorted(np.cumsum(weight, dtype=np.float64), u * float(weight.sum())),
                      len(weight) - 1)


def salient_need(deviation: np.ndarray, reality: np.ndarray, who, identity, dims) -> np.ndarray:
    """The need on ``dims`` of customers ``who`` in their salient ``identity`` (+-1)."""
    return (reality[dims] * deviation[who, identity, dims]).astype(np.int8)
