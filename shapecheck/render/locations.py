"""Which findings point at a file in the user's repository (for CI annotations)."""

from __future__ import annotations

import os

from ..diagnose.findings import Finding
from ..trace.records import Location


def _in_repo(loc: Location | None) -> bool:
    return (
        loc is not None and not os.path.isabs(loc.file) and not loc.file.startswith("..") and os.path.isfile(loc.file)
    )


def repo_location(finding: Finding, report=None) -> Location | None:
    """Where the finding is in the user's repository (a file under the working directory).

    A layer defined inside an installed package (torchvision) has no line in the user's repo:
    then the line of the user's code that called or built the enclosing module, found through
    the report's trace; None when no user code is involved (a torchvision model by name).
    """
    if _in_repo(finding.location):
        return finding.location
    if report is None or finding.row is None:
        return None
    trace = report.trace
    row = trace.row(finding.row)
    for current in trace.ancestors(row) if row is not None else ():
        for loc in (current.called_at, current.defined_at):
            if _in_repo(loc):
                return loc
    return None


def plain_text(finding: Finding) -> str:
    """The finding as plain lines: message, why, notes, fixes."""
    lines = [f"{finding.severity}[{finding.code}]: {finding.message}"]
    lines += [f"why: {w}" for w in finding.why]
    lines += [f"note: {n}" for n in finding.notes]
    for fix in finding.fixes:
        state = " (verified)" if fix.verified else ""
        lines.append(f"help: {fix.description}{state}")
        if fix.after:
            lines.append(f"  {fix.after}")
        elif fix.code:
            lines += [f"  {c}" for c in fix.code.splitlines()]
    return "\n".join(lines)
