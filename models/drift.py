"""Drift of the model's inputs and output week over week (pure: DataFrames in, a table out).

A forest trained on last quarter's settlements scores this week's: when a feature's distribution moves (a
new extract with another coding of 出院诊断, a region whose data stopped arriving, a policy change), the
scores move with it and the top of the list fills with artefacts. The population stability index (PSI)
compares a week with the week before, per feature and for the risk score:

    PSI = Σ (a_i - e_i) · ln(a_i / e_i)   over bins fixed on the earlier week's deciles

The usual reading (credit-scoring practice, Siddiqi 2006): below 0.1 stable, 0.1-0.25 a shift worth a look,
above 0.25 a shift that changes the model's output (``WARN``); the weekly report lists what crossed ``WATCH``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

WATCH = 0.10
WARN = 0.25
BINS = 10
EPS = 1e-4  # an empty bin counts as this share, so one empty bin does not make the index infinite


def psi(expected: Sequence[float], actual: Sequence[float], bins: int = BINS) -> float:
    """Population stability index of ``actual`` against ``expected`` (bins: ``expected``'s quantiles; a
    value that takes few distinct values gets one bin per value). NaN when either side is empty."""
    e = pd.to_numeric(pd.Series(expected), errors="coerce").dropna().to_numpy(float)
    a = pd.to_numeric(pd.Series(actual), errors="coerce").dropna().to_numpy(float)
    if not len(e) or not len(a):
        return float("nan")
    edges = np.unique(np.quantile(e, np.linspace(0, 1, bins + 1)[1:-1]))
    e_share = np.bincount(np.searchsorted(edges, e, side="right"), minlength=len(edges) + 1) / len(e)
    a_share = np.bincount(np.searchsorted(edges, a, side="right"), minlength=len(edges) + 1) / len(a)
    e_share, a_share = np.clip(e_share, EPS, None), np.clip(a_share, EPS, None)
    return float(np.sum((a_share - e_share) * np.log(a_share / e_share)))


def drift_table(before: pd.DataFrame, now: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """One row per column present in both weeks: ``column``, ``psi``, the medians of both weeks and
    ``level`` (``stable`` / ``watch`` / ``warn``), largest shift first."""
    rows = []
    for c in columns:
        if c not in before or c not in now:
            continue
        value = psi(before[c], now[c])
        level = "warn" if value >= WARN else "watch" if value >= WATCH else "stable"
        rows.append(
            {
                "column": c,
                "psi": round(value, 4),
                "median_before": float(pd.to_numeric(before[c], errors="coerce").median()),
                "median_now": float(pd.to_numeric(now[c], errors="coerce").median()),
                "level": level,
            }
        )
    out = pd.DataFrame(rows, columns=["column", "psi", "median_before", "median_now", "level"])
    return out.sort_values("psi", ascending=False, na_position="last").reset_index(drop=True)
