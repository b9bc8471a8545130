#!/usr/bin/env python3
"""independent2.py - an independent synthetic landing zone for measuring a 医保基金 fraud-detection pipeline.

Written from the landing contract (/work/shared/contract/README.md), the five public supervision plans
(/work/shared/seeds/: 昌黎县 2020, 临沧市 2024, the 16 sample inspection plans, the national 2024 六部门 plan,
原州区 2023 门诊大病 百日行动) and the environment notes (/work/shared/stack.md) only.  No other file of the project
(code, tests, docs, models, notes) was read.  numpy + pandas only (pandas writes parquet through whatever engine
it finds).  Deterministic for a seed.

    python bench/independent2.py --out DIR --persons N [--seed S]

writes DIR/<table>/*.csv|*.parquet for psn, fixmedins, mdtrt, setl, fee_list, opsp_reg, psn_death, and
DIR/labels.csv (entity_type, entity_id, fraud_type, group_id): injected fraud only, one pattern per entity.

THE WORLD
  * 湛江市 (440800), Guangdong: 赤坎 440802, 霞山 440803, 坡头 440804, 麻章 440811, 遂溪 440823, 徐闻 440825,
    廉江 440881, 雷州 440882, 吴川 440883, with their real towns / sub-districts, generated villages and one
    敬老院 (集中供养) per county.  Settlements 2025-01-01 .. 2025-12-31 (a stay may begin in December 2024).
  * Calendar: weekdays, statutory holidays and 调休 make-up days; Spring Festival (除夕 01-28): chronic patients stock
    up in the fortnight before, clinics and elective admissions collapse during it, wards are emptied before it and
    admissions surge after it; winter and early-summer influenza, summer diarrhoea, dengue (Aug-Oct), hand-foot-mouth
    disease (Apr-Jun), a typhoon on 09-24 (clinics shut, injuries up), national-day traffic, December spending of
    employees' personal accounts.
  * People: households (rural 3-generation, nuclear, elderly, single, couples) sharing live_addr (12% of members
    registered with a slightly different spelling, 3% null); 18-digit ID numbers with valid check digits, birth date
    and sex digit consistent (older 雷州 people carry the former 海康县 code 440822, migrants from 广西/海南/湖南/茂名);
    Chinese names; employees 310 (in service / retired), residents 390, a few 离休 340; 特困/低保/脱贫/低收入 status;
    some retirees insured in Guangzhou (440106); births during 2025 (newborns enter the roster at birth); deaths
    (psn_death from 公安/民政/卫健, 8% of deaths never shared, 2% recorded 1-3 days late).
  * Institutions (307 at 100k): two Guangzhou referral hospitals (中山大学附属第一医院, 中山大学肿瘤防治中心,
    440104); four city general tertiary hospitals, a TCM hospital, a maternity hospital, a children's hospital,
    a psychiatric hospital, a private rehabilitation hospital, two dialysis centres; county people's / TCM / MCH
    hospitals; township health centres and community centres; private hospitals and clinics / village stations;
    pharmacy chains including two 24-hour pharmacies and two DTP (双通道) pharmacies.  hosp_lv 02..11 or null.
  * Use: pharmacy purchases and outpatient visits dominate (about 8 visits per person-year); chronic refills
    (monthly or 长处方, couples fetching drugs together, community 慢病随访日 on a fixed weekday); 门慢门特
    registrations (opsp_reg) with designated institutions, 2-year expiries and renewals, new 2025 registrations;
    ~18 stays per 100 persons with daily bed / nursing / ward-round / drug lines (split doses sharing one box's
    trace code), work-ups, follow-up bloods, operations, monitoring, discharge drugs, self-paid extras; package-priced
    deliveries and cataract day surgery; long psychiatric stays settled monthly (中途结算); stroke rehabilitation;
    haemodialysis 2-3x a week; chemotherapy cycles (day ward 21 or 门特 14), radiotherapy courses, oral targeted
    drugs at DTP pharmacies; thalassaemia transfusions every 3-5 weeks; terminal admissions and deaths in hospital;
    3-day infusion courses at clinics; antenatal care (51 for employees) and deliveries (52 for employees, 21 for
    residents); fund shares by level / insurance / med_type, 大病保险 and 医疗救助 inside fund_pay_sumamt, personal
    accounts for employees; refunds; re-sent duplicate rows; optional nulls; drug trace codes whose coverage ramps
    from ~25% in January to ~95% in December (码上放心 20-digit codes beginning with 8; 28-character GS1 codes for
    imported drugs).

FRAUD PATTERNS (entity: count in labels.csv at --persons 100000; persons scale with N, institutions with sqrt(N))
  persons (psn):
    同进同出 ........ 202 in 40 groups (group_id TJTC-nnn): 3-8 villagers, mostly elderly / low-income, admitted
                       together (a van at 08:30) 2-5 times a year, same day in and out, same doctor, mild diagnoses,
                       template totals; 35% subtle (2 episodes, +-1 day, no template); 70% at an 诱导住院 hospital
    团伙倒卖药品 ..... 54 in 5 rings (TH-nn, 6-25 members): recruited card holders buy 2-6 boxes of resale drugs (semaglutide,
                       insulin, SGLT2, inhalers, TAF, butylphthalide) on 8-30 "run" days, minutes apart, at the ring's
                       two pharmacies and one clinic; their boxes resurface at 回流 pharmacies
    超量开药 ........ 250: chronic patients supplied 1.5-4x their need, every 7-20 days, at 2-5 outlets; 40% on
                       resale drugs (some boxes resold, see 药品追溯码重复销售)
    个人账户套现 .... 150: employees' accounts drained at month ends / December in round totals (68..500 yuan) of
                       tonic-type 中成药 / calcium, paid wholly from the account, half at exact catalogue-deviating prices
    频繁住院 ........ 140: 4-12 short mild admissions a year at 1-3 low-level / private hospitals
    分解住院 ........ 120: 1-3 stays a year cut in two: re-admitted to the same hospital 0-3 days (10%: 4-9) later
                       with the same or a related diagnosis
    冒名就医 ........ 120: cards of healthy young employees used for an older (often female) relative's diabetes /
                       hypertension / osteoporosis / menopause drugs in another county for 3-10 months; 20% a pregnant
                       woman's antenatal visits and delivery on the card
    挂床住院 ........ 110: 10-25 day stays with bed and nursing only after day 3; 70% of stays have pharmacy
                       purchases during the stay (30% of them in another county)
    门慢特超范围用药 . 100: 14-visits every 6-16 days with cold / stomach / tonic drugs unrelated to the registered
                       disease; 40% hold a registration newly created in 2025 with no disease history (假本子)
    诊疗与性别年龄不符 80: a clinic bills gynaecology to men, prostate work-up to women, hypertension / diabetes drugs
                       to children, infant massage / neonatal items to adults; 30% subtle (generic diagnosis, 1-2 visits)
    频繁就诊 ........ 80: 35-150 clinic days a year, on 30% of them 2-3 settlements minutes apart (分解处方)
    死亡后结算 ...... 60: the card of a dead person keeps buying chronic drugs (monthly, or subtly 1-2 times within
                       3-20 days after death); 10% also a stay after death
    退费套现 ........ 60: 4-20 visits a year refunded 0-3 days later; the refund reverses all the money but 0% (subtle:
                       30-50%) of the fund's share
  institutions (fixmedins): 25
    诱导住院 3 (2 private hospitals, 1 township centre): elderly villagers bused in on Mondays and Thursdays,
             7-9 days, mild diagnoses, IV herbal injections (集中入院; also the 同进同出 groups' usual hospital)
    挂床住院 3: 12-30 day stays with bed and nursing only after day 3; a quarter of patients shop elsewhere meanwhile
    重复收费 3 (county TCM, private, a city tertiary): bed and nursing on the discharge day too, tests billed twice at
             the same second, two nursing levels on one day, double consultation fees in clinics (20-70% of visits)
    药店串换 3: 20-40% of sales replaced by tonics / calcium at round totals, plus extra customers
    分解住院 2 (a county hospital, a private hospital): 14-45% of stays >= 6 nights split with a same / next-day
             re-admission (patients unlabelled)
    报销金额雷同 2: template bills within ~1-2% of two target totals
    串换项目 2 (clinic, private hospital): physiotherapy / 中医定向透药 items added to 60-90% of visits, daily in stays
    过度检查 2: 5-8 test panels on outpatient visits, CT/MRI/echo/Holter on stays
    药店刷卡套现 2: night (20:30-22:30) or pre-opening batches of 5-20 card swipes 1-3 minutes apart, identical baskets,
             one fabricated trace code shared by the batch or no codes at all, month-end / December heavy
    药品追溯码重复销售 2: sells boxes whose codes were already sold elsewhere (ring, over-prescription, occasional
             patients) 3-60 days before, and re-sells its own earlier boxes
    血透虚记 1: phantom Sunday sessions, sessions while the patient is an inpatient elsewhere, weekly haemoperfusion,
             second dialysers
  Intensity varies per entity (subtle variants as noted; institutions get an intensity 0.3-1.0).

LEGITIMATE LOOK-ALIKES (unlabelled)
  unplanned readmissions (HF, COPD, stroke, pneumonia) incl. same hospital; stroke rehabilitation continued in a
  second admission the next day (康复分段结算); thalassaemia transfusion admissions every 3-5 weeks; chemotherapy
  cycles; food poisoning at a village banquet (8-20 villagers, one evening, two hospitals, staggered discharge); road
  accidents (2-4 household members); an influenza outbreak in a 敬老院; a dengue cluster in one village; elderly
  couples admitted with influenza within a day or two; Monday and post-festival admission peaks; long psychiatric
  stays with sparse daily items, monthly interim settlements; rehabilitation hospital and TCM physiotherapy; package
  prices (deliveries 2680 / 5380, cataract 4600, dialysis 480 per session) giving identical totals; 集采 identical
  prices; real refunds (cancel, reverse and re-settle, drug returned); re-sent duplicate rows; 24-hour pharmacy night
  sales; deaths in hospital settled the same day or 1-3 days later, death dates recorded late; relatives buying an
  inpatient's drugs; elderly whose pharmacy is in their children's county; young chronic patients; comorbid
  registrants with many drugs; 长处方 and pre-festival stock-ups; couples fetching drugs together; community
  慢病随访日 (many registrants at one centre the same morning); dialysis 156 sessions a year, some weeks a 4th
  session, haemodiafiltration every fortnight; radiotherapy 25-30 weekday fractions; 3-day infusion courses;
  antenatal visits; newborn jaundice treated on the mother's card (neonatal diagnosis on a woman); male breast cancer
  on letrozole; gend 9 persons; bedside glucose 4x a day and same-day repeat bloods in severe cases; split-box (拆零)
  pharmacy sales sharing one trace code; refund and re-settlement lines repeating trace codes; high-value oral cancer
  drugs at DTP pharmacies; December account spending by employees.

CONTRACT DECISIONS (where the contract leaves room)
  * decimals are float64 rounded to 2 places (pric 4 places for unit doses); timestamps are parquet TIMESTAMP(MICROS)
    without zone; dates (brdy, begndate, enddate, death_date) are 'YYYY-MM-DD' text in CSV; prd_days is int32.
  * psn is CSV with a BOM, other small tables CSV without; mdtrt / setl by quarter, fee_list by settlement month in
    parquet; each of them plus psn also has a later '..._resend_20260105' file repeating 0.6% of visits (1% of
    persons) byte-for-byte; the re-sent setl file names the cash column cash_payamt (the contract accepts either).
  * a refund (refd_setl_flag 1) reverses one whole earlier settlement of the same visit with negated amounts and
    negated fee lines (negative cnt, the original trace codes); a partial return is a full reversal followed by a new
    normal settlement of the remaining lines.  Long stays have several normal settlements (中途结算).
  * fund_pay_sumamt = hifp_pay + 大病保险 + 医疗救助; medfee_sumamt = fund_pay_sumamt + acct_pay + psn_cash_pay.
  * chrgitm_lv is 甲/乙/丙 at most institutions and 1/2/3 at some private ones; used_frqu_dscr qd/bid.. or 每日1次...
  * opsp_dise_code is the ICD-10 code of the disease (cancer: the site code); visits under a registration carry it.
  * 生育 uses med_type 51 / 52 for employees; 门特 dialysis, chemotherapy and radiotherapy are med_type 14.
  * setl_id on fee lines is null for 15% of lines before March (older extract) and 2% after.
  * clue_feedback is not produced: it is the regulators' answer to the pipeline's own clue ids.
"""

import argparse
import os
import shutil
import sys
import time

import numpy as np
import pandas as pd

DAY = 86400
ND = 365
T0 = np.datetime64("2025-01-01T00:00:00", "s")


def doy(m, d):
    return int((np.datetime64("2025-%02d-%02d" % (m, d)) - np.datetime64("2025-01-01")).astype(int))


# =============================================================================================
# small vector helpers
# =============================================================================================
def rep(counts):
    counts = np.asarray(counts, np.int64)
    return np.repeat(np.arange(len(counts)), counts)


def seq_in_group(counts):
    counts = np.asarray(counts, np.int64)
    starts = np.cumsum(counts) - counts
    return np.arange(counts.sum()) - np.repeat(starts, counts)


def cat_draw(rng, n, p):
    c = np.cumsum(np.asarray(p, float))
    c = c / c[-1]
    return np.searchsorted(c, rng.random(n), side="right").clip(0, len(c) - 1)


def rows_draw(rng, w):
    """one categorical draw per row of a non-negative weight matrix"""
    c = np.cumsum(w, axis=1)
    tot = c[:, -1:]
    tot = np.where(tot <= 0, 1.0, tot)
    u = rng.random(len(w))[:, None]
    return (c / tot < u).sum(1).clip(0, w.shape[1] - 1)


# =============================================================================================
# calendar 2025: weekdays, statutory holidays and make-up work days, Spring Festival (除夕 01-28),
# typhoon day (09-24), respiratory / dengue / hand-foot-mouth seasons of western Guangdong
# =============================================================================================
SEASON_M = {
    "flat": [1] * 12,
    "resp": [1.6, 1.5, 1.3, 1.0, 0.9, 1.0, 0.9, 0.7, 0.7, 0.8, 1.0, 1.3],
    "flu": [2.4, 1.7, 1.0, 0.6, 0.9, 1.5, 1.1, 0.5, 0.4, 0.4, 0.6, 1.4],
    "gi": [0.95, 0.8, 0.8, 0.9, 1.1, 1.3, 1.4, 1.35, 1.1, 0.9, 0.85, 1.0],
    "hfmd": [0.2, 0.2, 0.5, 1.5, 2.6, 2.4, 1.2, 0.6, 1.0, 1.0, 0.5, 0.3],
    "dengue": [0.01, 0.01, 0.01, 0.02, 0.05, 0.2, 0.6, 1.8, 3.5, 3.5, 1.5, 0.3],
    "cardio": [1.35, 1.25, 1.1, 1.0, 0.9, 0.85, 0.85, 0.85, 0.9, 1.0, 1.1, 1.3],
    "skin": [0.7, 0.7, 0.8, 1.0, 1.2, 1.4, 1.5, 1.4, 1.2, 1.0, 0.8, 0.7],
    "trauma": [1.0, 1.1, 1.0, 1.0, 1.0, 1.0, 1.05, 1.05, 1.1, 1.15, 1.0, 1.0],
    "allergy": [0.9, 1.0, 1.4, 1.5, 1.2, 1.0, 0.9, 0.9, 1.0, 1.0, 0.9, 0.9],
    "mild": [1.2, 1.15, 1.1, 1.0, 0.95, 1.0, 0.95, 0.9, 0.9, 0.95, 1.0, 1.1],
}


def season_daily(prof):
    m = np.array(SEASON_M[prof], float)
    mid = np.array([doy(k + 1, 15) for k in range(12)])
    xp = np.concatenate([[mid[-1] - 365], mid, [mid[0] + 365]])
    fp = np.concatenate([[m[-1]], m, [m[0]]])
    s = np.interp(np.arange(ND), xp, fp)
    if prof == "trauma":
        s[doy(9, 24) : doy(9, 27) + 1] *= 3.0  # typhoon landfall: falls, cuts, crush injuries
        s[doy(10, 1) : doy(10, 8) + 1] *= 1.3  # national-day traffic
        s[doy(1, 28) : doy(2, 4) + 1] *= 1.25  # festival traffic, firecrackers
    return s


class Calendar:
    def __init__(self):
        d = np.arange(ND)
        self.dow = (d + 2) % 7  # 2025-01-01 is a Wednesday, Mon=0
        dates = np.datetime64("2025-01-01") + d
        self.month = dates.astype("datetime64[M]").astype(int) % 12
        self.dom = (dates - dates.astype("datetime64[M]")).astype(int) + 1
        hol = np.zeros(ND, bool)
        for a, b in [
            ((1, 1), (1, 1)),
            ((1, 28), (2, 4)),
            ((4, 4), (4, 6)),
            ((5, 1), (5, 5)),
            ((5, 31), (6, 2)),
            ((10, 1), (10, 8)),
        ]:
            hol[doy(*a) : doy(*b) + 1] = True
        makeup = np.zeros(ND, bool)
        for m_, d_ in [(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)]:
            makeup[doy(m_, d_)] = True
        self.hol = hol
        self.off = hol | ((self.dow >= 5) & ~makeup)
        sf = np.zeros(ND, bool)
        sf[doy(1, 28) : doy(2, 4) + 1] = True
        presf = np.zeros(ND, bool)
        presf[doy(1, 16) : doy(1, 27) + 1] = True
        postsf = np.zeros(ND, bool)
        postsf[doy(2, 5) : doy(2, 20) + 1] = True
        self.sf, self.presf = sf, presf
        ty1, ty2 = doy(9, 24), doy(9, 25)
        wd = np.where(makeup, 0, self.dow)

        def arr(*v):
            return np.array(v, float)

        K = {}
        w = arr(1.15, 1.0, 1.0, 0.97, 0.95, 0.6, 0.45)[wd]
        w[hol] = 0.35
        w[sf] = 0.25
        w[postsf] *= 1.15
        w[ty1] *= 0.25
        w[ty2] *= 0.6
        K["hosp"] = w
        w = arr(1.05, 1.0, 1.0, 1.0, 0.98, 0.8, 0.65)[wd]
        w[hol] = 0.5
        w[sf] = 0.35
        w[ty1] *= 0.3
        w[ty2] *= 0.7
        K["prim"] = w
        w = arr(1.0, 0.98, 0.98, 0.98, 1.02, 1.12, 1.08)[wd]
        w[hol] = 0.85
        w[presf] *= 1.3
        w[sf] = 0.55
        w[doy(1, 28)] = 0.75
        w[ty1] *= 0.3
        w[ty2] *= 0.8
        K["pharm"] = w
        w = arr(1.35, 1.15, 1.05, 1.0, 0.85, 0.35, 0.45)[wd]
        w[hol] = 0.2
        w[doy(1, 24) : doy(2, 4) + 1] = 0.12
        w[postsf] *= 1.4
        K["elect"] = w
        w = np.ones(ND)
        w[hol] = 1.15
        w[sf] = 1.1
        w[ty1] = 0.8
        w[ty2] *= 1.6
        w[ty2 + 1] *= 1.4
        K["emerg"] = w
        K["flat"] = np.ones(ND)
        self.K = K
        self.S = {k: season_daily(k) for k in SEASON_M}
        self._cum = {}

    def cum(self, kind, season, extra=None):
        key = (kind, season, extra)
        if key not in self._cum:
            w = self.K[kind] * self.S[season]
            if extra == "yearend":  # employees spend account balances in December
                w = w * np.where(self.month == 11, 1.7, 1.0)
            c = np.cumsum(w)
            self._cum[key] = c / c[-1]
        return self._cum[key]

    def days(self, rng, n, kind, season="flat", extra=None):
        return np.searchsorted(self.cum(kind, season, extra), rng.random(n), "right").clip(0, ND - 1)


def _tod(spec):
    w = np.zeros(48)
    for h0, h1, v in spec:
        w[int(h0 * 2) : int(h1 * 2)] += v
    c = np.cumsum(w)
    return c / c[-1]


TOD = {
    "op": _tod([(8, 12, 10), (12, 14.5, 1.0), (14.5, 17.5, 6), (17.5, 21, 0.8)]),
    "prim": _tod([(7.5, 12, 10), (12, 14.5, 1.5), (14.5, 18, 6), (18, 21, 1.5)]),
    "er": _tod([(0, 7, 2), (7, 12, 4), (12, 18, 4), (18, 24, 6)]),
    "pharm": _tod([(8, 12, 8), (12, 14, 4), (14, 18, 6), (18, 22, 6.5)]),
    "pharm24": _tod([(0, 7, 1.3), (7, 12, 7), (12, 14, 4), (14, 18, 6), (18, 22, 7), (22, 24, 3.5)]),
    "adm_el": _tod([(8, 11.5, 10), (11.5, 14, 2), (14, 17.5, 5)]),
    "adm_em": _tod([(0, 7, 2), (7, 12, 4), (12, 18, 4.5), (18, 24, 5)]),
    "dis": _tod([(8.5, 12, 10), (14, 17, 4)]),
    "dialysis": _tod([(7, 8, 6), (11.5, 12.5, 5), (16.5, 17.5, 3)]),
    "night": _tod([(20.5, 23.5, 10), (6.5, 7.5, 3)]),
    "any": _tod([(0, 24, 1)]),
}


def tod(rng, n, prof):
    b = np.searchsorted(TOD[prof], rng.random(n), "right").clip(0, 47)
    return b * 1800 + rng.integers(0, 1800, n)


# =============================================================================================
# geography: 湛江市 (440800), Guangdong; real county-level divisions and towns / sub-districts
# =============================================================================================
COUNTIES = [
    (
        "440802",
        "赤坎区",
        0.065,
        0.95,
        "中华街道 寸金街道 民主街道 中山街道 沙湾街道 调顺街道 南桥街道 北桥街道",
    ),
    (
        "440803",
        "霞山区",
        0.100,
        0.92,
        "解放街道 爱国街道 工农街道 友谊街道 新兴街道 海滨街道 建设街道 东新街道 新园街道 海头街道 泉庄街道 椹川街道",
    ),
    ("440804", "坡头区", 0.050, 0.35, "南调街道 麻斜街道 坡头镇 龙头镇 乾塘镇 南三镇 官渡镇"),
    ("440811", "麻章区", 0.070, 0.45, "麻章镇 太平镇 湖光镇"),
    (
        "440823",
        "遂溪县",
        0.130,
        0.28,
        "遂城镇 黄略镇 洋青镇 界炮镇 乐民镇 江洪镇 杨柑镇 城月镇 草潭镇 北坡镇 港门镇 岭北镇 河头镇 建新镇",
    ),
    (
        "440825",
        "徐闻县",
        0.100,
        0.28,
        "徐城街道 下洋镇 锦和镇 和安镇 前山镇 曲界镇 龙塘镇 下桥镇 海安镇 迈陈镇 西连镇 新寮镇 南山镇 城北乡",
    ),
    (
        "440881",
        "廉江市",
        0.190,
        0.32,
        "罗州街道 城南街道 城北街道 安铺镇 横山镇 营仔镇 车板镇 良垌镇 石城镇 新民镇 吉水镇 河唇镇 石角镇 青平镇 高桥镇 和寮镇 长山镇 雅塘镇 塘蓬镇",
    ),
    (
        "440882",
        "雷州市",
        0.190,
        0.27,
        "雷城街道 西湖街道 新城街道 附城镇 客路镇 松竹镇 南兴镇 白沙镇 沈塘镇 调风镇 龙门镇 英利镇 北和镇 乌石镇 纪家镇 唐家镇 企水镇 覃斗镇 杨家镇 东里镇",
    ),
    (
        "440883",
        "吴川市",
        0.100,
        0.38,
        "梅菉街道 博铺街道 海滨街道 塘缀镇 黄坡镇 长岐镇 浅水镇 覃巴镇 吴阳镇 王村港镇 兰石镇 振文镇 樟铺镇",
    ),
]
NC = len(COUNTIES)
C_CODE = [c[0] for c in COUNTIES]
C_NAME = [c[1] for c in COUNTIES]
C_SHORT = [c[1][:-1] if c[1].endswith(("区", "县", "市")) else c[1] for c in COUNTIES]
TOWNS = []  # (county, name, is_street)
for ci, c in enumerate(COUNTIES):
    for t in c[4].split():
        TOWNS.append((ci, t, t.endswith("街道")))
TOWN_C = np.array([t[0] for t in TOWNS])
TOWN_ST = np.array([t[2] for t in TOWNS])
ROADS = [
    "人民大道",
    "海滨大道",
    "解放路",
    "中山路",
    "椹川大道",
    "建设路",
    "东风路",
    "南桥路",
    "寸金路",
    "海田路",
    "康顺路",
    "观海路",
    "绿塘路",
    "体育路",
    "跃进路",
    "新华路",
    "延安路",
    "沿江路",
    "城西路",
    "北京路",
]
VIL_A = list("东西南北上下新旧大小良竹石田沙龙凤塘坡岭和安乐福文仙")
VIL_B = list("头尾坑园塘岭仔边埠湾洋坡山寮墩屋")

SURN = (
    "陈 李 黄 林 梁 吴 杨 何 王 莫 庞 冯 邓 钟 张 许 蔡 詹 揭 全 洪 符 谢 刘 周 郑 苏 罗 卢 邱 宋 潘 麦 唐 龙 欧 戚 颜 柯 梅"
).split()
SURN_W = np.array(
    [
        12,
        7,
        7,
        5,
        5,
        4.5,
        3.5,
        3,
        3,
        2.5,
        2,
        2,
        2,
        2,
        3,
        1.5,
        2,
        1,
        0.5,
        0.5,
        1,
        1,
        1.5,
        2.5,
        1,
        1,
        1,
        1,
        1,
        0.5,
        0.5,
        1,
        0.5,
        1,
        0.5,
        0.5,
        0.5,
        0.5,
        0.5,
        0.5,
    ]
)
GN = {
    ("M", 0): "建国华明德志强伟文光荣海福生保平贵富才茂松林发永金春亚",
    ("F", 0): "秀英玉兰桂芳美珍凤娟月娥妹金花霞丽琼翠莲爱梅亚娇",
    ("M", 1): "浩宇轩子俊杰嘉豪梓睿铭泽博文航晨瑞诚家伟志健锦",
    ("F", 1): "欣怡梓涵雨桐诗琪子萱可馨佳思彤语嫣晓婷雅慧敏静颖",
}
ID_W = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_C = np.array(list("10X98765432"))
MIGRANT_REGIONS = ["450902", "450921", "450803", "450502", "440902", "440981", "431002", "460100", "441702"]


# =============================================================================================
# catalogue: services (price at a 三级 hospital), consumables, drugs (box price), decoction pieces
# =============================================================================================
SERVICES = """
reg|110100001|挂号费|13|甲|2
gen_dx|110200005|一般诊疗费|12|甲|10
op_dx|110200001|门诊诊查费(普通)|02|甲|20
op_dx_exp|110200002|门诊诊查费(副主任医师)|02|甲|35
er_dx|110200003|急诊诊查费|02|甲|25
ip_dx|110300001|住院诊查费|02|甲|28
bed_gen|110900001|普通病房床位费(三人间)|01|甲|65
bed_psy|110900004|精神科病房床位费|01|甲|45
bed_icu|110900005|重症监护病房床位费|01|甲|200
bed_dw|110900006|日间病房床位费|01|甲|40
bed_single|110900002|单人病房床位费(差价)|01|丙|120
nurse1|120100002|一级护理|07|甲|45
nurse2|120100003|二级护理|07|甲|28
nurse_psy|120100007|精神病护理|07|甲|28
nurse_sp|120100001|特级护理|07|甲|110
cbc|250101015|血细胞分析(血常规)|04|甲|25
urine|250102035|尿液分析|04|甲|10
crp|250403002|C反应蛋白测定|04|甲|28
lft|250305001|肝功能检查(组合)|04|甲|85
rft|250307001|肾功能检查(组合)|04|甲|55
lipid|250304001|血脂四项|04|甲|38
glu|250302001|葡萄糖测定|04|甲|8
glu_poc|250302002|快速血糖测定(床旁)|04|甲|6
hba1c|250302003|糖化血红蛋白测定|04|乙|65
elec|250306001|电解质测定|04|甲|42
coag|250203001|凝血功能检查|04|甲|85
pretransf|250403010|输血前四项检查|04|甲|110
pct|250403100|降钙素原检测|04|乙|160
bnp|250403110|脑钠肽测定|04|乙|190
blood_gas|250302010|血气分析|04|甲|120
culture|250501001|细菌培养及鉴定|04|甲|110
flu_ag|250403081|甲乙型流感病毒抗原检测|04|乙|60
dengue_ns1|250403090|登革热病毒NS1抗原检测|04|乙|95
hbv_dna|250403070|乙型肝炎病毒DNA定量|04|乙|160
tumor_mk|250404001|肿瘤标志物检测(组合)|04|乙|140
psa|250404005|前列腺特异性抗原测定|04|乙|55
vag_sec|250104001|阴道分泌物检查|04|甲|15
tct|270300005|宫颈液基细胞学检查(TCT)|04|乙|150
prost_fluid|250104005|前列腺液常规检查|04|甲|15
stool|250103001|粪便常规|04|甲|8
bili|250305010|经皮胆红素测定|04|甲|12
ecg|310701001|常规心电图检查|03|甲|22
holter|310701008|动态心电图|03|乙|180
dr_chest|210102015|DR胸部正位摄影|03|甲|100
dr_spine|210102020|DR腰椎正侧位摄影|03|甲|95
us_abd|220301001|腹部彩色多普勒超声|03|甲|140
us_ob|220600004|产科彩色多普勒超声|03|甲|150
us_heart|220600001|心脏彩色多普勒超声|03|甲|190
us_gyn|220600008|妇科彩色多普勒超声|03|甲|120
us_uro|220302001|泌尿系彩超(含前列腺)|03|甲|120
ct_head|210300001|头颅CT平扫|03|甲|320
ct_chest|210300005|胸部CT平扫|03|甲|340
mri_head|210200001|头颅MRI平扫|03|乙|780
mri_spine|210200010|腰椎MRI平扫|03|乙|780
gastroscopy|310901002|电子胃镜检查|03|乙|260
lung_func|310601001|肺功能检查|03|乙|120
iv_drip|120400006|静脉输液|05|甲|12
iv_add|120400007|静脉输液(每组加收)|05|甲|4
neb|120800001|雾化吸入|05|甲|10
dressing|120600002|换药(中)|05|甲|25
o2|120800002|氧气吸入(小时)|05|甲|3
ecg_mon|310701020|心电监测(小时)|05|甲|6
hd|311000006|血液透析|05|甲|400
hdf|311000008|血液透析滤过|05|乙|600
hp|311000010|血液灌流|05|乙|700
hd_pkg|311000099|血液透析(含透析器血路管)|05|甲|480
chemo_prep|120400020|静脉化疗药物配置|05|乙|30
rt|240300001|直线加速器适形放疗(次)|05|乙|750
acup|430000001|普通针刺|05|甲|30
tuina|440000001|推拿治疗(部位)|05|甲|35
mf_elec|340200001|中频脉冲电治疗|05|乙|25
us_ther|340200010|超声波治疗|05|乙|25
tcm_ion|430000020|中医定向透药治疗|05|乙|35
acupoint|430000030|穴位贴敷治疗|05|乙|20
ir|340200020|红外线治疗|05|甲|10
pt|340200030|运动疗法|05|乙|60
ot|340200031|作业疗法|05|乙|45
rehab_eval|340100001|康复评定|05|乙|50
psy_ther|311503001|个别心理治疗|05|乙|80
mect|311503020|无抽搐电休克治疗|05|乙|450
photo|120400050|新生儿蓝光治疗(小时)|05|甲|6
transfusion|120400030|输血|05|甲|25
vag_irrig|311100001|阴道冲洗上药|05|甲|20
kid_tuina|440000010|小儿推拿|05|乙|40
debride|331500001|清创缝合(小)|06|甲|150
appendectomy|331003003|阑尾切除术|06|甲|1400
lap_chole|331005002|腹腔镜胆囊切除术|06|甲|2800
hernia_rep|331008001|腹股沟疝修补术|06|甲|1600
orif|331501001|骨折切开复位内固定术|06|甲|3200
hip_arth|331503001|人工髋关节置换术|06|甲|4500
cataract_op|330600005|白内障超声乳化摘除+人工晶体植入术|06|甲|2400
pci|330803001|经皮冠状动脉支架置入术|06|甲|4200
discectomy|331502001|椎间盘髓核摘除术|06|甲|4000
csection|331204001|剖宫产术|06|甲|1500
vag_deliv|331203001|单胎顺产接生|06|甲|700
cancer_op|331000099|恶性肿瘤根治术|06|甲|5500
anesth_gen|330100005|全身麻醉|06|甲|900
anesth_sp|330100003|椎管内麻醉|06|甲|600
pkg_vag|999900001|单胎顺产(按病种收费)|14|甲|2680
pkg_cs|999900002|剖宫产(按病种收费)|14|甲|5380
pkg_cat|999900003|白内障(日间手术按病种收费)|14|甲|4600
rbc|260000002|悬浮红细胞(U)|14|甲|210
ambulance|480000001|救护车费|14|丙|150
"""

MATERIALS = """
infusion_set|一次性输液器|甲|4.5
iv_cannula|静脉留置针|乙|22
syringe|一次性注射器|甲|0.8
dialyzer|透析器|乙|120
bloodline|血路管|乙|45
hp_cart|血液灌流器|乙|680
iol|人工晶体|乙|1800
stent|冠脉药物洗脱支架(集采)|乙|720
plate|骨科接骨板(集采)|乙|2600
hip_pros|人工髋关节假体(集采)|乙|7000
mesh|疝修补补片|乙|1200
stapler|一次性使用吻合器|乙|2200
ins_needle|胰岛素注射笔用针头|丙|1.5
"""

# key|ATC5 or Z-group|name|type|lv|box price|units/box|days/box|freq|imported|sex(0/1/2)|units per inpatient day|iv
DRUGS = """
amlodipine|C08CA|苯磺酸氨氯地平片|09|甲|4.20|28|28|qd|0|0|1|0
nifedipine|C08CA|硝苯地平控释片|09|乙|25.80|7|7|qd|1|0|1|0
valsartan|C09CA|缬沙坦胶囊|09|乙|8.90|28|28|qd|0|0|1|0
irbesartan|C09CA|厄贝沙坦片|09|乙|11.60|28|28|qd|0|0|1|0
metoprolol|C07AB|酒石酸美托洛尔片|09|甲|5.80|50|25|bid|0|0|2|0
indapamide|C03BA|吲达帕胺缓释片|09|乙|9.50|30|30|qd|0|0|1|0
metformin|A10BA|盐酸二甲双胍片|09|甲|9.80|60|20|tid|0|0|3|0
glimepiride|A10BB|格列美脲片|09|乙|12.40|30|30|qd|0|0|1|0
acarbose|A10BF|阿卡波糖片|09|乙|18.90|30|10|tid|0|0|3|0
sitagliptin|A10BH|磷酸西格列汀片|09|乙|26.50|28|28|qd|0|0|1|0
dapagliflozin|A10BK|达格列净片|09|乙|98.00|28|28|qd|0|0|1|0
glargine|A10AE|甘精胰岛素注射液|09|乙|72.00|1|20|qd|0|0|1|0
aspart|A10AB|门冬胰岛素注射液|09|乙|38.00|1|15|tid|0|0|1|0
semaglutide|A10BJ|司美格鲁肽注射液|09|乙|239.00|1|28|qw|1|0|1|0
aspirin|B01AC|阿司匹林肠溶片|09|甲|15.00|30|30|qd|1|0|1|0
clopidogrel|B01AC|硫酸氢氯吡格雷片|09|乙|17.50|28|28|qd|0|0|1|0
atorvastatin|C10AA|阿托伐他汀钙片|09|乙|9.50|28|28|qn|0|0|1|0
rosuvastatin|C10AA|瑞舒伐他汀钙片|09|乙|7.80|28|28|qn|0|0|1|0
isosorbide|C01DA|单硝酸异山梨酯缓释片|09|乙|16.00|24|24|qd|0|0|1|0
spironolactone|C03DA|螺内酯片|09|甲|6.00|100|50|bid|0|0|2|0
danshen_dp|ZC01|复方丹参滴丸|11|甲|26.80|180|20|tid|0|0|9|0
butylphthalide|N07XX|丁苯酞软胶囊|09|乙|178.00|24|8|tid|0|0|3|0
tongxinluo|ZC02|通心络胶囊|11|乙|58.00|30|10|tid|0|0|3|0
naoxintong|ZC03|脑心通胶囊|11|乙|62.00|36|12|tid|0|0|3|0
tiotropium|R03BB|噻托溴铵粉吸入剂|09|乙|128.00|30|30|qd|0|0|1|0
seretide|R03AK|沙美特罗替卡松粉吸入剂|09|乙|198.00|60|30|bid|1|0|2|0
symbicort|R03AK|布地奈德福莫特罗吸入粉雾剂|09|乙|210.00|60|30|bid|1|0|2|0
montelukast|R03DC|孟鲁司特钠片|09|乙|38.00|5|5|qn|0|0|1|0
ambroxol|R05CB|盐酸氨溴索口服溶液|09|乙|22.00|1|5|tid|0|0|1|0
cough|R05DA|复方甲氧那明胶囊|09|乙|35.00|60|7|tid|0|0|6|0
oseltamivir|J05AH|磷酸奥司他韦胶囊|09|甲|45.00|10|5|bid|0|0|2|0
entecavir|J05AF|恩替卡韦分散片|09|乙|6.30|28|28|qd|0|0|1|0
taf|J05AF|富马酸丙酚替诺福韦片|09|乙|285.00|30|30|qd|1|0|1|0
madopar|N04BA|多巴丝肼片|09|甲|68.00|40|13|tid|1|0|3|0
olanzapine|N05AH|奥氮平片|09|乙|56.00|28|28|qn|0|0|1|0
risperidone|N05AX|利培酮片|09|甲|12.00|20|20|qd|0|0|1|0
aripiprazole|N05AX|阿立哌唑片|09|乙|48.00|20|20|qd|0|0|1|0
valproate|N03AG|丙戊酸钠缓释片|09|甲|45.00|30|15|bid|0|0|2|0
sertraline|N06AB|盐酸舍曲林片|09|乙|35.00|14|14|qd|0|0|1|0
estazolam|N05CD|艾司唑仑片|09|甲|5.00|20|20|qn|0|0|1|0
flunarizine|N07CA|盐酸氟桂利嗪胶囊|09|甲|8.00|20|20|qn|0|0|1|0
methotrexate|L01BA|甲氨蝶呤片|09|甲|22.00|16|28|qw|0|0|1|0
hcq|P01BA|硫酸羟氯喹片|09|乙|42.00|14|14|qd|0|0|1|0
febuxostat|M04AA|非布司他片|09|乙|22.00|16|16|qd|0|0|1|0
alendronate|M05BA|阿仑膦酸钠片|09|乙|35.00|4|28|qw|0|0|1|0
calcitriol|A11CC|骨化三醇软胶囊|09|乙|30.00|20|20|qd|0|0|1|0
caltrate|A12AX|碳酸钙D3片|09|乙|45.00|60|60|qd|0|0|1|0
levothyroxine|H03AA|左甲状腺素钠片|09|甲|25.00|100|100|qd|1|0|1|0
letrozole|L02BG|来曲唑片|09|乙|38.00|30|30|qd|0|2|1|0
tamoxifen|L02BA|枸橼酸他莫昔芬片|09|甲|25.00|60|30|bid|0|2|2|0
capecitabine|L01BC|卡培他滨片|09|乙|180.00|12|3|bid|0|0|4|0
osimertinib|L01EB|甲磺酸奥希替尼片|09|乙|4900.00|30|30|qd|1|0|1|0
bicalutamide|L02BB|比卡鲁胺片|09|乙|98.00|28|28|qd|0|1|1|0
tacrolimus|L04AD|他克莫司胶囊|09|乙|380.00|50|25|bid|1|0|2|0
epo|B03XA|重组人促红素注射液|09|乙|95.00|1|3|biw|0|0|1|0
iron_sucrose|B03AC|蔗糖铁注射液|09|乙|56.00|1|7|qw|0|0|1|1
sevelamer|V03AE|碳酸司维拉姆片|09|乙|210.00|36|12|tid|1|0|3|0
levocarnitine|A16AA|左卡尼汀注射液|09|乙|28.00|1|2|st|0|0|1|1
heparin|B01AB|肝素钠注射液|09|甲|12.00|1|1|st|0|0|1|1
lmwh|B01AB|低分子量肝素钙注射液|09|乙|38.00|1|1|qd|0|0|1|1
deferasirox|V03AC|地拉罗司分散片|09|乙|520.00|28|28|qd|1|0|1|0
amoxicillin|J01CA|阿莫西林胶囊|09|甲|8.50|24|4|tid|0|0|6|0
amox_kid|J01CA|阿莫西林颗粒(儿童)|09|甲|12.00|12|4|tid|0|0|3|0
cefuroxime|J01DC|头孢呋辛酯片|09|乙|18.00|12|6|bid|0|0|2|0
cefixime|J01DD|头孢克肟分散片|09|乙|22.00|6|6|qd|0|0|1|0
azithro|J01FA|阿奇霉素片|09|甲|16.00|6|6|qd|0|0|1|0
levofloxacin|J01MA|左氧氟沙星片|09|甲|14.00|10|5|bid|0|0|2|0
ibuprofen|M01AE|布洛芬缓释胶囊|09|甲|9.80|20|10|bid|0|0|2|0
ibu_susp|M01AE|布洛芬混悬液|09|甲|18.00|1|5|prn|1|0|1|0
paracetamol|N02BE|对乙酰氨基酚片|09|甲|4.50|12|4|tid|0|0|3|0
celecoxib|M01AH|塞来昔布胶囊|09|乙|28.00|12|6|bid|1|0|2|0
diclofenac_gel|M02AA|双氯芬酸二乙胺乳胶剂|09|乙|25.00|1|10|tid|1|0|1|0
omeprazole|A02BC|奥美拉唑肠溶胶囊|09|甲|12.50|14|14|qd|0|0|1|0
rabeprazole|A02BC|雷贝拉唑钠肠溶片|09|乙|28.00|14|14|qd|0|0|1|0
domperidone|A03FA|多潘立酮片|09|甲|15.00|30|10|tid|0|0|3|0
smecta|A07BC|蒙脱石散|09|乙|16.00|10|3|tid|0|0|3|0
ors|A07CA|口服补液盐散(III)|09|甲|6.00|6|3|prn|0|0|2|0
bifid|A07FA|双歧杆菌三联活菌胶囊|09|乙|28.00|24|4|tid|0|0|6|0
loratadine|R06AX|氯雷他定片|09|甲|15.00|6|6|qd|0|0|1|0
cetirizine|R06AE|盐酸西替利嗪片|09|甲|18.00|12|12|qd|0|0|1|0
mometasone|D07AC|糠酸莫米松乳膏|09|乙|18.00|1|10|qd|0|0|1|0
pifuyan|D07XB|复方醋酸地塞米松乳膏|09|甲|6.50|1|7|bid|0|0|1|0
tobra_eye|S01AA|妥布霉素滴眼液|09|乙|12.00|1|7|qid|0|0|1|0
metronid_vag|G01AF|甲硝唑阴道泡腾片|09|乙|15.00|7|7|qn|0|2|1|0
progesterone|G03DA|黄体酮软胶囊|09|乙|95.00|30|15|bid|1|2|2|0
estradiol|G03CA|戊酸雌二醇片|09|乙|40.00|21|21|qd|1|2|1|0
tamsulosin|G04CA|盐酸坦索罗辛缓释胶囊|09|乙|38.00|10|10|qn|0|1|1|0
finasteride|G04CB|非那雄胺片|09|乙|45.00|10|10|qd|1|1|1|0
lianhua|ZA01|连花清瘟胶囊|11|甲|14.80|24|3|tid|0|0|12|0
ganmaoling|ZA02|感冒灵颗粒|11|甲|12.50|9|3|tid|0|0|3|0
banlangen|ZA03|板蓝根颗粒|11|甲|9.60|20|5|tid|0|0|3|0
pudilan|ZA04|蒲地蓝消炎口服液|11|乙|39.80|10|3|tid|0|0|3|0
xiaoer_qr|ZA05|小儿豉翘清热颗粒|11|乙|36.00|6|2|tid|0|0|3|0
huoxiang|ZA06|藿香正气水|11|甲|8.80|10|3|bid|0|0|2|0
liuwei|ZB01|六味地黄丸|11|甲|19.80|200|25|bid|0|0|8|0
ejiao_j|ZB02|复方阿胶浆|11|乙|98.00|12|6|tid|0|0|3|0
angong|ZB03|安宫牛黄丸|11|乙|468.00|1|1|qd|0|0|1|0
yunnan|ZC04|云南白药气雾剂|11|乙|45.00|1|7|tid|0|0|1|0
jingfukang|ZC05|颈复康颗粒|11|乙|38.00|10|5|bid|0|0|2|0
xst_oral|ZC06|血塞通软胶囊|11|乙|42.00|24|8|tid|0|0|3|0
ambroxol_iv|R05CB|注射用盐酸氨溴索|09|乙|250.00|10|1|bid|0|0|2|1
wsv_iv|A11JA|注射用水溶性维生素|09|乙|300.00|10|1|qd|0|0|1|1
kcl|B05XA|氯化钾注射液|09|甲|8.00|10|1|qd|0|0|2|1
budes_neb|R03BA|吸入用布地奈德混悬液|09|乙|75.00|5|1|bid|1|0|2|0
doxofyl|R03DA|多索茶碱注射液|09|乙|120.00|10|1|qd|0|0|1|1
ns|B05XA|氯化钠注射液(250ml)|09|甲|4.50|1|1|qd|0|0|2|1
gs|B05BA|葡萄糖注射液(250ml)|09|甲|4.00|1|1|qd|0|0|1|1
ceftriaxone|J01DD|注射用头孢曲松钠|09|甲|45.00|10|1|qd|0|0|2|1
cefop_sul|J01DD|注射用头孢哌酮钠舒巴坦钠|09|乙|280.00|10|1|bid|0|0|2|1
pip_tazo|J01CR|注射用哌拉西林钠他唑巴坦钠|09|乙|220.00|10|1|tid|0|0|3|1
levo_iv|J01MA|左氧氟沙星氯化钠注射液|09|甲|12.00|1|1|qd|0|0|1|1
panto_iv|A02BC|注射用泮托拉唑钠|09|乙|180.00|10|1|qd|0|0|1|1
mpred_iv|H02AB|注射用甲泼尼龙琥珀酸钠|09|乙|35.00|1|1|qd|1|0|1|1
furosemide_iv|C03CA|呋塞米注射液|09|甲|15.00|10|1|qd|0|0|2|1
ntg_iv|C01DA|硝酸甘油注射液|09|甲|80.00|10|1|qd|0|0|1|1
edaravone|N07XX|依达拉奉注射液|09|乙|850.00|10|1|bid|0|0|2|1
danhong|ZD01|丹红注射液|11|乙|450.00|10|1|qd|0|0|2|1
xst_iv|ZD02|注射用血塞通(冻干)|11|乙|380.00|10|1|qd|0|0|2|1
shenmai|ZD03|参麦注射液|11|乙|320.00|10|1|qd|0|0|2|1
flurbi_iv|M01AE|氟比洛芬酯注射液|09|乙|240.00|5|1|bid|0|0|2|1
oxytocin|H01BB|缩宫素注射液|09|甲|30.00|10|1|qd|0|2|2|1
insulin_iv|A10AB|胰岛素注射液(短效)|09|甲|25.00|1|5|tid|0|0|1|1
docetaxel|L01CD|多西他赛注射液|09|乙|850.00|1|1|st|0|0|1|1
oxaliplatin|L01XA|注射用奥沙利铂|09|乙|620.00|1|1|st|0|0|1|1
pemetrexed|L01BA|注射用培美曲塞二钠|09|乙|480.00|1|1|st|0|0|2|1
nab_ptx|L01CD|注射用紫杉醇(白蛋白结合型)|09|乙|1200.00|1|1|st|0|0|2|1
trastuzumab|L01FD|注射用曲妥珠单抗|09|乙|1980.00|1|1|st|1|0|1|1
cisplatin|L01XA|注射用顺铂|09|甲|35.00|1|1|st|0|0|3|1
gemcitabine|L01BC|注射用盐酸吉西他滨|09|乙|260.00|1|1|st|0|0|2|1
ondansetron|A04AA|盐酸昂丹司琼注射液|09|乙|90.00|5|1|bid|0|0|2|1
albumin|B05AA|人血白蛋白(10g)|09|乙|398.00|1|1|qd|1|0|1|1
vitc_eff|A11GA|维生素C泡腾片|09|丙|25.00|20|20|qd|0|0|1|0
"""

HERBS = """
h_huangqi|黄芪|乙|1.80
h_dangshen|党参|乙|3.20
h_baizhu|白术|乙|2.10
h_gancao|甘草|甲|0.90
h_danggui|当归|乙|2.80
h_xiyangshen|西洋参|丙|28.00
"""


class Catalog:
    def __init__(self):
        r = np.random.default_rng(20250101)  # fixed: codes do not depend on the run seed
        rows = []
        for ln in SERVICES.strip().splitlines():
            k, c9, nm, t, lv, p = ln.split("|")
            rows.append(
                dict(
                    key=k,
                    code="00" + c9 + "0000",
                    name=nm,
                    ctype=t,
                    lv=lv,
                    price=float(p),
                    units=1,
                    days=0,
                    freq="",
                    imp=0,
                    sex=0,
                    ipu=1,
                    iv=0,
                    kind="svc",
                )
            )
        for ln in MATERIALS.strip().splitlines():
            k, nm, lv, p = ln.split("|")
            code = "C%02d%02d%02d%03d%05d%09d" % (
                r.integers(1, 19),
                r.integers(1, 20),
                r.integers(1, 30),
                r.integers(1, 999),
                r.integers(1, 99999),
                r.integers(1, 10**9),
            )
            rows.append(
                dict(
                    key=k,
                    code=code,
                    name=nm,
                    ctype="08",
                    lv=lv,
                    price=float(p),
                    units=1,
                    days=0,
                    freq="",
                    imp=0,
                    sex=0,
                    ipu=1,
                    iv=0,
                    kind="mat",
                )
            )
        for ln in DRUGS.strip().splitlines():
            k, atc, nm, t, lv, p, u, d, f, imp, sx, ipu, iv = ln.split("|")
            if atc.startswith("Z"):
                code = "Z%s%s%04d%s%05d" % (atc[1:], "A", r.integers(1, 9999), "010101", r.integers(1, 99999))
            else:
                code = "X%sA%03dA%03d%s%05d" % (
                    atc,
                    r.integers(1, 999),
                    r.integers(1, 300),
                    "0101",
                    r.integers(1, 99999),
                )
            rows.append(
                dict(
                    key=k,
                    code=code,
                    name=nm,
                    ctype=t,
                    lv=lv,
                    price=float(p),
                    units=int(u),
                    days=int(d),
                    freq=f,
                    imp=int(imp),
                    sex=int(sx),
                    ipu=int(ipu),
                    iv=int(iv),
                    kind="drug",
                )
            )
        for ln in HERBS.strip().splitlines():
            k, nm, lv, p = ln.split("|")
            rows.append(
                dict(
                    key=k,
                    code="T%09d" % r.integers(10**8, 10**9),
                    name=nm + "(饮片,10g)",
                    ctype="10",
                    lv=lv,
                    price=float(p),
                    units=1,
                    days=0,
                    freq="",
                    imp=0,
                    sex=0,
                    ipu=1,
                    iv=0,
                    kind="herb",
                )
            )
        self.df = pd.DataFrame(rows)
        self.n = len(self.df)
        self.idx = {k: i for i, k in enumerate(self.df.key)}
        self.code = self.df.code.to_numpy(object)
        self.name = self.df.name.to_numpy(object)
        self.ctype = self.df.ctype.to_numpy(object)
        self.lv = self.df.lv.to_numpy(object)
        self.lvnum = np.array([{"甲": 0, "乙": 1, "丙": 2}[v] for v in self.lv])
        self.price = self.df.price.to_numpy(float)
        self.units = self.df.units.to_numpy(np.int64)
        self.days = self.df.days.to_numpy(np.int64)
        self.freq = self.df.freq.to_numpy(object)
        self.imp = self.df.imp.to_numpy(np.int64)
        self.sex = self.df.sex.to_numpy(np.int64)
        self.ipu = self.df.ipu.to_numpy(np.int64)
        self.iv = self.df.iv.to_numpy(np.int64)
        kind = self.df.kind.to_numpy(object)
        self.is_drug = kind == "drug"
        self.is_svc = kind == "svc"
        self.is_mat = kind == "mat"
        self.unit_price = np.round(self.price / np.maximum(self.units, 1), 4)
        # 码上放心 drug identification prefix (7 digits beginning with 8) and GS1 GTIN for imported products
        self.trace = self.is_drug & (self.lvnum < 2)
        self.tr_prefix = np.array(["8%06d" % r.integers(0, 10**6) for _ in range(self.n)], object)
        self.tr_gtin = np.array(["0%013d" % r.integers(10**12, 10**13) for _ in range(self.n)], object)
        self.tr_base = r.integers(10**11, 8 * 10**12, self.n)

    def __getitem__(self, k):
        return self.idx[k]

    def ids(self, keys):
        return np.array([self.idx[k] for k in keys], np.int64)


# =============================================================================================
# diseases (ICD-10 national-extension style codes).  op: outpatient items (service / drug, prob);
# ph: pharmacy basket; ip: inpatient pathway.  vc = venue class.
# =============================================================================================
def D(key, code, name, season="flat", dept="A03", sex=0, amin=0, amax=120, vc="gen", op=(), ph=(), ip=None):
    return dict(
        key=key,
        code=code,
        name=name,
        season=season,
        dept=dept,
        sex=sex,
        amin=amin,
        amax=amax,
        vc=vc,
        op=list(op),
        ph=list(ph),
        ip=ip,
    )


def IP(
    los, vc, daily=(), dsvc=(), once=(), surg=(), disc=(), sig=0.45, nurse="nurse2", bed="bed_gen", dept=None
):
    return dict(
        los=los,
        vc=vc,
        daily=list(daily),
        dsvc=list(dsvc),
        once=list(once),
        surg=list(surg),
        disc=list(disc),
        sig=sig,
        nurse=nurse,
        bed=bed,
        dept=dept,
    )


ADM_TESTS = [
    ("cbc", 0.95),
    ("urine", 0.7),
    ("lft", 0.75),
    ("rft", 0.75),
    ("elec", 0.6),
    ("coag", 0.45),
    ("ecg", 0.7),
    ("dr_chest", 0.5),
    ("glu", 0.5),
    ("pct", 0.2),
    ("blood_gas", 0.1),
    ("pretransf", 0.2),
]
DISEASES = [
    D(
        "uri",
        "J06.900",
        "急性上呼吸道感染",
        "resp",
        "A03.01",
        op=[
            ("cbc", 0.45),
            ("crp", 0.25),
            ("flu_ag", 0.05),
            ("lianhua", 0.35),
            ("ganmaoling", 0.3),
            ("amoxicillin", 0.2),
            ("paracetamol", 0.25),
            ("cough", 0.15),
            ("IVB", 0.06),
        ],
        ph=[
            ("lianhua", 0.4),
            ("ganmaoling", 0.45),
            ("banlangen", 0.2),
            ("paracetamol", 0.3),
            ("amoxicillin", 0.15),
            ("cough", 0.2),
            ("pudilan", 0.15),
        ],
    ),
    D(
        "phar",
        "J02.900",
        "急性咽炎",
        "resp",
        "A03.01",
        op=[("cbc", 0.3), ("pudilan", 0.4), ("cefuroxime", 0.3), ("azithro", 0.15), ("lianhua", 0.2)],
        ph=[("pudilan", 0.5), ("banlangen", 0.3), ("cefuroxime", 0.2), ("lianhua", 0.2)],
    ),
    D(
        "bronch",
        "J20.900",
        "急性支气管炎",
        "resp",
        "A03.01",
        op=[
            ("cbc", 0.5),
            ("crp", 0.3),
            ("dr_chest", 0.25),
            ("ambroxol", 0.4),
            ("cough", 0.3),
            ("cefuroxime", 0.3),
            ("azithro", 0.2),
            ("neb", 0.1),
            ("IVB", 0.08),
        ],
        ph=[("ambroxol", 0.4), ("cough", 0.4), ("cefuroxime", 0.2), ("lianhua", 0.2)],
    ),
    D(
        "flu",
        "J11.100",
        "流行性感冒",
        "flu",
        "A03.01",
        op=[("flu_ag", 0.6), ("cbc", 0.5), ("oseltamivir", 0.6), ("lianhua", 0.3), ("paracetamol", 0.3)],
        ph=[("lianhua", 0.5), ("ganmaoling", 0.4), ("paracetamol", 0.3), ("oseltamivir", 0.15)],
        ip=IP(
            4,
            "mild",
            daily=[("ns", 1, 4), ("ceftriaxone", 0.3, 4), ("mpred_iv", 0.1, 2)],
            dsvc=[("neb", 0.4)],
            once=ADM_TESTS + [("flu_ag", 0.9), ("crp", 0.7)],
            disc=[("oseltamivir", 0.5)],
        ),
    ),
    D(
        "fever",
        "R50.900",
        "发热",
        "resp",
        "A07",
        amax=14,
        vc="peds",
        op=[
            ("cbc", 0.7),
            ("crp", 0.5),
            ("flu_ag", 0.15),
            ("ibu_susp", 0.6),
            ("xiaoer_qr", 0.4),
            ("amox_kid", 0.2),
        ],
        ph=[("ibu_susp", 0.6), ("xiaoer_qr", 0.5)],
    ),
    D(
        "ge",
        "A09.900",
        "感染性腹泻",
        "gi",
        "A03.02",
        op=[
            ("stool", 0.4),
            ("cbc", 0.3),
            ("smecta", 0.6),
            ("ors", 0.4),
            ("bifid", 0.4),
            ("levofloxacin", 0.15),
            ("IVB", 0.08),
        ],
        ph=[("smecta", 0.6), ("bifid", 0.4), ("ors", 0.3), ("huoxiang", 0.2)],
        ip=IP(
            3,
            "mild",
            daily=[("ns", 1, 3), ("gs", 0.6, 2), ("levo_iv", 0.3, 3), ("panto_iv", 0.2, 2)],
            once=ADM_TESTS + [("stool", 0.9)],
            disc=[("smecta", 0.3), ("bifid", 0.3)],
        ),
    ),
    D(
        "gastritis",
        "K29.500",
        "慢性胃炎",
        "flat",
        "A03.02",
        op=[
            ("omeprazole", 0.5),
            ("rabeprazole", 0.3),
            ("domperidone", 0.3),
            ("gastroscopy", 0.06),
            ("us_abd", 0.08),
        ],
        ph=[("omeprazole", 0.6), ("domperidone", 0.4)],
        ip=IP(
            6,
            "mild",
            daily=[("panto_iv", 0.8, 5), ("ns", 1, 5), ("gs", 0.4, 3)],
            dsvc=[("acupoint", 0.2)],
            once=ADM_TESTS + [("gastroscopy", 0.45), ("us_abd", 0.6)],
            disc=[("rabeprazole", 0.5)],
        ),
    ),
    D(
        "lbp",
        "M54.500",
        "腰痛",
        "flat",
        "A04.03",
        op=[
            ("dr_spine", 0.15),
            ("celecoxib", 0.3),
            ("ibuprofen", 0.3),
            ("diclofenac_gel", 0.3),
            ("mf_elec", 0.15),
            ("acup", 0.1),
        ],
        ph=[("ibuprofen", 0.4), ("diclofenac_gel", 0.4), ("yunnan", 0.3)],
    ),
    D(
        "cervical",
        "M47.800",
        "颈椎病",
        "flat",
        "A50",
        op=[
            ("jingfukang", 0.4),
            ("celecoxib", 0.2),
            ("acup", 0.3),
            ("tuina", 0.25),
            ("mf_elec", 0.2),
            ("dr_spine", 0.1),
        ],
        ph=[("jingfukang", 0.5), ("diclofenac_gel", 0.3), ("yunnan", 0.3)],
        ip=IP(
            9,
            "mild",
            daily=[("xst_iv", 0.3, 7), ("ns", 0.6, 7), ("flurbi_iv", 0.2, 3)],
            dsvc=[("mf_elec", 0.7), ("acup", 0.6), ("tuina", 0.5), ("tcm_ion", 0.3), ("ir", 0.3)],
            once=ADM_TESTS + [("dr_spine", 0.7), ("mri_spine", 0.25)],
            disc=[("jingfukang", 0.4)],
            dept="A50",
        ),
    ),
    D(
        "knee_oa",
        "M17.900",
        "膝关节骨性关节病",
        "flat",
        "A04.03",
        amin=40,
        op=[("dr_spine", 0.1), ("celecoxib", 0.4), ("diclofenac_gel", 0.4), ("acup", 0.1), ("us_ther", 0.1)],
        ph=[("diclofenac_gel", 0.5), ("celecoxib", 0.2), ("yunnan", 0.3)],
        ip=IP(
            8,
            "mild",
            daily=[("flurbi_iv", 0.3, 3)],
            dsvc=[("mf_elec", 0.6), ("us_ther", 0.5), ("acup", 0.4)],
            once=ADM_TESTS,
            disc=[("celecoxib", 0.6)],
            dept="A04.03",
        ),
    ),
    D(
        "derm",
        "L30.900",
        "皮炎",
        "skin",
        "A13",
        vc="skin",
        op=[("mometasone", 0.5), ("pifuyan", 0.3), ("loratadine", 0.4)],
        ph=[("pifuyan", 0.5), ("mometasone", 0.3), ("loratadine", 0.3)],
    ),
    D(
        "urtic",
        "L50.900",
        "荨麻疹",
        "allergy",
        "A13",
        vc="skin",
        op=[("loratadine", 0.5), ("cetirizine", 0.4), ("cbc", 0.2)],
        ph=[("loratadine", 0.5), ("cetirizine", 0.4)],
    ),
    D(
        "conj",
        "H10.900",
        "结膜炎",
        "allergy",
        "A10",
        vc="eye",
        op=[("tobra_eye", 0.8)],
        ph=[("tobra_eye", 0.8)],
    ),
    D(
        "uti",
        "N39.000",
        "尿路感染",
        "gi",
        "A03.06",
        op=[("urine", 0.8), ("cbc", 0.3), ("levofloxacin", 0.5), ("cefuroxime", 0.3)],
        ph=[("levofloxacin", 0.4), ("cefuroxime", 0.3)],
        ip=IP(
            6,
            "mod",
            daily=[("levo_iv", 0.5, 5), ("ceftriaxone", 0.4, 5), ("ns", 1, 5)],
            once=ADM_TESTS + [("us_uro", 0.5)],
            disc=[("levofloxacin", 0.4)],
        ),
    ),
    D(
        "vagin",
        "N76.000",
        "急性阴道炎",
        "skin",
        "A05.01",
        sex=2,
        amin=16,
        amax=70,
        vc="gyn",
        op=[("vag_sec", 0.8), ("metronid_vag", 0.7), ("vag_irrig", 0.2), ("us_gyn", 0.1)],
        ph=[("metronid_vag", 0.7)],
    ),
    D(
        "bph",
        "N40.x00",
        "前列腺增生",
        "flat",
        "A04",
        sex=1,
        amin=50,
        op=[("us_uro", 0.3), ("psa", 0.2), ("tamsulosin", 0.6), ("finasteride", 0.4), ("prost_fluid", 0.05)],
        ph=[("tamsulosin", 0.6), ("finasteride", 0.3)],
    ),
    D(
        "menop",
        "N95.100",
        "绝经期综合征",
        "flat",
        "A05.01",
        sex=2,
        amin=44,
        amax=62,
        vc="gyn",
        op=[("estradiol", 0.5), ("us_gyn", 0.3), ("liuwei", 0.2), ("estazolam", 0.2)],
        ph=[("liuwei", 0.4)],
    ),
    D(
        "caries",
        "K02.900",
        "龋病",
        "flat",
        "A12",
        vc="dent",
        op=[("dressing", 0.3), ("amoxicillin", 0.2)],
        ph=[("amoxicillin", 0.3), ("ibuprofen", 0.3)],
    ),
    D(
        "asthma_a",
        "J45.900",
        "支气管哮喘",
        "allergy",
        "A03.01",
        op=[("montelukast", 0.5), ("symbicort", 0.3), ("neb", 0.3), ("lung_func", 0.05)],
        ph=[("montelukast", 0.5), ("symbicort", 0.2)],
    ),
    D(
        "dengue",
        "A90.x00",
        "登革热",
        "dengue",
        "A16",
        op=[("cbc", 0.95), ("dengue_ns1", 0.8), ("paracetamol", 0.6), ("ors", 0.3)],
        ph=[("paracetamol", 0.5)],
        ip=IP(
            5,
            "mod",
            daily=[("ns", 1, 4), ("gs", 0.5, 3)],
            dsvc=[("cbc", 0.9)],
            once=ADM_TESTS + [("dengue_ns1", 0.9)],
            dept="A16",
        ),
    ),
    D(
        "hfmd",
        "B08.401",
        "手足口病",
        "hfmd",
        "A07",
        amax=6,
        vc="peds",
        op=[("cbc", 0.6), ("ibu_susp", 0.5), ("xiaoer_qr", 0.4), ("bifid", 0.2)],
        ph=[("ibu_susp", 0.5)],
        ip=IP(
            4,
            "peds",
            daily=[("gs", 0.8, 3), ("mpred_iv", 0.1, 2)],
            once=[("cbc", 1), ("crp", 0.8), ("lft", 0.5)],
            dept="A07",
        ),
    ),
    D(
        "injury",
        "T14.000",
        "浅表损伤",
        "trauma",
        "A20",
        op=[("dressing", 0.6), ("debride", 0.3), ("yunnan", 0.2), ("cefuroxime", 0.2), ("dr_spine", 0.05)],
        ph=[("yunnan", 0.5), ("ibuprofen", 0.3)],
    ),
    D(
        "headache",
        "R51.x00",
        "头痛",
        "flat",
        "A03.03",
        op=[("ibuprofen", 0.4), ("flunarizine", 0.3), ("ct_head", 0.05)],
        ph=[("ibuprofen", 0.5), ("paracetamol", 0.3)],
    ),
    D(
        "insom",
        "G47.000",
        "失眠",
        "flat",
        "A03.03",
        amin=18,
        op=[("estazolam", 0.6), ("sertraline", 0.2)],
        ph=[("estazolam", 0.3), ("liuwei", 0.2)],
    ),
    D(
        "hyperlip",
        "E78.500",
        "高脂血症",
        "flat",
        "A03.04",
        amin=30,
        op=[("lipid", 0.6), ("atorvastatin", 0.6), ("rosuvastatin", 0.3)],
        ph=[("atorvastatin", 0.5)],
    ),
    D(
        "rhinitis",
        "J30.400",
        "变应性鼻炎",
        "allergy",
        "A11",
        op=[("loratadine", 0.5), ("montelukast", 0.3)],
        ph=[("loratadine", 0.5), ("cetirizine", 0.4)],
    ),
    D(
        "htn",
        "I10.x00",
        "高血压",
        "cardio",
        "A03.04",
        amin=25,
        op=[("ecg", 0.2), ("amlodipine", 0.5), ("irbesartan", 0.3), ("nifedipine", 0.2)],
        ph=[("amlodipine", 0.5)],
        ip=IP(
            7,
            "mild",
            daily=[("danhong", 0.35, 6), ("xst_iv", 0.3, 6), ("ns", 0.8, 6)],
            once=ADM_TESTS + [("us_heart", 0.4), ("lipid", 0.7), ("holter", 0.15)],
            disc=[("amlodipine", 0.6), ("irbesartan", 0.3)],
            dept="A03.04",
        ),
    ),
    D(
        "dm",
        "E11.900",
        "2型糖尿病",
        "flat",
        "A03.07",
        amin=25,
        op=[("glu", 0.6), ("hba1c", 0.2), ("metformin", 0.6), ("glimepiride", 0.2)],
        ph=[("metformin", 0.5)],
        ip=IP(
            8,
            "mod",
            daily=[("insulin_iv", 0.7, 6), ("ns", 0.7, 5)],
            dsvc=[("glu_poc", 0.9)],
            once=ADM_TESTS + [("hba1c", 0.9), ("lipid", 0.7)],
            disc=[("metformin", 0.6), ("glargine", 0.4)],
            dept="A03.07",
        ),
    ),
    D(
        "chd",
        "I25.100",
        "冠状动脉粥样硬化性心脏病",
        "cardio",
        "A03.04",
        amin=35,
        op=[("ecg", 0.5), ("aspirin", 0.4), ("atorvastatin", 0.4), ("danshen_dp", 0.3), ("isosorbide", 0.2)],
        ph=[("danshen_dp", 0.5), ("aspirin", 0.3)],
        ip=IP(
            7,
            "mild",
            daily=[("danhong", 0.4, 6), ("shenmai", 0.2, 5), ("ns", 0.8, 6), ("lmwh", 0.2, 4)],
            once=ADM_TESTS + [("us_heart", 0.6), ("lipid", 0.8), ("holter", 0.3)],
            disc=[("aspirin", 0.7), ("atorvastatin", 0.6)],
            dept="A03.04",
        ),
    ),
    D(
        "copd",
        "J44.900",
        "慢性阻塞性肺疾病",
        "resp",
        "A03.01",
        amin=40,
        op=[
            ("tiotropium", 0.3),
            ("seretide", 0.3),
            ("ambroxol", 0.3),
            ("dr_chest", 0.2),
            ("lung_func", 0.05),
        ],
        ph=[("ambroxol", 0.5), ("cough", 0.3)],
    ),
    D(
        "hbv",
        "B18.100",
        "慢性乙型病毒性肝炎",
        "flat",
        "A16",
        amin=15,
        op=[("lft", 0.5), ("hbv_dna", 0.2), ("us_abd", 0.2), ("entecavir", 0.6), ("taf", 0.3)],
        ph=[("entecavir", 0.5)],
    ),
    D(
        "gout",
        "M10.900",
        "痛风",
        "flat",
        "A03.06",
        sex=1,
        amin=25,
        op=[("febuxostat", 0.6), ("celecoxib", 0.4), ("rft", 0.3)],
        ph=[("celecoxib", 0.4)],
    ),
    D(
        "osteo",
        "M81.900",
        "骨质疏松",
        "flat",
        "A04.03",
        amin=45,
        op=[("alendronate", 0.3), ("calcitriol", 0.4), ("caltrate", 0.5)],
        ph=[("caltrate", 0.6), ("calcitriol", 0.3)],
        ip=IP(
            8,
            "mild",
            daily=[("xst_iv", 0.2, 6)],
            dsvc=[("mf_elec", 0.4), ("ir", 0.3)],
            once=ADM_TESTS,
            disc=[("calcitriol", 0.5), ("caltrate", 0.5)],
            dept="A04.03",
        ),
    ),
    D(
        "depress",
        "F32.900",
        "抑郁发作",
        "flat",
        "A15",
        amin=14,
        vc="psych",
        op=[("sertraline", 0.8), ("psy_ther", 0.2)],
        ph=[],
    ),
    D(
        "preg",
        "Z34.900",
        "正常妊娠监督",
        "flat",
        "A05.02",
        sex=2,
        amin=15,
        amax=50,
        vc="gyn",
        op=[("us_ob", 0.4), ("cbc", 0.4), ("urine", 0.6), ("glu", 0.15)],
        ph=[],
    ),
    # ---------------- inpatient-only / mainly inpatient
    D(
        "pneu",
        "J18.900",
        "肺炎",
        "resp",
        "A03.01",
        op=[("cbc", 0.9), ("crp", 0.8), ("dr_chest", 0.8), ("cefuroxime", 0.4), ("IVB", 0.3)],
        ph=[],
        ip=IP(
            7,
            "mod",
            daily=[
                ("ceftriaxone", 0.5, 6),
                ("cefop_sul", 0.35, 7),
                ("levo_iv", 0.25, 5),
                ("ns", 1, 7),
                ("mpred_iv", 0.1, 3),
                ("budes_neb", 0.4, 5),
                ("doxofyl", 0.2, 5),
            ],
            dsvc=[("neb", 0.4), ("o2", 0.3)],
            once=ADM_TESTS + [("crp", 0.9), ("ct_chest", 0.4), ("culture", 0.3)],
            disc=[("ambroxol", 0.3), ("cefuroxime", 0.3)],
            dept="A03.01",
        ),
    ),
    D(
        "kidpneu",
        "J18.000",
        "支气管肺炎",
        "resp",
        "A07",
        amax=12,
        vc="peds",
        ip=IP(
            6,
            "peds",
            daily=[("ceftriaxone", 0.6, 5), ("gs", 0.8, 5), ("mpred_iv", 0.1, 2)],
            dsvc=[("neb", 0.9)],
            once=[("cbc", 1), ("crp", 0.9), ("dr_chest", 0.9), ("lft", 0.4)],
            disc=[("amox_kid", 0.4), ("montelukast", 0.3)],
            dept="A07",
        ),
    ),
    D(
        "bronchio",
        "J21.900",
        "急性毛细支气管炎",
        "resp",
        "A07",
        amax=2,
        vc="peds",
        ip=IP(
            5,
            "peds",
            daily=[("gs", 0.6, 4)],
            dsvc=[("neb", 1.0), ("o2", 0.3)],
            once=[("cbc", 1), ("crp", 0.8), ("dr_chest", 0.7)],
            dept="A07",
        ),
    ),
    D(
        "copd_ae",
        "J44.100",
        "慢性阻塞性肺疾病伴有急性加重",
        "resp",
        "A03.01",
        amin=45,
        ip=IP(
            9,
            "mod",
            daily=[
                ("pip_tazo", 0.4, 7),
                ("cefop_sul", 0.3, 7),
                ("levo_iv", 0.3, 6),
                ("mpred_iv", 0.5, 4),
                ("ns", 1, 8),
                ("budes_neb", 0.8, 7),
                ("doxofyl", 0.5, 6),
            ],
            dsvc=[("neb", 0.9), ("o2", 0.7)],
            once=ADM_TESTS + [("crp", 0.9), ("ct_chest", 0.5), ("lung_func", 0.15), ("culture", 0.3)],
            disc=[("seretide", 0.3), ("tiotropium", 0.3)],
            nurse="nurse1",
            dept="A03.01",
        ),
    ),
    D(
        "hf",
        "I50.900",
        "心力衰竭",
        "cardio",
        "A03.04",
        amin=45,
        ip=IP(
            8,
            "mod",
            daily=[("furosemide_iv", 0.9, 5), ("ntg_iv", 0.3, 3), ("lmwh", 0.3, 5), ("ns", 0.5, 5)],
            dsvc=[("o2", 0.5)],
            once=ADM_TESTS + [("us_heart", 0.8), ("holter", 0.1), ("bnp", 0.8)],
            disc=[("spironolactone", 0.6), ("metoprolol", 0.5), ("valsartan", 0.3)],
            nurse="nurse1",
            dept="A03.04",
        ),
    ),
    D(
        "stroke",
        "I63.900",
        "脑梗死",
        "cardio",
        "A03.03",
        amin=40,
        ip=IP(
            11,
            "severe",
            daily=[
                ("edaravone", 0.35, 10),
                ("xst_iv", 0.3, 10),
                ("danhong", 0.2, 10),
                ("ns", 1, 10),
                ("aspirin", 0.8, 10),
                ("atorvastatin", 0.8, 10),
            ],
            dsvc=[("acup", 0.3)],
            once=ADM_TESTS + [("ct_head", 0.95), ("mri_head", 0.6), ("lipid", 0.9), ("us_heart", 0.3)],
            disc=[("aspirin", 0.7), ("atorvastatin", 0.7), ("clopidogrel", 0.3), ("butylphthalide", 0.25)],
            nurse="nurse1",
            dept="A03.03",
        ),
    ),
    D(
        "lacunar",
        "I63.801",
        "腔隙性脑梗死",
        "cardio",
        "A03.03",
        amin=40,
        ip=IP(
            8,
            "mild",
            daily=[("xst_iv", 0.5, 7), ("danhong", 0.4, 7), ("shenmai", 0.2, 6), ("ns", 1, 7)],
            dsvc=[("acup", 0.3), ("mf_elec", 0.3)],
            once=ADM_TESTS + [("ct_head", 0.8), ("lipid", 0.8)],
            disc=[("aspirin", 0.5), ("naoxintong", 0.3)],
            dept="A03.03",
        ),
    ),
    D(
        "angina",
        "I20.000",
        "不稳定型心绞痛",
        "cardio",
        "A03.04",
        amin=35,
        ip=IP(
            6,
            "severe",
            daily=[
                ("lmwh", 0.6, 4),
                ("ntg_iv", 0.3, 3),
                ("ns", 0.6, 4),
                ("aspirin", 0.9, 6),
                ("clopidogrel", 0.7, 6),
                ("atorvastatin", 0.8, 6),
            ],
            once=ADM_TESTS + [("us_heart", 0.8), ("lipid", 0.9), ("holter", 0.2)],
            surg=[(0.25, ["pci", "stent"])],
            disc=[("aspirin", 0.8), ("clopidogrel", 0.6), ("atorvastatin", 0.8), ("isosorbide", 0.4)],
            dept="A03.04",
        ),
    ),
    D(
        "ami",
        "I21.900",
        "急性心肌梗死",
        "cardio",
        "A03.04",
        amin=35,
        ip=IP(
            10,
            "severe",
            daily=[
                ("lmwh", 0.7, 5),
                ("ntg_iv", 0.5, 3),
                ("ns", 0.8, 6),
                ("aspirin", 1, 9),
                ("clopidogrel", 0.9, 9),
                ("atorvastatin", 0.9, 9),
            ],
            dsvc=[("o2", 0.6)],
            once=ADM_TESTS + [("us_heart", 0.95), ("lipid", 0.9)],
            surg=[(0.7, ["pci", "stent", "stent"])],
            disc=[("aspirin", 0.9), ("clopidogrel", 0.9), ("atorvastatin", 0.9), ("metoprolol", 0.6)],
            nurse="nurse_sp",
            bed="bed_icu",
            dept="A03.04",
        ),
    ),
    D(
        "append",
        "K35.800",
        "急性阑尾炎",
        "flat",
        "A04.01",
        amin=5,
        ip=IP(
            5,
            "surg",
            daily=[("cefop_sul", 0.7, 4), ("ns", 1, 4), ("flurbi_iv", 0.5, 2)],
            once=ADM_TESTS + [("us_abd", 0.8), ("crp", 0.7)],
            surg=[(1.0, ["appendectomy", "anesth_gen"])],
            dept="A04.01",
        ),
    ),
    D(
        "chole",
        "K80.100",
        "胆囊结石伴胆囊炎",
        "flat",
        "A04.01",
        amin=25,
        ip=IP(
            6,
            "surg",
            daily=[("cefop_sul", 0.5, 4), ("ns", 1, 5), ("flurbi_iv", 0.5, 2)],
            once=ADM_TESTS + [("us_abd", 0.95), ("ct_chest", 0.1)],
            surg=[(0.85, ["lap_chole", "anesth_gen"])],
            dept="A04.01",
        ),
    ),
    D(
        "hernia",
        "K40.900",
        "腹股沟疝",
        "flat",
        "A04.01",
        sex=0,
        amin=1,
        ip=IP(
            4,
            "surg",
            daily=[("ns", 0.6, 2)],
            once=ADM_TESTS,
            surg=[(1.0, ["hernia_rep", "anesth_sp", "mesh"])],
            dept="A04.01",
        ),
    ),
    D(
        "hipfx",
        "S72.000",
        "股骨颈骨折",
        "trauma",
        "A04.03",
        amin=50,
        ip=IP(
            14,
            "surg",
            daily=[("lmwh", 0.9, 10), ("flurbi_iv", 0.6, 3), ("ns", 1, 6), ("cefop_sul", 0.4, 3)],
            once=ADM_TESTS + [("dr_spine", 0.9), ("ct_chest", 0.3)],
            surg=[(0.55, ["hip_arth", "anesth_gen", "hip_pros"]), (0.35, ["orif", "anesth_sp", "plate"])],
            nurse="nurse1",
            dept="A04.03",
        ),
    ),
    D(
        "tibfx",
        "S82.200",
        "胫骨骨干骨折",
        "trauma",
        "A04.03",
        ip=IP(
            10,
            "surg",
            daily=[("flurbi_iv", 0.6, 3), ("ns", 1, 5), ("cefop_sul", 0.5, 3)],
            once=ADM_TESTS + [("dr_spine", 0.9)],
            surg=[(0.8, ["orif", "anesth_sp", "plate"])],
            dept="A04.03",
        ),
    ),
    D(
        "concuss",
        "S06.000",
        "脑震荡",
        "trauma",
        "A04",
        ip=IP(
            5, "mod", daily=[("ns", 1, 4), ("gs", 0.5, 3)], once=ADM_TESTS + [("ct_head", 1.0)], dept="A04"
        ),
    ),
    D(
        "ribfx",
        "S22.300",
        "肋骨骨折",
        "trauma",
        "A04",
        ip=IP(
            7,
            "mod",
            daily=[("flurbi_iv", 0.6, 4), ("ns", 1, 5)],
            dsvc=[("o2", 0.3)],
            once=ADM_TESTS + [("ct_chest", 0.95)],
            dept="A04",
        ),
    ),
    D(
        "disc",
        "M51.202",
        "腰椎间盘突出",
        "flat",
        "A04.03",
        amin=25,
        ip=IP(
            10,
            "mild",
            daily=[("mpred_iv", 0.2, 3), ("flurbi_iv", 0.3, 4), ("ns", 0.6, 6)],
            dsvc=[("mf_elec", 0.6), ("acup", 0.5), ("tuina", 0.4), ("tcm_ion", 0.3), ("ir", 0.3)],
            once=ADM_TESTS + [("mri_spine", 0.6), ("dr_spine", 0.5)],
            surg=[(0.15, ["discectomy", "anesth_gen"])],
            disc=[("celecoxib", 0.5)],
            dept="A04.03",
        ),
    ),
    D(
        "cataract",
        "H25.900",
        "老年性白内障",
        "flat",
        "A10",
        amin=50,
        vc="eye",
        ip=IP(
            1,
            "eye",
            once=[("cbc", 0.9), ("coag", 0.8), ("ecg", 0.8)],
            surg=[(1.0, ["cataract_op", "iol"])],
            disc=[("tobra_eye", 0.9)],
            sig=0.2,
            bed="bed_dw",
            dept="A10",
        ),
    ),
    D(
        "cellul",
        "L03.900",
        "蜂窝织炎",
        "skin",
        "A04.01",
        ip=IP(
            7,
            "mod",
            daily=[("cefop_sul", 0.6, 6), ("ns", 1, 6)],
            dsvc=[("dressing", 0.8)],
            once=ADM_TESTS + [("crp", 0.8)],
            dept="A04.01",
        ),
    ),
    D(
        "foodpois",
        "A05.900",
        "细菌性食物中毒",
        "gi",
        "A03.02",
        ip=IP(
            2,
            "mild",
            daily=[("ns", 1, 2), ("gs", 0.8, 2), ("levo_iv", 0.4, 2)],
            once=ADM_TESTS + [("stool", 0.9)],
            sig=0.35,
            dept="A03.02",
        ),
    ),
    D(
        "gibleed",
        "K92.200",
        "消化道出血",
        "flat",
        "A03.02",
        amin=30,
        ip=IP(
            7,
            "severe",
            daily=[("panto_iv", 1, 6), ("ns", 1, 6)],
            once=ADM_TESTS + [("gastroscopy", 0.8), ("pretransf", 0.5)],
            surg=[(0.3, ["rbc", "rbc", "transfusion"])],
            nurse="nurse1",
            dept="A03.02",
        ),
    ),
    D(
        "ckdcomp",
        "N18.500",
        "慢性肾脏病5期",
        "flat",
        "A03.06",
        amin=20,
        ip=IP(
            9,
            "mod",
            daily=[("ns", 0.5, 5), ("epo", 0.5, 3), ("iron_sucrose", 0.4, 2)],
            once=ADM_TESTS + [("us_uro", 0.5)],
            dept="A03.06",
        ),
    ),
    D(
        "chbron",
        "J42.x00",
        "慢性支气管炎",
        "resp",
        "A03.01",
        amin=45,
        ip=IP(
            7,
            "mild",
            daily=[("ceftriaxone", 0.4, 5), ("ns", 1, 6), ("xst_iv", 0.2, 5)],
            dsvc=[("neb", 0.6)],
            once=ADM_TESTS + [("dr_chest", 0.8)],
            disc=[("ambroxol", 0.5)],
            dept="A03.01",
        ),
    ),
    D(
        "vertigo",
        "H81.100",
        "良性阵发性位置性眩晕",
        "flat",
        "A03.03",
        amin=30,
        ip=IP(
            5,
            "mild",
            daily=[("xst_iv", 0.4, 4), ("ns", 1, 4)],
            once=ADM_TESTS + [("ct_head", 0.5)],
            disc=[("flunarizine", 0.5)],
            dept="A03.03",
        ),
    ),
    D(
        "psych",
        "F20.900",
        "精神分裂症",
        "flat",
        "A15",
        amin=14,
        vc="psych",
        ip=IP(
            45,
            "psych",
            daily=[("olanzapine", 0.55, 200), ("risperidone", 0.35, 200), ("valproate", 0.15, 200)],
            once=[("cbc", 0.9), ("lft", 0.8), ("ecg", 0.9), ("glu", 0.5)],
            sig=0.6,
            nurse="nurse_psy",
            bed="bed_psy",
            dept="A15",
        ),
    ),
    D(
        "rehab",
        "I69.300",
        "脑梗死后遗症",
        "flat",
        "A21",
        amin=40,
        ip=IP(
            28,
            "rehab",
            daily=[("aspirin", 0.8, 60), ("atorvastatin", 0.7, 60)],
            dsvc=[("pt", 0.95), ("ot", 0.7), ("acup", 0.6), ("mf_elec", 0.5)],
            once=[("cbc", 0.8), ("rehab_eval", 1.0)],
            sig=0.3,
            dept="A21",
        ),
    ),
    D(
        "thal",
        "D56.100",
        "β-地中海贫血",
        "flat",
        "A07",
        amax=30,
        vc="peds",
        ip=IP(
            1,
            "thal",
            once=[("cbc", 1.0), ("pretransf", 0.3)],
            surg=[(1.0, ["rbc", "rbc", "transfusion"])],
            sig=0.3,
            dept="A07",
        ),
    ),
    D(
        "neojaund",
        "P59.900",
        "新生儿黄疸",
        "flat",
        "A07.01",
        vc="peds",
        ip=IP(
            3,
            "neo",
            dsvc=[("photo", 1.0), ("bili", 1.0)],
            once=[("cbc", 0.8), ("lft", 0.6)],
            sig=0.3,
            dept="A07.01",
        ),
    ),
    D(
        "deliv",
        "O80.000",
        "单胎顺产",
        "flat",
        "A05.02",
        sex=2,
        amin=15,
        amax=50,
        vc="gyn",
        ip=IP(
            2,
            "obst",
            daily=[("oxytocin", 0.6, 1)],
            once=[("cbc", 1), ("coag", 0.8), ("us_ob", 0.7)],
            surg=[(1.0, ["vag_deliv"])],
            sig=0.3,
            dept="A05.02",
        ),
    ),
    D(
        "csect",
        "O82.000",
        "剖宫产",
        "flat",
        "A05.02",
        sex=2,
        amin=15,
        amax=50,
        vc="gyn",
        ip=IP(
            5,
            "obst",
            daily=[("oxytocin", 0.8, 2), ("cefop_sul", 0.5, 2), ("ns", 1, 3), ("flurbi_iv", 0.5, 2)],
            once=[("cbc", 1), ("coag", 0.9), ("us_ob", 0.8), ("pretransf", 0.8)],
            surg=[(1.0, ["csection", "anesth_sp"])],
            sig=0.25,
            dept="A05.02",
        ),
    ),
    D(
        "chemo",
        "Z51.100",
        "为肿瘤化学治疗疗程",
        "flat",
        "A19",
        vc="onc",
        ip=IP(1, "onc", once=[("cbc", 1), ("lft", 0.8), ("rft", 0.8)], sig=0.4, bed="bed_dw", dept="A19"),
    ),
    D(
        "canc_lung",
        "C34.900",
        "肺恶性肿瘤",
        "flat",
        "A19",
        amin=30,
        ip=IP(
            12,
            "onc",
            daily=[("cefop_sul", 0.5, 4), ("flurbi_iv", 0.6, 3), ("ns", 1, 8)],
            once=ADM_TESTS + [("ct_chest", 1), ("tumor_mk", 0.9)],
            surg=[(0.8, ["cancer_op", "anesth_gen", "stapler"])],
            nurse="nurse1",
            dept="A19",
        ),
    ),
    D(
        "canc_breast",
        "C50.900",
        "乳腺恶性肿瘤",
        "flat",
        "A19",
        amin=25,
        ip=IP(
            10,
            "onc",
            daily=[("cefop_sul", 0.4, 3), ("ns", 1, 6)],
            once=ADM_TESTS + [("tumor_mk", 0.9)],
            surg=[(0.85, ["cancer_op", "anesth_gen"])],
            dept="A19",
        ),
    ),
    D(
        "canc_liver",
        "C22.000",
        "肝细胞癌",
        "flat",
        "A19",
        amin=30,
        ip=IP(
            12,
            "onc",
            daily=[("albumin", 0.4, 4), ("panto_iv", 0.5, 6), ("ns", 1, 8)],
            once=ADM_TESTS + [("tumor_mk", 0.9), ("us_abd", 0.9)],
            surg=[(0.5, ["cancer_op", "anesth_gen"])],
            nurse="nurse1",
            dept="A19",
        ),
    ),
    D(
        "canc_stom",
        "C16.900",
        "胃恶性肿瘤",
        "flat",
        "A19",
        amin=30,
        ip=IP(
            14,
            "onc",
            daily=[("panto_iv", 0.8, 8), ("ns", 1, 10), ("albumin", 0.3, 3)],
            once=ADM_TESTS + [("gastroscopy", 0.8), ("tumor_mk", 0.9)],
            surg=[(0.8, ["cancer_op", "anesth_gen", "stapler"])],
            nurse="nurse1",
            dept="A19",
        ),
    ),
    D(
        "canc_colon",
        "C18.900",
        "结肠恶性肿瘤",
        "flat",
        "A19",
        amin=30,
        ip=IP(
            13,
            "onc",
            daily=[("cefop_sul", 0.5, 4), ("ns", 1, 9)],
            once=ADM_TESTS + [("tumor_mk", 0.9)],
            surg=[(0.8, ["cancer_op", "anesth_gen", "stapler"])],
            nurse="nurse1",
            dept="A19",
        ),
    ),
    D(
        "canc_npc",
        "C11.900",
        "鼻咽恶性肿瘤",
        "flat",
        "A19",
        amin=20,
        ip=IP(6, "onc", daily=[("ns", 1, 4)], once=ADM_TESTS + [("mri_head", 0.9)], dept="A19"),
    ),
    D(
        "canc_pros",
        "C61.x00",
        "前列腺恶性肿瘤",
        "flat",
        "A19",
        sex=1,
        amin=45,
        ip=IP(
            8,
            "onc",
            daily=[("ns", 1, 4)],
            once=ADM_TESTS + [("psa", 1)],
            surg=[(0.4, ["cancer_op", "anesth_gen"])],
            dept="A19",
        ),
    ),
    D(
        "canc_cerv",
        "C53.900",
        "宫颈恶性肿瘤",
        "flat",
        "A19",
        sex=2,
        amin=25,
        ip=IP(
            10,
            "onc",
            daily=[("ns", 1, 6)],
            once=ADM_TESTS + [("tct", 0.5), ("tumor_mk", 0.8)],
            surg=[(0.6, ["cancer_op", "anesth_gen"])],
            dept="A19",
        ),
    ),
    D("dialysis", "N18.500", "慢性肾脏病5期", "flat", "A03.06", vc="dial"),
    D("pd", "G20.x00", "帕金森病", "flat", "A03.03", amin=40, op=[("madopar", 0.9)]),
    D(
        "ra",
        "M06.900",
        "类风湿关节炎",
        "flat",
        "A03",
        amin=16,
        op=[("methotrexate", 0.5), ("hcq", 0.5), ("crp", 0.3)],
    ),
    D("hypoth", "E03.900", "甲状腺功能减退症", "flat", "A03.07", op=[("levothyroxine", 0.9)]),
    D("rt", "Z51.000", "放射治疗疗程", "flat", "A19", vc="onc"),
]
DIS_IDX = {d["key"]: i for i, d in enumerate(DISEASES)}
# distinct-key aliases for codes shared by two entries (dialysis / ckd complications)
NDIS = len(DISEASES)

# chronic conditions: key, 门慢特 code/name, regimen (drug, p), registration prob, 14-visit tests, designated venue
CONDS = [
    (
        "htn",
        "I10.x00",
        "高血压",
        [
            ("amlodipine", 0.5),
            ("nifedipine", 0.25),
            ("irbesartan", 0.3),
            ("valsartan", 0.25),
            ("metoprolol", 0.2),
            ("indapamide", 0.1),
        ],
        0.35,
        [("ecg", 0.1), ("rft", 0.08)],
        "prim",
    ),
    (
        "dm",
        "E11.900",
        "2型糖尿病",
        [
            ("metformin", 0.7),
            ("glimepiride", 0.3),
            ("acarbose", 0.3),
            ("sitagliptin", 0.2),
            ("dapagliflozin", 0.15),
            ("glargine", 0.2),
            ("aspart", 0.08),
            ("semaglutide", 0.03),
        ],
        0.40,
        [("glu", 0.4), ("hba1c", 0.25), ("rft", 0.1)],
        "prim",
    ),
    (
        "chd",
        "I25.100",
        "冠心病",
        [
            ("aspirin", 0.7),
            ("atorvastatin", 0.6),
            ("rosuvastatin", 0.2),
            ("clopidogrel", 0.25),
            ("isosorbide", 0.3),
            ("danshen_dp", 0.3),
            ("tongxinluo", 0.15),
            ("metoprolol", 0.3),
        ],
        0.30,
        [("ecg", 0.2), ("lipid", 0.15)],
        "county",
    ),
    (
        "stroke",
        "I69.300",
        "脑卒中后遗症",
        [
            ("aspirin", 0.6),
            ("atorvastatin", 0.6),
            ("clopidogrel", 0.3),
            ("butylphthalide", 0.15),
            ("naoxintong", 0.25),
            ("xst_oral", 0.2),
        ],
        0.40,
        [("lipid", 0.1)],
        "county",
    ),
    (
        "copd",
        "J44.900",
        "慢性阻塞性肺疾病",
        [("tiotropium", 0.45), ("seretide", 0.35), ("symbicort", 0.2), ("ambroxol", 0.3)],
        0.35,
        [("lung_func", 0.04)],
        "county",
    ),
    (
        "ckd5",
        "N18.500",
        "慢性肾功能衰竭(透析)",
        [("sevelamer", 0.6), ("calcitriol", 0.6), ("amlodipine", 0.4)],
        0.97,
        [],
        "dial",
    ),
    (
        "scz",
        "F20.900",
        "精神分裂症",
        [("olanzapine", 0.5), ("risperidone", 0.35), ("aripiprazole", 0.25), ("valproate", 0.1)],
        0.80,
        [],
        "psych",
    ),
    (
        "hbv",
        "B18.100",
        "慢性乙型病毒性肝炎",
        [("entecavir", 0.65), ("taf", 0.35)],
        0.45,
        [("hbv_dna", 0.15), ("lft", 0.3)],
        "county",
    ),
    ("thal", "D56.100", "重型β地中海贫血", [("deferasirox", 1.0)], 0.90, [("cbc", 0.8)], "child"),
    ("pd", "G20.x00", "帕金森病", [("madopar", 1.0)], 0.50, [], "city"),
    (
        "ra",
        "M06.900",
        "类风湿关节炎",
        [("methotrexate", 0.6), ("hcq", 0.5), ("celecoxib", 0.3)],
        0.40,
        [("lft", 0.2), ("crp", 0.2)],
        "city",
    ),
    ("gout", "M10.900", "痛风", [("febuxostat", 1.0)], 0, [], None),
    (
        "osteo",
        "M81.900",
        "骨质疏松",
        [("alendronate", 0.4), ("calcitriol", 0.5), ("caltrate", 0.6)],
        0,
        [],
        None,
    ),
    (
        "asthma",
        "J45.900",
        "支气管哮喘",
        [("symbicort", 0.4), ("seretide", 0.3), ("montelukast", 0.5)],
        0,
        [],
        None,
    ),
    ("insom", "G47.000", "失眠", [("estazolam", 0.7), ("sertraline", 0.3)], 0, [], None),
    ("hypoth", "E03.900", "甲状腺功能减退症", [("levothyroxine", 1.0)], 0, [], None),
    ("cancer", "", "恶性肿瘤", [], 0.85, [("cbc", 0.5), ("tumor_mk", 0.15)], "onc"),
]
COND_IDX = {c[0]: i for i, c in enumerate(CONDS)}
NCOND = len(CONDS)
COND_DIS = {
    "htn": "htn",
    "dm": "dm",
    "chd": "chd",
    "stroke": "rehab",
    "copd": "copd",
    "ckd5": "dialysis",
    "scz": "psych",
    "hbv": "hbv",
    "thal": "thal",
    "pd": "pd",
    "ra": "ra",
    "gout": "gout",
    "osteo": "osteo",
    "asthma": "asthma_a",
    "insom": "insom",
    "hypoth": "hypoth",
    "cancer": "chemo",
}
# cancer sites: key, disease key, sex, weight, oral maintenance drug, chemo regimen (drug, vials), radiotherapy
CANCER_SITES = [
    ("lung", "canc_lung", 0, 20, "osimertinib", [("pemetrexed", 2), ("cisplatin", 3)], 0.15),
    ("breast", "canc_breast", 2, 16, "letrozole", [("docetaxel", 1), ("trastuzumab", 1)], 0.4),
    ("liver", "canc_liver", 0, 14, None, [("oxaliplatin", 1)], 0.0),
    ("stom", "canc_stom", 0, 10, "capecitabine", [("oxaliplatin", 1)], 0.0),
    ("colon", "canc_colon", 0, 14, "capecitabine", [("oxaliplatin", 1)], 0.0),
    ("npc", "canc_npc", 0, 12, None, [("cisplatin", 3), ("gemcitabine", 2)], 0.9),
    ("pros", "canc_pros", 1, 6, "bicalutamide", [("docetaxel", 1)], 0.2),
    ("cerv", "canc_cerv", 2, 8, None, [("cisplatin", 2), ("nab_ptx", 1)], 0.8),
]
# drugs with a resale market (倒卖): glucose-lowering injectables, inhalers, antivirals, butylphthalide
RESALE = [
    "semaglutide",
    "glargine",
    "aspart",
    "dapagliflozin",
    "seretide",
    "symbicort",
    "tiotropium",
    "taf",
    "butylphthalide",
    "angong",
]
KIDMAP = {
    "amoxicillin": "amox_kid",
    "ibuprofen": "ibu_susp",
    "paracetamol": "ibu_susp",
    "lianhua": "xiaoer_qr",
    "ganmaoling": "xiaoer_qr",
    "levofloxacin": "cefuroxime",
    "cough": "ambroxol",
    "celecoxib": "ibu_susp",
}

# outpatient / pharmacy disease mix by age band (0-5, 6-17, 18-44, 45-64, 65+): relative weights
OP_MIX = {
    "uri": [30, 22, 18, 14, 12],
    "phar": [4, 8, 8, 6, 4],
    "bronch": [10, 6, 6, 7, 9],
    "flu": [8, 8, 5, 4, 4],
    "fever": [20, 6, 0, 0, 0],
    "ge": [12, 6, 6, 5, 4],
    "gastritis": [0, 2, 8, 9, 7],
    "lbp": [0, 1, 6, 8, 8],
    "cervical": [0, 0, 4, 6, 5],
    "knee_oa": [0, 0, 1, 5, 7],
    "derm": [6, 5, 5, 4, 3],
    "urtic": [2, 2, 2, 2, 1],
    "conj": [2, 2, 2, 1, 1],
    "uti": [0, 1, 3, 3, 3],
    "vagin": [0, 0, 4, 2, 1],
    "bph": [0, 0, 0, 2, 4],
    "menop": [0, 0, 0, 3, 0],
    "caries": [2, 4, 3, 2, 1],
    "asthma_a": [2, 2, 1, 1, 1],
    "dengue": [0.3, 0.5, 0.8, 0.6, 0.4],
    "hfmd": [8, 0, 0, 0, 0],
    "injury": [3, 5, 5, 4, 3],
    "headache": [0, 1, 3, 3, 2],
    "insom": [0, 0, 2, 3, 3],
    "hyperlip": [0, 0, 1, 3, 3],
    "rhinitis": [2, 4, 4, 2, 1],
    "htn": [0, 0, 1, 5, 7],
    "dm": [0, 0, 0.5, 3, 4],
    "chd": [0, 0, 0, 2, 5],
    "copd": [0, 0, 0, 1, 3],
    "pneu": [1, 0.5, 0.5, 1, 2],
    "osteo": [0, 0, 0, 1, 3],
    "depress": [0, 0.5, 1, 1, 0.5],
    "gout": [0, 0, 1, 1.5, 1],
}
# inpatient mix by age band
IP_MIX = {
    "kidpneu": [30, 8, 0, 0, 0],
    "bronchio": [12, 0, 0, 0, 0],
    "ge": [14, 6, 4, 3, 3],
    "hfmd": [8, 0, 0, 0, 0],
    "flu": [6, 3, 1, 1, 3],
    "pneu": [2, 6, 6, 10, 16],
    "append": [0, 12, 8, 4, 1],
    "chole": [0, 0, 6, 7, 4],
    "hernia": [3, 2, 3, 4, 3],
    "hipfx": [0, 0, 0, 1, 5],
    "tibfx": [0, 6, 6, 3, 1],
    "concuss": [3, 8, 5, 3, 2],
    "ribfx": [0, 1, 3, 3, 2],
    "disc": [0, 0, 5, 6, 3],
    "cervical": [0, 0, 2, 4, 3],
    "knee_oa": [0, 0, 0, 3, 4],
    "cataract": [0, 0, 0, 3, 8],
    "cellul": [1, 2, 3, 2, 2],
    "gibleed": [0, 0, 1, 2, 3],
    "uti": [1, 1, 3, 3, 4],
    "htn": [0, 0, 0, 3, 4],
    "dm": [0, 1, 2, 5, 5],
    "chd": [0, 0, 0, 4, 6],
    "angina": [0, 0, 1, 4, 5],
    "ami": [0, 0, 0.3, 1.5, 2],
    "stroke": [0, 0, 0.3, 3, 7],
    "lacunar": [0, 0, 0, 2, 4],
    "hf": [0, 0, 0, 1.5, 6],
    "copd_ae": [0, 0, 0, 1.5, 6],
    "chbron": [0, 0, 0, 1, 3],
    "vertigo": [0, 0, 1, 2, 2],
    "dengue": [0.5, 1, 2, 1.5, 1],
    "osteo": [0, 0, 0, 0.5, 2],
    "gastritis": [0, 0, 1, 1.5, 1.5],
}
AGE_BANDS = np.array([6, 18, 45, 65])


def age_band(age):
    return np.searchsorted(AGE_BANDS, age, side="right")


# =============================================================================================
# people and households
# =============================================================================================
class Obj:
    pass


IDET_CODE = [None, "01", "02", "03", "04"]  # 特困供养 / 低保 / 脱贫人口 / 低收入人口


def build_people(N, rng):
    P = Obj()
    urb = np.array([c[3] for c in COUNTIES])
    cw = np.array([c[2] for c in COUNTIES])
    cw = cw / cw.sum()
    rt = [np.array([ti for ti, t in enumerate(TOWNS) if t[0] == ci and not t[2]]) for ci in range(NC)]
    ut = [np.array([ti for ti, t in enumerate(TOWNS) if t[0] == ci and t[2]]) for ci in range(NC)]
    for ci in range(NC):
        if len(ut[ci]) == 0:
            ut[ci] = rt[ci][:1]
        if len(rt[ci]) == 0:
            rt[ci] = ut[ci]
    nv = rng.integers(8, 16, len(TOWNS))
    voff = np.concatenate([[0], np.cumsum(nv)])
    vname = []
    for ti in range(len(TOWNS)):
        combos = rng.permutation(len(VIL_A) * len(VIL_B))[: nv[ti]]
        vname += [VIL_A[c // len(VIL_B)] + VIL_B[c % len(VIL_B)] + "村" for c in combos]
    P.vill_name = vname
    P.vill_town = np.repeat(np.arange(len(TOWNS)), nv)
    sw = SURN_W / SURN_W.sum()
    L = {
        k: []
        for k in [
            "hh",
            "county",
            "town",
            "vill",
            "rural",
            "age",
            "sex",
            "sur",
            "nh",
            "deliv",
            "due",
            "bd",
            "addr",
        ]
    }
    hh = 0

    def add(age, sex, sur, ci, ti, vi, rural, addr, nh=False, deliv=-1, due=-1, bd=None):
        L["hh"].append(hh)
        L["county"].append(ci)
        L["town"].append(ti)
        L["vill"].append(vi)
        L["rural"].append(rural)
        L["age"].append(age)
        L["sex"].append(sex)
        L["sur"].append(sur)
        L["nh"].append(nh)
        L["deliv"].append(deliv)
        L["due"].append(due)
        L["bd"].append(181 - int(round(age * 365.25)) if bd is None else bd)
        L["addr"].append(addr)

    # 敬老院 residents (集中供养): one home per county, in a rural town
    per_home = max(3, int(round(N * 0.0003)))
    for ci in range(NC):
        ti = int(rng.choice(rt[ci]))
        addr = "广东省湛江市%s%s敬老院" % (C_NAME[ci], TOWNS[ti][1])
        for _ in range(per_home):
            add(
                min(99.0, 65 + rng.exponential(10)),
                1 if rng.random() < 0.6 else 2,
                int(cat_draw(rng, 1, sw)[0]),
                ci,
                ti,
                -1,
                True,
                addr,
                nh=True,
            )
            hh += 1
    while len(L["hh"]) < N:
        ci = int(cat_draw(rng, 1, cw)[0])
        rural = rng.random() > urb[ci]
        ti = int(rng.choice(rt[ci] if rural else ut[ci]))
        rural = rural and not TOWNS[ti][2]
        if rural:
            vi = int(voff[ti] + rng.integers(0, nv[ti]))
            addr = "广东省湛江市%s%s%s%d号" % (C_NAME[ci], TOWNS[ti][1], vname[vi], rng.integers(1, 260))
        else:
            vi = -1
            addr = "广东省湛江市%s%s%s%d号%d栋%d房" % (
                C_NAME[ci],
                TOWNS[ti][1],
                ROADS[rng.integers(0, len(ROADS))],
                rng.integers(1, 400),
                rng.integers(1, 30),
                rng.integers(1, 30) * 100 + rng.integers(1, 9),
            )
        typ = cat_draw(rng, 1, [0.35, 0.30, 0.20, 0.08, 0.07] if rural else [0.08, 0.42, 0.18, 0.17, 0.15])[0]
        sur = int(cat_draw(rng, 1, sw)[0])
        if typ in (0, 1):  # 3-generation / nuclear family
            fa = rng.uniform(25, 52)
            mo = max(20.0, fa - rng.normal(2, 2.5))
            add(fa, 1, sur, ci, ti, vi, rural, addr)
            nk = cat_draw(rng, 1, [0.25, 0.45, 0.22, 0.08] if rural else [0.45, 0.45, 0.10, 0])[0] + 1
            deliv = -1
            due = -1
            if 20 <= mo <= 41:
                u = rng.random()
                if u < 0.10:
                    deliv = int(rng.integers(0, ND))
                elif u < 0.15:
                    due = int(rng.integers(ND, ND + 200))
            add(mo, 2, int(cat_draw(rng, 1, sw)[0]), ci, ti, vi, rural, addr, deliv=deliv, due=due)
            for _ in range(nk):
                add(
                    rng.uniform(0.1, max(0.5, min(mo - 20, 22))),
                    1 if rng.random() < 0.52 else 2,
                    sur,
                    ci,
                    ti,
                    vi,
                    rural,
                    addr,
                )
            if deliv >= 0:
                add(0.0, 1 if rng.random() < 0.53 else 2, sur, ci, ti, vi, rural, addr, bd=deliv)
            if typ == 0:
                ga = fa + rng.uniform(24, 32)
                add(min(ga, 98), 1, sur, ci, ti, vi, rural, addr)
                if rng.random() < 0.6:
                    add(
                        min(ga - rng.uniform(0, 5), 97),
                        2,
                        int(cat_draw(rng, 1, sw)[0]),
                        ci,
                        ti,
                        vi,
                        rural,
                        addr,
                    )
        elif typ == 2:  # elderly
            a = min(99.0, 60 + rng.exponential(9))
            add(a, 1 if rng.random() < 0.45 else 2, sur, ci, ti, vi, rural, addr)
            if rng.random() < 0.6:
                add(
                    max(58.0, a + rng.normal(-2, 3)), 2, int(cat_draw(rng, 1, sw)[0]), ci, ti, vi, rural, addr
                )
        elif typ == 3:  # single adult
            add(
                rng.uniform(18, 60 if not rural else 72),
                1 if rng.random() < 0.55 else 2,
                sur,
                ci,
                ti,
                vi,
                rural,
                addr,
            )
        else:  # couple without children at home
            a = rng.uniform(22, 62)
            add(a, 1, sur, ci, ti, vi, rural, addr)
            add(max(20.0, a + rng.normal(-2, 3)), 2, int(cat_draw(rng, 1, sw)[0]), ci, ti, vi, rural, addr)
        hh += 1
    for k in L:
        L[k] = np.array(L[k][:N], dtype=object if k == "addr" else None)
    P.N = N
    P.hh = L["hh"].astype(np.int64)
    P.county = L["county"].astype(np.int64)
    P.town = L["town"].astype(np.int64)
    P.vill = L["vill"].astype(np.int64)
    P.rural = L["rural"].astype(bool)
    P.sex = L["sex"].astype(np.int64)
    P.nh = L["nh"].astype(bool)
    P.deliv = L["deliv"].astype(np.int64)
    P.due = L["due"].astype(np.int64)
    P.bday = L["bd"].astype(np.int64)  # birth, days from 2025-01-01
    P.age = (181 - P.bday) / 365.25
    P.age = np.maximum(P.age, 0.0)
    P.addr = L["addr"]
    P.born_sec = np.maximum(P.bday, 0) * DAY + np.where(P.bday >= 0, 12 * 3600, 0)
    P.born_sec = np.where(P.bday >= 0, P.born_sec, -(10**9))
    # households: members' address written slightly differently now and then (registered separately)
    var = rng.random(N) < 0.12
    P.addr = np.where(var, np.array([a.replace("广东省", "") for a in P.addr], object), P.addr)
    P.addr = np.where(rng.random(N) < 0.03, None, P.addr)
    # ------------------------------------------------------------ insurance status
    age = P.age
    emp_p = np.where(
        (age >= 18) & (age < 60),
        np.where(P.rural, 0.12, 0.55),
        np.where(age >= 60, np.where(P.rural, 0.05, 0.38), 0),
    )
    emp_p = np.where(P.nh, 0, emp_p)
    P.emp = rng.random(N) < emp_p
    P.retired = P.emp & ((age >= 60) | ((P.sex == 2) & (age >= 55)))
    lix = P.emp & (age >= 88) & (rng.random(N) < 0.3)
    P.insutype = np.where(P.emp, "310", "390").astype(object)
    P.insutype[lix] = "340"
    pt = np.where(
        P.emp, np.where(P.retired, "12", "11"), np.where(age < 18, "22", np.where(age < 60, "21", "24"))
    )
    pt = pt.astype(object)
    pt[lix] = "13"
    pt[(~P.emp) & (age >= 18) & (age < 23) & (~P.rural) & (rng.random(N) < 0.3)] = "23"
    pt[rng.random(N) < 0.02] = None
    P.psn_type = pt
    u = rng.random(N)
    eld = age >= 60
    idet = np.zeros(N, np.int64)
    r_ = P.rural & ~P.emp
    idet[r_ & (u < np.where(eld, 0.035, 0.008))] = 1
    idet[r_ & (idet == 0) & (u > 0.90) & (u < 0.94)] = 2
    idet[r_ & (idet == 0) & (u >= 0.94)] = 3
    idet[r_ & (idet == 0) & (u > 0.88) & (u <= 0.90)] = 4
    ur = (~P.rural) & ~P.emp
    idet[ur & (u < 0.015)] = 2
    idet[ur & (u > 0.997)] = 1
    idet[P.nh] = 1
    P.idet = idet
    insuplc = np.array(C_CODE, object)[P.county]
    w2 = P.emp & (rng.random(N) < 0.10)
    insuplc[w2] = np.where(rng.random(w2.sum()) < 0.5, "440802", "440803")
    out = P.retired & (rng.random(N) < 0.03)
    insuplc[out] = "440106"  # retirees insured in Guangzhou, living here
    P.insuplc = insuplc
    # ------------------------------------------------------------ ID numbers, names
    byear = (np.datetime64("2025-01-01") + P.bday).astype("datetime64[Y]").astype(int) + 1970
    reg = np.array(C_CODE, object)[P.county]
    lz = (P.county == C_CODE.index("440882")) & (byear < 1994) & (rng.random(N) < 0.7)
    reg[lz] = "440822"  # former 海康县
    mig = (age >= 18) & (rng.random(N) < np.where(P.rural, 0.03, 0.08))
    reg[mig] = np.array(MIGRANT_REGIONS, object)[rng.integers(0, len(MIGRANT_REGIONS), mig.sum())]
    dstr = pd.to_datetime(np.datetime64("2025-01-01") + P.bday).strftime("%Y%m%d").to_numpy(object)
    P.brdy = pd.to_datetime(np.datetime64("2025-01-01") + P.bday).strftime("%Y-%m-%d").to_numpy(object)
    seqn = rng.integers(0, 500, N) * 2 + np.where(P.sex == 1, 1, 0)
    cert = np.empty(N, object)
    seen = set()
    for i in range(N):
        s = "%d" % seqn[i]
        while True:
            body = reg[i] + dstr[i] + "%03d" % int(s)
            if body not in seen:
                break
            s = str((int(s) + 2) % 1000)
        seen.add(body)
        dig = np.frombuffer(body.encode(), np.uint8) - 48
        cert[i] = body + ID_C[int((dig * ID_W).sum() % 11)]
    P.certno = cert
    old = byear < 1978
    gn = np.empty(N, object)
    for (sx, era), pool in GN.items():
        m = (P.sex == (1 if sx == "M" else 2)) & (old == (era == 0))
        k = m.sum()
        pool = np.array(list(pool), object)
        one = pool[rng.integers(0, len(pool), k)]
        two = pool[rng.integers(0, len(pool), k)]
        ln2 = rng.random(k) < 0.7
        gn[m] = np.where(ln2, one + two, one)
    ya = old & (rng.random(N) < 0.15)
    gn[ya] = "亚" + np.array([g[0] for g in gn[ya]], object)
    P.name = np.array(SURN, object)[L["sur"].astype(np.int64)] + gn
    P.gend = np.where(P.sex == 1, "1", "2").astype(object)
    P.gend[rng.random(N) < 0.0004] = "9"
    # ------------------------------------------------------------ health
    a = age
    P.frail = np.exp(rng.normal(-0.245, 0.7, N))
    C = np.zeros((N, NCOND), bool)

    def prev(key, p):
        C[:, COND_IDX[key]] = rng.random(N) < p

    prev("htn", np.interp(a, [0, 34, 35, 45, 55, 65, 75, 100], [0, 0.01, 0.08, 0.18, 0.32, 0.45, 0.55, 0.6]))
    prev(
        "dm",
        np.interp(a, [0, 34, 35, 45, 55, 65, 100], [0, 0.003, 0.03, 0.08, 0.13, 0.18, 0.18])
        * np.where(C[:, COND_IDX["htn"]], 1.4, 1),
    )
    prev("chd", np.interp(a, [0, 44, 55, 65, 75, 100], [0, 0.003, 0.04, 0.09, 0.15, 0.16]))
    prev("stroke", np.interp(a, [0, 44, 55, 65, 75, 100], [0, 0.002, 0.02, 0.05, 0.09, 0.1]))
    prev(
        "copd",
        np.interp(a, [0, 44, 55, 65, 100], [0, 0.005, 0.04, 0.08, 0.1]) * np.where(P.sex == 1, 1.5, 0.6),
    )
    prev("ckd5", np.where(a >= 25, 0.0009, 0.00005))
    prev("scz", np.where((a >= 16) & (a < 75), 0.005, 0))
    prev("hbv", np.where((a >= 20) & (a < 75), 0.02, 0.001))
    prev("thal", np.where(a < 25, 0.0012, 0))
    prev("pd", np.where(a >= 60, 0.01, 0))
    prev("ra", np.where(a >= 30, 0.004, 0) * np.where(P.sex == 2, 1.6, 0.5))
    prev("gout", np.where(a >= 30, 0.02, 0) * (P.sex == 1))
    prev("osteo", np.where(a >= 55, 0.08, 0) * (P.sex == 2))
    prev("asthma", np.full(N, 0.015))
    prev("insom", np.where(a >= 25, 0.02, 0))
    prev("hypoth", np.where(a >= 25, 0.01, 0) * np.where(P.sex == 2, 1.6, 0.4))
    prev("cancer", np.interp(a, [0, 30, 45, 60, 75, 100], [0, 0.0005, 0.003, 0.008, 0.012, 0.012]))
    P.cond = C
    sites = np.full(N, -1)
    ca = np.where(C[:, COND_IDX["cancer"]])[0]
    for i in ca:
        w = np.array(
            [s[3] if s[2] in (0, P.sex[i]) else (0.15 if s[0] == "breast" else 0) for s in CANCER_SITES],
            float,
        )  # male breast cancer exists
        sites[i] = cat_draw(rng, 1, w)[0]
    P.site = sites
    P.frail = P.frail * (1 + 0.25 * C.sum(1))
    # ------------------------------------------------------------ deaths in 2025
    q = np.where(a < 1, 0.004, np.where(a < 35, 0.0006, 0.0006 * np.exp(0.085 * (a - 35)))) * 1.6
    q = q * np.where(C[:, COND_IDX["cancer"]], 4, 1) * np.where(C[:, COND_IDX["ckd5"]], 3, 1)
    q = np.minimum(q * P.frail**0.3, 0.45)
    dies = rng.random(N) < q
    dday = np.full(N, -1)
    cw_ = season_daily("cardio")
    cum = np.cumsum(cw_) / cw_.sum()
    dday[dies] = np.searchsorted(cum, rng.random(dies.sum()), "right").clip(0, ND - 1)
    dday = np.where(dies & (dday < P.bday), -1, dday)
    P.dday = dday
    P.dsec = np.where(dday >= 0, dday * DAY + tod(rng, N, "any"), 10**10)
    return P


# =============================================================================================
# designated institutions
# =============================================================================================
CATS = [
    "REF",
    "REF_ONC",
    "T3GEN",
    "T3TCM",
    "MATERN",
    "CHILD",
    "PSYCH",
    "REHAB",
    "DIAL",
    "CGEN",
    "CTCM",
    "CMCH",
    "DGEN",
    "TOWN",
    "COMM",
    "PRIV",
    "CLINIC",
    "PHARM",
]
CT = {c: i for i, c in enumerate(CATS)}
PRIV_NAMES = "仁爱 博爱 康华 和平 济民 华康 同济 东方 协和 友好 新华 民生 长城 健宁 仁和 安康 福康 百姓 惠民 广济".split()
CHAINS = [
    "大参林",
    "老百姓大药房",
    "国大药房",
    "海王星辰",
    "益丰大药房",
    "本草堂大药房",
    "百姓缘大药房",
    "康宁大药房",
    "仁心大药房",
    "万家福药店",
    "一致药店",
    "健民大药房",
]


def build_insts(N, rng, P):
    f = (N / 1e5) ** 0.75
    rows = []

    def add(name, adm, cat, lv, own, ci, ndoc, ip, typ="1", **kw):
        d = dict(name=name, adm=adm, cat=CT[cat], lv=lv, own=own, county=ci, ndoc=ndoc, ip=ip, typ=typ)
        d.update(kw)
        rows.append(d)

    ci_of = {c: i for i, c in enumerate(C_CODE)}
    add("中山大学附属第一医院", "440104", "REF", "02", "1", -1, 80, True)
    add("中山大学肿瘤防治中心", "440104", "REF_ONC", "02", "1", -1, 50, True)
    add("广东医科大学附属医院", "440803", "T3GEN", "02", "1", ci_of["440803"], 70, True)
    add("湛江中心人民医院", "440811", "T3GEN", "02", "1", ci_of["440811"], 60, True)
    add("湛江市第二人民医院", "440803", "T3GEN", "02", "1", ci_of["440803"], 45, True)
    add("湛江市第三人民医院", "440802", "T3GEN", "03", "1", ci_of["440802"], 35, True)
    add("湛江市第一中医医院", "440802", "T3TCM", "02", "1", ci_of["440802"], 40, True)
    add("湛江市妇幼保健院", "440802", "MATERN", "02", "1", ci_of["440802"], 30, True)
    add("湛江市儿童医院", "440803", "CHILD", "03", "1", ci_of["440803"], 28, True)
    add("湛江市精神卫生中心", "440811", "PSYCH", "03", "1", ci_of["440811"], 14, True)
    add("湛江安康康复医院", "440803", "REHAB", "06", "2", ci_of["440803"], 12, True)
    add("湛江康盛血液透析中心", "440802", "DIAL", "11", "2", ci_of["440802"], 4, False)
    add("雷州仁济血液透析中心", "440882", "DIAL", None, "2", ci_of["440882"], 3, False)
    for code in ["440823", "440825", "440881", "440882", "440883"]:
        ci = ci_of[code]
        add(
            C_NAME[ci] + "人民医院",
            code,
            "CGEN",
            "03" if code in ("440881", "440882") else "05",
            "1",
            ci,
            35,
            True,
        )
        add(C_NAME[ci] + "中医院", code, "CTCM", "05", "1", ci, 18, True)
        add(C_NAME[ci] + "妇幼保健院", code, "CMCH", "06", "1", ci, 12, True)
    add("湛江市坡头区人民医院", "440804", "DGEN", "06", "1", ci_of["440804"], 15, True)
    add("湛江市麻章区人民医院", "440811", "DGEN", "06", "1", ci_of["440811"], 15, True)
    cw = np.array([c[2] for c in COUNTIES])
    rural_towns = np.array([i for i, t in enumerate(TOWNS) if not t[2]])
    n_town = max(6, int(round(0.58 * len(rural_towns) * f)))
    tw = cw[TOWN_C[rural_towns]] / np.bincount(TOWN_C[rural_towns], minlength=NC)[TOWN_C[rural_towns]]
    pick = rng.choice(rural_towns, size=min(n_town, len(rural_towns)), replace=False, p=tw / tw.sum())
    for ti in sorted(pick):
        ci = TOWN_C[ti]
        add(
            "%s%s卫生院" % (C_NAME[ci], TOWNS[ti][1]),
            C_CODE[ci],
            "TOWN",
            ["08", "09", "10"][cat_draw(rng, 1, [0.6, 0.3, 0.1])[0]],
            "1",
            ci,
            6,
            True,
            town=ti,
        )
    streets = np.array([i for i, t in enumerate(TOWNS) if t[2]])
    n_comm = max(3, int(round(16 * f)))
    for ti in sorted(rng.choice(streets, size=min(n_comm, len(streets)), replace=False)):
        ci = TOWN_C[ti]
        add(
            "%s%s社区卫生服务中心" % (C_NAME[ci], TOWNS[ti][1]),
            C_CODE[ci],
            "COMM",
            "08" if rng.random() < 0.7 else None,
            "1",
            ci,
            5,
            rng.random() < 0.3,
            town=ti,
        )
    n_priv = max(8, int(round(16 * f)))
    pn = rng.permutation(len(PRIV_NAMES))
    for k in range(n_priv):
        ci = int(cat_draw(rng, 1, cw)[0])
        nm = "%s%s医院" % (C_SHORT[ci] if ci > 1 else "湛江", PRIV_NAMES[pn[k % len(PRIV_NAMES)]])
        if k >= len(PRIV_NAMES):
            nm = nm.replace("医院", "中西医结合医院")
        add(
            nm,
            C_CODE[ci],
            "PRIV",
            [None, "07", "08", "11"][cat_draw(rng, 1, [0.25, 0.3, 0.3, 0.15])[0]],
            "2",
            ci,
            8,
            True,
        )
    n_cli = max(4, int(round(40 * f)))
    for k in range(n_cli):
        ci = int(cat_draw(rng, 1, cw)[0])
        if rng.random() < 0.45:
            ts = np.where((TOWN_C == ci) & ~TOWN_ST)[0]
            ti = int(rng.choice(ts)) if len(ts) else int(np.where(TOWN_C == ci)[0][0])
            nm = "%s%s%s卫生站" % (
                C_NAME[ci],
                TOWNS[ti][1],
                VIL_A[rng.integers(0, len(VIL_A))] + VIL_B[rng.integers(0, len(VIL_B))] + "村",
            )
            add(nm, C_CODE[ci], "CLINIC", None, "1", ci, 1, False)
        else:
            nm = "%s%s%s" % (
                C_SHORT[ci],
                SURN[rng.integers(0, 20)] + GN[("M", 0)][rng.integers(0, 20)],
                ["诊所", "中医诊所", "门诊部", "综合门诊部"][rng.integers(0, 4)],
            )
            add(nm, C_CODE[ci], "CLINIC", None, "2", ci, 2, False)
    n_ph = max(12, int(round(160 * f)))
    pw = cw * np.array([2.2, 2.0, 1, 1, 1, 1, 1, 1, 1])
    for k in range(n_ph):
        ci = int(cat_draw(rng, 1, pw)[0])
        ts = np.where(TOWN_C == ci)[0]
        ti = int(rng.choice(ts))
        ch = CHAINS[cat_draw(rng, 1, [6, 3, 3, 2, 2, 2, 1.5, 1, 1, 1, 1, 1])[0]]
        kind = "norm"
        if k in (0, 1):
            ci = [C_CODE.index("440803"), C_CODE.index("440802")][k]
            ti = int(rng.choice(np.where(TOWN_C == ci)[0]))
            kind = "24h"
        elif k in (2, 3):
            ci = [C_CODE.index("440803"), C_CODE.index("440811")][k - 2]
            ti = int(rng.choice(np.where(TOWN_C == ci)[0]))
            kind = "dtp"
        nm = "%s湛江%s%s%s" % (
            ch,
            C_SHORT[ci],
            TOWNS[ti][1].replace("街道", "").replace("镇", ""),
            {"norm": "%d分店" % rng.integers(1, 40), "24h": "24小时店", "dtp": "DTP专业药房"}[kind],
        )
        add(
            nm,
            C_CODE[ci],
            "PHARM",
            None,
            "2" if rng.random() < 0.9 else None,
            ci,
            0,
            False,
            typ="2",
            kind=kind,
            town=ti,
            chain=ch,
        )
    I = Obj()
    df = pd.DataFrame(rows)
    I.n = len(df)
    I.name = df.name.to_numpy(object)
    I.adm = df.adm.to_numpy(object)
    I.cat = df.cat.to_numpy(np.int64)
    I.lv = df.lv.to_numpy(object)
    I.own = df.own.to_numpy(object)
    I.county = df.county.to_numpy(np.int64)
    I.ndoc = df.ndoc.to_numpy(np.int64)
    I.ip = df.ip.to_numpy(bool)
    I.typ = df.typ.to_numpy(object)
    I.town = df.get("town", pd.Series([np.nan] * I.n)).fillna(-1).to_numpy(np.int64)
    kind = df.get("kind", pd.Series([None] * I.n)).to_numpy(object)
    I.ph24 = kind == "24h"
    I.dtp = kind == "dtp"
    I.is_ph = I.cat == CT["PHARM"]
    lvl = np.full(I.n, 3)
    lvl[np.isin(I.cat, [CT["REF"], CT["REF_ONC"]])] = 0
    lvl[np.isin(I.cat, [CT["T3GEN"], CT["T3TCM"], CT["MATERN"], CT["CHILD"], CT["PSYCH"]])] = 1
    lvl[np.isin(I.cat, [CT["CGEN"], CT["CTCM"], CT["CMCH"], CT["DGEN"], CT["REHAB"]])] = 2
    lvl[(I.cat == CT["PRIV"]) & (I.lv == "07")] = 2
    lvl[I.is_ph] = 4
    I.lvl = lvl
    I.svc_f = np.array([1.15, 1.0, 0.85, 0.72, 1.0])[lvl] * np.where(I.own == "2", 1.05, 1.0)
    I.markup = np.where(I.is_ph | (I.own == "2"), rng.uniform(1.0, 1.12, I.n), 1.0)
    # private hospitals, some chains and clinics write 1/2/3 instead of 甲/乙/丙; some write 每日1次
    I.lvnum = (I.own == "2") & (rng.random(I.n) < 0.35)
    I.frq_cn = rng.random(I.n) < 0.35
    I.tongchou = I.is_ph & (rng.random(I.n) < 0.45)
    # codes
    codes = []
    used = set()
    for i in range(I.n):
        while True:
            c = ("P" if I.is_ph[i] else "H") + I.adm[i] + "%05d" % rng.integers(1, 99999)
            if c not in used:
                used.add(c)
                codes.append(c)
                break
    I.code = np.array(codes, object)
    I.doc_off = np.concatenate([[0], np.cumsum(I.ndoc)])[:-1]
    nd = int(I.ndoc.sum())
    dcodes = []
    for i in range(I.n):
        for k in range(I.ndoc[i]):
            while True:
                c = "D" + I.adm[i] + "%05d" % rng.integers(1, 99999)
                if c not in used:
                    used.add(c)
                    dcodes.append(c)
                    break
    I.doc_code = np.array(dcodes, object)
    I.ndocs = nd
    I.fraud = np.full(I.n, -1)
    return I


def pick_doc(rng, I, inst, lead=None):
    nd = I.ndoc[inst]
    k = np.where(nd > 0, rng.integers(0, 10**9, len(inst)) % np.maximum(nd, 1), -1)
    return np.where(nd > 0, I.doc_off[inst] + k, -1)


# venue categories of a person's candidate matrix
V = [
    "PRIM",
    "CLIN",
    "CNTY",
    "TCM",
    "MCH",
    "CITY",
    "PRIV",
    "CHILD",
    "REF",
    "PSY",
    "REHAB",
    "MAT",
    "REFONC",
    "DIAL",
]
VI = {v: i for i, v in enumerate(V)}


def vprob(d):
    p = np.zeros(len(V))
    for k, v in d.items():
        p[VI[k]] = v
    return p


VC_OP = {
    "gen": (
        vprob(dict(PRIM=0.42, CLIN=0.18, CNTY=0.22, TCM=0.06, CITY=0.07, PRIV=0.05)),
        vprob(dict(PRIM=0.22, CLIN=0.12, CNTY=0.20, TCM=0.08, CITY=0.33, PRIV=0.05)),
    ),
    "peds": (
        vprob(dict(PRIM=0.3, CLIN=0.1, CNTY=0.2, MCH=0.2, CHILD=0.15, CITY=0.05)),
        vprob(dict(PRIM=0.1, CLIN=0.05, CNTY=0.1, MCH=0.2, CHILD=0.4, CITY=0.15)),
    ),
    "gyn": (
        vprob(dict(PRIM=0.2, CNTY=0.25, MCH=0.35, MAT=0.1, CITY=0.1)),
        vprob(dict(PRIM=0.1, CNTY=0.15, MCH=0.25, MAT=0.3, CITY=0.2)),
    ),
    "skin": (vprob(dict(PRIM=0.2, CLIN=0.15, CNTY=0.35, CITY=0.25, PRIV=0.05)),) * 2,
    "eye": (vprob(dict(PRIM=0.1, CNTY=0.4, CITY=0.5)),) * 2,
    "dent": (vprob(dict(PRIM=0.2, CLIN=0.3, CNTY=0.3, CITY=0.2)),) * 2,
    "psych": (vprob(dict(PSY=0.6, CITY=0.3, CNTY=0.1)),) * 2,
}
VC_IP = {
    "mild": vprob(dict(PRIM=0.35, CNTY=0.30, TCM=0.08, PRIV=0.20, CITY=0.07)),
    "mod": vprob(dict(PRIM=0.12, CNTY=0.45, TCM=0.05, PRIV=0.08, CITY=0.28, REF=0.02)),
    "severe": vprob(dict(CNTY=0.38, CITY=0.52, PRIV=0.02, REF=0.08)),
    "surg": vprob(dict(PRIM=0.05, CNTY=0.45, CITY=0.40, PRIV=0.05, REF=0.05)),
    "peds": vprob(dict(PRIM=0.15, CNTY=0.3, MCH=0.2, CHILD=0.3, CITY=0.05)),
    "obst": vprob(dict(PRIM=0.04, CNTY=0.3, MCH=0.35, MAT=0.22, CITY=0.05, PRIV=0.04)),
    "psych": vprob(dict(PSY=1.0)),
    "rehab": vprob(dict(REHAB=0.45, TCM=0.2, CNTY=0.15, CITY=0.2)),
    "onc": vprob(dict(CITY=0.55, REFONC=0.3, REF=0.05, CNTY=0.1)),
    "eye": vprob(dict(CITY=0.6, CNTY=0.4)),
    "thal": vprob(dict(CHILD=0.6, CITY=0.3, MCH=0.1)),
    "neo": vprob(dict(MAT=0.4, MCH=0.4, CHILD=0.2)),
}


def assign_candidates(P, I, rng):
    N = P.N
    cand = np.full((N, len(V)), -1, np.int64)
    cats = I.cat

    def first(cat, ci):
        w = np.where((cats == CT[cat]) & (I.county == ci))[0]
        return w

    t3 = np.where(cats == CT["T3GEN"])[0]
    t3w = np.array([3, 2.5, 1.8, 1.2])[: len(t3)]
    for ci in range(NC):
        m = np.where(P.county == ci)[0]
        if len(m) == 0:
            continue
        n = len(m)
        city = rng.choice(t3, size=n, p=t3w / t3w.sum())
        cand[m, VI["CITY"]] = city
        cg = np.concatenate([first("CGEN", ci), first("DGEN", ci)])
        cand[m, VI["CNTY"]] = cg[0] if len(cg) else city
        tc = first("CTCM", ci)
        cand[m, VI["TCM"]] = tc[0] if len(tc) else np.where(cats == CT["T3TCM"])[0][0]
        mc = first("CMCH", ci)
        cand[m, VI["MCH"]] = mc[0] if len(mc) else np.where(cats == CT["MATERN"])[0][0]
        prims = np.concatenate([first("TOWN", ci), first("COMM", ci)])
        if len(prims):
            # own town's centre if there is one, else a random one in the county
            pick = rng.choice(prims, size=n)
            tmap = np.full(len(TOWNS), -1)
            tmap[I.town[prims]] = prims
            own = tmap[P.town[m]]
            pick = np.where(own >= 0, own, pick)
            cand[m, VI["PRIM"]] = pick
        else:
            cand[m, VI["PRIM"]] = cand[m, VI["CNTY"]]
        cl = first("CLINIC", ci)
        cand[m, VI["CLIN"]] = rng.choice(cl, size=n) if len(cl) else cand[m, VI["PRIM"]]
        pv = first("PRIV", ci)
        allpv = np.where(cats == CT["PRIV"])[0]
        cand[m, VI["PRIV"]] = rng.choice(pv if len(pv) else allpv, size=n)
        dl = first("DIAL", ci)
        dial_all = np.concatenate([np.where(cats == CT["DIAL"])[0], t3[:2], cg[:1]])
        cand[m, VI["DIAL"]] = dl[0] if len(dl) else rng.choice(dial_all, size=n)
    for v, c in [
        ("CHILD", "CHILD"),
        ("REF", "REF"),
        ("PSY", "PSYCH"),
        ("REHAB", "REHAB"),
        ("MAT", "MATERN"),
        ("REFONC", "REF_ONC"),
    ]:
        cand[:, VI[v]] = np.where(cats == CT[c])[0][0]
    P.cand = cand
    # pharmacies: two preferred ones in the county; 3% of old people have theirs in another county
    ph = np.where(I.is_ph)[0]
    pref = np.zeros((N, 2), np.int64)
    for ci in range(NC):
        m = np.where(P.county == ci)[0]
        loc = ph[I.county[ph] == ci]
        if len(loc) == 0:
            loc = ph
        w = (
            np.where(I.dtp[loc], 0.15, 1.0)
            * np.where(I.ph24[loc], 1.6, 1.0)
            * rng.uniform(0.4, 1.6, len(loc))
        )
        pref[m, 0] = rng.choice(loc, size=len(m), p=w / w.sum())
        # most people use a pharmacy in their own town when there is one
        lt = I.town[loc]
        o = np.argsort(lt, kind="stable")
        lts, locs = lt[o], loc[o]
        lo = np.searchsorted(lts, P.town[m])
        hi = np.searchsorted(lts, P.town[m], "right")
        has = (hi > lo) & (rng.random(len(m)) < 0.7)
        k = lo + (rng.random(len(m)) * np.maximum(hi - lo, 1)).astype(np.int64)
        pref[m[has], 0] = locs[np.minimum(k[has], len(locs) - 1)]
        pref[m, 1] = rng.choice(loc, size=len(m), p=w / w.sum())
    away = (P.age >= 70) & (rng.random(N) < 0.03)
    nonDTP = ph[~I.dtp[ph]]
    pref[away, 0] = rng.choice(nonDTP, size=away.sum())
    P.pref_ph = pref
    P.away_ph = away


# =============================================================================================
# accumulator of visits and fee lines (integer-coded until the write step)
# =============================================================================================
MT = ["11", "13", "14", "21", "41", "51", "52"]
M11, M13, M14, M21, M41, M51, M52 = range(7)
IPMT = np.array([False, False, False, True, False, False, True])
DEPTS = [
    "A02",
    "A03",
    "A03.01",
    "A03.02",
    "A03.03",
    "A03.04",
    "A03.06",
    "A03.07",
    "A04",
    "A04.01",
    "A04.03",
    "A05.01",
    "A05.02",
    "A07",
    "A07.01",
    "A10",
    "A11",
    "A12",
    "A13",
    "A15",
    "A16",
    "A19",
    "A20",
    "A21",
    "A50",
]
DEPT_I = {d: i for i, d in enumerate(DEPTS)}
DIS_DEPT = np.array([DEPT_I[d["dept"]] for d in DISEASES])
VFIELDS = dict(
    psn=(np.int64, -1),
    inst=(np.int64, -1),
    mt=(np.int64, 0),
    bt=(np.int64, 0),
    et=(np.int64, 0),
    st=(np.int64, 0),
    dis=(np.int64, -1),
    dept=(np.int64, -1),
    doc=(np.int64, -1),
    tag=(np.int64, 0),
    grp=(np.int64, -1),
)
LFIELDS = dict(
    v=(np.int64, 0),
    item=(np.int64, 0),
    cnt=(np.float64, 1.0),
    pric=(np.float64, 0.0),
    t=(np.int64, 0),
    prd=(np.int64, -1),
    doc=(np.int64, -1),
    trdn=(np.int64, -1),
    tg=(np.int64, -1),
    toff=(np.int64, 0),
    tn=(np.int64, 0),
    seg=(np.int64, 0),
    serial=(np.int64, -1),
)


def _fill(d, fields, n):
    out = {}
    for k, (dt, dv) in fields.items():
        x = d.get(k)
        if x is None:
            out[k] = np.full(n, dv, dt)
        else:
            out[k] = np.broadcast_to(np.asarray(x).astype(dt), (n,)).copy()
    return out


def mkV(**kw):
    n = len(kw["psn"])
    return _fill(kw, VFIELDS, n)


def mkL(**kw):
    n = len(kw["v"])
    return _fill(kw, LFIELDS, n)


def catd(ds):
    ds = [d for d in ds if d is not None and len(next(iter(d.values()))) > 0]
    if not ds:
        return None
    return {k: np.concatenate([d[k] for d in ds]) for k in ds[0]}


class Acc:
    def __init__(self, W):
        self.W = W
        self.V, self.L = [], []
        self.nv = 0
        self.ntg = 0

    def tg(self, n):
        r = np.arange(self.ntg, self.ntg + n)
        self.ntg += n
        return r

    def add(self, V, L, alive=True):
        P = self.W.P
        n = len(V["psn"])
        if n == 0:
            return
        keep = np.ones(n, bool)
        if alive:
            keep = (
                (V["bt"] >= P.born_sec[V["psn"]])
                & (V["bt"] <= P.dsec[V["psn"]])
                & (V["st"] <= P.dsec[V["psn"]] + 4 * DAY)
            )
        if not keep.all():
            newi = np.cumsum(keep) - 1
            V = {k: v[keep] for k, v in V.items()}
            if L is not None:
                lk = keep[L["v"]]
                L = {k: v[lk] for k, v in L.items()}
                L["v"] = newi[L["v"]]
        L = dict(L)
        L["v"] = L["v"] + self.nv
        self.V.append(V)
        self.L.append(L)
        self.nv += len(V["psn"])

    def finalize(self):
        V = catd(self.V)
        L = catd(self.L)
        self.V, self.L = [], []
        return V, L


def hrand(a, b, salt=0):
    x = (
        np.asarray(a).astype(np.uint64) * np.uint64(2654435761)
        + np.asarray(b).astype(np.uint64) * np.uint64(40503)
        + np.uint64(salt * 7919 + 17)
    )
    x = x ^ (x >> np.uint64(13))
    x = x * np.uint64(0x5BD1E995)
    x = x ^ (x >> np.uint64(15))
    return (x % np.uint64(2**32)).astype(np.float64) / 2**32


# =============================================================================================
# pricing and line makers
# =============================================================================================
def price_of(W, item, inst, unit=False):
    c, I = W.cat, W.I
    base = np.where(unit, c.unit_price[item], c.price[item])
    f = np.where(
        c.is_svc[item],
        I.svc_f[inst],
        np.where(c.is_drug[item] | (c.ctype[item] == "10"), I.markup[inst], 1.0),
    )
    return np.where(unit, np.round(base * f, 4), np.round(base * f, 2))


def item_lines(W, v, item, inst, t, cnt=None, doc=None, boxes=None):
    """outpatient / pharmacy style lines: drugs sold in whole boxes, services and materials by count"""
    c = W.cat
    n = len(v)
    item = np.asarray(item, np.int64)
    isd = c.is_drug[item]
    if boxes is None:
        boxes = np.ones(n, np.int64)
    if cnt is None:
        cnt = np.ones(n)
    cnt = np.where(isd, boxes, cnt).astype(float)
    prd = np.where(isd & (c.days[item] > 0), (boxes * c.days[item]), -1)
    tr = c.trace[item]
    tg = np.where(tr, W.acc.tg(n), -1)
    return mkL(
        v=v,
        item=item,
        cnt=cnt,
        pric=price_of(W, item, inst),
        t=t,
        prd=prd,
        doc=doc,
        trdn=np.where(isd, 0, -1),
        tg=tg,
        tn=np.where(tr, boxes, 0),
    )


def select_lists(W, dis, which, age=None, sex=None, ensure=True):
    """Bernoulli selection from each visit's disease list; returns (row, item_key_index) with pseudo items"""
    rng = W.rng
    tab = W.tabs[which]
    items, probs = tab
    it = items[dis]
    pr = probs[dis]
    sel = (rng.random(it.shape) < pr) & (it >= 0)
    if ensure:
        none = ~sel.any(1) & (it[:, 0] >= 0)
        sel[none, 0] = True
    r, k = np.nonzero(sel)
    return r, it[r, k]


def build_tabs(W):
    c = W.cat
    keys = list(c.idx.keys()) + ["IVB"]
    kidx = {k: i for i, k in enumerate(keys)}
    W.IVB = kidx["IVB"]
    tabs = {}
    for which in ("op", "ph"):
        K = max(len(d[which]) for d in DISEASES)
        it = np.full((NDIS, K), -1, np.int64)
        pr = np.zeros((NDIS, K))
        for i, d in enumerate(DISEASES):
            for j, (k, p) in enumerate(d[which]):
                it[i, j] = kidx[k]
                pr[i, j] = p
        tabs[which] = (it, pr)
    W.tabs = tabs
    kid = np.arange(c.n + 1)
    for a, b in KIDMAP.items():
        kid[c[a]] = c[b]
    W.kidmap = kid
    W.dis_sex = np.array([d["sex"] for d in DISEASES])
    W.dis_amin = np.array([d["amin"] for d in DISEASES])
    W.dis_amax = np.array([d["amax"] for d in DISEASES])
    W.dis_code = np.array([d["code"] for d in DISEASES], object)
    W.dis_name = np.array([d["name"] for d in DISEASES], object)
    W.dis_season = [d["season"] for d in DISEASES]
    W.dis_vc = [d["vc"] for d in DISEASES]


def fix_items_for_person(W, item, age, sex):
    """children get paediatric forms; sex-restricted drugs are dropped (-1)"""
    c = W.cat
    ok = item < c.n
    item = np.where(ok & (age < 12), W.kidmap[np.minimum(item, c.n)], item)
    bad = ok & (c.sex[np.minimum(item, c.n - 1)] > 0) & (c.sex[np.minimum(item, c.n - 1)] != sex)
    return np.where(bad, -1, item)


def restrict_dis(W, dis, age, sex, fallback):
    bad = ((W.dis_sex[dis] > 0) & (W.dis_sex[dis] != sex)) | (age < W.dis_amin[dis]) | (age > W.dis_amax[dis])
    return np.where(bad, fallback, dis)


def draw_mix(W, mix, psn, month, season=True):
    """disease from an age-band x month mix"""
    rng, P = W.rng, W.P
    keys = list(mix.keys())
    didx = np.array([DIS_IDX[k] for k in keys])
    band = age_band(P.age[psn])
    out = np.empty(len(psn), np.int64)
    for b in range(5):
        for m in range(12):
            sel = np.where((band == b) & (month == m))[0]
            if len(sel) == 0:
                continue
            w = np.array(
                [mix[k][b] * (SEASON_M[DISEASES[DIS_IDX[k]]["season"]][m] if season else 1) for k in keys]
            )
            out[sel] = didx[cat_draw(rng, len(sel), w)]
    return out


def venue(W, psn, vcs, table, inpatient=False):
    rng, P, I = W.rng, W.P, W.I
    out = np.empty(len(psn), np.int64)
    vcs = np.asarray(vcs, object)
    for vc in np.unique(vcs):
        sel = np.where(vcs == vc)[0]
        pr = table[vc]
        if isinstance(pr, tuple):
            cats = np.where(
                P.rural[psn[sel]], cat_draw(rng, len(sel), pr[0]), cat_draw(rng, len(sel), pr[-1])
            )
        else:
            pu = pr.copy()
            pu[VI["PRIM"]] *= 0.5
            pu[VI["CITY"]] *= 1.6
            cats = np.where(P.rural[psn[sel]], cat_draw(rng, len(sel), pr), cat_draw(rng, len(sel), pu))
        out[sel] = P.cand[psn[sel], cats]
    if inpatient:
        bad = ~I.ip[out]
        out[bad] = P.cand[psn[bad], VI["CNTY"]]
    return out


def dx_fee_item(W, inst, er=False):
    c, I, rng = W.cat, W.I, W.rng
    cat = I.cat[inst]
    prim = np.isin(cat, [CT["TOWN"], CT["COMM"], CT["CLINIC"]])
    it = np.where(prim, c["gen_dx"], c["op_dx"])
    it = np.where((I.lvl[inst] <= 1) & (rng.random(len(inst)) < 0.2), c["op_dx_exp"], it)
    if er:
        it = np.where(prim, it, c["er_dx"])
    return it


def op_basket(W, v, dis, psn, inst, t, doc, with_dx=True, er=False, extra=None):
    """lines of an outpatient visit: consultation fee, then the disease's items (IVB = infusion bundle)"""
    c, rng, P = W.cat, W.rng, W.P
    Ls = []
    if with_dx:
        it = dx_fee_item(W, inst, er)
        Ls.append(item_lines(W, v, it, inst, t, doc=doc))
        reg = (W.I.own[inst] == "2") & (W.I.cat[inst] != CT["PHARM"]) & (rng.random(len(v)) < 0.4)
        if reg.any():
            Ls.append(item_lines(W, v[reg], np.full(reg.sum(), c["reg"]), inst[reg], t[reg], doc=doc[reg]))
    r, k = select_lists(W, dis, "op")
    if extra is not None:
        r = np.concatenate([r, extra[0]])
        k = np.concatenate([k, extra[1]])
    ivb = k == W.IVB
    rr, kk = r[~ivb], k[~ivb]
    kk = fix_items_for_person(W, kk, P.age[psn[rr]], P.sex[psn[rr]])
    ok = kk >= 0
    rr, kk = rr[ok], kk[ok]
    boxes = 1 + (rng.random(len(rr)) < 0.3) + (rng.random(len(rr)) < 0.08)
    Ls.append(
        item_lines(W, v[rr], kk, inst[rr], t[rr] + rng.integers(60, 900, len(rr)), doc=doc[rr], boxes=boxes)
    )
    # hospital clinics order more tests
    for pr_ in ((0.6, 0.35), (0.3, 0.15)):
        hx = np.where(
            (W.I.lvl[inst] <= 2) & (rng.random(len(v)) < np.where(W.I.lvl[inst] <= 1, pr_[0], pr_[1]))
        )[0]
        if len(hx):
            tk = c.ids(
                ["cbc", "crp", "us_abd", "dr_chest", "ecg", "lft", "urine", "rft", "ct_chest", "us_heart"]
            )[rng.integers(0, 10, len(hx))]
            Ls.append(item_lines(W, v[hx], tk, inst[hx], t[hx] + 300, doc=doc[hx]))
    ri = r[ivb]
    if len(ri):
        n = len(ri)
        tt = t[ri] + rng.integers(900, 2400, n)
        Ls.append(item_lines(W, v[ri], np.full(n, c["iv_drip"]), inst[ri], tt, doc=doc[ri]))
        Ls.append(item_lines(W, v[ri], np.full(n, c["infusion_set"]), inst[ri], tt, doc=doc[ri]))
        for dk, u in (("ns", 1), ("ceftriaxone", 2)):
            it = np.full(n, c[dk])
            Ls.append(
                mkL(
                    v=v[ri],
                    item=it,
                    cnt=np.full(n, float(u)),
                    pric=price_of(W, it, inst[ri], unit=True),
                    t=tt,
                    prd=1,
                    doc=doc[ri],
                    trdn=1,
                    tg=W.acc.tg(n),
                    tn=1,
                )
            )
    return catd(Ls)


# =============================================================================================
# legitimate use
# =============================================================================================
def gen_pharmacy(W):
    rng, P, I, c, cal = W.rng, W.P, W.I, W.cat, W.cal
    agef = np.interp(
        P.age, [0, 5, 6, 17, 18, 44, 45, 64, 65, 100], [1, 1, 0.5, 0.5, 0.8, 0.8, 1.1, 1.1, 1.3, 1.3]
    )
    lam = np.where(P.emp, 5.0, 1.4) * agef * P.frail**0.6 * np.where(P.rural, 1.0, 1.25)
    psn = rep(rng.poisson(lam))
    n = len(psn)
    emp = P.emp[psn]
    day = np.empty(n, np.int64)
    day[emp] = cal.days(rng, emp.sum(), "pharm", "mild", "yearend")
    day[~emp] = cal.days(rng, (~emp).sum(), "pharm", "mild")
    mix = {k: v for k, v in OP_MIX.items() if DISEASES[DIS_IDX[k]]["ph"]}
    dis = draw_mix(W, mix, psn, cal.month[day])
    dis = restrict_dis(W, dis, P.age[psn], P.sex[psn], DIS_IDX["uri"])
    u = rng.random(n)
    ph = np.where(u < 0.72, P.pref_ph[psn, 0], P.pref_ph[psn, 1])
    allph = np.where(I.is_ph & ~I.dtp)[0]
    far = u > 0.94
    ph[far] = rng.choice(allph, far.sum())
    t = np.where(I.ph24[ph], tod(rng, n, "pharm24"), tod(rng, n, "pharm"))
    late = (~I.ph24[ph]) & ((t >= 22 * 3600) | (t < 8 * 3600))
    t[late] = 21 * 3600 + rng.integers(0, 3000, late.sum())
    bt = day * DAY + t
    v = np.arange(n)
    V = mkV(
        psn=psn,
        inst=ph,
        mt=M41,
        bt=bt,
        et=bt,
        st=bt + rng.integers(20, 240, n),
        dis=np.where(rng.random(n) < 0.35, dis, -1),
    )
    r, k = select_lists(W, dis, "ph")
    k = fix_items_for_person(W, k, P.age[psn[r]], P.sex[psn[r]])
    ok = k >= 0
    r, k = r[ok], k[ok]
    none = np.setdiff1d(v, r)
    r = np.concatenate([r, none])
    k = np.concatenate([k, np.full(len(none), c["paracetamol"] if True else 0)])
    k = np.where(P.age[psn[r]] < 12, W.kidmap[k], k)
    boxes = 1 + (rng.random(len(r)) < 0.25) + (rng.random(len(r)) < 0.07)
    Ls = [item_lines(W, r, k, ph[r], bt[r], boxes=boxes)]
    ex = np.where(rng.random(n) < 0.08)[0]
    Ls.append(item_lines(W, ex, np.full(len(ex), c["vitc_eff"]), ph[ex], bt[ex]))
    L = catd(Ls)
    L["doc"][:] = -1
    W.acc.add(V, L)


def build_regimens(W):
    """drug regimens for chronic conditions; registrations (门慢特) with designated institution"""
    rng, P, I = W.rng, W.P, W.I
    c = W.cat
    rp, rc, rd = [], [], []
    for ci, cnd in enumerate(CONDS):
        if cnd[0] == "cancer" or not cnd[3]:
            continue
        who = np.where(P.cond[:, ci])[0]
        if len(who) == 0:
            continue
        drugs = np.array([c[k] for k, _ in cnd[3]])
        pr = np.array([p for _, p in cnd[3]])
        sel = rng.random((len(who), len(drugs))) < pr
        sel[~sel.any(1), 0] = True
        r, k = np.nonzero(sel)
        rp.append(who[r])
        rc.append(np.full(len(r), ci))
        rd.append(drugs[k])
    W.reg_psn = np.concatenate(rp)
    W.reg_cond = np.concatenate(rc)
    W.reg_drug = np.concatenate(rd)
    # registrations
    rows = []
    regd = np.zeros(P.cond.shape, bool)
    for ci, cnd in enumerate(CONDS):
        who = np.where(P.cond[:, ci])[0]
        if len(who) == 0 or cnd[4] == 0:
            continue
        who = who[rng.random(len(who)) < cnd[4]]
        regd[who, ci] = True
    W.registered = regd
    # per registered person: designated institution, start/end of the registration
    anyreg = np.where(regd.any(1))[0]
    first = np.argmax(regd[anyreg], axis=1)
    vc = np.array([CONDS[k][6] for k in first], object)
    des = np.empty(len(anyreg), np.int64)
    cand = P.cand[anyreg]
    u = rng.random(len(anyreg))
    m = {
        "prim": np.where(u < 0.6, cand[:, VI["PRIM"]], cand[:, VI["CNTY"]]),
        "county": np.where(u < 0.7, cand[:, VI["CNTY"]], cand[:, VI["CITY"]]),
        "city": cand[:, VI["CITY"]],
        "dial": cand[:, VI["DIAL"]],
        "psych": cand[:, VI["PSY"]],
        "child": np.where(u < 0.7, cand[:, VI["CHILD"]], cand[:, VI["CITY"]]),
        "onc": np.where(u < 0.6, cand[:, VI["CITY"]], cand[:, VI["REFONC"]]),
    }
    for k, arr in m.items():
        des[vc == k] = arr[vc == k]
    des = np.where(I.cat[des] == CT["DIAL"], np.where(np.isin(vc, ["dial"]), des, cand[:, VI["CNTY"]]), des)
    W.des = np.full(P.N, -1)
    W.des[anyreg] = des
    # registration windows (days from 2025-01-01)
    beg = np.full(P.cond.shape, 10**6)
    end = np.full(P.cond.shape, 10**6)
    recs = []
    pi, ci = np.nonzero(regd)
    n = len(pi)
    b = np.where(rng.random(n) < 0.86, rng.integers(-3300, -1, n), rng.integers(0, 330, n))
    b = np.maximum(b, P.bday[pi] + 30)
    e = np.full(n, 10**6)
    cancer = ci == COND_IDX["cancer"]
    e[cancer] = b[cancer] + 730
    hb = (ci == COND_IDX["hbv"]) & (rng.random(n) < 0.3)
    e[hb] = b[hb] + 730
    stop = (rng.random(n) < 0.03) & ~cancer
    e[stop] = rng.integers(20, 330, stop.sum())
    e = np.where(e <= b, b + 60, e)
    beg[pi, ci] = b
    end[pi, ci] = e
    renew = (e < ND) & ~stop & ((P.dday[pi] < 0) | (P.dday[pi] > e)) & (rng.random(n) < 0.9)
    # registration codes: cancer registrations carry the site code
    code = np.array([CONDS[k][1] for k in ci], object)
    name = np.array([CONDS[k][2] for k in ci], object)
    cs = cancer & (P.site[pi] >= 0)
    sk = [CANCER_SITES[s][1] for s in P.site[pi[cs]]]
    code[cs] = [DISEASES[DIS_IDX[k]]["code"] for k in sk]
    name[cs] = [DISEASES[DIS_IDX[k]]["name"] for k in sk]
    W.reg_rows = dict(
        psn=np.concatenate([pi, pi[renew]]),
        code=np.concatenate([code, code[renew]]),
        name=np.concatenate([name, name[renew]]),
        beg=np.concatenate([b, e[renew] + 1]),
        end=np.concatenate([np.where(e >= 10**6, -(10**7), e), np.full(renew.sum(), -(10**7))]),
    )
    end[pi[renew], ci[renew]] = 10**6
    W.reg_beg, W.reg_end = beg, end


def sched(W, who, interval, comp_sd=0.12, start=None, lo=0, hi=ND, maxn=None, jitter=0.1):
    """periodic event days for persons `who` with per-person interval; returns (person index into who, day)"""
    rng = W.rng
    n = len(who)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    interval = np.asarray(interval, float) * np.exp(rng.normal(0.05, comp_sd, n))
    interval = np.maximum(interval, 3)
    lo = np.broadcast_to(np.asarray(lo), (n,))
    hi = np.broadcast_to(np.asarray(hi), (n,))
    M = int(np.ceil(ND / interval.min())) + 2 if maxn is None else maxn
    M = min(M, 130)
    st = lo + (rng.random(n) * interval if start is None else start)
    steps = interval[:, None] * np.exp(rng.normal(0, jitter, (n, M)))
    steps[:, 0] = 0
    days = st[:, None] + np.cumsum(steps, axis=1)
    ok = (days >= np.maximum(lo, 0)[:, None]) & (days < np.minimum(hi, ND)[:, None])
    r, k = np.nonzero(ok)
    return r, np.floor(days[r, k]).astype(np.int64)


def gen_chronic(W):
    """non-registered chronic patients: monthly refills at pharmacies or outpatient clinics;
    registered ones (门慢特, med_type 14) at their designated institution"""
    rng, P, I, c, cal = W.rng, W.P, W.I, W.cat, W.cal
    rp, rc, rd = W.reg_psn, W.reg_cond, W.reg_drug
    isreg = W.registered[rp, rc]
    special = np.isin(rc, [COND_IDX["cancer"]])
    # ---------------- non-registered: one schedule per person
    nr = ~isreg & ~special
    who = np.unique(rp[nr])
    regular = rng.random(len(who)) < 0.75
    hh = P.hh[who]
    together = hrand(hh, 1, 3) < 0.5  # couples who fetch their drugs together share a schedule
    interval = np.where(together, 28 + 6 * hrand(hh, 2, 3), 28 + 6 * rng.random(len(who)))
    start = np.where(together, hrand(hh, 3, 3) * interval, rng.random(len(who)) * interval)
    r, day = sched(
        W, who[regular], interval[regular], start=start[regular], lo=np.maximum(P.bday[who[regular]], 0)
    )
    # shared schedule: deterministic jitter from household
    wr = who[regular][r]
    pos = seq_in_group(np.bincount(r, minlength=regular.sum()))
    tog = together[regular][r]
    day = np.where(
        tog,
        np.floor(
            start[regular][r] + pos * interval[regular][r] * (1 + 0.06 * (hrand(P.hh[wr], pos, 5) - 0.5))
        ).astype(np.int64),
        day,
    )
    ok = (day >= 0) & (day < ND)
    wr, day, tog, pos = wr[ok], day[ok], tog[ok], pos[ok]
    spor = who[~regular]
    k = rng.integers(1, 6, len(spor))
    sp = np.repeat(spor, k)
    sday = cal.days(rng, len(sp), "pharm", "flat")
    psn = np.concatenate([wr, sp])
    day = np.concatenate([day, sday])
    tog = np.concatenate([tog, np.zeros(len(sp), bool)])
    n = len(psn)
    # venue: pharmacy (household head's preferred one when together) or outpatient
    at_ph = np.where(tog, hrand(P.hh[psn], 9, 4) < 0.75, hrand(psn, 9, 4) < 0.6)
    head_ph = P.pref_ph[psn, 0]
    # the household's pharmacy: use the preferred pharmacy of the lowest person index in the household
    order = np.argsort(P.hh, kind="stable")
    first_of_hh = np.full(P.hh.max() + 1, -1)
    first_of_hh[P.hh[order[::-1]]] = order[::-1]
    hph = P.pref_ph[first_of_hh[P.hh[psn]], 0]
    ph = np.where(tog, hph, head_ph)
    opv = np.where(hrand(psn, 11, 4) < 0.6, P.cand[psn, VI["PRIM"]], P.cand[psn, VI["CNTY"]])
    inst = np.where(at_ph, ph, opv)
    t = np.where(
        at_ph,
        np.where(
            tog, (9 + 9 * hrand(P.hh[psn], day, 6)) * 3600 + rng.integers(30, 300, n), tod(rng, n, "pharm")
        ),
        tod(rng, n, "prim"),
    )
    t = np.where(at_ph & ~I.ph24[inst], np.minimum(t, 21 * 3600 + 3000), t)
    off = ~at_ph & cal.off[day] & (rng.random(n) < 0.6)
    day = np.where(off, np.minimum(day + 1 + (cal.dow[day] == 5), ND - 1), day)
    bt = day * DAY + t
    stock = cal.presf[day] & (rng.random(n) < 0.5)  # stock-up before the Spring Festival
    # drop the refill following a stock-up
    o = np.lexsort((bt, psn))
    psn, day, bt, inst, at_ph, stock = psn[o], day[o], bt[o], inst[o], at_ph[o], stock[o]
    drop = np.zeros(n, bool)
    drop[1:] = stock[:-1] & (psn[1:] == psn[:-1])
    keep = ~drop
    psn, day, bt, inst, at_ph, stock = psn[keep], day[keep], bt[keep], inst[keep], at_ph[keep], stock[keep]
    n = len(psn)
    # lines: the person's non-registered regimen drugs
    ro = np.argsort(rp[nr], kind="stable")
    rpn, rdn, rcn = rp[nr][ro], rd[nr][ro], rc[nr][ro]
    cnt = np.bincount(rpn, minlength=P.N)
    offs = np.concatenate([[0], np.cumsum(cnt)])[:-1]
    nl = cnt[psn]
    vi = rep(nl)
    li = offs[psn[vi]] + seq_in_group(nl)
    drug = rdn[li]
    cond = rcn[li]
    take = rng.random(len(vi)) < 0.92
    vi, drug, cond = vi[take], drug[take], cond[take]
    supply = np.where(stock[vi], 56, 28 + rng.integers(0, 8, len(vi)))
    boxes = np.maximum(1, np.round(supply / np.maximum(c.days[drug], 1))).astype(np.int64)
    doc = pick_doc(rng, I, inst)
    dcond = np.full(n, -1)
    dcond[vi] = cond
    dis = np.array([DIS_IDX[COND_DIS[CONDS[k][0]]] if k >= 0 else -1 for k in range(-1, NCOND)])[dcond + 1]
    mt = np.where(at_ph, M41, M11)
    V = mkV(
        psn=psn,
        inst=inst,
        mt=mt,
        bt=bt,
        et=bt + np.where(at_ph, 0, rng.integers(300, 2400, n)),
        st=bt + np.where(at_ph, rng.integers(30, 200, n), rng.integers(300, 2400, n)),
        dis=np.where(at_ph & (rng.random(n) < 0.55), -1, dis),
        dept=np.where(dis >= 0, DIS_DEPT[np.maximum(dis, 0)], -1),
        doc=np.where(at_ph, -1, doc),
        tag=0,
    )
    Ls = [item_lines(W, vi, drug, inst[vi], bt[vi] + 120, doc=np.where(at_ph[vi], -1, doc[vi]), boxes=boxes)]
    o2 = np.where(~at_ph)[0]
    Ls.append(item_lines(W, o2, dx_fee_item(W, inst[o2]), inst[o2], bt[o2], doc=doc[o2]))
    W.acc.add(V, catd(Ls))
    # ---------------- registered (门慢特, med_type 14) at the designated institution
    regp = np.where(W.des >= 0)[0]
    regp = regp[~P.cond[regp, COND_IDX["ckd5"]] | (W.registered[regp].sum(1) > 1) | True]
    lo = np.full(len(regp), 10**6)
    hi = np.full(len(regp), -(10**6))
    rmask = W.registered[regp].copy()
    rmask[:, COND_IDX["cancer"]] = False
    b = np.where(rmask, W.reg_beg[regp], 10**6).min(1)
    e = np.where(rmask, W.reg_end[regp], -(10**6)).max(1)
    has = rmask.any(1)
    regp, b, e = regp[has], b[has], e[has]
    u = rng.random(len(regp))
    interval = np.where(u < 0.7, 30, np.where(u < 0.9, 60, 15))
    r, day = sched(W, regp, interval, lo=np.maximum(b, np.maximum(P.bday[regp], 0)), hi=e)
    psn = regp[r]
    inst = W.des[psn]
    n = len(psn)
    clinic = np.isin(I.cat[inst], [CT["TOWN"], CT["COMM"]]) & (rng.random(n) < 0.6)
    cdow = inst % 5  # the centre's 慢病随访日
    shift = (cdow - cal.dow[day]) % 7
    day = np.where(clinic & (shift <= 3), np.minimum(day + shift, ND - 1), day)
    off = ~clinic & cal.off[day] & (rng.random(n) < 0.7)
    day = np.where(off, np.minimum(day + 1 + (cal.dow[day] == 5), ND - 1), day)
    t = np.where(clinic, (8 + 3 * rng.random(n)) * 3600, tod(rng, n, "op")).astype(np.int64)
    bt = day * DAY + t
    stock = cal.presf[day] & (rng.random(n) < 0.5)
    itv = interval[r]
    doc = pick_doc(rng, I, inst)
    firstc = np.argmax(rmask[has][r], axis=1)
    dis = np.array([DIS_IDX[COND_DIS[CONDS[k][0]]] for k in range(NCOND)])[firstc]
    V = mkV(
        psn=psn,
        inst=inst,
        mt=M14,
        bt=bt,
        et=bt + rng.integers(300, 1800, n),
        st=bt + rng.integers(300, 2400, n),
        dis=dis,
        dept=DIS_DEPT[dis],
        doc=doc,
    )
    # drugs of all registered conditions of the person
    isr = W.registered[rp, rc] & (rc != COND_IDX["cancer"])
    ro = np.argsort(rp[isr], kind="stable")
    rpn, rdn, rcn = rp[isr][ro], rd[isr][ro], rc[isr][ro]
    cnt = np.bincount(rpn, minlength=P.N)
    offs = np.concatenate([[0], np.cumsum(cnt)])[:-1]
    nl = cnt[psn]
    vi = rep(nl)
    li = offs[psn[vi]] + seq_in_group(nl)
    drug, cond = rdn[li], rcn[li]
    inwin = (day[vi] >= W.reg_beg[psn[vi], cond]) & (day[vi] <= W.reg_end[psn[vi], cond])
    vi, drug, cond = vi[inwin], drug[inwin], cond[inwin]
    supply = itv[vi] * np.where(stock[vi], 2, 1)
    boxes = np.maximum(1, np.round(supply / np.maximum(c.days[drug], 1))).astype(np.int64)
    Ls = [
        item_lines(W, np.arange(n), dx_fee_item(W, inst), inst, bt, doc=doc),
        item_lines(W, vi, drug, inst[vi], bt[vi] + 300, doc=doc[vi], boxes=boxes),
    ]
    for ci, cnd in enumerate(CONDS):
        for tk, p in cnd[5]:
            if cnd[0] == "cancer":
                continue
            sel = np.where(rmask[has][r][:, ci] & (rng.random(n) < p))[0]
            if len(sel):
                Ls.append(
                    item_lines(W, sel, np.full(len(sel), c[tk]), inst[sel], bt[sel] + 600, doc=doc[sel])
                )
    W.acc.add(V, catd(Ls))


# =============================================================================================
# inpatient stays: collected first, then expanded into daily fee lines
# =============================================================================================
SFIELDS = dict(
    psn=(np.int64, -1),
    inst=(np.int64, -1),
    dis=(np.int64, 0),
    adm=(np.int64, 0),
    dsc=(np.int64, 0),
    mt=(np.int64, M21),
    tag=(np.int64, 0),
    grp=(np.int64, -1),
    sparse=(np.int64, 0),
    pkg=(np.int64, 0),
    tmpl=(np.float64, 0.0),
    died=(np.int64, 0),
    site=(np.int64, -1),
    free=(np.int64, 0),
    doc=(np.int64, -1),
    delay=(np.int64, -1),
    pad=(np.int64, 0),
)


def add_stays(W, **kw):
    n = len(kw["psn"])
    if n:
        W.stays.append(_fill(kw, SFIELDS, n))


def ip_tables(W):
    c = W.cat

    def pad(which, width):
        K = max(1, max(len(d["ip"][which]) if d["ip"] else 0 for d in DISEASES))
        it = np.full((NDIS, K), -1, np.int64)
        pr = np.zeros((NDIS, K))
        du = np.zeros((NDIS, K))
        for i, d in enumerate(DISEASES):
            if not d["ip"]:
                continue
            for j, row in enumerate(d["ip"][which]):
                it[i, j] = c[row[0]]
                pr[i, j] = row[1]
                if width == 3:
                    du[i, j] = row[2]
        return it, pr, du

    W.IPD = pad("daily", 3)
    # adjunct drugs that Chinese wards add to most stays (acid suppression, mucolytics, vitamins, potassium);
    # more of them, and more vials per day, the higher the hospital level (see build_ip)
    adj = [("panto_iv", 0.3, 5), ("ambroxol_iv", 0.15, 5), ("wsv_iv", 0.2, 5), ("kcl", 0.15, 3)]
    resp = {"pneu", "copd_ae", "kidpneu", "chbron", "flu", "bronchio"}
    extra_it = np.full((NDIS, len(adj)), -1, np.int64)
    extra_pr = np.zeros((NDIS, len(adj)))
    extra_du = np.zeros((NDIS, len(adj)))
    for i, d in enumerate(DISEASES):
        if (
            not d["ip"]
            or d["ip"]["vc"] in ("psych", "rehab", "thal", "neo", "obst", "eye", "peds")
            or d["key"] == "chemo"
        ):
            continue
        for j, (k, p, dd) in enumerate(adj):
            extra_it[i, j] = c[k]
            extra_pr[i, j] = 0.6 if (k == "ambroxol_iv" and d["key"] in resp) else p
            extra_du[i, j] = dd
    W.IPA = (extra_it, extra_pr, extra_du)
    W.IPS = pad("dsvc", 2)
    W.IPO = pad("once", 2)
    W.IPC = pad("disc", 2)
    W.ip_los = np.array([d["ip"]["los"] if d["ip"] else 3 for d in DISEASES], float)
    W.ip_sig = np.array([d["ip"]["sig"] if d["ip"] else 0.4 for d in DISEASES], float)
    W.ip_vc = np.array([d["ip"]["vc"] if d["ip"] else "mod" for d in DISEASES], object)
    W.ip_bed = np.array([c[d["ip"]["bed"]] if d["ip"] else c["bed_gen"] for d in DISEASES])
    W.ip_nurse = np.array([c[d["ip"]["nurse"]] if d["ip"] else c["nurse2"] for d in DISEASES])
    W.ip_dept = np.array(
        [DEPT_I[d["ip"]["dept"] or d["dept"]] if d["ip"] else DEPT_I[d["dept"]] for d in DISEASES]
    )
    W.ip_surg = {i: d["ip"]["surg"] for i, d in enumerate(DISEASES) if d["ip"] and d["ip"]["surg"]}


def _sel(rng, tab, dis, mask):
    it, pr, du = tab
    x = it[dis]
    s = (rng.random(x.shape) < pr[dis]) & (x >= 0) & mask[:, None]
    r, k = np.nonzero(s)
    return r, x[r, k], du[dis][r, k]


def build_ip(W, S):
    rng, c, I, P = W.rng, W.cat, W.I, W.P
    n = len(S["psn"])
    if n == 0:
        return mkV(psn=np.zeros(0, np.int64)), mkL(v=np.zeros(0, np.int64))
    adm, dsc, dis, inst = S["adm"], S["dsc"], S["dis"], S["inst"]
    ad = np.floor_divide(adm, DAY)
    dd = np.floor_divide(dsc, DAY)
    nights = np.maximum(1, dd - ad)
    doc = np.where(S["doc"] >= 0, S["doc"], pick_doc(rng, I, inst))
    pkg = S["pkg"] == 1
    sparse = S["sparse"] == 1
    real = ~pkg
    Ls = []

    def other_doc(rows):
        alt = pick_doc(rng, I, inst[rows])
        return np.where(rng.random(len(rows)) < 0.3, alt, doc[rows])

    # ---- daily bed / nursing / ward round
    nb = np.where(real, nights, 0)
    sv = rep(nb)
    k = seq_in_group(nb)
    tt = np.where(k == 0, adm[sv] + 600, (ad[sv] + k) * DAY + rng.integers(0, 1800, len(sv)))
    bed = W.ip_bed[dis[sv]]
    icu = bed == c["bed_icu"]
    bed = np.where(icu & (k >= 2), c["bed_gen"], bed)
    nurse = W.ip_nurse[dis[sv]]
    nurse = np.where((nurse == c["nurse_sp"]) & (k >= 2), c["nurse1"], nurse)
    nurse = np.where((nurse == c["nurse1"]) & (k >= 3), c["nurse2"], nurse)
    for it in (bed, nurse, np.full(len(sv), c["ip_dx"])):
        Ls.append(mkL(v=sv, item=it, cnt=1.0, pric=price_of(W, it, inst[sv]), t=tt, doc=doc[sv]))
    # ---- daily drugs (split doses; one box code shared by consecutive lines)
    r, drug, dur = _sel(rng, W.IPD, dis, real)
    lvl_p = np.array([1.8, 1.8, 1.3, 0.8, 0.8])[I.lvl[inst]]
    ra, da, ua = _sel(rng, W.IPA, dis, real)
    ka = rng.random(len(ra)) < np.minimum(1.0, lvl_p[ra])
    r, drug, dur = np.concatenate([r, ra[ka]]), np.concatenate([drug, da[ka]]), np.concatenate([dur, ua[ka]])
    st0 = ((nights[r] > 1) & (rng.random(len(r)) < 0.5)).astype(np.int64)
    dur = np.clip(np.round(dur * rng.uniform(0.7, 1.3, len(r))), 1, None).astype(np.int64)
    dur = np.minimum(dur, nights[r] + 1 - st0)
    dur = np.where(sparse[r], np.maximum(1, np.minimum(dur, 3 - st0)), dur)
    dur = np.maximum(dur, 1)
    rr = rep(dur)
    j = seq_in_group(dur)
    s_ = r[rr]
    dg = drug[rr]
    kk = st0[rr] + j
    lvl_int = np.array([2.4, 2.4, 1.7, 1.0, 1.0])[I.lvl[inst]] * np.where(I.own[inst] == "2", 1.3, 1.0)
    upd = np.maximum(1, np.round(c.ipu[drug] * lvl_int[r] * rng.uniform(0.8, 1.5, len(r)))).astype(np.int64)
    upd = np.where(c.iv[drug] == 1, upd, c.ipu[drug])
    u = upd[rr].astype(float)
    tgb = W.acc.tg(len(r))[rr]
    toff = np.floor(j * upd[rr] / np.maximum(c.units[dg], 1)).astype(np.int64)
    toff = np.where(c.units[dg] <= 1, j * upd[rr], toff)
    td = (ad[s_] + kk) * DAY + 8 * 3600 + rng.integers(0, 7200, len(s_))
    Ls.append(
        mkL(
            v=s_,
            item=dg,
            cnt=u,
            pric=price_of(W, dg, inst[s_], unit=True),
            t=td,
            prd=1,
            doc=other_doc(s_),
            trdn=1,
            tg=np.where(c.trace[dg], tgb, -1),
            toff=toff,
            tn=1,
        )
    )
    # infusion: one 静脉输液 per stay-day with an iv drug, 加收 for each further group
    ivm = c.iv[dg] == 1
    if ivm.any():
        key = s_[ivm] * 1000 + kk[ivm]
        uk, cnts = np.unique(key, return_counts=True)
        vs, ks = uk // 1000, uk % 1000
        ti = (ad[vs] + ks) * DAY + 8 * 3600 + 1800
        m = len(uk)
        Ls.append(
            mkL(
                v=vs,
                item=np.full(m, c["iv_drip"]),
                cnt=1.0,
                pric=price_of(W, np.full(m, c["iv_drip"]), inst[vs]),
                t=ti,
                doc=doc[vs],
            )
        )
        Ls.append(
            mkL(
                v=vs,
                item=np.full(m, c["infusion_set"]),
                cnt=1.0,
                pric=price_of(W, np.full(m, c["infusion_set"]), inst[vs]),
                t=ti,
                doc=doc[vs],
            )
        )
        ex = cnts > 1
        if ex.any():
            Ls.append(
                mkL(
                    v=vs[ex],
                    item=np.full(ex.sum(), c["iv_add"]),
                    cnt=(cnts[ex] - 1).astype(float),
                    pric=price_of(W, np.full(ex.sum(), c["iv_add"]), inst[vs[ex]]),
                    t=ti[ex],
                    doc=doc[vs[ex]],
                )
            )
    # ---- cardiac monitoring in the first days of moderate / severe stays (hours)
    mon = np.where(
        real
        & np.isin(W.ip_vc[dis], ["mod", "severe", "onc"])
        & (rng.random(n) < np.array([0.8, 0.8, 0.6, 0.3, 0.3])[I.lvl[inst]])
    )[0]
    nb = np.minimum(nights[mon], 3)
    rr = rep(nb)
    s_ = mon[rr]
    Ls.append(
        mkL(
            v=s_,
            item=np.full(len(s_), c["ecg_mon"]),
            cnt=np.where(seq_in_group(nb) == 0, 12.0, 24.0),
            pric=price_of(W, np.full(len(s_), c["ecg_mon"]), inst[s_]),
            t=(ad[s_] + seq_in_group(nb)) * DAY + 23 * 3600,
            doc=doc[s_],
        )
    )
    # ---- one cannula per stay, syringes every day
    cn = np.where(real & (rng.random(n) < 0.8))[0]
    Ls.append(
        mkL(
            v=cn,
            item=np.full(len(cn), c["iv_cannula"]),
            cnt=1.0,
            pric=price_of(W, np.full(len(cn), c["iv_cannula"]), inst[cn]),
            t=adm[cn] + 1800,
            doc=doc[cn],
        )
    )
    sy = np.where(real)[0]
    nb = nights[sy]
    rr = rep(nb)
    s_ = sy[rr]
    Ls.append(
        mkL(
            v=s_,
            item=np.full(len(s_), c["syringe"]),
            cnt=rng.integers(2, 6, len(s_)).astype(float),
            pric=price_of(W, np.full(len(s_), c["syringe"]), inst[s_]),
            t=(ad[s_] + seq_in_group(nb)) * DAY + 8 * 3600 + 600,
            doc=doc[s_],
        )
    )
    # ---- daily services (physiotherapy, nebuliser, oxygen, bedside glucose, phototherapy ...)
    r, svc, _ = _sel(rng, W.IPS, dis, real)
    st0 = ((nights[r] > 1) & (rng.random(len(r)) < 0.6)).astype(np.int64)
    ndays = np.maximum(1, nights[r] - st0)
    ndays = np.where(sparse[r], np.minimum(ndays, 2), ndays)
    rr = rep(ndays)
    s_ = r[rr]
    kk = st0[rr] + seq_in_group(ndays)
    sv_ = svc[rr]
    keep = rng.random(len(rr)) < 0.85
    s_, kk, sv_ = s_[keep], kk[keep], sv_[keep]
    cnt = np.ones(len(s_))
    cnt[sv_ == c["glu_poc"]] = 4
    cnt[sv_ == c["photo"]] = rng.integers(10, 21, (sv_ == c["photo"]).sum())
    cnt[sv_ == c["o2"]] = rng.integers(6, 17, (sv_ == c["o2"]).sum())
    td = (ad[s_] + kk) * DAY + 9 * 3600 + rng.integers(0, 6 * 3600, len(s_))
    Ls.append(mkL(v=s_, item=sv_, cnt=cnt, pric=price_of(W, sv_, inst[s_]), t=td, doc=other_doc(s_)))
    # ---- admission work-up, imaging; a repeat blood count before discharge
    r, it, _ = _sel(rng, W.IPO, dis, real)
    day = np.minimum(1, nights[r] - 1)
    td = np.where(day == 0, adm[r] + 3600, (ad[r] + day) * DAY + 7 * 3600 + rng.integers(0, 7200, len(r)))
    Ls.append(mkL(v=r, item=it, cnt=1.0, pric=price_of(W, it, inst[r]), t=td, doc=doc[r]))
    # follow-up bloods every third day, more often in higher-level hospitals
    fu = np.where(
        real & (nights >= 3) & ~sparse & (rng.random(n) < np.array([0.7, 0.7, 0.4, 0.15, 0.15])[I.lvl[inst]])
    )[0]
    nb = (nights[fu] - 1) // 3
    rr = rep(nb)
    s_ = fu[rr]
    kk = 3 * (seq_in_group(nb) + 1)
    for tk, p_ in (("cbc", 1.0), ("crp", 0.6), ("elec", 0.5), ("rft", 0.4), ("lft", 0.3)):
        sel = rng.random(len(s_)) < p_
        it = np.full(sel.sum(), c[tk])
        Ls.append(
            mkL(
                v=s_[sel],
                item=it,
                cnt=1.0,
                pric=price_of(W, it, inst[s_[sel]]),
                t=(ad[s_[sel]] + kk[sel]) * DAY + 6 * 3600 + 1800,
                doc=doc[s_[sel]],
            )
        )
    # severe cases: blood count / electrolytes repeated later the same day (after transfusion, potassium)
    sd = np.where(real & np.isin(W.ip_vc[dis], ["severe"]) & (rng.random(n) < 0.2))[0]
    for tk in ("cbc", "elec"):
        it = np.full(len(sd), c[tk])
        Ls.append(
            mkL(v=sd, item=it, cnt=1.0, pric=price_of(W, it, inst[sd]), t=adm[sd] + 7 * 3600, doc=doc[sd])
        )
    rep_cbc = np.where(real & (nights >= 5) & (rng.random(n) < 0.4))[0]
    Ls.append(
        mkL(
            v=rep_cbc,
            item=np.full(len(rep_cbc), c["cbc"]),
            cnt=1.0,
            pric=price_of(W, np.full(len(rep_cbc), c["cbc"]), inst[rep_cbc]),
            t=(dd[rep_cbc] - 1) * DAY + 7 * 3600,
            doc=doc[rep_cbc],
        )
    )
    # ---- operations
    for di, alts in W.ip_surg.items():
        rows = np.where((dis == di) & real)[0]
        if len(rows) == 0:
            continue
        u = rng.random(len(rows))
        acc = 0.0
        for p, items in alts:
            sel = rows[(u >= acc) & (u < acc + p)]
            acc += p
            if len(sel) == 0:
                continue
            day = np.where(nights[sel] > 1, 1, 0)
            td = np.where(
                day == 0,
                adm[sel] + 2 * 3600,
                (ad[sel] + 1) * DAY + 9 * 3600 + rng.integers(0, 5 * 3600, len(sel)),
            )
            for ik in items:
                it = np.full(len(sel), c[ik])
                Ls.append(
                    mkL(
                        v=sel,
                        item=it,
                        cnt=1.0,
                        pric=price_of(W, it, inst[sel]),
                        t=td,
                        doc=doc[sel],
                        trdn=np.where(c.is_drug[it], 0, -1),
                    )
                )
    # ---- psychiatry: weekly psychotherapy, some MECT courses; rehab: fortnightly assessment
    psy = np.where((dis == DIS_IDX["psych"]) & real)[0]
    if len(psy):
        nw = nights[psy] // 7
        rr = rep(nw)
        wk = seq_in_group(nw)
        keep = rng.random(len(rr)) < 0.6
        s_ = psy[rr][keep]
        td = (ad[s_] + 7 * wk[keep] + 3) * DAY + 10 * 3600
        Ls.append(
            mkL(
                v=s_,
                item=np.full(len(s_), c["psy_ther"]),
                cnt=1.0,
                pric=price_of(W, np.full(len(s_), c["psy_ther"]), inst[s_]),
                t=td,
                doc=doc[s_],
            )
        )
        mc = psy[rng.random(len(psy)) < 0.1]
        rr = np.repeat(mc, 8)
        j = np.tile(np.arange(8), len(mc))
        td = (ad[rr] + 3 + 2 * j) * DAY + 9 * 3600
        Ls.append(
            mkL(
                v=rr,
                item=np.full(len(rr), c["mect"]),
                cnt=1.0,
                pric=price_of(W, np.full(len(rr), c["mect"]), inst[rr]),
                t=td,
                doc=doc[rr],
            )
        )
    reh = np.where((dis == DIS_IDX["rehab"]) & real)[0]
    if len(reh):
        nw = nights[reh] // 14
        rr = rep(nw)
        s_ = reh[rr]
        td = (ad[s_] + 14 * (seq_in_group(nw) + 1)) * DAY + 10 * 3600
        Ls.append(
            mkL(
                v=s_,
                item=np.full(len(s_), c["rehab_eval"]),
                cnt=1.0,
                pric=price_of(W, np.full(len(s_), c["rehab_eval"]), inst[s_]),
                t=td,
                doc=doc[s_],
            )
        )
    # ---- chemotherapy day stays: the site's regimen
    ch = np.where((dis == DIS_IDX["chemo"]) & real)[0]
    for si, site in enumerate(CANCER_SITES):
        rows = ch[S["site"][ch] == si]
        if len(rows) == 0:
            continue
        td = adm[rows] + 2 * 3600
        for dk, vials in site[5] + [("ondansetron", 1), ("ns", 2)]:
            it = np.full(len(rows), c[dk])
            Ls.append(
                mkL(
                    v=rows,
                    item=it,
                    cnt=float(vials),
                    pric=price_of(W, it, inst[rows], unit=True),
                    t=td,
                    prd=1,
                    doc=doc[rows],
                    trdn=1,
                    tg=W.acc.tg(len(rows)),
                    tn=1,
                )
            )
        for sk in ("chemo_prep", "iv_drip", "infusion_set"):
            it = np.full(len(rows), c[sk])
            Ls.append(mkL(v=rows, item=it, cnt=1.0, pric=price_of(W, it, inst[rows]), t=td, doc=doc[rows]))
    # ---- discharge medication (出院带药)
    r, it, _ = _sel(rng, W.IPC, dis, real)
    it = fix_items_for_person(W, it, P.age[S["psn"][r]], P.sex[S["psn"][r]])
    ok = it >= 0
    r, it = r[ok], it[ok]
    if len(r):
        Ls.append(
            item_lines(W, r, it, inst[r], dsc[r] - 1800, doc=doc[r], boxes=1 + (rng.random(len(r)) < 0.5))
        )
    # ---- self-paid extras (单人间差价, 救护车)
    sg = np.where(real & (rng.random(n) < 0.08))[0]
    nb = nights[sg]
    rr = rep(nb)
    s_ = sg[rr]
    Ls.append(
        mkL(
            v=s_,
            item=np.full(len(s_), c["bed_single"]),
            cnt=1.0,
            pric=price_of(W, np.full(len(s_), c["bed_single"]), inst[s_]),
            t=(ad[s_] + seq_in_group(nb)) * DAY + 60,
            doc=doc[s_],
        )
    )
    am = np.where(rng.random(n) < 0.03)[0]
    Ls.append(
        mkL(
            v=am,
            item=np.full(len(am), c["ambulance"]),
            cnt=1.0,
            pric=price_of(W, np.full(len(am), c["ambulance"]), inst[am]),
            t=adm[am],
            doc=doc[am],
        )
    )
    # ---- package-priced stays (按病种收费): one package line, sometimes a room supplement
    pk = np.where(pkg)[0]
    if len(pk):
        pit = np.where(
            dis[pk] == DIS_IDX["csect"],
            c["pkg_cs"],
            np.where(dis[pk] == DIS_IDX["cataract"], c["pkg_cat"], c["pkg_vag"]),
        )
        Ls.append(
            mkL(v=pk, item=pit, cnt=1.0, pric=price_of(W, pit, inst[pk]), t=dsc[pk] - 3600, doc=doc[pk])
        )
        rm = pk[rng.random(len(pk)) < 0.3]
        nb = nights[rm]
        rr = rep(nb)
        s_ = rm[rr]
        Ls.append(
            mkL(
                v=s_,
                item=np.full(len(s_), c["bed_single"]),
                cnt=1.0,
                pric=price_of(W, np.full(len(s_), c["bed_single"]), inst[s_]),
                t=(ad[s_] + seq_in_group(nb)) * DAY + 60,
                doc=doc[s_],
            )
        )
    L = catd(Ls)
    L["t"] = np.clip(L["t"], adm[L["v"]], dsc[L["v"]])
    # ---- template bills (金额雷同): one filler line brings the stay close to a target amount
    tm = S["tmpl"] > 0
    if tm.any():
        amt = np.round(L["cnt"] * L["pric"], 2)
        tot = np.bincount(L["v"], weights=amt, minlength=n)
        rows = np.where(tm)[0]
        diff = S["tmpl"][rows] - tot[rows]
        fk = c["tcm_ion"]
        fp = price_of(W, np.full(len(rows), fk), inst[rows])
        k_ = np.round(diff / fp)
        ok = k_ >= 1
        rows, k_, fp = rows[ok], k_[ok], fp[ok]
        extra = mkL(
            v=rows,
            item=np.full(len(rows), fk),
            cnt=k_,
            pric=fp,
            t=np.minimum(adm[rows] + DAY, dsc[rows]),
            doc=doc[rows],
        )
        L = catd([L, extra])
    # ---- long psychiatric stays are settled monthly (中途结算)
    long_ = nights > 60
    seg = np.where(long_[L["v"]], (L["t"] - adm[L["v"]]) // (30 * DAY), 0)
    L["seg"] = seg
    died = S["died"] == 1
    delay = np.where(
        rng.random(n) < 0.8,
        rng.integers(600, 3 * 3600, n),
        DAY - (dsc % DAY) + 9 * 3600 + rng.integers(0, 3 * 3600, n),
    )
    delay = np.where(
        died,
        np.where(
            rng.random(n) < 0.6,
            rng.integers(600, 6 * 3600, n),
            rng.integers(1, 4, n) * DAY + rng.integers(0, 8 * 3600, n),
        ),
        delay,
    )
    delay = np.where(S["delay"] >= 0, S["delay"], delay)
    V = mkV(
        psn=S["psn"],
        inst=inst,
        mt=S["mt"],
        bt=adm,
        et=dsc,
        st=dsc + delay,
        dis=dis,
        dept=W.ip_dept[dis],
        doc=doc,
        tag=S["tag"],
        grp=S["grp"],
    )
    return V, L


def finish_stays(W):
    S = catd(W.stays)
    W.stays = []
    P = W.P
    # legitimate stays end at death; a stay beginning after death is impossible
    free = S["free"] == 1
    ds = P.dsec[S["psn"]]
    cut = (~free) & (S["dsc"] > ds) & (S["adm"] < ds)
    S["dsc"] = np.where(cut, ds, S["dsc"])
    S["died"] = np.where(cut, 1, S["died"])
    keep = free | (S["adm"] < ds)
    keep &= (S["dsc"] < ND * DAY) & (S["dsc"] > 0) & (S["dsc"] > S["adm"])
    S = {k: v[keep] for k, v in S.items()}
    W.S = S
    return S


# =============================================================================================
# legitimate outpatient, emergency, antenatal care
# =============================================================================================
def ivb_visits(W, V0, rows, k):
    """follow-up infusion visits on consecutive days (三天输液疗程)"""
    rng, c, P = W.rng, W.cat, W.P
    rr = np.repeat(rows, k)
    j = seq_in_group(k) + 1
    n = len(rr)
    bt = (np.floor_divide(V0["bt"][rr], DAY) + j) * DAY + tod(rng, n, "prim")
    inst = V0["inst"][rr]
    doc = V0["doc"][rr]
    V = mkV(
        psn=V0["psn"][rr],
        inst=inst,
        mt=M11,
        bt=bt,
        et=bt + rng.integers(3600, 3 * 3600, n),
        st=bt + rng.integers(3600, 3 * 3600, n),
        dis=V0["dis"][rr],
        dept=V0["dept"][rr],
        doc=doc,
    )
    v = np.arange(n)
    Ls = [item_lines(W, v, dx_fee_item(W, inst), inst, bt, doc=doc)]
    tt = bt + 900
    Ls.append(item_lines(W, v, np.full(n, c["iv_drip"]), inst, tt, doc=doc))
    Ls.append(item_lines(W, v, np.full(n, c["infusion_set"]), inst, tt, doc=doc))
    for dk, u in (("ns", 1), ("ceftriaxone", 2)):
        it = np.full(n, c[dk])
        Ls.append(
            mkL(
                v=v,
                item=it,
                cnt=float(u),
                pric=price_of(W, it, inst, unit=True),
                t=tt,
                prd=1,
                doc=doc,
                trdn=1,
                tg=W.acc.tg(n),
                tn=1,
            )
        )
    return V, catd(Ls)


def gen_outpatient(W):
    rng, P, I, c, cal = W.rng, W.P, W.I, W.cat, W.cal
    lam = (
        np.interp(
            P.age,
            [0, 1, 5, 6, 14, 15, 44, 45, 64, 65, 100],
            [6, 6, 5, 2.2, 2.2, 1.3, 1.3, 2.0, 2.0, 3.0, 3.5],
        )
        * P.frail**0.7
        * np.where(P.emp, 1.15, 1.0)
    )
    psn = rep(rng.poisson(lam))
    n = len(psn)
    day = cal.days(rng, n, "prim", "mild")
    dis = draw_mix(W, OP_MIX, psn, cal.month[day])
    dis = restrict_dis(W, dis, P.age[psn], P.sex[psn], DIS_IDX["uri"])
    vc = np.array(W.dis_vc, object)[dis]
    inst = venue(W, psn, vc, VC_OP)
    hosp = I.lvl[inst] <= 2
    mv = hosp & cal.off[day] & (rng.random(n) < 0.5)
    day = np.where(mv, np.minimum(day + 1 + (cal.dow[day] == 5), ND - 1), day)
    t = np.where(hosp, tod(rng, n, "op"), tod(rng, n, "prim"))
    bt = day * DAY + t
    doc = pick_doc(rng, I, inst)
    prim = I.lvl[inst] == 3
    dept = np.where(prim & (rng.random(n) < 0.6), DEPT_I["A02"], DIS_DEPT[dis])
    et = bt + rng.integers(600, 5400, n)
    V = mkV(
        psn=psn, inst=inst, mt=M11, bt=bt, et=et, st=et + rng.integers(0, 600, n), dis=dis, dept=dept, doc=doc
    )
    L = op_basket(W, np.arange(n), dis, psn, inst, bt, doc)
    W.acc.add(V, L)
    # infusion courses at primary / private clinics
    ivv = np.unique(L["v"][L["item"] == c["iv_drip"]])
    ivv = ivv[(I.lvl[inst[ivv]] == 3) & (rng.random(len(ivv)) < 0.55)]
    if len(ivv):
        V2, L2 = ivb_visits(W, V, ivv, 1 + (rng.random(len(ivv)) < 0.45))
        W.acc.add(V2, L2)
    # emergency department
    lam = np.interp(P.age, [0, 5, 6, 59, 60, 100], [0.3, 0.3, 0.1, 0.1, 0.25, 0.35]) * P.frail**0.5
    psn = rep(rng.poisson(lam))
    n = len(psn)
    keys = ["injury", "fever", "ge", "uri", "headache", "pneu", "htn", "uti", "dengue", "chd", "derm"]
    w = [5, 3, 2, 2, 1, 1, 1, 1, 0.3, 0.5, 0.3]
    dis = np.array([DIS_IDX[k] for k in keys])[cat_draw(rng, n, w)]
    dis = restrict_dis(W, dis, P.age[psn], P.sex[psn], DIS_IDX["injury"])
    day = cal.days(rng, n, "emerg", "mild")
    inj = dis == DIS_IDX["injury"]
    day[inj] = cal.days(rng, inj.sum(), "emerg", "trauma")
    kid = P.age[psn] < 14
    inst = np.where(rng.random(n) < 0.5, P.cand[psn, VI["CNTY"]], P.cand[psn, VI["CITY"]])
    inst = np.where(kid & ~P.rural[psn] & (rng.random(n) < 0.6), P.cand[psn, VI["CHILD"]], inst)
    bt = day * DAY + tod(rng, n, "er")
    doc = pick_doc(rng, I, inst)
    et = bt + rng.integers(1800, 4 * 3600, n)
    V = mkV(psn=psn, inst=inst, mt=M13, bt=bt, et=et, st=et, dis=dis, dept=np.full(n, DEPT_I["A20"]), doc=doc)
    W.acc.add(V, op_basket(W, np.arange(n), dis, psn, inst, bt, doc, er=True))
    # antenatal care (生育门诊 51 for employees)
    mo = np.where((P.deliv >= 0) | (P.due >= 0))[0]
    D_ = np.where(P.deliv[mo] >= 0, P.deliv[mo], P.due[mo])
    site = np.where(
        rng.random(len(mo)) < 0.5,
        P.cand[mo, VI["MCH"]],
        np.where(rng.random(len(mo)) < 0.6, P.cand[mo, VI["MAT"]], P.cand[mo, VI["CNTY"]]),
    )
    k = 12
    rr = np.repeat(np.arange(len(mo)), k)
    j = np.tile(np.arange(k), len(mo))
    dd = D_[rr] - 280 + 70 + np.where(j < 8, j * 26, 8 * 26 + (j - 8) * 13) + rng.integers(-3, 4, len(rr))
    ok = (dd >= 0) & (dd < ND) & (dd < D_[rr] - 3)
    rr, dd = rr[ok], dd[ok]
    psn = mo[rr]
    inst = site[rr]
    n = len(psn)
    bt = dd * DAY + tod(rng, n, "op")
    doc = pick_doc(rng, I, inst)
    dis = np.full(n, DIS_IDX["preg"])
    V = mkV(
        psn=psn,
        inst=inst,
        mt=np.where(P.emp[psn], M51, M11),
        bt=bt,
        et=bt + 3600,
        st=bt + 3700,
        dis=dis,
        dept=np.full(n, DEPT_I["A05.02"]),
        doc=doc,
    )
    W.acc.add(V, op_basket(W, np.arange(n), dis, psn, inst, bt, doc))


# =============================================================================================
# legitimate inpatient care
# =============================================================================================
def ip_days(W, dis, n, emergency):
    cal, rng = W.cal, W.rng
    day = np.empty(n, np.int64)
    for d in np.unique(dis):
        s = np.where(dis == d)[0]
        se = W.dis_season[d]
        em = emergency[s]
        day[s[em]] = cal.days(rng, em.sum(), "emerg", se)
        day[s[~em]] = cal.days(rng, (~em).sum(), "elect", se)
    return day


def los_draw(W, dis, n):
    rng = W.rng
    return np.maximum(
        1, np.round(np.exp(np.log(W.ip_los[dis]) + rng.normal(0, 1, n) * W.ip_sig[dis]))
    ).astype(np.int64)


def make_stays(W, psn, dis, inst=None, day=None, los=None, emergency=None, **kw):
    rng, P, I = W.rng, W.P, W.I
    n = len(psn)
    if emergency is None:
        emergency = np.isin(W.ip_vc[dis], ["mod", "severe", "peds", "obst", "neo"]) & (rng.random(n) < 0.75)
    if inst is None:
        inst = venue(W, psn, W.ip_vc[dis], VC_IP, inpatient=True)
    if day is None:
        day = ip_days(W, dis, n, emergency)
    if los is None:
        los = los_draw(W, dis, n)
    adm = day * DAY + np.where(emergency, tod(rng, n, "adm_em"), tod(rng, n, "adm_el"))
    dsc = (day + los) * DAY + tod(rng, n, "dis")
    dsc = np.maximum(dsc, adm + 3 * 3600)
    add_stays(W, psn=psn, inst=inst, dis=dis, adm=adm, dsc=dsc, **kw)
    return adm, dsc, inst


def gen_inpatient(W):
    rng, P, I, c, cal = W.rng, W.P, W.I, W.cat, W.cal
    age = P.age
    p = (
        np.interp(
            age,
            [0, 1, 4, 5, 14, 15, 44, 45, 64, 65, 79, 80, 100],
            [0.2, 0.2, 0.12, 0.05, 0.04, 0.05, 0.06, 0.1, 0.1, 0.2, 0.2, 0.3, 0.3],
        )
        * P.frail**0.6
        * 0.85
    )
    p = p * np.where(P.idet > 0, 1.15, 1.0)
    k = (rng.random(P.N) < np.minimum(p, 0.9)) * (1 + rng.poisson(0.25 * P.frail))
    psn = rep(k)
    n = len(psn)
    dis = draw_mix(W, IP_MIX, psn, np.zeros(n, np.int64), season=False)
    # admissions of people with chronic disease follow it
    C = P.cond[psn]
    u = rng.random(n)
    for cond, dk, pr in [
        ("copd", "copd_ae", 0.5),
        ("chd", "angina", 0.35),
        ("stroke", "stroke", 0.25),
        ("dm", "dm", 0.3),
        ("ckd5", "ckdcomp", 0.5),
        ("htn", "htn", 0.1),
    ]:
        m = C[:, COND_IDX[cond]] & (u < pr)
        dis[m] = DIS_IDX[dk]
        u = np.where(m, 1.0, u)
    dis = restrict_dis(
        W, dis, age[psn], P.sex[psn], np.where(age[psn] < 14, DIS_IDX["kidpneu"], DIS_IDX["pneu"])
    )
    adm, dsc, inst = make_stays(W, psn, dis)
    # readmissions after heart failure / COPD / stroke / pneumonia (unplanned, sometimes same diagnosis)
    rd = (
        np.isin(dis, [DIS_IDX[k] for k in ("hf", "copd_ae", "stroke", "pneu", "ami")])
        & (age[psn] >= 60)
        & (rng.random(n) < 0.08)
    )
    r = np.where(rd)[0]
    if len(r):
        gap = rng.integers(2, 31, len(r))
        d2 = np.where(rng.random(len(r)) < 0.5, dis[r], DIS_IDX["pneu"])
        same = rng.random(len(r)) < 0.6
        i2 = np.where(same, inst[r], venue(W, psn[r], W.ip_vc[d2], VC_IP, inpatient=True))
        make_stays(W, psn[r], d2, inst=i2, day=dsc[r] // DAY + gap, emergency=np.ones(len(r), bool))
    # hospitals empty their wards before the Spring Festival (planned early discharges)
    # (applied on the collected stays in finish: stays spanning 01-28 that began before 01-24)
    # deliveries; packages at maternity / MCH hospitals; neonatal jaundice settled on the mother's card
    mo = np.where(P.deliv >= 0)[0]
    cs = rng.random(len(mo)) < 0.35
    dis = np.where(cs, DIS_IDX["csect"], DIS_IDX["deliv"])
    inst = venue(W, mo, np.full(len(mo), "obst", object), VC_IP, inpatient=True)
    day = P.deliv[mo] - (rng.random(len(mo)) < 0.6)
    los = np.where(cs, rng.integers(4, 7, len(mo)), rng.integers(2, 4, len(mo)))
    pkg = np.isin(I.cat[inst], [CT["MATERN"], CT["CMCH"]]) & (rng.random(len(mo)) < 0.85)
    make_stays(
        W,
        mo,
        dis,
        inst=inst,
        day=day,
        los=los,
        emergency=np.ones(len(mo), bool),
        mt=np.where(P.emp[mo], M52, M21),
        pkg=pkg,
    )
    nj = rng.random(len(mo)) < 0.08
    if nj.any():
        m2 = mo[nj]
        i2 = np.where(rng.random(len(m2)) < 0.6, inst[nj], P.cand[m2, VI["CHILD"]])
        make_stays(
            W,
            m2,
            np.full(len(m2), DIS_IDX["neojaund"]),
            inst=i2,
            day=P.deliv[m2] + rng.integers(2, 7, len(m2)),
            los=rng.integers(2, 5, len(m2)),
            emergency=np.ones(len(m2), bool),
        )
    # cataract day surgery, package-priced at tertiary hospitals
    # (the IP_MIX draw above produces them; flag packages on the collected stays later)
    # schizophrenia: long stays in the psychiatric hospital
    sz = np.where(P.cond[:, COND_IDX["scz"]] & (rng.random(P.N) < 0.25))[0]
    if len(sz):
        los = np.clip(np.round(np.exp(np.log(45) + rng.normal(0, 0.6, len(sz)))), 7, 250).astype(np.int64)
        day = rng.integers(-30, ND - 7, len(sz))
        make_stays(
            W,
            sz,
            np.full(len(sz), DIS_IDX["psych"]),
            inst=P.cand[sz, VI["PSY"]],
            day=day,
            los=los,
            emergency=rng.random(len(sz)) < 0.5,
        )
    # stroke rehabilitation; a quarter continue in a second admission the next day (康复分段结算)
    rh = np.where(P.cond[:, COND_IDX["stroke"]] & (rng.random(P.N) < 0.12))[0]
    if len(rh):
        los = rng.integers(20, 41, len(rh))
        inst = venue(W, rh, np.full(len(rh), "rehab", object), VC_IP, inpatient=True)
        day = rng.integers(0, ND - 30, len(rh))
        adm, dsc, _ = make_stays(
            W,
            rh,
            np.full(len(rh), DIS_IDX["rehab"]),
            inst=inst,
            day=day,
            los=los,
            emergency=np.zeros(len(rh), bool),
        )
        sp = rng.random(len(rh)) < 0.25
        if sp.any():
            make_stays(
                W,
                rh[sp],
                np.full(sp.sum(), DIS_IDX["rehab"]),
                inst=inst[sp],
                day=dsc[sp] // DAY + (rng.random(sp.sum()) < 0.5),
                los=rng.integers(14, 30, sp.sum()),
                emergency=np.zeros(sp.sum(), bool),
            )
    # thalassaemia: transfusion every 3-5 weeks
    th = np.where(P.cond[:, COND_IDX["thal"]])[0]
    if len(th):
        r, day = sched(W, th, rng.integers(21, 36, len(th)), lo=np.maximum(P.bday[th] + 180, 0))
        make_stays(
            W,
            th[r],
            np.full(len(r), DIS_IDX["thal"]),
            inst=P.cand[th[r], VI["CHILD"]],
            day=day,
            los=np.ones(len(r), np.int64),
            emergency=np.zeros(len(r), bool),
        )
    # terminal admissions of people who die in 2025
    dd = np.where(P.dday >= 0)[0]
    term = dd[rng.random(len(dd)) < 0.6]
    if len(term):
        site = P.site[term]
        dk = np.array([DIS_IDX[k] for k in ("pneu", "hf", "stroke", "copd_ae", "gibleed")])[
            cat_draw(rng, len(term), [4, 3, 3, 2, 1])
        ]
        dk = np.where(site >= 0, np.array([DIS_IDX[s[1]] for s in CANCER_SITES])[np.maximum(site, 0)], dk)
        los = np.clip(los_draw(W, dk, len(term)), 1, 40)
        inh = rng.random(len(term)) < 0.65
        end = P.dsec[term] - np.where(inh, 0, rng.integers(1, 10, len(term)) * DAY)
        adm = end - los * DAY - rng.integers(0, 8 * 3600, len(term))
        inst = venue(W, term, W.ip_vc[dk], VC_IP, inpatient=True)
        add_stays(W, psn=term, inst=inst, dis=dk, adm=adm, dsc=np.maximum(end, adm + 6 * 3600), died=inh)
    # cancer surgery for a fifth of cancer patients
    ca = np.where(P.site >= 0)[0]
    ca = ca[rng.random(len(ca)) < 0.2]
    if len(ca):
        dk = np.array([DIS_IDX[s[1]] for s in CANCER_SITES])[P.site[ca]]
        inst = np.where(rng.random(len(ca)) < 0.6, P.cand[ca, VI["CITY"]], P.cand[ca, VI["REFONC"]])
        make_stays(W, ca, dk, inst=inst, emergency=np.zeros(len(ca), bool))


def gen_cancer(W):
    """chemotherapy cycles (day-ward 21 or 门特 14), radiotherapy courses, oral targeted / endocrine drugs"""
    rng, P, I, c, cal = W.rng, W.P, W.I, W.cat, W.cal
    ca = np.where(P.site >= 0)[0]
    if len(ca) == 0:
        return
    u = rng.random(len(ca))
    site = P.site[ca]
    oral = np.array([s[4] is not None for s in CANCER_SITES])[site]
    phase = np.where(u < 0.45, 0, np.where((u < 0.75) & oral, 1, 2))
    des = np.where(W.des[ca] >= 0, W.des[ca], P.cand[ca, VI["CITY"]])
    des = np.where(I.ip[des], des, P.cand[ca, VI["CITY"]])
    # chemo
    ch = np.where(phase == 0)[0]
    ncyc = rng.integers(4, 9, len(ch))
    start = rng.integers(-60, 300, len(ch))
    rr = rep(ncyc)
    j = seq_in_group(ncyc)
    day = start[rr] + np.round(j * (21 + rng.normal(0, 1.2, len(rr)))).astype(np.int64)
    ok = (day >= 0) & (day < ND - 3)
    rr, day = rr[ok], day[ok]
    psn = ca[ch][rr]
    inst = des[ch][rr]
    as_ip = (hrand(psn, 1, 8) < 0.7) & I.ip[inst]
    ipr = np.where(as_ip)[0]
    los = np.where(rng.random(len(ipr)) < 0.6, 1, rng.integers(2, 4, len(ipr)))
    make_stays(
        W,
        psn[ipr],
        np.full(len(ipr), DIS_IDX["chemo"]),
        inst=inst[ipr],
        day=day[ipr],
        los=los,
        emergency=np.zeros(len(ipr), bool),
        site=P.site[psn[ipr]],
    )
    opr = np.where(~as_ip)[0]
    n = len(opr)
    if n:
        p_, i_, d_ = psn[opr], inst[opr], day[opr]
        bt = d_ * DAY + tod(rng, n, "op")
        doc = pick_doc(rng, I, i_)
        dk = np.full(n, DIS_IDX["chemo"])
        V = mkV(
            psn=p_,
            inst=i_,
            mt=M14,
            bt=bt,
            et=bt + 5 * 3600,
            st=bt + 5 * 3600 + 600,
            dis=dk,
            dept=DEPT_I["A19"],
            doc=doc,
        )
        v = np.arange(n)
        Ls = []
        for si, s in enumerate(CANCER_SITES):
            rows = v[P.site[p_] == si]
            for dk_, vials in s[5] + [("ondansetron", 1), ("ns", 2)]:
                it = np.full(len(rows), c[dk_])
                Ls.append(
                    mkL(
                        v=rows,
                        item=it,
                        cnt=float(vials),
                        pric=price_of(W, it, i_[rows], unit=True),
                        t=bt[rows] + 3600,
                        prd=1,
                        doc=doc[rows],
                        trdn=1,
                        tg=W.acc.tg(len(rows)),
                        tn=1,
                    )
                )
        for sk in ("op_dx", "chemo_prep", "iv_drip", "infusion_set", "cbc"):
            Ls.append(item_lines(W, v, np.full(n, c[sk]), i_, bt + 600, doc=doc))
        W.acc.add(V, catd(Ls))
    # radiotherapy courses: weekday fractions
    rtp = ca[(rng.random(len(ca)) < np.array([s[6] for s in CANCER_SITES])[site]) & (phase != 1)]
    if len(rtp):
        nf = rng.integers(25, 31, len(rtp))
        start = rng.integers(0, 300, len(rtp))
        inst = np.where(rng.random(len(rtp)) < 0.6, P.cand[rtp, VI["CITY"]], P.cand[rtp, VI["REFONC"]])
        wk = nf + 2 * (nf // 5) + 4
        rr = rep(wk)
        d_ = start[rr] + seq_in_group(wk)
        ok = ~cal.off[np.clip(d_, 0, ND - 1)] & (d_ < ND)
        rr, d_ = rr[ok], d_[ok]
        j = seq_in_group(np.bincount(rr, minlength=len(rtp)))
        ok = j < nf[rr]
        rr, d_ = rr[ok], d_[ok]
        psn, i_ = rtp[rr], inst[rr]
        n = len(psn)
        bt = d_ * DAY + (8 + 9 * hrand(psn, 2, 9)).astype(np.int64) * 3600 + rng.integers(0, 1800, n)
        doc = pick_doc(rng, I, i_)
        V = mkV(
            psn=psn,
            inst=i_,
            mt=M14,
            bt=bt,
            et=bt + 1800,
            st=bt + 2400,
            dis=np.full(n, DIS_IDX["rt"]),
            dept=DEPT_I["A19"],
            doc=doc,
        )
        v = np.arange(n)
        Ls = [item_lines(W, v, np.full(n, c["rt"]), i_, bt + 300, doc=doc)]
        wkly = v[rng.random(n) < 0.2]
        Ls.append(item_lines(W, wkly, np.full(len(wkly), c["cbc"]), i_[wkly], bt[wkly], doc=doc[wkly]))
        W.acc.add(V, catd(Ls))
    # oral maintenance (双通道: DTP pharmacy for the expensive targeted drug)
    orp = ca[phase == 1]
    if len(orp):
        r, day = sched(W, orp, np.full(len(orp), 30.0))
        psn = orp[r]
        n = len(psn)
        drug = np.array([c[s[4]] if s[4] else c["capecitabine"] for s in CANCER_SITES])[P.site[psn]]
        dtp = np.where(I.dtp)[0]
        use_dtp = (drug == c["osimertinib"]) & (hrand(psn, 4, 9) < 0.6) & (len(dtp) > 0)
        inst = np.where(use_dtp, dtp[(psn % max(1, len(dtp)))], des[np.searchsorted(ca, psn)])
        bt = day * DAY + np.where(use_dtp, tod(rng, n, "pharm"), tod(rng, n, "op"))
        doc = np.where(use_dtp, -1, pick_doc(rng, I, inst))
        dk = np.array([DIS_IDX[s[1]] for s in CANCER_SITES])[P.site[psn]]
        V = mkV(
            psn=psn,
            inst=inst,
            mt=np.where(use_dtp, M41, M14),
            bt=bt,
            et=bt + np.where(use_dtp, 0, 1800),
            st=bt + 1900,
            dis=dk,
            dept=np.where(use_dtp, -1, DEPT_I["A19"]),
            doc=doc,
        )
        v = np.arange(n)
        boxes = np.maximum(1, np.round(30 / c.days[drug])).astype(np.int64)
        Ls = [item_lines(W, v, drug, inst, bt + 300, doc=doc, boxes=boxes)]
        h = v[~use_dtp]
        Ls.append(item_lines(W, h, np.full(len(h), c["op_dx"]), inst[h], bt[h], doc=doc[h]))
        W.acc.add(V, catd(Ls))
    # follow-up every three months
    fu = ca[phase == 2]
    if len(fu):
        r, day = sched(W, fu, np.full(len(fu), 90.0))
        psn = fu[r]
        n = len(psn)
        inst = des[np.searchsorted(ca, psn)]
        bt = day * DAY + tod(rng, n, "op")
        doc = pick_doc(rng, I, inst)
        dk = np.array([DIS_IDX[s[1]] for s in CANCER_SITES])[P.site[psn]]
        V = mkV(
            psn=psn,
            inst=inst,
            mt=np.where(W.registered[psn, COND_IDX["cancer"]], M14, M11),
            bt=bt,
            et=bt + 3600,
            st=bt + 3700,
            dis=dk,
            dept=DEPT_I["A19"],
            doc=doc,
        )
        v = np.arange(n)
        Ls = [
            item_lines(W, v, np.full(n, c["op_dx_exp"]), inst, bt, doc=doc),
            item_lines(W, v, np.full(n, c["tumor_mk"]), inst, bt + 600, doc=doc),
        ]
        ct = v[rng.random(n) < 0.5]
        Ls.append(item_lines(W, ct, np.full(len(ct), c["ct_chest"]), inst[ct], bt[ct] + 1200, doc=doc[ct]))
        W.acc.add(V, catd(Ls))


def gen_dialysis(W, S):
    """haemodialysis 2-3x a week; sessions are skipped while the patient is an inpatient elsewhere,
    except at a centre that bills them anyway (血透虚记)"""
    rng, P, I, c, cal = W.rng, W.P, W.I, W.cat, W.cal
    who = np.where(P.cond[:, COND_IDX["ckd5"]])[0]
    if len(who) == 0:
        return
    inst = P.cand[who, VI["DIAL"]]
    u = rng.random(len(who))
    pat = np.where(u < 0.42, 0, np.where(u < 0.85, 1, np.where(u < 0.93, 2, 3)))
    sets = np.array(
        [[1, 0, 1, 0, 1, 0, 0], [0, 1, 0, 1, 0, 1, 0], [1, 0, 0, 1, 0, 0, 0], [0, 1, 0, 0, 1, 0, 0]], bool
    )
    M = sets[pat][:, cal.dow]  # persons x days
    beg = np.where(
        W.registered[who, COND_IDX["ckd5"]] & (W.reg_beg[who, COND_IDX["ckd5"]] >= 0),
        W.reg_beg[who, COND_IDX["ckd5"]],
        0,
    )
    d = np.arange(ND)
    M &= d[None, :] >= beg[:, None]
    M &= d[None, :] <= np.where(P.dday[who] >= 0, P.dday[who], ND)[:, None]
    M &= rng.random(M.shape) > 0.02
    # extra (4th) session some weeks: hyperkalaemia, fluid overload
    ex = rng.random(len(who)) < 0.05
    if ex.any():
        w0 = rng.integers(0, 40, ex.sum())
        for k_, i in enumerate(np.where(ex)[0]):
            win = (d >= w0[k_] * 7) & (d < w0[k_] * 7 + 28) & (cal.dow == 6)
            M[i, win] = True
    frd = I.fraud[inst] == W.IPAT["血透虚记"]
    if frd.any():  # phantom Sunday sessions
        M[frd] |= (
            (cal.dow[None, :] == 6)
            & (rng.random((frd.sum(), ND)) < 0.45)
            & (d[None, :] >= beg[frd, None])
            & (d[None, :] <= np.where(P.dday[who[frd]] >= 0, P.dday[who[frd]] - 1, ND)[:, None])
        )
    r, day = np.nonzero(M)
    psn = who[r]
    ins = inst[r]
    # drop sessions during an inpatient stay (unless the centre bills them anyway)
    if S is not None and len(S["psn"]):
        key = np.unique(S["psn"])
        inter = np.isin(psn, key)
        if inter.any():
            o = np.argsort(S["psn"])
            sp, sa, sd = S["psn"][o], S["adm"][o] // DAY, S["dsc"][o] // DAY
            hit = np.zeros(len(psn), bool)
            idx = np.where(inter)[0]
            lo = np.searchsorted(sp, psn[idx], "left")
            hi_ = np.searchsorted(sp, psn[idx], "right")
            for k_ in range(int((hi_ - lo).max()) if len(idx) else 0):
                j = lo + k_
                valid = j < hi_
                jj = np.minimum(j, len(sp) - 1)
                hit[idx] |= valid & (day[idx] >= sa[jj]) & (day[idx] <= sd[jj])
            drop = hit & (I.fraud[ins] != W.IPAT["血透虚记"])
            psn, ins, day, r = psn[~drop], ins[~drop], day[~drop], r[~drop]
    n = len(psn)
    shift = hrand(psn, 0, 21)
    t = np.where(shift < 0.5, 7 * 3600 + 1200, np.where(shift < 0.85, 12 * 3600, 17 * 3600)) + rng.integers(
        -900, 900, n
    )
    bt = day * DAY + t
    et = bt + 4 * 3600 + rng.integers(-600, 900, n)
    doc = pick_doc(rng, I, ins)
    V = mkV(
        psn=psn,
        inst=ins,
        mt=M14,
        bt=bt,
        et=et,
        st=et + rng.integers(60, 1200, n),
        dis=np.full(n, DIS_IDX["dialysis"]),
        dept=np.full(n, DEPT_I["A03.06"]),
        doc=doc,
    )
    v = np.arange(n)
    dial_c = np.where(I.cat == CT["DIAL"])[0]
    pkg_inst = dial_c[:1]
    is_pkg = np.isin(ins, pkg_inst)
    hdf_pat = hrand(who, 5, 21) < 0.3
    hdf = hdf_pat[r] & (day % 14 < 1) & ~is_pkg
    main = np.where(is_pkg, c["hd_pkg"], np.where(hdf, c["hdf"], c["hd"]))
    Ls = [item_lines(W, v, main, ins, bt + 600, doc=doc)]
    cons = v[~is_pkg]
    for mk in ("dialyzer", "bloodline"):
        Ls.append(item_lines(W, cons, np.full(len(cons), c[mk]), ins[cons], bt[cons] + 600, doc=doc[cons]))
    for dk, p in (("heparin", 1.0), ("epo", 0.66), ("iron_sucrose", 0.2), ("levocarnitine", 0.15)):
        sel = v[rng.random(n) < p]
        it = np.full(len(sel), c[dk])
        Ls.append(
            mkL(
                v=sel,
                item=it,
                cnt=1.0,
                pric=price_of(W, it, ins[sel], unit=True),
                t=bt[sel] + 900,
                prd=1,
                doc=doc[sel],
                trdn=1,
                tg=W.acc.tg(len(sel)),
                tn=1,
            )
        )
    mth = cal.month[day]
    first = np.ones(n, bool)
    o = np.lexsort((bt, mth, psn))
    first[o[1:]] = (psn[o[1:]] != psn[o[:-1]]) | (mth[o[1:]] != mth[o[:-1]])
    fm = v[first]
    for tk in ("cbc", "rft", "elec"):
        Ls.append(item_lines(W, fm, np.full(len(fm), c[tk]), ins[fm], bt[fm] + 300, doc=doc[fm]))
    # the fraudulent centre adds haemoperfusion every week and a second dialyser now and then
    fr = v[I.fraud[ins] == W.IPAT["血透虚记"]]
    if len(fr):
        wk = fr[(cal.dow[day[fr]] == 2) & (rng.random(len(fr)) < 0.8)]
        for mk in ("hp", "hp_cart"):
            Ls.append(item_lines(W, wk, np.full(len(wk), c[mk]), ins[wk], bt[wk] + 700, doc=doc[wk]))
        d2 = fr[rng.random(len(fr)) < 0.35]
        Ls.append(item_lines(W, d2, np.full(len(d2), c["dialyzer"]), ins[d2], bt[d2] + 800, doc=doc[d2]))
    V["tag"][:] = 0
    W.acc.add(V, catd(Ls))


def gen_cohorts(W):
    """legitimate groups admitted together: food poisoning, road accidents, a nursing-home influenza outbreak,
    a dengue cluster, elderly couples with influenza"""
    rng, P, I = W.rng, W.P, W.I
    s = W.s
    # food poisoning at a village banquet: 8-20 villagers, one or two hospitals, staggered discharge
    nv = max(1, int(round(4 * s)))
    vills, vcount = np.unique(P.vill[P.vill >= 0], return_counts=True)
    big = vills[vcount >= 10]
    for g in range(nv):
        if len(big) == 0:
            break
        vi = rng.choice(big)
        mem = np.where(P.vill == vi)[0]
        mem = rng.choice(mem, size=min(len(mem), rng.integers(8, 21)), replace=False)
        day = rng.integers(0, ND - 5)
        ci = P.county[mem[0]]
        two = [P.cand[mem[0], VI["PRIM"]], P.cand[mem[0], VI["CNTY"]]]
        inst = np.where(rng.random(len(mem)) < 0.6, two[0], two[1])
        inst = np.where(I.ip[inst], inst, two[1])
        adm = day * DAY + 20 * 3600 + rng.integers(0, 5 * 3600, len(mem))
        los = rng.integers(1, 5, len(mem))
        dsc = (day + los) * DAY + tod(rng, len(mem), "dis")
        add_stays(W, psn=mem, inst=inst, dis=np.full(len(mem), DIS_IDX["foodpois"]), adm=adm, dsc=dsc, tag=-1)
    # road accidents: 2-4 members of a household, same hospital, different injuries and stays
    na = max(1, int(round(8 * s)))
    hhs = np.unique(P.hh)
    for g in range(na):
        h = rng.choice(hhs)
        mem = np.where(P.hh == h)[0]
        if len(mem) < 2:
            continue
        mem = mem[: rng.integers(2, min(4, len(mem)) + 1)]
        day = W.cal.days(rng, 1, "emerg", "trauma")[0]
        inst = P.cand[mem[0], VI["CITY"]] if rng.random() < 0.5 else P.cand[mem[0], VI["CNTY"]]
        dk = np.array([DIS_IDX[k] for k in ("concuss", "ribfx", "tibfx", "concuss")])[
            rng.integers(0, 4, len(mem))
        ]
        adm = day * DAY + rng.integers(8, 22) * 3600 + rng.integers(0, 3600, len(mem))
        dsc = (day + los_draw(W, dk, len(mem))) * DAY + tod(rng, len(mem), "dis")
        add_stays(W, psn=mem, inst=np.full(len(mem), inst), dis=dk, adm=adm, dsc=dsc, tag=-2)
    # influenza outbreak in a nursing home (Jan-Feb)
    homes = np.unique(P.hh[P.nh])
    for h in rng.choice(homes, size=min(len(homes), max(1, int(round(2 * s)))), replace=False):
        mem = np.where(P.hh == h)[0]
        mem = rng.choice(mem, size=min(len(mem), rng.integers(4, 11)), replace=False)
        d0 = rng.integers(5, 50)
        day = d0 + rng.integers(0, 4, len(mem))
        inst = P.cand[mem, VI["PRIM"]]
        inst = np.where(I.ip[inst], inst, P.cand[mem, VI["CNTY"]])
        dk = np.where(rng.random(len(mem)) < 0.6, DIS_IDX["flu"], DIS_IDX["pneu"])
        make_stays(W, mem, dk, inst=inst, day=day, emergency=np.ones(len(mem), bool), tag=-3)
    # dengue cluster in one village (Sep-Oct)
    if len(big):
        vi = rng.choice(big)
        mem = np.where(P.vill == vi)[0]
        mem = rng.choice(mem, size=min(len(mem), rng.integers(4, 10)), replace=False)
        day = doy(9, 5) + rng.integers(0, 18, len(mem))
        make_stays(
            W,
            mem,
            np.full(len(mem), DIS_IDX["dengue"]),
            inst=P.cand[mem, VI["CNTY"]],
            day=day,
            emergency=np.ones(len(mem), bool),
            tag=-4,
        )
    # elderly couples: both down with influenza / pneumonia within a day or two
    eld = np.where(P.age >= 70)[0]
    hh_e, cnt = np.unique(P.hh[eld], return_counts=True)
    cpl = hh_e[cnt >= 2]
    if len(cpl):
        cpl = rng.choice(cpl, size=min(len(cpl), max(1, int(round(25 * s)))), replace=False)
        for h in cpl:
            mem = eld[P.hh[eld] == h][:2]
            d0 = W.cal.days(rng, 1, "emerg", "flu")[0]
            inst = P.cand[mem[0], VI["CNTY"]] if rng.random() < 0.6 else P.cand[mem[0], VI["PRIM"]]
            if not I.ip[inst]:
                inst = P.cand[mem[0], VI["CNTY"]]
            make_stays(
                W,
                mem,
                np.array([DIS_IDX["flu"], DIS_IDX["pneu"]])[rng.integers(0, 2, 2)],
                inst=np.full(2, inst),
                day=d0 + np.array([0, rng.integers(0, 3)]),
                emergency=np.ones(2, bool),
                tag=-5,
            )


# =============================================================================================
# fraud: persons (labelled psn) and institutions (labelled fixmedins)
# =============================================================================================
PPAT = [
    "同进同出",
    "团伙倒卖药品",
    "分解住院",
    "挂床住院",
    "频繁住院",
    "超量开药",
    "冒名就医",
    "死亡后结算",
    "诊疗与性别年龄不符",
    "个人账户套现",
    "退费套现",
    "门慢特超范围用药",
    "频繁就诊",
]
PTAG = {k: i + 1 for i, k in enumerate(PPAT)}
PCOUNT = {
    "超量开药": 250,
    "个人账户套现": 150,
    "频繁住院": 140,
    "分解住院": 120,
    "冒名就医": 120,
    "挂床住院": 110,
    "门慢特超范围用药": 100,
    "诊疗与性别年龄不符": 80,
    "频繁就诊": 80,
    "死亡后结算": 60,
    "退费套现": 60,
}
N_COHORT_GROUPS, N_RINGS = 40, 5
IPAT_L = [
    "诱导住院",
    "报销金额雷同",
    "挂床住院",
    "分解住院",
    "重复收费",
    "串换项目",
    "药店串换",
    "药店刷卡套现",
    "药品追溯码重复销售",
    "过度检查",
    "血透虚记",
]
ICOUNT = [3, 2, 3, 2, 3, 2, 3, 2, 2, 2, 1]
MILD = ["lacunar", "chd", "htn", "chbron", "cervical", "disc", "gastritis", "osteo", "vertigo"]
SWAP_GOODS = [
    "liuwei",
    "ejiao_j",
    "caltrate",
    "danshen_dp",
    "xst_oral",
    "jingfukang",
    "angong",
    "calcitriol",
    "tongxinluo",
    "naoxintong",
]
ROUND_PRICES = np.array([68, 88, 98, 128, 168, 198, 268, 298, 368, 500])


def take(W, pool, k, w=None):
    pool = np.asarray(pool, np.int64)
    ok = ~W.taken[pool]
    pool = pool[ok]
    if w is not None:
        w = np.asarray(w, float)[ok]
    if len(pool) == 0 or k <= 0:
        return np.zeros(0, np.int64)
    k = min(int(k), len(pool))
    p = None if w is None or w.sum() <= 0 else w / w.sum()
    sel = W.rng.choice(pool, size=k, replace=False, p=p)
    W.taken[sel] = True
    return sel


def label_p(W, psn, pat, grp=None):
    for i, p in enumerate(psn):
        W.labels.append(
            ("psn", int(p), pat, "" if grp is None else (grp if isinstance(grp, str) else grp[i]))
        )


def assign_inst_fraud(W):
    rng, I = W.rng, W.I
    sc = min(1.0, W.s) ** 0.5
    avail = np.ones(I.n, bool)
    cat = I.cat
    normal_ph = I.is_ph & ~I.ph24 & ~I.dtp
    pools = {
        "诱导住院": [(CT["PRIV"], 2), (CT["TOWN"], 1)],
        "报销金额雷同": [(CT["PRIV"], 1)],
        "挂床住院": [(CT["TOWN"], 2), (CT["PRIV"], 1)],
        "分解住院": [(CT["CGEN"], 1), (CT["PRIV"], 1)],
        "重复收费": [(CT["CTCM"], 1), (CT["PRIV"], 1), (CT["T3GEN"], 1)],
        "串换项目": [(CT["CLINIC"], 1), (CT["PRIV"], 1)],
        "过度检查": [(CT["PRIV"], 1), (CT["CGEN"], 1)],
        "血透虚记": [(CT["DIAL"], 1)],
    }
    W.IPAT = {k: i for i, k in enumerate(IPAT_L)}
    W.inst_int = np.zeros(I.n)
    for name, want in zip(IPAT_L, ICOUNT):
        k = max(1, int(round(want * sc)))
        if name in ("药店串换", "药店刷卡套现", "药品追溯码重复销售"):
            opts = [(None, k)]
        else:
            opts = pools[name]
        chosen = []
        for cat_, kk in opts:
            if len(chosen) >= k:
                break
            if cat_ is None:
                cand = np.where(normal_ph & avail)[0]
            else:
                cand = np.where((cat == cat_) & avail & ((I.own == "2") | (cat_ != CT["CLINIC"])))[0]
                if cat_ == CT["DIAL"]:
                    cand = cand[1:] if len(cand) > 1 else cand
            take_n = min(kk, k - len(chosen), len(cand))
            if take_n > 0:
                sel = rng.choice(cand, size=take_n, replace=False)
                chosen += list(sel)
                avail[sel] = False
        if len(chosen) < k:  # fall back to any hospital with beds
            cand = np.where(avail & I.ip & (I.lvl >= 2) & (cat != CT["PSYCH"]) & (cat != CT["REHAB"]))[0]
            if name.startswith("药"):
                cand = np.where(normal_ph & avail)[0]
            sel = rng.choice(cand, size=min(k - len(chosen), len(cand)), replace=False)
            chosen += list(sel)
            avail[sel] = False
        for i in chosen:
            I.fraud[i] = W.IPAT[name]
            W.inst_int[i] = rng.uniform(0.3, 1.0)
            W.labels.append(("fixmedins", int(i), name, ""))


def fraud_insts(W, name):
    return np.where(W.I.fraud == W.IPAT[name])[0]


def basket_visits(
    W, psn, inst, mt, bt, dis, items, boxes, tag, grp=-1, dxfee=True, doc=None, dur=(300, 2400), price=None
):
    """visits whose lines are given as an item matrix (-1 = none); drugs in boxes"""
    rng, I = W.rng, W.I
    n = len(psn)
    if n == 0:
        return
    if doc is None:
        doc = np.where(I.is_ph[inst], -1, pick_doc(rng, I, inst))
    mt = np.broadcast_to(np.asarray(mt), (n,))
    et = bt + np.where(mt == M41, 0, rng.integers(dur[0], dur[1], n))
    V = mkV(
        psn=psn,
        inst=inst,
        mt=mt,
        bt=bt,
        et=et,
        st=et + rng.integers(20, 400, n),
        dis=dis,
        dept=np.where((dis >= 0) & (mt != M41), DIS_DEPT[np.maximum(dis, 0)], -1),
        doc=doc,
        tag=tag,
        grp=grp,
    )
    r, k = np.nonzero(items >= 0)
    it = items[r, k]
    Ls = [
        item_lines(
            W,
            r,
            it,
            inst[r],
            bt[r] + 120 + 30 * k,
            doc=doc[r],
            boxes=boxes[r, k],
            cnt=boxes[r, k].astype(float),
        )
    ]
    if price is not None:
        Ls[0]["pric"] = np.where(np.isnan(price[r, k]), Ls[0]["pric"], price[r, k])
    if dxfee:
        h = np.where(mt != M41)[0]
        Ls.append(item_lines(W, h, dx_fee_item(W, inst[h]), inst[h], bt[h], doc=doc[h]))
    return V, catd(Ls)


def addv(W, res, alive=True):
    if res is not None:
        W.acc.add(res[0], res[1], alive=alive)


def rand_items(W, n, keys, kmin, kmax):
    rng, c = W.rng, W.cat
    K = kmax
    out = np.full((n, K), -1, np.int64)
    ids = W.cat.ids(keys)
    nk = rng.integers(kmin, kmax + 1, n)
    for j in range(K):
        out[:, j] = np.where(j < nk, ids[rng.integers(0, len(ids), n)], -1)
    # no duplicates within a visit
    for j in range(1, K):
        dup = (out[:, j : j + 1] == out[:, :j]).any(1)
        out[dup, j] = -1
    return out


def alive_all_year(W, m):
    return m & (W.P.dday < 0) & (W.P.bday < 0)


# ----------------------------------------------------------------------------------------- persons
def f_cohorts(W):
    """同进同出: villagers (often elderly / low-income) admitted and discharged together, repeatedly"""
    rng, P, I = W.rng, W.P, W.I
    ng = max(1, int(round(N_COHORT_GROUPS * W.s)))
    induce = fraud_insts(W, "诱导住院")
    elig = alive_all_year(W, (P.vill >= 0) & (P.age >= 45) & (P.age < 88))
    vcnt = np.bincount(P.vill[elig], minlength=len(P.vill_name))
    vills = np.where(vcnt >= 5)[0]
    for g in range(ng):
        if len(vills) == 0:
            break
        vi = rng.choice(vills)
        pool = np.where(elig & (P.vill == vi))[0]
        w = np.where(P.age[pool] >= 60, 2.0, 1.0) * np.where(P.idet[pool] > 0, 2.0, 1.0)
        size = int(np.clip(rng.geometric(0.3) + 2, 3, 8))
        mem = take(W, pool, size, w)
        if len(mem) < 2:
            continue
        ci = P.county[mem[0]]
        loc = induce[I.county[induce] == ci]
        if len(induce) and rng.random() < 0.7:
            inst = rng.choice(loc) if len(loc) else rng.choice(induce)
        else:
            opt = np.where(I.ip & np.isin(I.cat, [CT["PRIV"], CT["TOWN"]]) & (I.county == ci))[0]
            inst = rng.choice(opt) if len(opt) else P.cand[mem[0], VI["PRIV"]]
        subtle = rng.random() < 0.35
        nep = 2 if subtle else rng.integers(2, 6)
        doc = I.doc_off[inst] + rng.integers(0, max(1, I.ndoc[inst]))
        days = np.sort(rng.choice(np.r_[10:25, 40:350], size=nep, replace=False))
        target = rng.uniform(2800, 4800)
        gid = "TJTC-%03d" % g
        for d0 in days:
            los = rng.integers(5, 11)
            m = len(mem)
            dl = np.where(subtle, rng.integers(-1, 2, m), 0)
            adm = d0 * DAY + int(8.5 * 3600) + rng.normal(0, 1500, m).astype(np.int64)
            dsc = (d0 + los + dl) * DAY + int(9.5 * 3600) + rng.normal(0, 1800, m).astype(np.int64)
            dk = DIS_IDX[MILD[rng.integers(0, len(MILD))]]
            dis = np.where(
                rng.random(m) < (0.5 if subtle else 0.8),
                dk,
                np.array([DIS_IDX[k] for k in MILD])[rng.integers(0, len(MILD), m)],
            )
            tm = np.where(subtle, 0.0, target * (1 + rng.normal(0, 0.015, m)))
            add_stays(
                W,
                psn=mem,
                inst=np.full(m, inst),
                dis=dis,
                adm=adm,
                dsc=dsc,
                tag=PTAG["同进同出"],
                grp=g,
                doc=np.full(m, doc),
                tmpl=tm,
            )
        label_p(W, mem, "同进同出", gid)


def f_rings(W):
    """团伙: recruited card holders buy resale drugs on the same days, minutes apart, at the ring's outlets"""
    rng, P, I, c, cal = W.rng, W.P, W.I, W.cat, W.cal
    nr = max(1, int(round(N_RINGS * W.s)))
    elig = alive_all_year(W, (P.age >= 30) & (P.age < 76))
    phs = np.where(I.is_ph & ~I.dtp)[0]
    clin = np.where(np.isin(I.cat, [CT["CLINIC"], CT["PRIV"]]))[0]
    W.ring_lines = []
    for g in range(nr):
        subtle = rng.random() < 0.3
        size = rng.integers(6, 9) if subtle else rng.integers(10, 26)
        size = min(size, max(4, int(0.004 * W.N)))
        w = np.where(P.emp, 2.0, 1.0) * np.where(W.des >= 0, 1.5, 1.0)
        mem = take(W, np.where(elig)[0], size, w[elig])
        if len(mem) < 3:
            continue
        ci = P.county[mem[0]]
        bases = list(
            rng.choice(
                phs[I.county[phs] == ci] if (I.county[phs] == ci).sum() >= 2 else phs, size=2, replace=False
            )
        ) + [rng.choice(clin)]
        drugs = rng.choice(
            W.cat.ids(
                [
                    "semaglutide",
                    "glargine",
                    "aspart",
                    "dapagliflozin",
                    "seretide",
                    "symbicort",
                    "tiotropium",
                    "taf",
                    "butylphthalide",
                ]
            ),
            size=2,
            replace=False,
        )
        nruns = rng.integers(8, 12) if subtle else rng.integers(14, 31)
        rdays = np.sort(rng.choice(np.arange(3, ND - 2), size=nruns, replace=False))
        gid = "TH-%02d" % g
        for d0 in rdays:
            inst = bases[rng.integers(0, len(bases))]
            part = mem[rng.random(len(mem)) < (0.5 if subtle else rng.uniform(0.6, 0.9))]
            if len(part) == 0:
                continue
            part = rng.permutation(part)
            m = len(part)
            spread = 3 * 3600 if subtle else 0
            t0 = int(rng.uniform(9, 16) * 3600)
            bt = d0 * DAY + t0 + np.cumsum(rng.integers(90, 480, m)) + rng.integers(0, spread + 1, m)
            items = np.full((m, 2), -1, np.int64)
            items[:, 0] = drugs[0]
            items[:, 1] = np.where(rng.random(m) < 0.5, drugs[1], -1)
            boxes = rng.integers(2, 7, (m, 2))
            isph = I.is_ph[inst]
            mt = M41 if isph else np.where(W.des[part] == inst, M14, M11)
            dk = np.where(
                np.isin(drugs[0], c.ids(["seretide", "symbicort", "tiotropium"])),
                DIS_IDX["copd"],
                np.where(
                    drugs[0] == c["taf"],
                    DIS_IDX["hbv"],
                    np.where(drugs[0] == c["butylphthalide"], DIS_IDX["rehab"], DIS_IDX["dm"]),
                ),
            )
            dis = np.where(isph & (rng.random(m) < 0.6), -1, dk)
            addv(
                W,
                basket_visits(
                    W,
                    part,
                    np.full(m, inst),
                    mt,
                    bt,
                    np.broadcast_to(dis, (m,)).copy(),
                    items,
                    boxes,
                    PTAG["团伙倒卖药品"],
                    grp=g,
                ),
            )
        label_p(W, mem, "团伙倒卖药品", gid)


def f_split(W):
    """分解住院 (person): discharged and re-admitted to the same hospital within days, same diagnosis"""
    rng, P, I = W.rng, W.P, W.I
    k = max(1, int(round(PCOUNT["分解住院"] * W.s)))
    mem = take(W, np.where(alive_all_year(W, (P.age >= 45) & (P.age < 86)))[0], k)
    dks = ["stroke", "lacunar", "copd_ae", "disc", "angina", "dm", "pneu", "hf", "cervical"]
    for p in mem:
        u = rng.random()
        inst = (
            P.cand[p, VI["CNTY"]]
            if u < 0.4
            else (P.cand[p, VI["PRIV"]] if u < 0.8 else P.cand[p, VI["PRIM"]])
        )
        if not I.ip[inst]:
            inst = P.cand[p, VI["CNTY"]]
        npair = rng.integers(1, 4)
        starts = np.sort(rng.choice(np.arange(5, ND - 40), size=npair, replace=False))
        for d0 in starts:
            dk = DIS_IDX[dks[rng.integers(0, len(dks))]]
            l1 = rng.integers(6, 13)
            gap = cat_draw(rng, 1, [0.25, 0.4, 0.25, 0.1])[0]
            gap = [0, 1, rng.integers(2, 4), rng.integers(4, 10)][gap]
            l2 = rng.integers(4, 11)
            adm1 = d0 * DAY + tod(rng, 1, "adm_el")[0]
            dsc1 = (d0 + l1) * DAY + tod(rng, 1, "dis")[0]
            adm2 = (
                dsc1 + rng.integers(3600, 4 * 3600)
                if gap == 0
                else (d0 + l1 + gap) * DAY + tod(rng, 1, "adm_el")[0]
            )
            dsc2 = (adm2 // DAY + l2) * DAY + tod(rng, 1, "dis")[0]
            dk2 = dk if rng.random() < 0.8 else DIS_IDX["rehab" if dk == DIS_IDX["stroke"] else "lacunar"]
            add_stays(
                W,
                psn=np.array([p, p]),
                inst=np.array([inst, inst]),
                dis=np.array([dk, dk2]),
                adm=np.array([adm1, adm2]),
                dsc=np.array([dsc1, dsc2]),
                tag=PTAG["分解住院"],
            )
    label_p(W, mem, "分解住院")


def outside_purchases(W, psn, days, tag):
    """pharmacy purchases / clinic visits of a person who is supposedly lying in a ward"""
    rng, P, I, c = W.rng, W.P, W.I, W.cat
    n = len(psn)
    if n == 0:
        return
    far = rng.random(n) < (0.3 if tag else 0.0)
    phs = np.where(I.is_ph & ~I.dtp)[0]
    inst = np.where(far, rng.choice(phs, n), P.pref_ph[psn, 0])
    bt = days * DAY + tod(rng, n, "pharm")
    items = rand_items(
        W,
        n,
        [
            "amlodipine",
            "metformin",
            "omeprazole",
            "ganmaoling",
            "ibuprofen",
            "caltrate",
            "danshen_dp",
            "liuwei",
        ],
        1,
        2,
    )
    addv(W, basket_visits(W, psn, inst, M41, bt, np.full(n, -1), items, np.ones(items.shape, np.int64), tag))


def f_ghost_bed(W):
    """挂床住院 (person): long stays with bed and nursing only, while the person shops elsewhere"""
    rng, P, I = W.rng, W.P, W.I
    k = max(1, int(round(PCOUNT["挂床住院"] * W.s)))
    mem = take(
        W,
        np.where(alive_all_year(W, (P.age >= 50) & (P.age < 86)))[0],
        k,
        np.where(P.rural, 2.0, 1.0)[alive_all_year(W, (P.age >= 50) & (P.age < 86))],
    )
    for p in mem:
        inst = P.cand[p, VI["PRIM"]] if rng.random() < 0.6 else P.cand[p, VI["PRIV"]]
        if not I.ip[inst]:
            inst = P.cand[p, VI["PRIV"]]
        ns = rng.integers(1, 4)
        for d0 in np.sort(rng.choice(np.arange(0, ND - 35), size=ns, replace=False)):
            los = rng.integers(10, 26)
            dk = DIS_IDX[MILD[rng.integers(0, len(MILD))]]
            adm = d0 * DAY + tod(rng, 1, "adm_el")[0]
            dsc = (d0 + los) * DAY + tod(rng, 1, "dis")[0]
            add_stays(
                W,
                psn=np.array([p]),
                inst=np.array([inst]),
                dis=np.array([dk]),
                adm=np.array([adm]),
                dsc=np.array([dsc]),
                sparse=1,
                tag=PTAG["挂床住院"],
            )
            if rng.random() < 0.7:
                k_ = rng.integers(1, 4)
                outside_purchases(W, np.full(k_, p), d0 + rng.integers(2, los, k_), PTAG["挂床住院"])
    label_p(W, mem, "挂床住院")


def f_frequent_ip(W):
    """频繁住院: 4-12 short admissions a year with mild diagnoses at low-level / private hospitals"""
    rng, P, I = W.rng, W.P, W.I
    k = max(1, int(round(PCOUNT["频繁住院"] * W.s)))
    el = alive_all_year(W, (P.age >= 55) & (P.age < 91))
    mem = take(W, np.where(el)[0], k, np.where(P.idet > 0, 2.0, 1.0)[el])
    for p in mem:
        subtle = rng.random() < 0.3
        K = rng.integers(4, 6) if subtle else rng.integers(6, 13)
        opts = np.array([P.cand[p, VI["PRIV"]], P.cand[p, VI["PRIM"]], P.cand[p, VI["CNTY"]]])
        opts = opts[I.ip[opts]]
        use = opts[rng.integers(0, len(opts), rng.integers(1, 4))]
        gaps = rng.integers(18, 45, K)
        days = rng.integers(0, 20) + np.cumsum(gaps)
        days = days[days < ND - 10]
        n = len(days)
        dis = np.array([DIS_IDX[k_] for k_ in MILD])[rng.integers(0, len(MILD), n)]
        make_stays(
            W,
            np.full(n, p),
            dis,
            inst=use[rng.integers(0, len(use), n)],
            day=days,
            los=rng.integers(3, 9, n),
            emergency=np.zeros(n, bool),
            tag=PTAG["频繁住院"],
        )
    label_p(W, mem, "频繁住院")


def f_overdose(W):
    """超量开药 / 倒卖: chronic patients buying 1.5-4x their need across several outlets"""
    rng, P, I, c, cal = W.rng, W.P, W.I, W.cat, W.cal
    k = max(1, int(round(PCOUNT["超量开药"] * W.s)))
    C = P.cond
    has = C[:, [COND_IDX[x] for x in ("htn", "dm", "copd", "hbv", "stroke", "chd")]].any(1)
    mem = take(W, np.where(alive_all_year(W, has & (P.age >= 30)))[0], k)
    phs = np.where(I.is_ph & ~I.dtp)[0]
    resale_map = {
        "dm": ["glargine", "semaglutide", "dapagliflozin", "aspart"],
        "copd": ["seretide", "symbicort", "tiotropium"],
        "hbv": ["taf"],
        "stroke": ["butylphthalide"],
    }
    reg_idx = np.argsort(W.reg_psn, kind="stable")
    rp_sorted = W.reg_psn[reg_idx]
    W.over_resale = []
    for p in mem:
        resale = rng.random() < 0.4
        drugs = []
        if resale:
            for cn, lst in resale_map.items():
                if C[p, COND_IDX[cn]]:
                    drugs.append(c[lst[rng.integers(0, len(lst))]])
        if not drugs:
            lo, hi = np.searchsorted(rp_sorted, p), np.searchsorted(rp_sorted, p, "right")
            drugs = list(np.unique(W.reg_drug[reg_idx[lo:hi]]))[:3]
            resale = False
        if not drugs:
            continue
        if resale:
            W.over_resale.append(p)
        M = rng.uniform(1.5, 2.0) if rng.random() < 0.3 else rng.uniform(2.0, 4.0)
        itv = 30.0 / M
        r, day = sched(W, np.array([p]), np.array([itv]), comp_sd=0.05, jitter=0.25)
        n = len(day)
        venues = np.array(
            [
                P.pref_ph[p, 0],
                P.pref_ph[p, 1],
                P.cand[p, VI["PRIM"]],
                P.cand[p, VI["CNTY"]],
                rng.choice(phs),
                P.cand[p, VI["CITY"]],
            ]
        )
        nv_ = rng.integers(2, 6)
        inst = venues[:nv_][rng.integers(0, nv_, n)]
        isph = I.is_ph[inst]
        mt = np.where(isph, M41, np.where(W.des[p] == inst, M14, M11))
        bt = day * DAY + np.where(isph, tod(rng, n, "pharm"), tod(rng, n, "op"))
        items = np.full((n, len(drugs)), -1, np.int64)
        items[:] = np.array(drugs)[None, :]
        boxes = np.maximum(1, np.round(30 / np.maximum(c.days[items], 1))).astype(np.int64)
        cn = next((x for x in ("dm", "copd", "hbv", "stroke", "htn", "chd") if C[p, COND_IDX[x]]), "htn")
        dis = np.where(isph & (rng.random(n) < 0.5), -1, DIS_IDX[COND_DIS[cn]])
        addv(W, basket_visits(W, np.full(n, p), inst, mt, bt, dis, items, boxes, PTAG["超量开药"]))
    label_p(W, mem, "超量开药")


def f_impersonation(W):
    """冒名就医 / 借卡: a young employee's card used by an older relative (or a pregnant woman) elsewhere"""
    rng, P, I, c, cal = W.rng, W.P, W.I, W.cat, W.cal
    k = max(1, int(round(PCOUNT["冒名就医"] * W.s)))
    el = alive_all_year(W, P.emp & (P.age >= 20) & (P.age < 46) & ~P.cond.any(1))
    mem = take(W, np.where(el)[0], k)
    by_county = [np.where(P.county == ci)[0] for ci in range(NC)]
    for p in mem:
        other = rng.choice([x for x in range(NC) if x != P.county[p]])
        d = rng.choice(by_county[other])  # borrow the venues of someone living there
        start = rng.integers(0, 250)
        dur = rng.integers(90, 300)
        if rng.random() < 0.2:  # pregnant woman using the card
            dd = min(ND - 6, start + dur)
            vis = np.arange(max(0, dd - 200), dd - 5, 24)
            n = len(vis)
            inst = np.full(n, P.cand[d, VI["MCH"]])
            items = rand_items(W, n, ["us_ob", "cbc", "urine", "glu"], 2, 3)
            addv(
                W,
                basket_visits(
                    W,
                    np.full(n, p),
                    inst,
                    M11 if rng.random() < 0.5 else M51,
                    vis * DAY + tod(rng, n, "op"),
                    np.full(n, DIS_IDX["preg"]),
                    items,
                    np.ones(items.shape, np.int64),
                    PTAG["冒名就医"],
                ),
            )
            dk = DIS_IDX["deliv"] if rng.random() < 0.6 else DIS_IDX["csect"]
            make_stays(
                W,
                np.array([p]),
                np.array([dk]),
                inst=np.array([P.cand[d, VI["MCH"]]]),
                day=np.array([dd]),
                los=np.array([3 if dk == DIS_IDX["deliv"] else 5]),
                emergency=np.ones(1, bool),
                tag=PTAG["冒名就医"],
                mt=M21,
            )
        else:
            female_user = rng.random() < 0.6
            keys = [
                "metformin",
                "glargine",
                "amlodipine",
                "irbesartan",
                "caltrate",
                "calcitriol",
                "atorvastatin",
                "danshen_dp",
            ]
            if female_user:
                keys += ["estradiol", "alendronate"]
            dk = [DIS_IDX["dm"], DIS_IDX["htn"], DIS_IDX["osteo"]] + (
                [DIS_IDX["menop"]] if female_user else []
            )
            vis = np.arange(start, min(ND, start + dur), 30) + rng.integers(-3, 4)
            vis = vis[(vis >= 0) & (vis < ND)]
            n = len(vis)
            u = rng.random(n)
            inst = np.where(
                u < 0.6, P.pref_ph[d, 0], np.where(u < 0.85, P.cand[d, VI["PRIM"]], P.cand[d, VI["CNTY"]])
            )
            isph = I.is_ph[inst]
            items = rand_items(W, n, keys, 2, 3)
            bt = vis * DAY + np.where(isph, tod(rng, n, "pharm"), tod(rng, n, "op"))
            dis = np.array(dk)[rng.integers(0, len(dk), n)]
            addv(
                W,
                basket_visits(
                    W,
                    np.full(n, p),
                    inst,
                    np.where(isph, M41, M11),
                    bt,
                    np.where(isph & (rng.random(n) < 0.5), -1, dis),
                    items,
                    np.ones(items.shape, np.int64) + (rng.random(items.shape) < 0.3),
                    PTAG["冒名就医"],
                ),
            )
    label_p(W, mem, "冒名就医")


def f_after_death(W):
    """死亡后结算: the card of a dead person keeps being used (chronic drugs, now and then a stay)"""
    rng, P, I, c = W.rng, W.P, W.I, W.cat
    k = max(1, int(round(PCOUNT["死亡后结算"] * W.s)))
    el = (P.dday >= 0) & (P.dday <= 330) & (P.age >= 40)
    w = np.where(P.cond.any(1), 3.0, 1.0)
    mem = take(W, np.where(el)[0], k, w[el])
    W.force_death = mem
    reg_idx = np.argsort(W.reg_psn, kind="stable")
    rp_sorted = W.reg_psn[reg_idx]
    for p in mem:
        lo, hi = np.searchsorted(rp_sorted, p), np.searchsorted(rp_sorted, p, "right")
        drugs = list(np.unique(W.reg_drug[reg_idx[lo:hi]]))[:3] or [c["amlodipine"], c["danshen_dp"]]
        if rng.random() < 0.3:
            days = P.dday[p] + rng.integers(3, 21, rng.integers(1, 3))
        else:
            days = np.arange(P.dday[p] + rng.integers(5, 31), ND, 30) + rng.integers(-3, 4)
        days = np.unique(days[(days > P.dday[p]) & (days < ND)])
        n = len(days)
        if n == 0:
            continue
        u = rng.random(n)
        inst = np.where(u < 0.65, P.pref_ph[p, 0], np.where(u < 0.85, P.pref_ph[p, 1], P.cand[p, VI["PRIM"]]))
        isph = I.is_ph[inst]
        mt = np.where(isph, M41, np.where(W.des[p] == inst, M14, M11))
        items = np.tile(np.array(drugs), (n, 1))
        boxes = np.maximum(1, np.round(30 / np.maximum(c.days[items], 1))).astype(np.int64)
        bt = days * DAY + np.where(isph, tod(rng, n, "pharm"), tod(rng, n, "op"))
        cn = next((x for x in ("htn", "dm", "chd", "copd", "stroke") if P.cond[p, COND_IDX[x]]), "htn")
        addv(
            W,
            basket_visits(
                W,
                np.full(n, p),
                inst,
                mt,
                bt,
                np.full(n, DIS_IDX[COND_DIS[cn]]),
                items,
                boxes,
                PTAG["死亡后结算"],
            ),
            alive=False,
        )
        if rng.random() < 0.1 and P.dday[p] < ND - 20:
            inst = P.cand[p, VI["PRIV"]]
            d0 = P.dday[p] + rng.integers(5, 20)
            adm = d0 * DAY + tod(rng, 1, "adm_el")[0]
            add_stays(
                W,
                psn=np.array([p]),
                inst=np.array([inst]),
                dis=np.array([DIS_IDX["lacunar"]]),
                adm=np.array([adm]),
                dsc=np.array([(d0 + 7) * DAY + 36000]),
                tag=PTAG["死亡后结算"],
                free=1,
            )
    label_p(W, mem, "死亡后结算")


def f_sex_age(W):
    """诊疗与性别年龄不符: services impossible for the card holder's sex or age, fabricated by a clinic"""
    rng, P, I, c = W.rng, W.P, W.I, W.cat
    k = max(1, int(round(PCOUNT["诊疗与性别年龄不符"] * W.s)))
    mem = take(W, np.where(alive_all_year(W, P.age >= 3))[0], k)
    for p in mem:
        subtle = rng.random() < 0.3
        n = rng.integers(1, 3) if subtle else rng.integers(2, 7)
        inst = P.cand[p, VI["CLIN"]] if rng.random() < 0.5 else P.cand[p, VI["PRIV"]]
        a, s = P.age[p], P.sex[p]
        if a < 12:
            keys, dk = ["amlodipine", "metformin", "lipid", "glu", "ecg"], "htn"
        elif s == 1:
            keys, dk = ["vag_sec", "vag_irrig", "metronid_vag", "tct", "us_gyn", "progesterone"], "vagin"
        elif a >= 30 and rng.random() < 0.7:
            keys, dk = ["us_uro", "psa", "prost_fluid", "tamsulosin", "finasteride"], "bph"
        else:
            keys, dk = ["kid_tuina", "bili", "xiaoer_qr", "ibu_susp"], "fever"
        days = np.sort(rng.choice(np.arange(0, ND), size=n, replace=False))
        items = rand_items(W, n, keys, 2, 4)
        dis = np.full(n, DIS_IDX["uri"] if subtle else DIS_IDX[dk])
        addv(
            W,
            basket_visits(
                W,
                np.full(n, p),
                np.full(n, inst),
                M11,
                days * DAY + tod(rng, n, "prim"),
                dis,
                items,
                np.ones(items.shape, np.int64),
                PTAG["诊疗与性别年龄不符"],
            ),
        )
        if not subtle and a >= 55 and s == 2 and rng.random() < 0.3 and I.ip[inst]:
            d0 = rng.integers(0, ND - 5)
            add_stays(
                W,
                psn=np.array([p]),
                inst=np.array([inst]),
                dis=np.array([DIS_IDX["deliv"]]),
                adm=np.array([d0 * DAY + 30000]),
                dsc=np.array([(d0 + 3) * DAY + 36000]),
                tag=PTAG["诊疗与性别年龄不符"],
            )
    label_p(W, mem, "诊疗与性别年龄不符")


def f_account_cashout(W):
    """个人账户套现: an employee's personal account drained at a colluding pharmacy in round amounts"""
    rng, P, I, c, cal = W.rng, W.P, W.I, W.cat, W.cal
    k = max(1, int(round(PCOUNT["个人账户套现"] * W.s)))
    mem = take(W, np.where(alive_all_year(W, P.emp & (P.age >= 25) & (P.age < 71)))[0], k)
    bad = np.concatenate([fraud_insts(W, "药店刷卡套现"), fraud_insts(W, "药店串换")])
    W.cash_pool = {i: [] for i in bad}
    goods = c.ids(SWAP_GOODS)
    for p in mem:
        loc = bad[I.county[bad] == P.county[p]]
        if len(bad) and rng.random() < 0.55:
            ph = rng.choice(loc) if len(loc) else rng.choice(bad)
            if ph in W.cash_pool:
                W.cash_pool[ph].append(p)
        else:
            ph = P.pref_ph[p, 0]
        subtle = rng.random() < 0.3
        n = rng.integers(4, 7) if subtle else rng.integers(8, 31)
        end_m = cal.dom >= 24
        w = np.where(end_m, 4.0, 1.0) * np.where(cal.month == 11, 2.0, 1.0)
        days = np.sort(rng.choice(np.arange(ND), size=n, replace=False, p=w / w.sum()))
        target = ROUND_PRICES[rng.integers(0, len(ROUND_PRICES), n)].astype(float)
        items = np.full((n, 2), -1, np.int64)
        items[:, 0] = goods[rng.integers(0, len(goods), n)]
        items[:, 1] = np.where(rng.random(n) < 0.4, goods[rng.integers(0, len(goods), n)], -1)
        items[:, 1] = np.where(items[:, 1] == items[:, 0], -1, items[:, 1])
        p0 = c.price[items[:, 0]]
        cnt0 = np.maximum(1, np.round(target / p0 * (0.7 if True else 1))).astype(np.int64)
        boxes = np.ones((n, 2), np.int64)
        boxes[:, 0] = np.minimum(cnt0, 12)
        price = np.full((n, 2), np.nan)
        exact = rng.random(n) < 0.5
        second = np.where(items[:, 1] >= 0, c.price[np.maximum(items[:, 1], 0)], 0)
        price[exact, 0] = np.round((target[exact] - second[exact]) / boxes[exact, 0], 2)
        price[exact & (price[:, 0] <= 0), 0] = np.nan
        bt = days * DAY + tod(rng, n, "pharm")
        res = basket_visits(
            W,
            np.full(n, p),
            np.full(n, ph),
            M41,
            bt,
            np.full(n, -1),
            items,
            boxes,
            PTAG["个人账户套现"],
            price=price,
        )
        addv(W, res)
    label_p(W, mem, "个人账户套现")


def f_refund_cash(W):
    """退费套现: settle with the fund, then refund to cash without returning the fund's share"""
    rng, P, I, c = W.rng, W.P, W.I, W.cat
    k = max(1, int(round(PCOUNT["退费套现"] * W.s)))
    el = alive_all_year(W, P.age >= 40)
    mem = take(W, np.where(el)[0], k, np.where(W.des >= 0, 3.0, 1.0)[el])
    for p in mem:
        subtle = rng.random() < 0.3
        n = rng.integers(4, 6) if subtle else rng.integers(6, 21)
        inst = W.des[p] if W.des[p] >= 0 else P.cand[p, VI["CNTY"]]
        if I.is_ph[inst]:
            inst = P.cand[p, VI["CNTY"]]
        days = np.sort(rng.choice(np.arange(ND - 4), size=n, replace=False))
        items = np.concatenate(
            [
                rand_items(W, n, ["lft", "rft", "us_abd", "ct_chest", "hba1c", "lipid"], 1, 3),
                rand_items(
                    W,
                    n,
                    [
                        "seretide",
                        "taf",
                        "dapagliflozin",
                        "glargine",
                        "danshen_dp",
                        "tongxinluo",
                        "naoxintong",
                    ],
                    1,
                    2,
                ),
            ],
            axis=1,
        )
        boxes = np.where(c.is_drug[np.maximum(items, 0)], rng.integers(2, 5, items.shape), 1)
        mt = M14 if W.des[p] == inst else M11
        dk = DIS_IDX[COND_DIS[CONDS[int(np.argmax(W.registered[p]))][0]]] if W.des[p] >= 0 else DIS_IDX["chd"]
        addv(
            W,
            basket_visits(
                W,
                np.full(n, p),
                np.full(n, inst),
                mt,
                days * DAY + tod(rng, n, "op"),
                np.full(n, dk),
                items,
                boxes,
                PTAG["退费套现"],
            ),
        )
        W.refund_rho[p] = rng.uniform(0.3, 0.5) if subtle else 0.0
    label_p(W, mem, "退费套现")


def f_opsp_scope(W):
    """门慢特超范围用药: 14-visits every 1-2 weeks with drugs unrelated to the registered disease; some
    registrations are new in 2025 and not backed by any history (假本子)"""
    rng, P, I, c = W.rng, W.P, W.I, W.cat
    k = max(1, int(round(PCOUNT["门慢特超范围用药"] * W.s)))
    conds = [COND_IDX[x] for x in ("htn", "dm", "chd", "copd")]
    realreg = W.registered[:, conds].any(1)
    n_real = int(round(k * 0.6))
    mem_r = take(W, np.where(alive_all_year(W, realreg))[0], n_real)
    mem_f = take(
        W, np.where(alive_all_year(W, ~W.registered.any(1) & (P.age >= 40) & (P.age < 76)))[0], k - len(mem_r)
    )
    unrelated = [
        "ganmaoling",
        "lianhua",
        "omeprazole",
        "liuwei",
        "caltrate",
        "ibuprofen",
        "pudilan",
        "amoxicillin",
        "ejiao_j",
        "jingfukang",
        "cough",
        "smecta",
    ]
    new_rows = []
    fakes = set(mem_f.tolist())
    ro = np.argsort(W.reg_psn, kind="stable")
    rps = W.reg_psn[ro]
    for p in np.concatenate([mem_r, mem_f]):
        fake = p in fakes
        if fake:
            ci = conds[rng.integers(0, len(conds))]
            beg = rng.integers(0, 150)
            inst = P.cand[p, VI["PRIV"]] if rng.random() < 0.6 else P.cand[p, VI["CNTY"]]
            new_rows.append((p, CONDS[ci][1], CONDS[ci][2], beg))
            W.des[p] = inst
        else:
            ci = [x for x in conds if W.registered[p, x]][0]
            beg = max(0, W.reg_beg[p, ci])
            inst = W.des[p]
        subtle = rng.random() < 0.3
        itv = rng.uniform(12, 16) if subtle else rng.uniform(6, 12)
        r, day = sched(W, np.array([p]), np.array([itv]), lo=np.array([beg]), jitter=0.2)
        n = len(day)
        if n == 0:
            continue
        items = rand_items(W, n, unrelated, 2, 4)
        rel = W.reg_drug[ro[np.searchsorted(rps, p) : np.searchsorted(rps, p, "right")]]
        if len(rel) and not fake:
            items[:, 0] = np.where(rng.random(n) < 0.5, rel[rng.integers(0, len(rel), n)], items[:, 0])
        boxes = np.where(items >= 0, rng.integers(2, 5, items.shape), 1)
        dk = DIS_IDX[COND_DIS[CONDS[ci][0]]]
        addv(
            W,
            basket_visits(
                W,
                np.full(n, p),
                np.full(n, inst),
                M14,
                day * DAY + tod(rng, n, "op"),
                np.full(n, dk),
                items,
                boxes,
                PTAG["门慢特超范围用药"],
            ),
        )
    W.fake_reg = new_rows
    label_p(W, np.concatenate([mem_r, mem_f]), "门慢特超范围用药")


def f_frequent_op(W):
    """频繁就诊 / 分解处方: dozens to 150 small clinic visits a year, several settlements a day"""
    rng, P, I, c = W.rng, W.P, W.I, W.cat
    k = max(1, int(round(PCOUNT["频繁就诊"] * W.s)))
    mem = take(W, np.where(alive_all_year(W, (P.age >= 40) & (P.age < 81)))[0], k)
    keys = [
        "amoxicillin",
        "ibuprofen",
        "omeprazole",
        "cough",
        "ganmaoling",
        "danshen_dp",
        "liuwei",
        "jingfukang",
    ]
    for p in mem:
        subtle = rng.random() < 0.3
        nd = rng.integers(35, 46) if subtle else rng.integers(46, 151)
        clin = np.array([P.cand[p, VI["CLIN"]], P.cand[p, VI["PRIM"]]])[: rng.integers(1, 3)]
        days = np.sort(rng.choice(np.arange(ND), size=nd, replace=False))
        per = np.where(rng.random(nd) < 0.3, rng.integers(2, 4, nd), 1)
        d = np.repeat(days, per)
        j = seq_in_group(per)
        n = len(d)
        inst = np.repeat(clin[rng.integers(0, len(clin), nd)], per)
        t0 = np.repeat(tod(rng, nd, "prim"), per)
        bt = d * DAY + t0 + j * rng.integers(300, 1800, n)
        items = rand_items(W, n, keys, 1, 2)
        dk = np.array([DIS_IDX[x] for x in ("uri", "gastritis", "lbp", "htn", "cervical")])[
            rng.integers(0, 5, n)
        ]
        addv(
            W,
            basket_visits(
                W,
                np.full(n, p),
                inst,
                M11,
                bt,
                dk,
                items,
                np.ones(items.shape, np.int64),
                PTAG["频繁就诊"],
                dur=(300, 900),
            ),
        )
    label_p(W, mem, "频繁就诊")


# ----------------------------------------------------------------------------------------- institutions
def inst_catchment(W, i, amin=0, amax=120, rural_w=1.0):
    P, I = W.P, W.I
    ci = I.county[i]
    m = (P.county == ci) & (P.age >= amin) & (P.age < amax) & (P.dday < 0) & (P.bday < 0)
    pool = np.where(m)[0]
    return pool, np.where(P.rural[pool], rural_w, 1.0) * np.where(P.idet[pool] > 0, 2.0, 1.0)


def fi_induced(W):
    """诱导住院 / 集中入院: a van brings elderly villagers twice a week; mild diagnoses, 7-9 days, IV herbal injections"""
    rng, P, I, cal = W.rng, W.P, W.I, W.cal
    for i in fraud_insts(W, "诱导住院"):
        it = W.inst_int[i]
        nadm = max(8, int(round(rng.uniform(150, 350) * it * W.s)))
        pool, w = inst_catchment(W, i, 55, 88, 2.0)
        recruits = (
            rng.choice(pool, size=max(3, int(nadm * 0.6)), replace=False, p=w / w.sum())
            if len(pool) > nadm
            else pool
        )
        bdays = np.where(np.isin(cal.dow, [0, 3]) & ~cal.hol)[0]
        day = rng.choice(bdays, size=nadm)
        psn = rng.choice(recruits, size=nadm)
        dis = np.array([DIS_IDX[k] for k in MILD])[cat_draw(rng, nadm, [3, 2, 2, 2, 1.5, 1.5, 1, 1, 1])]
        dis = restrict_dis(W, dis, P.age[psn], P.sex[psn], DIS_IDX["chd"])
        adm = day * DAY + int(8.75 * 3600) + rng.integers(-1200, 2400, nadm)
        los = rng.integers(6, 10, nadm)
        dsc = (day + los) * DAY + tod(rng, nadm, "dis")
        docs = I.doc_off[i] + rng.integers(0, max(1, min(3, I.ndoc[i])), nadm)
        add_stays(
            W,
            psn=psn,
            inst=np.full(nadm, i),
            dis=dis,
            adm=adm,
            dsc=dsc,
            tag=100 + W.IPAT["诱导住院"],
            doc=docs,
        )


def fi_template(W):
    """报销金额雷同: bills built from a template so that totals sit within ~1-2% of one of two amounts"""
    rng, P, I = W.rng, W.P, W.I
    for i in fraud_insts(W, "报销金额雷同"):
        it = W.inst_int[i]
        n = max(8, int(round(rng.uniform(150, 300) * it * W.s)))
        pool, w = inst_catchment(W, i, 30, 86)
        psn = rng.choice(pool, size=n, p=w / w.sum())
        dis = np.array([DIS_IDX[k] for k in MILD])[rng.integers(0, len(MILD), n)]
        dis = restrict_dis(W, dis, P.age[psn], P.sex[psn], DIS_IDX["chd"])
        targets = np.sort(rng.uniform(2600, 4800, 2))
        tm = targets[rng.integers(0, 2, n)] * (1 + rng.normal(0, 0.008 + 0.012 * (1 - it), n))
        make_stays(
            W,
            psn,
            dis,
            inst=np.full(n, i),
            los=rng.integers(4, 7, n),
            emergency=np.zeros(n, bool),
            tag=100 + W.IPAT["报销金额雷同"],
            tmpl=tm,
        )


def fi_ghost_bed(W):
    """挂床住院 (institution): many long stays with only bed, nursing and a few days of drugs"""
    rng, P, I = W.rng, W.P, W.I
    for i in fraud_insts(W, "挂床住院"):
        it = W.inst_int[i]
        n = max(6, int(round(rng.uniform(120, 250) * it * W.s)))
        pool, w = inst_catchment(W, i, 50, 88, 2.0)
        psn = rng.choice(pool, size=n, p=w / w.sum())
        dis = np.array([DIS_IDX[k] for k in MILD])[rng.integers(0, len(MILD), n)]
        dis = restrict_dis(W, dis, P.age[psn], P.sex[psn], DIS_IDX["chd"])
        adm, dsc, _ = make_stays(
            W,
            psn,
            dis,
            inst=np.full(n, i),
            los=rng.integers(12, 31, n),
            emergency=np.zeros(n, bool),
            tag=100 + W.IPAT["挂床住院"],
            sparse=1,
        )
        o = np.where(rng.random(n) < 0.25)[0]
        if len(o):
            outside_purchases(
                W, psn[o], adm[o] // DAY + rng.integers(3, 10, len(o)), 100 + W.IPAT["挂床住院"]
            )


def fi_split_transform(W, S):
    """分解住院 (institution): a share of longer stays is cut in two with a same/next-day re-admission"""
    rng, I = W.rng, W.I
    fi = fraud_insts(W, "分解住院")
    nights = S["dsc"] // DAY - S["adm"] // DAY
    m = np.isin(S["inst"], fi) & (nights >= 6) & (S["tag"] <= 0) & (S["pkg"] == 0)
    frac = W.inst_int[S["inst"]] * 0.45
    r = np.where(m & (rng.random(len(m)) < frac))[0]
    if len(r) == 0:
        return S
    cut_day = S["adm"][r] // DAY + np.maximum(3, np.round(nights[r] * rng.uniform(0.4, 0.6, len(r)))).astype(
        np.int64
    )
    cut = cut_day * DAY + tod(rng, len(r), "dis")
    gap = np.where(
        rng.random(len(r)) < 0.5,
        rng.integers(3600, 4 * 3600, len(r)),
        DAY + rng.integers(0, 3 * 3600, len(r)),
    )
    B = {k: v[r].copy() for k, v in S.items()}
    B["adm"] = cut + gap
    B["dsc"] = S["dsc"][r] + gap
    S["dsc"][r] = cut
    S["tag"][r] = 100 + W.IPAT["分解住院"]
    B["tag"][:] = 100 + W.IPAT["分解住院"]
    B["delay"][:] = -1
    return {k: np.concatenate([S[k], B[k]]) for k in S}


def fi_post_lines(W, V, L):
    """line-level institution patterns: duplicate / inflated charges, swapped physiotherapy items,
    test panels for everyone, swapped goods at pharmacies"""
    rng, I, c = W.rng, W.I, W.cat
    add = []
    vinst = V["inst"]
    nv = len(vinst)
    ip = IPMT[V["mt"]]
    # ---- 重复收费
    fi = fraud_insts(W, "重复收费")
    hit = np.isin(vinst, fi) & (rng.random(nv) < W.inst_int[vinst] * 0.7) & (V["tag"] <= 0)
    hv = np.where(hit & ip)[0]
    if len(hv):
        V["tag"][hv] = 100 + W.IPAT["重复收费"]
        # bed + nursing charged on discharge day too
        for k in ("bed_gen", "nurse2"):
            it = np.full(len(hv), c[k])
            add.append(
                mkL(
                    v=hv,
                    item=it,
                    cnt=1.0,
                    pric=price_of(W, it, vinst[hv]),
                    t=V["et"][hv] - 600,
                    doc=V["doc"][hv],
                )
            )
        # a few tests billed twice
        lm = np.isin(L["v"], hv) & (c.ctype[L["item"]] == "04")
        li = np.where(lm & (rng.random(len(lm)) < 0.5))[0]
        d = {k: v[li].copy() for k, v in L.items()}
        add.append(d)
        # two nursing levels on the same day
        ln = np.where(np.isin(L["v"], hv) & (L["item"] == c["nurse2"]) & (rng.random(len(L["v"])) < 0.3))[0]
        d = {k: v[ln].copy() for k, v in L.items()}
        d["item"][:] = c["nurse1"]
        d["pric"] = price_of(W, d["item"], vinst[d["v"]])
        add.append(d)
    ov = np.where(hit & ~ip & (V["mt"] != M41))[0]
    if len(ov):
        V["tag"][ov] = 100 + W.IPAT["重复收费"]
        for k in ("op_dx", "gen_dx"):
            it = np.full(len(ov), c[k])
            add.append(
                mkL(
                    v=ov,
                    item=it,
                    cnt=1.0,
                    pric=price_of(W, it, vinst[ov]),
                    t=V["bt"][ov] + 60,
                    doc=V["doc"][ov],
                )
            )
    # ---- 串换项目 (physiotherapy items for everyone)
    fi = fraud_insts(W, "串换项目")
    hit = (
        np.isin(vinst, fi)
        & (rng.random(nv) < 0.6 + 0.3 * W.inst_int[vinst])
        & (V["tag"] <= 0)
        & (V["mt"] != M41)
    )
    hv = np.where(hit)[0]
    if len(hv):
        V["tag"][hv] = 100 + W.IPAT["串换项目"]
        nights = np.where(ip[hv], np.maximum(1, V["et"][hv] // DAY - V["bt"][hv] // DAY), 1)
        nk = rng.integers(2, 5, len(hv))
        rr = rep(nk)
        its = c.ids(["tcm_ion", "mf_elec", "us_ther", "acupoint", "acup"])[rng.integers(0, 5, len(rr))]
        reps = nights[rr]
        r2 = rep(reps)
        vv = hv[rr][r2]
        it2 = its[r2]
        dd = seq_in_group(reps)
        t = np.minimum(
            (V["bt"][vv] // DAY + dd) * DAY + 10 * 3600 + rng.integers(0, 5 * 3600, len(vv)), V["et"][vv]
        )
        t = np.maximum(t, V["bt"][vv])
        add.append(
            mkL(
                v=vv,
                item=it2,
                cnt=1.0 + (rng.random(len(vv)) < 0.3),
                pric=price_of(W, it2, vinst[vv]),
                t=t,
                doc=V["doc"][vv],
            )
        )
    # ---- 过度检查 (test panels)
    fi = fraud_insts(W, "过度检查")
    hit = (
        np.isin(vinst, fi)
        & (rng.random(nv) < 0.6 + 0.3 * W.inst_int[vinst])
        & (V["tag"] <= 0)
        & (V["mt"] != M41)
    )
    hv = np.where(hit)[0]
    if len(hv):
        V["tag"][hv] = 100 + W.IPAT["过度检查"]
        keys = [
            "cbc",
            "crp",
            "lft",
            "rft",
            "lipid",
            "glu",
            "ecg",
            "us_abd",
            "urine",
            "hba1c",
            "coag",
            "us_heart",
        ]
        if True:
            keys_ip = ["ct_head", "mri_head", "mri_spine", "us_heart", "holter", "us_abd", "ct_chest"]
        items = rand_items(W, len(hv), keys, 5, 8)
        items_ip = rand_items(W, len(hv), keys_ip, 3, 5)
        items = np.where(
            ip[hv][:, None],
            np.concatenate([items_ip, np.full((len(hv), 3), -1)], 1)[:, : items.shape[1]],
            items,
        )
        r, k = np.nonzero(items >= 0)
        vv = hv[r]
        it = items[r, k]
        t = np.minimum(V["bt"][vv] + 1800 + 60 * k, V["et"][vv])
        add.append(mkL(v=vv, item=it, cnt=1.0, pric=price_of(W, it, vinst[vv]), t=t, doc=V["doc"][vv]))
    # ---- 药店串换: baskets of swapped goods recorded as covered drugs at round totals
    fi = fraud_insts(W, "药店串换")
    hit = (
        np.isin(vinst, fi)
        & (V["mt"] == M41)
        & (rng.random(nv) < 0.2 + 0.2 * W.inst_int[vinst])
        & (V["tag"] <= 0)
    )
    hv = np.where(hit)[0]
    drop = np.zeros(len(L["v"]), bool)
    if len(hv):
        V["tag"][hv] = 100 + W.IPAT["药店串换"]
        drop = np.isin(L["v"], hv)
        add.append(swap_basket(W, hv, vinst[hv], V["bt"][hv]))
    L = {k: v[~drop] for k, v in L.items()}
    return V, catd([L] + add)


def swap_basket(W, v, inst, bt):
    rng, c = W.rng, W.cat
    n = len(v)
    goods = c.ids(SWAP_GOODS)
    target = ROUND_PRICES[rng.integers(0, len(ROUND_PRICES) - 1, n)].astype(float)
    nk = rng.integers(1, 3, n)
    rr = rep(nk)
    it = goods[rng.integers(0, len(goods), len(rr))]
    j = seq_in_group(nk)
    share = np.where(nk[rr] == 1, 1.0, np.where(j == 0, 0.6, 0.4))
    cnt = np.clip(np.round(target[rr] * share / c.price[it]), 1, 10)
    pric = np.round(target[rr] * share / cnt, 2)
    L = item_lines(W, v[rr], it, inst[rr], bt[rr] + 60, boxes=cnt.astype(np.int64))
    L["pric"] = pric
    L["prd"] = np.where(rng.random(len(rr)) < 0.4, -1, L["prd"])
    return L


def fi_pharmacy_extra(W):
    """extra transactions at the swapping pharmacies and night-time batch card swipes at the cash-out ones"""
    rng, P, I, c, cal = W.rng, W.P, W.I, W.cat, W.cal
    for i in fraud_insts(W, "药店串换"):
        pool, _ = inst_catchment(W, i, 20, 85)
        n = max(10, int(round(rng.uniform(300, 600) * W.inst_int[i] * W.s)))
        psn = rng.choice(pool, size=n)
        day = cal.days(rng, n, "pharm", "flat", "yearend")
        bt = day * DAY + tod(rng, n, "pharm")
        V = mkV(
            psn=psn,
            inst=np.full(n, i),
            mt=M41,
            bt=bt,
            et=bt,
            st=bt + rng.integers(30, 200, n),
            dis=-1,
            tag=100 + W.IPAT["药店串换"],
        )
        W.acc.add(V, swap_basket(W, np.arange(n), np.full(n, i), bt))
    for i in fraud_insts(W, "药店刷卡套现"):
        it = W.inst_int[i]
        pool, _ = inst_catchment(W, i, 25, 80)
        emp = pool[P.emp[pool]]
        base = emp if len(emp) >= 20 else pool
        holders = np.unique(
            np.concatenate(
                [
                    rng.choice(base, size=min(len(base), rng.integers(30, 81)), replace=False),
                    np.array(W.cash_pool.get(i, []), np.int64),
                ]
            )
        )
        nb = max(4, int(round(rng.uniform(24, 48) * it * max(W.s, 0.2))))
        w = np.where(cal.dom >= 24, 4.0, 1.0) * np.where(cal.month == 11, 1.8, 1.0)
        bdays = np.sort(rng.choice(np.arange(ND), size=nb, replace=False, p=w / w.sum()))
        for d0 in bdays:
            m = int(min(len(holders), rng.integers(5, 21)))
            who = rng.choice(holders, size=m, replace=False)
            t0 = int((rng.uniform(20.5, 22.5) if rng.random() < 0.75 else rng.uniform(6.5, 7.6)) * 3600)
            bt = d0 * DAY + t0 + np.cumsum(rng.integers(40, 200, m))
            basket = rng.choice(
                c.ids(["glargine", "dapagliflozin", "danshen_dp", "liuwei", "ejiao_j", "angong", "seretide"]),
                size=2,
                replace=False,
            )
            items = np.tile(basket, (m, 1))
            boxes = np.tile(rng.integers(1, 4, 2), (m, 1))
            res = basket_visits(
                W, who, np.full(m, i), M41, bt, np.full(m, -1), items, boxes, 100 + W.IPAT["药店刷卡套现"]
            )
            Vb, Lb = res
            fake = rng.random() < 0.6
            if fake:  # one fabricated code re-used for the batch
                Lb["serial"] = np.where(
                    Lb["tg"] >= 0, (rng.integers(10**11, 9 * 10**12) // 100) * 100 + (Lb["item"] % 7), -1
                )
            else:
                Lb["serial"] = np.where(Lb["tg"] >= 0, -2, -1)  # no codes uploaded at all
            Lb["tg"][:] = -1
            W.acc.add(Vb, Lb)


# =============================================================================================
# assembly: stays, trace codes, resale, settlements and refunds
# =============================================================================================
class World:
    def __init__(self, N, seed):
        self.N = N
        self.s = N / 1e5
        self.rng = np.random.default_rng(seed)
        self.cal = Calendar()
        self.cat = Catalog()
        self.P = build_people(N, self.rng)
        self.I = build_insts(N, self.rng, self.P)
        assign_candidates(self.P, self.I, self.rng)
        self.acc = Acc(self)
        self.stays = []
        self.labels = []
        self.taken = np.zeros(N, bool)
        self.refund_rho = {}
        self.force_death = np.zeros(0, np.int64)
        self.fake_reg = []
        self.over_resale = []
        self.cash_pool = {}
        build_tabs(self)
        ip_tables(self)


def prepare_stays(W):
    rng, I = W.rng, W.I
    S = finish_stays(W)
    n = len(S["psn"])
    catx = (S["dis"] == DIS_IDX["cataract"]) & (I.lvl[S["inst"]] <= 1) & (rng.random(n) < 0.8)
    S["pkg"][catx] = 1
    # wards are emptied before the Spring Festival: planned early discharges
    m = (
        (S["adm"] < doy(1, 23) * DAY)
        & (S["dsc"] > doy(1, 28) * DAY)
        & (S["tag"] == 0)
        & np.isin(W.ip_vc[S["dis"]], ["mild", "surg", "rehab", "mod"])
        & (rng.random(n) < 0.5)
    )
    newd = (doy(1, 24) + rng.integers(0, 3, n)) * DAY + tod(rng, n, "dis")
    S["dsc"] = np.where(m, np.maximum(newd, S["adm"] + DAY), S["dsc"])
    S = fi_split_transform(W, S)
    W.S = S
    return S


def legit_ward_purchases(W, S):
    """relatives buy an inpatient's usual drugs at the family's pharmacy with the patient's card"""
    rng, P = W.rng, W.P
    nights = S["dsc"] // DAY - S["adm"] // DAY
    m = (S["tag"] == 0) & (nights >= 5) & (P.age[S["psn"]] >= 55) & (rng.random(len(nights)) < 0.05)
    r = np.where(m)[0]
    if len(r):
        day = S["adm"][r] // DAY + 1 + (rng.random(len(r)) * (nights[r] - 2)).astype(np.int64)
        outside_purchases(W, S["psn"][r], day, 0)


def append_vl(V, L, V2, L2):
    if V2 is None or len(V2["psn"]) == 0:
        return V, L
    L2 = dict(L2)
    L2["v"] = L2["v"] + len(V["psn"])
    return catd([V, V2]), catd([L, L2])


def assign_trace(W, L, V):
    rng, c, I, cal = W.rng, W.cat, W.I, W.cal
    has = (L["tg"] >= 0) & (L["serial"] == -1)
    idx = np.where(has)[0]
    tg = L["tg"][idx]
    ug, inv = np.unique(tg, return_inverse=True)
    ng = len(ug)
    size = np.zeros(ng, np.int64)
    np.maximum.at(size, inv, L["toff"][idx] + np.maximum(L["tn"][idx], 1))
    item_g = np.zeros(ng, np.int64)
    item_g[inv] = L["item"][idx]
    t_g = np.full(ng, 10**12)
    np.minimum.at(t_g, inv, L["t"][idx])
    inst_g = np.zeros(ng, np.int64)
    inst_g[inv] = V["inst"][L["v"][idx]]
    ramp = np.array([0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.85, 0.9, 0.92, 0.93, 0.94, 0.95])
    p = ramp[cal.month[np.clip(t_g // DAY, 0, ND - 1)]] * np.where(I.is_ph[inst_g], 1.0, 0.9)
    keep = rng.random(ng) < p
    base = c.tr_base[item_g] + np.cumsum(size + rng.integers(1, 40, ng))
    L["serial"][idx] = np.where(keep[inv], base[inv] + L["toff"][idx], -2)
    L["tn"] = np.where(L["serial"] >= 0, np.maximum(L["tn"], 1), L["tn"])


def legit_split_sales(W, V, L):
    """pharmacies sell part of a box (拆零): the box's code then appears on two customers' lines"""
    rng, c = W.rng, W.cat
    sp = c.ids(
        ["amoxicillin", "ibuprofen", "loratadine", "omeprazole", "cetirizine", "metformin", "paracetamol"]
    )
    m = (
        (V["mt"][L["v"]] == M41)
        & (L["serial"] >= 0)
        & np.isin(L["item"], sp)
        & (L["cnt"] == 1)
        & (rng.random(len(L["v"])) < 0.05)
    )
    idx = np.where(m)[0]
    if len(idx) < 2:
        return
    inst = V["inst"][L["v"][idx]]
    o = np.lexsort((L["t"][idx], L["item"][idx], inst))
    idx = idx[o]
    g = inst[o] * 1000 + L["item"][idx]
    pos = seq_in_group(np.unique(g, return_counts=True)[1])
    first = idx[(pos % 2 == 0)]
    second_mask = pos % 2 == 1
    sec = idx[second_mask]
    prev = idx[np.where(second_mask)[0] - 1]
    L["serial"][sec] = L["serial"][prev]
    both = np.concatenate([sec, prev])
    L["trdn"][both] = 1
    L["cnt"][both] = 0.5
    L["tn"][both] = 1
    L["prd"][both] = np.where(L["prd"][both] > 0, np.maximum(1, L["prd"][both] // 2), L["prd"][both])


def fi_resale(W, V, L):
    """药品追溯码重复销售: boxes sold before (to ring members, over-prescribed patients, a few other patients)
    come back and are sold again with the same codes"""
    rng, P, I, c = W.rng, W.P, W.I, W.cat
    ph9 = fraud_insts(W, "药品追溯码重复销售")
    if len(ph9) == 0:
        return None, None
    vt = V["tag"][L["v"]]
    resale = np.isin(L["item"], c.ids(RESALE))
    ring = (vt == PTAG["团伙倒卖药品"]) & (L["serial"] >= 0)
    over = (
        (vt == PTAG["超量开药"])
        & np.isin(V["psn"][L["v"]], np.array(W.over_resale, np.int64))
        & (L["serial"] >= 0)
    )
    other = resale & (L["serial"] >= 0) & (vt == 0) & (L["trdn"] == 0) & (rng.random(len(vt)) < 0.004)
    src = np.where((ring & (rng.random(len(vt)) < 0.55)) | (over & (rng.random(len(vt)) < 0.45)) | other)[0]
    cap = int(max(20, rng.uniform(150, 400) * W.s * len(ph9)))
    if len(src) > cap:
        src = rng.choice(src, size=cap, replace=False)
    day = L["t"][src] // DAY + rng.integers(3, 61, len(src))
    src, day = src[day < ND], day[day < ND]
    n = len(src)
    sci = I.county[V["inst"][L["v"][src]]]
    ph = ph9[rng.integers(0, len(ph9), n)]
    loc = [ph9[I.county[ph9] == ci] for ci in range(NC)]
    for k_, ci in enumerate(sci):
        if len(loc[ci]) and rng.random() < 0.6:
            ph[k_] = rng.choice(loc[ci])
    buyers_all = np.where((P.age >= 18) & (P.dday < 0) & (P.bday < 0))[0]
    buyers = np.empty(n, np.int64)
    for i in np.unique(ph):
        s = np.where(ph == i)[0]
        pool = buyers_all[P.county[buyers_all] == I.county[i]]
        buyers[s] = rng.choice(pool if len(pool) else buyers_all, len(s))
    bt = day * DAY + tod(rng, n, "pharm")
    V2 = mkV(
        psn=buyers,
        inst=ph,
        mt=M41,
        bt=bt,
        et=bt + 120,
        st=bt + rng.integers(150, 400, n),
        dis=-1,
        tag=100 + W.IPAT["药品追溯码重复销售"],
    )
    it = L["item"][src]
    k = np.maximum(1, np.minimum(L["tn"][src], rng.integers(1, 4, n)))
    L2 = item_lines(W, np.arange(n), it, ph, bt + 60, boxes=k)
    L2["serial"] = L["serial"][src]
    L2["tn"] = k
    L2["tg"][:] = -1
    # and re-sale of its own earlier boxes
    own = np.where(
        np.isin(V["inst"][L["v"]], ph9) & (L["serial"] >= 0) & (L["trdn"] == 0) & (rng.random(len(vt)) < 0.03)
    )[0]
    d3 = L["t"][own] // DAY + rng.integers(1, 31, len(own))
    own, d3 = own[d3 < ND], d3[d3 < ND]
    m = len(own)
    if m:
        ph3 = V["inst"][L["v"][own]]
        b3 = np.empty(m, np.int64)
        for i in np.unique(ph3):
            sel = ph3 == i
            pool = buyers_all[P.county[buyers_all] == I.county[i]]
            b3[sel] = rng.choice(pool if len(pool) else buyers_all, sel.sum())
        bt3 = d3 * DAY + tod(rng, m, "pharm")
        V3 = mkV(
            psn=b3,
            inst=ph3,
            mt=M41,
            bt=bt3,
            et=bt3 + 120,
            st=bt3 + 300,
            dis=-1,
            tag=100 + W.IPAT["药品追溯码重复销售"],
        )
        L3 = item_lines(W, np.arange(m), L["item"][own], ph3, bt3 + 60, boxes=np.maximum(1, L["tn"][own]))
        L3["serial"] = L["serial"][own]
        L3["tn"] = np.maximum(1, L["tn"][own])
        L3["tg"][:] = -1
        L3["v"] = L3["v"] + n
        V2 = catd([V2, V3])
        L2 = catd([L2, L3])
    return V2, L2


def reimburse(W, T, O, B, mt, inst, psn, dx, tag):
    P, I, rng = W.P, W.I, W.rng
    n = len(T)
    lvl = I.lvl[inst]
    emp = P.emp[psn]
    ret = P.retired[psn]
    idet = P.idet[psn]
    cov = np.maximum(T - O, 0)
    ipm = (mt == M21) | (mt == M52)
    D = np.where(
        emp, np.array([1000, 800, 500, 300, 300])[lvl], np.array([1000, 800, 400, 150, 150])[lvl]
    ).astype(float)
    D = np.where(idet == 1, 0, np.where(idet > 0, D * 0.5, D))
    r = (
        np.where(
            emp, np.array([0.75, 0.85, 0.88, 0.92, 0.92])[lvl], np.array([0.55, 0.65, 0.75, 0.85, 0.85])[lvl]
        )
        + np.where(ret, 0.03, 0)
        + np.where(idet > 0, 0.05, 0)
    )
    r = np.minimum(r, 0.95)
    h = np.where(ipm, np.maximum(cov - 0.1 * B - D, 0) * r, 0)
    h = np.where(mt == M52, cov * 0.95, h)
    special = (
        (W.dis_code[np.maximum(dx, 0)] == "N18.500")
        | (np.char.startswith(W.dis_code[np.maximum(dx, 0)].astype(str), "C"))
        | (W.dis_code[np.maximum(dx, 0)] == "Z51.100")
    )
    r14 = np.where(emp, 0.85, 0.7) + np.where(special & (dx >= 0), 0.07, 0)
    h = np.where(mt == M14, np.maximum(cov - 0.05 * B, 0) * r14, h)
    rop = np.where(
        emp,
        np.array([0.5, 0.5, 0.55, 0.6, 0.6])[lvl] + np.where(ret, 0.1, 0),
        np.array([0.4, 0.4, 0.5, 0.6, 0.6])[lvl],
    )
    hop = cov * rop
    hop = np.where(emp, hop, np.minimum(hop, np.where(lvl == 3, 60, 150)))
    h = np.where(np.isin(mt, [M11, M13, M51]), hop, h)
    h41 = np.where(I.tongchou[inst] & (dx >= 0), np.minimum(cov * 0.5, 100), 0)
    h = np.where(mt == M41, h41, h)
    h = np.round(h, 2)
    oop = cov - h
    big = np.where(ipm | (mt == M14), np.maximum(oop - np.where(emp, 20000, 15000), 0) * 0.6, 0)
    maf_r = np.array([0, 0.9, 0.7, 0.5, 0.3])[idet]
    maf = np.where(ipm | (mt == M14), (oop - big) * maf_r, 0)
    fund = np.round(h + big + maf, 2)
    rest = T - fund
    acct = np.where(emp & ~ipm & (rng.random(n) < 0.85), rest, 0)
    acct = np.where(emp & ipm & (rng.random(n) < 0.5), np.minimum(rest, rng.uniform(500, 5000, n)), acct)
    cash10 = tag == PTAG["个人账户套现"]
    h = np.where(cash10, 0, h)
    fund = np.where(cash10, 0, fund)
    acct = np.where(cash10, T, acct)
    acct = np.round(np.maximum(acct, 0), 2)
    cash = np.round(T - fund - acct, 2)
    return h, fund, acct, cash


def settle(W, V, L):
    c = W.cat
    L["amt"] = np.round(L["cnt"] * L["pric"], 2)
    key = L["v"] * 64 + np.minimum(L["seg"], 63)
    uk, inv = np.unique(key, return_inverse=True)
    sv = uk // 64
    sseg = uk % 64
    nS = len(uk)
    T = np.round(np.bincount(inv, L["amt"], nS), 2)
    O = np.round(np.bincount(inv, L["amt"] * (c.lvnum[L["item"]] == 2), nS), 2)
    B = np.bincount(inv, L["amt"] * (c.lvnum[L["item"]] == 1), nS)
    mx = np.zeros(len(V["psn"]), np.int64)
    np.maximum.at(mx, sv, sseg)
    st = np.where(sseg == mx[sv], V["st"][sv], V["bt"][sv] + (sseg + 1) * 30 * DAY)
    h, f, a, cs = reimburse(W, T, O, B, V["mt"][sv], V["inst"][sv], V["psn"][sv], V["dis"][sv], V["tag"][sv])
    L["sk"] = inv
    S = dict(
        v=sv, st=st, T=T, O=O, h=h, f=f, a=a, cash=cs, flag=np.zeros(nS, np.int64), last=(sseg == mx[sv])
    )
    return S


def refunds(W, V, L, S):
    """legitimate refunds (cancel; reverse and re-settle with the same or fewer items) and 退费套现"""
    rng, c = W.rng, W.cat
    nS = len(S["v"])
    mt = V["mt"][S["v"]]
    tag = V["tag"][S["v"]]
    p = np.select([mt == M41, np.isin(mt, [M11, M13, M51]), mt == M14], [0.004, 0.01, 0.008], 0.02)
    legit = S["last"] & (rng.random(nS) < p) & (tag != PTAG["退费套现"])
    fraud = S["last"] & (tag == PTAG["退费套现"])
    ipm = IPMT[mt]
    rows = np.where(legit | fraud)[0]
    kind = np.where(
        fraud[rows],
        3,
        np.where(
            ipm[rows],
            np.where(rng.random(len(rows)) < 0.85, 1, 2),
            np.where(rng.random(len(rows)) < 0.5, 0, 2),
        ),
    )
    # 0 cancel, 1 reverse + re-settle identical, 2 reverse + re-settle minus one line, 3 fraud partial reversal
    rt = S["st"][rows] + np.where(
        ipm[rows],
        rng.integers(3600, 48 * 3600, len(rows)),
        np.where(kind == 3, rng.integers(1800, 3 * DAY, len(rows)), rng.integers(120, 6 * 3600, len(rows))),
    )
    ok = rt < ND * DAY - 3600
    rows, kind, rt = rows[ok], kind[ok], rt[ok]
    n = len(rows)
    rho = (
        np.array([W.refund_rho.get(int(p_), 0.0) for p_ in V["psn"][S["v"][rows]]])
        if (kind == 3).any()
        else np.zeros(n)
    )
    rho = np.where(kind == 3, rho, 1.0)
    R = dict(
        v=S["v"][rows],
        st=rt,
        T=-S["T"][rows],
        O=-S["O"][rows],
        h=-np.round(S["h"][rows] * rho, 2),
        f=-np.round(S["f"][rows] * rho, 2),
        a=-S["a"][rows],
        flag=np.ones(n, np.int64),
        last=np.zeros(n, bool),
    )
    R["cash"] = np.round(R["T"] - R["f"] - R["a"], 2)
    base = nS
    rk = base + np.arange(n)
    # lines of refunded settlements
    o = np.argsort(L["sk"], kind="stable")
    sks = L["sk"][o]
    lo = np.searchsorted(sks, rows)
    hi = np.searchsorted(sks, rows, "right")
    cnt = hi - lo
    rr = rep(cnt)
    li = o[lo[rr] + seq_in_group(cnt)]
    NL = {k: v[li].copy() for k, v in L.items()}
    NL["cnt"] = -NL["cnt"]
    NL["amt"] = -NL["amt"]
    NL["t"] = rt[rr]
    NL["sk"] = rk[rr]
    NL["prd"] = np.where(NL["prd"] > 0, -NL["prd"], NL["prd"])
    new_l = [NL]
    new_s = [R]
    # re-settlements
    rs = np.where(kind > 0)[0]
    rs = rs[kind[rs] != 3]
    if len(rs):
        sel = np.isin(rr, rs)
        RL = {k: v[li[sel]].copy() for k, v in L.items()}
        rrs = rr[sel]
        drop = np.zeros(len(rrs), bool)
        k2 = np.where(kind[rrs] == 2)[0]
        if len(k2):
            # drop the last drug line of each such settlement when it has more than one line
            g = rrs[k2]
            last_of = np.r_[g[1:] != g[:-1], True]
            multi = np.bincount(g, minlength=n)[g] > 1
            drop[k2[last_of & multi]] = True
        RL = {k: v[~drop] for k, v in RL.items()}
        rrs = rrs[~drop]
        uniq = np.unique(rrs)
        rsk = base + n + np.arange(len(uniq))
        pos = np.searchsorted(uniq, rrs)
        RL["sk"] = rsk[pos]
        nT = np.round(np.bincount(pos, RL["amt"], len(uniq)), 2)
        nO = np.round(np.bincount(pos, RL["amt"] * (c.lvnum[RL["item"]] == 2), len(uniq)), 2)
        nB = np.bincount(pos, RL["amt"] * (c.lvnum[RL["item"]] == 1), len(uniq))
        vv = S["v"][rows[uniq]]
        h, f, a, cs = reimburse(
            W, nT, nO, nB, V["mt"][vv], V["inst"][vv], V["psn"][vv], V["dis"][vv], V["tag"][vv]
        )
        new_s.append(
            dict(
                v=vv,
                st=rt[uniq] + rng.integers(60, 1800, len(uniq)),
                T=nT,
                O=nO,
                h=h,
                f=f,
                a=a,
                cash=cs,
                flag=np.zeros(len(uniq), np.int64),
                last=np.zeros(len(uniq), bool),
            )
        )
        new_l.append(RL)
    S2 = catd([S] + new_s)
    L2 = catd([L] + new_l)
    return S2, L2


# =============================================================================================
# writing the landing zone
# =============================================================================================
def to_ts(sec):
    return (T0 + np.asarray(sec, np.int64).astype("timedelta64[s]")).astype("datetime64[us]")


def day_str(d):
    return (
        pd.Series(np.datetime64("2025-01-01") + np.asarray(d, np.int64).astype("timedelta64[D]"))
        .dt.strftime("%Y-%m-%d")
        .to_numpy(object)
    )


def make_ids(rng, n, prefix, width):
    """unique random digit strings (no order, no structure)"""
    lo, hi = 10 ** (width - 1), 10**width - 1
    num = np.unique(rng.integers(lo, hi, int(n * 1.02) + 100))
    while len(num) < n:
        num = np.unique(np.concatenate([num, rng.integers(lo, hi, n)]))
    num = rng.permutation(num)[:n]
    return (prefix + pd.Series(num).astype(str)).to_numpy(object)


def null_some(rng, arr, p):
    arr = np.asarray(arr, object).copy()
    arr[rng.random(len(arr)) < p] = None
    return arr


FREQ_CN = {
    "qd": "每日1次",
    "bid": "每日2次",
    "tid": "每日3次",
    "qid": "每日4次",
    "qn": "每晚1次",
    "qw": "每周1次",
    "biw": "每周2次",
    "prn": "必要时",
    "st": "立即",
}


def trace_strings(W, item, serial, tn):
    c = W.cat
    n = len(item)
    out = np.full(n, None, object)
    m = serial >= 0
    if not m.any():
        return out
    it, se, k = item[m], serial[m], np.clip(tn[m], 1, 20)
    imp = c.imp[it] == 1

    def code(x):
        s13 = pd.Series(x % 10**13).astype(str).str.zfill(13).to_numpy(object)
        s10 = pd.Series(x % 10**10).astype(str).str.zfill(10).to_numpy(object)
        return np.where(imp, "01" + c.tr_gtin[it] + "21" + s10, c.tr_prefix[it] + s13)

    s = code(se)
    for j in range(1, int(k.max())):
        mm = k > j
        if mm.any():
            s = np.where(mm, s + "," + code(se + j), s)
    out[m] = s
    return out


def strcols(df, cols):
    for col in cols:
        df[col] = df[col].astype("string")
    return df


def write_parquet(df, path, strc):
    df = strcols(df, strc)
    df.to_parquet(path, index=False)


def write_all(W, V, L, S, out):
    rng, P, I, c, cal = W.rng, W.P, W.I, W.cat, W.cal
    t0 = time.time()
    for sub in ("psn", "fixmedins", "mdtrt", "setl", "fee_list", "opsp_reg", "psn_death"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    # ---------------------------------------------------------------- ids
    psn_no = make_ids(rng, P.N, "4408", 16)
    nV, nS, nL = len(V["psn"]), len(S["v"]), len(L["v"])
    mdtrt_id = make_ids(rng, nV, "44", 18)
    setl_id = make_ids(rng, nS, "4408", 18)
    feedetl_sn = make_ids(rng, nL, "", 18)
    # re-sent deliveries: a sample of visits sent again with all their settlements and fee lines
    resend_v = rng.random(nV) < 0.006
    # ---------------------------------------------------------------- psn
    psn = pd.DataFrame(
        dict(
            psn_no=psn_no,
            certno=P.certno,
            psn_name=P.name,
            gend=P.gend,
            brdy=P.brdy,
            insutype=P.insutype,
            psn_type=P.psn_type,
            psn_idet_type=np.array(IDET_CODE, object)[P.idet],
            insuplc_admdvs=P.insuplc,
            live_addr=P.addr,
        )
    )
    psn.to_csv(os.path.join(out, "psn", "psn_20251231.csv"), index=False, encoding="utf-8-sig")
    psn.sample(frac=0.01, random_state=1).to_csv(
        os.path.join(out, "psn", "psn_resend_20260105.csv"), index=False, encoding="utf-8-sig"
    )
    # ---------------------------------------------------------------- fixmedins
    fx = pd.DataFrame(
        dict(
            fixmedins_code=I.code,
            fixmedins_name=I.name,
            fixmedins_type=I.typ,
            hosp_lv=I.lv,
            ownership=I.own,
            fix_blng_admdvs=I.adm,
        )
    )
    fx.to_csv(os.path.join(out, "fixmedins", "fixmedins_20251231.csv"), index=False, encoding="utf-8")
    # ---------------------------------------------------------------- opsp_reg
    R = W.reg_rows
    rows = pd.DataFrame(
        dict(
            psn_no=psn_no[R["psn"]],
            opsp_dise_code=R["code"],
            opsp_dise_name=R["name"],
            begndate=day_str(R["beg"]),
            enddate=np.where(R["end"] <= -(10**7), None, day_str(np.maximum(R["end"], -(10**6)))),
        )
    )
    if W.fake_reg:
        fr = pd.DataFrame(W.fake_reg, columns=["p", "code", "name", "beg"])
        rows = pd.concat(
            [
                rows,
                pd.DataFrame(
                    dict(
                        psn_no=psn_no[fr.p.to_numpy()],
                        opsp_dise_code=fr.code,
                        opsp_dise_name=fr.name,
                        begndate=day_str(fr.beg.to_numpy()),
                        enddate=None,
                    )
                ),
            ],
            ignore_index=True,
        )
    rows["opsp_dise_name"] = null_some(rng, rows["opsp_dise_name"].to_numpy(object), 0.02)
    rows.to_csv(os.path.join(out, "opsp_reg", "opsp_reg_20251231.csv"), index=False, encoding="utf-8")
    W.n_opsp = len(rows)
    # ---------------------------------------------------------------- psn_death
    dead = np.where(P.dday >= 0)[0]
    rec = rng.random(len(dead)) < 0.92
    rec |= np.isin(dead, W.force_death)
    dead = dead[rec]
    dd = P.dday[dead] + np.where(rng.random(len(dead)) < 0.02, rng.integers(1, 4, len(dead)), 0)
    dd = np.minimum(dd, ND - 1)
    src = np.array(["公安", "民政", "卫健"], object)[cat_draw(rng, len(dead), [0.5, 0.3, 0.2])]
    pd.DataFrame(dict(psn_no=psn_no[dead], death_date=day_str(dd), source=src)).to_csv(
        os.path.join(out, "psn_death", "psn_death_20251231.csv"), index=False, encoding="utf-8"
    )
    W.n_death = len(dead)
    # ---------------------------------------------------------------- mdtrt
    vinst, vpsn = V["inst"], V["psn"]
    dis = V["dis"]
    nodx = (dis < 0) | ((V["mt"] != M41) & (rng.random(nV) < 0.01))
    dcode = np.where(nodx, None, W.dis_code[np.maximum(dis, 0)])
    dname = np.where(nodx | (rng.random(nV) < 0.03), None, W.dis_name[np.maximum(dis, 0)])
    dept = np.where(
        (V["dept"] < 0) | I.is_ph[vinst] | (rng.random(nV) < 0.02),
        None,
        np.array(DEPTS, object)[np.maximum(V["dept"], 0)],
    )
    doc = np.where((V["doc"] < 0) | (rng.random(nV) < 0.03), None, I.doc_code[np.maximum(V["doc"], 0)])
    md = pd.DataFrame(
        dict(
            mdtrt_id=mdtrt_id,
            psn_no=psn_no[vpsn],
            fixmedins_code=I.code[vinst],
            med_type=np.array(MT, object)[V["mt"]],
            begntime=to_ts(V["bt"]),
            endtime=to_ts(V["et"]),
            dise_codg=dcode,
            dise_name=dname,
            adm_dept_codg=dept,
            atddr_no=doc,
        )
    )
    mstr = [
        "mdtrt_id",
        "psn_no",
        "fixmedins_code",
        "med_type",
        "dise_codg",
        "dise_name",
        "adm_dept_codg",
        "atddr_no",
    ]
    q = np.clip(V["bt"] // DAY, 0, ND - 1)
    q = cal.month[q] // 3
    o = np.argsort(V["bt"], kind="stable")
    for k in range(4):
        sel = o[q[o] == k]
        write_parquet(
            md.iloc[sel].reset_index(drop=True),
            os.path.join(out, "mdtrt", "mdtrt_2025Q%d.parquet" % (k + 1)),
            mstr,
        )
    write_parquet(
        md[resend_v].reset_index(drop=True), os.path.join(out, "mdtrt", "mdtrt_resend_20260105.parquet"), mstr
    )
    # ---------------------------------------------------------------- setl
    sv = S["v"]
    resident = ~P.emp[vpsn[sv]]
    acct = np.where(resident & (S["a"] == 0) & (rng.random(nS) < 0.3), np.nan, S["a"])
    ful = np.where(rng.random(nS) < 0.03, np.nan, S["O"])
    ins = null_some(rng, P.insutype[vpsn[sv]], 0.01)
    st = pd.DataFrame(
        dict(
            setl_id=setl_id,
            mdtrt_id=mdtrt_id[sv],
            psn_no=psn_no[vpsn[sv]],
            fixmedins_code=I.code[vinst[sv]],
            med_type=np.array(MT, object)[V["mt"][sv]],
            setl_time=to_ts(S["st"]),
            medfee_sumamt=np.round(S["T"], 2),
            fulamt_ownpay_amt=np.round(ful, 2),
            hifp_pay=np.round(S["h"], 2),
            fund_pay_sumamt=np.round(S["f"], 2),
            acct_pay=np.round(acct, 2),
            psn_cash_pay=np.round(S["cash"], 2),
            insutype=ins,
            refd_setl_flag=np.where(S["flag"] == 1, "1", "0").astype(object),
        )
    )
    sstr = ["setl_id", "mdtrt_id", "psn_no", "fixmedins_code", "med_type", "insutype", "refd_setl_flag"]
    sq = cal.month[np.clip(S["st"] // DAY, 0, ND - 1)] // 3
    o = np.argsort(S["st"], kind="stable")
    for k in range(4):
        sel = o[sq[o] == k]
        write_parquet(
            st.iloc[sel].reset_index(drop=True),
            os.path.join(out, "setl", "setl_2025Q%d.parquet" % (k + 1)),
            sstr,
        )
    rs = st[resend_v[sv]].rename(columns={"psn_cash_pay": "cash_payamt"}).reset_index(drop=True)
    write_parquet(rs, os.path.join(out, "setl", "setl_resend_20260105.parquet"), sstr)
    W.n_setl = nS
    # ---------------------------------------------------------------- fee_list, one file per settlement month
    lsk = L["sk"]
    lmonth = cal.month[np.clip(S["st"][lsk] // DAY, 0, ND - 1)]
    order = np.lexsort((L["t"], S["st"][lsk]))
    lvnum_inst = I.lvnum[vinst[L["v"]]]
    fstr = [
        "feedetl_sn",
        "mdtrt_id",
        "setl_id",
        "med_list_codg",
        "hilist_name",
        "med_chrgitm_type",
        "chrgitm_lv",
        "used_frqu_dscr",
        "bilg_dr_codg",
        "drug_trac_codg",
        "trdn_flag",
    ]
    U = rng.random((6, nL))  # per-line draws, so that re-sent rows are identical
    lvtxt = np.array(["甲", "乙", "丙"], object)
    lvnumtxt = np.array(["1", "2", "3"], object)

    def frame(idx):
        it = L["item"][idx]
        inst_ = vinst[L["v"][idx]]
        n = len(idx)
        t = L["t"][idx]
        sid = setl_id[lsk[idx]].copy()
        early = t < doy(3, 1) * DAY
        sid[U[0, idx] < np.where(early, 0.15, 0.02)] = None
        lv = np.where(lvnum_inst[idx], lvnumtxt[c.lvnum[it]], lvtxt[c.lvnum[it]])
        lv = np.where(U[1, idx] < 0.01, None, lv)
        fq = c.freq[it]
        fq = np.where(I.frq_cn[inst_], np.array([FREQ_CN.get(x, x) for x in fq], object), fq)
        isd = c.is_drug[it]
        fq = np.where(isd & (fq != "") & (U[2, idx] > 0.05), fq, None)
        prd = L["prd"][idx].astype(float)
        prd = np.where((prd == -1) | (~isd) | (I.is_ph[inst_] & (U[3, idx] < 0.1)), np.nan, prd)
        bd = L["doc"][idx]
        bdc = np.where((bd < 0) | (U[4, idx] < 0.03), None, I.doc_code[np.maximum(bd, 0)])
        trd = L["trdn"][idx]
        trs = np.where(trd < 0, None, np.where(trd == 1, "1", "0"))
        df = pd.DataFrame(
            dict(
                feedetl_sn=feedetl_sn[idx],
                mdtrt_id=mdtrt_id[L["v"][idx]],
                setl_id=sid,
                fee_ocur_time=to_ts(t),
                med_list_codg=c.code[it],
                hilist_name=np.where(U[5, idx] < 0.02, None, c.name[it]),
                med_chrgitm_type=c.ctype[it],
                chrgitm_lv=lv,
                cnt=np.round(L["cnt"][idx], 4),
                pric=np.round(L["pric"][idx], 4),
                det_item_fee_sumamt=np.round(L["amt"][idx], 2),
                prd_days=pd.array(prd, dtype="Float64").astype("Int32"),
                used_frqu_dscr=fq,
                bilg_dr_codg=bdc,
                drug_trac_codg=trace_strings(W, it, L["serial"][idx], L["tn"][idx]),
                trdn_flag=trs,
            )
        )
        return df

    for m in range(12):
        idx = order[lmonth[order] == m]
        write_parquet(frame(idx), os.path.join(out, "fee_list", "fee_list_2025%02d.parquet" % (m + 1)), fstr)
    ridx = np.where(resend_v[L["v"]])[0]
    write_parquet(frame(ridx), os.path.join(out, "fee_list", "fee_list_resend_20260105.parquet"), fstr)
    W.n_lines = nL
    # ---------------------------------------------------------------- labels
    lab = []
    for typ, i, pat, g in W.labels:
        lab.append((typ, psn_no[i] if typ == "psn" else I.code[i], pat, g))
    pd.DataFrame(lab, columns=["entity_type", "entity_id", "fraud_type", "group_id"]).to_csv(
        os.path.join(out, "labels.csv"), index=False, encoding="utf-8"
    )
    W.t_write = time.time() - t0


def normalise_times(W, V, L):
    """one rule for the duration of every non-inpatient visit, the time of its fee lines and its settlement,
    whichever generator produced it (so that clock offsets carry no trace of the generator)"""
    rng, c = W.rng, W.cat
    n = len(V["psn"])
    nonip = ~IPMT[V["mt"]]
    long14 = np.isin(V["dis"], [DIS_IDX["dialysis"], DIS_IDX["chemo"], DIS_IDX["rt"]])
    has_iv = np.zeros(n, bool)
    has_iv[L["v"][L["item"] == c["iv_drip"]]] = True
    mt = V["mt"]
    dur = np.where(
        mt == M41,
        rng.integers(30, 420, n),
        np.where(
            mt == M13,
            rng.gamma(2.0, 2400, n),
            np.where(mt == M14, rng.gamma(2.0, 700, n), rng.gamma(2.0, 1000, n)),
        ),
    )
    dur = np.where(has_iv, rng.gamma(3.0, 1800, n), dur).astype(np.int64) + 60
    keep_et = ~nonip | long14
    V["et"] = np.where(keep_et, V["et"], V["bt"] + dur)
    V["st"] = np.where(nonip, np.minimum(V["et"] + rng.integers(0, 900, n), ND * DAY - 1), V["st"])
    V["et"] = np.where(nonip, np.minimum(V["et"], V["st"]), V["et"])
    lv = L["v"]
    m = nonip[lv] & ~long14[lv]
    span = (V["et"][lv] - V["bt"][lv]).astype(float)
    L["t"] = np.where(m, V["bt"][lv] + np.floor(rng.random(len(lv)) * span).astype(np.int64), L["t"])
    L["t"] = np.clip(L["t"], V["bt"][lv], V["et"][lv])


def main():
    ap = argparse.ArgumentParser(
        description="synthetic 医保 landing zone (湛江 2025) with injected fraud labels"
    )
    ap.add_argument("--out", required=True)
    ap.add_argument("--persons", type=int, required=True)
    ap.add_argument("--seed", type=int, default=20250101)
    a = ap.parse_args()
    t0 = time.time()
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    W = World(a.persons, a.seed)
    log = lambda m: print("[%6.1fs] %s" % (time.time() - t0, m), flush=True)
    log("world: %d persons, %d institutions" % (W.P.N, W.I.n))
    assign_inst_fraud(W)
    build_regimens(W)
    gen_pharmacy(W)
    gen_chronic(W)
    gen_outpatient(W)
    gen_cancer(W)
    gen_inpatient(W)
    gen_cohorts(W)
    log("legitimate outpatient / pharmacy / stays generated")
    f_cohorts(W)
    f_rings(W)
    f_split(W)
    f_ghost_bed(W)
    f_frequent_ip(W)
    f_overdose(W)
    f_impersonation(W)
    f_after_death(W)
    f_sex_age(W)
    f_account_cashout(W)
    f_refund_cash(W)
    f_opsp_scope(W)
    f_frequent_op(W)
    fi_induced(W)
    fi_template(W)
    fi_ghost_bed(W)
    fi_pharmacy_extra(W)
    log("fraud injected")
    S = prepare_stays(W)
    legit_ward_purchases(W, S)
    free = S["free"] == 1
    for m, alive in ((~free, True), (free, False)):
        sub = {k: v[m] for k, v in S.items()}
        Vs, Ls = build_ip(W, sub)
        W.acc.add(Vs, Ls, alive=alive)
    gen_dialysis(W, S)
    V, L = W.acc.finalize()
    log("visits %d, lines %d" % (len(V["psn"]), len(L["v"])))
    # visits without lines, or settled outside 2025, are dropped
    V["st"] = np.maximum(V["st"], V["et"])
    nl = np.bincount(L["v"], minlength=len(V["psn"]))
    keep = (nl > 0) & (V["st"] >= 0) & (V["st"] < ND * DAY) & (V["bt"] > -60 * DAY)
    newi = np.cumsum(keep) - 1
    V = {k: v[keep] for k, v in V.items()}
    lk = keep[L["v"]]
    L = {k: v[lk] for k, v in L.items()}
    L["v"] = newi[L["v"]]
    V, L = fi_post_lines(W, V, L)
    L["t"] = np.clip(L["t"], V["bt"][L["v"]], V["et"][L["v"]])
    assign_trace(W, L, V)
    legit_split_sales(W, V, L)
    V2, L2 = fi_resale(W, V, L)
    V, L = append_vl(V, L, V2, L2)
    normalise_times(W, V, L)
    S_ = settle(W, V, L)
    S_, L = refunds(W, V, L, S_)
    log("settlements %d (refunds %d), fee lines %d" % (len(S_["v"]), int(S_["flag"].sum()), len(L["v"])))
    write_all(W, V, L, S_, a.out)
    log("written to %s" % a.out)
    lab = pd.read_csv(os.path.join(a.out, "labels.csv"))
    print(lab.groupby(["entity_type", "fraud_type"]).size().to_string())


if __name__ == "__main__":
    main()
