"""K-fold cross-validation stratified on the treatment.

Effect learners need every arm in every training fold, and their scores need every arm
in every validation fold. Stratifying the folds on the treatment keeps each arm's share
(and hence every arm) in every fold, which plain ``KFold`` does not guarantee for rare
treatments. With cluster labels (``groups``), :func:`group_stratified_folds` keeps each
cluster in one fold and stratifies on the treatment as far as the clusters allow.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.model_selection import (
    BaseCrossValidator,
    StratifiedGroupKFold,
    StratifiedKFold,
)
from sklearn.utils.validation import _num_samples

from skcausal.effects._levels import (
    check_treatment_labels,
    level_name,
    resolve_levels,
)

__all__ = ["TreatmentStratifiedKFold"]


class TreatmentStratifiedKFold(BaseCrossValidator):
    """K-fold splitter stratified on the treatment, so every fold holds every arm.

    The folds are those of :class:`sklearn.model_selection.StratifiedKFold` with the
    treatment as the class label: each test fold keeps (up to rounding) every arm's
    share of the whole sample. Binary and multi-valued (categorical, numeric or string)
    treatments are accepted. The splitter requests ``treatment`` for ``split``
    through scikit-learn's metadata routing, the way ``GroupKFold`` requests
    ``groups``: inside ``GridSearchCV(cv=TreatmentStratifiedKFold())`` or
    ``cross_validate`` with ``sklearn.set_config(enable_metadata_routing=True)``, the
    ``treatment`` passed to ``fit`` reaches it without further set-up.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds (>= 2). Each arm (treatment level) needs at least
        ``n_splits`` units.
    shuffle : bool, default=False
        Whether to shuffle each arm's units before splitting into folds.
    random_state : int, RandomState instance or None, default=None
        Controls the shuffling when ``shuffle=True``; must be None otherwise.

    See Also
    --------
    sklearn.model_selection.StratifiedKFold : The splitter used underneath.
    TLearner : An effect learner to cross-validate.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.effects import TreatmentStratifiedKFold
    >>> X = np.zeros((8, 1))
    >>> t = np.array([1, 0, 0, 0, 0, 0, 1, 0])
    >>> cv = TreatmentStratifiedKFold(n_splits=2)
    >>> [t[test].tolist() for _, test in cv.split(X, treatment=t)]
    [[1, 0, 0, 0], [0, 0, 1, 0]]
    """

    # Request ``treatment`` for ``split``. ``groups`` is already marked unused by
    # BaseCrossValidator (as for KFold); repeating that here breaks scikit-learn 1.6.
    __metadata_request__split = {"treatment": True}

    def __init__(self, n_splits: int = 5, *, shuffle: bool = False, random_state=None):
        if isinstance(n_splits, bool) or not isinstance(n_splits, Integral):
            raise TypeError(f"n_splits must be an integer, got {n_splits!r}.")
        if n_splits < 2:
            raise ValueError(f"n_splits must be at least 2, got n_splits={n_splits}.")
        if not isinstance(shuffle, (bool, np.bool_)):
            raise TypeError(f"shuffle must be True or False, got {shuffle!r}.")
        if not shuffle and random_state is not None:
            raise ValueError(
                "Setting a random_state has no effect since shuffle is False. Leave "
                "random_state at None or set shuffle=True."
            )
        self.n_splits = int(n_splits)
        self.shuffle = bool(shuffle)
        self.random_state = random_state

    def split(self, X, y=None, groups=None, treatment=None):
        """Generate train/test indices with every arm in every fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data; only its length is used.
        y : array-like of shape (n_samples,), default=None
            Ignored; present for API compatibility.
        groups : object, default=None
            Ignored; present for API compatibility.
        treatment : array-like of shape (n_samples,)
            Treatment to stratify on (binary or categorical); required.

        Yields
        ------
        train : ndarray
            Training-set indices of the split.
        test : ndarray
            Test-set indices of the split.
        """
        n_samples = _num_samples(X)
        name = type(self).__name__
        if treatment is None:
            from skcausal.effects._base import missing_treatment_error

            raise missing_treatment_error(name, "split")
        labels = check_treatment_labels(treatment, n_samples, name=name, method="split")
        levels, codes, _ = resolve_levels(labels, None, name=name)
        check_arm_sizes(codes, levels, self.n_splits)
        folds = StratifiedKFold(
            n_splits=self.n_splits, shuffle=self.shuffle, random_state=self.random_state
        )
        yield from folds.split(np.zeros((n_samples, 1)), codes)

    def get_n_splits(self, X=None, y=None, groups=None, treatment=None) -> int:
        """Return the number of folds.

        Parameters
        ----------
        X, y, groups, treatment : object, default=None
            Ignored; present for API compatibility.

        Returns
        -------
        n_splits : int
        """
        return self.n_splits


def check_arm_sizes(codes, levels, n_splits: int) -> None:
    """Raise when some arm has fewer units than there are folds."""
    counts = np.bincount(codes, minlength=levels.size)
    if counts.min() >= n_splits:
        return
    smallest = int(np.argmin(counts))
    if (
        levels.size == 2
        and levels.dtype.kind in "iuf"
        and levels[0] == 0
        and levels[1] == 1
    ):
        arm = f"{'treated' if smallest == 1 else 'control'} units"
    else:
        arm = f"units of {level_name(levels[smallest], levels)}"
    raise ValueError(
        f"n_splits={n_splits} folds need at least {n_splits} {arm}; got "
        f"{counts[smallest]}. Use fewer folds."
    )


def group_stratified_folds(codes, groups, n_splits: int, random_state, levels=None):
    """Cross-fitting folds that never split a group, stratified on the treatment.

    When every group holds a single treatment level (clusters nested in arms, as in a
    cluster-randomised trial, or the copies of one unit in a bootstrap resample), the
    groups themselves are split by a shuffled :class:`StratifiedKFold` on their level,
    which balances the arms exactly; otherwise
    :class:`sklearn.model_selection.StratifiedGroupKFold` balances them as far as the
    groups allow.

    Returns
    -------
    folds : list of (train, test) index arrays
    """
    unique, group_index = np.unique(groups, return_inverse=True)
    group_index = group_index.reshape(-1)
    n_levels = int(codes.max()) + 1
    if unique.size < n_splits:
        raise ValueError(
            f"groups has {unique.size} distinct groups, fewer than the {n_splits} "
            "cross-fitting folds; use fewer folds (cv) or finer groups."
        )
    first_code = np.full(unique.size, -1)
    first_code[group_index] = codes
    nested = np.array_equal(first_code[group_index], codes)
    if nested:
        per_level = np.bincount(first_code, minlength=n_levels)
        if per_level.min() < n_splits:
            level = int(np.argmin(per_level))
            arm = (
                f"code {level}" if levels is None else level_name(levels[level], levels)
            )
            raise ValueError(
                f"The {arm} arm occurs in only {per_level[level]} "
                f"groups, fewer than the {n_splits} cross-fitting folds; use fewer "
                "folds (cv)."
            )
        splitter = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
        folds = []
        for _, test_groups in splitter.split(np.zeros((unique.size, 1)), first_code):
            in_test = np.isin(group_index, test_groups)
            folds.append((np.flatnonzero(~in_test), np.flatnonzero(in_test)))
        return folds
    splitter = StratifiedGroupKFold(n_splits, shuffle=True, random_state=random_state)
    return list(splitter.split(np.zeros((codes.size, 1)), codes, group_index))
