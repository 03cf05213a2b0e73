"""Causal discovery: learn a causal graph from observational data.

Every estimator stores the learned graph in ``adjacency_matrix_``, where
``adjacency_matrix_[i, j] != 0`` means the edge ``i -> j`` (row = cause, column =
effect).
"""

from skcausal.discovery._dagma import DAGMA
from skcausal.discovery._golem import GOLEM
from skcausal.discovery._linear_cv import DAGMACV
from skcausal.discovery._notears import NOTEARS
from skcausal.discovery._pc import PC
from skcausal.discovery._sortnregress import SortNRegress

__all__ = ["DAGMA", "DAGMACV", "GOLEM", "NOTEARS", "PC", "SortNRegress"]
