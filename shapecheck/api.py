"""`check()`: wire spec → loading → trace → diagnose into one Report."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterable
from dataclasses import replace

from . import snapshot, threads
from .errors import DryRunStopped, LoadError, ShapecheckError, SpecError
from .loading import ConstructionFailed, LinePatch, LoadedModel, resolve
from .options import CheckOptions
from .report import Report
from .spec import Constant, InputSpec, Nested, parse_input
from .trace.budget import DEFAULT_RERUN_S, DEFAULT_SYMBOLIC_S, MAX_PROBES, MAX_RERUNS
from .trace.requests import SourceNotPatched


def parse_inputs(inputs) -> list[InputSpec | Nested | Constant] | None:
    """`"3x224x224"`, a list of specs, or None (the model's defaults) → parsed specs."""
    if inputs is None:
        return None
    if isinstance(inputs, (str, InputSpec, Nested, Constant)):
        inputs = [inputs]
    specs = [i if isinstance(i, (InputSpec, Nested, Constant)) else parse_input(str(i)) for i in inputs]
    _check_keywords_last(specs)
    return specs


def _check_keywords_last(specs: list) -> None:
    """SpecError for a positional input after a keyword one, or a keyword input given twice."""
    named = [s for s in specs if s.name is not None]
    if named and any(s.name is None for s in specs[specs.index(named[0]) :]):
        raise SpecError(
            f"--input {specs[specs.index(named[0]) + 1]} comes after the keyword input --input {named[0]}",
            hint="give positional inputs first, keyword inputs (NAME=DIMS) last",
        )
    if len({s.name for s in named}) != len(named):
        raise SpecError("the same keyword input is given twice")


def _specs(parsed: list[InputSpec | Nested | Constant] | None, loaded: LoadedModel) -> list:
    specs = parsed if parsed is not None else loaded.default_inputs
    if specs is None or (parsed is None and not specs):
        raise SpecError(
            f"{loaded.label} needs an input size", hint="pass --input with the per-sample dims, e.g. --input 3x224x224"
        )
    return [replace(s, fake=True) if isinstance(s, InputSpec) and s.name in loaded.fake_inputs else s for s in specs]


# torch walks a module tree recursively (`named_modules`), and each nested module call adds a
# handful of frames: Python's default limit of 1,000 ends a model nested ~900 deep. Room for
# 1,200 nested modules (tested), then one line instead of a traceback. Not more: on Python
# 3.10 each frame also takes C stack, and 20,000 frames overflow it (the worker dies by SIGSEGV).
_RECURSION = 10_000


# Failed ops on fake tensors and failed range analysis are logged at ERROR/WARNING with long
# texts; the report says what matters. Hushed for the check only, then as they were.
_NOISY_LOGGERS = (
    "torch._subclasses.fake_tensor",
    "torch.fx.experimental.symbolic_shapes",
    "torch.fx.experimental.sym_node",
    "torch.utils._sympy.interp",
)


@contextlib.contextmanager
def _quiet_torch_logs():
    import logging

    loggers = [logging.getLogger(name) for name in _NOISY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
        # and a filter: torch's logging setup (run when a model first imports torch._dynamo)
        # sets these loggers' levels again, mid-check
        logger.addFilter(_drop)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeFilter(_drop)
            logger.setLevel(level)


def _drop(record) -> bool:
    return False


@contextlib.contextmanager
def _recursion_room():
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _RECURSION))
    try:
        yield
    except RecursionError:
        raise ShapecheckError(
            "the model nests modules deeper than shapecheck can follow, or its code recurses without "
            "end (Python's recursion limit)",
            hint="check a part of it: a submodule's class, or fewer blocks",
        ) from None
    finally:
        sys.setrecursionlimit(limit)


def _guarded(fn):
    """Around a whole check: room for deep models, and torch's noisy loggers hushed."""
    import functools

    @functools.wraps(fn)
    def run(*args, **kwargs):
        # the whole check under the lock: the limit and log levels it changes are put back in
        # order when threads check at once (they used to save each other's values)
        with threads.exclusive(), _recursion_room(), _quiet_torch_logs():
            return fn(*args, **kwargs)

    return run


def check(
    model,
    inputs: str | InputSpec | Iterable[str | InputSpec] | None = None,
    *,
    batch: int = 1,
    no_batch: bool = False,
    train: bool = False,
    engine: str = "auto",
    device: str = "cpu",
    args: dict | None = None,
    ignore=(),
    weights: str | None = None,
    trust_pickle: bool = False,
    probe_budget_s: float = DEFAULT_RERUN_S,
    symbolic: bool = False,
    budget_s: float = DEFAULT_SYMBOLIC_S,
    stage=None,
    defined_at=None,
    memory: bool = False,
    fit: int | None = None,
    max_reruns: int = MAX_RERUNS,
    max_probes: int = MAX_PROBES,
    input_names: tuple[str, ...] = (),
) -> Report:
    """Trace `model` (an nn.Module, a torchvision name or `file.py:Name`) and diagnose it.

    `ignore` lists codes or rule names to suppress; `weights` is a checkpoint to compare with
    the model (SC110). `symbolic` traces with symbolic input dims and works out which input
    sizes the model accepts (`Report.accepted`), with at most `max_probes` concrete probes.
    Diagnosis re-traces the model to probe sizes and check fixes, at most `max_reruns` times
    per diagnosis. Both budgets count traces, so a report is the same on a busy machine as on
    a quiet one. `probe_budget_s` and `budget_s` (--budget) no longer bound them: 10× each is
    the safety cap, in CPU seconds, of the re-runs and of --symbolic, and a report whose search
    stopped there says so in its notes. `stage(name)` is
    called as each stage starts ("loading", "tracing", "diagnosing", "symbolic"), so a caller
    can say where model code stopped. A module passed in is left as it was: its parameters,
    buffers, devices, training flags and hooks. `defined_at` maps its submodules to the line of
    your code that created or assigned them (`model.fc = nn.Linear(...)`; `shapecheck run`
    records it), so findings point there. `memory` measures what the model holds per batch size
    (`trace.memory`: weights, activations kept for backward per layer, peaks); `fit` (bytes,
    implies `memory`) is the budget whose largest batch the report states. `input_names` are
    the caller's names for the inputs (`net(img)`: `img`), used in the fixes' code.
    """
    options = CheckOptions(
        inputs=inputs,
        batch=batch,
        no_batch=no_batch,
        train=train,
        engine=engine,
        device=device,
        args=args or {},
        ignore=ignore,
        weights=weights,
        trust_pickle=trust_pickle,
        probe_budget_s=probe_budget_s,
        symbolic=symbolic,
        budget_s=budget_s,
        memory=memory,
        fit=fit,
        max_reruns=max_reruns,
        max_probes=max_probes,
    )
    return check_with(model, options, stage=stage, defined_at=defined_at, input_names=input_names)


@_guarded
def check_with(
    model, options: CheckOptions, *, stage=None, defined_at=None, input_names: tuple[str, ...] = ()
) -> Report:
    """`check` with its settings as one value (`worker.Job` carries it); `stage`, `defined_at`
    and `input_names` are about the caller, not settings."""
    start = time.perf_counter()
    notify = stage or (lambda name: None)
    options.validate()  # values that cannot work end here, before anything is imported
    ignored = options.ignored_codes()
    parsed = parse_inputs(options.inputs)  # a malformed spec fails before any model is imported
    notify("loading")
    with _model_output_to_stderr(), _one_at_a_time():
        snapshot.reset()
        known = set(sys.modules)
        try:
            loaded = _load(model, options.args, options.trust_pickle, defined_at)
        except ConstructionFailed as failed:
            if not isinstance(model, str):
                raise
            return _not_built(model, options, parsed, failed, ignored, start)
        # the files of the tree the model imported, as they are now (the model's own: as imported)
        snapshot.take(modules=[module for name, module in list(sys.modules.items()) if name not in known])
    batch = _batch_of(loaded, parsed, options)
    if loaded.kind != "module":
        return _saved_program(loaded, options, parsed, batch, ignored, start, notify)
    specs = list(loaded.default_inputs or []) if loaded.own_batch is not None else _specs(parsed, loaded)
    checkpoint = _checkpoint(options.weights, loaded)
    run = _Run(loaded, specs, options, batch, notify)
    trace, note, accepted, diagnosis = run.diagnosed(checkpoint, input_names)
    if checkpoint is not None and not checkpoint.matches and isinstance(model, str):
        _verify_checkpoint_fixes(diagnosis, model, dict(options.args), options.weights)
    from .diagnose import suppress

    suppress.apply(diagnosis, trace, ignored)
    trace.probe_inputs = None  # tensors: the report is plain data
    notes = list(loaded.notes) + list(diagnosis.notes) + run.memory_notes(trace)
    notes += _checkpoint_notes(checkpoint, options.weights)
    return _report(loaded, trace, diagnosis, note, notes, start, accepted)


def _batch_of(loaded: LoadedModel, parsed, options: CheckOptions) -> int | None:
    """The batch: --batch (None with --no-batch), or a script's own from its dry run (its
    tensors, its batch: --input does not apply)."""
    if loaded.own_batch is None:
        return None if options.no_batch else options.batch
    if parsed is not None:
        raise SpecError(f"{loaded.label} is a script: it makes its own tensors, so --input does not apply")
    return loaded.own_batch[0]


def _checkpoint(weights: str | None, loaded: LoadedModel):
    """The checkpoint compared with the model (SC110), when --weights names one."""
    if not weights:
        return None
    from .saved.state import compare

    return compare(weights, loaded.module)


def _checkpoint_notes(checkpoint, weights: str | None) -> list[str]:
    """A note that the checkpoint matches the model, when it does."""
    if checkpoint is None or not checkpoint.matches:
        return []
    return [
        f"checkpoint {weights} matches the model: {len(checkpoint.checkpoint)} tensors"
        + "".join(f"; {n}" for n in checkpoint.notes)
    ]


def _saved_program(loaded: LoadedModel, options: CheckOptions, parsed, batch, ignored, start, notify) -> Report:
    """A TorchScript or torch.export file: traced by its own runner, shape-only."""
    if options.weights:
        raise SpecError("--weights applies to an architecture (a name or a .py model), not to a saved program")
    notify("tracing")
    with _one_at_a_time():
        saved = _saved_report(loaded, parsed, batch, ignored, start)
    if options.memory or options.fit is not None:
        saved.notes.append("memory not measured: a saved program is checked shape-only, without autograd")
    return saved


class _Run:
    """The stages of a check of a module after loading: trace, --symbolic, diagnose, memory."""

    def __init__(self, loaded: LoadedModel, specs: list, options: CheckOptions, batch: int | None, notify):
        self.loaded, self.specs, self.options, self.batch, self.notify = loaded, specs, options, batch, notify
        self.common = dict(batch=batch, train=options.train, as_list=loaded.takes_image_list, label=loaded.label)

    def diagnosed(self, checkpoint, input_names: tuple[str, ...]):
        """(trace, the engine's note, accepted inputs or None, diagnosis)."""
        from .diagnose import diagnose
        from .trace import engines

        loaded, specs, options, common = self.loaded, self.specs, self.options, self.common
        engines.check_arity(loaded.module, specs, loaded.label)
        with _model_output_to_stderr(), _one_at_a_time():
            engines.materialize_lazy(loaded.module, specs, batch=self.batch, as_list=loaded.takes_image_list)
        self.notify("tracing")
        with _model_output_to_stderr(), _one_at_a_time():
            trace, note, fallback = engines.trace_model(
                loaded,
                specs,
                engine=options.engine,
                device=options.device,
                common=common,
                explained=None if options.real_for_limits_only else (lambda t: not _unexplained(diagnose(t))),
            )
            trace.input_names = tuple(input_names)
            trace.arguments = loaded.arguments
            runner = _runner(loaded, specs, common) if trace.engine == engines.META else None
            accepted = None
            if options.symbolic:
                self.notify("symbolic")
                accepted, note_sym = _accepted_inputs(
                    loaded, specs, common, trace, runner, options.budget_s, options.max_probes
                )
                if note_sym:
                    note = f"{note}; {note_sym}" if note else note_sym
            self.notify("diagnosing")
            # A real-engine trace still gets dim provenance from meta re-runs (when meta could run
            # the model: the fallback came from an unexplained failure, not an engine limit).
            both_fail = runner is None and fallback == engines.Fallback.BOTH_FAIL
            shadow = _runner(loaded, specs, common) if both_fail else None
            diagnosis = diagnose(
                trace,
                runner=runner or _real_runner(loaded, specs, common, trace, fallback, options.device),
                budget_s=options.probe_budget_s,
                domain=accepted,
                meta_runner=shadow,
                max_reruns=options.max_reruns,
                checkpoint=checkpoint,
            )
        return trace, note, accepted, diagnosis

    def memory_notes(self, trace) -> list[str]:
        """With --memory or --fit: measure, or a note saying why not."""
        if not (self.options.memory or self.options.fit is not None):
            return []
        self.notify("memory")
        with _model_output_to_stderr(), _one_at_a_time():
            why_not = _measure_memory(self.loaded, self.specs, self.batch, trace, self.options.fit)
        return [f"memory not measured: {why_not}"] if why_not else []


def _measure_memory(loaded: LoadedModel, specs, batch, trace, fit: int | None) -> str | None:
    """Sets `trace.memory`; or says why it cannot be measured."""
    if trace.error is not None:
        return "the forward pass fails; fix it first"
    from .trace import memory

    try:
        trace.memory = memory.measure(loaded.module, specs, batch=batch, as_list=loaded.takes_image_list)
    except Exception as exc:  # the model runs on meta in a trace but not with gradients on
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ''}"
    trace.memory.budget = fit
    return None


def _report(loaded: LoadedModel, trace, diagnosis, note, notes: list[str], start: float, accepted=None) -> Report:
    from .render import text  # noqa: F401 - sets how the report shows in IPython (Report.as_text)

    return Report(
        model=loaded.label,
        inputs=trace.inputs,
        engine=trace.engine,
        trace=trace,
        diagnosis=diagnosis,
        engine_note=note,
        notes=notes,
        seconds=time.perf_counter() - start,
        accepted=accepted,
        sources=snapshot.digests(_edited_files(diagnosis)),
    )


def _edited_files(diagnosis) -> list[str]:
    """The files the fixes of a diagnosis would edit."""
    fixes = [fix for finding in diagnosis.findings for fix in finding.fixes]
    fixes += [step for fix in fixes for step in fix.steps]
    return sorted({fix.location.file for fix in fixes if fix.location is not None})


def _read_stop(stopped: DryRunStopped) -> ShapecheckError:
    """A dry run's stop that is a shape error PyTorch raises outside its ops (a checkpoint's sizes
    in `load_state_dict`) is said to be one, with what the message means; else it stays as it is."""
    from .explain import explain

    known = explain(stopped.error.partition(": ")[2] or stopped.error)
    if known is None or not known.code.startswith("SC"):
        return stopped
    return LoadError(
        f"the dry run of {stopped.path} failed with {stopped.error.splitlines()[0]}",
        hint=known.title,
        detail=stopped.detail,
    )


def _load(model, args, trust_pickle: bool, defined_at=None) -> LoadedModel:
    if isinstance(model, str):
        try:
            return resolve(model, args, trust_pickle=trust_pickle)
        except DryRunStopped as stopped:
            raise _read_stop(stopped) from None
    if args:
        raise SpecError("args apply to models given by name; construct the module yourself")
    if _is_script_module(model):
        return _scripted_copy(model)
    from .trace.engines import copied_sites, is_meta, materialize
    from .trace.meta import callers_copy

    def real_copy():
        clone = materialize(callers_copy(model)) if is_meta(model) else callers_copy(model, weights="clone")
        return clone, copied_sites(model, clone, defined_at)

    # A live module was built before shapecheck saw it: its layers' lines come from its
    # classes' source, unless the caller recorded where they were assigned.
    from .loading.program import Sites
    from .loading.sites import assignment_sites

    defined_at = Sites(defined_at or {}, assignment_sites(model))
    # The caller's module is never run: a copy is, so attributes forward assigns and the
    # caller's hooks never meet a meta tensor. The real engine gets a copy with real weights.
    copy = callers_copy(model)
    return LoadedModel(copy, type(model).__name__, def_sites=copied_sites(model, copy, defined_at), rebuild=real_copy)


def _is_script_module(model) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(model, torch.jit.ScriptModule)


def _scripted_copy(model) -> LoadedModel:
    """A live `torch.jit.script` module: hooks cannot see into compiled code, so it is checked
    as a saved TorchScript program is, from a copy on the meta device (the caller's weights
    stay where they are)."""
    import io
    import warnings

    import torch

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.jit is deprecated in favour of torch.export
        torch.jit.save(model, buffer)
        buffer.seek(0)
        copy = torch.jit.load(buffer, map_location="meta")
    return LoadedModel(copy, getattr(model, "original_name", type(model).__name__), kind="torchscript")


def _model_output_to_stderr():
    """What model code prints goes to stderr: stdout belongs to the report."""
    return threads.stdout_to_stderr()


# Tracing patches process-wide state (the default device, torch's dispatch modes, the attention
# fast path, torch.hub's download): one check at a time per process, whatever the thread.
_LOCK = threads.LOCK


def _one_at_a_time():
    return _LOCK


def _accepted_inputs(loaded: LoadedModel, specs, common, trace, runner, budget_s, max_probes=MAX_PROBES):
    """--symbolic: the accepted input sizes, and the expressions shown next to each row."""
    if not isinstance(specs[0], InputSpec):
        return None, "--symbolic needs a tensor as the first input, not a structure of tensors"
    if runner is None:
        return None, "--symbolic needs the meta engine: the accepted input sizes were not worked out"
    from .domain.analysis import analyze
    from .trace.engines import prober

    probe = prober(loaded.module, specs, batch=common["batch"], train=common["train"], as_list=common["as_list"])

    failing = trace.failing
    with threads.stdout_to_stderr():
        accepted = analyze(
            loaded.module,
            specs,
            batch=common["batch"],
            probe=probe,
            given_ok=trace.error is None,
            given_failing=failing.name if failing is not None else None,
            budget_s=budget_s,
            max_probes=max_probes,
            train=common["train"],
            as_list=common["as_list"],
            label=common["label"],
            def_sites=loaded.def_sites,
            expected_rows=len(trace.layers),
        )
    if accepted.symbolic_trace is not None:
        _copy_expressions(accepted.symbolic_trace, trace)
    return accepted, None


def _copy_expressions(source, trace) -> None:
    """Put the symbolic run's expressions on the matching rows (same order, name and type)."""

    def merged(mine, theirs):
        if len(mine) != len(theirs):
            return mine
        return [
            replace(a, symbolic=b.symbolic, formula=b.formula) if b.symbolic and len(b.symbolic) == a.rank else a
            for a, b in zip(mine, theirs, strict=False)
        ]

    trace.inputs = merged(trace.inputs, source.inputs)
    for row, other in zip(trace.layers, source.layers, strict=False):
        if (row.name, row.type) != (other.name, other.type):
            break
        row.inputs = merged(row.inputs, other.inputs)
        row.outputs = merged(row.outputs, other.outputs)


def _verify_checkpoint_fixes(diagnosis, model: str, args: dict, weights: str | None) -> None:
    """An SC110 fix `--arg num_classes=1000` (`Fix.build_args`): build the model so, and compare again."""
    from .saved.state import compare

    for finding in diagnosis.findings:
        if finding.code != "SC110":
            continue
        for fix in finding.fixes:
            if not fix.build_args or weights is None:
                continue
            try:
                again = compare(weights, resolve(model, {**args, **dict(fix.build_args)}).module)
            except ShapecheckError as err:
                fix.verified, fix.check_note = False, f"could not build it: {err.message}"
                continue
            fix.verified = again.matches
            fix.check_note = (
                None
                if again.matches
                else (
                    f"with this fix {len(again.mismatched)} shape differences, {len(again.missing)} missing and "
                    f"{len(again.unexpected)} unexpected keys remain"
                )
            )
        finding.fixes.sort(key=lambda f: f.verified is not True)


def _saved_report(loaded: LoadedModel, inputs, batch, ignored, start) -> Report:
    """TorchScript and torch.export files: traced by their own runners, on the meta device."""
    if inputs and any(s.name is not None for s in inputs):
        raise SpecError(f"{loaded.label} is a saved program: its inputs are positional", hint="drop NAME= from --input")
    from .diagnose import diagnose, suppress

    with threads.stdout_to_stderr():
        if loaded.kind == "torchscript":
            from .saved import scripted

            if inputs is None:
                raise SpecError(
                    f"{loaded.label} needs an input size",
                    hint="pass --input with the per-sample dims, e.g. --input 3x224x224",
                )
            specs = _specs(inputs, loaded)
            trace = scripted.run(loaded.module, specs, batch=batch, label=loaded.label)
            note = (
                "TorchScript runs compiled code: shapes are visible for each step of an nn.Sequential "
                "and for whole modules, not inside a custom forward"
            )
        else:
            from .saved import exported

            wanted = None if inputs is None else _specs(inputs, loaded)
            trace = exported.run(loaded.module, wanted, batch=batch, label=loaded.label, path=loaded.label)
            note = "torch.export program: shapes from the program's graph, grouped by module"
    if trace.error is not None and trace.error.engine_limit:
        raise ShapecheckError(
            f"{loaded.label} cannot be run shape-only: {trace.error.message}",
            hint="a saved program runs only on the meta device; check the model's .py source instead",
        )
    diagnosis = diagnose(trace)
    suppress.apply(diagnosis, trace, ignored)
    return _report(loaded, trace, diagnosis, note, list(loaded.notes), start)


def _not_built(model: str, options: CheckOptions, parsed, failed: ConstructionFailed, ignored, start) -> Report:
    """A model whose constructor raised at the user's line (a layer's own size check, a shape
    error in `__init__`): a trace with no rows whose error is what building it raised. The rules
    read it as they read a forward pass; a fix of a constructor line is checked by building the
    model again from the file with the line changed, and tracing it."""
    from .diagnose import diagnose, suppress
    from .render import text  # noqa: F401 - sets how the report shows in IPython (Report.as_text)
    from .trace.records import Trace

    batch = None if options.no_batch else options.batch

    def not_built(failure: ConstructionFailed) -> Trace:
        return _not_built_trace(model, failure, batch)

    trace = not_built(failed)
    runner = _rebuilding_runner(model, options, parsed, batch, not_built)
    diagnosis = diagnose(trace, runner=runner, budget_s=options.probe_budget_s, max_reruns=options.max_reruns)
    suppress.apply(diagnosis, trace, ignored)
    return Report(
        model=model,
        inputs=[],
        engine="meta",
        trace=trace,
        diagnosis=diagnosis,
        notes=list(diagnosis.notes),
        seconds=time.perf_counter() - start,
        sources=snapshot.digests(_edited_files(diagnosis)),
    )


def _rebuilding_runner(model: str, options: CheckOptions, parsed, batch, not_built):
    """Re-traces a model that could not be built: its file read with the fix's lines changed
    (`source_line` edits), built again, and traced on meta with the other edits applied."""

    def run(request):
        patches, rest = _line_patches(request.edits)
        args = {**options.args, **dict(request.args)}
        with _model_output_to_stderr(), _one_at_a_time():
            try:
                loaded = resolve(model, args, options.trust_pickle, patches=patches)
            except ConstructionFailed as again:
                return not_built(again)
            specs = _specs(parsed, loaded)
        common = dict(batch=batch, train=options.train, as_list=loaded.takes_image_list, label=loaded.label)
        return _runner(loaded, specs, common)(replace(request, edits=rest, args=()))

    return run


# A model traced on the real engine has its fixes checked there only up to this many parameters
# (a copy per re-run, and real arithmetic): a count, the same on every machine.
REAL_RERUN_PARAMS = 5_000_000


def _real_runner(loaded: LoadedModel, specs, common, trace, fallback, device: str):
    """Re-runs on the real engine for a model meta cannot run (a mask, `nonzero`: an engine
    limit) and small enough to copy for each: its fixes are checked there, with the same seeded
    inputs and the same counted re-runs. None otherwise."""
    from .trace import engines

    if fallback != engines.Fallback.ENGINE_LIMIT or trace.total_params > REAL_RERUN_PARAMS:
        return None
    return _runner(loaded, specs, common, engine=engines.REAL, device=device)


def _runner(loaded: LoadedModel, specs, common, engine: str = "meta", device: str = "cpu"):
    """Re-traces on meta (or on the real engine, for a model meta cannot run) with another
    input size, batch, or a fix applied to a copy."""
    from .trace import engines
    from .trace.edits import apply

    def run(request):
        shapes = _rerun_inputs(specs, request)
        options = _rerun_settings(common, request)
        base, edits = loaded, request.edits
        try:
            if request.args:  # other constructor arguments: built again
                raise SourceNotPatched("the model is built with other arguments")
            model, rewrites = apply(base.module, edits)
        except SourceNotPatched:  # a constructor line: the model built again from the file with it
            if loaded.patched is None:
                raise
            try:
                base, edits = _patched(loaded, edits, dict(request.args))
            except ConstructionFailed as failed:
                return _not_built_trace(loaded.label, failed, options.get("batch"))
            model, rewrites = apply(base.module, edits)
        if engine == engines.REAL:
            model = _on_device(model, shapes, options, device)
        with threads.stdout_to_stderr():
            return engines.run(
                model,
                shapes,
                engine=engine,
                device=device,
                stop_at=request.stop,
                rewrites=rewrites,
                def_sites=engines.copied_sites(base.module, model, base.def_sites),
                **options,
            )

    return run


def _rerun_inputs(specs: list, request) -> list:
    """The input specs with the sizes and dtype a re-run asks for."""
    shapes = list(specs)
    if request.dims is not None or request.dtype is not None:
        first = specs[0]
        if not isinstance(first, InputSpec):
            raise LookupError("the first input is a structure of tensors: no single size to change")
        shapes[0] = InputSpec(tuple(request.dims or first.dims), request.dtype or first.dtype, first.name)
    for index, dims in request.other_dims:
        shapes[index] = InputSpec(tuple(dims), specs[index].dtype, specs[index].name)
    return shapes


def _rerun_settings(common: dict, request) -> dict:
    """engines.run's settings with the batch and training mode a re-run asks for."""
    from .trace.requests import SAME

    asked = {"batch": request.batch, "train": request.train}
    return {**common, **{key: value for key, value in asked.items() if value != SAME}}


def _on_device(model, specs, options: dict, device: str):
    """A re-run's copy made real for the real engine: meta weights filled (seeded, and the
    caller's random state kept), moved to `device`, lazy layers sized."""
    import torch

    from .trace import engines

    if engines.is_meta(model):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            model = engines.materialize(model)
    model.to(device)
    engines.materialize_lazy(
        model, specs, batch=options.get("batch"), as_list=options.get("as_list", False), device=device
    )
    return model


def _patched(loaded: LoadedModel, edits, args: dict) -> tuple[LoadedModel, tuple]:
    """The model built again from its file with the `source_line` edits written into it (and
    `args` for its constructor), and the edits left to apply to that model."""
    patches, rest = _line_patches(edits)
    assert loaded.patched is not None  # the caller checks
    with _model_output_to_stderr(), _one_at_a_time():
        base = loaded.patched(patches, args)
    return base, rest


def _line_patches(edits) -> tuple[tuple[LinePatch, ...], tuple]:
    """The `source_line` edits as lines of the file to read otherwise, and the other edits."""
    from .trace.requests import EditAction

    lines = [e for e in edits if e.action == EditAction.SOURCE_LINE]
    patches = tuple(LinePatch(*(e.param(k) for k in ("file", "line", "before", "after"))) for e in lines)
    return patches, tuple(e for e in edits if e.action != EditAction.SOURCE_LINE)


def _not_built_trace(label: str, failure: ConstructionFailed, batch):
    """A trace with no rows: the model could not be built, `error` says why."""
    from .trace.records import Trace

    return Trace(
        model=label, inputs=[], engine="meta", error=failure.error, construction=failure.construction, batch=batch
    )


def _unexplained(diagnosis) -> bool:
    """No rule but SC100 explains the failure: it may be the meta engine's, not the model's."""
    return all(f.code == "SC100" for f in diagnosis.errors)
