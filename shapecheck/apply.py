"""`--fix` and `--diff`: turn verified fixes into edits of the user's own files.

A fix can be applied when it was verified (the fixed model was traced again and runs, with its
intent kept), its safety level is allowed (`safe`; `unsafe` too with `--unsafe-fixes`), and it
is a line edit of a file under the working directory: a line rewritten (`before` → `after`) or
lines inserted before the line it names (`code` ending in that line). Never a library file, a
change of `--input`, or an edit whose line no longer reads as it did when traced. One edit per
line: the first finding's fix wins. Files are written atomically, keeping their encoding's
bytes, line endings, indentation and the trailing newline as they were.
"""

from __future__ import annotations

import difflib
import os
import tempfile
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


def planned_edits(results, unsafe: bool = False) -> list[LineEdit]:
    """The edits `--fix` would make for these check results."""
    allowed = frozenset({SAFE, UNSAFE} if unsafe else {SAFE})
    edits: dict[tuple[str, int], LineEdit] = {}
    for result in results:
        if result.report is None:
            continue
        for finding in result.report.findings:
            for fix in finding.fixes:
                parts = edits_of(fix, finding.code, allowed)
                if not parts:
                    continue
                for edit in parts:
                    edits.setdefault((edit.file, edit.line), edit)
                break  # the first applicable fix of a finding only
    return sorted(edits.values(), key=lambda e: (e.file, e.line))


def _in_tree(path: str) -> bool:
    """A file of the working tree: a relative path that stays in it once symlinks are followed
    (a link to a folder elsewhere is not the user's tree)."""
    if os.path.isabs(path) or path.startswith("..") or not os.path.isfile(path) or "site-packages" in path:
        return False
    here = os.path.realpath(os.getcwd())
    return os.path.realpath(path).startswith(here + os.sep)


def _edit(fix, allowed, code: str, verified: bool = False) -> LineEdit | None:
    """`verified`: the fix was verified as part of a chain, not on its own."""
    loc = fix.location
    if not (verified or fix.verified is True) or fix.safety not in allowed or loc is None or not _in_tree(loc.file):
        return None
    if fix.before is not None and fix.after is not None:
        return LineEdit(
            loc.file, loc.line, fix.before.strip(), replace=fix.after.strip(), imports=list(fix.imports), code=code
        )
    lines = [line.strip() for line in (fix.code or "").splitlines() if line.strip()]
    if len(lines) >= 2 and lines[-1] == (loc.source or "").strip():
        return LineEdit(loc.file, loc.line, lines[-1], insert=lines[:-1], imports=list(fix.imports), code=code)
    return None


_BOM = "\ufeff"


def _read(path: str) -> tuple[list[str], str]:
    """The file's lines (a UTF-8 byte order mark kept apart, in front of the first line's text
    only when written back) and its line ending. A file that is not UTF-8 reads as no lines:
    it is left alone rather than rewritten in another encoding."""
    with open(path, "rb") as f:
        data = f.read()
    newline = "\r\n" if b"\r\n" in data else "\n"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [], newline
    return text.splitlines(keepends=True), newline


def _split_bom(lines: list[str]) -> tuple[str, list[str]]:
    if lines and lines[0].startswith(_BOM):
        return _BOM, [lines[0][1:], *lines[1:]]
    return "", lines


def edited_text(path: str, edits: list[LineEdit]) -> tuple[str, str, list[LineEdit]]:
    """(the file as it is, as it would be, the edits that applied). An edit applies when its
    line still reads as traced and the file still parses after it; one that inserts statements
    before its line also needs that line to be a whole statement of its own (not a line inside a
    bracketed expression that goes on over several lines). Replacing one line of such an
    expression (`nn.BatchNorm2d(32),` in an `nn.Sequential(` over several lines) is fine."""
    lines, newline = _read(path)
    original = "".join(lines)
    bom, lines = _split_bom(lines)
    applied = []
    out = list(lines)
    imports: list[str] = []
    whole = _whole_statement_lines("".join(lines))
    parses = _parses("".join(lines))
    for edit in sorted(edits, key=lambda e: e.line, reverse=True):  # bottom up: line numbers stay valid
        index = edit.line - 1
        if index >= len(out) or out[index].strip() != edit.before or (edit.insert and edit.line not in whole):
            continue
        text = out[index]
        indent = text[: len(text) - len(text.lstrip())]
        ending = text[len(text.rstrip("\r\n")) :] or newline
        new = [indent + line + ending for line in edit.insert]
        new.append(indent + edit.replace + ending if edit.replace is not None else text)
        candidate = out[:index] + new + out[index + 1 :]
        if parses and not _parses("".join(candidate)):
            continue
        out = candidate
        applied.append(edit)
        imports += [line for line in edit.imports if line not in imports]
    missing = [line for line in imports if not any(existing.strip() == line for existing in out)]
    if missing:
        at = _import_position(out)
        candidate = out[:at] + [line + newline for line in missing] + out[at:]
        if not parses or _parses("".join(candidate)):
            out = candidate
    if parses and not _parses("".join(out)):  # never write a file that no longer parses
        return original, original, []
    return original, bom + "".join(out), applied


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

    starts: dict[int, int] = {}  # first line of a logical line → its last line
    first = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING):
                continue
            if first is None:
                first = token.start[0]
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER) or token.string == ";":
                if token.type != tokenize.ENDMARKER or first != token.start[0]:
                    starts[first] = token.start[0] if token.type != tokenize.ENDMARKER else first
                first = None
    except (tokenize.TokenError, SyntaxError):
        return set()
    return {line for line, last in starts.items() if line == last}


def _import_position(lines: list[str]) -> int:
    """After the module's docstring and its last top-level import line."""
    last = 0
    for i, line in enumerate(lines):
        if line.startswith(("import ", "from ")):
            last = i + 1
        elif line.strip() and not line.startswith(("#", '"""', "'''", " ", "\t")) and last:
            break
    return last


def diff(edits: list[LineEdit]) -> str:
    """The unified diff `--fix` would write."""
    out: list[str] = []
    for path in sorted({e.file for e in edits}):
        original, changed, _ = edited_text(path, [e for e in edits if e.file == path])
        if original != changed:
            out += difflib.unified_diff(
                original.splitlines(keepends=True),
                changed.splitlines(keepends=True),
                fromfile=f"a/{path}",
                tofile=f"b/{path}",
            )
    return "".join(out)


UNFIT = "the line changed since it was traced, or the fix does not fit there (a statement over several lines)"


def write(edits: list[LineEdit]) -> tuple[list[LineEdit], list[tuple[LineEdit, str]]]:
    """Apply the edits in place, each file atomically. Returns the edits made, and those not
    made with why (the user makes them by hand). A symlink is written through to its target
    (which `_in_tree` kept inside the working tree), never replaced by a copy; a read-only
    file, or one in a folder that cannot be written, is left as it is."""
    import stat

    done: list[LineEdit] = []
    refused: list[tuple[LineEdit, str]] = []
    for path in sorted({e.file for e in edits}):
        mine = [e for e in edits if e.file == path]
        target = os.path.realpath(path)
        mode = os.stat(target).st_mode
        if not mode & stat.S_IWUSR:
            refused += [(e, "the file is read-only") for e in mine]
            continue
        original, changed, applied = edited_text(path, mine)
        refused += [(e, UNFIT) for e in mine if e not in applied]
        if original == changed:
            continue
        try:
            handle, temp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".shapecheck-", suffix=".py")
        except OSError as exc:
            refused += [(e, f"its folder cannot be written ({exc.strerror or exc})") for e in applied]
            continue
        try:
            with os.fdopen(handle, "wb") as f:
                f.write(changed.encode("utf-8"))
            os.chmod(temp, stat.S_IMODE(mode))
            os.replace(temp, target)
        except OSError as exc:
            refused += [(e, f"it could not be written ({exc.strerror or exc})") for e in applied]
            continue
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
        done += applied
    return done, refused


def edit_of(fix, code: str = "") -> LineEdit | None:
    """The line edit a verified fix makes in the user's tree (either safety level), or None."""
    return _edit(fix, {SAFE, UNSAFE}, code)


def edits_of(fix, code: str = "", allowed: frozenset[str] = frozenset({SAFE, UNSAFE})) -> list[LineEdit]:
    """Every line edit of a verified fix at an allowed safety (a chain has one per step, verified
    together); [] unless all of them apply."""
    if not fix.steps:
        edit = _edit(fix, allowed, code)
        return [edit] if edit is not None else []
    if fix.verified is not True or fix.safety not in allowed:
        return []
    parts = [_edit(step, allowed, code, verified=True) for step in fix.steps]
    return [p for p in parts if p is not None] if None not in parts else []


def edit_lines(edit: LineEdit) -> tuple[str, str] | None:
    """(the line as it is in the file, the text that replaces it), indentation kept; None when
    the line no longer reads as traced."""
    lines, _newline = _read(edit.file)
    _bom, lines = _split_bom(lines)
    if edit.line - 1 >= len(lines) or lines[edit.line - 1].strip() != edit.before:
        return None
    text = lines[edit.line - 1].rstrip("\r\n")
    indent = text[: len(text) - len(text.lstrip())]
    new = [indent + line for line in edit.insert] + [indent + edit.replace if edit.replace is not None else text]
    return text, "\n".join(new)


FIX_ROUNDS = 5  # --fix checks again after each round of edits, at most this many times


def fix_rounds(results: list, recheck: Callable[[], list], unsafe: bool, say: Callable[[str], None]) -> list:
    """`--fix`: write the planned edits, check again, and repeat to a fixpoint: a fix can reveal
    the next finding (a flatten, then the Linear's size). Ends when a round edits nothing, when
    a check finds nothing left to edit, or after FIX_ROUNDS rounds; returns the last results.
    `recheck` runs the checks again; `say` gets one line per edit written or refused."""
    edits = planned_edits(results, unsafe=unsafe)
    for _ in range(FIX_ROUNDS):
        done, refused = write(edits)
        for edit in done:
            say(f"fixed {edit.code} at {edit.file}:{edit.line}")
        for edit, why in refused:
            say(f"not fixed {edit.code} at {edit.file}:{edit.line}: {why}; edit it by hand")
        if not done:
            break
        results = recheck()
        edits = planned_edits(results, unsafe=unsafe)
        if not edits:
            break
    return results
