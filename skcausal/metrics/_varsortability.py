"""Varsortability: how well marginal variances reveal the causal order.

Reisach, Seiler and Weichwald (NeurIPS 2021) observed that in the linear SEMs commonly
simulated to benchmark structure learners, the marginal variance tends to grow along
the causal order, so that sorting the variables by variance nearly recovers the order.
Varsortability measures this: 1 means every causal path ends in a variable with a
larger variance than where it starts, 0.5 is chance, 0 the reverse. It is a property
of the data's scale, so standardising the columns removes it.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_array

__all__ = ["varsortability"]


def varsortability(X, adjacency, *, tol: float = 1e-9) -> float:
    """Fraction of directed paths along which the marginal variance increases.

    For every path length ``k = 1, ..., d - 1`` consider the ordered pairs ``(i, j)``
    joined by a directed path of exactly ``k`` edges ``i -> ... -> j``. A pair counts
    1 when ``Var(X_j) > Var(X_i)``, 1/2 when the two variances are equal (relative
    tolerance ``tol``) and 0 otherwise; varsortability is the total count divided by
    the number of such (pair, length) combinations [1]_.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data, finite, at least 2 samples.
    adjacency : array-like of shape (n_features, n_features)
        The causal graph, ``adjacency[i, j] != 0`` meaning the edge ``i -> j``
        (weights are ignored). It must have at least one edge; an undirected CPDAG
        edge stored in both directions counts as two directed edges.
    tol : float, default=1e-9
        Relative tolerance under which two variances count as equal.

    Returns
    -------
    varsortability : float
        In ``[0, 1]``; about 0.5 when variances carry no information on the order
        (standardised data give exactly 0.5).

    Raises
    ------
    ValueError
        When the shapes do not match, the data are not finite, or the graph has no
        edge (varsortability is then undefined).

    See Also
    --------
    skcausal.discovery.SortNRegress : The baseline that exploits it.

    References
    ----------
    .. [1] A. G. Reisach, C. Seiler and S. Weichwald, "Beware of the simulated DAG!
       Causal discovery benchmarks may be easy to game", NeurIPS 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.metrics import varsortability
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=1000)
    >>> x1 = x0 + rng.normal(size=1000)
    >>> x2 = x1 + rng.normal(size=1000)
    >>> chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> varsortability(np.column_stack([x0, x1, x2]), chain)
    1.0
    >>> varsortability(np.column_stack([x2, x1, x0]), chain)
    0.0
    """
    X = check_array(X, dtype=np.float64, ensure_min_samples=2, input_name="X")
    adjacency = check_array(
        adjacency, dtype=None, ensure_all_finite=False, input_name="adjacency"
    )
    d = X.shape[1]
    if adjacency.shape != (d, d):
        raise ValueError(
            f"adjacency must have shape ({d}, {d}) to match the {d} columns of X; "
            f"got {adjacency.shape}."
        )
    if not (np.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a finite number >= 0; got {tol!r}.")
    edges = (adjacency != 0).astype(np.int64)
    if not edges.any():
        raise ValueError(
            "adjacency has no edge: varsortability is undefined for an empty graph."
        )
    variance = X.var(axis=0)
    # ratio[i, j] = Var(X_j) / Var(X_i); a zero variance gives inf or nan, handled
    # by the comparisons below (0 / 0 counts as a tie).
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = variance[None, :] / variance[:, None]
    ratio = np.where(np.isnan(ratio), 1.0, ratio)
    increasing = ratio > 1.0 + tol
    tie = np.abs(ratio - 1.0) <= tol
    score = 0.5 * tie + increasing

    n_paths = 0
    n_sorted = 0.0
    reach = edges.astype(bool)  # pairs joined by a path of exactly k edges
    for _ in range(d - 1):
        if not reach.any():
            break
        n_paths += int(reach.sum())
        n_sorted += float(score[reach].sum())
        reach = (reach.astype(np.int64) @ edges) > 0
    return n_sorted / n_paths
