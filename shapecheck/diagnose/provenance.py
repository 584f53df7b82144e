"""Dim provenance: which input dim each dim of each recorded tensor follows.

The model is traced again (on meta: free) once with another batch size and once for each
per-sample dim of each input, that dim doubled and nothing else changed. A dim of a recorded
tensor *follows* a source (the batch, or input i's per-sample dim j) when its size changes
with that source alone; it follows nothing when no change moves it (a constructor value: a
channel count, a head size). Doubling, not adding, keeps sizes that must divide (by 32 in a
U-Net, by a patch size in a ViT) divisible, and since each source changes alone, two dims
that happen to be equal (H = W = 32, a batch of 1 and a channel of 1) are told apart.

Rows are matched by what identifies a call (a module and its call number, an op's line and
occurrence), not by position, so a model whose structure changes with the input size simply has
fewer matched rows; a re-run that fails early answers for the
rows before its failure. Rules ask `ProvenanceMap` and stay testable on hand-built traces.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..trace.records import LayerRecord, Trace, call_key
from .context import Context
from .requests import Rerun

BATCH = "batch"
PROVENANCE_RERUNS = 32  # re-runs of one provenance map: the batch, then each per-sample dim of each input


_KEYED: dict[int, tuple[list, int, dict]] = {}  # id(trace) → (its rows, their count, rows by call_key)


def matching_row(other: Trace, row: LayerRecord) -> LayerRecord | None:
    """`other`'s row for the same call as `row` (a trace of the same model at other sizes), by
    `call_key`: at the same position when nothing moved, else looked up."""
    if row.index < len(other.layers) and call_key(other.layers[row.index]) == call_key(row):
        return other.layers[row.index]
    cached = _KEYED.get(id(other))
    if cached is None or cached[0] is not other.layers or cached[1] != len(other.layers):
        table: dict = {}
        for r in other.layers:
            table.setdefault(call_key(r), r)
        if len(_KEYED) >= 16:
            _KEYED.clear()
        cached = _KEYED[id(other)] = (other.layers, len(other.layers), table)
    return cached[2].get(call_key(row))


def source_name(input_index: int, dim: int, inputs: int) -> str:
    """`batch`, `dim 2` (of the only input), or `input 1 dim 0`; dims counted per sample."""
    return f"dim {dim}" if inputs == 1 else f"input {input_index} dim {dim}"


@dataclass(frozen=True)
class Change:
    """One source, and the trace where only it changed."""

    source: str
    before: int  # its size in the traced run
    after: int  # its size in `trace`
    trace: Trace


class ProvenanceMap:
    """Which sources each dim of a row's tensors follows."""

    def __init__(self, trace: Trace, changes: list[Change]):
        self.trace = trace
        self.changes = changes

    @property
    def sources(self) -> list[str]:
        return [c.source for c in self.changes]

    def twin(self, change: Change, row: LayerRecord) -> LayerRecord | None:
        """The row in the trace where only `change` changed, when it is the same call."""
        other = self.same_call(change, row)
        if other is None or (other.status != "ok" and row.status == "ok"):
            return None
        return other

    @staticmethod
    def same_call(change: Change, row: LayerRecord) -> LayerRecord | None:
        """The row at `row`'s place in the trace of `change` when it is the same call, failed or not."""
        return matching_row(change.trace, row)

    def sample_twins(self, row: LayerRecord):
        """(change, the same call there) for each re-run where a per-sample dim changed (not the
        batch), failed or not."""
        for change in self.changes:
            if change.source == BATCH:
                continue
            other = self.same_call(change, row)
            if other is not None:
                yield change, other

    def dims(
        self, row: LayerRecord, side: str = "outputs", index: int = 0, failed: bool = False
    ) -> list[frozenset[str]] | None:
        """For each dim of the row's `side` tensor `index`, the sources it follows; None when
        no re-run matched this row (then nothing is known). With `failed`, a re-run where this
        row raised answers for its inputs too (a layer built for the traced size fails at others)."""
        tensors = getattr(row, side)
        if index >= len(tensors):
            return None
        base = tensors[index]
        follows: list[set[str]] = [set() for _ in base.shape]
        known = False
        for change in self.changes:
            twin = self.same_call(change, row) if failed and side == "inputs" else self.twin(change, row)
            other_list = getattr(twin, side) if twin is not None else []
            if index >= len(other_list) or other_list[index].rank != base.rank:
                continue
            known = True
            for d, (x, y) in enumerate(zip(base.shape, other_list[index].shape, strict=True)):
                if x != y:
                    follows[d].add(change.source)
        return [frozenset(f) for f in follows] if known else None

    def batch_dims(
        self, row: LayerRecord, side: str = "outputs", index: int = 0, ones: bool = False
    ) -> list[int] | None:
        """The dims that follow the batch and nothing else. With `ones`, also those that follow
        the batch and sources of size 1 in the traced run: a size-1 dim broadcast against the
        batch (`[B] * [B, 1]`) follows both once that dim is doubled, and is the batch here."""
        dims = self.dims(row, side, index)
        if dims is None or BATCH not in self.sources:
            return None
        single = {c.source for c in self.changes if c.before == 1} if ones else set()
        return [d for d, f in enumerate(dims) if BATCH in f and f <= {BATCH} | single]

    def follows_exactly(self, row: LayerRecord, dim: int, source: str, side: str = "outputs", index: int = 0) -> bool:
        """The dim is that source's size itself (not a multiple or a part of it) in every re-run
        that changed it."""
        tensors = getattr(row, side)
        change = next((c for c in self.changes if c.source == source), None)
        twin = self.twin(change, row) if change else None
        if change is None or twin is None or index >= len(tensors) or index >= len(getattr(twin, side)):
            return False
        a, b = tensors[index], getattr(twin, side)[index]
        if a.rank != b.rank or dim >= a.rank:
            return False
        return a.shape[dim] == change.before and b.shape[dim] == change.after

    def describe(self, row: LayerRecord, side: str = "outputs", index: int = 0) -> str | None:
        """`[batch, 8 (fixed), dim 1, dim 2]`: each dim by what it follows."""
        dims = self.dims(row, side, index)
        if dims is None:
            return None
        shape = getattr(row, side)[index].shape
        parts = []
        for size, follows in zip(shape, dims, strict=True):
            if not follows:
                parts.append(f"{size} (fixed)")
            else:
                parts.append(f"{size} ({' × '.join(sorted(follows, key=_order))})")
        return "[" + ", ".join(parts) + "]"


def _order(source: str) -> tuple:
    return (source != BATCH, source)


def provenance(ctx: Context) -> ProvenanceMap | None:
    """The provenance map of the context's trace (cached), or None without a runner."""
    cached = ctx._cache.get("provenance")
    if cached is not None:
        return cached
    trace = ctx.trace
    if (ctx.runner is None and ctx.meta_runner is None) or trace.image_list or not trace.inputs:
        return None
    changes: list[Change] = []
    # Its own count, not the fixes': at most PROVENANCE_RERUNS re-runs, and they are not charged
    # to the budget that verifies fixes.
    used_before = ctx._used
    if trace.batch is not None:
        batch = trace.batch
        other = _try(ctx, Rerun(batch=batch + 2))  # the same request as roles.twin: one cached run
        if other is not None:
            changes.append(Change(BATCH, batch, other.batch or 0, other))
    changes += _doubled_dims(ctx, _per_sample(trace))
    ctx._used = used_before
    result = ProvenanceMap(trace, changes)
    ctx._cache["provenance"] = result
    return result


def _doubled_dims(ctx: Context, specs) -> list[Change]:
    """Each per-sample dim of each input doubled in turn, at most PROVENANCE_RERUNS - 1 of them:
    the traces at the doubled sizes."""
    changes: list[Change] = []
    runs = 1
    for i, dims in enumerate(specs):
        for j, size in enumerate(dims):
            if size < 1:
                continue
            if runs >= PROVENANCE_RERUNS:
                break
            runs += 1
            wider = tuple(d * 2 if k == j else d for k, d in enumerate(dims))
            request = Rerun(dims=wider) if i == 0 else Rerun(other_dims=((i, wider),))
            other = _try(ctx, request)
            if other is not None:
                changes.append(Change(source_name(i, j, len(specs)), size, size * 2, other))
    return changes


def _per_sample(trace: Trace) -> list[tuple[int, ...]]:
    out = []
    for t in trace.inputs:
        shape = tuple(t.shape)
        out.append(shape[1:] if trace.batch is not None and shape else shape)
    return out


def rerun_any(ctx: Context, request: Rerun) -> Trace:
    """A re-run by the context's runner, or on meta by its meta runner for a trace the real
    engine made (cached and counted alike)."""
    if ctx.runner is not None:
        return ctx.rerun(request)
    if ctx.meta_runner is None:
        raise LookupError("no runner")
    return ctx._run(ctx.meta_runner, request, ("provenance", request))


def _try(ctx: Context, request: Rerun) -> Trace | None:
    try:
        return rerun_any(ctx, request)
    except (LookupError, TimeoutError, ValueError):
        return None
    except Exception:  # a re-run of model code at another size: its failure is not ours
        return None


def regrouped(before: tuple[int, ...], after: tuple[int, ...]) -> tuple[list[int], list[int]] | None:
    """For a view/reshape from `before` to `after`: the first group of input dims and output
    dims that the reshape mixes (neither one output dim made of whole input dims, nor one input
    dim split into output dims), as (input dims, output dims); None when every dim of the
    output is whole input dims merged, or an input dim split. Dims of size 1 are left out."""
    ins = [(d, s) for d, s in enumerate(before) if s != 1]
    outs = [(d, s) for d, s in enumerate(after) if s != 1]
    i = o = 0
    while i < len(ins) and o < len(outs):
        group_in, group_out = [ins[i]], [outs[o]]
        a, b = ins[i][1], outs[o][1]
        i += 1
        o += 1
        while a != b:
            if a < b:
                if i >= len(ins):
                    return None
                group_in.append(ins[i])
                a *= ins[i][1]
                i += 1
            else:
                if o >= len(outs):
                    return None
                group_out.append(outs[o])
                b *= outs[o][1]
                o += 1
        if len(group_in) > 1 and len(group_out) > 1:
            return [d for d, _ in group_in], [d for d, _ in group_out]
    return None


def misplaced(
    before: tuple[int, ...],
    after: tuple[int, ...],
    ins: list[int],
    outs: list[int],
    follows_in: list[frozenset[str]] | None = None,
    follows_out: list[frozenset[str]] | None = None,
) -> tuple[int, list[int]] | None:
    """In a group `regrouped` found: an output dim that looks like input dims of the group (the
    same size, and following the same input dims when that is known) but sits elsewhere in
    memory order, as (output dim, those input dims). `[B, H, L, D]` → `[B, L, H·D]`: output dim
    1 has L's size and follows the sequence length as L does, but its elements are the first
    L of H·L. A reshape that splits a dim and merges a piece with its neighbour
    (`[N, 2n]` → `[N·n, 2]`) has no such dim."""
    start = {}
    offset = 1
    for d in ins:
        start[d] = offset
        offset *= before[d]
    out_offset = 1
    for o in outs:
        for first in range(len(ins)):
            size = 1
            for last in range(first, len(ins)):
                size *= before[ins[last]]
                if size > after[o]:
                    break
                run = ins[first : last + 1]
                if size != after[o] or start[ins[first]] == out_offset:
                    continue
                if follows_in is not None and follows_out is not None:
                    joined = frozenset().union(*(follows_in[d] for d in run))
                    if joined != follows_out[o]:
                        continue
                return o, run
        out_offset *= after[o]
    return None
