"""Input validation shared by every estimator.

One place turns bad input into a clear error that names the problem. Estimators call
:func:`validate_X` once at the top of ``fit`` (``reset=True``) and of every public
method that takes data (``reset=False``).
"""

import numpy as np
from sklearn.utils.validation import _num_samples, validate_data

__all__ = ["validate_X"]


def validate_X(
    estimator,
    X,
    *,
    reset: bool,
    ensure_min_features: int = 1,
    dtype=np.float64,
    copy: bool = False,
):
    """Validate a 2-D feature array for ``estimator`` and return it as a numpy array.

    Beyond :func:`sklearn.utils.validation.validate_data` this says
    ``n_samples=1`` / ``n_features=1`` in the messages for those cases, so the user
    sees at once what is wrong. NaN and inf are rejected. The caller's array is never
    modified (``copy=True`` returns an owned copy).

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator; ``n_features_in_`` and ``feature_names_in_`` are set or
        checked on it.
    X : array-like or DataFrame of shape (n_samples, n_features)
        Input data.
    reset : bool
        True in ``fit`` (records the number and names of features), False elsewhere.
    ensure_min_features : int, default=1
        Minimum number of columns (discovery estimators need 2).
    dtype : dtype, default=np.float64
        Output dtype.
    copy : bool, default=False
        Whether to force a copy.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    """
    name = type(estimator).__name__
    if reset and not hasattr(X, "__array__") and not hasattr(X, "__len__"):
        raise TypeError(
            f"{name} expects array-like X of shape (n_samples, n_features); "
            f"got {type(X).__name__}."
        )
    if reset and hasattr(X, "shape") and len(getattr(X, "shape", ())) == 2:
        n_samples, n_features = X.shape
    else:
        try:
            n_samples, n_features = _num_samples(X), None
        except TypeError:
            n_samples, n_features = None, None
    if reset and n_samples == 1:
        raise ValueError(
            f"n_samples=1: {name} needs at least 2 samples to fit; got X with one row."
        )
    X = validate_data(
        estimator,
        X,
        reset=reset,
        dtype=dtype,
        copy=copy,
        ensure_all_finite=True,
        ensure_min_samples=2 if reset else 1,
        ensure_min_features=1,
    )
    n_features = X.shape[1]
    if reset and n_features < ensure_min_features:
        raise ValueError(
            f"n_features={n_features}: {name} needs at least {ensure_min_features} "
            f"features (columns); got X of shape {X.shape}."
        )
    return X
