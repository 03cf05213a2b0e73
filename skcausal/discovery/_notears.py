"""NOTEARS: structure learning of linear SEMs by continuous optimisation.

Zheng, Aragam, Ravikumar and Xing (NeurIPS 2018) replace the combinatorial acyclicity
constraint by the smooth equality ``h(W) = tr(exp(W ∘ W)) - d = 0`` and solve the
least-squares problem with an L1 penalty by an augmented Lagrangian method. This module
holds the optimiser (on sufficient statistics, so its cost does not depend on the number
of samples) and the :class:`NOTEARS` estimator.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.optimize import Bounds, minimize
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from threadpoolctl import threadpool_limits

from skcausal._acyclicity import trace_expm
from skcausal._sem import SufficientStats, least_squares_loss
from skcausal._validation import validate_X
from skcausal.base import DiscoveryMixin
from skcausal.discovery._base import (
    LinearSEMMixin,
    resolve_edge_constraints,
    standardizing_scale,
)

__all__ = ["NOTEARS"]

# Below this many features the d x d products of every objective evaluation are too
# small for a multi-threaded BLAS: thread start-up and synchronisation then cost more
# than the arithmetic (10x to 20x slower on a busy 2-core machine), so the optimiser
# runs with one BLAS thread.
_SINGLE_THREAD_MAX_FEATURES = 200


def _augmented_lagrangian(w, stats, penalty, rho, alpha):
    """Value and gradient of the NOTEARS objective in the split ``w = [W+, W-]``."""
    d = stats.n_features
    W = (w[: d * d] - w[d * d :]).reshape(d, d)
    loss, loss_grad = least_squares_loss(W, stats)
    h, h_grad = trace_expm(W)
    if np.isinf(h):  # exp(W ∘ W) overflowed: an infinite value makes L-BFGS-B step back
        return np.inf, np.concatenate([loss_grad.ravel(), -loss_grad.ravel()]) + penalty
    value = loss + 0.5 * rho * h * h + alpha * h + penalty @ w
    smooth_grad = (loss_grad + (rho * h + alpha) * h_grad).ravel()
    return value, np.concatenate([smooth_grad, -smooth_grad]) + penalty


def _notears_linear(
    stats: SufficientStats,
    *,
    lambda1: float,
    max_iter: int,
    h_tol: float,
    rho_max: float,
    tol: float,
    forbidden: np.ndarray,
    required: np.ndarray,
    verbose: int = 0,
):
    """Augmented-Lagrangian NOTEARS on sufficient statistics.

    Minimises ``loss(W) + lambda1 |W|_1 + rho/2 h(W)^2 + alpha h(W)`` over the split
    ``W = W+ - W-`` (``W+, W- >= 0``) with L-BFGS-B, then ascends the dual ``alpha``;
    ``rho`` grows tenfold while ``h`` does not fall below a quarter of its previous
    value. Diagonal and forbidden entries are fixed at zero through the bounds; required
    entries are not penalised.

    Returns
    -------
    W : ndarray of shape (d, d)
        Unthresholded weights.
    h : float
        Final acyclicity value.
    n_iter : int
        Outer (dual ascent) iterations performed.
    """
    d = stats.n_features
    free = ~(forbidden | np.eye(d, dtype=bool))
    upper = np.tile(np.where(free, np.inf, 0.0).ravel(), 2)
    bounds = Bounds(np.zeros(2 * d * d), upper)
    penalty = np.tile(np.where(required, 0.0, lambda1).ravel(), 2)

    w = np.zeros(2 * d * d)
    rho, alpha, h = 1.0, 0.0, np.inf
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        while True:
            result = minimize(
                _augmented_lagrangian,
                w,
                args=(stats, penalty, rho, alpha),
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                tol=tol,
            )
            h_new, _ = trace_expm((result.x[: d * d] - result.x[d * d :]).reshape(d, d))
            if h_new > 0.25 * h and rho < rho_max:
                rho *= 10.0
            else:
                break
        w, h = result.x, h_new
        alpha += rho * h
        if verbose > 0:
            W = (w[: d * d] - w[d * d :]).reshape(d, d)
            print(
                f"[NOTEARS] iteration {n_iter}: h={h:.3e}, rho={rho:.1e}, "
                f"loss={least_squares_loss(W, stats)[0]:.6f}, "
                f"edges={int(np.count_nonzero(W))}"
            )
        if h <= h_tol or rho >= rho_max:
            break
    return (w[: d * d] - w[d * d :]).reshape(d, d), h, n_iter


class NOTEARS(DiscoveryMixin, LinearSEMMixin, BaseEstimator):
    """NOTEARS causal discovery for linear structural equation models.

    Learns a weighted DAG by minimising the least-squares loss of a linear SEM with an
    L1 penalty under the smooth acyclicity constraint ``tr(exp(W ∘ W)) = d`` [1]_,
    solved by an augmented Lagrangian with L-BFGS-B. The solution is thresholded at
    ``w_threshold`` and any remaining cycle is broken at its weakest edge, so the output
    is always a DAG. The optimiser works on the sufficient statistics of the data (mean
    and centred co-moment): after one pass over ``X`` its cost depends on the number of
    features only, and ``partial_fit`` streams data chunk by chunk.

    Parameters
    ----------
    lambda1 : float, default=0.1
        L1 penalty strength on the edge weights (required edges are exempt).
    w_threshold : float or "auto", default=0.3
        Edges whose optimiser weight satisfies ``|w| <= w_threshold`` are dropped
        (on the standardised scale when ``standardize=True``). ``"auto"`` uses the
        smallest threshold whose graph is a DAG (no cycle breaking needed); the value
        used is stored in ``w_threshold_``.
    max_iter : int, default=100
        Maximum number of outer (dual ascent) iterations of the augmented Lagrangian.
    h_tol : float, default=1e-8
        Acyclicity tolerance: the optimisation has converged when ``h(W) <= h_tol``.
    rho_max : float, default=1e16
        Largest penalty coefficient ``rho``; the optimisation stops when it is reached.
    tol : float, default=1e-7
        Tolerance of each L-BFGS-B sub-problem (``ftol`` and ``gtol`` of
        :func:`scipy.optimize.minimize`).
    forbidden_edges : None, bool array of shape (d, d) or iterable of pairs, \
            default=None
        Edges ``i -> j`` that must not appear, as ``(i, j)`` index pairs, ``(name,
        name)`` pairs for a DataFrame input, or a boolean mask. Fixed at zero in the
        optimisation.
    required_edges : None, bool array of shape (d, d) or iterable of pairs, \
            default=None
        Edges that always appear in the output: exempt from the L1 penalty, the
        threshold and the cycle breaking. They must not form a cycle or overlap
        ``forbidden_edges``.
    standardize : bool, default=False
        Fit on standardised columns (mean 0, variance 1). Results are reported in the
        units of the input (see Notes).
    refit : bool, default=True
        Refit the weights of the thresholded graph by least squares (each node on its
        parents) into ``coef_``, which ``predict``, ``transform``, ``score`` and
        ``bic`` use. With False, ``coef_`` equals ``adjacency_matrix_``.
    refine : bool, default=False
        After thresholding, improve the graph by greedy hill climbing -- add, delete
        or reverse one edge at a time -- on the equal-variance Gaussian BIC (the
        score whose population optimum is the true DAG under NOTEARS' own
        equal-variance assumption), respecting forbidden and required edges. This
        repairs the reversed edges typical of NOTEARS' local optima at a small
        cost; ``adjacency_matrix_`` then holds least-squares weights. Off by
        default so that NOTEARS is the published algorithm. The score assumes equal
        noise variances on the scale it is fitted: on standardised data, or when the
        variances differ, it can add and reverse edges (in the benchmarks it doubled
        the SHD of standardised ER-2 graphs at d = 20 and added edges at d = 50).
    verbose : int, default=0
        Print ``h``, ``rho`` and the loss after every outer iteration when positive.

    Attributes
    ----------
    adjacency_matrix_ : ndarray of shape (n_features, n_features)
        The thresholded optimiser weights, in the units of the input:
        ``adjacency_matrix_[i, j] != 0`` is the edge ``i -> j``. Always a DAG.
    coef_ : ndarray of shape (n_features, n_features)
        Least-squares weights on the support of ``adjacency_matrix_`` (see ``refit``).
    intercept_ : ndarray of shape (n_features,)
        Intercepts of the structural equations, ``mean_ - mean_ @ coef_``.
    mean_ : ndarray of shape (n_features,)
        Column means of the training data.
    noise_variance_ : ndarray of shape (n_features,)
        Noise variance of every structural equation, from the training residuals of
        ``coef_`` (divisor ``n``). The loss assumes equal variances, so the residual
        variances are pooled: all entries are equal, except after a standardised fit,
        where the pooled variance of the standardised problem is rescaled by each
        column's variance.
    causal_order_ : ndarray of shape (n_features,)
        A topological order of ``adjacency_matrix_`` (smallest index first on ties).
    w_threshold_ : float
        The edge threshold applied (``w_threshold``, or the value ``"auto"`` chose).
    graph_type_ : str
        ``"dag"``.
    converged_ : bool
        Whether the final acyclicity value met ``h_tol``.
    n_iter_ : int
        Number of outer iterations performed (in the last ``fit``/``partial_fit``).
    n_samples_seen_ : int
        Number of samples the model is fitted on (summed over ``partial_fit`` calls).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    skcausal.graph.threshold_to_dag : Thresholding and cycle breaking of the output.
    skcausal.datasets.make_linear_sem : Linear SEM data with a known graph.

    Notes
    -----
    For centred data ``Xc`` with ``n`` rows, NOTEARS solves

    ``min_W 1/(2n) ||Xc - Xc W||_F^2 + lambda1 ||W||_1  s.t.  tr(exp(W ∘ W)) - d = 0``

    by minimising ``loss + lambda1 ||W||_1 + rho/2 h(W)^2 + alpha h(W)`` for increasing
    ``rho`` and dual updates ``alpha += rho h(W)``.

    With ``standardize=True`` the optimisation and the threshold work on
    ``(X - mean) / sd`` and weights map back to the input units as
    ``W[i, j] = W_std[i, j] * sd_j / sd_i``; the noise variances scale by ``sd_j^2``,
    which adds the log-scale terms back to ``score``.

    ``score(X)`` is the mean held-out Gaussian log-likelihood per sample of the
    thresholded graph with the refitted ``coef_``, the training means and the pooled
    training noise variance (higher is better, no complexity penalty); ``bic(X)`` adds
    the penalty (lower is better). A :class:`~sklearn.exceptions.ConvergenceWarning`
    is issued once per fit when ``h(W) > h_tol`` at the end; the output is a DAG
    regardless. NOTEARS is non-convex and can stop in a local optimum, and its
    accuracy on simulated data relies on the marginal variances growing along the
    causal order (standardising removes that signal).

    References
    ----------
    .. [1] X. Zheng, B. Aragam, P. Ravikumar and E. P. Xing, "DAGs with NO TEARS:
       Continuous optimization for structure learning", NeurIPS 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.discovery import NOTEARS
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=500)
    >>> x1 = 2.0 * x0 + rng.normal(size=500)
    >>> x2 = -1.5 * x1 + rng.normal(size=500)
    >>> model = NOTEARS().fit(np.column_stack([x0, x1, x2]))
    >>> (model.adjacency_matrix_ != 0).astype(int)
    array([[0, 1, 0],
           [0, 0, 1],
           [0, 0, 0]])
    >>> model.causal_order_
    array([0, 1, 2])
    """

    _parameter_constraints: dict = {
        "lambda1": [Interval(Real, 0, None, closed="left")],
        "w_threshold": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "h_tol": [Interval(Real, 0, None, closed="left")],
        "rho_max": [Interval(Real, 0, None, closed="neither")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "forbidden_edges": ["array-like", None],
        "required_edges": ["array-like", None],
        "standardize": ["boolean"],
        "refit": ["boolean"],
        "refine": ["boolean"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        lambda1: float = 0.1,
        w_threshold: float | str = 0.3,
        max_iter: int = 100,
        h_tol: float = 1e-8,
        rho_max: float = 1e16,
        tol: float = 1e-7,
        forbidden_edges=None,
        required_edges=None,
        standardize: bool = False,
        refit: bool = True,
        refine: bool = False,
        verbose: int = 0,
    ):
        self.lambda1 = lambda1
        self.w_threshold = w_threshold
        self.max_iter = max_iter
        self.h_tol = h_tol
        self.rho_max = rho_max
        self.tol = tol
        self.forbidden_edges = forbidden_edges
        self.required_edges = required_edges
        self.standardize = standardize
        self.refit = refit
        self.refine = refine
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the DAG and the linear SEM from data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, at least 2 samples and 2 features, finite. Not modified.
        y : None
            Ignored.

        Returns
        -------
        self : NOTEARS
            The fitted estimator.
        """
        X = validate_X(self, X, reset=True, ensure_min_features=2)
        return self._fit_stats(SufficientStats.from_data(X))

    def _fit_stats(self, stats: SufficientStats):
        """Fit from the sufficient statistics of all the data seen (the fit hook)."""
        forbidden, required = resolve_edge_constraints(
            self.forbidden_edges,
            self.required_edges,
            stats.n_features,
            getattr(self, "feature_names_in_", None),
        )
        scale = standardizing_scale(stats) if self.standardize else None
        fit_stats = stats if scale is None else stats.scaled(1.0 / scale)

        n_threads = 1 if stats.n_features < _SINGLE_THREAD_MAX_FEATURES else None
        with threadpool_limits(limits=n_threads, user_api="blas"):
            W, h, self.n_iter_ = _notears_linear(
                fit_stats,
                lambda1=self.lambda1,
                max_iter=self.max_iter,
                h_tol=self.h_tol,
                rho_max=self.rho_max,
                tol=self.tol,
                forbidden=forbidden,
                required=required,
                verbose=self.verbose,
            )
        self.converged_ = bool(h <= self.h_tol)
        if not self.converged_:
            warnings.warn(
                f"NOTEARS did not reach h(W) <= h_tol={self.h_tol:g} "
                f"(h={h:.3g} after {self.n_iter_} iterations); the thresholded output "
                "is still a DAG. Increase max_iter or rho_max, or raise h_tol.",
                ConvergenceWarning,
                stacklevel=4,  # the caller of fit or partial_fit
            )
        return self._set_linear_sem(
            W,
            stats,
            w_threshold=self.w_threshold,
            required=required,
            scale=scale,
            refit=self.refit,
            refine=self.refine,
            forbidden=forbidden,
        )
