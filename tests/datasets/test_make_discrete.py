"""make_discrete_bayesian_network: known CPTs are reproduced, bad input rejected."""

import numpy as np
import pytest

from skcausal.datasets import make_discrete_bayesian_network
from skcausal.graph import is_dag


def test_random_network_shapes_and_codes():
    X, A, cpts = make_discrete_bayesian_network(500, 7, n_levels=(2, 4), random_state=0)
    assert X.shape == (500, 7) and X.dtype == np.int64
    assert is_dag(A) and A.shape == (7, 7)
    for j, table in enumerate(cpts):
        parents = np.flatnonzero(A[:, j])
        assert table.ndim == parents.size + 1
        np.testing.assert_allclose(table.sum(axis=-1), 1.0)
        assert X[:, j].min() >= 0 and X[:, j].max() < table.shape[-1]


def test_reproducible_with_seed():
    a = make_discrete_bayesian_network(100, 5, random_state=3)
    b = make_discrete_bayesian_network(100, 5, random_state=3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_known_cpts_are_reproduced_empirically():
    A = np.zeros((3, 3))
    A[0, 2] = A[1, 2] = 1  # 0 -> 2 <- 1
    cpts = [
        np.array([0.3, 0.7]),
        np.array([0.6, 0.1, 0.3]),
        np.array(
            [
                [[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]],
                [[0.1, 0.9], [0.7, 0.3], [0.4, 0.6]],
            ]
        ),
    ]
    X, dag, tables = make_discrete_bayesian_network(
        60000, adjacency=A, cpts=cpts, random_state=0
    )
    assert abs(X[:, 0].mean() - 0.7) < 0.01
    np.testing.assert_allclose(
        np.bincount(X[:, 1]) / len(X), [0.6, 0.1, 0.3], atol=0.01
    )
    for a in range(2):
        for b in range(3):
            rows = (X[:, 0] == a) & (X[:, 1] == b)
            assert abs(X[rows, 2].mean() - cpts[2][a, b, 1]) < 0.03
    assert tables[2] is not cpts[2]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_levels": 1}, "n_levels must be >= 2"),
        ({"n_levels": (3, 2)}, "low <= high"),
        ({"concentration": 0.0}, "concentration"),
        ({"cpts": [np.ones(2) / 2] * 3}, "pass adjacency"),
        ({"adjacency": np.array([[0, 1], [1, 0]])}, "DAG"),
        ({"adjacency": np.zeros((2, 2)), "cpts": [np.ones(2) / 2]}, "one table"),
        (
            {"adjacency": np.zeros((2, 2)), "cpts": [np.ones(2) / 2, np.ones(3)]},
            "sum",
        ),
        (
            {"adjacency": np.array([[0, 1], [0, 0]]), "cpts": [np.ones(2) / 2] * 2},
            "must have shape",
        ),
        ({"n_samples": 0}, "n_samples"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make_discrete_bayesian_network(**{"n_samples": 10, **kwargs})
