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


def _quiet_visits(spark, lake, week, first: dt.date):
    """Settled visits of people whom nothing else in the week touches (their visits all began 30 to 300 days
    before ``first``; none in the week's delivery): (pharmacy visits, outpatient visits), as rows."""
    from pyspark.sql import functions as F

    from jobs.lake.tables import VISIT

    busy = set()
    for table in ("mdtrt", "setl"):
        for f in (week / table).glob("*.parquet"):
            busy |= set(pq.read_table(f, columns=["psn_no"])["psn_no"].to_pylist())
    visits = lake.read(spark, VISIT)
    span = visits.groupBy("psn_no").agg(F.min("adm_date").alias("lo"), F.max("adm_date").alias("hi"))
    quiet = span.filter(
        (F.col("lo") > F.lit(first - dt.timedelta(days=300)))
        & (F.col("hi") < F.lit(first - dt.timedelta(days=30)))
    )
    mine = visits.join(quiet, "psn_no", "left_semi").filter("settled")

    def some(kind):
        rows = mine.filter(kind).orderBy("mdtrt_id").limit(200).collect()
        return [v for v in rows if v.psn_no not in busy]

    pharmacy, outpatient = some("is_pharmacy"), some("not is_pharmacy and not is_inpatient")
    assert pharmacy and outpatient
    return pharmacy, outpatient


def _late_corrections(spark, lake, base, week, first: dt.date):
    """Add to the week's delivery a refund of a pharmacy purchase settled months before and a fee line that
    arrives late for an outpatient visit months before, of two people the week touches in no other way.
    Returns the two visits."""
    pharmacy, outpatient = _quiet_visits(spark, lake, week, first)
    in_week = dt.datetime.combine(first + dt.timedelta(days=3), dt.time(10))
    refunded = pharmacy[0]
    setl_id = refunded.setl_ids[0]
    for f in sorted((base / "setl").glob("*.parquet")):
        t = pq.read_table(f)
        hits = t.filter(pc.equal(t["setl_id"], setl_id))
        if hits.num_rows:
            break
    refund = hits.to_pylist()[0]
    for field in hits.schema:  # a refund carries the amounts negated
        if pa.types.is_decimal(field.type) and refund[field.name] is not None:
            refund[field.name] = -refund[field.name]
    refund.update(setl_id=setl_id + "R", refd_setl_flag="1", setl_time=in_week)
    pq.write_table(pa.Table.from_pylist([refund], schema=hits.schema), week / "setl" / "late_refund.parquet")
    late = next(v for v in outpatient if v.psn_no != refunded.psn_no)
    line = {
        "feedetl_sn": late.mdtrt_id + "-L",
        "mdtrt_id": late.mdtrt_id,
        "setl_id": late.setl_ids[0],
        "fee_ocur_time": in_week,
        "med_list_codg": "XR05CAA001",
        "med_chrgitm_type": "09",
        "cnt": 3,
        "pric": 20,
        "det_item_fee_sumamt": 60,
        "prd_days": 90,
    }
    schema = pq.read_schema(next((base / "fee_list").glob("*.parquet")))
    row = {f.name: line.get(f.name) for f in schema}
    pq.write_table(pa.Table.from_pylist([row], schema=schema), week / "fee_list" / "late_line.parquet")
    return refunded, late


def test_a_week_built_on_the_last_equals_the_whole_window_after_late_corrections(spark, tmp_path, caplog):
    import pyarrow as pa

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
    before = {r.psn_no: r for r in lake.read(spark, FEATURES_PSN).filter(f"as_of = '{first}'").collect()}
    # a lake from before a figure was retired still has its column (build_features.RETIRED): the week carries
    # the others over and writes it as null
    lake.add_columns(PSN_OWN, [pa.field("first_visit", pa.date32())])
    refunded, late = _late_corrections(spark, lake, base, week, first)
    ingest_landing(spark, lake, week, validate_with_gx=False)
    as_of = build_features.latest_settlement_date(spark, lake)
    assert as_of > first

    visits = lake.read(spark, VISIT)
    ids = [refunded.mdtrt_id, late.mdtrt_id]
    seen = {r.mdtrt_id: getattr(r, CHANGED_IN) for r in visits.filter(visits.mdtrt_id.isin(*ids)).collect()}
    assert seen[refunded.mdtrt_id] > seen[late.mdtrt_id]  # the refund re-netted its visit, the line did not
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
    # the late rows count, week on week as afresh: one more purchase refunded, 90 more days of a drug
    people = full[FEATURES_PSN].set_index("psn_no")
    assert people.loc[refunded.psn_no, "n_refunded"] == before[refunded.psn_no].n_refunded + 1
    assert people.loc[late.psn_no, "rx_days_supply"] == before[late.psn_no].rx_days_supply + 90
