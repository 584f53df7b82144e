"""What a rule sees: the trace, plus an optional way to trace again with changes.

Rules ask for re-runs with plain data (`Rerun`, `Edit`), so they stay testable without torch:
a test passes a fake runner that answers with hand-built traces.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..domain.records import AcceptedInputs
from ..trace.records import LayerRecord, TensorInfo, Trace
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


@dataclass
class Context:
    trace: Trace
    runner: Runner | None = None
    budget_s: float = 3.0  # time for all re-runs of one diagnosis
    boundaries: list = field(default_factory=list)  # filled by diagnose(): conv→linear boundaries
    domain: AcceptedInputs | None = None  # from --symbolic
    meta_runner: Runner | None = None  # re-runs on meta for dim provenance only (a real-engine trace)
    _spent: float = 0.0
    _cache: dict = field(default_factory=dict)

    @property
    def sample_dims(self) -> tuple[int, ...]:
        """Per-sample dims of the first input (without the batch dim)."""
        if not self.trace.inputs:
            return ()
        shape = self.trace.inputs[0].shape
        return shape[1:] if self.trace.batch is not None else shape

    def rerun(self, request: Rerun) -> Trace:
        """Trace again, cached and within the time budget (TimeoutError when it is spent)."""
        if self.runner is None:
            raise LookupError("no runner")
        if request not in self._cache:
            if self._spent > self.budget_s:
                raise TimeoutError("re-run budget spent")
            start = time.perf_counter()
            self._cache[request] = self.runner(request)
            self._spent += time.perf_counter() - start
        return self._cache[request]

    def probe_at(self, layer: LayerRecord, dims: tuple[int, ...]) -> list[TensorInfo] | None:
        """The inputs of `layer` when input 0 has these per-sample dims (None: failed before)."""
        return self.rerun(Rerun(dims=tuple(dims), stop=stop_for(layer))).probe_inputs

    def runs_at(self, dims: tuple[int, ...]) -> bool:
        return self.rerun(Rerun(dims=tuple(dims))).error is None
