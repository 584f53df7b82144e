"""The user's own call that hands a tensor to a layer: where a fix that reorders, folds or adds a
dim of the data is written in the model's code, not in `--input` or inside a library.

A conv inside `self.stem = nn.Sequential(...)` is called by torch's Sequential; the user wrote
`x = self.stem(clip)`. The fix goes on that line, to the argument as written
(`self.stem(clip.transpose(1, 2))`), and is checked by editing the copy of that module.
"""

from __future__ import annotations

from ...trace.records import MODULE, LayerRecord, TensorInfo, Trace
from ..findings import SAFE, Fix, line_fix
from ..numbers import module_call_argument
from ..requests import Edit, Rerun
from ..roles import is_library_file
from .common import rewrite_call


def user_call(trace: Trace, row: LayerRecord, tensor: TensorInfo) -> tuple[LayerRecord, str] | None:
    """(module row, its argument as written) of the user's line that passes `tensor` on to
    `row`: the row itself when the user calls it, else the nearest enclosing module that got the
    same tensor first and is called from the user's code. None when there is no such line."""
    current: LayerRecord | None = row
    while current is not None and current.index > 0:
        same = current.kind == MODULE and current.inputs and current.inputs[0].tid == tensor.tid
        if not same:
            return None
        where = current.called_at
        if where is not None and where.source and not is_library_file(where.file):
            var = module_call_argument(where.source, current.name)
            return (current, var) if var else None
        current = trace.row(current.parent) if current.parent is not None else None
    return None


def reordered_call_fix(
    trace: Trace, row: LayerRecord, tensor: TensorInfo, perm: tuple[int, ...], what: str
) -> Fix | None:
    """`self.stem(clip.transpose(1, 2))` at the user's call: the data's dims in the order the layer
    reads them (`perm`, a permutation of the batched tensor), checked by permuting that module's
    input on a copy."""
    found = user_call(trace, row, tensor)
    if found is None:
        return None
    call, var = found
    moved = [i for i, p in enumerate(perm) if p != i]
    if len(moved) == 2:
        text = f"{var}.transpose({moved[0]}, {moved[1]})"
    else:
        text = f"{var}.permute({', '.join(map(str, perm))})"
    where = call.called_at
    assert where is not None
    source = where.source or ""
    after = rewrite_call(source, call.name.rsplit(".", 1)[-1], var, text)
    if after is None:
        return None
    edit = Edit("permute", call.name, params=(("dims", tuple(perm)), ("back", None)))
    return line_fix(what, where, source, after, text, Rerun(edits=(edit,)), SAFE)


def unsqueezed_call_fix(trace: Trace, row: LayerRecord, tensor: TensorInfo, dim: int, what: str) -> Fix | None:
    """`self.conv(spec.unsqueeze(1))` at the user's call: a size-1 dim the layer reads that the
    data lacks (the channel of a spectrogram [B, F, T]). Checked as written."""
    found = user_call(trace, row, tensor)
    if found is None:
        return None
    call, var = found
    where = call.called_at
    assert where is not None
    source = where.source or ""
    text = f"{var}.unsqueeze({dim})"
    after = rewrite_call(source, call.name.rsplit(".", 1)[-1], var, text)
    if after is None:
        return None
    return line_fix(what, where, source, after, text, None, SAFE)
