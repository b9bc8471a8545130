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
# # Explore features and scores of a fundwatch lake
# Reads `gold/features_*` and `gold/entity_scores` with delta-rs (no Spark needed): the score distribution,
# the features that separate the top-ranked entities, the features by peer group (what the evidence
# compares an entity with) and the top of each region's list. Set `FUNDWATCH_LAKE` to a lake
# (default `./lake`, the one `make demo` writes). Open with `jupytext --to ipynb` or run as a script.

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from deltalake import DeltaTable  # noqa: E402

lake = Path(os.environ.get("FUNDWATCH_LAKE", "lake"))
out = Path(os.environ.get("FUNDWATCH_NOTEBOOK_OUT", lake / "notebooks"))
out.mkdir(parents=True, exist_ok=True)
scores = DeltaTable(str(lake / "gold/entity_scores")).to_pandas()
as_of = scores.as_of.max()
scores = scores[scores.as_of == as_of]
print(f"as of {as_of}: {len(scores)} entities scored")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
for ax, (et, g) in zip(axes, scores.groupby("entity_type"), strict=True):
    ax.hist(g.risk_score, bins=40)
    ax.set_title(f"{et}: risk_score (n={len(g)})")
    ax.set_yscale("log")
fig.tight_layout()
fig.savefig(out / "risk_score_hist.png")

# %%
psn = DeltaTable(str(lake / "gold/features_psn")).to_pandas()
psn = psn[psn.as_of == as_of].merge(
    scores[scores.entity_type == "psn"], left_on="psn_no", right_on="entity_id"
)
top = psn["rank"] <= max(20, int(len(psn) * 0.01))
feats = ["n_adm", "n_adm_mild", "n_readmit", "co_adm_stays", "amt_peak_stays", "rx_supply_ratio"]
summary = pd.DataFrame({"top_ranked_mean": psn[top][feats].mean(), "others_mean": psn[~top][feats].mean()})
print(summary)
ax = summary.plot.bar(figsize=(8, 3.5), logy=True, title="person features: top-ranked vs others")
ax.figure.tight_layout()
ax.figure.savefig(out / "psn_feature_contrast.png")

# %% features by peer group: the medians the evidence quotes as 同类中位数
from models.entities import ENTITIES  # noqa: E402

entity = ENTITIES["psn"]
by_peer = psn.groupby(list(entity.peers))[feats].median()
by_peer.insert(0, "persons", psn.groupby(list(entity.peers)).size())
print(by_peer.to_string())

# %% the top of each region's list: what its regulator would work down from
top_by_region = (
    scores.sort_values("rank")
    .groupby("admdvs")
    .head(5)[["admdvs", "entity_type", "entity_id", "rank", "risk_score", "evidence_tier", "rules_fired"]]
)
print(top_by_region.to_string(index=False))
tiers = scores.pivot_table(
    index="admdvs", columns="evidence_tier", values="entity_id", aggfunc="count"
).fillna(0)
ax = tiers.plot.bar(stacked=True, logy=True, figsize=(8, 3.5), title="entities by region and evidence tier")
ax.figure.tight_layout()
ax.figure.savefig(out / "tiers_by_region.png")
