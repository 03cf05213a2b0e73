"""Shims over scikit-learn versions (>= 1.6) and its semi-private helpers.

Every import of a private scikit-learn name that skcausal relies on goes through this
module, so a change in scikit-learn is fixed in one place.
"""

from __future__ import annotations

import sklearn
from sklearn.utils.metadata_routing import MetadataRequest

__all__ = ["make_score_request", "routing_enabled"]


def routing_enabled() -> bool:
    """Whether scikit-learn's metadata routing is switched on in the current config."""
    return bool(sklearn.get_config().get("enable_metadata_routing", False))


def make_score_request(owner, requests: dict) -> MetadataRequest:
    """Build a :class:`~sklearn.utils.metadata_routing.MetadataRequest` for ``score``.

    Used by callable scorers that are not scikit-learn ``_BaseScorer`` objects: a router
    (``GridSearchCV``, ``cross_validate``) asks them for ``get_metadata_routing()`` and
    forwards the metadata they request. The request is built explicitly, parameter by
    parameter, because the class-level machinery differs between scikit-learn 1.6
    (``__metadata_request__*`` honoured without a method) and later versions (only
    for methods the class defines).

    Parameters
    ----------
    owner : object
        The scorer; it appears in scikit-learn's routing error messages.
    requests : dict
        ``{param: alias}`` with alias ``True``, ``False``, ``None`` or a string.

    Returns
    -------
    request : MetadataRequest
    """
    request = MetadataRequest(owner=owner)
    for param, alias in requests.items():
        request.score.add_request(param=param, alias=alias)
    return request
