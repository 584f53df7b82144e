"""Diagnose a shape error where it happened: from a live exception's traceback frames.

Nothing is hooked while the program runs. When it raises, the frames tell:

- the model: the outermost `nn.Module` whose call is on the failing stack, with the arguments
  it was called with (read from `Module._call_impl`'s own `args`/`kwargs`, which the model's
  `forward` cannot have rebound);
- or, for an error outside any module (a loss, a metric), the failing call, its tensor
  operands, and the model in the caller's frame whose output matches one of them.

That model is then checked like `shapecheck MODEL --input ...` (a meta copy: the program's
weights and tensors are not touched). The result is a `LiveDiagnosis` (report.py): plain data
for the renderers (render/live.py), the `run` command, `watch()`, the IPython extension and the
pytest plugin.
"""

from __future__ import annotations

import contextlib
import linecache
import os
import re
import sys
import weakref
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .report import FailingCall, LiveDiagnosis
from .spec import from_tensors

if TYPE_CHECKING:
    from .diagnose.findings import Fix
    from .report import Report

# Exceptions that shape errors are raised as (MultiheadAttention still asserts some shapes).
SHAPE_ERRORS = (RuntimeError, ValueError, IndexError, AssertionError)
NOT_FROM_USER = "the error was not raised from your code"
NO_FEEDER = "no model in that frame returns one of these operands"


def diagnose_exception(exc: BaseException, *, budget_s: float = 3.0) -> LiveDiagnosis | None:
    """A diagnosis of a shape error from its traceback; None for other exceptions. An error
    raised from another (`raise ValueError(...) from e`, or while handling one) is diagnosed
    from the first shape error in its chain that holds the failing call."""
    if "torch" not in sys.modules:
        return None
    chained = _shape_error_in_chain(exc) or _structure_used_as_tensor(exc)
    if chained is None:
        return None
    exc = chained
    frames = _frames(exc.__traceback__)
    first_line = (str(exc).strip().splitlines() or [""])[0]
    original = _in_worker(str(exc))
    error = original.error if original is not None else f"{type(exc).__name__}: {first_line}"
    found = _diagnosis(exc, error, frames, budget_s)
    if found is None:  # a dtype, a device, memory, autograd: not a shape problem, nothing added
        return None
    if _raised_by_the_users_own_statement(exc) and not _explained(found):
        # `raise ValueError("unsupported activation")`, an `assert` of the user's: the message is
        # the program's own, and no rule finds a shape problem on the way to it
        return None
    if found.report is not None:
        _no_meta_wording_note(found.report, first_line)
    if found.report is not None and _fits_on_meta(found):
        # the failing call itself fits on meta (not only a model that feeds it): a value failed
        found.note = _about_values(found.report.engine, str(exc), frames)
        found.report = None
    elif found.report is not None and found.report.findings and (lookup := _lookup_out_of_range(frames)):
        # the program failed at a lookup, before the shape error the check finds further on
        found.report.notes.insert(
            0,
            f"the error raised is about values, not shapes: {lookup}; the shape error below is further on, where "
            "the model fails next",
        )
    if found.report is None and found.note in (NO_FEEDER, NOT_FROM_USER):
        # no model, no program: what `explain` knows of the message, and nothing at all for a
        # message it does not know (a ValueError of the script's own, a missing GPU driver),
        # which is not claimed as a shape error
        known = _explained_message(str(exc))
        if known is None:
            return None
        found.note = known
        found.finding = _read_from_message(str(exc), frames, original.user_lines if original else ())
    found.raised_at = _raised_at(frames)
    return found


@dataclass(frozen=True)
class _WorkerError:
    """The exception a DataLoader worker raised, as its re-raised copy in the main process
    carries it in text (`Caught RuntimeError in DataLoader worker process 0.` and the original
    traceback): its own `Type: message`, and the user's lines in that traceback (a dataset's
    `__getitem__`, a collate_fn), innermost last."""

    error: str
    user_lines: tuple[tuple[str, int], ...]


_WORKER_HEAD = re.compile(r"^Caught (\w+) in DataLoader worker process \d+\.")
_TRACEBACK_FILE = re.compile(r'^\s*File "([^"]+)", line (\d+), in ')


def _in_worker(message: str) -> _WorkerError | None:
    """The original error of a DataLoader worker's exception; None for any other message."""
    lines = message.strip().splitlines()
    head = _WORKER_HEAD.match(lines[0]) if lines else None
    if head is None or not any(line.startswith("Original Traceback") for line in lines):
        return None
    files = [(m.group(1), int(m.group(2))) for m in map(_TRACEBACK_FILE.match, lines) if m is not None]
    last = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].startswith(f"{head.group(1)}:")), None)
    if last is None:
        return None
    return _WorkerError(lines[last], tuple((f, n) for f, n in files if _is_user(f)))


def _read_from_message(message: str, frames, inner: tuple[tuple[str, int], ...] = ()):
    """The message's reading (`explain`: its code, what the numbers mean, its usual fix) as a
    finding at the user's line that raised, for an error no model or program check reaches (a
    checkpoint loaded into another head, a DataLoader stacking samples of two sizes)."""
    from .diagnose.findings import DISPLAY_ONLY, ERROR, Finding, Fix
    from .explain import explain
    from .explain.explanation import NOT_SHAPE
    from .trace.records import Location

    known = explain(message)
    user = [(f.f_code.co_filename, line) for f, line in frames if _is_user(f.f_code.co_filename)]
    user += list(inner)  # a worker's own frames are inside the main process's innermost one
    if known is None or known.code in (None, NOT_SHAPE, UNDECODED) or not user:
        return None
    filename, line = user[-1]
    at = Location(_display(filename), line, linecache.getline(filename, line).strip())
    return Finding(
        code=known.code,
        severity=ERROR,
        layer="",
        message=known.title,
        location=at,
        notes=["read from PyTorch's message: no model was checked"],
        fixes=[Fix(description=fix, safety=DISPLAY_ONLY) for fix in known.fixes[:1]],
    )


def _fits_on_meta(found: LiveDiagnosis) -> bool:
    """The failing module's own check runs and finds nothing."""
    report = found.report
    return report is not None and found.call is None and not report.findings and report.trace.error is None


def _about_values(engine: str, message: str, frames) -> str:
    """Why the shapes fit and the program failed anyway: the table and ids of an embedding
    lookup when one is on the stack, else what `explain` knows of the message."""
    checked = "meta tensors" if engine == "meta" else "a copy given tensors of the same shapes"
    note = f"the shapes fit when checked on {checked}: this error is about values, not shapes"
    lookup = _lookup_out_of_range(frames)
    if lookup is not None:
        return f"{note}; {lookup}"
    known = _explained_message(message)
    return f"{note}; the message means: {known}" if known else note


def _lookup_out_of_range(frames) -> str | None:
    """For an embedding given an id past its table, the program's own numbers: the innermost
    `nn.Embedding` on the stack, its table size and the ids it was given (the run was real, so
    they are there)."""
    import torch
    import torch.nn as nn

    for frame, _ in reversed(frames):
        table, ids = frame.f_locals.get("self"), frame.f_locals.get("input")
        if not isinstance(table, nn.Embedding) or not isinstance(ids, torch.Tensor) or ids.is_meta or not ids.numel():
            continue
        low, high = int(ids.min()), int(ids.max())
        if low >= 0 and high < table.num_embeddings:
            return None
        given = f"nn.Embedding({table.num_embeddings}, {table.embedding_dim}) was given ids from {low} to {high}"
        if high >= table.num_embeddings:
            return (
                f"{given}: {high} ≥ num_embeddings {table.num_embeddings}; build it with num_embeddings={high + 1} "
                "(the largest id + 1), or map the ids into its range"
            )
        return (
            f"{given}: {low} < 0, and ids start at 0 (a label meant to be ignored, such as -100, or padding "
            "marked -1?): map them into [0, num_embeddings), e.g. to a padding_idx"
        )
    return None


def _explained_message(message: str) -> str | None:
    """`explain`'s title and first fix for the message; None when it does not know it."""
    from .explain import explain

    known = explain(message)
    if known is None or known.code == UNDECODED:
        return None
    return known.title + (f"; fix: {known.fixes[0]}" if known.fixes else "")


def _diagnosis(exc: BaseException, error: str, frames, budget_s: float) -> LiveDiagnosis | None:
    """What the exception is about: a layer that cannot be built, the model whose call failed,
    or the model (or the program) feeding a failing call; None for an error `explain` knows is
    not about shapes."""
    from .loading import construction_error

    called = _outermost_module_call(frames)
    built = construction_error(exc)
    if built is not None:  # a layer that cannot be built: its sizes, not a forward pass
        return LiveDiagnosis(error, note=built[0] + (f"; {built[1]}" if built[1] else ""))
    if _not_a_shape_error(str(exc)):  # a dtype, a device, memory: shapecheck has nothing to add
        return None
    if called is not None:
        module, args, kwargs, _ = called
        return _check_program(error, frames, called, budget_s) or _check_call(
            error,
            module,
            args,
            kwargs,
            budget_s,
            where=_call_site(frames, called),
            names=_argument_names(frames, called),
            caller=_caller(frames, called),
        )
    # a loss or metric: the model that feeds it first; the program when no rule explains that
    found = _outside_modules(error, frames, budget_s)
    if not _explained(found):
        # no model feeds it, or the one that does runs: the failing statement is the program
        alone = found.report is None or found.report.trace.error is None
        found = _check_program(error, frames, called, budget_s, alone=alone) or found
    return found


def _raised_at(frames) -> str | None:
    """`train.py:14: loss = F.cross_entropy(out, y)`: the innermost frame of the user's code."""
    user = [(f, line) for f, line in frames if _is_user(f.f_code.co_filename)]
    if not user:
        return None
    frame, line = user[-1]
    return f"{_display(frame.f_code.co_filename)}:{line}: {linecache.getline(frame.f_code.co_filename, line).strip()}"


def _drop_input_layout_fixes(report: Report) -> None:
    """In a running program the input is the program's data: a fix that only re-reads how
    `--input` was written (channels-first for channels-last: the same values per sample) does
    not apply, since there is no `--input`. Fixes that change the input's size stay (the input
    can be the bug: a U-Net needs a multiple of 16)."""
    per_sample = [tuple(t.shape[1:]) if report.trace.batch is not None else tuple(t.shape) for t in report.inputs]
    for finding in report.findings:
        kept = [f for f in (_for_the_program(fix, report, per_sample) for fix in finding.fixes) if f is not None]
        finding.fixes = _code_first(kept)
        if finding.fixes and finding.fixes[0].description.startswith("or, "):  # its first went
            first = finding.fixes[0]
            first.description = first.description[4:]


def _code_first(fixes: list[Fix]) -> list[Fix]:
    """The program's data is its own: a fix to its size comes after fixes to the code."""
    to_code = [f for f in fixes if f.rerun is None or f.rerun.edits]
    return to_code + [f for f in fixes if f.rerun is not None and not f.rerun.edits]


def _for_the_program(fix: Fix, report: Report, per_sample: list[tuple[int, ...]]) -> Fix | None:
    """The fix as it applies to a running program: None when it only re-reads the layout of
    the input (the same number of values per sample) or sets an option of the check (`--batch`),
    an input-size fix rewritten as code."""
    import math

    from .diagnose.findings import FixKind

    if fix.kind == FixKind.OPTION:  # `--batch 2`: a setting of the check, not of the program
        return None
    rerun = fix.rerun
    if rerun is not None and rerun.train is False and not rerun.edits and rerun.dims is None:
        # the check's `--train` is the program's own mode: the fix is to its code
        fix.description = "if the model is not training here, put it in eval mode first"
        return fix
    if rerun is None or rerun.edits:
        return fix
    wanted = ([(0, rerun.dims)] if rerun.dims is not None else []) + list(rerun.other_dims)
    layout_only = bool(wanted) and all(
        i < len(per_sample) and math.prod(d) == math.prod(per_sample[i]) for i, d in wanted
    )
    return None if layout_only else _as_program_edit(fix, report, wanted)


def _as_program_edit(fix: Fix, report: Report, wanted) -> Fix:
    """An input-size fix written for the program: there is no `--input` in a running script, so
    the code resizes the tensor it passes (by its name when known), to the size that was verified."""
    from .diagnose.findings import FixKind

    if fix.kind != FixKind.INPUT or len(wanted) != 1:
        return fix
    index, dims = wanted[0]
    names = report.trace.input_names
    keyword = report.inputs[index].key.rstrip("=") if index < len(report.inputs) else ""
    name = names[index] if index < len(names) and names[index].isidentifier() else keyword
    name = name if name.isidentifier() else "x"
    given = report.inputs[index].shape if index < len(report.inputs) else ()
    batched = report.trace.batch is not None
    per_sample = tuple(given[1:]) if batched else tuple(given)
    if len(dims) == len(per_sample) >= 2 and dims[0] == per_sample[0]:  # same channels: the spatial size
        size = tuple(dims[1:])
        fix.code = f"{name} = F.interpolate({name}, size={size})  # or pad/crop it to {list(size)}"
        fix.imports = ["import torch.nn.functional as F"]
        fix.kind = FixKind.EDIT
        fix.description = f"{fix.description}: here `{name}` resized to {'×'.join(map(str, size))} (or padded)"
    else:
        fix.code = ""
        fix.description = f"give the model input `{name}` the per-sample size {list(dims)}: " + fix.description
    return fix


def _not_a_shape_error(message: str) -> bool:
    """Whether `explain` knows the message as one not about shapes (dtype, device, out of memory,
    autograd, device-side asserts): `run` is then the python it claims to be, nothing added
    (`shapecheck explain` says what such a message means, when asked)."""
    from .explain import explain
    from .explain.explanation import NOT_SHAPE

    found = explain(message)
    return found is not None and found.code == NOT_SHAPE


def _explained(found: LiveDiagnosis) -> bool:
    return found.report is not None and any(f.code != "SC100" for f in found.report.findings)


# `explain`'s code for a message it reads as a shape error but cannot decode (an allocation of
# 2**62 bytes): it says nothing a diagnosis could add.
UNDECODED = "SC100"
# RuntimeErrors that are never about shapes: code not written yet, a recursion without end.
NEVER_SHAPE_ERRORS = (NotImplementedError, RecursionError)


def _shape_error_in_chain(exc: BaseException) -> BaseException | None:
    """The exception, or the one it was raised from or while handling, whose traceback reaches
    torch: the error a shape check can explain."""
    seen: set[int] = set()
    first = None
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, SHAPE_ERRORS) and not isinstance(current, NEVER_SHAPE_ERRORS):
            first = first or current
            if _reaches_torch(current.__traceback__):
                return current
        current = current.__cause__ or current.__context__
    return first


def _structure_used_as_tensor(exc: BaseException) -> BaseException | None:
    """A TypeError or AttributeError raised at a line of the user's that reads a tuple, dict or
    named output holding tensors (`loss = criterion(outputs, y)` with a model's train-mode
    namedtuple): a shape check of the program around it says which part was meant (SC127)."""
    if not isinstance(exc, (TypeError, AttributeError)):
        return None
    frames = _frames(exc.__traceback__)
    if any(_sequential_handing_structure(f) for f, _ in frames):
        return exc
    user = [(f, line) for f, line in frames if _is_user(f.f_code.co_filename)]
    if not user:
        return None
    frame, line = user[-1]
    source = linecache.getline(frame.f_code.co_filename, line)
    reads = any(_named_on(source, name) and _holds_tensors(value) for name, value in frame.f_locals.items())
    return exc if reads else None


def _sequential_handing_structure(frame) -> bool:
    """nn.Sequential's forward, handing one child's tuple (or dict) of tensors to the next."""
    if frame.f_code.co_name != "forward" or frame.f_globals.get("__name__") != "torch.nn.modules.container":
        return False
    return _holds_tensors(frame.f_locals.get("input"))


def _holds_tensors(value) -> bool:
    """A tuple, list or mapping (a namedtuple, a transformers ModelOutput) with a tensor in it."""
    import torch

    if isinstance(value, torch.Tensor):
        return False
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, (tuple, list)):
        items = list(value)
    else:
        return False
    return any(isinstance(v, torch.Tensor) or (isinstance(v, (tuple, list)) and _holds_tensors(v)) for v in items)


# SC100's note for a message read on meta, which PyTorch may word otherwise on real tensors.
_META_WORDING = "the message is the meta device's"


def _no_meta_wording_note(report: Report, real: str) -> None:
    """The program's own run raised `real`: where the check on meta met the same message, the
    note that a real run words it differently is not so."""
    said = real.strip().rstrip(".")
    for finding in report.findings:
        if finding.code == "SC100" and said and finding.message.endswith(f": {said}"):
            finding.notes = [n for n in finding.notes if not n.startswith(_META_WORDING)]


def _raised_by_the_users_own_statement(exc: BaseException) -> bool:
    """Whether the exception was raised by a `raise` or `assert` in the user's own code (not by
    an op it called, nor by a library) that reads no tensor's shape: where its traceback ends,
    the user's frame stopped at a raise instruction. A check of the user's on a shape (`assert
    z.shape == (2, 8, 32, 32)`) is a shape error: the table of what made `z` says why."""
    import dis

    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    if not _is_user(code.co_filename) or not 0 <= tb.tb_lasti < len(code.co_code):
        return False
    if dis.opname[code.co_code[tb.tb_lasti]] != "RAISE_VARARGS":
        return False
    return not _reads_a_shape(code.co_filename, tb.tb_lineno)


def _reads_a_shape(filename: str, line: int) -> bool:
    """Whether the `raise` or `assert` statement at the line reads a shape (`.shape`, `.ndim`,
    `.size()`, `.dim()`)."""
    import ast

    try:
        tree = ast.parse("".join(linecache.getlines(filename)))
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, (ast.Raise, ast.Assert)) and node.lineno <= line <= (node.end_lineno or node.lineno):
            return any(_is_shape_read(n) for n in ast.walk(node))
    return False


def _is_shape_read(node) -> bool:
    import ast

    if isinstance(node, ast.Attribute) and node.attr in ("shape", "ndim"):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("size", "dim")


def _reaches_torch(tb) -> bool:
    torch_dir = os.path.dirname(os.path.dirname(os.path.dirname(_module_file())))
    while tb is not None:
        if os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(torch_dir + os.sep):
            return True
        tb = tb.tb_next
    return False


# -- frames -------------------------------------------------------------------------------------


def _frames(tb) -> list:
    out = []
    while tb is not None:
        out.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    return out


def _module_file() -> str:
    import torch.nn.modules.module as module

    return os.path.abspath(module.__file__)


def _outermost_module_call(frames):
    from .loading.program import outermost_module_call

    return outermost_module_call(frames)


def _is_user(filename: str) -> bool:
    from .loading.program import is_user_file

    return is_user_file(filename)


def _display(path: str) -> str:
    rel = os.path.relpath(path) if os.path.isabs(path) else path
    return path if rel.startswith("..") else rel


# -- the model's own call -----------------------------------------------------------------------


def _class_file(cls) -> str:
    """The file a class was defined in, from its functions' code (for a class defined in a
    script run as __main__, `inspect` would name the running program instead)."""
    for value in vars(cls).values():
        code = getattr(value, "__code__", None)
        if code is not None:
            return code.co_filename
    return ""


def _runs_on_import(path: str) -> bool:
    """Whether importing the file runs more than definitions: statements outside functions,
    classes, imports, constants and an `if __name__ == "__main__":` block."""
    import ast

    try:
        with open(path, encoding="utf-8-sig") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return True
    return not all(_only_defines(node) for node in tree.body)


def _only_defines(node) -> bool:
    """A top-level statement that runs nothing on import: a definition, an import, a docstring,
    a constant, `sys.path.insert(...)` (how scripts find their modules) or a main guard."""
    import ast

    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, ast.Expr):
        return isinstance(node.value, ast.Constant) or "sys.path" in ast.unparse(node.value)
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return isinstance(node.value, ast.Constant)
    if isinstance(node, ast.If):
        test = ast.unparse(node.test)
        return "__name__" in test and "__main__" in test
    return False


def _command(module, specs, batch) -> str:
    cls = type(module)
    path = _class_file(cls)
    target = f"{_display(path)}:{cls.__name__}" if path else f"{cls.__module__}:{cls.__name__}"
    parts = ["shapecheck", target if " " not in target else f"'{target}'"]
    parts += [f"--input {s}" for s in specs]
    parts.append("--no-batch" if batch is None else (f"--batch {batch}" if batch != 1 else ""))
    return " ".join(p for p in parts if p)


def _check_live(module, specs, batch, budget_s: float, where=None, names=(), caller=None):
    """`check` of a live module, on meta: the program's own run already failed for real. Where
    meta cannot run an op (`value in ids` reads values) a module of at most REAL_RERUN_PARAMS
    parameters is traced on the real engine, on a copy; a larger one is not copied (twice the
    memory of a model that may just fit). Findings point at the lines that built its layers
    (ASSIGNED), or at the user's call (`caller`: frame, line) when their fix is to what it
    passes."""
    from .api import REAL_RERUN_PARAMS, check_with
    from .call_input import fix_at_the_call
    from .loading import program
    from .options import CheckOptions

    small = sum(p.numel() for p in module.parameters()) <= REAL_RERUN_PARAMS
    options = CheckOptions(
        inputs=specs,
        batch=batch or 1,
        no_batch=batch is None,
        train=module.training,
        probe_budget_s=budget_s,
        engine="auto" if small else "meta",
        real_for_limits_only=True,
    )
    report = check_with(
        module,
        options,
        defined_at=ASSIGNED if where is None else program.Sites({module: where}, ASSIGNED),
        input_names=names,
    )
    if caller is not None:
        frame, line = caller
        positional = len(report.inputs) == len(specs) and not any("=" in t.key for t in report.inputs)
        probe = _runs_with(module, report) if positional else None
        fix_at_the_call(report, frame, line, module, _display, probe)
    _drop_input_layout_fixes(report)
    if where is not None:
        _placed_at(report, where)
    return report


def _placed_at(report: Report, where) -> None:
    """A library's module called from the user's line (`where`): a finding inside the library's
    code goes to that line, and a fix that edits the library's source is not offered (it is
    never the user's to paste)."""
    from .diagnose.roles import is_library_file

    for finding in report.findings:
        if finding.location is not None and is_library_file(finding.location.file):
            finding.location = where
        finding.fixes = [f for f in finding.fixes if f.location is None or not is_library_file(f.location.file)]


def _runs_with(module, report: Report):
    """Whether `module` runs on meta with some inputs given other full shapes (None: as given)."""
    import torch

    from .api import check

    def probe(shapes) -> bool:
        values = [
            torch.empty(shape if shape is not None else tuple(t.shape), dtype=getattr(torch, t.dtype), device="meta")
            for shape, t in zip(shapes, report.inputs, strict=True)
        ]
        specs, batch, _ = from_tensors(tuple(values), {})
        if specs is None:
            return False
        try:
            tried = check(
                module,
                specs,
                batch=batch or 1,
                no_batch=batch is None,
                train=module.training,
                engine="meta",
                max_reruns=0,
                max_probes=0,
            )
        except Exception:  # a repair shapecheck tried, not the program's: never its error
            return False
        return tried.trace.error is None

    return probe


def _caller(frames, called):
    """(frame, line) of the user's code that called the failing module, or None."""
    from .loading import program

    return program.program_frame(frames, called)


def _call_site(frames, called):
    """The user's line that called a library's module with no recorded assignment
    (`nn.Linear(4, 2)(x)` inline): where its findings and fixes go, never torch's source."""
    from .loading import program
    from .trace.records import Location

    module = called[0]
    if ASSIGNED.get(module) is not None or _own_class(module):
        return None
    # called by the user's code, or through a library's (a transforms.Compose, a DataLoader):
    # then the user's last line on the way to it
    where = program.program_frame(frames, called) or program.program_frame(frames[: called[3]], None)
    if where is None:
        return None
    frame, line = where
    filename = frame.f_code.co_filename
    # `m = nn.Linear(3, 2)`: its sizes are set where it is built; a module without parameters (a
    # loss, an activation) is about what the call gives it: the call's line
    if any(True for _ in module.parameters()):
        built = program.assignment_line(frame, module, line)
        # a parameter of the function that calls it (`def classify(features, head)`): where its
        # caller built it
        found = (filename, built) if built is not None else program._assigned_by_caller(frame, module)
        filename, line = found or (filename, line)
    return Location(_display(filename), line, linecache.getline(filename, line).strip())


def _argument_names(frames, called) -> tuple[str, ...]:
    """The names the user's code passed to the failing module (`net(img)` → img)."""
    from .loading import program

    where = program.program_frame(frames, called)
    if where is None:
        return ()
    frame, line = where
    return program.call_argument_names(frame, line, called[0])


def _check_call(
    error: str, module, args, kwargs, budget_s: float, call=None, link=None, where=None, names=(), caller=None
) -> LiveDiagnosis:
    from .errors import ShapecheckError

    name = type(module).__name__
    specs, batch, why = from_tensors(args, kwargs)
    if specs is None:
        return LiveDiagnosis(error, name, call=call, link=link, note=why)
    # A class of the user's can be named on the command line; an inline nn.Sequential cannot,
    # and --input has no syntax for a list or dict of tensors.
    from .spec import InputSpec

    plain = all(isinstance(s, InputSpec) for s in specs)
    command = _repeat_command(module, specs, batch) if plain else None
    try:
        report = _check_live(module, specs, batch, budget_s, where, names, caller)
    except ShapecheckError as err:
        known = _explained_message(error.partition(": ")[2])  # what the message means, at least
        unchecked = f"could not check {name}: {err.message}" + (f"; the message means: {known}" if known else "")
        return LiveDiagnosis(error, name, call=call, link=link, command=command, note=unchecked)
    failing = report.trace.failing
    if report.errors and all(f.code == "SC100" for f in report.errors) and failing is not None and failing.inputs:
        known = _explained_message(error.partition(": ")[2])
        if known:
            report.notes.append(f"the message means: {known}")
    note = _no_command(module, plain) if command is None else None
    return LiveDiagnosis(error, name, report=report, call=call, link=link, command=command, note=note)


def _own_class(module) -> bool:
    """The module's class is defined in the user's code."""
    return _is_user(_class_file(type(module)) or "<unknown>")


def _repeat_command(module, specs, batch) -> str | None:
    """The command that repeats the check, for a class of the user's; with a warning when it
    lives in the running script and importing that runs the script."""
    if not _own_class(module):
        return None
    command = _command(module, specs, batch)
    source = _class_file(type(module))
    if os.path.abspath(source) == os.path.abspath(sys.argv[0]) and _runs_on_import(source):
        command += (
            f"  (this imports {_display(sys.argv[0])} and runs its top-level code: guard it with "
            '`if __name__ == "__main__":` or move the model to a module)'
        )
    return command


def _no_command(module, plain: bool) -> str:
    """Why there is no command to repeat the check: inputs --input cannot write, or a class
    that is not the user's."""
    if not plain:
        return (
            "no command to repeat this check: --input has no syntax for a list or dict of "
            "tensors (shapecheck.check(model, ...) in a test can take them)"
        )
    where = type(module).__module__.split(".")[0]
    return (
        f"no command to repeat this check: `{type(module).__name__}` is {where}'s class, built (and perhaps "
        "changed) by your script; a command names a class of your own file, or shapecheck.check(model, ...) "
        "in a test checks this very object"
    )


# -- the program around the failing call ----------------------------------------------------------


def _check_program(error: str, frames, called, budget_s: float, alone: bool = False) -> LiveDiagnosis | None:
    """The diagnosis of the program around the failing call (loading/program.py), when it tells
    more than the failing module alone: statements before the call feed it (or, `alone`, no
    model does: `X @ W`). None to fall back on the module's or the call's own check."""
    from torch import nn

    from .loading import program

    where = program.program_frame(frames, called)
    if where is None:
        return None
    frame, line = where
    found = program.slice_program(frame, line)
    if found is None or (found.calls_before == 0 and len(found.modules) < 2 and not alone):
        # `model(x)` or `loss(out, y)` alone: the module's or the call's own check says it; a
        # statement of two, `fc(features(x))`, is a program
        return None
    checked = _check_slice(found, frame, budget_s)
    if checked is None:
        return None
    report, label = checked
    from .call_input import drop_last_for_a_short_batch

    drop_last_for_a_short_batch(report, frame, line, _display)
    report.model = label
    failing_module = called[0] if called is not None else None
    model = type(failing_module).__name__ if isinstance(failing_module, nn.Module) else label
    return LiveDiagnosis(error, model=model, report=report, link=_slice_link(found, line))


def _slice_link(found, line: int) -> str:
    """How the program slice checked leads to the failing call: its modules and its inputs."""
    shown = ", ".join(found.modules) or "no module"
    fed = f", fed by {', '.join(f'`{n}`' for n in found.inputs)}" if found.inputs else ""
    return f"checked the code around {_display(found.file)}:{line} that leads to the failing call: {shown}{fed}"


def _check_slice(found, frame, budget_s: float) -> tuple[Report, str] | None:
    """The report of checking the program slice as a module on meta, and its label; None when
    it cannot be built or checked, or when on meta it runs (or fails outside any row): then it
    is not the program that failed."""
    from .api import check
    from .loading import program

    try:
        module, values, sites, label = program.build(found, frame)
    except Exception:
        return None
    specs, batch, _ = from_tensors(tuple(values), {}) if values else ([], None, None)
    if specs is None:
        return None
    modes = {m.training for m in module.children()}
    try:
        report = check(
            module,
            specs,
            batch=batch or 1,
            no_batch=batch is None,
            train=modes == {True},
            probe_budget_s=budget_s,
            engine="meta",
            defined_at=program.Sites(sites, ASSIGNED),
            # the program's own names for its inputs, where each is one tensor
            input_names=tuple(found.inputs) if all(hasattr(v, "shape") for v in values) else (),
        )
    except Exception:  # the replay is shapecheck's idea, not the program: never its error
        return None
    _drop_input_layout_fixes(report)
    trace = report.trace
    if trace.error is None or trace.failing is None or trace.failing.index == 0:
        return None
    return report, label


# -- an error outside any module ----------------------------------------------------------------


def _outside_modules(error: str, frames, budget_s: float) -> LiveDiagnosis:
    import torch

    user = [i for i, (frame, _) in enumerate(frames) if _is_user(frame.f_code.co_filename)]
    if not user:
        return LiveDiagnosis(error, note=NOT_FROM_USER)
    index = user[-1]
    frame, line = frames[index]
    filename = frame.f_code.co_filename
    source = linecache.getline(filename, line).strip()
    # the library function it called (F.cross_entropy): its arguments
    callee, operands = _library_call(frames[index + 1][0]) if index + 1 < len(frames) else (None, [])
    if not operands:  # a C op (torch.cat, @): the tensors named on the line
        operands = [(n, v) for n, v in frame.f_locals.items() if isinstance(v, torch.Tensor) and _named_on(source, n)]
    call = FailingCall(
        _display(filename),
        line,
        source,
        callee or source,
        [(n, tuple(v.shape), str(v.dtype).replace("torch.", "")) for n, v in operands],
    )
    return _feeding_model(error, frame, call, [v for _, v in operands], budget_s)


def _library_call(inner) -> tuple[str | None, list]:
    """The library function a user's line called (`F.cross_entropy`), and its tensor arguments."""
    import torch

    code = inner.f_code
    module_name = inner.f_globals.get("__name__", "")
    if module_name.startswith("torch.nn.functional"):
        callee = f"F.{code.co_name}"
    else:
        callee = f"{module_name}.{code.co_name}" if module_name else code.co_name
    operands = []
    for arg in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]:
        value = inner.f_locals.get(arg)
        if isinstance(value, torch.Tensor):
            operands.append((arg, value))
    return callee, operands


def _named_on(source: str, name: str) -> bool:
    import re

    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", source) is not None


def _feeding_model(error: str, frame, call: FailingCall, operands, budget_s: float) -> LiveDiagnosis:
    """The model in the frame whose output, given one of the frame's other tensors, has the shape
    of an operand: checked with that input."""
    import torch
    from torch import nn

    local = frame.f_locals
    models = [(n, v) for n, v in local.items() if isinstance(v, nn.Module)]
    if isinstance(local.get("self"), nn.Module):
        models.append(("self", local["self"]))
    shapes = {tuple(t.shape) for t in operands}
    ids = {id(t) for t in operands}
    candidates = [(n, v) for n, v in local.items() if isinstance(v, torch.Tensor) and id(v) not in ids]
    for model_name, model in models:
        for input_name, tensor in candidates:
            fed = _fed(model, tensor, shapes, budget_s)
            if fed is not None:
                return _fed_diagnosis(error, call, f"{model_name}({input_name})", model, fed)
    return LiveDiagnosis(error, call=call, note=NO_FEEDER)


def _fed_diagnosis(error: str, call: FailingCall, fed_call: str, model, fed) -> LiveDiagnosis:
    report, specs, batch, shape = fed
    link = f"`{fed_call}` returns {list(shape)}: that is the {_operand_name(call, shape)} of the failing call"
    command = _command(model, specs, batch) if _own_class(model) else None
    return LiveDiagnosis(error, type(model).__name__, report=report, call=call, link=link, command=command)


def _fed(model, tensor, shapes: set[tuple[int, ...]], budget_s: float):
    """(report, specs, batch, output shape) of checking `model` on `tensor`, when it runs and
    returns a tensor of one of `shapes`; None otherwise."""
    from .errors import ShapecheckError

    specs, batch, _ = from_tensors((tensor,), {})
    if specs is None:
        return None
    try:
        report = _check_live(model, specs, batch, budget_s)
    except ShapecheckError:
        return None
    out = report.trace.layers[0].outputs if report.trace.layers else []
    if report.trace.error is None and out and tuple(out[0].shape) in shapes:
        return report, specs, batch, out[0].shape
    return None


def _operand_name(call: FailingCall, shape) -> str:
    names = [n for n, s, _ in call.operands if tuple(s) == tuple(shape)]
    return f"`{names[0]}`" if names else "operand"


# -- entry points -------------------------------------------------------------------------------


# Where the user's own code created or assigned each module (`model.fc = nn.Linear(...)`),
# recorded while `shapecheck run` runs a script: findings then point at that line, not at a
# library's file.
class _Assigned(weakref.WeakKeyDictionary):
    """{module: Location} of the user's line that assigned it. Kept by absolute path, shown from
    the folder the diagnosis runs in: a script may change folders after building its model."""

    def get(self, key, default=None):
        from .trace.records import Location
        from .trace.sources import display_path

        where = super().get(key)
        if where is None:
            return default
        return Location(display_path(where.file), where.line, where.source)


ASSIGNED: weakref.WeakKeyDictionary = _Assigned()


def _user_line(child: str = ""):
    """The innermost frame of the user's own code: not torch, shapecheck, the standard library
    or an installed package; for a child of a container written over several lines, its own
    argument's line."""
    from types import FrameType

    from .trace.sources import child_location

    frame: FrameType | None = sys._getframe(2)
    skip = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)
    own = os.path.dirname(os.path.abspath(__file__)) + os.sep
    stdlib = os.path.dirname(os.__file__) + os.sep
    while frame is not None:
        name = os.path.abspath(frame.f_code.co_filename)
        if not (any(s in name for s in skip) or name.startswith((own, stdlib)) or name.startswith("<")):
            return child_location(frame, child)
        frame = frame.f_back
    return None


def record_assignments():
    """From now on, note the user's line for every module registered on another (a handle
    whose remove() stops it). Needs torch: called where torch is or will be used anyway, or as
    soon as torch's `nn.Module` is defined, while torch itself is still importing."""
    module_py = sys.modules.get("torch.nn.modules.module")
    if module_py is None:
        import torch.nn.modules.module as module_py

    def hook(module, name, submodule):
        if submodule is None:
            return
        where = _user_line(name)
        if where is None:
            return
        try:  # the last assignment is the one that counts
            ASSIGNED[submodule] = replace(where, file=os.path.abspath(where.file))
        except TypeError:  # a class of the user's with `__eq__` and no `__hash__`: not a key
            pass

    return module_py.register_module_module_registration_hook(hook)


class _RecordOnceImported:
    """`record_assignments()` from the moment torch's `nn.Module` exists: now if the caller
    imported torch, else right after the program's own `import torch` defines it, so that torch
    is never imported before the program imports it (a script sets `OMP_NUM_THREADS` or
    `CUDA_VISIBLE_DEVICES` first, or never imports torch at all). Until then an entry first on
    `sys.meta_path` waits for that module; `remove()` ends both."""

    _MODULE = "torch.nn.modules.module"

    def __init__(self) -> None:
        self.handle = None
        if self._MODULE in sys.modules:
            self.handle = record_assignments()
        else:
            sys.meta_path.insert(0, self)

    def find_spec(self, fullname, path, target=None):
        if fullname != self._MODULE:
            return None
        self._leave_meta_path()
        spec = None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                break
        exec_module = getattr(spec.loader, "exec_module", None) if spec is not None else None
        if exec_module is None:
            return spec

        def exec_then_record(module) -> None:
            exec_module(module)
            self.handle = record_assignments()

        spec.loader.exec_module = exec_then_record  # this module's own loader
        return spec

    def _leave_meta_path(self) -> None:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)

    def remove(self) -> None:
        self._leave_meta_path()
        if self.handle is not None:
            self.handle.remove()


def run_program(target: str, argv: list[str], *, as_module: bool, emit) -> int:
    """Run a script (or `-m` module) as `python` would, in this process: `sys.argv`, `__main__`,
    its output untouched (loading/as_main.py). A shape error it raises is diagnosed
    (`emit(diagnosis)`), then its traceback is printed as Python prints it, without shapecheck's
    frames. Returns the exit code Python would give."""
    from .loading import as_main

    cwd = os.getcwd()
    try:
        main = as_main.for_module(target) if as_module else as_main.for_script(target)
    except as_main.NotFound as exc:  # python's own line
        print(exc, file=sys.stderr)
        return exc.code
    except SyntaxError as exc:  # python prints it without a traceback: nothing of the script ran
        return _print_traceback(exc.with_traceback(None)) or 1
    handle = _RecordOnceImported()
    try:
        # the error is diagnosed and printed while the script is still `__main__` with its own
        # sys.argv and sys.path, as python calls sys.excepthook
        with as_main.installed(main, argv):
            try:
                try:
                    as_main.execute(main)
                finally:
                    _note_program_end(main.module)
                    _flush_io()
            except SystemExit as exc:
                if exc.code not in (None, 0) and (exc.__cause__ or exc.__context__) is not None:
                    # `except Exception: traceback.print_exc(); sys.exit(1)`: the error it handled
                    _diagnose_from(cwd, exc, emit)
                return _exit_code(exc)
            except BaseException as exc:
                return _ended_by(exc, cwd, emit)
    finally:
        with contextlib.suppress(Exception):  # a stdout of the script's own (a tee) may not flush
            sys.stdout.flush()
        handle.remove()
    return 0


# Whether the script itself had imported triton when it ended, before any diagnosis did: then
# `run` ends with the interpreter's own shutdown, as `python script.py` would (cli._exit_quietly).
PROGRAM_IMPORTED_TRITON = False
# The script's `__main__`, which python keeps in sys.modules until the interpreter shuts down
# (its objects are finalized and the files it left open flushed then): `run` puts it back there.
PROGRAM_MAIN: list = []


def _note_program_end(module) -> None:
    global PROGRAM_IMPORTED_TRITON
    PROGRAM_IMPORTED_TRITON = "triton" in sys.modules
    PROGRAM_MAIN[:] = [module]


def _flush_io() -> None:
    """What python does when the script's code ends, however it ends: stderr flushed, then stdout,
    before it prints an error or an exit message. Output the script left buffered (a pipe's
    `print("start")`) comes before the traceback, as under python."""
    for stream in (sys.stderr, sys.stdout):
        with contextlib.suppress(Exception):  # a stream of the script's own may not flush
            stream.flush()


def _ended_by(exc: BaseException, cwd: str, emit) -> int:
    """The diagnosis of the exception that ended the script (none for Ctrl-C), then its traceback;
    the exit code python gives."""
    if not isinstance(exc, KeyboardInterrupt):
        _diagnose_from(cwd, exc, emit)
    sys.stderr.flush()
    ended = _print_traceback(exc)
    if isinstance(exc, KeyboardInterrupt) and ended is None:
        raise KeyboardInterrupt from None  # the caller ends by SIGINT, as python does
    return 1 if ended is None else ended


def _exit_code(exc: SystemExit) -> int:
    """The exit code python gives for `sys.exit(code)`: a message is printed, and gives 1."""
    code = exc.code
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)
    return 1


def _diagnose_from(cwd: str, exc: BaseException, emit) -> None:
    """The diagnosis, made and emitted from the folder the user ran the command in (paths are
    shown from there, a relative `--report` is written there), whichever folder the script
    moved to or removed."""
    try:
        moved: str | None = os.getcwd()
    except OSError:  # the script removed the folder it moved to
        moved = None
    back = moved != cwd and os.path.isdir(cwd)
    if back:
        os.chdir(cwd)
    try:
        _diagnose_and_emit(exc, emit)
    finally:
        if back and moved is not None and os.path.isdir(moved):
            os.chdir(moved)


def _diagnose_and_emit(exc: BaseException, emit) -> None:
    found, complaint = _diagnose_safely(exc, 3.0)
    if complaint:
        print(complaint, file=sys.stderr)
    if found is None:
        return
    try:
        emit(found)
    except OSError as err:  # an unwritable --report: never in place of the program's own error
        print(f"shapecheck: could not write the diagnosis ({err})", file=sys.stderr)


def _print_traceback(exc: BaseException) -> int | None:
    """The traceback as python prints it, from the first frame of the user's code (for -m, from
    runpy's, as python's), without shapecheck's, through the script's own excepthook when it
    set one; the exit code when that hook ends the program (`sys.exit(2)` in it), else None."""

    from .loading.as_main import is_runpy_entry

    tb = exc.__traceback__
    while tb is not None and not (_is_user(tb.tb_frame.f_code.co_filename) or is_runpy_entry(tb.tb_frame.f_code)):
        tb = tb.tb_next
    exc.__traceback__ = tb or exc.__traceback__
    if sys.excepthook is not sys.__excepthook__:  # the script's own hook, as python calls it
        try:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        except SystemExit as ended:  # the hook ends the program: python exits with its code
            return _exit_code(ended)
        except BaseException as failed:  # python says so, then prints the original
            print("Error in sys.excepthook:", file=sys.stderr)
            failed.__traceback__ = failed.__traceback__.tb_next if failed.__traceback__ else None  # not ours
            if failed.__context__ is exc:
                failed.__suppress_context__ = True
            sys.__excepthook__(type(failed), failed, failed.__traceback__)
            print("\nOriginal exception was:", file=sys.stderr)
            sys.__excepthook__(type(exc), exc, exc.__traceback__)
    else:
        # python's own display (not the traceback module's): its `Did you mean: 'weight'?` on
        # 3.10 and 3.11, and its wording for an exception whose str() fails
        sys.__excepthook__(type(exc), exc, exc.__traceback__)
    return None


class watch:
    """`with shapecheck.watch(): ...` or `@shapecheck.watch()`: a shape error raised inside gets
    shapecheck's diagnosis added to its traceback (as a note; printed to stderr before Python
    3.11). The exception itself propagates unchanged."""

    def __init__(self, budget_s: float = 3.0):
        self.budget_s = budget_s

    def __enter__(self):
        return self

    def __exit__(self, etype, exc, tb):
        if exc is not None:
            attach(exc, self.budget_s)
        return False

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def wrapped(*args, **kwargs):
            with watch(self.budget_s):
                return func(*args, **kwargs)

        return wrapped


def describe(exc: BaseException, budget_s: float = 3.0) -> str | None:
    """The diagnosis text for an exception, or None. Never raises: a failure of shapecheck
    while diagnosing must not hide the user's own error."""
    if getattr(exc, "_shapecheck_described", False):
        return None
    found, complaint = _diagnose_safely(exc, budget_s)
    if complaint:
        return complaint
    try:
        exc._shapecheck_described = True  # type: ignore[attr-defined]  # a mark on the user's exception
    except AttributeError:
        pass
    from .render.live import live_text

    return live_text(found) if found is not None else None


def _diagnose_safely(exc: BaseException, budget_s: float) -> tuple[LiveDiagnosis | None, str | None]:
    """The diagnosis, or a line saying why there is none. Diagnosing runs model code again (on
    a copy); whatever that raises, SystemExit and other BaseExceptions included, is reported
    here and never replaces the program's own error. Only Ctrl-C goes on."""
    try:
        with _program_output_hushed():
            return diagnose_exception(exc, budget_s=budget_s), None
    except KeyboardInterrupt:
        raise
    except BaseException as inner:
        what = f"{type(inner).__name__}: {inner}" if str(inner) else type(inner).__name__
        return None, f"shapecheck: could not diagnose this error ({what})"


@contextlib.contextmanager
def _program_output_hushed():
    """The diagnosis runs the program's model code again, dozens of times (probes, fixes): what
    that code prints, writes to stderr, warns or logs from this thread goes nowhere. The
    program's output is its own run's; its other threads write as they did."""
    import logging
    import threading

    from . import threads

    me = threading.get_ident()
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    handlers = list({id(h): h for lg in loggers for h in getattr(lg, "handlers", ())}.values())

    def not_mine(record) -> bool:
        return record.thread != me

    with open(os.devnull, "w", encoding="utf-8") as sink, threads.output_to(sink):
        for handler in handlers:
            handler.addFilter(not_mine)
        try:
            yield
        finally:
            for handler in handlers:
                handler.removeFilter(not_mine)


def attach(exc: BaseException, budget_s: float = 3.0) -> None:
    text = describe(exc, budget_s)
    if text is None:
        return
    if hasattr(exc, "add_note"):
        exc.add_note("\n" + text.rstrip())
    else:  # Python 3.10: notes are kept where 3.11 keeps them, but tracebacks do not print them
        try:
            exc.__notes__ = [*getattr(exc, "__notes__", []), "\n" + text.rstrip()]  # type: ignore[attr-defined]
        except AttributeError:
            pass
        print(text, file=sys.stderr)


def load_ipython_extension(ipython) -> None:
    """`%load_ext shapecheck`: a failing cell's shape error is diagnosed before its traceback."""

    def handler(shell, etype, value, tb, tb_offset=None):
        text = describe(value)
        if text:
            print(text)
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)

    ipython.set_custom_exc(SHAPE_ERRORS, handler)


def unload_ipython_extension(ipython) -> None:
    ipython.set_custom_exc((), None)
