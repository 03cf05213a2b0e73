"""Markov equivalence classes: CPDAGs, Meek's orientation rules, DAG extensions.

A partially directed graph (PDAG) is stored like any graph of the package: a
directed edge ``i -> j`` has only ``[i, j]`` nonzero, an undirected edge ``i - j``
has both ``[i, j]`` and ``[j, i]`` nonzero.

* :func:`dag_to_cpdag` gives the completed PDAG (CPDAG, or essential graph) that
  represents the Markov equivalence class of a DAG: the skeleton, the v-structures,
  and every edge those compel by Meek's rules (Meek, 1995; Chickering, 1995/2002;
  Andersson, Madigan & Perlman, 1997).
* :func:`apply_meek_rules` closes a PDAG under Meek's rules R1-R4.
* :func:`pdag_to_dag` gives one DAG in the class of a PDAG (Dor & Tarsi, 1992).

References
----------
C. Meek, "Causal inference and causal explanation with background knowledge",
UAI 1995.
D. M. Chickering, "A transformational characterization of equivalent Bayesian
network structures", UAI 1995.
D. M. Chickering, "Learning equivalence classes of Bayesian-network structures",
JMLR 2, 2002.
D. Dor and M. Tarsi, "A simple algorithm to construct a consistent extension of a
partially oriented graph", Technical Report R-185, Cognitive Systems Laboratory,
UCLA, 1992.
"""

from __future__ import annotations

import heapq

import numpy as np

from skcausal.graph._dag import _check_adjacency, _cycle_message, find_cycle
from skcausal.graph._knowledge import knowledge_masks, orient_by_knowledge

__all__ = ["apply_meek_rules", "dag_to_cpdag", "pdag_to_dag"]


def _check_pdag(pdag, name: str = "pdag") -> tuple[np.ndarray, np.ndarray]:
    """Validated float copy of a PDAG and its boolean edge matrix (no self-loops)."""
    values = _check_adjacency(pdag, name).astype(np.float64, copy=True)
    edges = values != 0
    loops = np.flatnonzero(np.diagonal(edges))
    if loops.size:
        raise ValueError(
            f"{name} has a self-loop at node {int(loops[0])}; a PDAG has none."
        )
    return values, edges


def _as_num(mask: np.ndarray) -> np.ndarray:
    """0/1 float copy, so that path counts ``mask @ mask`` go through BLAS (exact
    for any realistic d, well below 2**53)."""
    return mask.astype(np.float64)


# ----------------------------------------------------------------------------------
# Meek's rules. Each rule gets the current boolean edge matrix and returns a boolean
# matrix ``orient`` with ``orient[a, b]`` True when the undirected edge a - b must
# become a -> b. Notation: D directed (a -> b only), U undirected, A adjacent.
# ----------------------------------------------------------------------------------
def _parts(P: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    undirected = P & P.T
    directed = P & ~P.T
    adjacent = P | P.T
    return directed, undirected, adjacent


def _meek_rule1(P: np.ndarray) -> np.ndarray:
    """R1: ``c -> a - b`` with ``c``, ``b`` non-adjacent gives ``a -> b``.

    Otherwise ``c -> a <- b`` would be a new v-structure.
    """
    D, U, A = _parts(P)
    return U & ((_as_num(D.T) @ _as_num(~A)) > 0)


def _meek_rule2(P: np.ndarray) -> np.ndarray:
    """R2: ``a -> c -> b`` with ``a - b`` gives ``a -> b`` (else a directed cycle)."""
    D, U, _ = _parts(P)
    return U & ((_as_num(D) @ _as_num(D)) > 0)


def _meek_rule3(P: np.ndarray) -> np.ndarray:
    """R3: ``a - c -> b`` and ``a - e -> b`` with ``c``, ``e`` non-adjacent and
    ``a - b`` give ``a -> b``.

    Otherwise ``b -> a`` would force ``c -> a`` and ``e -> a`` (no cycle), a new
    v-structure ``c -> a <- e``.
    """
    D, U, A = _parts(P)
    orient = np.zeros_like(P)
    # only edges with at least two such middle nodes can qualify
    rows, cols = np.nonzero(U & ((_as_num(U) @ _as_num(D)) >= 2))
    for a, b in zip(rows, cols, strict=True):
        middle = np.flatnonzero(U[a] & D[:, b])
        block = A[np.ix_(middle, middle)]
        np.fill_diagonal(block, True)
        orient[a, b] = not block.all()
    return orient


def _meek_rule4(P: np.ndarray) -> np.ndarray:
    """R4: ``a - c -> e -> b`` with ``a`` adjacent to ``e``, ``c`` and ``b``
    non-adjacent, and ``a - b`` give ``a -> b``.

    Otherwise ``b -> a`` forces ``e -> a`` and then ``c -> a`` (no cycles), a new
    v-structure ``c -> a <- b``. Needed only when some orientations come from
    background knowledge rather than from v-structures.
    """
    D, U, A = _parts(P)
    orient = np.zeros_like(P)
    # prefilter: some e with e -> b and e adjacent to a, and some c with a - c
    hint = (_as_num(A) @ _as_num(D)) > 0
    rows, cols = np.nonzero(U & hint & U.any(axis=1)[:, None])
    for a, b in zip(rows, cols, strict=True):
        ends = np.flatnonzero(D[:, b] & A[a])
        starts = np.flatnonzero(U[a] & ~A[:, b])
        starts = starts[starts != b]
        if ends.size and starts.size:
            orient[a, b] = bool(D[np.ix_(starts, ends)].any())
    return orient


_MEEK_RULES = (_meek_rule1, _meek_rule2, _meek_rule3, _meek_rule4)


def _orient(P: np.ndarray, orient: np.ndarray) -> None:
    """Turn each ``a - b`` with ``orient[a, b]`` into ``a -> b`` in place.

    If a rule asks for both directions of one edge (possible only when the input
    PDAG has no consistent extension) the edge keeps ``min -> max``.
    """
    conflict = orient & orient.T
    orient = (orient & ~conflict) | np.triu(conflict)
    P[orient.T] = False


def _propagate_rule1(P: np.ndarray) -> bool:
    """Apply R1 to its fixpoint in place with a worklist; True if anything changed.

    Equivalent to repeating :func:`_meek_rule1` until it stops firing, but each
    new arrow ``a -> b`` only looks at the undirected edges at ``b``, so a long
    chain of propagations costs no matrix product per step.
    """
    adjacent = P | P.T
    work = [tuple(edge) for edge in np.argwhere(P & ~P.T)]
    changed = False
    while work:
        a, b = work.pop()
        for c in np.flatnonzero(P[b] & P[:, b] & ~adjacent[a]):
            if c != a and P[c, b]:  # still undirected
                P[c, b] = False
                work.append((b, int(c)))
                changed = True
    return changed


def _meek_closure(P: np.ndarray, rules=_MEEK_RULES) -> np.ndarray:
    """Apply the rules to a boolean PDAG until none fires (in place, returned).

    R1, the rule that fires most, is run to its own fixpoint by local propagation
    before the other rules are tried; the fixpoint reached is the same.
    """
    others = [rule for rule in rules if rule is not _meek_rule1]
    use_rule1 = len(others) < len(rules)
    changed = True
    while changed:
        if use_rule1:
            _propagate_rule1(P)
        changed = False
        for rule in others:
            orient = rule(P)
            if orient.any():
                _orient(P, orient)
                changed = True
    return P


def _meek_closure_simultaneous(P: np.ndarray) -> np.ndarray:
    """Order-independent closure under R1-R4 (in place, returned).

    Every round evaluates all four rules on the same graph and applies their
    orientations together; an edge that the rules would orient both ways (possible
    only when the PDAG has no consistent extension, e.g. from conflicting tests) is
    left undirected in that round. Each round is a function of the graph alone,
    so relabelling the nodes relabels the result (Colombo & Maathuis, 2014, sec.
    5). On a PDAG with a consistent extension the fixpoint equals that of
    :func:`_meek_closure`, Meek's closure being unique.
    """
    while True:
        orient = np.zeros_like(P)
        for rule in _MEEK_RULES:
            orient |= rule(P)
        orient &= ~orient.T
        if not orient.any():
            return P
        P[orient.T] = False


def apply_meek_rules(
    pdag,
    *,
    required_edges=None,
    forbidden_edges=None,
    tiers=None,
    feature_names=None,
) -> np.ndarray:
    """Orient every undirected edge that Meek's rules R1-R4 compel.

    The rules are applied until none of them fires (a fixpoint). For the pattern of
    a DAG (its skeleton and v-structures) the result is its CPDAG; for a PDAG that
    also carries orientations from background knowledge the result is the
    maximally oriented PDAG (Meek, 1995, Theorems 2-4).

    Background knowledge is applied first: an edge ``i - j`` with ``i -> j``
    required, or with ``j -> i`` forbidden (directly or by the tiers), is oriented
    ``i -> j``; then the rules run. They only orient undirected edges, so the
    result respects the knowledge.

    * R1: ``c -> a - b``, ``c`` and ``b`` non-adjacent: orient ``a -> b``.
    * R2: ``a -> c -> b`` and ``a - b``: orient ``a -> b``.
    * R3: ``a - c -> b``, ``a - e -> b``, ``c`` and ``e`` non-adjacent, ``a - b``:
      orient ``a -> b``.
    * R4: ``a - c -> e -> b``, ``a`` adjacent to ``e``, ``c`` and ``b``
      non-adjacent, ``a - b``: orient ``a -> b``.

    Parameters
    ----------
    pdag : array-like of shape (d, d)
        A partially directed graph: ``i -> j`` has only ``[i, j]`` nonzero, an
        undirected ``i - j`` has both entries nonzero. No self-loops.
    required_edges : None, bool mask of shape (d, d) or iterable of pairs, \
            default=None
        Edges ``i -> j`` that must be in the graph, directed so; each must be an
        edge of ``pdag`` (in either direction of an undirected edge).
    forbidden_edges : None, bool mask of shape (d, d) or iterable of pairs, \
            default=None
        Orientations ``i -> j`` that must not appear.
    tiers : array-like of int of shape (d,), default=None
        Temporal tiers: an edge from a later tier into an earlier one is forbidden.
    feature_names : sequence of str, default=None
        Node names, so that edge pairs may name nodes.

    Returns
    -------
    ndarray of shape (d, d), dtype float64
        A new array: the input values with the entry ``[b, a]`` zeroed for every
        edge oriented ``a -> b``.

    Raises
    ------
    ValueError
        For self-loops, and for knowledge that contradicts itself (an edge both
        required and forbidden, a required edge against the tiers) or the PDAG (a
        required edge missing or directed the other way, a forbidden edge that is
        directed).

    See Also
    --------
    dag_to_cpdag : The CPDAG of a DAG.
    pdag_to_dag : A DAG in the class of a PDAG.

    References
    ----------
    C. Meek, "Causal inference and causal explanation with background knowledge",
    UAI 1995.

    Examples
    --------
    R1 orients ``1 - 2`` away from the arrow into ``1``:

    >>> import numpy as np
    >>> from skcausal.graph import apply_meek_rules
    >>> P = np.zeros((3, 3))
    >>> P[0, 1] = 1.0  # 0 -> 1
    >>> P[1, 2] = P[2, 1] = 1.0  # 1 - 2
    >>> apply_meek_rules(P)
    array([[0., 1., 0.],
           [0., 0., 1.],
           [0., 0., 0.]])

    With tiers, ``2`` comes before ``1``, so ``2 -> 1``; R1 then gives ``1 -> 0``
    (``2 -> 1 <- 0`` would be a new v-structure):

    >>> P = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])  # 0 - 1 - 2
    >>> apply_meek_rules(P, tiers=[1, 1, 0]).astype(int)
    array([[0, 0, 0],
           [1, 0, 0],
           [0, 1, 0]])
    """
    values, P = _check_pdag(pdag)
    if required_edges is not None or forbidden_edges is not None or tiers is not None:
        required, forbidden = knowledge_masks(
            P.shape[0],
            required_edges=required_edges,
            forbidden_edges=forbidden_edges,
            tiers=tiers,
            feature_names=feature_names,
        )
        orient_by_knowledge(P, required, forbidden)
    _meek_closure(P)
    values[~P] = 0.0
    return values


def _v_structure_arrows(A: np.ndarray) -> np.ndarray:
    """Edges ``i -> k`` of a DAG that are part of a v-structure ``i -> k <- j``."""
    adjacent = A | A.T
    non_adjacent = ~adjacent
    np.fill_diagonal(non_adjacent, False)
    # i -> k is in a v-structure when some other parent j of k is not adjacent to i
    return A & ((_as_num(non_adjacent) @ _as_num(A)) > 0)


def dag_to_cpdag(adjacency) -> np.ndarray:
    """Return the CPDAG (essential graph) of a DAG's Markov equivalence class.

    Two DAGs are Markov equivalent when they have the same skeleton and the same
    v-structures (Verma & Pearl, 1990). The CPDAG keeps the skeleton, directs the
    edges that point the same way in every DAG of the class (compelled edges) and
    leaves the others undirected. It is built by orienting the v-structures
    ``i -> k <- j`` (``i`` and ``j`` non-adjacent) and closing under Meek's rules,
    which Meek (1995) showed yields exactly the edges Chickering (1995)
    characterises as compelled.

    Parameters
    ----------
    adjacency : array-like of shape (d, d)
        A DAG; ``adjacency[i, j] != 0`` is the edge ``i -> j``. Weights are ignored.

    Returns
    -------
    cpdag : ndarray of shape (d, d), dtype float64
        0/1 matrix; a compelled edge ``i -> j`` has ``[i, j] = 1``, a reversible edge
        ``i - j`` has ``[i, j] = [j, i] = 1``.

    Raises
    ------
    ValueError
        If ``adjacency`` is not a DAG (the message names a cycle).

    See Also
    --------
    apply_meek_rules : Meek's rules R1-R4 on any PDAG.
    pdag_to_dag : Back from a CPDAG to one member DAG.

    References
    ----------
    T. Verma and J. Pearl, "Equivalence and synthesis of causal models", UAI 1990.
    C. Meek, "Causal inference and causal explanation with background knowledge",
    UAI 1995.
    D. M. Chickering, "A transformational characterization of equivalent Bayesian
    network structures", UAI 1995; "Learning equivalence classes of
    Bayesian-network structures", JMLR 2, 2002.

    Examples
    --------
    A chain is reversible, a collider is compelled:

    >>> import numpy as np
    >>> from skcausal.graph import dag_to_cpdag
    >>> chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> dag_to_cpdag(chain)
    array([[0., 1., 0.],
           [1., 0., 1.],
           [0., 1., 0.]])
    >>> collider = np.array([[0, 0, 1], [0, 0, 1], [0, 0, 0]])
    >>> dag_to_cpdag(collider)
    array([[0., 0., 1.],
           [0., 0., 1.],
           [0., 0., 0.]])
    """
    A = _check_adjacency(adjacency) != 0
    cycle = find_cycle(A)
    if cycle is not None:
        raise ValueError(
            "dag_to_cpdag needs a DAG; the graph has the cycle "
            f"{_cycle_message(cycle)}."
        )
    P = A | A.T
    P[_v_structure_arrows(A).T] = False
    _meek_closure(P)
    return P.astype(np.float64)


def pdag_to_dag(pdag) -> np.ndarray:
    """Return a DAG that extends a PDAG (Dor & Tarsi, 1992).

    The extension keeps every directed edge, orients every undirected edge, and
    creates neither a directed cycle nor a v-structure that the PDAG does not
    have. For a CPDAG the result is therefore a member of its Markov equivalence
    class.

    The algorithm repeatedly picks a node ``x`` (the smallest index that
    qualifies, so the result is deterministic) that (a) has no outgoing directed
    edge among the remaining nodes and (b) whose undirected neighbours are each
    adjacent to all other neighbours of ``x``; it orients all undirected edges at
    ``x`` into ``x`` and removes ``x``. When no node qualifies, no extension exists.

    Parameters
    ----------
    pdag : array-like of shape (d, d)
        ``i -> j`` has only ``[i, j]`` nonzero; ``i - j`` has both entries nonzero.

    Returns
    -------
    dag : ndarray of shape (d, d), dtype float64
        A new array: the input values with one direction of each undirected edge
        zeroed.

    Raises
    ------
    ValueError
        If the PDAG has no consistent extension (for instance a directed cycle, or
        an undirected 4-cycle with no chord).

    References
    ----------
    D. Dor and M. Tarsi, "A simple algorithm to construct a consistent extension of
    a partially oriented graph", Technical Report R-185, Cognitive Systems
    Laboratory, UCLA, 1992.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import pdag_to_dag
    >>> P = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])  # 0 - 1 - 2
    >>> pdag_to_dag(P)
    array([[0., 0., 0.],
           [1., 0., 0.],
           [0., 1., 0.]])
    """
    values, P = _check_pdag(pdag)
    result = P.copy()
    live = P.copy()  # the PDAG induced on the nodes not yet removed
    remaining = np.ones(P.shape[0], dtype=bool)
    # Removing x only changes the status of x's neighbours, so the qualifying nodes
    # are kept in a heap (smallest first) and only neighbours are re-checked.
    heap = [int(x) for x in range(P.shape[0]) if _extension_sink(live, x)]
    heapq.heapify(heap)
    while remaining.any():
        while heap and not (remaining[heap[0]] and _extension_sink(live, heap[0])):
            heapq.heappop(heap)
        if not heap:
            raise ValueError(
                "the PDAG has no consistent DAG extension: orienting its undirected "
                "edges would create a directed cycle or a new v-structure "
                f"(stuck with nodes {np.flatnonzero(remaining).tolist()} left)."
            )
        x = heapq.heappop(heap)
        # orient every y - x as y -> x, i.e. drop x -> y, then remove x
        result[x, np.flatnonzero(live[x] & live[:, x])] = False
        neighbours = np.flatnonzero(live[x] | live[:, x])
        live[x, :] = False
        live[:, x] = False
        remaining[x] = False
        for y in neighbours:
            if _extension_sink(live, int(y)):
                heapq.heappush(heap, int(y))
    values[~result] = 0.0
    return values


def _extension_sink(live: np.ndarray, x: int) -> bool:
    """Dor-Tarsi condition: ``x`` has no outgoing arrow and each undirected
    neighbour of ``x`` is adjacent to every other neighbour of ``x``."""
    out, into = live[x], live[:, x]
    if (out & ~into).any():
        return False
    neighbours = np.flatnonzero(out | into)
    undirected = np.flatnonzero(out & into)
    if undirected.size == 0:
        return True
    block = live[np.ix_(undirected, neighbours)]
    block |= live[np.ix_(neighbours, undirected)].T
    block[undirected[:, None] == neighbours[None, :]] = True
    return bool(block.all())
