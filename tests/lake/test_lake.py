"""Delta I/O: Spark writes parquet, delta-rs commits; tables are readable by any Delta reader."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from jobs.lake import LakeError

pytestmark = pytest.mark.spark

SCHEMA = "id string, month string, amt decimal(18,2), ts timestamp"


def _rows(spark, rows):
    return spark.createDataFrame(rows, SCHEMA)


def test_append_then_read_back_with_spark_and_delta_rs(spark, lake):
    ts = dt.datetime(2024, 1, 5, 8, 30)
    v = lake.write(
        _rows(spark, [("a", "2024-01", Decimal("1.50"), ts), ("b", "2024-02", Decimal("2.00"), ts)]),
        "silver/t",
        partition_by=["month"],
    )
    assert v == 1  # version 0 creates the table, version 1 adds the files
    got = {r.id: r for r in lake.read(spark, "silver/t").collect()}
    assert got["a"].month == "2024-01" and got["a"].amt == Decimal("1.50") and got["a"].ts == ts
    # an independent Delta reader sees the same rows and the partition values from the log
    arrow = DeltaTable(str(lake.path("silver/t"))).to_pyarrow_table()
    assert sorted(arrow.column("id").to_pylist()) == ["a", "b"]
    assert sorted(arrow.column("month").to_pylist()) == ["2024-01", "2024-02"]


def test_overwrite_replaces_only_the_named_partition(spark, lake):
    ts = dt.datetime(2024, 1, 1)
    lake.write(
        _rows(spark, [("a", "2024-01", Decimal(1), ts), ("b", "2024-02", Decimal(2), ts)]),
        "gold/t",
        partition_by=["month"],
    )
    lake.write(
        _rows(spark, [("c", "2024-02", Decimal(3), ts)]),
        "gold/t",
        mode="overwrite",
        replace=[("month", "=", "2024-02")],
    )
    assert sorted(r.id for r in lake.read(spark, "gold/t").collect()) == ["a", "c"]
    # time travel still shows the replaced partition
    assert sorted(r.id for r in lake.read(spark, "gold/t", version=1).collect()) == ["a", "b"]


def test_same_app_id_commits_once(spark, lake):
    df = _rows(spark, [("a", "2024-01", Decimal(1), dt.datetime(2024, 1, 1))])
    assert lake.write(df, "bronze/t", app_id="batch-1") is not None
    assert lake.write(df, "bronze/t", app_id="batch-1") is None
    assert lake.read(spark, "bronze/t").count() == 1


def test_schema_mismatch_is_refused_and_table_unchanged(spark, lake):
    lake.write(_rows(spark, [("a", "2024-01", Decimal(1), dt.datetime(2024, 1, 1))]), "silver/t")
    before = lake.version("silver/t")
    other = spark.createDataFrame([("x", 1)], "id string, n int")
    with pytest.raises(LakeError, match="missing columns"):
        lake.write(other, "silver/t")
    assert lake.version("silver/t") == before
    assert lake.read(spark, "silver/t").count() == 1


def test_reading_a_missing_table_names_it(spark, lake):
    with pytest.raises(LakeError, match="gold/nothing"):
        lake.read(spark, "gold/nothing")


def test_empty_overwrite_gives_an_empty_readable_table(spark, lake):
    lake.write(_rows(spark, [("a", "2024-01", Decimal(1), dt.datetime(2024, 1, 1))]), "gold/e")
    lake.write(_rows(spark, []), "gold/e", mode="overwrite")
    assert lake.read(spark, "gold/e").count() == 0


def test_a_newer_contract_or_feature_set_adds_columns_and_older_rows_read_null(spark, lake):
    """A lake written before the contract gained a column (clue_feedback.admdvs) or a feature table gained a
    feature still takes the next write: the table gains the column, earlier rows read it as null."""
    import pyarrow as pa

    lake.write(spark.createDataFrame([("a", 1)], "id string, n int"), "silver/t")
    lake.write(spark.createDataFrame([("b", 2, "x")], "id string, n int, extra string"), "silver/t")
    got = {r.id: r.extra for r in lake.read(spark, "silver/t").collect()}
    assert got == {"a": None, "b": "x"}
    lake.write_arrow(pa.table({"k": ["a"], "v": [1]}), "meta/m")
    lake.write_arrow(
        pa.table({"k": ["b"], "w": ["new"]}), "meta/m", mode="overwrite", replace_predicate="k = 'b'"
    )
    rows = sorted(lake.read_arrow("meta/m").to_pylist(), key=lambda r: r["k"])
    assert rows == [{"k": "a", "v": 1, "w": None}, {"k": "b", "v": None, "w": "new"}]
    with pytest.raises(LakeError, match="missing columns"):  # a column the table has cannot go missing
        lake.write(spark.createDataFrame([("c",)], "id string"), "silver/t")
    # ... unless the writer says it retired it (a derived table whose code dropped a figure): null from then on
    lake.write(
        spark.createDataFrame([("c", "y")], "id string, extra string"), "silver/t", retired_columns=("n",)
    )
    got = {r.id: (r.n, r.extra) for r in lake.read(spark, "silver/t").collect()}
    assert got == {"a": (1, None), "b": (2, "x"), "c": (None, "y")}


def test_written_files_carry_min_max_and_null_counts_so_readers_skip_files(spark, lake):
    """Files adopted from Spark are described in the log from their parquet footers (issue #18): a reader
    filtering on a data column opens only the files whose range can match."""
    low = [(f"a{i}", "2024-01", Decimal(i), dt.datetime(2024, 1, 1 + i)) for i in range(5)]
    high = [(f"b{i}", "2024-01", Decimal(1000 + i), dt.datetime(2024, 3, 1 + i)) for i in range(5)]
    lake.write(_rows(spark, low + high + [("c", "2024-01", None, None)]).coalesce(1), "silver/s")  # one file
    lake.write(_rows(spark, low).coalesce(1), "silver/s")
    lake.write(_rows(spark, high).coalesce(1), "silver/s")
    table = DeltaTable(str(lake.path("silver/s")))
    adds = pa.table(table.get_add_actions(flatten=True)).to_pydict()
    assert len(adds["path"]) == 3
    assert sorted(float(x) for x in adds["min.amt"]) == [0.0, 0.0, 1000.0]
    assert sorted(float(x) for x in adds["max.amt"]) == [4.0, 1004.0, 1004.0]
    assert sorted(adds["null_count.amt"]) == [0, 0, 1]
    assert sorted(adds["min.id"]) == ["a0", "a0", "b0"]
    # delta-rs skips by the statistics: amounts above 500 may only be in the mixed file and the high one
    assert len(table.file_uris(file_pruning_predicate="amt > 500")) == 2
    assert len(table.file_uris(file_pruning_predicate="ts < '2024-02-01T00:00:00Z'")) == 2
    # and a reader that uses the statistics gets the right rows from them
    got = table.to_pyarrow_table(filters=[("amt", ">", Decimal(500))])
    assert got.num_rows == 10


def test_a_boolean_column_is_filtered_right_by_a_reader_of_the_statistics(spark, lake):
    """Every column a filter can name is described (booleans too, long text in full, a column without a value
    by its null count): delta-rs's dataset once took a column missing from a file's statistics as "nothing
    matches" and returned no row of ``flag == True``."""
    import pyarrow.compute as pc

    rows = [
        ("a", True, "x" * 40, None, ["s1"]),
        ("b", False, "y" * 40, None, []),
        ("c", None, "z" * 40, None, None),
    ]
    schema = "id string, flag boolean, long string, empty string, ids array<string>"
    lake.write(spark.createDataFrame(rows, schema).coalesce(1), "silver/b")
    dataset = DeltaTable(str(lake.path("silver/b"))).to_pyarrow_dataset()
    assert dataset.to_table(filter=pc.field("flag") == True).column("id").to_pylist() == ["a"]  # noqa: E712
    assert dataset.to_table(filter=pc.field("long") > "y").column("id").to_pylist() == ["b", "c"]
    assert dataset.to_table(filter=pc.field("empty").is_null()).num_rows == 3
