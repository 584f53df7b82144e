"""What `shapecheck run` costs a script that works. Not a test: run it by hand.

    python benchmarks/run_overhead.py            # about two minutes

Times, side by side (median of 5, interleaved), a 200-step CPU training loop of a small CNN
run by `python` and by `shapecheck run`, and the same for a script that only imports torch
(shapecheck's own start-up). The overhead beyond start-up is
    (run(train) - python(train)) - (run(empty) - python(empty)),
as a share of python(train). Target: under 2 %: nothing is hooked while the program runs.

Both wall time and CPU time (user + system of the child, from wait4) are reported; the target is
read on CPU time, which other processes on a busy machine barely move, where wall time on a
shared two-core machine swings by more than the overhead being measured.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

TRAIN = """
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_num_threads(1)
model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                      nn.Flatten(), nn.Linear(32, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for step in range(200):
    x, y = torch.randn(32, 3, 32, 32), torch.randint(0, 10, (32,))
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(round(loss.item(), 3))
"""
EMPTY = "import torch\n"


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of cmd."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {child.returncode}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def report(label: str, t: dict[str, float]) -> None:
    startup = t["shapecheck_empty"] - t["python_empty"]
    overhead = (t["shapecheck_train"] - t["python_train"]) - startup
    print(f"{label}:")
    print(f"  python train.py            {t['python_train']:.2f} s")
    print(f"  shapecheck run train.py    {t['shapecheck_train']:.2f} s")
    print(
        f"  start-up (empty script)    python {t['python_empty']:.2f} s, shapecheck run {t['shapecheck_empty']:.2f} s"
        f" → {startup:+.2f} s"
    )
    print(
        f"  overhead beyond start-up   {overhead:+.3f} s = {100 * overhead / t['python_train']:+.2f} % of the "
        "training loop"
    )


def main() -> None:
    repeat = 5
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for name, text in (("train", TRAIN), ("empty", EMPTY)):
            paths[name] = os.path.join(folder, f"{name}.py")
            with open(paths[name], "w") as f:
                f.write(text)
        commands = {
            f"{how}_{name}": (
                [sys.executable, path] if how == "python" else [sys.executable, "-m", "shapecheck", "run", path]
            )
            for name, path in paths.items()
            for how in ("python", "shapecheck")
        }
        for cmd in commands.values():
            timed(cmd)  # warm the page cache
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repeat):
            for name, cmd in commands.items():
                wall, cpu = timed(cmd)
                walls[name].append(wall)
                cpus[name].append(cpu)
    print(f"median of {repeat} runs each, interleaved; python {sys.version.split()[0]}")
    report("CPU time (the target: under 2 %)", {name: statistics.median(v) for name, v in cpus.items()})
    report("wall time (moves with the machine's load)", {name: statistics.median(v) for name, v in walls.items()})


if __name__ == "__main__":
    main()
