"""Tests for the NOTEARS estimator (skcausal.discovery.NOTEARS)."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcausal.datasets import make_linear_sem
from skcausal.discovery import NOTEARS
from skcausal.graph import is_dag
from skcausal.metrics import structural_hamming_distance


@pytest.fixture(scope="module")
def sem5():
    """A 5-node ER-1 linear Gaussian SEM: train and held-out data, true weights."""
    X, W = make_linear_sem(n_samples=1500, n_nodes=5, random_state=0)
    return X[:1000], X[1000:], W


@pytest.fixture(scope="module")
def fitted5(sem5):
    return NOTEARS().fit(sem5[0])


def _fit_quietly(estimator, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X)


# The published algorithm (Zheng et al., 2018): the paper's L1 strength and threshold,
# no refinement.
PUBLISHED = {"lambda1": 0.1, "w_threshold": 0.3, "refine": False}


def _shd_over_seeds(n_seeds, refine=False, **sem_kwargs):
    values = []
    for seed in range(n_seeds):
        X, W = make_linear_sem(random_state=seed, **sem_kwargs)
        model = _fit_quietly(NOTEARS(**(PUBLISHED | {"refine": refine})), X)
        values.append(structural_hamming_distance(W, model.adjacency_matrix_))
    return values


# --------------------------------------------------------------------------------------
# Accuracy on graphs with known truth
# --------------------------------------------------------------------------------------
def test_recovers_chain_fork_collider():
    rng = np.random.default_rng(0)
    n = 1000
    a = rng.normal(size=n)
    b = 1.5 * a + rng.normal(size=n)  # chain a -> b -> c
    c = -1.2 * b + rng.normal(size=n)
    d = 0.9 * a + rng.normal(size=n)  # fork b <- a -> d
    e = 1.0 * c - 1.3 * d + rng.normal(size=n)  # collider c -> e <- d
    X = np.column_stack([a, b, c, d, e])
    truth = np.zeros((5, 5))
    truth[0, 1] = truth[1, 2] = truth[0, 3] = truth[2, 4] = truth[3, 4] = 1
    for refine in (False, "auto"):
        model = NOTEARS(refine=refine).fit(X)
        assert structural_hamming_distance(truth, model.adjacency_matrix_) == 0
    np.testing.assert_allclose(model.coef_[0, 1], 1.5, atol=0.1)
    np.testing.assert_allclose(model.coef_[3, 4], -1.3, atol=0.1)
    assert model.converged_


def test_er2_graphs_d10():
    # The published algorithm (refine=False; the default refine="auto" is tested in
    # test_notears_defaults.py).
    # Ten seeds of ER-2, d=10, n=1000, Gaussian equal-variance noise. Measured:
    # [2, 7, 9, 1, 3, 9, 1, 4, 5, 7] (mean 4.8). NOTEARS finds local optima on some
    # seeds: gCastle's NOTEARS gives [2, 7, 10, 2, 3, 1, 1, 4, 10, 7] (mean 4.7) on the
    # same data sets. The empty graph has SHD ~20.
    shd = _shd_over_seeds(10, n_samples=1000, n_nodes=10, edges_per_node=2)
    print("NOTEARS ER-2 d=10 n=1000 SHD per seed:", shd, "mean", np.mean(shd))
    assert np.mean(shd) <= 5.5
    assert np.median(shd) <= 5
    assert max(shd) <= 10


def test_refined_er2_graphs_d10_mean_shd_at_most_2():
    # The foundation's accuracy bar: ER-2, d=10, n=1000, seeds 0-2, mean SHD <= 2.
    # Plain NOTEARS gives [2, 7, 9] there (local optima, mostly reversed edges); the
    # equal-variance BIC hill climb after thresholding gives [0, 0, 5]. Over ten
    # seeds: [0, 0, 5, 1, 0, 10, 0, 0, 2, 0] (mean 1.8) against 4.8 unrefined.
    shd = _shd_over_seeds(3, refine=True, n_samples=1000, n_nodes=10, edges_per_node=2)
    print("NOTEARS(refine=True) ER-2 d=10 n=1000 SHD per seed:", shd)
    assert np.mean(shd) <= 2


@pytest.mark.slow
def test_refined_er2_graphs_d10_ten_seeds():
    shd = _shd_over_seeds(10, refine=True, n_samples=1000, n_nodes=10, edges_per_node=2)
    print("NOTEARS(refine=True) ER-2 d=10, 10 seeds:", shd, "mean", np.mean(shd))
    assert np.mean(shd) <= 2.5


@pytest.mark.slow
def test_refined_er2_graphs_d20():
    # Measured [2, 1, 1] for n=1000 (plain NOTEARS: [10, 22, 2]).
    shd = _shd_over_seeds(3, refine=True, n_samples=1000, n_nodes=20, edges_per_node=2)
    print("NOTEARS(refine=True) ER-2 d=20 n=1000 SHD per seed:", shd)
    assert np.mean(shd) <= 3


def test_refine_respects_prior_knowledge(sem5):
    X, _, W = sem5
    i, j = np.argwhere(W != 0)[0]
    model = NOTEARS(refine=True, forbidden_edges=[(i, j)], required_edges=[(j, i)]).fit(
        X
    )
    assert model.adjacency_matrix_[i, j] == 0
    assert model.adjacency_matrix_[j, i] != 0
    assert is_dag(model.adjacency_matrix_)


def test_er1_graphs_d10():
    shd = _shd_over_seeds(10, n_samples=1000, n_nodes=10, edges_per_node=1)
    print("NOTEARS ER-1 d=10 n=1000 SHD per seed:", shd, "mean", np.mean(shd))
    assert np.mean(shd) <= 1.5
    assert sum(value == 0 for value in shd) >= 5


@pytest.mark.slow
def test_er2_graphs_d20():
    # Measured [10, 19, 2] (mean 10.3) for 41, 50 and 40 true edges; gCastle's NOTEARS
    # gives [8, 18, 2] on the same data sets.
    shd = _shd_over_seeds(3, n_samples=2000, n_nodes=20, edges_per_node=2)
    print("NOTEARS ER-2 d=20 n=2000 SHD per seed:", shd, "mean", np.mean(shd))
    assert np.mean(shd) <= 12.5
    assert min(shd) <= 4


def test_grid_search_with_score_selects_a_good_graph():
    grid = {"lambda1": [0.02, 0.5], "w_threshold": [0.1, 0.4]}
    for seed in range(3):
        X, W = make_linear_sem(
            n_samples=400, n_nodes=6, edges_per_node=2, random_state=seed
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            search = GridSearchCV(NOTEARS(), grid, cv=3, n_jobs=2).fit(X)
            shd_grid = [
                structural_hamming_distance(
                    W, clone(NOTEARS()).set_params(**params).fit(X).adjacency_matrix_
                )
                for params in search.cv_results_["params"]
            ]
        chosen = structural_hamming_distance(
            W, search.best_estimator_.adjacency_matrix_
        )
        print(f"seed {seed}: chosen SHD {chosen}, grid SHD {shd_grid}")
        assert chosen <= np.median(shd_grid)


# --------------------------------------------------------------------------------------
# Fitted attributes and the linear-SEM methods
# --------------------------------------------------------------------------------------
def test_fitted_attributes(fitted5, sem5):
    X, _, W = sem5
    d = X.shape[1]
    model = fitted5
    assert model.adjacency_matrix_.shape == (d, d)
    assert model.graph_type_ == "dag"
    assert is_dag(model.adjacency_matrix_)
    assert model.n_features_in_ == d
    assert model.converged_ is True
    assert 1 <= model.n_iter_ <= model.max_iter
    assert model.noise_variance_.shape == (d,)
    assert np.all(model.noise_variance_ == model.noise_variance_[0])  # pooled
    assert model.noise_variance_[0] == pytest.approx(1.0, abs=0.1)
    np.testing.assert_allclose(model.mean_, X.mean(axis=0))
    position = np.argsort(model.causal_order_)
    rows, cols = np.nonzero(model.adjacency_matrix_)
    assert np.all(position[rows] < position[cols])
    # coef_ has the support of adjacency_matrix_ and is close to the true weights.
    np.testing.assert_array_equal(model.coef_ != 0, model.adjacency_matrix_ != 0)
    np.testing.assert_allclose(model.coef_, W, atol=0.15)


def test_coef_is_least_squares_on_the_parents(fitted5, sem5):
    X = sem5[0]
    model = fitted5
    for j in range(X.shape[1]):
        parents = np.flatnonzero(model.adjacency_matrix_[:, j])
        if parents.size == 0:
            assert model.intercept_[j] == pytest.approx(X[:, j].mean())
            continue
        reg = LinearRegression().fit(X[:, parents], X[:, j])
        np.testing.assert_allclose(model.coef_[parents, j], reg.coef_, rtol=1e-8)
        assert model.intercept_[j] == pytest.approx(reg.intercept_, rel=1e-8)
    np.testing.assert_allclose(
        model.predict(X), X @ model.coef_ + model.intercept_, rtol=1e-12
    )


def test_refit_false_uses_optimiser_weights(sem5):
    model = NOTEARS(refit=False).fit(sem5[0])
    np.testing.assert_array_equal(model.coef_, model.adjacency_matrix_)


def test_transform_inverse_transform_round_trip(fitted5, sem5):
    _, X_test, _ = sem5
    E = fitted5.transform(X_test)
    np.testing.assert_allclose(E, X_test - fitted5.predict(X_test), rtol=1e-12)
    np.testing.assert_allclose(fitted5.inverse_transform(E), X_test, atol=1e-10)
    # The estimated noise is roughly uncorrelated with unit variance.
    corr = np.corrcoef(E, rowvar=False)
    assert np.max(np.abs(corr - np.eye(5))) < 0.15
    with pytest.raises(ValueError, match="expecting 5"):
        fitted5.inverse_transform(E[:, :3])


@given(seed=st.integers(0, 10_000), d=st.integers(2, 6))
@settings(max_examples=20, deadline=None)
def test_round_trip_property(seed, d):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, d)) @ rng.normal(size=(d, d))
    model = _fit_quietly(NOTEARS(max_iter=3, w_threshold=0.0), X)
    np.testing.assert_allclose(
        model.inverse_transform(model.transform(X)),
        X,
        atol=1e-10 * max(1.0, np.abs(X).max()),
    )


def test_score_equals_multivariate_normal_density(fitted5, sem5):
    _, X_test, _ = sem5
    model = fitted5
    d = X_test.shape[1]
    inv = np.linalg.inv(np.eye(d) - model.coef_)
    cov = inv.T @ np.diag(model.noise_variance_) @ inv
    expected = multivariate_normal(model.mean_, cov).logpdf(X_test).mean()
    assert model.score(X_test) == pytest.approx(expected, rel=1e-10)


def test_score_prefers_the_learned_graph_over_the_empty_graph(fitted5, sem5):
    X, X_test, _ = sem5
    empty = NOTEARS(lambda1=100.0, refine=False).fit(X)
    assert not np.any(empty.adjacency_matrix_)
    assert fitted5.score(X_test) > empty.score(X_test) + 0.5
    assert fitted5.bic(X) < empty.bic(X)


def test_bic_formula(fitted5, sem5):
    X = sem5[0]
    n, d = X.shape
    k = np.count_nonzero(fitted5.adjacency_matrix_) + d + 1
    assert fitted5.bic(X) == pytest.approx(
        -2 * n * fitted5.score(X) + k * np.log(n), rel=1e-12
    )


def test_standardize_reports_in_input_units():
    X, _ = make_linear_sem(n_samples=800, n_nodes=5, random_state=1)
    X = X * np.array([1.0, 10.0, 0.1, 3.0, 1.0]) + 5.0
    sd = X.std(axis=0)
    X_std = (X - X.mean(axis=0)) / sd
    model = NOTEARS(standardize=True).fit(X)
    on_std = NOTEARS().fit(X_std)
    ratio = np.outer(1 / sd, sd)
    np.testing.assert_allclose(
        model.adjacency_matrix_, on_std.adjacency_matrix_ * ratio, rtol=1e-6, atol=1e-9
    )
    np.testing.assert_allclose(model.coef_, on_std.coef_ * ratio, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(
        model.noise_variance_, on_std.noise_variance_ * sd**2, rtol=1e-6
    )
    # The score in input units adds the log-scale terms back.
    assert model.score(X) == pytest.approx(
        on_std.score(X_std) - np.log(sd).sum(), rel=1e-6
    )
    np.testing.assert_allclose(model.predict(X), X @ model.coef_ + model.intercept_)


def test_only_sufficient_statistics_matter(sem5):
    X = sem5[0]
    once = NOTEARS().fit(X)
    twice = NOTEARS().fit(np.vstack([X, X]))  # same mean and covariance
    np.testing.assert_allclose(
        twice.adjacency_matrix_, once.adjacency_matrix_, rtol=1e-5, atol=1e-8
    )


# --------------------------------------------------------------------------------------
# Prior knowledge
# --------------------------------------------------------------------------------------
def test_forbidden_edge_is_never_present(sem5):
    X, _, W = sem5
    i, j = np.unravel_index(np.argmax(np.abs(W)), W.shape)  # the strongest true edge
    model = NOTEARS(forbidden_edges=[(int(i), int(j))]).fit(X)
    assert model.adjacency_matrix_[i, j] == 0
    assert model.coef_[i, j] == 0
    assert is_dag(model.adjacency_matrix_)


def test_required_edge_is_always_present(sem5):
    X, _, W = sem5
    pairs = [
        (i, j) for i in range(5) for j in range(5) if i != j and W[i, j] == W[j, i] == 0
    ]
    i, j = pairs[0]
    model = NOTEARS(required_edges=[(i, j)], w_threshold=10.0, refine=False).fit(X)
    support = model.adjacency_matrix_ != 0
    assert support[i, j]
    assert support.sum() == 1  # everything else fell below the huge threshold
    assert is_dag(model.adjacency_matrix_)
    mask = np.zeros((5, 5), dtype=bool)
    mask[i, j] = True
    by_mask = NOTEARS(required_edges=mask, w_threshold=10.0, refine=False).fit(X)
    np.testing.assert_array_equal(by_mask.adjacency_matrix_, model.adjacency_matrix_)


def test_required_edge_against_the_causal_direction_is_kept(sem5):
    X, _, W = sem5
    i, j = np.argwhere(W != 0)[0]
    model = NOTEARS(required_edges=[(int(j), int(i))]).fit(X)
    assert model.adjacency_matrix_[j, i] != 0
    assert model.adjacency_matrix_[i, j] == 0
    assert is_dag(model.adjacency_matrix_)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"required_edges": [(0, 1), (1, 2), (2, 0)]}, "cycle"),
        ({"required_edges": [(0, 1)], "forbidden_edges": [(0, 1)]}, "both"),
        ({"required_edges": [(0, 7)]}, "out of range"),
        ({"forbidden_edges": [(3, 3)]}, "self-loop"),
    ],
)
def test_bad_prior_knowledge_raises(sem5, params, match):
    with pytest.raises(ValueError, match=match):
        NOTEARS(**params).fit(sem5[0])


def test_dataframe_names_label_everything(sem5):
    X = sem5[0]
    names = ["a", "b", "c", "d", "e"]
    df = pd.DataFrame(X, columns=names)
    before = df.copy()
    model = NOTEARS(required_edges=[("b", "e")], forbidden_edges=[("a", "c")]).fit(df)
    pd.testing.assert_frame_equal(df, before)
    np.testing.assert_array_equal(model.feature_names_in_, names)
    assert model.adjacency_matrix_[1, 4] != 0
    assert model.adjacency_matrix_[0, 2] == 0
    assert list(model.get_feature_names_out()) == [f"noise_{name}" for name in names]
    noise = clone(model).set_output(transform="pandas").fit(df).transform(df)
    assert list(noise.columns) == [f"noise_{name}" for name in names]
    with pytest.raises(ValueError, match="unknown node name 'zz'"):
        NOTEARS(required_edges=[("a", "zz")]).fit(df)


def test_default_feature_names_out(fitted5):
    assert list(fitted5.get_feature_names_out()) == [f"noise_x{k}" for k in range(5)]


# --------------------------------------------------------------------------------------
# Input validation, convergence, sklearn integration
# --------------------------------------------------------------------------------------
def test_callers_array_is_not_modified(sem5):
    X = sem5[0].copy()
    before = X.copy()
    NOTEARS(standardize=True).fit(X)
    np.testing.assert_array_equal(X, before)


def test_rejects_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n_features=1"):
        NOTEARS().fit(rng.normal(size=(20, 1)))
    with pytest.raises(ValueError, match="n_samples=1"):
        NOTEARS().fit(rng.normal(size=(1, 3)))
    X = rng.normal(size=(20, 3))
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        NOTEARS().fit(X)
    X[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        NOTEARS().fit(X)
    with pytest.raises(ValueError, match="lambda1"):
        NOTEARS(lambda1=-1.0).fit(rng.normal(size=(20, 3)))


def test_convergence_warning_once_when_max_iter_too_small(sem5):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = NOTEARS(max_iter=1).fit(sem5[0])
    convergence = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(convergence) == 1
    assert "h_tol" in str(convergence[0].message)
    assert model.converged_ is False
    assert model.n_iter_ == 1
    assert is_dag(model.adjacency_matrix_)


def test_pipeline_with_scaler(sem5):
    X, X_test, _ = sem5
    pipe = make_pipeline(StandardScaler(), NOTEARS()).fit(X)
    score = pipe.score(X_test)
    assert np.isfinite(score)
    direct = NOTEARS().fit(pipe[0].transform(X))
    assert score == pytest.approx(direct.score(pipe[0].transform(X_test)), rel=1e-10)


def test_pickle_round_trip(fitted5, sem5):
    X_test = sem5[1]
    restored = pickle.loads(pickle.dumps(fitted5))
    np.testing.assert_array_equal(restored.predict(X_test), fitted5.predict(X_test))
    np.testing.assert_array_equal(restored.transform(X_test), fitted5.transform(X_test))
    assert restored.score(X_test) == fitted5.score(X_test)


def test_verbose_prints_every_outer_iteration(sem5, capsys):
    model = NOTEARS(verbose=1).fit(sem5[0])
    lines = [
        line for line in capsys.readouterr().out.splitlines() if "[NOTEARS]" in line
    ]
    assert len(lines) == model.n_iter_
    assert "h=" in lines[0] and "rho=" in lines[0] and "loss=" in lines[0]
    NOTEARS().fit(sem5[0])
    assert capsys.readouterr().out == ""


def test_methods_need_a_fitted_estimator(sem5):
    from sklearn.exceptions import NotFittedError

    for method in ("predict", "transform", "inverse_transform", "score", "bic"):
        with pytest.raises(NotFittedError):
            getattr(NOTEARS(), method)(sem5[1])


def test_partial_fit_on_chunks_equals_fit(sem5):
    X = sem5[0]
    streamed = NOTEARS()
    for chunk in np.array_split(X, 4):
        streamed.partial_fit(chunk)
    assert streamed.n_samples_seen_ == X.shape[0]
    full = NOTEARS().fit(X)
    np.testing.assert_allclose(
        streamed.adjacency_matrix_, full.adjacency_matrix_, rtol=1e-5, atol=1e-8
    )
    np.testing.assert_allclose(streamed.coef_, full.coef_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(streamed.mean_, full.mean_, rtol=1e-12)
    with pytest.raises(ValueError, match="features"):
        streamed.partial_fit(X[:, :3])
    # fit starts afresh.
    assert NOTEARS().fit(X[:100]).n_samples_seen_ == 100


@pytest.mark.parametrize("refit", [True, False])
def test_required_edge_into_a_constant_column_stays_an_edge(refit):
    # The edge 0 -> 2 has zero weight in the optimiser and in the refit (column 2 is
    # constant): it is still reported, with the smallest positive weight.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    X[:, 2] = 5.0
    model = NOTEARS(required_edges=[(0, 2)], refit=refit).fit(X)
    assert model.adjacency_matrix_[0, 2] != 0
    assert is_dag(model.adjacency_matrix_)
    assert np.all(model.noise_variance_ > 0)
    assert np.isfinite(model.score(X))
