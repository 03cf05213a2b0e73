"""Choosing the L1 strength of DAGMA by cross-validation or BIC.

Like :class:`sklearn.linear_model.LassoCV`, :class:`DAGMACV` fits a path of
``lambda1`` values from the largest (an empty graph) down, each fit warm-started from
the previous one, picks the best value by a criterion, and refits it on all the data.
The criterion is either the mean held-out Gaussian log-likelihood over K folds
(``"cv"``, the predictive choice, which like AIC leans to denser graphs) or the BIC of
the fit on all the data (``"bic"``, consistent for the graph under the model's own
equal-variance assumption; Schwarz, Annals of Statistics 1978).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.parallel import Parallel, delayed

from skcausal._sem import SufficientStats
from skcausal._validation import validate_X
from skcausal.base import DiscoveryMixin
from skcausal.discovery._base import (
    LinearSEMModelMixin,
    resolve_edge_constraints,
    standardizing_scale,
)
from skcausal.discovery._dagma import DAGMA

__all__ = ["DAGMACV"]

# Every DAGMA parameter except lambda1, which the selector chooses.
_DAGMA_PARAMS = tuple(name for name in DAGMA().get_params() if name != "lambda1")


def _lambda_max(stats, scale, forbidden, required) -> float:
    """Smallest ``lambda1`` at which ``W = 0`` solves every central-path problem.

    At ``W = 0`` the log-det term has zero gradient and the least-squares gradient is
    ``-S`` (the covariance), so zero is optimal exactly when ``lambda1 >= |S[i, j]|``
    for every penalised entry.
    """
    S = stats.covariance if scale is None else stats.covariance / np.outer(scale, scale)
    penalised = ~(forbidden | required | np.eye(S.shape[0], dtype=bool))
    values = np.abs(S[penalised])
    return float(values.max()) if values.size and values.max() > 0 else 1.0


def _fit_path(template, X, lambdas):
    """Fit ``template`` at every ``lambda1`` of the path, each warm-started.

    Returns the fitted models and whether each one's optimiser converged (the
    ConvergenceWarnings of the individual fits are collected, not shown).
    """
    models, W = [], None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for lambda1 in lambdas:
            model = clone(template).set_params(lambda1=float(lambda1))
            X_valid = validate_X(model, X, reset=True, ensure_min_features=2)
            model._fit_stats(SufficientStats.from_data(X_valid), W_init=W)
            W = model._weights
            models.append(model)
    return models


def _fold_scores(template, X, train, test, lambdas):
    """Held-out scores of the path fitted on ``train``, and their convergence."""
    models = _fit_path(template, _safe_indexing(X, train), lambdas)
    X_test = _safe_indexing(X, test)
    scores = np.array([model.score(X_test) for model in models])
    return scores, np.array([model.converged_ for model in models])


class DAGMACV(DiscoveryMixin, LinearSEMModelMixin, BaseEstimator):
    """DAGMA with its L1 strength chosen by cross-validation or BIC.

    Fits :class:`DAGMA` along a decreasing path of ``lambda1`` values, each fit
    warm-started from the previous solution, scores every value with ``criterion``,
    and refits the best one on all the data (from a cold start, so the result equals
    ``DAGMA(lambda1=lambda1_, ...).fit(X)``). The fitted estimator behaves as that
    DAGMA: ``adjacency_matrix_``, ``predict``, ``transform``, ``score``, ``bic``.

    Parameters
    ----------
    lambdas : array-like of float, default=None
        The ``lambda1`` values to try (non-negative); sorted decreasingly. ``None``
        uses ``n_lambdas`` values spaced evenly on a log scale from ``lambda_max``
        (the smallest value giving an empty graph, ``max |S[i, j]|`` over the
        penalised entries of the covariance of the fitted scale) down to
        ``eps * lambda_max``.
    n_lambdas : int, default=10
        Length of the automatic path.
    eps : float, default=1e-4
        Ratio of the smallest to the largest value of the automatic path.
    criterion : {"bic", "cv"}, default="bic"
        ``"bic"``: the smallest :meth:`DAGMA.bic` of the path fitted on all the data
        (one path). ``"cv"``: the largest mean held-out :meth:`DAGMA.score` (the
        Gaussian log-likelihood per sample) over the folds of ``cv`` (one path per
        fold), which predicts well but, having no complexity penalty, tends to keep
        spurious edges.
    cv : int, cross-validation generator or iterable, default=5
        Folds for ``criterion="cv"`` (an int means that many unshuffled
        :class:`~sklearn.model_selection.KFold` folds); ignored for ``"bic"``.
    n_jobs : int, default=None
        Folds fitted in parallel for ``criterion="cv"`` (joblib; ``None`` means 1).
        The results do not depend on it.
    w_threshold, n_central_path_steps, mu_init, mu_factor, s, max_iter, tol, \
forbidden_edges, required_edges, standardize, refit, refine, verbose
        As for :class:`DAGMA`, used by every fit.

    Attributes
    ----------
    lambda1_ : float
        The chosen L1 strength.
    lambdas_ : ndarray of shape (n_lambdas,)
        The path, in decreasing order.
    criterion_path_ : ndarray of shape (n_lambdas,)
        The criterion along the path: BIC (lower is better) or mean held-out
        log-likelihood per sample (higher is better).
    best_index_ : int
        Index of ``lambda1_`` in ``lambdas_``.
    cv_results_ : dict of ndarrays
        ``"lambda1"`` and, for ``"bic"``, ``"bic"`` and ``"n_edges"`` of each fit on
        all the data; for ``"cv"``, ``"mean_test_score"``, ``"std_test_score"`` and
        ``"split<k>_test_score"``.
    adjacency_matrix_, coef_, intercept_, mean_, noise_variance_, causal_order_, \
graph_type_, w_threshold_, converged_, n_iter_, n_samples_seen_
        Those of the final :class:`DAGMA` fit at ``lambda1_``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    DAGMA : The estimator fitted along the path.
    sklearn.linear_model.LassoCV : The same idea for the lasso.

    Notes
    -----
    ``score`` is a predictive criterion with no complexity penalty: like AIC it
    rewards extra edges that fit noise, so ``criterion="cv"`` tends to choose small
    ``lambda1`` and denser graphs. BIC adds ``k log n`` for ``k`` parameters and is
    consistent for the graph when the model is right, so it is the default. A
    :class:`~sklearn.exceptions.ConvergenceWarning` is issued once per fit when some
    fit of the path, or the final fit, did not converge.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.discovery import DAGMACV
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=500)
    >>> x1 = 2.0 * x0 + rng.normal(size=500)
    >>> x2 = -1.5 * x1 + rng.normal(size=500)
    >>> model = DAGMACV(n_lambdas=4).fit(np.column_stack([x0, x1, x2]))
    >>> (model.adjacency_matrix_ != 0).astype(int)
    array([[0, 1, 0],
           [0, 0, 1],
           [0, 0, 0]])
    >>> model.lambdas_.shape
    (4,)
    """

    _parameter_constraints: dict = {
        "lambdas": ["array-like", None],
        "n_lambdas": [Interval(Integral, 1, None, closed="left")],
        "eps": [Interval(Real, 0, 1, closed="neither")],
        "criterion": [StrOptions({"bic", "cv"})],
        "cv": ["cv_object"],
        "n_jobs": [Integral, None],
        **{
            name: DAGMA._parameter_constraints[name]
            for name in _DAGMA_PARAMS
            if name in DAGMA._parameter_constraints
        },
    }

    def __init__(
        self,
        *,
        lambdas=None,
        n_lambdas: int = 10,
        eps: float = 1e-4,
        criterion: str = "bic",
        cv=5,
        n_jobs: int | None = None,
        w_threshold: float | str = 0.3,
        n_central_path_steps: int = 5,
        mu_init: float = 1.0,
        mu_factor: float = 0.1,
        s: float | Sequence[float] = (1.0, 0.9, 0.8, 0.7, 0.6),
        max_iter: int = 10000,
        tol: float = 1e-3,
        forbidden_edges=None,
        required_edges=None,
        standardize: bool = False,
        refit: bool = True,
        refine: bool = False,
        verbose: int = 0,
    ):
        self.lambdas = lambdas
        self.n_lambdas = n_lambdas
        self.eps = eps
        self.criterion = criterion
        self.cv = cv
        self.n_jobs = n_jobs
        self.w_threshold = w_threshold
        self.n_central_path_steps = n_central_path_steps
        self.mu_init = mu_init
        self.mu_factor = mu_factor
        self.s = s
        self.max_iter = max_iter
        self.tol = tol
        self.forbidden_edges = forbidden_edges
        self.required_edges = required_edges
        self.standardize = standardize
        self.refit = refit
        self.refine = refine
        self.verbose = verbose

    def _path(self, stats) -> np.ndarray:
        if self.lambdas is not None:
            lambdas = np.asarray(self.lambdas, dtype=np.float64).ravel()
            if lambdas.size == 0 or not np.all(np.isfinite(lambdas) & (lambdas >= 0)):
                raise ValueError(
                    "lambdas must be a non-empty sequence of non-negative finite "
                    f"numbers; got lambdas={self.lambdas!r}."
                )
            return np.sort(lambdas)[::-1]
        forbidden, required = resolve_edge_constraints(
            self.forbidden_edges,
            self.required_edges,
            stats.n_features,
            getattr(self, "feature_names_in_", None),
        )
        scale = standardizing_scale(stats) if self.standardize else None
        top = _lambda_max(stats, scale, forbidden, required)
        return np.geomspace(top, top * self.eps, self.n_lambdas)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the path, choose ``lambda1`` and refit it on all the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, at least 2 samples and 2 features, finite. Not modified.
        y : None
            Ignored.

        Returns
        -------
        self : DAGMACV
            The fitted estimator.
        """
        X_valid = validate_X(self, X, reset=True, ensure_min_features=2)
        stats = SufficientStats.from_data(X_valid)
        lambdas = self._path(stats)
        # A DAGMA that carries every shared parameter; the path sets lambda1.
        template = DAGMA(**{name: getattr(self, name) for name in _DAGMA_PARAMS})
        # Fail early (names, cycles, overlap) before any fold is fitted.
        template._s_schedule()
        resolve_edge_constraints(
            self.forbidden_edges,
            self.required_edges,
            stats.n_features,
            getattr(self, "feature_names_in_", None),
        )

        # The path fits see a DataFrame as such (edges may name its columns).
        X_path = X if hasattr(X, "iloc") else X_valid
        if self.criterion == "bic":
            models = _fit_path(template, X_path, lambdas)
            bic = np.array([model.bic(X_valid) for model in models])
            self.criterion_path_ = bic
            self.best_index_ = int(np.argmin(bic))
            self.cv_results_ = {
                "lambda1": lambdas.copy(),
                "bic": bic,
                "n_edges": np.array(
                    [np.count_nonzero(model.adjacency_matrix_) for model in models]
                ),
            }
            path_converged = all(model.converged_ for model in models)
        else:
            splitter = check_cv(self.cv)
            folds = list(splitter.split(X_valid))
            results = Parallel(n_jobs=self.n_jobs)(
                delayed(_fold_scores)(template, X_path, train, test, lambdas)
                for train, test in folds
            )
            scores = np.column_stack([fold_scores for fold_scores, _ in results])
            self.criterion_path_ = scores.mean(axis=1)
            self.best_index_ = int(np.argmax(self.criterion_path_))
            self.cv_results_ = {
                "lambda1": lambdas.copy(),
                "mean_test_score": self.criterion_path_.copy(),
                "std_test_score": scores.std(axis=1),
                **{f"split{k}_test_score": scores[:, k] for k in range(len(folds))},
            }
            path_converged = all(bool(np.all(ok)) for _, ok in results)
        self.lambdas_ = lambdas
        self.lambda1_ = float(lambdas[self.best_index_])

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            final = clone(template).set_params(lambda1=self.lambda1_).fit(X_path)
        for name, value in vars(final).items():
            if name.endswith("_") and name not in (
                "n_features_in_",
                "feature_names_in_",
            ):
                setattr(self, name, value)
        self._stats = final._stats
        self._n_noise_parameters = final._n_noise_parameters
        if not (path_converged and final.converged_):
            warnings.warn(
                "DAGMACV: some DAGMA fits of the lambda1 path or the final fit did not "
                f"converge within max_iter={self.max_iter} (tol={self.tol:g}); their "
                "outputs are still DAGs. Increase max_iter or tol.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return self
