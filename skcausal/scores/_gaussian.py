"""Gaussian BIC for linear structural equation models, from sufficient statistics.

For a DAG ``G`` over ``d`` variables and ``n`` samples, let ``v_j(G)`` be the maximum-
likelihood residual variance of node ``j`` regressed (with intercept) on its parents.
Two versions of the Bayesian information criterion (Schwarz, Ann. Statist. 1978) are
offered, both "higher is better":

* per-node variances (decomposable, Markov-equivalent DAGs score the same)::

      BIC(G) = -n/2 * sum_j log v_j(G) - penalty * |G| * log(n) / 2

* one pooled variance (equal-variance model, identifiable from observational data,
  Peters & Bühlmann, Biometrika 2014; Loh & Bühlmann, JMLR 2014)::

      BIC(G) = -n*d/2 * log(mean_j v_j(G)) - penalty * |G| * log(n) / 2

Constant terms shared by all graphs are dropped.
"""

from __future__ import annotations

import numpy as np

from skcausal._sem import SufficientStats

__all__ = ["GaussianBICScore"]


class GaussianBICScore:
    """Cached Gaussian BIC of linear-Gaussian SEMs, from sufficient statistics.

    Parameters
    ----------
    stats : SufficientStats
        Statistics of the data (``n``, means, centred co-moment).
    equal_variances : bool, default=False
        Score graphs under one pooled noise variance (identifiable) instead of one
        variance per node (decomposable).
    penalty : float, default=1.0
        Multiplier of the ``log(n) / 2`` cost per edge.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal._sem import SufficientStats
    >>> from skcausal.scores import GaussianBICScore
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=500)
    >>> X = np.column_stack([x0, x0 + rng.normal(size=500)])
    >>> score = GaussianBICScore(SufficientStats.from_data(X))
    >>> bool(score.graph_score([[0, 1], [0, 0]]) > score.graph_score(np.zeros((2, 2))))
    True
    """

    def __init__(
        self,
        stats: SufficientStats,
        *,
        equal_variances: bool = False,
        penalty: float = 1.0,
    ):
        if stats.n < 2:
            raise ValueError(f"GaussianBICScore needs n >= 2 samples; got n={stats.n}.")
        if not penalty >= 0:
            raise ValueError(f"penalty must be non-negative; got {penalty}.")
        self.stats = stats
        self.equal_variances = equal_variances
        self.penalty = penalty
        self._covariance = stats.covariance
        self._cache: dict[tuple[int, tuple[int, ...]], float] = {}

    @property
    def n_features(self) -> int:
        return self.stats.n_features

    @property
    def edge_cost(self) -> float:
        """Score cost of one edge: ``penalty * log(n) / 2``."""
        return self.penalty * np.log(self.stats.n) / 2.0

    def residual_variance(self, j: int, parents) -> float:
        """ML residual variance of node ``j`` regressed on ``parents`` (cached).

        Collinear parents get the minimum-norm least-squares fit; the result is
        floored at a tiny positive value so that logarithms stay finite.
        """
        key = (int(j), tuple(sorted(int(p) for p in parents)))
        value = self._cache.get(key)
        if value is None:
            S = self._covariance
            pa = list(key[1])
            value = S[j, j]
            if pa:
                coef = np.linalg.lstsq(S[np.ix_(pa, pa)], S[pa, j], rcond=None)[0]
                value = value - S[j, pa] @ coef
            value = max(float(value), np.finfo(float).tiny * 1e10)
            self._cache[key] = value
        return value

    def local_score(self, j: int, parents) -> float:
        """Per-node BIC term ``-n/2 log v_j - penalty |pa_j| log(n) / 2``."""
        n = self.stats.n
        return (
            -0.5 * n * np.log(self.residual_variance(j, parents))
            - len(tuple(parents)) * self.edge_cost
        )

    def score_from_variances(self, variances, n_edges: int) -> float:
        """Total score of a graph with these per-node residual variances."""
        variances = np.asarray(variances, dtype=float)
        n, d = self.stats.n, variances.shape[0]
        if self.equal_variances:
            fit = -0.5 * n * d * np.log(variances.mean())
        else:
            fit = -0.5 * n * np.log(variances).sum()
        return float(fit - n_edges * self.edge_cost)

    def graph_score(self, adjacency) -> float:
        """Score of the DAG ``adjacency`` (non-zero ``[i, j]`` is the edge i -> j)."""
        A = np.asarray(adjacency) != 0
        variances = [
            self.residual_variance(j, np.flatnonzero(A[:, j]))
            for j in range(A.shape[1])
        ]
        return self.score_from_variances(variances, int(A.sum()))
