"""The benchmark harness: cases, method adapters, a runner, a table writer.

A benchmark script declares a :class:`Benchmark` (cases, methods, a scorer and the
metric columns); :func:`run_benchmark` times every method on the same problems in
one process and returns a JSON-ready dict; :func:`write_table` renders it as markdown.
"""

from benchmarks.harness._cli import default_paths, main, main_run
from benchmarks.harness._core import Benchmark, Case, Column, Method, Problem
from benchmarks.harness._environment import git_info, machine_info, versions
from benchmarks.harness._runner import load_results, run_benchmark, write_results
from benchmarks.harness._tables import render_markdown, write_table

__all__ = [
    "Benchmark",
    "Case",
    "Column",
    "Method",
    "Problem",
    "default_paths",
    "git_info",
    "load_results",
    "machine_info",
    "main",
    "main_run",
    "render_markdown",
    "run_benchmark",
    "versions",
    "write_results",
    "write_table",
]
