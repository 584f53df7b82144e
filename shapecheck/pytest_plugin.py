"""pytest plugin: a test that fails with a shape error gets shapecheck's diagnosis as a report
section. Opt in with `pytest -p shapecheck` (or `addopts = "-p shapecheck"` in the ini file)."""

from __future__ import annotations

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is None or report.passed:
        return
    from .live import describe

    text = describe(call.excinfo.value)
    if text:
        report.sections.append(("shapecheck", text))
