"""The base class of the meta-learners: levels, overlap, cross-fitting and bootstrap.

Every meta-learner (S, T, X, R, DR) is fitted the same way: validate the data once,
encode the treatment levels, spawn seeds by index from ``random_state``, run the
learner's own recipe (``_fit_core``), then, with ``n_bootstrap > 0``, refit clones of
the whole recipe on resamples drawn within each arm. This class derives ``predict``,
``predict_outcomes``, ``ate``, ``ate_interval``, ``effect_interval`` and ``score`` from
two hooks, ``_predict_outcomes`` (all K potential outcomes) and ``_predict_effects``
(one column per non-baseline level).

Output shapes (binary treatments keep the one-dimensional shapes):

=====================  ==========================  ===============================
method                 two levels                  K > 2 levels
=====================  ==========================  ===============================
``predict``            (n_samples,)                (n_samples, K - 1)
``predict_outcomes``   (n_samples, 2)              (n_samples, K)
``ate``                float                       ndarray (K - 1,)
``ate_interval``       (float, float)              two ndarrays (K - 1,)
``effect_interval``    two ndarrays (n_samples,)   two ndarrays (n_samples, K - 1)
=====================  ==========================  ===============================

Effect columns follow ``effect_levels_`` (the sorted levels without the baseline);
outcome columns follow ``treatment_levels_``.

The bootstrap is the nonparametric bootstrap of B. Efron and R. J. Tibshirani, "An
Introduction to the Bootstrap", Chapman & Hall, 1993 (percentile intervals, ch. 13),
resampled within arms as for two-sample problems.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from skcausal._validation import validate_X
from skcausal.base import EffectMixin
from skcausal.effects._base import (
    check_outcome,
    clip_propensity,
    clone_with_seed,
    cross_fit_folds,
    cross_fit_predictions,
    default_model_t,
    default_model_y,
    dr_loss,
    dr_pseudo_outcomes,
    fit_model,
    missing_treatment_error,
    n_outcome_models,
    nuisance_scores,
    spawn_seeds,
)
from skcausal.effects._levels import (
    _as_python,
    check_groups,
    check_treatment_labels,
    clip_level_propensities,
    encode_treatment,
    level_name,
    n_clipped,
    overlap_summary,
    predict_level_propensities,
    resolve_levels,
)

__all__ = ["BaseMetaLearner"]

# Fitted attributes a bootstrap replica copies from the learner it resamples.
_LEVEL_ATTRIBUTES = (
    "treatment_levels_",
    "baseline_",
    "effect_levels_",
    "n_features_in_",
    "feature_names_in_",
    "_baseline_code",
    "_effect_codes",
)


def _fit_replicate(template, fitted, X, y, codes, sw, groups, seeds, n_seeds):
    """Refit ``template`` on one within-arm resample (a bootstrap replicate).

    ``seeds = (resample_seed, learner_seed)``. Every arm keeps its size. The copies of
    a unit share a group label, so group-aware cross-fitting keeps them in one fold.
    Cross-fitting fold models are dropped afterwards: a replica is kept for its
    effect predictions only.
    """
    resample_seed, learner_seed = seeds
    rng = np.random.RandomState(resample_seed)
    n_levels = int(codes.max()) + 1
    index = np.sort(
        np.concatenate(
            [
                rng.choice(members, size=members.size, replace=True)
                for members in (np.flatnonzero(codes == c) for c in range(n_levels))
            ]
        )
    )
    learner = clone(template)
    if learner_seed is not None:
        learner.set_params(random_state=learner_seed)
    for name, value in fitted.items():
        setattr(learner, name, value)
    replicate_groups = None
    if groups is not None:
        replicate_groups = groups[index]
    elif isinstance(learner._cross_fit_cv(), Integral):
        replicate_groups = index
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        learner._fit_core(
            X[index],
            y[index],
            codes[index],
            None if sw is None else sw[index],
            replicate_groups,
            spawn_seeds(learner_seed, n_seeds),
            diagnostics=False,
        )
    for name in ("fold_models_y_", "fold_models_t_"):
        if hasattr(learner, name):
            delattr(learner, name)
    return learner


def _fit_on_rows(model, X, y, sample_weight, rows, seed, role):
    """Fit a seeded clone of ``model`` on the rows ``rows`` (None: all rows)."""
    model = clone_with_seed(model, seed)
    if rows is not None:
        X, y = X[rows], y[rows]
        sample_weight = None if sample_weight is None else sample_weight[rows]
    fit_model(model, X, y, sample_weight, role=role)
    return model


def _check_alpha(alpha) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, Real) or not 0 < alpha < 1:
        raise ValueError(
            f"alpha must lie in (0, 1) (1 - coverage of the interval); got {alpha!r}."
        )
    return float(alpha)


class BaseMetaLearner(EffectMixin, BaseEstimator):
    """Shared behaviour of the meta-learners.

    Subclasses set ``_n_seeds`` (how many seeds ``_fit_core`` takes) and
    ``_outcome_kind`` (their cross-fitted outcome models) and implement
    ``_fit_core(X, y, codes, sample_weight, groups, seeds, diagnostics)`` and
    ``_predict_outcomes(X)``; learners with a final model override
    ``_predict_effects(X)``.
    """

    _parameter_constraints: dict = {
        "model_y": [HasMethods(["fit", "predict"]), None],
        "model_t": [HasMethods(["fit", "predict_proba"]), None],
        "propensity_clip": [Interval(Real, 0.0, 0.5, closed="neither")],
        "baseline": "no_validation",
        "cv": ["cv_object"],
        "n_bootstrap": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    # ``groups`` is requested for fit like ``treatment``: under metadata routing it
    # reaches fit from Pipeline/GridSearchCV/cross_validate without set_fit_request.
    __metadata_request__fit = {"treatment": True, "groups": True}

    _n_seeds = 1
    _outcome_kind = "per_level"
    # Whether ``_predict_effects`` uses ``model_t_`` (the X-learner's blending);
    # bootstrap replicas of the other learners skip the in-sample propensity fit.
    _propensity_in_effects = False

    # ----------------------------------------------------------------------------------
    # fit
    # ----------------------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, treatment=None, sample_weight=None, groups=None):
        """Fit the learner; with ``n_bootstrap > 0`` also its bootstrap replicas.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Outcome.
        treatment : array-like of shape (n_samples,)
            Treatment level of each unit, required: binary (0 = control,
            1 = treated, or bool) or categorical with ``K > 2`` levels (numbers or
            strings); ``baseline`` picks the reference level.
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to the ``fit`` of every nuisance and final model (restricted to
            its rows), which must then accept ``sample_weight``.
        groups : array-like of shape (n_samples,), default=None
            Cluster labels for cross-fitting: no group is split between the training
            and the test part of a fold (with an int ``cv`` the folds are also
            stratified on the treatment as far as the groups allow). Requested for
            ``fit`` like ``treatment``, so it is routed by metadata routing. Without
            cross-fitting (S-/T-learners with ``cv=None``) it is only validated.

        Returns
        -------
        self : object
            The fitted learner.
        """
        X, y, codes, sample_weight, groups = self._validate_fit_data(
            X, y, treatment, sample_weight, groups
        )
        self._check_fit_params()
        *seeds, seed_bootstrap = spawn_seeds(self.random_state, self._n_seeds + 1)
        self._fit_core(X, y, codes, sample_weight, groups, seeds, diagnostics=True)
        self._fit_bootstrap(X, y, codes, sample_weight, groups, seed_bootstrap)
        return self

    def _check_fit_params(self):
        """Learner-specific parameter checks that need more than the constraints."""

    def _fit_core(self, X, y, codes, sample_weight, groups, seeds, diagnostics):
        raise NotImplementedError  # pragma: no cover - abstract hook

    def _validate_fit_data(self, X, y, treatment, sample_weight, groups):
        """Validate the fitting data; record the treatment levels and the baseline."""
        name = type(self).__name__
        if treatment is None:
            raise missing_treatment_error(name, "fit")
        X = validate_X(self, X, reset=True)
        n_samples = X.shape[0]
        y = check_outcome(y, n_samples)
        labels = check_treatment_labels(treatment, n_samples, name=name, method="fit")
        levels, codes, baseline = resolve_levels(labels, self.baseline, name=name)
        groups = check_groups(groups, n_samples)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
            for code in range(levels.size):
                if not sample_weight[codes == code].sum() > 0:
                    arm = level_name(levels[code], levels).split(" (")[0]
                    raise ValueError(
                        f"sample_weight is zero for every unit of the {arm} arm: the "
                        f"{arm} arm has no support, so {name} cannot compare the arms."
                    )
        self.treatment_levels_ = levels
        self.baseline_ = _as_python(levels[baseline])
        self.effect_levels_ = np.delete(levels, baseline)
        self._baseline_code = baseline
        self._effect_codes = np.delete(np.arange(levels.size), baseline)
        return X, y, codes, sample_weight, groups

    def _validate_score_data(self, X, y, treatment, sample_weight):
        """Validate held-out data; any subset of the fitted levels may be present."""
        name = type(self).__name__
        if treatment is None:
            raise missing_treatment_error(name, "score")
        X = validate_X(self, X, reset=False)
        n_samples = X.shape[0]
        y = check_outcome(y, n_samples)
        labels = check_treatment_labels(treatment, n_samples, name=name, method="score")
        codes = encode_treatment(labels, self.treatment_levels_, name=name)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        return X, y, codes, sample_weight

    @property
    def _n_levels(self) -> int:
        return self.treatment_levels_.size

    # ----------------------------------------------------------------------------------
    # Nuisances
    # ----------------------------------------------------------------------------------

    def _outcome_model(self):
        return default_model_y() if self.model_y is None else self.model_y

    def _cross_fit_cv(self):
        """The cross-fitting folds (None: no cross-fitting)."""
        return 5 if self.cv is None else self.cv

    def _fit_propensity(self, X, codes, sample_weight, seed, *, check, fitted=None):
        """Fit ``model_t_`` on the level codes; check and summarise overlap.

        Without ``check`` (bootstrap replicas) the model is only fitted when the
        effect predictions need it. ``fitted`` is a (model, in-sample propensities)
        pair already fitted with ``seed`` (inside the cross-fitting pool).
        """
        if not check and not self._propensity_in_effects:
            return self
        if fitted is None:
            model_t = default_model_t() if self.model_t is None else self.model_t
            model_t = clone_with_seed(model_t, seed)
            fit_model(model_t, X, codes, sample_weight, role="model_t")
            proba = None
        else:
            model_t, proba = fitted
        self.model_t_ = model_t
        if check:
            if proba is None:
                proba = predict_level_propensities(model_t, X, self._n_levels)
            self.overlap_ = overlap_summary(
                proba,
                codes,
                self.treatment_levels_,
                self.propensity_clip,
                name=type(self).__name__,
            )
            self.overlap_["n_clipped_out_of_fold"] = None
        return self

    def _diagnostics(self, X, y, codes, sample_weight, groups, seed):
        """Cross-fitted nuisance diagnostics, only when ``cv`` is set.

        For the learners whose estimate uses full-data models (S, T, X) the
        cross-fitting serves ``nuisance_scores_`` alone, so ``cv=None`` skips it.
        """
        if self.cv is None:
            self.nuisance_scores_ = None
            return
        self._cross_fit(X, y, codes, sample_weight, groups, seed)

    def _fit_models(self, model, X, y, sample_weight, rows_list, seeds, role):
        """Clones of ``model`` fitted on each row subset, in parallel over ``n_jobs``.

        Each clone gets its own seed, so the fits do not depend on ``n_jobs``.
        """
        jobs = (
            delayed(_fit_on_rows)(model, X, y, sample_weight, rows, seed, role)
            for rows, seed in zip(rows_list, seeds, strict=True)
        )
        n_jobs = self.n_jobs if len(rows_list) > 1 else None
        return Parallel(n_jobs=n_jobs)(jobs)

    def _propensity_matrix(self, X) -> np.ndarray:
        """Clipped in-sample propensities of ``model_t_``, shape (n_samples, K)."""
        proba = predict_level_propensities(self.model_t_, X, self._n_levels)
        return clip_level_propensities(proba, self.propensity_clip)

    def _cross_fit(
        self,
        X,
        y,
        codes,
        sample_weight,
        groups,
        seed,
        *,
        propensity=None,
    ):
        """Out-of-fold nuisances; sets ``nuisance_scores_`` and the fold models.

        ``propensity=(seed_t, check)`` also fits the full-data ``model_t_`` in the
        same parallel pool (see ``_fit_propensity`` for ``check``).

        Returns the clipped out-of-fold propensities (n_samples, K) and outcome
        predictions (n_samples, K, or K - 1 pooled pair models for the R-learner).
        """
        n_levels = self._n_levels
        kind = self._outcome_kind
        model_t = default_model_t() if self.model_t is None else self.model_t
        n_seeds = 1 + n_outcome_models(kind, n_levels)
        folds, fold_seeds = cross_fit_folds(
            X,
            y,
            codes,
            self._cross_fit_cv(),
            seed,
            n_seeds,
            groups=groups,
            levels=self.treatment_levels_,
        )
        propensity_seed, check = (None, False) if propensity is None else propensity
        full = propensity is not None and (check or self._propensity_in_effects)
        fitted = cross_fit_predictions(
            self._outcome_model(),
            model_t,
            X,
            y,
            codes,
            sample_weight,
            folds,
            fold_seeds,
            kind,
            n_levels,
            self._baseline_code,
            n_jobs=self.n_jobs,
            full_propensity=full,
            full_propensity_seed=propensity_seed,
        )
        if full:
            self._fit_propensity(
                X,
                codes,
                sample_weight,
                propensity_seed,
                check=check,
                fitted=(fitted.model_t, fitted.proba_full),
            )
        proba, outcomes = fitted.proba, fitted.outcomes
        n_samples = X.shape[0]
        if np.isnan(proba).any():
            raise ValueError("cv must place every sample in exactly one test fold.")
        touched = n_clipped(proba, self.propensity_clip)
        if touched:
            clip = self.propensity_clip
            warnings.warn(
                f"{type(self).__name__}: propensity_clip={clip:g} clipped {touched} "
                f"of {n_samples} estimated propensities into [{clip:g}, "
                f"{1.0 - clip:g}].",
                UserWarning,
                stacklevel=5,
            )
        propensity = clip_level_propensities(proba, self.propensity_clip)
        self.n_propensity_clipped_ = touched
        if hasattr(self, "overlap_"):
            self.overlap_["n_clipped_out_of_fold"] = touched
        self.fold_models_t_ = fitted.models_t
        self.fold_models_y_ = fitted.models_y
        self.nuisance_scores_ = nuisance_scores(
            y, codes, outcomes, propensity, sample_weight, kind, self._baseline_code
        )
        return propensity, outcomes

    # ----------------------------------------------------------------------------------
    # Bootstrap
    # ----------------------------------------------------------------------------------

    def _fit_bootstrap(self, X, y, codes, sample_weight, groups, seed):
        """Refit ``n_bootstrap`` clones on within-arm resamples (joblib-parallel)."""
        self.bootstrap_estimators_ = []
        n_bootstrap = self.n_bootstrap
        if not n_bootstrap:
            return
        root = seed
        if root is None:
            root = int(check_random_state(None).randint(np.iinfo(np.int32).max))
        seeds = spawn_seeds(root, 2 * n_bootstrap)
        template = clone(self).set_params(n_bootstrap=0, n_jobs=None)
        fitted = {
            name: getattr(self, name)
            for name in _LEVEL_ATTRIBUTES
            if hasattr(self, name)
        }
        keep_seed = self.random_state is not None
        self.bootstrap_estimators_ = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_replicate)(
                template,
                fitted,
                X,
                y,
                codes,
                sample_weight,
                groups,
                (seeds[2 * b], seeds[2 * b + 1] if keep_seed else None),
                self._n_seeds,
            )
            for b in range(n_bootstrap)
        )

    def _bootstrap_effects(self, X) -> np.ndarray:
        """Effects of every replica on validated ``X``: (n_bootstrap, n, K - 1)."""
        replicas = getattr(self, "bootstrap_estimators_", None)
        if not replicas:
            raise ValueError(
                f"{type(self).__name__} was fitted with n_bootstrap=0: intervals need "
                "bootstrap replicas. Set n_bootstrap (e.g. n_bootstrap=100) and fit "
                "again."
            )
        return np.stack([replica._predict_effects(X) for replica in replicas])

    def _squeeze(self, effects):
        """Binary treatments keep one-dimensional outputs."""
        return effects[..., 0] if effects.shape[-1] == 1 else effects

    # ----------------------------------------------------------------------------------
    # Prediction
    # ----------------------------------------------------------------------------------

    def _predict_outcomes(self, X):  # pragma: no cover - abstract hook
        raise NotImplementedError

    def _predict_effects(self, X):
        """Effects of each non-baseline level on validated ``X``: (n, K - 1)."""
        outcomes = self._predict_outcomes(X)
        b = self._baseline_code
        return outcomes[:, self._effect_codes] - outcomes[:, [b]]

    def predict_outcomes(self, X) -> np.ndarray:
        """Predict the potential outcome of every treatment level.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        outcomes : ndarray of shape (n_samples, K)
            Column ``j`` is ``mu_j(x)`` for level ``treatment_levels_[j]``; for a 0/1
            treatment, column 0 is the control and column 1 the treated outcome.
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
        cate : ndarray of shape (n_samples,) or (n_samples, K - 1)
            Effect of the non-baseline level against ``baseline_`` for two levels;
            with ``K > 2`` levels one column per level of ``effect_levels_``.
        """
        check_is_fitted(self)
        X = validate_X(self, X, reset=False)
        return self._squeeze(self._predict_effects(X))

    def ate(self, X):
        """Average treatment effect over the rows of ``X`` (mean of ``predict(X)``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The population to average over.

        Returns
        -------
        ate : float or ndarray of shape (K - 1,)
            A float for two levels, else one value per level of ``effect_levels_``.
        """
        effects = self.predict(X)
        if effects.ndim == 1:
            return float(np.mean(effects))
        return effects.mean(axis=0)

    def ate_interval(self, X, alpha=0.05):
        """Bootstrap percentile interval of the average effect over ``X``.

        Each of the ``n_bootstrap`` replicas (the whole fit, nuisances and final
        model, repeated on a resample drawn within each arm) gives an average effect
        over the rows of ``X``; the interval runs between their ``alpha / 2`` and
        ``1 - alpha / 2`` quantiles. It reflects the variance of the estimate, not
        its bias (confounding the nuisances miss, regularisation), and holds ``X``
        fixed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The population to average over.
        alpha : float, default=0.05
            One minus the coverage (0.05 gives a 95 % interval); in (0, 1).

        Returns
        -------
        lower, upper : float or ndarray of shape (K - 1,)
            Bounds; floats for two levels.
        """
        check_is_fitted(self)
        alpha = _check_alpha(alpha)
        X = validate_X(self, X, reset=False)
        averages = self._bootstrap_effects(X).mean(axis=1)
        lower = np.quantile(averages, alpha / 2, axis=0)
        upper = np.quantile(averages, 1 - alpha / 2, axis=0)
        if lower.size == 1:
            return float(lower[0]), float(upper[0])
        return lower, upper

    def effect_interval(self, X, alpha=0.05):
        """Bootstrap percentile interval of the effect ``tau(x)`` of each row.

        The per-row analogue of :meth:`ate_interval`, from the same replicas; it
        reflects variance, not bias.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        alpha : float, default=0.05
            One minus the coverage; in (0, 1).

        Returns
        -------
        lower, upper : ndarray of shape (n_samples,) or (n_samples, K - 1)
            Bounds, shaped like :meth:`predict`.
        """
        check_is_fitted(self)
        alpha = _check_alpha(alpha)
        X = validate_X(self, X, reset=False)
        effects = self._bootstrap_effects(X)
        lower = np.quantile(effects, alpha / 2, axis=0)
        upper = np.quantile(effects, 1 - alpha / 2, axis=0)
        return self._squeeze(lower), self._squeeze(upper)

    # ----------------------------------------------------------------------------------
    # score
    # ----------------------------------------------------------------------------------

    def score(self, X, y, treatment=None, sample_weight=None) -> float:
        """Negated doubly-robust loss of the CATE on held-out data (higher is better).

        No true effect is needed: for each non-baseline level ``k`` the target is the
        doubly-robust pseudo-outcome
        ``phi_k = mu_k - mu_b + 1{t = k} (y - mu_k) / e_k - 1{t = b} (y - mu_b) / e_b``
        (Kennedy, 2020; for a 0/1 treatment
        ``phi = mu1 - mu0 + t (y - mu1) / e - (1 - t) (y - mu0) / (1 - e)``) built from
        this learner's own fitted nuisances: the potential outcomes of
        :meth:`predict_outcomes` and the propensities of ``model_t_``, clipped to
        ``[propensity_clip, 1 - propensity_clip]`` per level. The score is
        ``-mean_i w_i (tau_k(x_i) - phi_k,i)^2 / mean_i w_i`` averaged over the
        ``K - 1`` effect levels, with ``tau = predict(X)``. For the S- and T-learners
        ``tau = mu_k - mu_b``, so it is minus an inverse-propensity-weighted squared
        error of the outcome model on each unit's observed arm.

        To compare learners of different families on the same footing, use the
        scorers of :mod:`skcausal.metrics` with cross-fitted nuisances.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Held-out features.
        y : array-like of shape (n_samples,)
            Held-out outcomes.
        treatment : array-like of shape (n_samples,)
            Held-out treatment (levels seen in ``fit``; one arm is enough); required.
            Inside ``GridSearchCV`` or ``cross_validate`` it arrives through metadata
            routing.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the loss. ``Pipeline.score`` forwards them under metadata
            routing once requested with ``set_score_request(sample_weight=True)``.

        Returns
        -------
        score : float
            Minus the mean squared difference between ``predict(X)`` and ``phi``.
        """
        check_is_fitted(self)
        X, y, codes, sample_weight = self._validate_score_data(
            X, y, treatment, sample_weight
        )
        phi = dr_pseudo_outcomes(
            y,
            codes,
            self._predict_outcomes(X),
            self._propensity_matrix(X),
            self._baseline_code,
            self._effect_codes,
        )
        effects = self._predict_effects(X)
        losses = [
            dr_loss(effects[:, j], phi[:, j], sample_weight)
            for j in range(phi.shape[1])
        ]
        return -float(np.mean(losses))


def level_seeds(first, second, n_levels: int) -> list:
    """One seed per level: the two given for two levels, else spawned from the first.

    Binary learners keep the seeds they always had; with more levels the seeds are
    spawned by index, so level ``j``'s model always gets seed ``j``.
    """
    if n_levels == 2:
        return [first, second]
    return spawn_seeds(first, n_levels)


def clip_pair_propensity(propensity, level, baseline, clip: float) -> np.ndarray:
    """``P(t = level | x, t in {baseline, level})``, clipped to ``[clip, 1 - clip]``.

    With two levels it is the level's propensity itself (already clipped).
    """
    if propensity.shape[1] == 2:
        return propensity[:, level]
    ratio = propensity[:, level] / (propensity[:, level] + propensity[:, baseline])
    return clip_propensity(ratio, clip)
