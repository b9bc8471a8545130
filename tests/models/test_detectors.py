"""The playbook's detectors on one tiny world: each pattern fires on the person or institution built
for it, and stays quiet on the normal-care look-alike beside it (features computed once per module)."""

from __future__ import annotations

import pytest

from features.fixmedins import fixmedins_features
from features.psn import psn_features
from models.rules import RULES, apply_rules
from tests.world import AS_OF, World

pytestmark = pytest.mark.spark


def _world() -> World:
    w = World()
    # P02 分解住院: discharged on day 60, back at the same hospital for the same diagnosis on day 63
    w.visit("SPLIT", "H1", "21", 50, los=10, dx="I63.900")
    w.visit("SPLIT", "H1", "21", 63, los=8, dx="I63.902")
    w.visit("XFER", "H1", "21", 50, los=10, dx="I63.900")  # readmitted elsewhere for something else
    w.visit("XFER", "H2", "21", 63, los=8, dx="K80.100")
    w.visit("CHEMO", "H1", "21", 10, los=5, dx="C34.900")  # planned chemotherapy cycles
    w.visit("CHEMO", "H1", "21", 25, los=5, dx="C34.900")
    # P05 重叠住院: in two hospitals at once; a same-day transfer is not an overlap
    w.visit("TWICE", "H1", "21", 100, los=10, dx="J18.900")
    w.visit("TWICE", "H2", "21", 105, los=7, dx="I63.800")
    w.visit("TRANSFER", "H1", "21", 100, los=5, dx="I21.900")
    w.visit("TRANSFER", "H2", "21", 105, los=9, dx="I21.900")
    # P06 挂床: an outpatient visit and a pharmacy purchase while lying in hospital
    w.visit("AWAY", "H1", "21", 200, los=10, dx="M51.202")
    w.visit("AWAY", "H3", "11", 203)
    w.visit("AWAY", "PH1", "41", 206, amount=80)
    w.visit("EDGES", "H1", "21", 200, los=10, dx="M51.202")  # visits on admission and discharge day only
    w.visit("EDGES", "H3", "11", 200)
    w.visit("EDGES", "PH1", "41", 210, amount=80)
    # P07 慢特病超范围: registered for hypertension, buys insulin under the chronic benefit on hypertension
    # visits; P13 超病种: the same, on visits coded to diabetes, for which they hold no registration; P14 乱开药:
    # amoxicillin and ibuprofen under the benefit. Covered: a diabetic's insulin, a COPD patient's antibiotic, a
    # stroke patient (registered I63) buying aspirin on visits coded to its sequelae (I69.3)
    for who, dise in (("OPSPX", "I10.x00"), ("OFFDX", "I10.x00"), ("COLDS", "I10.x00"), ("OPSPOK", "E11.900"),
                      ("COPD", "J44.900"), ("STROKE", "I63.900")):  # fmt: skip
        w.register(who, dise)
    # a diabetic whose registration lapsed at the end of last year (its renewal not yet in the extract) goes on
    # buying insulin for diabetes under the benefit: 超期, not 超病种 or 超范围
    w.register("LAPSED", "E11.900", begin=-800, end=-10)
    for k in range(3):
        w.visit("LAPSED", "H3", "14", 30 + 30 * k, amount=2850, dx="E11.900", drug="XA10AEG001", prd_days=30)
        w.visit("OPSPX", "H3", "14", 30 + 30 * k, amount=2850, dx="I10.x00", drug="XA10AEG001", prd_days=30)
        w.visit("OFFDX", "H3", "14", 30 + 30 * k, amount=2850, dx="E11.900", drug="XA10AEG001", prd_days=30)
        w.visit("OPSPOK", "H3", "14", 30 + 30 * k, amount=2850, dx="E11.900", drug="XA10AEG001", prd_days=30)
        w.visit("COPD", "H3", "14", 30 + 30 * k, amount=60, dx="J44.900", drug="XJ01CAA001", prd_days=7)
        w.visit("STROKE", "H3", "14", 30 + 30 * k, amount=40, dx="I69.300", drug="XB01ACA001", prd_days=30)
    w.visit("COLDS", "H3", "14", 40, amount=60, dx="I10.x00", drug="XJ01CAA001", prd_days=7)
    w.visit("COLDS", "H3", "14", 90, amount=50, dx="I10.x00", drug="XM01AEB001", prd_days=7)
    # P08 退费套现: purchases refunded in full; an ordinary correction is refunded and settled again
    for k in range(4):
        w.visit("CASHOUT", "PH2", "41", 40 + 9 * k, amount=600, refund=True)
    w.visit("CORRECTED", "PH2", "41", 40, amount=600, refund=True, resettle=True)
    w.visit("CORRECTED", "PH2", "41", 80, amount=600, refund=True, resettle=True)
    w.visit("CORRECTED", "PH2", "41", 120, amount=600, refund=True, resettle=True)
    # P17 退费未退回统筹: one visit's fees refunded in cash while the fund's share stays paid
    w.visit("KEPT", "H3", "11", 70, amount=400, refund=True, fund_kept=True)
    # P18 分解就诊: three consultations each settled as two visits ten minutes apart in one department; a patient
    # seen in two departments of one hospital on each of four mornings is not
    for d in (30, 60, 90):
        w.visit("SPLITRX", "H3", "11", d, amount=90, dx="J06.900", dept="A03", hour=9)
        w.visit("SPLITRX", "H3", "11", d, amount=85, dx="J06.900", dept="A03", hour=9, minute=10)
    for d in (30, 60, 90, 120):
        w.visit("TWODEPTS", "H3", "11", d, amount=90, dx="I10.x00", dept="A03", hour=9)
        w.visit("TWODEPTS", "H3", "11", d, amount=140, dx="H25.900", dept="A10", hour=9, minute=15)
    # P19 个人账户套现: four whole sums from the personal account at a pharmacy; three whole sums and the rest priced
    # item by item is a December's ordinary spending
    for k, d in enumerate((55, 85, 115, 145)):
        w.visit("ACCT", "PH2", "41", d, amount=(98, 168, 200, 88)[k], acct=True)
    for k, d in enumerate((330, 332, 335, 340, 350)):
        w.visit("DECEMBER", "PH2", "41", d, amount=(100, 168, 200, 63.4, 121.85)[k], acct=True)
    # P09 死亡后结算
    w.death("GHOST", 100)
    w.visit("GHOST", "PH1", "41", 90, amount=100)
    w.visit("GHOST", "PH1", "41", 150, amount=300)
    w.death("DIED", 300)
    w.visit("DIED", "H1", "21", 280, los=12, dx="J44.100")
    # P10 诊断与性别/年龄不符: a man's delivery, a woman's prostate; a mother's delivery is fine
    w.person("MAN", gend="1", birth_year=1980)
    w.visit("MAN", "H1", "21", 150, los=3, dx="O80.000")
    w.person("WOMAN", gend="2", birth_year=1950)
    w.visit("WOMAN", "H1", "21", 150, los=6, dx="N40.x00")
    # antenatal supervision (Z34) on a man's card; menopausal states (N95.1) on a 28-year-old's; a pregnant woman's
    # antenatal visit and a 52-year-old's menopause are their own
    w.person("EXPECTING", gend="1", birth_year=1992)
    w.visit("EXPECTING", "H1", "11", 90, amount=220, dx="Z34.900")
    w.person("YOUNG", gend="2", birth_year=1997)
    w.visit("YOUNG", "H1", "11", 90, amount=160, dx="N95.100")
    w.person("PREGNANT", gend="2", birth_year=1996)
    w.visit("PREGNANT", "H1", "11", 90, amount=220, dx="Z34.900")
    w.person("MENOPAUSE", gend="2", birth_year=1973)
    w.visit("MENOPAUSE", "H1", "11", 90, amount=160, dx="N95.100")
    w.person("MOTHER", gend="2", birth_year=1995)
    w.visit("MOTHER", "H1", "21", 150, los=3, dx="O80.000")
    # P15 冒名就医: a 45-year-old's card seen twice in a children's department; a 15-year-old there is its
    # patient, and a newborn boy in the obstetric ward is too
    w.person("PARENT", gend="2", birth_year=1980)
    w.person("TEEN", gend="1", birth_year=2010)
    w.person("NEWBORN", gend="1", birth_year=2025)
    for d in (60, 140):
        w.visit("PARENT", "H1", "11", d, amount=180, dx="J06.900", dept="A07")
    w.visit("TEEN", "H1", "11", 60, amount=180, dx="J06.900", dept="A07.01")
    for k in range(20):  # H1's children's department sees children: there the code means 儿科
        w.person(f"KID{k}", birth_year=2015)
        w.visit(f"KID{k}", "H1", "11", 10 + k, amount=120, dx="J06.900", dept="A07")
    # HF files every adult's fever visit under "A07" (a local code table): an adult there is no borrowed card.
    # A small clinic's obstetric room, seen by too few people to say otherwise, keeps the national meaning
    for k in range(20):
        w.visit(f"FEVER{k}", "HF", "11", 10 + k, amount=120, dx="R50.900", dept="A07")
    w.person("HUSBAND", gend="1", birth_year=1990)
    w.visit("HUSBAND", "SMALL", "11", 70, amount=90, dx="N76.000", dept="A05.01")
    w.visit("NEWBORN", "H1", "21", 40, los=3, dx="Z38.000", dept="A05.02")
    # a newborn's jaundice in the neonatal department, settled on its mother's card after her delivery (随母)
    w.person("MUM", gend="2", birth_year=1994)
    w.visit("MUM", "H1", "21", 120, los=3, dx="O80.000", dept="A05.02")
    w.visit("MUM", "H1", "21", 124, los=3, dx="P59.900", dept="A07.01")
    w.person("MISDATED", gend="1", birth_year=2026)  # a children's visit dated before birth: a date error
    w.visit("MISDATED", "H1", "11", 300, amount=180, dx="J06.900", dept="A07")
    # P16 异地同时就医: a clinic in county 130321 at 09:00 and a hospital in county 130324 at 09:25 on one card;
    # a traveller seen in two counties four hours apart, and a visit then a pharmacy in one county, are not
    # two districts of one city (130302, 130303) are neighbours: a pair there weighs half
    for code, admdvs in (
        ("C1", "130321"),
        ("C2", "130324"),
        ("PC1", "130321"),
        ("D1", "130302"),
        ("D2", "130303"),
    ):
        pharmacy = code.startswith("P")
        w.inst(code, kind="2" if pharmacy else "1", level=None if pharmacy else "11", admdvs=admdvs)
    for d in (30, 90):
        w.visit("LENT", "C1", "11", d, amount=120, dx="J06.900", hour=9)
        w.visit("LENT", "C2", "11", d, amount=150, dx="M54.500", hour=9, minute=25)
    w.visit("TRAVEL", "C1", "11", 30, amount=120, dx="J06.900", hour=8)
    w.visit("TRAVEL", "C2", "11", 30, amount=150, dx="J06.900", hour=12)
    w.visit("NEARBY", "C1", "11", 30, amount=120, dx="J06.900", hour=9)
    w.visit("NEARBY", "PC1", "41", 30, amount=60, hour=9, minute=20)
    w.visit("DISTRICTS", "D1", "11", 30, amount=120, dx="J06.900", hour=9)
    w.visit("DISTRICTS", "D2", "11", 30, amount=150, dx="J06.900", hour=9, minute=10)
    # institutions: three peer clinics-level hospitals in one city
    for code in ("PEER1", "PEER2", "DEAR", "ADMIT"):
        w.inst(code, level="11")
    for k in range(25):
        for code in ("PEER1", "PEER2"):
            w.visit(f"{code}-{k}", code, "21", 3 + 13 * k, los=4 + k % 5, amount=1800 + 97 * k)
        # F03: the same kind of stays billed at three times the peers' cost
        w.visit(f"DEAR-{k}", "DEAR", "21", 3 + 13 * k, los=4 + k % 5, amount=3 * (1800 + 97 * k))
    for k in range(120):  # peers and DEAR see outpatients too
        for code in ("PEER1", "PEER2", "DEAR"):
            w.visit(f"OP{k % 40}", code, "11", k * 3 % 360, amount=150 + k)
    # F05: ADMIT turns most of its patients into inpatients
    for k in range(35):
        w.visit(f"ADM-{k}", "ADMIT", "21", 5 + 10 * k, los=5 + k % 4, amount=1900 + 83 * k)
    for k in range(10):
        w.visit(f"ADM-{k}", "ADMIT", "11", 2 + 10 * k, amount=160 + k)
    # F02: TEMPLATE bills every stay at one of three package amounts (±0.1%)
    w.inst("TEMPLATE", level="06")
    for k in range(24):
        pkg = (6800, 8800, 11800)[k % 3] * (1 + (k % 5 - 2) / 2000)
        w.visit(f"TPL-{k}", "TEMPLATE", "21", 4 + 14 * k, los=3 + k % 7, amount=round(pkg, 2))
    # F04: at SWIPE, 6 different cards buy the same drug for the same amount within an hour, three times;
    # the third run straddles the clock hour (14:57-15:02) and is still one group
    for g, d in enumerate((60, 140, 200)):
        for k in range(6):
            hour, minute = (14, k) if g < 2 else ((14, 57 + k) if k < 3 else (15, k - 3))
            w.visit(
                f"CARD{g}{k}",
                "SWIPE",
                "41",
                d,
                amount=475,
                drug="XA10AEG001",
                prd_days=30,
                hour=hour,
                minute=minute,
            )
    for k in range(12):  # an ordinary pharmacy: different drugs, amounts, hours
        w.visit(f"BUY{k}", "PHOK", "41", 60, amount=30 + 7 * k, drug="XR05CAA001", prd_days=5, hour=8 + k % 9)
    for k in range(6):  # and one drug bought for the same amount all day long, three hours apart
        w.visit(f"DAY{k}", "PHOK", "41", 90, amount=58, drug="XR05CAA001", prd_days=5, hour=6 + 3 * k)
    # F08: at NIGHT, on three nights, six cards in forty minutes each pay a round sum for whatever drug; at
    # PRICED, a 100-yuan package sells all day long, two hours apart, and six odd sums come in one hour
    drugs = ("XR05CAA001", "XM01AEB001", "XJ01CAA001")
    for g, d in enumerate((70, 150, 230)):
        for k in range(6):
            w.visit(f"NIGHT{g}{k}", "NIGHT", "41", d, amount=(100, 150, 200)[k % 3], drug=drugs[k % 3],
                    prd_days=5, hour=22, minute=8 * k)  # fmt: skip
    for k in range(7):
        w.visit(f"PKG{k}", "PRICED", "41", 100, amount=100, drug="XR05CAA001", prd_days=5, hour=7 + 2 * k)
        w.visit(f"ODD{k}", "PRICED", "41", 120, amount=61.35 + k, drug=drugs[k % 3], prd_days=5, minute=8 * k)
    return w


@pytest.fixture(scope="module")
def playbook(spark):
    w = _world()
    psn, visits, fee = w.frames(spark)
    opsp, death = w.optional(spark)
    places = w.institutions(spark)
    pf = psn_features(psn, visits, fee, AS_OF, opsp_reg=opsp, psn_death=death, fixmedins=places).cache()
    ff = fixmedins_features(w.institutions(spark), psn, visits, fee, AS_OF).cache()
    yield pf, ff, w
    pf.unpersist()
    ff.unpersist()


def _fired(features, entity_type, key, overrides=None):
    return {r[key]: r for r in apply_rules(features, entity_type, overrides).collect()}


def test_person_detectors_fire_on_their_pattern_and_not_on_normal_care(playbook):
    got = _fired(playbook[0], "psn", "psn_no")
    expect = {  # person → (feature, value, rule)
        "SPLIT": ("n_split_adm", 1, "P02"),
        "TWICE": ("n_overlap_stays", 2, "P05"),
        "AWAY": ("n_visits_in_stay", 2, "P06"),
        "OPSPX": ("n_opsp_mismatch", 3, "P07"),
        "OFFDX": ("n_opsp_off_disease", 3, "P13"),
        "COLDS": ("n_opsp_common", 2, "P14"),
        "CASHOUT": ("n_refunded", 4, "P08"),
        "KEPT": ("n_fund_over_fee", 1, "P17"),
        "SPLITRX": ("n_split_visits", 6, "P18"),
        "ACCT": ("n_acct_round_buys", 4, "P19"),
        "GHOST": ("n_after_death", 1, "P09"),
        "MAN": ("n_dx_inconsistent", 1, "P10"),
        "WOMAN": ("n_dx_inconsistent", 1, "P10"),
        "EXPECTING": ("n_dx_inconsistent", 1, "P10"),
        "YOUNG": ("n_dx_inconsistent", 1, "P10"),
        "PARENT": ("n_dept_inconsistent", 2, "P15"),
        "HUSBAND": ("n_dept_inconsistent", 1, "P15"),
        "LENT": ("n_place_conflict", 4, "P16"),
    }
    for who, (feature, value, rule) in expect.items():
        assert got[who][feature] == value, (who, feature, got[who][feature])
        assert rule in got[who].rules_fired, (who, got[who].rules_fired)
        assert got[who].evidence_setl_ids, who  # the verifier gets the settlements behind it
    assert "P13" not in got["OPSPX"].rules_fired and "P14" not in got["OPSPX"].rules_fired
    # refunds that return the fund's share too are not P17's, however many
    assert got["CASHOUT"].n_fund_over_fee == 0 and "P17" not in got["CASHOUT"].rules_fired
    for who in (
        "XFER",
        "CHEMO",
        "TRANSFER",
        "EDGES",
        "OPSPOK",
        "COPD",
        "STROKE",
        "CORRECTED",
        "DIED",
        "MOTHER",
        "TEEN",
        "NEWBORN",
        "MUM",
        "MISDATED",
        "TRAVEL",
        "NEARBY",
        "TWODEPTS",
        "PREGNANT",
        "MENOPAUSE",
        "LAPSED",
        "FEVER0",
        "FEVER19",
    ):
        assert got[who].rules_fired == [], (who, got[who].rules_fired)
        assert got[who].evidence_setl_ids == [], who
    # the readmission count still sees the transfer and the chemotherapy, for the model
    assert got["CHEMO"].n_readmit == 1 and got["CHEMO"].n_split_adm == 0
    # two pairs 25 minutes apart in two counties: 2 × (1 − 25 / 120); one pair 10 minutes apart in two
    # districts of one city: half of 1 − 10 / 120, under P16's threshold
    assert got["LENT"].place_conflict_score == pytest.approx(2 * (1 - 25 / 120))
    assert got["DISTRICTS"].place_conflict_score == pytest.approx(0.5 * (1 - 10 / 120))
    assert got["DISTRICTS"].rules_fired == []  # its two settlements are listed, should the model name it
    assert got["DECEMBER"].n_acct_round_buys == 3 and got["DECEMBER"].rules_fired == []
    assert got["NEARBY"].n_place_conflict == 0 and got["TRAVEL"].n_place_conflict == 0
    # evidence is exactly the settlement after death, not the one before it
    assert got["GHOST"].evidence_setl_ids == [f"S{_visit_id(playbook[2], 'GHOST', 150)}"]


def _visit_id(world: World, psn_no: str, on_day: int) -> str:
    from tests.world import day

    return next(r[0] for r in world.mdtrt if r[1] == psn_no and r[4].date() == day(on_day))


def test_institution_detectors_compare_with_peers(playbook):
    got = _fired(playbook[1], "fixmedins", "fixmedins_code")
    assert got["DEAR"].cost_per_stay_peer >= 2.5 and "F03" in got["DEAR"].rules_fired
    assert got["ADMIT"].adm_rate_peer >= 2 and "F05" in got["ADMIT"].rules_fired
    assert got["SWIPE"].swipe_groups == 3 and "F04" in got["SWIPE"].rules_fired
    assert got["NIGHT"].round_swipe_groups == 3 and got["NIGHT"].rules_fired == ["F08"]
    assert got["PRICED"].round_swipe_groups == 0 and got["PRICED"].rules_fired == []
    assert got["TEMPLATE"].amt_peak_share >= 0.9 and got["TEMPLATE"].rules_fired == ["F02"]
    assert len(got["SWIPE"].evidence_setl_ids) == 18
    for code in ("PEER1", "PEER2", "PHOK"):
        assert got[code].rules_fired == [], (code, got[code].rules_fired)
    assert got["PHOK"].swipe_groups == 0
    assert 0.9 <= got["PEER1"].cost_per_stay_peer <= 1.1


def test_thresholds_come_from_configuration(playbook):
    strict = _fired(playbook[0], "psn", "psn_no", {"P02": {"min_split": 2}, "P10": {"min_inconsistent": 2}})
    assert "P02" not in strict["SPLIT"].rules_fired and "P10" not in strict["MAN"].rules_fired
    assert "P05" in strict["TWICE"].rules_fired  # the others keep their defaults
    with pytest.raises(ValueError, match="min_splits"):
        apply_rules(playbook[0], "psn", {"P02": {"min_splits": 2}})
    with pytest.raises(ValueError, match="P99"):
        apply_rules(playbook[0], "psn", {"P99": {"x": 1}})


def test_every_rule_reads_features_that_exist(playbook):
    cols = {"psn": set(playbook[0].columns), "fixmedins": set(playbook[1].columns)}
    for rule in RULES:
        for f in rule.evidence:
            assert f in cols[rule.entity_type], (rule.rule_id, f)


def test_hard_evidence_ranks_above_circumstantial_evidence_whatever_the_model_says(spark):
    """A man billed for childbirth (hard, one visit) outranks a person with every soft pattern at full
    strength and the most anomalous model score; soft evidence outranks none; strength orders within."""
    from pyspark.sql import functions as F

    from features.psn import PSN_FEATURES
    from models.rules import apply_rules, risk_score

    base = dict.fromkeys(PSN_FEATURES, 0.0)
    rows = {
        "MAN": (base | {"n_dx_inconsistent": 1.0}, 0.30),
        "SOFT_ALL": (
            base
            | {
                "n_adm": 9.0,
                "n_adm_mild": 9.0,
                "adm_max_same_inst": 9.0,
                "n_split_adm": 3.0,
                "split_score": 3.0,
                "co_adm_stays": 3.0,
                "co_adm_max": 10.0,
                "amt_peak_stays": 3.0,
                "rx_supply_ratio": 5.0,
                "n_visits_in_stay": 4.0,
                "n_refunded": 9.0,
            },
            1.0,
        ),  # fmt: skip
        "SOFT_WEAK": (base | {"n_split_adm": 1.0, "split_score": 0.1}, 0.9),
        "SOFT_STRONG": (base | {"n_split_adm": 1.0, "split_score": 1.0}, 0.3),
        "NONE": (base, 1.0),
    }
    df = spark.createDataFrame(
        [
            {"psn_no": k, "insuplc_admdvs": "130321", **feats, "model_score": m}
            for k, (feats, m) in rows.items()
        ]
    )
    scored = apply_rules(df, "psn").withColumn(
        "risk", risk_score(F.col("evidence_tier"), F.col("rule_score"), F.col("model_score"))
    )
    got = {r.psn_no: r for r in scored.collect()}
    order = sorted(got, key=lambda k: -got[k].risk)
    assert order == ["MAN", "SOFT_ALL", "SOFT_STRONG", "SOFT_WEAK", "NONE"]
    assert (
        got["MAN"].evidence_tier == 2
        and got["SOFT_ALL"].evidence_tier == 1
        and got["NONE"].evidence_tier == 0
    )
    assert got["MAN"].rule_strengths == {"P10": pytest.approx(0.9)}


def test_chronic_drug_range_weighs_less_where_it_is_the_regions_practice(spark):
    """P07 (another chronic disease's drugs on the chronic benefit) is graded by how exceptional it is among the
    region's chronic-benefit patients: one in twenty keeps most of its strength, one in two is practice (the
    floor); the hard rules beside it (超病种 P13, 乱开药 P14) do not depend on the region."""
    from features.psn import PSN_FEATURES
    from models.rules import RULE_BY_ID, apply_rules

    base = dict.fromkeys(PSN_FEATURES, 0.0) | {"n_opsp_visits": 12.0}
    fires = base | {"n_opsp_mismatch": 4.0}
    rows = [("RARE0", "130321", fires), ("COMMON0", "130322", fires)]
    rows += [(f"RARE{i}", "130321", base) for i in range(1, 20)]
    rows += [(f"COMMON{i}", "130322", fires if i < 10 else base) for i in range(1, 20)]
    rows += [
        ("OFF", "130322", fires | {"n_opsp_off_disease": 4.0}),
        ("NOTCHRONIC", "130321", dict.fromkeys(PSN_FEATURES, 0.0)),
    ]
    df = spark.createDataFrame([{"psn_no": p, "insuplc_admdvs": r, **f} for p, r, f in rows])
    got = {r.psn_no: r for r in apply_rules(df, "psn").collect()}
    practice = RULE_BY_ID["P07"].params["practice_share"]
    # 1 of the 20 chronic patients of 130321 (the one without chronic visits is not counted): 1 - 0.05 / share
    assert got["RARE0"].rule_strengths["P07"] == pytest.approx(1.0 * (1 - (1 / 20) / practice))
    assert got["COMMON0"].rule_strengths["P07"] == pytest.approx(0.05)  # 11 of 21: the region's practice
    assert got["RARE0"].evidence_tier == got["COMMON0"].evidence_tier == 1  # circumstantial
    assert got["OFF"].evidence_tier == 2 and got["OFF"].rule_strengths["P13"] == pytest.approx(1.0)


def test_learned_weights_move_a_rule_in_its_region_only(spark):
    from pyspark.sql import functions as F

    from features.psn import PSN_FEATURES
    from models.rules import MODEL_ONLY_WEIGHT, RULE_BY_ID, apply_rules

    base = dict.fromkeys(PSN_FEATURES, 0.0) | {"n_split_adm": 1.0, "split_score": 1.0}
    df = spark.createDataFrame(
        [
            {"psn_no": p, "insuplc_admdvs": r, **base}
            for p, r in (("A", "130321"), ("B", "130322"), ("C", "130324"))
        ]
    )
    weights = spark.createDataFrame(
        [
            ("130321", "P02", 0.1),
            ("130322", "P02", 0.9),
            ("130322", "F01", 0.0),
            ("130324", "M_psn", 0.05),
            ("130321", "M_fixmedins", 0.01),
        ],
        "admdvs string, rule_id string, weight double",
    )
    rows = apply_rules(df, "psn", None, weights, "insuplc_admdvs").collect()
    got = {r.psn_no: r.rule_score for r in rows}
    assert got["A"] == pytest.approx(0.1) and got["B"] == pytest.approx(0.9)
    assert got["C"] == pytest.approx(RULE_BY_ID["P02"].weight)  # no outcomes there: the documented weight
    # expected precision: the rule score where a rule fired ...
    assert {r.psn_no: r.expected_precision for r in rows} == pytest.approx(got)
    # ... and the model-only weight of the region where none did
    quiet = df.withColumns({"n_split_adm": F.lit(0.0), "split_score": F.lit(0.0)})
    prec = {
        r.psn_no: r.expected_precision
        for r in apply_rules(quiet, "psn", None, weights, "insuplc_admdvs").collect()
    }
    assert prec == pytest.approx({"A": MODEL_ONLY_WEIGHT, "B": MODEL_ONLY_WEIGHT, "C": 0.05})
    assert set(apply_rules(df, "psn", None, weights, "insuplc_admdvs").columns) == set(
        apply_rules(df, "psn").columns
    )
