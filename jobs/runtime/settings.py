"""One typed configuration: defaults.toml, then an optional file, then FUNDWATCH_* environment, then CLI."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path


def _defaults_text() -> str:
    # importlib.resources also reads it when jobs/ is imported from the spark-submit --py-files zip
    from importlib.resources import files

    return files("jobs").joinpath("defaults.toml").read_text(encoding="utf-8")


@dataclass(frozen=True)
class IngestSettings:
    min_date: str = "1900-01-01"  # dates and times before it are quarantined (out_of_bounds:<column>)
    max_days_ahead: int = 1  # ... and after today + this many days
    max_age_years: int = 120  # birth dates further back than this
    max_columns: int = 2048  # a CSV line with more fields rejects its file
    max_line_bytes: int = 1_048_576  # a CSV line (or one field) longer than this rejects its file

    def suite_parameters(self, today=None) -> dict[str, str]:
        """The expectation suites' date bounds for a run on ``today`` (``jobs.ingest.expectations.suite_parameters``)."""
        import datetime as dt

        from jobs.ingest.expectations import suite_parameters

        return suite_parameters(
            today, dt.date.fromisoformat(self.min_date), self.max_days_ahead, self.max_age_years
        )


@dataclass(frozen=True)
class FeatureSettings:
    window_days: int = 365
    readmit_days: int = 15
    co_adm_tolerance_days: int = 1
    swipe_tolerance_minutes: int = 30
    ring_min_episodes: int = 2
    ring_crowd_cap: int = 30


@dataclass(frozen=True)
class ModelSettings:
    n_estimators: int = 300
    max_samples: int = 512
    random_state: int = 42
    max_train_rows: int = 500_000


@dataclass(frozen=True)
class PublishSettings:
    clues_psn: int = 30
    clues_fixmedins: int = 5
    min_expected_precision: float = 0.2
    max_setl_ids: int = 50
    outbox: str = ""  # where `fundwatch deliver` puts each region's files; empty: <lake>/outbox


@dataclass(frozen=True)
class SparkSettings:
    master: str = ""
    shuffle_partitions: int = 8


@dataclass(frozen=True)
class MaintainSettings:
    target_file_mb: int = 128
    min_small_files: int = 8
    vacuum_retention_hours: int = 720
    staging_hours: float = 24
    max_concurrent_tasks: int = 2


@dataclass(frozen=True)
class Settings:
    lake: Path = Path("lake")
    ingest: IngestSettings = field(default_factory=IngestSettings)
    features: FeatureSettings = field(default_factory=FeatureSettings)
    model: ModelSettings = field(default_factory=ModelSettings)
    publish: PublishSettings = field(default_factory=PublishSettings)
    spark: SparkSettings = field(default_factory=SparkSettings)
    maintain: MaintainSettings = field(default_factory=MaintainSettings)
    # rule thresholds overriding the defaults in models/rules.py: {"P02": {"min_split": 2}}
    rules: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def mlflow_uri(self) -> str:
        return f"sqlite:///{Path(self.lake).resolve() / 'mlflow' / 'mlflow.db'}"

    def as_params(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if hasattr(value, "__dataclass_fields__"):
                out.update({f"{f.name}.{k.name}": getattr(value, k.name) for k in fields(value)})
        for rid, values in sorted(self.rules.items()):
            out.update({f"rules.{rid}.{k}": v for k, v in sorted(values.items())})
        return out


def _merge(base, data: dict):
    updates = {}
    for f in fields(base):
        if f.name not in data:
            continue
        cur = getattr(base, f.name)
        if hasattr(cur, "__dataclass_fields__"):
            updates[f.name] = _merge(cur, data[f.name])
        elif isinstance(cur, dict):  # rule thresholds: merged per rule
            merged = {k: dict(v) for k, v in cur.items()}
            for rid, values in data[f.name].items():
                merged.setdefault(rid, {}).update({k: float(x) for k, x in values.items()})
            updates[f.name] = merged
        else:
            updates[f.name] = type(cur)(data[f.name]) if not isinstance(cur, Path) else Path(data[f.name])
    return replace(base, **updates)


def load_settings(config: str | Path | None = None, lake: str | Path | None = None) -> Settings:
    """Defaults, then ``config``, then environment (FUNDWATCH_LAKE, FUNDWATCH_SPARK_MASTER), then ``lake``."""
    settings = _merge(Settings(), tomllib.loads(_defaults_text()))
    if config:
        settings = _merge(settings, tomllib.loads(Path(config).read_text(encoding="utf-8")))
    env: dict = {}
    if os.environ.get("FUNDWATCH_LAKE"):
        env["lake"] = os.environ["FUNDWATCH_LAKE"]
    if os.environ.get("FUNDWATCH_SPARK_MASTER"):
        env["spark"] = {"master": os.environ["FUNDWATCH_SPARK_MASTER"]}
    settings = _merge(settings, env)
    if lake:
        settings = replace(settings, lake=Path(lake))
    from models.rules import check_overrides

    check_overrides(settings.rules)
    return settings
