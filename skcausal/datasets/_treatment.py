"""Simulated binary-treatment data with known potential outcomes and effects.

The generator draws confounded observational data: the features that drive the
treatment assignment also drive the outcome, so the naive difference of the arms' mean
outcomes is a biased estimate of the average effect, while every unit's true
conditional effect is known. The design follows the usual semi-parametric simulation
setups for meta-learners (Künzel, Sekhon, Bickel and Yu, "Metalearners for estimating
heterogeneous treatment effects using machine learning", PNAS 2019).
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch, check_random_state

_OUTCOMES = ("linear", "nonlinear")
_EFFECTS = ("heterogeneous", "constant")


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return int(value)


def _check_real(value, name: str, *, strictly_positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {value!r}.")
    value = float(value)
    bad = value <= 0 if strictly_positive else value < 0
    if not np.isfinite(value) or bad:
        bound = "> 0" if strictly_positive else ">= 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value}.")
    return value


def _check_choice(value, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}.")
    return value


def _baseline_coefficients(n_features: int) -> np.ndarray:
    """Coefficients ``beta_j = (-1)^j / (j + 1)`` of the linear control outcome."""
    j = np.arange(n_features)
    return np.where(j % 2 == 0, 1.0, -1.0) / (j + 1.0)


def make_treatment_data(
    n_samples: int = 1000,
    n_features: int = 5,
    *,
    outcome: str = "linear",
    effect: str = "heterogeneous",
    confounding: float = 1.0,
    noise_scale: float = 1.0,
    random_state=None,
) -> Bunch:
    """Generate confounded binary-treatment data with known effects.

    Features are independent standard normals ``x_0, ..., x_{d-1}``. The simulation is

    * propensity ``e(x) = sigmoid(confounding * (x_0 + x_1 / 2))``,
      treatment ``t ~ Bernoulli(e(x))``;
    * control outcome ``mu_0(x)``: ``"linear"`` gives
      ``1 + sum_j beta_j x_j`` with ``beta_j = (-1)^j / (j + 1)``; ``"nonlinear"`` gives
      ``1 + 2 sin(x_0) + (x_1^2 - 1) / 2 + sum_{j >= 2} beta_j x_j``;
    * effect ``tau(x)``: ``"heterogeneous"`` gives ``1 + x_0 + x_1 / 2``;
      ``"constant"`` gives ``1``;
    * ``mu_1(x) = mu_0(x) + tau(x)`` and ``y = mu_t(x) + noise_scale * eps`` with
      ``eps ~ N(0, 1)``.

    ``x_0`` and ``x_1`` drive both the treatment and the outcome, so the data are
    confounded: treated units have larger ``x_0`` and hence a larger control outcome and
    a larger effect, and the naive difference of the arms' mean outcomes overstates the
    average effect. The population average effect is exactly 1 for both effect shapes
    (the features are centred).

    Parameters
    ----------
    n_samples : int, default=1000
        Number of units (>= 2).
    n_features : int, default=5
        Number of features ``d`` (>= 2); features beyond the second enter the outcome
        only (linearly, with shrinking coefficients).
    outcome : {"linear", "nonlinear"}, default="linear"
        Shape of the control outcome ``mu_0``.
    effect : {"heterogeneous", "constant"}, default="heterogeneous"
        Shape of the conditional average treatment effect ``tau``.
    confounding : float, default=1.0
        Scale (>= 0) of the propensity logits. ``0`` gives a randomised experiment with
        ``e(x) = 1/2``; larger values give stronger confounding and poorer overlap.
    noise_scale : float, default=1.0
        Standard deviation (>= 0) of the outcome noise.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible draws.

    Returns
    -------
    data : sklearn.utils.Bunch
        With fields

        X : ndarray of shape (n_samples, n_features)
            Features.
        y : ndarray of shape (n_samples,)
            Observed outcome.
        treatment : ndarray of shape (n_samples,), dtype int
            Binary treatment indicator (0 = control, 1 = treated).
        cate : ndarray of shape (n_samples,)
            True conditional effect ``tau(x_i) = mu_1(x_i) - mu_0(x_i)``.
        ate : float
            Mean of ``cate`` over the sample (the sample average effect; the
            population value is 1.0).
        propensity : ndarray of shape (n_samples,)
            True propensity ``e(x_i) = P(t = 1 | x_i)``.
        mu0, mu1 : ndarray of shape (n_samples,)
            True potential-outcome means under control and under treatment.

    See Also
    --------
    skcausal.effects.TLearner : A learner to fit on these data.
    skcausal.metrics.pehe : Error of estimated effects against ``cate``.

    References
    ----------
    .. [1] S. R. Künzel, J. S. Sekhon, P. J. Bickel and B. Yu, "Metalearners for
       estimating heterogeneous treatment effects using machine learning", PNAS 116(10),
       2019.

    Examples
    --------
    >>> from skcausal.datasets import make_treatment_data
    >>> data = make_treatment_data(n_samples=1000, random_state=0)
    >>> data.X.shape, data.treatment[:6]
    ((1000, 5), array([1, 0, 1, 1, 0, 0]))

    The naive difference of the arms' means is biased by confounding:

    >>> treated, control = data.y[data.treatment == 1], data.y[data.treatment == 0]
    >>> round(data.ate, 2), round(float(treated.mean() - control.mean()), 2)
    (0.95, 1.91)
    """
    n_samples = _check_int(n_samples, "n_samples", 2)
    n_features = _check_int(n_features, "n_features", 2)
    outcome = _check_choice(outcome, "outcome", _OUTCOMES)
    effect = _check_choice(effect, "effect", _EFFECTS)
    confounding = _check_real(confounding, "confounding", strictly_positive=False)
    noise_scale = _check_real(noise_scale, "noise_scale", strictly_positive=False)
    rng = check_random_state(random_state)

    X = rng.standard_normal((n_samples, n_features))
    x0, x1 = X[:, 0], X[:, 1]

    logits = confounding * (x0 + 0.5 * x1)
    propensity = 1.0 / (1.0 + np.exp(-logits))
    treatment = (rng.uniform(size=n_samples) < propensity).astype(int)

    beta = _baseline_coefficients(n_features)
    if outcome == "linear":
        mu0 = 1.0 + X @ beta
    else:
        mu0 = 1.0 + 2.0 * np.sin(x0) + 0.5 * (x1**2 - 1.0) + X[:, 2:] @ beta[2:]

    cate = 1.0 + x0 + 0.5 * x1 if effect == "heterogeneous" else np.ones(n_samples)
    mu1 = mu0 + cate

    noise = noise_scale * rng.standard_normal(n_samples)
    y = np.where(treatment == 1, mu1, mu0) + noise

    return Bunch(
        X=X,
        y=y,
        treatment=treatment,
        cate=cate,
        ate=float(np.mean(cate)),
        propensity=propensity,
        mu0=mu0,
        mu1=mu1,
    )
