"""`check()`: wire spec → loading → trace → diagnose into one Report."""

from __future__ import annotations

import contextlib
import copy
import sys
import time
from typing import Iterable

from .errors import ShapecheckError, SpecError
from .loading import LoadedModel, resolve
from .report import Report
from .spec import InputSpec, parse_input

ENGINES = ("auto", "meta", "real")


def parse_inputs(inputs) -> list[InputSpec] | None:
    """`"3x224x224"`, a list of specs, or None (the model's defaults) → parsed specs."""
    if inputs is None:
        return None
    if isinstance(inputs, (str, InputSpec)):
        inputs = [inputs]
    specs = [i if isinstance(i, InputSpec) else parse_input(str(i)) for i in inputs]
    named = [s for s in specs if s.name is not None]
    if named and any(s.name is None for s in specs[specs.index(named[0]):]):
        raise SpecError(f"--input {specs[specs.index(named[0]) + 1]} comes after the keyword input "
                        f"--input {named[0]}", hint="give positional inputs first, keyword inputs (NAME=DIMS) last")
    if len({s.name for s in named}) != len(named):
        raise SpecError("the same keyword input is given twice")
    return specs


def _specs(parsed: list[InputSpec] | None, loaded: LoadedModel) -> list[InputSpec]:
    if parsed is not None:
        return parsed
    if loaded.default_inputs:
        return list(loaded.default_inputs)
    raise SpecError(f"{loaded.label} needs an input size",
                    hint="pass --input with the per-sample dims, e.g. --input 3x224x224")


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
    probe_budget_s: float = 3.0,
    symbolic: bool = False,
    budget_s: float = 5.0,
) -> Report:
    """Trace `model` (an nn.Module, a torchvision name or `file.py:Name`) and diagnose it.

    `ignore` lists codes or rule names to suppress; `weights` is a checkpoint to compare with
    the model (SC110). `symbolic` traces with symbolic input dims and works out which input
    sizes the model accepts (`Report.accepted`), within `budget_s` seconds. A module passed in is left as it was: hooks removed, training mode and
    device restored.
    """
    start = time.perf_counter()
    if engine not in ENGINES:
        raise SpecError(f"unknown engine '{engine}'; choose one of {', '.join(ENGINES)}")
    if batch < 1:
        raise SpecError(f"--batch must be at least 1, got {batch}")
    if budget_s <= 0:
        raise SpecError(f"--budget must be a positive number of seconds, got {budget_s:g}")
    from .diagnose.suppress import normalize

    try:
        ignored = normalize(ignore)
    except KeyError as err:
        raise SpecError(f"unknown rule '{err.args[0]}' to ignore; run `shapecheck rule` to list them") from None
    inputs = parse_inputs(inputs)  # a malformed spec fails before any model is imported
    if isinstance(model, str):
        loaded = resolve(model, args, trust_pickle=trust_pickle)
    else:
        if args:
            raise SpecError("args apply to models given by name; construct the module yourself")
        loaded = LoadedModel(model, type(model).__name__)
    batch_or_none = None if no_batch else batch
    if loaded.kind != "module":
        if weights:
            raise SpecError("--weights applies to an architecture (a name or a .py model), not to a saved program")
        return _saved_report(loaded, inputs, batch_or_none, ignored, start)
    specs = _specs(inputs, loaded)
    checkpoint = None
    if weights:
        from .saved.state import compare

        checkpoint = compare(weights, loaded.module)

    from .diagnose import diagnose
    from .trace import engines

    engines.check_arity(loaded.module, specs, loaded.label)
    common = dict(batch=batch_or_none, train=train, as_list=loaded.takes_image_list, label=loaded.label)
    note = None
    with contextlib.redirect_stdout(sys.stderr):
        if engine in ("auto", "meta"):
            trace = engines.run(loaded.module, specs, engine=engines.META, def_sites=loaded.def_sites, **common)
            err = trace.error
            if err is not None and err.engine_limit and engine == "meta":
                raise ShapecheckError(f"the meta engine cannot trace {loaded.label}: {err.message}",
                                      hint="use --engine auto or --engine real")
            if engine == "auto" and err is not None and (err.engine_limit or _unexplained(diagnose(trace))):
                trace = _run_real(loaded, specs, device, common)
                if err.engine_limit:
                    note = f"meta engine: {err.message}; traced with the real engine"
                elif trace.error is not None:
                    note = "no rule explained the meta engine's failure, so the real engine ran: it fails too"
                else:
                    note = (f"the meta engine raised {err.type} where the real engine does not; "
                            "traced with the real engine")
        else:
            trace = _run_real(loaded, specs, device, common)

    trace.checkpoint = checkpoint
    runner = None
    if trace.engine == engines.META:
        runner = _runner(loaded, specs, common)

    accepted = None
    if symbolic:
        accepted, note_sym = _accepted_inputs(loaded, specs, common, trace, runner, budget_s)
        if note_sym:
            note = f"{note}; {note_sym}" if note else note_sym
    diagnosis = diagnose(trace, runner=runner, budget_s=probe_budget_s, domain=accepted)
    if checkpoint is not None and not checkpoint.matches and isinstance(model, str):
        _verify_checkpoint_fixes(diagnosis, model, args or {}, weights)
    from .diagnose import suppress

    suppress.apply(diagnosis, trace, ignored)
    notes = list(loaded.notes)
    if checkpoint is not None and checkpoint.matches:
        notes.append(f"checkpoint {weights} matches the model: {len(checkpoint.checkpoint)} tensors"
                     + "".join(f"; {n}" for n in checkpoint.notes))
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
    )


def _accepted_inputs(loaded: LoadedModel, specs, common, trace, runner, budget_s):
    """--symbolic: the accepted input sizes, and the expressions shown next to each row."""
    if runner is None:
        return None, "--symbolic needs the meta engine: the accepted input sizes were not worked out"
    from .domain.analysis import analyze
    from .trace.engines import prober

    probe = prober(loaded.module, specs, batch=common["batch"], train=common["train"], as_list=common["as_list"])

    failing = trace.failing
    with contextlib.redirect_stdout(sys.stderr):
        accepted = analyze(loaded.module, specs, batch=common["batch"], probe=probe, given_ok=trace.error is None,
                           given_failing=failing.name if failing is not None else None, budget_s=budget_s,
                           train=common["train"], as_list=common["as_list"], label=common["label"],
                           def_sites=loaded.def_sites, expected_rows=len(trace.layers))
    if accepted.symbolic_trace is not None:
        _copy_expressions(accepted.symbolic_trace, trace)
    return accepted, None


def _copy_expressions(source, trace) -> None:
    """Put the symbolic run's expressions on the matching rows (same order, name and type)."""
    from dataclasses import replace

    def merged(mine, theirs):
        if len(mine) != len(theirs):
            return mine
        return [replace(a, symbolic=b.symbolic) if b.symbolic and len(b.symbolic) == a.rank else a
                for a, b in zip(mine, theirs, strict=False)]

    trace.inputs = merged(trace.inputs, source.inputs)
    for row, other in zip(trace.layers, source.layers, strict=False):
        if (row.name, row.type) != (other.name, other.type):
            break
        row.inputs = merged(row.inputs, other.inputs)
        row.outputs = merged(row.outputs, other.outputs)


def _verify_checkpoint_fixes(diagnosis, model: str, args: dict, weights: str) -> None:
    """An SC110 fix `--arg num_classes=1000`: build the model so, and compare again."""
    from .saved.state import compare
    from .spec import parse_arg

    for finding in diagnosis.findings:
        if finding.code != "SC110":
            continue
        for fix in finding.fixes:
            if not fix.code.startswith("--arg "):
                continue
            key, value = parse_arg(fix.code[len("--arg "):])
            try:
                again = compare(weights, resolve(model, {**args, key: value}).module)
            except ShapecheckError as err:
                fix.verified, fix.check_note = False, f"could not build it: {err.message}"
                continue
            fix.verified = again.matches
            fix.check_note = None if again.matches else (
                f"with this fix {len(again.mismatched)} shape differences, {len(again.missing)} missing and "
                f"{len(again.unexpected)} unexpected keys remain")
        finding.fixes.sort(key=lambda f: f.verified is not True)


def _saved_report(loaded: LoadedModel, inputs, batch, ignored, start) -> Report:
    if inputs and any(s.name is not None for s in inputs):
        raise SpecError(f"{loaded.label} is a saved program: its inputs are positional",
                        hint="drop NAME= from --input")
    """TorchScript and torch.export files: traced by their own runners, on real tensors."""
    from .diagnose import diagnose, suppress

    with contextlib.redirect_stdout(sys.stderr):
        if loaded.kind == "torchscript":
            from .saved import scripted

            if inputs is None:
                raise SpecError(f"{loaded.label} needs an input size",
                                hint="pass --input with the per-sample dims, e.g. --input 3x224x224")
            specs = _specs(inputs, loaded)
            trace = scripted.run(loaded.module, specs, batch=batch, label=loaded.label)
            note = ("TorchScript runs compiled code: shapes are visible for each step of an nn.Sequential "
                    "and for whole modules, not inside a custom forward")
        else:
            from .saved import exported

            specs = None if inputs is None else _specs(inputs, loaded)
            trace = exported.run(loaded.module, specs, batch=batch, label=loaded.label, path=loaded.label)
            note = "torch.export program: shapes from the program's graph, grouped by module"
    diagnosis = diagnose(trace)
    suppress.apply(diagnosis, trace, ignored)
    return Report(model=loaded.label, inputs=trace.inputs, engine=trace.engine, trace=trace, diagnosis=diagnosis,
                  engine_note=note, notes=list(loaded.notes), seconds=time.perf_counter() - start)


def _runner(loaded: LoadedModel, specs, common):
    """Re-traces on meta with another input size, batch, or a fix applied to a copy."""
    from .trace import engines
    from .trace.edits import apply
    from .trace.records import SAME

    def run(request):
        shapes = list(specs)
        if request.dims is not None or request.dtype is not None:
            shapes[0] = InputSpec(tuple(request.dims or specs[0].dims), request.dtype or specs[0].dtype,
                                  specs[0].name)
        for index, dims in request.other_dims:
            shapes[index] = InputSpec(tuple(dims), specs[index].dtype, specs[index].name)
        options = dict(common)
        if request.batch != SAME:
            options["batch"] = request.batch
        if request.train != SAME:
            options["train"] = request.train
        model, rewrites = apply(loaded.module, request.edits)
        with contextlib.redirect_stdout(sys.stderr):
            return engines.run(model, shapes, engine=engines.META, stop_at=request.stop,
                               rewrites=rewrites, **options)

    return run


def _unexplained(diagnosis) -> bool:
    """No rule but SC100 explains the failure: it may be the meta engine's, not the model's."""
    return all(f.code == "SC100" for f in diagnosis.errors)


def _run_real(loaded: LoadedModel, specs, device, common):
    import torch

    from .trace import engines

    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ShapecheckError("--device cuda: no CUDA device is available here",
                              hint="use --device cpu")
    module = loaded.module
    sites = loaded.def_sites
    restore = None
    if engines.is_meta(module):
        if loaded.rebuild is not None:
            module, sites = loaded.rebuild()
        else:
            module = _materialize(module)
    else:
        current = next((p.device for p in module.parameters()), torch.device("cpu"))
        if str(current) != device:
            restore = current
    try:
        module.to(device)
        return engines.run(module, specs, engine=engines.REAL, device=device, def_sites=sites, **common)
    finally:
        if restore is not None:
            module.to(restore)


def _materialize(module):
    """A copy of a meta module with random weights (for modules we cannot rebuild)."""
    import torch

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
            if hasattr(sub, "reset_parameters"):
                try:
                    sub.reset_parameters()
                except Exception:  # noqa: BLE001 - keep the random values
                    pass
    return clone


def run_checks(config, *, ignore=(), engine: str | None = None, batch: int | None = None,
               train: bool | None = None, device: str = "cpu") -> list:
    """Every check of a config in one process: a CheckResult each (errors included, not raised)."""
    from .report import CheckResult

    results = []
    for spec in config.checks:
        try:
            report = check(
                spec.model, spec.inputs, batch=spec.batch if batch is None else batch, no_batch=spec.no_batch,
                train=spec.train if train is None else train,
                engine=engine or spec.engine or config.engine or "auto", device=device, args=spec.args,
                ignore=[*config.ignore, *spec.ignore, *ignore], weights=spec.weights,
            )
            results.append(CheckResult(spec.name, report))
        except ShapecheckError as err:
            results.append(CheckResult(spec.name, error=err.message, hint=err.hint))
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
            results.append(CheckResult(spec.name, error=f"internal error: {type(exc).__name__}: {exc}"))
    return results


def assert_shapes(model, inputs=None, expect: dict | None = None, **options) -> Report:
    """Check a model in a test: raise AssertionError (with the table and findings) when a layer's
    output shape differs from `expect` ({"fc": [1, 10]}) or when there is an error finding."""
    report = check(model, inputs, **options)
    problems = []
    for name, want in (expect or {}).items():
        row = report.layer(name)
        if row is None:
            names = ", ".join(r.name for r in report.layers if r.kind == "module")
            problems.append(f"no layer named `{name}` (layers: {names})")
        elif not row.outputs:
            problems.append(f"`{name}` produced no output ({row.status})")
        elif list(row.outputs[0].shape) != list(want):
            problems.append(f"`{name}` outputs {list(row.outputs[0].shape)}, expected {list(want)}")
    if report.errors:
        problems.append(f"{len(report.errors)} error finding(s): " + ", ".join(f.code for f in report.errors))
    if problems:
        raise AssertionError("\n".join(problems) + "\n\n" + report_text(report))
    return report


def report_text(report: Report) -> str:
    """The table report as plain text (no colour), as the terminal shows it."""
    import io

    from .render.text import render

    out = io.StringIO()
    render(report, out, color="never")
    return out.getvalue()
