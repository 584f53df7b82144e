"""`--format github`: workflow commands, so findings show inline on a pull request."""

from __future__ import annotations

from typing import TextIO

from .locations import plain_text, repo_location


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


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
            stream.write(f"::{level} {','.join(props)}::{_data(plain_text(finding))}\n")
