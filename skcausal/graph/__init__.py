"""Graph math shared by every part of skcausal.

Graphs are square adjacency matrices with ``adjacency[i, j] != 0`` meaning the edge
``i -> j`` (row = cause, column = effect). An undirected edge of a CPDAG is stored in
both directions. Edge masks for prior knowledge are boolean ``(d, d)`` arrays or
iterables of ``(i, j)`` pairs; every function here accepts both.
"""

from skcausal.graph._adjustment import (
    Identification,
    frontdoor_set,
    identify,
    is_frontdoor_set,
    is_valid_adjustment_set,
    minimal_adjustment_set,
    optimal_adjustment_set,
)
from skcausal.graph._convert import from_networkx, to_networkx
from skcausal.graph._cpdag import apply_meek_rules, dag_to_cpdag, pdag_to_dag
from skcausal.graph._dag import (
    ancestors,
    children,
    descendants,
    edges_to_mask,
    find_cycle,
    is_dag,
    parents,
    threshold_to_dag,
    topological_order,
)
from skcausal.graph._dsep import d_separated

__all__ = [
    "Identification",
    "frontdoor_set",
    "identify",
    "is_frontdoor_set",
    "is_valid_adjustment_set",
    "minimal_adjustment_set",
    "optimal_adjustment_set",
    "ancestors",
    "apply_meek_rules",
    "children",
    "d_separated",
    "dag_to_cpdag",
    "descendants",
    "edges_to_mask",
    "find_cycle",
    "from_networkx",
    "is_dag",
    "parents",
    "pdag_to_dag",
    "threshold_to_dag",
    "to_networkx",
    "topological_order",
]
