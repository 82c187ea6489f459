"""The culture effect the project is about, averaged over seeds.

A humble, empowered, experimenting, accountable culture ends five years with more loyal
customers and more cash than a HiPPO culture in the same market (same seeds).  Nothing in
the rules says so; it has to emerge from the mechanisms.
"""

import numpy as np

from ccsim.model import run

SEEDS = range(10)
MARKET = dict(n_customers=1000, n_employees=40, customer_agents=False)
HIPPO = dict(humility=0.05, empowerment=0.1, experimentation=0.0, accountability=0.1,
             customer_intimacy=0.2, integrity=0.3, conformity=0.7)
CENTRIC = dict(humility=0.9, empowerment=0.9, experimentation=0.8, accountability=0.9,
               customer_intimacy=0.8, integrity=0.9, conformity=0.2)


def _ends(culture):
    rows = [run(260, rng=seed, **MARKET, **culture).dataframe().iloc[-1] for seed in SEEDS]
    return {k: np.array([r[k] for r in rows]) for k in ("loyalty", "cash", "customers", "nps",
                                                        "leader_knowledge")}


def test_customer_centric_culture_beats_hippo_over_five_years():
    hippo, centric = _ends(HIPPO), _ends(CENTRIC)
    for metric in ("loyalty", "cash", "customers", "nps", "leader_knowledge"):
        gap = centric[metric] - hippo[metric]            # paired by seed: same market
        se = gap.std(ddof=1) / np.sqrt(len(gap))
        assert gap.mean() > 2 * se, (metric, gap.mean(), se)
