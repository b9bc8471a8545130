"""The re-ranker learned from verified outcomes (models/reranker.py) and the loop's simulated answers."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models import reranker
from models.rules import risk_score

FEATURES = ("n_adm", "split_score")
RULES = ("P02", "P10")


def _outcomes(n_weeks: int = 6, per_week: int = 30, signal: str = "feature", seed: int = 1) -> pd.DataFrame:
    """Verified entities of ``n_weeks`` issue weeks. ``signal="feature"``: verifiers confirm the entities
    with a high ``split_score`` while the issuing risk score is noise; ``"risk"``: the risk score already
    orders them perfectly and the features are noise."""
    rng = np.random.default_rng(seed)
    n = n_weeks * per_week
    confirmed = rng.random(n) < 0.5
    noise = rng.random(n)
    split = (
        np.where(confirmed, 2 + rng.random(n), rng.random(n)) if signal == "feature" else rng.random(n) * 3
    )
    rule = (
        np.where(confirmed, 0.6 + 0.3 * rng.random(n), 0.1 + 0.3 * rng.random(n))
        if signal == "risk"
        else noise
    )
    model = rng.random(n)
    tier = np.ones(n)
    return pd.DataFrame(
        {
            "issued": np.repeat(
                [dt.date(2025, 11, 2) + dt.timedelta(days=7 * k) for k in range(n_weeks)], per_week
            ),
            "confirmed": confirmed.astype(int),
            "n_adm": rng.integers(1, 5, n),
            "split_score": split,
            "model_score": model,
            "rule_score": rule,
            "evidence_tier": tier,
            "risk_score": risk_score(tier, rule, model),
            "strength_P02": rule,
            "strength_P10": 0.0,
        }
    )


def test_backtest_promotes_a_reranker_that_ranks_the_future_better():
    bt = reranker.backtest(_outcomes(signal="feature"), FEATURES, RULES)
    assert bt is not None and bt.better
    assert bt.candidate >= 0.9 and bt.champion < 0.75
    # the future is the newest weeks only: nothing of it was fitted on
    assert bt.n_test + bt.n_train == 180 and 0.25 <= bt.n_test / 180 <= 0.4
    assert bt.cut == "2025-11-30"


def test_backtest_keeps_the_champion_when_it_already_ranks_best():
    bt = reranker.backtest(_outcomes(signal="risk"), FEATURES, RULES)
    assert bt is not None and bt.champion == 1.0 and not bt.better


def test_too_few_outcomes_teach_nothing():
    few = _outcomes(n_weeks=2, per_week=15)
    assert not reranker.enough(few)
    assert reranker.backtest(few, FEATURES, RULES) is None
    one_week = _outcomes(n_weeks=1, per_week=100)
    assert reranker.enough(one_week) and reranker.backtest(one_week, FEATURES, RULES) is None
    all_confirmed = _outcomes().assign(confirmed=1)
    assert not reranker.enough(all_confirmed)


def test_the_learned_score_reorders_within_a_tier_never_across():
    hard, soft = np.array([2.0, 2.0]), np.array([1.0, 1.0])
    rule, model = np.array([0.3, 0.3]), np.array([0.5, 0.5])
    dismissed_hard = risk_score(hard, rule, model, np.array([0.0, 0.0]))
    confirmed_soft = risk_score(soft, np.array([1.0, 1.0]), np.array([1.0, 1.0]), np.array([1.0, 1.0]))
    assert (dismissed_hard > confirmed_soft).all()
    low, high = risk_score(soft, rule, model, np.array([0.1, 0.9]))
    assert high > low
    assert risk_score(soft, rule, model)[0] == pytest.approx((1 + 0.8 * 0.3 + 0.2 * 0.5) / 3)


def test_fit_and_score_read_named_columns_in_any_order():
    df = _outcomes(signal="feature")
    model = reranker.fit(df, FEATURES, RULES)
    shuffled = df[list(reversed(df.columns))]
    p = reranker.learned_score(model, shuffled, FEATURES, RULES)
    assert p.shape == (len(df),) and ((p >= 0) & (p <= 1)).all()
    assert p[df.confirmed == 1].mean() > p[df.confirmed == 0].mean() + 0.5


def test_simulated_answers_follow_the_truth_with_noise_and_delay():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from loop import DELAYS, FALSE_HIT, MISS, NEVER, simulate_feedback

    n = 4000
    clues = pd.DataFrame(
        {
            "clue_id": [f"C{k}" for k in range(n)],
            "entity_type": "psn",
            "entity_id": [str(k) for k in range(n)],
            "admdvs": "130322",
            "fund_amount": 1000.0,
        }
    )
    positives = {("psn", str(k)) for k in range(n // 2)}
    as_of = dt.date(2025, 11, 23)
    fb = simulate_feedback(clues, positives, as_of, np.random.default_rng(3))
    final = fb[fb.status != "核查中"].assign(true=lambda d: d.clue_id.str[1:].astype(int) < n // 2)
    assert abs(len(final) / n - (1 - NEVER)) < 0.03
    hit = final.status.isin(["查实", "部分查实"])
    assert abs(1 - hit[final.true].mean() - MISS) < 0.03
    assert abs(hit[~final.true].mean() - FALSE_HIT) < 0.02
    late = (pd.to_datetime(final.feedback_date) - pd.Timestamp(as_of)).dt.days
    assert late.min() > 0 and late.max() <= 7 * max(DELAYS)
    assert (final.verified_amt[hit] <= 1000.0).all() and final.verified_amt[~hit].isna().all()
    assert set(fb[fb.status == "核查中"].clue_id) == set(final.clue_id)


def test_a_reranker_reorders_only_where_it_learned_and_never_across_tiers():
    df = _outcomes(signal="feature")
    model = reranker.fit(df, FEATURES, RULES)
    assert set(model.support_) == {1}  # every outcome was soft evidence: no support in the other tiers
    floor = model.support_[1]
    assert 0.0 < floor < np.quantile(0.8 * df.rule_score + 0.2 * df.model_score, 0.2)
    # a population: the verified kind of entity above the support, and deeper soft and hard evidence
    tier = np.array([1, 1, 1, 1, 2, 2])
    rule = np.array([0.95, 0.9, 0.9 * floor, 0.5 * floor, 0.3, 0.1])
    model_score = np.array([0.5, 0.5, 0.0, 0.0, 0.5, 0.5])  # rows 2 and 3 lie below the support
    learned = np.array([0.01, 0.99, 0.99, 0.01, 0.01, 0.99])
    sup = reranker.support_of(tier, model.support_)
    assert np.isnan(sup[4:]).all() and (sup[:4] == floor).all()
    with_learning = risk_score(tier, rule, model_score, learned, sup)
    without = risk_score(tier, rule, model_score)
    # above the support the learned probability reorders (row 1 passes row 0) ...
    assert with_learning[1] > with_learning[0] and without[0] > without[1]
    # ... below it and in a tier it never saw, the evidence's order stands, and the re-ranked stay above
    np.testing.assert_allclose(with_learning[2:], without[2:])
    assert with_learning[:2].min() > with_learning[2:4].max()
    assert with_learning[4:].min() > with_learning[:4].max()  # hard evidence first, re-ranked or not
