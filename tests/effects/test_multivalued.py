"""Multi-valued (categorical) treatments: accuracy, shapes, baseline, formulas."""

import warnings

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression

from skcausal.effects import DRLearner, RLearner, SLearner, TLearner, XLearner
from skcausal.effects._base import cross_fit_folds, spawn_seeds

LEARNERS = [SLearner, TLearner, XLearner, RLearner, DRLearner]
FINAL = (XLearner, RLearner, DRLearner)


def make_three_arm(n_samples, random_state, confounding=0.5, noise=1.0):
    """Three confounded arms 0, 1, 2 with known effects of 1 and 2 against 0.

    Multinomial-logit propensities with logits ``confounding * (0, x_0,
    x_1 / 2 - x_0)``; ``mu_0 = 1 + x_0 - x_1 / 2 + 0.3 x_2``, effects
    ``tau_1 = 1 + x_0`` and ``tau_2 = 2 - x_1 + x_2 / 2``; Gaussian noise.
    """
    rng = np.random.RandomState(random_state)
    X = rng.normal(size=(n_samples, 5))
    logits = confounding * np.column_stack(
        [np.zeros(n_samples), X[:, 0], 0.5 * X[:, 1] - X[:, 0]]
    )
    e = np.exp(logits)
    e /= e.sum(axis=1, keepdims=True)
    t = (rng.uniform(size=(n_samples, 1)) > np.cumsum(e, axis=1)).sum(axis=1)
    mu0 = 1 + X[:, 0] - 0.5 * X[:, 1] + 0.3 * X[:, 2]
    tau = np.column_stack([1 + X[:, 0], 2 - X[:, 1] + 0.5 * X[:, 2]])
    mu = np.column_stack([mu0, mu0 + tau[:, 0], mu0 + tau[:, 1]])
    y = mu[np.arange(n_samples), t] + noise * rng.normal(size=n_samples)
    return X, y, t, tau


def _linear(cls, **params):
    params = {"model_y": LinearRegression(), "model_t": LogisticRegression(), **params}
    if cls in FINAL:
        params.setdefault("model_final", LinearRegression())
        params.setdefault("cv", 3)
    return cls(**params)


@pytest.fixture(scope="module")
def three_arm():
    return make_three_arm(600, 3)


# --------------------------------------------------------------------------------------
# Accuracy with the default nuisances
# --------------------------------------------------------------------------------------

# make_three_arm(n_samples=1000, seed), learner random_state=seed, default models.
# Measured per level (effect of 1, effect of 2), sqrt(PEHE)/std(tau) | |ATE err|/ATE:
#   seed 0: S 0.64 0.80 | 0.17 0.18   T 0.67 0.60 | 0.07 0.05   X 0.25 0.23 | 0.03 0.02
#           R 0.31 0.30 | 0.03 0.01   DR 0.35 0.25 | 0.03 0.00
#   seed 1: S 0.62 0.65 | 0.03 0.13   T 0.74 0.52 | 0.15 0.03   X 0.21 0.16 | 0.06 0.06
#           R 0.22 0.23 | 0.11 0.06   DR 0.22 0.23 | 0.08 0.09
# (T with the early-stopped boosting default; with the former fixed 100 trees it was
# 0.62 0.55 | 0.07 0.02 and 0.76 0.53 | 0.19 0.04.) Bounds: about 40 % above the worse
# seed.
ACCURACY_BOUNDS = {
    SLearner: (0.9, 0.25),
    TLearner: (1.05, 0.27),
    XLearner: (0.35, 0.1),
    RLearner: (0.42, 0.16),
    DRLearner: (0.5, 0.12),
}


@pytest.mark.parametrize(
    "seed", [0, pytest.param(1, marks=pytest.mark.slow)], ids=["seed0", "seed1"]
)
@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_three_arm_accuracy(learner_cls, seed):
    X, y, t, tau = make_three_arm(1000, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # clipping notices
        learner = learner_cls(random_state=seed).fit(X, y, treatment=t)
    effects = learner.predict(X)
    assert effects.shape == (1000, 2)
    assert np.isfinite(effects).all()
    pehe_bound, ate_bound = ACCURACY_BOUNDS[learner_cls]
    pehe = np.sqrt(np.mean((effects - tau) ** 2, axis=0)) / tau.std(axis=0)
    ate_error = np.abs(learner.ate(X) - tau.mean(axis=0)) / np.abs(tau.mean(axis=0))
    assert np.all(pehe <= pehe_bound), pehe
    assert np.all(ate_error <= ate_bound), ate_error


# --------------------------------------------------------------------------------------
# Shapes, levels, baseline
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_shapes_and_level_attributes(three_arm, learner_cls):
    X, y, t, _ = three_arm
    labels = np.array(["placebo", "low", "high"])[t]
    learner = _linear(learner_cls, baseline="placebo").fit(X, y, treatment=labels)
    assert learner.treatment_levels_.tolist() == ["high", "low", "placebo"]
    assert learner.baseline_ == "placebo"
    assert learner.effect_levels_.tolist() == ["high", "low"]
    assert learner.predict(X).shape == (600, 2)
    ate = learner.ate(X)
    assert isinstance(ate, np.ndarray) and ate.shape == (2,)
    np.testing.assert_allclose(ate, learner.predict(X).mean(axis=0))
    # "high" is level 2 (effect ~2), "low" level 1 (effect ~1).
    assert abs(ate[0] - 2.0) < 0.3 and abs(ate[1] - 1.0) < 0.3
    if learner_cls is not RLearner:
        outcomes = learner.predict_outcomes(X)
        assert outcomes.shape == (600, 3)
    assert set(learner.overlap_["levels"]) == {"high", "low", "placebo"}
    assert learner.overlap_["propensity_min"].shape == (3,)


@pytest.mark.parametrize("learner_cls", [SLearner, TLearner])
def test_outcome_learners_effects_are_outcome_differences(three_arm, learner_cls):
    X, y, t, _ = three_arm
    base0 = _linear(learner_cls).fit(X, y, treatment=t)
    base1 = _linear(learner_cls, baseline=1).fit(X, y, treatment=t)
    mu = base0.predict_outcomes(X)
    np.testing.assert_array_equal(base1.predict_outcomes(X), mu)
    np.testing.assert_array_equal(base0.predict(X), mu[:, 1:] - mu[:, [0]])
    np.testing.assert_array_equal(base1.predict(X), mu[:, [0, 2]] - mu[:, [1]])
    assert base1.effect_levels_.tolist() == [0, 2]


def _recode(t, codes):
    return np.asarray(codes)[t]


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_binary_sign_flips_with_the_baseline(learner_cls):
    # A binary treatment coded {1, 2}: baseline=2 gives exactly minus baseline=1.
    # Stochastic nuisances (subsampled boosting) check that seeds follow the levels.
    X, y, t, _ = make_three_arm(400, 0)
    t = (t > 0).astype(int)
    treatment = t + 1
    params = {
        "model_y": GradientBoostingRegressor(n_estimators=20, subsample=0.7),
        "random_state": 0,
    }
    if learner_cls in FINAL:
        params.update(model_final=LinearRegression(), cv=3)
    one = learner_cls(baseline=1, **params).fit(X, y, treatment=treatment)
    two = learner_cls(baseline=2, **params).fit(X, y, treatment=treatment)
    assert one.predict(X).shape == (400,)
    assert isinstance(two.ate(X), float)
    assert one.effect_levels_.tolist() == [2] and two.effect_levels_.tolist() == [1]
    if learner_cls in (SLearner, TLearner):
        np.testing.assert_array_equal(two.predict(X), -one.predict(X))
    else:
        np.testing.assert_allclose(two.predict(X), -one.predict(X), rtol=1e-9)
    assert two.ate(X) == pytest.approx(-one.ate(X), rel=1e-9)
    # ... and the {1, 2} coding with baseline 1 is exactly the 0/1 fit.
    zero_one = learner_cls(**params).fit(X, y, treatment=t)
    np.testing.assert_array_equal(one.predict(X), zero_one.predict(X))


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_string_levels_equal_integer_codes(three_arm, learner_cls):
    X, y, t, _ = three_arm
    labels = _recode(t, ["a", "b", "c"])
    coded = _linear(learner_cls, random_state=0).fit(X, y, treatment=t)
    named = _linear(learner_cls, random_state=0).fit(X, y, treatment=labels)
    np.testing.assert_array_equal(named.predict(X), coded.predict(X))
    assert named.score(X, y, treatment=labels) == coded.score(X, y, treatment=t)


# --------------------------------------------------------------------------------------
# The estimators compute what the formulas say
# --------------------------------------------------------------------------------------


def test_drlearner_multi_level_pseudo_outcome(three_arm):
    X, y, t, _ = three_arm
    learner = _linear(DRLearner, random_state=5, propensity_clip=0.05)
    learner.fit(X, y, treatment=t)
    folds, _ = cross_fit_folds(X, y, t, 3, spawn_seeds(5, 4)[1], 4)
    mu, e = np.empty((600, 3)), np.empty((600, 3))
    for (train, test), fold_t in zip(folds, learner.fold_models_t_, strict=True):
        e[test] = fold_t.predict_proba(X[test])
        for j in range(3):
            rows = train[t[train] == j]
            mu[test, j] = LinearRegression().fit(X[rows], y[rows]).predict(X[test])
    e = np.clip(e, 0.05, 0.95)
    for k in (1, 2):
        phi = (
            mu[:, k]
            - mu[:, 0]
            + (t == k) * (y - mu[:, k]) / e[:, k]
            - (t == 0) * (y - mu[:, 0]) / e[:, 0]
        )
        expected = LinearRegression().fit(X, phi).predict(X)
        np.testing.assert_allclose(learner.predict(X)[:, k - 1], expected, rtol=1e-8)


def test_xlearner_blends_pairwise_with_normalised_propensities(three_arm):
    X, y, t, _ = three_arm
    learner = _linear(XLearner).fit(X, y, treatment=t)
    e = np.clip(LogisticRegression().fit(X, t).predict_proba(X), 0.01, 0.99)
    mu = [LinearRegression().fit(X[t == j], y[t == j]) for j in range(3)]
    for k in (1, 2):
        base, level = t == 0, t == k
        tau_b = LinearRegression().fit(X[base], mu[k].predict(X[base]) - y[base])
        tau_k = LinearRegression().fit(X[level], y[level] - mu[0].predict(X[level]))
        w = np.clip(e[:, k] / (e[:, k] + e[:, 0]), 0.01, 0.99)
        expected = w * tau_b.predict(X) + (1 - w) * tau_k.predict(X)
        np.testing.assert_allclose(learner.predict(X)[:, k - 1], expected, rtol=1e-6)


def test_rlearner_fits_each_level_on_its_pair_with_the_baseline(three_arm):
    X, y, t, _ = three_arm
    learner = _linear(RLearner, random_state=0).fit(X, y, treatment=t)
    folds, _ = cross_fit_folds(X, y, t, 3, spawn_seeds(0, 4)[1], 3)
    for k in (1, 2):
        pair = (t == 0) | (t == k)
        m, e = np.empty(600), np.empty((600, 3))
        for (train, test), fold_t in zip(folds, learner.fold_models_t_, strict=True):
            e[test] = np.clip(fold_t.predict_proba(X[test]), 0.01, 0.99)
            rows = train[pair[train]]
            m[test] = LinearRegression().fit(X[rows], y[rows]).predict(X[test])
        e_pair = np.clip(e[:, k] / (e[:, k] + e[:, 0]), 0.01, 0.99)
        residual = (t == k) - e_pair
        expected = LinearRegression().fit(
            X[pair], ((y - m) / residual)[pair], sample_weight=(residual**2)[pair]
        )
        np.testing.assert_allclose(
            learner.predict(X)[:, k - 1], expected.predict(X), rtol=1e-8
        )


@pytest.mark.parametrize("learner_cls", [TLearner, DRLearner])
def test_score_averages_the_dr_loss_over_levels(three_arm, learner_cls):
    X, y, t, _ = three_arm
    learner = _linear(learner_cls, random_state=0).fit(
        X[:400], y[:400], treatment=t[:400]
    )
    Xt, yt, tt = X[400:], y[400:], t[400:]
    mu = learner.predict_outcomes(Xt)
    e = np.clip(learner.model_t_.predict_proba(Xt), 0.01, 0.99)
    tau = learner.predict(Xt)
    losses = []
    for k in (1, 2):
        phi = (
            mu[:, k]
            - mu[:, 0]
            + (tt == k) * (yt - mu[:, k]) / e[:, k]
            - (tt == 0) * (yt - mu[:, 0]) / e[:, 0]
        )
        losses.append(np.mean((tau[:, k - 1] - phi) ** 2))
    assert learner.score(Xt, yt, treatment=tt) == pytest.approx(-np.mean(losses))
    # A held-out fold with a subset of the levels can be scored.
    assert np.isfinite(learner.score(Xt[tt > 0], yt[tt > 0], treatment=tt[tt > 0]))


def test_nuisance_scores_use_the_multinomial_log_loss(three_arm):
    X, y, t, _ = three_arm
    learner = _linear(TLearner, cv=3, random_state=0).fit(X, y, treatment=t)
    scores = learner.nuisance_scores_
    assert set(scores) == {"outcome_mse", "propensity_log_loss"}
    # Three balanced-ish arms: a log-loss near log(3) minus what x explains.
    assert 0.5 < scores["propensity_log_loss"] < np.log(3) + 0.05
    assert scores["outcome_mse"] < 1.5  # noise variance 1


# --------------------------------------------------------------------------------------
# Overlap and bad input
# --------------------------------------------------------------------------------------


def test_overlap_summary_matches_the_propensity_model(three_arm):
    X, y, t, _ = three_arm
    learner = _linear(DRLearner, propensity_clip=0.05).fit(X, y, treatment=t)
    proba = learner.model_t_.predict_proba(X)
    summary = learner.overlap_
    np.testing.assert_allclose(summary["propensity_min"], proba.min(axis=0))
    np.testing.assert_allclose(summary["propensity_max"], proba.max(axis=0))
    outside = ((proba < 0.05) | (proba > 0.95)).any(axis=1)
    assert summary["n_outside"] == outside.sum()
    assert summary["share_outside"] == pytest.approx(outside.mean())
    assert summary["n_clipped"] == outside.sum()  # clip equals the bounds here
    assert summary["n_clipped_out_of_fold"] == learner.n_propensity_clipped_


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_an_arm_without_support_raises(learner_cls):
    rng = np.random.RandomState(0)
    x = np.r_[rng.uniform(-1, 1, 200), 6.0 + rng.uniform(size=100)]
    X = np.c_[x, rng.normal(size=300)]
    t = np.r_[np.arange(200) % 2, np.full(100, 2)]  # level 2 only far right
    y = x + t + rng.normal(size=300)
    with pytest.raises(ValueError, match="No overlap.*treatment level 2"):
        _linear(learner_cls, model_t=LogisticRegression(C=100.0)).fit(X, y, treatment=t)


@pytest.mark.parametrize("learner_cls", LEARNERS)
def test_bad_multi_valued_input(three_arm, learner_cls):
    X, y, t, _ = three_arm
    learner = _linear(learner_cls)
    y_nan = y.copy()
    y_nan[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        learner.fit(X, y_nan, treatment=t)
    t_nan = t.astype(float)
    t_nan[3] = np.nan
    with pytest.raises(ValueError, match="treatment contains NaN"):
        learner.fit(X, y, treatment=t_nan)
    with pytest.raises(ValueError, match="y has 599 entries but X has 600"):
        learner.fit(X, y[:-1], treatment=t)
    with pytest.raises(ValueError, match=r"baseline=3 is not among the treatment"):
        _linear(learner_cls, baseline=3).fit(X, y, treatment=t)
    with pytest.raises(ValueError, match="zero for every unit of the treatment"):
        learner.fit(X, y, treatment=t, sample_weight=(t != 1).astype(float))
    fitted = _linear(learner_cls).fit(X, y, treatment=t)
    with pytest.raises(ValueError, match=r"level\(s\) \[7\] that are not among"):
        fitted.score(X, y, treatment=np.where(t == 2, 7, t))
