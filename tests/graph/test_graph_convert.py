"""Tests for skcausal.graph.to_networkx / from_networkx."""

import builtins

import numpy as np
import pytest

from skcausal.graph import from_networkx, is_dag, to_networkx

nx = pytest.importorskip("networkx")


def test_round_trip_weighted_with_names():
    rng = np.random.default_rng(0)
    W = np.triu(rng.normal(size=(5, 5)), k=1) * (rng.random((5, 5)) < 0.6)
    names = ["a", "b", "c", "d", "e"]
    G = to_networkx(W, feature_names=names)
    assert isinstance(G, nx.DiGraph)
    assert list(G.nodes) == names
    assert G.number_of_edges() == int((W != 0).sum())
    for i, j in zip(*np.nonzero(W), strict=True):
        assert G[names[i]][names[j]]["weight"] == W[i, j]
    assert nx.is_directed_acyclic_graph(G) == is_dag(W)
    back, back_names = from_networkx(G)
    np.testing.assert_array_equal(back, W)
    assert back_names == names


def test_default_integer_labels_and_isolated_nodes():
    A = np.zeros((4, 4))
    A[2, 0] = 1.0
    G = to_networkx(A)
    assert list(G.nodes) == [0, 1, 2, 3]
    assert list(G.edges(data="weight")) == [(2, 0, 1.0)]
    back, names = from_networkx(G)
    np.testing.assert_array_equal(back, A)
    assert names == [0, 1, 2, 3]


def test_cpdag_edges_both_ways():
    P = np.array([[0, 1], [1, 0]])
    G = to_networkx(P)
    assert G.has_edge(0, 1) and G.has_edge(1, 0)
    back, _ = from_networkx(nx.Graph([(0, 1)]))
    np.testing.assert_array_equal(back, P)


def test_from_networkx_default_weight_and_nodelist():
    G = nx.DiGraph()
    G.add_edge("x", "y")
    G.add_edge("y", "z", weight=-2.5)
    A, names = from_networkx(G, nodelist=["z", "y", "x"])
    assert names == ["z", "y", "x"]
    expected = np.zeros((3, 3))
    expected[2, 1] = 1.0
    expected[1, 0] = -2.5
    np.testing.assert_array_equal(A, expected)
    assert A.dtype == np.float64
    # a sub-list keeps only edges among the listed nodes
    A2, _ = from_networkx(G, nodelist=["x", "y"])
    np.testing.assert_array_equal(A2, [[0.0, 1.0], [0.0, 0.0]])


def test_errors():
    with pytest.raises(ValueError, match="feature_names"):
        to_networkx(np.zeros((2, 2)), feature_names=["a"])
    with pytest.raises(ValueError, match="distinct"):
        to_networkx(np.zeros((2, 2)), feature_names=["a", "a"])
    with pytest.raises(ValueError, match="square"):
        to_networkx(np.zeros((2, 3)))
    G = nx.DiGraph([(0, 1)])
    with pytest.raises(ValueError, match="not in the graph"):
        from_networkx(G, nodelist=[0, 5])
    with pytest.raises(ValueError, match="repeat"):
        from_networkx(G, nodelist=[0, 0])
    with pytest.raises(TypeError, match="networkx"):
        from_networkx(np.zeros((2, 2)))
    G.add_edge(1, 2, weight="heavy")
    with pytest.raises(ValueError, match="not a number"):
        from_networkx(G)


def test_missing_networkx_gives_install_hint(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "networkx" or name.startswith("networkx."):
            raise ImportError("No module named 'networkx'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match="pip install networkx"):
        to_networkx(np.zeros((2, 2)))
    with pytest.raises(ImportError, match="pip install networkx"):
        from_networkx(None)
