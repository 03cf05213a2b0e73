"""Meek's rules with background knowledge: required / forbidden edges and tiers."""

import itertools

import numpy as np
import pytest

from skcausal.graph import apply_meek_rules, dag_to_cpdag, is_dag, pdag_to_dag
from skcausal.graph._cpdag import _meek_closure, _meek_closure_simultaneous
from skcausal.graph._knowledge import knowledge_masks, knowledge_violations


def undirected_chain(d):
    P = np.zeros((d, d))
    for i in range(d - 1):
        P[i, i + 1] = P[i + 1, i] = 1
    return P


def test_required_edge_orients_and_propagates():
    out = apply_meek_rules(undirected_chain(4), required_edges=[(0, 1)])
    expected = np.zeros((4, 4))
    expected[0, 1] = expected[1, 2] = expected[2, 3] = 1
    np.testing.assert_array_equal(out, expected)


def test_forbidden_edge_orients_the_other_way():
    out = apply_meek_rules(undirected_chain(3), forbidden_edges=[(0, 1)])
    # 1 -> 0; 1 - 2 is not compelled (0 <- 1 - 2 has no arrow into 1)
    np.testing.assert_array_equal(out, [[0, 0, 0], [1, 0, 1], [0, 1, 0]])
    out = apply_meek_rules(undirected_chain(3), forbidden_edges=[(1, 0)])
    # 0 -> 1, then R1: 1 -> 2
    np.testing.assert_array_equal(out, [[0, 1, 0], [0, 0, 1], [0, 0, 0]])


def test_tiers_forbid_backward_edges_only():
    P = np.ones((3, 3)) - np.eye(3)  # a complete undirected triangle
    out = apply_meek_rules(P, tiers=[0, 1, 1])
    # 0 is first: 0 -> 1, 0 -> 2; 1 - 2 in one tier stays undirected
    np.testing.assert_array_equal(out, [[0, 1, 1], [0, 0, 1], [0, 1, 0]])


def test_names_and_masks():
    out = apply_meek_rules(
        undirected_chain(3), required_edges=[("c", "b")], feature_names=["a", "b", "c"]
    )
    np.testing.assert_array_equal(out, [[0, 0, 0], [1, 0, 0], [0, 1, 0]])
    mask = np.zeros((3, 3), dtype=bool)
    mask[2, 1] = True
    np.testing.assert_array_equal(
        apply_meek_rules(undirected_chain(3), required_edges=mask), out
    )


def test_without_knowledge_the_api_is_unchanged():
    rng = np.random.default_rng(0)
    for _ in range(20):
        A = np.triu(rng.random((7, 7)) < 0.4, 1).astype(float)
        C = dag_to_cpdag(A)
        np.testing.assert_array_equal(apply_meek_rules(C), C)


def test_r4_fires_with_knowledge():
    # a - c, a - e, a - b, c -> e? Use knowledge: c -> e and e -> b required,
    # c, b non-adjacent, a adjacent to all three: R4 gives a -> b.
    a, b, c, e = 0, 1, 2, 3
    P = np.zeros((4, 4))
    for u, v in [(a, b), (a, c), (a, e), (c, e), (e, b)]:
        P[u, v] = P[v, u] = 1
    out = apply_meek_rules(P, required_edges=[(c, e), (e, b)])
    assert out[a, b] == 1 and out[b, a] == 0


def test_knowledge_kept_by_closure_on_random_cpdags():
    # every consistent knowledge set drawn from a member DAG is respected, and the
    # result stays extendable to a DAG that satisfies it
    rng = np.random.default_rng(1)
    for _ in range(40):
        A = np.triu(rng.random((8, 8)) < 0.35, 1).astype(float)
        perm = rng.permutation(8)
        A = A[np.ix_(perm, perm)]
        C = dag_to_cpdag(A)
        edges = np.argwhere(A != 0)
        if not len(edges):
            continue
        pick = edges[rng.random(len(edges)) < 0.3]
        required = [tuple(map(int, e)) for e in pick]
        forbidden = [(int(j), int(i)) for i, j in edges[rng.random(len(edges)) < 0.3]]
        out = apply_meek_rules(C, required_edges=required, forbidden_edges=forbidden)
        req, forb = knowledge_masks(
            8, required_edges=required, forbidden_edges=forbidden
        )
        assert knowledge_violations(out, req, forb) == []
        D = pdag_to_dag(out)
        assert is_dag(D)
        # the true DAG is still in the restricted class: every directed edge agrees
        directed = (out != 0) & (out.T == 0)
        assert np.all(A[directed] != 0)


def test_simultaneous_closure_equals_sequential_on_consistent_patterns():
    rng = np.random.default_rng(2)
    for _ in range(30):
        A = np.triu(rng.random((9, 9)) < 0.3, 1)
        P = A | A.T
        # pattern: skeleton + v-structures
        for k in range(9):
            for i, j in itertools.combinations(np.flatnonzero(A[:, k]), 2):
                if not (A[i, j] or A[j, i]):
                    P[k, i] = P[k, j] = False
        np.testing.assert_array_equal(
            _meek_closure(P.copy()), _meek_closure_simultaneous(P.copy())
        )


def test_simultaneous_closure_is_permutation_equivariant_on_conflicts():
    # an inconsistent PDAG: arrows into both ends of an undirected path
    P = np.zeros((4, 4), dtype=bool)
    P[0, 1] = True  # 0 -> 1
    P[3, 2] = True  # 3 -> 2
    P[1, 2] = P[2, 1] = True  # 1 - 2: R1 asks for both directions
    out = _meek_closure_simultaneous(P.copy())
    assert out[1, 2] and out[2, 1]
    perm = np.array([2, 0, 3, 1])
    Q = P[np.ix_(perm, perm)]
    back = np.empty_like(out)
    back[np.ix_(perm, perm)] = _meek_closure_simultaneous(Q.copy())
    np.testing.assert_array_equal(back, out)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"required_edges": [(0, 1)], "forbidden_edges": [(0, 1)]}, "both required"),
        ({"required_edges": [(0, 1)], "tiers": [1, 0, 0]}, "contradicts the tiers"),
        ({"required_edges": [(0, 2)]}, "not in the graph"),
        ({"tiers": [0, 1]}, "one tier per node"),
        ({"tiers": [0.5, 1, 2]}, "integers"),
        ({"forbidden_edges": [(0, 1), (1, 0)]}, "both directions"),
        ({"required_edges": [(1, 1)]}, "self-loop"),
    ],
)
def test_bad_knowledge(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        apply_meek_rules(undirected_chain(3), **kwargs)


def test_knowledge_contradicting_the_pdag():
    P = np.zeros((3, 3))
    P[0, 1] = 1  # 0 -> 1
    with pytest.raises(ValueError, match="directed 0 -> 1"):
        apply_meek_rules(P, required_edges=[(1, 0)])
    with pytest.raises(ValueError, match="contains the forbidden edge 0 -> 1"):
        apply_meek_rules(P, forbidden_edges=[(0, 1)])
    with pytest.raises(ValueError, match="directed cycle"):
        knowledge_masks(3, required_edges=[(0, 1), (1, 2), (2, 0)])
