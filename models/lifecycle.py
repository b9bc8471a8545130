"""The life of a clue (pure pandas): which clues to issue this week, their status, due dates, outcomes.

A clue (线索) is issued to the regulator of its region; a local team verifies it and ``clue_feedback``
comes back: 下发 → 核查中 → 查实 / 部分查实 / 不属实. The history is ``gold/clues`` itself (one partition per
week, so a re-run of a week recomputes it from the weeks before); the status is the newest feedback.

Rules for re-issuing (issue #4):
- an entity already issued is not issued again unless there is new evidence (a rule that had not fired, or
  hard-evidence settlements not quoted before); when it is, the clue says what is new;
- an open clue (下发/核查中) with new evidence is re-issued under the same ``clue_id``;
- a closed clue (查实/部分查实/不属实) with new evidence starts a new clue, which names the earlier outcome;
- confirmed clues stay in the register with their amounts; dismissed ones are not repeated.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging

import pandas as pd

from models.feedback import CLOSED, CONFIRMED
from models.rules import RULE_BY_ID

log = logging.getLogger(__name__)

ISSUED = "下发"
OPEN = ("下发", "核查中")
# feedback of the same day: the later stage wins
STATUS_ORDER = {"下发": 0, "核查中": 1, "不属实": 2, "部分查实": 3, "查实": 4}
KIND_NEW, KIND_MORE, KIND_AGAIN = "新线索", "新增证据", "再次下发"


def new_clue_id(entity_type: str, entity_id: str, as_of: dt.date) -> str:
    """Stable for one entity's clue cycle: the same entity and first issue week give the same id."""
    digest = hashlib.sha1(f"{entity_type}|{entity_id}|{as_of.isoformat()}".encode()).hexdigest()[:12]
    return f"FW-{entity_type[0].upper()}-{digest}"


@functools.cache
def _china_calendar(year: int):
    """The State Council's calendar of ``year`` (``holidays``: public holidays, days off moved, make-up working
    weekends), or None when the calendar has no announcement for the year yet (no make-up working day known)."""
    import holidays

    cal = holidays.China(years=year)
    if not any(d.year == year for d in cal.weekend_workdays):
        log.warning(
            "no Chinese holiday calendar for %d yet: due dates that year count Monday-Friday only", year
        )
        return None
    return cal


def is_working_day(day: dt.date) -> bool:
    """A working day in China: Monday-Friday outside public holidays, and the make-up working weekends
    (调休上班); a year without an announced calendar counts Monday-Friday."""
    cal = _china_calendar(day.year)
    return day.weekday() < 5 if cal is None else cal.is_working_day(day)


def due_date(issued: dt.date, working_days: int = 30) -> dt.date:
    """``working_days`` working days after ``issued`` (an issue on a day off counts from the next working day),
    with the Spring Festival, National Day and the other public holidays off and their make-up Saturdays and
    Sundays on (``is_working_day``)."""
    day = issued
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    for _ in range(working_days):
        day += dt.timedelta(days=1)
        while not is_working_day(day):
            day += dt.timedelta(days=1)
    return day


REFUSED_UNKNOWN = "线索编号未下发"
REFUSED_NO_REGION = "未注明反馈地区(admdvs)"
REFUSED_OTHER_REGION = "非本地区线索"
REFUSED_AMOUNT = "查实/追回金额超出线索涉及基金金额且未确认(over_fund_flag)"


def vet_feedback(feedback: pd.DataFrame | None, history: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(accepted, refused) feedback rows: a region answers only its own clues, amounts stay within the clue.

    Refused (with ``reason``): a clue id never issued; a row without the answering region (``admdvs``) or
    from another region than the clue's; a verified or recovered amount above the clue's fund amount
    unless ``over_fund_flag`` is 1. Negative amounts never get here (quarantined at ingest).
    """
    cols = ["clue_id", "status", "verified_amt", "recovered_amt", "feedback_date", "admdvs", "reason"]
    if feedback is None or feedback.empty:
        return pd.DataFrame(columns=cols[:-1]), pd.DataFrame(columns=cols)
    fb = feedback.copy()
    for c in ("admdvs", "over_fund_flag"):
        if c not in fb.columns:
            fb[c] = None
    clues = (
        history.groupby("clue_id").agg(clue_admdvs=("admdvs", "last"), clue_fund=("fund_amount", "max"))
        if len(history)
        else pd.DataFrame(columns=["clue_admdvs", "clue_fund"], index=pd.Index([], name="clue_id"))
    )
    fb = fb.join(clues, on="clue_id")
    most = pd.concat(
        [pd.to_numeric(fb.verified_amt, errors="coerce"), pd.to_numeric(fb.recovered_amt, errors="coerce")],
        axis=1,
    ).max(axis=1)
    reason = pd.Series(None, index=fb.index, dtype=object)
    over = (most > pd.to_numeric(fb.clue_fund, errors="coerce") + 0.005) & (
        fb.over_fund_flag.astype(str) != "1"
    )
    reason[over] = REFUSED_AMOUNT
    reason[fb.admdvs.astype(str) != fb.clue_admdvs.astype(str)] = REFUSED_OTHER_REGION
    reason[fb.admdvs.isna() | (fb.admdvs.astype(str).str.strip() == "")] = REFUSED_NO_REGION
    reason[fb.clue_admdvs.isna()] = REFUSED_UNKNOWN
    refused = fb[reason.notna()].assign(reason=reason[reason.notna()])
    accepted = fb[reason.isna()].drop(columns=["clue_admdvs", "clue_fund"])
    return accepted, refused[[c for c in cols if c in refused.columns]]


def latest_feedback(feedback: pd.DataFrame | None, as_of: dt.date) -> pd.DataFrame:
    """Newest feedback per clue known on ``as_of``: clue_id, status, verified_amt, recovered_amt, feedback_date."""
    cols = ["clue_id", "status", "verified_amt", "recovered_amt", "feedback_date"]
    if feedback is None or feedback.empty:
        return pd.DataFrame(columns=cols)
    fb = feedback[pd.to_datetime(feedback.feedback_date).dt.date <= as_of].copy()
    fb["_o"] = fb.status.map(STATUS_ORDER).fillna(-1)
    fb = fb.sort_values(["clue_id", "feedback_date", "_o"]).groupby("clue_id").tail(1)
    return fb[cols].reset_index(drop=True)


def _union(lists: pd.Series) -> list[str]:
    """Sorted union of the list cells of one clue's weeks (None cells count as empty)."""
    return sorted({x for cell in lists if cell is not None for x in cell})


def register(history: pd.DataFrame, feedback: pd.DataFrame | None, as_of: dt.date) -> pd.DataFrame:
    """One row per clue ever issued up to ``as_of``: its last issue, accumulated evidence, status, due date.

    ``history`` is gold/clues (any weeks); the first issue week sets the due date. Only feedback that
    ``vet_feedback`` accepts counts.
    """
    cols = ["clue_id", "entity_type", "entity_id", "admdvs", "first_issued", "last_issued", "rules_all",
            "evidence_all", "status", "due_date", "overdue", "verified_amt", "recovered_amt", "feedback_date"]  # fmt: skip
    h = history[pd.to_datetime(history.as_of).dt.date <= as_of] if len(history) else history
    if h is None or h.empty:
        return pd.DataFrame(columns=cols)
    h = h.sort_values("as_of")
    g = h.groupby("clue_id", sort=False)
    reg = g.tail(1).set_index("clue_id")[["entity_type", "entity_id", "admdvs", "entity_name", "clue_types",
                                          "risk_score", "fund_amount", "model_version"]].copy()  # fmt: skip
    reg["first_issued"] = g.as_of.min()
    reg["last_issued"] = g.as_of.max()
    reg["rules_all"] = g.rules_fired.agg(_union)
    reg["evidence_all"] = g.evidence_setl_ids.agg(_union)
    reg = reg.reset_index()
    fb = latest_feedback(vet_feedback(feedback, h)[0], as_of)
    reg = reg.merge(fb, on="clue_id", how="left")
    reg["status"] = reg.status.fillna(ISSUED)
    reg["due_date"] = [due_date(pd.Timestamp(d).date()) for d in reg.first_issued]
    reg["overdue"] = reg.status.isin(OPEN) & (pd.to_datetime(reg.due_date) < pd.Timestamp(as_of))
    return reg


def _what_is_new(new_rules: list[str], new_setl: list[str]) -> str:
    parts = []
    if new_rules:
        parts.append("新触发：" + "、".join(RULE_BY_ID[r].clue_type for r in new_rules))
    if new_setl:
        parts.append(f"新增疑点结算{len(new_setl)}笔")
    return "；".join(parts)


def select(candidates: pd.DataFrame, reg: pd.DataFrame, n_per_region: int, as_of: dt.date) -> pd.DataFrame:
    """The clues to issue this week, at most ``n_per_region`` per region, in risk order.

    Args:
        candidates: one entity type's ranked entities of every region (entity_type, entity_id, admdvs,
            region_rank, rules (list), evidence_setl_ids (list)), more than ``n_per_region`` per region so
            that entities held back for lack of new evidence leave room for the next ones.
        reg: ``register`` of the weeks before ``as_of``.

    Returns ``candidates``' issued rows with clue_id, issue_kind, new_evidence, prior_status.
    """
    latest = (
        reg.sort_values("last_issued").groupby(["entity_type", "entity_id"]).tail(1).set_index(["entity_type", "entity_id"])
        if len(reg)
        else None
    )  # fmt: skip
    out = []
    for _, g in candidates.sort_values(["admdvs", "region_rank"]).groupby("admdvs", sort=False):
        issued = 0
        for row in g.to_dict("records"):
            if issued >= n_per_region:
                break
            key = (row["entity_type"], row["entity_id"])
            rules, ev = list(row["rules"]), list(row["evidence_setl_ids"])
            prior = latest.loc[key] if latest is not None and key in latest.index else None
            if prior is None:
                row.update(
                    clue_id=new_clue_id(*key, as_of), issue_kind=KIND_NEW, new_evidence="", prior_status=""
                )
            else:
                new_rules = sorted(set(rules) - set(prior.rules_all))
                new_setl = sorted(set(ev) - set(prior.evidence_all))
                if not (new_rules or new_setl):
                    continue  # issued before, nothing new: not repeated
                what = _what_is_new(new_rules, new_setl)
                if prior.status in OPEN:
                    row.update(
                        clue_id=prior.clue_id,
                        issue_kind=KIND_MORE,
                        new_evidence=what,
                        prior_status=prior.status,
                    )
                else:
                    earlier = f"前次线索{prior.clue_id}核查结果：{prior.status}；"
                    row.update(clue_id=new_clue_id(*key, as_of), issue_kind=KIND_AGAIN, new_evidence=earlier + what,
                               prior_status=prior.status)  # fmt: skip
            out.append(row)
            issued += 1
    cols = list(candidates.columns) + ["clue_id", "issue_kind", "new_evidence", "prior_status"]
    return pd.DataFrame(out, columns=cols)


def precision(reg: pd.DataFrame) -> dict[str, float]:
    """Share of verified clues found true (查实 or 部分查实), overall and by clue type, region and model."""
    closed = reg[reg.status.isin(CLOSED)]
    if closed.empty:
        return {}
    hit = closed.status.isin(CONFIRMED)
    out = {"precision": float(hit.mean()), "verified_clues": float(len(closed))}
    for col, name in (("admdvs", "region"), ("model_version", "model")):
        for key, m in hit.groupby(closed[col]):
            out[f"precision.{name}.{key}"] = float(m.mean())
    types = closed.rules_all.explode().fillna("M")
    for key, m in hit.loc[types.index].groupby(types.to_numpy()):
        out[f"precision.rule.{key}"] = float(m.mean())
    return out


def feedback_labels(reg: pd.DataFrame) -> pd.DataFrame:
    """Verified outcomes as entity labels: entity_type, entity_id, confirmed (1 查实/部分查实, 0 不属实) and
    issued (the as-of week the verified clue was last issued: what the ranking knew then is what it is judged on).

    An entity verified more than once keeps its newest outcome.
    """
    closed = reg[reg.status.isin(CLOSED)] if len(reg) else reg
    if closed is None or closed.empty:
        return pd.DataFrame(columns=["entity_type", "entity_id", "confirmed", "issued"])
    newest = closed.sort_values("feedback_date").groupby(["entity_type", "entity_id"]).tail(1)
    return pd.DataFrame(
        {
            "entity_type": newest.entity_type.to_numpy(),
            "entity_id": newest.entity_id.astype(str).to_numpy(),
            "confirmed": newest.status.isin(CONFIRMED).astype(int).to_numpy(),
            "issued": pd.to_datetime(newest.last_issued).dt.date.to_numpy(),
        }
    )
