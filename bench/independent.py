"""Independent synthetic landing extract for fundwatch (Nanchong, Sichuan, settlement year 2024-07..2025-06).

Written from the landing contract (/work/shared/contract/README.md) and the five public supervision plans
(/work/shared/seeds/*.txt) only -- without looking at the project's own generator, detectors or tests --
so that detection quality can be measured on data shaped unlike the project's defaults.

Usage:
    python bench/independent.py --out DIR --persons N [--seed S]

Writes a landing folder DIR/<table>/part-NNNNN.csv (UTF-8, header; some files with a BOM; several files
per table) for psn, fixmedins, mdtrt, setl, fee_list, opsp_reg, psn_death, plus DIR/labels.csv
(entity_type, entity_id, fraud_type, group_id).  Everything is fictitious; institution names are invented.

World
-----
* Region: 南充市 (511300), Sichuan, nine counties/districts (511302 顺庆 ... 511381 阆中) with towns,
  villages and streets; a few out-of-prefecture (Chengdu) hospitals for referrals.  Settlements from
  2024-07-01 to 2025-06-30, Spring Festival 2025-01-29 dip/rebound, winter respiratory peak, rural
  market-day (赶场, every third day) peaks at township clinics, Sunday troughs.
* Households (old couples, left-behind children with grandparents, three-generation families) share
  live_addr; villages share the village part of it; nursing homes (敬老院) with 特困供养 residents.
  Persons: realistic ages, 18-digit ID numbers with checksums (older people with pre-1993 area codes),
  310 employees mostly urban, 390 residents.
* Visits: pharmacy purchases (41) and outpatient (11) dominate; emergency (13); chronic registrations
  (opsp_reg) drive 14 visits with a fixed personal regimen; dialysis 2-3x/week; chemotherapy cycles;
  inpatient stays (21) for ~7% of people with ward split doses (trdn_flag=1, one box code spread over
  several daily lines), discharge drugs, labs/exams/surgery/materials.  Trace codes (20 digits starting
  with 8; GS1 for imported drugs) with coverage rising month by month from ~30% to ~90% (the national
  roll-out), none on herbal pieces.
* Mess the contract allows: mid-stay settlements (year-end cut-over and monthly for long psychiatric /
  rehab stays), refunds (negative, reversing an earlier settlement of the same visit) with re-settlement,
  cancelled visits, double scans refunded, re-sent rows duplicated in a later file, cash column named
  `cash_payamt` in part of the setl files, chrgitm_lv as 甲/乙/丙 at some institutions and 1/2/3 at
  others, optional columns sometimes null, bed fees posted daily or as one aggregated line, hospitals
  that count both admission and discharge day, BOMs on some files.

Fraud patterns (labelled in labels.csv; counts at --persons 100000 in brackets)
------------------------------------------------------------------------------
persons (one pattern per person):
* frequent_admission [150]: elderly residents, 7-14 mild-diagnosis stays a year at one or two township /
  private hospitals, 5-10 days each, 1-4 weeks apart.
* split_admission [200]: a 14-28 day stay cut into 2-3 admissions at the same hospital with the same
  (serious) diagnosis, readmitted the same afternoon or 1-3 days later.
* bed_blocking [100]: 10-21 day stays billed for bed / nursing / ward rounds with drugs and treatment only
  on the first two days, while the person buys at pharmacies or is seen at other clinics meanwhile.
* co_admission [~120, group_id CO..]: 4-7 unrelated people (different households and villages) admitted
  within +-1 day and discharged within +-1 day at one institution, 3-6 times a year.
* organised_group [~70, group_id GG..]: 6-12 recruited people from several counties, 60-90% of them
  admitted together (+-1 day) 5-8 times, rotating over 3-5 hospitals (often an induced-admission one).
* death_settlement [60]: person in psn_death (died in or before the year); the card keeps being used
  (background visits continue) plus 2-6 explicit purchases / chronic visits after death.
* sex_diagnosis_mismatch [80]: men with O20/Z34/N7x/N9x visits (sometimes a delivery stay), women with
  N40/N41/C61 (sometimes a TURP stay).
* drug_overstock [250]: one or two high-value chronic drugs (丁苯酞, 司美格鲁肽, 波立维, 布地格福 ...) bought
  14-30 times at 3-6 pharmacies across counties and a hospital, 30-90 days each (3-5 years' supply).
* chronic_misuse [200]: registered (opsp_reg) patients with 6-12 extra med_type 14 visits coded to the
  registered disease but dispensing unrelated drugs (stomach, pain, tonics, another disease's drugs);
  a quarter coded to a disease they are not registered for.
* refund_cashout [80]: 8-20 pharmacy purchases (mostly on the personal account) each fully refunded
  10 minutes to 2 days later, never re-settled.
* identity_borrowing [150]: visits by one card in two counties >=45 km apart (or Chengdu) within an hour;
  or paediatric care (儿科, children's drugs) on a 40+ adult's card; or antenatal care and a delivery on
  a 55+ woman's card.
institutions (2-5 each; 2 minimum at small sizes):
* induced_admission [4 private hospitals]: ~150-240 extra mild-diagnosis admissions (脑动脉硬化, 颈椎病,
  高血压 ...), 4-8 days, injectables (血栓通, 丹参, 前列地尔, 脑苷肌肽), daily physiotherapy / fumigation,
  CT + carotid / cardiac ultrasound; patients from near and far counties (免费接送).
* clustered_admission [3, one of them also induced]: ~68% of ~120-200 extra admissions (and of the
  induced ones, where both apply) fall on two fixed days of the month (bus days).
* similar_reimbursement [3]: ~110-170 mild stays whose fees are padded with daily 丹参注射液 doses so
  that hifp_pay lands within +-1% of one target (e.g. 2860.00).
* card_swiping [5 pharmacies]: 8-14 nights (or early mornings) with bursts of 12-35 cards within 1-2 h,
  round totals (100/150/.../500) from one or two fabricated lines, mostly employee cards from all counties,
  no trace codes on most of them.
* overcharging [4]: 70% of stays with extra bed-day charges (bed count > LOS+1), 特级护理 and duplicate
  nursing, biochemistry billed both as panel and components (分解/重复收费), infusion first-group fee per
  drug, precision infusion sets instead of ordinary ones (串换), a doubled daily drug.
* trace_code_resale [4 pharmacies]: ~70-130 sales each of boxes whose trace codes were already sold and
  settled (unrefunded) 3-60 days earlier elsewhere -- three quarters from drug_overstock purchases.

Legitimate look-alikes (unlabelled): chemotherapy cycles every ~21 days, dialysis sessions 2-3x/week,
unplanned readmissions 2-15 days after discharge (often same hospital / same diagnosis), same-day
transfers, families admitted together (food / CO poisoning), nursing-home outbreak admissions, a winter
pneumonia cohort in villages, refunds for price corrections / a wrongly billed item (re-settled),
cancelled sales, double scans refunded, relatives buying a chronic patient's regimen during the
patient's stay, chronic patients on long (84-day) prescriptions, elderly heavy outpatient users, ward
split doses, pharmacy split-box sales (same code on two customers, trdn_flag=1), cancelled boxes resold,
busy and 24-hour pharmacies, single-disease fixed-price (单病种) cataract and delivery stays, in-hospital
deaths settled on the day after death, travellers seen in two distant counties hours apart, male breast
cancer, multi-registration chronic patients.

Deliberate differences from a "typical" generator: Sichuan region and codes, a July-June year crossing the
Spring Festival, long-tailed (gamma-Poisson) utilisation, fixed personal drug regimens with adherence,
a trace-code roll-out instead of full coverage, numeric-looking 20-22 digit IDs, mixed code conventions
across institutions, fraud embedded in realistic background (fraud persons keep their normal visits and
fraud institutions their normal patients), re-sent duplicate rows, two spellings of the cash column.
No deliberately invalid rows are produced.
"""

import argparse
import os
import sys
import time
import zlib

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------------------------------
# time helpers
# --------------------------------------------------------------------------------------------------
EPOCH = np.datetime64("1970-01-01T00:00:00", "s")


def ts(s):
    return int((np.datetime64(s, "s") - EPOCH) / np.timedelta64(1, "s"))


T0 = ts("2024-07-01T00:00:00")
T1 = ts("2025-07-01T00:00:00")
DAY = 86400
HOUR = 3600
NDAYS = 365
YEAR_CUT = ts("2025-01-01T00:00:00")
CNY = 212  # 2025-01-29 as day index
_days = np.arange(NDAYS)
_dates = (np.datetime64("2024-07-01") + _days).astype("datetime64[D]")
MONTH = (_dates.astype("datetime64[M]") - np.datetime64("2024-07", "M")).astype(int)  # 0..11
DOM = (_dates - _dates.astype("datetime64[M]")).astype(int) + 1
WDAY = _days % 7  # 0 = Monday (2024-07-01 was a Monday)


def crc(s):
    return zlib.crc32(s.encode("utf-8")) & 0xFFFFFFFF


# --------------------------------------------------------------------------------------------------
# geography
# --------------------------------------------------------------------------------------------------
COUNTIES = [  # code, name, short, urban, population weight, lat, lon
    ("511302", "顺庆区", "顺庆", 1, 0.70, 30.80, 106.08),
    ("511303", "高坪区", "高坪", 1, 0.55, 30.78, 106.12),
    ("511304", "嘉陵区", "嘉陵", 1, 0.50, 30.76, 106.07),
    ("511321", "南部县", "南部", 0, 0.85, 31.35, 106.06),
    ("511322", "营山县", "营山", 0, 0.60, 31.08, 106.57),
    ("511323", "蓬安县", "蓬安", 0, 0.45, 31.03, 106.41),
    ("511324", "仪陇县", "仪陇", 0, 0.75, 31.27, 106.30),
    ("511325", "西充县", "西充", 0, 0.40, 30.99, 105.90),
    ("511381", "阆中市", "阆中", 0, 0.65, 31.56, 106.00),
]
NC = len(COUNTIES)
C_CODE = [c[0] for c in COUNTIES]
C_URB = np.array([c[3] for c in COUNTIES])
C_W = np.array([c[4] for c in COUNTIES])
C_W = C_W / C_W.sum()
C_LAT = np.array([c[5] for c in COUNTIES])
C_LON = np.array([c[6] for c in COUNTIES])
# pre-1993 area codes of 南充地区 for older ID cards
OLD_AREA = ["513001", "513002", "513021", "513022", "513023", "513024", "513025", "513026", "513029"]
OTHER_AREA = ["510722", "511621", "510811", "511902", "500233", "510104", "511102"]

SYL1 = list("金石龙凤双清白新永太仁安河马桥大云柳木兴复碧三观福老文宝长天黄古青东西南北楠柏思水望鹤")
SYL2 = list("溪坪山桥河池兴和城滩岭林坝观场湾井垭寺庙口沟庙梁垭嘴")
SURN = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SURN_W = np.linspace(3.0, 0.3, len(SURN))
GIV_M = list("伟强军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆建国志文德福贵全林海成富荣祥")
GIV_F = list("芳娜敏静丽艳娟霞秀英华玲桂兰梅琴燕红萍洁琳雪婷倩淑珍凤莲春菊慧")
ROADS = [
    "人民中路",
    "涪江路",
    "北湖路",
    "模范街",
    "滨江大道",
    "白土坝路",
    "江东大道",
    "嘉陵大道",
    "文化路",
    "五星花园",
    "莲池路",
    "顺庆东路",
    "清泉坝街",
    "都京路",
    "果城路",
    "南门坝街",
]


# --------------------------------------------------------------------------------------------------
# diagnosis catalogue: code, name, category, sex (M/F/''), dept, ip_group, los median, kind
# kind: m = mild (轻症), s = serious, u = surgical, o = obstetric, c = cancer, p = psych, r = rehab
# --------------------------------------------------------------------------------------------------
DX = [
    # outpatient acute
    ("J06.900", "急性上呼吸道感染", "resp", "", "A03.01", "ip_resp", 5, "m"),
    ("J02.900", "急性咽炎", "resp", "", "A11", "ip_resp", 4, "m"),
    ("J20.900", "急性支气管炎", "resp", "", "A03.01", "ip_resp", 6, "m"),
    ("J03.900", "急性扁桃体炎", "resp", "", "A11", "ip_resp", 4, "m"),
    ("J11.100", "流行性感冒", "resp", "", "A03.01", "ip_resp", 5, "m"),
    ("K29.700", "胃炎", "gi", "", "A03.02", "ip_gi", 6, "m"),
    ("K52.900", "非感染性胃肠炎", "gi", "", "A03.02", "ip_gi", 4, "m"),
    ("K30.x00", "功能性消化不良", "gi", "", "A03.02", "ip_gi", 5, "m"),
    ("A09.900", "感染性腹泻", "gi", "", "A03.02", "ip_gi", 4, "m"),
    ("M54.500", "腰痛", "pain", "", "A04.03", "ip_pain", 7, "m"),
    ("M17.900", "膝关节病", "pain", "", "A04.03", "ip_pain", 8, "m"),
    ("M47.802", "颈椎病", "pain", "", "A04.03", "ip_pain", 7, "m"),
    ("R51.x00", "头痛", "pain", "", "A03.03", "ip_mild", 5, "m"),
    ("L30.900", "皮炎", "derm", "", "A13", "ip_resp", 4, "m"),
    ("L50.900", "荨麻疹", "derm", "", "A13", "ip_resp", 4, "m"),
    ("H10.900", "结膜炎", "eye", "", "A10", "ip_resp", 3, "m"),
    ("J30.400", "变应性鼻炎", "ent", "", "A11", "ip_resp", 4, "m"),
    ("K05.100", "慢性牙龈炎", "dent", "", "A12", "ip_resp", 3, "m"),
    ("N39.000", "泌尿道感染", "uti", "", "A03.06", "ip_gi", 5, "m"),
    ("N76.000", "急性阴道炎", "gyn", "F", "A05.01", "ip_gi", 4, "m"),
    ("N92.000", "月经过多", "gyn", "F", "A05.01", "ip_gi", 4, "m"),
    ("N70.900", "输卵管炎和卵巢炎", "gyn", "F", "A05.01", "ip_gi", 6, "m"),
    ("N40.x00", "前列腺增生", "prost", "M", "A04.04", "ip_surg", 7, "u"),
    ("N41.100", "慢性前列腺炎", "prost", "M", "A04.04", "ip_gi", 5, "m"),
    ("Z34.900", "正常妊娠监督", "prenatal", "F", "A05.02", "ip_ob", 3, "o"),
    ("O20.000", "先兆流产", "prenatal", "F", "A05.02", "ip_ob", 5, "o"),
    ("A08.400", "病毒性肠炎", "kid", "", "A07", "ip_gi", 4, "m"),
    # chronic
    ("I10.x00", "高血压", "htn", "", "A03.04", "ip_mild", 7, "m"),
    ("E11.900", "2型糖尿病", "dm", "", "A03.07", "ip_endo", 9, "s"),
    ("E78.500", "高脂血症", "lipid", "", "A03.04", "ip_mild", 6, "m"),
    ("I25.103", "冠状动脉粥样硬化性心脏病", "chd", "", "A03.04", "ip_heart", 9, "s"),
    ("J44.900", "慢性阻塞性肺疾病", "copd", "", "A03.01", "ip_copd", 9, "s"),
    ("I69.300", "脑梗死后遗症", "stroke", "", "A21", "ip_rehab", 24, "r"),
    ("F20.900", "精神分裂症", "psych", "", "A15", "ip_psych", 50, "p"),
    ("N18.500", "慢性肾脏病5期", "ckd", "", "A03.06", "ip_heart", 10, "s"),
    # inpatient
    ("J18.900", "肺炎", "resp_ip", "", "A03.01", "ip_resp", 8, "s"),
    ("J44.100", "慢性阻塞性肺疾病伴急性加重", "resp_ip", "", "A03.01", "ip_copd", 10, "s"),
    ("I50.900", "心力衰竭", "cardio", "", "A03.04", "ip_heart", 9, "s"),
    ("I20.000", "不稳定性心绞痛", "cardio", "", "A03.04", "ip_heart", 7, "s"),
    ("I63.900", "脑梗死", "neuro", "", "A03.03", "ip_stroke", 12, "s"),
    ("I63.800", "其他脑梗死", "neuro", "", "A03.03", "ip_stroke", 11, "s"),
    ("I67.200", "脑动脉粥样硬化", "neuro_m", "", "A03.03", "ip_mild", 7, "m"),
    ("R42.x00", "头晕和眩晕", "neuro_m", "", "A03.03", "ip_mild", 6, "m"),
    ("G45.900", "短暂性脑缺血发作", "neuro", "", "A03.03", "ip_stroke", 7, "s"),
    ("K80.200", "胆囊结石不伴胆囊炎", "surg", "", "A04.01", "ip_surg", 7, "u"),
    ("K35.800", "急性阑尾炎", "surg", "", "A04.01", "ip_surg", 5, "u"),
    ("K92.200", "胃肠道出血", "gi_ip", "", "A03.02", "ip_gi", 8, "s"),
    ("S72.000", "股骨颈骨折", "ortho", "", "A04.03", "ip_surg", 14, "u"),
    ("S82.200", "胫骨干骨折", "ortho", "", "A04.03", "ip_surg", 12, "u"),
    ("H25.900", "老年性白内障", "eye_ip", "", "A10", "ip_eye", 2, "u"),
    ("O80.000", "单胎顺产", "ob", "F", "A05.02", "ip_ob", 3, "o"),
    ("O82.000", "剖宫产术的单胎分娩", "ob", "F", "A05.02", "ip_ob", 5, "o"),
    ("C34.900", "肺恶性肿瘤", "onc", "", "A19", "ip_onc", 10, "c"),
    ("C16.900", "胃恶性肿瘤", "onc", "", "A19", "ip_onc", 10, "c"),
    ("C18.900", "结肠恶性肿瘤", "onc", "", "A19", "ip_onc", 10, "c"),
    ("C50.900", "乳房恶性肿瘤", "onc", "", "A19", "ip_onc", 9, "c"),
    ("C61.x00", "前列腺恶性肿瘤", "onc", "M", "A19", "ip_onc", 9, "c"),
    ("C53.900", "宫颈恶性肿瘤", "onc", "F", "A19", "ip_onc", 10, "c"),
    ("Z51.100", "恶性肿瘤化学治疗疗程", "chemo", "", "A19", "ip_chemo", 4, "c"),
    ("J18.000", "支气管肺炎", "kid_ip", "", "A07", "ip_resp", 6, "s"),
    ("T62.900", "食物中毒", "poison", "", "A20", "ip_gi", 3, "s"),
    ("T58.x00", "一氧化碳中毒", "poison", "", "A20", "ip_resp", 4, "s"),
    ("P59.900", "新生儿黄疸", "neonate", "", "A07", "ip_gi", 5, "s"),
    ("N20.000", "肾结石", "uro", "", "A04.04", "ip_gi", 5, "s"),
]
DX_CODE = np.array([d[0] for d in DX])
DX_NAME = np.array([d[1] for d in DX])
DX_CAT = np.array([d[2] for d in DX])
DX_SEX = np.array([d[3] for d in DX])
DX_DEPT = np.array([d[4] for d in DX])
DX_IPG = [d[5] for d in DX]
DX_LOS = np.array([d[6] for d in DX], dtype=float)
DX_KIND = np.array([d[7] for d in DX])
DXI = {d[0]: i for i, d in enumerate(DX)}


def dx_of_cat(cat, sex=None):
    return [i for i, d in enumerate(DX) if d[2] == cat and (sex is None or d[3] in ("", sex))]


# --------------------------------------------------------------------------------------------------
# item catalogue (drugs and services)
# --------------------------------------------------------------------------------------------------
# drugs: key, name, chrg type, lv, box price, units per box, units per day, imported, freq, groups
DRUGS = [
    ("amlo", "苯磺酸氨氯地平片", "C08CA", "09", "甲", 3.08, 28, 1, 0, "qd", "htn"),
    ("nife", "硝苯地平控释片", "C08CA", "09", "乙", 22.40, 7, 1, 1, "qd", "htn"),
    ("vals", "缬沙坦胶囊", "C09CA", "09", "乙", 12.60, 28, 1, 0, "qd", "htn"),
    ("irbh", "厄贝沙坦氢氯噻嗪片", "C09DA", "09", "乙", 15.80, 14, 1, 0, "qd", "htn"),
    ("meto", "酒石酸美托洛尔片", "C07AB", "09", "甲", 4.50, 20, 2, 0, "bid", "htn chd"),
    ("metf", "盐酸二甲双胍片", "A10BA", "09", "甲", 8.70, 60, 3, 0, "tid", "dm"),
    ("acar", "阿卡波糖片", "A10BF", "09", "乙", 14.70, 30, 3, 0, "tid", "dm"),
    ("glim", "格列美脲片", "A10BB", "09", "乙", 9.60, 30, 1, 0, "qd", "dm"),
    ("sita", "磷酸西格列汀片", "A10BH", "09", "乙", 24.50, 7, 1, 1, "qd", "dm"),
    ("sema", "司美格鲁肽注射液", "A10BJ", "09", "乙", 478.00, 1, 0, 1, "qw", "dm_hi"),
    ("degl", "德谷胰岛素注射液", "A10AE", "09", "乙", 148.00, 1, 0, 1, "qd", "dm_hi"),
    ("ator", "阿托伐他汀钙片", "C10AA", "09", "甲", 3.50, 7, 1, 0, "qn", "lipid chd"),
    ("rosu", "瑞舒伐他汀钙片", "C10AA", "09", "乙", 16.20, 28, 1, 0, "qn", "lipid"),
    ("aspi", "阿司匹林肠溶片", "B01AC", "09", "甲", 13.50, 30, 1, 0, "qd", "chd stroke"),
    ("clop", "硫酸氢氯吡格雷片", "B01AC", "09", "乙", 101.50, 7, 1, 1, "qd", "chd_hi stroke_hi"),
    ("butp", "丁苯酞软胶囊", "N07XX", "09", "乙", 178.60, 24, 6, 0, "tid", "stroke_hi"),
    ("isos", "单硝酸异山梨酯缓释片", "C01DA", "09", "甲", 22.00, 24, 1, 0, "qd", "chd"),
    ("tiot", "噻托溴铵吸入粉雾剂", "R03BB", "09", "乙", 62.00, 30, 1, 0, "qd", "copd"),
    ("budg", "布地格福吸入气雾剂", "R03AL", "09", "乙", 298.00, 120, 4, 1, "bid", "copd_hi"),
    ("olan", "奥氮平片", "N05AH", "09", "乙", 28.00, 7, 1, 0, "qn", "psych"),
    ("risp", "利培酮片", "N05AX", "09", "甲", 15.00, 20, 2, 0, "bid", "psych"),
    ("bail", "百令胶囊", "ZB", "11", "乙", 48.00, 42, 6, 0, "tid", "ckd tonic"),
    ("jins", "金水宝胶囊", "ZB", "11", "乙", 52.00, 72, 9, 0, "tid", "tonic"),
    ("fdds", "复方丹参滴丸", "ZA", "11", "甲", 29.00, 180, 30, 0, "tid", "chd"),
    ("nxt", "脑心通胶囊", "ZA", "11", "乙", 45.00, 48, 6, 0, "tid", "stroke"),
    ("amox", "阿莫西林胶囊", "J01CA", "09", "甲", 6.80, 24, 6, 0, "tid", "resp uti"),
    ("cefx", "头孢克肟分散片", "J01DD", "09", "乙", 18.00, 6, 2, 0, "bid", "resp uti"),
    ("levo", "左氧氟沙星片", "J01MA", "09", "甲", 12.50, 4, 1, 0, "qd", "uti resp"),
    ("lhqw", "连花清瘟胶囊", "ZA", "11", "乙", 14.80, 24, 12, 0, "tid", "resp"),
    ("fays", "复方氨酚烷胺片", "N02BE", "09", "丙", 9.50, 12, 2, 0, "bid", "resp"),
    ("ambr", "盐酸氨溴索口服溶液", "R05CB", "09", "乙", 16.00, 1, 0, 0, "tid", "resp"),
    ("pdl", "蒲地蓝消炎口服液", "ZA", "11", "乙", 32.00, 10, 3, 0, "tid", "resp"),
    ("omep", "奥美拉唑肠溶胶囊", "A02BC", "09", "甲", 5.60, 14, 1, 0, "qd", "gi"),
    ("smec", "蒙脱石散", "A07BC", "09", "甲", 11.00, 10, 3, 0, "tid", "gi kid"),
    ("alum", "铝碳酸镁咀嚼片", "A02AD", "09", "乙", 21.00, 20, 3, 0, "tid", "gi"),
    ("flcw", "枫蓼肠胃康颗粒", "ZA", "11", "乙", 18.00, 9, 3, 0, "tid", "gi"),
    ("ibup", "布洛芬缓释胶囊", "M01AE", "09", "甲", 12.00, 20, 2, 0, "bid", "pain"),
    ("dicl", "双氯芬酸钠缓释片", "M01AB", "09", "甲", 9.00, 10, 1, 0, "qd", "pain"),
    ("cele", "塞来昔布胶囊", "M01AH", "09", "乙", 21.00, 6, 1, 1, "qd", "pain"),
    ("ynby", "云南白药膏", "ZA", "11", "乙", 26.00, 5, 1, 0, "qd", "pain"),
    ("hxzt", "活血止痛胶囊", "ZA", "11", "乙", 28.00, 48, 6, 0, "tid", "pain"),
    ("mome", "糠酸莫米松乳膏", "D07AC", "09", "乙", 18.00, 1, 0, 0, "qd", "derm"),
    ("lora", "氯雷他定片", "R06AX", "09", "甲", 16.00, 6, 1, 0, "qd", "derm ent"),
    ("levd", "左氧氟沙星滴眼液", "S01AE", "09", "甲", 15.00, 1, 0, 0, "qid", "eye"),
    ("hyal", "玻璃酸钠滴眼液", "S01XA", "09", "乙", 35.00, 1, 0, 1, "qid", "eye"),
    ("xeab", "小儿氨酚黄那敏颗粒", "N02BE", "09", "乙", 12.00, 10, 3, 0, "tid", "kid"),
    ("ibsu", "布洛芬混悬液", "M01AE", "09", "甲", 18.00, 1, 0, 0, "prn", "kid"),
    ("xeqr", "小儿豉翘清热颗粒", "ZA", "11", "乙", 38.00, 6, 3, 0, "tid", "kid"),
    ("metr", "甲硝唑阴道泡腾片", "G01AF", "09", "甲", 12.00, 7, 1, 0, "qn", "gyn"),
    ("tams", "盐酸坦索罗辛缓释胶囊", "G04CA", "09", "乙", 28.00, 10, 1, 1, "qd", "prost"),
    ("fina", "非那雄胺片", "G04CB", "09", "乙", 26.00, 10, 1, 0, "qd", "prost"),
    ("prog", "黄体酮软胶囊", "G03DA", "09", "乙", 38.00, 10, 2, 1, "bid", "prenatal"),
    ("foli", "叶酸片", "B03BB", "09", "甲", 8.00, 31, 1, 0, "qd", "prenatal"),
    # inpatient (units = vials/bags/tablets, ward split doses)
    ("ceft", "注射用头孢曲松钠", "J01DD", "09", "甲", 86.00, 10, 2, 0, "qd", "ip_resp ip_gi ip_surg ip_kid"),
    ("cefz", "注射用头孢唑林钠", "J01DB", "09", "甲", 52.00, 10, 2, 0, "bid", "ip_surg ip_ob"),
    ("moxi", "盐酸莫西沙星氯化钠注射液", "J01MA", "09", "乙", 45.00, 1, 1, 1, "qd", "ip_resp ip_copd"),
    ("omei", "注射用奥美拉唑钠", "A02BC", "09", "乙", 98.00, 10, 2, 0, "bid", "ip_gi ip_surg ip_stroke"),
    ("edar", "依达拉奉注射液", "N07XX", "09", "乙", 380.00, 10, 2, 0, "bid", "ip_stroke"),
    ("xstt", "注射用血栓通(冻干)", "ZA", "11", "乙", 290.00, 10, 3, 0, "qd", "ip_stroke ip_mild"),
    ("dans", "丹参注射液", "ZA", "11", "乙", 65.00, 10, 2, 0, "qd", "ip_mild ip_pain"),
    ("alpr", "前列地尔注射液", "C01EA", "09", "乙", 420.00, 10, 1, 0, "qd", "ip_mild ip_stroke ip_endo"),
    ("nbgj", "脑苷肌肽注射液", "N07XX", "09", "乙", 580.00, 10, 2, 0, "qd", "ip_mild"),
    ("mpre", "注射用甲泼尼龙琥珀酸钠", "H02AB", "09", "乙", 220.00, 10, 1, 1, "qd", "ip_copd"),
    ("doxo", "多索茶碱注射液", "R03DA", "09", "乙", 140.00, 10, 2, 0, "bid", "ip_copd"),
    ("bude", "吸入用布地奈德混悬液", "R03BA", "09", "乙", 49.00, 5, 2, 1, "bid", "ip_copd ip_resp ip_kid"),
    ("furo", "呋塞米注射液", "C03CA", "09", "甲", 6.00, 10, 1, 0, "qd", "ip_heart"),
    ("sacu", "沙库巴曲缬沙坦钠片", "C09DX", "09", "乙", 90.00, 14, 2, 1, "bid", "ip_heart"),
    ("kcl", "氯化钾缓释片", "A12BA", "09", "甲", 12.00, 24, 3, 0, "tid", "ip_heart"),
    ("ns", "0.9%氯化钠注射液(250ml)", "B05XA", "09", "甲", 2.90, 1, 2, 0, "qd", "carrier"),
    ("gs", "5%葡萄糖注射液(250ml)", "B05BA", "09", "甲", 3.20, 1, 1, 0, "qd", "carrier"),
    ("oxyt", "缩宫素注射液", "H01BB", "09", "甲", 25.00, 10, 2, 0, "st", "ip_ob"),
    ("pacl", "注射用紫杉醇", "L01CD", "09", "甲", 680.00, 1, 4, 0, "st", "ip_chemo"),
    ("oxal", "奥沙利铂注射液", "L01XA", "09", "乙", 420.00, 1, 2, 0, "st", "ip_chemo"),
    ("onda", "昂丹司琼注射液", "A04AA", "09", "乙", 180.00, 10, 2, 0, "bid", "ip_chemo ip_onc"),
    ("epo", "重组人促红素注射液", "B03XA", "09", "乙", 36.00, 1, 1, 0, "biw", "dial"),
    ("iron", "蔗糖铁注射液", "B03AC", "09", "乙", 68.00, 1, 1, 0, "qw", "dial"),
    ("lmwh", "低分子量肝素钙注射液", "B01AB", "09", "乙", 32.00, 1, 1, 0, "qd", "ip_surg ip_heart dial"),
    ("pare", "注射用帕瑞昔布钠", "M01AH", "09", "乙", 48.00, 1, 2, 1, "bid", "ip_surg"),
    ("aspa", "门冬胰岛素注射液", "A10AB", "09", "乙", 68.00, 1, 1, 1, "tid", "ip_endo"),
    ("mann", "甘露醇注射液(250ml)", "B05BC", "09", "甲", 5.00, 1, 2, 0, "bid", "ip_stroke"),
    ("mecb", "甲钴胺片", "B03BA", "09", "乙", 18.00, 20, 3, 1, "tid", "ip_pain ip_rehab ip_endo"),
    ("olai", "奥氮平片(住院)", "N05AH", "09", "乙", 28.00, 7, 1, 0, "qn", "ip_psych"),
    ("tobr", "妥布霉素地塞米松滴眼液", "S01CA", "09", "乙", 42.00, 1, 1, 1, "qid", "ip_eye"),
    ("cpdg", "复方电解质葡萄糖注射液", "B05BB", "09", "甲", 8.50, 1, 2, 0, "qd", "ip_kid"),
    ("vk1", "维生素K1注射液", "B02BA", "09", "甲", 12.00, 10, 1, 0, "qd", "ip_neo"),
]
# services: key, code, name, chrg type, lv, price
SERV = [
    ("bed3", "110900001b", "普通病房床位费(三人间)", "01", "甲", 28.0),
    ("bed2", "110900001a", "普通病房床位费(两人间)", "01", "乙", 45.0),
    ("dz_op", "110200001", "门诊诊察费", "02", "甲", 10.0),
    ("dz_op2", "110200002", "副主任医师门诊诊察费", "02", "甲", 18.0),
    ("dz_er", "110400001", "急诊诊察费", "02", "甲", 15.0),
    ("dz_ip", "110300001", "住院诊察费", "02", "甲", 15.0),
    ("ybzl", "111000001", "一般诊疗费", "12", "甲", 10.0),
    ("gh", "110100001", "挂号费", "13", "丙", 2.0),
    ("dr", "210102015", "胸部数字化摄影(DR)", "03", "甲", 70.0),
    ("ct_h", "210300001", "头颅CT平扫", "03", "甲", 260.0),
    ("ct_c", "210300002", "胸部CT平扫", "03", "甲", 280.0),
    ("us_a", "220201001", "腹部彩色多普勒超声", "03", "乙", 150.0),
    ("ecg", "310701001", "常规心电图检查", "03", "甲", 25.0),
    ("us_h", "220600006", "心脏彩色多普勒超声", "03", "乙", 240.0),
    ("mri", "210500001", "头颅磁共振平扫", "03", "乙", 620.0),
    ("us_n", "220800003", "颈动脉彩色多普勒超声", "03", "乙", 120.0),
    ("holt", "310702012", "动态心电图", "03", "乙", 180.0),
    ("pft", "310601002", "肺功能检查", "03", "乙", 90.0),
    ("cbc", "250101015", "血常规(五分类)", "04", "甲", 20.0),
    ("ua", "250102001", "尿常规", "04", "甲", 10.0),
    ("bchem", "250300000", "生化全套", "04", "乙", 180.0),
    ("alt", "250305001", "丙氨酸氨基转移酶测定", "04", "甲", 5.0),
    ("ast", "250305002", "天门冬氨酸氨基转移酶测定", "04", "甲", 5.0),
    ("tbil", "250305004", "总胆红素测定", "04", "甲", 5.0),
    ("crea", "250307001", "肌酐测定", "04", "甲", 5.0),
    ("urea", "250307002", "尿素测定", "04", "甲", 5.0),
    ("glu", "250303001", "葡萄糖测定", "04", "甲", 6.0),
    ("tc", "250304001", "血清总胆固醇测定", "04", "甲", 6.0),
    ("tg", "250304002", "血清甘油三酯测定", "04", "甲", 6.0),
    ("crp", "250403001", "C反应蛋白测定", "04", "甲", 35.0),
    ("coag", "250203025", "凝血四项", "04", "乙", 80.0),
    ("hba1c", "250404001", "糖化血红蛋白测定", "04", "乙", 60.0),
    ("myo", "250310003", "心肌酶谱", "04", "乙", 120.0),
    ("hbv", "250401001", "乙肝两对半", "04", "乙", 70.0),
    ("ivf1", "120400006", "静脉输液(第一组)", "05", "甲", 12.0),
    ("ivf2", "120400007", "静脉输液(加组)", "05", "甲", 3.0),
    ("o2", "120700001", "吸氧", "05", "甲", 3.0),
    ("neb", "120400011", "雾化吸入", "05", "甲", 8.0),
    ("midf", "440000001", "中频脉冲电治疗", "05", "乙", 15.0),
    ("acup", "430000014", "普通针刺", "05", "乙", 25.0),
    ("fumi", "460000010", "中药熏蒸治疗", "05", "乙", 60.0),
    ("moxa", "430000010", "艾灸", "05", "乙", 20.0),
    ("rehb", "440000009", "偏瘫肢体综合训练", "05", "乙", 45.0),
    ("hd", "311000006", "血液透析", "05", "甲", 420.0),
    ("dress", "121600001", "大换药", "05", "甲", 20.0),
    ("im", "120400010", "肌肉注射", "05", "甲", 4.0),
    ("chemo_p", "120400013", "抗肿瘤化学药物配置", "05", "乙", 30.0),
    ("sx_chol", "331005003", "腹腔镜下胆囊切除术", "06", "甲", 2600.0),
    ("sx_app", "331003003", "阑尾切除术", "06", "甲", 1400.0),
    ("sx_cat", "330604003", "白内障超声乳化摘除术+人工晶体植入术", "06", "甲", 1900.0),
    ("sx_cs", "331300006", "子宫下段剖宫产术", "06", "甲", 1800.0),
    ("sx_del", "331300001", "单胎顺产接生", "06", "甲", 800.0),
    ("sx_hip", "331504002", "人工股骨头置换术", "06", "甲", 3200.0),
    ("sx_tib", "331502003", "胫骨骨折切开复位内固定术", "06", "甲", 2200.0),
    ("sx_turp", "331104001", "经尿道前列腺电切术", "06", "甲", 2400.0),
    ("anes_g", "330100001", "全身麻醉", "06", "甲", 800.0),
    ("anes_s", "330100005", "椎管内麻醉", "06", "甲", 400.0),
    ("pkg_cat", "330604900", "白内障单病种包干(按病种收费)", "06", "甲", 3600.0),
    ("pkg_del", "331300900", "阴道分娩单病种包干(按病种收费)", "06", "甲", 2200.0),
    ("nur_s", "120100003", "特级护理", "07", "甲", 150.0),
    ("nur_1", "120100004", "一级护理", "07", "甲", 30.0),
    ("nur_2", "120100005", "二级护理", "07", "甲", 18.0),
    ("nur_3", "120100006", "三级护理", "07", "甲", 10.0),
    ("m_ivset", "C0304010101000002217", "一次性使用输液器", "08", "甲", 3.5),
    ("m_ivflt", "C0304010102000005143", "一次性使用精密过滤输液器", "08", "乙", 25.0),
    ("m_cath", "C0304020100000011208", "一次性静脉留置针", "08", "乙", 18.0),
    ("m_iol", "C1106010200000037725", "人工晶状体", "08", "乙", 1600.0),
    ("m_clip", "C0212030100000024410", "结扎夹", "08", "乙", 380.0),
    ("m_hip", "C0301020200000048821", "人工股骨头假体", "08", "乙", 6500.0),
    ("m_plate", "C0301010100000052076", "接骨板系统", "08", "乙", 3800.0),
    ("m_dial", "C0406010100000061193", "透析器", "08", "乙", 120.0),
    ("m_o2", "C0208010100000003377", "一次性吸氧管", "08", "甲", 3.0),
    ("h_hq", "T000700151", "黄芪(饮片)", "10", "甲", 0.12),
    ("h_dg", "T000700312", "当归(饮片)", "10", "甲", 0.38),
    ("h_ds", "T000700208", "党参(饮片)", "10", "甲", 0.30),
    ("h_gc", "T000700047", "甘草(饮片)", "10", "甲", 0.10),
    ("h_fl", "T000700125", "茯苓(饮片)", "10", "甲", 0.12),
    ("blb", "140000001", "病历本", "14", "丙", 1.0),
    ("heat", "140000009", "取暖费", "14", "丙", 8.0),
    ("amb", "480000001", "救护车费", "14", "丙", 120.0),
]


def _build_items():
    rows = []
    for k, name, atc, chrg, lv, price, upb, dpd, imp, freq, groups in DRUGS:
        h = crc(k)
        if atc.startswith("Z"):
            code = "Z%s%s%04d%02d01%05d" % (
                atc[1:] or "A",
                "BAJ"[(h >> 3) % 3] + "K",
                h % 10000,
                (h >> 7) % 90 + 10,
                (h >> 11) % 100000,
            )
        else:
            code = "X%sA%03dA%03d%04d%04d" % (
                atc,
                h % 1000,
                (h >> 10) % 200 + 1,
                (h >> 14) % 10000,
                (h >> 5) % 10000,
            )
        days_pb = (
            int(round(upb / dpd))
            if dpd > 0
            else {"sema": 28, "degl": 20, "ambr": 5, "mome": 10, "levd": 7, "hyal": 10, "ibsu": 4}.get(k, 7)
        )
        if imp:
            pfx = "0%d%012d" % (4 + h % 5, h % 10**12)  # GTIN-14 (imported, GS1)
        else:
            pfx = "8%06d" % (h % 1000000)  # 码上放心 7-digit drug identification prefix
        rows.append(
            dict(
                key=k,
                code=code,
                name=name,
                chrg=chrg,
                lv=lv,
                price=price,
                upb=upb,
                dpd=dpd,
                days=days_pb,
                imported=imp,
                freq=freq,
                groups=groups.split(),
                drug=1,
                pfx=pfx,
            )
        )
    for k, code, name, chrg, lv, price in SERV:
        rows.append(
            dict(
                key=k,
                code=code,
                name=name,
                chrg=chrg,
                lv=lv,
                price=price,
                upb=1,
                dpd=0,
                days=0,
                imported=0,
                freq="",
                groups=[],
                drug=0,
                pfx="",
            )
        )
    return rows


ITEMS = _build_items()
NI = len(ITEMS)
IK = {r["key"]: i for i, r in enumerate(ITEMS)}
IT_CODE = np.array([r["code"] for r in ITEMS], dtype=object)
IT_NAME = np.array([r["name"] for r in ITEMS], dtype=object)
IT_CHRG = np.array([r["chrg"] for r in ITEMS], dtype=object)
IT_LV = np.array(["甲乙丙".index(r["lv"]) for r in ITEMS], dtype=np.int8)
IT_PRICE = np.array([r["price"] for r in ITEMS])
IT_UPB = np.array([r["upb"] for r in ITEMS])
IT_DPD = np.array([max(r["dpd"], 1) for r in ITEMS])
IT_DAYS = np.array([max(r["days"], 1) for r in ITEMS])
IT_IMP = np.array([r["imported"] for r in ITEMS], dtype=bool)
IT_DRUG = np.array([r["drug"] for r in ITEMS], dtype=bool)
IT_PFX = np.array([r["pfx"] for r in ITEMS], dtype=object)
FREQS = ["", "qd", "bid", "tid", "qid", "qn", "qw", "biw", "st", "prn"]
IT_FREQ = np.array([FREQS.index(r["freq"]) for r in ITEMS], dtype=np.int8)
IT_UNITP = np.round(IT_PRICE / IT_UPB, 2)
IT_UNITP = np.maximum(IT_UNITP, 0.01)
IT_HERB = IT_CHRG == "10"

GROUPS = {}
for _i, _r in enumerate(ITEMS):
    for _g in _r["groups"]:
        GROUPS.setdefault(_g, []).append(_i)
for _i, _r in enumerate(ITEMS):
    if _r["drug"]:
        GROUPS["one_" + _r["key"]] = [_i]
GNAMES = sorted(GROUPS)
GI = {g: i for i, g in enumerate(GNAMES)}
G_START = np.zeros(len(GNAMES), dtype=np.int64)
G_SIZE = np.zeros(len(GNAMES), dtype=np.int64)
_flat = []
for _g in GNAMES:
    G_START[GI[_g]] = len(_flat)
    G_SIZE[GI[_g]] = len(GROUPS[_g])
    _flat += GROUPS[_g]
G_ITEMS = np.array(_flat, dtype=np.int64)
# op drug group for each diagnosis category
CAT_OPG = {
    "resp": "resp",
    "gi": "gi",
    "pain": "pain",
    "derm": "derm",
    "eye": "eye",
    "ent": "ent",
    "dent": "resp",
    "uti": "uti",
    "gyn": "gyn",
    "prost": "prost",
    "prenatal": "prenatal",
    "kid": "kid",
    "htn": "htn",
    "dm": "dm",
    "lipid": "lipid",
    "chd": "chd",
    "copd": "copd",
    "stroke": "stroke",
    "psych": "psych",
    "ckd": "ckd",
    "resp_ip": "resp",
    "cardio": "chd",
    "neuro": "stroke",
    "neuro_m": "pain",
    "surg": "gi",
    "gi_ip": "gi",
    "ortho": "pain",
    "eye_ip": "eye",
    "ob": "prenatal",
    "onc": "tonic",
    "chemo": "tonic",
    "kid_ip": "kid",
    "poison": "gi",
    "neonate": "kid",
    "uro": "uti",
}
DX_OPG = np.array([GI[CAT_OPG[c]] for c in DX_CAT])
DX_IPG = np.array([GI[g] if g in GI else GI["ip_mild"] for g in DX_IPG])
for _g in ("ip_pain", "ip_rehab", "ip_eye", "ip_onc", "ip_psych", "ip_endo", "ip_kid", "ip_neo"):
    assert _g in GI, _g
# surgery per dx: (surgery item, anaesthesia, material)
SURG = {
    "K80.200": ("sx_chol", "anes_g", "m_clip"),
    "K35.800": ("sx_app", "anes_s", None),
    "S72.000": ("sx_hip", "anes_s", "m_hip"),
    "S82.200": ("sx_tib", "anes_s", "m_plate"),
    "H25.900": ("sx_cat", None, "m_iol"),
    "O82.000": ("sx_cs", "anes_s", None),
    "O80.000": ("sx_del", None, None),
    "N40.x00": ("sx_turp", "anes_s", None),
}
DX_SX = np.full(len(DX), -1)
DX_AN = np.full(len(DX), -1)
DX_MAT = np.full(len(DX), -1)
for _c, (_s, _a, _m) in SURG.items():
    DX_SX[DXI[_c]] = IK[_s]
    DX_AN[DXI[_c]] = IK[_a] if _a else -1
    DX_MAT[DXI[_c]] = IK[_m] if _m else -1

MT_CODES = np.array(["11", "13", "14", "21", "41"], dtype=object)
MT11, MT13, MT14, MT21, MT41 = range(5)
# visit profiles
P_OP, P_ER, P_CD, P_DIAL, P_IP, P_PH, P_SWIPE, P_EXPL = range(8)
# inpatient modes
IM_NORMAL, IM_BEDBLOCK, IM_OVER, IM_FIXED, IM_SIMILAR, IM_INDUCED, IM_CHEMO = range(7)
# settlement modes
S_ONE, S_YEAREND, S_REFUND_RESETTLE, S_REFUND_ONLY, S_DOUBLESCAN, S_MONTHLY = range(6)
# institution tiers
T_VILLAGE, T_TOWN, T_COUNTY, T_TERT, T_PRIV, T_PHARM, T_OUT = range(7)

PATTERN_TAGS = {}


def tag_id(name):
    if name not in PATTERN_TAGS:
        PATTERN_TAGS[name] = len(PATTERN_TAGS)
    return PATTERN_TAGS[name]


tag_id("background")


# --------------------------------------------------------------------------------------------------
# persons and households
# --------------------------------------------------------------------------------------------------
class World:
    pass


def make_places(rng, n_persons):
    """Towns (乡镇/街道) and villages (村/社区) per county."""
    s = n_persons / 100000.0
    towns = []  # (county, name, urban)
    for c, (code, cname, short, urb, w, la, lo) in enumerate(COUNTIES):
        nt = max(3, int(round(12 * s * (w / np.mean([x[4] for x in COUNTIES])))))
        used = set()
        while len([t for t in towns if t[0] == c]) < nt:
            nm = rng.choice(SYL1) + rng.choice(SYL2)
            if nm in used:
                continue
            used.add(nm)
            if urb and rng.random() < 0.6:
                towns.append((c, nm + "街道", 1))
            else:
                towns.append((c, nm + ("镇" if rng.random() < 0.8 else "乡"), 0))
    return towns


def _name(rng, sur, male):
    giv = GIV_M if male else GIV_F
    if rng.random() < 0.75:
        return sur + giv[rng.integers(len(giv))] + giv[rng.integers(len(giv))]
    return sur + giv[rng.integers(len(giv))]


def make_persons(rng, N):
    W = World()
    towns = make_places(rng, N)
    W.towns = towns
    town_c = np.array([t[0] for t in towns])
    town_urb = np.array([t[2] for t in towns])
    # town weights: urban streets bigger
    tw = np.where(town_urb == 1, 1.6, 1.0) * C_W[town_c] / np.bincount(town_c, minlength=NC)[town_c]
    tw = tw / tw.sum()
    W.town_c = town_c
    W.town_urb = town_urb
    # villages per town
    n_vil = 12
    vil_names = {}
    ages, sexes, hh, town_of, vil_of, addr, surn, names, nh_flag = [], [], [], [], [], [], [], [], []
    hcount = 0
    sur_p = SURN_W / SURN_W.sum()
    # nursing homes: one per rural county per 60k persons (at least one in 4 counties)
    n_nh = max(4, int(round(9 * N / 100000)))
    nh_towns = rng.choice(np.where(town_urb == 0)[0], size=n_nh, replace=False)
    for t in nh_towns:
        size = int(rng.integers(15, 36))
        size = max(6, int(size * min(1.0, N / 50000)))
        for _ in range(size):
            male = rng.random() < 0.62
            ages.append(int(rng.integers(60, 96)))
            sexes.append(1 if male else 2)
            hh.append(hcount)
            hcount += 1
            town_of.append(t)
            vil_of.append(-1)
            addr.append("四川省南充市%s%s敬老院" % (COUNTIES[town_c[t]][1], towns[t][1]))
            sr = SURN[rng.choice(len(SURN), p=sur_p)]
            surn.append(sr)
            names.append(_name(rng, sr, male))
            nh_flag.append(1)
    while len(ages) < N:
        t = int(rng.choice(len(towns), p=tw))
        urb = town_urb[t]
        v = int(rng.integers(n_vil))
        key = (t, v)
        if key not in vil_names:
            if urb:
                vil_names[key] = rng.choice(SYL1) + rng.choice(SYL2) + "社区"
            else:
                vil_names[key] = rng.choice(SYL1) + rng.choice(SYL2) + "村"
        r = rng.random()
        if urb:
            types = [
                ("family", 0.34),
                ("young", 0.18),
                ("old_couple", 0.18),
                ("old_single", 0.08),
                ("middle", 0.14),
                ("left_behind", 0.08),
            ]
        else:
            types = [
                ("family", 0.22),
                ("young", 0.07),
                ("old_couple", 0.24),
                ("old_single", 0.12),
                ("middle", 0.13),
                ("left_behind", 0.22),
            ]
        acc = 0
        for ty, p in types:
            acc += p
            if r < acc:
                break
        mem = []  # (age, male)
        if ty == "old_couple":
            a = int(rng.integers(60, 89))
            mem = [(a, True), (max(55, a - int(rng.integers(0, 6))), False)]
        elif ty == "old_single":
            mem = [(int(rng.integers(65, 97)), rng.random() < 0.35)]
        elif ty == "left_behind":
            a = int(rng.integers(55, 80))
            mem = (
                [(a, True), (a - int(rng.integers(0, 5)), False)]
                if rng.random() < 0.7
                else [(a, rng.random() < 0.3)]
            )
            for _ in range(int(rng.integers(1, 3))):
                mem.append((int(rng.integers(1, 16)), rng.random() < 0.53))
        elif ty == "family":
            a = int(rng.integers(27, 50))
            mem = [(a, True), (max(22, a - int(rng.integers(0, 5))), False)]
            for _ in range(int(rng.choice([1, 1, 2, 2, 3]))):
                mem.append((int(rng.integers(0, min(22, a - 20))), rng.random() < 0.53))
            if rng.random() < 0.35:
                mem.append((a + int(rng.integers(24, 32)), rng.random() < 0.4))
        elif ty == "young":
            a = int(rng.integers(20, 36))
            mem = (
                [(a, True), (max(20, a - int(rng.integers(0, 4))), False)]
                if rng.random() < 0.75
                else [(a, rng.random() < 0.55)]
            )
            if len(mem) == 2 and rng.random() < 0.4:
                mem.append((int(rng.integers(0, 4)), rng.random() < 0.53))
        else:  # middle
            a = int(rng.integers(45, 62))
            mem = [(a, True), (max(40, a - int(rng.integers(0, 5))), False)]
            if rng.random() < 0.5:
                mem.append((int(rng.integers(18, 32)), rng.random() < 0.5))
        sr = SURN[rng.choice(len(SURN), p=sur_p)]
        if urb:
            ad = "四川省南充市%s%s%s%d号%d栋%d单元%d" % (
                COUNTIES[town_c[t]][1],
                towns[t][1],
                ROADS[rng.integers(len(ROADS))],
                rng.integers(1, 400),
                rng.integers(1, 20),
                rng.integers(1, 5),
                rng.integers(1, 30) * 100 + rng.integers(1, 5),
            )
        else:
            ad = "四川省南充市%s%s%s%d组%d号" % (
                COUNTIES[town_c[t]][1],
                towns[t][1],
                vil_names[key],
                rng.integers(1, 12),
                rng.integers(1, 90),
            )
        for i, (a, male) in enumerate(mem):
            ages.append(a)
            sexes.append(1 if male else 2)
            hh.append(hcount)
            town_of.append(t)
            vil_of.append(t * n_vil + v)
            addr.append(ad)
            # children of the family take the father's surname; elders / wives have their own
            s_i = sr if (male and i == 0) or (a < 30 and i >= 2) else SURN[rng.choice(len(SURN), p=sur_p)]
            surn.append(s_i)
            names.append(_name(rng, s_i, male))
            nh_flag.append(0)
        hcount += 1
    # the last household may overshoot: cut it so that exactly N persons are written
    ages, sexes, hh, town_of, vil_of, addr, names, nh_flag = [
        x[:N] for x in (ages, sexes, hh, town_of, vil_of, addr, names, nh_flag)
    ]
    W.N = N
    W.age = np.array(ages, dtype=np.int64)
    W.sex = np.array(sexes, dtype=np.int8)
    W.hh = np.array(hh)
    W.town = np.array(town_of)
    W.vil = np.array(vil_of)
    W.county = town_c[W.town]
    W.urban = town_urb[W.town]
    W.nh = np.array(nh_flag, dtype=bool)
    W.addr = np.array(addr, dtype=object)
    W.name = np.array(names, dtype=object)
    # birth dates (age at 2024-07-01)
    W.brdy = T0 - (W.age * 365.25 * DAY).astype(np.int64) - rng.integers(0, 365, N) * DAY
    W.brdy = W.brdy - (W.brdy % DAY)
    # insurance type
    a = W.age
    p_emp = np.where(
        W.urban == 1,
        np.where(a < 18, 0, np.where(a < 60, 0.45, 0.38)),
        np.where(a < 18, 0, np.where(a < 60, 0.09, 0.05)),
    )
    p_emp = np.where(W.nh, 0, p_emp)
    W.emp = rng.random(N) < p_emp
    W.insutype = np.where(W.emp, "310", "390")
    retired = (W.emp) & (((W.sex == 1) & (a >= 60)) | ((W.sex == 2) & (a >= 55)))
    pt = np.where(W.emp, np.where(retired, "21", "11"), np.where(a < 18, "32", np.where(a < 23, "33", "31")))
    pt = pt.astype(object)
    pt[rng.random(N) < 0.07] = None
    W.psn_type = pt
    idet = np.full(N, None, dtype=object)
    r = rng.random(N)
    rural = (W.urban == 0) & ~W.emp
    idet[rural & (r < 0.07)] = "1403"  # 脱贫人口
    idet[rural & (r >= 0.07) & (r < 0.11)] = "1402"  # 低保
    idet[(~W.emp) & (r >= 0.11) & (r < 0.125) & (W.urban == 1)] = "1402"
    idet[rural & (a >= 65) & (r > 0.995)] = "1401"
    idet[W.nh] = "1401"  # 特困供养
    W.idet = idet
    W.idet_k = np.select([idet == "1401", idet == "1402", idet == "1403"], [1, 2, 3], 0)
    cc = np.array(C_CODE, dtype=object)[W.county]
    ins = cc.copy()
    ins[(W.emp) & (W.urban == 1)] = "511300"  # 市本级 for urban employees
    W.insuplc = ins
    # live_addr sometimes missing
    la = W.addr.copy()
    la[rng.random(N) < 0.04] = None
    W.live_addr = la
    # IDs
    perm = rng.permutation(10**6)[:N] if N <= 10**6 else rng.permutation(N)
    scr = (np.arange(N, dtype=np.int64) * 7919 + perm.astype(np.int64) * 1000003) % 10**12
    # ensure unique
    _, first = np.unique(scr, return_index=True)
    if len(first) < N:
        scr = (np.arange(N, dtype=np.int64) * 982451653 + 12345) % 10**12
    W.psn_no = np.char.add(np.char.add(cc.astype(str), "00"), np.char.zfill(scr.astype(str), 12)).astype(
        object
    )
    # certno
    bd = (W.brdy // DAY).astype("datetime64[D]").astype(str)
    bd = np.char.replace(bd, "-", "")
    area = cc.astype("<U6").copy()
    old = (W.age >= 32) & (rng.random(N) < 0.45)
    area[old] = np.array(OLD_AREA)[rng.integers(0, len(OLD_AREA), old.sum())]
    oth = rng.random(N) < 0.05
    area[oth] = np.array(OTHER_AREA)[rng.integers(0, len(OTHER_AREA), oth.sum())]
    seqn = rng.integers(0, 500, N) * 2 + np.where(W.sex == 1, 1, 0)
    for _ in range(5):
        body = np.char.add(np.char.add(area, bd), np.char.zfill(seqn.astype(str), 3))
        u, inv, cnt = np.unique(body, return_inverse=True, return_counts=True)
        dup = cnt[inv] > 1
        first_occ = np.zeros(N, dtype=bool)
        first_occ[np.unique(inv, return_index=True)[1]] = True
        redo = dup & ~first_occ
        if not redo.any():
            break
        seqn[redo] = rng.integers(0, 500, redo.sum()) * 2 + np.where(W.sex[redo] == 1, 1, 0)
    digits = (
        np.array([list(b) for b in body], dtype=np.int64)
        if N < 0
        else np.frombuffer(np.array(body, dtype="S17").tobytes(), dtype=np.uint8)
        .reshape(N, 17)
        .astype(np.int64)
        - 48
    )
    wts = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    chk = np.array(list("10X98765432"))[(digits * wts).sum(1) % 11]
    W.certno = np.char.add(body, chk).astype(object)
    return W


def add_health(W, rng):
    """Chronic conditions, registrations and personal regimens."""
    N, a = W.N, W.age
    rural = W.urban == 0

    def band(p35, p50, p60, p70, p80):
        return np.select([a < 35, a < 50, a < 60, a < 70], [p35, p50, p60, p70], p80)

    W.htn = rng.random(N) < band(0.01, 0.10, 0.25, 0.38, 0.48)
    W.dm = rng.random(N) < band(0.005, 0.05, 0.10, 0.15, 0.15)
    W.lipid = rng.random(N) < band(0.0, 0.06, 0.10, 0.12, 0.10)
    W.chd = rng.random(N) < band(0.0, 0.01, 0.04, 0.08, 0.14)
    W.copd = rng.random(N) < band(0.0, 0.01, 0.04, 0.09, 0.12) * np.where(rural, 1.3, 0.8)
    W.stroke = rng.random(N) < band(0.0, 0.005, 0.02, 0.05, 0.07)
    W.psych = (rng.random(N) < 0.005) & (a >= 16) & (a < 75)
    W.ckd = (rng.random(N) < 0.0008) & (a >= 30) & (a < 82)
    W.cancer = rng.random(N) < band(0.0002, 0.003, 0.006, 0.009, 0.01)
    cond = [
        ("htn", W.htn, 0.35, "I10.x00"),
        ("dm", W.dm, 0.45, "E11.900"),
        ("chd", W.chd, 0.30, "I25.103"),
        ("copd", W.copd, 0.40, "J44.900"),
        ("stroke", W.stroke, 0.30, "I69.300"),
        ("psych", W.psych, 0.80, "F20.900"),
        ("ckd", W.ckd, 1.0, "N18.500"),
    ]
    W.reg = {}
    for nm, has, p, code in cond:
        W.reg[nm] = has & (rng.random(N) < p)
    # cancer: registration "恶性肿瘤门诊治疗"; cancer site by sex
    W.reg["cancer"] = W.cancer & (rng.random(N) < 0.9)
    site = np.where(
        W.sex == 1,
        rng.choice([DXI["C34.900"], DXI["C16.900"], DXI["C18.900"], DXI["C61.x00"]], N),
        rng.choice([DXI["C34.900"], DXI["C16.900"], DXI["C50.900"], DXI["C53.900"], DXI["C18.900"]], N),
    )
    # male breast cancer: a legitimate look-alike of sex-specific diagnoses
    mbc = W.cancer & (W.sex == 1) & (rng.random(N) < 0.04)
    site[mbc] = DXI["C50.900"]
    W.cancer_site = site
    W.chronic = W.htn | W.dm | W.lipid | W.chd | W.copd | W.stroke | W.psych
    # personal regimen: up to 4 drugs drawn once
    reg = np.full((N, 4), -1, dtype=np.int64)
    k = np.zeros(N, dtype=np.int64)
    for nm, has in [
        ("htn", W.htn),
        ("dm", W.dm),
        ("lipid", W.lipid | (W.chd & (rng.random(N) < 0.6))),
        ("chd", W.chd),
        ("copd", W.copd),
        ("stroke", W.stroke),
        ("psych", W.psych),
    ]:
        g = GI[nm]
        idx = np.where(has & (k < 4))[0]
        it = G_ITEMS[G_START[g] + rng.integers(0, G_SIZE[g], len(idx))]
        reg[idx, k[idx]] = it
        k[idx] += 1
    # a few high-value drugs in legitimate regimens (stroke / diabetes / COPD)
    for nm, has, p in [
        ("stroke_hi", W.stroke, 0.15),
        ("dm_hi", W.dm, 0.10),
        ("copd_hi", W.copd, 0.12),
        ("chd_hi", W.chd, 0.10),
    ]:
        g = GI[nm]
        idx = np.where(has & (k < 4) & (rng.random(N) < p))[0]
        reg[idx, k[idx]] = G_ITEMS[G_START[g] + rng.integers(0, G_SIZE[g], len(idx))]
        k[idx] += 1
    for j in range(1, 4):  # the same drug can come from two conditions' groups: keep it once
        for i in range(j):
            reg[(reg[:, j] == reg[:, i]) & (reg[:, j] >= 0), j] = -1
    reg = -np.sort(-reg, axis=1)
    W.regimen = reg
    W.nreg = (reg >= 0).sum(1)
    # main chronic diagnosis for refill visits
    main = np.full(N, -1)
    for nm, has, code in [
        ("psych", W.psych, "F20.900"),
        ("stroke", W.stroke, "I69.300"),
        ("copd", W.copd, "J44.900"),
        ("chd", W.chd, "I25.103"),
        ("dm", W.dm, "E11.900"),
        ("lipid", W.lipid, "E78.500"),
        ("htn", W.htn, "I10.x00"),
    ]:
        main = np.where(has, DXI[code], main)
    W.main_dx = main
    # registered disease for 14 visits (first registration in priority order)
    rdx = np.full(N, -1)
    for nm, code in [
        ("htn", "I10.x00"),
        ("dm", "E11.900"),
        ("chd", "I25.103"),
        ("copd", "J44.900"),
        ("stroke", "I69.300"),
        ("psych", "F20.900"),
        ("ckd", "N18.500"),
    ]:
        rdx = np.where(W.reg[nm] & (rdx < 0), DXI[code], rdx)
    W.reg_dx = rdx
    W.any_reg = rdx >= 0
    # utilisation frailty (gamma heterogeneity)
    W.frail = rng.gamma(0.7, 1 / 0.7, N)
    W.ph_frail = rng.gamma(0.5, 1 / 0.5, N)


# --------------------------------------------------------------------------------------------------
# institutions
# --------------------------------------------------------------------------------------------------
PRIV_BRANDS = [
    "康泰",
    "仁济",
    "博爱",
    "华康",
    "济民",
    "安康",
    "同心",
    "福康",
    "惠民",
    "健民",
    "嘉和",
    "德康",
    "瑞康",
    "百信",
    "泰和",
    "永康",
    "康宁",
    "仁和",
    "慈恩",
    "益寿",
]
PH_BRANDS = [
    "嘉陵康仁大药房",
    "川北百姓大药房",
    "德仁堂药房",
    "济生大药房",
    "众康药房",
    "益民大药房",
    "同仁和大药房",
    "万家康药房",
    "果州药号",
    "顺心大药房",
]


def make_insts(W, rng):
    N = W.N
    s = N / 100000.0
    rows = []

    def add(code_pfx, c, name, typ, tier, lv, own, town=-1, admdvs=None):
        rows.append(
            dict(
                pfx=code_pfx,
                county=c,
                name=name,
                type=typ,
                tier=tier,
                lv=lv,
                own=own,
                town=town,
                admdvs=admdvs or C_CODE[c],
            )
        )

    # tertiary in the urban districts
    add("H", 0, "南充北湖医院", "1", T_TERT, "02", "1")
    add("H", 0, "南充嘉陵江中心医院", "1", T_TERT, "02", "1")
    add("H", 1, "南充市高坪区鹤鸣医院", "1", T_TERT, "03", "1")
    for c, (code, cname, short, urb, w, la, lo) in enumerate(COUNTIES):
        add("H", c, cname + "人民医院", "1", T_COUNTY, "05" if c > 2 else "06", "1")
        add("H", c, cname + "中医医院", "1", T_COUNTY, "06" if rng.random() < 0.5 else "05", "1")
    for t, (c, tname, urb) in enumerate(W.towns):
        if urb:
            add("H", c, COUNTIES[c][1] + tname + "社区卫生服务中心", "1", T_TOWN, "08", "1", town=t)
        else:
            add(
                "H",
                c,
                COUNTIES[c][1] + tname + "卫生院",
                "1",
                T_TOWN,
                ["08", "09", "10"][rng.integers(3)],
                "1",
                t,
            )
            for j in range(2):
                add(
                    "H",
                    c,
                    tname + rng.choice(SYL1) + rng.choice(SYL2) + "村卫生室",
                    "1",
                    T_VILLAGE,
                    None if rng.random() < 0.5 else "11",
                    None if rng.random() < 0.4 else "2",
                    t,
                )
    npriv = max(2, int(round(3 * s)))
    for c, (code, cname, short, urb, w, la, lo) in enumerate(COUNTIES):
        brands = rng.choice(PRIV_BRANDS, size=npriv, replace=False)
        for b in brands:
            add("H", c, short + b + "医院", "1", T_PRIV, [None, "11", "09", "06"][rng.integers(4)], "2")
    nph = max(4, int(round(8 * s)))
    for c, (code, cname, short, urb, w, la, lo) in enumerate(COUNTIES):
        nn = max(3, int(round(nph * w / np.mean(C_W * 0 + np.mean([x[4] for x in COUNTIES])))))
        for j in range(nn):
            add(
                "P",
                c,
                PH_BRANDS[rng.integers(len(PH_BRANDS))] + short + rng.choice(SYL1) + rng.choice(SYL2) + "店",
                "2",
                T_PHARM,
                None,
                "2" if rng.random() < 0.9 else None,
            )
    # out-of-prefecture referral hospitals
    add("H", -1, "成都锦城医院", "1", T_OUT, "02", "1", admdvs="510104")
    add("H", -1, "成都天府肿瘤医院", "1", T_OUT, "02", "1", admdvs="510107")
    I = pd.DataFrame(rows)
    ni = len(I)
    # codes: H/P + admdvs + 5 digits (sequence within admdvs)
    seq = I.groupby("admdvs").cumcount() + 1 + rng.integers(0, 3, ni) * 0
    I["code"] = I["pfx"] + I["admdvs"] + (seq * 7 + 100).astype(str).str.zfill(5)
    tier = I["tier"].to_numpy()
    I["serv_f"] = np.select(
        [tier == T_VILLAGE, tier == T_TOWN, tier == T_COUNTY, tier == T_TERT, tier == T_PRIV, tier == T_OUT],
        [0.7, 0.8, 1.0, 1.2, 1.05, 1.3],
        1.0,
    )
    I["drug_f"] = np.where(tier == T_PHARM, rng.uniform(0.92, 1.12, ni), 1.0)
    I["lv_num"] = rng.random(ni) < 0.25  # chrgitm_lv as 1/2/3
    I["bed_agg"] = (rng.random(ni) < 0.25) & np.isin(tier, [T_TOWN, T_PRIV])  # one aggregated bed line
    I["bed_both"] = (rng.random(ni) < 0.3) & np.isin(
        tier, [T_COUNTY, T_TOWN]
    )  # count admission + discharge day
    I["yearend"] = np.isin(tier, [T_COUNTY, T_TERT]) | (rng.random(ni) < 0.5)
    I["setl_null"] = (tier == T_VILLAGE) & (rng.random(ni) < 0.3)
    I["no_codes"] = rng.random(ni) < 0.08
    I["pooled"] = (tier == T_PHARM) & (rng.random(ni) < 0.55)  # 门诊统筹定点药店
    I["h24"] = False
    I["close"] = np.round(rng.uniform(20.0, 22.3, ni) * 2) / 2  # pharmacy closing hour
    I["busy"] = 1.0
    I["market"] = rng.integers(0, 3, ni)
    I["fixed_cat"] = False
    I["fixed_del"] = False
    I["ndoc"] = np.select(
        [
            tier == T_VILLAGE,
            tier == T_TOWN,
            tier == T_COUNTY,
            tier == T_TERT,
            tier == T_PRIV,
            tier == T_PHARM,
        ],
        [2, 8, 40, 90, 15, 3],
        40,
    )
    I["doc_base"] = np.concatenate([[0], np.cumsum(I["ndoc"].to_numpy())[:-1]])
    # capacity weights for admissions
    I["cap"] = np.select(
        [tier == T_TOWN, tier == T_COUNTY, tier == T_TERT, tier == T_PRIV, tier == T_OUT],
        [1.0, 6.0, 12.0, 2.0, 3.0],
        0.0,
    )
    ph = np.where(tier == T_PHARM)[0]
    # busy pharmacies (look-alike) and a 24-hour pharmacy near the big hospitals
    busy = rng.choice(ph, size=max(2, len(ph) // 15), replace=False)
    I.loc[busy, "busy"] = 3.5
    h24 = [p for p in ph if I.at[p, "county"] == 0][:1]
    I.loc[h24, "h24"] = True
    I.loc[h24, "busy"] = 2.5
    # single-disease fixed-price (look-alike for near-identical reimbursement)
    renmin = np.where((tier == T_COUNTY) & I["name"].str.endswith("人民医院").to_numpy())[0]
    I.loc[renmin[[0, 3, 5, 7]], "fixed_cat"] = True
    I.loc[renmin[[0, 2, 5]], "fixed_del"] = True
    I.loc[np.where(tier == T_TERT)[0][:1], "fixed_cat"] = True
    return I


def assign_prefs(W, I, rng):
    """Preferred institutions per person and tier."""
    N = W.N
    tier = I["tier"].to_numpy()
    cty = I["county"].to_numpy()
    town = I["town"].to_numpy()
    W.p_town = np.full(N, -1)
    W.p_vil = np.full(N, -1)
    town_hc = {int(town[i]): i for i in np.where(tier == T_TOWN)[0]}
    vil_by_town = {}
    for i in np.where(tier == T_VILLAGE)[0]:
        vil_by_town.setdefault(int(town[i]), []).append(i)
    W.p_town = np.array([town_hc[t] for t in W.town])
    vb = np.array([vil_by_town.get(t, [-1, -1])[0] for t in W.town])
    vb2 = np.array([vil_by_town.get(t, [-1, -1])[-1] for t in W.town])
    W.p_vil = np.where(rng.random(N) < 0.5, vb, vb2)

    def pick_in_county(mask_tier, weights=None):
        out = np.full(N, -1)
        for c in range(NC):
            cand = np.where(mask_tier & (cty == c))[0]
            m = W.county == c
            if len(cand) == 0:
                continue
            w = None if weights is None else weights[cand] / weights[cand].sum()
            out[m] = rng.choice(cand, size=m.sum(), p=w)
        return out

    W.p_county = pick_in_county(tier == T_COUNTY, np.where(I["name"].str.endswith("人民医院"), 2.0, 1.0))
    W.p_priv = pick_in_county(tier == T_PRIV)
    tert = np.where(tier == T_TERT)[0]
    W.p_tert = rng.choice(
        tert,
        size=N,
        p=np.array([0.45, 0.35, 0.20])[: len(tert)] / np.array([0.45, 0.35, 0.20])[: len(tert)].sum(),
    )
    busy = I["busy"].to_numpy()
    W.p_ph1 = pick_in_county(tier == T_PHARM, busy)
    W.p_ph2 = pick_in_county(tier == T_PHARM, busy)
    W.ph_all = np.where(tier == T_PHARM)[0]


# --------------------------------------------------------------------------------------------------
# visits
# --------------------------------------------------------------------------------------------------
VCOLS = dict(
    psn=np.int64,
    inst=np.int64,
    mt=np.int8,
    begn=np.int64,
    endt=np.int64,
    dx=np.int64,
    prof=np.int8,
    dgrp=np.int64,
    ndrug=np.int64,
    supply=np.int64,
    ipmode=np.int8,
    target=np.float64,
    smode=np.int8,
    tag=np.int64,
    prio=np.int8,
    protect=bool,
    regimen=bool,
    dxnull=bool,
    mult=np.float64,
    round_amt=np.float64,
    dept_kid=bool,
)
VDEF = dict(
    dgrp=-1,
    ndrug=-1,
    supply=-1,
    ipmode=0,
    target=np.nan,
    smode=-1,
    tag=0,
    prio=0,
    protect=False,
    regimen=False,
    dxnull=False,
    mult=1.0,
    round_amt=np.nan,
    dept_kid=False,
)


class VisitBuf:
    def __init__(self):
        self.parts = []

    def add(self, **kw):
        n = len(np.atleast_1d(kw["psn"]))
        if n == 0:
            return
        d = {}
        for k, dt in VCOLS.items():
            v = kw.get(k, VDEF.get(k))
            arr = np.asarray(v)
            if arr.ndim == 0:
                arr = np.full(n, arr)
            d[k] = arr.astype(dt)
        if "tagname" in kw:
            d["tag"][:] = tag_id(kw["tagname"])
        self.parts.append(d)

    def frame(self):
        if not self.parts:
            return {k: np.zeros(0, dtype=dt) for k, dt in VCOLS.items()}
        return {k: np.concatenate([p[k] for p in self.parts]) for k in VCOLS}


def month_factor(kind):
    f = {
        "resp": [0.6, 0.6, 0.8, 0.9, 1.2, 1.6, 1.7, 1.4, 1.1, 0.9, 0.8, 0.7],
        "gen": [1.0, 1.0, 1.0, 0.95, 1.0, 1.08, 1.02, 0.95, 1.0, 1.0, 1.0, 0.98],
        "gi": [1.3, 1.25, 1.05, 0.95, 0.9, 0.9, 0.9, 0.85, 0.95, 1.0, 1.1, 1.25],
        "ph": [1.0, 1.0, 1.0, 1.0, 1.05, 1.25, 1.1, 0.95, 1.0, 1.0, 1.0, 1.0],
    }[kind]
    return np.array(f)[MONTH]


def day_weights(kind, setting, market=None):
    """kind: resp/gen/gi/ph seasonality; setting: op/ph/ip."""
    w = month_factor(kind).astype(float)
    if setting == "op":
        w *= np.select([WDAY == 6, WDAY == 5], [0.62, 0.85], 1.0)
        w[(_days >= 92) & (_days <= 98)] *= 0.7
        w[(_days >= CNY - 7) & (_days <= CNY + 6)] *= 0.45
        w[(_days >= CNY - 1) & (_days <= CNY + 2)] *= 0.5
        w[(_days >= CNY + 7) & (_days <= CNY + 20)] *= 1.25
        if market is not None:
            w[market == (DOM % 3)] *= 1.7
    elif setting == "ph":
        w *= np.select([WDAY == 6, WDAY == 5], [1.05, 1.1], 1.0)
        w[(_days >= CNY - 10) & (_days <= CNY - 1)] *= 1.3
        w[(_days >= CNY) & (_days <= CNY + 3)] *= 0.4
    elif setting == "ip":
        w *= np.select([WDAY == 6, WDAY == 5, WDAY == 0], [0.6, 0.7, 1.25], 1.0)
        w[(_days >= CNY - 12) & (_days <= CNY - 1)] *= 0.6
        w[(_days >= CNY) & (_days <= CNY + 6)] *= 0.35
        w[(_days >= CNY + 7) & (_days <= CNY + 25)] *= 1.3
    return w / w.sum()


def tod(rng, kind, n, h24=None, close=None):
    u = rng.random(n)
    if kind == "op":
        am = np.clip(rng.normal(9.4, 1.0, n), 7.6, 11.9)
        pm = rng.uniform(14.0, 17.5, n)
        h = np.where(u < 0.72, am, pm)
    elif kind == "er":
        h = np.where(u < 0.6, rng.uniform(8, 22, n), rng.uniform(0, 24, n))
    elif kind == "ph":
        close = 20.8 if close is None else close
        h = np.select(
            [u < 0.45, u < 0.60],
            [rng.uniform(8.5, 12, n), rng.uniform(12, 15, n)],
            15 + rng.random(n) * (close - 15),
        )
        if h24 is not None:
            night = h24 & (rng.random(n) < 0.07)
            h = np.where(
                night, np.where(rng.random(n) < 0.5, rng.uniform(21, 24, n), rng.uniform(0, 7.5, n)), h
            )
    elif kind == "adm":
        h = np.where(
            u < 0.75, rng.uniform(8, 12, n), np.where(u < 0.92, rng.uniform(14, 18, n), rng.uniform(0, 24, n))
        )
    elif kind == "dis":
        h = np.where(u < 0.8, rng.uniform(8.5, 12, n), rng.uniform(14, 17, n))
    else:
        h = rng.uniform(8, 17, n)
    return (h * HOUR).astype(np.int64) + rng.integers(0, 60, n)


OP_CATS = [
    "resp",
    "gi",
    "pain",
    "derm",
    "eye",
    "ent",
    "dent",
    "uti",
    "gyn",
    "prost",
    "prenatal",
    "kid",
    "chronic",
]


def _band_probs(age, male):
    if age < 6:
        p = dict(resp=0.55, kid=0.18, gi=0.10, derm=0.08, eye=0.04, ent=0.05)
    elif age < 18:
        p = dict(resp=0.45, gi=0.15, derm=0.1, eye=0.1, ent=0.1, dent=0.05, pain=0.05)
    elif age < 45:
        p = (
            dict(resp=0.32, gi=0.2, pain=0.2, derm=0.08, eye=0.06, ent=0.06, dent=0.05, uti=0.02, prost=0.01)
            if male
            else dict(
                resp=0.28,
                gi=0.16,
                pain=0.12,
                derm=0.07,
                eye=0.05,
                ent=0.05,
                dent=0.05,
                uti=0.07,
                gyn=0.12,
                prenatal=0.03,
            )
        )
    elif age < 65:
        p = dict(
            resp=0.25, gi=0.17, pain=0.25, derm=0.05, eye=0.06, ent=0.04, dent=0.05, uti=0.05, chronic=0.04
        )
        p["prost" if male else "gyn"] = 0.04
    else:
        p = dict(
            resp=0.25, gi=0.14, pain=0.26, derm=0.04, eye=0.07, ent=0.02, dent=0.04, uti=0.05, chronic=0.08
        )
        p["prost" if male else "gyn"] = 0.05 if male else 0.01
    v = np.array([p.get(c, 0) for c in OP_CATS])
    return v / v.sum()


def _bands(age):
    return np.select([age < 6, age < 18, age < 45, age < 65], [0, 1, 2, 3], 4)


_BAND_AGE = [3, 10, 30, 55, 75]


def sample_dx(rng, W, psn, cats_fn, cat_list):
    """Sample a diagnosis per event by the person's age band and sex."""
    n = len(psn)
    band = _bands(W.age[psn])
    male = W.sex[psn] == 1
    cat = np.zeros(n, dtype=np.int64)
    for b in range(5):
        for m in (True, False):
            sel = np.where((band == b) & (male == m))[0]
            if len(sel):
                cat[sel] = rng.choice(len(cat_list), size=len(sel), p=cats_fn(_BAND_AGE[b], m))
    dx = np.full(n, DXI["J06.900"])
    for ci, c in enumerate(cat_list):
        for m in (True, False):
            sel = np.where((cat == ci) & (male == m))[0]
            if not len(sel):
                continue
            if c == "chronic":
                md = W.main_dx[psn[sel]]
                dx[sel] = np.where(md >= 0, md, DXI["I10.x00"])
                continue
            arr = np.array(dx_of_cat(c, "M" if m else "F"))
            if len(arr) == 0:
                arr = np.array(dx_of_cat("resp"))
            dx[sel] = arr[rng.integers(0, len(arr), len(sel))]
    return dx


IP_CATS = [
    "resp_ip",
    "resp",
    "cardio",
    "neuro",
    "neuro_m",
    "gi",
    "gi_ip",
    "surg",
    "ortho",
    "pain",
    "eye_ip",
    "uro",
    "dm",
    "htn",
    "kid_ip",
    "kid",
    "poison",
    "gyn",
]


def _ip_probs(age, male):
    if age < 6:
        p = dict(kid_ip=0.55, resp=0.12, kid=0.25, poison=0.03, surg=0.05)
    elif age < 18:
        p = dict(resp_ip=0.3, resp=0.15, surg=0.15, gi=0.15, ortho=0.1, poison=0.05, uro=0.05, pain=0.05)
    elif age < 45:
        p = dict(
            surg=0.22,
            gi=0.12,
            ortho=0.12,
            resp_ip=0.1,
            uro=0.08,
            pain=0.1,
            resp=0.06,
            gi_ip=0.04,
            cardio=0.03,
            neuro_m=0.04,
            poison=0.03,
        )
        if not male:
            p["gyn"] = 0.06
    elif age < 65:
        p = dict(
            resp_ip=0.12,
            cardio=0.12,
            neuro=0.12,
            neuro_m=0.08,
            surg=0.12,
            gi_ip=0.06,
            ortho=0.08,
            pain=0.1,
            gi=0.06,
            dm=0.05,
            uro=0.05,
            eye_ip=0.04,
        )
    else:
        p = dict(
            resp_ip=0.2,
            cardio=0.16,
            neuro=0.16,
            neuro_m=0.08,
            ortho=0.06,
            eye_ip=0.12,
            pain=0.08,
            gi=0.04,
            gi_ip=0.04,
            dm=0.04,
            htn=0.03,
            surg=0.03,
        )
    v = np.array([p.get(c, 0) for c in IP_CATS])
    return v / v.sum()


def los_for(rng, dx, scale=1.0):
    med = DX_LOS[dx] * scale
    los = np.exp(np.log(med) + rng.normal(0, 0.35, len(dx)))
    los = np.where(DX_KIND[dx] == "p", rng.uniform(30, 90, len(dx)), los)
    return np.clip(np.round(los), 1, 90).astype(np.int64)


def pick_tier_inst(rng, W, I, psn, tier):
    """Institution for events given tier; mostly the person's preferred one, sometimes another of that tier."""
    n = len(psn)
    inst = np.full(n, -1)
    itier = I["tier"].to_numpy()
    icty = I["county"].to_numpy()
    pref = {T_VILLAGE: W.p_vil, T_TOWN: W.p_town, T_COUNTY: W.p_county, T_PRIV: W.p_priv, T_TERT: W.p_tert}
    for t, arr in pref.items():
        sel = tier == t
        inst[sel] = arr[psn[sel]]
    # village missing -> township
    miss = inst < 0
    inst[miss] = W.p_town[psn[miss]]
    # random institution of the tier in the person's county (or anywhere for tertiary) 13% of the time
    rnd = (rng.random(n) < 0.13) & np.isin(tier, [T_TOWN, T_COUNTY, T_PRIV, T_TERT])
    for t in (T_TOWN, T_COUNTY, T_PRIV, T_TERT):
        cand_all = np.where(itier == t)[0]
        for c in range(NC):
            sel = np.where(rnd & (tier == t) & (W.county[psn] == c))[0]
            if not len(sel):
                continue
            cand = cand_all if t == T_TERT else cand_all[icty[cand_all] == c]
            inst[sel] = cand[rng.integers(0, len(cand), len(sel))]
    out = np.where(itier == T_OUT)[0]
    sel = np.where(tier == T_OUT)[0]
    inst[sel] = out[rng.integers(0, len(out), len(sel))]
    return inst


def sample_days(rng, n, w):
    return rng.choice(NDAYS, size=n, p=w)


def place_op_days(rng, I, inst, dx, setting="op"):
    """Days for outpatient events: seasonality by diagnosis, market days at township/village clinics."""
    n = len(inst)
    day = np.zeros(n, dtype=np.int64)
    tier = I["tier"].to_numpy()[inst]
    mk = I["market"].to_numpy()[inst]
    kind = np.where(
        np.isin(DX_CAT[dx], ["resp", "resp_ip", "copd", "kid", "kid_ip", "ent"]),
        0,
        np.where(DX_CAT[dx] == "gi", 1, 2),
    )
    local = np.isin(tier, [T_TOWN, T_VILLAGE]) & (I["town"].to_numpy()[inst] >= 0)
    urb_town = np.zeros(n, dtype=bool)
    for ki, kn in enumerate(["resp", "gi", "gen"]):
        for m in (0, 1, 2, None):
            if m is None:
                sel = np.where((kind == ki) & ~local)[0]
            else:
                sel = np.where((kind == ki) & local & (mk == m))[0]
            if len(sel):
                day[sel] = sample_days(rng, len(sel), day_weights(kn, setting, m))
    return day


def gen_background(W, I, rng, VB):
    N, a = W.N, W.age
    itier = I["tier"].to_numpy()
    h24 = I["h24"].to_numpy()
    # ---- acute outpatient (11) ----
    rate = (
        np.select([a < 6, a < 15, a < 45, a < 65], [2.6, 1.2, 0.6, 1.1], 2.0)
        * W.frail
        * np.where(W.urban == 1, 1.1, 1.0)
    )
    heavy = (a >= 65) & (rng.random(N) < 0.012)  # elderly heavy users (look-alike)
    rate = np.where(heavy, rng.uniform(20, 50, N), rate)
    n = rng.poisson(rate)
    psn = np.repeat(np.arange(N), n)
    dx = sample_dx(rng, W, psn, _band_probs, OP_CATS)
    u = rng.random(len(psn))
    kid = a[psn] < 14
    urb = W.urban[psn] == 1
    cum_r = np.array([0.33, 0.68, 0.85, 0.93, 1.0])  # village, town, county, priv, tert
    cum_u = np.array([0.0, 0.30, 0.55, 0.65, 1.0])
    cum_k = np.array([0.2, 0.5, 0.8, 0.85, 1.0])
    tiers = np.array([T_VILLAGE, T_TOWN, T_COUNTY, T_PRIV, T_TERT])
    ti = np.where(
        kid, np.searchsorted(cum_k, u), np.where(urb, np.searchsorted(cum_u, u), np.searchsorted(cum_r, u))
    )
    tier = tiers[np.minimum(ti, 4)]
    spec = np.isin(DX_CAT[dx], ["gyn", "prenatal", "prost", "eye", "dent"]) & np.isin(
        tier, [T_VILLAGE, T_TOWN]
    )
    tier[spec] = np.where(rng.random(spec.sum()) < 0.6, T_COUNTY, T_TERT)
    inst = pick_tier_inst(rng, W, I, psn, tier)
    day = place_op_days(rng, I, inst, dx)
    begn = T0 + day * DAY + tod(rng, "op", len(psn))
    endt = begn + rng.integers(8, 50, len(psn)) * 60
    VB.add(
        psn=psn,
        inst=inst,
        mt=MT11,
        begn=begn,
        endt=endt,
        dx=dx,
        prof=P_OP,
        dept_kid=kid,
        tag=np.where(heavy[psn], tag_id("lk_heavy_user"), 0),
    )
    # ---- emergency (13) ----
    rate = 0.05 + 0.08 * (a < 6) + 0.1 * (a >= 75)
    n = rng.poisson(rate)
    psn = np.repeat(np.arange(N), n)
    dx = sample_dx(rng, W, psn, _band_probs, OP_CATS)
    tier = np.where(
        rng.random(len(psn)) < 0.6, T_COUNTY, np.where(rng.random(len(psn)) < 0.8, T_TERT, T_PRIV)
    )
    inst = pick_tier_inst(rng, W, I, psn, tier)
    day = sample_days(rng, len(psn), day_weights("gen", "ph"))
    begn = T0 + day * DAY + tod(rng, "er", len(psn))
    endt = begn + rng.integers(40, 360, len(psn)) * 60
    VB.add(psn=psn, inst=inst, mt=MT13, begn=begn, endt=endt, dx=dx, prof=P_ER, dept_kid=a[psn] < 14)
    # ---- acute pharmacy purchases (41) ----
    rate = np.select([a < 14, a < 60], [0.5, 1.0], 1.3) * W.ph_frail * np.where(W.emp, 1.8, 1.0)
    n = rng.poisson(rate)
    psn = np.repeat(np.arange(N), n)
    pcats = ["resp", "gi", "pain", "derm", "eye", "ent", "kid"]
    pk = np.array([0.3, 0.2, 0.5]) / 1.0
    cat = np.where(
        a[psn] < 14,
        rng.choice([0, 1, 6], size=len(psn), p=pk),
        rng.choice(6, size=len(psn), p=[0.40, 0.2, 0.22, 0.08, 0.04, 0.06]),
    )
    dx = np.zeros(len(psn), dtype=np.int64)
    for ci, c in enumerate(pcats):
        sel = np.where(cat == ci)[0]
        arr = np.array(dx_of_cat(c, ""))
        dx[sel] = arr[rng.integers(0, len(arr), len(sel))]
    u = rng.random(len(psn))
    inst = np.where(
        u < 0.7,
        W.p_ph1[psn],
        np.where(u < 0.9, W.p_ph2[psn], W.ph_all[rng.integers(0, len(W.ph_all), len(psn))]),
    )
    day = sample_days(rng, len(psn), day_weights("resp", "ph") * 0.5 + day_weights("ph", "ph") * 0.5)
    begn = T0 + day * DAY + tod(rng, "ph", len(psn), h24[inst], I["close"].to_numpy()[inst])
    endt = begn + rng.integers(40, 400, len(psn))
    VB.add(
        psn=psn,
        inst=inst,
        mt=MT41,
        begn=begn,
        endt=endt,
        dx=dx,
        prof=P_PH,
        dxnull=rng.random(len(psn)) < 0.8,
        ndrug=rng.choice([1, 1, 1, 2, 2, 3], len(psn)),
    )
    # ---- chronic refills ----
    gen_refills(W, I, rng, VB, np.where(W.nreg > 0)[0])
    # ---- dialysis ----
    ck = np.where(W.ckd)[0]
    centers = np.where((itier == T_TERT) | I["name"].str.endswith("人民医院").to_numpy())[0]
    for p in ck:
        c = centers[rng.integers(len(centers))] if rng.random() < 0.4 else W.p_county[p]
        pattern = [0, 2, 4] if rng.random() < 0.5 else [1, 3, 5]
        if rng.random() < 0.3:
            pattern = pattern[:2]
        days = np.array([d for d in range(NDAYS) if WDAY[d] in pattern and rng.random() < 0.96])
        begn = (
            T0
            + days * DAY
            + np.where(rng.random(len(days)) < 0.5, 8, 13) * HOUR
            + rng.integers(0, 1800, len(days))
        )
        VB.add(
            psn=np.full(len(days), p),
            inst=c,
            mt=MT14,
            begn=begn,
            endt=begn + 4 * HOUR + rng.integers(0, 1200, len(days)),
            dx=DXI["N18.500"],
            prof=P_DIAL,
            tagname="lk_dialysis",
            prio=1,
        )
    # ---- chemotherapy cycles (look-alike for frequent / split admissions) ----
    cz = np.where(W.cancer & (rng.random(N) < 0.6))[0]
    outh = np.where(itier == T_OUT)[0]
    for p in cz:
        inst = W.p_tert[p] if rng.random() < 0.85 else outh[1]
        ncy = int(rng.integers(4, 9))
        d = int(rng.integers(0, 200))
        for k in range(ncy):
            if d > NDAYS - 6:
                break
            los = int(rng.integers(2, 6))
            b = T0 + d * DAY + tod(rng, "adm", 1)[0]
            e = T0 + (d + los) * DAY + tod(rng, "dis", 1)[0]
            VB.add(
                psn=p,
                inst=inst,
                mt=MT21,
                begn=b,
                endt=e,
                dx=DXI["Z51.100"] if rng.random() < 0.5 else W.cancer_site[p],
                prof=P_IP,
                ipmode=IM_CHEMO,
                tagname="lk_chemo",
                prio=1,
            )
            d += los + int(rng.integers(17, 24))
    # cancer outpatient 14 visits
    cr = np.where(W.reg["cancer"])[0]
    n = rng.poisson(6, len(cr))
    psn = np.repeat(cr, n)
    day = rng.integers(0, NDAYS, len(psn))
    begn = T0 + day * DAY + tod(rng, "op", len(psn))
    VB.add(
        psn=psn,
        inst=W.p_tert[psn],
        mt=MT14,
        begn=begn,
        endt=begn + rng.integers(10, 40, len(psn)) * 60,
        dx=W.cancer_site[psn],
        prof=P_CD,
        dgrp=GI["tonic"],
        ndrug=2,
        supply=30,
    )
    # ---- inpatient stays ----
    p_ip = np.select(
        [a < 6, a < 15, a < 45, a < 60, a < 70], [0.025, 0.01, 0.015, 0.028, 0.048], 0.08
    ) * np.where((W.urban == 0) & (a >= 60), 1.2, 1.0)
    has = rng.random(N) < p_ip
    nst = np.where(has, 1 + rng.poisson(0.22, N), 0)
    psn = np.repeat(np.arange(N), nst)
    dx = sample_dx(rng, W, psn, _ip_probs, IP_CATS)
    # chronic persons: their own condition
    own = rng.random(len(psn)) < 0.35
    for has_c, code in [
        (W.copd, "J44.100"),
        (W.chd, "I50.900"),
        (W.stroke, "I63.900"),
        (W.dm, "E11.900"),
        (W.htn, "I10.x00"),
        (W.psych, "F20.900"),
    ]:
        sel = own & has_c[psn]
        dx[sel] = DXI[code]
    reh = W.stroke[psn] & (rng.random(len(psn)) < 0.12)
    dx[reh] = DXI["I69.300"]
    onc = W.cancer[psn] & (rng.random(len(psn)) < 0.5)
    dx[onc] = W.cancer_site[psn[onc]]
    # births
    mom = np.where((W.sex == 2) & (a >= 20) & (a <= 41) & (rng.random(N) < 0.03))[0]
    psn = np.concatenate([psn, mom])
    dx = np.concatenate([dx, np.where(rng.random(len(mom)) < 0.6, DXI["O80.000"], DXI["O82.000"])])
    neo = np.where((a == 0) & (rng.random(N) < 0.06))[0]
    psn = np.concatenate([psn, neo])
    dx = np.concatenate([dx, np.full(len(neo), DXI["P59.900"])])
    add_stays(W, I, rng, VB, psn, dx, tag=0, readmit=True)


def ip_tier(rng, dx, psn, W):
    n = len(dx)
    k = DX_KIND[dx]
    u = rng.random(n)
    tiers = np.array([T_TOWN, T_PRIV, T_COUNTY, T_TERT, T_OUT])
    cums = {
        "m": [0.40, 0.62, 0.92, 1.0, 1.0],
        "s": [0.20, 0.32, 0.72, 0.97, 1.0],
        "u": [0, 0.10, 0.55, 0.97, 1.0],
        "o": [0, 0.15, 0.70, 1.0, 1.0],
        "c": [0, 0, 0.10, 0.85, 1.0],
        "p": [0, 0, 0.5, 1.0, 1.0],
        "r": [0.35, 0.45, 1.0, 1.0, 1.0],
    }
    out = np.full(n, T_COUNTY)
    for kk, cm in cums.items():
        sel = k == kk
        out[sel] = tiers[np.minimum(np.searchsorted(np.array(cm), u[sel], side="right"), 4)]
    kid = W.age[psn] < 14
    out[kid & (out != T_TOWN)] = np.where(rng.random((kid & (out != T_TOWN)).sum()) < 0.5, T_COUNTY, T_TERT)
    return out


def add_stays(
    W,
    I,
    rng,
    VB,
    psn,
    dx,
    tag=0,
    readmit=False,
    inst=None,
    day=None,
    los=None,
    ipmode=0,
    prio=0,
    protect=False,
    smode=-1,
):
    n = len(psn)
    if n == 0:
        return
    if inst is None:
        inst = pick_tier_inst(rng, W, I, psn, ip_tier(rng, dx, psn, W))
    if los is None:
        los = los_for(rng, dx)
    if day is None:
        kind = np.where(np.isin(DX_CAT[dx], ["resp", "resp_ip", "copd", "kid_ip", "neuro", "cardio"]), 0, 1)
        day = np.zeros(n, dtype=np.int64)
        for ki, kn in enumerate(["resp", "gen"]):
            sel = np.where(kind == ki)[0]
            day[sel] = (
                rng.choice(
                    NDAYS + 20,
                    size=len(sel),
                    p=np.concatenate([np.full(20, 1 / NDAYS), day_weights(kn, "ip")]) / (1 + 20 / NDAYS),
                )
                - 20
            )
    begn = T0 + day * DAY + tod(rng, "adm", n)
    endt = T0 + (day + los) * DAY + tod(rng, "dis", n)
    endt = np.maximum(endt, begn + 4 * HOUR)
    ok = endt < T1 - 6 * HOUR
    VB.add(
        psn=psn[ok],
        inst=inst[ok],
        mt=MT21,
        begn=begn[ok],
        endt=endt[ok],
        dx=dx[ok],
        prof=P_IP,
        ipmode=np.asarray(ipmode if np.ndim(ipmode) == 0 else np.asarray(ipmode)[ok]),
        tag=tag if np.ndim(tag) == 0 else np.asarray(tag)[ok],
        prio=prio,
        protect=protect,
        smode=smode,
        dept_kid=W.age[psn[ok]] < 14,
    )
    if readmit:
        # unplanned readmissions 2-15 days after discharge (look-alike) and same-day transfers
        idx = np.where(ok & (rng.random(n) < 0.06) & ~np.isin(DX_KIND[dx], ["o", "c"]))[0]
        gap = rng.integers(2, 16, len(idx))
        d2 = day[idx] + los[idx] + gap
        same = rng.random(len(idx)) < 0.65
        inst2 = np.where(
            same, inst[idx], pick_tier_inst(rng, W, I, psn[idx], ip_tier(rng, dx[idx], psn[idx], W))
        )
        dx2 = np.where(rng.random(len(idx)) < 0.45, dx[idx], dx[idx])
        alt = rng.random(len(idx)) >= 0.45
        for j in np.where(alt)[0]:
            cands = dx_of_cat(DX_CAT[dx[idx[j]]], "M" if W.sex[psn[idx[j]]] == 1 else "F")
            dx2[j] = cands[rng.integers(len(cands))] if cands else dx[idx[j]]
        add_stays(
            W,
            I,
            rng,
            VB,
            psn[idx],
            dx2,
            tag=tag_id("lk_readmit"),
            inst=inst2,
            day=d2,
            los=los_for(rng, dx2, 0.8),
            prio=1,
        )
        idx = np.where(ok & (rng.random(n) < 0.02) & np.isin(I["tier"].to_numpy()[inst], [T_TOWN, T_PRIV]))[0]
        inst2 = pick_tier_inst(rng, W, I, psn[idx], np.full(len(idx), T_COUNTY))
        d2 = day[idx] + los[idx]
        add_stays(
            W,
            I,
            rng,
            VB,
            psn[idx],
            dx[idx],
            tag=tag_id("lk_transfer"),
            inst=inst2,
            day=d2,
            los=los_for(rng, dx[idx], 0.8),
            prio=1,
        )


def gen_refills(W, I, rng, VB, ppl, tagname=None, supply_override=None, channel_override=None, prio=0):
    """Chronic regimen refills: 14 at the designated institution, or pharmacy / outpatient."""
    n = len(ppl)
    if n == 0:
        return
    sup = rng.choice([30, 60, 84, 14], size=n, p=[0.70, 0.12, 0.10, 0.08])
    if supply_override is not None:
        sup = np.full(n, supply_override)
    adh = rng.uniform(0.4, 1.05, n)
    gap = sup / adh  # days between refills: supply stretched by (non-)adherence
    maxn = int(np.ceil(NDAYS / gap.min())) + 1 if n else 0
    step = gap[:, None] * rng.uniform(0.85, 1.15, (n, maxn))
    start = rng.uniform(0, gap)[:, None]
    t = start + np.concatenate([np.zeros((n, 1)), np.cumsum(step, 1)[:, :-1]], 1)
    valid = t < NDAYS
    rows, cols = np.where(valid)
    psn = ppl[rows]
    day = np.floor(t[rows, cols]).astype(np.int64)
    supply = sup[rows]
    m = len(psn)
    reg = W.any_reg[psn]
    chan = np.where(reg, np.where(rng.random(m) < 0.9, 0, 1), np.where(rng.random(m) < 0.65, 1, 2))
    if channel_override is not None:
        chan[:] = channel_override
    # designated institution for 14: fixed per person
    desig = np.where(rng.random(W.N) < 0.55, W.p_town, W.p_county)
    u = rng.random(m)
    inst = np.select(
        [chan == 0, chan == 1],
        [desig[psn], np.where(u < 0.75, W.p_ph1[psn], W.p_ph2[psn])],
        np.where(u < 0.6, W.p_town[psn], W.p_county[psn]),
    )
    mt = np.select([chan == 0, chan == 1], [MT14, MT41], MT11)
    prof = np.select([chan == 0, chan == 1], [P_CD, P_PH], P_OP)
    hour = np.where(chan == 1, tod(rng, "ph", m), tod(rng, "op", m))
    begn = T0 + day * DAY + hour
    endt = begn + np.where(chan == 1, rng.integers(40, 300, m), rng.integers(300, 2400, m))
    dx = np.where(mt == MT14, np.where(W.reg_dx[psn] >= 0, W.reg_dx[psn], W.main_dx[psn]), W.main_dx[psn])
    tags = np.where(supply == 84, tag_id("lk_long_rx"), 0)
    if tagname:
        tags[:] = tag_id(tagname)
    VB.add(
        psn=psn,
        inst=inst,
        mt=mt,
        begn=begn,
        endt=endt,
        dx=dx,
        prof=prof,
        regimen=True,
        supply=supply,
        dxnull=(mt == MT41) & (rng.random(m) < 0.5),
        tag=tags,
        prio=prio,
    )


# --------------------------------------------------------------------------------------------------
# legitimate look-alikes that need explicit construction
# --------------------------------------------------------------------------------------------------
def gen_lookalikes(W, I, rng, VB):
    N, s = W.N, W.N / 100000.0
    itier = I["tier"].to_numpy()
    # families admitted together (food poisoning in summer, CO poisoning in winter), once
    hh_sz = np.bincount(W.hh)
    fam = np.where(hh_sz >= 2)[0]
    fam = rng.choice(fam, size=min(len(fam), max(6, int(60 * s))), replace=False)
    for h in fam:
        mem = np.where(W.hh == h)[0]
        if W.nh[mem[0]]:
            continue
        winter = rng.random() < 0.5
        d = int(rng.integers(150, 230)) if winter else int(rng.integers(0, 80))
        dx = DXI["T58.x00"] if winter else DXI["T62.900"]
        inst = W.p_county[mem[0]] if rng.random() < 0.6 else W.p_town[mem[0]]
        los = rng.integers(2, 6, len(mem))
        begn = T0 + d * DAY + int(rng.integers(0, 24)) * HOUR + rng.integers(0, 3600, len(mem))
        endt = begn + los * DAY + rng.integers(-3, 5, len(mem)) * HOUR
        VB.add(
            psn=mem,
            inst=inst,
            mt=MT21,
            begn=begn,
            endt=endt,
            dx=dx,
            prof=P_IP,
            tagname="lk_family_coadmit",
            prio=1,
            dept_kid=W.age[mem] < 14,
        )
    # nursing-home outbreaks: residents admitted together to the township hospital, varied stays
    for t in np.unique(W.town[W.nh]):
        res = np.where(W.nh & (W.town == t))[0]
        for ep in range(int(rng.integers(1, 3))):
            d0 = int(rng.integers(150, 240))
            who = res[rng.random(len(res)) < rng.uniform(0.35, 0.7)]
            if not len(who):
                continue
            day = d0 + rng.integers(0, 5, len(who))
            dx = rng.choice([DXI["J18.900"], DXI["J11.100"], DXI["J20.900"]], len(who))
            add_stays(
                W,
                I,
                rng,
                VB,
                who,
                dx,
                tag=tag_id("lk_nursing_home"),
                inst=W.p_town[who],
                day=day,
                los=rng.integers(4, 14, len(who)),
                prio=1,
            )
    # winter pneumonia cohort in a few villages (elderly, township hospital, over ~2 weeks)
    vils = np.unique(W.vil[(W.vil >= 0) & (W.urban == 0)])
    for v in rng.choice(vils, size=min(len(vils), max(2, int(5 * s))), replace=False):
        old = np.where((W.vil == v) & (W.age >= 60))[0]
        who = old[rng.random(len(old)) < 0.3]
        d0 = int(rng.integers(160, 225))
        add_stays(
            W,
            I,
            rng,
            VB,
            who,
            np.full(len(who), DXI["J18.900"]),
            tag=tag_id("lk_cohort"),
            inst=W.p_town[who],
            day=d0 + rng.integers(0, 15, len(who)),
            prio=1,
        )
    # travellers: two outpatient visits in distant counties on one day, hours apart
    trav = rng.choice(np.where(W.age >= 20)[0], size=max(6, int(150 * s)), replace=False)
    d = rng.integers(0, NDAYS, len(trav))
    b1 = T0 + d * DAY + rng.integers(8 * HOUR, 10 * HOUR, len(trav))
    b2 = b1 + rng.integers(int(3.5 * HOUR), 7 * HOUR, len(trav))
    far = far_inst(W, I, rng, trav)
    dx = sample_dx(rng, W, trav, _band_probs, OP_CATS)
    VB.add(
        psn=trav,
        inst=W.p_town[trav],
        mt=MT11,
        begn=b1,
        endt=b1 + 1200,
        dx=dx,
        prof=P_OP,
        tagname="lk_traveller",
        prio=1,
        protect=True,
    )
    VB.add(
        psn=trav,
        inst=far,
        mt=np.where(itier[far] == T_PHARM, MT41, MT11),
        begn=b2,
        endt=b2 + 1500,
        dx=dx,
        prof=np.where(itier[far] == T_PHARM, P_PH, P_OP),
        tagname="lk_traveller",
        prio=1,
        protect=True,
    )


def far_inst(W, I, rng, psn, allow_out=True):
    """An institution in a county at least ~45 km from the person's county (or Chengdu)."""
    itier = I["tier"].to_numpy()
    icty = I["county"].to_numpy()
    out = np.full(len(psn), -1)
    dist = np.sqrt(
        ((C_LAT[:, None] - C_LAT[None, :]) * 111) ** 2 + ((C_LON[:, None] - C_LON[None, :]) * 95) ** 2
    )
    for j, p in enumerate(psn):
        c = W.county[p]
        far_c = np.where(dist[c] > 45)[0]
        if allow_out and (rng.random() < 0.2 or len(far_c) == 0):
            cand = np.where(itier == T_OUT)[0]
        else:
            fc = far_c[rng.integers(len(far_c))]
            cand = np.where((icty == fc) & np.isin(itier, [T_COUNTY, T_TOWN, T_PRIV, T_PHARM]))[0]
        out[j] = cand[rng.integers(len(cand))]
    return out


# --------------------------------------------------------------------------------------------------
# fraud injection
# --------------------------------------------------------------------------------------------------
class Labels:
    def __init__(self):
        self.rows = []

    def add(self, et, eid, ft, gid=""):
        self.rows.append((et, eid, ft, gid))


MILD = ["I67.200", "I10.x00", "M47.802", "M54.500", "K29.700", "R42.x00", "E11.900", "J20.900", "M17.900"]


def _count(rate100k, N, lo=6):
    return max(lo, int(round(rate100k * N / 100000.0)))


def inject_fraud(W, I, rng, VB, L):
    N = W.N
    a = W.age
    itier = I["tier"].to_numpy()
    icty = I["county"].to_numpy()
    taken = np.zeros(N, dtype=bool)
    taken[W.nh] = False
    mild = np.array([DXI[c] for c in MILD])
    F = {}

    def choose(mask, k):
        cand = np.where(mask & ~taken)[0]
        k = min(k, len(cand))
        sel = rng.choice(cand, size=k, replace=False)
        taken[sel] = True
        return sel

    def label(ppl, ft, gid=""):
        for p in ppl:
            L.add("psn", W.psn_no[p], ft, gid)
        F[ft] = F.get(ft, 0) + len(ppl)

    # ---------------- institutions first (they shape where some persons go) ----------------
    s = min(1.0, N / 100000.0)
    priv = rng.permutation(np.where(itier == T_PRIV)[0])
    towns = rng.permutation(np.where(itier == T_TOWN)[0])
    k_ind, k_clu, k_sim, k_ovr = [max(2, int(round(k * s))) for k in (4, 3, 3, 4)]
    induced = priv[:k_ind]
    clustered = np.concatenate([priv[:1], priv[k_ind : k_ind + k_clu - 2], towns[:1]])  # one also induced
    sim = np.concatenate([priv[k_ind + k_clu - 2 : k_ind + k_clu - 2 + k_sim - 1], towns[1:2]])
    pos = k_ind + k_clu - 2 + k_sim - 1
    over = np.concatenate([priv[pos : pos + k_ovr - 1], towns[2:3]])
    W.fraud_insts = dict(
        induced_admission=induced, clustered_admission=clustered, similar_reimbursement=sim, overcharging=over
    )
    for ft, arr in W.fraud_insts.items():
        for i in arr:
            L.add("fixmedins", I.at[i, "code"], ft)
    elders = (a >= 55) & (a <= 88) & ~W.emp
    bus_days = {}
    for i in clustered:
        doms = rng.choice(np.arange(3, 27), size=2, replace=False)
        bus = np.where(np.isin(DOM, doms))[0]
        bus_days[i] = bus[bus < NDAYS - 12]
    # induced admissions: many mild admissions, short stays, patients from near and far
    for i in induced:
        n_adm = int(rng.integers(150, 240) * max(s, 0.25))
        near = np.where(elders & (W.county == icty[i]))[0]
        farp = np.where(elders & (W.county != icty[i]))[0]
        npat = max(8, n_adm * 2 // 3)
        pts = np.concatenate(
            [rng.choice(near, size=int(npat * 0.6)), rng.choice(farp, size=npat - int(npat * 0.6))]
        )
        pts = np.unique(pts)
        ppl = rng.choice(pts, size=n_adm)
        dx = rng.choice(mild, size=n_adm)
        day = rng.integers(0, NDAYS - 10, n_adm)
        if i in bus_days:  # the induced hospital that also buses its patients in on fixed days
            on_bus = rng.random(n_adm) < 0.68
            day = np.where(on_bus, rng.choice(bus_days[i], n_adm), day)
        add_stays(
            W,
            I,
            rng,
            VB,
            ppl,
            dx,
            tag=tag_id("f_induced"),
            inst=np.full(n_adm, i),
            day=day,
            los=rng.integers(4, 9, n_adm),
            ipmode=IM_INDUCED,
            prio=2,
        )
    # clustered admission dates: two 'bus days' a month take most admissions
    for i in clustered:
        n_adm = int(rng.integers(120, 200) * max(s, 0.25))
        bus = bus_days[i]
        on_bus = rng.random(n_adm) < 0.68
        day = np.where(on_bus, rng.choice(bus, n_adm), rng.integers(0, NDAYS - 12, n_adm))
        pool = np.where(elders & (W.county == icty[i]))[0]
        ppl = rng.choice(pool, size=n_adm)
        dx = np.where(
            rng.random(n_adm) < 0.7,
            rng.choice(mild, n_adm),
            rng.choice([DXI["J18.900"], DXI["J44.100"], DXI["I63.900"]], n_adm),
        )
        add_stays(
            W,
            I,
            rng,
            VB,
            ppl,
            dx,
            tag=tag_id("f_clustered"),
            inst=np.full(n_adm, i),
            day=day,
            los=rng.integers(5, 10, n_adm),
            prio=2,
        )
    # near-identical reimbursement amounts
    for i in sim:
        n_adm = int(rng.integers(110, 170) * max(s, 0.25))
        pool = np.where(elders & (W.county == icty[i]))[0]
        ppl = rng.choice(pool, size=n_adm)
        dx = rng.choice(mild, size=n_adm)
        target = float(rng.choice([1980.0, 2380.0, 2650.0, 2860.0]))
        before = len(VB.parts)
        add_stays(
            W,
            I,
            rng,
            VB,
            ppl,
            dx,
            tag=tag_id("f_similar"),
            inst=np.full(n_adm, i),
            day=rng.integers(0, NDAYS - 10, n_adm),
            los=rng.integers(5, 9, n_adm),
            ipmode=IM_SIMILAR,
            prio=2,
        )
        for part in VB.parts[before:]:
            part["target"][:] = target * (1 + rng.uniform(-0.008, 0.008, len(part["target"])))
    # overcharging: extra admissions here; background stays here are switched to IM_OVER later
    for i in over:
        n_adm = int(rng.integers(60, 100) * max(s, 0.25))
        pool = np.where((a >= 40) & (W.county == icty[i]))[0]
        ppl = rng.choice(pool, size=n_adm)
        dx = np.where(
            rng.random(n_adm) < 0.5,
            rng.choice(mild, n_adm),
            rng.choice([DXI["J18.900"], DXI["J44.100"], DXI["I63.900"], DXI["I50.900"]], n_adm),
        )
        add_stays(
            W,
            I,
            rng,
            VB,
            ppl,
            dx,
            tag=tag_id("f_overcharge"),
            inst=np.full(n_adm, i),
            day=rng.integers(0, NDAYS - 12, n_adm),
            ipmode=IM_OVER,
            prio=2,
        )
    # pharmacies: card swiping and trace-code resale
    ph = rng.permutation(
        np.where((itier == T_PHARM) & (I["busy"].to_numpy() == 1.0) & ~I["h24"].to_numpy())[0]
    )
    k_sw, k_rs = max(2, int(round(5 * s))), max(2, int(round(4 * s)))
    swipe = ph[:k_sw]
    resale = ph[k_sw : k_sw + k_rs]
    W.fraud_insts["card_swiping"] = swipe
    I.loc[swipe, "pooled"] = True  # 门诊统筹定点药店: resident cards also draw on the pooled fund
    W.fraud_insts["trace_code_resale"] = resale
    for i in list(swipe) + list(resale):
        L.add("fixmedins", I.at[i, "code"], "card_swiping" if i in swipe else "trace_code_resale")
    for i in swipe:
        nights = int(rng.integers(8, 15))
        regulars = rng.choice(np.where(a >= 18)[0], size=max(10, int(40 * max(s, 0.3))), replace=False)
        for nn in range(nights):
            d = int(rng.integers(0, NDAYS - 1))
            k = int(rng.integers(12, 36) * max(s, 0.4))
            k = max(k, 8)
            emp = np.where(W.emp & (a >= 18))[0]
            cards = np.where(
                rng.random(k) < 0.3,
                rng.choice(regulars, k),
                np.where(rng.random(k) < 0.7, rng.choice(emp, k), rng.integers(0, N, k)),
            )
            cards = np.unique(cards)
            k = len(cards)
            early = rng.random() < 0.25
            start = (
                T0
                + d * DAY
                + (int(rng.uniform(5.8, 6.5) * HOUR) if early else int(rng.uniform(21.5, 23.2) * HOUR))
            )
            off = np.sort(rng.integers(0, int(rng.uniform(0.6, 2.0) * HOUR), k))
            begn = start + off
            amt = rng.choice([100.0, 150.0, 200.0, 200.0, 300.0, 300.0, 400.0, 500.0], k)
            VB.add(
                psn=cards,
                inst=i,
                mt=MT41,
                begn=begn,
                endt=begn + rng.integers(20, 90, k),
                dx=DXI["J06.900"],
                prof=P_SWIPE,
                round_amt=amt,
                dxnull=True,
                tagname="f_swipe",
                prio=2,
                protect=True,
            )
    W.resale_ph = resale

    # ---------------- persons ----------------
    # frequent admissions
    for p in choose((a >= 55) & (a <= 88) & ~W.emp, _count(150, N)):
        insts = (
            [W.p_town[p], W.p_priv[p]]
            if rng.random() < 0.3
            else [W.p_town[p] if rng.random() < 0.5 else W.p_priv[p]]
        )
        n_adm = int(rng.integers(7, 15))
        pdx = rng.choice(mild, size=int(rng.integers(1, 4)))
        d = int(rng.integers(0, 30))
        days, loss = [], []
        for k in range(n_adm):
            los = int(rng.integers(5, 11))
            if d + los >= NDAYS - 1:
                break
            days.append(d)
            loss.append(los)
            d += los + int(rng.integers(7, 30))
        m = len(days)
        add_stays(
            W,
            I,
            rng,
            VB,
            np.full(m, p),
            rng.choice(pdx, m),
            tag=tag_id("f_frequent"),
            inst=np.array([insts[k % len(insts)] for k in range(m)]),
            day=np.array(days),
            los=np.array(loss),
            prio=2,
        )
    label(np.where(taken)[0], "frequent_admission")
    mark = taken.copy()
    # split admissions: one real stay cut into 2-3 admissions at the same hospital, same diagnosis
    sdx = np.array([DXI[c] for c in ["I63.900", "J18.900", "J44.100", "I50.900", "I63.800", "E11.900"]])
    ppl = choose((a >= 45), _count(200, N))
    for p in ppl:
        inst = W.p_county[p] if rng.random() < 0.5 else (W.p_tert[p] if rng.random() < 0.5 else W.p_priv[p])
        for ep in range(1 if rng.random() < 0.7 else 2):
            dx = rng.choice(sdx)
            total = int(rng.integers(14, 29))
            parts = 2 if rng.random() < 0.8 else 3
            cuts = np.sort(rng.choice(np.arange(4, total - 3), size=parts - 1, replace=False))
            bounds = np.concatenate([[0], cuts, [total]])
            d0 = int(rng.integers(0, NDAYS - total - 10))
            off = 0
            for k in range(parts):
                gap = 0 if k == 0 else int(rng.choice([0, 0, 0, 1, 1, 2, 3]))
                off += gap
                b = (
                    T0
                    + (d0 + bounds[k] + off) * DAY
                    + (tod(rng, "adm", 1)[0] if k == 0 else int(rng.uniform(13, 17) * HOUR))
                )
                e = T0 + (d0 + bounds[k + 1] + off) * DAY + int(rng.uniform(8.5, 11.5) * HOUR)
                if e >= T1 - 6 * HOUR:
                    break
                VB.add(psn=p, inst=inst, mt=MT21, begn=b, endt=e, dx=dx, prof=P_IP, tagname="f_split", prio=2)
    label(ppl, "split_admission")
    # bed blocking: stays with little treatment while the person is seen elsewhere
    ppl = choose((a >= 40) & (a <= 82) & (W.urban == 0), _count(100, N))
    for p in ppl:
        for ep in range(1 if rng.random() < 0.6 else 2):
            inst = W.p_town[p] if rng.random() < 0.6 else W.p_priv[p]
            los = int(rng.integers(10, 22))
            d = int(rng.integers(0, NDAYS - los - 2))
            b = T0 + d * DAY + tod(rng, "adm", 1)[0]
            e = T0 + (d + los) * DAY + tod(rng, "dis", 1)[0]
            VB.add(
                psn=p,
                inst=inst,
                mt=MT21,
                begn=b,
                endt=e,
                dx=rng.choice(mild),
                prof=P_IP,
                ipmode=IM_BEDBLOCK,
                tagname="f_bedblock",
                prio=2,
            )
            k = int(rng.integers(1, 5))
            od = d + rng.integers(2, los, k)
            kind = rng.random(k)
            ph_i = np.where(rng.random(k) < 0.7, W.p_ph1[p], W.p_ph2[p])
            op_i = np.where(
                rng.random(k) < 0.5, W.p_county[p], np.where(W.p_vil[p] >= 0, W.p_vil[p], W.p_county[p])
            )
            is_ph = kind < 0.6
            bb = T0 + od * DAY + np.where(is_ph, tod(rng, "ph", k), tod(rng, "op", k))
            VB.add(
                psn=np.full(k, p),
                inst=np.where(is_ph, ph_i, op_i),
                mt=np.where(is_ph, MT41, MT11),
                begn=bb,
                endt=bb + np.where(is_ph, 120, 1500),
                dx=sample_dx(rng, W, np.full(k, p), _band_probs, OP_CATS),
                prof=np.where(is_ph, P_PH, P_OP),
                regimen=is_ph & (W.nreg[p] > 0),
                supply=30,
                tagname="f_bedblock_out",
                prio=2,
                protect=True,
                dxnull=is_ph,
            )
    label(ppl, "bed_blocking")
    # co-admission groups: unrelated people in and out together, repeatedly, at one institution
    ng = max(2, int(round(20 * N / 100000)))
    for g in range(ng):
        c = int(rng.choice(NC, p=C_W))
        inst = rng.choice(np.where((icty == c) & np.isin(itier, [T_TOWN, T_PRIV]))[0])
        size = int(rng.integers(4, 8))
        cand = np.where((W.county == c) & (a >= 45) & (a <= 85) & ~taken)[0]
        mem = []
        seen_hh = set()
        for p in rng.permutation(cand):
            if W.hh[p] in seen_hh or any(W.vil[p] == W.vil[q] for q in mem):
                continue
            mem.append(p)
            seen_hh.add(W.hh[p])
            if len(mem) == size:
                break
        mem = np.array(mem)
        taken[mem] = True
        gid = "CO%02d" % (g + 1)
        neps = int(rng.integers(3, 7))
        cdays = np.sort(rng.choice(np.arange(5, NDAYS - 15), size=neps, replace=False))
        for cd in cdays:
            L_ = int(rng.integers(5, 10))
            part = mem[rng.random(len(mem)) < 0.92]
            k = len(part)
            dd = cd + rng.integers(-1, 2, k)
            begn = T0 + dd * DAY + tod(rng, "adm", k)
            endt = T0 + (cd + L_ + rng.integers(-1, 2, k)) * DAY + tod(rng, "dis", k)
            VB.add(
                psn=part,
                inst=inst,
                mt=MT21,
                begn=begn,
                endt=endt,
                dx=rng.choice(mild, k),
                prof=P_IP,
                tagname="f_coadmit",
                prio=2,
            )
        label(mem, "co_admission", gid)
    # organised groups: recruited people moving together between several hospitals
    ng = max(2, int(round(8 * N / 100000)))
    for g in range(ng):
        size = int(rng.integers(6, 13))
        cand = np.where((a >= 40) & (a <= 80) & ~taken)[0]
        mem = rng.choice(cand, size=size, replace=False)
        taken[mem] = True
        gid = "GG%02d" % (g + 1)
        hs = rng.choice(
            np.where(np.isin(itier, [T_PRIV, T_TOWN]))[0], size=int(rng.integers(3, 6)), replace=False
        )
        if rng.random() < 0.5:
            hs[0] = rng.choice(induced)
        neps = int(rng.integers(5, 9))
        cdays = np.sort(rng.choice(np.arange(3, NDAYS - 12), size=neps, replace=False))
        for j, cd in enumerate(cdays):
            part = mem[rng.random(size) < rng.uniform(0.6, 0.9)]
            k = len(part)
            L_ = int(rng.integers(4, 9))
            begn = T0 + (cd + rng.integers(-1, 2, k)) * DAY + tod(rng, "adm", k)
            endt = T0 + (cd + L_ + rng.integers(-1, 2, k)) * DAY + tod(rng, "dis", k)
            VB.add(
                psn=part,
                inst=hs[j % len(hs)],
                mt=MT21,
                begn=begn,
                endt=endt,
                dx=rng.choice(mild, k),
                prof=P_IP,
                tagname="f_group",
                prio=2,
                ipmode=IM_INDUCED if rng.random() < 0.5 else IM_NORMAL,
            )
        label(mem, "organised_group", gid)
    # settlements after death
    W.death = np.full(N, -1, dtype=np.int64)
    W.death_fraud = np.zeros(N, dtype=bool)
    ppl = choose((a >= 62) & (W.nreg > 0), _count(60, N))
    for p in ppl:
        if rng.random() < 0.5:
            dd = int(rng.integers(15, 250))
        else:
            dd = -int(rng.integers(10, 540))
        W.death[p] = T0 + dd * DAY + int(rng.integers(0, 24)) * HOUR
        W.death_fraud[p] = True
        k = int(rng.integers(2, 7))
        od = np.sort(rng.integers(max(dd, 0) + 8, NDAYS, k))
        bb = T0 + od * DAY + tod(rng, "ph", k)
        is_cd = W.any_reg[p] & (rng.random(k) < 0.4)
        VB.add(
            psn=np.full(k, p),
            inst=np.where(is_cd, W.p_town[p], W.p_ph1[p]),
            mt=np.where(is_cd, MT14, MT41),
            begn=bb,
            endt=bb + 300,
            dx=np.where(W.reg_dx[p] >= 0, W.reg_dx[p], W.main_dx[p]),
            prof=np.where(is_cd, P_CD, P_PH),
            regimen=True,
            supply=30,
            tagname="f_death",
            prio=2,
            dxnull=~is_cd,
        )
    label(ppl, "death_settlement")
    # diagnosis impossible for the person's sex
    ppl = choose((a >= 20) & (a <= 70), _count(80, N))
    fem_dx = [DXI[c] for c in ["O20.000", "Z34.900", "N76.000", "N92.000", "N70.900"]]
    mal_dx = [DXI[c] for c in ["N40.x00", "N41.100", "C61.x00"]]
    for p in ppl:
        male = W.sex[p] == 1
        k = int(rng.integers(1, 4))
        dx = rng.choice(fem_dx if male else mal_dx, k)
        inst = pick_tier_inst(rng, W, I, np.full(k, p), rng.choice([T_COUNTY, T_TERT, T_PRIV], k))
        day = rng.integers(0, NDAYS, k)
        bb = T0 + day * DAY + tod(rng, "op", k)
        VB.add(
            psn=np.full(k, p),
            inst=inst,
            mt=MT11,
            begn=bb,
            endt=bb + 1500,
            dx=dx,
            prof=P_OP,
            tagname="f_sex",
            prio=2,
        )
        if rng.random() < 0.2:
            add_stays(
                W,
                I,
                rng,
                VB,
                np.array([p]),
                np.array([DXI["O80.000"] if male else DXI["N40.x00"]]),
                tag=tag_id("f_sex"),
                inst=np.array([inst[0]]),
                day=np.array([rng.integers(0, NDAYS - 10)]),
                prio=2,
            )
    label(ppl, "sex_diagnosis_mismatch")
    # over-prescribing / drug resale: a chronic drug bought far beyond a year's supply at several pharmacies
    hi = ["butp", "sema", "clop", "budg", "degl", "rosu", "acar", "tiot", "nxt", "isos"]
    ppl = choose((W.nreg > 0) & (a >= 45) & (a <= 85), _count(250, N))
    W.overstock = ppl
    for p in ppl:
        drugs = rng.choice(hi, size=1 if rng.random() < 0.7 else 2, replace=False)
        phs = rng.choice(W.ph_all, size=int(rng.integers(3, 7)), replace=False)
        for dk in drugs:
            k = int(rng.integers(14, 31))
            day = np.sort(rng.integers(0, NDAYS, k))
            sup = rng.choice([30, 30, 60, 60, 90], k)
            place = np.where(rng.random(k) < 0.8, rng.choice(phs, k), W.p_county[p])
            is_ph = itier[place] == T_PHARM
            bb = T0 + day * DAY + np.where(is_ph, tod(rng, "ph", k), tod(rng, "op", k))
            VB.add(
                psn=np.full(k, p),
                inst=place,
                mt=np.where(is_ph, MT41, MT11),
                begn=bb,
                endt=bb + np.where(is_ph, 200, 1200),
                dx=W.main_dx[p],
                prof=np.where(is_ph, P_PH, P_OP),
                dgrp=GI["one_" + dk],
                ndrug=1,
                supply=sup,
                tagname="f_overstock",
                prio=2,
                dxnull=is_ph,
            )
    label(ppl, "drug_overstock")
    # chronic-disease benefit misuse: 14 visits under one registration, drugs for other things
    off = {
        "I10.x00": ["resp", "gi", "pain", "tonic", "dm", "derm"],
        "E11.900": ["resp", "gi", "pain", "tonic", "copd"],
        "I25.103": ["gi", "pain", "tonic", "dm"],
        "J44.900": ["gi", "pain", "tonic", "dm", "htn"],
        "I69.300": ["gi", "pain", "tonic", "dm_hi"],
        "F20.900": ["gi", "pain", "tonic", "htn"],
        "N18.500": ["pain", "tonic", "resp"],
    }
    ppl = choose(W.any_reg & ~W.ckd & (a >= 30), _count(200, N))
    for p in ppl:
        rd = DX_CODE[W.reg_dx[p]]
        k = int(rng.integers(6, 13))
        day = np.sort(rng.integers(0, NDAYS, k))
        bb = T0 + day * DAY + tod(rng, "op", k)
        grp = np.array([GI[g] for g in rng.choice(off[rd], k)])
        dx = np.full(k, W.reg_dx[p])
        if rng.random() < 0.25:  # 超病种: visits coded to a disease not registered
            other = DXI["E11.900"] if rd != "E11.900" else DXI["I10.x00"]
            dx[:] = other
            grp[:] = GI["dm" if other == DXI["E11.900"] else "htn"]
        VB.add(
            psn=np.full(k, p),
            inst=W.p_town[p] if rng.random() < 0.6 else W.p_county[p],
            mt=MT14,
            begn=bb,
            endt=bb + 900,
            dx=dx,
            prof=P_CD,
            dgrp=grp,
            ndrug=rng.integers(2, 4, k),
            supply=30,
            tagname="f_misuse",
            prio=2,
        )
    label(ppl, "chronic_misuse")
    # refund cash-out: pharmacy purchases refunded in full again and again
    ppl = choose(((W.emp) | (rng.random(N) < 0.3)) & (a >= 25), _count(80, N))
    for p in ppl:
        k = int(rng.integers(8, 21))
        day = np.sort(rng.integers(0, NDAYS, k))
        bb = T0 + day * DAY + tod(rng, "ph", k)
        grp = [GI[g] for g in ["one_butp", "one_clop", "one_sema", "one_budg", "tonic", "chd", "one_rosu"]]
        VB.add(
            psn=np.full(k, p),
            inst=np.where(rng.random(k) < 0.75, W.p_ph1[p], W.p_ph2[p]),
            mt=MT41,
            begn=bb,
            endt=bb + 180,
            dx=DXI["I10.x00"],
            prof=P_PH,
            dgrp=rng.choice(grp, k),
            ndrug=1,
            supply=rng.choice([30, 60], k),
            smode=S_REFUND_ONLY,
            tagname="f_cashout",
            prio=2,
            dxnull=True,
        )
    label(ppl, "refund_cashout")
    # identity borrowing: same time in distant places, care impossible for the person's age/sex
    ppl = choose((a >= 18), _count(150, N))
    for p in ppl:
        u = rng.random()
        if u < 0.5 or (u < 0.75 and a[p] < 40) or (u >= 0.75 and not (W.sex[p] == 2 and a[p] >= 55)):
            k = int(rng.integers(2, 6))
            day = rng.integers(0, NDAYS, k)
            b1 = T0 + day * DAY + tod(rng, "op", k)
            b2 = b1 + rng.integers(-50, 50, k) * 60
            far = far_inst(W, I, rng, np.full(k, p))
            near = np.where(rng.random(k) < 0.5, W.p_ph1[p], W.p_town[p])
            for inst_arr, bb in ((near, b1), (far, b2)):
                is_ph = itier[inst_arr] == T_PHARM
                VB.add(
                    psn=np.full(k, p),
                    inst=inst_arr,
                    mt=np.where(is_ph, MT41, MT11),
                    begn=bb,
                    endt=bb + np.where(is_ph, 200, 1500),
                    dx=sample_dx(rng, W, np.full(k, p), _band_probs, OP_CATS),
                    prof=np.where(is_ph, P_PH, P_OP),
                    tagname="f_identity",
                    prio=2,
                    protect=True,
                    dxnull=is_ph,
                )
        elif u < 0.75:  # pediatric care on an adult's card
            k = int(rng.integers(2, 5))
            day = rng.integers(0, NDAYS, k)
            bb = T0 + day * DAY + tod(rng, "op", k)
            VB.add(
                psn=np.full(k, p),
                inst=np.where(rng.random(k) < 0.5, W.p_county[p], W.p_tert[p]),
                mt=MT11,
                begn=bb,
                endt=bb + 1500,
                dx=rng.choice([DXI["A08.400"], DXI["J06.900"], DXI["J18.000"]], k),
                prof=P_OP,
                dgrp=GI["kid"],
                dept_kid=True,
                tagname="f_identity",
                prio=2,
            )
            if rng.random() < 0.3:
                VB.add(
                    psn=p,
                    inst=W.p_county[p],
                    mt=MT21,
                    begn=bb[0],
                    endt=bb[0] + 5 * DAY,
                    dx=DXI["J18.000"],
                    prof=P_IP,
                    dept_kid=True,
                    tagname="f_identity",
                    prio=2,
                )
        else:  # obstetric care for a woman of 55+
            k = int(rng.integers(2, 4))
            d0 = int(rng.integers(0, NDAYS - 120))
            day = d0 + np.arange(k) * 30
            bb = T0 + day * DAY + tod(rng, "op", k)
            VB.add(
                psn=np.full(k, p),
                inst=W.p_county[p],
                mt=MT11,
                begn=bb,
                endt=bb + 1500,
                dx=DXI["Z34.900"],
                prof=P_OP,
                tagname="f_identity",
                prio=2,
            )
            add_stays(
                W,
                I,
                rng,
                VB,
                np.array([p]),
                np.array([DXI["O80.000"]]),
                tag=tag_id("f_identity"),
                inst=np.array([W.p_county[p]]),
                day=np.array([d0 + k * 30 + 60]),
                los=np.array([3]),
                prio=2,
            )
    label(ppl, "identity_borrowing")
    W.fraud_counts = F
    W.taken = taken


# --------------------------------------------------------------------------------------------------
# cleaning the visit set: deaths, overlaps, modes
# --------------------------------------------------------------------------------------------------
def concat_visits(V, extra):
    return {k: np.concatenate([V[k], extra[k]]) for k in V}


def take(V, mask):
    return {k: v[mask] for k, v in V.items()}


def finalize_visits(W, I, rng, V):
    N, a = W.N, W.age
    itier = I["tier"].to_numpy()
    # ---- legitimate deaths ----
    q = np.select([a < 60, a < 70, a < 80], [0.002, 0.012, 0.03], 0.09)
    dead = (rng.random(N) < q) & ~W.taken
    dd = rng.integers(0, NDAYS, N)
    W.death = np.where(dead, T0 + dd * DAY + rng.integers(0, DAY, N), W.death)
    pre = (rng.random(N) < 0.003) & ~W.taken & ~dead & (a >= 60)
    W.death = np.where(pre, T0 - rng.integers(5, 500, N) * DAY + rng.integers(0, DAY, N), W.death)
    # in-hospital deaths: a final stay ending at death (settled the same day or the next: look-alike)
    ih = np.where(dead & (rng.random(N) < 0.3) & (dd > 14))[0]
    VB = VisitBuf()
    los = rng.integers(2, 14, len(ih))
    dx = rng.choice([DXI["I63.900"], DXI["J18.900"], DXI["I50.900"], DXI["J44.100"], DXI["C34.900"]], len(ih))
    inst = pick_tier_inst(rng, W, I, ih, np.where(rng.random(len(ih)) < 0.6, T_COUNTY, T_TOWN))
    VB.add(
        psn=ih,
        inst=inst,
        mt=MT21,
        begn=W.death[ih] - los * DAY - rng.integers(0, 8, len(ih)) * HOUR,
        endt=W.death[ih],
        dx=dx,
        prof=P_IP,
        tagname="lk_death_inhosp",
        prio=1,
    )
    V = concat_visits(V, VB.frame())
    # ---- drop events after a (legitimate) death ----
    de = W.death[V["psn"]]
    after = (de >= 0) & (V["begn"] >= de) & ~W.death_fraud[V["psn"]]
    V = take(V, ~after)
    de = W.death[V["psn"]]
    cut = (de >= 0) & (V["endt"] > de) & ~W.death_fraud[V["psn"]]
    V["endt"] = np.where(cut, de, V["endt"])
    # ---- period bounds ----
    ip = V["mt"] == MT21
    ok = np.where(
        ip,
        (V["endt"] >= T0 + HOUR) & (V["endt"] < T1 - 3 * HOUR),
        (V["begn"] >= T0) & (V["begn"] < T1 - 3 * HOUR),
    )
    V = take(V, ok)
    # ---- overlapping stays of one person: keep higher priority ----
    ip = np.where(V["mt"] == MT21)[0]
    order = ip[np.lexsort((V["begn"][ip], -V["prio"][ip].astype(int), V["psn"][ip]))]
    keep = np.ones(len(V["psn"]), dtype=bool)
    ps = V["psn"][order]
    starts = np.r_[0, np.where(np.diff(ps) != 0)[0] + 1]
    ends = np.r_[starts[1:], len(order)]
    multi = np.where(ends - starts > 1)[0]
    for g in multi:
        acc = []
        for j in order[starts[g] : ends[g]]:
            b, e = V["begn"][j], V["endt"][j]
            if any(b < e2 and b2 < e for b2, e2 in acc):
                keep[j] = False
            else:
                acc.append((b, e))
    V = take(V, keep)
    # ---- non-inpatient events inside a stay of the same person (unless deliberately kept) ----
    ip = np.where(V["mt"] == MT21)[0]
    base = T0 - 200 * DAY
    sk = V["psn"][ip].astype(np.int64) * (1 << 26) + (V["begn"][ip] - base) // 16
    o = np.argsort(sk)
    sk, ipo = sk[o], ip[o]
    ek = V["psn"].astype(np.int64) * (1 << 26) + (V["begn"] - base) // 16
    pos = np.searchsorted(sk, ek, side="right") - 1
    posc = np.clip(pos, 0, len(ipo) - 1)
    j = ipo[posc]
    inside = (
        (pos >= 0)
        & (V["psn"][j] == V["psn"])
        & (V["begn"] < V["endt"][j])
        & (V["mt"] != MT21)
        & ~V["protect"]
    )
    V = take(V, ~inside)
    # ---- relatives buying a chronic patient's own drugs during the stay (look-alike) ----
    ip = np.where(
        (V["mt"] == MT21) & (W.nreg[V["psn"]] > 0) & (V["endt"] - V["begn"] > 4 * DAY) & (V["prio"] < 2)
    )[0]
    ip = ip[rng.random(len(ip)) < 0.25]
    VB = VisitBuf()
    tt = V["begn"][ip] + ((V["endt"][ip] - V["begn"][ip]) * rng.uniform(0.3, 0.8, len(ip))).astype(np.int64)
    tt = tt - tt % DAY + tod(rng, "ph", len(ip))
    pp = V["psn"][ip]
    VB.add(
        psn=pp,
        inst=W.p_ph1[pp],
        mt=MT41,
        begn=tt,
        endt=tt + 150,
        dx=W.main_dx[pp],
        prof=P_PH,
        regimen=True,
        supply=30,
        tagname="lk_relative_purchase",
        prio=1,
        protect=True,
        dxnull=True,
    )
    V = concat_visits(V, VB.frame())
    ok = (V["mt"] == MT21) | ((V["begn"] < T1 - 3 * HOUR) & (V["begn"] >= T0))
    V = take(V, ok)
    n = len(V["psn"])
    # ---- inpatient modes at special institutions ----
    over = np.isin(V["inst"], W.fraud_insts["overcharging"]) & (V["mt"] == MT21) & (V["ipmode"] == IM_NORMAL)
    V["ipmode"][over & (rng.random(n) < 0.7)] = IM_OVER
    fx = (V["mt"] == MT21) & (
        (I["fixed_cat"].to_numpy()[V["inst"]] & (V["dx"] == DXI["H25.900"]))
        | (I["fixed_del"].to_numpy()[V["inst"]] & (V["dx"] == DXI["O80.000"]))
    )
    V["ipmode"][fx] = IM_FIXED
    V["tag"][fx & (V["tag"] == 0)] = tag_id("lk_fixed_price")
    # ---- settlement modes ----
    sm = V["smode"].copy()
    auto = sm < 0
    u = rng.random(n)
    ipm = V["mt"] == MT21
    spans = (
        ipm & (V["begn"] < YEAR_CUT) & (V["endt"] > YEAR_CUT + 6 * HOUR) & I["yearend"].to_numpy()[V["inst"]]
    )
    longst = ipm & (V["endt"] - V["begn"] > 35 * DAY)
    sm[auto] = S_ONE
    sm[auto & ipm & (u < 0.01)] = S_REFUND_RESETTLE
    sm[auto & ~ipm & (u < 0.011)] = S_REFUND_RESETTLE
    sm[auto & ~ipm & (u >= 0.011) & (u < 0.0135)] = S_REFUND_ONLY
    sm[auto & (V["mt"] == MT41) & (u >= 0.0135) & (u < 0.016) & (V["prof"] == P_PH)] = S_DOUBLESCAN
    sm[auto & spans] = S_YEAREND
    sm[auto & longst] = S_MONTHLY
    sm[(V["prof"] == P_SWIPE)] = S_ONE
    sm[(V["endt"] > T1 - 4 * DAY) & np.isin(sm, [S_REFUND_RESETTLE, S_REFUND_ONLY, S_DOUBLESCAN])] = S_ONE
    V["smode"] = sm
    # sort by begin time for nicer ids
    o = np.argsort(V["begn"], kind="stable")
    return take(V, o)


# --------------------------------------------------------------------------------------------------
# fee lines
# --------------------------------------------------------------------------------------------------
LCOLS = dict(
    vi=np.int64,
    t=np.int64,
    item=np.int64,
    cnt=np.float64,
    pric=np.float64,
    trdn=np.int8,
    prd=np.int64,
    code_s=np.int64,
    code_n=np.int64,
    freq=np.int8,
)
LDEF = dict(trdn=-1, prd=-1, code_s=-1, code_n=0, freq=-1)


class LineBuf:
    def __init__(self):
        self.parts = []

    def add(self, **kw):
        n = len(np.atleast_1d(kw["vi"]))
        if n == 0:
            return
        d = {}
        for k, dt in LCOLS.items():
            v = kw.get(k, LDEF.get(k))
            arr = np.asarray(v)
            if arr.ndim == 0:
                arr = np.full(n, arr)
            d[k] = arr.astype(dt)
        if "freq" not in kw:
            d["freq"] = IT_FREQ[d["item"]]
        self.parts.append(d)

    def frame(self):
        if not self.parts:
            return {k: np.zeros(0, dtype=dt) for k, dt in LCOLS.items()}
        return {k: np.concatenate([p[k] for p in self.parts]) for k in LCOLS}


class Serial:
    def __init__(self):
        self.next = 1000

    def alloc(self, sizes):
        sizes = np.asarray(sizes, dtype=np.int64)
        starts = self.next + np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.next += int(sizes.sum()) + 1
        return starts


def _cumcount(rep):
    """0..k-1 within consecutive runs of equal values of a sorted repeat index."""
    n = len(rep)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.r_[0, np.where(np.diff(rep) != 0)[0] + 1]
    lens = np.diff(np.r_[start, n])
    return np.arange(n) - np.repeat(start, lens)


def _pick(rng, table, keys):
    """table: dict key -> list of items; keys: array of keys; returns one item per key."""
    out = np.full(len(keys), -1)
    for k, lst in table.items():
        sel = np.where(keys == k)[0]
        if len(sel) and lst:
            arr = np.array([IK[x] for x in lst])
            out[sel] = arr[rng.integers(0, len(arr), len(sel))]
    return out


LAB = {
    "resp": ["cbc", "crp"],
    "kid": ["cbc", "crp"],
    "resp_ip": ["cbc", "crp"],
    "kid_ip": ["cbc", "crp"],
    "dm": ["glu", "hba1c"],
    "htn": ["bchem", "tc"],
    "chd": ["bchem", "myo"],
    "lipid": ["tc", "tg"],
    "cardio": ["myo", "bchem"],
    "gi": ["cbc", "ua", "alt"],
    "uti": ["ua", "cbc"],
    "gyn": ["cbc", "ua"],
    "prenatal": ["cbc", "ua", "hbv"],
    "ckd": ["crea", "urea"],
    "copd": ["cbc", "crp"],
    "stroke": ["bchem"],
    "neuro": ["bchem", "coag"],
    "neuro_m": ["bchem", "tc"],
    "pain": ["cbc", "crp"],
}
EXAM = {
    "resp": ["dr"],
    "resp_ip": ["dr", "ct_c"],
    "pain": ["dr"],
    "ortho": ["dr"],
    "gi": ["us_a"],
    "surg": ["us_a"],
    "chd": ["ecg", "us_h"],
    "htn": ["ecg"],
    "cardio": ["ecg", "us_h"],
    "neuro": ["ct_h", "mri"],
    "neuro_m": ["ct_h"],
    "stroke": ["ct_h"],
    "gyn": ["us_a"],
    "prenatal": ["us_a"],
    "copd": ["pft", "dr"],
    "dm": ["ecg"],
    "uti": ["us_a"],
    "uro": ["us_a"],
    "kid_ip": ["dr"],
    "onc": ["ct_c"],
    "chemo": ["ct_c"],
}


def _cats(dx):
    return DX_CAT[dx]


def price_of(I, item, inst, unit=False):
    serv_f = I["serv_f"].to_numpy()[inst]
    drug_f = I["drug_f"].to_numpy()[inst]
    drug = IT_DRUG[item]
    base = np.where(unit, IT_PRICE[item] / IT_UPB[item], IT_PRICE[item])
    p = np.where(drug | IT_HERB[item], base * drug_f, base * serv_f)
    return np.maximum(np.round(p, 2), 0.01)


def lines_outpatient(V, W, I, rng, LB, SER, idx):
    n = len(idx)
    if n == 0:
        return
    itier = I["tier"].to_numpy()
    inst = V["inst"][idx]
    tier = itier[inst]
    dx = V["dx"][idx]
    cat = _cats(dx)
    prof = V["prof"][idx]
    begn, endt = V["begn"][idx], V["endt"][idx]
    span = np.maximum(endt - begn, 120)

    def tpos(lo, hi, m=None):
        k = n if m is None else m.sum()
        b = begn if m is None else begn[m]
        sp = span if m is None else span[m]
        return b + (sp * rng.uniform(lo, hi, k)).astype(np.int64)

    u = rng.random(n)
    ex = np.where(
        prof == P_ER,
        IK["dz_er"],
        np.where(
            (tier == T_VILLAGE) | ((tier == T_TOWN) & (u < 0.5)),
            IK["ybzl"],
            np.where((tier == T_TERT) & (u < 0.3), IK["dz_op2"], IK["dz_op"]),
        ),
    )
    not_ph = prof != P_PH
    m = not_ph & (prof != P_DIAL)
    LB.add(vi=idx[m], t=tpos(0.02, 0.1, m), item=ex[m], cnt=1, pric=price_of(I, ex[m], inst[m]))
    gh = m & np.isin(tier, [T_TERT, T_COUNTY, T_OUT]) & ((inst % 5) < 3)
    LB.add(
        vi=idx[gh], t=begn[gh], item=IK["gh"], cnt=1, pric=price_of(I, np.full(gh.sum(), IK["gh"]), inst[gh])
    )
    # labs
    p_lab = np.select([prof == P_ER, prof == P_CD, tier == T_VILLAGE], [0.6, 0.25, 0.1], 0.35)
    has = m & (rng.random(n) < p_lab)
    nl = np.where(has, rng.integers(1, 3, n), 0)
    rep = np.repeat(np.arange(n), nl)
    it = _pick(rng, LAB, cat[rep])
    it = np.where(it < 0, IK["cbc"], it)
    LB.add(vi=idx[rep], t=tpos(0.2, 0.5)[rep], item=it, cnt=1, pric=price_of(I, it, inst[rep]))
    # exams
    p_ex = np.select([prof == P_ER, tier == T_VILLAGE, prof == P_CD], [0.45, 0, 0.08], 0.12)
    has = m & (rng.random(n) < p_ex)
    sel = np.where(has)[0]
    it = _pick(rng, EXAM, cat[sel])
    ok = it >= 0
    sel, it = sel[ok], it[ok]
    LB.add(vi=idx[sel], t=tpos(0.3, 0.6)[sel], item=it, cnt=1, pric=price_of(I, it, inst[sel]))
    # outpatient infusion at primary care (resp/gi), nebulisation for children
    ivm = m & np.isin(tier, [T_VILLAGE, T_TOWN, T_PRIV]) & np.isin(cat, ["resp", "gi", "kid", "pain"]) & (
        rng.random(n) < 0.25
    ) | ((prof == P_ER) & (rng.random(n) < 0.3))
    sel = np.where(ivm)[0]
    t_iv = tpos(0.6, 0.8)[sel]
    for key, c in (("ivf1", 1), ("m_ivset", 1)):
        LB.add(
            vi=idx[sel], t=t_iv, item=IK[key], cnt=c, pric=price_of(I, np.full(len(sel), IK[key]), inst[sel])
        )
    ns_s = SER.alloc(np.ones(len(sel)))
    LB.add(
        vi=idx[sel],
        t=t_iv,
        item=IK["ns"],
        cnt=1,
        pric=price_of(I, np.full(len(sel), IK["ns"]), inst[sel]),
        trdn=0,
        code_s=ns_s,
        code_n=1,
    )
    nv = rng.integers(1, 3, len(sel))
    cs = SER.alloc(np.ones(len(sel)))
    LB.add(
        vi=idx[sel],
        t=t_iv,
        item=IK["ceft"],
        cnt=nv,
        pric=price_of(I, np.full(len(sel), IK["ceft"]), inst[sel], unit=True),
        trdn=1,
        code_s=cs,
        code_n=1,
    )
    neb = (
        m
        & (W.age[V["psn"][idx]] < 10)
        & np.isin(cat, ["resp", "kid"])
        & (rng.random(n) < 0.3)
        & (tier != T_VILLAGE)
    )
    sel = np.where(neb)[0]
    LB.add(
        vi=idx[sel],
        t=tpos(0.6, 0.8)[sel],
        item=IK["neb"],
        cnt=1,
        pric=price_of(I, np.full(len(sel), IK["neb"]), inst[sel]),
    )
    cs = SER.alloc(np.ones(len(sel)))
    LB.add(
        vi=idx[sel],
        t=tpos(0.6, 0.8)[sel],
        item=IK["bude"],
        cnt=1,
        pric=price_of(I, np.full(len(sel), IK["bude"]), inst[sel], unit=True),
        trdn=1,
        code_s=cs,
        code_n=1,
    )
    # herbal decoction pieces at TCM hospitals and village clinics
    tcm = I["name"].str.endswith("中医医院").to_numpy()[inst] | (tier == T_VILLAGE)
    hb = m & tcm & (rng.random(n) < 0.15) & (prof == P_OP)
    rep = np.repeat(np.where(hb)[0], 5)
    herbs = np.array([IK[k] for k in ["h_hq", "h_dg", "h_ds", "h_gc", "h_fl"]])
    it = herbs[_cumcount(rep)]
    g = rng.integers(6, 31, len(rep)) * 7
    LB.add(vi=idx[rep], t=tpos(0.7, 0.9)[rep], item=it, cnt=g, pric=price_of(I, it, inst[rep]), prd=7)
    # 病历本
    bl = m & np.isin(tier, [T_TOWN, T_COUNTY]) & (rng.random(n) < 0.08)
    LB.add(
        vi=idx[bl],
        t=begn[bl],
        item=IK["blb"],
        cnt=1,
        pric=price_of(I, np.full(bl.sum(), IK["blb"]), inst[bl]),
    )
    # dialysis sessions
    dm_ = prof == P_DIAL
    sel = np.where(dm_)[0]
    for key, p in (("hd", 1.0), ("m_dial", 1.0), ("dz_op", 0.5)):
        s2 = sel[rng.random(len(sel)) < p]
        LB.add(
            vi=idx[s2],
            t=tpos(0.05, 0.2)[s2],
            item=IK[key],
            cnt=1,
            pric=price_of(I, np.full(len(s2), IK[key]), inst[s2]),
        )
    for key, p in (("epo", 0.9), ("iron", 0.35), ("lmwh", 1.0), ("ns", 1.0)):
        s2 = sel[rng.random(len(sel)) < p]
        cs = SER.alloc(np.ones(len(s2)))
        LB.add(
            vi=idx[s2],
            t=tpos(0.2, 0.6)[s2],
            item=IK[key],
            cnt=1,
            pric=price_of(I, np.full(len(s2), IK[key]), inst[s2]),
            trdn=0,
            code_s=cs,
            code_n=1,
        )
    # drugs
    drug_lines(V, W, I, rng, LB, SER, idx[prof != P_DIAL])


def drug_lines(V, W, I, rng, LB, SER, idx):
    """Whole-box drug lines for outpatient / chronic / pharmacy visits."""
    if len(idx) == 0:
        return
    n = len(idx)
    inst = V["inst"][idx]
    begn, endt = V["begn"][idx], V["endt"][idx]
    t = begn + ((endt - begn) * rng.uniform(0.75, 0.98, n)).astype(np.int64)
    regi = V["regimen"][idx]
    psn = V["psn"][idx]
    supply = V["supply"][idx]
    # regimen visits: the person's own drugs (sometimes only one of them at a pharmacy)
    ri = np.where(regi)[0]
    R = W.regimen[psn[ri]]
    only_one = (V["prof"][idx[ri]] == P_PH) & (rng.random(len(ri)) < 0.3)
    keep = R >= 0
    nr = np.maximum(keep.sum(1), 1)
    pick1 = np.zeros_like(keep)
    pick1[np.arange(len(ri)), (rng.random(len(ri)) * nr).astype(np.int64)] = True
    keep = np.where(only_one[:, None], keep & pick1, keep)
    rr, cc = np.where(keep)
    r_vis = ri[rr]
    r_item = R[rr, cc]
    # group-based visits
    gi_ = np.where(~regi)[0]
    dg = V["dgrp"][idx[gi_]]
    dg = np.where(dg >= 0, dg, DX_OPG[V["dx"][idx[gi_]]])
    nd = V["ndrug"][idx[gi_]]
    nd = np.where(nd >= 0, nd, rng.choice([1, 1, 2, 2, 3], len(gi_)))
    nd = np.minimum(nd, G_SIZE[dg])
    rep = np.repeat(np.arange(len(gi_)), nd)
    k = _cumcount(rep)
    base = rng.integers(0, 1 << 30, len(gi_))
    g_item = G_ITEMS[G_START[dg[rep]] + (base[rep] + k) % G_SIZE[dg[rep]]]
    g_vis = gi_[rep]
    vis = np.concatenate([r_vis, g_vis])
    item = np.concatenate([r_item, g_item])
    sup = supply[vis]
    acute = sup < 0
    days = np.where(acute, rng.integers(3, 8, len(vis)), sup)
    boxes = np.ceil(days / IT_DAYS[item]).astype(np.int64)
    boxes = np.where(acute, np.clip(boxes, 1, 3), np.maximum(boxes, 1))
    boxes = np.maximum(1, np.round(boxes * V["mult"][idx[vis]])).astype(np.int64)
    prd = np.where(acute, np.minimum(days, boxes * IT_DAYS[item]), days)
    cs = SER.alloc(boxes)
    iv = idx[vis]
    LB.add(
        vi=iv,
        t=t[vis] + rng.integers(0, 30, len(vis)),
        item=item,
        cnt=boxes,
        pric=price_of(I, item, inst[vis]),
        trdn=0,
        prd=prd,
        code_s=cs,
        code_n=boxes,
    )


def lines_swipe(V, W, I, rng, LB, SER, idx):
    n = len(idx)
    if n == 0:
        return
    inst = V["inst"][idx]
    amt = V["round_amt"][idx]
    pool = np.array([IK[k] for k in ["jins", "bail", "fdds", "nxt", "hxzt", "ynby", "lhqw", "pdl", "alum"]])
    two = rng.random(n) < 0.3
    a1 = np.where(two, np.round(amt * rng.uniform(0.3, 0.7, n) / 10) * 10, amt)
    a1 = np.where(a1 >= amt, amt, a1)
    rows_v = np.concatenate([np.arange(n), np.where(two & (a1 < amt))[0]])
    rows_a = np.concatenate([a1, (amt - a1)[two & (a1 < amt)]])
    it = pool[rng.integers(0, len(pool), len(rows_v))]
    k = rng.choice([1, 2, 4, 5, 10], len(rows_v))
    base = IT_PRICE[it]
    k = np.clip(np.round(rows_a / base), 1, 10).astype(np.int64)
    k = np.where(np.isin(k, [3, 6, 7, 9]), k - 1, k)
    k = np.where(k == 8, 10, k)
    pric = np.round(rows_a / k, 2)
    # keep exactly round totals
    bad = np.abs(pric * k - rows_a) > 0.001
    k = np.where(bad, 1, k)
    pric = np.where(bad, rows_a, pric)
    coded = rng.random(len(rows_v)) < 0.3
    cs = np.where(coded, SER.alloc(k), -1)
    LB.add(
        vi=idx[rows_v],
        t=V["begn"][idx[rows_v]] + rng.integers(5, 25, len(rows_v)),
        item=it,
        cnt=k,
        pric=pric,
        trdn=0,
        prd=np.minimum(30, k * IT_DAYS[it]),
        code_s=cs,
        code_n=np.where(coded, k, 0),
    )


def policy(mt, tier, emp, idet_k, pooled):
    """Deductible and reimbursement ratio (simplified Nanchong-like rules)."""
    n = len(mt)
    D = np.zeros(n)
    r = np.zeros(n)
    tiers = [T_VILLAGE, T_TOWN, T_COUNTY, T_TERT, T_PRIV, T_OUT]
    d21 = dict(zip(tiers, [200, 200, 500, 800, 400, 1200]))
    r21r = dict(zip(tiers, [0.85, 0.85, 0.75, 0.60, 0.70, 0.50]))
    r21e = dict(zip(tiers, [0.92, 0.92, 0.88, 0.85, 0.85, 0.75]))
    r11r = dict(zip(tiers, [0.60, 0.55, 0.45, 0.30, 0.40, 0.20]))
    r11e = dict(zip(tiers, [0.65, 0.60, 0.55, 0.50, 0.50, 0.30]))
    for t in tiers:
        s = (mt == MT21) & (tier == t)
        D[s] = d21[t] + np.where(emp[s], 100, 0)
        r[s] = np.where(emp[s], r21e[t], r21r[t])
        s = np.isin(mt, [MT11, MT13]) & (tier == t)
        r[s] = np.where(emp[s], r11e[t], r11r[t])
    s = mt == MT21
    D[s & (idet_k > 0)] *= 0.5
    D[s & (idet_k == 1)] = 0
    r[s & (idet_k > 0)] += 0.05
    r[mt == MT14] = np.where(emp[mt == MT14], 0.80, 0.65)
    r[mt == MT41] = np.where(pooled[mt == MT41], 0.50, 0.0)
    return D, np.minimum(r, 0.97)


def lines_inpatient(V, W, I, rng, LB, SER, idx):
    n = len(idx)
    if n == 0:
        return
    itier = I["tier"].to_numpy()
    inst = V["inst"][idx]
    tier = itier[inst]
    dx = V["dx"][idx]
    cat = _cats(dx)
    kind = DX_KIND[dx]
    mode = V["ipmode"][idx]
    begn, endt = V["begn"][idx], V["endt"][idx]
    nights = np.maximum(endt // DAY - begn // DAY, 0)
    nb = np.maximum(nights, 1)
    both = I["bed_both"].to_numpy()[inst] & (nights >= 1)
    agg = I["bed_agg"].to_numpy()[inst]
    fixed = mode == IM_FIXED
    over = mode == IM_OVER
    bb = mode == IM_BEDBLOCK
    sim = mode == IM_SIMILAR
    ind = mode == IM_INDUCED
    chemo = mode == IM_CHEMO
    serious = np.isin(kind, ["s", "u", "c"])
    mid0 = begn - begn % DAY

    def tday(s, d, lo=8.0, hi=10.5):
        tt = mid0[s] + d * DAY + (rng.uniform(lo, hi, len(s)) * HOUR).astype(np.int64)
        lo_t = begn[s] + 300 + rng.integers(0, 5400, len(s))
        return np.clip(np.maximum(tt, lo_t), begn[s] + 120, endt[s] - 120)

    # day expansion over billed nights
    nbill = np.where(both, nights + 1, nb)
    s_all = np.repeat(np.arange(n), nbill)
    d_all = _cumcount(s_all)
    # ---- bed ----
    bed_it = np.where(rng.random(n) < 0.2, IK["bed2"], IK["bed3"])
    m = ~fixed[s_all] & ~agg[s_all]
    s, d = s_all[m], d_all[m]
    LB.add(vi=idx[s], t=tday(s, d, 0.2, 1.0), item=bed_it[s], cnt=1, pric=price_of(I, bed_it[s], inst[s]))
    sa = np.where(~fixed & agg)[0]
    LB.add(
        vi=idx[sa], t=endt[sa] - 900, item=bed_it[sa], cnt=nbill[sa], pric=price_of(I, bed_it[sa], inst[sa])
    )
    so = np.repeat(np.where(over)[0], rng.integers(2, 5, over.sum()))
    do = (rng.random(len(so)) * nb[so]).astype(np.int64)
    LB.add(vi=idx[so], t=tday(so, do, 11, 16), item=bed_it[so], cnt=1, pric=price_of(I, bed_it[so], inst[so]))
    # ---- nursing and daily ward-round fee ----
    m = ~fixed[s_all]
    s, d = s_all[m], d_all[m]
    lvl = np.where(
        bb[s] | (ind[s] & (d > 0)),
        IK["nur_3"],
        np.where(serious[s] & (d < 3), IK["nur_1"], np.where(kind[s] == "m", IK["nur_3"], IK["nur_2"])),
    )
    lvl = np.where(over[s] & (d < np.maximum(nb[s] // 2, 1)), IK["nur_s"], lvl)
    LB.add(vi=idx[s], t=tday(s, d, 7, 9), item=lvl, cnt=1, pric=price_of(I, lvl, inst[s]))
    od = over[s] & (rng.random(len(s)) < 0.4)
    LB.add(
        vi=idx[s[od]],
        t=tday(s[od], d[od], 15, 18),
        item=IK["nur_2"],
        cnt=1,
        pric=price_of(I, np.full(od.sum(), IK["nur_2"]), inst[s[od]]),
    )
    dz = m & ~(bb[s_all] & (d_all % 2 == 1)) & (d_all < nb[s_all])
    s, d = s_all[dz], d_all[dz]
    LB.add(
        vi=idx[s],
        t=tday(s, d, 8, 10),
        item=IK["dz_ip"],
        cnt=1,
        pric=price_of(I, np.full(len(s), IK["dz_ip"]), inst[s]),
    )
    # ---- labs ----
    lab_days = [(np.ones(n, bool), 0), (serious & (nb > 4), 3), (nb > 6, -1)]
    for cond, dday in lab_days:
        s = np.where(cond & ~fixed)[0]
        d = np.where(dday < 0, nb[s] - 1, np.minimum(dday, nb[s] - 1))
        keys = ["cbc"] if dday != 0 else ["cbc", "ua", "bchem"]
        for k in keys:
            if k == "bchem":
                s2 = s[~sim[s] | True]
                LB.add(
                    vi=idx[s2],
                    t=tday(s2, d, 6, 8),
                    item=IK["bchem"],
                    cnt=1,
                    pric=price_of(I, np.full(len(s2), IK["bchem"]), inst[s2]),
                )
                so = s[over[s]]
                comps = ["alt", "ast", "tbil", "crea", "urea", "glu", "tc", "tg"]
                rep = np.repeat(so, len(comps))
                it = np.tile([IK[c] for c in comps], len(so))
                LB.add(vi=idx[rep], t=tday(rep, 0, 6, 8), item=it, cnt=1, pric=price_of(I, it, inst[rep]))
            else:
                LB.add(
                    vi=idx[s],
                    t=tday(s, d, 6, 8),
                    item=IK[k],
                    cnt=1,
                    pric=price_of(I, np.full(len(s), IK[k]), inst[s]),
                )
        if dday == 0:
            it = _pick(rng, LAB, cat[s])
            ok = (it >= 0) & (it != IK["bchem"]) & (it != IK["cbc"])
            LB.add(
                vi=idx[s[ok]],
                t=tday(s[ok], 0, 6, 8),
                item=it[ok],
                cnt=1,
                pric=price_of(I, it[ok], inst[s[ok]]),
            )
            su = s[np.isin(kind[s], ["u", "o"])]
            LB.add(
                vi=idx[su],
                t=tday(su, 0, 6, 8),
                item=IK["coag"],
                cnt=1,
                pric=price_of(I, np.full(len(su), IK["coag"]), inst[su]),
            )
    # ---- exams ----
    s = np.where(~fixed)[0]
    it = _pick(rng, EXAM, cat[s])
    ok = it >= 0
    LB.add(
        vi=idx[s[ok]],
        t=tday(s[ok], np.minimum(1, nb[s[ok]] - 1), 9, 16),
        item=it[ok],
        cnt=1,
        pric=price_of(I, it[ok], inst[s[ok]]),
    )
    se = s[rng.random(len(s)) < 0.8]
    LB.add(
        vi=idx[se],
        t=tday(se, 0, 9, 16),
        item=IK["ecg"],
        cnt=1,
        pric=price_of(I, np.full(len(se), IK["ecg"]), inst[se]),
    )
    si = np.where(ind | sim)[0]
    for k in ["ct_h", "us_n", "us_h", "holt", "us_a"]:
        s2 = si[
            (rng.random(len(si)) < (0.9 if k in ("ct_h", "us_n") else 0.6))
            & (~sim[si] | np.isin(k, ["ct_h"]))
        ]
        LB.add(
            vi=idx[s2],
            t=tday(s2, np.minimum(1, nb[s2] - 1), 9, 16),
            item=IK[k],
            cnt=1,
            pric=price_of(I, np.full(len(s2), IK[k]), inst[s2]),
        )
    # ---- ward drugs: daily split doses, one box code on several lines ----
    ipg = DX_IPG[dx].copy()
    ipg[ind] = GI["ip_mild"]
    ipg[chemo] = GI["ip_chemo"]
    k = np.select([bb, ind, chemo, sim, fixed], [1, rng.integers(3, 5, n), 2, 0, 0], rng.integers(2, 5, n))
    k = np.minimum(k, G_SIZE[ipg])
    rep = np.repeat(np.arange(n), k)
    kk = _cumcount(rep)
    base = rng.integers(0, 1 << 30, n)
    item = G_ITEMS[G_START[ipg[rep]] + (base[rep] + kk) % G_SIZE[ipg[rep]]]
    # chemo: the cytotoxic only on day 1
    cyto = np.isin(item, [IK["pacl"], IK["oxal"]])
    inj = np.array([("注射" in IT_NAME[i]) or ("注射液" in IT_NAME[i]) for i in range(NI)])[item]
    dur = np.where(inj, np.minimum(nb[rep], rng.integers(5, 9, len(rep))), nb[rep])
    dur = np.where(bb[rep], np.minimum(nb[rep], 2), dur)
    dur = np.where(cyto, 1, dur)
    dur = np.maximum(dur, 1)
    start = np.where(cyto, np.minimum(1, nb[rep] - 1), 0)
    dpd = IT_DPD[item].astype(np.int64)
    dbl = over[rep] & (kk == 0)
    dpd = np.where(dbl, dpd * 2, dpd)
    upb = IT_UPB[item].astype(np.int64)
    nbox = np.ceil(dur * dpd / upb).astype(np.int64) + 1
    bstart = SER.alloc(nbox)
    # expand to days
    r2 = np.repeat(np.arange(len(rep)), dur)
    j = _cumcount(r2)
    cum = j * dpd[r2]
    fb = cum // upb[r2]
    lb = (cum + dpd[r2] - 1) // upb[r2]
    s = rep[r2]
    it = item[r2]
    LB.add(
        vi=idx[s],
        t=tday(s, start[r2] + j, 8, 20),
        item=it,
        cnt=dpd[r2],
        pric=price_of(I, it, inst[s], unit=True),
        trdn=1,
        code_s=bstart[r2] + fb,
        code_n=lb - fb + 1,
    )
    # carrier fluid, infusion fees and sets on infusion days
    ivd = np.zeros(len(rep), dtype=bool) | inj
    r3 = r2[ivd[r2]]
    # number of infusion drugs per stay-day
    key = rep[r3] * 1000 + (start[r3] + _cumcount(r2)[ivd[r2]])
    uk, cntk = np.unique(key, return_counts=True)
    s = uk // 1000
    d = uk % 1000
    LB.add(
        vi=idx[s],
        t=tday(s, d, 8.5, 10),
        item=np.where(over[s], IK["m_ivflt"], IK["m_ivset"]),
        cnt=1,
        pric=price_of(I, np.where(over[s], IK["m_ivflt"], IK["m_ivset"]), inst[s]),
    )
    LB.add(
        vi=idx[s],
        t=tday(s, d, 8.5, 10),
        item=IK["ivf1"],
        cnt=np.where(over[s], cntk, 1),
        pric=price_of(I, np.full(len(s), IK["ivf1"]), inst[s]),
    )
    m2 = (cntk > 1) & ~over[s]
    LB.add(
        vi=idx[s[m2]],
        t=tday(s[m2], d[m2], 8.5, 10),
        item=IK["ivf2"],
        cnt=cntk[m2] - 1,
        pric=price_of(I, np.full(m2.sum(), IK["ivf2"]), inst[s[m2]]),
    )
    nsb = SER.alloc(cntk)
    LB.add(
        vi=idx[s],
        t=tday(s, d, 8.5, 10),
        item=IK["ns"],
        cnt=cntk,
        pric=price_of(I, np.full(len(s), IK["ns"]), inst[s], unit=True),
        trdn=1,
        code_s=nsb,
        code_n=cntk,
    )

    # ---- treatments ----
    def daily(cond, key, cnt_lo=1, cnt_hi=2, maxd=None, p=1.0):
        ss = np.where(cond)[0]
        dd = nb[ss] if maxd is None else np.minimum(nb[ss], maxd)
        r = np.repeat(ss, dd)
        jj = _cumcount(r)
        keep = rng.random(len(r)) < p
        r, jj = r[keep], jj[keep]
        LB.add(
            vi=idx[r],
            t=tday(r, jj, 9, 17),
            item=IK[key],
            cnt=rng.integers(cnt_lo, cnt_hi, len(r)),
            pric=price_of(I, np.full(len(r), IK[key]), inst[r]),
        )

    resp_like = np.isin(cat, ["resp_ip", "kid_ip", "cardio", "copd"]) | (dx == DXI["J44.100"])
    daily(resp_like & serious & ~fixed, "o2", 8, 24, maxd=5)
    daily(np.isin(cat, ["resp_ip", "copd", "kid_ip"]) & ~fixed, "neb", 1, 3, maxd=6)
    daily((np.isin(cat, ["pain", "neuro_m", "ortho"]) | ind) & ~bb & ~fixed & ~sim, "midf", 1, 2, p=0.8)
    daily((np.isin(cat, ["pain", "neuro_m"]) | ind) & ~bb & ~fixed & ~sim, "acup", 1, 2, p=0.6)
    daily(ind, "fumi", 1, 2, p=0.8)
    daily(dx == DXI["I69.300"], "rehb", 1, 3)
    daily(dx == DXI["I69.300"], "acup", 1, 2, p=0.7)
    daily(np.isin(kind, ["u"]) & ~fixed, "dress", 1, 2, maxd=4, p=0.5)
    s = np.where(chemo)[0]
    LB.add(
        vi=idx[s],
        t=tday(s, np.minimum(1, nb[s] - 1), 9, 11),
        item=IK["chemo_p"],
        cnt=1,
        pric=price_of(I, np.full(len(s), IK["chemo_p"]), inst[s]),
    )
    # ---- surgery ----
    s = np.where((DX_SX[dx] >= 0) & ~fixed & np.isin(kind, ["u", "o"]))[0]
    s = s[(dx[s] != DXI["N40.x00"]) | (rng.random(len(s)) < 0.6)]
    dd = np.minimum(np.where(dx[s] == DXI["K35.800"], 0, 1), nb[s] - 1)
    for arr in (DX_SX, DX_AN, DX_MAT):
        it = arr[dx[s]]
        ok = it >= 0
        LB.add(
            vi=idx[s[ok]],
            t=tday(s[ok], dd[ok], 9, 15),
            item=it[ok],
            cnt=1,
            pric=price_of(I, it[ok], inst[s[ok]]),
        )
    ms = SER.alloc(np.ones(len(s)))
    LB.add(
        vi=idx[s],
        t=tday(s, dd, 9, 15),
        item=IK["m_cath"],
        cnt=1,
        pric=price_of(I, np.full(len(s), IK["m_cath"]), inst[s]),
    )
    # ---- fixed-price single-disease package ----
    s = np.where(fixed)[0]
    pk = np.where(dx[s] == DXI["H25.900"], IK["pkg_cat"], IK["pkg_del"])
    LB.add(
        vi=idx[s], t=tday(s, np.minimum(1, nb[s] - 1), 9, 15), item=pk, cnt=1, pric=price_of(I, pk, inst[s])
    )
    for k in ("cbc", "ua"):
        LB.add(
            vi=idx[s],
            t=tday(s, 0, 7, 9),
            item=IK[k],
            cnt=1,
            pric=price_of(I, np.full(len(s), IK[k]), inst[s]),
        )
    # ---- heating in winter (丙) ----
    mo = MONTH[np.clip((begn - T0) // DAY, 0, NDAYS - 1)]
    s = np.where(np.isin(mo, [5, 6, 7]) & np.isin(tier, [T_TOWN, T_PRIV]) & ~fixed & (rng.random(n) < 0.5))[0]
    LB.add(
        vi=idx[s],
        t=endt[s] - 1200,
        item=IK["heat"],
        cnt=nb[s],
        pric=price_of(I, np.full(len(s), IK["heat"]), inst[s]),
    )
    # ---- discharge drugs (whole boxes) ----
    s = np.where(~fixed & ~bb & ~chemo & (rng.random(n) < 0.55) & ~sim)[0]
    nd = rng.integers(1, 3, len(s))
    rep = np.repeat(s, nd)
    g = DX_OPG[dx[rep]]
    it = G_ITEMS[G_START[g] + (rng.integers(0, 1 << 30, len(rep))) % G_SIZE[g]]
    days = rng.choice([7, 7, 14], len(rep))
    boxes = np.maximum(1, np.ceil(days / IT_DAYS[it]).astype(np.int64))
    cs = SER.alloc(boxes)
    LB.add(
        vi=idx[rep],
        t=endt[rep] - rng.integers(1800, 7200, len(rep)),
        item=it,
        cnt=boxes,
        pric=price_of(I, it, inst[rep]),
        trdn=0,
        prd=days,
        code_s=cs,
        code_n=boxes,
    )


def balance_similar(V, W, I, rng, LB, SER, idx):
    """Top up the target-amount stays with daily 丹参注射液 doses so that the fund pays ~the target."""
    if len(idx) == 0:
        return
    Lf = LB.frame()
    pos = np.full(len(V["psn"]), -1)
    pos[idx] = np.arange(len(idx))
    sel = pos[Lf["vi"]] >= 0
    amt = np.round(Lf["cnt"][sel] * Lf["pric"][sel], 2)
    lv = IT_LV[Lf["item"][sel]]
    k = pos[Lf["vi"][sel]]
    tot = np.bincount(k, amt, len(idx))
    own = np.bincount(k, amt * (lv == 2), len(idx))
    yi = np.bincount(k, amt * (lv == 1), len(idx))
    elig = tot - own - 0.1 * yi
    inst = V["inst"][idx]
    psn = V["psn"][idx]
    D, r = policy(
        np.full(len(idx), MT21),
        I["tier"].to_numpy()[inst],
        W.emp[psn],
        W.idet_k[psn],
        np.zeros(len(idx), bool),
    )
    need = (V["target"][idx] / r + D - elig) / 0.9
    up = price_of(I, np.full(len(idx), IK["dans"]), inst, unit=True)
    units = np.maximum(0, np.round(need / up)).astype(np.int64)
    begn, endt = V["begn"][idx], V["endt"][idx]
    nb = np.maximum(endt // DAY - begn // DAY, 1)
    per = units // nb
    rem = units - per * nb
    r2 = np.repeat(np.arange(len(idx)), nb)
    j = _cumcount(r2)
    c = per[r2] + (j < rem[r2])
    ok = c > 0
    r2, j, c = r2[ok], j[ok], c[ok]
    bs = SER.alloc(np.ceil(units / 10).astype(np.int64) + 2)
    cum = np.zeros(len(r2), dtype=np.int64)
    # cumulative units before the day, per stay
    cc = np.cumsum(c)
    first = np.r_[0, np.where(np.diff(r2) != 0)[0] + 1]
    starts = np.repeat(cc[first] - c[first], np.diff(np.r_[first, len(r2)]))
    cum = cc - c - starts
    fb = cum // 10
    lb = (cum + c - 1) // 10
    mid0 = begn - begn % DAY
    t = np.clip(
        mid0[r2] + j * DAY + 10 * HOUR + rng.integers(0, 3600, len(r2)), begn[r2] + 300, endt[r2] - 300
    )
    LB.add(
        vi=idx[r2], t=t, item=IK["dans"], cnt=c, pric=up[r2], trdn=1, code_s=bs[r2] + fb, code_n=lb - fb + 1
    )


# --------------------------------------------------------------------------------------------------
# trace-code coverage and second-phase sales that reuse codes
# --------------------------------------------------------------------------------------------------
def apply_coverage(V, I, rng, Lf):
    itier = I["tier"].to_numpy()
    inst = V["inst"]
    mo = MONTH[np.clip((V["begn"] - T0) // DAY, 0, NDAYS - 1)] / 11.0
    tier = itier[inst]
    p = np.select(
        [tier == T_PHARM, tier == T_VILLAGE], [0.30 + 0.62 * mo, 0.05 + 0.25 * mo], 0.15 + 0.70 * mo
    )
    cov = (rng.random(len(inst)) < p) & ~I["no_codes"].to_numpy()[inst]
    cov |= V["prof"] == P_SWIPE  # swiped sales carry codes only where the faker made them up
    keep = cov[Lf["vi"]] & (Lf["code_s"] >= 0) & ~IT_HERB[Lf["item"]]
    Lf["code_n"] = np.where(keep, Lf["code_n"], 0)
    return Lf


def phase2_sales(V, Lf, W, I, rng, L):
    """Sales that reuse earlier box codes: fraudulent resale, and legitimate look-alikes."""
    itier = I["tier"].to_numpy()
    N = W.N
    s = min(1.0, N / 100000.0)
    vi = Lf["vi"]
    whole = (Lf["code_n"] > 0) & (Lf["trdn"] == 0) & IT_DRUG[Lf["item"]]
    single = V["smode"][vi] == S_ONE
    tag = V["tag"][vi]
    newV = VisitBuf()
    newL = []
    nv0 = len(V["psn"])
    counter = [nv0]

    def new_sale(psn, inst, t, tagname):
        k = len(psn)
        newV.add(
            psn=psn,
            inst=inst,
            mt=MT41,
            begn=t,
            endt=t + rng.integers(40, 200, k),
            dx=DXI["J06.900"],
            prof=P_EXPL,
            smode=S_ONE,
            tagname=tagname,
            prio=1,
            dxnull=True,
        )
        ids = np.arange(counter[0], counter[0] + k)
        counter[0] += k
        return ids

    def add_lines(vids, src, t, cnt, code_s, code_n, trdn, inst):
        it = Lf["item"][src]
        newL.append(
            dict(
                vi=vids,
                t=t + 30,
                item=it,
                cnt=cnt.astype(float),
                pric=price_of(I, it, inst),
                trdn=trdn.astype(np.int8),
                prd=np.where(trdn == 1, -1, np.minimum(90, cnt.astype(np.int64) * IT_DAYS[it])),
                code_s=code_s,
                code_n=code_n,
                freq=IT_FREQ[it],
            )
        )

    # --- fraudulent resale at the resale pharmacies ---
    src_all = np.where(whole & single & (Lf["t"] < T1 - 12 * DAY) & (Lf["t"] >= T0 + 90 * DAY))[0]
    over_src = src_all[tag[src_all] == tag_id("f_overstock")]
    hv = np.isin(
        Lf["item"][src_all],
        [
            IK[k]
            for k in [
                "butp",
                "sema",
                "clop",
                "budg",
                "degl",
                "rosu",
                "acar",
                "tiot",
                "nxt",
                "isos",
                "bail",
                "jins",
            ]
        ],
    )
    other_src = src_all[hv & (tag[src_all] != tag_id("f_overstock"))]
    used = set()
    n_resale = 0
    for ph in W.resale_ph:
        n = max(15, int(rng.integers(70, 130) * s))
        cty = I.at[ph, "county"]
        cust_pool = np.where((W.county == cty) & (W.age >= 20))[0]
        for _ in range(n):
            pool = over_src if (rng.random() < 0.75 and len(over_src)) else other_src
            if not len(pool):
                pool = src_all
            j = int(pool[rng.integers(len(pool))])
            if j in used:
                continue
            used.add(j)
            m = int(min(Lf["code_n"][j], rng.integers(1, 4)))
            off = int(rng.integers(0, Lf["code_n"][j] - m + 1))
            t = Lf["t"][j] + int(rng.integers(3, 60)) * DAY + tod(rng, "ph", 1)[0] - Lf["t"][j] % DAY
            if t >= T1 - 2 * DAY:
                continue
            cust = cust_pool[rng.integers(len(cust_pool))]
            v = new_sale(np.array([cust]), ph, np.array([t]), "f_resale")
            add_lines(
                v,
                np.array([j]),
                np.array([t]),
                np.array([m]),
                np.array([Lf["code_s"][j] + off]),
                np.array([m]),
                np.array([0]),
                np.array([ph]),
            )
            n_resale += 1
    W.n_resale = n_resale
    # --- look-alike: a refunded (cancelled) box returned to stock and sold again at the same pharmacy ---
    canc = np.where(
        whole
        & (V["smode"][vi] == S_REFUND_ONLY)
        & (tag != tag_id("f_cashout"))
        & (itier[V["inst"][vi]] == T_PHARM)
        & (Lf["t"] < T1 - 25 * DAY)
    )[0]
    if len(canc):
        t = Lf["t"][canc] + rng.integers(1, 20, len(canc)) * DAY
        t = t - t % DAY + tod(rng, "ph", len(canc))
        inst = V["inst"][vi[canc]]
        cust = rng.integers(0, N, len(canc))
        v = new_sale(cust, inst, t, "lk_refund_resold")
        add_lines(
            v,
            canc,
            t,
            Lf["cnt"][canc],
            Lf["code_s"][canc],
            Lf["code_n"][canc],
            np.zeros(len(canc), int),
            inst,
        )
    # --- look-alike: pharmacy split-box sales (half box to one customer, the rest to another) ---
    cand = np.where(
        whole
        & single
        & (Lf["code_n"] == 1)
        & (Lf["cnt"] == 1)
        & (IT_UPB[Lf["item"]] >= 10)
        & (itier[V["inst"][vi]] == T_PHARM)
        & (Lf["t"] < T1 - 15 * DAY)
        & (tag == 0)
    )[0]
    cand = cand[rng.random(len(cand)) < 0.012]
    Lf["trdn"][cand] = 1
    Lf["cnt"][cand] = 0.5
    Lf["prd"][cand] = np.maximum(1, Lf["prd"][cand] // 2)
    t = Lf["t"][cand] + rng.integers(0, 10, len(cand)) * DAY + rng.integers(600, 4 * HOUR, len(cand))
    inst = V["inst"][vi[cand]]
    cust = rng.integers(0, N, len(cand))
    v = new_sale(cust, inst, t, "lk_split_box")
    add_lines(
        v,
        cand,
        t,
        np.full(len(cand), 0.5),
        Lf["code_s"][cand],
        np.ones(len(cand), np.int64),
        np.ones(len(cand), int),
        inst,
    )
    if newV.parts:
        V = concat_visits(V, newV.frame())
        Ln = {k: np.concatenate([d[k] for d in newL]).astype(LCOLS[k]) for k in LCOLS}
        Lf = {k: np.concatenate([Lf[k], Ln[k]]) for k in LCOLS}
    return V, Lf


# --------------------------------------------------------------------------------------------------
# settlements (with refunds, re-settlements, mid-stay settlements)
# --------------------------------------------------------------------------------------------------
def build_settlements(V, Lf, W, I, rng):
    itier = I["tier"].to_numpy()
    nv = len(V["psn"])
    sm = V["smode"]
    tag = V["tag"]
    mt = V["mt"]
    # visit-level settlement times
    u = rng.random(nv)
    delay = np.select(
        [mt == MT21, mt == MT41],
        [rng.integers(600, 3 * HOUR, nv), rng.integers(0, 60, nv)],
        rng.integers(60, 480, nv),
    )
    nextday = (tag == tag_id("lk_death_inhosp")) & (u < 0.3)
    delay = np.where(nextday, rng.integers(14 * HOUR, 30 * HOUR, nv), delay)
    tA = V["endt"] + delay
    dR = np.select(
        [tag == tag_id("f_cashout"), sm == S_REFUND_ONLY, sm == S_DOUBLESCAN, mt == MT21],
        [
            rng.integers(600, 2 * DAY, nv),
            rng.integers(120, 2400, nv),
            rng.integers(120, 1200, nv),
            rng.integers(HOUR, 5 * DAY, nv),
        ],
        rng.integers(300, 3 * DAY, nv),
    )
    tR = tA + dR
    late = dR > 4 * HOUR  # refunds handled days later happen in office hours
    tR = np.where(late, tR - tR % DAY + (rng.uniform(8.5, 17.5, nv) * HOUR).astype(np.int64), tR)
    tR = np.where(late & (tR < tA + 600), tR + DAY, tR)
    tB = tR + rng.integers(60, 3600, nv)
    tA, tR, tB = [np.minimum(x, T1 - 30) for x in (tA, tR, tB)]
    # ---- line roles ----
    vi = Lf["vi"]
    n = len(vi)
    lsm = sm[vi]
    part = np.zeros(n, dtype=np.int64)
    ye = lsm == S_YEAREND
    part[ye] = (Lf["t"][ye] >= YEAR_CUT).astype(np.int64)
    mo = lsm == S_MONTHLY
    part[mo] = np.maximum(0, (Lf["t"][mo] - V["begn"][vi[mo]]) // (30 * DAY))
    # make part indices contiguous within a visit (0..k-1)
    key = vi * 16 + part
    o = np.lexsort((part, vi))
    ks = key[o]
    newp = np.zeros(n, dtype=np.int64)
    chg = np.r_[True, ks[1:] != ks[:-1]]
    vis_chg = np.r_[True, vi[o][1:] != vi[o][:-1]]
    c = np.cumsum(chg)
    vstart = np.maximum.accumulate(np.where(vis_chg, c, 0))
    newp[o] = c - vstart
    part = newp
    nparts = np.zeros(nv, dtype=np.int64)
    np.maximum.at(nparts, vi, part + 1)
    role = np.zeros(n, dtype=np.int8)
    dup = np.zeros(n, dtype=bool)
    L = {k: v for k, v in Lf.items()}
    L["part"] = part
    L["role"] = role
    L["dup"] = dup
    # double scans: one drug line scanned twice
    ds = np.where((lsm == S_DOUBLESCAN) & IT_DRUG[Lf["item"]])[0]
    _, firsts = np.unique(vi[ds], return_index=True)
    ds = ds[firsts]
    add = {k: v[ds].copy() for k, v in L.items()}
    add["dup"][:] = True
    add["t"] = add["t"] + rng.integers(2, 20, len(ds))
    L = {k: np.concatenate([L[k], add[k]]) for k in L}
    # refunds: negated copies of the original lines
    rr = np.where(np.isin(sm[L["vi"]], [S_REFUND_RESETTLE, S_REFUND_ONLY, S_DOUBLESCAN]))[0]
    R = {k: v[rr].copy() for k, v in L.items()}
    R["role"][:] = 1
    R["cnt"] = -R["cnt"]
    R["t"] = tR[R["vi"]]
    # re-settlements
    bb = np.where(np.isin(sm[L["vi"]], [S_REFUND_RESETTLE, S_DOUBLESCAN]) & ~L["dup"])[0]
    B = {k: v[bb].copy() for k, v in L.items()}
    B["role"][:] = 2
    # wrong item removed (one line dropped) or price corrected (10% lower) for refund-resettle visits
    bvi = B["vi"]
    rs = sm[bvi] == S_REFUND_RESETTLE
    cnt_per = np.bincount(bvi, minlength=nv)
    first_idx = np.full(nv, -1)
    order = np.argsort(bvi, kind="stable")
    starts = np.r_[0, np.where(np.diff(bvi[order]) != 0)[0] + 1]
    first_idx[bvi[order][starts]] = order[starts]
    drop = np.zeros(len(bvi), dtype=bool)
    multi = rs & (cnt_per[bvi] > 1) & (np.arange(len(bvi)) == first_idx[bvi])
    lastline = rs & (cnt_per[bvi] == 1)
    drop[multi & (rng.random(len(bvi)) < 0.6)] = True
    B["pric"] = np.where(lastline | (multi & ~drop), np.round(B["pric"] * 0.9, 2), B["pric"])
    B = {k: v[~drop] for k, v in B.items()}
    L = {k: np.concatenate([L[k], R[k], B[k]]) for k in L}
    # ---- settlement keys ----
    skey = L["vi"] * 64 + L["role"].astype(np.int64) * 16 + L["part"]
    ukey, sidx = np.unique(skey, return_inverse=True)
    ns = len(ukey)
    s_vi = ukey // 64
    s_role = (ukey % 64) // 16
    s_part = ukey % 16
    last = s_part == nparts[s_vi] - 1
    yeb = YEAR_CUT - rng.integers(300, 3000, ns)
    mob = V["begn"][s_vi] + (s_part + 1) * 30 * DAY - rng.integers(HOUR, 5 * HOUR, ns)
    smv = sm[s_vi]
    st = np.select(
        [s_role == 1, s_role == 2, (smv == S_YEAREND) & ~last, (smv == S_MONTHLY) & ~last],
        [tR[s_vi], tB[s_vi], yeb, mob],
        tA[s_vi],
    )
    # keep line times at or before their settlement for A/B parts
    L["t"] = np.minimum(L["t"], st[sidx] - 5)
    L["t"] = np.where(L["role"] == 1, st[sidx] - 2, L["t"])
    # ---- amounts ----
    amt = np.round(L["cnt"] * L["pric"], 2)
    lv = IT_LV[L["item"]]
    tot = np.round(np.bincount(sidx, amt, ns), 2)
    own = np.round(np.bincount(sidx, amt * (lv == 2), ns), 2)
    yi = np.bincount(sidx, amt * (lv == 1), ns)
    psn = V["psn"][s_vi]
    inst = V["inst"][s_vi]
    smt = V["mt"][s_vi]
    emp = W.emp[psn]
    idk = W.idet_k[psn]
    D, r = policy(smt, itier[inst], emp, idk, I["pooled"].to_numpy()[inst])
    D = np.where((s_part == 0), D, 0.0)
    elig = np.maximum(0, tot - own - 0.1 * yi)
    hifp = np.round(np.maximum(0, elig - D) * r, 2)
    rest = tot - hifp - own
    dab = np.where((smt == MT21) & ~emp, np.round(0.5 * np.maximum(0, rest - 15000), 2), 0)
    jz_rate = np.select([idk == 1, idk == 2, idk == 3], [0.9, 0.7, 0.5], 0)
    jz = np.where(np.isin(smt, [MT21, MT14]), np.round(jz_rate * np.maximum(0, rest - dab), 2), 0)
    fund = np.round(hifp + dab + jz, 2)
    rem = np.round(tot - fund, 2)
    u = rng.random(ns)
    acct = np.select(
        [emp & (smt == MT41), emp & (smt != MT21), emp & (smt == MT21)],
        [
            np.where(u < 0.92, rem, 0),
            np.where(u < 0.85, rem, 0),
            np.where(u < 0.3, np.minimum(rem, np.round(rng.uniform(0, 2000, ns), 2)), 0),
        ],
        0,
    )
    acct = np.round(np.maximum(acct, 0), 2)
    cash = np.round(tot - fund - acct, 2)
    tot, own, hifp, fund, acct, cash = [x + 0.0 for x in (tot, own, hifp, fund, acct, cash)]
    # refunds reverse the original settlement exactly
    amap = {k: i for i, k in enumerate(ukey)}
    ridx = np.where(s_role == 1)[0]
    orig = np.array([amap[k] for k in (s_vi[ridx] * 64 + s_part[ridx])], dtype=np.int64)
    for arr in (tot, own, hifp, fund, acct, cash):
        arr[ridx] = -arr[orig] + 0.0  # (+0.0: no negative zeros)
    S = dict(
        vi=s_vi,
        role=s_role,
        part=s_part,
        t=st,
        tot=tot,
        own=own,
        hifp=hifp,
        fund=fund,
        acct=acct,
        cash=cash,
        psn=psn,
        inst=inst,
        mt=smt,
    )
    L["sidx"] = sidx
    L["amt"] = np.where(L["role"] == 1, -np.abs(amt), amt) + 0.0
    L["cnt"] = L["cnt"] + 0.0
    return S, L


# --------------------------------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------------------------------
def to_dt(sec):
    return pd.to_datetime(np.asarray(sec, dtype=np.int64), unit="s")


def yymmdd(sec):
    d = pd.to_datetime(np.asarray(sec, dtype=np.int64) // DAY, unit="D")
    return ((d.year % 100) * 10000 + d.month * 100 + d.day).to_numpy().astype(np.int64)


def make_ids(prefix6, sec, seq, width):
    num = yymmdd(sec) * (10**width) + seq
    return np.char.add(np.asarray(prefix6, dtype="<U6"), np.char.zfill(num.astype(str), 6 + width)).astype(
        object
    )


def write_csv(df, path, bom):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    df.to_csv(
        path, index=False, encoding="utf-8-sig" if bom else "utf-8", float_format="%.2f", lineterminator="\n"
    )


def _scramble(x, m, bits, key):
    """Keyed bijection of [0, m) (xorshift-multiply rounds on 2**bits with cycle walking)."""
    mask = np.uint64((1 << bits) - 1)
    mul = np.uint64(key | 1)
    x = np.asarray(x, dtype=np.uint64) % np.uint64(m)
    todo = np.ones(len(x), dtype=bool)
    while todo.any():
        y = x[todo]
        for r in range(3):
            y = (y * mul) & mask
            y = y ^ (y >> np.uint64(bits // 2 + r))
            y = (y + np.uint64(key >> (r + 3))) & mask
        x[todo] = y
        todo = x >= np.uint64(m)
    return x.astype(np.int64)


def codes_to_str(item, s, n):
    """Comma-separated traceability codes for lines (20-digit 码上放心, or GS1 for imported drugs)."""
    out = np.full(len(item), None, dtype=object)
    has = np.where(n > 0)[0]
    if not len(has):
        return out
    for k in np.unique(n[has]):
        sel = has[n[has] == k]
        acc = None
        for j in range(int(k)):
            ser = s[sel] + j
            imp = IT_IMP[item[sel]]
            dom = _scramble(ser, 10**13, 44, 0x5DEECE66D)
            gs = _scramble(ser, 10**10, 34, 0x2545F491)
            cd = np.where(
                imp,
                np.char.add(
                    np.char.add(np.char.add("01", IT_PFX[item[sel]].astype(str)), "21"),
                    np.char.zfill(gs.astype(str), 10),
                ),
                np.char.add(IT_PFX[item[sel]].astype(str), np.char.zfill(dom.astype(str), 13)),
            )
            acc = cd if acc is None else np.char.add(np.char.add(acc, ","), cd)
        out[sel] = acc.astype(object)
    return out


def write_all(out, W, I, V, S, L, Lb, rng):
    itier = I["tier"].to_numpy()
    icode = I["code"].to_numpy().astype(object)
    iadm = I["admdvs"].to_numpy().astype(object)
    files = {}

    def bom_for(table, k):
        return (crc(table) + k) % 3 == 0

    # ---- psn ----
    brdy = pd.to_datetime(W.brdy // DAY, unit="D")
    P = pd.DataFrame(
        dict(
            psn_no=W.psn_no,
            certno=W.certno,
            psn_name=W.name,
            gend=W.sex.astype(str),
            brdy=brdy,
            insutype=W.insutype,
            psn_type=W.psn_type,
            psn_idet_type=W.idet,
            insuplc_admdvs=W.insuplc,
            live_addr=W.live_addr,
        )
    )
    P = P.iloc[rng.permutation(len(P))]
    chunk = 30000
    for k, st in enumerate(range(0, len(P), chunk)):
        write_csv(P.iloc[st : st + chunk], os.path.join(out, "psn", "part-%05d.csv" % k), bom_for("psn", k))
    files["psn"] = len(P)
    # ---- fixmedins ----
    F = pd.DataFrame(
        dict(
            fixmedins_code=icode,
            fixmedins_name=I["name"],
            fixmedins_type=I["type"],
            hosp_lv=I["lv"],
            ownership=I["own"],
            fix_blng_admdvs=iadm,
        )
    )
    write_csv(F, os.path.join(out, "fixmedins", "part-00000.csv"), True)
    files["fixmedins"] = len(F)
    # ---- mdtrt ----
    nv = len(V["psn"])
    vseq = (np.arange(nv, dtype=np.int64) * 7 + 1234567) % 10**8
    mid = make_ids(iadm[V["inst"]], V["begn"], vseq, 8)
    dept = DX_DEPT[V["dx"]].astype(object)
    tier = itier[V["inst"]]
    dept = np.where(np.isin(tier, [T_VILLAGE, T_TOWN]) & (rng.random(nv) < 0.7), "A02", dept)
    dept = np.where(V["dept_kid"] & np.isin(tier, [T_COUNTY, T_TERT, T_PRIV, T_OUT]), "A07", dept)
    dept = np.where(V["mt"] == MT13, "A20", dept)
    dept = np.where(V["mt"] == MT41, None, dept).astype(object)
    doc_no = I["doc_base"].to_numpy()[V["inst"]] + (rng.random(nv) * I["ndoc"].to_numpy()[V["inst"]]).astype(
        np.int64
    )
    doc = np.char.add(
        np.char.add("D", iadm[V["inst"]].astype("<U6")), np.char.zfill((doc_no + 10001).astype(str), 6)
    )
    doc = doc.astype(object)
    doc[(V["mt"] == MT41) | (rng.random(nv) < 0.03)] = None
    dcode = DX_CODE[V["dx"]].astype(object)
    dname = DX_NAME[V["dx"]].astype(object)
    dcode[V["dxnull"]] = None
    dname[V["dxnull"] | (rng.random(nv) < 0.05)] = None
    ipt = np.where(V["mt"] == MT21, np.char.add("ZY", np.char.zfill((vseq % 10**7).astype(str), 7)), None)
    M = pd.DataFrame(
        dict(
            mdtrt_id=mid,
            psn_no=W.psn_no[V["psn"]],
            fixmedins_code=icode[V["inst"]],
            med_type=MT_CODES[V["mt"]],
            begntime=to_dt(V["begn"]),
            endtime=to_dt(V["endt"]),
            dise_codg=dcode,
            dise_name=dname,
            adm_dept_codg=dept,
            atddr_no=doc,
            ipt_otp_no=ipt,
        )
    )
    mon = (
        pd.to_datetime(V["begn"], unit="s").to_numpy().astype("datetime64[M]") - np.datetime64("2024-06", "M")
    ).astype(int)
    files["mdtrt"] = _write_monthly(out, "mdtrt", M, mon, rng, bom_for)
    # ---- setl ----
    ns = len(S["vi"])
    sseq = (np.arange(ns, dtype=np.int64) * 3 + 7777) % 10**9
    order = np.argsort(S["t"], kind="stable")
    sseq_o = np.empty(ns, dtype=np.int64)
    sseq_o[order] = sseq
    sid = make_ids(iadm[S["inst"]], S["t"], sseq_o, 9)
    ins = W.insutype[S["psn"]].astype(object)
    ins[rng.random(ns) < 0.05] = None
    acct = S["acct"].astype(object)
    res_null = (~W.emp[S["psn"]]) & (rng.random(ns) < 0.3)
    acct[res_null] = None
    own = S["own"].astype(object)
    own[rng.random(ns) < 0.02] = None
    T = pd.DataFrame(
        dict(
            setl_id=sid,
            mdtrt_id=mid[S["vi"]],
            psn_no=W.psn_no[S["psn"]],
            fixmedins_code=icode[S["inst"]],
            med_type=MT_CODES[S["mt"]],
            setl_time=to_dt(S["t"]),
            medfee_sumamt=S["tot"],
            fulamt_ownpay_amt=own,
            hifp_pay=S["hifp"],
            fund_pay_sumamt=S["fund"],
            acct_pay=acct,
            psn_cash_pay=S["cash"],
            insutype=ins,
            refd_setl_flag=np.where(S["role"] == 1, "1", "0"),
            medins_setl_id=np.char.add("JS", np.char.zfill(sseq_o.astype(str), 10)),
        )
    )
    for c in ("fulamt_ownpay_amt", "acct_pay"):
        T[c] = pd.to_numeric(T[c])
    mon = (
        pd.to_datetime(S["t"], unit="s").to_numpy().astype("datetime64[M]") - np.datetime64("2024-06", "M")
    ).astype(int)
    files["setl"] = _write_monthly(out, "setl", T, mon, rng, bom_for, rename_months={7, 8, 9})
    # ---- fee_list (written month by month to bound memory) ----
    nl = len(L["vi"])
    lmon = (
        pd.to_datetime(L["t"], unit="s").to_numpy().astype("datetime64[M]") - np.datetime64("2024-06", "M")
    ).astype(int)
    lord = np.argsort(L["t"], kind="stable")
    lseq = np.empty(nl, dtype=np.int64)
    lseq[lord] = (np.arange(nl, dtype=np.int64) * 11 + 12345) % 10**10
    lv_num = I["lv_num"].to_numpy()
    no_codes = I["no_codes"].to_numpy()
    setl_null = I["setl_null"].to_numpy()
    total = 0
    prev_tail = None
    part = 0
    for m in np.unique(lmon):
        sel = np.where(lmon == m)[0]
        vi = L["vi"][sel]
        it = L["item"][sel]
        inst = V["inst"][vi]
        lvs = IT_LV[it]
        lvtxt = np.where(
            lv_num[inst], np.array(["1", "2", "3"])[lvs], np.array(["甲", "乙", "丙"])[lvs]
        ).astype(object)
        lvtxt[rng.random(len(sel)) < 0.02] = None
        drug = IT_DRUG[it]
        trdn = np.where(drug & (L["trdn"][sel] >= 0), L["trdn"][sel].astype(str), None).astype(object)
        trdn[drug & no_codes[inst]] = None
        prd = pd.array(np.where(L["prd"][sel] >= 0, L["prd"][sel], 0), dtype="Int64")
        prd[L["prd"][sel] < 0] = pd.NA
        freq = np.array(FREQS, dtype=object)[np.maximum(L["freq"][sel], 0)]
        freq[(L["freq"][sel] <= 0) | ~drug] = None
        sidv = sid[L["sidx"][sel]].copy()
        sidv[setl_null[inst] & (V["smode"][vi] == S_ONE)] = None
        bilg = doc[vi]
        name = IT_NAME[it].copy()
        name[rng.random(len(sel)) < 0.02] = None
        D = pd.DataFrame(
            dict(
                feedetl_sn=make_ids(iadm[inst], L["t"][sel], lseq[sel], 10),
                mdtrt_id=mid[vi],
                setl_id=sidv,
                fee_ocur_time=to_dt(L["t"][sel]),
                med_list_codg=IT_CODE[it],
                hilist_name=name,
                med_chrgitm_type=IT_CHRG[it],
                chrgitm_lv=lvtxt,
                cnt=L["cnt"][sel],
                pric=L["pric"][sel],
                det_item_fee_sumamt=L["amt"][sel],
                prd_days=prd,
                used_frqu_dscr=freq,
                bilg_dr_codg=bilg,
                drug_trac_codg=codes_to_str(it, L["code_s"][sel], L["code_n"][sel]),
                trdn_flag=trdn,
            )
        )
        if prev_tail is not None and len(prev_tail):
            D = pd.concat([D, prev_tail], ignore_index=True)  # re-sent rows of the previous delivery
        write_csv(D, os.path.join(out, "fee_list", "part-%05d.csv" % part), bom_for("fee_list", part))
        total += len(D)
        part += 1
        prev_tail = D.iloc[np.where(rng.random(len(D)) < 0.004)[0]]
        del D
    files["fee_list"] = total
    # ---- opsp_reg ----
    rows = []
    names = {
        "htn": ("I10.x00", "高血压"),
        "dm": ("E11.900", "糖尿病"),
        "chd": ("I25.103", "冠心病"),
        "copd": ("J44.900", "慢性阻塞性肺疾病"),
        "stroke": ("I69.300", "脑卒中后遗症"),
        "psych": ("F20.900", "精神分裂症"),
        "ckd": ("N18.500", "尿毒症透析"),
        "cancer": ("C97.x00", "恶性肿瘤门诊治疗"),
    }
    for nm, (code, cname) in names.items():
        ppl = np.where(W.reg[nm])[0]
        bd = T0 - rng.integers(20, 2000, len(ppl)) * DAY
        ed = np.full(len(ppl), -1)
        if nm == "cancer":
            code_arr = DX_CODE[W.cancer_site[ppl]]
            ed = bd + 365 * DAY
            renew = ed < T1
            r_ppl = ppl[renew]
            rows.append(
                pd.DataFrame(
                    dict(
                        psn_no=W.psn_no[r_ppl],
                        opsp_dise_code=code_arr[renew],
                        opsp_dise_name=cname,
                        begndate=pd.to_datetime(ed[renew] // DAY + 1, unit="D"),
                        enddate=pd.to_datetime(ed[renew] // DAY + 366, unit="D"),
                    )
                )
            )
        else:
            code_arr = np.full(len(ppl), code)
        rows.append(
            pd.DataFrame(
                dict(
                    psn_no=W.psn_no[ppl],
                    opsp_dise_code=code_arr,
                    opsp_dise_name=cname,
                    begndate=pd.to_datetime(bd // DAY, unit="D"),
                    enddate=pd.to_datetime(np.where(ed >= 0, ed // DAY, -3650), unit="D"),
                )
            )
        )
    R = pd.concat(rows, ignore_index=True)
    R.loc[R["enddate"] < pd.Timestamp("1980-01-01"), "enddate"] = pd.NaT
    R.loc[rng.random(len(R)) < 0.05, "opsp_dise_name"] = None
    half = len(R) // 2
    write_csv(R.iloc[:half], os.path.join(out, "opsp_reg", "part-00000.csv"), False)
    write_csv(R.iloc[half:], os.path.join(out, "opsp_reg", "part-00001.csv"), True)
    files["opsp_reg"] = len(R)
    # ---- psn_death ----
    dd = np.where(W.death >= 0)[0]
    Dd = pd.DataFrame(
        dict(
            psn_no=W.psn_no[dd],
            death_date=pd.to_datetime(W.death[dd] // DAY, unit="D"),
            source=rng.choice(["民政", "公安", "卫健"], len(dd), p=[0.5, 0.35, 0.15]),
        )
    )
    write_csv(Dd, os.path.join(out, "psn_death", "part-00000.csv"), False)
    files["psn_death"] = len(Dd)
    return files


def _write_monthly(out, table, df, mon, rng, bom_for, rename_months=()):
    total = 0
    prev_tail = None
    for k, m in enumerate(np.unique(mon)):
        D = df.iloc[np.where(mon == m)[0]]
        if prev_tail is not None and len(prev_tail):
            D = pd.concat([D, prev_tail], ignore_index=True)
        if m in rename_months and "psn_cash_pay" in D.columns:
            D = D.rename(columns={"psn_cash_pay": "cash_payamt"})
        write_csv(D, os.path.join(out, table, "part-%05d.csv" % k), bom_for(table, k))
        total += len(D)
        prev_tail = df.iloc[np.where(mon == m)[0]]
        prev_tail = prev_tail.iloc[np.where(rng.random(len(prev_tail)) < 0.005)[0]]
    return total


# --------------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------------
def generate(out, n_persons, seed, verbose=True):
    t0 = time.time()
    rng = np.random.default_rng(seed)

    def log(msg):
        if verbose:
            print("[%6.1fs] %s" % (time.time() - t0, msg), file=sys.stderr, flush=True)

    W = make_persons(rng, n_persons)
    add_health(W, rng)
    I = make_insts(W, rng)
    assign_prefs(W, I, rng)
    log("persons %d, institutions %d" % (W.N, len(I)))
    VB = VisitBuf()
    gen_background(W, I, rng, VB)
    gen_lookalikes(W, I, rng, VB)
    Lab = Labels()
    inject_fraud(W, I, rng, VB, Lab)
    V = VB.frame()
    del VB
    V = finalize_visits(W, I, rng, V)
    log("visits %d" % len(V["psn"]))
    LB = LineBuf()
    SER = Serial()
    prof = V["prof"]
    lines_outpatient(V, W, I, rng, LB, SER, np.where(np.isin(prof, [P_OP, P_ER, P_CD, P_DIAL]))[0])
    drug_lines(V, W, I, rng, LB, SER, np.where(prof == P_PH)[0])
    lines_swipe(V, W, I, rng, LB, SER, np.where(prof == P_SWIPE)[0])
    lines_inpatient(V, W, I, rng, LB, SER, np.where(prof == P_IP)[0])
    balance_similar(V, W, I, rng, LB, SER, np.where((prof == P_IP) & (V["ipmode"] == IM_SIMILAR))[0])
    Lf = LB.frame()
    del LB
    # visits without any line (should not happen) get a consultation fee
    has = np.zeros(len(V["psn"]), dtype=bool)
    has[Lf["vi"]] = True
    assert has.all(), "visits without lines: %d" % (~has).sum()
    log("lines %d" % len(Lf["vi"]))
    Lf = apply_coverage(V, I, rng, Lf)
    V, Lf = phase2_sales(V, Lf, W, I, rng, Lab)
    S, L = build_settlements(V, Lf, W, I, rng)
    del Lf
    log("settlements %d, fee lines %d" % (len(S["vi"]), len(L["vi"])))
    files = write_all(out, W, I, V, S, L, None, rng)
    lab = pd.DataFrame(Lab.rows, columns=["entity_type", "entity_id", "fraud_type", "group_id"])
    lab.to_csv(os.path.join(out, "labels.csv"), index=False, encoding="utf-8", lineterminator="\n")
    log("written: %s" % files)
    stats = dict(
        files=files,
        labels=lab.groupby(["entity_type", "fraud_type"]).size().to_dict(),
        tags={k: int((V["tag"] == v).sum()) for k, v in PATTERN_TAGS.items()},
        n_resale=W.n_resale,
    )
    return stats


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--persons", type=int, required=True)
    ap.add_argument("--seed", type=int, default=20240701)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    stats = generate(args.out, args.persons, args.seed, verbose=not args.quiet)
    if not args.quiet:
        print("labels:", file=sys.stderr)
        for k, v in sorted(stats["labels"].items()):
            print("  %-10s %-24s %d" % (k[0], k[1], v), file=sys.stderr)
        print("visit tags:", file=sys.stderr)
        for k, v in sorted(stats["tags"].items()):
            print("  %-24s %d" % (k, v), file=sys.stderr)
        print("resale sales: %d" % stats["n_resale"], file=sys.stderr)


if __name__ == "__main__":
    main()
