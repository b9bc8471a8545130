"""Learning from verified entities (pure: DataFrames in, estimators and metrics out): the re-ranker.

Once verifiers have answered enough clues, a logistic regression learns which entities they confirm (查实 /
部分查实) and which they dismiss (不属实), from what the ranking already knows about each: the entity's
features (the forest's inputs, ``models.iforest.model_matrix``), the forest's score, each rule's strength and
the evidence tier, all as they stood in the week the clue was issued. Its probability joins the risk score
(``models.rules.risk_score``) inside the evidence tier: hard evidence still ranks first, but among entities
of one tier the evidence that verifiers keep confirming rises and the look-alikes they keep dismissing sink.

It reorders only where it learned: verifiers' outcomes come from the top of the list, so within each
evidence tier the re-ranker carries a **support** (``support``), the score above which the entities it was
fitted on lay; deeper entities keep the order of their evidence (``models.rules.risk_score``).

A re-ranker is promoted only when a **time-split backtest** says so (``backtest``): fitted on the outcomes
of clues issued before a cut week, it must rank the later clues' outcomes with a higher precision in the top
k than the scores that issued them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from models.iforest import model_matrix
from models.rules import risk_score, within_score

MIN_OUTCOMES = 40  # verified entities before a re-ranker is fitted at all
MIN_EACH = 10  # of each kind (confirmed, dismissed)
SUPPORT_QUANTILE = 0.05  # the support starts at this quantile of the verified entities' within-tier scores
TEST_SHARE = 0.3  # the newest issue weeks holding about this share of the outcomes are the backtest's future


def strength_columns(rule_ids: Sequence[str]) -> list[str]:
    return [f"strength_{r}" for r in rule_ids]


def inputs(df: pd.DataFrame, features: Sequence[str], rule_ids: Sequence[str]) -> np.ndarray:
    """The re-ranker's input matrix: the forest's inputs, its score, each rule's strength (0 when it did not
    fire, ``strength_<rule>`` columns), the evidence tier."""
    extra = ["model_score", *strength_columns(rule_ids), "evidence_tier"]
    rest = np.column_stack([pd.to_numeric(df[c], errors="coerce").fillna(0.0).to_numpy(float) for c in extra])
    return np.hstack([model_matrix(df, features), rest])


def support(df: pd.DataFrame) -> dict[int, float]:
    """Evidence tier → the within-tier score (``models.rules.within_score``) above which the verified entities
    of ``df`` lay (its ``SUPPORT_QUANTILE`` quantile), for each tier with at least ``MIN_EACH`` of them."""
    base = within_score(df.rule_score.astype(float), df.model_score.astype(float))
    by_tier = base.groupby(df.evidence_tier.astype(int))
    return {int(t): float(b.quantile(SUPPORT_QUANTILE)) for t, b in by_tier if len(b) >= MIN_EACH}


def support_of(tiers, where: dict[int, float] | None) -> np.ndarray | None:
    """Per entity, the support of its tier (NaN where the re-ranker has none); None without support."""
    if where is None:
        return None
    return pd.Series(np.asarray(tiers, int)).map(where).to_numpy(float)


def fit(df: pd.DataFrame, features: Sequence[str], rule_ids: Sequence[str], seed: int = 42) -> Pipeline:
    """Fit on verified entities: ``df`` holds the inputs' columns, ``rule_score`` and ``confirmed`` (1/0). The
    fitted pipeline carries its ``support_`` (``support``)."""
    model = make_pipeline(
        StandardScaler(), LogisticRegression(C=0.3, class_weight="balanced", max_iter=2000, random_state=seed)
    )
    model.fit(inputs(df, features, rule_ids), df.confirmed.astype(int).to_numpy())
    model.support_ = support(df)
    return model


def learned_score(model: Pipeline, df: pd.DataFrame, features: Sequence[str], rule_ids: Sequence[str]):
    """Probability that verifiers confirm each entity of ``df``."""
    return model.predict_proba(inputs(df, features, rule_ids))[:, 1]


def enough(outcomes: pd.DataFrame) -> bool:
    """Whether the outcomes can teach anything: ``MIN_OUTCOMES`` in all, ``MIN_EACH`` of each kind."""
    n_conf = int(outcomes.confirmed.sum()) if len(outcomes) else 0
    return len(outcomes) >= MIN_OUTCOMES and min(n_conf, len(outcomes) - n_conf) >= MIN_EACH


def precision_at_k(score: np.ndarray, confirmed: np.ndarray, k: int) -> float:
    """Share of confirmed entities among the ``k`` highest ``score`` (ties broken by position)."""
    order = np.argsort(-np.asarray(score, float), kind="stable")[:k]
    return float(np.asarray(confirmed)[order].mean()) if k else float("nan")


@dataclass(frozen=True)
class Backtest:
    cut: str  # first issue week of the future
    n_train: int
    n_test: int
    k: int
    candidate: float  # precision in the top k of the future, re-ranked by the candidate
    champion: float  # ... ordered by the scores that issued them

    @property
    def better(self) -> bool:
        return self.candidate > self.champion


def backtest(
    outcomes: pd.DataFrame, features: Sequence[str], rule_ids: Sequence[str], seed: int = 42
) -> Backtest | None:
    """Time-split backtest: fit on the clues issued before the cut week, rank the later ones.

    ``outcomes``: one row per verified entity with ``issued`` (the as-of week its clue was issued),
    ``confirmed``, ``risk_score`` (the score that issued it), ``rule_score`` and the inputs' columns. ``k`` is the
    number of confirmed entities in the future (precision in the top k is then R-precision). None when
    either side of the cut is too small to fit or to judge.
    """
    weeks = sorted(outcomes.issued.unique())
    if len(weeks) < 2:
        return None
    share = outcomes.groupby("issued").size().reindex(weeks).iloc[::-1].cumsum() / len(outcomes)
    cut = share[share >= TEST_SHARE].index[0]  # newest weeks until about TEST_SHARE of the outcomes
    train, test = outcomes[outcomes.issued < cut], outcomes[outcomes.issued >= cut]
    k = int(test.confirmed.sum())
    if not enough(train) or k == 0 or k == len(test):
        return None
    model = fit(train, features, rule_ids, seed)
    learned = learned_score(model, test, features, rule_ids)
    y = test.confirmed.to_numpy()
    return Backtest(
        cut=str(cut),
        n_train=len(train),
        n_test=len(test),
        k=k,
        candidate=precision_at_k(
            risk_score(
                test.evidence_tier.to_numpy(float),
                test.rule_score.to_numpy(float),
                test.model_score.to_numpy(float),
                learned,
                support_of(test.evidence_tier, model.support_),
            ),
            y,
            k,
        ),  # fmt: skip
        champion=precision_at_k(test.risk_score.to_numpy(float), y, k),
    )
