"""shapecheck: find and explain tensor shape mismatches in PyTorch models.

`check()` is imported lazily so that `import shapecheck` (and `--help`) do not import torch.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Report", "__version__", "assert_shapes", "check", "summary", "watch"]

# `pytest -p shapecheck` loads the plugin that adds a diagnosis to tests failing with a shape error.
pytest_plugins = ["shapecheck.pytest_plugin"]


def load_ipython_extension(ipython) -> None:
    """`%load_ext shapecheck`: a failing cell's shape error is diagnosed before its traceback."""
    from .live import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython) -> None:
    from .live import unload_ipython_extension as unload

    unload(ipython)


def __dir__() -> list[str]:
    """The lazily imported names too: `dir(shapecheck)` and completion show `check`, `summary`."""
    return sorted(set(globals()) | set(__all__))


def __getattr__(name: str):
    if name == "check":
        from .api import check

        return check
    if name == "summary":
        from .overview import summary

        return summary
    if name == "watch":
        from .live import watch

        return watch
    if name == "assert_shapes":
        from .testing import assert_shapes

        return assert_shapes
    if name == "Report":
        from .report import Report

        return Report
    raise AttributeError(f"module 'shapecheck' has no attribute {name!r}")
