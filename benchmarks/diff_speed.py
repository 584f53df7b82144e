"""How long `shapecheck diff A B` takes end to end (two worker processes, side by side).

    python benchmarks/diff_speed.py

Prints each pair's wall time, its exit code and how many layers differ; the floor is one
`shapecheck MODEL` run (`import torch, torchvision` in each worker).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

PAIRS = [
    ("resnet18", "resnet18"),
    ("resnet18", "resnet34"),
    ("resnet50", "wide_resnet50_2"),
    ("vit_b_16", "vit_b_32"),
    ("efficientnet_b0", "efficientnet_b3"),
]


def main() -> int:
    start = time.perf_counter()
    subprocess.run(["shapecheck", "resnet18"], capture_output=True, check=False)
    floor = time.perf_counter() - start
    print(f"one check (shapecheck resnet18): {floor:.2f} s")
    for a, b in PAIRS:
        start = time.perf_counter()
        done = subprocess.run(["shapecheck", "diff", a, b, "-f", "json"], capture_output=True, text=True, check=False)
        took = time.perf_counter() - start
        layers = len(json.loads(done.stdout)["layers"]) if done.stdout else None
        print(f"diff {a} {b}: {took:.2f} s, exit {done.returncode}, {layers} differing rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
