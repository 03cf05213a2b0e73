"""Tests for skcausal.graph._dag: acyclicity, orders, cycles, masks, thresholding."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skcausal.graph import (
    ancestors,
    children,
    descendants,
    edges_to_mask,
    find_cycle,
    is_dag,
    parents,
    threshold_to_dag,
    topological_order,
)


def random_dag(d, p, rng):
    """Random DAG: permuted strictly upper-triangular Bernoulli(p) matrix."""
    upper = np.triu(rng.random((d, d)) < p, k=1).astype(float)
    perm = rng.permutation(d)
    return upper[np.ix_(perm, perm)]


def naive_threshold_to_dag(W, w_threshold, required):
    """The defining greedy rule, one edge at a time with a DFS cycle test."""
    W = np.array(W, dtype=float)
    d = W.shape[0]
    required = np.broadcast_to(np.asarray(required, dtype=bool), W.shape)
    W[(np.abs(W) <= w_threshold) & ~required] = 0.0
    while True:
        edges = W != 0
        reach = edges.copy()
        for k in range(d):  # transitive closure (Floyd-Warshall)
            reach |= reach[:, [k]] & reach[[k], :]
        on_cycle = edges & reach.T & ~required  # i -> j and j reaches i
        on_cycle |= np.diag(np.diagonal(edges)) & ~required
        if not on_cycle.any():
            return W
        rows, cols = np.nonzero(on_cycle)
        k = np.argsort(np.abs(W[rows, cols]), kind="stable")[0]
        W[rows[k], cols[k]] = 0.0


CHAIN = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=float)
FORK = np.array([[0, 1, 1], [0, 0, 0], [0, 0, 0]], dtype=float)
COLLIDER = np.array([[0, 0, 1], [0, 0, 1], [0, 0, 0]], dtype=float)


# --------------------------------------------------------------------------------
# is_dag / find_cycle / topological_order
# --------------------------------------------------------------------------------
def test_is_dag_known_graphs():
    assert is_dag(CHAIN) and is_dag(FORK) and is_dag(COLLIDER)
    assert is_dag(np.zeros((4, 4)))
    assert is_dag(np.zeros((0, 0)))
    assert not is_dag(CHAIN + CHAIN.T)  # undirected = 2-cycles
    assert not is_dag(np.eye(2))  # self-loops
    cyc = CHAIN.copy()
    cyc[2, 0] = 1
    assert not is_dag(cyc)
    # negative weights are edges too
    assert not is_dag(np.array([[0.0, -0.5], [0.2, 0.0]]))


def test_is_dag_accepts_lists_bool_and_dataframes():
    pd = pytest.importorskip("pandas")
    assert is_dag([[0, 1], [0, 0]])
    assert is_dag(np.array([[False, True], [False, False]]))
    assert not is_dag(pd.DataFrame([[0, 1], [1, 0]]))


@pytest.mark.parametrize(
    "bad",
    [np.zeros(3), np.zeros((2, 3)), np.zeros((2, 2, 2)), 1.0],
)
def test_non_square_input_raises(bad):
    with pytest.raises(ValueError, match="square 2-D"):
        is_dag(bad)


def test_nan_and_non_numeric_raise():
    with pytest.raises(ValueError, match="NaN"):
        is_dag(np.array([[0, np.nan], [0, 0]]))
    with pytest.raises(TypeError, match="numbers"):
        is_dag([["a", "b"], ["c", "d"]])


def test_find_cycle():
    assert find_cycle(CHAIN) is None
    A = np.zeros((5, 5))
    A[0, 1] = A[1, 2] = A[2, 3] = A[3, 1] = A[2, 4] = 1
    assert find_cycle(A) == [1, 2, 3]
    A[4, 4] = 1
    assert find_cycle(A) == [4]
    two = np.zeros((3, 3))
    two[2, 1] = two[1, 2] = 1
    assert find_cycle(two) == [1, 2]


def test_find_cycle_returns_real_cycles_on_random_graphs():
    rng = np.random.default_rng(0)
    for _ in range(50):
        A = rng.random((8, 8)) < 0.15
        np.fill_diagonal(A, False)
        cycle = find_cycle(A)
        assert (cycle is None) == is_dag(A)
        if cycle is not None:
            assert len(set(cycle)) == len(cycle)
            for u, v in zip(cycle, cycle[1:] + cycle[:1], strict=True):
                assert A[u, v]


def test_topological_order_deterministic_smallest_first():
    assert topological_order(np.zeros((3, 3))).tolist() == [0, 1, 2]
    A = np.zeros((4, 4))
    A[3, 0] = A[2, 1] = 1
    assert topological_order(A).tolist() == [2, 1, 3, 0]
    assert topological_order(A).dtype.kind == "i"


def test_topological_order_rejects_cycles_naming_one():
    A = CHAIN.copy()
    A[2, 0] = 1
    with pytest.raises(ValueError, match=r"cycle 0 -> 1 -> 2 -> 0"):
        topological_order(A)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12), st.floats(0.0, 0.9), st.integers(0, 2**32 - 1))
def test_topological_order_respects_every_edge(d, p, seed):
    A = random_dag(d, p, np.random.default_rng(seed))
    order = topological_order(A)
    assert sorted(order.tolist()) == list(range(d))
    position = np.empty(d, dtype=int)
    position[order] = np.arange(d)
    for i, j in zip(*np.nonzero(A), strict=True):
        assert position[i] < position[j]


# --------------------------------------------------------------------------------
# neighbourhoods
# --------------------------------------------------------------------------------
def test_parents_children_ancestors_descendants():
    A = np.zeros((5, 5))
    A[0, 1] = A[1, 2] = A[3, 2] = A[2, 4] = 1
    assert parents(A, 2).tolist() == [1, 3]
    assert children(A, 2).tolist() == [4]
    assert ancestors(A, 4).tolist() == [0, 1, 2, 3]
    assert ancestors(A, 0).tolist() == []
    assert descendants(A, 0).tolist() == [1, 2, 4]
    assert descendants(A, 4).tolist() == []
    assert parents(A, np.int64(2)).tolist() == [1, 3]
    with pytest.raises(ValueError, match="out of range"):
        parents(A, 5)
    with pytest.raises(TypeError, match="integer"):
        children(A, 1.0)


def test_ancestors_match_transitive_closure():
    rng = np.random.default_rng(1)
    A = random_dag(10, 0.3, rng) != 0
    reach = A.copy()
    for k in range(10):
        reach |= reach[:, [k]] & reach[[k], :]
    for j in range(10):
        assert ancestors(A, j).tolist() == np.flatnonzero(reach[:, j]).tolist()
        assert descendants(A, j).tolist() == np.flatnonzero(reach[j]).tolist()


def test_inputs_never_modified():
    rng = np.random.default_rng(2)
    W = rng.normal(size=(6, 6))
    W_copy = W.copy()
    is_dag(W)
    find_cycle(W)
    parents(W, 1)
    ancestors(W, 1)
    out = threshold_to_dag(W, 0.5)
    np.testing.assert_array_equal(W, W_copy)
    assert out is not W and not np.shares_memory(out, W)


# --------------------------------------------------------------------------------
# edges_to_mask
# --------------------------------------------------------------------------------
def test_edges_to_mask_forms():
    assert not edges_to_mask(None, 3).any()
    assert edges_to_mask(None, 3).shape == (3, 3)
    assert not edges_to_mask([], 3).any()
    mask = edges_to_mask([(0, 1), (2, 1)], 3)
    assert mask.dtype == bool
    assert sorted(zip(*np.nonzero(mask), strict=True)) == [(0, 1), (2, 1)]
    # generators and numpy pair arrays
    assert edges_to_mask(((i, i + 1) for i in range(2)), 3)[1, 2]
    assert edges_to_mask(np.array([[0, 2]]), 3)[0, 2]
    # bool and 0/1 matrices
    b = np.zeros((3, 3), dtype=bool)
    b[1, 0] = True
    np.testing.assert_array_equal(edges_to_mask(b, 3), b)
    assert edges_to_mask(b, 3) is not b
    np.testing.assert_array_equal(edges_to_mask(b.astype(int), 3), b)
    np.testing.assert_array_equal(edges_to_mask(b.astype(int).tolist(), 3), b)
    # n_nodes == 2: a numpy array is a matrix, a list of lists is a list of pairs
    np.testing.assert_array_equal(
        edges_to_mask(np.array([[0, 1], [0, 0]]), 2), [[False, True], [False, False]]
    )
    np.testing.assert_array_equal(
        edges_to_mask([[0, 1], [1, 0]], 2), [[False, True], [True, False]]
    )
    # names
    m = edges_to_mask([("b", "a")], 2, feature_names=["a", "b"])
    assert m[1, 0] and m.sum() == 1


def test_edges_to_mask_errors():
    with pytest.raises(ValueError, match="shape"):
        edges_to_mask(np.zeros((2, 2), dtype=bool), 3)
    with pytest.raises(ValueError, match="0/1"):
        edges_to_mask(np.full((3, 3), 2), 3)
    with pytest.raises(ValueError, match="out of range"):
        edges_to_mask([(0, 3)], 3)
    with pytest.raises(ValueError, match="out of range"):
        edges_to_mask([(-1, 0)], 3)
    with pytest.raises(ValueError, match="self-loop"):
        edges_to_mask([(1, 1)], 3)
    with pytest.raises(ValueError, match="pair"):
        edges_to_mask([(0, 1, 2)], 3)
    with pytest.raises(ValueError, match="pair"):
        edges_to_mask([(0, 1), (1,)], 3)
    with pytest.raises(ValueError, match=r"\(n_edges, 2\)"):
        edges_to_mask(np.zeros((4, 3)), 3)
    with pytest.raises(TypeError, match="integer"):
        edges_to_mask([(0.0, 1.0)], 3)
    with pytest.raises(TypeError, match="feature_names"):
        edges_to_mask([("a", "b")], 3)
    with pytest.raises(ValueError, match="unknown node name"):
        edges_to_mask([("a", "z")], 2, feature_names=["a", "b"])
    with pytest.raises(TypeError):
        edges_to_mask(5, 3)


# --------------------------------------------------------------------------------
# threshold_to_dag
# --------------------------------------------------------------------------------
def test_threshold_to_dag_known_answers():
    W = np.array([[0.0, 1.5, 0.05], [0.0, 0.0, 0.9], [0.3, 0.0, 0.0]])
    out = threshold_to_dag(W, 0.1)
    expected = W.copy()
    expected[0, 2] = expected[2, 0] = 0.0
    np.testing.assert_array_equal(out, expected)
    # a required weak edge survives; the next weakest on the cycle goes instead
    out = threshold_to_dag(W, 0.1, required_edges=[(2, 0)])
    assert out[2, 0] == 0.3 and out[1, 2] == 0.0 and out[0, 1] == 1.5
    # required edges are exempt from the threshold too
    out = threshold_to_dag(W, 0.1, required_edges=[(0, 2)])
    assert out[0, 2] == 0.05
    # self-loops are removed
    assert threshold_to_dag(np.diag([1.0, 2.0])).sum() == 0
    # negative weights compare by magnitude
    W2 = np.array([[0.0, -2.0], [1.0, 0.0]])
    np.testing.assert_array_equal(threshold_to_dag(W2), [[0.0, -2.0], [0.0, 0.0]])


def test_threshold_to_dag_required_cycle_raises():
    W = np.ones((3, 3))
    with pytest.raises(ValueError, match=r"cycle.*0 -> 1 -> 0"):
        threshold_to_dag(W, required_edges=[(0, 1), (1, 0)])
    with pytest.raises(ValueError, match="self-loop"):
        threshold_to_dag(W, required_edges=np.eye(3, dtype=bool))
    with pytest.raises(ValueError, match="w_threshold"):
        threshold_to_dag(W, -0.1)
    with pytest.raises(ValueError, match="inf"):
        threshold_to_dag(np.array([[0, np.inf], [0, 0]]))


def test_threshold_to_dag_matches_naive_greedy():
    rng = np.random.default_rng(3)
    for trial in range(40):
        d = int(rng.integers(2, 9))
        W = rng.normal(size=(d, d)) * (rng.random((d, d)) < 0.6)
        required = np.zeros((d, d), dtype=bool)
        if trial % 2:
            dag = random_dag(d, 0.3, rng) != 0
            required = dag & (W != 0) & (rng.random((d, d)) < 0.5)
        out = threshold_to_dag(W, 0.3, required_edges=required)
        np.testing.assert_array_equal(out, naive_threshold_to_dag(W, 0.3, required))


def test_threshold_to_dag_dense_d200_is_acyclic_and_greedy():
    # dense weights with a single big strong component: exercises batching
    rng = np.random.default_rng(4)
    W = rng.normal(size=(200, 200))
    out = threshold_to_dag(W, 0.0)
    assert is_dag(out)
    # the batched search gives exactly the one-edge-at-a-time greedy result
    V = rng.normal(size=(40, 40))
    np.testing.assert_array_equal(threshold_to_dag(V), naive_threshold_to_dag(V, 0, 0))
    V[rng.random((40, 40)) < 0.7] = 0.0
    np.testing.assert_array_equal(
        threshold_to_dag(V, 0.2), naive_threshold_to_dag(V, 0.2, 0)
    )


weights_strategy = st.integers(1, 7).flatmap(
    lambda d: arrays(
        np.float64,
        (d, d),
        elements=st.one_of(st.just(0.0), st.floats(-3, 3, allow_nan=False)),
    )
)


@settings(max_examples=80, deadline=None)
@given(weights_strategy, st.floats(0.0, 1.0), st.integers(0, 2**32 - 1))
def test_threshold_to_dag_properties(W, w_threshold, seed):
    d = W.shape[0]
    rng = np.random.default_rng(seed)
    # required edges: a random sub-DAG of the candidate pairs (so never cyclic)
    required = (random_dag(d, 0.4, rng) != 0) & (rng.random((d, d)) < 0.5)
    out = threshold_to_dag(W, w_threshold, required_edges=required)
    assert is_dag(out)
    assert out.shape == W.shape and out.dtype == np.float64
    # never adds an edge and never changes a kept weight
    kept = out != 0
    assert not (kept & (W == 0)).any()
    np.testing.assert_array_equal(out[kept], W[kept])
    # keeps every required edge present in W
    assert (kept[required & (W != 0)]).all()
    # above-threshold entries of a DAG input are all kept
    dag_input = W * (random_dag(d, 0.5, rng) != 0)
    out2 = threshold_to_dag(dag_input, w_threshold)
    strong = np.abs(dag_input) > w_threshold
    np.testing.assert_array_equal(out2[strong], dag_input[strong])
    assert not out2[~strong].any()


@pytest.mark.parametrize("d", [1, 2, 3])
def test_threshold_to_dag_all_orientations_small(d):
    # every 0/1 graph on up to 3 nodes with distinct weights
    pairs = [(i, j) for i in range(d) for j in range(d)]
    weights = np.arange(1, d * d + 1, dtype=float).reshape(d, d)
    for bits in itertools.product([0, 1], repeat=len(pairs)):
        W = weights * np.array(bits, dtype=float).reshape(d, d)
        out = threshold_to_dag(W)
        assert is_dag(out)
        np.testing.assert_array_equal(out, naive_threshold_to_dag(W, 0.0, False))
