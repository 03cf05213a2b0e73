"""make_dr_scorer and cross_fit_nuisances: values, routing, model selection."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from skcausal.datasets import make_treatment_data
from skcausal.effects import TLearner, cross_fit_nuisances
from skcausal.metrics import make_dr_scorer


@pytest.fixture(scope="module")
def data():
    return make_treatment_data(n_samples=400, noise_scale=0.5, random_state=0)


@pytest.fixture(scope="module")
def nuisances(data):
    return cross_fit_nuisances(
        data.X,
        data.y,
        data.treatment,
        model_y=LinearRegression(),
        cv=4,
        random_state=0,
    )


def _dr_target(y, t, mu0, mu1, e):
    return mu1 - mu0 + t * (y - mu1) / e - (1 - t) * (y - mu0) / (1 - e)


def _rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


# --------------------------------------------------------------------------------------
# cross_fit_nuisances
# --------------------------------------------------------------------------------------


def test_cross_fitted_nuisances_are_close_to_the_truth(data, nuisances):
    assert set(nuisances) == {"propensity", "mu0", "mu1"}
    # Linear outcome models are correctly specified: out-of-fold error near noise-free.
    assert _rmse(nuisances.mu0, data.mu0) < 0.15
    assert _rmse(nuisances.mu1, data.mu1) < 0.15
    assert _rmse(nuisances.propensity, data.propensity) < 0.15
    assert nuisances.propensity.min() >= 0.01 and nuisances.propensity.max() <= 0.99


def test_cross_fitting_is_out_of_fold(data):
    # With a 1-nearest-neighbour-like memoriser in-sample predictions would equal y;
    # out-of-fold they cannot.
    from sklearn.tree import DecisionTreeRegressor

    nuis = cross_fit_nuisances(
        data.X, data.y, data.treatment, model_y=DecisionTreeRegressor(), random_state=0
    )
    observed = np.where(data.treatment == 1, nuis.mu1, nuis.mu0)
    assert not np.allclose(observed, data.y)
    assert _rmse(observed, data.y) > 0.3


def test_cross_fitting_is_reproducible_across_n_jobs(data):
    kwargs = {
        "model_y": GradientBoostingRegressor(n_estimators=10, subsample=0.7),
        "cv": 3,
        "random_state": 5,
    }
    serial = cross_fit_nuisances(data.X, data.y, data.treatment, n_jobs=1, **kwargs)
    parallel = cross_fit_nuisances(data.X, data.y, data.treatment, n_jobs=2, **kwargs)
    for name in ("propensity", "mu0", "mu1"):
        np.testing.assert_array_equal(serial[name], parallel[name])


def test_cross_fitting_bad_input(data):
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        cross_fit_nuisances(data.X, data.y, None)
    with pytest.raises(ValueError, match="propensity_clip"):
        cross_fit_nuisances(data.X, data.y, data.treatment, propensity_clip=0.5)
    with pytest.raises(TypeError, match="cv"):
        cross_fit_nuisances(data.X, data.y, data.treatment, cv="five")
    with pytest.raises(ValueError, match="n_samples=1"):
        cross_fit_nuisances(data.X[:1], data.y[:1], data.treatment[:1])


# --------------------------------------------------------------------------------------
# The scorer's value
# --------------------------------------------------------------------------------------


def test_estimator_mode_is_the_learners_own_score(data):
    learner = TLearner(model_y=LinearRegression()).fit(
        data.X[:300], data.y[:300], treatment=data.treatment[:300]
    )
    held = slice(300, None)
    scorer = make_dr_scorer()
    assert scorer(
        learner, data.X[held], data.y[held], treatment=data.treatment[held]
    ) == pytest.approx(
        learner.score(data.X[held], data.y[held], treatment=data.treatment[held])
    )


def test_metadata_mode_matches_the_formula(data, nuisances):
    learner = TLearner(model_y=LinearRegression()).fit(
        data.X, data.y, treatment=data.treatment
    )
    scorer = make_dr_scorer(nuisances="metadata", propensity_clip=0.05)
    e = np.clip(nuisances.propensity, 0.05, 0.95)
    phi = _dr_target(data.y, data.treatment, nuisances.mu0, nuisances.mu1, e)
    expected = -np.mean((learner.predict(data.X) - phi) ** 2)
    got = scorer(learner, data.X, data.y, treatment=data.treatment, **nuisances)
    assert got == pytest.approx(expected)
    w = np.linspace(0.2, 2.0, 400)
    weighted = scorer(
        learner, data.X, data.y, treatment=data.treatment, sample_weight=w, **nuisances
    )
    assert weighted == pytest.approx(
        -np.average((learner.predict(data.X) - phi) ** 2, weights=w)
    )


def test_oracle_nuisances_make_the_loss_pehe_plus_a_constant(data):
    # With the true nuisances,
    # E[(tau_hat - phi)^2 | x] = (tau_hat - tau)^2 + Var(phi | x),
    # so score differences between two CATEs estimate their PEHE^2 differences.
    scorer = make_dr_scorer(nuisances="metadata")
    oracle = {"propensity": data.propensity, "mu0": data.mu0, "mu1": data.mu1}

    class _Fixed:
        def __init__(self, cate):
            self.cate = cate

        def predict(self, X):
            return self.cate

    exact = _Fixed(data.cate)
    shifted = _Fixed(data.cate + 1.0)  # PEHE^2 = 1
    gap = scorer(exact, data.X, data.y, treatment=data.treatment, **oracle) - scorer(
        shifted, data.X, data.y, treatment=data.treatment, **oracle
    )
    assert gap == pytest.approx(1.0, abs=0.3)


def test_scorer_ranks_learners_like_the_true_pehe(data, nuisances):
    learners = {
        "linear": TLearner(model_y=LinearRegression()),
        "boosting": TLearner(
            model_y=GradientBoostingRegressor(n_estimators=50), random_state=0
        ),
        "constant": TLearner(model_y=DummyRegressor()),
    }
    scorer = make_dr_scorer(nuisances="metadata")
    train, test = np.arange(250), np.arange(250, 400)
    scores, errors = {}, {}
    for name, learner in learners.items():
        learner.fit(data.X[train], data.y[train], treatment=data.treatment[train])
        scores[name] = scorer(
            learner,
            data.X[test],
            data.y[test],
            treatment=data.treatment[test],
            **{k: v[test] for k, v in nuisances.items()},
        )
        errors[name] = _rmse(learner.predict(data.X[test]), data.cate[test])
    by_score = sorted(scores, key=scores.get, reverse=True)
    by_error = sorted(errors, key=errors.get)
    assert by_score == by_error == ["linear", "boosting", "constant"]


def test_scorer_bad_input(data, nuisances):
    learner = TLearner(model_y=LinearRegression()).fit(
        data.X, data.y, treatment=data.treatment
    )
    for scorer in (make_dr_scorer(), make_dr_scorer(nuisances="metadata")):
        with pytest.raises(ValueError, match="enable_metadata_routing"):
            scorer(learner, data.X, data.y)
    meta = make_dr_scorer(nuisances="metadata")
    with pytest.raises(ValueError, match=r"\['mu0', 'mu1'\]"):
        meta(
            learner,
            data.X,
            data.y,
            treatment=data.treatment,
            propensity=nuisances.propensity,
        )
    with pytest.raises(ValueError, match="mu0 must have shape"):
        meta(
            learner,
            data.X,
            data.y,
            treatment=data.treatment,
            **{**nuisances, "mu0": nuisances.mu0[:10]},
        )
    with pytest.raises(ValueError, match=r"propensity values must lie in \[0, 1\]"):
        meta(
            learner,
            data.X,
            data.y,
            treatment=data.treatment,
            **{**nuisances, "propensity": nuisances.propensity + 1.0},
        )


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"nuisances": "oracle"}, ValueError),
        ({"propensity_clip": 0.5}, ValueError),
        ({"propensity_clip": "small"}, TypeError),
    ],
)
def test_make_dr_scorer_bad_arguments(kwargs, error):
    with pytest.raises(error):
        make_dr_scorer(**kwargs)


def test_repr():
    assert repr(make_dr_scorer()) == "make_dr_scorer(nuisances='estimator')"
    assert "propensity_clip=0.05" in repr(
        make_dr_scorer(nuisances="metadata", propensity_clip=0.05)
    )


# --------------------------------------------------------------------------------------
# Metadata routing
# --------------------------------------------------------------------------------------


def test_requests():
    assert make_dr_scorer().get_metadata_routing().score.requests == {
        "treatment": True,
        "sample_weight": None,
    }
    meta = make_dr_scorer(nuisances="metadata").get_metadata_routing().score.requests
    assert {k for k, v in meta.items() if v is True} == {
        "treatment",
        "propensity",
        "mu0",
        "mu1",
    }


def test_set_score_request_needs_routing():
    with pytest.raises(RuntimeError, match="enable_metadata_routing"):
        make_dr_scorer().set_score_request(sample_weight=True)


def test_set_score_request_rejects_unknown_metadata(routing):
    with pytest.raises(TypeError, match="groups"):
        make_dr_scorer().set_score_request(groups=True)


def test_grid_search_with_metadata_scorer(routing, data, nuisances):
    X, y, t = data.X, data.y, data.treatment
    base = TLearner(model_y=GradientBoostingRegressor(n_estimators=20), random_state=0)
    scorer = make_dr_scorer(nuisances="metadata")
    cv = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(
        base, {"model_y__max_depth": [1, 2]}, scoring=scorer, cv=cv, n_jobs=2
    )
    search.fit(X, y, treatment=t, **nuisances)
    # Each fold is scored on its own slices of treatment and nuisances.
    for i, (train, test) in enumerate(cv.split(X)):
        for j, depth in enumerate([1, 2]):
            learner = clone(base).set_params(model_y__max_depth=depth)
            learner.fit(X[train], y[train], treatment=t[train])
            expected = scorer(
                learner,
                X[test],
                y[test],
                treatment=t[test],
                **{k: v[test] for k, v in nuisances.items()},
            )
            assert search.cv_results_[f"split{i}_test_score"][j] == pytest.approx(
                expected
            )


def test_multimetric_scoring_and_sample_weight(routing, data, nuisances):
    X, y, t = data.X, data.y, data.treatment
    w = np.linspace(0.5, 1.5, 400)
    weighted = make_dr_scorer(nuisances="metadata").set_score_request(
        sample_weight=True
    )
    # As with scikit-learn's scorers, each consumer must say whether it wants weights.
    own = make_dr_scorer().set_score_request(sample_weight=False)
    scoring = {"own": own, "cross_fitted": weighted}
    # The learner's fit does not request sample_weight: the weights go to the scorer.
    learner = TLearner(model_y=LinearRegression()).set_fit_request(sample_weight=False)
    search = GridSearchCV(
        learner,
        {"propensity_clip": [0.01, 0.05]},
        scoring=scoring,
        refit="cross_fitted",
        cv=KFold(2),
    )
    search.fit(X, y, treatment=t, sample_weight=w, **nuisances)
    train, test = next(KFold(2).split(X))
    fitted = clone(learner).fit(X[train], y[train], treatment=t[train])
    expected = weighted(
        fitted,
        X[test],
        y[test],
        treatment=t[test],
        sample_weight=w[test],
        **{k: v[test] for k, v in nuisances.items()},
    )
    assert search.cv_results_["split0_test_cross_fitted"][0] == pytest.approx(expected)
    own = fitted.score(X[test], y[test], treatment=t[test])
    assert search.cv_results_["split0_test_own"][0] == pytest.approx(own)


def test_cross_val_score_with_estimator_scorer(routing, data):
    learner = TLearner(model_y=LinearRegression())
    scores = cross_val_score(
        learner,
        data.X,
        data.y,
        scoring=make_dr_scorer(),
        params={"treatment": data.treatment},
        cv=3,
    )
    default = cross_val_score(
        learner, data.X, data.y, params={"treatment": data.treatment}, cv=3
    )
    np.testing.assert_allclose(scores, default)


def test_without_routing_the_error_explains_routing(data):
    search = GridSearchCV(
        TLearner(model_y=LinearRegression()),
        {"propensity_clip": [0.01]},
        scoring=make_dr_scorer(),
        cv=2,
        error_score="raise",
    )
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        search.fit(data.X, data.y, treatment=data.treatment)
