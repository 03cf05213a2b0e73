"""make_treatment_data: shapes, the simulation's identities, confounding, validation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skcausal.datasets import make_treatment_data

FIELDS = {"X", "y", "treatment", "cate", "ate", "propensity", "mu0", "mu1"}


def test_fields_shapes_and_types():
    data = make_treatment_data(n_samples=300, n_features=4, random_state=0)
    assert set(data) == FIELDS
    assert data.X.shape == (300, 4)
    for name in ("y", "treatment", "cate", "propensity", "mu0", "mu1"):
        assert data[name].shape == (300,), name
    assert data.treatment.dtype.kind == "i"
    assert set(np.unique(data.treatment)) == {0, 1}
    assert isinstance(data.ate, float)


@pytest.mark.parametrize("outcome", ["linear", "nonlinear"])
@pytest.mark.parametrize("effect", ["heterogeneous", "constant"])
def test_potential_outcome_identities(outcome, effect):
    data = make_treatment_data(
        n_samples=200, outcome=outcome, effect=effect, noise_scale=0.0, random_state=1
    )
    np.testing.assert_allclose(data.mu1 - data.mu0, data.cate)
    assert data.ate == pytest.approx(data.cate.mean())
    # Without noise the observed outcome is the potential outcome of the arm taken.
    np.testing.assert_allclose(
        data.y, np.where(data.treatment == 1, data.mu1, data.mu0)
    )


def test_documented_formulas():
    data = make_treatment_data(n_samples=100, n_features=3, random_state=2)
    x0, x1, x2 = data.X.T
    np.testing.assert_allclose(data.propensity, 1.0 / (1.0 + np.exp(-(x0 + 0.5 * x1))))
    np.testing.assert_allclose(data.mu0, 1.0 + x0 - 0.5 * x1 + x2 / 3.0)
    np.testing.assert_allclose(data.cate, 1.0 + x0 + 0.5 * x1)
    nonlinear = make_treatment_data(
        n_samples=100, n_features=3, outcome="nonlinear", random_state=2
    )
    np.testing.assert_allclose(
        nonlinear.mu0, 1.0 + 2.0 * np.sin(x0) + 0.5 * (x1**2 - 1.0) + x2 / 3.0
    )


def test_constant_effect_is_one():
    data = make_treatment_data(n_samples=50, effect="constant", random_state=0)
    np.testing.assert_array_equal(data.cate, np.ones(50))
    assert data.ate == 1.0


def test_population_ate_is_one():
    data = make_treatment_data(n_samples=50_000, random_state=3)
    assert data.ate == pytest.approx(1.0, abs=0.02)


def test_seeded_and_reproducible():
    a = make_treatment_data(n_samples=50, random_state=7)
    b = make_treatment_data(n_samples=50, random_state=7)
    c = make_treatment_data(n_samples=50, random_state=8)
    for name in ("X", "y", "treatment"):
        np.testing.assert_array_equal(a[name], b[name])
    assert not np.array_equal(a.y, c.y)
    rng = np.random.RandomState(7)
    d = make_treatment_data(n_samples=50, random_state=rng)
    np.testing.assert_array_equal(a.X, d.X)


def test_confounding_biases_the_naive_difference():
    data = make_treatment_data(n_samples=20_000, random_state=0)
    t, y = data.treatment, data.y
    naive = y[t == 1].mean() - y[t == 0].mean()
    # Treated units have larger x0, hence a larger control outcome and effect.
    assert naive - data.ate > 0.8
    # Inverse-propensity weighting with the true propensity removes the bias.
    e = data.propensity
    ipw = np.mean(t * y / e - (1 - t) * y / (1 - e))
    assert abs(ipw - data.ate) < 0.1


def test_no_confounding_is_a_randomised_trial():
    data = make_treatment_data(n_samples=20_000, confounding=0.0, random_state=0)
    np.testing.assert_array_equal(data.propensity, 0.5)
    t, y = data.treatment, data.y
    assert abs(y[t == 1].mean() - y[t == 0].mean() - data.ate) < 0.1


def test_more_confounding_means_poorer_overlap():
    def extreme_share(confounding):
        e = make_treatment_data(
            n_samples=5000, confounding=confounding, random_state=0
        ).propensity
        return np.mean((e < 0.05) | (e > 0.95))

    assert extreme_share(0.5) == 0.0
    assert extreme_share(1.0) < extreme_share(2.0) < extreme_share(4.0)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_samples": 1}, ValueError, "n_samples"),
        ({"n_samples": 10.5}, TypeError, "n_samples"),
        ({"n_features": 1}, ValueError, "n_features"),
        ({"outcome": "quadratic"}, ValueError, "outcome"),
        ({"effect": "random"}, ValueError, "effect"),
        ({"confounding": -1.0}, ValueError, "confounding"),
        ({"confounding": "strong"}, TypeError, "confounding"),
        ({"noise_scale": np.nan}, ValueError, "noise_scale"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_treatment_data(**kwargs)


@settings(max_examples=25, deadline=None)
@given(
    n_samples=st.integers(2, 40),
    n_features=st.integers(2, 6),
    seed=st.integers(0, 2**16),
    outcome=st.sampled_from(["linear", "nonlinear"]),
    effect=st.sampled_from(["heterogeneous", "constant"]),
)
def test_identities_hold_for_all_inputs(n_samples, n_features, seed, outcome, effect):
    data = make_treatment_data(
        n_samples,
        n_features,
        outcome=outcome,
        effect=effect,
        random_state=seed,
    )
    assert np.isin(data.treatment, (0, 1)).all()
    assert ((data.propensity > 0) & (data.propensity < 1)).all()
    np.testing.assert_allclose(data.mu1 - data.mu0, data.cate)
    assert np.isfinite(data.y).all()
