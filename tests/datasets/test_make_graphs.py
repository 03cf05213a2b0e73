"""Tests for the random DAG and linear SEM generators."""

import numpy as np
import pytest
from scipy import stats

from skcausal.datasets._graphs import make_dag, make_linear_sem


def _is_acyclic(adjacency):
    """A 0/1 matrix is a DAG iff it is nilpotent: A^d == 0."""
    d = adjacency.shape[0]
    edges = (adjacency != 0).astype(float)
    return not np.linalg.matrix_power(edges, d).any()


def _is_triangular(adjacency):
    return not np.tril(adjacency).any() or not np.triu(adjacency).any()


# ----------------------------------------------------------------------------- make_dag


@pytest.mark.parametrize("graph_type", ["ER", "SF"])
@pytest.mark.parametrize("edges_per_node", [0.5, 1.0, 2.0, 4.0])
def test_make_dag_is_acyclic_binary_without_self_loops(graph_type, edges_per_node):
    for seed in range(25):
        A = make_dag(
            12, graph_type=graph_type, edges_per_node=edges_per_node, random_state=seed
        )
        assert A.shape == (12, 12)
        assert A.dtype == float
        assert set(np.unique(A)) <= {0.0, 1.0}
        assert not A.diagonal().any()
        assert _is_acyclic(A)


@pytest.mark.parametrize(
    ("graph_type", "edges_per_node", "tolerance"),
    [
        # ER: mean over 100 graphs has standard error ~0.2 (k=1) / ~0.6 (k=2) edges.
        ("ER", 1.0, 0.05),
        ("ER", 2.0, 0.05),
        # SF: node t links to min(t, k) earlier nodes, so k (k + 1) / 2 edges short
        # of k d (1 for k=1, 3 for k=2 on 40 nodes); allow 10 %.
        ("SF", 1.0, 0.10),
        ("SF", 2.0, 0.10),
        ("SF", 1.5, 0.10),
    ],
)
def test_make_dag_expected_edge_count(graph_type, edges_per_node, tolerance):
    d = 40
    counts = [
        make_dag(
            d, graph_type=graph_type, edges_per_node=edges_per_node, random_state=seed
        ).sum()
        for seed in range(100)
    ]
    expected = edges_per_node * d
    assert abs(np.mean(counts) - expected) <= tolerance * expected


def test_make_dag_er_probability_is_clipped_to_a_complete_dag():
    A = make_dag(5, edges_per_node=10.0, random_state=0)
    assert A.sum() == 5 * 4 / 2
    assert _is_acyclic(A)


@pytest.mark.parametrize("graph_type", ["ER", "SF"])
def test_make_dag_is_permuted_not_triangular(graph_type):
    triangular = [
        _is_triangular(
            make_dag(10, graph_type=graph_type, edges_per_node=2.0, random_state=seed)
        )
        for seed in range(20)
    ]
    # A uniformly random labelling of a connected-ish 10-node DAG is triangular
    # with negligible probability.
    assert sum(triangular) == 0


@pytest.mark.parametrize("graph_type", ["ER", "SF"])
def test_make_dag_reproducible(graph_type):
    a = make_dag(15, graph_type=graph_type, edges_per_node=1.5, random_state=3)
    b = make_dag(15, graph_type=graph_type, edges_per_node=1.5, random_state=3)
    c = make_dag(15, graph_type=graph_type, edges_per_node=1.5, random_state=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    rng = np.random.RandomState(3)
    np.testing.assert_array_equal(
        make_dag(15, graph_type=graph_type, edges_per_node=1.5, random_state=rng), a
    )


def test_make_dag_scale_free_has_hubs():
    d = 200
    max_degree = {}
    for graph_type in ("ER", "SF"):
        A = make_dag(d, graph_type=graph_type, edges_per_node=1.0, random_state=0)
        max_degree[graph_type] = (A.sum(axis=0) + A.sum(axis=1)).max()
    # ER(d=200, k=1): degrees ~ Poisson(2), maximum ~8; BA: hubs of degree ~ sqrt(d).
    assert max_degree["SF"] >= 2 * max_degree["ER"]


def test_make_dag_scale_free_hubs_have_parents_and_children():
    A = make_dag(200, graph_type="SF", edges_per_node=1.0, random_state=0)
    degree = A.sum(axis=0) + A.sum(axis=1)
    hubs = np.argsort(degree)[-5:]
    assert (A[:, hubs].sum(axis=0) > 0).any()
    assert (A[hubs].sum(axis=1) > 0).any()


def test_make_dag_single_node():
    for graph_type in ("ER", "SF"):
        np.testing.assert_array_equal(
            make_dag(1, graph_type=graph_type, random_state=0), [[0.0]]
        )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_nodes": 0}, ValueError, "n_nodes must be >= 1"),
        ({"n_nodes": 2.5}, TypeError, "n_nodes must be an integer"),
        ({"n_nodes": True}, TypeError, "n_nodes must be an integer"),
        ({"n_nodes": 5, "graph_type": "XX"}, ValueError, "graph_type"),
        ({"n_nodes": 5, "edges_per_node": 0}, ValueError, "edges_per_node"),
        ({"n_nodes": 5, "edges_per_node": -1.0}, ValueError, "edges_per_node"),
        ({"n_nodes": 5, "edges_per_node": np.nan}, ValueError, "edges_per_node"),
        ({"n_nodes": 5, "edges_per_node": "1"}, TypeError, "edges_per_node"),
    ],
)
def test_make_dag_validation(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_dag(**kwargs)


def test_make_dag_accepts_numpy_integers():
    A = make_dag(np.int64(6), edges_per_node=np.float32(1.0), random_state=0)
    assert A.shape == (6, 6)


# ---------------------------------------------------------------------- make_linear_sem


def test_make_linear_sem_shapes_and_weights():
    X, W = make_linear_sem(n_samples=300, n_nodes=8, edges_per_node=2.0, random_state=0)
    assert X.shape == (300, 8)
    assert W.shape == (8, 8)
    assert np.isfinite(X).all()
    assert _is_acyclic(W)
    weights = W[W != 0]
    assert weights.size > 0
    assert np.all((np.abs(weights) >= 0.5) & (np.abs(weights) <= 2.0))
    # No negative zeros leak into the non-edges.
    assert not np.signbit(W[W == 0]).any()


def test_make_linear_sem_weight_signs_and_range():
    _, W = make_linear_sem(
        n_samples=2,
        n_nodes=30,
        edges_per_node=3.0,
        weight_range=(1.0, 1.5),
        random_state=1,
    )
    weights = W[W != 0]
    assert np.all((np.abs(weights) >= 1.0) & (np.abs(weights) <= 1.5))
    # Both signs occur, in roughly equal shares (~90 edges).
    assert 0.3 < np.mean(weights > 0) < 0.7


def test_make_linear_sem_reproducible():
    a = make_linear_sem(n_samples=50, n_nodes=6, noise="gumbel", random_state=7)
    b = make_linear_sem(n_samples=50, n_nodes=6, noise="gumbel", random_state=7)
    c = make_linear_sem(n_samples=50, n_nodes=6, noise="gumbel", random_state=8)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])


def test_make_linear_sem_is_generated_by_its_equations():
    X, W, scale = make_linear_sem(
        n_samples=500,
        n_nodes=7,
        edges_per_node=2.0,
        return_noise_scale=True,
        random_state=2,
    )
    noise = X - X @ W
    # The residuals of the true equations are the independent exogenous noises.
    corr = np.corrcoef(noise, rowvar=False)
    assert np.abs(corr - np.eye(7)).max() < 0.2
    np.testing.assert_allclose(scale, np.ones(7))


# (skewness, excess kurtosis) of each standardised noise family.
_NOISE_SHAPE = {
    "gaussian": (0.0, 0.0),
    "exponential": (2.0, 6.0),
    "gumbel": (1.1395, 2.4),
    "uniform": (0.0, -1.2),
}


@pytest.mark.parametrize("noise", sorted(_NOISE_SHAPE))
def test_make_linear_sem_noise_has_requested_mean_std_and_shape(noise):
    n, s = 100_000, 2.0
    X, W = make_linear_sem(
        n_samples=n,
        n_nodes=5,
        edges_per_node=1.0,
        noise=noise,
        noise_scale=s,
        random_state=0,
    )
    roots = np.flatnonzero(~(W != 0).any(axis=0))
    assert roots.size > 0
    root = X[:, roots[0]]
    assert abs(root.mean()) < 0.03
    assert abs(root.std() - s) < 0.03 * s
    # Every node: the residual of its true equation has standard deviation s.
    residual = X - X @ W
    np.testing.assert_allclose(residual.std(axis=0), s, rtol=0.03)
    np.testing.assert_allclose(residual.mean(axis=0), 0.0, atol=0.05)
    # The family is right: skewness and kurtosis of the noise.
    skew, kurt = _NOISE_SHAPE[noise]
    assert abs(stats.skew(root) - skew) < 0.1
    # Sample kurtosis is noisy for heavy tails: relative tolerance.
    assert abs(stats.kurtosis(root) - kurt) < max(0.1, 0.15 * abs(kurt))


@pytest.mark.parametrize("noise", ["gaussian", "exponential"])
@pytest.mark.parametrize("equal_variances", [True, False])
def test_make_linear_sem_least_squares_recovers_weights(noise, equal_variances):
    X, W = make_linear_sem(
        n_samples=20_000,
        n_nodes=10,
        edges_per_node=2.0,
        noise=noise,
        equal_variances=equal_variances,
        random_state=3,
    )
    assert (W != 0).sum() > 10
    for j in range(W.shape[1]):
        parents = np.flatnonzero(W[:, j])
        if parents.size == 0:
            continue
        coef, *_ = np.linalg.lstsq(X[:, parents], X[:, j], rcond=None)
        np.testing.assert_allclose(coef, W[parents, j], atol=0.05)


def test_make_linear_sem_unequal_variances():
    X, W, scale = make_linear_sem(
        n_samples=50_000,
        n_nodes=8,
        noise_scale=2.0,
        equal_variances=False,
        return_noise_scale=True,
        random_state=4,
    )
    assert scale.shape == (8,)
    assert np.all((scale >= 1.0) & (scale <= 3.0))
    assert np.ptp(scale) > 0.5
    np.testing.assert_allclose((X - X @ W).std(axis=0), scale, rtol=0.03)


def test_make_linear_sem_equal_variances_returns_constant_scale():
    *_, scale = make_linear_sem(
        n_samples=10,
        n_nodes=4,
        noise_scale=0.3,
        return_noise_scale=True,
        random_state=0,
    )
    np.testing.assert_array_equal(scale, np.full(4, 0.3))


def test_make_linear_sem_given_adjacency():
    # 3 -> 0 -> 2 <- 1 (labels not in causal order)
    adjacency = np.zeros((4, 4), dtype=bool)
    adjacency[3, 0] = adjacency[0, 2] = adjacency[1, 2] = True
    X, W = make_linear_sem(
        n_samples=20_000, n_nodes=99, adjacency=adjacency, random_state=0
    )
    assert X.shape == (20_000, 4)
    np.testing.assert_array_equal(W != 0, adjacency)
    residual = X - X @ W
    np.testing.assert_allclose(residual.std(axis=0), 1.0, rtol=0.03)
    # Weighted adjacency is accepted too; only its support is used.
    _, W2 = make_linear_sem(n_samples=5, adjacency=adjacency * 7.5, random_state=0)
    np.testing.assert_array_equal(W2 != 0, adjacency)


@pytest.mark.parametrize(
    ("adjacency", "match"),
    [
        ([[0, 1], [1, 0]], "not a DAG"),
        ([[1, 0], [0, 0]], "not a DAG"),
        ([[0, 1, 0]], "square"),
        (np.zeros((2, 2, 2)), "square"),
        ([[0, np.nan], [0, 0]], "NaN"),
    ],
)
def test_make_linear_sem_rejects_bad_adjacency(adjacency, match):
    with pytest.raises(ValueError, match=match):
        make_linear_sem(n_samples=5, adjacency=adjacency)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_samples": 0}, ValueError, "n_samples"),
        ({"n_samples": 10.0}, TypeError, "n_samples"),
        ({"noise": "cauchy"}, ValueError, "noise must be one of"),
        ({"noise_scale": 0.0}, ValueError, "noise_scale"),
        ({"weight_range": (2.0, 1.0)}, ValueError, "weight_range"),
        ({"weight_range": (-1.0, 1.0)}, ValueError, "weight_range"),
        ({"weight_range": (0.0, 0.0)}, ValueError, "weight_range"),
        ({"weight_range": 1.0}, ValueError, "weight_range"),
        ({"graph_type": "BA"}, ValueError, "graph_type"),
        ({"n_nodes": 0}, ValueError, "n_nodes"),
    ],
)
def test_make_linear_sem_validation(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_linear_sem(**kwargs)
