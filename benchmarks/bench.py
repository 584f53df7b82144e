"""Time whole processes side by side and print ratios. Not a test: run it by hand.

    python benchmarks/bench.py            # (a), (b), (c); about a minute
    python benchmarks/bench.py --engines  # also: which torchvision models need the real engine
    python benchmarks/bench.py --checkpoint  # also: a 2.5 GB checkpoint against vit_h_14
    python benchmarks/bench.py --domain   # only (f): about 10 minutes

(a) `shapecheck vgg16 --input 3x300x300` against the import floor `import torch, torchvision`
(b) the same against building vgg16 with real weights and one real forward with hooks
(c) peak RSS of `shapecheck vit_h_14` against the import floor's
(d) `shapecheck explain "<message>"`, which must not import torch
(e) with --checkpoint: time and peak RSS of `shapecheck vit_h_14 --weights` on its 2.5 GB
    state dict (only shapes are read: mmap)
(f) with --domain: the accepted-input analysis (--symbolic) over every torchvision
    classification model at its default input, once with symbolic shapes and once by probing
    only; median and worst time of each, how many fell back, and any run past the budget
Targets: (a) ≤ 1.0× (the check's worker process included), (c) ≤ 1.3×, (d) well under 0.5 s,
(f) median < 2 s, none past the budget.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

PY = sys.executable
FLOOR = [PY, "-c", "import torch, torchvision"]
# shapecheck freezes torch's objects out of garbage collection after importing it (gc.freeze),
# which also makes the torchvision import that follows cheaper; this floor does the same, so
# the ratio against it is shapecheck's own work alone.
FLOOR_FROZEN = [PY, "-c", "import gc, torch; gc.freeze(); import torchvision"]
SHAPECHECK = [PY, "-m", "shapecheck"]
EAGER = [
    PY,
    "-c",
    """
import torch, torchvision
model = torchvision.models.vgg16().eval()
shapes = []
for m in model.modules():
    m.register_forward_hook(lambda mod, i, o: shapes.append(tuple(o.shape)))
with torch.no_grad():
    model(torch.randn(1, 3, 300, 300))
""",
]
# Runs a command and prints its peak resident memory (KiB) from the kernel's own accounting.
RSS = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def wall(cmd: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        env={**os.environ, **env} if env else None,
    )
    return time.perf_counter() - start


# The same command without its worker process (SHAPECHECK_IN_PROCESS=1): what isolation costs.
IN_PROCESS = {"SHAPECHECK_IN_PROCESS": "1"}


def peak_rss_mib(cmd: list[str]) -> float:
    out = subprocess.run([PY, "-c", RSS, *cmd], capture_output=True, text=True, check=True).stdout
    return int(out.strip()) / 1024


def side_by_side(commands: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Median wall time of each command, runs interleaved so drift hits all alike. A name
    ending in `_in_process` runs its command with IN_PROCESS set."""

    def env(name):
        return IN_PROCESS if name.endswith("_in_process") else None

    for name, cmd in commands.items():  # warm the page cache
        wall(cmd, env(name))
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            times[name].append(wall(cmd, env(name)))
    return {name: statistics.median(values) for name, values in times.items()}


def engines() -> list[tuple[str, str]]:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import shapecheck
    from shapecheck.loading.catalog import named_models

    out = []
    for name in sorted(named_models()):
        report = shapecheck.check(name)
        if report.engine != "meta":
            out.append((name, report.engine_note or ""))
    return out


def checkpoint_figures() -> dict:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "vit_h_14.pth")
        subprocess.run(
            [
                PY,
                "-c",
                "import sys, torch, torchvision; torch.save(torchvision.models.vit_h_14().state_dict(), sys.argv[1])",
                path,
            ],
            check=True,
        )
        cmd = SHAPECHECK + ["vit_h_14", "--weights", path]
        wall(cmd)  # warm the page cache, as a second run would find it
        return {"e_size_gb": os.path.getsize(path) / 2**30, "e_seconds": wall(cmd), "e_rss_mib": peak_rss_mib(cmd)}


def domain_figures(budget: float) -> dict:
    """(f): each classification model's accepted inputs, symbolic and probing, timed in-process."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import torchvision

    from shapecheck.domain.analysis import analyze
    from shapecheck.loading import resolve
    from shapecheck.trace import engines
    from shapecheck.trace.engines import prober

    rows = []
    for name in sorted(torchvision.models.list_models(module=torchvision.models)):
        loaded = resolve(name, {})
        specs = list(loaded.default_inputs)
        runs = prober(loaded.module, specs, batch=1)
        trace = engines.run(loaded.module, specs)  # as `check` has it before the analysis
        for symbolic in (True, False):
            start = time.perf_counter()
            acc = analyze(
                loaded.module,
                specs,
                batch=1,
                probe=runs,
                given_ok=trace.error is None,
                budget_s=budget,
                symbolic=symbolic,
                label=name,
                def_sites=loaded.def_sites,
                expected_rows=len(trace.layers),
            )
            rows.append(
                {
                    "model": name,
                    "asked": "symbolic" if symbolic else "probing",
                    "used": acc.method,
                    "seconds": time.perf_counter() - start,
                    "complete": acc.complete,
                    "sentence": acc.sentence(),
                    "notes": acc.notes,
                }
            )
        print(
            f"  {name:28s} {rows[-2]['seconds']:5.2f} s {rows[-2]['used']:8s} | probing {rows[-1]['seconds']:5.2f} s"
            f" | {rows[-2]['sentence']}",
            file=sys.stderr,
        )
    out = {"f_budget_s": budget, "f_models": len(rows) // 2, "f_rows": rows}
    for asked in ("symbolic", "probing"):
        times = [r["seconds"] for r in rows if r["asked"] == asked]
        out[f"f_{asked}_median_s"] = statistics.median(times)
        out[f"f_{asked}_worst_s"] = max(times)
        out[f"f_{asked}_worst_model"] = max((r for r in rows if r["asked"] == asked), key=lambda r: r["seconds"])[
            "model"
        ]
        out[f"f_{asked}_past_budget"] = sum(t > budget for t in times)
        out[f"f_{asked}_incomplete"] = sum(not r["complete"] for r in rows if r["asked"] == asked)
    out["f_fell_back"] = sum(r["used"] != "symbolic" for r in rows if r["asked"] == "symbolic")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--engines", action="store_true", help="list models that need the real engine")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--checkpoint", action="store_true", help="also time a 2.5 GB checkpoint check")
    parser.add_argument("--domain", action="store_true", help="only (f): accepted-input analysis, every model")
    parser.add_argument("--budget", type=float, default=5.0, help="--symbolic budget for (f), seconds")
    opts = parser.parse_args()
    if opts.domain:
        f = domain_figures(opts.budget)
        if opts.json:
            print(json.dumps(f, indent=2))
            return
        print(f"(f) accepted inputs of {f['f_models']} classification models, budget {f['f_budget_s']:g} s:")
        for asked in ("symbolic", "probing"):
            print(
                f"    {asked:8s} median {f[f'f_{asked}_median_s']:.2f} s, worst {f[f'f_{asked}_worst_s']:.2f} s "
                f"({f[f'f_{asked}_worst_model']}), past the budget: {f[f'f_{asked}_past_budget']}, "
                f"not finished: {f[f'f_{asked}_incomplete']}"
            )
        print(f"    symbolic runs that fell back to probing: {f['f_fell_back']}  (target: median < 2 s, none past)")
        return

    t = side_by_side(
        {
            "floor": FLOOR,
            "floor_frozen": FLOOR_FROZEN,
            "shapecheck": SHAPECHECK + ["vgg16", "--input", "3x300x300"],
            "shapecheck_in_process": SHAPECHECK + ["vgg16", "--input", "3x300x300"],
            "eager": EAGER,
            "explain": SHAPECHECK + ["explain", "mat1 and mat2 shapes cannot be multiplied (3584x7 and 25088x100)"],
        },
        opts.repeat,
    )
    rss_floor = statistics.median(peak_rss_mib(FLOOR) for _ in range(3))
    rss_vit = statistics.median(peak_rss_mib(SHAPECHECK + ["vit_h_14"]) for _ in range(3))
    figures = {
        "a_floor_s": t["floor"],
        "a_shapecheck_s": t["shapecheck"],
        "a_ratio": t["shapecheck"] / t["floor"],
        "a_in_process_s": t["shapecheck_in_process"],
        "a_floor_frozen_s": t["floor_frozen"],
        "a_ratio_frozen": t["shapecheck"] / t["floor_frozen"],
        "b_eager_s": t["eager"],
        "b_ratio": t["shapecheck"] / t["eager"],
        "c_floor_mib": rss_floor,
        "c_vit_h_14_mib": rss_vit,
        "c_ratio": rss_vit / rss_floor,
        "d_explain_s": t["explain"],
    }
    if opts.engines:
        figures["real_engine_models"] = engines()
    if opts.checkpoint:
        figures.update(checkpoint_figures())
    if opts.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"median of {opts.repeat} runs each, interleaved; python {sys.version.split()[0]}")
    print(
        f"(a) shapecheck vgg16 --input 3x300x300  {t['shapecheck']:.2f} s  vs import floor "
        f"{t['floor']:.2f} s  → {figures['a_ratio']:.3f}×  (target ≤ 1.0×)"
    )
    print(
        f"    the same without the worker process (SHAPECHECK_IN_PROCESS=1): {t['shapecheck_in_process']:.2f} s "
        f"→ the worker costs {t['shapecheck'] - t['shapecheck_in_process']:+.2f} s"
    )
    print(
        f"    like for like, against a floor that also freezes after import torch: {t['floor_frozen']:.2f} s "
        f"→ {figures['a_ratio_frozen']:.3f}×"
    )
    print(
        f"(b) shapecheck vgg16 --input 3x300x300  {t['shapecheck']:.2f} s  vs real weights + forward "
        f"{t['eager']:.2f} s  → {figures['b_ratio']:.3f}×"
    )
    print(
        f"(c) peak RSS shapecheck vit_h_14  {rss_vit:.0f} MiB  vs import floor {rss_floor:.0f} MiB  "
        f"→ {figures['c_ratio']:.3f}×  (target ≤ 1.3×)"
    )
    print(f'(d) shapecheck explain "mat1 and mat2 …"  {t["explain"]:.2f} s  (target well under 0.5 s)')
    if opts.checkpoint:
        print(
            f"(e) shapecheck vit_h_14 --weights ({figures['e_size_gb']:.1f} GB)  {figures['e_seconds']:.2f} s, "
            f"peak RSS {figures['e_rss_mib']:.0f} MiB (import floor {rss_floor:.0f} MiB)"
        )
    if opts.engines:
        rows = figures["real_engine_models"]
        print(f"models that needed the real engine ({len(rows)}):")
        for name, why in rows:
            print(f"  {name}: {why}")


if __name__ == "__main__":
    main()
