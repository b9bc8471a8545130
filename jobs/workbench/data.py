"""What the workbench reads from the lake and the outcomes it writes back (issue #22).

Reads are small and go through delta-rs (no Spark in a web request): the week's clues, the register, one clue's
settlements. Every read is filtered by the session's region here, on the server: a clue of another region is
not found. An outcome is written like a landed ``clue_feedback`` row: appended to ``bronze/clue_feedback`` (who
and when in its metadata: the audit trail keeps every change) and to ``silver/clue_feedback``, under the
ingest's locks, so the next ``publish``, ``score`` and ``train`` read it as they read any feedback.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal

import pandas as pd
import pyarrow as pa

from jobs.ingest.contract import TABLES
from jobs.lake import Lake, outcomes
from jobs.lake.tables import CLUES, FEEDBACK, PROVINCE, bronze
from jobs.publish.codes import clue_code_sales
from jobs.publish.evidence import person_rings, settlement_details

STATUSES = ("核查中", "查实", "部分查实", "不属实")
_TYPES = {"string": pa.string(), "decimal": pa.decimal128(18, 2), "date": pa.date32()}


class OutcomeError(ValueError):
    """An outcome the form must refuse, in words for the verifier."""


def _mine(frame: pd.DataFrame, region: str) -> pd.DataFrame:
    return frame if region == PROVINCE or not len(frame) else frame[frame.admdvs.astype(str) == region]


def clues(lake: Lake, region: str) -> pd.DataFrame:
    """Every clue issued to ``region`` (all regions for the province), newest week first."""
    if not lake.exists(CLUES):
        return pd.DataFrame(columns=["clue_id", "as_of", "admdvs"])
    return _mine(outcomes.clue_history(lake), region).sort_values(["as_of", "rank"], ascending=[False, True])


def week(lake: Lake, region: str, today: dt.date) -> tuple[dt.date | None, pd.DataFrame]:
    """(as_of, the week's clues of the region with their status and due date)."""
    issued = clues(lake, region)
    if not len(issued):
        return None, issued
    as_of = issued.as_of.max()
    reg = register(lake, region, today).set_index("clue_id")
    this = issued[issued.as_of == as_of].copy()
    this["status"] = this.clue_id.map(reg.status).fillna("待核查")
    this["due_date"] = this.clue_id.map(reg.due_date)
    return as_of, this


def register(lake: Lake, region: str, today: dt.date) -> pd.DataFrame:
    """Every clue of the region so far with its newest accepted outcome and whether it is overdue."""
    return _mine(outcomes.verified_register(lake, today), region)


def clue(lake: Lake, region: str, clue_id: str) -> dict | None:
    """The newest issue of one clue, or None when it does not exist or belongs to another region."""
    found = clues(lake, region)
    found = found[found.clue_id == clue_id]
    return None if not len(found) else found.iloc[0].to_dict()


def settlements(lake: Lake, row: dict) -> pd.DataFrame:
    """The settlements behind a clue (its ``setl_ids``): time, institution, diagnosis, amounts, masked person."""
    ids = row.get("setl_ids")
    return settlement_details(lake, [] if ids is None else list(ids))


def code_sales(lake: Lake, row: dict) -> pd.DataFrame:
    """Every sale of the traceability codes the clue rests on (``jobs.publish.codes.clue_code_sales``)."""
    return clue_code_sales(lake, row)


def rings(lake: Lake, row: dict) -> pd.DataFrame:
    """The rings (团伙) a person clue's person belongs to in the clue's week (``person_rings``)."""
    return (
        person_rings(lake, row["entity_id"], row["as_of"]) if row["entity_type"] == "psn" else pd.DataFrame()
    )


def _amount(text: str | None, label: str) -> Decimal | None:
    if text is None or str(text).strip() == "":
        return None
    try:
        value = Decimal(str(text).replace(",", "").strip()).quantize(Decimal("0.01"))
    except ArithmeticError as e:
        raise OutcomeError(f"{label}：请填写金额(元)") from e
    if value < 0:
        raise OutcomeError(f"{label}：金额不能为负")
    return value


def record_outcome(
    lake: Lake,
    row: dict,
    user: str,
    status: str,
    verified: str | None,
    recovered: str | None,
    note: str,
    day: dt.date,
    confirm_over: bool = False,
) -> dict:
    """Append a verifier's outcome on clue ``row`` (found through ``clue``, hence the user's region) as a
    ``clue_feedback`` row; return it. Refused (OutcomeError): an unknown status, a negative amount, an amount
    above the clue's fund amount unless ``confirm_over``, a recovered amount above the verified one."""
    if status not in STATUSES:
        raise OutcomeError(f"核查状态须为：{'、'.join(STATUSES)}")
    v, r = _amount(verified, "查实金额"), _amount(recovered, "追回金额")
    fund = Decimal(str(row.get("fund_amount") or 0)).quantize(Decimal("0.01"))
    if not confirm_over and any(a is not None and a > fund for a in (v, r)):
        raise OutcomeError(f"金额超出线索涉及基金金额({fund}元)：如属实，请勾选“确认超出”后保存")
    if v is not None and r is not None and r > v:
        raise OutcomeError("追回金额不能大于查实金额")
    feedback = {
        "clue_id": row["clue_id"],
        "status": status,
        "verified_amt": v,
        "recovered_amt": r,
        "feedback_date": day,
        "note": (note or "").strip()[:500] or None,
        "admdvs": str(row["admdvs"]),
        "over_fund_flag": "1" if confirm_over else None,
    }
    table = TABLES["clue_feedback"]
    types = {c.name: _TYPES[c.type] for c in table.columns}
    contract = pa.table({c: pa.array([feedback[c]], types[c]) for c in table.column_names})
    now = dt.datetime.now(dt.UTC)
    audit = {
        "_extra": pa.array(
            [[("entered_by", user), ("source", "workbench")]], pa.map_(pa.string(), pa.string())
        ),
        "_source_file": pa.array([f"workbench:{user}"]),
        "_file_sha256": pa.array([None], pa.string()),
        "_batch_id": pa.array([f"workbench-{uuid.uuid4().hex[:16]}"]),
        "_ingested_at": pa.array([now], pa.timestamp("us", tz="UTC")),
        "_row_hash": pa.array([_row_hash(feedback, table.column_names)]),
    }
    rows = contract
    for name, col in audit.items():
        rows = rows.append_column(name, col)
    key = " AND ".join(f"{k} = '{_sql(feedback[k])}'" for k in table.key)
    # the ingest's discipline: the table's ingest lock, then silver's
    with lake.lock(f"ingest/{table.name}"), lake.lock("silver"):
        synced = lake.synced_to(FEEDBACK, "bronze_version") if lake.exists(FEEDBACK) else None
        before = lake.data_version(bronze(table.name)) if lake.exists(bronze(table.name)) else None
        version = lake.write_arrow(rows, bronze(table.name), metadata={"stage": "workbench", "user": user})
        meta = {"stage": "silver", "bronze_version": version, "user": user}
        if synced is None and before is not None:
            pass  # silver does not follow bronze yet: the next ingest rebuilds it, this row included
        elif lake.exists(FEEDBACK) and synced == str(before):  # the newest outcome per key replaces the older
            lake.write_arrow(contract, FEEDBACK, mode="overwrite", replace_predicate=key, metadata=meta)
        elif not lake.exists(FEEDBACK):
            lake.write_arrow(contract, FEEDBACK, metadata=meta)
    return feedback


def _sql(value) -> str:
    return str(value).replace("'", "''")


def _row_hash(row: dict, columns: list[str]) -> str:
    """As ingest hashes a row (``jobs.ingest.rows.row_hash``): its contract values as text, unit-separated."""
    text = "\u001f".join("\u0000" if row[c] is None else str(row[c]) for c in columns)
    return hashlib.md5(text.encode()).hexdigest()


def province_figures(lake: Lake, today: dt.date) -> pd.DataFrame:
    """Per region and rule: clues, verified, confirmed, precision, verified and recovered amounts."""
    reg = outcomes.verified_register(lake, today)
    if not len(reg):
        return pd.DataFrame(columns=["admdvs", "rule", "clues", "verified", "confirmed", "recovered_amt"])
    reg = reg.assign(rule=reg.rules_all.map(lambda r: list(r) if r is not None and len(r) else ["模型"]))
    reg = reg.explode("rule")
    done = reg.status.isin(["查实", "部分查实", "不属实"])
    out = (
        reg.assign(verified=done, confirmed=reg.status.isin(["查实", "部分查实"]))
        .groupby(["admdvs", "rule"])
        .agg(
            clues=("clue_id", "nunique"),
            verified=("verified", "sum"),
            confirmed=("confirmed", "sum"),
            recovered_amt=("recovered_amt", lambda s: float(pd.to_numeric(s).fillna(0).sum())),
        )
        .reset_index()
    )
    out["precision"] = (out.confirmed / out.verified.where(out.verified > 0)).round(3)
    return out
