"""A d-separation oracle in place of a statistical test, for tests and teaching.

With a known DAG and a faithful distribution, conditional independence is exactly
d-separation (Pearl, 1988), so a constraint-based method run with this oracle
must recover the Markov equivalence class of the DAG without error: a check of the
algorithm separate from the statistics.
"""

from __future__ import annotations

import numpy as np

from skcausal.graph import is_dag
from skcausal.independence._base import CITest, register_ci_test

__all__ = ["DSeparationOracle"]


@register_ci_test("oracle")
class DSeparationOracle(CITest):
    """Answer independence queries by d-separation in a known DAG.

    The p-value is 1.0 when ``x`` and ``y`` are d-separated given ``z`` and 0.0
    otherwise, so any significance level in (0, 1) reads the graph exactly.

    Parameters
    ----------
    adjacency : array-like of shape (d, d), default=None
        The true DAG; ``adjacency[i, j] != 0`` is the edge ``i -> j``. Required at
        ``fit``.

    Attributes
    ----------
    n_features_in_ : int
        Number of nodes of the DAG.
    n_tests_ : int
        Distinct queries answered since the last ``fit``.

    References
    ----------
    .. [1] J. Pearl, "Probabilistic Reasoning in Intelligent Systems", Morgan
       Kaufmann, 1988.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.independence import DSeparationOracle
    >>> chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])  # 0 -> 1 -> 2
    >>> oracle = DSeparationOracle(chain).fit()
    >>> oracle.pvalue(0, 2), oracle.pvalue(0, 2, [1])
    (0.0, 1.0)
    """

    def __init__(self, adjacency=None):
        self.adjacency = adjacency

    def fit(self, X=None, y=None) -> DSeparationOracle:
        """Check the DAG (and, when given, that ``X`` has one column per node).

        Parameters
        ----------
        X : array-like of shape (n_samples, d), default=None
            Data; only its number of columns is used.
        y : None
            Ignored.

        Returns
        -------
        self : DSeparationOracle
        """
        if self.adjacency is None:
            raise ValueError("DSeparationOracle needs the true DAG as `adjacency`.")
        A = np.asarray(self.adjacency)
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise ValueError(f"adjacency must be a square matrix; got shape {A.shape}.")
        if not is_dag(A):
            raise ValueError("adjacency must be a DAG (it has a directed cycle).")
        if X is not None and np.shape(X)[1] != A.shape[0]:
            raise ValueError(
                f"X has {np.shape(X)[1]} columns but the DAG has {A.shape[0]} nodes."
            )
        self._dag = A != 0
        self._parents = [np.flatnonzero(col).tolist() for col in self._dag.T]
        self._children = [np.flatnonzero(row).tolist() for row in self._dag]
        self.n_features_in_ = A.shape[0]
        self.n_samples_ = None if X is None else int(np.shape(X)[0])
        self._cache = {}
        self.n_tests_ = 0
        return self

    def _reachable(self, x: int, z: tuple) -> np.ndarray:
        """Nodes d-connected to ``x`` given ``z`` (Koller & Friedman's reachability
        algorithm, "Probabilistic Graphical Models", 2009, Alg. 3.1)."""
        dag = self._dag
        observed = np.zeros(dag.shape[0], dtype=bool)
        observed[list(z)] = True
        # ancestors of z (including z): where a collider is active
        anc = observed.copy()
        frontier = list(z)
        while frontier:
            node = frontier.pop()
            for parent in self._parents[node]:
                if not anc[parent]:
                    anc[parent] = True
                    frontier.append(parent)
        reachable = np.zeros(dag.shape[0], dtype=bool)
        visited = set()
        stack = [(x, True)]  # (node, arrived from a child: moving "up")
        while stack:
            node, up = stack.pop()
            if (node, up) in visited:
                continue
            visited.add((node, up))
            if not observed[node]:
                reachable[node] = True
            if up and not observed[node]:
                stack.extend((p, True) for p in self._parents[node])
                stack.extend((c, False) for c in self._children[node])
            elif not up:
                if not observed[node]:
                    stack.extend((c, False) for c in self._children[node])
                if anc[node]:
                    stack.extend((p, True) for p in self._parents[node])
        return reachable

    def _compute(self, x, y, z) -> np.ndarray:
        out = np.empty(len(x))
        memo: dict = {}
        for t, (a, b, row) in enumerate(zip(x, y, z, strict=True)):
            key = (int(a), tuple(int(v) for v in row))
            reach = memo.get(key)
            if reach is None:
                reach = memo[key] = self._reachable(*key)
            out[t] = 0.0 if reach[int(b)] else 1.0
        return out
