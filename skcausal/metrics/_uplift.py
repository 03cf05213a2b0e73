"""Qini and uplift (AUUC) areas: how well a predicted effect ranks units for treatment.

Units are sorted by predicted uplift, largest first; for each share ``q`` of the
population targeted, the curve measures the outcome gained by treating that share,
estimated by comparing the treated and control units inside it. Only the *ranking*
matters, so these scores suit targeting, not calibration: adding a constant to every
prediction leaves them unchanged.

The comparison inside the targeted share is an unbiased estimate only when treatment is
as good as random there: use them on randomised data, or pass propensities so that
every unit is weighted by the inverse probability of the arm it received.

References: N. J. Radcliffe, "Using control groups to target on predicted lift:
building and assessing uplift models", Direct Marketing Analytics Journal, 2007;
P. Gutierrez and J.-Y. Gerardy, "Causal inference and uplift modelling: a review of the
literature", PMLR 67 (Predictive Applications and APIs), 2017.
"""

from __future__ import annotations

import numpy as np

from skcausal.effects._base import check_outcome, check_treatment

__all__ = ["auuc_score", "qini_score"]


def check_vector(values, name: str, n_samples: int) -> np.ndarray:
    """A finite float vector of length ``n_samples`` (a single column is flattened)."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1 or array.shape[0] != n_samples:
        raise ValueError(
            f"{name} must have shape ({n_samples},) to match the other arrays; got "
            f"{array.shape}."
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return array


def check_sample_weight(sample_weight, n_samples: int) -> np.ndarray | None:
    """Validate non-negative weights with a positive sum (``None`` passes through)."""
    if sample_weight is None:
        return None
    weight = check_vector(sample_weight, "sample_weight", n_samples)
    if (weight < 0).any():
        raise ValueError("sample_weight must be non-negative.")
    if not weight.sum() > 0:
        raise ValueError("sample_weight sums to zero: there is nothing to score.")
    return weight


def inverse_propensity_weights(treatment, propensity) -> np.ndarray:
    """``1 / e`` for treated and ``1 / (1 - e)`` for control units."""
    return np.where(treatment == 1, 1.0 / propensity, 1.0 / (1.0 - propensity))


def _uplift_curves(uplift, y, treatment, propensity, sample_weight, name):
    """Points of the normalised Qini and uplift curves (shared by both areas).

    Returns ``share`` (the share of the population targeted, from 0 to 1), ``qini``
    and ``gain``, one point per distinct predicted uplift (tied units enter together,
    so their order cannot matter) plus the origin.
    """
    uplift = np.asarray(uplift, dtype=np.float64)
    if uplift.ndim == 2 and uplift.shape[1] == 1:
        uplift = uplift[:, 0]
    if uplift.ndim != 1:
        raise ValueError(
            f"uplift must be 1-D (one prediction per unit); got shape {uplift.shape}."
        )
    n_samples = uplift.shape[0]
    uplift = check_vector(uplift, "uplift", n_samples)
    y = check_outcome(y, n_samples)
    treatment = check_treatment(treatment, n_samples, name=name, method="__call__")
    base = check_sample_weight(sample_weight, n_samples)
    base = np.ones(n_samples) if base is None else base
    weight = base
    if propensity is not None:
        propensity = check_vector(propensity, "propensity", n_samples)
        if ((propensity <= 0) | (propensity >= 1)).any():
            raise ValueError(
                "propensity values must lie strictly between 0 and 1 to form inverse "
                "propensity weights; clip them first."
            )
        weight = base * inverse_propensity_weights(treatment, propensity)

    order = np.argsort(-uplift, kind="stable")
    ends = np.append(np.flatnonzero(np.diff(uplift[order]) != 0), n_samples - 1)
    treated = treatment[order] == 1
    w, yy = weight[order], y[order]

    def cumulative(values):
        return np.concatenate(([0.0], np.cumsum(values)[ends]))

    w_treated, w_control = cumulative(w * treated), cumulative(w * ~treated)
    y_treated, y_control = cumulative(w * yy * treated), cumulative(w * yy * ~treated)
    share = cumulative(base[order]) / base.sum()
    if not (w_treated[-1] > 0 and w_control[-1] > 0):
        raise ValueError(f"{name} needs positive total weight in both arms.")
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_treated = np.where(w_treated > 0, y_treated / w_treated, 0.0)
        mean_control = np.where(w_control > 0, y_control / w_control, 0.0)
        # Where one arm is absent from the targeted share, its term is taken as zero.
        qini = (y_treated - mean_control * w_treated) / w_treated[-1]
        both = (w_treated > 0) & (w_control > 0)
        gain = np.where(both, (mean_treated - mean_control) * share, 0.0)
    return share, qini, gain


def _area(share, curve) -> float:
    """Trapezoidal area under ``curve`` over ``share`` in [0, 1]."""
    return float(np.sum(np.diff(share) * (curve[1:] + curve[:-1]) / 2.0))


def qini_score(uplift, y, treatment, *, propensity=None, sample_weight=None) -> float:
    """Qini coefficient: area between the Qini curve and random targeting.

    Units are ranked by ``uplift``, largest first. For the top share ``q`` of units the
    normalised Qini curve is ``Q(q) = (Y_1(q) - Y_0(q) N_1(q) / N_0(q)) / N_1``, where
    ``Y_a(q)`` and ``N_a(q)`` are the (weighted) sum of outcomes and number of units of
    arm ``a`` within the top share and ``N_1`` the (weighted) number of treated units
    overall: the outcome gained in the top share, per treated unit, comparing treated
    with (rescaled) control units. ``Q(1)`` is the difference of the arms' means. The
    score is the area under ``Q`` minus that of the straight line from ``(0, 0)`` to
    ``(1, Q(1))`` (random targeting): 0 for a ranking no better than random (or a
    constant prediction), positive when the units with the largest effects come first.
    Tied predictions enter the curve together.

    Valid for randomised data, or for observational data when ``propensity`` is given:
    every unit is then weighted by ``1 / e`` (treated) or ``1 / (1 - e)`` (control),
    so the arms inside each share are compared as in a randomised trial.

    Parameters
    ----------
    uplift : array-like of shape (n_samples,)
        Predicted effects (e.g. ``learner.predict(X)``); only their order matters.
    y : array-like of shape (n_samples,)
        Observed outcomes.
    treatment : array-like of shape (n_samples,)
        Binary treatment, 0 (control) / 1 (treated); both arms must be present.
    propensity : array-like of shape (n_samples,), default=None
        ``P(t = 1 | x)`` strictly inside (0, 1), for inverse-propensity weights;
        ``None`` means randomised data (no weights).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative unit weights (multiplied into the inverse-propensity weights).

    Returns
    -------
    score : float
        Area between the Qini curve and the random-targeting line, in outcome units;
        higher is better.

    See Also
    --------
    auuc_score : Area under the uplift curve.
    make_qini_scorer : This score as a scorer for ``GridSearchCV``.

    References
    ----------
    .. [1] N. J. Radcliffe, "Using control groups to target on predicted lift: building
       and assessing uplift models", Direct Marketing Analytics Journal, 2007.
    .. [2] P. Gutierrez and J.-Y. Gerardy, "Causal inference and uplift modelling: a
       review of the literature", PMLR 67, 2017.

    Examples
    --------
    >>> from skcausal.metrics import qini_score
    >>> y = [3.0, 0.0, 1.0, 1.0]
    >>> treatment = [1, 0, 1, 0]
    >>> qini_score([4.0, 3.0, 2.0, 1.0], y, treatment)
    0.6875
    >>> qini_score([1.0, 1.0, 1.0, 1.0], y, treatment)  # no ranking at all
    0.0
    """
    share, qini, _ = _uplift_curves(
        uplift, y, treatment, propensity, sample_weight, "qini_score"
    )
    return float(_area(share, qini) - qini[-1] / 2.0)


def auuc_score(uplift, y, treatment, *, propensity=None, sample_weight=None) -> float:
    """Area under the uplift (cumulative gain) curve.

    Units are ranked by ``uplift``, largest first. For the top share ``q`` the uplift
    curve is ``G(q) = q (Y_1(q) / N_1(q) - Y_0(q) / N_0(q))``: the share targeted
    times the difference of the arms' (weighted) mean outcomes inside it, i.e. the
    gain per unit of population from treating that share (Gutierrez and Gerardy,
    2017). Where one arm is absent from the top share the point is 0. The score is the
    area under ``G`` over ``q`` in [0, 1]; a random ranking gives about half the
    average effect, a ranking that puts the largest effects first gives more. Tied
    predictions enter the curve together.

    Valid for randomised data, or for observational data when ``propensity`` is given
    (inverse-propensity weights ``1 / e`` for treated and ``1 / (1 - e)`` for control
    units).

    Parameters
    ----------
    uplift : array-like of shape (n_samples,)
        Predicted effects (e.g. ``learner.predict(X)``); only their order matters.
    y : array-like of shape (n_samples,)
        Observed outcomes.
    treatment : array-like of shape (n_samples,)
        Binary treatment, 0 (control) / 1 (treated); both arms must be present.
    propensity : array-like of shape (n_samples,), default=None
        ``P(t = 1 | x)`` strictly inside (0, 1), for inverse-propensity weights;
        ``None`` means randomised data (no weights).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative unit weights (multiplied into the inverse-propensity weights).

    Returns
    -------
    score : float
        Area under the uplift curve, in outcome units; higher is better.

    See Also
    --------
    qini_score : Area between the Qini curve and random targeting.
    make_auuc_scorer : This score as a scorer for ``GridSearchCV``.

    References
    ----------
    .. [1] P. Gutierrez and J.-Y. Gerardy, "Causal inference and uplift modelling: a
       review of the literature", PMLR 67, 2017.
    .. [2] N. J. Radcliffe, "Using control groups to target on predicted lift: building
       and assessing uplift models", Direct Marketing Analytics Journal, 2007.

    Examples
    --------
    >>> from skcausal.metrics import auuc_score
    >>> y = [3.0, 0.0, 1.0, 1.0]
    >>> treatment = [1, 0, 1, 0]
    >>> auuc_score([4.0, 3.0, 2.0, 1.0], y, treatment)
    0.9375
    >>> round(auuc_score([1.0, 1.0, 1.0, 1.0], y, treatment), 4)  # half the ATE
    0.75
    """
    share, _, gain = _uplift_curves(
        uplift, y, treatment, propensity, sample_weight, "auuc_score"
    )
    return _area(share, gain)
