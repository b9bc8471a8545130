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
# # Draw one fraud ring (团伙)
# Reads `gold/rings`, `gold/ring_members` and the members' stays in `silver/visit` with delta-rs (no Spark
# needed) and draws the strongest ring of the newest week: each member's hospital stays on a timeline,
# coloured by institution, so the occasions they came and went together stand out. Set `FUNDWATCH_LAKE` to
# a lake (default `./lake`, the one `make demo` writes); `RING_ID` picks another ring. Only IDs are shown:
# the lake's own codes, never names or ID numbers.

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
from deltalake import DeltaTable  # noqa: E402

lake = Path(os.environ.get("FUNDWATCH_LAKE", "lake"))
out = Path(os.environ.get("FUNDWATCH_NOTEBOOK_OUT", lake / "notebooks"))
out.mkdir(parents=True, exist_ok=True)
rings = DeltaTable(str(lake / "gold/rings")).to_pandas()
as_of = rings.as_of.max()
rings = rings[rings.as_of == as_of].sort_values("strength", ascending=False)
ring = rings[rings.ring_id == os.environ["RING_ID"]].iloc[0] if "RING_ID" in os.environ else rings.iloc[0]
print(
    f"as of {as_of}: {len(rings)} groups; ring {ring.ring_id}: {ring['size']} members, {ring.episodes} occasions "
    f"at {ring.institutions} institution(s), strength {ring.strength:.2f}"
)
print(ring.occasions)

# %%
members = DeltaTable(str(lake / "gold/ring_members")).to_pandas()
members = sorted(members[(members.as_of == as_of) & (members.ring_id == ring.ring_id)].psn_no)
visits = DeltaTable(str(lake / "silver/visit")).to_pyarrow_dataset()
stays = visits.to_table(
    columns=["psn_no", "fixmedins_code", "adm_date", "dscg_date", "dise_codg"],
    filter=pc.field("psn_no").isin(members) & (pc.field("is_inpatient") == True),  # noqa: E712
).to_pandas()
print(f"{len(stays)} stays of the {len(members)} members")

# %%
insts = sorted(stays.fixmedins_code.unique())
colour = {c: plt.cm.tab10(i % 10) for i, c in enumerate(insts)}
fig, ax = plt.subplots(figsize=(10, 0.5 * len(members) + 1.5))
for y, p in enumerate(members):
    for s in stays[stays.psn_no == p].itertuples():
        ax.barh(
            y,
            (s.dscg_date - s.adm_date).days + 1,
            left=s.adm_date,
            color=colour[s.fixmedins_code],
            height=0.6,
        )
ax.set_yticks(range(len(members)), members)
ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=colour[c]) for c in insts], labels=insts, loc="upper left",
          bbox_to_anchor=(1.0, 1.0), title="institution")  # fmt: skip
ax.set_title(f"ring {ring.ring_id}: hospital stays of its members")
fig.tight_layout()
fig.savefig(out / "ring.png")
