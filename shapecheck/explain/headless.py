"""A message that lost its start: an issue title cut at its tracker's width, a paste that began mid-line
(`expected input[2, 3, 64, 64] to have 1 channels, but got 3 channels instead` without its `Given groups=1,
weight of size [...]`). The message's end is read as its template's end (`Template.tails`); the fields of the
part lost are unknown. Whether the reading needs them is tried, not assumed: it is built twice, the lost fields
filled with two different sets of values. Where the two readings differ only where those values are echoed,
the part lost held nothing the reading needs and it is given, each echoed value shown as `?`; otherwise the
answer says which part of the message is missing and what it held, and reads nothing from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from .explanation import Explanation

# two sets of values for a lost field, by kind: primes no real message holds, so an echo of one is found
_FILLS = {
    "int": ("7919", "6997"),
    "shape": ("[7907, 7901, 7883, 7879]", "[6983, 6977, 6971, 6967]"),
    "weight": ("[7907, 7901, 7883, 7879]", "[6983, 6977, 6971, 6967]"),
    "size": ("torch.Size([7907, 7901, 7883, 7879])", "torch.Size([6983, 6977, 6971, 6967])"),
    "dims": ("7907x7901", "6983x6977"),
    "tuple": ("(7907, 7901, 7883, 7879)", "(6983, 6977, 6971, 6967)"),
    "ints": ("7907 7901 7883 7879", "6983 6977 6971 6967"),
    "word": ("zqxa", "zqxb"),
    "key": ("zqxa", "zqxb"),
    "text": ("zqxa", "zqxb"),
}
_ECHO = re.compile(r"7919|6997|7907|7901|7883|7879|6983|6977|6971|6967|zqx[ab]")


def tail_candidates(text: str) -> list[tuple[int, int, int, Callable[[], Explanation], str]]:
    """Each hand template whose end starts a line of the paste (its latest place): (start, end, rank, build,
    matched). A template found there whole is read by its own pattern, not here."""
    from .families import TEMPLATES

    lowered = text.lower()
    out = []
    for rank, template in enumerate(TEMPLATES):
        tails = template.tails
        # the shortest end's words are in every longer one: a paste without them has none of its ends
        if not tails or not all(w in lowered for w in tails[-1].words):
            continue
        for tail in tails:
            if not all(w in lowered for w in tail.words):
                continue
            last = None
            for last in tail.pattern.finditer(text):  # noqa: B007 - the paste's latest occurrence
                pass
            if last is None:
                continue
            if template.pattern.search(last.group(0)) is None:
                fields = dict(last.groupdict(), _text=text)
                build = _build(template.build, fields, tail.dropped, tail.head, template)
                out.append((last.start(), last.end(), rank, build, last.group(0)))
            break  # the longest end found is the one read
    return _merged(out)


def _merged(found: list) -> list:
    """One candidate per place: where the ends of several messages read the same text (`… expected input[…] to
    have 768 channels`, which a conv's and a transposed conv's messages both end with) and their readings
    differ, the answer says the end is ambiguous rather than pick one."""
    by_place: dict[tuple[int, int], list] = {}
    for c in found:
        by_place.setdefault((c[0], c[1]), []).append(c)
    out = []
    for (start, end), same in by_place.items():
        same.sort(key=lambda c: c[2])
        if len(same) == 1:
            out.append(same[0])
            continue
        builds = [c[3] for c in same]
        out.append((start, end, same[0][2], _either(builds), same[0][4]))
    return out


def _either(builds: list[Callable[[], Explanation]]) -> Callable[[], Explanation]:
    def read() -> Explanation:
        readings = [b() for b in builds]
        texts = {_masked(e) for e in readings}
        if len(texts) == 1:
            return readings[0]
        titles = list(dict.fromkeys(e.title for e in readings))
        return Explanation(
            readings[0].code,
            "a message without its start, which several of PyTorch's messages end with (which one is missing)",
            " or ".join(dict.fromkeys(e.raised_by for e in readings)),
            causes=[f"read as one of them: {t}" for t in titles[:3]] + ["the lost start says which"],
            fixes=["paste the whole message (the traceback's last line, from `RuntimeError:` on) to have it read"],
        )

    return read


def _build(
    build: Callable[[dict], Explanation], fields: dict, dropped, head: str, template
) -> Callable[[], Explanation]:
    def read() -> Explanation:
        readings = []
        for i in (0, 1):
            filled = dict(fields, **{name: _FILLS.get(kind, _FILLS["text"])[i] for name, kind in dropped})
            try:
                readings.append(build(filled))
            except (ArithmeticError, ValueError, IndexError, KeyError, TypeError):
                return _missing(template, head, dropped)
        if _masked(readings[0]) != _masked(readings[1]) or _echoed(readings[0]):
            return _missing(template, head, dropped)
        return _shown(readings[0])

    return read


def _echoed(e: Explanation) -> bool:
    """The reading says a value of the lost part outside its table of numbers: its story uses it."""
    return any(_ECHO.search(s) for s in [e.title, *e.causes, *e.fixes])


def _masked(e: Explanation) -> str:
    return _ECHO.sub("?", e.text())


def _shown(e: Explanation) -> Explanation:
    """The reading with each value of the lost part shown as `?` (a number the paste does not hold)."""

    def q(s: str) -> str:
        return _ECHO.sub("?", s)

    return replace(
        e,
        title=q(e.title),
        numbers=[(n, q(w)) for n, w in e.numbers if not _ECHO.search(n)],
        causes=[q(c) for c in e.causes],
        fixes=[q(f) for f in e.fixes],
    )


def _missing(template, head: str, dropped) -> Explanation:
    """The message named, its lost part said, nothing read from it."""
    values = (
        f"{len(dropped)} of its values" if len(dropped) > 1 else ("one of its values" if dropped else "its first words")
    )
    start = re.sub(r"\{\w+:\w+\}", "…", head)
    return Explanation(
        template.code,
        f"a message without its start (`{start} …` is missing)",
        template.raised_by,
        causes=[
            f"the paste starts mid-message: PyTorch's message begins `{start} …`, and that part holds "
            f"{values}, which reading the numbers needs",
            "what is left names the message but not the sizes that would say which of its usual causes this is",
        ],
        fixes=["paste the whole message (the traceback's last line, from `RuntimeError:` on) to have its numbers read"],
    )
