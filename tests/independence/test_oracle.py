"""The d-separation oracle."""

import numpy as np
import pytest

from skcausal.independence import DSeparationOracle


def test_oracle_reads_d_separation():
    collider = np.array([[0, 0, 1], [0, 0, 1], [0, 0, 0]])  # 0 -> 2 <- 1
    oracle = DSeparationOracle(collider).fit(np.zeros((4, 3)))
    assert oracle.pvalue(0, 1) == 1.0
    assert oracle.pvalue(0, 1, [2]) == 0.0
    assert oracle.n_samples_ == 4


def test_oracle_bad_input():
    with pytest.raises(ValueError, match="needs the true DAG"):
        DSeparationOracle().fit()
    with pytest.raises(ValueError, match="must be a DAG"):
        DSeparationOracle(np.array([[0, 1], [1, 0]])).fit()
    with pytest.raises(ValueError, match="2 nodes"):
        DSeparationOracle(np.zeros((2, 2))).fit(np.zeros((5, 3)))


def test_oracle_agrees_with_graph_d_separated():
    from skcausal.datasets import make_dag
    from skcausal.graph import d_separated

    rng = np.random.default_rng(0)
    for seed in range(5):
        A = make_dag(9, edges_per_node=1.5, random_state=seed)
        oracle = DSeparationOracle(A).fit()
        for _ in range(60):
            nodes = rng.permutation(9)
            x, y = int(nodes[0]), int(nodes[1])
            z = sorted(int(v) for v in nodes[2 : 2 + rng.integers(0, 4)])
            expected = 1.0 if d_separated(A, x, y, z) else 0.0
            assert oracle.pvalue(x, y, z) == expected
