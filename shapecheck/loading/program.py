"""A program as a checkable model: the statements of a script, a function, a notebook cell or a
test that lead to a failing call, replayed as the forward of a module.

Most shape errors are met in code that glues modules together (`features =
feature_extractor(x)` then `fc(features)` at a script's top level), not inside one module. Given
the frame that made the failing call, `slice_program` reads that code's source and keeps the
statements the failing one depends on (a backward slice over assignments, within the block
that holds it and the blocks around it). What the slice reads but does not compute comes from
the frame: modules become submodules of a `Program` module, tensors its inputs (with their live
shapes), anything else a constant. The forward is compiled from the user's own statements with
the user's file name and line numbers, so every module call and functional op it records, and
every fix a rule writes, is at the user's line.

The slice never calls the user's own functions or objects other than modules and tensors (their
effects are unknown): a statement that would is cut, and what it assigned comes in as an input
with its live value's shape. A name the kept statements assign may not also be read before
them (its live value is the later one), so the slice starts after the last such assignment.
"""

from __future__ import annotations

import ast
import builtins
import linecache
from dataclasses import dataclass, field
from types import FrameType

# Builtins a kept statement may call: they only read their arguments.
_SAFE_BUILTINS = frozenset(
    {"abs", "all", "any", "bool", "dict", "enumerate", "float", "getattr", "hasattr", "int", "isinstance", "len"}
    | {"list", "max", "min", "print", "range", "reversed", "round", "slice", "sorted", "str", "sum", "tuple", "zip"}
)
# Top-level packages whose functions a kept statement may call (torch.flatten, F.relu, math.prod).
_SAFE_PACKAGES = frozenset({"torch", "math", "operator", "einops", "torchvision"})


@dataclass
class ProgramSlice:
    """The statements to replay and where their free names come from; plain data."""

    file: str
    scope: str  # "<module>" for a script's or cell's top level, else the function's name
    line: int  # the failing line
    statements: list[ast.stmt]  # the failing statement last
    modules: list[str] = field(default_factory=list)  # free names bound to nn.Modules
    inputs: list[str] = field(default_factory=list)  # free names bound to tensors (or structures of them)
    constants: dict[str, object] = field(default_factory=dict)
    assigned_at: dict[str, tuple[str, int]] = field(default_factory=dict)  # module name → (file, line) that assigned it
    result: str | None = None  # the name the failing statement assigns, returned by the forward
    earlier: dict[str, object] = field(default_factory=dict)  # inputs whose value is not the live one

    @property
    def calls_before(self) -> int:
        """How many kept statements come before the failing one."""
        return len(self.statements) - 1


# -- reading the source ----------------------------------------------------------------------------


def _scope_body(tree: ast.Module, scope: str, first_line: int) -> list[ast.stmt] | None:
    if scope == "<module>":
        return tree.body
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == scope:
            starts = [node.lineno] + [d.lineno for d in node.decorator_list]
            if first_line in starts:
                return node.body
    return None


def _contains(node: ast.AST, line: int) -> bool:
    return node.lineno <= line <= (node.end_lineno or node.lineno)  # type: ignore[attr-defined]


def _bodies(node: ast.stmt) -> list[list[ast.stmt]]:
    if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
        return [node.body, *[h.body for h in node.handlers], node.orelse, node.finalbody]  # type: ignore[attr-defined]
    return [getattr(node, name) for name in ("body", "orelse") if isinstance(getattr(node, name, None), list)]


def _header(node: ast.stmt) -> ast.expr | None:
    """The expression a compound statement evaluates before its body (a for's iterable)."""
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return node.iter
    if isinstance(node, (ast.If, ast.While)):
        return node.test
    if isinstance(node, (ast.With, ast.AsyncWith)) and node.items:
        return node.items[0].context_expr
    return None


def _path(body: list[ast.stmt], line: int) -> tuple[list[ast.stmt], ast.stmt] | None:
    """(the simple statements before the failing one, outer blocks first; the failing one)."""
    before: list[ast.stmt] = []
    for node in body:
        if not _contains(node, line):
            if node.lineno < line:
                before.extend(_run_once(node))
            continue
        for inner in _bodies(node):
            if inner and any(_contains(s, line) for s in inner):
                found = _path(inner, line)
                if found is None:
                    return None
                return before + found[0], found[1]
        head = _header(node)
        if head is not None and _contains(head, line):
            return before, ast.copy_location(ast.Expr(value=head), head)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return None
        return before, node
    return None


def _run_once(node: ast.stmt) -> list[ast.stmt]:
    """A statement before the failing one as the slice reads it: a `with` block (`torch.no_grad()`,
    autocast) by the statements of its body, which run once whatever its context manager."""
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [s for inner in node.body for s in _run_once(inner)]
    return [node]


def root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _stored(stmt: ast.stmt) -> tuple[set[str], set[str]]:
    """(names a statement binds, names whose value it changes in place: `x[0] = ...`)."""
    binds: set[str] = set()
    changes: set[str] = set()
    for target in _targets(stmt):
        for node in ast.walk(target):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                binds.add(node.id)
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            root = root_name(target)
            if root:
                changes.add(root)
    for node in ast.walk(stmt):
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            binds.add(node.target.id)
    root = _changed_by_method(stmt)
    if root:
        changes.add(root)
    return binds, changes


def _targets(stmt: ast.stmt) -> list[ast.expr]:
    if isinstance(stmt, ast.Assign):
        return list(stmt.targets)
    if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        return [stmt.target]
    return []


def _changed_by_method(stmt: ast.stmt) -> str | None:
    """The name an in-place method called as a statement changes: `x.unsqueeze_(0)` → `x`."""
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return None
    func = stmt.value.func
    if isinstance(func, ast.Attribute) and func.attr.endswith("_") and not func.attr.startswith("_"):
        return root_name(func.value)
    return None


def names_read(node: ast.AST) -> set[str]:
    """Names a statement or expression reads, less those its comprehensions and lambdas bind."""
    local: set[str] = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.comprehension):
            local |= {n.id for n in ast.walk(inner.target) if isinstance(n, ast.Name)}
        elif isinstance(inner, ast.Lambda):
            local |= {a.arg for a in inner.args.args}
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    if isinstance(node, ast.AugAssign):
        root = root_name(node.target)
        if root:
            names.add(root)
    return names - local


def backward_slice(
    before: list[ast.stmt], failing: ast.stmt, frozen: frozenset[str] = frozenset()
) -> tuple[list[ast.stmt], set[str]]:
    """The statements of `before` the failing one depends on, in order, and the names they all
    read without assigning (the free names). `frozen` names are taken as they are, not traced
    back (the modules: their construction is not replayed)."""
    kept = [failing]
    needed = names_read(failing)
    for stmt in reversed(before):
        if not isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)):
            continue
        binds, changes = _stored(stmt)
        if not (binds | changes) & (needed - frozen):
            continue
        kept.insert(0, stmt)
        needed = (needed - (binds - changes)) | names_read(stmt)
    return kept, needed


# -- the frame's values --------------------------------------------------------------------------


def _lookup(frame: FrameType, name: str) -> tuple[bool, object]:
    for space in (frame.f_locals, frame.f_globals, vars(builtins)):
        if name in space:
            return True, space[name]
    return False, None


def _tensors_only(value, depth: int = 0) -> bool | None:
    """True for a tensor or a non-empty list/tuple/dict of only tensors; None when it holds a
    tensor among other things (it cannot be replayed); False when it holds none."""
    import torch

    if isinstance(value, torch.Tensor):
        return True
    if depth < 3 and isinstance(value, (list, tuple, dict)) and value:
        items = list(value.values()) if isinstance(value, dict) else list(value)
        kinds = {_tensors_only(v, depth + 1) for v in items}
        if kinds == {True}:
            return True
        if kinds == {False}:
            return False
        return None
    return False


# torch functions that read or write files or fetch things: a replay never calls them.
_IO = frozenset({"save", "load", "load_state_dict_from_url", "download_url_to_file", "from_file"})
_IO_MODULES = ("torch.serialization", "torch.hub", "torch.utils.data", "torch.utils.model_zoo")


def _is_safe_callable(value) -> bool:
    import torch

    name = getattr(value, "__name__", "")
    home = getattr(value, "__module__", None) or ""
    if name in _IO or home.startswith(_IO_MODULES):
        return False

    if isinstance(value, (torch.nn.Module, type)) and (
        isinstance(value, torch.nn.Module) or issubclass(value, torch.Tensor)
    ):
        return True
    if value in (getattr(builtins, n, None) for n in _SAFE_BUILTINS):
        return True
    package = (getattr(value, "__module__", None) or getattr(value, "__name__", None) or "").split(".")[0]
    return package in _SAFE_PACKAGES


def _calls_only_safe(stmt: ast.stmt, frame: FrameType, assigned: set[str]) -> bool:
    """Whether every call in the statement is to a module, a tensor method, or a function of
    torch (or a safe builtin): never to the user's own functions or other objects."""
    for node in ast.walk(stmt):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        root = root_name(func)
        if root is None:
            if isinstance(func, ast.Attribute):
                continue  # a method of a computed value: (a @ b).view(...), x.size(0).item()
            return False  # a module built inline, nn.ReLU()(x): not a submodule, so not traced as one
        if root in assigned:
            continue  # a value the slice computed: a tensor's method
        found, value = _lookup(frame, root)
        if not found:
            return False
        if isinstance(func, ast.Name):
            if not _is_safe_callable(value):
                return False
            continue
        if _tensors_only(value) is True:
            continue  # features.view(...)
        if not _is_safe_callable(_attribute(value, func)):
            return False  # torch.save(...) is torch's, and not safe
    return True


def _attribute(root: object, func: ast.expr) -> object:
    """The object `torch.nn.functional.relu` names, from the root's value; the root itself when
    the chain is not plain attributes or does not resolve."""
    chain: list[str] = []
    node = func
    while isinstance(node, ast.Attribute):
        chain.insert(0, node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return root
    value = root
    for name in chain:
        try:
            value = getattr(value, name)
        except Exception:
            return root
    return value


def slice_program(frame: FrameType, line: int) -> ProgramSlice | None:
    """The program around `line` of `frame`'s code, or None when its source cannot be read or
    the failing statement is not one the slice can replay."""
    found = _failing_statement(frame, line)
    if found is None:
        return None
    body, before, failing = found
    import torch

    frozen = frozenset(n for n in _names(before, failing) if isinstance(_lookup(frame, n)[1], torch.nn.Module))
    kept, free, earlier = _replayable(*backward_slice(before, failing, frozen), frozen, frame)
    if not _calls_only_safe(kept[-1], frame, _assigned(kept[:-1])):
        return None
    out = ProgramSlice(frame.f_code.co_filename, frame.f_code.co_name, line, kept, earlier=earlier)
    if not _bind_free_names(out, free, frame):
        return None
    out.result = _result_name(failing)
    _locate_modules(out, body, frame)
    return out


def _failing_statement(frame: FrameType, line: int) -> tuple[list[ast.stmt], list[ast.stmt], ast.stmt] | None:
    """The scope's body, the statements on the way to `line`, and the failing statement, when
    the source reads and that statement is one a forward can replay."""
    tree = _parsed(frame.f_code.co_filename, frame)
    if tree is None:
        return None
    body = _scope_body(tree, frame.f_code.co_name, frame.f_code.co_firstlineno)
    if body is None:
        return None
    found = _path(body, line)
    if found is None:
        return None
    before, failing = found
    if not isinstance(failing, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return)):
        return None
    return body, before, failing


def _assigned(statements: list[ast.stmt]) -> set[str]:
    return set().union(*(_stored(s)[0] for s in statements))


def _replayable(
    kept: list[ast.stmt], free: set[str], frozen: frozenset[str], frame: FrameType
) -> tuple[list[ast.stmt], set[str], dict[str, object]]:
    """Cut what the slice may not run (calls of the user's own code; sources of data such as
    torch.randn or a loader, whose live values are the inputs), then start after any
    assignment of a name read earlier (its live value is the later one), until nothing more is
    cut. Also returns a name's value before the one statement that rebinds it, where known."""
    earlier: dict[str, object] = {}
    while True:
        cuts = _cuts(kept, frozen, frame, earlier)
        if not cuts:
            return kept, free, earlier
        kept, free = backward_slice(kept[max(cuts) + 1 : -1], kept[-1], frozen)
        earlier = {n: v for n, v in earlier.items() if any(n in _stored(s)[0] for s in kept[:-1])}


def _cuts(kept: list[ast.stmt], frozen: frozenset[str], frame: FrameType, earlier: dict[str, object]) -> list[int]:
    """The indices of the kept statements (all but the failing one) that the slice cannot
    replay. Fills `earlier` with the values before a rebinding that it can recover."""
    import torch

    assigned = _assigned(kept)
    cuts = []
    for i, stmt in enumerate(kept[:-1]):
        binds = _stored(stmt)[0]
        reads = names_read(stmt)
        data = any(
            n in frozen or n in assigned - binds or isinstance(_lookup(frame, n)[1], torch.Tensor) for n in reads
        )
        clash = binds & _free_before(kept, i)
        for name in clash - set(earlier):
            value = _value_before(kept, i, name, frame)
            if value is not None:
                earlier[name] = value
        if not data or not _calls_only_safe(stmt, frame, assigned - binds) or clash - set(earlier):
            cuts.append(i)
    return cuts


def _bind_free_names(out: ProgramSlice, free: set[str], frame: FrameType) -> bool:
    """Sort the names the slice reads but does not compute into modules, inputs and constants,
    in the order the kept statements first use them. False when one has no value yet, or holds
    tensors mixed with other things."""
    import torch

    for name in sorted(free, key=lambda n: _first_use(out.statements, n)):
        known, value = (True, out.earlier[name]) if name in out.earlier else _lookup(frame, name)
        if not known:
            return False  # read before assignment in the frame: the slice cannot be complete
        if isinstance(value, torch.nn.Module):
            out.modules.append(name)
            continue
        kind = _tensors_only(value)
        if kind is None:
            return False
        if kind:
            out.inputs.append(name)
        else:
            out.constants[name] = value
    return True


def _result_name(failing: ast.stmt) -> str | None:
    """The one name the failing statement assigns, which the forward returns."""
    if not isinstance(failing, (ast.Assign, ast.AnnAssign)):
        return None
    targets = failing.targets if isinstance(failing, ast.Assign) else [failing.target]
    if len(targets) == 1 and isinstance(targets[0], ast.Name):
        return targets[0].id
    return None


def _locate_modules(out: ProgramSlice, body: list[ast.stmt], frame: FrameType) -> None:
    """Where each module the slice uses was assigned: in this scope before the failing line,
    else (a parameter) where a caller assigned the object."""
    lines = _assignment_lines(body, out.modules, out.line)
    out.assigned_at = {name: (out.file, n) for name, n in lines.items()}
    for name in out.modules:
        if name not in out.assigned_at:
            found_at = _assigned_by_caller(frame, _lookup(frame, name)[1])
            if found_at is not None:
                out.assigned_at[name] = found_at


_VIEWS = frozenset(
    {"view", "reshape", "flatten", "permute", "transpose", "unsqueeze", "squeeze", "t", "expand", "unflatten"}
)


def _value_before(kept: list[ast.stmt], index: int, name: str, frame: FrameType):
    """The value `name` had before `kept[index]` rebound it as a view of itself (`images =
    images.view(64, -1)` in a loop whose batch came from a loader): the view's base, when that
    statement is the only one that binds the name and replaying it on the base gives the live
    value's shape. None when it cannot be known."""
    import torch

    if sum(name in _stored(s)[0] for s in kept[:-1]) != 1:
        return None
    stmt = _view_rebinding(kept[index], name)
    if stmt is None:
        return None
    value = _lookup(frame, name)[1]
    base = getattr(value, "_base", None)
    if not isinstance(value, torch.Tensor) or not isinstance(base, torch.Tensor):
        return None
    replayed = _replayed(stmt, name, base, frame)
    if not isinstance(replayed, torch.Tensor) or tuple(replayed.shape) != tuple(value.shape):
        return None
    return base


def _view_rebinding(stmt: ast.stmt, name: str) -> ast.Assign | None:
    """The statement when it is `name = name.view(...).permute(...)`: the name rebound to a
    chain of views of itself; None otherwise."""
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
        return None
    target = stmt.targets[0]
    if not isinstance(target, ast.Name) or target.id != name:
        return None
    call = stmt.value
    while isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in _VIEWS:
        call = call.func.value
    return stmt if isinstance(call, ast.Name) and call.id == name else None


def _replayed(stmt: ast.Assign, name: str, base, frame: FrameType):
    """The statement's value with `name` bound to a meta tensor like `base`, the other names it
    reads to their live values (none of them tensors); None when it cannot be replayed."""
    import torch

    namespace: dict[str, object] = {"__builtins__": builtins}
    for other in names_read(stmt) - {name}:
        known, bound = _lookup(frame, other)
        if not known or _tensors_only(bound) is not False:
            return None
        namespace[other] = bound
    namespace[name] = torch.empty(base.shape, dtype=base.dtype, device="meta")
    try:
        return eval(compile(ast.Expression(stmt.value), "<shapecheck>", "eval"), namespace)
    except Exception:
        return None


def _names(before: list[ast.stmt], failing: ast.stmt) -> set[str]:
    return set().union(*(names_read(s) | _stored(s)[0] for s in [*before, failing]))


def _free_before(kept: list[ast.stmt], index: int) -> set[str]:
    """Names the statements up to `index` read before any of them assigns them."""
    free: set[str] = set()
    bound: set[str] = set()
    for stmt in kept[: index + 1]:
        free |= names_read(stmt) - bound
        bound |= _stored(stmt)[0]
    return free


def _first_use(kept: list[ast.stmt], name: str) -> tuple[int, int]:
    """(line, column) where the kept statements first name `name`: the inputs' order."""
    for stmt in kept:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and node.id == name:
                return node.lineno, node.col_offset
    return 1 << 30, 0


def _assigned_by_caller(frame: FrameType, value: object) -> tuple[str, int] | None:
    """(file, line) where a caller of `frame`, in the user's code, assigned `value` to a name."""
    caller = frame.f_back
    while caller is not None:
        if is_user_file(caller.f_code.co_filename):
            line = assignment_line(caller, value, caller.f_lineno + 1)
            if line is not None:
                return caller.f_code.co_filename, line
        caller = caller.f_back
    return None


def assignment_line(frame: FrameType, value: object, before: int) -> int | None:
    """The line of the frame's code (before `before`) that assigned `value` to a name of its
    scope: where a module the code built is to be changed."""
    names = [n for n, v in frame.f_locals.items() if v is value]
    if not names:
        return None
    tree = _parsed(frame.f_code.co_filename, frame)
    body = _scope_body(tree, frame.f_code.co_name, frame.f_code.co_firstlineno) if tree is not None else None
    if body is None:
        return None
    lines = _assignment_lines(body, names, before)
    return max(lines.values(), default=None)


def _parsed(filename: str, frame: FrameType) -> ast.Module | None:
    from ..trace.sources import source_tree

    return source_tree(filename, frame.f_globals)


def _assignment_lines(body: list[ast.stmt], names: list[str], before: int) -> dict[str, int]:
    """The last line before `before` (anywhere in the scope) that assigns each name."""
    lines: dict[str, int] = {}
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.lineno < before:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for n in ast.walk(target):
                        if isinstance(n, ast.Name) and n.id in names and node.lineno > lines.get(n.id, 0):
                            lines[n.id] = node.lineno
    return lines


# -- the module ------------------------------------------------------------------------------


_SELF = "__shapecheck_program"


def _quiet(*args, **kwargs) -> None:
    return None


_CONSTANTS = "__shapecheck_constants__"


class _ToSubmodules(ast.NodeTransformer):
    """`fc` → `<program>.fc`: the replay reads each module from the (copied, edited) program."""

    def __init__(self, modules: set[str]):
        self.modules = modules

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.modules and isinstance(node.ctx, ast.Load):
            attr = ast.Attribute(value=ast.Name(id=_SELF, ctx=ast.Load()), attr=node.id, ctx=ast.Load())
            return ast.copy_location(attr, node)
        return node


def build(program: ProgramSlice, frame: FrameType):
    """(a `Program` nn.Module whose forward replays the slice, the input values in order, the
    line that assigned each of its submodules)."""
    import copy

    from torch import nn

    from ..trace.records import Location
    from ..trace.sources import display_path

    statements = [_ToSubmodules(set(program.modules)).visit(copy.deepcopy(s)) for s in program.statements]
    # a constant the slice also assigns (`correct += (out == y).sum().item()`) is a local of the
    # replayed forward: it starts from the frame's value, not unbound
    stored = {n.id for s in statements for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    preset = [
        ast.copy_location(
            ast.Assign(
                targets=[ast.Name(id=name, ctx=ast.Store())],
                value=ast.Subscript(
                    value=ast.Name(id=_CONSTANTS, ctx=ast.Load()), slice=ast.Constant(value=name), ctx=ast.Load()
                ),
            ),
            statements[0],
        )
        for name in sorted(stored & set(program.constants))
    ]
    statements = preset + statements
    last = statements[-1]
    if isinstance(last, ast.Return):
        pass
    elif program.result is not None:
        statements.append(ast.copy_location(ast.Return(value=ast.Name(id=program.result, ctx=ast.Load())), last))
    elif isinstance(last, ast.Expr):
        statements[-1] = ast.copy_location(ast.Return(value=last.value), last)
    arguments = ast.arguments(
        posonlyargs=[],
        args=[ast.arg(arg=_SELF)] + [ast.arg(arg=name) for name in program.inputs],
        kwonlyargs=[],
        kw_defaults=[],
        defaults=[],
    )
    func = ast.FunctionDef(name="forward", args=arguments, body=statements, decorator_list=[], returns=None)
    func.lineno = statements[0].lineno
    func.col_offset = 0
    func.end_lineno = max(getattr(s, "end_lineno", None) or s.lineno for s in statements)
    func.end_col_offset = 0
    if hasattr(ast.FunctionDef, "type_params"):
        func.type_params = []  # type: ignore[attr-defined]
    tree = ast.fix_missing_locations(ast.Module(body=[func], type_ignores=[]))
    namespace = dict(program.constants)
    namespace[_CONSTANTS] = dict(program.constants)
    namespace["__builtins__"] = builtins
    if namespace.get("print", builtins.print) is builtins.print:
        namespace["print"] = _quiet  # the replay runs again for each fix it checks: no output of its own
    exec(compile(tree, program.file, "exec"), namespace)
    forward = namespace["forward"]
    if _moves_to_gpu(statements, namespace) or _computes_gradients(statements):
        forward = _on_meta(forward)

    label = display_path(program.file) if program.scope == "<module>" else program.scope
    cls = type("Program", (nn.Module,), {"forward": forward, "__qualname__": "Program"})
    module = cls()
    sites = {}
    for name in program.modules:
        _, value = _lookup(frame, name)
        module._modules[name] = value  # not add_module: no registration hook sees shapecheck's own line
        where = program.assigned_at.get(name)
        if where:
            file, line = where
            sites[value] = Location(display_path(file), line, linecache.getline(file, line).strip())
    values = [program.earlier[n] if n in program.earlier else _lookup(frame, n)[1] for n in program.inputs]
    return module, values, sites, label


def _on_gpu(device) -> bool:
    """Whether a device argument names a GPU (`"cuda"`, `"cuda:0"`, `torch.device("cuda")`, 0)."""
    import torch

    if isinstance(device, torch.device):
        return device.type == "cuda"
    if isinstance(device, str):
        return device.split(":")[0] == "cuda"
    return isinstance(device, int) and not isinstance(device, bool)


def _without_gpu(func, args: tuple, kwargs: dict) -> tuple[tuple, dict] | None:
    """The arguments of `Tensor.cuda(...)`/`Tensor.to(...)` without the GPU device; None when
    the call moves nothing to a GPU."""
    import torch

    if func is torch.Tensor.cuda:
        return args[:1], {k: v for k, v in kwargs.items() if k not in ("device", "non_blocking", "memory_format")}
    if func is not torch.Tensor.to:
        return None
    rest = [a for a in args[1:] if not _on_gpu(a)]
    moved = len(rest) != len(args) - 1 or _on_gpu(kwargs.get("device"))
    if not moved:
        return None
    return (args[0], *rest), {k: v for k, v in kwargs.items() if k != "device"}


def _moves_to_gpu(statements: list[ast.stmt], namespace: dict) -> bool:
    """Whether the replayed code may move a tensor to a GPU (`x.cuda()`, `x.to(device)`)."""
    text = "\n".join(ast.unparse(s) for s in statements)
    return "cuda" in text or any(_on_gpu(v) for v in namespace.values() if not isinstance(v, int))


def _computes_gradients(statements: list[ast.stmt]) -> bool:
    """Whether the replayed code calls `backward()` or `autograd.grad(...)` (not a read of `p.grad`)."""
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and (n.func.attr == "backward" or (n.func.attr == "grad" and "autograd" in ast.unparse(n.func.value)))
        for s in statements
        for n in ast.walk(s)
    )


def _gradients_checked(func, args: tuple, kwargs: dict):
    """`loss.backward()`, `torch.autograd.backward`/`grad` in a replay, which runs without
    gradients: their shape checks only, with PyTorch's own messages (torch/autograd's
    `_make_grads`); no gradient is computed and no parameter's `.grad` changes. None for any
    other function; `autograd.grad` gives zeros shaped like its inputs."""
    import torch

    if func is torch.Tensor.backward:
        outputs, grads = [args[0]], [args[1] if len(args) > 1 else kwargs.get("gradient")]
    elif func is torch.autograd.backward or func is torch.autograd.grad:
        outputs = _as_list(args[0] if args else kwargs.get("tensors", kwargs.get("outputs")))
        index, key = (1, "grad_tensors") if func is torch.autograd.backward else (2, "grad_outputs")
        grads = _as_list(args[index] if len(args) > index else kwargs.get(key)) or [None] * len(outputs)
    else:
        return None
    for i, (out, grad) in enumerate(zip(outputs, grads, strict=False)):
        if grad is None and out.numel() != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        if isinstance(grad, torch.Tensor) and grad.shape != out.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {grad.shape} and output[{i}] "
                f"has a shape of {out.shape}."
            )
    if func is torch.autograd.grad:
        inputs = _as_list(args[1] if len(args) > 1 else kwargs.get("inputs"))
        return tuple(torch.zeros_like(t) for t in inputs)
    return _NO_GRADIENT


_NO_GRADIENT = object()  # a gradient call checked: it returns None


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _on_meta(forward):
    """The replay with `.cuda()` and `.to("cuda")` kept on meta (a replay has shapes only, on any
    machine, and a GPU move of a meta tensor would fail or need a GPU), and gradient calls
    reduced to their shape checks (a replay runs without gradients)."""
    import functools

    from torch.overrides import TorchFunctionMode

    class _KeepOnMeta(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            checked = _gradients_checked(func, args, kwargs)
            if checked is not None:
                return None if checked is _NO_GRADIENT else checked
            kept = _without_gpu(func, args, kwargs)
            if kept is not None:
                args, kwargs = kept
                if len(args) == 1 and not kwargs:
                    return args[0]
            return func(*args, **kwargs)

    @functools.wraps(forward)
    def replay(self, *args):
        with _KeepOnMeta():
            return forward(self, *args)

    return replay


class Sites:
    """Where modules were assigned: the program's own statements first, then a record made while
    the program ran (assignments onto other modules)."""

    def __init__(self, own: dict, recorded):
        self.own, self.recorded = own, recorded

    def get(self, module, default=None):
        return self.own.get(module) or self.recorded.get(module, default)


# -- where the program is, in a failing stack ---------------------------------------------------


def is_user_file(filename: str) -> bool:
    """Code of the user's: not torch, shapecheck, the standard library or an installed package."""
    import os
    import sysconfig

    stdlib = sysconfig.get_paths()["stdlib"] + os.sep
    own = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # not shapecheck_demo.py
    if filename.startswith("<ipython-input-"):
        return True  # a notebook cell (IPython keeps its source in linecache)
    path = os.path.abspath(filename)
    return not (
        filename.startswith("<")
        or path.startswith(stdlib)
        or path.startswith(own)
        or f"{os.sep}site-packages{os.sep}" in path
        or f"{os.sep}dist-packages{os.sep}" in path
    )


def outermost_module_call(frames):
    """(module, args, kwargs, index in frames) of the outermost nn.Module call in a stack of
    (frame, line) pairs, outermost first; None when no module is being called."""
    import os

    import torch.nn.modules.module as module_file
    from torch import nn

    call_file = os.path.abspath(module_file.__file__)
    for index, (frame, _) in enumerate(frames):
        code = frame.f_code
        if code.co_name in ("_call_impl", "_wrapped_call_impl") and os.path.abspath(code.co_filename) == call_file:
            local = frame.f_locals
            module = local.get("self")
            if isinstance(module, nn.Module):
                # torch.compile's wrapper: its own module is what is checked (on meta, not compiled again)
                original = module._modules.get("_orig_mod") if type(module).__name__ == "OptimizedModule" else None
                module = original if isinstance(original, nn.Module) else module
                return module, tuple(local.get("args", ())), dict(local.get("kwargs", {})), index
    return None


def program_frame(frames, called):
    """(frame, line) of the user's code that made the failing call: the caller of the outermost
    module on the stack, or for an error outside modules the innermost frame of the user's."""
    if called is not None:
        index = called[3]
        if index == 0 or not is_user_file(frames[index - 1][0].f_code.co_filename):
            return None
        return frames[index - 1]
    user = [(f, line) for f, line in frames if is_user_file(f.f_code.co_filename)]
    return user[-1] if user else None


def call_argument_names(frame: FrameType, line: int, module: object) -> tuple[str, ...]:
    """The names the frame's code passes to `module` in the call on `line` (`net(img)` → `img`):
    how fixes name the inputs. Only a call whose callee is a plain name or attribute chain that
    resolves, without running code, to `module`; empty when none does or an argument is not a
    plain name."""
    node = call_node(frame, line, module)
    if node is None:
        return ()
    names = tuple(a.id for a in node.args if isinstance(a, ast.Name))
    return names if len(names) == len(node.args) else ()


def call_node(frame: FrameType, line: int, module: object) -> ast.Call | None:
    """The call of `module` that spans `line` in the frame's code: its callee a plain name or
    attribute chain that resolves, without running code, to `module`, or a module built on the
    line itself (`nn.NLLLoss()(out, y)`, the only such call there); None when there is none."""
    tree = _parsed(frame.f_code.co_filename, frame)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not (node.lineno <= line <= (node.end_lineno or node.lineno)):
            continue
        inline = isinstance(node.func, ast.Call)  # `nn.NLLLoss()(out, y)`: built on the line itself
        if not inline and _resolve(node.func, frame) is not module:
            continue
        on_line = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Call)
            and n.lineno <= line <= (n.end_lineno or n.lineno)
        ]
        if inline and len(on_line) != 1:
            continue
        return node
    return None


_MISSING = object()


def _resolve(node: ast.expr, frame: FrameType) -> object:
    """The object a `name` or `name.attr.attr` expression means in the frame, read from
    dictionaries only (an instance's `__dict__`, a module's registered children): no property
    or `__getattr__` of the user's runs."""
    if isinstance(node, ast.Name):
        if node.id in frame.f_locals:
            return frame.f_locals[node.id]
        return frame.f_globals.get(node.id, _MISSING)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, frame)
        if owner is _MISSING:
            return _MISSING
        found = getattr(owner, "__dict__", {}).get(node.attr, _MISSING)
        if found is _MISSING:
            found = getattr(owner, "__dict__", {}).get("_modules", {}).get(node.attr, _MISSING)
        return found
    return _MISSING
