"""Package-level behaviour: version, show_versions, shared input validation."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator

import skcausal
from skcausal._validation import validate_X


class _Dummy(BaseEstimator):
    pass


def test_version_is_a_string():
    assert isinstance(skcausal.__version__, str)
    assert skcausal.__version__[0].isdigit()


def test_show_versions_prints_dependencies(capsys):
    skcausal.show_versions()
    out = capsys.readouterr().out
    for name in ("python", "skcausal", "numpy", "scipy", "scikit-learn", "joblib"):
        assert name in out


def test_validate_X_names_one_sample():
    with pytest.raises(ValueError, match="n_samples=1"):
        validate_X(_Dummy(), np.ones((1, 3)), reset=True)


def test_validate_X_names_one_feature():
    with pytest.raises(ValueError, match="n_features=1"):
        validate_X(_Dummy(), np.ones((5, 1)), reset=True, ensure_min_features=2)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_validate_X_rejects_non_finite(bad):
    X = np.ones((4, 2))
    X[2, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        validate_X(_Dummy(), X, reset=True)


def test_validate_X_checks_feature_count_after_fit():
    est = _Dummy()
    validate_X(est, np.ones((4, 3)), reset=True)
    assert est.n_features_in_ == 3
    with pytest.raises(ValueError, match="features"):
        validate_X(est, np.ones((4, 2)), reset=False)


def test_validate_X_does_not_modify_input():
    X = np.arange(12.0).reshape(4, 3)
    before = X.copy()
    out = validate_X(_Dummy(), X, reset=True, copy=True)
    out[0, 0] = 99.0
    np.testing.assert_array_equal(X, before)
