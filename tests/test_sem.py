"""Tests for the linear-SEM losses and sufficient statistics in skcausal._sem."""

import pickle

import numpy as np
import pytest
from scipy.stats import multivariate_normal, norm
from sklearn.linear_model import LinearRegression

from skcausal._sem import (
    SufficientStats,
    gaussian_log_likelihood,
    least_squares_loss,
    noise_variance_from_stats,
    refit_least_squares,
)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)) @ rng.normal(size=(4, 4)) + rng.normal(
        scale=5.0, size=4
    )
    return X


def _weights(rng, d, scale=0.4):
    return rng.uniform(-scale, scale, size=(d, d)) * (1 - np.eye(d))


def test_from_data_matches_raw_moments(data):
    stats = SufficientStats.from_data(data)
    centred = data - data.mean(axis=0)
    assert stats.n == data.shape[0]
    assert stats.n_features == data.shape[1]
    np.testing.assert_allclose(stats.mean, data.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(stats.comoment, centred.T @ centred, rtol=1e-12)
    np.testing.assert_allclose(
        stats.covariance, np.cov(data, rowvar=False, bias=True), rtol=1e-12
    )


@pytest.mark.parametrize("cuts", [[1], [150], [7, 8, 200, 299], [0, 0, 300]])
def test_merging_chunks_equals_one_pass(data, cuts):
    one_pass = SufficientStats.from_data(data)
    chunks = np.split(data, cuts)
    merged = SufficientStats.empty(data.shape[1])
    for chunk in chunks:
        merged = merged.merge(SufficientStats.from_data(chunk))
    streamed = SufficientStats.empty(data.shape[1])
    for chunk in chunks:
        assert streamed.update(chunk) is streamed
    for stats in (merged, streamed):
        assert stats.n == one_pass.n
        np.testing.assert_allclose(stats.mean, one_pass.mean, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(
            stats.comoment, one_pass.comoment, rtol=1e-12, atol=1e-9
        )


def test_merge_does_not_modify_inputs_and_checks_width(data):
    a = SufficientStats.from_data(data[:10])
    b = SufficientStats.from_data(data[10:])
    a_mean, a_comoment = a.mean.copy(), a.comoment.copy()
    a.merge(b)
    np.testing.assert_array_equal(a.mean, a_mean)
    np.testing.assert_array_equal(a.comoment, a_comoment)
    with pytest.raises(ValueError, match="3 and 4 features"):
        SufficientStats.from_data(data[:, :3]).merge(b)


def test_empty_statistics_and_bad_input():
    empty = SufficientStats.empty(3)
    with pytest.raises(ValueError, match="n=0"):
        _ = empty.covariance
    with pytest.raises(ValueError, match="2-D"):
        SufficientStats.from_data(np.zeros(5))
    assert SufficientStats.from_data(np.zeros((0, 2))).n == 0


def test_stats_pickle_round_trip(data):
    stats = SufficientStats.from_data(data)
    clone = pickle.loads(pickle.dumps(stats))
    np.testing.assert_array_equal(clone.comoment, stats.comoment)


def test_scaled_equals_statistics_of_scaled_data(data):
    factor = np.array([0.5, 2.0, 1.0, 10.0])
    expected = SufficientStats.from_data(data * factor)
    got = SufficientStats.from_data(data).scaled(factor)
    np.testing.assert_allclose(got.mean, expected.mean, rtol=1e-12)
    np.testing.assert_allclose(got.comoment, expected.comoment, rtol=1e-12)


def test_least_squares_loss_matches_raw_data(data):
    rng = np.random.default_rng(1)
    stats = SufficientStats.from_data(data)
    centred = data - data.mean(axis=0)
    n = data.shape[0]
    for _ in range(5):
        W = _weights(rng, data.shape[1])
        loss, grad = least_squares_loss(W, stats)
        R = centred - centred @ W
        assert loss == pytest.approx(0.5 / n * np.sum(R**2), rel=1e-10)
        np.testing.assert_allclose(grad, -centred.T @ R / n, rtol=1e-10, atol=1e-10)


def test_least_squares_gradient_matches_central_differences(data):
    stats = SufficientStats.from_data(data)
    W = _weights(np.random.default_rng(2), data.shape[1])
    _, grad = least_squares_loss(W, stats)
    step = 1e-6
    numeric = np.zeros_like(W)
    for idx in np.ndindex(*W.shape):
        E = np.zeros_like(W)
        E[idx] = step
        numeric[idx] = (
            least_squares_loss(W + E, stats)[0] - least_squares_loss(W - E, stats)[0]
        ) / (2 * step)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)


def test_noise_variance_from_stats(data):
    W = _weights(np.random.default_rng(3), data.shape[1])
    centred = data - data.mean(axis=0)
    residual_var = np.mean((centred - centred @ W) ** 2, axis=0)
    stats = SufficientStats.from_data(data)
    np.testing.assert_allclose(
        noise_variance_from_stats(W, stats), residual_var, rtol=1e-10
    )
    pooled = noise_variance_from_stats(W, stats, equal_variances=True)
    assert pooled.shape == (data.shape[1],)
    np.testing.assert_allclose(pooled, residual_var.mean(), rtol=1e-10)


def test_log_likelihood_matches_raw_data_with_training_means(data):
    rng = np.random.default_rng(4)
    train, test = data[:200], data[200:]
    mu = train.mean(axis=0)
    W = np.triu(_weights(rng, data.shape[1]), 1)  # a DAG
    variance = rng.uniform(0.5, 2.0, size=data.shape[1])
    residual = (test - mu) - (test - mu) @ W
    expected = np.mean(np.sum(norm.logpdf(residual, scale=np.sqrt(variance)), axis=1))
    got = gaussian_log_likelihood(W, SufficientStats.from_data(test), variance, mean=mu)
    assert got == pytest.approx(expected, rel=1e-10)
    # Without ``mean`` the data are centred at their own mean.
    residual = (test - test.mean(0)) - (test - test.mean(0)) @ W
    expected = np.mean(np.sum(norm.logpdf(residual, scale=np.sqrt(variance)), axis=1))
    got = gaussian_log_likelihood(W, SufficientStats.from_data(test), variance)
    assert got == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("cyclic", [False, True])
def test_log_likelihood_equals_multivariate_normal_density(data, cyclic):
    # x = mu + e (I - W)^{-1}: covariance (I - W)^{-T} D (I - W)^{-1}.
    rng = np.random.default_rng(5)
    d = data.shape[1]
    W = _weights(rng, d, scale=0.3)
    if not cyclic:
        W = np.triu(W, 1)
    variance = rng.uniform(0.5, 2.0, size=d)
    mu = rng.normal(size=d)
    inv = np.linalg.inv(np.eye(d) - W)
    cov = inv.T @ np.diag(variance) @ inv
    expected = multivariate_normal(mean=mu, cov=cov).logpdf(data).mean()
    got = gaussian_log_likelihood(W, SufficientStats.from_data(data), variance, mean=mu)
    assert got == pytest.approx(expected, rel=1e-10)


def test_log_likelihood_scalar_variance_and_validation(data):
    stats = SufficientStats.from_data(data)
    W = np.zeros((4, 4))
    assert gaussian_log_likelihood(W, stats, 2.0) == pytest.approx(
        gaussian_log_likelihood(W, stats, np.full(4, 2.0)), rel=1e-14
    )
    with pytest.raises(ValueError, match="positive"):
        gaussian_log_likelihood(W, stats, np.array([1.0, 0.0, 1.0, 1.0]))


def test_refit_least_squares_matches_linear_regression(data):
    support = np.array(
        [[0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1], [0, 0, 0, 0]], dtype=bool
    )
    W = refit_least_squares(support, SufficientStats.from_data(data))
    assert np.all(W[~support] == 0)
    for j in range(4):
        parents = np.flatnonzero(support[:, j])
        if parents.size:
            reg = LinearRegression().fit(data[:, parents], data[:, j])
            np.testing.assert_allclose(W[parents, j], reg.coef_, rtol=1e-9)


def test_refit_least_squares_handles_collinear_parents():
    rng = np.random.default_rng(6)
    x = rng.normal(size=100)
    X = np.column_stack([x, x, 3 * x + 0.1 * rng.normal(size=100)])
    support = np.zeros((3, 3), dtype=bool)
    support[[0, 1], 2] = True
    W = refit_least_squares(support, SufficientStats.from_data(X))
    assert np.all(np.isfinite(W))
    # Minimum-norm solution: the effect is split equally between the copies.
    assert W[0, 2] == pytest.approx(W[1, 2], rel=1e-8)
    assert W[0, 2] + W[1, 2] == pytest.approx(3.0, abs=0.05)
