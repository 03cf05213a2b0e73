"""PC-stable with Fisher-z: skcausal against causal-learn; KCI test times.

Data: linear Gaussian SEMs with equal noise variances on Erdős–Rényi DAGs with
d or 2 d expected edges ("ER1", "ER2"), n = 1000, weights uniform in ±[0.5, 2]
(``skcausal.datasets.make_linear_sem``). Every method runs PC-stable with Fisher-z
at alpha = 0.01 and no limit on the conditioning sets. The collider rule is the
same on both sides for the "standard" rows: a collider when the middle node is
not in the separating set, triples visited in lexicographic order, a collider not
oriented when one of its edges already points out of the middle node
(causal-learn's ``uc_rule=0, uc_priority=2``); then Meek's rules. Accuracy is the
SHD between CPDAGs (``dag_to_cpdag`` of the truth), skeleton TPR/FDR, and, for
causal-learn, whether its skeleton and CPDAG equal skcausal's on the same data.

``python -m benchmarks.bench_pc --kci`` runs the second benchmark of this file
(``pc_kci``): the time of one KCI test, unconditional and given one variable, at
n = 500, 1000, 2000, skcausal against causal-learn's ``KCI``.

References: Spirtes, Glymour & Scheines, "Causation, Prediction, and Search",
2000; Colombo & Maathuis, JMLR 2014; Zhang, Peters, Janzing & Schoelkopf, UAI 2011;
Zheng et al., "causal-learn", JMLR 2024.
"""

import sys

import numpy as np

from benchmarks.harness import Benchmark, Case, Column, Method, Problem, main

ALPHA = 0.01
N_SAMPLES = 1000


# -- PC cases ---------------------------------------------------------------------
def _linear_sem(n_nodes: int, edges_per_node: float):
    def generate(seed: int) -> Problem:
        from skcausal.datasets import make_linear_sem
        from skcausal.graph import dag_to_cpdag

        X, W = make_linear_sem(
            n_samples=N_SAMPLES,
            n_nodes=n_nodes,
            graph_type="ER",
            edges_per_node=edges_per_node,
            noise="gaussian",
            equal_variances=True,
            random_state=seed,
        )
        return Problem(data={"X": X}, truth={"adjacency": W, "cpdag": dag_to_cpdag(W)})

    return generate


def make_cases(quick: bool) -> list[Case]:
    sizes = (20, 50) if quick else (50, 100, 200)
    cases = []
    for d in sizes:
        for k in (1, 2):
            cases.append(
                Case(
                    name=f"ER{k} d={d}",
                    params={
                        "generator": "make_linear_sem",
                        "n_samples": N_SAMPLES,
                        "n_nodes": d,
                        "graph_type": "ER",
                        "edges_per_node": float(k),
                        "noise": "gaussian",
                        "equal_variances": True,
                        "alpha": ALPHA,
                    },
                    generate=_linear_sem(d, float(k)),
                    seeds=(0,) if quick else ((0, 1, 2) if d < 200 else (0, 1)),
                    family="PC-stable, Fisher-z, alpha = 0.01, n = 1000",
                )
            )
    return cases


# -- PC adapters: each returns a CPDAG with A[i, j] != 0 meaning i -> j -------------
def _skcausal_pc(orientation: str):
    def fit(data, seed):
        from skcausal.discovery._pc import PC

        return PC(alpha=ALPHA, ci_test="fisherz", orientation=orientation).fit(
            data["X"]
        )

    return fit


def _causallearn_fit(data, seed):
    from causallearn.search.ConstraintBased.PC import pc

    return pc(
        data["X"],
        alpha=ALPHA,
        indep_test="fisherz",
        stable=True,
        uc_rule=0,
        uc_priority=2,
        show_progress=False,
    )


def _causallearn_cpdag(cg, data) -> np.ndarray:
    # causal-learn: G[i, j] = -1 and G[j, i] = 1 is i -> j; -1/-1 is i - j;
    # 1/1 (i <-> j, from conflicting colliders) becomes an undirected edge here.
    G = np.asarray(cg.G.graph)
    directed = (G == -1) & (G.T == 1)
    undirected = ((G == -1) & (G.T == -1)) | ((G == 1) & (G.T == 1))
    return (directed | undirected).astype(float)


def make_methods() -> list[Method]:
    return [
        Method(
            "skcausal PC (standard)",
            "skcausal",
            "PC",
            _skcausal_pc("standard"),
            lambda model, data: model.adjacency_matrix_,
            ("skcausal.discovery._pc",),
            notes=(
                "orientation='standard'; adjacency_matrix_[i, j] != 0 is i -> j, "
                "undirected edges in both directions."
            ),
        ),
        Method(
            "skcausal PC (majority)",
            "skcausal",
            "PC",
            _skcausal_pc("majority"),
            lambda model, data: model.adjacency_matrix_,
            ("skcausal.discovery._pc",),
            notes=(
                "orientation='majority' (the default): order-independent colliders "
                "(Colombo & Maathuis, 2014), a different rule from causal-learn's."
            ),
        ),
        Method(
            "causal-learn pc",
            "causal-learn",
            "PC",
            _causallearn_fit,
            _causallearn_cpdag,
            ("causallearn.search.ConstraintBased.PC",),
            notes=(
                "pc(stable=True, indep_test='fisherz', uc_rule=0, uc_priority=2); "
                "cg.G.graph converted: -1/1 is i -> j, -1/-1 and 1/1 undirected. "
                "The same rule as skcausal's 'standard': a collider when the middle "
                "node is in no separating set found at the removal level, triples "
                "by middle node, existing colliders first, then Meek's R1-R3 in "
                "order, skipping orientations that close a cycle."
            ),
        ),
    ]


def score(problem: Problem, output) -> dict:
    from skcausal.metrics import edge_metrics, structural_hamming_distance

    estimated = np.asarray(output, dtype=float) != 0
    truth = problem.truth["cpdag"] != 0
    skeleton = estimated | estimated.T
    true_skeleton = truth | truth.T
    sk = edge_metrics(np.triu(true_skeleton), np.triu(skeleton))
    # the first method on a problem (skcausal PC, standard) is the reference for
    # agreement: later methods report whether they found the same graphs
    reference = problem.truth.setdefault("_reference", estimated)
    ref_skeleton = reference | reference.T
    return {
        "shd": structural_hamming_distance(truth, estimated),
        "skeleton_tpr": sk["tpr"],
        "skeleton_fdr": sk["fdr"],
        "same_skeleton": float(np.array_equal(skeleton, ref_skeleton)),
        "same_cpdag": float(np.array_equal(estimated, reference)),
        "n_edges": float(np.count_nonzero(np.triu(skeleton))),
        "n_true": float(np.count_nonzero(np.triu(true_skeleton))),
    }


BENCHMARK = Benchmark(
    name="pc",
    title="PC-stable with Fisher-z on linear Gaussian ER graphs (n = 1000)",
    description=(
        "Linear Gaussian equal-variance SEMs on Erdős–Rényi DAGs with d (ER1) or 2d "
        "(ER2) expected edges, n = 1000; PC-stable with Fisher-z, alpha = 0.01, no "
        "limit on the conditioning sets, the same data in the same process, "
        "single-threaded BLAS. SHD compares CPDAGs (a reversed or wrongly "
        "(un)directed edge counts once); 'Same skeleton' / 'Same CPDAG' give the "
        "share of seeds on which a method's graph equals skcausal's standard PC."
    ),
    make_cases=make_cases,
    make_methods=make_methods,
    score=score,
    columns=[
        Column("shd", "CPDAG SHD", ".1f"),
        Column("skeleton_tpr", "Skeleton TPR", ".2f"),
        Column("skeleton_fdr", "Skeleton FDR", ".2f"),
        Column("same_skeleton", "Same skeleton", ".0%", spread=False),
        Column("same_cpdag", "Same CPDAG", ".0%", spread=False),
        Column("n_edges", "Edges found", ".1f", spread=False),
        Column("n_true", "True edges", ".1f", spread=False),
    ],
    budget_s=300.0,
)


# -- KCI: time of one test ----------------------------------------------------------
def _kci_problem(n: int):
    def generate(seed: int) -> Problem:
        rng = np.random.default_rng(seed)
        z = rng.normal(size=n)
        x = np.sin(2 * z) + 0.3 * rng.normal(size=n)
        y = z**2 + 0.3 * rng.normal(size=n)
        # x, y dependent (through z), independent given z
        return Problem(data={"X": np.column_stack([x, y, z])}, truth={})

    return generate


def make_kci_cases(quick: bool) -> list[Case]:
    sizes = (200, 500) if quick else (500, 1000, 2000)
    return [
        Case(
            name=f"n={n}",
            params={"n_samples": n, "model": "x = sin(2z) + e, y = z^2 + e"},
            generate=_kci_problem(n),
            seeds=(0, 1),
            family="One KCI test on 3 variables",
        )
        for n in sizes
    ]


def _skcausal_kci(conditional: bool):
    def fit(data, seed):
        from skcausal.independence import KCI

        return KCI().fit(data["X"]).pvalue(0, 1, [2] if conditional else [])

    return fit


def _causallearn_kci(conditional: bool):
    def fit(data, seed):
        from causallearn.utils.cit import CIT

        test = CIT(data["X"], "kci")
        return test(0, 1, [2] if conditional else [])

    return fit


def make_kci_methods() -> list[Method]:
    notes = "fit = one p-value, from the raw data (kernels included)."
    methods = []
    for conditional, group in ((False, "KCI x ⊥ y"), (True, "KCI x ⊥ y | z")):
        methods += [
            Method(
                f"skcausal {group}",
                "skcausal",
                group,
                _skcausal_kci(conditional),
                lambda p, data: p,
                ("skcausal.independence",),
                notes="trace identities for the gamma moments; " + notes,
            ),
            Method(
                f"causal-learn {group}",
                "causal-learn",
                group,
                _causallearn_kci(conditional),
                lambda p, data: p,
                ("causallearn.utils.cit",),
                notes="CIT(X, 'kci') with its defaults (gamma approximation); " + notes,
            ),
        ]
    return methods


def score_kci(problem: Problem, output) -> dict:
    return {"pvalue": float(output), "rejects": float(output < 0.05)}


KCI_BENCHMARK = Benchmark(
    name="pc_kci",
    title="KCI: time of one conditional-independence test",
    description=(
        "One KCI test of x ⊥ y (dependent) and of x ⊥ y | z (true) on "
        "x = sin(2z) + e, y = z^2 + e, e ~ N(0, 0.3^2), with each library's default "
        "kernel widths and the gamma approximation of the null, single-threaded BLAS."
    ),
    make_cases=make_kci_cases,
    make_methods=make_kci_methods,
    score=score_kci,
    columns=[
        Column("pvalue", "p-value", ".3f"),
        Column("rejects", "Rejects at 0.05", ".0%", spread=False),
    ],
    budget_s=600.0,
)

if __name__ == "__main__":
    argv = sys.argv[1:]
    if "--kci" in argv:
        argv.remove("--kci")
        raise SystemExit(main(KCI_BENCHMARK, argv))
    raise SystemExit(main(BENCHMARK, argv))
