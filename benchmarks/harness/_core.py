"""The four nouns of a benchmark: a problem, a case that generates it, a method, a
benchmark that ties cases, methods and a scorer together."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Problem:
    """One data set: what a method may see, and the truth that only the scorer sees.

    Parameters
    ----------
    data : dict
        Inputs handed to every method, e.g. ``{"X": X}`` or
        ``{"X": X, "y": y, "treatment": t, "X_test": X_test}``.
    truth : dict
        Ground truth for the scorer, e.g. ``{"adjacency": W}`` or ``{"cate": tau}``.
    """

    data: dict
    truth: dict


@dataclass(frozen=True)
class Case:
    """A named, parametrised family of problems; one problem per seed.

    Parameters
    ----------
    name : str
        Short unique label used in results and tables, e.g. ``"ER2 d=10"``.
    params : dict
        JSON-serialisable description of the generator settings (recorded as is).
    generate : callable
        ``generate(seed) -> Problem``; must be deterministic in ``seed``.
    seeds : sequence of int
        One problem is generated per seed and shared by all methods.
    family : str, default="main"
        Cases of one family share a table (for instance synthetic data vs IHDP).
    memory : bool, default=True
        Whether ``--memory`` measures this case's peaks (an extra traced fit per seed
        and method); False for many small problems where the peak says little.
    """

    name: str
    params: dict
    generate: Callable[[int], Problem]
    seeds: Sequence[int] = (0,)
    family: str = "main"
    memory: bool = True


@dataclass(frozen=True)
class Method:
    """An adapter that runs one implementation on a :class:`Problem`.

    The runner times ``fit`` and ``predict`` separately; ``predict`` turns the fitted
    object into what the scorer compares with the truth (an adjacency matrix, a
    vector of effects, ...).

    Parameters
    ----------
    name : str
        Row label, e.g. ``"gcastle Notears"``.
    library : str
        Distribution name on the package index (``"skcausal"``, ``"gcastle"``): its
        version is recorded and ``library == reference`` marks the baseline of ratios.
    group : str
        Methods of one group solve the same task and are compared with each other;
        time ratios are taken against the reference library's method of the group.
    fit : callable
        ``fit(data: dict, seed: int) -> fitted``; imports its library lazily.
    predict : callable
        ``predict(fitted, data: dict) -> output`` passed to the scorer.
    requires : tuple of str
        Modules imported before anything is timed: a missing one marks the method
        "not installed" and the heavy import cost stays out of the timings.
    notes : str
        Conventions worth knowing (orientation of adjacency, preprocessing, ...).
    """

    name: str
    library: str
    group: str
    fit: Callable[[dict, int], Any]
    predict: Callable[[Any, dict], Any]
    requires: tuple[str, ...] = ()
    notes: str = ""

    def check_available(self) -> str | None:
        """Import the required modules; return ``None`` or the reason it failed."""
        for module in self.requires:
            try:
                importlib.import_module(module)
            except ImportError as exc:
                return f"not installed ({module}: {exc})"
            except Exception as exc:  # a broken install is still "unavailable"
                return f"import failed ({module}: {type(exc).__name__}: {exc})"
        return None


@dataclass(frozen=True)
class Column:
    """A metric shown in the tables: key in the scorer's dict, header, format."""

    key: str
    label: str
    fmt: str = ".3f"
    spread: bool = True  # show mean ± sd over seeds (else the mean only)


@dataclass
class Benchmark:
    """Everything one script declares; the harness does the rest.

    Parameters
    ----------
    name : str
        File stem for results and tables (``results/<name>.json``).
    title : str
        Heading of the generated table.
    description : str
        One paragraph printed above the tables.
    make_cases : callable
        ``make_cases(quick: bool) -> list[Case]``, smallest first within a family
        (a peer that exceeds the time budget skips the later cases of the family).
    make_methods : callable
        ``make_methods() -> list[Method]``.
    score : callable
        ``score(problem, output) -> dict[str, float]``.
    columns : list of Column
        Metrics shown in the tables, in order.
    reference : str, default="skcausal"
        Library whose method is the denominator of time ratios.
    publish : bool, default=True
        Whether default outputs go to ``benchmarks/results`` and ``tables`` (read
        by the documentation); ``False`` sends them to the temp folder.
    budget_s : float or None, default=None
        Default of ``--budget``: a peer whose fit took longer than this on a case
        skips the later cases of the same family (the reference library's methods
        always run).
    """

    name: str
    title: str
    description: str
    make_cases: Callable[[bool], list[Case]]
    make_methods: Callable[[], list[Method]]
    score: Callable[[Problem, Any], dict]
    columns: list[Column] = field(default_factory=list)
    reference: str = "skcausal"
    budget_s: float | None = None
    publish: bool = True
