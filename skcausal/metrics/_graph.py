"""Metrics comparing an estimated causal graph with the true one.

Both graphs are square adjacency matrices under the package convention: a nonzero
``A[i, j]`` is the edge ``i -> j`` (weights are ignored, only the pattern of nonzeros
counts) and an undirected edge of a CPDAG is nonzero in both directions. Every metric
works pair by pair: for each unordered pair ``{i, j}`` with ``i < j`` the *state* of the
pair is one of ``none``, ``i -> j``, ``j -> i`` or ``undirected``.
"""

from __future__ import annotations

import numpy as np

# Pair states, coded as A[i, j] + 2 * A[j, i] for i < j.
_NONE, _FORWARD, _BACKWARD, _UNDIRECTED = 0, 1, 2, 3


def _check_graph(graph, name: str) -> np.ndarray:
    """Return the boolean edge pattern of a square adjacency matrix, validated."""
    graph = np.asarray(graph)
    if graph.ndim != 2 or graph.shape[0] != graph.shape[1]:
        raise ValueError(
            f"{name} must be a square 2-D adjacency matrix, got shape {graph.shape}."
        )
    try:
        graph = graph.astype(float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numeric or boolean.") from None
    if not np.isfinite(graph).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    if np.any(np.diagonal(graph) != 0):
        raise ValueError(
            f"{name} has nonzero diagonal entries (self-loops), which no DAG or CPDAG "
            "has."
        )
    return graph != 0


def _pair_states(true_graph, estimated_graph) -> tuple[np.ndarray, np.ndarray, int]:
    """Validated pair states (upper triangle, flattened) of both graphs, and ``d``."""
    true_edges = _check_graph(true_graph, "true_graph")
    est_edges = _check_graph(estimated_graph, "estimated_graph")
    if true_edges.shape != est_edges.shape:
        raise ValueError(
            "true_graph and estimated_graph must have the same shape, got "
            f"{true_edges.shape} and {est_edges.shape}."
        )
    upper = np.triu_indices(true_edges.shape[0], k=1)

    def states(edges):
        return edges[upper].astype(int) + 2 * edges.T[upper].astype(int)

    return states(true_edges), states(est_edges), true_edges.shape[0]


def structural_hamming_distance(true_graph, estimated_graph) -> int:
    """Structural Hamming distance (SHD) between two graphs.

    The number of unordered node pairs ``{i, j}`` whose state differs between the two
    graphs, the state of a pair being one of: no edge, ``i -> j``, ``j -> i``, or an
    undirected edge (nonzero in both directions). Equivalently, the number of edge
    additions, deletions, reversals and (un)orientations needed to turn one graph into
    the other, each costing 1.

    Parameters
    ----------
    true_graph : array-like of shape (d, d)
        Adjacency matrix of the true graph; nonzero ``[i, j]`` means ``i -> j``.
    estimated_graph : array-like of shape (d, d)
        Adjacency matrix of the estimated graph, same convention.

    Returns
    -------
    shd : int
        The structural Hamming distance. It is a metric on graphs: symmetric, zero only
        for identical edge patterns, and it satisfies the triangle inequality.

    See Also
    --------
    edge_metrics : True/false positive rates and related counts.

    Notes
    -----
    A reversed edge counts **1** here, as in Tsamardinos et al. (2006) and the NOTEARS
    evaluation code; some papers count a reversal as 2 (one deletion plus one addition).
    An undirected edge against a directed one in the other graph also counts 1.
    The same function serves DAGs and CPDAGs: to compare equivalence classes, pass the
    CPDAGs of both graphs (e.g. via ``skcausal.graph.dag_to_cpdag``). Edge weights are
    ignored; only nonzero entries matter.

    References
    ----------
    .. [1] I. Tsamardinos, L. E. Brown and C. F. Aliferis, "The max-min hill-climbing
       Bayesian network structure learning algorithm", Machine Learning, 2006.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.metrics import structural_hamming_distance
    >>> true = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])  # 0 -> 1 -> 2
    >>> est = np.array([[0, 0, 0], [1, 0, 1], [0, 0, 0]])  # 1 -> 0, 1 -> 2
    >>> structural_hamming_distance(true, est)
    1
    """
    true_states, est_states, _ = _pair_states(true_graph, estimated_graph)
    return int(np.count_nonzero(true_states != est_states))


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else 0.0


def edge_metrics(true_graph, estimated_graph) -> dict:
    """Edge-level accuracy of an estimated graph against the true one.

    Counts are taken per unordered node pair, so an undirected edge (nonzero in both
    directions) counts as **one** edge. Each adjacent pair of the estimate is one of:

    * a true positive (TP) when the true graph has the same directed edge, or when the
      estimate is undirected and the true graph has an edge between the pair in either
      direction (the orientation is left open, which is not an error — the convention of
      the NOTEARS evaluation code, suited to scoring a CPDAG against a true DAG);
    * *reversed* (misoriented) when the true graph links the pair but the estimate is
      not a TP: the opposite direction, or a direction where the truth is undirected;
    * *extra* when the true graph does not link the pair.

    Parameters
    ----------
    true_graph : array-like of shape (d, d)
        Adjacency matrix of the true graph; nonzero ``[i, j]`` means ``i -> j``.
    estimated_graph : array-like of shape (d, d)
        Adjacency matrix of the estimated graph, same convention. Weights are ignored.

    Returns
    -------
    metrics : dict
        With ``n_true`` = number of adjacent pairs in the truth, ``n_estimated`` =
        number of adjacent pairs in the estimate and ``n_absent = d (d - 1) / 2 -
        n_true`` (pairs not linked in the truth):

        * ``"tpr"`` : TP / n_true (true positive rate);
        * ``"fdr"`` : (reversed + extra) / n_estimated (false discovery rate);
        * ``"fpr"`` : (reversed + extra) / n_absent (false positive rate; reversed
          edges are counted in the numerator as in NOTEARS, so it can exceed 1 on very
          dense truths);
        * ``"precision"`` : TP / n_estimated, which equals ``1 - fdr`` whenever
          ``n_estimated > 0``;
        * ``"recall"`` : equal to ``tpr``;
        * ``"f1"`` : harmonic mean of precision and recall;
        * ``"shd"`` : :func:`structural_hamming_distance` (int);
        * ``"n_true"``, ``"n_estimated"`` : the two edge counts (int).

        Every ratio with a zero denominator is 0.0 (for example, an empty estimate has
        ``fdr = precision = 0.0``).

    See Also
    --------
    structural_hamming_distance : Number of node pairs whose state differs.

    References
    ----------
    .. [1] X. Zheng, B. Aragam, P. Ravikumar and E. P. Xing, "DAGs with NO TEARS:
       Continuous optimization for structure learning", NeurIPS 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.metrics import edge_metrics
    >>> true = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])  # 0 -> 1 -> 2
    >>> est = np.array([[0, 1, 1], [0, 0, 0], [0, 0, 0]])  # 0 -> 1, 0 -> 2
    >>> m = edge_metrics(true, est)
    >>> m["tpr"], m["fdr"], m["shd"]
    (0.5, 0.5, 2)
    """
    true_states, est_states, n_nodes = _pair_states(true_graph, estimated_graph)
    true_linked = true_states != _NONE
    est_linked = est_states != _NONE

    same = est_linked & (est_states == true_states)
    open_orientation = (est_states == _UNDIRECTED) & true_linked
    n_tp = int(np.count_nonzero(same | open_orientation))
    n_true = int(np.count_nonzero(true_linked))
    n_estimated = int(np.count_nonzero(est_linked))
    n_false = n_estimated - n_tp  # reversed + extra
    n_absent = n_nodes * (n_nodes - 1) // 2 - n_true

    precision = _ratio(n_tp, n_estimated)
    recall = _ratio(n_tp, n_true)
    return {
        "tpr": recall,
        "fdr": _ratio(n_false, n_estimated),
        "fpr": _ratio(n_false, n_absent),
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2.0 * precision * recall, precision + recall),
        "shd": int(np.count_nonzero(true_states != est_states)),
        "n_true": n_true,
        "n_estimated": n_estimated,
    }
