"""The detector catalogue (docs/detectors.md), rendered from the rules, features and reference tables.

``fundwatch detectors`` writes it; a test fails when the committed page differs from what the code says.
"""

from __future__ import annotations

from features.catalog import LABELS
from features.codes import AGE_BOUND_DX, FEMALE_ONLY_DX, MALE_ONLY_DX, MILD_DX_PREFIXES, OPSP_DRUGS
from models.rules import RULES

ENTITY_ZH = {"psn": "参保人 (psn)", "fixmedins": "定点医药机构 (fixmedins)"}


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
        "(`fundwatch detectors --out docs/detectors.md`); `tests/test_catalogue.py` fails when this page and",
        "the code disagree. Thresholds are the defaults; override them per rule in a `--config` file:",
        "",
        "```toml",
        "[rules.P02]",
        "min_split = 2",
        "```",
        "",
        "Every entity is also scored by an isolation forest over all its features (`models/iforest.py`);",
        "`risk_score = 0.5 × rule_score + 0.5 × model_score`, with `rule_score = 1 − Π(1 − weight)` over the",
        "rules that fired. A clue names the rules that fired and the model features that stood out (≥ 3× the",
        "peer median). Peers: persons of the same age band and insurance type; institutions of the same "
        f"{' × '.join(PEERS)}.",
        "",
        "| rule | entity | clue type (线索类型) | answers | indicator and default threshold | weight |",
        "|---|---|---|---|---|---:|",
    ]
    for r in RULES:
        out.append(
            f"| {r.rule_id} | {r.entity_type} | {r.clue_type} | {r.answers} | `{r.sql()}` | {r.weight:.1f} |"
        )
    out.append("")
    for r in RULES:
        params = ", ".join(f"`{k}` = {v:g}" for k, v in r.params.items())
        out += [
            f"## {r.rule_id} {r.clue_type}",
            "",
            f"- Entity: {ENTITY_ZH[r.entity_type]}; answers: {r.answers}",
            f"- Indicator: `{r.condition}`",
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
        "Chronic-disease benefit drug range (门诊慢特病 用药范围, P07): a drug bought under med_type 14 must fall in",
        "the ATC classes of one of the person's active registrations.",
        "",
        "| registered disease (ICD-10 prefix) | 病种 | covered ATC classes |",
        "|---|---|---|",
    ]
    out += [f"| {dx} | {name} | {', '.join(atcs)} |" for dx, name, atcs in OPSP_DRUGS]
    out.append("")
    return "\n".join(out)
