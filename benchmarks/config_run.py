"""What each check of a config run costs beyond the first. Not a test: run it by hand.

    python benchmarks/config_run.py [N]      # N tiny checks (default 20); about 10 s

Writes a shapecheck.toml of N checks of a one-layer model to a temporary folder, then times
`shapecheck -j 1` there (one worker after another, each forked from the command) and a single
`shapecheck tiny.py:Net --input 4`. Target: each check after the first under 0.3 s: a worker
starts with torch, dynamo and shapecheck's stages already imported (they took 1.4 s a check).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

MODEL = """import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x)
"""


def timed(args: list[str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "shapecheck", *args], cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "tiny.py"), "w") as f:
            f.write(MODEL)
        with open(os.path.join(folder, "shapecheck.toml"), "w") as f:
            for i in range(count):
                f.write(f'[[checks]]\nname = "c{i}"\nmodel = "tiny.py:Net"\ninputs = ["4"]\n\n')
        one = timed(["tiny.py:Net", "--input", "4"], folder)
        many = timed(["-j", "1"], folder)
    print(f"one check:           {one:.2f} s")
    print(f"{count} checks (-j 1):   {many:.2f} s")
    print(f"each check after the first: {(many - one) / (count - 1):.3f} s (target < 0.3 s)")


if __name__ == "__main__":
    main()
