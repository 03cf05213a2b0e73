"""Directed acyclic graphs held as adjacency matrices.

Convention (shared by the whole package): ``adjacency[i, j] != 0`` means the edge
``i -> j`` (row = cause, column = effect); a nonzero diagonal entry is a self-loop,
which counts as a cycle. Weighted graphs store the weight, graph-only ones store 1.

This module holds the basic queries (acyclicity, a topological order, a cycle,
parents, children, ancestors and descendants), the conversion of prior-knowledge edge
lists into boolean masks, and :func:`threshold_to_dag`, which turns the weighted,
possibly cyclic output of a continuous optimiser into a DAG.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Sequence

import numpy as np
from scipy.sparse import csr_array, issparse
from scipy.sparse.csgraph import connected_components

__all__ = [
    "ancestors",
    "children",
    "descendants",
    "edges_to_mask",
    "find_cycle",
    "is_dag",
    "parents",
    "threshold_to_dag",
    "topological_order",
]


# ----------------------------------------------------------------------------------
# Validation helpers (shared by the other modules of skcausal.graph)
# ----------------------------------------------------------------------------------
def _check_adjacency(adjacency, name: str = "adjacency") -> np.ndarray:
    """Return ``adjacency`` as a square 2-D numeric ndarray (no copy if possible).

    Raises a ValueError naming the problem for a wrong shape or NaN entries and a
    TypeError for non-numeric input. Sparse matrices are densified.
    """
    if issparse(adjacency):
        adjacency = adjacency.toarray()
    try:
        arr = np.asarray(adjacency)
    except Exception as exc:  # pragma: no cover - exotic array-likes
        raise TypeError(
            f"{name} must be array-like of shape (d, d); "
            f"got {type(adjacency).__name__}."
        ) from exc
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} must hold numbers; got entries that are not numeric."
            ) from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}.")
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(
            f"{name} must be a square 2-D array of shape (d, d); got shape {arr.shape}."
        )
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN; every entry must be a number.")
    return arr


def _edge_mask(adjacency, name: str = "adjacency") -> np.ndarray:
    """Validated boolean edge matrix ``adjacency != 0`` (a new array)."""
    return _check_adjacency(adjacency, name) != 0


def _check_node(node, n_nodes: int, name: str = "node") -> int:
    """Return ``node`` as a Python int after checking it is an index in range."""
    if isinstance(node, bool | np.bool_) or not isinstance(node, int | np.integer):
        raise TypeError(
            f"{name} must be an integer node index; got {type(node).__name__} {node!r}."
        )
    node = int(node)
    if not 0 <= node < n_nodes:
        raise ValueError(
            f"{name}={node} is out of range for a graph with {n_nodes} nodes "
            f"(valid indices are 0..{n_nodes - 1})."
        )
    return node


def _strong_components(mask: np.ndarray) -> tuple[int, np.ndarray]:
    """Strongly connected components of a boolean edge matrix (scipy, in C)."""
    if mask.shape[0] == 0:
        return 0, np.zeros(0, dtype=np.int32)
    return connected_components(
        csr_array(mask.astype(np.int8)), directed=True, connection="strong"
    )


def _reach(mask: np.ndarray, sources: Iterable[int]) -> np.ndarray:
    """Boolean vector of nodes reachable from ``sources`` by >= 1 edge of ``mask``."""
    seen = np.zeros(mask.shape[0], dtype=bool)
    frontier = np.zeros(mask.shape[0], dtype=bool)
    frontier[list(sources)] = True
    while frontier.any():
        nxt = mask[frontier].any(axis=0) & ~seen
        seen |= nxt
        frontier = nxt
    return seen


# ----------------------------------------------------------------------------------
# Acyclicity, orders and cycles
# ----------------------------------------------------------------------------------
def is_dag(adjacency) -> bool:
    """Tell whether a graph has no directed cycle.

    Parameters
    ----------
    adjacency : array-like of shape (d, d)
        ``adjacency[i, j] != 0`` is the edge ``i -> j``. A nonzero diagonal entry is
        a self-loop and therefore a cycle. An undirected CPDAG edge (stored both
        ways) is a 2-cycle, so a CPDAG with undirected edges is not a DAG.

    Returns
    -------
    bool
        True when the graph is acyclic.

    See Also
    --------
    find_cycle : A cycle of a cyclic graph.
    topological_order : An order of the nodes compatible with every edge.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import is_dag
    >>> chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> is_dag(chain)
    True
    >>> is_dag(chain + chain.T)
    False
    """
    mask = _edge_mask(adjacency)
    if np.diagonal(mask).any():
        return False
    n_components, _ = _strong_components(mask)
    return n_components == mask.shape[0]


def find_cycle(adjacency) -> list[int] | None:
    """Return one directed cycle of a graph, or None when the graph is acyclic.

    The cycle is reported as the list of its nodes ``[v0, v1, ..., vk]`` meaning
    ``v0 -> v1 -> ... -> vk -> v0``; a self-loop is ``[v]``. The answer is
    deterministic: a self-loop on the smallest such node if there is one, otherwise a
    shortest cycle through the smallest node lying on any cycle.

    Parameters
    ----------
    adjacency : array-like of shape (d, d)
        ``adjacency[i, j] != 0`` is the edge ``i -> j``.

    Returns
    -------
    cycle : list of int or None
        The nodes of a directed cycle in order, or None for a DAG.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import find_cycle
    >>> A = np.zeros((4, 4))
    >>> A[0, 1] = A[1, 2] = A[2, 3] = A[3, 1] = 1.0
    >>> find_cycle(A)
    [1, 2, 3]
    >>> find_cycle(np.triu(np.ones((3, 3)), k=1)) is None
    True
    """
    mask = _edge_mask(adjacency)
    loops = np.flatnonzero(np.diagonal(mask))
    if loops.size:
        return [int(loops[0])]
    n_components, labels = _strong_components(mask)
    if n_components == mask.shape[0]:
        return None
    sizes = np.bincount(labels, minlength=n_components)
    start = int(np.flatnonzero(sizes[labels] > 1)[0])
    inside = labels == labels[start]
    sub = mask & inside[:, None] & inside[None, :]
    # Breadth-first search from ``start``: the first time an edge leads back to it
    # closes a shortest cycle through ``start``.
    predecessor = {start: -1}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        for v in np.flatnonzero(sub[u]):
            v = int(v)
            if v == start:
                cycle = [u]
                while predecessor[cycle[-1]] != -1:
                    cycle.append(predecessor[cycle[-1]])
                return cycle[::-1]
            if v not in predecessor:
                predecessor[v] = u
                queue.append(v)
    raise RuntimeError("internal error: no cycle found in a strong component")


def _cycle_message(cycle: Sequence[int]) -> str:
    """Human-readable ``0 -> 1 -> 0`` for a cycle given as its node list."""
    return " -> ".join(str(v) for v in [*cycle, cycle[0]])


def topological_order(adjacency) -> np.ndarray:
    """Return a topological order of a DAG (every edge points forward).

    Kahn's algorithm that always emits the smallest-index node among those whose
    parents have all been emitted, so the order is deterministic.

    Parameters
    ----------
    adjacency : array-like of shape (d, d)
        ``adjacency[i, j] != 0`` is the edge ``i -> j``.

    Returns
    -------
    order : ndarray of shape (d,), dtype int
        ``order[k]`` is the k-th node; for every edge ``i -> j``, ``i`` comes before
        ``j``.

    Raises
    ------
    ValueError
        If the graph has a directed cycle (the message names one).

    References
    ----------
    A. B. Kahn, "Topological sorting of large networks", Communications of the ACM
    5(11), 1962.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import topological_order
    >>> A = np.zeros((3, 3))
    >>> A[2, 0] = A[0, 1] = 1.0  # 2 -> 0 -> 1
    >>> topological_order(A)
    array([2, 0, 1])
    """
    mask = _edge_mask(adjacency)
    d = mask.shape[0]
    in_degree = mask.sum(axis=0).astype(np.int64)
    heap = [int(j) for j in np.flatnonzero(in_degree == 0)]
    heapq.heapify(heap)
    order = []
    while heap:
        u = heapq.heappop(heap)
        order.append(u)
        for v in np.flatnonzero(mask[u]):
            in_degree[v] -= 1
            if in_degree[v] == 0:
                heapq.heappush(heap, int(v))
    if len(order) < d:
        cycle = find_cycle(mask)
        raise ValueError(
            "the graph is not a DAG, so it has no topological order; it contains "
            f"the cycle {_cycle_message(cycle)}."
        )
    return np.asarray(order, dtype=np.intp)


# ----------------------------------------------------------------------------------
# Neighbourhoods
# ----------------------------------------------------------------------------------
def parents(adjacency, j: int) -> np.ndarray:
    """Return the parents of node ``j`` (the nodes ``i`` with an edge ``i -> j``).

    Parameters
    ----------
    adjacency : array-like of shape (d, d)
        ``adjacency[i, j] != 0`` is the edge ``i -> j``.
    j : int
        Node index.

    Returns
    -------
    ndarray of int
        Sorted indices. An undirected CPDAG edge ``i - j`` (stored both ways) makes
        ``i`` both a parent and a child of ``j``.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import parents
    >>> collider = np.array([[0, 0, 1], [0, 0, 1], [0, 0, 0]])
    >>> parents(collider, 2)
    array([0, 1])
    """
    mask = _edge_mask(adjacency)
    j = _check_node(j, mask.shape[0], "j")
    return np.flatnonzero(mask[:, j])


def children(adjacency, j: int) -> np.ndarray:
    """Return the children of node ``j`` (the nodes ``k`` with an edge ``j -> k``).

    Parameters
    ----------
    adjacency : array-like of shape (d, d)
        ``adjacency[i, j] != 0`` is the edge ``i -> j``.
    j : int
        Node index.

    Returns
    -------
    ndarray of int
        Sorted indices.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import children
    >>> fork = np.array([[0, 1, 1], [0, 0, 0], [0, 0, 0]])
    >>> children(fork, 0)
    array([1, 2])
    """
    mask = _edge_mask(adjacency)
    j = _check_node(j, mask.shape[0], "j")
    return np.flatnonzero(mask[j])


def ancestors(adjacency, j: int) -> np.ndarray:
    """Return the ancestors of node ``j`` (nodes with a directed path to ``j``).

    Parameters
    ----------
    adjacency : array-like of shape (d, d)
        ``adjacency[i, j] != 0`` is the edge ``i -> j``.
    j : int
        Node index.

    Returns
    -------
    ndarray of int
        Sorted indices of the proper ancestors; ``j`` itself is never included (in a
        cyclic graph it would be its own ancestor).

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import ancestors
    >>> chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> ancestors(chain, 2)
    array([0, 1])
    """
    mask = _edge_mask(adjacency)
    j = _check_node(j, mask.shape[0], "j")
    found = _reach(mask.T, [j])
    found[j] = False
    return np.flatnonzero(found)


def descendants(adjacency, j: int) -> np.ndarray:
    """Return the descendants of node ``j`` (nodes reachable from ``j``).

    Parameters
    ----------
    adjacency : array-like of shape (d, d)
        ``adjacency[i, j] != 0`` is the edge ``i -> j``.
    j : int
        Node index.

    Returns
    -------
    ndarray of int
        Sorted indices of the proper descendants; ``j`` itself is never included.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import descendants
    >>> chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> descendants(chain, 0)
    array([1, 2])
    """
    mask = _edge_mask(adjacency)
    j = _check_node(j, mask.shape[0], "j")
    found = _reach(mask, [j])
    found[j] = False
    return np.flatnonzero(found)


# ----------------------------------------------------------------------------------
# Prior-knowledge masks
# ----------------------------------------------------------------------------------
def edges_to_mask(
    edges, n_nodes: int, *, feature_names: Sequence[str] | None = None
) -> np.ndarray:
    """Turn a prior-knowledge edge specification into a boolean (d, d) mask.

    Parameters
    ----------
    edges : None, array-like of shape (d, d), or iterable of pairs
        * None: no edges (an all-False mask).
        * A boolean or 0/1 matrix of shape ``(n_nodes, n_nodes)``: used as the mask
          (``mask[i, j]`` means ``i -> j``); the diagonal is kept as given.
        * An iterable of ``(i, j)`` pairs meaning ``i -> j``: integer indices, or
          names when ``feature_names`` is given. Self-pairs ``(i, i)`` are rejected.

        A nested list with shape ``(2, 2)`` is ambiguous when ``n_nodes == 2``; it is
        read as a list of pairs unless it is boolean or a numpy array.
    n_nodes : int
        Number of nodes d.
    feature_names : sequence of str, optional
        Node names, so that pairs may name nodes (as estimators fitted on a
        DataFrame do) instead of indexing them.

    Returns
    -------
    mask : ndarray of shape (n_nodes, n_nodes), dtype bool
        A new array.

    Raises
    ------
    ValueError
        Wrong mask shape, a mask entry other than 0/1, a pair that is not of length
        2, an index out of range, a self-pair or an unknown name.
    TypeError
        Pairs that are neither integers nor (with ``feature_names``) names.

    Examples
    --------
    >>> from skcausal.graph import edges_to_mask
    >>> edges_to_mask([(0, 1), (2, 1)], 3).astype(int)
    array([[0, 1, 0],
           [0, 0, 0],
           [0, 1, 0]])
    >>> edges_to_mask([("a", "b")], 2, feature_names=["a", "b"])
    array([[False,  True],
           [False, False]])
    """
    if isinstance(n_nodes, bool) or not isinstance(n_nodes, int | np.integer):
        raise TypeError(f"n_nodes must be an int; got {type(n_nodes).__name__}.")
    n_nodes = int(n_nodes)
    if n_nodes < 0:
        raise ValueError(f"n_nodes must be non-negative; got {n_nodes}.")
    mask = np.zeros((n_nodes, n_nodes), dtype=bool)
    if edges is None:
        return mask
    if issparse(edges):
        edges = edges.toarray()
    if isinstance(edges, str) or not (
        hasattr(edges, "__iter__") or hasattr(edges, "__array__")
    ):
        raise TypeError(
            "edges must be None, a (d, d) boolean mask or an iterable of (i, j) "
            f"pairs; got {type(edges).__name__}."
        )

    # A (d, d) matrix is told apart from a list of pairs by its dtype (bool), its
    # width (pairs have 2 columns) or by being a numpy-like object of shape (d, d).
    try:
        arr = np.asarray(edges)
    except (TypeError, ValueError):  # ragged nested lists: read as pairs below
        arr = None
    if arr is not None and arr.ndim == 2:
        square = arr.shape == (n_nodes, n_nodes)
        numpy_like = hasattr(edges, "shape")
        if arr.dtype == bool or (square and (numpy_like or arr.shape[1] != 2)):
            if not square:
                raise ValueError(
                    f"an edge mask must have shape ({n_nodes}, {n_nodes}); "
                    f"got shape {arr.shape}."
                )
            return _mask_from_matrix(arr)
        if numpy_like and arr.shape[1] != 2:
            raise ValueError(
                f"edges must be a mask of shape ({n_nodes}, {n_nodes}) or an array "
                f"of (i, j) pairs of shape (n_edges, 2); got shape {arr.shape}."
            )
    return _mask_from_pairs(edges, n_nodes, feature_names)


def _mask_from_matrix(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == bool:
        return arr.copy()
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"an edge mask must be boolean or 0/1 numbers; got dtype {arr.dtype}."
        )
    if not np.isin(arr, (0, 1)).all():
        raise ValueError(
            "an edge mask must hold only booleans or 0/1; got other values, e.g. "
            f"{arr[~np.isin(arr, (0, 1))].ravel()[0]!r}."
        )
    return arr != 0


def _mask_from_pairs(edges, n_nodes: int, feature_names) -> np.ndarray:
    mask = np.zeros((n_nodes, n_nodes), dtype=bool)
    index = None
    if feature_names is not None:
        names = [str(name) for name in feature_names]
        if len(names) != n_nodes:
            raise ValueError(
                f"feature_names has {len(names)} entries but n_nodes={n_nodes}."
            )
        index = {name: k for k, name in enumerate(names)}
    for pair in edges:
        if isinstance(pair, str) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise ValueError(
                f"each edge must be a pair (i, j) meaning i -> j; got {pair!r}."
            )
        i, j = (_resolve_node(node, n_nodes, index) for node in pair)
        if i == j:
            raise ValueError(
                f"edge {tuple(pair)!r} is a self-loop (i == j); an edge needs two "
                "different nodes."
            )
        mask[i, j] = True
    return mask


def _resolve_node(node, n_nodes: int, index) -> int:
    if index is not None and isinstance(node, str):
        if node not in index:
            raise ValueError(f"unknown node name {node!r} in edges.")
        return index[node]
    if isinstance(node, bool | np.bool_) or not isinstance(node, int | np.integer):
        hint = "" if index is not None else " (pass feature_names to use names)"
        raise TypeError(
            f"edge endpoints must be integer node indices{hint}; got "
            f"{type(node).__name__} {node!r}."
        )
    node = int(node)
    if not 0 <= node < n_nodes:
        raise ValueError(
            f"edge endpoint {node} is out of range for {n_nodes} nodes "
            f"(valid indices are 0..{n_nodes - 1})."
        )
    return node


# ----------------------------------------------------------------------------------
# Thresholding a weighted graph into a DAG
# ----------------------------------------------------------------------------------
def threshold_to_dag(
    weights, w_threshold: float = 0.0, *, required_edges=None
) -> np.ndarray:
    """Threshold a weighted graph and break its remaining cycles.

    First every entry with ``|w| <= w_threshold`` is set to zero, except required
    edges. Then, while the graph has a directed cycle, the weakest (smallest
    ``|w|``) non-required edge that lies on a cycle is removed. An edge lies on a
    cycle exactly when both its ends are in the same strongly connected component
    (or it is a self-loop), so candidates come from the strong components; within
    one component the removals are done one at a time in order of increasing
    ``|w|`` (several at once when that provably gives the same result), and
    independent components are handled together. Ties in ``|w|`` go to the edge
    ``(i, j)`` that comes first in row-major order.

    An edge that survives is never on a cycle at the moment it is considered, and
    removing edges cannot create cycles, so the output is always a DAG and no
    edge that could have been kept by this greedy rule is lost.

    Parameters
    ----------
    weights : array-like of shape (d, d)
        Weighted adjacency matrix, ``weights[i, j]`` for the edge ``i -> j``.
    w_threshold : float, default=0.0
        Entries with absolute value at most this are dropped (``0.0`` only drops
        exact zeros, which are not edges anyway).
    required_edges : None, bool array of shape (d, d) or iterable of (i, j) pairs
        Edges exempt from thresholding and cycle breaking (see
        :func:`edges_to_mask`). An entry that is exactly zero is still no edge.

    Returns
    -------
    dag : ndarray of shape (d, d), dtype float64
        A new array; kept entries hold their original weights.

    Raises
    ------
    ValueError
        If ``w_threshold`` is negative or not finite, or if the required edges by
        themselves contain a cycle (the message names it).

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import threshold_to_dag
    >>> W = np.array([[0.0, 1.5, 0.05], [0.0, 0.0, 0.9], [0.3, 0.0, 0.0]])
    >>> threshold_to_dag(W, 0.1)  # drop 0.05, then break 0 -> 1 -> 2 -> 0 at 0.3
    array([[0. , 1.5, 0. ],
           [0. , 0. , 0.9],
           [0. , 0. , 0. ]])
    >>> threshold_to_dag(W, 0.1, required_edges=[(2, 0)])
    array([[0. , 1.5, 0. ],
           [0. , 0. , 0. ],
           [0.3, 0. , 0. ]])
    """
    W = _check_adjacency(weights, "weights").astype(np.float64, copy=True)
    d = W.shape[0]
    if not np.isfinite(W).all():
        raise ValueError("weights contains inf; every entry must be finite.")
    try:
        w_threshold = float(w_threshold)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"w_threshold must be a number; got {type(w_threshold).__name__}."
        ) from exc
    if not np.isfinite(w_threshold) or w_threshold < 0:
        raise ValueError(
            f"w_threshold must be a finite non-negative number; got {w_threshold}."
        )
    required = edges_to_mask(required_edges, d)
    if np.diagonal(required).any():
        node = int(np.flatnonzero(np.diagonal(required))[0])
        raise ValueError(
            f"required_edges contains the self-loop {node} -> {node}, a cycle."
        )
    cycle = find_cycle(required)
    if cycle is not None:
        raise ValueError(
            "required_edges contain a cycle, so no DAG can keep them all: "
            f"{_cycle_message(cycle)}."
        )

    magnitude = np.abs(W)
    W[(magnitude <= w_threshold) & ~required] = 0.0
    _break_cycles(W, magnitude, required)
    return W


def _break_cycles(W: np.ndarray, magnitude: np.ndarray, required: np.ndarray) -> None:
    """Greedy cycle breaking in place (see :func:`threshold_to_dag`).

    The sequential rule is: take the candidate edges (non-required, inside a
    non-trivial strong component or a self-loop) in increasing ``|w|``; drop an edge
    if it is still on a cycle, otherwise keep it for good. To avoid one
    strong-component computation per dropped edge we drop a batch ``e_1..e_t`` of the
    weakest candidates at once and then check, in the reduced graph R, that each
    ``e_k = (u, v)`` still has ``u`` and ``v`` in one strong component of R (or is a
    self-loop). Since R is a subgraph of the graph in which the sequential rule
    looks at ``e_k``, such an edge would also have been dropped by it. The longest
    checked prefix is committed (``e_1`` always: it is the weakest edge of its
    component, so it is on a cycle); the rest is put back and the batch size adapts.
    """
    batch = 1
    while True:
        edges = W != 0
        n_components, labels = _strong_components(edges)
        same = labels[:, None] == labels[None, :]
        candidates = edges & same & ~required
        if not candidates.any():
            break
        rows, cols = np.nonzero(candidates)  # row-major order, used for ties
        order = np.argsort(magnitude[rows, cols], kind="stable")
        rows, cols = rows[order], cols[order]
        t = min(batch, rows.size)
        saved = W[rows[:t], cols[:t]].copy()
        W[rows[:t], cols[:t]] = 0.0
        if t > 1:
            _, reduced = _strong_components(W != 0)
            ok = (reduced[rows[1:t]] == reduced[cols[1:t]]) | (rows[1:t] == cols[1:t])
            failed = np.flatnonzero(~ok)
            if failed.size:
                keep = 1 + int(failed[0])  # edges e_1 .. e_keep are committed
                W[rows[keep:t], cols[keep:t]] = saved[keep:]
                batch = max(1, keep // 2 if keep > 1 else batch // 4)
                continue
        batch = min(2 * batch, 4096)
