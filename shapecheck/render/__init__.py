"""Turn check results into text: one renderer per output format, one interface.

Each renderer is `render(results, stream, *, depth, color, strict)`; `results` is a list of
CheckResult (one for `shapecheck MODEL`, one per check for a config run).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

# format → module that renders it (imported lazily: machine formats need no rich)
_MODULES = {
    "table": "text",
    "json": "json",
    "github": "github",
    "sarif": "sarif",
    "junit": "junit",
    "markdown": "markdown",
}
FORMATS = tuple(_MODULES)


# Formats read by programs: a failed run still writes a whole document that carries the error.
MACHINE_FORMATS = ("json", "sarif", "junit")


def renderer(fmt: str) -> Callable:
    """The render function for a format name."""
    if fmt not in _MODULES:
        raise KeyError(fmt)
    return importlib.import_module(f".{_MODULES[fmt]}", __name__).render_results
