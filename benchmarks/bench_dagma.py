"""Linear DAGMA: skcausal against the reference package ``dagma``.

Data: linear Gaussian SEMs with equal noise variances on Erdős–Rényi ("ER2") and
scale-free ("SF2") DAGs with 2 d expected edges, n = 1000, weights uniform in
±[0.5, 2] (``skcausal.datasets.make_linear_sem``), d = 20, 50 and 100, three seeds,
as simulated and with every column standardised (which removes the variance ordering
least-squares methods exploit; Reisach, Seiler & Weichwald, NeurIPS 2021). Both DAGMA
implementations get the same array, ``lambda1 = 0.02`` (the package's recommended
linear value) and ``w_threshold = 0.3``, and the package's default central path
(T = 5, mu from 1 by a factor 0.1, s = 1.0 ... 0.6). SortNRegress, the
varsortability yardstick, runs next to them, and every row shows the varsortability
of the data (``skcausal.metrics.varsortability``). NOTEARS and GOLEM, too slow for
d = 100, are compared with DAGMA in ``bench_golem.py``. skcausal DAGMA runs with its
default ``refine="auto"`` (the thresholded graph improved by a hill climb on the
equal-variance extended BIC, kept only when the BIC prefers equal noise variances).

The environment variable ``BENCH_DAGMA_SIZES`` (comma-separated, e.g. ``50``)
restricts a run to some of the sizes; write such a run to its own ``--output``.

References: Bello, Aragam & Ravikumar, "DAGMA", NeurIPS 2022; Reisach, Seiler &
Weichwald, "Beware of the simulated DAG!", NeurIPS 2021.
"""

import os

import numpy as np

from benchmarks.harness import Benchmark, Case, Column, Method, Problem, main

# dagma draws a tqdm progress bar on every fit; tqdm reads this when imported.
os.environ.setdefault("TQDM_DISABLE", "1")

LAMBDA1 = 0.02
W_THRESHOLD = 0.3
N_SAMPLES = 1000
EDGES_PER_NODE = 2.0
SEEDS = (0, 1, 2)

RAW = "Raw scale, as simulated"
STANDARDIZED = "Standardised columns (same SEMs, each variable scaled to unit variance)"


def linear_sem(graph_type: str, n_nodes: int, standardize: bool, **options):
    """``generate(seed)`` for a linear Gaussian SEM (``options`` go to the maker)."""

    def generate(seed: int) -> Problem:
        from skcausal.datasets import make_linear_sem

        X, W = make_linear_sem(
            n_samples=N_SAMPLES,
            n_nodes=n_nodes,
            graph_type=graph_type,
            edges_per_node=EDGES_PER_NODE,
            noise="gaussian",
            random_state=seed,
            **options,
        )
        if standardize:
            X = (X - X.mean(axis=0)) / X.std(axis=0)
        return Problem(data={"X": X}, truth={"adjacency": W})

    return generate


def sem_cases(sizes, seeds, families=(RAW, STANDARDIZED)) -> list[Case]:
    """ER2 and SF2 equal-variance cases of every size, raw and standardised."""
    return [
        Case(
            name=f"{graph_type}2 d={d}" + (" std" if family == STANDARDIZED else ""),
            params={
                "generator": "make_linear_sem",
                "n_samples": N_SAMPLES,
                "n_nodes": d,
                "graph_type": graph_type,
                "edges_per_node": EDGES_PER_NODE,
                "noise": "gaussian",
                "equal_variances": True,
                "standardized": family == STANDARDIZED,
            },
            generate=linear_sem(
                graph_type, d, family == STANDARDIZED, equal_variances=True
            ),
            seeds=seeds,
            family=family,
        )
        for family in families
        for d in sizes
        for graph_type in ("ER", "SF")
    ]


def make_cases(quick: bool) -> list[Case]:
    sizes = (20, 50) if quick else (20, 50, 100)
    chosen = os.environ.get("BENCH_DAGMA_SIZES")
    if chosen:
        sizes = tuple(int(d) for d in chosen.split(","))
    return sem_cases(sizes, SEEDS)


# -- adapters ---------------------------------------------------------------------
# Each returns a graph with A[i, j] != 0 meaning i -> j (the skcausal convention).


def _skcausal_dagma(data, seed):
    from skcausal.discovery._dagma import DAGMA

    return DAGMA(lambda1=LAMBDA1, w_threshold=W_THRESHOLD).fit(data["X"])


def _skcausal_sortnregress(data, seed):
    from skcausal.discovery._sortnregress import SortNRegress

    return SortNRegress().fit(data["X"])


def _dagma_fit(data, seed):
    from dagma.linear import DagmaLinear

    # DagmaLinear.fit centres X in place: hand it a copy.
    return DagmaLinear(loss_type="l2").fit(
        data["X"].copy(), lambda1=LAMBDA1, w_threshold=W_THRESHOLD
    )


def _adjacency(model, data):
    return model.adjacency_matrix_


DAGMA_METHOD = Method(
    "skcausal DAGMA",
    "skcausal",
    "linear",
    _skcausal_dagma,
    _adjacency,
    ("skcausal.discovery._dagma",),
    notes=(
        "lambda1 = 0.02, w_threshold = 0.3, refine='auto' (the default: hill climb "
        "on the equal-variance extended BIC, gamma = 1, kept only when the BIC "
        "prefers equal noise variances); each central-path problem solved by "
        "OWL-QN on sufficient statistics; the output is always a DAG."
    ),
)

SORTNREGRESS_METHOD = Method(
    "skcausal SortNRegress",
    "skcausal",
    "linear",
    _skcausal_sortnregress,
    _adjacency,
    ("skcausal.discovery._sortnregress",),
    notes=(
        "the varsortability baseline (defaults): sort by marginal variance, then "
        "adaptive-Lasso regression on the predecessors chosen by BIC."
    ),
)


def make_methods() -> list[Method]:
    return [
        DAGMA_METHOD,
        Method(
            "dagma DagmaLinear",
            "dagma",
            "linear",
            _dagma_fit,
            lambda W, data: W,
            ("dagma.linear",),
            notes=(
                "the reference package (Adam, up to 3e4 / 6e4 steps per problem); "
                "W[i, j] != 0 is i -> j (X ≈ X W); its thresholding does not remove "
                "cycles. Installed without torch."
            ),
        ),
        SORTNREGRESS_METHOD,
    ]


def score(problem: Problem, output) -> dict:
    """Edge metrics against the truth, and the data's varsortability."""
    from skcausal.graph import is_dag
    from skcausal.metrics import edge_metrics, varsortability

    truth = problem.truth["adjacency"]
    estimated = np.asarray(output, dtype=float)
    metrics = edge_metrics(truth != 0, estimated != 0)
    return {
        "shd": metrics["shd"],
        "tpr": metrics["tpr"],
        "fdr": metrics["fdr"],
        "n_estimated": metrics["n_estimated"],
        "n_true": metrics["n_true"],
        "dag": float(is_dag(estimated)),
        "varsortability": varsortability(problem.data["X"], truth),
    }


COLUMNS = [
    Column("shd", "SHD", ".1f"),
    Column("tpr", "TPR", ".2f"),
    Column("fdr", "FDR", ".2f"),
    Column("n_estimated", "Edges found", ".1f", spread=False),
    Column("n_true", "True edges", ".1f", spread=False),
    Column("dag", "Acyclic", ".0%", spread=False),
    Column("varsortability", "Varsortability", ".2f", spread=False),
]

BENCHMARK = Benchmark(
    name="dagma",
    title="Linear DAGMA on ER2 and SF2 Gaussian SEMs (n = 1000)",
    description=(
        "Linear Gaussian equal-variance SEMs on Erdős–Rényi and scale-free DAGs with "
        "2d expected edges, n = 1000, d = 20, 50 and 100, three seeds, as simulated "
        "and with standardised columns. Both DAGMA implementations use lambda1 = "
        "0.02, w_threshold = 0.3 and the package's default central path, on the same "
        "data in the same process, single-threaded BLAS; SortNRegress is the "
        "varsortability yardstick, and Varsortability is that of the data (0.5: the "
        "variances say nothing about the causal order). Time ratios are against "
        "skcausal DAGMA."
    ),
    make_cases=make_cases,
    make_methods=make_methods,
    score=score,
    columns=COLUMNS,
    budget_s=None,  # the package runs on every case, d = 100 included
)

if __name__ == "__main__":
    raise SystemExit(main(BENCHMARK))
