"""What `shapecheck explain` answers: plain data, rendered as text by `Explanation.text`."""

from __future__ import annotations

from dataclasses import dataclass, field

NOT_SHAPE = ""  # the code of an explanation saying the message is not about shapes
UNDECODED = "a shape error shapecheck recognises but cannot decode"


@dataclass
class Explanation:
    code: str  # the rule that finds this in a model
    title: str
    raised_by: str
    numbers: list[tuple[str, str]] = field(default_factory=list)  # (number, what it is)
    causes: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)

    def text(self) -> str:
        from ..diagnose.registry import CODES

        name = CODES[self.code].name if self.code in CODES else ""
        head = f"{self.code} {name}: {self.title}" if self.code != NOT_SHAPE else f"not a shape problem: {self.title}"
        lines = [head, f"raised by: {self.raised_by}"]
        if self.numbers:
            width = max(len(n) for n, _ in self.numbers)
            lines.append("the numbers:")
            lines += [f"  {n:>{width}}  {what}" for n, what in self.numbers]
        if self.causes:
            lines.append("likely causes:")
            lines += [f"  - {c}" for c in self.causes]
        if self.fixes:
            lines.append("fixes:")
            lines += [f"  - {f}" for f in self.fixes]
        if self.code != NOT_SHAPE:
            lines.append(
                "run `shapecheck MODEL --input SPEC` to find the layer; "
                f"`shapecheck rule {self.code}` explains the rule"
            )
        return "\n".join(lines)
