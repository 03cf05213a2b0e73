"""X-, R- and DR-learners: accuracy against known effects, cross-fitting, routing."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.neighbors import KNeighborsRegressor

from skcausal.datasets import make_treatment_data
from skcausal.effects import DRLearner, RLearner, XLearner, cross_fit_nuisances
from skcausal.effects._base import cross_fit_folds, spawn_seeds

LEARNERS = [XLearner, RLearner, DRLearner]
CROSS_FITTED = [RLearner, DRLearner]


def _pehe(true, estimated):
    return float(np.sqrt(np.mean((np.asarray(true) - np.asarray(estimated)) ** 2)))


def _linear(cls, **params):
    """A learner with linear nuisances and final model (fast, deterministic)."""
    return cls(
        model_y=LinearRegression(),
        model_t=LogisticRegression(),
        model_final=LinearRegression(),
        **params,
    )


@pytest.fixture(scope="module")
def small():
    return make_treatment_data(n_samples=300, random_state=0)


# --------------------------------------------------------------------------------------
# Accuracy on data with known effects
# --------------------------------------------------------------------------------------

SCENARIOS = {
    "linear": {"outcome": "linear"},
    "nonlinear": {"outcome": "nonlinear"},
    "strong_confounding": {"confounding": 2.0},
}

# n_samples=1000, random_state=0, default nuisances, random_state=0 for the learner.
# The naive difference in means is off by 100 % / 146 % / 154 % of the ATE.
# Measured PEHE/std(cate) and |ATE err|/ATE:
#   linear:             X 0.246 / 0.108   R 0.180 / 0.022   DR 0.247 / 0.033
#   nonlinear:          X 0.203 / 0.061   R 0.217 / 0.015   DR 0.277 / 0.006
#   strong_confounding: X 0.304 / 0.169   R 0.206 / 0.024   DR 0.351 / 0.033
# Bounds below leave about 40 % headroom.
BOUNDS = {
    ("linear", XLearner): (0.35, 0.16),
    ("linear", RLearner): (0.26, 0.05),
    ("linear", DRLearner): (0.35, 0.06),
    ("nonlinear", XLearner): (0.3, 0.1),
    ("nonlinear", RLearner): (0.3, 0.04),
    ("nonlinear", DRLearner): (0.4, 0.04),
    ("strong_confounding", XLearner): (0.43, 0.24),
    ("strong_confounding", RLearner): (0.3, 0.05),
    ("strong_confounding", DRLearner): (0.5, 0.06),
}


@pytest.fixture(scope="module", params=list(SCENARIOS))
def scenario(request):
    data = make_treatment_data(
        n_samples=1000, random_state=0, **SCENARIOS[request.param]
    )
    return request.param, data


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_default_learners_recover_effects(scenario, learner_cls):
    name, data = scenario
    naive = data.y[data.treatment == 1].mean() - data.y[data.treatment == 0].mean()
    assert abs(naive - data.ate) > abs(data.ate)  # strongly confounded
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # clipping / overlap notices
        learner = learner_cls(random_state=0).fit(
            data.X, data.y, treatment=data.treatment
        )
    cate = learner.predict(data.X)
    assert np.isfinite(cate).all()
    pehe_ratio, ate_ratio = BOUNDS[name, learner_cls]
    assert _pehe(data.cate, cate) <= pehe_ratio * data.cate.std()
    assert abs(learner.ate(data.X) - data.ate) <= ate_ratio * abs(data.ate)


# --------------------------------------------------------------------------------------
# The estimators compute what the papers say
# --------------------------------------------------------------------------------------


def test_xlearner_blends_imputed_effects_with_the_propensity(small):
    X, y, t = small.X, small.y, small.treatment
    learner = _linear(XLearner).fit(X, y, treatment=t)
    mu0 = LinearRegression().fit(X[t == 0], y[t == 0])
    mu1 = LinearRegression().fit(X[t == 1], y[t == 1])
    tau1 = LinearRegression().fit(X[t == 1], y[t == 1] - mu0.predict(X[t == 1]))
    tau0 = LinearRegression().fit(X[t == 0], mu1.predict(X[t == 0]) - y[t == 0])
    e = np.clip(LogisticRegression().fit(X, t).predict_proba(X)[:, 1], 0.01, 0.99)
    expected = e * tau0.predict(X) + (1 - e) * tau1.predict(X)
    np.testing.assert_allclose(learner.predict(X), expected, rtol=1e-6)
    np.testing.assert_allclose(
        learner.predict_outcomes(X), np.c_[mu0.predict(X), mu1.predict(X)], rtol=1e-6
    )


def test_drlearner_regresses_the_pseudo_outcome_of_cross_fit_nuisances(small):
    # Same folds and seeds as the public function: the learner's pseudo-outcomes are
    # built from exactly cross_fit_nuisances' output.
    X, y, t = small.X, small.y, small.treatment
    model_y = GradientBoostingRegressor(n_estimators=10, subsample=0.5)
    learner = DRLearner(
        model_y=model_y, model_final=LinearRegression(), cv=3, random_state=7
    ).fit(X, y, treatment=t)
    seed_cv = spawn_seeds(7, 3)[1]
    nuis = cross_fit_nuisances(X, y, t, model_y=model_y, cv=3, random_state=seed_cv)
    phi = (
        nuis.mu1
        - nuis.mu0
        + t * (y - nuis.mu1) / nuis.propensity
        - (1 - t) * (y - nuis.mu0) / (1 - nuis.propensity)
    )
    expected = LinearRegression().fit(X, phi).predict(X)
    np.testing.assert_allclose(learner.predict(X), expected, rtol=1e-8)
    observed = np.where(t == 1, nuis.mu1, nuis.mu0)
    assert learner.nuisance_scores_["outcome_mse"] == pytest.approx(
        np.mean((y - observed) ** 2)
    )
    assert learner.nuisance_scores_["propensity_log_loss"] == pytest.approx(
        -np.mean(t * np.log(nuis.propensity) + (1 - t) * np.log(1 - nuis.propensity))
    )


def test_rlearner_minimises_the_r_loss(small):
    # With a linear model_final the R-learner is weighted least squares of
    # (y - m) / (t - e) on x with weights (t - e)^2, on out-of-fold m and e.
    X, y, t = small.X, small.y, small.treatment
    learner = _linear(RLearner, cv=3, random_state=0).fit(X, y, treatment=t)
    folds, _ = cross_fit_folds(X, y, t, 3, spawn_seeds(0, 3)[1], 2)
    m, e = np.empty(300), np.empty(300)
    for (_, test), outcome, propensity in zip(
        folds, learner.fold_models_y_, learner.fold_models_t_, strict=True
    ):
        m[test] = outcome[0].predict(X[test])
        e[test] = propensity.predict_proba(X[test])[:, 1]
    e = np.clip(e, 0.01, 0.99)
    expected = LinearRegression().fit(X, (y - m) / (t - e), sample_weight=(t - e) ** 2)
    np.testing.assert_allclose(learner.predict(X), expected.predict(X), rtol=1e-8)
    assert learner.nuisance_scores_["outcome_mse"] == pytest.approx(
        np.mean((y - m) ** 2)
    )


def test_rlearner_recovers_a_constant_effect():
    data = make_treatment_data(
        n_samples=1000, effect="constant", noise_scale=0.5, random_state=2
    )
    learner = _linear(RLearner, random_state=0).fit(
        data.X, data.y, treatment=data.treatment
    )
    assert abs(learner.ate(data.X) - 1.0) < 0.1


def test_rlearner_has_no_predict_outcomes(small):
    learner = _linear(RLearner).fit(small.X, small.y, treatment=small.treatment)
    assert not hasattr(learner, "predict_outcomes")
    with pytest.raises(AttributeError) as info:
        learner.predict_outcomes(small.X)
    assert "pooled mean E[y | x]" in str(info.value.__cause__ or info.value)


def test_rlearner_needs_a_weighted_final_model(small):
    learner = RLearner(model_final=KNeighborsRegressor())
    with pytest.raises(ValueError, match="sample_weight"):
        learner.fit(small.X, small.y, treatment=small.treatment)


def test_rlearner_score_is_the_negated_r_loss(small):
    X, y, t = small.X, small.y, small.treatment
    learner = _linear(RLearner, cv=3, random_state=0).fit(
        X[:200], y[:200], treatment=t[:200]
    )
    Xt, yt, tt = X[200:], y[200:], t[200:]
    m = np.mean([fold[0].predict(Xt) for fold in learner.fold_models_y_], axis=0)
    e = np.clip(learner.model_t_.predict_proba(Xt)[:, 1], 0.01, 0.99)
    expected = -np.mean(((yt - m) - (tt - e) * learner.predict(Xt)) ** 2)
    assert learner.score(Xt, yt, treatment=tt) == pytest.approx(expected)


@pytest.mark.parametrize("learner_cls", [XLearner, DRLearner])
def test_score_is_the_dr_loss_of_the_final_cate(small, learner_cls):
    X, y, t = small.X, small.y, small.treatment
    learner = _linear(learner_cls, cv=3, random_state=0).fit(
        X[:200], y[:200], treatment=t[:200]
    )
    Xt, yt, tt = X[200:], y[200:], t[200:]
    mu = learner.predict_outcomes(Xt)
    e = np.clip(learner.model_t_.predict_proba(Xt)[:, 1], 0.01, 0.99)
    phi = (
        mu[:, 1]
        - mu[:, 0]
        + tt * (yt - mu[:, 1]) / e
        - (1 - tt) * (yt - mu[:, 0]) / (1 - e)
    )
    expected = -np.mean((learner.predict(Xt) - phi) ** 2)
    assert learner.score(Xt, yt, treatment=tt) == pytest.approx(expected)


# --------------------------------------------------------------------------------------
# Cross-fitting: seeds, n_jobs, clipping, cloning
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_identical_results_for_any_n_jobs(small, learner_cls):
    # Stochastic nuisances (subsampled boosting) make the per-fold seeds matter.
    params = {
        "model_y": GradientBoostingRegressor(n_estimators=10, subsample=0.5),
        "model_final": GradientBoostingRegressor(n_estimators=10, subsample=0.5),
        "cv": 3,
        "random_state": 0,
    }
    X, y, t = small.X, small.y, small.treatment
    serial = learner_cls(n_jobs=1, **params).fit(X, y, treatment=t)
    parallel = learner_cls(n_jobs=2, **params).fit(X, y, treatment=t)
    np.testing.assert_array_equal(serial.predict(X), parallel.predict(X))
    assert serial.nuisance_scores_ == parallel.nuisance_scores_
    other_seed = learner_cls(n_jobs=1, **{**params, "random_state": 1})
    other_seed.fit(X, y, treatment=t)
    assert not np.array_equal(serial.predict(X), other_seed.predict(X))


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_nuisance_models_are_cloned_never_mutated(small, learner_cls):
    model_y = GradientBoostingRegressor(n_estimators=5)
    model_t = LogisticRegression()
    model_final = Ridge()
    learner = learner_cls(
        model_y=model_y,
        model_t=model_t,
        model_final=model_final,
        cv=5,
        random_state=0,
    ).fit(small.X, small.y, treatment=small.treatment)
    assert not hasattr(model_y, "estimators_")
    assert not hasattr(model_t, "coef_")
    assert not hasattr(model_final, "coef_")
    assert model_y.random_state is None
    for fold in learner.fold_models_y_:
        assert all(m is not model_y for m in fold)
    assert set(learner.nuisance_scores_) == {"outcome_mse", "propensity_log_loss"}
    assert all(np.isfinite(v) for v in learner.nuisance_scores_.values())


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_clipping_warning_counts_the_units_it_touched(learner_cls):
    data = make_treatment_data(n_samples=400, confounding=4.0, random_state=0)
    learner = _linear(learner_cls, cv=3, propensity_clip=0.1, random_state=0)
    with pytest.warns(UserWarning) as record:  # also the poor-overlap warning
        learner.fit(data.X, data.y, treatment=data.treatment)
    messages = [str(w.message) for w in record if "clipped" in str(w.message)]
    assert len(messages) == 1
    message = messages[0]
    assert f"clipped {learner.n_propensity_clipped_} of 400" in message
    assert learner.n_propensity_clipped_ > 0
    assert np.isfinite(learner.predict(data.X)).all()


def test_no_clipping_warning_with_good_overlap():
    data = make_treatment_data(n_samples=300, confounding=0.5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        learner = _linear(DRLearner, cv=3).fit(data.X, data.y, treatment=data.treatment)
    assert learner.n_propensity_clipped_ == 0


# --------------------------------------------------------------------------------------
# Model selection under metadata routing
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_grid_search_over_model_final(routing, small, learner_cls):
    X, y, t = small.X, small.y, small.treatment
    base = learner_cls(
        model_y=LinearRegression(), model_final=Ridge(), cv=3, random_state=0
    )
    cv = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(
        base, {"model_final__alpha": [0.1, 100.0]}, cv=cv, error_score="raise"
    )
    search.fit(X, y, treatment=t)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    train, test = next(cv.split(X))
    learner = clone(base).set_params(model_final__alpha=100.0)
    learner.fit(X[train], y[train], treatment=t[train])
    expected = learner.score(X[test], y[test], treatment=t[test])
    assert search.cv_results_["split0_test_score"][1] == pytest.approx(expected)
    assert search.best_estimator_.predict(X).shape == (300,)


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_missing_treatment_explains_routing(small, learner_cls):
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        _linear(learner_cls).fit(small.X, small.y)


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_single_arm_is_rejected(small, learner_cls):
    with pytest.raises(ValueError, match="single arm"):
        _linear(learner_cls).fit(small.X, small.y, treatment=np.ones(300))


def test_cross_fit_nuisances_is_binary_only(small):
    # The public nuisance function (mu0, mu1, propensity) serves the binary scorers.
    with pytest.raises(ValueError, match="binary treatment"):
        cross_fit_nuisances(small.X, small.y, np.arange(300) % 3, cv=3)


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_arm_with_fewer_units_than_folds(small, learner_cls):
    treatment = np.r_[np.arange(297) % 2, 2, 2, 2]
    with pytest.raises(ValueError, match="at least 5 units of treatment level 2"):
        _linear(learner_cls, cv=5).fit(small.X, small.y, treatment=treatment)


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_invalid_cv_is_rejected(small, learner_cls):
    with pytest.raises(ValueError, match="cv"):
        _linear(learner_cls, cv=1).fit(small.X, small.y, treatment=small.treatment)


def test_xlearner_cross_fits_only_for_diagnostics(small):
    # The estimate uses full-arm models (Künzel et al.), so cv only adds the
    # nuisance_scores_ diagnostics; the default cv=None skips them.
    X, y, t = small.X, small.y, small.treatment
    params = {"model_y": GradientBoostingRegressor(n_estimators=10, subsample=0.5)}
    plain = XLearner(random_state=0, **params).fit(X, y, treatment=t)
    assert plain.nuisance_scores_ is None
    assert not hasattr(plain, "fold_models_y_")
    assert plain.overlap_["n_clipped_out_of_fold"] is None
    checked = XLearner(cv=3, random_state=0, **params).fit(X, y, treatment=t)
    np.testing.assert_array_equal(plain.predict(X), checked.predict(X))
    assert set(checked.nuisance_scores_) == {"outcome_mse", "propensity_log_loss"}
    assert len(checked.fold_models_y_) == 3


def test_drlearner_pooled_outcome_is_one_model_on_x_and_t(small):
    # pooled_outcome=True: per fold one model of y on [X, t] (EconML's design),
    # predicting mu_0 and mu_1 by setting the treatment column.
    X, y, t = small.X, small.y, small.treatment
    learner = _linear(DRLearner, pooled_outcome=True, cv=3, random_state=0)
    learner.fit(X, y, treatment=t)
    assert all(len(fold) == 1 for fold in learner.fold_models_y_)
    folds, _ = cross_fit_folds(X, y, t, 3, spawn_seeds(0, 3)[1], 2)
    mu, e = np.empty((300, 2)), np.empty(300)
    for (train, test), fold_t in zip(folds, learner.fold_models_t_, strict=True):
        e[test] = np.clip(fold_t.predict_proba(X[test])[:, 1], 0.01, 0.99)
        pooled = LinearRegression().fit(np.c_[X[train], t[train]], y[train])
        for a in (0, 1):
            mu[test, a] = pooled.predict(np.c_[X[test], np.full(test.size, a)])
    phi = (
        mu[:, 1]
        - mu[:, 0]
        + t * (y - mu[:, 1]) / e
        - (1 - t) * (y - mu[:, 0]) / (1 - e)
    )
    expected = LinearRegression().fit(X, phi).predict(X)
    np.testing.assert_allclose(learner.predict(X), expected, rtol=1e-8)
    observed = mu[np.arange(300), t]
    assert learner.nuisance_scores_["outcome_mse"] == pytest.approx(
        np.mean((y - observed) ** 2)
    )
    # predict_outcomes averages the fold models; a linear pooled model gives a
    # constant difference, the coefficient of t averaged over the folds.
    outcomes = learner.predict_outcomes(X[:5])
    gap = outcomes[:, 1] - outcomes[:, 0]
    np.testing.assert_allclose(gap, gap[0], rtol=1e-8)
    assert not np.allclose(
        learner.predict(X),
        _linear(DRLearner, cv=3, random_state=0).fit(X, y, treatment=t).predict(X),
    )
    with pytest.raises(ValueError, match="pooled_outcome"):
        DRLearner(pooled_outcome="yes").fit(X, y, treatment=t)
