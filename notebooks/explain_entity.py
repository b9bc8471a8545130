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
# # Explain one entity
# For one clue of the newest week (`CLUE_ID`; default: the highest-ranked clue the forest issued alone, else
# the first clue): the evidence the regulator reads, what made the forest isolate the entity (TreeSHAP on
# the champion's isolation paths, `models.iforest.RiskForest.contributions`) against its peers' medians, and
# the settlements the clue lists (masked). Set `FUNDWATCH_LAKE` to a lake (default `./lake`).

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mlflow  # noqa: E402
import pandas as pd  # noqa: E402

from features.catalog import fmt  # noqa: E402
from jobs.lake import Lake  # noqa: E402
from jobs.lake.tables import CLUES, features  # noqa: E402
from jobs.publish.evidence import settlement_details  # noqa: E402
from jobs.runtime.settings import load_settings  # noqa: E402
from jobs.runtime.tracking import use_lake  # noqa: E402
from models.entities import ENTITIES  # noqa: E402

lake_dir = Path(os.environ.get("FUNDWATCH_LAKE", "lake"))
out = Path(os.environ.get("FUNDWATCH_NOTEBOOK_OUT", lake_dir / "notebooks"))
out.mkdir(parents=True, exist_ok=True)
lake = Lake(lake_dir)
clues = lake.read_arrow(CLUES).to_pandas()
clues = clues[clues.as_of == clues.as_of.max()].sort_values(["entity_type", "rank"], ascending=[False, True])
if "CLUE_ID" in os.environ:
    clue = clues[clues.clue_id == os.environ["CLUE_ID"]].iloc[0]
else:
    alone = clues[clues.rules_fired.map(len) == 0]
    clue = (alone if len(alone) else clues).iloc[0]
entity = ENTITIES[clue.entity_type]
print(
    f"{clue.clue_id} ({entity.label} {clue.entity_id}, {clue.admdvs}, rank {clue['rank']}): {clue.clue_types}"
)
print(clue.evidence)

# %% what made the forest isolate it: per feature, how much shorter its isolation path was, and why
use_lake(load_settings(lake=lake_dir))
name, version = clue.model_version.split("+")[0].split("/")
model = mlflow.sklearn.load_model(f"models:/{name}/{version}")
feats = lake.read_arrow(features(entity.entity_type), filters=[("as_of", "=", clue.as_of)]).to_pandas()
me = feats[feats[entity.key].astype(str) == clue.entity_id]
peers = feats.merge(me[list(entity.peers)], on=list(entity.peers))
why = pd.DataFrame(
    {
        "contribution": model.contributions(me)[0],
        "value": [fmt(f, me[f].iloc[0]) for f in entity.features],
        "peer_median": [fmt(f, peers[f].median()) for f in entity.features],
    },
    index=list(entity.features),
).sort_values("contribution", ascending=False)
print("top features (contribution to isolation, value, peers' median):")
print(why.head(8).to_string())

# %%
top = why.head(10).iloc[::-1]
fig, ax = plt.subplots(figsize=(7, 4))
ax.barh(top.index, top.contribution, color=["tab:red" if c > 0 else "tab:gray" for c in top.contribution])
ax.set_xlabel("shorter isolation path (TreeSHAP, path length units)")
ax.set_title(f"{clue.clue_id}: why the forest isolated {clue.entity_id}")
fig.tight_layout()
fig.savefig(out / "explanation.png")

# %% the settlements the clue lists (names and ID numbers masked)
details = settlement_details(lake, list(clue.setl_ids))
print(f"{len(details)} settlement(s) listed")
details.head(20)
