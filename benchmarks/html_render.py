"""`--format html` on a few models: the page's size, the graph's boxes, and the time it takes
beside the table output of the same check (both end to end, one process each).

    python benchmarks/html_render.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

MODELS = [
    ["fixtures/rules/sc109_concat_mismatch.py:UNet", "-i", "3x100x100"],
    ["resnet50"],
    ["efficientnet_b0"],
    ["vit_b_16"],
    ["swin_t"],
    ["deeplabv3_resnet50"],
]


def timed(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(["shapecheck", *args], capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done.stdout


def main() -> int:
    for model in MODELS:
        table_s, _ = timed(model)
        html_s, page = timed([*model, "--format", "html"])
        boxes = len(re.findall(r'<g class="node', page))
        folded = len(re.findall(r"\(×\d+\)", page))
        print(
            f"{model[0]:<48} table {table_s:.2f} s · html {html_s:.2f} s · {len(page) / 1024:.0f} KiB · "
            f"{boxes} boxes, {folded} folded runs"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
