"""Tests for the SortNRegress baseline (skcausal.discovery._sortnregress)."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, lars_path
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcausal.datasets import make_linear_sem
from skcausal.discovery._sortnregress import SortNRegress
from skcausal.graph import is_dag
from skcausal.metrics import structural_hamming_distance


@pytest.fixture(scope="module")
def sem6():
    X, W = make_linear_sem(
        n_samples=1500, n_nodes=6, edges_per_node=1.5, random_state=3
    )
    return X[:1000], X[1000:], W


def _raw_sortnregress(X, penalty):
    """The algorithm written directly on the data matrix (the reference)."""
    n, d = X.shape
    Xc = X - X.mean(axis=0)
    order = np.argsort(Xc.var(axis=0), kind="stable")
    W = np.zeros((d, d))
    for k in range(1, d):
        before, target = order[:k], order[k]
        y = Xc[:, target]
        weight = np.abs(LinearRegression().fit(Xc[:, before], y).coef_)
        Z = Xc[:, before] * weight
        _, _, path = lars_path(Z, y, method="lasso")
        rss = ((y[:, None] - Z @ path) ** 2).sum(axis=0)
        criterion = n * np.log(rss / n) + penalty * np.count_nonzero(path, axis=0)
        W[before, target] = weight * path[:, np.argmin(criterion)]
    return W, order


@pytest.mark.parametrize("criterion", ["bic", "aic"])
def test_matches_raw_data_reference(sem6, criterion):
    X = sem6[0]
    n = X.shape[0]
    expected, order = _raw_sortnregress(X, np.log(n) if criterion == "bic" else 2.0)
    model = SortNRegress(criterion=criterion).fit(X)
    np.testing.assert_array_equal(model.causal_order_, order)
    np.testing.assert_allclose(model.adjacency_matrix_, expected, rtol=1e-7, atol=1e-9)


def test_aic_selects_at_least_as_many_edges_as_bic(sem6):
    X = sem6[0]
    bic = np.count_nonzero(SortNRegress().fit(X).adjacency_matrix_)
    aic = np.count_nonzero(SortNRegress(criterion="aic").fit(X).adjacency_matrix_)
    assert aic >= bic


def test_order_is_by_increasing_variance():
    rng = np.random.default_rng(0)
    x0 = rng.normal(size=500)
    x1 = 2.0 * x0 + rng.normal(size=500)
    x2 = -1.5 * x1 + rng.normal(size=500)
    X = np.column_stack([x2, x0, x1])  # variances: largest, smallest, middle
    model = SortNRegress().fit(X)
    np.testing.assert_array_equal(model.causal_order_, [1, 2, 0])
    truth = np.zeros((3, 3))
    truth[1, 2] = truth[2, 0] = 1
    assert structural_hamming_distance(truth, model.adjacency_matrix_) == 0
    np.testing.assert_allclose(model.coef_[1, 2], 2.0, atol=0.1)


def test_good_on_raw_data_poor_after_standardising():
    # The point of the baseline. ER-2, d=10, n=1000, seeds 0-4. Measured SHD raw
    # [0, 0, 5, 1, 8] (mean 2.8; ten seeds: mean 3.6, the same as the paper's
    # LassoLarsIC recipe on the same data), standardised [27, 24, 25, 28, 22]
    # (mean 25.2), while the empty graph scores about 20.
    raw, standardised = [], []
    for seed in range(5):
        X, W = make_linear_sem(
            n_samples=1000, n_nodes=10, edges_per_node=2, random_state=seed
        )
        raw.append(
            structural_hamming_distance(W, SortNRegress().fit(X).adjacency_matrix_)
        )
        standardised.append(
            structural_hamming_distance(
                W, SortNRegress(standardize=True).fit(X).adjacency_matrix_
            )
        )
    print("SortNRegress SHD raw:", raw, "standardised:", standardised)
    assert np.mean(raw) <= 4
    assert np.mean(standardised) >= 15


def test_fitted_attributes(sem6):
    X, _, W = sem6
    model = SortNRegress().fit(X)
    d = X.shape[1]
    assert model.graph_type_ == "dag"
    assert is_dag(model.adjacency_matrix_)
    assert model.n_features_in_ == d
    assert model.noise_variance_.shape == (d,)
    assert np.ptp(model.noise_variance_) > 0  # per node
    position = np.argsort(model.causal_order_)
    rows, cols = np.nonzero(model.adjacency_matrix_)
    assert np.all(position[rows] < position[cols])
    # coef_ is the least-squares refit on the selected support.
    np.testing.assert_array_equal(model.coef_ != 0, model.adjacency_matrix_ != 0)
    for j in range(d):
        parents = np.flatnonzero(model.adjacency_matrix_[:, j])
        if parents.size:
            reg = LinearRegression().fit(X[:, parents], X[:, j])
            np.testing.assert_allclose(model.coef_[parents, j], reg.coef_, rtol=1e-8)
    lasso = SortNRegress(refit=False).fit(X)
    np.testing.assert_array_equal(lasso.coef_, lasso.adjacency_matrix_)
    E = model.transform(X)
    np.testing.assert_allclose(model.inverse_transform(E), X, atol=1e-10)


def test_w_threshold_drops_small_weights(sem6):
    X = sem6[0]
    model = SortNRegress(w_threshold=1.0).fit(X)
    assert np.all(np.abs(model.adjacency_matrix_[model.adjacency_matrix_ != 0]) > 1.0)


def test_prior_knowledge(sem6):
    X, _, W = sem6
    model = SortNRegress().fit(X)
    order = model.causal_order_
    # Require an edge from the last to the first node of the variance order.
    first, last = int(order[0]), int(order[-1])
    forced = SortNRegress(required_edges=[(last, first)]).fit(X)
    assert forced.adjacency_matrix_[last, first] != 0
    assert is_dag(forced.adjacency_matrix_)
    position = np.argsort(forced.causal_order_)
    assert position[last] < position[first]
    # Forbid every edge the unconstrained fit found.
    found = [tuple(map(int, e)) for e in np.argwhere(model.adjacency_matrix_ != 0)]
    banned = SortNRegress(forbidden_edges=found).fit(X)
    assert not np.any(banned.adjacency_matrix_[model.adjacency_matrix_ != 0])
    np.testing.assert_array_equal(banned.causal_order_, order)
    with pytest.raises(ValueError, match="cycle"):
        SortNRegress(required_edges=[(0, 1), (1, 0)]).fit(X)
    with pytest.raises(ValueError, match="both"):
        SortNRegress(required_edges=[(0, 1)], forbidden_edges=[(0, 1)]).fit(X)


def test_required_edge_with_a_huge_threshold_is_kept(sem6):
    X = sem6[0]
    model = SortNRegress(required_edges=[(0, 1), (2, 1)], w_threshold=100.0).fit(X)
    support = model.adjacency_matrix_ != 0
    assert support[0, 1] and support[2, 1]
    assert support.sum() == 2


def test_dataframe_pipeline_pickle_partial_fit(sem6):
    X, X_test, _ = sem6
    names = [f"v{k}" for k in range(X.shape[1])]
    df = pd.DataFrame(X, columns=names)
    model = SortNRegress(forbidden_edges=[("v0", "v1")]).fit(df)
    assert model.adjacency_matrix_[0, 1] == 0
    assert list(model.get_feature_names_out()) == [f"noise_{n}" for n in names]
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(df), model.predict(df))
    pipe = make_pipeline(StandardScaler(), SortNRegress()).fit(X)
    assert np.isfinite(pipe.score(X_test))
    streamed = SortNRegress()
    for chunk in np.array_split(X, 4):
        streamed.partial_fit(chunk)
    full = SortNRegress().fit(X)
    np.testing.assert_allclose(
        streamed.adjacency_matrix_, full.adjacency_matrix_, rtol=1e-6, atol=1e-9
    )


def test_rejects_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n_features=1"):
        SortNRegress().fit(rng.normal(size=(20, 1)))
    with pytest.raises(ValueError, match="n_samples=1"):
        SortNRegress().fit(rng.normal(size=(1, 3)))
    X = rng.normal(size=(20, 3))
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SortNRegress().fit(X)
    with pytest.raises(ValueError, match="criterion"):
        SortNRegress(criterion="cv").fit(rng.normal(size=(20, 3)))


@pytest.mark.parametrize("n_samples", [2, 3, 8])
def test_few_samples_and_constant_columns_still_give_a_dag(n_samples):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n_samples, 6))
    X[:, 3] = 2.0
    X[:, 4] = X[:, 0] * 3.0  # collinear
    model = SortNRegress().fit(X)
    assert is_dag(model.adjacency_matrix_)
    assert np.all(np.isfinite(model.adjacency_matrix_))
