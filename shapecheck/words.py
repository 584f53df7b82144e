"""The base of shapecheck's vocabularies: severities, fix safety, row kinds and states, edit actions.

Each is an enum whose members are their words. A member equals, hashes, prints and goes into
JSON as its word (`Severity.ERROR == "error"`, `f"{Severity.ERROR}"` is `error`), so reports and
the JSON schema read as before; a word that is not in the vocabulary fails where it is made
(`Severity("eror")` raises ValueError) instead of never matching a comparison. A report sent
from a worker gets its members back from `wire`, which refuses a word that is not one.
"""

from __future__ import annotations

from enum import Enum


class Word(str, Enum):
    """A word of a vocabulary: a str whose value is the word."""

    def __str__(self) -> str:
        return str(self.value)
