"""The landing contract (../shared/contract/README.md) as data.

The ingest job, the expectation suites (``expectations/*.json``, generated from this module by
``fundwatch expectations``) and the synthetic generator all follow it. Field names are the national
platform's (1101 person, 5201 visit, 5203 settlement, 5204 fee detail).
"""

from __future__ import annotations

from dataclasses import dataclass, field

STRING, DATE, TIMESTAMP, DECIMAL, INT = "string", "date", "timestamp", "decimal", "int"
SPARK_TYPES = {STRING: "string", DATE: "date", TIMESTAMP: "timestamp", DECIMAL: "decimal(18,2)", INT: "int"}


def full_match(pattern: str) -> str:
    """A regex that matches the whole value, in Java (Spark's ``rlike``, GX on Spark) and Python alike.

    ``$`` would not do: in Java (and Python) it also matches before a final line terminator, so
    ``"130302\\n"`` would pass a six-digit check and become an export folder nobody reads. ``(?![\\s\\S])``
    is "no character follows", the same in both engines (Python has no ``\\z``).
    """
    return f"^(?:{pattern})(?![\\s\\S])"


ADMDVS = full_match("[0-9]{6}")
CERTNO = full_match("[0-9]{17}[0-9Xx]")
CODE = full_match("[0-9A-Za-z]{1,20}")
INSUTYPE = full_match("[0-9]{3}")
# Plausibility bounds (yuan, units): a value outside is quarantined with ``out_of_bounds:<column>``. Refunds
# are negative, so money is bounded on both sides; one settlement of ten million yuan is already beyond any
# hospital bill the plans mention.
MONEY = (-10_000_000, 10_000_000)
COUNT = (-1_000_000, 1_000_000)
# Dates and times are bounded by suite parameters resolved at each run (``jobs.ingest.expectations.suite_parameters``):
# between [ingest] min_date and today + max_days_ahead; birth dates within [ingest] max_age_years of today.
DATE_BOUNDS = ("min_date", "max_date")
TIME_BOUNDS = ("min_time", "max_time")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    label: str
    codes: tuple[str, ...] | None = None
    pattern: str | None = None
    aliases: tuple[str, ...] = ()
    # (min, max): numbers for numeric columns; suite parameter names for dates and times (None: unbounded).
    # Dates and times default to DATE_BOUNDS / TIME_BOUNDS, numbers to no bounds.
    bounds: tuple[object, object] | None = None

    @property
    def value_bounds(self) -> tuple[object, object] | None:
        if self.bounds is not None:
            return self.bounds
        return {DATE: DATE_BOUNDS, TIMESTAMP: TIME_BOUNDS}.get(self.type)


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    optional: bool = False
    # (a, b): rows must have a >= b, e.g. a visit's end not before its start
    ordered: tuple[tuple[str, str], ...] = ()
    # amount columns that must not be negative unless the row is a refund (refd_setl_flag = 1)
    signed_by_refund: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name}")


def _c(name, type_, required, label, **kw) -> Column:
    return Column(name, type_, required, label, **kw)


MED_CHRGITM_TYPES = tuple(f"{i:02d}" for i in range(1, 15))
HOSP_LV = tuple(f"{i:02d}" for i in range(1, 12))
FEEDBACK_STATUS = ("核查中", "查实", "部分查实", "不属实")

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "psn",
            "参保人员",
            ("psn_no",),
            (
                _c("psn_no", STRING, True, "人员编号"),
                _c("certno", STRING, True, "证件号码", pattern=CERTNO),
                _c("psn_name", STRING, True, "姓名"),
                _c("gend", STRING, True, "性别", codes=("1", "2", "0", "9")),
                _c("brdy", DATE, True, "出生日期", bounds=("min_birth_date", "max_date")),
                _c("insutype", STRING, True, "险种类型", pattern=INSUTYPE),
                _c("psn_type", STRING, False, "人员类别"),
                _c("psn_idet_type", STRING, False, "人员身份类别"),
                _c("insuplc_admdvs", STRING, True, "参保地医保区划", pattern=ADMDVS),
                _c("live_addr", STRING, False, "居住地址"),
            ),
        ),
        Table(
            "fixmedins",
            "定点医药机构",
            ("fixmedins_code",),
            (
                _c("fixmedins_code", STRING, True, "定点医药机构编号"),
                _c("fixmedins_name", STRING, True, "定点医药机构名称"),
                _c("fixmedins_type", STRING, True, "定点医药机构类型", codes=("1", "2")),
                _c("hosp_lv", STRING, False, "医院等级", codes=HOSP_LV),
                _c("ownership", STRING, False, "所有制", codes=("1", "2")),
                _c("fix_blng_admdvs", STRING, True, "所属医保区划", pattern=ADMDVS),
            ),
        ),
        Table(
            "mdtrt",
            "就诊信息",
            ("mdtrt_id",),
            (
                _c("mdtrt_id", STRING, True, "就诊ID"),
                _c("psn_no", STRING, True, "人员编号"),
                _c("fixmedins_code", STRING, True, "定点医药机构编号"),
                _c("med_type", STRING, True, "医疗类别", pattern=CODE),
                _c("begntime", TIMESTAMP, True, "开始时间"),
                _c("endtime", TIMESTAMP, True, "结束时间"),
                _c("dise_codg", STRING, False, "主诊断编码"),
                _c("dise_name", STRING, False, "诊断名称"),
                _c("adm_dept_codg", STRING, False, "入院科室编码"),
                _c("atddr_no", STRING, False, "主治医生编码"),
            ),
            ordered=(("endtime", "begntime"),),
        ),
        Table(
            "setl",
            "结算信息",
            ("setl_id",),
            (
                _c("setl_id", STRING, True, "结算ID"),
                _c("mdtrt_id", STRING, True, "就诊ID"),
                _c("psn_no", STRING, True, "人员编号"),
                _c("fixmedins_code", STRING, True, "定点医药机构编号"),
                _c("med_type", STRING, True, "医疗类别", pattern=CODE),
                _c("setl_time", TIMESTAMP, True, "结算时间"),
                _c("medfee_sumamt", DECIMAL, True, "医疗费总额", bounds=MONEY),
                _c("fulamt_ownpay_amt", DECIMAL, False, "全自费金额", bounds=MONEY),
                _c("hifp_pay", DECIMAL, True, "统筹基金支出", bounds=MONEY),
                _c("fund_pay_sumamt", DECIMAL, True, "基金支付总额", bounds=MONEY),
                _c("acct_pay", DECIMAL, False, "个人账户支出", bounds=MONEY),
                _c("psn_cash_pay", DECIMAL, False, "个人现金支出", aliases=("cash_payamt",), bounds=MONEY),
                _c("insutype", STRING, False, "险种类型", pattern=INSUTYPE),
                _c("refd_setl_flag", STRING, True, "退费结算标志", codes=("0", "1")),
            ),
            signed_by_refund=("medfee_sumamt", "hifp_pay", "fund_pay_sumamt"),
        ),
        Table(
            "fee_list",
            "费用明细",
            ("feedetl_sn",),
            (
                _c("feedetl_sn", STRING, True, "费用明细流水号"),
                _c("mdtrt_id", STRING, True, "就诊ID"),
                _c("setl_id", STRING, False, "结算ID"),
                _c("fee_ocur_time", TIMESTAMP, True, "费用发生时间"),
                _c("med_list_codg", STRING, True, "医疗目录编码"),
                _c("hilist_name", STRING, False, "医保目录名称"),
                _c("med_chrgitm_type", STRING, True, "医疗收费项目类别", codes=MED_CHRGITM_TYPES),
                _c("chrgitm_lv", STRING, False, "收费项目等级", codes=("甲", "乙", "丙", "1", "2", "3")),
                _c("cnt", DECIMAL, True, "数量", bounds=COUNT),
                _c("pric", DECIMAL, True, "单价", bounds=MONEY),
                _c("det_item_fee_sumamt", DECIMAL, True, "明细项目费用总额", bounds=MONEY),
                _c("prd_days", INT, False, "周期天数", bounds=(0, 3650)),
                _c("used_frqu_dscr", STRING, False, "使用频次"),
                _c("bilg_dr_codg", STRING, False, "开单医生编码"),
                # codes of any shape are kept (a malformed one is counted, features.trace.CODE_PATTERN)
                _c("drug_trac_codg", STRING, False, "药品追溯码"),
                _c("trdn_flag", STRING, False, "拆零标志"),  # 1 split; anything else is whole boxes
            ),
        ),
        Table(
            "opsp_reg",
            "门诊慢特病备案",
            ("psn_no", "opsp_dise_code", "begndate"),
            (
                _c("psn_no", STRING, True, "人员编号"),
                _c("opsp_dise_code", STRING, True, "门诊慢特病病种编码"),
                _c("opsp_dise_name", STRING, False, "病种名称"),
                _c("begndate", DATE, True, "备案开始日期"),
                _c("enddate", DATE, False, "备案结束日期", bounds=("min_date", None)),
            ),
        ),
        Table(
            "psn_death",
            "死亡人员",
            ("psn_no",),
            (
                _c("psn_no", STRING, True, "人员编号"),
                _c("death_date", DATE, True, "死亡日期"),
                _c("source", STRING, False, "数据来源"),
            ),
            optional=True,
        ),
        # ext: the names of the regions (医保区划), so that files and pages show 海港区 beside 130302
        Table(
            "admdvs",
            "医保区划",
            ("admdvs",),
            (
                _c("admdvs", STRING, True, "医保区划", pattern=ADMDVS),
                _c("admdvs_name", STRING, True, "医保区划名称"),
                _c("prnt_admdvs", STRING, False, "上级医保区划", pattern=ADMDVS),
            ),
            optional=True,
        ),
        Table(
            "clue_feedback",
            "线索核查反馈",
            ("clue_id", "feedback_date", "status"),
            (
                _c("clue_id", STRING, True, "线索编号"),
                _c("status", STRING, True, "核查状态", codes=FEEDBACK_STATUS),
                # non-negative; at most the clue's fund amount unless over_fund_flag is 1 (checked at publish,
                # where the clue is known: jobs/lifecycle.vet_feedback)
                _c("verified_amt", DECIMAL, False, "查实金额", bounds=(0, MONEY[1])),
                _c("recovered_amt", DECIMAL, False, "追回金额", bounds=(0, MONEY[1])),
                _c("feedback_date", DATE, True, "反馈日期"),
                _c("note", STRING, False, "备注"),
                # ext: the region answering (a region answers its own clues only), and "1" when an amount
                # above the clue's fund amount is deliberate (e.g. the verified case went beyond the clue)
                _c("admdvs", STRING, False, "反馈地区医保区划", pattern=ADMDVS),
                _c("over_fund_flag", STRING, False, "金额超出线索涉及金额确认", codes=("0", "1")),
            ),
            optional=True,
        ),
    ]
}

REQUIRED_TABLES = [t.name for t in TABLES.values() if not t.optional]
