"""PC: the estimator contract, bad input, knowledge, order independence, n_jobs."""

import numpy as np
import pytest

from skcausal.datasets import make_linear_sem
from skcausal.discovery._pc import PC
from skcausal.graph import dag_to_cpdag, is_dag
from skcausal.graph._knowledge import knowledge_masks, knowledge_violations
from skcausal.independence import DSeparationOracle, FisherZ, GSquared
from skcausal.metrics import structural_hamming_distance


@pytest.fixture(scope="module")
def sem():
    X, W = make_linear_sem(1000, 8, edges_per_node=1.5, random_state=3)
    return X, W


def test_collider_chain_and_attributes():
    rng = np.random.default_rng(0)
    n = 2000
    a, b = rng.normal(size=n), rng.normal(size=n)
    c = a + b + rng.normal(size=n)  # a -> c <- b
    e = c + rng.normal(size=n)  # c -> e
    model = PC(alpha=0.01).fit(np.column_stack([a, b, c, e]))
    expected = np.zeros((4, 4))
    expected[0, 2] = expected[1, 2] = expected[2, 3] = 1
    np.testing.assert_array_equal(model.adjacency_matrix_, expected)
    assert model.graph_type_ == "cpdag"
    assert model.separating_sets_[(0, 1)] == ()
    assert model.separating_sets_[(0, 3)] == (2,)
    assert isinstance(model.ci_test_, FisherZ)
    assert model.n_tests_ > 0
    np.testing.assert_array_equal(model.dag_, expected)


def test_undirected_edges_stored_both_ways():
    rng = np.random.default_rng(0)
    x = rng.normal(size=1000)
    y = x + rng.normal(size=1000)
    model = PC().fit(np.column_stack([x, y]))
    np.testing.assert_array_equal(model.adjacency_matrix_, [[0, 1], [1, 0]])
    assert is_dag(model.dag_) and model.dag_.sum() == 1


def test_score_and_bic_prefer_the_true_structure(sem):
    X, W = sem
    train, test = X[:700], X[700:]
    model = PC(alpha=0.01).fit(train)
    s = model.score(test)
    assert np.isfinite(s)
    # the SEM on the estimated graph beats the empty graph (independent columns)
    empty = -0.5 * np.sum(np.log(2 * np.pi * train.var(0)) + 1)
    assert s > empty + 0.5
    assert model.bic(train) < model.bic(train) + 1  # finite
    assert model.bic(train) == pytest.approx(
        -2 * len(train) * model.score(train)
        + (model.dag_.sum() + 16) * np.log(len(train))
    )


def test_oracle_recovers_a_cpdag_with_knowledge_free_r4_case():
    # 0 -> 2 <- 1, 2 -> 3, 0 -> 3: a textbook CPDAG with compelled 2 -> 3
    A = np.zeros((4, 4))
    A[0, 2] = A[1, 2] = A[2, 3] = A[0, 3] = 1
    model = PC(ci_test=DSeparationOracle(A)).fit(np.zeros((3, 4)) + np.arange(4))
    np.testing.assert_array_equal(model.adjacency_matrix_, dag_to_cpdag(A))


@pytest.mark.parametrize("orientation", ["standard", "conservative", "majority"])
def test_oracle_orientation_rules_agree(orientation):
    X, W = make_linear_sem(10, 12, edges_per_node=1.5, random_state=5)
    model = PC(ci_test=DSeparationOracle(W), orientation=orientation).fit(X)
    np.testing.assert_array_equal(model.adjacency_matrix_, dag_to_cpdag(W))
    assert model.ambiguous_triples_ == []


def test_n_jobs_gives_identical_output(sem):
    X, _ = sem
    from skcausal.independence import KCI

    Xs = X[:150, :5]
    serial = PC(ci_test=KCI(), max_cond_vars=1).fit(Xs)
    parallel = PC(ci_test=KCI(), max_cond_vars=1, n_jobs=2).fit(Xs)
    np.testing.assert_array_equal(serial.adjacency_matrix_, parallel.adjacency_matrix_)
    assert serial.separating_sets_ == parallel.separating_sets_
    a = PC(n_jobs=1).fit(X)
    b = PC(n_jobs=2).fit(X)
    np.testing.assert_array_equal(a.adjacency_matrix_, b.adjacency_matrix_)


def _permuted_fit(X, perm, **params):
    """Fit on permuted columns and map the CPDAG back to the original labels."""
    model = PC(**params).fit(X[:, perm])
    back = np.empty_like(model.adjacency_matrix_)
    back[np.ix_(perm, perm)] = model.adjacency_matrix_
    return back


@pytest.mark.parametrize("orientation", ["conservative", "majority"])
def test_order_independence_under_column_permutations(orientation):
    # finite samples: conflicting tests would make standard PC order dependent
    differs_standard = 0
    for seed in range(4):
        X, _ = make_linear_sem(300, 12, edges_per_node=2.0, random_state=seed)
        rng = np.random.default_rng(seed)
        base = _permuted_fit(X, np.arange(12), alpha=0.05, orientation=orientation)
        base_std = _permuted_fit(X, np.arange(12), alpha=0.05, orientation="standard")
        skeleton = (base != 0) | (base.T != 0)
        for _ in range(3):
            perm = rng.permutation(12)
            out = _permuted_fit(X, perm, alpha=0.05, orientation=orientation)
            np.testing.assert_array_equal(out, base)
            std = _permuted_fit(X, perm, alpha=0.05, orientation="standard")
            # PC-stable: the skeleton never depends on the order
            np.testing.assert_array_equal((std != 0) | (std.T != 0), skeleton)
            differs_standard += not np.array_equal(std, base_std)
    # the claim is not vacuous: the standard rule does change with the order here
    assert differs_standard > 0


def test_max_cond_vars_limits_the_sets(sem):
    X, _ = sem
    model = PC(max_cond_vars=0).fit(X)
    assert all(len(s) == 0 for s in model.separating_sets_.values())


def test_discrete_auto_selects_gsq_and_categorical_features():
    from skcausal.datasets import make_discrete_bayesian_network

    X, A, _ = make_discrete_bayesian_network(2000, 5, random_state=0)
    assert isinstance(PC().fit(X).ci_test_, GSquared)
    Xf = X.astype(float)
    assert isinstance(PC().fit(Xf).ci_test_, FisherZ)
    assert isinstance(PC(categorical_features="all").fit(Xf).ci_test_, GSquared)
    mask = np.ones(5, dtype=bool)
    assert isinstance(PC(categorical_features=mask).fit(Xf).ci_test_, GSquared)
    with pytest.raises(ValueError, match="mixes categorical columns \\[0, 1\\]"):
        PC(categorical_features=[0, 1]).fit(Xf)


def test_dataframe_names_for_knowledge_and_categorical():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    n = 1500
    a = rng.normal(size=n)
    b = a + rng.normal(size=n)
    c = b + rng.normal(size=n)
    df = pd.DataFrame({"a": a, "b": b, "c": c})
    model = PC(required_edges=[("a", "b")]).fit(df)
    # a -> b required; R1 then orients b -> c
    np.testing.assert_array_equal(
        model.adjacency_matrix_, [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    )
    with pytest.raises(ValueError, match="unknown column 'zz'"):
        PC(categorical_features=["zz"]).fit(df)
    with pytest.raises(ValueError, match="mixes categorical"):
        PC().fit(df.assign(d=(df["a"] > 0).astype(int)))


# ---------------------------------------------------------------------------------
# Background knowledge, each rule verified on the output
# ---------------------------------------------------------------------------------
def _chain_data(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=n)
    x1 = x0 + rng.normal(size=n)
    x2 = x1 + rng.normal(size=n)
    x3 = x2 + rng.normal(size=n)
    return np.column_stack([x0, x1, x2, x3])


def test_forbidden_pair_is_never_tested_or_adjacent():
    X = _chain_data()
    model = PC(forbidden_edges=[(1, 2), (2, 1)]).fit(X)
    assert model.adjacency_matrix_[1, 2] == 0 and model.adjacency_matrix_[2, 1] == 0
    assert (1, 2) not in model.separating_sets_
    # the cache never saw an unconditional 1-2 test
    assert model.ci_test_.n_tests_ == model.n_tests_


def test_forbidden_direction_orients_and_propagates():
    X = _chain_data()
    model = PC(forbidden_edges=[(2, 1)]).fit(X)
    P = model.adjacency_matrix_
    assert P[1, 2] == 1 and P[2, 1] == 0
    assert P[2, 3] == 1 and P[3, 2] == 0  # R1 from 1 -> 2 - 3
    _, forbidden = knowledge_masks(4, forbidden_edges=[(2, 1)])
    assert knowledge_violations(P, np.zeros((4, 4), bool), forbidden) == []


def test_required_edge_is_kept_even_when_independent():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 3))
    model = PC(required_edges=[(0, 1)]).fit(X)
    P = model.adjacency_matrix_
    assert P[0, 1] == 1 and P[1, 0] == 0
    assert P.sum() == 1


def test_tiers_orient_edges():
    X = _chain_data()
    model = PC(tiers=[2, 1, 1, 0]).fit(X)
    P = model.adjacency_matrix_
    # 3 is earliest: 3 -> 2; 1 later than 0? no: 0 has tier 2, so 1 -> 0
    assert P[3, 2] == 1 and P[2, 3] == 0
    assert P[1, 0] == 1 and P[0, 1] == 0
    required, forbidden = knowledge_masks(4, tiers=[2, 1, 1, 0])
    assert knowledge_violations(P, required, forbidden) == []


def test_knowledge_prevents_a_contradicting_collider():
    rng = np.random.default_rng(0)
    n = 2000
    a, b = rng.normal(size=n), rng.normal(size=n)
    c = a + b + rng.normal(size=n)
    X = np.column_stack([a, b, c])
    model = PC(forbidden_edges=[(0, 2)]).fit(X)
    P = model.adjacency_matrix_
    assert P[0, 2] == 0 and P[2, 0] == 1


@pytest.mark.parametrize(
    "params, match",
    [
        ({"alpha": 0.0}, "alpha"),
        ({"alpha": 1.5}, "alpha"),
        ({"orientation": "weird"}, "orientation"),
        ({"ci_test": "nope"}, "Unknown ci_test"),
        ({"max_cond_vars": -1}, "max_cond_vars"),
        (
            {"required_edges": [(0, 1)], "tiers": [1, 0, 0, 0]},
            "contradicts the tiers",
        ),
        ({"required_edges": [(0, 1)], "forbidden_edges": [(0, 1)]}, "both required"),
        ({"required_edges": [(0, 1), (1, 0)]}, "cycle"),
        ({"tiers": [0, 1]}, "one tier per node"),
        ({"categorical_features": [7]}, "neither a column index"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises((ValueError, TypeError), match=match):
        PC(**params).fit(_chain_data(100))


def test_bad_data():
    X = _chain_data(100)
    with pytest.raises(ValueError, match="imputer"):
        PC().fit(np.where(X > 2, np.nan, X))
    with pytest.raises(ValueError, match="needs numeric data"):
        PC().fit(np.array([["a", "b"], ["c", "d"], ["e", "f"]]))
    with pytest.raises(ValueError, match="n_samples=1"):
        PC().fit(X[:1])
    with pytest.raises(ValueError, match="n_features=1"):
        PC().fit(X[:, :1])
    Xc = X.copy()
    Xc[:, 2] = 1.0
    with pytest.raises(ValueError, match="column 2 is constant"):
        PC().fit(Xc)
    Xd = np.random.default_rng(0).integers(0, 3, size=(100, 3))
    Xd[:, 1] = 2
    with pytest.raises(ValueError, match="column 1 has a single level"):
        PC().fit(Xd)


def test_input_not_modified_and_feature_count_checked(sem):
    X, _ = sem
    X0 = X.copy()
    model = PC().fit(X)
    np.testing.assert_array_equal(X, X0)
    with pytest.raises(ValueError, match="features"):
        model.score(X[:, :3])


def test_fisherz_accuracy_over_seeds_against_true_cpdag():
    # Fisher-z, alpha = 0.01, linear Gaussian ER-1, d = 10, n = 2000
    shd = {o: [] for o in ("standard", "conservative", "majority")}
    for seed in range(5):
        X, W = make_linear_sem(2000, 10, edges_per_node=1.0, random_state=seed)
        truth = dag_to_cpdag(W)
        for orientation in shd:
            model = PC(alpha=0.01, orientation=orientation).fit(X)
            shd[orientation].append(
                structural_hamming_distance(truth, model.adjacency_matrix_)
            )
    # measured (seeds 0-4): majority (the default) [4, 7, 6, 0, 0] = 3.4,
    # conservative [3, 7, 6, 0, 0] = 3.2, standard [6, 8, 8, 0, 3] = 5.0 -- the
    # standard rule gives causal-learn's CPDAG here (benchmarks/bench_pc.py)
    assert np.mean(shd["majority"]) <= 4
    assert np.mean(shd["conservative"]) <= 4
    assert np.mean(shd["standard"]) <= 5.5
    default = PC(alpha=0.01).fit(X)
    assert default.orientation == "majority"
