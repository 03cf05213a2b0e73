"""Interventions ``do(X_j = v)`` on a structural causal model.

An intervention replaces the structural equation of a node. Users give a mapping
``{node: value}`` whose nodes are column names or indices and whose values are

* a number: the hard intervention ``do(X_j = v)`` on every sample;
* a 1-D array with one value per sample: a per-sample hard intervention;
* a callable ``f(parents) -> values``: a soft intervention, ``X_j := f(pa_j)``, where
  ``parents`` is the 2-D array of the node's parents (columns in increasing index order
  of the fitted graph, shape ``(n_samples, n_parents)``) and the result has one value
  per sample.

This module validates such a mapping once (:func:`parse_interventions`) and evaluates
one node's values on a batch of samples (:func:`intervention_values`).
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real

import numpy as np

from skcausal.scm._graph import node_label, resolve_node

__all__ = ["check_class_values", "intervention_values", "parse_interventions"]


def check_class_values(values, classes, label: str) -> None:
    """ValueError when a discrete node is set to a value that is not one of its
    classes (a classifier mechanism can only produce, and only condition on, them)."""
    bad = ~np.isin(values, classes)
    if bad.any():
        value = np.asarray(values).ravel()[np.flatnonzero(bad.ravel())[0]].item()
        raise ValueError(
            f"node {label} is discrete (its mechanism is a classifier) with classes "
            f"{np.asarray(classes).tolist()}; it cannot be set to the value "
            f"{value!r}. Intervene with one of its classes."
        )


def parse_interventions(interventions, *, n_nodes: int, feature_names, classes) -> dict:
    """Validate ``{node: value}`` and key it by column index.

    Parameters
    ----------
    interventions : mapping
        Nodes (names or indices) to values (number, 1-D array or callable).
    n_nodes : int
        Number of nodes of the model.
    feature_names : ndarray of str or None
        Column names of the model.
    classes : list
        Per node, the classes of a discrete node or None for a continuous one.

    Returns
    -------
    parsed : dict
        ``{index: value}`` with numbers as floats and arrays as 1-D float arrays
        (copies); callables are kept as they are.

    Raises
    ------
    TypeError
        If ``interventions`` is not a mapping, or a value is of the wrong type.
    ValueError
        For an unknown node, a node given twice, a value that is not finite, an array
        that is not 1-D, or a value that is not a class of a discrete node.
    """
    if not isinstance(interventions, Mapping):
        raise TypeError(
            "interventions must be a dict {node: value} (node = column name or "
            "index; value = number, 1-D array with one value per sample, or "
            f"callable of the node's parents); got {type(interventions).__name__}."
        )
    parsed = {}
    for node, value in interventions.items():
        index = resolve_node(node, n_nodes, feature_names, what="intervened node")
        label = node_label(index, feature_names)
        if index in parsed:
            raise ValueError(
                f"node {label} is intervened on twice (by name and by index); give "
                "each node once."
            )
        if callable(value):
            parsed[index] = value
            continue
        if isinstance(value, str | bytes) or value is None:
            raise TypeError(
                f"the intervention on node {label} must be a number, a 1-D array or "
                f"a callable; got {type(value).__name__} {value!r}."
            )
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"the intervention on node {label} must be a number, a 1-D array or "
                f"a callable; got {type(value).__name__}."
            ) from exc
        if array.ndim > 1:
            raise ValueError(
                f"the intervention on node {label} must be a number or a 1-D array "
                f"with one value per sample; got an array of shape {array.shape}."
            )
        if not np.isfinite(array).all():
            raise ValueError(
                f"the intervention on node {label} contains NaN or inf; every value "
                "must be finite."
            )
        if classes[index] is not None:
            check_class_values(array, classes[index], label)
        parsed[index] = float(array) if array.ndim == 0 else array.copy()
    return parsed


def intervention_values(
    index: int, value, X: np.ndarray, parents, classes, feature_names
) -> np.ndarray:
    """The values of an intervened node on ``n = X.shape[0]`` samples.

    Parameters
    ----------
    index : int
        The node.
    value : float, ndarray or callable
        A parsed intervention (see :func:`parse_interventions`).
    X : ndarray of shape (n, d)
        The samples, with the node's parents already filled in.
    parents : ndarray of int
        The node's parents in the fitted graph (increasing order).
    classes : ndarray or None
        The classes of a discrete node, None for a continuous one.
    feature_names : ndarray of str or None
        Column names, for the messages.

    Returns
    -------
    values : ndarray of shape (n,)
    """
    n = X.shape[0]
    label = node_label(index, feature_names)
    if isinstance(value, Real):
        return np.full(n, float(value))
    if not callable(value):
        if value.shape[0] != n:
            raise ValueError(
                f"the intervention on node {label} has {value.shape[0]} values but "
                f"{n} samples are computed; a per-sample intervention needs exactly "
                "one value per sample."
            )
        return value
    out = np.asarray(value(X[:, parents].copy()), dtype=np.float64)
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.ndim == 0:
        out = np.full(n, float(out))
    if out.shape != (n,):
        raise ValueError(
            f"the soft intervention on node {label} returned shape {out.shape}; it "
            f"must return one value per sample, shape ({n},)."
        )
    if not np.isfinite(out).all():
        raise ValueError(
            f"the soft intervention on node {label} returned NaN or inf values."
        )
    if classes is not None:
        check_class_values(out, classes, label)
    return out
