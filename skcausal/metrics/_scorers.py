"""Scorers for selecting effect learners without knowing the true effect.

A scorer is a callable ``scorer(estimator, X, y, treatment=..., ...)`` that
``GridSearchCV(scoring=...)``, ``cross_validate(scoring=...)`` and friends call on each
validation fold. The per-sample metadata it needs (the treatment, and optionally
cross-fitted nuisances) reaches it through scikit-learn's metadata routing: each scorer
declares what it requests for ``score``, exactly as scikit-learn's own scorers do.

The doubly-robust loss compares the estimated CATE with the AIPW pseudo-outcome
(E. H. Kennedy, "Towards optimal doubly robust estimation of heterogeneous causal
effects", arXiv:2004.14497, 2020); its use for model selection is studied by
A. Schuler, M. Baiocchi, R. Tibshirani and N. Shah, "A comparison of methods for model
selection when estimating individual treatment effects", arXiv:1804.05146, 2018.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from skcausal._compat import make_score_request, routing_enabled
from skcausal.effects._base import (
    ROUTING_HINT,
    check_outcome,
    check_treatment,
    clip_propensity,
    dr_loss,
    dr_pseudo_outcome,
)

__all__ = ["make_dr_scorer"]

_NUISANCE_MODES = ("estimator", "metadata")
_NUISANCE_NAMES = ("propensity", "mu0", "mu1")


def _as_vector(values, name: str, n_samples: int) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1 or array.shape[0] != n_samples:
        raise ValueError(
            f"{name} must have shape ({n_samples},) to match X; got {array.shape}."
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return array


class _DRScorer:
    """Callable doubly-robust scorer; built by :func:`make_dr_scorer`."""

    def __init__(self, nuisances: str, propensity_clip: float):
        self.nuisances = nuisances
        self.propensity_clip = propensity_clip
        self._requests = {"treatment": True, "sample_weight": None}
        if nuisances == "metadata":
            self._requests.update(dict.fromkeys(_NUISANCE_NAMES, True))

    def __repr__(self) -> str:
        clip = (
            f", propensity_clip={self.propensity_clip}"
            if self.nuisances == "metadata"
            else ""
        )
        return f"make_dr_scorer(nuisances={self.nuisances!r}{clip})"

    def _routing_repr(self) -> str:
        return repr(self)

    # -- metadata routing -------------------------------------------------------------

    def get_metadata_routing(self):
        """The metadata this scorer requests for ``score``.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRequest
        """
        return make_score_request(self, self._requests)

    def set_score_request(self, **kwargs):
        """Change which metadata the scorer requests (needs routing enabled).

        Parameters
        ----------
        **kwargs : {True, False, None} or str
            ``param=alias`` for ``treatment``, ``sample_weight`` and, with
            ``nuisances="metadata"``, ``propensity``, ``mu0``, ``mu1``. By default
            ``treatment`` (and the nuisances) are requested, ``sample_weight`` is
            not.

        Returns
        -------
        self
        """
        if not routing_enabled():
            raise RuntimeError(
                "set_score_request is only available when metadata routing is enabled: "
                "sklearn.set_config(enable_metadata_routing=True)."
            )
        unknown = set(kwargs) - set(self._requests)
        if unknown:
            raise TypeError(
                f"Unexpected metadata {sorted(unknown)} for {self!r}; it accepts "
                f"{sorted(self._requests)}."
            )
        self._requests.update(kwargs)
        return self

    def _accept_sample_weight(self) -> bool:
        return True

    # -- scoring ----------------------------------------------------------------------

    def __call__(
        self,
        estimator,
        X,
        y,
        treatment=None,
        sample_weight=None,
        propensity=None,
        mu0=None,
        mu1=None,
    ) -> float:
        """Score a fitted effect estimator on held-out data (higher is better).

        Parameters
        ----------
        estimator : fitted effect estimator (or Pipeline ending in one)
            Must implement ``predict(X)`` returning the CATE and, with
            ``nuisances="estimator"``, ``score(X, y, treatment=...)``.
        X : array-like of shape (n_samples, n_features)
            Held-out features.
        y : array-like of shape (n_samples,)
            Held-out outcomes.
        treatment : array-like of shape (n_samples,)
            Held-out binary treatment; required.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the loss.
        propensity, mu0, mu1 : array-like of shape (n_samples,), default=None
            Cross-fitted nuisances for ``nuisances="metadata"``.

        Returns
        -------
        score : float
            Minus the (weighted) mean squared difference between the estimated CATE and
            the doubly-robust pseudo-outcome.
        """
        if treatment is None:
            raise ValueError(
                f"{self!r} needs the held-out `treatment`; got treatment=None. "
                + ROUTING_HINT
            )
        if self.nuisances == "estimator":
            extra = {} if sample_weight is None else {"sample_weight": sample_weight}
            return float(estimator.score(X, y, treatment=treatment, **extra))

        given = {"propensity": propensity, "mu0": mu0, "mu1": mu1}
        missing = [name for name, value in given.items() if value is None]
        if missing:
            raise ValueError(
                f"{self!r} needs the cross-fitted nuisances {missing} as metadata "
                "(compute them with skcausal.effects.cross_fit_nuisances and pass "
                "them to fit of GridSearchCV/cross_validate with metadata routing "
                "enabled: sklearn.set_config(enable_metadata_routing=True))."
            )
        cate = np.asarray(estimator.predict(X), dtype=np.float64).reshape(-1)
        n_samples = cate.shape[0]
        y = check_outcome(y, n_samples)
        treatment = check_treatment(
            treatment, n_samples, name=repr(self), method="__call__", both_arms=False
        )
        propensity = _as_vector(propensity, "propensity", n_samples)
        if ((propensity < 0) | (propensity > 1)).any():
            raise ValueError("propensity values must lie in [0, 1].")
        mu0 = _as_vector(mu0, "mu0", n_samples)
        mu1 = _as_vector(mu1, "mu1", n_samples)
        if sample_weight is not None:
            sample_weight = _as_vector(sample_weight, "sample_weight", n_samples)
        phi = dr_pseudo_outcome(
            y, treatment, mu0, mu1, clip_propensity(propensity, self.propensity_clip)
        )
        return -dr_loss(cate, phi, sample_weight)


def make_dr_scorer(*, nuisances: str = "estimator", propensity_clip: float = 0.01):
    """Make a doubly-robust scorer for effect learners (higher is better).

    The scorer returns ``-mean_i w_i (tau(x_i) - phi_i)^2 / mean_i w_i``: minus the
    squared distance between the estimated CATE ``tau`` and the doubly-robust
    pseudo-outcome ``phi = mu1 - mu0 + t (y - mu1) / e - (1 - t) (y - mu0) / (1 - e)``,
    whose conditional mean is the true CATE. It needs no true effect, so it can choose
    hyper-parameters on real data. It requests ``treatment`` for ``score``; enable
    metadata routing (``sklearn.set_config(enable_metadata_routing=True)``) and pass
    ``treatment`` (and the nuisances) to ``GridSearchCV.fit`` or
    ``cross_validate(params=...)``: each validation fold receives its own slice.

    Parameters
    ----------
    nuisances : {"estimator", "metadata"}, default="estimator"
        Where ``mu0``, ``mu1`` and ``e`` come from.

        * ``"estimator"``: the learner's own nuisances fitted on the training fold; the
          scorer calls ``estimator.score(X, y, treatment=...)``. Convenient, but each
          candidate is judged by its own nuisance models.
        * ``"metadata"``: cross-fitted nuisances passed as metadata ``propensity``,
          ``mu0``, ``mu1`` (see :func:`skcausal.effects.cross_fit_nuisances`); every
          candidate is judged against the same pseudo-outcome, so learners of
          different families compare on equal terms.
    propensity_clip : float, default=0.01
        With ``nuisances="metadata"``, propensities are clipped to
        ``[propensity_clip, 1 - propensity_clip]``; must lie in (0, 0.5). (With
        ``"estimator"`` the learner's own ``propensity_clip`` applies.)

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, treatment=None, sample_weight=None, propensity=None,
        mu0=None, mu1=None)``. It requests ``treatment`` (and, with ``"metadata"``, the
        three nuisances); ``sample_weight`` is not requested until
        ``scorer.set_score_request(sample_weight=True)``.

    See Also
    --------
    skcausal.effects.cross_fit_nuisances : Out-of-fold nuisances for ``"metadata"``.
    skcausal.effects.TLearner.score : The estimator's own doubly-robust score.

    References
    ----------
    .. [1] E. H. Kennedy, "Towards optimal doubly robust estimation of heterogeneous
       causal effects", arXiv:2004.14497, 2020.
    .. [2] A. Schuler, M. Baiocchi, R. Tibshirani and N. Shah, "A comparison of methods
       for model selection when estimating individual treatment effects",
       arXiv:1804.05146, 2018.

    Examples
    --------
    >>> import sklearn
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from skcausal.datasets import make_treatment_data
    >>> from skcausal.effects import TLearner, cross_fit_nuisances
    >>> from skcausal.metrics import make_dr_scorer
    >>> data = make_treatment_data(n_samples=300, random_state=0)
    >>> nuis = cross_fit_nuisances(
    ...     data.X, data.y, data.treatment, model_y=LinearRegression(), random_state=0
    ... )
    >>> learner = TLearner(model_y=LinearRegression())
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     scores = cross_val_score(
    ...         learner,
    ...         data.X,
    ...         data.y,
    ...         scoring=make_dr_scorer(nuisances="metadata"),
    ...         params={"treatment": data.treatment, **nuis},
    ...         cv=3,
    ...     )
    >>> scores.round(2)
    array([-5.95, -5.96, -6.79])
    """
    if nuisances not in _NUISANCE_MODES:
        raise ValueError(
            f"nuisances must be one of {_NUISANCE_MODES}, got {nuisances!r}."
        )
    if isinstance(propensity_clip, bool) or not isinstance(propensity_clip, Real):
        raise TypeError(f"propensity_clip must be a float, got {propensity_clip!r}.")
    if not 0.0 < propensity_clip < 0.5:
        raise ValueError(
            f"propensity_clip must lie in (0, 0.5), got {propensity_clip!r}."
        )
    return _DRScorer(nuisances, float(propensity_clip))
