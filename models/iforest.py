"""Isolation-forest scoring of entities (pure: arrays and DataFrames in, estimators and scores out)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest

# Counts and amounts are heavy-tailed: the forest sees log1p of them so that one huge value does not
# squeeze every other entity into the same split.
SHARE_SUFFIXES = ("_share", "_cv", "_ratio")


def model_matrix(df: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    """The model input: features in a fixed order, log1p for non-share features, NaN → 0."""
    cols = []
    for name in features:
        x = pd.to_numeric(df[name], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        cols.append(x if name.endswith(SHARE_SUFFIXES) else np.log1p(np.clip(x, 0, None)))
    return np.column_stack(cols) if cols else np.zeros((len(df), 0))


def fit(
    df: pd.DataFrame,
    features: Sequence[str],
    n_estimators: int = 300,
    max_samples: int = 512,
    random_state: int = 42,
) -> IsolationForest:
    """Fit an isolation forest on the entities in ``df``."""
    model = IsolationForest(
        n_estimators=n_estimators,
        max_samples=min(max_samples, max(len(df), 2)),
        random_state=random_state,
        n_jobs=1,
    )
    model.fit(model_matrix(df, features))
    return model


def risk(model: IsolationForest, df: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    """Anomaly score in (0, 1]: higher = more isolated = more suspicious."""
    return -model.score_samples(model_matrix(df, features))


def score_batches(
    batches: Iterator[pd.DataFrame], model: IsolationForest, features: Sequence[str], id_col: str
) -> Iterator[pd.DataFrame]:
    """``mapInPandas`` body: score each partition's rows with a broadcast model."""
    for pdf in batches:
        yield pd.DataFrame({"entity_id": pdf[id_col].astype(str), "model_score": risk(model, pdf, features)})


def r_precision(ranked_ids: Sequence[str], positives: set[str]) -> float:
    """Precision in the top R, R = number of positives."""
    r = len(positives)
    if r == 0:
        return float("nan")
    return len(set(list(ranked_ids)[:r]) & positives) / r
