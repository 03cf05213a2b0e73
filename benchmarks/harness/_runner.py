"""Run every method on the same problems in one process and record the results."""

from __future__ import annotations

import contextlib
import datetime
import gc
import json
import math
import os
import sys
import time
import traceback
import tracemalloc
import warnings
from dataclasses import asdict
from pathlib import Path

from benchmarks.harness._core import Benchmark, Case, Method
from benchmarks.harness._environment import git_info, machine_info, versions

SIGNIFICANT_DIGITS = 4


def _round(value):
    """Numbers to a few significant digits (keeps the JSON small and readable)."""
    if isinstance(value, bool) or value is None:
        return value
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        value = value.item()  # numpy scalar
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or value == 0.0:
            return value if math.isfinite(value) else str(value)
        digits = SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(abs(value)))
        return round(value, max(digits, 0))
    return value


def _clean_metrics(metrics: dict) -> dict:
    return {str(key): _round(value) for key, value in metrics.items()}


def _measure(method: Method, data: dict, seed: int):
    """Time fit and predict; also return the distinct warnings they raised."""
    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        fitted = method.fit(data, seed)
        middle = time.perf_counter()
        output = method.predict(fitted, data)
        end = time.perf_counter()
    messages = dict.fromkeys(
        f"{w.category.__name__}: {str(w.message)[:160]}" for w in caught
    )
    return middle - start, end - middle, output, list(messages)[:3]


def _peak_memory_mb(method: Method, data: dict, seed: int) -> float:
    """Peak of Python-tracked allocations during fit + predict, in MiB.

    tracemalloc sees the Python heap and numpy arrays (numpy reports its buffers to
    tracemalloc) but not memory that C/C++ libraries allocate on their own (BLAS
    workspaces, LightGBM, torch): a lower bound, comparable between numpy codes.
    It also slows Python-heavy code, so it runs apart from the timed runs.
    """
    gc.collect()
    tracemalloc.start()
    try:
        method.predict(method.fit(data, seed), data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / 2**20


def _run_one(benchmark, case, seed, method, repeat, problem, threads) -> dict:
    """One timed fit + predict, scored; an exception becomes an "error" row.

    The thread limit is set anew for every run (outside the timing), so libraries
    that a method loads lazily are limited too.
    """
    row = {"case": case.name, "seed": seed, "method": method.name, "repeat": repeat}
    try:
        with _thread_limit(threads):
            fit_s, predict_s, output, caught = _measure(method, problem.data, seed)
        metrics = benchmark.score(problem, output)
    except Exception as exc:  # record and go on with the other methods
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        return row | {
            "status": "error",
            "error": f"{type(exc).__name__}: {exc}"[:300],
            "where": f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}",
        }
    row |= {
        "status": "ok",
        "fit_s": _round(fit_s),
        "predict_s": _round(predict_s),
        "metrics": _clean_metrics(metrics),
    }
    if caught:
        row["warnings"] = caught
    return row


def _case_record(case: Case) -> dict:
    return {
        "name": case.name,
        "family": case.family,
        "params": case.params,
        "seeds": list(case.seeds),
    }


def write_results(results: dict, path: Path) -> None:
    """Write results as JSON: header indented, one line per run (small diffs)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    head = {key: value for key, value in results.items() if key != "runs"}
    lines = [json.dumps(run, default=_round) for run in results.get("runs", [])]
    text = json.dumps(head, indent=1, default=_round)
    text = text[:-2] + ',\n "runs": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def load_results(path: Path) -> dict:
    """Read a results JSON written by :func:`write_results`."""
    return json.loads(Path(path).read_text())


def run_benchmark(
    benchmark: Benchmark,
    *,
    quick: bool = False,
    repeats: int = 1,
    memory: bool = False,
    budget_s: float | None = None,
    only: list[str] | None = None,
    threads: int | None = 1,
    warmup: bool = True,
    output: Path | None = None,
    log=sys.stdout,
) -> dict:
    """Time and score every available method on every case and seed.

    Parameters
    ----------
    benchmark : Benchmark
    quick : bool
        Passed to ``benchmark.make_cases`` (fewer / smaller cases).
    repeats : int
        Timed runs per (case, seed, method); each row is kept (the tables use the
        median time).
    memory : bool
        Also record the tracemalloc peak (one extra untimed run per case and seed).
    budget_s : float or None
        A peer whose fit took longer than this on a case is skipped on the later
        (larger) cases of the same family (``results["over_budget"]``); the
        reference library's methods always run.
    only : list of str or None
        Keep methods whose name or library contains one of these strings
        (case-insensitive); the reference library's methods are always kept.
    threads : int or None, default=1
        BLAS/OpenMP thread limit for the whole run (threadpoolctl); ``None`` leaves
        the libraries' defaults. One thread keeps timings about the algorithms and
        stable on a busy machine; every method gets the same limit.
    warmup : bool, default=True
        One untimed fit per method on the first problem before the timed runs.
    output : path or None
        Written after every case, so a long run that dies leaves its partial
        results (``"complete": false``).
    log : file
        Progress lines go here; ``None`` silences them.
    """

    def say(message):
        if log is not None:
            print(message, file=log, flush=True)

    return _run(
        benchmark, quick, repeats, memory, budget_s, only, threads, warmup, output, say
    )


@contextlib.contextmanager
def _thread_limit(threads):
    if threads is None:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=threads):
        yield


def _command_line() -> str:
    """The command as typed from the repository root (no absolute paths)."""
    script = Path(sys.argv[0])
    if script.parent.name == "benchmarks" and script.suffix == ".py":
        return " ".join(["python -m", f"benchmarks.{script.stem}", *sys.argv[1:]])
    return " ".join(sys.argv)


def _machine_info_limited(threads):
    with _thread_limit(threads):
        return machine_info()


def _load_average():
    try:
        return [round(load, 2) for load in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def _run(
    benchmark, quick, repeats, memory, budget_s, only, threads, warmup, output, say
):
    started = time.perf_counter()
    cases = benchmark.make_cases(quick)
    methods = benchmark.make_methods()
    if only:
        wanted = [word.lower() for word in only]
        methods = [
            m
            for m in methods
            if m.library == benchmark.reference
            or any(w in m.name.lower() or w in m.library.lower() for w in wanted)
        ]

    method_records, available = [], []
    for method in methods:
        reason = method.check_available()
        record = {
            "name": method.name,
            "library": method.library,
            "group": method.group,
            "status": "ok" if reason is None else reason,
            "notes": method.notes,
        }
        method_records.append(record)
        if reason is None:
            available.append(method)
        else:
            say(f"[{benchmark.name}] skip {method.name}: {reason}")

    results = {
        "benchmark": benchmark.name,
        "title": benchmark.title,
        "description": benchmark.description,
        "mode": "quick" if quick else "full",
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "complete": False,
        "duration_s": None,
        "command": _command_line(),
        "settings": {
            "repeats": repeats,
            "memory": memory,
            "budget_s": budget_s,
            "blas_threads": threads,
        },
        "load_average": {"start": _load_average()},
        "reference": benchmark.reference,
        "columns": [asdict(column) for column in benchmark.columns],
        "machine": _machine_info_limited(threads),
        # after the imports above, so lazily imported peers report their version
        "versions": versions(sorted({m.library for m in methods})),
        "git": git_info(),
        "cases": [_case_record(case) for case in cases],
        "methods": method_records,
        "runs": [],
    }
    for record in method_records:
        record["version"] = results["versions"].get(record["library"])

    if warmup and cases and cases[0].seeds:
        # one untimed run per method: first-call costs (lazy imports, caches) stay
        # out of the timings; failures here are left for the timed runs to record
        problem = cases[0].generate(cases[0].seeds[0])
        for method in available:
            try:
                with _thread_limit(threads), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    method.predict(method.fit(problem.data, 0), problem.data)
            except Exception:
                pass
        del problem
    over_budget: dict[tuple[str, str], str] = {}  # (method, family) -> case
    for case in cases:
        for seed in case.seeds:
            problem = case.generate(seed)
            for method in available:
                if (method.name, case.family) in over_budget:
                    continue
                for repeat in range(repeats):
                    row = _run_one(
                        benchmark, case, seed, method, repeat, problem, threads
                    )
                    if memory and case.memory and repeat == 0 and row["status"] == "ok":
                        with _thread_limit(threads):
                            peak = _peak_memory_mb(method, problem.data, seed)
                        row["peak_mb"] = _round(peak)
                    results["runs"].append(row)
                    if row["status"] == "ok":
                        shown = ", ".join(f"{k}={v}" for k, v in row["metrics"].items())
                        say(
                            f"[{benchmark.name}] {case.name} seed={seed} "
                            f"{method.name}: fit {row['fit_s']}s  {shown}"
                        )
                    else:
                        say(
                            f"[{benchmark.name}] {case.name} seed={seed} "
                            f"{method.name} FAILED: {row['error']}"
                        )
                        break
            del problem
        if budget_s is not None and budget_s > 0:
            for method in available:
                if method.library == benchmark.reference:
                    continue  # the method under test always runs
                times = [
                    run["fit_s"]
                    for run in results["runs"]
                    if run["case"] == case.name
                    and run["method"] == method.name
                    and run["status"] == "ok"
                ]
                key = (method.name, case.family)
                if key not in over_budget and times and max(times) > budget_s:
                    over_budget[key] = case.name
                    say(f"[{benchmark.name}] {method.name} over budget on {case.name}")
        results["over_budget"] = [
            {"method": name, "family": fam, "after_case": after, "budget_s": budget_s}
            for (name, fam), after in over_budget.items()
        ]
        results["duration_s"] = _round(time.perf_counter() - started)
        if output is not None:
            write_results(results, output)

    results["load_average"]["end"] = _load_average()
    results["complete"] = True
    results["duration_s"] = _round(time.perf_counter() - started)
    if output is not None:
        write_results(results, output)
    return results
