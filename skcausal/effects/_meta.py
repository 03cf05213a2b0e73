"""S- and T-learners: the CATE as a difference of two outcome regressions.

Both meta-learners reduce effect estimation to supervised regression with any
scikit-learn regressor. The S-learner ("single") fits one model of the outcome on the
features and the treatment; the T-learner ("two") fits one model per arm. Both are
described and compared in S. R. Künzel, J. S. Sekhon, P. J. Bickel and B. Yu,
"Metalearners for estimating heterogeneous treatment effects using machine learning",
PNAS 116(10), 4156-4165, 2019.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import _fit_context

from skcausal.effects._base import (
    BaseMetaLearner,
    check_effect_data,
    clone_with_seed,
    fit_model,
    spawn_seeds,
)

__all__ = ["SLearner", "TLearner"]


class SLearner(BaseMetaLearner):
    """S-learner: one outcome model on the features and the treatment.

    A single regressor ``mu(x, t)`` is fitted on ``[X, t]`` (the treatment appended as
    the last column); the effect is ``tau(x) = mu(x, 1) - mu(x, 0)``. Sharing one
    model between the arms pools their data, which helps when effects are small or
    smooth, but a regularised model may shrink the effect towards zero or ignore the
    treatment column altogether (with a linear ``model_y`` the effect is a constant).

    Parameters
    ----------
    model_y : regressor, default=None
        Outcome model, cloned before fitting. ``None`` uses
        ``GradientBoostingRegressor(max_depth=2)``: gradient boosting of shallow trees,
        deterministic, fast and single-threaded.
    model_t : classifier with ``predict_proba``, default=None
        Propensity model ``P(t = 1 | x)``, cloned before fitting. ``None`` uses
        ``LogisticRegression()``. It serves the overlap check and :meth:`score`.
    propensity_clip : float, default=0.01
        Propensities used by :meth:`score` are clipped to
        ``[propensity_clip, 1 - propensity_clip]``; must lie in (0, 0.5).
    random_state : int, RandomState instance or None, default=None
        Seeds every nuisance model whose ``random_state`` is None (its own value is
        kept otherwise); per-model seeds are drawn by index, so results are exactly
        reproducible.

    Attributes
    ----------
    models_y_ : list of one fitted regressor
        The outcome model ``mu(x, t)`` fitted on ``[X, t]``.
    model_t_ : fitted classifier
        The propensity model.
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
    ``tau(x) = mu(x, 1) - mu(x, 0)`` with ``mu = argmin sum_i (y_i - mu(x_i, t_i))^2``.

    ``treatment`` travels through ``Pipeline``, ``GridSearchCV`` and
    ``cross_validate`` by scikit-learn's metadata routing: the class already requests
    it for ``fit`` and ``score``, so only ``sklearn.set_config(
    enable_metadata_routing=True)`` is needed. To tune a nuisance model's
    hyper-parameters (``model_y__max_depth``), pass the model explicitly: with
    ``model_y=None`` the default is only built inside ``fit``.

    ``fit`` warns (``UserWarning``) when more than 5 % of the units have an estimated
    propensity outside [0.05, 0.95], and raises when the propensity separates the arms
    completely.

    References
    ----------
    .. [1] S. R. Künzel, J. S. Sekhon, P. J. Bickel and B. Yu, "Metalearners for
       estimating heterogeneous treatment effects using machine learning", PNAS
       116(10), 4156-4165, 2019.

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

    def __init__(
        self, *, model_y=None, model_t=None, propensity_clip=0.01, random_state=None
    ):
        self.model_y = model_y
        self.model_t = model_t
        self.propensity_clip = propensity_clip
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, treatment=None, sample_weight=None):
        """Fit the propensity model and the outcome model on ``[X, t]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Outcome.
        treatment : array-like of shape (n_samples,)
            Binary treatment (0 = control, 1 = treated); required.
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to the ``fit`` of both nuisance models, which must then accept
            ``sample_weight``.

        Returns
        -------
        self : SLearner
        """
        X, y, treatment, sample_weight = check_effect_data(
            self, X, y, treatment, sample_weight, reset=True, method="fit"
        )
        seed_t, seed_y = spawn_seeds(self.random_state, 2)
        self._fit_propensity(X, treatment, sample_weight, seed_t)
        model = clone_with_seed(self._outcome_model(), seed_y)
        fit_model(
            model, _with_treatment(X, treatment), y, sample_weight, role="model_y"
        )
        self.models_y_ = [model]
        return self

    def _predict_outcomes(self, X):
        model = self.models_y_[0]
        n_samples = X.shape[0]
        return np.column_stack(
            [
                model.predict(_with_treatment(X, np.zeros(n_samples))),
                model.predict(_with_treatment(X, np.ones(n_samples))),
            ]
        )


class TLearner(BaseMetaLearner):
    """T-learner: one outcome model per treatment arm.

    ``mu_0`` is fitted on the control units and ``mu_1`` on the treated units; the
    effect is ``tau(x) = mu_1(x) - mu_0(x)``. Each arm gets a flexible model of its
    own, which suits effects that differ in shape between the arms; with a small arm
    its model is noisy, and the difference of two noisy fits can exaggerate
    heterogeneity.

    Parameters
    ----------
    model_y : regressor, default=None
        Outcome model, cloned once per arm. ``None`` uses
        ``GradientBoostingRegressor(max_depth=2)``: gradient boosting of shallow trees,
        deterministic, fast and single-threaded.
    model_t : classifier with ``predict_proba``, default=None
        Propensity model ``P(t = 1 | x)``, cloned before fitting. ``None`` uses
        ``LogisticRegression()``. It serves the overlap check and :meth:`score`.
    propensity_clip : float, default=0.01
        Propensities used by :meth:`score` are clipped to
        ``[propensity_clip, 1 - propensity_clip]``; must lie in (0, 0.5).
    random_state : int, RandomState instance or None, default=None
        Seeds every nuisance model whose ``random_state`` is None (its own value is
        kept otherwise); per-model seeds are drawn by index, so results are exactly
        reproducible.

    Attributes
    ----------
    models_y_ : list of two fitted regressors
        ``models_y_[0]`` is ``mu_0`` (control arm), ``models_y_[1]`` is ``mu_1``.
    model_t_ : fitted classifier
        The propensity model.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, defined only when ``X`` had string column names.

    See Also
    --------
    SLearner : One outcome model on features and treatment.
    TreatmentStratifiedKFold : Cross-validation folds that keep both arms.

    Notes
    -----
    ``tau(x) = mu_1(x) - mu_0(x)`` with ``mu_a`` the regression of ``y`` on ``x``
    among units with ``t = a``.

    ``treatment`` travels through ``Pipeline``, ``GridSearchCV`` and
    ``cross_validate`` by scikit-learn's metadata routing: the class already requests
    it for ``fit`` and ``score``, so only ``sklearn.set_config(
    enable_metadata_routing=True)`` is needed. To tune a nuisance model's
    hyper-parameters (``model_y__max_depth``), pass the model explicitly: with
    ``model_y=None`` the default is only built inside ``fit``.

    ``fit`` warns (``UserWarning``) when more than 5 % of the units have an estimated
    propensity outside [0.05, 0.95], and raises when the propensity separates the arms
    completely.

    References
    ----------
    .. [1] S. R. Künzel, J. S. Sekhon, P. J. Bickel and B. Yu, "Metalearners for
       estimating heterogeneous treatment effects using machine learning", PNAS
       116(10), 4156-4165, 2019.

    Examples
    --------
    >>> from skcausal.datasets import make_treatment_data
    >>> from skcausal.effects import TLearner
    >>> data = make_treatment_data(n_samples=500, random_state=0)
    >>> learner = TLearner(random_state=0).fit(data.X, data.y, treatment=data.treatment)
    >>> learner.predict_outcomes(data.X[:3]).shape  # columns: mu_0(x), mu_1(x)
    (3, 2)
    >>> round(learner.ate(data.X), 1), round(data.ate, 1)
    (1.0, 0.9)
    """

    def __init__(
        self, *, model_y=None, model_t=None, propensity_clip=0.01, random_state=None
    ):
        self.model_y = model_y
        self.model_t = model_t
        self.propensity_clip = propensity_clip
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, treatment=None, sample_weight=None):
        """Fit the propensity model and one outcome model per arm.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Outcome.
        treatment : array-like of shape (n_samples,)
            Binary treatment (0 = control, 1 = treated); required.
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to the ``fit`` of every nuisance model (restricted to the arm),
            which must then accept ``sample_weight``.

        Returns
        -------
        self : TLearner
        """
        X, y, treatment, sample_weight = check_effect_data(
            self, X, y, treatment, sample_weight, reset=True, method="fit"
        )
        seed_t, *seeds_y = spawn_seeds(self.random_state, 3)
        self._fit_propensity(X, treatment, sample_weight, seed_t)
        models = []
        for arm, seed in zip((0, 1), seeds_y, strict=True):
            in_arm = treatment == arm
            model = clone_with_seed(self._outcome_model(), seed)
            fit_model(
                model,
                X[in_arm],
                y[in_arm],
                None if sample_weight is None else sample_weight[in_arm],
                role="model_y",
            )
            models.append(model)
        self.models_y_ = models
        return self

    def _predict_outcomes(self, X):
        return np.column_stack([model.predict(X) for model in self.models_y_])


def _with_treatment(X, treatment):
    """``[X, t]``: the treatment appended as the last column."""
    return np.column_stack([X, np.asarray(treatment, dtype=X.dtype)])
