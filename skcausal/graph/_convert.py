"""Conversion between adjacency matrices and networkx graphs.

networkx is an optional dependency: it is imported inside the functions, and a
clear ImportError says how to install it when it is missing.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from skcausal.graph._dag import _check_adjacency

__all__ = ["from_networkx", "to_networkx"]


def _import_networkx():
    try:
        import networkx
    except ImportError as exc:
        raise ImportError(
            "this function needs networkx, an optional dependency of skcausal; "
            "install it with `pip install networkx` (or with the plotting extra, "
            "`pip install 'skcausal-learn[plot]'`)."
        ) from exc
    return networkx


def to_networkx(adjacency, feature_names: Sequence[Hashable] | None = None):
    """Build a ``networkx.DiGraph`` from an adjacency matrix.

    Parameters
    ----------
    adjacency : array-like of shape (d, d)
        ``adjacency[i, j] != 0`` is the edge ``i -> j``; its value becomes the
        edge attribute ``"weight"``. An undirected CPDAG edge (stored both ways)
        becomes two opposite directed edges.
    feature_names : sequence of hashable, optional
        Node labels in matrix order (for instance an estimator's
        ``feature_names_in_``); default ``0..d-1``.

    Returns
    -------
    networkx.DiGraph
        Nodes in matrix order, one edge per nonzero entry with attribute
        ``"weight"`` (a Python float).

    Raises
    ------
    ImportError
        If networkx is not installed.
    ValueError
        If ``feature_names`` does not have ``d`` distinct entries.

    See Also
    --------
    from_networkx : The inverse conversion.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import to_networkx
    >>> W = np.array([[0.0, 0.5], [0.0, 0.0]])
    >>> G = to_networkx(W, feature_names=["rain", "wet"])
    >>> list(G.edges(data="weight"))
    [('rain', 'wet', 0.5)]
    """
    nx = _import_networkx()
    A = _check_adjacency(adjacency)
    d = A.shape[0]
    names = list(range(d)) if feature_names is None else list(feature_names)
    if len(names) != d:
        raise ValueError(
            f"feature_names has {len(names)} entries but the graph has {d} nodes."
        )
    if len(set(names)) != d:
        raise ValueError("feature_names must be distinct.")
    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    rows, cols = np.nonzero(A)
    graph.add_edges_from(
        (names[i], names[j], {"weight": float(A[i, j])})
        for i, j in zip(rows, cols, strict=True)
    )
    return graph


def from_networkx(
    graph, nodelist: Sequence[Hashable] | None = None
) -> tuple[np.ndarray, list]:
    """Read a networkx graph into an adjacency matrix.

    Parameters
    ----------
    graph : networkx.Graph or networkx.DiGraph
        A directed graph gives ``adjacency[i, j]`` for each edge ``i -> j``; an
        undirected graph gives both entries for each edge (the CPDAG convention).
        Parallel edges of a multigraph are summed.
    nodelist : sequence of hashable, optional
        The nodes in the order of rows and columns; default ``list(graph.nodes)``.
        Edges touching nodes outside ``nodelist`` are left out.

    Returns
    -------
    adjacency : ndarray of shape (d, d), dtype float64
        The edge attribute ``"weight"`` (1.0 when absent).
    names : list
        The node names, in matrix order.

    Raises
    ------
    ImportError
        If networkx is not installed.
    TypeError
        If ``graph`` is not a networkx graph.
    ValueError
        If ``nodelist`` repeats a node or names one that is not in the graph, or a
        weight is not a number.

    See Also
    --------
    to_networkx : The inverse conversion.

    Examples
    --------
    >>> import networkx as nx
    >>> from skcausal.graph import from_networkx
    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> A, names = from_networkx(G)
    >>> A
    array([[0., 1., 0.],
           [0., 0., 1.],
           [0., 0., 0.]])
    >>> names
    ['a', 'b', 'c']
    """
    nx = _import_networkx()
    if not isinstance(graph, nx.Graph):
        raise TypeError(
            f"graph must be a networkx Graph or DiGraph; got {type(graph).__name__}."
        )
    names = list(graph.nodes) if nodelist is None else list(nodelist)
    if len(set(names)) != len(names):
        raise ValueError("nodelist must not repeat a node.")
    missing = [name for name in names if name not in graph]
    if missing:
        raise ValueError(f"nodelist names nodes that are not in the graph: {missing}.")
    index = {name: k for k, name in enumerate(names)}
    adjacency = np.zeros((len(names), len(names)), dtype=np.float64)
    for u, v, weight in graph.edges(data="weight", default=1.0):
        if u not in index or v not in index:
            continue
        try:
            weight = float(weight)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"the weight of edge {u!r} -> {v!r} is not a number: {weight!r}."
            ) from exc
        i, j = index[u], index[v]
        adjacency[i, j] += weight
        if not graph.is_directed() and i != j:
            adjacency[j, i] += weight
    return adjacency, names
