"""The result of one check: the trace, the diagnosis, and how they were made."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from .diagnose.findings import Diagnosis, Finding
from .domain.records import AcceptedInputs
from .trace.records import LayerRecord, TensorInfo, Trace

SCHEMA = "shapecheck/1"


@dataclass
class Report:
    model: str
    inputs: list[TensorInfo]
    engine: str
    trace: Trace
    diagnosis: Diagnosis
    engine_note: str | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    accepted: AcceptedInputs | None = None  # --symbolic: which input sizes the model runs with
    # sha256 of each file a fix edits, as the check read it (`snapshot`): --fix edits it only
    # while it still has these bytes
    sources: dict[str, str] = field(default_factory=dict)

    # How a report reads as plain text in IPython and Jupyter. render/text.py fills it in when
    # imported (api does, for every report it makes): the data never imports its renderer.
    as_text: ClassVar[Callable[[Report], str] | None] = None

    @property
    def findings(self) -> list[Finding]:
        return self.diagnosis.findings

    @property
    def suppressed(self) -> list[Finding]:
        return self.diagnosis.suppressed

    @property
    def layers(self) -> list[LayerRecord]:
        return self.trace.layers

    @property
    def errors(self) -> list[Finding]:
        return self.diagnosis.errors

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not self.errors

    def exit_code(self, strict: bool = False) -> int:
        if self.errors or (strict and self.warnings):
            return 1
        return 0

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        """In IPython and Jupyter, a report shows as its table and findings (plain text)."""
        as_text = type(self).as_text
        printer.text(as_text(self).rstrip("\n") if as_text is not None else repr(self))

    def layer(self, name: str) -> LayerRecord | None:
        """The first call of the module with this qualified name."""
        return next((r for r in self.layers if r.name == name and r.kind == "module"), None)


@dataclass
class CheckResult:
    """One check of a run: a report, or the usage/load error that stopped it (exit 2)."""

    name: str
    report: Report | None = None
    error: str | None = None
    hint: str | None = None
    detail: str | None = None  # lines below the error, e.g. the user's own traceback frames

    def exit_code(self, strict: bool = False) -> int:
        if self.report is None:
            return 2
        return self.report.exit_code(strict)


def run_exit_code(results: list[CheckResult], strict: bool = False) -> int:
    codes = [r.exit_code(strict) for r in results]
    return 2 if 2 in codes else max(codes, default=0)


@dataclass
class FailingCall:
    """An error raised outside any module: where, which call, and its tensor operands."""

    file: str
    line: int
    source: str
    call: str  # `F.cross_entropy`, or the source line's own text for a C op
    operands: list[tuple[str, tuple[int, ...], str]] = field(default_factory=list)  # (name, shape, dtype)


@dataclass
class LiveDiagnosis:
    """What shapecheck found about one exception (live.py): the error, where it was raised, and
    the report of checking the model it came from. render/live.py turns it into text."""

    error: str  # `RuntimeError: mat1 and mat2 shapes cannot be multiplied (...)`
    raised_at: str | None = None  # `train.py:14: loss = F.cross_entropy(out, y)`: the innermost frame of your code
    model: str | None = None  # the class that was checked
    report: Report | None = None  # the Report of checking it with the arguments it was called with
    call: FailingCall | None = None  # set when the error was raised outside any module
    link: str | None = None  # how the model's output reaches the failing call
    command: str | None = None  # `shapecheck model.py:Net --input 3x32x32 --batch 10`
    note: str | None = None  # why there is no report
    # what the message alone says (`explain`), at the user's line that raised: no model was checked
    finding: Finding | None = None
