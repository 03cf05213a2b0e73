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
from scipy.special import expit
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from skcausal._acyclicity import trace_expm
from skcausal._glm_losses import glm_log_likelihood, logistic_loss, poisson_loss
from skcausal._sem import SufficientStats, least_squares_loss
from skcausal._validation import validate_X
from skcausal.base import DiscoveryMixin
from skcausal.discovery._base import (
    LinearSEMMixin,
    resolve_edge_constraints,
    smallest_acyclic_threshold,
    standardizing_scale,
)
from skcausal.graph import threshold_to_dag, topological_order

__all__ = ["NOTEARS"]

# Below this many features the d x d products of every objective evaluation are too
# small for a multi-threaded BLAS: thread start-up and synchronisation then cost more
# than the arithmetic (10x to 20x slower on a busy 2-core machine), so the optimiser
# runs with one BLAS thread.
_SINGLE_THREAD_MAX_FEATURES = 200

_GLM_LOSSES = {"logistic": logistic_loss, "poisson": poisson_loss}
_TINY = np.finfo(np.float64).tiny


def _check_glm_data(X: np.ndarray, loss: str, feature_names=None) -> None:
    """ValueError naming the columns that the logistic or Poisson loss cannot model."""
    if loss == "logistic":
        bad = ~np.all((X == 0) | (X == 1), axis=0)
        need = "binary columns (every value 0 or 1)"
    else:
        bad = ~np.all((X >= 0) & (np.floor(X) == X), axis=0)
        need = "count columns (non-negative integers)"
    if bad.any():
        columns = np.flatnonzero(bad)
        labels = (
            [repr(str(feature_names[k])) for k in columns]
            if feature_names is not None
            else [str(k) for k in columns]
        )
        raise ValueError(
            f"loss={loss!r} needs {need}; column(s) {', '.join(labels)} of X "
            "are not. Use loss='squared' for continuous data."
        )


def _refit_glm(X, support, loss, W0, intercept0, tol):
    """Unpenalised maximum-likelihood GLM weights on a fixed support, with intercepts.

    All nodes are fitted jointly by L-BFGS-B from ``(W0, intercept0)``; entries outside
    ``support`` stay zero.
    """
    d = X.shape[1]
    edges = np.flatnonzero(support)
    glm_loss = _GLM_LOSSES[loss]

    def objective(theta):
        W = np.zeros(d * d)
        W[edges] = theta[: edges.size]
        value, grad, intercept_grad = glm_loss(W.reshape(d, d), X, theta[edges.size :])
        return value, np.concatenate([grad.ravel()[edges], intercept_grad])

    theta = np.concatenate([np.asarray(W0).ravel()[edges], intercept0])
    theta = minimize(objective, theta, jac=True, method="L-BFGS-B", tol=tol).x
    W = np.zeros(d * d)
    W[edges] = theta[: edges.size]
    return W.reshape(d, d), theta[edges.size :]


def _augmented_lagrangian(w, smooth_loss, d, penalty, rho, alpha):
    """Value and gradient of the NOTEARS objective in ``w = [W+, W-, extra]``.

    ``smooth_loss(W, extra) -> (loss, grad_W, grad_extra)``; ``extra`` holds the
    unpenalised intercepts of a GLM loss (empty for the least-squares loss).
    """
    dd = d * d
    W = (w[:dd] - w[dd : 2 * dd]).reshape(d, d)
    loss, loss_grad, extra_grad = smooth_loss(W, w[2 * dd :])
    h, h_grad = trace_expm(W)
    if np.isinf(h) or np.isinf(loss):  # overflow: an infinite value makes L-BFGS-B
        # step back
        grad = np.concatenate([loss_grad.ravel(), -loss_grad.ravel(), extra_grad])
        return np.inf, grad + penalty
    value = loss + 0.5 * rho * h * h + alpha * h + penalty @ w
    smooth_grad = (loss_grad + (rho * h + alpha) * h_grad).ravel()
    return value, np.concatenate([smooth_grad, -smooth_grad, extra_grad]) + penalty


def _least_squares_objective(stats: SufficientStats):
    """The least-squares loss on sufficient statistics, with no extra variables."""
    no_extra = np.empty(0)

    def smooth_loss(W, extra):
        return (*least_squares_loss(W, stats), no_extra)

    return smooth_loss


def _glm_objective(X: np.ndarray, loss: str):
    """The logistic or Poisson loss on the data, with one intercept per node."""
    glm_loss = _GLM_LOSSES[loss]

    def smooth_loss(W, intercept):
        return glm_loss(W, X, intercept)

    return smooth_loss


def _notears_linear(
    smooth_loss,
    d: int,
    *,
    lambda1: float,
    max_iter: int,
    h_tol: float,
    rho_max: float,
    tol: float,
    forbidden: np.ndarray,
    required: np.ndarray,
    n_extra: int = 0,
    verbose: int = 0,
):
    """Augmented-Lagrangian NOTEARS.

    Minimises ``loss(W) + lambda1 |W|_1 + rho/2 h(W)^2 + alpha h(W)`` over the split
    ``W = W+ - W-`` (``W+, W- >= 0``) with L-BFGS-B, then ascends the dual ``alpha``;
    ``rho`` grows tenfold while ``h`` does not fall below a quarter of its previous
    value. Diagonal and forbidden entries are fixed at zero through the bounds; required
    entries are not penalised. ``n_extra`` unbounded, unpenalised variables (the
    intercepts of a GLM loss) are optimised jointly, starting at zero.

    Returns
    -------
    W : ndarray of shape (d, d)
        Unthresholded weights.
    extra : ndarray of shape (n_extra,)
        The extra variables at the solution.
    h : float
        Final acyclicity value.
    n_iter : int
        Outer (dual ascent) iterations performed.
    """
    dd = d * d
    free = ~(forbidden | np.eye(d, dtype=bool))
    upper = np.tile(np.where(free, np.inf, 0.0).ravel(), 2)
    lower = np.zeros(2 * dd)
    penalty = np.tile(np.where(required, 0.0, lambda1).ravel(), 2)
    if n_extra:
        upper = np.concatenate([upper, np.full(n_extra, np.inf)])
        lower = np.concatenate([lower, np.full(n_extra, -np.inf)])
        penalty = np.concatenate([penalty, np.zeros(n_extra)])
    bounds = Bounds(lower, upper)

    w = np.zeros(2 * dd + n_extra)
    rho, alpha, h = 1.0, 0.0, np.inf
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        while True:
            result = minimize(
                _augmented_lagrangian,
                w,
                args=(smooth_loss, d, penalty, rho, alpha),
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                tol=tol,
            )
            h_new, _ = trace_expm((result.x[:dd] - result.x[dd : 2 * dd]).reshape(d, d))
            if h_new > 0.25 * h and rho < rho_max:
                rho *= 10.0
            else:
                break
        w, h = result.x, h_new
        alpha += rho * h
        if verbose > 0:
            W = (w[:dd] - w[dd : 2 * dd]).reshape(d, d)
            print(
                f"[NOTEARS] iteration {n_iter}: h={h:.3e}, rho={rho:.1e}, "
                f"loss={smooth_loss(W, w[2 * dd :])[0]:.6f}, "
                f"edges={int(np.count_nonzero(W))}"
            )
        if h <= h_tol or rho >= rho_max:
            break
    return (w[:dd] - w[dd : 2 * dd]).reshape(d, d), w[2 * dd :], h, n_iter


class NOTEARS(DiscoveryMixin, LinearSEMMixin, BaseEstimator):
    """NOTEARS causal discovery for linear structural equation models.

    Learns a weighted DAG by minimising the least-squares loss of a linear SEM with an
    L1 penalty under the smooth acyclicity constraint ``tr(exp(W ∘ W)) = d`` [1]_,
    solved by an augmented Lagrangian with L-BFGS-B. The solution is thresholded at
    ``w_threshold`` and any remaining cycle is broken at its weakest edge, so the output
    is always a DAG. The optimiser works on the sufficient statistics of the data (mean
    and centred co-moment): after one pass over ``X`` its cost depends on the number of
    features only, and ``partial_fit`` streams data chunk by chunk.

    With ``loss="logistic"`` (binary columns) or ``loss="poisson"`` (count columns)
    every node is a generalised linear model of its parents, as in the paper's
    extension [1]_; these losses have no finite sufficient statistic, so the
    optimiser works on the data itself and ``partial_fit`` is not available.

    Parameters
    ----------
    loss : {"squared", "logistic", "poisson"}, default="squared"
        The loss of every structural equation: least squares (linear SEM, on
        sufficient statistics), logistic (``x_j ~ Bernoulli(sigmoid(b_j + x w_j))``,
        every column 0/1) or Poisson (``x_j ~ Poisson(exp(b_j + x w_j))``, every column
        a non-negative integer). The GLM losses fit one unpenalised intercept per node
        jointly with the weights; see Notes for the methods they support.
        L1 penalty strength on the edge weights (required edges are exempt). The
        logistic loss is flatter (its curvature is at most 1/4) and needs a smaller
        value: with 0.1 it typically returns the empty graph, 0.01 works on the
        tests' simulations (binary and count SEMs, d <= 8, n = 2000).
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
        units of the input (see Notes). Squared loss only: binary or count columns
        cannot be standardised and stay targets of their GLM.
    refit : bool, default=True
        Refit the weights of the thresholded graph by least squares (each node on its
        parents) into ``coef_``, which ``predict``, ``transform``, ``score`` and
        ``bic`` use. With False, ``coef_`` equals ``adjacency_matrix_``. With a GLM
        loss the refit is the unpenalised maximum-likelihood fit of the same loss on
        the thresholded support (``coef_`` and ``intercept_`` together).
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
        Squared loss only.
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
        Intercepts of the structural equations, ``mean_ - mean_ @ coef_`` (with a GLM
        loss: the fitted intercepts of the linear predictors).
    mean_ : ndarray of shape (n_features,)
        Column means of the training data.
    noise_variance_ : ndarray of shape (n_features,)
        Noise variance of every structural equation, from the training residuals of
        ``coef_`` (divisor ``n``). The loss assumes equal variances, so the residual
        variances are pooled: all entries are equal, except after a standardised fit,
        where the pooled variance of the standardised problem is rescaled by each
        column's variance. Squared loss only (a GLM has no additive noise).
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

    With a GLM loss the least-squares term is replaced, for ``M = X W + 1 b^T``, by
    ``1/n sum_ij [log(1 + exp(M_ij)) - X_ij M_ij]`` (logistic) or
    ``1/n sum_ij [exp(M_ij) - X_ij M_ij]`` (Poisson), the mean negative
    log-likelihoods of :mod:`skcausal._glm_losses`; each evaluation costs
    ``O(n d^2)``. Unlike the paper's code, the model has intercepts ``b`` (fitted
    jointly, unpenalised), so that a root whose mean is not ``sigmoid(0) = 1/2`` (or
    ``exp(0) = 1``) is not explained by spurious edges. The fitted GLM supports
    ``predict`` (the conditional means ``sigmoid(X coef_ + intercept_)`` or
    ``exp(X coef_ + intercept_)`` given the parents), ``score`` (the mean held-out
    Bernoulli or Poisson log-likelihood per sample, summed over nodes, including
    ``-log(x!)``) and ``bic`` (edges plus ``d`` intercepts as parameters);
    ``transform`` and ``inverse_transform`` need additive noise and raise a
    ``ValueError``, as does ``partial_fit``.

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
        "loss": [StrOptions({"squared", "logistic", "poisson"})],
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
        loss: str = "squared",
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
        self.loss = loss
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
        if self.loss in _GLM_LOSSES:
            return self._fit_glm(X)
        return self._fit_stats(SufficientStats.from_data(X))

    def _fit_stats(self, stats: SufficientStats):
        """Fit from the sufficient statistics of all the data seen (the fit hook)."""
        self._fitted_loss = "squared"
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
            W, _, h, self.n_iter_ = _notears_linear(
                _least_squares_objective(fit_stats),
                stats.n_features,
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

    def _fit_glm(self, X: np.ndarray):
        """Fit with the logistic or Poisson loss on the data ``X`` (validated)."""
        names = getattr(self, "feature_names_in_", None)
        _check_glm_data(X, self.loss, names)
        for name in ("standardize", "refine"):
            if getattr(self, name):
                raise ValueError(
                    f"{name}=True is available with loss='squared' only; "
                    f"got loss={self.loss!r}."
                )
        n, d = X.shape
        forbidden, required = resolve_edge_constraints(
            self.forbidden_edges, self.required_edges, d, names
        )
        n_threads = 1 if d < _SINGLE_THREAD_MAX_FEATURES else None
        with threadpool_limits(limits=n_threads, user_api="blas"):
            W, intercept, h, self.n_iter_ = _notears_linear(
                _glm_objective(X, self.loss),
                d,
                lambda1=self.lambda1,
                max_iter=self.max_iter,
                h_tol=self.h_tol,
                rho_max=self.rho_max,
                tol=self.tol,
                forbidden=forbidden,
                required=required,
                n_extra=d,
                verbose=self.verbose,
            )
            self.converged_ = bool(h <= self.h_tol)
            if not self.converged_:
                warnings.warn(
                    f"NOTEARS did not reach h(W) <= h_tol={self.h_tol:g} "
                    f"(h={h:.3g} after {self.n_iter_} iterations); the thresholded "
                    "output is still a DAG. Increase max_iter or rho_max, or raise "
                    "h_tol.",
                    ConvergenceWarning,
                    stacklevel=4,  # the caller of fit
                )
            # A required edge with an exactly-zero weight still enters the cycle
            # breaking as an edge (as in the least-squares path).
            placeholder = required & (W == 0)
            W[placeholder] = _TINY
            w_threshold = self.w_threshold
            if isinstance(w_threshold, str):
                w_threshold = smallest_acyclic_threshold(W, required)
            dag = threshold_to_dag(W, w_threshold, required_edges=required)
            adjacency = np.where(placeholder, 0.0, dag)
            if self.refit:
                coef, intercept = _refit_glm(
                    X, (dag != 0) | required, self.loss, adjacency, intercept, self.tol
                )
                missing = required & (adjacency == 0)
                adjacency[missing] = coef[missing]
            adjacency[required & (adjacency == 0)] = _TINY
            if not self.refit:
                coef = adjacency.copy()

        self.adjacency_matrix_ = adjacency
        self.w_threshold_ = float(w_threshold)
        self.coef_ = coef
        self.intercept_ = intercept
        self.mean_ = X.mean(axis=0)
        self.causal_order_ = topological_order(adjacency)
        self.graph_type_ = "dag"
        self.n_samples_seen_ = n
        self._n_noise_parameters = 0  # bic counts edges and intercepts only
        self._fitted_loss = self.loss
        for stale in ("noise_variance_", "_stats"):  # from an earlier squared fit
            if hasattr(self, stale):
                delattr(self, stale)
        return self

    def _glm_fitted(self) -> bool:
        check_is_fitted(self, "coef_")
        return getattr(self, "_fitted_loss", "squared") in _GLM_LOSSES

    def _no_additive_noise(self, method: str):
        return ValueError(
            f"{method} needs additive noise: it is available after a fit with "
            f"loss='squared', not loss={self._fitted_loss!r}."
        )

    def partial_fit(self, X, y=None):
        """Add a chunk of data and refit on everything seen so far (squared loss).

        See :meth:`LinearSEMMixin.partial_fit
        <skcausal.discovery._base.LinearSEMMixin.partial_fit>`: the least-squares loss
        streams data through its sufficient statistics. The logistic and Poisson losses
        have no finite sufficient statistic and raise a ``ValueError``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of data (the first chunk needs at least 2 rows and 2 columns).
        y : None
            Ignored.

        Returns
        -------
        self : NOTEARS
            The estimator, fitted on all the chunks seen.
        """
        if self.loss in _GLM_LOSSES:
            raise ValueError(
                f"partial_fit is not available with loss={self.loss!r}: the logistic "
                "and Poisson losses have no finite sufficient statistic, so every "
                "optimisation step needs all the data. Use fit on the whole data, or "
                "loss='squared'."
            )
        return super().partial_fit(X, y)

    def predict(self, X) -> np.ndarray:
        """Apply the structural equations: predict every column from its parents.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units of the training input.

        Returns
        -------
        X_pred : ndarray of shape (n_samples, n_features)
            ``intercept_ + X @ coef_`` (squared loss); with a GLM loss its mean
            function, ``sigmoid`` (the probability of a 1) or ``exp`` (the expected
            count).
        """
        if not self._glm_fitted():
            return super().predict(X)
        X = validate_X(self, X, reset=False)
        linear = X @ self.coef_ + self.intercept_
        if self._fitted_loss == "logistic":
            return expit(linear)
        with np.errstate(over="ignore"):
            return np.exp(linear)

    def transform(self, X) -> np.ndarray:
        """Estimate the exogenous noise of every sample (squared loss only).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units of the training input.

        Returns
        -------
        E : ndarray of shape (n_samples, n_features)
            Residuals ``X - predict(X)``.
        """
        if self._glm_fitted():
            raise self._no_additive_noise("transform")
        return super().transform(X)

    def inverse_transform(self, X) -> np.ndarray:
        """Generate data from exogenous noise in causal order (squared loss only).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Noise values.

        Returns
        -------
        X_gen : ndarray of shape (n_samples, n_features)
            Data generated from the noise.
        """
        if self._glm_fitted():
            raise self._no_additive_noise("inverse_transform")
        return super().inverse_transform(X)

    def score(self, X, y=None) -> float:
        """Mean held-out log-likelihood per sample of the fitted SEM (higher is better).

        Gaussian for the squared loss (see the class Notes); Bernoulli or Poisson for
        a GLM loss (``X`` must then be binary or counts), summed over nodes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Held-out data.
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        if not self._glm_fitted():
            return super().score(X, y)
        X = validate_X(self, X, reset=False)
        _check_glm_data(X, self._fitted_loss, getattr(self, "feature_names_in_", None))
        return glm_log_likelihood(self.coef_, X, self.intercept_, self._fitted_loss)
