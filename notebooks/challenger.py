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
# # Challenge the champion forest
# Trains a variant of the isolation forest on the newest week's features (other parameters: set
# `N_ESTIMATORS`, `MAX_SAMPLES`), logs it to the lake's MLflow store and registers it as `challenger`, then
# compares it with the champion on what a week would have issued: the same rules and tiers, each forest's
# score inside them (`models.rules.risk_score`). Measured on the generator's labels when `FUNDWATCH_LABELS`
# names a labels.csv, and on verifiers' outcomes (查实 vs 不属实) when the lake has any: precision in the top
# k and the overlap of the two top-k lists. With `PROMOTE=1` a challenger that is at least as good on every
# measure becomes champion: the next `fundwatch score` uses it. `ENTITY` = psn (default) or fixmedins.

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mlflow  # noqa: E402
import pandas as pd  # noqa: E402
from mlflow import MlflowClient  # noqa: E402

from jobs.lake import Lake  # noqa: E402
from jobs.lake.outcomes import verified_entities  # noqa: E402
from jobs.lake.tables import SCORES, features  # noqa: E402
from jobs.runtime.settings import load_settings  # noqa: E402
from jobs.runtime.tracking import configure, register, run_tags  # noqa: E402
from jobs.train import training_input  # noqa: E402
from models.entities import ENTITIES  # noqa: E402
from models.iforest import ARTIFACT, TRUSTED_TYPES, fit  # noqa: E402
from models.reranker import precision_at_k  # noqa: E402
from models.rules import risk_score  # noqa: E402

lake_dir = Path(os.environ.get("FUNDWATCH_LAKE", "lake"))
out = Path(os.environ.get("FUNDWATCH_NOTEBOOK_OUT", lake_dir / "notebooks"))
out.mkdir(parents=True, exist_ok=True)
entity = ENTITIES[os.environ.get("ENTITY", "psn")]
settings = load_settings(lake=lake_dir)
lake = Lake(lake_dir)
scores = lake.read_arrow(SCORES, filters=[("entity_type", "=", entity.entity_type)]).to_pandas()
as_of = scores.as_of.max()
scores = scores[scores.as_of == as_of].set_index("entity_id")
feats = lake.read_arrow(features(entity.entity_type), filters=[("as_of", "=", as_of)]).to_pandas()
feats = feats.set_index(feats[entity.key].astype(str)).loc[scores.index]
print(f"{entity.entity_type} as of {as_of}: {len(feats)} entities, champion {scores.model_version.iloc[0]}")

# %% train and log the challenger
params = {
    "n_estimators": int(os.environ.get("N_ESTIMATORS", 600)),
    "max_samples": int(os.environ.get("MAX_SAMPLES", 256)),
    "random_state": settings.model.random_state,
}
configure(settings, f"fundwatch-{entity.entity_type}")
mlflow.start_run(run_name=f"challenger-{entity.entity_type}-{as_of}", tags=run_tags("challenger", settings, as_of))
mlflow.log_params({**params, "as_of": str(as_of), "entity_type": entity.entity_type})
sample = feats.sample(min(len(feats), settings.model.max_train_rows), random_state=params["random_state"])
mlflow.log_input(training_input(lake, entity, sample, as_of), context="training")
challenger = fit(sample, entity.features, **params)
x = sample.head(5)[list(entity.features)]
tags = {"features": ",".join(entity.features), "as_of": str(as_of), "artifact": ARTIFACT}
version = register(challenger, entity.model_name, "model", x, challenger.predict(x), tags, TRUSTED_TYPES)
MlflowClient().set_registered_model_alias(entity.model_name, "challenger", version)

# %% the week each forest would have ranked: the rules' tiers and strengths stay, the forest's score moves
week = pd.DataFrame(
    {
        "champion": risk_score(scores.evidence_tier, scores.rule_score, scores.model_score),
        "challenger": risk_score(scores.evidence_tier, scores.rule_score, challenger.predict(feats)),
    },
    index=scores.index,
)
measures = {}
truth = {}
labels_path = os.environ.get("FUNDWATCH_LABELS")
if labels_path and Path(labels_path).exists():
    labels = pd.read_csv(labels_path, dtype=str)
    positives = set(labels[labels.entity_type == entity.entity_type].entity_id)
    truth["labels"] = week.index.isin(positives).astype(int)
verified = verified_entities(lake, as_of)
verified = verified[verified.entity_type == entity.entity_type].set_index("entity_id")
if verified.confirmed.nunique() == 2:  # ranked among the verified entities only
    truth["outcomes"] = verified.confirmed.reindex(week.index)
for source, y in truth.items():
    y = pd.Series(y, index=week.index).dropna().astype(int)
    k = int(y.sum())
    for arm in week:
        measures[f"{source}_precision_at_k.{arm}"] = precision_at_k(
            week[arm].loc[y.index].to_numpy(), y.to_numpy(), k
        )
    top = {arm: set(week[arm].loc[y.index].nlargest(k).index) for arm in week}
    measures[f"{source}_top_k_overlap"] = len(top["champion"] & top["challenger"]) / max(k, 1)
mlflow.log_metrics(measures)
mlflow.end_run()
print(pd.Series(measures, dtype=float).round(3).to_string())

# %% promote when it is at least as good everywhere it was measured
better = bool(truth) and all(
    measures[f"{s}_precision_at_k.challenger"] >= measures[f"{s}_precision_at_k.champion"] for s in truth
)
if better and os.environ.get("PROMOTE") == "1":
    MlflowClient().set_registered_model_alias(entity.model_name, "champion", version)
print(
    f"challenger {entity.model_name} v{version}: {'better' if better else 'not better'}; "
    f"champion is v{MlflowClient().get_model_version_by_alias(entity.model_name, 'champion').version}"
)

# %%
fig, ax = plt.subplots(figsize=(5, 5))
ax.scatter(scores.model_score, challenger.predict(feats), s=4, alpha=0.4)
ax.set_xlabel("champion model_score")
ax.set_ylabel("challenger model_score")
ax.set_title(f"{entity.entity_type} {as_of}: the two forests")
fig.tight_layout()
fig.savefig(out / "challenger_vs_champion.png")
