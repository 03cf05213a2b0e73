"""Background knowledge for partially directed graphs: required and forbidden
edges and tiers (a temporal order).

Knowledge is reduced to two boolean masks, ``required[i, j]`` (the edge ``i -> j``
must be in the graph) and ``forbidden[i, j]`` (``i -> j`` must not be); tiers add
``forbidden[j, i]`` for every ``tier[i] < tier[j]`` (a later variable never causes
an earlier one). On a PDAG, knowledge is applied before Meek's rules: an adjacent
pair with ``i -> j`` required becomes ``i -> j``, an undirected ``i - j`` with
``i -> j`` forbidden becomes ``j -> i``. Meek (UAI 1995) shows that closing such a
pattern under R1-R4 gives the maximally oriented graph consistent with the
knowledge; the rules only orient undirected edges, so the knowledge survives.
"""

from __future__ import annotations

import numpy as np

from skcausal.graph._dag import edges_to_mask, find_cycle

__all__: list[str] = []


def _label(k: int, names) -> str:
    return repr(names[k]) if names is not None else str(k)


def _check_tiers(tiers, n_nodes: int) -> np.ndarray | None:
    if tiers is None:
        return None
    arr = np.asarray(tiers)
    if arr.shape != (n_nodes,):
        raise ValueError(
            f"tiers must give one tier per node, shape ({n_nodes},); got shape "
            f"{arr.shape}."
        )
    if arr.dtype.kind not in "iu":
        if (
            arr.dtype.kind == "f"
            and np.all(np.isfinite(arr))
            and np.all(arr == np.round(arr))
        ):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(
                f"tiers must be integers (0 = earliest); got dtype {arr.dtype}."
            )
    return arr.astype(np.int64)


def knowledge_masks(
    n_nodes: int,
    *,
    required_edges=None,
    forbidden_edges=None,
    tiers=None,
    feature_names=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Validate background knowledge and return ``(required, forbidden)`` masks.

    Parameters
    ----------
    n_nodes : int
        Number of nodes ``d``.
    required_edges, forbidden_edges : None, bool mask of shape (d, d) or iterable \
            of pairs
        Edges ``i -> j`` (see :func:`skcausal.graph.edges_to_mask`).
    tiers : array-like of int of shape (d,), default=None
        Tier of every node; an edge from a later tier to an earlier one is
        forbidden. Edges within a tier are allowed.
    feature_names : sequence of str, default=None
        Names that pairs may use instead of indices.

    Returns
    -------
    required, forbidden : ndarray of shape (d, d), dtype bool
        ``forbidden`` includes the edges that ``tiers`` forbid.

    Raises
    ------
    ValueError
        An edge both required and forbidden, a required edge that goes against the
        tiers, required edges with a directed cycle, self-loops, wrong shapes.
    """
    names = None if feature_names is None else [str(f) for f in feature_names]
    required = edges_to_mask(required_edges, n_nodes, feature_names=names)
    forbidden = edges_to_mask(forbidden_edges, n_nodes, feature_names=names)
    for mask, what in ((required, "required_edges"), (forbidden, "forbidden_edges")):
        loops = np.flatnonzero(np.diagonal(mask))
        if loops.size:
            node = _label(int(loops[0]), names)
            raise ValueError(f"{what} contains the self-loop {node} -> {node}.")
    both = np.argwhere(required & forbidden)
    if both.size:
        i, j = (_label(int(k), names) for k in both[0])
        raise ValueError(f"The edge {i} -> {j} is both required and forbidden.")
    tier = _check_tiers(tiers, n_nodes)
    if tier is not None:
        backwards = tier[:, None] > tier[None, :]  # i later than j: i -> j forbidden
        clash = np.argwhere(required & backwards)
        if clash.size:
            i, j = (int(k) for k in clash[0])
            raise ValueError(
                f"The required edge {_label(i, names)} -> {_label(j, names)} "
                f"contradicts the tiers: tier {tier[i]} of {_label(i, names)} is "
                f"later than tier {tier[j]} of {_label(j, names)}."
            )
        forbidden = forbidden | backwards
    cycle = find_cycle(required)
    if cycle is not None:
        path = " -> ".join(_label(int(k), names) for k in [*cycle, cycle[0]])
        raise ValueError(f"required_edges contain the directed cycle {path}.")
    return required, forbidden


def orient_by_knowledge(
    P: np.ndarray, required: np.ndarray, forbidden: np.ndarray
) -> None:
    """Orient the edges of a boolean PDAG that knowledge decides (in place).

    Raises ValueError when the PDAG contradicts the knowledge: a required edge that
    is missing or points the other way, or a forbidden edge that is directed.
    """
    undirected = P & P.T
    directed = P & ~P.T
    missing = np.argwhere(required & ~(P | P.T))
    if missing.size:
        i, j = (int(k) for k in missing[0])
        raise ValueError(f"The required edge {i} -> {j} is not in the graph.")
    reversed_ = np.argwhere(required & directed.T)
    if reversed_.size:
        i, j = (int(k) for k in reversed_[0])
        raise ValueError(
            f"The required edge {i} -> {j} is directed {j} -> {i} in the graph."
        )
    bad = np.argwhere(forbidden & directed)
    if bad.size:
        i, j = (int(k) for k in bad[0])
        raise ValueError(f"The graph contains the forbidden edge {i} -> {j}.")
    # required i -> j and forbidden j -> i both drop the entry [j, i]
    drop = undirected & (required.T | forbidden)
    both_ways = drop & drop.T
    if both_ways.any():
        i, j = (int(k) for k in np.argwhere(both_ways)[0])
        raise ValueError(
            f"Background knowledge forbids both directions of the edge {i} - {j} "
            "that the graph contains."
        )
    P[drop] = False


def knowledge_violations(
    P: np.ndarray, required: np.ndarray, forbidden: np.ndarray
) -> list[str]:
    """Describe every way in which a PDAG breaks the knowledge (empty if none).

    A required ``i -> j`` must be present and directed; a forbidden ``i -> j`` must
    be absent as a directed edge and as an undirected one (an undirected edge
    allows both directions).
    """
    P = np.asarray(P) != 0
    problems = []
    for i, j in np.argwhere(required & ~(P & ~P.T)):
        problems.append(f"required edge {int(i)} -> {int(j)} is not directed so")
    for i, j in np.argwhere(forbidden & P):
        problems.append(f"forbidden edge {int(i)} -> {int(j)} is allowed")
    return problems
