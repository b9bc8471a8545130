import numpy as np
import pandas as pd

from models.iforest import fit, model_matrix, r_precision, risk


def test_isolated_entity_scores_highest():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"n_adm": rng.poisson(0.3, 500).astype(float), "mild_share": rng.uniform(0, 0.2, 500)})
    df.loc[7] = [12.0, 0.95]
    model = fit(df, ["n_adm", "mild_share"], n_estimators=100, max_samples=256)
    scores = risk(model, df, ["n_adm", "mild_share"])
    assert int(np.argmax(scores)) == 7


def test_model_matrix_logs_counts_but_not_shares():
    df = pd.DataFrame({"n_adm": [0.0, np.e - 1], "co_adm_share": [0.5, 0.25], "x": [None, 1.0]})
    m = model_matrix(df, ["n_adm", "co_adm_share", "x"])
    assert np.allclose(m[:, 0], [0.0, 1.0]) and np.allclose(m[:, 1], [0.5, 0.25]) and m[0, 2] == 0.0


def test_r_precision():
    assert r_precision(["a", "b", "c", "d"], {"a", "c"}) == 0.5
    assert r_precision(["a", "c", "b"], {"a", "c"}) == 1.0
