"""The life of a clue, on small pandas frames: what is issued again, under which id, and when it is due."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from models import lifecycle

W1, W2 = dt.date(2025, 12, 1), dt.date(2025, 12, 8)


def _cand(*rows) -> pd.DataFrame:
    """rows: (entity_id, admdvs, region_rank, rules, evidence_setl_ids)"""
    return pd.DataFrame(
        [
            {
                "entity_type": "psn",
                "entity_id": e,
                "admdvs": a,
                "region_rank": r,
                "rules": ru,
                "evidence_setl_ids": ev,
            }
            for e, a, r, ru, ev in rows
        ]
    )


def _history(issued: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    h = issued.copy()
    h["as_of"] = as_of
    h["rules_fired"] = h.rules
    for c, v in (("entity_name", ""), ("clue_types", ""), ("risk_score", 0.9), ("fund_amount", 100.0),
                 ("model_version", "fundwatch_psn/1")):  # fmt: skip
        h[c] = v
    return h


def test_new_evidence_decides_what_is_issued_again():
    first = _cand(("A", "R1", 1, ["P05"], ["S1"]), ("B", "R1", 2, ["P02"], ["S2"]), ("C", "R1", 3, [], []))
    week1 = lifecycle.select(first, pd.DataFrame(), 2, W1)
    assert list(week1.entity_id) == ["A", "B"] and set(week1.issue_kind) == {lifecycle.KIND_NEW}
    hist = _history(week1, W1)
    feedback = pd.DataFrame(
        [{"clue_id": week1.clue_id[1], "status": "不属实", "verified_amt": None, "recovered_amt": None,
          "feedback_date": dt.date(2025, 12, 5), "admdvs": "R1"}]
    )  # fmt: skip
    reg = lifecycle.register(hist, feedback, W2)
    assert dict(zip(reg.entity_id, reg.status, strict=True)) == {"A": "下发", "B": "不属实"}
    week2 = lifecycle.select(
        _cand(
            (
                "A",
                "R1",
                1,
                ["P05", "P06"],
                ["S1", "S9"],
            ),  # open clue, a new rule fired: same id, says what is new
            ("B", "R1", 2, ["P02"], ["S2"]),  # dismissed, nothing new: not issued again
            ("C", "R1", 3, [], []),  # next in line fills the freed place
        ),
        reg,
        2,
        W2,
    )
    got = week2.set_index("entity_id")
    assert list(got.index) == ["A", "C"]
    assert got.clue_id["A"] == week1.clue_id[0] and got.issue_kind["A"] == lifecycle.KIND_MORE
    assert "住院期间门诊/购药(挂床)" in got.new_evidence["A"] and "新增疑点结算1笔" in got.new_evidence["A"]
    assert got.issue_kind["C"] == lifecycle.KIND_NEW


def test_a_dismissed_entity_with_new_evidence_starts_a_new_clue_that_names_the_outcome():
    week1 = lifecycle.select(_cand(("B", "R1", 1, ["P02"], ["S2"])), pd.DataFrame(), 5, W1)
    feedback = pd.DataFrame(
        [{"clue_id": week1.clue_id[0], "status": "不属实", "verified_amt": None, "recovered_amt": None,
          "feedback_date": dt.date(2025, 12, 5), "admdvs": "R1"}]
    )  # fmt: skip
    reg = lifecycle.register(_history(week1, W1), feedback, W2)
    week2 = lifecycle.select(_cand(("B", "R1", 1, ["P02"], ["S2", "S7"])), reg, 5, W2)
    assert week2.clue_id[0] != week1.clue_id[0] and week2.issue_kind[0] == lifecycle.KIND_AGAIN
    assert "不属实" in week2.new_evidence[0] and week1.clue_id[0] in week2.new_evidence[0]


def test_status_follows_the_newest_feedback_and_overdue_counts_working_days():
    # 30 working days: New Year's Day 2026 and the day after off, Sunday 4 January worked (调休)
    assert lifecycle.due_date(dt.date(2025, 12, 1)) == dt.date(2026, 1, 13)
    week1 = lifecycle.select(
        _cand(("A", "R1", 1, ["P05"], []), ("B", "R1", 2, ["P05"], []), ("C", "R1", 3, ["P05"], [])),
        pd.DataFrame(), 5, W1,
    )  # fmt: skip
    ids = dict(zip(week1.entity_id, week1.clue_id, strict=True))
    feedback = pd.DataFrame(
        [
            (ids["A"], "核查中", None, None, dt.date(2025, 12, 3), "R1"),
            (ids["A"], "查实", 50.0, 30.0, dt.date(2025, 12, 20), "R1"),
            (ids["B"], "核查中", None, None, dt.date(2025, 12, 3), "R1"),
            (ids["C"], "查实", 100.0, 0.0, dt.date(2026, 3, 1), "R1"),  # not yet known on the report date
        ],
        columns=["clue_id", "status", "verified_amt", "recovered_amt", "feedback_date", "admdvs"],
    )
    reg = lifecycle.register(_history(week1, W1), feedback, dt.date(2026, 1, 20)).set_index("entity_id")
    assert reg.status.to_dict() == {"A": "查实", "B": "核查中", "C": "下发"}
    assert reg.overdue.to_dict() == {"A": False, "B": True, "C": True}
    assert reg.verified_amt["A"] == 50.0
    prec = lifecycle.precision(reg.reset_index())
    assert prec["precision"] == 1.0 and prec["verified_clues"] == 1 and prec["precision.rule.P05"] == 1.0


def test_a_region_answers_its_own_clues_within_their_amounts():
    week1 = lifecycle.select(
        _cand(("A", "R1", 1, ["P05"], []), ("B", "R2", 1, ["P05"], [])), pd.DataFrame(), 5, W1
    )
    hist = _history(week1, W1)  # fund_amount 100.0 each
    ids = dict(zip(week1.entity_id, week1.clue_id, strict=True))
    feedback = pd.DataFrame(
        [
            (ids["A"], "查实", 80.0, 60.0, None, "R1"),  # taken
            (ids["B"], "不属实", None, None, None, "R1"),  # R1 closing R2's clue
            (ids["B"], "查实", 50.0, 50.0, None, None),  # no region
            (ids["A"], "查实", 999_999_999.99, 0.0, None, "R1"),  # beyond the clue's fund amount
            (ids["A"], "查实", 300.0, 0.0, "1", "R1"),  # beyond it, and confirmed as deliberate: taken
            ("FW-P-000000000000", "查实", 1.0, 1.0, None, "R1"),  # never issued
        ],
        columns=["clue_id", "status", "verified_amt", "recovered_amt", "over_fund_flag", "admdvs"],
    ).assign(feedback_date=[dt.date(2025, 12, 3)] * 4 + [dt.date(2025, 12, 4), dt.date(2025, 12, 3)])
    accepted, refused = lifecycle.vet_feedback(feedback, hist)
    assert list(accepted.verified_amt) == [80.0, 300.0]
    assert list(refused.reason) == [
        lifecycle.REFUSED_OTHER_REGION,
        lifecycle.REFUSED_NO_REGION,
        lifecycle.REFUSED_AMOUNT,
        lifecycle.REFUSED_UNKNOWN,
    ]
    reg = lifecycle.register(hist, feedback, W2).set_index("entity_id")
    assert reg.status.to_dict() == {"A": "查实", "B": "下发"}  # R2's clue stays open
    assert reg.verified_amt["A"] == 300.0


def test_rule_weights_follow_verified_outcomes_region_by_region():
    from models.feedback import PRIOR_STRENGTH, rule_weights
    from models.rules import MODEL_ONLY_WEIGHT, RULE_BY_ID, RULES, model_only

    reg = pd.DataFrame(
        [("R1", ["P02"], "不属实")] * 6
        + [
            ("R1", ["P02", "P10"], "查实"),
            ("R2", ["P02"], "查实"),
            ("R2", ["P02"], "核查中"),
            ("R2", [], "不属实"),
        ],
        columns=["admdvs", "rules_all", "status"],
    ).assign(entity_type="psn")
    w = rule_weights(reg, RULES).set_index(["admdvs", "rule_id"])
    s, prior = PRIOR_STRENGTH, RULE_BY_ID["P02"].weight
    assert w.loc[("R1", "P02")].tolist()[:2] == [1, 6]
    # R1's prior is the documented weight moved by R2's one confirmation; its own 1 of 7 then update it
    r1_prior = (prior * s + 1) / (s + 1)
    assert w.weight[("R1", "P02")] == pytest.approx((r1_prior * s + 1) / (s + 7))
    r2_prior = (prior * s + 1) / (s + 7)  # ... and R2's prior carries R1's six dismissals
    assert w.weight[("R2", "P02")] == pytest.approx((r2_prior * s + 1) / (s + 1))
    assert w.weight[("R1", "P02")] < prior  # dismissed sinks
    assert w.weight[("R1", "P02")] < w.weight[("R2", "P02")]  # each region's own outcomes weigh most
    assert w.weight[("R1", "P10")] > RULE_BY_ID["P10"].weight
    # a region without outcomes of a rule borrows the others' (R2 never verified a P10 clue)
    assert w.loc[("R2", "P10")].tolist()[:2] == [0, 0]
    assert w.weight[("R2", "P10")] == pytest.approx((RULE_BY_ID["P10"].weight * s + 1) / (s + 1))
    assert ("R1", "P05") not in w.index  # verified nowhere: the documented weight stays
    # a clue no rule named is learned as the model-only pseudo-rule of its entity type
    m = model_only("psn")
    assert w.loc[("R2", m)].tolist()[:2] == [0, 1]
    assert w.weight[("R2", m)] == pytest.approx(MODEL_ONLY_WEIGHT * s / (s + 1))
    assert w.weight[("R1", m)] == pytest.approx(MODEL_ONLY_WEIGHT * s / (s + 1))
    # ... so dismissed model-only person clues say nothing about model-only institution clues
    assert model_only("fixmedins") not in set(w.index.get_level_values("rule_id"))
    assert rule_weights(pd.DataFrame(columns=reg.columns), RULES).empty


def test_due_dates_follow_the_holiday_calendar_and_fall_back_to_weekdays_with_a_warning(caplog):
    # the Spring Festival 2025: 28 January to 4 February off, Sunday 26 January and Saturday 8 February worked
    assert lifecycle.due_date(dt.date(2025, 1, 20)) == dt.date(2025, 3, 7)  # Monday-Friday alone: 3 March
    assert lifecycle.is_working_day(dt.date(2025, 1, 26)) and not lifecycle.is_working_day(
        dt.date(2025, 1, 29)
    )
    assert lifecycle.due_date(dt.date(2025, 1, 26), 1) == dt.date(2025, 1, 27)  # issued on a worked Sunday
    assert lifecycle.due_date(dt.date(2025, 9, 22)) == dt.date(2025, 11, 7)  # National Day week off
    with caplog.at_level("WARNING"):
        assert lifecycle.due_date(dt.date(2031, 3, 3)) == dt.date(2031, 4, 14)  # not announced yet: weekdays
    assert "no Chinese holiday calendar for 2031" in caplog.text
