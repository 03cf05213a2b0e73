"""Tests for the DAGMA estimator (skcausal.discovery._dagma.DAGMA)."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcausal._acyclicity import logdet
from skcausal._sem import SufficientStats, least_squares_loss
from skcausal.datasets import make_linear_sem
from skcausal.discovery._dagma import (
    DAGMA,
    _LBFGSMemory,
    _minimize_l1,
    _smooth_objective,
)
from skcausal.graph import is_dag
from skcausal.metrics import structural_hamming_distance


@pytest.fixture(scope="module")
def sem5():
    """A 5-node ER-1 linear Gaussian SEM: train and held-out data, true weights."""
    X, W = make_linear_sem(n_samples=1500, n_nodes=5, random_state=0)
    return X[:1000], X[1000:], W


@pytest.fixture(scope="module")
def fitted5(sem5):
    return DAGMA().fit(sem5[0])


def _fit_quietly(estimator, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X)


def _shd_over_seeds(n_nodes, refine="auto"):
    values = []
    for seed in range(3):
        X, W = make_linear_sem(
            n_samples=1000, n_nodes=n_nodes, edges_per_node=2, random_state=seed
        )
        model = DAGMA(refine=refine).fit(X)
        assert model.converged_
        values.append(structural_hamming_distance(W, model.adjacency_matrix_))
    return values


# --------------------------------------------------------------------------------------
# Accuracy on graphs with known truth
# --------------------------------------------------------------------------------------
def test_recovers_chain_fork_collider():
    rng = np.random.default_rng(0)
    n = 1000
    a = rng.normal(size=n)
    b = 1.5 * a + rng.normal(size=n)  # chain a -> b -> c
    c = -1.2 * b + rng.normal(size=n)
    d = 0.9 * a + rng.normal(size=n)  # fork b <- a -> d
    e = 1.0 * c - 1.3 * d + rng.normal(size=n)  # collider c -> e <- d
    X = np.column_stack([a, b, c, d, e])
    truth = np.zeros((5, 5))
    truth[0, 1] = truth[1, 2] = truth[0, 3] = truth[2, 4] = truth[3, 4] = 1
    model = DAGMA().fit(X)
    assert structural_hamming_distance(truth, model.adjacency_matrix_) == 0
    np.testing.assert_allclose(model.coef_[0, 1], 1.5, atol=0.1)
    np.testing.assert_allclose(model.coef_[3, 4], -1.3, atol=0.1)
    assert model.converged_


def test_er2_graphs_d10():
    # ER-2, d=10, n=1000, Gaussian equal-variance noise, seeds 0-2, the defaults
    # (refine="auto"). Measured [0, 0, 0]; without the refinement [0, 3, 0]; the
    # dagma package (lambda1=0.02) gets [0, 2, 0] on the same data.
    shd = _shd_over_seeds(10)
    print("DAGMA ER-2 d=10 n=1000 SHD per seed:", shd, "mean", np.mean(shd))
    assert np.mean(shd) <= 3


def test_er2_graphs_d20():
    # Without the refinement [0, 0, 0] too (the dagma package: [0, 0, 0]).
    shd = _shd_over_seeds(20)
    print("DAGMA ER-2 d=20 n=1000 SHD per seed:", shd, "mean", np.mean(shd))
    assert np.mean(shd) <= 3


@pytest.mark.slow
@pytest.mark.parametrize("refine", [True, False])
def test_er2_graphs_d10_refine_true_and_false(refine):
    shd = _shd_over_seeds(10, refine=refine)
    print(f"DAGMA(refine={refine}) ER-2 d=10 n=1000 SHD per seed:", shd)
    assert np.mean(shd) <= 3


# --------------------------------------------------------------------------------------
# The optimiser
# --------------------------------------------------------------------------------------
def test_smooth_objective_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    stats = SufficientStats.from_data(X)
    W = rng.uniform(-0.3, 0.3, size=(4, 4))
    np.fill_diagonal(W, 0.0)
    value, grad = _smooth_objective(W, stats, 0.1, 0.9)
    step = 1e-6
    for i, j in [(0, 1), (2, 3), (3, 0)]:
        E = np.zeros_like(W)
        E[i, j] = step
        numeric = (
            _smooth_objective(W + E, stats, 0.1, 0.9)[0]
            - _smooth_objective(W - E, stats, 0.1, 0.9)[0]
        ) / (2 * step)
        assert numeric == pytest.approx(grad[i, j], rel=1e-5, abs=1e-8)
    # Outside the M-matrix domain the value is infinite, never an exception.
    assert _smooth_objective(3.0 * np.ones((4, 4)), stats, 0.1, 0.9)[0] == np.inf


def _two_loop(g, pairs):
    """The textbook L-BFGS two-loop recursion (Nocedal & Wright, Algorithm 7.4)."""
    q, alphas = g.copy(), []
    for s, y in reversed(pairs):
        alphas.append((s @ q) / (s @ y))
        q -= alphas[-1] * y
    s, y = pairs[-1]
    q *= (s @ y) / (y @ y)
    for (s, y), alpha in zip(pairs, reversed(alphas), strict=True):
        q += (alpha - (y @ q) / (s @ y)) * s
    return q


def test_compact_lbfgs_product_equals_the_two_loop_recursion():
    # Pairs from a fixed SPD Hessian; the memory of 4 wraps around twice.
    rng = np.random.default_rng(0)
    A = rng.normal(size=(12, 12))
    H = A @ A.T + 12 * np.eye(12)
    memory, pairs = _LBFGSMemory(12, 4), []
    g = rng.normal(size=12)
    # No pair yet: a steepest-descent direction scaled to sup-norm at most 1.
    np.testing.assert_allclose(memory.apply(g), g / np.abs(g).max())
    for _ in range(9):
        s = rng.normal(size=12)
        memory.add(s, H @ s)
        pairs = (pairs + [(s, H @ s)])[-4:]
        np.testing.assert_allclose(memory.apply(g), _two_loop(g, pairs), rtol=1e-10)
    memory.clear()
    assert memory.size == 0


def test_l1_solver_matches_the_lasso_optimality_conditions():
    # Without the acyclicity term (mu -> infinity) each column is a lasso problem.
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 3))
    X[:, 2] += 2.0 * X[:, 0]
    stats = SufficientStats.from_data(X)
    free = ~np.eye(3, dtype=bool)
    penalty = np.where(free, 0.05, 0.0)

    def objective(W):
        return least_squares_loss(W, stats)

    W, _, converged = _minimize_l1(
        objective, np.zeros((3, 3)), penalty, free, tol=1e-10, max_iter=5000
    )
    assert converged
    grad = least_squares_loss(W, stats)[1]
    active = (W != 0) & free
    np.testing.assert_allclose(grad[active], -0.05 * np.sign(W[active]), atol=1e-5)
    assert np.all(np.abs(grad[~active & free]) <= 0.05 + 1e-5)


def test_warm_start_outside_the_domain_steps_back(sem5):
    # A warm start far outside the M-matrix domain of every s of the schedule: the
    # path raises s until the start lies inside, and the fit does not crash.
    X = sem5[0]
    model = DAGMA()
    model._fit_stats(SufficientStats.from_data(X), W_init=np.full((5, 5), 3.0))
    assert is_dag(model.adjacency_matrix_)
    # At the start, h_s is finite only for s > rho(W ∘ W) = 36.
    with pytest.raises(ValueError):
        logdet(np.full((5, 5), 3.0) - np.diag(np.full(5, 3.0)), 1.0)


def test_s_schedule_accepts_a_number_and_a_short_sequence(sem5):
    X = sem5[0]
    a = DAGMA(s=1.0).fit(X)
    b = DAGMA(s=[1.0]).fit(X)
    np.testing.assert_array_equal(a.adjacency_matrix_, b.adjacency_matrix_)
    with pytest.raises(ValueError, match="s must be"):
        DAGMA(s=[1.0, -0.5]).fit(X)


# --------------------------------------------------------------------------------------
# Fitted attributes and the linear-SEM methods
# --------------------------------------------------------------------------------------
def test_fitted_attributes(fitted5, sem5):
    X, _, W = sem5
    d = X.shape[1]
    model = fitted5
    assert model.adjacency_matrix_.shape == (d, d)
    assert model.graph_type_ == "dag"
    assert is_dag(model.adjacency_matrix_)
    assert model.converged_ is True
    assert model.n_iter_ >= 1
    assert model.w_threshold_ == 0.3
    assert np.all(model.noise_variance_ == model.noise_variance_[0])
    assert model.noise_variance_[0] == pytest.approx(1.0, abs=0.1)
    position = np.argsort(model.causal_order_)
    rows, cols = np.nonzero(model.adjacency_matrix_)
    assert np.all(position[rows] < position[cols])
    np.testing.assert_array_equal(model.coef_ != 0, model.adjacency_matrix_ != 0)
    np.testing.assert_allclose(model.coef_, W, atol=0.15)


def test_score_bic_predict_transform(fitted5, sem5):
    X, X_test, _ = sem5
    empty = DAGMA(lambda1=1000.0, refine=False).fit(X)
    assert not np.any(empty.adjacency_matrix_)
    assert fitted5.score(X_test) > empty.score(X_test) + 0.5
    assert fitted5.bic(X) < empty.bic(X)
    E = fitted5.transform(X_test)
    np.testing.assert_allclose(fitted5.inverse_transform(E), X_test, atol=1e-10)


def test_standardize_reports_in_input_units():
    X, _ = make_linear_sem(n_samples=800, n_nodes=5, random_state=1)
    X = X * np.array([1.0, 10.0, 0.1, 3.0, 1.0]) + 5.0
    sd = X.std(axis=0)
    X_std = (X - X.mean(axis=0)) / sd
    model = DAGMA(standardize=True).fit(X)
    on_std = DAGMA().fit(X_std)
    ratio = np.outer(1 / sd, sd)
    np.testing.assert_allclose(
        model.adjacency_matrix_, on_std.adjacency_matrix_ * ratio, rtol=1e-5, atol=1e-8
    )
    assert model.score(X) == pytest.approx(
        on_std.score(X_std) - np.log(sd).sum(), rel=1e-6
    )


def test_partial_fit_on_chunks_equals_fit(sem5):
    X = sem5[0]
    streamed = DAGMA()
    for chunk in np.array_split(X, 3):
        streamed.partial_fit(chunk)
    full = DAGMA().fit(X)
    assert streamed.n_samples_seen_ == X.shape[0]
    np.testing.assert_allclose(
        streamed.adjacency_matrix_, full.adjacency_matrix_, rtol=1e-5, atol=1e-8
    )


# --------------------------------------------------------------------------------------
# Prior knowledge
# --------------------------------------------------------------------------------------
def test_forbidden_and_required_edges(sem5):
    X, _, W = sem5
    i, j = np.unravel_index(np.argmax(np.abs(W)), W.shape)  # the strongest true edge
    model = DAGMA(forbidden_edges=[(int(i), int(j))], required_edges=[(int(j), int(i))])
    model.fit(X)
    assert model.adjacency_matrix_[i, j] == 0
    assert model.adjacency_matrix_[j, i] != 0
    assert is_dag(model.adjacency_matrix_)
    # A required edge survives any threshold.
    absent = [
        (a, b) for a in range(5) for b in range(5) if a != b and W[a, b] == W[b, a] == 0
    ][0]
    kept = DAGMA(required_edges=[absent], w_threshold=10.0, refine=False).fit(X)
    assert np.count_nonzero(kept.adjacency_matrix_) == 1
    assert kept.adjacency_matrix_[absent] != 0


@pytest.mark.parametrize(
    "params, match",
    [
        ({"required_edges": [(0, 1), (1, 2), (2, 0)]}, "cycle"),
        ({"required_edges": [(0, 1)], "forbidden_edges": [(0, 1)]}, "both"),
        ({"required_edges": [(0, 7)]}, "out of range"),
        ({"forbidden_edges": [(3, 3)]}, "self-loop"),
        ({"lambda1": -1.0}, "lambda1"),
        ({"mu_factor": 1.5}, "mu_factor"),
    ],
)
def test_bad_parameters_raise(sem5, params, match):
    with pytest.raises(ValueError, match=match):
        DAGMA(**params).fit(sem5[0])


def test_dataframe_names(sem5):
    names = ["a", "b", "c", "d", "e"]
    df = pd.DataFrame(sem5[0], columns=names)
    before = df.copy()
    model = DAGMA(required_edges=[("b", "e")], forbidden_edges=[("a", "c")]).fit(df)
    pd.testing.assert_frame_equal(df, before)
    assert model.adjacency_matrix_[1, 4] != 0
    assert model.adjacency_matrix_[0, 2] == 0
    with pytest.raises(ValueError, match="unknown node name 'zz'"):
        DAGMA(required_edges=[("a", "zz")]).fit(df)


# --------------------------------------------------------------------------------------
# Input validation, convergence, sklearn integration
# --------------------------------------------------------------------------------------
def test_rejects_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n_features=1"):
        DAGMA().fit(rng.normal(size=(20, 1)))
    with pytest.raises(ValueError, match="n_samples=1"):
        DAGMA().fit(rng.normal(size=(1, 3)))
    X = rng.normal(size=(20, 3))
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        DAGMA().fit(X)
    X[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        DAGMA().fit(X)


def test_constant_column_is_an_isolated_node():
    # Documented behaviour: a constant column has zero variance, hence no edges.
    rng = np.random.default_rng(0)
    x0 = rng.normal(size=300)
    X = np.column_stack([x0, 2.0 * x0 + rng.normal(size=300), np.full(300, 4.0)])
    model = DAGMA().fit(X)
    assert not np.any(model.adjacency_matrix_[2]) and not np.any(
        model.adjacency_matrix_[:, 2]
    )
    assert model.adjacency_matrix_[0, 1] != 0
    assert np.isfinite(model.score(X))


def test_callers_array_is_not_modified(sem5):
    X = sem5[0].copy()
    before = X.copy()
    DAGMA(standardize=True).fit(X)
    np.testing.assert_array_equal(X, before)


def test_convergence_warning_once(sem5):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = DAGMA(max_iter=2).fit(sem5[0])
    convergence = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(convergence) == 1
    assert "max_iter" in str(convergence[0].message)
    assert model.converged_ is False
    assert is_dag(model.adjacency_matrix_)


def test_verbose_prints_every_central_path_step(sem5, capsys):
    DAGMA(verbose=1, n_central_path_steps=3).fit(sem5[0])
    lines = [line for line in capsys.readouterr().out.splitlines() if "[DAGMA]" in line]
    assert len(lines) == 3
    assert "mu=" in lines[0] and "h=" in lines[0] and "loss=" in lines[0]
    DAGMA().fit(sem5[0])
    assert capsys.readouterr().out == ""


def test_pickle_round_trip(fitted5, sem5):
    X_test = sem5[1]
    restored = pickle.loads(pickle.dumps(fitted5))
    np.testing.assert_array_equal(restored.predict(X_test), fitted5.predict(X_test))
    assert restored.score(X_test) == fitted5.score(X_test)


def test_pipeline_with_scaler(sem5):
    X, X_test, _ = sem5
    pipe = make_pipeline(StandardScaler(), DAGMA()).fit(X)
    direct = DAGMA().fit(pipe[0].transform(X))
    assert pipe.score(X_test) == pytest.approx(
        direct.score(pipe[0].transform(X_test)), rel=1e-10
    )


def test_grid_search_over_lambda1(sem5):
    X, _, W = sem5
    search = GridSearchCV(DAGMA(), {"lambda1": [0.02, 100.0]}, cv=3).fit(X)
    assert search.best_params_ == {"lambda1": 0.02}
    best = search.best_estimator_
    assert structural_hamming_distance(W, best.adjacency_matrix_) <= 1
    assert clone(best).get_params()["lambda1"] == 0.02
