"""
=====================================================================
Estimating treatment effects with a T-learner, and tuning it honestly
=====================================================================

We simulate confounded observational data with a known treatment effect, compare the
naive difference in means with a :class:`~skcausal.effects.TLearner`, and look at
the estimated conditional effects against the true ones. Then we tune the learner's
outcome model with :class:`~sklearn.model_selection.GridSearchCV`: scikit-learn's
metadata routing hands the treatment to the learner and to the
:class:`~skcausal.effects.TreatmentStratifiedKFold` splitter, and the learner's own
score -- a doubly robust loss that needs no true effect -- picks the depth.
"""

# %%
# Confounded data with a known effect
# -----------------------------------
# In :func:`~skcausal.datasets.make_treatment_data` the features ``x_0`` and ``x_1``
# raise both the chance of being treated and the outcome, and the effect itself
# varies with them: :math:`\tau(x) = 1 + x_0 + x_1 / 2`. The bunch it returns holds the
# true effects next to the data. We keep half of the units aside to evaluate the
# estimates.

import matplotlib.pyplot as plt
import numpy as np
import sklearn
from sklearn.model_selection import GridSearchCV, cross_validate, train_test_split
from sklearn.tree import DecisionTreeRegressor

from skcausal.datasets import make_treatment_data
from skcausal.effects import TLearner, TreatmentStratifiedKFold
from skcausal.metrics import ate_error, pehe

data = make_treatment_data(
    n_samples=4000, n_features=5, outcome="nonlinear", confounding=1.0, random_state=0
)
X_train, X_test, y_train, y_test, t_train, t_test, cate_train, cate_test = (
    train_test_split(
        data.X,
        data.y,
        data.treatment,
        data.cate,
        test_size=0.5,
        stratify=data.treatment,
        random_state=0,
    )
)
print(f"treated share: {t_train.mean():.2f}, true average effect: {data.ate:.2f}")

# %%
# The naive estimate is biased
# ----------------------------
# Comparing the mean outcomes of the treated and the untreated mixes the effect of the
# treatment with the difference between the groups: the treated have larger ``x_0``,
# hence a larger outcome even without treatment.

naive = y_train[t_train == 1].mean() - y_train[t_train == 0].mean()
error = ate_error(data.ate, naive)
print(f"naive difference in means: {naive:.2f} (error {error:.2f})")

# %%
# A T-learner adjusts for the features
# ------------------------------------
# The T-learner fits one outcome model per treatment arm and predicts the difference
# of the two: ``predict`` returns the estimated effect of each unit, not an outcome.

learner = TLearner(
    model_y=DecisionTreeRegressor(max_depth=2, min_samples_leaf=40, random_state=0),
    random_state=0,
)
learner.fit(X_train, y_train, treatment=t_train)
tau_test = learner.predict(X_test)

ate_hat = learner.ate(X_test)  # the mean of predict(X_test)
error = ate_error(data.ate, ate_hat)
print(f"T-learner average effect:  {ate_hat:.2f} (error {error:.2f})")
print(f"T-learner PEHE on held-out units: {pehe(cate_test, tau_test):.2f}")

# %%
# Each point is a held-out unit. A perfect learner puts every point on the diagonal;
# the shallow trees give a step function of the true, smooth effect.


def plot_effects(ax, estimate, title):
    limits = [
        min(cate_test.min(), estimate.min()),
        max(cate_test.max(), estimate.max()),
    ]
    ax.scatter(cate_test, estimate, s=6, alpha=0.4)
    ax.plot(limits, limits, color="black", linewidth=1)
    ax.set_xlabel(r"true effect $\tau(x)$")
    ax.set_ylabel(r"estimated effect $\hat\tau(x)$")
    ax.set_title(f"{title}: PEHE {pehe(cate_test, estimate):.2f}")


fig, ax = plt.subplots(figsize=(4.5, 4.2), layout="constrained")
plot_effects(ax, tau_test, "T-learner, max_depth=2")
plt.show()

# %%
# Tuning the outcome model with the treatment routed
# --------------------------------------------------
# ``GridSearchCV`` must hand the treatment of each training fold to ``fit``, the
# treatment of each validation fold to ``score``, and the whole treatment to the
# splitter so that every fold holds both arms. scikit-learn's metadata routing does all
# three once it is switched on; the learners declare that they want ``treatment``, so
# no ``set_fit_request`` is needed. In a script you would call
# ``sklearn.set_config(enable_metadata_routing=True)`` once; here a ``config_context``
# keeps the setting local.
#
# The default score of a learner is the negated doubly robust pseudo-outcome loss on
# the validation fold: it is computed from observed outcomes, so selecting by it never
# looks at the true effect.

depths = [1, 2, 3, 4, 6, 8, 12]
with sklearn.config_context(enable_metadata_routing=True):
    search = GridSearchCV(
        TLearner(
            model_y=DecisionTreeRegressor(min_samples_leaf=40, random_state=0),
            random_state=0,
        ),
        param_grid={"model_y__max_depth": depths},
        cv=TreatmentStratifiedKFold(n_splits=5, shuffle=True, random_state=0),
    )
    search.fit(X_train, y_train, treatment=t_train)

best_depth = search.best_params_["model_y__max_depth"]
best_pehe = pehe(cate_test, search.predict(X_test))
print(f"selected max_depth={best_depth}; held-out PEHE {best_pehe:.2f}")

# %%
# Because the data are simulated we can check the choice against the truth: for
# every depth, the held-out PEHE of a learner refitted on the training half. A real
# analysis has only the left-hand curve (mean and standard deviation over the five
# folds); compare where the two curves level off.

test_pehe = [
    pehe(
        cate_test,
        TLearner(
            model_y=DecisionTreeRegressor(
                max_depth=depth, min_samples_leaf=40, random_state=0
            ),
            random_state=0,
        )
        .fit(X_train, y_train, treatment=t_train)
        .predict(X_test),
    )
    for depth in depths
]

fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), layout="constrained")
axes[0].errorbar(
    depths,
    search.cv_results_["mean_test_score"],
    yerr=search.cv_results_["std_test_score"],
    fmt="o-",
)
axes[0].axvline(best_depth, color="grey", linestyle=":")
axes[0].set_xlabel("model_y__max_depth")
axes[0].set_ylabel("CV score (negated DR loss)")
axes[0].set_title("selection: no true effect needed")

axes[1].plot(depths, test_pehe, "o-", color="C1")
axes[1].axvline(best_depth, color="grey", linestyle=":")
axes[1].set_xlabel("model_y__max_depth")
axes[1].set_ylabel("held-out PEHE (lower is better)")
axes[1].set_title("check against the truth")

plot_effects(axes[2], search.predict(X_test), f"tuned, max_depth={best_depth}")
plt.show()

# %%
# ``cross_validate`` takes the treatment as ``params={"treatment": t}``. The fold
# scores vary a lot: the pseudo-outcome is noisy, and that noise enters every
# learner's loss alike, so only differences between learners scored on the same folds
# carry information -- which is how ``GridSearchCV`` uses them.

with sklearn.config_context(enable_metadata_routing=True):
    scores = cross_validate(
        search.best_estimator_,
        X_train,
        y_train,
        cv=TreatmentStratifiedKFold(n_splits=5, shuffle=True, random_state=1),
        params={"treatment": t_train},
    )
print("fold scores:", np.round(scores["test_score"], 2))

# %%
# Without routing, scikit-learn falls back to its older behaviour: ``GridSearchCV``
# would pass ``treatment`` to ``fit`` but not to ``score`` or the splitter.
# :class:`~skcausal.effects.TreatmentStratifiedKFold` then stops the search at once
# with an error that explains how to switch routing on. See the
# :ref:`effects user guide <effects>` for the recipe and for why the learners are not
# scikit-learn regressors.
