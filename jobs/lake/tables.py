"""The lake's layout: every table and folder by name, the one place a stage looks a name up.

A stage never imports another stage for a name: the ingest writes ``LEDGER``, the data-quality page reads
it, and both take the name from here. Layers (``../shared/contract/README.md``):

- ``bronze/<table>``: rows as landed, with the ingest's metadata columns;
- ``quarantine/<table>``: rows that failed validation, with the reason;
- ``silver/<table>``: cleaned, deduplicated, refunds netted; ``silver/visit`` one row per visit;
- ``gold/...``: features, scores, clues; ``meta/...``: the ingest's ledgers and checks;
- ``exports/<as_of>/``: the week's files for people (one folder per region), ``mlflow/``: the tracking store.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def bronze(table: str) -> str:
    return f"bronze/{table}"


def quarantine(table: str) -> str:
    return f"quarantine/{table}"


def silver(table: str) -> str:
    return f"silver/{table}"


VISIT = silver("visit")  # one row per visit, built from silver mdtrt and setl
CHANGED_IN = "_changed_in"  # silver/visit: the table version that last wrote the row
FEEDBACK = silver("clue_feedback")  # what verifiers answered (a contract table like any other)
CODE_SALES = silver("code_sales")  # the code ledger: one row per traceability code on a fee line (issue #20)


def features(entity_type: str) -> str:
    """``gold/features_psn``, ``gold/features_fixmedins``: one partition per as-of date."""
    return f"gold/features_{entity_type}"


FEATURES_PSN = features("psn")
FEATURES_FIXMEDINS = features("fixmedins")
SCORES = "gold/entity_scores"
CLUES = "gold/clues"

# per as_of, what depends on each person's own window rows alone, carried over for the people a week did not
# touch (jobs.build_features.own_tables)
PSN_OWN = "gold/psn_visit_figures"  # per person (features.psn.visit_figures)
FIX_PATIENTS = (
    "gold/fixmedins_patient_figures"  # per institution and patient (features.fixmedins.patient_figures)
)
PSN_DRUG_SUPPLY = (
    "gold/psn_drug_supply"  # per person and drug bought on 3 days or more (features.psn.drug_supply)
)
PHARMACY_BUYS = "gold/pharmacy_buys"  # pharmacy drug purchases, the swipe groups' input (features.fixmedins)
RINGS = "gold/rings"  # suspected groups (团伙) per as_of: size, episodes, institutions, strength …
RING_MEMBERS = "gold/ring_members"  # as_of, ring_id, psn_no
CODE_RESALES = "gold/code_resales"  # per as_of, every sale of the codes sold more than once (features.trace)
LEDGER = "meta/ingest_ledger"  # one row per landed file and its reconciliation
VALIDATION = "meta/validation"  # Great Expectations results per batch
ORPHANS = "meta/orphans"  # referential checks per batch
ORPHAN_ROWS = "meta/orphan_rows"  # every orphan row (check, key, ref): where the next check starts from

PROVINCE = "省级"  # the province's folder in exports and outboxes, and its weekly report's name
EXPORTS = "exports"  # <lake>/exports/<as_of>/<admdvs>/: the week's files for people
OUTBOX = "outbox"  # default of [publish] outbox: <lake>/outbox/<admdvs>/<as_of>/
MLFLOW = "mlflow"  # <lake>/mlflow/: sqlite tracking store and artifacts
GX = "quality"  # <lake>/quality/: the Great Expectations project (validation results, Data Docs)
SCRATCH = "tmp/landing"  # <lake>/tmp/landing/: mended copies of landed files while a batch reads them


def exports_root(lake_root: Path | str) -> Path:
    return Path(lake_root) / EXPORTS


def week_exports(lake_root: Path | str, as_of: dt.date) -> Path:
    """``<lake>/exports/<as_of>``: where publish puts the week and deliver takes it from."""
    return exports_root(lake_root) / as_of.isoformat()


def data_docs_index(lake_root: Path | str) -> Path:
    """The Great Expectations Data Docs of every validated batch (``<lake>/quality/gx/…/index.html``)."""
    return Path(lake_root) / GX / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
