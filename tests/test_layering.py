"""Imports run down the pipeline: spec → loading → trace → diagnose → render, never back up.

A module may import from its own package and from any layer below its own; never from a layer
above, nor from another package on the same layer. Every import counts: at the top of a file,
inside a function, or under `TYPE_CHECKING` (a type named from above is still a dependency a
reader has to follow). When this test fails, move the thing imported down to where both sides
can see it, or hand it in as data; don't add an exception here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import shapecheck

PACKAGE = Path(shapecheck.__file__).parent

# Lowest first. A name is a subpackage (`trace`) or a top-level module (`report` is report.py);
# "" is the package's own __init__.py, which re-exports the public surface.
LAYERS: list[set[str]] = [
    {"errors", "words", "__version__"},  # words: the base of the typed vocabularies
    # snapshot: the user's files as a check read them; early: the answers given before torch;
    # threads: what a check changes for the whole process, under one lock
    {"spec", "config", "snapshot", "early", "threads"},
    {"trace"},  # what the model did, as plain data; the engines that record it
    {"saved", "domain"},  # saved models and checkpoints; symbolic input domains
    {"loading"},  # path → module → object
    {"diagnose"},  # rules over a trace: findings and fixes
    {"explain", "apply", "report", "options"},  # options: how to check one model (CheckOptions)
    {"diff", "call_input"},  # call_input: `run`'s fixes written on the user's calling line
    {"render"},  # reports into text, JSON, SARIF, HTML…: formatting only
    {"api", "wire"},
    {"worker", "live", "overview", "testing", "mcp_server"},
    {"pytest_plugin", "cli"},
    {"__main__", ""},
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _module_name(path: Path) -> str:
    parts = ["shapecheck", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every shapecheck module `path` imports (absolute names), with the line."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if node.module:
                found.append((target, node.lineno))
            else:  # `from . import x`: x is a submodule or a name of the package
                found += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]
    return [(t, line) for t, line in found if t == "shapecheck" or t.startswith("shapecheck.")]


def _group(module: str) -> str:
    """The layer name of a module: `shapecheck.trace.records` → `trace`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _edges() -> list[tuple[str, str, int]]:
    return [
        (_module_name(path), target, line) for path in sorted(PACKAGE.rglob("*.py")) for target, line in _imports(path)
    ]


def test_every_package_has_a_layer():
    groups = {_group(_module_name(p)) for p in PACKAGE.rglob("*.py")}
    assert groups <= set(RANK), f"give these a layer in LAYERS: {sorted(groups - set(RANK))}"


def test_imports_only_go_down_the_pipeline():
    against = [
        f"{source}:{line} imports {target}"
        for source, target, line in _edges()
        if _group(source) != _group(target) and RANK[_group(target)] >= RANK[_group(source)]
    ]
    assert not against, "imports against the flow:\n" + "\n".join(against)


def test_trace_reads_nothing_built_later():
    """The issue's rule in its own words: trace/ imports nothing from diagnose, render, api or saved."""
    later = {"diagnose", "render", "api", "saved"}
    against = [
        f"{source}:{line} imports {target}"
        for source, target, line in _edges()
        if _group(source) == "trace" and _group(target) in later
    ]
    assert not against, "\n".join(against)


def test_the_report_does_not_render_itself():
    against = [
        f"{source}:{line} imports {target}"
        for source, target, line in _edges()
        if source == "shapecheck.report" and _group(target) == "render"
    ]
    assert not against, "\n".join(against)


def test_relative_imports_resolve_as_python_does():
    """The walker itself: `from .meta import …` in trace/edits.py, `from ..x import …` two down."""
    assert "shapecheck.trace.meta" in {t for t, _ in _imports(PACKAGE / "trace" / "edits.py")}
    in_rules = {t for t, _ in _imports(PACKAGE / "diagnose" / "rules" / "common.py")}
    assert "shapecheck.trace.records" in in_rules and "shapecheck.diagnose.findings" in in_rules
