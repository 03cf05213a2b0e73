"""Treatment-effect estimators: effects of a binary or categorical treatment.

Every learner follows one grammar: ``fit(X, y, treatment=t)``, ``predict(X)`` returns
the conditional average treatment effect ``tau(x)``, ``predict_outcomes(X)`` the two
potential outcomes (where the learner models them; the R-learner does not), ``ate(X)``
the average effect and ``score(X, y, treatment=t)`` a held-out loss that needs no true
effect (negated, so higher is better). ``treatment`` travels
through ``Pipeline``, ``GridSearchCV`` and ``cross_validate`` by scikit-learn's metadata
routing once ``sklearn.set_config(enable_metadata_routing=True)`` is set.

With K > 2 treatment levels ``predict`` returns one column per non-baseline level (in
the order of ``effect_levels_``); ``ate_interval`` and ``effect_interval`` give
bootstrap intervals when a learner is fitted with ``n_bootstrap > 0``.
"""

from skcausal.effects._base import cross_fit_nuisances
from skcausal.effects._meta import SLearner, TLearner
from skcausal.effects._neural import Dragonnet, TARNet
from skcausal.effects._split import TreatmentStratifiedKFold
from skcausal.effects._xrdr import DRLearner, RLearner, XLearner

__all__ = [
    "DRLearner",
    "Dragonnet",
    "RLearner",
    "SLearner",
    "TARNet",
    "TLearner",
    "TreatmentStratifiedKFold",
    "XLearner",
    "cross_fit_nuisances",
]
