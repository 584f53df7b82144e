"""The model input as the bug: in a running program a fix that only changes what the script
passes to a model (a dim it lacks, its layout, its dtype) is an edit of the call, not of the model.

`shapecheck MODEL --input ...` words such a fix as another `--input`. A running program has no
`--input`: its data is the input, and the line to change is the one that passes it
(`logits = model(image)` → `logits = model(image.unsqueeze(0))`). A finding whose first fix is
such an edit is located at that call, with the layer's own line as a note. When the rules offer
no fix to the code and the finding is about the input's rank or layout (SC101, SC105, SC114),
the usual repairs of the argument (a batch dim, a channel dim, a flatten, channels first) are
tried on a meta copy; the first that makes the model run is offered, verified.
"""

from __future__ import annotations

import ast
import linecache
import math
from collections.abc import Callable
from types import FrameType

from .diagnose.findings import SAFE, Fix, FixKind
from .report import Report
from .trace.records import Location
from .trace.requests import SAME

# The rules whose finding can be about the input's rank or layout: the argument repairs are tried.
_INPUT_SHAPED = {"SC101", "SC105", "SC114"}
# Argument repairs tried at most, each a check on meta (a count, not seconds: the same answer on a
# busy machine and a quiet one).
_MAX_TRIED = 6
_DTYPE_METHODS = {"int64": "long", "int32": "int", "float32": "float", "float64": "double", "bool": "bool"}

# Run the model on inputs of these full shapes (None where an input stays as given); True when it runs.
Probe = Callable[[list[tuple[int, ...] | None]], bool]


def fix_at_the_call(
    report: Report, frame: FrameType, line: int, module, display: Callable[[str], str], probe: Probe | None
) -> None:
    """Turn the report's input fixes into edits of the call on `line` of `frame` (the user's code
    calling `module`), and locate each finding whose first fix is one at that call (or at the
    DataLoader whose last batch holds one sample)."""
    arguments = _call_arguments(frame, line, module)
    source = linecache.getline(frame.f_code.co_filename, line)
    if arguments is None or not source.strip():
        return
    at = Location(display(frame.f_code.co_filename), line, source.strip())
    given = [tuple(t.shape) for t in report.inputs]
    for finding in report.findings:
        if not finding.is_error or _drop_last_first(finding, frame, line, given, display, probe):
            continue
        finding.fixes = _call_fixes(finding, report, arguments, source, at, probe)
        if finding.fixes and finding.fixes[0].location == at and finding.location != at:
            _moved(finding, at)


def _call_fixes(
    finding, report: Report, arguments: list[ast.expr], source: str, at: Location, probe: Probe | None
) -> list[Fix]:
    """The finding's fixes, each input change written as an edit of the call; led by the first
    usual repair of the argument that runs, when the finding can be about the input's rank or
    layout and no fix is a safe, verified edit."""
    fixes = [_call_edit(fix, report, arguments, source, at) or fix for fix in finding.fixes]
    if probe is None or finding.code not in _INPUT_SHAPED or _has_safe_edit(fixes):
        return fixes
    found = _searched([tuple(t.shape) for t in report.inputs], arguments, source, at, probe)
    return fixes if found is None else [found, *fixes]


def _drop_last_first(
    finding, frame: FrameType, line: int, given, display: Callable[[str], str], probe: Probe | None
) -> bool:
    """SC108 on the one-sample last batch of a DataLoader: `drop_last=True` on the loader becomes
    the finding's first fix and its place; False when no loader the frame sees explains it."""
    if finding.code != "SC108":
        return False
    dropped = _drop_last(frame, line, given, display, probe)
    if dropped is None:
        return False
    _moved(finding, dropped.location)
    finding.fixes.insert(0, dropped)
    return True


def _moved(finding, to: Location | None) -> None:
    """The finding located at `to` in the user's code, its layer's own line kept as a note."""
    built = f"`{finding.layer}` is defined at {finding.location}"
    if finding.location is not None and not any(n.startswith(built) for n in finding.notes):
        finding.notes.append(f"{built}: {finding.location.source}")
    finding.location = to


def _drop_last(frame: FrameType, line: int, given, display: Callable[[str], str], probe: Probe | None) -> Fix | None:
    """`drop_last=True` on the DataLoader whose last batch is the one sample BatchNorm saw: a
    loader of the frame's (or one a caller of the user's built) whose dataset leaves one sample
    after its full batches."""
    if not given or not given[0] or given[0][0] != 1:
        return None
    odd = [dl for dl in _loaders(frame) if _last_batch_of_one(dl)]
    if len(odd) != 1:
        return None
    loader = odd[0]
    full = (loader.batch_size, *given[0][1:])
    why = "leave one, and BatchNorm cannot normalize one value per channel in training mode"
    verified = probe([full, *([None] * (len(given) - 1))]) if probe is not None else None
    return _drop_last_at(frame, line, loader, why, verified, display)


def _loaders(frame: FrameType) -> list:
    """The DataLoaders the frame can see: its own (a function's) and its module's."""
    from torch.utils.data import DataLoader

    scopes = [frame.f_locals] if frame.f_code.co_name != "<module>" else []
    found = {id(v): v for scope in (*scopes, frame.f_globals) for v in scope.values() if isinstance(v, DataLoader)}
    return list(found.values())


def _drop_last_at(frame: FrameType, line: int, loader, why: str, verified, display: Callable[[str], str]) -> Fix | None:
    """`drop_last=True` written on the line that built the loader (in the frame, or in a caller)."""
    from .loading import program

    built = program.assignment_line(frame, loader, line + 1)
    where = (frame.f_code.co_filename, built) if built is not None else program._assigned_by_caller(frame, loader)
    if where is None:
        return None
    filename, at = where
    source = linecache.getline(filename, at)
    after = _with_keyword(source, "drop_last=True")
    return Fix(
        description=f"drop the last batch: {_length(loader)} samples in batches of {loader.batch_size} {why}",
        verified=verified,
        code=after.strip() if after else "DataLoader(..., drop_last=True)",
        safety=SAFE,
        location=Location(display(filename), at, source.strip()),
        before=source.strip() if after else None,
        after=after.strip() if after else None,
    )


def drop_last_for_a_short_batch(report: Report, frame: FrameType, line: int, display: Callable[[str], str]) -> None:
    """A program that fails only on a DataLoader's last, shorter batch (joined with a tensor of
    the full batch size): a fix verified by giving the program the full batch is, in the
    script, `drop_last=True` where the loader is built. It takes that fix's place, first."""
    given = [tuple(t.shape) for t in report.inputs]
    for finding in report.findings:
        if not finding.is_error:
            continue
        for k, fix in enumerate(finding.fixes):
            sizes = _batch_sizes_of(fix, given, report.trace.batch)
            loader = _short_loader(frame, *sizes) if sizes is not None and fix.verified else None
            if loader is None:
                continue
            left = _length(loader) % loader.batch_size
            why = f"leave {left}, one size the code after it does not take"
            dropped = _drop_last_at(frame, line, loader, why, fix.verified, display)
            if dropped is not None:
                del finding.fixes[k]
                finding.fixes.insert(0, dropped)
            break


def _batch_sizes_of(fix: Fix, given: list[tuple[int, ...]], batch) -> tuple[int, int] | None:
    """(the batch size a fix's re-run gives one input, the size it has) when the re-run changes
    only that input's dim 0; None for any other fix."""
    rerun = fix.rerun
    if rerun is None or rerun.edits or rerun.args or rerun.dtype is not None:
        return None
    changed = rerun.changed_inputs()
    if batch is None:
        return _dim_0_changed(changed, given)
    # a batch dim of the trace's own: the re-run's batch, nothing else
    wanted = rerun.batch
    return (wanted, batch) if isinstance(wanted, int) and wanted != batch and not changed else None


def _dim_0_changed(changed: list[tuple[int, tuple[int, ...]]], given: list[tuple[int, ...]]) -> tuple[int, int] | None:
    """(the new size, the size given) when the inputs' new dims (`changed`, for inputs given whole)
    differ from `given` in one input's dim 0 alone."""
    if len(changed) != 1 or changed[0][0] >= len(given):
        return None
    index, dims = changed[0]
    now = given[index]
    if len(dims) != len(now) or not now or tuple(dims[1:]) != now[1:] or dims[0] == now[0]:
        return None
    return dims[0], now[0]


def _short_loader(frame: FrameType, full: int, short: int):
    """The one loader the frame sees whose batches are `full` long but its last is `short`."""
    found = [
        dl
        for dl in _loaders(frame)
        if dl.batch_size == full and not dl.drop_last and (_length(dl) or 0) % full == short
    ]
    return found[0] if len(found) == 1 else None


def _last_batch_of_one(loader) -> bool:
    batch, size = loader.batch_size, _length(loader)
    return isinstance(batch, int) and batch > 1 and size is not None and not loader.drop_last and size % batch == 1


def _length(loader) -> int | None:
    try:
        return len(loader.dataset)
    except TypeError:  # an iterable dataset: no length
        return None


def _with_keyword(source: str, keyword: str) -> str | None:
    """The line with `keyword` added to its one DataLoader call, when that call is on the line."""
    try:
        tree = ast.parse(source.strip())
    except SyntaxError:
        return None
    calls = [
        n for n in ast.walk(tree) if isinstance(n, ast.Call) and (ast.unparse(n.func).split(".")[-1] == "DataLoader")
    ]
    if len(calls) != 1 or calls[0].end_col_offset is None:
        return None
    text = source.strip().encode()
    end = calls[0].end_col_offset - 1  # the closing parenthesis
    joiner = ", " if calls[0].args or calls[0].keywords else ""
    indent = source[: len(source) - len(source.lstrip())]
    return indent + (text[:end] + (joiner + keyword).encode() + text[end:]).decode()


def _has_safe_edit(fixes: list[Fix]) -> bool:
    return any(f.kind == FixKind.EDIT and f.safety == SAFE and f.verified and f.after for f in fixes)


def _call_arguments(frame: FrameType, line: int, module) -> list[ast.expr] | None:
    """The argument expressions of the call to `module` on `line`, positional then keyword, in
    the order the model received them; None when there is no such call on one line, or it
    unpacks (`*args`, `**kwargs`)."""
    from .loading import program

    node = program.call_node(frame, line, module)
    if node is None or node.lineno != node.end_lineno:
        return None
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return None
    return [*node.args, *(k.value for k in node.keywords)]


def _call_edit(fix: Fix, report: Report, arguments: list[ast.expr], source: str, at: Location) -> Fix | None:
    """The fix as an edit of the call on the user's line; None when it is not one."""
    if fix.location is None and fix.rerun is not None and not fix.rerun.args:
        on_root = _method_on_root_argument(fix, report, arguments, source, at)
        if on_root is not None:
            return on_root
    return _as_call_edit(fix, report, arguments, source, at)


def _as_call_edit(fix: Fix, report: Report, arguments: list[ast.expr], source: str, at: Location) -> Fix | None:
    """The call-site edit for a fix that only changes one input's shape or dtype; None for any
    other fix, or one no tensor method writes."""
    rerun = fix.rerun
    changed = _one_changed_input(fix, min(len(arguments), len(report.inputs)))
    if rerun is None or changed is None:
        return None
    index, dims = changed
    given, passed = tuple(report.inputs[index].shape), report.inputs[index].dtype
    batch = report.trace.batch if rerun.batch is SAME else rerun.batch
    full: tuple = given if dims is None else ((batch, *dims) if batch is not None else tuple(dims))
    method = _method_to(given, full, passed, rerun.dtype)
    if not method:  # None: no tensor method writes it; "": nothing changes
        return None
    what = f"the model reads {list(full)}, the script passes {list(given)}"
    if dims is None:
        what = f"the model needs {rerun.dtype} values, the script passes {passed}"
    # the rerun that verified it changed the input, which is what the edit does: kept as its result
    return _call_fix(
        source,
        arguments[index],
        at,
        method,
        description=f"pass `{ast.unparse(arguments[index])}{method}`: {what}",
        safety=SAFE,
        verified=fix.verified,
        result_shape=fix.result_shape,
        check_note=fix.check_note,
    )


def _one_changed_input(fix: Fix, count: int) -> tuple[int, tuple[int, ...] | None] | None:
    """(index, per-sample dims, None for its dtype alone) of the one input among the first `count`
    that the fix's re-run changes, when that is all it changes: an input fix, or code for the
    data with no line of its own (`x = x.expand(...)`) verified by changing the input alone;
    either is what the call passes. None for any other fix."""
    rerun = fix.rerun
    if rerun is None or not _changes_the_input_alone(fix):
        return None
    changed: list[tuple[int, tuple[int, ...] | None]] = list(rerun.changed_inputs())
    if rerun.dtype is not None and not changed:
        changed = [(0, None)]
    if len(changed) != 1 or changed[0][0] >= count:
        return None
    return changed[0]


def _changes_the_input_alone(fix: Fix) -> bool:
    """An input fix, or code for the data with no line of its own, whose re-run edits no layer
    and passes no other arguments."""
    rerun = fix.rerun
    if rerun is None or rerun.edits or rerun.args:
        return False
    return fix.kind == FixKind.INPUT or (fix.kind == FixKind.EDIT and fix.location is None)


def _method_to(given: tuple[int, ...], full: tuple[int, ...], passed: str, dtype: str | None) -> str | None:
    """The tensor methods that turn an input of shape `given` and dtype `passed` into `full` and
    `dtype` (None: as passed); "" when nothing changes, None when no method writes it."""
    method = _reshaping(given, full)
    if method is None and passed in ("int64", "int32"):
        method = _truncating(given, full)
    if method is None:
        method = _repeating(given, full)
    if method is None or dtype is None:
        return method
    return method + f".{_DTYPE_METHODS[dtype]}()" if dtype in _DTYPE_METHODS else None


def _call_fix(source: str, argument: ast.expr, at: Location, method: str, **fields) -> Fix | None:
    """A fix that applies `method` to `argument` on the call's line `at`; None when the argument's
    place on the line is unknown."""
    edited = _edited(source, argument, method)
    if edited is None:
        return None
    return Fix(code=edited.strip(), location=at, before=at.source, after=edited.strip(), **fields)


def _method_on_root_argument(
    fix: Fix, report: Report, arguments: list[ast.expr], source: str, at: Location
) -> Fix | None:
    """A loss checked alone (`criterion(logits, y)` in the script's helper) whose fix gives one
    of its arguments a method (`.squeeze(-1)`), verified on the call's own arguments: the same
    edit of the call on the user's line."""
    edit = _root_argument_method(fix, report)
    if edit is None:
        return None
    index, method, args = (edit.param(k) for k in ("index", "method", "args"))
    if not isinstance(index, int) or not isinstance(method, str) or index >= len(arguments):
        return None
    return _call_fix(
        source,
        arguments[index],
        at,
        f".{method}({', '.join(map(repr, args or ()))})",
        description=fix.description,
        safety=fix.safety,
        rerun=fix.rerun,
        verified=fix.verified,
        result_shape=fix.result_shape,
        check_note=fix.check_note,
    )


def _root_argument_method(fix: Fix, report: Report):
    """The fix's one edit, when it gives an argument of the model's root call a method."""
    from .trace.requests import EditAction

    edits = fix.rerun.edits if fix.rerun is not None else ()
    root = report.trace.layers[0].name if report.trace.layers else None
    if len(edits) != 1 or edits[0].action != EditAction.ARG_METHOD or edits[0].target != root:
        return None
    return edits[0]


def _searched(given, arguments, source: str, at: Location, probe: Probe) -> Fix | None:
    """The first usual repair of the first argument that makes the model run, as a call edit."""
    if not given or not arguments:
        return None
    shape = given[0]
    for method, full in _repairs(shape)[:_MAX_TRIED]:
        if probe([full, *([None] * (len(given) - 1))]):
            name = ast.unparse(arguments[0])
            return _call_fix(
                source,
                arguments[0],
                at,
                method,
                description=f"pass `{name}{method}`: the model runs on {list(full)}, the script passes {list(shape)}",
                safety=SAFE,
                verified=True,
            )
    return None


def _repairs(shape: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
    """The usual ways data reaches a model in the wrong rank or layout, as (method, new shape):
    no batch dim, no channel dim, an image given to an MLP, flat pixels given to a CNN, channels
    last."""
    out = [(".unsqueeze(0)", (1, *shape))]
    if len(shape) >= 2:
        out.append((".unsqueeze(1)", (shape[0], 1, *shape[1:])))
    if len(shape) >= 3:
        out.append((".flatten(1)", (shape[0], math.prod(shape[1:]))))
    if len(shape) == 2:
        out.extend(_as_square_images(shape))
    if len(shape) in (3, 4) and shape[-1] in (1, 2, 3, 4) and shape[1] not in (1, 2, 3, 4):
        order = (0, len(shape) - 1, *range(1, len(shape) - 1))
        out.append((f".permute{order}", tuple(shape[i] for i in order)))
    return out


def _as_square_images(shape: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
    """Images read flat (a CSV of pixels), [B, C·S·S], as one or three channels of a square."""
    out: list[tuple[str, tuple[int, ...]]] = []
    for channels in (1, 3):
        side = math.isqrt(shape[1] // channels)
        if side > 1 and channels * side * side == shape[1]:
            out.append((f".view(-1, {channels}, {side}, {side})", (shape[0], channels, side, side)))
    return out


def _reshaping(given: tuple[int, ...], wanted: tuple[int, ...]) -> str | None:
    """The tensor method that turns `given` into `wanted` with the same values: a dim of 1
    added, dims reordered (channels last to first), trailing dims flattened; "" when they are
    equal, None when no such method does it."""
    if given == wanted:
        return ""
    if math.prod(given) != math.prod(wanted):
        return None
    for way in (_unsqueezing, _flattening, _permuting):
        method = way(given, wanted)
        if method is not None:
            return method
    return None


def _unsqueezing(given: tuple[int, ...], wanted: tuple[int, ...]) -> str | None:
    """`.unsqueeze(k)` when `wanted` is `given` with a dim of 1 at k."""
    if len(wanted) != len(given) + 1:
        return None
    added = [k for k in range(len(wanted)) if wanted[k] == 1 and wanted[:k] + wanted[k + 1 :] == given]
    return f".unsqueeze({added[0]})" if added else None


def _flattening(given: tuple[int, ...], wanted: tuple[int, ...]) -> str | None:
    """`.flatten(k)` when `wanted` keeps `given`'s first k dims and folds the rest into one
    (their product is the same)."""
    k = len(wanted) - 1
    return f".flatten({k})" if len(wanted) < len(given) and wanted[:k] == given[:k] else None


def _permuting(given: tuple[int, ...], wanted: tuple[int, ...]) -> str | None:
    """`.permute(...)` (`.T` for two dims) when `wanted` is `given`'s distinct sizes reordered."""
    if len(wanted) != len(given) or sorted(wanted) != sorted(given) or len(set(given)) != len(given):
        return None
    return ".T" if len(given) == 2 else f".permute{tuple(given.index(d) for d in wanted)}"


def _truncating(given: tuple[int, ...], wanted: tuple[int, ...]) -> str | None:
    """Token ids [B, L] kept to their first L' < L (a sequence longer than the model takes):
    `[:, :L']`; None for any other change (an image is resized, not cropped)."""
    if len(given) != 2 or len(wanted) != 2 or given[0] != wanted[0] or not 0 < wanted[1] < given[1]:
        return None
    return f"[:, :{wanted[1]}]"


def _repeating(given: tuple[int, ...], wanted: tuple[int, ...]) -> str | None:
    """Gray images [B, 1, H, W] given to a model of C channels: the channel repeated,
    `.expand(-1, C, -1, -1)` (no copy); None for any other change."""
    if len(given) < 3 or len(given) != len(wanted) or given[1] != 1 or wanted[1] <= 1:
        return None
    if given[:1] + given[2:] != wanted[:1] + wanted[2:]:
        return None
    return f".expand(-1, {wanted[1]}{', -1' * (len(given) - 2)})"


def _edited(source: str, argument: ast.expr, method: str) -> str | None:
    """The source line with `method` applied to the argument (parenthesised when it needs it)."""
    encoded = source.encode()
    start, end = argument.col_offset, argument.end_col_offset
    if end is None:
        return None
    text = encoded[start:end].decode()
    simple = isinstance(argument, (ast.Name, ast.Attribute, ast.Call, ast.Subscript))
    new = (text if simple else f"({text})") + method
    return (encoded[:start] + new.encode() + encoded[end:]).decode().rstrip("\n")
