"""What diagnosis returns: findings with fixes, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..trace.records import Location
from ..words import Word
from .requests import Rerun


class Severity(Word):
    """How bad a finding is: an error fails the check (exit 1), a warning only with --strict."""

    ERROR = "error"
    WARNING = "warning"


class Safety(Word):
    """How safe a fix is to apply (`--fix` applies safe ones; `--unsafe-fixes` the unsafe too)."""

    SAFE = "safe"  # only the shape changes as intended; checkpoints still load
    UNSAFE = "unsafe"  # parameters or state-dict keys change: existing checkpoints no longer load
    DISPLAY_ONLY = "display-only"  # holds a placeholder the user must fill in


class FixKind(Word):
    """What a fix changes: the model's code, or how the check is run. Set where the fix is made,
    so that no one has to read its `code` to know."""

    EDIT = "edit"  # the model's source: a line to change or code to write
    INPUT = "input"  # the input given (`--input`, with `--batch` when the batch moves)
    OPTION = "option"  # another setting of the check (`--batch`, `--arg`)


ERROR, WARNING = Severity.ERROR, Severity.WARNING
SAFE, UNSAFE, DISPLAY_ONLY = Safety.SAFE, Safety.UNSAFE, Safety.DISPLAY_ONLY


@dataclass
class Fix:
    description: str
    code: str = ""
    safety: Safety = UNSAFE
    location: Location | None = None  # the line the fix applies to
    before: str | None = None  # for one-line edits: the line as written …
    after: str | None = None  # … and as it should read
    rerun: Rerun | None = None  # the same change, applied to a copy of the model or its input
    verified: bool | None = None  # None: not checked (see check_note)
    result_shape: tuple[int, ...] | None = None  # the model's output shape with the fix applied
    check_note: str | None = None  # why it could not be checked, or what the check found
    # The fix runs, but breaks an intent invariant (diagnose.intent): what follows "runs, but", as
    # `output has lost the batch dim`. Such a fix is never verified (verified is False).
    runs_but: str | None = None
    imports: list[str] = field(default_factory=list)  # import lines the file needs for this code
    # Constructor arguments to build the model with instead, as (key, value) pairs: the fix is
    # `--arg key=value` (SC110: the checkpoint's num_classes), checked by building it so.
    build_args: tuple[tuple[str, object], ...] = ()
    steps: list[Fix] = field(default_factory=list)  # a chain: the fixes applied one after another
    kind: FixKind = FixKind.EDIT

    def __post_init__(self) -> None:
        self.safety = Safety(self.safety)  # a word from a worker's report, or a typo: ValueError
        self.kind = FixKind(self.kind)


def line_fix(
    description: str,
    location: Location | None,
    source: str,
    after: str | None,
    fallback: str,
    rerun: Rerun | None = None,
    safety: Safety = SAFE,
) -> Fix:
    """A one-line edit: `after` replaces the line `source` at `location` when the edit could be
    written on it; otherwise `fallback` says what to change."""
    return Fix(
        description=description,
        code=after or fallback,
        safety=safety,
        location=location,
        before=source if after else None,
        after=after,
        rerun=rerun,
    )


@dataclass
class Label:
    """A secondary pointer: the row that produced the shape ("from `features`")."""

    layer: str
    message: str
    location: Location | None = None


@dataclass
class Finding:
    code: str
    severity: Severity
    layer: str  # qualified name of the failing or flagged row
    message: str  # stands on its own: lower case, no trailing period
    location: Location | None = None
    row: int | None = None  # index of the row in the trace
    why: list[str] = field(default_factory=list)  # each line explains a number
    labels: list[Label] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.severity = Severity(self.severity)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass
class Diagnosis:
    findings: list[Finding] = field(default_factory=list)
    ok_rows: list[int] = field(default_factory=list)  # conv→linear boundaries that are fine
    suppressed: list[Finding] = field(default_factory=list)  # by --ignore, config or inline comment
    notes: list[str] = field(default_factory=list)  # for the report: a search stopped at its safety cap

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]
