"""The machine's cores: one pool of threads, a thread per core, for work that releases the
GIL (compiled passes and numpy's draws): a market's firms' weeks side by side
(ccsim.market) and a large market's draws (model.Luck).  A forked child gets a pool of its
own, since the parent's threads are not in it.  Only code running outside the pool may
wait on it."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor


def _new_pool():
    global POOL
    POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="ccsim-core")


_new_pool()
os.register_at_fork(after_in_child=_new_pool)
