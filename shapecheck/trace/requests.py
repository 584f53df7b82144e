"""What a runner is asked to trace again: a fix to verify, a size to probe.

Plain data, built by diagnose's rules and read by the runner (trace.edits applies the edits to
a meta copy of the model), so rules stay testable on hand-built traces with a fake runner. It
lives in trace, below diagnose, because the tracer reads it: diagnose imports it, never the
other way.
"""

from __future__ import annotations

from dataclasses import dataclass

SAME = "same"


@dataclass(frozen=True)
class Edit:
    """One change to try on a copy of the model, or on its input.

    action: `insert_before` / `insert_after` (a new layer around the module at `target`),
    `replace` (the module at `target`), `op_args` (change keyword arguments of the op call at
    `target`, "type@file:line"), `op_method` (call another method there: view → reshape),
    `op_match` (resize the op's later tensor arguments to the first one's spatial size),
    `op_prepool` (adaptive-average-pool the op's first argument to `output_size` first),
    `op_squeeze_arg` (argument `index` of the op squeezed at `dim`), `op_transpose_arg` (its
    last two dims swapped), `op_identity` (the op
    returns its first argument), `op_flatten` (the op becomes
    `torch.flatten(x, 1)`), `op_adaptive` (a fixed pool call becomes adaptive, `output_size`),
    `op_view_batch` (a view's first size becomes its tensor's dim 0: `x.view(x.size(0), -1)`),
    `arg_method` (argument `index` of the op call at `target`, or of the module's call, gets
    `.method(*args)`: a loss target's `squeeze(1)` or `argmax(1)`, its input's `transpose(1, 2)`),
    `permute` (the module at `target` gets its first input permuted by `dims`, and its output
    by `back` when given), `set_attrs` (the module at `target` and every submodule that has
    one of the attributes get the new values: `batch_first`).
    `layer` names the torch.nn class to build; `params` its arguments, as (key, value) pairs.
    """

    action: str
    target: str = ""
    layer: str = ""
    params: tuple = ()

    def param(self, key: str, default=None):
        return dict(self.params).get(key, default)


@dataclass(frozen=True)
class Rerun:
    dims: tuple[int, ...] | None = None  # per-sample dims of input 0; None: as traced
    dtype: str | None = None  # dtype of input 0 (`int64`); None: as traced
    other_dims: tuple = ()  # ((input index, per-sample dims), ...) for inputs after the first
    batch: object = SAME  # an int, None (no batch dim) or SAME
    train: object = SAME  # True/False or SAME
    stop: tuple | None = None  # end at this row (its inputs come back as probe_inputs)
    edits: tuple[Edit, ...] = ()
