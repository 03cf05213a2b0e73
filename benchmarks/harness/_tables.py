"""Turn a results JSON into the markdown tables that the documentation includes."""

from __future__ import annotations

import statistics
from pathlib import Path

from benchmarks.harness._runner import load_results


def _fmt_time(seconds: float) -> str:
    if seconds >= 100:
        return f"{seconds:.0f}"
    if seconds >= 10:
        return f"{seconds:.1f}"
    if seconds >= 0.01:
        return f"{seconds:#.3g}"
    return f"{seconds:.2g}"


def _fmt_ratio(ratio: float) -> str:
    if ratio < 1:
        return f"{ratio:.2f}×"
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:.0f}×"


def _fmt_metric(values: list[float], fmt: str, spread: bool) -> str:
    values = [v for v in values if isinstance(v, (int, float))]
    if not values:
        return "–"
    mean = statistics.fmean(values)
    if spread and len(values) > 1:
        return f"{mean:{fmt}} ± {statistics.stdev(values):{fmt}}"
    return f"{mean:{fmt}}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _median_fit(runs: list[dict]) -> float | None:
    times = [r["fit_s"] for r in runs if r["status"] == "ok"]
    return statistics.median(times) if times else None


def _method_cells(runs, columns, is_reference, reference_time, memory) -> list[str]:
    """Runs, time, ratio, (peak memory) and metric cells of one method on one case."""
    good = [r for r in runs if r["status"] == "ok"]
    seeds = {r["seed"] for r in runs}
    good_seeds = {r["seed"] for r in good}
    count = str(len(good_seeds))
    cells = [count if good_seeds == seeds else f"{count}/{len(seeds)}"]
    if not good:
        error = next(r["error"] for r in runs if r["status"] == "error")
        return cells + [f"failed: {error[:60]}", ""] + [""] * (len(columns) + memory)
    time = _median_fit(good)
    cells.append(_fmt_time(time))
    if is_reference:
        cells.append("1")
    elif reference_time:
        cells.append(_fmt_ratio(time / reference_time))
    else:
        cells.append("–")
    if memory:
        peaks = [r["peak_mb"] for r in good if r.get("peak_mb") is not None]
        cells.append(f"{max(peaks):.0f}" if peaks else "–")
    first = [r for r in good if r["repeat"] == 0] or good  # metrics once per seed
    for column in columns:
        values = [r["metrics"].get(column["key"]) for r in first]
        cells.append(_fmt_metric(values, column["fmt"], column["spread"]))
    return cells


def _family_table(results: dict, family: str) -> list[str]:
    reference = results["reference"]
    cases = [c for c in results["cases"] if c["family"] == family]
    case_names = {c["name"] for c in cases}
    runs = [r for r in results["runs"] if r["case"] in case_names]
    present = {key for r in runs if r["status"] == "ok" for key in r["metrics"]}
    columns = [c for c in results["columns"] if c["key"] in present]
    methods = [m for m in results["methods"] if m["status"] == "ok"]
    groups = list(dict.fromkeys(m["group"] for m in methods))
    over_budget = {
        entry["method"]: entry
        for entry in results.get("over_budget", [])
        if entry["family"] == family
    }
    order = [c["name"] for c in results["cases"]]

    memory = any(r.get("peak_mb") is not None for r in runs)  # --memory measured it
    header = ["Case", "Method", "Runs", "Fit time (s)", "Time ratio"]
    header += ["Peak memory (MiB)"] * memory + [c["label"] for c in columns]
    lines = [_row(header), _row(["---"] * 2 + ["---:"] * (len(header) - 2))]
    for case in cases:
        for group in groups:
            members = [m for m in methods if m["group"] == group]
            members.sort(key=lambda m: m["library"] != reference)  # reference first
            by_method = {
                m["name"]: [
                    r
                    for r in runs
                    if r["case"] == case["name"] and r["method"] == m["name"]
                ]
                for m in members
            }
            # the group's first method of the reference library is the baseline;
            # further variants of it (other settings) get a ratio like the peers
            baseline = next((m for m in members if m["library"] == reference), None)
            reference_time = baseline and _median_fit(by_method[baseline["name"]])
            for m in members:
                cells = [case["name"], m["name"]]
                mine = by_method[m["name"]]
                if mine:
                    cells += _method_cells(
                        mine, columns, m is baseline, reference_time, memory
                    )
                elif m["name"] in over_budget:
                    entry = over_budget[m["name"]]
                    if order.index(case["name"]) <= order.index(entry["after_case"]):
                        continue
                    reason = (
                        f"skipped: a fit took > {entry['budget_s']:g} s "
                        f"on {entry['after_case']}"
                    )
                    cells += ["0", reason, ""] + [""] * (len(columns) + memory)
                else:
                    continue  # method filtered out of this run (--only)
                lines.append(_row(cells))
    return lines


def _environment_lines(results: dict) -> list[str]:
    machine = results["machine"]
    blas = machine.get("blas")
    if isinstance(blas, list):
        described = []
        for pool in blas:
            name = " ".join(
                str(pool[key])
                for key in ("internal_api", "version", "architecture")
                if pool.get(key)
            )
            threads = pool.get("num_threads")
            described.append(f"{name} ({threads} thread{'s' * (threads != 1)})")
        blas = ", ".join(dict.fromkeys(described))
    libraries = sorted({m["library"] for m in results["methods"]} | {"numpy"})
    versions = ", ".join(
        f"{name} {results['versions'].get(name) or 'not installed'}"
        for name in ["skcausal", *[n for n in libraries if n != "skcausal"]]
    )
    commit = results["git"].get("commit")
    if commit:
        dirty = results["git"].get("dirty")
        commit = commit[:10] + (" with uncommitted changes" if dirty else "")
    return [
        f"- Run: {results['created']}, {results['mode']} mode, "
        f"{results['duration_s']} s in total, commit {commit or 'unknown'}",
        f"- Machine: {machine['cpu']}, {machine['cpu_usable']} usable cores, "
        f"{machine['memory']}, Python {machine['python']}",
        f"- BLAS / OpenMP: {blas or 'unknown'}",
        f"- Versions: {versions}",
    ]


def render_markdown(results: dict) -> str:
    """Markdown for one results dict: environment, one table per case family."""
    source = f"results/{results['benchmark']}"
    source += "_quick.json" if results["mode"] == "quick" else ".json"
    out = [
        f"<!-- generated from benchmarks/{source} by "
        "`python -m benchmarks.run table`; do not edit -->",
        "",
        f"### {results['title']}",
        "",
        results["description"],
        "",
        *_environment_lines(results),
        "",
    ]
    if not results.get("complete", True):
        out += ["**Partial results: the run did not finish.**", ""]
    families = list(dict.fromkeys(c["family"] for c in results["cases"]))
    for family in families:
        if len(families) > 1:
            out += [f"#### {family}", ""]
        out += [*_family_table(results, family), ""]
    notes = [
        "Fit time is the median over seeds and repeats; *time ratio* is that median "
        f"divided by the first {results['reference']} method of the same group on the "
        f"same case (above 1: slower than it). Accuracy is the mean ± standard "
        "deviation over seeds.",
    ]
    if any(r.get("peak_mb") is not None for r in results["runs"]):
        notes.append(
            "Peak memory (a --memory run) is the largest tracemalloc peak of one "
            "fit + predict over the seeds, measured apart from the timed runs: Python "
            "and numpy allocations, not memory that C/C++ libraries allocate on their "
            "own (BLAS workspaces, XLA), so a lower bound for such libraries."
        )
    missing = [m for m in results["methods"] if m["status"] != "ok"]
    if missing:
        notes.append(
            "Not run: "
            + "; ".join(f"{m['name']} — {m['status'].split(' (')[0]}" for m in missing)
            + "."
        )
    for m in results["methods"]:
        if m["notes"]:
            notes.append(f"{m['name']}: {m['notes']}")
    out += [f"- {note}" for note in notes]
    return "\n".join(out) + "\n"


def write_table(results: dict | str | Path, path: str | Path) -> Path:
    """Write the markdown for ``results`` (a dict or a JSON path) to ``path``."""
    if not isinstance(results, dict):
        results = load_results(results)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(results))
    return path
