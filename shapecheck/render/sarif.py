"""`--format sarif`: SARIF 2.1.0, one rule per code and one result per finding."""

from __future__ import annotations

import importlib
import json
from typing import TextIO
from urllib.parse import quote

from .. import __version__
from ..diagnose.registry import CODES
from .locations import plain_text, repo_location

HOME = "https://github.com/shapecheck/shapecheck"


def _rules() -> list[dict]:
    from ..diagnose.registry import CHECKS

    rules = []
    for code, info in CODES.items():
        doc = ""
        if code in CHECKS:
            doc = importlib.import_module(CHECKS[code].__module__).__doc__ or ""
        rules.append(
            {
                "id": code,
                "name": info.name,
                "shortDescription": {"text": info.summary},
                "fullDescription": {"text": info.summary},
                "help": {"text": "\n".join(doc.strip().splitlines()[1:]).strip() or info.summary},
                "helpUri": f"{HOME}/blob/main/{info.doc}",
                "defaultConfiguration": {"level": "warning" if info.severity == "warning" else "error"},
                "properties": {"status": info.status},
            }
        )
    return rules


def _sarif_fixes(finding) -> list[dict]:
    """Verified line edits of the user's files, as SARIF fix objects: one replacement per
    edited line (a chain of edits is one fix), with the new text."""
    from ..apply import edit_lines, edits_of

    out = []
    for fix in finding.fixes:
        changes: dict[str, list[dict]] = {}
        edits = edits_of(fix, finding.code)
        for edit in edits:
            lines = edit_lines(edit)
            if lines is None:
                changes = {}
                break
            old, new = lines
            changes.setdefault(edit.file, []).append(
                {
                    "deletedRegion": {
                        "startLine": edit.line,
                        "startColumn": 1,
                        "endLine": edit.line,
                        "endColumn": len(old) + 1,
                    },
                    "insertedContent": {"text": new},
                }
            )
        if not changes:
            continue
        out.append(
            {
                "description": {"text": f"{fix.description} [{fix.safety}, verified]"},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": quote(path.replace("\\", "/")), "uriBaseId": "%SRCROOT%"},
                        "replacements": replacements,
                    }
                    for path, replacements in changes.items()
                ],
            }
        )
    return out


def _sarif_result(finding, result, rule_index: int) -> dict:
    """One finding as a SARIF result: its rule, level and message, where it is in the
    repository, and its verified fixes."""
    entry: dict = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": "error" if finding.is_error else "warning",
        "message": {"text": plain_text(finding)},
        "properties": {"check": result.name, "layer": finding.layer},
    }
    loc = repo_location(finding, result.report)
    if loc is not None:  # a file of the repository, relative to its root, as a URI
        entry["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(loc.file.replace("\\", "/")), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": loc.line, "snippet": {"text": loc.source}},
                }
            }
        ]
    fixes = _sarif_fixes(finding)
    if fixes:
        entry["fixes"] = fixes
    return entry


def to_sarif(results) -> dict:
    rules = _rules()
    index = {r["id"]: i for i, r in enumerate(rules)}
    out = [
        _sarif_result(finding, result, index[finding.code])
        for result in results
        if result.report is not None
        for finding in result.report.findings
    ]
    invocations = [
        {
            "executionSuccessful": all(r.report is not None for r in results),
            "toolExecutionNotifications": [
                {"level": "error", "message": {"text": f"{r.name}: {r.error}" + (f" ({r.hint})" if r.hint else "")}}
                for r in results
                if r.report is None
            ],
        }
    ]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "shapecheck", "version": __version__, "informationUri": HOME, "rules": rules}
                },
                "invocations": invocations,
                "results": out,
            }
        ],
    }


def render_results(results, stream: TextIO, **_: object) -> None:
    json.dump(to_sarif(results), stream, indent=2)
    stream.write("\n")
