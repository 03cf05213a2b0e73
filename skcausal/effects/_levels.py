"""Treatment levels: validation, encoding and per-level propensities.

Every meta-learner accepts a categorical treatment with ``K >= 2`` levels (ints, floats
or strings). The levels are sorted once in ``fit`` (``treatment_levels_``); models are
always fitted on the integer *codes* ``0, ..., K - 1`` of that sorted order, so the
fitted nuisances do not depend on which level is the ``baseline`` (only the effects,
``level - baseline``, do). This module holds that bookkeeping: checking a treatment
array, resolving the baseline, encoding held-out treatments, the ``(n, K)`` matrix of
propensities with its per-level clipping, and the overlap summary.

The generalised propensity score of a multi-valued treatment follows G. W. Imbens, "The
role of the propensity score in estimating dose-response functions", Biometrika 87(3),
706-710, 2000.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = [
    "check_groups",
    "check_treatment_labels",
    "clip_level_propensities",
    "encode_treatment",
    "level_name",
    "overlap_summary",
    "predict_level_propensities",
    "resolve_levels",
]

# Units whose estimated propensity for some level lies outside these bounds are
# counted as near-violations of overlap; a warning is raised above the share below.
OVERLAP_BOUNDS = (0.05, 0.95)
OVERLAP_WARN_SHARE = 0.05


def _is_missing(value) -> bool:
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True  # None, pandas.NA, pandas.NaT
    try:
        return bool(value != value)  # NaN, float or numpy
    except (TypeError, ValueError):
        return False


def per_sample_vector(values, n_samples: int, *, name: str, unit: str = "value"):
    """``values`` as a 1-D array with one entry per sample (a column is flattened).

    Raises a ``ValueError`` naming ``name`` for any other shape or length.
    """
    values = np.asarray(values)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one {unit} per sample); got shape {values.shape}."
        )
    if values.shape[0] != n_samples:
        raise ValueError(
            f"{name} has {values.shape[0]} entries but X has {n_samples} samples; "
            "they must have the same length."
        )
    return values


def check_treatment_labels(treatment, n_samples: int, *, name: str, method: str):
    """Validate a per-sample categorical treatment; return it as a 1-D array.

    Numbers (bool counts as 0/1) and strings are accepted; NaN/None, infinite values,
    a wrong length or shape raise a ``ValueError``, unsortable mixtures a
    ``TypeError``. ``treatment=None`` must be handled by the caller (its message
    explains metadata routing).
    """
    values = per_sample_vector(treatment, n_samples, name="treatment")
    if values.dtype.kind == "b":
        values = values.astype(int)
    if values.dtype.kind in "fc":
        missing = np.isnan(values)
    elif values.dtype.kind == "O":
        missing = np.fromiter((_is_missing(v) for v in values), bool, n_samples)
    else:
        missing = np.zeros(n_samples, dtype=bool)
    if missing.any():
        raise ValueError(
            f"treatment contains NaN ({int(missing.sum())} of {n_samples} entries); "
            "every unit needs a known treatment."
        )
    if values.dtype.kind in "fc" and not np.isfinite(values).all():
        raise ValueError("treatment contains infinite values.")
    if values.dtype.kind == "O":
        kinds = {isinstance(v, str) for v in values}
        if len(kinds) > 1:
            raise TypeError(
                f"{name}.{method}: treatment mixes strings and numbers; its levels "
                "must be all numbers or all strings."
            )
        try:
            np.unique(values)
        except TypeError:
            raise TypeError(
                f"{name}.{method}: treatment levels must be sortable (all numbers or "
                "all strings)."
            ) from None
    elif values.dtype.kind not in "iufUS":
        raise TypeError(
            f"treatment must hold numbers or strings; got dtype {values.dtype}."
        )
    return values


def _as_python(level):
    return level.item() if hasattr(level, "item") else level


def _is_zero_one(levels) -> bool:
    """Whether the levels are (a subset of) a 0/1 coding."""
    if levels.dtype.kind not in "iuf" or levels.size > 2:
        return False
    return bool(np.isin(levels, (0, 1)).all())


def level_name(level, levels) -> str:
    """How messages name a level: "control (0)"/"treated (1)" for a 0/1 treatment."""
    if _is_zero_one(levels):
        return "treated (1)" if level == 1 else "control (0)"
    return f"treatment level {_as_python(level)!r}"


def resolve_levels(labels, baseline, *, name: str):
    """Sorted levels, integer codes and the baseline's code of a fitting treatment.

    Returns
    -------
    levels : ndarray of shape (K,)
    codes : ndarray of shape (n_samples,), int
    baseline_code : int
    """
    levels, codes = np.unique(labels, return_inverse=True)
    codes = codes.reshape(-1).astype(np.intp)
    if levels.size < 2:
        raise ValueError(
            f"treatment has a single arm: all {labels.shape[0]} units are "
            f"{level_name(levels[0], levels)}. {name} needs at least two treatment "
            "levels; the other arm has no support."
        )
    counts = np.bincount(codes, minlength=levels.size)
    if levels.size > 2 and counts.min() < 2:
        rare = levels[int(np.argmin(counts))]
        raise ValueError(
            f"treatment has {levels.size} levels and level {_as_python(rare)!r} has "
            f"{counts.min()} unit: every level of a categorical treatment needs at "
            "least 2 units (a continuous treatment is not supported)."
        )
    if baseline is None:
        return levels, codes, 0
    matches = []
    for i, level in enumerate(levels.tolist()):
        try:
            same = bool(level == baseline) and (
                isinstance(level, str) == isinstance(baseline, (str, np.str_))
            )
        except (TypeError, ValueError):
            same = False
        if same:
            matches.append(i)
    if not matches:
        shown = ", ".join(repr(v) for v in levels.tolist()[:10])
        raise ValueError(
            f"baseline={baseline!r} is not among the treatment levels [{shown}]; pass "
            "one of them, or baseline=None for the first (sorted) level."
        )
    return levels, codes, matches[0]


def encode_treatment(labels, levels, *, name: str) -> np.ndarray:
    """Codes of held-out labels in the fitted ``levels``; unseen levels raise."""
    if labels.dtype.kind in "iuf" and levels.dtype.kind in "iuf":
        comparable = True
    else:
        comparable = (labels.dtype.kind in "USO") == (levels.dtype.kind in "USO")
    if comparable:
        positions = np.searchsorted(levels, labels)
        positions = np.clip(positions, 0, levels.size - 1)
        found = levels[positions] == labels
    else:
        positions = np.zeros(labels.shape[0], dtype=np.intp)
        found = np.zeros(labels.shape[0], dtype=bool)
    if not np.all(found):
        unseen = np.unique(labels[~np.asarray(found, dtype=bool)])
        shown = ", ".join(repr(_as_python(v)) for v in unseen[:5])
        fitted = ", ".join(repr(v) for v in levels.tolist()[:10])
        raise ValueError(
            f"{name}: treatment holds level(s) [{shown}] that are not among the "
            f"fitted treatment levels [{fitted}]."
        )
    return positions.astype(np.intp)


def check_groups(groups, n_samples: int) -> np.ndarray | None:
    """Validate per-sample cluster labels for group-aware cross-fitting."""
    if groups is None:
        return None
    groups = per_sample_vector(groups, n_samples, name="groups", unit="label")
    if groups.dtype.kind in "fc" and np.isnan(groups).any():
        raise ValueError("groups contains NaN; every unit needs a group label.")
    if groups.dtype.kind == "O" and any(_is_missing(g) for g in groups):
        raise ValueError("groups contains missing values (None/NaN).")
    return groups


# --------------------------------------------------------------------------------------
# Propensities per level
# --------------------------------------------------------------------------------------


def predict_level_propensities(model_t, X, n_levels: int) -> np.ndarray:
    """``P(t = level j | x)`` for every level code ``j``: shape (n_samples, K).

    The columns of ``predict_proba`` are matched to the codes through ``classes_``
    (the model is fitted on codes); a level the model never saw gets probability 0.
    """
    proba = np.asarray(model_t.predict_proba(X), dtype=np.float64)
    classes = getattr(model_t, "classes_", None)
    if classes is None:
        if proba.shape[1] != n_levels:
            raise ValueError(
                f"model_t.predict_proba returned {proba.shape[1]} columns for "
                f"{n_levels} treatment levels."
            )
        return proba
    classes = np.asarray(classes)
    if classes.size == n_levels and np.array_equal(classes, np.arange(n_levels)):
        return proba
    out = np.zeros((proba.shape[0], n_levels))
    for column, code in enumerate(classes.tolist()):
        out[:, int(code)] = proba[:, column]
    return out


def clip_level_propensities(proba, clip: float) -> np.ndarray:
    """Clip every level's propensity to ``[clip, 1 - clip]``.

    With two levels the second column is clipped and the first is its complement,
    ``1 - e``, exactly as in the binary formulas. With more levels each column is
    clipped on its own (rows then need not sum to one).
    """
    proba = np.asarray(proba, dtype=np.float64)
    if proba.shape[1] == 2:
        treated = np.clip(proba[:, 1], clip, 1.0 - clip)
        return np.column_stack([1.0 - treated, treated])
    return np.clip(proba, clip, 1.0 - clip)


def n_clipped(proba, clip: float) -> int:
    """Number of units with some level's propensity outside ``[clip, 1 - clip]``."""
    proba = np.asarray(proba)
    if proba.shape[1] == 2:
        proba = proba[:, 1:]
    return int(np.sum(np.any((proba < clip) | (proba > 1.0 - clip), axis=1)))


def overlap_summary(proba, codes, levels, clip: float, *, name: str) -> dict:
    """Check overlap and summarise it; warn on poor overlap, raise without support.

    ``proba`` are the in-sample propensities (n_samples, K) before clipping. A unit is
    *outside* when some level's propensity lies outside ``OVERLAP_BOUNDS``; a
    ``UserWarning`` reports their share and count when it exceeds
    ``OVERLAP_WARN_SHARE``. A ``ValueError`` is raised when, for some level, every
    unit's propensity of that level is outside the bounds *and* it separates the
    level's units from all others perfectly: that arm has no region of common
    support.

    Returns
    -------
    overlap : dict
        ``levels``, ``propensity_min`` and ``propensity_max`` (per level, in
        ``levels`` order), ``bounds``, ``n_outside``, ``share_outside`` and
        ``n_clipped`` (units whose propensity ``propensity_clip`` changes).
    """
    low, high = OVERLAP_BOUNDS
    proba = np.asarray(proba, dtype=np.float64)
    n_samples, n_levels = proba.shape
    outside_level = (proba < low) | (proba > high)
    outside = outside_level[:, 1] if n_levels == 2 else outside_level.any(axis=1)
    for code in range(n_levels):
        in_level = codes == code
        if not in_level.any() or in_level.all():
            continue
        column = proba[:, code]
        separated = column[~in_level].max() < column[in_level].min()
        if separated and outside_level[:, code].all():
            arm = level_name(levels[code], levels)
            raise ValueError(
                f"No overlap between the arms: the estimated propensity of the {arm} "
                "arm separates its units from all others perfectly and every unit "
                f"lies outside [{low}, {high}]. {name} cannot compare arms where "
                "only one of them is observed; restrict the population to a region "
                "where all treatment levels occur."
            )
    n_outside = int(outside.sum())
    share = n_outside / n_samples
    if share > OVERLAP_WARN_SHARE:
        warnings.warn(
            f"{name}: poor overlap, {share:.1%} of units ({n_outside} of {n_samples}) "
            f"have an estimated propensity outside [{low}, {high}]; effect estimates "
            "there rest on extrapolation.",
            UserWarning,
            stacklevel=6,
        )
    return {
        "levels": levels.copy(),
        "propensity_min": proba.min(axis=0),
        "propensity_max": proba.max(axis=0),
        "bounds": OVERLAP_BOUNDS,
        "n_outside": n_outside,
        "share_outside": float(share),
        "n_clipped": n_clipped(proba, clip),
    }
