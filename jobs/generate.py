"""Synthetic prefecture: a landing zone that follows the contract, plus ``labels.csv``.

Normal care varies with age, sex, hospital level and disease; a minority of legitimate heavy users
(cancer patients on chemotherapy cycles, chronic patients with monthly refills) look "frequent" for
good reasons. Fraud is injected inside the normal ranges of amounts and lengths of stay, so it is
found by its pattern (mild diagnoses, clustered dates, template amounts, supply far beyond need), not
by extreme values. Labels go to ``labels.csv`` only: no feature, rule or model reads them.

Everything is vectorized with numpy so that a 1,000,000-person prefecture takes minutes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

log = logging.getLogger(__name__)

PREFECTURE = "130300"
COUNTIES = {  # 秦皇岛市 and its counties: code → (name, population weight)
    "130302": ("海港区", 0.25),
    "130303": ("山海关区", 0.07),
    "130304": ("北戴河区", 0.04),
    "130306": ("抚宁区", 0.14),
    "130321": ("青龙满族自治县", 0.17),
    "130322": ("昌黎县", 0.19),
    "130324": ("卢龙县", 0.14),
}
LOOKALIKES = ("lookalike_readmission", "lookalike_relative_purchase", "lookalike_family", "lookalike_refund")
PRACTICE_SPREAD = 1.0  # σ of the county factor of each look-alike kind (Generator.practice)
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
    digits = np.array([list(map(int, b)) for b in body]) if len(body) else np.zeros((0, 17), int)
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    check = np.array(list("10X98765432"))[(digits @ weights) % 11] if len(body) else np.array([], str)
    return np.char.add(body, check)


def _within(counts: np.ndarray) -> np.ndarray:
    """0..c-1 for each count c, concatenated (empty-safe)."""
    counts = np.asarray(counts, dtype=int)
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def _amount(x: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(x, dtype=float), 2)


class Generator:
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

    def _add_visits(self, psn_no, inst, med_type, begn, los_days, medfee, ratio, dise, dise_name, hour=None):
        n = len(psn_no)
        rng = self.rng
        hour = rng.integers(8, 17, n) if hour is None else hour
        begn = begn.astype("datetime64[s]") + (hour * 3600 + rng.integers(0, 3600, n)).astype(
            "timedelta64[s]"
        )
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

    # -- fraud -------------------------------------------------------------------------------------
    def _take(self, pool, k: int, used: set[int], weight: np.ndarray | None = None) -> np.ndarray:
        """Up to ``k`` persons (row indices) of ``pool`` not yet in ``used``, drawn without replacement.

        Each person carries at most one injected pattern, so ``used`` grows with every draw. ``weight`` (one
        per person of the prefecture) makes some persons likelier to be drawn than others.
        """
        pool = np.asarray(pool, dtype=int)
        pool = pool[~np.isin(pool, np.fromiter(used, int, len(used)))]
        p = None if weight is None else weight[pool] / weight[pool].sum()
        sel = self.rng.choice(pool, min(k, len(pool)), replace=False, p=p)
        used.update(sel.tolist())
        return sel

    def inject(self, psn: pd.DataFrame, inst: pd.DataFrame, excluded: set[str]) -> set[int]:
        """The first patterns: frequent admissions, co-admitted groups, template amounts, heavy refills."""
        rng, days = self.rng, self.cfg.days
        n = len(psn)
        age = psn._age.to_numpy()
        elderly = np.flatnonzero((age >= 50) & ~psn.psn_no.isin(excluded).to_numpy())
        hosp = inst[(inst.fixmedins_type == "1") & inst.hosp_lv.isin(["05", "06", "08", "11"])]
        used: set[int] = set()

        def take(pool, k):
            return self._take(pool, k, used)

        # 1. frequent admissions for mild conditions (住院频次高), at one or two institutions
        self._tag = "frequent_admission"
        freq = take(elderly, max(3, int(n * 0.004)))
        for i in freq:
            k = rng.integers(5, 11)
            home = hosp[hosp.fix_blng_admdvs == psn.insuplc_admdvs.iat[i]]
            home = home if len(home) else hosp
            insts = rng.choice(home.fixmedins_code.to_numpy(), rng.integers(1, 3))
            day = np.sort(rng.choice(np.arange(0, days - 15, 20), k, replace=False))
            dx = rng.choice([INPATIENT_DX.index(d) for d in MILD_DX], k)
            lv = home.set_index("fixmedins_code").loc[rng.choice(insts, k), "hosp_lv"].to_numpy()
            self._stays(
                psn,
                inst,
                np.full(k, i),
                day + rng.integers(0, 5, k),
                dx=dx,
                levels=lv,
                insts=rng.choice(insts, k),
            )
            self.labels.append(("psn", psn.psn_no.iat[i], "frequent_admission"))
        # 2. institutions admitting recruited groups on a few dates (虚假/诱导住院, 同进同出)
        self._tag = "co_admission"
        n_clustered = max(1, int(round(len(hosp) * 0.05)))
        clustered = hosp.sample(n_clustered, random_state=int(rng.integers(1 << 30)))
        for _, h in clustered.iterrows():
            self.labels.append(("fixmedins", h.fixmedins_code, "clustered_admissions"))
            local = np.flatnonzero((psn.insuplc_admdvs.to_numpy() == h.fix_blng_admdvs) & (age >= 55))
            if len(local) < 4:  # a small prefecture: recruit from the whole prefecture
                local = np.flatnonzero(age >= 55)
            if len(local) < 4:
                continue
            dates = np.sort(rng.choice(days - 20, rng.integers(5, 10), replace=False))
            villages = rng.choice(psn._village.to_numpy()[local], len(dates))
            for day, v in zip(dates, villages, strict=True):
                pool = [i for i in local[psn._village.to_numpy()[local] == v] if i not in used]
                if len(pool) < 4:
                    pool = [i for i in local if i not in used]
                grp = take(pool, int(rng.integers(5, 13)))
                g = len(grp)
                if g < 3:  # nobody left to recruit in a small prefecture
                    continue
                # brought in over a day or two and sent home likewise (a ±1-day tolerance finds them)
                arrive = day + (rng.random(g) < 0.4).astype(int)
                los = int(rng.integers(7, 11)) - arrive + day + (rng.random(g) < 0.3).astype(int)
                dx = rng.choice([INPATIENT_DX.index(d) for d in MILD_DX], g)
                self._stays(
                    psn,
                    inst,
                    grp,
                    arrive,
                    dx=dx,
                    levels=np.full(g, h.hosp_lv),
                    los=los,
                    insts=np.full(g, h.fixmedins_code),
                )
                # near-identical amounts: template billing for the whole group
                last = self.visits[-1]
                base = last.medfee_sumamt.median()
                last["medfee_sumamt"] = _amount(base * rng.uniform(0.995, 1.005, g))
                last["fulamt_ownpay_amt"] = 0.0
                last["hifp_pay"] = _amount(last.medfee_sumamt * LEVELS[h.hosp_lv][2])
                self.labels.extend(("psn", psn.psn_no.iat[i], "co_admission") for i in grp)
        # 3. institutions billing near-identical amounts for their ordinary stays (套餐式收费)
        rest = hosp[~hosp.fixmedins_code.isin(clustered.fixmedins_code)]
        templated = rest.sample(max(1, int(round(len(rest) * 0.04))), random_state=int(rng.integers(1 << 30)))
        self._templated = set(templated.fixmedins_code)
        self._clustered = set(clustered.fixmedins_code)
        for code in templated.fixmedins_code:
            self.labels.append(("fixmedins", code, "similar_amounts"))
        # 4. heavy prescription volume: refills of a 30-day supply every 7-12 days (超量开药/倒卖药品)
        self._tag = "heavy_prescription"
        heavy = take(np.flatnonzero(age >= 30), max(3, int(n * 0.004)))
        pharm = inst[inst.fixmedins_type == "2"]
        for i in heavy:
            k = int(rng.integers(20, 40))
            day = np.minimum(np.cumsum(rng.integers(6, 13, k)), days - 1)
            ph = pharm[pharm.fix_blng_admdvs == psn.insuplc_admdvs.iat[i]].fixmedins_code.to_numpy()
            ph = ph if len(ph) else pharm.fixmedins_code.to_numpy()
            drug = int(rng.integers(0, len(CHRONIC)))
            self._heavy_rx.append((np.full(k, psn.psn_no.iat[i]), np.full(k, drug), np.full(k, 30)))
            self._add_visits(
                np.full(k, psn.psn_no.iat[i]),
                rng.choice(ph, k),
                "41",
                self.t0 + day.astype("timedelta64[D]"),
                np.zeros(k, int),
                np.full(k, CHRONIC[drug][2][0][2] * 30 * 1.1) * rng.uniform(0.9, 1.1, k),
                0.6,
                CHRONIC[drug][0],
                CHRONIC[drug][1],
            )
            self.labels.append(("psn", psn.psn_no.iat[i], "heavy_prescription"))
        self._tag = ""
        return used

    def inject_playbook(
        self, psn: pd.DataFrame, inst: pd.DataFrame, regs: pd.DataFrame, used: set[int]
    ) -> None:
        """The rest of the playbook (issue #3): each pattern inside normal amounts and stays, labelled."""
        rng, days, n = self.rng, self.cfg.days, len(psn)
        age, county = psn._age.to_numpy(), psn.insuplc_admdvs.to_numpy()
        hosp = inst[(inst.fixmedins_type == "1") & inst.hosp_lv.isin(["02", "05", "06", "08", "11"])]
        pharm = inst[inst.fixmedins_type == "2"]
        acute = [INPATIENT_DX.index(d) for d in INPATIENT_DX if d[2] in ("acute", "serious") and not d[6]]

        def take(pool, share):
            return self._take(pool, max(3, int(n * share)), used)

        def local(pool: pd.DataFrame, i: int) -> np.ndarray:
            codes = pool[pool.fix_blng_admdvs == county[i]].fixmedins_code.to_numpy()
            return codes if len(codes) else pool.fixmedins_code.to_numpy()

        def label(idx, fraud_type):
            self.labels.extend(("psn", psn.psn_no.iat[i], fraud_type) for i in idx)

        lv_of = inst.set_index("fixmedins_code").hosp_lv
        adults = np.flatnonzero(age >= 30)
        # 分解住院: one stay billed as two or three, re-admitted 1-6 days after discharge, same place and diagnosis
        self._tag = "split_admission"
        for i in (idx := take(adults, 0.003)):
            parts = int(rng.integers(2, 4))
            h = rng.choice(local(hosp, i))
            los = rng.integers(4, 9, parts)
            gaps = rng.integers(1, 7, parts)
            start = int(rng.integers(0, days - 60))
            day = start + np.concatenate([[0], np.cumsum(los[:-1] + gaps[:-1])])
            self._stays(psn, inst, np.full(parts, i), day, dx=np.full(parts, rng.choice(acute)),
                        levels=np.full(parts, lv_of[h]), los=los, insts=np.full(parts, h))  # fmt: skip
        label(idx, "split_admission")
        # 冒名顶替: the person's card used for a stay elsewhere while the person is in hospital
        self._tag = "identity_borrowing"
        for i in (idx := take(adults, 0.0015)):
            a, b = rng.choice(local(hosp, i), 2, replace=len(local(hosp, i)) < 2)
            if a == b:
                b = rng.choice(hosp.fixmedins_code.to_numpy()[hosp.fixmedins_code.to_numpy() != a])
            start = int(rng.integers(0, days - 40))
            self._stays(psn, inst, np.array([i, i]), np.array([start, start + int(rng.integers(1, 5))]),
                        levels=lv_of[[a, b]].to_numpy(), los=rng.integers(6, 12, 2), insts=np.array([a, b]))  # fmt: skip
        label(idx, "identity_borrowing")
        # 挂床: in hospital on paper, meanwhile buying at a pharmacy or seen in an outpatient clinic
        for i in (idx := take(np.flatnonzero(age >= 45), 0.0015)):
            self._tag = "bed_blocking"
            los = int(rng.integers(10, 16))
            start = int(rng.integers(0, days - 30))
            h = rng.choice(local(hosp, i))
            self._stays(psn, inst, np.array([i]), np.array([start]), dx=np.array([rng.choice(acute)]),
                        levels=np.array([lv_of[h]]), los=np.array([los]), insts=np.array([h]))  # fmt: skip
            k = int(rng.integers(2, 5))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(pharm, i), k), "41",
                             self.t0 + (start + rng.choice(np.arange(1, los), k)).astype("timedelta64[D]"),
                             np.zeros(k, int), rng.lognormal(4.0, 0.5, k), 0.5, None, None)  # fmt: skip
        label(idx, "bed_blocking")
        # 慢特病超范围: registered for one chronic disease, buying another disease's drug under the benefit
        self._tag = "opsp_misuse"
        registered = np.flatnonzero(psn.psn_no.isin(regs.psn_no).to_numpy())
        reg_dx = regs.drop_duplicates("psn_no").set_index("psn_no").opsp_dise_code
        for i in (idx := take(registered, 0.0015)):
            own = reg_dx[psn.psn_no.iat[i]]
            other = [c for c in CHRONIC if c[0] != own]
            k = int(rng.integers(3, 8))
            j = int(rng.integers(0, len(other)))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(hosp, i), k), "14",
                             self.t0 + np.sort(rng.integers(0, days, k)).astype("timedelta64[D]"),
                             np.zeros(k, int), other[j][2][0][2] * 30 * rng.uniform(1.0, 1.6, k) + 15, 0.65,
                             other[j][0], other[j][1])  # fmt: skip
        label(idx, "opsp_misuse")
        # 购药后退费套现: purchases refunded in full a day or two later (settle() writes the refunds)
        self._tag = "refund_cashout"
        for i in (idx := take(adults, 0.0015)):
            k = int(rng.integers(4, 9))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(pharm, i), k), "41",
                             self.t0 + np.sort(rng.integers(0, days, k)).astype("timedelta64[D]"),
                             np.zeros(k, int), rng.uniform(300, 900, k), 0.6, None, None)  # fmt: skip
        label(idx, "refund_cashout")
        # 冒用已故人员身份: the card keeps buying after its holder died (psn_death)
        self._tag = "after_death"
        for i in (idx := take(np.flatnonzero(age >= 60), 0.0008)):
            died = int(rng.integers(20, days - 90))
            self.deaths.append((psn.psn_no.iat[i], self.t0 + np.timedelta64(died, "D")))
            k = int(rng.integers(2, 6))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(pharm, i), k), "41",
                             self.t0 + (died + np.sort(rng.integers(5, days - died, k))).astype("timedelta64[D]"),
                             np.zeros(k, int), rng.lognormal(5.0, 0.4, k), 0.6, None, None)  # fmt: skip
        label(idx, "after_death")
        # 诊断与性别不符: a delivery billed on a man's card, a prostate stay on a woman's
        self._tag = "dx_inconsistent"
        gend = psn.gend.to_numpy()
        dx_of = {"1": INPATIENT_DX.index(next(d for d in INPATIENT_DX if d[0].startswith("O80"))),
                 "2": INPATIENT_DX.index(next(d for d in INPATIENT_DX if d[0].startswith("N40")))}  # fmt: skip
        for i in (idx := take(np.flatnonzero((age >= 20) & (age < 50)), 0.0008)):
            h = rng.choice(local(hosp, i))
            self._stays(psn, inst, np.array([i]), rng.integers(0, days - 20, 1), dx=np.array([dx_of[gend[i]]]),
                        levels=np.array([lv_of[h]]), insts=np.array([h]))  # fmt: skip
        label(idx, "dx_inconsistent")
        self._inject_institutions(psn, inst)
        # normal deaths: about 0.8% a year; their visits after death are removed in run()
        for i in take(np.flatnonzero(age >= 65), 0.008):
            self.deaths.append(
                (psn.psn_no.iat[i], self.t0 + np.timedelta64(int(rng.integers(30, days)), "D"))
            )
        self._tag = ""

    def lookalikes(self, psn: pd.DataFrame, inst: pd.DataFrame, regs: pd.DataFrame, used: set[int]) -> None:
        """Legitimate care that looks like the playbook's patterns (issue #16): unlabelled, so that precision
        is measured where it is hard. Each person is drawn once (``used``), apart from the fraud.

        - unplanned readmissions 2-15 days after discharge, same place and diagnosis (分解住院's look-alike);
        - a relative buying a chronic patient's own medicine while the patient is in hospital (挂床's);
        - families and villagers hurt or poisoned together, admitted and discharged within a day (同进同出's),
          at ordinary, varied amounts;
        - purchases returned for real reasons and refunded in full, two or three in a year (套现's).

        Practice differs from county to county (a county hospital that readmits its chemotherapy and dialysis
        patients, villages that buy medicine for each other, pharmacies with a generous return policy): each
        kind of look-alike is ``PRACTICE_SPREAD`` times likelier in some counties than the average, a factor
        drawn per county and kind (``practice``). Documented rule weights are a province's average; a region's
        own outcomes are what tell it how far its practice departs from it.
        """
        rng, days, n = self.rng, self.cfg.days, len(psn)
        age, county, village = psn._age.to_numpy(), psn.insuplc_admdvs.to_numpy(), psn._village.to_numpy()
        hosp = inst[(inst.fixmedins_type == "1") & inst.hosp_lv.isin(["02", "05", "06", "08"])]
        pharm = inst[inst.fixmedins_type == "2"]
        lv_of = inst.set_index("fixmedins_code").hosp_lv
        acute = [INPATIENT_DX.index(d) for d in INPATIENT_DX if d[2] in ("acute", "serious") and not d[6]]

        def local(pool: pd.DataFrame, i: int) -> np.ndarray:
            codes = pool[pool.fix_blng_admdvs == county[i]].fixmedins_code.to_numpy()
            return codes if len(codes) else pool.fixmedins_code.to_numpy()

        practice = self.practice()

        def take(pool, share):
            weight = psn.insuplc_admdvs.map(practice[self._tag]).to_numpy(float)
            return self._take(pool, max(3, int(n * share)), used, weight)

        self._tag = "lookalike_readmission"
        for i in take(np.flatnonzero(age >= 30), 0.004):
            h, dx = rng.choice(local(hosp, i)), rng.choice(acute)
            los = rng.integers(4, 12, 2)
            start = int(rng.integers(0, days - 45))
            day = np.array([start, start + los[0] + int(rng.integers(2, 16))])
            self._stays(psn, inst, np.array([i, i]), day, dx=np.array([dx, dx]), levels=lv_of[[h, h]].to_numpy(),
                        los=los, insts=np.array([h, h]))  # fmt: skip
        self._tag = "lookalike_relative_purchase"
        reg_dx = regs.drop_duplicates("psn_no").set_index("psn_no").opsp_dise_code
        registered = np.flatnonzero(psn.psn_no.isin(regs.psn_no).to_numpy())
        for i in take(registered, 0.002):
            h, los = rng.choice(local(hosp, i)), int(rng.integers(9, 16))
            start = int(rng.integers(0, days - 30))
            self._stays(psn, inst, np.array([i]), np.array([start]), dx=np.array([rng.choice(acute)]),
                        levels=np.array([lv_of[h]]), los=np.array([los]), insts=np.array([h]))  # fmt: skip
            own = next(c for c in CHRONIC if c[0] == reg_dx[psn.psn_no.iat[i]])
            k = int(rng.integers(2, 4))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(pharm, i), k), "41",
                             self.t0 + (start + rng.choice(np.arange(1, los), k, replace=False)).astype("timedelta64[D]"),
                             np.zeros(k, int), own[2][0][2] * 15 * rng.uniform(1.0, 1.3, k), 0.6, own[0], own[1])  # fmt: skip
        self._tag = "lookalike_family"
        for i in take(np.flatnonzero(age >= 5), 0.0006):
            same = np.flatnonzero(village == village[i])
            fam = np.concatenate([[i], self._take(same, int(rng.integers(2, 5)), used)])
            g = len(fam)
            h, day, dx = rng.choice(local(hosp, i)), int(rng.integers(0, days - 20)), rng.choice(acute)
            arrive = day + (rng.random(g) < 0.3).astype(int)
            los = np.maximum(2, np.round(rng.lognormal(np.log(6), 0.3, g))).astype(int)
            self._stays(psn, inst, fam, arrive, dx=np.full(g, dx), levels=np.full(g, lv_of[h]), los=los,
                        insts=np.full(g, h))  # fmt: skip
        self._tag = "lookalike_refund"
        for i in take(np.flatnonzero(age >= 18), 0.003):
            k = int(rng.integers(2, 4))
            self._add_visits(np.full(k, psn.psn_no.iat[i]), rng.choice(local(pharm, i), k), "41",
                             self.t0 + np.sort(rng.integers(0, days, k)).astype("timedelta64[D]"),
                             np.zeros(k, int), rng.uniform(60, 400, k), 0.6, None, None)  # fmt: skip
        self._tag = ""

    def practice(self) -> dict[str, dict[str, float]]:
        """Look-alike kind → county → how much likelier than average a person there is to be one (mean 1 over
        the prefecture's population): lognormal with σ = ``PRACTICE_SPREAD``, from its own random stream."""
        rng = np.random.default_rng(self.cfg.seed + 1)
        share = np.array([w for _, w in COUNTIES.values()])
        out = {}
        for kind in LOOKALIKES:
            f = rng.lognormal(0.0, PRACTICE_SPREAD, len(COUNTIES))
            out[kind] = dict(zip(COUNTIES, f / (f * share).sum() * share.sum(), strict=True))
        return out

    def _inject_institutions(self, psn: pd.DataFrame, inst: pd.DataFrame) -> None:
        """Overcharging, induced admissions and pharmacy card swiping, at institutions not yet injected."""
        rng, days = self.rng, self.cfg.days
        taken = self._clustered | self._templated
        hosp = inst[
            (inst.fixmedins_type == "1")
            & inst.hosp_lv.isin(["06", "08", "11"])
            & ~inst.fixmedins_code.isin(taken)
        ]

        adults = np.flatnonzero(psn._age.to_numpy() >= 18)

        def residents(admdvs: str) -> np.ndarray:
            """Adults living in ``admdvs`` (all adults when a small prefecture has none there)."""
            local = adults[psn.insuplc_admdvs.to_numpy()[adults] == admdvs]
            return local if len(local) else adults

        def pick(pool: pd.DataFrame, share: float) -> pd.DataFrame:
            k = min(len(pool), max(1, int(round(len(pool) * share))))
            return pool.sample(k, random_state=int(rng.integers(1 << 30)))

        # 超标准收费/过度诊疗: every stay billed at 2.2-3x (settle() applies it)
        over = pick(hosp, 0.03)
        self._overcharging = set(over.fixmedins_code)
        self.labels.extend(("fixmedins", c, "overcharging") for c in over.fixmedins_code)
        # 诱导住院/门诊转住院: outpatients of the county admitted for mild conditions, tripling its stays
        self._tag = "induced_admission"
        visits = pd.concat(self.visits, ignore_index=True)
        stays = visits[visits.med_type == "21"].fixmedins_code.value_counts()
        induced = pick(hosp[~hosp.fixmedins_code.isin(self._overcharging)], 0.03)
        mild = [INPATIENT_DX.index(d) for d in MILD_DX]
        for _, h in induced.iterrows():
            k = max(30, 2 * int(stays.get(h.fixmedins_code, 0)))
            people = residents(h.fix_blng_admdvs)
            idx = rng.choice(people, k)
            self._stays(psn, inst, idx, rng.integers(0, days - 15, k), dx=rng.choice(mild, k),
                        levels=np.full(k, h.hosp_lv), insts=np.full(k, h.fixmedins_code))  # fmt: skip
            self.labels.append(("fixmedins", h.fixmedins_code, "induced_admission"))
        # 药店空刷/倒卖药品: on a few days, a batch of different cards buys the same drug for the same amount
        self._tag = "card_swiping"
        for _, ph in pick(inst[inst.fixmedins_type == "2"], 0.03).iterrows():
            people = residents(ph.fix_blng_admdvs)
            drug = CHRONIC[int(rng.integers(0, len(CHRONIC)))]
            amount = round(drug[2][0][2] * 30 * rng.uniform(2, 4), 0)  # a multiple of the pack price
            for day in rng.choice(days, int(rng.integers(4, 9)), replace=False):
                k = min(int(rng.integers(6, 13)), len(people))
                self._add_visits(psn.psn_no.to_numpy()[rng.choice(people, k, replace=False)], np.full(k, ph.fixmedins_code), "41",
                                 np.full(k, self.t0 + np.timedelta64(int(day), "D")), np.zeros(k, int),
                                 np.full(k, amount), 0.6, drug[0], drug[1], hour=np.full(k, int(rng.integers(9, 18))))  # fmt: skip
            self.labels.append(("fixmedins", ph.fixmedins_code, "card_swiping"))
        self._tag = ""

    # -- settlements and fee lines -----------------------------------------------------------------
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
            drug = [CHRONIC[i][2][0] for i in j]
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
        return fees

    # -- all ---------------------------------------------------------------------------------------
    def run(self) -> dict[str, pd.DataFrame]:
        self._chronic_rx, self._heavy_rx = [], []
        psn = self.persons()
        inst = self.institutions()
        inst_pick = inst.assign(hosp_lv=inst.hosp_lv.fillna("PH"))
        cancer = self.normal_care(psn, inst_pick)
        regs = self.chronic(psn, inst_pick)
        used = self.inject(psn, inst_pick, set(cancer.psn_no))
        self.inject_playbook(psn, inst_pick, regs, used)
        self.lookalikes(psn, inst_pick, regs, used)
        visits = pd.concat(self.visits, ignore_index=True)
        visits = visits[visits.begntime < self.t0 + np.timedelta64(self.cfg.days, "D")].reset_index(drop=True)
        deaths = pd.DataFrame(self.deaths, columns=["psn_no", "death_date"]).drop_duplicates("psn_no")
        visits = _drop_conflicts(visits, deaths)
        setl, fees = self.settle(visits)
        mdtrt = visits.drop(columns=["medfee_sumamt", "fulamt_ownpay_amt", "hifp_pay", "los", "_tag"])
        mdtrt["adm_dept_codg"] = np.where(mdtrt.med_type == "21", "A03", None)
        mdtrt["atddr_no"] = np.char.add("D", mdtrt.fixmedins_code.str.slice(1).to_numpy().astype(str))
        labels = pd.DataFrame(
            self.labels, columns=["entity_type", "entity_id", "fraud_type"]
        ).drop_duplicates()
        return {
            "psn": psn.drop(columns=["_age", "_village"]),
            "fixmedins": inst,
            "mdtrt": mdtrt,
            "setl": setl,
            "fee_list": fees,
            "opsp_reg": regs,
            "psn_death": deaths.assign(source="民政"),
            "labels": labels,
        }


def _drop_conflicts(visits: pd.DataFrame, deaths: pd.DataFrame) -> pd.DataFrame:
    """Normal care is physically possible: nobody lies in two hospitals at once, sees a clinic while in
    hospital, or visits anyone after death. Only the injected patterns break these (their ``_tag``)."""
    adm, dscg = visits.begntime.dt.normalize(), visits.endtime.dt.normalize()
    normal = (visits._tag == "").to_numpy()
    stay = (visits.med_type == "21").to_numpy()
    s = pd.DataFrame({"psn_no": visits.psn_no, "adm": adm, "dscg": dscg})[stay].sort_values(["psn_no", "adm"])
    g = s.groupby("psn_no", sort=False)
    prev_end = g.dscg.shift().groupby(s.psn_no).cummax()
    next_start = g.adm.shift(-1)
    clash = (s.adm < prev_end) | (s.dscg > next_start)
    drop = np.zeros(len(visits), bool)
    drop[clash[clash].index.to_numpy()] = True
    drop &= normal
    kept = s[~drop[s.index.to_numpy()]]
    # visits strictly inside a stay (on the admission or discharge day they are possible)
    cand = ~stay & ~visits._tag.isin(["bed_blocking", "lookalike_relative_purchase"]).to_numpy() & ~drop
    o = pd.DataFrame({"psn_no": visits.psn_no[cand], "day": adm[cand]}).reset_index()
    m = o.merge(kept, on="psn_no")
    drop[m["index"][(m.day > m.adm) & (m.day < m.dscg)].unique()] = True
    # after death (normal care only: the after_death pattern keeps its visits)
    d = pd.DataFrame({"psn_no": visits.psn_no, "day": adm}).reset_index().merge(deaths, on="psn_no")
    late = d["index"][d.day > d.death_date]
    drop[late[normal[late.to_numpy()]].unique()] = True
    return visits[~drop].reset_index(drop=True)


MIN_PERSONS = 200
# Bumped whenever generated data changes (patterns, distributions): cached landings (make bench, make
# quality) are regenerated when their generator.json names another version.
GENERATOR_VERSION = 4
DECIMAL_COLS = {
    *SETL_AMOUNTS,
    "cnt",
    "pric",
    "det_item_fee_sumamt",
}


def _to_arrow(df: pd.DataFrame) -> pa.Table:
    cols = {}
    for c in df.columns:
        s = df[c]
        if c in DECIMAL_COLS:
            cols[c] = pa.array(s.astype(float).round(2), pa.float64()).cast(pa.decimal128(18, 2), safe=False)
        elif c == "prd_days":
            cols[c] = pa.array(pd.to_numeric(s, errors="coerce").astype("Int32"))
        elif pd.api.types.is_datetime64_any_dtype(s):
            unit = "D" if c in ("brdy", "begndate", "enddate", "death_date") else "s"
            cols[c] = pa.array(s).cast(pa.date32() if unit == "D" else pa.timestamp("s"))
        else:
            cols[c] = pa.array(s.astype(object).where(s.notna(), None), pa.string())
    return pa.table(cols)


def write_landing(
    tables: dict[str, pd.DataFrame], out: Path, fmt: str = "parquet", rows_per_file: int = 1_000_000
):
    out.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        if name == "labels":
            df.to_csv(out / "labels.csv", index=False)
            continue
        folder = out / name
        folder.mkdir(exist_ok=True)
        for i, start in enumerate(range(0, max(len(df), 1), rows_per_file)):
            part = df.iloc[start : start + rows_per_file]
            if fmt == "csv":
                part.to_csv(
                    folder / f"{name}_{i:03d}.csv",
                    index=False,
                    encoding="utf-8-sig",
                    date_format="%Y-%m-%d %H:%M:%S",
                )
            else:
                pq.write_table(_to_arrow(part), folder / f"{name}_{i:03d}.parquet")


def is_current(landing: Path, persons: int, seed: int) -> bool:
    """True when ``landing`` was generated by this generator version with these arguments (a cache check)."""
    try:
        meta = json.loads((Path(landing) / "generator.json").read_text())
    except (OSError, ValueError):
        return False
    return meta.get("version") == GENERATOR_VERSION and (meta.get("persons"), meta.get("seed")) == (
        persons,
        seed,
    )


def generate(
    out: Path,
    persons: int = 20_000,
    seed: int = 7,
    fmt: str = "parquet",
    start: dt.date | None = None,
    days: int = 365,
) -> dict[str, int]:
    """Write a synthetic landing zone under ``out``; return row counts per table."""
    if persons < MIN_PERSONS:
        raise ValueError(
            f"--persons must be at least {MIN_PERSONS}: smaller prefectures cannot hold every injected pattern"
        )
    cfg = GenConfig(persons=persons, seed=seed, fmt=fmt, start=start or GenConfig.start, days=days)
    tables = Generator(cfg).run()
    write_landing(tables, Path(out), fmt, cfg.rows_per_file)
    (Path(out) / "generator.json").write_text(
        json.dumps({"version": GENERATOR_VERSION, "persons": persons, "seed": seed, "format": fmt}) + "\n"
    )
    return {k: len(v) for k, v in tables.items()}
