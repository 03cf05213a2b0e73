"""GOLEM: linear DAG learning with a likelihood score and soft DAG penalty.

Ng, Ghassami and Zhang (NeurIPS 2020) showed that with the Gaussian likelihood in
place of the least-squares loss, a soft acyclicity penalty and an L1 penalty suffice:
no augmented Lagrangian with a growing penalty coefficient is needed, so one smooth
problem is solved once. The equal-variance likelihood (GOLEM-EV) identifies the DAG;
the non-equal-variance one (GOLEM-NV) is consistent for the Markov equivalence class
and is initialised from the GOLEM-EV solution. This module holds the optimiser (on
sufficient statistics, so its cost does not depend on the number of samples) and the
:class:`GOLEM` estimator.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.optimize import Bounds, minimize
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from threadpoolctl import threadpool_limits

from skcausal._acyclicity import trace_expm
from skcausal._sem import SufficientStats, gaussian_likelihood_loss
from skcausal.base import DiscoveryMixin
from skcausal.discovery._base import (
    LinearSEMMixin,
    resolve_edge_constraints,
    standardizing_scale,
)

__all__ = ["GOLEM"]

# As in NOTEARS: below this many features one BLAS thread is faster.
_SINGLE_THREAD_MAX_FEATURES = 200
# The paper's L1 strengths for the two variants (Ng et al., 2020, Section 5).
_PAPER_LAMBDA1 = {True: 2e-2, False: 2e-3}


def _split(W: np.ndarray) -> np.ndarray:
    """``[W+, W-]`` with ``W = W+ - W-`` and both parts non-negative."""
    return np.concatenate([np.maximum(W, 0.0).ravel(), np.maximum(-W, 0.0).ravel()])


def _unsplit(w: np.ndarray, d: int) -> np.ndarray:
    return (w[: d * d] - w[d * d :]).reshape(d, d)


def _golem_objective(w, stats, equal_variances, penalty, dag_penalty):
    """Value and gradient of the GOLEM score in the split ``w = [W+, W-]``."""
    d = stats.n_features
    W = _unsplit(w, d)
    loss, loss_grad = gaussian_likelihood_loss(W, stats, equal_variances)
    h, h_grad = trace_expm(W)
    if not (np.isfinite(loss) and np.isfinite(h)):
        # A singular I - W or an overflowing exp(W ∘ W): an infinite value makes the
        # L-BFGS-B line search step back.
        return np.inf, np.zeros_like(w)
    value = loss + dag_penalty * h + penalty @ w
    smooth_grad = (loss_grad + dag_penalty * h_grad).ravel()
    return value, np.concatenate([smooth_grad, -smooth_grad]) + penalty


def _golem_stage(
    stats,
    W_init,
    *,
    equal_variances,
    lambda1,
    dag_penalty,
    max_iter,
    tol,
    free,
    required,
):
    """Minimise one GOLEM score with L-BFGS-B from ``W_init``.

    Returns the weights, whether L-BFGS-B reported convergence, and its iterations.
    """
    d = stats.n_features
    upper = np.tile(np.where(free, np.inf, 0.0).ravel(), 2)
    penalty = np.tile(np.where(required, 0.0, lambda1).ravel(), 2)
    result = minimize(
        _golem_objective,
        _split(np.where(free, W_init, 0.0)),
        args=(stats, equal_variances, penalty, dag_penalty),
        jac=True,
        method="L-BFGS-B",
        bounds=Bounds(np.zeros(2 * d * d), upper),
        options={"maxiter": max_iter, "ftol": tol, "gtol": tol},
    )
    return _unsplit(result.x, d), bool(result.success), int(result.nit)


class GOLEM(DiscoveryMixin, LinearSEMMixin, BaseEstimator):
    """GOLEM causal discovery for linear Gaussian structural equation models.

    Learns a weighted DAG by minimising the profile Gaussian negative log-likelihood
    of a linear SEM plus an L1 penalty and a *soft* acyclicity penalty [1]_:
    ``equal_variances=True`` is GOLEM-EV (one noise variance shared by all nodes),
    ``equal_variances=False`` GOLEM-NV (one per node), which is initialised from the
    GOLEM-EV solution as in the paper. The solution is thresholded at
    ``w_threshold`` and any remaining cycle is broken at its weakest edge, so the
    output is always a DAG. The optimiser works on the sufficient statistics of the
    data, so after one pass over ``X`` its cost depends on the number of features
    only, and ``partial_fit`` streams data chunk by chunk.

    Parameters
    ----------
    equal_variances : bool, default=True
        The noise model of the likelihood: True for GOLEM-EV (identifies the DAG when
        the noise variances are equal), False for GOLEM-NV (one variance per node;
        for Gaussian noise it identifies the Markov equivalence class only).
    lambda1 : float or "auto", default="auto"
        L1 penalty strength on the edge weights (required edges are exempt).
        ``"auto"`` uses the paper's values: 2e-2 for GOLEM-EV and 2e-3 for the
        GOLEM-NV stage (its GOLEM-EV initialisation then uses 2e-2). A number is
        used by every stage.
    dag_penalty : float, default=5.0
        Weight ``lambda2`` of the soft acyclicity penalty ``h(W) = tr(exp(W ∘ W)) -
        d`` (the paper's value).
    w_threshold : float, default=0.3
        Edges whose optimiser weight satisfies ``|w| <= w_threshold`` are dropped
        (on the standardised scale when ``standardize=True``).
    max_iter : int, default=10_000
        Maximum number of L-BFGS-B iterations of each stage (GOLEM-NV runs two).
    tol : float, default=1e-9
        Tolerance of L-BFGS-B (``ftol`` and ``gtol`` of
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
        units of the input.
    refit : bool, default=True
        Refit the weights of the thresholded graph by least squares (each node on its
        parents) into ``coef_``, which ``predict``, ``transform``, ``score`` and
        ``bic`` use. With False, ``coef_`` equals ``adjacency_matrix_``.
    refine : bool, default=False
        After thresholding, improve the graph by greedy hill climbing (add, delete or
        reverse one edge) on the Gaussian BIC with the same variance model (pooled
        for GOLEM-EV, per node for GOLEM-NV), respecting forbidden and required edges.
    verbose : int, default=0
        Print the iterations, score, ``h(W)`` and edge count after every stage when
        positive.

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
        Noise variance of every structural equation from the training residuals of
        ``coef_`` (divisor ``n``): pooled for GOLEM-EV (all entries equal, up to the
        rescaling of a standardised fit), per node for GOLEM-NV.
    causal_order_ : ndarray of shape (n_features,)
        A topological order of ``adjacency_matrix_`` (smallest index first on ties).
    graph_type_ : str
        ``"dag"``.
    converged_ : bool
        Whether L-BFGS-B met its tolerance in every stage.
    n_iter_ : int
        L-BFGS-B iterations, summed over the stages (in the last ``fit`` or
        ``partial_fit``).
    n_samples_seen_ : int
        Number of samples the model is fitted on (summed over ``partial_fit`` calls).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    skcausal.discovery.NOTEARS : Least squares under a hard acyclicity constraint.
    skcausal.datasets.make_linear_sem : Linear SEM data, also with noise variances
        decreasing along the causal order (``variance_order="decreasing"``).

    Notes
    -----
    With ``S`` the covariance of the data and ``r_j(W) = [(I - W)^T S (I - W)]_jj``
    the mean squared residual of node ``j``, GOLEM minimises

    * EV: ``d/2 log(sum_j r_j) - log|det(I - W)| + lambda1 ||W||_1 + lambda2 h(W)``,
    * NV: ``1/2 sum_j log(r_j) - log|det(I - W)| + lambda1 ||W||_1 + lambda2 h(W)``,

    (up to constants, the negative log-likelihood per sample with the noise variances
    profiled out; see :func:`skcausal._sem.gaussian_likelihood_loss`, which also
    gives the exact gradient ``-(I - W)^{-T}`` of ``log|det(I - W)|``).

    *Optimiser.* The paper runs Adam (learning rate 1e-3, 10^5 iterations) on a GPU.
    Here the same objective is minimised by L-BFGS-B on the split ``W = W+ - W-``
    (``W+, W- >= 0``), which makes the L1 term smooth and lets forbidden and diagonal
    entries be fixed at zero by bounds: it is deterministic (no ``random_state``),
    has a meaningful stopping rule (``tol``) and needs far fewer evaluations, each
    costing ``O(d^3)`` whatever ``n``. The solution is a local optimum of the same
    score, not necessarily the point Adam would reach.

    The penalty is soft: the unthresholded weights need not be acyclic, and
    thresholding plus cycle breaking (:func:`skcausal.graph.threshold_to_dag`)
    produce the DAG. ``score``, ``bic``, ``predict`` and ``transform`` are those of
    the linear-SEM family (see :class:`~skcausal.discovery.NOTEARS`).

    References
    ----------
    .. [1] I. Ng, A. Ghassami and K. Zhang, "On the role of sparsity and DAG
       constraints for learning linear DAGs", NeurIPS 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.discovery import GOLEM
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=500)
    >>> x1 = 2.0 * x0 + rng.normal(size=500)
    >>> x2 = -1.5 * x1 + rng.normal(size=500)
    >>> model = GOLEM().fit(np.column_stack([x0, x1, x2]))
    >>> (model.adjacency_matrix_ != 0).astype(int)
    array([[0, 1, 0],
           [0, 0, 1],
           [0, 0, 0]])
    >>> model.noise_variance_.round(1)
    array([1., 1., 1.])
    """

    _parameter_constraints: dict = {
        "equal_variances": ["boolean"],
        "lambda1": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "dag_penalty": [Interval(Real, 0, None, closed="left")],
        "w_threshold": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
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
        equal_variances: bool = True,
        lambda1: float | str = "auto",
        dag_penalty: float = 5.0,
        w_threshold: float = 0.3,
        max_iter: int = 10_000,
        tol: float = 1e-9,
        forbidden_edges=None,
        required_edges=None,
        standardize: bool = False,
        refit: bool = True,
        refine: bool = False,
        verbose: int = 0,
    ):
        self.equal_variances = equal_variances
        self.lambda1 = lambda1
        self.dag_penalty = dag_penalty
        self.w_threshold = w_threshold
        self.max_iter = max_iter
        self.tol = tol
        self.forbidden_edges = forbidden_edges
        self.required_edges = required_edges
        self.standardize = standardize
        self.refit = refit
        self.refine = refine
        self.verbose = verbose

    @property
    def _equal_variances(self) -> bool:
        """The variance model of ``noise_variance_`` and ``bic`` follows the variant."""
        return bool(self.equal_variances)

    def _lambda1(self, equal_variances: bool) -> float:
        if isinstance(self.lambda1, str):  # "auto"
            return _PAPER_LAMBDA1[equal_variances]
        return float(self.lambda1)

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
        free = ~(forbidden | np.eye(d, dtype=bool))
        variants = [True] if self.equal_variances else [True, False]

        W = np.zeros((d, d))
        self.converged_, self.n_iter_ = True, 0
        n_threads = 1 if d < _SINGLE_THREAD_MAX_FEATURES else None
        with threadpool_limits(limits=n_threads, user_api="blas"):
            for equal_variances in variants:
                W, success, n_iter = _golem_stage(
                    fit_stats,
                    W,
                    equal_variances=equal_variances,
                    lambda1=self._lambda1(equal_variances),
                    dag_penalty=self.dag_penalty,
                    max_iter=self.max_iter,
                    tol=self.tol,
                    free=free,
                    required=required,
                )
                self.converged_ = self.converged_ and success
                self.n_iter_ += n_iter
                if self.verbose > 0:
                    loss, _ = gaussian_likelihood_loss(W, fit_stats, equal_variances)
                    print(
                        f"[GOLEM] {'EV' if equal_variances else 'NV'} stage: "
                        f"{n_iter} iterations, loss={loss:.6f}, "
                        f"h={trace_expm(W)[0]:.3e}, "
                        f"edges={int(np.count_nonzero(np.abs(W) > self.w_threshold))}"
                    )
        if not self.converged_:
            warnings.warn(
                f"GOLEM's L-BFGS-B did not reach tol={self.tol:g} within "
                f"max_iter={self.max_iter} iterations per stage; the thresholded "
                "output is still a DAG. Increase max_iter or tol.",
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
            equal_variances=bool(self.equal_variances),
            refine=self.refine,
            forbidden=forbidden,
        )
