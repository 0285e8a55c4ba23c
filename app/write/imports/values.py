"""Parsing of cell values as people type them in Flanders (Dutch decimal
commas, ja/nee, dd/mm/jjjj). Each parser raises ValueError with a Dutch message."""
from __future__ import annotations

import datetime as dt
import re

from ...columns import NO, NOT_STATED, YES


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


def stated_boolean(value) -> bool | None:
    """ja / nee, or None when the cell says the source does not say
    ("niet vermeld", empty): a yes/no a source may leave open."""
    s = (text(value) or "").lower()
    if s in NOT_STATED:
        return None
    return boolean(value)


_THOUSANDS_DOT = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^-?\d{1,3}(,\d{3}){2,}$")


def number(value) -> float | None:
    """'14,4' -> 14.4; '1.234.567,89' -> 1234567.89; '1234.5' -> 1234.5;
    '1.234' -> 1234 (a Flemish thousands separator)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None if value != value else float(value)
    s = (text(value) or "").replace("\u00a0", "").replace(" ", "").replace("€", "")
    if not s:
        return None
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        s = s.replace(",", "") if _THOUSANDS_COMMA.match(s) else s.replace(",", ".")
    elif _THOUSANDS_DOT.match(s) and s.count(".") >= 2:
        s = s.replace(".", "")
    try:
        return float(s)
    except ValueError:
        raise ValueError(f"'{value}' is geen getal.") from None


def integer(value, minimum: int | None = None, maximum: int | None = None) -> int | None:
    n = number(value)
    if n is None:
        return None
    if n != int(n):
        raise ValueError(f"'{value}' is geen geheel getal.")
    n = int(n)
    if (minimum is not None and n < minimum) or (maximum is not None and n > maximum):
        raise ValueError(f"{n} ligt niet tussen {minimum} en {maximum}.")
    return n


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


def split_list(value) -> list[str]:
    s = text(value)
    return [p.strip() for p in s.split(";") if p.strip()] if s else []
