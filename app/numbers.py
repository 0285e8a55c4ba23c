"""Numbers as Flemish people type them: one parser for euro amounts, one for
measures (indicator values, percentages, counts), and the display of an
amount as it was understood. Used by the staff form, every importer (CSV,
XLSX text and number cells, spatial file attributes) and the CLI.

The rule is: never guess. An input that can be read in two ways is refused
with a Dutch question that names both readings.

Amounts (euro):
- a dot always groups thousands, a comma starts the cents:
  "250.000" = 250000, "1.250.000,50" = 1250000.5, "250.000,00", "250000",
  "250 000", "€ 250.000", "250.000 EUR", "-1.500";
- "1.234" is therefore 1234: a dot followed by three digits always groups
  thousands in an amount;
- a single dot followed by one or two digits can only be a decimal point
  (software writes "2200000.00", nobody groups thousands by two):
  "2200000.00" = 2200000, "250.5" = 250.5;
- refused with a question: a comma followed by exactly three digits
  ("250,000": 250 thousand or 250 euro?), a dot followed by more than three
  digits or after more than three ("1234.567", "1.2345"), English notation
  ("1,250,000.50", "1,250,000"), more than two decimals ("250,505").

Measures (indicator values, m, %, counts):
- a comma is the decimal sign: "1,5" = 1.5, "14,4", "0,125";
- dots group thousands when that is the only reading: "1.234.567",
  "1.234,5"; a single dot that cannot group thousands is a decimal point
  ("14.4", "0.5", "1234.5", as software writes it);
- refused with a question: "1.234" (1234 or 1,234?), "1,234,567" and
  "1,234.5" (English notation).

Numbers that arrive as numbers (XLSX number cells, GeoPackage attributes)
are taken as they are. NaN, infinity, exponents and bare text are refused.
"""
from __future__ import annotations

import math
import re

# Spaces people (and Excel) put between thousands: space, no-break, narrow no-break.
_SPACES = "\u0020\u00a0\u202f\u2009"
_CURRENCY = re.compile(r"^(?:€|eur|euro)\s*|\s*(?:€|eur|euro)$", re.IGNORECASE)

_INTEGER = re.compile(r"^\d+$", re.ASCII)
_DOT_GROUPS = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$", re.ASCII)          # 1.234 / 1.234.567
_SPACE_GROUPS = re.compile(r"^[1-9]\d{0,2}(?: \d{3})+$", re.ASCII)         # 1 234 567
_COMMA_DECIMALS = re.compile(r"^(\d+|[1-9]\d{0,2}(?:\.\d{3})+|[1-9]\d{0,2}(?: \d{3})+),(\d+)$", re.ASCII)
_DOT_DECIMAL = re.compile(r"^\d+\.\d+$", re.ASCII)
_DOT_CENTS = re.compile(r"^\d+\.\d{1,2}$", re.ASCII)                      # 2200000.00, as software writes
_ENGLISH = re.compile(r"^[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$", re.ASCII)    # 1,234,567.89


def _plain(value, what: str) -> tuple[float | None, str | None, str]:
    """A number given as a number -> (float, None, ''); text -> (None, sign,
    digits text without currency and surrounding spaces); empty -> (None, None, '')."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise ValueError(f"'{value}' is geen {what}.")
        return None, None, ""
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isnan(number):
            return None, None, ""
        if math.isinf(number):
            raise ValueError(f"'{value}' is geen {what}.")
        return number, None, ""
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]  # undo the formula guard of our own CSV export
    for space in _SPACES[1:]:
        text = text.replace(space, " ")
    text = _CURRENCY.sub("", text.strip()).strip()
    if not text:
        return None, None, ""
    sign = ""
    if text[0] in "+-":
        sign, text = ("-" if text[0] == "-" else ""), text[1:].strip()
    return None, sign, text


def _finish(sign: str, digits: str) -> float:
    return float(sign + digits)


def parse_amount(value) -> float | None:
    """A euro amount as typed in Flanders -> float (None when empty).
    Raises ValueError with a Dutch message (a question when ambiguous)."""
    number, sign, s = _plain(value, "bedrag")
    if sign is None:
        return number
    shown = str(value).strip()
    if _INTEGER.match(s):
        return _finish(sign, s)
    if _DOT_GROUPS.match(s) or _SPACE_GROUPS.match(s):
        return _finish(sign, s.replace(".", "").replace(" ", ""))
    decimals = _COMMA_DECIMALS.match(s)
    if decimals:
        whole, cents = decimals.groups()
        whole = whole.replace(".", "").replace(" ", "")
        if len(cents) == 3 and "." not in decimals.group(1):
            raise ValueError(
                f"'{shown}' is dubbelzinnig: bedoel je {format_amount(float(sign + whole + cents))} "
                f"(komma tussen duizendtallen) of {_small_amount(float(sign + whole + '.' + cents))} "
                "(komma als decimaalteken)? "
                "Schrijf duizendtallen met een punt (250.000) en centen na een komma (250,50)."
            )
        if len(cents) > 2:
            raise ValueError(f"'{shown}' heeft meer dan twee cijfers na de komma: rond af op de cent.")
        return _finish(sign, f"{whole}.{cents}")
    if _DOT_CENTS.match(s):
        return _finish(sign, s)
    if _DOT_DECIMAL.match(s) or _ENGLISH.match(s):
        guess = s.replace(",", "")
        raise ValueError(
            f"'{shown}' is dubbelzinnig: in een bedrag scheidt een punt de duizendtallen. "
            f"Bedoel je {format_amount(float(sign + guess), symbol=False)}? "
            "Schrijf de centen na een komma (bv. 1.250,50)."
        )
    raise ValueError(f"'{shown}' is geen bedrag (bv. 250.000 of 1.250.000,50).")


def _small_amount(value: float) -> str:
    return format_amount(value, decimals=0 if value.is_integer() else 3)


def parse_measure(value) -> float | None:
    """A measured value (indicator, length, percentage, count) -> float
    (None when empty). Raises ValueError with a Dutch message."""
    number, sign, s = _plain(value, "getal")
    if sign is None:
        return number
    shown = str(value).strip()
    if _INTEGER.match(s):
        return _finish(sign, s)
    decimals = _COMMA_DECIMALS.match(s)
    if decimals:
        whole, fraction = decimals.groups()
        return _finish(sign, whole.replace(".", "").replace(" ", "") + "." + fraction)
    if _DOT_GROUPS.match(s):
        if s.count(".") >= 2:
            return _finish(sign, s.replace(".", ""))
        raise ValueError(
            f"'{shown}' is dubbelzinnig: bedoel je {s.replace('.', '')} (punt tussen duizendtallen) "
            f"of {s.replace('.', ',')} (punt als decimaalteken)? Schrijf {s.replace('.', '')} of {s.replace('.', ',')}."
        )
    if _SPACE_GROUPS.match(s):
        return _finish(sign, s.replace(" ", ""))
    if _DOT_DECIMAL.match(s):
        return _finish(sign, s)
    if _ENGLISH.match(s):
        raise ValueError(
            f"'{shown}' staat in Engelse notatie (komma tussen duizendtallen): "
            "schrijf het decimaalteken als komma en de duizendtallen met een punt (bv. 1.234,5)."
        )
    raise ValueError(f"'{shown}' is geen getal.")


def parse_integer(value, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """A whole number (measure rules), optionally within [minimum, maximum]."""
    number = parse_measure(value)
    if number is None:
        return None
    if number != int(number):
        raise ValueError(f"'{value}' is geen geheel getal.")
    number = int(number)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ValueError(f"{number} ligt niet tussen {minimum} en {maximum}.")
    return number


def format_amount(value: float | None, *, symbol: bool = True, decimals: int | None = None) -> str:
    """250000 -> '250.000 €'; 1250000.5 -> '1.250.000,50 €' (cents only when
    there are any). The form's preview and the form's own values use this,
    so what is shown can be typed back in unchanged."""
    if value is None:
        return ""
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    text = f"{float(value):,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{text} €" if symbol else text


# Whole numbers in URLs and hidden form fields ---------------------------------

INT32_MAX = 2**31 - 1  # an INTEGER column on both databases


def whole_number(text, minimum: int = 0, maximum: int = INT32_MAX) -> int | None:
    """ASCII digits (an optional leading '-') within [minimum, maximum] ->
    int, anything else -> None. The one check for ids, versions, zoom levels
    and years in URLs and forms: str.isdigit() also accepts '²' (which int()
    refuses) and int() accepts 20 digits (which the database refuses)."""
    if text is None:
        return None
    text = str(text).strip()
    if not re.fullmatch(r"-?[0-9]{1,10}", text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None
