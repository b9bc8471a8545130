"""Independent synthetic landing extract #3 for a 医保基金 fraud-detection pipeline (written from the public
contract and the five public supervision plans only; no project code was read).

Usage:  python independent3.py --out DIR --persons N --seed S
Writes DIR/<table>/ for every contract input table plus DIR/labels.csv
(entity_type,entity_id,fraud_type,group_id).  numpy + pandas + pyarrow, single process, ~1 min and ~3 GB
at 100k persons; everything scales linearly in N.

DATA CARD
=========
World: 黑龙江省绥化市 (Suihua, northern, cold, ageing, outward-migrating prefecture), calendar year 2025.
* 10 real county-level admdvs: 231202 北林区, 231221 望奎县, 231222 兰西县, 231223 青冈县, 231224 庆安县,
  231225 明水县, 231226 绥棱县, 231281 安达市, 231282 肇东市, 231283 海伦市; 231200 (市本级) for the four
  city-level hospitals and ~30% of 北林区 employees' insuplc_admdvs.  Real town/township names.
* Persons built household by household (old couples, empty-nest middle-aged couples, young families,
  three-generation homes, singles) with shared addresses (village 组/号 or 小区/楼/单元/室); ~0.4% live in
  敬老院/老年公寓 (shared address, many 特困供养).  Median age ~47.  ~20% 职工 (310, in-service/retired,
  personal account), ~80% 城乡居民 (390).  psn_idet_type local codes: 01 特困供养, 02 低保, 03 脱贫人口
  (more in the former poverty counties), 04 重度残疾; null otherwise.  certno: valid 18-digit ID (check
  digit, birth date = brdy, odd/even sequence = gend).  Demographics are always consistent.
* Chronic disease by age (高血压, 2型糖尿病, 冠心病, 脑梗死后遗症, COPD, 精神分裂症, 阿尔茨海默病,
  尿毒症透析, 恶性肿瘤, a few young 1型糖尿病) with a fixed personal drug regimen; 35-100% registered in
  opsp_reg (门慢门特, ICD-10-based codes, begndate 2014-2025, some enddates incl. death).
* Deaths ~1.1%/yr (age-dependent) → psn_death (民政殡葬/公安户籍注销/卫健, ~8% reported by two sources);
  ~55% preceded by a terminal stay ending on the death day; plus a few 2024 deaths not yet closed.
* Institutions (≈185 at 100k): 绥化市第一医院 (三甲 02), 市中医 (03), 市第三医院 (精神), 市妇幼, county
  人民医院 (03/05) and 中医医院 (05/06), ~40 乡镇卫生院 (08-11), community centres, ~12 民营 hospitals, a
  private rehab hospital, ~100 chain pharmacies (hosp_lv null, ~55% 门诊统筹-designated).  Codes H/P +
  admdvs + 5 digits.  Doctors D+admdvs+6.
* Activity: 普通门诊 11 (age-dependent, heterogeneous), 急诊 13, pharmacy 41 (mostly 职工 personal-account
  buys), 门慢 14 monthly refills (25% of stable patients on 84-day 长处方), dialysis 14 (2-3×/week),
  inpatient 21 (~21 per 100 persons incl. chemo cycles; winter peak; LOS by category; daily bed/nursing/
  查房/IV/oral/treatment lines, admission and repeat labs, surgery day, discharge drugs), deliveries 52
  (with newborn items on the mother's record) and prenatal 51, rehab (21 days), psychiatric (20-90 days),
  chemo every ~21 days, admissions in Dec 2024 settled in Jan 2025, outpatient infusion courses (3-7
  consecutive daily visits), Spring-Festival/National-Day dips, weekend dips.
* Prices: 2025 northern-province levels (集采 drug prices, 三级/二级/一级 service price tiers).  Settlement:
  起付线 per level (second stay halved), 居民 85/75/60% by level, 职工 90/88/85% (+5% retired), 大病 over
  15 000, 医疗救助 for 特困/低保/脱贫, 居民门诊统筹 60% at 基层 capped at 400/yr, 职工门诊统筹 with 200 起付
  and 3000/4000 cap, 门慢 65-85% with annual caps, 乙类 10% 先行自付, 丙类 = fulamt_ownpay_amt.
  medfee_sumamt = fund_pay_sumamt + acct_pay + cash_payamt on every row; hifp_pay ≤ fund_pay_sumamt.
  Amounts are on the lean side (三甲 stay ≈ 4.5k, county ≈ 2.5k, 卫生院 ≈ 1.6k yuan).
* Refunds (refd_setl_flag 1, all amounts negative, negative-cnt fee lines, new setl_id, same mdtrt_id):
  legit full reversals minutes later, partial returns of one drug/test (fund/account reversed
  proportionally; a returned box may be re-sold later with the same trace code), inpatient 撤销结算 +
  re-settlement with a corrected bill.
* Re-sent rows: every row of visits begun 2025-03-10..16 plus ~0.2% random visits are delivered again
  (identical keys/content) in *_resend_20260108.parquet; psn has an overlapping incremental CSV.
* Trace codes: 20-digit 码上放心 codes starting with 8 (28-char GS1 for imported drugs); adoption date per
  institution (pharmacies earlier), so coverage rises through 2025; inpatient doses are 拆零 (trdn_flag 1)
  and one box code legitimately repeats over several days/lines.
* Occasional nulls: dise_name, atddr_no, hilist_name, chrgitm_lv, setl_id on fee lines, insutype,
  fulamt_ownpay_amt, psn_type, live_addr.

Formats: psn / fixmedins / opsp_reg / psn_death as UTF-8-with-BOM CSV (dates YYYY-MM-DD); mdtrt / setl /
fee_list as monthly zstd parquet (timestamp[us] naive local time, decimal128(16,2) amounts and cnt, int32
prd_days, all codes as strings).  setl uses the 5203 alias `cash_payamt` (contract: accept either name)
and carries the extra column medins_setl_id; mdtrt carries the extra column ipt_otp_no.

FRAUD (labelled; counts at --persons 100000 --seed 2027; everything else is unlabelled)
----------------------------------------------------------------------------------------
Institutions (16 of 185 = 8.6%):
* 挂床住院 ×2 (民营 p=.55, 卫生院 p=.25 of eligible stays extended 5-15 days, plus ~60 extra 15-32-day stays
  of local elderly): after day 2 only bed/nursing/查房 (+ occasional oral dose); half of these patients
  also show up at a pharmacy/clinic elsewhere during the stay.
* 分解住院 ×2 (county 中医院 45%, 民营 30% of eligible stays): discharge then readmission same day (35%),
  1-3 days (50%) or 4-10 days later, same diagnosis, sometimes split into three.
* 诱导住院 ×2 (民营, 车接车送): ~10 batches each of 5-12 elderly from one village (特困/低保/脱贫 3× more
  likely) admitted the same morning, fixed LOS ±1, one shared treatment template → near-identical bills.
  The induced patients themselves are not labelled.
* 重复收费 ×1 (county hospital): the same charge line (bed/nursing/查房, an outpatient test) billed twice
  with the same timestamp on ~25% of inpatient days, ~15% of outpatient visits.
* 串换项目 ×2 (卫生院, 中医院/民营): 集采氨氯地平→络活喜, 普通针刺→电针, 小换药→大换药, DR→CT, 血糖→糖化,
  中频→运动疗法, 颈动脉彩超→心脏彩超, 加组输液→首组 (p≈.35-.65 per occurrence).
* 过度检查 ×1 (民营二级): package of CT head+chest, 腹部/心脏/颈动脉彩超, Holter, 肿瘤标志物, 甲功, 乙肝,
  BNP (+MRI) for almost every admission and most outpatient visits.
* 虚构门诊 ×1 (卫生院): ~110 villagers each get 5-10 fabricated Tue/Thu afternoon visits by one doctor,
  minutes apart, with two cheap drugs.
* 药店串换刷卡套现 ×3: 35% of OTC baskets booked as high-value insured drugs (安宫牛黄丸, 复方丹参, 六味地黄,
  钙片, 多维元素 …); hub for part of the 个人账户套现 persons (evening swipes).
* 药品追溯码重复销售 ×2: 35% of boxes of resale-prone drugs carry a code already sold — either to a
  超量开药 patient at a hospital (回流药) or earlier by the same pharmacy — with no refund in between.
Persons (1064 = 1.06%):
* 同进同出 50 in 10 rings (group_id TJTC01-10) of 3-8 villagers, 3-6 joint admissions/yr at 1-2 hospitals
  (30% at an 诱导 hospital); odd rings are subtle (admission/discharge ±1 day).
* 团伙骗保 25 in 3 gangs (GANG01-03) of 6-10 people from different counties, sub-groups of 3-5 admitted
  together, rotating among 4 hospitals in 4 counties.
* 频繁住院 59: 5-11 short mild-diagnosis stays at 2-4 hospitals.
* 频繁就诊 150: 40-90 (30%: 25-35) outpatient visits at 2-5 institutions, high-value drugs each time.
* 超量开药倒卖药品 200: registered 门慢 patients refilling every 7-15 days (40% subtle: 18-23 days) with
  30-day supplies plus two extra resale-prone drugs (insulin, 氯吡格雷, 丁苯酞, 舒利迭, 司美格鲁肽 …).
* 个人账户套现 200: 职工 buying high-value baskets 8-23×/yr paid by the personal account, 40% in the evening,
  60% at a 刷卡套现 pharmacy, some December draining.
* 冒名就医 120: cards of healthy 18-50-year-olds used (by a same-sex older relative when one exists) for
  chronic-disease visits and elderly-type admissions (脑梗死, COPD, 冠心病 …).
* 诊疗与性别年龄不符 80: male records with 妇科彩超/TCT/HPV/阴道片/黄体酮, female records with PSA/前列腺彩超/
  坦索罗辛/非那雄胺, children with 多奈哌齐/丁苯酞 (diagnosis sometimes matching the item, sometimes not).
* 死亡后结算 40: after a 2024 or 2025 death, 2-10 monthly pharmacy/门慢 settlements 8-45 days apart.
* 退费套现 60: 4-10 purchases each followed (1 h-3 d) by a refund that returns the whole amount (or the
  biggest line) as cash while fund and account are not reversed.
* 门慢超范围用药 80: 50-100% of their 门慢 visits also dispense 感冒/胃/抗生素/安宫牛黄丸/维生素 items.

LOOK-ALIKES (legitimate, unlabelled) for each pattern
------------------------------------------------------
* 同进同出/团伙: household CO-poisoning admissions in winter (~51 stays), road-accident families (~13),
  nursing-home pneumonia outbreaks (~99 stays, same day ±2), elderly couples admitted together (~48),
  induced-hospital batch patients (victims).
* 分解住院/频繁住院: unplanned readmissions 2-20 days later (7% of elderly medical stays), same-day
  transfers to the city hospital, chemo cycles every ~21 days, frequent-exacerbation COPD/HF elderly,
  nursing-home residents' higher admission rate, psychiatric and rehab stays.
* 挂床: long rehab (12-30 days, daily therapy), psychiatric stays, pharmacy purchases by relatives on a
  patient's card during any stay (naturally random).
* 频繁就诊: outpatient infusion courses (3-7 consecutive days), dialysis 2-3×/week, multimorbid elderly.
* 超量开药: 84-day 长处方, early refills (±3-4 days), two-pharmacy users, parents' purchases made at a 北林
  pharmacy where the child lives.
* 个人账户套现/药店套现: ordinary 职工 spending their account at pharmacies (92% of their non-inpatient
  settlements use the account), high-volume pharmacies.
* 冒名/年龄不符: genuine young 1型糖尿病 patients on insulin; newborn nursing/hearing/screening items on the
  mother's delivery record; males with 男性乳房发育 (N62.x01) getting breast ultrasound.
* 死亡后结算: in-hospital deaths settled 0-3 days after the death date.
* 退费: ~4 000 legit refunds (full reversal, partial return, 撤销+重新结算) with fund/account reversed.
* 追溯码: 拆零 inpatient/infusion lines repeat one box code; returned unopened boxes re-sold after a refund.
* 重复收费: legit multi-line same-day items (several IV groups, repeated labs), re-sent identical rows.
* 过度检查: 三甲 stroke/cardiac work-ups with CT/MRI/彩超/Holter.
"""

import argparse
import bisect
import math
import os
import random
import sys
import time
import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

DAY = 86400
BASE = dt.datetime(2025, 1, 1)
NDAYS = 365

# =====================================================================  geography: 黑龙江省绥化市
COUNTIES = [
    # admdvs, name, short, weight, urban share, towns (first = county seat), communities
    (
        "231202",
        "北林区",
        "北林",
        0.21,
        0.58,
        "北林街道 秦家镇 双河镇 三河镇 四方台镇 津河镇 张维镇 东津镇 西长发镇 永安镇 太平川镇 宝山镇 兴福镇",
    ),
    (
        "231221",
        "望奎县",
        "望奎",
        0.07,
        0.30,
        "望奎镇 通江镇 卫星镇 海丰镇 恭六镇 东郊镇 惠七镇 先锋镇 火箭镇 莲花镇 灵山乡 厢白乡",
    ),
    (
        "231222",
        "兰西县",
        "兰西",
        0.07,
        0.28,
        "兰西镇 榆林镇 临江镇 平山镇 红光镇 远大镇 康荣镇 燎原镇 北安乡 长岗乡 长江乡 奋斗乡",
    ),
    (
        "231223",
        "青冈县",
        "青冈",
        0.07,
        0.28,
        "青冈镇 中和镇 祯祥镇 永丰镇 芦河镇 民政镇 柞岗镇 劳动镇 兴华镇 德胜镇 昌盛乡 连丰乡",
    ),
    (
        "231224",
        "庆安县",
        "庆安",
        0.07,
        0.33,
        "庆安镇 民乐镇 大罗镇 平安镇 勤劳镇 久胜镇 丰收乡 发展乡 致富乡 建民乡 欢胜乡 同乐乡",
    ),
    (
        "231225",
        "明水县",
        "明水",
        0.05,
        0.30,
        "明水镇 兴仁镇 永兴镇 崇德镇 通达镇 双兴镇 永久乡 树人乡 光荣乡 繁荣乡 通泉乡 育林乡",
    ),
    (
        "231226",
        "绥棱县",
        "绥棱",
        0.06,
        0.35,
        "绥棱镇 上集镇 四海店镇 双岔河镇 阁山镇 长山乡 靠山乡 后头乡 克音河乡 泥尔河乡 绥中乡",
    ),
    (
        "231281",
        "安达市",
        "安达",
        0.11,
        0.45,
        "新兴街道 任民镇 万宝山镇 昌德镇 升平镇 羊草镇 老虎岗镇 中本镇 太平庄镇 吉星岗镇 卧里屯乡 先源乡",
    ),
    (
        "231282",
        "肇东市",
        "肇东",
        0.17,
        0.42,
        "正阳街道 昌五镇 宋站镇 五站镇 尚家镇 姜家镇 里木店镇 四站镇 涝洲镇 五里明镇 黎明镇 西八里镇",
    ),
    (
        "231283",
        "海伦市",
        "海伦",
        0.12,
        0.32,
        "海伦镇 海北镇 伦河镇 共合镇 海兴镇 祥富镇 东风镇 百祥镇 向荣镇 永富镇 长发镇 联发镇",
    ),
]
CITY_ADMDVS = "231200"
COMMUNITIES = (
    "站前社区 新华社区 胜利社区 东城社区 西城社区 南城社区 北城社区 铁西社区 光明社区 工农社区".split()
)
XIAOQU = "阳光小区 富民小区 幸福家园 锦绣华城 龙江花园 粮库小区 物资小区 铁路小区 电业小区 教师小区 建设小区 金地花园 御景园 东方明珠小区".split()
VILLAGES = (
    "前进村 红旗村 新发村 永胜村 东升村 太平村 长山村 富强村 新华村 光明村 民主村 胜利村 双井村 兴隆村 三合村 "
    "四合村 福山村 团结村 和平村 丰收村 跃进村 东风村 向阳村 新立村 保安村 永丰村 长发村 德胜村 永兴村 红星村"
).split()
SURN = (
    "王 李 张 刘 赵 孙 杨 于 高 马 陈 徐 郭 吴 周 朱 宋 曹 姜 崔 董 冯 韩 田 吕 孟 丁 郑 许 何 梁 石 贾 秦 付 "
    "邢 范 白 唐 彭 袁 潘 蔡 邵 曲 隋 房 单 谷 鞠"
).split()
SURN_W = [1.0 / (k + 4) for k in range(len(SURN))]
GIVEN = {
    (
        "old",
        "1",
    ): "振国 建国 国庆 德福 长海 庆山 福林 永贵 玉林 春生 宝山 志刚 树林 凤山 广才 文斌 占军 洪武 长青 明山 金财 立新 跃进 卫东 殿臣".split(),
    (
        "old",
        "2",
    ): "桂兰 淑珍 玉珍 秀英 凤芝 桂芝 淑华 玉兰 秀兰 凤霞 淑芬 丽华 桂荣 玉芹 秀云 翠兰 春兰 淑琴 艳华 素芬 凤琴".split(),
    (
        "mid",
        "1",
    ): "海涛 志强 建军 立伟 国栋 伟 强 军 磊 刚 勇 斌 鹏 涛 东 宏伟 晓东 永刚 海波 春雷 铁军 明 亮 大鹏".split(),
    (
        "mid",
        "2",
    ): "丽 艳 静 红 敏 丽丽 晓燕 海燕 春梅 秀梅 凤 娟 雪梅 冬梅 艳玲 晓红 丽娟 玉梅 慧 颖 丹".split(),
    (
        "young",
        "1",
    ): "浩然 子轩 宇航 俊杰 博文 梓豪 一鸣 天宇 浩宇 思远 明轩 子豪 嘉豪 宇轩 晨阳 铭泽 皓轩 锦程 鑫".split(),
    (
        "young",
        "2",
    ): "欣怡 子涵 雨桐 梓萱 诗涵 可欣 一诺 思琪 佳怡 梦瑶 雨欣 紫涵 语嫣 欣妍 若曦 婉清 雅琪 静怡 萌".split(),
}

# =====================================================================  catalogue
# services: key, code, name, med_chrgitm_type, lv, price (tier-3 yuan)
SERVICES = """
reg|001101000010000|挂号费|13|1|1.00
zc_op|001102000010000|普通门诊诊查费|02|1|15.00
zc_er|001102000030000|急诊诊查费|02|1|20.00
gen_op|001104000010000|一般诊疗费|12|1|10.00
zc_ip|001102000050000|住院诊查费|02|1|18.00
bed|001109000010000|普通病房床位费(三人间)|01|1|35.00
nurse1|001111000010000|Ⅰ级护理|07|1|28.00
nurse2|001111000020000|Ⅱ级护理|07|1|18.00
ivgtt|001203000040000|静脉输液(第一组)|05|1|10.00
ivgtt_add|001203000040001|静脉输液(每增加一组)|05|1|3.00
im|001203000010000|肌肉注射|05|1|3.00
neb|003104000020000|雾化吸入|05|1|12.00
o2|001204000010000|氧气吸入|05|1|30.00
hbo|004001000010000|高压氧舱治疗|05|1|120.00
dressing_s|001206000010000|换药(小)|05|1|15.00
dressing_l|001206000030000|换药(大)|05|1|45.00
acu|004701000010000|普通针刺|05|1|20.00
eacu|004701000030000|电针|05|1|40.00
tuina|004802000010000|推拿治疗(颈腰椎)|05|1|35.00
tens|003406000010000|中频脉冲电治疗|05|1|15.00
pt|004200000010000|运动疗法|05|1|45.00
ot|004200000020000|作业疗法|05|1|35.00
hd|003105000010000|血液透析|05|1|420.00
cath|001207000010000|导尿|05|1|15.00
ecg|003102000010000|常规心电图检查|03|1|20.00
holter|003102000030000|动态心电图|03|1|160.00
dr_chest|002101000010000|数字化摄影(DR)胸部正位|03|1|70.00
dr_limb|002101000020000|数字化摄影(DR)四肢|03|1|70.00
ct_head|002103000010000|颅脑CT平扫|03|1|200.00
ct_chest|002103000020000|胸部CT平扫|03|1|220.00
mri_head|002104000010000|颅脑磁共振平扫|03|1|480.00
mri_spine|002104000020000|腰椎磁共振平扫|03|1|480.00
us_abd|002201000010000|腹部彩色多普勒超声|03|1|120.00
us_heart|002202000010000|心脏彩色多普勒超声|03|1|200.00
us_carotid|002202000020000|颈动脉彩色多普勒超声|03|1|100.00
us_gyn|002201000030000|经阴道妇科彩色多普勒超声|03|1|120.00
us_prostate|002201000040000|前列腺彩色多普勒超声|03|1|80.00
us_breast|002201000050000|乳腺彩色多普勒超声|03|1|90.00
us_ob|002201000060000|产科彩色多普勒超声|03|1|150.00
gastro|003107000010000|电子胃镜检查|03|1|260.00
bmd|002105000010000|骨密度测定|03|1|80.00
pft|003103000010000|肺功能检查|03|1|120.00
cbc|002501000010000|血常规(五分类)|04|1|20.00
ua|002502000010000|尿常规|04|1|10.00
lft|002503000010000|肝功能|04|1|60.00
rft|002503000020000|肾功能|04|1|35.00
lipid|002503000030000|血脂四项|04|1|40.00
glu|002503000040000|葡萄糖测定|04|1|6.00
hba1c|002503000050000|糖化血红蛋白测定|04|1|45.00
lytes|002503000060000|电解质|04|1|30.00
coag|002502000020000|凝血四项|04|1|60.00
myo|002503000070000|心肌酶谱|04|1|65.00
crp|002504000010000|C反应蛋白测定|04|1|25.00
tumor|002505000010000|肿瘤标志物(多项)|04|2|180.00
hbv|002504000020000|乙肝五项|04|1|40.00
thyroid|002504000030000|甲状腺功能|04|2|90.00
psa|002505000020000|前列腺特异性抗原测定|04|1|60.00
hpv|002506000010000|宫颈人乳头瘤病毒检测|04|2|150.00
tct|002506000020000|宫颈液基细胞学检查|04|1|100.00
bnp|002503000080000|B型钠尿肽测定|04|2|120.00
bg_poc|002503000040001|快速血糖测定(床旁)|04|1|5.00
appy|003310000010000|阑尾切除术|06|1|900.00
lchole|003310000020000|腹腔镜胆囊切除术|06|1|1800.00
hernia|003310000030000|腹股沟疝修补术|06|1|1000.00
orif|003315000010000|股骨颈骨折闭合复位内固定术|06|1|2200.00
tka|003315000020000|人工全膝关节置换术|06|1|3500.00
phaco|003304000010000|白内障超声乳化摘除术+人工晶体植入术|06|1|1500.00
deliv_v|003311000010000|单胎顺产接生|06|1|500.00
deliv_c|003311000020000|子宫下段剖宫产术|06|1|1300.00
anes_gen|003301000010000|全身麻醉|06|1|800.00
anes_sp|003301000020000|椎管内麻醉|06|1|450.00
nb_care|001111000050000|新生儿护理|07|1|20.00
nb_hear|003110000010000|新生儿听力筛查|03|1|60.00
nb_screen|002507000010000|新生儿疾病筛查|04|1|90.00
ivset|C0310020010200001234|一次性使用输液器|08|1|3.50
cannula|C0310020020300002210|一次性使用静脉留置针|08|1|18.00
iol|C1301010010000003344|人工晶体(非球面)|08|2|1800.00
plate|C0302010050100005566|股骨近端锁定接骨板系统|08|2|6800.00
knee|C0303010010100007788|人工膝关节假体(集采)|08|2|5200.00
stapler|C0206020010300009900|一次性使用腔镜切割吻合器|08|2|2600.00
dialyzer|C1004010010100001122|一次性使用血液透析器|08|2|95.00
hd_tubing|C1004020010100003344|一次性使用血液透析管路|08|2|45.00
mesh|C0211010010000005566|疝修补补片|08|2|1200.00
pad|C1410010010000007788|医用护理垫|08|3|2.00
herb|T0000000000000000001|中药饮片(协定处方)|10|2|32.00
vipbed|001109000090000|特需病房床位费(差价)|14|3|60.00
monitor|003101000010000|心电监测(每日)|05|1|96.00
spo2|003101000020000|血氧饱和度监测(每日)|05|1|48.00
"""
# drugs: key, ATC5 or Z-class, name, chrgitm type, lv, box price, units/box, units/day, freq, imported(GS1)
DRUGS = """
amlo|C08CA|苯磺酸氨氯地平片(5mg*28片)|09|1|4.20|28|1|qd|0
amlo_b|C08CA|苯磺酸氨氯地平片(络活喜5mg*7片)|09|1|27.90|7|1|qd|1
nife|C08CA|硝苯地平控释片(30mg*12片)|09|1|33.80|12|1|qd|1
irb|C09CA|厄贝沙坦片(0.15g*28片)|09|1|9.80|28|1|qd|0
val|C09CA|缬沙坦胶囊(80mg*28粒)|09|1|12.60|28|1|qd|0
metf|A10BA|盐酸二甲双胍片(0.5g*60片)|09|1|8.40|60|3|tid|0
acarb|A10BF|阿卡波糖片(50mg*30片)|09|1|19.80|30|3|tid|0
glim|A10BB|格列美脲片(2mg*30片)|09|1|9.60|30|1|qd|0
glarg|A10AE|甘精胰岛素注射液(3ml:300单位)|09|2|78.50|1|0.067|qd|0
asp30|A10AD|门冬胰岛素30注射液(3ml:300单位)|09|2|44.80|1|0.08|bid|0
sema|A10BJ|司美格鲁肽注射液(1.34mg/ml*3ml)|09|2|409.00|1|0.028|qw|1
ator|C10AA|阿托伐他汀钙片(20mg*28片)|09|1|5.60|28|1|qn|0
rosu|C10AA|瑞舒伐他汀钙片(10mg*28片)|09|2|4.80|28|1|qn|0
aspi|B01AC|阿司匹林肠溶片(100mg*30片)|09|1|15.80|30|1|qd|1
clop|B01AC|硫酸氢氯吡格雷片(75mg*28片)|09|2|9.20|28|1|qd|0
isdn|C01DA|单硝酸异山梨酯缓释片(40mg*24片)|09|1|12.00|24|1|qd|0
meto|C07AB|琥珀酸美托洛尔缓释片(47.5mg*28片)|09|2|18.50|28|1|qd|1
furo|C03CA|呋塞米片(20mg*100片)|09|1|3.50|100|1|qd|0
spir|C03DA|螺内酯片(20mg*100片)|09|1|4.80|100|1|qd|0
nbp|N07XX|丁苯酞软胶囊(0.1g*24粒)|09|2|198.00|24|6|tid|0
tio|R03BB|噻托溴铵粉吸入剂(18μg*30粒)|09|2|152.00|30|1|qd|1
salf|R03AK|沙美特罗替卡松粉吸入剂(50/250μg*60吸)|09|2|162.00|60|2|bid|1
olz|N05AH|奥氮平片(5mg*28片)|09|1|18.60|28|2|qn|0
risp|N05AX|利培酮片(1mg*20片)|09|1|12.00|20|2|bid|0
done|N06DA|盐酸多奈哌齐片(5mg*7片)|09|2|35.00|7|1|qn|0
epo|B03XA|重组人促红素注射液(10000IU)|09|2|82.00|1|1|biw|0
lmwh|B01AB|低分子量肝素钠注射液(0.4ml:4000IU)|09|2|22.00|1|1|qd|0
caco|A12AX|碳酸钙D3片(600mg*60片)|09|2|25.00|60|1|qd|0
amox|J01CA|阿莫西林胶囊(0.25g*24粒)|09|1|6.50|24|6|tid|0
cefix|J01DD|头孢克肟分散片(0.1g*6片)|09|2|12.00|6|2|bid|0
cefur_inj|J01DC|注射用头孢呋辛钠(0.75g*10支)|09|1|45.00|10|3|tid|0
ceftr_inj|J01DD|注射用头孢曲松钠(1.0g*10支)|09|1|32.00|10|2|qd|0
levo_inj|J01MA|左氧氟沙星氯化钠注射液(0.5g:100ml)|09|1|8.50|1|1|qd|0
tzp_inj|J01CR|注射用哌拉西林钠他唑巴坦钠(4.5g*10支)|09|2|180.00|10|3|tid|0
azi|J01FA|阿奇霉素片(0.25g*6片)|09|1|9.80|6|2|qd|0
ibu|M01AE|布洛芬缓释胶囊(0.3g*20粒)|09|1|10.50|20|2|bid|0
apap|N02BE|对乙酰氨基酚片(0.5g*10片)|09|1|3.00|10|3|tid|0
omep|A02BC|奥美拉唑肠溶胶囊(20mg*14粒)|09|1|7.80|14|1|qd|0
panto_inj|A02BC|注射用泮托拉唑钠(40mg*10支)|09|2|86.00|10|1|qd|0
hydro|A02AD|铝碳酸镁咀嚼片(0.5g*20片)|09|2|19.80|20|3|tid|0
smect|A07BC|蒙脱石散(3g*10袋)|09|1|12.00|10|3|tid|0
lora|R06AX|氯雷他定片(10mg*6片)|09|2|18.00|6|1|qd|0
ambr_inj|R05CB|盐酸氨溴索注射液(2ml:15mg*10支)|09|2|35.00|10|2|bid|0
salb|R03AC|硫酸沙丁胺醇吸入气雾剂(100μg*200揿)|09|1|25.00|200|4|prn|1
bude|R03BA|吸入用布地奈德混悬液(2ml:1mg*5支)|09|2|80.00|5|2|bid|1
osel|J05AH|磷酸奥司他韦胶囊(75mg*10粒)|09|2|32.00|10|2|bid|0
ns|B05XA|氯化钠注射液(0.9%*250ml)|09|1|2.80|1|2|qd|0
gs|B05BA|葡萄糖注射液(5%*250ml)|09|1|3.00|1|1|qd|0
lido|N01BB|盐酸利多卡因注射液(5ml:0.1g)|09|1|1.50|1|1|st|0
prop|N01AX|丙泊酚中/长链脂肪乳注射液(20ml:0.2g)|09|2|35.00|1|1|st|0
oxyt|H01BB|缩宫素注射液(1ml:10单位)|09|1|4.20|1|1|st|0
cisp|L01XA|顺铂注射液(2ml:10mg)|09|1|9.50|1|1|st|0
pacl|L01CD|紫杉醇注射液(5ml:30mg)|09|2|210.00|1|1|st|0
oxal|L01XA|注射用奥沙利铂(50mg)|09|2|150.00|1|1|st|0
pem|L01BA|注射用培美曲塞二钠(0.5g)|09|2|320.00|1|1|st|0
ond|A04AA|盐酸昂丹司琼注射液(4ml:8mg)|09|2|12.00|1|1|bid|0
mecob|B03BA|甲钴胺片(0.5mg*20片)|09|2|22.00|20|3|tid|0
cele|M01AH|塞来昔布胶囊(0.2g*6粒)|09|2|4.50|6|1|qd|0
aesc_inj|C05CX|注射用七叶皂苷钠(10mg*10支)|09|2|280.00|10|1|qd|0
tams|G04CA|盐酸坦索罗辛缓释胶囊(0.2mg*10粒)|09|2|28.00|10|1|qn|0
fina|G04CB|非那雄胺片(5mg*10片)|09|1|20.00|10|1|qd|0
clot|G01AF|克霉唑阴道片(0.5g*1片)|09|1|12.00|1|1|qn|0
prog|G03DA|黄体酮注射液(1ml:20mg)|09|1|3.80|1|1|qd|0
fe|B03AA|多糖铁复合物胶囊(0.15g*10粒)|09|2|26.00|10|1|qd|0
merop|J01DH|注射用美罗培南(0.5g)|09|2|45.00|1|3|tid|0
nbp_inj|N07XX|丁苯酞氯化钠注射液(100ml:25mg)|09|2|168.00|1|2|bid|0
edar|N07XX|依达拉奉注射液(20ml:30mg)|09|2|28.00|1|2|bid|0
alb|B05AA|人血白蛋白(10g:50ml)|09|2|380.00|1|1|qd|1
aa18|B05BA|复方氨基酸注射液(18AA)(250ml)|09|2|25.00|1|1|qd|0
mvit|A11AA|多维元素片(29)(60片)|09|3|98.00|60|1|qd|0
dsdw|ZA12|复方丹参滴丸(27mg*180丸)|11|1|27.00|180|30|tid|0
xst|ZA12|注射用血塞通(冻干)(200mg)|11|2|30.00|1|1|qd|0
xstong|ZA12|注射用血栓通(冻干)(150mg)|11|2|35.00|1|1|qd|0
yxy|ZA12|银杏叶片(9.6mg*48片)|11|2|25.00|48|6|tid|0
lhqw|ZA03|连花清瘟胶囊(0.35g*24粒)|11|1|14.80|24|12|tid|0
nxt|ZA12|脑心通胶囊(0.4g*48粒)|11|2|48.00|48|6|tid|0
agnh|ZA13|安宫牛黄丸(3g*1丸)|11|2|498.00|1|1|qd|0
lwdh|ZA09|六味地黄丸(浓缩丸200丸)|11|1|18.00|200|24|tid|0
jtkl|ZA16|颈痛颗粒(4g*18袋)|11|2|38.00|18|3|tid|0
txl|ZA12|通心络胶囊(0.26g*30粒)|11|2|36.00|30|6|tid|0
smzs|ZA12|参麦注射液(20ml)|11|2|15.00|1|2|qd|0
"""

ITEMS = []  # list of dicts
IK = {}  # key -> index


def _load_catalogue():
    rnd = random.Random(7)
    for ln in SERVICES.strip().splitlines():
        k, code, name, typ, lv, price = ln.split("|")
        IK[k] = len(ITEMS)
        ITEMS.append(
            dict(
                key=k,
                code=code,
                name=name,
                typ=typ,
                lv=lv,
                price=int(round(float(price) * 100)),
                drug=False,
                per_box=1,
                per_day=1,
                freq=None,
                gs1=False,
                prod=None,
            )
        )
    for ln in DRUGS.strip().splitlines():
        k, atc, name, typ, lv, price, per_box, per_day, freq, imp = ln.split("|")
        n = len(ITEMS)
        if typ == "11":
            code = "Z%s%s%03d%s" % (
                atc[1:],
                "".join(rnd.choice("ABCDEFGH") for _ in range(2)),
                rnd.randint(1, 999),
                "%010d" % rnd.randint(0, 10**10 - 1),
            )
        else:
            code = "X%s%s%03d%s%s" % (
                atc,
                rnd.choice("ABCDEFGH"),
                rnd.randint(1, 999),
                rnd.choice("ABE"),
                "%010d" % rnd.randint(0, 10**10 - 1),
            )
        IK[k] = n
        ITEMS.append(
            dict(
                key=k,
                code=code,
                name=name,
                typ=typ,
                lv=lv,
                price=int(round(float(price) * 100)),
                drug=True,
                per_box=float(per_box),
                per_day=float(per_day),
                freq=freq,
                gs1=(imp == "1"),
                prod=("8%06d" % rnd.randint(100000, 999999))
                if imp != "1"
                else ("01%014d" % rnd.randint(10**12, 10**13 - 1)),
                unit_price=max(1, int(round(float(price) * 100 / float(per_box)))),
                serial=rnd.randint(10**7, 9 * 10**7),
            )
        )


_load_catalogue()

# diagnoses: key -> (code, name, dept)
DX = {
    "uri": ("J06.900", "急性上呼吸道感染", "A03"),
    "bronch": ("J20.900", "急性支气管炎", "A03.01"),
    "pneu": ("J18.900", "肺炎", "A03.01"),
    "gastr": ("K29.700", "慢性胃炎", "A03.02"),
    "enter": ("A09.900", "感染性胃肠炎", "A03.02"),
    "spine_l": ("M51.200", "腰椎间盘突出", "A04.03"),
    "spine_c": ("M47.800", "颈椎病", "A50"),
    "htn": ("I10.x00", "原发性高血压", "A03.04"),
    "dm": ("E11.900", "2型糖尿病", "A03.07"),
    "dm1": ("E10.900", "1型糖尿病", "A03.07"),
    "chd": ("I25.100", "冠状动脉粥样硬化性心脏病", "A03.04"),
    "copd": ("J44.900", "慢性阻塞性肺疾病", "A03.01"),
    "copd_ae": ("J44.100", "慢性阻塞性肺疾病伴急性加重", "A03.01"),
    "i69": ("I69.300", "脑梗死后遗症", "A03.03"),
    "stroke": ("I63.900", "脑梗死", "A03.03"),
    "lacunar": ("I63.800", "腔隙性脑梗死", "A03.03"),
    "hf": ("I50.900", "心力衰竭", "A03.04"),
    "bph": ("N40.x00", "前列腺增生", "A04.05"),
    "vagin": ("N76.000", "急性阴道炎", "A05.01"),
    "derm": ("L30.900", "皮炎", "A11"),
    "fever": ("R50.900", "发热", "A07"),
    "prenatal": ("Z34.900", "正常妊娠监督", "A05.02"),
    "breast": ("N62.x00", "乳腺增生", "A04.01"),
    "gyneco": ("N62.x01", "男性乳房发育", "A04.01"),
    "f20": ("F20.900", "精神分裂症", "A15"),
    "ad": ("G30.900", "阿尔茨海默病", "A03.03"),
    "ckd5": ("N18.500", "慢性肾脏病5期", "A03.06"),
    "append": ("K35.800", "急性阑尾炎", "A04.01"),
    "chole": ("K80.100", "胆囊结石伴慢性胆囊炎", "A04.01"),
    "hernia": ("K40.900", "腹股沟疝", "A04.01"),
    "hipfx": ("S72.000", "股骨颈骨折", "A04.03"),
    "tka": ("M17.000", "原发性双侧膝关节病", "A04.03"),
    "cataract": ("H25.900", "老年性白内障", "A10"),
    "deliv_v": ("O80.000", "单胎顺产", "A05.02"),
    "deliv_c": ("O82.000", "经剖宫产术的单胎分娩", "A05.02"),
    "chemo": ("Z51.100", "肿瘤化学治疗疗程", "A16"),
    "ca_lung": ("C34.900", "肺恶性肿瘤", "A16"),
    "ca_stom": ("C16.900", "胃恶性肿瘤", "A16"),
    "ca_breast": ("C50.900", "乳房恶性肿瘤", "A16"),
    "ca_colon": ("C18.900", "结肠恶性肿瘤", "A16"),
    "rehab": ("I69.300", "脑梗死后遗症", "A19"),
    "co": ("T58.x00", "一氧化碳中毒", "A03"),
    "trauma_h": ("S06.000", "脑震荡", "A04.02"),
    "trauma_r": ("S22.300", "肋骨骨折", "A04.01"),
    "trauma_t": ("S82.200", "胫骨骨干骨折", "A04.03"),
    "chest": ("R07.400", "胸痛", "A03.04"),
    "abd": ("R10.400", "腹痛", "A04.01"),
    "head_inj": ("S01.800", "头皮裂伤", "A04.01"),
}
DXKEYS = list(DX)
DXI = {k: n for n, k in enumerate(DXKEYS)}

# outpatient templates: dx -> (drug pool, n drugs range, tests [(item,p)], treatments [(item,p)])
OPT = {
    "uri": (
        ["lhqw", "amox", "cefix", "apap", "ibu", "lora", "azi"],
        (1, 2),
        [("cbc", 0.55), ("crp", 0.3)],
        [],
    ),
    "bronch": (["amox", "cefix", "azi", "lhqw"], (1, 2), [("cbc", 0.6), ("dr_chest", 0.3)], [("neb", 0.15)]),
    "pneu": (
        ["cefix", "azi"],
        (1, 2),
        [("cbc", 0.9), ("crp", 0.6), ("dr_chest", 0.6), ("ct_chest", 0.3)],
        [],
    ),
    "gastr": (["omep", "hydro"], (1, 2), [("us_abd", 0.2), ("gastro", 0.05)], []),
    "enter": (["smect", "omep"], (1, 2), [("cbc", 0.5)], []),
    "spine_l": (
        ["cele", "mecob", "ibu"],
        (1, 2),
        [("mri_spine", 0.08), ("dr_limb", 0.1)],
        [("tens", 0.4), ("acu", 0.3), ("tuina", 0.2)],
    ),
    "spine_c": (
        ["jtkl", "mecob", "cele"],
        (1, 2),
        [("dr_limb", 0.1)],
        [("tens", 0.4), ("acu", 0.35), ("tuina", 0.25)],
    ),
    "htn": (["amlo", "irb", "nife", "val"], (1, 2), [("ecg", 0.3), ("rft", 0.15), ("lipid", 0.15)], []),
    "dm": (["metf", "acarb", "glim"], (1, 2), [("glu", 0.6), ("hba1c", 0.2)], []),
    "dm1": (["glarg", "asp30"], (1, 2), [("glu", 0.6), ("hba1c", 0.3)], []),
    "chd": (["aspi", "ator", "isdn", "meto", "dsdw", "txl"], (1, 3), [("ecg", 0.5)], []),
    "copd": (["tio", "salf", "salb"], (1, 2), [("dr_chest", 0.15), ("pft", 0.05)], []),
    "i69": (["aspi", "clop", "ator", "nxt", "yxy"], (1, 3), [("ct_head", 0.04)], [("acu", 0.1)]),
    "bph": (["tams", "fina"], (1, 2), [("us_prostate", 0.35), ("psa", 0.25)], []),
    "vagin": (["clot"], (1, 1), [("us_gyn", 0.3), ("tct", 0.1)], []),
    "derm": (["lora"], (1, 1), [], []),
    "fever": (["apap", "ibu", "amox"], (1, 2), [("cbc", 0.8)], []),
    "prenatal": (["fe"], (0, 1), [("us_ob", 0.7), ("cbc", 0.5), ("ua", 0.5)], []),
    "breast": ([], (0, 0), [("us_breast", 0.9)], []),
    "gyneco": ([], (0, 0), [("us_breast", 0.95)], []),
    "f20": (["olz", "risp"], (1, 1), [], []),
    "ad": (["done"], (1, 1), [], []),
    "hf": (["furo", "spir", "meto"], (1, 3), [("bnp", 0.3), ("ecg", 0.5)], []),
    "chest": (["isdn", "aspi"], (0, 1), [("ecg", 0.95), ("myo", 0.6), ("ct_chest", 0.2)], []),
    "abd": (["omep", "smect"], (0, 1), [("us_abd", 0.7), ("cbc", 0.7)], []),
    "head_inj": (["cefix"], (0, 1), [("ct_head", 0.5)], [("dressing_s", 0.9)]),
    "trauma_h": (["ibu"], (0, 1), [("ct_head", 0.8)], []),
}

# chronic conditions: key -> (dx key, regimen pool [(drug, prob)], 门慢 registration prob)
CHRONIC = {
    "htn": (
        "htn",
        [("amlo", 0.6), ("amlo_b", 0.06), ("nife", 0.15), ("irb", 0.2), ("val", 0.12), ("meto", 0.08)],
        0.45,
    ),
    "dm": (
        "dm",
        [("metf", 0.7), ("acarb", 0.35), ("glim", 0.2), ("glarg", 0.15), ("asp30", 0.1), ("sema", 0.02)],
        0.55,
    ),
    "dm1": ("dm1", [("glarg", 1.0), ("asp30", 0.8)], 0.8),
    "chd": (
        "chd",
        [
            ("aspi", 0.6),
            ("ator", 0.6),
            ("clop", 0.25),
            ("isdn", 0.3),
            ("meto", 0.25),
            ("dsdw", 0.25),
            ("txl", 0.1),
        ],
        0.40,
    ),
    "i69": ("i69", [("aspi", 0.5), ("clop", 0.4), ("ator", 0.5), ("nxt", 0.25), ("yxy", 0.2)], 0.40),
    "copd": ("copd", [("tio", 0.5), ("salf", 0.5), ("salb", 0.3)], 0.35),
    "f20": ("f20", [("olz", 0.6), ("risp", 0.4)], 0.7),
    "ad": ("ad", [("done", 1.0)], 0.3),
    "ckd5": ("ckd5", [], 1.0),
    "ca": (None, [], 0.9),
}
CA_TYPES = [("ca_lung", 0.4), ("ca_stom", 0.25), ("ca_breast", 0.2), ("ca_colon", 0.15)]

# inpatient categories
IPC = {
    # dx, los mean, los sd, los min, nurse, tests [(item,p)], iv [(drug, units/day, p)], oral [(drug, units/day, p)],
    # treat [(item, p per day)], surgery [items], discharge [(drug, p)], fix kinds [(kind, w)]
    "pneu": dict(
        dx="pneu",
        los=(8, 3, 4),
        nurse="nurse2",
        tests=[
            ("cbc", 1),
            ("crp", 0.8),
            ("dr_chest", 0.6),
            ("ct_chest", 0.5),
            ("lft", 0.8),
            ("rft", 0.8),
            ("lytes", 0.7),
        ],
        iv=[
            ("cefur_inj", 3, 0.35),
            ("ceftr_inj", 2, 0.3),
            ("levo_inj", 1, 0.25),
            ("tzp_inj", 3, 0.15),
            ("merop", 3, 0.08),
            ("ambr_inj", 2, 0.6),
        ],
        oral=[],
        treat=[("neb", 0.5), ("o2", 0.3)],
        surg=[],
        dis=[("cefix", 0.4), ("azi", 0.2)],
        kinds="med",
    ),
    "copd": dict(
        dx="copd_ae",
        los=(10, 3, 5),
        nurse="nurse2",
        tests=[
            ("cbc", 1),
            ("crp", 0.8),
            ("dr_chest", 0.5),
            ("ct_chest", 0.4),
            ("lytes", 0.7),
            ("bnp", 0.3),
            ("pft", 0.1),
        ],
        iv=[
            ("levo_inj", 1, 0.5),
            ("tzp_inj", 3, 0.3),
            ("merop", 3, 0.1),
            ("ambr_inj", 2, 0.7),
            ("smzs", 2, 0.3),
        ],
        oral=[],
        treat=[("neb", 0.9), ("o2", 0.6)],
        surg=[],
        dis=[("tio", 0.5), ("salf", 0.4)],
        kinds="med",
    ),
    "stroke": dict(
        dx="stroke",
        los=(12, 4, 6),
        nurse="nurse1",
        tests=[
            ("ct_head", 0.9),
            ("mri_head", 0.6),
            ("us_carotid", 0.6),
            ("us_heart", 0.3),
            ("ecg", 1),
            ("cbc", 1),
            ("lft", 1),
            ("rft", 1),
            ("lipid", 1),
            ("coag", 0.8),
            ("glu", 1),
        ],
        iv=[("xst", 1, 0.5), ("xstong", 1, 0.4), ("nbp_inj", 2, 0.45), ("edar", 2, 0.3)],
        oral=[("aspi", 1, 0.8), ("clop", 1, 0.5), ("ator", 1, 0.9), ("nbp", 6, 0.25)],
        treat=[("pt", 0.35), ("acu", 0.3)],
        surg=[],
        dis=[("aspi", 0.7), ("ator", 0.8), ("clop", 0.4)],
        kinds="stroke",
    ),
    "lacunar": dict(
        dx="lacunar",
        los=(9, 3, 5),
        nurse="nurse2",
        tests=[
            ("ct_head", 0.8),
            ("cbc", 1),
            ("lft", 0.8),
            ("rft", 0.8),
            ("lipid", 0.8),
            ("glu", 0.9),
            ("ecg", 0.9),
        ],
        iv=[("xst", 1, 0.6), ("xstong", 1, 0.3)],
        oral=[("aspi", 1, 0.7), ("ator", 1, 0.7)],
        treat=[("acu", 0.3), ("tens", 0.2)],
        surg=[],
        dis=[("aspi", 0.5), ("ator", 0.5)],
        kinds="med",
    ),
    "chd": dict(
        dx="chd",
        los=(8, 3, 4),
        nurse="nurse2",
        tests=[
            ("ecg", 1),
            ("myo", 0.9),
            ("bnp", 0.4),
            ("us_heart", 0.7),
            ("holter", 0.4),
            ("cbc", 1),
            ("lipid", 0.9),
            ("lft", 0.8),
            ("rft", 0.8),
            ("coag", 0.6),
        ],
        iv=[("xstong", 1, 0.5), ("smzs", 2, 0.3)],
        oral=[("aspi", 1, 0.9), ("ator", 1, 0.9), ("isdn", 1, 0.6), ("meto", 1, 0.5), ("clop", 1, 0.4)],
        treat=[("o2", 0.2)],
        surg=[],
        dis=[("aspi", 0.7), ("ator", 0.7), ("isdn", 0.4)],
        kinds="med",
    ),
    "hf": dict(
        dx="hf",
        los=(9, 3, 5),
        nurse="nurse1",
        tests=[("bnp", 0.9), ("us_heart", 0.7), ("dr_chest", 0.7), ("lytes", 1), ("rft", 1), ("cbc", 1)],
        iv=[("smzs", 2, 0.4)],
        oral=[("furo", 1, 0.9), ("spir", 1, 0.8), ("meto", 1, 0.6)],
        treat=[("o2", 0.5)],
        surg=[],
        dis=[("furo", 0.7), ("spir", 0.6)],
        kinds="med",
    ),
    "htn": dict(
        dx="htn",
        los=(7, 2, 4),
        nurse="nurse2",
        tests=[
            ("ecg", 1),
            ("us_heart", 0.4),
            ("rft", 0.9),
            ("lipid", 0.9),
            ("lytes", 0.7),
            ("us_carotid", 0.4),
        ],
        iv=[("xst", 1, 0.6)],
        oral=[("amlo", 1, 0.6), ("irb", 1, 0.4), ("meto", 1, 0.2)],
        treat=[],
        surg=[],
        dis=[("amlo", 0.6)],
        kinds="med",
    ),
    "dm": dict(
        dx="dm",
        los=(8, 2, 4),
        nurse="nurse2",
        tests=[("hba1c", 1), ("glu", 1), ("lft", 0.9), ("rft", 0.9), ("lipid", 0.9), ("ua", 0.8)],
        iv=[("xst", 1, 0.3), ("smzs", 2, 0.2)],
        oral=[("metf", 3, 0.7), ("acarb", 3, 0.4), ("asp30", 0.08, 0.5)],
        treat=[("bg_poc", 1.0)],
        surg=[],
        dis=[("metf", 0.6), ("glarg", 0.3)],
        kinds="med",
    ),
    "gastritis": dict(
        dx="gastr",
        los=(6, 2, 3),
        nurse="nurse2",
        tests=[("cbc", 1), ("lft", 0.7), ("us_abd", 0.8), ("gastro", 0.5)],
        iv=[("panto_inj", 1, 0.8)],
        oral=[("hydro", 3, 0.4)],
        treat=[],
        surg=[],
        dis=[("omep", 0.6)],
        kinds="med",
    ),
    "spine": dict(
        dx="spine_l",
        los=(12, 4, 6),
        nurse="nurse2",
        tests=[("mri_spine", 0.5), ("dr_limb", 0.4), ("cbc", 0.9)],
        iv=[("aesc_inj", 1, 0.5)],
        oral=[("mecob", 3, 0.6), ("cele", 1, 0.5)],
        treat=[("acu", 0.8), ("tuina", 0.6), ("tens", 0.8)],
        surg=[],
        dis=[("mecob", 0.4)],
        kinds="spine",
    ),
    "append": dict(
        dx="append",
        los=(6, 1, 4),
        nurse="nurse1",
        tests=[("cbc", 1), ("crp", 0.8), ("us_abd", 0.9), ("coag", 1), ("ecg", 1)],
        iv=[("cefur_inj", 3, 0.6), ("ceftr_inj", 2, 0.4)],
        oral=[],
        treat=[("dressing_s", 0.6)],
        surg=["appy", "anes_gen", "cannula", "prop"],
        dis=[],
        kinds="surg",
    ),
    "chole": dict(
        dx="chole",
        los=(7, 2, 4),
        nurse="nurse1",
        tests=[("cbc", 1), ("lft", 1), ("us_abd", 1), ("coag", 1), ("ecg", 1), ("ct_chest", 0.3)],
        iv=[("cefur_inj", 3, 0.7)],
        oral=[],
        treat=[("dressing_s", 0.6)],
        surg=["lchole", "anes_gen", "stapler", "cannula", "prop"],
        dis=[],
        kinds="surg",
    ),
    "hernia": dict(
        dx="hernia",
        los=(5, 1, 3),
        nurse="nurse2",
        tests=[("cbc", 1), ("coag", 1), ("ecg", 1), ("us_abd", 0.5)],
        iv=[("cefur_inj", 2, 0.5)],
        oral=[],
        treat=[("dressing_s", 0.5)],
        surg=["hernia", "anes_sp", "mesh", "cannula"],
        dis=[],
        kinds="surg",
    ),
    "hipfx": dict(
        dx="hipfx",
        los=(14, 4, 8),
        nurse="nurse1",
        tests=[
            ("dr_limb", 1),
            ("ct_chest", 0.5),
            ("cbc", 1),
            ("coag", 1),
            ("ecg", 1),
            ("lft", 1),
            ("rft", 1),
        ],
        iv=[("cefur_inj", 2, 0.7)],
        oral=[("caco", 1, 0.5)],
        treat=[("dressing_l", 0.15), ("pt", 0.3)],
        surg=["orif", "anes_sp", "plate", "cannula"],
        dis=[("caco", 0.5)],
        kinds="ortho",
        inj=[("lmwh", 1, 0.9)],
    ),
    "tka": dict(
        dx="tka",
        los=(12, 3, 8),
        nurse="nurse1",
        tests=[("dr_limb", 1), ("cbc", 1), ("coag", 1), ("ecg", 1), ("lft", 1), ("rft", 1)],
        iv=[("cefur_inj", 2, 0.7)],
        oral=[("cele", 1, 0.8)],
        treat=[("pt", 0.6), ("dressing_l", 0.1)],
        surg=["tka", "anes_gen", "knee", "cannula", "prop"],
        dis=[("cele", 0.6)],
        kinds="ortho",
        inj=[("lmwh", 1, 0.9)],
    ),
    "cataract": dict(
        dx="cataract",
        los=(3, 1, 2),
        nurse="nurse2",
        tests=[("cbc", 1), ("coag", 0.8), ("ecg", 1), ("glu", 1)],
        iv=[],
        oral=[],
        treat=[],
        surg=["phaco", "iol", "lido"],
        dis=[],
        kinds="eye",
    ),
    "deliv_v": dict(
        dx="deliv_v",
        los=(3, 1, 2),
        nurse="nurse2",
        tests=[("cbc", 1), ("coag", 1), ("us_ob", 0.8), ("hbv", 0.6)],
        iv=[("oxyt", 1, 0.8)],
        oral=[],
        treat=[],
        surg=["deliv_v"],
        dis=[("fe", 0.3)],
        kinds="deliv",
        newborn=True,
    ),
    "deliv_c": dict(
        dx="deliv_c",
        los=(6, 1, 4),
        nurse="nurse1",
        tests=[("cbc", 1), ("coag", 1), ("us_ob", 0.9), ("hbv", 0.6), ("ecg", 1)],
        iv=[("cefur_inj", 2, 0.8), ("oxyt", 1, 0.9)],
        oral=[],
        treat=[("cath", 0.9)],
        surg=["deliv_c", "anes_sp", "cannula"],
        dis=[("fe", 0.3)],
        kinds="deliv",
        newborn=True,
    ),
    "chemo": dict(
        dx="chemo",
        los=(4, 1, 2),
        nurse="nurse2",
        tests=[("cbc", 1), ("lft", 1), ("rft", 1), ("tumor", 0.5), ("ct_chest", 0.3)],
        iv=[("ond", 2, 0.9)],
        oral=[],
        treat=[],
        surg=[],
        dis=[],
        kinds="chemo",
    ),
    "rehab": dict(
        dx="rehab",
        los=(21, 6, 12),
        nurse="nurse2",
        tests=[("cbc", 1), ("ct_head", 0.3), ("lft", 0.6)],
        iv=[("xst", 1, 0.3)],
        oral=[("aspi", 1, 0.7), ("ator", 1, 0.6)],
        treat=[("pt", 0.95), ("ot", 0.6), ("acu", 0.7), ("tens", 0.6)],
        surg=[],
        dis=[("aspi", 0.5)],
        kinds="rehab",
    ),
    "psych": dict(
        dx="f20",
        los=(45, 20, 20),
        nurse="nurse2",
        tests=[("cbc", 1), ("lft", 1), ("ecg", 1)],
        iv=[],
        oral=[("olz", 2, 0.6), ("risp", 2, 0.4)],
        treat=[],
        surg=[],
        dis=[("olz", 0.6)],
        kinds="psych",
    ),
    "co": dict(
        dx="co",
        los=(4, 2, 2),
        nurse="nurse1",
        tests=[("cbc", 1), ("myo", 1), ("ct_head", 0.6), ("ecg", 1), ("lytes", 1)],
        iv=[("gs", 1, 0.6)],
        oral=[],
        treat=[("hbo", 0.8), ("o2", 0.6)],
        surg=[],
        dis=[],
        kinds="acute",
    ),
    "trauma": dict(
        dx="trauma_r",
        los=(7, 3, 3),
        nurse="nurse2",
        tests=[("dr_chest", 1), ("ct_head", 0.6), ("ct_chest", 0.6), ("cbc", 1)],
        iv=[("cefur_inj", 2, 0.4)],
        oral=[("ibu", 2, 0.6)],
        treat=[("dressing_s", 0.3)],
        surg=[],
        dis=[("ibu", 0.4)],
        kinds="acute",
    ),
}
KIND_W = {
    "med": [("township", 0.32), ("county", 0.38), ("tcm", 0.1), ("private", 0.12), ("city", 0.08)],
    "stroke": [("county", 0.55), ("city", 0.3), ("tcm", 0.1), ("private", 0.05)],
    "spine": [("tcm", 0.35), ("county", 0.25), ("private", 0.25), ("township", 0.1), ("tcm_city", 0.05)],
    "surg": [("county", 0.6), ("city", 0.3), ("private", 0.1)],
    "ortho": [("county", 0.4), ("city", 0.6)],
    "eye": [("county", 0.5), ("city", 0.3), ("private", 0.2)],
    "deliv": [("county", 0.6), ("mch", 0.2), ("city", 0.2)],
    "chemo": [("city", 0.8), ("county", 0.2)],
    "rehab": [("rehab", 0.4), ("tcm", 0.3), ("tcm_city", 0.1), ("private", 0.2)],
    "psych": [("psych", 1.0)],
    "acute": [("county", 0.7), ("city", 0.3)],
}
TIER_F = {3: 1.0, 2: 0.88, 1: 0.75}
CHEMO_REG = {
    "ca_lung": [("pem", 2), ("cisp", 8)],
    "ca_stom": [("oxal", 3)],
    "ca_breast": [("pacl", 8)],
    "ca_colon": [("oxal", 3)],
}
OTC = [
    "lhqw",
    "apap",
    "ibu",
    "omep",
    "hydro",
    "smect",
    "lora",
    "amox",
    "cefix",
    "azi",
    "caco",
    "lwdh",
    "yxy",
    "dsdw",
    "mvit",
]
OTC_W = [10, 6, 6, 6, 4, 3, 4, 5, 3, 3, 3, 3, 2, 3, 2]
HIGHVAL = ["agnh", "dsdw", "lwdh", "nxt", "yxy", "caco", "mvit", "salf", "txl"]
FREQ = ["qd", "bid", "tid", "qn", "qw", "biw", "prn", "st"]
FREQI = {f: n for n, f in enumerate(FREQ)}


# =====================================================================  calendar
def _day_weights():
    mw = [1.25, 1.1, 1.05, 0.95, 0.9, 0.85, 0.85, 0.9, 0.95, 1.0, 1.1, 1.2]
    w = []
    for d in range(NDAYS):
        date = BASE + dt.timedelta(days=d)
        x = mw[date.month - 1] * (0.72 if date.weekday() >= 5 else 1.0)
        if dt.date(2025, 1, 28) <= date.date() <= dt.date(2025, 2, 4):
            x *= 0.45
        if dt.date(2025, 10, 1) <= date.date() <= dt.date(2025, 10, 7):
            x *= 0.7
        w.append(x)
    return w


DAYW = _day_weights()
CUM = list(np.cumsum(DAYW))
MONTH_START = [(dt.datetime(2025, m, 1) - BASE).days for m in range(1, 13)] + [365]


def id_check(s17):
    wts = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(s17, wts)) % 11]


class World:
    def __init__(self, N, seed):
        self.N = N
        self.R = random.Random(seed)
        self.np = np.random.default_rng(seed)

    # ------------------------------------------------------------ helpers
    def rday(self, lo=0, hi=NDAYS):
        lo = max(lo, 0)
        hi = min(hi, NDAYS)
        if hi <= lo:
            return None
        a = CUM[lo - 1] if lo > 0 else 0.0
        b = CUM[hi - 1]
        d = bisect.bisect_right(CUM, a + self.R.random() * (b - a))
        return min(max(d, lo), hi - 1)

    def scale(self, base, lo=1):
        return max(lo, int(round(base * self.N / 100000.0)))

    # ------------------------------------------------------------ persons
    def gen_persons(self):
        R = self.R
        N = self.N
        cw = [c[3] for c in COUNTIES]
        self.towns = [c[5].split() for c in COUNTIES]
        self.town_villages = {}
        for ci, tl in enumerate(self.towns):
            for ti in range(len(tl)):
                self.town_villages[(ci, ti)] = R.sample(VILLAGES, 8)
        cols = {k: [] for k in ("age", "sex", "name", "county", "town", "urban", "hh", "addr", "role", "nh")}
        hh = 0
        # nursing homes: ~0.4% of persons, 15-35 residents each
        n_nh_res = int(N * 0.004)
        self.nursing_homes = []
        while n_nh_res > 0 and len(cols["age"]) < N:
            ci = R.choices(range(len(COUNTIES)), cw)[0]
            ti = R.randrange(1, len(self.towns[ci]))
            if R.random() < 0.6:
                nm = "%s%s敬老院" % (COUNTIES[ci][1], self.towns[ci][ti])
                addr = "黑龙江省绥化市%s%s%s" % (COUNTIES[ci][1], self.towns[ci][ti], "敬老院")
            else:
                nm = "%s%s老年公寓" % (COUNTIES[ci][2], R.choice(["康乐", "福寿", "夕阳红", "颐和"]))
                addr = "黑龙江省绥化市%s%s%s%d号" % (
                    COUNTIES[ci][1],
                    self.towns[ci][0],
                    nm,
                    R.randint(1, 300),
                )
            size = min(n_nh_res, R.randint(15, 35))
            self.nursing_homes.append((hh, ci, ti, nm))
            for _ in range(size):
                sex = "1" if R.random() < 0.55 else "2"
                self._add_person(cols, R.randint(68, 96), sex, None, ci, ti, 0, hh, addr, "nh", 1)
            n_nh_res -= size
            hh += 1
        types = [
            "old_couple",
            "old_single",
            "mid_couple",
            "young_family",
            "three_gen",
            "single_adult",
            "mid_adult_child",
        ]
        tw_rural = [0.24, 0.10, 0.20, 0.17, 0.12, 0.10, 0.07]
        tw_urban = [0.20, 0.09, 0.17, 0.24, 0.10, 0.13, 0.07]
        while len(cols["age"]) < N:
            ci = R.choices(range(len(COUNTIES)), cw)[0]
            urban = 1 if R.random() < COUNTIES[ci][4] else 0
            if urban:
                ti = 0
                addr = "黑龙江省绥化市%s%s%s%s%d号楼%d单元%d%02d室" % (
                    COUNTIES[ci][1],
                    self.towns[ci][0],
                    R.choice(COMMUNITIES),
                    R.choice(XIAOQU),
                    R.randint(1, 30),
                    R.randint(1, 6),
                    R.randint(1, 7),
                    R.randint(1, 4),
                )
            else:
                ti = R.randrange(1, len(self.towns[ci]))
                vil = R.choice(self.town_villages[(ci, ti)])
                addr = "黑龙江省绥化市%s%s%s%d组%d号" % (
                    COUNTIES[ci][1],
                    self.towns[ci][ti],
                    vil,
                    R.randint(1, 9),
                    R.randint(1, 120),
                )
            t = R.choices(types, tw_urban if urban else tw_rural)[0]
            sur = R.choices(SURN, SURN_W)[0]
            mem = []
            if t == "old_couple":
                a = R.randint(60, 88)
                mem = [(a, "1", sur), (max(55, a - R.randint(-2, 6)), "2", None)]
            elif t == "old_single":
                mem = [(R.randint(65, 93), R.choice("122"), sur)]
            elif t == "mid_couple":
                a = R.randint(45, 64)
                mem = [(a, "1", sur), (max(40, a - R.randint(-2, 5)), "2", None)]
            elif t == "young_family":
                a = R.randint(27, 46)
                mem = [(a, "1", sur), (max(22, a - R.randint(-2, 5)), "2", None)]
                for _ in range(R.choice([1, 1, 1, 2])):
                    mem.append((R.randint(0, min(18, a - 22)), R.choice("12"), sur))
            elif t == "three_gen":
                a = R.randint(30, 48)
                mem = [(a, "1", sur), (max(24, a - R.randint(-2, 5)), "2", None)]
                g = a + R.randint(24, 32)
                mem.append((g, "1", sur))
                if R.random() < 0.8:
                    mem.append((g - R.randint(0, 5), "2", None))
                for _ in range(R.choice([1, 1, 2])):
                    mem.append((R.randint(0, min(18, a - 22)), R.choice("12"), sur))
            elif t == "single_adult":
                mem = [(R.randint(20, 58), R.choice("1112"), sur)]
            else:
                a = R.randint(48, 66)
                mem = [
                    (a, "1", sur),
                    (max(44, a - R.randint(-2, 5)), "2", None),
                    (R.randint(18, 32), R.choice("12"), sur),
                ]
            for a, s, sn in mem:
                if len(cols["age"]) >= N:
                    break
                self._add_person(cols, a, s, sn, ci, ti, urban, hh, addr, t, 0)
            hh += 1
        self.P = cols
        self._person_attrs()

    def _add_person(self, cols, age, sex, sur, ci, ti, urban, hh, addr, role, nh):
        R = self.R
        sur = sur or R.choices(SURN, SURN_W)[0]
        by = 2025 - age
        era = "old" if by < 1965 else ("mid" if by < 1992 else "young")
        cols["age"].append(age)
        cols["sex"].append(sex)
        cols["name"].append(sur + R.choice(GIVEN[(era, sex)]))
        cols["county"].append(ci)
        cols["town"].append(ti)
        cols["urban"].append(urban)
        cols["hh"].append(hh)
        cols["addr"].append(addr)
        cols["role"].append(role)
        cols["nh"].append(nh)

    def _person_attrs(self):
        R = self.R
        P = self.P
        N = self.N
        ages = P["age"]
        P["brdy"] = []
        P["certno"] = []
        P["psn_no"] = []
        P["ins"] = []
        P["ptype"] = []
        P["retired"] = []
        P["idet"] = []
        P["insu_adm"] = []
        used = set()
        serials = R.sample(range(10**13, 10**14), N)
        for i in range(N):
            a = ages[i]
            b = dt.date(2025, 1, 1) - dt.timedelta(days=int(a * 365.25 + R.randint(1, 364)))
            if b.year != 2025 - a - 1 and b.year != 2025 - a:
                b = dt.date(2025 - a - 1, R.randint(1, 12), R.randint(1, 28))
            P["brdy"].append(b)
            ci = P["county"][i]
            pre = (
                COUNTIES[ci][0]
                if R.random() > 0.06
                else R.choice(["230102", "230103", "230602", "230604", "231083", "232700"])
            )
            while True:
                seq = R.randint(0, 499) * 2 + (1 if P["sex"][i] == "1" else 0)
                if seq == 0:
                    continue
                s17 = "%s%s%03d" % (pre, b.strftime("%Y%m%d"), seq)
                if s17 not in used:
                    used.add(s17)
                    break
            P["certno"].append(s17 + id_check(s17))
            P["psn_no"].append("%s%014d" % (COUNTIES[ci][0], serials[i]))
            urban = P["urban"][i]
            nh = P["nh"][i]
            emp = False
            if not nh:
                if 22 <= a <= 59:
                    emp = R.random() < (0.55 if urban else 0.08)
                elif a >= 60:
                    emp = R.random() < (0.45 if urban else 0.06)
            ins = "310" if emp else "390"
            ret = emp and (a >= 60 or (P["sex"][i] == "2" and a >= 55))
            P["ins"].append(ins)
            P["retired"].append(ret)
            if emp:
                P["ptype"].append("21" if ret else ("11" if R.random() < 0.85 else "12"))
            else:
                P["ptype"].append("32" if a < 18 else ("33" if a >= 60 else "31"))
            idet = None
            if nh:
                idet = "01" if R.random() < 0.6 else None
            elif ins == "390":
                x = R.random()
                poor = COUNTIES[ci][1] in ("兰西县", "青冈县", "望奎县", "明水县", "绥棱县", "海伦市")
                if not urban and x < (0.10 if poor else 0.04):
                    idet = "03"
                elif x < 0.14:
                    idet = "02"
                elif x < 0.155:
                    idet = "04"
                elif a >= 70 and x < 0.165:
                    idet = "01"
            P["idet"].append(idet)
            adm = COUNTIES[ci][0]
            if emp and ci == 0 and R.random() < 0.3:
                adm = CITY_ADMDVS
            P["insu_adm"].append(adm)
        # household membership
        self.hh_members = {}
        for i, h in enumerate(P["hh"]):
            self.hh_members.setdefault(h, []).append(i)
        # chronic conditions
        self.cond = [None] * N
        self.regimen = [None] * N
        for i in range(N):
            a = ages[i]
            c = []
            if a >= 35 and R.random() < min(0.48, (a - 35) * 0.012):
                c.append("htn")
            if a >= 35 and R.random() < min(0.18, (a - 35) * 0.005):
                c.append("dm")
            elif 8 <= a < 35 and R.random() < 0.002:
                c.append("dm1")
            if a >= 45 and R.random() < min(0.15, (a - 45) * 0.004):
                c.append("chd")
            if a >= 50 and R.random() < min(0.07, (a - 50) * 0.0022):
                c.append("i69")
            if a >= 50 and R.random() < min(0.08, (a - 50) * 0.0022):
                c.append("copd")
            if 18 <= a <= 70 and R.random() < 0.003:
                c.append("f20")
            if a >= 78 and R.random() < 0.05:
                c.append("ad")
            if a >= 30 and R.random() < 0.0007:
                c.append("ckd5")
            if a >= 40 and R.random() < 0.0022:
                c.append("ca")
            if c:
                self.cond[i] = c
                reg = []
                for k in c:
                    for d, p in CHRONIC[k][1]:
                        if R.random() < p and d not in reg:
                            reg.append(d)
                    if CHRONIC[k][1] and not any(d in reg for d, _ in CHRONIC[k][1]):
                        reg.append(CHRONIC[k][1][0][0])
                self.regimen[i] = reg
        self.ca_type = {}
        for i in range(N):
            if self.cond[i] and "ca" in self.cond[i]:
                opts = CA_TYPES if P["sex"][i] == "2" else [x for x in CA_TYPES if x[0] != "ca_breast"]
                self.ca_type[i] = R.choices([x[0] for x in opts], [x[1] for x in opts])[0]
        # deaths
        self.death = {}  # i -> day offset (negative = 2024)
        for i in range(N):
            a = ages[i]
            q = min(0.25, math.exp(-9.95 + 0.085 * a)) * (
                1.6 if self.cond[i] and ("ca" in self.cond[i] or "ckd5" in self.cond[i]) else 1.0
            )
            if R.random() < q:
                self.death[i] = self.rday()
            elif a >= 60 and R.random() < 0.002:
                self.death[i] = -R.randint(5, 200)  # died in 2024, record not yet closed
        # personal account
        self.acct_init = [0] * N
        self.acct_year = [0] * N
        for i in range(N):
            if P["ins"][i] == "310":
                self.acct_init[i] = int(self.np.lognormal(7.6, 0.9) * 100)
                self.acct_year[i] = R.randint(110000, 130000) if P["retired"][i] else R.randint(60000, 240000)

    # ------------------------------------------------------------ institutions
    def gen_fix(self):
        R = self.R
        N = self.N
        F = []
        self.F = F
        cnt = {}

        def add(name, typ, lv, own, ci, kind, tier, ndr, town=None):
            adm = CITY_ADMDVS if ci is None else COUNTIES[ci][0]
            cnt[adm] = cnt.get(adm, 0) + 1
            code = "%s%s%05d" % ("H" if typ == "1" else "P", adm, cnt[adm] + (0 if typ == "1" else 50000))
            f = dict(
                code=code,
                name=name,
                typ=typ,
                lv=lv,
                own=own,
                adm=adm,
                ci=ci,
                kind=kind,
                tier=tier,
                town=town,
                fraud=None,
                opc=(R.random() < 0.55) if typ == "2" else True,
                adopt=(R.randint(0, 160) if typ == "2" else R.randint(60, 300)),
                docs=["D%s%03d%03d" % (adm, len(F) % 1000, k + 1) for k in range(ndr)],
            )
            F.append(f)
            return len(F) - 1

        sc = min(1.0, max(0.15, N / 100000.0))
        add("绥化市第一医院", "1", "02", "1", None, "city", 3, max(6, int(60 * sc)))
        add("绥化市北林区第二人民医院", "1", "05", "1", 0, "county", 2, max(5, int(30 * sc)))
        add("绥化市中医医院", "1", "03", "1", None, "tcm_city", 3, max(4, int(25 * sc)))
        add("绥化市第三医院", "1", "06", "1", None, "psych", 2, max(3, int(12 * sc)))
        add("绥化市妇幼保健院", "1", "05", "1", None, "mch", 2, max(3, int(15 * sc)))
        for ci, c in enumerate(COUNTIES):
            if ci == 0:
                add("北林区中医医院", "1", "06", "1", ci, "tcm", 2, max(3, int(15 * sc)))
                continue
            big = c[1] in ("肇东市", "安达市", "海伦市")
            add(
                "%s人民医院" % c[1],
                "1",
                "03" if big else "05",
                "1",
                ci,
                "county",
                3 if big else 2,
                max(4, int(30 * sc)),
            )
            add("%s中医医院" % c[1], "1", "06" if not big else "05", "1", ci, "tcm", 2, max(3, int(15 * sc)))
        # township health centres
        nt = max(10, N // 2500)
        cw = [c[3] for c in COUNTIES]
        for k in range(nt):
            ci = k % len(COUNTIES) if k < len(COUNTIES) else R.choices(range(len(COUNTIES)), cw)[0]
            free = [
                t
                for t in range(1, len(self.towns[ci]))
                if not any(f["ci"] == ci and f["town"] == t for f in F)
            ]
            if not free:
                continue
            ti = R.choice(free)
            add(
                "%s%s卫生院" % (COUNTIES[ci][1], self.towns[ci][ti]),
                "1",
                R.choice(["08", "09", "09", "10", "11"]),
                "1",
                ci,
                "township",
                1,
                R.randint(3, 7),
                town=ti,
            )
        for k in range(max(2, N // 12500)):
            ci = k % len(COUNTIES)
            add(
                "%s%s%s社区卫生服务中心"
                % (COUNTIES[ci][1], self.towns[ci][0], COMMUNITIES[k % len(COMMUNITIES)]),
                "1",
                R.choice(["09", "11"]),
                "1",
                ci,
                "community",
                1,
                R.randint(3, 6),
            )
        pnames = [
            "仁和医院",
            "博爱医院",
            "康宁医院",
            "济民医院",
            "惠民医院",
            "同济中西医结合医院",
            "华康骨科医院",
            "明目眼科医院",
            "安泰医院",
            "福康医院",
            "益民医院",
            "康泰医院",
            "德济医院",
            "瑞安医院",
            "民康医院",
            "天和医院",
        ]
        for k in range(max(4, N // 8000)):
            ci = R.choices(range(len(COUNTIES)), cw)[0]
            nm = (
                COUNTIES[ci][2]
                + pnames[k % len(pnames)]
                + ("" if k < len(pnames) else str(k // len(pnames) + 1))
            )
            lv = R.choice(["09", "09", "06", "11", "10"])
            add(nm, "1", lv, "2", ci, "private", 2 if lv == "06" else 1, R.randint(4, 10))
        add("绥化瑞康康复医院", "1", "06", "2", 0, "rehab", 2, max(3, int(8 * sc)))
        chains = [
            "北药大药房",
            "康佳大药房",
            "百姓缘大药房",
            "仁和堂大药房",
            "益丰堂药店",
            "鑫源大药房",
            "济世堂药房",
            "众康大药房",
            "同泰药店",
            "华仁大药房",
            "老百姓大药房",
            "天济大药房",
        ]
        for k in range(max(8, N // 1000)):
            ci = k % len(COUNTIES) if k < len(COUNTIES) else R.choices(range(len(COUNTIES)), cw)[0]
            ti = 0 if R.random() < 0.7 else R.randrange(1, len(self.towns[ci]))
            add(
                "%s(%s%s%d店)"
                % (R.choice(chains), COUNTIES[ci][2], self.towns[ci][ti].rstrip("镇乡街道"), k + 1),
                "2",
                None,
                "2",
                ci,
                "pharm",
                0,
                R.randint(1, 3),
                town=ti,
            )
        # indexes
        self.byk = {}
        self.byck = {}
        for n, f in enumerate(F):
            self.byk.setdefault(f["kind"], []).append(n)
            if f["ci"] is not None:
                self.byck.setdefault((f["ci"], f["kind"]), []).append(n)
        # city hospitals also count as their own county's 'county' options for 北林
        self.town_hc = {}
        for n, f in enumerate(F):
            if f["kind"] == "township":
                self.town_hc[(f["ci"], f["town"])] = n

    def pick_kind(self, kind, ci):
        lst = self.byck.get((ci, kind)) or self.byk.get(kind)
        if not lst:
            lst = self.byk.get("county")
        return self.R.choice(lst)

    def home_hc(self, i):
        P = self.P
        ci = P["county"][i]
        if P["urban"][i]:
            lst = self.byck.get((ci, "community"))
            if lst:
                return lst[i % len(lst)]
            return self.pick_kind("county", ci)
        h = self.town_hc.get((ci, P["town"][i]))
        if h is not None:
            return h
        lst = self.byck.get((ci, "township")) or self.byk["township"]
        return lst[(i * 7 + P["town"][i]) % len(lst)]

    def fav_ph(self, i):
        P = self.P
        ci = P["county"][i]
        lst = self.byck.get((ci, "pharm")) or self.byk["pharm"]
        a = lst[(i * 13) % len(lst)]
        b = lst[(i * 31 + 5) % len(lst)]
        return a, b

    # ================================================================= episodes
    # EP row: [t_setl, t_begin, t_end, psn, fix, med_type, dx, kind, opts]
    def tod(self, kind):
        R = self.R
        if kind in ("op", "mt", "inf", "pre"):
            return int(
                (8 * 3600 + R.random() * 3.5 * 3600)
                if R.random() < 0.72
                else (13.5 * 3600 + R.random() * 3 * 3600)
            )
        if kind == "ph":
            return int(8 * 3600 + R.random() * 12 * 3600)
        if kind == "er":
            return int(R.random() * DAY)
        if kind == "dial":
            return int(7 * 3600 + R.random() * 6 * 3600)
        return int(8 * 3600 + R.random() * 9 * 3600)

    def add_visit(self, i, fix, day, kind, med_type, dx, opts=None, t=None):
        if day is None or day < 0 or day >= NDAYS:
            return None
        d = self.death.get(i)
        if d is not None and day > d and not (opts and opts.get("after_death")):
            return None
        R = self.R
        t0 = day * DAY + (t if t is not None else self.tod(kind))
        if kind == "ph":
            t1 = t0 + R.randint(60, 400)
        elif kind == "dial":
            t1 = t0 + R.randint(4 * 3600, 4 * 3600 + 1800)
        elif kind == "er":
            t1 = t0 + R.randint(1800, 4 * 3600)
        else:
            t1 = t0 + R.randint(300, 2400)
        ts = t1 + R.randint(10, 600)
        ep = [ts, t0, t1, i, fix, med_type, dx, kind, opts]
        self.EP.append(ep)
        return ep

    def ip_fix(self, cat, i):
        R = self.R
        ci = self.P["county"][i]
        kinds = KIND_W[IPC[cat]["kinds"]]
        k = R.choices([x[0] for x in kinds], [x[1] for x in kinds])[0]
        if k == "township":
            h = self.home_hc(i)
            if self.F[h]["kind"] == "township":
                return h
            k = "county"
        if k == "county" and ci == 0 and R.random() < 0.6:
            k = "city"
        return self.pick_kind(k, ci)

    def add_ip(self, i, cat, day, fix=None, los=None, opts=None, t_adm=None, force=False):
        R = self.R
        if day is None:
            return None
        c = IPC[cat]
        if los is None:
            m, sd, mn = c["los"]
            los = max(mn, int(round(R.gauss(m, sd))))
        if fix is None:
            fix = self.ip_fix(cat, i)
        if self.F[fix]["tier"] == 1 and los > 12 and cat not in ("rehab", "psych") and not force:
            los = 12
        d = self.death.get(i)
        if d is not None and not force and day + los > d:
            return None
        if day + los >= NDAYS:
            return None
        t0 = day * DAY + (t_adm if t_adm is not None else int(8 * 3600 + R.random() * 10 * 3600))
        t1 = (day + los) * DAY + int(8.5 * 3600 + R.random() * 3 * 3600)
        occ = self.occ.setdefault(i, [])
        for a, b in occ:
            if t0 < b and a < t1:
                return None
        occ.append((t0, t1))
        ts = t1 + R.randint(300, 5400)
        if R.random() < 0.03:
            ts += R.randint(1, 2) * DAY
        o = dict(cat=cat, los=los)
        if opts:
            o.update(opts)
        ep = [ts, t0, t1, i, fix, "52" if cat.startswith("deliv") else "21", c["dx"], "ip", o]
        self.EP.append(ep)
        return ep

    def pick_op_dx(self, i):
        R = self.R
        a = self.P["age"][i]
        s = self.P["sex"][i]
        c = self.cond[i] or []
        if a < 14:
            return R.choices(["uri", "fever", "bronch", "enter", "derm", "pneu"], [40, 20, 15, 10, 8, 4])[0]
        pool = [
            ("uri", 25),
            ("bronch", 8),
            ("gastr", 12),
            ("enter", 5),
            ("spine_l", 8 if a > 30 else 2),
            ("spine_c", 7 if a > 30 else 2),
            ("derm", 5),
            ("pneu", 2 if a < 65 else 5),
        ]
        for k in c:
            dxk = CHRONIC[k][0]
            if dxk in OPT:
                pool.append((dxk, 30))
        if s == "1" and a >= 55:
            pool.append(("bph", 6))
        if s == "2" and 18 <= a <= 60:
            pool.append(("vagin", 5))
            pool.append(("breast", 3))
        if s == "1" and a >= 40 and R.random() < 0.01:
            pool.append(("gyneco", 40))  # legit: male breast ultrasound
        return R.choices([x[0] for x in pool], [x[1] for x in pool])[0]

    def op_fix(self, i, dx=None):
        R = self.R
        ci = self.P["county"][i]
        x = R.random()
        if dx in ("vagin", "prenatal") and x < 0.3:
            return self.byk["mch"][0]
        if x < 0.55:
            return self.home_hc(i)
        if x < 0.8:
            return self.pick_kind("county", ci) if not (ci == 0 and R.random() < 0.6) else self.byk["city"][0]
        if x < 0.88:
            return self.pick_kind("tcm", ci)
        if x < 0.95:
            return self.byk["city"][0]
        return self.pick_kind("private", ci)

    def gen_base(self):
        R = self.R
        P = self.P
        N = self.N
        self.EP = []
        self.occ = {}
        self.opsp = []
        self.reg_of = {}
        self.mt_fix = {}
        het = self.np.gamma(0.8, 1 / 0.8, N)
        het_ip = self.np.gamma(1.2, 1 / 1.2, N)
        city = self.byk["city"][0]
        for i in range(N):
            a = P["age"][i]
            d = self.death.get(i)
            if d is not None and d < 0:
                continue
            end = d + 1 if d is not None else NDAYS
            frac = end / NDAYS
            emp = P["ins"][i] == "310"
            cond = self.cond[i] or []
            h = het[i]
            # ---- ordinary outpatient
            lam = (
                (
                    3.0
                    if a < 7
                    else 1.0
                    if a < 18
                    else 1.2
                    if a < 45
                    else 2.0
                    if a < 60
                    else 3.0
                    if a < 75
                    else 3.6
                )
                * h
                * frac
            )
            if emp:
                lam *= 1.25
            for _ in range(self.np.poisson(lam)):
                dx = self.pick_op_dx(i)
                day = self.rday(0, end)
                fix = self.op_fix(i, dx)
                if (
                    dx in ("uri", "bronch", "pneu")
                    and a >= 45
                    and self.F[fix]["tier"] == 1
                    and R.random() < 0.3
                ):
                    # 输液疗程: consecutive daily outpatient infusion visits (legit look-alike of 频繁就诊)
                    for k in range(R.randint(3, 7)):
                        self.add_visit(i, fix, day + k, "inf", "11", dx, dict(k=k))
                else:
                    self.add_visit(i, fix, day, "op", "11", dx)
            # ---- emergency
            for _ in range(self.np.poisson(0.09 * h * frac * (1.5 if a > 65 else 1))):
                dx = (
                    R.choice(["chest", "abd", "head_inj", "fever", "trauma_h"])
                    if a >= 14
                    else R.choice(["fever", "head_inj"])
                )
                fix = self.pick_kind("county", P["county"][i]) if R.random() < 0.7 else city
                self.add_visit(i, fix, self.rday(0, end), "er", "13", dx)
            # ---- chronic care
            reg_conds = []
            if cond:
                for k in cond:
                    if R.random() < CHRONIC[k][2]:
                        reg_conds.append(k)
                for k in reg_conds:
                    code = DX[CHRONIC[k][0]][0] if CHRONIC[k][0] else DX[self.ca_type[i]][0]
                    name = DX[CHRONIC[k][0]][1] if CHRONIC[k][0] else DX[self.ca_type[i]][1] + "(放化疗)"
                    if k == "ckd5":
                        name = "慢性肾功能衰竭(血液透析)"
                    if R.random() < 0.08:
                        bd = BASE.date() + dt.timedelta(days=R.randint(0, 300))
                    else:
                        bd = dt.date(R.randint(2014, 2024), R.randint(1, 12), R.randint(1, 28))
                    ed = None
                    if d is not None and R.random() < 0.5:
                        ed = BASE.date() + dt.timedelta(days=d)
                    elif R.random() < 0.03:
                        ed = BASE.date() + dt.timedelta(days=R.randint(60, 364))
                    self.opsp.append((i, code, name, bd, ed))
                    self.reg_of.setdefault(i, []).append((k, code, bd, ed))
            mt_conds = [k for k in reg_conds if k not in ("ckd5", "ca")]
            reg_drugs = self.regimen[i] or []
            if mt_conds and reg_drugs:
                x = R.random()
                mtfix = (
                    self.pick_kind("county", P["county"][i])
                    if x < 0.55
                    else (self.home_hc(i) if x < 0.9 else city)
                )
                if self.F[mtfix]["kind"] == "community" and R.random() < 0.5:
                    mtfix = self.pick_kind("county", P["county"][i])
                self.mt_fix[i] = mtfix
                bd = min(r[2] for r in self.reg_of[i] if r[0] in mt_conds)
                start = max(0, (bd - BASE.date()).days)
                longrx = (
                    a >= 50 and R.random() < 0.25 and all(k in ("htn", "dm", "chd", "i69") for k in mt_conds)
                )
                iv = 84 if longrx else 30
                day = start + R.randint(0, iv - 1)
                while day < end:
                    if R.random() > 0.12:
                        self.add_visit(
                            i,
                            mtfix,
                            day,
                            "mt",
                            "14",
                            CHRONIC[mt_conds[0]][0],
                            dict(days=iv if R.random() > 0.1 else 60),
                        )
                    day += iv + R.randint(-3, 4)
            elif reg_drugs:
                # unregistered chronic: refills at pharmacy or 普通门诊
                ph = self.fav_ph(i)
                if a >= 75 and R.random() < 0.1:
                    ph = (
                        R.choice(self.byck.get((0, "pharm")) or self.byk["pharm"]),
                    ) * 2  # child in 北林 buys for the parent
                viaph = R.random() < (0.75 if emp else 0.5)
                iv = R.randint(28, 45) if viaph else R.randint(45, 75)
                day = R.randint(0, iv)
                while day < end:
                    if R.random() > 0.15:
                        if viaph:
                            self.add_visit(
                                i,
                                ph[0] if R.random() < 0.8 else ph[1],
                                day,
                                "ph",
                                "41",
                                CHRONIC[cond[0]][0],
                                dict(mode="chronic", days=30),
                            )
                        else:
                            self.add_visit(
                                i, self.home_hc(i), day, "op", "11", CHRONIC[cond[0]][0], dict(chronic=True)
                            )
                    day += iv + R.randint(-4, 6)
            if "ckd5" in cond:
                dfix = self.pick_kind("county", P["county"][i]) if R.random() < 0.6 else city
                per_wk = 3 if R.random() < 0.6 else 2
                day = 0
                while day < end:
                    for off in (0, 2, 4) if per_wk == 3 else (0, 3):
                        if day + off < end and R.random() > 0.03:
                            self.add_visit(i, dfix, day + off, "dial", "14", "ckd5")
                    day += 7
            if "ca" in cond:
                cfix = city if R.random() < 0.8 else self.pick_kind("county", P["county"][i])
                day = R.randint(0, 250)
                for c in range(R.randint(4, 6)):
                    self.add_ip(i, "chemo", day, fix=cfix, opts=dict(ca=self.ca_type[i], cyc=c))
                    day += 21 + R.randint(-1, 4)
            if "f20" in cond and R.random() < 0.15:
                self.add_ip(i, "psych", self.rday(0, max(1, end - 30)))
            if "i69" in cond and R.random() < 0.15:
                for _ in range(R.choice([1, 1, 2])):
                    self.add_ip(i, "rehab", self.rday(0, end))
            # ---- pharmacy (non-chronic)
            lamph = (2.2 if emp else 0.5) * h * frac * (1.3 if a > 60 else 1.0)
            ph = self.fav_ph(i)
            for _ in range(self.np.poisson(lamph)):
                self.add_visit(
                    i,
                    ph[0]
                    if R.random() < 0.7
                    else (ph[1] if R.random() < 0.7 else self.pick_kind("pharm", P["county"][i])),
                    self.rday(0, end),
                    "ph",
                    "41",
                    None,
                    dict(mode="otc"),
                )
            # ---- inpatient
            lip = (
                0.08
                if a < 5
                else 0.03
                if a < 18
                else 0.045
                if a < 45
                else 0.11
                if a < 60
                else 0.22
                if a < 70
                else 0.34
                if a < 80
                else 0.45
            )
            lip *= (
                (1 + 0.35 * len([k for k in cond if k in ("htn", "dm", "chd", "i69", "copd")]))
                * het_ip[i]
                * frac
            )
            if P["nh"][i]:
                lip *= 1.4
            for _ in range(self.np.poisson(lip)):
                cat = self.pick_ip_cat(i)
                day = self.rday(0, end)
                if day is not None and day < 12 and R.random() < 0.5:
                    day -= R.randint(5, 14)  # admitted in Dec 2024, discharged and settled in 2025
                ep = self.add_ip(i, cat, day)
                if ep is None:
                    continue
                dday = ep[2] // DAY
                if cat in ("pneu", "copd", "hf", "chd", "stroke") and a >= 60 and R.random() < 0.07:
                    # unplanned readmission (legit look-alike of 分解住院)
                    c2 = cat if R.random() < 0.6 else R.choice(["pneu", "hf", "copd"])
                    self.add_ip(i, c2, dday + R.randint(2, 20), fix=ep[4] if R.random() < 0.6 else None)
                elif (
                    cat in ("stroke", "hipfx", "tka")
                    and self.F[ep[4]]["kind"] in ("county", "township", "private")
                    and R.random() < 0.06
                ):
                    # transfer to the city hospital the same day
                    ep[8]["transfer_out"] = True
                    self.add_ip(
                        i,
                        "rehab" if cat == "stroke" and R.random() < 0.5 else cat,
                        dday,
                        fix=city,
                        t_adm=(ep[2] % DAY) + R.randint(1800, 7200),
                    )
            # ---- deliveries
            if P["sex"][i] == "2" and 20 <= a <= 42 and R.random() < 0.055 * (1.0 if a < 35 else 0.45):
                day = self.rday(0, end)
                cat = "deliv_c" if R.random() < 0.42 else "deliv_v"
                if self.add_ip(i, cat, day) is not None:
                    for k in range(R.randint(3, 6)):
                        pd_ = day - 20 - k * R.randint(20, 35)
                        if pd_ >= 0:
                            self.add_visit(i, self.op_fix(i, "prenatal"), pd_, "pre", "51", "prenatal")
            # ---- terminal stay before death
            if d is not None and R.random() < 0.55:
                cat = R.choice(["stroke", "hf", "pneu", "copd"]) if "ca" not in cond else "pneu"
                los = R.randint(2, 14)
                fx = self.pick_kind("county", P["county"][i]) if R.random() < 0.7 else city
                ep = self.add_ip(i, cat, d - los, fix=fx, los=los, opts=dict(death=True), force=True)
                if ep is not None:
                    ep[2] = d * DAY + int(R.random() * 20 * 3600)
                    ep[0] = ep[2] + R.randint(0, 3) * DAY + R.randint(600, 8 * 3600)
                    if ep[0] >= NDAYS * DAY:
                        ep[0] = NDAYS * DAY - 60
                    if ep[2] <= ep[1]:
                        ep[2] = ep[1] + 3600
        self.gen_group_lookalikes()

    def pick_ip_cat(self, i):
        R = self.R
        a = self.P["age"][i]
        s = self.P["sex"][i]
        c = self.cond[i] or []
        if a < 14:
            return R.choices(["pneu", "append", "trauma"], [80, 12, 8])[0]
        w = {
            "pneu": 14,
            "copd": 3,
            "stroke": 4,
            "lacunar": 5,
            "chd": 6,
            "hf": 2,
            "htn": 4,
            "dm": 3,
            "gastritis": 6,
            "spine": 7,
            "append": 4,
            "chole": 4,
            "hernia": 3 if s == "1" else 1,
            "hipfx": 1,
            "tka": 1,
            "cataract": 2,
            "trauma": 3,
        }
        if a >= 60:
            for k, v in (
                ("pneu", 8),
                ("copd", 6),
                ("stroke", 6),
                ("lacunar", 4),
                ("chd", 6),
                ("hf", 5),
                ("hipfx", 3),
                ("tka", 2),
                ("cataract", 6),
            ):
                w[k] += v
        else:
            for k in ("append", "chole", "trauma", "spine", "gastritis"):
                w[k] += 5
        for k in c:
            if k == "copd":
                w["copd"] += 20
            elif k == "chd":
                w["chd"] += 12
                w["hf"] += 5
            elif k == "i69":
                w["stroke"] += 8
                w["lacunar"] += 6
            elif k == "dm":
                w["dm"] += 10
            elif k == "htn":
                w["htn"] += 5
                w["lacunar"] += 4
        ks = list(w)
        return R.choices(ks, [w[k] for k in ks])[0]

    def gen_group_lookalikes(self):
        """legit co-admissions: CO poisoning families, road accidents, nursing-home outbreaks, elderly couples"""
        R = self.R
        P = self.P
        hhs = list(self.hh_members.items())
        self.n_lookalike = {}
        winter = list(range(0, 75)) + list(range(310, 358))
        n = 0
        for _ in range(self.scale(18, 2)):
            h, mem = R.choice(hhs)
            mem = [m for m in mem if self.death.get(m) is None and not P["nh"][m]]
            if len(mem) < 2:
                continue
            day = R.choice(winter)
            t = int(4 * 3600 + R.random() * 3 * 3600)
            fx = self.pick_kind("county", P["county"][mem[0]])
            for m in mem:
                if (
                    self.add_ip(m, "co", day, fix=fx, los=R.randint(2, 7), t_adm=t + R.randint(0, 1800))
                    is not None
                ):
                    n += 1
        self.n_lookalike["一氧化碳中毒家庭同日入院"] = n
        n = 0
        for _ in range(self.scale(10, 1)):
            h, mem = R.choice(hhs)
            mem = [m for m in mem if self.death.get(m) is None and P["age"][m] >= 16 and not P["nh"][m]]
            if len(mem) < 2:
                continue
            day = self.rday()
            t = int(R.random() * DAY)
            fx = self.pick_kind("county", P["county"][mem[0]])
            for m in mem[:3]:
                if (
                    self.add_ip(m, "trauma", day, fix=fx, los=R.randint(3, 14), t_adm=t + R.randint(0, 3600))
                    is not None
                ):
                    n += 1
        self.n_lookalike["交通事故家庭同日入院"] = n
        n = 0
        for h, ci, ti, nm in self.nursing_homes:
            if R.random() > 0.6:
                continue
            mem = [m for m in self.hh_members[h] if self.death.get(m) is None]
            day = R.choice(list(range(5, 60)) + list(range(330, 350)))
            fx = self.town_hc.get((ci, ti)) or self.pick_kind("county", ci)
            for m in mem:
                if R.random() < 0.4:
                    if (
                        self.add_ip(m, "pneu", day + R.randint(0, 2), fix=fx, los=R.randint(6, 12))
                        is not None
                    ):
                        n += 1
        self.n_lookalike["养老机构聚集性肺炎入院"] = n
        n = 0
        olds = [mem for h, mem in hhs if len(mem) == 2 and P["age"][mem[0]] >= 65]
        for _ in range(self.scale(25, 1)):
            if not olds:
                break
            mem = R.choice(olds)
            day = R.choice(winter)
            fx = self.ip_fix("pneu", mem[0])
            for m in mem:
                if self.add_ip(m, R.choice(["pneu", "copd", "lacunar"]), day, fix=fx) is not None:
                    n += 1
        self.n_lookalike["老年夫妻同日入院"] = n

    # ================================================================= fraud injection
    def label(self, et, eid, ft, gid=""):
        self.labels.append((et, eid, ft, gid))

    def alive_all_year(self, i):
        return self.death.get(i) is None

    def persons_where(self, fn, k, shuffle=True):
        R = self.R
        idx = list(range(self.N))
        R.shuffle(idx)
        out = []
        for i in idx:
            if i in self.used:
                continue
            if fn(i):
                out.append(i)
                if len(out) >= k:
                    break
        return out

    def vkey(self, i):
        a = self.P["addr"][i]
        return a.split("村")[0] if (not self.P["urban"][i] and "村" in a) else None

    def set_end(self, ep, t1):
        i = ep[3]
        occ = self.occ.get(i, [])
        for n, (a, b) in enumerate(occ):
            if a == ep[1]:
                for a2, b2 in occ:
                    if a2 != a and a2 < t1 and ep[1] < b2:
                        return False
                occ[n] = (a, t1)
                break
        ep[0] = ep[0] - ep[2] + t1
        ep[2] = t1
        ep[8]["los"] = int((t1 // DAY) - (ep[1] // DAY))
        return True

    def inject(self):
        R = self.R
        P = self.P
        F = self.F
        self.labels = []
        self.used = set()
        self.fraud_counts = {}

        # ---------------- institution-level
        def pick(kinds, pred=lambda f: True):
            c = [n for n, f in enumerate(F) if f["kind"] in kinds and f["fraud"] is None and pred(f)]
            return R.choice(c) if c else None

        plan = [
            ("hang", ["private"], "挂床住院"),
            ("hang", ["township"], "挂床住院"),
            ("split", ["tcm"], "分解住院"),
            ("split", ["private"], "分解住院"),
            ("induce", ["private"], "诱导住院"),
            ("induce", ["private"], "诱导住院"),
            ("dup", ["county"], "重复收费"),
            ("swap", ["township"], "串换项目"),
            ("swap", ["tcm", "private"], "串换项目"),
            ("overexam", ["private"], "过度检查"),
            ("fake_op", ["township"], "虚构门诊"),
            ("ph_swap", ["pharm"], "药店串换刷卡套现"),
            ("ph_swap", ["pharm"], "药店串换刷卡套现"),
            ("ph_swap", ["pharm"], "药店串换刷卡套现"),
            ("ph_trace", ["pharm"], "药品追溯码重复销售"),
            ("ph_trace", ["pharm"], "药品追溯码重复销售"),
        ]
        self.fr = {}
        for n, (fr, kinds, ft) in enumerate(plan):
            if self.N < 20000 and n in (1, 3, 5, 8, 12, 13, 15):
                continue
            h = pick(
                kinds,
                (lambda f: f["lv"] in ("06", "09")) if fr in ("overexam", "induce") else (lambda f: True),
            )
            if h is None:
                continue
            F[h]["fraud"] = fr
            F[h]["fraud_p"] = [0.55, 0.25][len(self.fr.get(fr, [])) % 2]
            self.fr.setdefault(fr, []).append(h)
            self.label("fixmedins", F[h]["code"], ft)
        # organic-stay modifications at 挂床 / 分解住院 hospitals
        eps = [ep for ep in self.EP if ep[7] == "ip"]
        for ep in eps:
            f = F[ep[4]]
            cat = ep[8]["cat"]
            if (
                cat.startswith("deliv")
                or cat in ("chemo", "append", "chole", "hernia", "hipfx", "tka", "cataract")
                or ep[8].get("death")
            ):
                continue
            if f["fraud"] == "hang" and R.random() < f["fraud_p"]:
                if self.set_end(ep, ep[2] + R.randint(5, 15) * DAY):
                    ep[8]["hang"] = True
                    self._home_signal(ep)
            elif (
                f["fraud"] == "split"
                and R.random() < (0.45 if f["fraud_p"] > 0.5 else 0.3)
                and ep[8]["los"] >= 6
            ):
                self._split(ep)
        for h in self.fr.get("hang", []):
            ci = F[h]["ci"]
            k = 0
            for i in self.persons_where(
                lambda i: P["county"][i] == ci and P["age"][i] >= 58 and self.alive_all_year(i),
                self.scale(60),
            ):
                for _ in range(R.choice([1, 1, 2])):
                    ep = self.add_ip(
                        i,
                        R.choice(["lacunar", "htn", "chd", "spine", "gastritis"]),
                        self.rday(0, 330),
                        fix=h,
                        los=R.randint(15, 32),
                        opts=dict(hang=True),
                        force=True,
                    )
                    if ep:
                        k += 1
                        self._home_signal(ep)
        for h in self.fr.get("induce", []):
            self._induce(h)
        for h in self.fr.get("fake_op", []):
            self._fake_op(h)
        # ---------------- person-level
        self._rings()
        self._gangs()
        self._freq_ip()
        self._freq_op()
        self._overdrug()
        self._acct_cashout()
        self._impostor()
        self._mismatch()
        self._after_death()
        self._refund_cashout()
        self._offlabel()

    def _home_signal(self, ep):
        R = self.R
        if R.random() < 0.5:
            i = ep[3]
            d0 = ep[1] // DAY
            d1 = ep[2] // DAY
            for _ in range(R.randint(1, 2)):
                day = R.randint(d0 + 2, max(d0 + 2, d1 - 1))
                if R.random() < 0.6:
                    self.add_visit(i, self.fav_ph(i)[0], day, "ph", "41", None, dict(mode="otc"))
                else:
                    dx = self.pick_op_dx(i)
                    self.EP.append(
                        [
                            day * DAY + 10 * 3600 + 1200,
                            day * DAY + 9 * 3600,
                            day * DAY + 10 * 3600,
                            i,
                            self.op_fix(i, dx),
                            "11",
                            dx,
                            "op",
                            None,
                        ]
                    )

    def _split(self, ep):
        R = self.R
        los = ep[8]["los"]
        s = R.randint(2, los - 3)
        d0 = ep[1] // DAY
        d_end = ep[2] // DAY
        new_end = (d0 + s) * DAY + int(8.5 * 3600 + R.random() * 3 * 3600)
        old_end = ep[2]
        occ = self.occ.get(ep[3], [])
        for n, (a, b) in enumerate(occ):
            if a == ep[1]:
                occ[n] = (a, new_end)
        ep[0] = ep[0] - ep[2] + new_end
        ep[2] = new_end
        ep[8]["los"] = s
        ep[8]["split"] = 1
        g = 0 if R.random() < 0.35 else (R.randint(1, 3) if R.random() < 0.77 else R.randint(4, 10))
        rest = max(2, d_end - (d0 + s) - g + R.randint(0, 2))
        t_adm = (new_end % DAY) + R.randint(1800, 5 * 3600) if g == 0 else None
        e2 = self.add_ip(
            ep[3], ep[8]["cat"], d0 + s + g, fix=ep[4], los=rest, opts=dict(split=2), t_adm=t_adm, force=True
        )
        if e2 is not None and R.random() < 0.15 and rest >= 6:
            self._split(e2)

    def _induce(self, h):
        R = self.R
        P = self.P
        ci = self.F[h]["ci"]
        vil = {}
        for i in range(self.N):
            if (
                P["county"][i] == ci
                and P["age"][i] >= 50
                and self.alive_all_year(i)
                and not P["urban"][i]
                and i not in self.used
            ):
                vil.setdefault(self.vkey(i), []).append(i)
        vk = [k for k, v in vil.items() if k and len(v) >= 6]
        if not vk:
            return
        L0 = R.randint(7, 9)
        cats = R.sample(["lacunar", "spine", "htn", "gastritis", "chd"], 3)
        for b in range(self.scale(10, 2)):
            pool = vil[R.choice(vk)]
            w = [3 if P["idet"][i] else 1 for i in pool]
            size = min(len(pool), R.randint(5, 12))
            mem = set()
            while len(mem) < size:
                mem.add(R.choices(pool, w)[0])
            day = self.rday(0, 340)
            for i in mem:
                self.add_ip(
                    i,
                    R.choice(cats),
                    day,
                    fix=h,
                    los=L0 + R.choice([-1, 0, 0, 0, 1]),
                    opts=dict(tpl=h * 1000 + 1),
                    t_adm=int(9 * 3600 + R.random() * 2400),
                )

    def _fake_op(self, h):
        R = self.R
        P = self.P
        ci = self.F[h]["ci"]
        ti = self.F[h]["town"]
        cand = self.persons_where(
            lambda i: (
                P["county"][i] == ci
                and P["town"][i] == ti
                and P["age"][i] >= 45
                and P["ins"][i] == "390"
                and self.alive_all_year(i)
            ),
            self.scale(110, 5),
        )
        days = [d for d in range(NDAYS) if (BASE + dt.timedelta(days=d)).weekday() in (1, 3)]
        doc = self.F[h]["docs"][0]
        batches = {}
        for i in cand:
            for d in R.sample(days, R.randint(5, 10)):
                batches.setdefault(d, []).append(i)
        for d, lst in batches.items():
            t = int(14 * 3600 + R.random() * 1800)
            for i in lst:
                t += R.randint(60, 420)
                self.add_visit(
                    i, h, d, "op", "11", R.choice(["htn", "uri", "gastr"]), dict(fake=True, doc=doc), t=t
                )

    def _ring_cats(self):
        return ["lacunar", "spine", "htn", "gastritis", "chd"]

    def _rings(self):
        R = self.R
        P = self.P
        vil = {}
        for i in range(self.N):
            if 45 <= P["age"][i] <= 82 and self.alive_all_year(i) and not P["urban"][i]:
                vil.setdefault(self.vkey(i), []).append(i)
        vk = [k for k, v in vil.items() if k and len(v) >= 8]
        for r in range(self.scale(10, 1)):
            if not vk:
                break
            pool = [i for i in vil[R.choice(vk)] if i not in self.used]
            size = min(len(pool), R.randint(3, 8))
            if size < 3:
                continue
            mem = R.sample(pool, size)
            ci = P["county"][mem[0]]
            if R.random() < 0.3 and self.fr.get("induce"):
                hs = [R.choice(self.fr["induce"])]
            else:
                hs = [self.pick_kind(R.choice(["private", "township", "tcm"]), ci)]
            if R.random() < 0.4:
                hs.append(self.pick_kind(R.choice(["private", "township"]), ci))
            subtle = r % 2 == 1
            gid = "TJTC%02d" % (r + 1)
            got = set()
            day = R.randint(5, 60)
            for e in range(R.randint(3, 6)):
                cat = R.choice(self._ring_cats())
                L = R.randint(6, 10)
                h = R.choice(hs)
                part = [m for m in mem if R.random() < 0.85]
                if len(part) < 2:
                    part = mem[:2]
                for m in part:
                    dd = day + (R.choice([-1, 0, 0, 1]) if subtle else 0)
                    ll = L + (R.choice([-1, 0, 0, 1]) if subtle else 0)
                    if self.add_ip(
                        m,
                        cat,
                        dd,
                        fix=h,
                        los=ll,
                        opts=dict(tpl=r * 97 + e),
                        t_adm=int(8.5 * 3600 + R.random() * 5400),
                    ):
                        got.add(m)
                day += R.randint(35, 80)
                if day > 340:
                    break
            for m in mem:
                self.used.add(m)
            if len(got) >= 2:
                for m in got:
                    self.label("psn", P["psn_no"][m], "同进同出", gid)

    def _gangs(self):
        R = self.R
        P = self.P
        for g in range(self.scale(3, 1)):
            mem = self.persons_where(
                lambda i: 40 <= P["age"][i] <= 75 and self.alive_all_year(i), R.randint(6, 10)
            )
            for m in mem:
                self.used.add(m)
            cis = R.sample(range(len(COUNTIES)), 4)
            hs = [self.pick_kind(R.choice(["private", "township", "tcm"]), c) for c in cis]
            gid = "GANG%02d" % (g + 1)
            got = {}
            day = R.randint(0, 30)
            while day < 340:
                sub = R.sample(mem, min(len(mem), R.randint(3, 5)))
                h = R.choice(hs)
                for m in sub:
                    if self.add_ip(
                        m,
                        R.choice(["lacunar", "spine", "htn", "gastritis", "chd", "copd", "dm"]),
                        day + R.choice([0, 0, 1]),
                        fix=h,
                        los=R.randint(6, 11),
                    ):
                        got[m] = got.get(m, 0) + 1
                day += R.randint(12, 30)
            for m in got:
                self.label("psn", P["psn_no"][m], "团伙骗保", gid)

    def _freq_ip(self):
        R = self.R
        P = self.P
        for i in self.persons_where(
            lambda i: 50 <= P["age"][i] <= 85 and P["ins"][i] == "390" and self.alive_all_year(i),
            self.scale(60),
        ):
            self.used.add(i)
            ci = P["county"][i]
            hs = [
                self.pick_kind(R.choice(["private", "township", "tcm", "county"]), ci)
                for _ in range(R.randint(2, 4))
            ]
            k = R.randint(6, 11) if R.random() > 0.25 else 5
            day = R.randint(0, 20)
            n = 0
            for _ in range(k):
                if self.add_ip(
                    i,
                    R.choice(["lacunar", "htn", "gastritis", "spine", "chd", "dm", "copd"]),
                    day,
                    fix=R.choice(hs),
                    los=R.randint(4, 9),
                    force=True,
                ):
                    n += 1
                day += R.randint(14, 40)
                if day > 350:
                    break
            if n >= 4:
                self.label("psn", P["psn_no"][i], "频繁住院")

    def _freq_op(self):
        R = self.R
        P = self.P
        cand = self.persons_where(
            lambda i: 55 <= P["age"][i] <= 80 and P["ins"][i] == "310" and self.alive_all_year(i),
            self.scale(110),
        )
        cand += self.persons_where(
            lambda i: 55 <= P["age"][i] <= 80 and self.alive_all_year(i) and i not in cand, self.scale(40)
        )
        for i in cand:
            self.used.add(i)
            ci = P["county"][i]
            hs = [
                self.pick_kind(k, ci)
                for k in R.sample(["county", "township", "tcm", "private", "community"], R.randint(2, 5))
            ]
            k = R.randint(40, 90) if R.random() > 0.3 else R.randint(25, 35)
            dxs = [
                CHRONIC[c][0] for c in (self.cond[i] or []) if CHRONIC[c][0] in ("htn", "chd", "i69", "dm")
            ] or [R.choice(["htn", "chd", "i69"])]
            for d in sorted(R.sample(range(NDAYS), k)):
                self.add_visit(i, R.choice(hs), d, "op", "11", R.choice(dxs), dict(hv=True))
            self.label("psn", P["psn_no"][i], "频繁就诊")

    def _overdrug(self):
        R = self.R
        P = self.P
        cand = [i for i in self.mt_fix if i not in self.used and self.alive_all_year(i) and P["age"][i] < 85]
        R.shuffle(cand)
        for i in cand[: self.scale(200)]:
            self.used.add(i)
            fixes = [self.mt_fix[i]]
            if R.random() < 0.35:
                fixes.append(self.pick_kind(R.choice(["county", "tcm", "township"]), P["county"][i]))
            subtle = R.random() < 0.4
            day = R.randint(0, 20)
            dx = CHRONIC[self.reg_of[i][0][0]][0] or "htn"
            n = 0
            while day < NDAYS:
                if self.add_visit(i, R.choice(fixes), day, "mt", "14", dx, dict(days=30, resell=True)):
                    n += 1
                day += R.randint(18, 23) if subtle else R.randint(7, 15)
            if n:
                self.label("psn", P["psn_no"][i], "超量开药倒卖药品")

    def _acct_cashout(self):
        R = self.R
        P = self.P
        sw = self.fr.get("ph_swap", [])
        for i in self.persons_where(
            lambda i: P["ins"][i] == "310" and 25 <= P["age"][i] <= 75 and self.alive_all_year(i),
            self.scale(200),
        ):
            self.used.add(i)
            ci = P["county"][i]
            phs = [R.choice(sw)] if sw and R.random() < 0.6 else [self.pick_kind("pharm", ci)]
            if R.random() < 0.4:
                phs.append(self.pick_kind("pharm", ci))
            k = R.randint(8, 20)
            days = sorted(R.sample(range(NDAYS), k))
            if R.random() < 0.5:
                days += [R.randint(340, 364) for _ in range(R.randint(1, 3))]
            for d in days:
                t = int((19.5 + R.random() * 2.5) * 3600) if R.random() < 0.4 else None
                self.add_visit(i, R.choice(phs), d, "ph", "41", None, dict(mode="cashout"), t=t)
            self.label("psn", P["psn_no"][i], "个人账户套现")

    def _impostor(self):
        R = self.R
        P = self.P
        n = 0
        want = self.scale(120)
        idx = list(range(self.N))
        R.shuffle(idx)
        for i in idx:
            if n >= want:
                break
            if i in self.used or not (18 <= P["age"][i] <= 50) or self.cond[i] or not self.alive_all_year(i):
                continue
            rel = [m for m in self.hh_members[P["hh"][i]] if P["age"][m] >= 55 and P["sex"][m] == P["sex"][i]]
            if not rel and R.random() < 0.7:
                continue
            reg = (self.regimen[rel[0]] if rel and self.regimen[rel[0]] else None) or R.choice(
                [["amlo", "aspi", "ator"], ["metf", "acarb"], ["clop", "ator", "nxt"]]
            )
            dx = "dm" if "metf" in reg or "glarg" in reg else ("i69" if "clop" in reg else "htn")
            self.used.add(i)
            k = 0
            for d in sorted(R.sample(range(NDAYS), R.randint(4, 10))):
                if self.add_visit(
                    i,
                    self.home_hc(i) if R.random() < 0.6 else self.pick_kind("county", P["county"][i]),
                    d,
                    "op",
                    "11",
                    dx,
                    dict(chronic=True, regimen=reg),
                ):
                    k += 1
            if R.random() < 0.6:
                for _ in range(R.choice([1, 1, 2])):
                    if self.add_ip(
                        i, R.choice(["stroke", "copd", "chd", "lacunar", "hf"]), self.rday(0, 350)
                    ):
                        k += 1
            if k:
                n += 1
                self.label("psn", P["psn_no"][i], "冒名就医")

    def _mismatch(self):
        R = self.R
        P = self.P
        cand = self.persons_where(
            lambda i: 20 <= P["age"][i] <= 75 and self.alive_all_year(i), self.scale(68)
        )
        cand += self.persons_where(
            lambda i: 3 <= P["age"][i] <= 12 and self.alive_all_year(i), self.scale(12)
        )
        for i in cand:
            self.used.add(i)
            a = P["age"][i]
            if a <= 12:
                mode, dx = "child", R.choice(["ad", "i69", "uri"])
            elif P["sex"][i] == "1":
                mode, dx = "male", R.choice(["vagin", "vagin", "uri", "gastr"])
            else:
                mode, dx = "female", R.choice(["bph", "bph", "uri", "htn"])
            ci = P["county"][i]
            for _ in range(R.randint(1, 3)):
                fx = self.pick_kind(R.choice(["private", "township", "county"]), ci)
                self.add_visit(i, fx, self.rday(), "op", "11", dx, dict(mismatch=mode))
            self.label("psn", P["psn_no"][i], "诊疗与性别年龄不符")

    def _after_death(self):
        R = self.R
        P = self.P
        dead = [i for i, d in self.death.items() if d < 300 and i not in self.used]
        dead.sort(key=lambda i: (self.death[i] >= 0, R.random()))
        for i in dead[: self.scale(40)]:
            self.used.add(i)
            d = self.death[i]
            day = max(d, -1) + R.randint(8, 45)
            reg = self.regimen[i] or ["amlo", "aspi", "ator"]
            ph = self.fav_ph(i)[0]
            mt = self.mt_fix.get(i)
            n = 0
            for _ in range(R.randint(2, 10)):
                if day >= NDAYS:
                    break
                if mt is not None and R.random() < 0.5:
                    ep = self.add_visit(
                        i,
                        mt,
                        day,
                        "mt",
                        "14",
                        CHRONIC[self.reg_of[i][0][0]][0] or "htn",
                        dict(days=30, after_death=True),
                    )
                else:
                    ep = self.add_visit(
                        i,
                        ph,
                        day,
                        "ph",
                        "41",
                        None,
                        dict(mode="chronic", days=30, regimen=reg, after_death=True),
                    )
                if ep:
                    n += 1
                day += R.randint(25, 40)
            if n:
                self.label("psn", P["psn_no"][i], "死亡后结算")

    def _refund_cashout(self):
        R = self.R
        P = self.P
        cand = [i for i in self.mt_fix if i not in self.used and self.alive_all_year(i)]
        R.shuffle(cand)
        cand = cand[: self.scale(35)]
        cand += self.persons_where(
            lambda i: P["ins"][i] == "310" and self.alive_all_year(i) and P["age"][i] >= 30, self.scale(25)
        )
        for i in cand:
            self.used.add(i)
            for d in sorted(R.sample(range(NDAYS), R.randint(4, 10))):
                if i in self.mt_fix and R.random() < 0.6:
                    self.add_visit(
                        i,
                        self.mt_fix[i],
                        d,
                        "mt",
                        "14",
                        CHRONIC[self.reg_of[i][0][0]][0] or "htn",
                        dict(days=30, cashrefund=True),
                    )
                else:
                    self.add_visit(
                        i, self.fav_ph(i)[0], d, "ph", "41", None, dict(mode="cashout", cashrefund=True)
                    )
            self.label("psn", P["psn_no"][i], "退费套现")

    def _offlabel(self):
        R = self.R
        P = self.P
        cnt = {}
        for ep in self.EP:
            if ep[7] == "mt" and not (ep[8] and len(ep[8]) > 1):
                cnt.setdefault(ep[3], []).append(ep)
        cand = [i for i, v in cnt.items() if len(v) >= 4 and i not in self.used]
        R.shuffle(cand)
        for i in cand[: self.scale(80)]:
            self.used.add(i)
            p = R.uniform(0.5, 1.0)
            for ep in cnt[i]:
                if R.random() < p:
                    ep[8] = dict(ep[8] or {}, offlabel=True)
            self.label("psn", P["psn_no"][i], "门慢超范围用药")

    # ================================================================= fee lines + settlements
    SWAP = {
        "amlo": "amlo_b",
        "acu": "eacu",
        "dressing_s": "dressing_l",
        "dr_chest": "ct_chest",
        "glu": "hba1c",
        "tens": "pt",
        "ivgtt_add": "ivgtt",
        "us_carotid": "us_heart",
    }
    OVEREXAM_IP = [
        "ct_head",
        "ct_chest",
        "us_abd",
        "us_heart",
        "us_carotid",
        "holter",
        "tumor",
        "thyroid",
        "hbv",
        "coag",
        "bnp",
        "lipid",
    ]
    OVEREXAM_OP = ["us_abd", "ecg", "cbc", "lft", "rft", "lipid", "ct_head", "us_carotid"]
    RESALE = ["glarg", "clop", "nbp", "salf", "tio", "dsdw", "sema", "agnh"]

    def svc_price(self, it, tier):
        p = it["price"]
        if tier == 3 and it["typ"] in ("01", "02", "05", "06", "07"):
            p = int(p * 1.2)
        if it["typ"] in ("02", "03", "04", "05", "06", "07", "01", "12") and tier in (1, 2):
            p = int(round(p * TIER_F[tier] / 10.0)) * 10
        return p

    def new_code(self, it):
        it["serial"] += self.R.randint(1, 40)
        s = it["serial"]
        if it["gs1"]:
            return "%s21%010d" % (it["prod"], s)
        return "%s%09d%04d" % (it["prod"], s % 10**9, (s * 7919 + int(it["prod"])) % 10000)

    def L(self, key, cnt=1, t=None, pric=None, days=None, freq=None, dr=-1, trace=None, trdn=None):
        it_i = IK[key]
        if self.cur_swap and key in self.SWAP and self.R.random() < self.cur_swap:
            it_i = IK[self.SWAP[key]]
        it = ITEMS[it_i]
        if pric is None:
            pric = it["unit_price"] if (it["drug"] and trdn == "1") else self.svc_price(it, self.cur_tier)
        det = int(round(cnt * pric))
        self.cur.append(
            (
                it_i,
                cnt,
                pric,
                det,
                self.cur_t if t is None else t,
                days,
                freq,
                self.cur_doc if dr == -1 else dr,
                trace,
                trdn,
            )
        )
        return it_i

    def coded(self, day):
        return day >= self.cur_adopt and self.R.random() < (0.95 if self.cur_kind == "pharm" else 0.85)

    def drug_box(self, key, boxes, days=None, t=None, resell=False):
        it = ITEMS[IK[key]]
        day = (self.cur_t if t is None else t) // DAY
        codes = None
        if self.coded(day):
            codes = []
            R = self.R
            for _ in range(int(boxes)):
                c = None
                if self.cur_fraud == "ph_trace" and key in self.RESALE and R.random() < 0.35:
                    pool = self.resale_pool.get(key) if R.random() < 0.6 else self.own_pool.get(self.cur_fix)
                    if pool:
                        c = pool.pop(R.randrange(len(pool)))
                if c is None:
                    rp = self.returned.get(self.cur_fix)
                    if rp and rp[-1][0] == key and R.random() < 0.3:
                        c = rp.pop()[1]  # legit: a returned, unopened box sold again
                if c is None:
                    c = self.new_code(it)
                codes.append(c)
                if resell and R.random() < 0.5:
                    self.resale_pool.setdefault(key, []).append(c)
                if self.cur_fraud == "ph_trace" and R.random() < 0.15:
                    self.own_pool.setdefault(self.cur_fix, []).append(c)
            codes = ",".join(codes)
        return self.L(key, boxes, t, days=days, freq=it["freq"], trace=codes, trdn="0")

    def drug_split(self, key, units, t, st):
        it = ITEMS[IK[key]]
        if it["per_box"] == 1 and units < 1:
            if key in st:
                return
            st[key] = None
            units = 1
        codes = None
        day = t // DAY
        if self.cur_coded:
            ob = st.get(key)
            need = units
            cl = []
            while need > 1e-9:
                if not ob or ob[1] <= 1e-9:
                    ob = [self.new_code(it), it["per_box"]]
                    st[key] = ob
                take = min(need, ob[1])
                ob[1] -= take
                need -= take
                cl.append(ob[0])
            codes = ",".join(dict.fromkeys(cl))
        self.L(key, units, t, freq=it["freq"], trace=codes, trdn="1")

    def boxes_for(self, key, days):
        it = ITEMS[IK[key]]
        return max(1, int(math.ceil(days * it["per_day"] / it["per_box"] - 0.05)))

    # ---------------------------------------------------------------- builders per visit kind
    def build_op(self, ep):
        R = self.R
        i = ep[3]
        o = ep[8] or {}
        dx = ep[6]
        tier = self.cur_tier
        if ep[7] == "er":
            self.L("reg")
            self.L("zc_er")
        elif tier == 1:
            self.L("gen_op")
        else:
            self.L("reg")
            self.L("zc_op")
        if o.get("fake"):
            self.drug_box(R.choice(["dsdw", "amlo", "lhqw"]), 1, days=7)
            self.drug_box(R.choice(["yxy", "omep", "irb"]), 1, days=7)
            return
        tpl = OPT.get(dx)
        if ep[7] == "inf":
            self.L("ivgtt")
            self.L("ivgtt_add")
            st = self.inf_state.setdefault((i, ep[4], ep[1] // DAY - o.get("k", 0)), {})
            self.drug_split(
                "cefur_inj" if R.random() < 0.6 else "levo_inj", 2 if R.random() < 0.6 else 1, self.cur_t, st
            )
            self.drug_split("ns", 2, self.cur_t, {})
            if self.P["age"][i] >= 55 and R.random() < 0.5:
                self.drug_split("xst", 1, self.cur_t, st)
            return
        if tpl:
            for it, p in tpl[2]:
                if R.random() < p:
                    self.L(it)
            for it, p in tpl[3]:
                if R.random() < p:
                    self.L(it)
        if self.cur_fraud == "overexam" and R.random() < 0.7:
            for it in self.OVEREXAM_OP:
                if R.random() < 0.6:
                    self.L(it)
        if o.get("chronic"):
            reg = o.get("regimen") or self.regimen[i] or ["amlo"]
            days = R.choice([14, 28, 30])
            for d in reg:
                self.drug_box(d, self.boxes_for(d, days), days=days)
        elif o.get("hv"):
            for d in R.sample(["dsdw", "nbp", "clop", "nxt", "txl", "salf", "ator", "isdn"], R.randint(1, 3)):
                self.drug_box(d, R.randint(1, 3), days=R.choice([7, 14]))
        elif tpl and tpl[0]:
            n = R.randint(*tpl[1])
            for d in R.sample(tpl[0], min(n, len(tpl[0]))):
                self.drug_box(d, R.choice([1, 2, 2, 3]), days=R.choice([3, 5, 7]))
        mm = o.get("mismatch")
        if mm == "male":
            for it in R.sample(["us_gyn", "tct", "hpv"], R.randint(1, 2)):
                self.L(it)
            if R.random() < 0.6:
                self.drug_box("clot", R.randint(1, 3), days=3)
            if R.random() < 0.3:
                self.drug_box("prog", R.randint(3, 6), days=5)
        elif mm == "female":
            for it in R.sample(["psa", "us_prostate"], R.randint(1, 2)):
                self.L(it)
            self.drug_box(R.choice(["tams", "fina"]), R.randint(2, 4), days=30)
        elif mm == "child":
            self.drug_box(R.choice(["done", "nbp"]), R.randint(1, 3), days=14)
        if self.cur_fraud == "dup" and R.random() < 0.15 and len(self.cur) > 1:
            self.cur.append(self.cur[R.randrange(1, len(self.cur))])

    def build_mt(self, ep):
        R = self.R
        i = ep[3]
        o = ep[8] or {}
        if self.cur_tier == 1:
            self.L("gen_op")
        else:
            self.L("zc_op")
        days = o.get("days", 30)
        reg = self.regimen[i] or ["amlo"]
        for d in reg:
            self.drug_box(d, self.boxes_for(d, days), days=days, resell=o.get("resell", False))
        dx = ep[6]
        if dx == "dm" and R.random() < 0.3:
            self.L("hba1c")
        elif dx in ("htn", "chd") and R.random() < 0.12:
            self.L(R.choice(["rft", "ecg", "lipid"]))
        if o.get("resell"):
            rr = random.Random(i)
            extra = rr.sample(["glarg", "clop", "nbp", "salf", "dsdw", "tio", "sema"], 2)
            for d in extra:
                self.drug_box(d, max(2, self.boxes_for(d, days)) + R.randint(0, 2), days=days, resell=True)
        if o.get("offlabel"):
            for d in R.sample(
                ["lhqw", "amox", "omep", "cefix", "lora", "agnh", "mvit", "hydro", "smect"], R.randint(1, 3)
            ):
                self.drug_box(d, R.randint(1, 3), days=7)
        if self.cur_fraud == "swap" or self.cur_fraud == "overexam":
            if R.random() < 0.3:
                self.L(R.choice(["us_carotid", "us_heart", "ct_head"]))

    def build_dial(self, ep):
        st = {}
        self.L("hd")
        self.L("dialyzer")
        self.L("hd_tubing")
        self.drug_split("lmwh", 1, self.cur_t, st)
        self.drug_split("ns", 2, self.cur_t, st)
        if self.R.random() < 0.5:
            self.drug_box("epo", 1)
        if self.R.random() < 0.08:
            self.L(self.R.choice(["cbc", "rft", "lytes"]))

    def build_ph(self, ep):
        R = self.R
        i = ep[3]
        o = ep[8] or {}
        mode = o.get("mode", "otc")
        self.cur_doc = None
        if self.cur_fraud == "ph_swap" and mode == "otc" and R.random() < 0.35:
            mode = "swapped"
        if mode == "chronic":
            reg = o.get("regimen") or self.regimen[i] or ["amlo"]
            days = o.get("days", 30)
            self.cur_doc = R.choice(self.rx_docs) if R.random() < 0.6 else None
            for d in R.sample(reg, R.randint(1, len(reg))):
                self.drug_box(d, self.boxes_for(d, days), days=days)
        elif mode in ("cashout", "swapped"):
            for d in R.sample(HIGHVAL, R.randint(2, 4)):
                self.drug_box(d, R.randint(2, 6) if d != "agnh" else R.randint(1, 2), days=30)
        else:
            for d in set(R.choices(OTC, OTC_W, k=R.randint(1, 3))):
                self.drug_box(d, R.choice([1, 1, 1, 2]), days=R.choice([3, 5, 7]))
        if self.cur_fraud == "ph_trace" and R.random() < 0.4:
            for d in R.sample(self.RESALE, R.randint(1, 2)):
                self.drug_box(d, R.randint(1, 3), days=30)

    def build_ip(self, ep):
        R = self.R
        i = ep[3]
        o = ep[8]
        c = IPC[o["cat"]]
        los = max(1, o["los"])
        hang = o.get("hang", False)
        rr = random.Random(o["tpl"]) if o.get("tpl") else R
        day0 = ep[1] // DAY
        t0 = ep[1]
        st = {}
        self.cur_coded = self.coded(day0)
        tt = t0 + 3600
        for it, p in c["tests"]:
            if rr.random() < p:
                self.L(it, t=tt + R.randint(0, 7200))
        if self.cur_fraud == "overexam":
            for it in self.OVEREXAM_IP:
                if R.random() < 0.85:
                    self.L(it, t=tt + DAY + R.randint(0, 7200))
            if R.random() < 0.4:
                self.L("mri_head", t=tt + DAY)
        iv = [(d, u) for d, u, p in c["iv"] if rr.random() < p]
        if c["iv"] and not iv:
            iv = [(c["iv"][0][0], c["iv"][0][1])]
        oral = [(d, u) for d, u, p in c["oral"] if rr.random() < p]
        inj = [(d, u) for d, u, p in c.get("inj", []) if rr.random() < p]
        iv_days = (
            min(los, rr.randint(5, 10))
            if o["cat"] not in ("chemo", "deliv_v", "deliv_c", "cataract")
            else min(los, 2)
        )
        sd = 2 if o["cat"] == "hipfx" else (0 if o["cat"].startswith("deliv") else 1)
        nurse = "nurse1" if o.get("death") else c["nurse"]
        vip = R.random() < 0.04 and self.cur_tier == 3
        if o["cat"] == "chemo":
            ca = o.get("ca", "ca_lung")
            if (o.get("cyc", 0) % 2) == 1:
                self.L("ct_chest", t=tt)
        tier = self.cur_tier
        severe = nurse == "nurse1" or o["cat"] in ("stroke", "hf", "copd")
        extra_iv = []
        if o["cat"] not in ("chemo", "cataract", "deliv_v", "psych", "rehab"):
            if rr.random() < (0.75 if tier == 3 else 0.5):
                extra_iv.append(("panto_inj", 1))
            if rr.random() < (0.5 if tier == 3 else 0.3):
                extra_iv.append(("aa18", 1))
            if (
                o["cat"] in ("pneu", "copd", "chd", "hf", "lacunar", "stroke", "htn", "dm", "spine")
                and rr.random() < 0.5
            ):
                extra_iv.append(("smzs" if rr.random() < 0.5 else "xst", 1))
        alb_days = 3 if (severe and tier == 3 and rr.random() < 0.3) else 0
        mon_days = min(los, rr.randint(2, 6)) if severe else 0
        retest = [d for d in (3, 6, 10) if d < los - 1]
        for dd in range(los):
            td = (day0 + dd) * DAY + 8 * 3600 + R.randint(0, 3000)
            self.L("bed", t=td)
            self.L(nurse, t=td)
            self.L("zc_ip", t=td)
            if dd < mon_days and not (hang and dd >= 2):
                self.L("monitor", t=td)
                self.L("spo2", t=td)
            if dd in retest and not (hang and dd >= 2):
                for it in ("cbc", "crp", "lft", "rft", "lytes"):
                    if rr.random() < (0.7 if tier >= 2 else 0.4):
                        self.L(it, t=td + 600)
            if dd < alb_days:
                self.drug_split("alb", 1, td + 1800, st)
            if vip:
                self.L("vipbed", t=td)
            if c.get("newborn"):
                self.L("nb_care", t=td)
            if self.cur_fraud == "dup" and R.random() < 0.25:
                self.cur.append(self.cur[-3 if R.random() < 0.5 else -2])
            if hang and dd >= 2:
                if R.random() < 0.3 and oral:
                    self.drug_split(oral[0][0], oral[0][1], td + 1800, st)
                continue
            if dd < iv_days and (iv or extra_iv):
                for d, u in iv + extra_iv:
                    self.drug_split(d, u, td + 1800, st)
                    self.drug_split("ns", 1, td + 1800, st)
                n_iv = len(iv) + len(extra_iv)
                self.L("ivgtt", t=td + 1800)
                self.L("ivset", n_iv, t=td + 1800)
                if n_iv > 1:
                    self.L("ivgtt_add", n_iv - 1, t=td + 1800)
            for d, u in oral:
                self.drug_split(d, u, td + 3600, st)
            for d, u in inj:
                if dd >= sd:
                    self.drug_split(d, u, td + 3700, st)
            for it, p in c["treat"]:
                if rr.random() < p:
                    self.L(it, t=td + 5400)
            if dd == sd:
                for it in c["surg"]:
                    if ITEMS[IK[it]]["drug"]:
                        self.drug_split(it, 1, td + 7200, st)
                    else:
                        self.L(it, t=td + 7200)
                if c.get("newborn"):
                    self.L("nb_hear", t=td + DAY // 2)
                    self.L("nb_screen", t=td + DAY // 2)
            if o["cat"] == "chemo" and dd == 1:
                for d, u in CHEMO_REG.get(o.get("ca", "ca_lung"), []):
                    self.drug_split(d, u, td + 2400, st)
            if nurse == "nurse1" and self.P["age"][i] >= 70 and R.random() < 0.5:
                self.L("pad", R.randint(2, 4), t=td + 600)
        if o.get("death"):
            return
        tdis = ep[2] - 1800
        for d, p in c["dis"]:
            if rr.random() < p:
                self.drug_box(d, self.boxes_for(d, 14), days=14, t=tdis)

    # ---------------------------------------------------------------- settlement policy (绥化 2025-like)
    def policy(self, i, f, mt, tot, own, yi, ep, month):
        P = self.P
        emp = P["ins"][i] == "310"
        ret = P["retired"][i]
        tier = max(1, f["tier"])
        idet = P["idet"][i]
        elig = max(0, tot - own - yi // 10)
        hifp = big = maf = 0
        if mt in ("21", "52"):
            n = self.ipn.get(i, 0)
            self.ipn[i] = n + 1
            if mt == "52":
                hifp = int(elig * (0.9 if emp else 0.75))
            else:
                ded = ({1: 20000, 2: 40000, 3: 70000} if emp else {1: 20000, 2: 50000, 3: 80000})[tier]
                if n >= 1:
                    ded //= 2
                if idet == "01":
                    ded = 0
                elif idet == "03":
                    ded //= 2
                ratio = (
                    ({1: 0.90, 2: 0.88, 3: 0.85}[tier] + (0.05 if ret else 0))
                    if emp
                    else {1: 0.85, 2: 0.75, 3: 0.60}[tier]
                )
                if idet in ("01", "03"):
                    ratio = min(0.95, ratio + 0.05)
                hifp = int(max(0, elig - ded) * ratio)
                rest = elig - hifp
                if not emp and rest > 1500000:
                    big = int((rest - 1500000) * 0.6)
                rest -= big
                maf = int(rest * {"01": 1.0, "02": 0.7, "03": 0.5, "04": 0.5}.get(idet, 0))
        elif mt == "14":
            if ep[6] == "ckd5":
                hifp = int(elig * (0.9 if emp else 0.8))
            else:
                ratio = (0.8 if emp else 0.65) + (0.05 if ret else 0)
                cap = (500000 if emp else 300000) - self.mt_used.get(i, 0)
                hifp = max(0, min(int(elig * ratio), cap))
                self.mt_used[i] = self.mt_used.get(i, 0) + hifp
        elif mt in ("11", "13", "51", "41"):
            if mt == "51":
                hifp = int(elig * (0.8 if emp else 0.6))
            else:
                if mt == "41":
                    if not (
                        f["opc"]
                        and (ep[8] or {}).get("mode") in ("chronic", "cashout", "swapped")
                        and ep[6] is not None
                    ):
                        elig = 0
                    tier = 1
                    rr = 0.5
                elif emp:
                    rr = {1: 0.6, 2: 0.55, 3: 0.5}[tier] + (0.1 if ret else 0)
                else:
                    rr = {1: 0.6, 2: 0.5, 3: 0.0}[tier]
                if emp:
                    cum = self.op_cum.get(i, 0)
                    self.op_cum[i] = cum + elig
                    over = max(0, cum + elig - 20000) - max(0, cum - 20000)
                    cap = (400000 if ret else 300000) - self.op_used.get(i, 0)
                else:
                    over = elig
                    cap = 40000 - self.op_used.get(i, 0)
                hifp = max(0, min(int(over * rr), cap))
                self.op_used[i] = self.op_used.get(i, 0) + hifp
        fund = hifp + big + maf
        acct = 0
        if emp:
            avail = self.acct_init[i] + self.acct_year[i] * (month + 1) // 12 - self.acct_spent.get(i, 0)
            if avail > 0:
                if mt in ("21", "52"):
                    if self.R.random() < 0.3:
                        acct = min(avail, (tot - fund) // 2)
                elif self.R.random() < 0.92 or (ep[8] or {}).get("mode") == "cashout":
                    acct = min(avail, tot - fund)
            self.acct_spent[i] = self.acct_spent.get(i, 0) + acct
        return hifp, fund, acct

    # ---------------------------------------------------------------- run the settlement engine month by month
    def settle_all(self, out):
        R = self.R
        P = self.P
        F = self.F
        self.EP.sort(key=lambda e: e[0])
        self.ipn, self.mt_used, self.op_used, self.op_cum, self.acct_spent = {}, {}, {}, {}, {}
        self.resale_pool, self.own_pool, self.returned, self.inf_state = {}, {}, {}, {}
        self.rx_docs = [d for n in self.byk["county"] for d in F[n]["docs"]]
        self.rowcount = {"mdtrt": 0, "setl": 0, "fee_list": 0}
        self.stats = {"refund_legit": 0, "refund_cash": 0, "resettle": 0, "resent_setl": 0}
        END = NDAYS * DAY - 1
        mserial = 0
        sserial = 60000000
        resend_days = set(range(68, 75))  # 2025-03-10..16 delivered twice
        res = {"mdtrt": [], "setl": [], "fee": []}
        month = 0
        buf = self._newbuf()
        for ep in self.EP:
            if ep[0] < 0:
                continue  # settled in 2024: outside this extract
            ts = min(ep[0], END)
            m = (BASE + dt.timedelta(seconds=ts)).month - 1
            while m > month:
                self._flush(out, month, buf)
                buf = self._newbuf()
                month += 1
            i = ep[3]
            f = F[ep[4]]
            self.cur = []
            self.cur_t = ep[1] + 120
            self.cur_tier = f["tier"]
            self.cur_fix = ep[4]
            self.cur_fraud = f["fraud"]
            self.cur_kind = f["kind"]
            self.cur_adopt = f["adopt"]
            self.cur_swap = (f["fraud_p"] + 0.1) if f["fraud"] == "swap" else 0
            o = ep[8] or {}
            self.cur_doc = o.get("doc") or R.choice(f["docs"])
            self.cur_coded = False
            k = ep[7]
            if k in ("op", "er", "inf", "pre"):
                self.build_op(ep)
            elif k == "mt":
                self.build_mt(ep)
            elif k == "dial":
                self.build_dial(ep)
            elif k == "ph":
                self.build_ph(ep)
            else:
                self.build_ip(ep)
            lines = self.cur
            if not lines:
                continue
            mserial += 1
            d0 = BASE + dt.timedelta(seconds=ep[1])
            mid = "%s%s%08d" % (f["adm"], d0.strftime("%y%m%d"), mserial)
            dxk = ep[6]
            dcode = dname = None
            if dxk:
                if k == "ip" and o.get("cat") == "chemo" and R.random() < 0.4:
                    dxk = o.get("ca", "ca_lung")
                dcode, dname, dept = DX[dxk]
                if R.random() < 0.02:
                    dname = None
            if k == "ph":
                dept = None
                if not (o.get("mode") == "chronic" and f["opc"]):
                    dcode = dname = None
            elif not dxk:
                dept = None
            atddr = None if (k == "ph" or R.random() < 0.03) else self.cur_doc
            if k == "ph" and dcode:
                atddr = None
            buf["m"].append(
                (
                    mid,
                    i,
                    ep[4],
                    ep[5],
                    ep[1],
                    ep[2],
                    dcode,
                    dname,
                    dept,
                    atddr,
                    ("ZY%s%06d" % (d0.strftime("%y"), mserial % 1000000))
                    if k == "ip"
                    else ("MZ%010d" % mserial),
                )
            )
            # ---- settlement
            tot = sum(l[3] for l in lines)
            own = sum(l[3] for l in lines if ITEMS[l[0]]["lv"] == "3")
            yi = sum(l[3] for l in lines if ITEMS[l[0]]["lv"] == "2")
            hifp, fund, acct = self.policy(i, f, ep[5], tot, own, yi, ep, m)
            sserial += 1
            sid = "%s%s%08d" % (f["adm"], (BASE + dt.timedelta(seconds=ts)).strftime("%y%m%d"), sserial)
            srows = [(sid, mid, i, ep[4], ep[5], ts, tot, own, hifp, fund, acct, tot - fund - acct, "0")]
            lsets = [(lines, sid, 1)]
            # ---- refunds
            rtype = None
            if o.get("cashrefund"):
                rtype = "cash"
            elif k == "ph" and R.random() < 0.014:
                rtype = "full" if R.random() < 0.55 else "part"
            elif k in ("op", "mt") and R.random() < 0.004:
                rtype = "part"
            elif k == "ip" and R.random() < 0.012:
                rtype = "resettle"
            if rtype:
                if rtype == "cash":
                    rt = min(END, ts + R.randint(3600, 3 * DAY))
                    sel = lines if R.random() < 0.6 else [max(lines, key=lambda l: l[3])]
                    X = sum(l[3] for l in sel)
                    fr_, ar_, cr_ = 0, 0, X
                    self.stats["refund_cash"] += 1
                elif rtype == "full" or rtype == "resettle":
                    rt = min(
                        END, ts + (R.randint(300, 3600) if rtype == "full" else R.randint(3600, 2 * DAY))
                    )
                    sel = lines
                    X = tot
                    fr_, ar_, cr_ = fund, acct, tot - fund - acct
                    hr_ = hifp
                    self.stats["refund_legit"] += 1
                else:
                    rt = min(END, ts + R.randint(600, 7 * DAY))
                    cand = [l for l in lines if ITEMS[l[0]]["drug"] or ITEMS[l[0]]["typ"] in ("03", "04")]
                    sel = [R.choice(cand or lines)]
                    X = sel[0][3]
                    fr_ = int(round(fund * X / tot)) if tot else 0
                    ar_ = int(round(acct * X / tot)) if tot else 0
                    cr_ = X - fr_ - ar_
                    self.stats["refund_legit"] += 1
                    if sel[0][8] and k == "ph":
                        for cd in sel[0][8].split(","):
                            self.returned.setdefault(ep[4], []).append((ITEMS[sel[0][0]]["key"], cd))
                if rtype != "cash" and rtype != "full" and rtype != "resettle":
                    hr_ = int(round(hifp * X / tot)) if tot else 0
                    hr_ = min(hr_, fr_)
                elif rtype == "cash":
                    hr_ = 0
                if ep[5] in ("11", "13", "41") and rtype != "cash":
                    self.op_used[i] = self.op_used.get(i, 0) - hr_
                self.acct_spent[i] = self.acct_spent.get(i, 0) - ar_
                sserial += 1
                rid = "%s%s%08d" % (f["adm"], (BASE + dt.timedelta(seconds=rt)).strftime("%y%m%d"), sserial)
                srows.append(
                    (
                        rid,
                        mid,
                        i,
                        ep[4],
                        ep[5],
                        rt,
                        -X,
                        -sum(l[3] for l in sel if ITEMS[l[0]]["lv"] == "3"),
                        -hr_,
                        -fr_,
                        -ar_,
                        -cr_,
                        "1",
                    )
                )
                neg = [(l[0], -l[1], l[2], -l[3], rt, l[5], l[6], l[7], l[8], l[9]) for l in sel]
                lsets.append((neg, rid, 2))
                if rtype == "resettle":
                    self.stats["resettle"] += 1
                    keep = (
                        [l for n, l in enumerate(lines) if n != R.randrange(len(lines))]
                        if len(lines) > 3
                        else list(lines)
                    )
                    t2 = min(END, rt + R.randint(600, 6 * 3600))
                    new = [(l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7], l[8], l[9]) for l in keep]
                    tot2 = sum(l[3] for l in new)
                    own2 = sum(l[3] for l in new if ITEMS[l[0]]["lv"] == "3")
                    yi2 = sum(l[3] for l in new if ITEMS[l[0]]["lv"] == "2")
                    self.ipn[i] = self.ipn.get(i, 1) - 1
                    h2, f2, a2 = self.policy(i, f, ep[5], tot2, own2, yi2, ep, m)
                    sserial += 1
                    sid2 = "%s%s%08d" % (
                        f["adm"],
                        (BASE + dt.timedelta(seconds=t2)).strftime("%y%m%d"),
                        sserial,
                    )
                    srows.append(
                        (sid2, mid, i, ep[4], ep[5], t2, tot2, own2, h2, f2, a2, tot2 - f2 - a2, "0")
                    )
                    lsets.append((new, sid2, 3))
            for r in srows:
                buf["s"].append(r)
            ln = 0
            for ls, sid_, kind in lsets:
                for l in ls:
                    ln += 1
                    buf["f"].append(("%s%04d" % (mid, ln), mid, sid_ if R.random() > 0.004 else None) + l)
            # ---- re-sent deliveries
            if (ep[1] // DAY) in resend_days or R.random() < 0.002:
                res["mdtrt"].append(buf["m"][-1])
                res["setl"].extend(srows)
                res["fee"].extend(buf["f"][-ln:])
        self._flush(out, month, buf)
        self.stats["resent_setl"] = len(res["setl"])
        self._write_tables(out, "resend_20260108", {"m": res["mdtrt"], "s": res["setl"], "f": res["fee"]})

    def _newbuf(self):
        return {"m": [], "s": [], "f": []}

    def _flush(self, out, month, buf):
        self._write_tables(out, "2025%02d" % (month + 1), buf, count=True)

    def _write_tables(self, out, tag, buf, count=False):
        P = self.P
        F = self.F
        ts_base = np.datetime64("2025-01-01T00:00:00", "us")

        def tsarr(secs):
            a = ts_base + (np.asarray(secs, dtype=np.int64) * 1000000).astype("timedelta64[us]")
            return pa.array(a, type=pa.timestamp("us"))

        def dec(cents):
            return pa.array(np.asarray(cents, dtype=np.int64) / 100.0).cast(pa.decimal128(16, 2))

        def sarr(v):
            return pa.array(v, type=pa.string())

        if buf["m"]:
            m = buf["m"]
            tb = pa.table(
                {
                    "mdtrt_id": sarr([r[0] for r in m]),
                    "psn_no": sarr([P["psn_no"][r[1]] for r in m]),
                    "fixmedins_code": sarr([F[r[2]]["code"] for r in m]),
                    "med_type": sarr([r[3] for r in m]),
                    "begntime": tsarr([r[4] for r in m]),
                    "endtime": tsarr([r[5] for r in m]),
                    "dise_codg": sarr([r[6] for r in m]),
                    "dise_name": sarr([r[7] for r in m]),
                    "adm_dept_codg": sarr([r[8] for r in m]),
                    "atddr_no": sarr([r[9] for r in m]),
                    "ipt_otp_no": sarr([r[10] for r in m]),
                }
            )
            pq.write_table(tb, os.path.join(out, "mdtrt", "mdtrt_%s.parquet" % tag), compression="zstd")
            if count:
                self.rowcount["mdtrt"] += len(m)
        if buf["s"]:
            s = buf["s"]
            ins = [P["ins"][r[2]] if self.R.random() > 0.01 else None for r in s]
            own = [r[7] for r in s]
            tb = pa.table(
                {
                    "setl_id": sarr([r[0] for r in s]),
                    "mdtrt_id": sarr([r[1] for r in s]),
                    "psn_no": sarr([P["psn_no"][r[2]] for r in s]),
                    "fixmedins_code": sarr([F[r[3]]["code"] for r in s]),
                    "med_type": sarr([r[4] for r in s]),
                    "setl_time": tsarr([r[5] for r in s]),
                    "medfee_sumamt": dec([r[6] for r in s]),
                    "fulamt_ownpay_amt": pa.array(
                        [None if (self.R.random() < 0.02) else x / 100.0 for x in own]
                    ).cast(pa.decimal128(16, 2)),
                    "hifp_pay": dec([r[8] for r in s]),
                    "fund_pay_sumamt": dec([r[9] for r in s]),
                    "acct_pay": dec([r[10] for r in s]),
                    "cash_payamt": dec([r[11] for r in s]),
                    "insutype": sarr(ins),
                    "refd_setl_flag": sarr([r[12] for r in s]),
                    "medins_setl_id": sarr(["%s-%s" % (F[r[3]]["code"][-5:], r[0][-8:]) for r in s]),
                }
            )
            pq.write_table(tb, os.path.join(out, "setl", "setl_%s.parquet" % tag), compression="zstd")
            if count:
                self.rowcount["setl"] += len(s)
        if buf["f"]:
            fl = buf["f"]
            R = self.R
            # (sn, mid, sid, item, cnt, pric, det, t, days, freq, dr, trace, trdn)
            tb = pa.table(
                {
                    "feedetl_sn": sarr([r[0] for r in fl]),
                    "mdtrt_id": sarr([r[1] for r in fl]),
                    "setl_id": sarr([r[2] for r in fl]),
                    "fee_ocur_time": tsarr([r[7] for r in fl]),
                    "med_list_codg": sarr([ITEMS[r[3]]["code"] for r in fl]),
                    "hilist_name": sarr([ITEMS[r[3]]["name"] if R.random() > 0.01 else None for r in fl]),
                    "med_chrgitm_type": sarr([ITEMS[r[3]]["typ"] for r in fl]),
                    "chrgitm_lv": sarr([ITEMS[r[3]]["lv"] if R.random() > 0.02 else None for r in fl]),
                    "cnt": pa.array([float(r[4]) for r in fl]).cast(pa.decimal128(16, 2), safe=False),
                    "pric": dec([r[5] for r in fl]),
                    "det_item_fee_sumamt": dec([r[6] for r in fl]),
                    "prd_days": pa.array([r[8] for r in fl], type=pa.int32()),
                    "used_frqu_dscr": sarr([r[9] for r in fl]),
                    "bilg_dr_codg": sarr([r[10] for r in fl]),
                    "drug_trac_codg": sarr([r[11] for r in fl]),
                    "trdn_flag": sarr([r[12] for r in fl]),
                }
            )
            pq.write_table(tb, os.path.join(out, "fee_list", "fee_list_%s.parquet" % tag), compression="zstd")
            if count:
                self.rowcount["fee_list"] += len(fl)

    # ---------------------------------------------------------------- reference tables
    def write_ref(self, out):
        R = self.R
        P = self.P
        F = self.F
        N = self.N
        psn = pd.DataFrame(
            {
                "psn_no": P["psn_no"],
                "certno": P["certno"],
                "psn_name": P["name"],
                "gend": P["sex"],
                "brdy": [b.isoformat() for b in P["brdy"]],
                "insutype": P["ins"],
                "psn_type": [x if R.random() > 0.01 else None for x in P["ptype"]],
                "psn_idet_type": P["idet"],
                "insuplc_admdvs": P["insu_adm"],
                "live_addr": [a if R.random() > 0.03 else None for a in P["addr"]],
            }
        )
        psn.to_csv(os.path.join(out, "psn", "psn_20251231.csv"), index=False, encoding="utf-8-sig")
        psn.sample(n=min(N, max(10, N // 300)), random_state=1).to_csv(
            os.path.join(out, "psn", "psn_incr_20250701.csv"), index=False, encoding="utf-8-sig"
        )
        self.rowcount["psn"] = len(psn)
        fx = pd.DataFrame(
            {
                "fixmedins_code": [f["code"] for f in F],
                "fixmedins_name": [f["name"] for f in F],
                "fixmedins_type": [f["typ"] for f in F],
                "hosp_lv": [f["lv"] for f in F],
                "ownership": [f["own"] for f in F],
                "fix_blng_admdvs": [f["adm"] for f in F],
            }
        )
        fx.to_csv(os.path.join(out, "fixmedins", "fixmedins.csv"), index=False, encoding="utf-8-sig")
        self.rowcount["fixmedins"] = len(fx)
        op = pd.DataFrame(
            {
                "psn_no": [P["psn_no"][r[0]] for r in self.opsp],
                "opsp_dise_code": [r[1] for r in self.opsp],
                "opsp_dise_name": [r[2] for r in self.opsp],
                "begndate": [r[3].isoformat() for r in self.opsp],
                "enddate": [r[4].isoformat() if r[4] else None for r in self.opsp],
            }
        )
        op.to_csv(os.path.join(out, "opsp_reg", "opsp_reg.csv"), index=False, encoding="utf-8-sig")
        self.rowcount["opsp_reg"] = len(op)
        rows = []
        for i, d in sorted(self.death.items()):
            src = R.choices(["民政殡葬", "公安户籍注销", "卫健死亡医学证明"], [6, 3, 1])[0]
            dd = (BASE.date() + dt.timedelta(days=d)).isoformat()
            rows.append((P["psn_no"][i], dd, src))
            if R.random() < 0.08:
                rows.append((P["psn_no"][i], dd, "公安户籍注销" if src != "公安户籍注销" else "民政殡葬"))
        pd.DataFrame(rows, columns=["psn_no", "death_date", "source"]).to_csv(
            os.path.join(out, "psn_death", "psn_death.csv"), index=False, encoding="utf-8-sig"
        )
        self.rowcount["psn_death"] = len(rows)
        lab = pd.DataFrame(self.labels, columns=["entity_type", "entity_id", "fraud_type", "group_id"])
        lab.to_csv(os.path.join(out, "labels.csv"), index=False, encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--persons", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=2027)
    a = ap.parse_args()
    t = time.time()
    for tb in ("psn", "fixmedins", "mdtrt", "setl", "fee_list", "opsp_reg", "psn_death"):
        d = os.path.join(a.out, tb)
        os.makedirs(d, exist_ok=True)
        for fn in os.listdir(d):
            os.remove(os.path.join(d, fn))
    W = World(a.persons, a.seed)
    W.gen_persons()
    W.gen_fix()
    print("persons/institutions %.1fs" % (time.time() - t), flush=True)
    W.gen_base()
    print("base episodes %d %.1fs" % (len(W.EP), time.time() - t), flush=True)
    W.inject()
    print("after injection %d episodes %.1fs" % (len(W.EP), time.time() - t), flush=True)
    W.settle_all(a.out)
    W.write_ref(a.out)
    print("rows:", W.rowcount, W.stats, flush=True)
    print("look-alike admissions:", W.n_lookalike)
    lab = pd.DataFrame(W.labels, columns=["entity_type", "entity_id", "fraud_type", "group_id"])
    print(lab.groupby(["entity_type", "fraud_type"]).size().to_string())
    print("done %.1fs" % (time.time() - t))


if __name__ == "__main__":
    main()
