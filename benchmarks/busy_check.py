"""Eight checks on a quiet machine, then the same eight beside eight busy processes: the JSON
findings, fixes, verified marks, accepted ranges and notes must be the same (issue 30).

    python benchmarks/busy_check.py             # quiet, then busy; exit 1 when a report differs
    python benchmarks/busy_check.py --busy 16   # more busy processes

Each check is the command line (`python -m shapecheck … --format json`, its worker included),
run one after another. The busy processes are plain Python loops, one per slot, started before
the second round and stopped after it. What is compared is the report less what measures time
(`seconds`): the layers, findings with their fixes and marks, notes, accepted inputs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

CHECKS = [
    [str(FIXTURES / "vgg_view.py"), "--input", "3x300x300"],
    [str(FIXTURES / "vgg_view.py"), "--input", "3x224x224", "--symbolic"],
    [str(FIXTURES / "rules" / "sc109_concat_mismatch.py:UNet"), "--input", "3x100x100", "--symbolic"],
    [str(FIXTURES / "rules" / "sc113_invalid_view.py:LeNet"), "--input", "3x20x20"],
    [str(FIXTURES / "rules" / "sc103_size_locked.py:Broken"), "--input", "3x48x48"],
    [str(FIXTURES / "rules" / "sc107_input_too_small.py:FixedPool"), "--input", "3x224x224"],
    [str(FIXTURES / "rules" / "sc116_batch_first.py:Forecaster"), "--input", "50x32", "--batch", "4"],
    ["vgg16", "--input", "3x16x16", "--symbolic"],
]

BUSY = "import itertools\nfor _ in itertools.count():\n    pass\n"


def _without_time(value):
    if isinstance(value, dict):
        return {k: _without_time(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_without_time(v) for v in value]
    return value


def run_all(label: str) -> tuple[list[dict], float]:
    reports = []
    start = time.perf_counter()
    for args in CHECKS:
        done = subprocess.run(
            [sys.executable, "-m", "shapecheck", *args, "--format", "json"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        try:
            doc = json.loads(done.stdout)
        except json.JSONDecodeError:
            doc = {"exit": done.returncode, "stderr": done.stderr[-2000:]}
        reports.append(_without_time(doc))
        verified = sum(1 for f in doc.get("findings", []) for x in f.get("fixes", []) if x.get("verified"))
        print(
            f"  {label:5} {' '.join(a.split('/')[-1] for a in args):55} {len(doc.get('findings', []))} findings, "
            f"{verified} verified",
            flush=True,
        )
    return reports, time.perf_counter() - start


def differences(quiet: dict, busy: dict, path: str = "") -> list[str]:
    if type(quiet) is not type(busy):
        return [f"{path}: {quiet!r} → {busy!r}"]
    if isinstance(quiet, dict):
        out = []
        for key in sorted(set(quiet) | set(busy)):
            out += differences(quiet.get(key), busy.get(key), f"{path}.{key}")
        return out
    if isinstance(quiet, list):
        if len(quiet) != len(busy):
            return [f"{path}: {len(quiet)} items → {len(busy)}"]
        out = []
        for i, (a, b) in enumerate(zip(quiet, busy, strict=True)):
            out += differences(a, b, f"{path}[{i}]")
        return out
    return [] if quiet == busy else [f"{path}: {quiet!r} → {busy!r}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=8, help="busy processes beside the second round")
    options = parser.parse_args()
    print(f"{len(CHECKS)} checks, quiet:")
    quiet, quiet_s = run_all("quiet")
    burners = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(options.busy)]
    try:
        time.sleep(1.0)
        print(f"{len(CHECKS)} checks beside {options.busy} busy processes:")
        busy, busy_s = run_all("busy")
    finally:
        for p in burners:
            p.kill()
        for p in burners:
            p.wait()
    print(f"quiet {quiet_s:.1f} s, busy {busy_s:.1f} s ({busy_s / quiet_s:.1f}× the wall time)")
    bad = 0
    for args, a, b in zip(CHECKS, quiet, busy, strict=True):
        diff = differences(a, b)
        if diff:
            bad += 1
            print(f"DIFFERS: {' '.join(args)}")
            for line in diff[:20]:
                print(f"    {line}")
    print("identical reports" if not bad else f"{bad} of {len(CHECKS)} reports differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
