"""Tests for the logistic and Poisson SEM losses (skcausal._glm_losses)."""

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from scipy.stats import bernoulli, poisson

from skcausal._glm_losses import glm_log_likelihood, logistic_loss, poisson_loss


def _data(family, seed=0, n=60, d=4):
    rng = np.random.default_rng(seed)
    if family == "logistic":
        return rng.integers(0, 2, size=(n, d)).astype(float)
    return rng.poisson(1.5, size=(n, d)).astype(float)


LOSSES = {"logistic": logistic_loss, "poisson": poisson_loss}


@pytest.mark.parametrize("family", ["logistic", "poisson"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weight_gradient_matches_finite_differences(family, seed):
    X = _data(family, seed)
    d = X.shape[1]
    W = 0.3 * np.random.default_rng(seed + 10).normal(size=(d, d))
    loss = LOSSES[family]
    value, grad = loss(W, X)
    numeric = approx_fprime(W.ravel(), lambda w: loss(w.reshape(d, d), X)[0], 1e-7)
    assert np.isfinite(value)
    np.testing.assert_allclose(grad.ravel(), numeric, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("family", ["logistic", "poisson"])
def test_intercept_gradients_match_finite_differences(family):
    X = _data(family, 3)
    d = X.shape[1]
    rng = np.random.default_rng(4)
    W, b = 0.3 * rng.normal(size=(d, d)), 0.5 * rng.normal(size=d)
    loss = LOSSES[family]
    value, grad, b_grad = loss(W, X, b)
    numeric_W = approx_fprime(W.ravel(), lambda w: loss(w.reshape(d, d), X, b)[0], 1e-7)
    numeric_b = approx_fprime(b, lambda c: loss(W, X, c)[0], 1e-7)
    np.testing.assert_allclose(grad.ravel(), numeric_W, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(b_grad, numeric_b, rtol=1e-4, atol=1e-6)
    # b = 0 is the model without intercept
    np.testing.assert_allclose(loss(W, X, np.zeros(d))[0], loss(W, X)[0])


@pytest.mark.parametrize("family", ["logistic", "poisson"])
def test_loss_is_negative_log_likelihood(family):
    X = _data(family, 5, n=40, d=3)
    rng = np.random.default_rng(6)
    W, b = 0.4 * rng.normal(size=(3, 3)), rng.normal(size=3)
    M = X @ W + b
    if family == "logistic":
        expected = bernoulli.logpmf(X, 1.0 / (1.0 + np.exp(-M))).sum() / 40
    else:
        expected = poisson.logpmf(X, np.exp(M)).sum() / 40
    np.testing.assert_allclose(glm_log_likelihood(W, X, b, family), expected)


def test_logistic_loss_is_stable_for_large_predictors():
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    W = np.array([[0.0, -800.0], [800.0, 0.0]])  # M = +-800
    value, grad = logistic_loss(W, X)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    # rows: log 2 + log(1 + e^-800), then log(1 + e^800) + log 2; mean over 2 rows
    np.testing.assert_allclose(value, 400.0 + np.log(2.0))


def test_poisson_loss_overflow_is_infinite():
    X = np.array([[1000.0, 1.0], [2.0, 3.0]])
    W = np.array([[0.0, 5.0], [0.0, 0.0]])  # exp(5000) overflows
    value, grad = poisson_loss(W, X)
    assert value == np.inf and grad.shape == (2, 2)
    value, grad, b_grad = poisson_loss(W, X, np.zeros(2))
    assert value == np.inf and b_grad.shape == (2,)


def test_zero_weights_values():
    X = _data("logistic")
    np.testing.assert_allclose(logistic_loss(np.zeros((4, 4)), X)[0], 4 * np.log(2))
    Xc = _data("poisson")
    np.testing.assert_allclose(poisson_loss(np.zeros((4, 4)), Xc)[0], 4.0)


def test_unknown_family_raises():
    with pytest.raises(ValueError, match="family"):
        glm_log_likelihood(np.zeros((2, 2)), np.zeros((3, 2)), np.zeros(2), "probit")
