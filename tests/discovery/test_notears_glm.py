"""Tests for NOTEARS with the logistic and Poisson losses (``NOTEARS(loss=...)``)."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from scipy.stats import bernoulli, poisson
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skcausal.datasets import make_dag
from skcausal.discovery import NOTEARS
from skcausal.graph import is_dag, topological_order
from skcausal.metrics import structural_hamming_distance


def _make_glm_sem(n_samples, n_nodes, family, weight_range, seed, intercept=0.0):
    """Simulate a logistic (0/1) or Poisson (count) SEM in topological order.

    ``x_j ~ Bernoulli(sigmoid(b + x W[:, j]))`` or ``Poisson(exp(b + x W[:, j]))`` on
    an ER-1 DAG with weights uniform in +-weight_range (random signs).
    """
    rng = np.random.default_rng(seed)
    B = make_dag(n_nodes, edges_per_node=1.0, random_state=seed)
    signs = rng.choice([-1.0, 1.0], size=B.shape)
    W = B * rng.uniform(*weight_range, size=B.shape) * signs
    X = np.zeros((n_samples, n_nodes))
    for j in topological_order(B):
        linear = intercept + X @ W[:, j]
        if family == "logistic":
            X[:, j] = rng.binomial(1, expit(linear))
        else:
            X[:, j] = rng.poisson(np.exp(np.minimum(linear, 30.0)))
    return X, W


@pytest.fixture(scope="module")
def binary6():
    X, W = _make_glm_sem(2000, 6, "logistic", (0.5, 2.0), seed=1)
    return X, W, NOTEARS(loss="logistic").fit(X)


def test_logistic_recovers_er1_graphs_d8():
    # Ten seeds of ER-1, d=8, n=2000, weights +-[0.5, 2], no intercept (the paper's
    # simulation); 6 to 11 true edges, so the empty graph has SHD 6 to 11. The default
    # lambda1="auto" is 0.01 for the logistic loss (chosen on seeds 10-29, mean SHD
    # 1.65). Measured SHD per seed here: [0, 5, 5, 1, 3, 3, 0, 1, 2, 0] (mean 2.0).
    # lambda1=0.1, the least-squares value, is too strong for the logistic loss (its
    # curvature is at most 1/4) and returns the empty graph.
    shd, n_edges = [], []
    for seed in range(10):
        X, W = _make_glm_sem(2000, 8, "logistic", (0.5, 2.0), seed)
        model = NOTEARS(loss="logistic").fit(X)
        assert model.lambda1_ == 0.01
        assert is_dag(model.adjacency_matrix_)
        shd.append(structural_hamming_distance(W, model.adjacency_matrix_))
        n_edges.append(np.count_nonzero(model.adjacency_matrix_))
    print("logistic NOTEARS ER-1 d=8 n=2000 SHD per seed:", shd)
    assert min(n_edges) >= 4
    assert np.mean(shd) <= 2.5
    assert max(shd) <= 5
    strong = NOTEARS(loss="logistic", lambda1=0.1).fit(X)
    assert not np.any(strong.adjacency_matrix_)


def test_poisson_recovers_er1_graphs_d6():
    # Count SEMs explode along chains of positive weights, so draws whose counts
    # exceed 100 are skipped (a property of the data, not of the fit): 9 of the 12
    # seeds remain. Measured SHD on them: [0, 1, 0, 3, 1, 0, 0, 1, 0] (mean 0.67).
    shd = []
    for seed in range(12):
        X, W = _make_glm_sem(2000, 6, "poisson", (0.3, 0.6), seed)
        if X.max() > 100:
            continue
        model = NOTEARS(loss="poisson").fit(X)  # lambda1="auto": 0.01
        assert is_dag(model.adjacency_matrix_)
        shd.append(structural_hamming_distance(W, model.adjacency_matrix_))
    print("Poisson NOTEARS ER-1 d=6 n=2000 SHD per seed:", shd)
    assert len(shd) >= 8
    assert np.mean(shd) <= 1.0
    assert max(shd) <= 3


def test_intercepts_absorb_unbalanced_roots():
    # Two independent binary roots with P(x=1) = 0.9 and a child of the first: the
    # intercepts explain the marginal means, so no spurious edge appears.
    rng = np.random.default_rng(0)
    a = rng.binomial(1, 0.9, size=3000)
    b = rng.binomial(1, 0.9, size=3000)
    c = rng.binomial(1, expit(-2.0 + 3.0 * a))
    model = NOTEARS(loss="logistic", lambda1=0.01).fit(np.column_stack([a, b, c]))
    # Two binary nodes are Markov equivalent either way round: check the skeleton.
    skeleton = (model.adjacency_matrix_ != 0) | (model.adjacency_matrix_ != 0).T
    expected = np.zeros((3, 3), dtype=bool)
    expected[0, 2] = expected[2, 0] = True
    np.testing.assert_array_equal(skeleton, expected)
    np.testing.assert_allclose(model.intercept_[1], np.log(9), atol=0.2)


def test_glm_fitted_attributes(binary6):
    X, _, model = binary6
    d = X.shape[1]
    assert model.coef_.shape == (d, d) and model.intercept_.shape == (d,)
    assert model.graph_type_ == "dag" and model.converged_
    assert model.n_samples_seen_ == X.shape[0]
    np.testing.assert_array_equal(model.causal_order_, topological_order(model.coef_))
    assert not hasattr(model, "noise_variance_")
    # coef_ is the refit on the thresholded support
    np.testing.assert_array_equal(model.coef_ != 0, model.adjacency_matrix_ != 0)


def test_predict_is_the_glm_mean(binary6):
    X, _, model = binary6
    P = model.predict(X[:50])
    np.testing.assert_allclose(P, expit(X[:50] @ model.coef_ + model.intercept_))
    assert np.all((P > 0) & (P < 1))


def test_score_is_bernoulli_log_likelihood(binary6):
    X, _, model = binary6
    p = expit(X @ model.coef_ + model.intercept_)
    expected = bernoulli.logpmf(X, p).sum(axis=1).mean()
    np.testing.assert_allclose(model.score(X), expected)
    empty = NOTEARS(loss="logistic", lambda1=10.0).fit(X)
    assert model.score(X) > empty.score(X)
    k = np.count_nonzero(model.adjacency_matrix_) + X.shape[1]
    np.testing.assert_allclose(
        model.bic(X), -2 * len(X) * model.score(X) + k * np.log(len(X))
    )


def test_poisson_predict_and_score():
    X, _ = _make_glm_sem(1000, 4, "poisson", (0.3, 0.6), seed=0)
    model = NOTEARS(loss="poisson", lambda1=0.01).fit(X)
    mean = np.exp(X @ model.coef_ + model.intercept_)
    np.testing.assert_allclose(model.predict(X), mean)
    np.testing.assert_allclose(
        model.score(X), poisson.logpmf(X, mean).sum(axis=1).mean()
    )


def test_refit_false_keeps_optimiser_weights(binary6):
    X, _, _ = binary6
    model = NOTEARS(loss="logistic", lambda1=0.01, refit=False).fit(X)
    np.testing.assert_array_equal(model.coef_, model.adjacency_matrix_)
    assert np.all(np.abs(model.adjacency_matrix_[model.adjacency_matrix_ != 0]) > 0.3)


@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
def test_no_additive_noise_methods_raise(binary6, method):
    X, _, model = binary6
    with pytest.raises(ValueError, match="additive noise.*loss='logistic'"):
        getattr(model, method)(X)


def test_partial_fit_raises_for_glm_losses(binary6):
    X, _, _ = binary6
    for loss in ("logistic", "poisson"):
        with pytest.raises(ValueError, match="no finite sufficient statistic"):
            NOTEARS(loss=loss).partial_fit(X)


def test_squared_fit_after_glm_fit_is_a_plain_linear_sem(binary6):
    X, _, model = binary6
    model = clone(model).fit(X)
    model.set_params(loss="squared").partial_fit(X)  # starts afresh
    expected = NOTEARS().fit(X)
    np.testing.assert_array_equal(model.adjacency_matrix_, expected.adjacency_matrix_)
    np.testing.assert_allclose(model.transform(X), expected.transform(X))
    model.set_params(loss="logistic").fit(X)
    assert not hasattr(model, "noise_variance_")


def test_prior_knowledge_is_respected(binary6):
    X, W, _ = binary6
    edge = tuple(np.argwhere(W != 0)[0])
    required = (edge[1], edge[0])  # against the true direction
    model = NOTEARS(
        loss="logistic", lambda1=0.01, forbidden_edges=[edge], required_edges=[required]
    ).fit(X)
    assert model.adjacency_matrix_[edge] == 0
    assert model.adjacency_matrix_[required] != 0
    assert is_dag(model.adjacency_matrix_)


@pytest.mark.parametrize("w_threshold", [0.3, "auto"])
def test_output_is_a_dag_for_any_threshold(binary6, w_threshold):
    X, _, _ = binary6
    model = NOTEARS(loss="logistic", lambda1=0.0, w_threshold=0.0, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.set_params(w_threshold=w_threshold).fit(X)
    assert is_dag(model.adjacency_matrix_)


def test_non_binary_column_is_named():
    X = np.random.default_rng(0).integers(0, 2, size=(50, 4)).astype(float)
    X[3, 1] = 2.0
    X[0, 3] = 0.5
    with pytest.raises(ValueError, match=r"loss='logistic'.*column\(s\) 1, 3 "):
        NOTEARS(loss="logistic").fit(X)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="column\\(s\\) 'b', 'd' "):
        NOTEARS(loss="logistic").fit(frame)


@pytest.mark.parametrize("value", [-1.0, 0.5])
def test_non_count_column_is_named(value):
    X = np.random.default_rng(0).poisson(2.0, size=(50, 3)).astype(float)
    X[7, 2] = value
    with pytest.raises(ValueError, match=r"loss='poisson'.*count.*column\(s\) 2 "):
        NOTEARS(loss="poisson").fit(X)


def test_score_rejects_data_of_the_wrong_kind(binary6):
    X, _, model = binary6
    with pytest.raises(ValueError, match="binary"):
        model.score(X + 0.5)


@pytest.mark.parametrize("param", ["standardize", "refine"])
def test_squared_only_options_raise(binary6, param):
    X, _, _ = binary6
    with pytest.raises(ValueError, match=f"{param}=True.*loss='squared' only"):
        NOTEARS(loss="logistic", **{param: True}).fit(X)


def test_auto_refine_does_nothing_with_a_glm_loss(binary6):
    X, _, model = binary6
    assert model.refine == "auto" and model.refined_ is False
    plain = NOTEARS(loss="logistic", refine=False).fit(X)
    np.testing.assert_array_equal(model.adjacency_matrix_, plain.adjacency_matrix_)


def test_unknown_loss_raises(binary6):
    with pytest.raises(ValueError, match="loss"):
        NOTEARS(loss="hinge").fit(binary6[0])


def test_pickle_round_trip(binary6):
    X, _, model = binary6
    loaded = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.score(X) == model.score(X)


def test_callers_array_is_not_modified(binary6):
    X = binary6[0].copy()
    NOTEARS(loss="logistic", lambda1=0.01).fit(X)
    np.testing.assert_array_equal(X, binary6[0])
