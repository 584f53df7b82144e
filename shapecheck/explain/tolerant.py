"""A message retyped: read at the level of words and values, not characters.

People retype PyTorch's messages into forums and chats, and change several words on the way (`size of
tensor a (133) must match size of tensor b (10) at non singleton dim 1`, `mat1 and mat2 shape cannot be
multiply`, `weights of size … to has 1 channel`). The patterns read a message as PyTorch writes it, or
with one word lost; this reads the paste as a sequence of tokens (words, and values: numbers, `[…]`
shapes, `torch.Size([…])`, `(…)` tuples) and aligns each hand template against it the way two texts are
aligned for their edit distance: a word may be dropped, added, changed or inflected (`multiplied` and
`multiply`, `channel` and `channels`, `dim` and `dimension`), but every field of the template must be
filled, in order, by a value of its kind, and most of the template's words must be there. Only a
template with a field, and whose fields are all values, is read so (a message without one, or a word or free
text field, has nothing to anchor it: `list index out of range` is not the embedding's message).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial

from .explanation import Explanation

# a value, then a word; `62x12288` is two values (the template writes `{a:int}x{b:int}`)
_TOKEN = re.compile(
    r"(?P<size>torch\.Size\(\[[-\d,\s]{0,200}\]\))"
    r"|(?P<shape>\[[-\d,\s]{0,200}\])"
    r"|(?P<dims>(?<![\w.])\d{1,15}(?:\s*[x×*]\s*\d{1,15})+(?![\d.]))"
    r"|(?P<tuple>\((?:\s*-?\d{1,15}\s*,)+\s*-?\d{0,15}\s*\))"
    r"|(?P<int>(?<![\w.])-?\d{1,15}(?![\d.]))"
    r"|(?P<word>[A-Za-z][A-Za-z0-9]*)"
)
_FIELD = re.compile(r"\{(\w+):(\w+)\}")
_VALUE_KINDS = {"int", "shape", "size", "weight", "tuple", "dims", "any"}
# which of the paste's values fill a field of each kind
_FILLS = {
    "int": {"int"},
    "shape": {"shape", "size"},
    "size": {"size", "shape"},
    "weight": {"shape", "size"},
    "tuple": {"tuple", "shape"},
    "dims": {"dims"},
    "any": {"int", "shape", "size", "tuple", "dims"},  # a value of the extracted table (`{}`): any of them
}
_SYNONYMS = {"dim": "dimension", "dims": "dimension", "cant": "cannot", "tensors": "tensor"}
# alignment scores: a word kept, a field filled; a word dropped, added or changed; a value skipped
_MATCH, _FILL, _GAP, _SKIP_VALUE = 2, 3, -1, -3
_WINDOW = 200  # tokens of the paste's end read: a message ends a traceback (a few code lines may follow it)


@dataclass(frozen=True)
class _Token:
    kind: str  # word, or a value kind
    text: str  # as pasted
    key: str  # a word's stem; a value's kind
    start: int
    end: int


def _stem(word: str) -> str:
    """The word as compared: lower case, its plural or tense ending and all past six letters dropped."""
    w = word.lower()
    w = _SYNONYMS.get(w, w)
    for ending in ("ing", "ed", "es", "s"):
        if len(w) > len(ending) + 3 and w.endswith(ending):
            w = w[: -len(ending)]
            break
    return w[:6]


def _tokens(text: str) -> list[_Token]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "word"
        if kind == "word":
            # `mat1` stays whole; `batch_size`, `non-singleton` are already two words
            out.append(_Token("word", m.group(0), _stem(m.group(0)), m.start(), m.end()))
        elif kind == "dims":  # `62x12288`, `32x1x1`, `2 x 2`: sizes written together, one value
            out.append(_Token("dims", m.group(0), "dims", m.start(), m.end()))
        else:
            out.append(_Token(kind, m.group(0), kind, m.start(), m.end()))
    return out


@cache
def _items(text: str) -> tuple[tuple[str, str], ...] | None:
    """A template's text as (word, stem) and (field name, kind) items, or None when a field is not a value.
    A literal `x` between two values is dropped (`{a:int}x{b:int}`: the paste's `62x12288` is two values)."""
    items: list[tuple[str, str]] = []
    pos = 0
    for m in [*_FIELD.finditer(text), None]:
        literal = text[pos : m.start() if m else len(text)]
        joins = (
            literal.strip() in ("x", "×", "*") and items and items[-1][0] == "field" and items[-1][1].endswith(":int")
        )
        for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", literal):
            if not (w == "x" and items and items[-1][0] == "field"):
                items.append(("word", f"{_stem(w)}/{w.lower()}"))
        if m is None:
            break
        if m.group(2) not in _VALUE_KINDS:
            return None
        if joins and m.group(2) == "int":  # `{a:int}x{b:int}`: one value of two sizes, as `62x12288` is pasted
            items[-1] = ("field", f"{items[-1][1].split(':')[0]},{m.group(1)}:dims")
        else:
            items.append(("field", f"{m.group(1)}:{m.group(2)}"))
        pos = m.end()
    return tuple(items)


def _gain(item: tuple[str, str], tok: _Token) -> int | None:
    """What aligning one item with one token scores: a word kept or changed, a field filled; None when they
    cannot be aligned (a value for a word, a value of another kind for a field)."""
    kind, key = item
    if kind == "word":
        if tok.kind != "word":
            return None
        return _MATCH if _same_word(tok, key) else _GAP
    return _FILL if tok.kind in _FILLS[key.split(":")[1]] else None


def _same_word(tok: _Token, key: str) -> bool:
    """The paste's word is the template's: the same stem, or, five letters or more, one letter typed
    otherwise (`multipled`, `chanels`, `dimention`)."""
    stem, word = key.split("/")
    return tok.key == stem or (len(word) >= 5 and _one_edit(tok.text.lower(), word))


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by at most one letter added, dropped or changed."""
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return a[i + 1 :] == b[i + 1 :] or a[i:] == b[i + 1 :] or a[i + 1 :] == b[i:]


def _cell(score, items, toks, i: int, j: int) -> tuple[int, tuple[int, int, str]] | None:
    """The best way to the cell (items[:i] aligned, ending at token j-1): the item left out (a word the paste
    lacks), the token left out (a word the paste adds, a value it has more), or the two aligned."""
    ways = []
    if score[i - 1][j] is not None and items[i - 1][0] == "word":
        ways.append((score[i - 1][j] + _GAP, (i - 1, j, "drop")))
    if j > 0 and score[i][j - 1] is not None:
        ways.append((score[i][j - 1] + (_GAP if toks[j - 1].kind == "word" else _SKIP_VALUE), (i, j - 1, "add")))
    if j > 0 and score[i - 1][j - 1] is not None and (gain := _gain(items[i - 1], toks[j - 1])) is not None:
        ways.append((score[i - 1][j - 1] + gain, (i - 1, j - 1, "take")))
    if j > 0 and i > 1 and score[i - 2][j - 1] is not None and _joined(items[i - 2], items[i - 1], toks[j - 1]):
        ways.append((score[i - 2][j - 1] + 2 * _MATCH, (i - 2, j - 1, "join")))
    return max(ways, key=lambda w: w[0]) if ways else None


def _joined(a: tuple[str, str], b: tuple[str, str], tok: _Token) -> bool:
    """The paste's word is two of the template's run together (`batchsize` for `batch_size`)."""
    return a[0] == b[0] == "word" == tok.kind and tok.text.lower() == a[1].split("/")[1] + b[1].split("/")[1]


def _align(items: tuple[tuple[str, str], ...], toks: list[_Token]) -> tuple[int, int, int, dict[str, str]] | None:
    """The best local alignment of the template's items with the paste's tokens: (words kept, first token, last
    token, fields), or None. Dynamic programming over items × tokens, as for an edit distance; the alignment may
    start at any token (row 0 scores 0 everywhere)."""
    n, m = len(items), len(toks)
    first: list[int | None] = [0] * (m + 1)
    score: list[list[int | None]] = [first] + [[None] * (m + 1) for _ in range(n)]
    back: list[list[tuple[int, int, str] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(m + 1):
            if (best := _cell(score, items, toks, i, j)) is not None:
                score[i][j], back[i][j] = best
    ends = [j for j in range(m + 1) if (score[n][j] or 0) > 0]
    if not ends:
        return None
    end = max(ends, key=lambda j: (score[n][j], j))
    words, j, fields = _traced_back(items, toks, back, end)
    return words, j, end - 1, fields


def _traced_back(
    items: tuple[tuple[str, str], ...], toks: list[_Token], back: list[list[tuple[int, int, str] | None]], end: int
) -> tuple[int, int, dict[str, str]]:
    """The alignment ending at the last item and token `end - 1`, followed back to its start: (words kept,
    first token, the fields filled)."""
    fields: dict[str, str] = {}
    words, i, j = 0, len(items), end
    while i > 0 and (step := back[i][j]) is not None:
        pi, pj, how = step
        words += 2 if how == "join" else 0
        if how == "take":
            kind, key = items[i - 1]
            if kind == "field":
                name, want = key.split(":")
                fields.update(_filled(name, toks[j - 1], want))
            elif _same_word(toks[j - 1], key):
                words += 1
        i, j = pi, pj
    return words, j, fields


def _filled(names: str, tok: _Token, kind: str) -> dict[str, str]:
    """The fields one value fills: one, or each size of `62x12288` its own (`{a:int}x{b:int}`)."""
    if "," in names:
        sizes = re.findall(r"\d+", tok.text)
        return dict(zip(names.split(","), sizes, strict=False)) if len(sizes) == names.count(",") + 1 else {}
    return {names: _as_kind(tok, kind)}


def _as_kind(tok: _Token, kind: str) -> str:
    """A value as the template's field would have read it: `torch.Size([2, 3])` for a size, `[2, 3]` for a shape."""
    inner = tok.text[tok.text.find("[") :].rstrip(")") if tok.kind == "size" else tok.text
    if kind == "size" and tok.kind != "size":
        return f"torch.Size({inner})"
    if kind in ("shape", "weight") and tok.kind == "tuple":
        return "[" + tok.text.strip("()") + "]"
    return inner


@cache
def _row_items(text: str) -> tuple[tuple[str, str], ...] | None:
    """An extracted row's text (`{}` for each value) as items, its values numbered in order."""
    parts = text.split("{}")
    numbered = "".join(p + (f"{{v{i}:any}}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))
    return _items(numbered)


def tolerant_candidates(text: str) -> list[tuple[int, int, int, Callable[[], Explanation], str]]:
    """Every hand template read in the paste's last tokens with its words retyped: (start, end, rank, build,
    matched), one per template whose fields all fill and of whose words two thirds (three at least) are there."""
    from .families import TEMPLATES

    toks = _tokens(text)[-_WINDOW:]
    stems = {t.key for t in toks if t.kind == "word"}
    found: list[tuple[int, int, int, Callable[[], Explanation], str]] = []
    for rank, template in enumerate(TEMPLATES):
        got = _retyped(_items(template.text), toks, stems)
        if got is None:
            continue
        first, last, fields = got
        start, end = toks[first].start, toks[last].end
        build = partial(template.build, dict(fields, _text=text))
        found.append((start, end, rank, build, text[start:end]))
    return found + _row_candidates(text, toks, stems, len(TEMPLATES))


def _row_candidates(
    text: str, toks: list[_Token], stems: set[str], rank0: int
) -> list[tuple[int, int, int, Callable[[], Explanation], str]]:
    """The rows of the table extracted from PyTorch's sources, read as the templates are (`_aligned`)."""
    from .extracted import _read, rows

    found: list[tuple[int, int, int, Callable[[], Explanation], str]] = []
    for rank, row in enumerate(rows(), start=rank0):
        got = _retyped(_row_items(row.text), toks, stems)
        if got is None:
            continue
        first, last, fields = got
        start, end = toks[first].start, toks[last].end
        values = [fields[f"v{i}"] for i in range(len(fields))]
        found.append((start, end, rank, partial(_read, row, values, text[start:end], text), text[start:end]))
    return found


def _retyped(
    items: tuple[tuple[str, str], ...] | None, toks: list[_Token], stems: set[str]
) -> tuple[int, int, dict] | None:
    """Where a template's (or a row's) items read the paste's tokens retyped: (first token, last token,
    fields), or None. Only items with a value to anchor the reading, half of whose words the paste has."""
    if not items or all(kind == "word" for kind, _ in items):  # no value to anchor a retyped reading
        return None
    words = [k.split("/")[0] for kind, k in items if kind == "word"]
    if len(words) < 4 or sum(w in stems for w in words) * 2 < len(words):  # half here; two thirds aligned
        return None
    return _aligned(items, toks, len(words))


def _aligned(items: tuple[tuple[str, str], ...], toks: list[_Token], nwords: int) -> tuple[int, int, dict] | None:
    """The alignment of one template, kept when every field is filled and two thirds of its words match. It
    is looked for where the paste has the template's words last (a message ends a paste), in a window of
    three tokens per item before that and one after, so a long paste costs no more than a short one."""
    stems = {key.split("/")[0] for kind, key in items if kind == "word"}
    last = max((i for i, t in enumerate(toks) if t.key in stems), default=-1)
    if last < 0:
        return None
    lo = max(0, last - 3 * len(items))
    aligned = _align(items, toks[lo : last + len(items) + 1])
    if aligned is None:
        return None
    words, first, last, fields = aligned
    first, last = first + lo, last + lo
    nfields = sum(key.split(":")[0].count(",") + 1 for kind, key in items if kind == "field")
    if len(fields) != nfields or words < 3 or words * 3 < nwords * 2:
        return None
    return first, last, fields
