"""Tests for skcausal.graph._cpdag: CPDAGs, Meek rules R1-R4, DAG extensions."""

import itertools

import numpy as np
import pytest

from skcausal.graph import (
    apply_meek_rules,
    dag_to_cpdag,
    is_dag,
    parents,
    pdag_to_dag,
)
from skcausal.graph._cpdag import _MEEK_RULES, _meek_closure


def random_dag(d, p, rng):
    """Random DAG: permuted strictly upper-triangular Bernoulli(p) matrix."""
    upper = np.triu(rng.random((d, d)) < p, k=1).astype(float)
    perm = rng.permutation(d)
    return upper[np.ix_(perm, perm)]


def graph(d, directed=(), undirected=()):
    """A 0/1 PDAG from edge lists."""
    P = np.zeros((d, d))
    for i, j in directed:
        P[i, j] = 1.0
    for i, j in undirected:
        P[i, j] = P[j, i] = 1.0
    return P


def v_structures(A):
    A = A != 0
    adjacent = A | A.T
    found = set()
    for k in range(A.shape[0]):
        for i, j in itertools.combinations(np.flatnonzero(A[:, k]), 2):
            if not adjacent[i, j]:
                found.add((int(i), int(k), int(j)))
    return found


def markov_equivalence_class(A):
    """All DAGs with the skeleton and v-structures of A (brute force)."""
    A = A != 0
    pairs = list(zip(*np.nonzero(np.triu(A | A.T)), strict=True))
    target = v_structures(A)
    members = []
    for bits in itertools.product([False, True], repeat=len(pairs)):
        B = np.zeros_like(A)
        for (i, j), flip in zip(pairs, bits, strict=True):
            B[(j, i) if flip else (i, j)] = True
        if is_dag(B) and v_structures(B) == target:
            members.append(B)
    return members


def common_orientation(members):
    """PDAG with i -> j when all members agree, i - j otherwise."""
    return np.logical_or.reduce(members).astype(float)


CHAIN = graph(3, directed=[(0, 1), (1, 2)])
FORK = graph(3, directed=[(1, 0), (1, 2)])
COLLIDER = graph(3, directed=[(0, 1), (2, 1)])


# --------------------------------------------------------------------------------
# dag_to_cpdag
# --------------------------------------------------------------------------------
def test_chain_and_fork_are_fully_undirected():
    skeleton = graph(3, undirected=[(0, 1), (1, 2)])
    np.testing.assert_array_equal(dag_to_cpdag(CHAIN), skeleton)
    np.testing.assert_array_equal(dag_to_cpdag(FORK), skeleton)
    reversed_chain = CHAIN.T
    np.testing.assert_array_equal(dag_to_cpdag(reversed_chain), skeleton)


def test_collider_stays_directed():
    np.testing.assert_array_equal(dag_to_cpdag(COLLIDER), COLLIDER)
    # a shielded collider (triangle) is not a v-structure: all undirected
    triangle = graph(3, directed=[(0, 1), (2, 1), (0, 2)])
    np.testing.assert_array_equal(dag_to_cpdag(triangle), triangle + triangle.T)


def test_rule1_and_rule2_fire_in_dag_to_cpdag():
    # 0 -> 2 <- 1 is a v-structure; R1 orients 2 -> 3 (1, 3 non-adjacent);
    # R2 orients 0 -> 3 along 0 -> 2 -> 3.
    G = graph(4, directed=[(0, 2), (1, 2), (2, 3), (0, 3)])
    np.testing.assert_array_equal(dag_to_cpdag(G), G)


def test_rule3_fires_in_dag_to_cpdag():
    # a=0, b=1, c=2, e=3: 2 -> 1 <- 3 v-structure, 0 adjacent to all three.
    G = graph(4, directed=[(0, 2), (0, 3), (2, 1), (3, 1), (0, 1)])
    expected = graph(4, directed=[(2, 1), (3, 1), (0, 1)], undirected=[(0, 2), (0, 3)])
    np.testing.assert_array_equal(dag_to_cpdag(G), expected)


def test_textbook_example_meek_1995():
    # The classic "sprinkler"-style example: 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, 3 -> 4
    G = graph(5, directed=[(0, 1), (0, 2), (1, 3), (2, 3), (3, 4)])
    expected = graph(5, directed=[(1, 3), (2, 3), (3, 4)], undirected=[(0, 1), (0, 2)])
    np.testing.assert_array_equal(dag_to_cpdag(G), expected)


def test_dag_to_cpdag_matches_brute_force_equivalence_class():
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(60):
        d = int(rng.integers(3, 7))
        G = random_dag(d, 0.45, rng)
        if (G != 0).sum() > 10:
            continue
        expected = common_orientation(markov_equivalence_class(G))
        np.testing.assert_array_equal(dag_to_cpdag(G), expected)
        checked += 1
    assert checked >= 30


def test_dag_to_cpdag_invariant_under_covered_edge_reversal():
    # Chickering (1995): reversing a covered edge i -> j (pa(j) = pa(i) + {i})
    # gives a Markov equivalent DAG.
    rng = np.random.default_rng(1)
    reversals = 0
    for _ in range(40):
        G = random_dag(8, 0.4, rng)
        cpdag = dag_to_cpdag(G)
        for i, j in zip(*np.nonzero(G), strict=True):
            pa_i = set(parents(G, i).tolist())
            if set(parents(G, j).tolist()) == pa_i | {int(i)}:
                H = G.copy()
                H[i, j], H[j, i] = 0.0, 1.0
                assert is_dag(H)
                np.testing.assert_array_equal(dag_to_cpdag(H), cpdag)
                reversals += 1
    assert reversals > 50


def test_dag_to_cpdag_ignores_weights_and_validates():
    W = CHAIN * np.array([[0, -2.5, 0], [0, 0, 0.1], [0, 0, 0]])
    np.testing.assert_array_equal(dag_to_cpdag(W), dag_to_cpdag(CHAIN))
    with pytest.raises(ValueError, match="cycle"):
        dag_to_cpdag(CHAIN + CHAIN.T)
    with pytest.raises(ValueError, match="square"):
        dag_to_cpdag(np.zeros((2, 3)))


# --------------------------------------------------------------------------------
# apply_meek_rules
# --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("pdag", "expected"),
    [
        # R1: 0 -> 1 - 2, 0 and 2 non-adjacent
        (
            graph(3, directed=[(0, 1)], undirected=[(1, 2)]),
            graph(3, directed=[(0, 1), (1, 2)]),
        ),
        # R2: 0 -> 2 -> 1 and 0 - 1
        (
            graph(3, directed=[(0, 2), (2, 1)], undirected=[(0, 1)]),
            graph(3, directed=[(0, 2), (2, 1), (0, 1)]),
        ),
        # R3: 0 - 2 -> 1, 0 - 3 -> 1, 2 and 3 non-adjacent, 0 - 1
        (
            graph(4, directed=[(2, 1), (3, 1)], undirected=[(0, 2), (0, 3), (0, 1)]),
            graph(4, directed=[(2, 1), (3, 1), (0, 1)], undirected=[(0, 2), (0, 3)]),
        ),
        # R4: 0 - 2 -> 3 -> 1, 0 - 3, 2 and 1 non-adjacent, 0 - 1
        (
            graph(4, directed=[(2, 3), (3, 1)], undirected=[(0, 2), (0, 3), (0, 1)]),
            graph(4, directed=[(2, 3), (3, 1), (0, 1)], undirected=[(0, 2), (0, 3)]),
        ),
        # nothing fires on an undirected triangle
        (
            graph(3, undirected=[(0, 1), (1, 2), (0, 2)]),
            graph(3, undirected=[(0, 1), (1, 2), (0, 2)]),
        ),
    ],
    ids=["R1", "R2", "R3", "R4", "none"],
)
def test_each_meek_rule(pdag, expected):
    original = pdag.copy()
    np.testing.assert_array_equal(apply_meek_rules(pdag), expected)
    np.testing.assert_array_equal(pdag, original)


def test_meek_rules_keep_values_and_reach_fixpoint():
    P = graph(3, directed=[(0, 1)], undirected=[(1, 2)]) * 0.5
    out = apply_meek_rules(P)
    assert out[1, 2] == 0.5 and out[2, 1] == 0.0
    np.testing.assert_array_equal(apply_meek_rules(out), out)
    rng = np.random.default_rng(2)
    for _ in range(20):
        cpdag = dag_to_cpdag(random_dag(10, 0.3, rng))
        np.testing.assert_array_equal(apply_meek_rules(cpdag), cpdag)


def consistent_members(P, target):
    """DAGs orienting the undirected edges of P with v-structures ``target``."""
    P = P != 0
    undirected = np.argwhere(np.triu(P & P.T))
    members = []
    for bits in itertools.product([False, True], repeat=len(undirected)):
        B = P.copy()
        for (i, j), flip in zip(undirected, bits, strict=True):
            B[(i, j) if flip else (j, i)] = False
        if is_dag(B) and v_structures(B) == target:
            members.append(B)
    return members


def test_meek_rules_with_background_knowledge_match_brute_force():
    # Meek (1995, Theorem 4): closing a CPDAG plus some orientations taken from a
    # member DAG under R1-R4 orients exactly the edges shared by all members that
    # agree with that knowledge. (The members are enumerated by orienting the
    # CPDAG's undirected edges, which the brute-force CPDAG test justifies.)
    rng = np.random.default_rng(3)
    checked = needed_rule4 = 0
    for _ in range(150):
        d = int(rng.integers(4, 8))
        G = random_dag(d, 0.6, rng) != 0
        cpdag = dag_to_cpdag(G) != 0
        undirected = np.argwhere(np.triu(cpdag & cpdag.T))
        if not 2 <= len(undirected) <= 10:
            continue
        target = v_structures(G)
        for _ in range(4):
            known = undirected[rng.random(len(undirected)) < 0.4]
            P = cpdag.copy()
            for i, j in known:  # orient as in G
                if G[i, j]:
                    P[j, i] = False
                else:
                    P[i, j] = False
            expected = common_orientation(consistent_members(P, target))
            result = apply_meek_rules(P)
            np.testing.assert_array_equal(result, expected)
            without_r4 = _meek_closure(P.copy(), rules=_MEEK_RULES[:3])
            needed_rule4 += not np.array_equal(without_r4, result != 0)
            checked += 1
    assert checked >= 200
    assert needed_rule4 >= 3  # the sample really exercises R4


def test_apply_meek_rules_rejects_self_loops():
    with pytest.raises(ValueError, match="self-loop"):
        apply_meek_rules(np.eye(2))


# --------------------------------------------------------------------------------
# pdag_to_dag
# --------------------------------------------------------------------------------
def test_pdag_to_dag_known():
    np.testing.assert_array_equal(
        pdag_to_dag(graph(3, undirected=[(0, 1), (1, 2)])),
        graph(3, directed=[(1, 0), (2, 1)]),
    )
    np.testing.assert_array_equal(pdag_to_dag(COLLIDER), COLLIDER)
    # weights survive
    W = graph(2, undirected=[(0, 1)]) * 0.7
    assert pdag_to_dag(W).sum() == pytest.approx(0.7)


def test_pdag_to_dag_round_trip_random():
    rng = np.random.default_rng(4)
    for d in (2, 5, 8, 15, 30):
        for _ in range(8):
            G = random_dag(d, min(1.0, 3.0 / d), rng)
            cpdag = dag_to_cpdag(G)
            H = pdag_to_dag(cpdag)
            assert is_dag(H)
            # H is in the class: skeleton, compelled edges and CPDAG all agree
            np.testing.assert_array_equal((H + H.T) != 0, (G + G.T) != 0)
            assert v_structures(H) == v_structures(G)
            np.testing.assert_array_equal(dag_to_cpdag(H), cpdag)
            directed = (cpdag != 0) & (cpdag.T == 0)
            assert (H[directed] != 0).all()


def test_pdag_to_dag_without_extension_raises():
    square = graph(4, undirected=[(0, 1), (1, 2), (2, 3), (3, 0)])
    with pytest.raises(ValueError, match="no consistent DAG extension"):
        pdag_to_dag(square)
    cycle = graph(3, directed=[(0, 1), (1, 2), (2, 0)])
    with pytest.raises(ValueError, match="no consistent DAG extension"):
        pdag_to_dag(cycle)
    # orienting 1 - 2 either way creates a new v-structure or a cycle
    bad = graph(4, directed=[(0, 1), (3, 2)], undirected=[(1, 2)])
    with pytest.raises(ValueError, match="no consistent DAG extension"):
        pdag_to_dag(bad)
