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
    conflict_minutes: int = 60
    ring_min_episodes: int = 2
    ring_crowd_cap: int = 30
    ring_local_edges: int = 2_000_000


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


class SettingsError(ValueError):
    """A configuration value that cannot be used: names the key and where it came from."""


# What a setting may be (inclusive; None: unbounded): a value outside is refused, not run with.
RANGES: dict[str, tuple[float | None, float | None]] = {
    "ingest.max_days_ahead": (0, None),
    "ingest.max_age_years": (1, 150),
    "ingest.max_columns": (1, None),
    "ingest.max_line_bytes": (1024, None),
    "features.window_days": (1, 3660),
    "features.readmit_days": (1, 365),
    "features.co_adm_tolerance_days": (0, 30),
    "features.swipe_tolerance_minutes": (0, 1440),
    "features.conflict_minutes": (0, 1440),
    "features.ring_min_episodes": (2, None),
    "features.ring_crowd_cap": (2, None),
    "features.ring_local_edges": (0, None),
    "model.n_estimators": (1, 100_000),
    "model.max_samples": (2, None),
    "model.max_train_rows": (100, None),
    "publish.clues_psn": (0, None),
    "publish.clues_fixmedins": (0, None),
    "publish.min_expected_precision": (0, 1),
    "publish.max_setl_ids": (1, None),
    "spark.shuffle_partitions": (1, None),
    "maintain.target_file_mb": (1, None),
    "maintain.min_small_files": (2, None),
    "maintain.vacuum_retention_hours": (0, None),
    "maintain.staging_hours": (0, None),
    "maintain.max_concurrent_tasks": (1, None),
}


def _in_range(value, key: str, source: str):
    lo, hi = RANGES.get(key, (None, None))
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        span = f"between {lo} and {hi}" if lo is not None and hi is not None else f"at least {lo}"
        raise SettingsError(f"{key} in {source} must be {span}, not {value!r}")
    return value


def _value(cur, value, key: str, source: str):
    """``value`` as the type of the setting's default ``cur``, or SettingsError naming ``key`` and ``source``."""
    kind = type(cur)
    ok = (
        (kind is int and isinstance(value, int) and not isinstance(value, bool))
        or (kind is float and isinstance(value, int | float) and not isinstance(value, bool))
        or (kind is bool and isinstance(value, bool))
        or (issubclass(kind, str | Path) and isinstance(value, str))
    )
    if not ok:
        want = {int: "a whole number", float: "a number", bool: "true or false"}.get(kind, "text")
        raise SettingsError(f"{key} in {source} must be {want}, not {value!r}")
    return Path(value) if isinstance(cur, Path) else kind(value)


def _merge(base, data: dict, source: str = "the configuration", prefix: str = ""):
    """``base`` with ``data`` (a parsed TOML table) applied. Unknown sections and keys, and values of the wrong
    type (2.9 where a whole number belongs, text where a number does) raise SettingsError naming the key and
    ``source``; rule thresholds (``[rules.<id>]``) are checked against the rules later (``check_overrides``)."""
    names = {f.name for f in fields(base)}
    unknown = sorted(set(data) - names)
    if unknown:
        where = f"[{prefix.rstrip('.')}]" if prefix else "the top level"
        raise SettingsError(
            f"{', '.join(prefix + k for k in unknown)} in {source}: no such setting in {where}; "
            f"it has {', '.join(sorted(names))}"
        )
    updates = {}
    for f in fields(base):
        if f.name not in data:
            continue
        cur, key = getattr(base, f.name), prefix + f.name
        if hasattr(cur, "__dataclass_fields__"):
            if not isinstance(data[f.name], dict):
                raise SettingsError(f"{key} in {source} must be a section ([{key}]), not {data[f.name]!r}")
            updates[f.name] = _merge(cur, data[f.name], source, key + ".")
        elif isinstance(cur, dict):  # rule thresholds: merged per rule
            merged = {k: dict(v) for k, v in cur.items()}
            for rid, values in data[f.name].items():
                if not isinstance(values, dict):
                    raise SettingsError(f"{key}.{rid} in {source} must be a section ([{key}.{rid}])")
                merged.setdefault(rid, {}).update(
                    {k: _value(0.0, x, f"{key}.{rid}.{k}", source) for k, x in values.items()}
                )
            updates[f.name] = merged
        else:
            updates[f.name] = _in_range(_value(cur, data[f.name], key, source), key, source)
    return replace(base, **updates)


def _from_environment(base: Settings, environ) -> dict:
    """``FUNDWATCH_<SECTION>_<KEY>`` for every setting (``FUNDWATCH_PUBLISH_CLUES_PSN=10``), and
    ``FUNDWATCH_LAKE``; values are parsed as the setting's type."""
    out: dict = {}
    if environ.get("FUNDWATCH_LAKE"):
        out["lake"] = environ["FUNDWATCH_LAKE"]
    for section in fields(base):
        cur = getattr(base, section.name)
        if not hasattr(cur, "__dataclass_fields__"):
            continue
        for f in fields(cur):
            name = f"FUNDWATCH_{section.name}_{f.name}".upper()
            if name not in environ or environ[name] == "":
                continue
            raw, kind = environ[name], type(getattr(cur, f.name))
            try:
                value = (
                    raw
                    if kind is str
                    else (
                        raw.lower() in ("1", "true", "yes")
                        if kind is bool
                        else tomllib.loads(f"v = {raw}")["v"]
                    )
                )
            except tomllib.TOMLDecodeError as exc:
                raise SettingsError(f"{name}={raw!r}: not a value for {section.name}.{f.name}") from exc
            out.setdefault(section.name, {})[f.name] = value
    return out


def load_settings(config: str | Path | None = None, lake: str | Path | None = None) -> Settings:
    """Defaults, then ``config``, then environment (``FUNDWATCH_LAKE`` and ``FUNDWATCH_<SECTION>_<KEY>`` for
    every setting, e.g. ``FUNDWATCH_SPARK_MASTER``, ``FUNDWATCH_PUBLISH_CLUES_PSN``), then ``lake``.

    Raises SettingsError for an unknown section or key, or a value of the wrong type, naming key and source.
    """
    settings = _merge(Settings(), tomllib.loads(_defaults_text()), "jobs/defaults.toml")
    if config:
        try:
            data = tomllib.loads(Path(config).read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{config} is not valid TOML: {exc}") from exc
        settings = _merge(settings, data, str(config))
    settings = _merge(settings, _from_environment(settings, os.environ), "the environment")
    if lake:
        settings = replace(settings, lake=Path(lake))
    from models.rules import check_overrides

    check_overrides(settings.rules)
    return settings
