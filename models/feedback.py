"""Learning from what verifiers find (pure pandas): each rule's weight, region by region.

A rule's documented weight is its prior precision: Beta(α, β) with mean ``weight`` and ``PRIOR_STRENGTH``
pseudo-verifications behind it. Every verified clue the rule was part of updates it in the clue's region:
查实 / 部分查实 count as confirmed (α + 1), 不属实 as dismissed (β + 1); clues still open count for nothing.
The posterior mean is the weight the rule carries in that region's next risk scores, so a rule whose clues a
region keeps dismissing sinks there, and one it keeps confirming rises, while the other regions keep theirs.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

PRIOR_STRENGTH = 10.0  # how many verifications the documented weight is worth
CONFIRMED = ("查实", "部分查实")  # verified outcomes (also the clue lifecycle's, jobs/lifecycle.py)
CLOSED = ("查实", "部分查实", "不属实")


def rule_weights(reg: pd.DataFrame, rules: Iterable, prior_strength: float = PRIOR_STRENGTH) -> pd.DataFrame:
    """One row per region and rule with verified clues: admdvs, rule_id, confirmed, dismissed, weight.

    Args:
        reg: the clue register (``jobs.lifecycle.register``): admdvs, rules_all (list), status.
        rules: the rules (``models.rules.RULES``); their ``weight`` is the prior mean.
    """
    cols = ["admdvs", "rule_id", "confirmed", "dismissed", "weight"]
    prior = {r.rule_id: r.weight for r in rules}
    if reg is None or reg.empty:
        return pd.DataFrame(columns=cols)
    closed = reg[reg.status.isin(CLOSED)][["admdvs", "rules_all", "status"]].explode("rules_all")
    closed = closed[closed.rules_all.isin(list(prior))]
    if closed.empty:
        return pd.DataFrame(columns=cols)
    closed = closed.assign(hit=closed.status.isin(CONFIRMED).astype(int))
    out = (
        closed.groupby(["admdvs", "rules_all"])
        .hit.agg(confirmed="sum", n="count")
        .reset_index()
        .rename(columns={"rules_all": "rule_id"})
    )
    out["dismissed"] = out.n - out.confirmed
    w = out.rule_id.map(prior)
    out["weight"] = (w * prior_strength + out.confirmed) / (prior_strength + out.n)
    return out[cols].astype({"confirmed": int, "dismissed": int, "weight": float}).reset_index(drop=True)
