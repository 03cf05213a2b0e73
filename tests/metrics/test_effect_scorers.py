"""R-loss, transformed-outcome, Qini and AUUC scorers: values, truth, routing, errors.

The doubly-robust scorer and ``cross_fit_nuisances`` have their own file
(test_scorers.py); the shared plumbing is exercised here for every criterion.
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcausal.datasets import make_treatment_data
from skcausal.effects import RLearner, TLearner, cross_fit_nuisances
from skcausal.metrics._scorers import (
    make_auuc_scorer,
    make_dr_scorer,
    make_qini_scorer,
    make_r_loss_scorer,
    make_transformed_outcome_scorer,
)
from skcausal.metrics._uplift import auuc_score, qini_score

LOSS_FACTORIES = [make_dr_scorer, make_r_loss_scorer, make_transformed_outcome_scorer]
UPLIFT_FACTORIES = [make_qini_scorer, make_auuc_scorer]
ALL_FACTORIES = LOSS_FACTORIES + UPLIFT_FACTORIES


class _Fixed:
    """A 'fitted learner' that predicts a given CATE, whatever X is."""

    def __init__(self, cate):
        self.cate = np.asarray(cate, dtype=float)

    def predict(self, X):
        return self.cate


@pytest.fixture(scope="module")
def large():
    # No model is fitted on it: only arrays, so a large n costs nothing.
    return make_treatment_data(n_samples=20_000, noise_scale=1.0, random_state=0)


@pytest.fixture(scope="module")
def data():
    return make_treatment_data(n_samples=600, noise_scale=0.5, random_state=1)


@pytest.fixture(scope="module")
def nuisances(data):
    return cross_fit_nuisances(
        data.X,
        data.y,
        data.treatment,
        model_y=LinearRegression(),
        cv=3,
        random_state=0,
    )


def _oracle(data):
    return {"propensity": data.propensity, "mu0": data.mu0, "mu1": data.mu1}


def _score(scorer, cate, data, nuis):
    return scorer(_Fixed(cate), data.X, data.y, treatment=data.treatment, **nuis)


# --------------------------------------------------------------------------------------
# Exact values on hand-computed examples
# --------------------------------------------------------------------------------------

TINY = {
    "y": np.array([2.0, 0.0, 1.0, 3.0]),
    "treatment": np.array([1, 0, 0, 1]),
    "propensity": np.array([0.5, 0.5, 0.25, 0.75]),
    "mu0": np.array([0.0, 0.0, 1.0, 1.0]),
    "mu1": np.array([2.0, 2.0, 1.0, 3.0]),
    "cate": np.array([1.0, 1.0, 0.0, 2.0]),
}


@pytest.mark.parametrize(
    "factory, terms",
    [
        # phi = [2, 2, 0, 2]; cate - phi = [-1, -1, 0, 0].
        (make_dr_scorer, [1.0, 1.0, 0.0, 0.0]),
        # m = e mu1 + (1 - e) mu0 = [1, 1, 1, 2.5]; y - m = [1, -1, 0, 0.5];
        # (t - e) cate = [0.5, -0.5, 0, 0.5]; residual [0.5, -0.5, 0, 0].
        (make_r_loss_scorer, [0.25, 0.25, 0.0, 0.0]),
        # y* = y (t - e) / (e (1 - e)) = [4, 0, -4/3, 4]; y* - cate = [3, -1, -4/3, 2].
        (make_transformed_outcome_scorer, [9.0, 1.0, 16 / 9, 4.0]),
    ],
)
def test_losses_match_hand_computed_values(factory, terms):
    t = TINY
    scorer = factory(nuisances="metadata")

    def score(**weight):
        return scorer(
            _Fixed(t["cate"]),
            np.zeros((4, 1)),
            t["y"],
            treatment=t["treatment"],
            propensity=t["propensity"],
            mu0=t["mu0"],
            mu1=t["mu1"],
            **weight,
        )

    assert score() == pytest.approx(-np.mean(terms), rel=1e-12)
    weight = np.array([3.0, 1.0, 0.0, 0.0])
    expected = -(3 * terms[0] + terms[1]) / 4
    assert score(sample_weight=weight) == pytest.approx(expected, rel=1e-12)


UPLIFT = {
    "uplift": np.array([4.0, 3.0, 2.0, 1.0]),
    "y": np.array([3.0, 0.0, 1.0, 1.0]),
    "treatment": np.array([1, 0, 1, 0]),
}


def test_qini_and_auuc_match_hand_computed_values():
    u = UPLIFT
    # Top k = 1..4: treated sums Y1 = 3, 3, 4, 4 over N1 = 1, 1, 2, 2 units; control
    # sums Y0 = 0, 0, 0, 1 over N0 = 0, 1, 1, 2. Qini Q = (Y1 - Y0 N1 / N0) / 2 =
    # 1.5, 1.5, 2, 1.5; trapezoid area over shares 0, .25, ..., 1 = 1.4375, minus the
    # random line 1.5 / 2 -> 0.6875.
    assert qini_score(u["uplift"], u["y"], u["treatment"]) == pytest.approx(0.6875)
    # Gain G = share (Y1/N1 - Y0/N0) = 0 (no control yet), 1.5, 1.5, 1.5 -> 0.9375.
    assert auuc_score(u["uplift"], u["y"], u["treatment"]) == pytest.approx(0.9375)


def test_inverse_propensity_weighted_values():
    u = UPLIFT
    e = np.array([0.5, 0.5, 0.25, 0.5])
    # Weights 1/e, 1/(1-e) = 2, 2, 4, 2. Top k: Y1 = 6, 6, 10, 10 over N1 = 2, 2, 6, 6;
    # Y0 = 0, 0, 0, 2 over N0 = 0, 2, 2, 4. Q = (Y1 - Y0 N1 / N0) / 6 =
    # 1, 1, 5/3, 7/6 -> area 1.0625 - 7/12 = 23/48.
    # G = share (Y1/N1 - Y0/N0) = 0, 1.5, 1.25, 7/6 -> area 5/6.
    qini = qini_score(u["uplift"], u["y"], u["treatment"], propensity=e)
    auuc = auuc_score(u["uplift"], u["y"], u["treatment"], propensity=e)
    assert qini == pytest.approx(23 / 48)
    assert auuc == pytest.approx(5 / 6)
    # A constant propensity rescales both arms alike: the unweighted values.
    half = np.full(4, 0.5)
    assert qini_score(
        u["uplift"], u["y"], u["treatment"], propensity=half
    ) == pytest.approx(0.6875)


def test_uplift_areas_depend_on_the_ranking_only(large):
    tau, y, t = large.cate, large.y, large.treatment
    for area in (qini_score, auuc_score):
        base = area(tau, y, t, propensity=large.propensity)
        for same_order in (tau + 0.5, 3.0 * tau - 1.0, np.exp(tau)):
            assert area(same_order, y, t, propensity=large.propensity) == base


def test_tied_predictions_enter_together():
    rng = np.random.default_rng(0)
    n = 300
    uplift = rng.integers(0, 4, n).astype(float)  # many ties
    y = rng.normal(size=n) + uplift
    t = rng.integers(0, 2, n)
    for area in (qini_score, auuc_score):
        base = area(uplift, y, t)
        for seed in range(3):
            order = np.random.default_rng(seed).permutation(n)
            assert area(uplift[order], y[order], t[order]) == pytest.approx(base)
    # A constant prediction is one tie: the Qini curve is the random line.
    assert qini_score(np.ones(n), y, t) == 0.0
    arms = y[t == 1].mean() - y[t == 0].mean()
    assert auuc_score(np.ones(n), y, t) == pytest.approx(arms / 2)


# --------------------------------------------------------------------------------------
# Ground truth: the true CATE scores best
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("factory", LOSS_FACTORIES, ids=lambda f: f.__name__)
def test_true_cate_minimises_each_loss_with_oracle_nuisances(factory, large):
    scorer = factory(nuisances="metadata")
    oracle = _oracle(large)
    exact = _score(scorer, large.cate, large, oracle)
    shifted = _score(scorer, large.cate + 0.5, large, oracle)
    zero = _score(scorer, np.zeros_like(large.cate), large, oracle)
    assert exact > shifted and exact > zero
    # The expected gap for a shift of 0.5 is 0.25 (DR, transformed outcome) and
    # 0.25 E[e (1 - e)] (R-loss: a propensity-weighted PEHE).
    weight = np.mean(large.propensity * (1 - large.propensity))
    expected = 0.25 * weight if factory is make_r_loss_scorer else 0.25
    assert exact - shifted == pytest.approx(expected, abs=0.1 * expected + 0.02)


@pytest.mark.parametrize("factory", ALL_FACTORIES, ids=lambda f: f.__name__)
def test_true_cate_beats_wrong_ones_with_cross_fitted_nuisances(
    factory, data, nuisances
):
    scorer = factory(nuisances="metadata")
    exact = _score(scorer, data.cate, data, nuisances)
    assert exact > _score(scorer, -data.cate, data, nuisances)
    if factory in UPLIFT_FACTORIES:
        assert exact > _score(scorer, np.zeros_like(data.cate), data, nuisances)
        assert exact == _score(scorer, data.cate + 0.5, data, nuisances)
    else:
        assert exact > _score(scorer, data.cate + 0.5, data, nuisances)
        assert exact > _score(scorer, np.zeros_like(data.cate), data, nuisances)


def test_uplift_areas_on_a_randomised_trial(large):
    # No confounding: the unweighted areas are valid; a perfect ranking beats random
    # (Qini 0) and a reversed one loses.
    trial = make_treatment_data(n_samples=5000, confounding=0.0, random_state=3)
    y, t, tau = trial.y, trial.treatment, trial.cate
    assert qini_score(tau, y, t) > 0.2 > 0.0 > qini_score(-tau, y, t)
    arms = y[t == 1].mean() - y[t == 0].mean()
    assert auuc_score(tau, y, t) > arms / 2 > auuc_score(-tau, y, t)


def test_inverse_propensity_weights_remove_confounding_bias():
    # Strong confounding: the end point of the unweighted Qini curve is the naive
    # difference of means (biased); with the true propensity it estimates the ATE
    # (1 exactly in the population).
    conf = make_treatment_data(n_samples=20_000, confounding=2.0, random_state=4)
    y, t, e = conf.y, conf.treatment, conf.propensity
    constant = np.ones_like(y)
    naive = 2 * auuc_score(constant, y, t)
    weighted = 2 * auuc_score(constant, y, t, propensity=e)
    assert abs(naive - 1.0) > 1.0
    assert abs(weighted - 1.0) < 0.15


# --------------------------------------------------------------------------------------
# nuisances="estimator": the learner's own models
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fitted(data):
    train = slice(0, 400)
    learner = TLearner(model_y=LinearRegression(), propensity_clip=0.05)
    return learner.fit(data.X[train], data.y[train], treatment=data.treatment[train])


def _own(learner, X):
    e = np.clip(learner.model_t_.predict_proba(X)[:, 1], 0.05, 0.95)
    outcomes = learner.predict_outcomes(X)
    return {"propensity": e, "mu0": outcomes[:, 0], "mu1": outcomes[:, 1]}


@pytest.mark.parametrize("factory", ALL_FACTORIES, ids=lambda f: f.__name__)
def test_estimator_mode_uses_the_learners_own_nuisances(factory, data, fitted):
    test = slice(400, None)
    X, y, t = data.X[test], data.y[test], data.treatment[test]
    own = factory()(fitted, X, y, treatment=t)
    # The same number as the metadata mode fed with the learner's own nuisances
    # (already clipped at 0.05, so the scorer's clip 0.01 changes nothing).
    routed = factory(nuisances="metadata")(fitted, X, y, treatment=t, **_own(fitted, X))
    assert own == pytest.approx(routed, rel=1e-12)


def test_dr_estimator_mode_equals_the_learners_score(data, fitted):
    test = slice(400, None)
    X, y, t = data.X[test], data.y[test], data.treatment[test]
    assert make_dr_scorer()(fitted, X, y, treatment=t) == pytest.approx(
        fitted.score(X, y, treatment=t)
    )


def test_r_learner_own_r_loss_is_its_score_and_dr_is_refused(data):
    train, test = slice(0, 400), slice(400, None)
    learner = RLearner(model_y=LinearRegression(), cv=3, random_state=0).fit(
        data.X[train], data.y[train], treatment=data.treatment[train]
    )
    X, y, t = data.X[test], data.y[test], data.treatment[test]
    assert make_r_loss_scorer()(learner, X, y, treatment=t) == pytest.approx(
        learner.score(X, y, treatment=t)
    )
    with pytest.raises(ValueError, match="does not model them.*metadata"):
        make_dr_scorer()(learner, X, y, treatment=t)
    # The propensity-only criteria work on its model_t_.
    assert np.isfinite(make_qini_scorer()(learner, X, y, treatment=t))


def test_estimator_mode_unwraps_a_pipeline(data):
    train, test = slice(0, 400), slice(400, None)
    pipe = make_pipeline(StandardScaler(), TLearner(model_y=LinearRegression()))
    pipe.fit(data.X[train], data.y[train], tlearner__treatment=data.treatment[train])
    X, y, t = data.X[test], data.y[test], data.treatment[test]
    Xt = pipe[0].transform(X)
    for factory in (make_r_loss_scorer, make_transformed_outcome_scorer):
        assert factory()(pipe, X, y, treatment=t) == pytest.approx(
            factory()(pipe[-1], Xt, y, treatment=t)
        )


def test_estimator_mode_needs_a_propensity_model(data):
    with pytest.raises(ValueError, match="model_t_.*_Fixed has none"):
        make_transformed_outcome_scorer()(
            _Fixed(data.cate), data.X, data.y, treatment=data.treatment
        )
    with pytest.raises(ValueError, match="model_t_"):
        make_r_loss_scorer()(
            _Fixed(data.cate), data.X, data.y, treatment=data.treatment
        )


def test_randomised_mode_needs_no_nuisances(data):
    # nuisances=None: the plain (unweighted) areas of the learner's predictions.
    for factory, area in (
        (make_qini_scorer, qini_score),
        (make_auuc_scorer, auuc_score),
    ):
        got = factory(nuisances=None)(
            _Fixed(data.cate), data.X, data.y, treatment=data.treatment
        )
        assert got == area(data.cate, data.y, data.treatment)


# --------------------------------------------------------------------------------------
# Metadata routing
# --------------------------------------------------------------------------------------


def test_requests_and_repr():
    for factory in ALL_FACTORIES:
        meta = factory(nuisances="metadata")
        requested = {
            k for k, v in meta.get_metadata_routing().score.requests.items() if v
        }
        assert requested == {"treatment", "propensity", "mu0", "mu1"}
        assert repr(meta) == f"{factory.__name__}(nuisances='metadata', " + (
            "propensity_clip=0.01)"
        )
        own = factory().get_metadata_routing().score.requests
        assert own == {"treatment": True, "sample_weight": None}
    assert repr(make_qini_scorer(nuisances=None)) == "make_qini_scorer(nuisances=None)"


def test_grid_search_routes_every_scorer(routing, data, nuisances):
    X, y, t = data.X, data.y, data.treatment
    base = TLearner(model_y=GradientBoostingRegressor(n_estimators=15), random_state=0)
    scoring = {f.__name__: f(nuisances="metadata") for f in ALL_FACTORIES}
    scoring["randomised_qini"] = make_qini_scorer(nuisances=None)
    cv = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(
        base,
        {"model_y__max_depth": [1, 3]},
        scoring=scoring,
        refit="make_r_loss_scorer",
        cv=cv,
    )
    search.fit(X, y, treatment=t, **nuisances)
    # Each fold is scored on its own slices of the treatment and the nuisances.
    for i, (train, test) in enumerate(cv.split(X)):
        for j, depth in enumerate([1, 3]):
            learner = clone(base).set_params(model_y__max_depth=depth)
            learner.fit(X[train], y[train], treatment=t[train])
            held_out = {k: v[test] for k, v in nuisances.items()}
            for name, scorer in scoring.items():
                expected = scorer(
                    learner, X[test], y[test], treatment=t[test], **held_out
                )
                got = search.cv_results_[f"split{i}_test_{name}"][j]
                assert got == pytest.approx(expected), name
    best = int(np.argmax(search.cv_results_["mean_test_make_r_loss_scorer"]))
    assert search.best_index_ == best


def test_propensity_alone_is_enough_where_it_is_all_that_is_needed(routing, data):
    # A known assignment probability (an experiment) routed without outcome models.
    learner = TLearner(model_y=LinearRegression())
    e = np.full(len(data.y), 0.5)
    for factory in (make_transformed_outcome_scorer, *UPLIFT_FACTORIES):
        scores = cross_val_score(
            learner,
            data.X,
            data.y,
            scoring=factory(nuisances="metadata"),
            params={"treatment": data.treatment, "propensity": e},
            cv=3,
        )
        assert np.isfinite(scores).all()


def test_sample_weight_is_routed_when_requested(routing, data, nuisances):
    X, y, t = data.X, data.y, data.treatment
    w = np.linspace(0.5, 1.5, len(y))
    scorer = make_r_loss_scorer(nuisances="metadata").set_score_request(
        sample_weight=True
    )
    learner = TLearner(model_y=LinearRegression()).set_fit_request(sample_weight=False)
    cv = KFold(2)
    scores = cross_val_score(
        learner,
        X,
        y,
        scoring=scorer,
        params={"treatment": t, "sample_weight": w, **nuisances},
        cv=cv,
    )
    train, test = next(cv.split(X))
    fitted = clone(learner).fit(X[train], y[train], treatment=t[train])
    held_out = {k: v[test] for k, v in nuisances.items()}
    expected = scorer(
        fitted, X[test], y[test], treatment=t[test], sample_weight=w[test], **held_out
    )
    unweighted = scorer(fitted, X[test], y[test], treatment=t[test], **held_out)
    assert scores[0] == pytest.approx(expected)
    assert expected != pytest.approx(unweighted)


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("factory", ALL_FACTORIES, ids=lambda f: f.__name__)
def test_bad_input_is_named(factory, data, nuisances):
    meta = factory(nuisances="metadata")
    learner = _Fixed(data.cate)
    X, y, t = data.X, data.y, data.treatment
    with pytest.raises(ValueError, match="treatment=None.*enable_metadata_routing"):
        meta(learner, X, y, **nuisances)
    with pytest.raises(ValueError, match=r"\['propensity'\].*enable_metadata_routing"):
        meta(learner, X, y, treatment=t, mu0=nuisances.mu0, mu1=nuisances.mu1)
    with pytest.raises(ValueError, match="propensity must have shape"):
        meta(learner, X, y, treatment=t, **{**nuisances, "propensity": t[:10] * 0.5})
    with pytest.raises(ValueError, match="treatment has 10 entries"):
        meta(learner, X, y, treatment=t[:10], **nuisances)
    with pytest.raises(ValueError, match="y has 10 entries"):
        meta(learner, X, y[:10], treatment=t, **nuisances)
    with pytest.raises(ValueError, match=r"propensity values must lie in \[0, 1\]"):
        meta(learner, X, y, treatment=t, **{**nuisances, "propensity": nuisances.mu0})
    multi = np.arange(len(y)) % 3
    with pytest.raises(ValueError, match="binary treatment.*3 distinct values"):
        meta(learner, X, y, treatment=multi, **nuisances)
    with pytest.raises(ValueError, match="NaN"):
        meta(
            learner,
            X,
            y,
            treatment=t,
            **{**nuisances, "propensity": np.full(600, np.nan)},
        )
    with pytest.raises(ValueError, match="non-negative"):
        meta(learner, X, y, treatment=t, sample_weight=-np.ones(600), **nuisances)


def test_missing_outcome_nuisances_are_named(data, nuisances):
    for factory in (make_dr_scorer, make_r_loss_scorer):
        with pytest.raises(ValueError, match=r"\['mu0', 'mu1'\]"):
            factory(nuisances="metadata")(
                _Fixed(data.cate),
                data.X,
                data.y,
                treatment=data.treatment,
                propensity=nuisances.propensity,
            )


@pytest.mark.parametrize("area", [qini_score, auuc_score])
def test_uplift_area_bad_input(area):
    u, y, t = UPLIFT["uplift"], UPLIFT["y"], UPLIFT["treatment"]
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        area(u, y, t, propensity=[0.5, 0.0, 0.5, 0.5])
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        area(u, y, t, propensity=[0.5, 0.5, 1.0, 0.5])
    with pytest.raises(ValueError, match="single arm"):
        area(u, y, np.ones(4, dtype=int))
    with pytest.raises(ValueError, match="binary treatment"):
        area(u, y, [0, 1, 2, 1])
    with pytest.raises(ValueError, match="y has 3 entries"):
        area(u, y[:3], t)
    with pytest.raises(ValueError, match="uplift must be 1-D"):
        area(np.ones((4, 2)), y, t)
    with pytest.raises(ValueError, match="uplift contains NaN"):
        area([1.0, np.nan, 0.0, 2.0], y, t)
    with pytest.raises(ValueError, match="sums to zero"):
        area(u, y, t, sample_weight=np.zeros(4))
    with pytest.raises(ValueError, match="positive total weight in both arms"):
        area(u, y, t, sample_weight=[1.0, 0.0, 1.0, 0.0])


@pytest.mark.parametrize(
    "factory, kwargs, error",
    [
        (make_r_loss_scorer, {"nuisances": None}, ValueError),
        (make_transformed_outcome_scorer, {"nuisances": "oracle"}, ValueError),
        (make_qini_scorer, {"nuisances": "oracle"}, ValueError),
        (make_auuc_scorer, {"propensity_clip": 0.0}, ValueError),
        (make_r_loss_scorer, {"propensity_clip": True}, TypeError),
    ],
)
def test_factory_bad_arguments(factory, kwargs, error):
    with pytest.raises(error, match="nuisances|propensity_clip"):
        factory(**kwargs)


@pytest.mark.parametrize(
    "factory", [make_dr_scorer, make_r_loss_scorer, make_qini_scorer]
)
def test_scorers_reject_multilevel_and_flipped_learners(factory):
    # The scorers read treatment as 0 = control, 1 = treated: a learner whose effect
    # is another contrast (three levels, or baseline=1) gets a clear error.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = X[:, 0] + rng.normal(size=90)
    three = np.arange(90) % 3
    learner = TLearner(model_y=LinearRegression()).fit(X, y, treatment=three)
    with pytest.raises(ValueError, match="binary treatment|treatment levels"):
        factory()(learner, X, y, treatment=(three > 0).astype(int))
    binary = np.arange(90) % 2
    flipped = TLearner(model_y=LinearRegression(), baseline=1)
    flipped.fit(X, y, treatment=binary)
    with pytest.raises(ValueError, match="baseline 1"):
        factory()(flipped, X, y, treatment=binary)
