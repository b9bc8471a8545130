"""Drug traceability codes (features/trace.py, issue #20): the ledger, returns netted, splits left out, the
later seller blamed rather than the first, the buyer whose box reappeared elsewhere, and the rules on them."""

from __future__ import annotations

import pytest

from features import trace
from features.fixmedins import fixmedins_features
from features.psn import psn_features
from models.rules import apply_rules
from tests.world import AS_OF, D, World, _d

A = "80000010000000000001"  # well-formed codes (码上放心: 20 digits beginning with 8)
B = "80000010000000000002"
C = "80000010000000000003"
GS1 = "0106912345678905" + "21ABC123"  # an imported drug's GS1 code


def _resales(spark, w: World):
    psn, visits, fee = w.frames(spark)
    ledger = trace.code_sales(fee, w.mdtrt_frame(spark))
    return ledger, visits, trace.resales(ledger, visits, AS_OF, 365)


@pytest.mark.spark
def test_ledger_has_one_row_per_code_and_keeps_malformed_ones(spark):
    w = World()
    w.visit("P1", "S1", "41", 10, amount=90.0, drug="XC08CAA001", codes=f"{A}, {GS1}，无", trdn="0")
    w.visit("P2", "S1", "41", 11, amount=30.0, drug="XC08CAA001", codes=B, trdn="1")
    w.visit("P3", "H1", "21", 20, los=5, drug="XC08CAA001", codes=C)  # inpatient, no flag: doses
    w.visit("P5", "H1", "21", 30, los=5, drug="XC08CAA001", codes=C, trdn="0")  # flagged whole: doses still
    w.visit("P4", "S1", "41", 12, drug="XC08CAA001")  # no codes: nothing in the ledger
    ledger = trace.code_sales(w.frames(spark)[2], w.mdtrt_frame(spark)).toPandas().set_index("drug_trac_codg")
    assert sorted(ledger.index) == sorted([A, GS1, "无", B, C, C])
    ledger = ledger[~ledger.index.duplicated()]
    assert ledger.code_ok.to_dict() == {A: True, GS1: True, "无": False, B: True, C: True}
    assert ledger.split.to_dict() == {A: False, GS1: False, "无": False, B: True, C: True}
    assert float(ledger.amount[A]) == 30.0  # the line's amount over its three codes
    assert ledger.psn_no[C] == "P3" and ledger.fixmedins_code[A] == "S1"
    assert trace.code_quality(trace.code_sales(w.frames(spark)[2], w.mdtrt_frame(spark))) == {
        "codes": 6,
        "malformed": 1,
        "split": 3,
    }


@pytest.mark.spark
def test_a_returned_box_sold_again_is_not_a_resale(spark):
    w = World()
    # refunded in full (the visit's settlement reversed), then sold by the same shop to someone else
    w.visit("P1", "S1", "41", 10, drug="XC08CAA001", codes=A, refund=True)
    w.visit("P2", "S1", "41", 14, drug="XC08CAA001", codes=A)
    # a line reversed within its visit (negative cnt) gives the box back too
    m = w.visit("P3", "S1", "41", 20, drug="XC08CAA001", codes=B)
    w.fee.append((f"F{m}R", m, f"S{m}", _d(20, 12), "XC08CAA001", None, "09", "甲", D(-30), D(1), D(-30),
                  None, None, None, B, None))  # fmt: skip
    w.visit("P4", "S2", "41", 25, drug="XC08CAA001", codes=B)
    # a visit settled, refunded and settled again lists its box once
    w.visit("P5", "S1", "41", 30, drug="XC08CAA001", codes=C, refund=True, resettle=True)
    _, _, sold = _resales(spark, w)
    assert sold.count() == 0
    # without the refund the same box sold twice by one shop is a resale
    w2 = World()
    w2.visit("P1", "S1", "41", 10, drug="XC08CAA001", codes=A)
    w2.visit("P2", "S1", "41", 14, drug="XC08CAA001", codes=A)
    assert [r.kind for r in _resales(spark, w2)[2].orderBy("seq").collect()] == ["first", "self"]


@pytest.mark.spark
def test_split_sales_and_inpatient_doses_are_not_resales(spark):
    w = World()
    for i, p in enumerate(["P1", "P2", "P3"]):  # one box split among three customers
        w.visit(p, "S1", "41", 10 + i, drug="XC08CAA001", codes=A, trdn="1")
    for i, p in enumerate(["P4", "P5"]):  # a ward's box, doses to two inpatients, no flag
        w.visit(p, "H1", "21", 30 + 10 * i, los=3, drug="XC08CAA001", codes=B)
    w.visit("P6", "S1", "41", 50, drug="XC08CAA001", codes="0" * 20)  # a placeholder, malformed
    w.visit("P7", "S1", "41", 51, drug="XC08CAA001", codes="0" * 20)
    assert _resales(spark, w)[2].count() == 0


@pytest.mark.spark
def test_the_later_seller_is_blamed_and_the_buyer_whose_box_reappeared(spark):
    w = World()
    w.visit("P1", "S1", "41", 10, drug="XC08CAA001", codes=A)  # bought at S1 …
    w.visit("P2", "S2", "41", 40, drug="XC08CAA001", codes=A)  # … sold again at S2 a month later
    w.visit("P3", "S2", "41", 60, drug="XC08CAA001", codes=A)  # … and once more at S2
    ledger, visits, sold = _resales(spark, w)
    rows = {r.psn_no: r for r in sold.collect()}
    assert {p: r.kind for p, r in rows.items()} == {"P1": "first", "P2": "reflow", "P3": "self"}
    assert rows["P2"].first_fixmedins_code == "S1" and rows["P2"].days_since_first == 30
    assert rows["P1"].resold_elsewhere and not rows["P2"].resold_elsewhere  # P2's box went on at S2
    inst = {r.fixmedins_code: r for r in trace.institution_code_features(ledger, sold, AS_OF, 365).collect()}
    assert (inst["S1"].code_reflow, inst["S1"].code_self_resold, inst["S1"].code_sales) == (0, 0, 1)
    assert (inst["S2"].code_reflow, inst["S2"].code_self_resold, inst["S2"].code_reflow_sources) == (1, 1, 1)
    assert inst["S2"].code_max_sales == 2 and inst["S2"].code_self_share == 0.5
    people = {r.psn_no: r for r in trace.person_code_features(sold).collect()}
    assert set(people) == {"P1"} and people["P1"].boxes_resold == 1
    assert people["P1"].code_setl_ids == [r.setl_id for r in sold.collect() if r.psn_no == "P1"]


@pytest.mark.spark
def test_code_rules_fire_on_the_sellers_and_the_reseller(spark):
    w = World()
    codes = [f"8000002000000000000{i}" for i in range(4)]
    for i, code in enumerate(codes):
        w.visit("R1", "S1", "41", 10 + i, drug="XC08CAA001", codes=code)  # R1 buys four boxes at S1 …
        w.visit(f"Q{i}", "S2", "41", 60 + i, drug="XC08CAA001", codes=code)  # … S2 sells them again
        for k in range(3):  # S3 sells each of its own boxes three times …
            w.visit(
                f"T{i}{k}", "S3", "41", 10 + i + 5 * k, drug="XC08CAA001", codes=f"8000003000000000000{i}"
            )
        for k in range(
            2
        ):  # … S4's cashier scanned four boxes twice each, minutes apart (a slip, not a scheme)
            w.visit(
                f"U{i}{k}", "S4", "41", 10 + i, minute=k, drug="XC08CAA001", codes=f"8000004000000000000{i}"
            )
    w.visit("T99", "S3", "41", 99, drug="XC08CAA001", codes="80000030000000000009")
    psn, visits, fee = w.frames(spark)
    ledger = trace.code_sales(fee, w.mdtrt_frame(spark))
    sold = trace.resales(ledger, visits, AS_OF, 365)
    inst = fixmedins_features(
        w.institutions(spark),
        psn,
        visits,
        fee,
        AS_OF,
        codes=trace.institution_code_features(ledger, sold, AS_OF, 365),
    )
    fired = {r.fixmedins_code: set(r.rules_fired) for r in apply_rules(inst, "fixmedins").collect()}
    assert "F07" in fired["S2"] and "F06" not in fired["S2"]
    assert "F06" in fired["S3"] and "F07" not in fired["S3"]
    assert not fired["S1"] & {"F06", "F07"}  # the first seller is not the suspect
    assert not fired["S4"] & {"F06", "F07"}  # no code sold three times: slips
    people = psn_features(psn, visits, fee, AS_OF, codes=trace.person_code_features(sold))
    fired = {
        r.psn_no: (set(r.rules_fired), r.evidence_setl_ids) for r in apply_rules(people, "psn").collect()
    }
    assert "P12" in fired["R1"][0] and len(fired["R1"][1]) == 4
    assert all("P12" not in fired[p][0] for p in ("Q0", "T00", "T99"))


@pytest.mark.spark
def test_weekly_resales_over_the_changed_codes_equal_the_whole_window(spark):
    """The weekly shortcut (``resale_candidates``): last week's repeated codes, the codes sold since and the rows
    that arrived late, and nothing else, give the same resales as grouping the whole window."""
    import datetime as dt

    from pyspark.sql import functions as F

    window, since = 60, AS_OF - dt.timedelta(days=14)
    code = {k: f"800000200000000000{i:02d}" for i, k in enumerate("ABCEF")}
    w = World()
    for psn, inst, day, k in [
        ("P1", "S1", 300, "A"), ("P2", "S2", 320, "A"),  # repeated last time; its first sale has left the window
        ("P3", "S1", 330, "B"), ("P4", "S2", 355, "B"),  # sold again after last week: a new repeat
        ("P5", "S1", 310, "C"), ("P6", "S3", 340, "C"),  # the second sale arrived late (not in last week's ledger)
        ("P7", "S1", 320, "E"), ("P8", "S2", 345, "E"),  # repeated both weeks
        ("P9", "S3", 320, "F"),  # sold once: never looked at again
    ]:  # fmt: skip
        w.visit(psn, inst, "41", day, drug="XC08CAA001", codes=code[k])
    psn, visits, fee = w.frames(spark)
    ledger = trace.code_sales(fee, w.mdtrt_frame(spark)).cache()
    late = (F.col("drug_trac_codg") == code["C"]) & (F.col("psn_no") == "P6")
    last_week = trace.resales(ledger.filter(~late), visits, since, window)
    assert {r.drug_trac_codg for r in last_week.collect()} == {code["A"], code["E"]}

    def rows(df):
        return sorted((r.drug_trac_codg, r.mdtrt_id, r.seq, r.kind, r.n_sales) for r in df.collect())

    whole = rows(trace.resales(ledger, visits, AS_OF, window))
    assert {r[0] for r in whole} == {code["B"], code["C"], code["E"]}
    candidates = trace.resale_candidates(ledger, last_week, since, AS_OF, ledger.filter(late))
    assert {r.drug_trac_codg for r in candidates.collect()} == {code[k] for k in "ABCE"}  # not F
    assert rows(trace.resales(ledger, visits, AS_OF, window, codes=candidates)) == whole
    # the usual week: everything sold since arrived since, so the ledger need not be scanned for new sales
    delivered = ledger.filter(late | (F.col("sale_time") >= F.lit(since + dt.timedelta(days=1))))
    quick = trace.resale_candidates(ledger, last_week, since, AS_OF, delivered, sold_since_arrived=True)
    assert rows(trace.resales(ledger, visits, AS_OF, window, codes=quick)) == whole
    # without the late rows the shortcut would miss C: the arrivals are what keeps it exact
    missed = trace.resale_candidates(ledger, last_week, since, AS_OF, None)
    assert code["C"] not in {r[0] for r in rows(trace.resales(ledger, visits, AS_OF, window, codes=missed))}
