"""How long `explain` takes on the longest, most repetitive pastes. Not a test: run it by hand.

    python benchmarks/explain_long.py

Each paste is 1 MB: a message prefix repeated without its end (which made an unbounded
pattern quadratic: 75 s), digits, and a real message after a long log. Target: every paste
under 0.1 s.
"""

from __future__ import annotations

import time

from shapecheck.explain import explain

SIZE = 1024 * 1024
PASTES = {
    "repeated conv prefix": "Given groups=1, weight of size [",
    "repeated matmul prefix": "mat1 and mat2 shapes cannot be multiplied (",
    "repeated view prefix": "shape '[",
    "digits": "1",
    "digits and spaces": "1 ",
}


def main() -> None:
    worst = 0.0
    for name, unit in PASTES.items():
        text = unit * (SIZE // len(unit))
        start = time.perf_counter()
        explain(text)
        seconds = time.perf_counter() - start
        worst = max(worst, seconds)
        print(f"{name:<24} {len(text):>9,} chars  {seconds:.3f} s")
    log = "x = 1\n" * (SIZE // 6) + "RuntimeError: mat1 and mat2 shapes cannot be multiplied (3584x7 and 25088x100)"
    start = time.perf_counter()
    found = explain(log)
    seconds = time.perf_counter() - start
    print(f"{'log then a message':<24} {len(log):>9,} chars  {seconds:.3f} s  found={found is not None}")
    print(f"worst: {worst:.3f} s (target < 0.1 s)")


if __name__ == "__main__":
    main()
