"""Traceability-code evidence of the week's clues (issue #20): every sale of the codes a clue rests on.

For an institution clue, the codes it sold again (一码多销) or sold after another institution (回流药); for a
person clue, the boxes the person bought that were later sold to others elsewhere (倒卖). Each code with each
of its sales, first sale first: date, institution, person (masked), drug, amount. The 涉及结算 sheet lists
them (``CODE_COLUMNS``) and the clue's text quotes the first ones.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from features.trace import REFLOW, SELF
from jobs.lake import Lake
from jobs.lake.tables import CODE_RESALES
from jobs.publish.evidence import who_and_where

CODE_RULES = {"fixmedins": ("F06", "F07"), "psn": ("P12",)}
MAX_CODES = 20  # codes listed per clue in the sheet
QUOTED_CODES = 3  # codes quoted in the clue's text
CODE_COLUMNS = {  # the code columns of the 涉及结算 sheet
    "clue_id": "线索编号",
    "setl_id": "结算ID",
    "drug_trac_codg": "追溯码",
    "seq": "该码第几次销售",
    "sale_time": "销售时间",
    "inst_name": "销售机构",
    "person": "购药人(脱敏)",
    "drug": "药品",
    "amount": "金额(元)",
}


def _wanted(clues: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(clue_id, entity_type, entity_id) of the clues that rest on a code rule (``rules`` while publishing,
    ``rules_fired`` in ``gold/clues``)."""
    out = []
    for row in clues.to_dict("records"):
        fired = row.get("rules") if row.get("rules") is not None else row.get("rules_fired")
        if set(fired if fired is not None else []) & set(CODE_RULES.get(row["entity_type"], ())):
            out.append((row["clue_id"], row["entity_type"], row["entity_id"]))
    return out


def pick(sales: pd.DataFrame, wanted) -> pd.DataFrame:
    """Pure: for each wanted clue, every sale (of ``sales``: ``gold/code_resales`` rows) of up to ``MAX_CODES``
    of its codes: for an institution the codes it sold again or after others, for a person the boxes resold
    elsewhere. ``clue_id`` added."""
    picks = []
    for clue_id, entity_type, entity_id in wanted:
        if entity_type == "fixmedins":
            mine = sales[(sales.fixmedins_code == entity_id) & sales.kind.isin([SELF, REFLOW])]
        else:
            mine = sales[(sales.psn_no == entity_id) & sales.resold_elsewhere.astype(bool)]
        codes = mine.drug_trac_codg.drop_duplicates().head(MAX_CODES)
        picks.append(sales[sales.drug_trac_codg.isin(codes)].assign(clue_id=clue_id))
    return pd.concat(picks, ignore_index=True) if picks else sales.head(0).assign(clue_id=[])


def describe(lake: Lake, rows: pd.DataFrame) -> pd.DataFrame:
    """``pick``'s rows as people read them (``CODE_COLUMNS``): names masked, first sale first."""
    if not len(rows):
        return pd.DataFrame(columns=list(CODE_COLUMNS))
    rows = rows.copy()
    rows["person"], rows["inst_name"] = who_and_where(lake, rows.psn_no, rows.fixmedins_code)
    rows["drug"] = rows.hilist_name.fillna(rows.med_list_codg)
    rows["amount"] = pd.to_numeric(rows.amount).astype(float).round(2)
    rows["sale_time"] = pd.to_datetime(rows.sale_time).dt.strftime("%Y-%m-%d %H:%M")
    rows = rows.sort_values(["clue_id", "drug_trac_codg", "seq"])
    return rows[list(CODE_COLUMNS)].reset_index(drop=True)


def code_evidence(spark, lake: Lake, as_of: dt.date, clues: pd.DataFrame) -> pd.DataFrame:
    """One row per sale of each code behind the clues (``CODE_COLUMNS``), clue by clue, code by code, first
    sale first; empty when no clue names a code rule or the lake has no code resales."""
    from pyspark.sql import functions as F

    wanted = _wanted(clues)
    if not wanted or not lake.exists(CODE_RESALES):
        return pd.DataFrame(columns=list(CODE_COLUMNS))
    sales = lake.read(spark, CODE_RESALES).filter(F.col("as_of") == F.lit(as_of)).toPandas()
    return describe(lake, pick(sales, wanted))


def clue_code_sales(lake: Lake, clue: dict) -> pd.DataFrame:
    """The same for one published clue (a row of ``gold/clues``), read with delta-rs: the workbench's clue page."""
    wanted = _wanted(pd.DataFrame([clue]))
    if not wanted or not lake.exists(CODE_RESALES):
        return pd.DataFrame(columns=list(CODE_COLUMNS))
    key = "fixmedins_code" if clue["entity_type"] == "fixmedins" else "psn_no"
    week = [("as_of", "=", clue["as_of"])]
    mine = lake.read_arrow(CODE_RESALES, filters=[*week, (key, "=", clue["entity_id"])]).to_pandas()
    codes = mine.drug_trac_codg.drop_duplicates().tolist()
    if not codes:
        return pd.DataFrame(columns=list(CODE_COLUMNS))
    sales = lake.read_arrow(CODE_RESALES, filters=[*week, ("drug_trac_codg", "in", codes)]).to_pandas()
    return describe(lake, pick(sales, wanted))


def quoted(evidence: pd.DataFrame, clue_id: str) -> str:
    """The clue's text about its codes: the first ``QUOTED_CODES`` codes with their sales in order."""
    mine = evidence[evidence.clue_id == clue_id]
    if not len(mine):
        return ""
    parts = []
    for code, sales in list(mine.groupby("drug_trac_codg", sort=False))[:QUOTED_CODES]:
        steps = " → ".join(
            f"{s.sale_time[:10]} {s.inst_name} {s.person} {s.drug} {s.amount:.2f}元"
            for s in sales.itertuples()
        )
        parts.append(f"{code}：{steps}")
    more = mine.drug_trac_codg.nunique() - len(parts)
    tail = f"；另有{more}个追溯码见涉及结算表" if more > 0 else ""
    return "【追溯码销售记录】" + "；".join(parts) + tail
