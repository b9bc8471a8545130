"""Synthetic prefecture: a landing zone that follows the contract, plus ``labels.csv``.

The normal world (``world``) with fraud and its legitimate look-alikes added (``fraud``); ``generate`` writes
it as landed files. Labels go to ``labels.csv`` only: no feature, rule or model reads them.

Everything is vectorized with numpy so that a 1,000,000-person prefecture takes minutes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from jobs.synthetic.fraud import Fraud
from jobs.synthetic.world import (
    COUNTIES,
    PREFECTURE,
    PREFECTURE_NAME,
    SETL_AMOUNTS,
    GenConfig,
    World,
    with_check_digit,
)

log = logging.getLogger(__name__)


class Generator(World, Fraud):
    """The prefecture: the normal world, then the fraud and its look-alikes; ``run`` returns every table."""

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
        self.rings(psn, inst_pick, used)
        visits = pd.concat(self.visits, ignore_index=True)
        visits = visits[visits.begntime < self.t0 + np.timedelta64(self.cfg.days, "D")].reset_index(drop=True)
        deaths = pd.DataFrame(self.deaths, columns=["psn_no", "death_date"]).drop_duplicates("psn_no")
        visits = _drop_conflicts(visits, deaths)
        # nobody is seen before they are born (a baby born in the year has care from its birth on)
        born = visits.psn_no.map(psn.set_index("psn_no").brdy)
        visits = visits[visits.begntime.dt.normalize() >= pd.to_datetime(born)].reset_index(drop=True)
        setl, fees = self.settle(visits)
        fees = self.code_fraud(fees, visits, inst)
        mdtrt = visits.drop(
            columns=["medfee_sumamt", "fulamt_ownpay_amt", "hifp_pay", "los", "_tag", "_drug"]
        )
        mdtrt["adm_dept_codg"] = _departments(visits, psn)
        mdtrt["atddr_no"] = np.char.add("D", mdtrt.fixmedins_code.str.slice(1).to_numpy().astype(str))
        labels = pd.DataFrame(
            self.labels, columns=["entity_type", "entity_id", "fraud_type"]
        ).drop_duplicates()
        ring_of = dict((p, g) for g, p in self.groups)  # the group of each ring member (issue #19)
        labels["group_id"] = np.where(labels.fraud_type == "fraud_ring", labels.entity_id.map(ring_of), None)
        return {
            "psn": psn.drop(columns=["_age", "_village"]),
            "fixmedins": inst,
            "mdtrt": mdtrt,
            "setl": setl,
            "fee_list": fees,
            "opsp_reg": regs,
            "psn_death": deaths.assign(source="民政"),
            "admdvs": pd.DataFrame(
                [(PREFECTURE, PREFECTURE_NAME, None)]
                + [(c, n, PREFECTURE) for c, (n, _) in COUNTIES.items()],
                columns=["admdvs", "admdvs_name", "prnt_admdvs"],
            ),
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
def _departments(visits: pd.DataFrame, psn: pd.DataFrame) -> np.ndarray:
    """adm_dept_codg of each visit (national 科室 codes): a children's department (A07 儿科) for the hospital
    visits of people under 18 and for a child seen on a parent's card (``_tag`` identity_child), the neonatal
    department (A07.01) for a newborn's care on its mother's card, internal medicine (A03) for other stays and the
    split consultations, A03 or A10 for the two-department look-alike, none for other outpatient visits and
    pharmacy purchases."""
    brdy = visits.psn_no.map(psn.set_index("psn_no").brdy)
    age = (pd.to_datetime(visits.begntime) - pd.to_datetime(brdy)).dt.days / 365.25
    hospital = visits.med_type.isin(["11", "13", "21"]).to_numpy()
    child = (hospital & (age < 18).to_numpy()) | (visits._tag == "identity_child").to_numpy()
    newborn = visits.dise_codg.fillna("").str.startswith("P").to_numpy()  # on the mother's card (随母)
    dept = np.where(child, "A07", np.where(visits.med_type == "21", "A03", None))
    # the split consultations in internal medicine; the two-department mornings in internal medicine and
    # ophthalmology (A10 眼科)
    two = (visits._tag == "lookalike_two_departments").to_numpy()
    dept = np.where(
        (visits._tag == "split_visits").to_numpy() | (two & (visits.dise_codg == "I10.x00")), "A03", dept
    )
    dept = np.where(two & (visits.dise_codg == "H25.900").to_numpy(), "A10", dept)
    return np.where(newborn, "A07.01", dept)


# 14: 个人账户套现 (whole sums from the personal account at month ends) and December account spending.
# 13: half of the refund cash-out cards get refunds that return the fees in cash but not the fund's share;
# aspirin's 周期天数 recorded as the pack size (100 days), a look-alike of 超量开药; 分解就诊 (split
# consultations) and its look-alike, two departments of one hospital on one morning.
# 12: identity borrowing by cards lent across counties and children on a parent's card (儿科), departments on
# hospital visits, crews (rings at one hospital), evening cash-out swiping; look-alikes: travellers, appointments
# booked from the clinic, cataract package days, priced packages at pharmacies, newborns settled on the
# mother's card; no visits before birth.
# 11: 慢特病乱开药 and the comorbid-regimen look-alike; 10: the admdvs table
GENERATOR_VERSION = 14
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
    tables: dict[str, pd.DataFrame],
    out: Path,
    fmt: str = "parquet",
    rows_per_file: int = 1_000_000,
    prefix: str = "",
    append: bool = False,
):
    """Write ``tables`` as landed files under ``out`` (``<table>/<table>_<prefix><n>.<fmt>``) and the labels as
    ``labels.csv``; ``append``: add to the labels already there (another prefecture of the same province)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        if name == "labels":
            df.to_csv(out / "labels.csv", index=False, mode="a" if append else "w", header=not append)
            continue
        folder = out / name
        folder.mkdir(exist_ok=True)
        for i, start in enumerate(range(0, max(len(df), 1), rows_per_file)):
            part = df.iloc[start : start + rows_per_file]
            if fmt == "csv":
                part.to_csv(
                    folder / f"{name}_{prefix}{i:03d}.csv",
                    index=False,
                    encoding="utf-8-sig",
                    date_format="%Y-%m-%d %H:%M:%S",
                )
            else:
                pq.write_table(_to_arrow(part), folder / f"{name}_{prefix}{i:03d}.parquet")


def is_current(landing: Path, persons: int, seed: int, chunk_persons: int | None = None) -> bool:
    """True when ``landing`` was generated by this generator version with these arguments (a cache check): a
    province cut into prefectures of another size (``chunk_persons``, default ``CHUNK_PERSONS``) is another
    province."""
    chunk_persons = chunk_persons or CHUNK_PERSONS
    try:
        meta = json.loads((Path(landing) / "generator.json").read_text())
    except (OSError, ValueError):
        return False
    n = -(-persons // chunk_persons)
    cut = (meta.get("prefectures", 1), meta.get("chunk_persons") if n > 1 else None)
    return (
        meta.get("version") == GENERATOR_VERSION
        and (meta.get("persons"), meta.get("seed")) == (persons, seed)
        and cut == (n, chunk_persons if n > 1 else None)
    )


# A province (issue #23) is generated one prefecture at a time, each written before the next is made, so memory
# holds one prefecture whatever the province's size. The first is the generator's own 秦皇岛市; the others take
# the codes and names of Hebei's other prefectures (省 130000).
PROVINCE, PROVINCE_NAME = "130000", "河北省"
PROVINCE_PREFECTURES = {
    "130300": "秦皇岛市",
    "130100": "石家庄市",
    "130200": "唐山市",
    "130400": "邯郸市",
    "130500": "邢台市",
    "130600": "保定市",
    "130700": "张家口市",
    "130800": "承德市",
    "130900": "沧州市",
    "131000": "廊坊市",
}
CHUNK_PERSONS = 1_000_000  # persons per prefecture when a province is generated
# a drug traceability code the generator makes: 8, six digits of product (or ward), a 13-digit serial whose first
# digit it leaves 0; a prefecture's codes carry its number there, so no two prefectures share a box
_GEN_CODE = r"(?<![0-9A-Za-z])(8[0-9]{6})0([0-9]{12})(?![0-9A-Za-z])"
# the columns that hold an administrative-division code, or an identifier that starts with one (after a letter)
_REGION_COLUMNS = (
    "psn_no", "certno", "insuplc_admdvs", "fix_blng_admdvs", "fixmedins_code", "atddr_no", "admdvs",
    "prnt_admdvs", "entity_id",
)  # fmt: skip
_SERIAL_COLUMNS = {"mdtrt_id": "MD", "setl_id": "ST", "feedetl_sn": "FD"}


def as_prefecture(tables: dict[str, pd.DataFrame], k: int) -> dict[str, pd.DataFrame]:
    """The generator's prefecture moved to the ``k``-th prefecture of ``PROVINCE_PREFECTURES``: its region codes,
    the identifiers built on them (persons, ID numbers, institutions, doctors), the visit, settlement and fee-line
    serials, ring names, addresses, institution names and drug traceability codes become the prefecture's own,
    so prefectures written side by side share no identifier. ``k`` = 0 keeps the region codes and names."""
    code = list(PROVINCE_PREFECTURES)[k]
    name = PROVINCE_PREFECTURES[code]
    region = r"^([A-Z]?)" + PREFECTURE[:4]
    out = {}
    for t, df in tables.items():
        df = df.copy()
        for c in df.columns:
            if c in _REGION_COLUMNS and df[c].dtype == object:
                df[c] = df[c].str.replace(region, r"\g<1>" + code[:4], regex=True)
            elif c in _SERIAL_COLUMNS:
                df[c] = df[c].str.replace(
                    r"^" + _SERIAL_COLUMNS[c], f"{_SERIAL_COLUMNS[c]}{k:02d}", regex=True
                )
            elif c == "drug_trac_codg":
                df[c] = df[c].str.replace(_GEN_CODE, rf"\g<1>{k}\g<2>", regex=True)
            elif c == "group_id":
                df[c] = df[c].where(df[c].isna(), code + "-" + df[c].astype(str))
        if t == "psn" and k:
            df["live_addr"] = name + df["live_addr"]
            df["certno"] = with_check_digit(df["certno"].str.slice(0, 17).to_numpy(dtype=str))
        if t == "fixmedins" and k:
            df["fixmedins_name"] = name + df["fixmedins_name"]
        if t == "admdvs":
            df["admdvs_name"] = np.where(df.admdvs == code, name, df.admdvs_name)
            df["prnt_admdvs"] = df.prnt_admdvs.fillna(PROVINCE)
        out[t] = df
    return out


def generate(
    out: Path,
    persons: int = 20_000,
    seed: int = 7,
    fmt: str = "parquet",
    start: dt.date | None = None,
    days: int = 365,
    chunk_persons: int = CHUNK_PERSONS,
) -> dict[str, int]:
    """Write a synthetic landing zone under ``out``; return row counts per table.

    Up to ``chunk_persons`` persons make one prefecture. More make a province: ``ceil(persons / chunk_persons)``
    prefectures of equal size (at most ``len(PROVINCE_PREFECTURES)``), each generated with its own seed and
    written before the next is made (``as_prefecture``), so memory holds one prefecture; the province's labels
    are one ``labels.csv``.
    """
    if persons < MIN_PERSONS:
        raise ValueError(
            f"--persons must be at least {MIN_PERSONS}: smaller prefectures cannot hold every injected pattern"
        )
    n = -(-persons // chunk_persons)
    if n > 1 and persons // n < MIN_PERSONS:
        raise ValueError(f"--chunk-persons must be at least {MIN_PERSONS}: each prefecture needs that many")
    if n > len(PROVINCE_PREFECTURES):
        raise ValueError(
            f"{persons} persons make {n} prefectures of at most {chunk_persons}; the province has "
            f"{len(PROVINCE_PREFECTURES)}: raise --chunk-persons"
        )
    out = Path(out)
    counts: dict[str, int] = {}
    for k in range(n):
        size = persons // n + (k < persons % n)
        cfg = GenConfig(
            persons=size, seed=seed + 7919 * k, fmt=fmt, start=start or GenConfig.start, days=days
        )
        tables = Generator(cfg).run()
        if n > 1:
            tables = as_prefecture(tables, k)
            if k == 0:
                tables["admdvs"] = pd.concat(
                    [pd.DataFrame([(PROVINCE, PROVINCE_NAME, None)], columns=tables["admdvs"].columns),
                     tables["admdvs"]], ignore_index=True,
                )  # fmt: skip
            log.info("prefecture %d of %d (%s): %d persons", k + 1, n, list(PROVINCE_PREFECTURES)[k], size)
        write_landing(tables, out, fmt, cfg.rows_per_file, prefix=f"{k:02d}_" if n > 1 else "", append=k > 0)
        for t, df in tables.items():
            counts[t] = counts.get(t, 0) + len(df)
        del tables
    meta = {"version": GENERATOR_VERSION, "persons": persons, "seed": seed, "format": fmt}
    if n > 1:
        meta.update(prefectures=n, chunk_persons=chunk_persons)
    (out / "generator.json").write_text(json.dumps(meta) + "\n")
    return counts
