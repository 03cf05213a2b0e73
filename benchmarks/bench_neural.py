"""Neural effect learners: TARNet, CFR (Wasserstein) and Dragonnet on IHDP and at scale.

IHDP (Hill 2011): the 10 "npci" replications, read at run time from
``$SKCAUSAL_BENCH_DATA/ihdp`` (default ``../shared/data/ihdp`` beside the repository)
and skipped when absent; each replication holds out a seeded 10 % of its units, as in
``bench_meta_learners.py``. Reported: sqrt(PEHE) against ``mu1 - mu0`` on the training
rows (in) and the held-out rows (out), and the in-sample ATE error of each learner's
``ate(X)`` on the training rows (Dragonnet's truncates on its propensity head).

Scale: ``make_treatment_data`` (nonlinear outcome, heterogeneous effect, 5 features)
with n = 50,000 training rows (quick: 10,000) and 2,000 held-out rows; run with
``--memory`` for the traced peak.

Every skcausal learner runs with its defaults (numpy engine, float32, single BLAS
thread) and ``random_state`` = the replication number. CausalML's DragonNet (the
framework-based reference of issue 7) is listed as a peer; it is not installed in the
benchmark environment (it needs tensorflow or jax, which are not installed on
purpose), so its rows read "not installed".

References: Shalit, Johansson & Sontag, ICML 2017; Shi, Blei & Veitch, NeurIPS 2019;
Hill, JCGS 2011.
"""

import sys

import numpy as np

from benchmarks.bench_meta_learners import (
    IHDP_TEST_SHARE,
    N_FEATURES,
    N_TEST,
    _ihdp,
    _synthetic,
    ihdp_folder,
)
from benchmarks.harness import Benchmark, Case, Column, Method, Problem, main

CFR_PARAMS = {"ipm": "wasserstein", "ipm_weight": 0.03}


def make_cases(quick: bool) -> list[Case]:
    replications = (1, 2, 3) if quick else tuple(range(1, 11))
    cases = []
    missing = [
        r for r in replications if not (ihdp_folder() / f"ihdp_npci_{r}.csv").is_file()
    ]
    if missing:
        print(
            f"IHDP skipped: replications {missing} not found in {ihdp_folder()}",
            file=sys.stderr,
        )
    else:
        cases.append(
            Case(
                name="IHDP",
                params={
                    "source": "ihdp_npci_{"
                    + f"{replications[0]}..{replications[-1]}"
                    + "}.csv",
                    "test_share": IHDP_TEST_SHARE,
                },
                generate=_ihdp,
                seeds=replications,
                family=f"IHDP (replications {replications[0]}-{replications[-1]}, "
                "10 % held out)",
            )
        )
    n = 10_000 if quick else 50_000
    cases.append(
        Case(
            name=f"synthetic n={n}",
            params={
                "generator": "make_treatment_data",
                "n_samples": n,
                "n_test": N_TEST,
                "n_features": N_FEATURES,
                "outcome": "nonlinear",
                "effect": "heterogeneous",
            },
            generate=_synthetic(n),
            seeds=(0,),
            family="Synthetic (make_treatment_data)",
        )
    )
    return cases


# -- adapters ------------------------------------------------------------------------


def _skcausal(name, **params):
    def fit(data, seed):
        from skcausal.effects import _neural

        learner = getattr(_neural, name)(random_state=seed, **params)
        return learner.fit(data["X"], data["y"], treatment=data["treatment"])

    return fit


def _skcausal_predict(model, data):
    return {
        "train": model.predict(data["X"]),
        "test": model.predict(data["X_test"]),
        "ate": model.ate(data["X"]),
    }


def _causalml_dragonnet(data, seed):
    from causalml.inference.tf import DragonNet

    model = DragonNet(neurons_per_layer=200, targeted_reg=True, verbose=False)
    model.fit(data["X"], data["treatment"], data["y"])
    return model


def _causalml_predict(model, data):
    return {
        "train": np.ravel(model.predict_tau(data["X"])),
        "test": np.ravel(model.predict_tau(data["X_test"])),
    }


def make_methods() -> list[Method]:
    return [
        Method(
            "skcausal TARNet",
            "skcausal",
            "TARNet",
            _skcausal("TARNet"),
            _skcausal_predict,
            ("skcausal.effects._neural",),
            notes="defaults: representation (200, 200, 200), heads (100, 100), ELU, "
            "Adam 1e-3, batch 64, weight_decay 0.03, early stopping on 20 %.",
        ),
        Method(
            "skcausal CFR-Wass",
            "skcausal",
            "CFR",
            _skcausal("TARNet", **CFR_PARAMS),
            _skcausal_predict,
            ("skcausal.effects._neural",),
            notes=f"TARNet with {CFR_PARAMS}: normalised representation, arms "
            "reweighted to equal total weight (ipm_weight chosen by validation "
            "factual loss and the nearest-neighbour PEHE proxy on IHDP 1-5).",
        ),
        Method(
            "skcausal Dragonnet",
            "skcausal",
            "Dragonnet",
            _skcausal("Dragonnet"),
            _skcausal_predict,
            ("skcausal.effects._neural",),
            notes="defaults (weight_decay 0.06, targeted_reg 1.0); CATE from the "
            "epsilon-perturbed heads, ATE over units with propensity in [0.01, 0.99].",
        ),
        Method(
            "CausalML DragonNet",
            "causalml",
            "Dragonnet",
            _causalml_dragonnet,
            _causalml_predict,
            ("causalml.inference.tf",),
            notes="fit(X, treatment, y), predict_tau(X); needs tensorflow/jax, not "
            "installed in the benchmark environment.",
        ),
    ]


def score(problem: Problem, output) -> dict:
    from skcausal.metrics import ate_error, pehe

    train = np.ravel(output["train"])
    test = np.ravel(output["test"])
    truth = problem.truth
    return {
        "pehe_in": pehe(truth["cate"], train),
        "pehe_out": pehe(truth["cate_test"], test),
        "ate_error": ate_error(
            float(np.mean(truth["cate"])), float(output.get("ate", np.mean(train)))
        ),
    }


BENCHMARK = Benchmark(
    name="neural",
    title="Neural effect learners (numpy engine)",
    description=(
        "TARNet, CFR with the Sinkhorn-Wasserstein penalty and Dragonnet with their "
        "defaults on the numpy engine, single-threaded BLAS, the same data in the same "
        "process. sqrt(PEHE) is the root mean squared error of the estimated CATE on "
        "the training rows (in) and on held-out rows (out); the ATE error is "
        "in-sample. CausalML's DragonNet is not installed (no tensorflow/jax)."
    ),
    make_cases=make_cases,
    make_methods=make_methods,
    score=score,
    columns=[
        Column("pehe_in", "√PEHE in", ".3f"),
        Column("pehe_out", "√PEHE out", ".3f"),
        Column("ate_error", "ATE error", ".3f"),
    ],
)

if __name__ == "__main__":
    raise SystemExit(main(BENCHMARK))
