"""One signature for every conditional-independence test, a registry, a cache.

A test is a small estimator-like object: its ``__init__`` stores options, ``fit(X)``
prepares whatever the test needs from the data (sufficient statistics, codes,
standardised columns) and empties the p-value cache, and then

* ``pvalue(x, y, z=())`` returns the p-value of the null hypothesis
  ``X_x independent of X_y given X_z`` for one test, and
* ``pvalues(x, y, z)`` returns the p-values of a batch of tests that share the size
  of their conditioning sets, optionally spread over workers with ``n_jobs``.

Every p-value is stored in a per-fit cache under a canonical key (the two variables
sorted, the conditioning set sorted), so a test is computed once per fit and its
result does not depend on the order of ``x`` and ``y`` or of ``z``.

The registry maps short names (``"fisherz"``, ``"gsq"``, ``"chisq"``, ``"kci"``) to
classes; :func:`make_ci_test` turns a name, a class or an instance into a fresh,
unfitted test, which is how constraint-based estimators accept their ``ci_test``.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "CITest",
    "available_ci_tests",
    "make_ci_test",
    "register_ci_test",
]

_REGISTRY: dict[str, type] = {}


def register_ci_test(name: str, cls: type | None = None):
    """Register a :class:`CITest` subclass under a short name.

    Can be used as a function, ``register_ci_test("mytest", MyTest)``, or as a class
    decorator, ``@register_ci_test("mytest")``.

    Parameters
    ----------
    name : str
        The name estimators accept as ``ci_test``.
    cls : type, default=None
        A subclass of :class:`CITest`; omitted when used as a decorator.

    Returns
    -------
    cls or decorator
        The registered class (or a decorator that registers and returns it).

    Examples
    --------
    >>> from skcausal.independence import FisherZ, available_ci_tests
    >>> from skcausal.independence import register_ci_test
    >>> _ = register_ci_test("my-fisherz", FisherZ)
    >>> "my-fisherz" in available_ci_tests()
    True
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str; got {name!r}.")

    def register(klass):
        if not (isinstance(klass, type) and issubclass(klass, CITest)):
            raise TypeError(f"only CITest subclasses can be registered; got {klass!r}.")
        _REGISTRY[name] = klass
        return klass

    return register if cls is None else register(cls)


def available_ci_tests() -> list[str]:
    """Names of the registered conditional-independence tests, sorted.

    Returns
    -------
    names : list of str

    Examples
    --------
    >>> from skcausal.independence import available_ci_tests
    >>> [name for name in available_ci_tests() if name in ("fisherz", "gsq")]
    ['fisherz', 'gsq']
    """
    return sorted(_REGISTRY)


def make_ci_test(ci_test, **options) -> CITest:
    """Return a fresh, unfitted test from a name, a class or an instance.

    Parameters
    ----------
    ci_test : str, CITest subclass or CITest instance
        A registered name (see :func:`available_ci_tests`), a class (instantiated
        with ``options``) or an instance (cloned, so the caller's object is never
        fitted or modified).
    **options
        Keyword arguments for the class when ``ci_test`` is a name or a class.

    Returns
    -------
    test : CITest

    Examples
    --------
    >>> from skcausal.independence import make_ci_test
    >>> make_ci_test("fisherz")
    FisherZ()
    """
    if isinstance(ci_test, str):
        if ci_test not in _REGISTRY:
            raise ValueError(
                f"Unknown ci_test {ci_test!r}; expected one of "
                f"{available_ci_tests()}, a CITest subclass or a CITest instance."
            )
        return _REGISTRY[ci_test](**options)
    if isinstance(ci_test, type) and issubclass(ci_test, CITest):
        return ci_test(**options)
    if isinstance(ci_test, CITest):
        return clone(ci_test)
    raise TypeError(
        "ci_test must be a registered name, a CITest subclass or a CITest instance; "
        f"got {type(ci_test).__name__}."
    )


def _as_index(values, name: str, n_features: int) -> np.ndarray:
    arr = np.asarray(values)
    if arr.size and arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
            arr = arr.astype(np.intp)
        else:
            raise TypeError(f"{name} must hold integer column indices; got {arr!r}.")
    arr = arr.astype(np.intp)
    if arr.size and (arr.min() < 0 or arr.max() >= n_features):
        raise ValueError(
            f"{name} holds a column index out of range for {n_features} features."
        )
    return arr


class CITest(BaseEstimator):
    """Base class of the conditional-independence tests.

    Subclasses implement ``_prepare(X)`` (called by :meth:`fit`) and
    ``_compute(x, y, z)``, which returns the p-values of a batch: ``x`` and ``y``
    are integer arrays of shape ``(m,)`` with ``x < y``, ``z`` an integer array of
    shape ``(m, k)`` with sorted rows, disjoint from ``x`` and ``y``. Everything
    else -- input checks, the canonical cache key, batching and parallelism -- lives
    here once.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of the data the test was fitted on.
    n_samples_ : int
        Number of rows.
    n_tests_ : int
        Number of distinct tests computed since the last :meth:`fit` (cache misses).
    """

    def fit(self, X, y=None) -> CITest:
        """Prepare the test for the columns of ``X`` and empty the cache.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data; rows are samples, columns the variables that tests refer to by
            index.
        y : None
            Ignored.

        Returns
        -------
        self : CITest
        """
        X = self._check_data(X)
        self.n_samples_, self.n_features_in_ = X.shape
        self._prepare(X)
        self._cache: dict = {}
        self.n_tests_ = 0
        return self

    def _check_data(self, X) -> np.ndarray:
        from sklearn.utils.validation import check_array

        X = check_array(
            X,
            dtype=np.float64,
            ensure_all_finite=True,
            ensure_min_samples=2,
            ensure_min_features=2,
            estimator=self,
        )
        return X

    def _prepare(self, X: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _compute(self, x, y, z) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def pvalue(self, x: int, y: int, z=()) -> float:
        """P-value of ``X_x independent of X_y given X_z``.

        Parameters
        ----------
        x, y : int
            Column indices of the two variables (different).
        z : iterable of int, default=()
            Column indices of the conditioning set, disjoint from ``x`` and ``y``.

        Returns
        -------
        pvalue : float
            Small values are evidence of dependence.
        """
        if isinstance(z, numbers.Integral):
            z = [z]
        z = np.asarray(list(np.ravel(z)) if isinstance(z, np.ndarray) else list(z))
        return float(self.pvalues([x], [y], z.reshape(1, -1))[0])

    def pvalues(self, x, y, z=None, *, n_jobs: int | None = None) -> np.ndarray:
        """P-values of a batch of tests with conditioning sets of one size.

        Parameters
        ----------
        x, y : array-like of int of shape (m,)
            Column indices of the tested pairs.
        z : array-like of int of shape (m, k), default=None
            Conditioning sets, one row per test (``None``: ``k = 0``).
        n_jobs : int, default=None
            Workers for the tests that are not cached yet
            (:class:`sklearn.utils.parallel.Parallel`); the p-values do not depend
            on it.

        Returns
        -------
        pvalues : ndarray of shape (m,)
        """
        check_is_fitted(self, "n_features_in_")
        d = self.n_features_in_
        x = _as_index(x, "x", d).ravel()
        y = _as_index(y, "y", d).ravel()
        if x.shape != y.shape:
            raise ValueError(
                f"x and y must have the same length; got {x.size} and {y.size}."
            )
        m = x.size
        if z is None:
            z = np.zeros((m, 0), dtype=np.intp)
        z = _as_index(z, "z", d)
        if z.size == 0:
            z = z.reshape(m, -1) if m else np.zeros((0, 0), dtype=np.intp)
        if z.ndim != 2 or z.shape[0] != m:
            raise ValueError(
                f"z must have shape (m, k) with m={m} rows; got shape {z.shape}."
            )
        if np.any(x == y):
            raise ValueError("x and y must be different variables.")
        if z.shape[1] and (
            np.any(z == x[:, None])
            or np.any(z == y[:, None])
            or np.any(np.diff(np.sort(z, axis=1), axis=1) == 0)
        ):
            raise ValueError(
                "each conditioning set must hold distinct variables other than x, y."
            )
        lo, hi = np.minimum(x, y), np.maximum(x, y)
        z = np.sort(z, axis=1)
        k = z.shape[1]
        if m == 0:
            return np.zeros(0)
        if float(d) ** (k + 2) < 2.0**62:
            return self._pvalues_int_keys(lo, hi, z, n_jobs)
        return self._pvalues_dict_keys(lo, hi, z, n_jobs)

    def _pvalues_int_keys(self, lo, hi, z, n_jobs) -> np.ndarray:
        """Cache lookup with one integer per test (vectorised), for small ``d^k``."""
        d, k = self.n_features_in_, z.shape[1]
        rows = np.column_stack([lo, hi, z]).astype(np.int64)
        weights = np.asarray([d**p for p in range(k + 2)], dtype=np.int64)
        keys = rows @ weights
        uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        cached_keys, cached_values = self._cache.get(
            ("int", k), (np.zeros(0, dtype=np.int64), np.zeros(0))
        )
        values = np.empty(uniq.size)
        pos = np.searchsorted(cached_keys, uniq)
        hit = pos < cached_keys.size
        hit[hit] = cached_keys[pos[hit]] == uniq[hit]
        values[hit] = cached_values[pos[hit]]
        if not hit.all():
            todo = first[~hit]
            values[~hit] = self._compute_batched(lo[todo], hi[todo], z[todo], n_jobs)
            self.n_tests_ += int(todo.size)
            all_keys = np.concatenate([cached_keys, uniq[~hit]])
            all_values = np.concatenate([cached_values, values[~hit]])
            order = np.argsort(all_keys, kind="stable")
            self._cache[("int", k)] = (all_keys[order], all_values[order])
        return values[inverse.ravel()]

    def _pvalues_dict_keys(self, lo, hi, z, n_jobs) -> np.ndarray:
        """Cache lookup keyed by tuples, for very large ``d^k``."""
        keys = [
            (int(a), int(b), tuple(row))
            for a, b, row in zip(lo.tolist(), hi.tolist(), z.tolist(), strict=True)
        ]
        out = np.empty(len(keys))
        missing: dict = {}
        for t, key in enumerate(keys):
            value = self._cache.get(key)
            if value is None:
                missing.setdefault(key, []).append(t)
            else:
                out[t] = value
        if missing:
            first = np.fromiter((ts[0] for ts in missing.values()), dtype=np.intp)
            values = self._compute_batched(lo[first], hi[first], z[first], n_jobs)
            self.n_tests_ += len(missing)
            for value, (key, ts) in zip(values.tolist(), missing.items(), strict=True):
                self._cache[key] = value
                out[ts] = value
        return out

    def _compute_batched(self, x, y, z, n_jobs) -> np.ndarray:
        n_workers = _n_workers(n_jobs)
        if n_workers <= 1 or x.size < 2 * self._min_chunk:
            return np.asarray(self._compute(x, y, z), dtype=np.float64)
        chunks = np.array_split(np.arange(x.size), min(n_workers, x.size))
        parts = Parallel(n_jobs=n_workers)(
            delayed(self._compute)(x[c], y[c], z[c]) for c in chunks
        )
        return np.concatenate([np.asarray(p, dtype=np.float64) for p in parts])

    # below this many tests a batch is never split across workers
    _min_chunk = 1


def _n_workers(n_jobs) -> int:
    if n_jobs is None:
        return 1
    if not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero int or None; got {n_jobs!r}.")
    from joblib import cpu_count

    return cpu_count() + 1 + int(n_jobs) if n_jobs < 0 else int(n_jobs)
