"""Each feature and rule: a tiny case that builds the pattern, and normal care where it stays quiet."""

from __future__ import annotations

from decimal import Decimal

import pytest

from features.fixmedins import fixmedins_features
from features.psn import psn_features
from models.rules import apply_rules
from tests.world import AS_OF, FIX, World

pytestmark = pytest.mark.spark


def _psn(spark, world):
    psn, visits, fee = world.frames(spark)
    out = apply_rules(psn_features(psn, visits, fee, AS_OF), "psn")
    return {r.psn_no: r for r in out.collect()}


def test_refunds_net_out_the_settlement_they_reverse(spark):
    w = World()
    w.visit("A", "H1", "21", 10, los=5, amount=5000, refund=True)
    w.visit("A", "H1", "21", 40, los=5, amount=3000)
    _, visits, _ = w.frames(spark)
    rows = {r.mdtrt_id: r for r in visits.collect()}
    assert rows["M0"].fund_pay_sumamt == 0 and not rows["M0"].settled
    assert rows["M1"].fund_pay_sumamt == Decimal("2100.00") and rows["M1"].los_days == 5
    got = _psn(spark, w)
    assert got["A"].n_adm == 1  # the reversed stay is not a stay


def test_frequent_mild_admissions_fire_p01_and_normal_care_stays_quiet(spark):
    w = World()
    for k in range(6):
        w.visit("FREQ", "H1", "21", 20 + 50 * k, los=8, dx="I63.800")  # lacunar infarct, every ~7 weeks
    w.visit("NORM", "H1", "21", 100, los=7, dx="J18.900")
    for k in range(5):  # chemotherapy cycles: frequent, but serious
        w.visit("CHEMO", "H2", "21", 10 + 25 * k, los=4, dx="C34.900")
    got = _psn(spark, w)
    assert got["FREQ"].n_adm == 6 and got["FREQ"].n_adm_mild == 6 and "P01" in got["FREQ"].rules_fired
    assert got["NORM"].rules_fired == [] and got["NORM"].n_adm == 1
    assert "P01" not in got["CHEMO"].rules_fired


def test_readmission_within_15_days_fires_p02(spark):
    w = World()
    for start in (10, 25, 40):  # each stay 5 days, readmitted 10 days after discharge
        w.visit("SPLIT", "H1", "21", start, los=5)
    w.visit("OK", "H1", "21", 10, los=5)
    w.visit("OK", "H1", "21", 100, los=5)
    got = _psn(spark, w)
    assert got["SPLIT"].n_readmit == 2 and "P02" in got["SPLIT"].rules_fired
    assert got["OK"].n_readmit == 0 and got["OK"].rules_fired == []


def test_co_admission_with_near_identical_amounts_fires_p03(spark):
    w = World()
    for k in range(5):  # five villagers (four of one village), same day in, same day out, same bill (±0.1%)
        w.person(f"G{k}", addr=f"昌黎县东1镇{3 if k else 4}村{k}号")
        w.visit(f"G{k}", "H9", "21", 50, los=9, amount=8000 + k * 2)
    for k in range(8):  # ordinary patients at the same place: other days, spread amounts
        w.visit(f"N{k}", "H9", "21", 10 + 30 * k, los=3 + k, amount=2000 + 1500 * k)
    got = _psn(spark, w)
    assert all("P03" in got[f"G{k}"].rules_fired for k in range(5))
    assert got["G0"].co_adm_max == 4 and got["G0"].co_adm_village_max == 0
    assert got["G1"].co_adm_village_max == 3  # three others from 东1镇3村
    assert not any("P03" in got[f"N{k}"].rules_fired for k in range(8))
    assert all(got[f"N{k}"].co_adm_village_max == 0 for k in range(8))


def test_a_village_group_back_together_without_a_shared_cause_fires_p03(spark):
    w = World()
    for k in range(5):  # five of one village, in and out together twice for lumbar discs, bills far apart
        w.person(f"V{k}", addr=f"昌黎县东1镇3村{k}号")
        w.visit(f"V{k}", "H9", "21", 50 + k % 2, los=8, amount=3000 + 450 * k, dx="M51.202")
        w.visit(f"V{k}", "H9", "21", 150, los=7 + k % 2, amount=2600 + 380 * k, dx="M51.202")
    for k in range(5):  # a nursing home's residents, twice with pneumonia in an outbreak
        w.person(f"NH{k}", addr=f"昌黎县西2镇5村敬老院{k}号")
        w.visit(f"NH{k}", "H9", "21", 80, los=9, amount=5000 + 610 * k, dx="J18.900")
        w.visit(f"NH{k}", "H9", "21", 200 + k % 2, los=8, amount=4700 + 530 * k, dx="J18.900")
    for k in range(8):  # ordinary patients at the same place: other days, spread amounts
        w.visit(f"N{k}", "H9", "21", 10 + 30 * k, los=3 + k, amount=2000 + 1500 * k)
    got = _psn(spark, w)
    assert all(got[f"V{k}"].co_adm_village_stays == 2 and "P03" in got[f"V{k}"].rules_fired for k in range(5))
    assert all(got[f"NH{k}"].co_adm_stays == 2 for k in range(5))  # together, but for a contagion
    assert not any(got[f"NH{k}"].co_adm_village_stays or got[f"NH{k}"].rules_fired for k in range(5))


def test_a_returned_purchase_is_no_fill_and_a_lone_refund_is_no_fund_kept(spark):
    from tests.world import _d

    w = World()
    for d in (100, 115):  # a month's supply, again after two weeks ...
        w.visit("RETURNED", "P1", "41", d, amount=300, drug="XC08CAA001", prd_days=30)
    # ... and the second box brought back ten days later, on a visit that bought something else
    mid = w.visit("RETURNED", "P1", "41", 125, amount=40, drug="XR05CAA001", prd_days=5)
    w.fee.append((f"F{mid}R", mid, f"S{mid}", _d(125), "XC08CAA001", None, "09", "甲", Decimal(-30),
                  Decimal(10), Decimal(-300), 30, "qd", None, None, None))  # fmt: skip
    # a refund whose original settlement never arrived: it nets negative on fees and fund alike
    mid = w.visit("LONE", "PH1", "41", 200, amount=300, refund=True)
    w.setl[:] = [r for r in w.setl if r[0] != f"S{mid}"]
    got = _psn(spark, w)
    assert got["RETURNED"].rx_supply_ratio == 0 and got["RETURNED"].rules_fired == []
    assert got["LONE"].n_fund_over_fee == 0 and got["LONE"].rules_fired == []


def test_supply_far_beyond_elapsed_days_fires_p04(spark):
    w = World()
    for k in range(12):  # a 30-day supply every 10 days
        w.visit("HEAVY", "P1", "41", 200 + 10 * k, amount=300, drug="XC08CAA001", prd_days=30)
    for k in range(6):  # a 30-day supply every 30 days
        w.visit("CHRONIC", "P1", "41", 180 + 30 * k, amount=300, drug="XC08CAA001", prd_days=30)
    got = _psn(spark, w)
    assert got["HEAVY"].rx_supply_ratio > 2 and "P04" in got["HEAVY"].rules_fired
    assert got["CHRONIC"].rx_supply_ratio < 1.3 and got["CHRONIC"].rules_fired == []


def test_supply_is_measured_against_the_drugs_usual_dispensing(spark):
    w = World()
    # here levothyroxine's 周期天数 is recorded as the pack size (100 tablets): its 20 regular buyers each fetch a
    # box a month, a ratio of 3.3 that is the region's habit, not theirs
    for p in range(20):
        for k in range(4):
            w.visit(f"THY{p}", "P1", "41", 100 + 30 * k + p, amount=25, drug="XH03AAA001", prd_days=100)
    for k in range(10):  # a box every ten days: three times the habit
        w.visit("HOARD", "P1", "41", 100 + 10 * k, amount=25, drug="XH03AAA001", prd_days=100)
    for d in (40, 130, 220):  # 长处方: a 90-day supply, again each time it ran out
        w.visit("LONG", "P1", "41", d, amount=200, drug="XC08CAA001", prd_days=90)
    w.visit("LATE", "P1", "41", 340, amount=200, drug="XC08CAA001", prd_days=90)  # one, weeks before the end
    for k, d in enumerate((200, 200, 205, 210)):  # two shops on one day (one fill of 60 days), then two more
        w.visit("HOARD2", f"P{k % 2 + 1}", "41", d, amount=200, drug="XC08CAA001", prd_days=30)
    for d in (200, 210):  # a second box ten days later: twice is not a habit
        w.visit("TWICE", "P1", "41", d, amount=200, drug="XC08CAA001", prd_days=30)
    got = _psn(spark, w)
    assert all(got[f"THY{p}"].rx_supply_ratio < 1.5 for p in range(20))
    assert not any("P04" in got[f"THY{p}"].rules_fired for p in range(20))
    # (9 boxes × 100 days over 90 days) against the habit (3 boxes × 100 days over 90 days) = 3
    assert got["HOARD"].rx_supply_ratio == pytest.approx(3.0, rel=0.15) and "P04" in got["HOARD"].rules_fired
    assert got["LONG"].rx_supply_ratio == pytest.approx(1.0) and got["LONG"].rules_fired == []
    assert got["LATE"].rx_supply_ratio == 0 and got["LATE"].rules_fired == []
    assert got["HOARD2"].rx_supply_ratio == pytest.approx(90 / 10) and "P04" in got["HOARD2"].rules_fired
    assert got["TWICE"].rx_supply_ratio == 0 and got["TWICE"].rules_fired == []


def test_institution_clustered_admissions_and_template_amounts(spark):
    w = World()
    for g, day in enumerate((30, 90, 150, 210)):  # four recruited groups of four, for mild conditions
        for k in range(4):
            w.visit(f"C{g}{k}", "FAKE", "21", day, los=8, amount=6800 + k, dx="M51.202")
    for g, day in enumerate((40, 100, 160, 220)):  # four families hurt together (a fracture): the same shape
        for k in range(4):
            w.visit(f"F{g}{k}", "FAMILY", "21", day, los=8, amount=6800 + k, dx="S72.000")
    for k in range(25):  # an ordinary hospital: spread days, stays and amounts
        w.visit(f"N{k}", "REAL", "21", 5 + 13 * k, los=3 + k % 9, amount=1800 + 737 * k)
    psn, visits, fee = w.frames(spark)
    fix = spark.createDataFrame(
        [("FAKE", "甲", "1", "08", "2", "130322"), ("REAL", "乙", "1", "08", "1", "130322"),
         ("FAMILY", "丙", "1", "08", "1", "130322")],
        FIX,
    )  # fmt: skip
    out = {
        r.fixmedins_code: r
        for r in apply_rules(fixmedins_features(fix, psn, visits, fee, AS_OF), "fixmedins").collect()
    }
    # grouped stays for mild conditions are what recruited groups look like: full strength, families' half
    assert out["FAKE"].co_adm_mild_share == 1.0 and out["FAMILY"].co_adm_mild_share == 0.0
    assert out["FAKE"].rule_strengths["F01"] == 1.0  # (share 1 + 0.05 × 4 groups), clipped to 1
    assert out["FAMILY"].rule_strengths["F01"] == pytest.approx(0.5 * (1.0 + 0.05 * 4))
    assert (
        out["FAKE"].co_adm_share == 1.0
        and out["FAKE"].co_adm_groups == 4
        and "F01" in out["FAKE"].rules_fired
    )
    assert out["FAKE"].elderly_share == 1.0 and out["FAKE"].los_cv == 0.0
    assert out["REAL"].co_adm_share == 0.0 and out["REAL"].rules_fired == []
    assert out["REAL"].amt_peak_share < 0.2


def test_visits_outside_the_window_do_not_count(spark):
    w = World()
    w.visit("A", "H1", "21", -400, los=5)  # 2023
    w.visit("A", "H1", "21", 100, los=5)
    assert _psn(spark, w)["A"].n_adm == 1


def test_starts_with_any_matches_startswith_for_mixed_prefix_lengths_and_nulls(spark):
    from pyspark.sql import functions as F

    from features.codes import FEMALE_ONLY_DX, MALE_ONLY_DX, starts_with_any

    prefixes = ("O", "N40", "Z51", "C6", "R54.1")
    codes = ["O80.000", "N40.x00", "N4", "Z51.100", "C61", "C7", "R54.100", "R54", "", None, "o80"]
    df = spark.createDataFrame([(c,) for c in codes], "c string")
    got = {r.c: r.hit for r in df.select("c", starts_with_any(F.col("c"), prefixes).alias("hit")).collect()}
    assert got == {c: c is not None and c.startswith(prefixes) for c in codes}
    # the real diagnosis lists: one expression however long the list
    many = MALE_ONLY_DX + FEMALE_ONLY_DX
    got = {r.c: r.hit for r in df.select("c", starts_with_any(F.col("c"), many).alias("hit")).collect()}
    assert got == {c: c is not None and c.startswith(many) for c in codes}


def test_amount_peak_share_equals_the_share_of_rows_amount_peaks_flags(spark):
    from pyspark.sql import functions as F

    from features.windows import amount_peak_share, amount_peaks

    rows = [("P1", float(a)) for a in [100] * 8 + [100.2] * 3 + list(range(200, 260, 3)) + [0, -5]]
    rows += [("P2", float(a)) for a in range(300, 400, 7)]
    df = spark.createDataFrame(rows, "fixmedins_code string, hifp_pay double")
    flagged = {
        r.fixmedins_code: r.share
        for r in amount_peaks(df, "fixmedins_code")
        .groupBy("fixmedins_code")
        .agg(F.avg(F.col("amt_peak").cast("double")).alias("share"))
        .collect()
    }
    got = {r.fixmedins_code: r.amt_peak_share for r in amount_peak_share(df, "fixmedins_code").collect()}
    assert got == flagged and got["P1"] == 11 / 33 and got["P2"] == 0.0


def test_split_strength_grades_the_gap_and_a_relatives_purchase_is_weak_bed_blocking(spark):
    w = World()
    w.visit("NEXTDAY", "H1", "21", 10, los=5, dx="J18.900")
    w.visit("NEXTDAY", "H1", "21", 16, los=5, dx="J18.900")  # readmitted the day after discharge
    w.visit("LATE", "H1", "21", 10, los=5, dx="J18.900")
    w.visit("LATE", "H1", "21", 27, los=5, dx="J18.900")  # twelve days later
    for k in range(4):  # a chronic patient's routine purchases of one drug
        w.visit("ROUTINE", "P1", "41", 100 + 30 * k, amount=300, drug="XC08CAA001", prd_days=30)
    w.visit("ROUTINE", "H1", "21", 220, los=12)
    for d in (223, 226):  # the same drug fetched twice during the stay: a relative
        w.visit("ROUTINE", "P2", "41", d, amount=300, drug="XC08CAA001", prd_days=30)
    w.visit("AWAY", "H1", "21", 220, los=12)
    for d in (223, 226):  # another drug bought twice while "in hospital": bed-blocking
        w.visit("AWAY", "P2", "41", d, amount=300, drug="XN02BEA001", prd_days=5)
    got = _psn(spark, w)
    assert "P02" in got["NEXTDAY"].rules_fired and "P02" in got["LATE"].rules_fired
    assert got["NEXTDAY"].rule_strengths["P02"] == pytest.approx(1.0)
    assert got["LATE"].rule_strengths["P02"] == pytest.approx(1 - 11 / 15)
    assert "P06" in got["ROUTINE"].rules_fired and "P06" in got["AWAY"].rules_fired
    assert got["ROUTINE"].n_in_stay_routine == 2 and got["AWAY"].n_in_stay_routine == 0
    assert got["ROUTINE"].rule_strengths["P06"] == pytest.approx(0.2)
    assert got["AWAY"].rule_strengths["P06"] == pytest.approx(0.8)
    assert (
        got["NEXTDAY"].rule_score > got["LATE"].rule_score
        and got["AWAY"].rule_score > got["ROUTINE"].rule_score
    )


def test_a_group_admitted_over_two_days_is_still_one_group(spark):
    w = World()
    for k in range(5):  # recruited villagers, brought in on days 50 and 51, sent home on 59 or 60
        w.visit(f"G{k}", "H9", "21", 50 + k % 2, los=9 - k % 2 + (k == 4), amount=8000 + k * 2)
    for k in range(8):
        w.visit(f"N{k}", "H9", "21", 10 + 30 * k, los=3 + k, amount=2000 + 1500 * k)
    got = _psn(spark, w)
    assert all(got[f"G{k}"].co_adm_max == 4 and "P03" in got[f"G{k}"].rules_fired for k in range(5))
    assert not any("P03" in got[f"N{k}"].rules_fired for k in range(8))
