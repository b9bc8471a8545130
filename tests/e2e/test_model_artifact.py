"""The registered forest is the whole model (issue #21): loaded by alias through MLflow's pyfunc it takes the
week's named features and returns the very scores the weekly run wrote; it explains itself, and the clues
it issues alone quote what it found."""

from __future__ import annotations

import numpy as np
import pytest

from jobs.lake import Lake
from jobs.lake.tables import CLUES, SCORES, features

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.mark.parametrize("entity_type", ["psn", "fixmedins"])
def test_the_champion_through_pyfunc_gives_the_weeks_scores(demo, entity_type):
    import mlflow

    from jobs.runtime.settings import load_settings
    from jobs.runtime.tracking import use_lake
    from models.entities import ENTITIES

    _, lake_dir, as_of = demo
    entity = ENTITIES[entity_type]
    use_lake(load_settings(lake=lake_dir))
    model = mlflow.pyfunc.load_model(f"models:/{entity.model_name}@champion")
    assert model.metadata.get_input_schema().input_names() == list(entity.features)
    lake = Lake(lake_dir)
    feats = lake.read_arrow(features(entity_type)).to_pandas()
    feats = feats[feats.as_of == as_of]
    scores = lake.read_arrow(SCORES).to_pandas()
    scores = scores[(scores.as_of == as_of) & (scores.entity_type == entity_type)].set_index("entity_id")
    got = np.asarray(model.predict(feats[list(entity.features)]), dtype=float)
    want = scores.model_score.reindex(feats[entity.key].astype(str)).to_numpy(float)
    assert len(got) == len(scores) > 30
    assert np.allclose(got, want, atol=1e-6)
    run = mlflow.get_run(model.metadata.run_id)
    assert run.inputs.dataset_inputs[0].dataset.name == f"{features(entity_type)}@{as_of}"
    assert run.data.tags["fundwatch.as_of"] == str(as_of)
    assert run.data.tags["fundwatch.lake"] == str(lake_dir.resolve())
    # the week's ranking metrics (the demo's labels) are tied to the logged model, not only to its run
    logged = mlflow.get_logged_model(model.metadata.model_id)
    assert "r_precision" in {m.key for m in logged.metrics}
    assert model.metadata.flavors["sklearn"]["serialization_format"] == "skops"
    assert not list((lake.root / "mlflow").rglob("*.pkl"))  # nothing pickled anywhere in the store


def test_every_clue_carries_a_concrete_reason(demo):
    """A clue no rule fired for quotes the features that isolated the entity, with value and peer median."""
    _, lake_dir, as_of = demo
    clues = Lake(lake_dir).read_arrow(CLUES).to_pandas()
    clues = clues[clues.as_of == as_of]
    assert len(clues) and not clues.evidence.str.contains("模型综合评分异常").any()
    alone = clues[clues.clue_types == "模型综合异常"]
    assert len(alone), "the demo week should issue some clues on the model alone"
    assert alone.evidence.str.contains("【模型异常特征】").all()
    assert alone.evidence.str.contains("同类中位数").all()
