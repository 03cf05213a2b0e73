"""Structural causal models: all three rungs of the causal ladder on a DAG.

:class:`StructuralCausalModel` fits one mechanism per node of a given or learned
causal graph (``adjacency[i, j] != 0`` means the edge ``i -> j``) and answers
associational (``predict``, ``sample``), interventional (``do``,
``interventional_mean``, ``average_causal_effect``) and counterfactual
(``counterfactual``) queries.
"""

from skcausal.scm._estimate import EffectEstimate, estimate_effect
from skcausal.scm._scm import StructuralCausalModel

__all__ = ["EffectEstimate", "StructuralCausalModel", "estimate_effect"]
