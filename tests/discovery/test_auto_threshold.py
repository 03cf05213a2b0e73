"""Tests for ``w_threshold="auto"``: the smallest threshold that leaves a DAG."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skcausal.datasets import make_linear_sem
from skcausal.discovery import NOTEARS
from skcausal.discovery._base import smallest_acyclic_threshold
from skcausal.discovery._dagma import DAGMA
from skcausal.graph import is_dag, threshold_to_dag


def _brute_force(W, required):
    """The smallest t among 0 and the magnitudes with {|w| > t} ∪ required acyclic."""
    free = ~required & (W != 0)
    for t in sorted({0.0, *np.abs(W[free]).tolist()}):
        if is_dag(required | (free & (np.abs(W) > t))):
            return t
    raise AssertionError("unreachable")


def test_three_cycle_is_broken_at_its_weakest_edge():
    W = np.array([[0.0, 1.5, 0.05], [0.0, 0.0, 0.9], [0.3, 0.0, 0.0]])
    # 0.05 (0 -> 2) is on no cycle by itself; the cycle 0 -> 1 -> 2 -> 0 needs 0.3 gone.
    assert smallest_acyclic_threshold(W) == 0.3
    assert smallest_acyclic_threshold(np.triu(W)) == 0.0
    assert smallest_acyclic_threshold(np.zeros((3, 3))) == 0.0


def test_required_edges_are_not_candidates():
    W = np.array([[0.0, 1.5, 0.0], [0.0, 0.0, 0.9], [0.3, 0.0, 0.0]])
    required = np.zeros((3, 3), dtype=bool)
    required[2, 0] = True  # keep the weak edge: the cycle must go at 0.9
    assert smallest_acyclic_threshold(W, required) == 0.9
    with pytest.raises(ValueError, match="cycle"):
        smallest_acyclic_threshold(W, W != 0)


@given(seed=st.integers(0, 10_000), d=st.integers(2, 7))
@settings(max_examples=60, deadline=None)
def test_matches_brute_force_and_leaves_a_dag(seed, d):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(d, d)) * (rng.random((d, d)) < 0.5)
    np.fill_diagonal(W, 0.0)
    W = np.round(W, 1)  # ties between magnitudes
    order = rng.permutation(d)
    required = np.zeros((d, d), dtype=bool)
    for a, b in itertools.combinations(range(d), 2):
        if rng.random() < 0.15 and W[order[a], order[b]] != 0:
            required[order[a], order[b]] = True
    t = smallest_acyclic_threshold(W, required)
    assert t == _brute_force(W, required)
    dag = threshold_to_dag(W, t, required_edges=required)
    # No cycle was left to break: the output is exactly {|w| > t} ∪ required.
    np.testing.assert_array_equal(dag != 0, required | ((np.abs(W) > t) & (W != 0)))
    assert is_dag(dag)


@pytest.mark.parametrize("estimator", [NOTEARS, DAGMA])
def test_estimators_accept_auto(estimator):
    X, W = make_linear_sem(n_samples=500, n_nodes=6, edges_per_node=1, random_state=0)
    model = estimator(w_threshold="auto").fit(X)
    assert is_dag(model.adjacency_matrix_)
    assert model.w_threshold_ >= 0
    # Equivalent to passing the threshold it chose (the optimiser is deterministic).
    again = estimator(w_threshold=model.w_threshold_).fit(X)
    np.testing.assert_array_equal(model.adjacency_matrix_, again.adjacency_matrix_)
    if estimator is DAGMA:  # DAGMA keeps its optimiser weights for warm starts
        assert model.w_threshold_ == smallest_acyclic_threshold(model._weights)
    with pytest.raises(ValueError, match="w_threshold"):
        estimator(w_threshold="smallest").fit(X)
