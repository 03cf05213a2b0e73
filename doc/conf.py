"""Sphinx configuration for the skcausal documentation.

Build locally (warnings are errors, as in CI)::

    sphinx-build -W --keep-going -b html doc doc/_build/html

The API reference is generated from the numpydoc docstrings (autosummary writes one
page per object into ``doc/generated/``), the gallery is built by sphinx-gallery from
``examples/`` into ``doc/auto_examples/`` and the benchmarks page is assembled from the
markdown tables in ``benchmarks/tables/`` when they exist. All three output folders are
git-ignored. No extension fetches anything over the network at build time.
"""

import importlib
import pkgutil
import re
import sys
from pathlib import Path

import matplotlib
import scipy.linalg  # noqa: F401  (loads scipy's BLAS; see threadpool_limits below)
from threadpoolctl import threadpool_limits

matplotlib.use("agg")  # headless: the gallery renders figures without a display

DOC_DIR = Path(__file__).resolve().parent
REPO_DIR = DOC_DIR.parent
# Import the package from the working tree, not from a stale installed copy.
sys.path.insert(0, str(REPO_DIR))

import skcausal

# The gallery runs in this process. Its problems are tiny (10 x 10 matrices), where
# multi-threaded BLAS only adds synchronisation cost; on a busy 2-core machine,
# spinning OpenBLAS threads made the discovery example 8x slower. One thread keeps the
# build fast and its timings stable; it changes no result. threadpoolctl limits only
# the libraries already loaded, hence the scipy.linalg import above.
threadpool_limits(limits=1, user_api="blas")

# -- Project information -----------------------------------------------------------

project = "skcausal"
author = "The skcausal developers"
copyright = "The skcausal developers, BSD-3-Clause"
release = skcausal.__version__
version = re.sub(r"(\.dev\d*|rc\d*|a\d*|b\d*)$", "", release)

# -- General configuration ---------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "_templates", "Thumbs.db", ".DS_Store"]
root_doc = "index"
# Single back-quotes in docstrings (`x`) render as inline code, as in scikit-learn.
default_role = "literal"

# -- autodoc / autosummary -----------------------------------------------------------

autosummary_generate = True
autosummary_imported_members = False
# numpydoc's Parameters sections carry the types; repeating the hints in every
# signature would only add noise.
autodoc_typehints = "none"
autodoc_member_order = "groupwise"

# -- numpydoc ------------------------------------------------------------------------

# The class template (``_templates/autosummary/class.rst``) lists the members through
# autodoc; numpydoc's own member tables would document each one twice.
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- sphinx-gallery ------------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "subsection_order": [
        "../examples/discovery",
        "../examples/effects",
        "../examples/scm",
        "../examples/feature_selection",
    ],
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "image_scrapers": ("matplotlib",),
    "remove_config_comments": True,
    "show_memory": False,
    # Back-references: each API page lists the gallery examples that use the object.
    "doc_module": ("skcausal",),
    "backreferences_dir": "generated/backreferences",
    # Link names in example code to the local API pages only (no remote inventories).
    "reference_url": {"skcausal": None},
}

# -- HTML output ---------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skcausal {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
html_show_sourcelink = True

# -- Hooks ---------------------------------------------------------------------------

# Class pages document what skcausal defines (including its own mixins' methods) and
# leave out the members inherited from scikit-learn (``get_params``, ``set_params``,
# ``set_output``, ``get_metadata_routing``, ...): they behave as in scikit-learn and
# their docstrings point to labels of scikit-learn's own documentation, which do not
# exist here. scikit-learn also attaches ``set_{method}_request`` methods to every
# estimator that declares metadata requests; skcausal declares the requests on the
# class, so users never call them (the user guide explains routing instead).
_SKIPPED_MEMBER = re.compile(r"^set_\w+_request$")


def _defining_module(obj):
    for candidate in (obj, getattr(obj, "fget", None), getattr(obj, "__func__", None)):
        module = getattr(candidate, "__module__", None)
        if isinstance(module, str):
            return module
    return ""


def _skip_member(app, what, name, obj, skip, options):
    if what != "class":
        return None
    if _SKIPPED_MEMBER.match(name) or _defining_module(obj).startswith("sklearn."):
        return True
    return None


# ---- benchmark tables: markdown (benchmarks/tables/*.md) -> reStructuredText -------

BENCH_TABLES = REPO_DIR / "benchmarks" / "tables"
BENCH_INCLUDE = DOC_DIR / "generated" / "benchmark_tables.inc"

_INLINE = re.compile(
    r"(?P<code>`[^`]+`)"
    r"|(?P<link>\[[^\]]+\]\([^)\s]+\))"
    r"|(?P<strong>\*\*[^*]+\*\*)"
    r"|(?P<em>(?<![\w*])\*[^*\s](?:[^*]*[^*\s])?\*(?![\w*]))"
)
_SPECIAL = re.compile(r"([\\*_`|\[\]<>])")


def _escape(text):
    """Escape the characters that reStructuredText would read as markup."""
    return _SPECIAL.sub(r"\\\1", text)


def _inline(text):
    """Markdown inline text (code, links, bold) to safe reStructuredText."""
    out = []
    pos = 0
    for match in _INLINE.finditer(text):
        out.append(_escape(text[pos : match.start()]))
        token = match.group(0)
        if match.group("code"):
            out.append(r"\ ``" + token[1:-1].strip() + r"``\ ")
        elif match.group("link"):
            label, url = token[1:-1].split("](", 1)
            out.append(r"\ `" + _escape(label) + " <" + url + r">`__\ ")
        elif match.group("strong"):
            out.append(r"\ **" + _escape(token[2:-2]) + r"**\ ")
        else:
            out.append(r"\ *" + _escape(token[1:-1]) + r"*\ ")
        pos = match.end()
    out.append(_escape(text[pos:]))
    result = "".join(out).strip()
    # Drop the escaped space left dangling after markup that ends the text.
    if result.endswith(("``\\", "*\\", "`__\\")):
        result = result[:-1]
    return result


def _table_cells(line):
    cells = line.strip()
    cells = cells[1:] if cells.startswith("|") else cells
    cells = cells[:-1] if cells.endswith("|") and not cells.endswith("\\|") else cells
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", cells)]


def _is_separator(line):
    cell = r"\s*:?-+:?\s*"
    return "|" in line and bool(re.fullmatch(rf"\|?{cell}(\|{cell})*\|?", line.strip()))


def _list_table(rows):
    width = len(rows[0])  # the header row fixes the number of columns
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in rows:
        if len(row) > width:
            row = row[: width - 1] + [" | ".join(row[width - 1 :])]
        row = row + [""] * (width - len(row))
        for k, cell in enumerate(row):
            prefix = "   * - " if k == 0 else "     - "
            content = _inline(cell)
            # "\ " stops a cell such as "1." from being read as a list.
            lines.append((prefix + r"\ " + content) if content else prefix.rstrip())
    lines.append("")
    return lines


def _heading(text, char):
    title = _inline(text) or "Results"
    return [title, char * max(len(title), 3), ""]


def _markdown_to_rst(markdown, fallback_title):
    """Convert one benchmark markdown file to reStructuredText.

    Handles what the benchmark scripts write: headings, paragraphs, bullet lists,
    fenced code blocks and pipe tables. Everything else is kept as escaped text.
    """
    # HTML comments (such as "generated by ..." notes) are not for the reader.
    lines = re.sub(r"<!--.*?-->", "", markdown, flags=re.S).splitlines()
    out = []
    first_heading = None
    for line in lines:
        heading = re.match(r"^(#+)\s+(.*)$", line)
        if heading:
            first_heading = heading.group(2).strip()
            break
    out += _heading(first_heading or fallback_title, "-")
    used_first = first_heading is None
    k = 0
    while k < len(lines):
        line = lines[k]
        heading = re.match(r"^(#+)\s+(.*)$", line)
        if line.strip().startswith("```"):
            block = []
            k += 1
            while k < len(lines) and not lines[k].strip().startswith("```"):
                block.append(lines[k])
                k += 1
            k += 1
            if any(b.strip() for b in block):
                out += [".. code-block:: text", ""]
                out += ["   " + b if b.strip() else "" for b in block]
                out.append("")
            continue
        if heading:
            if not used_first and heading.group(2).strip() == first_heading:
                used_first = True
            else:
                out += _heading(heading.group(2).strip(), "~")
            k += 1
            continue
        if (
            "|" in line
            and k + 1 < len(lines)
            and _is_separator(lines[k + 1])
            and not _is_separator(line)
        ):
            rows = [_table_cells(line)]
            k += 2
            while k < len(lines) and "|" in lines[k] and lines[k].strip():
                rows.append(_table_cells(lines[k]))
                k += 1
            out += _list_table(rows)
            continue
        bullet = re.match(r"^\s*[-*+]\s+(.*)$", line)
        if bullet:
            out += ["- " + _inline(bullet.group(1))]
            if k + 1 >= len(lines) or not re.match(r"^\s*[-*+]\s+", lines[k + 1]):
                out.append("")
            k += 1
            continue
        if line.strip():
            out.append(r"\ " + _inline(line))
            if k + 1 >= len(lines) or not lines[k + 1].strip():
                out.append("")
        else:
            out.append("")
        k += 1
    return "\n".join(out) + "\n"


def _write_benchmark_tables(app=None):
    """Write ``doc/generated/benchmark_tables.inc`` from ``benchmarks/tables/*.md``."""
    tables = sorted(BENCH_TABLES.glob("*.md")) if BENCH_TABLES.is_dir() else []
    # A quick (smoke-test) table is shown only while its full run has no table yet.
    stems = {path.stem for path in tables}
    tables = [
        path
        for path in tables
        if not (path.stem.endswith("_quick") and path.stem[: -len("_quick")] in stems)
    ]
    parts = []
    for path in tables:
        title = path.stem.replace("_", " ").replace("-", " ").capitalize()
        parts.append(_markdown_to_rst(path.read_text(encoding="utf-8"), title))
    if not parts:
        parts = [
            ".. note::\n\n"
            "   No results yet: run the benchmark scripts in ``benchmarks/`` to write\n"
            "   the tables to ``benchmarks/tables/``; the next documentation build\n"
            "   shows them here.\n"
        ]
    text = "\n".join(parts)
    BENCH_INCLUDE.parent.mkdir(parents=True, exist_ok=True)
    # Rewrite only on change so an unchanged page is not rebuilt.
    if not BENCH_INCLUDE.exists() or BENCH_INCLUDE.read_text("utf-8") != text:
        BENCH_INCLUDE.write_text(text, encoding="utf-8")


# ---- API coverage: every public name must appear in api.rst ----------------------


def _documented_names(api_rst):
    """``{module: {names}}`` listed in autosummary tables of ``api.rst``."""
    documented = {}
    module = None
    in_table = False
    for line in api_rst.read_text(encoding="utf-8").splitlines():
        current = re.match(r"^\.\. currentmodule::\s*(\S+)", line)
        if current:
            module = current.group(1)
            in_table = False
        elif line.startswith(".. autosummary::"):
            in_table = True
        elif in_table and re.match(r"^\s+[A-Za-z_][\w.]*\s*$", line) and module:
            documented.setdefault(module, set()).add(line.strip())
        elif in_table and line.strip() and not line.startswith(" "):
            in_table = False
    return documented


def _check_api_coverage(app):
    """Warn about public names (``__all__``) that ``api.rst`` does not list."""
    from sphinx.util import logging

    logger = logging.getLogger("skcausal.api_coverage")
    api_rst = DOC_DIR / "api.rst"
    documented = _documented_names(api_rst)
    packages = ["skcausal"] + [
        f"skcausal.{info.name}"
        for info in pkgutil.iter_modules(skcausal.__path__)
        if info.ispkg and not info.name.startswith("_")
    ]
    for package in packages:
        try:
            module = importlib.import_module(package)
        except ImportError:
            continue  # autodoc reports the failed import where it is used
        for name in getattr(module, "__all__", []):
            if name.startswith("__") or name in documented.get(package, set()):
                continue
            logger.warning(
                "%s.%s is public (listed in __all__) but missing from api.rst",
                package,
                name,
                location="api",
            )


def setup(app):
    # A public function or class without an API page fails the (-W) build.
    app.connect("builder-inited", _check_api_coverage)
    app.connect("autodoc-skip-member", _skip_member)
    # Sphinx records the include as a dependency of benchmarks.rst, so the page is
    # re-read whenever the generated tables change.
    app.connect("builder-inited", _write_benchmark_tables)
