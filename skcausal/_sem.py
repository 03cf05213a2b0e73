"""Linear structural equation models on sufficient statistics.

A linear SEM with intercepts writes every sample ``x`` (a row vector) as
``x = b + x W + e``, where ``W[i, j]`` is the weight of the edge ``i -> j``, ``b`` the
intercepts and ``e`` independent noise with per-node variances ``sigma^2``. Everything
the least-squares and Gaussian objectives need from the data is held in
:class:`SufficientStats` -- the number of samples, the column means and the centred
co-moment ``(X - mean)^T (X - mean)`` -- so, after one pass over the data, the cost of
every function here depends on the number of features only, never on the number of
samples. Statistics of separate chunks merge exactly (Chan, Golub and LeVeque's
pairwise update), which is what lets estimators stream data with ``partial_fit``.

Intercepts are never parameters of the optimisers: a model fitted on data with means
``mu`` is fitted on centred data and its intercepts are ``b = mu (I - W)``, i.e. every
centred column is regressed on centred parents. Evaluating the model on other (held-out)
data means centring that data around the *training* means ``mu``, which
:func:`gaussian_log_likelihood` supports through its ``mean`` argument.

References
----------
.. [1] T. F. Chan, G. H. Golub and R. J. LeVeque, "Updating formulae and a pairwise
   algorithm for computing sample variances", COMPSTAT 1982.
.. [2] X. Zheng, B. Aragam, P. Ravikumar and E. P. Xing, "DAGs with NO TEARS: Continuous
   optimization for structure learning", NeurIPS 2018.
.. [3] I. Ng, A. Ghassami and K. Zhang, "On the role of sparsity and DAG constraints for
   learning linear DAGs", NeurIPS 2020.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skcausal._acyclicity import _support_is_acyclic

__all__ = [
    "SufficientStats",
    "gaussian_likelihood_loss",
    "gaussian_log_likelihood",
    "least_squares_loss",
    "noise_variance_from_stats",
    "refit_least_squares",
]


@dataclass(eq=False)
class SufficientStats:
    """Sample size, column means and centred co-moment of a data matrix.

    Parameters
    ----------
    n : int
        Number of samples summarised.
    mean : ndarray of shape (d,)
        Column means.
    comoment : ndarray of shape (d, d)
        Centred co-moment ``(X - mean)^T (X - mean)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal._sem import SufficientStats
    >>> X = np.random.default_rng(0).normal(size=(100, 3))
    >>> stats = SufficientStats.from_data(X[:40]).merge(
    ...     SufficientStats.from_data(X[40:])
    ... )
    >>> bool(np.allclose(stats.covariance, np.cov(X, rowvar=False, bias=True)))
    True
    """

    n: int
    mean: np.ndarray
    comoment: np.ndarray

    @classmethod
    def empty(cls, n_features: int) -> SufficientStats:
        """Statistics of zero samples with ``n_features`` columns (a merge identity)."""
        return cls(0, np.zeros(n_features), np.zeros((n_features, n_features)))

    @classmethod
    def from_data(cls, X) -> SufficientStats:
        """Summarise a 2-D data matrix in one pass.

        Parameters
        ----------
        X : array-like of shape (n_samples, d)
            Finite data; it is not modified.

        Returns
        -------
        stats : SufficientStats
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D; got an array of shape {X.shape}.")
        n = X.shape[0]
        if n == 0:
            return cls.empty(X.shape[1])
        mean = X.mean(axis=0)
        centred = X - mean
        return cls(n, mean, centred.T @ centred)

    @property
    def n_features(self) -> int:
        """Number of columns ``d``."""
        return self.mean.shape[0]

    @property
    def covariance(self) -> np.ndarray:
        """Maximum-likelihood covariance ``comoment / n`` (divisor ``n``)."""
        if self.n == 0:
            raise ValueError("The covariance of zero samples is undefined (n=0).")
        return self.comoment / self.n

    def merge(self, other: SufficientStats) -> SufficientStats:
        """Statistics of the union of the samples behind ``self`` and ``other``.

        Uses the exact pairwise update of Chan et al. [1]_: with ``delta`` the
        difference of the means, the merged co-moment is
        ``C_a + C_b + delta delta^T n_a n_b / (n_a + n_b)``.

        Parameters
        ----------
        other : SufficientStats
            Statistics of the other chunk, with the same number of columns.

        Returns
        -------
        merged : SufficientStats
            A new object; neither input is modified.

        References
        ----------
        .. [1] T. F. Chan, G. H. Golub and R. J. LeVeque, "Updating formulae and a
           pairwise algorithm for computing sample variances", COMPSTAT 1982.
        """
        if other.n_features != self.n_features:
            raise ValueError(
                f"Cannot merge statistics with {self.n_features} and "
                f"{other.n_features} features."
            )
        if other.n == 0:
            return SufficientStats(self.n, self.mean.copy(), self.comoment.copy())
        if self.n == 0:
            return SufficientStats(other.n, other.mean.copy(), other.comoment.copy())
        n = self.n + other.n
        delta = other.mean - self.mean
        mean = self.mean + delta * (other.n / n)
        comoment = (
            self.comoment
            + other.comoment
            + np.outer(delta, delta) * (self.n * other.n / n)
        )
        return SufficientStats(n, mean, comoment)

    def update(self, X) -> SufficientStats:
        """Add the samples of ``X`` in place and return ``self``.

        Parameters
        ----------
        X : array-like of shape (n_samples, d)
            A new chunk of data.

        Returns
        -------
        self : SufficientStats
        """
        merged = self.merge(SufficientStats.from_data(X))
        self.n, self.mean, self.comoment = merged.n, merged.mean, merged.comoment
        return self

    def scaled(self, factor) -> SufficientStats:
        """Statistics of the data with column ``j`` multiplied by ``factor[j]``.

        Parameters
        ----------
        factor : array-like of shape (d,)
            Column factors (``1 / standard deviation`` standardises).

        Returns
        -------
        stats : SufficientStats
        """
        factor = np.asarray(factor, dtype=np.float64)
        return SufficientStats(
            self.n, self.mean * factor, self.comoment * np.outer(factor, factor)
        )


def _residual_second_moment(W, stats, mean=None):
    """Per-node mean squared residual of ``(X - mean)(I - W)`` for the summarised X.

    With ``mean=None`` the data are centred at their own mean; otherwise at ``mean``,
    which adds ``(stats.mean - mean)`` as a rank-one term to the second moment.
    """
    d = stats.n_features
    M = stats.covariance
    if mean is not None:
        delta = stats.mean - np.asarray(mean, dtype=np.float64)
        M = M + np.outer(delta, delta)
    R = np.eye(d) - W
    return np.einsum("ij,ij->j", R, M @ R)


def least_squares_loss(W, stats: SufficientStats) -> tuple[float, np.ndarray]:
    """Least-squares loss of a linear SEM and its gradient, from sufficient statistics.

    ``loss(W) = 1/(2n) ||Xc - Xc W||_F^2 = 1/2 tr((I - W)^T S (I - W))`` and
    ``∇loss(W) = -S (I - W)``, where ``Xc`` is the centred data and ``S = Xc^T Xc / n``
    the covariance, as in NOTEARS [1]_. Centring is the intercept of every equation.

    Parameters
    ----------
    W : array-like of shape (d, d)
        Weighted adjacency matrix, ``W[i, j]`` the weight of the edge ``i -> j``.
    stats : SufficientStats
        Statistics of the training data.

    Returns
    -------
    loss : float
    grad : ndarray of shape (d, d)

    References
    ----------
    .. [1] X. Zheng, B. Aragam, P. Ravikumar and E. P. Xing, "DAGs with NO TEARS:
       Continuous optimization for structure learning", NeurIPS 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal._sem import SufficientStats, least_squares_loss
    >>> X = np.random.default_rng(0).normal(size=(50, 2))
    >>> loss, grad = least_squares_loss(np.zeros((2, 2)), SufficientStats.from_data(X))
    >>> bool(np.isclose(loss, 0.5 * np.sum(X.var(axis=0))))
    True
    """
    R = -np.asarray(W, dtype=np.float64)
    R.flat[:: R.shape[0] + 1] += 1.0  # R = I - W
    SR = stats.covariance @ R
    return 0.5 * float(np.vdot(R, SR)), -SR


def noise_variance_from_stats(
    W, stats: SufficientStats, equal_variances: bool = False
) -> np.ndarray:
    """Maximum-likelihood noise variances of a linear SEM from its residuals.

    Node ``j`` gets the mean squared residual ``[(I - W)^T S (I - W)]_{jj}`` (divisor
    ``n``, the data centred at their own mean); with ``equal_variances=True`` every
    node gets the average over nodes (the pooled variance of an equal-variance model).

    Parameters
    ----------
    W : array-like of shape (d, d)
        Weighted adjacency matrix.
    stats : SufficientStats
        Statistics of the training data.
    equal_variances : bool, default=False
        Pool the variances across nodes.

    Returns
    -------
    noise_variance : ndarray of shape (d,)
        Always one entry per node, equal entries when pooled.
    """
    W = np.asarray(W, dtype=np.float64)
    variance = np.maximum(_residual_second_moment(W, stats), 0.0)
    if equal_variances:
        variance = np.full_like(variance, variance.mean())
    return variance


def gaussian_log_likelihood(
    W, stats: SufficientStats, noise_variance, *, mean=None
) -> float:
    """Mean per-sample log-likelihood of a linear Gaussian SEM on summarised data.

    The model is ``x - mu = (x - mu) W + e`` with ``e ~ N(0, diag(noise_variance))``,
    i.e. intercepts ``b = mu (I - W)``. For data with residuals
    ``E = (X - mu)(I - W)`` the mean log-likelihood per sample is

    ``-1/2 sum_j [log(2 pi sigma_j^2) + mean(E[:, j]^2) / sigma_j^2]
    + log|det(I - W)|``,

    where the log-determinant (the Jacobian of ``x -> e``) is exactly zero when ``W``
    is a DAG and is computed for cyclic ``W`` only.

    Parameters
    ----------
    W : array-like of shape (d, d)
        Weighted adjacency matrix, ``W[i, j]`` the weight of the edge ``i -> j``.
    stats : SufficientStats
        Statistics of the data to evaluate (training or held-out).
    noise_variance : float or array-like of shape (d,)
        Noise variances, positive.
    mean : array-like of shape (d,), default=None
        The model's means ``mu`` (the training means when scoring held-out data).
        ``None`` uses ``stats.mean``, i.e. intercepts fitted on the evaluated data.

    Returns
    -------
    log_likelihood : float
        Mean log-likelihood per sample (``-inf`` for a singular ``I - W``).

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal._sem import SufficientStats, gaussian_log_likelihood
    >>> X = np.random.default_rng(0).normal(size=(1000, 2))
    >>> stats = SufficientStats.from_data(X)
    >>> ll = gaussian_log_likelihood(np.zeros((2, 2)), stats, X.var(axis=0))
    >>> bool(np.isclose(ll, -np.log(2 * np.pi) - 1 - 0.5 * np.log(X.var(0)).sum()))
    True
    """
    W = np.asarray(W, dtype=np.float64)
    d = stats.n_features
    variance = np.broadcast_to(np.asarray(noise_variance, dtype=np.float64), (d,))
    if np.any(~(variance > 0)):
        raise ValueError("noise_variance must be positive for every node.")
    second_moment = _residual_second_moment(W, stats, mean)
    log_lik = -0.5 * float(
        np.sum(np.log(2.0 * np.pi * variance) + second_moment / variance)
    )
    if not _support_is_acyclic(W):
        sign, log_abs_det = np.linalg.slogdet(np.eye(d) - W)
        log_lik += log_abs_det if sign != 0 else -np.inf
    return log_lik


def refit_least_squares(support, stats: SufficientStats) -> np.ndarray:
    """Least-squares edge weights on a fixed support.

    Every node is regressed, with intercept, on its parents in ``support``; the normal
    equations ``S[pa, pa] w = S[pa, j]`` use the covariance only. A singular
    ``S[pa, pa]`` (collinear parents) gets the minimum-norm solution.

    Parameters
    ----------
    support : array-like of shape (d, d)
        Non-zero (or True) entries are the edges ``i -> j`` to fit.
    stats : SufficientStats
        Statistics of the training data.

    Returns
    -------
    W : ndarray of shape (d, d)
        Refitted weights, zero outside ``support``.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal._sem import SufficientStats, refit_least_squares
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=500)
    >>> X = np.column_stack([x0, 2.0 * x0 + 0.1 * rng.normal(size=500)])
    >>> W = refit_least_squares([[0, 1], [0, 0]], SufficientStats.from_data(X))
    >>> round(float(W[0, 1]), 1)
    2.0
    """
    support = np.asarray(support) != 0
    S = stats.covariance
    W = np.zeros(support.shape)
    for j in range(support.shape[1]):
        parents = np.flatnonzero(support[:, j])
        if parents.size:
            W[parents, j] = np.linalg.lstsq(
                S[np.ix_(parents, parents)], S[parents, j], rcond=None
            )[0]
    return W


def gaussian_likelihood_loss(
    W, stats: SufficientStats, equal_variances: bool = True
) -> tuple[float, np.ndarray]:
    """Profile Gaussian negative log-likelihood of a linear SEM and its gradient.

    The noise variances of the linear Gaussian SEM ``x = x W + e`` are replaced by
    their maximum-likelihood values for the given ``W`` (profiled out), which leaves
    the score GOLEM minimises [1]_. With ``S`` the covariance and the per-node mean
    squared residuals ``r_j = [(I - W)^T S (I - W)]_{jj}``, the mean negative
    log-likelihood per sample is

    * equal variances (one pooled ``sigma^2 = sum_j r_j / d``):
      ``d/2 log(2 pi sum_j r_j / d) + d/2 - log|det(I - W)|``;
    * non-equal variances (``sigma_j^2 = r_j``):
      ``1/2 sum_j log(2 pi r_j) + d/2 - log|det(I - W)|``.

    Up to the additive constants these are GOLEM's ``d/2 log ||X - XW||_F^2`` and
    ``1/2 sum_j log ||X_j - X w_j||^2`` terms. The gradients use ``∂r_j/∂W[:, j] =
    -2 [S (I - W)]_{:, j}`` and the exact ``∂ log|det(I - W)| / ∂W = -(I - W)^{-T}``.
    The value equals ``-gaussian_log_likelihood(W, stats,
    noise_variance_from_stats(W, stats, equal_variances))``.

    Parameters
    ----------
    W : array-like of shape (d, d)
        Weighted adjacency matrix, ``W[i, j]`` the weight of the edge ``i -> j``;
        need not be acyclic.
    stats : SufficientStats
        Statistics of the training data (centring is the intercept of every
        equation).
    equal_variances : bool, default=True
        Pool the noise variance (GOLEM-EV) or give each node its own (GOLEM-NV).

    Returns
    -------
    loss : float
        Mean negative log-likelihood per sample; ``inf`` when ``I - W`` is singular
        or a residual variance is zero (the gradient is then not meaningful).
    grad : ndarray of shape (d, d)

    References
    ----------
    .. [1] I. Ng, A. Ghassami and K. Zhang, "On the role of sparsity and DAG
       constraints for learning linear DAGs", NeurIPS 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal._sem import SufficientStats, gaussian_likelihood_loss
    >>> X = np.random.default_rng(0).normal(size=(1000, 2))
    >>> stats = SufficientStats.from_data(X)
    >>> loss, grad = gaussian_likelihood_loss(np.zeros((2, 2)), stats, False)
    >>> bool(np.isclose(loss, np.log(2 * np.pi) + 1 + 0.5 * np.log(X.var(0)).sum()))
    True
    """
    W = np.asarray(W, dtype=np.float64)
    d = stats.n_features
    R = -W
    R.flat[:: d + 1] += 1.0  # R = I - W
    SR = stats.covariance @ R
    residual = np.einsum("ij,ij->j", R, SR)  # r_j, mean squared residual of node j
    sign, log_abs_det = np.linalg.slogdet(R)
    if sign == 0 or not np.all(residual > 0):
        return np.inf, np.zeros_like(W)
    if equal_variances:
        total = float(residual.sum())
        value = 0.5 * d * np.log(2.0 * np.pi * total / d)
        grad = SR * (-d / total)
    else:
        value = 0.5 * float(np.sum(np.log(2.0 * np.pi * residual)))
        grad = -SR / residual
    try:
        inv_T = np.linalg.inv(R).T
    except np.linalg.LinAlgError:
        return np.inf, np.zeros_like(W)
    return value + 0.5 * d - log_abs_det, grad + inv_T
