"""Features job: silver → gold/features_psn and gold/features_fixmedins for one as-of date."""

from __future__ import annotations

import datetime as dt
import logging
import time

from pyspark.sql import functions as F

from features.fixmedins import (
    BUY_COLUMNS,
    PATIENT_FIGURE_COLUMNS,
    fixmedins_features,
    patient_figures,
    pharmacy_buys,
)
from features.psn import DRUG_SUPPLY_COLUMNS, VISIT_FIGURE_COLUMNS, drug_supply, psn_features, visit_figures
from features.rings import find_rings, person_rings, ring_stays, stable_ids
from features.trace import institution_code_features, person_code_features, resale_candidates, resales
from features.windows import WindowInputs, window_inputs, window_start
from jobs.lake import Lake, LakeError
from jobs.lake.tables import (
    CHANGED_IN,
    CODE_RESALES,
    CODE_SALES,
    FEATURES_FIXMEDINS,
    FEATURES_PSN,
    FIX_PATIENTS,
    PHARMACY_BUYS,
    PROVINCE,
    PSN_DRUG_SUPPLY,
    PSN_OWN,
    RING_MEMBERS,
    RINGS,
    VISIT,
    silver,
)
from jobs.runtime.settings import Settings

log = logging.getLogger(__name__)


def latest_settlement_date(spark, lake: Lake) -> dt.date:
    from pyspark.sql import functions as F

    if not lake.exists(silver("setl")):
        raise LakeError("no settlements in the lake yet: run `fundwatch ingest --landing DIR` first")
    value = lake.read(spark, silver("setl")).agg(F.max("setl_time")).first()[0]
    if value is None:
        raise LakeError("silver/setl is empty: nothing to report on")
    return value.date()


def _schema(*fields: tuple[str, str]):
    import pyarrow as pa

    types = {"date": pa.date32(), "str": pa.string(), "int": pa.int32(), "float": pa.float64()}
    return pa.schema([(name, types[kind]) for name, kind in fields])


RING_SCHEMA = _schema(("as_of", "date"), ("ring_id", "str"), ("admdvs", "str"), ("size", "int"), ("episodes", "int"), ("occasions", "str"),
                      ("gap_days", "float"), ("periodicity", "float"),
                      ("institutions", "int"), ("villages", "int"), ("mild_share", "float"),
                      ("out_of_county_share", "float"), ("out_of_city_share", "float"), ("fund_amount", "float"), ("first_date", "date"),
                      ("last_date", "date"), ("strength", "float"))  # fmt: skip
RING_MEMBER_SCHEMA = _schema(("as_of", "date"), ("ring_id", "str"), ("psn_no", "str"))


def write_rings(spark, lake: Lake, settings: Settings, as_of: dt.date, stays):
    """Find the week's rings (``features.rings``), give each its stable id (last written week's ring ids),
    write ``gold/rings`` and ``gold/ring_members``; return the members' ring figures (a Spark DataFrame for
    ``psn_features``). Rings are few (a group per few thousand people): they are handled on the driver."""
    import pyarrow as pa
    from pyspark.sql import functions as F

    t0 = time.time()
    f = settings.features
    groups, members = find_rings(
        stays, f.co_adm_tolerance_days, f.ring_min_episodes, f.ring_crowd_cap, f.ring_local_edges
    )
    previous = None
    if lake.exists(RING_MEMBERS):
        before = lake.read(spark, RING_MEMBERS).filter(F.col("as_of") < F.lit(as_of))
        last = before.agg(F.max("as_of")).first()[0]
        if last is not None:
            previous = before.filter(F.col("as_of") == F.lit(last)).select("ring_id", "psn_no").toPandas()
    ids = stable_ids(members, previous)
    groups["ring_id"], members["ring_id"] = groups.group.map(ids), members.group.map(ids)
    # the region whose regulator receives the ring: its institutions', or the province's when they span several
    groups["admdvs"] = [a[0] if len(a) == 1 else PROVINCE for a in groups.inst_admdvs.map(list)]
    groups["as_of"], members["as_of"] = as_of, as_of
    log.info("rings: %d group(s) of %d people in %.1fs", len(groups), len(members), time.time() - t0)
    meta = {"stage": "features", "as_of": as_of.isoformat()}
    for name, frame, schema in ((RINGS, groups, RING_SCHEMA), (RING_MEMBERS, members, RING_MEMBER_SCHEMA)):
        table = pa.Table.from_pandas(frame.reindex(columns=schema.names), schema=schema, preserve_index=False)
        lake.write_arrow(
            table,
            name,
            mode="overwrite",
            partition_by=["as_of"],
            replace_predicate=f"as_of = '{as_of.isoformat()}'" if lake.exists(name) else None,
            metadata=meta,
        )
    mine = person_rings(members, groups)
    schema = "psn_no string, " + ", ".join(f"{c} double" for c in mine.columns[1:])
    return spark.createDataFrame(mine.astype({c: float for c in mine.columns[1:]}), schema)


def _earlier_weeks(lake: Lake, name: str, as_of: dt.date) -> dict[str, dict]:
    """Each week before ``as_of`` that a weekly table's commits name (``fundwatch.as_of``) → its last commit (a
    re-run replaces the week's partition)."""
    newest: dict[str, dict] = {}
    for commit in lake.table(name).history():
        week = commit.get("fundwatch.as_of")
        if week and week < as_of.isoformat() and commit["version"] > newest.get(week, {}).get("version", -1):
            newest[week] = commit
    return newest


def previous_resales(lake: Lake, as_of: dt.date, window_days: int) -> tuple[dt.date, int] | None:
    """(week, ledger version) of the newest earlier week whose ``gold/code_resales`` is still the one computed
    from that version of the ledger with the same window length; None when there is none (the first week, a
    changed window, a table written by older code)."""
    if not lake.exists(CODE_RESALES):
        return None
    newest = _earlier_weeks(lake, CODE_RESALES, as_of)
    for week in sorted(newest, reverse=True):
        commit = newest[week]
        if commit.get("fundwatch.ledger_version") and commit.get("fundwatch.window_days") == str(window_days):
            return dt.date.fromisoformat(week), int(commit["fundwatch.ledger_version"])
        return None  # the newest earlier week cannot be built on: start again from the whole window
    return None


def write_code_resales(spark, lake: Lake, settings: Settings, as_of: dt.date, visits):
    """The window's repeated code sales (``features.trace.resales``) → ``gold/code_resales`` (the evidence
    publish lists); return (institution figures, person figures) for the feature tables, or (None, None) when
    the lake holds no code ledger (extracts without traceability codes).

    Weekly, only the codes that can have changed are looked at (``features.trace.resale_candidates``: the
    previous week's repeated codes, the codes sold since, the ledger rows that arrived since that week was
    computed); the whole window is grouped when there is no earlier week to build on or the ledger was rebuilt
    since (``Lake.appended_since`` cannot name the rows that arrived)."""
    if not lake.exists(CODE_SALES):
        return None, None
    t0 = time.time()
    window = settings.features.window_days
    ledger = lake.read(spark, CODE_SALES)
    ledger_version = lake.data_version(CODE_SALES)
    codes, how = None, "the whole window"
    previous = previous_resales(lake, as_of, window)
    if previous is not None:
        since, seen = previous
        increment = lake.appended_since(CODE_SALES, seen)
        if increment is not None:
            before = lake.read(spark, CODE_RESALES).filter(F.col("as_of") == F.lit(since))
            arrived = lake.read_files(spark, CODE_SALES, increment[0]) if increment[0] else None
            newest_then = lake.max_value(
                CODE_SALES, "sale_time", version=seen
            )  # from the log's file statistics
            sold_since_arrived = newest_then is not None and newest_then.date() <= since
            codes = resale_candidates(ledger, before, since, as_of, arrived, sold_since_arrived).persist()
            how = f"{codes.count():,d} code(s) that can have changed since {since}"
    sold_again = resales(ledger, visits, as_of, window, codes=codes).withColumn("as_of", F.lit(as_of))
    lake.write(
        sold_again,
        CODE_RESALES,
        mode="overwrite",
        partition_by=["as_of"],
        replace=[("as_of", "=", as_of.isoformat())],
        metadata={
            "stage": "features",
            "as_of": as_of.isoformat(),
            "ledger_version": ledger_version,
            "window_days": window,
        },
    )
    if codes is not None:
        codes.unpersist()
    sold_again = lake.read(spark, CODE_RESALES).filter(F.col("as_of") == F.lit(as_of))
    log.info(
        "code resales: %d sale(s) of repeated codes in %.1fs (over %s)",
        sold_again.count(),
        time.time() - t0,
        how,
    )
    return institution_code_features(ledger, sold_again, as_of, window), person_code_features(sold_again)


# Weeks of own-visit figures kept (a re-run of one of them builds on the week before it); older ones are deleted.
OWN_WEEKS_KEPT = 8
# More changed visits or new fee lines than this since the previous week: recompute everyone (a backfill or a
# rebuilt silver/visit), rather than broadcast their keys.
TOUCHED_KEYS_MAX = 2_000_000


# Columns a derived table still has but the code no longer computes: written as null from then on (earlier weeks
# keep theirs). Anything else missing from a write is an error (a rename or a dropped figure by mistake).
RETIRED = {PSN_OWN: ("first_visit",)}


# Bumped when the computation of a carried own figure changes while its name stays (2026-12-07: chronic-disease
# registrations count whatever their dates): earlier weeks' figures then cannot be carried over, and the first
# week after the upgrade recomputes every person.
OWN_FIGURES_LOGIC = "2026-12-07"


def own_basis(settings: Settings) -> dict[str, str]:
    """What a week's own-visit figures depend on besides the data (their commit records it): a week computed
    with another window, readmission rule or set of figures cannot be built on."""
    f = settings.features
    return {
        "window_days": str(f.window_days),
        "readmit_days": str(f.readmit_days),
        "conflict_minutes": str(f.conflict_minutes),
        "logic": OWN_FIGURES_LOGIC,
        "figures": ",".join(
            [*VISIT_FIGURE_COLUMNS, *DRUG_SUPPLY_COLUMNS, *PATIENT_FIGURE_COLUMNS, *BUY_COLUMNS]
        ),
    }


def previous_own(lake: Lake, as_of: dt.date, settings: Settings) -> dict | None:
    """The commit (history entry) of the newest earlier week of the own figures (``own_tables``), when every
    one of their tables has that week written with the same ``own_basis`` and the lake's versions recorded;
    None otherwise (the first week, changed settings, a table new or lost since)."""
    commits = []
    for name in own_tables(settings):
        if not lake.exists(name):
            return None
        newest = _earlier_weeks(lake, name, as_of)
        if not newest:
            return None
        commits.append(newest[max(newest)])
    basis = own_basis(settings)
    first = commits[0]
    for commit in commits:
        if commit.get("fundwatch.as_of") != first.get("fundwatch.as_of") or any(
            commit.get(f"fundwatch.{k}") != v for k, v in basis.items()
        ):
            return None
    return first if first.get("fundwatch.visit_seen") else None


def _appended_keys(spark, lake: Lake, name: str, then: str | None, column: str):
    """(the ``column`` of the rows appended to a table since version ``then``, their count), ``(None, 0)`` when
    nothing changed, or None when that is unknown (the table was rebuilt, created or dropped since)."""
    now = lake.data_version(name)
    if str(now) == str(then):
        return None, 0
    if now is None or then is None:
        return None
    increment = lake.appended_since(name, int(then))
    if increment is None or increment[1] is None:
        return None
    files, n = increment
    return lake.read_files(spark, name, files).select(column), n


def touched_people(spark, lake: Lake, commit: dict, as_of: dt.date, window_days: int, visits):
    """(psn_no of everyone whose own-visit figures can differ from those of the week ``commit`` wrote, their
    number), or None when that cannot be known and everyone is recomputed.

    A person's own figures read only their own window visits and fee lines and their chronic-disease
    registrations (``features.psn.visit_figures``), so they are touched by: a visit written to silver/visit
    since (``_changed_in`` above the version that week saw: new visits, late settlements, refunds), the person
    a changed visit belonged to then, visits leaving or entering the window as it moves, fee lines and
    registrations appended since. A rebuilt fee list or registry, or more changes than ``TOUCHED_KEYS_MAX``,
    recompute everyone."""
    since = dt.date.fromisoformat(commit["fundwatch.as_of"])
    if CHANGED_IN not in visits.columns:
        return None
    lines = _appended_keys(spark, lake, silver("fee_list"), commit.get("fundwatch.fee_version"), "mdtrt_id")
    regs = _appended_keys(spark, lake, silver("opsp_reg"), commit.get("fundwatch.opsp_version"), "psn_no")
    if lines is None or regs is None or lines[1] > TOUCHED_KEYS_MAX:
        return None
    # one pass over the visits: those written since, and those the window's moving edges take in or out
    moved = F.col("adm_date").between(
        F.lit(window_start(since, window_days)),
        F.lit(window_start(as_of, window_days) - dt.timedelta(days=1)),
    ) | F.col("adm_date").between(F.lit(since + dt.timedelta(days=1)), F.lit(as_of))
    changed = F.col(CHANGED_IN) > int(commit["fundwatch.visit_seen"])
    rows = visits
    if lines[0] is not None:  # visits with fee lines appended since
        lined = lines[0].distinct().withColumn("_lined", F.lit(True))
        rows = visits.join(F.broadcast(lined), "mdtrt_id", "left")
        changed = changed | F.col("_lined").isNotNull()
    near = rows.filter(changed | moved).select("mdtrt_id", "psn_no", changed.alias("_changed")).persist()
    n_changed = near.filter("_changed").count()
    if n_changed > TOUCHED_KEYS_MAX:
        near.unpersist()
        return None
    parts = [near.select("psn_no")]
    if n_changed:
        try:  # the people the changed visits belonged to as that week read them (vacuumed since: unknown)
            before = lake.read(spark, VISIT, version=int(commit["fundwatch.visit_version"]))
            ids = F.broadcast(near.filter("_changed").select("mdtrt_id"))
            parts.append(before.join(ids, "mdtrt_id", "left_semi").select("psn_no").localCheckpoint())
        except Exception as e:  # noqa: BLE001 - any failure to read the old version means: recompute everyone
            log.warning("own figures: silver/visit as of %s is unreadable (%s): everyone", since, e)
            near.unpersist()
            return None
    if regs[0] is not None:
        parts.append(regs[0])
    people = parts[0]
    for p in parts[1:]:
        people = people.unionByName(p)
    people = people.filter(F.col("psn_no").isNotNull()).distinct().persist()
    n = people.count()
    near.unpersist()
    return people, n


def own_tables(settings: Settings) -> dict:
    """The figures that depend on each person's own window rows alone, carried over week to week for the
    people a week did not touch: table → how to compute them from ``WindowInputs``, the registrations and
    the institutions (their counties)."""
    readmit, minutes = settings.features.readmit_days, settings.features.conflict_minutes
    return {
        PSN_OWN: lambda w, opsp, fix: visit_figures(w, readmit, opsp, fix, minutes),
        PSN_DRUG_SUPPLY: lambda w, opsp, fix: drug_supply(w.lines),
        FIX_PATIENTS: lambda w, opsp, fix: patient_figures(w),
        PHARMACY_BUYS: lambda w, opsp, fix: pharmacy_buys(w.lines),
    }


def write_own_figures(
    spark, lake: Lake, settings: Settings, as_of: dt.date, inputs: WindowInputs, opsp, fix, basis: dict, since
) -> dict:
    """The own figures (``own_tables``) of ``as_of``, each written to its table and returned (read back) for
    the feature transforms. ``since``: (the previous week's date, the people touched since: psn_no) to build
    on it (everyone else's rows are carried over), or None to compute everyone. ``basis``: the lake's
    versions the features read (recorded in each commit, for the next week)."""
    meta = {"stage": "features", "as_of": as_of.isoformat(), **own_basis(settings), **basis}
    out = {}
    mine = inputs
    if since is not None:  # the touched people's visits and stays, kept while the figures read them
        some = inputs.of(since[1])
        kept_visits, kept_stays = some.all_visits.persist(), some.stays.persist()
        # (the fee lines are the touched people's already: ``WindowInputs.lines_of``)
        mine = WindowInputs(kept_visits.filter("settled"), kept_visits, kept_stays, inputs.lines)
    for name, compute in own_tables(settings).items():
        t0 = time.time()
        rows = compute(mine, opsp, fix)
        if since is not None:
            kept = (
                lake.read(spark, name)
                .filter(F.col("as_of") == F.lit(since[0]))
                .drop("as_of")
                .join(F.broadcast(since[1]), "psn_no", "left_anti")
                .select(
                    *rows.columns
                )  # a retired figure (RETIRED) stays behind in the table, not in the week
            )
            rows = kept.unionByName(rows)
        lake.write(
            rows.withColumn("as_of", F.lit(as_of)),
            name,
            mode="overwrite",
            partition_by=["as_of"],
            replace=[("as_of", "=", as_of.isoformat())],
            metadata=meta,
            retired_columns=RETIRED.get(name, ()),
        )
        oldest = as_of - dt.timedelta(weeks=OWN_WEEKS_KEPT)
        lake.delete(name, f"as_of < '{oldest.isoformat()}'", metadata={"stage": "features"})
        log.info("%s in %.1fs", name, time.time() - t0)
        out[name] = lake.read(spark, name).filter(F.col("as_of") == F.lit(as_of)).drop("as_of")
    if since is not None:
        kept_visits.unpersist()
        kept_stays.unpersist()
    return out


def run(spark, settings: Settings, as_of: dt.date) -> dict[str, int]:
    lake = Lake(settings.lake)
    for t in ("psn", "fixmedins", "visit", "fee_list"):
        if not lake.exists(silver(t)):
            raise LakeError(f"silver/{t} is missing: ingest a delivery with the {t} table first")
    psn = lake.read(spark, silver("psn"))
    fix = lake.read(spark, silver("fixmedins"))
    # the versions read, for the next week to know what changed since (``touched_people``)
    basis = {
        "visit_version": lake.version(VISIT),
        "fee_version": lake.data_version(silver("fee_list")),
        "opsp_version": lake.data_version(silver("opsp_reg")) if lake.exists(silver("opsp_reg")) else None,
    }
    visits = lake.read(spark, VISIT)
    fees = lake.read(spark, silver("fee_list"))
    if CHANGED_IN in visits.columns:
        basis["visit_seen"] = visits.agg(F.max(CHANGED_IN)).first()[0]
    # optional tables: a delivery without them has nobody registered / no deaths known
    opsp = lake.read(spark, silver("opsp_reg")) if lake.exists(silver("opsp_reg")) else None
    death = lake.read(spark, silver("psn_death")) if lake.exists(silver("psn_death")) else None
    f = settings.features
    basis = {k: v for k, v in basis.items() if v is not None}
    # build on the week before: who can have changed since (None: everyone is computed)
    t0 = time.time()
    previous = previous_own(lake, as_of, settings)
    touched = touched_people(spark, lake, previous, as_of, f.window_days, visits) if previous else None
    since = None if touched is None else (dt.date.fromisoformat(previous["fundwatch.as_of"]), touched[0])
    log.info(
        "own figures of %s (%.1fs)",
        "everyone" if since is None else f"{touched[1]:,d} people touched since {since[0]}",
        time.time() - t0,
    )
    # the window's visits and stays are read by both feature sets: build them once, keep them; the fee lines
    # are read by the own figures alone (everyone's, or the touched people's)
    t0 = time.time()
    inputs = window_inputs(visits, fees, psn, as_of, f.window_days, f.co_adm_tolerance_days)
    if since is not None:
        inputs = inputs.lines_of(since[1])
    inputs = inputs.persist()
    # cached now, so that each step's time below is its own (the first to read them used to pay for the cache)
    n = [df.count() for df in (inputs.all_visits, inputs.stays, inputs.lines)]
    log.info("window: %d visits, %d stays, %d fee lines cached in %.1fs", *n, time.time() - t0)
    members = write_rings(spark, lake, settings, as_of, ring_stays(inputs.stays, psn, fix))
    inst_codes, psn_codes = write_code_resales(spark, lake, settings, as_of, visits)
    own = write_own_figures(spark, lake, settings, as_of, inputs, opsp, fix, basis, since)
    out = {
        FEATURES_PSN: psn_features(
            psn,
            visits,
            fees,
            as_of,
            f.window_days,
            f.readmit_days,
            opsp,
            death,
            inputs=inputs,
            rings=members,
            codes=psn_codes,
            own=own[PSN_OWN],
            supply=own[PSN_DRUG_SUPPLY],
        ),
        FEATURES_FIXMEDINS: fixmedins_features(
            fix,
            psn,
            visits,
            fees,
            as_of,
            f.window_days,
            inputs=inputs,
            swipe_tolerance_minutes=f.swipe_tolerance_minutes,
            codes=inst_codes,
            patients=own[FIX_PATIENTS],
            buys=own[PHARMACY_BUYS],
        ),
    }
    counts = {}
    for name, df in out.items():
        lake.write(
            df,
            name,
            mode="overwrite",
            partition_by=["as_of"],
            replace=[("as_of", "=", as_of.isoformat())],
            metadata={"stage": "features", "as_of": as_of.isoformat()},
            retired_columns=RETIRED.get(name, ()),
        )
        counts[name] = lake.table(name).count()
        log.info("wrote %s for as_of %s", name, as_of)
    inputs.unpersist()
    if since is not None:
        since[1].unpersist()
    return counts
