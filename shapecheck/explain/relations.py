"""How a message's numbers relate to each other, for every family: products of two of them
(batch × tokens, channels × positions), C·H·W of a square map, heads × head_dim, squares and
squares + 1 (a patch grid, with a class token) and the image size they imply, multiples (a batch
folded in, a doubled batch). `relate` returns short sentences, the most telling first.
"""

from __future__ import annotations

import math

_PATCHES = (16, 14, 32, 8)
_IMAGES = (224, 256, 384, 448, 512, 336, 518, 392, 288, 320, 160, 192, 128, 96, 640, 768, 1024, 32, 28, 64)
_CHANNELS = (2048, 1536, 1280, 1024, 960, 768, 640, 576, 512, 480, 384, 320, 256, 192, 128, 96, 64, 32, 16, 3, 1)
_WIDTHS = (4096, 3072, 2048, 1536, 1280, 1024, 768, 640, 512, 384, 256)
_HEAD_DIMS = (64, 128, 32, 80, 96, 40, 16)


def _is_pow2(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def _image(side: int) -> str:
    """The image a side-long grid of patches comes from: `224×224 in 16-pixel patches`."""
    for p in _PATCHES:
        if side * p in _IMAGES:
            return f"a {side * p}×{side * p} image in {p}-pixel patches"
    return f"a {side * 16}×{side * 16} image in 16-pixel patches, or {side * 14}×{side * 14} in 14-pixel ones"


def grid(n: int) -> str | None:
    """n as a patch grid: `197 = 14² + 1: …` or `196 = 14²: …`, else None."""
    side = math.isqrt(n)
    if side * side == n and side >= 7 and not _is_pow2(n):
        return f"{n} = {side}²: the positions of a {side}×{side} map (or patch grid)"
    side = math.isqrt(n - 1) if n > 1 else 0
    if side >= 7 and side * side == n - 1:
        return f"{n} = {side}² + 1: a {side}×{side} grid of patch tokens plus the class token ({_image(side)})"
    return None


def relate(numbers: list[int], limit: int = 3) -> list[str]:
    """Sentences saying how the numbers relate, the most telling first; at most `limit`."""
    seen: list[int] = []
    for n in numbers:
        if n > 1 and n not in seen and n < 2**40:
            seen.append(n)
    seen = seen[:12]
    out: list[str] = []
    said: set[int] = set()

    def add(n: int, sentence: str) -> None:
        if n not in said:
            said.add(n)
            out.append(sentence)

    for n in seen:
        g = grid(n)
        if g:
            add(n, g)
    for n in seen:  # a product of two other numbers of the message
        others = [m for m in seen if m != n and 1 < m < n]
        for i, a in enumerate(others):
            for b in others[i:]:
                if a * b == n:
                    add(
                        n,
                        f"{n} = {a}·{b}: two sizes folded into one dim (batch × tokens, channels × positions)",
                    )
    for n in seen:  # C·H·W of a square map, C one of the other numbers or (for large n) a usual width
        if n in said or n < 64:
            continue
        channels = [(m, 3) for m in seen if m != n and m > 2 and grid(m) is None]
        for c, smallest in channels:
            if n % c == 0:
                side = math.isqrt(n // c)
                if side >= smallest and side * side == n // c:
                    add(n, f"{n} = {c}·{side}·{side}: C·H·W of a {c}-channel {side}×{side} map")
                    break
    for n in seen:  # rows of a usual hidden size that the message does not name
        if n in said or n < 1000:
            continue
        for m in seen:
            k = n // m if m > 1 else 0
            if m != n and n % m == 0 and k in _WIDTHS and k not in seen:
                add(n, f"{n} = {m}·{k}: {m} rows (tokens, positions) of {k} features")
                break
    for n in seen:  # C·H·W of a square map, C one of the other numbers or (for large n) a usual width
        if n in said or n < 64:
            continue
        channels = [
            (c, 3) for c in _CHANNELS if c >= 16 and n >= 1000 and not any(n % m == 0 for m in seen if 1 < m < n)
        ]
        for c, smallest in channels:
            if n % c == 0:
                side = math.isqrt(n // c)
                if side >= smallest and side * side == n // c:
                    add(n, f"{n} = {c}·{side}·{side}: C·H·W of a {c}-channel {side}×{side} map")
                    break
    for n in seen:  # heads × head_dim when either is in the message
        if n in said:
            continue
        for d in _HEAD_DIMS:
            h = n // d
            if n % d == 0 and 4 <= h <= 64 and (h in seen or d in seen) and n != d:
                add(n, f"{n} = {h}·{d}: {h} heads × head_dim {d}")
                break
    for n in seen:  # a small multiple of another number: a batch or heads folded in, a doubled batch
        if n in said:
            continue
        for m in seen:
            if m > 1 and m != n and n % m == 0 and 2 <= n // m <= 64:
                k = n // m
                add(n, f"{n} = {k}·{m}: exactly {k} times {m}")
                break
    return out[:limit]
