"""Bad input to effect learners: a clear ValueError/TypeError naming the problem."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsRegressor

from skcausal.effects import SLearner, TLearner

LEARNERS = [SLearner, TLearner]


def _learner(cls, **params):
    return cls(model_y=LinearRegression(), **params)


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    t = np.arange(40) % 2
    y = X[:, 0] + t + rng.normal(size=40)
    return X, y, t


@pytest.mark.parametrize("cls", LEARNERS)
def test_missing_treatment_names_metadata_routing(cls, data):
    X, y, _ = data
    with pytest.raises(ValueError, match="treatment") as info:
        _learner(cls).fit(X, y)
    message = str(info.value)
    assert "metadata routing" in message
    assert "sklearn.set_config(enable_metadata_routing=True)" in message


@pytest.mark.parametrize("cls", LEARNERS)
def test_score_without_treatment_names_metadata_routing(cls, data):
    X, y, t = data
    learner = _learner(cls).fit(X, y, treatment=t)
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        learner.score(X, y)


@pytest.mark.parametrize("cls", LEARNERS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_X(cls, data, bad):
    X, y, t = data
    X = X.copy()
    X[3, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        _learner(cls).fit(X, y, treatment=t)


@pytest.mark.parametrize("cls", LEARNERS)
def test_one_sample(cls):
    with pytest.raises(ValueError, match="n_samples=1"):
        _learner(cls).fit(np.ones((1, 3)), [1.0], treatment=[1])


@pytest.mark.parametrize("cls", LEARNERS)
@pytest.mark.parametrize(
    "treatment, match",
    [
        (np.linspace(0.0, 1.0, 40), "continuous treatment is not supported"),
        (np.ones(40), "single arm.*treated"),
        (np.zeros(40), "single arm.*control"),
        (np.r_[np.nan, np.arange(39) % 2], "treatment contains NaN"),
        (np.r_[None, np.arange(39) % 2], "treatment contains NaN"),
        (np.r_[np.inf, np.arange(39) % 2], "infinite"),
        (np.zeros((40, 2)), "1-D"),
        (np.arange(39) % 2, "treatment has 39 entries but X has 40"),
    ],
)
def test_bad_treatment(cls, data, treatment, match):
    X, y, _ = data
    with pytest.raises(ValueError, match=match):
        _learner(cls).fit(X, y, treatment=treatment)


@pytest.mark.parametrize("cls", LEARNERS)
def test_mixed_type_treatment(cls, data):
    X, y, _ = data
    labels = np.array(["treated", 0] * 20, dtype=object)
    with pytest.raises(TypeError, match="mixes strings and numbers"):
        _learner(cls).fit(X, y, treatment=labels)


@pytest.mark.parametrize("cls", LEARNERS)
@pytest.mark.parametrize(
    "treatment",
    [
        np.where(np.arange(40) % 2, 1.0, 0.5),
        np.where(np.arange(40) % 2, 1, -1),
        np.where(np.arange(40) % 2, "treated", "control"),
    ],
)
def test_any_two_level_coding_equals_0_1(cls, data, treatment):
    # Two levels, whatever their coding, give exactly the 0/1 fit (sorted order).
    X, y, t = data
    reference = _learner(cls).fit(X, y, treatment=t)
    other = _learner(cls).fit(X, y, treatment=treatment)
    np.testing.assert_array_equal(other.predict(X), reference.predict(X))
    assert other.predict(X).shape == (40,)


@pytest.mark.parametrize("cls", LEARNERS)
@pytest.mark.parametrize("baseline", [2, "0", 0.5])
def test_baseline_not_among_the_levels(cls, data, baseline):
    X, y, t = data
    with pytest.raises(ValueError, match=r"baseline=.* is not among the treatment"):
        _learner(cls, baseline=baseline).fit(X, y, treatment=t)


@pytest.mark.parametrize("cls", LEARNERS)
def test_bad_groups(cls, data):
    X, y, t = data
    with pytest.raises(ValueError, match="groups has 39 entries but X has 40"):
        _learner(cls).fit(X, y, treatment=t, groups=np.arange(39))
    with pytest.raises(ValueError, match="groups must be 1-D"):
        _learner(cls).fit(X, y, treatment=t, groups=np.zeros((40, 2)))
    with pytest.raises(ValueError, match="groups contains NaN"):
        _learner(cls).fit(X, y, treatment=t, groups=np.r_[np.nan, np.ones(39)])


@pytest.mark.parametrize("cls", LEARNERS)
def test_bad_outcome(cls, data):
    X, y, t = data
    y_nan = y.copy()
    y_nan[5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        _learner(cls).fit(X, y_nan, treatment=t)
    with pytest.raises(ValueError, match="y has 39 entries but X has 40"):
        _learner(cls).fit(X, y[:39], treatment=t)
    with pytest.raises(ValueError, match="y is None"):
        _learner(cls).fit(X, None, treatment=t)


@pytest.mark.parametrize("cls", LEARNERS)
def test_score_checks_lengths_and_features(cls, data):
    X, y, t = data
    learner = _learner(cls).fit(X, y, treatment=t)
    with pytest.raises(ValueError, match="treatment has 39 entries"):
        learner.score(X, y, treatment=t[:39])
    with pytest.raises(ValueError, match="features"):
        learner.predict(X[:, :2])
    with pytest.raises(ValueError, match=r"level\(s\) \[2\] that are not among"):
        learner.score(X, y, treatment=t * 2)


@pytest.mark.parametrize("cls", LEARNERS)
def test_methods_before_fit(cls, data):
    X, y, t = data
    learner = _learner(cls)
    for call in (
        lambda: learner.predict(X),
        lambda: learner.predict_outcomes(X),
        lambda: learner.ate(X),
        lambda: learner.ate_interval(X),
        lambda: learner.effect_interval(X),
        lambda: learner.score(X, y, treatment=t),
    ):
        with pytest.raises(NotFittedError):
            call()


@pytest.mark.parametrize("cls", LEARNERS)
@pytest.mark.parametrize(
    "params, match",
    [
        ({"propensity_clip": 0.5}, "propensity_clip"),
        ({"propensity_clip": 0.0}, "propensity_clip"),
        ({"model_t": LinearRegression()}, "model_t"),
        ({"model_y": "gbm"}, "model_y"),
        ({"random_state": "seed"}, "random_state"),
        ({"n_bootstrap": -1}, "n_bootstrap"),
        ({"n_bootstrap": 2.5}, "n_bootstrap"),
        ({"cv": 1}, "cv"),
    ],
)
def test_bad_parameters(cls, data, params, match):
    X, y, t = data
    with pytest.raises(ValueError, match=match):
        cls(**params).fit(X, y, treatment=t)


@pytest.mark.parametrize("cls", LEARNERS)
def test_bad_sample_weight(cls, data):
    X, y, t = data
    with pytest.raises(ValueError, match="(?i)negative"):
        _learner(cls).fit(X, y, treatment=t, sample_weight=np.full(40, -1.0))
    with pytest.raises(ValueError, match="sample_weight"):
        _learner(cls).fit(X, y, treatment=t, sample_weight=np.ones(39))
    with pytest.raises(ValueError, match="treated arm has no support"):
        _learner(cls).fit(X, y, treatment=t, sample_weight=1.0 - t)
    with pytest.raises(ValueError, match="does not accept sample_weight"):
        cls(model_y=KNeighborsRegressor(n_neighbors=3)).fit(
            X, y, treatment=t, sample_weight=np.ones(40)
        )


@pytest.mark.parametrize("cls", LEARNERS)
def test_inputs_are_not_modified(cls, data):
    X, y, t = data
    X_before, y_before, t_before = X.copy(), y.copy(), t.copy()
    learner = _learner(cls).fit(X, y, treatment=t, sample_weight=np.ones(40))
    learner.score(X, y, treatment=t)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    np.testing.assert_array_equal(t, t_before)


@pytest.mark.parametrize("cls", LEARNERS)
def test_list_inputs(cls):
    X = [[0.0, 1.0], [1.0, 0.5], [2.0, 0.1], [3.0, 2.0], [0.5, 0.3], [1.5, 1.1]]
    y = [0.1, 1.2, 2.3, 3.1, 0.4, 1.9]
    t = [0, 1, 0, 1, 0, 1]
    learner = _learner(cls).fit(X, y, treatment=t)
    assert learner.predict(X).shape == (6,)
