"""The normal world of the synthetic prefecture: people, places, the care they receive, its settlements.

Normal care varies with age, sex, hospital level and disease; a minority of legitimate heavy users
(cancer patients on chemotherapy cycles, chronic patients with monthly refills) look "frequent" for
good reasons. Fraud (``jobs.synthetic.fraud``) is added to this world, inside its ranges.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)


PREFECTURE = "130300"
PREFECTURE_NAME = "秦皇岛市"
COUNTIES = {  # 秦皇岛市 and its counties: code → (name, population weight)
    "130302": ("海港区", 0.25),
    "130303": ("山海关区", 0.07),
    "130304": ("北戴河区", 0.04),
    "130306": ("抚宁区", 0.14),
    "130321": ("青龙满族自治县", 0.17),
    "130322": ("昌黎县", 0.19),
    "130324": ("卢龙县", 0.14),
}
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文辉建国志红梅凤海燕")
TOWNS = list("东西南北前后大小新旧")

# Inpatient diagnoses: code, name, kind, weight by age band (<18, 18-44, 45-64, 65+), mean LOS, cost/day factor,
# sex restriction ("" none, "1" male, "2" female)
INPATIENT_DX = [
    ("J18.900", "肺炎", "acute", (4, 2, 2, 4), 7, 1.0, ""),
    ("I63.900", "脑梗死", "serious", (0, 0.3, 2, 4), 12, 1.3, ""),
    ("I63.800", "腔隙性脑梗死", "mild", (0, 0.2, 1.5, 2.5), 9, 0.9, ""),
    ("M51.202", "腰椎间盘突出", "mild", (0, 1.5, 2, 1.5), 9, 0.8, ""),
    ("M47.801", "颈椎病", "mild", (0, 1, 2, 1.5), 8, 0.8, ""),
    ("I25.103", "冠状动脉粥样硬化性心脏病", "serious", (0, 0.3, 2, 3), 9, 1.4, ""),
    ("I21.900", "急性心肌梗死", "serious", (0, 0.1, 0.6, 0.8), 11, 2.5, ""),
    ("K35.800", "急性阑尾炎", "acute", (1, 2, 0.8, 0.3), 6, 1.5, ""),
    ("K80.100", "胆囊结石伴胆囊炎", "acute", (0, 0.8, 1.5, 1), 8, 1.4, ""),
    ("E11.900", "2型糖尿病", "chronic", (0, 0.4, 1.5, 1.5), 10, 0.9, ""),
    ("J44.100", "慢性阻塞性肺病急性加重", "serious", (0, 0.1, 1, 2.5), 10, 1.0, ""),
    ("S72.000", "股骨颈骨折", "serious", (0.1, 0.3, 0.5, 1.2), 14, 1.8, ""),
    ("O80.000", "单胎顺产", "maternity", (0, 3, 0, 0), 3, 1.0, "2"),
    ("N40.x00", "前列腺增生", "chronic", (0, 0, 0.8, 1.2), 8, 1.1, "1"),
    ("J06.900", "急性上呼吸道感染", "acute", (3, 0.5, 0.3, 0.5), 5, 0.7, ""),
]
CANCER_DX = ("C34.900", "肺恶性肿瘤")
MILD_DX = [d for d in INPATIENT_DX if d[2] == "mild"]
# Chronic-disease registrations (门诊慢特病) and the drugs that treat them
CHRONIC = [
    ("I10.x00", "高血压", [("XC08CAA001", "苯磺酸氨氯地平片", 1.2), ("XC09CAX001", "缬沙坦胶囊", 2.5)]),
    (
        "E11.900",
        "2型糖尿病",
        [("XA10BAE001", "盐酸二甲双胍片", 0.6), ("XA10AEG001", "甘精胰岛素注射液", 95.0)],
    ),
    ("I25.103", "冠心病", [("XB01ACA001", "阿司匹林肠溶片", 0.3), ("XC10AAA001", "阿托伐他汀钙片", 3.0)]),
    ("J44.900", "慢性阻塞性肺病", [("XR03AKS001", "沙美特罗替卡松粉吸入剂", 160.0)]),
]
OTC_DRUGS = [
    ("XR05CAA001", "复方甘草片", 0.2),
    ("ZA01AAB001", "感冒清热颗粒", 1.5),
    ("XM01AEB001", "布洛芬缓释胶囊", 0.8),
    ("XJ01CAA001", "阿莫西林胶囊", 0.5),
]
DRUG_BY_CODE = {d[0]: d for c in CHRONIC for d in c[2]} | {d[0]: d for d in OTC_DRUGS}
# Hospital levels: hosp_lv code, inpatient cost per day, outpatient visit cost, fund ratio for inpatients
LEVELS = {
    "02": (1400.0, 320.0, 0.62),
    "05": (850.0, 220.0, 0.70),
    "06": (700.0, 180.0, 0.72),
    "08": (450.0, 110.0, 0.80),
    "11": (380.0, 70.0, 0.82),
}
SETL_AMOUNTS = [
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "hifp_pay",
    "fund_pay_sumamt",
    "acct_pay",
    "psn_cash_pay",
]
ITEM_SPLIT = [
    ("01", "床位费"),
    ("07", "护理费"),
    ("03", "检查费"),
    ("04", "化验费"),
    ("05", "治疗费"),
    ("09", "西药费"),
    ("08", "卫生材料费"),
]


@dataclass(frozen=True)
class GenConfig:
    persons: int = 20_000
    seed: int = 7
    start: dt.date = dt.date(2025, 1, 1)
    days: int = 365
    fmt: str = "parquet"  # parquet | csv
    rows_per_file: int = 1_000_000


class _Ids:
    def __init__(self, prefix: str):
        self.prefix, self.n = prefix, 0

    def take(self, k: int) -> np.ndarray:
        if k == 0:
            return np.array([], dtype=str)
        out = np.char.add(self.prefix, np.char.zfill(np.arange(self.n, self.n + k).astype(str), 10))
        self.n += k
        return out


def _certno(admdvs: np.ndarray, brdy: np.ndarray, gend: np.ndarray, rng) -> np.ndarray:
    """18-digit resident ID numbers with a valid ISO 7064 MOD 11-2 check digit."""
    seq = rng.integers(0, 500, len(admdvs)) * 2 + np.where(gend == "1", 1, 0)
    body = np.char.add(
        np.char.add(admdvs, pd.to_datetime(brdy).strftime("%Y%m%d").to_numpy(dtype=str)),
        np.char.zfill(seq.astype(str), 3),
    )
    return with_check_digit(body)


def with_check_digit(body: np.ndarray) -> np.ndarray:
    """The 17 digits of resident ID numbers with their ISO 7064 MOD 11-2 check digit appended."""
    body = np.asarray(body, dtype=str)
    digits = np.array([list(map(int, b)) for b in body]) if len(body) else np.zeros((0, 17), int)
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    check = np.array(list("10X98765432"))[(digits @ weights) % 11] if len(body) else np.array([], str)
    return np.char.add(body, check)


def _within(counts: np.ndarray) -> np.ndarray:
    """0..c-1 for each count c, concatenated (empty-safe)."""
    counts = np.asarray(counts, dtype=int)
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def _product_id(code: str) -> str:
    """Six digits standing for a product (or a ward) in the codes the generator makes: stable per name."""
    return f"{sum(ord(ch) * 31**i for i, ch in enumerate(code)) % 1_000_000:06d}"


def _amount(x: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(x, dtype=float), 2)


class World:
    """Persons, institutions, normal care, chronic registrations; settlements and fee lines of every visit."""

    def __init__(self, cfg: GenConfig):
        self.cfg = cfg
        self.rng = np.random.default_rng(cfg.seed)
        self.t0 = np.datetime64(cfg.start, "s")
        self.visits: list[pd.DataFrame] = []
        self.labels: list[tuple[str, str, str]] = []
        self.visit_ids = _Ids("MD")
        self._tag = ""  # which injected pattern the visits being added belong to ("" = normal care)
        self.deaths: list[tuple[str, np.datetime64]] = []

    # -- people and places -------------------------------------------------------------------------
    def persons(self) -> pd.DataFrame:
        n, rng = self.cfg.persons, self.rng
        codes = np.array(list(COUNTIES))
        w = np.array([v[1] for v in COUNTIES.values()])
        # households of 1-5 people in villages of ~120 households; a village lies in one county
        hh = np.cumsum(rng.random(n) < 0.4)
        village = hh // 120
        county = rng.choice(codes, village.max() + 1, p=w / w.sum())[village]
        age = np.clip(
            rng.choice(
                [5, 15, 28, 38, 48, 58, 68, 78, 88],
                n,
                p=[0.09, 0.09, 0.13, 0.14, 0.16, 0.16, 0.13, 0.07, 0.03],
            )
            + rng.integers(-5, 5, n),
            0,
            99,
        )
        gend = np.where(rng.random(n) < 0.5, "1", "2")
        end = self.cfg.start + dt.timedelta(days=self.cfg.days)
        brdy = np.datetime64(end) - (age * 365.25 + rng.integers(0, 365, n)).astype("timedelta64[D]")
        employed = (age >= 18) & (age < 60) & (rng.random(n) < 0.38)
        retired = (age >= 60) & (rng.random(n) < 0.25)
        insutype = np.where(employed | retired, "310", "390")
        psn_type = np.where(employed, "11", np.where(retired, "21", "31"))
        poor = rng.random(n) < np.where(age >= 60, 0.10, 0.04)
        idet = np.where(
            poor, rng.choice(["2301", "2302", "2303"], n), None
        )  # 特困 / 低保 / 脱贫 (local codes)
        town = village // 12
        names = np.char.add(rng.choice(SURNAMES, n), rng.choice(GIVEN, n))
        names = np.where(rng.random(n) < 0.6, np.char.add(names, rng.choice(GIVEN, n)), names)
        cname = pd.Series(county).map({c: v[0] for c, v in COUNTIES.items()})
        addr = (
            cname
            + pd.Series(np.array(TOWNS)[town % 10])
            + (town // 10 + 1).astype(str)
            + "镇"
            + (village % 12 + 1).astype(str)
            + "村"
            + (hh % 120 + 1).astype(str)
            + "号"
        )
        ids = np.char.add(county, np.char.zfill(np.arange(n).astype(str), 10))
        return pd.DataFrame(
            {
                "psn_no": ids,
                "certno": _certno(county, brdy, gend, rng),
                "psn_name": names,
                "gend": gend,
                "brdy": brdy.astype("datetime64[D]"),
                "insutype": insutype,
                "psn_type": psn_type,
                "psn_idet_type": idet,
                "insuplc_admdvs": county,
                "live_addr": addr.to_numpy(),
                "_age": age,
                "_village": village,
            }
        )

    def institutions(self) -> pd.DataFrame:
        rng, n = self.rng, self.cfg.persons
        rows = []
        for county, (cname, weight) in COUNTIES.items():
            k = max(3, int(round(n * weight / 900)))
            levels = ["05"] + list(rng.choice(["06", "08", "11", "11"], k - 1))
            if county == "130302":
                levels = ["02", "02"] + levels
            for j, lv in enumerate(levels):
                kind = {"02": "人民医院", "05": "中医医院", "06": "医院", "08": "卫生院", "11": "诊所"}[lv]
                rows.append(
                    (
                        f"H{county}{j:04d}",
                        f"{cname}第{j + 1}{kind}",
                        "1",
                        lv,
                        "1" if lv in ("02", "05", "08") or rng.random() < 0.4 else "2",
                        county,
                    )
                )
            for j in range(max(2, int(round(n * weight / 700)))):
                rows.append(
                    (
                        f"P{county}{j:04d}",
                        f"{cname}{rng.choice(SURNAMES)}氏大药房第{j + 1}店",
                        "2",
                        None,
                        "2",
                        county,
                    )
                )
        return pd.DataFrame(
            rows,
            columns=[
                "fixmedins_code",
                "fixmedins_name",
                "fixmedins_type",
                "hosp_lv",
                "ownership",
                "fix_blng_admdvs",
            ],
        )

    # -- visits ------------------------------------------------------------------------------------
    def _pick_inst(self, inst: pd.DataFrame, county: np.ndarray, levels: tuple[str, ...], p_local=0.85):
        """An institution of one of ``levels``, in the person's county with probability p_local."""
        cand = inst[inst.hosp_lv.isin(levels)]
        if cand.empty:  # no institution of that level in a small prefecture: any of the same kind
            cand = inst[(inst.hosp_lv == "PH") == ("PH" in levels)]
        codes = cand.fixmedins_code.to_numpy()
        out = self.rng.choice(codes, len(county))
        by_county = {c: g.fixmedins_code.to_numpy() for c, g in cand.groupby("fix_blng_admdvs")}
        local = self.rng.random(len(county)) < p_local
        for c, pool in by_county.items():
            m = local & (county == c)
            out[m] = self.rng.choice(pool, m.sum())
        return out

    def _add_visits(
        self, psn_no, inst, med_type, begn, los_days, medfee, ratio, dise, dise_name, hour=None, drug=None,
        exact=False,
    ):  # fmt: skip
        """Append visits; ``drug`` (a drug code of ``CHRONIC`` or ``OTC_DRUGS``) overrides the drug that a
        chronic or pharmacy visit's fee lines carry, which is otherwise the first drug of its diagnosis.
        ``exact``: ``begn`` is the start to the second (no hour of the day drawn)."""
        n = len(psn_no)
        rng = self.rng
        hour = rng.integers(8, 17, n) if hour is None else hour
        begn = begn.astype("datetime64[s]")
        if not exact:
            begn = begn + (hour * 3600 + rng.integers(0, 3600, n)).astype("timedelta64[s]")
        end = begn + (np.asarray(los_days) * 86400 + rng.integers(600, 7200, n)).astype("timedelta64[s]")
        medfee = _amount(medfee)
        ownpay = _amount(medfee * rng.uniform(0.0, 0.08, n))
        hifp = _amount((medfee - ownpay) * ratio)
        self.visits.append(
            pd.DataFrame(
                {
                    "mdtrt_id": self.visit_ids.take(n),
                    "psn_no": psn_no,
                    "fixmedins_code": inst,
                    "med_type": med_type,
                    "begntime": begn,
                    "endtime": end,
                    "dise_codg": dise,
                    "dise_name": dise_name,
                    "medfee_sumamt": medfee,
                    "fulamt_ownpay_amt": ownpay,
                    "hifp_pay": hifp,
                    "los": np.asarray(los_days),
                    "_tag": self._tag,
                    "_drug": drug,
                }
            )
        )

    def normal_care(self, psn: pd.DataFrame, inst: pd.DataFrame) -> pd.DataFrame:
        rng, days = self.rng, self.cfg.days
        age, county = psn._age.to_numpy(), psn.insuplc_admdvs.to_numpy()
        band = np.digitize(age, [18, 45, 65])
        ratio_adj = np.where(psn.insutype.to_numpy() == "310", 0.08, 0.0)
        # outpatient visits
        k = rng.poisson(np.array([2.5, 1.8, 3.5, 6.0])[band])
        idx = np.repeat(np.arange(len(psn)), k)
        lv = rng.choice(["02", "05", "06", "08", "11"], len(idx), p=[0.15, 0.2, 0.15, 0.25, 0.25])
        cost = np.array([LEVELS[v][1] for v in lv]) * rng.lognormal(0, 0.5, len(idx))
        self._add_visits(
            psn.psn_no.to_numpy()[idx],
            self._pick_inst(inst, county[idx], ("02", "05", "06", "08", "11")),
            "11",
            self.t0 + rng.integers(0, days, len(idx)).astype("timedelta64[D]"),
            np.zeros(len(idx), int),
            cost,
            0.5 + ratio_adj[idx],
            "J06.900",
            "急性上呼吸道感染",
        )
        # pharmacy purchases (general)
        k = rng.poisson(2.0, len(psn))
        idx = np.repeat(np.arange(len(psn)), k)
        self._add_visits(
            psn.psn_no.to_numpy()[idx],
            self._pick_inst(inst, county[idx], ("PH",)),
            "41",
            self.t0 + rng.integers(0, days, len(idx)).astype("timedelta64[D]"),
            np.zeros(len(idx), int),
            rng.lognormal(3.6, 0.6, len(idx)),
            0.0 + 0.9 * (psn.insutype.to_numpy()[idx] == "310"),
            None,
            None,
        )
        # inpatient stays
        k = rng.poisson(np.array([0.04, 0.05, 0.10, 0.24])[band])
        idx = np.repeat(np.arange(len(psn)), k)
        self._stays(psn, inst, idx, rng.integers(0, days - 20, len(idx)))
        # cancer patients on chemotherapy cycles: legitimately frequent admissions
        cancer = np.flatnonzero((age >= 45) & (rng.random(len(psn)) < 0.006))
        cycles = rng.integers(4, 11, len(cancer))
        idx = np.repeat(cancer, cycles)
        start = np.repeat(rng.integers(0, 60, len(cancer)), cycles)
        step = _within(cycles) * rng.integers(21, 30, len(idx))
        when = np.minimum(start + step, days - 10)
        n = len(idx)
        lv = np.where(rng.random(n) < 0.7, "02", "05")
        self._add_visits(
            psn.psn_no.to_numpy()[idx],
            self._pick_inst(inst, county[idx], ("02", "05"), 0.5),
            "21",
            self.t0 + when.astype("timedelta64[D]"),
            rng.integers(3, 8, n),
            np.array([LEVELS[v][0] for v in lv]) * 2.2 * rng.integers(3, 8, n) * rng.lognormal(0, 0.25, n),
            0.62 + ratio_adj[idx],
            CANCER_DX[0],
            CANCER_DX[1],
        )
        return psn.iloc[cancer]

    def _stays(self, psn, inst, idx, day, dx=None, levels=None, los=None, insts=None, amount_scale=1.0):
        rng = self.rng
        n = len(idx)
        if n == 0:
            return
        age, gend = psn._age.to_numpy()[idx], psn.gend.to_numpy()[idx]
        band = np.digitize(age, [18, 45, 65])
        if dx is None:
            w = np.array([d[3] for d in INPATIENT_DX], float)[:, band].T  # n × diseases
            sex = np.array([d[6] for d in INPATIENT_DX])
            w = w * ((sex == "") | (sex[None, :] == gend[:, None]))
            w = w / w.sum(1, keepdims=True)
            dxi = (rng.random(n)[:, None] > np.cumsum(w, 1)).sum(1)
        else:
            dxi = np.asarray(dx)
        d = [INPATIENT_DX[i] for i in dxi]
        kind = np.array([x[2] for x in d])
        if levels is None:
            serious = np.isin(kind, ["serious", "maternity"])
            lv = np.where(
                serious,
                rng.choice(["02", "05", "06"], n, p=[0.5, 0.3, 0.2]),
                rng.choice(["02", "05", "06", "08"], n, p=[0.2, 0.3, 0.25, 0.25]),
            )
        else:
            lv = np.asarray(levels)
        mean_los = np.array([x[4] for x in d], float)
        if los is None:
            los = np.maximum(1, np.round(rng.lognormal(np.log(mean_los), 0.35))).astype(int)
        per_day = np.array([LEVELS[v][0] for v in lv]) * np.array([x[5] for x in d])
        medfee = per_day * los * rng.lognormal(0, 0.3, n) * amount_scale
        county = psn.insuplc_admdvs.to_numpy()[idx]
        chosen = insts if insts is not None else self._pick_inst_by_level(inst, county, lv)
        ratio = np.array([LEVELS[v][2] for v in lv]) + np.where(
            psn.insutype.to_numpy()[idx] == "310", 0.08, 0
        )
        self._add_visits(
            psn.psn_no.to_numpy()[idx],
            chosen,
            "21",
            self.t0 + np.asarray(day).astype("timedelta64[D]"),
            los,
            medfee,
            ratio,
            np.array([x[0] for x in d]),
            np.array([x[1] for x in d]),
        )

    def _pick_inst_by_level(self, inst, county, lv):
        out = np.empty(len(county), dtype=object)
        for v in np.unique(lv):
            m = lv == v
            out[m] = self._pick_inst(inst, county[m], (v,), 0.8 if v != "02" else 0.3)
        return out.astype(str)

    def chronic(self, psn: pd.DataFrame, inst: pd.DataFrame) -> pd.DataFrame:
        """门诊慢特病 registrations with monthly outpatient visits and refills."""
        rng, days = self.rng, self.cfg.days
        age = psn._age.to_numpy()
        reg = np.flatnonzero((age >= 40) & (rng.random(len(psn)) < np.where(age >= 60, 0.16, 0.06)))
        which = rng.integers(0, len(CHRONIC), len(reg))
        regs = pd.DataFrame(
            {
                "psn_no": psn.psn_no.to_numpy()[reg],
                "opsp_dise_code": [CHRONIC[i][0] for i in which],
                "opsp_dise_name": [CHRONIC[i][1] for i in which],
                "begndate": (
                    np.datetime64(self.cfg.start) - rng.integers(30, 2000, len(reg)).astype("timedelta64[D]")
                ),
                "enddate": pd.NaT,
            }
        )
        # monthly chronic-disease visits (med_type 14) with a 28-30 day supply
        visits = rng.integers(6, 13, len(reg))
        idx = np.repeat(np.arange(len(reg)), visits)
        step = _within(visits) * rng.integers(28, 36, len(idx))
        day = np.minimum(np.repeat(rng.integers(0, 30, len(reg)), visits) + step, days - 1)
        p = reg[idx]
        drug_i = which[idx]
        self._chronic_rx.append((psn.psn_no.to_numpy()[p], drug_i, rng.integers(28, 31, len(idx))))
        self._add_visits(
            psn.psn_no.to_numpy()[p],
            self._pick_inst(inst, psn.insuplc_admdvs.to_numpy()[p], ("05", "06", "08")),
            "14",
            self.t0 + day.astype("timedelta64[D]"),
            np.zeros(len(idx), int),
            np.array([CHRONIC[i][2][0][2] for i in drug_i]) * 30 * rng.uniform(1.0, 1.6, len(idx)) + 15,
            0.65,
            np.array([CHRONIC[i][0] for i in drug_i]),
            np.array([CHRONIC[i][1] for i in drug_i]),
        )
        return regs

    def settle(self, visits: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        rng = self.rng
        n = len(visits)
        templ = visits.fixmedins_code.isin(self._templated).to_numpy() & (visits.med_type.to_numpy() == "21")
        if templ.any():  # templated institutions bill one of three package amounts
            packages = np.array([6800.0, 8800.0, 11800.0])
            amt = packages[rng.integers(0, 3, templ.sum())] * rng.uniform(0.997, 1.003, templ.sum())
            visits.loc[templ, "medfee_sumamt"] = _amount(amt)
            visits.loc[templ, "fulamt_ownpay_amt"] = 0.0
            visits.loc[templ, "hifp_pay"] = _amount(amt * 0.75)
        over = visits.fixmedins_code.isin(self._overcharging).to_numpy() & (
            visits.med_type.to_numpy() == "21"
        )
        if over.any():  # overcharging institutions bill every stay at 2.2-3x
            factor = rng.uniform(2.2, 3.0, over.sum())
            for c in ("medfee_sumamt", "fulamt_ownpay_amt", "hifp_pay"):
                visits.loc[over, c] = _amount(visits.loc[over, c] * factor)
        setl_time = visits.endtime.to_numpy() + rng.integers(60, 3600, n).astype("timedelta64[s]")
        fund = visits.hifp_pay.to_numpy() + _amount(
            np.where(visits.medfee_sumamt > 20000, 0.1 * visits.medfee_sumamt, 0)
        )
        fund = np.minimum(_amount(fund), visits.medfee_sumamt.to_numpy())
        cash = _amount(visits.medfee_sumamt.to_numpy() - fund)
        acct = _amount(np.where(rng.random(n) < 0.3, cash * 0.5, 0))
        # employees' personal-account purchases: wholly from the account, nothing from the fund
        from_account = visits._tag.isin(["account_cashout", "lookalike_account_spending"]).to_numpy()
        if from_account.any():
            visits.loc[from_account, "hifp_pay"] = 0.0
            visits.loc[from_account, "fulamt_ownpay_amt"] = 0.0
            fund = np.where(from_account, 0.0, fund)
            cash = np.where(from_account, visits.medfee_sumamt.to_numpy(), cash)
            acct = np.where(from_account, cash, acct)
        setl = pd.DataFrame(
            {
                "setl_id": np.char.add("ST", visits.mdtrt_id.str.slice(2).to_numpy().astype(str)),
                "mdtrt_id": visits.mdtrt_id.to_numpy(),
                "psn_no": visits.psn_no.to_numpy(),
                "fixmedins_code": visits.fixmedins_code.to_numpy(),
                "med_type": visits.med_type.to_numpy(),
                "setl_time": setl_time,
                "medfee_sumamt": visits.medfee_sumamt.to_numpy(),
                "fulamt_ownpay_amt": visits.fulamt_ownpay_amt.to_numpy(),
                "hifp_pay": visits.hifp_pay.to_numpy(),
                "fund_pay_sumamt": fund,
                "acct_pay": acct,
                "psn_cash_pay": _amount(cash - acct),
                "insutype": None,
                "refd_setl_flag": "0",
            }
        )
        # ~0.6% of settlements are reversed (refund) and settled again with corrected amounts
        redo = np.flatnonzero(
            (rng.random(n) < 0.006) & ~visits._tag.isin(["refund_cashout", "lookalike_refund"]).to_numpy()
        )
        refund = setl.iloc[redo].copy()
        amounts = SETL_AMOUNTS
        refund[amounts] = -refund[amounts]
        refund["setl_id"] = refund.setl_id + "R"
        refund["refd_setl_flag"] = "1"
        refund["setl_time"] = refund.setl_time + np.timedelta64(2, "h")
        again = setl.iloc[redo].copy()
        again[amounts] = _amount(again[amounts] * 0.97)
        again["setl_id"] = again.setl_id + "B"
        again["setl_time"] = again.setl_time + np.timedelta64(3, "h")
        # refund cash-out: the purchase is refunded in full a day or two later, never settled again
        out = np.flatnonzero(visits._tag.isin(["refund_cashout", "lookalike_refund"]).to_numpy())
        cashout = setl.iloc[out].copy()
        cashout[amounts] = -cashout[amounts]
        cashout["setl_id"] = cashout.setl_id + "R"
        cashout["refd_setl_flag"] = "1"
        cashout["setl_time"] = cashout.setl_time + rng.integers(1, 3, len(out)).astype("timedelta64[D]")
        # for half of the cash-out cards the refund returns the fees in cash but reverses none or part of the
        # fund's share (退费未退回统筹): the fund's money leaves as cash
        cards = np.unique(cashout.psn_no.to_numpy()[visits._tag.to_numpy()[out] == "refund_cashout"])
        keeps = cashout.psn_no.isin(rng.choice(cards, len(cards) // 2, replace=False)).to_numpy()
        if keeps.any():
            back = np.where(rng.random(len(out)) < 0.6, 0.0, rng.uniform(0.3, 0.5, len(out)))[keeps]
            kept = cashout.loc[keeps]
            fund_back = _amount(kept.fund_pay_sumamt.to_numpy() * back)
            cashout.loc[keeps, "hifp_pay"] = _amount(kept.hifp_pay.to_numpy() * back)
            cashout.loc[keeps, "fund_pay_sumamt"] = fund_back
            cashout.loc[keeps, "psn_cash_pay"] = _amount(
                kept.medfee_sumamt.to_numpy() - fund_back - kept.acct_pay.to_numpy()
            )
        setl = pd.concat([setl, refund, again, cashout], ignore_index=True)
        return setl, self.fee_lines(visits)

    def fee_lines(self, visits: pd.DataFrame) -> pd.DataFrame:
        rng = self.rng
        parts = []
        inp = visits[visits.med_type == "21"]
        if len(inp):
            k = len(ITEM_SPLIT)
            share = rng.dirichlet([3, 1.5, 2, 2, 2, 4, 1], len(inp))
            amt = _amount(inp.medfee_sumamt.to_numpy()[:, None] * share)
            los = inp.los.to_numpy()
            cnt = np.ones_like(amt)
            cnt[:, 0] = los
            cnt[:, 1] = los
            parts.append(
                pd.DataFrame(
                    {
                        "mdtrt_id": np.repeat(inp.mdtrt_id.to_numpy(), k),
                        "fee_ocur_time": np.repeat(inp.begntime.to_numpy(), k),
                        "med_chrgitm_type": np.tile([c for c, _ in ITEM_SPLIT], len(inp)),
                        "hilist_name": np.tile([nme for _, nme in ITEM_SPLIT], len(inp)),
                        "med_list_codg": np.tile([f"00{c}0000001" for c, _ in ITEM_SPLIT], len(inp)),
                        "cnt": cnt.ravel(),
                        "det_item_fee_sumamt": amt.ravel(),
                        "prd_days": None,
                    }
                )
            )
        other = visits[visits.med_type != "21"]
        if len(other):
            parts.append(
                pd.DataFrame(
                    {
                        "mdtrt_id": other.mdtrt_id.to_numpy(),
                        "fee_ocur_time": other.begntime.to_numpy(),
                        "med_chrgitm_type": np.where(other.med_type == "41", "09", "02"),
                        "hilist_name": np.where(other.med_type == "41", "药品", "诊察费"),
                        "med_list_codg": np.where(other.med_type == "41", "XR05CAA001", "001102000010000"),
                        "cnt": 1.0,
                        "det_item_fee_sumamt": other.medfee_sumamt.to_numpy(),
                        "prd_days": None,
                    }
                )
            )
        fees = pd.concat(parts, ignore_index=True)
        # drug lines: the chronic and heavy refills carry the drug and its days of supply
        rx = pd.concat(
            [
                pd.DataFrame({"psn_no": p, "drug": d, "prd_days": s})
                for p, d, s in (self._chronic_rx + self._heavy_rx)
            ],
            ignore_index=True,
        )
        drug_visits = visits[visits.med_type.isin(["14", "41"]) & visits.dise_codg.notna()]
        if len(drug_visits) and len(rx):
            dv = drug_visits.reset_index(drop=True)
            code = dv.dise_codg.to_numpy()
            chronic_codes = {c[0]: j for j, c in enumerate(CHRONIC)}
            j = np.array([chronic_codes.get(c, 0) for c in code])
            chosen = dv["_drug"].to_numpy() if "_drug" in dv else np.full(len(dv), None)
            drug = [
                DRUG_BY_CODE[o] if isinstance(o, str) else CHRONIC[i][2][0]
                for i, o in zip(j, chosen, strict=True)
            ]
            supply = np.where(
                dv.med_type.to_numpy() == "41",
                np.where(
                    dv.psn_no.isin(
                        set(np.concatenate([p for p, _, _ in self._heavy_rx])) if self._heavy_rx else set()
                    ),
                    30,
                    15,
                ),
                rng.integers(28, 31, len(dv)),
            )
            # look-alike of 超量开药: aspirin's 周期天数 is recorded as the box's 100 tablets whatever the dose, so
            # every regular buyer seems to fetch three months' supply a month
            aspirin = np.array([d[0] == "XB01ACA001" for d in drug], dtype=bool)
            supply = np.where(aspirin, 100, supply)
            pric = np.array([d[2] for d in drug])
            fees = fees[~fees.mdtrt_id.isin(dv.mdtrt_id)]
            fees = pd.concat(
                [
                    fees,
                    pd.DataFrame(
                        {
                            "mdtrt_id": dv.mdtrt_id.to_numpy(),
                            "fee_ocur_time": dv.begntime.to_numpy(),
                            "med_chrgitm_type": "09",
                            "hilist_name": [d[1] for d in drug],
                            "med_list_codg": [d[0] for d in drug],
                            "cnt": np.round(dv.medfee_sumamt.to_numpy() / pric, 0),
                            "det_item_fee_sumamt": dv.medfee_sumamt.to_numpy(),
                            "prd_days": supply,
                        }
                    ),
                ],
                ignore_index=True,
            )
        plain_pharm = fees.mdtrt_id.isin(visits.mdtrt_id[(visits.med_type == "41") & visits.dise_codg.isna()])
        fees.loc[plain_pharm, "prd_days"] = rng.integers(3, 10, plain_pharm.sum())
        otc = rng.integers(0, len(OTC_DRUGS), plain_pharm.sum())
        fees.loc[plain_pharm, "med_list_codg"] = [OTC_DRUGS[i][0] for i in otc]
        fees.loc[plain_pharm, "hilist_name"] = [OTC_DRUGS[i][1] for i in otc]
        fees["cnt"] = np.maximum(fees.cnt.astype(float), 1.0)
        fees["pric"] = _amount(fees.det_item_fee_sumamt / fees.cnt)
        fees["det_item_fee_sumamt"] = _amount(fees.pric * fees.cnt)
        fees = fees.sort_values("mdtrt_id", kind="stable").reset_index(drop=True)
        fees["feedetl_sn"] = np.char.add("FD", np.char.zfill(np.arange(len(fees)).astype(str), 11))
        fees["setl_id"] = np.char.add("ST", fees.mdtrt_id.str.slice(2).to_numpy().astype(str))
        fees["chrgitm_lv"] = np.where(fees.med_chrgitm_type.isin(["09"]), "甲", "乙")
        fees["used_frqu_dscr"] = np.where(fees.prd_days.notna(), "qd", None)
        fees["bilg_dr_codg"] = None
        return self.trace_codes(fees, visits)

    def trace_codes(self, fees: pd.DataFrame, visits: pd.DataFrame) -> pd.DataFrame:
        """Traceability codes (药品追溯码, issue #20) on the drug lines, as settlement systems upload them.

        - A purchase of whole boxes carries one new code per box (1-3; 2-3 for a month's chronic supply):
          20 digits beginning with 8 (码上放心), 3% GS1 codes of imported drugs; ``trdn_flag`` 0, or missing as
          older systems leave it.
        - Split sales, the look-alikes (unlabelled): 2% of pharmacy purchases sell part of a box (``trdn_flag``
          1), two or three customers sharing the box's code; an inpatient's drug line carries codes of the
          ward's boxes, shared by patients of the same institution (``trdn_flag`` 1, or missing, or 0 as some
          hospital systems send).
        - A box returned and refunded in full (``lookalike_refund``) is sold again later, by the same shop or
          another it was moved to; a cashier now and then scans the previous customer's box again.
        - 0.2% of coded lines carry a malformed code (19 digits, all zeros, text): kept, counted, never used.
        """
        rng = self.rng
        vis = visits.set_index("mdtrt_id")
        fees["drug_trac_codg"], fees["trdn_flag"] = None, None
        med_type = fees.mdtrt_id.map(vis.med_type).to_numpy()
        drug = fees.med_chrgitm_type.isin(["09", "10", "11"]).to_numpy()
        coded = drug & fees.med_list_codg.str.match("[XZ]").to_numpy() & (med_type != "21")
        idx = np.flatnonzero(coded)
        chronic = fees.prd_days.to_numpy(float)[idx] >= 28
        boxes = np.where(chronic, rng.integers(2, 4, len(idx)), rng.choice([1, 1, 1, 2, 2, 3], len(idx)))
        product = fees.med_list_codg.to_numpy()[idx]
        prod = pd.Series(product).map({c: _product_id(c) for c in set(product)}).to_numpy().astype(str)
        serial = rng.permutation(len(idx) * 3) + rng.integers(10**11, 10**12)
        cols = []
        for k in range(3):
            s = serial[k * len(idx) : (k + 1) * len(idx)].astype(str)
            code = np.char.add(np.char.add("8", prod), np.char.zfill(s, 13))
            gs1 = rng.random(len(idx)) < 0.03
            gtin = np.char.zfill(rng.integers(0, 10**13, len(idx)).astype(str), 14)
            code = np.where(gs1, np.char.add(np.char.add("01", gtin), np.char.add("21", s)), code)
            cols.append(code)
        joined = np.where(
            boxes >= 3,
            np.char.add(np.char.add(np.char.add(cols[0], ","), np.char.add(cols[1], ",")), cols[2]),
            np.where(boxes == 2, np.char.add(np.char.add(cols[0], ","), cols[1]), cols[0]),
        ).astype(object)
        flag = np.where(rng.random(len(idx)) < 0.3, None, "0").astype(object)
        # split sales at pharmacies: a box shared by two or three customers of the same shop
        pharm = med_type[idx] == "41"
        split = np.flatnonzero(pharm & (rng.random(len(idx)) < 0.02))
        inst = fees.mdtrt_id.map(vis.fixmedins_code).to_numpy()[idx]
        for _, members in pd.Series(split).groupby(inst[split]):
            m = members.to_numpy()
            for part in np.array_split(m, max(1, len(m) // 2)):
                joined[part] = cols[0][part[0]]
                flag[part] = "1"
        # A box returned in full for a real reason is sold again to a later customer: by the same shop, or by
        # another shop it was moved to (a chain's stock); a cashier now and then scans the previous customer's
        # box again (a slip, one or two a year at a shop): neither is a box sold twice.
        when = fees.fee_ocur_time.to_numpy()[idx]
        order = np.lexsort((when, inst))
        shops, starts = np.unique(inst[order], return_index=True)
        ends = np.append(starts[1:], len(order))
        block = dict(zip(shops, zip(starts, ends, strict=True), strict=True))
        pharmacies = np.unique(inst[pharm])

        def next_sale(shop, t):
            lo, hi = block[shop]
            k = lo + np.searchsorted(when[order[lo:hi]], t, side="right")
            return order[k] if k < hi and flag[order[k]] != "1" else None

        def sell_again(i, shop):
            j = next_sale(shop, when[i])
            if j is not None and j != i:
                joined[j] = ",".join([joined[i].split(",")[0], *joined[j].split(",")[1:]])

        back = np.flatnonzero(fees.mdtrt_id.map(vis._tag).to_numpy()[idx] == "lookalike_refund")
        for i in back:
            sell_again(i, inst[i] if rng.random() < 0.5 or len(pharmacies) < 2 else rng.choice(pharmacies))
        for shop in pharmacies:
            lo, hi = block[shop]
            for i in rng.choice(order[lo:hi], min(int(rng.poisson(1.0)), hi - lo), replace=False):
                if flag[i] != "1":
                    sell_again(i, shop)
        bad = rng.random(len(idx)) < 0.002
        shapes = np.array(["0" * 20, "无", "8" + "1" * 18], dtype=object)
        joined[bad] = shapes[rng.integers(0, len(shapes), bad.sum())]
        fees.loc[fees.index[idx], "drug_trac_codg"] = joined
        fees.loc[fees.index[idx], "trdn_flag"] = flag
        # inpatients' doses come from the ward's boxes: codes shared by patients of the same institution
        ward = np.flatnonzero(drug & (med_type == "21") & (fees.med_chrgitm_type.to_numpy() == "09"))
        if len(ward):
            where = fees.mdtrt_id.map(vis.fixmedins_code).to_numpy()[ward]
            box = rng.integers(0, np.maximum(len(ward) // 4, 1), len(ward)).astype(str)
            ward_id = pd.Series(where).map({w: _product_id(w) for w in set(where)}).to_numpy().astype(str)
            fees.loc[fees.index[ward], "drug_trac_codg"] = np.char.add(
                np.char.add("8", ward_id), np.char.zfill(box, 13)
            )
            fees.loc[fees.index[ward], "trdn_flag"] = rng.choice(
                np.array(["1", None, "0"], dtype=object), len(ward), p=[0.7, 0.15, 0.15]
            )
        return fees
