"""The synthetic prefecture follows the contract, at any size, and its labels name real entities."""

from __future__ import annotations

import pandas as pd
import pytest

from features.trace import CODE_PATTERN
from jobs.ingest.contract import TABLES
from jobs.synthetic import GenConfig, Generator, generate, is_current
from jobs.synthetic.prefecture import PROVINCE_PREFECTURES
from jobs.synthetic.world import CHRONIC


@pytest.mark.parametrize("persons,seed", [(200, 1), (257, 3), (400, 2), (1500, 7)])
def test_generated_tables_follow_the_contract(persons, seed):
    t = Generator(GenConfig(persons=persons, seed=seed)).run()
    for name, table in TABLES.items():
        if name in t:
            assert set(table.required) <= set(t[name].columns), name
            assert not t[name][list(table.key)].duplicated().any(), name
            for col in table.required:
                assert t[name][col].notna().all(), (name, col)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for certno in t["psn"].certno:
        assert (
            "10X98765432"[sum(int(d) * w for d, w in zip(certno[:17], weights, strict=True)) % 11]
            == certno[17]
        )
    labels = t["labels"]
    assert set(labels[labels.entity_type == "psn"].entity_id) <= set(t["psn"].psn_no)
    assert set(labels[labels.entity_type == "fixmedins"].entity_id) <= set(t["fixmedins"].fixmedins_code)
    assert {"frequent_admission", "heavy_prescription", "clustered_admissions", "similar_amounts"} <= set(
        labels.fraud_type
    )
    refunds = t["setl"][t["setl"].refd_setl_flag == "1"]
    assert (refunds.medfee_sumamt <= 0).all()
    assert set(refunds.mdtrt_id) <= set(t["mdtrt"].mdtrt_id)


def test_too_small_a_prefecture_is_refused_clearly(tmp_path):
    with pytest.raises(ValueError, match="at least 200"):
        generate(tmp_path, persons=50)


def _landed(folder, table):
    return pd.concat(
        [pd.read_parquet(f) for f in sorted((folder / table).glob("*.parquet"))], ignore_index=True
    )


def test_a_province_is_written_one_prefecture_at_a_time_and_they_share_no_identifier(tmp_path):
    counts = generate(tmp_path, persons=900, seed=5, chunk_persons=300)
    assert is_current(tmp_path, 900, 5, chunk_persons=300)
    assert not is_current(tmp_path, 900, 5, chunk_persons=450)  # cut otherwise: another province
    assert not is_current(tmp_path, 900, 5)  # one prefecture of 900
    t = {name: _landed(tmp_path, name) for name in TABLES if (tmp_path / name).is_dir()}
    assert counts["psn"] == len(t["psn"]) == 900
    for name, table in TABLES.items():
        if name in t:
            assert not t[name][list(table.key)].duplicated().any(), name
    # three prefectures of 300, each under its own code; the first is the generator's own prefecture
    prefectures = list(PROVINCE_PREFECTURES)[:3]
    assert t["psn"].insuplc_admdvs.str.slice(0, 4).value_counts().to_dict() == {
        p[:4]: 300 for p in prefectures
    }
    first = Generator(GenConfig(persons=300, seed=5)).run()
    assert list(t["psn"].psn_no[:300]) == list(first["psn"].psn_no)
    # every visit's person and institution are of one prefecture, and every reference resolves
    assert (t["mdtrt"].psn_no.str.slice(0, 4) == t["mdtrt"].fixmedins_code.str.slice(1, 5)).mean() > 0.9
    assert set(t["mdtrt"].psn_no) <= set(t["psn"].psn_no)
    assert set(t["setl"].mdtrt_id) <= set(t["mdtrt"].mdtrt_id)
    assert set(t["fee_list"].setl_id) <= set(t["setl"].setl_id)
    # ID numbers stay valid after the move (check digit recomputed)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for certno in t["psn"].certno[300:]:
        assert (
            "10X98765432"[sum(int(d) * w for d, w in zip(certno[:17], weights, strict=True)) % 11]
            == certno[17]
        )
    # no box of medicine (a well-formed traceability code) is sold in two prefectures
    codes = t["fee_list"].dropna(subset=["drug_trac_codg"])
    codes = codes.assign(code=codes.drug_trac_codg.str.split(",")).explode("code")
    codes = codes[codes.code.str.fullmatch(CODE_PATTERN.strip("^$"))]
    assert len(codes) > 1000
    assert codes.groupby("code").mdtrt_id.agg(lambda m: m.str.slice(0, 4).nunique()).max() == 1
    # one labels file naming entities of every prefecture; the region hierarchy reaches the province
    labels = pd.read_csv(tmp_path / "labels.csv", dtype=str)
    assert set(labels[labels.entity_type == "psn"].entity_id) <= set(t["psn"].psn_no)
    assert set(labels[labels.entity_type == "fixmedins"].entity_id) <= set(t["fixmedins"].fixmedins_code)
    assert labels.entity_id.str.extract(r"^[A-Z]?(\d{4})")[0].nunique() == 3
    admdvs = t["admdvs"].set_index("admdvs")
    assert set(admdvs.prnt_admdvs.dropna()) <= set(admdvs.index)
    assert admdvs.loc[prefectures, "prnt_admdvs"].tolist() == ["130000"] * 3


def test_a_province_too_large_for_its_prefectures_is_refused(tmp_path):
    with pytest.raises(ValueError, match="chunk-persons"):
        generate(tmp_path, persons=11 * 300, chunk_persons=300)


@pytest.fixture(scope="module")
def world20k():
    return Generator(GenConfig(persons=20_000, seed=5)).run()


def test_chronic_benefit_fraud_and_its_comorbid_look_alike_are_both_in_the_world(world20k):
    """乱开药 (labelled) buys cold and pain medicine on visits coded to the registered disease; the look-alike
    (unlabelled) buys another chronic disease's drug there; neither codes the visit to another disease."""
    t = world20k
    lines = t["fee_list"].merge(t["mdtrt"], on="mdtrt_id")
    lines = lines[lines.med_type == "14"].merge(t["opsp_reg"], on="psn_no")
    lines = lines[lines.med_list_codg.str.startswith("X")]
    on_own = lines.dise_codg == lines.opsp_dise_code
    labels = t["labels"]
    cheaters = set(labels[labels.fraud_type == "opsp_common_drugs"].entity_id)
    assert len(cheaters) >= 10
    common = lines.med_list_codg.isin(["XR05CAA001", "XM01AEB001", "XJ01CAA001"])
    by_cheaters = lines[common & on_own].groupby("psn_no").mdtrt_id.nunique()
    assert set(by_cheaters[by_cheaters >= 3].index) == cheaters
    chronic_drugs = {d[0]: c[0] for c in CHRONIC for d in c[2]}
    other = lines.med_list_codg.map(chronic_drugs).notna() & (
        lines.med_list_codg.map(chronic_drugs) != lines.opsp_dise_code
    )
    comorbid = set(lines[other & on_own].psn_no) - set(labels.entity_id)
    assert len(comorbid) >= 0.003 * 20_000


def test_borrowed_cards_and_their_look_alikes_are_both_in_the_world(world20k):
    """借卡/冒名 (labelled identity_borrowing): a child seen in a children's department (A07) on an adult's card,
    and one card seen in two counties under an hour apart; travellers (unlabelled) are seen in two counties
    hours apart, or a relative buys at a pharmacy in another county within the hour, once."""
    t = world20k
    v = (
        t["mdtrt"]
        .merge(t["psn"][["psn_no", "brdy"]], on="psn_no")
        .merge(t["fixmedins"][["fixmedins_code", "fix_blng_admdvs"]], on="fixmedins_code")
    )
    borrowed = set(t["labels"].query("fraud_type == 'identity_borrowing'").entity_id)
    age = (pd.to_datetime(v.begntime) - pd.to_datetime(v.brdy)).dt.days / 365.25
    dept = v.adm_dept_codg.fillna("")
    in_children_dept = dept.str.startswith("A07") & ~dept.str.startswith(
        "A07.01"
    )  # not a newborn on its mother's card
    assert in_children_dept[age < 14].mean() > 0.5  # children are seen there
    adults_there = set(v[in_children_dept & (age >= 18)].psn_no)
    assert len(adults_there) >= 10 and adults_there <= borrowed
    v = v.sort_values(["psn_no", "begntime"])
    prev = v.groupby("psn_no")[["begntime", "fix_blng_admdvs", "med_type"]].shift()
    minutes = (pd.to_datetime(v.begntime) - pd.to_datetime(prev.begntime)).dt.total_seconds() / 60
    two_counties = prev.fix_blng_admdvs.notna() & (v.fix_blng_admdvs != prev.fix_blng_admdvs)
    clinics = (v.med_type == "11") & (prev.med_type == "11")
    within_hour = set(v[two_counties & clinics & (minutes <= 60)].psn_no)
    assert len(within_hour & borrowed) >= 10
    assert len(within_hour - set(t["labels"].entity_id)) >= 5  # a city appointment booked from the clinic
    hours_apart = set(v[two_counties & minutes.between(120, 360)].psn_no) - set(t["labels"].entity_id)
    assert len(hours_apart) >= 0.002 * 20_000
    relatives = set(v[two_counties & (v.med_type == "41") & (minutes <= 60)].psn_no) - set(
        t["labels"].entity_id
    )
    assert len(relatives) >= 10


def test_cards_cashed_out_in_batches_and_a_priced_package_are_both_in_the_world(world20k):
    """空刷套现 (labelled card_swiping): bursts of five or more cards within the hour, each paying a round sum; a
    pharmacy selling a 100-yuan package (unlabelled) takes round sums from as many cards, spread over the day."""
    t = world20k
    paid = t["setl"][t["setl"].refd_setl_flag == "0"][["mdtrt_id", "medfee_sumamt"]]
    buys = t["mdtrt"][t["mdtrt"].med_type == "41"].merge(paid, on="mdtrt_id")
    buys = buys[(buys.medfee_sumamt >= 50) & (buys.medfee_sumamt % 10 == 0)].copy()
    buys["hour"] = pd.to_datetime(buys.begntime).dt.floor("h")
    per_hour = buys.groupby(["fixmedins_code", "hour"]).psn_no.nunique()
    bursts = per_hour[per_hour >= 5].groupby(level=0).size()
    swiping = set(t["labels"].query("fraud_type == 'card_swiping'").entity_id)
    assert set(bursts[bursts >= 2].index) & swiping  # the cash-out kind
    packages = buys.groupby("fixmedins_code").psn_no.nunique()
    assert len(set(packages[packages >= 100].index) - swiping) >= 2


def test_package_priced_cataract_days_come_and_go_together_at_one_price(world20k):
    """单病种 (unlabelled): four or more patients admitted on one day at one hospital, all billed 3,800."""
    t = world20k
    stays = t["mdtrt"][t["mdtrt"].dise_codg == "H25.900"].merge(t["setl"][["mdtrt_id", "medfee_sumamt"]])
    stays["day"] = pd.to_datetime(stays.begntime).dt.date
    days = stays.groupby(["fixmedins_code", "day"]).agg(
        n=("psn_no", "nunique"), amounts=("medfee_sumamt", "nunique")
    )
    assert ((days.n >= 4) & (days.amounts == 1)).sum() >= 3
    assert not set(stays.psn_no) & set(t["labels"].entity_id)


def test_newborns_settled_on_their_mothers_card_are_in_the_world(world20k):
    """新生儿随母结算 (unlabelled): a neonatal stay (A07.01, perinatal diagnosis) on a woman's card after her delivery."""
    t = world20k
    v = t["mdtrt"].merge(t["psn"][["psn_no", "gend"]], on="psn_no")
    newborn = v[(v.adm_dept_codg == "A07.01") & v.dise_codg.str.startswith("P")]
    assert len(newborn) >= 10 and (newborn.gend == "2").all()
    delivered = set(v[v.dise_codg.fillna("").str.startswith("O80")].psn_no)
    assert set(newborn.psn_no) <= delivered
    assert not set(newborn.psn_no) & set(t["labels"].entity_id)


def test_split_consultations_and_two_department_mornings_are_both_in_the_world(world20k):
    """分解就诊 (labelled split_visits): visits minutes apart in one department of one institution, many times;
    two departments of one hospital on one morning (unlabelled) are minutes apart too, but in two departments."""
    t = world20k
    v = t["mdtrt"][t["mdtrt"].med_type == "11"].sort_values(["psn_no", "fixmedins_code", "begntime"]).copy()
    v["gap"] = pd.to_datetime(v.begntime).diff().dt.total_seconds() / 60
    prev_same = (v.psn_no == v.psn_no.shift()) & (v.fixmedins_code == v.fixmedins_code.shift())
    close = v[prev_same & (v.gap <= 30)]
    before = v.adm_dept_codg.shift().loc[close.index]
    same_dept = close[close.adm_dept_codg == before]
    other_dept = close[close.adm_dept_codg.notna() & before.notna() & (close.adm_dept_codg != before)]
    split = set(t["labels"].query("fraud_type == 'split_visits'").entity_id)
    per_person = same_dept.groupby("psn_no").size()
    assert split and set(per_person[per_person >= 3].index) >= split
    assert len(set(other_dept.psn_no) - set(t["labels"].entity_id)) >= 10


def test_some_cash_out_refunds_leave_the_funds_share_paid(world20k):
    """退费套现: some refunds return the fees but reverse none or part of the fund's share (the cash column takes
    the difference); every other refund reverses its settlement whole."""
    t = world20k
    net = t["setl"].groupby("mdtrt_id")[["medfee_sumamt", "fund_pay_sumamt"]].sum().astype(float)
    kept = net[net.fund_pay_sumamt > net.medfee_sumamt + 1]
    owners = set(t["mdtrt"].set_index("mdtrt_id").psn_no[kept.index])
    cashout = set(t["labels"].query("fraud_type == 'refund_cashout'").entity_id)
    assert owners and owners <= cashout and len(owners) < len(cashout)


def test_account_cash_out_and_december_spending_are_both_in_the_world(world20k):
    """个人账户套现 (labelled account_cashout): four or more pharmacy purchases paid wholly from the personal account
    at whole sums; employees spending their account in December (unlabelled) pay from it too, at most three
    of their sums whole."""
    t = world20k
    s = t["setl"][t["setl"].refd_setl_flag == "0"]
    acct = s[(s.med_type == "41") & (s.acct_pay == s.medfee_sumamt) & (s.medfee_sumamt >= 50)]
    whole = acct[acct.medfee_sumamt.astype(float) % 1 == 0].groupby("psn_no").mdtrt_id.nunique()
    cashout = set(t["labels"].query("fraud_type == 'account_cashout'").entity_id)
    assert cashout and set(whole[whole >= 4].index) == cashout
    spenders = set(acct.psn_no) - set(t["labels"].entity_id)
    assert len(spenders) >= 30 and len(set(whole.index) & spenders) >= 5


def test_one_drugs_supply_days_are_its_pack_size(world20k):
    """超量开药's look-alike: aspirin's 周期天数 is the box's 100 tablets on every line, so its regular buyers (monthly)
    seem to fetch three months' supply a month; other chronic drugs carry their real days."""
    lines = world20k["fee_list"].dropna(subset=["prd_days"])
    aspirin = lines[lines.med_list_codg == "XB01ACA001"]
    assert len(aspirin) >= 100 and (aspirin.prd_days == 100).all()
    assert (lines[lines.med_list_codg == "XC08CAA001"].prd_days <= 30).all()
