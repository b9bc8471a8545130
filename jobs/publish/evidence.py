"""The settlements behind clues, as people read them: time, institution, diagnosis, amounts, masked person.

Read with delta-rs (no Spark): publish puts them in the workbook's 涉及结算 sheet, the workbench on a clue's page.
"""

from __future__ import annotations

import pandas as pd

from jobs.lake import Lake
from jobs.lake.tables import silver
from jobs.publish.privacy import mask_name

COLUMNS = ["setl_id", "setl_time", "institution", "dise", "medfee_sumamt", "fund_pay_sumamt", "person"]


def settlement_details(lake: Lake, setl_ids) -> pd.DataFrame:
    """One row per settlement id (``COLUMNS``), in the order given; ids not in the lake are left out."""
    ids = list(dict.fromkeys(s for s in setl_ids if s))
    if not ids or not lake.exists(silver("setl")):
        return pd.DataFrame(columns=COLUMNS)
    setl = lake.read_arrow(
        silver("setl"),
        ["setl_id", "mdtrt_id", "psn_no", "fixmedins_code", "setl_time", "medfee_sumamt", "fund_pay_sumamt"],
        filters=[("setl_id", "in", ids)],
    ).to_pandas()
    visits = _lookup(lake, "mdtrt", "mdtrt_id", setl.mdtrt_id, ["mdtrt_id", "dise_codg", "dise_name"])
    dise = {
        m: " ".join(str(x) for x in (c, n) if x is not None and x == x)
        for m, c, n in zip(visits.mdtrt_id, visits.dise_codg, visits.dise_name, strict=True)
    }
    setl["dise"] = setl.mdtrt_id.map(dise)
    setl["setl_time"] = pd.to_datetime(setl.setl_time).dt.strftime(
        "%Y-%m-%d %H:%M"
    )  # no zone: Excel has none
    setl["person"], setl["institution"] = who_and_where(lake, setl.psn_no, setl.fixmedins_code)
    order = {s: i for i, s in enumerate(ids)}
    return setl.sort_values("setl_id", key=lambda s: s.map(order))[COLUMNS].reset_index(drop=True)


def who_and_where(lake: Lake, psn_no: pd.Series, fixmedins_code: pd.Series) -> tuple[pd.Series, pd.Series]:
    """For rows of persons and institutions: the persons' masked names and the institutions' names (their
    code where the lake has no name)."""
    people = _lookup(lake, "psn", "psn_no", psn_no, ["psn_no", "psn_name"])
    insts = _lookup(lake, "fixmedins", "fixmedins_code", fixmedins_code, ["fixmedins_code", "fixmedins_name"])
    return psn_no.map(dict(people.values)).map(mask_name), fixmedins_code.map(dict(insts.values)).fillna(
        fixmedins_code
    )


def _lookup(lake: Lake, table: str, key: str, values: pd.Series, columns: list[str]) -> pd.DataFrame:
    wanted = values.dropna().unique().tolist()
    if not wanted or not lake.exists(silver(table)):
        return pd.DataFrame(columns=columns)
    return lake.read_arrow(silver(table), columns, filters=[(key, "in", wanted)]).to_pandas()


def region_names(lake: Lake) -> dict[str, str]:
    """医保区划 code → name, from the optional ``admdvs`` reference table (empty when it never landed)."""
    if not lake.exists(silver("admdvs")):
        return {}
    names = lake.read_arrow(silver("admdvs"), ["admdvs", "admdvs_name"]).to_pandas()
    return dict(zip(names.admdvs.astype(str), names.admdvs_name.astype(str), strict=True))


def name_occasions(text: str | None, names: dict[str, str]) -> str:
    """A ring's occasions ("date code count；…", ``gold/rings``) with the institutions named."""
    return "；".join(
        " ".join([d, names.get(c, c), n]) for d, c, n in (o.split(" ") for o in (text or "").split("；") if o)
    )


def person_rings(lake: Lake, psn_no: str, as_of) -> pd.DataFrame:
    """The week's rings (``gold/rings``) a person is a member of, with the members' masked names and the
    occasions' institutions named (delta-rs: the workbench's clue page)."""
    from jobs.lake.tables import RING_MEMBERS, RINGS

    if not lake.exists(RINGS) or not lake.exists(RING_MEMBERS):
        return pd.DataFrame()
    week = ("as_of", "=", as_of)
    ids = lake.read_arrow(RING_MEMBERS, ["ring_id"], filters=[week, ("psn_no", "=", psn_no)])
    ids = ids.column("ring_id").to_pylist()
    if not ids:
        return pd.DataFrame()
    rings = lake.read_arrow(RINGS, filters=[week, ("ring_id", "in", ids)]).to_pandas()
    members = lake.read_arrow(
        RING_MEMBERS, ["ring_id", "psn_no"], filters=[week, ("ring_id", "in", ids)]
    ).to_pandas()
    members["who"] = who_and_where(lake, members.psn_no, pd.Series(dtype=object))[0]
    rings["members"] = rings.ring_id.map(members.sort_values("who").groupby("ring_id").who.agg("、".join))
    codes = {
        c
        for text in rings.get("occasions", [])
        for c in (o.split(" ")[1] for o in (text or "").split("；") if o)
    }
    insts = _lookup(
        lake, "fixmedins", "fixmedins_code", pd.Series(sorted(codes)), ["fixmedins_code", "fixmedins_name"]
    )
    rings["occasions"] = rings.get("occasions", pd.Series("", index=rings.index)).map(
        lambda t: name_occasions(t, dict(insts.values))
    )
    return rings
