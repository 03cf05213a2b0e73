"""Layers of the numpy engine: shapes, seeded initialisation, dtypes, caches."""

import pickle

import numpy as np
import pytest

from skcausal._nn import Activation, Dense, MultiHead, Sequential, make_mlp


def test_dense_initialisation_bounds_and_seed():
    layer = Dense(50, 30, rng=np.random.default_rng(0), init="glorot")
    bound = np.sqrt(6 / 80)
    assert np.abs(layer.W).max() <= bound and np.abs(layer.W).max() > 0.9 * bound
    assert np.all(layer.b == 0)
    he = Dense(50, 30, rng=np.random.default_rng(0), init="he")
    assert np.abs(he.W).max() <= np.sqrt(6 / 50)
    again = Dense(50, 30, rng=np.random.default_rng(0), init="glorot")
    np.testing.assert_array_equal(layer.W, again.W)
    assert layer.decay == [True, False]
    with pytest.raises(ValueError, match="init must be"):
        Dense(2, 2, rng=np.random.default_rng(0), init="lecun")


def test_activation_values():
    z = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_allclose(Activation("relu").forward(z), [[0, 0, 2]])
    np.testing.assert_allclose(Activation("elu").forward(z), [[np.expm1(-1), 0, 2]])
    np.testing.assert_allclose(Activation("identity").forward(z), z)
    np.testing.assert_allclose(Activation("tanh").forward(z), np.tanh(z))
    np.testing.assert_allclose(
        Activation("sigmoid").forward(np.array([[-800.0, 0.0, 800.0]])), [[0, 0.5, 1]]
    )
    with pytest.raises(ValueError, match="activation must be one of"):
        Activation("swish")


def test_mlp_structure_and_parameter_lists():
    net = make_mlp(4, (8, 6), 2, activation="relu", rng=np.random.default_rng(0))
    assert [type(layer).__name__ for layer in net.layers] == [
        "Dense",
        "Activation",
        "Dense",
        "Activation",
        "Dense",
    ]
    assert [p.shape for p in net.params] == [(4, 8), (8,), (8, 6), (6,), (6, 2), (2,)]
    assert all(p.shape == g.shape for p, g in zip(net.params, net.grads, strict=True))
    assert net.forward(np.zeros((3, 4))).shape == (3, 2)
    assert make_mlp(4, (), 1, rng=np.random.default_rng(0)).forward(
        np.ones((2, 4))
    ).shape == (2, 1)


def test_prediction_mode_caches_nothing_and_pickles():
    rng = np.random.default_rng(1)
    net = MultiHead(make_mlp(3, (4,), rng=rng), [make_mlp(4, (), 1, rng=rng)])
    X = rng.normal(size=(5, 3))
    net.forward(X, training=False)
    assert net.representation is None and net.trunk.layers[0]._cache_X is None
    net.forward(X)
    assert net.representation is not None and net.trunk.layers[0]._cache_X is X
    net.clear_cache()
    assert net.representation is None and net.trunk.layers[0]._cache_X is None
    copy = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(
        copy.forward(X, training=False)[0], net.forward(X, training=False)[0]
    )


def test_float32_matches_float64():
    rng = np.random.default_rng(2)
    net64 = make_mlp(6, (20, 20), 1, activation="elu", rng=np.random.default_rng(3))
    net32 = make_mlp(
        6, (20, 20), 1, activation="elu", rng=np.random.default_rng(3), dtype=np.float32
    )
    assert all(p.dtype == np.float32 for p in net32.params)
    for p64, p32 in zip(net64.params, net32.params, strict=True):
        np.testing.assert_allclose(p64, p32, rtol=1e-6)
    X = rng.normal(size=(10, 6))
    out64 = net64.forward(X)
    out32 = net32.forward(X.astype(np.float32))
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32, out64, rtol=1e-4, atol=1e-5)
    R = rng.normal(size=out64.shape)
    gx64, gx32 = net64.backward(R), net32.backward(R.astype(np.float32))
    np.testing.assert_allclose(gx32, gx64, rtol=1e-4, atol=1e-5)
    for g64, g32 in zip(net64.grads, net32.grads, strict=True):
        assert g32.dtype == np.float32
        np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-4)


def test_sequential_of_sequentials_shares_arrays():
    rng = np.random.default_rng(4)
    inner = make_mlp(2, (3,), rng=rng)
    outer = Sequential([inner, Activation("tanh")])
    assert all(a is b for a, b in zip(outer.params, inner.params, strict=True))
    assert all(a is b for a, b in zip(outer.grads, inner.grads, strict=True))


def _two_head_net(seed):
    rng = np.random.default_rng(seed)
    trunk = make_mlp(3, (5, 4), activation="elu", rng=rng)
    return MultiHead(trunk, [make_mlp(4, (3,), 1, rng=rng) for _ in range(2)])


def test_bind_to_packed_views_changes_nothing_but_the_storage():
    from skcausal._nn import pack

    rng = np.random.default_rng(5)
    X, R = rng.normal(size=(6, 3)), [rng.normal(size=(6, 1)) for _ in range(2)]
    reference, packed = _two_head_net(0), _two_head_net(0)
    flat_p, views_p = pack(packed.params)
    flat_g, views_g = pack(packed.grads)
    packed.bind(views_p, views_g)
    # every layer now computes with, and writes its gradients into, the two vectors
    assert all(np.shares_memory(p, flat_p) for p in packed.params)
    assert all(np.shares_memory(g, flat_g) for g in packed.grads)
    dense = packed.heads[1].layers[0]
    assert dense.W is dense.params[0] and np.shares_memory(dense.W, flat_p)
    out_ref, out_packed = reference.forward(X), packed.forward(X)
    for a, b in zip(out_ref, out_packed, strict=True):
        np.testing.assert_array_equal(a, b)
    reference.backward(R)
    packed.backward(R)
    np.testing.assert_array_equal(
        flat_g, np.concatenate([g.ravel() for g in reference.grads])
    )
    # one operation on the vector moves every layer
    flat_p *= 0
    assert not np.any(packed.forward(X)[0])
    with pytest.raises(ValueError, match="expected 2 arrays"):
        Dense(2, 2, rng=rng).bind(views_p[:1], views_g[:1])
    with pytest.raises(
        ValueError, match=r"shape \(5,\) given for an array of shape \(3, 5\)"
    ):
        Dense(3, 5, rng=rng).bind([views_p[1], views_p[1]], views_g[:2])


def test_first_layer_can_skip_the_input_gradient():
    rng = np.random.default_rng(6)
    X, R = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    full, skip = (
        make_mlp(3, (5,), 2, rng=np.random.default_rng(0)),
        make_mlp(3, (5,), 2, rng=np.random.default_rng(0)),
    )
    skip.layers[0].input_grad = False
    full.forward(X)
    skip.forward(X)
    assert full.backward(R).shape == X.shape and skip.backward(R) is None
    for a, b in zip(full.grads, skip.grads, strict=True):
        np.testing.assert_array_equal(a, b)
