"""The shared CI-test machinery: registry, cache, batching, n_jobs, input checks."""

import numpy as np
import pytest

from skcausal.independence import (
    KCI,
    ChiSquared,
    CITest,
    DSeparationOracle,
    FisherZ,
    GSquared,
    available_ci_tests,
    make_ci_test,
    register_ci_test,
)


@pytest.fixture
def gaussian():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 6))
    X[:, 1] += X[:, 0]
    X[:, 2] += X[:, 1]
    return X


def test_registry_names_and_factory():
    names = available_ci_tests()
    for name, cls in [
        ("fisherz", FisherZ),
        ("gsq", GSquared),
        ("chisq", ChiSquared),
        ("kci", KCI),
        ("oracle", DSeparationOracle),
    ]:
        assert name in names
        assert type(make_ci_test(name)) is cls
    assert type(make_ci_test(FisherZ)) is FisherZ
    original = KCI(width=0.5)
    made = make_ci_test(original)
    assert made is not original and made.get_params() == original.get_params()
    with pytest.raises(ValueError, match="Unknown ci_test 'nope'"):
        make_ci_test("nope")
    with pytest.raises(TypeError, match="ci_test must be"):
        make_ci_test(3)
    with pytest.raises(TypeError, match="only CITest subclasses"):
        register_ci_test("bad", int)


def test_register_decorator():
    @register_ci_test("always-independent")
    class Always(CITest):
        def _prepare(self, X):
            pass

        def _compute(self, x, y, z):
            return np.ones(len(x))

    test = make_ci_test("always-independent").fit(np.zeros((3, 2)) + [[0, 1]])
    assert test.pvalue(0, 1) == 1.0


def test_cache_is_canonical_and_reset_by_fit(gaussian):
    test = FisherZ().fit(gaussian)
    p1 = test.pvalue(0, 2, [4, 1])
    p2 = test.pvalue(2, 0, (1, 4))
    assert p1 == p2
    assert test.n_tests_ == 1
    test.pvalues([0, 3, 0], [2, 5, 2], [[1, 4], [0, 1], [4, 1]])
    assert test.n_tests_ == 2
    test.fit(gaussian)
    assert test.n_tests_ == 0


def test_batch_equals_single_and_n_jobs_does_not_change_pvalues(gaussian):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 3, size=300)
    y = x + 3
    z = np.column_stack([(x + 1) % 3, (x + 2) % 3])  # disjoint from x and y
    FisherZ._min_chunk = 1  # force the parallel path on a small batch
    try:
        serial = FisherZ().fit(gaussian).pvalues(x, y, z)
        parallel = FisherZ().fit(gaussian).pvalues(x, y, z, n_jobs=2)
    finally:
        FisherZ._min_chunk = 4096
    single = FisherZ().fit(gaussian)
    expected = [single.pvalue(a, b, c) for a, b, c in zip(x, y, z, strict=True)]
    np.testing.assert_array_equal(serial, parallel)
    np.testing.assert_allclose(serial, expected, rtol=1e-12)


def test_kci_parallel_matches_serial():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4))
    x, y, z = [0, 0, 1, 2], [1, 2, 3, 3], [[3], [1], [0], [1]]
    serial = KCI().fit(X).pvalues(x, y, z)
    parallel = KCI().fit(X).pvalues(x, y, z, n_jobs=2)
    np.testing.assert_array_equal(serial, parallel)


@pytest.mark.parametrize(
    "args, match",
    [
        ((0, 0, ()), "x and y must be different"),
        ((0, 1, (1,)), "distinct variables other than x, y"),
        ((0, 1, (2, 2)), "distinct variables"),
        ((0, 9, ()), "out of range"),
        ((0, 1.5, ()), "integer column indices"),
    ],
)
def test_bad_queries(gaussian, args, match):
    test = FisherZ().fit(gaussian)
    with pytest.raises((ValueError, TypeError), match=match):
        test.pvalue(*args)


def test_unfitted_and_bad_data():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        FisherZ().pvalue(0, 1)
    with pytest.raises(ValueError, match="NaN"):
        FisherZ().fit(np.array([[0.0, np.nan], [1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="could not convert"):
        FisherZ().fit(np.array([["a", "b"], ["c", "d"]], dtype=object))
    with pytest.raises(ValueError, match="x and y must have the same length"):
        FisherZ().fit(np.random.default_rng(0).normal(size=(10, 3))).pvalues(
            [0, 1], [2], None
        )
