"""Turn a Report into text: one renderer per output format."""

from __future__ import annotations

from typing import Callable


def renderer(fmt: str) -> Callable:
    """The render function for a format name (imported lazily: json needs no rich)."""
    if fmt == "table":
        from .text import render
    elif fmt == "json":
        from .json import render
    else:
        raise KeyError(fmt)
    return render


FORMATS = ("table", "json")
