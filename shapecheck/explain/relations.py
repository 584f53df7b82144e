"""How a message's numbers relate to each other, for every family: products of two of them
(batch × tokens, channels × positions), C·H·W of a square map, squares and squares + 1 (a patch
grid, with a class token) and the image size they imply, small multiples (a doubled batch).
`relate` returns short sentences, the most telling first, and only what the numbers support.
"""

from __future__ import annotations

import math

_PATCHES = (16, 14, 32, 8)
_IMAGES = (224, 256, 384, 448, 512, 336, 518, 392, 288, 320, 160, 192, 128, 96, 640, 768, 1024, 32, 28, 64)


# sizes that are one image flattened: the grayscale digit sets and RGB images of common sides
_FLAT_IMAGES = {28 * 28: "28·28: a 28×28 grayscale image (MNIST, Fashion-MNIST)"} | {
    3 * side * side: f"3·{side}·{side}: a {side}×{side} RGB image" for side in (64, 96, 128, 224, 256)
}


def _is_pow2(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def _image(side: int) -> str:
    """The image a side-long grid of patches comes from: `224×224 in 16-pixel patches`."""
    for p in _PATCHES:
        if side * p in _IMAGES:
            return f"a {side * p}×{side * p} image in {p}-pixel patches"
    return f"a {side * 16}×{side * 16} image in 16-pixel patches, or {side * 14}×{side * 14} in 14-pixel ones"


def per_sample(x: int, y: int) -> tuple[int, int, int] | None:
    """Two element counts read as one batch times two per-sample counts: (batch, x's, y's) with the
    batch their greatest common divisor, when it is a plausible batch (8 or more, or a power of two
    from 4) and both per-sample counts are small (448 and 512: 64·7 and 64·8); else None."""
    g = math.gcd(x, y)
    if x == y or g < 4 or (g < 8 and not _is_pow2(g)):
        return None
    a, b = x // g, y // g
    if max(a, b) > 4096 or min(a, b) < 1:
        return None
    return g, a, b


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
    batches: tuple[int, ...] = (),
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
    in the message's story: a loss's rows) no C·H·W. `batches` are sizes the message gives as a batch
    (a view's leading dim), never read as a map's channels.
    """
    seen: list[int] = []
    for n in numbers:
        if 1 < n < 2**40 and n not in seen:
            seen.append(n)
    found = _Found(seen[:12])
    if detection or 255 in found.seen:
        found.anchors()
    if products:
        found.grids(tokens)
        found.products({n for n in numbers if numbers.count(n) > 1})
        if maps:
            found.maps(set(batches))
    if multiples:
        found.multiples()
    found.images()
    return found.out[:limit]


class _Found:
    """The relations found so far among `seen` (the message's distinct sizes), each number said once."""

    def __init__(self, seen: list[int]) -> None:
        self.seen = seen
        self.out: list[str] = []
        self.said: set[int] = set()
        self.grid = {n: grid(n) for n in seen}

    def add(self, n: int, sentence: str) -> None:
        if n not in self.said:
            self.said.add(n)
            self.out.append(sentence)

    def anchors(self) -> None:
        """A YOLO head: anchors × (classes + 4 box + 1 objectness); 255 is COCO's 80 classes."""
        for n in self.seen:
            k = n // 3 - 5
            # a head's classes: a dataset's count, not a product of the message's other numbers (199920 = 255·784)
            if (
                n % 3 == 0
                and 0 < k <= 2000
                and n not in _DATASET_CLASSES
                and not any(m >= 8 and m != n and n % m == 0 for m in self.seen)
            ):
                classes = f"{k} class{'es' if k != 1 else ''}"
                self.add(
                    n, f"{n} = 3·({k} + 5): 3 anchors × ({classes} + 4 box + 1 objectness), a YOLO head for {classes}"
                )

    def grids(self, tokens: bool) -> None:
        """Squares (+ 1) as patch grids: when the paste speaks of tokens, or two of them are grids + 1."""
        plus_one = [n for n, g in self.grid.items() if g and "+ 1" in g]
        for n, g in self.grid.items():
            if g and (tokens or (len(plus_one) >= 2 and n in plus_one)):
                self.add(n, g)

    def products(self, repeated: set[int]) -> None:
        """A number ≥ 64 that is the product of two others (a square only of a number said twice)."""
        for n in (n for n in self.seen if n >= 64):
            others = [m for m in self.seen if m != n and 1 < m < n]
            for i, a in enumerate(others):
                b = next((b for b in others[i:] if a * b == n and (a != b or a in repeated)), None)
                if b is not None:
                    self.add(n, f"{n} = {a}·{b}: two sizes folded into one dim (batch × tokens, channels × positions)")

    def maps(self, batches: set[int]) -> None:
        """C·H·W of a small square map, C one of the other numbers (a flattened conv map), not a batch."""
        for n in (n for n in self.seen if n >= 256 and n not in self.said):
            for c in (m for m in self.seen if m != n and m >= 8 and self.grid.get(m) is None and m not in batches):
                side = math.isqrt(n // c)
                if n % c == 0 and 3 <= side <= 64 and side * side == n // c:
                    self.add(n, f"{n} = {c}·{side}·{side}: C·H·W of a {c}-channel {side}×{side} map")
                    break

    def images(self) -> None:
        """A size that is a whole image flattened: 28·28 (MNIST), 3·H·W of a common RGB size; said
        only for these exact products, which no layer width is (3072 = 3·32·32 is also BERT's 4·768)."""
        for n in (n for n in self.seen if n not in self.said and n in _FLAT_IMAGES):
            self.add(n, f"{n} = {_FLAT_IMAGES[n]} flattened")

    def multiples(self) -> None:
        """A small multiple of another number: a batch doubled, q/k/v stacked."""
        for n in (n for n in self.seen if n not in self.said):
            m = next((m for m in self.seen if m >= 8 and m != n and n % m == 0 and 2 <= n // m <= 4), None)
            if m is not None:
                self.add(n, f"{n} = {n // m}·{m}: exactly {n // m} times {m}")


# class counts of the datasets pretrained heads come from, and what they are
_DATASET_CLASSES = {
    1000: "ImageNet's 1000 classes",
    1001: "ImageNet's 1000 classes + background (TF-slim models)",
    80: "COCO's 80 classes",
    81: "COCO's 80 classes + background",
    90: "COCO's 90 category ids (TF / EfficientDet heads)",
    91: "COCO's 90 category ids + background (torchvision's detection models)",
    20: "VOC's 20 classes",
    21: "VOC's 20 classes + background",
    150: "ADE20K's 150 classes",
    19: "Cityscapes' 19 classes",
    365: "Places365's 365 classes",
    100: "CIFAR-100's 100 classes",
    21843: "ImageNet-21k's 21843 classes",
    1203: "LVIS's 1203 classes",
}
_ANCHORS = (9, 3, 5, 6)  # anchors per location: RetinaNet/EfficientDet 9, YOLO 3, YOLOv2 5, SSD 6


def head_classes(a: int, b: int) -> str | None:
    """Two output counts of one head (checkpoint, model) read as class counts: a dataset's (1000 =
    ImageNet's), anchors × classes (810 = 9·90), or classes + background; None when they read as none of
    these. (YOLO's anchors × (classes + 5) is `relate`'s, said for every family.)"""
    if a in _DATASET_CLASSES:
        other = f"{b - 1} classes + background" if b - 1 >= 1 and a - 1 in _DATASET_CLASSES and a - 1 != 1000 else ""
        return f"{a} is {_DATASET_CLASSES[a]}" + (f"; {b} = {other}" if other else "")
    for k in _ANCHORS:
        if a % k or b % k:
            continue
        qa, qb = a // k, b // k
        if qa in _DATASET_CLASSES and qb >= 2:
            return (
                f"{a} = {k}·{qa} and {b} = {k}·{qb}: {k} anchors per location × classes: a head for {qa} classes "
                f"({_DATASET_CLASSES[qa]}) against one for {qb}"
            )
    return None
