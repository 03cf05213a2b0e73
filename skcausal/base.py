"""Mixins shared by the two estimator families.

Every public estimator inherits :class:`sklearn.base.BaseEstimator` and exactly one of
the mixins below. The mixins carry the family's tags and the contract pieces that are
identical for every method of the family; they never hold fitting logic.
"""

from sklearn.utils.validation import check_is_fitted

__all__ = ["DiscoveryMixin", "EffectMixin"]


class DiscoveryMixin:
    """Mixin for causal-discovery estimators.

    Discovery estimators are unsupervised: ``fit(X, y=None)`` ignores ``y`` and stores
    the learned graph in ``adjacency_matrix_``, where ``adjacency_matrix_[i, j] != 0``
    means the edge ``i -> j`` (row = cause, column = effect). An undirected edge of a
    CPDAG is stored in both directions.
    """

    _estimator_family = "discovery"

    def to_networkx(self):
        """Return the fitted graph as a :class:`networkx.DiGraph`.

        Nodes are labelled with ``feature_names_in_`` when the estimator was fitted
        on a DataFrame, else with column indices; each edge carries its ``weight``.
        Requires the optional dependency networkx.

        Returns
        -------
        graph : networkx.DiGraph
            The fitted graph; undirected CPDAG edges appear in both directions.
        """
        from skcausal.graph import to_networkx

        check_is_fitted(self, "adjacency_matrix_")
        return to_networkx(
            self.adjacency_matrix_, getattr(self, "feature_names_in_", None)
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags


class EffectMixin:
    """Mixin for treatment-effect estimators.

    Effect estimators are fitted with ``fit(X, y, treatment=...)``; ``treatment`` is a
    per-sample array routed through Pipelines and model selection by scikit-learn's
    metadata routing. The class-level requests below mean users never call
    ``set_fit_request``: they switch routing on once with
    ``sklearn.set_config(enable_metadata_routing=True)``.
    """

    _estimator_family = "effect"
    __metadata_request__fit = {"treatment": True}
    __metadata_request__score = {"treatment": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
