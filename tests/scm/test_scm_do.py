"""StructuralCausalModel rung 2: do(), interventional means and average effects."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from skcausal.datasets import make_linear_sem
from skcausal.effects import TLearner
from skcausal.scm._scm import StructuralCausalModel


@pytest.fixture(scope="module")
def sem():
    X, W = make_linear_sem(
        n_samples=20_000, n_nodes=5, edges_per_node=1.5, random_state=1
    )
    return X, W, StructuralCausalModel(W != 0, random_state=0).fit(X)


def _fitted_linear_sem(scm):
    d = scm.n_features_in_
    B, c = np.zeros((d, d)), scm.mean_.copy()
    for j, model in enumerate(scm.mechanisms_):
        if model is not None:
            B[np.flatnonzero(scm.adjacency_matrix_[:, j]), j] = model.coef_
            c[j] = model.intercept_
    return B, c


def test_interventional_means_equal_the_total_effects(sem):
    X, W, scm = sem
    d = W.shape[0]
    total = np.linalg.inv(np.eye(d) - W)  # total[s, t]: sum over paths s ~> t
    n = 20_000
    for s in range(d):
        samples = scm.interventional_samples({s: 2.0}, n_samples=n, random_state=s)
        assert np.all(samples[:, s] == 2.0)
        # The noises have mean zero, so E[X | do(X_s = 2)] = 2 * total[s]. Tolerance:
        # 4 Monte Carlo standard errors plus 2 % for the estimated coefficients.
        error = np.abs(samples.mean(axis=0) - 2.0 * total[s])
        bound = 4 * samples.std(axis=0) / np.sqrt(n) + 0.02 * (1 + np.abs(2 * total[s]))
        assert np.all(error <= bound), (s, error, bound)
        mean = scm.interventional_mean(d - 1, {s: 2.0}, n_samples=n, random_state=s)
        assert mean == pytest.approx(samples[:, d - 1].mean())


def test_interventional_mean_matches_the_fitted_linear_sem(sem):
    # Against the closed form of the *fitted* model only Monte Carlo error remains.
    X, W, scm = sem
    B, c = _fitted_linear_sem(scm)
    s, n = 2, 40_000
    B_mut, c_mut = B.copy(), c.copy()
    B_mut[:, s], c_mut[s] = 0.0, -1.0
    expected = c_mut @ np.linalg.inv(np.eye(5) - B_mut)
    samples = scm.interventional_samples({s: -1.0}, n_samples=n, random_state=0)
    error = np.abs(samples.mean(axis=0) - expected)
    assert np.all(error <= 4 * samples.std(axis=0) / np.sqrt(n) + 1e-12)


def test_average_causal_effect_is_the_total_effect(sem):
    X, W, scm = sem
    B, _ = _fitted_linear_sem(scm)
    total_fitted = np.linalg.inv(np.eye(5) - B)
    total_true = np.linalg.inv(np.eye(5) - W)
    for s in range(5):
        for t in range(5):
            ace = scm.average_causal_effect(s, t, values=(1.0, 3.0), n_samples=500)
            # Common random numbers: with linear mechanisms the noise cancels exactly.
            assert ace == pytest.approx(2.0 * total_fitted[s, t], abs=1e-9)
            assert ace == pytest.approx(
                2.0 * total_true[s, t], abs=0.05 + 0.02 * abs(ace)
            )


def test_average_causal_effect_matches_a_meta_learner():
    # Binary treatment t confounded by z1, z2; outcome y. True ATE = 2.
    rng = np.random.default_rng(0)
    n = 4000
    z1, z2 = rng.normal(size=n), rng.normal(size=n)
    t = (rng.uniform(size=n) < 1 / (1 + np.exp(-(0.8 * z1 - 0.5 * z2)))).astype(float)
    y = 2.0 * t + 1.0 * z1 + 0.5 * z2 + rng.normal(size=n)
    data = pd.DataFrame({"z1": z1, "z2": z2, "t": t, "y": y})
    graph = np.zeros((4, 4))
    graph[[0, 1, 0, 1, 2], [2, 2, 3, 3, 3]] = 1  # z -> t, z -> y, t -> y
    scm = StructuralCausalModel(
        graph, mechanisms={"t": LogisticRegression()}, random_state=0
    ).fit(data)
    ace = scm.average_causal_effect("t", "y", values=(0, 1))
    learner = TLearner(model_y=LinearRegression(), model_t=LogisticRegression())
    ate = learner.fit(data[["z1", "z2"]], y, treatment=t).ate(data[["z1", "z2"]])
    naive = y[t == 1].mean() - y[t == 0].mean()
    assert abs(ace - ate) < 0.03
    assert abs(ace - 2.0) < 0.1
    assert abs(naive - 2.0) > 0.3  # confounding: adjustment is what makes them agree


def test_do_returns_a_new_model_and_leaves_the_original_alone(sem):
    X, W, scm = sem
    before = scm.sample(200, random_state=3)
    adjacency = scm.adjacency_matrix_.copy()
    parents_of_2 = np.flatnonzero(W[:, 2])
    assert parents_of_2.size  # the intervened node has parents to cut
    intervened = scm.do({2: 1.5})
    assert intervened is not scm
    assert scm.interventions_ == {}
    np.testing.assert_array_equal(scm.adjacency_matrix_, adjacency)
    np.testing.assert_array_equal(scm.sample(200, random_state=3), before)
    assert intervened.interventions_ == {2: 1.5}
    assert not intervened.adjacency_matrix_[:, 2].any()
    samples = intervened.sample(1000, random_state=0)
    assert np.all(samples[:, 2] == 1.5)
    # The model's own interventions are kept by interventional queries and by do().
    expected = scm.interventional_mean(4, {2: 1.5, 0: -1.0}, random_state=1)
    assert intervened.interventional_mean(4, {0: -1.0}, random_state=1) == expected
    again = intervened.do({0: -1.0})
    assert again.interventions_ == {2: 1.5, 0: -1.0}
    assert intervened.interventions_ == {2: 1.5}
    # predict of an intervened node returns the intervention's value.
    np.testing.assert_array_equal(intervened.predict(X[:5])[:, 2], 1.5)


def test_interventions_by_name_array_and_callable():
    rng = np.random.default_rng(1)
    a = rng.normal(size=3000)
    b = 2.0 * a + rng.normal(size=3000)
    c = -1.0 * b + 1.0 + rng.normal(size=3000)
    df = pd.DataFrame({"a": a, "b": b, "c": c})
    chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    scm = StructuralCausalModel(chain, random_state=0).fit(df)
    slope, intercept = scm.mechanisms_[2].coef_[0], scm.mechanisms_[2].intercept_
    # Per-sample values: one per drawn sample.
    values = np.linspace(-1, 1, 400)
    samples = scm.interventional_samples({"b": values}, n_samples=400)
    np.testing.assert_array_equal(samples[:, 1], values)
    # A soft intervention b := 3 a, a function of b's parents.
    soft = scm.do({"b": lambda parents: 3.0 * parents[:, 0]})
    assert soft.adjacency_matrix_[0, 1] == 1.0  # a soft intervention keeps the edges
    assert scm.do({"b": 1.0}).adjacency_matrix_[0, 1] == 0.0
    resoftened = scm.do({"b": 1.0}).do({"b": lambda parents: parents[:, 0]})
    np.testing.assert_array_equal(resoftened.adjacency_matrix_, chain)
    samples = soft.sample(20_000)
    np.testing.assert_allclose(samples[:, 1], 3.0 * samples[:, 0])
    expected = intercept + slope * 3.0 * a.mean()
    assert samples[:, 2].mean() == pytest.approx(expected, abs=0.1)
    # An intervention on a root only shifts its descendants.
    assert scm.average_causal_effect("a", "c", values=(0, 1)) == pytest.approx(
        slope * scm.mechanisms_[1].coef_[0]
    )
    assert scm.average_causal_effect("c", "a") == pytest.approx(0.0, abs=1e-12)


def test_intervention_on_a_discrete_node():
    rng = np.random.default_rng(2)
    z = rng.normal(size=3000)
    t = (rng.uniform(size=3000) < 1 / (1 + np.exp(-2 * z))).astype(float)
    y = 1.5 * t + z + rng.normal(size=3000)
    X = np.column_stack([z, t, y])
    fork = np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]])
    scm = StructuralCausalModel(fork, mechanisms={1: LogisticRegression()}).fit(X)
    assert scm.average_causal_effect(1, 2) == pytest.approx(1.5, abs=0.1)
    # Intervening upstream of the discrete node changes its distribution.
    high = scm.interventional_mean(1, {0: 2.0}, random_state=0)
    low = scm.interventional_mean(1, {0: -2.0}, random_state=0)
    assert high > 0.9 and low < 0.1
    with pytest.raises(ValueError, match=r"discrete .* classes \[0.0, 1.0\].*0.5"):
        scm.do({1: 0.5})
    with pytest.raises(ValueError, match="cannot be set to the value 2.0"):
        scm.interventional_samples({1: [0.0, 2.0]}, n_samples=2)
    with pytest.raises(ValueError, match="discrete"):
        scm.interventional_samples({1: lambda parents: parents[:, 0]}, n_samples=5)


def test_bad_interventions(sem):
    X, W, scm = sem
    with pytest.raises(ValueError, match="unknown variable 7"):
        scm.do({7: 1.0})
    with pytest.raises(ValueError, match="is a name, but the model was fitted"):
        scm.interventional_mean(0, {"x1": 1.0})
    with pytest.raises(ValueError, match="unknown variable 9 .target."):
        scm.interventional_mean(9, {0: 1.0})
    with pytest.raises(TypeError, match="interventions must be a dict"):
        scm.do([(0, 1.0)])
    with pytest.raises(TypeError, match="must be a number, a 1-D array or a callable"):
        scm.do({0: "high"})
    with pytest.raises(ValueError, match="NaN or inf"):
        scm.do({0: np.nan})
    with pytest.raises(ValueError, match="shape"):
        scm.do({0: np.ones((2, 2))})
    with pytest.raises(ValueError, match="has 3 values but 10 samples"):
        scm.interventional_samples({0: [1.0, 2.0, 3.0]}, n_samples=10)
    with pytest.raises(ValueError, match=r"returned shape \(10, 2\)"):
        scm.interventional_samples({0: lambda p: np.ones((10, 2))}, n_samples=10)
    with pytest.raises(ValueError, match="values must be a pair"):
        scm.average_causal_effect(0, 1, values=(0, 1, 2))
    with pytest.raises(TypeError, match="source must be a column name"):
        scm.average_causal_effect(1.5, 1)
    df = pd.DataFrame(X, columns=list("abcde"))
    named = StructuralCausalModel(W != 0).fit(df)
    with pytest.raises(ValueError, match=r"unknown variable 'q'.*\['a', 'b'"):
        named.do({"q": 1.0})
    with pytest.raises(ValueError, match="intervened on twice"):
        named.do({"a": 1.0, 0: 2.0})
