"""PC accuracy against known truth: oracle recovery, Fisher-z and G^2 on samples."""

import numpy as np
import pytest

from skcausal.datasets import make_dag, make_discrete_bayesian_network
from skcausal.discovery._pc import PC
from skcausal.graph import dag_to_cpdag
from skcausal.independence import DSeparationOracle
from skcausal.metrics import structural_hamming_distance


@pytest.mark.parametrize("seed", range(20))
def test_oracle_pc_recovers_the_exact_cpdag(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(10, 21))
    graph_type = "ER" if seed % 2 == 0 else "SF"
    A = make_dag(d, graph_type=graph_type, edges_per_node=1.5, random_state=seed)
    X = np.zeros((2, d))
    model = PC(ci_test=DSeparationOracle(A), orientation="standard").fit(X)
    np.testing.assert_array_equal(model.adjacency_matrix_, dag_to_cpdag(A))
    # the separating sets are true d-separators
    from skcausal.graph import d_separated

    for (i, j), S in model.separating_sets_.items():
        assert d_separated(A, i, j, S)


def test_gsquared_on_discrete_networks():
    # d = 10, n = 5000, 2-3 levels, Dirichlet(0.5) CPTs, alpha = 0.01
    shd = []
    for seed in range(5):
        X, A, _ = make_discrete_bayesian_network(5000, 10, random_state=seed)
        model = PC(alpha=0.01).fit(X)  # integer dtype -> G^2
        shd.append(
            structural_hamming_distance(dag_to_cpdag(A), model.adjacency_matrix_)
        )
    # measured: [3, 0, 1, 5, 3] (mean 2.4) with 9-14 true edges
    assert np.mean(shd) <= 3.0
    assert max(shd) <= 6
