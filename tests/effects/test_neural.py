"""TARNet/CFR and Dragonnet: accuracy against known effects, API, seeding, score,
routing, bad input and divergence."""

import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score

from skcausal._nn import RowNormalize, mmd_linear, wasserstein
from skcausal.datasets import make_treatment_data
from skcausal.effects import TreatmentStratifiedKFold, _neural
from skcausal.effects._base import dr_loss, dr_pseudo_outcome
from skcausal.effects._neural import Dragonnet, TARNet

LEARNERS = [TARNet, Dragonnet]
SMALL = {
    "representation_layer_sizes": (32,),
    "head_layer_sizes": (16,),
    "max_iter": 60,
    "random_state": 0,
}


def _pehe(true, estimated):
    return float(np.sqrt(np.mean((np.asarray(true) - np.asarray(estimated)) ** 2)))


@pytest.fixture(scope="module")
def data():
    return make_treatment_data(n_samples=400, random_state=0)


def _fit(cls, data, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return cls(**{**SMALL, **params}).fit(data.X, data.y, treatment=data.treatment)


# --------------------------------------------------------------------------------------
# Accuracy on data with known effects
# --------------------------------------------------------------------------------------


# make_treatment_data, nonlinear outcome, heterogeneous effect (std 1.11), n = 1000,
# confounding 0.5, noise 0.5, random_state=0, networks (50, 50) + (25,).
# Measured: TARNet sqrt(PEHE) 0.29, ATE error 0.06; CFR-MMD 0.35 / 0.03;
# Dragonnet 0.30 / 0.09. The T-learner with default boosting gets 0.31 here.
@pytest.fixture(scope="module")
def accuracy_data():
    return make_treatment_data(
        n_samples=1000,
        outcome="nonlinear",
        confounding=0.5,
        noise_scale=0.5,
        random_state=0,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "cls, params",
    [(TARNet, {}), (TARNet, {"ipm": "mmd_linear", "ipm_weight": 0.3}), (Dragonnet, {})],
)
def test_accuracy_on_synthetic_data(accuracy_data, cls, params):
    data = accuracy_data
    learner = cls(
        representation_layer_sizes=(50, 50),
        head_layer_sizes=(25,),
        random_state=0,
        **params,
    ).fit(data.X, data.y, treatment=data.treatment)
    cate = learner.predict(data.X)
    assert _pehe(data.cate, cate) < 0.5 * data.cate.std()
    assert abs(learner.ate(data.X) - data.ate) < 0.15


# The default-suite accuracy check: the data above with the small networks of SMALL
# (60 epochs per phase, about 1 s per fit). Measured sqrt(PEHE) / ATE error:
# TARNet 0.39 / 0.07, CFR-Wass 0.41 / 0.01, Dragonnet 0.38 / 0.10 (effect std 1.11).
@pytest.mark.parametrize(
    "cls, params", [(TARNet, {}), (TARNet, {"ipm": "wasserstein"}), (Dragonnet, {})]
)
def test_small_networks_recover_effects(accuracy_data, cls, params):
    data = accuracy_data
    learner = _fit(cls, data, **params)
    assert _pehe(data.cate, learner.predict(data.X)) < 0.5 * data.cate.std()
    assert abs(learner.ate(data.X) - data.ate) < 0.15


def _ihdp(shared_data_dir, replication):
    path = Path(shared_data_dir) / "ihdp" / f"ihdp_npci_{replication}.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    table = np.loadtxt(path, delimiter=",")
    return (
        table[:, 5:],
        table[:, 1],
        table[:, 0].astype(int),
        table[:, 4] - table[:, 3],
    )


# IHDP replications 1 and 2 with the defaults, random_state=0, on all 747 units
# (in-sample; 2-4 s per fit). Measured sqrt(PEHE) / ATE error, rep 1 and rep 2:
# TARNet 0.385 / 0.141, 0.257 / 0.046; CFR-Wass 0.208 / 0.024, 0.364 / 0.269;
# Dragonnet 0.264 / 0.017, 0.487 / 0.134. CFR's ATE is its weak spot (mean error
# 0.21 on replications 1-10 against 0.07 / 0.08 for TARNet / Dragonnet), so its
# bound is looser.
@pytest.mark.slow
@pytest.mark.parametrize("replication", [1, 2])
@pytest.mark.parametrize(
    "cls, params, ate_bound",
    [(TARNet, {}, 0.2), (TARNet, {"ipm": "wasserstein"}, 0.35), (Dragonnet, {}, 0.2)],
)
def test_accuracy_on_ihdp(shared_data_dir, replication, cls, params, ate_bound):
    X, y, t, cate = _ihdp(shared_data_dir, replication)
    learner = cls(random_state=0, **params).fit(X, y, treatment=t)
    assert _pehe(cate, learner.predict(X)) < 0.8
    assert abs(learner.ate(X) - cate.mean()) < ate_bound


# --------------------------------------------------------------------------------------
# API
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", LEARNERS)
def test_outputs_and_attributes(cls, data):
    learner = _fit(cls, data)
    outcomes = learner.predict_outcomes(data.X)
    assert outcomes.shape == (400, 2) and outcomes.dtype == np.float64
    np.testing.assert_allclose(
        learner.predict(data.X), outcomes[:, 1] - outcomes[:, 0], rtol=0, atol=0
    )
    assert learner.ate(data.X) == pytest.approx(learner.predict(data.X).mean())
    # two phases (Adam, then the fine-tuning step), each up to max_iter epochs
    assert 1 <= learner.n_iter_ <= 120 and len(learner.loss_curve_) == learner.n_iter_
    assert len(learner.validation_loss_curve_) == learner.n_iter_
    assert learner.best_validation_loss_ == min(learner.validation_loss_curve_)
    assert learner.n_features_in_ == 5
    # outcomes are predicted in the units of y (standardised internally)
    assert abs(np.mean(outcomes[np.arange(400), data.treatment]) - data.y.mean()) < 0.5


@pytest.mark.parametrize("cls", LEARNERS)
def test_random_state_reproducible_and_pickle(cls, data):
    first = _fit(cls, data, max_iter=8)
    second = _fit(cls, data, max_iter=8)
    np.testing.assert_array_equal(first.predict(data.X), second.predict(data.X))
    other = _fit(cls, data, max_iter=8, random_state=1)
    assert not np.array_equal(first.predict(data.X), other.predict(data.X))
    copy = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(copy.predict(data.X), first.predict(data.X))


@pytest.mark.parametrize("cls", LEARNERS)
def test_float64_close_to_float32(cls, data):
    # a few epochs on the same seed: the trajectories agree to float32 precision
    params = {"max_iter": 3, "early_stopping": False}
    p32 = _fit(cls, data, dtype="float32", **params).predict_outcomes(data.X)
    p64 = _fit(cls, data, dtype=np.float64, **params).predict_outcomes(data.X)
    assert np.max(np.abs(p32 - p64)) < 1e-3 * np.std(data.y)
    learner = _fit(cls, data, dtype="float64", max_iter=2)
    assert learner.network_.params[0].dtype == np.float64


@pytest.mark.parametrize("cls", LEARNERS)
def test_unit_sample_weight_equals_none(cls, data):
    a = _fit(cls, data, max_iter=5).predict(data.X)
    b = cls(**{**SMALL, "max_iter": 5})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        b.fit(data.X, data.y, treatment=data.treatment, sample_weight=np.ones(400))
    np.testing.assert_array_equal(a, b.predict(data.X))


@pytest.mark.parametrize("cls", LEARNERS)
def test_score_is_negated_dr_loss(cls, data):
    learner = _fit(cls, data, max_iter=10)
    outcomes = learner.predict_outcomes(data.X)
    e = np.clip(learner._propensity(data.X), 0.01, 0.99)
    phi = dr_pseudo_outcome(data.y, data.treatment, outcomes[:, 0], outcomes[:, 1], e)
    expected = -dr_loss(outcomes[:, 1] - outcomes[:, 0], phi)
    assert learner.score(data.X, data.y, treatment=data.treatment) == pytest.approx(
        expected
    )
    assert expected < 0


def test_dragonnet_propensity_head_learns_treatment(data):
    learner = _fit(Dragonnet, data, max_iter=100)
    e = learner._propensity(data.X)
    np.testing.assert_array_less(0, e)
    # the head ranks the true propensity well
    assert np.corrcoef(e, data.propensity)[0, 1] > 0.5  # measured 0.69
    assert learner.epsilon_ != 0.0
    plain = _fit(Dragonnet, data, targeted_reg=0.0)
    assert plain.epsilon_ == 0.0


def test_cfr_normalises_the_representation_and_balances_the_arms(data):
    # CFR (an ipm set): the representation rows have norm sqrt(width), each arm
    # carries half of the loss weight; TARNet (ipm=None) keeps neither.
    cfr = _fit(TARNet, data, ipm="wasserstein", max_iter=3)
    plain = _fit(TARNet, data, max_iter=3)
    assert isinstance(cfr.network_.trunk.layers[-1], RowNormalize)
    assert not isinstance(plain.network_.trunk.layers[-1], RowNormalize)
    Xs = (data.X - cfr._x_mean) / cfr._x_scale
    phi = cfr.network_.trunk.forward(Xs.astype(np.float32), training=False)
    np.testing.assert_allclose(np.linalg.norm(phi, axis=1), np.sqrt(32), rtol=1e-5)
    t = data.treatment
    weights = np.random.default_rng(0).uniform(0.5, 2.0, size=t.size)
    balanced = cfr._loss_weights(t, weights)
    assert balanced[t == 1].sum() == pytest.approx(0.5 * weights.sum())
    assert balanced[t == 0].sum() == pytest.approx(0.5 * weights.sum())
    # within an arm the weights keep their ratios
    np.testing.assert_allclose(
        balanced[t == 1] / weights[t == 1], balanced[t == 1][0] / weights[t == 1][0]
    )
    np.testing.assert_array_equal(plain._loss_weights(t, weights), weights)


def test_dragonnet_ate_truncates_on_the_propensity_head(data):
    learner = _fit(Dragonnet, data, max_iter=5)
    e = learner._propensity(data.X)
    cate = learner.predict(data.X)
    kept = (e >= 0.01) & (e <= 0.99)
    assert learner.ate(data.X) == pytest.approx(cate[kept].mean())
    # a stricter threshold drops units: the average runs over the kept ones only
    clip = float(np.quantile(np.minimum(e, 1 - e), 0.3))
    learner.set_params(propensity_clip=clip)
    kept = (e >= clip) & (e <= 1 - clip)
    assert 0 < kept.sum() < e.size
    assert learner.ate(data.X) == pytest.approx(cate[kept].mean())
    assert abs(learner.ate(data.X) - cate.mean()) > 1e-6


def test_balance_penalties_reduce_their_distance(data):
    # Each penalty lowers its own distance between the arms' representations,
    # measured relative to the representation's spread (so shrinking phi does not
    # count). Measured: Wasserstein 0.815 -> 0.643, linear MMD 0.140 -> 0.064.
    def distances(learner):
        Xs = (data.X - learner._x_mean) / learner._x_scale
        phi = learner.network_.trunk.forward(Xs, training=False).astype(float)
        spread = np.linalg.norm(phi.std(0))
        t = data.treatment
        return (
            wasserstein(phi, t, n_iter=50)[0] / spread,
            mmd_linear(phi, t)[0] / spread**2,
        )

    params = {"early_stopping": False, "max_iter": 40}
    free = distances(_fit(TARNet, data, **params))
    wass = distances(_fit(TARNet, data, ipm="wasserstein", ipm_weight=10.0, **params))
    mmd = distances(_fit(TARNet, data, ipm="mmd_linear", ipm_weight=10.0, **params))
    assert wass[0] < 0.97 * free[0]
    assert mmd[1] < 0.7 * free[1]


@pytest.mark.parametrize("cls", LEARNERS)
def test_verbose_prints_each_epoch(cls, data, capsys):
    _fit(cls, data, max_iter=3, early_stopping=False, verbose=1)
    lines = [
        ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("Epoch")
    ]
    assert len(lines) == 2 * 3 and "loss =" in lines[0]  # both phases
    _fit(cls, data, max_iter=3, verbose=1, fine_tune_learning_rate=None)
    lines = [
        ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("Epoch")
    ]
    assert len(lines) == 3 and "validation loss =" in lines[0]


@pytest.mark.parametrize("cls", LEARNERS)
def test_max_iter_reached_warns(cls, data):
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        cls(**{**SMALL, "max_iter": 2}).fit(data.X, data.y, treatment=data.treatment)


@pytest.mark.parametrize("cls", LEARNERS)
def test_weight_decay_per_training_row_and_auto_patience(cls, data, monkeypatch):
    # 400 rows, 20 % stratified validation -> n_train rows for training
    n_val = sum(int(np.floor(0.2 * np.sum(data.treatment == a))) for a in (0, 1))
    n_train = 400 - n_val
    strengths, calls = set(), []
    real_penalty, real_train = _neural.l2_penalty, _neural.train

    def penalty(params, decay, strength, grads=None):
        strengths.add(strength)
        return real_penalty(params, decay, strength, grads)

    def train(*args, **kwargs):
        calls.append((args[2].learning_rate, kwargs))
        return real_train(*args, **kwargs)

    monkeypatch.setattr(_neural, "l2_penalty", penalty)
    monkeypatch.setattr(_neural, "train", train)
    learner = _fit(cls, data, weight_decay=8.0, batch_size=32, max_iter=3)
    assert strengths == {8.0 / n_train}
    # "auto": ceil(360 / steps per epoch) epochs, at least 10
    steps = -(-n_train // 32)
    assert [c[1]["n_iter_no_change"] for c in calls] == [-(-360 // steps)] * 2
    # phase 2: a fresh Adam at the fine-tuning step, entering with phase 1's best
    assert [c[0] for c in calls] == [1e-3, 1e-4]
    assert calls[0][1]["best_loss"] == np.inf
    assert calls[1][1]["best_loss"] == min(learner.validation_loss_curve_[:3])
    calls.clear()
    _fit(cls, data, n_iter_no_change=7, fine_tune_learning_rate=None, max_iter=3)
    assert len(calls) == 1 and calls[0][1]["n_iter_no_change"] == 7
    calls.clear()
    many = make_treatment_data(n_samples=3000, random_state=0)
    _fit(cls, many, batch_size=32, max_iter=1)
    assert calls[0][1]["n_iter_no_change"] == 10  # 75 steps per epoch: the floor


@pytest.mark.parametrize("cls", LEARNERS)
def test_fine_tuning_phase_never_worsens_the_validation_loss(cls, data):
    one = _fit(cls, data, max_iter=40, fine_tune_learning_rate=None)
    two = _fit(cls, data, max_iter=40)
    # the first phase is the same run in both; the second one keeps the better weights
    assert two.validation_loss_curve_[: one.n_iter_] == one.validation_loss_curve_
    assert two.n_iter_ > one.n_iter_
    assert two.best_validation_loss_ <= one.best_validation_loss_
    assert two.best_validation_loss_ == min(two.validation_loss_curve_)


@pytest.mark.parametrize("cls", LEARNERS)
def test_routing_through_cross_validation(cls, data, routing):
    learner = cls(**{**SMALL, "max_iter": 5})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(
            learner,
            data.X,
            data.y,
            cv=TreatmentStratifiedKFold(n_splits=2, shuffle=True, random_state=0),
            params={"treatment": data.treatment},
        )
    assert scores.shape == (2,) and np.all(np.isfinite(scores))
    assert clone(learner).get_params() == learner.get_params()


# --------------------------------------------------------------------------------------
# Bad input and divergence
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", LEARNERS)
def test_bad_treatment(cls, data):
    with pytest.raises(ValueError, match="requires a per-sample `treatment`"):
        cls().fit(data.X, data.y)
    with pytest.raises(ValueError, match="binary treatment"):
        cls().fit(data.X, data.y, treatment=np.arange(400) % 3)
    with pytest.raises(ValueError, match="single arm"):
        cls().fit(data.X, data.y, treatment=np.ones(400))


@pytest.mark.parametrize("cls", LEARNERS)
@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"representation_layer_sizes": ()}, ValueError, "at least one layer"),
        ({"representation_layer_sizes": (10, 0)}, ValueError, "positive ints"),
        ({"head_layer_sizes": (5, -1)}, ValueError, "positive ints"),
        ({"head_layer_sizes": ("a",)}, ValueError, "positive ints"),
        ({"representation_layer_sizes": 0}, ValueError, "representation_layer_sizes"),
        ({"activation": "swish"}, ValueError, "activation"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate"),
        ({"fine_tune_learning_rate": -1e-4}, ValueError, "fine_tune_learning_rate"),
        ({"n_iter_no_change": "sometimes"}, ValueError, "n_iter_no_change"),
        ({"n_iter_no_change": 0}, ValueError, "n_iter_no_change"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"max_iter": 0}, ValueError, "max_iter"),
        ({"weight_decay": -1.0}, ValueError, "weight_decay"),
        ({"validation_fraction": 1.0}, ValueError, "validation_fraction"),
        ({"dtype": "float16"}, ValueError, "dtype"),
        ({"propensity_clip": 0.5}, ValueError, "propensity_clip"),
    ],
)
def test_bad_parameters(cls, data, params, error, match):
    with pytest.raises(error, match=match):
        cls(**params).fit(data.X, data.y, treatment=data.treatment)


def test_bad_ipm_parameters(data):
    with pytest.raises(ValueError, match="ipm"):
        TARNet(ipm="kl").fit(data.X, data.y, treatment=data.treatment)
    with pytest.raises(ValueError, match="ipm_weight"):
        TARNet(ipm_weight=-1.0).fit(data.X, data.y, treatment=data.treatment)
    with pytest.raises(ValueError, match="targeted_reg"):
        Dragonnet(targeted_reg=-0.1).fit(data.X, data.y, treatment=data.treatment)


@pytest.mark.parametrize("cls", LEARNERS)
def test_divergence_warns_and_never_returns_nan(cls, data):
    learner = cls(**{**SMALL, "learning_rate": 1e12, "max_iter": 20})
    with pytest.warns(RuntimeWarning, match="diverged"):
        learner.fit(data.X, data.y * 1e6, treatment=data.treatment)
    assert np.all(np.isfinite(learner.predict_outcomes(data.X)))
    assert np.isfinite(learner.score(data.X, data.y, treatment=data.treatment))


@pytest.mark.parametrize("cls", LEARNERS)
def test_too_few_rows_for_validation_fall_back_to_training_loss(cls):
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        learner = cls(**{**SMALL, "max_iter": 3}).fit(
            X, np.array([0.0, 1.0, 0.5, 2.0]), treatment=np.array([0, 1, 0, 1])
        )
    assert learner.n_iter_ == 2 * 3  # both phases ran out of epochs
    assert len(learner.validation_loss_curve_) in (0, learner.n_iter_)
    assert np.all(np.isfinite(learner.predict(X)))


@pytest.mark.parametrize("cls", LEARNERS)
def test_early_stopping_monitors_the_factual_outcome_loss(cls, data):
    # the kept weights' validation loss is the factual squared error of the held-out
    # rows on the standardised outcome: for Dragonnet too (not its log-loss)
    from skcausal._nn import stratified_split
    from skcausal.effects._base import spawn_seeds

    learner = _fit(cls, data, fine_tune_learning_rate=None, dtype="float64")
    seeds = spawn_seeds(0, 3 if cls is TARNet else 2)[-2:]
    _, val = stratified_split(data.treatment, 0.2, np.random.default_rng(seeds[1]))
    heads = learner._forward(data.X[val])
    t = data.treatment[val]
    factual = np.where(t == 1, heads[1], heads[0])
    y = (data.y[val] - learner._y_mean) / learner._y_scale
    assert learner.best_validation_loss_ == pytest.approx(
        np.mean((factual - y) ** 2), rel=1e-10
    )


def test_ipm_weight_auto_is_per_training_row(data, monkeypatch):
    # "auto" = 54 / n_train (0.1 at IHDP's 538 rows); a number is used as given
    n_val = sum(int(np.floor(0.2 * np.sum(data.treatment == a))) for a in (0, 1))
    n_train = 400 - n_val
    params = {"ipm": "wasserstein", "max_iter": 2, "fine_tune_learning_rate": None}
    assert _fit(TARNet, data, **params).ipm_weight_ == pytest.approx(54.0 / n_train)
    assert _fit(TARNet, data, **params, ipm_weight=0.5).ipm_weight_ == 0.5
    assert _fit(TARNet, data, max_iter=1).ipm_weight_ == 0.0
    # the objective adds ipm_weight_ * distance: a distance of 1 with no gradient
    # leaves the training path unchanged and raises every epoch's loss by the weight
    curves = []
    for value in (0.0, 1.0):
        monkeypatch.setattr(
            _neural, "wasserstein", lambda phi, t, w, v=value: (v, np.zeros_like(phi))
        )
        curves.append(np.array(_fit(TARNet, data, **params).loss_curve_))
    np.testing.assert_allclose(curves[1] - curves[0], 54.0 / n_train, rtol=1e-6)
    with pytest.raises(ValueError, match="ipm_weight"):
        TARNet(ipm_weight="big").fit(data.X, data.y, treatment=data.treatment)


@pytest.mark.parametrize("cls", LEARNERS)
def test_prediction_in_row_chunks_equals_one_pass(cls, data, monkeypatch):
    # large inputs go through the network in chunks of _CHUNK_ROWS rows
    learner = _fit(cls, data, max_iter=3, dtype="float64")
    whole = learner.predict_outcomes(data.X)
    monkeypatch.setattr(_neural, "_CHUNK_ROWS", 7)  # 400 rows: 58 chunks
    np.testing.assert_allclose(learner.predict_outcomes(data.X), whole, rtol=1e-12)
    # the validation loss too: the same training path
    chunked = _fit(cls, data, max_iter=3, dtype="float64")
    np.testing.assert_allclose(
        chunked.validation_loss_curve_, learner.validation_loss_curve_, rtol=1e-12
    )
