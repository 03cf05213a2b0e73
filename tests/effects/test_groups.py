"""Clustered cross-fitting with ``groups``, and cross-fitting for the S/T-learners."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GroupKFold, KFold, cross_validate

from skcausal.datasets import make_treatment_data
from skcausal.effects import (
    DRLearner,
    RLearner,
    SLearner,
    TLearner,
    XLearner,
    cross_fit_nuisances,
)
from skcausal.effects._base import cross_fit_folds, spawn_seeds

LEARNERS = [SLearner, TLearner, XLearner, RLearner, DRLearner]
FINAL = (XLearner, RLearner, DRLearner)
N_SAMPLES = 240


class _RowRecorder(LinearRegression):
    """A linear outcome model that remembers the rows (column 5 = id / n) it saw."""

    def fit(self, X, y, sample_weight=None):
        self.rows_ = np.rint(np.asarray(X)[:, 5] * N_SAMPLES).astype(int)
        return super().fit(X, y, sample_weight=sample_weight)


def _learner(cls, **params):
    params = {"model_y": LinearRegression(), "model_t": LogisticRegression(), **params}
    if cls in FINAL:
        params.setdefault("model_final", LinearRegression())
    params.setdefault("cv", 4)
    return cls(**params)


@pytest.fixture(scope="module")
def clustered():
    """Treatment varies within clusters; column 5 (the last) of X is row id / n."""
    data = make_treatment_data(n_samples=N_SAMPLES, random_state=0)
    groups = np.random.RandomState(1).randint(0, 30, size=N_SAMPLES)
    X = np.c_[data.X, np.arange(N_SAMPLES) / N_SAMPLES]
    return X, data.y, data.treatment, groups


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_no_group_is_in_both_parts_of_a_nuisance_fold(clustered, learner_cls):
    X, y, t, groups = clustered
    learner = _learner(learner_cls, model_y=_RowRecorder(), random_state=0)
    learner.fit(X, y, treatment=t, groups=groups)
    assert len(learner.fold_models_y_) == 4
    seen_test = []
    for fold in learner.fold_models_y_:
        train = np.unique(np.concatenate([model.rows_ for model in fold]))
        test = np.setdiff1d(np.arange(N_SAMPLES), train)
        assert test.size > 0
        assert not set(groups[train]) & set(groups[test])
        seen_test.append(test)
    np.testing.assert_array_equal(np.sort(np.concatenate(seen_test)), np.arange(240))
    # Without groups the same folds would split clusters.
    plain = _learner(learner_cls, model_y=_RowRecorder(), random_state=0)
    plain.fit(X, y, treatment=t)
    train = np.unique(np.concatenate([m.rows_ for m in plain.fold_models_y_[0]]))
    test = np.setdiff1d(np.arange(N_SAMPLES), train)
    assert set(groups[train]) & set(groups[test])


@pytest.mark.parametrize("learner_cls", [TLearner, DRLearner, RLearner])
def test_grouped_fits_are_deterministic_for_any_n_jobs(clustered, learner_cls):
    X, y, t, groups = clustered
    params = {
        "model_y": GradientBoostingRegressor(n_estimators=10, subsample=0.5),
        "random_state": 0,
    }
    serial = _learner(learner_cls, n_jobs=1, **params)
    serial.fit(X, y, treatment=t, groups=groups)
    again = _learner(learner_cls, n_jobs=1, **params)
    again.fit(X, y, treatment=t, groups=groups)
    parallel = _learner(learner_cls, n_jobs=2, **params)
    parallel.fit(X, y, treatment=t, groups=groups)
    assert serial.nuisance_scores_ == again.nuisance_scores_
    assert serial.nuisance_scores_ == parallel.nuisance_scores_
    np.testing.assert_array_equal(serial.predict(X), parallel.predict(X))


def test_clusters_nested_in_arms_are_stratified_exactly():
    # A cluster-randomised design: every cluster has one arm; 12 treated and 24
    # control clusters of 5 units over 3 folds -> 4 and 8 clusters per test fold.
    groups = np.repeat(np.arange(36), 5)
    t = (groups < 12).astype(int)
    X = np.zeros((180, 1))
    folds, _ = cross_fit_folds(X, None, t, 3, 0, 1, groups=groups)
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        assert np.unique(groups[test][t[test] == 1]).size == 4
        assert np.unique(groups[test][t[test] == 0]).size == 8
    again, _ = cross_fit_folds(X, None, t, 3, 0, 1, groups=groups)
    for (_, a), (_, b) in zip(folds, again, strict=True):
        np.testing.assert_array_equal(a, b)


def test_groups_route_to_fit_and_to_the_splitter(routing, clustered):
    X, y, t, groups = clustered
    learner = _learner(DRLearner, cv=3, random_state=0)
    result = cross_validate(
        learner,
        X,
        y,
        params={"treatment": t, "groups": groups},
        cv=GroupKFold(3),
        return_estimator=True,
        return_indices=True,
    )
    train = result["indices"]["train"][0]
    assert not set(groups[train]) & set(np.setdiff1d(groups, groups[train]))
    fitted = result["estimator"][0]
    direct = clone(learner).fit(
        X[train], y[train], treatment=t[train], groups=groups[train]
    )
    ungrouped = clone(learner).fit(X[train], y[train], treatment=t[train])
    np.testing.assert_array_equal(fitted.predict(X), direct.predict(X))
    assert not np.array_equal(fitted.predict(X), ungrouped.predict(X))


@pytest.mark.filterwarnings("ignore:The groups parameter is ignored")
def test_bad_groups(clustered):
    X, y, t, groups = clustered
    with pytest.raises(ValueError, match="2 distinct groups, fewer than the 4"):
        _learner(DRLearner).fit(X, y, treatment=t, groups=np.arange(240) % 2)
    with pytest.raises(ValueError, match="groups has 239 entries but X has 240"):
        _learner(DRLearner).fit(X, y, treatment=t, groups=groups[:-1])
    with pytest.raises(ValueError, match="puts group .* in both the training"):
        _learner(DRLearner, cv=KFold(3)).fit(X, y, treatment=t, groups=groups)


# --------------------------------------------------------------------------------------
# cv and n_jobs for the S- and T-learners
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("learner_cls", [SLearner, TLearner])
def test_outcome_learner_cv_adds_diagnostics_only(learner_cls):
    data = make_treatment_data(n_samples=300, random_state=0)
    X, y, t = data.X, data.y, data.treatment
    params = {
        "model_y": GradientBoostingRegressor(n_estimators=10, subsample=0.5),
        "random_state": 0,
    }
    plain = learner_cls(**params).fit(X, y, treatment=t)
    assert plain.nuisance_scores_ is None
    assert plain.overlap_["n_clipped_out_of_fold"] is None
    serial = learner_cls(cv=3, n_jobs=1, **params).fit(X, y, treatment=t)
    parallel = learner_cls(cv=3, n_jobs=2, **params).fit(X, y, treatment=t)
    # The estimate is the full-data fit, whatever cv.
    np.testing.assert_array_equal(serial.predict(X), plain.predict(X))
    assert serial.nuisance_scores_ == parallel.nuisance_scores_
    assert set(serial.nuisance_scores_) == {"outcome_mse", "propensity_log_loss"}
    assert len(serial.fold_models_y_) == 3
    assert serial.overlap_["n_clipped_out_of_fold"] == serial.n_propensity_clipped_


def test_tlearner_cv_scores_are_those_of_cross_fit_nuisances():
    data = make_treatment_data(n_samples=300, random_state=2)
    X, y, t = data.X, data.y, data.treatment
    learner = TLearner(model_y=LinearRegression(), cv=3, random_state=4)
    learner.fit(X, y, treatment=t)
    seed_cv = spawn_seeds(4, 5)[3]
    nuis = cross_fit_nuisances(
        X, y, t, model_y=LinearRegression(), cv=3, random_state=seed_cv
    )
    observed = np.where(t == 1, nuis.mu1, nuis.mu0)
    assert learner.nuisance_scores_["outcome_mse"] == pytest.approx(
        np.mean((y - observed) ** 2)
    )
