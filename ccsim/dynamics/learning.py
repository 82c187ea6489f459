"""Mutual learning of the organisational code and its members (March 1991).

The leaders' shared view of customers' needs is March's organisational code; employees
are his individuals.  Every array has a leading replication axis so that the same code
runs one firm inside CultureModel (R = 1) and thousands of March replications at once
(ccsim.anchors.march1991).  Beliefs and reality are int8 in {-1, 0, +1}:
``reality`` (R, m), ``code`` (R, m), ``beliefs`` (R, n, m).

Order within a period (March 1991): turbulence, turnover, scores and superior
group, socialisation, code learning.
"""

from __future__ import annotations

import numpy as np


def random_beliefs(shape, rng: np.random.Generator) -> np.ndarray:
    """Newcomers' beliefs: -1, 0 or +1 with probability 1/3 each."""
    return rng.integers(-1, 2, size=shape, dtype=np.int8)


def random_reality(shape, rng: np.random.Generator) -> np.ndarray:
    """Reality: each dimension +1 or -1 with probability 1/2."""
    return (rng.integers(0, 2, size=shape, dtype=np.int8) * 2 - 1).astype(np.int8)


def turbulence(reality: np.ndarray, p4: float, rng: np.random.Generator) -> np.ndarray:
    """Flip each dimension of reality with probability p4; returns the flip mask."""
    flips = rng.random(reality.shape) < p4
    reality[flips] *= -1
    return flips


def turnover(beliefs: np.ndarray, p3, rng: np.random.Generator) -> np.ndarray:
    """Replace each individual by a newcomer with random beliefs with probability p3.

    ``p3`` is a scalar or an array broadcastable to (R, n). Returns the leavers' mask.
    """
    leave = rng.random(beliefs.shape[:-1]) < p3
    if leave.any():
        beliefs[leave] = random_beliefs((int(leave.sum()), beliefs.shape[-1]), rng)
    return leave


def act(beliefs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Actions: the belief where it is +-1, a fair coin flip where it is 0.  A coin is
    drawn for every belief, used or not, so that a changed belief leaves everyone else's
    coins as they were (common random numbers)."""
    size = beliefs.size
    coins = np.unpackbits(np.frombuffer(rng.bytes((size + 7) // 8), np.uint8), count=size)
    coins = coins.view(np.int8).reshape(beliefs.shape) * 2 - 1
    return np.where(beliefs == 0, coins, beliefs).astype(np.int8)


def individual_scores(actions: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Each individual's score: sum over dimensions of action times reality, (R, n)."""
    return np.einsum("rnm,rm->rn", actions, reality, dtype=np.int32)


def code_score(code: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """The code's score: sum of code times reality, (R,)."""
    return np.einsum("rm,rm->r", code, reality, dtype=np.int32)


def knowledge(code: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """March's knowledge: the code's score divided by m, in [-1, 1]."""
    return code_score(code, reality) / code.shape[-1]


def socialise(beliefs: np.ndarray, code: np.ndarray, p1, rng: np.random.Generator) -> None:
    """Where the code is non-zero and a belief differs, move it one step toward the code
    with probability p1 (a scalar, or one rate per individual: shape (n,) or (R, n)).
    ``beliefs`` must be C-contiguous: it is updated in place through a flat view."""
    if not beliefs.flags.c_contiguous:
        raise ValueError("socialise needs C-contiguous beliefs")
    target = code[:, None, :]
    where = np.flatnonzero((target != 0) & (beliefs != target))
    m = beliefs.shape[-1]
    rate = np.asarray(p1, dtype=float)
    if rate.ndim:
        rate = np.broadcast_to(rate, beliefs.shape[:-1]).reshape(-1)[where // m]
    chosen = where[rng.random(beliefs.size)[where] < rate]   # a draw per belief: aligned runs
    flat = beliefs.reshape(-1)
    toward = code.reshape(-1)[chosen // (beliefs.shape[-2] * m) * m + chosen % m]
    flat[chosen] += np.sign(toward - flat[chosen])


def learn_code(
    code: np.ndarray,
    actions: np.ndarray,
    superior: np.ndarray,
    p2: float,
    rng: np.random.Generator,
    misread: float = 0.0,
) -> None:
    """The code learns from the superior group (March 1991).

    On each dimension, if the strict majority of the superior group's actions differs from
    the code, the code takes it with probability 1 - (1 - p2)^k, k = |#(+1) - #(-1)|.
    ``misread`` (confirmation bias, Rabin & Schrag 1999; 0 in March) is the chance that
    evidence against a non-zero code is read as confirming it and ignored.
    """
    votes = np.einsum("rnm,rn->rm", actions, superior.astype(np.int8), dtype=np.int32)
    majority = np.sign(votes).astype(np.int8)
    k = np.abs(votes)
    adopt_p = 1.0 - (1.0 - p2) ** k
    change = (majority != 0) & (majority != code) & (rng.random(code.shape) < adopt_p)
    if misread > 0:
        change &= ~((code != 0) & (rng.random(code.shape) < misread))
    code[change] = majority[change]


def period(
    reality: np.ndarray,
    code: np.ndarray,
    beliefs: np.ndarray,
    p1,
    p2: float,
    rng: np.random.Generator,
    heard: np.ndarray | None = None,
    misread: float = 0.0,
) -> np.ndarray:
    """Scores, superior group, socialisation and code learning for one period.

    ``heard`` masks who speaks up (leader humility, Milliken et al. 2003); None hears all,
    as in March.  Turbulence and turnover come before this, by the caller.  Returns the
    superior group's mask.
    """
    actions = act(beliefs, rng)
    superior = individual_scores(actions, reality) > code_score(code, reality)[:, None]
    if heard is not None:
        superior &= heard
    socialise(beliefs, code, p1, rng)
    learn_code(code, actions, superior, p2, rng, misread)
    return superior


def at_equilibrium(reality: np.ndarray, code: np.ndarray, beliefs: np.ndarray) -> np.ndarray:
    """March's stopping rule, per replication: no individual's best possible score (every
    0 counted right) beats the code's, and no individual differs from a non-zero code
    dimension."""
    wrong = np.count_nonzero(beliefs == -reality[:, None, :], axis=-1)
    best = beliefs.shape[-1] - 2 * wrong
    beaten = (best > code_score(code, reality)[:, None]).any(axis=1)
    target = code[:, None, :]
    unsocialised = ((target != 0) & (beliefs != target)).any(axis=(1, 2))
    return ~beaten & ~unsocialised


def learn_from_customers(
    beliefs: np.ndarray, who: np.ndarray, dims: np.ndarray, values: np.ndarray
) -> None:
    """Direct customer channel (customer intimacy): individual ``who[i]`` learns that
    customers need ``values[i]`` on dimension ``dims[i]`` (R = 1 arrays)."""
    beliefs[0, who, dims] = values
