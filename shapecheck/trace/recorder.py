"""Record module calls (forward hooks) and functional ops (a TorchFunctionMode) as rows."""

from __future__ import annotations

import itertools
import re
import sys
import weakref
from collections import Counter
from collections.abc import Callable

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from . import budget
from .arguments import dtype_name, module_attrs, op_args, tensors_in
from .budget import BudgetSpent, projected_overrun
from .ops import CATEGORY_OF, VALUE_OPS, function_name, short_op_name
from .records import MODULE, OP, LayerRecord, Location, RowStatus, TensorInfo
from .rnn_meta import SHAPES as RNN_SHAPES

try:  # default attention masks are FakeTensors (see engines.make_inputs)
    from torch._subclasses.fake_tensor import FakeTensor
except ImportError:  # pragma: no cover - then masks are plain meta tensors
    FakeTensor = ()  # type: ignore[assignment,misc]
from .sources import location_of, module_caller, op_caller

_TID = "_shapecheck_tid"
_FROM_INPUT = "_shapecheck_in"  # set on model inputs and on every tensor computed from one
# (smallest, largest) value of an integer tensor whose values are known without computing them:
# `torch.arange(n)` and what keeps every one of its values (unsqueeze, expand, view, `+ 1`).
_RANGE = "_shapecheck_range"


class EngineLimit(RuntimeError):
    """The engine cannot run this op (no meta kernel, or it needs tensor values)."""


class StopTrace(Exception):
    """Raised from a pre-hook to end a probe trace once the target layer is reached."""


class RecorderBug(BaseException):
    """An exception inside shapecheck's own hook code: shapecheck's bug, never the model's
    finding. A BaseException, so a model's `except Exception` does not swallow it."""


_CONTROL = (StopTrace, EngineLimit)  # and BudgetSpent, RecorderBug: BaseExceptions, never caught here


def _guarded(method):
    """Run a hook; an exception from shapecheck's own code in it becomes a RecorderBug."""
    import functools

    @functools.wraps(method)
    def hook(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (*_CONTROL, RecursionError):  # depth is the model's, not a bug of the recorder
            raise
        except Exception as exc:
            if hasattr(exc, "_shapecheck_row"):  # the model's error, passing through
                raise
            raise RecorderBug(f"in shapecheck's recorder ({method.__name__}): {type(exc).__name__}: {exc}") from exc

    return hook


_COUNTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def param_counts(model: nn.Module) -> dict[int, tuple[int, int]]:
    """id(module) → (parameters, trainable parameters) of its subtree, shared ones counted once.

    Computed bottom-up in one walk and kept per model: asking every module for its
    `parameters()` walks each subtree again and cost 0.16 s on vgg16 alone.
    """
    # The model may have changed since it was counted (a layer replaced, a parameter frozen):
    # the cache holds for the same modules with the same parameters only.
    key = tuple(
        (id(m), tuple((id(p), p.numel(), p.requires_grad) for p in m._parameters.values() if p is not None))
        for m in model.modules()
    )
    cached = _COUNTS.get(model)
    if cached is not None and cached[0] == key:
        return cached[1]
    counts: dict[int, tuple[int, int]] = {}

    def walk(module: nn.Module) -> dict:
        params = {id(p): p for p in module.parameters(recurse=False)}
        for child in module.children():
            params.update(walk(child))
        counts[id(module)] = (
            sum(p.numel() for p in params.values()),
            sum(p.numel() for p in params.values() if p.requires_grad),
        )
        return params

    walk(model)
    _COUNTS[model] = (key, counts)
    return counts


def _tied_modules(model: nn.Module) -> dict[int, str]:
    """id(module) → the module that first holds all of its parameters (tied weights: counted
    once, at their first holder)."""
    owners: dict[int, str] = {}  # id(parameter) → the first module that holds it
    shared: dict[int, str] = {}
    for name, module in model.named_modules(remove_duplicate=False):
        own = [p for p in module._parameters.values() if p is not None]
        first = {owners.get(id(p)) for p in own}
        holder = first.pop() if len(first) == 1 else None
        if holder is not None and holder != name:
            shared[id(module)] = holder
        for p in own:
            owners.setdefault(id(p), name)
    return shared


def class_location(cls) -> Location | None:
    """The `class Name(...)` line of a model's class, found from its methods' code."""
    import linecache

    from .sources import display_path

    for value in vars(cls).values():
        code = getattr(value, "__code__", None)
        if code is None:
            continue
        lines = linecache.getlines(code.co_filename)
        for number in range(min(code.co_firstlineno, len(lines)), 0, -1):
            if lines[number - 1].lstrip().startswith(f"class {cls.__name__}"):
                return Location(display_path(code.co_filename), number, lines[number - 1].strip())
        return None
    return None


class Recorder:
    """Attach to a model, record one forward pass, detach."""

    def __init__(
        self,
        model: nn.Module,
        *,
        meta: bool,
        def_sites=None,
        stop_at: tuple | None = None,
        rewrites: dict | None = None,
        shapes=None,
        deadline: float | None = None,
    ):
        self.model = model
        # Symbolic sizes (the symbolic engine): turns sizes into hints and expressions without
        # adding guards. None: sizes are plain ints.
        self.shapes = shapes
        self.deadline = deadline  # budget.cpu_clock() value (the safety cap) after which the trace stops
        self.pace: tuple[float, int] | None = (
            None  # (start on that clock, rows expected): lets a hopeless pass stop before its deadline
        )
        self.projected: float | None = None  # seconds the pass would have needed, when it stopped early
        self.row_done: Callable[[int | None], None] | None = None  # called with a row's index when it ends
        # fn(name, func, args, kwargs) -> (func, args, kwargs): an engine's stand-in for an op
        self.substitute: Callable | None = None
        self.meta = meta
        self.rows: list[LayerRecord] = []
        self.stack: list[int] = []
        self.def_sites = def_sites or {}
        # ("module", name, call) or ("op", type, file, line, occurrence): end the pass there.
        self.stop_at = stop_at
        self.stopped_inputs: list[TensorInfo] | None = None
        # (type, file, line) → fn(func, args, kwargs) -> (func, args, kwargs): fixes under test.
        self.rewrites = rewrites or {}
        self._sites: Counter = Counter()
        self._tids = itertools.count(1)
        self._producer: dict[int, int] = {}
        self._calls: Counter = Counter()
        self._handles: list = []
        self._names: dict[int, str] = {}
        self._counts: dict[int, tuple[int, int]] = {}
        self._op_kinds: dict = {}

    # -- tensors -------------------------------------------------------------------------
    def tag_inputs(self, values) -> None:
        """Mark every tensor in the model's arguments (nested ones too) as an input of the pass."""
        for value in values:
            for _, t in tensors_in(value):
                setattr(t, _TID, next(self._tids))
                setattr(t, _FROM_INPUT, True)

    def sizes(self, sizes) -> tuple[int, ...]:
        """Plain ints for a shape or stride (the hints, when sizes are symbolic)."""
        if self.shapes is None:
            return tuple(int(d) for d in sizes)
        return self.shapes.hints(sizes)

    def info(self, key: str, t: torch.Tensor, layout: bool = False) -> TensorInfo:
        if self.shapes is None:
            return self._info(key, t, layout)
        with self.shapes.quiet():
            return self._info(key, t, layout)

    def _info(self, key: str, t: torch.Tensor, layout: bool) -> TensorInfo:
        tid = getattr(t, _TID, None)
        return TensorInfo(
            self.sizes(t.shape),
            dtype_name(t.dtype),
            key,
            tid,
            self._producer.get(tid) if tid is not None else None,
            t.is_contiguous() if layout else True,
            self.sizes(t.stride()) if layout else None,
            self.shapes.texts(t.shape) if self.shapes is not None else None,
            getattr(t, _FROM_INPUT, False),
            values=getattr(t, _RANGE, None),
        )

    def check_deadline(self) -> None:
        now = budget.cpu_clock()
        if self.deadline is not None and now > self.deadline:
            raise BudgetSpent()
        if self.deadline is not None:
            projected = projected_overrun(self.deadline, self.pace, len(self.rows), now)
            if projected is not None:
                self.projected = projected
                raise BudgetSpent()

    def infos(self, obj, key: str = "", layout: bool = False) -> list[TensorInfo]:
        return [self.info(k, t, layout) for k, t in tensors_in(obj, key)]

    def outputs(self, obj, row: int) -> list[TensorInfo]:
        out = []
        for key, t in tensors_in(obj):
            tid = getattr(t, _TID, None)
            if tid is None:
                tid = next(self._tids)
                try:
                    setattr(t, _TID, tid)
                except (AttributeError, RuntimeError):
                    pass
                self._producer[tid] = row
            out.append(self.info(key, t))
        return out

    # -- modules -------------------------------------------------------------------------
    def attach(self) -> None:
        self._counts = param_counts(self.model)
        self._shared = _tied_modules(self.model)
        for name, module in self.model.named_modules():
            self._names[id(module)] = name
            if isinstance(module, torch.jit.ScriptModule):
                continue  # compiled (a `torch.jit.script` layer): it takes no hooks, and no rows
            self._handles.append(module.register_forward_pre_hook(self._pre, with_kwargs=True))
            self._handles.append(module.register_forward_hook(self._post, with_kwargs=True))

    def detach(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles.clear()

    @_guarded
    def _pre(self, module, args, kwargs):
        key = id(module)
        name = self._names.get(key, "")
        self._calls[key] += 1
        inputs = self.infos(args) + [i for k, v in (kwargs or {}).items() for i in self.infos(v, f"{k}=")]
        if self.deadline is not None:
            self.check_deadline()
        if self.stop_at is not None and ("module", name, self._calls[key]) == self.stop_at:
            self.stopped_inputs = inputs
            raise StopTrace()
        if self.row_done is not None:  # what happened before this call belongs to the caller
            self.row_done(self._parent())
        row = self._module_row(module, name, inputs, module_caller(sys._getframe(1)))
        self.rows.append(row)
        self.stack.append(row.index)

    def _parent(self) -> int | None:
        return self.stack[-1] if self.stack else None

    def _module_row(self, module, name: str, inputs: list[TensorInfo], caller) -> LayerRecord:
        """The running row of a module's call; its parameters are counted at its first call."""
        key = id(module)
        call = self._calls[key]
        total, trainable = self._counts.get(key, (0, 0)) if call == 1 else (0, 0)
        shared = {"shares_weights_with": self._shared[key]} if key in self._shared else {}
        return LayerRecord(
            index=len(self.rows),
            name=name or type(module).__name__,
            type=type(module).__name__,
            kind=MODULE,
            depth=len(self.stack),
            inputs=inputs,
            params=total,
            trainable=trainable,
            call=call,
            parent=self._parent(),
            attrs=module_attrs(module) | shared,
            defined_at=self._defined_at(module),
            called_at=location_of(caller) if self.stack else None,  # the root is called by shapecheck
            status=RowStatus.RUNNING,
        )

    def _defined_at(self, module) -> Location | None:
        """Where the model built the module; for the root, its class line."""
        site = self.def_sites.get(module)
        if site is None and not self.stack:
            return class_location(type(module))
        return site

    @_guarded
    def _post(self, module, args, kwargs, output):
        index = self.stack.pop()
        row = self.rows[index]
        row.outputs = self.outputs(output, index)
        row.status = RowStatus.OK
        if self.row_done is not None:
            self.row_done(index)

    # -- functional ops ------------------------------------------------------------------
    def op_kind(self, func) -> tuple[str, str | None]:
        try:
            kind = self._op_kinds.get(func)
        except TypeError:  # an unhashable callable
            full = function_name(func)
            return full, CATEGORY_OF.get(full)
        if kind is None:
            full = function_name(func)
            kind = (full, CATEGORY_OF.get(full))
            self._op_kinds[func] = kind
        return kind

    def site(self, full: str, caller) -> tuple[str, str, int, int]:
        """(type, file, line, occurrence) of an op called from model code; counts the call."""
        loc = location_of(caller)
        key = (short_op_name(full), loc.file, loc.line) if loc is not None else (short_op_name(full), "", 0)
        self._sites[key] += 1
        return (*key, self._sites[key])

    def record_op(
        self, full: str, category: str | None, args, kwargs, out, caller, failed: bool, site: tuple | None = None
    ) -> int:
        index = len(self.rows)
        tensors = self.infos(list(args), layout=True) + [
            i for k, v in kwargs.items() for i in self.infos(v, f"{k}=", layout=True)
        ]
        attrs = op_args(args, kwargs)
        if category:
            attrs["category"] = category
        short = short_op_name(full)
        row = LayerRecord(
            index=index,
            name=short.split(".")[-1],
            type=short,
            kind=OP,
            depth=len(self.stack),
            inputs=tensors,
            status=RowStatus.FAILED if failed else RowStatus.OK,
            parent=self.stack[-1] if self.stack else None,
            attrs=attrs,
            called_at=location_of(caller),
            call=site[3] if site else 1,
        )
        self.rows.append(row)
        if not failed:
            row.outputs = self.outputs(out, index)
        if self.row_done is not None:
            self.row_done(index)
        return index

    def propagate(self, args, out) -> None:
        """An unlisted op in model code that keeps the shape keeps the lineage (`F.relu(x)`)."""
        if not isinstance(out, torch.Tensor) or getattr(out, _TID, None) is not None:
            return
        for a in args:
            if isinstance(a, torch.Tensor) and self.sizes(a.shape) == self.sizes(out.shape):
                tid = getattr(a, _TID, None)
                if tid is not None:
                    try:
                        setattr(out, _TID, tid)
                    except (AttributeError, RuntimeError):
                        pass
                return


_LEGACY_TYPES = {
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "float16": "HalfTensor",
    "bfloat16": "BFloat16Tensor",
    "bool": "BoolTensor",
    "uint8": "ByteTensor",
    "int8": "CharTensor",
    "int16": "ShortTensor",
}


def _embedding_indices(args, kwargs) -> None:
    """A real run rejects float indices; the meta kernel of torch ≤ 2.12 looks them up anyway.
    It also rejects indices past the table, which meta cannot see: they are checked where the
    values are known (positions from torch.arange)."""
    indices = args[0] if args else kwargs.get("input")
    if isinstance(indices, torch.Tensor) and indices.dtype not in (torch.int64, torch.int32):
        kind = _LEGACY_TYPES.get(dtype_name(indices.dtype), dtype_name(indices.dtype))
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            f"Long, Int; but got torch.{kind} instead (while checking arguments for embedding)"
        )
    known = getattr(indices, _RANGE, None)
    if known is not None and _past_table(known, args[1] if len(args) > 1 else kwargs.get("weight")):
        raise IndexError("index out of range in self")


def _past_table(known: tuple[int, int], weight) -> bool:
    """Whether indices whose values run from `known[0]` to `known[1]` reach past the rows of
    the embedding table `weight`."""
    if not isinstance(weight, torch.Tensor) or weight.dim() != 2:
        return False
    low, high = known
    return high >= weight.shape[0] or low < -weight.shape[0]


def _range_of(full: str, args, kwargs, out) -> tuple[int, int] | None:
    """The value range of an op's result, for the few ops where it is known from the arguments."""
    if full == "torch.arange":
        return _arange_range(args, kwargs)
    source = args[0] if args else None
    known = getattr(source, _RANGE, None) if isinstance(source, torch.Tensor) else None
    if known is None or full in _KEEPS_VALUES:
        return known
    if full == "torch.Tensor.__getitem__":
        return _indexed_range(known, args)
    if full in _SHIFTS:
        return _shifted_range(full, known, args)
    return None


def _indexed_range(known: tuple[int, int], args) -> tuple[int, int] | None:
    """`x[:, None]`, `x[None, ...]`: indexing that only adds dims keeps every value."""
    if len(args) < 2:
        return None
    key = args[1] if isinstance(args[1], tuple) else (args[1],)
    return known if all(k is None or k is Ellipsis or k == slice(None) for k in key) else None


def _shifted_range(full: str, known: tuple[int, int], args) -> tuple[int, int] | None:
    """`x + 1`, `x - 1`: the range moves by a whole number."""
    shift = args[1] if len(args) > 1 else None
    if not isinstance(shift, int) or isinstance(shift, bool):
        return None
    sign = -1 if "sub" in full else 1
    return known[0] + sign * shift, known[1] + sign * shift


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _arange_range(args, kwargs) -> tuple[int, int] | None:
    """`torch.arange(start, end, step)` with whole numbers: its first and last values."""
    numbers = [a for a in args if _is_int(a)]
    if len(numbers) != len(args) or not 1 <= len(numbers) <= 3:
        return None
    # arange(end), arange(start, end), arange(start, end, step)
    start, end, step = (([0] if len(numbers) == 1 else []) + numbers + [1])[:3]
    start, end, step = kwargs.get("start", start), kwargs.get("end", end), kwargs.get("step", step)
    if not all(isinstance(v, int) for v in (start, end, step)) or step <= 0 or end <= start:
        return None
    return start, start + ((end - start - 1) // step) * step


# Ops whose result holds every value of their first argument, and only those.
_KEEPS_VALUES = {
    f"torch.Tensor.{name}"
    for name in (
        "unsqueeze",
        "expand",
        "expand_as",
        "view",
        "reshape",
        "flatten",
        "repeat",
        "contiguous",
        "long",
        "int",
        "clone",
        "detach",
        "to",
        "squeeze",
    )
} | {"torch.unsqueeze", "torch.reshape", "torch.flatten", "torch.squeeze"}
_SHIFTS = {
    "torch.Tensor.__add__",
    "torch.Tensor.__radd__",
    "torch.Tensor.__sub__",
    "torch.Tensor.add",
    "torch.Tensor.sub",
}


def _sizes(tensor) -> str:
    return "[" + ", ".join(str(int(n)) for n in tensor.shape) + "]"


def _conv_bias(weight, bias, expected: int, transposed: bool) -> None:
    if isinstance(bias, torch.Tensor) and (bias.dim() != 1 or bias.shape[0] != expected):
        given = "Given transposed=1, weight" if transposed else "Given weight"
        raise RuntimeError(
            f"{given} of size {_sizes(weight)}, expected bias to be 1-dimensional with {expected} elements, "
            f"but got bias of size {_sizes(bias)} instead"
        )


def _conv_checks(args, kwargs) -> None:
    """A real convolution checks its bias against the weight's output channels; meta does not."""
    weight = args[1] if len(args) > 1 else kwargs.get("weight")
    bias = args[2] if len(args) > 2 else kwargs.get("bias")
    if isinstance(weight, torch.Tensor) and weight.dim() >= 3:
        _conv_bias(weight, bias, int(weight.shape[0]), False)


def _conv_transpose_checks(args, kwargs) -> None:
    """A real transposed convolution checks the input's channels against the weight's first dim
    (its in_channels) and the bias against out_channels; the meta kernel checks neither."""
    names = ("input", "weight", "bias", "stride", "padding", "output_padding", "groups")
    given = dict(zip(names, args, strict=False)) | kwargs
    data, weight = given.get("input"), given.get("weight")
    if not isinstance(data, torch.Tensor) or not isinstance(weight, torch.Tensor) or weight.dim() < 3:
        return
    shown = data if data.dim() == weight.dim() else data.unsqueeze(0)
    if shown.dim() == weight.dim() and shown.shape[1] != weight.shape[0]:
        raise RuntimeError(
            f"Given transposed=1, weight of size {_sizes(weight)}, expected input{_sizes(shown)} to have "
            f"{int(weight.shape[0])} channels, but got {int(shown.shape[1])} channels instead"
        )
    groups = given.get("groups", 1)
    groups = groups if isinstance(groups, int) else 1
    _conv_bias(weight, given.get("bias"), int(weight.shape[1]) * groups, True)


def _dim_argument(args, kwargs, position: int = 1) -> None:
    """A real run rejects a dim outside the tensor's rank; some meta kernels wrap it silently."""
    data = args[0] if args else kwargs.get("input", kwargs.get("logits"))
    dim = args[position] if len(args) > position else kwargs.get("dim")
    if not isinstance(data, torch.Tensor) or not isinstance(dim, int) or isinstance(dim, bool):
        return
    rank = max(data.dim(), 1)
    if not -rank <= dim < rank:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim})")


def _index_vector(args, kwargs) -> None:
    """index_select takes a vector of indices; meta accepts any rank."""
    index = args[2] if len(args) > 2 else kwargs.get("index")
    if isinstance(index, torch.Tensor) and index.dim() > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")


# Checks a real run makes that some torch versions' meta kernels skip: run after the meta op
# succeeded, so where meta checks for itself nothing changes.
_REAL_CHECKS = {
    "torch.nn.functional.embedding": _embedding_indices,
    **{f"torch.nn.functional.conv{n}d": _conv_checks for n in (1, 2, 3)},
    **{f"torch.nn.functional.conv_transpose{n}d": _conv_transpose_checks for n in (1, 2, 3)},
    **{
        name: _dim_argument
        for name in (
            "torch.softmax",
            "torch.Tensor.softmax",
            "torch.nn.functional.softmax",
            "torch.nn.functional.softmin",
            "torch.sort",
            "torch.Tensor.sort",
            "torch.argsort",
            "torch.Tensor.argsort",
        )
    },
    "torch.nn.functional.gumbel_softmax": lambda args, kwargs: _dim_argument(args, kwargs, 4),
    "torch.index_select": _index_vector,
    "torch.Tensor.index_select": _index_vector,
}


def _ctc_loss_meta(args, kwargs):
    """CTC loss on meta tensors (torch has no meta kernel for it): the shape checks of a real
    run, then the loss's shape. log_probs (T, N, C) or (T, C); input_lengths and target_lengths
    hold N values; targets (N, S) or their concatenation."""
    names = ("log_probs", "targets", "input_lengths", "target_lengths", "blank", "reduction")
    given = dict(zip(names, args, strict=False)) | kwargs
    log_probs, targets = given["log_probs"], given["targets"]
    if log_probs.dim() not in (2, 3):
        raise RuntimeError(f"ctc_loss expects log_probs of 2 or 3 dims, got {log_probs.dim()}")
    for key in ("input_lengths", "target_lengths"):  # sized, batched or not
        value = given[key]
        size = value.numel() if isinstance(value, torch.Tensor) else len(value)
        if log_probs.dim() == 3 and size != log_probs.shape[1]:
            raise RuntimeError(f"{key} must be of size batch_size")
    if log_probs.dim() == 2:
        return torch.empty((), dtype=log_probs.dtype, device=log_probs.device)
    n = log_probs.shape[1]
    if targets.dim() == 2 and targets.shape[0] != n:
        raise RuntimeError(f"Expected tensor to have size at least {n} at dimension 0, but got size {targets.shape[0]}")
    shape = (n,) if given.get("reduction", "mean") in ("none", 0) else ()
    return torch.empty(shape, dtype=log_probs.dtype, device=log_probs.device)


# Ops torch has no meta kernel for, whose shapes are known without values: traced on meta.
# Recurrent layers' ops have meta kernels, but slow ones (per time step): their shapes at once.
_META_SHAPES = {"torch.nn.functional.ctc_loss": _ctc_loss_meta, **RNN_SHAPES}


def _flat_tensors(args, kwargs):
    for a in itertools.chain(args, kwargs.values()):
        if isinstance(a, torch.Tensor):
            yield a
        elif isinstance(a, (list, tuple)):
            for x in a:
                if isinstance(x, torch.Tensor):
                    yield x


class OpMode(TorchFunctionMode):
    """Sees every torch function call during the forward pass."""

    def __init__(self, recorder: Recorder):
        super().__init__()
        self.rec = recorder

    @_guarded
    def __torch_function__(self, func, types, args=(), kwargs=None):
        rec = self.rec
        full, category = rec.op_kind(func)
        if full == _SETITEM and _indexed_by_tensor(args):
            full, category = _INDEX_PUT, "index"  # `x[idx] += 1`: an index_put_, a row like index_add_
        func, args, kwargs = self._prepared(full, func, args, kwargs or {})
        frame = sys._getframe(1)  # the code that called the op
        caller = op_caller(frame) if category is not None else None
        site = rec.site(full, caller) if caller is not None else None
        if site is not None:
            func, args, kwargs, full, category = self._at_site(site, func, args, kwargs, full, category)
        try:
            out = self._call(full, func, args, kwargs)
        except (EngineLimit, StopTrace, BudgetSpent):
            raise
        except Exception as exc:
            self._failed(exc, full, category, args, kwargs, frame, caller, site)
            raise
        if rec.meta and isinstance(out, FakeTensor):
            out = _demoted(out, args, kwargs)
        if out is None and full == _INDEX_PUT and args and isinstance(args[0], torch.Tensor):
            out = args[0]  # written in place: the row returns the tensor it filled
        _mark_from_input(args, kwargs, out, _writes_in_place(full))
        _note_range(full, args, kwargs, out)
        self._recorded(full, category, args, kwargs, out, frame, caller, site)
        return out

    def _prepared(self, full, func, args, kwargs):
        """Before the call: the deadline, an engine's stand-in for the op, and what meta cannot run."""
        rec = self.rec
        if rec.deadline is not None:
            rec.check_deadline()
        if rec.substitute is not None:
            func, args, kwargs = rec.substitute(full, func, args, kwargs)
        if rec.meta:
            self._check_engine(full, args, kwargs)
        return func, args, kwargs

    def _recorded(self, full, category, args, kwargs, out, frame, caller, site) -> None:
        """A listed op called from model code becomes a row (an elementwise one only where it
        broadcasts); an op that keeps the shape passes the lineage on."""
        rec = self.rec
        if caller is None:
            if category is None and isinstance(out, torch.Tensor) and op_caller(frame) is not None:
                rec.propagate(args, out)
        elif category != "elementwise" or _broadcasts(rec, args):
            rec.record_op(full, category, args, kwargs, out, caller, False, site)
        else:
            rec.propagate(args, out)

    def _at_site(self, site, func, args, kwargs, full, category):
        """At a recorded op's call site: stop there (a probe), mark the row before it for the
        guards, and apply a fix's rewrite of the call (func, args, kwargs, full, category)."""
        rec = self.rec
        if rec.stop_at is not None and rec.stop_at == ("op", *site):
            rec.stopped_inputs = rec.infos(list(args), layout=True)
            raise StopTrace()
        if rec.row_done is not None:
            rec.row_done(rec.stack[-1] if rec.stack else None)
        rewrite = rec.rewrites.get(site[:3])
        if rewrite is not None:
            func, args, kwargs = rewrite(func, args, kwargs)
            full, category = rec.op_kind(func)
            category = category or "rewritten"
        return func, args, kwargs, full, category

    def _call(self, full, func, args, kwargs):
        """The op's result: on meta, from shapecheck's own shape function where it has one, and
        checked as a real run would check it."""
        rec = self.rec
        out = None
        if rec.meta and full in _META_SHAPES and any(t.is_meta for t in _flat_tensors(args, kwargs)):
            out = _META_SHAPES[full](args, kwargs)  # None: run the op as it is
        if out is None:
            out = func(*args, **kwargs)
        if rec.meta and full in _REAL_CHECKS:
            _REAL_CHECKS[full](args, kwargs)
        return out

    def _failed(self, exc: Exception, full, category, args, kwargs, frame, caller, site) -> None:
        """An op raised: an engine limit when meta has no kernel for it; otherwise the failing
        row is recorded (once: on the exception) and the exception goes on."""
        rec = self.rec
        if isinstance(exc, NotImplementedError) and rec.meta:
            reason = re.split(r"[.,] ", str(exc))[0].strip()[:100]
            raise EngineLimit(f"`{short_op_name(full)}` has no meta kernel ({reason})") from exc
        if hasattr(exc, "_shapecheck_row"):
            return
        if caller is None:
            caller = op_caller(frame)
            site = rec.site(full, caller) if caller is not None else None
        exc._shapecheck_row = None  # type: ignore[attr-defined]
        if caller is not None:
            exc._shapecheck_row = rec.record_op(full, category, args, kwargs, None, caller, True, site)  # type: ignore[attr-defined]

    def _check_engine(self, full, args, kwargs):
        tensors = list(_flat_tensors(args, kwargs))
        if not any(t.device.type == "meta" for t in tensors):
            return
        if _needs_values(full, args, kwargs):
            raise EngineLimit(f"`{short_op_name(full)}` needs tensor values")
        for t in tensors:
            if t.device.type != "meta" and t.dim() > 0:
                raise EngineLimit(
                    f"`{short_op_name(full)}` mixes meta tensors with a {t.device.type} tensor "
                    "that the model creates itself"
                )


def _needs_values(full: str, args, kwargs) -> bool:
    """Ops whose result's shape depends on tensor values, which meta tensors do not have."""
    if full in VALUE_OPS:
        return True
    if full == "torch.where":
        return len(args) == 1
    if full in ("torch.repeat_interleave", "torch.Tensor.repeat_interleave"):
        return len(args) < 2 or isinstance(args[1], torch.Tensor) or isinstance(kwargs.get("repeats"), torch.Tensor)
    return False


def _note_range(full: str, args, kwargs, out) -> None:
    """An integer tensor remembers the range of values it can hold, where the op says."""
    if isinstance(out, torch.Tensor) and not out.is_floating_point():
        known = _range_of(full, args, kwargs, out)
        if known is not None:
            try:
                setattr(out, _RANGE, known)
            except (AttributeError, RuntimeError):
                pass


def _demoted(out, args, kwargs):
    """A FakeTensor input (a default attention mask) keeps libraries from reading its values;
    what is computed from it together with plain meta tensors goes on as a plain meta tensor, so
    that fake dispatch (slow) does not spread through every later layer."""
    if not any(not isinstance(t, FakeTensor) for t in _flat_tensors(args, kwargs)):
        return out
    plain = torch.empty_strided(out.shape, out.stride(), dtype=out.dtype, device="meta")
    for attr in (_TID, _FROM_INPUT):
        if hasattr(out, attr):
            setattr(plain, attr, getattr(out, attr))
    return plain


_SETITEM, _INDEX_PUT = "torch.Tensor.__setitem__", "torch.Tensor.index_put_"


def _indexed_by_tensor(args) -> bool:
    """`x[idx] = v` with a tensor among the indices (advanced indexing: PyTorch's index_put_)."""
    if len(args) < 2:
        return False
    index = args[1]
    return isinstance(index, torch.Tensor) or (
        isinstance(index, (tuple, list)) and any(isinstance(i, torch.Tensor) for i in index)
    )


def _writes_in_place(full: str) -> bool:
    """`x.add_(y)`, `x[i] = y`, `x += y`: the op writes into its first argument."""
    name = full.rsplit(".", 1)[-1]
    if name.startswith("__"):
        return name in ("__setitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__")
    return name.endswith("_") and not name.startswith("_")


def _mark_from_input(args, kwargs, out, in_place: bool = False) -> None:
    """Lineage of data: an op's tensor results are computed from an input when any argument is;
    an op that writes into its first argument (`cm[y, p] += 1`, `zeros(C).index_add_(0, y, v)`)
    makes that tensor computed from the input too."""
    if not any(getattr(t, _FROM_INPUT, False) for t in _flat_tensors(args, kwargs)):
        return
    if in_place and args and isinstance(args[0], torch.Tensor) and not getattr(args[0], _FROM_INPUT, False):
        try:
            setattr(args[0], _FROM_INPUT, True)
        except (AttributeError, RuntimeError):
            pass
    if not isinstance(out, (torch.Tensor, tuple, list)):
        return
    for t in (out,) if isinstance(out, torch.Tensor) else out:
        if isinstance(t, torch.Tensor) and not getattr(t, _FROM_INPUT, False):
            try:
                setattr(t, _FROM_INPUT, True)
            except (AttributeError, RuntimeError):
                pass


def _broadcasts(rec: Recorder, args) -> bool:
    shapes = [rec.sizes(a.shape) for a in args if isinstance(a, torch.Tensor)]
    return len(shapes) >= 2 and len(set(shapes)) > 1
