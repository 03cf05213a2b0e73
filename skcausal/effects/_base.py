"""Shared pieces of every treatment-effect learner.

One place for what all learners do the same way: validating ``treatment`` (with an
error that points to metadata routing when it is missing), cloning and seeding nuisance
models, fitting the propensity model with its overlap check and clipping, the
doubly-robust pseudo-outcome and the ``score`` built on it, and cross-fitted nuisances
for comparing learners on equal terms.

The doubly-robust (AIPW) pseudo-outcome and its use as a regression target for the
CATE follow E. H. Kennedy, "Towards optimal doubly robust estimation of heterogeneous
causal effects", arXiv:2004.14497, 2020 (Electronic Journal of Statistics 2023).
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import check_cv
from sklearn.utils import Bunch, check_array, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    has_fit_parameter,
)

from skcausal._validation import validate_X
from skcausal.base import EffectMixin

__all__ = ["cross_fit_nuisances"]

# Overlap diagnostics: units whose estimated propensity lies outside these bounds are
# counted as "near-violations"; a warning is raised when their share exceeds the
# tolerance below.
OVERLAP_BOUNDS = (0.05, 0.95)
OVERLAP_WARN_SHARE = 0.05

ROUTING_HINT = (
    "Inside a Pipeline, GridSearchCV or cross_validate, treatment only reaches the "
    "learner with metadata routing enabled: "
    "sklearn.set_config(enable_metadata_routing=True) (or, for one block, "
    "`with sklearn.config_context(enable_metadata_routing=True):`)."
)


def default_model_y():
    """Default outcome model: gradient boosting of depth-2 trees.

    Shallow trees (main effects and pairwise interactions) regularise the per-arm fits
    of small treatment arms better than the depth-3 default; the model is deterministic
    and single-threaded, so it behaves predictably inside ``GridSearchCV(n_jobs=...)``.
    """
    return GradientBoostingRegressor(max_depth=2)


def default_model_t():
    """Default propensity model: L2-regularised logistic regression."""
    return LogisticRegression()


# --------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------


def missing_treatment_error(name: str, method: str) -> ValueError:
    """The error raised when ``treatment`` is missing; it explains metadata routing."""
    return ValueError(
        f"{name}.{method} requires a per-sample `treatment` array (0 = control, "
        f"1 = treated); got treatment=None. Pass it as {method}(X, y, treatment=t). "
        + ROUTING_HINT
    )


def check_treatment(
    treatment,
    n_samples: int,
    *,
    name: str,
    method: str = "fit",
    both_arms: bool = True,
) -> np.ndarray:
    """Validate a per-sample treatment and return it as a 1-D array.

    Parameters
    ----------
    treatment : array-like of shape (n_samples,) or None
        Treatment indicator; bool or numeric 0/1 for binary learners.
    n_samples : int
        Number of rows of ``X``; ``treatment`` must have as many entries.
    name, method : str
        Estimator and method names used in the error messages.
    both_arms : bool, default=True
        Also require both arms to be present (fitting needs them; a held-out fold
        can be scored with one arm only).

    Returns
    -------
    treatment : ndarray of shape (n_samples,), int 0/1
    """
    if treatment is None:
        raise missing_treatment_error(name, method)
    values = np.asarray(treatment)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(
            f"treatment must be 1-D (one value per sample); got shape {values.shape}."
        )
    if values.shape[0] != n_samples:
        raise ValueError(
            f"treatment has {values.shape[0]} entries but X has {n_samples} samples; "
            "they must have the same length."
        )
    if values.dtype.kind == "b":
        values = values.astype(int)
    try:
        as_float = values.astype(np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"treatment must be numeric (0 = control, 1 = treated); got dtype "
            f"{values.dtype}."
        ) from None
    if np.isnan(as_float).any():
        raise ValueError(
            f"treatment contains NaN ({int(np.isnan(as_float).sum())} of "
            f"{n_samples} entries); every unit needs a known treatment."
        )
    if not np.isfinite(as_float).all():
        raise ValueError("treatment contains infinite values.")
    levels = np.unique(as_float)
    if not np.isin(levels, (0.0, 1.0)).all():
        shown = ", ".join(f"{v:g}" for v in levels[:6]) + (
            ", ..." if levels.size > 6 else ""
        )
        raise ValueError(
            f"{name} needs a binary treatment coded 0 (control) / 1 (treated); got "
            f"{levels.size} distinct values: [{shown}]."
        )
    if both_arms and levels.size < 2:
        arm = "treated (1)" if levels[0] == 1.0 else "control (0)"
        raise ValueError(
            f"treatment has a single arm: all {n_samples} units are {arm}. {name} "
            "needs both treated and control units; the other arm has no support."
        )
    return as_float.astype(int)


def check_outcome(y, n_samples: int) -> np.ndarray:
    """Validate a finite numeric outcome of length ``n_samples``."""
    if y is None:
        raise ValueError(
            "The effect learner requires y to be passed, but the target y is None "
            "(y is the outcome)."
        )
    y = check_array(
        y,
        ensure_2d=False,
        dtype=np.float64,
        ensure_all_finite=True,
        ensure_min_samples=1,
        input_name="y",
    )
    y = column_or_1d(y, warn=True)
    if y.shape[0] != n_samples:
        raise ValueError(
            f"y has {y.shape[0]} entries but X has {n_samples} samples; "
            "they must have the same length."
        )
    return y


def check_effect_data(
    estimator, X, y, treatment, sample_weight, *, reset: bool, method: str
):
    """Validate ``(X, y, treatment, sample_weight)`` for ``fit`` or ``score``.

    A missing treatment is reported first, because its message explains routing.
    Fitting (``reset=True``) needs both arms, with positive total weight each;
    scoring held-out data accepts a single arm.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    treatment : ndarray of shape (n_samples,), int 0/1
    sample_weight : ndarray of shape (n_samples,) or None
    """
    name = type(estimator).__name__
    if treatment is None:
        raise missing_treatment_error(name, method)
    X = validate_X(estimator, X, reset=reset)
    n_samples = X.shape[0]
    y = check_outcome(y, n_samples)
    fitting = reset
    treatment = check_treatment(
        treatment, n_samples, name=name, method=method, both_arms=fitting
    )
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        for arm, label in ((0, "control"), (1, "treated")):
            if fitting and not sample_weight[treatment == arm].sum() > 0:
                raise ValueError(
                    f"sample_weight is zero for every {label} unit: the {label} arm "
                    f"has no support, so {name} cannot compare the arms."
                )
    return X, y, treatment, sample_weight


# --------------------------------------------------------------------------------------
# Nuisance models
# --------------------------------------------------------------------------------------


def spawn_seeds(random_state, n_seeds: int) -> list:
    """Per-task integer seeds, indexed by task (``None`` when ``random_state`` is None).

    Seeds are drawn once, up front, so task ``i`` always gets seed ``i`` whatever the
    order in which (possibly parallel) tasks run.
    """
    if random_state is None:
        return [None] * n_seeds
    rng = check_random_state(random_state)
    return [int(s) for s in rng.randint(np.iinfo(np.int32).max, size=n_seeds)]


def clone_with_seed(model, seed):
    """Clone ``model``; set every unset (None) ``random_state`` in it to ``seed``.

    Nested estimators (a Pipeline's steps) are seeded too. A ``random_state`` the user
    fixed is left alone; the caller's model is never modified.
    """
    model = clone(model)
    if seed is None:
        return model
    params = model.get_params(deep=True)
    unset = {
        key: seed
        for key, value in params.items()
        if (key == "random_state" or key.endswith("__random_state")) and value is None
    }
    if unset:
        model.set_params(**unset)
    return model


def fit_model(model, X, y, sample_weight=None, *, role: str):
    """Fit ``model`` on ``(X, y)``, passing ``sample_weight`` when given."""
    if sample_weight is None:
        return model.fit(X, y)
    if not has_fit_parameter(model, "sample_weight"):
        raise ValueError(
            f"{role}={type(model).__name__} does not accept sample_weight in fit; "
            f"use a {role} that does, or fit without sample_weight."
        )
    return model.fit(X, y, sample_weight=sample_weight)


def predict_propensity(model_t, X) -> np.ndarray:
    """``P(t = 1 | x)`` from a fitted classifier (the column of class 1)."""
    proba = np.asarray(model_t.predict_proba(X))
    classes = getattr(model_t, "classes_", None)
    column = 1
    if classes is not None:
        matches = np.flatnonzero(np.asarray(classes) == 1)
        if matches.size:
            column = int(matches[0])
    return proba[:, column]


def check_overlap(propensity, treatment, *, name: str) -> float:
    """Warn on poor overlap, raise when the arms have no common support.

    Returns the share of units whose estimated propensity lies outside
    ``OVERLAP_BOUNDS``. A ``UserWarning`` is raised when that share exceeds
    ``OVERLAP_WARN_SHARE``; a ``ValueError`` when every unit lies outside the bounds
    *and* the propensity separates the arms perfectly (every control unit below every
    treated unit), i.e. there is no region where both arms are observed.
    """
    low, high = OVERLAP_BOUNDS
    outside = (propensity < low) | (propensity > high)
    share = float(np.mean(outside))
    separated = propensity[treatment == 0].max() < propensity[treatment == 1].min()
    if share == 1.0 and separated:
        raise ValueError(
            "No overlap between the arms: the estimated propensity separates treated "
            "from control units perfectly and every unit lies outside "
            f"[{low}, {high}]. "
            f"{name} cannot compare the arms where only one of them is observed; "
            "restrict the population to a region where both arms occur."
        )
    if share > OVERLAP_WARN_SHARE:
        warnings.warn(
            f"{name}: poor overlap, {share:.1%} of units have an estimated propensity "
            f"outside [{low}, {high}]; effect estimates there rest on extrapolation.",
            UserWarning,
            stacklevel=5,
        )
    return share


def clip_propensity(propensity, clip: float) -> np.ndarray:
    """Clip propensities to ``[clip, 1 - clip]``."""
    return np.clip(propensity, clip, 1.0 - clip)


# --------------------------------------------------------------------------------------
# Doubly-robust pseudo-outcome and loss
# --------------------------------------------------------------------------------------


def dr_pseudo_outcome(y, treatment, mu0, mu1, propensity) -> np.ndarray:
    """The doubly-robust (AIPW) pseudo-outcome of Kennedy (2020).

    ``phi = mu1 - mu0 + t (y - mu1) / e - (1 - t) (y - mu0) / (1 - e)``; its
    conditional mean given ``x`` is the CATE when either the outcome models or the
    propensity are correct. ``propensity`` must already be clipped away from 0 and 1.
    """
    t = np.asarray(treatment, dtype=np.float64)
    return (
        mu1
        - mu0
        + t * (y - mu1) / propensity
        - (1.0 - t) * (y - mu0) / (1.0 - propensity)
    )


def dr_loss(cate, pseudo_outcome, sample_weight=None) -> float:
    """(Weighted) mean squared difference between a CATE and the pseudo-outcome."""
    if sample_weight is not None and not np.sum(sample_weight) > 0:
        raise ValueError("sample_weight sums to zero: there is nothing to score.")
    return float(np.average((cate - pseudo_outcome) ** 2, weights=sample_weight))


# --------------------------------------------------------------------------------------
# Base class for the meta-learners
# --------------------------------------------------------------------------------------


class BaseMetaLearner(EffectMixin, BaseEstimator):
    """Shared behaviour of learners that model both potential outcomes.

    Subclasses implement ``fit`` (which must set ``models_y_`` and ``model_t_`` via
    :meth:`_fit_propensity`) and ``_predict_outcomes(X)`` on validated ``X``; this
    class derives ``predict``, ``predict_outcomes``, ``ate`` and ``score`` from them.
    """

    _parameter_constraints: dict = {
        "model_y": [HasMethods(["fit", "predict"]), None],
        "model_t": [HasMethods(["fit", "predict_proba"]), None],
        "propensity_clip": [Interval(Real, 0.0, 0.5, closed="neither")],
        "random_state": ["random_state"],
    }

    def _fit_propensity(self, X, treatment, sample_weight, seed):
        model_t = default_model_t() if self.model_t is None else self.model_t
        model_t = clone_with_seed(model_t, seed)
        fit_model(model_t, X, treatment, sample_weight, role="model_t")
        self.model_t_ = model_t
        check_overlap(
            predict_propensity(model_t, X), treatment, name=type(self).__name__
        )
        return self

    def _outcome_model(self):
        return default_model_y() if self.model_y is None else self.model_y

    def _predict_outcomes(self, X):  # pragma: no cover - abstract hook
        raise NotImplementedError

    def _propensity(self, X):
        return clip_propensity(
            predict_propensity(self.model_t_, X), self.propensity_clip
        )

    def predict_outcomes(self, X) -> np.ndarray:
        """Predict both potential outcomes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        outcomes : ndarray of shape (n_samples, 2)
            Column 0 is ``mu_0(x)`` (control), column 1 is ``mu_1(x)`` (treated).
        """
        check_is_fitted(self)
        X = validate_X(self, X, reset=False)
        return self._predict_outcomes(X)

    def predict(self, X) -> np.ndarray:
        """Predict the conditional average treatment effect ``tau(x)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        cate : ndarray of shape (n_samples,)
            ``mu_1(x) - mu_0(x)`` for learners that model the outcomes directly (S,
            T); the final model's estimate for the cross-fitted learners.
        """
        check_is_fitted(self)
        X = validate_X(self, X, reset=False)
        return self._predict_cate(X)

    def _predict_cate(self, X):
        """CATE on validated ``X``; learners with a final model override it."""
        outcomes = self._predict_outcomes(X)
        return outcomes[:, 1] - outcomes[:, 0]

    def ate(self, X) -> float:
        """Average treatment effect over the rows of ``X`` (mean of ``predict(X)``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The population to average over.

        Returns
        -------
        ate : float
        """
        return float(np.mean(self.predict(X)))

    def score(self, X, y, treatment=None, sample_weight=None) -> float:
        """Negated doubly-robust loss of the CATE on held-out data (higher is better).

        No true effect is needed: the target is the doubly-robust pseudo-outcome
        ``phi = mu1 - mu0 + t (y - mu1) / e - (1 - t) (y - mu0) / (1 - e)``
        (Kennedy, 2020) built from this learner's own fitted nuisances: ``mu0``,
        ``mu1`` from its outcome model(s) and ``e`` from ``model_t_``, clipped to
        ``[propensity_clip, 1 - propensity_clip]``. The score is
        ``-mean_i w_i (tau(x_i) - phi_i)^2 / mean_i w_i`` with ``tau = predict(X)``.
        For the S- and T-learners ``tau = mu1 - mu0``, so it equals minus the
        inverse-propensity-weighted squared error of the outcome model on each unit's
        observed arm.

        To compare learners of different families on the same footing, use
        :func:`skcausal.metrics.make_dr_scorer` with cross-fitted nuisances.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Held-out features.
        y : array-like of shape (n_samples,)
            Held-out outcomes.
        treatment : array-like of shape (n_samples,)
            Held-out binary treatment; required. Inside ``GridSearchCV`` or
            ``cross_validate`` it arrives through metadata routing.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the loss. ``Pipeline.score`` forwards them under metadata
            routing once requested with ``set_score_request(sample_weight=True)``.

        Returns
        -------
        score : float
            Minus the mean squared difference between ``predict(X)`` and ``phi``.
        """
        check_is_fitted(self)
        X, y, treatment, sample_weight = check_effect_data(
            self, X, y, treatment, sample_weight, reset=False, method="score"
        )
        outcomes = self._predict_outcomes(X)
        mu0, mu1 = outcomes[:, 0], outcomes[:, 1]
        phi = dr_pseudo_outcome(y, treatment, mu0, mu1, self._propensity(X))
        return -dr_loss(self._predict_cate(X), phi, sample_weight)


# --------------------------------------------------------------------------------------
# Cross-fitted nuisances
# --------------------------------------------------------------------------------------


def _fit_fold(model_y, model_t, X, y, treatment, sample_weight, train, test, seeds):
    """Fit the nuisances on ``train`` and predict them on ``test``."""
    sw = None if sample_weight is None else sample_weight[train]
    X_train, y_train, t_train = X[train], y[train], treatment[train]
    propensity_model = clone_with_seed(model_t, seeds[0])
    fit_model(propensity_model, X_train, t_train, sw, role="model_t")
    outcomes = np.empty((test.size, 2))
    for arm in (0, 1):
        in_arm = t_train == arm
        model = clone_with_seed(model_y, seeds[1 + arm])
        fit_model(
            model,
            X_train[in_arm],
            y_train[in_arm],
            None if sw is None else sw[in_arm],
            role="model_y",
        )
        outcomes[:, arm] = model.predict(X[test])
    return test, predict_propensity(propensity_model, X[test]), outcomes


def cross_fit_folds(X, y, treatment, cv, random_state, n_seeds: int):
    """Cross-fitting folds and per-fold nuisance seeds.

    The one fold-and-seed scheme of every cross-fitting learner and of
    :func:`cross_fit_nuisances`: an int ``cv`` gives a shuffled
    :class:`TreatmentStratifiedKFold`; fold ``i`` gets ``n_seeds`` seeds spawned from
    ``seed_root + i``, so results do not depend on the order (or the number of
    workers) in which folds are fitted. Every training fold must hold both arms.

    Returns
    -------
    folds : list of (train, test) index arrays
    fold_seeds : list of lists of ``n_seeds`` ints (or None)
    """
    from skcausal.effects._split import TreatmentStratifiedKFold

    rng = check_random_state(random_state)
    if isinstance(cv, Integral) and not isinstance(cv, bool):
        splitter = TreatmentStratifiedKFold(
            n_splits=int(cv), shuffle=True, random_state=rng.randint(2**31 - 1)
        )
        folds = list(splitter.split(X, y, treatment=treatment))
    elif isinstance(cv, str) or cv is None or isinstance(cv, bool):
        raise TypeError(
            f"cv must be an int, a splitter or an iterable of (train, test) index "
            f"arrays; got {cv!r}."
        )
    else:
        splitter = check_cv(cv)
        try:
            folds = list(splitter.split(X, y, treatment=treatment))
        except TypeError:
            folds = list(splitter.split(X, y))
    seed_root = None if random_state is None else rng.randint(2**31 - 1)
    fold_seeds = [
        spawn_seeds(None if seed_root is None else seed_root + i, n_seeds)
        for i in range(len(folds))
    ]
    for train, _ in folds:
        t_train = treatment[train]
        if t_train.min() == t_train.max():
            raise ValueError(
                "a cross-fitting training fold holds a single treatment arm; use "
                "TreatmentStratifiedKFold or fewer folds."
            )
    return folds, fold_seeds


def cross_fit_nuisances(
    X,
    y,
    treatment,
    *,
    model_y=None,
    model_t=None,
    cv=5,
    propensity_clip: float = 0.01,
    sample_weight=None,
    random_state=None,
    n_jobs=None,
) -> Bunch:
    """Out-of-fold propensity and potential-outcome predictions.

    The data are split by :class:`TreatmentStratifiedKFold`; on each training part a
    propensity model and one outcome model per arm are fitted, and they predict the
    held-out part, so every unit's nuisances come from models that never saw it.
    Routed as metadata to :func:`skcausal.metrics.make_dr_scorer` with
    ``nuisances="metadata"``, they let learners of any family be compared with one
    doubly-robust loss (Kennedy, 2020).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Outcome.
    treatment : array-like of shape (n_samples,)
        Binary treatment (0/1).
    model_y : regressor, default=None
        Outcome model, cloned per fold and arm; ``None`` uses
        ``GradientBoostingRegressor(max_depth=2)``.
    model_t : classifier with ``predict_proba``, default=None
        Propensity model, cloned per fold; ``None`` uses ``LogisticRegression()``.
    cv : int, cross-validation splitter or iterable, default=5
        Number of folds of a shuffled :class:`TreatmentStratifiedKFold`; or a splitter
        whose ``split(X, y, treatment=...)`` (or ``split(X, y)``) yields the folds; or
        an iterable of ``(train, test)`` index arrays. The test folds must partition
        the samples.
    propensity_clip : float, default=0.01
        Out-of-fold propensities are clipped to ``[propensity_clip,
        1 - propensity_clip]``; must lie in (0, 0.5).
    sample_weight : array-like of shape (n_samples,), default=None
        Weights passed to the nuisance models' ``fit``.
    random_state : int, RandomState instance or None, default=None
        Seeds the fold shuffling and every nuisance model whose ``random_state`` is
        unset; seeds are spawned per fold, so ``n_jobs`` does not change the result.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib; ``None`` means 1).

    Returns
    -------
    nuisances : sklearn.utils.Bunch
        ``propensity`` (clipped), ``mu0`` and ``mu1``, each of shape (n_samples,).

    References
    ----------
    .. [1] E. H. Kennedy, "Towards optimal doubly robust estimation of heterogeneous
       causal effects", arXiv:2004.14497, 2020.

    Examples
    --------
    >>> from skcausal.datasets import make_treatment_data
    >>> from skcausal.effects import cross_fit_nuisances
    >>> data = make_treatment_data(n_samples=200, random_state=0)
    >>> nuis = cross_fit_nuisances(data.X, data.y, data.treatment, cv=3, random_state=0)
    >>> sorted(nuis), nuis.mu0.shape
    (['mu0', 'mu1', 'propensity'], (200,))
    """
    owner = _CrossFitOwner()
    X, y, treatment, sample_weight = check_effect_data(
        owner, X, y, treatment, sample_weight, reset=True, method="cross_fit_nuisances"
    )
    if isinstance(propensity_clip, bool) or not isinstance(propensity_clip, Real):
        raise TypeError(f"propensity_clip must be a float, got {propensity_clip!r}.")
    if not 0.0 < propensity_clip < 0.5:
        raise ValueError(
            f"propensity_clip must lie in (0, 0.5), got {propensity_clip!r}."
        )
    model_y = default_model_y() if model_y is None else model_y
    model_t = default_model_t() if model_t is None else model_t
    folds, fold_seeds = cross_fit_folds(X, y, treatment, cv, random_state, 3)
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_fold)(
            model_y, model_t, X, y, treatment, sample_weight, train, test, seeds
        )
        for (train, test), seeds in zip(folds, fold_seeds, strict=True)
    )
    n_samples = X.shape[0]
    propensity = np.full(n_samples, np.nan)
    outcomes = np.full((n_samples, 2), np.nan)
    for test, fold_propensity, fold_outcomes in results:
        propensity[test] = fold_propensity
        outcomes[test] = fold_outcomes
    if np.isnan(propensity).any():
        raise ValueError("cv must place every sample in exactly one test fold.")
    return Bunch(
        propensity=clip_propensity(propensity, propensity_clip),
        mu0=outcomes[:, 0],
        mu1=outcomes[:, 1],
    )


# A bare estimator named after the function, so that the shared validators' messages
# name ``cross_fit_nuisances``.
_CrossFitOwner = type("cross_fit_nuisances", (BaseEstimator,), {"__module__": __name__})
