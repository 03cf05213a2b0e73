"""Adjustment sets, the front-door criterion and identify(), checked against
independent brute force (enumeration of paths) on random DAGs."""

from itertools import chain, combinations

import numpy as np
import pytest

from skcausal.datasets import make_dag
from skcausal.graph import d_separated, descendants
from skcausal.graph._adjustment import (
    Identification,
    frontdoor_set,
    identify,
    is_frontdoor_set,
    is_valid_adjustment_set,
    minimal_adjustment_set,
    optimal_adjustment_set,
)


# ----------------------------------------------------------------------------------
# Brute force, written without the module under test
# ----------------------------------------------------------------------------------
def subsets(nodes):
    nodes = sorted(nodes)
    return chain.from_iterable(combinations(nodes, k) for k in range(len(nodes) + 1))


def backdoor_brute(A, x, y, Z):
    """Pearl's back-door criterion: no descendant of x, and Z d-separates x and y
    in the graph without the edges out of x."""
    if set(Z) & set(descendants(A, x).tolist()):
        return False
    cut = A.copy()
    cut[x, :] = 0
    return d_separated(cut, x, y, list(Z))


def _simple_paths(E, a, b, directed):
    """All simple paths from a to b (node lists) by depth-first search; along the
    edges of ``E`` when ``directed``, else along the skeleton."""
    adjacent = E if directed else (E | E.T)
    paths, stack = [], [[a]]
    while stack:
        path = stack.pop()
        for nxt in np.flatnonzero(adjacent[path[-1]]).tolist():
            if nxt == b:
                paths.append([*path, b])
            elif nxt not in path:
                stack.append([*path, nxt])
    return paths


def _desc(E, v):
    """Descendants of v, v included."""
    seen, stack = {v}, [v]
    while stack:
        for c in np.flatnonzero(E[stack.pop()]).tolist():
            if c not in seen:
                seen.add(c)
                stack.append(c)
    return seen


def _blocked(E, path, Z):
    """Whether ``Z`` blocks one path (Pearl's definition, node by node)."""
    for k in range(1, len(path) - 1):
        prev, node, nxt = path[k - 1], path[k], path[k + 1]
        if E[prev, node] and E[nxt, node]:  # a collider
            if not _desc(E, node) & Z:
                return True
        elif node in Z:
            return True
    return False


def adjustment_brute(A, x, y, Z):
    """Generalised adjustment criterion on paths (Shpitser et al., 2010): Z has no
    descendant of a node (other than x) on a directed x -> y path, and every
    non-causal path from x to y is blocked by Z."""
    E = np.asarray(A) != 0
    Z = set(Z)
    forbidden = set()
    for path in _simple_paths(E, x, y, directed=True):
        for node in path[1:]:
            forbidden |= _desc(E, node)
    if Z & forbidden:
        return False
    for path in _simple_paths(E, x, y, directed=False):
        directed = all(E[a, b] for a, b in zip(path, path[1:], strict=False))
        if not directed and not _blocked(E, path, Z):
            return False
    return True


def frontdoor_brute(A, x, y, M):
    """Front-door criterion on paths. Condition 3 is read as in the do-calculus:
    paths from M to y in the graph without the edges out of M."""
    E = np.asarray(A) != 0
    M = set(M)
    for path in _simple_paths(E, x, y, directed=True):
        if not M & set(path[1:-1]):
            return False
    for m in M:  # no unblocked back-door path x <- ... m
        for path in _simple_paths(E, x, m, directed=False):
            if E[path[1], x] and not _blocked(E, path, set()):
                return False
    cut = E.copy()
    cut[sorted(M), :] = False
    for m in M:
        for path in _simple_paths(cut, m, y, directed=False):
            if not _blocked(cut, path, {x}):
                return False
    return True


def random_cases(n_graphs, n_nodes, edges_per_node, seed):
    rng = np.random.default_rng(seed)
    for g in range(n_graphs):
        A = make_dag(
            n_nodes, edges_per_node=edges_per_node, random_state=seed * 1000 + g
        )
        x, y = (int(v) for v in rng.choice(n_nodes, size=2, replace=False))
        # make y a descendant of x in most cases, so that the effect is not zero
        if y not in descendants(A, x) and rng.random() < 0.7:
            down = descendants(A, x)
            if down.size:
                y = int(rng.choice(down))
        yield A, x, y


def mbias():
    """1 <- 0 -> 3 <- 4 -> 2, 1 -> 2: x=1, y=2, collider 3."""
    A = np.zeros((5, 5))
    A[0, 1] = A[0, 3] = A[4, 3] = A[4, 2] = A[1, 2] = 1
    return A


def frontdoor_graph():
    """x=0 -> m=1 -> y=2 with u=3 -> x, u -> y."""
    A = np.zeros((4, 4))
    A[0, 1] = A[1, 2] = A[3, 0] = A[3, 2] = 1
    return A


# ----------------------------------------------------------------------------------
# Criteria against brute force
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1])
def test_criteria_match_brute_force_on_random_dags(seed):
    n_checked = n_valid = n_adjust_only = 0
    for A, x, y in random_cases(25, 6, 1.5, seed):
        others = set(range(6)) - {x, y}
        for Z in subsets(others):
            backdoor = is_valid_adjustment_set(A, x, y, Z, criterion="backdoor")
            adjustment = is_valid_adjustment_set(A, x, y, Z)
            assert backdoor == backdoor_brute(A, x, y, Z), (A, x, y, Z)
            assert adjustment == adjustment_brute(A, x, y, Z), (A, x, y, Z)
            assert not backdoor or adjustment  # back-door sets are adjustment sets
            n_checked += 1
            n_valid += adjustment
            n_adjust_only += adjustment and not backdoor
    # the random cases exercise both answers and the sets only the general
    # criterion accepts (descendants of x off the causal paths)
    assert n_checked == 25 * 16
    assert 0 < n_valid < n_checked
    assert n_adjust_only > 0


@pytest.mark.parametrize("criterion", ["adjustment", "backdoor"])
def test_minimal_set_is_valid_and_minimal(criterion):
    rng = np.random.default_rng(3)
    n_found = n_none = 0
    for A, x, y in random_cases(60, 7, 1.5, 5):
        others = set(range(7)) - {x, y}
        latent = {int(v) for v in rng.choice(sorted(others), size=2, replace=False)}
        observed = others - latent
        brute = backdoor_brute if criterion == "backdoor" else adjustment_brute
        valid_sets = [set(Z) for Z in subsets(observed) if brute(A, x, y, Z)]
        found = minimal_adjustment_set(
            A, x, y, latent=sorted(latent), criterion=criterion
        )
        if not valid_sets:
            assert found is None
            n_none += 1
            continue
        n_found += 1
        assert found is not None and not set(found) & latent
        assert brute(A, x, y, found)
        # no proper subset is valid
        assert not any(set(found) > Z for Z in valid_sets), (A, x, y, found)
    assert n_found > 20 and n_none > 5


def test_optimal_set_is_valid_and_exists_exactly_when_a_valid_set_exists():
    n_found = 0
    for A, x, y in random_cases(60, 7, 2.0, 11):
        others = set(range(7)) - {x, y}
        optimal = optimal_adjustment_set(A, x, y)
        if y not in descendants(A, x):
            assert optimal is None
            continue
        any_valid = any(adjustment_brute(A, x, y, Z) for Z in subsets(others))
        # Henckel et al. (2022): O is valid whenever some valid set exists
        assert (optimal is not None) == any_valid
        if optimal is not None:
            n_found += 1
            assert adjustment_brute(A, x, y, optimal)
            # O never holds a forbidden node: it contains no descendant of x
            assert not set(optimal) & set(descendants(A, x).tolist())
    assert n_found > 20


def test_optimal_set_is_parents_of_causal_nodes_minus_forbidden():
    # x=0 -> 1 -> y=2, confounder 3 -> 0, 3 -> 2; 4 -> 1 (a parent of a mediator);
    # 5 -> y; 6 is a child of the mediator (forbidden) that also causes y.
    A = np.zeros((7, 7))
    for i, j in [(0, 1), (1, 2), (3, 0), (3, 2), (4, 1), (5, 2), (1, 6), (6, 2)]:
        A[i, j] = 1
    assert optimal_adjustment_set(A, 0, 2) == (3, 4, 5)
    assert minimal_adjustment_set(A, 0, 2) == (3,)
    assert optimal_adjustment_set(A, 0, 2, latent=[5]) is None
    assert is_valid_adjustment_set(A, 0, 2, [3, 4, 5])
    assert not is_valid_adjustment_set(A, 0, 2, [3, 6])  # 6 is forbidden


def test_optimal_set_gives_smaller_variance_than_minimal_in_linear_sem():
    # The OLS coefficient of x adjusted for O varies less over replications than
    # adjusted for the minimal set (Henckel, Perković & Maathuis, 2022).
    A = np.zeros((4, 4))  # 0 confounder, 1 = x, 2 = y, 3 = cause of y only
    A[0, 1] = A[0, 2] = A[1, 2] = A[3, 2] = 1
    assert optimal_adjustment_set(A, 1, 2) == (0, 3)
    assert minimal_adjustment_set(A, 1, 2) == (0,)
    rng = np.random.default_rng(0)
    estimates = {"optimal": [], "minimal": []}
    for _ in range(200):
        n = 200
        c, w = rng.normal(size=n), rng.normal(size=n)
        x = c + rng.normal(size=n)
        y = 1.0 * x + c + 2.0 * w + rng.normal(size=n)
        for name, cols in (("optimal", [c, w]), ("minimal", [c])):
            design = np.column_stack([x, *cols, np.ones(n)])
            estimates[name].append(np.linalg.lstsq(design, y, rcond=None)[0][0])
    sd_opt, sd_min = np.std(estimates["optimal"]), np.std(estimates["minimal"])
    assert abs(np.mean(estimates["optimal"]) - 1.0) < 0.02
    assert abs(np.mean(estimates["minimal"]) - 1.0) < 0.05
    # theory: sd ratio sqrt(1 / 5) = 0.45
    assert sd_opt < 0.6 * sd_min


# ----------------------------------------------------------------------------------
# Classic graphs
# ----------------------------------------------------------------------------------
def test_mbias_empty_set_valid_collider_alone_invalid():
    A = mbias()
    assert is_valid_adjustment_set(A, 1, 2, [])
    assert is_valid_adjustment_set(A, 1, 2, [], criterion="backdoor")
    assert not is_valid_adjustment_set(A, 1, 2, [3])
    assert not is_valid_adjustment_set(A, 1, 2, [3], criterion="backdoor")
    assert is_valid_adjustment_set(A, 1, 2, [3, 0])
    assert is_valid_adjustment_set(A, 1, 2, [3, 4])
    assert minimal_adjustment_set(A, 1, 2) == ()
    # the optimal set keeps the cause 4 of y, which is valid and more precise
    assert optimal_adjustment_set(A, 1, 2) == (4,)
    result = identify(A, 1, 2)
    assert result.strategy == "backdoor" and result.adjustment_set == (4,)
    assert result.minimal_set == ()


def test_descendant_of_source_off_causal_path():
    # x=0 -> y=1, x -> 2: 2 is a descendant of x that the adjustment criterion
    # allows and the back-door criterion does not.
    A = np.zeros((3, 3))
    A[0, 1] = A[0, 2] = 1
    assert is_valid_adjustment_set(A, 0, 1, [2])
    assert not is_valid_adjustment_set(A, 0, 1, [2], criterion="backdoor")


def test_classic_frontdoor_graph():
    A = frontdoor_graph()
    assert is_frontdoor_set(A, 0, 2, [1])
    assert frontdoor_set(A, 0, 2, latent=[3]) == (1,)
    assert minimal_adjustment_set(A, 0, 2, latent=[3]) is None
    result = identify(A, 0, 2, latent=[3])
    assert isinstance(result, Identification)
    assert result.strategy == "frontdoor" and result.mediators == (1,)
    assert result.identified and result.adjustment_set is None
    assert result.latent == (3,)
    # u observed: the back door is preferred
    result = identify(A, 0, 2)
    assert result.strategy == "backdoor" and result.adjustment_set == (3,)


@pytest.mark.parametrize(
    "extra_edge, failing_condition",
    [((3, 1), "u -> m: back-door path x <- u -> m"), ((0, 2), "x -> y bypasses m")],
)
def test_frontdoor_fails_when_a_condition_is_broken(extra_edge, failing_condition):
    A = frontdoor_graph()
    A[extra_edge] = 1
    assert not is_frontdoor_set(A, 0, 2, [1]), failing_condition
    assert frontdoor_set(A, 0, 2, latent=[3]) is None
    result = identify(A, 0, 2, latent=[3])
    assert result.strategy == "none" and not result.identified
    assert "[3]" in result.reason and "front-door" in result.reason


def test_frontdoor_condition_three_fails_with_mediator_outcome_confounder():
    A = np.zeros((5, 5))  # frontdoor graph plus latent w=4 -> m, w -> y
    A[0, 1] = A[1, 2] = A[3, 0] = A[3, 2] = A[4, 1] = A[4, 2] = 1
    assert not is_frontdoor_set(A, 0, 2, [1])
    assert frontdoor_set(A, 0, 2, latent=[3, 4]) is None
    # With w observed, {m, w} is a front-door set: w has no back-door path from x
    # (the collider y blocks x <- u -> y <- w), and once the edges out of m and w
    # are cut, x blocks the only back-door path m <- x <- u -> y.
    assert is_frontdoor_set(A, 0, 2, [1, 4])
    result = identify(A, 0, 2, latent=[3])
    assert result.strategy == "frontdoor" and result.mediators == (1, 4)


def test_frontdoor_search_is_complete_on_random_dags():
    # A random 7-node DAG, a pair (x, y) with y a descendant of x, plus a latent
    # confounder u = node 7 of x and y and one more random latent node: the back
    # door is closed, and a front-door set exists in some of the graphs.
    rng = np.random.default_rng(7)
    n_frontdoor = n_checked = 0
    for g in range(120):
        dag = make_dag(7, edges_per_node=1.5, random_state=500 + g)
        pairs = [(x, y) for x in range(7) for y in descendants(dag, x).tolist()]
        if not pairs:
            continue
        x, y = pairs[int(rng.integers(len(pairs)))]
        A = np.zeros((8, 8))
        A[:7, :7] = dag
        A[7, x] = A[7, y] = 1
        others = sorted(set(range(7)) - {x, y})
        latent = {7, int(rng.choice(others))}
        observed = sorted(set(others) - latent)
        assert minimal_adjustment_set(A, x, y, latent=sorted(latent)) is None
        any_fd = any(frontdoor_brute(A, x, y, M) for M in subsets(observed) if M)
        found = frontdoor_set(A, x, y, latent=sorted(latent))
        assert (found is not None) == any_fd, (A, x, y, latent)
        if g % 4 == 0:  # the criterion itself on every subset (a quarter of graphs)
            for M in subsets(observed):
                if M:
                    assert is_frontdoor_set(A, x, y, M) == frontdoor_brute(A, x, y, M)
        if found is not None:
            n_frontdoor += 1
            assert frontdoor_brute(A, x, y, found)
            assert not set(found) & latent
            # minimal: no single node can be dropped
            for node in found:
                smaller = set(found) - {node}
                assert not smaller or not frontdoor_brute(A, x, y, smaller)
            assert identify(A, x, y, latent=sorted(latent)).mediators == found
        else:
            assert identify(A, x, y, latent=sorted(latent)).strategy == "none"
        n_checked += 1
    assert n_checked > 100 and 10 < n_frontdoor < n_checked


def test_identify_strategies_on_random_dags_are_consistent():
    rng = np.random.default_rng(2)
    counts = dict.fromkeys(("no_effect", "backdoor", "frontdoor", "none"), 0)
    for A, x, y in random_cases(80, 7, 1.5, 9):
        others = sorted(set(range(7)) - {x, y})
        latent = sorted(int(v) for v in rng.choice(others, size=2, replace=False))
        result = identify(A, x, y, latent=latent)
        counts[result.strategy] += 1
        assert result.reason
        if result.strategy == "no_effect":
            assert y not in descendants(A, x)
        elif result.strategy == "backdoor":
            assert adjustment_brute(A, x, y, result.adjustment_set)
            assert not set(result.adjustment_set) & set(latent)
            assert result.adjustment_set in (result.optimal_set, result.minimal_set)
        elif result.strategy == "frontdoor":
            assert result.minimal_set is None
            assert frontdoor_brute(A, x, y, result.mediators)
        else:
            assert minimal_adjustment_set(A, x, y, latent=latent) is None
            assert frontdoor_set(A, x, y, latent=latent) is None
    assert counts["no_effect"] > 5 and counts["backdoor"] > 20
    assert counts["none"] > 0


def test_no_directed_path_is_no_effect():
    A = np.zeros((3, 3))
    A[2, 0] = A[2, 1] = 1  # 0 <- 2 -> 1
    result = identify(A, 0, 1)
    assert result.strategy == "no_effect"
    assert "no directed path" in result.reason
    assert optimal_adjustment_set(A, 0, 1) is None
    assert minimal_adjustment_set(A, 0, 1) == (2,)


def test_unobserved_confounder_without_mediator_is_none():
    A = np.zeros((3, 3))
    A[0, 1] = A[2, 0] = A[2, 1] = 1
    result = identify(A, 0, 1, latent=[2])
    assert result.strategy == "none"
    assert result.adjustment_set is None and result.mediators is None
    assert "latent nodes [2]" in result.reason


def test_tuple_outputs_and_numpy_inputs():
    A = frontdoor_graph().astype(int)
    assert is_valid_adjustment_set(A, np.int64(0), np.int64(2), np.array([3]))
    assert isinstance(minimal_adjustment_set(A, 0, 2), tuple)
    assert identify(A, 0, 2).optimal_set == (3,)


# ----------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------
def test_bad_input():
    A = frontdoor_graph()
    with pytest.raises(ValueError, match="source=7 is out of range"):
        identify(A, 7, 2)
    with pytest.raises(ValueError, match="target=-1 is out of range"):
        minimal_adjustment_set(A, 0, -1)
    with pytest.raises(ValueError, match="adjustment_set=9 is out of range"):
        is_valid_adjustment_set(A, 0, 2, [9])
    with pytest.raises(ValueError, match="source and target must be different"):
        identify(A, 1, 1)
    with pytest.raises(TypeError, match="source must be an integer"):
        identify(A, "x", 2)
    cyclic = A.copy()
    cyclic[2, 0] = 1
    with pytest.raises(ValueError, match="must be a DAG.*cycle"):
        identify(cyclic, 0, 2)
    with pytest.raises(ValueError, match="must be a DAG"):
        is_frontdoor_set(cyclic, 0, 2, [1])
    with pytest.raises(ValueError, match="square"):
        identify(np.zeros((3, 4)), 0, 1)
    with pytest.raises(ValueError, match="must not contain the source node 0"):
        is_valid_adjustment_set(A, 0, 2, [0, 3])
    with pytest.raises(ValueError, match="must not contain the target node 2"):
        is_frontdoor_set(A, 0, 2, [2])
    with pytest.raises(ValueError, match="mediators must contain at least one"):
        is_frontdoor_set(A, 0, 2, [])
    with pytest.raises(ValueError, match="latent contains the source node 0"):
        identify(A, 0, 2, latent=[0])
    with pytest.raises(ValueError, match="criterion must be one of"):
        is_valid_adjustment_set(A, 0, 2, [3], criterion="frontdoor")
    with pytest.raises(TypeError, match="adjustment_set must be a node index"):
        is_valid_adjustment_set(A, 0, 2, "3")
