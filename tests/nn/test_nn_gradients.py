"""Every backward pass of the numpy engine against central finite differences.

Float64 throughout; the relative error ``||analytic - numeric|| / (||analytic|| +
||numeric||)`` must stay below 1e-6 for each layer, activation, loss, balance penalty
and for whole TARNet/CFR/Dragonnet objectives.
"""

import numpy as np
import pytest

from skcausal._nn import (
    ACTIVATIONS,
    Activation,
    Dense,
    MultiHead,
    RowNormalize,
    Sequential,
    l2_penalty,
    log_loss,
    make_mlp,
    mmd_linear,
    sinkhorn_plan,
    squared_error,
    wasserstein,
)
from skcausal.effects import _neural
from skcausal.effects._neural import Dragonnet, TARNet

STEP = 1e-6
TOL = 1e-6


def numeric_gradient(f, array):
    """Central differences of ``f()`` with respect to ``array`` (perturbed in place)."""
    grad = np.zeros_like(array)
    flat, out = array.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        saved = flat[k]
        flat[k] = saved + STEP
        up = f()
        flat[k] = saved - STEP
        down = f()
        flat[k] = saved
        out[k] = (up - down) / (2 * STEP)
    return grad


def relative_error(analytic, numeric):
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return np.linalg.norm(analytic - numeric) / denominator


def _check_layer(layer, X, rng):
    """Gradients of ``sum(R * layer(X))`` with respect to X and every parameter."""
    R = rng.normal(size=layer.forward(X).shape)

    def f():
        return float(np.sum(R * layer.forward(X, training=False)))

    layer.forward(X)
    grad_X = layer.backward(R)
    analytic = [g.copy() for g in layer.grads]
    assert relative_error(grad_X, numeric_gradient(f, X)) < TOL
    for param, grad in zip(layer.params, analytic, strict=True):
        assert relative_error(grad, numeric_gradient(f, param)) < TOL


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_backward(name):
    rng = np.random.default_rng(0)
    # keep inputs away from the kinks of relu / elu at 0
    X = rng.normal(size=(6, 4))
    X[np.abs(X) < 1e-3] = 0.5
    _check_layer(Activation(name), X, rng)


@pytest.mark.parametrize("init", ["glorot", "he"])
def test_dense_backward(init):
    rng = np.random.default_rng(1)
    layer = Dense(5, 3, rng=rng, init=init)
    layer.b[:] = rng.normal(size=3)
    _check_layer(layer, rng.normal(size=(7, 5)), rng)


@pytest.mark.parametrize("activation", ["elu", "tanh", "sigmoid"])
def test_mlp_backward(activation):
    rng = np.random.default_rng(2)
    net = make_mlp(4, (6, 5), 2, activation=activation, rng=rng)
    _check_layer(net, rng.normal(size=(8, 4)), rng)


def test_row_normalize_backward_and_unit_rows():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(6, 5))
    for scale in (1.0, 3.0):
        _check_layer(RowNormalize(scale), X, rng)
        out = RowNormalize(scale).forward(X, training=False)
        np.testing.assert_allclose(np.linalg.norm(out, axis=1), scale)
    # inside a network: a normalised representation under dense layers
    net = Sequential([make_mlp(4, (5,), rng=rng), RowNormalize()])
    _check_layer(net, rng.normal(size=(7, 4)), rng)


def test_multihead_backward_with_representation_gradient():
    rng = np.random.default_rng(3)
    net = MultiHead(
        make_mlp(4, (5,), rng=rng), [make_mlp(5, (3,), 1, rng=rng) for _ in range(3)]
    )
    X = rng.normal(size=(9, 4))
    R = [rng.normal(size=(9, 1)) for _ in range(3)]
    S = rng.normal(size=(9, 5))

    def f():
        outs = net.forward(X, training=False)
        phi = net.trunk.forward(X, training=False)
        heads = sum(np.sum(r * o) for r, o in zip(R, outs, strict=True))
        return float(heads + np.sum(S * phi))

    net.forward(X)
    # the second head gets no loss (None) and must report zero gradients
    R_used = [R[0], None, R[2]]
    R[1] = np.zeros_like(R[1])
    grad_X = net.backward(R_used, S)
    analytic = [g.copy() for g in net.grads]
    assert relative_error(grad_X, numeric_gradient(f, X)) < TOL
    for param, grad in zip(net.params, analytic, strict=True):
        assert relative_error(grad, numeric_gradient(f, param)) < TOL


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("loss", [squared_error, log_loss])
def test_loss_gradients(loss, weighted):
    rng = np.random.default_rng(4)
    pred = rng.normal(size=(10, 1))
    target = rng.normal(size=10) if loss is squared_error else rng.integers(0, 2, 10)
    weights = rng.uniform(0.1, 2.0, size=10) if weighted else None
    value, grad = loss(pred, target, weights)
    numeric = numeric_gradient(lambda: loss(pred, target, weights)[0], pred)
    assert relative_error(grad, numeric) < TOL
    assert grad.shape == pred.shape


def test_losses_known_values():
    pred = np.array([[1.0], [3.0]])
    assert squared_error(pred, np.array([0.0, 0.0]))[0] == pytest.approx(5.0)
    # weights 3:1 -> (3 * 1 + 1 * 9) / 4
    assert squared_error(pred, np.zeros(2), np.array([3.0, 1.0]))[0] == pytest.approx(
        3.0
    )
    # log-loss of a logit 0 is log 2 whatever the label; stable for huge logits
    assert log_loss(np.zeros((2, 1)), np.array([0, 1]))[0] == pytest.approx(np.log(2))
    value, grad = log_loss(np.array([[1000.0], [-1000.0]]), np.array([1, 0]))
    assert value == pytest.approx(0.0, abs=1e-12) and np.all(np.isfinite(grad))
    # no weights == unit weights, exactly
    rng = np.random.default_rng(5)
    p, y = rng.normal(size=(7, 1)), rng.normal(size=7)
    assert squared_error(p, y)[0] == squared_error(p, y, np.ones(7))[0]


def test_l2_penalty_gradient_and_mask():
    rng = np.random.default_rng(6)
    params = [rng.normal(size=(3, 2)), rng.normal(size=2)]
    grads = [np.zeros((3, 2)), np.zeros(2)]
    value = l2_penalty(params, [True, False], 0.3, grads)
    assert value == pytest.approx(0.15 * np.sum(params[0] ** 2))
    numeric = numeric_gradient(
        lambda: l2_penalty(params, [True, False], 0.3), params[0]
    )
    assert relative_error(grads[0], numeric) < TOL
    assert np.all(grads[1] == 0)


def _arms(rng, n=12, d=3):
    t = np.array([0, 1] * (n // 2))
    return rng.normal(size=(n, d)) + t[:, None], t


@pytest.mark.parametrize("weighted", [False, True])
def test_mmd_linear_value_and_gradient(weighted):
    rng = np.random.default_rng(7)
    phi, t = _arms(rng)
    w = rng.uniform(0.5, 2.0, size=t.size) if weighted else None
    value, grad = mmd_linear(phi, t, w)
    w_ = np.ones(t.size) if w is None else w
    diff = np.average(phi[t == 1], 0, w_[t == 1]) - np.average(
        phi[t == 0], 0, w_[t == 0]
    )
    assert value == pytest.approx(diff @ diff)
    assert (
        relative_error(grad, numeric_gradient(lambda: mmd_linear(phi, t, w)[0], phi))
        < TOL
    )


@pytest.mark.parametrize("weighted", [False, True])
def test_wasserstein_gradient_with_plan_held_fixed(weighted):
    rng = np.random.default_rng(8)
    phi, t = _arms(rng)
    w = rng.uniform(0.5, 2.0, size=t.size) if weighted else None
    value, grad = wasserstein(phi, t, w)
    # the documented gradient: differentiate the cost with the Sinkhorn plan fixed
    x1, x0 = phi[t == 1], phi[t == 0]
    cost = np.linalg.norm(x1[:, None] - x0[None], axis=2)
    w_ = np.ones(t.size) if w is None else w
    plan = sinkhorn_plan(
        cost, w_[t == 1] / w_[t == 1].sum(), w_[t == 0] / w_[t == 0].sum()
    )
    assert value == pytest.approx(np.sum(plan * cost))
    numeric = numeric_gradient(lambda: wasserstein(phi, t, w, plan=plan)[0], phi)
    assert relative_error(grad, numeric) < TOL


def test_sinkhorn_plan_marginals_and_distance():
    rng = np.random.default_rng(9)
    a, b = np.full(5, 0.2), np.full(4, 0.25)
    cost = rng.uniform(size=(5, 4))
    plan = sinkhorn_plan(cost, a, b, n_iter=200)
    np.testing.assert_allclose(plan.sum(0), b, atol=1e-12)
    np.testing.assert_allclose(plan.sum(1), a, atol=1e-6)
    # identical clouds: distance ~ 0; shifted by 3 along one axis: distance ~ 3
    X = rng.normal(size=(20, 2))
    t = np.repeat([0, 1], 10)
    same = np.vstack([X[:10], X[:10]])
    assert wasserstein(same, t, n_iter=100)[0] < 0.2
    shifted = np.vstack([X[:10], X[:10] + [3.0, 0.0]])
    assert wasserstein(shifted, t, n_iter=100)[0] == pytest.approx(3.0, rel=0.05)


def test_penalties_vanish_on_a_single_arm():
    phi = np.random.default_rng(10).normal(size=(5, 2))
    for distance in (mmd_linear, wasserstein):
        value, grad = distance(phi, np.ones(5, dtype=int))
        assert value == 0.0 and np.all(grad == 0)


# --------------------------------------------------------------------------------------
# Whole objectives of the estimators
# --------------------------------------------------------------------------------------


def _network(learner, rng, n_features=4):
    trunk = make_mlp(n_features, (6, 5), activation=learner.activation, rng=rng)
    if learner._normalise_representation():
        trunk = Sequential([trunk, RowNormalize()])
    heads = learner._heads(5, (4,), rng, np.float64)
    return MultiHead(trunk, heads)


def _data(rng, n=14, n_features=4):
    X = rng.normal(size=(n, n_features))
    t = np.array([0, 1] * (n // 2))
    y = rng.normal(size=n) + t
    w = rng.uniform(0.5, 2.0, size=n)
    return X, t, y, w


def _check_objective(learner, network, extra, X, t, y, w):
    params = network.params + [p for p, _ in extra]
    grads = network.grads + [g for _, g in extra]

    def f():
        loss = learner._objective(network, X, t, y, w)
        return loss

    f()
    analytic = [g.copy() for g in grads]
    for param, grad in zip(params, analytic, strict=True):
        assert relative_error(grad, numeric_gradient(f, param)) < TOL


@pytest.mark.parametrize("ipm", [None, "mmd_linear", "wasserstein"])
def test_tarnet_objective_gradient(ipm, monkeypatch):
    rng = np.random.default_rng(11)
    learner = TARNet(ipm=ipm, ipm_weight=0.7, activation="tanh")
    network = _network(learner, rng)
    X, t, y, w = _data(rng)
    learner._set_penalties(n_train=y.shape[0])  # what fit does before training
    if ipm == "wasserstein":
        # hold the transport plan of the current point fixed (documented gradient)
        phi = network.trunk.forward(X, training=False)
        x1, x0 = phi[t == 1], phi[t == 0]
        cost = np.linalg.norm(x1[:, None] - x0[None], axis=2)
        w1, w0 = w[t == 1] / w[t == 1].sum(), w[t == 0] / w[t == 0].sum()
        plan = sinkhorn_plan(cost, w1, w0)
        monkeypatch.setattr(
            _neural, "wasserstein", lambda p, tt, ww: wasserstein(p, tt, ww, plan=plan)
        )
    _check_objective(learner, network, [], X, t, y, w)


@pytest.mark.parametrize("targeted_reg", [0.0, 1.5])
def test_dragonnet_objective_gradient(targeted_reg):
    rng = np.random.default_rng(12)
    learner = Dragonnet(targeted_reg=targeted_reg, activation="elu")
    network = _network(learner, rng)
    extra = learner._extra_params(np.float64)
    if extra:
        learner._epsilon[0] = 0.3  # a non-trivial fluctuation
    X, t, y, w = _data(rng)
    _check_objective(learner, network, extra, X, t, y, w)
