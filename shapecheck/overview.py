"""`shapecheck.summary(...)`: torchinfo's `summary` call, answered by a meta trace.

Takes every argument torchinfo's `summary` takes, so swapping `from torchinfo import summary`
for `from shapecheck import summary` keeps a user's code working; the returned object prints
the table and exposes `total_params`, `trainable_params`, `total_mult_adds`, `input_size` and
`summary_list`. Unlike torchinfo it allocates no weights and runs no arithmetic, counts shared
parameters once, includes the work of matmul and attention in Mult-Adds, and carries
shapecheck's findings.

What a call means, as torchinfo reads it:
- no input at all: a table of the module tree and its parameters, nothing run;
- `input_size`: a shape with the batch dim (or, with `batch_dim`, without it), or one shape
  per input; `dtypes` one per input (`torch.long`, or an old type such as `torch.LongTensor`);
- `input_data`: a tensor, a list of positional arguments, or a dict of keyword arguments;
  values that are not tensors (ints, strings, None, `{}`, a namedtuple) are passed as they are;
- other keyword arguments go to `forward`, except those `shapecheck.check` takes (`engine`,
  `ignore`, `fit`, ...), unless `forward` has a parameter of that name.
"""

from __future__ import annotations

import inspect
import io
import weakref
from collections.abc import Mapping

from .errors import SpecError
from .render.common import column_names
from .report import Report
from .spec import Constant, InputSpec, Nested

_TORCHINFO_DEFAULT = ("output_size", "num_params")
ROW_SETTINGS = ("depth", "var_names", "ascii_only", "hide_recursive_layers")
MODES = ("same", "train", "eval")
# `cache_forward_pass=True`: the report of each (model, inputs, options), kept while the model lives.
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class ModelSummary:
    """What `summary()` returns: prints as the table, and has torchinfo's totals."""

    def __init__(
        self, report: Report, depth: int | None, columns: list[str], settings=(), input_size=None, param_bytes=None
    ):
        from .trace.costs import activation_bytes, tensor_bytes, total_macs

        self.report = report
        self.depth = depth
        self.columns = columns
        self.row_settings = tuple(settings)
        self.summary_list = report.layers
        self.total_params = report.trace.total_params
        self.trainable_params = report.trace.trainable_params
        self.total_mult_adds = total_macs(report.trace)
        self.findings = report.findings
        self.input_size = input_size
        self.total_param_bytes = param_bytes if param_bytes is not None else 4 * self.total_params
        self.total_input = sum(tensor_bytes(t) for t in report.inputs)  # bytes, as torchinfo names it
        self.total_output_bytes = activation_bytes(report.trace)  # every leaf row's outputs

    @staticmethod
    def float_to_megabytes(num: float) -> float:
        return num / 1e6

    def __str__(self) -> str:
        from .render.text import render

        report = self.report
        if "hide_recursive_layers" in self.row_settings:
            report = _without_repeats(report)
        out = io.StringIO()
        render(report, out, depth=self.depth, color="never", columns=self.columns)
        text = out.getvalue()
        if "ascii_only" in self.row_settings:
            text = text.replace("✓", "ok").replace("✗", "x").replace("…", "...").replace("·", "-")
            text = text.encode("ascii", "replace").decode("ascii")
        return text

    __repr__ = __str__


def _without_repeats(report: Report) -> Report:
    """The report with the second and later calls of each module (and what ran inside them)
    folded out of the table, as torchinfo's `hide_recursive_layers` shows it. Rows keep their
    indices (the renderer looks rows up by index): a folded row sits below any depth shown."""
    from dataclasses import replace

    hidden: set[int] = set()
    for row in report.layers:
        if _a_repeat(row, hidden):
            hidden.add(row.index)
    if report.trace.error is not None:
        hidden.discard(report.trace.error.layer)  # the failing row stays shown (None: no row)
    layers = [replace(r, depth=_FOLDED) if r.index in hidden else r for r in report.layers]
    return replace(report, trace=replace(report.trace, layers=layers))


def _a_repeat(row, hidden: set[int]) -> bool:
    """A second or later call of a module, or a row inside one already folded (`hidden`)."""
    return (row.call > 1 and row.kind == "module") or (row.parent is not None and row.parent in hidden)


_FOLDED = 10**6


def summary(
    model,
    input_size=None,
    input_data=None,
    batch_dim: int | None = None,
    cache_forward_pass: bool | None = None,
    col_names=None,
    col_width: int = 25,
    depth: int = 3,
    device=None,
    dtypes=None,
    mode: str | None = None,
    row_settings=None,
    verbose: int | None = None,
    **kwargs,
) -> ModelSummary:
    """The table of `model`, called as torchinfo's `summary` is (see the module's docstring).

    `col_names` in torchinfo's names (plus `groups`); `mode` "train", "eval" or "same" (the
    model's own flag); `row_settings` any of depth, var_names, ascii_only and
    hide_recursive_layers; `cache_forward_pass=True` reuses the trace of the same model and
    inputs. `device` and `col_width` are accepted and checked, and change nothing: the trace
    runs on meta, and the table sizes its columns to fit. `verbose=0` returns without printing.
    """
    _check_torchinfo_options(batch_dim, col_width, depth, mode, row_settings, verbose)
    del device  # meta: no device needed
    settings = tuple(row_settings or ("depth",))
    columns = column_names(col_names or _TORCHINFO_DEFAULT)
    options, forward_kwargs = _split_options(model, kwargs)
    if isinstance(options.get("fit"), str):
        from .spec import parse_bytes

        options["fit"] = parse_bytes(options["fit"])
    if input_size is None and input_data is None and not forward_kwargs:
        report = parameters_only(model)
        shown = None
    else:
        specs, batch, shown = _inputs(input_size, input_data, forward_kwargs, dtypes, batch_dim)
        train = _training(model, mode)
        report = _cached_check(model, specs, batch, train, options, cache_forward_pass)
    result = ModelSummary(report, depth, columns, settings, shown, _param_bytes(model))
    if verbose is None or verbose:
        print(result)
    return result


def _param_bytes(model) -> int | None:
    """The bytes of the model's parameters, each once, in their own dtypes (None for a name)."""
    from torch.nn.parameter import UninitializedParameter

    if not hasattr(model, "parameters"):
        return None
    unique = {id(p): p for p in model.parameters() if not isinstance(p, UninitializedParameter)}
    return sum(p.numel() * p.element_size() for p in unique.values())


def _check_torchinfo_options(batch_dim, col_width, depth, mode, row_settings, verbose) -> None:
    _check_counts(batch_dim, col_width, depth)
    if mode is not None and _word(mode) not in MODES:
        raise SpecError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    unknown = [setting for setting in row_settings or () if _word(setting) not in ROW_SETTINGS]
    if unknown:
        raise SpecError(f"unknown row setting {unknown[0]!r}", hint="row settings: " + ", ".join(ROW_SETTINGS))
    if verbose is not None and int(verbose) not in (0, 1, 2):
        raise SpecError(f"verbose must be 0, 1 or 2, got {verbose!r}")


def _check_counts(batch_dim, col_width, depth) -> None:
    if batch_dim is not None and not _at_least(batch_dim, 0):
        raise SpecError(f"batch_dim must be a dim index (0 or more), got {batch_dim!r}")
    if not _at_least(col_width, 1):
        raise SpecError(f"col_width must be a positive number of characters, got {col_width!r}")
    if not _at_least(depth, 0):
        raise SpecError(f"depth must be 0 or more, got {depth!r}")


def _at_least(value, least: int) -> bool:
    return _is_dim(value) and value >= least


def _word(option) -> str:
    """A torchinfo option given as an enum member or as its value's text."""
    return str(getattr(option, "value", option))


def _training(model, mode) -> bool:
    """torchinfo's default is eval mode; "same" keeps the model's own flag."""
    mode = _word(mode) if mode is not None else "eval"
    if mode == "same":
        return bool(getattr(model, "training", False))
    return mode == "train"


def _split_options(model, kwargs: dict) -> tuple[dict, dict]:
    """`shapecheck.check`'s own options, and the keyword arguments meant for `forward`."""
    from .api import check

    ours = set(inspect.signature(check).parameters) - {"model", "inputs", "batch", "no_batch", "train"}
    try:
        theirs = set(inspect.signature(model.forward).parameters)
    except (AttributeError, TypeError, ValueError):
        theirs = set()
    options = {k: v for k, v in kwargs.items() if k in ours and k not in theirs}
    return options, {k: v for k, v in kwargs.items() if k not in options}


def _cached_check(model, specs, batch, train: bool, options: dict, cache: bool | None) -> Report:
    from .api import check

    key = None
    if cache and not isinstance(model, str):
        key = (repr(specs), batch, train, repr(sorted(options.items())))
        hit = _CACHE.get(model, {}).get(key)
        if hit is not None:
            return hit
    report = check(model, specs, batch=batch or 1, no_batch=batch is None, train=train, **options)
    if key is not None:
        _CACHE.setdefault(model, {})[key] = report
    return report


# -- inputs ---------------------------------------------------------------------------------------


def _inputs(input_size, input_data, forward_kwargs: dict, dtypes, batch_dim):
    """Specs for the call, the batch (None when the inputs share no batch dim) and
    torchinfo's `input_size` attribute for the result."""
    if input_size is not None and input_data is not None:
        raise SpecError("summary() takes input_size or input_data, not both")
    if input_data is not None:
        return _from_data(input_data, forward_kwargs)
    sizes = _sizes(input_size, batch_dim)
    names = _dtype_names(dtypes, len(sizes))
    full = _with_batch_dim(sizes, batch_dim)
    batch = _shared_batch(full + _tensor_shapes(forward_kwargs.values())) if batch_dim in (None, 0) else None
    specs: list = [InputSpec(s[1:] if batch is not None else s, d) for s, d in zip(full, names, strict=True)]
    shown = sizes[0] if len(sizes) == 1 else sizes
    return specs + _from_values([], forward_kwargs, batch), batch, shown


def _with_batch_dim(sizes: list[tuple[int, ...]], batch_dim: int | None) -> list[tuple[int, ...]]:
    """With batch_dim, torchinfo runs a batch of 1, inserted at batch_dim."""
    return sizes if batch_dim is None else [s[:batch_dim] + (1,) + s[batch_dim:] for s in sizes]


def _from_data(input_data, forward_kwargs: dict):
    """`input_data`: a tensor, a list or tuple of positional inputs, or a mapping of keyword ones."""
    if isinstance(input_data, Mapping):
        args, kwargs = [], dict(input_data)
    elif isinstance(input_data, (list, tuple)):
        args, kwargs = list(input_data), {}
    else:
        args, kwargs = [input_data], {}
    kwargs.update(forward_kwargs)
    batch = _shared_batch(_tensor_shapes([*args, *kwargs.values()]))
    return _from_values(args, kwargs, batch), batch, _shapes_of(input_data)


def _sizes(input_size, batch_dim) -> list[tuple[int, ...]]:
    """`(2, 3)`, `[2]`, `torch.Size([2, 3])` → one input; `[(2, 3), (4,)]`, `[[1, 10], []]` →
    one each. An empty size is a 0-dim tensor."""
    if not isinstance(input_size, (list, tuple)):
        raise SpecError(f"input_size must be a tuple of dims or a list of them, got {type(input_size).__name__}")
    one = all(_is_dim(d) for d in input_size)
    sizes = [_one_size(size, input_size) for size in ([input_size] if one else input_size)]
    _check_sizes(sizes, input_size, batch_dim)
    return sizes


def _check_sizes(sizes: list[tuple[int, ...]], input_size, batch_dim) -> None:
    """Every dim at least 1, and `batch_dim` within each input's dims."""
    if any(d < 1 for size in sizes for d in size):
        raise SpecError(f"input_size {input_size!r}: every dim must be at least 1")
    if batch_dim is not None and any(batch_dim > len(s) for s in sizes):
        raise SpecError(f"batch_dim {batch_dim} is past the last dim of input_size {input_size!r}")


def _one_size(size, input_size) -> tuple[int, ...]:
    if not isinstance(size, (list, tuple)) or not all(_is_dim(d) for d in size):
        raise SpecError(f"input_size {input_size!r}: each input's size is a tuple of whole numbers")
    return tuple(int(d) for d in size)


def _is_dim(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _dtype_names(dtypes, count: int) -> list[str]:
    from .spec import DTYPES

    names = [_dtype_name(d) for d in (dtypes or [])]
    if len(names) > count:
        raise SpecError(f"{len(names)} dtypes for {count} inputs")
    names += ["float32"] * (count - len(names))
    for name in names:
        if name not in DTYPES.values():
            raise SpecError(f"dtype {name} has no dummy input here", hint="known: " + ", ".join(sorted(set(DTYPES))))
    return names


def _dtype_name(dtype) -> str:
    """`torch.long`, `"int64"`, or a legacy tensor type (`torch.LongTensor`,
    `torch.cuda.FloatTensor`) → `int64`."""
    inner = getattr(dtype, "dtype", None)  # torch.FloatTensor.dtype is torch.float32
    if inner is not None and not isinstance(dtype, str):
        dtype = inner
    return str(dtype).replace("torch.", "")


def _tensor_shapes(values) -> list[tuple[int, ...]]:
    """The shapes of the tensors in values (nested in lists, tuples and dicts), in order;
    SpecError for a dtype no dummy can be made of."""
    from .spec import DTYPES

    shapes: list[tuple[int, ...]] = []
    for value in values:
        if _is_tensor(value):
            if str(value.dtype).replace("torch.", "") not in set(DTYPES.values()):
                raise SpecError(f"a tensor input has dtype {value.dtype}, which shapecheck cannot make a dummy of")
            shapes.append(tuple(value.shape))
        elif isinstance(value, (list, tuple)):
            shapes += _tensor_shapes(value)
        elif isinstance(value, Mapping):
            shapes += _tensor_shapes(value.values())
    return shapes


def _shared_batch(shapes: list[tuple[int, ...]]) -> int | None:
    """The first dim every input shares, when each has one more dim besides (else no batch)."""
    firsts = {s[0] if s else None for s in shapes}
    if len(firsts) == 1 and None not in firsts and all(len(s) > 1 for s in shapes):
        return next(iter(firsts))
    return None


def _from_values(args: list, kwargs: dict, batch: int | None):
    """Specs for values: tensors by shape and dtype (their values kept for the real engine),
    structures of tensors as Nested, everything else passed through as a Constant. `batch`
    (shared by every tensor) is taken off the front of each."""

    def spec(value, name=None):
        if _is_tensor(value):
            shape = tuple(value.shape)
            dims = shape[1:] if batch is not None else shape
            return InputSpec(dims, str(value.dtype).replace("torch.", ""), name, value=value)
        if not _holds_tensor(value):
            return Constant(value, name)
        if isinstance(value, Mapping):
            return Nested({k: spec(v) for k, v in value.items()}, name)
        if hasattr(value, "_fields"):
            return Nested(type(value)(*(spec(v) for v in value)), name)
        return Nested(type(value)(spec(v) for v in value), name)

    return [spec(v) for v in args] + [spec(v, k) for k, v in kwargs.items()]


def _holds_tensor(value) -> bool:
    if _is_tensor(value):
        return True
    if isinstance(value, (list, tuple)):
        return any(_holds_tensor(v) for v in value)
    if isinstance(value, Mapping):
        return any(_holds_tensor(v) for v in value.values())
    return False


def _is_tensor(value) -> bool:
    return hasattr(value, "shape") and hasattr(value, "dtype") and hasattr(value, "dim")


def _shapes_of(value):
    """torchinfo's `input_size` for given data: each tensor's `torch.Size`, in the same structure."""
    if _is_tensor(value):
        return value.shape
    if isinstance(value, Mapping):
        return {k: _shapes_of(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_shapes_of(v) for v in value]
    return value


# -- no input: the module tree and its parameters -------------------------------------------------


def parameters_only(model) -> Report:
    """A report with a row per module (reused ones at each place they are held) and its
    parameters, shared ones counted once; nothing is run."""
    import time

    from .api import _load
    from .diagnose.findings import Diagnosis
    from .trace.records import MODULE, LayerRecord, Trace

    start = time.perf_counter()
    loaded = _load(model, None, False) if isinstance(model, str) else None
    module = loaded.module if loaded is not None else model
    label = loaded.label if loaded is not None else type(model).__name__
    counts = _subtree_counts(module)
    rows: list[LayerRecord] = []
    where: dict[str, int] = {}
    for name, sub in module.named_modules(remove_duplicate=False):
        parent = where.get(name.rpartition(".")[0]) if name else None
        params, trainable = counts.get(id(sub), (0, 0))
        row = LayerRecord(
            index=len(rows),
            name=name or label,
            type=getattr(sub, "original_name", type(sub).__name__),
            kind=MODULE,
            depth=name.count(".") + 1 if name else 0,
            params=params,
            trainable=trainable,
            parent=parent,
        )
        where[name] = row.index
        rows.append(row)
    trace = Trace(model=label, inputs=[], engine="none", layers=rows, batch=None)
    trace.total_params, trace.trainable_params = counts.get(id(module), (0, 0))
    return Report(
        model=label,
        inputs=[],
        engine="none",
        trace=trace,
        diagnosis=Diagnosis(),
        notes=["no input given: the module tree and its parameters, nothing was run (give input_size or input_data)"],
        seconds=time.perf_counter() - start,
    )


def _subtree_counts(module) -> dict[int, tuple[int, int]]:
    """id(module) → (parameters, trainable) of its subtree, each parameter once; a lazy
    parameter that has no size yet counts 0 (torchinfo's answer before a forward pass)."""
    from torch.nn.parameter import UninitializedParameter

    counts: dict[int, tuple[int, int]] = {}

    def walk(sub) -> dict:
        params = {id(p): p for p in sub.parameters(recurse=False) if not isinstance(p, UninitializedParameter)}
        for child in sub.children():
            params.update(walk(child))
        counts[id(sub)] = (
            sum(p.numel() for p in params.values()),
            sum(p.numel() for p in params.values() if p.requires_grad),
        )
        return params

    walk(module)
    return counts
