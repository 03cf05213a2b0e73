"""The PC algorithm (Spirtes, Glymour & Scheines) in its order-independent
"stable" form (Colombo & Maathuis, JMLR 2014).

1. **Skeleton.** Start from the complete graph (minus pairs that background
   knowledge forbids in both directions). At level ``l = 0, 1, ...`` every ordered
   adjacent pair ``(x, y)`` is tested given every ``l``-subset ``S`` of the
   adjacencies of ``x`` other than ``y``, where the adjacencies are frozen at the
   start of the level (PC-stable): the skeleton then does not depend on the order
   of the columns. All tests of a level form one batch (vectorised for Fisher-z,
   spread over ``n_jobs`` workers otherwise); a pair found independent is removed
   after the level, with the first separating set in a fixed order.
2. **Unshielded colliders.** For non-adjacent ``x``, ``z`` with a common neighbour
   ``y``: ``x -> y <- z`` when ``y`` is not in the separating set ("standard"), or
   by the conservative (Ramsey, Zhang & Spirtes, UAI 2006) or majority (Colombo &
   Maathuis, 2014) rule over all separating subsets of the final adjacencies.
3. **Background knowledge, then Meek's rules** R1-R4 to their fixpoint.
"""

from __future__ import annotations

from itertools import combinations
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from skcausal._sem import (
    SufficientStats,
    gaussian_log_likelihood,
    noise_variance_from_stats,
    refit_least_squares,
)
from skcausal._validation import validate_X
from skcausal.base import DiscoveryMixin
from skcausal.graph import pdag_to_dag, threshold_to_dag
from skcausal.graph._cpdag import _meek_closure, _meek_closure_simultaneous
from skcausal.graph._knowledge import (
    knowledge_masks,
    knowledge_violations,
    orient_by_knowledge,
)
from skcausal.independence import CITest, make_ci_test

__all__ = ["PC"]

_DISCRETE_TESTS = ("gsq", "chisq")


# ----------------------------------------------------------------------------------
# Input handling
# ----------------------------------------------------------------------------------
def _column_kinds(X) -> np.ndarray | None:
    """dtype kind of every column before conversion to float (None if unknown)."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and hasattr(dtypes, "__iter__"):
        kinds = []
        for dt in dtypes:
            try:
                kinds.append(np.dtype(dt).kind)
            except TypeError:  # pandas extension dtypes (category, Int64, ...)
                kinds.append("i" if "int" in str(dt).lower() else "O")
        return np.asarray(kinds)
    dtype = getattr(X, "dtype", None)
    if dtype is not None and getattr(X, "ndim", 0) == 2:
        return np.full(X.shape[1], np.dtype(dtype).kind)
    return None


def _categorical_mask(categorical_features, kinds, n_features, names) -> np.ndarray:
    if categorical_features is None:
        if kinds is None:
            return np.zeros(n_features, dtype=bool)
        return np.isin(kinds, list("iub"))
    if isinstance(categorical_features, str):
        if categorical_features == "all":
            return np.ones(n_features, dtype=bool)
        categorical_features = [categorical_features]
    arr = np.asarray(categorical_features)
    if arr.dtype == bool:
        if arr.shape != (n_features,):
            raise ValueError(
                f"categorical_features as a boolean mask needs shape ({n_features},);"
                f" got {arr.shape}."
            )
        return arr.copy()
    mask = np.zeros(n_features, dtype=bool)
    lookup = {} if names is None else {str(n): k for k, n in enumerate(names)}
    for item in arr.ravel().tolist():
        if isinstance(item, str):
            if item not in lookup:
                raise ValueError(
                    f"categorical_features names the unknown column {item!r}"
                    + ("" if names is not None else " (X has no column names)")
                    + "."
                )
            mask[lookup[item]] = True
        elif isinstance(item, int) and 0 <= item < n_features:
            mask[item] = True
        else:
            raise ValueError(
                f"categorical_features holds {item!r}, which is neither a column "
                f"index in [0, {n_features}) nor a column name."
            )
    return mask


# ----------------------------------------------------------------------------------
# The three phases
# ----------------------------------------------------------------------------------
def _level_tests(frozen, keep, level):
    """All tests of one level: x, y and the conditioning sets, in a fixed order
    (x ascending, then the sets S in lexicographic order, then y ascending)."""
    xs, ys, zs = [], [], []
    combos: dict = {}
    for x in range(frozen.shape[0]):
        nbrs = np.flatnonzero(frozen[x])
        n = nbrs.size
        if n - 1 < level:
            continue
        comb = combos.get(n)
        if comb is None:
            subsets = list(combinations(range(n), level))
            comb = np.asarray(subsets, dtype=np.intp).reshape(len(subsets), level)
            combos[n] = comb
        # y runs over the neighbours outside S
        outside = np.ones((comb.shape[0], n), dtype=bool)
        outside[np.arange(comb.shape[0])[:, None], comb] = False
        r, c = np.nonzero(outside)
        y = nbrs[c]
        z = nbrs[comb[r]]
        ok = ~keep[x, y]
        xs.append(np.full(int(ok.sum()), x, dtype=np.intp))
        ys.append(y[ok])
        zs.append(z[ok])
    if not xs:
        return None
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(zs, axis=0)


def _skeleton(test, adjacent, keep, alpha, max_cond_vars, n_jobs, verbose):
    """PC-stable adjacency search.

    Returns the adjacencies, the first separating set of every removed pair and
    the union of all the separating sets found for it at the level it was removed.
    """
    d = adjacent.shape[0]
    sepsets: dict = {}
    unions: dict = {}
    level = 0
    while max_cond_vars is None or level <= max_cond_vars:
        tests = _level_tests(adjacent.copy(), keep, level)
        if tests is None or tests[0].size == 0:
            break
        xs, ys, zs = tests
        p = test.pvalues(xs, ys, zs, n_jobs=n_jobs)
        independent = np.flatnonzero(p > alpha)
        lo = np.minimum(xs[independent], ys[independent])
        hi = np.maximum(xs[independent], ys[independent])
        pair_key = lo * d + hi
        # the first separating set of every pair, in the order of the tests
        _, first = np.unique(pair_key, return_index=True)
        for t in np.sort(first).tolist():
            i, j = int(lo[t]), int(hi[t])
            adjacent[i, j] = adjacent[j, i] = False
            sepsets[(i, j)] = tuple(sorted(zs[independent[t]].tolist()))
        if level:
            for key, row in zip(
                pair_key.tolist(), zs[independent].tolist(), strict=True
            ):
                unions.setdefault(divmod(key, d), set()).update(row)
        if verbose:
            print(
                f"[PC] level {level}: {xs.size} tests, {first.size} edges removed, "
                f"{int(adjacent.sum()) // 2} left"
            )
        level += 1
    return adjacent, sepsets, unions


def _unshielded_triples(adjacent):
    """(x, y, z) with x - y - z, x and z non-adjacent, x < z; ordered by the
    middle node y, then x, then z (the order causal-learn visits them in)."""
    d = adjacent.shape[0]
    triples = []
    for y in range(d):
        nbrs = np.flatnonzero(adjacent[y])
        for x, z in combinations(nbrs.tolist(), 2):
            if not adjacent[x, z]:
                triples.append((x, y, z))
    return triples


def _separating_subsets(test, adjacent, pairs, alpha, max_cond_vars, n_jobs):
    """For each non-adjacent pair (x, z): every subset of adj(x)\\{z} and of
    adj(z)\\{x} (final skeleton) that separates them, as sorted tuples.

    All candidate sets of one size, over all pairs, form one batch of tests.
    """
    by_size: dict = {}
    for x, z in pairs:
        seen = set()
        for a, b in ((x, z), (z, x)):
            nbrs = np.flatnonzero(adjacent[a])
            nbrs = nbrs[nbrs != b].tolist()
            top = len(nbrs) if max_cond_vars is None else min(len(nbrs), max_cond_vars)
            for size in range(top + 1):
                for S in combinations(nbrs, size):
                    if S not in seen:
                        seen.add(S)
                        by_size.setdefault(size, []).append((x, z, S))
    found: dict = {pair: [] for pair in pairs}
    for size in sorted(by_size):
        batch = by_size[size]
        xs = np.fromiter((t[0] for t in batch), dtype=np.intp, count=len(batch))
        zs = np.fromiter((t[1] for t in batch), dtype=np.intp, count=len(batch))
        S = np.asarray([t[2] for t in batch], dtype=np.intp).reshape(len(batch), size)
        p = test.pvalues(xs, zs, S, n_jobs=n_jobs)
        for t in np.flatnonzero(p > alpha).tolist():
            x, z, sep = batch[t]
            found[(x, z)].append(sep)
    return found


def _orient_colliders(
    P, triples, sepsets, rule, test, alpha, max_cond_vars, n_jobs, required, forbidden
):
    """Orient unshielded colliders in the boolean PDAG ``P`` (in place).

    Returns the list of ambiguous triples (conservative / majority rules).
    """
    ambiguous = []
    colliders = []
    if rule != "standard":
        pairs = list(dict.fromkeys((x, z) for x, _, z in triples))
        separating = _separating_subsets(
            test, P | P.T, pairs, alpha, max_cond_vars, n_jobs
        )
    for x, y, z in triples:
        if rule == "standard":
            is_collider = y not in sepsets.get((x, z), ())  # the union at removal
        else:
            subsets = separating[(x, z)]
            share = np.mean([y in s for s in subsets]) if subsets else 0.5
            if (rule == "conservative" and 0.0 < share < 1.0) or share == 0.5:
                ambiguous.append((x, y, z))
                continue
            is_collider = share < 0.5 if rule == "majority" else share == 0.0
        if not is_collider:
            continue
        # knowledge overrides a collider that contradicts it
        if forbidden[x, y] or forbidden[z, y] or required[y, x] or required[y, z]:
            continue
        colliders.append((x, y, z))
    if rule == "standard":
        # in order; a collider is oriented unless one of its edges already points
        # out of y (the "prioritise existing colliders" rule)
        for x, y, z in colliders:
            if (P[y, x] and not P[x, y]) or (P[y, z] and not P[z, y]):
                continue
            P[x, y] = P[z, y] = True
            P[y, x] = P[y, z] = False
    else:
        # all at once, so the result does not depend on the order; an edge that two
        # colliders would orient both ways stays undirected
        orient = np.zeros_like(P)
        for x, y, z in colliders:
            orient[x, y] = orient[z, y] = True
        orient &= ~orient.T
        P[orient.T] = False
    return ambiguous


def _has_directed_path(P: np.ndarray, source: int, target: int) -> bool:
    """Whether ``source -> ... -> target`` along directed edges of the PDAG."""
    directed = P & ~P.T
    seen = np.zeros(P.shape[0], dtype=bool)
    stack = [source]
    while stack:
        node = stack.pop()
        if node == target:
            return True
        nxt = np.flatnonzero(directed[node] & ~seen)
        seen[nxt] = True
        stack.extend(nxt.tolist())
    return False


def _meek_in_order(P: np.ndarray) -> np.ndarray:
    """Meek's R1-R3 applied one triple at a time, in a fixed order (in place).

    Passes over the unshielded triples (R1), triangles (R2) and kites (R3), each
    ordered by their middle node, repeat until nothing changes; an orientation that
    would close a directed cycle is skipped. This is the sequential closure of
    Spirtes et al.'s PC as implemented in causal-learn, so that
    ``orientation="standard"`` returns the same CPDAG on conflicting test results
    too; on a consistent pattern it is Meek's closure.
    """
    A = P | P.T
    d = P.shape[0]
    nbrs = [np.flatnonzero(A[j]).tolist() for j in range(d)]
    unshielded, triangles = [], []
    for j in range(d):
        for i in nbrs[j]:
            for k in nbrs[j]:
                if i != k:
                    (triangles if A[i, k] else unshielded).append((i, j, k))
    by_ends: dict = {}
    for i, j, k in triangles:
        by_ends.setdefault((i, k), []).append(j)
    kites = [
        (i, j, k, l)
        for i, j, l in triangles
        for k in by_ends[(i, l)]
        if j < k and not A[j, k]
    ]

    def undirected(a, b):
        return P[a, b] and P[b, a]

    def directed(a, b):
        return P[a, b] and not P[b, a]

    def orient(a, b) -> bool:
        if _has_directed_path(P, b, a):
            return False
        P[b, a] = False
        return True

    changed = True
    while changed:
        changed = False
        for i, j, k in unshielded:
            if directed(i, j) and undirected(j, k):
                changed |= orient(j, k)
        for i, j, k in triangles:
            if directed(i, j) and directed(j, k) and undirected(i, k):
                changed |= orient(i, k)
        for i, j, k, l in kites:
            if (
                undirected(i, j)
                and undirected(i, k)
                and directed(j, l)
                and directed(k, l)
                and undirected(i, l)
            ):
                changed |= orient(i, l)
    return P


def _consistent_extension(cpdag: np.ndarray) -> tuple[np.ndarray, bool]:
    """A DAG in the class of ``cpdag``; (dag, exact) with a fallback when the
    estimated PDAG has no consistent extension (conflicting orientations)."""
    try:
        return pdag_to_dag(cpdag) != 0, True
    except ValueError:
        P = cpdag != 0
        oriented = (P & ~P.T) | np.triu(P & P.T)
        return threshold_to_dag(oriented.astype(float)) != 0, False


class PC(DiscoveryMixin, BaseEstimator):
    """PC-stable: constraint-based discovery of a CPDAG from conditional independence.

    Parameters
    ----------
    alpha : float, default=0.05
        Significance level of every conditional-independence test, in (0, 1): an
        edge is removed when some test's p-value exceeds ``alpha``.
    ci_test : str, CITest subclass or CITest instance, default="auto"
        The test: ``"fisherz"`` (Gaussian data), ``"gsq"`` / ``"chisq"``
        (integer-coded categorical data), ``"kci"`` (nonlinear), any name of
        :func:`skcausal.independence.available_ci_tests`, or a
        :class:`~skcausal.independence.CITest` (cloned, never modified). ``"auto"``
        uses ``"gsq"`` when every column is categorical and ``"fisherz"`` when none
        is (see ``categorical_features``).
    max_cond_vars : int, default=None
        Largest conditioning set tested (``None``: no limit).
    orientation : {"standard", "conservative", "majority"}, default="majority"
        How unshielded triples ``x - y - z`` are oriented. ``"standard"``: a
        collider when ``y`` is in none of the separating sets that the level which
        removed ``x - z`` found (PC-stable runs every test of a level, so the
        decision does not depend on the order of the subsets; causal-learn's
        ``uc_sepset`` rule), triples visited by middle node, a collider not
        oriented when one of its edges already points out of ``y``; then
        Meek's rules in sequence (the result can depend on the column order when
        tests conflict). ``"conservative"`` (Ramsey et al., 2006): the separating
        sets among all subsets of the final adjacencies of ``x`` and of ``z``
        decide -- a collider when none contains ``y``, ambiguous when some do and
        some do not. ``"majority"`` (Colombo & Maathuis, 2014): a collider when
        fewer than half
        contain ``y``, ambiguous at exactly half. Both of the latter orient all
        colliders at once and leave an edge undirected when colliders disagree on
        it, so the CPDAG does not depend on the column order.
    categorical_features : None, "all", array-like of bool, int or str, default=None
        Which columns are integer-coded categorical variables (used by
        ``ci_test="auto"``). ``None`` takes the columns of integer or boolean dtype.
    forbidden_edges : None, bool array of shape (d, d) or iterable of pairs, \
            default=None
        Orientations ``i -> j`` (index or name pairs, or a mask) that must not
        appear. A pair forbidden in both directions is never adjacent (never
        tested); one forbidden direction orients an adjacency the other way.
    required_edges : None, bool array of shape (d, d) or iterable of pairs, \
            default=None
        Edges ``i -> j`` that are always in the output, directed so (never tested
        for removal).
    tiers : array-like of int of shape (n_features,), default=None
        Temporal tier of every column (0 = earliest): no edge points from a later
        tier into an earlier one. Contradicting ``required_edges`` is an error.
    n_jobs : int, default=None
        Workers for the tests of one level (joblib via
        :class:`sklearn.utils.parallel.Parallel`). The output is identical for any
        ``n_jobs``; the vectorised Fisher-z test uses workers only for very large
        levels.
    verbose : int, default=0
        Print the number of tests and removed edges per level when positive.

    Attributes
    ----------
    adjacency_matrix_ : ndarray of shape (n_features, n_features)
        The estimated CPDAG, 0/1: ``i -> j`` has ``[i, j] = 1`` only, an undirected
        ``i - j`` has ``[i, j] = [j, i] = 1``.
    graph_type_ : str
        ``"cpdag"``.
    separating_sets_ : dict
        ``{(i, j): tuple}`` for every pair ``i < j`` removed by a test: the
        separating set found (pairs forbidden by knowledge are absent).
    ambiguous_triples_ : list of tuple
        Unshielded triples ``(x, y, z)`` the conservative / majority rule left
        undecided (always empty for ``"standard"``).
    dag_ : ndarray of shape (n_features, n_features)
        A consistent DAG extension of ``adjacency_matrix_`` (Dor & Tarsi), 0/1,
        the graph behind :meth:`score`. Conflicting test results can leave a PDAG
        with no consistent extension; ``dag_`` then keeps the directed edges,
        orients the undirected ones from the smaller to the larger index and drops
        the weakest edges on cycles (:func:`~skcausal.graph.threshold_to_dag`).
    dag_is_extension_ : bool
        Whether ``dag_`` is a consistent extension (False in the fallback above).
    ci_test_ : CITest
        The fitted test, with its p-value cache.
    n_tests_ : int
        Number of distinct conditional-independence tests run.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    skcausal.independence.FisherZ : The default test for continuous data.
    skcausal.graph.apply_meek_rules : Meek's rules with background knowledge.
    skcausal.graph.pdag_to_dag : One DAG of the estimated class.

    Notes
    -----
    Under faithfulness and with correct tests, PC returns the CPDAG of the true
    DAG. PC-stable removes the order dependence of the skeleton; the
    "conservative" and "majority" rules remove that of the colliders.

    ``score(X)`` is the mean Gaussian log-likelihood per sample of the linear SEM
    on ``dag_`` (least-squares weights and per-node noise variances from the
    training data), so it compares fits on continuous data; ``bic(X)`` adds the
    penalty. For categorical data they treat the codes as numbers.

    References
    ----------
    .. [1] P. Spirtes, C. Glymour and R. Scheines, "Causation, Prediction, and
       Search", 2nd ed., MIT Press, 2000.
    .. [2] D. Colombo and M. H. Maathuis, "Order-independent constraint-based causal
       structure learning", JMLR 15, 2014.
    .. [3] J. Ramsey, J. Zhang and P. Spirtes, "Adjacency-faithfulness and
       conservative causal inference", UAI 2006.
    .. [4] C. Meek, "Causal inference and causal explanation with background
       knowledge", UAI 1995.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.discovery import PC
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=2000)
    >>> x1 = rng.normal(size=2000)
    >>> x2 = x0 + x1 + rng.normal(size=2000)  # a collider 0 -> 2 <- 1
    >>> model = PC(alpha=0.01).fit(np.column_stack([x0, x1, x2]))
    >>> model.adjacency_matrix_.astype(int)
    array([[0, 0, 1],
           [0, 0, 1],
           [0, 0, 0]])
    >>> model.separating_sets_
    {(0, 1): ()}
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "ci_test": [StrOptions({"auto"}), str, type, CITest],
        "max_cond_vars": [Interval(Integral, 0, None, closed="left"), None],
        "orientation": [StrOptions({"standard", "conservative", "majority"})],
        "categorical_features": ["array-like", str, None],
        "forbidden_edges": ["array-like", None],
        "required_edges": ["array-like", None],
        "tiers": ["array-like", None],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        alpha: float = 0.05,
        ci_test="auto",
        max_cond_vars: int | None = None,
        orientation: str = "majority",
        categorical_features=None,
        forbidden_edges=None,
        required_edges=None,
        tiers=None,
        n_jobs: int | None = None,
        verbose: int = 0,
    ):
        self.alpha = alpha
        self.ci_test = ci_test
        self.max_cond_vars = max_cond_vars
        self.orientation = orientation
        self.categorical_features = categorical_features
        self.forbidden_edges = forbidden_edges
        self.required_edges = required_edges
        self.tiers = tiers
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the CPDAG from data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (at least 2 samples and 2 features, finite, numeric;
            integer codes for categorical columns). Not modified.
        y : None
            Ignored.

        Returns
        -------
        self : PC
            The fitted estimator.
        """
        kinds = _column_kinds(X)
        try:
            X = validate_X(self, X, reset=True, ensure_min_features=2)
        except ValueError as exc:
            if "convert" in str(exc):
                raise ValueError(
                    f"PC needs numeric data: {exc}. Encode categorical columns as "
                    "integer codes (e.g. sklearn.preprocessing.OrdinalEncoder)."
                ) from exc
            raise
        d = X.shape[1]
        names = getattr(self, "feature_names_in_", None)
        required, forbidden = knowledge_masks(
            d,
            required_edges=self.required_edges,
            forbidden_edges=self.forbidden_edges,
            tiers=self.tiers,
            feature_names=None if names is None else list(names),
        )
        self.ci_test_ = self._make_test(X, kinds, names)

        adjacent = ~np.eye(d, dtype=bool)
        adjacent &= ~(forbidden & forbidden.T)
        keep = required | required.T
        adjacent, self.separating_sets_, unions = _skeleton(
            self.ci_test_,
            adjacent,
            keep,
            self.alpha,
            self.max_cond_vars,
            self.n_jobs,
            self.verbose,
        )
        P = adjacent.copy()
        self.ambiguous_triples_ = _orient_colliders(
            P,
            _unshielded_triples(adjacent),
            unions,
            self.orientation,
            self.ci_test_,
            self.alpha,
            self.max_cond_vars,
            self.n_jobs,
            required,
            forbidden,
        )
        orient_by_knowledge(P, required, forbidden)
        if self.orientation == "standard":
            _meek_in_order(P)
            if required.any() or forbidden.any():
                _meek_closure(P)  # R4, which only knowledge can trigger
        else:
            _meek_closure_simultaneous(P)
        problems = knowledge_violations(P, required, forbidden)
        if problems:  # pragma: no cover - guarded by construction
            raise RuntimeError("PC output breaks background knowledge: " + problems[0])

        self.adjacency_matrix_ = P.astype(np.float64)
        self.graph_type_ = "cpdag"
        self.n_tests_ = int(self.ci_test_.n_tests_)
        dag, self.dag_is_extension_ = _consistent_extension(self.adjacency_matrix_)
        self.dag_ = dag.astype(np.float64)
        stats = SufficientStats.from_data(X)
        self._coef = refit_least_squares(dag, stats)
        variance = noise_variance_from_stats(self._coef, stats, equal_variances=False)
        floor = max(
            np.finfo(float).eps * float(np.mean(np.diag(stats.covariance))),
            np.finfo(float).tiny,
        )
        self._noise_variance = np.maximum(variance, floor)
        self._mean = stats.mean.copy()
        return self

    def _make_test(self, X, kinds, names) -> CITest:
        ci_test = self.ci_test
        if isinstance(ci_test, str) and ci_test == "auto":
            categorical = _categorical_mask(
                self.categorical_features, kinds, X.shape[1], names
            )
            if categorical.all():
                ci_test = "gsq"
            elif not categorical.any():
                ci_test = "fisherz"
            else:
                cols = np.flatnonzero(categorical).tolist()
                raise ValueError(
                    f"X mixes categorical columns {cols} with continuous ones; no "
                    "built-in test handles mixed data. Pass ci_test='kci', or "
                    "ci_test='fisherz' to treat the codes as numbers."
                )
        elif self.categorical_features is not None:
            _categorical_mask(self.categorical_features, kinds, X.shape[1], names)
        test = make_ci_test(ci_test)
        return test.fit(X)

    def score(self, X, y=None) -> float:
        """Mean Gaussian log-likelihood per sample of the linear SEM on ``dag_``.

        Edge weights are the least-squares fit of every node on its parents in
        ``dag_`` and the noise variances the per-node training residual variances;
        ``X`` is centred at the training means. Higher is better; no penalty (see
        :meth:`bic`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data, usually held out.
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        check_is_fitted(self, "adjacency_matrix_")
        X = validate_X(self, X, reset=False)
        return gaussian_log_likelihood(
            self._coef,
            SufficientStats.from_data(X),
            self._noise_variance,
            mean=self._mean,
        )

    def bic(self, X) -> float:
        """Bayesian information criterion of the SEM on ``dag_`` (lower is better).

        ``-2 n score(X) + k log n`` with ``k`` = edges + ``d`` intercepts + ``d``
        noise variances.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data (usually the training data).

        Returns
        -------
        bic : float
        """
        check_is_fitted(self, "adjacency_matrix_")
        n = validate_X(self, X, reset=False).shape[0]
        k = int(np.count_nonzero(self.dag_)) + 2 * self.dag_.shape[0]
        return -2.0 * n * self.score(X) + k * np.log(n)
