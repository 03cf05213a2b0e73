"""estimate_effect: back-door and front-door estimates against known effects."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from skcausal.effects import DRLearner, TLearner
from skcausal.scm._estimate import EffectEstimate, estimate_effect


def _confounded(n, seed):
    """Nodes: 0 c1, 1 c2 (confounders), 2 t (binary), 3 w (cause of y only),
    4 z (collider: child of t and y), 5 y. True ATE = 2."""
    rng = np.random.default_rng(seed)
    c1, c2, w = rng.normal(size=(3, n))
    t = (rng.random(n) < 1.0 / (1.0 + np.exp(-(0.8 * c1 + 0.8 * c2)))).astype(float)
    y = 2.0 * t + 2.0 * c1 + 1.5 * c2 + 1.0 * w + rng.normal(size=n)
    z = t + y + rng.normal(size=n)
    graph = np.zeros((6, 6))
    for i, j in [(0, 2), (1, 2), (0, 5), (1, 5), (2, 5), (3, 5), (2, 4), (5, 4)]:
        graph[i, j] = 1
    return np.column_stack([c1, c2, t, w, z]), y, graph


def _linear_t():
    return TLearner(model_y=LinearRegression(), model_t=LogisticRegression())


def test_backdoor_removes_confounding_bias():
    X, y, graph = _confounded(4000, 0)
    t = X[:, 2]
    naive = y[t == 1].mean() - y[t == 0].mean()
    result = estimate_effect(X, y, graph, source=2, learner=_linear_t())
    assert isinstance(result, EffectEstimate)
    assert result.strategy == "backdoor"
    assert result.adjustment_set == (0, 1, 3)  # optimal: confounders + cause of y
    assert result.adjustment_columns == (0, 1, 3)
    assert result.identification.minimal_set == (0, 1)
    assert abs(result.ate - 2.0) < 0.1
    assert abs(naive - 2.0) > 1.5  # the naive contrast is badly biased
    # adjusting for the collider z as well is biased too
    with pytest.warns(UserWarning, match="poor overlap"):
        everything = _linear_t().fit(np.delete(X, 2, axis=1), y, treatment=t)
    assert abs(everything.ate(np.delete(X, 2, axis=1)) - 2.0) > 0.5
    minimal = estimate_effect(
        X, y, graph, source=2, adjustment="minimal", learner=_linear_t()
    )
    assert minimal.adjustment_set == (0, 1)
    assert abs(minimal.ate - 2.0) < 0.2


def test_default_drlearner_is_accurate():
    X, y, graph = _confounded(1000, 1)
    result = estimate_effect(X, y, graph, source=2, random_state=0)
    assert isinstance(result.learner, DRLearner)
    assert abs(result.ate - 2.0) < 0.25


def test_learner_is_cloned_and_seeded():
    X, y, graph = _confounded(1000, 1)
    learner = DRLearner(
        model_y=LinearRegression(), model_final=LinearRegression(), cv=3
    )
    first = estimate_effect(X, y, graph, source=2, learner=learner, random_state=0)
    again = estimate_effect(X, y, graph, source=2, learner=learner, random_state=0)
    assert again.ate == first.ate  # seeded: exactly reproducible
    assert first.learner.random_state is not None
    assert learner.random_state is None and not hasattr(learner, "model_final_")
    assert abs(first.ate - 2.0) < 0.2


def test_empty_adjustment_set_gives_difference_in_means():
    rng = np.random.default_rng(2)
    n = 2000
    t = (rng.random(n) < 0.4).astype(float)
    x_other = rng.normal(size=n)
    y = 1.5 * t + rng.normal(size=n)
    graph = np.zeros((3, 3))
    graph[0, 2] = 1  # t -> y; node 1 unrelated
    result = estimate_effect(
        np.column_stack([t, x_other]),
        y,
        graph,
        source=0,
        adjustment="minimal",
        learner=_linear_t(),
    )
    assert result.adjustment_set == ()
    naive = y[t == 1].mean() - y[t == 0].mean()
    assert result.ate == pytest.approx(naive, abs=1e-10)


def _frontdoor_data(n, seed, levels=2):
    """Nodes: 0 x (discrete), 1 m, 2 u (latent), 3 y. E[y|do(x)] = 2 * x."""
    rng = np.random.default_rng(seed)
    u = rng.normal(size=n)
    if levels == 2:
        x = (u + rng.normal(size=n) > 0).astype(float)
    else:
        x = np.digitize(u + rng.normal(size=n), [-0.5, 0.5]).astype(float)
    m = 1.0 * x + rng.normal(size=n)
    y = 2.0 * m + 3.0 * u + rng.normal(size=n)
    graph = np.zeros((4, 4))
    graph[0, 1] = graph[1, 3] = graph[2, 0] = graph[2, 3] = 1
    return np.column_stack([x, m]), y, graph


def test_frontdoor_plugin_recovers_effect_under_latent_confounding():
    X, y, graph = _frontdoor_data(5000, 3)
    x = X[:, 0]
    naive = y[x == 1].mean() - y[x == 0].mean()
    result = estimate_effect(
        X, y, graph, source=0, latent=[2], model_y=LinearRegression()
    )
    assert result.strategy == "frontdoor"
    assert result.mediators == (1,) and result.mediator_columns == (1,)
    assert result.learner is None and result.model_y is not None
    assert abs(result.ate - 2.0) < 0.1
    assert abs(naive - 2.0) > 3.0
    assert result.interventional_means.shape == (2,)
    assert result.interventional_means[1] - result.interventional_means[0] == (
        pytest.approx(result.ate)
    )
    # the default (gradient boosting) outcome model is close as well
    boosted = estimate_effect(X, y, graph, source=0, latent=[2], random_state=0)
    assert abs(boosted.ate - 2.0) < 0.25


def test_frontdoor_with_categorical_source():
    X, y, graph = _frontdoor_data(6000, 4, levels=3)
    result = estimate_effect(
        X, y, graph, source=0, latent=[2], model_y=LinearRegression()
    )
    assert result.levels.tolist() == [0.0, 1.0, 2.0]
    np.testing.assert_allclose(result.ate, [2.0, 4.0], atol=0.15)


def test_backdoor_with_categorical_source():
    rng = np.random.default_rng(5)
    n = 6000
    c = rng.normal(size=n)
    logits = np.column_stack([np.zeros(n), c, -c])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    t = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1).astype(float)
    y = np.array([0.0, 1.0, -2.0])[t.astype(int)] + 2.0 * c + rng.normal(size=n)
    graph = np.zeros((3, 3))
    graph[0, 1] = graph[0, 2] = graph[1, 2] = 1
    result = estimate_effect(np.column_stack([c, t]), y, graph, 1, learner=_linear_t())
    assert isinstance(result.learner, list) and len(result.learner) == 2
    np.testing.assert_allclose(result.ate, [1.0, -2.0], atol=0.12)
    naive = [y[t == k].mean() - y[t == 0].mean() for k in (1, 2)]
    assert max(abs(naive[0] - 1.0), abs(naive[1] + 2.0)) > 1.0


def test_no_effect_and_target_in_the_middle():
    # graph 0 <- 1 -> 2 with y = node 1 in the middle, source 0 a child of y
    rng = np.random.default_rng(6)
    y = rng.normal(size=500)
    x0 = (y + rng.normal(size=500) > 0).astype(float)
    x2 = y + rng.normal(size=500)
    graph = np.zeros((3, 3))
    graph[1, 0] = graph[1, 2] = 1
    result = estimate_effect(np.column_stack([x0, x2]), y, graph, 0, target=1)
    assert result.strategy == "no_effect" and result.ate == 0.0
    assert result.learner is None


def test_forced_strategies():
    X, y, graph = _confounded(800, 7)
    with pytest.raises(ValueError, match="strategy='frontdoor': no set of observed"):
        estimate_effect(X, y, graph, 2, strategy="frontdoor")
    Xf, yf, graph_f = _frontdoor_data(800, 8)
    with pytest.raises(ValueError, match="strategy='backdoor': no set of observed"):
        estimate_effect(Xf, yf, graph_f, 0, latent=[2], strategy="backdoor")


def test_bad_input():
    X, y, graph = _confounded(300, 9)
    with pytest.raises(ValueError, match="X has 4 columns but the graph has 5"):
        estimate_effect(X[:, :4], y, graph, 2)
    with pytest.raises(ValueError, match="looks continuous.*StructuralCausalModel"):
        estimate_effect(X, y, graph, 0)
    with pytest.raises(ValueError, match="single value"):
        estimate_effect(
            np.column_stack([X[:, :2], np.ones(300), X[:, 3:]]), y, graph, 2
        )
    cyclic = graph.copy()
    cyclic[5, 0] = 1
    with pytest.raises(ValueError, match="must be a DAG.*cycle"):
        estimate_effect(X, y, cyclic, 2)
    with pytest.raises(ValueError, match="source=8 is out of range"):
        estimate_effect(X, y, graph, 8)
    with pytest.raises(ValueError, match="source and target must be different"):
        estimate_effect(X, y, graph, 5)
    with pytest.raises(ValueError, match="strategy must be one of"):
        estimate_effect(X, y, graph, 2, strategy="iv")
    with pytest.raises(ValueError, match="adjustment must be one of"):
        estimate_effect(X, y, graph, 2, adjustment="all")
    with pytest.raises(ValueError, match="y must be 1-D with one value per row"):
        estimate_effect(X, y[:-1], graph, 2)
    with pytest.raises(ValueError, match="NaN"):
        estimate_effect(np.where(X > 2, np.nan, X), y, graph, 2)
    with pytest.raises(ValueError, match="latent contains the source"):
        estimate_effect(X, y, graph, 2, latent=[2])
    # a latent confounder and no mediator: not identified, with the reason
    small = np.zeros((3, 3))
    small[0, 2] = small[1, 0] = small[1, 2] = 1
    with pytest.raises(ValueError, match="not identified.*latent nodes \\[1\\]"):
        estimate_effect(X[:, 2:3], y, small, 0, latent=[1])
    Xf, yf, graph_f = _frontdoor_data(300, 10)
    with pytest.raises(TypeError, match="model_y must be a regressor"):
        estimate_effect(Xf, yf, graph_f, 0, latent=[2], model_y=LogisticRegression())
