"""Learning from what verifiers find (pure pandas): each rule's weight, region by region.

A rule's documented weight is its prior precision: Beta(α, β) with mean ``weight`` and ``PRIOR_STRENGTH``
pseudo-verifications behind it. Every verified clue the rule was part of updates it in the clue's region:
查实 / 部分查实 count as confirmed (α + 1), 不属实 as dismissed (β + 1); clues still open count for nothing.
The posterior mean is the weight the rule carries in that region's next risk scores, so a rule whose clues a
region keeps dismissing sinks there, and one it keeps confirming rises. Regions pool partially: a region's
prior is the documented weight as the other regions' outcomes have moved it (``rule_weights``), so the
province's experience reaches a region before the region has much of its own, and its own then decides.
Clues no rule named (the model's score alone) are learned the same way, one pseudo-rule per entity type
(``models.rules.model_only``). Weights are
precisions: below ``[publish] min_expected_precision`` an entity is not issued at all (``apply_rules``), so a
region stops receiving the kind of clue it keeps dismissing.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from models.rules import MODEL_ONLY_WEIGHT, model_only

PRIOR_STRENGTH = 10.0  # how many verifications the documented weight is worth
CONFIRMED = ("查实", "部分查实")  # verified outcomes (also the clue lifecycle's, models/lifecycle.py)
CLOSED = ("查实", "部分查实", "不属实")


def rule_weights(reg: pd.DataFrame, rules: Iterable, prior_strength: float = PRIOR_STRENGTH) -> pd.DataFrame:
    """One row per region of the register and rule verified anywhere: admdvs, rule_id, confirmed,
    dismissed (the region's own outcomes), weight.

    Partial pooling: a region's prior for a rule is not the documented weight itself but what the other
    regions' outcomes made of it (the documented weight updated by their confirmations and dismissals),
    worth ``prior_strength`` verifications; the region's own outcomes then update that. A region with few
    verified clues of a rule borrows the province's experience; one with many follows its own.

    Args:
        reg: the clue register (``models.lifecycle.register``): admdvs, entity_type, rules_all (list), status.
        rules: the rules (``models.rules.RULES``); their ``weight`` is the documented prior mean.
    """
    cols = ["admdvs", "rule_id", "confirmed", "dismissed", "weight"]
    rules = list(rules)
    prior = {r.rule_id: r.weight for r in rules} | {
        model_only(r.entity_type): MODEL_ONLY_WEIGHT for r in rules
    }
    if reg is None or reg.empty:
        return pd.DataFrame(columns=cols)
    closed = reg[reg.status.isin(CLOSED)][["admdvs", "entity_type", "rules_all", "status"]].explode(
        "rules_all"
    )
    # a clue no rule named: the model's alone, learned per entity type
    closed["rules_all"] = closed.rules_all.fillna(closed.entity_type.map(model_only))
    closed = closed[closed.rules_all.isin(list(prior))]
    if closed.empty:
        return pd.DataFrame(columns=cols)
    closed = closed.assign(hit=closed.status.isin(CONFIRMED).astype(int))
    own = closed.groupby(["admdvs", "rules_all"]).hit.agg(confirmed="sum", n="count")
    grid = pd.MultiIndex.from_product(
        [sorted(reg.admdvs.dropna().unique()), sorted(closed.rules_all.unique())],
        names=["admdvs", "rules_all"],
    )
    out = own.reindex(grid, fill_value=0).reset_index().rename(columns={"rules_all": "rule_id"})
    total = closed.groupby("rules_all").hit.agg(confirmed="sum", n="count")
    w0 = out.rule_id.map(prior)
    others_conf = out.rule_id.map(total.confirmed) - out.confirmed
    others_n = out.rule_id.map(total.n) - out.n
    pooled = (w0 * prior_strength + others_conf) / (prior_strength + others_n)
    out["dismissed"] = out.n - out.confirmed
    out["weight"] = (pooled * prior_strength + out.confirmed) / (prior_strength + out.n)
    return out[cols].astype({"confirmed": int, "dismissed": int, "weight": float}).reset_index(drop=True)
