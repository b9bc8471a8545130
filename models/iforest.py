"""Isolation-forest scoring of entities (pure: arrays and DataFrames in, estimators and scores out)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
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


class RiskForest(BaseEstimator):
    """The whole model, as a data scientist loads it from MLflow: a DataFrame of named features in, the risk
    score out. It holds the feature order, the transform (``model_matrix``: log1p of counts and amounts,
    missing → 0) and the isolation forest, so ``mlflow.pyfunc.load_model("models:/fundwatch_psn@champion")
    .predict(features)`` returns the same ``model_score`` as the weekly run, which scores with this object.
    """

    def __init__(self, features=(), n_estimators: int = 300, max_samples: int = 512, random_state: int = 42):
        self.features = features
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y=None):
        self.feature_names_ = [str(f) for f in self.features]
        self.forest_ = IsolationForest(
            n_estimators=self.n_estimators,
            max_samples=min(self.max_samples, max(len(X), 2)),
            random_state=self.random_state,
            n_jobs=1,
        ).fit(model_matrix(X, self.feature_names_))
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Anomaly score in (0, 1]: higher = more isolated = more suspicious."""
        return -self.forest_.score_samples(model_matrix(X, self.feature_names_))

    def contributions(self, X: pd.DataFrame) -> np.ndarray:
        """Per entity and feature, how much the feature shortened the entity's isolation path (TreeSHAP on the
        forest's path length, sign flipped): positive = the feature made the entity look anomalous. Rows sum
        to the entity's path length below the average entity's."""
        import shap

        explainer = shap.TreeExplainer(self.forest_)
        values = explainer.shap_values(model_matrix(X, self.feature_names_), check_additivity=False)
        return -np.asarray(values, dtype=float).reshape(len(X), len(self.feature_names_))


# What loading a registered forest may build (skops refuses anything else): the class above and
# the trees' node storage (skops leaves that one out by default: a crafted file could index out of bounds; these
# files come from our own registry).
TRUSTED_TYPES = ["models.iforest.RiskForest", "sklearn.tree._tree.Tree"]
ARTIFACT = "RiskForest/skops"  # the registry tag of a forest registered this way (older ones are refused)


def fit(
    df: pd.DataFrame,
    features: Sequence[str],
    n_estimators: int = 300,
    max_samples: int = 512,
    random_state: int = 42,
) -> RiskForest:
    """Fit the risk forest on the entities in ``df``."""
    return RiskForest(tuple(features), n_estimators, max_samples, random_state).fit(df)


def risk(model: RiskForest, df: pd.DataFrame, features: Sequence[str] | None = None) -> np.ndarray:
    """Anomaly score in (0, 1]: higher = more isolated = more suspicious (``features``: the model's own)."""
    return model.predict(df)


def top_reasons(model: RiskForest, df: pd.DataFrame, top_k: int = 3) -> list[list[tuple[str, float]]]:
    """Per entity, up to ``top_k`` (feature, contribution) that made it anomalous, strongest first."""
    c = model.contributions(df)
    names = model.feature_names_
    out = []
    for row in c:
        order = np.argsort(-row, kind="stable")[:top_k]
        out.append([(names[i], round(float(row[i]), 4)) for i in order if row[i] > 0])
    return out


def r_precision(ranked_ids: Sequence[str], positives: set[str]) -> float:
    """Precision in the top R, R = number of positives."""
    r = len(positives)
    if r == 0:
        return float("nan")
    return len(set(list(ranked_ids)[:r]) & positives) / r
