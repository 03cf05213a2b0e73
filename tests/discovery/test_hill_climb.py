"""Tests for the greedy DAG hill climb used to refine continuous-optimisation output."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skcausal._sem import SufficientStats
from skcausal.datasets import make_linear_sem
from skcausal.discovery._hill_climb import hill_climb
from skcausal.graph import is_dag
from skcausal.metrics import structural_hamming_distance
from skcausal.scores import GaussianBICScore


def _score(X):
    return GaussianBICScore(SufficientStats.from_data(X), equal_variances=True)


def test_from_the_empty_graph_recovers_a_small_equal_variance_sem():
    X, W = make_linear_sem(n_samples=5000, n_nodes=5, edges_per_node=1, random_state=2)
    G, n_steps = hill_climb(np.zeros_like(W), _score(X))
    assert structural_hamming_distance(W, G) == 0
    assert n_steps >= np.count_nonzero(W)


def test_repairs_a_reversed_edge():
    X, W = make_linear_sem(n_samples=5000, n_nodes=4, edges_per_node=1, random_state=0)
    start = W.copy() != 0
    i, j = np.argwhere(start)[0]
    start[i, j], start[j, i] = False, True
    assert is_dag(start)
    G, _ = hill_climb(start, _score(X))
    assert structural_hamming_distance(W, G) == 0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), d=st.integers(2, 7))
def test_output_is_a_dag_never_worse_and_respects_knowledge(seed, d):
    rng = np.random.default_rng(seed)
    X, W = make_linear_sem(n_samples=300, n_nodes=d, random_state=seed)
    score = _score(X)
    start = np.triu(rng.random((d, d)) < 0.3, k=1)
    forbidden = rng.random((d, d)) < 0.2
    forbidden &= ~start
    required = start & (rng.random((d, d)) < 0.5)
    G, _ = hill_climb(start, score, forbidden=forbidden, required=required)
    assert is_dag(G)
    assert not np.any(G & forbidden & ~start)
    assert np.all(G[required])
    assert score.graph_score(G) >= score.graph_score(start) - 1e-9


def test_max_steps_limits_the_search():
    X, W = make_linear_sem(n_samples=1000, n_nodes=6, edges_per_node=2, random_state=4)
    G, n_steps = hill_climb(np.zeros_like(W), _score(X), max_steps=2)
    assert n_steps == 2
    assert G.sum() <= 2


@pytest.mark.parametrize("seed", [0, 1])
def test_score_increases_along_the_path(seed):
    X, W = make_linear_sem(
        n_samples=800, n_nodes=6, edges_per_node=2, random_state=seed
    )
    score = _score(X)
    values = [score.graph_score(np.zeros_like(W))]
    G = np.zeros_like(W, dtype=bool)
    for _ in range(5):
        G, _ = hill_climb(G, score, max_steps=1)
        values.append(score.graph_score(G))
    assert all(b >= a for a, b in zip(values, values[1:], strict=False))


def _best_single_change(G, score, forbidden, required):
    """Brute force: the best score over every valid single-edge change of ``G``."""
    d = G.shape[0]
    best = score.graph_score(G)
    for i in range(d):
        for j in range(d):
            if i == j:
                continue
            candidates = []
            if G[i, j] and not required[i, j]:
                deleted = G.copy()
                deleted[i, j] = False
                candidates.append(deleted)
                if not forbidden[j, i]:
                    reversed_ = deleted.copy()
                    reversed_[j, i] = True
                    candidates.append(reversed_)
            elif not G[i, j] and not G[j, i] and not forbidden[i, j]:
                added = G.copy()
                added[i, j] = True
                candidates.append(added)
            for H in candidates:
                if is_dag(H):
                    best = max(best, score.graph_score(H))
    return best


@pytest.mark.parametrize("equal_variances", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_step_takes_the_best_single_change(seed, equal_variances):
    # The cached, vectorised gains must pick a change as good as brute force finds.
    rng = np.random.default_rng(seed)
    d = 6
    X, _ = make_linear_sem(
        n_samples=500, n_nodes=d, edges_per_node=2, random_state=seed
    )
    score = GaussianBICScore(
        SufficientStats.from_data(X), equal_variances=equal_variances, penalty=1.5
    )
    G = np.triu(rng.random((d, d)) < 0.4, k=1)
    forbidden = (rng.random((d, d)) < 0.15) & ~G
    required = G & (rng.random((d, d)) < 0.3)
    for _ in range(6):
        best = _best_single_change(G, score, forbidden, required)
        G_next, n_steps = hill_climb(
            G, score, forbidden=forbidden, required=required, max_steps=1
        )
        if n_steps == 0:
            assert best <= score.graph_score(G) + 1e-9 * abs(best)
            break
        assert score.graph_score(G_next) == pytest.approx(best, rel=1e-10)
        G = G_next
