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


def _literal(text: str) -> str:
    if text.strip() in ("x", "*"):  # between two sizes: `2x1568`, `2×1568`, `2 * 1568`
        return r"\s*[x×*]\s*"
    out = []
    for ch in text:
        if ch == " ":
            out.append(r"\s*")
        elif ch == "(":
            out.append(r"\s*[(（]\s*")
        elif ch == ")":
            out.append(r"\s*[)）]")
        elif ch in ".:,":
            out.append(r"\s*" + re.escape(ch))
        else:
            out.append(re.escape(ch))
    return "".join(out)


@dataclass(frozen=True)
class Template:
    text: str  # the message as PyTorch formats it, its values as {name:kind} fields
    code: str  # the rule that finds this in a model; NOT_SHAPE when it is not about shapes
    raised_by: str  # where PyTorch raises it
    build: Callable[[dict], Explanation]  # fields (as text) → Explanation
    example: dict = field(default_factory=dict)  # field values for the template test (`_context`: a code line)

    @cached_property
    def pattern(self) -> re.Pattern:
        parts, pos = [], 0
        text = self.text.rstrip(".!")  # a paste often loses the closing period
        for m in _FIELD.finditer(text):
            parts.append(_literal(text[pos : m.start()]))
            parts.append(f"(?P<{m.group(1)}>{_KINDS[m.group(2)]})")
            pos = m.end()
        parts.append(_literal(text[pos:]))
        return re.compile(_cut_first_word(text) + "".join(parts)[len(_literal(_first_word(text))) :], re.IGNORECASE)

    @cached_property
    def keyword(self) -> str:
        """The template's longest word, lower case: a paste without it cannot match, so the
        pattern is not run on it (77 patterns over a 64 KB paste otherwise). Not the first word,
        which a paste may have lost its first letters of."""
        text = _FIELD.sub(" ", self.text).lower()
        words = re.findall(r"[a-z]+", text[len(_first_word(text)) :]) or re.findall(r"[a-z]+", text)
        return max(words, key=len, default="")

    def fill(self, values: dict | None = None) -> str:
        """The message with `values` (or the example) in its fields, as PyTorch would print it."""
        values = values or self.example
        return _FIELD.sub(lambda m: str(values[m.group(1)]), self.text)


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
