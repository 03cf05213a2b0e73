"""Optimisers over aligned lists of parameter and gradient arrays, and a flat view.

Parameters are updated in place, so every layer that holds a reference to an array
sees the new values. :func:`flatten` / :func:`unflatten` turn the lists into one
vector and back (for quasi-Newton drivers such as scipy's L-BFGS).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "SGD",
    "Adam",
    "copy_params",
    "flatten",
    "pack",
    "pack_parameters",
    "restore_params",
    "unflatten",
]


class Adam:
    """Adam (D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization",
    ICLR 2015).

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``,
    ``p <- p - lr * m_hat / (sqrt(v_hat) + eps)`` with the bias corrections
    ``m_hat = m / (1 - b1^k)``, ``v_hat = v / (1 - b2^k)`` at step ``k``.
    """

    def __init__(self, params, *, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.params = params
        self.learning_rate = learning_rate
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self._work = None
        self.n_steps = 0

    def step(self, grads):
        """One update of every parameter from ``grads`` (aligned with ``params``)."""
        self.n_steps += 1
        k = self.n_steps
        # Python floats, so the arithmetic stays in the parameters' dtype (a numpy
        # float64 scalar would promote float32 arrays to float64 temporaries).
        scale = float(
            self.learning_rate * np.sqrt(1 - self.beta2**k) / (1 - self.beta1**k)
        )
        # eps enters as eps * sqrt(1 - b2^k) so that the update equals the textbook
        # lr * m_hat / (sqrt(v_hat) + eps) exactly.
        eps = float(self.eps * np.sqrt(1 - self.beta2**k))
        b1, b2 = float(self.beta1), float(self.beta2)
        if self._work is None:
            self._work = [np.empty_like(p) for p in self.params]
        for p, g, m, v, work in zip(
            self.params, grads, self.m, self.v, self._work, strict=True
        ):
            np.multiply(g, 1 - b1, out=work)
            m *= b1
            m += work
            np.multiply(g, g, out=work)
            work *= 1 - b2
            v *= b2
            v += work
            np.sqrt(v, out=work)
            work += eps
            np.divide(m, work, out=work)
            work *= scale
            p -= work


class SGD:
    """Stochastic gradient descent with (Nesterov) momentum.

    ``b <- momentum * b + g``, then ``p <- p - lr * (g + momentum * b)`` with
    ``nesterov=True`` (Sutskever et al., ICML 2013, in the form of Bengio et al.,
    2013) or ``p <- p - lr * b`` without; ``momentum=0`` is plain SGD.
    """

    def __init__(self, params, *, learning_rate=1e-3, momentum=0.9, nesterov=True):
        self.params = params
        self.learning_rate = learning_rate
        self.momentum, self.nesterov = momentum, nesterov
        self.b = [np.zeros_like(p) for p in params]
        self.n_steps = 0

    def step(self, grads):
        """One update of every parameter from ``grads`` (aligned with ``params``)."""
        self.n_steps += 1
        for p, g, b in zip(self.params, grads, self.b, strict=True):
            b *= self.momentum
            b += g
            update = g + self.momentum * b if self.nesterov else b
            p -= (self.learning_rate * update).astype(p.dtype, copy=False)


def copy_params(params):
    """Copies of the parameter arrays (a snapshot)."""
    return [p.copy() for p in params]


def restore_params(params, snapshot):
    """Write ``snapshot`` back into ``params`` in place."""
    for p, s in zip(params, snapshot, strict=True):
        p[...] = s


def flatten(arrays, dtype=np.float64):
    """Concatenate arrays into one 1-D vector."""
    if not arrays:
        return np.zeros(0, dtype=dtype)
    return np.concatenate([np.ravel(a) for a in arrays]).astype(dtype, copy=False)


def pack(arrays):
    """Copy ``arrays`` into one contiguous vector and return it with views of it.

    ``views[k]`` has the shape and values of ``arrays[k]`` and shares memory with
    ``vector``, so a network rebound to the views (``Layer.bind``) can be updated by
    one operation on ``vector`` (an optimiser step, a snapshot, a decay) instead of
    one per array. All arrays must share one dtype.
    """
    dtypes = {a.dtype for a in arrays}
    if len(dtypes) > 1:
        raise ValueError(
            f"pack needs arrays of one dtype, got {sorted(map(str, dtypes))}."
        )
    dtype = dtypes.pop() if dtypes else np.float64
    vector = np.empty(sum(a.size for a in arrays), dtype=dtype)
    views, start = [], 0
    for a in arrays:
        view = vector[start : start + a.size].reshape(a.shape)
        view[...] = a
        views.append(view)
        start += a.size
    return vector, views


def pack_parameters(params, grads, decay):
    """Pack a model's parameters and gradients into two vectors, decayed ones first.

    ``params``, ``grads`` and ``decay`` are aligned lists (``decay[k]``: whether
    ``params[k]`` takes weight decay). The arrays marked in ``decay`` lead both
    vectors, so the weight decay is one operation on ``vector[:n_decay]``.

    Returns
    -------
    flat_params, flat_grads : ndarray
    n_decay : int
        Number of leading entries that take weight decay.
    param_views, grad_views : list of ndarray
        Views of the two vectors aligned with ``params`` and ``grads``, to rebind the
        model to (``Layer.bind``).
    """
    order = [k for k in range(len(params)) if decay[k]]
    order += [k for k in range(len(params)) if not decay[k]]
    flat_params, packed_params = pack([params[k] for k in order])
    flat_grads, packed_grads = pack([grads[k] for k in order])
    param_views, grad_views = [None] * len(params), [None] * len(params)
    for position, k in enumerate(order):
        param_views[k] = packed_params[position]
        grad_views[k] = packed_grads[position]
    n_decay = sum(p.size for p, marked in zip(params, decay, strict=True) if marked)
    return flat_params, flat_grads, n_decay, param_views, grad_views


def unflatten(vector, arrays):
    """Write the 1-D ``vector`` into ``arrays`` in place (inverse of ``flatten``)."""
    start = 0
    for a in arrays:
        a[...] = vector[start : start + a.size].reshape(a.shape)
        start += a.size
    if start != vector.size:
        raise ValueError(f"vector has {vector.size} entries, arrays hold {start}.")
