"""Tests for the structural Hamming distance and edge metrics."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skcausal.metrics._graph import edge_metrics, structural_hamming_distance

shd = structural_hamming_distance


def _graph(d, edges):
    A = np.zeros((d, d))
    for i, j in edges:
        A[i, j] = 1.0
    return A


@st.composite
def _graphs(draw, n_graphs):
    """``n_graphs`` random 0/1 matrices of one size, zero diagonal (any pair state)."""
    d = draw(st.integers(min_value=1, max_value=6))
    graphs = []
    for _ in range(n_graphs):
        bits = draw(st.lists(st.booleans(), min_size=d * d, max_size=d * d))
        A = np.array(bits, dtype=float).reshape(d, d)
        np.fill_diagonal(A, 0.0)
        graphs.append(A)
    return graphs


# --------------------------------------------------------------------------------- SHD


@settings(max_examples=200, deadline=None)
@given(_graphs(3))
def test_shd_is_a_metric(graphs):
    a, b, c = graphs
    assert shd(a, a) == 0
    assert shd(a, b) == shd(b, a)
    assert (shd(a, b) == 0) == np.array_equal(a, b)
    assert shd(a, c) <= shd(a, b) + shd(b, c)
    d = a.shape[0]
    assert 0 <= shd(a, b) <= d * (d - 1) // 2


def test_shd_elementary_operations_cost_one():
    true = _graph(3, [(0, 1), (1, 2)])
    assert shd(true, _graph(3, [(0, 1), (1, 2), (0, 2)])) == 1  # extra edge
    assert shd(true, _graph(3, [(0, 1)])) == 1  # missing edge
    assert shd(true, _graph(3, [(1, 0), (1, 2)])) == 1  # reversed edge: 1, not 2
    assert shd(true, _graph(3, [(1, 0), (2, 1)])) == 2
    assert shd(true, np.zeros((3, 3))) == 2
    assert shd(true, _graph(3, [(1, 0), (2, 1), (0, 2)])) == 3


def test_shd_cpdag_cases():
    directed = _graph(3, [(0, 1), (1, 2)])
    undirected_01 = _graph(3, [(0, 1), (1, 0), (1, 2)])
    # Undirected versus directed: 1, in either direction and either argument order.
    assert shd(directed, undirected_01) == 1
    assert shd(undirected_01, directed) == 1
    assert shd(_graph(3, [(1, 0), (1, 2)]), undirected_01) == 1
    # Undirected versus absent: 1.
    assert shd(_graph(3, [(1, 2)]), undirected_01) == 1
    # Fully undirected chain against the directed chain: 2.
    skeleton = _graph(3, [(0, 1), (1, 0), (1, 2), (2, 1)])
    assert shd(skeleton, directed) == 2
    assert shd(skeleton, skeleton) == 0


def test_shd_ignores_weights_and_accepts_bool_and_lists():
    true = _graph(3, [(0, 1), (1, 2)])
    weighted = np.array([[0, -0.3, 0], [0, 0, 2.5], [0, 0, 0]])
    assert shd(true, weighted) == 0
    assert shd(true.astype(bool), weighted.tolist()) == 0
    assert isinstance(shd(true, weighted), int)


def test_shd_empty_and_single_node():
    assert shd(np.zeros((1, 1)), np.zeros((1, 1))) == 0
    assert shd(np.zeros((0, 0)), np.zeros((0, 0))) == 0


@pytest.mark.parametrize(
    ("true", "est", "error", "match"),
    [
        (np.zeros((3, 3)), np.zeros((4, 4)), ValueError, "same shape"),
        (np.zeros((3, 2)), np.zeros((3, 2)), ValueError, "square"),
        (np.zeros(3), np.zeros(3), ValueError, "square"),
        (np.zeros((2, 2)), [[0, np.nan], [0, 0]], ValueError, "NaN"),
        (np.zeros((2, 2)), [[0, np.inf], [0, 0]], ValueError, "infinite"),
        (np.eye(2), np.zeros((2, 2)), ValueError, "self-loops"),
        (np.zeros((2, 2)), [["a", "b"], ["c", "d"]], TypeError, "numeric"),
    ],
)
def test_graph_metrics_validation(true, est, error, match):
    with pytest.raises(error, match=match):
        structural_hamming_distance(true, est)
    with pytest.raises(error, match=match):
        edge_metrics(true, est)


def test_validation_names_the_argument():
    with pytest.raises(ValueError, match="estimated_graph"):
        shd(np.zeros((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="true_graph"):
        shd(np.ones((2, 2)), np.zeros((2, 2)))


# ------------------------------------------------------------------------ edge metrics


_KEYS = {
    "tpr",
    "fdr",
    "fpr",
    "precision",
    "recall",
    "f1",
    "shd",
    "n_true",
    "n_estimated",
}


def test_edge_metrics_hand_example():
    # Truth: 0 -> 1, 1 -> 2, 2 -> 3, 0 -> 3 (4 edges, 10 pairs, 6 absent).
    true = _graph(5, [(0, 1), (1, 2), (2, 3), (0, 3)])
    # Estimate (a PDAG): 0 -> 1 (TP), 2 -> 1 (reversed), 2 - 3 (undirected over a true
    # edge: TP by convention), 0 -> 4 and 1 -> 3 (extra); 0 -> 3 is missing.
    est = _graph(5, [(0, 1), (2, 1), (2, 3), (3, 2), (0, 4), (1, 3)])
    m = edge_metrics(true, est)
    assert set(m) == _KEYS
    assert m["n_true"] == 4
    assert m["n_estimated"] == 5
    assert m["tpr"] == pytest.approx(2 / 4)
    assert m["recall"] == pytest.approx(2 / 4)
    assert m["fdr"] == pytest.approx(3 / 5)
    assert m["precision"] == pytest.approx(2 / 5)
    assert m["fpr"] == pytest.approx(3 / 6)
    assert m["f1"] == pytest.approx(2 * 0.4 * 0.5 / 0.9)
    assert m["shd"] == 5
    assert isinstance(m["shd"], int)
    assert isinstance(m["n_true"], int)
    assert isinstance(m["tpr"], float)


def test_edge_metrics_perfect_and_reversed():
    true = _graph(4, [(0, 1), (1, 2), (0, 3)])
    m = edge_metrics(true, true * 3.0)
    assert m["tpr"] == m["precision"] == m["f1"] == 1.0
    assert m["fdr"] == m["fpr"] == 0.0
    assert m["shd"] == 0

    m = edge_metrics(true, true.T)
    assert m["tpr"] == m["precision"] == m["f1"] == 0.0
    assert m["fdr"] == 1.0
    assert m["fpr"] == pytest.approx(3 / 3)
    assert m["shd"] == 3


def test_edge_metrics_directed_estimate_of_undirected_truth_is_misoriented():
    true_cpdag = _graph(3, [(0, 1), (1, 0), (1, 2)])
    est = _graph(3, [(0, 1), (1, 2)])
    m = edge_metrics(true_cpdag, est)
    assert m["n_true"] == 2
    assert m["n_estimated"] == 2
    assert m["tpr"] == 0.5
    assert m["fdr"] == 0.5
    # Only the pair {2, 0} is absent in the truth.
    assert m["fpr"] == 1.0
    assert m["shd"] == 1


def test_edge_metrics_zero_division_gives_zero():
    empty = np.zeros((3, 3))
    m = edge_metrics(empty, empty)
    assert m["tpr"] == m["fdr"] == m["fpr"] == m["precision"] == m["f1"] == 0.0
    assert m["n_true"] == m["n_estimated"] == m["shd"] == 0

    # Empty estimate of a non-empty truth: nothing found, nothing false.
    m = edge_metrics(_graph(3, [(0, 1)]), empty)
    assert m["tpr"] == m["fdr"] == m["precision"] == m["f1"] == 0.0
    assert m["shd"] == 1

    # Complete truth: no absent pairs, so fpr is 0 by convention.
    complete = np.triu(np.ones((3, 3)), k=1)
    m = edge_metrics(complete, complete.T)
    assert m["fpr"] == 0.0
    assert m["fdr"] == 1.0


@settings(max_examples=200, deadline=None)
@given(_graphs(2))
def test_edge_metrics_consistency(graphs):
    true, est = graphs
    m = edge_metrics(true, est)
    assert m["shd"] == shd(true, est)
    for key in ("tpr", "fdr", "precision", "recall", "f1"):
        assert 0.0 <= m[key] <= 1.0
    assert m["recall"] == m["tpr"]
    if m["n_estimated"] > 0:
        assert m["precision"] == pytest.approx(1.0 - m["fdr"])
    n_tp = round(m["tpr"] * m["n_true"])
    # SHD counts each differing pair once: every false estimated pair differs, and so
    # does every true pair that is not a true positive.
    n_false = m["n_estimated"] - n_tp
    n_missing = m["n_true"] - n_tp
    assert max(n_false, n_missing) <= m["shd"] <= n_false + n_missing + n_tp
    if np.array_equal(true != 0, est != 0) and m["n_true"] > 0:
        assert m["tpr"] == m["precision"] == 1.0
