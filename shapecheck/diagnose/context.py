"""What a rule sees: the trace, plus an optional way to trace again with changes.

Rules ask for re-runs with plain data (`Rerun`, `Edit`), so they stay testable without torch:
a test passes a fake runner that answers with hand-built traces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..domain.records import AcceptedInputs
from ..saved.records import CheckpointReport
from ..trace.budget import DEFAULT_RERUN_S, MAX_RERUNS, RerunsSpent, SafetyCap, cap_seconds
from ..trace.records import LayerRecord, TensorInfo, Trace
from .findings import Finding, Severity
from .registry import RuleInfo
from .requests import SAME, Edit, Rerun  # noqa: F401

Runner = Callable[[Rerun], Trace]


def stop_for(row: LayerRecord) -> tuple:
    if row.kind == "op":
        loc = row.called_at
        return ("op", row.type, loc.file if loc else "", loc.line if loc else 0, row.call)
    return ("module", row.name, row.call)


def op_site(row: LayerRecord) -> str:
    loc = row.called_at
    return f"{row.type}@{loc.file if loc else ''}:{loc.line if loc else 0}"


class RerunFailed(LookupError):
    """A re-run raised: the model code at another size, or with a fix applied, ended in an exception
    the tracer does not record (a BaseException such as SystemExit, an error applying an edit).
    A LookupError, like a request no runner can make: a probe that could not run says nothing,
    and every rule already reads it so."""

    def __init__(self, error: BaseException):
        super().__init__(f"{type(error).__name__}: {error}")
        self.error = error


@dataclass
class Context:
    trace: Trace
    runner: Runner | None = None
    budget_s: float = DEFAULT_RERUN_S  # deprecated: re-runs are counted; 10× this is the safety cap alone
    boundaries: list = field(default_factory=list)  # filled by diagnose(): conv→linear boundaries
    domain: AcceptedInputs | None = None  # from --symbolic
    meta_runner: Runner | None = None  # re-runs on meta for dim provenance only (a real-engine trace)
    max_reruns: int = MAX_RERUNS  # uncached re-runs this diagnosis may make (its rules and its fixes)
    cap: SafetyCap | None = None  # CPU-time cap, shared with the diagnoses nested in this one
    checkpoint: CheckpointReport | None = None  # from --weights: the shapes SC110 compares
    rule: RuleInfo | None = None  # the rule whose check is running (set by @rule)
    _used: int = 0  # re-runs made, against max_reruns
    _cache: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.cap is None:
            self.cap = SafetyCap(cap_seconds(self.budget_s), "the re-runs that check fixes and probe sizes")

    @property
    def sample_dims(self) -> tuple[int, ...]:
        """Per-sample dims of the first input (without the batch dim)."""
        if not self.trace.inputs:
            return ()
        shape = self.trace.inputs[0].shape
        return shape[1:] if self.trace.batch is not None else shape

    def rerun(self, request: Rerun) -> Trace:
        """Trace again, cached and counted: RerunsSpent past `max_reruns` re-runs, CapReached past
        the safety cap (both TimeoutErrors). A runner that raises (model code at another size, an
        edit that cannot be applied: anything but KeyboardInterrupt) raises RerunFailed, a
        LookupError, and the failure is cached like a trace."""
        if self.runner is None:
            raise LookupError("no runner")
        return self._run(self.runner, request, request)

    def take(self) -> None:
        """Count one re-run against the budget (RerunsSpent when spent, CapReached at the cap)."""
        assert self.cap is not None  # set in __post_init__
        self.cap.check()
        if self._used >= self.max_reruns:
            raise RerunsSpent(f"the re-run budget ({self.max_reruns} re-traces) is spent")
        self._used += 1

    def _run(self, runner: Runner, request: Rerun, key) -> Trace:
        if key not in self._cache:
            self.take()
            try:
                self._cache[key] = runner(request)
            except KeyboardInterrupt:
                raise
            except LookupError as exc:
                if not isinstance(exc, RerunFailed):
                    self._used -= 1  # the request cannot be expressed (a structure of inputs): nothing ran
                    raise
                self._cache[key] = exc
            except BaseException as exc:  # model code may raise anything, SystemExit included
                self._cache[key] = RerunFailed(exc)
        found = self._cache[key]
        if isinstance(found, RerunFailed):
            raise found
        return found

    @property
    def cap_reached(self) -> bool:
        return self.cap is not None and self.cap.reached

    def finding(self, layer: str, message: str, **details) -> Finding:
        """A finding of the rule that is running: its code and severity are the ones its `@rule`
        registered. `details` are Finding's other fields (location, row, why, labels, notes, fixes)."""
        if self.rule is None or self.rule.severity is None:
            raise RuntimeError("ctx.finding() makes a finding of a rule's check, called as registered by @rule")
        return Finding(self.rule.code, Severity(self.rule.severity), layer, message, **details)

    def probe_at(self, layer: LayerRecord, dims: tuple[int, ...]) -> list[TensorInfo] | None:
        """The inputs of `layer` when input 0 has these per-sample dims (None: failed before)."""
        return self.rerun(Rerun(dims=tuple(dims), stop=stop_for(layer))).probe_inputs

    def runs_at(self, dims: tuple[int, ...]) -> bool:
        return self.rerun(Rerun(dims=tuple(dims))).error is None
