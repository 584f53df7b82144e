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
    "html": "html",
}
FORMATS = tuple(_MODULES)


# Formats read by programs: a failed run still writes a whole document that carries the error.
MACHINE_FORMATS = ("json", "sarif", "junit")


def renderer(fmt: str) -> Callable:
    """The render function for a format name. Every format but `github` (which writes workflow
    commands on purpose) goes through `CommandFree`: names from a model or a checkpoint cannot
    make a CI runner read a line of the report as a command."""
    if fmt not in _MODULES:
        raise KeyError(fmt)
    render = importlib.import_module(f".{_MODULES[fmt]}", __name__).render_results
    if fmt == "github":
        return render

    def command_free(results, stream, **options):
        guarded = CommandFree(stream)
        try:
            render(results, guarded, **options)
        finally:
            guarded.close()

    return command_free


# What CI runners read as commands at the start of a line (after spaces): GitHub's `::error::`
# and older `##[error]`, Azure's `##vso[`.
_COMMAND_STARTS = ("::", "##[", "##vso[")


def neutralized(line: str) -> str:
    """The line, with a zero-width space after its first character where it would read as a
    CI command."""
    body = line.lstrip()
    if body.startswith(_COMMAND_STARTS):
        at = len(line) - len(body)
        return line[: at + 1] + "\u200b" + line[at + 1 :]
    return line


class CommandFree:
    """A stream that writes whole lines, each `neutralized`; other attributes (isatty,
    encoding) are the wrapped stream's, so colour detection works as before."""

    def __init__(self, stream):
        self._stream = stream
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        if lines:
            self._stream.write("".join(neutralized(line) + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        if self._pending:
            self._stream.write(neutralized(self._pending))
            self._pending = ""
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)
