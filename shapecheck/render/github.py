"""`--format github`: workflow commands, so findings show inline on a pull request."""

from __future__ import annotations

from typing import TextIO

from .locations import plain_text, repo_location


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _suggestion(finding) -> str:
    """The first verified line edit, as GitHub's suggested-change block."""
    from ..apply import edit_lines, edit_of

    for fix in finding.fixes:
        edit = edit_of(fix, finding.code)
        lines = edit_lines(edit) if edit is not None else None
        if lines is not None:
            return f"\n\nsuggested change ({fix.safety}, verified):\n```suggestion\n{lines[1]}\n```"
    return ""


def render_results(results, stream: TextIO, **_: object) -> None:
    for result in results:
        if result.report is None:
            stream.write(f"::error title={_prop('shapecheck: ' + result.name)}::{_data(result.error or '')}\n")
            continue
        for finding in result.report.findings:
            level = "error" if finding.is_error else "warning"
            props = []
            loc = repo_location(finding, result.report)
            if loc is not None:
                props += [f"file={_prop(loc.file)}", f"line={loc.line}"]
            props.append(f"title={_prop(finding.code + ' ' + result.name)}")
            stream.write(f"::{level} {','.join(props)}::{_data(plain_text(finding) + _suggestion(finding))}\n")
