"""Integral probability metrics between the treated and control representations.

Counterfactual regression (CFR) adds a distance between the distributions of the
learned representation in the two arms to the outcome loss (U. Shalit, F. D.
Johansson and D. Sontag, "Estimating individual treatment effect: generalization
bounds and algorithms", ICML 2017). Two distances, each returned with its gradient
with respect to the representation:

* ``mmd_linear``: the squared distance between the (weighted) arm means, i.e. the
  maximum mean discrepancy with a linear kernel.
* ``wasserstein``: the entropy-regularised optimal-transport cost of Cuturi (2013),
  computed with Sinkhorn iterations (in the log domain when the kernel would
  underflow); as in the CFR paper the gradient treats the transport plan as a
  constant and differentiates only the cost matrix.

Both are computed in float64 whatever the dtype of the representation (the matrices
are batch-sized) and return a gradient in the representation's dtype. A batch with a
single arm contributes zero.
"""

from __future__ import annotations

import numpy as np

__all__ = ["mmd_linear", "sinkhorn_plan", "wasserstein"]


def _arm_weights(treatment, sample_weight):
    w = np.ones(treatment.shape[0]) if sample_weight is None else sample_weight
    w = np.asarray(w, dtype=np.float64)
    treated = treatment == 1
    return treated, w[treated] / w[treated].sum(), w[~treated] / w[~treated].sum()


def mmd_linear(phi, treatment, sample_weight=None):
    """Squared distance between the weighted arm means of ``phi`` and its gradient.

    Parameters
    ----------
    phi : ndarray of shape (n_samples, n_dims)
    treatment : ndarray of shape (n_samples,), 0/1
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    value : float
    grad : ndarray of shape (n_samples, n_dims)
    """
    grad = np.zeros_like(phi)
    if np.unique(treatment).size < 2:
        return 0.0, grad
    treated, w1, w0 = _arm_weights(treatment, sample_weight)
    phi64 = phi.astype(np.float64, copy=False)
    diff = w1 @ phi64[treated] - w0 @ phi64[~treated]
    grad[treated] = 2 * w1[:, None] * diff
    grad[~treated] = -2 * w0[:, None] * diff
    return float(diff @ diff), grad


def _logsumexp(values, axis):
    """``log(sum(exp(values), axis))``, stable, without scipy's per-call overhead."""
    top = values.max(axis=axis, keepdims=True)
    return np.log(np.exp(values - top).sum(axis=axis)) + np.squeeze(top, axis=axis)


def sinkhorn_plan(cost, a, b, *, lam=10.0, n_iter=10):
    """Entropic optimal-transport plan between weights ``a`` and ``b`` (Cuturi, 2013).

    The regularisation is ``mean(cost) / lam`` (scale-free, as in the CFR code);
    ``n_iter`` Sinkhorn updates (scaling vectors, or dual potentials in the log domain
    when ``exp(-cost / eps)`` underflows), ending with the column update so the
    column marginals are exact.

    Returns
    -------
    plan : ndarray of shape (len(a), len(b))
    """
    mean = cost.mean()
    eps = mean / lam if mean > 0 else 1.0
    # Scaling form (one exp, then matrix-vector products); the log-domain form only
    # when the kernel underflows (a cost far above the mean).
    kernel = np.exp(-cost / eps)
    if kernel.sum(axis=1).min() > 1e-200 and kernel.sum(axis=0).min() > 1e-200:
        v = np.ones(b.shape[0])
        for _ in range(n_iter):
            u = a / (kernel @ v)
            v = b / (kernel.T @ u)
        return u[:, None] * kernel * v[None, :]
    log_a, log_b = np.log(a), np.log(b)
    f = np.zeros(a.shape[0])
    g = np.zeros(b.shape[0])
    for _ in range(n_iter):
        f = eps * (log_a - _logsumexp((g[None, :] - cost) / eps, axis=1))
        g = eps * (log_b - _logsumexp((f[:, None] - cost) / eps, axis=0))
    return np.exp((f[:, None] + g[None, :] - cost) / eps)


def wasserstein(phi, treatment, sample_weight=None, *, lam=10.0, n_iter=10, plan=None):
    """Sinkhorn approximation of the Wasserstein-1 distance between the arms.

    The cost is the Euclidean distance between a treated and a control
    representation; the value is ``sum_ij T_ij M_ij`` with ``T`` the Sinkhorn plan of
    :func:`sinkhorn_plan`. The gradient holds ``T`` fixed (Shalit et al., 2017).

    Parameters
    ----------
    phi : ndarray of shape (n_samples, n_dims)
    treatment : ndarray of shape (n_samples,), 0/1
    sample_weight : ndarray of shape (n_samples,), default=None
        Marginals are the normalised weights within each arm (uniform by default).
    lam : float, default=10.0
        Inverse entropic regularisation relative to the mean cost.
    n_iter : int, default=10
        Sinkhorn iterations.
    plan : ndarray of shape (n_treated, n_control), default=None
        Use this plan instead of computing one (finite-difference tests).

    Returns
    -------
    value : float
    grad : ndarray of shape (n_samples, n_dims)
    """
    grad = np.zeros_like(phi)
    if np.unique(treatment).size < 2:
        return 0.0, grad
    treated, w1, w0 = _arm_weights(treatment, sample_weight)
    phi64 = phi.astype(np.float64, copy=False)
    x1, x0 = phi64[treated], phi64[~treated]
    sq = (x1 * x1).sum(1)[:, None] + (x0 * x0).sum(1)[None, :] - 2 * x1 @ x0.T
    tiny = 1e-12
    sq = np.maximum(sq, 0)
    cost = np.sqrt(np.maximum(sq, tiny))
    if plan is None:
        plan = sinkhorn_plan(cost, w1, w0, lam=lam, n_iter=n_iter)
    value = float(np.sum(plan * cost))
    ratio = np.where(sq > tiny, plan / cost, 0.0)
    grad[treated] = ratio.sum(1)[:, None] * x1 - ratio @ x0
    grad[~treated] = ratio.sum(0)[:, None] * x0 - ratio.T @ x1
    return value, grad
