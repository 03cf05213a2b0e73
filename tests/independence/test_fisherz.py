"""Fisher-z: partial correlations against regression residuals, p-values, level."""

import numpy as np
import pytest
from scipy import stats

from skcausal.independence import FisherZ


def residual_partial_correlation(X, x, y, z):
    Z = np.column_stack([np.ones(len(X)), X[:, list(z)]])
    rx = X[:, x] - Z @ np.linalg.lstsq(Z, X[:, x], rcond=None)[0]
    ry = X[:, y] - Z @ np.linalg.lstsq(Z, X[:, y], rcond=None)[0]
    return np.corrcoef(rx, ry)[0, 1]


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_pvalues_match_residual_partial_correlation(k):
    rng = np.random.default_rng(k)
    n = 400
    X = rng.normal(size=(n, 7)) @ rng.normal(size=(7, 7))
    test = FisherZ().fit(X)
    for x, y in [(0, 1), (2, 5), (6, 3)]:
        others = [v for v in range(7) if v not in (x, y)]
        z = rng.choice(others, size=k, replace=False)
        r = residual_partial_correlation(X, x, y, z)
        stat = np.sqrt(n - k - 3) * abs(np.arctanh(r))
        expected = 2 * stats.norm.sf(stat)
        assert test.pvalue(x, y, z) == pytest.approx(expected, rel=1e-6, abs=1e-300)


def test_chain_independence_and_type_one_error():
    rng = np.random.default_rng(0)
    rejections = 0
    for _ in range(300):
        x = rng.normal(size=200)
        z = x + rng.normal(size=200)
        y = z + rng.normal(size=200)
        test = FisherZ().fit(np.column_stack([x, y, z]))
        assert test.pvalue(0, 1) < 1e-6
        rejections += test.pvalue(0, 1, [2]) < 0.05
    assert 0.02 <= rejections / 300 <= 0.08


def test_constant_column_is_an_error():
    X = np.random.default_rng(0).normal(size=(50, 3))
    X[:, 1] = 4.2
    with pytest.raises(ValueError, match="column 1 is constant"):
        FisherZ().fit(X)


def test_collinear_columns_warn_and_give_defined_pvalues():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    X = np.column_stack([X, X[:, 0] + X[:, 1]])
    with pytest.warns(UserWarning, match="singular"):
        test = FisherZ().fit(X)
    p = test.pvalues([0, 0], [2, 3], [[1, 3], [1, 2]])
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))


def test_too_few_samples_for_the_set_returns_one():
    X = np.random.default_rng(0).normal(size=(5, 5))
    with pytest.warns(UserWarning, match="singular"):  # 5 centred rows: rank 4
        test = FisherZ().fit(X)
    assert test.pvalue(0, 1, [2, 3, 4]) == 1.0
