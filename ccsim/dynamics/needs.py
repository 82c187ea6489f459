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
    """(n, identities, m) int8 of +-1: -1 where an identity departs from the typical need."""
    return np.where(rng.random((n, identities, m)) < spread, -1, 1).astype(np.int8)


def fit(deviation: np.ndarray, alignment: np.ndarray) -> np.ndarray:
    """How well the offering fits each customer's identities, (n, identities) in [-1, 1].

    ``alignment`` = offering * reality per dimension (+1 where the offering meets the
    typical need)."""
    m = alignment.shape[-1]
    return (deviation.astype(np.float32) @ alignment.astype(np.float32)) / np.float32(m)


def refit(fits: np.ndarray, deviation: np.ndarray, dims, new_alignment: np.ndarray) -> None:
    """Update ``fits`` in place after ``alignment`` flipped sign on ``dims``."""
    m = new_alignment.shape[-1]
    for d in np.atleast_1d(dims):
        fits += (np.float32(2.0 * new_alignment[d] / m)) * deviation[:, :, d]


def salient_need(deviation: np.ndarray, reality: np.ndarray, who, identity, dims) -> np.ndarray:
    """The need on ``dims`` of customers ``who`` in their salient ``identity`` (+-1)."""
    return (reality[dims] * deviation[who, identity, dims]).astype(np.int8)
