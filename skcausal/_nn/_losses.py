"""Losses as ``(value, gradient)`` pairs, with per-sample weights.

Each loss is a weighted mean over the samples, ``sum_i w_i l_i / sum_i w_i``, and
returns its gradient with respect to the prediction, ready for ``backward``. Without
weights every sample counts once; passing ``np.ones(n)`` gives the same numbers.
"""

from __future__ import annotations

import numpy as np

__all__ = ["l2_penalty", "log_loss", "sigmoid", "squared_error"]


def _normalised(weights, n, dtype):
    if weights is None:
        return np.full(n, 1.0 / n, dtype=dtype)
    weights = np.asarray(weights, dtype=dtype)
    return weights / weights.sum()


def squared_error(pred, target, sample_weight=None):
    """Weighted mean squared error ``sum_i w_i (pred_i - y_i)^2 / sum_i w_i``.

    Parameters
    ----------
    pred, target : ndarray of shape (n_samples,) or (n_samples, 1)
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    value : float
    grad : ndarray shaped like ``pred``
    """
    residual = pred.reshape(-1) - target.reshape(-1)
    w = _normalised(sample_weight, residual.shape[0], pred.dtype)
    value = float(np.dot(w, residual * residual))
    return value, (2 * w * residual).reshape(pred.shape).astype(pred.dtype, copy=False)


def sigmoid(z):
    """Numerically stable logistic function."""
    z = np.asarray(z)
    out = np.empty_like(z, dtype=np.result_type(z.dtype, np.float32))
    positive = z >= 0
    out[positive] = 1 / (1 + np.exp(-z[positive]))
    ez = np.exp(z[~positive])
    out[~positive] = ez / (1 + ez)
    return out


def log_loss(logits, target, sample_weight=None):
    """Weighted binary cross-entropy computed from logits.

    ``l_i = log(1 + exp(z_i)) - y_i z_i`` (the log-loss of ``sigmoid(z_i)``), stable
    for large ``|z|``; the gradient with respect to ``z`` is ``sigmoid(z) - y``.

    Parameters
    ----------
    logits : ndarray of shape (n_samples,) or (n_samples, 1)
    target : ndarray of shape (n_samples,), values in [0, 1]
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    value : float
    grad : ndarray shaped like ``logits``
    """
    z = logits.reshape(-1)
    y = target.reshape(-1).astype(z.dtype, copy=False)
    w = _normalised(sample_weight, z.shape[0], z.dtype)
    softplus = np.logaddexp(0, z)
    value = float(np.dot(w, softplus - y * z))
    grad = w * (sigmoid(z) - y)
    return value, grad.reshape(logits.shape).astype(logits.dtype, copy=False)


def l2_penalty(params, decay, strength, grads=None):
    """Weight decay ``strength / 2 * sum ||W||^2`` over the arrays marked in ``decay``.

    When ``grads`` is given, ``strength * W`` is added to each matching gradient in
    place. Returns the penalty value.
    """
    if strength == 0:
        return 0.0
    value = 0.0
    for k, (param, marked) in enumerate(zip(params, decay, strict=True)):
        if not marked:
            continue
        value += float(np.vdot(param, param))
        if grads is not None:
            grads[k] += strength * param
    return 0.5 * strength * value
