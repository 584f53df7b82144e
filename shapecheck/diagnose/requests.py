"""What rules ask a runner to trace again (`Rerun`, `Edit`): defined in trace.requests, which the
tracer reads, and named here so a rule imports all its vocabulary from diagnose."""

from ..trace.requests import SAME, Edit, EditAction, Rerun

__all__ = ["SAME", "Edit", "EditAction", "Rerun"]
