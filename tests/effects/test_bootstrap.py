"""Bootstrap intervals: coverage, reproducibility, n_jobs, shapes and errors."""

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsRegressor

from skcausal.datasets import make_treatment_data
from skcausal.effects import DRLearner, RLearner, SLearner, TLearner, XLearner

LEARNERS = [SLearner, TLearner, XLearner, RLearner, DRLearner]
FINAL = (XLearner, RLearner, DRLearner)


def _linear(cls, **params):
    params = {"model_y": LinearRegression(), "model_t": LogisticRegression(), **params}
    if cls in FINAL:
        params.setdefault("model_final", LinearRegression())
        params.setdefault("cv", 3)
    return cls(**params)


@pytest.fixture(scope="module")
def small():
    return make_treatment_data(n_samples=200, random_state=0)


# --------------------------------------------------------------------------------------
# Coverage on a randomised design
# --------------------------------------------------------------------------------------

# Randomised (confounding=0), n=400, linear nuisances (cv=3), 90 % intervals,
# replications with data seeds 0..9. The target is the sample mean of the true CATE
# over X (ate_interval holds X fixed). Measured with 100 replicas: T-learner 10/10,
# DR 9/10, X 9/10, R 8/10 covered (mean widths 0.34, 0.37, 0.30, 0.34). The DR test
# uses 60 replicas to fit the slow-suite budget.


@pytest.mark.slow
@pytest.mark.parametrize("learner_cls, n_bootstrap", [(TLearner, 100), (DRLearner, 60)])
def test_ate_interval_covers_the_true_ate_in_a_randomised_design(
    learner_cls, n_bootstrap
):
    covered = 0
    for seed in range(10):
        data = make_treatment_data(n_samples=400, confounding=0.0, random_state=seed)
        learner = _linear(learner_cls, n_bootstrap=n_bootstrap, random_state=seed)
        learner.fit(data.X, data.y, treatment=data.treatment)
        lower, upper = learner.ate_interval(data.X, alpha=0.1)
        covered += lower <= data.cate.mean() <= upper
    assert covered >= 8


def test_ate_interval_is_centred_and_shrinks_with_n():
    # Fast default-suite check of the same machinery: the interval holds the point
    # estimate and the truth, and is narrower with four times the data.
    widths = []
    for n_samples in (200, 800):
        data = make_treatment_data(n_samples=n_samples, confounding=0.0, random_state=1)
        learner = _linear(TLearner, n_bootstrap=40, random_state=0)
        learner.fit(data.X, data.y, treatment=data.treatment)
        lower, upper = learner.ate_interval(data.X, alpha=0.1)
        assert lower < learner.ate(data.X) < upper
        assert lower < data.cate.mean() < upper
        widths.append(upper - lower)
    assert widths[1] < 0.7 * widths[0]  # about 1/2 expected


# --------------------------------------------------------------------------------------
# Seeds and n_jobs
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "learner_cls",
    [
        TLearner,
        XLearner,
        pytest.param(DRLearner, marks=pytest.mark.slow),
        pytest.param(SLearner, marks=pytest.mark.slow),
        pytest.param(RLearner, marks=pytest.mark.slow),
    ],
)
def test_exactly_reproducible_and_identical_for_any_n_jobs(small, learner_cls):
    params = {
        "model_y": GradientBoostingRegressor(n_estimators=10, subsample=0.5),
        "n_bootstrap": 6,
        "random_state": 0,
    }
    if learner_cls in FINAL:
        params.update(model_final=LinearRegression(), cv=3)
    X, y, t = small.X, small.y, small.treatment
    serial = learner_cls(n_jobs=1, **params).fit(X, y, treatment=t)
    again = learner_cls(n_jobs=1, **params).fit(X, y, treatment=t)
    parallel = learner_cls(n_jobs=2, **params).fit(X, y, treatment=t)
    interval = serial.ate_interval(X)
    assert again.ate_interval(X) == interval
    assert parallel.ate_interval(X) == interval
    for lo, hi in zip(
        serial.effect_interval(X), parallel.effect_interval(X), strict=True
    ):
        np.testing.assert_array_equal(lo, hi)
    other = learner_cls(n_jobs=1, **{**params, "random_state": 1}).fit(
        X, y, treatment=t
    )
    assert other.ate_interval(X) != interval
    # The main fit does not depend on n_bootstrap.
    plain = learner_cls(n_jobs=1, **{**params, "n_bootstrap": 0}).fit(X, y, treatment=t)
    np.testing.assert_array_equal(plain.predict(X), serial.predict(X))


def test_resamples_keep_every_arm_size(small):
    X, y, t = small.X, small.y, small.treatment
    learner = TLearner(
        model_y=KNeighborsRegressor(n_neighbors=3), n_bootstrap=5, random_state=0
    ).fit(X, y, treatment=t)
    sizes = np.bincount(t)
    for replica in learner.bootstrap_estimators_:
        assert [m.n_samples_fit_ for m in replica.models_y_] == sizes.tolist()
        # ... drawn with replacement: some rows repeat.
        assert np.unique(replica.models_y_[0]._fit_X, axis=0).shape[0] < sizes[0]


# --------------------------------------------------------------------------------------
# Shapes and errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_interval_shapes(small, learner_cls):
    X, y = small.X, small.y
    t3 = np.arange(200) % 3
    binary = _linear(learner_cls, n_bootstrap=5, random_state=0)
    binary.fit(X, y, treatment=small.treatment)
    lower, upper = binary.ate_interval(X, alpha=0.2)
    assert isinstance(lower, float) and lower <= upper
    lower, upper = binary.effect_interval(X[:7])
    assert lower.shape == upper.shape == (7,)
    assert np.all(lower <= upper)
    multi = _linear(learner_cls, n_bootstrap=5, random_state=0).fit(X, y, treatment=t3)
    lower, upper = multi.ate_interval(X)
    assert lower.shape == upper.shape == (2,) and np.all(lower <= upper)
    lower, upper = multi.effect_interval(X[:7])
    assert lower.shape == upper.shape == (7, 2)
    assert len(multi.bootstrap_estimators_) == 5


def test_intervals_without_bootstrap_name_n_bootstrap(small):
    learner = _linear(DRLearner).fit(small.X, small.y, treatment=small.treatment)
    assert learner.bootstrap_estimators_ == []
    for method in (learner.ate_interval, learner.effect_interval):
        with pytest.raises(ValueError, match="fitted with n_bootstrap=0.*n_bootstrap"):
            method(small.X)


@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.1, 1.5, "0.05", True])
def test_bad_alpha(small, alpha):
    learner = _linear(TLearner, n_bootstrap=3, random_state=0)
    learner.fit(small.X, small.y, treatment=small.treatment)
    with pytest.raises(ValueError, match=r"alpha must lie in \(0, 1\)"):
        learner.ate_interval(small.X, alpha=alpha)
    with pytest.raises(ValueError, match=r"alpha must lie in \(0, 1\)"):
        learner.effect_interval(small.X, alpha=alpha)
