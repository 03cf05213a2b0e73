"""Pieces shared by the discovery estimators.

* :func:`resolve_edge_constraints` turns the ``forbidden_edges`` / ``required_edges``
  parameters (index pairs, name pairs or boolean masks) into validated boolean masks.
* :func:`standardizing_scale` gives the column scales a ``standardize=True`` fit uses.
* :func:`smallest_acyclic_threshold` gives the edge threshold of ``w_threshold="auto"``:
  the smallest one whose thresholded graph is a DAG.
* :func:`prefers_equal_variances` and :func:`refine_dag` are the optional hill-climbing
  refinement of a thresholded graph (``refine=True`` or ``"auto"``).
* :class:`LinearSEMMixin` turns the weights found by a continuous optimiser of a linear
  SEM (NOTEARS, DAGMA, GOLEM, ...) into the fitted model -- a DAG, least-squares
  refitted weights, intercepts, noise variances, a causal order -- and derives from it
  ``predict``, ``transform``, ``inverse_transform``, ``score``, ``bic`` and
  ``get_feature_names_out``.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import TransformerMixin, _fit_context
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_array,
    check_is_fitted,
)

from skcausal._sem import (
    SufficientStats,
    gaussian_log_likelihood,
    noise_variance_from_stats,
    refit_least_squares,
)
from skcausal._validation import validate_X
from skcausal.discovery._hill_climb import hill_climb
from skcausal.graph import (
    edges_to_mask,
    find_cycle,
    is_dag,
    threshold_to_dag,
    topological_order,
)
from skcausal.scores import GaussianBICScore

__all__ = [
    "LinearSEMMixin",
    "LinearSEMModelMixin",
    "prefers_equal_variances",
    "refine_dag",
    "resolve_edge_constraints",
    "smallest_acyclic_threshold",
    "standardizing_scale",
]

_TINY = np.finfo(np.float64).tiny
_EPS = np.finfo(np.float64).eps


def _edge_mask_param(edges, name: str, n_features: int, feature_names) -> np.ndarray:
    """One prior-knowledge parameter as a (d, d) bool mask, errors naming ``name``."""
    if edges is None:
        return np.zeros((n_features, n_features), dtype=bool)
    names = None if feature_names is None else [str(f) for f in feature_names]
    try:
        mask = edges_to_mask(edges, n_features, feature_names=names)
    except (TypeError, ValueError) as exc:
        hint = ""
        if names is None and "feature_names" in str(exc):
            hint = (
                " Node names can be used only when X is a DataFrame with column names."
            )
        raise type(exc)(f"{name}: {exc}{hint}") from exc
    loops = np.flatnonzero(np.diagonal(mask))
    if loops.size:
        node = _node_label(int(loops[0]), names)
        raise ValueError(
            f"{name} contains the self-loop {node} -> {node}; an edge needs two "
            "different nodes."
        )
    return mask


def _node_label(k: int, names) -> str:
    return repr(names[k]) if names is not None else str(k)


def resolve_edge_constraints(
    forbidden_edges, required_edges, n_features: int, feature_names=None
) -> tuple[np.ndarray, np.ndarray]:
    """Validate prior knowledge and return it as two boolean masks.

    Parameters
    ----------
    forbidden_edges, required_edges : None, bool array of shape (d, d) or iterable \
            of pairs
        Edges ``i -> j`` given as a boolean (or 0/1 numpy) mask with ``mask[i, j]``
        meaning ``i -> j``, or as ``(i, j)`` pairs of column indices, or of column names
        when the estimator was fitted on a DataFrame (see
        :func:`skcausal.graph.edges_to_mask`).
    n_features : int
        Number of nodes ``d``.
    feature_names : array-like of str, default=None
        ``feature_names_in_`` of the estimator, which lets pairs name columns.

    Returns
    -------
    forbidden : ndarray of shape (d, d), dtype bool
    required : ndarray of shape (d, d), dtype bool

    Raises
    ------
    ValueError
        For an unknown name, an index out of range, a self-loop, an edge that is both
        required and forbidden, or required edges that contain a directed cycle (the
        message names the offending edge or cycle).
    TypeError
        For names given when no feature names are known, or endpoints of a wrong type.

    Examples
    --------
    >>> from skcausal.discovery._base import resolve_edge_constraints
    >>> forbidden, required = resolve_edge_constraints(
    ...     [("a", "c")], [("a", "b")], 3, feature_names=["a", "b", "c"]
    ... )
    >>> forbidden.astype(int)
    array([[0, 0, 1],
           [0, 0, 0],
           [0, 0, 0]])
    """
    names = None if feature_names is None else [str(f) for f in feature_names]
    forbidden = _edge_mask_param(forbidden_edges, "forbidden_edges", n_features, names)
    required = _edge_mask_param(required_edges, "required_edges", n_features, names)
    both = np.argwhere(forbidden & required)
    if both.size:
        i, j = (_node_label(int(k), names) for k in both[0])
        raise ValueError(
            f"The edge {i} -> {j} is both required and forbidden; "
            "required_edges and forbidden_edges must not overlap."
        )
    cycle = find_cycle(required)
    if cycle is not None:
        path = " -> ".join(_node_label(int(k), names) for k in [*cycle, cycle[0]])
        raise ValueError(
            f"required_edges contain the directed cycle {path}; the output of a DAG "
            "method cannot contain them all."
        )
    return forbidden, required


def standardizing_scale(stats: SufficientStats) -> np.ndarray:
    """Column standard deviations (divisor n) used to standardise; 1 if constant.

    Parameters
    ----------
    stats : SufficientStats
        Statistics of the training data.

    Returns
    -------
    scale : ndarray of shape (d,)
        Positive scales; the standardised data are ``(X - mean) / scale``.
    """
    scale = np.sqrt(np.maximum(np.diagonal(stats.covariance), 0.0))
    scale[~(scale > 10 * _EPS * np.maximum(1.0, np.abs(stats.mean)))] = 1.0
    return scale


def smallest_acyclic_threshold(weights, required=None) -> float:
    """Smallest edge threshold whose thresholded graph is a DAG.

    Returns the smallest ``t >= 0`` such that the graph with the edges
    ``{(i, j) : |weights[i, j]| > t}`` plus the ``required`` edges is acyclic. The
    graph only changes when ``t`` crosses one of the distinct magnitudes
    ``|weights[i, j]|`` of the non-required entries, and acyclicity is monotone in
    ``t`` (a larger threshold keeps a subset of the edges), so ``t`` is found by
    bisection over ``0`` and those sorted magnitudes: ``O(log d)`` acyclicity tests.

    Parameters
    ----------
    weights : array-like of shape (d, d)
        Weighted adjacency matrix, ``weights[i, j]`` for the edge ``i -> j``.
    required : bool array of shape (d, d), default=None
        Edges that are kept whatever their weight (they must be acyclic by
        themselves); their magnitudes are not candidates.

    Returns
    -------
    threshold : float
        ``0.0`` when the non-zero entries already form a DAG, otherwise one of the
        magnitudes of ``weights``; thresholding with it (``|w| <= threshold``
        dropped) leaves no cycle to break.

    Raises
    ------
    ValueError
        If the required edges alone contain a cycle.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.discovery._base import smallest_acyclic_threshold
    >>> W = np.array([[0.0, 1.5, 0.0], [0.0, 0.0, 0.9], [0.2, 0.0, 0.0]])
    >>> smallest_acyclic_threshold(W)  # dropping 2 -> 0 (|w| = 0.2) breaks the cycle
    0.2
    >>> smallest_acyclic_threshold(np.triu(W))
    0.0
    """
    magnitude = np.abs(np.asarray(weights, dtype=np.float64))
    d = magnitude.shape[0]
    required = (
        np.zeros((d, d), dtype=bool) if required is None else np.asarray(required)
    )
    if not is_dag(required):
        raise ValueError("The required edges contain a directed cycle.")
    free = ~required & (magnitude > 0)
    candidates = np.concatenate([[0.0], np.unique(magnitude[free])])

    def acyclic(k: int) -> bool:
        return is_dag(required | (free & (magnitude > candidates[k])))

    # The last candidate keeps only the required edges, which are acyclic.
    low, high = 0, candidates.size - 1
    while low < high:
        middle = (low + high) // 2
        if acyclic(middle):
            high = middle
        else:
            low = middle + 1
    return float(candidates[low])


def prefers_equal_variances(support, stats: SufficientStats) -> bool:
    """Whether the Gaussian BIC of the DAG ``support`` prefers one noise variance.

    Compares the equal-variance model (one pooled variance) with the per-node model
    (``d - 1`` more parameters) on the same graph: True when
    ``n (d log mean_j v_j - sum_j log v_j) <= (d - 1) log n``, the ``v_j`` being the
    least-squares residual variances. This is the condition under which the
    equal-variance score that the refinement climbs is a trustworthy criterion.

    Parameters
    ----------
    support : array-like of shape (d, d)
        A DAG; non-zero ``[i, j]`` is the edge ``i -> j``.
    stats : SufficientStats
        Statistics of the data.

    Returns
    -------
    prefers : bool

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal._sem import SufficientStats
    >>> from skcausal.discovery._base import prefers_equal_variances
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=1000)
    >>> x1 = x0 + rng.normal(size=1000)
    >>> stats = SufficientStats.from_data(np.column_stack([x0, x1]))
    >>> prefers_equal_variances([[0, 1], [0, 0]], stats)  # both noises have variance 1
    True
    >>> prefers_equal_variances([[0, 0], [1, 0]], stats)  # reversed: 2 against 1/2
    False
    """
    d, n = stats.n_features, stats.n
    equal = GaussianBICScore(stats, equal_variances=True).graph_score(support)
    per_node = GaussianBICScore(stats, equal_variances=False).graph_score(support)
    return bool(equal >= per_node - 0.5 * (d - 1) * np.log(n))


def refine_dag(
    dag,
    stats: SufficientStats,
    *,
    refine="auto",
    equal_variances: bool = True,
    forbidden=None,
    required=None,
    ebic_gamma: float = 0.0,
) -> tuple[np.ndarray, bool]:
    """Improve a thresholded DAG by greedy hill climbing on a Gaussian BIC.

    The climb (:func:`~skcausal.discovery._hill_climb.hill_climb`: add, delete or
    reverse one edge at a time) starts from ``dag`` and maximises the Gaussian BIC
    with the given variance model. With ``ebic_gamma > 0`` the score is the extended
    BIC of Chen and Chen [1]_, which adds ``2 gamma log(d)`` per edge to the
    ``log(n) / 2`` of the BIC (in log-likelihood units): the prior that accounts for
    the ``d (d - 1)`` candidate edges, under which the BIC of a large graph admits
    too many false edges.

    Parameters
    ----------
    dag : array-like of shape (d, d)
        The starting DAG (weights or a boolean mask).
    stats : SufficientStats
        Statistics of the data, in the units the graph was found in.
    refine : bool or "auto", default="auto"
        False returns ``dag`` unchanged; True the refined graph; ``"auto"`` the
        refined graph only when :func:`prefers_equal_variances` holds for it (the
        condition under which the equal-variance score is trustworthy), and ``dag``
        otherwise.
    equal_variances : bool, default=True
        The variance model of the score.
    forbidden, required : bool ndarray of shape (d, d), default=None
        Edges the climb never adds, and edges it never deletes or reverses.
    ebic_gamma : float, default=0.0
        The extended-BIC parameter ``gamma`` (0: the plain BIC).

    Returns
    -------
    dag : ndarray of shape (d, d)
        Least-squares weights of the refined graph, or ``dag`` (as float) when it is
        kept.
    refined : bool
        Whether the refined graph is returned.

    References
    ----------
    .. [1] J. Chen and Z. Chen, "Extended Bayesian information criteria for model
       selection with large model spaces", Biometrika 95(3), 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal._sem import SufficientStats
    >>> from skcausal.discovery._base import refine_dag
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=1000)
    >>> x1 = x0 + rng.normal(size=1000)
    >>> stats = SufficientStats.from_data(np.column_stack([x0, x1]))
    >>> dag, refined = refine_dag(np.array([[0.0, 0.0], [0.5, 0.0]]), stats)
    >>> (dag != 0).astype(int), refined  # the reversed edge is repaired
    (array([[0, 1],
           [0, 0]]), True)
    """
    dag = np.array(dag, dtype=np.float64)
    if not refine:
        return dag, False
    if not ebic_gamma >= 0:
        raise ValueError(f"ebic_gamma must be non-negative; got {ebic_gamma}.")
    d = stats.n_features
    penalty = 1.0 + 4.0 * ebic_gamma * np.log(d) / np.log(stats.n)
    score = GaussianBICScore(stats, equal_variances=equal_variances, penalty=penalty)
    refined, _ = hill_climb(dag, score, forbidden=forbidden, required=required)
    auto = isinstance(refine, str) and refine == "auto"
    if auto and not prefers_equal_variances(refined, stats):
        return dag, False
    return refit_least_squares(refined, stats), True


def _to_input_units(W: np.ndarray, scale) -> np.ndarray:
    """Weights fitted on ``X / scale`` expressed for ``X``: ``W[i, j] * s_j / s_i``."""
    if scale is None:
        return W.copy()
    return W * np.outer(1.0 / scale, scale)


class LinearSEMModelMixin(TransformerMixin):
    """The fitted linear SEM and its public methods, without ``partial_fit``.

    An estimator calls :meth:`_set_linear_sem` at the end of ``fit`` with the weights
    its optimiser found; the mixin then provides the public methods. The model, in the
    units of the input, is ``x_j = intercept_j + sum_i coef_[i, j] x_i + e_j`` with
    ``e_j ~ N(0, noise_variance_[j])``. Estimators that need the rows of the data (a
    cross-validated selector) use this mixin; those that fit from sufficient statistics
    use :class:`LinearSEMMixin`, which adds ``partial_fit``.

    Subclasses set the class attribute ``_equal_variances`` (True when the loss assumes
    equal noise variances, so ``noise_variance_`` is pooled and counts as one parameter
    in :meth:`bic`).
    """

    _equal_variances = True

    def _set_linear_sem(
        self,
        weights,
        stats: SufficientStats,
        *,
        w_threshold: float,
        required,
        scale=None,
        refit: bool = True,
        equal_variances: bool | None = None,
        refine: bool | str = False,
        forbidden=None,
        ebic_gamma: float = 0.0,
    ):
        """Threshold, optionally refine, refit and store the fitted linear SEM.

        Parameters
        ----------
        weights : ndarray of shape (d, d)
            Optimiser weights, in the units the optimiser saw (``X / scale``).
        stats : SufficientStats
            Statistics of the training data in the units of the input.
        w_threshold : float or "auto"
            Edges with ``|w| <= w_threshold`` are dropped (required edges excepted).
            ``"auto"`` uses :func:`smallest_acyclic_threshold` of the weights: the
            smallest threshold that leaves a DAG, so no cycle needs breaking. The value
            used is stored in ``w_threshold_`` (in the optimiser's units).
        required : ndarray of shape (d, d), dtype bool
            Required edges: kept whatever their weight, never dropped to break a cycle.
        scale : ndarray of shape (d,), default=None
            Column scales of a standardised fit (``None``: the input units).
        refit : bool, default=True
            Whether ``coef_`` holds least-squares weights on the support of
            ``adjacency_matrix_`` (True) or equals ``adjacency_matrix_`` (False).
        equal_variances : bool, default=None
            Pool the noise variances; ``None`` uses the class's ``_equal_variances``.
        refine : bool or "auto", default=False
            After thresholding, improve the graph by greedy hill climbing (add, delete
            or reverse one edge) on the Gaussian BIC with the same variance model; the
            weights of the refined graph are then least-squares weights. ``"auto"``
            keeps the refined graph only when its BIC prefers equal noise variances
            (see :func:`refine_dag`). Whether it was kept is stored in ``_refined``.
        forbidden : ndarray of shape (d, d), dtype bool, default=None
            Edges the refinement must not add.
        ebic_gamma : float, default=0.0
            Extended-BIC parameter of the refinement's score (0: the plain BIC).
        """
        if equal_variances is None:
            equal_variances = self._equal_variances
        weights = np.array(weights, dtype=np.float64)
        # A required edge with an exactly-zero optimiser weight still has to enter the
        # cycle breaking as an edge: give it a placeholder magnitude.
        placeholder = required & (weights == 0)
        weights[placeholder] = _TINY
        if isinstance(w_threshold, str) and w_threshold == "auto":
            w_threshold = smallest_acyclic_threshold(weights, required)
        dag = threshold_to_dag(weights, w_threshold, required_edges=required)
        fit_stats = stats if scale is None else stats.scaled(1.0 / scale)
        self._refined = False
        if refine:
            refined_dag, self._refined = refine_dag(
                dag,
                fit_stats,
                refine=refine,
                equal_variances=equal_variances,
                forbidden=forbidden,
                required=required,
                ebic_gamma=ebic_gamma,
            )
            if self._refined:
                dag = refined_dag
                placeholder = required & (dag == 0)
                dag[placeholder] = _TINY
        support = (dag != 0) | required
        coef = refit_least_squares(support, fit_stats) if refit else dag
        variance = noise_variance_from_stats(coef, fit_stats, equal_variances)

        adjacency = _to_input_units(np.where(placeholder, 0.0, dag), scale)
        coef = _to_input_units(coef, scale)
        if scale is not None:
            variance = variance * scale**2
        # A required edge whose weight is exactly zero both in the optimiser and in the
        # least-squares refit (degenerate data) is stored with the smallest positive
        # float, so that it remains an edge of the output.
        missing = required & (adjacency == 0)
        adjacency[missing] = coef[missing]
        adjacency[required & (adjacency == 0)] = _TINY
        if not refit:
            coef = adjacency.copy()
        # Keep variances positive when a node is numerically a function of its parents.
        floor = max(_EPS * float(np.mean(np.diagonal(stats.covariance))), _TINY)

        self.adjacency_matrix_ = adjacency
        self.w_threshold_ = float(w_threshold)
        self.coef_ = coef
        self.mean_ = stats.mean.copy()
        self.intercept_ = self.mean_ - self.mean_ @ coef
        self.noise_variance_ = np.maximum(variance, floor)
        self.causal_order_ = topological_order(adjacency)
        self.graph_type_ = "dag"
        self.n_samples_seen_ = stats.n
        self._stats = stats  # what partial_fit merges the next chunk into
        self._n_noise_parameters = 1 if equal_variances else stats.n_features
        return self

    def predict(self, X) -> np.ndarray:
        """Apply the structural equations: predict every column from its parents.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units of the training input.

        Returns
        -------
        X_pred : ndarray of shape (n_samples, n_features)
            ``X_pred[:, j] = intercept_[j] + X @ coef_[:, j]``; a root node gets its
            training mean.
        """
        check_is_fitted(self, "coef_")
        X = validate_X(self, X, reset=False)
        return X @ self.coef_ + self.intercept_

    def transform(self, X) -> np.ndarray:
        """Estimate the exogenous noise of every sample (abduction).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in the units of the training input.

        Returns
        -------
        E : ndarray of shape (n_samples, n_features)
            Residuals ``X - predict(X)``; column names from
            :meth:`get_feature_names_out`.
        """
        check_is_fitted(self, "coef_")
        X = validate_X(self, X, reset=False)
        return X - (X @ self.coef_ + self.intercept_)

    def inverse_transform(self, X) -> np.ndarray:
        """Generate data from exogenous noise, node by node in causal order.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Noise values ``E`` (the output of :meth:`transform`, or new noise).

        Returns
        -------
        X_gen : ndarray of shape (n_samples, n_features)
            Data with ``X_gen[:, j] = intercept_[j] + X_gen @ coef_[:, j] + E[:, j]``,
            computed in ``causal_order_``; ``inverse_transform(transform(X))`` equals
            ``X`` up to rounding.
        """
        check_is_fitted(self, "coef_")
        E = check_array(X, dtype=np.float64, ensure_all_finite=True)
        d = self.coef_.shape[0]
        if E.shape[1] != d:
            raise ValueError(
                f"X has {E.shape[1]} features, but {type(self).__name__} is expecting "
                f"{d} noise columns as input."
            )
        X_gen = np.zeros_like(E)
        for j in self.causal_order_:
            X_gen[:, j] = self.intercept_[j] + X_gen @ self.coef_[:, j] + E[:, j]
        return X_gen

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names of the :meth:`transform` columns: ``"noise_<feature name>"``.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Input feature names; defaults to ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self, "coef_")
        names = _check_feature_names_in(self, input_features)
        return np.asarray([f"noise_{name}" for name in names], dtype=object)

    def score(self, X, y=None) -> float:
        """Mean held-out Gaussian log-likelihood per sample (higher is better).

        The thresholded graph with its refitted weights ``coef_``, the training means
        and the training noise variances ``noise_variance_`` are evaluated on ``X``, in
        the units of the input. There is no complexity penalty; see :meth:`bic`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Held-out data.
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        check_is_fitted(self, "coef_")
        X = validate_X(self, X, reset=False)
        stats = SufficientStats.from_data(X)
        return gaussian_log_likelihood(
            self.coef_, stats, self.noise_variance_, mean=self.mean_
        )

    def bic(self, X) -> float:
        """Bayesian information criterion of the fitted SEM on ``X`` (lower is better).

        ``BIC = -2 n score(X) + k log(n)`` (the convention of
        :meth:`sklearn.mixture.GaussianMixture.bic`), with ``n`` the number of rows of
        ``X`` and ``k`` = number of edges + ``d`` intercepts + the number of noise
        variances (1 when pooled, ``d`` otherwise).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data (usually the training data).

        Returns
        -------
        bic : float
        """
        check_is_fitted(self, "coef_")
        n_samples = validate_X(self, X, reset=False).shape[0]
        n_parameters = (
            int(np.count_nonzero(self.adjacency_matrix_))
            + self.coef_.shape[0]
            + self._n_noise_parameters
        )
        return -2.0 * n_samples * self.score(X) + n_parameters * np.log(n_samples)


class LinearSEMMixin(LinearSEMModelMixin):
    """Fitted-model machinery shared by the continuous linear-SEM estimators.

    :class:`LinearSEMModelMixin` plus ``partial_fit``: an estimator implements
    ``_fit_stats(stats)`` (fit from the sufficient statistics of all the data seen) and
    calls :meth:`_set_linear_sem` at its end.
    """

    def _fit_stats(self, stats: SufficientStats):  # pragma: no cover - abstract
        """Fit from sufficient statistics; each estimator implements it."""
        raise NotImplementedError

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the DAG and the linear SEM from data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, at least 2 samples and 2 features, finite. Not modified.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X = validate_X(self, X, reset=True, ensure_min_features=2)
        return self._fit_stats(SufficientStats.from_data(X))

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Add a chunk of data and refit on everything seen so far.

        The sufficient statistics of the chunks are merged exactly, so a sequence of
        ``partial_fit`` calls gives the model that ``fit`` gives on all the chunks at
        once (up to rounding), while holding only ``d x d`` numbers between calls: data
        larger than memory can be streamed. Each call re-runs the optimisation, whose
        cost does not depend on the number of samples. ``fit`` starts afresh.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of data (the first chunk needs at least 2 rows and 2 columns).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The estimator, fitted on all the chunks seen.
        """
        first_call = not hasattr(self, "_stats")
        X = validate_X(self, X, reset=first_call, ensure_min_features=2)
        chunk = SufficientStats.from_data(X)
        return self._fit_stats(chunk if first_call else self._stats.merge(chunk))
