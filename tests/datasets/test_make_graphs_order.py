"""Tests for make_linear_sem's noise variances ordered along the causal order."""

import numpy as np
import pytest

from skcausal.datasets._graphs import _topological_order, make_linear_sem
from skcausal.metrics._varsortability import varsortability


def _sem(**kwargs):
    params = {
        "n_samples": 2000,
        "n_nodes": 8,
        "edges_per_node": 1.5,
        "equal_variances": False,
        "return_noise_scale": True,
        "random_state": 0,
    }
    params.update(kwargs)
    return make_linear_sem(**params)


def test_default_is_unchanged():
    X, W, scale = _sem()
    X_r, W_r, scale_r = _sem(variance_order="random")
    np.testing.assert_array_equal(X, X_r)
    np.testing.assert_array_equal(scale, scale_r)
    # Equal variances are untouched by the new parameters.
    X_eq, _ = make_linear_sem(n_samples=50, n_nodes=4, random_state=1)
    X_eq2, _ = make_linear_sem(
        n_samples=50, n_nodes=4, noise_scale_range=(0.1, 9.0), random_state=1
    )
    np.testing.assert_array_equal(X_eq, X_eq2)


@pytest.mark.parametrize("variance_order", ["decreasing", "increasing"])
def test_noise_scales_are_sorted_along_the_causal_order(variance_order):
    _, W, random_scale = _sem()
    _, W_o, scale = _sem(variance_order=variance_order)
    np.testing.assert_array_equal(W, W_o)  # same graph and weights
    np.testing.assert_allclose(np.sort(scale), np.sort(random_scale))  # same draws
    along_order = scale[_topological_order(W)]
    step = np.diff(along_order)
    if variance_order == "decreasing":
        assert np.all(step <= 0)
    else:
        assert np.all(step >= 0)


def test_noise_has_the_reported_scales():
    X, W, scale = _sem(variance_order="decreasing", n_samples=20000)
    residual = X - X @ W
    np.testing.assert_allclose(residual.std(axis=0), scale, rtol=0.03)


def test_noise_scale_range():
    _, _, scale = _sem(noise_scale_range=(2.0, 3.0), noise_scale=2.0)
    assert np.all((scale >= 4.0) & (scale <= 6.0))
    _, _, fixed = _sem(noise_scale_range=(1.0, 1.0))
    np.testing.assert_allclose(fixed, 1.0)


def test_decreasing_order_lowers_varsortability():
    decreasing, increasing = [], []
    for seed in range(5):
        for order, store in (("decreasing", decreasing), ("increasing", increasing)):
            X, W, _ = _sem(
                variance_order=order,
                noise_scale_range=(0.2, 3.0),
                weight_range=(0.3, 0.8),
                random_state=seed,
            )
            store.append(varsortability(X, W))
    assert np.mean(decreasing) < np.mean(increasing) - 0.2


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"variance_order": "sorted"}, ValueError, "variance_order"),
        (
            {"variance_order": "decreasing", "equal_variances": True},
            ValueError,
            "equal",
        ),
        ({"noise_scale_range": (0.0, 1.0)}, ValueError, "noise_scale_range"),
        ({"noise_scale_range": (2.0, 1.0)}, ValueError, "noise_scale_range"),
        ({"noise_scale_range": "wide"}, ValueError, "noise_scale_range"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        _sem(**kwargs)
