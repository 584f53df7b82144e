"""Turn check results into text: one renderer per output format, one interface.

Each renderer is `render(results, stream, *, depth, color, strict)`; `results` is a list of
CheckResult (one for `shapecheck MODEL`, one per check for a config run).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO, cast

from .escape import CommandFree, neutralized

# format → module that renders it (imported lazily: machine formats need no rich)
_MODULES = {
    "table": "text",
    "json": "json",
    "github": "github",
    "sarif": "sarif",
    "junit": "junit",
    "markdown": "markdown",
    "html": "html",
}
FORMATS = tuple(_MODULES)
__all__ = ["FORMATS", "MACHINE_FORMATS", "CommandFree", "guarded", "neutralized", "renderer"]


# Formats read by programs: a failed run still writes a whole document that carries the error.
MACHINE_FORMATS = ("json", "sarif", "junit")
# How each format breaks a CI command in its output: the JSON and XML ones with their own
# escapes, so the document still holds the same names (`escape.BREAKS`).
_KIND = {"json": "json", "sarif": "json", "junit": "xml", "html": "xml"}


def renderer(fmt: str) -> Callable:
    """The render function for a format name. Its output goes through `CommandFree`: names
    from a model or a checkpoint cannot make a CI runner read a line of the report as a command
    (`github`, which writes workflow commands on purpose, keeps the ones at its line starts),
    and every character can be written."""
    if fmt not in _MODULES:
        raise KeyError(fmt)
    render = importlib.import_module(f".{_MODULES[fmt]}", __name__).render_results

    def command_free(results, stream, **options):
        with guarded(stream, line_starts=fmt != "github", kind=_KIND.get(fmt, "text")) as safe:
            render(results, safe, **options)

    return command_free


@contextmanager
def guarded(stream, line_starts: bool = True, kind: str = "text") -> Iterator[TextIO]:
    """`stream` as a CommandFree (a stream to the renderers), its last line written when the
    block ends."""
    safe = CommandFree(stream, line_starts=line_starts, kind=kind)
    try:
        yield cast(TextIO, safe)
    finally:
        safe.close()
