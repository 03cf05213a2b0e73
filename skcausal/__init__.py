"""skcausal: causal discovery and treatment-effect estimation for scikit-learn.

Two families of estimators share one grammar:

* :mod:`skcausal.discovery` learns a causal graph from data
  (``adjacency_matrix_[i, j] != 0`` means the edge ``i -> j``);
* :mod:`skcausal.effects` estimates what happens under an intervention
  (``fit(X, y, treatment=...)``, ``predict(X)`` returns the conditional effect).

Shared building blocks live in :mod:`skcausal.graph`, :mod:`skcausal.metrics` and
:mod:`skcausal.datasets`.
"""

from skcausal._utils import all_estimators, show_versions

__version__ = "0.1.0.dev0"

__all__ = ["__version__", "all_estimators", "show_versions"]
