"""Estimate the effect of a discrete source on a target, given a causal graph.

:func:`estimate_effect` joins the two halves of the package: the graph tells which
variables to use (:func:`skcausal.graph.identify` -- back-door adjustment or the
front door), and an effect learner or a regressor turns the data into a number.

* Back-door: with a valid adjustment set ``Z``,
  ``E[Y | do(X = x)] = E_Z[ E[Y | X = x, Z] ]``, which is what every skcausal
  effect learner estimates when it is fitted on the columns of ``Z`` with the
  source as ``treatment`` (Pearl, 2009, Theorem 3.3.2).
* Front-door: with mediators ``M`` satisfying the front-door criterion,
  ``E[Y | do(X = x)] = sum_m P(m | x) sum_x' P(x') E[Y | X = x', M = m]``
  (Pearl, 2009, Theorem 3.3.4), estimated by a plug-in (see
  :func:`estimate_effect`, Notes).

References
----------
J. Pearl, "Causality", 2nd edition, Cambridge University Press, 2009, Section 3.3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils import check_array

from skcausal.effects import DRLearner
from skcausal.effects._base import clone_with_seed, default_model_y, spawn_seeds
from skcausal.graph._adjustment import (
    Identification,
    _check_dag,
    _check_latent,
    _frontdoor_set,
    _minimal_set,
    _optimal_set,
    identify,
)
from skcausal.graph._dag import _check_node

__all__ = ["EffectEstimate", "estimate_effect"]

_STRATEGIES = ("auto", "backdoor", "frontdoor")
_ADJUSTMENTS = ("optimal", "minimal")


@dataclass
class EffectEstimate:
    """The result of :func:`estimate_effect`.

    Attributes
    ----------
    ate : float or ndarray of shape (n_levels - 1,)
        Average causal effect ``E[y | do(source = level)] - E[y | do(source =
        levels[0])]``: a float for a binary source (``levels[1]`` against
        ``levels[0]``), one entry per level ``levels[1:]`` for a categorical one.
        Zero for ``strategy == "no_effect"``.
    strategy : {"no_effect", "backdoor", "frontdoor"}
        How the effect was identified and estimated.
    levels : ndarray of shape (n_levels,)
        The sorted values of the source; ``levels[0]`` is the reference.
    adjustment_set : tuple of int or None
        Graph nodes adjusted for (back-door only; ``()`` means none needed).
    adjustment_columns : tuple of int or None
        The columns of ``X`` holding ``adjustment_set``.
    mediators : tuple of int or None
        Graph nodes used as front-door mediators (front-door only).
    mediator_columns : tuple of int or None
        The columns of ``X`` holding ``mediators``.
    learner : estimator, list of estimators or None
        Back-door only: the fitted effect learner (binary source), or one fitted
        learner per level ``levels[1:]``, each on the units at that level or at the
        reference (categorical source).
    model_y : regressor or None
        Front-door only: the fitted outcome regression ``E[y | source, mediators]``.
    interventional_means : ndarray of shape (n_levels,) or None
        Front-door only: the estimated ``E[y | do(source = level)]`` per level.
    identification : Identification
        The graphical analysis (:func:`skcausal.graph.identify`).
    """

    ate: Any
    strategy: str
    levels: np.ndarray
    adjustment_set: tuple[int, ...] | None = None
    adjustment_columns: tuple[int, ...] | None = None
    mediators: tuple[int, ...] | None = None
    mediator_columns: tuple[int, ...] | None = None
    learner: Any = None
    model_y: Any = None
    interventional_means: np.ndarray | None = None
    identification: Identification | None = field(default=None, repr=False)


# ----------------------------------------------------------------------------------
# Input handling
# ----------------------------------------------------------------------------------
def _observed_nodes(n_nodes: int, target: int, latent: set[int]) -> list[int]:
    return [v for v in range(n_nodes) if v != target and v not in latent]


def _check_data(X, y, observed, target):
    X = check_array(
        X,
        dtype=np.float64,
        ensure_all_finite=True,
        ensure_min_samples=2,
        input_name="X",
    )
    if X.shape[1] != len(observed):
        raise ValueError(
            f"X has {X.shape[1]} columns but the graph has {len(observed)} observed "
            f"nodes other than the target {target}: X must hold one column per "
            f"such node, in node order (nodes {observed})."
        )
    y = check_array(
        y, ensure_2d=False, dtype=np.float64, ensure_all_finite=True, input_name="y"
    )
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must be 1-D with one value per row of X ({X.shape[0]}); got shape "
            f"{y.shape}."
        )
    return X, y


def _source_levels(values: np.ndarray, source: int) -> np.ndarray:
    levels = np.unique(values)
    if not np.all(levels == np.round(levels)):
        raise ValueError(
            f"the source node {source} takes non-integer values, i.e. it looks "
            "continuous; estimate_effect handles a binary or categorical source "
            "(integer-coded levels). For a continuous source, fit a "
            "skcausal.scm.StructuralCausalModel on the graph and use its "
            "average_causal_effect(source, target, values=(a, b))."
        )
    if levels.size < 2:
        raise ValueError(
            f"the source node {source} takes a single value ({levels[0]:g}); an "
            "effect needs at least two levels."
        )
    return levels


# ----------------------------------------------------------------------------------
# Estimators
# ----------------------------------------------------------------------------------
def _backdoor(X, y, treatment, levels, columns, learner, random_state):
    """Fit the effect learner on the adjustment columns, one contrast per level."""
    # An empty adjustment set still needs a feature: a constant column makes every
    # nuisance model fit a plain mean, so the learner returns a difference of means.
    Z = X[:, list(columns)] if columns else np.ones((X.shape[0], 1))
    template = DRLearner() if learner is None else learner
    seeds = spawn_seeds(random_state, levels.size - 1)
    fitted, effects = [], []
    for k, level in enumerate(levels[1:]):
        rows = (treatment == levels[0]) | (treatment == level)
        model = clone_with_seed(template, seeds[k])
        model.fit(Z[rows], y[rows], treatment=(treatment[rows] == level).astype(int))
        fitted.append(model)
        if levels.size == 2 and hasattr(model, "ate"):
            effects.append(float(model.ate(Z)))
        else:  # average the conditional effect over the whole population
            effects.append(float(np.mean(model.predict(Z))))
    if levels.size == 2:
        return effects[0], fitted[0]
    return np.asarray(effects), fitted


def _frontdoor(X, y, treatment, levels, columns, model_y, random_state):
    """Front-door plug-in (see estimate_effect, Notes)."""
    M = X[:, list(columns)]
    onehot = (treatment[:, None] == levels[None, 1:]).astype(np.float64)
    template = default_model_y() if model_y is None else model_y
    if is_classifier(template):
        raise TypeError(
            f"model_y must be a regressor of y on the source and the mediators; got "
            f"the classifier {type(template).__name__}."
        )
    model = clone_with_seed(template, spawn_seeds(random_state, 1)[0])
    model.fit(np.column_stack([onehot, M]), y)
    weights = np.array([np.mean(treatment == level) for level in levels])
    means = np.empty(levels.size)
    for a, level in enumerate(levels):
        M_a = M[treatment == level]  # draws from P(m | x = level)
        inner = np.zeros(M_a.shape[0])
        for b in range(levels.size):  # sum over x' with P(x')
            code = np.zeros((M_a.shape[0], levels.size - 1))
            if b > 0:
                code[:, b - 1] = 1.0
            inner += weights[b] * model.predict(np.column_stack([code, M_a]))
        means[a] = np.mean(inner)
    effects = means[1:] - means[0]
    ate = float(effects[0]) if levels.size == 2 else effects
    return ate, model, means


def estimate_effect(
    X,
    y,
    graph,
    source: int,
    *,
    target: int | None = None,
    latent=None,
    strategy: str = "auto",
    adjustment: str = "optimal",
    learner=None,
    model_y=None,
    random_state=None,
) -> EffectEstimate:
    """Estimate the average causal effect of a discrete source, guided by a graph.

    The graph is analysed with :func:`skcausal.graph.identify`; then

    * back-door: a clone of ``learner`` is fitted on the columns of the adjustment
      set with ``treatment`` = the source column, and its ATE is reported;
    * front-door: the front-door formula is estimated by a plug-in with the
      regressor ``model_y`` (see Notes);
    * no directed path from source to target: the effect is zero, nothing is
      fitted;
    * neither criterion applies: a ValueError gives the reason.

    **How the graph maps to the data.** The graph has ``d`` nodes; ``target`` is
    the node of ``y`` (by default the last one, ``d - 1``); ``latent`` nodes have no
    data. ``X`` holds one column per remaining node, in increasing node order. In
    the common case -- no latent nodes and ``y`` the last node -- the graph has
    ``n_features + 1`` nodes and column ``j`` of ``X`` is node ``j``. ``source``,
    ``target``, ``latent`` and every set in the result are node indices; the result
    also gives the matching column indices of ``X``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_observed)
        One column per observed node other than the target (see above). Finite.
    y : array-like of shape (n_samples,)
        The target.
    graph : array-like of shape (d, d)
        A DAG over all variables, the target and the latent nodes included;
        ``graph[i, j] != 0`` is the edge ``i -> j``.
    source : int
        Node of the treatment; its column must hold a binary or categorical
        variable coded by integers (e.g. 0/1 or 0/1/2). The smallest value is the
        reference level.
    target : int, default=None
        Node of ``y``; None means the last node.
    latent : iterable of int, default=None
        Unobserved nodes (no column in ``X``), never adjusted for.
    strategy : {"auto", "backdoor", "frontdoor"}, default="auto"
        ``"auto"`` follows :func:`~skcausal.graph.identify` (back door first).
        ``"backdoor"`` / ``"frontdoor"`` force one; a ValueError says when the
        graph does not support it.
    adjustment : {"optimal", "minimal"}, default="optimal"
        Which adjustment set the back door uses: the optimal set ``O(x, y)``
        (smallest asymptotic variance; used when it exists and is observed, else
        the minimal set) or a minimal set.
    learner : effect learner, default=None
        Any skcausal effect learner (``fit(X, y, treatment=...)``), cloned;
        ``None`` uses :class:`~skcausal.effects.DRLearner` with its defaults.
        Unset ``random_state`` parameters are seeded from ``random_state``.
    model_y : regressor, default=None
        Front-door outcome model ``E[y | source, mediators]``, cloned; ``None`` uses
        ``GradientBoostingRegressor(max_depth=2)`` (the effect learners' default).
    random_state : int, RandomState instance or None, default=None
        Seeds the cloned models whose ``random_state`` is unset.

    Returns
    -------
    EffectEstimate
        ``ate``, the strategy, the sets used, the fitted models and the
        :class:`~skcausal.graph.Identification`.

    Raises
    ------
    ValueError
        Bad graph (cycle, node out of range), ``X`` with the wrong number of
        columns, a continuous or constant source, an effect that the graph does not
        identify by the back or front door, or a forced strategy that does not
        apply.

    See Also
    --------
    skcausal.graph.identify : The graphical analysis.
    skcausal.scm.StructuralCausalModel : Effects of continuous sources, by
        simulation from fitted mechanisms.

    Notes
    -----
    Back-door with a categorical source of levels ``l_0 < l_1 < ... < l_K``: for
    each ``k`` one learner is fitted on the units at ``l_0`` or ``l_k`` (binary
    treatment ``1{x = l_k}``), and the effect is the mean of its conditional
    effect over **all** units. An empty adjustment set is passed to the learner as
    a constant column.

    Front-door plug-in (Pearl, 2009, Theorem 3.3.4)::

        E[y | do(x = a)] = sum_m P(m | a) sum_x' P(x') E[y | x', m]
                         ~ 1/n_a sum_{i: x_i = a} sum_x' p(x') mu(x', m_i)

    where ``mu`` is ``model_y`` fitted on (one-hot source, mediators) and ``p(x')``
    the observed level frequencies: the inner sum averages over the source's
    marginal, the outer one over the mediators observed at ``x = a`` (their
    empirical conditional distribution, so mediators of any type work). It is
    consistent when ``mu`` is, and needs every level to be observed with the
    mediator values of every other level (positivity).

    References
    ----------
    .. [1] J. Pearl, "Causality", 2nd edition, Cambridge University Press, 2009,
       Sections 3.3.1-3.3.2.
    .. [2] J. Pearl, "Causal diagrams for empirical research", Biometrika 82(4),
       1995.

    Examples
    --------
    A confounder ``c`` (node 0) of a binary treatment ``t`` (node 1) and of ``y``
    (node 2); the true effect is 2, the naive difference of means is not:

    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skcausal.effects import TLearner
    >>> from skcausal.scm import estimate_effect
    >>> rng = np.random.default_rng(0)
    >>> c = rng.normal(size=2000)
    >>> t = (0.7 * c + rng.normal(size=2000) > 0).astype(int)
    >>> y = 2.0 * t + 3.0 * c + rng.normal(size=2000)
    >>> graph = np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]])
    >>> result = estimate_effect(
    ...     np.column_stack([c, t]),
    ...     y,
    ...     graph,
    ...     source=1,
    ...     learner=TLearner(model_y=LinearRegression()),
    ... )
    >>> result.strategy, result.adjustment_set
    ('backdoor', (0,))
    >>> naive = y[t == 1].mean() - y[t == 0].mean()
    >>> bool(abs(result.ate - 2.0) < 0.1), bool(abs(naive - 2.0) > 2.0)
    (True, True)
    """
    if strategy not in _STRATEGIES:
        raise ValueError(f"strategy must be one of {_STRATEGIES}; got {strategy!r}.")
    if adjustment not in _ADJUSTMENTS:
        raise ValueError(
            f"adjustment must be one of {_ADJUSTMENTS}; got {adjustment!r}."
        )
    A = _check_dag(graph)
    d = A.shape[0]
    target = d - 1 if target is None else _check_node(target, d, "target")
    source = _check_node(source, d, "source")
    if source == target:
        raise ValueError(
            f"source and target must be different nodes; both are {source}."
        )
    latent = _check_latent(latent, d, source, target)
    observed = _observed_nodes(d, target, latent)
    column = {node: k for k, node in enumerate(observed)}
    X, y = _check_data(X, y, observed, target)
    treatment = X[:, column[source]]
    levels = _source_levels(treatment, source)
    identification = identify(A, source, target, latent=sorted(latent))

    chosen = identification.strategy if strategy == "auto" else strategy
    if chosen == "none":
        raise ValueError(
            f"The effect of node {source} on node {target} is not identified by "
            f"the back-door or front-door criterion: {identification.reason}"
        )
    common = {"levels": levels, "identification": identification}
    if chosen == "no_effect":
        zero = 0.0 if levels.size == 2 else np.zeros(levels.size - 1)
        return EffectEstimate(ate=zero, strategy="no_effect", **common)
    if chosen == "backdoor":
        optimal = _optimal_set(A, source, target, latent)
        minimal = _minimal_set(A, source, target, latent, "adjustment")
        nodes = optimal if adjustment == "optimal" and optimal is not None else minimal
        if nodes is None:
            raise ValueError(
                f"strategy='backdoor': no set of observed nodes is a valid adjustment "
                f"set for the effect of node {source} on node {target}."
            )
        columns = tuple(column[v] for v in nodes)
        ate, fitted = _backdoor(X, y, treatment, levels, columns, learner, random_state)
        return EffectEstimate(
            ate=ate,
            strategy="backdoor",
            adjustment_set=nodes,
            adjustment_columns=columns,
            learner=fitted,
            **common,
        )
    mediators = _frontdoor_set(A, source, target, latent)
    if mediators is None:
        raise ValueError(
            f"strategy='frontdoor': no set of observed mediators satisfies the "
            f"front-door criterion for the effect of node {source} on node {target}."
        )
    columns = tuple(column[v] for v in mediators)
    ate, model, means = _frontdoor(
        X, y, treatment, levels, columns, model_y, random_state
    )
    return EffectEstimate(
        ate=ate,
        strategy="frontdoor",
        mediators=mediators,
        mediator_columns=columns,
        model_y=model,
        interventional_means=means,
        **common,
    )
