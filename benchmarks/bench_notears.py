"""Linear NOTEARS: skcausal against gCastle (and DAGMA as a second reference).

Data: linear Gaussian SEMs with equal noise variances on Erdős–Rényi DAGs with
2 d expected edges ("ER2"), n = 1000, weights uniform in ±[0.5, 2]
(``skcausal.datasets.make_linear_sem``); three seeds per size. Every method gets
the same array, the same L1 strength ``lambda1 = 0.1`` and edge threshold
``w_threshold = 0.3``; accuracy is measured against the true DAG with
``skcausal.metrics`` (SHD counts a reversed edge once).

The same SEMs are also run with every column standardised: with equal noise
variances, the marginal variance grows along the causal order ("varsortability"), and
least-squares methods exploit it; on standardised data that cue is gone (Reisach,
Seiler & Weichwald, "Beware of the simulated DAG!", NeurIPS 2021).

References: Zheng, Aragam, Ravikumar & Xing, "DAGs with NO TEARS", NeurIPS 2018;
Bello, Aragam & Ravikumar, "DAGMA", NeurIPS 2022; Zhang et al., "gCastle", 2021.
"""

import logging
import os

import numpy as np

from benchmarks.harness import Benchmark, Case, Column, Method, Problem, main

# dagma draws a tqdm progress bar on every fit; tqdm reads this when imported.
os.environ.setdefault("TQDM_DISABLE", "1")

LAMBDA1 = 0.1
W_THRESHOLD = 0.3
MAX_ITER = 100  # outer (augmented Lagrangian) iterations, gCastle's default too
H_TOL = 1e-8
RHO_MAX = 1e16
N_SAMPLES = 1000
EDGES_PER_NODE = 2.0


def _linear_sem(n_nodes: int, standardize: bool):
    def generate(seed: int) -> Problem:
        from skcausal.datasets import make_linear_sem

        X, W = make_linear_sem(
            n_samples=N_SAMPLES,
            n_nodes=n_nodes,
            graph_type="ER",
            edges_per_node=EDGES_PER_NODE,
            noise="gaussian",
            equal_variances=True,
            random_state=seed,
        )
        if standardize:
            X = (X - X.mean(axis=0)) / X.std(axis=0)
        return Problem(data={"X": X}, truth={"adjacency": W})

    return generate


RAW = "Raw scale, as simulated"
STANDARDIZED = "Standardised columns (same SEMs, each variable scaled to unit variance)"


def make_cases(quick: bool) -> list[Case]:
    sizes = {RAW: (10, 20), STANDARDIZED: (10,)} if quick else {RAW: (10, 20, 50)}
    sizes.setdefault(STANDARDIZED, sizes[RAW])
    return [
        Case(
            name=f"ER2 d={d}" + (" std" if family == STANDARDIZED else ""),
            params={
                "generator": "make_linear_sem",
                "n_samples": N_SAMPLES,
                "n_nodes": d,
                "graph_type": "ER",
                "edges_per_node": EDGES_PER_NODE,
                "noise": "gaussian",
                "equal_variances": True,
                "standardized": family == STANDARDIZED,
            },
            generate=_linear_sem(d, family == STANDARDIZED),
            seeds=(0, 1, 2),
            family=family,
        )
        for family in (RAW, STANDARDIZED)
        for d in sizes[family]
    ]


# -- adapters ---------------------------------------------------------------------
# Each returns a graph with A[i, j] != 0 meaning i -> j (the skcausal convention).


def _skcausal(**extra):
    def fit(data, seed):
        from skcausal.discovery import NOTEARS

        model = NOTEARS(
            lambda1=LAMBDA1,
            w_threshold=W_THRESHOLD,
            max_iter=MAX_ITER,
            h_tol=H_TOL,
            rho_max=RHO_MAX,
            **extra,
        )
        return model.fit(data["X"])

    return fit


def _gcastle_fit(data, seed):
    from castle.algorithms import Notears

    # gCastle configures the root logger at INFO and logs every inner solve.
    logging.getLogger().setLevel(logging.WARNING)
    model = Notears(
        lambda1=LAMBDA1,
        loss_type="l2",
        max_iter=MAX_ITER,
        h_tol=H_TOL,
        rho_max=RHO_MAX,
        w_threshold=W_THRESHOLD,
    )
    model.learn(data["X"])
    return model


def _dagma_fit(data, seed):
    from dagma.linear import DagmaLinear

    # DagmaLinear.fit centres X in place: hand it a copy.
    return DagmaLinear(loss_type="l2").fit(
        data["X"].copy(), lambda1=LAMBDA1, w_threshold=W_THRESHOLD
    )


def make_methods() -> list[Method]:
    return [
        Method(
            "skcausal NOTEARS",
            "skcausal",
            "NOTEARS",
            _skcausal(),
            lambda model, data: model.adjacency_matrix_,
            ("skcausal.discovery",),
            notes="adjacency_matrix_[i, j] != 0 is i -> j; the output is always a DAG.",
        ),
        Method(
            "skcausal NOTEARS, refine=True",
            "skcausal",
            "NOTEARS",
            _skcausal(refine=True),
            lambda model, data: model.adjacency_matrix_,
            ("skcausal.discovery",),
            notes=(
                "the same fit, then a hill climb on the equal-variance Gaussian "
                "BIC from the thresholded graph (a skcausal option; no peer has it)."
            ),
        ),
        Method(
            "gCastle Notears",
            "gcastle",
            "NOTEARS",
            _gcastle_fit,
            lambda model, data: np.asarray(model.causal_matrix),
            ("castle.algorithms",),
            notes=(
                "causal_matrix[i, j] = 1 is i -> j (same convention, X ≈ X W); its "
                "acyclicity term is the polynomial tr((I + W∘W/d)^d) - d of Yu et al. "
                "(2019), not the trace exponential; thresholding does not remove "
                "cycles. Needs torch to import."
            ),
        ),
        Method(
            "DAGMA linear",
            "dagma",
            "NOTEARS",
            _dagma_fit,
            lambda W, data: W,
            ("dagma.linear",),
            notes=(
                "a second reference, not NOTEARS: log-det acyclicity, default "
                "schedule (T=5); W[i, j] != 0 is i -> j (X ≈ X W)."
            ),
        ),
    ]


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
    name="notears",
    title="Linear NOTEARS on ER2 Gaussian SEMs (n = 1000)",
    description=(
        "Linear Gaussian equal-variance SEMs on Erdős–Rényi DAGs with 2d expected "
        "edges, n = 1000, three seeds per size, as simulated and with standardised "
        "columns (which removes the variance ordering that least-squares methods "
        "exploit); lambda1 = 0.1 and w_threshold = 0.3 for every method, the same "
        "data in the same process, single-threaded BLAS."
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
    # gCastle needs about 2 minutes per fit at d=20 here: keep it off d=50
    budget_s=60.0,
)

if __name__ == "__main__":
    raise SystemExit(main(BENCHMARK))
