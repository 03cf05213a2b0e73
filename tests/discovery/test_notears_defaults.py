"""NOTEARS defaults: the issue's accuracy bar, refine="auto" and lambda1="auto"."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from skcausal._sem import SufficientStats
from skcausal.datasets import make_linear_sem
from skcausal.discovery import NOTEARS
from skcausal.discovery._base import prefers_equal_variances
from skcausal.discovery._notears import _least_squares_objective, _notears_linear
from skcausal.graph import is_dag, threshold_to_dag
from skcausal.metrics import structural_hamming_distance

PUBLISHED = {"lambda1": 0.1, "w_threshold": 0.3, "refine": False}


def _er2(seed, n_nodes, standardize=False):
    X, W = make_linear_sem(
        n_samples=1000, n_nodes=n_nodes, edges_per_node=2, random_state=seed
    )
    if standardize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, W


def _fit(X, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return NOTEARS(**params).fit(X)


def _shd(n_nodes, seeds, **params):
    values = []
    for seed in seeds:
        X, W = _er2(seed, n_nodes)
        values.append(
            structural_hamming_distance(W, _fit(X, **params).adjacency_matrix_)
        )
    return values


def test_default_meets_the_issue_bar_d10():
    # ER-2, d=10, n=1000, weights +-[0.5, 2], seeds 0-2: the issue asks for a mean SHD
    # <= 3. Measured: default [0, 0, 9] (mean 3.0; on seed 2 the refined graph fails
    # the equal-variance check and the NOTEARS graph is returned), published
    # algorithm [2, 7, 9] (mean 6.0). The default was chosen on seeds 10-29, where it
    # gives a mean of 0.30 against 2.45.
    default = _shd(10, range(3))
    published = _shd(10, range(3), **PUBLISHED)
    print("ER-2 d=10 SHD per seed: default", default, "published", published)
    assert np.mean(default) <= 3
    assert np.mean(default) < np.mean(published)
    assert all(a <= b for a, b in zip(default, published, strict=True))


@pytest.mark.slow
def test_default_meets_the_issue_bar_d20():
    # Measured: default [2, 1, 1] (mean 1.3), published [10, 22, 2] (mean 11.3).
    default = _shd(20, range(3))
    print("ER-2 d=20 SHD per seed: default", default)
    assert np.mean(default) <= 3


def test_published_settings_are_the_published_algorithm():
    # lambda1=0.1, w_threshold=0.3, refine=False: the augmented Lagrangian followed by
    # thresholding, nothing else.
    X, _ = _er2(3, 8)
    model = _fit(X, **PUBLISHED)
    stats = SufficientStats.from_data(X)
    none = np.zeros((8, 8), dtype=bool)
    with threadpool_limits(limits=1, user_api="blas"):  # as fit does at this size
        W, _, _, n_iter = _notears_linear(
            _least_squares_objective(stats),
            8,
            lambda1=0.1,
            max_iter=100,
            h_tol=1e-8,
            rho_max=1e16,
            tol=1e-7,
            forbidden=none,
            required=none,
        )
    np.testing.assert_array_equal(model.adjacency_matrix_, threshold_to_dag(W, 0.3))
    assert model.n_iter_ == n_iter
    assert model.refined_ is False and model.lambda1_ == 0.1


def test_auto_refine_leaves_standardised_data_alone():
    # Standardised columns have unequal noise variances: the BIC prefers per-node
    # variances, the refined graph is dropped and the result is the published one.
    # refine=True would keep it: measured SHD [33, 17, 25] against [21, 17, 23]
    # (default = published) on seeds 0-2.
    shd_default, shd_refined = [], []
    for seed in range(3):
        X, W = _er2(seed, 10, standardize=True)
        default = _fit(X)
        assert default.refined_ is False
        np.testing.assert_array_equal(
            default.adjacency_matrix_, _fit(X, refine=False).adjacency_matrix_
        )
        shd_default.append(structural_hamming_distance(W, default.adjacency_matrix_))
        refined = _fit(X, refine=True).adjacency_matrix_
        shd_refined.append(structural_hamming_distance(W, refined))
    print("standardised ER-2 d=10: default", shd_default, "refine=True", shd_refined)
    assert np.mean(shd_refined) > np.mean(shd_default)


def test_auto_refine_is_kept_on_equal_variance_data():
    X, W = _er2(1, 10)
    default, always = _fit(X), _fit(X, refine=True)
    assert default.refined_ is True and always.refined_ is True
    np.testing.assert_array_equal(default.adjacency_matrix_, always.adjacency_matrix_)
    assert structural_hamming_distance(W, default.adjacency_matrix_) == 0
    assert structural_hamming_distance(W, _fit(X, **PUBLISHED).adjacency_matrix_) == 7


def testprefers_equal_variances():
    X, W = _er2(0, 10)
    stats = SufficientStats.from_data(X)
    assert prefers_equal_variances(W != 0, stats)
    # The same graph on standardised columns: root variances 1, the others much
    # smaller.
    scaled = stats.scaled(1.0 / X.std(axis=0))
    assert not prefers_equal_variances(W != 0, scaled)
    # Equal variances with the edges reversed are not equal any more.
    assert not prefers_equal_variances(W.T != 0, stats)


def test_auto_refine_respects_prior_knowledge():
    X, W = _er2(2, 8)
    i, j = np.argwhere(W != 0)[0]
    a, b = next(
        (int(p), int(q))
        for p, q in np.argwhere((W == 0) & (W.T == 0) & ~np.eye(8, dtype=bool))
    )
    model = _fit(X, forbidden_edges=[(i, j)], required_edges=[(a, b)])
    assert model.adjacency_matrix_[i, j] == 0
    assert model.adjacency_matrix_[a, b] != 0
    assert is_dag(model.adjacency_matrix_)


def test_lambda1_auto_depends_on_the_loss():
    X, _ = _er2(0, 5)
    assert _fit(X).lambda1_ == 0.1
    assert _fit(X, lambda1=0.05).lambda1_ == 0.05
    binary = (X > 0).astype(float)
    assert _fit(binary, loss="logistic").lambda1_ == 0.01
    assert _fit(binary.astype(int), loss="poisson").lambda1_ == 0.01


def test_lambda1_auto_with_partial_fit():
    X, _ = _er2(0, 5)
    model = NOTEARS().partial_fit(X[:500]).partial_fit(X[500:])
    assert model.lambda1_ == 0.1
    full = NOTEARS().fit(X)
    assert model.refined_ == full.refined_
    np.testing.assert_array_equal(
        model.adjacency_matrix_ != 0, full.adjacency_matrix_ != 0
    )
    np.testing.assert_allclose(model.coef_, full.coef_, atol=1e-6)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"refine": "always"}, "refine"),
        ({"lambda1": "large"}, "lambda1"),
        ({"lambda1": -0.1}, "lambda1"),
    ],
)
def test_bad_auto_parameters_raise(params, match):
    X, _ = _er2(0, 4)
    with pytest.raises(ValueError, match=match):
        NOTEARS(**params).fit(X)
