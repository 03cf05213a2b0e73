"""G^2 (likelihood-ratio) and Pearson chi^2 tests for integer-coded discrete data.

Within every configuration ``z`` of the conditioning variables that occurs in the
data, the counts ``N_{xyz}`` are compared with the counts expected under
conditional independence, ``E_{xyz} = N_{x+z} N_{+yz} / N_{++z}``:

* ``G^2 = 2 sum N_{xyz} log(N_{xyz} / E_{xyz})`` (Wilks' likelihood ratio;
  Spirtes, Glymour & Scheines, 2000, sec. 5.4.2.1),
* ``chi^2 = sum (N_{xyz} - E_{xyz})^2 / E_{xyz}`` (Pearson),

both approximately chi-squared under the null. The degrees of freedom are
``sum_z (r_{x|z} - 1)(r_{y|z} - 1)``, where ``r_{x|z}`` counts the levels of ``x``
seen in the stratum ``z``: strata and levels that never occur carry no information,
the adjustment that Tetrad and bnlearn make for sparse tables. With no degree of
freedom left the p-value is 1.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy
from scipy.stats import chi2

from skcausal.independence._base import CITest, register_ci_test

__all__ = ["ChiSquared", "GSquared"]


def _check_codes(X: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes ``0..L_j - 1`` per column and the number of levels ``L_j``."""
    if not np.all(np.round(X) == X):
        col = int(np.flatnonzero(np.any(np.round(X) != X, axis=0))[0])
        raise ValueError(
            f"{name} needs integer-coded categorical data; column {col} has "
            "non-integer values. Encode categories as integers (e.g. with "
            "sklearn.preprocessing.OrdinalEncoder) or use a test for continuous data."
        )
    codes = np.empty(X.shape, dtype=np.intp)
    levels = np.empty(X.shape[1], dtype=np.intp)
    for j in range(X.shape[1]):
        values, codes[:, j] = np.unique(X[:, j], return_inverse=True)
        levels[j] = values.size
        if values.size < 2:
            raise ValueError(
                f"{name}: categorical column {j} has a single level "
                f"({values[0]:g}); a variable that never varies cannot be tested. "
                "Drop it before testing."
            )
    return codes, levels


class _DiscreteTest(CITest):
    """Contingency tables shared by :class:`GSquared` and :class:`ChiSquared`."""

    def _prepare(self, X: np.ndarray) -> None:
        self._codes, self.n_levels_ = _check_codes(X, type(self).__name__)

    def _strata(self, z: np.ndarray) -> tuple[np.ndarray, int]:
        """Dense stratum index of every sample for the conditioning columns ``z``."""
        n = self._codes.shape[0]
        if z.size == 0:
            return np.zeros(n, dtype=np.intp), 1
        levels = self.n_levels_[z]
        if np.prod(levels.astype(float)) < 2**62:
            flat = np.ravel_multi_index(self._codes[:, z].T, levels)
        else:  # too many configurations to enumerate: index the observed ones
            flat = self._codes[:, z]
        _, stratum = np.unique(
            flat, axis=0 if flat.ndim > 1 else None, return_inverse=True
        )
        stratum = stratum.ravel()
        return stratum, int(stratum.max()) + 1

    def _one(self, x: int, y: int, z: np.ndarray) -> float:
        lx, ly = int(self.n_levels_[x]), int(self.n_levels_[y])
        stratum, n_strata = self._strata(z)
        cell = (stratum * lx + self._codes[:, x]) * ly + self._codes[:, y]
        counts = (
            np.bincount(cell, minlength=n_strata * lx * ly)
            .reshape(n_strata, lx, ly)
            .astype(np.float64)
        )
        n_xz = counts.sum(axis=2, keepdims=True)
        n_yz = counts.sum(axis=1, keepdims=True)
        n_z = n_xz.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = n_xz * n_yz / np.where(n_z > 0, n_z, 1.0)
        stat = self._statistic(counts, expected)
        rx = np.count_nonzero(n_xz[:, :, 0], axis=1)
        ry = np.count_nonzero(n_yz[:, 0, :], axis=1)
        dof = int(np.sum(np.maximum(rx - 1, 0) * np.maximum(ry - 1, 0)))
        if dof <= 0:
            return 1.0
        return float(chi2.sf(stat, dof))

    def _compute(self, x, y, z) -> np.ndarray:
        return np.array(
            [self._one(int(a), int(b), row) for a, b, row in zip(x, y, z, strict=True)]
        )


@register_ci_test("gsq")
class GSquared(_DiscreteTest):
    """G^2 (likelihood-ratio) test of conditional independence for discrete data.

    Every column must hold integer codes of a categorical variable with at least
    two levels; the codes need not be consecutive.

    Attributes
    ----------
    n_levels_ : ndarray of shape (n_features,)
        Number of distinct values of every column.
    n_samples_ : int
        Number of samples.
    n_features_in_ : int
        Number of variables.
    n_tests_ : int
        Distinct tests computed since the last ``fit``.

    Notes
    -----
    ``G^2 = 2 sum N_{xyz} log(N_{xyz} N_{++z} / (N_{x+z} N_{+yz}))``, compared with a
    chi-squared distribution with ``sum_z (r_{x|z} - 1)(r_{y|z} - 1)`` degrees of
    freedom (levels seen per stratum).

    References
    ----------
    .. [1] P. Spirtes, C. Glymour and R. Scheines, "Causation, Prediction, and
       Search", 2nd ed., MIT Press, 2000.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.independence import GSquared
    >>> rng = np.random.default_rng(0)
    >>> z = rng.integers(0, 2, size=2000)
    >>> x = z ^ (rng.random(2000) < 0.2)
    >>> y = z ^ (rng.random(2000) < 0.2)
    >>> test = GSquared().fit(np.column_stack([x, y, z]))
    >>> bool(test.pvalue(0, 1) < 0.01), bool(test.pvalue(0, 1, [2]) > 0.01)
    (True, True)
    """

    @staticmethod
    def _statistic(counts, expected) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(
                counts > 0, counts / np.where(expected > 0, expected, 1), 1
            )
        return float(2.0 * np.sum(xlogy(counts, ratio)))


@register_ci_test("chisq")
class ChiSquared(_DiscreteTest):
    """Pearson's chi^2 test of conditional independence for discrete data.

    Every column must hold integer codes of a categorical variable with at least
    two levels.

    Attributes
    ----------
    n_levels_ : ndarray of shape (n_features,)
        Number of distinct values of every column.
    n_samples_ : int
        Number of samples.
    n_features_in_ : int
        Number of variables.
    n_tests_ : int
        Distinct tests computed since the last ``fit``.

    Notes
    -----
    ``chi^2 = sum (N_{xyz} - E_{xyz})^2 / E_{xyz}`` over the cells with
    ``E_{xyz} > 0``, with the degrees of freedom of :class:`GSquared`.

    See Also
    --------
    GSquared : The likelihood-ratio version.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.independence import ChiSquared
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 3, size=(1000, 2))
    >>> bool(ChiSquared().fit(X).pvalue(0, 1) > 0.01)
    True
    """

    @staticmethod
    def _statistic(counts, expected) -> float:
        positive = expected > 0
        diff = counts[positive] - expected[positive]
        return float(np.sum(diff * diff / expected[positive]))
