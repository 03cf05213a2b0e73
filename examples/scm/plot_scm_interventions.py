"""
================================================================
Seeing, doing and imagining with a structural causal model
================================================================

Ice-cream sales and drownings rise and fall together, yet banning ice cream would
save nobody: both follow the temperature. A regression cannot tell these apart; a
structural causal model -- a causal graph plus one fitted mechanism per node -- can.
We simulate the story, fit a :class:`~skcausal.scm.StructuralCausalModel` on the
known graph, and climb Pearl's three rungs: association (*seeing*), intervention
(*doing*, ``do(X = x)``) and counterfactuals (*imagining*: what would have happened
on one particular day had it been cooler).

Graphs follow the package convention: ``A[i, j] != 0`` means the edge ``i -> j``.
"""

# %%
# Simulate the world
# ------------------
# The temperature drives ice-cream sales and the number of swimmers; swimmers drive
# drownings. The mechanisms are nonlinear, each with its own additive noise.

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor

from skcausal.scm import StructuralCausalModel

rng = np.random.default_rng(0)
n = 2000
temperature = rng.normal(22, 6, size=n)
ice_cream = 20 + 3 * np.maximum(temperature - 10, 0) + rng.normal(0, 5, size=n)
swimmers = 100 / (1 + np.exp(-(temperature - 24) / 3)) + rng.normal(0, 5, size=n)
drownings = 0.05 * swimmers + rng.normal(0, 0.5, size=n)
data = pd.DataFrame(
    {
        "temperature": temperature,
        "ice_cream": ice_cream,
        "swimmers": swimmers,
        "drownings": drownings,
    }
)
print(data.corr().round(2))

# %%
# Fit the structural causal model
# -------------------------------
# We give the graph as an adjacency matrix over the columns (a ``networkx.DiGraph``
# or an unfitted discovery estimator such as ``NOTEARS()`` would do as well). Each
# node with parents gets a gradient-boosting regressor; the residuals of the fits are
# kept as the noise distribution, and the root keeps its empirical distribution.

graph = np.zeros((4, 4))
graph[0, 1] = graph[0, 2] = graph[2, 3] = 1  # temperature -> ice_cream, swimmers
scm = StructuralCausalModel(
    graph, mechanisms=GradientBoostingRegressor(max_depth=3), random_state=0
).fit(data)
print(f"mean log-likelihood per day: {scm.score(data):.2f}")

# %%
# Rung 1 -- seeing
# ----------------
# :meth:`~skcausal.scm.StructuralCausalModel.sample` draws new days from the fitted
# joint distribution. They reproduce the data, including the strong association
# between ice cream and drownings.

simulated = scm.sample(n_samples=2000)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained", sharey=True)
for ax, values, title in (
    (axes[0], data.to_numpy(), "data"),
    (axes[1], simulated, "SCM samples"),
):
    ax.scatter(values[:, 1], values[:, 3], s=4, alpha=0.4)
    ax.set_title(title)
    ax.set_xlabel("ice-cream sales")
axes[0].set_ylabel("drownings")
plt.show()

# %%
# Rung 2 -- doing
# ---------------
# The regression slope of drownings on ice-cream sales is clearly positive. Under the
# intervention ``do(ice_cream = v)`` -- setting sales by decree, which cuts the
# arrow from the temperature -- the expected number of drownings does not move.
# Setting the number of swimmers, in contrast, does change it.

slope = np.polyfit(data["ice_cream"], data["drownings"], 1)[0]
print(f"observational slope of drownings on ice cream: {slope:.3f} per unit")

ice_grid = np.linspace(30, 110, 9)
swim_grid = np.linspace(0, 100, 9)
do_ice = [
    scm.interventional_mean("drownings", {"ice_cream": v}, n_samples=2000)
    for v in ice_grid
]
do_swim = [
    scm.interventional_mean("drownings", {"swimmers": v}, n_samples=2000)
    for v in swim_grid
]
effect = scm.average_causal_effect("ice_cream", "drownings", values=(40, 100))
print(f"E[drownings | do(ice_cream=100)] - E[... | do(ice_cream=40)] = {effect:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained", sharey=True)
axes[0].scatter(data["ice_cream"], data["drownings"], s=3, alpha=0.2, label="data")
axes[0].plot(ice_grid, do_ice, "o-", color="C3", label="E[drownings | do(ice cream)]")
axes[0].set_xlabel("ice-cream sales")
axes[0].set_ylabel("drownings")
axes[0].legend(loc="upper left")
axes[1].scatter(data["swimmers"], data["drownings"], s=3, alpha=0.2, label="data")
axes[1].plot(swim_grid, do_swim, "o-", color="C3", label="E[drownings | do(swimmers)]")
axes[1].set_xlabel("swimmers")
axes[1].legend(loc="upper left")
plt.show()

# %%
# Rung 3 -- imagining
# -------------------
# Take the hottest day in the data. Had it been 10 degrees cooler, how many swimmers
# and drownings would there have been *on that day*? A counterfactual keeps the
# day's own circumstances -- its noise terms, recovered from the observation
# (abduction) -- changes the temperature (action) and recomputes its consequences
# (prediction). A day that had more swimmers than its temperature explains keeps
# that surplus in the counterfactual world.

hottest = data.iloc[[int(np.argmax(data["temperature"]))]]
cooler = scm.counterfactual(
    hottest, {"temperature": hottest["temperature"].iloc[0] - 10}
)
table = pd.DataFrame(
    np.vstack([hottest.to_numpy(), cooler]),
    columns=data.columns,
    index=["observed", "had it been 10 degrees cooler"],
)
print(table.round(1))

# %%
# The same question for every day: the counterfactual drop in swimmers depends on how
# hot the day was, because the mechanism is an S-shaped curve of the temperature.

every_day = scm.counterfactual(data, {"temperature": data["temperature"] - 10})
fig, ax = plt.subplots(figsize=(5, 3.6), layout="constrained")
ax.scatter(data["temperature"], every_day[:, 2] - data["swimmers"], s=4, alpha=0.4)
ax.set_xlabel("observed temperature")
ax.set_ylabel("change in swimmers, 10 degrees cooler")
plt.show()

# %%
# Take-away
# ---------
# Associations answer "what do I expect to see?", interventions "what happens if I
# act?", and counterfactuals "what would have happened in this very case?". The
# structural causal model answers all three from one fitted object -- as long as the
# graph is right. When it is not known, pass a discovery estimator as ``graph`` and
# check the learned ``adjacency_matrix_`` before trusting the answers.
