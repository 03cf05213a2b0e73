"""X-, R- and DR-learners: a second-stage regression for the CATE on nuisance fits.

The three learners share a recipe. Nuisance models (outcome regressions and the
propensity score) are fitted first; a final model then regresses a quantity whose
conditional mean is the treatment effect on the features:

* the X-learner imputes each unit's effect with the other arm's outcome model and blends
  the two arm-wise effect regressions with the propensity (S. R. Künzel, J. S. Sekhon,
  P. J. Bickel and B. Yu, PNAS 116(10), 2019);
* the R-learner minimises the Robinson residual-on-residual loss with cross-fitted
  ``E[y | x]`` and propensity (X. Nie and S. Wager, Biometrika 108(2), 2021);
* the DR-learner regresses the doubly-robust (AIPW) pseudo-outcome built from
  cross-fitted nuisances (E. H. Kennedy, arXiv:2004.14497, 2020; Electronic Journal of
  Statistics 17(2), 2023).

Cross-fitting uses the folds and per-fold seeds of
:func:`skcausal.effects.cross_fit_nuisances`, so results are identical for any
``n_jobs``.

Multi-valued (categorical) treatments with ``K`` levels: every effect is a level
against the ``baseline``. The X-learner runs its two-arm recipe on each pair
``{baseline, k}`` and blends with the propensity of ``k`` within the pair,
``e_k / (e_k + e_b)``; the DR-learner regresses the multi-level pseudo-outcome
``phi_k = mu_k - mu_b + 1{t = k} (y - mu_k) / e_k - 1{t = b} (y - mu_b) / e_b``
(Kennedy, 2020, with the generalised propensity of G. W. Imbens, Biometrika 87(3),
2000); the R-learner minimises the R-loss on each subsample ``{baseline, k}`` with a
pooled ``E[y | x, t in {b, k}]`` and the pair propensity (the per-pair reduction, not
the joint vector form of Nie and Wager, so any ``model_final`` works). ``predict`` has
shape (n_samples,) for two levels and (n_samples, K - 1) otherwise (columns in
``effect_levels_`` order); ``predict_outcomes`` (n_samples, K).
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from skcausal.effects._base import (
    clone_with_seed,
    dr_loss,
    dr_pseudo_outcomes,
    fit_model,
    spawn_seeds,
    with_treatment_columns,
)
from skcausal.effects._learner import (
    BaseMetaLearner,
    clip_pair_propensity,
    level_seeds,
)

__all__ = ["DRLearner", "RLearner", "XLearner"]


def default_model_final():
    """Default CATE model: ridge regression with its penalty chosen by efficient LOO.

    The second-stage targets (imputed effects, pseudo-outcomes, R-loss ratios) are far
    noisier than the outcomes. Among gradient boosting (plain, slower, early-stopped),
    histogram boosting and ridge, ridge had the best held-out doubly-robust score on
    IHDP replications 1-5 and on ``make_treatment_data`` for all three learners, so it
    is the default; pass a flexible ``model_final`` (tuned with ``GridSearchCV``) for
    strongly nonlinear effects. It accepts ``sample_weight`` (the R-learner needs it).
    """
    return RidgeCV(alphas=np.logspace(-2, 3, 11))


class _CrossFitLearner(BaseMetaLearner):
    """Shared parameters of the learners with a final (second-stage) model."""

    _parameter_constraints: dict = {
        **BaseMetaLearner._parameter_constraints,
        "model_final": [HasMethods(["fit", "predict"]), None],
    }

    def __init__(
        self,
        *,
        model_y=None,
        model_t=None,
        model_final=None,
        cv=5,
        propensity_clip=0.01,
        baseline=None,
        n_bootstrap=0,
        n_jobs=None,
        random_state=None,
    ):
        self.model_y = model_y
        self.model_t = model_t
        self.model_final = model_final
        self.cv = cv
        self.propensity_clip = propensity_clip
        self.baseline = baseline
        self.n_bootstrap = n_bootstrap
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _final_model(self):
        return default_model_final() if self.model_final is None else self.model_final

    def _final_seeds(self, seed):
        """One seed per effect level; the binary learner keeps its single seed."""
        n_effects = self._n_levels - 1
        return [seed] if n_effects == 1 else spawn_seeds(seed, n_effects)


# --------------------------------------------------------------------------------------
# X-learner
# --------------------------------------------------------------------------------------


class XLearner(_CrossFitLearner):
    """X-learner: imputed effects per arm, blended by the propensity.

    Stage 1 fits ``mu_0`` on the control units and ``mu_1`` on the treated units
    (``model_y``). Stage 2 imputes each unit's effect with the *other* arm's model,
    ``D_1 = y - mu_0(x)`` for treated and ``D_0 = mu_1(x) - y`` for control units, and
    regresses them on ``x`` within each arm (``model_final``), giving ``tau_1`` and
    ``tau_0``. Stage 3 blends them: ``tau(x) = e(x) tau_0(x) + (1 - e(x)) tau_1(x)``
    with the propensity ``e`` (``model_t``), so the arm with more units (and a better
    imputation) gets the larger weight. The imputation needs no cross-fitting: each
    arm's outcome model never saw the units it imputes.

    Parameters
    ----------
    model_y : regressor, default=None
        Outcome model, cloned once per arm. ``None`` uses
        ``GradientBoostingRegressor(max_depth=2)``.
    model_t : classifier with ``predict_proba``, default=None
        Propensity model, cloned. ``None`` uses ``LogisticRegression()``. It gives the
        blending weight, the overlap check and the propensity of :meth:`score`.
    model_final : regressor, default=None
        Effect model, cloned once per arm. ``None`` uses
        ``RidgeCV(alphas=np.logspace(-2, 3, 11))`` (linear effects; see Notes).
    cv : int, cross-validation splitter, iterable or None, default=None
        ``None``: no cross-fitting (the cheapest fit; ``nuisance_scores_`` is None).
        Otherwise the folds of the cross-fitted nuisance diagnostics
        ``nuisance_scores_`` and ``overlap_["n_clipped_out_of_fold"]``; the estimate
        itself follows the paper and always uses full-arm models, so ``cv`` never
        changes it. An int gives a shuffled :class:`TreatmentStratifiedKFold`
        (group-aware with ``groups``). The default was 5 before: those diagnostics
        were about 80 % of the fitting time.
    propensity_clip : float, default=0.01
        Propensities are clipped to ``[propensity_clip, 1 - propensity_clip]`` per
        level (for ``K > 2`` also the pair propensities); a warning reports how many
        units the clipping changed.
    baseline : level or None, default=None
        The reference treatment level of the effects; ``None`` takes the first of the
        sorted levels (0 for a 0/1 treatment). Must be one of the treatment levels.
    n_bootstrap : int, default=0
        Number of bootstrap replicas refitted in ``fit`` for :meth:`ate_interval` and
        :meth:`effect_interval` (0: none). Each replica resamples the units within
        each arm (every arm keeps its size) and repeats the whole fit, cross-fitting
        included (the copies of a unit stay in one fold).
    n_jobs : int, default=None
        The two arms' outcome models, the diagnostic folds and the bootstrap replicas
        fitted in parallel (joblib); the result does not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the bootstrap and every nuisance model whose ``random_state``
        is None; seeds are spawned by index.

    Attributes
    ----------
    models_y_ : list of K fitted regressors
        ``mu_j`` per level, in ``treatment_levels_`` order (``mu_0``, ``mu_1``).
    models_final_ : list
        Two levels: ``[tau_b, tau_k]``, the effect models fitted on the baseline
        units and on the other level's units (for 0/1: ``tau_0`` on control, ``tau_1``
        on treated units). ``K > 2``: one such pair per level of ``effect_levels_``.
    treatment_levels_ : ndarray of shape (K,)
        The sorted treatment levels seen in ``fit``; ``model_t_`` and the fold
        propensity models are fitted on their codes ``0, ..., K - 1``.
    baseline_ : scalar or str
        The reference level.
    effect_levels_ : ndarray of shape (K - 1,)
        The levels whose effects against ``baseline_`` :meth:`predict` returns, in
        column order.
    overlap_ : dict
        Overlap summary of ``model_t_``'s in-sample propensities:
        ``propensity_min``/``propensity_max`` per level, ``share_outside`` and
        ``n_outside`` (units with a propensity outside ``bounds`` = (0.05, 0.95)),
        ``n_clipped`` (in-sample units the clipping changes) and
        ``n_clipped_out_of_fold`` (``n_propensity_clipped_``; None without ``cv``).
    bootstrap_estimators_ : list
        The ``n_bootstrap`` fitted replicas (empty when ``n_bootstrap=0``); their
        cross-fitting fold models are dropped.
    model_t_ : fitted classifier
        The propensity model.
    fold_models_y_, fold_models_t_ : lists
        With ``cv``: the cross-fitting fold models (per fold:
        ``[mu_0, ..., mu_{K-1}]``; a classifier).
    nuisance_scores_ : dict or None
        With ``cv``: cross-fitted ``outcome_mse`` (observed arm) and
        ``propensity_log_loss``; None otherwise.
    n_propensity_clipped_ : int
        With ``cv``: number of cross-fitted propensities changed by the clipping.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, defined only when ``X`` had string column names.

    See Also
    --------
    TLearner : The X-learner's first stage on its own.
    DRLearner : A second stage on doubly-robust pseudo-outcomes.

    Notes
    -----
    ``tau(x) = e(x) tau_0(x) + (1 - e(x)) tau_1(x)``, ``tau_a`` the regression of the
    imputed effects ``D_a`` on ``x`` among units with ``t = a``.
    ``predict_outcomes`` returns the stage-1 outcome models, whose difference is not
    ``predict``.

    The default ``model_final`` is linear (ridge): among the candidates tried it had
    the best held-out doubly-robust score (a criterion that needs no true effect) on
    IHDP replications 1-5 and on ``make_treatment_data``. For nonlinear effects pass a
    flexible model, e.g. ``GradientBoostingRegressor(max_depth=2)``, and tune it with
    ``GridSearchCV``, whose default scoring is :meth:`score`.

    ``treatment`` (and ``groups``, which makes the cross-fitting folds group-aware)
    travel through ``Pipeline``, ``GridSearchCV`` and ``cross_validate`` by
    scikit-learn's metadata routing: the class requests them, so only
    ``sklearn.set_config(enable_metadata_routing=True)`` is needed. Tune nuisance
    hyper-parameters (``model_final__max_depth``) by passing the model explicitly: a
    ``None`` default is only built inside ``fit``.

    ``fit`` warns (``UserWarning``, with share and count) when more than 5 % of the
    units have an in-sample propensity outside [0.05, 0.95] and raises when some
    level's propensity separates its units from all others. :meth:`ate_interval` and
    :meth:`effect_interval` are bootstrap percentile intervals (Efron and Tibshirani,
    1993): they capture the variance of the whole fit, not its bias.

    References
    ----------
    .. [1] S. R. Künzel, J. S. Sekhon, P. J. Bickel and B. Yu, "Metalearners for
       estimating heterogeneous treatment effects using machine learning", PNAS
       116(10), 4156-4165, 2019.
    .. [2] B. Efron and R. J. Tibshirani, "An Introduction to the Bootstrap",
       Chapman & Hall, 1993.

    Examples
    --------
    >>> from skcausal.datasets import make_treatment_data
    >>> from skcausal.effects import XLearner
    >>> data = make_treatment_data(n_samples=1000, random_state=0)
    >>> learner = XLearner(random_state=0).fit(data.X, data.y, treatment=data.treatment)
    >>> learner.predict(data.X[:3]).round(1), data.cate[:3].round(1)
    (array([2.5, 0.4, 1.6]), array([3. , 0.5, 1.9]))
    >>> bool(abs(learner.ate(data.X) - data.ate) < 0.15)  # 0.85 against 0.95
    True
    """

    _n_seeds = 6  # propensity, cross-fitting, two outcome and two effect seeds
    _propensity_in_effects = True

    def __init__(
        self,
        *,
        model_y=None,
        model_t=None,
        model_final=None,
        cv=None,
        propensity_clip=0.01,
        baseline=None,
        n_bootstrap=0,
        n_jobs=None,
        random_state=None,
    ):
        super().__init__(
            model_y=model_y,
            model_t=model_t,
            model_final=model_final,
            cv=cv,
            propensity_clip=propensity_clip,
            baseline=baseline,
            n_bootstrap=n_bootstrap,
            n_jobs=n_jobs,
            random_state=random_state,
        )

    def _cross_fit_cv(self):
        return self.cv

    def _fit_core(self, X, y, codes, sample_weight, groups, seeds, diagnostics):
        seed_t, seed_cv, seed_y0, seed_y1, seed_f0, seed_f1 = seeds
        n_levels, b = self._n_levels, self._baseline_code
        self._fit_propensity(X, codes, sample_weight, seed_t, check=diagnostics)
        if diagnostics:
            self._diagnostics(X, y, codes, sample_weight, groups, seed_cv)
        # Stage 1: one outcome model per arm, in parallel over n_jobs.
        arms = [codes == code for code in range(n_levels)]
        models_y = self._fit_models(
            self._outcome_model(),
            X,
            y,
            sample_weight,
            arms,
            level_seeds(seed_y0, seed_y1, n_levels),
            role="model_y",
        )
        # Stage 2, per non-baseline level k: impute effects on the baseline units
        # with mu_k and on the level-k units with mu_b. A model fitted on the units
        # of level j is seeded by j, whatever the baseline.
        final_seeds = level_seeds(seed_f0, seed_f1, n_levels)
        pairs = []
        for k in self._effect_codes:
            pair = []
            for unit_level, other in ((b, k), (k, b)):
                rows = arms[unit_level]
                imputed = models_y[other].predict(X[rows])
                imputed = y[rows] - imputed if unit_level == k else imputed - y[rows]
                model = clone_with_seed(self._final_model(), final_seeds[unit_level])
                sw = None if sample_weight is None else sample_weight[rows]
                fit_model(model, X[rows], imputed, sw, role="model_final")
                pair.append(model)
            pairs.append(pair)
        self.models_y_ = models_y
        self.models_final_ = pairs[0] if n_levels == 2 else pairs
        return self

    def _predict_outcomes(self, X):
        return np.column_stack([model.predict(X) for model in self.models_y_])

    def _predict_effects(self, X):
        propensity = self._propensity_matrix(X)
        b = self._baseline_code
        pairs = [self.models_final_] if self._n_levels == 2 else self.models_final_
        columns = []
        for k, (tau_baseline, tau_level) in zip(self._effect_codes, pairs, strict=True):
            # Weight of the model fitted on the baseline units: the propensity of
            # level k within the pair {b, k} (the plain propensity for two levels).
            e = clip_pair_propensity(propensity, k, b, self.propensity_clip)
            columns.append(
                e * tau_baseline.predict(X) + (1.0 - e) * tau_level.predict(X)
            )
        return np.column_stack(columns)


# --------------------------------------------------------------------------------------
# DR-learner
# --------------------------------------------------------------------------------------


class DRLearner(_CrossFitLearner):
    """DR-learner: regression of the doubly-robust pseudo-outcome on the features.

    Over ``cv`` folds, a propensity model and one outcome model per arm (or one
    pooled model, ``pooled_outcome=True``) are fitted on the training part and
    predict the held-out part. Each unit's doubly-robust (AIPW) pseudo-outcome
    ``phi = mu_1 - mu_0 + t (y - mu_1) / e - (1 - t) (y - mu_0) / (1 - e)`` is built
    from these out-of-fold nuisances (propensity clipped); its conditional mean is the
    CATE when either the outcome models or the propensity are right. The final model
    regresses ``phi`` on ``x``.

    Parameters
    ----------
    model_y : regressor, default=None
        Outcome model, cloned per fold and arm. ``None`` uses
        ``GradientBoostingRegressor(max_depth=2)``.
    model_t : classifier with ``predict_proba``, default=None
        Propensity model, cloned per fold (and once on all data for the overlap check
        and :meth:`score`). ``None`` uses ``LogisticRegression()``.
    model_final : regressor, default=None
        Effect model fitted on the pseudo-outcomes. ``None`` uses
        ``RidgeCV(alphas=np.logspace(-2, 3, 11))`` (linear effects; see Notes).
    pooled_outcome : bool, default=False
        ``False``: one ``model_y`` per treatment level, fitted on that level's units
        of each training fold (T-learner nuisances). ``True``: one ``model_y`` per
        fold on the features and the treatment indicators (the S-learner's design,
        :class:`SLearner`), which predicts every potential outcome by setting the
        indicators; this is what EconML's ``DRLearner`` does. Pooling fits ``K``
        times fewer models and shares data between the arms (helpful when an arm is
        small); a regularised pooled model may shrink the arms' difference.
    cv : int, cross-validation splitter or iterable, default=5
        Cross-fitting folds; an int gives a shuffled
        :class:`TreatmentStratifiedKFold` (with ``groups``, group-aware folds
        stratified on the treatment). The test folds must partition the samples.
    propensity_clip : float, default=0.01
        Propensities are clipped to ``[propensity_clip, 1 - propensity_clip]`` per
        level (for ``K > 2`` also the pair propensities); a warning reports how many
        units the clipping changed.
    baseline : level or None, default=None
        The reference treatment level of the effects; ``None`` takes the first of the
        sorted levels (0 for a 0/1 treatment). Must be one of the treatment levels.
    n_bootstrap : int, default=0
        Number of bootstrap replicas refitted in ``fit`` for :meth:`ate_interval` and
        :meth:`effect_interval` (0: none). Each replica resamples the units within
        each arm (every arm keeps its size) and repeats the whole fit, cross-fitting
        included (the copies of a unit stay in one fold).
    n_jobs : int, default=None
        Cross-fitting (one joblib task per fold and nuisance model) and bootstrap
        replicas run in parallel; the result does not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the bootstrap and every nuisance model whose ``random_state``
        is None; seeds are spawned by index.

    Attributes
    ----------
    models_final_ : list of K - 1 fitted regressors
        One CATE model per level of ``effect_levels_``.
    model_final_ : fitted regressor
        Two levels only: the CATE model (``models_final_[0]``).
    treatment_levels_ : ndarray of shape (K,)
        The sorted treatment levels seen in ``fit``; ``model_t_`` and the fold
        propensity models are fitted on their codes ``0, ..., K - 1``.
    baseline_ : scalar or str
        The reference level.
    effect_levels_ : ndarray of shape (K - 1,)
        The levels whose effects against ``baseline_`` :meth:`predict` returns, in
        column order.
    overlap_ : dict
        Overlap summary of ``model_t_``'s in-sample propensities:
        ``propensity_min``/``propensity_max`` per level, ``share_outside`` and
        ``n_outside`` (units with a propensity outside ``bounds`` = (0.05, 0.95)),
        ``n_clipped`` (in-sample units the clipping changes) and
        ``n_clipped_out_of_fold`` (equal to ``n_propensity_clipped_``).
    bootstrap_estimators_ : list
        The ``n_bootstrap`` fitted replicas (empty when ``n_bootstrap=0``); their
        cross-fitting fold models are dropped.
    model_t_ : fitted classifier
        Propensity model fitted on all data.
    fold_models_y_ : list of lists of fitted regressors
        Per fold, ``[mu_0, ..., mu_{K-1}]`` (with ``pooled_outcome``, the single
        model of ``y`` on ``[X, T]``); :meth:`predict_outcomes` averages the folds.
    fold_models_t_ : list of fitted classifiers
        The per-fold propensity models.
    nuisance_scores_ : dict
        Cross-fitted ``outcome_mse`` (observed arm) and ``propensity_log_loss``.
    n_propensity_clipped_ : int
        Number of out-of-fold propensities changed by the clipping.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, defined only when ``X`` had string column names.

    See Also
    --------
    cross_fit_nuisances : The same out-of-fold nuisances, as a function.
    RLearner : A second stage on the R-loss.

    Notes
    -----
    ``tau = argmin_f sum_i (phi_i - f(x_i))^2`` (weighted by ``sample_weight``).

    The default ``model_final`` is linear (ridge): among the candidates tried it had
    the best held-out doubly-robust score (a criterion that needs no true effect) on
    IHDP replications 1-5 and on ``make_treatment_data``. For nonlinear effects pass a
    flexible model, e.g. ``GradientBoostingRegressor(max_depth=2)``, and tune it with
    ``GridSearchCV``, whose default scoring is :meth:`score`.

    ``treatment`` (and ``groups``, which makes the cross-fitting folds group-aware)
    travel through ``Pipeline``, ``GridSearchCV`` and ``cross_validate`` by
    scikit-learn's metadata routing: the class requests them, so only
    ``sklearn.set_config(enable_metadata_routing=True)`` is needed. Tune nuisance
    hyper-parameters (``model_final__max_depth``) by passing the model explicitly: a
    ``None`` default is only built inside ``fit``.

    ``fit`` warns (``UserWarning``, with share and count) when more than 5 % of the
    units have an in-sample propensity outside [0.05, 0.95] and raises when some
    level's propensity separates its units from all others. :meth:`ate_interval` and
    :meth:`effect_interval` are bootstrap percentile intervals (Efron and Tibshirani,
    1993): they capture the variance of the whole fit, not its bias.

    References
    ----------
    .. [1] E. H. Kennedy, "Towards optimal doubly robust estimation of heterogeneous
       causal effects", Electronic Journal of Statistics 17(2), 3008-3049, 2023
       (arXiv:2004.14497, 2020).
    .. [2] G. W. Imbens, "The role of the propensity score in estimating
       dose-response functions", Biometrika 87(3), 706-710, 2000.
    .. [3] B. Efron and R. J. Tibshirani, "An Introduction to the Bootstrap",
       Chapman & Hall, 1993.

    Examples
    --------
    >>> from skcausal.datasets import make_treatment_data
    >>> from skcausal.effects import DRLearner
    >>> data = make_treatment_data(n_samples=1000, random_state=0)
    >>> learner = DRLearner(random_state=0)
    >>> learner = learner.fit(data.X, data.y, treatment=data.treatment)
    >>> sorted(learner.nuisance_scores_)
    ['outcome_mse', 'propensity_log_loss']
    >>> learner.predict(data.X[:3]).round(1), data.cate[:3].round(1)
    (array([2.9, 0.5, 1.6]), array([3. , 0.5, 1.9]))
    >>> bool(abs(learner.ate(data.X) - data.ate) < 0.1)  # 0.99 against 0.95
    True
    """

    _n_seeds = 3  # propensity, cross-fitting, final model(s)

    _parameter_constraints: dict = {
        **_CrossFitLearner._parameter_constraints,
        "pooled_outcome": ["boolean"],
    }

    def __init__(
        self,
        *,
        model_y=None,
        model_t=None,
        model_final=None,
        pooled_outcome=False,
        cv=5,
        propensity_clip=0.01,
        baseline=None,
        n_bootstrap=0,
        n_jobs=None,
        random_state=None,
    ):
        super().__init__(
            model_y=model_y,
            model_t=model_t,
            model_final=model_final,
            cv=cv,
            propensity_clip=propensity_clip,
            baseline=baseline,
            n_bootstrap=n_bootstrap,
            n_jobs=n_jobs,
            random_state=random_state,
        )
        self.pooled_outcome = pooled_outcome

    @property
    def _outcome_kind(self):
        return "s_learner" if self.pooled_outcome else "per_level"

    def _fit_core(self, X, y, codes, sample_weight, groups, seeds, diagnostics):
        seed_t, seed_cv, seed_final = seeds
        propensity, outcomes = self._cross_fit(
            X,
            y,
            codes,
            sample_weight,
            groups,
            seed_cv,
            propensity=(seed_t, diagnostics),
        )
        phi = dr_pseudo_outcomes(
            y, codes, outcomes, propensity, self._baseline_code, self._effect_codes
        )
        models = []
        for j, seed in enumerate(self._final_seeds(seed_final)):
            model = clone_with_seed(self._final_model(), seed)
            fit_model(model, X, phi[:, j], sample_weight, role="model_final")
            models.append(model)
        self.models_final_ = models
        if len(models) == 1:
            self.model_final_ = models[0]
        return self

    def _predict_outcomes(self, X):
        if self.pooled_outcome:
            n_samples, n_levels = X.shape[0], self._n_levels
            designs = [
                with_treatment_columns(X, np.full(n_samples, code), n_levels)
                for code in range(n_levels)
            ]
            return np.mean(
                [[fold[0].predict(d) for d in designs] for fold in self.fold_models_y_],
                axis=0,
            ).T
        return np.mean(
            [[m.predict(X) for m in fold] for fold in self.fold_models_y_], axis=0
        ).T

    def _predict_effects(self, X):
        return np.column_stack([model.predict(X) for model in self.models_final_])


# --------------------------------------------------------------------------------------
# R-learner
# --------------------------------------------------------------------------------------


def _no_outcome_model(learner):
    raise AttributeError(
        f"{type(learner).__name__} does not model the potential outcomes: its "
        "model_y estimates the pooled mean E[y | x], not mu_0 and mu_1. Use predict(X) "
        "for the effect, or an XLearner/DRLearner/TLearner for predict_outcomes."
    )


class RLearner(_CrossFitLearner):
    """R-learner: the effect that explains outcome residuals by treatment residuals.

    Over ``cv`` folds, a pooled outcome model ``m(x) = E[y | x]`` (``model_y``) and a
    propensity model ``e(x)`` (``model_t``) are fitted on the training part and
    predict the held-out part. The final model minimises the R-loss of Nie and
    Wager [1]_, built on Robinson's residual-on-residual regression [2]_,
    ``sum_i ((y_i - m(x_i)) - (t_i - e(x_i)) tau(x_i))^2``, i.e. a regression of
    ``(y - m) / (t - e)`` on ``x`` with weights ``(t - e)^2``; ``model_final`` must
    therefore accept ``sample_weight``.

    The R-learner does not model the potential outcomes, so it has no
    ``predict_outcomes``; :meth:`score` is the negated R-loss on held-out data.

    Parameters
    ----------
    model_y : regressor, default=None
        Model of ``E[y | x]`` (both arms pooled), cloned per fold. ``None`` uses
        ``GradientBoostingRegressor(max_depth=2)``.
    model_t : classifier with ``predict_proba``, default=None
        Propensity model, cloned per fold (and once on all data for the overlap check
        and :meth:`score`). ``None`` uses ``LogisticRegression()``.
    model_final : regressor accepting ``sample_weight``, default=None
        Effect model. ``None`` uses ``RidgeCV(alphas=np.logspace(-2, 3, 11))``
        (linear effects; see Notes).
    cv : int, cross-validation splitter or iterable, default=5
        Cross-fitting folds; an int gives a shuffled
        :class:`TreatmentStratifiedKFold` (with ``groups``, group-aware folds
        stratified on the treatment).
    propensity_clip : float, default=0.01
        Propensities are clipped to ``[propensity_clip, 1 - propensity_clip]`` per
        level (for ``K > 2`` also the pair propensities); a warning reports how many
        units the clipping changed.
    baseline : level or None, default=None
        The reference treatment level of the effects; ``None`` takes the first of the
        sorted levels (0 for a 0/1 treatment). Must be one of the treatment levels.
    n_bootstrap : int, default=0
        Number of bootstrap replicas refitted in ``fit`` for :meth:`ate_interval` and
        :meth:`effect_interval` (0: none). Each replica resamples the units within
        each arm (every arm keeps its size) and repeats the whole fit, cross-fitting
        included (the copies of a unit stay in one fold).
    n_jobs : int, default=None
        Cross-fitting (one joblib task per fold and nuisance model) and bootstrap
        replicas run in parallel; the result does not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the bootstrap and every nuisance model whose ``random_state``
        is None; seeds are spawned by index.

    Attributes
    ----------
    models_final_ : list of K - 1 fitted regressors
        One CATE model per level of ``effect_levels_``, each fitted on the units of
        that level and of the baseline.
    model_final_ : fitted regressor
        Two levels only: the CATE model (``models_final_[0]``).
    treatment_levels_ : ndarray of shape (K,)
        The sorted treatment levels seen in ``fit``; ``model_t_`` and the fold
        propensity models are fitted on their codes ``0, ..., K - 1``.
    baseline_ : scalar or str
        The reference level.
    effect_levels_ : ndarray of shape (K - 1,)
        The levels whose effects against ``baseline_`` :meth:`predict` returns, in
        column order.
    overlap_ : dict
        Overlap summary of ``model_t_``'s in-sample propensities:
        ``propensity_min``/``propensity_max`` per level, ``share_outside`` and
        ``n_outside`` (units with a propensity outside ``bounds`` = (0.05, 0.95)),
        ``n_clipped`` (in-sample units the clipping changes) and
        ``n_clipped_out_of_fold`` (equal to ``n_propensity_clipped_``).
    bootstrap_estimators_ : list
        The ``n_bootstrap`` fitted replicas (empty when ``n_bootstrap=0``); their
        cross-fitting fold models are dropped.
    model_t_ : fitted classifier
        Propensity model fitted on all data.
    fold_models_y_ : list of lists of K - 1 fitted regressors
        Per fold, one pooled ``m`` per pair ``{baseline, k}`` (all units for two
        levels); :meth:`score` averages them over the folds.
    fold_models_t_ : list of fitted classifiers
        The per-fold propensity models.
    nuisance_scores_ : dict
        Cross-fitted ``outcome_mse`` (of ``m``) and ``propensity_log_loss``.
    n_propensity_clipped_ : int
        Number of out-of-fold propensities changed by the clipping.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, defined only when ``X`` had string column names.

    See Also
    --------
    DRLearner : A second stage on doubly-robust pseudo-outcomes.

    Notes
    -----
    ``tau = argmin_f sum_i w_i ((y_i - m(x_i)) - (t_i - e(x_i)) f(x_i))^2`` with
    cross-fitted ``m`` and ``e``.

    The default ``model_final`` is linear (ridge): among the candidates tried it had
    the best held-out doubly-robust score (a criterion that needs no true effect) on
    IHDP replications 1-5 and on ``make_treatment_data``. For nonlinear effects pass a
    flexible model, e.g. ``GradientBoostingRegressor(max_depth=2)``, and tune it with
    ``GridSearchCV``, whose default scoring is :meth:`score`.

    ``treatment`` (and ``groups``, which makes the cross-fitting folds group-aware)
    travel through ``Pipeline``, ``GridSearchCV`` and ``cross_validate`` by
    scikit-learn's metadata routing: the class requests them, so only
    ``sklearn.set_config(enable_metadata_routing=True)`` is needed. Tune nuisance
    hyper-parameters (``model_final__max_depth``) by passing the model explicitly: a
    ``None`` default is only built inside ``fit``.

    ``fit`` warns (``UserWarning``, with share and count) when more than 5 % of the
    units have an in-sample propensity outside [0.05, 0.95] and raises when some
    level's propensity separates its units from all others. :meth:`ate_interval` and
    :meth:`effect_interval` are bootstrap percentile intervals (Efron and Tibshirani,
    1993): they capture the variance of the whole fit, not its bias.

    References
    ----------
    .. [1] X. Nie and S. Wager, "Quasi-oracle estimation of heterogeneous treatment
       effects", Biometrika 108(2), 299-319, 2021.
    .. [2] P. M. Robinson, "Root-N-consistent semiparametric regression",
       Econometrica 56(4), 931-954, 1988.
    .. [3] B. Efron and R. J. Tibshirani, "An Introduction to the Bootstrap",
       Chapman & Hall, 1993.

    Examples
    --------
    >>> from skcausal.datasets import make_treatment_data
    >>> from skcausal.effects import RLearner
    >>> data = make_treatment_data(n_samples=1000, random_state=0)
    >>> learner = RLearner(random_state=0).fit(data.X, data.y, treatment=data.treatment)
    >>> hasattr(learner, "predict_outcomes")
    False
    >>> learner.predict(data.X[:3]).round(1), data.cate[:3].round(1)
    (array([2.9, 0.4, 1.6]), array([3. , 0.5, 1.9]))
    >>> bool(abs(learner.ate(data.X) - data.ate) < 0.1)  # 0.93 against 0.95
    True
    """

    _pooled_outcome = True

    _n_seeds = 3  # propensity, cross-fitting, final model(s)
    _outcome_kind = "pairs"

    def _check_fit_params(self):
        final = self._final_model()
        if not has_fit_parameter(final, "sample_weight"):
            raise ValueError(
                f"RLearner needs a model_final whose fit accepts sample_weight (the "
                f"R-loss weights (t - e)^2); {type(final).__name__} does not."
            )

    def _pairs(self, codes):
        """Per non-baseline level: its code and the rows of the pair {b, k}."""
        b = self._baseline_code
        for k in self._effect_codes:
            yield k, None if self._n_levels == 2 else (codes == k) | (codes == b)

    def _fit_core(self, X, y, codes, sample_weight, groups, seeds, diagnostics):
        seed_t, seed_cv, seed_final = seeds
        propensity, outcomes = self._cross_fit(
            X,
            y,
            codes,
            sample_weight,
            groups,
            seed_cv,
            propensity=(seed_t, diagnostics),
        )
        models = []
        final_seeds = self._final_seeds(seed_final)
        for j, (k, rows) in enumerate(self._pairs(codes)):
            e = clip_pair_propensity(
                propensity, k, self._baseline_code, self.propensity_clip
            )
            t_residual = (codes == k) - e
            target = (y - outcomes[:, j]) / t_residual
            weight = t_residual**2
            if sample_weight is not None:
                weight = weight * sample_weight
            X_pair = X
            if rows is not None:
                X_pair, target, weight = X[rows], target[rows], weight[rows]
            model = clone_with_seed(self._final_model(), final_seeds[j])
            model.fit(X_pair, target, sample_weight=weight)
            models.append(model)
        self.models_final_ = models
        if len(models) == 1:
            self.model_final_ = models[0]
        return self

    @available_if(_no_outcome_model)
    def predict_outcomes(self, X):  # pragma: no cover - never available
        """Not available: the R-learner does not model the potential outcomes."""
        return _no_outcome_model(self)

    def _predict_effects(self, X):
        return np.column_stack([model.predict(X) for model in self.models_final_])

    def score(self, X, y, treatment=None, sample_weight=None) -> float:
        """Negated R-loss of the CATE on held-out data (higher is better).

        ``-mean_i w_i ((y_i - m(x_i)) - (t_i - e(x_i)) tau(x_i))^2 / mean_i w_i`` with
        ``m`` the average of the fold outcome models, ``e`` from ``model_t_`` (clipped)
        and ``tau = predict(X)``. No true effect is needed (Nie and Wager, 2021).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Held-out features.
        y : array-like of shape (n_samples,)
            Held-out outcomes.
        treatment : array-like of shape (n_samples,)
            Held-out binary treatment; required (routed as metadata inside
            ``GridSearchCV`` and ``cross_validate``).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the loss.

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        X, y, codes, sample_weight = self._validate_score_data(
            X, y, treatment, sample_weight
        )
        propensity = self._propensity_matrix(X)
        effects = self._predict_effects(X)
        residuals, weights = [], []
        for j, (k, rows) in enumerate(self._pairs(codes)):
            m = np.mean([fold[j].predict(X) for fold in self.fold_models_y_], axis=0)
            e = clip_pair_propensity(
                propensity, k, self._baseline_code, self.propensity_clip
            )
            residual = (y - m) - ((codes == k) - e) * effects[:, j]
            weight = sample_weight
            if rows is not None:
                residual = residual[rows]
                weight = None if weight is None else weight[rows]
            residuals.append(residual)
            weights.append(weight)
        if len(residuals) == 1:
            return -dr_loss(residuals[0], 0.0, weights[0])
        weights = None if sample_weight is None else np.concatenate(weights)
        return -dr_loss(np.concatenate(residuals), 0.0, weights)
