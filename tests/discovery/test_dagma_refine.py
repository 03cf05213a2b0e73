"""Tests for DAGMA's default refinement (refine="auto", extended BIC) and helpers."""

import numpy as np
import pytest

from skcausal._sem import SufficientStats
from skcausal.datasets import make_linear_sem
from skcausal.discovery._base import prefers_equal_variances, refine_dag
from skcausal.discovery._dagma import DAGMA
from skcausal.graph import is_dag, topological_order
from skcausal.metrics import structural_hamming_distance


def _sem(seed, d=20, standardize=False, graph_type="ER"):
    X, W = make_linear_sem(
        n_samples=1000,
        n_nodes=d,
        graph_type=graph_type,
        edges_per_node=2,
        random_state=seed,
    )
    if standardize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, W


def test_refine_dag_repairs_reversed_edges_of_the_truth():
    X, W = _sem(0, d=10)
    stats = SufficientStats.from_data(X)
    start = W != 0
    n_reversed = 0
    for i, j in np.argwhere(start):  # reverse three edges, keeping a DAG
        trial = start.copy()
        trial[i, j], trial[j, i] = False, True
        if n_reversed < 3 and is_dag(trial):
            start, n_reversed = trial, n_reversed + 1
    assert structural_hamming_distance(W, start) == 3
    dag, refined = refine_dag(start, stats, refine="auto", ebic_gamma=1.0)
    assert refined
    assert structural_hamming_distance(W, dag) == 0


def test_refine_dag_false_and_auto_rejection_return_the_start():
    X, W = _sem(1, d=10, standardize=True)
    stats = SufficientStats.from_data(X)
    start = np.triu(W, k=1) + np.tril(W, k=-1)  # the true DAG's weights
    same, refined = refine_dag(start, stats, refine=False)
    assert not refined
    np.testing.assert_array_equal(same, start)
    # Standardised columns: the noise variances of the climbed graph are far from
    # equal, so "auto" keeps the start; True keeps the climbed graph.
    kept, refined = refine_dag(start, stats, refine="auto")
    assert not refined
    np.testing.assert_array_equal(kept, start)
    climbed, refined = refine_dag(start, stats, refine=True)
    assert refined
    assert not prefers_equal_variances(climbed, stats)


def test_refine_dag_rejects_a_negative_gamma():
    X, W = _sem(0, d=5)
    with pytest.raises(ValueError, match="ebic_gamma must be non-negative"):
        refine_dag(W, SufficientStats.from_data(X), ebic_gamma=-0.5)


def test_extended_bic_charges_more_per_edge():
    # From the complete DAG of a true causal order, the climb with gamma = 1 keeps no
    # more edges than the plain BIC, and recovers the truth of a clear SEM.
    X, W = _sem(2, d=8)
    stats = SufficientStats.from_data(X)
    rank = np.empty(8, dtype=int)
    rank[topological_order(W)] = np.arange(8)
    complete = rank[:, None] < rank[None, :]
    plain, _ = refine_dag(complete, stats, refine=True, ebic_gamma=0.0)
    extended, _ = refine_dag(complete, stats, refine=True, ebic_gamma=1.0)
    assert np.count_nonzero(extended) <= np.count_nonzero(plain)
    assert structural_hamming_distance(W, extended) == 0


def test_prefers_equal_variances_on_raw_and_standardised_data():
    X, W = _sem(3, d=10)
    assert prefers_equal_variances(W, SufficientStats.from_data(X))
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    assert not prefers_equal_variances(W, SufficientStats.from_data(Xs))


def test_default_refines_raw_data():
    # ER-2, d = 20, seeds 0-2: the default ("auto") keeps the refined graph.
    shd = []
    for seed in range(3):
        X, W = _sem(seed)
        model = DAGMA().fit(X)
        assert model.refined_
        assert is_dag(model.adjacency_matrix_)
        shd.append(structural_hamming_distance(W, model.adjacency_matrix_))
    print("DAGMA() ER-2 d=20 SHD per seed:", shd)
    assert np.mean(shd) <= 1


def test_default_on_standardised_data_is_the_plain_result():
    X, _ = _sem(0, d=10, standardize=True)
    auto = DAGMA().fit(X)
    plain = DAGMA(refine=False).fit(X)
    assert not auto.refined_ and not plain.refined_
    np.testing.assert_array_equal(auto.adjacency_matrix_, plain.adjacency_matrix_)
    np.testing.assert_array_equal(auto.coef_, plain.coef_)


def test_refine_true_keeps_required_and_forbidden_edges():
    X, W = _sem(4, d=10)
    edges = np.argwhere(W != 0)
    required = [tuple(int(k) for k in edges[0])]
    i, j = (int(k) for k in edges[1])
    forbidden = [(i, j), (j, i)]
    model = DAGMA(refine=True, required_edges=required, forbidden_edges=forbidden).fit(
        X
    )
    assert model.refined_
    assert model.adjacency_matrix_[required[0]] != 0
    assert model.adjacency_matrix_[i, j] == 0 and model.adjacency_matrix_[j, i] == 0
    assert is_dag(model.adjacency_matrix_)


def test_refine_rejects_an_unknown_option():
    X, _ = _sem(0, d=5)
    with pytest.raises(ValueError, match="refine"):
        DAGMA(refine="always").fit(X)
