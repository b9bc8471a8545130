"""Great Expectations suites: generated from the contract, versioned in ``expectations/``, run per batch.

The same suite drives two things, so they cannot drift apart:

* GX validates every landed batch and the result is kept in the lake (``meta/validation``);
* each row-level expectation is translated into a Spark predicate that names the failing rows, which
  go to ``quarantine/<table>`` with the expectation's reason code.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
from pathlib import Path

from jobs.ingest.contract import TABLES, Table

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def _suites_dir() -> Path:
    """Where the suites are: the ``expectations`` package's data (an installed wheel carries them), or the
    checkout's folder when only the checkout is on the path (``PYTHONPATH``, a ``spark-submit`` zip)."""
    spec = importlib.util.find_spec("expectations")
    if spec is not None and spec.origin and (Path(spec.origin).parent / "psn.json").exists():
        return Path(spec.origin).parent
    return Path(__file__).resolve().parents[2] / "expectations"


EXPECTATIONS_DIR = _suites_dir()


def suite_dict(table: Table) -> dict:
    """The expectation suite of one contract table, as GX's JSON form."""
    exps: list[dict] = []

    def add(type_: str, reason: str, **kwargs):
        exps.append({"type": type_, "kwargs": kwargs, "meta": {"reason": reason}})

    for col in table.columns:
        if col.required:
            add("expect_column_values_to_not_be_null", f"missing:{col.name}", column=col.name)
        if col.codes:
            add(
                "expect_column_values_to_be_in_set",
                f"not_in_code_set:{col.name}",
                column=col.name,
                value_set=list(col.codes),
            )
        if col.pattern:
            add(
                "expect_column_values_to_match_regex",
                f"bad_format:{col.name}",
                column=col.name,
                regex=col.pattern,
            )
        bounds = col.value_bounds
        if bounds is not None:
            lo, hi = (v if not isinstance(v, str) else {"$PARAMETER": v} for v in bounds)
            add(
                "expect_column_values_to_be_between",
                f"out_of_bounds:{col.name}",
                column=col.name,
                **({"min_value": lo} if lo is not None else {}),
                **({"max_value": hi} if hi is not None else {}),
            )
    for a, b in table.ordered:
        add(
            "expect_column_pair_values_a_to_be_greater_than_b",
            f"{a}_before_{b}",
            column_A=a,
            column_B=b,
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        )
    return {
        "name": f"fundwatch.{table.name}",
        "expectations": exps,
        "meta": {
            "contract_table": table.name,
            "key": list(table.key),
            "generated_by": "fundwatch expectations",
        },
    }


def write_suites(directory: Path = EXPECTATIONS_DIR) -> list[Path]:
    """Regenerate ``expectations/<table>.json`` from the contract."""
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for table in TABLES.values():
        path = directory / f"{table.name}.json"
        path.write_text(json.dumps(suite_dict(table), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        out.append(path)
    return out


def load_suite_dict(table: str, directory: Path = EXPECTATIONS_DIR) -> dict:
    path = directory / f"{table}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"no expectation suite for table {table!r} at {path} (run `fundwatch expectations`)"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def suite_parameters(
    today: dt.date | None = None,
    min_date: dt.date = dt.date(1900, 1, 1),
    max_days_ahead: int = 1,
    max_age_years: int = 120,
) -> dict[str, str]:
    """Values of the suites' ``$PARAMETER`` bounds for a run on ``today`` (default: the real today).

    Dates and times from ``min_date`` to ``today + max_days_ahead`` (a settlement dated 9999-12-31 would
    otherwise become the default as-of); birth dates at most ``max_age_years`` before today.
    """
    today = today or dt.date.today()
    latest = today + dt.timedelta(days=max_days_ahead)
    try:
        oldest_birth = today.replace(year=today.year - max_age_years)
    except ValueError:  # 29 February
        oldest_birth = today.replace(year=today.year - max_age_years, day=28)
    return {
        "min_date": min_date.isoformat(),
        "max_date": latest.isoformat(),
        "min_time": f"{min_date.isoformat()} 00:00:00",
        "max_time": f"{latest.isoformat()} 23:59:59",
        "min_birth_date": max(oldest_birth, min_date).isoformat(),
    }


def _resolve(value, params: dict[str, str]):
    if isinstance(value, dict) and "$PARAMETER" in value:
        name = value["$PARAMETER"]
        if name not in params:
            raise KeyError(
                f"suite parameter {name!r} has no value (see jobs.ingest.expectations.suite_parameters)"
            )
        return params[name]
    return value


def failure_predicates(suite: dict, params: dict[str, str] | None = None) -> list[tuple[str, object]]:
    """(reason, Spark Column that is true where a row fails) for every row-level expectation.

    ``params`` resolves the suite's ``$PARAMETER`` bounds (default: ``suite_parameters()``).
    """
    from pyspark.sql import functions as F

    params = suite_parameters() if params is None else params
    out = []
    for exp in suite["expectations"]:
        kw, reason, kind = exp["kwargs"], exp["meta"]["reason"], exp["type"]
        if kind == "expect_column_values_to_not_be_null":
            cond = F.col(kw["column"]).isNull()
        elif kind == "expect_column_values_to_be_in_set":
            c = F.col(kw["column"])
            cond = c.isNotNull() & ~c.isin(list(kw["value_set"]))
        elif kind == "expect_column_values_to_match_regex":
            c = F.col(kw["column"])
            cond = c.isNotNull() & ~c.rlike(kw["regex"])
        elif kind == "expect_column_pair_values_a_to_be_greater_than_b":
            a, b = F.col(kw["column_A"]), F.col(kw["column_B"])
            cond = a.isNotNull() & b.isNotNull() & ((a < b) if kw.get("or_equal") else (a <= b))
        elif kind == "expect_column_values_to_be_between":
            c, cond = F.col(kw["column"]), F.lit(False)
            if kw.get("min_value") is not None:
                cond = cond | (c < F.lit(_resolve(kw["min_value"], params)))
            if kw.get("max_value") is not None:
                cond = cond | (c > F.lit(_resolve(kw["max_value"], params)))
            cond = c.isNotNull() & cond
        else:
            raise ValueError(
                f"expectation {kind!r} has no row-level translation; add one in jobs/ingest/expectations.py"
            )
        out.append((reason, cond))
    return out


# Counts only: GX would otherwise keep up to 20 failing values per expectation in its stored results and
# render them, unescaped, into the Data Docs linked from the province's data-quality report: ID numbers,
# names and addresses, or a ``<script>`` landed in any column. The failing rows themselves, with their raw
# text, are in quarantine/<table>, which only people with access to the lake read.
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 0, "include_unexpected_rows": False}


def validate(
    df, suite: dict, batch_id: str, gx_root: Path | None = None, params: dict[str, str] | None = None
) -> dict:
    """Run the suite on a Spark DataFrame with Great Expectations; return the JSON-able result.

    With ``gx_root`` a file-mode GX project there keeps every validation result and renders them as Data
    Docs (``<gx_root>/gx/uncommitted/data_docs/local_site/index.html``); without, nothing is written.
    Results carry counts, never the failing values (``RESULT_FORMAT``). ``params`` as in
    ``failure_predicates``.
    """
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if gx_root is None:
        context = gx.get_context(mode="ephemeral")
    else:
        gx_root.mkdir(parents=True, exist_ok=True)
        context = gx.get_context(mode="file", project_root_dir=str(gx_root))
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    gx_suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=suite["name"], expectations=suite["expectations"], meta=suite.get("meta"))
    )
    source = context.data_sources.add_or_update_spark(name="landing")
    try:
        asset = source.get_asset(suite["name"])
    except LookupError:
        asset = source.add_dataframe_asset(name=suite["name"])
    try:
        batch_def = asset.get_batch_definition("batch")
    except KeyError:
        batch_def = asset.add_batch_definition_whole_dataframe("batch")
    vdef = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite["name"], data=batch_def, suite=gx_suite)
    )
    actions = [UpdateDataDocsAction(name="data_docs")] if gx_root is not None else []
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=suite["name"], validation_definitions=[vdef], actions=actions, result_format=RESULT_FORMAT
        )
    )
    result = checkpoint.run(
        batch_parameters={"dataframe": df},
        expectation_parameters=suite_parameters() if params is None else params,
        run_id=None,
    )
    (one,) = result.run_results.values()
    out = one.to_json_dict()
    out.setdefault("meta", {})["fundwatch_batch_id"] = batch_id
    return out


def summarize(result: dict) -> list[dict]:
    """One row per expectation: reason, success, unexpected count, element count."""
    rows = []
    for r in result.get("results", []):
        cfg = r["expectation_config"]
        res = r.get("result") or {}
        rows.append(
            {
                "reason": (cfg.get("meta") or {}).get("reason", cfg["type"]),
                "expectation": cfg["type"],
                "success": bool(r["success"]),
                "unexpected_count": int(res.get("unexpected_count") or 0),
                "element_count": int(res.get("element_count") or 0),
            }
        )
    return rows
