"""Property test shared by the continuous linear methods: whatever prior knowledge is
given, the output is a DAG that keeps every required edge and no forbidden one."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

from skcausal.discovery import DAGMA, GOLEM, NOTEARS
from skcausal.graph import is_dag


def _notears(data):
    return NOTEARS(max_iter=1, w_threshold=0.0)


def _dagma(data):
    return DAGMA(max_iter=30, w_threshold=0.0)


def _golem(data):
    return GOLEM(equal_variances=data.draw(st.booleans()), w_threshold=0.0, max_iter=50)


@pytest.mark.parametrize(
    "make_estimator, max_nodes, examples",
    [(_notears, 6, 25), (_dagma, 6, 15), (_golem, 5, 15)],
)
def test_output_is_always_a_dag_respecting_prior_knowledge(
    make_estimator, max_nodes, examples
):
    @given(seed=st.integers(0, 10_000), d=st.integers(2, max_nodes), data=st.data())
    @settings(max_examples=examples, deadline=None)
    def check(seed, d, data):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(30, d)) @ rng.normal(size=(d, d))
        order = rng.permutation(d)
        # Required edges follow a random order (so they are acyclic); forbidden
        # edges point against it.
        required = np.zeros((d, d), dtype=bool)
        forbidden = np.zeros((d, d), dtype=bool)
        for a in range(d):
            for b in range(a + 1, d):
                draw = data.draw(st.sampled_from(["none", "required", "forbidden"]))
                if draw == "required":
                    required[order[a], order[b]] = True
                elif draw == "forbidden":
                    forbidden[order[b], order[a]] = True
        estimator = make_estimator(data).set_params(
            required_edges=required, forbidden_edges=forbidden
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = estimator.fit(X)
        support = model.adjacency_matrix_ != 0
        assert is_dag(model.adjacency_matrix_)
        assert np.all(support[required])
        assert not np.any(support[forbidden])

    check()
