"""Text that citizens read: without the notes staff left for each other.

The demo data keeps working notes in the location text, such as "(ligging bij
benadering, niet nagekeken; met de hand geplaatst)". "Bij benadering" and "met
de hand geplaatst" tell a resident how far to trust the map and stay; "niet
nagekeken" is a to-do for staff and goes. The data itself is not changed
(staff pages, downloads and the API show the text as the city wrote it).

Pure functions on plain text (no HTML): callers escape the result.
"""
from __future__ import annotations

import re

# A clause mentioning one of these is a note for staff, not for residents.
INTERNAL_NOTE_MARKERS = ("nagekeken", "na te kijken", "nakijken")

_GROUP = re.compile(r"\s*\(([^()]*)\)")


def is_internal_note(clause: str) -> bool:
    lowered = clause.lower()
    return any(marker in lowered for marker in INTERNAL_NOTE_MARKERS)


def _keep_clauses(text: str) -> str:
    """Drop the ';'- and ','-separated clauses that are internal notes."""
    kept_parts = []
    for part in text.split(";"):
        clauses = [c for c in part.split(",") if not is_internal_note(c)]
        if any(c.strip() for c in clauses):
            kept_parts.append(",".join(clauses).strip())
    return "; ".join(kept_parts)


def without_internal_notes(text: str | None) -> str | None:
    """`text` without its internal notes; None stays None, and a text that
    was nothing but a note becomes None (so the field is left out)."""
    if text is None or not is_internal_note(text):
        return text

    def group(match: re.Match) -> str:
        inner = _keep_clauses(match.group(1))
        return f" ({inner})" if inner else ""

    text = _GROUP.sub(group, text)
    sentences = re.split(r"(?<=[.!?])\s+", text)
    kept = []
    for sentence in sentences:
        end = sentence[-1] if sentence and sentence[-1] in ".!?" else ""
        body = _keep_clauses(sentence[:-1] if end else sentence) if is_internal_note(sentence) else sentence
        if body and body != sentence:
            body = body.rstrip(" ;,") + end
        if body.strip():
            kept.append(body.strip())
    result = " ".join(kept).strip()
    return result or None
