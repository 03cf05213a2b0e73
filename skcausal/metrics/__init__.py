"""Metrics for learned graphs and estimated effects, and scorers for model selection.

Graph metrics compare an estimated adjacency matrix with the true one under the package
convention (``A[i, j] != 0`` means ``i -> j``; an undirected CPDAG edge is stored in
both directions). Effect metrics compare estimated with true effects.
"""

from skcausal.metrics._effects import ate_error, pehe
from skcausal.metrics._graph import (
    edge_metrics,
    structural_hamming_distance,
)
from skcausal.metrics._scorers import (
    make_auuc_scorer,
    make_dr_scorer,
    make_qini_scorer,
    make_r_loss_scorer,
    make_transformed_outcome_scorer,
)
from skcausal.metrics._uplift import auuc_score, qini_score
from skcausal.metrics._varsortability import varsortability

__all__ = [
    "ate_error",
    "auuc_score",
    "edge_metrics",
    "make_auuc_scorer",
    "make_dr_scorer",
    "make_qini_scorer",
    "make_r_loss_scorer",
    "make_transformed_outcome_scorer",
    "pehe",
    "qini_score",
    "structural_hamming_distance",
    "varsortability",
]
