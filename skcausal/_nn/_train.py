"""Minibatch training with early stopping on a validation split.

:func:`train` drives any model given as a function ``objective(batch_indices) ->
(loss, grads)`` over aligned ``params``: seeded shuffling into minibatches, an
optimiser step per batch, a per-epoch validation loss, a snapshot of the best weights
(restored at the end), stopping after ``n_iter_no_change`` epochs without an
improvement larger than ``tol``, and protection against divergence (a non-finite loss
restores the last finite weights and stops with a warning).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from skcausal._nn._optim import copy_params, restore_params

__all__ = ["TrainingResult", "minibatches", "stratified_split", "train"]


def minibatches(n_samples, batch_size, rng):
    """Index arrays of a seeded random permutation cut into consecutive batches."""
    order = rng.permutation(n_samples)
    batch_size = min(batch_size, n_samples)
    return [order[i : i + batch_size] for i in range(0, n_samples, batch_size)]


def stratified_split(groups, fraction, rng):
    """Split indices into (train, validation), stratified on ``groups``.

    About ``fraction`` of each group goes to validation, at least one unit overall,
    while every group keeps at least one unit for training. Returns ``None`` when no
    such split exists (too few units).
    """
    groups = np.asarray(groups)
    n = groups.shape[0]
    validation = []
    for level in np.unique(groups):
        members = rng.permutation(np.flatnonzero(groups == level))
        n_val = min(int(np.floor(fraction * members.size)), members.size - 1)
        validation.append(members[:n_val])
    validation = np.sort(np.concatenate(validation))
    if validation.size == 0:
        # fraction too small for every group alone: one unit from the largest group
        levels, counts = np.unique(groups, return_counts=True)
        largest = levels[np.argmax(counts)]
        if counts.max() < 2:
            return None
        validation = rng.choice(np.flatnonzero(groups == largest), 1)
    train = np.setdiff1d(np.arange(n), validation)
    return train, validation


@dataclass
class TrainingResult:
    """What :func:`train` did: epochs run, curves, best epoch, why it stopped."""

    n_iter: int = 0
    loss_curve: list = field(default_factory=list)
    validation_curve: list = field(default_factory=list)
    best_epoch: int = 0
    best_loss: float = np.inf
    converged: bool = False
    diverged: bool = False


def train(
    objective,
    params,
    optimizer,
    n_samples,
    *,
    batch_size,
    max_iter,
    rng,
    validation_loss=None,
    n_iter_no_change=10,
    tol=1e-4,
    verbose=0,
    name="network",
    best_loss=np.inf,
):
    """Train ``params`` by minibatch steps of ``optimizer``.

    Parameters
    ----------
    objective : callable
        ``objective(indices) -> (loss, grads)`` on the training rows ``indices``;
        ``grads`` aligned with ``params``.
    params : list of ndarray
        Updated in place.
    optimizer : object with ``step(grads)``
    n_samples : int
        Number of training rows.
    batch_size, max_iter : int
        Minibatch size; maximum number of epochs.
    rng : numpy.random.Generator
        Shuffles the rows every epoch.
    validation_loss : callable or None
        ``validation_loss() -> float`` evaluated after every epoch; monitored for
        early stopping. When None, the mean training loss of the epoch is monitored.
    n_iter_no_change : int
        Stop after this many epochs without an improvement of more than ``tol``.
    tol : float
    verbose : int
        Print one line per epoch when positive.
    name : str
        Named in the divergence warning.
    best_loss : float, default=inf
        The monitored loss of the weights ``params`` hold on entry (a second phase
        continuing a first one); the entry weights are kept unless an epoch beats it.

    Returns
    -------
    result : TrainingResult
        The parameters hold the weights of the best epoch (validation monitored) or
        of the last epoch (training loss monitored).
    """
    result = TrainingResult(best_loss=float(best_loss))
    best = copy_params(params)
    last_finite = best
    no_change = 0
    for epoch in range(1, max_iter + 1):
        total, count = 0.0, 0
        finite = True
        for batch in minibatches(n_samples, batch_size, rng):
            loss, grads = objective(batch)
            if not np.isfinite(loss) or not all(np.all(np.isfinite(g)) for g in grads):
                finite = False
                break
            optimizer.step(grads)
            total += loss * batch.size
            count += batch.size
        monitored = total / max(count, 1)
        if finite and validation_loss is not None:
            val = float(validation_loss())
            finite = np.isfinite(val)
            result.validation_curve.append(val)
            monitored = val
        if not finite or not all(np.all(np.isfinite(p)) for p in params):
            result.diverged = True
            restore_params(params, last_finite if validation_loss is None else best)
            warnings.warn(
                f"{name}: training diverged at epoch {epoch} (non-finite loss); the "
                "last finite weights were restored. Lower learning_rate or "
                "standardise the features.",
                RuntimeWarning,
                stacklevel=3,
            )
            break
        result.loss_curve.append(total / max(count, 1))
        result.n_iter = epoch
        if verbose:
            line = f"Epoch {epoch}, loss = {result.loss_curve[-1]:.6f}"
            if validation_loss is not None:
                line += f", validation loss = {monitored:.6f}"
            print(line)
        if monitored < result.best_loss - tol:
            no_change = 0
        else:
            no_change += 1
        if monitored < result.best_loss:
            result.best_loss, result.best_epoch = monitored, epoch
            if validation_loss is not None:
                best = copy_params(params)
        if validation_loss is None:
            last_finite = copy_params(params)
        if no_change >= n_iter_no_change:
            result.converged = True
            break
    if validation_loss is not None and not result.diverged:
        restore_params(params, best)
    return result
