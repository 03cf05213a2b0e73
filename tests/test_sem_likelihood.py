"""Tests for the profile Gaussian likelihood loss of GOLEM in skcausal._sem."""

import numpy as np
import pytest

from skcausal._sem import (
    SufficientStats,
    gaussian_likelihood_loss,
    gaussian_log_likelihood,
    noise_variance_from_stats,
)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(400, 5)) @ rng.normal(size=(5, 5)) + rng.normal(
        scale=3.0, size=5
    )


def _weights(seed, d, scale=0.4):
    rng = np.random.default_rng(seed)
    return rng.uniform(-scale, scale, size=(d, d)) * (1 - np.eye(d))


def _raw_loss(W, X, equal_variances):
    """The same quantity computed directly on the data matrix."""
    n, d = X.shape
    Xc = X - X.mean(axis=0)
    residual = Xc - Xc @ W
    log_det = np.log(abs(np.linalg.det(np.eye(d) - W)))
    if equal_variances:
        variance = np.sum(residual**2) / (n * d)
        value = 0.5 * d * np.log(2 * np.pi * variance)
    else:
        variance = np.sum(residual**2, axis=0) / n
        value = 0.5 * np.sum(np.log(2 * np.pi * variance))
    return value + 0.5 * d - log_det


@pytest.mark.parametrize("equal_variances", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_raw_data_computation(data, equal_variances, seed):
    W = _weights(seed, data.shape[1])  # cyclic: the log-determinant matters
    value, _ = gaussian_likelihood_loss(
        W, SufficientStats.from_data(data), equal_variances
    )
    assert value == pytest.approx(_raw_loss(W, data, equal_variances), rel=1e-10)


@pytest.mark.parametrize("equal_variances", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_matches_finite_differences(data, equal_variances, seed):
    stats = SufficientStats.from_data(data)
    W = _weights(seed, data.shape[1])
    _, grad = gaussian_likelihood_loss(W, stats, equal_variances)
    step = 1e-6
    numeric = np.zeros_like(W)
    for i, j in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[i, j] = step
        plus, _ = gaussian_likelihood_loss(W + E, stats, equal_variances)
        minus, _ = gaussian_likelihood_loss(W - E, stats, equal_variances)
        numeric[i, j] = (plus - minus) / (2 * step)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7)


def test_log_determinant_gradient_is_exact():
    # With S = I the residual terms are explicit; the log|det(I - W)| part is
    # d/dW[-log|det(I - W)|] = (I - W)^{-T}.
    d = 4
    W = _weights(3, d)
    stats = SufficientStats(10, np.zeros(d), 10 * np.eye(d))
    _, grad = gaussian_likelihood_loss(W, stats, False)
    R = np.eye(d) - W
    residual = np.sum(R * R, axis=0)
    expected = -R / residual + np.linalg.inv(R).T
    np.testing.assert_allclose(grad, expected, rtol=1e-12)


@pytest.mark.parametrize("equal_variances", [True, False])
def test_is_minus_the_log_likelihood_at_the_profiled_variances(data, equal_variances):
    stats = SufficientStats.from_data(data)
    for seed in range(3):
        W = _weights(seed, data.shape[1])
        variance = noise_variance_from_stats(W, stats, equal_variances)
        value, _ = gaussian_likelihood_loss(W, stats, equal_variances)
        expected = -gaussian_log_likelihood(W, stats, variance)
        assert value == pytest.approx(expected, rel=1e-10)


def test_equal_and_non_equal_agree_when_residual_variances_are_equal():
    d = 3
    stats = SufficientStats(50, np.zeros(d), 50 * 2.0 * np.eye(d))
    W = np.zeros((d, d))
    ev, ev_grad = gaussian_likelihood_loss(W, stats, True)
    nv, nv_grad = gaussian_likelihood_loss(W, stats, False)
    assert ev == pytest.approx(nv, rel=1e-14)
    np.testing.assert_allclose(ev_grad, nv_grad, rtol=1e-14)
    np.testing.assert_allclose(ev_grad, 0.0, atol=1e-14)  # W = 0 is stationary


def test_only_sufficient_statistics_matter(data):
    W = _weights(0, data.shape[1])
    once = gaussian_likelihood_loss(W, SufficientStats.from_data(data), False)
    twice = gaussian_likelihood_loss(
        W, SufficientStats.from_data(np.vstack([data, data])), False
    )
    assert once[0] == pytest.approx(twice[0], rel=1e-12)
    np.testing.assert_allclose(once[1], twice[1], rtol=1e-10)


def test_singular_model_has_infinite_loss(data):
    d = data.shape[1]
    W = np.zeros((d, d))
    W[0, 1] = W[1, 0] = 1.0  # I - W is singular
    value, grad = gaussian_likelihood_loss(W, SufficientStats.from_data(data), True)
    assert value == np.inf
    assert np.all(np.isfinite(grad))
    # A node that is an exact function of the others: zero residual variance.
    X = data.copy()
    X[:, 1] = 2.0 * X[:, 0]
    W = np.zeros((d, d))
    W[0, 1] = 2.0
    value, _ = gaussian_likelihood_loss(W, SufficientStats.from_data(X), False)
    assert value == np.inf
