"""Weekly HTML reports (周报): one per region and one for the whole province.

Counts by clue type and region, fund amounts involved, the score distribution, the trend over past weeks,
verification outcomes and overdue clues, with charts (matplotlib, inline SVG whose Chinese labels stay text
for the reader's fonts to draw: servers rarely have CJK fonts). Reports hold counts, amounts and clue ids
only: no names or ID numbers.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import warnings
from pathlib import Path

import pandas as pd

from features.catalog import LABELS
from jobs.lake import Lake
from jobs.lake.tables import PROVINCE, SCORES
from jobs.publish.exports import HTML_CSS, html_table, region_dir
from models import lifecycle
from models.drift import WARN, WATCH
from models.entities import ENTITIES
from models.rules import RULE_BY_ID

# Charts are inline SVG with their text left as text: the reader's browser draws the Chinese labels with its
# own fonts, so a server without CJK fonts still produces readable charts (a PNG would show empty boxes).
CHART_STYLE = {
    "svg.fonttype": "none",
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "SimHei", "DejaVu Sans"],
}


def _svg(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    with warnings.catch_warnings():  # the server may lack the glyphs: the reader's fonts draw them
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        warnings.filterwarnings("ignore", message="findfont")
        fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buf.getvalue().decode("utf-8")
    return '<figure class="chart">' + svg[svg.index("<svg") :] + "</figure>"


def _charts(scores: pd.Series, trend: pd.DataFrame) -> str:
    import logging as _logging

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _logging.getLogger("matplotlib.font_manager").setLevel(_logging.ERROR)
    out = []
    with matplotlib.rc_context(CHART_STYLE):
        fig, ax = plt.subplots(figsize=(5.5, 2.8))
        ax.hist(scores, bins=40, color="#4a78a8")
        ax.set_yscale("log")
        ax.set_xlabel("风险分值")
        ax.set_ylabel("对象数（对数）")
        out.append(_svg(fig))
        if len(trend):
            fig, ax = plt.subplots(figsize=(5.5, 2.8))
            x = [str(d) for d in trend.index]
            ax.plot(x, trend["issued"], marker="o", label="下发线索")
            ax.plot(x, trend["confirmed"], marker="s", label="查实（累计）")
            ax.set_xlabel("数据截至（周）")
            ax.legend(fontsize=8)
            ax.tick_params(axis="x", labelrotation=45, labelsize=7)
            out.append(_svg(fig))
    return "".join(out)


def _by_type(week: pd.DataFrame) -> pd.DataFrame:
    if week.empty:
        return pd.DataFrame()
    rules = week.explode("rules_fired")
    rules["线索类型"] = [
        RULE_BY_ID[r].clue_type if isinstance(r, str) else "模型综合异常" for r in rules.rules_fired
    ]
    return (
        rules.groupby("线索类型")
        .agg(线索数=("clue_id", "nunique"), 涉及基金金额=("fund_amount", "sum"))
        .reset_index()
        .sort_values("线索数", ascending=False)
    )


def _page(title: str, week: pd.DataFrame, reg: pd.DataFrame, history: pd.DataFrame, scores: pd.Series,
          as_of: dt.date, quality_href: str, by_region: bool, rings: pd.DataFrame | None = None,
          names: dict[str, str] | None = None) -> str:  # fmt: skip
    issued = history.groupby("as_of").clue_id.nunique() if len(history) else pd.Series(dtype=int)
    # confirmed clues (by their newest feedback) whose confirmation was known in each week
    done = pd.to_datetime(reg.feedback_date[reg.status.isin(lifecycle.CONFIRMED)]).dt.date if len(reg) else []
    confirmed = [int(sum(f <= d for f in done)) for d in issued.index]
    trend = pd.DataFrame({"issued": issued, "confirmed": confirmed}, index=issued.index)
    status = (
        reg.status.value_counts().reindex(list(lifecycle.STATUS_ORDER), fill_value=0) if len(reg) else None
    )
    parts = [
        f"<h1>{html.escape(title)} · 医保基金监管线索周报 · 数据截至 {as_of}</h1>",
        f"<p>本周下发线索 <b>{len(week)}</b> 条，涉及基金 <b>{week.fund_amount.sum():,.2f}</b> 元；"
        f"累计线索 {len(reg)} 条，逾期未反馈 <b class='bad'>{int(reg.overdue.sum()) if len(reg) else 0}</b> 条。"
        + (
            f' 数据质量见 <a href="{html.escape(quality_href)}">数据质量报告</a>。</p>'
            if quality_href
            else " 数据质量报告由省级统一发布。</p>"
        ),
        "<h2>本周线索：按线索类型</h2>",
        html_table(_by_type(week), "本周无新线索。"),
    ]
    if rings is not None:  # issue #19: rings are reported beside the clues, in the workbooks' 团伙线索 sheet
        parts.append(
            f"<p>本周团伙线索 <b>{len(rings)}</b> 个，涉及成员 {int(rings['size'].sum()) if len(rings) else 0} 人、"
            f"基金 {float(rings['fund_amount'].sum()) if len(rings) else 0.0:,.2f} 元（明细见线索清单工作簿“团伙线索”表）。</p>"
        )
    if by_region:
        per = (
            week.groupby(["admdvs", "entity_type"])
            .agg(线索数=("clue_id", "count"), 涉及基金金额=("fund_amount", "sum"))
            .reset_index()
            .assign(地区名称=lambda t: t.admdvs.astype(str).map(names or {}).fillna(""))
            .rename(columns={"admdvs": "医保区划", "entity_type": "对象类型"})
            if len(week)
            else pd.DataFrame()
        )
        parts += ["<h2>本周线索：按地区</h2>", html_table(per, "本周无新线索。")]
    kinds = (
        week.issue_kind.value_counts().rename_axis("下发类型").reset_index(name="线索数")
        if len(week)
        else pd.DataFrame()
    )
    parts += ["<h2>下发类型</h2>", html_table(kinds, "本周无新线索。")]
    parts += ["<h2>风险分值分布与历史趋势</h2>", _charts(scores, trend)]
    if len(trend):
        t = trend.reset_index().rename(
            columns={"as_of": "数据截至", "issued": "下发线索", "confirmed": "累计查实"}
        )
        parts.append(html_table(t, ""))
    if status is not None:
        outcome = status.rename_axis("核查状态").reset_index(name="线索数")
        parts += ["<h2>核查结果</h2>", html_table(outcome, "")]
        amt = (
            pd.to_numeric(reg.verified_amt).fillna(0).sum(),
            pd.to_numeric(reg.recovered_amt).fillna(0).sum(),
        )
        parts.append(f"<p>累计查实金额 {amt[0]:,.2f} 元，追回金额 {amt[1]:,.2f} 元。</p>")
        prec = lifecycle.precision(reg)
        if prec:
            parts.append(
                f"<p>已办结线索 {prec['verified_clues']:.0f} 条，查实率 {prec['precision']:.0%}。</p>"
            )
        late = reg[reg.overdue][
            ["clue_id", "admdvs", "entity_type", "clue_types", "first_issued", "due_date", "status"]
        ]
        late = late.rename(columns={"clue_id": "线索编号", "admdvs": "医保区划", "entity_type": "对象类型",
                                    "clue_types": "线索类型", "first_issued": "下发日期", "due_date": "核查期限",
                                    "status": "核查状态"})  # fmt: skip
        parts += ["<h2>逾期未反馈线索</h2>", html_table(late, "无逾期线索。")]
    return f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>{HTML_CSS}</style></head><body>{''.join(parts)}</body></html>"


LEVELS = {"warn": "警告：分布明显变化，模型分值受影响", "watch": "关注：分布有所变化"}


def drift_section(drift: pd.DataFrame) -> str:
    """The province page's drift table: what moved since the week before (``models.drift``), or why not."""
    head = f"<h2>模型输入与分值漂移（与上周相比，PSI≥{WATCH:.2f}关注，≥{WARN:.2f}警告）</h2>"
    if not len(drift):
        return head + "<p>首周运行，无上周可比。</p>"
    moved = drift[drift.level != "stable"]
    table = pd.DataFrame(
        {
            "对象类型": moved.entity_type.map({e.entity_type: e.label for e in ENTITIES.values()}),
            "指标": [LABELS[c][0] if c in LABELS else "风险分值" for c in moved.column],
            "字段": moved.column,
            "PSI": moved.psi.round(3),
            "上周中位数": moved.median_before.round(3),
            "本周中位数": moved.median_now.round(3),
            "级别": moved.level.map(LEVELS),
        }
    )
    return head + html_table(table, f"各特征与风险分值分布稳定（PSI均低于{WATCH:.2f}）。")


def _region(df: pd.DataFrame, admdvs: str) -> pd.DataFrame:
    return df[df.admdvs.astype(str) == admdvs] if len(df) else df


def write(
    spark,
    lake: Lake,
    reg: pd.DataFrame,
    history: pd.DataFrame,
    as_of: dt.date,
    folder: Path,
    feedback: pd.DataFrame | None = None,
    rings: pd.DataFrame | None = None,
    drift: pd.DataFrame | None = None,
    names: dict[str, str] | None = None,
) -> list[Path]:
    """周报_<region>_<as_of>.html in each region's folder and 周报_省级_<as_of>.html in ``folder``.

    ``rings``: the week's reported rings (``jobs.publish.clues.ring_sheets``), counted on every page (the
    province's counts all, a region's its own).

    The province report also lists feedback rows that were not taken, with why (``lifecycle.vet_feedback``:
    a clue id never issued, another region's clue, amounts above the clue's), and the model's inputs and
    risk score that moved since the week before (``drift``: ``jobs.publish.drift.week_drift``). ``names``:
    region code → name, beside the codes (a region's page is titled "130302 海港区").
    """
    scores = lake.read_arrow(
        SCORES, columns=["admdvs", "risk_score"], filters=[("as_of", "=", as_of)]
    ).to_pandas()
    history = history.copy()
    if len(history):
        history["as_of"] = pd.to_datetime(history.as_of).dt.date
        history = history[history.as_of <= as_of]
    week = (
        history[history.as_of == as_of]
        if len(history)
        else pd.DataFrame(columns=["clue_id", "fund_amount", "admdvs", "rules_fired", "issue_kind"])
    )
    quality = f"数据质量报告_{as_of}.html"
    paths = []
    province = folder / f"周报_{PROVINCE}_{as_of}.html"
    page = _page(PROVINCE, week, reg, history, scores.risk_score, as_of, quality, True, rings, names)
    if feedback is not None and len(feedback):
        refused = lifecycle.vet_feedback(feedback, history)[1][
            ["clue_id", "admdvs", "status", "feedback_date", "reason"]
        ]
        refused = refused.rename(columns={"clue_id": "线索编号", "admdvs": "反馈地区", "status": "核查状态",
                                          "feedback_date": "反馈日期", "reason": "未采纳原因"})  # fmt: skip
        section = "<h2>未采纳的核查反馈</h2>" + html_table(refused, "全部反馈均已采纳。")
        page = page.replace("</body>", section + "</body>")
    if drift is not None:
        page = page.replace("</body>", drift_section(drift) + "</body>")
    province.write_text(page, encoding="utf-8")
    paths.append(province)
    regions = sorted(set(week.admdvs.astype(str)) | set(reg.admdvs.astype(str) if len(reg) else []))
    for admdvs in regions:
        region = region_dir(folder, admdvs)
        region.mkdir(parents=True, exist_ok=True)
        path = region / f"周报_{admdvs}_{as_of}.html"
        title = f"{admdvs} {(names or {}).get(admdvs, '')}".strip()
        page = _page(title, _region(week, admdvs), _region(reg, admdvs), _region(history, admdvs), scores.risk_score[scores.admdvs == admdvs],
                     as_of, None, False, None if rings is None else _region(rings, admdvs))  # fmt: skip
        path.write_text(page, encoding="utf-8")
        paths.append(path)
    return paths
