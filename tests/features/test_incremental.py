"""The week builds on the week before (issue #23): the people a delivery touched are recomputed, everyone else's
own-visit figures are carried over, and the features equal a recomputation of the whole window."""

from __future__ import annotations

import datetime as dt
import shutil

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

pytestmark = [pytest.mark.spark, pytest.mark.slow]

PERSONS = 20_000


def _first_row(folder, keep):
    """The first row of the parquet files under ``folder`` that ``keep`` (an Arrow mask of a table) selects."""
    for f in sorted(folder.glob("*.parquet")):
        t = pq.read_table(f)
        hits = t.filter(keep(t))
        if hits.num_rows:
            return hits.slice(0, 1)
    raise AssertionError(f"no such row under {folder}")


def _late_corrections(base, week, first: dt.date):
    """Add to the week's delivery a refund of a pharmacy purchase settled months before and a fee line that
    arrives late for an old visit: rows of earlier weeks the week changes. Returns the two visits."""
    old = pa.scalar(dt.datetime.combine(first - dt.timedelta(days=90), dt.time()))
    in_week = dt.datetime.combine(first + dt.timedelta(days=3), dt.time(10))
    setl = _first_row(
        base / "setl",
        lambda t: pc.and_(
            pc.and_(pc.equal(t["med_type"], "41"), pc.equal(t["refd_setl_flag"], "0")),
            pc.less(t["setl_time"], old.cast(t.schema.field("setl_time").type)),
        ),
    )
    refund = setl.to_pylist()[0]
    for col in (
        "medfee_sumamt",
        "hifp_pay",
        "fund_pay_sumamt",
        "acct_pay",
        "psn_cash_pay",
        "fulamt_ownpay_amt",
    ):
        if refund.get(col) is not None:
            refund[col] = -refund[col]
    refund.update(setl_id=refund["setl_id"] + "R", refd_setl_flag="1", setl_time=in_week)
    pq.write_table(pa.Table.from_pylist([refund], schema=setl.schema), week / "setl" / "late_refund.parquet")
    line = _first_row(
        base / "fee_list",
        lambda t: pc.and_(pc.is_valid(t["prd_days"]), pc.not_equal(t["mdtrt_id"], refund["mdtrt_id"])),
    ).to_pylist()[0]
    line.update(feedetl_sn=line["feedetl_sn"] + "L", prd_days=line["prd_days"] + 90)
    schema = pq.read_schema(next((base / "fee_list").glob("*.parquet")))
    pq.write_table(pa.Table.from_pylist([line], schema=schema), week / "fee_list" / "late_line.parquet")
    return refund["mdtrt_id"], line["mdtrt_id"]


def test_a_week_built_on_the_last_equals_the_whole_window_after_late_corrections(spark, tmp_path, caplog):
    from jobs import build_features
    from jobs.ingest import ingest_landing
    from jobs.lake import Lake
    from jobs.lake.tables import CHANGED_IN, FEATURES_FIXMEDINS, FEATURES_PSN, PSN_OWN, VISIT
    from jobs.runtime.settings import load_settings
    from jobs.synthetic import generate
    from jobs.synthetic.deliveries import split_last_week

    landing, base, week = tmp_path / "landing", tmp_path / "base", tmp_path / "week"
    generate(landing, persons=PERSONS, seed=23)
    split_last_week(landing, base, week)
    lake = Lake(tmp_path / "lake")
    settings = load_settings(lake=str(lake.root))
    ingest_landing(spark, lake, base, validate_with_gx=False)
    first = build_features.latest_settlement_date(spark, lake)
    build_features.run(spark, settings, first)
    refunded, late_line = _late_corrections(base, week, first)
    ingest_landing(spark, lake, week, validate_with_gx=False)
    as_of = build_features.latest_settlement_date(spark, lake)
    assert as_of > first

    visits = lake.read(spark, VISIT)
    seen = {r.mdtrt_id: r for r in visits.filter(visits.mdtrt_id.isin(refunded, late_line)).collect()}
    assert getattr(seen[refunded], CHANGED_IN) > getattr(
        seen[late_line], CHANGED_IN
    )  # the refund re-netted it
    with caplog.at_level("INFO", logger="jobs.build_features"):
        build_features.run(spark, settings, as_of)
    touched = [r.getMessage() for r in caplog.records if "people touched since" in r.getMessage()]
    assert touched, caplog.text
    n_touched = int(touched[0].split("of ")[1].split(" people")[0].replace(",", ""))
    assert 0 < n_touched < PERSONS / 2  # built on the week before, not the whole window again

    def features():
        out = {}
        for name, key in ((FEATURES_PSN, "psn_no"), (FEATURES_FIXMEDINS, "fixmedins_code")):
            df = lake.read(spark, name).filter(f"as_of = '{as_of}'").toPandas()
            out[name] = df.sort_values(key).reset_index(drop=True)
        return out

    weekly = features()
    shutil.rmtree(lake.path(PSN_OWN))  # nothing to build on: every person is computed afresh
    caplog.clear()
    with caplog.at_level("INFO", logger="jobs.build_features"):
        build_features.run(spark, settings, as_of)
    assert "own figures of everyone" in caplog.text
    full = features()
    assert len(weekly[FEATURES_PSN]) == PERSONS
    for name, table in full.items():
        assert list(weekly[name].columns) == list(table.columns) and len(weekly[name]) == len(table), name
        for column in table.columns:
            a, b = weekly[name][column], table[column]
            if a.dtype.kind == "f":  # sums of doubles added in another order
                assert ((a - b).abs() <= 1e-9 * b.abs().clip(lower=1)).all(), (name, column)
            else:
                assert a.astype(str).equals(b.astype(str)), (name, column)
    assert (full[FEATURES_FIXMEDINS]["swipe_groups"] > 0).any()  # the carried-over purchases make groups
    people = full[FEATURES_PSN].set_index("psn_no")
    who = {r.mdtrt_id: r.psn_no for r in seen.values()}
    assert people.loc[who[refunded], "n_refunded"] >= 1  # the late refund counts, week on week as afresh
