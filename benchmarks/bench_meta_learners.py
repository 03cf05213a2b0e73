"""S-, T-, X-, R- and DR-learners: skcausal against EconML with the same models.

Synthetic data: ``skcausal.datasets.make_treatment_data`` (nonlinear outcome,
heterogeneous effect, confounded treatment, 5 features) with n training rows and
2,000 held-out rows drawn in the same call; three seeds per size.

IHDP (Hill 2011): the "npci" replications, read at run time from
``$SKCAUSAL_BENCH_DATA/ihdp`` (default ``../shared/data/ihdp`` beside the repository)
and skipped when absent; each replication holds out a seeded 10 % of its units.
Replications 1-5 (on which skcausal's defaults were tuned, see
``meta_ihdp_defaults.py``) and 6-10 are reported as separate cases.

Every learner pair uses the same models: outcome ``GradientBoostingRegressor``
(100 trees of depth 3), propensity ``LogisticRegression``, CATE model ``RidgeCV``,
and the same number of cross-fitting folds (5) where both libraries cross-fit.
skcausal runs with ``n_jobs=2`` (the R- and DR-learners' cross-fitting as one task
per fold and nuisance model, the T- and X-learners' two arm models in parallel);
EconML serially (its default). The
DR-learner is also run with ``pooled_outcome=True``, EconML's design (one outcome
model on ``[X, t]`` per fold instead of one per arm and fold). Pairings: EconML
``SLearner`` / ``TLearner`` / ``XLearner``
(``econml.metalearners``), ``DRLearner`` (``econml.dr``) and ``NonParamDML``
(``econml.dml``, the R-learner: it minimises the R-loss with a final model).
Reported: sqrt(PEHE) in and out of sample (``skcausal.metrics.pehe``) and the
in-sample ATE error (``skcausal.metrics.ate_error``).

References: Künzel, Sekhon, Bickel & Yu, "Metalearners for estimating heterogeneous
treatment effects using machine learning", PNAS 2019; Nie & Wager, "Quasi-oracle
estimation of heterogeneous treatment effects", Biometrika 2021; Kennedy, "Towards
optimal doubly robust estimation of heterogeneous causal effects", arXiv:2004.14497;
Hill, "Bayesian nonparametric modeling for causal inference", JCGS 2011.
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
IHDP_SPLITS = {"IHDP 1-5 (tuning)": (1, 2, 3, 4, 5), "IHDP 6-10": (6, 7, 8, 9, 10)}
N_FOLDS = 5
N_JOBS = 2
PROPENSITY_CLIP = 0.01
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


def _final_model():
    from sklearn.linear_model import RidgeCV

    return RidgeCV(alphas=np.logspace(-2, 3, 11))


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
    """IHDP first (the comparison the issue asks for), then synthetic, small to big."""
    sizes = (2_000,) if quick else (2_000, 20_000)
    seeds = (0,) if quick else (0, 1, 2)
    cases = []
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
        for name, replications in IHDP_SPLITS.items():
            cases.append(
                Case(
                    name=name,
                    params={
                        "source": "ihdp_npci_{r}.csv",
                        "replications": list(replications),
                        "test_share": IHDP_TEST_SHARE,
                    },
                    generate=_ihdp,
                    seeds=replications[:2] if quick else replications,
                    family="IHDP (10 % of each replication held out)",
                )
            )
    cases += [
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
            seeds=seeds,
            family="Synthetic (make_treatment_data)",
        )
        for n in sizes
    ]
    return cases


# -- adapters ------------------------------------------------------------------------
# fit(data, seed) -> model; predict returns the CATE on the training and test rows.


def _skcausal(name, **extra):
    def fit(data, seed):
        from skcausal import effects

        params = {
            "model_y": _outcome_model(),
            "model_t": _propensity_model(),
            "propensity_clip": PROPENSITY_CLIP,
            "random_state": seed,
            "n_jobs": N_JOBS,
            **extra,
        }
        if name in ("XLearner", "RLearner", "DRLearner"):
            params["model_final"] = _final_model()
        if name in ("RLearner", "DRLearner"):
            params["cv"] = N_FOLDS
        learner = getattr(effects, name)(**params)
        return learner.fit(data["X"], data["y"], treatment=data["treatment"])

    return fit


def _skcausal_predict(model, data):
    return {"train": model.predict(data["X"]), "test": model.predict(data["X_test"])}


# EconML builders: build(seed) -> unfitted learner (imports stay inside).


def _econml_s(seed):
    from econml.metalearners import SLearner

    return SLearner(overall_model=_outcome_model())


def _econml_t(seed):
    from econml.metalearners import TLearner

    return TLearner(models=_outcome_model())


def _econml_x(seed):
    from econml.metalearners import XLearner

    return XLearner(
        models=_outcome_model(),
        cate_models=_final_model(),
        propensity_model=_propensity_model(),
    )


def _econml_dr(seed):
    from econml.dr import DRLearner

    return DRLearner(
        model_propensity=_propensity_model(),
        model_regression=_outcome_model(),
        model_final=_final_model(),
        min_propensity=PROPENSITY_CLIP,
        cv=N_FOLDS,
        random_state=seed,
    )


def _econml_r(seed):
    from econml.dml import NonParamDML

    return NonParamDML(
        model_y=_outcome_model(),
        model_t=_propensity_model(),
        model_final=_final_model(),
        discrete_treatment=True,
        cv=N_FOLDS,
        random_state=seed,
    )


def _econml_fit(build):
    def fit(data, seed):
        return build(seed).fit(data["y"], data["treatment"], X=data["X"])

    return fit


def _econml_predict(model, data):
    return {"train": model.effect(data["X"]), "test": model.effect(data["X_test"])}


_PAIRS = (
    (
        "SLearner",
        "S-learner",
        _econml_s,
        "econml.metalearners",
        "Its S-learner appends a control and a treated indicator to X (skcausal: one "
        "column t).",
    ),
    ("TLearner", "T-learner", _econml_t, "econml.metalearners", ""),
    (
        "XLearner",
        "X-learner",
        _econml_x,
        "econml.metalearners",
        "Both estimate with full-arm models (Künzel et al.), hence identical "
        "effects; neither cross-fits (skcausal's cv=None default: no "
        "nuisance_scores_ diagnostics).",
    ),
    (
        "RLearner",
        "R-learner",
        _econml_r,
        "econml.dml",
        "NonParamDML(discrete_treatment=True): pooled E[y|x] and propensity "
        "cross-fitted over 5 folds, final model fitted on (y - m) / (t - e) with "
        "weights (t - e)^2, as skcausal's RLearner.",
    ),
    (
        "DRLearner",
        "DR-learner",
        _econml_dr,
        "econml.dr",
        "EconML's model_regression is one model of y on (X, treatment indicators) "
        "per fold, as skcausal's pooled_outcome=True (the like-for-like timing); "
        "skcausal's default fits one outcome model per arm and fold (twice the "
        "models). Propensities clipped at 0.01 in both (min_propensity).",
    ),
)


def make_methods() -> list[Method]:
    methods = []
    for name, group, econml_build, module, note in _PAIRS:
        parallel = {
            "SLearner": "n_jobs=2 (one outcome model: nothing to parallelise).",
            "TLearner": "the two arms' models fitted in parallel (n_jobs=2).",
            "XLearner": "the two arms' outcome models fitted in parallel (n_jobs=2).",
        }.get(
            name,
            f"{N_FOLDS} folds, one task per fold and nuisance model, n_jobs={N_JOBS}.",
        )
        variants = [(f"skcausal {name}", {}, "")]
        if name == "DRLearner":
            variants.append(
                (
                    "skcausal DRLearner (pooled)",
                    {"pooled_outcome": True},
                    " pooled_outcome=True: one outcome model on [X, t] per fold, "
                    "EconML's design.",
                )
            )
        for label, extra, suffix in variants:
            methods.append(
                Method(
                    label,
                    "skcausal",
                    group,
                    _skcausal(name, **extra),
                    _skcausal_predict,
                    ("skcausal.effects",),
                    notes=(
                        "fit(X, y, treatment=t), predict(X) = CATE; also fits model_t "
                        "(LogisticRegression) for the overlap check, inside the "
                        "timing; " + parallel + suffix
                    ),
                )
            )
        methods.append(
            Method(
                f"EconML {name}",
                "econml",
                group,
                _econml_fit(econml_build),
                _econml_predict,
                (module,),
                notes=("fit(Y, T, X=X), effect(X) = CATE; serial. " + note).strip(),
            )
        )
    return methods


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
    title="Meta-learners (S, T, X, R, DR) against EconML",
    description=(
        "The same models for both libraries: GradientBoostingRegressor("
        "n_estimators=100, max_depth=3, learning_rate=0.1) for the outcomes, "
        "LogisticRegression for the propensity, RidgeCV for the CATE (X, R, DR), "
        "5 cross-fitting folds (R, DR). skcausal runs with n_jobs=2 (the fold-and-"
        "model fits, or the arms of T and X, in parallel), EconML serially; "
        "the same data in the same process, single-threaded BLAS. sqrt(PEHE) is the "
        "root mean squared error of the estimated CATE on the training rows (in) and "
        "on held-out rows (out); the ATE error is in-sample. IHDP replications 1-5 "
        "served to tune skcausal's defaults (not used here: every model is given "
        "explicitly); 6-10 are shown apart."
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
