"""Template benchmark and smoke test of the harness: least squares, three ways.

Needs no skcausal estimator (numpy is the reference here), so it checks the harness
on its own in a few seconds, including the "not installed" path::

    python -m benchmarks.run example     # writes to <tempdir>/skcausal-bench/

Copy this file to start a new benchmark.
"""

import numpy as np

from benchmarks.harness import Benchmark, Case, Column, Method, Problem, main


# 1. Cases: a seeded generator returning what methods see and the truth.
def _regression(n_samples: int, n_features: int):
    def generate(seed: int) -> Problem:
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n_samples, n_features))
        coef = rng.uniform(-2, 2, n_features)
        y = X @ coef + rng.standard_normal(n_samples)
        return Problem(data={"X": X, "y": y}, truth={"coef": coef})

    return generate


def make_cases(quick: bool) -> list[Case]:
    sizes = [1_000] if quick else [1_000, 100_000]
    return [
        Case(
            name=f"n={n}",
            params={"n_samples": n, "n_features": 20},
            generate=_regression(n, 20),
            seeds=(0, 1),
        )
        for n in sizes
    ]


# 2. Methods: fit(data, seed) -> fitted; predict(fitted, data) -> what is scored.
#    Peers import their library inside fit, and list it in `requires`.
def _numpy_fit(data, seed):
    return np.linalg.lstsq(data["X"], data["y"], rcond=None)[0]


def _scipy_fit(data, seed):
    from scipy.linalg import lstsq

    return lstsq(data["X"], data["y"])[0]


def _sklearn_fit(data, seed):
    from sklearn.linear_model import LinearRegression

    return LinearRegression(fit_intercept=False).fit(data["X"], data["y"])


def make_methods() -> list[Method]:
    coef = lambda fitted, data: fitted  # noqa: E731
    return [
        Method("numpy lstsq", "numpy", "lstsq", _numpy_fit, coef),
        Method("scipy lstsq", "scipy", "lstsq", _scipy_fit, coef, ("scipy.linalg",)),
        Method(
            "sklearn LinearRegression",
            "scikit-learn",
            "lstsq",
            _sklearn_fit,
            lambda fitted, data: fitted.coef_,
            ("sklearn.linear_model",),
        ),
        Method(
            "missing peer",
            "not-a-real-package",
            "lstsq",
            _numpy_fit,
            coef,
            ("not_a_real_package",),
            notes="never installed: shows how a missing peer is reported",
        ),
    ]


# 3. Score: output vs truth -> flat dict of numbers.
def score(problem: Problem, output) -> dict:
    error = np.asarray(output) - problem.truth["coef"]
    return {"coef_rmse": float(np.sqrt(np.mean(error**2)))}


BENCHMARK = Benchmark(
    name="example",
    title="Least squares (harness template)",
    description="Ordinary least squares on Gaussian data, 20 features.",
    make_cases=make_cases,
    make_methods=make_methods,
    score=score,
    columns=[Column("coef_rmse", "Coefficient RMSE", ".4f")],
    reference="numpy",
    publish=False,  # a template: its results stay out of the documentation
)

if __name__ == "__main__":
    raise SystemExit(main(BENCHMARK))
