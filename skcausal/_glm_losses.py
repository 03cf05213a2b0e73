"""Losses of generalised linear SEMs on the raw data: logistic and Poisson.

A generalised linear SEM models every column ``x_j`` through the linear predictor
``M = X W + b`` of its parents (``W[i, j]`` the weight of the edge ``i -> j``, ``b``
one intercept per node): ``x_j ~ Bernoulli(sigmoid(M_j))`` for binary columns and
``x_j ~ Poisson(exp(M_j))`` for counts. The losses below are the mean negative
log-likelihoods per sample (summed over nodes, constants dropped) that NOTEARS [1]_
minimises for such data:

* logistic: ``1/n sum_ij [log(1 + exp(M_ij)) - X_ij M_ij]``;
* Poisson: ``1/n sum_ij [exp(M_ij) - X_ij M_ij]``;

with gradients ``1/n X^T (mu(M) - X)`` in ``W`` and ``1/n 1^T (mu(M) - X)`` in ``b``,
``mu`` the mean function (sigmoid or exp). Unlike the least-squares loss, neither has a
finite sufficient statistic, so each evaluation costs ``O(n d^2)``.

References
----------
.. [1] X. Zheng, B. Aragam, P. Ravikumar and E. P. Xing, "DAGs with NO TEARS: Continuous
   optimization for structure learning", NeurIPS 2018.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, gammaln

__all__ = ["glm_log_likelihood", "logistic_loss", "poisson_loss"]


def _linear_predictor(W, X, intercept):
    X = np.asarray(X, dtype=np.float64)
    M = X @ np.asarray(W, dtype=np.float64)
    if intercept is not None:
        M += np.asarray(intercept, dtype=np.float64)
    return X, M


def _with_gradients(loss, X, residual, intercept):
    n = X.shape[0]
    grad = X.T @ residual / n
    if intercept is None:
        return loss, grad
    return loss, grad, residual.sum(axis=0) / n


def logistic_loss(W, X, intercept=None):
    """Logistic loss of a linear SEM for binary data, and its gradient.

    ``loss = 1/n sum_ij [log(1 + exp(M_ij)) - X_ij M_ij]`` with ``M = X W + b``: the
    mean negative Bernoulli log-likelihood per sample of the model
    ``x_j ~ Bernoulli(sigmoid(M_j))``, summed over nodes, as in NOTEARS [1]_ (which has
    no intercept). ``log(1 + exp(m))`` is computed as ``logaddexp(0, m)``, so large
    ``|M|`` neither overflows nor loses precision.

    Parameters
    ----------
    W : array-like of shape (d, d)
        Weighted adjacency matrix, ``W[i, j]`` the weight of the edge ``i -> j``.
    X : array-like of shape (n_samples, d)
        Data with 0/1 entries.
    intercept : array-like of shape (d,), default=None
        Intercepts ``b``; ``None`` means none (the reference model).

    Returns
    -------
    loss : float
    grad : ndarray of shape (d, d)
        ``1/n X^T (sigmoid(M) - X)``.
    intercept_grad : ndarray of shape (d,)
        ``1/n sum_i (sigmoid(M_i) - X_i)``; returned only when ``intercept`` is given.

    References
    ----------
    .. [1] X. Zheng, B. Aragam, P. Ravikumar and E. P. Xing, "DAGs with NO TEARS:
       Continuous optimization for structure learning", NeurIPS 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal._glm_losses import logistic_loss
    >>> X = np.random.default_rng(0).integers(0, 2, size=(100, 3))
    >>> loss, grad = logistic_loss(np.zeros((3, 3)), X)
    >>> bool(np.isclose(loss, 3 * np.log(2)))
    True
    """
    X, M = _linear_predictor(W, X, intercept)
    loss = float(np.sum(np.logaddexp(0.0, M) - X * M)) / X.shape[0]
    return _with_gradients(loss, X, expit(M) - X, intercept)


def poisson_loss(W, X, intercept=None):
    """Poisson loss of a linear SEM for count data, and its gradient.

    ``loss = 1/n sum_ij [exp(M_ij) - X_ij M_ij]`` with ``M = X W + b``: the mean
    negative Poisson log-likelihood per sample of ``x_j ~ Poisson(exp(M_j))``, summed
    over nodes, without the ``log(x!)`` constant, as in NOTEARS [1]_. When ``exp(M)``
    overflows the loss is ``inf`` (the gradient is then not meaningful), which makes a
    line search step back.

    Parameters
    ----------
    W : array-like of shape (d, d)
        Weighted adjacency matrix, ``W[i, j]`` the weight of the edge ``i -> j``.
    X : array-like of shape (n_samples, d)
        Non-negative integer counts.
    intercept : array-like of shape (d,), default=None
        Intercepts ``b``; ``None`` means none (the reference model).

    Returns
    -------
    loss : float
    grad : ndarray of shape (d, d)
        ``1/n X^T (exp(M) - X)``.
    intercept_grad : ndarray of shape (d,)
        ``1/n sum_i (exp(M_i) - X_i)``; returned only when ``intercept`` is given.

    References
    ----------
    .. [1] X. Zheng, B. Aragam, P. Ravikumar and E. P. Xing, "DAGs with NO TEARS:
       Continuous optimization for structure learning", NeurIPS 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal._glm_losses import poisson_loss
    >>> X = np.random.default_rng(0).poisson(2.0, size=(100, 3))
    >>> loss, grad = poisson_loss(np.zeros((3, 3)), X)
    >>> loss
    3.0
    """
    X, M = _linear_predictor(W, X, intercept)
    with np.errstate(over="ignore", invalid="ignore"):
        mean = np.exp(M)
        loss = float(np.sum(mean - X * M)) / X.shape[0]
    if not np.isfinite(loss):
        d = M.shape[1]
        if intercept is None:
            return np.inf, np.zeros((d, d))
        return np.inf, np.zeros((d, d)), np.zeros(d)
    return _with_gradients(loss, X, mean - X, intercept)


def glm_log_likelihood(W, X, intercept, family: str) -> float:
    """Mean per-sample log-likelihood of a generalised linear SEM (summed over nodes).

    For ``family="logistic"`` this is ``-logistic_loss``; for ``"poisson"`` it is
    ``-poisson_loss - 1/n sum_ij log(X_ij!)``, the full Poisson log-likelihood.

    Parameters
    ----------
    W : array-like of shape (d, d)
        Weighted adjacency matrix.
    X : array-like of shape (n_samples, d)
        Data (0/1 entries for ``"logistic"``, counts for ``"poisson"``).
    intercept : array-like of shape (d,)
        Intercepts of the structural equations.
    family : {"logistic", "poisson"}
        The model of every node.

    Returns
    -------
    log_likelihood : float

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal._glm_losses import glm_log_likelihood
    >>> X = np.array([[0.0, 1.0], [1.0, 1.0]])
    >>> round(glm_log_likelihood(np.zeros((2, 2)), X, np.zeros(2), "logistic"), 4)
    -1.3863
    """
    if family == "logistic":
        return -logistic_loss(W, X, intercept)[0]
    if family == "poisson":
        X = np.asarray(X, dtype=np.float64)
        log_factorial = float(np.sum(gammaln(X + 1.0))) / X.shape[0]
        return -poisson_loss(W, X, intercept)[0] - log_factorial
    raise ValueError(f"family must be 'logistic' or 'poisson'; got {family!r}.")
