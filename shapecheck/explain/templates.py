"""PyTorch's own message templates, as a table: each is the text PyTorch formats (its fields
named), where PyTorch raises it, the rule that finds the same problem in a model, and how to
read its numbers.

A template compiles to a tolerant pattern: any spacing around punctuation, `x`, `×` or `*`
between sizes, ASCII or full-width parentheses, any letter case (messages pasted from chat,
issue titles and old releases differ in exactly these). Fields are typed: `{n:int}`,
`{s:shape}` (`[2, 3]`), `{w:weight}` (also bare, `64 3 3 3`, as old releases printed weights), `{s:size}`
(`torch.Size([2, 3])`), `{d:dims}` (`1024x4x4`), `{t:tuple}` (`(3, 64, 12)`), `{w:word}`,
`{x:text}` (anything up to the next literal).
`tests/test_explain_templates.py` fills every template with its `example` and checks that
`explain` reads it back.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from .explanation import Explanation

_FIELD = re.compile(r"\{(\w+):(\w+)\}")
_KINDS = {
    "int": r"(?<!\d)-?\d+",  # a whole number only: linear on a paste of digits; > 15 digits is refused later
    "shape": r"\[[-\d,\s]{0,200}\]",
    # a conv weight's shape: `[64, 3, 3, 3]`, or as releases before 1.5 printed it, `64 3 3 3`
    "weight": r"\[[-\d,\s]{0,200}\]|(?<![\d.])\d{1,15}(?: \d{1,15}){1,7}(?![\d.])",
    "size": r"torch\.Size\(\[[-\d,\s]{0,200}\]\)",
    "dims": r"-?\d{1,15}(?:\s*[x×*]\s*-?\d{1,15}){0,8}",
    "tuple": r"\(?[-\d,\s]{1,120}\)?",
    "word": r"(?<![\w.:])[\w.:]{1,60}",  # a whole word: one try per word, not one per letter
    "key": r"[\w.:]{1,300}",  # a state-dict key
    "text": r"[^()\n]{1,120}?",
    "ints": r"\d{1,15}(?:\s+\d{1,15}){0,8}",
}


_LOOSE: dict[tuple[str, str], re.Pattern] = {}  # loose patterns compiled so far, by message and word
_ANY_WORD = r"(?:[A-Za-z][\w'-]{0,30})?"  # a word a paste dropped, or misspelt


def _literal(text: str) -> str:
    if text.strip() in ("x", "*"):  # between two sizes: `2x1568`, `2×1568`, `2 * 1568`
        return r"\s*[x×*]\s*"
    return "".join(_literal_char(text, i) for i in range(len(text)))


# characters a paste may space otherwise, or write full-width: the pattern each becomes
_SPACED = {" ": r"\s*", "(": r"\s*[(（]\s*", ")": r"\s*[)）]", ",": r"\s*,"}


def _literal_char(text: str, i: int) -> str:
    ch = text[i]
    if ch in _SPACED:
        return _SPACED[ch]
    if ch == ":":
        # a colon after a word, before a value (`of size: [2, 3]`), which a paste (or a page's markup) may
        # lose; one right after a value (`{key}: copying`) stays, or the value would take it
        return r"\s*:?" if i > 0 and text[i - 1].isalpha() else r"\s*:"
    if ch == ".":
        # a full stop between two sentences of one message (`… (512x3x3). Calculated …`), lost as a colon is
        return r"\s*\.?" if _between_sentences(text, i) else r"\s*\."
    return re.escape(ch)


def _between_sentences(text: str, i: int) -> bool:
    """The full stop at `i` ends a sentence that another follows (`size: (512x3x3). Calculated`)."""
    return 0 < i < len(text) - 1 and text[i + 1] == " " and (text[i - 1].isalpha() or text[i - 1] == ")")


@dataclass(frozen=True)
class Template:
    text: str  # the message as PyTorch formats it, its values as {name:kind} fields
    code: str  # the rule that finds this in a model; NOT_SHAPE when it is not about shapes
    raised_by: str  # where PyTorch raises it
    build: Callable[[dict], Explanation]  # fields (as text) → Explanation
    example: dict = field(default_factory=dict)  # field values for the template test (`_context`: a code line)

    @cached_property
    def pattern(self) -> re.Pattern:
        return self._compiled()

    @cached_property
    def cut_pattern(self) -> re.Pattern | None:
        """The pattern matching from any end of its first word (`xpected …`), for a paste no pattern
        reads whole; None when the message does not start with a word."""
        return self._compiled(cut=True) if _first_word(self.text) else None

    def _compiled(self, loose: str = "", cut: bool = False) -> re.Pattern:
        return re.compile(self._source(loose, cut), re.IGNORECASE)

    def _source(self, loose: str = "", cut: bool = False, part: str | None = None) -> str:
        """The pattern; with `loose`, that word of the literal text matches any one word or none (a word
        a paste dropped or misspelt: `expected input with [*, 2304]`, `cannot be contatenated`); with `part`,
        the pattern of that end of the message only."""
        parts, pos = [], 0
        text = (self.text if part is None else part).rstrip(".!")  # a paste often loses the closing period
        first = _first_word(text)

        def literal(segment: str) -> str:
            out = _literal(segment)
            if loose:
                # the words are kept lower case; the message's own may start a sentence (`Callculated padded`)
                out = re.sub(
                    rf"(?<![A-Za-z]){re.escape(loose)}(?![A-Za-z])", lambda _: _ANY_WORD, out, flags=re.IGNORECASE
                )
            return out

        for m in _FIELD.finditer(text):
            parts.append(literal(text[pos : m.start()]))
            parts.append(f"(?P<{m.group(1)}>{_KINDS[m.group(2)]})")
            pos = m.end()
        parts.append(literal(text[pos:]))
        body = "".join(parts)
        if cut and first and body.startswith(_literal(first)):
            body = _cut_first_word(text) + body[len(_literal(first)) :]
        return body

    @cached_property
    def tails(self) -> list[Tail]:
        """The message's ends a paste that lost its start holds: one from each word of its literal text after
        the first, longest first, each with four words of three letters or more (a shorter end is too
        common to say which message it was). A tail's pattern starts a line (after an `…Error:` label), after
        what is left of a value or a word the cut went through."""
        text = self.text.rstrip(".!")
        fields = list(_FIELD.finditer(text))
        out = []
        for m in re.finditer(r"(?<![A-Za-z{:])[A-Za-z]{2,}", text):
            start = m.start()
            if start == 0 or any(f.start() <= start < f.end() for f in fields):
                continue
            rest = text[start:]
            if len(re.findall(r"[a-z]{3,}", _FIELD.sub(" ", rest).lower())) < 4:
                break
            dropped = tuple((f.group(1), f.group(2)) for f in fields if f.end() <= start)
            body = self._source(part=rest)
            words = re.findall(r"[a-z]+", _FIELD.sub(" ", rest).lower())
            out.append(Tail(_TAIL_START + body, dropped, text[:start].strip(), tuple(sorted(set(words), key=len))))
        return out

    @cached_property
    def words(self) -> list[str]:
        """The literal words of the message (three letters or more), lower case, in order."""
        return re.findall(r"[a-z]{3,}", _FIELD.sub(" ", self.text).lower())

    def loose_pattern(self, lowered: str) -> re.Pattern | None:
        """The pattern with the one word of the message a paste lacks made loose, when the paste has all
        its other words (four at least): None when it lacks none or more than one."""
        words = self.words
        have = Counter(re.findall(r"[a-z]{3,}", lowered))
        missing = Counter(words) - have
        if len(words) < 5 or sum(missing.values()) != 1:
            return None
        word = next(iter(missing))
        key = (self.text, word)
        if key not in _LOOSE:
            _LOOSE[key] = self._compiled(word)
        return _LOOSE[key]

    @cached_property
    def keyword(self) -> str:
        """The template's longest word, lower case: a paste without it cannot match, so the
        pattern is not run on it (77 patterns over a 64 KB paste otherwise)."""
        words = re.findall(r"[a-z]+", _FIELD.sub(" ", self.text).lower())
        return max(words, key=len, default="")

    @cached_property
    def cut_keyword(self) -> str:
        """The longest word but the first, which a paste cut at its start lost letters of."""
        text = _FIELD.sub(" ", self.text).lower()
        words = re.findall(r"[a-z]+", text[len(_first_word(text)) :]) or re.findall(r"[a-z]+", text)
        return max(words, key=len, default="")

    def fill(self, values: dict | None = None) -> str:
        """The message with `values` (or the example) in its fields, as PyTorch would print it."""
        values = values or self.example
        return _FIELD.sub(lambda m: str(values[m.group(1)]), self.text)


@dataclass(frozen=True)
class Tail:
    """An end of a message, as a paste that lost the message's start holds it."""

    source: str  # its pattern's text, compiled only for a paste that has its keyword
    dropped: tuple[tuple[str, str], ...]  # the fields (name, kind) of the part lost
    head: str  # the part lost, as the template writes it
    words: tuple[str, ...]  # the end's words, shortest first: a paste without one is not read with this end

    @cached_property
    def pattern(self) -> re.Pattern:
        return re.compile(self.source, re.IGNORECASE)


# where a message's end starts in a paste that lost its start: a line's start (a quote mark, a box's side or
# an `…Error:` label before it), then what is left of a word and of a value the cut went through (`imension 1. `,
# `9]' `)
_TAIL_START = (
    r"(?:^|(?<=\n))[ \t>│|]*(?:[\w.]{0,60}(?:Error|Exception)\s*:\s*)?"
    r"(?:[A-Za-z_]{0,25}[-\d\[\](),.'\s]{0,80}?)"
)


def _first_word(text: str) -> str:
    """The message's first word when it starts with one (`Expected`, `Given`): the part of a message a
    paste cut at its start loses first."""
    m = re.match(r"[A-Za-z]{3,20}(?= )", text)
    return m.group(0) if m else ""


def _cut_first_word(text: str) -> str:
    """The first word, or its end as a paste cut inside it leaves it (`xpected`, `he number`): two
    letters at least, starting a word."""
    word = _first_word(text)
    if not word:
        return ""
    ends = "|".join(re.escape(word[i:]) for i in range(1, len(word) - 1))
    return f"(?:{re.escape(word)}|(?<![A-Za-z])(?:{ends}))"


def ints(text: str) -> list[int]:
    return [int(v) for v in re.findall(r"-?\d+", text or "")]


def shape_text(values: list[int]) -> str:
    return "[" + ", ".join(map(str, values)) + "]"
