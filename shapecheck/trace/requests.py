"""What a runner is asked to trace again: a fix to verify, a size to probe.

Plain data, built by diagnose's rules and read by the runner (trace.edits applies the edits to
a meta copy of the model), so rules stay testable on hand-built traces with a fake runner. It
lives in trace, below diagnose, because the tracer reads it: diagnose imports it, never the
other way.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..words import Word

SAME = "same"


class SourceNotPatched(LookupError):
    """A line of the user's code that cannot be put into the copy (no method of a module holds it,
    or the method no longer compiles with it): the fix it belongs to is not checked."""


class EditAction(Word):
    """What an `Edit` changes. `target` is a module's qualified name, or for the op actions the
    op call's site, "type@file:line"."""

    INSERT_BEFORE = "insert_before"  # a new layer (`layer`, `params`) in front of the module
    INSERT_AFTER = "insert_after"  # … after it
    REPLACE = "replace"  # the module itself, by a new `layer`
    # The plain list, tuple or dict of modules at attribute `attribute` of the module becomes an
    # nn.ModuleList or nn.ModuleDict (SC129)
    REGISTER = "register"
    OP_ARGS = "op_args"  # the op call gets other keyword arguments (`params`)
    OP_METHOD = "op_method"  # the call becomes another method there: view → reshape
    OP_MATCH = "op_match"  # the op's later tensor arguments resized to the first one's spatial size
    OP_PREPOOL = "op_prepool"  # the op's first argument adaptive-average-pooled to `output_size` first
    OP_SQUEEZE_ARG = "op_squeeze_arg"  # argument `index` squeezed at `dim`
    OP_TRANSPOSE_ARG = "op_transpose_arg"  # argument `index` with its last two dims swapped
    OP_IDENTITY = "op_identity"  # the op returns its first argument
    OP_FLATTEN = "op_flatten"  # the op becomes `torch.flatten(x, 1)`
    OP_ADAPTIVE = "op_adaptive"  # a fixed pool call becomes adaptive, to `output_size`
    OP_VIEW_BATCH = "op_view_batch"  # a view's first size becomes its tensor's dim 0
    # A view's size at `index` becomes the product of its tensor's dims `dims` (a hard-coded H·W
    # read from the tensor instead)
    OP_VIEW_SIZE = "op_view_size"
    OP_VIEW_SHAPE = "op_view_shape"  # a view/reshape asks for `shape` instead (`view(-1)` → `view(-1, 384)`)
    # Argument `index` of the op call at `target`, or of the module's call, gets `.method(*args)`:
    # a loss target's `squeeze(1)` or `argmax(1)`, its input's `transpose(1, 2)`.
    ARG_METHOD = "arg_method"
    # The module's first input permuted by `dims`, and its output by `back` when given.
    PERMUTE = "permute"
    # The module and every submodule that has one of the attributes get the new values.
    SET_ATTRS = "set_attrs"
    # The user's module built again from its class with other constructor arguments (`args`,
    # `kwargs`: every argument of its construction line, literal values)
    REBUILD = "rebuild"
    OUTPUT_ITEM = "output_item"  # the module's output is one item of it (`index`, `key` or `field`)
    # item `index` of the list the op joins gets `.method(*args)` (`expand_batch`: expanded to item
    # `args[0]`'s dim 0, the batch at any size)
    ITEM_METHOD = "item_method"
    # Line `line` of `file` reads `after` instead of `before`: the method of the user's class that
    # holds the line is compiled again with it and set on each instance of that class in the copy
    # (a fix written as a line of the user's forward, checked as written)
    SOURCE_LINE = "source_line"


@dataclass(frozen=True)
class Edit:
    """One change to try on a copy of the model, or on its input: `action` (an EditAction) at
    `target`; `layer` names the torch.nn class to build, `params` its arguments or the action's
    settings, as (key, value) pairs."""

    action: EditAction | str  # the word is enough: __post_init__ makes it the member
    target: str = ""
    layer: str = ""
    params: tuple = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "action", EditAction(self.action))  # a typo fails here, not unmatched

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
    # the model's own constructor arguments, built again with these instead (`--arg img_size=224`)
    args: tuple[tuple[str, object], ...] = ()
    # the edits are what a library's own option builds (timm's `in_chans`, which adapts its
    # pretrained weights): a library layer resized that way keeps the model's intent
    library_option: str | None = None

    def changed_inputs(self) -> list[tuple[int, tuple[int, ...]]]:
        """(input index, per-sample dims) for each input the re-run gives new dims, first input first."""
        return ([(0, self.dims)] if self.dims is not None else []) + list(self.other_dims)
