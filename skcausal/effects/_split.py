"""K-fold cross-validation stratified on the treatment.

Effect learners need both arms in every training fold, and their scores need both arms
in every validation fold. Stratifying the folds on the treatment keeps each arm's share
(and hence both arms) in every fold, which plain ``KFold`` does not guarantee for rare
treatments.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.model_selection import BaseCrossValidator, StratifiedKFold
from sklearn.utils.validation import _num_samples

from skcausal.effects._base import check_treatment

__all__ = ["TreatmentStratifiedKFold"]


class TreatmentStratifiedKFold(BaseCrossValidator):
    """K-fold splitter stratified on the treatment, so every fold holds both arms.

    The folds are those of :class:`sklearn.model_selection.StratifiedKFold` with the
    treatment as the class label: each test fold keeps (up to rounding) the treated
    share of the whole sample. The splitter requests ``treatment`` for ``split``
    through scikit-learn's metadata routing, the way ``GroupKFold`` requests
    ``groups``: inside ``GridSearchCV(cv=TreatmentStratifiedKFold())`` or
    ``cross_validate`` with ``sklearn.set_config(enable_metadata_routing=True)``, the
    ``treatment`` passed to ``fit`` reaches it without further set-up.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds (>= 2). Each arm needs at least ``n_splits`` units.
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
        """Generate train/test indices with both arms in every fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data; only its length is used.
        y : array-like of shape (n_samples,), default=None
            Ignored; present for API compatibility.
        groups : object, default=None
            Ignored; present for API compatibility.
        treatment : array-like of shape (n_samples,)
            Binary treatment (0/1) to stratify on; required.

        Yields
        ------
        train : ndarray
            Training-set indices of the split.
        test : ndarray
            Test-set indices of the split.
        """
        n_samples = _num_samples(X)
        treatment = check_treatment(
            treatment, n_samples, name=type(self).__name__, method="split"
        )
        counts = np.bincount(treatment, minlength=2)
        if counts.min() < self.n_splits:
            arm = "treated" if counts[1] < counts[0] else "control"
            raise ValueError(
                f"n_splits={self.n_splits} folds need at least {self.n_splits} "
                f"{arm} units; got {counts.min()}. Use fewer folds."
            )
        folds = StratifiedKFold(
            n_splits=self.n_splits, shuffle=self.shuffle, random_state=self.random_state
        )
        yield from folds.split(np.zeros((n_samples, 1)), treatment)

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
