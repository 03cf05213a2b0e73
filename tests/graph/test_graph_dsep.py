"""Tests for skcausal.graph.d_separated against known answers and path enumeration."""

import itertools

import numpy as np
import pytest

from skcausal.graph import d_separated


def random_dag(d, p, rng):
    """Random DAG: permuted strictly upper-triangular Bernoulli(p) matrix."""
    upper = np.triu(rng.random((d, d)) < p, k=1).astype(float)
    perm = rng.permutation(d)
    return upper[np.ix_(perm, perm)]


def graph(d, edges):
    A = np.zeros((d, d))
    for i, j in edges:
        A[i, j] = 1.0
    return A


def brute_force_d_separated(A, xs, ys, zs):
    """Pearl's definition: every simple path between X and Y is blocked by Z."""
    A = A != 0
    d = A.shape[0]
    skeleton = A | A.T
    reach = A.copy()
    for k in range(d):
        reach |= reach[:, [k]] & reach[[k], :]
    zs = set(zs)

    def blocked(path):
        for a, b, c in zip(path, path[1:], path[2:], strict=False):
            if A[a, b] and A[c, b]:  # collider at b
                if b not in zs and not any(reach[b, z] for z in zs):
                    return True
            elif b in zs:
                return True
        return False

    def paths(start, goal, visited):
        if start == goal:
            yield list(visited)
            return
        for nxt in np.flatnonzero(skeleton[start]):
            if nxt not in visited:
                yield from paths(nxt, goal, [*visited, int(nxt)])

    return all(blocked(path) for x in xs for y in ys for path in paths(x, y, [x]))


def test_chain():
    chain = graph(3, [(0, 1), (1, 2)])
    assert not d_separated(chain, 0, 2)
    assert d_separated(chain, 0, 2, 1)
    assert not d_separated(chain, 0, 1, 2)


def test_fork():
    fork = graph(3, [(1, 0), (1, 2)])
    assert not d_separated(fork, 0, 2)
    assert d_separated(fork, 0, 2, [1])


def test_collider_and_its_descendant():
    A = graph(4, [(0, 2), (1, 2), (2, 3)])
    assert d_separated(A, 0, 1)
    assert not d_separated(A, 0, 1, 2)
    assert not d_separated(A, 0, 1, 3)  # conditioning on a descendant opens it
    assert d_separated(A, [0], [1], ())


def test_sets_and_symmetry():
    # 0 -> 1 -> 3, 0 -> 2 -> 3: blocking needs both middle nodes
    A = graph(4, [(0, 1), (0, 2), (1, 3), (2, 3)])
    assert not d_separated(A, 0, 3, [1])
    assert d_separated(A, 0, 3, [1, 2])
    assert d_separated(A, 3, 0, {1, 2})
    assert d_separated(A, [1], [2], [0])
    assert not d_separated(A, [1], [2], [0, 3])
    assert not d_separated(A, [0, 1], 3, 2)
    assert d_separated(A, 0, 3, np.array([1, 2]))


def test_matches_brute_force_on_random_dags():
    rng = np.random.default_rng(0)
    n_checks = 0
    for _ in range(40):
        d = int(rng.integers(3, 7))
        A = random_dag(d, 0.5, rng)
        for x, y in itertools.combinations(range(d), 2):
            rest = [k for k in range(d) if k not in (x, y)]
            for size in range(len(rest) + 1):
                for zs in itertools.combinations(rest, size):
                    if rng.random() > 0.3:
                        continue
                    expected = brute_force_d_separated(A, [x], [y], zs)
                    assert d_separated(A, x, y, zs) == expected, (A, x, y, zs)
                    n_checks += 1
    assert n_checks > 300


def test_input_validation():
    A = graph(3, [(0, 1), (1, 2)])
    with pytest.raises(ValueError, match="disjoint"):
        d_separated(A, 0, 0)
    with pytest.raises(ValueError, match="disjoint"):
        d_separated(A, 0, 2, [0])
    with pytest.raises(ValueError, match="disjoint"):
        d_separated(A, 0, 2, [2])
    with pytest.raises(ValueError, match="at least one"):
        d_separated(A, [], 2)
    with pytest.raises(ValueError, match="out of range"):
        d_separated(A, 0, 3)
    with pytest.raises(TypeError):
        d_separated(A, 0, 1.5)
    with pytest.raises(ValueError, match="cycle"):
        d_separated(A + A.T, 0, 2)
