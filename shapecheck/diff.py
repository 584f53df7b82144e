"""`shapecheck diff A B`: the layers whose shapes, parameters or Mult-Adds differ between two
models traced on the same input. Plain data over two reports; no torch.

Rows are matched by name and call (the second call of a shared block is its own row), in the
order the traces ran them, so a layer added in the middle shows as added and not as a shift of
every row after it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from .report import Report
from .trace.costs import subtree_macs
from .trace.records import OP, LayerRecord, RowStatus

ASPECTS = ("type", "output", "params", "mult_adds")


@dataclass(frozen=True)
class LayerSide:
    """One model's row: what the diff compares."""

    type: str
    outputs: tuple[tuple[int, ...], ...]  # () when the row failed or did not finish
    failed: bool
    params: int
    mult_adds: int


@dataclass
class LayerChange:
    name: str
    call: int
    kind: str  # changed | added | removed
    a: LayerSide | None
    b: LayerSide | None
    differs: list[str] = field(default_factory=list)  # of ASPECTS, for a changed row
    inside: int = 0  # rows within an added or removed row, folded into it


@dataclass
class ModelSummary:
    label: str
    total_params: int
    total_mult_adds: int
    error: str | None  # the forward pass's error, when it failed


@dataclass
class ModelDiff:
    a: ModelSummary
    b: ModelSummary
    changes: list[LayerChange]
    compared: int  # rows found in both

    @property
    def same(self) -> bool:
        return not self.changes and (self.a.error is None) == (self.b.error is None)


def compare(a: Report, b: Report) -> ModelDiff:
    rows_a, rows_b = _rows(a), _rows(b)
    keys_a, keys_b = [k for k, _ in rows_a], [k for k, _ in rows_b]
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    changes: list[LayerChange] = []
    compared = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for (key, side_a), (_, side_b) in zip(rows_a[i1:i2], rows_b[j1:j2], strict=True):
                compared += 1
                differs = [aspect for aspect in ASPECTS if _aspect(side_a, aspect) != _aspect(side_b, aspect)]
                if differs:
                    changes.append(LayerChange(key[0], key[1], "changed", side_a, side_b, differs))
            continue
        _fold(changes, rows_a[i1:i2], "removed")
        _fold(changes, rows_b[j1:j2], "added")
    return ModelDiff(_summary(a), _summary(b), changes, compared)


def _fold(changes: list[LayerChange], rows, kind: str) -> None:
    """Rows only one model has; a row inside one already listed counts in its `inside`."""
    outer: LayerChange | None = None
    for (name, call), side in rows:
        if outer is not None and name.startswith(outer.name + "."):
            outer.inside += 1
            continue
        outer = LayerChange(name, call, kind, side if kind == "removed" else None, side if kind == "added" else None)
        changes.append(outer)


def _aspect(side: LayerSide, aspect: str):
    if aspect == "output":
        return ("failed",) if side.failed else side.outputs
    return getattr(side, aspect)


def _rows(report: Report) -> list[tuple[tuple[str, int], LayerSide]]:
    macs = subtree_macs(report.trace)
    out = []
    for row in report.trace.layers:
        # the model's own row is the model, whatever its class is called in each file
        name = "(model)" if row.depth == 0 else row.name
        out.append(((name, row.call), _side(row, macs.get(row.index, 0))))
    return out


def _side(row: LayerRecord, macs: int) -> LayerSide:
    finished = not row.failed and row.status != RowStatus.ABORTED
    return LayerSide(
        type=row.type,
        outputs=tuple(tuple(t.shape) for t in row.outputs) if finished else (),
        failed=row.failed,
        params=0 if row.kind == OP else row.params,
        mult_adds=macs,
    )


def _summary(report: Report) -> ModelSummary:
    from .trace.costs import total_macs

    error = report.trace.error
    said = None
    if error is not None:
        # the finding that explains it (the engine's own message differs from a real run's)
        first = next((f for f in report.findings if f.is_error), None)
        said = f"{first.code} {first.message}" if first else f"{error.type}: {error.message.splitlines()[0][:200]}"
    return ModelSummary(
        label=report.model,
        total_params=report.trace.total_params,
        total_mult_adds=total_macs(report.trace),
        error=said,
    )
