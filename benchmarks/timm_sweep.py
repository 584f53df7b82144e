"""Every timm model at its default input: findings, engine, time. Not a test: run it by hand.

    python benchmarks/timm_sweep.py [--json out.json]     # 20 to 40 minutes on 2 cores

Checks each name of `timm.list_models()` in this process (as the test suite's sample does) and
prints how many ran, how long it took, the models with any finding (the target is none), the
models that needed the real engine, and the ones that could not be built.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", help="write every model's outcome to this file")
    parser.add_argument("--limit", type=int, help="only the first N names")
    opts = parser.parse_args()
    import timm

    import shapecheck
    from shapecheck.errors import ShapecheckError

    names = sorted(timm.list_models())[: opts.limit]
    rows, start = [], time.perf_counter()
    for i, name in enumerate(names):
        began = time.perf_counter()
        row = {"model": name}
        try:
            report = shapecheck.check(f"timm:{name}")
            row.update(
                engine=report.engine,
                findings=[f"{f.code} {f.message}" for f in report.findings],
                note=report.engine_note,
            )
        except ShapecheckError as err:
            row.update(error=err.message)
        except Exception as exc:
            row.update(error=f"internal error: {type(exc).__name__}: {exc}")
        row["seconds"] = round(time.perf_counter() - began, 2)
        rows.append(row)
        print(
            f"{i + 1:4d}/{len(names)} {name:50s} {row['seconds']:6.2f} s "
            f"{row.get('engine', 'ERROR')} {len(row.get('findings', []))}",
            file=sys.stderr,
            flush=True,
        )
    total = time.perf_counter() - start
    found = [r for r in rows if r.get("findings")]
    real = [r for r in rows if r.get("engine") == "real"]
    failed = [r for r in rows if "error" in r]
    median = sorted(r["seconds"] for r in rows)[len(rows) // 2]
    print(f"{len(rows)} timm models in {total / 60:.1f} min (median {median:.2f} s)")
    print(f"with findings: {len(found)}")
    for r in found:
        print(f"  {r['model']}: {'; '.join(r['findings'])[:200]}")
    print(f"real engine: {len(real)}")
    for r in real:
        print(f"  {r['model']}: {(r['note'] or '')[:150]}")
    print(f"could not be built or checked: {len(failed)}")
    for r in failed:
        print(f"  {r['model']}: {r['error'][:200]}")
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
