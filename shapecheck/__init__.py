"""shapecheck: find and explain tensor shape mismatches in PyTorch models.

`check()` is imported lazily so that `import shapecheck` (and `--help`) do not import torch.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["check", "assert_shapes", "Report", "__version__"]


def __getattr__(name: str):
    if name == "check":
        from .api import check

        return check
    if name == "assert_shapes":
        from .testing import assert_shapes

        return assert_shapes
    if name == "Report":
        from .report import Report

        return Report
    raise AttributeError(f"module 'shapecheck' has no attribute {name!r}")
