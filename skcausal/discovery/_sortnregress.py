"""SortNRegress: the variance-sorting baseline for linear structure learning.

Reisach, Seiler and Weichwald (NeurIPS 2021) showed that on the linear SEMs commonly
simulated to benchmark continuous-optimisation methods, the marginal variance tends
to grow along the causal order ("varsortability"). Their baseline exploits exactly
this and nothing else: sort the variables by increasing marginal variance, then
regress every variable on its predecessors with a sparse (adaptive Lasso) regression
chosen by an information criterion. A benchmark on which a method does not beat
SortNRegress measures the scale of the simulated data rather than causal discovery.
This module holds the regression (on sufficient statistics) and the
:class:`SortNRegress` estimator.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import lars_path_gram
from sklearn.utils._param_validation import Interval, StrOptions

from skcausal._sem import SufficientStats
from skcausal.base import DiscoveryMixin
from skcausal.discovery._base import (
    LinearSEMMixin,
    resolve_edge_constraints,
    standardizing_scale,
)

__all__ = ["SortNRegress"]

_TINY = np.finfo(np.float64).tiny


def _variance_order(variance: np.ndarray, required: np.ndarray) -> np.ndarray:
    """Nodes by increasing variance, each placed only after its required parents.

    Without required edges this is a stable argsort of ``variance``; otherwise, at
    every step the node of smallest variance among those whose required parents are
    all placed comes next (required edges are acyclic, so one always exists).
    """
    d = variance.shape[0]
    if not required.any():
        return np.argsort(variance, kind="stable")
    placed = np.zeros(d, dtype=bool)
    order = []
    for _ in range(d):
        ready = ~placed & ~(required & ~placed[:, None]).any(axis=0)
        candidates = np.flatnonzero(ready)
        node = int(candidates[np.argmin(variance[candidates])])
        order.append(node)
        placed[node] = True
    return np.asarray(order, dtype=int)


def _partial_out(S: np.ndarray, given: np.ndarray) -> np.ndarray:
    """Covariance conditional on the columns ``given`` (a Schur complement)."""
    if given.size == 0:
        return S
    coef = np.linalg.lstsq(S[np.ix_(given, given)], S[given], rcond=None)[0]
    return S - S[:, given] @ coef


def _information_criterion_lasso(S, target, candidates, n, penalty_per_parameter):
    """Adaptive Lasso of ``target`` on ``candidates``, chosen by AIC or BIC.

    The candidates are rescaled by the magnitudes of their least-squares
    coefficients (adaptive Lasso, Zou 2006), the whole Lasso path is computed by LARS
    from the Gram matrix, and the point minimising ``n log(RSS / n) + k
    penalty_per_parameter`` (``k`` non-zero coefficients) is returned.
    """
    coef = np.zeros(candidates.size)
    if candidates.size == 0:
        return coef
    S_cc = S[np.ix_(candidates, candidates)]
    S_ct = S[candidates, target]
    weight = np.abs(np.linalg.lstsq(S_cc, S_ct, rcond=None)[0])
    active = weight > 0
    if not active.any():
        return coef
    weight = weight[active]
    gram = n * S_cc[np.ix_(active, active)] * np.outer(weight, weight)
    xy = n * S_ct[active] * weight
    yy = n * S[target, target]
    _, _, path = lars_path_gram(xy, gram, n_samples=n, method="lasso")
    rss = yy - 2.0 * (xy @ path) + np.einsum("ik,ij,jk->k", path, gram, path)
    rss = np.maximum(rss, _TINY * max(yy, 1.0))
    criterion = n * np.log(rss / n) + penalty_per_parameter * np.count_nonzero(
        path, axis=0
    )
    coef[active] = weight * path[:, int(np.argmin(criterion))]
    return coef


class SortNRegress(DiscoveryMixin, LinearSEMMixin, BaseEstimator):
    """Sort by marginal variance, then sparse regression on the predecessors.

    The baseline of Reisach, Seiler and Weichwald [1]_: the variables are ordered by
    increasing marginal variance, and every variable is regressed on all the
    variables before it with an adaptive Lasso whose strength is chosen by BIC (or
    AIC); the non-zero coefficients are the edges. The output is a DAG by
    construction. SortNRegress succeeds exactly when the data are "varsortable" --
    when the marginal variance grows along the causal order, as it does in most
    simulated linear SEMs with unit-scale noise -- and fails on standardised data,
    where every variance is 1. It is the yardstick a structure learner must beat on
    the same data before its accuracy means anything (see
    :func:`skcausal.metrics.varsortability`).

    Parameters
    ----------
    criterion : {"bic", "aic"}, default="bic"
        Information criterion that selects the Lasso strength of every regression:
        ``n log(RSS / n) + k log(n)`` (BIC) or ``+ 2 k`` (AIC), ``k`` being the
        number of selected predecessors.
    w_threshold : float, default=0.0
        Edges whose Lasso weight satisfies ``|w| <= w_threshold`` are dropped (the
        information criterion already selects, so no threshold by default).
    forbidden_edges : None, bool array of shape (d, d) or iterable of pairs, \
            default=None
        Edges ``i -> j`` that must not appear: ``i`` is not offered to the regression
        of ``j``. They do not change the variance order.
    required_edges : None, bool array of shape (d, d) or iterable of pairs, \
            default=None
        Edges that always appear: the order places a node only after its required
        parents (otherwise by increasing variance), the required parents enter the
        regression unpenalised (the Lasso works on what they leave unexplained), and
        they are exempt from the threshold. They must not form a cycle or overlap
        ``forbidden_edges``.
    standardize : bool, default=False
        Fit on standardised columns. All variances are then equal, so the order is
        arbitrary (decided by rounding): this is the point of the baseline, to show
        how much of a method's accuracy comes from the scale of the data.
    refit : bool, default=True
        Refit the weights of the selected graph by least squares (each node on its
        parents) into ``coef_``. With False, ``coef_`` holds the adaptive-Lasso
        weights, equal to ``adjacency_matrix_``.

    Attributes
    ----------
    adjacency_matrix_ : ndarray of shape (n_features, n_features)
        Adaptive-Lasso weights in the units of the input; ``adjacency_matrix_[i, j]
        != 0`` is the edge ``i -> j``. Always a DAG.
    coef_ : ndarray of shape (n_features, n_features)
        Least-squares weights on the support of ``adjacency_matrix_`` (see ``refit``).
    intercept_ : ndarray of shape (n_features,)
        Intercepts of the structural equations, ``mean_ - mean_ @ coef_``.
    mean_ : ndarray of shape (n_features,)
        Column means of the training data.
    noise_variance_ : ndarray of shape (n_features,)
        Per-node residual variance of ``coef_`` on the training data (divisor ``n``).
    causal_order_ : ndarray of shape (n_features,)
        The variance order used (increasing variance, required parents first).
    graph_type_ : str
        ``"dag"``.
    n_samples_seen_ : int
        Number of samples the model is fitted on (summed over ``partial_fit`` calls).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    skcausal.metrics.varsortability : How sortable the data are.
    skcausal.discovery.NOTEARS : A continuous-optimisation method to compare with.

    Notes
    -----
    The regressions use the sufficient statistics only (LARS on the Gram matrix,
    :func:`sklearn.linear_model.lars_path_gram`), so the cost after one pass over
    the data does not depend on ``n`` and ``partial_fit`` streams data. The
    adaptive-Lasso rescaling by the least-squares coefficients and the BIC choice
    along the Lasso path follow the paper's use of
    :class:`~sklearn.linear_model.LassoLarsIC`; the criterion here profiles the noise
    variance out (``n log(RSS / n)``) instead of plugging in a noise estimate, which
    keeps it defined when a node has as many predecessors as samples.

    References
    ----------
    .. [1] A. G. Reisach, C. Seiler and S. Weichwald, "Beware of the simulated DAG!
       Causal discovery benchmarks may be easy to game", NeurIPS 2021.
    .. [2] H. Zou, "The adaptive lasso and its oracle properties", JASA 2006.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.discovery import SortNRegress
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=500)
    >>> x1 = 2.0 * x0 + rng.normal(size=500)
    >>> x2 = -1.5 * x1 + rng.normal(size=500)
    >>> model = SortNRegress().fit(np.column_stack([x2, x0, x1]))
    >>> model.causal_order_
    array([1, 2, 0])
    >>> (model.adjacency_matrix_ != 0).astype(int)
    array([[0, 0, 0],
           [0, 0, 1],
           [1, 0, 0]])
    """

    _equal_variances = False
    _parameter_constraints: dict = {
        "criterion": [StrOptions({"bic", "aic"})],
        "w_threshold": [Interval(Real, 0, None, closed="left")],
        "forbidden_edges": ["array-like", None],
        "required_edges": ["array-like", None],
        "standardize": ["boolean"],
        "refit": ["boolean"],
    }

    def __init__(
        self,
        *,
        criterion: str = "bic",
        w_threshold: float = 0.0,
        forbidden_edges=None,
        required_edges=None,
        standardize: bool = False,
        refit: bool = True,
    ):
        self.criterion = criterion
        self.w_threshold = w_threshold
        self.forbidden_edges = forbidden_edges
        self.required_edges = required_edges
        self.standardize = standardize
        self.refit = refit

    def _fit_stats(self, stats: SufficientStats):
        """Fit from the sufficient statistics of all the data seen (the fit hook)."""
        d = stats.n_features
        forbidden, required = resolve_edge_constraints(
            self.forbidden_edges,
            self.required_edges,
            d,
            getattr(self, "feature_names_in_", None),
        )
        scale = standardizing_scale(stats) if self.standardize else None
        fit_stats = stats if scale is None else stats.scaled(1.0 / scale)
        S = fit_stats.covariance
        n = fit_stats.n
        penalty = np.log(n) if self.criterion == "bic" else 2.0

        order = _variance_order(np.diagonal(S).copy(), required)
        W = np.zeros((d, d))
        for k in range(1, d):
            target = order[k]
            before = order[:k]
            given = before[required[before, target]]
            free = before[~required[before, target] & ~forbidden[before, target]]
            S_given = _partial_out(S, given)
            W[free, target] = _information_criterion_lasso(
                S_given, target, free, n, penalty
            )
            if given.size:
                # Least squares for the required parents given the selected others.
                residual = S[given, target] - S[np.ix_(given, free)] @ W[free, target]
                W[given, target] = np.linalg.lstsq(
                    S[np.ix_(given, given)], residual, rcond=None
                )[0]
        self._set_linear_sem(
            W,
            stats,
            w_threshold=self.w_threshold,
            required=required,
            scale=scale,
            refit=self.refit,
            equal_variances=False,
        )
        self.causal_order_ = order
        return self
