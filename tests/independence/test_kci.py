"""KCI: power on nonlinear dependence, calibration under the null."""

import numpy as np
import pytest

from skcausal.independence import KCI, FisherZ


def test_detects_dependence_fisherz_misses():
    rng = np.random.default_rng(0)
    x = rng.normal(size=300)
    y = x**2 + 0.3 * rng.normal(size=300)
    X = np.column_stack([x, y])
    assert FisherZ().fit(X).pvalue(0, 1) > 0.1
    assert KCI().fit(X).pvalue(0, 1) < 1e-3


def test_conditional_nonlinear():
    rng = np.random.default_rng(0)
    n = 300
    z = rng.normal(size=n)
    x = np.sin(2 * z) + 0.3 * rng.normal(size=n)
    y = z**2 + 0.3 * rng.normal(size=n)
    w = x**2 + 0.3 * rng.normal(size=n)  # depends on x only
    X = np.column_stack([x, y, z, w])
    test = KCI().fit(X)
    assert test.pvalue(0, 1) < 0.01  # dependent through z
    assert test.pvalue(0, 1, [2]) > 0.05  # independent given z
    assert test.pvalue(0, 3, [2]) < 0.01
    assert FisherZ().fit(X).pvalue(0, 3, [2]) > 0.05  # x^2: no partial correlation


def test_fixed_width_and_bad_params():
    X = np.random.default_rng(0).normal(size=(50, 3))
    assert 0 <= KCI(width=1.0).fit(X).pvalue(0, 1, [2]) <= 1
    with pytest.raises(ValueError, match="epsilon"):
        KCI(epsilon=-1.0).fit(X)


def _null_rejection_rate(conditional: bool, n_cases: int = 200) -> float:
    rejections = 0
    for seed in range(n_cases):
        rng = np.random.default_rng(seed)
        n = 200
        z = rng.normal(size=n)
        if conditional:
            x = np.sin(z) + 0.5 * rng.normal(size=n)
            y = z**2 + 0.5 * rng.normal(size=n)
            p = KCI().fit(np.column_stack([x, y, z])).pvalue(0, 1, [2])
        else:
            x, y = rng.normal(size=n), rng.standard_t(3, size=n)
            p = KCI().fit(np.column_stack([x, y])).pvalue(0, 1)
        rejections += p < 0.05
    return rejections / n_cases


def test_type_one_error_unconditional():
    # 200 seeded null cases: the level stays within 0.05 +- 0.03
    assert 0.02 <= _null_rejection_rate(False) <= 0.08


@pytest.mark.slow
def test_type_one_error_conditional():
    assert 0.02 <= _null_rejection_rate(True) <= 0.08
