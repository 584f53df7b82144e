"""Suppression: `--ignore SC103`, `ignore = [...]` in config, `# shapecheck: ignore[SC103]` inline.

Suppressed findings are kept aside and counted, never dropped silently.
"""

from __future__ import annotations

import re

from ..trace.records import Trace
from .findings import Diagnosis, Finding
from .registry import CODES

_INLINE = re.compile(r"#\s*shapecheck:\s*ignore(?:\[([^\]]*)\])?", re.I)


def normalize(codes) -> set[str]:
    """Codes or rule names (`SC103`, `size-locked-head`) → codes. Unknown entries raise KeyError."""
    by_name = {info.name: code for code, info in CODES.items()}
    out = set()
    for entry in codes or ():
        key = str(entry).strip()
        if key.upper() in CODES:
            out.add(key.upper())
        elif key.lower() in by_name:
            out.add(by_name[key.lower()])
        else:
            raise KeyError(key)
    return out


def inline_codes(source: str) -> set[str] | None:
    """Codes named by a `# shapecheck: ignore[...]` comment; empty set = all; None = no comment."""
    match = _INLINE.search(source or "")
    if not match:
        return None
    if not match.group(1):
        return set()
    return {c.strip().upper() for c in match.group(1).split(",") if c.strip()}


def _sources(finding: Finding, trace: Trace) -> list[str]:
    out = [finding.location.source] if finding.location else []
    row = trace.row(finding.row) if finding.row is not None and finding.row < len(trace.layers) else None
    if row is not None:
        out += [loc.source for loc in (row.defined_at, row.called_at) if loc is not None]
    return out


def suppressed_by(finding: Finding, trace: Trace, ignore: set[str]) -> str | None:
    """Why the finding is suppressed ("--ignore", "inline comment"), or None."""
    if finding.code in ignore:
        return "ignore list"
    for source in _sources(finding, trace):
        codes = inline_codes(source)
        if codes is not None and (not codes or finding.code in codes):
            return "inline comment"
    return None


def apply(diagnosis: Diagnosis, trace: Trace, ignore: set[str]) -> Diagnosis:
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for finding in diagnosis.findings:
        (suppressed if suppressed_by(finding, trace, ignore) else kept).append(finding)
    diagnosis.findings = kept
    diagnosis.suppressed = suppressed
    return diagnosis
