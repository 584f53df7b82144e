"""A 70-billion-parameter Llama checked on meta: time and peak memory. Not a test: run it by hand.

    python benchmarks/llama70b.py      # about a minute

`shapecheck hf:llama` with Llama 3 70B's published sizes (hidden 8192, 80 layers, 64 heads,
8 key/value heads, intermediate 28672, vocabulary 128256), table and totals included, against
the floor `import torch, transformers`. Targets: ≤ 10 s, peak RSS ≤ 1.2× the floor's.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

SIZES = {
    "hidden_size": 8192,
    "num_hidden_layers": 80,
    "num_attention_heads": 64,
    "num_key_value_heads": 8,
    "intermediate_size": 28672,
    "vocab_size": 128256,
    "max_position_embeddings": 131072,
}
COMMAND = [
    sys.executable,
    "-m",
    "shapecheck",
    "hf:llama",
    "--depth",
    "2",
    *[a for key, value in SIZES.items() for a in ("--arg", f"{key}={value}")],
]
FLOOR = [sys.executable, "-c", "import torch, transformers, transformers.models.llama.modeling_llama"]
RSS = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
    "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def timed(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - start, out


def peak_mib(cmd) -> float:
    return int(subprocess.run([sys.executable, "-c", RSS, *cmd], capture_output=True, text=True).stdout) / 1024


def main() -> None:
    runs = [timed(COMMAND) for _ in range(3)]
    floor = statistics.median(timed(FLOOR)[0] for _ in range(3))
    seconds = statistics.median(t for t, _ in runs)
    summary = next(line for line in runs[0][1].stdout.splitlines() if "params" in line)
    rss, rss_floor = peak_mib(COMMAND), peak_mib(FLOOR)
    print(summary)
    print(f"wall {seconds:.2f} s (import floor {floor:.2f} s; target ≤ 10 s)")
    print(f"peak RSS {rss:.0f} MiB vs floor {rss_floor:.0f} MiB → {rss / rss_floor:.2f}× (target ≤ 1.2×)")
    print("last line:", runs[0][1].stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
