"""Package-level utilities: the estimator registry and version report."""

import importlib
import inspect
import platform
import sys

__all__ = ["all_estimators", "show_versions"]

# Public sub-packages that hold estimators; all_estimators() walks their ``__all__``.
_ESTIMATOR_PACKAGES = (
    "skcausal.discovery",
    "skcausal.effects",
    "skcausal.scm",
    "skcausal.feature_selection",
)
_FAMILIES = ("discovery", "effect", "scm", "feature_selection")


def all_estimators(type_filter=None):
    """List every public skcausal estimator.

    Parameters
    ----------
    type_filter : str, list of str or None, default=None
        Keep only estimators of these families (``"discovery"``, ``"effect"``,
        ``"scm"``, ``"feature_selection"``); ``None`` keeps all.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs sorted by name.

    Examples
    --------
    >>> from skcausal import all_estimators
    >>> names = [name for name, _ in all_estimators()]
    >>> "NOTEARS" in names and "TLearner" in names
    True
    """
    from sklearn.base import BaseEstimator

    if type_filter is None:
        wanted = set(_FAMILIES)
    else:
        wanted = {type_filter} if isinstance(type_filter, str) else set(type_filter)
        unknown = wanted - set(_FAMILIES)
        if unknown:
            raise ValueError(
                f"type_filter must be one of {_FAMILIES} or None; got {sorted(unknown)}"
            )
    found = {}
    for package in _ESTIMATOR_PACKAGES:
        module = importlib.import_module(package)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and getattr(obj, "_estimator_family", None) in wanted
                and not inspect.isabstract(obj)
            ):
                found[name] = obj
    return sorted(found.items())


def _package_version(name):
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover
        return None
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def show_versions():
    """Print the versions of Python, skcausal and its dependencies.

    Paste the output into bug reports.
    """
    from skcausal import __version__

    print("System:")
    print(f"    python: {sys.version.splitlines()[0]}")
    print(f"   machine: {platform.platform()}")
    print("\nPackages:")
    rows = [("skcausal", __version__)]
    for dist in (
        "numpy",
        "scipy",
        "scikit-learn",
        "joblib",
        "pandas",
        "networkx",
        "matplotlib",
    ):
        rows.append((dist, _package_version(dist) or "not installed"))
    width = max(len(name) for name, _ in rows)
    for name, ver in rows:
        print(f"{name:>{width + 4}}: {ver}")
