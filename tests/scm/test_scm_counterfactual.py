"""StructuralCausalModel rung 3: counterfactuals by abduction, action, prediction."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures

from skcausal.datasets import make_dag, make_linear_sem
from skcausal.graph import descendants
from skcausal.scm._scm import StructuralCausalModel


@pytest.fixture(scope="module")
def sem():
    X, W = make_linear_sem(
        n_samples=20_000, n_nodes=6, edges_per_node=1.5, random_state=4
    )
    return X, W, StructuralCausalModel(W != 0).fit(X)


def _linear_counterfactual(X, B, c, interventions):
    """Closed form: x = c + x B + e  =>  x_cf = (c' + e') (I - B')^-1, where an
    intervened column s has B'[:, s] = 0, c'[s] = v_s and e'[s] = 0."""
    noise = X - c - X @ B
    B_mut, shift = B.copy(), np.tile(c, (X.shape[0], 1)) + noise
    for s, value in interventions.items():
        B_mut[:, s] = 0.0
        shift[:, s] = value
    return shift @ np.linalg.inv(np.eye(B.shape[0]) - B_mut)


def _fitted_linear_sem(scm):
    d = scm.n_features_in_
    B, c = np.zeros((d, d)), scm.mean_.copy()
    for j, model in enumerate(scm.mechanisms_):
        if model is not None:
            B[np.flatnonzero(scm.adjacency_matrix_[:, j]), j] = model.coef_
            c[j] = model.intercept_
    return B, c


@pytest.mark.parametrize(
    "interventions",
    [{0: 1.0}, {2: -3.0}, {1: 0.5, 4: 2.0}, {3: "per-sample"}],
    ids=["root", "inner", "two-nodes", "per-sample"],
)
def test_counterfactual_is_exact_for_a_linear_sem(sem, interventions):
    X, W, scm = sem
    observed = X[:200]
    if "per-sample" in interventions.values():
        interventions = {3: np.linspace(-2, 2, 200)}
    B, c = _fitted_linear_sem(scm)
    counterfactual = scm.counterfactual(observed, interventions)
    expected = _linear_counterfactual(observed, B, c, interventions)
    np.testing.assert_allclose(counterfactual, expected, rtol=0, atol=1e-8)
    # Nodes that are neither intervened on nor downstream keep their observed values.
    changed = set(interventions)
    for s in interventions:
        changed |= set(descendants(W, s).tolist())
    same = [j for j in range(6) if j not in changed]
    np.testing.assert_array_equal(counterfactual[:, same], observed[:, same])


def test_counterfactual_agrees_with_the_true_sem(sem):
    # The true SEM has no intercepts; its counterfactual differs from the fitted one
    # only through the estimation error of the weights (n = 20 000).
    X, W, scm = sem
    observed = X[:200]
    counterfactual = scm.counterfactual(observed, {2: 1.0})
    truth = _linear_counterfactual(observed, W, np.zeros(6), {2: 1.0})
    scale = 1 + np.abs(truth)
    assert np.max(np.abs(counterfactual - truth) / scale) < 0.05


def test_consistency_and_noise_preservation_for_nonlinear_mechanisms():
    rng = np.random.default_rng(0)
    n = 1500
    a = rng.normal(size=n)
    b = np.sin(2 * a) + 0.3 * rng.normal(size=n)
    c = b**2 - a + 0.3 * rng.normal(size=n)
    X = np.column_stack([a, b, c])
    graph = np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]])
    scm = StructuralCausalModel(
        graph,
        mechanisms={
            1: RandomForestRegressor(n_estimators=10, max_depth=5),
            2: make_pipeline(PolynomialFeatures(2), LinearRegression()),
        },
        random_state=0,
    ).fit(X)
    # Setting a node to its observed value changes nothing (consistency).
    np.testing.assert_allclose(scm.counterfactual(X, {1: X[:, 1]}), X, atol=1e-9)
    np.testing.assert_array_equal(scm.counterfactual(X, {}), X)
    # Every non-intervened node keeps its own abducted noise.
    counterfactual = scm.counterfactual(X, {0: 1.0})
    np.testing.assert_allclose(
        scm.transform(counterfactual)[:, 1:], scm.transform(X)[:, 1:], atol=1e-9
    )
    assert np.all(counterfactual[:, 0] == 1.0)


def test_discrete_nodes_in_counterfactuals():
    rng = np.random.default_rng(2)
    z = rng.normal(size=2000)
    t = (rng.uniform(size=2000) < 1 / (1 + np.exp(-2 * z))).astype(float)
    y = 1.5 * t + z + rng.normal(size=2000)
    df = pd.DataFrame({"z": z, "t": t, "y": y})
    fork = np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]])
    scm = StructuralCausalModel(fork, mechanisms={"t": LogisticRegression()}).fit(df)
    # Intervening on the discrete node itself: y downstream is additive, identified.
    treated = scm.counterfactual(df.iloc[:50], {"t": 1})
    control = scm.counterfactual(df.iloc[:50], {"t": 0})
    slope_t = scm.mechanisms_[2].coef_[1]
    np.testing.assert_allclose(treated[:, 2] - control[:, 2], slope_t, atol=1e-10)
    # A discrete node downstream of the intervention is not identified.
    with pytest.raises(ValueError, match="node 't' is not identified: it is discrete"):
        scm.counterfactual(df.iloc[:50], {"z": 0.0})
    with pytest.raises(ValueError, match="discrete"):
        scm.counterfactual(df.iloc[:50], {"t": 0.3})


def test_counterfactual_bad_input(sem):
    X, W, scm = sem
    with pytest.raises(ValueError, match="X has 5 features, but StructuralCausalModel"):
        scm.counterfactual(X[:5, :5], {0: 1.0})
    bad = X[:5].copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        scm.counterfactual(bad, {0: 1.0})
    with pytest.raises(ValueError, match="has 3 values but 5 samples"):
        scm.counterfactual(X[:5], {0: [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="unknown variable 6"):
        scm.counterfactual(X[:5], {6: 1.0})


@settings(max_examples=15, deadline=None)
@given(
    n_nodes=st.integers(1, 5),
    seed=st.integers(0, 10_000),
    mechanism=st.sampled_from(["linear", "forest"]),
)
def test_transform_inverse_transform_is_the_identity(n_nodes, seed, mechanism):
    graph = make_dag(n_nodes, edges_per_node=1.5, random_state=seed)
    X, _ = make_linear_sem(
        n_samples=60, adjacency=graph, noise="uniform", random_state=seed
    )
    mechanisms = (
        None if mechanism == "linear" else RandomForestRegressor(n_estimators=3)
    )
    scm = StructuralCausalModel(graph, mechanisms=mechanisms, random_state=seed).fit(X)
    np.testing.assert_allclose(scm.inverse_transform(scm.transform(X)), X, atol=1e-9)
    new = np.random.default_rng(seed).normal(size=(10, n_nodes))
    np.testing.assert_allclose(
        scm.transform(scm.inverse_transform(new)), new, atol=1e-9
    )
