"""One constructor argument behind several edits: when a chain of fixes sets the same size on
layers that all take it from one parameter of the module that owns them (`to_k` and `to_v` both
built from `context_dim`), the fix to paste is that argument, where the owner is built
(`self.attn2 = CrossAttention(model_channels, context_dim=768)`), not each layer."""

from __future__ import annotations

import ast
import linecache
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..trace.records import Location, Trace
from .findings import SAFE, UNSAFE, Fix
from .numbers import call_arguments, keyword_or_positional, written_over
from .requests import Edit, Rerun
from .roles import is_library_file


@dataclass(frozen=True)
class OwnerArgument:
    owner: str  # the owning module's qualified name
    parameter: str  # the parameter of its __init__ that every edited line passes
    value: int  # what the edits set
    location: Location  # the line that builds the owner
    after: str  # that line with the argument set


def shared_first_argument(steps: list[Fix]) -> str | None:
    """The text every edited constructor line passes first (`context_dim`), when it is one name."""
    firsts = []
    for step in steps:
        match = re.search(r"\w+\(\s*([^,()]+?)\s*,", step.before or "")
        if match is None:
            return None
        firsts.append(match.group(1))
    if len(set(firsts)) != 1 or not firsts[0].isidentifier():
        return None
    return firsts[0]


def edited_argument(step: Fix) -> tuple[str, int] | None:
    """(the argument text an edit replaced, the number it wrote), read from the line before and
    after: `nn.GroupNorm(8, cin)` → `nn.GroupNorm(8, 128)` is ("cin", 128), whatever position."""
    before, after = step.before or "", step.after or ""
    if not before or not after or before == after:
        return None
    start, tail = _unchanged_ends(before, after)
    old, new = before[start : len(before) - tail].strip(), after[start : len(after) - tail].strip()
    return (old, int(new)) if new.isdigit() else None


def _unchanged_ends(before: str, after: str) -> tuple[int, int]:
    """How many characters two lines share at the start and, after that, at the end, each cut
    back to a word's edge: what lies between is the changed argument."""
    start = _common_start(before, after)
    tail = _common_start(before[start:][::-1], after[start:][::-1])
    while start > 0 and _in_a_word(before[start - 1]):
        start -= 1
    while tail > 0 and _in_a_word(before[-tail]):
        tail -= 1
    return start, tail


def _common_start(a: str, b: str) -> int:
    """How many characters `a` and `b` share at the start."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _in_a_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def shared_argument(steps: list[Fix]) -> tuple[str, int] | None:
    """The one name every step's edit replaced, and the one number each wrote in its place."""
    edited = {edited_argument(step) for step in steps}
    if len(edited) != 1 or None in edited:
        return None
    (found,) = edited
    return found if found is not None and found[0].isidentifier() else None


def owner_argument(steps: list[Fix], after: Trace) -> OwnerArgument | None:
    shared = shared_argument(steps)
    targets = [s.rerun.edits[-1].target for s in steps if s.rerun is not None and s.rerun.edits]
    if shared is None or len(targets) != len(steps) or steps[0].location is None:
        return None
    name, value = shared
    found = _owner_taking(after, _common_parent(targets), steps[0].location.file, name)
    if found is None:
        return None
    owner, row, parameters = found
    line = _set_keyword(row.defined_at.source.strip(), row.type, parameters.index(name), name, value)
    if line is None:
        return None
    return OwnerArgument(owner, name, value, row.defined_at, line)


def _owner_taking(after: Trace, owner: str, file: str, name: str):
    """(its name, its row, its __init__'s parameters) of the innermost module holding the edited
    layers, from `owner` outwards, whose class (in `file`) takes `name`: the argument the edited
    lines read (`cin` of a `DoubleConv`, not of the `nn.Sequential` inside it)."""
    while owner:
        row = next((r for r in after.layers if r.name == owner and r.kind == "module"), None)
        if row is None or row.defined_at is None or not row.defined_at.source:
            return None
        parameters = _init_parameters(file, row.type)
        if parameters is not None and name in parameters:
            return owner, row, parameters
        owner = owner.rpartition(".")[0]
    return None


def _common_parent(targets: list[str]) -> str:
    """The innermost module that holds every target: `block.conv1.0` and `block.res_conv` → `block`."""
    paths = [t.split(".")[:-1] for t in targets]
    common: list[str] = []
    for parts in zip(*paths, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return ".".join(common)


def _init_parameters(file: str, cls: str) -> list[str] | None:
    """The parameters of `cls.__init__` after self, read from the file's source (not run)."""
    tree = _parsed(file)
    init = next(_inits(tree, cls), None) if tree is not None else None
    if init is None:
        return None
    return [a.arg for a in [*init.args.posonlyargs, *init.args.args][1:]] + [a.arg for a in init.args.kwonlyargs]


def _parsed(file: str) -> ast.Module | None:
    """The file's source as a tree (from linecache, not run); None when it does not parse."""
    try:
        return ast.parse("".join(linecache.getlines(file)))
    except SyntaxError:
        return None


def _inits(tree: ast.Module, cls: str) -> Iterator[ast.FunctionDef]:
    """The `__init__` of each class named `cls` in the tree."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls:
            yield from (item for item in node.body if isinstance(item, ast.FunctionDef) and item.name == "__init__")


def _set_keyword(source: str, call: str, position: int, name: str, value: int | str) -> str | None:
    """The owner's line with `name=value`: the keyword replaced where it is written, a positional
    argument at `position` turned into the keyword when nothing positional follows it (else
    replaced by the value), or the keyword added when the default was used."""
    found = call_arguments(source, call)
    if found is None:
        return None
    _, close, spans = found
    named, positional = keyword_or_positional(source, spans, name)
    if named is not None:
        return written_over(source, named, f"{name}={value}")
    if position < len(positional):
        new = f"{name}={value}" if position == len(positional) - 1 else str(value)
        return written_over(source, positional[position], new)
    return source[:close] + f"{', ' if spans else ''}{name}={value}" + source[close:]


def producer_argument_fixes(trace: Trace, row, tensor, want: int) -> list[Fix]:
    """`self.time_proj = GaussianFourierProjection(embedding_size=8)` makes the 16 features that
    reach a layer built for 64 from the model's settings: the literal number on the producer's
    construction line is the likelier mistake, so each whole-number argument there that the
    width scales with is offered at the value that gives `want` (8 → 32), checked by building
    the module again with it."""
    owner = _producer_with_a_line(trace, row, tensor)
    if owner is None:
        return []
    from .rules.blocks import instance_span

    source = owner.defined_at.source.strip()
    span = instance_span(source, owner.type, owner.name)  # the call that built this one, of several on the line
    call = _literal_call(source[span[0] : span[1]], owner.type) if span is not None else None
    if call is None or span is None:
        return []
    args, kwargs = call
    got = tensor.shape[-1]
    fixes = []
    for key, value in [*enumerate(args), *kwargs.items()]:
        if not _scales(value, got, want):
            continue
        new = value * want // got
        written = _with_argument(source[span[0] : span[1]], owner.type, key, new)
        if written is None:
            continue
        after = source[: span[0]] + written + source[span[1] :]
        name = key if isinstance(key, str) else f"argument {key + 1}"
        fixes.append(
            Fix(
                description=f"build `{owner.name}` with {name}={new} (written {value}): it makes the {got} features "
                f"and the layer takes {want} from the model's settings",
                code=after,
                safety=UNSAFE,
                location=owner.defined_at,
                before=source,
                after=after,
                rerun=_rebuilt(owner.name, args, kwargs, key, new),
            )
        )
        if len(fixes) == 2:
            break
    return fixes


def _producer_with_a_line(trace: Trace, row, tensor):
    """The user's module that made `tensor` (`_producing_module`), when its construction line is known."""
    owner = _producing_module(trace, row, tensor)
    if owner is None or owner.defined_at is None or not owner.defined_at.source:
        return None
    return owner


def _scales(value, got: int, want: int) -> bool:
    """A positive whole number that becomes a whole number when scaled from `got` to `want`."""
    return not isinstance(value, bool) and isinstance(value, int) and value > 0 and not (value * want) % got


def _rebuilt(name: str, args: list, kwargs: dict, key: int | str, new: int) -> Rerun:
    """The re-run that builds module `name` again with argument `key` (a position or a keyword) set to `new`."""
    new_args = tuple(new if k == key else v for k, v in enumerate(args))
    new_kwargs = tuple((k, new if k == key else v) for k, v in kwargs.items())
    return Rerun(edits=(Edit("rebuild", name, params=(("args", new_args), ("kwargs", new_kwargs))),))


def forward_literal_fixes(trace: Trace, row, tensor, want: int) -> list[Fix]:
    """`t = self.pos_encoding(t, 128)` in forward makes the 128 features that reach a layer built
    for 256 from the model's setting `time_dim=256`: a whole number written as a call's argument
    in a method of the user's file that made the tensor, which the width scales with, and whose
    scaled value is one of the model's settings kept on `self`, is offered as that setting
    (`self.time_dim`), checked by tracing the line as written."""
    got = tensor.shape[-1] if tensor.shape else 0
    settings = {value: name for name, value in trace.arguments if isinstance(value, int)}
    lines = _user_call_lines(trace, row)
    if got <= 0 or not settings or not lines:
        return []
    fixes: list[Fix] = []
    for file, seen in lines.items():
        for fix in _literal_fixes_in(file, seen, got, want, settings):
            if all(f.after != fix.after for f in fixes):
                fixes.append(fix)
    return fixes[:2]


def _user_call_lines(trace: Trace, row) -> dict[str, set[int]]:
    """The lines of the user's files, by file, that called the layers making `row` and the 11
    rows before it (a layer in a Sequential: the line that called the Sequential)."""
    lines: dict[str, set[int]] = {}
    for made in [row, *trace.upstream(row)][:12]:
        for call in trace.ancestors(made):
            at = call.called_at
            if at is not None and not is_library_file(at.file):
                lines.setdefault(at.file, set()).add(at.line)
    return lines


def _literal_fixes_in(file: str, seen: set[int], got: int, want: int, settings: dict) -> list[Fix]:
    """`_setting_for_literal`'s fix for each call in the methods of `file` that hold a line of `seen`."""
    text = "".join(linecache.getlines(file))
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    calls = [n for method in _methods_holding(tree, seen) for n in ast.walk(method) if isinstance(n, ast.Call)]
    return [fix for call in calls if (fix := _setting_for_literal(file, text, call, got, want, settings)) is not None]


def _methods_holding(tree: ast.Module, lines: set[int]) -> list[ast.FunctionDef]:
    """The functions of the tree that hold one of `lines`."""
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef) and any(n.lineno <= line <= (n.end_lineno or n.lineno) for line in lines)
    ]


def _setting_for_literal(file: str, text: str, call: ast.Call, got: int, want: int, settings: dict) -> Fix | None:
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        if not isinstance(arg, ast.Constant) or type(arg.value) is not int or arg.value <= 0:
            continue
        if (arg.value * want) % got or arg.lineno != arg.end_lineno:
            continue
        name = settings.get(arg.value * want // got)
        if name is None or f"self.{name} = " not in text:
            continue  # the setting is not kept on the model: forward cannot read it
        source = text.splitlines()[arg.lineno - 1]
        after = source[: arg.col_offset] + f"self.{name}" + source[arg.end_col_offset :]
        return Fix(
            description=f"pass the model's setting `self.{name}` ({arg.value * want // got}) where {arg.value} is "
            f"written: it makes the {got} features, and the layer takes {want} from `{name}`",
            code=after.strip(),
            safety=SAFE,
            location=Location(file, arg.lineno, source),
            before=source,
            after=after,
        )
    return None


def _producing_module(trace: Trace, row, tensor):
    """The user's module whose forward made `tensor`, outside the failing layer's own parents."""
    src = trace.row(tensor.source)
    failing_parents = {r.index for r in trace.ancestors(row)}
    for current in trace.ancestors(src) if src is not None else ():
        if current.index in failing_parents:
            break
        user = current.defined_at is not None and not is_library_file(current.defined_at.file)
        if current.kind == "module" and user and trace.children(current.index):
            return current  # a module with a forward of its own, not a torch.nn layer
    return None


def _literal_call(source: str, cls: str) -> tuple[list, dict] | None:
    """The arguments of `cls(...)` on the line when every one is a literal."""
    found = _resolved_call(source, cls, {})
    return None if found is None else (found[0], found[1])


def _with_argument(source: str, cls: str, key: int | str, value: int | str) -> str | None:
    found = call_arguments(source, cls)
    if found is None:
        return None
    spans = found[2]
    if isinstance(key, str):
        return _set_keyword(source, cls, len(spans) + 1, key, value)
    return written_over(source, spans[key], str(value)) if key < len(spans) else None


def setting_width_fixes(trace: Trace, row, tensor, got: int, want: int, what: str) -> list[Fix]:
    """A table the user's module builds at one width (`self.rotary = Rotary(d_model)`: cos [T, 64])
    where the data has another (a head's 16 features): each whole-number argument of the
    module's construction line that the width scales with is offered at the value that gives
    `want`, written with the model's own settings where they say it (`Rotary(d_model // heads)`,
    64 // 4), and checked by building the module again with it. An argument written as a name is
    read from the model's settings only on a line of the model's own `__init__`, where those
    names are its parameters."""
    owner = _producer_with_a_line(trace, row, tensor)
    if owner is None or got <= 0 or want <= 0:
        return []
    source = owner.defined_at.source.strip()
    settings = _root_settings(trace, owner.defined_at)
    call = _resolved_call(source, owner.type, settings)
    if call is None:
        return []
    args, kwargs, texts = call
    fixes = []
    for key, value in _width_first(args, kwargs, got):
        if not _scales(value, got, want):
            continue
        new = value * want // got
        text = _scaled_text(texts[key], got, want, settings) or str(new)
        after = _with_argument(source, owner.type, key, text)
        if after is None or after == source:
            continue
        said = f" ({new}, not {texts[key]} = {value})" if text != str(new) else f" (not {texts[key]})"
        fixes.append(
            Fix(
                description=f"build `{owner.name}` with `{text}`{said}: {what}",
                code=after,
                safety=UNSAFE,
                location=owner.defined_at,
                before=source,
                after=after,
                rerun=_rebuilt(owner.name, args, kwargs, key, new),
            )
        )
    return fixes[:2]


def _width_first(args: list, kwargs: dict, got: int) -> list[tuple[int | str, Any]]:
    """The call's (position or keyword, value) pairs: only the ones that are the table's width, `got`, when any is."""
    given: list[tuple[int | str, Any]] = [*enumerate(args), *kwargs.items()]
    width = [(key, value) for key, value in given if value == got]
    return width or given


def _root_settings(trace: Trace, at: Location) -> dict[str, int]:
    """The model's whole-number settings by name, when `at` is a line of the model class's own
    `__init__` (there the names are its parameters); {} elsewhere."""
    root = trace.layers[0] if trace.layers else None
    tree = _parsed(at.file) if root is not None else None
    if root is None or tree is None:
        return {}
    if any(init.lineno <= at.line <= (init.end_lineno or init.lineno) for init in _inits(tree, root.type)):
        return {n: v for n, v in trace.arguments if type(v) is int}
    return {}


def _resolved_call(source: str, cls: str, settings: dict[str, int]):
    """(args, kwargs, the text of each) of `cls(...)` on the line, every argument a literal or a
    name of the model's settings; None otherwise."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    node = next((n for n in ast.walk(tree) if isinstance(n, ast.Call) and _plain_call(n, cls)), None)
    return _call_values(node, source, settings) if node is not None else None


def _plain_call(node: ast.Call, cls: str) -> bool:
    """A call of `cls` (`cls(…)` or `nn.cls(…)`) with no `*args` or `**kwargs`."""
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
    unpacked = any(k.arg is None for k in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args)
    return name == cls and not unpacked


def _call_values(node: ast.Call, source: str, settings: dict[str, int]):
    """(args, kwargs, the text of each) of the call, every argument a literal or a setting; None otherwise."""
    values, texts = {}, {}
    for key, arg in [*enumerate(node.args), *((k.arg, k.value) for k in node.keywords)]:
        if isinstance(arg, ast.Name) and arg.id in settings:
            values[key] = settings[arg.id]
        else:
            try:
                values[key] = ast.literal_eval(arg)
            except ValueError:
                return None
        texts[key] = ast.get_source_segment(source, arg) or ""
    args = [values[i] for i in range(len(node.args))]
    kwargs = {k.arg: values[k.arg] for k in node.keywords}
    return args, kwargs, texts


def _scaled_text(text: str, got: int, want: int, settings: dict[str, int]) -> str | None:
    """`d_model // heads` for a setting `d_model` scaled by a ratio that another setting holds."""
    if not text.isidentifier() or text not in settings:
        return None
    for name, value in settings.items():
        if name == text or value <= 1:
            continue
        if got == want * value:
            return f"{text} // {name}"
        if want == got * value:
            return f"{text} * {name}"
    return None
