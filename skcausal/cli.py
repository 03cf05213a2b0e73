"""Command-line interface: ``skcausal demo`` and ``skcausal discover FILE.csv``.

``demo`` runs discovery and effect estimation on generated data with a known truth
and prints a short report. ``discover`` learns a graph from a CSV file whose header
names the variables and prints (or writes) its edges. Bad input ends with one clear
error line on stderr and exit status 2, never a traceback.
"""

import argparse
import csv
import math
import sys
import time

__all__ = ["main"]

_MISSING = {"", "na", "nan", "null", "none", "n/a", "?"}


class CLIError(Exception):
    """An error the user can fix; printed as one line without a traceback."""


def _discovery_methods():
    from skcausal import all_estimators

    return {name.lower(): cls for name, cls in all_estimators(type_filter="discovery")}


def read_csv(path):
    """Read a numeric CSV file with a header row.

    Returns ``(names, X)``. Raises :class:`CLIError` naming the file, row and column of
    the first missing or non-numeric value.
    """
    import numpy as np

    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise CLIError(f"cannot read {path!r}: {reason}") from None
    except csv.Error as exc:
        raise CLIError(f"{path!r} is not a valid CSV file: {exc}") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise CLIError(f"{path!r} is empty; expected a header row with variable names")
    names = [name.strip() for name in rows[0]]
    if len(names) < 2:
        raise CLIError(
            f"{path!r} has {len(names)} column(s); discovery needs at least 2"
        )
    if len(set(names)) != len(names):
        raise CLIError(f"{path!r} has duplicate column names in its header")
    data = rows[1:]
    if len(data) < 2:
        raise CLIError(
            f"{path!r} has n_samples={len(data)}; discovery needs at least 2"
        )
    X = np.empty((len(data), len(names)))
    for r, row in enumerate(data):
        line = r + 2  # 1-based, after the header
        if len(row) != len(names):
            raise CLIError(
                f"{path!r} line {line}: {len(row)} values, header has {len(names)}"
            )
        for c, cell in enumerate(row):
            text = cell.strip()
            if text.lower() in _MISSING:
                raise CLIError(
                    f"{path!r} line {line}, column {names[c]!r}: missing value; "
                    "remove or impute missing values first"
                )
            try:
                value = float(text)
            except ValueError:
                raise CLIError(
                    f"{path!r} line {line}, column {names[c]!r}: non-numeric value "
                    f"{text!r}; encode categorical columns as numbers first"
                ) from None
            if not math.isfinite(value):
                raise CLIError(
                    f"{path!r} line {line}, column {names[c]!r}: value {text!r} is not "
                    "finite"
                )
            X[r, c] = value
    return names, X


def _edges(adjacency, names):
    rows = []
    for i, j in zip(*adjacency.nonzero(), strict=True):
        rows.append((names[i], names[j], float(adjacency[i, j])))
    return rows


def _cmd_discover(args):
    methods = _discovery_methods()
    method = args.method.lower()
    if method not in methods:
        choices = ", ".join(sorted(methods))
        raise CLIError(f"unknown method {args.method!r}; choose one of {choices}")
    names, X = read_csv(args.file)
    estimator = methods[method]()
    params = {}
    if args.lambda1 is not None:
        params["lambda1"] = args.lambda1
    if args.w_threshold is not None:
        params["w_threshold"] = args.w_threshold
    if args.standardize:
        params["standardize"] = True
    unknown = set(params) - set(estimator.get_params())
    if unknown:
        raise CLIError(f"method {args.method!r} has no option(s) {sorted(unknown)}")
    estimator.set_params(**params)
    try:
        estimator.fit(X)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    edges = _edges(estimator.adjacency_matrix_, names)
    if args.output:
        try:
            with open(args.output, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["source", "target", "weight"])
                writer.writerows(edges)
        except OSError as exc:
            raise CLIError(f"cannot write {args.output!r}: {exc.strerror}") from None
        print(f"wrote {len(edges)} edges to {args.output}")
    else:
        print("source,target,weight")
        for source, target, weight in edges:
            print(f"{source},{target},{weight:.6g}")
    return 0


def _cmd_demo(args):
    import numpy as np

    from skcausal.datasets import make_linear_sem, make_treatment_data
    from skcausal.discovery import NOTEARS
    from skcausal.effects import TLearner
    from skcausal.metrics import ate_error, edge_metrics, pehe

    seed = args.seed
    print("skcausal demo: discovery and effect estimation with a known truth\n")

    d = 8
    X, W = make_linear_sem(
        n_samples=1000,
        n_nodes=d,
        graph_type="ER",
        edges_per_node=2.0,
        random_state=seed,
    )
    start = time.perf_counter()
    est = NOTEARS().fit(X)
    seconds = time.perf_counter() - start
    m = edge_metrics(W, est.adjacency_matrix_)
    names = [f"x{j}" for j in range(d)]
    true_edges = {(names[i], names[j]) for i, j in zip(*W.nonzero(), strict=True)}
    print(f"1. Discovery: NOTEARS on a linear Gaussian SEM (d={d}, n=1000)")
    print(
        f"   true edges {m['n_true']}, found {m['n_estimated']}, SHD {m['shd']}, "
        f"TPR {m['tpr']:.2f}, FDR {m['fdr']:.2f}  ({seconds:.1f} s)"
    )
    print("   edge     refitted weight (true)")
    for source, target, weight in _edges(est.coef_, names):
        status = "ok" if (source, target) in true_edges else "wrong"
        if (target, source) in true_edges:
            status = "reversed"
        j, i = names.index(target), names.index(source)
        print(f"   {source} -> {target}  {weight:+.2f} (true {W[i, j]:+.2f})  {status}")

    data = make_treatment_data(n_samples=2000, random_state=seed)
    t = data.treatment
    naive = data.y[t == 1].mean() - data.y[t == 0].mean()
    learner = TLearner(random_state=seed).fit(data.X, data.y, treatment=t)
    cate = learner.predict(data.X)
    print("\n2. Effects: T-learner on a confounded treatment problem (n=2000)")
    print(f"   true ATE {data.ate:.3f}; naive difference in means {naive:.3f}")
    print(
        f"   T-learner ATE {learner.ate(data.X):.3f} "
        f"(error {ate_error(data.ate, learner.ate(data.X)):.3f})"
    )
    print(
        f"   sqrt(PEHE) {pehe(data.cate, cate):.3f}  (std of true CATE "
        f"{np.std(data.cate):.3f})"
    )
    return 0


def build_parser():
    """Return the argument parser of the ``skcausal`` command."""
    from skcausal import __version__

    parser = argparse.ArgumentParser(
        prog="skcausal",
        description="Causal discovery and treatment-effect estimation "
        "(scikit-learn estimators).",
    )
    parser.add_argument(
        "--version", action="version", version=f"skcausal {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="discover a graph and estimate an effect on data with a known truth",
    )
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.set_defaults(func=_cmd_demo)

    disc = sub.add_parser(
        "discover",
        help="learn a causal graph from a CSV file (header = variable names)",
    )
    disc.add_argument("file", help="CSV file with a header row of variable names")
    disc.add_argument(
        "--method", default="notears", help="discovery method (default: notears)"
    )
    disc.add_argument(
        "--output", "-o", help="write edges as CSV (source,target,weight)"
    )
    disc.add_argument("--lambda1", type=float, help="L1 penalty strength")
    disc.add_argument("--w-threshold", type=float, help="edge weight threshold")
    disc.add_argument(
        "--standardize", action="store_true", help="standardise columns before fitting"
    )
    disc.set_defaults(func=_cmd_discover)
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except CLIError as exc:
        print(f"skcausal {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into a command that stopped reading
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:  # pragma: no cover
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
