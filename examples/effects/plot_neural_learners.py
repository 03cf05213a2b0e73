"""
=====================================================
Neural effect learners: TARNet, CFR and Dragonnet
=====================================================

:class:`~skcausal.effects.TARNet` learns one representation of the features shared by
two outcome heads, one per treatment arm; with ``ipm="wasserstein"`` it becomes
counterfactual regression (CFR), which also pulls the treated and control
representations together. :class:`~skcausal.effects.Dragonnet` adds a propensity head
and targeted regularisation. All three run on skcausal's numpy engine and are ordinary
scikit-learn estimators. We fit them on simulated confounded data with a known effect,
compare their errors with a T-learner's, and look at what early stopping did.
"""

# %%
# Data with a known, heterogeneous effect
# ---------------------------------------
# :func:`~skcausal.datasets.make_treatment_data` returns the true effect of every unit
# next to the data; half of the units are kept aside to measure the error out of
# sample.

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from skcausal.datasets import make_treatment_data
from skcausal.effects import Dragonnet, TARNet, TLearner
from skcausal.metrics import ate_error, pehe

data = make_treatment_data(
    n_samples=2000, n_features=5, outcome="nonlinear", confounding=1.0, random_state=0
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

# %%
# Four learners, the same call
# ----------------------------
# The networks here are smaller than the defaults (three layers of 200 units, heads of
# two layers of 100) to keep the example fast; everything else is at its default:
# 20 % of the training rows are held out for early stopping, features and outcome are
# standardised inside ``fit``, and ``random_state`` makes each fit reproducible.

small = {"representation_layer_sizes": (64, 64), "head_layer_sizes": (32,)}
learners = {
    "T-learner": TLearner(random_state=0),
    "TARNet": TARNet(**small, random_state=0),
    "CFR (Wasserstein)": TARNet(ipm="wasserstein", **small, random_state=0),
    "Dragonnet": Dragonnet(**small, random_state=0),
}
estimates = {}
for name, learner in learners.items():
    learner.fit(X_train, y_train, treatment=t_train)
    estimates[name] = learner.predict(X_test)
    print(
        f"{name:18s} sqrt(PEHE) in {pehe(cate_train, learner.predict(X_train)):.3f}"
        f"  out {pehe(cate_test, estimates[name]):.3f}"
        f"  ATE error {ate_error(data.ate, learner.ate(X_test)):.3f}"
    )

# %%
# Estimated against true effects
# ------------------------------
# Each point is a held-out unit; a perfect learner puts every point on the diagonal.

fig, axes = plt.subplots(1, 4, figsize=(13, 3.4), sharex=True, sharey=True)
for ax, (name, tau) in zip(axes, estimates.items(), strict=True):
    ax.scatter(cate_test, tau, s=4, alpha=0.4)
    low, high = cate_test.min(), cate_test.max()
    ax.plot([low, high], [low, high], color="black", lw=1)
    ax.set_title(name)
    ax.set_xlabel("true effect")
axes[0].set_ylabel("estimated effect")
fig.tight_layout()

# %%
# What early stopping did
# -----------------------
# Every neural learner records the factual outcome loss of its held-out rows after each
# epoch (``validation_loss_curve_``) and keeps the weights of the best one
# (``best_validation_loss_``). Training runs in two phases -- Adam at
# ``learning_rate``, then at the smaller ``fine_tune_learning_rate`` from the best
# weights -- so a curve may restart from its best value part of the way along. CFR's
# loss weighs the two arms equally, so its curve is not on quite the same scale.

fig, ax = plt.subplots(figsize=(6, 3.4))
for name in ("TARNet", "CFR (Wasserstein)", "Dragonnet"):
    learner = learners[name]
    ax.plot(learner.validation_loss_curve_, label=f"{name} ({learner.n_iter_} epochs)")
ax.set_xlabel("epoch")
ax.set_ylabel("validation factual loss\n(standardised outcome)")
ax.set_yscale("log")
ax.legend()
fig.tight_layout()
plt.show()
