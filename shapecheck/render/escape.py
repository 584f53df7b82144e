"""Escaping, one function per kind of output: every name and message a report shows is data.

Layer and module names, class names, file paths, checkpoint keys and message text come from a
model or a file that may be hostile (a pull request's TorchScript archive, a checkpoint). They
reach a report only through these functions:

- `encodable`: any text that left the model (lone surrogates from a checkpoint key become
  `\\udc80`), so UTF-8 output never fails halfway;
- `html` / `html_join`: HTML built from a template of shapecheck's own, every value escaped
  unless it is `Markup` (made by these functions), so a renderer cannot forget one;
- `markdown_text`, `markdown_cell`, `markdown_code`, `markdown_fence`: GitHub markdown;
- `one_line`: a message for stderr, control characters shown as escapes;
- `neutralized` and `CommandFree`: no line of output reads as a CI runner's command.
"""

from __future__ import annotations

import bisect
import html as _html
import re
from collections.abc import Iterable

# -- any output --------------------------------------------------------------------------------


def encodable(text: str) -> str:
    """The text, encodable as UTF-8: a lone surrogate (a checkpoint key read from JSON can
    hold one) becomes its escape, `\\udc80`."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


# C0 and C1 controls but the tab, and the Unicode line and paragraph separators.
_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """A message as one encodable line: CR, LF and other control characters as escapes (`\\n`,
    `\\x1b`), so a name cannot start a line of its own or move the cursor."""
    return _CONTROLS.sub(lambda m: repr(m.group())[1:-1], encodable(text))


# -- HTML -------------------------------------------------------------------------------------


class Markup(str):
    """Text that is HTML already. Made only by `html` and `html_join` (and for constants of
    shapecheck's own); `str` operations on it (`+`, `replace`) give plain text again, which is
    escaped where it is used."""

    __slots__ = ()


def html_text(value: object) -> str:
    """A value as HTML text or as a quoted attribute's value; Markup as it is."""
    if isinstance(value, Markup):
        return value
    return _html.escape(encodable(str(value)), quote=True)


def html(template: str, /, *args: object, **values: object) -> Markup:
    """`template.format(...)`, each value escaped unless it is Markup. The template is a
    literal of shapecheck's own: a value from a model never becomes part of it."""
    return Markup(template.format(*map(html_text, args), **{k: html_text(v) for k, v in values.items()}))


def html_join(parts: Iterable[object], sep: str = "") -> Markup:
    """The parts one after another (each escaped unless it is Markup), `sep` between them."""
    return Markup(html_text(sep).join(html_text(part) for part in parts))


# -- GitHub markdown ------------------------------------------------------------------------------

_PIPE = "\\|"
_PIPE_AND_BACKSLASH = re.compile(r"\\?\|")
_BACKTICKS = re.compile("`+")
# Outside code spans, what is live: HTML and entities (`<`, `&`); links, images and footnotes
# (a `]` right before `(`, `[` or the `:` of a definition; bare URLs and e-mail addresses);
# @mentions; and a backslash, which would undo an escape.
_MARKDOWN_ACTIVE = re.compile(r"[&<>\\@]|\](?=[(\[:])|://|www\.", re.IGNORECASE)
_MARKDOWN_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "\\\\", "]": "\\]", "@": "@\u200b"}


def _inert(text: str) -> str:
    def one(match: re.Match) -> str:
        found = match.group()
        if found in _MARKDOWN_ESCAPES:
            return _MARKDOWN_ESCAPES[found]
        return found[0] + "\u200b" + found[1:]  # a zero-width space: no autolink

    return _MARKDOWN_ACTIVE.sub(one, text)


def _spans(text: str) -> list[tuple[str, bool]]:
    """The text cut into (piece, is a code span), as CommonMark reads it: a run of backticks
    opens a span that the next run of the same length closes; one never closed is text."""
    runs = list(_BACKTICKS.finditer(text))
    same: dict[int, list[int]] = {}  # run length → indices of the runs that long
    for i, run in enumerate(runs):
        same.setdefault(len(run.group()), []).append(i)
    pieces: list[tuple[str, bool]] = []
    i = done = 0
    while i < len(runs):
        opening = runs[i]
        later = same[len(opening.group())]
        k = bisect.bisect_right(later, i)
        if k == len(later):  # never closed: literal backticks, inert as they are
            i += 1
            continue
        closing = runs[later[k]]
        pieces.append((text[done : opening.start()], False))
        pieces.append((text[opening.start() : closing.end()], True))
        done = closing.end()
        i = later[k] + 1
    pieces.append((text[done:], False))
    return pieces


def markdown_text(text: str) -> str:
    """Names and messages from a model or a file as text in GitHub markdown, one line: no HTML,
    no link, image or @mention, whatever backticks they hold. The code spans a message marks
    (`fc`) stay spans; text outside them is escaped."""
    flat = encodable(text).replace("\r", " ").replace("\n", " ")
    return "".join(piece if code else _inert(piece) for piece, code in _spans(flat))


def _pipes(text: str) -> str:
    """Every pipe escaped, for a table cell (GitHub splits cells before it reads spans); a
    backslash before one is kept apart from it, or it would escape the escape."""
    return _PIPE_AND_BACKSLASH.sub(lambda m: ("\\\u200b" if len(m.group()) == 2 else "") + _PIPE, text)


def markdown_cell(text: str) -> str:
    """`markdown_text` for a table cell: its pipes escaped too."""
    return _pipes(markdown_text(text))


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def markdown_code(text: str, cell: bool = False) -> str:
    """A code span that holds any text: fenced with more backticks than it contains (and with
    its pipes escaped in a table cell, which GitHub splits on before reading spans)."""
    text = encodable(text).replace("\r", " ").replace("\n", " ")
    longest = _longest_backticks(text)
    fence, pad = "`" * (longest + 1), " " if longest else ""
    span = f"{fence}{pad}{text}{pad}{fence}"
    return _pipes(span) if cell else span


def markdown_fence(lines: list[str]) -> str:
    """A code block fence longer than any run of backticks in the block."""
    return "`" * max(3, max((_longest_backticks(line) for line in lines), default=0) + 1)


# -- CI runners' commands ---------------------------------------------------------------------

# GitHub's `::command::` is read at the start of a line (after spaces); the Actions runner's
# legacy `##[command]` and Azure's `##vso[command]` anywhere in a line. Both runners split
# lines at CR as well as LF.
_ANYWHERE = re.compile(r"##(?=\[|vso\[)", re.IGNORECASE)
_LINE_BREAKS = re.compile(r"(\r\n|\r|\n)")

# What `##` and a line's first `::` become, by the kind of output: plain text gets a zero-width
# space; JSON and XML (HTML too) an escape of their own, so a program reads the same string.
BREAKS = {
    "text": ("#\u200b#", ":\u200b:"),
    "json": ("#\\u0023", "\\u003a:"),
    "xml": ("#&#35;", "&#58;:"),
}


def neutralized(text: str, line_starts: bool = True, kind: str = "text") -> str:
    """The text with every CI command broken: each `##[` or `##vso[` anywhere, and each `::`
    that starts a line, CR counting as a line break (with `line_starts=False` those are left:
    the `github` format's own commands). `kind` says how (`BREAKS`)."""
    hashes, colons = BREAKS[kind]
    text = _ANYWHERE.sub(lambda _: hashes, text)
    if not line_starts:
        return text

    def start_free(line: str) -> str:
        body = line.lstrip()
        if not body.startswith("::"):
            return line
        return line[: len(line) - len(body)] + colons + body[2:]

    pieces = _LINE_BREAKS.split(text)
    return "".join(piece if i % 2 else start_free(piece) for i, piece in enumerate(pieces))


class CommandFree:
    """A stream that writes whole lines, each `neutralized` and `encodable`; other attributes
    (isatty, encoding) are the wrapped stream's, so colour detection works as before."""

    def __init__(self, stream, line_starts: bool = True, kind: str = "text"):
        self._stream = stream
        self._line_starts = line_starts
        self._kind = kind
        self._pending = ""

    def _clean(self, text: str) -> str:
        return encodable(neutralized(text, self._line_starts, self._kind))

    def write(self, text: str) -> int:
        self._pending += text
        lines, newline, self._pending = self._pending.rpartition("\n")
        if newline:
            self._stream.write(self._clean(lines + newline))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        if self._pending:
            self._stream.write(self._clean(self._pending))
            self._pending = ""
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)
