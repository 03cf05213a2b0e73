"""Synthetic data generators with known ground truth, and loaders for real data.

Every generator is seeded by ``random_state`` and returns the truth alongside the data
(the weighted adjacency of a SEM, or the true effects of a treatment problem).
"""

from skcausal.datasets._discrete import make_discrete_bayesian_network
from skcausal.datasets._graphs import make_dag, make_linear_sem
from skcausal.datasets._treatment import make_treatment_data

__all__ = [
    "make_dag",
    "make_discrete_bayesian_network",
    "make_linear_sem",
    "make_treatment_data",
]
