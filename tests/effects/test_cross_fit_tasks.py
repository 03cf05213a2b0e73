"""Cross-fitting as one task per (fold, nuisance model): order, placement, reuse."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LinearRegression, LogisticRegression

from skcausal.datasets import make_treatment_data
from skcausal.effects import DRLearner, RLearner
from skcausal.effects._base import cross_fit_folds, cross_fit_predictions

# Fits in the order they ran (sequential backend: the order of dispatch).
FIT_LOG = []


class _LoggedRegressor(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        FIT_LOG.append(("model_y", X.shape[0]))
        self.model_ = LinearRegression().fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


class _LoggedClassifier(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        FIT_LOG.append(("model_t", X.shape[0]))
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


@pytest.fixture(scope="module")
def unbalanced():
    # a small treated arm, so per-arm training sets differ in size
    data = make_treatment_data(n_samples=400, random_state=1)
    t = data.treatment.copy()
    t[np.flatnonzero(t == 1)[::2]] = 0
    return data.X, data.y, t


def test_outcome_fits_run_first_and_largest_first(unbalanced):
    X, y, t = unbalanced
    FIT_LOG.clear()
    DRLearner(
        model_y=_LoggedRegressor(),
        model_t=_LoggedClassifier(),
        model_final=LinearRegression(),
        cv=4,
        random_state=0,
    ).fit(X, y, treatment=t)
    roles = [role for role, _ in FIT_LOG]
    # 4 folds x 2 arms outcome fits, then the full-data and the 4 fold propensities
    assert roles == ["model_y"] * 8 + ["model_t"] * 5
    outcome_sizes = [n for role, n in FIT_LOG if role == "model_y"]
    assert outcome_sizes == sorted(outcome_sizes, reverse=True)
    assert outcome_sizes[0] > 2 * outcome_sizes[-1]  # the arms really differ
    propensity_sizes = [n for role, n in FIT_LOG if role == "model_t"]
    assert propensity_sizes[0] == X.shape[0]  # the full-data model_t_ first
    assert all(n == 300 for n in propensity_sizes[1:])


def test_each_prediction_comes_from_its_own_fold_model(unbalanced):
    X, y, t = unbalanced
    folds, seeds = cross_fit_folds(X, y, t, 3, 0, 3)
    fitted = cross_fit_predictions(
        LinearRegression(),
        LogisticRegression(),
        X,
        y,
        t,
        None,
        folds,
        seeds,
        "per_level",
        2,
        0,
        n_jobs=2,
        full_propensity=True,
        full_propensity_seed=0,
    )
    for (train, test), model_t, models_y in zip(
        folds, fitted.models_t, fitted.models_y, strict=True
    ):
        for arm in (0, 1):
            rows = train[t[train] == arm]
            expected = LinearRegression().fit(X[rows], y[rows]).predict(X[test])
            np.testing.assert_allclose(fitted.outcomes[test, arm], expected)
            assert models_y[arm].n_features_in_ == X.shape[1]
        np.testing.assert_allclose(
            fitted.proba[test], model_t.predict_proba(X[test]), rtol=1e-12
        )
    full = LogisticRegression().fit(X, t)
    np.testing.assert_allclose(fitted.model_t.coef_, full.coef_, rtol=1e-10)
    np.testing.assert_allclose(fitted.proba_full, full.predict_proba(X), rtol=1e-10)


def test_same_fits_for_any_n_jobs_with_pooled_outcomes(unbalanced):
    X, y, t = unbalanced
    fits = [
        RLearner(
            model_y=LinearRegression(),
            model_t=LogisticRegression(),
            model_final=LinearRegression(),
            cv=5,
            n_jobs=n_jobs,
            random_state=3,
        ).fit(X, y, treatment=t)
        for n_jobs in (None, 2)
    ]
    np.testing.assert_array_equal(fits[0].predict(X), fits[1].predict(X))
    assert fits[0].nuisance_scores_ == fits[1].nuisance_scores_
    # the full-data propensity model, fitted in the pool, is the plain full fit
    full = LogisticRegression().fit(X, t)
    for fit in fits:
        np.testing.assert_allclose(fit.model_t_.coef_, full.coef_, rtol=1e-10)
