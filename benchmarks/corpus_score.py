"""Score shapecheck on the corpus of real bugs (tests/corpus/): found, placed, right fix.

    python benchmarks/corpus_score.py            # table per family, then one line per bug
    python benchmarks/corpus_score.py --json F   # also write every bug's result to F
    python benchmarks/corpus_score.py --only ID  # one bug, with its findings

For each bug: `found` when shapecheck reports it (an error for a failing model; any finding for a
silent one; for a model that cannot be built, a finding or an error naming the layer), `placed`
when that finding is at the bug's layer, `right fix` when the first fix offered is verified (or,
for a fix shapecheck cannot apply, shown) and contains one of the texts the entry lists.
`wrong fix` counts first fixes marked verified that are not right: the worst outcome, a fix the
user would trust. A bug's entry is written from its thread before it is measured.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "corpus"))

from bugs import CONSTRUCTION, ERROR, Bug, all_bugs  # noqa: E402


def fix_text(fix) -> str:
    parts = [fix.description, fix.code or "", fix.after or ""]
    for step in fix.steps:
        parts += [step.description, step.code or "", step.after or ""]
    return "\n".join(parts)


def matches(text: str, wanted: tuple[str, ...]) -> bool:
    for item in wanted:
        if item.startswith("re:"):
            if re.search(item[3:], text):
                return True
        elif item == "input:larger":
            if re.search(r"--input \d+(x\d+)+", text):
                return True
        elif re.sub(r"\s+", "", item) in re.sub(r"\s+", "", text):  # `[:t]` is `[: t]` as formatters write it
            return True
    return False


def placed(report, finding, expected: str) -> bool:
    """The finding's row is the bug's layer, a row inside it (an op in its forward), or the op
    itself (`view` matches an op row named `view`)."""
    names = [finding.layer]
    trace = report.trace
    row = trace.layers[finding.row] if finding.row is not None and finding.row < len(trace.layers) else None
    while row is not None and row.parent is not None:
        row = trace.row(row.parent)
        if row is not None:
            names.append(row.name)
    return any(n == expected or n.startswith(expected + ".") or n.split(".")[-1] == expected for n in names)


def score(bug: Bug) -> dict:
    import shapecheck
    from shapecheck.errors import ShapecheckError

    result = dict(id=bug.id, family=bug.family, kind=bug.kind, found=False, placed=False, right=False, wrong=False)
    start = time.perf_counter()
    try:
        report = shapecheck.check(bug.target, list(bug.inputs), batch=bug.batch, args=bug.args or None)
    except ShapecheckError as exc:  # a model that cannot be built, for one
        text = f"{exc}\n{getattr(exc, 'hint', '') or ''}"
        result.update(seconds=round(time.perf_counter() - start, 2), error=text[:400])
        if bug.kind == CONSTRUCTION:
            result["found"] = True
            result["placed"] = bug.layer in text  # the line that builds the layer
            result["right"] = matches(text, bug.fixes)
        return result
    result["seconds"] = round(time.perf_counter() - start, 2)
    findings = report.findings
    relevant = [f for f in findings if f.is_error] if bug.kind == ERROR else list(findings)
    result["findings"] = [f"{f.code} {f.layer}: {f.message}" for f in findings]
    if not relevant:
        return result
    first = next((f for f in relevant if placed(report, f, bug.layer)), relevant[0])
    result.update(found=True, placed=placed(report, first, bug.layer), code=first.code, layer=first.layer)
    if bug.kind == CONSTRUCTION and report.trace.construction is not None:  # the line that builds the layer
        result["placed"] = first.location is not None and bug.layer in f"{first.location.source} {first.message}"
    if first.fixes:
        fix = first.fixes[0]
        text = fix_text(fix)
        result["fix"] = text.splitlines()[0][:200]
        result["verified"] = fix.verified
        usable = fix.verified is True or (fix.verified is None and fix.rerun is None)
        result["right"] = usable and matches(text, bug.fixes)
        result["wrong"] = fix.verified is True and not result["right"]
    return result


def _score_safely(bug: Bug) -> dict:
    try:
        return score(bug)
    except Exception as exc:  # a crash of shapecheck itself is a result too
        return dict(
            id=bug.id,
            family=bug.family,
            kind=bug.kind,
            found=False,
            placed=False,
            right=False,
            wrong=False,
            crash=f"{type(exc).__name__}: {exc}"[:400],
        )


def table(results: list[dict]) -> str:
    families: dict[str, list[dict]] = {}
    for r in results:
        families.setdefault(r["family"], []).append(r)
    lines = ["| family | bugs | found | placed | right fix | wrong fix |", "|---|---:|---:|---:|---:|---:|"]

    def row(name, rs):
        n = len(rs)
        count = lambda key: sum(1 for r in rs if r.get(key))  # noqa: E731
        return f"| {name} | {n} | {count('found')} | {count('placed')} | {count('right')} | {count('wrong')} |"

    for name, rs in families.items():
        lines.append(row(name, rs))
    lines.append(row("**all**", results))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--only")
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args()
    bugs = all_bugs()
    if options.only:
        bugs = [b for b in bugs if b.id == options.only or b.family == options.only]
    start = time.perf_counter()
    # One process per bug: each model file imports fresh, as a user's run would.
    with multiprocessing.get_context("spawn").Pool(options.jobs, maxtasksperchild=1) as pool:
        results = pool.map(_score_safely, bugs, chunksize=1)
    print(table(results))
    print(f"\n{len(results)} bugs in {time.perf_counter() - start:.0f} s\n")
    for r in results:
        marks = "".join(c if r.get(k) else "." for c, k in (("F", "found"), ("P", "placed"), ("R", "right")))
        extra = r.get("crash") or r.get("error") or f"{r.get('code', '-')} {r.get('layer', '')} | {r.get('fix', '')}"
        print(f"{marks} {'W' if r.get('wrong') else ' '} {r['id']:<40} {extra}")
        if options.only:
            for line in r.get("findings", []):
                print(f"      {line}")
    if options.json:
        options.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
