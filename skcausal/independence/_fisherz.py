"""Fisher's z test of zero partial correlation, from the correlation matrix only.

For Gaussian data, ``X_x`` and ``X_y`` are independent given ``X_Z`` exactly when
the partial correlation ``rho_{xy.Z}`` is zero. With ``P`` the inverse of the
correlation matrix restricted to ``{x, y} + Z``,
``rho_{xy.Z} = -P_xy / sqrt(P_xx P_yy)``, and Fisher's transform
``z = atanh(rho)`` is approximately normal with variance ``1 / (n - |Z| - 3)``
(Fisher, 1924; Kalisch & Buehlmann, JMLR 2007).

The test needs nothing from the data but the correlation matrix, computed once in
``fit`` from the sufficient statistics; a batch of tests is evaluated with one
vectorised call: closed forms for ``|Z| = 0`` and ``|Z| = 1``, a stacked inversion
of the small ``(|Z| + 2)``-square correlation blocks otherwise.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import ndtr

from skcausal._sem import SufficientStats
from skcausal.independence._base import CITest, register_ci_test

__all__ = ["FisherZ"]

# tests per stacked inversion: bounds the temporary memory to a few MB
_CHUNK = 8192
_MAX_ABS_R = 1.0 - 1e-12


def partial_correlations(R: np.ndarray, x, y, z) -> np.ndarray:
    """Partial correlations ``rho_{x y . z}`` of a batch, from a correlation matrix.

    Parameters
    ----------
    R : ndarray of shape (d, d)
        Correlation matrix.
    x, y : ndarray of int of shape (m,)
    z : ndarray of int of shape (m, k)

    Returns
    -------
    rho : ndarray of shape (m,)
        Clipped to ``[-1 + 1e-12, 1 - 1e-12]``.
    """
    k = z.shape[1]
    if k == 0:
        rho = R[x, y]
    elif k == 1:
        s = z[:, 0]
        rxy, rxs, rys = R[x, y], R[x, s], R[y, s]
        denom = np.sqrt(np.maximum((1.0 - rxs**2) * (1.0 - rys**2), 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = np.where(denom > 0, (rxy - rxs * rys) / denom, 0.0)
    else:
        rho = np.empty(x.size)
        for start in range(0, x.size, _CHUNK):
            sl = slice(start, start + _CHUNK)
            idx = np.column_stack([x[sl], y[sl], z[sl]])
            blocks = R[idx[:, :, None], idx[:, None, :]]
            try:
                P = np.linalg.inv(blocks)
            except np.linalg.LinAlgError:
                P = np.linalg.pinv(blocks, hermitian=True)
            denom = np.sqrt(np.abs(P[:, 0, 0] * P[:, 1, 1]))
            with np.errstate(divide="ignore", invalid="ignore"):
                rho[sl] = np.where(denom > 0, -P[:, 0, 1] / denom, 0.0)
    return np.clip(rho, -_MAX_ABS_R, _MAX_ABS_R)


@register_ci_test("fisherz")
class FisherZ(CITest):
    """Fisher's z test of conditional independence for (roughly) Gaussian data.

    Works on the correlation matrix only (sufficient statistics), so after ``fit``
    the cost of a test does not depend on the number of samples, and a batch of
    tests costs one vectorised call.

    Attributes
    ----------
    correlation_ : ndarray of shape (n_features, n_features)
        Sample correlation matrix of the fitted data.
    n_samples_ : int
        Number of samples.
    n_features_in_ : int
        Number of variables.
    n_tests_ : int
        Distinct tests computed since the last ``fit``.

    Notes
    -----
    The statistic is ``sqrt(n - |Z| - 3) |atanh(rho_{xy.Z})|`` and the two-sided
    p-value ``2 (1 - Phi(stat))``. When ``n - |Z| - 3 < 1`` the test has no
    degrees of freedom left and returns a p-value of 1 (independence is not
    rejected).

    Constant columns have no correlation and are rejected by ``fit``. A singular
    (but not degenerate) correlation matrix -- collinear columns -- gives a
    :class:`UserWarning`; blocks that cannot be inverted are handled with the
    pseudo-inverse, a defined but not meaningful result for the collinear columns.

    References
    ----------
    .. [1] R. A. Fisher, "The distribution of the partial correlation coefficient",
       Metron 3, 1924.
    .. [2] M. Kalisch and P. Buehlmann, "Estimating high-dimensional directed acyclic
       graphs with the PC-algorithm", JMLR 8, 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.independence import FisherZ
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=1000)
    >>> z = x + rng.normal(size=1000)
    >>> y = z + rng.normal(size=1000)
    >>> test = FisherZ().fit(np.column_stack([x, y, z]))
    >>> bool(test.pvalue(0, 1) < 0.01), bool(test.pvalue(0, 1, [2]) > 0.01)
    (True, True)
    """

    _min_chunk = 4096  # vectorised: only large batches are worth a worker

    def _prepare(self, X: np.ndarray) -> None:
        stats = SufficientStats.from_data(X)
        self._prepare_stats(stats)

    def _prepare_stats(self, stats: SufficientStats) -> None:
        variance = np.diagonal(stats.comoment).copy()
        scale = np.maximum(np.abs(stats.mean), 1.0)
        constant = np.flatnonzero(~(np.sqrt(variance / stats.n) > 1e-12 * scale))
        if constant.size:
            raise ValueError(
                f"FisherZ: column {int(constant[0])} is constant, so its correlations "
                "are undefined; drop constant columns (e.g. with "
                "sklearn.feature_selection.VarianceThreshold) before testing."
            )
        sd = np.sqrt(variance)
        R = stats.comoment / np.outer(sd, sd)
        R = 0.5 * (R + R.T)
        np.fill_diagonal(R, 1.0)
        min_eig = np.linalg.eigvalsh(R)[0] if R.shape[0] <= 2000 else 1.0
        if min_eig < 1e-10:
            warnings.warn(
                "FisherZ: the correlation matrix is singular (collinear columns); "
                "partial correlations given the collinear columns are computed with "
                "the pseudo-inverse and are not meaningful.",
                UserWarning,
                stacklevel=4,
            )
        self.correlation_ = R
        self.n_samples_ = int(stats.n)

    def _compute(self, x, y, z) -> np.ndarray:
        rho = partial_correlations(self.correlation_, x, y, z)
        dof = self.n_samples_ - z.shape[1] - 3
        if dof < 1:
            return np.ones(x.size)
        stat = np.sqrt(dof) * np.abs(np.arctanh(rho))
        return 2.0 * ndtr(-stat)
