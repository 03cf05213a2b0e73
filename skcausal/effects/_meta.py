"""S- and T-learners: the CATE as a difference of two outcome regressions.

Both meta-learners reduce effect estimation to supervised regression with any
scikit-learn regressor. The S-learner ("single") fits one model of the outcome on the
features and the treatment; the T-learner ("two") fits one model per arm. Both are
described and compared in S. R. Künzel, J. S. Sekhon, P. J. Bickel and B. Yu,
"Metalearners for estimating heterogeneous treatment effects using machine learning",
PNAS 116(10), 4156-4165, 2019.

Both accept a binary or a categorical treatment with ``K > 2`` levels: the S-learner
appends ``K - 1`` indicator columns of the treatment to the features, the T-learner
fits one model per level. ``predict`` gives one effect per non-baseline level
(shape (n_samples,) for two levels, (n_samples, K - 1) otherwise), ``predict_outcomes``
all ``K`` potential outcomes. ``cv`` (None by default) adds cross-fitted nuisance
diagnostics (``nuisance_scores_``) and ``n_bootstrap`` bootstrap intervals; the
estimate itself is always fitted on all the data.
"""

from __future__ import annotations

import numpy as np

from skcausal.effects._base import (
    clone_with_seed,
    early_stopping_model_y,
    fit_model,
    with_treatment_columns,
)
from skcausal.effects._learner import BaseMetaLearner, level_seeds

__all__ = ["SLearner", "TLearner"]


class _OutcomeLearner(BaseMetaLearner):
    """Shared parameters of the S- and T-learners (no final model)."""

    def __init__(
        self,
        *,
        model_y=None,
        model_t=None,
        propensity_clip=0.01,
        baseline=None,
        cv=None,
        n_bootstrap=0,
        n_jobs=None,
        random_state=None,
    ):
        self.model_y = model_y
        self.model_t = model_t
        self.propensity_clip = propensity_clip
        self.baseline = baseline
        self.cv = cv
        self.n_bootstrap = n_bootstrap
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _cross_fit_cv(self):
        return self.cv


class SLearner(_OutcomeLearner):
    """S-learner: one outcome model on the features and the treatment.

    A single regressor ``mu(x, t)`` is fitted on ``[X, T]``; the effect of level ``k``
    is ``tau_k(x) = mu(x, k) - mu(x, baseline)``. For a binary treatment ``T`` is the
    0/1 column of the (sorted) second level; with ``K > 2`` levels it is ``K - 1``
    indicator columns (one-hot, the first sorted level dropped). Sharing one model
    between the arms pools their data, which helps when effects are small or smooth,
    but a regularised model may shrink the effect towards zero or ignore the
    treatment columns altogether (with a linear ``model_y`` the effect is a constant).

    Parameters
    ----------
    model_y : regressor, default=None
        Outcome model, cloned before fitting. ``None`` uses
        ``GradientBoostingRegressor(max_depth=2)``: gradient boosting of shallow trees,
        deterministic, fast and single-threaded.
    model_t : classifier with ``predict_proba``, default=None
        Propensity model ``P(t = level | x)`` (multinomial for ``K > 2``), cloned
        before fitting. ``None`` uses ``LogisticRegression()``. It serves the overlap
        check and :meth:`score`.
    propensity_clip : float, default=0.01
        Propensities used by :meth:`score` (and the cross-fitted diagnostics) are
        clipped to ``[propensity_clip, 1 - propensity_clip]`` per level; must lie in
        (0, 0.5).
    baseline : level or None, default=None
        The reference treatment level of the effects; ``None`` takes the first of the
        sorted levels (0 for a 0/1 treatment). Must be one of the treatment levels.
    cv : int, cross-validation splitter, iterable or None, default=None
        ``None``: no cross-fitting (the cheapest fit). Otherwise the folds over which
        the propensity and outcome models are cross-fitted for the diagnostics
        ``nuisance_scores_`` and ``overlap_["n_clipped_out_of_fold"]``; an int gives
        a shuffled :class:`TreatmentStratifiedKFold` (group-aware with ``groups``).
        The effect estimate always uses the models fitted on all the data.
    n_bootstrap : int, default=0
        Number of bootstrap replicas refitted in ``fit`` for :meth:`ate_interval` and
        :meth:`effect_interval` (0: none). Each replica resamples the units within
        each arm (every arm keeps its size) and repeats the whole fit.
    n_jobs : int, default=None
        Cross-fitting folds and bootstrap replicas fitted in parallel (joblib;
        ``None`` means 1). Results do not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds every nuisance model whose ``random_state`` is None (its own value is
        kept otherwise), the folds and the bootstrap; seeds are spawned by index, so
        results are exactly reproducible for any ``n_jobs``.

    Attributes
    ----------
    models_y_ : list of one fitted regressor
        The outcome model ``mu(x, t)`` fitted on ``[X, T]``.
    model_t_ : fitted classifier
        The propensity model, fitted on the level codes ``0, ..., K - 1`` (the
        positions in ``treatment_levels_``).
    treatment_levels_ : ndarray of shape (K,)
        The sorted treatment levels seen in ``fit``.
    baseline_ : scalar or str
        The reference level.
    effect_levels_ : ndarray of shape (K - 1,)
        The levels whose effects against ``baseline_`` :meth:`predict` returns, in
        column order (``treatment_levels_`` without the baseline).
    overlap_ : dict
        Overlap summary of the in-sample propensities: ``propensity_min`` and
        ``propensity_max`` per level, ``share_outside`` and ``n_outside`` (units with
        a propensity outside ``bounds`` = (0.05, 0.95)), ``n_clipped`` (units the
        clipping changes) and ``n_clipped_out_of_fold`` (cross-fitted propensities
        clipped; None without ``cv``).
    nuisance_scores_ : dict or None
        With ``cv``: cross-fitted ``outcome_mse`` (observed arm) and
        ``propensity_log_loss``; None otherwise.
    n_propensity_clipped_ : int
        With ``cv``: number of cross-fitted propensities changed by the clipping.
    fold_models_y_, fold_models_t_ : lists
        With ``cv``: the per-fold outcome model(s) and propensity models.
    bootstrap_estimators_ : list
        The ``n_bootstrap`` fitted replicas (empty when ``n_bootstrap=0``).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, defined only when ``X`` had string column names.

    See Also
    --------
    TLearner : One outcome model per arm.
    skcausal.datasets.make_treatment_data : Simulated data with known effects.

    Notes
    -----
    ``tau_k(x) = mu(x, k) - mu(x, b)`` with
    ``mu = argmin sum_i (y_i - mu(x_i, t_i))^2``.

    Output shapes: ``predict`` (n_samples,) for two levels, (n_samples, K - 1) for
    ``K > 2`` (columns in ``effect_levels_`` order); ``predict_outcomes``
    (n_samples, K) in ``treatment_levels_`` order; ``ate`` a float, or (K - 1,).

    ``treatment`` (and ``groups``) travel through ``Pipeline``, ``GridSearchCV`` and
    ``cross_validate`` by scikit-learn's metadata routing: the class already requests
    them, so only ``sklearn.set_config(enable_metadata_routing=True)`` is needed. To
    tune a nuisance model's hyper-parameters (``model_y__max_depth``), pass the model
    explicitly: with ``model_y=None`` the default is only built inside ``fit``.

    ``fit`` warns (``UserWarning``, with share and count) when more than 5 % of the
    units have an estimated propensity outside [0.05, 0.95], and raises when the
    propensity of some level separates its units from all others completely.

    The bootstrap intervals are percentile intervals (Efron and Tibshirani, 1993):
    they capture the variance of the whole fit, not its bias.

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
    >>> from skcausal.effects import SLearner
    >>> data = make_treatment_data(n_samples=500, random_state=0)
    >>> learner = SLearner(random_state=0).fit(data.X, data.y, treatment=data.treatment)
    >>> learner.predict(data.X[:3]).round(2)
    array([1.83, 0.25, 1.05])
    >>> data.cate[:3].round(2)
    array([2.96, 0.5 , 1.87])
    >>> round(learner.ate(data.X), 2), round(data.ate, 2)
    (0.78, 0.94)
    """

    _n_seeds = 3  # propensity, outcome, cross-fitting
    _outcome_kind = "s_learner"

    def _fit_core(self, X, y, codes, sample_weight, groups, seeds, diagnostics):
        seed_t, seed_y, seed_cv = seeds
        self._fit_propensity(X, codes, sample_weight, seed_t, check=diagnostics)
        if diagnostics:
            self._diagnostics(X, y, codes, sample_weight, groups, seed_cv)
        model = clone_with_seed(self._outcome_model(), seed_y)
        design = with_treatment_columns(X, codes, self._n_levels)
        fit_model(model, design, y, sample_weight, role="model_y")
        self.models_y_ = [model]
        return self

    def _predict_outcomes(self, X):
        model = self.models_y_[0]
        n_samples, n_levels = X.shape[0], self._n_levels
        return np.column_stack(
            [
                model.predict(
                    with_treatment_columns(X, np.full(n_samples, code), n_levels)
                )
                for code in range(n_levels)
            ]
        )


class TLearner(_OutcomeLearner):
    """T-learner: one outcome model per treatment arm.

    ``mu_j`` is fitted on the units of level ``j`` (for a 0/1 treatment: ``mu_0`` on
    the control and ``mu_1`` on the treated units); the effect of level ``k`` is
    ``tau_k(x) = mu_k(x) - mu_baseline(x)``. Each arm gets a flexible model of its
    own, which suits effects that differ in shape between the arms; with a small arm
    its model is noisy, and the difference of two noisy fits can exaggerate
    heterogeneity.

    Parameters
    ----------
    model_y : regressor, default=None
        Outcome model, cloned once per arm. ``None`` uses early-stopped boosting of
        shallow trees, ``GradientBoostingRegressor(max_depth=2, n_estimators=1000,
        n_iter_no_change=20, validation_fraction=0.2)``: each arm's fit picks its own
        number of trees by the loss on an internal 20 % validation split (see
        Notes); deterministic given the seed and single-threaded.
    model_t : classifier with ``predict_proba``, default=None
        Propensity model ``P(t = level | x)`` (multinomial for ``K > 2``), cloned
        before fitting. ``None`` uses ``LogisticRegression()``. It serves the overlap
        check and :meth:`score`.
    propensity_clip : float, default=0.01
        Propensities used by :meth:`score` (and the cross-fitted diagnostics) are
        clipped to ``[propensity_clip, 1 - propensity_clip]`` per level; must lie in
        (0, 0.5).
    baseline : level or None, default=None
        The reference treatment level of the effects; ``None`` takes the first of the
        sorted levels (0 for a 0/1 treatment). Must be one of the treatment levels.
    cv : int, cross-validation splitter, iterable or None, default=None
        ``None``: no cross-fitting (the cheapest fit). Otherwise the folds over which
        the propensity and outcome models are cross-fitted for the diagnostics
        ``nuisance_scores_`` and ``overlap_["n_clipped_out_of_fold"]``; an int gives
        a shuffled :class:`TreatmentStratifiedKFold` (group-aware with ``groups``).
        The effect estimate always uses the models fitted on all the data.
    n_bootstrap : int, default=0
        Number of bootstrap replicas refitted in ``fit`` for :meth:`ate_interval` and
        :meth:`effect_interval` (0: none). Each replica resamples the units within
        each arm (every arm keeps its size) and repeats the whole fit.
    n_jobs : int, default=None
        The per-arm outcome models, cross-fitting folds and bootstrap replicas
        fitted in parallel (joblib; ``None`` means 1). Results do not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds every nuisance model whose ``random_state`` is None (its own value is
        kept otherwise), the folds and the bootstrap; seeds are spawned by index, so
        results are exactly reproducible for any ``n_jobs``.

    Attributes
    ----------
    models_y_ : list of K fitted regressors
        ``models_y_[j]`` is ``mu_j``, fitted on the units of level
        ``treatment_levels_[j]`` (for 0/1: ``mu_0`` then ``mu_1``).
    model_t_ : fitted classifier
        The propensity model, fitted on the level codes ``0, ..., K - 1`` (the
        positions in ``treatment_levels_``).
    treatment_levels_ : ndarray of shape (K,)
        The sorted treatment levels seen in ``fit``.
    baseline_ : scalar or str
        The reference level.
    effect_levels_ : ndarray of shape (K - 1,)
        The levels whose effects against ``baseline_`` :meth:`predict` returns, in
        column order (``treatment_levels_`` without the baseline).
    overlap_ : dict
        Overlap summary of the in-sample propensities: ``propensity_min`` and
        ``propensity_max`` per level, ``share_outside`` and ``n_outside`` (units with
        a propensity outside ``bounds`` = (0.05, 0.95)), ``n_clipped`` (units the
        clipping changes) and ``n_clipped_out_of_fold`` (cross-fitted propensities
        clipped; None without ``cv``).
    nuisance_scores_ : dict or None
        With ``cv``: cross-fitted ``outcome_mse`` (observed arm) and
        ``propensity_log_loss``; None otherwise.
    n_propensity_clipped_ : int
        With ``cv``: number of cross-fitted propensities changed by the clipping.
    fold_models_y_, fold_models_t_ : lists
        With ``cv``: the per-fold outcome model(s) and propensity models.
    bootstrap_estimators_ : list
        The ``n_bootstrap`` fitted replicas (empty when ``n_bootstrap=0``).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, defined only when ``X`` had string column names.

    See Also
    --------
    SLearner : One outcome model on features and treatment.
    TreatmentStratifiedKFold : Cross-validation folds that keep every arm.

    Notes
    -----
    ``tau_k(x) = mu_k(x) - mu_b(x)`` with ``mu_j`` the regression of ``y`` on ``x``
    among units with ``t = j``.

    Why early stopping: a fixed 100 trees underfit steep outcome surfaces. The default
    was chosen without true effects, by the cross-validated per-arm outcome MSE on
    IHDP replications 1-5 (1.316 against 1.400 for 100 fixed trees; lower on 4 of 5
    replications; 2-3 % higher on ``make_treatment_data``). Reported afterwards
    against the truth, in-sample sqrt(PEHE) over IHDP replications 1-10 went from
    1.45 to 1.08 (ATE error 0.086 to 0.106; replications 6-10 alone 2.17 to 1.56),
    mostly from replication 9 (exponential control surface), where the treated-arm
    model now runs to several hundred trees. The price is on small or smooth data:
    on ``make_treatment_data`` (linear outcome, 8 seeds) the ATE error rose from 16 %
    to 23 % of the ATE at n = 500 and from 9 % to 11 % at n = 2000, since the
    validation split leaves small arms fewer rows to fit; pass
    ``GradientBoostingRegressor(max_depth=2)`` for the former default.
    The other learners keep 100 fixed trees:
    with early stopping their IHDP errors barely moved (X 1.97 to 1.92, DR 1.92 to
    1.92, R 2.01 to 2.03; see ``benchmarks/meta_ihdp_defaults.py``). Spline or
    linear ridge and a per-fit grid search over ridge, splines and this model had
    still lower cross-validated MSE on IHDP 1-5 (1.26, 1.27, 1.24); the grid search
    (T-learner sqrt(PEHE) 1.01 over 1-10) costs about ten times as much per fit, and
    spline ridge gave 1.57.

    Output shapes: ``predict`` (n_samples,) for two levels, (n_samples, K - 1) for
    ``K > 2`` (columns in ``effect_levels_`` order); ``predict_outcomes``
    (n_samples, K) in ``treatment_levels_`` order; ``ate`` a float, or (K - 1,).

    ``treatment`` (and ``groups``) travel through ``Pipeline``, ``GridSearchCV`` and
    ``cross_validate`` by scikit-learn's metadata routing: the class already requests
    them, so only ``sklearn.set_config(enable_metadata_routing=True)`` is needed. To
    tune a nuisance model's hyper-parameters (``model_y__max_depth``), pass the model
    explicitly: with ``model_y=None`` the default is only built inside ``fit``.

    ``fit`` warns (``UserWarning``, with share and count) when more than 5 % of the
    units have an estimated propensity outside [0.05, 0.95], and raises when the
    propensity of some level separates its units from all others completely.

    The bootstrap intervals are percentile intervals (Efron and Tibshirani, 1993):
    they capture the variance of the whole fit, not its bias.

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
    >>> from skcausal.effects import TLearner
    >>> data = make_treatment_data(n_samples=500, random_state=0)
    >>> learner = TLearner(random_state=0).fit(data.X, data.y, treatment=data.treatment)
    >>> learner.predict_outcomes(data.X[:3]).shape  # columns: mu_0(x), mu_1(x)
    (3, 2)
    >>> round(learner.ate(data.X), 1), round(data.ate, 1)
    (1.2, 0.9)

    A three-arm treatment coded with strings, with bootstrap intervals:

    >>> import numpy as np
    >>> arms = np.array(["a", "b", "c"])[np.arange(500) % 3]
    >>> y = data.X[:, 0] + (arms == "b") + 2 * (arms == "c")
    >>> learner = TLearner(baseline="a", n_bootstrap=20, random_state=0)
    >>> learner = learner.fit(data.X, y, treatment=arms)
    >>> learner.effect_levels_.tolist(), learner.predict(data.X).shape
    (['b', 'c'], (500, 2))
    >>> learner.ate(data.X).round(1)
    array([1., 2.])
    >>> lower, upper = learner.ate_interval(data.X, alpha=0.1)
    >>> bool(np.all(lower < [1, 2]) and np.all(upper > [1, 2]))
    True
    """

    _n_seeds = 4  # propensity, two outcome seeds, cross-fitting

    def _outcome_model(self):
        return early_stopping_model_y() if self.model_y is None else self.model_y

    def _fit_core(self, X, y, codes, sample_weight, groups, seeds, diagnostics):
        seed_t, seed_0, seed_1, seed_cv = seeds
        self._fit_propensity(X, codes, sample_weight, seed_t, check=diagnostics)
        if diagnostics:
            self._diagnostics(X, y, codes, sample_weight, groups, seed_cv)
        # One model per arm, fitted in parallel over n_jobs (seeded per arm).
        n_levels = self._n_levels
        models = self._fit_models(
            self._outcome_model(),
            X,
            y,
            sample_weight,
            [codes == code for code in range(n_levels)],
            level_seeds(seed_0, seed_1, n_levels),
            role="model_y",
        )
        self.models_y_ = models
        return self

    def _predict_outcomes(self, X):
        return np.column_stack([model.predict(X) for model in self.models_y_])
