"""The command line: demo, discover, and one-line errors on bad files."""

import subprocess
import sys

import numpy as np
import pytest

from skcausal.cli import main
from skcausal.datasets import make_linear_sem


def _write_csv(path, header, rows):
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def chain_csv(tmp_path):
    chain = np.diag(np.ones(3), k=1)  # a -> b -> c -> d
    X, W = make_linear_sem(n_samples=500, adjacency=chain, random_state=3)
    header = ["a", "b", "c", "d"]
    return _write_csv(tmp_path / "data.csv", header, X.round(6).tolist()), W


def test_discover_prints_edges_of_the_graph(chain_csv, capsys):
    path, W = chain_csv
    assert main(["discover", str(path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "source,target,weight"
    names = ["a", "b", "c", "d"]
    found = {tuple(line.split(",")[:2]) for line in lines[1:]}
    true = {(names[i], names[j]) for i, j in zip(*W.nonzero(), strict=True)}
    # The chain is recovered exactly, directions included (equal noise variances).
    assert found == true == {("a", "b"), ("b", "c"), ("c", "d")}


def test_discover_writes_output_file(chain_csv, tmp_path, capsys):
    path, W = chain_csv
    out = tmp_path / "edges.csv"
    assert main(["discover", str(path), "--output", str(out)]) == 0
    rows = out.read_text().strip().splitlines()
    assert rows[0] == "source,target,weight"
    assert f"wrote {len(rows) - 1} edges to {out}" in capsys.readouterr().out
    # The file holds exactly the edges that are printed without --output.
    assert main(["discover", str(path)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert [r.split(",")[:2] for r in rows] == [p.split(",")[:2] for p in printed]


@pytest.mark.parametrize(
    "content, message",
    [
        ("a,b\n1,2\n3,x\n", "non-numeric value 'x'"),
        ("a,b\n1,2\n3,\n", "missing value"),
        ("a,b\n1,2\n3,NA\n", "missing value"),
        ("a\n1\n2\n", "at least 2"),
        ("a,b\n1,2\n", "n_samples=1"),
        ("", "empty"),
        ("a,b\n1,2\n3\n", "line 3"),
    ],
)
def test_discover_bad_files_give_one_error_line(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    assert main(["discover", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert message in err


def test_discover_missing_file(tmp_path, capsys):
    assert main(["discover", str(tmp_path / "nope.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_discover_unknown_method(chain_csv, capsys):
    path, _ = chain_csv
    assert main(["discover", str(path), "--method", "magic"]) == 2
    assert "unknown method 'magic'" in capsys.readouterr().err


def test_demo_reports_truth_and_estimates(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "SHD" in out and "true ATE" in out and "sqrt(PEHE)" in out


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().out


def test_module_entry_point_help():
    result = subprocess.run(
        [sys.executable, "-m", "skcausal", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "discover" in result.stdout and "demo" in result.stdout
