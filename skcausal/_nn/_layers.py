"""Layers with explicit forward and backward passes.

Every layer keeps its trainable arrays in ``params`` and, after ``backward``, the
gradients of the loss with respect to them in ``grads`` (same order and shapes), so an
optimiser, a flat-vector view for L-BFGS or a finite-difference test can treat any
network as two aligned lists of arrays. ``decay`` marks which of the ``params`` take
weight decay (weights do, biases do not).

``forward(X, training=True)`` caches what ``backward`` needs; ``training=False`` (used
for prediction) caches nothing, so a fitted network pickles without activations.
``backward(grad_out)`` overwrites ``grads`` and returns the gradient with respect to
the layer's input.
"""

from __future__ import annotations

import numpy as np

from skcausal._nn._losses import sigmoid

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "Dense",
    "Layer",
    "MultiHead",
    "RowNormalize",
    "Sequential",
    "make_mlp",
]


class Layer:
    """Base class: a layer without parameters that maps its input unchanged."""

    def __init__(self):
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        self.decay: list[bool] = []

    def forward(self, X, training=True):  # pragma: no cover - overridden
        return X

    def backward(self, grad_out):  # pragma: no cover - overridden
        return grad_out

    def clear_cache(self):
        """Drop the activations cached by the last training forward pass."""
        for key in [k for k in vars(self) if k.startswith("_cache")]:
            setattr(self, key, None)

    def bind(self, params, grads):
        """Use ``params`` and ``grads`` (aligned with the current lists, same shapes,
        e.g. the views of :func:`skcausal._nn.pack`) as this layer's arrays."""
        if len(params) != len(self.params) or len(grads) != len(self.grads):
            raise ValueError(
                f"{type(self).__name__}.bind: expected {len(self.params)} arrays, "
                f"got {len(params)} parameters and {len(grads)} gradients."
            )
        for old, new in zip(
            self.params + self.grads, list(params) + list(grads), strict=True
        ):
            if old.shape != new.shape:
                raise ValueError(
                    f"{type(self).__name__}.bind: shape {new.shape} given for an "
                    f"array of shape {old.shape}."
                )
        self.params, self.grads = list(params), list(grads)
        self._bind_children()

    def _bind_children(self):
        """Pass the rebound arrays on to attributes and sub-layers (none here)."""

    def _bind_parts(self, parts):
        """Hand each sub-layer in ``parts`` its consecutive share of the arrays."""
        start = 0
        for part in parts:
            stop = start + len(part.params)
            part.bind(self.params[start:stop], self.grads[start:stop])
            start = stop


class Dense(Layer):
    """Affine layer ``X @ W + b``.

    Parameters
    ----------
    n_in, n_out : int
        Input and output widths.
    rng : numpy.random.Generator
        Source of the initial weights.
    init : {"glorot", "he"}, default="glorot"
        Glorot (Xavier) uniform initialisation, suited to tanh, sigmoid and identity
        outputs, or He uniform for ReLU-like activations; biases start at zero.
    dtype : dtype, default=np.float64
        Floating-point type of the parameters.
    """

    def __init__(self, n_in, n_out, *, rng, init="glorot", dtype=np.float64):
        super().__init__()
        if init == "glorot":
            bound = np.sqrt(6.0 / (n_in + n_out))
        elif init == "he":
            bound = np.sqrt(6.0 / n_in)
        else:
            raise ValueError(f"init must be 'glorot' or 'he', got {init!r}.")
        self.W = rng.uniform(-bound, bound, size=(n_in, n_out)).astype(dtype)
        self.b = np.zeros(n_out, dtype=dtype)
        self.params = [self.W, self.b]
        self.grads = [np.zeros_like(self.W), np.zeros_like(self.b)]
        self.decay = [True, False]
        self.input_grad = True
        self._cache_X = None

    def _bind_children(self):
        self.W, self.b = self.params

    def forward(self, X, training=True):
        if training:
            self._cache_X = X
        out = X @ self.W
        out += self.b
        return out

    def backward(self, grad_out):
        """Fill ``grads``; return the input gradient, or None when ``input_grad`` is
        False (a first layer, whose input is the data)."""
        X = self._cache_X
        np.matmul(X.T, grad_out, out=self.grads[0])
        np.sum(grad_out, axis=0, out=self.grads[1])
        return grad_out @ self.W.T if self.input_grad else None


# Each activation: (value, derivative computed from the input z and the output a).
def _identity(z):
    return z


def _identity_grad(z, a):
    return np.ones_like(z)


def _relu(z):
    return np.maximum(z, 0)


def _relu_grad(z, a):
    return (z > 0).astype(z.dtype)


def _elu(z):
    # max(z, 0) + expm1(min(z, 0)), with two temporaries
    a = np.minimum(z, 0)
    np.expm1(a, out=a)
    a += np.maximum(z, 0)
    return a


def _elu_grad(z, a):
    # 1 for z > 0 (where a = z > 0), exp(z) = a + 1 for z <= 0 (where a <= 0)
    grad = np.minimum(a, 0)
    grad += 1
    return grad


def _tanh(z):
    return np.tanh(z)


def _tanh_grad(z, a):
    return 1 - a * a


def _sigmoid_grad(z, a):
    return a * (1 - a)


ACTIVATIONS = {
    "identity": (_identity, _identity_grad),
    "relu": (_relu, _relu_grad),
    "elu": (_elu, _elu_grad),
    "tanh": (_tanh, _tanh_grad),
    "sigmoid": (sigmoid, _sigmoid_grad),
}


class Activation(Layer):
    """Element-wise activation: one of ``ACTIVATIONS``."""

    def __init__(self, name):
        super().__init__()
        if name not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}."
            )
        self.name = name
        self._cache_z = self._cache_a = None

    def forward(self, X, training=True):
        a = ACTIVATIONS[self.name][0](X)
        if training:
            self._cache_z, self._cache_a = X, a
        return a

    def backward(self, grad_out):
        if grad_out is None:
            return None
        # every derivative in ACTIVATIONS returns a new array: scaled in place
        grad = ACTIVATIONS[self.name][1](self._cache_z, self._cache_a)
        grad *= grad_out
        return grad


class RowNormalize(Layer):
    """Rescale each row to a fixed Euclidean norm: ``scale * x / sqrt(||x||^2 + tiny)``.

    Counterfactual regression normalises the representation this way before the
    outcome heads and the balance penalty, so the penalty cannot be lowered by
    shrinking the representation (U. Shalit, F. D. Johansson and D. Sontag, ICML
    2017). The backward pass is ``scale (g - u (g . u)) / ||x||`` row by row, with
    ``u = x / ||x||``.
    """

    tiny = 1e-12

    def __init__(self, scale=1.0):
        super().__init__()
        self.scale = float(scale)
        self._cache_u = self._cache_norm = None

    def forward(self, X, training=True):
        norm = np.sqrt(np.sum(X * X, axis=1, keepdims=True) + self.tiny)
        u = X / norm
        if training:
            self._cache_u, self._cache_norm = u, norm
        return u * self.scale if self.scale != 1.0 else u

    def backward(self, grad_out):
        u = self._cache_u
        grad = (grad_out - u * np.sum(grad_out * u, axis=1, keepdims=True)) / (
            self._cache_norm
        )
        return grad * self.scale if self.scale != 1.0 else grad


class Sequential(Layer):
    """Layers applied one after the other; parameters are concatenated in order."""

    def __init__(self, layers):
        super().__init__()
        self.layers = list(layers)
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads
            self.decay += layer.decay

    def _bind_children(self):
        self._bind_parts(self.layers)

    def forward(self, X, training=True):
        for layer in self.layers:
            X = layer.forward(X, training)
        return X

    def backward(self, grad_out):
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def clear_cache(self):
        for layer in self.layers:
            layer.clear_cache()


class MultiHead(Layer):
    """A shared trunk (representation) feeding several heads.

    ``forward`` returns the list of head outputs and keeps the representation in
    ``representation`` (training mode), so losses on the representation itself (a
    balance penalty) can pass their gradient to ``backward`` as ``grad_repr``.
    Parameters: the trunk's, then each head's in order.
    """

    def __init__(self, trunk, heads):
        super().__init__()
        self.trunk = trunk
        self.heads = list(heads)
        for part in [trunk, *self.heads]:
            self.params += part.params
            self.grads += part.grads
            self.decay += part.decay
        self.representation = None

    def _bind_children(self):
        self._bind_parts([self.trunk, *self.heads])

    def forward(self, X, training=True):
        phi = self.trunk.forward(X, training)
        if training:
            self.representation = phi
        return [head.forward(phi, training) for head in self.heads]

    def backward(self, grad_heads, grad_repr=None):
        """Back-propagate the head gradients (None = no loss on that head).

        Returns the gradient with respect to the network input.
        """
        total = None if grad_repr is None else grad_repr.copy()
        for head, grad in zip(self.heads, grad_heads, strict=True):
            if grad is None:
                for g in head.grads:
                    g[...] = 0
                continue
            g_phi = head.backward(grad)
            total = g_phi if total is None else total + g_phi
        return self.trunk.backward(total)

    def clear_cache(self):
        self.representation = None
        for part in [self.trunk, *self.heads]:
            part.clear_cache()


def make_mlp(
    n_in,
    hidden_sizes,
    n_out=None,
    *,
    activation="elu",
    rng,
    dtype=np.float64,
):
    """A multi-layer perceptron as a :class:`Sequential`.

    ``hidden_sizes`` dense layers, each followed by ``activation``; then, when
    ``n_out`` is given, a linear output layer of width ``n_out``. He initialisation is
    used before ReLU/ELU, Glorot otherwise (and for the output layer).
    """
    init = "he" if activation in ("relu", "elu") else "glorot"
    layers = []
    width = n_in
    for size in hidden_sizes:
        layers += [
            Dense(width, size, rng=rng, init=init, dtype=dtype),
            Activation(activation),
        ]
        width = size
    if n_out is not None:
        layers.append(Dense(width, n_out, rng=rng, init="glorot", dtype=dtype))
    return Sequential(layers)
