"""`--fix` and `--diff`: turn verified fixes into edits of the user's own files.

A fix can be applied when it was verified (the fixed model was traced again and runs, with its
intent kept), its safety level is allowed (`safe`; `unsafe` too with `--unsafe-fixes`), and it
is a line edit of a file under the working directory: a line rewritten (`before` → `after`) or
lines inserted before the line it names (`code` ending in that line). Never a library file, a
change of `--input`, or an edit whose line no longer reads as it did when traced. One edit per
line: the first finding's fix wins. A file is edited only while its bytes are those the check
read (`snapshot`), in place (its owner, mode and hard links stay), keeping its encoding's
bytes, line endings, indentation and the trailing newline as they were; lines are numbered as
Python numbers them, and imports go after the module's docstring and leading imports as its
syntax tree places them. `--diff` shows the same plan.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from .diagnose.findings import SAFE, UNSAFE


@dataclass
class LineEdit:
    file: str
    line: int  # 1-based line the edit is anchored to
    before: str  # that line's text (stripped), as traced
    replace: str | None = None  # its new text (stripped), or None to keep it
    insert: list[str] = field(default_factory=list)  # lines to put in front of it (stripped)
    imports: list[str] = field(default_factory=list)  # import lines the file needs
    code: str = ""  # the finding code, for messages
    digest: str | None = None  # sha256 of the file's bytes as the check read them (`snapshot`)


def planned_edits(results, unsafe: bool = False) -> list[LineEdit]:
    """The edits `--fix` would make for these check results."""
    allowed = frozenset({SAFE, UNSAFE} if unsafe else {SAFE})
    edits: dict[tuple[str, int], LineEdit] = {}
    for result in results:
        if result.report is None:
            continue
        sources = getattr(result.report, "sources", None) or {}
        for finding in result.report.findings:
            for edit in _first_edits(finding, allowed):
                edit.digest = sources.get(edit.file)
                edits.setdefault((edit.file, edit.line), edit)
    return sorted(edits.values(), key=lambda e: (e.file, e.line))


def _first_edits(finding, allowed: frozenset[str]) -> list[LineEdit]:
    """The line edits of the finding's first fix that makes any: one fix per finding only."""
    return next((parts for fix in finding.fixes if (parts := edits_of(fix, finding.code, allowed))), [])


def _in_tree(path: str) -> bool:
    """A file of the working tree: a relative path that stays in it once symlinks are followed
    (a link to a folder elsewhere is not the user's tree)."""
    if os.path.isabs(path) or path.startswith("..") or not os.path.isfile(path) or "site-packages" in path:
        return False
    here = os.path.realpath(os.getcwd())
    return os.path.realpath(path).startswith(here + os.sep)


def _edit(fix, allowed, code: str, verified: bool = False) -> LineEdit | None:
    """`verified`: the fix was verified as part of a chain, not on its own."""
    if not _may_edit(fix, allowed, verified):
        return None
    loc = fix.location
    if fix.before is not None and fix.after is not None:
        return LineEdit(
            loc.file, loc.line, fix.before.strip(), replace=fix.after.strip(), imports=list(fix.imports), code=code
        )
    return _insertion(fix, code)


def _may_edit(fix, allowed, verified: bool) -> bool:
    """Verified (on its own or in its chain), at an allowed safety, at a line of the user's tree."""
    if not (verified or fix.verified is True) or fix.safety not in allowed:
        return False
    return fix.location is not None and _in_tree(fix.location.file)


def _insertion(fix, code: str) -> LineEdit | None:
    """Lines put in front of the fix's line: its code, when that ends in the line as traced."""
    loc = fix.location
    lines = [line.strip() for line in (fix.code or "").splitlines() if line.strip()]
    if len(lines) >= 2 and lines[-1] == (loc.source or "").strip():
        return LineEdit(loc.file, loc.line, lines[-1], insert=lines[:-1], imports=list(fix.imports), code=code)
    return None


_BOM = "\ufeff"


def _read(path: str, data: bytes | None = None) -> tuple[bytes, list[str], str]:
    """The file's bytes (`data`, when read already), its lines (a UTF-8 byte order mark kept
    apart, in front of the first line's text only when written back) and its line ending. A
    file that is not UTF-8 reads as no lines: it is left alone rather than rewritten in
    another encoding."""
    if data is None:
        with open(path, "rb") as f:
            data = f.read()
    newline = "\r\n" if b"\r\n" in data else "\n"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data, [], newline
    return data, python_lines(text), newline


def python_lines(text: str) -> list[str]:
    """Lines as Python numbers them: ended by LF, CR LF or CR only (`str.splitlines` also ends
    one at a form feed, a vertical tab, U+2028 and more, and the line numbers no longer match
    the trace's), each with its ending."""
    import io

    return io.StringIO(text, newline="").readlines()


def _split_bom(lines: list[str]) -> tuple[str, list[str]]:
    if lines and lines[0].startswith(_BOM):
        return _BOM, [lines[0][1:], *lines[1:]]
    return "", lines


def edited_text(path: str, edits: list[LineEdit], data: bytes | None = None) -> tuple[str, str, list[LineEdit]]:
    """(the file as it is, as it would be, the edits that applied). An edit applies when its
    line still reads as traced and the file still parses after it; one that inserts statements
    before its line also needs that line to be a whole statement of its own (not a line inside a
    bracketed expression that goes on over several lines). Replacing one line of such an
    expression (`nn.BatchNorm2d(32),` in an `nn.Sequential(` over several lines) is fine."""
    _data, lines, newline = _read(path, data)
    original = "".join(lines)
    bom, lines = _split_bom(lines)
    applied = []
    out = list(lines)
    imports: list[str] = []
    whole = _whole_statement_lines("".join(lines))
    parses = _parses("".join(lines))
    for edit in sorted(edits, key=lambda e: e.line, reverse=True):  # bottom up: line numbers stay valid
        candidate = _with_edit(out, edit, whole, newline)
        if candidate is None or (parses and not _parses("".join(candidate))):
            continue
        out = candidate
        applied.append(edit)
        imports += [line for line in edit.imports if line not in imports]
    out = _with_imports(out, imports, newline, parses)
    if parses and not _parses("".join(out)):  # never write a file that no longer parses
        return original, original, []
    return original, bom + "".join(out), applied


def _with_imports(lines: list[str], imports: list[str], newline: str, parses: bool) -> list[str]:
    """The lines with the import lines they do not bind yet, where new imports go (unless the
    file parsed and would not parse after)."""
    missing = _missing_imports(imports, "".join(lines))
    if not missing:
        return lines
    at = _import_position("".join(lines))
    candidate = lines[:at] + [line + newline for line in missing] + lines[at:]
    return candidate if not parses or _parses("".join(candidate)) else lines


def _with_edit(lines: list[str], edit: LineEdit, whole: set[int], newline: str) -> list[str] | None:
    """The lines with the edit made at its line, in that line's indent and line ending; None
    when the line no longer reads as traced, or statements would go before a line that is not
    a whole statement."""
    index = edit.line - 1
    if index >= len(lines) or lines[index].strip() != edit.before or (edit.insert and edit.line not in whole):
        return None
    text = lines[index]
    indent = text[: len(text) - len(text.lstrip())]
    ending = text[len(text.rstrip("\r\n")) :] or newline
    new = [indent + line + ending for line in edit.insert]
    new.append(indent + edit.replace + ending if edit.replace is not None else text)
    return lines[:index] + new + lines[index + 1 :]


def _parses(text: str) -> bool:
    import ast

    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def _whole_statement_lines(text: str) -> set[int]:
    """1-based lines that hold whole statements: each starts and ends on that line."""
    import io
    import tokenize

    layout = (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING)
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in layout]
    except (tokenize.TokenError, SyntaxError):
        return set()
    return {line for line, last in _statement_spans(tokens).items() if line == last}


def _statement_spans(tokens) -> dict[int, int]:
    """First line of each statement → its last line; a statement the file ends in without a
    newline counts as one line."""
    import tokenize

    spans: dict[int, int] = {}
    first = None
    for token in tokens:
        if first is None:
            first = token.start[0]
        if token.type == tokenize.ENDMARKER:
            if first != token.start[0]:
                spans[first] = first
            first = None
        elif token.type == tokenize.NEWLINE or token.string == ";":
            spans[first] = token.start[0]
            first = None
    return spans


def _bindings(node) -> set[tuple[str, str]]:
    """(name bound, what it names) for an import statement: `import torch.nn` binds `torch`
    to the package `torch`, as `import torch` does."""
    import ast

    if isinstance(node, ast.Import):
        return {(a.asname, a.name) if a.asname else (a.name.split(".")[0], a.name.split(".")[0]) for a in node.names}
    if isinstance(node, ast.ImportFrom):
        where = "." * node.level + (node.module or "")
        return {(a.asname or a.name, f"{where}:{a.name}") for a in node.names}
    return set()


def _missing_imports(needed: list[str], text: str) -> list[str]:
    """The import lines whose names the module's top-level statements do not bind already (an
    import under `if __name__ == "__main__":` or inside a function is not one of them)."""
    import ast

    try:
        body = ast.parse(text).body
    except (SyntaxError, ValueError):
        return []
    bound = set().union(*(_bindings(node) for node in body))
    missing = []
    for line in needed:
        try:
            wanted = set().union(*(_bindings(node) for node in ast.parse(line).body))
        except (SyntaxError, ValueError):
            continue
        if not wanted <= bound:
            missing.append(line)
    return missing


def _import_position(text: str) -> int:
    """The 0-based line before which new import lines go: after the module's docstring and the
    run of import statements that starts the module (read from its syntax tree, so never
    inside a string); with neither, before its first statement, below leading comments (a
    `#!` line, an encoding declaration, a licence)."""
    import ast

    try:
        body = ast.parse(text).body
    except (SyntaxError, ValueError):
        return 0
    at = _end_of_leading_imports(body)
    if at is not None:
        return at
    if not body:
        return len(python_lines(text))
    first = body[0]
    decorators = getattr(first, "decorator_list", [])
    return min([first.lineno, *(d.lineno for d in decorators)]) - 1


def _end_of_leading_imports(body: list) -> int | None:
    """The last line of the docstring and the imports that start a module; None without either."""
    import ast

    at = None
    for i, node in enumerate(body):
        value = node.value.value if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) else None
        if not ((i == 0 and isinstance(value, str)) or isinstance(node, (ast.Import, ast.ImportFrom))):
            break
        at = node.end_lineno
    return at


@dataclass
class FilePlan:
    """What `--fix` does to one file: its bytes now, what it writes (None: nothing), and the
    edits it makes and those it refuses, with why."""

    path: str
    data: bytes
    new: bytes | None
    applied: list[LineEdit]
    refused: list[tuple[LineEdit, str]]


UNFIT = "the line changed since it was traced, or the fix does not fit there (a statement over several lines)"
CHANGED = "the file changed since it was traced"


def plan(edits: list[LineEdit]) -> list[FilePlan]:
    """The same plan for `--diff` and `--fix`, file by file: a file is edited only while its
    bytes are those the check read (when the report carries their digest), and never when it
    is read-only."""
    return [_file_plan(path, [e for e in edits if e.file == path]) for path in sorted({e.file for e in edits})]


def _file_plan(path: str, mine: list[LineEdit]) -> FilePlan:
    """One file's plan: every edit refused when the file cannot be read, has changed since the
    check or is read-only; otherwise the edits that fit, applied to its text."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        mode = os.stat(os.path.realpath(path)).st_mode
    except OSError as exc:
        why = f"it could not be read ({exc.strerror or exc})"
        return FilePlan(path, b"", None, [], [(e, why) for e in mine])
    refusal = _not_editable(mine, data, mode)
    if refusal is not None:
        return FilePlan(path, data, None, [], [(e, refusal) for e in mine])
    original, changed, applied = edited_text(path, mine, data)
    refused = [(e, UNFIT) for e in mine if e not in applied]
    new = changed.encode("utf-8") if changed != original else None
    return FilePlan(path, data, new, applied if new is not None else [], refused)


def _not_editable(mine: list[LineEdit], data: bytes, mode: int) -> str | None:
    """Why a file that was read is not edited: changed since the check, or read-only."""
    import stat

    from .snapshot import digest

    traced = {e.digest for e in mine if e.digest is not None}
    if traced and traced != {digest(data)}:
        return CHANGED
    if not mode & stat.S_IWUSR:
        return "the file is read-only"
    return None


def diff(edits: list[LineEdit], say: Callable[[str], None] | None = None) -> str:
    """The unified diff of what `--fix`'s first round would write, from the same plan; `say`
    gets a line for each edit it would not make. (`diff_rounds` runs the later rounds too.)"""
    out: list[str] = []
    for found in plan(edits):
        for edit, why in found.refused:
            if say is not None:
                say(f"would not fix {edit.code} at {edit.file}:{edit.line}: {why}")
        if found.new is None:
            continue
        before = found.data.decode("utf-8")
        after = found.new.decode("utf-8")
        out += difflib.unified_diff(
            python_lines(before), python_lines(after), fromfile=f"a/{found.path}", tofile=f"b/{found.path}"
        )
    return "".join(out)


def write(edits: list[LineEdit]) -> tuple[list[LineEdit], list[tuple[LineEdit, str]]]:
    """Make the planned edits, each file in place: its inode, owner, mode and hard links stay,
    and a symlink is written through to its target (which `_in_tree` kept inside the working
    tree). The file is read again on the descriptor it is written through, and left alone if
    it changed since the plan was made; a write that fails halfway puts the old bytes back.
    Returns the edits made, and those not made with why (the user makes them by hand)."""
    done: list[LineEdit] = []
    refused: list[tuple[LineEdit, str]] = []
    for found in plan(edits):
        refused += found.refused
        if found.new is None:
            continue
        why = _write_in_place(found.path, found.data, found.new)
        if why is None:
            done += found.applied
        else:
            refused += [(e, why) for e in found.applied]
    return done, refused


def _write_in_place(path: str, expected: bytes, new: bytes) -> str | None:
    """None once `path` holds `new`; otherwise why not (and it holds `expected` still)."""
    try:
        with open(path, "r+b") as f:
            if f.read() != expected:
                return CHANGED
            try:
                f.seek(0)
                f.write(new)
                f.truncate()
                f.flush()
                os.fsync(f.fileno())
            except OSError as exc:
                f.seek(0)
                f.write(expected)
                f.truncate()
                f.flush()
                return f"it could not be written ({exc.strerror or exc}); it is as it was"
    except OSError as exc:
        return f"it could not be written ({exc.strerror or exc})"
    return None


def edit_of(fix, code: str = "") -> LineEdit | None:
    """The line edit a verified fix makes in the user's tree (either safety level), or None."""
    return _edit(fix, {SAFE, UNSAFE}, code)


def edits_of(fix, code: str = "", allowed: frozenset[str] = frozenset({SAFE, UNSAFE})) -> list[LineEdit]:
    """Every line edit of a verified fix at an allowed safety (a chain has one per step, verified
    together); [] unless all of them apply."""
    if not fix.steps or (fix.before is not None and fix.after is not None):
        # one line, or a chain written as one line (the argument where the block is built)
        edit = _edit(fix, allowed, code)
        return [edit] if edit is not None else []
    return _step_edits(fix, code, allowed)


def _step_edits(fix, code: str, allowed: frozenset[str]) -> list[LineEdit]:
    """One line edit per step of a verified chain at an allowed safety; [] unless every step has one."""
    if fix.verified is not True or fix.safety not in allowed:
        return []
    parts = [_edit(step, allowed, code, verified=True) for step in fix.steps]
    return [p for p in parts if p is not None] if None not in parts else []


def edit_lines(edit: LineEdit) -> tuple[str, str] | None:
    """(the line as it is in the file, the text that replaces it), indentation kept; None when
    the line no longer reads as traced."""
    _data, lines, _newline = _read(edit.file)
    _bom, lines = _split_bom(lines)
    if edit.line - 1 >= len(lines) or lines[edit.line - 1].strip() != edit.before:
        return None
    text = lines[edit.line - 1].rstrip("\r\n")
    indent = text[: len(text) - len(text.lstrip())]
    new = [indent + line for line in edit.insert] + [indent + edit.replace if edit.replace is not None else text]
    return text, "\n".join(new)


_BY_HAND = "; edit it by hand"
FIX_ROUNDS = 5  # --fix checks again after each round of edits, at most this many times


def fix_rounds(
    results: list,
    recheck: Callable[[], list],
    unsafe: bool,
    say: Callable[[str], None],
    refused: Callable[[LineEdit, str], None] | None = None,
) -> list:
    """`--fix`: write the planned edits, check again, and repeat to a fixpoint: a fix can reveal
    the next finding (a flatten, then the Linear's size). Ends when a round edits nothing, when
    a check finds nothing left to edit, or after FIX_ROUNDS rounds; returns the last results.
    `recheck` runs the checks again; `say` gets one line per edit written, and per edit refused
    unless `refused(edit, why)` is given."""
    edits = planned_edits(results, unsafe=unsafe)
    for _ in range(FIX_ROUNDS):
        done, not_done = write(edits)
        for edit in done:
            say(f"fixed {edit.code} at {edit.file}:{edit.line}")
        for edit, why in not_done:
            if refused is not None:
                refused(edit, why)
            else:
                say(f"not fixed {edit.code} at {edit.file}:{edit.line}: {why}{_BY_HAND}")
        if not done:
            break
        results = recheck()
        edits = planned_edits(results, unsafe=unsafe)
        if not edits:
            break
    return results


MIRROR_LIMIT = 20_000  # entries of the working tree `--diff` mirrors to run --fix's rounds in


def diff_rounds(
    results: list, recheck: Callable[[], list], unsafe: bool, say: Callable[[str], None], removed=None
) -> str:
    """`--diff`: exactly what `--fix` would write, its later rounds included. The rounds run in
    a mirror of the working tree (its Python files copied, everything else linked to where it
    is, so a model still reads its data), from which the diff against the real files is taken;
    nothing of the tree changes. A tree too large to mirror gets the first round's diff, and
    says so. `removed(folder)`: a context that removes the mirror after it, also when a signal
    ends the command (the CLI passes `worker.removed_on_signals`)."""
    edits = planned_edits(results, unsafe=unsafe)
    if not edits:
        return ""
    import contextlib
    import shutil
    import tempfile

    here = os.getcwd()
    mirror = tempfile.mkdtemp(prefix="shapecheck-diff-")
    with (removed or contextlib.nullcontext)(mirror):
        try:
            return _diff_in(mirror, here, edits, results, recheck, unsafe, say)
        finally:
            shutil.rmtree(mirror, ignore_errors=True)


def _diff_in(mirror: str, here: str, edits, results, recheck, unsafe: bool, say) -> str:
    """The rounds of `--fix` in `mirror`, a mirror of the tree `here`; their diff against `here`."""
    if not _mirror(here, mirror):
        text = diff(edits, say)
        say("--diff shows the first round of edits only: the tree is too large to try the next rounds on")
        return text
    os.chdir(mirror)
    try:
        files = {e.file for e in edits}
        refusals: list[str] = []

        def refused(edit: LineEdit, why: str) -> None:
            refusals.append(f"would not fix {edit.code} at {edit.file}:{edit.line}: {why}")

        def again() -> list:
            found = recheck()
            files.update(e.file for e in planned_edits(found, unsafe=unsafe))
            return found

        fix_rounds(results, again, unsafe, lambda line: None, refused)
        written = {path: _bytes(path) for path in files}
    finally:
        os.chdir(here)
    for line in dict.fromkeys(refusals):
        say(line)
    return "".join(_file_diff(path, written[path]) for path in sorted(files))


def _file_diff(path: str, new: bytes | None) -> str:
    """The unified diff from the file at `path` to `new`; "" when either is missing or they are the same."""
    old = _bytes(path)
    if new is None or old is None or new == old:
        return ""
    return "".join(
        difflib.unified_diff(
            python_lines(old.decode("utf-8", "surrogateescape")),
            python_lines(new.decode("utf-8", "surrogateescape")),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        )
    )


def _bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


_SKIPPED = {".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv", ".tox", ".mypy_cache"}


def _mirror(tree: str, into: str) -> bool:
    """Python files of `tree` copied into `into`, every other file and the skipped folders
    linked; False when the tree has more than MIRROR_LIMIT entries."""
    import shutil

    count = 0
    for folder, dirs, files in os.walk(tree):
        rel = os.path.relpath(folder, tree)
        target = os.path.join(into, rel) if rel != "." else into
        os.makedirs(target, exist_ok=True)
        _link_skipped(folder, target, dirs)
        count += len(dirs) + len(files)
        if count > MIRROR_LIMIT:
            return False
        for name in files:
            source = os.path.join(folder, name)
            if name.endswith(".py") and not os.path.islink(source):
                shutil.copy2(source, os.path.join(target, name))
            else:
                os.symlink(source, os.path.join(target, name))
    return True


def _link_skipped(folder: str, target: str, dirs: list[str]) -> None:
    """The skipped folders and linked ones of `folder` linked into `target`, and taken out of
    `dirs` so the walk does not go into them."""
    for name in list(dirs):
        if name in _SKIPPED or os.path.islink(os.path.join(folder, name)):
            os.symlink(os.path.join(folder, name), os.path.join(target, name))
            dirs.remove(name)
