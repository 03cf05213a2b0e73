"""Adam and SGD against hand-computed steps, the flat parameter view, and the
training loop (minibatching, early stopping that restores the best weights, a second
phase entering with a best loss, divergence)."""

import numpy as np
import pytest

from skcausal._nn import (
    SGD,
    Adam,
    flatten,
    minibatches,
    stratified_split,
    train,
    unflatten,
)


def test_adam_reproduces_hand_computed_steps():
    p = np.array([1.0, -2.0])
    opt = Adam([p], learning_rate=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    g1 = np.array([0.5, -0.1])
    opt.step([g1])
    # step 1: m = 0.1 g, v = 0.001 g^2 -> m_hat = g, v_hat = g^2
    expected = np.array([1.0, -2.0]) - 0.1 * g1 / (np.abs(g1) + 1e-8)
    np.testing.assert_allclose(p, expected, rtol=0, atol=1e-15)
    g2 = np.array([-0.2, 0.3])
    opt.step([g2])
    m = 0.9 * (0.1 * g1) + 0.1 * g2
    v = 0.999 * (0.001 * g1**2) + 0.001 * g2**2
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    expected = expected - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(p, expected, rtol=0, atol=1e-14)


def test_adam_updates_in_place_and_keeps_dtype():
    p = np.ones(3, dtype=np.float32)
    alias = p
    Adam([p], learning_rate=0.5).step([np.ones(3, dtype=np.float32)])
    assert alias is p and p.dtype == np.float32
    np.testing.assert_allclose(p, 0.5, atol=1e-6)


@pytest.mark.parametrize("nesterov", [True, False])
def test_sgd_momentum_reproduces_hand_computed_steps(nesterov):
    p = np.array([1.0, -2.0])
    opt = SGD([p], learning_rate=0.1, momentum=0.9, nesterov=nesterov)
    g1, g2 = np.array([0.5, -0.1]), np.array([-0.2, 0.3])
    opt.step([g1])
    # step 1: b = g1; Nesterov looks ahead: g1 + 0.9 b
    step1 = g1 + 0.9 * g1 if nesterov else g1
    expected = np.array([1.0, -2.0]) - 0.1 * step1
    np.testing.assert_allclose(p, expected, rtol=0, atol=1e-15)
    opt.step([g2])
    b = 0.9 * g1 + g2
    step2 = g2 + 0.9 * b if nesterov else b
    np.testing.assert_allclose(p, expected - 0.1 * step2, rtol=0, atol=1e-15)
    # momentum 0 is plain gradient descent, in place, keeping the dtype
    q = np.ones(3, dtype=np.float32)
    alias = q
    SGD([q], learning_rate=0.5, momentum=0.0).step([np.ones(3, dtype=np.float32)])
    assert alias is q and q.dtype == np.float32
    np.testing.assert_array_equal(q, 0.5)


def test_flatten_unflatten_round_trip():
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(3, 2)), rng.normal(size=4), rng.normal(size=(1,))]
    vector = flatten(arrays)
    assert vector.shape == (11,)
    targets = [np.zeros_like(a) for a in arrays]
    unflatten(vector, targets)
    for a, b in zip(arrays, targets, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="vector has 12 entries"):
        unflatten(np.zeros(12), targets)


def test_minibatches_partition_and_seed():
    batches = minibatches(10, 4, np.random.default_rng(0))
    assert [b.size for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches)) == list(range(10))
    again = minibatches(10, 4, np.random.default_rng(0))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again, strict=True))
    assert minibatches(3, 100, np.random.default_rng(0))[0].size == 3


def test_stratified_split_keeps_both_groups():
    groups = np.array([0] * 40 + [1] * 10)
    train_idx, val_idx = stratified_split(groups, 0.2, np.random.default_rng(0))
    assert np.sum(groups[val_idx] == 0) == 8 and np.sum(groups[val_idx] == 1) == 2
    assert np.intersect1d(train_idx, val_idx).size == 0
    assert train_idx.size + val_idx.size == 50
    # tiny: each group keeps one training unit
    train_idx, val_idx = stratified_split(
        np.array([0, 0, 1]), 0.1, np.random.default_rng(0)
    )
    assert val_idx.size == 1 and set(groups[train_idx]) == {0}
    assert set(np.array([0, 0, 1])[train_idx]) == {0, 1}
    assert stratified_split(np.array([0, 1]), 0.5, np.random.default_rng(0)) is None


class _SGD:
    def __init__(self, params, lr):
        self.params, self.lr = params, lr

    def step(self, grads):
        for p, g in zip(self.params, grads, strict=True):
            p -= self.lr * g


def test_early_stopping_restores_best_weights():
    # A constant gradient walks p up by 0.5 per epoch (one batch per epoch); the
    # validation loss (p - 3.2)^2 is smallest at p = 3.0 (epoch 6) and rises after.
    p = np.zeros(1)
    grad = [np.array([-1.0])]
    result = train(
        lambda batch: (0.0, grad),
        [p],
        _SGD([p], 0.5),
        n_samples=4,
        batch_size=4,
        max_iter=100,
        rng=np.random.default_rng(0),
        validation_loss=lambda: float((p[0] - 3.2) ** 2),
        n_iter_no_change=3,
        tol=0.0,
    )
    assert result.best_epoch == 6 and result.n_iter == 9 and result.converged
    assert p[0] == 3.0
    assert result.best_loss == pytest.approx(0.04)
    assert len(result.validation_curve) == 9


def _second_phase(p, gradient, step):
    """A phase entering at ``p`` with the first phase's best loss 0.04 (at 3.0)."""
    return train(
        lambda batch: (0.0, [np.array([gradient])]),
        [p],
        _SGD([p], step),
        n_samples=4,
        batch_size=4,
        max_iter=100,
        rng=np.random.default_rng(0),
        validation_loss=lambda: float((p[0] - 3.2) ** 2),
        n_iter_no_change=3,
        tol=0.0,
        best_loss=0.04,
    )


def test_a_second_phase_keeps_the_entry_weights_unless_beaten():
    # Entering at p = 3.0 with the first phase's best loss 0.04: walking away from
    # 3.2 never beats it, so the entry weights come back and no epoch is "best".
    p = np.array([3.0])
    result = _second_phase(p, 1.0, 0.5)
    assert result.n_iter == 3 and result.best_epoch == 0 and result.converged
    assert p[0] == 3.0 and result.best_loss == pytest.approx(0.04)
    # a smaller step towards 3.2 does beat it: p = 3.1 after one epoch, then 3.2
    result = _second_phase(p, -1.0, 0.1)
    assert result.best_epoch == 2 and p[0] == pytest.approx(3.2)


def test_training_loss_monitor_and_max_iter():
    p = np.zeros(1)
    result = train(
        lambda batch: (float(np.exp(-p[0])), [np.array([-1.0])]),
        [p],
        _SGD([p], 0.1),
        n_samples=2,
        batch_size=1,
        max_iter=5,
        rng=np.random.default_rng(0),
        tol=0.0,
    )
    assert result.n_iter == 5 and not result.converged
    assert p[0] == pytest.approx(1.0)


def test_divergence_restores_last_finite_weights(capsys):
    p = np.ones(1)
    calls = {"n": 0}

    def objective(batch):
        calls["n"] += 1
        loss = np.inf if calls["n"] >= 3 else 1.0
        return loss, [np.array([-1.0])]

    with pytest.warns(RuntimeWarning, match="diverged at epoch 3"):
        result = train(
            objective,
            [p],
            _SGD([p], 1.0),
            n_samples=1,
            batch_size=1,
            max_iter=10,
            rng=np.random.default_rng(0),
            verbose=1,
        )
    assert result.diverged and result.n_iter == 2
    assert p[0] == 3.0  # weights after the last finite epoch
    assert capsys.readouterr().out.count("Epoch") == 2


def test_pack_views_share_one_vector_and_adam_on_it_equals_adam_per_array():
    from skcausal._nn import pack

    rng = np.random.default_rng(0)
    arrays = [
        rng.normal(size=(3, 2)).astype(np.float32),
        rng.normal(size=4).astype(np.float32),
    ]
    vector, views = pack(arrays)
    assert vector.shape == (10,) and vector.dtype == np.float32
    for a, v in zip(arrays, views, strict=True):
        assert v.shape == a.shape and np.shares_memory(v, vector)
        np.testing.assert_array_equal(a, v)
    # Adam is element-wise: one step on the vector equals one step per array
    separate = [a.copy() for a in arrays]
    per_array, flat = (
        Adam(separate, learning_rate=0.01),
        Adam([vector], learning_rate=0.01),
    )
    for _ in range(3):
        grads = [rng.normal(size=a.shape).astype(np.float32) for a in arrays]
        per_array.step(grads)
        flat.step([np.concatenate([g.ravel() for g in grads])])
    for a, v in zip(separate, views, strict=True):
        np.testing.assert_array_equal(a, v)
    with pytest.raises(ValueError, match="one dtype"):
        pack([np.zeros(2), np.zeros(2, dtype=np.float32)])


def test_adam_float32_arithmetic_stays_float32():
    # float32 parameters, float64 gradients: the step is computed in float32 and the
    # moments keep the parameters' dtype
    p = np.ones(4, dtype=np.float32)
    opt = Adam([p], learning_rate=0.1)
    opt.step([np.full(4, 0.5)])
    assert opt.m[0].dtype == opt.v[0].dtype == p.dtype == np.float32
    np.testing.assert_allclose(p, 0.9, rtol=1e-6)


def test_pack_parameters_puts_decayed_arrays_first_and_keeps_alignment():
    from skcausal._nn import pack_parameters

    params = [np.full((2, 2), 1.0), np.full(3, 2.0), np.full((1, 2), 3.0)]
    grads = [np.full_like(p, -v) for p, v in zip(params, (1.0, 2.0, 3.0), strict=True)]
    flat_p, flat_g, n_decay, views_p, views_g = pack_parameters(
        params, grads, [True, False, True]
    )
    assert n_decay == 6
    np.testing.assert_array_equal(flat_p, [1, 1, 1, 1, 3, 3, 2, 2, 2])
    np.testing.assert_array_equal(flat_g, -flat_p)
    for p, g, vp, vg in zip(params, grads, views_p, views_g, strict=True):
        np.testing.assert_array_equal(vp, p)
        np.testing.assert_array_equal(vg, g)
        assert np.shares_memory(vp, flat_p) and np.shares_memory(vg, flat_g)
