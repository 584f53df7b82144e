"""Run one forward pass on an engine: `meta` (shapes only) or `real` (tensors with values)."""

from __future__ import annotations

import contextlib
import inspect
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from ..spec import InputSpec
from ..words import Word
from .containers import hidden_modules, uncalled_modules, unused_parameters
from .meta import meta_state
from .recorder import EngineLimit, OpMode, Recorder, StopTrace
from .records import RowStatus, Trace, TraceError
from .sources import user_traceback

META = "meta"
REAL = "real"


def is_meta(model: nn.Module) -> bool:
    tensors = list(model.parameters()) + list(model.buffers())
    return bool(tensors) and all(t.device.type == "meta" for t in tensors)


def _dummy(shape, dtype, device: str, generator=None):
    """An input of `shape`: on meta, empty; otherwise random values from `generator` (made on
    the CPU, seeded the same for every check: a mask's count of True and everything computed
    from the values are the same on every machine and every run)."""
    if device == META:
        return torch.empty(shape, dtype=dtype, device=META)
    if generator is None:
        generator = _seeded()
    if dtype.is_floating_point:
        value = torch.rand(shape, generator=generator).to(dtype)
    elif dtype == torch.bool:
        value = torch.rand(shape, generator=generator) > 0.5
    else:
        value = torch.randint(0, 2, shape, generator=generator, dtype=dtype)
    return value.to(device)


def _seeded():
    generator = torch.Generator()
    generator.manual_seed(0)
    return generator


def _given(spec: InputSpec, batch: int | None, device: str):
    """The caller's own tensor for a spec, when it fits the shape asked for and the engine
    computes values (on meta only the shape matters)."""
    value = spec.value
    if device == META or not isinstance(value, torch.Tensor) or tuple(value.shape) != spec.shape(batch):
        return None
    return value.detach().clone().to(device)


def make_inputs(specs: list[InputSpec], batch: int | None, *, device: str, as_list: bool, fakes: bool = False) -> list:
    """Dummy inputs: a tensor per spec (a structure of them for a Nested spec), or (detection
    models) a list of per-sample images. With `fakes`, on meta, specs marked `fake` become
    FakeTensors (values no one can read, which libraries recognise as a trace)."""
    from ..spec import Constant, Nested

    inputs = _Inputs(batch, device, fakes)
    values = []
    for spec in specs:
        if as_list and not isinstance(spec, (Nested, Constant)):
            values.append(
                [_dummy(spec.dims, getattr(torch, spec.dtype), device, inputs.generator) for _ in range(batch or 1)]
            )
        else:
            values.append(inputs.build(spec))
    return values


class _Inputs:
    """Builds the inputs of one call: the FakeTensorMode for inputs marked `fake` is made at the
    first of them, and shared by the others."""

    def __init__(self, batch: int | None, device: str, fakes: bool):
        self.batch, self.device = batch, device
        self.fakes = fakes and device == META
        self.mode: Any = None  # torch's FakeTensorMode, made when first needed
        self.generator = _seeded() if device != META else None  # one seeded stream for the call's inputs

    def build(self, spec):
        from ..spec import Constant, Nested

        if isinstance(spec, Constant):
            return spec.value
        if isinstance(spec, Nested):
            return self._structure(spec.value)
        tensor = _given(spec, self.batch, self.device)
        if tensor is None:
            tensor = _dummy(spec.shape(self.batch), getattr(torch, spec.dtype), self.device, self.generator)
        return self._fake(tensor) if self.fakes and spec.fake else tensor

    def _structure(self, value):
        if isinstance(value, dict):
            return {k: self.build(v) for k, v in value.items()}
        if hasattr(value, "_fields"):  # a namedtuple takes its fields as arguments
            return type(value)(*(self.build(v) for v in value))
        return type(value)(self.build(v) for v in value)

    def _fake(self, tensor: torch.Tensor) -> torch.Tensor:
        if self.mode is None:
            try:
                from torch._subclasses.fake_tensor import FakeTensorMode

                self.mode = FakeTensorMode(allow_non_fake_inputs=True)  # it meets plain meta tensors
            except (ImportError, TypeError):  # pragma: no cover - a plain meta tensor then
                return tensor
        return self.mode.from_tensor(tensor)


@contextlib.contextmanager
def no_fastpath():
    """Turn off the attention fast path while tracing on meta: its nested-tensor kernels (used
    for padding masks in eval mode) have no meta form, and the slow path gives the same shapes.
    The caller's setting is put back."""
    mha = getattr(torch.backends, "mha", None)
    if mha is None or not hasattr(mha, "set_fastpath_enabled"):
        yield
        return
    before = mha.get_fastpath_enabled()
    mha.set_fastpath_enabled(False)
    try:
        yield
    finally:
        mha.set_fastpath_enabled(before)


@contextlib.contextmanager
def no_distribution_checks():
    """torch.distributions checks its arguments' values (a Normal's scale > 0) when built: on meta
    there are none to read. Shapes are all a trace needs; the caller's setting is put back."""
    before = torch.distributions.Distribution._validate_args
    torch.distributions.Distribution.set_default_validate_args(False)
    try:
        yield
    finally:
        torch.distributions.Distribution.set_default_validate_args(before)


def training_flags(model: nn.Module) -> list[tuple[nn.Module, bool]]:
    """Every submodule's training flag: `model.train(mode)` sets them all, and a frozen
    BatchNorm inside a training model must come back frozen."""
    return [(m, m.training) for m in model.modules()]


def restore_flags(flags: list[tuple[nn.Module, bool]]) -> None:
    for module, training in flags:
        module.training = training


def split_call(specs: list[InputSpec], values: list) -> tuple[tuple, dict]:
    """The positional and keyword arguments of `forward`, from one value per spec."""
    args = tuple(v for spec, v in zip(specs, values, strict=True) if spec.name is None)
    kwargs = {spec.name: v for spec, v in zip(specs, values, strict=True) if spec.name is not None}
    return args, kwargs


def check_arity(model: nn.Module, specs: list[InputSpec], label: str) -> None:
    """SpecError when `forward` needs inputs --input does not give, takes fewer positional ones,
    or has no parameter of a keyword input's name."""
    from ..errors import SpecError

    try:
        params = list(inspect.signature(model.forward).parameters.values())
    except (TypeError, ValueError):
        return
    keywords = [s.name for s in specs if s.name is not None]
    count = len(specs) - len(keywords)  # the positional inputs
    positional = [p for p in params if p.kind in _POSITIONAL]
    names = _parameter_names(params)
    _check_keywords(params, positional[:count], keywords, label, names)
    _check_missing(params, {p.name for p in positional[:count]} | set(keywords), len(specs), label, names)
    if count > len(positional) and not any(p.kind == p.VAR_POSITIONAL for p in params):
        raise SpecError(f"{label}: forward({names}) takes {len(positional)} inputs, --input gave {count}")


def _parameter_names(params: list) -> str:
    """`x, mask`: forward's parameters an input can name (not `*args`, `**kwargs`)."""
    return ", ".join(p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))


_P = inspect.Parameter
_POSITIONAL = (_P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD)
_NAMED = (*_POSITIONAL, _P.KEYWORD_ONLY)  # parameters an input can fill


def _check_missing(params: list, given: set[str], inputs: int, label: str, names: str) -> None:
    """SpecError for a parameter of forward without a default that no input fills."""
    from ..errors import SpecError

    missing = [p.name for p in params if p.default is p.empty and p.name not in given and p.kind in _NAMED]
    if missing:
        raise SpecError(
            f"{label}: forward({names}) needs {len(missing) + len(given)} inputs, --input gave "
            f"{inputs} (missing: {', '.join(missing)})",
            hint=f"pass --input once per input of forward, in order, or by name: --input {missing[0]}=DIMS",
        )


def _check_keywords(params: list, given_positional: list, keywords: list, label: str, names: str) -> None:
    """SpecError for a keyword input forward has no parameter for, or gets positionally too."""
    from ..errors import SpecError

    by_keyword = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    any_keyword = any(p.kind == p.VAR_KEYWORD for p in params)
    positional = [p.name for p in params if p.kind in _POSITIONAL]
    for key in keywords:
        if key not in by_keyword and not any_keyword:
            raise SpecError(f"{label}: forward({names}) has no parameter '{key}' (from --input {key}=…)")
        if any(p.name == key for p in given_positional):
            raise SpecError(
                f"{label}: --input {key}=… gives '{key}' a second time: it is already "
                f"positional input {positional.index(key) + 1}"
            )


def run(
    model: nn.Module,
    specs: list[InputSpec],
    *,
    engine: str = META,
    batch: int | None = 1,
    train: bool = False,
    device: str = "cpu",
    as_list: bool = False,
    label: str | None = None,
    def_sites=None,  # module → Location where it was created
    stop_at: tuple | None = None,
    rewrites: dict | None = None,
) -> Trace:
    """Trace one forward pass. The model is left as it was: hooks removed, mode restored.

    With `stop_at` (("module", name, call) or ("op", type, file, line, occurrence)) the pass
    ends when that row is about to run; its inputs are kept in `probe_inputs` (used to probe
    other input sizes cheaply). `rewrites` change op calls, to test fixes.
    """
    meta = engine == META
    inputs = make_inputs(specs, batch, device=META if meta else device, as_list=as_list, fakes=True)
    rec = Recorder(model, meta=meta, def_sites=def_sites, stop_at=stop_at, rewrites=rewrites)
    rec.tag_inputs(inputs)
    trace = Trace(
        model=label or type(model).__name__,
        inputs=[i for spec, v in zip(specs, inputs, strict=True) for i in rec.infos(v, spec.name or "")],
        engine=engine,
        training=train,
        batch=batch,
        image_list=as_list,
    )
    _count_parameters(model, trace)
    contexts = [torch.device(META), no_fastpath(), no_distribution_checks()] if meta else []
    try:
        recorded_pass(model, rec, trace, train, _forward(model, *split_call(specs, inputs), meta), contexts)
    except StopTrace:
        pass
    trace.probe_inputs = rec.stopped_inputs
    if trace.error is None and stop_at is None:
        trace.uncalled = uncalled_modules(model, trace.layers, rec.def_sites)
    return trace


def _count_parameters(model: nn.Module, trace: Trace) -> None:
    params = list(model.parameters())
    trace.total_params = sum(p.numel() for p in params)
    trace.trainable_params = sum(p.numel() for p in params if p.requires_grad)
    trace.hidden_modules = hidden_modules(model)
    trace.unused_params = unused_parameters(model)


def _forward(model: nn.Module, args: tuple, kwargs: dict, meta: bool) -> Callable[[], object]:
    """The forward pass to record: on meta, a model with real weights runs on meta copies of them."""
    if meta and not is_meta(model):
        state = meta_state(model)
        return lambda: torch.func.functional_call(model, state, args, kwargs, strict=False)
    return lambda: model(*args, **kwargs)


def recorded_pass(model: nn.Module, rec: Recorder, trace: Trace, train: bool, forward, contexts=(), inner=()) -> None:
    """Run `forward()` with the recorder attached, gradients off, warnings hushed and `contexts`
    entered (`inner` ones last, around the forward pass alone: a timer that interrupts). The
    model's exception becomes `trace.error`; StopTrace and BudgetSpent (ends, not failures)
    propagate. Either way the rows land in `trace.layers` and the caller's state is left as it
    was: hooks removed, training mode and grad mode restored.
    """
    flags = training_flags(model)
    grad = torch.is_grad_enabled()
    model.train(train)
    rec.attach()
    start = time.perf_counter()
    # Hooks add frames to every module call: room for deep nesting (200 Sequentials in a row).
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 6000))
    try:
        with contextlib.ExitStack() as stack:
            for context in contexts:
                stack.enter_context(context)
            stack.enter_context(torch.no_grad())
            stack.enter_context(warnings.catch_warnings())
            stack.enter_context(_warn_always())
            _record_warnings(rec, trace, sys._getframe())
            stack.enter_context(OpMode(rec))
            for context in inner:
                stack.enter_context(context)
            forward()
    except (StopTrace, RecursionError):  # too deep to trace: api.check says so in one line
        raise
    except Exception as exc:
        trace.error = _error(exc, rec)
    finally:
        sys.setrecursionlimit(limit)
        trace.seconds = time.perf_counter() - start
        rec.detach()
        restore_flags(flags)
        torch.set_grad_enabled(grad)
        trace.layers = rec.rows


@contextlib.contextmanager
def _warn_always():
    """PyTorch's warn-once warnings (`torch.cross` without `dim`) warn at every trace: once per
    process, a check's findings would depend on what ran in the process before it."""
    before = torch.is_warn_always_enabled()
    torch.set_warn_always(True)
    try:
        yield
    finally:
        torch.set_warn_always(before)


def _record_warnings(rec: Recorder, trace: Trace, boundary=None) -> None:
    """Inside a catch_warnings block: UserWarnings become `trace.warnings` (once per message and
    row, with the module running and the model-code line), everything else is hushed
    (deprecations are the library's business, not the model's). The model-code line is below
    `boundary` (the frame that runs the forward pass): a warning raised by torch's own module
    (a loss checked on its own) has none, not the line of whatever called shapecheck."""
    from .records import TraceWarning
    from .sources import is_library, location_of

    def model_line():
        frame = sys._getframe(2)
        while frame is not None and frame.f_code.co_filename == warnings.__file__:
            frame = frame.f_back
        while frame is not None and frame is not boundary and is_library(frame.f_code.co_filename):
            frame = frame.f_back
        return None if frame is None or frame is boundary else location_of(frame)

    warnings.simplefilter("ignore")
    warnings.simplefilter("always", UserWarning)
    seen = {(w.message, w.row) for w in trace.warnings}

    def show(message, category, filename, lineno, file=None, line=None):
        if not issubclass(category, UserWarning):
            return
        text = str(message).strip().splitlines()[0] if str(message).strip() else category.__name__
        row = rec.stack[-1] if rec.stack else None
        if (text, row) in seen:
            return
        seen.add((text, row))
        trace.warnings.append(TraceWarning(category.__name__, text, row, model_line()))

    warnings.showwarning = show


def _error(exc: BaseException, rec: Recorder) -> TraceError:
    row = getattr(exc, "_shapecheck_row", None)
    if row is None and rec.stack:
        row = rec.stack[-1]
    for index in rec.stack:
        if rec.rows[index].status == RowStatus.RUNNING:
            rec.rows[index].status = RowStatus.ABORTED
    if row is not None:
        rec.rows[row].status = RowStatus.FAILED
        # Rows recorded after the failing one (e.g. a module aborted around an op) stay.
    message = str(exc).strip() or type(exc).__name__
    limit = isinstance(exc, EngineLimit)
    return TraceError(
        type=type(exc).__name__,
        message=message,
        layer=row,
        engine_limit=limit,
        user_frames=user_traceback(exc.__traceback__),
    )


def materialize_lazy(
    model: nn.Module, specs: list[InputSpec], *, batch: int | None, as_list: bool = False, device: str = META
) -> bool:
    """Give `nn.LazyLinear`, `nn.LazyConv2d`, … their sizes, as a first batch would: one
    unrecorded forward pass lets each layer infer its sizes from what reaches it. On meta the
    lazy parameters are first made uninitialized on meta, so no weight is allocated. True when
    the model had lazy parameters. A pass that fails leaves the rest to the trace."""
    if not _uninitialized_to(model, device):
        return False
    inputs = make_inputs(specs, batch, device=device, as_list=as_list, fakes=True)
    args, kwargs = split_call(specs, inputs)
    flags = training_flags(model)
    contexts: list = [torch.device(META), no_fastpath()] if device == META else []
    try:
        with torch.no_grad(), warnings.catch_warnings(), contextlib.ExitStack() as stack:
            for context in contexts:
                stack.enter_context(context)
            warnings.simplefilter("ignore")
            model(*args, **kwargs)
    except Exception:
        pass
    finally:
        restore_flags(flags)
    return True


def _uninitialized_to(model: nn.Module, device: str) -> bool:
    """Whether the model has lazy (uninitialized) parameters or buffers; for the meta engine they
    are made anew on meta."""
    from torch.nn.parameter import UninitializedBuffer, UninitializedParameter

    lazy = False
    for module in model.modules():
        tables: list[tuple[dict, type]] = [
            (module._parameters, UninitializedParameter),
            (module._buffers, UninitializedBuffer),
        ]
        for table, kind in tables:
            for name, value in list(table.items()):
                if not isinstance(value, (UninitializedParameter, UninitializedBuffer)):
                    continue
                lazy = True
                if device == META and value.device.type != META:
                    table[name] = kind(requires_grad=value.requires_grad, device=META, dtype=value.dtype)
    return lazy


def prober(model: nn.Module, specs: list[InputSpec], *, batch: int | None, train: bool = False, as_list: bool = False):
    """A test `runs(shape) -> bool`: does one meta forward pass finish with input 0 at `shape`?

    No hooks and no rows: twice as fast as a trace (resnet50: 0.03 s against 0.05 s), for
    questions that only need yes or no, such as which input sizes a model accepts.
    """
    state = None if is_meta(model) else meta_state(model)

    def runs(shape: tuple[int, ...]) -> bool:
        dims = tuple(shape[1:]) if batch is not None else tuple(shape)
        if not isinstance(specs[0], InputSpec):
            return False  # a nested first input has no one size to try
        shaped = [InputSpec(dims, specs[0].dtype, specs[0].name), *specs[1:]]
        inputs = make_inputs(shaped, shape[0] if batch is not None else None, device=META, as_list=as_list, fakes=True)
        args, kwargs = split_call(shaped, inputs)
        flags = training_flags(model)
        model.train(train)
        try:
            with torch.no_grad(), warnings.catch_warnings(), torch.device(META), no_fastpath():
                warnings.simplefilter("ignore")
                if state is None:
                    model(*args, **kwargs)
                else:
                    torch.func.functional_call(model, state, args, kwargs, strict=False)
        except Exception:
            return False
        finally:
            restore_flags(flags)
        return True

    return runs


class Fallback(Word):
    """Why `--engine auto` traced with the real engine after the meta engine."""

    ENGINE_LIMIT = "engine-limit"  # the meta engine cannot run an op
    BOTH_FAIL = "both-fail"  # no rule explained the meta failure, and the real engine fails too
    META_ONLY = "meta-only"  # the meta engine raised where the real engine does not


def trace_model(
    loaded, specs: list[InputSpec], *, engine: str, device: str, common: dict, explained=None
) -> tuple[Trace, str | None, Fallback | None]:
    """Trace a loaded model with `engine` (auto, meta or real) and say how it went.

    auto: meta first; the real engine when meta cannot run an op (`engine_limit`) or when
    `explained(trace)` says no rule explains the meta failure. Returns the trace, a note on the
    fallback for the report, and the fallback itself (both None when there was none).
    """
    from ..errors import ShapecheckError

    if engine == REAL:
        return run_real(loaded, specs, device, common), None, None
    trace = run(loaded.module, specs, engine=META, def_sites=loaded.def_sites, **common)
    err = trace.error
    if err is None:
        return trace, None, None
    if err.engine_limit and engine == META:
        raise ShapecheckError(
            f"the meta engine cannot trace {loaded.label}: {err.message}", hint="use --engine auto or --engine real"
        )
    if engine != "auto" or not (err.engine_limit or (explained is not None and not explained(trace))):
        return trace, None, None
    real = run_real(loaded, specs, device, common)
    return (real, *_fallback(err, real))


def _fallback(err: TraceError, real: Trace) -> tuple[str, Fallback]:
    """The note on a fallback to the real engine, and which one it was."""
    if err.engine_limit:
        return f"meta engine: {err.message}; traced with the real engine", Fallback.ENGINE_LIMIT
    if real.error is not None:
        return "no rule explained the meta engine's failure, so the real engine ran: it fails too", Fallback.BOTH_FAIL
    note = f"the meta engine raised {err.type} where the real engine does not; traced with the real engine"
    return note, Fallback.META_ONLY


def run_real(loaded, specs: list[InputSpec], device: str, common: dict) -> Trace:
    """Trace with real tensors on `device`, on a copy: the caller's weights, buffers (running
    statistics), devices and training flags stay as they were."""
    import copy

    from ..errors import ShapecheckError

    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ShapecheckError("--device cuda: no CUDA device is available here", hint="use --device cpu")
    sites = loaded.def_sites
    if is_meta(loaded.module):
        if loaded.rebuild is not None:
            module, sites = loaded.rebuild()
        else:
            module = materialize(loaded.module)
    else:
        module = copy.deepcopy(loaded.module)
        sites = copied_sites(loaded.module, module, sites)
    module.to(device)
    materialize_lazy(module, specs, batch=common.get("batch"), as_list=common.get("as_list", False), device=device)
    return run(module, specs, engine=REAL, device=device, def_sites=sites, **common)


def copied_sites(original: nn.Module, copy: nn.Module, sites):
    """Where each module of a copy was defined: its original's line, matched by name (a layer
    an edit replaced keeps the line that built the one it replaces)."""
    import weakref

    out: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    if not sites:
        return out
    originals = dict(original.named_modules())
    for name, module in copy.named_modules():
        site = sites.get(originals[name]) if name in originals else None
        if site is not None:
            out[module] = site
    return out


def materialize(module: nn.Module) -> nn.Module:
    """A copy of a meta module with random weights (for modules that cannot be rebuilt)."""
    import copy

    clone = copy.deepcopy(module).to_empty(device="cpu")
    with torch.no_grad():
        for name, tensor in list(clone.named_parameters()) + list(clone.named_buffers()):
            if tensor.is_floating_point():
                if name.endswith("var"):
                    tensor.fill_(1.0)
                else:
                    tensor.normal_(0, 0.02)
            else:
                tensor.zero_()
        for sub in clone.modules():
            reset = getattr(sub, "reset_parameters", None)
            if callable(reset):
                try:
                    reset()
                except Exception:
                    pass
    return clone
