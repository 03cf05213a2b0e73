"""Conditional-independence tests with one signature.

Every test is fitted on the data once (``fit(X)``) and then answers
``pvalue(x, y, z)`` for single tests and ``pvalues(x, y, z, n_jobs=...)`` for
batches, with a per-fit cache of the p-values. Constraint-based estimators such as
:class:`skcausal.discovery.PC` accept a registered name (``"fisherz"``, ``"gsq"``,
``"chisq"``, ``"kci"``), a class or an instance as ``ci_test``.
"""

from skcausal.independence._base import (
    CITest,
    available_ci_tests,
    make_ci_test,
    register_ci_test,
)
from skcausal.independence._discrete import ChiSquared, GSquared
from skcausal.independence._fisherz import FisherZ
from skcausal.independence._kci import KCI
from skcausal.independence._oracle import DSeparationOracle

__all__ = [
    "KCI",
    "CITest",
    "ChiSquared",
    "DSeparationOracle",
    "FisherZ",
    "GSquared",
    "available_ci_tests",
    "make_ci_test",
    "register_ci_test",
]
