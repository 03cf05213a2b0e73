"""StructuralCausalModel: graph forms, fitting, rung-1 methods and bad input."""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.svm import SVC

from skcausal.datasets import make_linear_sem
from skcausal.discovery import NOTEARS, PC
from skcausal.metrics import structural_hamming_distance
from skcausal.scm._scm import StructuralCausalModel

CHAIN = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])


@pytest.fixture(scope="module")
def chain_data():
    rng = np.random.default_rng(0)
    x0 = rng.normal(size=1000)
    x1 = 2.0 * x0 + rng.normal(size=1000)
    x2 = -1.5 * x1 + 0.5 + rng.normal(size=1000)
    return np.column_stack([x0, x1, x2])


@pytest.fixture(scope="module")
def sem():
    X, W = make_linear_sem(
        n_samples=5000, n_nodes=5, edges_per_node=1.5, random_state=1
    )
    return X, W


def _linear_coefficients(scm):
    """Fitted ``B`` (B[i, j]: weight of i in j's equation) and intercepts ``c``."""
    d = scm.n_features_in_
    B, c = np.zeros((d, d)), scm.mean_.copy()
    for j, model in enumerate(scm.mechanisms_):
        if model is not None:
            B[np.flatnonzero(scm.adjacency_matrix_[:, j]), j] = model.coef_
            c[j] = model.intercept_
    return B, c


# ----------------------------------------------------------------------------------
# Graph forms
# ----------------------------------------------------------------------------------
def test_array_graph_gives_linear_mechanisms(chain_data):
    scm = StructuralCausalModel(CHAIN).fit(chain_data)
    np.testing.assert_array_equal(scm.adjacency_matrix_, CHAIN)
    np.testing.assert_array_equal(scm.causal_order_, [0, 1, 2])
    assert scm.mechanisms_[0] is None
    assert isinstance(scm.mechanisms_[1], LinearRegression)
    np.testing.assert_allclose(scm.mechanisms_[1].coef_, [2.0], atol=0.1)
    np.testing.assert_allclose(scm.mechanisms_[2].coef_, [-1.5], atol=0.05)
    assert scm.graph_estimator_ is None
    assert scm.interventions_ == {}
    assert not scm.is_discrete_.any()


def test_networkx_graph_matches_array_graph(chain_data):
    nx = pytest.importorskip("networkx")
    by_array = StructuralCausalModel(CHAIN, random_state=0).fit(chain_data)
    # Integer nodes for an array, listed in a different order than the columns.
    graph = nx.DiGraph([(1, 2), (0, 1)])
    by_nx = StructuralCausalModel(graph, random_state=0).fit(chain_data)
    np.testing.assert_array_equal(by_nx.adjacency_matrix_, CHAIN)
    np.testing.assert_array_equal(by_nx.sample(50), by_array.sample(50))
    # Column names for a DataFrame.
    df = pd.DataFrame(chain_data, columns=["a", "b", "c"])
    named = StructuralCausalModel(nx.DiGraph([("a", "b"), ("b", "c")])).fit(df)
    np.testing.assert_array_equal(named.adjacency_matrix_, CHAIN)
    np.testing.assert_array_equal(named.feature_names_in_, ["a", "b", "c"])
    assert list(named.to_networkx().edges) == [("a", "b"), ("b", "c")]


def test_unfitted_discovery_estimator_learns_the_parents(chain_data):
    template = NOTEARS()
    scm = StructuralCausalModel(template).fit(chain_data)
    np.testing.assert_array_equal(scm.adjacency_matrix_, CHAIN)
    assert isinstance(scm.graph_estimator_, NOTEARS)
    assert scm.graph_estimator_ is not template
    assert not hasattr(template, "adjacency_matrix_")  # the parameter is untouched


def test_default_graph_is_learned(sem):
    X, W = sem
    scm = StructuralCausalModel().fit(X)
    assert structural_hamming_distance(W, scm.adjacency_matrix_) <= 1
    assert set(np.unique(scm.adjacency_matrix_)) <= {0.0, 1.0}
    assert type(scm.graph_estimator_).__name__ == "DAGMA"


def test_single_column_needs_no_discovery():
    X = np.random.default_rng(0).normal(size=(20, 1))
    scm = StructuralCausalModel().fit(X)
    np.testing.assert_array_equal(scm.adjacency_matrix_, [[0.0]])
    assert scm.graph_estimator_ is None


# ----------------------------------------------------------------------------------
# Rung 1
# ----------------------------------------------------------------------------------
def test_predict_applies_the_structural_equations(sem):
    X, W = sem
    scm = StructuralCausalModel(W != 0).fit(X)
    B, c = _linear_coefficients(scm)
    np.testing.assert_allclose(scm.predict(X[:100]), X[:100] @ B + c, atol=1e-10)
    roots = np.flatnonzero(~(W != 0).any(axis=0))
    np.testing.assert_allclose(
        scm.predict(X[:3])[:, roots], np.tile(X.mean(0)[roots], (3, 1))
    )


def test_transform_inverse_transform_round_trip(sem):
    X, W = sem
    scm = StructuralCausalModel(W != 0).fit(X)
    noise = scm.transform(X)
    np.testing.assert_allclose(noise, scm.residuals_, atol=1e-12)
    np.testing.assert_allclose(scm.inverse_transform(noise), X, atol=1e-9)
    # Nonlinear additive-noise mechanisms round-trip too.
    forest = StructuralCausalModel(
        W != 0, mechanisms=RandomForestRegressor(n_estimators=5), random_state=0
    ).fit(X[:500])
    np.testing.assert_allclose(
        forest.inverse_transform(forest.transform(X[:200])), X[:200], atol=1e-9
    )
    names = StructuralCausalModel(CHAIN).fit(
        pd.DataFrame(X[:, :3], columns=list("abc"))
    )
    assert list(names.get_feature_names_out()) == ["noise_a", "noise_b", "noise_c"]


def test_sample_reproduces_means_and_covariance(sem):
    X, W = sem
    scm = StructuralCausalModel(W != 0, random_state=0).fit(X)
    samples = scm.sample(50_000)
    assert samples.shape == (50_000, 5)
    scale = X.std(axis=0)
    np.testing.assert_allclose(samples.mean(0), X.mean(0), atol=0.03 * scale.max())
    cov_data, cov_model = np.cov(X, rowvar=False), np.cov(samples, rowvar=False)
    relative = np.linalg.norm(cov_model - cov_data) / np.linalg.norm(cov_data)
    assert relative < 0.05
    # Reproducible: the model's random_state is the default generator.
    np.testing.assert_array_equal(scm.sample(10), scm.sample(10))
    assert not np.array_equal(scm.sample(10, random_state=1), scm.sample(10))


def test_score_is_the_gaussian_residual_log_likelihood(sem):
    X, W = sem
    train, test = X[:4000], X[4000:]
    scm = StructuralCausalModel(W != 0).fit(train)
    residual = test - scm.predict(test)
    variance = scm.noise_variance_
    expected = -0.5 * (np.log(2 * np.pi * variance) + residual**2 / variance)
    np.testing.assert_allclose(scm.score_samples(test), expected.sum(axis=1))
    assert scm.score(test) == pytest.approx(expected.sum(axis=1).mean())
    np.testing.assert_allclose(variance, scm.residuals_.var(axis=0))
    # The true graph explains held-out data better than no graph at all.
    empty = StructuralCausalModel(np.zeros((5, 5))).fit(train)
    assert scm.score(test) > empty.score(test) + 0.5


def test_results_do_not_depend_on_n_jobs(sem):
    X, W = sem
    # Threads keep the test fast; the per-node seeds are what makes n_jobs irrelevant.
    with joblib.parallel_config(backend="threading"):
        fits = [
            StructuralCausalModel(
                W != 0,
                mechanisms=RandomForestRegressor(n_estimators=5, max_depth=4),
                n_jobs=n_jobs,
                random_state=0,
            ).fit(X[:400])
            for n_jobs in (1, 2)
        ]
    np.testing.assert_array_equal(fits[0].transform(X[:50]), fits[1].transform(X[:50]))
    np.testing.assert_array_equal(fits[0].sample(30), fits[1].sample(30))


def test_mechanisms_dict_by_name_and_per_node_clones(chain_data):
    df = pd.DataFrame(chain_data, columns=["a", "b", "c"])
    ridge = Ridge(alpha=1e4)
    scm = StructuralCausalModel(CHAIN, mechanisms={"c": ridge}).fit(df)
    assert isinstance(scm.mechanisms_[1], LinearRegression)
    assert isinstance(scm.mechanisms_[2], Ridge)
    assert scm.mechanisms_[2] is not ridge and not hasattr(ridge, "coef_")
    # The strong ridge shrinks the c-equation's slope.
    assert abs(scm.mechanisms_[2].coef_[0]) < 1.0


def test_clone_gridsearch_and_cross_validation(chain_data):
    scm = StructuralCausalModel(CHAIN, mechanisms=Ridge())
    assert clone(scm).get_params()["mechanisms__alpha"] == 1.0
    search = GridSearchCV(
        scm,
        {"mechanisms__alpha": [1e-3, 1e5]},
        cv=KFold(3, shuffle=True, random_state=0),
    ).fit(chain_data)
    # A huge ridge penalty flattens the mechanisms: worse held-out likelihood.
    assert search.best_params_ == {"mechanisms__alpha": 1e-3}
    assert np.isfinite(search.best_score_)
    scores = cross_val_score(StructuralCausalModel(NOTEARS()), chain_data, cv=3)
    assert scores.shape == (3,) and np.isfinite(scores).all()


# ----------------------------------------------------------------------------------
# Discrete nodes
# ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def discrete_data():
    rng = np.random.default_rng(2)
    z = rng.normal(size=3000)
    t = (rng.uniform(size=3000) < 1 / (1 + np.exp(-2 * z))).astype(float)
    y = 1.5 * t + z + rng.normal(size=3000)
    return pd.DataFrame({"z": z, "t": t, "y": y})


FORK = np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]])


def test_classifier_marks_a_discrete_node(discrete_data):
    scm = StructuralCausalModel(
        FORK, mechanisms={"t": LogisticRegression()}, random_state=0
    ).fit(discrete_data)
    np.testing.assert_array_equal(scm.is_discrete_, [False, True, False])
    np.testing.assert_array_equal(scm.node_classes_[1], [0.0, 1.0])
    assert np.isnan(scm.residuals_[:, 1]).all() and np.isnan(scm.noise_variance_[1])
    samples = scm.sample(20_000)
    assert set(np.unique(samples[:, 1])) == {0.0, 1.0}
    assert samples[:, 1].mean() == pytest.approx(discrete_data["t"].mean(), abs=0.02)
    # P(t = 1 | z) follows the classifier: treated units have larger z.
    assert samples[samples[:, 1] == 1, 0].mean() > samples[samples[:, 1] == 0, 0].mean()
    # Round trip through the uniform noise of the discrete node.
    X = discrete_data.iloc[:300]
    np.testing.assert_allclose(
        scm.inverse_transform(scm.transform(X)), X.to_numpy(), atol=1e-9
    )
    assert set(np.unique(scm.predict(X)[:, 1])) <= {0.0, 1.0}
    # score: log P(t | z) from the classifier plus Gaussian terms for z and y.
    values = X.to_numpy()
    proba = scm.mechanisms_[1].predict_proba(values[:, :1])
    expected = np.log(proba[np.arange(300), values[:, 1].astype(int)])
    prediction = scm.predict(X)
    for j in (0, 2):
        variance = scm.noise_variance_[j]
        residual = values[:, j] - prediction[:, j]
        expected -= 0.5 * (np.log(2 * np.pi * variance) + residual**2 / variance)
    np.testing.assert_allclose(scm.score_samples(X), expected)
    assert np.isfinite(scm.score(X))


def test_discrete_root_uses_its_frequencies():
    rng = np.random.default_rng(3)
    t = (rng.uniform(size=2000) < 0.3).astype(float)
    y = 2.0 * t + rng.normal(size=2000)
    X = np.column_stack([t, y])
    scm = StructuralCausalModel(
        np.array([[0, 1], [0, 0]]), mechanisms={0: LogisticRegression()}, random_state=0
    ).fit(X)
    assert scm.mechanisms_[0] is None and scm.is_discrete_[0]
    assert scm.sample(20_000)[:, 0].mean() == pytest.approx(t.mean(), abs=0.015)
    assert scm.predict(X[:2])[0, 0] == 0.0  # the most frequent class
    log_p = np.where(X[:, 0] == 1, np.log(t.mean()), np.log(1 - t.mean()))
    residual = y - scm.mechanisms_[1].predict(X[:, :1])
    variance = scm.noise_variance_[1]
    gaussian = -0.5 * (np.log(2 * np.pi * variance) + residual**2 / variance)
    np.testing.assert_allclose(scm.score_samples(X), log_p + gaussian)


# ----------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------
def test_cyclic_graph_is_rejected_and_the_cycle_named(chain_data):
    cyclic = CHAIN.copy()
    cyclic[2, 0] = 1
    with pytest.raises(ValueError, match="cycle 0 -> 1 -> 2 -> 0"):
        StructuralCausalModel(cyclic).fit(chain_data)
    df = pd.DataFrame(chain_data, columns=["a", "b", "c"])
    with pytest.raises(ValueError, match="cycle 'a' -> 'b' -> 'c' -> 'a'"):
        StructuralCausalModel(cyclic).fit(df)
    with pytest.raises(ValueError, match="cycle 1 -> 1"):
        StructuralCausalModel(np.eye(3)[[1, 1, 0]] * [[0], [1], [0]]).fit(chain_data)
    nx = pytest.importorskip("networkx")
    with pytest.raises(ValueError, match="cycle 0 -> 1 -> 0"):
        StructuralCausalModel(nx.DiGraph([(0, 1), (1, 0), (1, 2)])).fit(chain_data)


def test_graph_nodes_must_match_the_columns(chain_data):
    with pytest.raises(ValueError, match="graph has 2 nodes but X has 3 columns"):
        StructuralCausalModel(np.zeros((2, 2))).fit(chain_data)
    nx = pytest.importorskip("networkx")
    df = pd.DataFrame(chain_data, columns=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"nodes that are not columns: \['q'\]"):
        StructuralCausalModel(nx.DiGraph([("a", "b"), ("b", "q")])).fit(df)
    with pytest.raises(ValueError, match=r"columns without a node: \['c'\]"):
        StructuralCausalModel(nx.DiGraph([("a", "b")])).fit(df)
    with pytest.raises(ValueError, match="column indices 0..2"):
        StructuralCausalModel(nx.DiGraph([("a", "b"), ("b", "c")])).fit(chain_data)
    with pytest.raises(TypeError, match="directed networkx.DiGraph"):
        StructuralCausalModel(nx.Graph([(0, 1), (1, 2)])).fit(chain_data)


def test_bad_graph_and_mechanisms(chain_data):
    with pytest.raises(TypeError, match="graph must be None, an adjacency matrix"):
        StructuralCausalModel("chain").fit(chain_data)
    with pytest.raises(ValueError, match="graph contains NaN"):
        StructuralCausalModel(np.full((3, 3), np.nan)).fit(chain_data)
    with pytest.raises(ValueError, match="mechanisms"):
        StructuralCausalModel(CHAIN, mechanisms="linear").fit(chain_data)
    with pytest.raises(TypeError, match="mechanism of node 2 must be a scikit-learn"):
        StructuralCausalModel(CHAIN, mechanisms={2: "linear"}).fit(chain_data)
    with pytest.raises(ValueError, match="unknown variable 5"):
        StructuralCausalModel(CHAIN, mechanisms={5: Ridge()}).fit(chain_data)
    with pytest.raises(TypeError, match="without predict_proba"):
        StructuralCausalModel(CHAIN, mechanisms={1: SVC()}).fit(chain_data)


def test_cpdag_from_a_discovery_estimator_is_rejected(chain_data):
    with pytest.raises(ValueError, match="pdag_to_dag"):
        StructuralCausalModel(PC()).fit(chain_data)


def test_nan_and_wrong_shapes_are_rejected(chain_data):
    bad = chain_data.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        StructuralCausalModel(CHAIN).fit(bad)
    scm = StructuralCausalModel(CHAIN).fit(chain_data)
    for method in (scm.predict, scm.transform, scm.score):
        with pytest.raises(ValueError, match="NaN"):
            method(bad)
        with pytest.raises(ValueError, match="X has 2 features, but Structural"):
            method(chain_data[:, :2])
    with pytest.raises(ValueError, match="expecting 3 noise columns"):
        scm.inverse_transform(chain_data[:, :2])
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        scm.sample(0)
    with pytest.raises(ValueError, match="n_samples=1"):
        StructuralCausalModel(CHAIN).fit(chain_data[:1])
