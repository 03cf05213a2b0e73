"""What a result depends on besides the code: machine, libraries, commit."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# Always recorded; each benchmark adds the libraries of its methods.
CORE_DISTRIBUTIONS = ("numpy", "scipy", "scikit-learn", "joblib", "threadpoolctl")

# Environment variables that change BLAS/OpenMP behaviour and hence timings.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def distribution_version(name: str) -> str | None:
    """Installed version of a distribution, ``None`` when absent.

    ``skcausal`` is run from the source tree (PYTHONPATH), not installed, so its
    version comes from the package itself.
    """
    if name == "skcausal":
        try:
            import skcausal
        except ImportError:
            return None
        return skcausal.__version__
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _read_first(path: str, key: str) -> str | None:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _blas_info() -> list[dict] | str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    keep = ("internal_api", "version", "num_threads", "threading_layer", "architecture")
    return [
        {key: pool[key] for key in keep if key in pool}
        | {"library": os.path.basename(pool.get("filepath", ""))}
        for pool in threadpool_info()
    ]


def machine_info() -> dict:
    """Platform, CPU, memory, Python and BLAS/OpenMP thread pools."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count()
    memory = _read_first("/proc/meminfo", "MemTotal")
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": _read_first("/proc/cpuinfo", "model name") or platform.processor(),
        "cpu_count": os.cpu_count(),
        "cpu_usable": usable,
        "memory": memory,
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "blas": _blas_info(),
        "env": {v: os.environ[v] for v in THREAD_VARIABLES if v in os.environ},
    }


def git_info(root: Path = REPO_ROOT) -> dict:
    """Commit of the source tree and whether the package differed from it.

    ``dirty`` is true when ``skcausal/`` has uncommitted or untracked files: the
    code that was timed is then not exactly the recorded commit.
    """

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", "-C", str(root), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip()

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None}
    status = git("status", "--porcelain", "--untracked-files=all", "--", "skcausal")
    return {"commit": commit, "dirty": bool(status)}


def versions(libraries) -> dict:
    """Versions of the core distributions and of ``libraries`` (None if missing)."""
    names = dict.fromkeys(["skcausal", *CORE_DISTRIBUTIONS, *libraries])
    return {name: distribution_version(name) for name in names}
