import numpy as np
import pandas as pd

from models.iforest import TRUSTED_TYPES, fit, model_matrix, r_precision, risk, top_reasons


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


def _planted():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {
            "n_adm": rng.poisson(1.0, 800).astype(float),
            "fund_pay_total": rng.gamma(2.0, 500.0, 800),
            "mild_share": rng.uniform(0, 0.3, 800),
        }
    )
    df.loc[3, "n_adm"] = 40.0  # admitted far more often than anyone, everything else ordinary
    df.loc[5, "mild_share"] = 1.0  # every stay a mild one
    return df, fit(df, list(df.columns), n_estimators=200, max_samples=256)


def test_the_forest_names_what_isolated_an_entity():
    df, model = _planted()
    reasons = top_reasons(model, df.loc[[3, 5, 10]], top_k=2)
    assert reasons[0][0][0] == "n_adm" and reasons[1][0][0] == "mild_share"
    assert all(c > 0 for r in reasons for _, c in r)
    # contributions add up to how much shorter than average the entity's isolation path is
    contrib = model.contributions(df.loc[[3]])
    assert contrib.shape == (1, 3) and contrib.sum() > 1.0


def test_the_whole_model_survives_skops_with_its_trusted_types_only():
    import skops.io as sio

    df, model = _planted()
    data = sio.dumps(model)
    assert set(sio.get_untrusted_types(data=data)) <= set(TRUSTED_TYPES)
    loaded = sio.loads(data, trusted=TRUSTED_TYPES)
    assert np.array_equal(loaded.predict(df), model.predict(df))
    # columns are taken by name, not position
    assert np.array_equal(loaded.predict(df[["mild_share", "n_adm", "fund_pay_total"]]), model.predict(df))
