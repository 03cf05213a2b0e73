"""Which default nuisance models should the meta-learners ship with? An IHDP study.

The defaults are chosen on IHDP replications 1-5 by data-based criteria only, never by
the true effect:

1. ``model_y``: cross-validated mean squared error of the outcome, fitted per arm and
   scored on each unit's observed arm (the quantity a user can compute);
2. ``model_t``: cross-validated log-loss of the treatment;
3. ``model_final`` of the X-, R- and DR-learners: the held-out doubly-robust score
   (``make_dr_scorer(nuisances="metadata")`` with nuisances cross-fitted once by the
   chosen ``model_y`` / ``model_t``), which needs no true effect.

Every criterion is computed on the 90 % training rows of each replication (the same
seeded split as ``bench_meta_learners.py``), so the 10 % held-out rows stay unseen.
Only then are the true effects used, to *report* sqrt(PEHE) in and out of sample and
the ATE error of every learner with the current and the chosen defaults on
replications 1-10, 1-5 and 6-10.

Run from the repository root (the development venv is enough; one BLAS/OpenMP thread
keeps histogram boosting from stalling on a busy machine)::

    export PYTHONPATH=. OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
    python -m benchmarks.meta_ihdp_defaults                         # all stages
    PYTHONPATH=. python -m benchmarks.meta_ihdp_defaults --stage select
    PYTHONPATH=. python -m benchmarks.meta_ihdp_defaults --stage adaptive  # 2nd study
    PYTHONPATH=. python -m benchmarks.meta_ihdp_defaults --stage table

The second study (``--stage adaptive``) adds outcome models that choose their own
capacity on each fit (early-stopped boosting, a per-fit grid search) under the same
rule; it led to the T-learner's early-stopped default.

Writes ``benchmarks/results/meta_ihdp_defaults.json`` and
``benchmarks/tables/meta_ihdp_defaults.md``.

References: J. L. Hill, "Bayesian nonparametric modeling for causal inference", JCGS
2011 (IHDP); E. H. Kennedy, arXiv:2004.14497, 2020 (doubly-robust score).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import (
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import SplineTransformer, StandardScaler
from sklearn.utils.validation import has_fit_parameter

from benchmarks.bench_meta_learners import IHDP_REPLICATIONS, _ihdp

TUNE = (1, 2, 3, 4, 5)
N_FOLDS = 5
RESULTS = Path(__file__).resolve().parent / "results" / "meta_ihdp_defaults.json"
LEARNERS = ("SLearner", "TLearner", "XLearner", "RLearner", "DRLearner")
RIDGE_ALPHAS = np.logspace(-2, 3, 11)
COST_TOLERANCE = 0.01


# --------------------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------------------


def _spline_ridge():
    return make_pipeline(
        StandardScaler(),
        SplineTransformer(n_knots=4, degree=3),
        RidgeCV(alphas=RIDGE_ALPHAS),
    )


def _linear_ridge():
    return make_pipeline(StandardScaler(), RidgeCV(alphas=RIDGE_ALPHAS))


def adaptive_model_y():
    """A CV-chosen outcome model: ridge (linear or splines) or shallow boosting."""
    return GridSearchCV(
        Pipeline([("model", _linear_ridge())]),
        {
            "model": [
                _linear_ridge(),
                _spline_ridge(),
                GradientBoostingRegressor(max_depth=2),
                GradientBoostingRegressor(
                    max_depth=2, n_estimators=300, learning_rate=0.05, subsample=0.8
                ),
            ]
        },
        scoring="neg_mean_squared_error",
        cv=3,
    )


MODEL_Y = {
    "GBR(depth=2) [current]": lambda: GradientBoostingRegressor(max_depth=2),
    "GBR(depth=3)": lambda: GradientBoostingRegressor(max_depth=3),
    "GBR(depth=2, 300, lr=0.05, subsample=0.8)": lambda: GradientBoostingRegressor(
        max_depth=2, n_estimators=300, learning_rate=0.05, subsample=0.8
    ),
    "HGB()": lambda: HistGradientBoostingRegressor(),
    "HGB(depth=3, lr=0.05, 300)": lambda: HistGradientBoostingRegressor(
        max_depth=3, learning_rate=0.05, max_iter=300
    ),
    "RF(min_leaf=5)": lambda: RandomForestRegressor(
        n_estimators=200, min_samples_leaf=5, n_jobs=1
    ),
    "RidgeCV(linear)": _linear_ridge,
    "RidgeCV(splines)": _spline_ridge,
    "adaptive (GridSearchCV)": adaptive_model_y,
}

# Outcome models that choose their own capacity on each fit: boosting that stops when
# the loss on an internal validation split (20 % of the fit's rows) has not improved
# for 20 rounds, up to 1,000 trees. Added by the second study (``--stage adaptive``).
EARLY_STOPPING = {
    "GBR(depth=2, early stop)": lambda: GradientBoostingRegressor(
        max_depth=2, n_estimators=1000, n_iter_no_change=20, validation_fraction=0.2
    ),
    "GBR(depth=3, early stop)": lambda: GradientBoostingRegressor(
        max_depth=3, n_estimators=1000, n_iter_no_change=20, validation_fraction=0.2
    ),
    "GBR(depth=2, lr=0.05, early stop)": lambda: GradientBoostingRegressor(
        max_depth=2,
        learning_rate=0.05,
        n_estimators=2000,
        n_iter_no_change=20,
        validation_fraction=0.2,
    ),
    "HGB(early stop)": lambda: HistGradientBoostingRegressor(
        max_iter=1000, early_stopping=True, validation_fraction=0.2, n_iter_no_change=20
    ),
}


def adaptive_early_stopping():
    """Per-fit 3-fold CV between linear ridge, spline ridge and early-stopped GBR."""
    return GridSearchCV(
        Pipeline([("model", _linear_ridge())]),
        {
            "model": [
                _linear_ridge(),
                _spline_ridge(),
                EARLY_STOPPING["GBR(depth=2, early stop)"](),
            ]
        },
        scoring="neg_mean_squared_error",
        cv=3,
    )


EARLY_STOPPING["adaptive (ridge, splines, GBR early stop)"] = adaptive_early_stopping
MODEL_Y.update(EARLY_STOPPING)

MODEL_T = {
    "Logistic(C=1) [current]": lambda: LogisticRegression(max_iter=1000),
    "Logistic(C=0.1)": lambda: LogisticRegression(C=0.1, max_iter=1000),
    "Logistic(scaled, C=1)": lambda: make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=1000)
    ),
    "HGB classifier": lambda: HistGradientBoostingClassifier(
        max_depth=3, learning_rate=0.05, max_iter=200
    ),
}

MODEL_FINAL = {
    "RidgeCV(linear) [current]": lambda: RidgeCV(alphas=RIDGE_ALPHAS),
    "RidgeCV(splines)": _spline_ridge,
    "GBR(depth=2)": lambda: GradientBoostingRegressor(max_depth=2),
    "GBR(depth=2, 100, lr=0.05, min_leaf=20)": lambda: GradientBoostingRegressor(
        max_depth=2, learning_rate=0.05, min_samples_leaf=20
    ),
}


# --------------------------------------------------------------------------------------
# Data-based criteria (replications 1-5, training rows only)
# --------------------------------------------------------------------------------------


def _training(replication):
    problem = _ihdp(replication)
    d = problem.data
    return d["X"], d["y"], d["treatment"], problem


def _folds(t, seed):
    return list(StratifiedKFold(N_FOLDS, shuffle=True, random_state=seed).split(t, t))


def outcome_cv_mse(make_model, X, y, t, seed):
    """Out-of-fold MSE of per-arm outcome models on each unit's observed arm."""
    fitted = np.empty_like(y)
    for train, test in _folds(t, seed):
        for arm in (0, 1):
            rows = train[t[train] == arm]
            model = clone(make_model())
            _seed(model, seed)
            model.fit(X[rows], y[rows])
            at = test[t[test] == arm]
            fitted[at] = model.predict(X[at])
    return float(np.mean((y - fitted) ** 2))


def propensity_cv_log_loss(make_model, X, t, seed):
    """Out-of-fold log-loss of the propensity model."""
    proba = np.empty(len(t))
    for train, test in _folds(t, seed):
        model = clone(make_model())
        _seed(model, seed)
        model.fit(X[train], t[train])
        proba[test] = model.predict_proba(X[test])[:, 1]
    return float(log_loss(t, proba))


def _seed(model, seed):
    params = {
        k: seed
        for k, v in model.get_params(deep=True).items()
        if (k == "random_state" or k.endswith("__random_state")) and v is None
    }
    if params:
        model.set_params(**params)


def held_out_dr_scores(learner_name, make_final, model_y, model_t, X, y, t, seed):
    """Mean held-out DR score (cross-fitted nuisances routed as metadata)."""
    from skcausal import effects
    from skcausal.effects import cross_fit_nuisances
    from skcausal.metrics._scorers import make_dr_scorer

    folds = _folds(t, seed)
    nuis = cross_fit_nuisances(
        X, y, t, model_y=model_y(), model_t=model_t(), cv=folds, random_state=seed
    )
    scorer = make_dr_scorer(nuisances="metadata")
    scores = []
    for train, test in folds:
        learner = getattr(effects, learner_name)(
            model_y=model_y(),
            model_t=model_t(),
            model_final=make_final(),
            random_state=seed,
        )
        learner.fit(X[train], y[train], treatment=t[train])
        scores.append(
            scorer(
                learner,
                X[test],
                y[test],
                treatment=t[test],
                **{k: v[test] for k, v in nuis.items()},
            )
        )
    return float(np.mean(scores))


def select(log, previous=None):
    """Stage 1: choose model_y, model_t, model_final from replications 1-5."""
    out = {"model_y": {}, "model_y_seconds": {}, "model_t": {}, "model_final": {}}
    cached = previous.get("model_y", {}) if previous else {}
    for name, make in MODEL_Y.items():
        start = time.perf_counter()
        if name in cached:
            values, seconds = cached[name], previous["model_y_seconds"][name]
        else:
            values = [outcome_cv_mse(make, *_training(r)[:3], seed=r) for r in TUNE]
            seconds = time.perf_counter() - start
        out["model_y"][name], out["model_y_seconds"][name] = values, seconds
        log(
            f"model_y {name:<45} cv MSE {np.mean(values):7.3f} {_fmt(values)}"
            f"  ({seconds:.0f} s)"
        )
    best_y = _cheapest_near_best(out["model_y"], out["model_y_seconds"])
    for name, make in MODEL_T.items():
        values = []
        for r in TUNE:
            X, _, t, _ = _training(r)
            values.append(propensity_cv_log_loss(make, X, t, seed=r))
        out["model_t"][name] = values
        log(f"model_t {name:<45} cv log-loss {np.mean(values):.4f}")
    best_t = min(out["model_t"], key=lambda k: np.mean(out["model_t"][k]))
    log(f"chosen model_y: {best_y}; model_t: {best_t}")
    for learner in ("XLearner", "RLearner", "DRLearner"):
        out["model_final"][learner] = {}
        for name, make in MODEL_FINAL.items():
            if learner == "RLearner" and not has_fit_parameter(make(), "sample_weight"):
                continue  # the R-learner's final fit is weighted
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                values = [
                    held_out_dr_scores(
                        learner,
                        make,
                        MODEL_Y[best_y],
                        MODEL_T[best_t],
                        *_training(r)[:3],
                        seed=r,
                    )
                    for r in TUNE
                ]
            out["model_final"][learner][name] = values
            log(
                f"{learner:<10} model_final {name:<40} DR score "
                f"{np.mean(values):8.3f} {_fmt(values)}"
            )
    finals = out["model_final"]
    out["chosen"] = {
        "model_y": best_y,
        "model_t": best_t,
        "model_final": {
            learner: max(finals[learner], key=lambda k: np.mean(finals[learner][k]))
            for learner in finals
        },
    }
    log(f"chosen: {out['chosen']}")
    return out


def _cheapest_near_best(scores, seconds, tolerance=COST_TOLERANCE):
    """The cheapest candidate whose mean loss is within ``tolerance`` of the best.

    A default is fitted many times (per arm, per fold, per bootstrap replica), so
    among candidates whose cross-validated losses are practically equal (within 1 %)
    the cheapest one is chosen. The rule was fixed before any true effect was seen.
    """
    means = {name: float(np.mean(values)) for name, values in scores.items()}
    best = min(means.values())
    near = [name for name, mean in means.items() if mean <= best * (1 + tolerance)]
    return min(near, key=lambda name: seconds[name])


def _fmt(values):
    return "[" + " ".join(f"{v:.2f}" for v in values) + "]"


# --------------------------------------------------------------------------------------
# Report against the truth (replications 1-10)
# --------------------------------------------------------------------------------------


def evaluate(configuration, replications, log):
    """sqrt(PEHE) in/out and ATE error of every learner under one configuration."""
    from skcausal import effects
    from skcausal.metrics import ate_error, pehe

    rows = []
    for r in replications:
        problem = _ihdp(r)
        d, truth = problem.data, problem.truth
        for learner_name in LEARNERS:
            params = {"random_state": r}
            if configuration.get("model_y"):
                params["model_y"] = MODEL_Y[configuration["model_y"]]()
            if configuration.get("model_t"):
                params["model_t"] = MODEL_T[configuration["model_t"]]()
            final = configuration.get("model_final", {}).get(learner_name)
            if final:
                params["model_final"] = MODEL_FINAL[final]()
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                learner = getattr(effects, learner_name)(**params)
                learner.fit(d["X"], d["y"], treatment=d["treatment"])
            cate_in = learner.predict(d["X"])
            cate_out = learner.predict(d["X_test"])
            finite = bool(np.isfinite(cate_in).all() and np.isfinite(cate_out).all())
            rows.append(
                {
                    "replication": r,
                    "learner": learner_name,
                    "finite": finite,
                    "pehe_in": pehe(truth["cate"], cate_in) if finite else None,
                    "pehe_out": pehe(truth["cate_test"], cate_out) if finite else None,
                    "ate_error": ate_error(
                        float(np.mean(truth["cate"])), float(np.mean(cate_in))
                    )
                    if finite
                    else None,
                    "fit_s": time.perf_counter() - start,
                }
            )
        log(f"  replication {r} done")
    return rows


def summarise(rows, replications):
    table = {}
    for learner in LEARNERS:
        sel = [
            row
            for row in rows
            if row["learner"] == learner and row["replication"] in replications
        ]
        table[learner] = {
            "all_finite": all(row["finite"] for row in sel),
            **{
                key: float(np.mean([row[key] for row in sel if row["finite"]]))
                for key in ("pehe_in", "pehe_out", "ate_error")
            },
        }
    return table


def _print_summary(title, rows, log):
    log(title)
    for label, reps in (("1-10", range(1, 11)), ("1-5", TUNE), ("6-10", range(6, 11))):
        table = summarise(rows, set(reps))
        log(
            f"  replications {label}:   learner  √PEHE in  √PEHE out  |ATE err|  finite"
        )
        for learner, values in table.items():
            cells = (values["pehe_in"], values["pehe_out"], values["ate_error"])
            numbers = " ".join(f"{v:9.3f}" for v in cells)
            log(f"    {learner:<10} {numbers}  {values['all_finite']}")


def adaptive_study(results, log):
    """Stage ``adaptive``: early-stopped boosting as the default ``model_y``.

    The rule, fixed before looking at any effect: the candidate with the lowest mean
    cross-validated outcome MSE on replications 1-5 among *all* ``MODEL_Y``
    candidates (the first study's numbers are reused), cheapest within 1 %; the
    propensity stays the first study's choice by log-loss. Then every learner is
    evaluated on replications 1-10 with each early-stopping candidate (reported, not
    used for the choice).
    """
    selection = results["selection"]
    for name, make in EARLY_STOPPING.items():
        if name in selection["model_y"]:
            continue
        start = time.perf_counter()
        values = [outcome_cv_mse(make, *_training(r)[:3], seed=r) for r in TUNE]
        selection["model_y"][name] = values
        selection["model_y_seconds"][name] = time.perf_counter() - start
    for name, values in sorted(
        selection["model_y"].items(), key=lambda item: np.mean(item[1])
    ):
        log(f"model_y {name:<45} cv MSE {np.mean(values):7.3f} {_fmt(values)}")
    chosen = _cheapest_near_best(selection["model_y"], selection["model_y_seconds"])
    best_early = min(EARLY_STOPPING, key=lambda k: np.mean(selection["model_y"][k]))
    study = results.setdefault("adaptive_study", {})
    study["rule_choice"] = chosen
    study["best_early_stopping"] = best_early
    log(f"rule's choice: {chosen}; best early-stopping candidate: {best_early}")
    evaluation = results.setdefault("evaluation", {})
    for name in EARLY_STOPPING:
        # The per-fit grid search is slow: evaluated with the default model_t only.
        slow = name.startswith("adaptive")
        for model_t in (None,) if slow else (None, selection["chosen"]["model_t"]):
            configuration = {"model_y": name}
            if model_t:
                configuration["model_t"] = model_t
            label = f"model_y={name}" + (f", model_t={model_t}" if model_t else "")
            done = evaluation.get(label)
            if done and done["configuration"] == configuration:
                rows = done["rows"]
            else:
                rows = evaluate(configuration, IHDP_REPLICATIONS, log)
            evaluation[label] = {
                "configuration": configuration,
                "rows": rows,
                "summary": {
                    span: summarise(rows, set(reps))
                    for span, reps in (
                        ("1-10", range(1, 11)),
                        ("1-5", TUNE),
                        ("6-10", range(6, 11)),
                    )
                },
            }
            _print_summary(f"== {label}", rows, log)
            RESULTS.write_text(json.dumps(results, indent=1))
    return results


TABLE = Path(__file__).resolve().parent / "tables" / "meta_ihdp_defaults.md"


def write_table(results, path=TABLE):
    """Markdown summary of the JSON: the data-based criteria, then the truth."""
    selection = results["selection"]
    lines = [
        "<!-- generated from benchmarks/results/meta_ihdp_defaults.json by "
        "`python -m benchmarks.meta_ihdp_defaults --stage table`; do not edit -->",
        "",
        "### Default nuisance models of the meta-learners: an IHDP study",
        "",
        "Chosen on IHDP replications 1-5 (training rows) by data-based criteria only; "
        "the true effects are used afterwards, to report. Run under heavy machine "
        "load; times are indicative.",
        "",
        "#### model_y: cross-validated per-arm outcome MSE, replications 1-5",
        "",
        "| Candidate | Mean | Per replication | Seconds (5 replications) |",
        "| --- | ---: | --- | ---: |",
    ]
    for name, values in sorted(
        selection["model_y"].items(), key=lambda item: np.mean(item[1])
    ):
        seconds = selection["model_y_seconds"].get(name, float("nan"))
        lines.append(
            f"| {name} | {np.mean(values):.3f} | {_fmt(values)} | {seconds:.0f} |"
        )
    lines += [
        "",
        "#### model_t: cross-validated log-loss, replications 1-5",
        "",
        "| Candidate | Mean |",
        "| --- | ---: |",
    ]
    for name, values in selection["model_t"].items():
        lines.append(f"| {name} | {np.mean(values):.4f} |")
    study = results.get("adaptive_study", {})
    lines += [
        "",
        f"First study's choice: {selection['chosen']}.",
        f"Second study (early stopping), the same rule over all candidates: "
        f"{study.get('rule_choice', 'n/a')}; best capacity-adapting candidate: "
        f"{study.get('best_early_stopping', 'n/a')}. The T-learner's default since "
        "this study: GBR(depth=2, early stop), the cheapest capacity-adapting "
        "candidate (the rule's choice, a per-fit grid search, costs about ten times "
        "as much per fit).",
        "",
        "#### Against the truth: in-sample sqrt(PEHE) (ATE error), every learner",
        "",
    ]
    for span in ("1-10", "1-5", "6-10"):
        lines += [
            f"Replications {span}:",
            "",
            "| Configuration | " + " | ".join(LEARNERS) + " | all finite |",
            "| --- | " + " | ".join("---:" for _ in LEARNERS) + " | --- |",
        ]
        for label, entry in results.get("evaluation", {}).items():
            table = entry["summary"][span]
            cells = [
                f"{table[name]['pehe_in']:.3f} ({table[name]['ate_error']:.3f})"
                for name in LEARNERS
            ]
            finite = all(table[name]["all_finite"] for name in LEARNERS)
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {finite} |")
        lines.append("")
    path.write_text("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--stage",
        choices=("select", "evaluate", "current", "adaptive", "table", "all"),
        default="all",
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="JSON file to read and update"
    )
    args = parser.parse_args(argv)

    def log(message):
        print(message, flush=True)

    path = args.output
    results = json.loads(path.read_text()) if path.is_file() else {}
    if args.stage == "table":
        write_table(results)
        return 0
    if args.stage == "adaptive":
        adaptive_study(results, log)
        path.write_text(json.dumps(results, indent=1))
        write_table(results)
        return 0
    if args.stage in ("select", "all"):
        results["selection"] = select(log, results.get("selection"))
        path.write_text(json.dumps(results, indent=1))
    configurations = []
    if args.stage in ("current", "evaluate", "all"):
        configurations.append(("current defaults", {}))
    if args.stage in ("evaluate", "all"):
        configurations.append(("chosen", results["selection"]["chosen"]))
    for label, configuration in configurations:
        done = results.get("evaluation", {}).get(label)
        if done and done["configuration"] == configuration:
            rows = done["rows"]  # already evaluated (e.g. by --stage current)
        else:
            rows = evaluate(configuration, IHDP_REPLICATIONS, log)
        results.setdefault("evaluation", {})[label] = {
            "configuration": configuration,
            "rows": rows,
            "summary": {
                span: summarise(rows, set(reps))
                for span, reps in (
                    ("1-10", range(1, 11)),
                    ("1-5", TUNE),
                    ("6-10", range(6, 11)),
                )
            },
        }
        _print_summary(f"== {label}: {configuration}", rows, log)
        path.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
