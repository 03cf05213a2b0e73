"""Command line shared by ``python -m benchmarks.run`` and every ``bench_*.py``."""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness._core import Benchmark
from benchmarks.harness._environment import REPO_ROOT
from benchmarks.harness._runner import run_benchmark, write_results
from benchmarks.harness._tables import write_table

BENCH_DIR = REPO_ROOT / "benchmarks"


def default_paths(name: str, quick: bool, publish: bool = True) -> tuple[Path, Path]:
    """``results/<name>[_quick].json`` and ``tables/<name>[_quick].md``.

    Unpublished benchmarks (the template) write to the temp folder instead.
    """
    stem = f"{name}_quick" if quick else name
    root = BENCH_DIR if publish else Path(tempfile.gettempdir()) / "skcausal-bench"
    return root / "results" / f"{stem}.json", root / "tables" / f"{stem}.md"


def available_benchmarks() -> list[str]:
    """Names ``X`` of the ``benchmarks/bench_X.py`` scripts."""
    return sorted(path.stem[len("bench_") :] for path in BENCH_DIR.glob("bench_*.py"))


def load_benchmark(name: str) -> Benchmark:
    """Import ``benchmarks.bench_<name>`` and return its ``BENCHMARK``."""
    if name not in available_benchmarks():
        known = ", ".join(available_benchmarks())
        raise SystemExit(f"unknown benchmark {name!r}; available: {known}")
    return importlib.import_module(f"benchmarks.bench_{name}").BENCHMARK


def _parser(prog: str, with_name: bool, title: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=f"{title}. Writes results JSON and a markdown table; "
        "see benchmarks/README.md.",
    )
    if with_name:
        parser.add_argument("name", help="benchmark to run (bench_<name>.py)")
    parser.add_argument(
        "--quick", action="store_true", help="fewer and smaller cases (minutes)"
    )
    parser.add_argument("--output", type=Path, help="results JSON path")
    parser.add_argument("--table", type=Path, help="markdown table path")
    parser.add_argument("--no-table", action="store_true", help="do not write a table")
    parser.add_argument("--repeats", type=int, default=1, help="timed runs per seed")
    parser.add_argument(
        "--memory", action="store_true", help="also record the tracemalloc peak"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        metavar="SECONDS",
        help="skip a peer on the later cases of a family once one of its fits took "
        "longer than this (default: the benchmark's budget_s; 0: no budget)",
    )
    parser.add_argument(
        "--only",
        default=None,
        help="comma-separated substrings of method names / libraries to keep "
        "(the skcausal methods always run)",
    )
    parser.add_argument(
        "--background",
        action="store_true",
        help="start the run detached, log to --log, and return at once",
    )
    parser.add_argument("--log", type=Path, help="log file of a --background run")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS/OpenMP threads for every method (0: the libraries' defaults)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser


def _launch_background(name: str, argv: list[str], log: Path | None) -> int:
    args = [a for a in argv if a != "--background"]
    if log is None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        log = Path(tempfile.gettempdir()) / f"skcausal-bench-{name}-{stamp}.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])]
    )
    with open(log, "w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.run", name, *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    print(f"started {name} in the background: pid {process.pid}, log {log}")
    return 0


def run_cli(benchmark: Benchmark, argv: list[str], args: argparse.Namespace) -> int:
    if args.background:
        return _launch_background(benchmark.name, argv, args.log)
    output, table = default_paths(benchmark.name, args.quick, benchmark.publish)
    output = args.output or output
    table = args.table or table
    results = run_benchmark(
        benchmark,
        quick=args.quick,
        repeats=args.repeats,
        memory=args.memory,
        budget_s=args.budget if args.budget is not None else benchmark.budget_s,
        only=args.only.split(",") if args.only else None,
        threads=args.threads or None,
        output=output,
        log=None if args.quiet else sys.stdout,
    )
    write_results(results, output)
    print(f"results: {output}")
    if not args.no_table:
        print(f"table:   {write_table(results, table)}")
    return 0


def main(benchmark: Benchmark, argv: list[str] | None = None) -> int:
    """Entry point of a ``bench_*.py`` script."""
    argv = sys.argv[1:] if argv is None else argv
    parser = _parser(f"bench_{benchmark.name}.py", False, benchmark.title)
    args = parser.parse_args(argv)
    return run_cli(benchmark, argv, args)


def main_run(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks.run``.

    ``run NAME [options]`` runs a benchmark, ``run table RESULTS.json [--output MD]``
    rewrites a table from saved results, ``run --list`` names the benchmarks.
    """
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(main_run.__doc__)
        print("benchmarks:", ", ".join(available_benchmarks()))
        print("options of a run: python -m benchmarks.run NAME --help")
        return 0
    if argv[0] == "--list":
        print("\n".join(available_benchmarks()))
        return 0
    if argv[0] == "table":
        parser = argparse.ArgumentParser(prog="python -m benchmarks.run table")
        parser.add_argument("results", type=Path, nargs="+")
        parser.add_argument("--output", type=Path, help="only with one results file")
        args = parser.parse_args(argv[1:])
        for path in args.results:
            target = args.output or BENCH_DIR / "tables" / f"{path.stem}.md"
            print(f"table: {write_table(path, target)}")
        return 0
    benchmark = load_benchmark(argv[0])
    parser = _parser("python -m benchmarks.run", True, benchmark.title)
    args = parser.parse_args(argv)
    return run_cli(benchmark, argv[1:], args)
