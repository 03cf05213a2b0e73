"""Large-n DR-learner: time and peak memory at n = 1,000,000 rows, 20 covariates.

``make_treatment_data(n_samples=1_000_000, n_features=20, outcome="nonlinear")`` with
histogram gradient boosting for the outcome and propensity models
(``HistGradientBoostingRegressor`` / ``HistGradientBoostingClassifier``, default
settings, so early stopping on 10 % of each fit's rows), ``RidgeCV`` as the CATE model
and 2 cross-fitting folds (``cv=2``), for skcausal's ``DRLearner`` (its fold-and-model
fits in parallel with ``n_jobs=2``, and serially) and EconML's ``DRLearner`` (serial,
its default).

Each method runs in a fresh subprocess, so one method's memory cannot hide another's.
In the subprocess the data are generated first; a sampler thread then reads, every
0.1 s, the proportional set size (PSS, from ``/proc/<pid>/smaps_rollup``) of the
process and all its descendants (joblib's workers): pages shared between processes
(the memory-mapped X that joblib hands to its workers) count once in total. Reported:
fit time, peak PSS of the process tree during the fit minus the PSS before it, the
same for the main process's resident set (``ru_maxrss``), and, for the serial skcausal
run, the ``tracemalloc`` peak of the fit (Python and numpy allocations only) against
the size of X: the check that X is not copied per fold beyond what indexing needs.
BLAS/OpenMP are limited to one thread per process for every method.

Run (a few minutes per method; the benchmark environment has EconML)::

    PYTHONPATH=$PWD /work/bench-venv/bin/python -m benchmarks.meta_large_n [--quick]

Writes ``results/meta_learners_large_n[_quick].json`` and
``tables/meta_learners_large_n[_quick].md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
N_SAMPLES = 1_000_000
N_FEATURES = 20
N_FOLDS = 2
METHODS = ("skcausal n_jobs=2", "skcausal n_jobs=1", "EconML")


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


class _TreeSampler(threading.Thread):
    """Samples the PSS of this process and its descendants until stopped."""

    def __init__(self, interval: float = 0.1):
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_kb = 0
        self._stop_event = threading.Event()

    def run(self):
        root = os.getpid()
        while not self._stop_event.is_set():
            total = sum(_pss_kb(pid) for pid in _descendants(root))
            self.peak_kb = max(self.peak_kb, total)
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak_kb


def measure_peak(run):
    """Call ``run()`` (warnings silenced) while sampling this process tree's memory.

    Returns ``(result, seconds, memory)``; ``memory`` holds the PSS before the call
    and the increases of the tree's peak PSS and of this process's peak RSS, in MB.
    """
    before_kb = sum(_pss_kb(pid) for pid in _descendants(os.getpid()))
    rss_before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sampler = _TreeSampler()
    sampler.start()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run()
    seconds = time.perf_counter() - start
    peak_kb = sampler.stop()
    rss_peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    memory = {
        "pss_before_mb": round(before_kb / 1024, 1),
        "tree_pss_peak_increase_mb": round((peak_kb - before_kb) / 1024, 1),
        "main_rss_peak_increase_mb": round(
            max(rss_peak_kb - rss_before_kb, 0) / 1024, 1
        ),
    }
    return result, seconds, memory


def _data(n_samples: int):
    from skcausal.datasets import make_treatment_data

    data = make_treatment_data(
        n_samples=n_samples,
        n_features=N_FEATURES,
        outcome="nonlinear",
        effect="heterogeneous",
        random_state=0,
    )
    return np.ascontiguousarray(data.X), data.y, data.treatment, data.cate


def _learner(method: str):
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )
    from sklearn.linear_model import RidgeCV

    final = RidgeCV(alphas=np.logspace(-2, 3, 11))
    if method.startswith("skcausal"):
        from skcausal.effects import DRLearner

        return DRLearner(
            model_y=HistGradientBoostingRegressor(random_state=0),
            model_t=HistGradientBoostingClassifier(random_state=0),
            model_final=final,
            cv=N_FOLDS,
            n_jobs=int(method.rsplit("=", 1)[1]),
            random_state=0,
        )
    from econml.dr import DRLearner

    return DRLearner(
        model_propensity=HistGradientBoostingClassifier(random_state=0),
        model_regression=HistGradientBoostingRegressor(random_state=0),
        model_final=final,
        min_propensity=0.01,
        cv=N_FOLDS,
        random_state=0,
    )


def _fit(learner, X, y, t):
    if type(learner).__module__.startswith("skcausal"):
        return learner.fit(X, y, treatment=t)
    return learner.fit(y, t, X=X)


def _cate(learner, X):
    if type(learner).__module__.startswith("skcausal"):
        return learner.predict(X)
    return np.ravel(learner.effect(X))


def _warm_up() -> None:
    import sklearn.ensemble  # noqa: F401
    import sklearn.linear_model  # noqa: F401


def child(method: str, n_samples: int) -> dict:
    """Run one method in this (fresh) process; return its measurements."""
    from skcausal.metrics import ate_error, pehe

    X, y, t, cate = _data(n_samples)
    learner = _learner(method)
    if getattr(learner, "n_jobs", None) not in (None, 1):
        # Start joblib's (reused) workers and their imports before the baseline, so
        # the memory columns show the fit, not two idle Python interpreters.
        from sklearn.utils.parallel import Parallel, delayed

        Parallel(n_jobs=learner.n_jobs)(delayed(_warm_up)() for _ in range(4))
    _, fit_s, memory = measure_peak(lambda: _fit(learner, X, y, t))
    estimate = _cate(learner, X)
    row = {
        "method": method,
        "n_samples": n_samples,
        "n_features": N_FEATURES,
        "fit_s": round(fit_s, 2),
        "x_mb": round(X.nbytes / 2**20, 1),
        **memory,
        "pehe": round(pehe(cate, estimate), 4),
        "ate_error": round(ate_error(float(cate.mean()), float(estimate.mean())), 4),
    }
    if method == "skcausal n_jobs=1":
        # A second, traced fit: the peak of Python/numpy allocations during fit.
        learner = _learner(method)
        tracemalloc.start()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _fit(learner, X, y, t)
        row["tracemalloc_peak_mb"] = round(
            tracemalloc.get_traced_memory()[1] / 2**20, 1
        )
        tracemalloc.stop()
    return row


def run_child(module: str, method: str, n_samples: int) -> dict:
    """Run ``python -m module --child method --n-samples n`` with one BLAS/OpenMP
    thread; its last stdout line (JSON) as a dict, or ``{"method", "error"}``."""
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    command = [sys.executable, "-m", module, "--child", method]
    command += ["--n-samples", str(n_samples)]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["failed"]
        return {"method": method, "error": tail[0][:200]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _load_average():
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def _table(results: dict) -> str:
    lines = [
        "<!-- generated by benchmarks/meta_large_n.py; do not edit -->",
        "",
        "### Large-n DR-learner (HistGradientBoosting nuisances, cv=2)",
        "",
        results["description"],
        "",
        f"- Run: {results['created']}, n = {results['n_samples']:,}, "
        f"{results['n_features']} covariates, X = {results['x_mb']} MB; load average "
        f"{results['load_average']['start']} (start) / "
        f"{results['load_average']['end']} (end) on {os.cpu_count()} cores",
        "",
        "| Method | Fit time (s) | Time ratio | Peak memory, process tree (MB) | "
        "Peak RSS, main process (MB) | √PEHE | ATE error |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    reference = next(
        (r["fit_s"] for r in results["runs"] if r.get("method") == METHODS[0]), None
    )
    for row in results["runs"]:
        if "error" in row:
            lines.append(f"| {row['method']} | {row['error']} | | | | | |")
            continue
        ratio = f"{row['fit_s'] / reference:.2f}×" if reference else ""
        lines.append(
            f"| {row['method']} | {row['fit_s']:.1f} | {ratio} | "
            f"{row['tree_pss_peak_increase_mb']:.0f} | "
            f"{row['main_rss_peak_increase_mb']:.0f} | {row['pehe']:.3f} | "
            f"{row['ate_error']:.3f} |"
        )
    traced = [r for r in results["runs"] if "tracemalloc_peak_mb" in r]
    lines.append("")
    lines.append(
        "- Memory columns are increases over the state after generating the data "
        "(X, y, t already in memory, joblib's workers started); the process tree "
        "counts the workers, with shared pages counted once (PSS)."
    )
    if traced:
        lines.append(
            f"- tracemalloc peak of the serial skcausal fit: "
            f"{traced[0]['tracemalloc_peak_mb']:.0f} MB, i.e. "
            f"{traced[0]['tracemalloc_peak_mb'] / traced[0]['x_mb']:.2f}× "
            "the size of X."
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 100,000")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--n-samples", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--only", nargs="*", help="methods to run (substrings)")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.n_samples)))
        return 0

    n_samples = 100_000 if args.quick else N_SAMPLES
    suffix = "_quick" if args.quick else ""
    methods = [m for m in METHODS if not args.only or any(w in m for w in args.only)]
    results = {
        "benchmark": "meta_learners_large_n",
        "description": (
            "skcausal DRLearner (n_jobs=2 and serial) and EconML DRLearner (serial), "
            "both with HistGradientBoostingRegressor / HistGradientBoostingClassifier "
            "nuisances, RidgeCV final model, cv=2, propensities clipped at 0.01; each "
            "method in its own subprocess, one BLAS/OpenMP thread per process."
        ),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "n_samples": n_samples,
        "n_features": N_FEATURES,
        "x_mb": round(n_samples * N_FEATURES * 8 / 2**20, 1),
        "load_average": {"start": _load_average()},
        "runs": [],
    }
    for method in methods:
        row = run_child("benchmarks.meta_large_n", method, n_samples)
        row["load_average_after"] = _load_average()
        print(json.dumps(row), flush=True)
        results["runs"].append(row)
    results["load_average"]["end"] = _load_average()
    output = HERE / "results" / f"meta_learners_large_n{suffix}.json"
    output.write_text(json.dumps(results, indent=1) + "\n")
    table = HERE / "tables" / f"meta_learners_large_n{suffix}.md"
    table.write_text(_table(results))
    print(f"results: {output}\ntable:   {table}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
