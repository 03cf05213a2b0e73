"""Shared pieces of every treatment-effect learner.

One place for what all learners do the same way: validating ``treatment`` (with an
error that points to metadata routing when it is missing), cloning and seeding nuisance
models, fitting the propensity model with its overlap check and clipping, the
doubly-robust pseudo-outcome and the ``score`` built on it, and cross-fitted nuisances
for comparing learners on equal terms.

The doubly-robust (AIPW) pseudo-outcome and its use as a regression target for the
CATE follow E. H. Kennedy, "Towards optimal doubly robust estimation of heterogeneous
causal effects", arXiv:2004.14497, 2020 (Electronic Journal of Statistics 2023).
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import check_cv
from sklearn.utils import Bunch, check_array, check_random_state
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import (
    _check_sample_weight,
    column_or_1d,
    has_fit_parameter,
)

from skcausal._validation import validate_X
from skcausal.effects._levels import per_sample_vector, predict_level_propensities

__all__ = ["cross_fit_nuisances"]

# Overlap diagnostics: units whose estimated propensity lies outside these bounds are
# counted as "near-violations"; a warning is raised when their share exceeds the
# tolerance below.
OVERLAP_BOUNDS = (0.05, 0.95)
OVERLAP_WARN_SHARE = 0.05

ROUTING_HINT = (
    "Inside a Pipeline, GridSearchCV or cross_validate, treatment only reaches the "
    "learner with metadata routing enabled: "
    "sklearn.set_config(enable_metadata_routing=True) (or, for one block, "
    "`with sklearn.config_context(enable_metadata_routing=True):`)."
)


def default_model_y():
    """Default outcome model: gradient boosting of depth-2 trees.

    Shallow trees (main effects and pairwise interactions) regularise the per-arm fits
    of small treatment arms better than the depth-3 default; the model is deterministic
    and single-threaded, so it behaves predictably inside ``GridSearchCV(n_jobs=...)``.
    """
    return GradientBoostingRegressor(max_depth=2)


def early_stopping_model_y():
    """The T-learner's default outcome model: early-stopped depth-2 boosting.

    Each fit chooses its own number of trees: up to 1,000, stopping once the squared
    error on an internal validation split (20 % of the fit's rows, drawn with the
    model's seed) has not improved for 20 rounds. Smooth outcome surfaces stop after
    few trees; steep ones (IHDP replication 9, an exponential control surface) run to
    several hundred, where a fixed 100 trees underfit. On IHDP replications 1-5 its
    cross-validated per-arm outcome MSE (observed arm; the criterion a user can
    compute) was 1.316 against 1.400 for :func:`default_model_y`, lower on 4 of the 5
    replications; on ``make_treatment_data`` it was 2-3 % higher (1.25 against 1.22,
    nonlinear outcome). See ``benchmarks/meta_ihdp_defaults.py``, stage ``adaptive``.
    """
    return GradientBoostingRegressor(
        max_depth=2, n_estimators=1000, n_iter_no_change=20, validation_fraction=0.2
    )


def default_model_t():
    """Default propensity model: L2-regularised logistic regression."""
    return LogisticRegression()


# --------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------


def missing_treatment_error(name: str, method: str) -> ValueError:
    """The error raised when ``treatment`` is missing; it explains metadata routing."""
    return ValueError(
        f"{name}.{method} requires a per-sample `treatment` array (0 = control, "
        f"1 = treated); got treatment=None. Pass it as {method}(X, y, treatment=t). "
        + ROUTING_HINT
    )


def check_treatment(
    treatment,
    n_samples: int,
    *,
    name: str,
    method: str = "fit",
    both_arms: bool = True,
) -> np.ndarray:
    """Validate a per-sample treatment and return it as a 1-D array.

    Parameters
    ----------
    treatment : array-like of shape (n_samples,) or None
        Treatment indicator; bool or numeric 0/1 for binary learners.
    n_samples : int
        Number of rows of ``X``; ``treatment`` must have as many entries.
    name, method : str
        Estimator and method names used in the error messages.
    both_arms : bool, default=True
        Also require both arms to be present (fitting needs them; a held-out fold
        can be scored with one arm only).

    Returns
    -------
    treatment : ndarray of shape (n_samples,), int 0/1
    """
    if treatment is None:
        raise missing_treatment_error(name, method)
    values = per_sample_vector(treatment, n_samples, name="treatment")
    if values.dtype.kind == "b":
        values = values.astype(int)
    try:
        as_float = values.astype(np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"treatment must be numeric (0 = control, 1 = treated); got dtype "
            f"{values.dtype}."
        ) from None
    if np.isnan(as_float).any():
        raise ValueError(
            f"treatment contains NaN ({int(np.isnan(as_float).sum())} of "
            f"{n_samples} entries); every unit needs a known treatment."
        )
    if not np.isfinite(as_float).all():
        raise ValueError("treatment contains infinite values.")
    levels = np.unique(as_float)
    if not np.isin(levels, (0.0, 1.0)).all():
        shown = ", ".join(f"{v:g}" for v in levels[:6]) + (
            ", ..." if levels.size > 6 else ""
        )
        raise ValueError(
            f"{name} needs a binary treatment coded 0 (control) / 1 (treated); got "
            f"{levels.size} distinct values: [{shown}]."
        )
    if both_arms and levels.size < 2:
        arm = "treated (1)" if levels[0] == 1.0 else "control (0)"
        raise ValueError(
            f"treatment has a single arm: all {n_samples} units are {arm}. {name} "
            "needs both treated and control units; the other arm has no support."
        )
    return as_float.astype(int)


def check_outcome(y, n_samples: int) -> np.ndarray:
    """Validate a finite numeric outcome of length ``n_samples``."""
    if y is None:
        raise ValueError(
            "The effect learner requires y to be passed, but the target y is None "
            "(y is the outcome)."
        )
    y = check_array(
        y,
        ensure_2d=False,
        dtype=np.float64,
        ensure_all_finite=True,
        ensure_min_samples=1,
        input_name="y",
    )
    y = column_or_1d(y, warn=True)
    if y.shape[0] != n_samples:
        raise ValueError(
            f"y has {y.shape[0]} entries but X has {n_samples} samples; "
            "they must have the same length."
        )
    return y


def check_effect_data(
    estimator, X, y, treatment, sample_weight, *, reset: bool, method: str
):
    """Validate ``(X, y, treatment, sample_weight)`` for ``fit`` or ``score``.

    A missing treatment is reported first, because its message explains routing.
    Fitting (``reset=True``) needs both arms, with positive total weight each;
    scoring held-out data accepts a single arm.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    treatment : ndarray of shape (n_samples,), int 0/1
    sample_weight : ndarray of shape (n_samples,) or None
    """
    name = type(estimator).__name__
    if treatment is None:
        raise missing_treatment_error(name, method)
    X = validate_X(estimator, X, reset=reset)
    n_samples = X.shape[0]
    y = check_outcome(y, n_samples)
    fitting = reset
    treatment = check_treatment(
        treatment, n_samples, name=name, method=method, both_arms=fitting
    )
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        for arm, label in ((0, "control"), (1, "treated")):
            if fitting and not sample_weight[treatment == arm].sum() > 0:
                raise ValueError(
                    f"sample_weight is zero for every {label} unit: the {label} arm "
                    f"has no support, so {name} cannot compare the arms."
                )
    return X, y, treatment, sample_weight


# --------------------------------------------------------------------------------------
# Nuisance models
# --------------------------------------------------------------------------------------


def spawn_seeds(random_state, n_seeds: int) -> list:
    """Per-task integer seeds, indexed by task (``None`` when ``random_state`` is None).

    Seeds are drawn once, up front, so task ``i`` always gets seed ``i`` whatever the
    order in which (possibly parallel) tasks run.
    """
    if random_state is None:
        return [None] * n_seeds
    rng = check_random_state(random_state)
    return [int(s) for s in rng.randint(np.iinfo(np.int32).max, size=n_seeds)]


def clone_with_seed(model, seed):
    """Clone ``model``; set every unset (None) ``random_state`` in it to ``seed``.

    Nested estimators (a Pipeline's steps) are seeded too. A ``random_state`` the user
    fixed is left alone; the caller's model is never modified.
    """
    model = clone(model)
    if seed is None:
        return model
    params = model.get_params(deep=True)
    unset = {
        key: seed
        for key, value in params.items()
        if (key == "random_state" or key.endswith("__random_state")) and value is None
    }
    if unset:
        model.set_params(**unset)
    return model


def fit_model(model, X, y, sample_weight=None, *, role: str):
    """Fit ``model`` on ``(X, y)``, passing ``sample_weight`` when given."""
    if sample_weight is None:
        return model.fit(X, y)
    if not has_fit_parameter(model, "sample_weight"):
        raise ValueError(
            f"{role}={type(model).__name__} does not accept sample_weight in fit; "
            f"use a {role} that does, or fit without sample_weight."
        )
    return model.fit(X, y, sample_weight=sample_weight)


def predict_propensity(model_t, X) -> np.ndarray:
    """``P(t = 1 | x)`` from a fitted classifier (the column of class 1)."""
    proba = np.asarray(model_t.predict_proba(X))
    classes = getattr(model_t, "classes_", None)
    column = 1
    if classes is not None:
        matches = np.flatnonzero(np.asarray(classes) == 1)
        if matches.size:
            column = int(matches[0])
    return proba[:, column]


def check_overlap(propensity, treatment, *, name: str) -> float:
    """Warn on poor overlap, raise when the arms have no common support.

    Returns the share of units whose estimated propensity lies outside
    ``OVERLAP_BOUNDS``. A ``UserWarning`` is raised when that share exceeds
    ``OVERLAP_WARN_SHARE``; a ``ValueError`` when every unit lies outside the bounds
    *and* the propensity separates the arms perfectly (every control unit below every
    treated unit), i.e. there is no region where both arms are observed.
    """
    low, high = OVERLAP_BOUNDS
    outside = (propensity < low) | (propensity > high)
    share = float(np.mean(outside))
    separated = propensity[treatment == 0].max() < propensity[treatment == 1].min()
    if share == 1.0 and separated:
        raise ValueError(
            "No overlap between the arms: the estimated propensity separates treated "
            "from control units perfectly and every unit lies outside "
            f"[{low}, {high}]. "
            f"{name} cannot compare the arms where only one of them is observed; "
            "restrict the population to a region where both arms occur."
        )
    if share > OVERLAP_WARN_SHARE:
        warnings.warn(
            f"{name}: poor overlap, {share:.1%} of units have an estimated propensity "
            f"outside [{low}, {high}]; effect estimates there rest on extrapolation.",
            UserWarning,
            stacklevel=5,
        )
    return share


def clip_propensity(propensity, clip: float) -> np.ndarray:
    """Clip propensities to ``[clip, 1 - clip]``."""
    return np.clip(propensity, clip, 1.0 - clip)


# --------------------------------------------------------------------------------------
# Doubly-robust pseudo-outcome and loss
# --------------------------------------------------------------------------------------


def dr_pseudo_outcome(y, treatment, mu0, mu1, propensity) -> np.ndarray:
    """The doubly-robust (AIPW) pseudo-outcome of Kennedy (2020).

    ``phi = mu1 - mu0 + t (y - mu1) / e - (1 - t) (y - mu0) / (1 - e)``; its
    conditional mean given ``x`` is the CATE when either the outcome models or the
    propensity are correct. ``propensity`` must already be clipped away from 0 and 1.
    """
    t = np.asarray(treatment, dtype=np.float64)
    return (
        mu1
        - mu0
        + t * (y - mu1) / propensity
        - (1.0 - t) * (y - mu0) / (1.0 - propensity)
    )


def dr_pseudo_outcomes(y, codes, outcomes, propensity, baseline, effect_codes):
    """Multi-level doubly-robust pseudo-outcomes, one column per non-baseline level.

    For level ``k`` against the baseline ``b``,
    ``phi_k = mu_k - mu_b + 1{t = k} (y - mu_k) / e_k - 1{t = b} (y - mu_b) / e_b``
    (Kennedy, 2020, with the generalised propensity of Imbens, 2000); with two levels
    it is :func:`dr_pseudo_outcome`, term for term. ``outcomes`` are the (n, K)
    potential outcomes and ``propensity`` the clipped (n, K) propensities, both in
    level-code order.

    Returns
    -------
    phi : ndarray of shape (n_samples, len(effect_codes))
    """
    b = baseline
    at_baseline = (codes == b).astype(np.float64)
    columns = []
    for k in effect_codes:
        at_level = (codes == k).astype(np.float64)
        columns.append(
            outcomes[:, k]
            - outcomes[:, b]
            + at_level * (y - outcomes[:, k]) / propensity[:, k]
            - at_baseline * (y - outcomes[:, b]) / propensity[:, b]
        )
    return np.column_stack(columns)


def dr_loss(cate, pseudo_outcome, sample_weight=None) -> float:
    """(Weighted) mean squared difference between a CATE and the pseudo-outcome."""
    if sample_weight is not None and not np.sum(sample_weight) > 0:
        raise ValueError("sample_weight sums to zero: there is nothing to score.")
    return float(np.average((cate - pseudo_outcome) ** 2, weights=sample_weight))


# --------------------------------------------------------------------------------------
# Cross-fitted nuisances
# --------------------------------------------------------------------------------------


def with_treatment_columns(X, codes, n_levels: int) -> np.ndarray:
    """``[X, T]``: the S-learner's design, the treatment appended as indicator columns.

    With two levels one column, the code itself (0/1); with ``K > 2`` levels the
    ``K - 1`` indicators of codes ``1, ..., K - 1`` (the first sorted level is the
    reference, whatever the baseline).
    """
    codes = np.asarray(codes)
    if n_levels == 2:
        return np.column_stack([X, np.asarray(codes, dtype=X.dtype)])
    dummies = (codes[:, None] == np.arange(1, n_levels)[None, :]).astype(X.dtype)
    return np.column_stack([X, dummies])


def outcome_rows(kind: str, codes, n_levels: int, baseline_code: int):
    """Rows of each outcome model: one per level, one per (baseline, level) pair."""
    if kind == "per_level":
        return [codes == code for code in range(n_levels)]
    if kind == "pairs":
        if n_levels == 2:
            return [np.ones(codes.shape[0], dtype=bool)]
        return [
            (codes == code) | (codes == baseline_code)
            for code in range(n_levels)
            if code != baseline_code
        ]
    raise ValueError(f"unknown outcome kind {kind!r}")  # pragma: no cover


def n_outcome_models(kind: str, n_levels: int) -> int:
    """Number of outcome models one cross-fitting fold fits."""
    return {"per_level": n_levels, "pairs": n_levels - 1, "s_learner": 1}[kind]


def _fit_nuisance_task(model, X, target, sw, rows, test, seed, role, levels):
    """Fit one clone of ``model`` on ``rows`` and predict the ``test`` rows.

    ``rows=None`` and ``test=None`` mean every row, without copying ``X``.
    ``role="model_t"`` returns the level propensities of the test rows (``levels``
    is the number of levels K); an outcome model returns its predictions, one column,
    or for the S-learner (``levels`` = K, design ``[X, T]``) one column per level.
    """
    model = clone_with_seed(model, seed)
    every = slice(None)
    X_rows = X if rows is None else X[rows]
    rows = every if rows is None else rows
    weights = None if sw is None else sw[rows]
    X_test = X if test is None else X[test]
    if role == "model_t":
        fit_model(model, X_rows, target[rows], weights, role=role)
        return predict_level_propensities(model, X_test, levels), model
    if levels is None:
        fit_model(model, X_rows, target[rows], weights, role=role)
        return model.predict(X_test)[:, None], model
    codes, n_levels = levels
    design = with_treatment_columns(X_rows, codes[rows], n_levels)
    fit_model(model, design, target[rows], weights, role=role)
    predictions = [
        model.predict(
            with_treatment_columns(X_test, np.full(X_test.shape[0], code), n_levels)
        )
        for code in range(n_levels)
    ]
    return np.column_stack(predictions), model


def cross_fit_predictions(
    model_y,
    model_t,
    X,
    y,
    codes,
    sw,
    folds,
    fold_seeds,
    kind,
    n_levels,
    baseline,
    n_jobs=None,
    full_propensity=False,
    full_propensity_seed=None,
):
    """Fit the propensity and outcome model(s) of every fold; predict its test part.

    ``kind`` says which outcome models: ``"per_level"`` fits ``mu_j`` on the units of
    each level (T-, X-, DR-learners); ``"pairs"`` fits one pooled ``E[y | x]`` on the
    units of the baseline and of each other level (R-learner; with two levels, all
    units); ``"s_learner"`` fits one model on ``[X, T]``. Fold ``i`` seeds its
    propensity model with ``fold_seeds[i][0]`` and its outcome models with
    ``fold_seeds[i][1:]``.

    Every (fold, model) fit is its own joblib task, the outcome fits first, larger
    training sets before smaller ones, then the propensity fits: two workers then
    share five folds' work almost evenly (with one task per fold, three of five folds
    run one after another on one of them). Results do not depend on ``n_jobs`` or on
    the order in which tasks finish. With ``full_propensity`` the propensity model is
    also fitted on all rows (the learners' ``model_t_``, seeded with
    ``full_propensity_seed``) in the same pool.

    Returns
    -------
    result : sklearn.utils.Bunch
        ``proba`` (n_samples, K), the out-of-fold level propensities (unclipped; NaN
        where no fold tests a row); ``outcomes`` (n_samples, K or K - 1), the
        out-of-fold outcome predictions; ``models_t``, one fitted classifier per fold;
        ``models_y``, one list of fitted regressors per fold; ``model_t`` and
        ``proba_full`` (its in-sample propensities), or None without
        ``full_propensity``.
    """
    # A task: (order key, fold (-1: all rows), slot (-1: propensity), arguments of
    # _fit_nuisance_task). Outcome fits sort before propensity fits, larger first.
    tasks = []
    for i, ((train, test), seeds) in enumerate(zip(folds, fold_seeds, strict=True)):
        train, test = np.asarray(train), np.asarray(test)
        propensity_args = (model_t, X, codes, sw, train, test, seeds[0])
        tasks.append(((1, -train.size), i, -1, (*propensity_args, "model_t", n_levels)))
        if kind == "s_learner":
            design = (codes, n_levels)
            outcome_args = (model_y, X, y, sw, train, test, seeds[1], "model_y", design)
            tasks.append(((0, -train.size), i, 0, outcome_args))
            continue
        masks = outcome_rows(kind, codes[train], n_levels, baseline)
        for j, (mask, seed) in enumerate(zip(masks, seeds[1:], strict=False)):
            rows = train[mask]
            outcome_args = (model_y, X, y, sw, rows, test, seed, "model_y", None)
            tasks.append(((0, -rows.size), i, j, outcome_args))
    if full_propensity:
        full_args = (model_t, X, codes, sw, None, None, full_propensity_seed)
        tasks.append(((1, -X.shape[0]), -1, -1, (*full_args, "model_t", n_levels)))
    tasks.sort(key=lambda task: task[0])
    results = Parallel(n_jobs=n_jobs, batch_size=1)(
        delayed(_fit_nuisance_task)(*args) for _, _, _, args in tasks
    )
    n_samples, n_folds = X.shape[0], len(folds)
    n_outcomes = n_outcome_models(kind, n_levels)
    width = n_levels if kind == "s_learner" else n_outcomes
    proba = np.full((n_samples, n_levels), np.nan)
    outcomes = np.full((n_samples, width), np.nan)
    models_t = [None] * n_folds
    models_y = [[None] * n_outcomes for _ in range(n_folds)]
    full = Bunch(model_t=None, proba_full=None)
    for (_, i, slot, args), (predictions, model) in zip(tasks, results, strict=True):
        test = args[5]
        if i < 0:
            full = Bunch(model_t=model, proba_full=predictions)
        elif slot < 0:
            proba[test] = predictions
            models_t[i] = model
        elif kind == "s_learner":
            outcomes[test] = predictions
            models_y[i][0] = model
        else:
            outcomes[test, slot] = predictions[:, 0]
            models_y[i][slot] = model
    return Bunch(
        proba=proba,
        outcomes=outcomes,
        models_t=models_t,
        models_y=models_y,
        **full,
    )


def cross_fit_folds(
    X, y, treatment, cv, random_state, n_seeds: int, groups=None, levels=None
):
    """Cross-fitting folds and per-fold nuisance seeds.

    The one fold-and-seed scheme of every cross-fitting learner and of
    :func:`cross_fit_nuisances`: ``treatment`` holds integer level codes
    ``0, ..., K - 1``. An int ``cv`` gives a shuffled
    :class:`TreatmentStratifiedKFold` (with ``groups``, group-aware folds stratified
    on the treatment, see :func:`~skcausal.effects._split.group_stratified_folds`);
    fold ``i`` gets ``n_seeds`` seeds spawned from ``seed_root + i``, so results do not
    depend on the order (or the number of workers) in which folds are fitted. Every
    training fold must hold every level, and with ``groups`` no group may be split
    between the training and the test part of a fold.

    Returns
    -------
    folds : list of (train, test) index arrays
    fold_seeds : list of lists of ``n_seeds`` ints (or None)
    """
    from skcausal.effects._split import (
        TreatmentStratifiedKFold,
        group_stratified_folds,
    )

    rng = check_random_state(random_state)
    if isinstance(cv, Integral) and not isinstance(cv, bool):
        fold_state = rng.randint(2**31 - 1)
        if groups is None:
            splitter = TreatmentStratifiedKFold(
                n_splits=int(cv), shuffle=True, random_state=fold_state
            )
            folds = list(splitter.split(X, y, treatment=treatment))
        else:
            if int(cv) < 2:
                raise ValueError(f"cv must be at least 2 folds; got cv={cv}.")
            folds = group_stratified_folds(
                treatment, groups, int(cv), fold_state, levels=levels
            )
    elif isinstance(cv, str) or cv is None or isinstance(cv, bool):
        raise TypeError(
            f"cv must be an int, a splitter or an iterable of (train, test) index "
            f"arrays; got {cv!r}."
        )
    else:
        splitter = check_cv(cv)
        try:
            folds = list(splitter.split(X, y, groups, treatment=treatment))
        except TypeError:
            folds = list(splitter.split(X, y, groups))
    seed_root = None if random_state is None else rng.randint(2**31 - 1)
    fold_seeds = [
        spawn_seeds(None if seed_root is None else seed_root + i, n_seeds)
        for i in range(len(folds))
    ]
    n_levels = int(np.max(treatment)) + 1
    for train, test in folds:
        present = np.unique(treatment[train])
        if present.size == 1 and n_levels == 2:
            raise ValueError(
                "a cross-fitting training fold holds a single treatment arm; use "
                "TreatmentStratifiedKFold or fewer folds."
            )
        if present.size < n_levels:
            missing = np.setdiff1d(np.arange(n_levels), present)
            names = [
                repr(code if levels is None else levels[code].item())
                for code in missing
            ]
            raise ValueError(
                "a cross-fitting training fold lacks treatment level(s) "
                f"[{', '.join(names)}]; use TreatmentStratifiedKFold or fewer folds."
            )
        if groups is not None:
            shared = np.intersect1d(groups[train], groups[test])
            if shared.size:
                raise ValueError(
                    f"cv puts group {shared[0]!r} in both the training and the test "
                    "part of a cross-fitting fold; with groups use an int cv or a "
                    "group-aware splitter (GroupKFold, StratifiedGroupKFold)."
                )
    return folds, fold_seeds


def nuisance_scores(y, codes, outcomes, propensity, sample_weight, kind, baseline):
    """Cross-fitted losses: outcome MSE on the observed arm, propensity log-loss.

    ``propensity`` is the clipped (n_samples, K) matrix. For pooled (``"pairs"``)
    outcome models the MSE runs over every (unit, pair) the unit belongs to. With
    more than two levels the clipped propensities are renormalised to sum to one
    before the multinomial log-loss.
    """
    n_samples, n_levels = propensity.shape
    if kind == "pairs":
        rows_list = outcome_rows(kind, codes, n_levels, baseline)
        if n_levels == 2:
            fitted, target, weights = outcomes[:, 0], y, sample_weight
        else:
            fitted = np.concatenate(
                [outcomes[rows, j] for j, rows in enumerate(rows_list)]
            )
            target = np.concatenate([y[rows] for rows in rows_list])
            weights = (
                None
                if sample_weight is None
                else np.concatenate([sample_weight[rows] for rows in rows_list])
            )
    else:
        fitted = outcomes[np.arange(n_samples), codes]
        target, weights = y, sample_weight
    # the multinomial log-loss, written out (sklearn's log_loss re-validates and
    # one-hot encodes the labels: a sizeable share of a small cross-fit's serial time)
    proba = propensity / propensity.sum(axis=1, keepdims=True)
    observed = proba[np.arange(n_samples), codes]
    return {
        "outcome_mse": float(np.average((target - fitted) ** 2, weights=weights)),
        "propensity_log_loss": float(
            -np.average(np.log(observed), weights=sample_weight)
        ),
    }


def cross_fit_nuisances(
    X,
    y,
    treatment,
    *,
    model_y=None,
    model_t=None,
    cv=5,
    propensity_clip: float = 0.01,
    sample_weight=None,
    random_state=None,
    n_jobs=None,
) -> Bunch:
    """Out-of-fold propensity and potential-outcome predictions.

    The data are split by :class:`TreatmentStratifiedKFold`; on each training part a
    propensity model and one outcome model per arm are fitted, and they predict the
    held-out part, so every unit's nuisances come from models that never saw it.
    Routed as metadata to :func:`skcausal.metrics.make_dr_scorer` with
    ``nuisances="metadata"``, they let learners of any family be compared with one
    doubly-robust loss (Kennedy, 2020).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Outcome.
    treatment : array-like of shape (n_samples,)
        Binary treatment (0/1).
    model_y : regressor, default=None
        Outcome model, cloned per fold and arm; ``None`` uses
        ``GradientBoostingRegressor(max_depth=2)``.
    model_t : classifier with ``predict_proba``, default=None
        Propensity model, cloned per fold; ``None`` uses ``LogisticRegression()``.
    cv : int, cross-validation splitter or iterable, default=5
        Number of folds of a shuffled :class:`TreatmentStratifiedKFold`; or a splitter
        whose ``split(X, y, treatment=...)`` (or ``split(X, y)``) yields the folds; or
        an iterable of ``(train, test)`` index arrays. The test folds must partition
        the samples.
    propensity_clip : float, default=0.01
        Out-of-fold propensities are clipped to ``[propensity_clip,
        1 - propensity_clip]``; must lie in (0, 0.5).
    sample_weight : array-like of shape (n_samples,), default=None
        Weights passed to the nuisance models' ``fit``.
    random_state : int, RandomState instance or None, default=None
        Seeds the fold shuffling and every nuisance model whose ``random_state`` is
        unset; seeds are spawned per fold, so ``n_jobs`` does not change the result.
    n_jobs : int, default=None
        Nuisance fits run in parallel, one joblib task per fold and model (``None``
        means 1); the result does not depend on it.

    Returns
    -------
    nuisances : sklearn.utils.Bunch
        ``propensity`` (clipped), ``mu0`` and ``mu1``, each of shape (n_samples,).

    References
    ----------
    .. [1] E. H. Kennedy, "Towards optimal doubly robust estimation of heterogeneous
       causal effects", arXiv:2004.14497, 2020.

    Examples
    --------
    >>> from skcausal.datasets import make_treatment_data
    >>> from skcausal.effects import cross_fit_nuisances
    >>> data = make_treatment_data(n_samples=200, random_state=0)
    >>> nuis = cross_fit_nuisances(data.X, data.y, data.treatment, cv=3, random_state=0)
    >>> sorted(nuis), nuis.mu0.shape
    (['mu0', 'mu1', 'propensity'], (200,))
    """
    owner = _CrossFitOwner()
    X, y, treatment, sample_weight = check_effect_data(
        owner, X, y, treatment, sample_weight, reset=True, method="cross_fit_nuisances"
    )
    if isinstance(propensity_clip, bool) or not isinstance(propensity_clip, Real):
        raise TypeError(f"propensity_clip must be a float, got {propensity_clip!r}.")
    if not 0.0 < propensity_clip < 0.5:
        raise ValueError(
            f"propensity_clip must lie in (0, 0.5), got {propensity_clip!r}."
        )
    model_y = default_model_y() if model_y is None else model_y
    model_t = default_model_t() if model_t is None else model_t
    folds, fold_seeds = cross_fit_folds(X, y, treatment, cv, random_state, 3)
    fitted = cross_fit_predictions(
        model_y,
        model_t,
        X,
        y,
        treatment,
        sample_weight,
        folds,
        fold_seeds,
        "per_level",
        2,
        0,
        n_jobs=n_jobs,
    )
    propensity, outcomes = fitted.proba[:, 1], fitted.outcomes
    if np.isnan(propensity).any():
        raise ValueError("cv must place every sample in exactly one test fold.")
    return Bunch(
        propensity=clip_propensity(propensity, propensity_clip),
        mu0=outcomes[:, 0],
        mu1=outcomes[:, 1],
    )


# A bare estimator named after the function, so that the shared validators' messages
# name ``cross_fit_nuisances``.
_CrossFitOwner = type("cross_fit_nuisances", (BaseEstimator,), {"__module__": __name__})


# The learners' base class lives in its own module; re-exported here for importers of
# the shared effect helpers.
from skcausal.effects._learner import BaseMetaLearner  # noqa: E402, F401
