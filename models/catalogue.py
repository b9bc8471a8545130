"""The detector catalogue (docs/detectors.md), rendered from the rules, features and reference tables.

``fundwatch detectors`` writes it; a test fails when the committed page differs from what the code says.
"""

from __future__ import annotations

from features.catalog import LABELS
from features.codes import (
    AGE_BOUND_DX,
    COMMON_ILLNESS_DRUGS,
    FEMALE_ONLY_DX,
    MALE_ONLY_DX,
    MILD_DX_PREFIXES,
    OPSP_DRUGS,
)
from models.entities import ENTITIES
from models.rules import LEARNED_WEIGHT, MODEL_ONLY, MODEL_ONLY_WEIGHT, RULES


def _evidence_example(rule) -> str:
    figs = "，".join(f"{LABELS[f][0]}<值>(同类中位数<值>)" for f in rule.evidence)
    return f"【{rule.clue_type}】{figs}"


def render() -> str:
    from features.fixmedins import FIXMEDINS_FEATURES, PEERS
    from features.psn import PSN_FEATURES

    out = [
        "# Detector catalogue",
        "",
        "Generated from `models/rules.py`, `features/catalog.py` and `features/codes.py` by `make detectors`",
        "(`fundwatch detectors --out docs/detectors.md`); `tests/models/test_catalogue.py` fails when this page and",
        "the code disagree. Thresholds are the defaults; override them per rule in a `--config` file:",
        "",
        "```toml",
        "[rules.P02]",
        "min_split = 2",
        "```",
        "",
        "Evidence is graded. Each rule is **hard** (a documented impossibility or violation a verifier can",
        "confirm from the records: one person in two hospitals at once, a settlement after death, a diagnosis",
        "impossible for the person's sex or age, a chronic-disease benefit spent on another disease's drugs) or",
        "**soft** (a circumstantial pattern that legitimate care also produces), and yields a **strength** in",
        "[0, 1] from its own evidence. Every entity is also scored by an isolation forest over all its features",
        "(`models/iforest.py`). The risk score puts hard evidence first, strength next, the model last:",
        "",
        "`risk_score = (evidence_tier + 0.8 × rule_score + 0.2 × model_score) / 3`, where `evidence_tier` is 2",
        "when a hard rule fired, 1 when only soft ones did, 0 otherwise, and `rule_score = 1 − Π(1 − weight ×",
        "strength)` over the fired rules of that tier. So every entity with hard evidence ranks above every",
        "entity with soft evidence only, and those above the entities no rule names. The weights below are",
        "priors: each region's verified outcomes move them (Beta prior worth 10 verifications, updated by the",
        "clues confirmed and dismissed there; `models/feedback.py`), so a rule whose clues a region keeps",
        "dismissing carries less weight in that region's next scores.",
        "",
        "Weights are learned as precisions and strength scales them, so `expected_precision` (the `rule_score`",
        "where a rule fired) estimates how often verifiers would confirm the clue; clues no rule names are",
        f"learned the same way, one pseudo-rule per entity type (`{MODEL_ONLY}_psn`, `{MODEL_ONLY}_fixmedins`,",
        f"prior weight {MODEL_ONLY_WEIGHT:.2f}). No clue is issued below `[publish] min_expected_precision`, so a",
        "region stops receiving the kind of clue it keeps dismissing.",
        "Once enough clues are verified, `fundwatch train` also fits a **re-ranker** on them (`models/reranker.py`:",
        "a logistic regression over the features, the forest's score, each rule's strength and the tier, as",
        "they stood when the clue was issued), promoted only when a time-split backtest ranks the later outcomes",
        f"with a higher precision in the top k; its probability then takes {LEARNED_WEIGHT:.0%} of the order",
        "within a tier (`learned_score`), never across tiers.",
        "",
        "A clue names the rules that fired (hard evidence first, with its strength) and the model features",
        "that stood out (≥ 3× the peer median). Peers: persons of the same age band and insurance type;",
        f"institutions of the same {' × '.join(PEERS)}.",
        "",
        "| rule | entity | clue type (线索类型) | kind | indicator and default threshold | weight |",
        "|---|---|---|---|---|---:|",
    ]
    for r in RULES:
        out.append(
            f"| {r.rule_id} | {r.entity_type} | {r.clue_type} | {r.kind} | `{r.sql()}` | {r.weight:.2f} |"
        )
    out.append("")
    for r in RULES:
        params = ", ".join(f"`{k}` = {v:g}" for k, v in r.params.items())
        out += [
            f"## {r.rule_id} {r.clue_type}",
            "",
            f"- Entity: {ENTITIES[r.entity_type].label} ({r.entity_type}); answers: {r.answers}",
            f"- Indicator: `{r.condition}`",
            f"- Kind: {r.kind}; weight {r.weight:.2f}",
            f"- Strength: `{r.strength}` (clipped to [0, 1]): {r.strength_doc}",
            f"- Thresholds (defaults): {params}",
            f"- Source: {r.source}",
            f"- Evidence text: {_evidence_example(r)}",
            "",
        ]
    out += ["## Features", "", "| entity | feature | 中文 | unit |", "|---|---|---|---|"]
    for entity, feats in (("psn", PSN_FEATURES), ("fixmedins", FIXMEDINS_FEATURES)):
        for f in feats:
            label, unit, _ = LABELS[f]
            out.append(f"| {entity} | `{f}` | {label} | {unit or '比例'} |")
    out += [
        "",
        "## Reference tables (`features/codes.py`)",
        "",
        f"- Mild diagnoses (轻症, P01 / mild_share): {', '.join(MILD_DX_PREFIXES)}",
        f"- Male-only diagnoses (P10): {', '.join(MALE_ONLY_DX)}",
        f"- Female-only diagnoses (P10): {', '.join(FEMALE_ONLY_DX)}",
        "- Age-bound diagnoses (P10): "
        + "; ".join(f"{name} {'/'.join(pre)} {lo}–{hi}岁" for pre, lo, hi, name in AGE_BOUND_DX),
        "",
        "Chronic-disease benefit drug range (门诊慢特病 用药范围, P07, P13, P14): a drug bought under med_type 14 must",
        "fall in the ATC classes of one of the person's registrations, whatever their dates (a lapsed or rewritten",
        "registration still names the disease; 超期 is not judged); a visit's diagnosis names the same",
        "disease as a registration when both fall in one row (else when their first three characters agree).",
        "",
        "| registered disease (ICD-10 prefix) | 病种 | covered ATC classes |",
        "|---|---|---|",
    ]
    out += [f"| {'/'.join(dxs)} | {name} | {', '.join(atcs)} |" for dxs, name, atcs in OPSP_DRUGS]
    out += [
        "",
        "Common-illness drugs (常见病用药, P14; seeds/004 item 7 乱开药), by ATC class: "
        + "; ".join(f"{atc} {name}" for atc, name in COMMON_ILLNESS_DRUGS),
        "",
    ]
    return "\n".join(out)
