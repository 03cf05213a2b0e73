"""The linear family side by side: GOLEM-EV, GOLEM-NV, DAGMA, NOTEARS, SortNRegress.

Data: the equal-variance linear Gaussian SEMs of ``bench_dagma.py`` (ER2 and SF2,
n = 1000, weights ±[0.5, 2]) at d = 20 and 50, three seeds, as simulated and
standardised; and ER2 SEMs whose noise standard deviations (drawn in [0.5, 1.5]) are
sorted to *decrease* along the causal order, the setting where the equal-variance
assumption of least squares is wrong and GOLEM-NV's per-node variances should pay off
(Ng, Ghassami & Zhang, NeurIPS 2020). Every method runs with its defaults (GOLEM: the
paper's lambda1 = 2e-2 / 2e-3 and soft DAG penalty 5; DAGMA lambda1 = 0.02; NOTEARS
lambda1 = 0.1) and w_threshold = 0.3. Gaussian equal-variance data identify the DAG,
unequal-variance data only its Markov equivalence class, so both the SHD and the SHD
between CPDAGs are shown; Varsortability is that of the data.

References: Ng, Ghassami & Zhang, "On the role of sparsity and DAG constraints for
learning linear DAGs", NeurIPS 2020; Bello, Aragam & Ravikumar, "DAGMA", NeurIPS
2022; Zheng et al., "DAGs with NO TEARS", NeurIPS 2018; Reisach, Seiler & Weichwald,
"Beware of the simulated DAG!", NeurIPS 2021.
"""

import numpy as np

from benchmarks.bench_dagma import (
    COLUMNS,
    DAGMA_METHOD,
    EDGES_PER_NODE,
    N_SAMPLES,
    SEEDS,
    SORTNREGRESS_METHOD,
    W_THRESHOLD,
    linear_sem,
    sem_cases,
)
from benchmarks.bench_dagma import score as _edge_score
from benchmarks.harness import Benchmark, Case, Column, Method, Problem, main

UNEQUAL = "Unequal noise variances decreasing along the causal order (raw scale, ER2)"


def make_cases(quick: bool) -> list[Case]:
    sizes = (20,) if quick else (20, 50)
    unequal = [
        Case(
            name=f"ER2 d={d} unequal",
            params={
                "generator": "make_linear_sem",
                "n_samples": N_SAMPLES,
                "n_nodes": d,
                "graph_type": "ER",
                "edges_per_node": EDGES_PER_NODE,
                "noise": "gaussian",
                "equal_variances": False,
                "variance_order": "decreasing",
                "noise_scale_range": [0.5, 1.5],
            },
            generate=linear_sem(
                "ER", d, False, equal_variances=False, variance_order="decreasing"
            ),
            seeds=SEEDS,
            family=UNEQUAL,
        )
        for d in sizes
    ]
    return sem_cases(sizes, SEEDS) + unequal


def _golem(equal_variances):
    def fit(data, seed):
        from skcausal.discovery._golem import GOLEM

        return GOLEM(equal_variances=equal_variances, w_threshold=W_THRESHOLD).fit(
            data["X"]
        )

    return fit


def _notears(data, seed):
    from skcausal.discovery import NOTEARS

    return NOTEARS(w_threshold=W_THRESHOLD).fit(data["X"])


def _adjacency(model, data):
    return model.adjacency_matrix_


def make_methods() -> list[Method]:
    return [
        Method(
            "skcausal GOLEM-EV",
            "skcausal",
            "linear",
            _golem(True),
            _adjacency,
            ("skcausal.discovery._golem",),
            notes=(
                "equal-variance likelihood, lambda1 = 2e-2, soft DAG penalty 5, "
                "L-BFGS-B on sufficient statistics (the paper uses Adam on a GPU)."
            ),
        ),
        Method(
            "skcausal GOLEM-NV",
            "skcausal",
            "linear",
            _golem(False),
            _adjacency,
            ("skcausal.discovery._golem",),
            notes=(
                "per-node variances, lambda1 = 2e-3, started from the GOLEM-EV "
                "solution as in the paper; its time includes that first stage."
            ),
        ),
        DAGMA_METHOD,
        Method(
            "skcausal NOTEARS",
            "skcausal",
            "linear",
            _notears,
            _adjacency,
            ("skcausal.discovery",),
            notes="least squares, lambda1 = 0.1 (its default), w_threshold = 0.3.",
        ),
        SORTNREGRESS_METHOD,
    ]


def score(problem: Problem, output) -> dict:
    """The edge metrics of ``bench_dagma`` plus the SHD between CPDAGs."""
    from skcausal.graph import dag_to_cpdag
    from skcausal.metrics import structural_hamming_distance

    metrics = _edge_score(problem, output)
    truth = problem.truth["adjacency"] != 0
    estimated = np.asarray(output) != 0
    metrics["cpdag_shd"] = structural_hamming_distance(
        dag_to_cpdag(truth), dag_to_cpdag(estimated)
    )
    return metrics


BENCHMARK = Benchmark(
    name="golem",
    title="GOLEM next to DAGMA, NOTEARS and SortNRegress (linear Gaussian SEMs)",
    description=(
        "ER2 and SF2 linear Gaussian SEMs, n = 1000, d = 20 and 50, three seeds: "
        "equal noise variances as simulated and standardised, and unequal variances "
        "decreasing along the causal order. Every method with its defaults and "
        "w_threshold = 0.3, on the same data in the same process, single-threaded "
        "BLAS. CPDAG SHD compares Markov equivalence classes (what Gaussian data "
        "with unequal variances identify). Time ratios are against GOLEM-EV."
    ),
    make_cases=make_cases,
    make_methods=make_methods,
    score=score,
    columns=COLUMNS[:1] + [Column("cpdag_shd", "CPDAG SHD", ".1f")] + COLUMNS[1:],
)

if __name__ == "__main__":
    raise SystemExit(main(BENCHMARK))
