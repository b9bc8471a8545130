"""Weekly data-quality page (数据质量报告): what landed, what was refused and why, what is missing.

For data engineers and the provincial report; it shows counts, file names and reason codes only, never
a person's data. It links the Great Expectations Data Docs kept in the lake.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path

import pandas as pd

from jobs.lake import Lake
from jobs.lake.tables import CODE_SALES, LEDGER, ORPHANS, VALIDATION, data_docs_index
from jobs.publish.exports import HTML_CSS, html_table


def quarantine_reasons(lake: Lake) -> pd.DataFrame:
    """Rows in quarantine per table and reason code (a row with several reasons counts under each)."""
    frames = []
    for name in lake.tables():
        if name.startswith("quarantine/"):
            q = lake.read_arrow(name, columns=["_reason"]).to_pandas()
            if len(q):
                r = q._reason.str.split("; ").explode().str.split(":").str[0]
                frames.append(
                    r.value_counts()
                    .rename_axis("原因")
                    .reset_index(name="行数")
                    .assign(表=name.split("/")[1])
                )
    if not frames:
        return pd.DataFrame(columns=["表", "原因", "行数"])
    return pd.concat(frames)[["表", "原因", "行数"]].sort_values(["表", "行数"], ascending=[True, False])


def code_figures(lake: Lake) -> list[str]:
    """The code ledger's figures (issue #20): codes uploaded, of a malformed shape (kept, never used to accuse),
    split sales; and the institutions uploading the most malformed codes (their sales systems need a look)."""
    codes = lake.read_arrow(CODE_SALES, columns=["fixmedins_code", "code_ok", "split"]).to_pandas()
    bad = codes[~codes.code_ok.astype(bool)]
    totals = pd.DataFrame(
        [
            ("追溯码(条)", len(codes)),
            ("格式异常(保留，不用于判定)", len(bad)),
            ("拆零销售", int(codes.split.sum())),
        ],
        columns=["项目", "数量"],
    )
    worst = (
        bad.groupby("fixmedins_code").size().sort_values(ascending=False).head(20).rename_axis("机构编号")
        .reset_index(name="格式异常追溯码数")
    )  # fmt: skip
    return [html_table(totals, "无"), "<h3>格式异常追溯码最多的机构</h3>", html_table(worst, "无")]


def write(lake: Lake, as_of: dt.date, folder: Path) -> Path:
    """Write ``数据质量报告_<as_of>.html`` into ``folder`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = [f"<h1>数据质量报告 · 数据截至 {as_of}</h1>"]
    if lake.exists(LEDGER):
        led = lake.read_arrow(LEDGER).to_pandas().sort_values("ingested_at", ascending=False)
        totals = (
            led[led.status == "ok"]
            .groupby("table")[["rows_landed", "rows_bronze", "rows_quarantined", "rows_duplicate"]]
            .sum()
            .reset_index()
        )
        totals.columns = ["表", "接收行数", "入库行数", "隔离行数", "重复行数"]
        parts += ["<h2>接收汇总（接收 = 入库 + 隔离 + 重复）</h2>", html_table(totals, "尚无文件")]
        rejected = led[led.status == "rejected"][["ingested_at", "table", "file", "reason"]]
        rejected = rejected.assign(file=rejected.file.map(lambda p: Path(p).name))
        rejected.columns = ["时间", "表", "文件", "拒收原因"]
        parts += ["<h2 class='bad'>整文件拒收</h2>", html_table(rejected, "无")]
        recent = led.head(50)[
            [
                "ingested_at",
                "table",
                "file",
                "status",
                "rows_landed",
                "rows_bronze",
                "rows_quarantined",
                "rows_duplicate",
            ]
        ]
        recent = recent.assign(file=recent.file.map(lambda p: Path(p).name))
        recent.columns = ["时间", "表", "文件", "状态", "接收", "入库", "隔离", "重复"]
        parts += ["<h2>最近接收的文件（文件台账）</h2>", html_table(recent, "尚无文件")]
    parts += ["<h2>隔离原因</h2>", html_table(quarantine_reasons(lake), "无隔离数据")]
    if lake.exists(ORPHANS):
        orph = lake.read_arrow(ORPHANS, columns=["check", "table", "column", "rows"]).to_pandas()
        orph.columns = ["检查", "表", "字段", "行数"]
        parts += ["<h2>引用缺失（保留，待后续补报）</h2>", html_table(orph[orph["行数"] > 0], "无")]
    if lake.exists(CODE_SALES):
        parts += ["<h2>药品追溯码</h2>", *code_figures(lake)]
    if lake.exists(VALIDATION):
        val = lake.read_arrow(
            VALIDATION,
            columns=[
                "table",
                "batch_id",
                "validated_at",
                "reason",
                "success",
                "unexpected_count",
                "element_count",
            ],
        ).to_pandas()
        failed = val[~val.success].sort_values("validated_at", ascending=False).head(100)
        failed = failed.drop(columns=["success"])
        failed.columns = ["表", "批次", "校验时间", "期望", "不符合行数", "总行数"]
        parts += ["<h2>Great Expectations 未通过的期望</h2>", html_table(failed, "全部通过")]
    docs = data_docs_index(lake.root)
    if docs.exists():
        rel = os.path.relpath(docs, folder)
        parts.append(
            f"<p><a href='{html.escape(rel)}'>Great Expectations Data Docs（每批次校验明细）</a></p>"
        )
    page = (
        f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>数据质量报告 {as_of}</title>"
        f"<style>{HTML_CSS}</style><body>{''.join(parts)}</body></html>"
    )
    path = folder / f"数据质量报告_{as_of}.html"
    path.write_text(page, encoding="utf-8")
    return path
