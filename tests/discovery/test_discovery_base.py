"""Tests for the shared discovery helpers in skcausal.discovery._base."""

import numpy as np
import pytest

from skcausal._sem import SufficientStats
from skcausal.discovery._base import resolve_edge_constraints, standardizing_scale

NAMES = ["a", "b", "c", "d"]


def test_index_pairs_name_pairs_and_masks_agree():
    expected = np.zeros((4, 4), dtype=bool)
    expected[0, 1] = expected[2, 3] = True
    by_index, _ = resolve_edge_constraints([(0, 1), (2, 3)], None, 4)
    by_name, _ = resolve_edge_constraints(
        [("a", "b"), ("c", "d")], None, 4, feature_names=NAMES
    )
    by_mask, _ = resolve_edge_constraints(expected, None, 4)
    for mask in (by_index, by_name, by_mask):
        np.testing.assert_array_equal(mask, expected)
    _, required = resolve_edge_constraints(None, [("b", "c")], 4, feature_names=NAMES)
    assert required[1, 2] and required.sum() == 1


def test_none_gives_empty_masks():
    forbidden, required = resolve_edge_constraints(None, None, 3)
    assert forbidden.shape == required.shape == (3, 3)
    assert not forbidden.any() and not required.any()


@pytest.mark.parametrize(
    "edges, names, error, match",
    [
        ([("a", "z")], NAMES, ValueError, "unknown node name 'z'"),
        ([(0, 4)], None, ValueError, "out of range"),
        ([(-1, 2)], None, ValueError, "out of range"),
        ([(2, 2)], None, ValueError, "self-loop"),
        ([("b", "b")], NAMES, ValueError, "self-loop"),
        (np.eye(4, dtype=bool), None, ValueError, "self-loop 0 -> 0"),
        (np.zeros((3, 3), dtype=bool), None, ValueError, "shape"),
        ([("a", "b")], None, TypeError, "DataFrame with column names"),
        ([(0, 1, 2)], None, ValueError, "pair"),
    ],
)
@pytest.mark.parametrize("which", ["forbidden_edges", "required_edges"])
def test_bad_edges_raise_naming_the_parameter(which, edges, names, error, match):
    kwargs = {"forbidden_edges": None, "required_edges": None, which: edges}
    with pytest.raises(error, match=match) as info:
        resolve_edge_constraints(
            kwargs["forbidden_edges"], kwargs["required_edges"], 4, feature_names=names
        )
    assert which in str(info.value)


def test_required_and_forbidden_must_not_overlap():
    with pytest.raises(ValueError, match="'a' -> 'c' is both required and forbidden"):
        resolve_edge_constraints(
            [("a", "c")], [("a", "b"), ("a", "c")], 4, feature_names=NAMES
        )


def test_required_edges_must_not_form_a_cycle():
    with pytest.raises(ValueError, match="cycle 0 -> 1 -> 2 -> 0"):
        resolve_edge_constraints(None, [(0, 1), (1, 2), (2, 0)], 4)
    with pytest.raises(ValueError, match="cycle 'a' -> 'b' -> 'a'"):
        resolve_edge_constraints(None, [("a", "b"), ("b", "a")], 4, feature_names=NAMES)


def test_standardizing_scale_guards_constant_columns():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(scale=3.0, size=50), np.full(50, 7.0)])
    scale = standardizing_scale(SufficientStats.from_data(X))
    assert scale[0] == pytest.approx(X[:, 0].std(), rel=1e-12)
    assert scale[1] == 1.0
