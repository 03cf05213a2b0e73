"""Metrics comparing estimated treatment effects with the true ones.

They need the true effects, so they serve simulated and semi-synthetic benchmarks; for
model selection on real data use the scorers, which need no ground truth.
"""

from __future__ import annotations

from numbers import Real

import numpy as np


def _check_effects(values, name: str) -> np.ndarray:
    """Return a finite 1-D float array (a column vector is flattened)."""
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one effect per sample), got shape {array.shape}."
        )
    try:
        array = array.astype(float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numeric.") from None
    if array.size == 0:
        raise ValueError(f"{name} is empty.")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return array


def pehe(true_cate, estimated_cate, *, squared: bool = False) -> float:
    """Precision in estimation of heterogeneous effects (PEHE).

    ``PEHE = sqrt(mean_i (tau(x_i) - tau_hat(x_i))^2)``: the root mean squared error of
    the estimated conditional average treatment effect (CATE) against the true one.

    Parameters
    ----------
    true_cate : array-like of shape (n_samples,)
        True individual/conditional effects ``tau(x_i)``.
    estimated_cate : array-like of shape (n_samples,)
        Estimated effects ``tau_hat(x_i)``, e.g. ``learner.predict(X)``.
    squared : bool, default=False
        If True return the mean squared error instead of its root (some papers call
        this squared quantity PEHE; the root is the more common report).

    Returns
    -------
    pehe : float
        Root PEHE (or its square when ``squared=True``); lower is better.

    See Also
    --------
    ate_error : Error of the average effect.

    References
    ----------
    .. [1] J. L. Hill, "Bayesian nonparametric modeling for causal inference", Journal
       of Computational and Graphical Statistics, 2011.

    Examples
    --------
    >>> from skcausal.metrics import pehe
    >>> pehe([1.0, 2.0, 3.0], [1.0, 2.0, 5.0], squared=True)
    1.333...
    >>> pehe([0.0, 0.0], [3.0, -3.0])
    3.0
    """
    true_cate = _check_effects(true_cate, "true_cate")
    estimated_cate = _check_effects(estimated_cate, "estimated_cate")
    if true_cate.shape != estimated_cate.shape:
        raise ValueError(
            "true_cate and estimated_cate must have the same length, got "
            f"{true_cate.shape[0]} and {estimated_cate.shape[0]}."
        )
    mse = float(np.mean((true_cate - estimated_cate) ** 2))
    return mse if squared else float(np.sqrt(mse))


def _check_scalar_effect(value, name: str) -> float:
    array = np.asarray(value)
    if array.size != 1:
        raise ValueError(f"{name} must be a single number, got shape {array.shape}.")
    item = array.reshape(-1)[0]
    if isinstance(item, (bool, np.bool_)) or not isinstance(item, (Real, np.number)):
        raise TypeError(f"{name} must be a real number, got {value!r}.")
    item = float(item)
    if not np.isfinite(item):
        raise ValueError(f"{name} must be finite, got {item}.")
    return item


def ate_error(true_ate, estimated_ate) -> float:
    """Absolute error of an estimated average treatment effect (ATE).

    Parameters
    ----------
    true_ate : float
        The true average effect (a scalar or a one-element array).
    estimated_ate : float
        The estimated average effect, e.g. ``learner.ate(X)``.

    Returns
    -------
    error : float
        ``|true_ate - estimated_ate|``.

    See Also
    --------
    pehe : Error of the conditional effects.

    Examples
    --------
    >>> from skcausal.metrics import ate_error
    >>> ate_error(2.0, 1.5)
    0.5
    """
    true_ate = _check_scalar_effect(true_ate, "true_ate")
    estimated_ate = _check_scalar_effect(estimated_ate, "estimated_ate")
    return abs(true_ate - estimated_ate)
