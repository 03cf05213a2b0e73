"""NOTEARS for binary and count data: the logistic and Poisson losses.

Zheng, Aragam, Ravikumar and Xing (NeurIPS 2018) extend NOTEARS beyond least squares
by replacing the loss of every structural equation with the negative log-likelihood of
a generalised linear model: logistic for 0/1 columns, Poisson for counts. Neither loss
has a finite sufficient statistic, so the optimiser works on the data themselves
(each evaluation costs ``O(n d^2)``) and ``partial_fit`` is not available.

This module holds what is specific to these losses -- the data checks, the objective
with one unpenalised intercept per node, the maximum-likelihood refit on the
thresholded support -- and :class:`GLMSEMMixin`, which gives :class:`NOTEARS
<skcausal.discovery.NOTEARS>` its ``loss="logistic"`` and ``loss="poisson"`` fits
and the GLM versions of ``predict`` and ``score``. The augmented Lagrangian itself is
shared with the least-squares loss and lives in ``_notears.py``.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from skcausal._glm_losses import glm_log_likelihood, logistic_loss, poisson_loss
from skcausal._validation import validate_X
from skcausal.discovery._base import (
    resolve_edge_constraints,
    smallest_acyclic_threshold,
)
from skcausal.graph import threshold_to_dag, topological_order

__all__ = ["GLM_LAMBDA1", "GLM_LOSSES", "GLMSEMMixin", "check_glm_data"]

GLM_LOSSES = {"logistic": logistic_loss, "poisson": poisson_loss}

# The L1 strength that lambda1="auto" uses with a GLM loss. The mean negative
# log-likelihood is flatter than the least-squares loss (the logistic curvature is at
# most 1/4), so the least-squares default 0.1 returns the empty graph. 0.01 was chosen
# on simulated logistic and Poisson SEMs with seeds disjoint from the tests' (see the
# NOTEARS class Notes for the numbers).
GLM_LAMBDA1 = 0.01

_TINY = np.finfo(np.float64).tiny
# See _notears.py: below this many features one BLAS thread is faster.
_SINGLE_THREAD_MAX_FEATURES = 200


def check_glm_data(X: np.ndarray, loss: str, feature_names=None) -> None:
    """Raise a ValueError naming the columns that ``loss`` cannot model.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Validated, finite data.
    loss : {"logistic", "poisson"}
        The GLM loss: every column must be 0/1 (logistic) or a non-negative integer
        (Poisson).
    feature_names : array-like of str, default=None
        Column names used in the message (else column indices).

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.discovery._notears_glm import check_glm_data
    >>> check_glm_data(np.array([[0.0, 1.0], [1.0, 1.0]]), "logistic")
    >>> try:
    ...     check_glm_data(np.array([[0.0, 2.0], [1.0, 1.0]]), "logistic")
    ... except ValueError as exc:
    ...     print(exc)
    loss='logistic' needs binary columns (every value 0 or 1); column(s) 1 of X are
    not. Use loss='squared' for continuous data.
    """
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


def glm_objective(X: np.ndarray, loss: str):
    """The smooth part of the NOTEARS objective for a GLM loss.

    Returns ``smooth_loss(W, intercept) -> (loss, grad_W, grad_intercept)``: the
    logistic or Poisson loss on the data, with one intercept per node.
    """
    glm_loss = GLM_LOSSES[loss]

    def smooth_loss(W, intercept):
        return glm_loss(W, X, intercept)

    return smooth_loss


def refit_glm(X, support, loss, W0, intercept0, tol):
    """Unpenalised maximum-likelihood GLM weights on a fixed support, with intercepts.

    All nodes are fitted jointly by L-BFGS-B from ``(W0, intercept0)``; entries outside
    ``support`` stay zero.

    Returns
    -------
    W : ndarray of shape (d, d)
    intercept : ndarray of shape (d,)
    """
    d = X.shape[1]
    edges = np.flatnonzero(support)
    glm_loss = GLM_LOSSES[loss]

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


class GLMSEMMixin:
    """The logistic and Poisson fits of NOTEARS and their public methods.

    The estimator provides ``_solve(smooth_loss, d, *, lambda1, forbidden, required,
    n_extra)``, which runs the augmented Lagrangian and returns the unthresholded
    weights and the extra variables (here the intercepts). Every public method falls
    back to the linear-SEM one (``super()``) after a fit with the squared loss.
    """

    def _fit_glm(self, X: np.ndarray, lambda1: float):
        """Fit with the logistic or Poisson loss on the data ``X`` (validated)."""
        names = getattr(self, "feature_names_in_", None)
        check_glm_data(X, self.loss, names)
        for name in ("standardize", "refine"):
            value = getattr(self, name)
            if not isinstance(value, str) and value:  # refine="auto" does nothing
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
            W, intercept = self._solve(
                glm_objective(X, self.loss),
                d,
                lambda1=lambda1,
                forbidden=forbidden,
                required=required,
                n_extra=d,
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
                coef, intercept = refit_glm(
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
        self.refined_ = False
        self._n_noise_parameters = 0  # bic counts edges and intercepts only
        self._fitted_loss = self.loss
        for stale in ("noise_variance_", "_stats"):  # from an earlier squared fit
            if hasattr(self, stale):
                delattr(self, stale)
        return self

    def _glm_fitted(self) -> bool:
        check_is_fitted(self, "coef_")
        return getattr(self, "_fitted_loss", "squared") in GLM_LOSSES

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
        self : object
            The estimator, fitted on all the chunks seen.
        """
        if self.loss in GLM_LOSSES:
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
        check_glm_data(X, self._fitted_loss, getattr(self, "feature_names_in_", None))
        return glm_log_likelihood(self.coef_, X, self.intercept_, self._fitted_loss)
