"""CSV files for Flemish Excel and zip archives, shared by the CSV and
Shapefile exports.

CSV dialect: UTF-8 with BOM (Excel then reads the accents right), `;` as
separator and a decimal comma in numbers, because a Belgian (nl-BE) Excel
uses `;` as list separator and `,` as decimal sign: such a file opens by
double-click in columns, and `1234,5` is a number there. The importer reads
the same dialect back (it detects `;` and parses decimal commas).

Formula injection: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a
carriage return is prefixed with `'`, so Excel/LibreOffice show it as text
instead of running it. Numbers are written by us and never prefixed, so a
negative amount stays a number.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pandas as pd

from .frames import is_missing

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(text: str) -> str:
    """Text cell -> text a spreadsheet will not evaluate as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def format_number(value: float) -> str:
    """1234.5 -> '1234,5'; 1500000.0 -> '1500000'; no thousands separator."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}".replace(".", ",")


def format_cell(value) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        return format_cell(value.item())
    return neutralise(str(value))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame (no geometry column) as CSV in the dialect above."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([format_cell(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")


def text_bytes(text: str) -> bytes:
    """Plain text for people (LEESMIJ.txt): UTF-8 with BOM, so old Windows
    editors do not garble the accents."""
    return (BOM + text).encode("utf-8")


def zip_bytes(files: dict[str, bytes], moment: dt.datetime | dt.date | None = None) -> bytes:
    """A zip of {name: content}, in the given order, stamped with `moment`
    (the export date) so the same export gives the same archive."""
    if isinstance(moment, dt.datetime):
        stamp = moment.timetuple()[:6]
    elif isinstance(moment, dt.date):
        stamp = (moment.year, moment.month, moment.day, 0, 0, 0)
    else:
        stamp = (1980, 1, 1, 0, 0, 0)
    stamp = max(stamp, (1980, 1, 1, 0, 0, 0))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()
