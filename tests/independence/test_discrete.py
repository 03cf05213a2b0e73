"""G^2 and chi^2 on integer-coded data."""

import numpy as np
import pytest
from scipy import stats

from skcausal.independence import ChiSquared, GSquared


def test_unconditional_matches_scipy_contingency():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, size=600)
    y = (x + rng.integers(0, 2, size=600)) % 4
    X = np.column_stack([x, y])
    table = np.zeros((3, 4))
    np.add.at(table, (x, y), 1)
    chi2, p_chi, dof, _ = stats.chi2_contingency(table, correction=False)
    g2, p_g, _, _ = stats.chi2_contingency(
        table, correction=False, lambda_="log-likelihood"
    )
    assert ChiSquared().fit(X).pvalue(0, 1) == pytest.approx(p_chi, rel=1e-8)
    assert GSquared().fit(X).pvalue(0, 1) == pytest.approx(p_g, rel=1e-8)


@pytest.mark.parametrize("cls", [GSquared, ChiSquared])
def test_conditional_independence_and_level(cls):
    rng = np.random.default_rng(1)
    rejections = 0
    for _ in range(200):
        z = rng.integers(0, 3, size=400)
        x = (z + (rng.random(400) < 0.3)) % 3
        y = (z + 2 * (rng.random(400) < 0.3)) % 3
        test = cls().fit(np.column_stack([x, y, z]))
        assert test.pvalue(0, 1) < 1e-3
        rejections += test.pvalue(0, 1, [2]) < 0.05
    assert 0.01 <= rejections / 200 <= 0.09


def test_codes_need_not_be_consecutive_and_dof_adjusts():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(300, 3)) * 7 - 3  # codes {-3, 4}
    p1 = GSquared().fit(X).pvalue(0, 1, [2])
    p2 = GSquared().fit((X + 3) // 7).pvalue(0, 1, [2])
    assert p1 == pytest.approx(p2)
    # x a function of z: no degree of freedom left within any stratum
    X[:, 0] = X[:, 2]
    assert GSquared().fit(X).pvalue(0, 1, [2]) == 1.0


def test_bad_discrete_input():
    with pytest.raises(ValueError, match="column 1 has a single level"):
        GSquared().fit(np.array([[0, 1], [1, 1], [0, 1]]))
    with pytest.raises(ValueError, match="non-integer values"):
        ChiSquared().fit(np.array([[0, 0.5], [1, 1.0], [0, 2.0]]))
