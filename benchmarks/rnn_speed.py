"""An LSTM checked on meta at 50 and at 500 tokens: the time should not grow with the sequence.

torch.lstm on meta runs its decomposition step by step; shapecheck shapes it at once
(`shapecheck/trace/rnn_meta.py`). Before that: 4.9 s at 50 tokens, 12.0 s at 500 (2-core machine).

    python benchmarks/rnn_speed.py     # exit 1 when 500 tokens take over 1.5x the time of 50
"""

from __future__ import annotations

import sys
import time

from torch import nn

import shapecheck


def best(model, spec: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        shapecheck.check(model, spec, batch=4)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    ratios = []
    for layer in (
        nn.LSTM(128, 256, num_layers=2, batch_first=True),
        nn.GRU(128, 256, num_layers=2, batch_first=True, bidirectional=True),
    ):
        shapecheck.check(layer, "10x128")  # imports and caches warmed
        short, long = best(layer, "50x128"), best(layer, "500x128")
        ratios.append(long / short)
        print(f"{type(layer).__name__}: 50 tokens {short:.3f} s, 500 tokens {long:.3f} s ({long / short:.2f}x)")
    return 0 if max(ratios) <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
