"""Identification of a causal effect on a DAG: adjustment sets and the front door.

For a single source ``x`` and target ``y`` of a DAG ``G`` this module answers
"which observed variables must an estimator use so that the observational data
give ``P(y | do(x))``?":

* :func:`is_valid_adjustment_set` checks a set ``Z`` against the generalised
  adjustment criterion (Shpitser, VanderWeele & Robins, 2010; Perković et al.,
  2018) or against Pearl's back-door criterion (Pearl, 1993).
* :func:`minimal_adjustment_set` finds a valid set none of whose proper subsets is
  valid; :func:`optimal_adjustment_set` gives the set ``O(x, y)`` of Henckel,
  Perković & Maathuis (2022), whose adjusted estimator has the smallest asymptotic
  variance among all valid sets.
* :func:`is_frontdoor_set` and :func:`frontdoor_set` handle Pearl's front-door
  criterion, which identifies the effect through mediators even when the
  confounding of ``x`` and ``y`` is unobserved.
* :func:`identify` picks the strategy and explains when none applies.

Nodes that are not observed are declared with ``latent``: they stay in the graph
(so that, for instance, an unobserved confounder of the front-door model can be
drawn) but no adjustment or mediator set ever contains them.

Notation. ``De(v)`` are the descendants of ``v``, ``An(v)`` its ancestors. The
causal nodes ``cn(x, y)`` are the nodes other than ``x`` on a directed path from
``x`` to ``y`` (``y`` included); the forbidden nodes are
``forb(x, y) = De(cn(x, y)) ∪ cn(x, y) ∪ {x}``. The proper back-door graph is ``G``
without the edges ``x -> w`` for ``w`` in ``cn(x, y)``.

References
----------
J. Pearl, "Comment: graphical models, causality and intervention", Statistical
Science 8(3), 1993.
J. Pearl, "Causal diagrams for empirical research", Biometrika 82(4), 1995.
J. Pearl, "Causality", 2nd edition, Cambridge University Press, 2009, Sections
3.3.1-3.3.2.
I. Shpitser, T. VanderWeele and J. M. Robins, "On the validity of covariate
adjustment for estimating causal effects", UAI 2010.
B. van der Zander, M. Liśkiewicz and J. Textor, "Constructing separators and
adjustment sets in ancestral graphs", UAI 2014.
E. Perković, J. Textor, M. Kalisch and M. H. Maathuis, "Complete graphical
characterization and construction of adjustment sets in Markov equivalence
classes of ancestral graphs", JMLR 18(220), 2018.
L. Henckel, E. Perković and M. H. Maathuis, "Graphical criteria for efficient total
effect estimation via adjustment in causal linear models", JRSS-B 84(2), 2022.
H. Jeong, J. Tian and E. Bareinboim, "Finding and listing front-door adjustment
sets", NeurIPS 2022.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skcausal.graph._dag import (
    _check_adjacency,
    _check_node,
    _cycle_message,
    _reach,
    find_cycle,
)
from skcausal.graph._dsep import _node_set, d_separated

__all__ = [
    "Identification",
    "frontdoor_set",
    "identify",
    "is_frontdoor_set",
    "is_valid_adjustment_set",
    "minimal_adjustment_set",
    "optimal_adjustment_set",
]

_CRITERIA = ("adjustment", "backdoor")


# ----------------------------------------------------------------------------------
# Validation and graph pieces
# ----------------------------------------------------------------------------------
def _check_dag(graph) -> np.ndarray:
    """Boolean edge matrix of a DAG; a ValueError naming a cycle otherwise."""
    A = _check_adjacency(graph, "graph") != 0
    cycle = find_cycle(A)
    if cycle is not None:
        raise ValueError(
            "graph must be a DAG (an undirected CPDAG edge counts as a 2-cycle); it "
            f"has the cycle {_cycle_message(cycle)}."
        )
    return A


def _check_pair(source, target, n_nodes: int) -> tuple[int, int]:
    source = _check_node(source, n_nodes, "source")
    target = _check_node(target, n_nodes, "target")
    if source == target:
        raise ValueError(
            f"source and target must be different nodes; both are {source}."
        )
    return source, target


def _check_latent(latent, n_nodes: int, source: int, target: int) -> set[int]:
    if latent is None:
        return set()
    nodes = _node_set(latent, n_nodes, "latent")
    for name, node in (("source", source), ("target", target)):
        if node in nodes:
            raise ValueError(
                f"latent contains the {name} node {node}; the {name} must be observed."
            )
    return nodes


def _check_set(nodes, n_nodes: int, name: str, source: int, target: int) -> set[int]:
    nodes = _node_set(nodes, n_nodes, name)
    for role, node in (("source", source), ("target", target)):
        if node in nodes:
            raise ValueError(f"{name} must not contain the {role} node {node}.")
    return nodes


def _check_criterion(criterion) -> str:
    if criterion not in _CRITERIA:
        raise ValueError(f"criterion must be one of {_CRITERIA}; got {criterion!r}.")
    return criterion


def _descendants_of(A: np.ndarray, nodes) -> set[int]:
    """Proper descendants of a set of nodes (nodes of the set reached again count)."""
    nodes = list(nodes)
    if not nodes:
        return set()
    return {int(v) for v in np.flatnonzero(_reach(A, nodes))}


def _ancestors_of(A: np.ndarray, nodes) -> set[int]:
    return _descendants_of(A.T, nodes)


def _causal_nodes(A: np.ndarray, source: int, target: int) -> set[int]:
    """cn(x, y): nodes other than x on a directed path from x to y (y included)."""
    down = _descendants_of(A, [source])
    if target not in down:
        return set()
    return (down & _ancestors_of(A, [target])) | {target}


def _forbidden(A: np.ndarray, source: int, target: int, criterion: str) -> set[int]:
    if criterion == "backdoor":
        return _descendants_of(A, [source]) | {source}
    causal = _causal_nodes(A, source, target)
    return causal | _descendants_of(A, causal) | {source}


def _separating_graph(A: np.ndarray, source: int, target: int, criterion: str):
    """The graph in which a valid set must d-separate source and target.

    Back-door: every edge out of the source is removed. Generalised adjustment: only
    the first edges of the causal paths, ``x -> w`` with ``w`` a causal node (the
    proper back-door graph of van der Zander et al., 2014).
    """
    cut = A.copy()
    if criterion == "backdoor":
        cut[source, :] = False
    else:
        causal = sorted(_causal_nodes(A, source, target))
        cut[source, causal] = False
    return cut


def _valid(A, cut, forbidden, source, target, Z: set[int]) -> bool:
    return not (Z & forbidden) and d_separated(cut, source, target, sorted(Z))


def _as_tuple(nodes) -> tuple[int, ...]:
    return tuple(sorted(int(v) for v in nodes))


# ----------------------------------------------------------------------------------
# Adjustment sets
# ----------------------------------------------------------------------------------
def is_valid_adjustment_set(
    graph, source: int, target: int, adjustment_set, *, criterion: str = "adjustment"
) -> bool:
    """Tell whether adjusting for a set of nodes identifies the effect of a source.

    A set ``Z`` is a valid adjustment set for ``(x, y)`` when
    ``P(y | do(x)) = sum_z P(y | x, z) P(z)`` holds in every distribution that is
    Markov to the DAG.

    Parameters
    ----------
    graph : array-like of shape (d, d)
        A DAG; ``graph[i, j] != 0`` is the edge ``i -> j``.
    source, target : int
        The treatment node ``x`` and the outcome node ``y`` (different).
    adjustment_set : iterable of int
        The candidate set ``Z`` (may be empty); it must not contain ``source`` or
        ``target``.
    criterion : {"adjustment", "backdoor"}, default="adjustment"
        ``"adjustment"``: the generalised adjustment criterion, which is necessary
        and sufficient (Shpitser et al., 2010; Perković et al., 2018): ``Z``
        contains no forbidden node (a descendant of a node on a causal path from
        ``x`` to ``y``, see the module notation) and ``Z`` d-separates ``x`` and
        ``y`` in the proper back-door graph. ``"backdoor"``: Pearl's back-door
        criterion, which is sufficient only: ``Z`` contains no descendant of ``x``
        and d-separates ``x`` and ``y`` once every edge out of ``x`` is removed.
        Every back-door set is an adjustment set.

    Returns
    -------
    bool
        True when ``Z`` satisfies the criterion.

    Raises
    ------
    ValueError
        If the graph has a cycle, a node is out of range, ``source == target``, or
        ``adjustment_set`` contains the source or the target.

    See Also
    --------
    minimal_adjustment_set, optimal_adjustment_set, identify

    References
    ----------
    .. [1] J. Pearl, "Comment: graphical models, causality and intervention",
       Statistical Science 8(3), 1993.
    .. [2] I. Shpitser, T. VanderWeele and J. M. Robins, "On the validity of
       covariate adjustment for estimating causal effects", UAI 2010.
    .. [3] E. Perković, J. Textor, M. Kalisch and M. H. Maathuis, "Complete
       graphical characterization and construction of adjustment sets in Markov
       equivalence classes of ancestral graphs", JMLR 18(220), 2018.

    Examples
    --------
    The confounder ``0`` of ``1 -> 2`` must be adjusted for; the mediator ``3`` of
    ``1 -> 3 -> 2`` must not:

    >>> import numpy as np
    >>> from skcausal.graph import is_valid_adjustment_set
    >>> A = np.zeros((4, 4))
    >>> A[0, 1] = A[0, 2] = A[1, 2] = A[1, 3] = A[3, 2] = 1
    >>> is_valid_adjustment_set(A, 1, 2, [0])
    True
    >>> is_valid_adjustment_set(A, 1, 2, [])
    False
    >>> is_valid_adjustment_set(A, 1, 2, [0, 3])
    False
    """
    criterion = _check_criterion(criterion)
    A = _check_dag(graph)
    d = A.shape[0]
    source, target = _check_pair(source, target, d)
    Z = _check_set(adjustment_set, d, "adjustment_set", source, target)
    cut = _separating_graph(A, source, target, criterion)
    forbidden = _forbidden(A, source, target, criterion)
    return _valid(A, cut, forbidden, source, target, Z)


def _minimal_set(A, source, target, latent, criterion):
    """A minimal valid set among the observed nodes, or None (see the docstring)."""
    forbidden = _forbidden(A, source, target, criterion)
    cut = _separating_graph(A, source, target, criterion)
    allowed = set(range(A.shape[0])) - forbidden - latent - {source, target}
    Z = _ancestors_of(A, [source, target]) & allowed
    if not _valid(A, cut, forbidden, source, target, Z):
        return None
    # Drop nodes one at a time while the set stays valid; repeat, because removing a
    # node can close a collider path and make another node redundant.
    changed = True
    while changed:
        changed = False
        for node in sorted(Z):
            if _valid(A, cut, forbidden, source, target, Z - {node}):
                Z = Z - {node}
                changed = True
    return _as_tuple(Z)


def minimal_adjustment_set(
    graph, source: int, target: int, *, latent=None, criterion: str = "adjustment"
) -> tuple[int, ...] | None:
    """Find a minimal valid adjustment set of observed nodes.

    The search starts from the ancestors of ``{x, y}`` that are neither forbidden
    nor latent, a set that is valid whenever any valid set of observed nodes exists
    (van der Zander, Liśkiewicz & Textor, 2014), and removes nodes one at a time
    (lowest index first, repeated until nothing changes) while the set stays
    valid. No node of the result can be removed; the tests also check by
    exhaustive search that no proper subset is valid.

    Parameters
    ----------
    graph : array-like of shape (d, d)
        A DAG; ``graph[i, j] != 0`` is the edge ``i -> j``.
    source, target : int
        The treatment and outcome nodes.
    latent : iterable of int, default=None
        Unobserved nodes, never part of the set.
    criterion : {"adjustment", "backdoor"}, default="adjustment"
        Which criterion the set satisfies (see :func:`is_valid_adjustment_set`).

    Returns
    -------
    tuple of int or None
        The sorted nodes of the set (``()`` when no adjustment is needed), or None
        when no valid set of observed nodes exists.

    See Also
    --------
    optimal_adjustment_set : The most efficient valid set.
    is_valid_adjustment_set : The criterion.

    References
    ----------
    .. [1] B. van der Zander, M. Liśkiewicz and J. Textor, "Constructing separators
       and adjustment sets in ancestral graphs", UAI 2014.
    .. [2] J. Tian, A. Paz and J. Pearl, "Finding minimal d-separators", Technical
       Report R-254, UCLA, 1998.

    Examples
    --------
    In the M-graph ``1 <- 0 -> 3 <- 4 -> 2`` plus ``1 -> 2`` nothing needs
    adjusting, and the collider ``3`` alone would open a path:

    >>> import numpy as np
    >>> from skcausal.graph import minimal_adjustment_set
    >>> A = np.zeros((5, 5))
    >>> A[0, 1] = A[0, 3] = A[4, 3] = A[4, 2] = A[1, 2] = 1
    >>> minimal_adjustment_set(A, 1, 2)
    ()
    >>> minimal_adjustment_set(A, 1, 2, latent=[0, 4])
    ()
    """
    criterion = _check_criterion(criterion)
    A = _check_dag(graph)
    source, target = _check_pair(source, target, A.shape[0])
    latent = _check_latent(latent, A.shape[0], source, target)
    return _minimal_set(A, source, target, latent, criterion)


def _optimal_set(A, source, target, latent):
    causal = _causal_nodes(A, source, target)
    if not causal:
        return None
    forbidden = _forbidden(A, source, target, "adjustment")
    parents = {int(v) for v in np.flatnonzero(A[:, sorted(causal)].any(axis=1))}
    O = parents - forbidden
    if O & latent:
        return None
    cut = _separating_graph(A, source, target, "adjustment")
    if not _valid(A, cut, forbidden, source, target, O):
        return None
    return _as_tuple(O)


def optimal_adjustment_set(
    graph, source: int, target: int, *, latent=None
) -> tuple[int, ...] | None:
    """The optimal adjustment set ``O(x, y)`` of Henckel, Perković & Maathuis.

    ``O(x, y) = pa(cn(x, y)) \\ forb(x, y)``: the parents of the nodes on causal
    paths from ``x`` to ``y``, minus the forbidden nodes. When any valid
    adjustment set exists, ``O`` is valid, and the adjusted estimator built on it
    has the smallest asymptotic variance among all valid sets -- for ordinary
    least squares in linear models (Henckel et al., 2022) and for non-parametric
    (e.g. doubly robust) estimators as well (Rotnitzky & Smucler, 2020).

    Parameters
    ----------
    graph : array-like of shape (d, d)
        A DAG; ``graph[i, j] != 0`` is the edge ``i -> j``.
    source, target : int
        The treatment and outcome nodes.
    latent : iterable of int, default=None
        Unobserved nodes. When ``O`` contains one, it cannot be used and None is
        returned (a minimal set of observed nodes may still exist).

    Returns
    -------
    tuple of int or None
        The sorted nodes of ``O(x, y)``, or None when it does not exist: ``target``
        is not a descendant of ``source`` (the effect is zero; the set is defined
        for a causal path only), no valid adjustment set exists, or ``O`` holds a
        latent node.

    See Also
    --------
    minimal_adjustment_set : A valid set with no redundant node.

    References
    ----------
    .. [1] L. Henckel, E. Perković and M. H. Maathuis, "Graphical criteria for
       efficient total effect estimation via adjustment in causal linear models",
       Journal of the Royal Statistical Society B 84(2), 579-599, 2022.
    .. [2] A. Rotnitzky and E. Smucler, "Efficient adjustment sets for population
       average causal treatment effect estimation in graphical models", JMLR
       21(188), 2020.

    Examples
    --------
    A cause ``3`` of the outcome only is not needed for validity but makes the
    estimate more precise, so ``O`` keeps it next to the confounder ``0``:

    >>> import numpy as np
    >>> from skcausal.graph import minimal_adjustment_set, optimal_adjustment_set
    >>> A = np.zeros((4, 4))
    >>> A[0, 1] = A[0, 2] = A[1, 2] = A[3, 2] = 1
    >>> optimal_adjustment_set(A, 1, 2)
    (0, 3)
    >>> minimal_adjustment_set(A, 1, 2)
    (0,)
    """
    A = _check_dag(graph)
    source, target = _check_pair(source, target, A.shape[0])
    latent = _check_latent(latent, A.shape[0], source, target)
    return _optimal_set(A, source, target, latent)


# ----------------------------------------------------------------------------------
# Front door
# ----------------------------------------------------------------------------------
def _intercepts(A: np.ndarray, source: int, target: int, M: set[int]) -> bool:
    """Whether every directed path from source to target passes through M."""
    blocked = A.copy()
    blocked[sorted(M), :] = False
    return not _reach(blocked, [source])[target]


def _frontdoor_checks(A, source, target, M: set[int]) -> tuple[bool, bool, bool]:
    """The three conditions of the front-door criterion, in Pearl's order."""
    intercepts = _intercepts(A, source, target, M)
    no_source_backdoor = True
    if intercepts:
        cut_x = A.copy()
        cut_x[source, :] = False
        no_source_backdoor = d_separated(cut_x, source, sorted(M))
    cut_m = A.copy()
    cut_m[sorted(M), :] = False
    mediator_backdoor_blocked = d_separated(cut_m, sorted(M), target, [source])
    return intercepts, no_source_backdoor, mediator_backdoor_blocked


def is_frontdoor_set(graph, source: int, target: int, mediators) -> bool:
    """Tell whether a set of mediators satisfies Pearl's front-door criterion.

    A set ``M`` satisfies the front-door criterion relative to ``(x, y)`` when

    1. ``M`` intercepts every directed path from ``x`` to ``y``;
    2. there is no unblocked back-door path from ``x`` to ``M``: ``x`` and ``M``
       are d-separated once the edges out of ``x`` are removed;
    3. every back-door path from ``M`` to ``y`` is blocked by ``x``: ``M`` and ``y``
       are d-separated given ``x`` once the edges out of ``M`` are removed.

    Then ``P(y | do(x)) = sum_m P(m | x) sum_x' P(y | x', m) P(x')``, even when
    ``x`` and ``y`` share an unobserved cause (Pearl, 1995; 2009, Theorem 3.3.4).
    Conditions 2 and 3 are the rule-2 conditions of the do-calculus for
    ``P(m | do(x))`` and ``P(y | do(m))``.

    Parameters
    ----------
    graph : array-like of shape (d, d)
        A DAG, latent confounders included as nodes; ``graph[i, j] != 0`` is the
        edge ``i -> j``.
    source, target : int
        The treatment and outcome nodes.
    mediators : iterable of int
        The non-empty candidate set ``M``, without the source and the target.

    Returns
    -------
    bool
        True when ``M`` satisfies all three conditions.

    Raises
    ------
    ValueError
        If the graph has a cycle, a node is out of range, ``source == target``,
        ``mediators`` is empty or contains the source or the target.

    See Also
    --------
    frontdoor_set : Find such a set.

    References
    ----------
    .. [1] J. Pearl, "Causal diagrams for empirical research", Biometrika 82(4),
       669-688, 1995.
    .. [2] J. Pearl, "Causality", 2nd edition, Cambridge University Press, 2009,
       Section 3.3.2.

    Examples
    --------
    The classic front-door graph: ``x=0 -> m=1 -> y=2`` with an unobserved ``u=3``
    causing ``x`` and ``y``:

    >>> import numpy as np
    >>> from skcausal.graph import is_frontdoor_set
    >>> A = np.zeros((4, 4))
    >>> A[0, 1] = A[1, 2] = A[3, 0] = A[3, 2] = 1
    >>> is_frontdoor_set(A, 0, 2, [1])
    True
    >>> A[3, 1] = 1  # u also causes m: the criterion fails
    >>> is_frontdoor_set(A, 0, 2, [1])
    False
    """
    A = _check_dag(graph)
    source, target = _check_pair(source, target, A.shape[0])
    M = _check_set(mediators, A.shape[0], "mediators", source, target)
    if not M:
        raise ValueError("mediators must contain at least one node.")
    return all(_frontdoor_checks(A, source, target, M))


def _frontdoor_set(A, source, target, latent):
    cut_x = A.copy()
    cut_x[source, :] = False
    # Condition 2 node by node: candidates have no back-door path from the source.
    observed = set(range(A.shape[0])) - latent - {source, target}
    M = {v for v in observed if d_separated(cut_x, source, v)}
    # Condition 3: drop every candidate with an open back-door path to the target
    # given the source, until none is left. A node dropped here belongs to no valid
    # subset of the current set (its open path stays open in the graph of any
    # subset), so the fixpoint is the largest valid candidate set (the idea of
    # Jeong, Tian & Bareinboim, 2022).
    while M:
        cut_m = A.copy()
        cut_m[sorted(M), :] = False
        bad = {m for m in M if not d_separated(cut_m, m, target, [source])}
        if not bad:
            break
        M -= bad
    if not M or not _intercepts(A, source, target, M):
        return None
    # Condition 1 holds for the largest set; shrink it to a minimal one.
    changed = True
    while changed:
        changed = False
        for node in sorted(M):
            smaller = M - {node}
            if smaller and all(_frontdoor_checks(A, source, target, smaller)):
                M = smaller
                changed = True
    return _as_tuple(M)


def frontdoor_set(graph, source: int, target: int, *, latent=None):
    """Find a minimal set of observed mediators satisfying the front-door criterion.

    The candidates are the observed nodes with no back-door path from ``x``
    (condition 2 of :func:`is_frontdoor_set`); nodes with an open back-door path to
    ``y`` given ``x`` are removed until none is left (condition 3), which leaves the
    largest set meeting both conditions. If it intercepts every directed path from
    ``x`` to ``y`` (condition 1), nodes are then dropped one at a time while the
    criterion still holds. The search is complete: a front-door set of observed
    nodes exists if and only if one is returned.

    Parameters
    ----------
    graph : array-like of shape (d, d)
        A DAG, latent confounders included as nodes.
    source, target : int
        The treatment and outcome nodes.
    latent : iterable of int, default=None
        Unobserved nodes, never part of the set.

    Returns
    -------
    tuple of int or None
        The sorted mediators, or None when no front-door set exists.

    See Also
    --------
    is_frontdoor_set : The criterion.
    identify : Chooses between adjustment and the front door.

    References
    ----------
    .. [1] J. Pearl, "Causality", 2nd edition, 2009, Section 3.3.2.
    .. [2] H. Jeong, J. Tian and E. Bareinboim, "Finding and listing front-door
       adjustment sets", NeurIPS 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import frontdoor_set
    >>> A = np.zeros((4, 4))
    >>> A[0, 1] = A[1, 2] = A[3, 0] = A[3, 2] = 1
    >>> frontdoor_set(A, 0, 2, latent=[3])
    (1,)
    """
    A = _check_dag(graph)
    source, target = _check_pair(source, target, A.shape[0])
    latent = _check_latent(latent, A.shape[0], source, target)
    return _frontdoor_set(A, source, target, latent)


# ----------------------------------------------------------------------------------
# identify
# ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Identification:
    """How (and whether) the effect of ``source`` on ``target`` is identified.

    Returned by :func:`identify`.

    Attributes
    ----------
    strategy : {"no_effect", "backdoor", "frontdoor", "none"}
        ``"no_effect"``: no directed path from ``source`` to ``target``, so
        intervening on the source leaves the target's distribution unchanged.
        ``"backdoor"``: adjust for ``adjustment_set``
        (``P(y | do(x)) = sum_z P(y | x, z) P(z)``). ``"frontdoor"``: go through
        ``mediators`` with the front-door formula. ``"none"``: neither applies
        (see ``reason``); the effect may still be identified by other means of the
        do-calculus, which are not searched.
    source, target : int
        The nodes asked about.
    adjustment_set : tuple of int or None
        The set to adjust for: ``optimal_set`` when it exists, else
        ``minimal_set``. None unless ``strategy == "backdoor"``.
    optimal_set : tuple of int or None
        :func:`optimal_adjustment_set` (None when it does not exist).
    minimal_set : tuple of int or None
        :func:`minimal_adjustment_set` (None when no valid set exists).
    mediators : tuple of int or None
        The front-door set; None unless ``strategy == "frontdoor"``.
    latent : tuple of int
        The declared unobserved nodes.
    reason : str
        One sentence explaining the strategy.
    """

    strategy: str
    source: int
    target: int
    adjustment_set: tuple[int, ...] | None = None
    optimal_set: tuple[int, ...] | None = None
    minimal_set: tuple[int, ...] | None = None
    mediators: tuple[int, ...] | None = None
    latent: tuple[int, ...] = ()
    reason: str = ""

    @property
    def identified(self) -> bool:
        """True unless ``strategy == "none"``."""
        return self.strategy != "none"


def identify(graph, source: int, target: int, *, latent=None) -> Identification:
    """Decide how the causal effect of ``source`` on ``target`` can be estimated.

    The strategies are tried in this order:

    1. ``"no_effect"`` when ``target`` is not a descendant of ``source``;
    2. ``"backdoor"`` when a valid adjustment set of observed nodes exists
       (generalised adjustment criterion); the set used is the optimal set
       ``O(x, y)`` when it is observed, else a minimal set;
    3. ``"frontdoor"`` when a set of observed mediators satisfies the front-door
       criterion;
    4. ``"none"`` otherwise, with the reason.

    Parameters
    ----------
    graph : array-like of shape (d, d)
        A DAG; ``graph[i, j] != 0`` is the edge ``i -> j``. Unobserved variables
        may be nodes of the graph when they are listed in ``latent``.
    source, target : int
        The treatment and outcome nodes (different, both observed).
    latent : iterable of int, default=None
        Unobserved nodes: never adjusted for, never used as mediators.

    Returns
    -------
    Identification
        The strategy, the sets it uses and a sentence explaining it.

    Raises
    ------
    ValueError
        If the graph has a cycle, a node is out of range, ``source == target`` or
        the source or target is declared latent.

    See Also
    --------
    optimal_adjustment_set, minimal_adjustment_set, frontdoor_set
    skcausal.scm.estimate_effect : Estimate the identified effect from data.

    References
    ----------
    .. [1] J. Pearl, "Causality", 2nd edition, 2009, Sections 3.3.1-3.3.2.
    .. [2] E. Perković, J. Textor, M. Kalisch and M. H. Maathuis, "Complete
       graphical characterization and construction of adjustment sets in Markov
       equivalence classes of ancestral graphs", JMLR 18(220), 2018.
    .. [3] L. Henckel, E. Perković and M. H. Maathuis, "Graphical criteria for
       efficient total effect estimation via adjustment in causal linear models",
       JRSS-B 84(2), 2022.

    Examples
    --------
    The front-door graph ``x=0 -> m=1 -> y=2`` with the unobserved confounder
    ``u=3`` of ``x`` and ``y``:

    >>> import numpy as np
    >>> from skcausal.graph import identify
    >>> A = np.zeros((4, 4))
    >>> A[0, 1] = A[1, 2] = A[3, 0] = A[3, 2] = 1
    >>> identify(A, 0, 2).strategy  # u observed: adjust for it
    'backdoor'
    >>> identify(A, 0, 2).adjustment_set
    (3,)
    >>> result = identify(A, 0, 2, latent=[3])
    >>> result.strategy, result.mediators
    ('frontdoor', (1,))
    >>> identify(A, 2, 0).strategy
    'no_effect'
    """
    A = _check_dag(graph)
    d = A.shape[0]
    source, target = _check_pair(source, target, d)
    latent = _check_latent(latent, d, source, target)
    common = {"source": source, "target": target, "latent": _as_tuple(latent)}

    if not _causal_nodes(A, source, target):
        return Identification(
            strategy="no_effect",
            reason=(
                f"There is no directed path from {source} to {target}: intervening on "
                f"{source} does not change {target}."
            ),
            **common,
        )
    minimal = _minimal_set(A, source, target, latent, "adjustment")
    if minimal is not None:
        optimal = _optimal_set(A, source, target, latent)
        chosen = optimal if optimal is not None else minimal
        which = "optimal" if optimal is not None else "minimal"
        return Identification(
            strategy="backdoor",
            adjustment_set=chosen,
            optimal_set=optimal,
            minimal_set=minimal,
            reason=(
                f"Adjusting for the {which} set {list(chosen)} blocks every "
                f"non-causal path from {source} to {target}."
            ),
            **common,
        )
    mediators = _frontdoor_set(A, source, target, latent)
    if mediators is not None:
        return Identification(
            strategy="frontdoor",
            mediators=mediators,
            reason=(
                f"No observed set blocks the confounding of {source} and {target}, "
                f"but the mediators {list(mediators)} satisfy the front-door "
                "criterion."
            ),
            **common,
        )
    confounders = sorted(latent & _ancestors_of(A, [source, target]))
    hint = (
        f" (the latent nodes {confounders} are ancestors of the source or target)"
        if confounders
        else ""
    )
    return Identification(
        strategy="none",
        reason=(
            f"No set of observed nodes blocks every non-causal path from {source} to "
            f"{target}{hint}, and no set of observed mediators satisfies the "
            "front-door criterion."
        ),
        **common,
    )
