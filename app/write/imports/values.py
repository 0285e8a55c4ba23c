"""Parsing of cell values as people type them in Flanders (amounts and
measures as app/numbers.py reads them, ja/nee, dd/mm/jjjj). Each parser raises ValueError with a Dutch message."""
from __future__ import annotations

import datetime as dt
import re

from ...columns import NO, NOT_STATED, YES
from ...numbers import parse_amount, parse_integer, parse_measure


def text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas
        return None
    s = str(value).strip()
    if s[:1] == "'" and s[1:2] in ("=", "+", "-", "@"):
        s = s[1:]  # undo the formula guard our own CSV export adds
    return s or None


def boolean(value, default: bool = False) -> bool:
    s = (text(value) or "").lower()
    if not s:
        return default
    if s in YES:
        return True
    if s in NO:
        return False
    raise ValueError(f"'{value}' is geen ja of nee.")


# Numbers: the one parser of app/numbers.py (amounts and measures differ:
# in an amount a dot always groups thousands; see that module for the rule).
amount = parse_amount
number = parse_measure
integer = parse_integer


def stated_boolean(value) -> bool | None:
    """ja / nee, or None when the cell says the source does not say
    ("niet vermeld", empty): a yes/no a source may leave open."""
    s = (text(value) or "").lower()
    if s in NOT_STATED:
        return None
    return boolean(value)


def date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = text(value)
    if not s:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(s[:10] if fmt == "%Y-%m-%d" else s, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{value}' is geen datum (gebruik jjjj-mm-dd of dd/mm/jjjj).")


def choice(value, allowed: tuple[str, ...], default: str | None = None) -> str | None:
    s = (text(value) or "").lower()
    if not s:
        return default
    if s not in allowed:
        raise ValueError(f"'{value}' is geen toegelaten waarde ({', '.join(allowed)}).")
    return s


def sdgs(value) -> list[int]:
    s = text(value)
    if not s:
        return []
    out = []
    for part in re.split(r"[;,\s]+", s):
        if not part:
            continue
        n = integer(part)
        if n is None or not 1 <= n <= 17:
            raise ValueError(f"SDG '{part}' bestaat niet (1 tot 17).")
        out.append(n)
    return sorted(set(out))


def split_refs(value) -> list[str]:
    """Refs of fiches: separated by spaces, commas or ';' (a ref has none of
    them), so a list typed into a ';'-separated CSV cell never splits the row."""
    s = text(value)
    return [p for p in re.split(r"[;,\s]+", s) if p] if s else []


def split_list(value) -> list[str]:
    s = text(value)
    return [p.strip() for p in s.split(";") if p.strip()] if s else []
