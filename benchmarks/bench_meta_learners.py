"""S- and T-learners: skcausal against EconML with the same nuisance models.

Synthetic data: ``skcausal.datasets.make_treatment_data`` (nonlinear outcome,
heterogeneous effect, confounded treatment, 5 features) with n training rows and
2,000 held-out rows drawn in the same call; three seeds per size.

IHDP (Hill 2011): the 10 "npci" replications, read at run time from
``$SKCAUSAL_BENCH_DATA/ihdp`` (default ``../shared/data/ihdp`` beside the repository)
and skipped when absent; each replication holds out a seeded 10 % of its units.

Every learner uses the same outcome model (a fixed gradient-boosting regressor); the
skcausal learners also fit their propensity model (a logistic regression) for the
overlap check, which EconML's meta-learners do not. Reported: sqrt(PEHE) in and out
of sample (``skcausal.metrics.pehe``) and the in-sample ATE error
(``skcausal.metrics.ate_error``).

References: Künzel, Sekhon, Bickel & Yu, "Metalearners for estimating heterogeneous
treatment effects using machine learning", PNAS 2019; Hill, "Bayesian nonparametric
modeling for causal inference", JCGS 2011.
"""

import os
import sys
from pathlib import Path

import numpy as np

from benchmarks.harness import Benchmark, Case, Column, Method, Problem, main

N_FEATURES = 5
N_TEST = 2000
IHDP_TEST_SHARE = 0.1
IHDP_REPLICATIONS = tuple(range(1, 11))
GBR_PARAMS = {
    "n_estimators": 100,
    "max_depth": 3,
    "learning_rate": 0.1,
    "random_state": 0,
}


def _outcome_model():
    from sklearn.ensemble import GradientBoostingRegressor

    return GradientBoostingRegressor(**GBR_PARAMS)


def _propensity_model():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=1000)


# -- cases ---------------------------------------------------------------------------


def _synthetic(n_samples: int):
    def generate(seed: int) -> Problem:
        from skcausal.datasets import make_treatment_data

        data = make_treatment_data(
            n_samples=n_samples + N_TEST,
            n_features=N_FEATURES,
            outcome="nonlinear",
            effect="heterogeneous",
            random_state=seed,
        )
        train, test = slice(0, n_samples), slice(n_samples, None)
        return Problem(
            data={
                "X": data.X[train],
                "y": data.y[train],
                "treatment": data.treatment[train],
                "X_test": data.X[test],
            },
            truth={"cate": data.cate[train], "cate_test": data.cate[test]},
        )

    return generate


def ihdp_folder() -> Path:
    """Where the IHDP csv files are read from (never copied into the repository)."""
    root = os.environ.get("SKCAUSAL_BENCH_DATA")
    if root:
        return Path(root) / "ihdp"
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "ihdp"


def _ihdp(replication: int) -> Problem:
    # columns: treatment, y_factual, y_cfactual, mu0, mu1, x1..x25 (no header)
    table = np.loadtxt(ihdp_folder() / f"ihdp_npci_{replication}.csv", delimiter=",")
    treatment, y, mu0, mu1, X = (
        table[:, 0].astype(int),
        table[:, 1],
        table[:, 3],
        table[:, 4],
        table[:, 5:],
    )
    order = np.random.default_rng(replication).permutation(len(y))
    n_test = int(round(IHDP_TEST_SHARE * len(y)))
    test, train = order[:n_test], order[n_test:]
    cate = mu1 - mu0  # noiseless truth
    return Problem(
        data={
            "X": X[train],
            "y": y[train],
            "treatment": treatment[train],
            "X_test": X[test],
        },
        truth={"cate": cate[train], "cate_test": cate[test]},
    )


def make_cases(quick: bool) -> list[Case]:
    sizes = (2_000,) if quick else (2_000, 20_000)
    cases = [
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
            seeds=(0, 1, 2),
            family="Synthetic (make_treatment_data)",
        )
        for n in sizes
    ]
    missing = [
        r
        for r in IHDP_REPLICATIONS
        if not (ihdp_folder() / f"ihdp_npci_{r}.csv").is_file()
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
                    "source": "ihdp_npci_{1..10}.csv",
                    "test_share": IHDP_TEST_SHARE,
                },
                generate=_ihdp,
                seeds=IHDP_REPLICATIONS,
                family="IHDP (replications 1-10, 10 % held out)",
            )
        )
    return cases


# -- adapters ------------------------------------------------------------------------
# fit(data, seed) -> model; predict returns the CATE on the training and test rows.


def _skcausal(name):
    def fit(data, seed):
        from skcausal import effects

        learner = getattr(effects, name)(
            model_y=_outcome_model(), model_t=_propensity_model(), random_state=seed
        )
        return learner.fit(data["X"], data["y"], treatment=data["treatment"])

    return fit


def _skcausal_predict(model, data):
    return {"train": model.predict(data["X"]), "test": model.predict(data["X_test"])}


def _econml_s(data, seed):
    from econml.metalearners import SLearner

    learner = SLearner(overall_model=_outcome_model())
    return learner.fit(data["y"], data["treatment"], X=data["X"])


def _econml_t(data, seed):
    from econml.metalearners import TLearner

    learner = TLearner(models=_outcome_model())
    return learner.fit(data["y"], data["treatment"], X=data["X"])


def _econml_predict(model, data):
    return {"train": model.effect(data["X"]), "test": model.effect(data["X_test"])}


def make_methods() -> list[Method]:
    econml_note = (
        "fit(Y, T, X=X), effect(X) = CATE; no propensity model. Its S-learner "
        "appends a control and a treated indicator to X (skcausal: one column t)."
    )
    return [
        Method(
            "skcausal SLearner",
            "skcausal",
            "S-learner",
            _skcausal("SLearner"),
            _skcausal_predict,
            ("skcausal.effects",),
            notes=(
                "fit(X, y, treatment=t), predict(X) = CATE; also fits model_t "
                "(LogisticRegression) for the overlap check, inside the timing."
            ),
        ),
        Method(
            "EconML SLearner",
            "econml",
            "S-learner",
            _econml_s,
            _econml_predict,
            ("econml.metalearners",),
            notes=econml_note,
        ),
        Method(
            "skcausal TLearner",
            "skcausal",
            "T-learner",
            _skcausal("TLearner"),
            _skcausal_predict,
            ("skcausal.effects",),
        ),
        Method(
            "EconML TLearner",
            "econml",
            "T-learner",
            _econml_t,
            _econml_predict,
            ("econml.metalearners",),
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
        "ate_error": ate_error(float(np.mean(truth["cate"])), float(np.mean(train))),
    }


BENCHMARK = Benchmark(
    name="meta_learners",
    title="S- and T-learners against EconML",
    description=(
        "The same GradientBoostingRegressor(n_estimators=100, max_depth=3, "
        "learning_rate=0.1) as outcome model for every learner, the same data in the "
        "same process, single-threaded BLAS. sqrt(PEHE) is the root mean squared error "
        "of the estimated CATE on the training rows (in) and on held-out rows (out); "
        "the ATE error is in-sample."
    ),
    make_cases=make_cases,
    make_methods=make_methods,
    score=score,
    columns=[
        Column("pehe_out", "√PEHE out", ".3f"),
        Column("pehe_in", "√PEHE in", ".3f"),
        Column("ate_error", "ATE error", ".3f"),
    ],
)

if __name__ == "__main__":
    raise SystemExit(main(BENCHMARK))
