"""Linear DAGMA: skcausal against the reference package ``dagma``.

Data: linear Gaussian SEMs with equal noise variances on Erdős–Rényi ("ER2") and
scale-free ("SF2") DAGs with 2 d expected edges, n = 1000, weights uniform in
±[0.5, 2] (``skcausal.datasets.make_linear_sem``), as simulated and with every column
standardised (which removes the variance ordering least-squares methods exploit;
Reisach, Seiler & Weichwald, NeurIPS 2021). Both DAGMA implementations get the same
array, ``lambda1 = 0.02`` (the package's recommended linear value) and
``w_threshold = 0.3``, and the package's default central path (T = 5, mu from 1 by a
factor 0.1, s = 1.0 ... 0.6). skcausal NOTEARS (its defaults) and SortNRegress (the
varsortability yardstick, when present) are shown next to them.

References: Bello, Aragam & Ravikumar, "DAGMA", NeurIPS 2022; Zheng et al., "DAGs
with NO TEARS", NeurIPS 2018; Reisach, Seiler & Weichwald, "Beware of the simulated
DAG!", NeurIPS 2021.
"""

import importlib.util
import os

import numpy as np

from benchmarks.harness import Benchmark, Case, Column, Method, Problem, main

# dagma draws a tqdm progress bar on every fit; tqdm reads this when imported.
os.environ.setdefault("TQDM_DISABLE", "1")

LAMBDA1 = 0.02
W_THRESHOLD = 0.3
N_SAMPLES = 1000
EDGES_PER_NODE = 2.0

RAW = "Raw scale, as simulated"
STANDARDIZED = "Standardised columns (same SEMs, each variable scaled to unit variance)"


def _linear_sem(graph_type: str, n_nodes: int, standardize: bool):
    def generate(seed: int) -> Problem:
        from skcausal.datasets import make_linear_sem

        X, W = make_linear_sem(
            n_samples=N_SAMPLES,
            n_nodes=n_nodes,
            graph_type=graph_type,
            edges_per_node=EDGES_PER_NODE,
            noise="gaussian",
            equal_variances=True,
            random_state=seed,
        )
        if standardize:
            X = (X - X.mean(axis=0)) / X.std(axis=0)
        return Problem(data={"X": X}, truth={"adjacency": W})

    return generate


def make_cases(quick: bool) -> list[Case]:
    sizes = (20, 50) if quick else (20, 50, 100)
    seeds = (0, 1, 2) if quick else tuple(range(5))
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
            generate=_linear_sem(graph_type, d, family == STANDARDIZED),
            seeds=seeds,
            family=family,
        )
        for family in (RAW, STANDARDIZED)
        for d in sizes
        for graph_type in ("ER", "SF")
    ]


# -- adapters ---------------------------------------------------------------------
# Each returns a graph with A[i, j] != 0 meaning i -> j (the skcausal convention).


def _skcausal_dagma(data, seed):
    from skcausal.discovery._dagma import DAGMA

    return DAGMA(lambda1=LAMBDA1, w_threshold=W_THRESHOLD).fit(data["X"])


def _skcausal_notears(data, seed):
    from skcausal.discovery import NOTEARS

    return NOTEARS(w_threshold=W_THRESHOLD).fit(data["X"])


def _skcausal_sortnregress(data, seed):
    from skcausal.discovery._sortnregress import SortNRegress

    return SortNRegress().fit(data["X"])


def _dagma_fit(data, seed):
    from dagma.linear import DagmaLinear

    # DagmaLinear.fit centres X in place: hand it a copy.
    return DagmaLinear(loss_type="l2").fit(
        data["X"].copy(), lambda1=LAMBDA1, w_threshold=W_THRESHOLD
    )


def make_methods() -> list[Method]:
    methods = [
        Method(
            "skcausal DAGMA",
            "skcausal",
            "linear",
            _skcausal_dagma,
            lambda model, data: model.adjacency_matrix_,
            ("skcausal.discovery._dagma",),
            notes=(
                "adjacency_matrix_[i, j] != 0 is i -> j; each central-path problem "
                "solved by OWL-QN on sufficient statistics; the output is always a DAG."
            ),
        ),
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
        Method(
            "skcausal NOTEARS",
            "skcausal",
            "linear",
            _skcausal_notears,
            lambda model, data: model.adjacency_matrix_,
            ("skcausal.discovery",),
            notes="lambda1 = 0.1 (its default), w_threshold = 0.3.",
        ),
    ]
    if importlib.util.find_spec("skcausal.discovery._sortnregress") is not None:
        methods.append(
            Method(
                "skcausal SortNRegress",
                "skcausal",
                "linear",
                _skcausal_sortnregress,
                lambda model, data: model.adjacency_matrix_,
                ("skcausal.discovery._sortnregress",),
                notes=(
                    "the varsortability baseline (defaults): sort by marginal "
                    "variance, then sparse regression on the predecessors."
                ),
            )
        )
    return methods


def score(problem: Problem, output) -> dict:
    from skcausal.graph import is_dag
    from skcausal.metrics import edge_metrics

    estimated = np.asarray(output, dtype=float)
    metrics = edge_metrics(problem.truth["adjacency"] != 0, estimated != 0)
    return {
        "shd": metrics["shd"],
        "tpr": metrics["tpr"],
        "fdr": metrics["fdr"],
        "n_estimated": metrics["n_estimated"],
        "n_true": metrics["n_true"],
        "dag": float(is_dag(estimated)),
    }


BENCHMARK = Benchmark(
    name="dagma",
    title="Linear DAGMA on ER2 and SF2 Gaussian SEMs (n = 1000)",
    description=(
        "Linear Gaussian equal-variance SEMs on Erdős–Rényi and scale-free DAGs with "
        "2d expected edges, n = 1000, as simulated and with standardised columns; "
        "both DAGMA implementations use lambda1 = 0.02, w_threshold = 0.3 and the "
        "package's default central path, on the same data in the same process, "
        "single-threaded BLAS. Time ratios are against skcausal DAGMA."
    ),
    make_cases=make_cases,
    make_methods=make_methods,
    score=score,
    columns=[
        Column("shd", "SHD", ".1f"),
        Column("tpr", "TPR", ".2f"),
        Column("fdr", "FDR", ".2f"),
        Column("n_estimated", "Edges found", ".1f", spread=False),
        Column("n_true", "True edges", ".1f", spread=False),
        Column("dag", "Acyclic", ".0%", spread=False),
    ],
    budget_s=120.0,
)

if __name__ == "__main__":
    raise SystemExit(main(BENCHMARK))
