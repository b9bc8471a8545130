"""Publish job: gold/entity_scores → gold/clues (线索清单) and per-region exports (CSV + XLSX)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

import jobs.publish.data_quality as data_quality
import jobs.publish.report as report
from features.catalog import LABELS, fmt
from features.windows import in_window
from jobs.ingest.contract import FEEDBACK_STATUS, TABLES
from jobs.ingest.workbook import FEEDBACK_SHEET
from jobs.lake import Lake, LakeError, outcomes
from jobs.lake.tables import (
    CLUES,
    PROVINCE,
    RING_MEMBERS,
    RINGS,
    SCORES,
    VISIT,
    exports_root,
    features,
    silver,
)
from jobs.publish.codes import CODE_COLUMNS, code_evidence, quoted
from jobs.publish.drift import week_drift
from jobs.publish.evidence import name_occasions, region_names, settlement_details
from jobs.publish.exports import REGION, publishing, region_dir, staged_week, write_csv, write_xlsx
from jobs.publish.privacy import mask_certno, mask_name
from jobs.runtime.settings import Settings
from jobs.runtime.tracking import load_scorer
from jobs.runtime.warm import import_ahead
from models import lifecycle
from models.entities import ENTITIES, Entity
from models.feedback import rule_weights
from models.rules import HARD, RULE_BY_ID, RULES, ring_reported

log = logging.getLogger(__name__)

EXPORT_COLUMNS = {  # column → Chinese header
    "clue_id": "线索编号",
    "region_rank": "排名",
    "entity_type_zh": "对象类型",
    "entity_id": "对象编号",
    "entity_name": "名称/姓名",
    "certno_masked": "证件号码",
    "admdvs": "医保区划",
    "admdvs_name": "地区名称",
    "risk_score": "风险分值",
    "clue_types": "线索类型",
    "issue_kind": "下发类型",
    "evidence": "疑点说明",
    "new_evidence": "新增证据",
    "fund_amount": "涉及基金金额(元)",
    "n_setl": "涉及结算笔数",
    "model_version": "模型版本",
    "due_date": "核查期限",
    "as_of": "数据截至",
}
REGISTER_COLUMNS = {  # 线索台账: every clue of the region so far, with its verification status
    "clue_id": "线索编号",
    "entity_type_zh": "对象类型",
    "entity_id": "对象编号",
    "entity_name": "名称/姓名",
    "clue_types": "线索类型",
    "first_issued": "首次下发",
    "last_issued": "最近下发",
    "due_date": "核查期限",
    "status": "核查状态",
    "overdue": "是否逾期",
    "feedback_date": "反馈日期",
    "verified_amt": "查实金额(元)",
    "recovered_amt": "追回金额(元)",
}


MEDIAN_ROWS = 20_000  # peer medians are read from a sample of about this many entities per peer group


def peer_medians(feats, entity: Entity, rows: int = MEDIAN_ROWS):
    """Per peer group, the median of every feature (``<feature>__med``): what the evidence compares with.
    Exact medians over a seeded sample of about ``rows`` entities of each group (all of them in smaller groups,
    so a rare group is never left out): the evidence quotes a typical peer's figure, which a sample of that size
    gives within about a percent, and the cost stays flat as a province grows (``percentile_approx`` over a
    million persons took 18 s)."""
    from pyspark.sql import functions as F

    peers = list(entity.peers)
    sizes = feats.groupBy(*peers).agg(F.count("*").alias("_group_n"))
    sample = feats.join(F.broadcast(sizes), peers).filter(F.rand(seed=7) * F.col("_group_n") < F.lit(rows))
    return sample.groupBy(*peers).agg(*[F.median(c).alias(f"{c}__med") for c in entity.features])


def _num(x) -> float:
    """A figure as a number: missing (None, NaN) is 0."""
    return 0.0 if x is None or x != x else float(x)


def _figure(row: dict, f: str) -> str:
    """One feature quoted against its peers: label, value, peer median."""
    return f"{LABELS[f][0]}{fmt(f, row.get(f))}(同类中位数{fmt(f, row.get(f + '__med'))})"


def evidence_text(row: dict, entity: Entity, rules: list[str], top_k: int = 3, window_days: int = 365) -> str:
    """Plain Chinese: which rules fired (hard evidence first, with its strength), with figures against the
    peer median; then the features that made the forest isolate the entity (``model_reasons``, strongest
    first), or, from a model that cannot explain itself, the features furthest above their peers' median. A
    rule's figure that is zero for the entity and its peers says nothing (a pharmacy's inpatient cost) and
    is left out."""
    parts, quoted = [], set()
    strengths = dict(row.get("rule_strengths") or {})  # a dict, or (rule, strength) pairs from Arrow
    for rid in sorted(rules, key=lambda r: (RULE_BY_ID[r].kind != HARD, r)):
        rule = RULE_BY_ID[rid]
        figs = [
            _figure(row, f) for f in rule.evidence if _num(row.get(f)) != 0 or _num(row.get(f + "__med")) != 0
        ]
        quoted.update(rule.evidence)
        kind = "硬证据" if rule.kind == HARD else "疑点"
        grade = f"，强度{strengths[rid]:.2f}" if rid in strengths else ""
        parts.append(f"【{rule.clue_type}·{kind}{grade}】" + "，".join(figs))
    standout = sorted(
        ((row.get(f) or 0) / max(row.get(f + "__med") or 0, 1e-9 if row.get(f) else 1), f)
        for f in entity.features
        if f not in quoted and f != "fund_pay_total"
    )
    reasons = dict(row.get("model_reasons") or {})  # the forest's own: what isolated this entity
    if reasons:
        # the strongest of them that differ from the peers' median ("0天(同类中位数0天)" says nothing)
        ordered = [f for f in sorted(reasons, key=reasons.get, reverse=True) if f not in quoted]
        differ = [f for f in ordered if fmt(f, row.get(f)) != fmt(f, row.get(f + "__med"))]
        extra = [_figure(row, f) for f in (differ or ordered)[:top_k]]
    else:
        extra = [
            _figure(row, f)
            for ratio, f in reversed(standout[-top_k:])
            if ratio >= 3 and (row.get(f) or 0) > 0
        ]
    if extra:
        parts.append("【模型异常特征】" + "，".join(extra))
    window = f"近{window_days}天"
    return window + "：" + "；".join(parts) if parts else window + "：模型综合评分异常"


# the forest's strongest features kept per clue; the evidence quotes up to 3 of them that differ from peers
REASONS = 8


def model_reasons(settings: Settings, entity: Entity, issued: pd.DataFrame) -> list[dict]:
    """Per issued entity, the features that made the forest find it anomalous (feature → contribution,
    ``models.iforest.top_reasons``), by the model that scored the week; empty dicts when that model cannot
    explain itself (``load_scorer``). The issued clues are a few per region: explained on the driver."""
    from models.iforest import top_reasons

    versions = issued.model_version.dropna().unique()
    model = load_scorer(settings, entity, versions[0]) if len(versions) == 1 else None
    if model is None:
        return [{} for _ in range(len(issued))]
    rows = issued[list(entity.features)].astype(float)
    return [dict(r) for r in top_reasons(model, rows, REASONS)]


def _candidates(spark, lake, settings, entity: Entity, scores, visits, as_of, limit: int) -> pd.DataFrame:
    """The ``limit`` highest-risk entities of each region worth a clue (``expected_precision`` at least
    ``[publish] min_expected_precision``) with features, peer medians and settlements.

    The candidates (at most ``limit`` × regions) are collected first; the features and the window's visits
    are then filtered by a broadcast of their ids, so the week's millions of rows are scanned, not shuffled."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    feats = lake.read_as_of(spark, features(entity.entity_type), as_of)
    w = Window.partitionBy("admdvs").orderBy(
        F.col("risk_score").desc(), F.col("fund_pay_total").desc(), F.col("entity_id")
    )
    # an entity verifiers would rarely confirm is not worth their visit, whatever the week's quota
    # (scores written before expected_precision existed have none: every entity stays eligible)
    worth = F.coalesce(F.col("expected_precision"), F.lit(1.0)) >= F.lit(
        settings.publish.min_expected_precision
    )
    eligible = scores.filter((F.col("entity_type") == entity.entity_type) & worth)
    ranked = (  # ranked on the columns the order needs (narrow rows sort fast), then the rest for the few
        eligible.select("entity_id", "admdvs", "risk_score", "fund_pay_total")
        .withColumn("region_rank", F.row_number().over(w))
        .filter(F.col("region_rank") <= limit)
        .select("entity_id", "region_rank")
    )
    top = eligible.join(F.broadcast(ranked), "entity_id").toPandas()
    key_col = entity.key
    ids = F.broadcast(
        spark.createDataFrame(top[["entity_id"]].rename(columns={"entity_id": key_col}), f"{key_col} string")
    )
    rows = (
        feats.join(ids, key_col)
        .withColumnRenamed(key_col, "entity_id")
        .drop("as_of", "fund_pay_total")
        .toPandas()
    )
    # peer medians over every peer, for the peer groups the candidates belong to
    peers = list(entity.peers)
    groups = spark.createDataFrame(rows[peers].drop_duplicates(), feats.select(*peers).schema)
    med = peer_medians(feats.join(F.broadcast(groups), peers, "left_semi"), entity).toPandas()
    # the settlements involved: inpatient stays first, then the largest fund payments
    inv = (
        visits.join(ids, key_col)
        .withColumn(
            "_o",
            F.row_number().over(
                Window.partitionBy(key_col).orderBy(
                    F.col("is_inpatient").desc(), F.col("fund_pay_sumamt").desc()
                )
            ),
        )
        .groupBy(key_col)
        .agg(
            F.count("*").alias("n_setl_all"),
            F.flatten(
                F.collect_list(F.when(F.col("_o") <= settings.publish.max_setl_ids, F.col("setl_ids")))
            ).alias("setl_ids"),
            F.sum("fund_pay_sumamt").cast("double").alias("fund_amount"),
        )
        .withColumnRenamed(key_col, "entity_id")
        .toPandas()
    )
    pdf = (
        top.merge(rows, on="entity_id")
        .merge(med, on=peers, how="left")
        .merge(inv, on="entity_id", how="left")
    )
    pdf["rules"] = [list(r) if r is not None else [] for r in pdf.rules_fired]
    pdf["evidence_setl_ids"] = [list(e) if e is not None else [] for e in pdf.evidence_setl_ids]
    return pdf


def _describe(spark, lake, settings, entity: Entity, pdf: pd.DataFrame) -> pd.DataFrame:
    """Names (masked), clue types, evidence text and the settlements listed for the issued clues."""
    from pyspark.sql import functions as F

    ids = spark.createDataFrame([(i,) for i in pdf.entity_id], f"{entity.key} string")
    if entity.entity_type == "psn":
        names = lake.read(spark, silver("psn")).join(ids, entity.key).select("psn_no", "psn_name", "certno")
        names = names.toPandas().set_index("psn_no")
        pdf["entity_name"] = [mask_name(names.psn_name.get(i)) for i in pdf.entity_id]
        pdf["certno_masked"] = [mask_certno(names.certno.get(i)) for i in pdf.entity_id]
    else:
        inst = lake.read(spark, silver("fixmedins")).join(ids, entity.key)
        inst = inst.select("fixmedins_code", F.col("fixmedins_name")).toPandas().set_index("fixmedins_code")
        pdf["entity_name"] = pdf.entity_id.map(inst.fixmedins_name)
        pdf["certno_masked"] = ""
    pdf["clue_types"] = ["、".join(RULE_BY_ID[x].clue_type for x in r) or "模型综合异常" for r in pdf.rules]
    pdf["evidence"] = [
        evidence_text(row, entity, row["rules"], window_days=settings.features.window_days)
        for row in pdf.to_dict("records")
    ]
    pdf["entity_type_zh"] = entity.label
    # the settlements behind the hard evidence first, then the stays and the largest payments
    pdf["setl_ids"] = [
        list(dict.fromkeys([*ev, *(s if isinstance(s, list | np.ndarray) else [])]))[
            : settings.publish.max_setl_ids
        ]
        for ev, s in zip(pdf.evidence_setl_ids, pdf.setl_ids, strict=True)
    ]
    pdf["n_setl"] = pdf.n_setl_all.fillna(0).astype(int)
    pdf["fund_amount"] = pdf.fund_amount.fillna(0.0).round(2)
    return pdf


CLUE_SCHEMA = pa.schema(
    [
        ("clue_id", pa.string()),
        ("as_of", pa.date32()),
        ("entity_type", pa.string()),
        ("entity_id", pa.string()),
        ("entity_name", pa.string()),
        ("certno_masked", pa.string()),
        ("admdvs", pa.string()),
        ("rank", pa.int32()),
        ("risk_rank", pa.int32()),
        ("risk_score", pa.float64()),
        ("clue_types", pa.string()),
        ("rules_fired", pa.list_(pa.string())),
        ("evidence", pa.string()),
        ("issue_kind", pa.string()),
        ("new_evidence", pa.string()),
        ("prior_status", pa.string()),
        ("due_date", pa.date32()),
        ("fund_amount", pa.float64()),
        ("n_setl", pa.int32()),
        ("setl_ids", pa.list_(pa.string())),
        ("evidence_setl_ids", pa.list_(pa.string())),
        ("model_version", pa.string()),
    ]
)


def _clue_table(clues: pd.DataFrame) -> pa.Table:
    """The week's clues as ``CLUE_SCHEMA`` rows: the rank within the risk order is ``risk_rank``, the rules
    named ``rules_fired``; text columns are text (an unnamed entity's name is empty)."""
    frame = clues.assign(
        risk_rank=clues.get("region_rank", clues["rank"]),
        rules_fired=clues.get("rules", pd.Series([[]] * len(clues), index=clues.index, dtype=object)),
        entity_name=clues.entity_name.fillna(""),
    )
    for name in CLUE_SCHEMA.names:
        if CLUE_SCHEMA.field(name).type == pa.string():
            frame[name] = frame[name].astype(str)
    return pa.Table.from_pandas(frame[CLUE_SCHEMA.names], schema=CLUE_SCHEMA, preserve_index=False)


def run(spark, settings: Settings, as_of: dt.date) -> dict[str, int]:
    from pyspark.sql import functions as F

    import_ahead("shap")  # the forest's explanations (``model_reasons``), while Spark finds the candidates
    lake = Lake(settings.lake)
    scores = lake.read(spark, SCORES).filter(F.col("as_of") == F.lit(as_of))
    visits = in_window(lake.read(spark, VISIT), as_of, settings.features.window_days)
    history, feedback = outcomes.clue_history(lake), outcomes.feedback(lake)
    before = history[pd.to_datetime(history.as_of).dt.date < as_of] if len(history) else history
    reg_before = lifecycle.register(before, feedback, as_of)
    frames = []
    for entity in ENTITIES.values():
        n_top = (
            settings.publish.clues_psn if entity.entity_type == "psn" else settings.publish.clues_fixmedins
        )
        # entities held back (issued before, nothing new) leave room for the next ones in risk order
        n_prior = int((reg_before.entity_type == entity.entity_type).sum()) if len(reg_before) else 0
        cand = _candidates(spark, lake, settings, entity, scores, visits, as_of, n_top + n_prior)
        cand["entity_type"] = entity.entity_type
        issued = lifecycle.select(cand, reg_before, n_top, as_of)
        if len(issued):
            issued = issued.assign(model_reasons=model_reasons(settings, entity, issued))
            frames.append(_describe(spark, lake, settings, entity, issued))
    clues = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CLUE_SCHEMA.names)
    codes = code_evidence(spark, lake, as_of, clues) if len(clues) else None
    if codes is not None and len(codes):  # the sales of the codes a clue rests on, quoted in its text
        clues["evidence"] = [
            "；".join(filter(None, [e, quoted(codes, c)]))
            for e, c in zip(clues.evidence, clues.clue_id, strict=True)
        ]
    if len(clues):
        clues = clues.sort_values(["admdvs", "entity_type", "region_rank"]).reset_index(drop=True)
        clues["rank"] = clues.groupby(["admdvs", "entity_type"]).cumcount() + 1
        first = reg_before.set_index("clue_id").first_issued if len(reg_before) else pd.Series(dtype=object)
        clues["due_date"] = [
            lifecycle.due_date(pd.Timestamp(first.get(c, as_of)).date()) for c in clues.clue_id
        ]
        clues["as_of"] = as_of
    table = _clue_table(clues)
    bad = [a for a in clues.admdvs.unique() if not REGION.fullmatch(str(a))]
    if bad:  # ingest quarantines such codes; a lake written by older code may still hold them
        raise LakeError(f"clues for region codes that are not six digits: {bad!r}; nothing was published")
    drift = week_drift(spark, lake, as_of)
    for r in drift[drift.level == "warn"].itertuples() if len(drift) else []:
        log.warning(
            "%s %s moved since %s: PSI %.2f (see the weekly report)", r.entity_type, r.column, r.before, r.psi
        )
    exports = exports_root(lake.root)
    # All or nothing: the week is marked as being published until its files are swapped into place, so a
    # crash after gold/clues leaves a week that `deliver` refuses, and the previous files stay whole.
    with publishing(exports, as_of):
        exists = lake.exists(CLUES)
        lake.write_arrow(
            table,
            CLUES,
            mode="overwrite" if exists else "append",
            partition_by=["as_of"],
            replace_predicate=f"as_of = '{as_of.isoformat()}'" if exists else None,
        )
        history = outcomes.clue_history(lake)  # now with this week
        reg_now = lifecycle.register(history, feedback, as_of)
        with staged_week(exports, as_of, {"clues": len(clues)}) as out:
            rings = ring_sheets(spark, lake, as_of, settings.rules.get("P11"))
            details = settlement_details(lake, [s for ids in clues.get("setl_ids", []) for s in ids])
            names = region_names(lake)
            paths = export(clues, reg_now, out, as_of, rings, codes, details, names)
            paths.append(data_quality.write(lake, as_of, out))
            paths += report.write(spark, lake, reg_now, history, as_of, out, feedback, rings, drift, names)
    tracking_feedback(settings, reg_now, as_of)
    log.info(
        "published %d clues for %d regions under %s",
        len(clues),
        clues.admdvs.nunique(),
        exports / as_of.isoformat(),
    )
    return {"clues": len(clues), "regions": int(clues.admdvs.nunique()), "files": len(paths)}


def tracking_feedback(settings: Settings, reg: pd.DataFrame, as_of: dt.date) -> None:
    """Precision of verified clues by clue type, region and model version → MLflow (fundwatch-feedback)."""
    metrics = lifecycle.precision(reg) if len(reg) else {}
    if not metrics:
        return
    # the weights the next scoring gives each rule in each region (models/feedback.py)
    for w in rule_weights(reg, RULES).itertuples():
        metrics[f"weight.{w.admdvs}.{w.rule_id}"] = float(w.weight)
    import mlflow

    from jobs.runtime.tracking import configure, run_tags

    configure(settings, "fundwatch-feedback")
    with mlflow.start_run(
        run_name=f"feedback-{as_of.isoformat()}", tags=run_tags("feedback", settings, as_of)
    ):
        mlflow.log_param("as_of", as_of.isoformat())
        mlflow.log_metrics(metrics)


RING_COLUMNS = {  # column → Chinese header of the 团伙线索 sheet (issue #19)
    "ring_id": "团伙编号",
    "size": "人数",
    "members": "成员(姓名·证件号脱敏)",
    "episodes": "同进同出次数",
    "institutions": "涉及机构数",
    "occasions": "每次同进同出(日期 机构 人数)",
    "gap_days": "相邻两次间隔天数(中位数)",
    "periodicity": "间隔规律性(1为固定周期；重症固定周期多为化疗、透析)",
    "villages": "成员来自村(社区)数",
    "mild_share": "轻症住院占比",
    "out_of_county_share": "异地住院占比",
    "out_of_city_share": "跨地市住院占比",
    "fund_amount": "涉及基金金额(元)",
    "strength": "证据强度",
}


def ring_sheets(spark, lake: Lake, as_of: dt.date, p11=None) -> pd.DataFrame:
    """The week's reported rings (``models.rules.ring_reported``, with ``p11`` the configuration's
    ``[rules.P11]`` thresholds), one row per ring in ``RING_COLUMNS``
    with ``admdvs`` (the institutions' region, or the province's when they span regions): members masked,
    institutions named. Empty before any ring was computed."""
    from pyspark.sql import functions as F

    if not lake.exists(RINGS) or not lake.exists(RING_MEMBERS):
        return pd.DataFrame(columns=["admdvs", *RING_COLUMNS])
    day = F.col("as_of") == F.lit(as_of)
    rings = lake.read(spark, RINGS).filter(day & ring_reported(F.col("strength"), F.col("episodes"), p11))
    rings = rings.toPandas()
    members = (
        lake.read(spark, RING_MEMBERS)
        .filter(day)
        .join(lake.read(spark, silver("psn")).select("psn_no", "psn_name", "certno"), "psn_no", "left")
        .toPandas()
    )
    members = members[members.ring_id.isin(rings.ring_id)]
    shown = members.assign(
        who=[
            f"{mask_name(n)}·{mask_certno(c)}" for n, c in zip(members.psn_name, members.certno, strict=True)
        ]
    )
    rings["members"] = rings.ring_id.map(shown.sort_values("who").groupby("ring_id").who.agg("、".join))
    names = dict(
        lake.read(spark, silver("fixmedins")).select("fixmedins_code", "fixmedins_name").toPandas().values
    )
    rings["occasions"] = rings.get("occasions", pd.Series("", index=rings.index)).map(
        lambda text: name_occasions(text, names)
    )
    return rings.sort_values(["strength", "fund_amount"], ascending=False)[["admdvs", *RING_COLUMNS]]


SETL_COLUMNS = {  # the 涉及结算 sheet: why a row is there, the settlement, then the code sale if it is one
    "clue_id": "线索编号",
    "setl_id": "结算ID",
    "why": "列入原因",
    "setl_time": "结算时间",
    "institution": "机构",
    "dise": "诊断",
    "medfee_sumamt": "医疗费总额(元)",
    "fund_pay_sumamt": "基金支付(元)",
    "person": "参保人(脱敏)",
    **{k: v for k, v in CODE_COLUMNS.items() if k not in ("clue_id", "setl_id")},
}
WHY_CODE, WHY_EVIDENCE, WHY_OTHER = "追溯码销售记录", "规则证据", "其他结算(住院优先、基金支付最多)"


def settlement_sheet(clues: pd.DataFrame, codes=None, details=None) -> pd.DataFrame:
    """The 涉及结算 sheet of some clues (``SETL_COLUMNS``): the sales of the codes a clue rests on first (``codes``,
    ``jobs.publish.codes.code_evidence``), then its settlements, the rules' evidence before the rest, each with
    time, institution, diagnosis, amounts and masked person where ``details`` (``settlement_details``) has them."""
    rows = []
    for clue in clues.itertuples():
        evidence = set(getattr(clue, "evidence_setl_ids", None) or [])
        for sid in clue.setl_ids if clue.setl_ids is not None else []:
            rows.append((clue.clue_id, sid, WHY_EVIDENCE if sid in evidence else WHY_OTHER))
    setl = pd.DataFrame(rows, columns=["clue_id", "setl_id", "why"])
    if details is not None and len(details):
        setl = setl.merge(details.drop_duplicates("setl_id"), on="setl_id", how="left")
    if codes is not None and len(codes):
        mine = codes[codes.clue_id.isin(clues.clue_id)].assign(why=WHY_CODE)
        setl = pd.concat([mine, setl], ignore_index=True)
    return setl.reindex(columns=list(SETL_COLUMNS)).rename(columns=SETL_COLUMNS)


# The 核查反馈 sheet: the region's open clues, to be answered in Excel and returned as they are (ingest reads
# the sheet back by these headers: the contract's labels, jobs/ingest/workbook.py); rows left without a
# 核查状态 are clues not answered yet.
FEEDBACK_HOWTO = (
    "在「核查反馈」表逐条选择核查状态（下拉），填写查实金额、追回金额和反馈日期后，将本文件原样交回；"
    "未选择核查状态的行视为尚未反馈"
)
FEEDBACK_CHOICES = {
    "核查状态": FEEDBACK_STATUS,
    "金额超出线索涉及金额确认": ("0", "1"),
}


def feedback_sheet(reg: pd.DataFrame, admdvs: str) -> pd.DataFrame:
    """The region's open clues (``lifecycle.OPEN``), oldest due first, with empty answer columns."""
    labels = {c.name: c.label for c in TABLES["clue_feedback"].columns}
    open_ = reg[reg.status.isin(lifecycle.OPEN)] if len(reg) else reg
    open_ = open_.sort_values(["due_date", "clue_id"]) if len(open_) else open_
    n = len(open_)
    return pd.DataFrame(
        {
            labels["clue_id"]: list(open_.get("clue_id", [])),
            "对象类型": list(open_.get("entity_type_zh", [])),
            "名称/姓名": list(open_.get("entity_name", [])),
            "线索类型": list(open_.get("clue_types", [])),
            "核查期限": list(open_.get("due_date", [])),
            "当前状态": list(open_.get("status", [])),
            labels["status"]: [None] * n,
            labels["verified_amt"] + "(元)": [None] * n,
            labels["recovered_amt"] + "(元)": [None] * n,
            labels["feedback_date"]: [None] * n,
            labels["note"]: [None] * n,
            labels["admdvs"]: [admdvs] * n,
            labels["over_fund_flag"]: [None] * n,
        }
    )


def export(
    clues: pd.DataFrame,
    reg: pd.DataFrame,
    folder: Path,
    as_of: dt.date,
    rings=None,
    codes=None,
    details=None,
    names: dict[str, str] | None = None,
) -> list[Path]:
    """Per region: 线索清单 CSV (UTF-8 with BOM) and XLSX (汇总, 线索清单, 涉及结算, 线索台账, 逾期线索, 团伙线索);
    rings spanning regions go to the province's 团伙线索 workbook beside the regions' folders. The 涉及结算
    sheet is ``settlement_sheet`` (code sales first, then the settlements with ``details``). ``names``: region
    code → name (``jobs.publish.evidence.region_names``), shown beside the codes.

    A region's files hold that region's clues and nothing else; names and ID numbers are already masked.
    No cell can be a formula and no region folder is anything but a six-digit code (``jobs.publish.exports``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    labels = {e.entity_type: e.label for e in ENTITIES.values()}
    rings = rings if rings is not None else pd.DataFrame(columns=["admdvs", *RING_COLUMNS])
    ring_sheet = {a: g[list(RING_COLUMNS)].rename(columns=RING_COLUMNS) for a, g in rings.groupby("admdvs")}
    empty_rings = pd.DataFrame(columns=list(RING_COLUMNS.values()))
    regions = sorted(
        set(clues.admdvs.astype(str))
        | set(reg.admdvs.astype(str) if len(reg) else [])
        | (set(ring_sheet) - {PROVINCE})
    )
    written = []
    for admdvs in regions:
        g = clues[clues.admdvs.astype(str) == admdvs]
        r = (
            reg[reg.admdvs.astype(str) == admdvs].copy()
            if len(reg)
            else pd.DataFrame(columns=list(REGISTER_COLUMNS))
        )
        r["entity_type_zh"] = r.entity_type.map(labels) if len(r) else []
        r["overdue"] = r.overdue.map({True: "是", False: "否"}) if len(r) else []
        for amt in ("verified_amt", "recovered_amt"):  # numbers in every sheet, not text
            r[amt] = pd.to_numeric(r[amt], errors="coerce").astype(float) if len(r) else []
        g = g.assign(admdvs_name=g.admdvs.astype(str).map(names or {}).fillna(""))
        sheet = g[list(EXPORT_COLUMNS)].rename(columns=EXPORT_COLUMNS)
        ledger = r.sort_values(["first_issued", "clue_id"])[list(REGISTER_COLUMNS)].rename(
            columns=REGISTER_COLUMNS
        )
        region = region_dir(folder, admdvs)
        region.mkdir(exist_ok=True)
        csv_path = write_csv(sheet, region / f"线索清单_{admdvs}_{as_of}.csv")
        summary = pd.DataFrame(
            [
                ("医保区划", f"{admdvs} {(names or {}).get(admdvs, '')}".strip()),
                ("本周下发线索", len(g)),
                ("其中 新线索", int((g.issue_kind == lifecycle.KIND_NEW).sum())),
                ("其中 新增证据", int((g.issue_kind == lifecycle.KIND_MORE).sum())),
                ("其中 再次下发", int((g.issue_kind == lifecycle.KIND_AGAIN).sum())),
                ("本周涉及基金金额(元)", round(float(g.fund_amount.sum()), 2)),
                *[(f"累计线索 {st}", int((r.status == st).sum())) for st in lifecycle.STATUS_ORDER],
                ("逾期未反馈", int((r.overdue == "是").sum())),
                ("累计查实金额(元)", round(float(pd.to_numeric(r.verified_amt).fillna(0).sum()), 2)),
                ("累计追回金额(元)", round(float(pd.to_numeric(r.recovered_amt).fillna(0).sum()), 2)),
            ],
            columns=["项目", "数值"],
        )
        setl = settlement_sheet(g, codes, details)
        summary.loc[len(summary)] = ("核查反馈", FEEDBACK_HOWTO)
        xlsx_path = write_xlsx(
            region / f"线索清单_{admdvs}_{as_of}.xlsx",
            {
                "汇总": summary,
                "线索清单": sheet,
                "涉及结算": setl,
                "线索台账": ledger,
                "逾期线索": ledger[ledger["是否逾期"] == "是"],
                "团伙线索": ring_sheet.get(admdvs, empty_rings),
                FEEDBACK_SHEET: feedback_sheet(r, admdvs),
            },
            {FEEDBACK_SHEET: FEEDBACK_CHOICES},
        )
        written += [csv_path, xlsx_path]
    if PROVINCE in ring_sheet:  # rings whose institutions lie in several regions: the province's
        written.append(
            write_xlsx(folder / f"团伙线索_{PROVINCE}_{as_of}.xlsx", {"团伙线索": ring_sheet[PROVINCE]})
        )
    return written
