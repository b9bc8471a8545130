"""A tiny world of contract tables for detector tests: persons, institutions, visits, settlements, fees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from features.visits import net_visits

AS_OF = dt.date(2025, 12, 31)
MDTRT = (
    "mdtrt_id string, psn_no string, fixmedins_code string, med_type string, begntime timestamp, "
    "endtime timestamp, dise_codg string, dise_name string, adm_dept_codg string, atddr_no string"
)
SETL = (
    "setl_id string, mdtrt_id string, psn_no string, fixmedins_code string, med_type string, setl_time timestamp, "
    "medfee_sumamt decimal(18,2), fulamt_ownpay_amt decimal(18,2), hifp_pay decimal(18,2), "
    "fund_pay_sumamt decimal(18,2), acct_pay decimal(18,2), psn_cash_pay decimal(18,2), insutype string, "
    "refd_setl_flag string"
)
FEE = (
    "feedetl_sn string, mdtrt_id string, setl_id string, fee_ocur_time timestamp, med_list_codg string, "
    "hilist_name string, med_chrgitm_type string, chrgitm_lv string, cnt decimal(18,2), pric decimal(18,2), "
    "det_item_fee_sumamt decimal(18,2), prd_days int, used_frqu_dscr string, bilg_dr_codg string, "
    "drug_trac_codg string, trdn_flag string"
)
PSN = (
    "psn_no string, certno string, psn_name string, gend string, brdy date, insutype string, psn_type string, "
    "psn_idet_type string, insuplc_admdvs string, live_addr string"
)
FIX = "fixmedins_code string, fixmedins_name string, fixmedins_type string, hosp_lv string, ownership string, fix_blng_admdvs string"


OPSP = "psn_no string, opsp_dise_code string, opsp_dise_name string, begndate date, enddate date"
DEATH = "psn_no string, death_date date, source string"
D = Decimal


def _d(day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 1, 1, hour, minute) + dt.timedelta(days=day)


def day(n: int) -> dt.date:
    return dt.date(2025, 1, 1) + dt.timedelta(days=n)


class World:
    """Builds tiny contract tables: persons, institutions, stays, outpatient visits and drug purchases."""

    def __init__(self):
        self.mdtrt, self.setl, self.fee = [], [], []
        self.persons, self.insts, self.opsp, self.deaths = {}, {}, [], []

    def person(self, psn_no, birth_year=1950, idet=None, gend="1", addr=None):
        self.persons[psn_no] = (
            psn_no, "110101195001011234", "某", gend, dt.date(birth_year, 1, 1), "390", None, idet, "130322", addr
        )  # fmt: skip

    def inst(self, code, kind="1", level="08", admdvs="130322"):
        self.insts[code] = (code, f"机构{code}", kind, level, "1", admdvs)

    def register(self, psn_no, dise_code, begin=-400, end=None):
        self.opsp.append((psn_no, dise_code, None, day(begin), None if end is None else day(end)))

    def death(self, psn_no, when):
        self.deaths.append((psn_no, day(when), "民政"))

    def _settle(self, sid, mid, psn_no, inst, med_type, when, a, flag, fund=None, acct=False):
        """A settlement of ``a`` yuan, the fund paying 70% (or ``fund``) and the person the rest in cash (or all
        of it from the personal account: ``acct``)."""
        f = D(0) if acct else a * D("0.7") if fund is None else fund
        own = (a - f, D(0)) if acct else (D(0), a - f)
        self.setl.append((sid, mid, psn_no, inst, med_type, when, a, D(0), f, f, *own, "390", flag))

    def visit(
        self,
        psn_no,
        inst,
        med_type,
        day,
        los=0,
        amount=1000.0,
        dx="J18.900",
        refund=False,
        resettle=False,
        fund_kept=False,
        acct=False,
        drug=None,
        prd_days=None,
        hour=9,
        minute=0,
        codes=None,
        trdn=None,
        dept=None,
    ):
        """One visit with its settlement; ``refund`` reverses it, ``resettle`` then settles it again;
        ``fund_kept``: the refund returns the fees in cash but leaves the fund's share paid (退费套现); ``acct``:
        paid wholly from the personal account.
        ``codes``: the drug line's traceability codes (comma-separated), ``trdn``: its 拆零标志; ``dept``: the
        department (adm_dept_codg)."""
        mid = f"M{len(self.mdtrt)}"
        if psn_no not in self.persons:
            self.person(psn_no)
        if inst not in self.insts:
            self.inst(inst, kind="2" if med_type == "41" else "1", level=None if med_type == "41" else "08")
        begn, end = _d(day, hour, minute), _d(day + los, 10)
        self.mdtrt.append((mid, psn_no, inst, med_type, begn, end, dx, None, dept, None))
        a = D(str(amount))
        self._settle(f"S{mid}", mid, psn_no, inst, med_type, end, a, "0", acct=acct)
        if refund:
            self._settle(f"R{mid}", mid, psn_no, inst, med_type, end, -a, "1", D(0) if fund_kept else None)
        if resettle:
            self._settle(f"B{mid}", mid, psn_no, inst, med_type, end, a, "0")
        if drug:
            self.fee.append(
                (f"F{mid}", mid, f"S{mid}", begn, drug, None, "09", "甲", D(30), a / D(30), a, prd_days, "qd", None,
                 codes, trdn)
            )  # fmt: skip
        return mid

    def mdtrt_frame(self, spark):
        return spark.createDataFrame(self.mdtrt, MDTRT)

    def frames(self, spark):
        visits = net_visits(spark.createDataFrame(self.mdtrt, MDTRT), spark.createDataFrame(self.setl, SETL))
        fee = spark.createDataFrame(self.fee, FEE)
        psn = spark.createDataFrame(list(self.persons.values()), PSN)
        return psn, visits, fee

    def optional(self, spark):
        """(opsp_reg, psn_death) frames, None where nothing was added."""
        opsp = spark.createDataFrame(self.opsp, OPSP) if self.opsp else None
        death = spark.createDataFrame(self.deaths, DEATH) if self.deaths else None
        return opsp, death

    def institutions(self, spark):
        return spark.createDataFrame(list(self.insts.values()), FIX)
