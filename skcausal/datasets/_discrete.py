"""Discrete Bayesian networks: sample integer-coded data from conditional
probability tables (CPTs) on a DAG, by ancestral (forward) sampling in a
topological order (Henrion, "Propagating uncertainty in Bayesian networks by
probabilistic logic sampling", UAI 1986).
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from skcausal.datasets._graphs import make_dag
from skcausal.graph import is_dag, topological_order

__all__ = ["make_discrete_bayesian_network"]


def _check_levels(n_levels, n_nodes: int, rng) -> np.ndarray:
    if isinstance(n_levels, Integral) and not isinstance(n_levels, bool):
        if n_levels < 2:
            raise ValueError(f"n_levels must be >= 2; got {n_levels}.")
        return np.full(n_nodes, int(n_levels))
    arr = np.asarray(n_levels)
    if arr.shape == (2,) and arr.dtype.kind in "iu":
        low, high = int(arr[0]), int(arr[1])
        if not 2 <= low <= high:
            raise ValueError(
                f"n_levels as (low, high) needs 2 <= low <= high; got {tuple(arr)}."
            )
        return rng.randint(low, high + 1, size=n_nodes)
    raise ValueError(
        f"n_levels must be an int >= 2 or a (low, high) pair of ints; got {n_levels!r}."
    )


def _random_cpt(n_parent_levels, n_child_levels, concentration, rng) -> np.ndarray:
    shape = (*n_parent_levels, n_child_levels)
    rows = int(np.prod(n_parent_levels, dtype=np.int64))
    table = rng.dirichlet(np.full(n_child_levels, concentration), size=rows)
    return table.reshape(shape)


def make_discrete_bayesian_network(
    n_samples: int = 1000,
    n_nodes: int = 8,
    *,
    graph_type: str = "ER",
    edges_per_node: float = 1.0,
    n_levels=(2, 3),
    concentration: float = 0.5,
    adjacency=None,
    cpts=None,
    random_state=None,
):
    """Sample integer-coded data from a discrete Bayesian network.

    Every node ``j`` takes values ``0 .. L_j - 1`` with probabilities
    ``P(x_j | parents) = cpts[j][x_pa_1, ..., x_pa_k, :]`` (parents in increasing
    index order); samples are drawn node by node in a topological order.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of samples (>= 1).
    n_nodes : int, default=8
        Number of nodes when ``adjacency`` is not given.
    graph_type : {"ER", "SF"}, default="ER"
        Random graph family (see :func:`make_dag`), when ``adjacency`` is None.
    edges_per_node : float, default=1.0
        Expected edges per node of the random graph.
    n_levels : int or (low, high), default=(2, 3)
        Number of levels of every node, or the range each node's number is drawn
        from (inclusive). Ignored for nodes whose CPT is given.
    concentration : float, default=0.5
        Dirichlet concentration of the random CPT rows; small values give nearly
        deterministic, strong dependencies, large ones nearly uniform rows.
    adjacency : array-like of shape (d, d), default=None
        A DAG to use instead of a random one (nonzero ``[i, j]`` is ``i -> j``).
    cpts : list of array-like, default=None
        Known conditional probability tables, one per node: ``cpts[j]`` has shape
        ``(L_pa_1, ..., L_pa_k, L_j)`` and sums to one over its last axis. Given
        CPTs require ``adjacency``.
    random_state : int, RandomState instance or None, default=None
        Seed or generator, as in scikit-learn.

    Returns
    -------
    X : ndarray of shape (n_samples, d), dtype int64
        Integer codes.
    adjacency : ndarray of shape (d, d)
        The 0/1 DAG.
    cpts : list of ndarray
        The conditional probability tables used.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.datasets import make_discrete_bayesian_network
    >>> A = np.array([[0, 1], [0, 0]])  # 0 -> 1
    >>> cpts = [np.array([0.5, 0.5]), np.array([[0.9, 0.1], [0.2, 0.8]])]
    >>> X, dag, tables = make_discrete_bayesian_network(
    ...     5000, adjacency=A, cpts=cpts, random_state=0
    ... )
    >>> round(float(X[X[:, 0] == 0, 1].mean()), 1)  # P(x1 = 1 | x0 = 0) = 0.1
    0.1
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, Integral):
        raise TypeError(f"n_samples must be an int; got {n_samples!r}.")
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1; got {n_samples}.")
    if (
        isinstance(concentration, bool)
        or not isinstance(concentration, Real)
        or not concentration > 0
    ):
        raise ValueError(f"concentration must be a number > 0; got {concentration!r}.")
    rng = check_random_state(random_state)
    if adjacency is None:
        if cpts is not None:
            raise ValueError("cpts need the DAG they belong to: pass adjacency too.")
        dag = make_dag(
            n_nodes,
            graph_type=graph_type,
            edges_per_node=edges_per_node,
            random_state=rng,
        )
    else:
        dag = np.asarray(adjacency)
        if dag.ndim != 2 or dag.shape[0] != dag.shape[1]:
            raise ValueError(f"adjacency must be square; got shape {dag.shape}.")
        if not is_dag(dag):
            raise ValueError("adjacency must be a DAG (it has a directed cycle).")
        dag = (dag != 0).astype(np.float64)
    d = dag.shape[0]
    if cpts is not None and len(cpts) != d:
        raise ValueError(f"cpts must hold one table per node ({d}); got {len(cpts)}.")
    levels = _check_levels(n_levels, d, rng)
    if cpts is not None:
        levels = np.asarray([np.shape(t)[-1] for t in cpts])
    tables = []
    for j in range(d):
        pa = np.flatnonzero(dag[:, j])
        if cpts is None:
            tables.append(_random_cpt(levels[pa], int(levels[j]), concentration, rng))
            continue
        table = np.array(cpts[j], dtype=np.float64)  # a copy: never shared
        expected = (*levels[pa].tolist(), int(levels[j]))
        if table.shape != expected:
            raise ValueError(
                f"cpts[{j}] must have shape {expected} (parents {pa.tolist()}, then "
                f"the node's levels); got {table.shape}."
            )
        if np.any(table < 0) or not np.allclose(table.sum(axis=-1), 1.0):
            raise ValueError(
                f"cpts[{j}] must hold probabilities summing to 1 over the last axis."
            )
        tables.append(table)

    X = np.zeros((n_samples, d), dtype=np.int64)
    for j in topological_order(dag):
        pa = np.flatnonzero(dag[:, j])
        probs = tables[j][tuple(X[:, pa].T)] if pa.size else tables[j][None, :]
        cum = np.cumsum(probs, axis=-1)
        u = rng.random_sample(n_samples)[:, None]
        X[:, j] = np.minimum((u >= cum).sum(axis=1), levels[j] - 1)
    return X, dag, tables
