"""What is scored: per entity type, its feature table, key, feature list, receiving region and peers."""

from __future__ import annotations

from dataclasses import dataclass

from features.fixmedins import FIXMEDINS_FEATURES, PEERS
from features.psn import PSN_FEATURES


@dataclass(frozen=True)
class Entity:
    entity_type: str
    label: str
    key: str
    features: tuple[str, ...]
    admdvs: str  # column naming the region whose regulator receives the clue
    peers: tuple[str, ...]  # like is compared with like within these columns
    model_name: str

    @property
    def reranker_name(self) -> str:
        """The registered re-ranker learned from verified outcomes (``models.reranker``)."""
        return f"{self.model_name}_reranker"

    @property
    def reranker_experiment(self) -> str:
        """The MLflow experiment of the re-ranker's training runs."""
        return f"fundwatch-{self.entity_type}-reranker"


ENTITIES = {
    "psn": Entity(
        "psn",
        "参保人",
        "psn_no",
        tuple(PSN_FEATURES),
        "insuplc_admdvs",
        ("age_band", "insutype"),
        "fundwatch_psn",
    ),
    "fixmedins": Entity(
        "fixmedins",
        "定点医药机构",
        "fixmedins_code",
        tuple(FIXMEDINS_FEATURES),
        "fix_blng_admdvs",
        PEERS,
        "fundwatch_fixmedins",
    ),
}
