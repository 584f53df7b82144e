"""The rule registry is the one list of rules: the docs table, the docs sections and SARIF's help
links are checked against it, so adding a rule cannot leave a count, a row or an anchor behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import shapecheck.diagnose  # noqa: F401 - registers every rule
from shapecheck.diagnose.registry import CODES
from shapecheck.render.sarif import HOME, _rules

ROOT = Path(__file__).resolve().parent.parent
RULES_PAGE = "docs/rules.md"


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub writes it: lower case, punctuation dropped, spaces to `-`."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page: str) -> set[str]:
    text = (ROOT / page).read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)  # a `# comment` in a block is no heading
    return {_slug(m) for m in re.findall(r"^#+ (.+)$", text, flags=re.M)}


def _table() -> list[list[str]]:
    """The rows of the code table at the top of docs/rules.md, cells stripped."""
    text = (ROOT / RULES_PAGE).read_text(encoding="utf-8")
    rows = re.findall(r"^\| (SC\d{3}) \|(.*)\|$", text, flags=re.M)
    return [[code, *(cell.strip() for cell in rest.split(" | "))] for code, rest in rows]


def _row(info) -> str:
    """A table row for a rule, to paste and then say more in its fourth cell."""
    page = "" if info.page == RULES_PAGE else Path(info.page).name
    return f"| {info.code} | {info.name} | {info.severity} | {info.summary} | [example]({page}#{info.anchor}) |"


@pytest.mark.parametrize("code", list(CODES))
def test_every_rule_has_its_section(code):
    info = CODES[code]
    assert info.anchor in _anchors(info.page), f"{info.page} has no `### {code} {info.name}` section"


def test_codes_run_on_without_a_gap():
    """Codes are handed out in order and never reused: a retired one stays listed as removed."""
    numbers = [int(code[2:]) for code in CODES]
    assert numbers == list(range(100, 100 + len(CODES)))


def test_the_docs_table_lists_the_registry():
    table = _table()
    missing = [code for code in CODES if code not in {row[0] for row in table}]
    assert not missing, "add to the table in docs/rules.md:\n" + "\n".join(_row(CODES[code]) for code in missing)
    assert [row[0] for row in table] == list(CODES)
    for code, name, level, _finds, example in table:
        info = CODES[code]
        assert name == info.name, code
        # The first level is the rule's own (@rule); a second is what some findings use.
        assert level.split(" / ")[0] == info.severity, code
        page = "" if info.page == RULES_PAGE else Path(info.page).name
        assert example == f"[example]({page}#{info.anchor})", code


def test_sarif_help_links_point_at_the_sections():
    for entry in _rules():
        info = CODES[entry["id"]]
        assert entry["helpUri"] == f"{HOME}/blob/main/{info.page}#{info.anchor}"
        assert info.anchor in _anchors(info.page)


def test_a_finding_takes_its_code_and_severity_from_the_rule():
    from helpers import TraceBuilder

    from shapecheck.diagnose.context import Context
    from shapecheck.diagnose.findings import Severity
    from shapecheck.diagnose.registry import CHECKS
    from shapecheck.saved.records import CheckpointReport

    b = TraceBuilder((1, 20))
    b.module("fc", "Linear", (1, 10), {"in_features": 20, "out_features": 10})
    ctx = Context(b.trace, checkpoint=CheckpointReport("ck.pt", {"fc.weight": (10, 20)}, {"fc.weight": (5, 20)}))
    with pytest.raises(RuntimeError):
        ctx.finding("fc", "made outside a rule")  # no rule is running: no code to give it
    (finding,) = CHECKS["SC110"](ctx)
    assert (finding.code, finding.severity) == ("SC110", Severity.ERROR) and ctx.rule is None


def test_the_readme_names_the_range_of_codes():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    last = list(CODES)[-1]
    assert f"(`SC100`–`{last}`)" in text, f"README.md should say the codes run SC100–{last}"
