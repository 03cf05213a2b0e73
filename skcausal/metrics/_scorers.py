"""Scorers for selecting effect learners without knowing the true effect.

A scorer is a callable ``scorer(estimator, X, y, treatment=..., ...)`` that
``GridSearchCV(scoring=...)``, ``cross_validate(scoring=...)`` and friends call on each
validation fold. The per-sample metadata it needs (the treatment, and optionally
cross-fitted nuisances) reaches it through scikit-learn's metadata routing: each scorer
declares what it requests for ``score``, exactly as scikit-learn's own scorers do.

Every scorer here is one class, :class:`_EffectScorer`, parametrised by a criterion (a
function of the estimated CATE, the held-out data and the nuisances ``propensity``,
``mu0``, ``mu1``) and by where the nuisances come from: the learner's own fitted models
(``nuisances="estimator"``) or cross-fitted predictions routed as metadata
(``nuisances="metadata"``, from :func:`skcausal.effects.cross_fit_nuisances`), which
judges learners of every family against the same target.

Criteria and their sources:

* doubly-robust pseudo-outcome loss: E. H. Kennedy, "Towards optimal doubly robust
  estimation of heterogeneous causal effects", arXiv:2004.14497, 2020; its use for
  model selection: A. Schuler, M. Baiocchi, R. Tibshirani and N. Shah, "A comparison
  of methods for model selection when estimating individual treatment effects",
  arXiv:1804.05146, 2018;
* R-loss: X. Nie and S. Wager, "Quasi-oracle estimation of heterogeneous treatment
  effects", Biometrika 108(2), 2021;
* transformed outcome: S. Athey and G. Imbens, "Recursive partitioning for
  heterogeneous causal effects", PNAS 113(27), 2016;
* Qini and uplift areas: see :mod:`skcausal.metrics._uplift`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from numbers import Real

import numpy as np
from sklearn.pipeline import Pipeline

from skcausal._compat import make_score_request, routing_enabled
from skcausal.effects._base import (
    ROUTING_HINT,
    check_outcome,
    check_treatment,
    clip_propensity,
    dr_loss,
    dr_pseudo_outcome,
    predict_propensity,
)
from skcausal.metrics._uplift import (
    auuc_score,
    check_sample_weight,
    check_vector,
    qini_score,
)

__all__ = [
    "make_auuc_scorer",
    "make_dr_scorer",
    "make_qini_scorer",
    "make_r_loss_scorer",
    "make_transformed_outcome_scorer",
]

_NUISANCE_MODES = ("estimator", "metadata")
_NUISANCE_NAMES = ("propensity", "mu0", "mu1")
_OUTCOMES = ("mu0", "mu1")


# --------------------------------------------------------------------------------------
# Criteria: (cate, y, treatment, nuisances, sample_weight) -> score, higher is better
# --------------------------------------------------------------------------------------


def _dr_criterion(cate, y, treatment, nuisances, sample_weight) -> float:
    phi = dr_pseudo_outcome(
        y, treatment, nuisances["mu0"], nuisances["mu1"], nuisances["propensity"]
    )
    return -dr_loss(cate, phi, sample_weight)


def _r_criterion(cate, y, treatment, nuisances, sample_weight) -> float:
    e = nuisances["propensity"]
    m = e * nuisances["mu1"] + (1.0 - e) * nuisances["mu0"]
    residual = (y - m) - (treatment - e) * cate
    return -dr_loss(residual, 0.0, sample_weight)


def _transformed_outcome_criterion(
    cate, y, treatment, nuisances, sample_weight
) -> float:
    e = nuisances["propensity"]
    return -dr_loss(cate, y * (treatment - e) / (e * (1.0 - e)), sample_weight)


def _qini_criterion(cate, y, treatment, nuisances, sample_weight) -> float:
    return qini_score(
        cate,
        y,
        treatment,
        propensity=nuisances.get("propensity"),
        sample_weight=sample_weight,
    )


def _auuc_criterion(cate, y, treatment, nuisances, sample_weight) -> float:
    return auuc_score(
        cate,
        y,
        treatment,
        propensity=nuisances.get("propensity"),
        sample_weight=sample_weight,
    )


@dataclass(frozen=True)
class _Criterion:
    """What a scorer computes: its factory, the nuisances it uses, its formula."""

    factory: str
    needs: tuple[str, ...]
    evaluate: Callable[..., float]
    # Uplift areas may run without nuisances (randomised data: no weights).
    allows_no_nuisances: bool = False


_DR = _Criterion("make_dr_scorer", _NUISANCE_NAMES, _dr_criterion)
_R_LOSS = _Criterion("make_r_loss_scorer", _NUISANCE_NAMES, _r_criterion)
_TRANSFORMED = _Criterion(
    "make_transformed_outcome_scorer", ("propensity",), _transformed_outcome_criterion
)
_QINI = _Criterion("make_qini_scorer", ("propensity",), _qini_criterion, True)
_AUUC = _Criterion("make_auuc_scorer", ("propensity",), _auuc_criterion, True)


# --------------------------------------------------------------------------------------
# Where the nuisances come from
# --------------------------------------------------------------------------------------


def _final_step(estimator, X):
    """The last step of a Pipeline and ``X`` transformed by the steps before it."""
    if isinstance(estimator, Pipeline):
        if len(estimator) > 1:
            X = estimator[:-1].transform(X)
        return estimator[-1], X
    return estimator, X


def _check_metadata_given(given, needs, scorer) -> None:
    """Raise when routed nuisances the criterion needs are missing."""
    missing = [name for name in needs if given[name] is None]
    if missing:
        raise ValueError(
            f"{scorer!r} needs the cross-fitted nuisances {missing} as metadata "
            "(compute them with skcausal.effects.cross_fit_nuisances and pass "
            "them to fit of GridSearchCV/cross_validate with metadata routing "
            "enabled: sklearn.set_config(enable_metadata_routing=True))."
        )


def _metadata_nuisances(given, needs, n_samples, clip) -> dict:
    """Validate the routed nuisances the criterion needs; clip the propensity."""
    nuisances = {name: check_vector(given[name], name, n_samples) for name in needs}
    if "propensity" in nuisances:
        e = nuisances["propensity"]
        if ((e < 0) | (e > 1)).any():
            raise ValueError("propensity values must lie in [0, 1].")
        nuisances["propensity"] = clip_propensity(e, clip)
    return nuisances


def _own_nuisances(learner, X, needs, clip, scorer):
    """The learner's own nuisances on ``X``: ``model_t_`` and ``predict_outcomes``."""
    nuisances = {}
    name = type(learner).__name__
    if "propensity" in needs:
        model_t = getattr(learner, "model_t_", None)
        if model_t is None:
            raise ValueError(
                f"{scorer!r} with nuisances='estimator' uses the learner's fitted "
                f"propensity model `model_t_`, and {name} has none; use "
                "nuisances='metadata' with skcausal.effects.cross_fit_nuisances."
            )
        clip = getattr(learner, "propensity_clip", clip)
        nuisances["propensity"] = clip_propensity(predict_propensity(model_t, X), clip)
    if set(_OUTCOMES) & set(needs):
        if not hasattr(learner, "predict_outcomes"):
            raise ValueError(
                f"{scorer!r} with nuisances='estimator' uses the learner's potential "
                f"outcomes mu0, mu1, and {name} does not model them; use "
                "nuisances='metadata' with skcausal.effects.cross_fit_nuisances."
            )
        outcomes = np.asarray(learner.predict_outcomes(X), dtype=np.float64)
        nuisances["mu0"], nuisances["mu1"] = outcomes[:, 0], outcomes[:, 1]
    return nuisances


def _check_binary_effect(learner, scorer) -> None:
    """Raise unless a fitted meta-learner's effect is "level 1 minus level 0".

    The scorers read the held-out treatment as 0 = control, 1 = treated; a learner
    fitted with another coding or baseline predicts a different contrast.
    """
    levels = getattr(learner, "treatment_levels_", None)
    baseline = getattr(learner, "baseline_", None)
    if levels is None or baseline is None:
        return
    levels = list(np.asarray(levels).tolist())
    if len(levels) != 2 or levels != [0, 1] or baseline != 0:
        raise ValueError(
            f"{scorer!r} scores the effect of treatment 1 against control 0, but "
            f"{type(learner).__name__} was fitted on treatment levels {levels} with "
            f"baseline {baseline!r}; refit it on a 0/1 treatment with baseline=0 "
            "(the default) to score it."
        )


def _is_r_learner(learner) -> bool:
    from skcausal.effects import RLearner

    return isinstance(learner, RLearner)


# --------------------------------------------------------------------------------------
# The scorer
# --------------------------------------------------------------------------------------


class _EffectScorer:
    """Callable scorer for effect learners; built by the ``make_*_scorer`` factories."""

    def __init__(self, criterion: _Criterion, nuisances, propensity_clip: float):
        self.criterion = criterion
        self.nuisances = nuisances
        self.propensity_clip = propensity_clip
        self._requests = {"treatment": True, "sample_weight": None}
        if nuisances == "metadata":
            # All three are requested so that ``**cross_fit_nuisances(...)`` can be
            # passed whatever the scorer; only ``criterion.needs`` are required.
            self._requests.update(dict.fromkeys(_NUISANCE_NAMES, True))

    def __repr__(self) -> str:
        clip = (
            f", propensity_clip={self.propensity_clip}"
            if self.nuisances == "metadata"
            else ""
        )
        return f"{self.criterion.factory}(nuisances={self.nuisances!r}{clip})"

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
            Must implement ``predict(X)`` returning the CATE; with
            ``nuisances="estimator"`` also the fitted ``model_t_`` and, for the
            doubly-robust and R-losses, ``predict_outcomes(X)``.
        X : array-like of shape (n_samples, n_features)
            Held-out features.
        y : array-like of shape (n_samples,)
            Held-out outcomes.
        treatment : array-like of shape (n_samples,)
            Held-out binary treatment; required.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the loss (or of the units of an uplift curve).
        propensity, mu0, mu1 : array-like of shape (n_samples,), default=None
            Cross-fitted nuisances for ``nuisances="metadata"``.

        Returns
        -------
        score : float
        """
        if treatment is None:
            raise ValueError(
                f"{self!r} needs the held-out `treatment`; got treatment=None. "
                + ROUTING_HINT
            )
        needs = self.criterion.needs if self.nuisances is not None else ()
        given = {"propensity": propensity, "mu0": mu0, "mu1": mu1}
        if self.nuisances == "metadata":
            # Report missing metadata before any prediction is made.
            _check_metadata_given(given, needs, self)
        learner, X_learner = estimator, X
        if self.nuisances == "estimator":
            learner, X_learner = _final_step(estimator, X)
        _check_binary_effect(learner, self)
        cate = np.asarray(learner.predict(X_learner), dtype=np.float64)
        if cate.ndim != 1:
            raise ValueError(
                f"{self!r} scores the effect of a binary treatment, but the learner "
                f"predicts {cate.shape[1:]} effects per sample (a treatment with more "
                "than two levels); score each level against the baseline on the "
                "units of those two arms instead."
            )
        n_samples = cate.shape[0]
        y = check_outcome(y, n_samples)
        treatment = check_treatment(
            treatment, n_samples, name=repr(self), method="__call__", both_arms=False
        )
        sample_weight = check_sample_weight(sample_weight, n_samples)
        if self.nuisances == "metadata":
            nuisances = _metadata_nuisances(
                given, needs, n_samples, self.propensity_clip
            )
        elif self.nuisances == "estimator":
            if (
                self.criterion is _R_LOSS
                and not hasattr(learner, "predict_outcomes")
                and _is_r_learner(learner)
            ):
                # The R-learner's own nuisance is the pooled m(x), not mu0/mu1; its
                # score is the R-loss with exactly those nuisances.
                return float(
                    learner.score(
                        X_learner, y, treatment=treatment, sample_weight=sample_weight
                    )
                )
            nuisances = _own_nuisances(
                learner, X_learner, needs, self.propensity_clip, self
            )
        else:
            nuisances = {}
        return float(
            self.criterion.evaluate(cate, y, treatment, nuisances, sample_weight)
        )


def _make_scorer(criterion: _Criterion, nuisances, propensity_clip) -> _EffectScorer:
    """Validate a factory's arguments and build its scorer."""
    modes = _NUISANCE_MODES + ((None,) if criterion.allows_no_nuisances else ())
    if nuisances not in modes:
        raise ValueError(f"nuisances must be one of {modes}, got {nuisances!r}.")
    if isinstance(propensity_clip, bool) or not isinstance(propensity_clip, Real):
        raise TypeError(f"propensity_clip must be a float, got {propensity_clip!r}.")
    if not 0.0 < propensity_clip < 0.5:
        raise ValueError(
            f"propensity_clip must lie in (0, 0.5), got {propensity_clip!r}."
        )
    return _EffectScorer(criterion, nuisances, float(propensity_clip))


# --------------------------------------------------------------------------------------
# Public factories
# --------------------------------------------------------------------------------------


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

        * ``"estimator"``: the learner's own nuisances fitted on the training fold
          (``predict_outcomes`` and ``model_t_``, clipped by its own
          ``propensity_clip``); for the S-, T-, X- and DR-learners this is their
          ``score``. Convenient, but each candidate is judged by its own nuisance
          models; the R-learner, which does not model ``mu0`` and ``mu1``, is
          rejected.
        * ``"metadata"``: cross-fitted nuisances passed as metadata ``propensity``,
          ``mu0``, ``mu1`` (see :func:`skcausal.effects.cross_fit_nuisances`); every
          candidate is judged against the same pseudo-outcome, so learners of
          different families compare on equal terms.
    propensity_clip : float, default=0.01
        With ``nuisances="metadata"``, propensities are clipped to
        ``[propensity_clip, 1 - propensity_clip]``; must lie in (0, 0.5).

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
    make_r_loss_scorer : The R-loss, another target-free criterion.

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
    return _make_scorer(_DR, nuisances, propensity_clip)


def make_r_loss_scorer(*, nuisances: str = "estimator", propensity_clip: float = 0.01):
    """Make an R-loss scorer for effect learners (higher is better).

    The scorer returns minus the R-loss of Nie and Wager (2021),
    ``-mean_i w_i ((y_i - m(x_i)) - (t_i - e(x_i)) tau(x_i))^2 / mean_i w_i`` with
    ``m = e mu1 + (1 - e) mu0`` the outcome expected without knowing the treatment.
    With the true ``m`` and ``e`` its expectation is the noise variance plus
    ``E[e (1 - e) (tau_hat - tau)^2]``: a propensity-weighted PEHE, so the true CATE
    minimises it and no true effect is needed. Routing works as for
    :func:`make_dr_scorer`.

    Parameters
    ----------
    nuisances : {"estimator", "metadata"}, default="estimator"
        Where ``m`` and ``e`` come from.

        * ``"estimator"``: the learner's own nuisances fitted on the training fold
          (``predict_outcomes`` and ``model_t_``, clipped by its own
          ``propensity_clip``); for :class:`~skcausal.effects.RLearner`, which models
          ``m`` directly, its own ``score`` (the R-loss with its nuisances).
        * ``"metadata"``: cross-fitted ``propensity``, ``mu0``, ``mu1`` passed as
          metadata (see :func:`skcausal.effects.cross_fit_nuisances`), the same for
          every candidate, so learners of different families compare on equal terms.
    propensity_clip : float, default=0.01
        Clipping of routed propensities, as in :func:`make_dr_scorer`.

    Returns
    -------
    scorer : callable
        Called and routed as the scorer of :func:`make_dr_scorer`.

    See Also
    --------
    make_dr_scorer : The doubly-robust pseudo-outcome loss.
    skcausal.effects.RLearner : The learner that minimises this loss.

    References
    ----------
    .. [1] X. Nie and S. Wager, "Quasi-oracle estimation of heterogeneous treatment
       effects", Biometrika 108(2), 2021.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.dummy import DummyRegressor
    >>> from skcausal.datasets import make_treatment_data
    >>> from skcausal.effects import TLearner, cross_fit_nuisances
    >>> from skcausal.metrics import make_r_loss_scorer
    >>> data = make_treatment_data(n_samples=400, random_state=0)
    >>> train, test = slice(0, 300), slice(300, None)
    >>> nuis = cross_fit_nuisances(
    ...     data.X, data.y, data.treatment, model_y=LinearRegression(), random_state=0
    ... )
    >>> scorer = make_r_loss_scorer(nuisances="metadata")
    >>> def held_out_score(model_y):
    ...     learner = TLearner(model_y=model_y).fit(
    ...         data.X[train], data.y[train], treatment=data.treatment[train]
    ...     )
    ...     held_out = {name: value[test] for name, value in nuis.items()}
    ...     return scorer(
    ...         learner,
    ...         data.X[test],
    ...         data.y[test],
    ...         treatment=data.treatment[test],
    ...         **held_out,
    ...     )
    >>> bool(held_out_score(LinearRegression()) > held_out_score(DummyRegressor()))
    True
    """
    return _make_scorer(_R_LOSS, nuisances, propensity_clip)


def make_transformed_outcome_scorer(
    *, nuisances: str = "estimator", propensity_clip: float = 0.01
):
    """Make a transformed-outcome scorer for effect learners (higher is better).

    The transformed outcome of Athey and Imbens (2016),
    ``y* = y (t - e) / (e (1 - e))``, has conditional mean ``tau(x)`` when ``e`` is
    the true propensity; the scorer returns
    ``-mean_i w_i (y*_i - tau(x_i))^2 / mean_i w_i``. It needs only the propensity,
    but ``y*`` is much noisier than the doubly-robust pseudo-outcome (which subtracts
    the outcome models), so differences between candidates need more data to show.
    Routing works as for :func:`make_dr_scorer`.

    Parameters
    ----------
    nuisances : {"estimator", "metadata"}, default="estimator"
        Where ``e`` comes from: the learner's own ``model_t_`` (clipped by its own
        ``propensity_clip``), or the ``propensity`` routed as metadata (see
        :func:`skcausal.effects.cross_fit_nuisances`; ``mu0`` and ``mu1`` are
        accepted and ignored).
    propensity_clip : float, default=0.01
        Clipping of routed propensities, as in :func:`make_dr_scorer`.

    Returns
    -------
    scorer : callable
        Called and routed as the scorer of :func:`make_dr_scorer`.

    See Also
    --------
    make_dr_scorer : A lower-variance target that also uses outcome models.

    References
    ----------
    .. [1] S. Athey and G. Imbens, "Recursive partitioning for heterogeneous causal
       effects", PNAS 113(27), 2016.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from skcausal.datasets import make_treatment_data
    >>> from skcausal.effects import TLearner
    >>> from skcausal.metrics import make_transformed_outcome_scorer
    >>> data = make_treatment_data(n_samples=400, random_state=0)
    >>> learner = TLearner(model_y=LinearRegression()).fit(
    ...     data.X[:300], data.y[:300], treatment=data.treatment[:300]
    ... )
    >>> scorer = make_transformed_outcome_scorer()  # the learner's own propensity
    >>> score = scorer(
    ...     learner, data.X[300:], data.y[300:], treatment=data.treatment[300:]
    ... )
    >>> bool(score < 0)
    True
    """
    return _make_scorer(_TRANSFORMED, nuisances, propensity_clip)


def make_qini_scorer(*, nuisances="estimator", propensity_clip: float = 0.01):
    """Make a Qini-coefficient scorer for effect learners (higher is better).

    The scorer ranks the held-out units by the learner's predicted CATE and returns
    :func:`qini_score`: the area between the Qini curve and random targeting. It
    judges the *ranking* only (targeting who benefits most), not the size of the
    effects. It compares treated with control units inside each targeted share, which
    is unbiased on randomised data, or with inverse-propensity weights on observational
    data (Radcliffe, 2007; Gutierrez and Gerardy, 2017). Routing works as for
    :func:`make_dr_scorer`.

    Parameters
    ----------
    nuisances : {"estimator", "metadata"} or None, default="estimator"
        Where the propensity for the inverse-propensity weights comes from: the
        learner's own ``model_t_`` (clipped by its own ``propensity_clip``), the
        ``propensity`` routed as metadata (e.g. from
        :func:`skcausal.effects.cross_fit_nuisances`, or the known assignment
        probabilities of an experiment), or ``None`` for randomised data with equal
        assignment probabilities (no weights).
    propensity_clip : float, default=0.01
        Clipping of routed propensities, as in :func:`make_dr_scorer`.

    Returns
    -------
    scorer : callable
        Called and routed as the scorer of :func:`make_dr_scorer`; each held-out
        fold needs both arms.

    See Also
    --------
    qini_score : The score on given predictions.
    make_auuc_scorer : The area under the uplift curve.

    References
    ----------
    .. [1] N. J. Radcliffe, "Using control groups to target on predicted lift: building
       and assessing uplift models", Direct Marketing Analytics Journal, 2007.
    .. [2] P. Gutierrez and J.-Y. Gerardy, "Causal inference and uplift modelling: a
       review of the literature", PMLR 67, 2017.

    Examples
    --------
    >>> import sklearn
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from skcausal.datasets import make_treatment_data
    >>> from skcausal.effects import TLearner
    >>> from skcausal.metrics import make_qini_scorer
    >>> data = make_treatment_data(n_samples=600, confounding=0.0, random_state=0)
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     scores = cross_val_score(
    ...         TLearner(model_y=LinearRegression()),
    ...         data.X,
    ...         data.y,
    ...         scoring=make_qini_scorer(nuisances=None),  # a randomised trial
    ...         params={"treatment": data.treatment},
    ...         cv=3,
    ...     )
    >>> bool((scores > 0).all())
    True
    """
    return _make_scorer(_QINI, nuisances, propensity_clip)


def make_auuc_scorer(*, nuisances="estimator", propensity_clip: float = 0.01):
    """Make an area-under-the-uplift-curve scorer for effect learners.

    The scorer ranks the held-out units by the learner's predicted CATE and returns
    :func:`auuc_score` (higher is better). Like the Qini coefficient it judges the
    ranking only, and is unbiased on randomised data or with inverse-propensity
    weights (Gutierrez and Gerardy, 2017). Routing works as for
    :func:`make_dr_scorer`.

    Parameters
    ----------
    nuisances : {"estimator", "metadata"} or None, default="estimator"
        Where the propensity for the inverse-propensity weights comes from: the
        learner's own ``model_t_`` (clipped by its own ``propensity_clip``), the
        ``propensity`` routed as metadata, or ``None`` for randomised data with equal
        assignment probabilities (no weights).
    propensity_clip : float, default=0.01
        Clipping of routed propensities, as in :func:`make_dr_scorer`.

    Returns
    -------
    scorer : callable
        Called and routed as the scorer of :func:`make_dr_scorer`; each held-out
        fold needs both arms.

    See Also
    --------
    auuc_score : The score on given predictions.
    make_qini_scorer : The Qini coefficient.

    References
    ----------
    .. [1] P. Gutierrez and J.-Y. Gerardy, "Causal inference and uplift modelling: a
       review of the literature", PMLR 67, 2017.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from skcausal.datasets import make_treatment_data
    >>> from skcausal.effects import TLearner
    >>> from skcausal.metrics import make_auuc_scorer
    >>> data = make_treatment_data(n_samples=400, random_state=0)
    >>> learner = TLearner(model_y=LinearRegression()).fit(
    ...     data.X[:300], data.y[:300], treatment=data.treatment[:300]
    ... )
    >>> scorer = make_auuc_scorer()  # weights from the learner's own propensity
    >>> held_out = (data.X[300:], data.y[300:])
    >>> bool(scorer(learner, *held_out, treatment=data.treatment[300:]) > 0.5)
    True
    """
    return _make_scorer(_AUUC, nuisances, propensity_clip)
