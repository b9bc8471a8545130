# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---


# %% [markdown]
# # Drift: are this week's entities the ones the forest learned?
# Compares the newest week's features and risk scores with (1) what the champion forest was trained on, as
# its MLflow run recorded it (the feature table's path, Delta version and week: `mlflow.log_input`), and
# (2) the week before, when the lake has one: the population stability index per column
# (`models.drift`; ≥ 0.10 worth a look, ≥ 0.25 a shift that moves the scores: the province's weekly report
# lists the same week-over-week table). `ENTITY` = psn (default) or fixmedins.

# %%
import datetime as dt
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mlflow  # noqa: E402
import pandas as pd  # noqa: E402
from deltalake import DeltaTable  # noqa: E402
from mlflow import MlflowClient  # noqa: E402

from jobs.lake import Lake  # noqa: E402
from jobs.lake.tables import SCORES, features  # noqa: E402
from jobs.publish.drift import previous_week  # noqa: E402
from jobs.runtime.settings import load_settings  # noqa: E402
from jobs.runtime.tracking import use_lake  # noqa: E402
from models.drift import WARN, WATCH, drift_table  # noqa: E402
from models.entities import ENTITIES  # noqa: E402

lake_dir = Path(os.environ.get("FUNDWATCH_LAKE", "lake"))
out = Path(os.environ.get("FUNDWATCH_NOTEBOOK_OUT", lake_dir / "notebooks"))
out.mkdir(parents=True, exist_ok=True)
entity = ENTITIES[os.environ.get("ENTITY", "psn")]
lake = Lake(lake_dir)
name = features(entity.entity_type)
cols = list(entity.features)
as_of = max(dt.date.fromisoformat(p["as_of"]) for p in lake.table(name).partitions())
now = lake.read_arrow(name, cols, filters=[("as_of", "=", as_of)]).to_pandas()

# %% (1) against the champion's training data, read back at the Delta version it was trained on
use_lake(load_settings(lake=lake_dir))
champion = MlflowClient().get_model_version_by_alias(entity.model_name, "champion")
dataset = mlflow.get_run(champion.run_id).inputs.dataset_inputs[0].dataset
source = mlflow.data.get_source(dataset)
trained_week = dt.date.fromisoformat(dataset.name.rsplit("@", 1)[1])
trained = (
    DeltaTable(source.path, version=source.delta_table_version)
    .to_pyarrow_table(columns=cols, filters=[("as_of", "=", trained_week)])
    .to_pandas()
)
vs_training = drift_table(trained, now, cols)
print(
    f"{entity.model_name} v{champion.version} trained on {dataset.name} (Delta v{source.delta_table_version})"
)
print(
    f"PSI against training, {as_of}: {(vs_training.psi >= WARN).sum()} warn, {(vs_training.psi >= WATCH).sum()} watch"
)
print(vs_training.head(8).to_string())

# %% (2) week over week, the model's inputs and its output
before = previous_week(lake, name, as_of)
if before is None:
    print("no earlier week in the lake: week-over-week drift starts next week")
    vs_week = None
else:
    prev = lake.read_arrow(name, cols, filters=[("as_of", "=", before)]).to_pandas()
    vs_week = drift_table(prev, now, cols)
    score = [("entity_type", "=", entity.entity_type)]
    scores = [
        lake.read_arrow(SCORES, ["risk_score"], filters=[("as_of", "=", w), *score]).to_pandas()
        for w in (before, as_of)
    ]
    vs_week = pd.concat([drift_table(*scores, ["risk_score"]), vs_week], ignore_index=True)
    print(f"PSI {before} → {as_of}:")
    print(vs_week.head(8).to_string())

# %%
fig, axes = plt.subplots(1, 2 if vs_week is not None else 1, figsize=(11, 4), squeeze=False)
for ax, (title, table) in zip(
    axes[0], [("vs training", vs_training), ("vs week before", vs_week)], strict=False
):
    top = table.head(12).iloc[::-1]
    ax.barh(
        top.column,
        top.psi,
        color=["tab:red" if p >= WARN else "tab:orange" if p >= WATCH else "tab:gray" for p in top.psi],
    )
    ax.axvline(WATCH, ls=":", c="k")
    ax.axvline(WARN, ls="--", c="k")
    ax.set_title(f"{entity.entity_type} {as_of}: PSI {title}")
fig.tight_layout()
fig.savefig(out / "drift_psi.png")
