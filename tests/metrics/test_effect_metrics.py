"""Tests for the effect metrics (PEHE, ATE error)."""

import numpy as np
import pytest

from skcausal.metrics._effects import ate_error, pehe


def test_pehe_exact_values():
    true = np.array([1.0, 2.0, 3.0, 4.0])
    est = np.array([2.0, 2.0, 1.0, 4.0])
    # Squared errors 1, 0, 4, 0 -> mean 1.25.
    assert pehe(true, est, squared=True) == pytest.approx(1.25)
    assert pehe(true, est) == pytest.approx(np.sqrt(1.25))
    assert pehe(true, true) == 0.0
    assert pehe([0.0, 0.0], [3.0, -3.0]) == 3.0
    assert isinstance(pehe(true, est), float)


def test_pehe_symmetric_and_accepts_lists_and_columns():
    rng = np.random.RandomState(0)
    true, est = rng.normal(size=20), rng.normal(size=20)
    value = pehe(true, est)
    assert pehe(est, true) == pytest.approx(value)
    assert pehe(true.tolist(), est.reshape(-1, 1)) == pytest.approx(value)
    assert value == pytest.approx(np.sqrt(np.mean((true - est) ** 2)))


@pytest.mark.parametrize(
    ("true", "est", "error", "match"),
    [
        ([1.0, 2.0], [1.0], ValueError, "same length"),
        ([1.0, np.nan], [1.0, 2.0], ValueError, "true_cate contains NaN"),
        ([1.0, 2.0], [np.inf, 2.0], ValueError, "estimated_cate contains NaN or inf"),
        ([], [], ValueError, "empty"),
        (np.ones((2, 2)), np.ones((2, 2)), ValueError, "1-D"),
        (1.0, 1.0, ValueError, "1-D"),
        (["a"], [1.0], TypeError, "numeric"),
    ],
)
def test_pehe_validation(true, est, error, match):
    with pytest.raises(error, match=match):
        pehe(true, est)


def test_ate_error_exact_values():
    assert ate_error(2.0, 1.5) == 0.5
    assert ate_error(1.5, 2.0) == 0.5
    assert ate_error(-1, 2) == 3.0
    assert ate_error(np.float32(0.25), np.array([1.0])) == 0.75
    assert ate_error(np.array(3.0), 3.0) == 0.0
    assert isinstance(ate_error(1, 2), float)


@pytest.mark.parametrize(
    ("true", "est", "error", "match"),
    [
        ([1.0, 2.0], 1.0, ValueError, "true_ate must be a single number"),
        (1.0, [], ValueError, "estimated_ate must be a single number"),
        (np.nan, 1.0, ValueError, "true_ate must be finite"),
        (1.0, np.inf, ValueError, "estimated_ate must be finite"),
        ("1.0", 1.0, TypeError, "true_ate must be a real number"),
        (True, 1.0, TypeError, "true_ate must be a real number"),
        (1.0, None, TypeError, "estimated_ate must be a real number"),
    ],
)
def test_ate_error_validation(true, est, error, match):
    with pytest.raises(error, match=match):
        ate_error(true, est)
