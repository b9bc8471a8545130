"""What if a rule's kind or weight changed: persons R-precision from a lake's newest person features, offline.

    .venv/bin/python bench/rule_what_if.py LAKE LABELS [--set P07=soft:0.3 ...]

Evaluates every person rule's condition and strength (``models.rules``) over ``gold/features_psn`` of the newest
week with DuckDB, scores as ``models.rules`` does (the evidence tier, then 1 − Π(1 − weight × strength) over the
fired rules of the entity's highest tier), with the isolation forest replaced by a constant, and prints the
R-precision against LABELS (``labels.csv``: entity_type, entity_id, ...) as the rules stand and with each
``--set`` applied. An approximation for iterating rules before a full `bench/detection.py` run: the forest
breaks ties within a tier, so the real figure differs (0.201 real against 0.146 here on the independent
extract of docs/detection_independent.md; 0.929 against 0.930 on the generator's).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rule_hits(features: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """rule id → (fired, strength clipped to [0, 1]) per row of the person features."""
    import duckdb

    from models.rules import RULES

    out = {}
    for r in (r for r in RULES if r.entity_type == "psn"):
        rel = duckdb.sql(
            f"SELECT COALESCE(({r.sql()}), FALSE) AS fired, "
            f"COALESCE(CAST(({r.strength_sql()}) AS DOUBLE), 0) AS strength FROM features"
        ).df()
        out[r.rule_id] = (rel.fired.to_numpy(bool), np.clip(rel.strength.to_numpy(float), 0.0, 1.0))
    return out


def r_precision(
    ids: np.ndarray, hits: dict, positives: set[str], changes: dict[str, tuple[str, float]] | None = None
) -> float:
    from models.rules import HARD, RULE_BY_ID, risk_score

    changes = changes or {}
    tier = np.zeros(len(ids))
    keep = {HARD: np.ones(len(ids)), "soft": np.ones(len(ids))}
    for rid, (fired, strength) in hits.items():
        kind, weight = changes.get(rid, (RULE_BY_ID[rid].kind, RULE_BY_ID[rid].weight))
        keep[kind if kind == HARD else "soft"] *= 1 - np.where(fired, weight * strength, 0.0)
        tier = np.maximum(tier, np.where(fired, 2 if kind == HARD else 1, 0))
    rule_score = np.where(tier == 2, 1 - keep[HARD], np.where(tier == 1, 1 - keep["soft"], 0.0))
    score = risk_score(tier, rule_score, 0.5)
    top = ids[np.argsort(-score, kind="stable")[: len(positives)]]
    return float(np.mean([i in positives for i in top]))


def parse_change(text: str) -> tuple[str, tuple[str, float]]:
    rid, _, spec = text.partition("=")
    kind, _, weight = spec.partition(":")
    if kind not in ("hard", "soft") or not weight:
        raise argparse.ArgumentTypeError(f"--set RULE=hard|soft:WEIGHT, not {text!r}")
    return rid, (kind, float(weight))


def main(argv: list[str]) -> int:
    from deltalake import DeltaTable

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("lake", type=Path)
    p.add_argument("labels", type=Path)
    p.add_argument("--set", dest="changes", type=parse_change, action="append", default=[])
    a = p.parse_args(argv)
    features = DeltaTable(str(a.lake / "gold" / "features_psn")).to_pandas()
    features = features[features.as_of == features.as_of.max()].reset_index(drop=True)
    labels = pd.read_csv(a.labels, dtype=str)
    positives = set(labels[labels.entity_type == "psn"].entity_id)
    hits = rule_hits(features)
    ids = features.psn_no.to_numpy()
    print(f"as the rules stand: {r_precision(ids, hits, positives):.3f}  (R = {len(positives)})")
    for rid, change in a.changes:
        print(f"{rid} {change[0]} weight {change[1]}: {r_precision(ids, hits, positives, {rid: change}):.3f}")
    if len(a.changes) > 1:
        print(f"all of them: {r_precision(ids, hits, positives, dict(a.changes)):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
