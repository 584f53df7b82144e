"""`--format junit`: one testcase per check, a failure per error finding."""

from __future__ import annotations

import re
from typing import TextIO
from xml.etree import ElementTree as ET

from .locations import plain_text


def to_junit(results, strict: bool = False) -> ET.Element:
    suites = ET.Element("testsuites", name="shapecheck")
    failures = sum(1 for r in results for f in (r.report.findings if r.report else []) if f.is_error or strict)
    errors = sum(r.report is None for r in results)
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="shapecheck",
        tests=str(len(results)),
        failures=str(failures),
        errors=str(errors),
        skipped="0",
    )
    for result in results:
        _testcase(suite, result, strict)
    return suites


def _testcase(suite: ET.Element, result, strict: bool) -> None:
    """A check's testcase: an error when it could not run, a failure per error finding (every
    finding with `strict`), the other findings and the suppressed ones as its output."""
    case = ET.SubElement(
        suite,
        "testcase",
        name=result.name,
        classname="shapecheck",
        time=f"{result.report.seconds:.3f}" if result.report else "0",
    )
    if result.report is None:
        error = ET.SubElement(case, "error", message=result.error or "", type="shapecheck")
        error.text = result.hint or ""
        return
    _findings_into(case, result.report, strict)


def _findings_into(case: ET.Element, report, strict: bool) -> None:
    for finding in report.findings:
        if finding.is_error or strict:
            failure = ET.SubElement(case, "failure", message=f"{finding.code}: {finding.message}", type=finding.code)
            where = f"{finding.location}\n" if finding.location else ""
            failure.text = where + plain_text(finding)
    out = [plain_text(f) for f in report.findings if not (f.is_error or strict)]
    if out or report.suppressed:
        system = ET.SubElement(case, "system-out")
        system.text = "\n\n".join(out + [f"suppressed {f.code}: {f.message}" for f in report.suppressed])


# Characters XML 1.0 does not allow, even escaped (most control characters).
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(tree: ET.Element) -> None:
    """Strip what model code or names may carry and XML cannot hold (ESC, NUL)."""
    for element in tree.iter():
        if element.text:
            element.text = _NOT_XML.sub("", element.text)
        for key, value in element.attrib.items():
            element.attrib[key] = _NOT_XML.sub("", value)


def render_results(results, stream: TextIO, *, strict: bool = False, **_: object) -> None:
    tree = to_junit(results, strict)
    _clean(tree)
    ET.indent(tree)
    stream.write('<?xml version="1.0" encoding="utf-8"?>\n')
    stream.write(ET.tostring(tree, encoding="unicode"))
    stream.write("\n")
