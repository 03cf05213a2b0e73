"""TreatmentStratifiedKFold: both arms in every fold, and treatment routed to split."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_validate

from skcausal.datasets import make_treatment_data
from skcausal.effects import TLearner, TreatmentStratifiedKFold

# 10 % treated, all at the end: plain KFold puts every treated unit in the last fold.
RARE_SORTED = np.r_[np.zeros(90, dtype=int), np.ones(10, dtype=int)]


def test_every_fold_holds_both_arms_in_proportion():
    X = np.zeros((100, 2))
    cv = TreatmentStratifiedKFold(n_splits=5)
    folds = list(cv.split(X, treatment=RARE_SORTED))
    assert len(folds) == 5
    seen = np.concatenate([test for _, test in folds])
    np.testing.assert_array_equal(np.sort(seen), np.arange(100))
    for train, test in folds:
        assert RARE_SORTED[test].sum() == 2 and test.size == 20
        assert set(RARE_SORTED[train]) == {0, 1}
    # ... which plain KFold does not give.
    plain = [RARE_SORTED[test].sum() for _, test in KFold(5).split(X)]
    assert plain == [0, 0, 0, 0, 10]


def test_multi_valued_and_string_treatments_are_stratified():
    X = np.zeros((90, 1))
    labels = np.array(["a", "b", "c"])[
        np.r_[np.zeros(60), np.ones(20), 2 * np.ones(10)].astype(int)
    ]
    folds = list(TreatmentStratifiedKFold(5).split(X, treatment=labels))
    for _, test in folds:
        values, counts = np.unique(labels[test], return_counts=True)
        assert values.tolist() == ["a", "b", "c"]
        assert counts.tolist() == [12, 4, 2]


def test_shuffle_is_seeded():
    X = np.zeros((100, 1))
    a = TreatmentStratifiedKFold(4, shuffle=True, random_state=0)
    b = TreatmentStratifiedKFold(4, shuffle=True, random_state=0)
    c = TreatmentStratifiedKFold(4, shuffle=True, random_state=1)

    def tests(cv):
        return [test.tolist() for _, test in cv.split(X, treatment=RARE_SORTED)]

    assert tests(a) == tests(b)
    assert tests(a) != tests(c)


def test_get_n_splits():
    assert TreatmentStratifiedKFold(3).get_n_splits() == 3
    assert (
        TreatmentStratifiedKFold(3).get_n_splits(np.zeros((9, 1)), treatment=None) == 3
    )


def test_repr():
    assert repr(TreatmentStratifiedKFold(3)) == (
        "TreatmentStratifiedKFold(n_splits=3, random_state=None, shuffle=False)"
    )


def test_missing_treatment_names_metadata_routing():
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        next(TreatmentStratifiedKFold().split(np.zeros((10, 1))))


@pytest.mark.parametrize(
    "treatment, match",
    [
        (np.r_[np.zeros(97), np.ones(3)], "at least 5 treated units; got 3"),
        (np.r_[np.zeros(3), np.ones(97)], "at least 5 control units; got 3"),
        (np.ones(100), "single arm"),
        (np.r_[np.arange(97) % 2, 2, 2, 2], "at least 5 units of treatment level 2"),
        (np.linspace(0, 1, 100), "continuous treatment is not supported"),
        (np.arange(99) % 2, "treatment has 99 entries"),
    ],
)
def test_bad_treatment(treatment, match):
    with pytest.raises(ValueError, match=match):
        next(TreatmentStratifiedKFold().split(np.zeros((100, 1)), treatment=treatment))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_splits": 1}, ValueError, "n_splits"),
        ({"n_splits": 2.0}, TypeError, "n_splits"),
        ({"shuffle": "yes"}, TypeError, "shuffle"),
        ({"random_state": 0}, ValueError, "shuffle is False"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        TreatmentStratifiedKFold(**kwargs)


def test_requests_treatment_not_groups():
    request = TreatmentStratifiedKFold().get_metadata_routing()
    assert request.split.requests == {"treatment": True}


@pytest.mark.filterwarnings("ignore:TLearner. poor overlap")
def test_cross_validate_uses_its_folds(routing):
    data = make_treatment_data(n_samples=100, random_state=0)
    X, y = data.X, data.y
    t = RARE_SORTED
    cv = TreatmentStratifiedKFold(5)
    result = cross_validate(
        TLearner(model_y=LinearRegression()),
        X,
        y,
        params={"treatment": t},
        cv=cv,
        return_indices=True,
    )
    expected = [test for _, test in cv.split(X, treatment=t)]
    for got, want in zip(result["indices"]["test"], expected, strict=True):
        np.testing.assert_array_equal(got, want)
    assert np.isfinite(result["test_score"]).all()


@pytest.mark.filterwarnings("ignore:TLearner. poor overlap")
def test_grid_search_with_stratified_folds(routing):
    data = make_treatment_data(n_samples=100, random_state=1)
    X, y, t = data.X, data.y, RARE_SORTED
    search = GridSearchCV(
        TLearner(model_y=LinearRegression()),
        {"propensity_clip": [0.01, 0.1]},
        cv=TreatmentStratifiedKFold(4),
        error_score="raise",
    )
    search.fit(X, y, treatment=t)
    assert search.n_splits_ == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    # Plain KFold puts all treated units in the last fold: its training part has none.
    plain = GridSearchCV(
        TLearner(model_y=LinearRegression()),
        {"propensity_clip": [0.01]},
        cv=KFold(4),
        error_score="raise",
    )
    with pytest.raises(ValueError, match="single arm"):
        plain.fit(X, y, treatment=t)
