"""Score `shapecheck explain` on the corpus of real messages (tests/explain_corpus.py).

    python benchmarks/explain_score.py           # table per family, then the misses
    python benchmarks/explain_score.py --all     # one line per message
    python benchmarks/explain_score.py --held-out  # the held-out sets' misses too (FIFTH to ELEVENTH: stories)

recognised: explain gives an explanation it could decode (not None, not "recognises but cannot
decode"); right: its rule code is one the message's family allows, or, for a message that is not
about shapes (a device, a dtype), it says so; confidently wrong: recognised and not right. The
whole run happens in one process without torch (checked), and its time is printed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))


def grade(explanation, family: str, families: dict) -> tuple[bool, bool, bool]:
    """(recognised, right, confidently wrong)."""
    from shapecheck.explain.explanation import NOT_SHAPE, UNDECODED

    if explanation is None or explanation.title == UNDECODED:
        return False, False, False
    right = explanation.code == NOT_SHAPE if family == "none" else explanation.code in families[family]
    return True, right, not right


def story_right(explanation, must: list[str], wrong: list[str] = ()) -> bool:
    """Every word a right story must hold (alternatives split by "|") is in the explanation's text, and
    none of the words of a reading the thread's answer rules out (`wrong`)."""
    text = explanation.text().lower() if explanation else ""
    return all(any(a.lower() in text for a in word.split("|")) for word in must) and not any(
        w.lower() in text for w in wrong
    )


def score(
    held_out: bool = False,
    issue31: bool = False,
    later: bool = False,
    fifth: bool = False,
    sixth: bool = False,
    seventh: bool = False,
    eighth: bool = False,
    ninth: bool = False,
    tenth: bool = False,
    eleventh: bool = False,
) -> tuple[list[dict], float]:
    """The corpus, its first held-out set, (issue31) the held-out set of tests/explain_heldout.py,
    (later) that file's second set, collected after the second round of issue 31, or (fifth) its fifth
    set, whose stories are scored too (`story`: right, and every word its thread's answer needs), or
    (sixth) its sixth set, scored the same way, or (seventh) its seventh set, or (eighth) its eighth, or
    (ninth) its ninth, or (tenth) its tenth, or (eleventh) its eleventh, scored the same way (the eleventh
    also against the words of the readings its answers rule out)."""
    from explain_corpus import FAMILIES, HELD_OUT, MESSAGES
    from explain_heldout import (
        EIGHTH,
        EIGHTH_MUST,
        ELEVENTH,
        ELEVENTH_FAMILIES,
        ELEVENTH_MUST,
        ELEVENTH_WRONG,
        FIFTH,
        FIFTH_FAMILIES,
        FIFTH_MUST,
        LATER,
        NINTH,
        NINTH_FAMILIES,
        NINTH_MUST,
        SEVENTH,
        SEVENTH_FAMILIES,
        SEVENTH_MUST,
        SIXTH,
        SIXTH_FAMILIES,
        SIXTH_MUST,
        TENTH,
        TENTH_FAMILIES,
        TENTH_MUST,
    )
    from explain_heldout import FAMILIES as MORE
    from explain_heldout import HELD_OUT as ISSUE31

    from shapecheck.explain import explain

    FAMILIES = {
        **FAMILIES,
        **MORE,
        **FIFTH_FAMILIES,
        **SIXTH_FAMILIES,
        **SEVENTH_FAMILIES,
        **NINTH_FAMILIES,
        **TENTH_FAMILIES,
        **ELEVENTH_FAMILIES,
    }
    MUST = {
        **FIFTH_MUST,
        **SIXTH_MUST,
        **SEVENTH_MUST,
        **EIGHTH_MUST,
        **NINTH_MUST,
        **TENTH_MUST,
        **ELEVENTH_MUST,
    }
    start = time.perf_counter()
    results = []
    chosen = (
        ELEVENTH
        if eleventh
        else TENTH
        if tenth
        else NINTH
        if ninth
        else EIGHTH
        if eighth
        else SEVENTH
        if seventh
        else SIXTH
        if sixth
        else FIFTH
        if fifth
        else LATER
        if later
        else ISSUE31
        if issue31
        else HELD_OUT
        if held_out
        else MESSAGES
    )
    for family, message, source in chosen:
        e = explain(message)
        recognised, right, wrong = grade(e, family, FAMILIES)
        results.append(
            dict(
                family=family,
                message=message,
                source=source,
                code=e.code if e else None,
                title=e.title if e else None,
                recognised=recognised,
                right=right,
                wrong=wrong,
                story=right and story_right(e, MUST.get(source, []), ELEVENTH_WRONG.get(source, [])),
            )
        )
    return results, time.perf_counter() - start


def table(results: list[dict]) -> str:
    families: dict[str, list[dict]] = {}
    for r in results:
        families.setdefault(r["family"], []).append(r)
    lines = ["| family | messages | recognised | right | confidently wrong |", "|---|---:|---:|---:|---:|"]

    def row(name, rs):
        count = lambda key: sum(1 for r in rs if r[key])  # noqa: E731
        return f"| {name} | {len(rs)} | {count('recognised')} | {count('right')} | {count('wrong')} |"

    for name, rs in sorted(families.items(), key=lambda kv: -len(kv[1])):
        lines.append(row(name, rs))
    lines.append(row("**all**", results))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--held-out", action="store_true", help="list the misses of the issue-31 held-out set too")
    options = parser.parse_args()
    started = time.perf_counter()
    results, seconds = score()
    total = time.perf_counter() - started
    print(table(results))
    n = len(results)
    rec = sum(r["recognised"] for r in results)
    right = sum(r["right"] for r in results)
    print(
        f"\n{n} messages: {rec} recognised ({100 * rec / n:.1f} %), {right} right ({100 * right / n:.1f} %), "
        f"{sum(r['wrong'] for r in results)} confidently wrong; explain took {seconds:.3f} s "
        f"(with its import {total:.3f} s); torch imported: {'torch' in sys.modules}"
    )
    held, _ = score(held_out=True)
    print(
        f"held out ({len(held)} messages collected after the table, of two families it lacked at first): "
        f"{sum(r['recognised'] for r in held)} recognised, {sum(r['right'] for r in held)} right, "
        f"{sum(r['wrong'] for r in held)} confidently wrong"
    )
    later, _ = score(issue31=True)
    print(
        f"held out for issue 31 ({len(later)} messages from threads, collected after the extracted table; "
        f"tests/explain_heldout.py): {sum(r['recognised'] for r in later)} recognised, "
        f"{sum(r['right'] for r in later)} right, {sum(r['wrong'] for r in later)} confidently wrong"
    )
    second, _ = score(later=True)
    print(
        f"second held-out set ({len(second)} messages from threads, collected after the second round of issue 31; "
        f"tests/explain_heldout.py LATER): {sum(r['recognised'] for r in second)} recognised, "
        f"{sum(r['right'] for r in second)} right, {sum(r['wrong'] for r in second)} confidently wrong"
    )
    fifth, _ = score(fifth=True)
    print(
        f"fifth held-out set ({len(fifth)} messages from threads, each with its answer, collected after the fourth "
        f"round; tests/explain_heldout.py FIFTH): {sum(r['recognised'] for r in fifth)} recognised, "
        f"{sum(r['right'] for r in fifth)} right, {sum(r['story'] for r in fifth)} right stories, "
        f"{sum(r['wrong'] for r in fifth)} confidently wrong"
    )
    sixth, _ = score(sixth=True)
    print(
        f"sixth held-out set ({len(sixth)} beginners' messages from forums, Q&A mirrors and tutorials, each with its "
        f"answer; tests/explain_heldout.py SIXTH): {sum(r['recognised'] for r in sixth)} recognised, "
        f"{sum(r['right'] for r in sixth)} right, {sum(r['story'] for r in sixth)} right stories, "
        f"{sum(r['wrong'] for r in sixth)} confidently wrong"
    )
    seventh, _ = score(seventh=True)
    print(
        f"seventh held-out set ({len(seventh)} thread messages of the families issue 31 lists as weak, each with its "
        f"answer; tests/explain_heldout.py SEVENTH): {sum(r['recognised'] for r in seventh)} recognised, "
        f"{sum(r['right'] for r in seventh)} right, {sum(r['story'] for r in seventh)} right stories, "
        f"{sum(r['wrong'] for r in seventh)} confidently wrong"
    )
    eighth, _ = score(eighth=True)
    print(
        f"eighth held-out set ({len(eighth)} beginners' thread messages of the common families (losses and targets, "
        f"Linear, view, conv channels and ranks, batch sizes, broadcasts, stack and cat), each with its answer; "
        f"tests/explain_heldout.py EIGHTH): {sum(r['recognised'] for r in eighth)} recognised, "
        f"{sum(r['right'] for r in eighth)} right, {sum(r['story'] for r in eighth)} right stories, "
        f"{sum(r['wrong'] for r in eighth)} confidently wrong"
    )
    ninth, _ = score(ninth=True)
    print(
        f"ninth held-out set ({len(ninth)} thread messages of families the earlier sets hold few of (RNN states, "
        f"expand, ranks, too small, masks, nested lists, negative sizes, CUDA cat wording), each with its answer; "
        f"tests/explain_heldout.py NINTH): {sum(r['recognised'] for r in ninth)} recognised, "
        f"{sum(r['right'] for r in ninth)} right, {sum(r['story'] for r in ninth)} right stories, "
        f"{sum(r['wrong'] for r in ninth)} confidently wrong"
    )
    tenth, _ = score(tenth=True)
    print(
        f"tenth held-out set ({len(tenth)} thread messages collected after the ninth round, families mixed as the "
        f"threads give them, each with its answer; tests/explain_heldout.py TENTH): "
        f"{sum(r['recognised'] for r in tenth)} recognised, {sum(r['right'] for r in tenth)} right, "
        f"{sum(r['story'] for r in tenth)} right stories, {sum(r['wrong'] for r in tenth)} confidently wrong"
    )
    eleventh, _ = score(eleventh=True)
    print(
        f"eleventh held-out set ({len(eleventh)} thread messages of the common families whose answer is not the "
        f"message's first reading, each with its answer and the readings it rules out; tests/explain_heldout.py "
        f"ELEVENTH): {sum(r['recognised'] for r in eleventh)} recognised, {sum(r['right'] for r in eleventh)} right, "
        f"{sum(r['story'] for r in eleventh)} right stories, {sum(r['wrong'] for r in eleventh)} confidently wrong"
    )
    misses = later + second + [r for r in fifth + sixth + seventh + eighth + ninth + tenth + eleventh if not r["story"]]
    for r in results + (misses if options.held_out else []):
        if options.all or not r["right"] or not r.get("story", True):
            mark = "W" if r["wrong"] else ("." if not r["recognised"] else "S" if not r.get("story", True) else "R")
            print(f"{mark} {r['family']:<16} {r['code'] or '-':<6} {r['message'][:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
