"""Tests for the cached Gaussian BIC local score (skcausal.scores)."""

import numpy as np
import pytest

from skcausal._sem import SufficientStats
from skcausal.datasets import make_linear_sem
from skcausal.graph import topological_order
from skcausal.scores import GaussianBICScore


@pytest.fixture(scope="module")
def data():
    X, W = make_linear_sem(
        n_samples=2000, n_nodes=6, edges_per_node=1.5, random_state=1
    )
    return X, W


def test_residual_variance_equals_least_squares_on_raw_data(data):
    X, _ = data
    score = GaussianBICScore(SufficientStats.from_data(X))
    parents = [0, 2, 5]
    design = np.column_stack([np.ones(len(X)), X[:, parents]])
    beta, *_ = np.linalg.lstsq(design, X[:, 3], rcond=None)
    expected = np.mean((X[:, 3] - design @ beta) ** 2)
    assert score.residual_variance(3, parents) == pytest.approx(expected, rel=1e-10)
    assert score.residual_variance(3, []) == pytest.approx(X[:, 3].var(), rel=1e-10)


def test_local_scores_sum_to_the_per_node_graph_score(data):
    X, W = data
    score = GaussianBICScore(SufficientStats.from_data(X))
    total = sum(score.local_score(j, np.flatnonzero(W[:, j])) for j in range(6))
    assert score.graph_score(W) == pytest.approx(total, rel=1e-12)


def test_per_node_score_is_equal_for_markov_equivalent_dags():
    rng = np.random.default_rng(0)
    a = rng.normal(size=3000)
    X = np.column_stack([a, 0.8 * a + rng.normal(size=3000)])
    score = GaussianBICScore(SufficientStats.from_data(X))
    forward = score.graph_score([[0, 1], [0, 0]])
    backward = score.graph_score([[0, 0], [1, 0]])
    assert forward == pytest.approx(backward, rel=1e-10)


def test_equal_variance_score_identifies_the_direction():
    rng = np.random.default_rng(0)
    a = rng.normal(size=3000)
    X = np.column_stack([a, 0.8 * a + rng.normal(size=3000)])
    score = GaussianBICScore(SufficientStats.from_data(X), equal_variances=True)
    assert score.graph_score([[0, 1], [0, 0]]) > score.graph_score([[0, 0], [1, 0]])


def test_true_graph_beats_empty_and_complete_graphs(data):
    X, W = data
    score = GaussianBICScore(SufficientStats.from_data(X), equal_variances=True)
    # A complete DAG consistent with the true causal order.
    complete = np.zeros_like(W)
    perm = topological_order(W)
    for a_pos, a in enumerate(perm):
        for b in perm[a_pos + 1 :]:
            complete[a, b] = 1
    assert score.graph_score(W) > score.graph_score(np.zeros_like(W))
    assert score.graph_score(W) > score.graph_score(complete)


def test_cache_returns_identical_values(data):
    X, _ = data
    score = GaussianBICScore(SufficientStats.from_data(X))
    first = score.residual_variance(4, (2, 1))
    assert score.residual_variance(4, [1, 2]) == first
    assert len(score._cache) == 1


@pytest.mark.parametrize("penalty", [-1.0, float("nan")])
def test_rejects_bad_penalty(data, penalty):
    with pytest.raises(ValueError, match="penalty"):
        GaussianBICScore(SufficientStats.from_data(data[0]), penalty=penalty)
