"""Apply `Edit`s (plain data from diagnosis) to a meta copy of a model, to verify fixes."""

from __future__ import annotations

import inspect
import os
import types
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import nn

from .meta import meta_copy
from .requests import SourceNotPatched

if TYPE_CHECKING:  # built by diagnose's rules; only read here
    from .requests import Edit


def _build(edit: Edit) -> nn.Module:
    cls = getattr(nn, edit.layer)
    params = dict(edit.params)
    with torch.device("meta"):
        return cls(**params)


def _rebuilt(old: nn.Module, edit: Edit) -> nn.Module:
    """The module's own class called again with the edit's arguments, its tensors on meta."""
    with torch.device("meta"):
        return type(old)(*edit.param("args"), **dict(edit.param("kwargs"))).to("meta")


def _set(model: nn.Module, path: str, module: nn.Module) -> None:
    parent_path, _, name = path.rpartition(".")
    parent = model.get_submodule(parent_path) if parent_path else model
    setattr(parent, name, module)


def _register(owner: nn.Module, attribute: str) -> None:
    """`self.blocks = [...]` → `nn.ModuleList([...])` (a dict: `nn.ModuleDict`), on meta like the
    rest of the copy."""
    value = getattr(owner, attribute)
    holder = nn.ModuleDict(value) if isinstance(value, dict) else nn.ModuleList(list(value))
    setattr(owner, attribute, holder.to("meta"))


def _site(target: str) -> tuple[str, str, int]:
    op, _, where = target.partition("@")
    file, _, line = where.rpartition(":")
    return op, file, int(line)


# Where torch's ops take these arguments when they are given by position (the tensor, or the list
# of tensors, first): `x.flatten(0)`, `torch.sum(x, 1, True)`, `torch.cat(xs, 1)`.
_POSITIONS = {"dim": 1, "start_dim": 1, "end_dim": 2, "keepdim": 2}


def _rewrite_args(changes: dict):
    """The op called with these arguments instead: one given by position is replaced there (a
    keyword beside it would be given twice), any other is set as a keyword."""

    def rewrite(func, args, kwargs):
        kwargs = dict(kwargs)
        args = list(args)
        for key, value in changes.items():
            at = _POSITIONS.get(key)
            if key not in kwargs and at is not None and len(args) > at and not isinstance(args[at], torch.Tensor):
                args[at] = value
            else:
                kwargs[key] = value
        return func, tuple(args), kwargs

    return rewrite


def _rewrite_method(method: str):
    def rewrite(func, args, kwargs):
        return getattr(torch.Tensor, method), args, kwargs

    return rewrite


def _rewrite_match():
    """cat([x, skip]) → cat([interpolate(x, size=skip.shape[2:]), skip]): align to the last."""

    def rewrite(func, args, kwargs):
        tensors = list(args[0])
        ref = tensors[-1]
        aligned = [
            t if t.shape[2:] == ref.shape[2:] else F.interpolate(t, size=tuple(ref.shape[2:])) for t in tensors[:-1]
        ] + [ref]
        return func, (aligned, *args[1:]), kwargs

    return rewrite


def _rewrite_prepool(size):
    """flatten(x) → flatten(adaptive_avg_pool(x, size)): the pool the fix inserts before it."""

    def rewrite(func, args, kwargs):
        x = args[0]
        pool = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}[x.dim() - 2]
        return func, (pool(x, tuple(size) if len(size) > 1 else size[0]), *args[1:]), kwargs

    return rewrite


def _rewrite_squeeze_arg(index: int, dim: int):
    """loss(a, b) → loss(a, b.squeeze(dim)) for the argument at `index`."""

    def rewrite(func, args, kwargs):
        args = list(args)
        args[index] = args[index].squeeze(dim)
        return func, tuple(args), kwargs

    return rewrite


def _rewrite_transpose_arg(index: int):
    """mm(a, b) → mm(a, b.transpose(-2, -1)) for the argument at `index`."""

    def rewrite(func, args, kwargs):
        args = list(args)
        args[index] = args[index].transpose(-2, -1)
        return func, tuple(args), kwargs

    return rewrite


def _call_method(value, method: str, margs: tuple):
    """`value.method(*margs)`; method `chain` applies each (method, args) pair of `margs` in turn
    (`labels.narrow(1, 1, 15).reshape(-1)`, a mask's `narrow(-2, 0, t).narrow(-1, 0, t)`); method
    `project` with (out, dim) a new Linear's product over `dim` (a projection to a shared width)."""
    if method == "chain":
        for name, args in margs:
            value = getattr(value, name)(*args)
        return value
    if method == "project":  # a new Linear to `out` features over `dim`: what a projection layer makes
        out, dim = margs
        moved = value.movedim(dim, -1)
        return F.linear(moved, moved.new_zeros(out, moved.shape[-1])).movedim(-1, dim)
    return getattr(value, method)(*margs)


def _with_arguments(steps: tuple, args: list, kwargs: dict) -> tuple:
    """A chain's `("expand_as_arg", (j, name))` step made `("expand_as", (argument j,))` at each
    call: the index repeated to the size of that call's own data (a layer called twice at one
    line has other sizes each time); a call without that argument keeps the fixed `("expand",
    sizes)` step that follows it."""
    out: list = []
    skip_fixed = False
    for name, step_args in steps:
        if name == "expand_as_arg":
            j, keyword = step_args
            other = args[j] if j < len(args) else kwargs.get(keyword)
            if other is not None:
                out.append(("expand_as", (other,)))
                skip_fixed = True
            continue
        if skip_fixed and name == "expand":
            skip_fixed = False
            continue
        out.append((name, step_args))
    return tuple(out)


def _compose(first, second):
    """Two rewrites of one call site (its input and its target both changed): one after the other."""

    def rewrite(func, args, kwargs):
        return second(*first(func, args, kwargs))

    return rewrite


def _rewrite_arg_method(index: int | str, method: str, margs: tuple, integer: bool = False):
    """loss(a, b) → loss(a, b.squeeze(1)), or b.argmax(1), a.transpose(1, 2): argument `index`.
    `integer`: only when that argument holds integers (labels), where one line flattens both
    the scores and the labels with the same call (`pred.view(-1, V), y.view(-1)`)."""

    def rewrite(func, args, kwargs):
        if isinstance(index, str):  # a keyword argument (`attn_mask=`)
            if index not in kwargs:
                return func, args, kwargs
            kwargs = dict(kwargs)
            steps = _with_arguments(margs, list(args), kwargs) if method == "chain" else margs
            kwargs[index] = _call_method(kwargs[index], method, steps)
            return func, args, kwargs
        args = list(args)
        if integer and (args[index].is_floating_point() or args[index].is_complex()):
            return func, tuple(args), kwargs
        steps = _with_arguments(margs, args, kwargs) if method == "chain" else margs
        args[index] = _call_method(args[index], method, steps)
        return func, tuple(args), kwargs

    return rewrite


def _arg_method(module: nn.Module, index: int, method: str, margs: tuple) -> None:
    """The same for a module's call (`criterion(out, target)`), with a hook: names stay the same."""

    def before(_, args, kwargs):
        args = list(args)
        args[index] = _call_method(args[index], method, margs)
        return tuple(args), kwargs

    module.register_forward_pre_hook(before, with_kwargs=True)


def _rewrite_item_method(index: int, method: str, margs: tuple):
    """cat([a, b]) → cat([a.unsqueeze(1).expand(-1, 7, -1), b]): item `index` of the list the op
    joins, through `method` (`chain` for several steps). Method `expand_batch` with (j,): the
    item expanded to item j's dim 0, `cls.expand(x.size(0), -1, -1)`, at any batch size."""

    def rewrite(func, args, kwargs):
        items = list(args[0])
        if method == "expand_batch":
            item = items[index]
            items[index] = item.expand(items[margs[0]].shape[0], *(-1 for _ in item.shape[1:]))
        else:
            items[index] = _call_method(items[index], method, margs)
        return func, (type(args[0])(items), *args[1:]), kwargs

    return rewrite


def _rewrite_view_batch():
    """x.view(64, -1) → x.view(x.size(0), -1): the first size from the tensor (view, reshape)."""

    def rewrite(func, args, kwargs):
        x, sizes = args[0], list(args[1:])
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, torch.Size)):
            sizes = list(sizes[0])
        if "shape" in kwargs:  # torch.reshape(x, shape=(64, -1))
            sizes, kwargs = list(kwargs["shape"]), {k: v for k, v in kwargs.items() if k != "shape"}
        sizes[0] = x.shape[0]
        return func, (x, tuple(sizes)), kwargs

    return rewrite


def _rewrite_view_size(index: int, dims: tuple):
    """x.view(-1, C, 32 * 32) → x.view(-1, C, x.shape[2] * x.shape[3]): one size read from the
    tensor's own dims."""

    def rewrite(func, args, kwargs):
        x, sizes = args[0], list(args[1:])
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, torch.Size)):
            sizes = list(sizes[0])
        if "shape" in kwargs:
            sizes, kwargs = list(kwargs["shape"]), {k: v for k, v in kwargs.items() if k != "shape"}
        size = 1
        for d in dims:
            size *= x.shape[d]
        sizes[index] = size
        return func, (x, tuple(sizes)), kwargs

    return rewrite


def _rewrite_view_shape(shape: tuple):
    def rewrite(func, args, kwargs):
        kwargs = {k: v for k, v in kwargs.items() if k != "shape"}
        return func, (args[0], tuple(shape)), kwargs

    return rewrite


def _rewrite_identity():
    def rewrite(func, args, kwargs):
        return (lambda x, *a, **k: x), args, kwargs

    return rewrite


def _rewrite_flatten():
    def rewrite(func, args, kwargs):
        return torch.flatten, (args[0], 1), {}

    return rewrite


def _rewrite_adaptive(size, mode: str):
    def rewrite(func, args, kwargs):
        x = args[0]
        nd = x.dim() - 2
        pool = getattr(F, f"adaptive_{mode}_pool{nd}d")
        return pool, (x, size), {}

    return rewrite


def _permute(module: nn.Module, dims: tuple, back: tuple | None) -> None:
    """Permute the module's first input (and its first output) with hooks: names stay the same."""

    def before(_, args, kwargs):
        return (args[0].permute(*dims), *args[1:]), kwargs

    module.register_forward_pre_hook(before, with_kwargs=True)
    if back:

        def after(_, args, output):
            if isinstance(output, tuple):
                return (output[0].permute(*back), *output[1:])
            return output.permute(*back)

        module.register_forward_hook(after)


def _output_item(module: nn.Module, params: dict) -> None:
    """Make the module return one part of its structured output: `out[0]`, `out.logits`,
    `out['logits']`, as the fixed line `h, _ = self.lstm(x)` would."""

    def after(_, args, output):
        if "index" in params:
            return output[params["index"]]
        if "key" in params:
            return output[params["key"]]
        return getattr(output, params["field"])

    module.register_forward_hook(after)


def _set_attrs(module: nn.Module, values: dict) -> None:
    for sub in module.modules():
        for key, value in values.items():
            if hasattr(sub, key):
                setattr(sub, key, value)


def _module(model: nn.Module, target: str) -> nn.Module:
    """The submodule an edit names; the model itself when its row is the target (a live
    `nn.GRU` or loss checked alone: its row is named for its class)."""
    return model if _is_root(model, target) else model.get_submodule(target)


def _is_root(model: nn.Module, target: str) -> bool:
    """Whether an edit's target names the model itself: its row is named for its class."""
    return target == type(model).__name__ and target not in dict(model.named_modules())


# How each op action rewrites the call at its site, from the edit's settings.
_OP_REWRITES = {
    "op_args": lambda e: _rewrite_args(dict(e.params)),
    "op_method": lambda e: _rewrite_method(e.param("method")),
    "op_prepool": lambda e: _rewrite_prepool(list(e.param("output_size"))),
    "op_squeeze_arg": lambda e: _rewrite_squeeze_arg(e.param("index"), e.param("dim")),
    "op_transpose_arg": lambda e: _rewrite_transpose_arg(e.param("index")),
    "item_method": lambda e: _rewrite_item_method(e.param("index"), e.param("method"), tuple(e.param("args", ()))),
    "op_view_batch": lambda e: _rewrite_view_batch(),
    "op_view_size": lambda e: _rewrite_view_size(e.param("index"), tuple(e.param("dims"))),
    "op_view_shape": lambda e: _rewrite_view_shape(tuple(e.param("shape"))),
    "op_identity": lambda e: _rewrite_identity(),
    "op_flatten": lambda e: _rewrite_flatten(),
    "op_adaptive": lambda e: _rewrite_adaptive(e.param("output_size"), e.param("mode", "avg")),
    "op_match": lambda e: _rewrite_match(),
}


def _patch_line(model: nn.Module, edit: Edit) -> None:
    """Compile the method that holds `line` again with the line as `after`, and set it on every
    instance of the class that defines it."""
    file, line, before, after = (edit.param(k) for k in ("file", "line", "before", "after"))
    patched = 0
    made: dict = {}
    for module in model.modules():
        found = _method_at(type(module), file, line)
        if found is None:
            continue
        owner, name, function = found
        if name == "__init__":  # the copy is built: a constructor line changes nothing now
            raise SourceNotPatched(f"{file}:{line} is in a constructor")
        if (owner, name) not in made:
            made[(owner, name)] = _recompiled(owner, function, file, line, before, after)
        setattr(module, name, types.MethodType(made[(owner, name)], module))
        patched += 1
    if not patched:
        raise SourceNotPatched(f"no method of the model holds {file}:{line}")


def _method_at(cls: type, file: str, line: int):
    """(the class, the name, the function) of the method in `cls`'s MRO whose code spans the line."""
    file = os.path.realpath(file)
    for owner in cls.__mro__:
        if owner.__module__.startswith("torch."):
            continue
        for name, value in vars(owner).items():
            code = getattr(value, "__code__", None)
            if code is None or os.path.realpath(code.co_filename) != file:
                continue
            spanned = [number for *_, number in code.co_lines() if number is not None]
            if spanned and code.co_firstlineno <= line <= max(spanned):
                return owner, name, value
    return None


def _recompiled(owner: type, function, file: str, line: int, before: str, after: str):
    """`function` compiled again with `line` replaced, at its own line numbers, with `__class__`
    bound to `owner` (so `super()` inside it still works)."""
    try:
        lines, first = inspect.getsourcelines(function)
    except (OSError, TypeError) as exc:
        raise SourceNotPatched(f"the source of {function.__qualname__} cannot be read") from exc
    at = line - first
    if not 0 <= at < len(lines) or lines[at].strip() != before.strip():
        raise SourceNotPatched(f"{file}:{line} no longer reads as the fix's line")
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines[at] = indent + after.strip() + "\n"
    if first < 2 or not lines[0][:1].isspace():
        raise SourceNotPatched(f"{file}:{line} is not inside a class")
    margin = lines[0][: len(lines[0]) - len(lines[0].lstrip())]
    text = (
        "\n" * (first - 2)
        + "def __shapecheck_make__(__class__):\n"
        + "".join(lines)
        + f"{margin}return {function.__name__}\n"
    )
    try:
        code = compile(text, function.__code__.co_filename, "exec")
    except SyntaxError as exc:
        raise SourceNotPatched(f"the fixed line does not compile in its method: {exc.msg}") from exc
    scope: dict = {}
    exec(code, function.__globals__, scope)  # the user's own method, with the fixed line
    return scope["__shapecheck_make__"](owner)


def _replace(model: nn.Module, edit: Edit) -> nn.Module:
    if _is_root(model, edit.target):
        return _build(edit)  # the model is the layer (a live nn.Linear called inline)
    _set(model, edit.target, _build(edit))
    return model


def _around(model: nn.Module, edit: Edit, wrap) -> nn.Module:
    """A layer put before or after the target; the target the model itself (a live nn.Linear
    called inline): the model becomes the pair, it never holds itself."""
    if _is_root(model, edit.target):
        return wrap(model)
    _set(model, edit.target, wrap(_module(model, edit.target)))
    return model


def _in_place(change):
    """An edit that changes the copy where it is: the copy stays the model."""

    def edit_model(model: nn.Module, edit: Edit) -> nn.Module:
        change(model, edit)
        return model

    return edit_model


# How each module action changes the copy of the model; each returns the model.
_MODULE_EDITS = {
    "replace": _replace,
    "rebuild": _in_place(lambda m, e: _set(m, e.target, _rebuilt(_module(m, e.target), e))),
    "register": _in_place(lambda m, e: _register(_module(m, e.target), e.param("attribute"))),
    "insert_before": lambda m, e: _around(m, e, lambda layer: nn.Sequential(_build(e), layer)),
    "insert_after": lambda m, e: _around(m, e, lambda layer: nn.Sequential(layer, _build(e))),
    "permute": _in_place(lambda m, e: _permute(_module(m, e.target), tuple(e.param("dims")), e.param("back"))),
    "set_attrs": _in_place(lambda m, e: _set_attrs(_module(m, e.target), dict(e.params))),
    "output_item": _in_place(lambda m, e: _output_item(_module(m, e.target), dict(e.params))),
    "source_line": _in_place(_patch_line),
}


def _apply_arg_method(edit: Edit, changed: nn.Module, rewrites: dict) -> None:
    """A method called on an argument: at an op's call site a rewrite (after any other there),
    on a module a change of its forward."""
    call = (edit.param("index"), edit.param("method"), tuple(edit.param("args", ())))
    if "@" not in edit.target:
        _arg_method(_module(changed, edit.target), *call)
        return
    site, rewrite = _site(edit.target), _rewrite_arg_method(*call, bool(edit.param("integer")))
    rewrites[site] = _compose(rewrites[site], rewrite) if site in rewrites else rewrite


def apply(model: nn.Module, edits: tuple[Edit, ...]) -> tuple[nn.Module, dict]:
    """Returns (a meta copy with the module edits applied, op rewrites for the tracer)."""
    module_edits = [e for e in edits if e.action in _MODULE_EDITS or (e.action == "arg_method" and "@" not in e.target)]
    changed = meta_copy(model) if module_edits else model
    rewrites: dict = {}
    for edit in edits:
        if edit.action in _MODULE_EDITS:
            changed = _MODULE_EDITS[edit.action](changed, edit)
        elif edit.action == "arg_method":
            _apply_arg_method(edit, changed, rewrites)
        elif edit.action in _OP_REWRITES:
            rewrites[_site(edit.target)] = _OP_REWRITES[edit.action](edit)
        else:
            raise ValueError(f"unknown edit {edit.action}")
    return changed, rewrites
