"""Causal feature selection for scikit-learn pipelines.

:class:`CausalFeatureSelector` learns a causal graph over the features and the
target together and keeps the target's causal parents (or its Markov blanket), so
that a downstream model relies on the mechanisms that produce the target rather
than on correlations that a change of environment can break.
"""

from skcausal.feature_selection._causal import CausalFeatureSelector

__all__ = ["CausalFeatureSelector"]
