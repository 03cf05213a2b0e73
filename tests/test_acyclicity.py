"""Tests for the acyclicity functions h(W) in skcausal._acyclicity."""

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from skcausal._acyclicity import logdet, trace_expm

FUNCTIONS = [trace_expm, logdet]


def _random_dag(rng, d, density=0.5, scale=1.0):
    """Weighted DAG: strictly upper triangular, then nodes randomly relabelled."""
    W = np.triu(
        rng.normal(scale=scale, size=(d, d)) * (rng.random((d, d)) < density), 1
    )
    perm = rng.permutation(d)
    return W[np.ix_(perm, perm)]


def _central_difference(f, W, step=1e-6):
    grad = np.zeros_like(W)
    for idx in np.ndindex(*W.shape):
        E = np.zeros_like(W)
        E[idx] = step
        grad[idx] = (f(W + E) - f(W - E)) / (2 * step)
    return grad


@pytest.mark.parametrize("func", FUNCTIONS)
@pytest.mark.parametrize("scale", [0.01, 0.5, 3.0])
def test_h_is_exactly_zero_on_random_dags(func, scale):
    rng = np.random.default_rng(0)
    for _ in range(30):
        d = int(rng.integers(2, 30))
        W = _random_dag(rng, d, density=rng.random(), scale=scale)
        h, grad = func(W)
        assert h == 0.0
        assert np.all(grad == 0.0)
        assert grad.shape == W.shape


@given(
    d=st.integers(1, 12),
    seed=st.integers(0, 2**32 - 1),
    scale=st.floats(1e-3, 4.0),
)
@settings(max_examples=60, deadline=None)
def test_trace_expm_zero_on_dags_property(d, seed, scale):
    W = _random_dag(np.random.default_rng(seed), d, scale=scale)
    assert trace_expm(W)[0] == 0.0
    assert logdet(W, s=1.0)[0] == 0.0


@pytest.mark.parametrize("a, b", [(1.5, 1.0), (0.3, 0.2), (0.9, -0.4)])
def test_trace_expm_two_cycle_closed_form(a, b):
    # A = W∘W = [[0, a^2], [b^2, 0]] has eigenvalues ±|ab|: tr exp(A) = 2 cosh(ab).
    W = np.array([[0.0, a], [b, 0.0]])
    h, grad = trace_expm(W)
    assert h == pytest.approx(2 * np.cosh(a * b) - 2, rel=1e-12)
    # d/da (2 cosh(ab)) = 2 b sinh(ab)
    assert grad[0, 1] == pytest.approx(2 * b * np.sinh(a * b), rel=1e-10)
    assert grad[1, 0] == pytest.approx(2 * a * np.sinh(a * b), rel=1e-10)


@pytest.mark.parametrize("s", [1.0, 2.5])
def test_logdet_two_cycle_closed_form(s):
    a, b = 0.6, -0.8
    W = np.array([[0.0, a], [b, 0.0]])
    h, grad = logdet(W, s=s)
    # det(sI - A) = s^2 - a^2 b^2
    assert h == pytest.approx(-np.log(s**2 - (a * b) ** 2) + 2 * np.log(s), rel=1e-12)
    expected = 2 * a * b**2 / (s**2 - (a * b) ** 2)
    assert grad[0, 1] == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("func", FUNCTIONS)
def test_positive_on_cycles_and_self_loops(func):
    chain = np.diag([0.8, -0.7, 0.5], k=1)  # 0 -> 1 -> 2 -> 3
    assert func(chain)[0] == 0.0
    cyclic = chain.copy()
    cyclic[3, 0] = 0.6  # closes 0 -> 1 -> 2 -> 3 -> 0
    assert func(cyclic)[0] > 0
    loop = np.zeros((3, 3))
    loop[1, 1] = 0.5
    assert func(loop)[0] > 0


def test_trace_expm_matches_dense_formula_on_cyclic_matrices():
    rng = np.random.default_rng(1)
    for d in (2, 5, 20):
        W = rng.normal(scale=0.4, size=(d, d))
        h, grad = trace_expm(W)
        E = scipy.linalg.expm(W * W)
        assert h == pytest.approx(np.trace(E) - d, rel=1e-12)
        np.testing.assert_allclose(grad, E.T * 2 * W, rtol=1e-12)


def test_logdet_matches_dense_formula_on_cyclic_matrices():
    rng = np.random.default_rng(2)
    d, s = 6, 1.5
    W = rng.uniform(-0.3, 0.3, size=(d, d))
    h, grad = logdet(W, s=s)
    M = s * np.eye(d) - W * W
    assert h == pytest.approx(-np.log(np.linalg.det(M)) + d * np.log(s), rel=1e-12)
    np.testing.assert_allclose(grad, 2 * W * np.linalg.inv(M).T, rtol=1e-12)


@pytest.mark.parametrize("func", FUNCTIONS)
def test_gradients_match_central_differences(func):
    rng = np.random.default_rng(3)
    for d in (2, 4, 7):
        W = rng.uniform(-0.35, 0.35, size=(d, d))
        _, grad = func(W)
        numeric = _central_difference(lambda V: func(V)[0], W)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_logdet_rejects_points_outside_the_m_matrix_domain():
    W = np.array([[0.0, 1.2], [1.1, 0.0]])  # spectral radius of W∘W is 1.32 > s = 1
    with pytest.raises(ValueError, match="M-matrix"):
        logdet(W, s=1.0)
    h, _ = logdet(W, s=2.0)  # inside the domain for a larger s
    assert h > 0
    # Two large 2-cycles: det(sI - A) > 0 but sI - A is not an M-matrix.
    W2 = scipy.linalg.block_diag(W, W)
    assert np.linalg.det(np.eye(4) - W2 * W2) > 0
    with pytest.raises(ValueError, match="M-matrix"):
        logdet(W2, s=1.0)
    with pytest.raises(ValueError, match="s must be positive"):
        logdet(W, s=0.0)


@pytest.mark.parametrize("func", FUNCTIONS)
def test_rejects_non_square_input(func):
    with pytest.raises(ValueError, match="square"):
        func(np.zeros((2, 3)))


def test_trace_expm_overflow_gives_infinity_without_warnings():
    W = np.array([[0.0, 40.0], [40.0, 0.0]])
    with np.errstate(all="raise"):
        h, grad = trace_expm(W)
    assert h == np.inf
    assert np.all(np.isfinite(grad))


def test_tiny_weights_whose_square_underflows_are_no_edges():
    W = np.array([[0.0, 1e-200], [1e-200, 0.0]])
    assert trace_expm(W)[0] == 0.0
