"""Publish job: gold/entity_scores → gold/clues (线索清单) and per-region exports (CSV + XLSX)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path

import pandas as pd
import pyarrow as pa

from features.catalog import LABELS, fmt
from features.windows import in_window
from jobs import quality_report
from jobs.entities import ENTITIES, Entity
from jobs.lake import Lake
from jobs.privacy import mask_certno, mask_name
from jobs.score import SCORES, read_features
from jobs.settings import Settings
from models.rules import RULE_BY_ID

log = logging.getLogger(__name__)
CLUES = "gold/clues"

EXPORT_COLUMNS = {  # column → Chinese header
    "clue_id": "线索编号",
    "region_rank": "排名",
    "entity_type_zh": "对象类型",
    "entity_id": "对象编号",
    "entity_name": "名称/姓名",
    "certno_masked": "证件号码",
    "admdvs": "医保区划",
    "risk_score": "风险分值",
    "clue_types": "线索类型",
    "evidence": "疑点说明",
    "fund_amount": "涉及基金金额(元)",
    "n_setl": "涉及结算笔数",
    "model_version": "模型版本",
    "as_of": "数据截至",
}


def clue_id(entity_type: str, entity_id: str, rules: list[str]) -> str:
    """Stable across weeks: the same entity with the same kinds of evidence keeps its id."""
    digest = hashlib.sha1(f"{entity_type}|{entity_id}|{','.join(sorted(rules))}".encode()).hexdigest()[:12]
    return f"FW-{entity_type[0].upper()}-{digest}"


def peer_medians(feats, entity: Entity):
    from pyspark.sql import functions as F

    return feats.groupBy(*entity.peers).agg(
        *[F.percentile_approx(c, 0.5).alias(f"{c}__med") for c in entity.features]
    )


def evidence_text(row: dict, entity: Entity, rules: list[str], top_k: int = 3) -> str:
    """Plain Chinese: which rules fired, with figures against the peer median; then standout features."""
    parts, quoted = [], set()
    for rid in rules:
        rule = RULE_BY_ID[rid]
        figs = [
            f"{LABELS[f][0]}{fmt(f, row.get(f))}(同类中位数{fmt(f, row.get(f + '__med'))})"
            for f in rule.evidence
        ]
        quoted.update(rule.evidence)
        parts.append(f"【{rule.clue_type}】" + "，".join(figs))
    standout = sorted(
        ((row.get(f) or 0) / max(row.get(f + "__med") or 0, 1e-9 if row.get(f) else 1), f)
        for f in entity.features
        if f not in quoted and f != "fund_pay_total"
    )
    extra = [
        f"{LABELS[f][0]}{fmt(f, row.get(f))}(同类中位数{fmt(f, row.get(f + '__med'))})"
        for ratio, f in reversed(standout[-top_k:])
        if ratio >= 3 and (row.get(f) or 0) > 0
    ]
    if extra:
        parts.append("【模型异常特征】" + "，".join(extra))
    window = "近365天"
    return window + "：" + "；".join(parts) if parts else window + "：模型综合评分异常"


def run(spark, settings: Settings, as_of: dt.date) -> dict[str, int]:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    lake = Lake(settings.lake)
    scores = lake.read(spark, SCORES).filter(F.col("as_of") == F.lit(as_of))
    visits = in_window(lake.read(spark, "silver/visit"), as_of, settings.features.window_days)
    frames = []
    for entity in ENTITIES.values():
        n_top = (
            settings.publish.clues_psn if entity.entity_type == "psn" else settings.publish.clues_fixmedins
        )
        feats = read_features(spark, lake, entity, as_of)
        w = Window.partitionBy("admdvs").orderBy(
            F.col("risk_score").desc(), F.col("fund_pay_total").desc(), F.col("entity_id")
        )
        top = (
            scores.filter(F.col("entity_type") == entity.entity_type)
            .withColumn("region_rank", F.row_number().over(w))
            .filter(F.col("region_rank") <= n_top)
        )
        med = peer_medians(feats, entity)
        rows = top.join(
            feats.withColumnRenamed(entity.key, "entity_id").drop("as_of", "fund_pay_total"), "entity_id"
        ).join(med, list(entity.peers), "left")
        # the settlements involved: inpatient stays first, then the largest fund payments
        key_col = "psn_no" if entity.entity_type == "psn" else "fixmedins_code"
        inv = (
            visits.join(top.select(F.col("entity_id").alias(key_col)), key_col)
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
        )
        pdf = rows.join(inv, "entity_id", "left").toPandas()  # at most clues-per-region × regions rows
        if entity.entity_type == "psn":
            people = lake.read(spark, "silver/psn").join(
                top.select(F.col("entity_id").alias("psn_no")), "psn_no"
            )
            names = people.select("psn_no", "psn_name", "certno").toPandas().set_index("psn_no")
            pdf["entity_name"] = [mask_name(names.psn_name.get(i)) for i in pdf.entity_id]
            pdf["certno_masked"] = [mask_certno(names.certno.get(i)) for i in pdf.entity_id]
        else:
            inst = lake.read(spark, "silver/fixmedins").select("fixmedins_code", "fixmedins_name").toPandas()
            pdf["entity_name"] = pdf.entity_id.map(inst.set_index("fixmedins_code").fixmedins_name)
            pdf["certno_masked"] = ""
        pdf["rules"] = [list(r) if r is not None else [] for r in pdf.rules_fired]
        pdf["clue_types"] = [
            "、".join(RULE_BY_ID[x].clue_type for x in r) or "模型综合异常" for r in pdf.rules
        ]
        pdf["evidence"] = [evidence_text(row, entity, row["rules"]) for row in pdf.to_dict("records")]
        pdf["clue_id"] = [
            clue_id(entity.entity_type, e, r) for e, r in zip(pdf.entity_id, pdf.rules, strict=True)
        ]
        pdf["entity_type_zh"] = entity.label
        # the settlements behind the hard evidence first, then the stays and the largest payments
        pdf["setl_ids"] = [
            list(dict.fromkeys([*(ev if ev is not None else []), *(s if s is not None else [])]))[
                : settings.publish.max_setl_ids
            ]
            for ev, s in zip(pdf.evidence_setl_ids, pdf.setl_ids, strict=True)
        ]
        pdf["n_setl"] = pdf.n_setl_all.fillna(0).astype(int)
        pdf["fund_amount"] = pdf.fund_amount.fillna(0.0).round(2)
        frames.append(pdf)
    clues = pd.concat(frames, ignore_index=True).sort_values(["admdvs", "entity_type", "region_rank"])
    table = pa.table(
        {
            "clue_id": clues.clue_id.astype(str),
            "as_of": pa.array(clues.as_of, pa.date32()),
            "entity_type": clues.entity_type.astype(str),
            "entity_id": clues.entity_id.astype(str),
            "entity_name": clues.entity_name.fillna("").astype(str),
            "certno_masked": clues.certno_masked.astype(str),
            "admdvs": clues.admdvs.astype(str),
            "rank": pa.array(clues.region_rank, pa.int32()),
            "global_rank": pa.array(clues["rank"], pa.int32()),
            "risk_score": clues.risk_score.astype(float),
            "clue_types": clues.clue_types,
            "rules_fired": pa.array(clues.rules, pa.list_(pa.string())),
            "evidence": clues.evidence,
            "fund_amount": clues.fund_amount.astype(float),
            "n_setl": pa.array(clues.n_setl, pa.int32()),
            "setl_ids": pa.array(clues.setl_ids, pa.list_(pa.string())),
            "model_version": clues.model_version.astype(str),
        }
    )
    lake.write_arrow(
        table,
        CLUES,
        mode="overwrite" if lake.exists(CLUES) else "append",
        partition_by=["as_of"],
        replace_predicate=f"as_of = '{as_of.isoformat()}'" if lake.exists(CLUES) else None,
    )
    paths = export(clues, lake.root / "exports" / as_of.isoformat())
    paths.append(quality_report.write(lake, as_of, lake.root / "exports" / as_of.isoformat()))
    log.info(
        "published %d clues for %d regions under %s",
        len(clues),
        clues.admdvs.nunique(),
        lake.root / "exports",
    )
    return {"clues": len(clues), "regions": int(clues.admdvs.nunique()), "files": len(paths)}


def export(clues: pd.DataFrame, folder: Path) -> list[Path]:
    """Per region: 线索清单 CSV (UTF-8 with BOM) and XLSX (汇总, 线索清单, 涉及结算). Only that region's rows."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for admdvs, g in clues.groupby("admdvs"):
        as_of = str(g.as_of.iloc[0])
        sheet = g[list(EXPORT_COLUMNS)].rename(columns=EXPORT_COLUMNS)
        region = folder / str(admdvs)
        region.mkdir(exist_ok=True)
        csv_path = region / f"线索清单_{admdvs}_{as_of}.csv"
        sheet.to_csv(csv_path, index=False, encoding="utf-8-sig")
        summary = (
            g.groupby("entity_type_zh")
            .agg(线索数=("clue_id", "count"), 涉及基金金额=("fund_amount", "sum"))
            .reset_index()
            .rename(columns={"entity_type_zh": "对象类型"})
        )
        setl = (
            g[["clue_id", "setl_ids"]]
            .explode("setl_ids")
            .dropna()
            .rename(columns={"clue_id": "线索编号", "setl_ids": "结算ID"})
        )
        xlsx_path = region / f"线索清单_{admdvs}_{as_of}.xlsx"
        with pd.ExcelWriter(xlsx_path, engine="openpyxl") as xw:
            summary.to_excel(xw, sheet_name="汇总", index=False)
            sheet.to_excel(xw, sheet_name="线索清单", index=False)
            setl.to_excel(xw, sheet_name="涉及结算", index=False)
        written += [csv_path, xlsx_path]
    return written
