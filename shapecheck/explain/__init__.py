"""Decode a pasted PyTorch error message without a model: `shapecheck explain "<message>"`.

No torch here: this must answer in a blink. Every message family is a template in
`families.TEMPLATES` (PyTorch's text with typed fields, where it is raised, the rule, a reading
of its numbers) or a row of the table extracted from PyTorch's sources (`extracted.py`). A paste
can hold several messages (a warning, then the error; a chained traceback): the latest error
answers, read by the most specific template found there. A message no template reads is said
not to be about shapes when its words name a dtype, a device or a CUDA library (`notshape.fallback`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from .explanation import UNDECODED, Explanation
from .templates import ints


def explain(message: str) -> Explanation | None:
    """The explanation of a PyTorch error message, or None when it is not one we know."""
    from .notshape import fallback

    # PyTorch's messages are short and end a traceback: the last 64 KB of a long paste hold
    # them, and every pattern then runs in time linear in what it reads.
    message = message[-_LONGEST:]
    found, text = _found(message)
    if found is None:
        e = fallback(text)
        return None if e is None else _refined(e, message, text[-300:])
    build, matched = found
    if any(len(d) > 15 for d in re.findall(r"\d+", matched)) or any(abs(n) > _LARGEST for n in ints(matched)):
        return _undecoded(
            matched, "its numbers are larger than any tensor PyTorch can make, so they are not read as sizes"
        )
    try:
        e = build()
    except (ArithmeticError, ValueError, IndexError, KeyError, TypeError):
        return _undecoded(
            matched, "its numbers fit no situation shapecheck knows (a size of 0?), so it does not guess at one"
        )
    return _refined(e, message, matched)


def _found(message: str) -> tuple[tuple[Callable[[], Explanation], str] | None, str]:
    """The reading chosen for the paste, and the (cleaned) text it was read in: as PyTorch writes the
    message, else its end read more loosely."""
    from .paste import clean

    text = clean(message)
    first = _candidates(text, text.lower())
    found = _chosen(first, text)
    if (joined := _unwrapped(message)) is not None:
        # a message broken inside a word or a number (`target b` / `atch_size`, `[1, 1` / `6, 64]`) by a
        # terminal or page that wraps at a column: read joined when that finds it, or finds a more specific one
        rejoined = clean(joined)
        again = _candidates(rejoined, rejoined.lower())
        better = _chosen(again, rejoined)
        if better is not None and (found is None or _more_specific(again, better, first, found)):
            return better, rejoined
    found = found or _loosely(text[-_LOOSE_TAIL:])
    return _headless(text[-_LOOSE_TAIL:], found, _rank_of(first, found) if found else len(first) + 10**6), text


def _headless(
    tail: str, found: tuple[Callable[[], Explanation], str] | None, rank: int
) -> tuple[Callable[[], Explanation], str] | None:
    """The reading of a paste that lost its message's start (`headless.tail_candidates`) where it holds more of
    the message than what was found, or is a more specific template read over the same text (an extracted
    row's `{}` read `9]'` as a value)."""
    from .headless import tail_candidates

    ends = tail_candidates(tail)
    if not ends:
        return found
    _, _, own, build, matched = max(ends, key=lambda c: (c[1], -c[2]))
    if found is None:
        return build, matched
    seen = found[1].strip()
    if seen in matched and (len(matched.strip()) > len(seen) or own < rank):
        return build, matched
    return found


def _loosely(tail: str) -> tuple[Callable[[], Explanation], str] | None:
    """A paste's end that no pattern reads as PyTorch writes it: read with one word dropped or misspelt, then
    respelled (`4D input` retyped), then with several words changed (at the level of words and values)."""
    from .paste import respelled

    found = _chosen(_loose_candidates(tail), tail)
    if found is None and (spelt := respelled(tail)) is not None:
        found = _chosen(_candidates(spelt, spelt.lower()), spelt)
    return found or _chosen(_tolerant_candidates(tail), tail)


def _refined(e: Explanation, message: str, matched: str) -> Explanation:
    """`e` with the paste's traceback read (`context.refine`); the message's own reading when the
    paste's other numbers cannot be read."""
    from copy import deepcopy

    from .context import refine

    try:
        return refine(deepcopy(e), message, matched)
    except (ArithmeticError, ValueError, IndexError, KeyError, TypeError):
        return e


@dataclass(frozen=True)
class _Candidate:
    """A message found in the paste: where, how specific (its rank in the table), how to read it."""

    start: int
    end: int
    rank: int
    weak: bool  # a warning: an error elsewhere in the paste comes first
    build: Callable[[], Explanation]
    matched: str


def _candidates(text: str, lowered: str) -> list[_Candidate]:
    """Every hand template and every extracted message found in the paste (the last place each is)."""
    from .extracted import find_all
    from .families import TEMPLATES

    found = []
    for rank, template in enumerate(TEMPLATES):
        if template.keyword not in lowered:
            continue
        last = None
        for last in template.pattern.finditer(text):  # noqa: B007 - the paste's latest occurrence
            pass
        if last is None:
            continue
        fields = dict(last.groupdict(), _text=text)
        found.append(
            _Candidate(
                last.start(),
                last.end(),
                rank,
                _weak(text, last.start(), last.end()),
                partial(template.build, fields),
                last.group(0),
            )
        )
    for rank, (start, end, build, matched) in enumerate(find_all(text, lowered), start=len(TEMPLATES)):
        found.append(_Candidate(start, end, rank, _weak(text, start, end), build, matched))
    return found


def _loose_candidates(text: str) -> list[_Candidate]:
    """When no message is found as PyTorch writes it: the hand templates found from any end of their
    first word (a paste cut at its start), or whose words the paste has but one, that one read as any
    word or none (a message retyped, a word dropped or misspelt)."""
    from .families import TEMPLATES

    lowered = text.lower()
    found = []
    for rank, template in enumerate(TEMPLATES):
        # the cut pattern needs the template's longest later word; the loose one may be missing that very word
        # (`cannot be multipled`), so it is tried whenever the paste lacks one word of the template
        cut = template.cut_pattern if template.cut_keyword in lowered else None
        loose = template.loose_pattern(lowered)
        if cut is None and loose is None:
            continue
        last = None
        for pattern in (cut, loose):
            for last in pattern.finditer(text) if pattern else ():  # noqa: B007 - the paste's latest occurrence
                pass
            if last is not None:
                break
        if last is not None:
            fields = dict(last.groupdict(), _text=text)
            found.append(
                _Candidate(
                    last.start(),
                    last.end(),
                    rank,
                    _weak(text, last.start(), last.end()),
                    partial(template.build, fields),
                    last.group(0),
                )
            )
    from .extracted import find_loose

    for rank, (start, end, build, matched) in enumerate(find_loose(text), start=len(TEMPLATES)):
        found.append(_Candidate(start, end, rank, _weak(text, start, end), build, matched))
    return found


def _tolerant_candidates(text: str) -> list[_Candidate]:
    """The hand templates read with their words retyped (`tolerant.tolerant_candidates`)."""
    from .tolerant import tolerant_candidates

    return [
        _Candidate(start, end, rank, _weak(text, start, end), build, matched)
        for start, end, rank, build, matched in tolerant_candidates(text)
    ]


def _chosen(found: list[_Candidate], text: str) -> tuple[Callable[[], Explanation], str] | None:
    """The paste's own error: the latest message found (a traceback ends with it), a warning only
    when nothing else is there; where several messages overlap there, the most specific one."""
    if not found:
        return None
    pool = [c for c in found if not c.weak] or found
    last = max(pool, key=lambda c: (c.end, -c.rank))
    there = [c for c in pool if c.end > last.start and c.start < last.end]
    best = min(there, key=lambda c: c.rank)
    return best.build, best.matched


# a line of 50 characters or more broken between two characters of one word or number, the rest of it at the
# next line's start (a traceback's code lines are indented: they are not a wrap)
_HARD_WRAP = re.compile(r"(?<=[^\n]{50})(?<=[\w\[(,.'])[ \t]*\r?\n(?=[\w\])'])")


def _unwrapped(message: str) -> str | None:
    """The paste with its long lines joined where a column wrap cut a word or a number, or None when no line
    breaks there (the break kept as a space is how `clean` already reads a wrap between words)."""
    tail = message[-_LOOSE_TAIL:]
    joined = _HARD_WRAP.sub("", tail)
    return joined if joined != tail else None


def _more_specific(
    again: list[_Candidate],
    better: tuple[Callable[[], Explanation], str],
    first: list[_Candidate],
    found: tuple[Callable[[], Explanation], str],
) -> bool:
    """The joined paste's reading over the paste's own: a more specific template, or the same one read with a
    break fewer inside the message (a number the wrap had split: `[1, 1 6, 64]`)."""
    rank, own = _rank_of(again, better), _rank_of(first, found)
    return rank < own or (rank == own and len(better[1].split()) < len(found[1].split()))


def _rank_of(found: list[_Candidate], chosen: tuple[Callable[[], Explanation], str]) -> int:
    """The table rank of the candidate `_chosen` picked: lower is a more specific template."""
    return min((c.rank for c in found if c.build is chosen[0]), default=len(found) + 10**6)


def _weak(text: str, start: int, end: int) -> bool:
    """A warning's text: the error after it (or, alone, the warning) is what the paste is about."""
    before = text[max(0, start - 300) : start]
    last_label = None
    for last_label in re.finditer(r"\b\w*(?:Error|Exception|Warning)\b:", before):  # noqa: B007
        pass
    return last_label is not None and "warning" in last_label.group(0).lower()


_LARGEST = 2**48  # beyond any real tensor dim or element count
_LONGEST = 64 * 1024
_LOOSE_TAIL = 2000  # a message read loosely is looked for at the paste's end, where a traceback puts it


def _undecoded(text: str, why: str) -> Explanation:
    """A known message whose numbers cannot be read: described, no model invented."""
    return Explanation(
        "SC100",
        UNDECODED,
        "PyTorch",
        causes=[f"the message reads: {text[:300]}", why],
    )
