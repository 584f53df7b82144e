"""How a message's numbers relate to each other, for every family: products of two of them
(batch × tokens, channels × positions), C·H·W of a square map, squares and squares + 1 (a patch
grid, with a class token) and the image size they imply, small multiples (a doubled batch).
`relate` returns short sentences, the most telling first, and only what the numbers support.
"""

from __future__ import annotations

import math

_PATCHES = (16, 14, 32, 8)
_IMAGES = (224, 256, 384, 448, 512, 336, 518, 392, 288, 320, 160, 192, 128, 96, 640, 768, 1024, 32, 28, 64)


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
    if n < 2:
        return None
    side = math.isqrt(n)
    if side * side == n and side >= 7 and not _is_pow2(n):
        return f"{n} = {side}²: the positions of a {side}×{side} map (or patch grid)"
    side = math.isqrt(n - 1) if n > 1 else 0
    if side >= 7 and side * side == n - 1:
        return f"{n} = {side}² + 1: a {side}×{side} grid of patch tokens plus the class token ({_image(side)})"
    return None


def relate(
    numbers: list[int],
    limit: int = 3,
    tokens: bool = False,
    products: bool = True,
    detection: bool = False,
    multiples: bool = True,
    maps: bool = True,
) -> list[str]:
    """Sentences saying how the numbers relate, the most telling first; at most `limit`.

    Only relations the message itself supports are said: a product of two of its other numbers,
    C·H·W of a small square map whose C is one of its numbers, a small multiple. A number that is
    a square (+ 1) is read as a patch grid only when `tokens` (the paste speaks of tokens, patches
    or position embeddings, or the number sits in a view's token dim) or when two of the numbers
    are squares + 1: alone, 101 or 257 are as likely a class count or FFT bins, and two squares
    (400 = 16·5·5 and 2704) as likely LeNet's flatten as two grids. A multiple
    of 3 is a YOLO head's anchors × (classes + 5) only in a detection paste (`detection`), or 255.
    Coincidences (a width the message does not name, a channel count from a list, a kernel size
    squared) are not said: a wrong relation reads as a wrong diagnosis. Without `products` (a
    message of weights and channel counts, where products are kernels) only multiples are said;
    without `multiples` (a matmul's rows and features) not those either; without `maps` (no flatten
    in the message's story: a loss's rows) no C·H·W.
    """
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

    detection = detection or 255 in seen
    for n in seen:  # a YOLO head: anchors × (classes + 4 box + 1 objectness); 255 is COCO's 80 classes
        if n % 3 == 0 and n // 3 > 5 and detection:
            k = n // 3 - 5
            classes = f"{k} class{'es' if k != 1 else ''}"
            add(n, f"{n} = 3·({k} + 5): 3 anchors × ({classes} + 4 box + 1 objectness), a YOLO head for {classes}")
    grids = {n: grid(n) for n in seen}
    plus_one = [n for n, g in grids.items() if g and "+ 1" in g]
    for n, g in grids.items():
        if products and g and (tokens or (len(plus_one) >= 2 and n in plus_one)):
            add(n, g)
    repeated = {n for n in numbers if numbers.count(n) > 1}
    for n in seen:  # a product of two other numbers of the message
        if not products or n < 64:
            continue
        others = [m for m in seen if m != n and 1 < m < n]
        for i, a in enumerate(others):
            for b in others[i:]:
                if a * b == n and (a != b or a in repeated):
                    add(
                        n,
                        f"{n} = {a}·{b}: two sizes folded into one dim (batch × tokens, channels × positions)",
                    )
    for n in seen:  # C·H·W of a small square map, C one of the other numbers (a flattened conv map)
        if not products or not maps or n in said or n < 256:
            continue
        for c in (m for m in seen if m != n and m >= 8 and grids.get(m) is None):
            if n % c == 0:
                side = math.isqrt(n // c)
                if 3 <= side <= 64 and side * side == n // c:
                    add(n, f"{n} = {c}·{side}·{side}: C·H·W of a {c}-channel {side}×{side} map")
                    break
    for n in seen:  # a small multiple of another number: a batch doubled, q/k/v stacked
        if n in said or not multiples:
            continue
        for m in seen:
            if m >= 8 and m != n and n % m == 0 and 2 <= n // m <= 4:
                k = n // m
                add(n, f"{n} = {k}·{m}: exactly {k} times {m}")
                break
    return out[:limit]
