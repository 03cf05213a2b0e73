"""The small numpy neural engine shared by skcausal's neural estimators (private).

In the spirit of scikit-learn's own multi-layer perceptron: dense layers and
activations with explicit forward and backward passes (``_layers``), losses with
per-sample weights returning ``(value, gradient)`` (``_losses``), balance penalties
between treatment arms (``_ipm``), Adam, SGD with momentum and a flat parameter view
(``_optim``), and a minibatch training loop with early stopping (``_train``). A
network is two aligned lists, ``params`` and ``grads``, so optimisers,
finite-difference tests and future drivers (L-BFGS through ``flatten``/``unflatten``)
need nothing else. No autodiff: each layer's backward pass is written out and
checked against finite differences in ``tests/nn``.
"""

from skcausal._nn._ipm import mmd_linear, sinkhorn_plan, wasserstein
from skcausal._nn._layers import (
    ACTIVATIONS,
    Activation,
    Dense,
    Layer,
    MultiHead,
    RowNormalize,
    Sequential,
    make_mlp,
)
from skcausal._nn._losses import l2_penalty, log_loss, sigmoid, squared_error
from skcausal._nn._optim import (
    SGD,
    Adam,
    copy_params,
    flatten,
    pack,
    pack_parameters,
    restore_params,
    unflatten,
)
from skcausal._nn._train import TrainingResult, minibatches, stratified_split, train

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "Adam",
    "Dense",
    "Layer",
    "MultiHead",
    "Sequential",
    "TrainingResult",
    "copy_params",
    "flatten",
    "l2_penalty",
    "log_loss",
    "make_mlp",
    "minibatches",
    "mmd_linear",
    "pack",
    "pack_parameters",
    "restore_params",
    "RowNormalize",
    "SGD",
    "sigmoid",
    "sinkhorn_plan",
    "squared_error",
    "stratified_split",
    "train",
    "unflatten",
    "wasserstein",
]
