"""Local scores of a node given its parents, with caching, for score-based search.

A score object summarises the data once (sufficient statistics) and answers
``local_score(j, parents)`` from a cache, so a search that visits the same family many
times pays for it once.
"""

from skcausal.scores._gaussian import GaussianBICScore

__all__ = ["GaussianBICScore"]
