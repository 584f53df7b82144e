"""What a rule sees: the trace, plus an optional way to re-trace at other input sizes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from ..trace.records import LayerRecord, TensorInfo, Trace

# probe(layer, dims) → the layer's inputs when input 0 has these per-sample dims,
# or None when the trace fails before reaching the layer.
Probe = Callable[[LayerRecord, tuple[int, ...]], "list[TensorInfo] | None"]


@dataclass
class Context:
    trace: Trace
    probe: Probe | None = None
    budget_s: float = 2.0  # probing time for the whole diagnosis
    boundaries: list = field(default_factory=list)  # filled by diagnose(): conv→linear boundaries
    _spent: float = 0.0
    _cache: dict = field(default_factory=dict)

    @property
    def sample_dims(self) -> tuple[int, ...]:
        """Per-sample dims of the first input (without the batch dim)."""
        if not self.trace.inputs:
            return ()
        shape = self.trace.inputs[0].shape
        return shape[1:] if self.trace.batch is not None else shape

    def probe_at(self, layer: LayerRecord, dims: tuple[int, ...]) -> list[TensorInfo] | None:
        """Probe with a cache and a time budget; raises TimeoutError when the budget is spent."""
        if self.probe is None:
            raise LookupError("no probe")
        key = (layer.index, dims)
        if key not in self._cache:
            if self._spent > self.budget_s:
                raise TimeoutError("probe budget spent")
            start = time.perf_counter()
            self._cache[key] = self.probe(layer, dims)
            self._spent += time.perf_counter() - start
        return self._cache[key]
