"""Which findings point at a file in the user's repository (for CI annotations)."""

from __future__ import annotations

import os

from ..diagnose.findings import Finding
from ..trace.records import Location


def repo_location(finding: Finding) -> Location | None:
    """The finding's location if it is a file under the working directory, else None.

    A layer defined inside an installed package (torchvision) has no line in the user's repo.
    """
    loc = finding.location
    if loc is None or os.path.isabs(loc.file) or loc.file.startswith(".."):
        return None
    return loc if os.path.isfile(loc.file) else None


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
