"""Random DAGs and linear structural equation models with known ground truth.

The generators follow the simulation protocol that has become standard for
benchmarking continuous-optimisation structure learners since NOTEARS (Zheng, Aragam,
Ravikumar and Xing, "DAGs with NO TEARS", NeurIPS 2018): an Erdős–Rényi or scale-free
(Barabási–Albert) DAG, edge weights drawn uniformly from ``±[0.5, 2.0]`` and additive
noise of a chosen family. Adjacency matrices follow the package convention:
``W[i, j] != 0`` means the edge ``i -> j``.
"""

from __future__ import annotations

import heapq
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

_GRAPH_TYPES = ("ER", "SF")
_NOISE_TYPES = ("gaussian", "exponential", "gumbel", "uniform")
_VARIANCE_ORDERS = ("random", "decreasing", "increasing")


def _check_int(value, name: str, minimum: int) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return int(value)


def _check_positive(value, name: str) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {value!r}.")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}.")
    return float(value)


def _topological_order(adjacency: np.ndarray) -> np.ndarray | None:
    """Kahn's algorithm on ``adjacency != 0``; ``None`` when the graph has a cycle."""
    edges = adjacency != 0
    n_nodes = edges.shape[0]
    in_degree = edges.sum(axis=0)
    ready = np.flatnonzero(in_degree == 0).tolist()
    heapq.heapify(ready)
    order = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for child in np.flatnonzero(edges[node]):
            in_degree[child] -= 1
            if in_degree[child] == 0:
                heapq.heappush(ready, int(child))
    if len(order) < n_nodes:
        return None
    return np.asarray(order, dtype=int)


def _permute_labels(ordered: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
    """Relabel a DAG in which node ``a`` has rank ``a``: node ``perm[a]`` gets it."""
    perm = rng.permutation(ordered.shape[0])
    dag = np.zeros_like(ordered)
    dag[np.ix_(perm, perm)] = ordered
    return dag


def _erdos_renyi(n_nodes: int, edges_per_node: float, rng) -> np.ndarray:
    """Strictly upper-triangular ER DAG, ``edges_per_node * n_nodes`` edges expected."""
    if n_nodes < 2:
        return np.zeros((n_nodes, n_nodes))
    prob = min(1.0, 2.0 * edges_per_node / (n_nodes - 1))
    draws = rng.uniform(size=(n_nodes, n_nodes)) < prob
    return np.triu(draws, k=1).astype(float)


def _barabasi_albert(n_nodes: int, edges_per_node: float, rng) -> np.ndarray:
    """Undirected preferential-attachment graph (symmetric 0/1 matrix).

    Node ``t`` joins with ``m_t`` links, ``m_t`` being ``floor(k)`` or ``ceil(k)`` so
    that its mean is ``k = edges_per_node``; targets are drawn without replacement
    among the ``t`` existing nodes with probability proportional to degree + 1 (the
    offset lets a node that joined without links be reached).
    """
    graph = np.zeros((n_nodes, n_nodes))
    degree = np.zeros(n_nodes)
    base = int(np.floor(edges_per_node))
    frac = edges_per_node - base
    for t in range(1, n_nodes):
        n_links = min(t, base + int(rng.uniform() < frac))
        if n_links == 0:
            continue
        weights = degree[:t] + 1.0
        targets = rng.choice(t, size=n_links, replace=False, p=weights / weights.sum())
        graph[t, targets] = graph[targets, t] = 1.0
        degree[targets] += 1.0
        degree[t] += n_links
    return graph


def make_dag(
    n_nodes: int,
    *,
    graph_type: str = "ER",
    edges_per_node: float = 1.0,
    random_state=None,
) -> np.ndarray:
    """Sample a random directed acyclic graph.

    Parameters
    ----------
    n_nodes : int
        Number of nodes ``d`` (>= 1).
    graph_type : {"ER", "SF"}, default="ER"
        ``"ER"`` (Erdős–Rényi): along a random causal order, each of the
        ``d (d - 1) / 2`` pairs is an edge independently with probability
        ``p = min(1, 2 k / (d - 1))``, so the expected number of edges is ``k d``
        (fewer when ``p`` is clipped at 1).
        ``"SF"`` (scale-free): a Barabási–Albert preferential-attachment graph in which
        each new node links to about ``k`` existing nodes (chosen with probability
        proportional to degree + 1), giving about ``k d`` edges; the edges are then
        oriented along an independent random causal order, so hubs have both parents
        and children.
    edges_per_node : float, default=1.0
        ``k``, the expected number of edges per node (> 0).
    random_state : int, RandomState instance or None, default=None
        Seed or generator, as in scikit-learn.

    Returns
    -------
    adjacency : ndarray of shape (n_nodes, n_nodes)
        0/1 float matrix; ``adjacency[i, j] == 1`` means the edge ``i -> j``. Node
        labels are randomly permuted, so the matrix is in general not triangular.

    See Also
    --------
    make_linear_sem : Sample data from a linear SEM on such a graph.

    References
    ----------
    .. [1] P. Erdős and A. Rényi, "On random graphs I", Publicationes Mathematicae,
       1959.
    .. [2] A.-L. Barabási and R. Albert, "Emergence of scaling in random networks",
       Science, 1999.

    Examples
    --------
    >>> from skcausal.datasets import make_dag
    >>> A = make_dag(5, edges_per_node=1.0, random_state=0)
    >>> A.shape
    (5, 5)
    >>> bool((A.diagonal() == 0).all())
    True
    """
    n_nodes = _check_int(n_nodes, "n_nodes", 1)
    if graph_type not in _GRAPH_TYPES:
        raise ValueError(
            f"graph_type must be one of {_GRAPH_TYPES}, got {graph_type!r}."
        )
    edges_per_node = _check_positive(edges_per_node, "edges_per_node")
    rng = check_random_state(random_state)

    if graph_type == "ER":
        ordered = _erdos_renyi(n_nodes, edges_per_node, rng)
    else:
        undirected = _barabasi_albert(n_nodes, edges_per_node, rng)
        # Orient every link from the earlier to the later node of a random order: node
        # ``order[a]`` becomes node ``a`` of an upper-triangular matrix.
        order = rng.permutation(n_nodes)
        ordered = np.triu(undirected[np.ix_(order, order)], k=1)
    return _permute_labels(ordered, rng)


def _check_weight_range(weight_range) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in weight_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"weight_range must be a pair (low, high) of numbers, got {weight_range!r}."
        ) from None
    if (
        not (np.isfinite(low) and np.isfinite(high))
        or not 0 <= low <= high
        or high == 0
    ):
        raise ValueError(
            "weight_range must satisfy 0 <= low <= high with high > 0, "
            f"got {weight_range!r}."
        )
    return low, high


def _check_noise_scale_range(noise_scale_range) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in noise_scale_range)
    except (TypeError, ValueError):
        raise ValueError(
            "noise_scale_range must be a pair (low, high) of numbers, got "
            f"{noise_scale_range!r}."
        ) from None
    if not (np.isfinite(low) and np.isfinite(high)) or not 0 < low <= high:
        raise ValueError(
            "noise_scale_range must satisfy 0 < low <= high, finite, got "
            f"{noise_scale_range!r}."
        )
    return low, high


def _check_adjacency(adjacency) -> np.ndarray:
    adjacency = np.asarray(adjacency)
    if adjacency.ndim != 2 or adjacency.shape[0] != adjacency.shape[1]:
        raise ValueError(
            f"adjacency must be a square 2-D array, got shape {adjacency.shape}."
        )
    if adjacency.shape[0] < 1:
        raise ValueError("adjacency must have at least one node.")
    try:
        adjacency = adjacency.astype(float)
    except (TypeError, ValueError):
        raise TypeError("adjacency must be numeric or boolean.") from None
    if not np.isfinite(adjacency).all():
        raise ValueError("adjacency contains NaN or infinite values.")
    edges = (adjacency != 0).astype(float)
    if _topological_order(edges) is None:
        raise ValueError(
            "adjacency is not a DAG: it contains a directed cycle (or a self-loop)."
        )
    return edges


def _standard_noise(noise: str, size: tuple[int, int], rng) -> np.ndarray:
    """Noise of the given family with mean 0 and standard deviation 1."""
    if noise == "gaussian":
        return rng.standard_normal(size)
    if noise == "exponential":
        # Exp(1) has mean 1 and standard deviation 1.
        return rng.standard_exponential(size) - 1.0
    if noise == "gumbel":
        # Standard Gumbel: mean = Euler–Mascheroni constant, std = pi / sqrt(6).
        return (rng.gumbel(size=size) - np.euler_gamma) / (np.pi / np.sqrt(6.0))
    # Uniform(-sqrt(3), sqrt(3)) has standard deviation 1.
    return rng.uniform(-np.sqrt(3.0), np.sqrt(3.0), size=size)


def make_linear_sem(
    n_samples: int = 1000,
    n_nodes: int = 10,
    *,
    graph_type: str = "ER",
    edges_per_node: float = 1.0,
    noise: str = "gaussian",
    noise_scale: float = 1.0,
    equal_variances: bool = True,
    weight_range: tuple[float, float] = (0.5, 2.0),
    adjacency=None,
    return_noise_scale: bool = False,
    variance_order: str = "random",
    noise_scale_range: tuple[float, float] = (0.5, 1.5),
    random_state=None,
):
    """Sample data from a random linear structural equation model (SEM).

    Each variable is a weighted sum of its parents plus independent noise,
    ``X_j = sum_i W[i, j] X_i + e_j``, generated in a causal (topological) order.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of samples (>= 1).
    n_nodes : int, default=10
        Number of variables ``d``. Ignored when ``adjacency`` is given.
    graph_type : {"ER", "SF"}, default="ER"
        Random graph model, see :func:`make_dag`. Ignored when ``adjacency`` is given.
    edges_per_node : float, default=1.0
        Expected number of edges per node. Ignored when ``adjacency`` is given.
    noise : {"gaussian", "exponential", "gumbel", "uniform"}, default="gaussian"
        Family of the additive noise. Every family is centred (mean zero) and scaled so
        that ``e_j`` has standard deviation ``s_j``.
    noise_scale : float, default=1.0
        The noise standard deviation ``s`` (> 0).
    equal_variances : bool, default=True
        If True every node has noise standard deviation ``s``. If False each node draws
        its own standard deviation ``s_j`` uniformly from ``[a s, b s]``, with
        ``(a, b) = noise_scale_range``.
    weight_range : tuple of (float, float), default=(0.5, 2.0)
        Edge weight magnitudes are uniform in ``[low, high]``; each sign is + or - with
        probability 1/2.
    adjacency : array-like of shape (d, d), default=None
        A DAG to use instead of sampling one (nonzero entries are edges,
        ``adjacency[i, j] != 0`` meaning ``i -> j``). A ValueError is raised if it has a
        cycle.
    return_noise_scale : bool, default=False
        If True also return the per-node noise standard deviations.
    variance_order : {"random", "decreasing", "increasing"}, default="random"
        How the unequal noise standard deviations (``equal_variances=False``) are
        placed on the nodes. ``"random"``: independently of the graph.
        ``"decreasing"``: the same draws, sorted so that they decrease along the causal
        (topological) order -- the root nodes get the largest noise, the sinks the
        smallest. This works against the growth of the marginal variance along the
        causal order that least-squares methods exploit (see Notes). ``"increasing"``:
        the reverse, reinforcing it. Any value other than ``"random"`` requires
        ``equal_variances=False``.
    noise_scale_range : tuple of (float, float), default=(0.5, 1.5)
        Range ``(a, b)``, ``0 < a <= b``, of the relative noise standard deviations
        when ``equal_variances=False``; a wider range makes the noise variances more
        unequal. Ignored when ``equal_variances=True``.
    random_state : int, RandomState instance or None, default=None
        Seed or generator, as in scikit-learn.

    Returns
    -------
    X : ndarray of shape (n_samples, d)
        The samples.
    W : ndarray of shape (d, d)
        Weighted adjacency: ``W[i, j]`` is the coefficient of ``X_i`` in the equation of
        ``X_j`` (zero when there is no edge ``i -> j``).
    noise_scale : ndarray of shape (d,)
        Per-node noise standard deviations ``s_j``; only when ``return_noise_scale``.

    See Also
    --------
    make_dag : The random graph used when ``adjacency`` is not given.

    Notes
    -----
    Non-Gaussian noise makes the model identifiable from the data distribution alone
    (LiNGAM, Shimizu et al., JMLR 2006); Gaussian noise with equal variances is
    identifiable too (Peters and Bühlmann, Biometrika 2014), whereas Gaussian noise with
    unequal variances identifies only the Markov equivalence class.

    In such simulations the marginal variance tends to grow along the causal order
    ("varsortability", Reisach, Seiler and Weichwald, NeurIPS 2021), which is what
    least-squares methods such as NOTEARS implicitly exploit: a variable with a
    larger variance is taken to be an effect. ``variance_order="decreasing"`` gives
    the causes larger noise than their effects, so that the equal-variance
    least-squares score prefers reversed edges, while a likelihood with one noise
    variance per node (GOLEM-NV) is unaffected. With weights in ``±[0.5, 2]`` the
    varsortability of the data stays high (0.9 or more with the default
    ``noise_scale_range``); smaller weights or a wider ``noise_scale_range`` lower it.

    References
    ----------
    .. [1] X. Zheng, B. Aragam, P. Ravikumar and E. P. Xing, "DAGs with NO TEARS:
       Continuous optimization for structure learning", NeurIPS 2018.
    .. [2] A. G. Reisach, C. Seiler and S. Weichwald, "Beware of the simulated DAG!
       Causal discovery benchmarks may be easy to game", NeurIPS 2021.

    Examples
    --------
    >>> from skcausal.datasets import make_linear_sem
    >>> X, W = make_linear_sem(n_samples=200, n_nodes=4, random_state=0)
    >>> X.shape, W.shape
    ((200, 4), (4, 4))
    >>> X, W, scale = make_linear_sem(
    ...     n_samples=50,
    ...     n_nodes=3,
    ...     equal_variances=False,
    ...     return_noise_scale=True,
    ...     random_state=0,
    ... )
    >>> scale.shape
    (3,)
    """
    n_samples = _check_int(n_samples, "n_samples", 1)
    if noise not in _NOISE_TYPES:
        raise ValueError(f"noise must be one of {_NOISE_TYPES}, got {noise!r}.")
    if variance_order not in _VARIANCE_ORDERS:
        raise ValueError(
            f"variance_order must be one of {_VARIANCE_ORDERS}, got {variance_order!r}."
        )
    if variance_order != "random" and equal_variances:
        raise ValueError(
            f"variance_order={variance_order!r} orders unequal noise variances; it "
            "requires equal_variances=False."
        )
    scale_low, scale_high = _check_noise_scale_range(noise_scale_range)
    noise_scale = _check_positive(noise_scale, "noise_scale")
    low, high = _check_weight_range(weight_range)
    rng = check_random_state(random_state)

    if adjacency is None:
        edges = make_dag(
            n_nodes,
            graph_type=graph_type,
            edges_per_node=edges_per_node,
            random_state=rng,
        )
    else:
        edges = _check_adjacency(adjacency)
    n_nodes = edges.shape[0]
    order = _topological_order(edges)

    magnitudes = rng.uniform(low, high, size=(n_nodes, n_nodes))
    signs = np.where(rng.uniform(size=(n_nodes, n_nodes)) < 0.5, -1.0, 1.0)
    W = np.where(edges != 0, magnitudes * signs, 0.0)

    if equal_variances:
        scales = np.full(n_nodes, noise_scale)
    else:
        scales = rng.uniform(scale_low, scale_high, size=n_nodes) * noise_scale
        if variance_order != "random":
            # The k-th node of the causal order gets the k-th largest (decreasing) or
            # smallest (increasing) draw; the random draws themselves are unchanged.
            ranked = np.sort(scales)
            if variance_order == "decreasing":
                ranked = ranked[::-1]
            scales = np.empty_like(ranked)
            scales[order] = ranked
    E = _standard_noise(noise, (n_samples, n_nodes), rng) * scales

    X = np.zeros((n_samples, n_nodes))
    for j in order:
        parents = np.flatnonzero(edges[:, j])
        X[:, j] = X[:, parents] @ W[parents, j] + E[:, j]

    if return_noise_scale:
        return X, W, scales
    return X, W
