"""Tests for varsortability (skcausal.metrics._varsortability)."""

import numpy as np
import pytest

from skcausal.datasets import make_linear_sem
from skcausal.metrics._varsortability import varsortability

CHAIN = np.array([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]])


@pytest.fixture(scope="module")
def chain_data():
    rng = np.random.default_rng(0)
    n = 2000
    X = np.zeros((n, 4))
    X[:, 0] = rng.normal(size=n)
    for j in range(1, 4):
        X[:, j] = X[:, j - 1] + rng.normal(size=n)  # variances 1, 2, 3, 4
    return X


def test_one_on_a_chain_with_increasing_variance(chain_data):
    assert varsortability(chain_data, CHAIN) == 1.0
    assert varsortability(chain_data, 2.5 * CHAIN) == 1.0  # weights are ignored
    assert varsortability(chain_data, CHAIN.T) == 0.0  # every path reversed


def test_one_half_after_standardisation(chain_data):
    standardised = (chain_data - chain_data.mean(0)) / chain_data.std(0)
    assert varsortability(standardised, CHAIN) == pytest.approx(0.5, abs=1e-12)


def test_counts_pairs_per_path_length():
    # Edges 0 -> 1, 1 -> 2, 0 -> 2 and variances 1, 3, 2. Length 1: (0,1) up,
    # (1,2) down, (0,2) up; length 2: (0,2) up. Varsortability = 3 / 4.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 3))
    X = (X - X.mean(0)) / X.std(0) * np.sqrt([1.0, 3.0, 2.0])
    A = np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]])
    assert varsortability(X, A) == pytest.approx(0.75)
    # A tie counts one half: make columns 1 and 2 equal in variance.
    X[:, 2] = X[:, 2] / np.sqrt(2.0) * np.sqrt(3.0)
    assert varsortability(X, A) == pytest.approx((1 + 0.5 + 1 + 1) / 4)


def test_high_on_standard_simulations_and_reduced_by_standardising():
    values, standardised = [], []
    for seed in range(3):
        X, W = make_linear_sem(
            n_samples=500, n_nodes=10, edges_per_node=2, random_state=seed
        )
        values.append(varsortability(X, W))
        standardised.append(varsortability(X / X.std(0), W))
    assert np.mean(values) > 0.9
    np.testing.assert_allclose(standardised, 0.5, atol=1e-12)


def test_bad_input():
    X = np.random.default_rng(0).normal(size=(10, 3))
    with pytest.raises(ValueError, match="shape"):
        varsortability(X, np.zeros((4, 4)))
    with pytest.raises(ValueError, match="no edge"):
        varsortability(X, np.zeros((3, 3)))
    X_bad = X.copy()
    X_bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        varsortability(X_bad, np.eye(3, k=1))
    with pytest.raises(ValueError, match="tol"):
        varsortability(X, np.eye(3, k=1), tol=-1.0)
