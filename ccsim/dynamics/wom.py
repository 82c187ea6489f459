"""Word of mouth on a social network, and Bass-style adoption.

Anchors: Bass (1969) diffusion, p (advertising) and q (imitation); weak ties spread word
of mouth at least as much as strong ties (Goldenberg, Libai & Muller 2001); wronged
customers warn others and a few of them cost a lot, bad news lasting (Goldenberg et al.
2007; East, Hammond & Wright 2007); the very dissatisfied talk about 1.5x as readily as
the very satisfied (Anderson 1998).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def ring_ties(n: int, k: int) -> sp.csr_matrix:
    """Strong ties: each person linked to the k nearest on a ring (clustered, local)."""
    if k == 0 or n < 2:
        return sp.csr_matrix((n, n), dtype=np.float32)
    half = max(1, k // 2)
    offsets = [o for o in range(1, half + 1) if o < n]
    rows = np.concatenate([np.arange(n)] * len(offsets))
    cols = np.concatenate([(np.arange(n) + o) % n for o in offsets])
    return _symmetric(rows, cols, n)


def random_ties(n: int, k: int, rng) -> sp.csr_matrix:
    """Weak ties: about k random acquaintances per person, reaching across the network."""
    if k == 0 or n < 2:
        return sp.csr_matrix((n, n), dtype=np.float32)
    count = n * k // 2
    rows = rng.integers(0, n, count)
    cols = rng.integers(0, n, count)
    keep = rows != cols
    return _symmetric(rows[keep], cols[keep], n)


def _symmetric(rows, cols, n) -> sp.csr_matrix:
    a = sp.coo_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, n))
    a = (a + a.T).tocsr()
    a.data[:] = 1.0
    return a


def contact_weights(*ties: sp.csr_matrix) -> sp.csr_matrix:
    """Who hears whom: row j lists the people j talks to, each weighted by one over the
    listener's number of contacts (so a listener hears the share of contacts who talked).
    Stored by talker, so a week's word of mouth touches only the rows of those who talk."""
    adjacency = sum(ties[1:], ties[0]).tocsr()
    adjacency.data[:] = 1.0
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    listener_weight = (1.0 / np.maximum(degree, 1.0)).astype(np.float32)
    return (adjacency @ sp.diags(listener_weight)).tocsr()


def heard(weights: sp.csr_matrix | None, talkers: np.ndarray, n: int) -> np.ndarray:
    """Share of each person's contacts among ``talkers`` (indices), an array of length n.

    ``weights`` from contact_weights; None is a fully mixed population where everyone
    hears the population's share, as in the Bass model.
    """
    if weights is None:
        return np.full(n, len(talkers) / n)
    listeners, share = reach(weights, talkers)
    return np.bincount(listeners, weights=share, minlength=n)


def reach(weights: sp.csr_matrix, talkers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The contacts of ``talkers`` (with repeats) and the share of each contact's contacts
    that the talker makes up: the talkers' rows of ``weights``, read from its CSR arrays
    (a few hundred talkers a week; scipy's row slicing costs more than the reading)."""
    start, stop = weights.indptr[talkers], weights.indptr[talkers + 1]
    counts = stop - start
    before = np.cumsum(counts) - counts             # where each talker's row starts in the result
    where = np.repeat(start - before, counts) + np.arange(counts.sum())
    return weights.indices[where], weights.data[where]


def talkers(promoters: np.ndarray, wronged: np.ndarray, rate: float, negative_talk: float,
            u_recommend: np.ndarray, u_warn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Who talks this week, from the indices of promoters (score 9-10) and of wronged
    customers and a uniform draw per person (indexed by person): promoters recommend with
    chance ``rate``, the wronged warn ``negative_talk`` times as readily (Anderson 1998:
    about 1.5; 0 silences them)."""
    return (promoters[u_recommend[promoters] < rate],
            wronged[u_warn[wronged] < min(1.0, rate * negative_talk)])


def remember_warnings(heard_before: np.ndarray, listeners: np.ndarray, heard_now: np.ndarray,
                      weeks: float) -> None:
    """Fade the warnings each person heard before by 1/``weeks``, then add this week's
    (``heard_now``, the share of contacts warning, from the ``listeners`` of reach), in
    place: a heard warning goes on deterring for weeks, as bad news has lasting effects on
    a firm's value (Goldenberg, Libai, Moldovan & Muller 2007). Nobody warning leaves it 0."""
    heard_before *= 1.0 - 1.0 / weeks
    heard_before[listeners] += heard_now[listeners]    # repeats write the same value


def adoption_chance(positive: np.ndarray, negative: np.ndarray, p: float, q: float,
                    warning_weight: float) -> np.ndarray:
    """Bass hazard p + q * (share of contacts recommending), deterred by the warnings heard
    (``negative``: this week's share, or the remembered ones of remember_warnings) by a
    factor exp(-warning_weight x negative)."""
    chance = p + q * positive
    warned = np.flatnonzero(negative)
    chance[warned] *= np.exp(-warning_weight * negative[warned])
    return np.clip(chance, 0.0, 1.0)


def weekly(yearly) -> np.ndarray:
    """A weekly chance from a yearly one: 1 - (1 - h)^(1/52) (Bass p and q were estimated
    on yearly sales: Bass 1969; Sultan, Farley & Lehmann 1990)."""
    return -np.expm1(np.log1p(-np.clip(yearly, 0.0, 1.0 - 1e-9)) / 52.0)


def bass_recursion(p: float, q: float, periods: int, start: float = 0.0) -> np.ndarray:
    """Discrete Bass (1969): F(t+1) = F(t) + (p + q F(t)) (1 - F(t)); the docking target."""
    f = np.empty(periods + 1)
    f[0] = start
    for t in range(periods):
        f[t + 1] = f[t] + (p + q * f[t]) * (1.0 - f[t])
    return f
